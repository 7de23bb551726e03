/* od-commands.h: the command table (Core Lightning's RPC commands, re-implemented)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every action of the CLI and the GUI goes through od_commands_call(): a method name plus
 * parameters, given by position (JSON array, in the table's order) or by name (JSON object),
 * returning a JSON result or a GError in OD_ERROR whose code is the Core Lightning JSON-RPC
 * error code and whose message is Core Lightning's sentence (e.g. -32602
 * "missing required parameter: string").
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define OD_ERROR (od_error_quark ())

/* GError codes in OD_ERROR: Core Lightning's JSON-RPC codes (common/jsonrpc_errors.h). */
typedef enum
{
  OD_ERROR_GENERIC                = -1,     /* catch-all, e.g. "Unknown offer" */
  OD_ERROR_INVALID_REQUEST        = -32600, /* params neither array nor object, malformed */
  OD_ERROR_METHOD_NOT_FOUND       = -32601, /* "Unknown command 'X'" */
  OD_ERROR_INVALID_PARAMS         = -32602, /* "<param>: <reason>", missing/unknown/too many */
  OD_ERROR_OFFER_ALREADY_EXISTS   = 1000,   /* "Already exists, but isn't active" */
  OD_ERROR_OFFER_ALREADY_DISABLED = 1001,   /* "offer is not active" */
  OD_ERROR_OFFER_ALREADY_ENABLED  = 1006,   /* "offer already active" */
  OD_ERROR_OFFER_USED_SINGLE_USE  = 1007,   /* "cannot activate an used single use offer" */
} OdErrorCode;

GQuark od_error_quark (void);

typedef struct _OdCommands OdCommands;

/* data_dir: where the store lives (not created until a command needs it); network: one of
 * od_network_names().  Returns NULL for an unknown network. */
OdCommands         *od_commands_new         (const char  *data_dir,
                                             const char  *network);
void                od_commands_free        (OdCommands  *self);

const char         *od_commands_get_network  (OdCommands *self);
const char         *od_commands_get_data_dir (OdCommands *self);

/* params: a JSON array (positional, table order) or object (by name); NULL means no params.
 * A JSON null counts as an absent parameter.  Returns the result (never NULL on success). */
JsonNode           *od_commands_call        (OdCommands  *self,
                                             const char  *method,
                                             JsonNode    *params,
                                             GError     **error);

/* Same, with the params as JSON text, read the way Core Lightning reads a request: every
 * parameter keeps its token text, so numbers are taken as written (a 64-digit "0000…" is still
 * 64 hex digits; a u64 is never squeezed through a double) and a string that used a \u escape
 * is known as such (free-text parameters refuse those, like Core Lightning).  Top-level
 * primitives are read leniently (any run of characters up to , ] } or space), like jsmn.
 * This is what offerdesk-cli calls. */
JsonNode           *od_commands_call_json   (OdCommands  *self,
                                             const char  *method,
                                             const char  *params_json,
                                             GError     **error);

/* Checks a call without making it: the parameters are bound and parsed in Core Lightning's
 * order and, for `offer` and `invoicerequest`, the offer or invoice request is built and encoded
 * with every reader rule (with a stand-in key when there is no key yet) and, with the embedded
 * backend, a currency's rate is looked up (with a node backend the node's currencyconvert
 * decides, when the call is sent), but nothing is written: no data dir, key or database is created and the store is
 * not changed.  Returns FALSE with the GError (code and message) the call would give.  For the
 * other commands only the parameters are checked.  Safe to call from any thread. */
gboolean            od_commands_check       (OdCommands  *self,
                                             const char  *method,
                                             JsonNode    *params,
                                             GError     **error);

/* The command names, in table order (NULL-terminated, static). */
const char * const *od_commands_list        (void);

/* Usage line + description + one line per parameter, in English; NULL for an unknown
 * command.  Static string. */
const char         *od_commands_help        (const char  *method);

/* "bitcoin", "testnet", "testnet4", "signet", "regtest" (NULL-terminated, static). */
const char * const *od_network_names        (void);
gboolean            od_network_is_valid     (const char  *network);

/* ---- Backends (od-backend.h) ----------------------------------------------------------------
 *
 * By default commands run on the embedded table (local key, local store).  With a node backend
 * (od_backend_is_node()), offer, invoicerequest, listoffers, disableoffer, enableoffer,
 * listinvoicerequests, disableinvoicerequest and currencyconvert are checked locally first
 * (od_commands_check: the same errors as before for bad params, nothing sent), then sent to the
 * node with the same params; every bolt12 string the node returns is decoded and checked by the
 * bolt12 module (fields equal the params, issuer id = the node's getinfo id, offer_id /
 * invreq_id recomputed) before it is stored (with the node's ids and node_id) and returned;
 * a mismatch is OD_BACKEND_ERROR_MISMATCH and nothing is stored.  listoffers /
 * listinvoicerequests also bring the stored rows' active/used flags in line with the node.
 * getinfo returns the node's id, alias and network plus "backend" (kind) and "backend_address"
 * (describe).  decode, help, setrate, listrates stay local.  A transport failure during offer /
 * invoicerequest is resolved on the next successful call by listing (the row is stored if the
 * node did create it). */
struct _OdBackend;
/* Takes a reference; NULL restores the embedded default.  Call before sharing self between
 * threads, or while no command runs. */
void                od_commands_set_backend (OdCommands        *self,
                                             struct _OdBackend *backend);
/* Never NULL (the local backend is made on first use); no reference is returned. */
struct _OdBackend  *od_commands_get_backend (OdCommands        *self);
/* The embedded table, whatever the backend (what OdLocalBackend calls). */
JsonNode           *od_commands_call_local  (OdCommands  *self,
                                             const char  *method,
                                             JsonNode    *params,
                                             GError     **error);
/* The store, opened (created when create) on first use; NULL with an error, or NULL without
 * one when create is FALSE and there is no database yet.  Owned by self. */
struct _OdStore    *od_commands_open_store  (OdCommands  *self,
                                             gboolean     create,
                                             GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdCommands, od_commands_free)

G_END_DECLS
