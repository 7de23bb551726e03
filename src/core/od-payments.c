/* od-payments.c: following a Core Lightning node's payments to our offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-payments.h"
#include "od-backend-private.h"

#include <string.h>

#include "bolt12.h"

/* waitanyinvoice's own timeout, and the call's: a little longer, so that the node's 904 comes
 * back before the transport gives up and calls the connection lost. */
#define WAIT_TIMEOUT_S        30
#define WAIT_CALL_TIMEOUT_MS  ((WAIT_TIMEOUT_S + 10) * 1000)
#define BACKOFF_MAX_S         30
/* Core Lightning's "waitanyinvoice timed out" (INVOICE_WAIT_TIMED_OUT). */
#define CLN_WAIT_TIMED_OUT    904

/* ---- Invoice objects -------------------------------------------------------------------- */

static gboolean
is_hex (const char *str,
        gsize       len)
{
  if (strlen (str) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (str[i]))
      return FALSE;
  return TRUE;
}

static void
set_malformed (GError     **error,
               const char  *field,
               const char  *reason)
{
  g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
               "The node's invoice has a bad %s: %s", field, reason);
}

/* A member that must be a string when present: NULL and TRUE when absent. */
static gboolean
get_optional_string (JsonObject  *object,
                     const char  *name,
                     const char **value,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      set_malformed (error, name, "not a string");
      return FALSE;
    }
  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_hex (JsonObject  *object,
         const char  *name,
         gsize        len,
         gboolean     required,
         char       **value,
         GError     **error)
{
  const char *str;

  *value = NULL;
  if (!get_optional_string (object, name, &str, error))
    return FALSE;
  if (str == NULL)
    {
      if (required)
        set_malformed (error, name, "missing");
      return !required;
    }
  if (!is_hex (str, len))
    {
      g_autofree char *reason = g_strdup_printf ("not %zu hex digits", len);

      set_malformed (error, name, reason);
      return FALSE;
    }
  *value = g_ascii_strdown (str, -1);
  return TRUE;
}

/* An unsigned integer member: a JSON integer, or, for amounts, also Core Lightning's older
 * "<n>msat" string.  *present FALSE when absent. */
static gboolean
get_u64 (JsonObject  *object,
         const char  *name,
         gboolean     msat_string_ok,
         gboolean    *present,
         guint64     *value,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *present = FALSE;
  *value = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      if (v < 0)
        {
          set_malformed (error, name, "negative");
          return FALSE;
        }
      *value = (guint64) v;
      *present = TRUE;
      return TRUE;
    }

  if (msat_string_ok && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *str = json_node_get_string (node);
      gsize len = strlen (str);
      g_autofree char *digits = NULL;

      if (len > 4 && g_str_has_suffix (str, "msat"))
        {
          digits = g_strndup (str, len - 4);
          if (g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, value, NULL))
            {
              *present = TRUE;
              return TRUE;
            }
        }
    }

  set_malformed (error, name, "not an unsigned integer");
  return FALSE;
}

