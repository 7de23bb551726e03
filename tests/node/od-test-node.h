/* od-test-node.h: the stand-in Core Lightning node's parts (internal to tests/node)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * od-test-node.c      main(), options, the unix-socket JSON-RPC server and the CLNRest server:
 *                     transports only.  Each request becomes an OdNodeCall.
 * od-test-node-rpc.c  what the node answers: recorded examples, the embedded OdCommands, the
 *                     node's own invoices (dev-pay, listinvoices, waitanyinvoice), faults.
 *
 * Everything runs on the main context of one thread: calls are answered at once or parked
 * (waitanyinvoice, the "slow" fault) and answered later from a source on that context.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "od-commands.h"
#include "od-signer.h"
#include "od-store.h"

G_BEGIN_DECLS

/* Transport-level faults: the transport acts on them; the others change what methods answer. */
typedef enum
{
  OD_NODE_FAULT_NONE,
  OD_NODE_FAULT_HANGUP,        /* run the request, then close without a reply */
  OD_NODE_FAULT_HANGUP_EARLY,  /* close as soon as the request is read: nothing runs */
  OD_NODE_FAULT_HANGUP_MID,    /* run it, write half of the reply, close */
  OD_NODE_FAULT_GARBAGE,       /* run it, reply with bytes that are not JSON */
  OD_NODE_FAULT_SLOW,          /* run it, reply after delay_ms */
  OD_NODE_FAULT_TAMPER_OFFER,  /* offer / invoicerequest: another description, same node key */
  OD_NODE_FAULT_OTHER_NODE,    /* offer / invoicerequest: made by another node's key */
} OdNodeFault;

typedef struct _OdNode OdNode;
typedef struct _OdNodeCall OdNodeCall;

/* Called once per call, on the main context: result (the JSON-RPC "result") or error (in
 * OD_ERROR: code and message as Core Lightning would send them) with error_data (the error's
 * "data" member, usually NULL).  Never called for a dropped call. */
typedef void (*OdNodeReplyFunc) (OdNodeCall  *call,
                                 JsonNode    *result,
                                 const GError *error,
                                 JsonNode    *error_data,
                                 gpointer     user_data);


typedef struct
{
  char       *data_dir;
  char       *network;
  char       *recorded_dir;   /* NULL: no recorded answers */
  OdNodeFault fault;
  guint       fault_delay_ms; /* SLOW */
  guint       fault_count;    /* requests left with the fault; 0 = until changed */
} OdNodeOptions;

OdNode        *od_node_new            (const OdNodeOptions *options,
                                       GError             **error);
void           od_node_free           (OdNode              *node);
const char    *od_node_get_id         (OdNode              *node);

/* The fault for the request being read now (consumes one of a counted fault).  dev-fault
 * itself is never faulted, so tests can always switch faults off. */
OdNodeFault    od_node_take_fault     (OdNode              *node,
                                       const char          *method,
                                       guint               *delay_ms);

OdNodeCall    *od_node_call_new       (OdNode              *node,
                                       const char          *method,
                                       JsonNode            *params,
                                       const char          *params_text,
                                       OdNodeReplyFunc      reply,
                                       gpointer             user_data);
/* Runs the call with the fault od_node_take_fault() gave: reply is called now or later (once,
 * after delay_ms for the slow fault), and the call is freed afterwards. */
void           od_node_call_run       (OdNodeCall          *call,
                                       OdNodeFault          fault,
                                       guint                delay_ms);
/* The transport is gone before the reply: the call is forgotten (reply is never called) and
 * freed.  Only for calls whose reply has not come yet. */
void           od_node_call_drop      (OdNodeCall          *call);

gboolean       od_node_fault_from_string (const char       *name,
                                          OdNodeFault      *fault,
                                          guint            *delay_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdNode, od_node_free)

G_END_DECLS
