/* test-payments.c: following a node's payments (od-payments.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part one reads invoice objects as Core Lightning records them (tests/data/cln-examples) and
 * malformed ones.  Part two follows payments on the stand-in node (tests/node) through the
 * socket backend: recorded once, resumed across restarts, caught up after the node was away.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "od-backend.h"
#include "od-backend-private.h"
#include "od-commands.h"
#include "od-payments.h"
#include "od-store.h"
#include "od-test-node-client.h"
#include "od-test-utils.h"

#define NODE_ID "033845802d25b4e074ccfd7cd8b339a41dc75bf9978a034800444b51d42b07799a"
#define FISH_OFFER_ID "c5cde0292d56941940f8b10a4c9bdd1f8846d6041a61b3f7e0f87e105aa88121"
#define COFFEE_OFFER_ID "aea02a1d36d3f00c681656dd938d3431a44d932ff880e09197b55e966ed806e2"

/* ---- Recorded invoice objects --------------------------------------------------------------- */

static JsonNode *
load_example (const char *command)
{
  g_autofree char *name = g_strconcat (command, ".json", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* The invoice objects of every example response of command (listinvoices: each item of
 * "invoices"; waitanyinvoice: the response itself).  A GPtrArray of JsonObject*. */
static GPtrArray *
example_invoices (const char *command)
{
  g_autoptr(JsonNode) root = load_example (command);
  GPtrArray *invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonArray *examples = json_object_get_array_member (json_node_get_object (root), "examples");

  for (guint i = 0; i < json_array_get_length (examples); i++)
    {
      JsonObject *example = json_array_get_object_element (examples, i);
      JsonObject *response = json_object_get_object_member (example, "response");

      if (json_object_has_member (response, "invoices"))
        {
          JsonArray *items = json_object_get_array_member (response, "invoices");

          for (guint j = 0; j < json_array_get_length (items); j++)
            g_ptr_array_add (invoices, json_object_ref (json_array_get_object_element (items, j)));
        }
      else
        g_ptr_array_add (invoices, json_object_ref (response));
    }

  return invoices;
}

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

/* The recorded listinvoices item with that label, as a copy. */
static JsonObject *
recorded_invoice (const char *label)
{
  g_autoptr(GPtrArray) invoices = example_invoices ("listinvoices");

  for (guint i = 0; i < invoices->len; i++)
    {
      JsonObject *invoice = g_ptr_array_index (invoices, i);

      if (strcmp (json_object_get_string_member (invoice, "label"), label) == 0)
        return copy_object (invoice);
    }
  g_assert_not_reached ();
}

/* The recording's bolt12 invoices are unpaid (the examples were captured before paying them):
 * these are the same objects after payment, as Core Lightning's field builder adds the paid
 * fields (pay_index, amount_received_msat, paid_at, payment_preimage, updated_index). */
static JsonObject *
recorded_offer_invoice_paid (const char *label_prefix,
                             gint64      pay_index,
                             gint64      amount_received_msat)
{
  g_autoptr(GPtrArray) invoices = example_invoices ("listinvoices");
  JsonObject *paid = NULL;

  for (guint i = 0; i < invoices->len && paid == NULL; i++)
    {
      JsonObject *invoice = g_ptr_array_index (invoices, i);

      if (g_str_has_prefix (json_object_get_string_member (invoice, "label"), label_prefix))
        paid = copy_object (invoice);
    }
  g_assert_nonnull (paid);

  json_object_set_string_member (paid, "status", "paid");
  json_object_set_int_member (paid, "pay_index", pay_index);
  json_object_set_int_member (paid, "amount_received_msat", amount_received_msat);
  json_object_set_int_member (paid, "paid_at", 1738000123);
  json_object_set_string_member (paid, "payment_preimage",
                                 "09e7f193a0100eac09e7f193a0100eac09e7f193a0100eac09e7f193a0100eac");
  json_object_set_int_member (paid, "updated_index", pay_index);
  return paid;
}

/* Every recorded object reads without error; the bolt11 ones (no local_offer_id) and the unpaid
 * ones are no payment of an offer. */
static void
test_recorded_not_offer_payments (void)
{
  const char *commands[] = { "listinvoices", "waitanyinvoice" };
  guint n_checked = 0;

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_autoptr(GPtrArray) invoices = example_invoices (commands[c]);

      for (guint i = 0; i < invoices->len; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(OdPayment) payment = NULL;

          payment = od_payment_from_invoice_json (g_ptr_array_index (invoices, i), NODE_ID,
                                                  &error);
          g_assert_no_error (error);
          g_assert_null (payment);
          n_checked++;
        }
    }
  /* 17 listinvoices items (1 + 16) and 2 waitanyinvoice responses. */
  g_assert_cmpuint (n_checked, ==, 19);
}

static void
test_recorded_fish_paid (void)
{
  g_autoptr(JsonObject) invoice = recorded_offer_invoice_paid (FISH_OFFER_ID, 10, 10000);
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(GError) error = NULL;

  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);

  g_assert_cmpstr (payment->node_id, ==, NODE_ID);
  g_assert_cmpuint (payment->pay_index, ==, 10);
  g_assert_cmpstr (payment->offer_id, ==, FISH_OFFER_ID);
  g_assert_cmpstr (payment->label, ==, json_object_get_string_member (invoice, "label"));
  g_assert_cmpstr (payment->payment_hash, ==,
                   "cd475ccfe8b0e220f11f5175473f59b2b18b4ba18d13c29ad154ef3c00e2de2b");
  g_assert_cmpuint (payment->amount_msat, ==, 10000);
  g_assert_cmpint (payment->paid_at, ==, 1738000123);
  g_assert_cmpstr (payment->payer_note, ==, "Thanks for the fish!");
  g_assert_false (payment->has_quantity);
  g_assert_false (payment->has_recurrence_counter);
  g_assert_cmpstr (payment->bolt12, ==, json_object_get_string_member (invoice, "bolt12"));
  g_assert_cmpuint (payment->rate_msat_per_unit, ==, 0);
}

/* waitanyinvoice gives no invreq_payer_note member: the note comes out of the invoice itself. */
static void
test_recorded_fish_note_from_invoice (void)
{
  g_autoptr(JsonObject) invoice = recorded_offer_invoice_paid (FISH_OFFER_ID, 10, 10000);
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(GError) error = NULL;

  json_object_remove_member (invoice, "invreq_payer_note");
  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);
  g_assert_cmpstr (payment->payer_note, ==, "Thanks for the fish!");

  /* The member wins when both are there. */
  json_object_set_string_member (invoice, "invreq_payer_note", "From the JSON");
  g_clear_pointer (&payment, od_payment_free);
  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payment->payer_note, ==, "From the JSON");
}

static void
test_recorded_coffee_paid (void)
{
  /* Overpaid: what arrived counts, not what was asked. */
  g_autoptr(JsonObject) invoice = recorded_offer_invoice_paid (COFFEE_OFFER_ID, 11, 2000005);
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(GError) error = NULL;

  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);
  g_assert_cmpstr (payment->offer_id, ==, COFFEE_OFFER_ID);
  g_assert_cmpuint (payment->pay_index, ==, 11);
  g_assert_cmpuint (payment->amount_msat, ==, 2000005);
  g_assert_true (payment->has_quantity);
  g_assert_cmpuint (payment->quantity, ==, 2);
  g_assert_null (payment->payer_note);
  g_assert_false (payment->has_recurrence_counter);

  /* Without amount_received_msat, the invoice's amount. */
  json_object_remove_member (invoice, "amount_received_msat");
  g_clear_pointer (&payment, od_payment_free);
  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payment->amount_msat, ==, 2000000);
}

