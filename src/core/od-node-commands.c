/* od-node-commands.c: the commands a Core Lightning node answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With a node backend (od_commands_set_backend()), od-commands.c hands the forwarded methods
 * and getinfo to od_node_call().  Each call is checked by the embedded table first, so bad
 * params give the same error as without a node and nothing is sent; then the same params go to
 * the node.  The node is trusted with the key, not with what it returns: every bolt12 string in
 * an answer to offer / invoicerequest is decoded by our module and compared, field by field,
 * with the message the embedded table builds from the same params (only what the node chooses
 * itself may differ: its key, blinded paths, metadata), its id recomputed, and its issuer key
 * compared with the node's getinfo id.  Only then is it stored, with the node's ids.
 *
 * A transport failure while an offer or invoice request is being made leaves us not knowing
 * whether the node made it.  The request is remembered (in memory) and, on the next call the
 * node answers, resolved by listing: a listed row whose fields match the request's params is
 * stored as if the answer had arrived.
 */

#include "config.h"

#include "od-commands-private.h"

#include <string.h>

static const char * const forwarded_methods[] = {
  "offer", "invoicerequest", "listoffers", "disableoffer", "enableoffer",
  "listinvoicerequests", "disableinvoicerequest", "currencyconvert", NULL
};

gboolean
od_node_handles (const char *method)
{
  return strcmp (method, "getinfo") == 0 || g_strv_contains (forwarded_methods, method);
}

/* ------------------------------------------------------------------------------------------ */
/* Interrupted requests                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  char     *method;       /* "offer" or "invoicerequest" */
  JsonNode *params;       /* as given to od_commands_call(), or NULL */
  char     *params_json;  /* as given to od_commands_call_json(), or NULL */
  char     *label;        /* the label asked for, or NULL */
} Pending;

struct _OdNodeState
{
  GMutex     lock;
  GPtrArray *pending;    /* of Pending* */
  gboolean   resolving;  /* one thread resolves at a time; the others carry on */
};

static void
pending_free (Pending *pending)
{
  g_free (pending->method);
  g_clear_pointer (&pending->params, json_node_unref);
  g_free (pending->params_json);
  g_free (pending->label);
  g_free (pending);
}

OdNodeState *
od_node_state_new (void)
{
  OdNodeState *state = g_new0 (OdNodeState, 1);

  g_mutex_init (&state->lock);
  state->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);

  return state;
}

void
od_node_state_free (OdNodeState *state)
{
  if (state == NULL)
    return;

  g_ptr_array_unref (state->pending);
  g_mutex_clear (&state->lock);
  g_free (state);
}

guint
od_node_state_n_pending (OdNodeState *state)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&state->lock);

  return state->pending->len;
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static gboolean
is_creation (const char *method)
{
  return strcmp (method, "offer") == 0 || strcmp (method, "invoicerequest") == 0;
}

/* A failure after which the node may have done what it was asked without us hearing of it. */
static gboolean
is_interruption (const GError *error)
{
  return error->domain == OD_BACKEND_ERROR
         && (error->code == OD_BACKEND_ERROR_CONNECTION
             || error->code == OD_BACKEND_ERROR_TIMEOUT
             || error->code == OD_BACKEND_ERROR_PROTOCOL);
}

static void
mismatch (GError     **error,
          const char  *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
mismatch (GError     **error,
          const char  *format,
          ...)
{
  va_list args;

  /* g_set_error() with the caller's arguments. */
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (OD_BACKEND_ERROR, OD_BACKEND_ERROR_MISMATCH,
                                                format, args));
  va_end (args);
}

static const char *
kind_phrase (Bolt12Kind kind)
{
  return kind == BOLT12_KIND_OFFER ? "an offer" : "an invoice request";
}

static JsonNode *params_as_given (JsonNode    *params,
                                  const char  *params_json,
                                  GError     **error);