OdPayment *
od_payment_from_invoice_json (JsonObject  *invoice,
                              const char  *node_id,
                              GError     **error)
{
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(Bolt12Message) msg = NULL;
  g_autofree char *offer_id = NULL;
  const char *status;
  const char *label;
  const char *bolt12;
  const char *payer_note;
  const char *amount_name;
  gboolean present;
  guint64 value;

  g_return_val_if_fail (invoice != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (node_id == NULL || !is_hex (node_id, 66))
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                   "The node's id is not 66 hex digits");
      return NULL;
    }

  if (!get_optional_string (invoice, "status", &status, error))
    return NULL;
  if (status == NULL)
    {
      set_malformed (error, "status", "missing");
      return NULL;
    }
  if (!get_hex (invoice, "local_offer_id", 64, FALSE, &offer_id, error))
    return NULL;
  /* Unpaid and expired invoices, and invoices of no offer of the node (bolt11), are not
   * payments of an offer: nothing to record, and not an error. */
  if (strcmp (status, "paid") != 0 || offer_id == NULL)
    return NULL;

  payment = od_payment_new ();
  payment->node_id = g_ascii_strdown (node_id, -1);
  payment->offer_id = g_steal_pointer (&offer_id);

  if (!get_u64 (invoice, "pay_index", FALSE, &present, &payment->pay_index, error))
    return NULL;
  if (!present || payment->pay_index == 0)
    {
      set_malformed (error, "pay_index", present ? "zero" : "missing on a paid invoice");
      return NULL;
    }

  if (!get_optional_string (invoice, "label", &label, error))
    return NULL;
  if (label == NULL)
    {
      set_malformed (error, "label", "missing");
      return NULL;
    }
  payment->label = g_strdup (label);

  if (!get_hex (invoice, "payment_hash", 64, TRUE, &payment->payment_hash, error))
    return NULL;

  /* What arrived, which may exceed what was asked; the asked amount only when a node leaves
   * the received one out. */
  amount_name = "amount_received_msat";
  if (!get_u64 (invoice, amount_name, TRUE, &present, &payment->amount_msat, error))
    return NULL;
  if (!present)
    {
      amount_name = "amount_msat";
      if (!get_u64 (invoice, amount_name, TRUE, &present, &payment->amount_msat, error))
        return NULL;
      if (!present)
        {
          set_malformed (error, "amount_received_msat", "missing on a paid invoice");
          return NULL;
        }
    }
  /* The store refuses more than all the bitcoin there will ever be: caught here, it is the
   * node's malformed invoice, not a store failure. */
  if (payment->amount_msat > BOLT12_MAX_MSAT)
    {
      set_malformed (error, amount_name, "more than 21 million bitcoin");
      return NULL;
    }

  if (!get_u64 (invoice, "paid_at", FALSE, &present, &value, error))
    return NULL;
  if (!present || value > G_MAXINT64)
    {
      set_malformed (error, "paid_at", present ? "out of range" : "missing on a paid invoice");
      return NULL;
    }
  payment->paid_at = (gint64) value;

  if (!get_optional_string (invoice, "bolt12", &bolt12, error))
    return NULL;
  if (bolt12 != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      char hex[65];

      if (g_ascii_strncasecmp (bolt12, "lni1", 4) != 0)
        {
          set_malformed (error, "bolt12", "not an invoice (lni1…)");
          return NULL;
        }
      msg = bolt12_message_decode (bolt12, &local_error);
      if (msg == NULL)
        {
          set_malformed (error, "bolt12 invoice", local_error->message);
          return NULL;
        }
      /* The node files the invoice under the offer whose fields it carries; an invoice whose
       * offer fields hash to another id is not a payment of that offer. */
      for (guint i = 0; i < 32; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", msg->offer_id[i]);
      if (strcmp (hex, payment->offer_id) != 0)
        {
          /* The label is the node's text: shown escaped and short. */
          g_autofree char *shown = od_backend_excerpt (payment->label, strlen (payment->label), 80);

          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_MISMATCH,
                       "The node's invoice %s is for offer %s, not for offer %s",
                       shown, hex, payment->offer_id);
          return NULL;
        }
      payment->bolt12 = g_strdup (bolt12);
      if (msg->has_invreq_quantity)
        {
          payment->has_quantity = TRUE;
          payment->quantity = msg->invreq_quantity;
        }
      if (msg->has_invreq_recurrence_counter)
        {
          payment->has_recurrence_counter = TRUE;
          payment->recurrence_counter = msg->invreq_recurrence_counter;
        }
    }

  /* listinvoices gives the payer note itself; waitanyinvoice only inside the invoice. */
  if (!get_optional_string (invoice, "invreq_payer_note", &payer_note, error))
    return NULL;
  if (payer_note != NULL)
    payment->payer_note = g_strdup (payer_note);
  else if (msg != NULL && msg->invreq_payer_note != NULL)
    payment->payer_note = g_strdup (msg->invreq_payer_note);

  return g_steal_pointer (&payment);
}