/* A paid bolt11 invoice that the node filed under an offer (no bolt12 string given): recorded
 * from the members alone. */
static void
test_paid_without_bolt12 (void)
{
  g_autoptr(JsonObject) invoice = recorded_invoice ("inv2");
  g_autoptr(OdPayment) payment = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (invoice, "local_offer_id", COFFEE_OFFER_ID);
  json_object_remove_member (invoice, "bolt11");
  payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);
  g_assert_cmpuint (payment->pay_index, ==, 5);
  g_assert_cmpuint (payment->amount_msat, ==, 2000);
  g_assert_cmpstr (payment->label, ==, "inv2");
  g_assert_null (payment->bolt12);
  g_assert_null (payment->payer_note);
  g_assert_false (payment->has_quantity);
}

typedef void (*Breaker) (JsonObject *invoice);

static void break_no_pay_index (JsonObject *o) { json_object_remove_member (o, "pay_index"); }
static void break_zero_pay_index (JsonObject *o) { json_object_set_int_member (o, "pay_index", 0); }
static void break_string_pay_index (JsonObject *o) { json_object_set_string_member (o, "pay_index", "10"); }
static void break_double_pay_index (JsonObject *o) { json_object_set_double_member (o, "pay_index", 10.5); }
static void break_negative_paid_at (JsonObject *o) { json_object_set_int_member (o, "paid_at", -1); }
static void break_no_paid_at (JsonObject *o) { json_object_remove_member (o, "paid_at"); }
static void break_no_amounts (JsonObject *o)
{
  json_object_remove_member (o, "amount_received_msat");
  json_object_remove_member (o, "amount_msat");
}
static void break_amount_type (JsonObject *o) { json_object_set_boolean_member (o, "amount_received_msat", TRUE); }
static void break_amount_text (JsonObject *o) { json_object_set_string_member (o, "amount_received_msat", "lots"); }
/* More than 21 million bitcoin (fuzz-node, seeds-node/regress-amount-over-21m): such a payment
 * used to come back, for the store to refuse it later. */
static void break_amount_over (JsonObject *o) { json_object_set_int_member (o, "amount_received_msat", 2100000000000000001); }
static void break_amount_over_text (JsonObject *o) { json_object_set_string_member (o, "amount_received_msat", "18446744073709551615msat"); }
static void break_amount_msat_over (JsonObject *o)
{
  json_object_remove_member (o, "amount_received_msat");
  json_object_set_int_member (o, "amount_msat", G_MAXINT64);
}
static void break_hash_hex (JsonObject *o)
{
  json_object_set_string_member (o, "payment_hash",
                                 "zd475ccfe8b0e220f11f5175473f59b2b18b4ba18d13c29ad154ef3c00e2de2b");
}
static void break_hash_short (JsonObject *o) { json_object_set_string_member (o, "payment_hash", "cd47"); }
static void break_no_hash (JsonObject *o) { json_object_remove_member (o, "payment_hash"); }
static void break_offer_id_short (JsonObject *o) { json_object_set_string_member (o, "local_offer_id", "c5cde029"); }
static void break_offer_id_type (JsonObject *o) { json_object_set_int_member (o, "local_offer_id", 5); }
static void break_label (JsonObject *o) { json_object_remove_member (o, "label"); }
static void break_label_type (JsonObject *o) { json_object_set_int_member (o, "label", 7); }
static void break_status_type (JsonObject *o) { json_object_set_int_member (o, "status", 1); }
static void break_no_status (JsonObject *o) { json_object_remove_member (o, "status"); }
static void break_note_type (JsonObject *o) { json_object_set_int_member (o, "invreq_payer_note", 1); }
static void break_bolt12_garbage (JsonObject *o) { json_object_set_string_member (o, "bolt12", "lni1qqqq"); }
static void break_bolt12_offer (JsonObject *o)
{
  /* The Fish sale offer itself (offer.json): a bolt12 string, but no invoice. */
  g_autoptr(JsonNode) root = load_example ("offer");
  JsonArray *examples = json_object_get_array_member (json_node_get_object (root), "examples");
  JsonObject *response = json_object_get_object_member (json_array_get_object_element (examples, 0),
                                                        "response");

  json_object_set_string_member (o, "bolt12", json_object_get_string_member (response, "bolt12"));
}
static void break_bolt12_other_offer (JsonObject *o)
{
  /* The Coffee invoice under the Fish offer's id. */
  g_autoptr(JsonObject) coffee = recorded_offer_invoice_paid (COFFEE_OFFER_ID, 11, 2000000);

  json_object_set_string_member (o, "bolt12", json_object_get_string_member (coffee, "bolt12"));
}

/* The same, with a label holding a line break: the error shows it escaped. */
static void break_bolt12_other_offer_label (JsonObject *o)
{
  break_bolt12_other_offer (o);
  json_object_set_string_member (o, "label", "till 1\nforged: paid");
}

static void
test_malformed (void)
{
  const struct {
    const char *name;
    Breaker     breaker;
    int         code;
  } cases[] = {
    { "no pay_index", break_no_pay_index, OD_BACKEND_ERROR_PROTOCOL },
    { "zero pay_index", break_zero_pay_index, OD_BACKEND_ERROR_PROTOCOL },
    { "string pay_index", break_string_pay_index, OD_BACKEND_ERROR_PROTOCOL },
    { "fractional pay_index", break_double_pay_index, OD_BACKEND_ERROR_PROTOCOL },
    { "negative paid_at", break_negative_paid_at, OD_BACKEND_ERROR_PROTOCOL },
    { "no paid_at", break_no_paid_at, OD_BACKEND_ERROR_PROTOCOL },
    { "no amounts", break_no_amounts, OD_BACKEND_ERROR_PROTOCOL },
    { "boolean amount", break_amount_type, OD_BACKEND_ERROR_PROTOCOL },
    { "text amount", break_amount_text, OD_BACKEND_ERROR_PROTOCOL },
    { "amount over 21M bitcoin", break_amount_over, OD_BACKEND_ERROR_PROTOCOL },
    { "msat text amount over 21M bitcoin", break_amount_over_text, OD_BACKEND_ERROR_PROTOCOL },
    { "asked amount over 21M bitcoin", break_amount_msat_over, OD_BACKEND_ERROR_PROTOCOL },
    { "payment_hash not hex", break_hash_hex, OD_BACKEND_ERROR_PROTOCOL },
    { "payment_hash short", break_hash_short, OD_BACKEND_ERROR_PROTOCOL },
    { "no payment_hash", break_no_hash, OD_BACKEND_ERROR_PROTOCOL },
    { "local_offer_id short", break_offer_id_short, OD_BACKEND_ERROR_PROTOCOL },
    { "local_offer_id number", break_offer_id_type, OD_BACKEND_ERROR_PROTOCOL },
    { "no label", break_label, OD_BACKEND_ERROR_PROTOCOL },
    { "numeric label", break_label_type, OD_BACKEND_ERROR_PROTOCOL },
    { "numeric status", break_status_type, OD_BACKEND_ERROR_PROTOCOL },
    { "no status", break_no_status, OD_BACKEND_ERROR_PROTOCOL },
    { "numeric payer note", break_note_type, OD_BACKEND_ERROR_PROTOCOL },
    { "bolt12 garbage", break_bolt12_garbage, OD_BACKEND_ERROR_PROTOCOL },
    { "bolt12 an offer", break_bolt12_offer, OD_BACKEND_ERROR_PROTOCOL },
    { "bolt12 of another offer", break_bolt12_other_offer, OD_BACKEND_ERROR_MISMATCH },
    { "bolt12 of another offer, label with a newline", break_bolt12_other_offer_label,
      OD_BACKEND_ERROR_MISMATCH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) invoice = recorded_offer_invoice_paid (FISH_OFFER_ID, 10, 10000);
      g_autoptr(OdPayment) payment = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].name);
      cases[i].breaker (invoice);
      payment = od_payment_from_invoice_json (invoice, NODE_ID, &error);
      g_assert_error (error, OD_BACKEND_ERROR, cases[i].code);
      g_assert_null (payment);
      g_assert_nonnull (strstr (error->message, "invoice"));
      g_assert_null (strchr (error->message, '\n'));   /* the node's text never breaks lines */
    }

  /* The node's id is checked too. */
  {
    g_autoptr(JsonObject) invoice = recorded_offer_invoice_paid (FISH_OFFER_ID, 10, 10000);
    g_autoptr(GError) error = NULL;

    g_assert_null (od_payment_from_invoice_json (invoice, "03abc", &error));
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  }
}