/* Positional params by name, in our table's order: Offerdesk's tables are not Core
 * Lightning's position for position (offer has quantity_min before quantity_max), and CLNRest
 * takes an object only.  Nulls are absent params: left out.  The params were checked, so there
 * are no more of them than names. */
static JsonNode *
positional_to_named (const char *method,
                     JsonNode   *array_node)
{
  const OdParamSpec *specs = od_commands_param_specs (method);
  JsonArray *array = json_node_get_array (array_node);
  JsonObject *object = json_object_new ();
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n && specs != NULL && specs[i].name != NULL; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_NULL (element))
        json_object_set_member (object, specs[i].name, json_node_copy (element));
    }

  return od_json_node_from_object (object);
}

/* What goes to the node: the caller's params by name; no params are an empty object (Core
 * Lightning wants "params" present). */
static JsonNode *
params_to_send (const char  *method,
                JsonNode    *params,
                const char  *params_json,
                GError     **error)
{
  g_autoptr(JsonNode) given = params_as_given (params, params_json, error);

  if (given == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (given))
    return positional_to_named (method, given);

  return g_steal_pointer (&given);
}

static JsonNode *
params_as_given (JsonNode    *params,
                 const char  *params_json,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  if (params_json != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (params_json));

      if (*text == '\0')
        return od_json_node_from_object (json_object_new ());
      node = json_from_string (text, &local_error);
      if (node == NULL)
        {
          g_set_error (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
                       "params cannot be sent to the node: %s", local_error->message);
          return NULL;
        }
      return node;
    }

  if (params == NULL || JSON_NODE_HOLDS_NULL (params))
    return od_json_node_from_object (json_object_new ());

  return json_node_copy (params);
}

/* The label asked for: "label" by name, or the 4th positional param (offer and invoicerequest
 * both have it there). */
static char *
label_of (JsonNode *sent)
{
  JsonNode *member = NULL;

  if (JSON_NODE_HOLDS_OBJECT (sent))
    member = json_object_get_member (json_node_get_object (sent), "label");
  else if (JSON_NODE_HOLDS_ARRAY (sent) && json_array_get_length (json_node_get_array (sent)) > 3)
    member = json_array_get_element (json_node_get_array (sent), 3);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member))
    return NULL;
  if (json_node_get_value_type (member) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (member));
  if (json_node_get_value_type (member) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (member));

  return NULL;
}

/* The array member name of object, NULL when absent or not an array. */
static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return NULL;

  return json_node_get_array (member);
}

/* `offer refund_for=<preimage>` makes a refund: the payment hash it pays back is kept with the
 * row (it is not in the string).  NULL when the params have none. */
static char *
refund_hash_of (JsonNode *sent)
{
  g_autoptr(GByteArray) preimage = NULL;
  const char *hex;
  gsize len;

  if (!JSON_NODE_HOLDS_OBJECT (sent))
    return NULL;
  hex = json_object_get_string_member_with_default (json_node_get_object (sent), "refund_for",
                                                    NULL);
  if (hex == NULL || strlen (hex) != 64)
    return NULL;

  preimage = g_byte_array_sized_new (32);
  len = strlen (hex);
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = g_ascii_xdigit_value (hex[i]);
      int lo = g_ascii_xdigit_value (hex[i + 1]);
      guint8 byte;

      if (hi < 0 || lo < 0)
        return NULL;
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (preimage, &byte, 1);
    }

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, preimage->data, preimage->len);
}