/* ---- Recording ----------------------------------------------------------------------------- */

/* One result of waitanyinvoice: recorded when it is a payment of an offer of ours (*recorded set
 * to the payment when it is new), else only the node's last pay_index advanced.  *pay_index is
 * set to the invoice's pay_index. */
static gboolean
record_invoice (OdStore     *store,
                JsonNode    *result,
                const char  *node_id,
                guint64     *pay_index,
                OdPayment  **recorded,
                GError     **error)
{
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *invoice;
  gboolean present;
  gboolean created = FALSE;

  *recorded = NULL;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                   "The node's waitanyinvoice reply is not an invoice object");
      return FALSE;
    }
  invoice = json_node_get_object (result);

  /* Without a pay_index nothing can advance: following on would ask for the same invoice
   * forever. */
  if (!get_u64 (invoice, "pay_index", FALSE, &present, pay_index, error))
    return FALSE;
  if (!present || *pay_index == 0)
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                   "The node's waitanyinvoice reply has no pay_index");
      return FALSE;
    }

  payment = od_payment_from_invoice_json (invoice, node_id, &local_error);
  if (payment == NULL)
    {
      /* Malformed: stay at this index (retried, never skipped); else not a payment of an
       * offer (a plain invoice): move past it. */
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return od_store_set_last_pay_index (store, node_id, *pay_index, error);
    }

  row = od_store_get (store, OD_KIND_OFFER, payment->offer_id, &local_error);
  if (row == NULL)
    {
      if (!g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Another application's offer on the same node. */
      g_debug ("Invoice %s (pay_index %" G_GUINT64_FORMAT ") is for offer %s, not one of ours",
               payment->label, *pay_index, payment->offer_id);
      return od_store_set_last_pay_index (store, node_id, *pay_index, error);
    }

  if (row->currency != NULL)
    {
      g_autoptr(OdRate) rate = od_store_get_rate (store, row->currency, &local_error);

      if (rate != NULL)
        payment->rate_msat_per_unit = rate->msat_per_unit;
      else if (!g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_clear_error (&local_error);
    }

  if (!od_store_add_payment (store, payment, &created, &local_error))
    {
      /* Deleted between the lookup and now: not ours any more. */
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        return od_store_set_last_pay_index (store, node_id, *pay_index, error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (created)
    *recorded = g_steal_pointer (&payment);
  return TRUE;
}

static JsonNode *
wait_params (guint64 lastpay_index,
             guint   timeout_s)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lastpay_index");
  json_builder_add_int_value (builder, (gint64) MIN (lastpay_index, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "timeout");
  json_builder_add_int_value (builder, timeout_s);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
is_wait_timeout (const GError *error)
{
  return g_error_matches (error, OD_ERROR, CLN_WAIT_TIMED_OUT);
}

/* The node's id from its getinfo, connecting when not known yet. */
static char *
dup_node_id (OdBackend     *backend,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *node_id = od_backend_get_node_id (backend);

  if (node_id == NULL)
    {
      if (!od_backend_connect (backend, cancellable, error))
        return NULL;
      node_id = od_backend_get_node_id (backend);
    }
  if (node_id == NULL || !is_hex (node_id, 66))
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                   "The node did not give its id in getinfo");
      return NULL;
    }
  return g_ascii_strdown (node_id, -1);
}

gboolean
od_payments_sync_once (OdCommands    *commands,
                       guint         *n_recorded,
                       GCancellable  *cancellable,
                       GError       **error)
{
  OdBackend *backend;
  OdStore *store;
  g_autofree char *node_id = NULL;
  guint64 last_index = 0;
  guint count = 0;

  g_return_val_if_fail (commands != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_recorded != NULL)
    *n_recorded = 0;

  backend = od_commands_get_backend (commands);
  if (!od_backend_is_node (backend))
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                   "Payments come from a Core Lightning node, and the backend is the embedded "
                   "one: configure a node backend first");
      return FALSE;
    }

  store = od_commands_open_store (commands, TRUE, error);
  if (store == NULL)
    return FALSE;

  node_id = dup_node_id (backend, cancellable, error);
  if (node_id == NULL)
    return FALSE;

  if (!od_store_get_last_pay_index (store, node_id, &last_index, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(JsonNode) params = wait_params (last_index, 0);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(OdPayment) recorded = NULL;
      g_autoptr(GError) local_error = NULL;
      guint64 pay_index = 0;

      result = od_backend_call (backend, "waitanyinvoice", params, 0, cancellable, &local_error);
      if (result == NULL)
        {
          if (is_wait_timeout (local_error))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          if (n_recorded != NULL)
            *n_recorded = count;
          return FALSE;
        }

      if (!record_invoice (store, result, node_id, &pay_index, &recorded, error))
        {
          if (n_recorded != NULL)
            *n_recorded = count;
          return FALSE;
        }
      if (pay_index <= last_index)
        {
          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                       "The node answered waitanyinvoice after pay_index %" G_GUINT64_FORMAT
                       " with pay_index %" G_GUINT64_FORMAT,
                       last_index, pay_index);
          if (n_recorded != NULL)
            *n_recorded = count;
          return FALSE;
        }
      last_index = pay_index;
      if (recorded != NULL)
        count++;
    }

  if (n_recorded != NULL)
    *n_recorded = count;
  return TRUE;
}

