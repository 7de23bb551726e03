/* od-commands-private.h: what the command files share (core-internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command table is split by concern: od-commands.c (the table, decode, getinfo, help),
 * od-offer-commands.c (offers and invoice requests), od-rate-commands.c (currencyconvert,
 * setrate, listrates), and od-node-commands.c (the same commands on a Core Lightning node:
 * forwarded, the answers checked against what the table would build, then stored).  Each file exports a table of OdCommand rows ending with a NULL name;
 * od-commands.c lists the tables.
 *
 * The store and the key are opened on first use and kept for the life of the OdCommands (the
 * GUI calls commands from worker threads: opening is serialised by a lock; the store and the
 * signer are thread-safe).  Commands that only read never create anything: with create FALSE a
 * missing database or key file is "nothing yet" (NULL without an error).
 */

#pragma once

#include "od-backend.h"
#include "od-commands.h"
#include "od-params.h"
#include "od-rates.h"
#include "od-signer.h"
#include "od-store.h"

#include "bolt12.h"

G_BEGIN_DECLS

typedef JsonNode *(*OdCommandFunc) (OdCommands      *self,
                                    const OdParams  *params,
                                    GError         **error);

typedef struct
{
  const char    *name;
  OdCommandFunc  handler;
  const char    *description;  /* one line */
  const char    *verbose;      /* what it does and returns, in a few sentences */
  OdParamSpec    params[OD_MAX_PARAMS + 1];
} OdCommand;

extern const OdCommand od_offer_commands[];
extern const OdCommand od_rate_commands[];

/* create FALSE: NULL without an error when the database file does not exist yet. */
OdStore     *od_commands_get_store  (OdCommands  *self,
                                     gboolean     create,
                                     GError     **error);
/* create FALSE: NULL without an error when there is no key file yet. */
OdSigner    *od_commands_get_signer (OdCommands  *self,
                                     gboolean     create,
                                     GError     **error);
OdRates     *od_commands_get_rates  (OdCommands  *self);

/* The chain hash of the network when it is not bitcoin (offer_chains / invreq_chain); FALSE for
 * bitcoin, whose offers carry no chain. */
gboolean     od_commands_get_chain  (OdCommands  *self,
                                     guint8       chain[32]);

/* Sets error from a store, signer or rates error: -1 (catch-all) with the same sentence. */
void         od_commands_fail       (GError     **error,
                                     const GError *cause);

guint64      od_now_seconds         (void);

/* Lower-case hex of data. */
char        *od_hex_encode          (const guint8 *data,
                                     gsize         len);

/* A u64 as a JSON integer member, or as a decimal string when JSON-GLib's gint64 cannot hold
 * it (the bolt12 layer's rule for decode). */
void         od_json_set_u64        (JsonObject   *object,
                                     const char   *name,
                                     guint64       value);

/* A JSON object node that takes object. */
JsonNode    *od_json_node_from_object (JsonObject *object);

/* The fields of a history row that come from the offer part of msg: description, issuer,
 * absolute_expiry, quantity_max, recurrence and, with with_amount, the offer's amount or
 * currency amount (od-offer-commands.c). */
void         od_history_row_set_offer_fields (OdHistoryRow        *row,
                                              const Bolt12Message *msg,
                                              gboolean             with_amount);

/* What getinfo counts in the store (all zero when there is no database yet). */
typedef struct
{
  guint64 offers;
  guint64 active_offers;
  guint64 invoice_requests;
} OdHistoryCounts;

gboolean     od_commands_count_history    (OdCommands            *self,
                                           OdHistoryCounts       *counts,
                                           GError               **error);
/* getinfo's num_offers, num_active_offers, num_invoicerequests, data_dir and version. */
void         od_commands_set_history_info (OdCommands            *self,
                                           JsonObject            *result,
                                           const OdHistoryCounts *counts);

/* ---- Node backends (od-node-commands.c) ---------------------------------------------------- */

/* TRUE when a node backend is set (od_commands_set_backend()). */
gboolean     od_commands_uses_node  (OdCommands  *self);

/* od_commands_check() for params given as JSON text, read the way od_commands_call_json() reads
 * them. */
gboolean     od_commands_check_json (OdCommands  *self,
                                     const char  *method,
                                     const char  *params_json,
                                     GError     **error);

/* For `offer` / `invoicerequest` with bound params: the message the embedded table would build
 * for them, unsigned, with a stand-in key (offer_issuer_id or invreq_payer_id) and zero
 * invreq_metadata: what a node's answer to the same params is compared with.  NULL with the
 * command's own error when the params are refused. */
Bolt12Message *od_offer_commands_expected (OdCommands      *self,
                                           const char      *method,
                                           const OdParams  *params,
                                           GError         **error);

/* The same, from params given as a JsonNode (params_json NULL) or as JSON text. */
Bolt12Message *od_commands_expected_message (OdCommands  *self,
                                             const char  *method,
                                             JsonNode    *params,
                                             const char  *params_json,
                                             GError     **error);

/* The parameter table of a command (NULL-name terminated), NULL for an unknown one. */
const OdParamSpec *od_commands_param_specs (const char *method);

/* The forwarded methods (od-commands.h, "Backends") and getinfo. */
gboolean     od_node_handles        (const char  *method);

/* Runs method on the node backend: checked locally first, forwarded with the same params
 * (params, or params_json parsed when params_json is not NULL), the answer verified and stored. */
JsonNode    *od_node_call           (OdCommands  *self,
                                     OdBackend   *backend,
                                     const char  *method,
                                     JsonNode    *params,
                                     const char  *params_json,
                                     GError     **error);

/* What od-node-commands.c keeps per OdCommands: the requests interrupted by a transport failure,
 * resolved on the next successful call. */
typedef struct _OdNodeState OdNodeState;

OdNodeState *od_node_state_new      (void);
void         od_node_state_free     (OdNodeState *state);
OdNodeState *od_commands_get_node_state (OdCommands *self);
/* How many interrupted requests wait to be resolved (tests). */
guint        od_node_state_n_pending (OdNodeState *state);

G_END_DECLS