static gboolean
ensure_connected (OdBackend  *backend,
                  GError    **error)
{
  if (od_backend_get_node_id (backend) != NULL)
    return TRUE;

  return od_backend_connect (backend, NULL, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Checking what the node returns                                                             */
/* ------------------------------------------------------------------------------------------ */

/* The message's chain: offer_chains (one chain) or invreq_chain; none means bitcoin. */
static GBytes *
chain_of (const Bolt12Message *msg)
{
  guint8 bitcoin[32];

  if (msg->kind == BOLT12_KIND_INVOICE_REQUEST && msg->has_invreq_chain)
    return g_bytes_new (msg->invreq_chain, 32);
  if (msg->kind == BOLT12_KIND_OFFER && msg->offer_chains != NULL)
    return g_bytes_ref (msg->offer_chains);

  bolt12_chain_from_name ("bitcoin", bitcoin);

  return g_bytes_new (bitcoin, sizeof bitcoin);
}

static gboolean
has_paths (GPtrArray *paths)
{
  return paths != NULL && paths->len > 0;
}

/* The name of the first field in which got differs from want, NULL when none does.  The fields
 * the node chooses itself are not compared: offer_issuer_id, offer_paths, offer_metadata,
 * invreq_metadata, invreq_payer_id, invreq_paths, features and the signature. */
static const char *
first_difference (const Bolt12Message *want,
                  const Bolt12Message *got)
{
  const Bolt12Recurrence *rw = &want->recurrence;
  const Bolt12Recurrence *rg = &got->recurrence;
  g_autoptr(GBytes) chain_want = chain_of (want);
  g_autoptr(GBytes) chain_got = chain_of (got);

  if (want->kind != got->kind)
    return "kind";
  if (!g_bytes_equal (chain_want, chain_got))
    return "chain";
  if (want->kind == BOLT12_KIND_INVOICE_REQUEST && got->offer_chains != NULL)
    return "chain";
  if (g_strcmp0 (want->offer_description, got->offer_description) != 0)
    return "description";
  if (g_strcmp0 (want->offer_currency, got->offer_currency) != 0)
    return "currency";
  if (want->has_offer_amount != got->has_offer_amount
      || (want->has_offer_amount && want->offer_amount != got->offer_amount))
    return "amount";
  if (g_strcmp0 (want->offer_issuer, got->offer_issuer) != 0)
    return "issuer";
  if (want->has_offer_quantity_max != got->has_offer_quantity_max
      || (want->has_offer_quantity_max && want->offer_quantity_max != got->offer_quantity_max))
    return "quantity_max";
  if (want->has_offer_absolute_expiry != got->has_offer_absolute_expiry
      || (want->has_offer_absolute_expiry
          && want->offer_absolute_expiry != got->offer_absolute_expiry))
    return "absolute_expiry";
  if (rw->present != rg->present
      || (rw->present && (rw->compulsory != rg->compulsory || rw->time_unit != rg->time_unit
                          || rw->period != rg->period)))
    return "recurrence";
  if (rw->present)
    {
      if (rw->has_base != rg->has_base || (rw->has_base && rw->basetime != rg->basetime))
        return "recurrence_base";
      if (rw->proportional_amount != rg->proportional_amount)
        return "proportional_amount";
      if (rw->has_paywindow != rg->has_paywindow
          || (rw->has_paywindow && (rw->seconds_before != rg->seconds_before
                                    || rw->seconds_after != rg->seconds_after)))
        return "recurrence_paywindow";
      if (rw->has_limit != rg->has_limit || (rw->has_limit && rw->limit != rg->limit))
        return "recurrence_limit";
    }

  if (want->kind == BOLT12_KIND_INVOICE_REQUEST)
    {
      /* An invoice request of ours answers no offer: it names no issuer key and no paths. */
      if (got->has_offer_issuer_id || has_paths (got->offer_paths))
        return "offer_issuer_id";
      if (want->has_invreq_amount != got->has_invreq_amount
          || want->invreq_amount != got->invreq_amount)
        return "amount";
      if (want->has_invreq_quantity != got->has_invreq_quantity
          || want->invreq_quantity != got->invreq_quantity)
        return "quantity";
      if (g_strcmp0 (want->invreq_payer_note, got->invreq_payer_note) != 0)
        return "payer_note";
      if (rg->present || got->has_invreq_recurrence_counter)
        return "recurrence";
    }

  return NULL;
}

/* Issued by the node whose id (66 hex) is node_id: an offer names it as offer_issuer_id (or,
 * without one, is reached only through blinded paths, which only the node can answer); an
 * invoice request is paid by it (invreq_payer_id, signature verified by the decoder). */
static gboolean
issued_by (const Bolt12Message *msg,
           const char          *node_id)
{
  g_autofree char *hex = NULL;

  if (node_id == NULL)
    return FALSE;

  if (msg->kind == BOLT12_KIND_OFFER)
    {
      if (!msg->has_offer_issuer_id)
        return has_paths (msg->offer_paths);
      hex = od_hex_encode (msg->offer_issuer_id, 33);
    }
  else
    {
      if (!msg->has_invreq_payer_id || !msg->signature_checked)
        return FALSE;
      hex = od_hex_encode (msg->invreq_payer_id, 33);
    }

  return g_ascii_strcasecmp (hex, node_id) == 0;
}

static const char *
id_member (Bolt12Kind kind)
{
  return kind == BOLT12_KIND_OFFER ? "offer_id" : "invreq_id";
}

static char *
message_id_hex (const Bolt12Message *msg)
{
  return od_hex_encode (msg->kind == BOLT12_KIND_OFFER ? msg->offer_id : msg->invreq_id, 32);
}

/* The node's answer to offer / invoicerequest, checked against want; the decoded message. */
static Bolt12Message *
verify_answer (OdBackend            *backend,
               const Bolt12Message  *want,
               JsonObject           *answer,
               GError              **error)
{
  const char *what = kind_phrase (want->kind);
  const char *bolt12 = json_object_get_string_member_with_default (answer, "bolt12", NULL);
  const char *answer_id = json_object_get_string_member_with_default (answer,
                                                                      id_member (want->kind),
                                                                      NULL);
  g_autoptr(Bolt12Message) got = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id_hex = NULL;
  const char *field;

  if (bolt12 == NULL)
    {
      mismatch (error, "The node's answer has no bolt12 string; nothing was stored");
      return NULL;
    }
  got = bolt12_message_decode (bolt12, &local_error);
  if (got == NULL)
    {
      mismatch (error, "The node returned %s that is not valid BOLT 12 (%s); it was not stored",
                what, local_error->message);
      return NULL;
    }
  if (got->kind != want->kind)
    {
      mismatch (error, "The node returned %s instead of %s; it was not stored",
                kind_phrase (got->kind), what);
      return NULL;
    }

  field = first_difference (want, got);
  if (field != NULL)
    {
      mismatch (error, "The node returned %s whose %s differs from the one asked for; "
                "it was not stored", what, field);
      return NULL;
    }
  if (!issued_by (got, od_backend_get_node_id (backend)))
    {
      mismatch (error, "The node returned %s whose %s is not the node's id %s; it was not stored",
                what, want->kind == BOLT12_KIND_OFFER ? "issuer id" : "payer id",
                od_backend_get_node_id (backend));
      return NULL;
    }

  id_hex = message_id_hex (got);
  if (answer_id == NULL || g_ascii_strcasecmp (answer_id, id_hex) != 0)
    {
      mismatch (error, "The node returned %s whose %s is not the id of its bolt12 string; "
                "it was not stored", what, id_member (want->kind));
      return NULL;
    }

  return g_steal_pointer (&got);
}

/* ------------------------------------------------------------------------------------------ */
/* Storing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* The status bits of a listoffers-shaped object (the kind's defaults for what is missing). */
static guint
status_of (JsonObject *item,
           OdKind      kind)
{
  guint status = 0;

  if (json_object_get_boolean_member_with_default (item, "active", TRUE))
    status |= OD_STATUS_ACTIVE;
  if (json_object_get_boolean_member_with_default (item, "single_use",
                                                   kind == OD_KIND_INVOICE_REQUEST))
    status |= OD_STATUS_SINGLE;
  if (json_object_get_boolean_member_with_default (item, "used", FALSE))
    status |= OD_STATUS_USED;

  return status;
}

static OdHistoryRow *
row_from_message (OdCommands          *self,
                  const Bolt12Message *msg,
                  const char          *bolt12,
                  const char          *label,
                  guint                status,
                  const char          *node_id)
{
  OdKind kind = msg->kind == BOLT12_KIND_OFFER ? OD_KIND_OFFER : OD_KIND_INVOICE_REQUEST;
  OdHistoryRow *row = od_history_row_new (kind);

  row->id = message_id_hex (msg);
  row->bolt12 = g_strdup (bolt12);
  row->label = g_strdup (label);
  row->status = status;
  row->network = g_strdup (od_commands_get_network (self));
  /* An invoice request's amount is its own (invreq_amount), not the offer's. */
  od_history_row_set_offer_fields (row, msg, kind != OD_KIND_INVOICE_REQUEST);
  if (kind == OD_KIND_INVOICE_REQUEST)
    {
      row->has_amount_msat = msg->has_invreq_amount;
      row->amount_msat = msg->invreq_amount;
    }
  row->node_id = g_ascii_strdown (node_id, -1);

  return row;
}

/* Stores row; when it is already stored, brings the stored status in line with the node's. */
static gboolean
store_row (OdCommands    *self,
           OdHistoryRow  *row,
           GError       **error)
{
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean created = FALSE;
  gboolean changed = FALSE;
  OdStore *store;

  store = od_commands_get_store (self, TRUE, error);
  if (store == NULL)
    return FALSE;

  if (row->kind == OD_KIND_OFFER)
    {
      stored = od_store_add_offer (store, row, &created, &local_error);
    }
  else
    {
      stored = od_store_add_invoice_request (store, row, &local_error);
      created = stored != NULL;
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_EXISTS))
        {
          g_clear_error (&local_error);
          stored = od_store_get (store, row->kind, row->id, &local_error);
        }
    }
  if (stored == NULL)
    {
      od_commands_fail (error, local_error);
      return FALSE;
    }

  if (!created && stored->status != row->status)
    {
      g_autoptr(OdHistoryRow) updated = od_store_set_status (store, row->kind, row->id,
                                                             row->status, &changed,
                                                             &local_error);

      if (updated == NULL)
        {
          od_commands_fail (error, local_error);
          return FALSE;
        }
    }

  return TRUE;
}