/* The same broken object that is unpaid is simply not a payment: the paid fields are only
 * required of a paid invoice. */
static void
test_unpaid_needs_no_paid_fields (void)
{
  g_autoptr(JsonObject) invoice = recorded_invoice ("lbl_l22");
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (invoice, "local_offer_id", FISH_OFFER_ID);
  g_assert_null (od_payment_from_invoice_json (invoice, NODE_ID, &error));
  g_assert_no_error (error);

  json_object_set_string_member (invoice, "status", "expired");
  g_assert_null (od_payment_from_invoice_json (invoice, NODE_ID, &error));
  g_assert_no_error (error);
}

/* ---- A scripted node ------------------------------------------------------------------------ */

/* A node backend whose invoices the test adds: waitanyinvoice answers the first paid invoice after
 * lastpay_index, or waits for one (honouring the timeout and the cancellable) like lightningd;
 * it can be made unreachable, or made to answer one JSON-RPC error. */
#define FAKE_TYPE_BACKEND (fake_backend_get_type ())
G_DECLARE_FINAL_TYPE (FakeBackend, fake_backend, FAKE, BACKEND, OdBackend)

struct _FakeBackend
{
  OdBackend  parent_instance;
  GMutex     mutex;
  GCond      cond;
  GPtrArray *invoices;       /* JsonObject*, with pay_index */
  gboolean   down;
  int        next_rpc_error; /* 0: none */
  guint      n_waits;        /* waitanyinvoice calls started */
  gint64     last_asked;     /* lastpay_index of the latest waitanyinvoice */
  guint      n_waiting;      /* waitanyinvoice calls blocked now */
};

G_DEFINE_FINAL_TYPE (FakeBackend, fake_backend, OD_TYPE_BACKEND)

static void
fake_cancelled_cb (GCancellable *cancellable,
                   FakeBackend  *self)
{
  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static JsonObject *
fake_find (FakeBackend *self,
           gint64       lastpay_index)
{
  JsonObject *best = NULL;

  for (guint i = 0; i < self->invoices->len; i++)
    {
      JsonObject *invoice = g_ptr_array_index (self->invoices, i);
      gint64 index = json_object_get_int_member (invoice, "pay_index");

      if (index > lastpay_index
          && (best == NULL || index < json_object_get_int_member (best, "pay_index")))
        best = invoice;
    }
  return best;
}

static JsonNode *
fake_backend_call (OdBackend     *backend,
                   const char    *method,
                   JsonNode      *params,
                   guint          timeout_ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  FakeBackend *self = FAKE_BACKEND (backend);
  g_autoptr(GMutexLocker) locker = NULL;
  JsonObject *args = json_node_get_object (params);
  gint64 lastpay_index;
  gint64 deadline;
  gulong handler = 0;
  JsonNode *result = NULL;

  if (self->down)
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION,
                   "Cannot reach the node at fake-node: Connection refused");
      return NULL;
    }

  if (strcmp (method, "getinfo") == 0)
    {
      JsonObject *info = json_object_new ();

      json_object_set_string_member (info, "id", NODE_ID);
      json_object_set_string_member (info, "alias", "FAKE");
      json_object_set_string_member (info, "network", "regtest");
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, info);
      return result;
    }

  g_assert_cmpstr (method, ==, "waitanyinvoice");
  lastpay_index = json_object_get_int_member_with_default (args, "lastpay_index", 0);
  deadline = g_get_monotonic_time ()
             + MIN ((gint64) json_object_get_int_member (args, "timeout") * G_TIME_SPAN_SECOND,
                    (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND);

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (fake_cancelled_cb), self, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  self->n_waits++;
  self->last_asked = lastpay_index;
  self->n_waiting++;
  g_cond_broadcast (&self->cond);
  for (;;)
    {
      JsonObject *invoice;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (self->down)
        {
          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION,
                       "The node at fake-node closed the connection");
          break;
        }
      if (self->next_rpc_error != 0)
        {
          g_set_error (error, OD_ERROR, self->next_rpc_error, "Scripted failure");
          self->next_rpc_error = 0;
          break;
        }
      invoice = fake_find (self, lastpay_index);
      if (invoice != NULL)
        {
          result = json_node_new (JSON_NODE_OBJECT);
          json_node_set_object (result, invoice);
          break;
        }
      if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
        {
          g_set_error (error, OD_ERROR, 904, "Timed out");
          break;
        }
    }
  self->n_waiting--;
  g_clear_pointer (&locker, g_mutex_locker_free);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return result;
}

static void
fake_backend_finalize (GObject *object)
{
  FakeBackend *self = FAKE_BACKEND (object);

  g_ptr_array_unref (self->invoices);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (fake_backend_parent_class)->finalize (object);
}

static void
fake_backend_class_init (FakeBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_backend_finalize;
  OD_BACKEND_CLASS (klass)->call = fake_backend_call;
}

static void
fake_backend_init (FakeBackend *self)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_SOCKET);

  config->socket_path = g_strdup ("/nonexistent/fake-node");
  od_backend_set_config (OD_BACKEND (self), config);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

static void
fake_add (FakeBackend *self,
          JsonObject  *invoice)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->invoices, json_object_ref (invoice));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static void
fake_set_down (FakeBackend *self,
               gboolean     down)
{
  g_mutex_lock (&self->mutex);
  self->down = down;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static void
fake_fail_next (FakeBackend *self,
                int          code)
{
  g_mutex_lock (&self->mutex);
  self->next_rpc_error = code;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static guint
fake_n_waiting (FakeBackend *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->n_waiting;
  g_mutex_unlock (&self->mutex);
  return n;
}

/* A paid invoice of offer_id (NULL: a plain bolt11 invoice of no offer). */
static JsonObject *
paid_invoice (gint64      pay_index,
              const char *offer_id,
              gint64      amount_msat)
{
  JsonObject *invoice = json_object_new ();
  g_autofree char *label = g_strdup_printf ("invoice %" G_GINT64_FORMAT, pay_index);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, label, -1);

  json_object_set_string_member (invoice, "label", label);
  json_object_set_string_member (invoice, "payment_hash", hash);
  json_object_set_int_member (invoice, "amount_msat", amount_msat);
  json_object_set_string_member (invoice, "status", "paid");
  json_object_set_int_member (invoice, "pay_index", pay_index);
  json_object_set_int_member (invoice, "amount_received_msat", amount_msat);
  json_object_set_int_member (invoice, "paid_at", 1738000000 + pay_index);
  json_object_set_string_member (invoice, "description", "test");
  json_object_set_int_member (invoice, "expires_at", 1738604800);
  json_object_set_int_member (invoice, "created_index", pay_index);
  if (offer_id != NULL)
    json_object_set_string_member (invoice, "local_offer_id", offer_id);
  return invoice;
}

/* ---- Shared helpers --------------------------------------------------------------------------- */

typedef struct
{
  char       *dir;
  OdCommands *commands;
  GPtrArray  *received;    /* OdPayment* from "payment-received" */
  GThread    *main_thread;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-payments-XXXXXX", &error);
  g_assert_no_error (error);
  f->commands = od_commands_new (f->dir, "regtest");
  f->received = g_ptr_array_new_with_free_func ((GDestroyNotify) od_payment_free);
  f->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->commands, od_commands_free);
  g_ptr_array_unref (f->received);
  od_test_remove_tree (f->dir);
  g_free (f->dir);
}