/* ---- The follower ---------------------------------------------------------------------------- */

struct _OdPaymentFollower
{
  GObject        parent_instance;

  OdCommands    *commands;
  GMainContext  *context;        /* where signals and notifications are emitted */

  /* Owned by the thread that created the follower (read there, changed by dispatches). */
  OdBackendState state;
  char          *last_error;
  guint          backoff_seconds;

  /* Shared with the worker, under mutex. */
  GMutex         mutex;
  GCond          cond;
  GThread       *thread;
  GCancellable  *cancellable;
  guint          run_id;         /* bumped by stop(): dispatches of older runs are dropped */
  gboolean       stopping;
  gboolean       retry_requested;
};

G_DEFINE_FINAL_TYPE (OdPaymentFollower, od_payment_follower, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_BACKOFF_SECONDS,
  N_PROPS
};

enum {
  PAYMENT_RECEIVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What the worker hands to the creating thread's main context. */
typedef enum
{
  UPDATE_STATUS,   /* state, last_error, backoff_seconds */
  UPDATE_PAYMENT,
} UpdateKind;

typedef struct
{
  GWeakRef        follower;
  guint           run_id;
  UpdateKind      kind;
  OdBackendState  state;
  char           *last_error;
  guint           backoff_seconds;
  OdPayment      *payment;
} Update;

static void
update_free (gpointer data)
{
  Update *update = data;

  g_weak_ref_clear (&update->follower);
  g_free (update->last_error);
  g_clear_pointer (&update->payment, od_payment_free);
  g_free (update);
}

static void
apply_status (OdPaymentFollower *self,
              OdBackendState     state,
              const char        *last_error,
              guint              backoff_seconds)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->last_error, last_error) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (last_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }
  if (self->backoff_seconds != backoff_seconds)
    {
      self->backoff_seconds = backoff_seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_SECONDS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
dispatch_update_cb (gpointer data)
{
  Update *update = data;
  g_autoptr(OdPaymentFollower) self = g_weak_ref_get (&update->follower);
  guint run_id;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->mutex);
  run_id = self->run_id;
  g_mutex_unlock (&self->mutex);

  /* Queued before stop() returned: the caller was promised silence. */
  if (run_id != update->run_id)
    return G_SOURCE_REMOVE;

  switch (update->kind)
    {
    case UPDATE_STATUS:
      apply_status (self, update->state, update->last_error, update->backoff_seconds);
      break;
    case UPDATE_PAYMENT:
      g_signal_emit (self, signals[PAYMENT_RECEIVED], 0, update->payment);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* An idle source rather than g_main_context_invoke(): invoke would run the callback right here
 * on the worker whenever the worker could acquire the context (the global default context, not
 * iterated at that moment), and the signals must come from the creating thread. */
static void
post_update (OdPaymentFollower *self,
             guint              run_id,
             Update            *update)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_weak_ref_init (&update->follower, self);
  update->run_id = run_id;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_update_cb, update, update_free);
  g_source_set_static_name (source, "[offerdesk] payment follower update");
  g_source_attach (source, self->context);
}