/* Brings a stored row's status in line with a listoffers-shaped item; rows we do not have are
 * left alone (*known FALSE). */
static gboolean
follow_status (OdCommands  *self,
               OdKind       kind,
               JsonObject  *item,
               gboolean    *known,
               GError     **error)
{
  const char *id = json_object_get_string_member_with_default (item,
                                                               kind == OD_KIND_OFFER
                                                               ? "offer_id" : "invreq_id",
                                                               NULL);
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean changed = FALSE;
  OdStore *store;

  *known = FALSE;
  if (id == NULL || strlen (id) != 64)
    return TRUE;

  store = od_commands_get_store (self, FALSE, &local_error);
  if (store == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  row = od_store_set_status (store, kind, id, status_of (item, kind), &changed, &local_error);
  if (row == NULL)
    {
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        return TRUE;
      od_commands_fail (error, local_error);
      return FALSE;
    }
  *known = TRUE;

  return TRUE;
}

/* A listed row we do not have: stored when it decodes, was issued by the node and is for our
 * network, so the history knows every offer the till can be paid for. */
static gboolean
adopt_listed (OdCommands  *self,
              OdBackend   *backend,
              OdKind       kind,
              JsonObject  *item,
              GError     **error)
{
  const char *bolt12 = json_object_get_string_member_with_default (item, "bolt12", NULL);
  const char *label = json_object_get_string_member_with_default (item, "label", NULL);
  g_autoptr(Bolt12Message) msg = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(GBytes) chain = NULL;
  guint8 ours[32];

  if (bolt12 == NULL)
    return TRUE;
  msg = bolt12_message_decode (bolt12, NULL);
  if (msg == NULL
      || (kind == OD_KIND_OFFER) != (msg->kind == BOLT12_KIND_OFFER)
      || !issued_by (msg, od_backend_get_node_id (backend)))
    return TRUE;

  chain = chain_of (msg);
  if (!bolt12_chain_from_name (od_commands_get_network (self), ours)
      || g_bytes_get_size (chain) != 32
      || memcmp (g_bytes_get_data (chain, NULL), ours, 32) != 0)
    return TRUE;

  row = row_from_message (self, msg, bolt12, label, status_of (item, kind),
                          od_backend_get_node_id (backend));

  return store_row (self, row, error);
}

static gboolean
follow_list (OdCommands  *self,
             OdBackend   *backend,
             OdKind       kind,
             JsonNode    *answer,
             GError     **error)
{
  const char *member = kind == OD_KIND_OFFER ? "offers" : "invoicerequests";
  JsonArray *items;

  if (!JSON_NODE_HOLDS_OBJECT (answer))
    return TRUE;
  items = array_member (json_node_get_object (answer), member);
  if (items == NULL)
    return TRUE;
  if (json_array_get_length (items) > 0 && !ensure_connected (backend, error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      gboolean known = FALSE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      if (!follow_status (self, kind, json_node_get_object (node), &known, error))
        return FALSE;
      if (!known && !adopt_listed (self, backend, kind, json_node_get_object (node), error))
        return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Resolving interrupted requests                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Lists the node's rows of the pending request's kind and stores the newest one that matches
 * its params and that we do not have yet.  FALSE when the listing failed. */
static gboolean
resolve_one (OdCommands  *self,
             OdBackend   *backend,
             Pending     *pending,
             GError     **error)
{
  g_autoptr(Bolt12Message) want = NULL;
  g_autoptr(JsonNode) empty = od_json_node_from_object (json_object_new ());
  g_autoptr(JsonNode) answer = NULL;
  gboolean is_offer;
  JsonArray *items;

  want = od_commands_expected_message (self, pending->method, pending->params,
                                       pending->params_json, error);
  if (want == NULL)
    return TRUE;  /* cannot happen: the params were checked before they were sent */
  is_offer = want->kind == BOLT12_KIND_OFFER;

  answer = od_backend_call (backend, is_offer ? "listoffers" : "listinvoicerequests", empty, 0,
                            NULL, error);
  if (answer == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (answer))
    return TRUE;
  items = array_member (json_node_get_object (answer), is_offer ? "offers" : "invoicerequests");

  for (guint i = items != NULL ? json_array_get_length (items) : 0; i > 0; i--)
    {
      JsonNode *node = json_array_get_element (items, i - 1);
      g_autoptr(Bolt12Message) got = NULL;
      g_autoptr(OdHistoryRow) row = NULL;
      g_autoptr(OdHistoryRow) stored = NULL;
      g_autofree char *id_hex = NULL;
      JsonObject *item;
      const char *bolt12;
      OdStore *store;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);
      bolt12 = json_object_get_string_member_with_default (item, "bolt12", NULL);
      if (bolt12 == NULL)
        continue;
      got = bolt12_message_decode (bolt12, NULL);
      if (got == NULL || first_difference (want, got) != NULL
          || !issued_by (got, od_backend_get_node_id (backend)))
        continue;

      id_hex = message_id_hex (got);
      store = od_commands_get_store (self, FALSE, NULL);
      if (store != NULL)
        stored = od_store_get (store, is_offer ? OD_KIND_OFFER : OD_KIND_INVOICE_REQUEST, id_hex,
                               NULL);
      if (stored != NULL)
        {
          /* An offer with the same fields is the same offer: the node returned the one it had.
           * Invoice requests differ by their metadata: look for an older one. */
          if (is_offer)
            return TRUE;
          continue;
        }

      row = row_from_message (self, got, bolt12, pending->label,
                              status_of (item, is_offer ? OD_KIND_OFFER
                                                        : OD_KIND_INVOICE_REQUEST),
                              od_backend_get_node_id (backend));
      if (!store_row (self, row, error))
        {
          /* The node did make it; a store error is not the node's: report, do not retry. */
          g_debug ("Could not store the interrupted %s: %s", pending->method, (*error)->message);
          g_clear_error (error);
        }
      return TRUE;
    }

  return TRUE;
}

static void
resolve_pending (OdCommands *self,
                 OdBackend  *backend)
{
  OdNodeState *state = od_commands_get_node_state (self);
  g_autoptr(GPtrArray) todo = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);

  g_mutex_lock (&state->lock);
  if (state->resolving || state->pending->len == 0)
    {
      g_mutex_unlock (&state->lock);
      return;
    }
  todo = g_steal_pointer (&state->pending);
  state->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  state->resolving = TRUE;
  g_mutex_unlock (&state->lock);

  /* What the node made is recognised by its id: a backend made since the failure has not asked
   * yet.  Without it, everything stays pending. */
  if (!ensure_connected (backend, NULL))
    g_ptr_array_extend_and_steal (keep, g_steal_pointer (&todo));

  for (guint i = 0; todo != NULL && i < todo->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!resolve_one (self, backend, g_ptr_array_index (todo, i), &error))
        {
          if (is_interruption (error))
            g_ptr_array_add (keep, g_ptr_array_steal_index (todo, i--));
          else
            g_debug ("Could not resolve an interrupted request: %s", error->message);
        }
    }

  g_mutex_lock (&state->lock);
  g_ptr_array_extend_and_steal (state->pending, g_steal_pointer (&keep));
  state->resolving = FALSE;
  g_mutex_unlock (&state->lock);
}

static void
remember_pending (OdCommands  *self,
                  const char  *method,
                  JsonNode    *params,
                  const char  *params_json,
                  JsonNode    *sent)
{
  OdNodeState *state = od_commands_get_node_state (self);
  Pending *pending = g_new0 (Pending, 1);

  pending->method = g_strdup (method);
  pending->params = params != NULL ? json_node_copy (params) : NULL;
  pending->params_json = g_strdup (params_json);
  pending->label = label_of (sent);

  g_mutex_lock (&state->lock);
  g_ptr_array_add (state->pending, pending);
  g_mutex_unlock (&state->lock);
}

/* ------------------------------------------------------------------------------------------ */
/* The calls                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static JsonNode *
node_getinfo (OdCommands  *self,
              OdBackend   *backend,
              GError     **error)
{
  OdHistoryCounts counts;
  JsonObject *result;

  if (!od_backend_connect (backend, NULL, error))
    return NULL;
  resolve_pending (self, backend);

  if (!od_commands_count_history (self, &counts, error))
    return NULL;

  result = json_object_new ();
  json_object_set_string_member (result, "id", od_backend_get_node_id (backend));
  json_object_set_string_member (result, "alias", od_backend_get_alias (backend) != NULL
                                                  ? od_backend_get_alias (backend) : "");
  json_object_set_string_member (result, "network", od_backend_get_network (backend) != NULL
                                                    ? od_backend_get_network (backend) : "");
  json_object_set_string_member (result, "backend",
                                 od_backend_kind_to_string (od_backend_get_kind (backend)));
  json_object_set_string_member (result, "backend_address", od_backend_describe (backend));
  od_commands_set_history_info (self, result, &counts);
  if (g_strcmp0 (od_backend_get_network (backend), od_commands_get_network (self)) != 0)
    {
      g_autofree char *warning = g_strdup_printf ("The node is on %s but Offerdesk is set to %s: "
                                                  "offers cannot be made until they agree",
                                                  od_backend_get_network (backend),
                                                  od_commands_get_network (self));

      json_object_set_string_member (result, "warning_network", warning);
    }

  return od_json_node_from_object (result);
}

/* offer / invoicerequest: the answer verified, then stored. */
static gboolean
store_created (OdCommands  *self,
               OdBackend   *backend,
               const char  *method,
               JsonNode    *params,
               const char  *params_json,
               JsonNode    *sent,
               JsonNode    *answer,
               GError     **error)
{
  g_autoptr(Bolt12Message) want = NULL;
  g_autoptr(Bolt12Message) got = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autofree char *label = NULL;
  JsonObject *object;
  OdKind kind;

  want = od_commands_expected_message (self, method, params, params_json, error);
  if (want == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (answer))
    {
      mismatch (error, "The node's answer to %s is not an object; nothing was stored", method);
      return FALSE;
    }
  object = json_node_get_object (answer);
  got = verify_answer (backend, want, object, error);
  if (got == NULL)
    return FALSE;

  kind = got->kind == BOLT12_KIND_OFFER ? OD_KIND_OFFER : OD_KIND_INVOICE_REQUEST;
  label = g_strdup (json_object_get_string_member_with_default (object, "label", NULL));
  if (label == NULL)
    label = label_of (sent);
  row = row_from_message (self, got, json_object_get_string_member (object, "bolt12"), label,
                          status_of (object, kind), od_backend_get_node_id (backend));
  if (kind == OD_KIND_INVOICE_REQUEST)
    row->refund_for = refund_hash_of (sent);

  return store_row (self, row, error);
}

/* disableoffer / enableoffer / disableinvoicerequest: the stored status follows the answer. */
static gboolean
follow_item (OdCommands  *self,
             OdKind       kind,
             JsonNode    *answer,
             GError     **error)
{
  gboolean known = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (answer))
    return TRUE;

  return follow_status (self, kind, json_node_get_object (answer), &known, error);
}