static OdStore *
fixture_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = od_commands_open_store (f->commands, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Stores one of our offers directly (as `offer` would have): id, description and, for a
 * currency, its code. */
static void
store_offer (OdStore    *store,
             const char *offer_id,
             const char *currency,
             gboolean    single_use)
{
  g_autoptr(OdHistoryRow) row = od_history_row_new (OD_KIND_OFFER);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  row->id = g_strdup (offer_id);
  row->bolt12 = g_strdup_printf ("lno1stored%s", offer_id);
  row->network = g_strdup ("regtest");
  row->description = g_strdup ("test offer");
  row->node_id = g_strdup (NODE_ID);
  if (currency != NULL)
    {
      row->currency = g_strdup (currency);
      row->currency_amount = 250;
    }
  else
    {
      row->has_amount_msat = TRUE;
      row->amount_msat = 1000;
    }
  if (single_use)
    {
      row->status |= OD_STATUS_SINGLE;
      row->single_use = TRUE;
    }
  stored = od_store_add_offer (store, row, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
}

static guint64
last_pay_index (OdStore    *store,
                const char *node_id)
{
  g_autoptr(GError) error = NULL;
  guint64 index = G_MAXUINT64;

  g_assert_true (od_store_get_last_pay_index (store, node_id, &index, &error));
  g_assert_no_error (error);
  return index;
}

static GPtrArray *
list_payments (OdStore    *store,
               const char *offer_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *payments = od_store_list_payments (store, offer_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (payments);
  return payments;
}

static OdHistoryRow *
get_offer (OdStore    *store,
           const char *offer_id)
{
  g_autoptr(GError) error = NULL;
  OdHistoryRow *row = od_store_get (store, OD_KIND_OFFER, offer_id, &error);

  g_assert_no_error (error);
  return row;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context until cond holds or seconds pass; returns whether it held.
 * The deadline only bounds a failing test: nothing waits a fixed time. */
static gboolean
iterate_until (gboolean (*cond) (gpointer data),
               gpointer   data,
               guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_TIME_SPAN_SECOND;
  guint tick = g_timeout_add (20, tick_cb, NULL);
  gboolean held;

  while (!(held = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return held;
}

/* Dispatches whatever is pending now. */
static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_payment_received (OdPaymentFollower *follower,
                     const OdPayment   *payment,
                     Fixture           *f)
{
  /* Emitted on the thread that made the follower, never on its worker. */
  g_assert_true (g_thread_self () == f->main_thread);
  g_ptr_array_add (f->received, od_payment_copy (payment));
}

typedef struct
{
  Fixture           *f;
  OdPaymentFollower *follower;
  FakeBackend       *fake;
  guint              n;
  OdBackendState     state;
} Wait;

static gboolean
received_n (gpointer data)
{
  Wait *w = data;

  return w->f->received->len >= w->n;
}

static gboolean
in_state (gpointer data)
{
  Wait *w = data;

  return od_payment_follower_get_state (w->follower) == w->state;
}

static gboolean
fake_waiting (gpointer data)
{
  Wait *w = data;

  return fake_n_waiting (w->fake) > 0 && od_payment_follower_get_state (w->follower)
                                           == OD_BACKEND_STATE_CONNECTED;
}

static gboolean
has_error (gpointer data)
{
  Wait *w = data;

  return od_payment_follower_get_last_error (w->follower) != NULL;
}

/* ---- sync_once and the follower on the scripted node ------------------------------------------- */

static void
test_sync_once_fake (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(FakeBackend) fake = g_object_new (FAKE_TYPE_BACKEND, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(OdHistoryRow) fish = NULL;
  g_autoptr(OdHistoryRow) coffee = NULL;
  OdStore *store = fixture_store (f);
  const char *euro_offer = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0";
  const char *foreign = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";
  guint n = G_MAXUINT;

  store_offer (store, FISH_OFFER_ID, NULL, FALSE);
  store_offer (store, COFFEE_OFFER_ID, NULL, TRUE);
  store_offer (store, euro_offer, "EUR", FALSE);
  g_assert_true (od_store_set_rate (store, "EUR", 3500000, &error));
  g_assert_no_error (error);

  /* The embedded backend has no payments. */
  g_assert_false (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
  g_clear_error (&error);

  od_commands_set_backend (f->commands, OD_BACKEND (fake));

  /* Nothing paid yet. */
  g_assert_true (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (last_pay_index (store, NODE_ID), ==, 0);

  {
    g_autoptr(JsonObject) i1 = paid_invoice (1, FISH_OFFER_ID, 10000);
    g_autoptr(JsonObject) i2 = paid_invoice (2, NULL, 500);
    g_autoptr(JsonObject) i3 = paid_invoice (3, COFFEE_OFFER_ID, 2000000);
    g_autoptr(JsonObject) i4 = paid_invoice (4, foreign, 777);
    g_autoptr(JsonObject) i5 = paid_invoice (5, euro_offer, 71000);

    fake_add (fake, i1);
    fake_add (fake, i2);
    fake_add (fake, i3);
    fake_add (fake, i4);
    fake_add (fake, i5);
  }

  g_assert_true (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (last_pay_index (store, NODE_ID), ==, 5);

  payments = list_payments (store, NULL);
  g_assert_cmpuint (payments->len, ==, 3);
  g_assert_cmpuint (((OdPayment *) payments->pdata[0])->pay_index, ==, 1);
  g_assert_cmpuint (((OdPayment *) payments->pdata[1])->pay_index, ==, 3);
  g_assert_cmpuint (((OdPayment *) payments->pdata[2])->pay_index, ==, 5);
  g_assert_cmpuint (((OdPayment *) payments->pdata[1])->amount_msat, ==, 2000000);
  /* The offer in euros keeps the rate of the day. */
  g_assert_cmpuint (((OdPayment *) payments->pdata[0])->rate_msat_per_unit, ==, 0);
  g_assert_cmpuint (((OdPayment *) payments->pdata[2])->rate_msat_per_unit, ==, 3500000);

  fish = get_offer (store, FISH_OFFER_ID);
  g_assert_true (fish->used);
  g_assert_true (fish->active);
  g_assert_cmpuint (fish->paid_count, ==, 1);
  g_assert_cmpuint (fish->paid_msat, ==, 10000);
  coffee = get_offer (store, COFFEE_OFFER_ID);
  g_assert_true (coffee->used);
  g_assert_false (coffee->active);

  /* Again: nothing new, nothing counted twice. */
  g_assert_true (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&payments, g_ptr_array_unref);
  payments = list_payments (store, NULL);
  g_assert_cmpuint (payments->len, ==, 3);

  /* A node error other than 904 stops the pass with the node's words. */
  {
    g_autoptr(JsonObject) i6 = paid_invoice (6, FISH_OFFER_ID, 10000);

    fake_add (fake, i6);
  }
  fake_fail_next (fake, -32601);
  g_assert_false (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_error (error, OD_ERROR, -32601);
  g_clear_error (&error);
  g_assert_true (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  /* A malformed invoice stops the pass where it is: not skipped, not recorded. */
  {
    g_autoptr(JsonObject) i7 = paid_invoice (7, FISH_OFFER_ID, 10000);
    g_autoptr(JsonObject) i8 = paid_invoice (8, FISH_OFFER_ID, 10000);

    json_object_set_string_member (i7, "payment_hash", "nothex");
    fake_add (fake, i7);
    fake_add (fake, i8);
  }
  g_assert_false (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (last_pay_index (store, NODE_ID), ==, 6);

  /* Unreachable: the transport's error. */
  fake_set_down (fake, TRUE);
  g_assert_false (od_payments_sync_once (f->commands, &n, NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_cmpuint (last_pay_index (store, NODE_ID), ==, 6);

  od_commands_set_backend (f->commands, NULL);
  drain_main_context ();
}

static void
test_follower_fake (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(FakeBackend) fake = g_object_new (FAKE_TYPE_BACKEND, NULL);
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  OdStore *store = fixture_store (f);
  Wait w = { f, NULL, fake, 0, 0 };
  gint64 start;

  store_offer (store, FISH_OFFER_ID, NULL, FALSE);
  od_commands_set_backend (f->commands, OD_BACKEND (fake));

  follower = od_payment_follower_new (f->commands);
  w.follower = follower;
  g_signal_connect (follower, "payment-received", G_CALLBACK (on_payment_received), f);
  g_assert_false (od_payment_follower_is_running (follower));
  g_assert_cmpuint (od_payment_follower_get_state (follower), ==, OD_BACKEND_STATE_DISCONNECTED);

  od_payment_follower_start (follower);
  g_assert_true (od_payment_follower_is_running (follower));
  g_assert_true (iterate_until (fake_waiting, &w, 10));
  g_assert_null (od_payment_follower_get_last_error (follower));

  /* A payment while it waits: recorded and announced once. */
  {
    g_autoptr(JsonObject) i1 = paid_invoice (1, FISH_OFFER_ID, 10000);
    g_autoptr(JsonObject) i2 = paid_invoice (2, NULL, 10000);
    g_autoptr(JsonObject) i3 = paid_invoice (3, FISH_OFFER_ID, 12000);

    fake_add (fake, i1);
    fake_add (fake, i2);
    fake_add (fake, i3);
  }
  w.n = 2;
  g_assert_true (iterate_until (received_n, &w, 10));
  g_assert_cmpuint (((OdPayment *) f->received->pdata[0])->pay_index, ==, 1);
  g_assert_cmpuint (((OdPayment *) f->received->pdata[1])->pay_index, ==, 3);
  g_assert_cmpuint (((OdPayment *) f->received->pdata[1])->amount_msat, ==, 12000);
  g_assert_true (iterate_until (fake_waiting, &w, 10));
  drain_main_context ();
  g_assert_cmpuint (f->received->len, ==, 2);
  g_assert_cmpuint (last_pay_index (store, NODE_ID), ==, 3);

  /* The node answers with an error: said in last-error, still connected, tried again. */
  fake_fail_next (fake, -32601);
  g_assert_true (iterate_until (has_error, &w, 10));
  g_assert_nonnull (strstr (od_payment_follower_get_last_error (follower), "Scripted failure"));
  g_assert_cmpuint (od_payment_follower_get_state (follower), ==, OD_BACKEND_STATE_CONNECTED);
  od_payment_follower_retry_now (follower);

  /* Node unreachable: disconnected, in words, with a backoff; back: caught up. */
  fake_set_down (fake, TRUE);
  w.state = OD_BACKEND_STATE_DISCONNECTED;
  g_assert_true (iterate_until (in_state, &w, 10));
  /* "Cannot reach …" or "… closed the connection", whichever call noticed first. */
  g_assert_nonnull (strstr (od_payment_follower_get_last_error (follower), "fake-node"));
  g_assert_cmpuint (od_payment_follower_get_state (follower), ==, OD_BACKEND_STATE_DISCONNECTED);
  {
    guint backoff = 0;

    g_object_get (follower, "backoff-seconds", &backoff, NULL);
    g_assert_cmpuint (backoff, >=, 1);
    g_assert_cmpuint (backoff, <=, 30);
  }
  {
    g_autoptr(JsonObject) i4 = paid_invoice (4, FISH_OFFER_ID, 13000);

    fake_add (fake, i4);
  }
  fake_set_down (fake, FALSE);
  od_payment_follower_retry_now (follower);
  w.n = 3;
  g_assert_true (iterate_until (received_n, &w, 10));
  g_assert_cmpuint (((OdPayment *) f->received->pdata[2])->pay_index, ==, 4);
  g_assert_true (iterate_until (fake_waiting, &w, 10));
  g_assert_null (od_payment_follower_get_last_error (follower));

  /* stop interrupts the 30 s wait (the test would take 30 s otherwise; nothing asserts speed
   * beyond "not the whole wait"). */
  start = g_get_monotonic_time ();
  od_payment_follower_stop (follower);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_TIME_SPAN_SECOND);
  g_assert_false (od_payment_follower_is_running (follower));
  g_assert_cmpuint (fake_n_waiting (fake), ==, 0);

  /* Paid while stopped: nothing announced until it runs again, then once. */
  {
    g_autoptr(JsonObject) i5 = paid_invoice (5, FISH_OFFER_ID, 14000);

    fake_add (fake, i5);
  }
  drain_main_context ();
  g_assert_cmpuint (f->received->len, ==, 3);
  od_payment_follower_start (follower);
  w.n = 4;
  g_assert_true (iterate_until (received_n, &w, 10));
  g_assert_cmpuint (((OdPayment *) f->received->pdata[3])->pay_index, ==, 5);
  g_assert_true (iterate_until (fake_waiting, &w, 10));
  od_payment_follower_stop (follower);
  drain_main_context ();
  g_assert_cmpuint (f->received->len, ==, 4);

  /* A new follower resumes from the stored index: it does not ask for what it has. */
  g_clear_object (&follower);
  follower = od_payment_follower_new (f->commands);
  w.follower = follower;
  fake->n_waits = 0;
  od_payment_follower_start (follower);
  g_assert_true (iterate_until (fake_waiting, &w, 10));
  g_mutex_lock (&fake->mutex);
  g_assert_cmpuint (fake->n_waits, ==, 1);
  g_assert_cmpint (fake->last_asked, ==, 5);
  g_mutex_unlock (&fake->mutex);
  od_payment_follower_stop (follower);

  payments = list_payments (store, FISH_OFFER_ID);
  g_assert_cmpuint (payments->len, ==, 4);

  g_clear_object (&follower);
  od_commands_set_backend (f->commands, NULL);
  drain_main_context ();
}

/* With the embedded backend there is nothing to follow: no thread, connected. */
static void
test_follower_local (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = od_payment_follower_new (f->commands);

  g_assert_cmpuint (od_payment_follower_get_state (follower), ==, OD_BACKEND_STATE_CONNECTED);
  od_payment_follower_start (follower);
  g_assert_false (od_payment_follower_is_running (follower));
  g_assert_cmpuint (od_payment_follower_get_state (follower), ==, OD_BACKEND_STATE_CONNECTED);
  g_assert_null (od_payment_follower_get_last_error (follower));
  od_payment_follower_stop (follower);
}

/* ---- Against the stand-in node ----------------------------------------------------------------- */

typedef struct
{
  Fixture     base;
  OdTestNode *node;
  OdBackend  *backend;
} NodeFixture;

/* The node's socket, or, for a node started with REST, its CLNRest server (certificate
 * pinned by fingerprint). */
static OdBackend *
node_backend (OdTestNode *node,
              OdCommands *commands)
{
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  OdBackend *backend;

  if (od_test_node_get_rest_url (node) != NULL)
    {
      config = od_backend_config_new (OD_BACKEND_KIND_REST);
      config->url = g_strdup (od_test_node_get_rest_url (node));
      config->rune = g_strdup (od_test_node_get_rune (node));
      config->pinned_sha256 = g_strdup (od_test_node_get_cert_sha256 (node));
    }
  else
    {
      config = od_backend_config_new (OD_BACKEND_KIND_SOCKET);
      config->socket_path = g_strdup (od_test_node_get_socket_path (node));
    }
  backend = od_backend_new_for_config (config, commands, &error);
  g_assert_no_error (error);
  g_assert_nonnull (backend);
  return backend;
}

static void
node_fixture_setup (NodeFixture   *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  OdTestNodeOptions options = { 0 };

  fixture_setup (&f->base, data);
  options.rest = g_strcmp0 (data, "rest") == 0;
  f->node = od_test_node_start_full (&options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->node);
  f->backend = node_backend (f->node, f->base.commands);
  od_commands_set_backend (f->base.commands, f->backend);
}

static void
node_fixture_teardown (NodeFixture   *f,
                       gconstpointer  data)
{
  od_commands_set_backend (f->base.commands, NULL);
  g_clear_object (&f->backend);
  g_clear_pointer (&f->node, od_test_node_free);
  drain_main_context ();
  fixture_teardown (&f->base, data);
}

/* An offer of ours, made through the commands on the node backend (the node issues it, the
 * store keeps it).  Returns its id. */
static char *
make_offer (OdCommands *commands,
            const char *params_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = od_commands_call_json (commands, "offer", params_json, &error);
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_nonnull (result);
  object = json_node_get_object (result);
  g_assert_true (json_object_get_boolean_member (object, "created"));
  return g_strdup (json_object_get_string_member (object, "offer_id"));
}

/* dev-pay on the node: the paid invoice's pay_index; *amount_msat what it received. */
static guint64
dev_pay (OdTestNode *node,
         const char *params_json,
         guint64    *amount_msat)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) invoice = od_test_node_call (node, "dev-pay", params_json, &error);
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_nonnull (invoice);
  object = json_node_get_object (invoice);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "paid");
  if (amount_msat != NULL)
    *amount_msat = (guint64) json_object_get_int_member (object, "amount_received_msat");
  return (guint64) json_object_get_int_member (object, "pay_index");
}

static char *
pay_params (const char *offer_id,
            const char *extra)
{
  return g_strdup_printf ("{\"offer_id\": \"%s\"%s%s}", offer_id,
                          extra != NULL ? ", " : "", extra != NULL ? extra : "");
}

typedef struct
{
  OdPaymentFollower *follower;
  OdStore           *store;
  const char        *node_id;
  guint64            pay_index;
  GPtrArray         *received;
  guint              n;
  OdBackendState     state;
} NodeWait;

static gboolean
node_in_state (gpointer data)
{
  NodeWait *w = data;

  return od_payment_follower_get_state (w->follower) == w->state;
}

static gboolean
node_received_n (gpointer data)
{
  NodeWait *w = data;

  return w->received->len >= w->n;
}

static gboolean
node_index_reached (gpointer data)
{
  NodeWait *w = data;
  guint64 index = 0;

  g_assert_true (od_store_get_last_pay_index (w->store, w->node_id, &index, NULL));
  return index >= w->pay_index;
}

static OdPaymentFollower *
start_follower (Fixture *f)
{
  OdPaymentFollower *follower = od_payment_follower_new (f->commands);
  NodeWait w = { follower, NULL, NULL, 0, NULL, 0, OD_BACKEND_STATE_CONNECTED };

  g_signal_connect (follower, "payment-received", G_CALLBACK (on_payment_received), f);
  od_payment_follower_start (follower);
  g_assert_true (iterate_until (node_in_state, &w, 30));
  g_assert_null (od_payment_follower_get_last_error (follower));
  return follower;
}

/* A node backend that hands every call to another one, counting the waitanyinvoice calls in
 * progress: the test knows when the follower sits in the real backend's wait. */
#define PASS_TYPE_BACKEND (pass_backend_get_type ())
G_DECLARE_FINAL_TYPE (PassBackend, pass_backend, PASS, BACKEND, OdBackend)

struct _PassBackend
{
  OdBackend  parent_instance;
  OdBackend *inner;
  int        n_waiting;   /* atomic */
};

G_DEFINE_FINAL_TYPE (PassBackend, pass_backend, OD_TYPE_BACKEND)

static JsonNode *
pass_backend_call (OdBackend     *backend,
                   const char    *method,
                   JsonNode      *params,
                   guint          timeout_ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  PassBackend *self = PASS_BACKEND (backend);
  gboolean wait = strcmp (method, "waitanyinvoice") == 0;
  JsonNode *result;

  if (wait)
    g_atomic_int_inc (&self->n_waiting);
  result = od_backend_call (self->inner, method, params, timeout_ms, cancellable, error);
  if (wait)
    g_atomic_int_dec_and_test (&self->n_waiting);
  return result;
}

static void
pass_backend_dispose (GObject *object)
{
  g_clear_object (&PASS_BACKEND (object)->inner);

  G_OBJECT_CLASS (pass_backend_parent_class)->dispose (object);
}

static void
pass_backend_class_init (PassBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pass_backend_dispose;
  OD_BACKEND_CLASS (klass)->call = pass_backend_call;
}

static void
pass_backend_init (PassBackend *self)
{
}

static PassBackend *
pass_backend_new (OdBackend *inner)
{
  PassBackend *self = g_object_new (PASS_TYPE_BACKEND, NULL);

  od_backend_set_config (OD_BACKEND (self), od_backend_get_config (inner));
  self->inner = g_object_ref (inner);
  return self;
}

static gboolean
pass_waiting (gpointer data)
{
  PassBackend *self = data;

  return g_atomic_int_get (&self->n_waiting) > 0;
}

static void
test_node_pay (NodeFixture   *f,
               gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(OdHistoryRow) fish = NULL;
  g_autoptr(OdHistoryRow) single = NULL;
  g_autofree char *fish_id = NULL;
  g_autofree char *single_id = NULL;
  g_autofree char *params = NULL;
  OdStore *store = fixture_store (&f->base);
  g_autofree char *node_id = g_strdup (od_test_node_get_id (f->node));
  NodeWait w = { NULL, store, node_id, 0, f->base.received, 0, 0 };
  const OdPayment *payment;
  guint64 amount = 0;
  guint64 index;

  fish_id = make_offer (f->base.commands,
                        "{\"amount\": \"10000msat\", \"description\": \"Fish sale!\", "
                        "\"quantity_max\": 10}");
  single_id = make_offer (f->base.commands,
                          "{\"amount\": \"5000msat\", \"description\": \"One ticket\", "
                          "\"single_use\": true}");

  follower = start_follower (&f->base);
  w.follower = follower;

  params = pay_params (fish_id, "\"payer_note\": \"Thanks for the fish!\", \"quantity\": 2");
  index = dev_pay (f->node, params, &amount);
  g_assert_cmpuint (amount, ==, 20000);

  w.n = 1;
  g_assert_true (iterate_until (node_received_n, &w, 30));
  payment = f->base.received->pdata[0];
  g_assert_cmpstr (payment->offer_id, ==, fish_id);
  g_assert_cmpstr (payment->node_id, ==, node_id);
  g_assert_cmpuint (payment->pay_index, ==, index);
  g_assert_cmpuint (payment->amount_msat, ==, 20000);
  g_assert_cmpstr (payment->payer_note, ==, "Thanks for the fish!");
  g_assert_true (payment->has_quantity);
  g_assert_cmpuint (payment->quantity, ==, 2);
  g_assert_nonnull (payment->bolt12);
  g_assert_true (g_str_has_prefix (payment->bolt12, "lni1"));

  payments = list_payments (store, fish_id);
  g_assert_cmpuint (payments->len, ==, 1);
  payment = payments->pdata[0];
  g_assert_cmpuint (payment->pay_index, ==, index);
  g_assert_cmpuint (payment->amount_msat, ==, 20000);
  g_assert_cmpstr (payment->payer_note, ==, "Thanks for the fish!");
  g_assert_cmpuint (payment->quantity, ==, 2);
  fish = get_offer (store, fish_id);
  g_assert_true (fish->used);
  g_assert_true (fish->active);
  g_assert_cmpuint (fish->paid_count, ==, 1);
  g_assert_cmpuint (fish->paid_msat, ==, 20000);

  /* Single use: paid once, then no longer active. */
  g_clear_pointer (&params, g_free);
  params = pay_params (single_id, NULL);
  dev_pay (f->node, params, &amount);
  g_assert_cmpuint (amount, ==, 5000);
  w.n = 2;
  g_assert_true (iterate_until (node_received_n, &w, 30));
  g_assert_cmpstr (((OdPayment *) f->base.received->pdata[1])->offer_id, ==, single_id);
  single = get_offer (store, single_id);
  g_assert_true (single->used);
  g_assert_false (single->active);

  /* Once each: a pass over the node afterwards finds nothing new. */
  {
    g_autoptr(GError) error = NULL;
    guint n = G_MAXUINT;

    g_assert_true (od_payments_sync_once (f->base.commands, &n, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 0);
  }
  od_payment_follower_stop (follower);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 2);
  g_clear_pointer (&payments, g_ptr_array_unref);
  payments = list_payments (store, NULL);
  g_assert_cmpuint (payments->len, ==, 2);

  /* stop interrupts a waitanyinvoice parked on the node (30 s): asserted as "well before the
   * wait would end", not as a speed.  A pass-through backend tells when the follower's call is
   * inside the real one. */
  {
    g_autoptr(OdPaymentFollower) again = NULL;
    g_autoptr(PassBackend) pass = pass_backend_new (f->backend);
    gint64 start;

    od_commands_set_backend (f->base.commands, OD_BACKEND (pass));
    again = start_follower (&f->base);
    g_assert_true (iterate_until (pass_waiting, pass, 30));
    start = g_get_monotonic_time ();
    od_payment_follower_stop (again);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_TIME_SPAN_SECOND);
    g_assert_false (od_payment_follower_is_running (again));
    g_assert_cmpint (g_atomic_int_get (&pass->n_waiting), ==, 0);
    od_commands_set_backend (f->base.commands, f->backend);
  }
}

/* An offer the node has and we do not (another till on the same node): the index moves on,
 * nothing is recorded or announced. */
static void
test_node_foreign_offer (NodeFixture   *f,
                         gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(JsonNode) foreign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *params = NULL;
  OdStore *store = fixture_store (&f->base);
  g_autofree char *node_id = g_strdup (od_test_node_get_id (f->node));
  NodeWait w = { NULL, store, node_id, 0, f->base.received, 0, 0 };
  const char *foreign_id;
  guint64 index;

  foreign = od_test_node_call (f->node, "offer",
                               "{\"amount\": \"777msat\", \"description\": \"Not ours\"}", &error);
  g_assert_no_error (error);
  foreign_id = json_object_get_string_member (json_node_get_object (foreign), "offer_id");
  ours = make_offer (f->base.commands, "{\"amount\": \"1000msat\", \"description\": \"Ours\"}");

  follower = start_follower (&f->base);
  w.follower = follower;

  params = pay_params (foreign_id, NULL);
  index = dev_pay (f->node, params, NULL);
  w.pay_index = index;
  g_assert_true (iterate_until (node_index_reached, &w, 30));
  g_assert_cmpuint (last_pay_index (store, node_id), ==, index);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 0);
  payments = list_payments (store, NULL);
  g_assert_cmpuint (payments->len, ==, 0);

  g_clear_pointer (&params, g_free);
  params = pay_params (ours, NULL);
  index = dev_pay (f->node, params, NULL);
  w.n = 1;
  g_assert_true (iterate_until (node_received_n, &w, 30));
  g_assert_cmpuint (((OdPayment *) f->base.received->pdata[0])->pay_index, ==, index);
  g_assert_cmpstr (((OdPayment *) f->base.received->pdata[0])->offer_id, ==, ours);
  g_clear_pointer (&payments, g_ptr_array_unref);
  payments = list_payments (store, NULL);
  g_assert_cmpuint (payments->len, ==, 1);

  od_payment_follower_stop (follower);
}

/* Restart in the middle: payments made while the follower is stopped, and while the node
 * itself restarts, are all recorded when it resumes, once each, by a new OdCommands on the
 * same data dir. */
static void
test_node_restart (NodeFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer_id = NULL;
  g_autofree char *params = NULL;
  OdStore *store = fixture_store (&f->base);
  g_autofree char *node_id = g_strdup (od_test_node_get_id (f->node));
  NodeWait w = { NULL, store, node_id, 0, f->base.received, 0, 0 };
  guint64 indexes[4];

  offer_id = make_offer (f->base.commands, "{\"amount\": \"3000msat\", \"description\": \"Tea\"}");
  params = pay_params (offer_id, NULL);

  follower = start_follower (&f->base);
  w.follower = follower;
  indexes[0] = dev_pay (f->node, params, NULL);
  w.n = 1;
  g_assert_true (iterate_until (node_received_n, &w, 30));

  /* Stopped: two payments; the node restarts: a third. */
  od_payment_follower_stop (follower);
  g_clear_object (&follower);
  indexes[1] = dev_pay (f->node, params, NULL);
  indexes[2] = dev_pay (f->node, params, NULL);
  g_assert_true (od_test_node_stop (f->node, &error));
  g_assert_no_error (error);
  g_assert_true (od_test_node_restart (f->node, &error));
  g_assert_no_error (error);
  indexes[3] = dev_pay (f->node, params, NULL);
  g_assert_cmpuint (indexes[3], ==, indexes[2] + 1);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 1);

  /* The till restarts too: new commands, backend and follower on the same data dir. */
  od_commands_set_backend (f->base.commands, NULL);
  g_clear_object (&f->backend);
  g_clear_pointer (&f->base.commands, od_commands_free);
  f->base.commands = od_commands_new (f->base.dir, "regtest");
  f->backend = node_backend (f->node, f->base.commands);
  od_commands_set_backend (f->base.commands, f->backend);
  store = fixture_store (&f->base);
  w.store = store;

  follower = start_follower (&f->base);
  w.follower = follower;
  w.n = 4;
  g_assert_true (iterate_until (node_received_n, &w, 30));
  w.pay_index = indexes[3];
  g_assert_true (iterate_until (node_index_reached, &w, 30));
  od_payment_follower_stop (follower);
  drain_main_context ();

  g_assert_cmpuint (f->base.received->len, ==, 4);
  payments = list_payments (store, offer_id);
  g_assert_cmpuint (payments->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (((OdPayment *) f->base.received->pdata[i])->pay_index, ==, indexes[i]);
      g_assert_cmpuint (((OdPayment *) payments->pdata[i])->pay_index, ==, indexes[i]);
    }
  {
    g_autoptr(OdHistoryRow) row = get_offer (store, offer_id);

    g_assert_cmpuint (row->paid_count, ==, 4);
    g_assert_cmpuint (row->paid_msat, ==, 12000);
  }

  /* Following again from the start changes nothing. */
  g_clear_object (&follower);
  follower = start_follower (&f->base);
  w.follower = follower;
  {
    guint n = G_MAXUINT;

    g_assert_true (od_payments_sync_once (f->base.commands, &n, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 0);
  }
  od_payment_follower_stop (follower);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 4);
}

/* The node goes away under the follower: DISCONNECTED, in words; it comes back and what was
 * paid meanwhile is caught up. */
static void
test_node_lost (NodeFixture   *f,
                gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer_id = NULL;
  g_autofree char *params = NULL;
  OdStore *store = fixture_store (&f->base);
  g_autofree char *node_id = g_strdup (od_test_node_get_id (f->node));
  NodeWait w = { NULL, store, node_id, 0, f->base.received, 0, 0 };
  const char *last_error;
  guint backoff = 0;
  guint64 index;

  offer_id = make_offer (f->base.commands, "{\"amount\": \"4000msat\", \"description\": \"Cake\"}");
  params = pay_params (offer_id, NULL);
  follower = start_follower (&f->base);
  w.follower = follower;

  g_assert_true (od_test_node_stop (f->node, &error));
  g_assert_no_error (error);
  w.state = OD_BACKEND_STATE_DISCONNECTED;
  g_assert_true (iterate_until (node_in_state, &w, 30));
  last_error = od_payment_follower_get_last_error (follower);
  g_assert_nonnull (last_error);
  g_test_message ("last-error: %s", last_error);
  g_assert_cmpuint (strlen (last_error), >, 10);
  g_object_get (follower, "backoff-seconds", &backoff, NULL);
  g_assert_cmpuint (backoff, >=, 1);
  g_assert_cmpuint (backoff, <=, 30);
  g_assert_true (od_payment_follower_is_running (follower));

  /* Back, with a payment the follower has not seen. */
  g_assert_true (od_test_node_restart (f->node, &error));
  g_assert_no_error (error);
  index = dev_pay (f->node, params, NULL);
  od_payment_follower_retry_now (follower);
  w.state = OD_BACKEND_STATE_CONNECTED;
  g_assert_true (iterate_until (node_in_state, &w, 30));
  w.n = 1;
  g_assert_true (iterate_until (node_received_n, &w, 30));
  g_assert_cmpuint (((OdPayment *) f->base.received->pdata[0])->pay_index, ==, index);
  g_assert_null (od_payment_follower_get_last_error (follower));
  g_object_get (follower, "backoff-seconds", &backoff, NULL);
  g_assert_cmpuint (backoff, ==, 0);

  od_payment_follower_stop (follower);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 1);
}

/* The node answers the follower's wait with bytes that are not JSON: DISCONNECTED, said in
 * words, reconnected, and both payments of that moment recorded once. */
static void
on_state_notify (OdPaymentFollower *follower,
                 GParamSpec        *pspec,
                 GPtrArray         *errors)
{
  if (od_payment_follower_get_state (follower) == OD_BACKEND_STATE_DISCONNECTED
      && od_payment_follower_get_last_error (follower) != NULL)
    g_ptr_array_add (errors, g_strdup (od_payment_follower_get_last_error (follower)));
}

static void
test_node_garbage (NodeFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(OdPaymentFollower) follower = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer_id = NULL;
  g_autofree char *params = NULL;
  g_autofree char *node_id = g_strdup (od_test_node_get_id (f->node));
  OdStore *store = fixture_store (&f->base);
  NodeWait w = { NULL, store, node_id, 0, f->base.received, 0, 0 };
  guint64 first;
  guint64 second;

  offer_id = make_offer (f->base.commands, "{\"amount\": \"2500msat\", \"description\": \"Pie\"}");
  params = pay_params (offer_id, NULL);
  follower = start_follower (&f->base);
  w.follower = follower;
  g_signal_connect (follower, "notify::state", G_CALLBACK (on_state_notify), errors);

  fault = od_test_node_call (f->node, "dev-fault", "{\"name\": \"garbage\", \"count\": 1}", &error);
  g_assert_no_error (error);
  first = dev_pay (f->node, params, NULL);
  second = dev_pay (f->node, params, NULL);

  w.n = 2;
  g_assert_true (iterate_until (node_received_n, &w, 60));
  g_assert_cmpuint (errors->len, >=, 1);
  g_test_message ("last-error: %s", (const char *) errors->pdata[0]);
  g_assert_nonnull (strstr (errors->pdata[0], od_test_node_get_socket_path (f->node)));
  g_assert_cmpuint (((OdPayment *) f->base.received->pdata[0])->pay_index, ==, first);
  g_assert_cmpuint (((OdPayment *) f->base.received->pdata[1])->pay_index, ==, second);
  w.state = OD_BACKEND_STATE_CONNECTED;
  g_assert_true (iterate_until (node_in_state, &w, 30));

  od_payment_follower_stop (follower);
  drain_main_context ();
  g_assert_cmpuint (f->base.received->len, ==, 2);
  payments = list_payments (store, offer_id);
  g_assert_cmpuint (payments->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* A GLib worker thread that did a TLS handshake (the REST backend) holds GnuTLS's dynamic
   * thread-local storage, which GCC 12's LeakSanitizer cannot scan ("Tracer caught signal 11"
   * at exit): idle workers exit at once, and the end of main waits for them. */
  g_thread_pool_set_max_unused_threads (0);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payments/invoice/recorded-not-offer-payments", test_recorded_not_offer_payments);
  g_test_add_func ("/payments/invoice/recorded-fish-paid", test_recorded_fish_paid);
  g_test_add_func ("/payments/invoice/note-from-invoice", test_recorded_fish_note_from_invoice);
  g_test_add_func ("/payments/invoice/recorded-coffee-paid", test_recorded_coffee_paid);
  g_test_add_func ("/payments/invoice/paid-without-bolt12", test_paid_without_bolt12);
  g_test_add_func ("/payments/invoice/malformed", test_malformed);
  g_test_add_func ("/payments/invoice/unpaid", test_unpaid_needs_no_paid_fields);

#define ADD(name, func) \
  g_test_add ("/payments/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("fake/sync-once", test_sync_once_fake);
  ADD ("fake/follower", test_follower_fake);
  ADD ("local/follower", test_follower_local);
#undef ADD

#define ADD_NODE(name, func) \
  g_test_add ("/payments/node/" name, NodeFixture, NULL, node_fixture_setup, func, \
              node_fixture_teardown)
  ADD_NODE ("pay", test_node_pay);
  g_test_add ("/payments/node/pay-rest", NodeFixture, "rest", node_fixture_setup, test_node_pay,
              node_fixture_teardown);
  ADD_NODE ("foreign-offer", test_node_foreign_offer);
  ADD_NODE ("restart", test_node_restart);
  ADD_NODE ("lost", test_node_lost);
  ADD_NODE ("garbage", test_node_garbage);
#undef ADD_NODE

  ret = g_test_run ();

  od_test_stop_pool_threads (10 * 1000);

  return ret;
}