static void
post_status (OdPaymentFollower *self,
             guint              run_id,
             OdBackendState     state,
             const char        *last_error,
             guint              backoff_seconds)
{
  Update *update = g_new0 (Update, 1);

  update->kind = UPDATE_STATUS;
  update->state = state;
  update->last_error = g_strdup (last_error);
  update->backoff_seconds = backoff_seconds;
  post_update (self, run_id, update);
}

static void
post_payment (OdPaymentFollower *self,
              guint              run_id,
              OdPayment         *payment)
{
  Update *update = g_new0 (Update, 1);

  update->kind = UPDATE_PAYMENT;
  update->payment = payment;
  post_update (self, run_id, update);
}

/* Waits seconds, or less when stopping or asked to retry now.  FALSE when stopping. */
static gboolean
wait_backoff (OdPaymentFollower *self,
              guint              seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_TIME_SPAN_SECOND;
  gboolean go_on;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && !self->retry_requested)
    if (!g_cond_wait_until (&self->cond, &self->mutex, end))
      break;
  self->retry_requested = FALSE;
  go_on = !self->stopping;
  g_mutex_unlock (&self->mutex);

  return go_on;
}

/* Whatever is not the node's own JSON-RPC error: the node could not be asked. */
static gboolean
is_transport_error (const GError *error)
{
  return error->domain != OD_ERROR;
}

typedef struct
{
  OdPaymentFollower *self;
  OdBackend         *backend;
  GCancellable      *cancellable;
  guint              run_id;
} WorkerData;

/* Follows the node until the connection fails (error set) or the run is cancelled (no error);
 * TRUE when it got as far as following.  Calls of the node that fail with a JSON-RPC error (the node answered) are
 * retried after a pause; the node being reachable, the state stays CONNECTED. */