JsonNode *
od_node_call (OdCommands  *self,
              OdBackend   *backend,
              const char  *method,
              JsonNode    *params,
              const char  *params_json,
              GError     **error)
{
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean checked;

  g_return_val_if_fail (od_node_handles (method), NULL);

  /* Bad params: the embedded table's error, and nothing goes to the node. */
  if (params_json != NULL)
    checked = od_commands_check_json (self, method, params_json, error);
  else
    checked = od_commands_check (self, method, params, error);
  if (!checked)
    return NULL;

  if (strcmp (method, "getinfo") == 0)
    return node_getinfo (self, backend, error);

  sent = params_to_send (method, params, params_json, error);
  if (sent == NULL)
    return NULL;

  if (is_creation (method))
    {
      /* The node's id is what its answer is checked against; a node on another network would
       * make offers for the wrong chain. */
      if (!ensure_connected (backend, error))
        return NULL;
      if (g_strcmp0 (od_backend_get_network (backend), od_commands_get_network (self)) != 0)
        {
          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_MISMATCH,
                       "The node is on %s but Offerdesk is set to %s; nothing was sent",
                       od_backend_get_network (backend), od_commands_get_network (self));
          return NULL;
        }
    }

  answer = od_backend_call (backend, method, sent, 0, NULL, &local_error);
  if (answer == NULL)
    {
      if (is_creation (method) && is_interruption (local_error))
        remember_pending (self, method, params, params_json, sent);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The node answers again: what an earlier failure left open is settled first, so that a
   * listing below finds it stored with its label. */
  resolve_pending (self, backend);

  if (is_creation (method))
    {
      if (!store_created (self, backend, method, params, params_json, sent, answer, error))
        return NULL;
    }
  else if (strcmp (method, "listoffers") == 0)
    {
      if (!follow_list (self, backend, OD_KIND_OFFER, answer, error))
        return NULL;
    }
  else if (strcmp (method, "listinvoicerequests") == 0)
    {
      if (!follow_list (self, backend, OD_KIND_INVOICE_REQUEST, answer, error))
        return NULL;
    }
  else if (strcmp (method, "disableoffer") == 0 || strcmp (method, "enableoffer") == 0)
    {
      if (!follow_item (self, OD_KIND_OFFER, answer, error))
        return NULL;
    }
  else if (strcmp (method, "disableinvoicerequest") == 0)
    {
      if (!follow_item (self, OD_KIND_INVOICE_REQUEST, answer, error))
        return NULL;
    }

  return g_steal_pointer (&answer);
}