static gboolean
follow (WorkerData  *data,
        OdStore     *store,
        const char  *node_id,
        GError     **error)
{
  OdPaymentFollower *self = data->self;
  guint64 last_index = 0;
  guint pause_s = 0;

  if (!od_store_get_last_pay_index (store, node_id, &last_index, error))
    return FALSE;

  post_status (self, data->run_id, OD_BACKEND_STATE_CONNECTED, NULL, 0);

  while (!g_cancellable_is_cancelled (data->cancellable))
    {
      g_autoptr(JsonNode) params = wait_params (last_index, WAIT_TIMEOUT_S);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(OdPayment) recorded = NULL;
      g_autoptr(GError) local_error = NULL;
      guint64 pay_index = 0;

      result = od_backend_call (data->backend, "waitanyinvoice", params, WAIT_CALL_TIMEOUT_MS,
                                data->cancellable, &local_error);
      if (g_cancellable_is_cancelled (data->cancellable))
        return TRUE;

      if (result == NULL && is_wait_timeout (local_error))
        {
          if (pause_s != 0)
            post_status (self, data->run_id, OD_BACKEND_STATE_CONNECTED, NULL, 0);
          pause_s = 0;
          continue;
        }

      if (result == NULL && is_transport_error (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return TRUE;
        }

      if (result != NULL
          && record_invoice (store, result, node_id, &pay_index, &recorded, &local_error))
        {
          if (pay_index > last_index)
            {
              last_index = pay_index;
              if (pause_s != 0)
                post_status (self, data->run_id, OD_BACKEND_STATE_CONNECTED, NULL, 0);
              pause_s = 0;
              if (recorded != NULL)
                post_payment (self, data->run_id, g_steal_pointer (&recorded));
              continue;
            }
          g_set_error (&local_error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                       "The node answered waitanyinvoice after pay_index %" G_GUINT64_FORMAT
                       " with pay_index %" G_GUINT64_FORMAT,
                       last_index, pay_index);
        }

      /* The node answered, but not with something to record (a JSON-RPC error, a malformed
       * invoice, a store that cannot be written): keep the index where it is, so nothing is
       * skipped, say so, and try again after a pause. */
      pause_s = pause_s == 0 ? 1 : MIN (pause_s * 2, BACKOFF_MAX_S);
      g_message ("Following payments: %s (trying again in %u s)",
                 local_error->message, pause_s);
      post_status (self, data->run_id, OD_BACKEND_STATE_CONNECTED, local_error->message, pause_s);
      if (!wait_backoff (self, pause_s))
        return TRUE;
    }

  return TRUE;
}

static gpointer
worker_thread (gpointer user_data)
{
  WorkerData *data = user_data;
  OdPaymentFollower *self = data->self;
  g_autofree char *last_error = NULL;
  guint backoff_s = 0;

  while (!g_cancellable_is_cancelled (data->cancellable))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *node_id = NULL;
      gboolean followed = FALSE;
      OdStore *store;

      /* The last failure stays shown until an attempt works. */
      post_status (self, data->run_id, OD_BACKEND_STATE_CONNECTING, last_error, 0);

      g_mutex_lock (&self->mutex);
      self->retry_requested = FALSE;
      g_mutex_unlock (&self->mutex);

      store = od_commands_open_store (self->commands, TRUE, &error);
      if (store != NULL && od_backend_connect (data->backend, data->cancellable, &error))
        node_id = dup_node_id (data->backend, data->cancellable, &error);

      if (node_id != NULL)
        followed = follow (data, store, node_id, &error);
      if (g_cancellable_is_cancelled (data->cancellable))
        break;
      if (error == NULL)
        continue;

      /* Connected, then lost: start the backoff over. */
      if (followed)
        backoff_s = 0;
      backoff_s = backoff_s == 0 ? 1 : MIN (backoff_s * 2, BACKOFF_MAX_S);
      g_message ("Following payments: %s (reconnecting in %u s)", error->message, backoff_s);
      g_free (last_error);
      last_error = g_strdup (error->message);
      post_status (self, data->run_id, OD_BACKEND_STATE_DISCONNECTED, error->message, backoff_s);
      if (!wait_backoff (self, backoff_s))
        break;
    }

  g_object_unref (data->backend);
  g_object_unref (data->cancellable);
  g_free (data);

  return NULL;
}

static void
od_payment_follower_dispose (GObject *object)
{
  OdPaymentFollower *self = OD_PAYMENT_FOLLOWER (object);

  od_payment_follower_stop (self);

  G_OBJECT_CLASS (od_payment_follower_parent_class)->dispose (object);
}

static void
od_payment_follower_finalize (GObject *object)
{
  OdPaymentFollower *self = OD_PAYMENT_FOLLOWER (object);

  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (od_payment_follower_parent_class)->finalize (object);
}

static void
od_payment_follower_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  OdPaymentFollower *self = OD_PAYMENT_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_BACKOFF_SECONDS:
      g_value_set_uint (value, self->backoff_seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_payment_follower_class_init (OdPaymentFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = od_payment_follower_dispose;
  object_class->finalize = od_payment_follower_finalize;
  object_class->get_property = od_payment_follower_get_property;

  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       OD_BACKEND_STATE_DISCONNECTED, OD_BACKEND_STATE_CONNECTED,
                       OD_BACKEND_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BACKOFF_SECONDS] =
    g_param_spec_uint ("backoff-seconds", NULL, NULL, 0, BACKOFF_MAX_S, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The payment is only valid during the emission. */
  signals[PAYMENT_RECEIVED] =
    g_signal_new ("payment-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
od_payment_follower_init (OdPaymentFollower *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->state = OD_BACKEND_STATE_DISCONNECTED;
}

OdPaymentFollower *
od_payment_follower_new (OdCommands *commands)
{
  OdPaymentFollower *self;

  g_return_val_if_fail (commands != NULL, NULL);

  self = g_object_new (OD_TYPE_PAYMENT_FOLLOWER, NULL);
  self->commands = commands;
  self->context = g_main_context_ref_thread_default ();
  if (!od_backend_is_node (od_commands_get_backend (commands)))
    self->state = OD_BACKEND_STATE_CONNECTED;

  return self;
}

void
od_payment_follower_start (OdPaymentFollower *self)
{
  WorkerData *data;
  OdBackend *backend;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OD_IS_PAYMENT_FOLLOWER (self));

  if (self->thread != NULL)
    return;

  backend = od_commands_get_backend (self->commands);
  if (!od_backend_is_node (backend))
    {
      /* The embedded backend has no payments to follow and is always there. */
      apply_status (self, OD_BACKEND_STATE_CONNECTED, NULL, 0);
      return;
    }

  /* Opened here, on the thread that owns commands, so the worker only reuses it; a failure is
   * the worker's to report (and retry). */
  if (od_commands_open_store (self->commands, TRUE, &error) == NULL)
    g_debug ("Payment follower: store not open yet: %s", error->message);

  data = g_new0 (WorkerData, 1);
  data->self = self;
  data->backend = g_object_ref (backend);
  data->cancellable = g_cancellable_new ();

  g_mutex_lock (&self->mutex);
  self->stopping = FALSE;
  self->retry_requested = FALSE;
  self->cancellable = g_object_ref (data->cancellable);
  data->run_id = self->run_id;
  g_mutex_unlock (&self->mutex);

  self->thread = g_thread_new ("od-payment-follower", worker_thread, data);
}

void
od_payment_follower_stop (OdPaymentFollower *self)
{
  g_autoptr(GCancellable) cancellable = NULL;
  GThread *thread;

  g_return_if_fail (OD_IS_PAYMENT_FOLLOWER (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  cancellable = g_steal_pointer (&self->cancellable);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_cancellable_cancel (cancellable);
  thread = g_steal_pointer (&self->thread);
  g_thread_join (thread);

  /* Updates the worker queued and the context has not run yet are dropped. */
  g_mutex_lock (&self->mutex);
  self->run_id++;
  g_mutex_unlock (&self->mutex);

  apply_status (self, OD_BACKEND_STATE_DISCONNECTED, self->last_error, 0);
}

gboolean
od_payment_follower_is_running (OdPaymentFollower *self)
{
  g_return_val_if_fail (OD_IS_PAYMENT_FOLLOWER (self), FALSE);

  return self->thread != NULL;
}

OdBackendState
od_payment_follower_get_state (OdPaymentFollower *self)
{
  g_return_val_if_fail (OD_IS_PAYMENT_FOLLOWER (self), OD_BACKEND_STATE_DISCONNECTED);

  return self->state;
}

const char *
od_payment_follower_get_last_error (OdPaymentFollower *self)
{
  g_return_val_if_fail (OD_IS_PAYMENT_FOLLOWER (self), NULL);

  return self->last_error;
}

void
od_payment_follower_retry_now (OdPaymentFollower *self)
{
  g_return_if_fail (OD_IS_PAYMENT_FOLLOWER (self));

  g_mutex_lock (&self->mutex);
  self->retry_requested = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}
