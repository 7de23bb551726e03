/* test-node-backend.c: the commands with a Core Lightning node behind them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the commands (od_commands_call / od_commands_call_json) with a node backend against the
 * test node (tests/node, started by od-test-node-client.c), over its unix socket and over
 * CLNRest with a self-signed certificate made in the test and pinned: every forwarded method,
 * what the store keeps, the recorded Core Lightning answers, and the faults (node gone
 * mid-request, garbage, wrong rune, wrong certificate, an offer that differs from the params,
 * another node's offer).
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "bolt12.h"
#include "od-backend.h"
#include "od-commands.h"
#include "od-commands-private.h"
#include "od-store.h"
#include "od-test-node-client.h"
#include "od-test-utils.h"

typedef struct
{
  OdTestNode    *node;
  char          *tmp;
  char          *data_dir;
  OdCommands    *cmds;
  OdBackendKind  kind;
} Fixture;

typedef struct
{
  OdBackendKind  kind;
  gboolean       recorded;
} Setup;

static const Setup socket_setup = { OD_BACKEND_KIND_SOCKET, FALSE };
static const Setup rest_setup = { OD_BACKEND_KIND_REST, FALSE };
static const Setup recorded_setup = { OD_BACKEND_KIND_SOCKET, TRUE };
static const Setup recorded_rest_setup = { OD_BACKEND_KIND_REST, TRUE };

static OdBackendConfig *
config_for (Fixture       *f,
            OdBackendKind  kind)
{
  OdBackendConfig *config = od_backend_config_new (kind);

  if (kind == OD_BACKEND_KIND_SOCKET)
    {
      config->socket_path = g_strdup (od_test_node_get_socket_path (f->node));
    }
  else
    {
      config->url = g_strdup (od_test_node_get_rest_url (f->node));
      config->rune = g_strdup (od_test_node_get_rune (f->node));
      config->pinned_cert_path = g_strdup (od_test_node_get_cert_path (f->node));
    }
  config->timeout_ms = 20000;

  return config;
}

static void
use_config (Fixture         *f,
            OdBackendConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdBackend) backend = od_backend_new_for_config (config, f->cmds, &error);

  g_assert_no_error (error);
  g_assert_true (od_backend_is_node (backend));
  od_commands_set_backend (f->cmds, backend);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const Setup *setup = data;
  OdTestNodeOptions options = { 0 };
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  options.rest = setup->kind == OD_BACKEND_KIND_REST;
  options.recorded = setup->recorded;
  f->node = od_test_node_start_full (&options, &error);
  g_assert_no_error (error);

  f->tmp = g_dir_make_tmp ("offerdesk-test-node-backend-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  f->cmds = od_commands_new (f->data_dir, "regtest");
  f->kind = setup->kind;

  config = config_for (f, setup->kind);
  use_config (f, config);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->cmds, od_commands_free);
  g_clear_pointer (&f->node, od_test_node_free);
  od_test_remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
}

/* ---- Helpers ---- */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);

  return node;
}

static JsonNode *
call (Fixture     *f,
      const char  *method,
      const char  *params_json,
      GError     **error)
{
  g_autoptr(JsonNode) params = params_json != NULL ? parse_json (params_json) : NULL;

  return od_commands_call (f->cmds, method, params, error);
}

/* A successful call's result object (the caller owns result_out). */
static JsonObject *
call_ok (Fixture     *f,
         const char  *method,
         const char  *params_json,
         JsonNode   **result_out)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = call (f, method, params_json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  *result_out = result;

  return json_node_get_object (result);
}

/* The test node's own view (its socket, not the backend under test). */
static JsonNode *
node_call (Fixture    *f,
           const char *method,
           const char *params_json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = od_test_node_call (f->node, method, params_json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static guint
node_count (Fixture    *f,
            const char *method,
            const char *member)
{
  g_autoptr(JsonNode) result = node_call (f, method, NULL);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (result),
                                                              member));
}

static void
set_fault (Fixture    *f,
           const char *name,
           guint       count)
{
  g_autofree char *params = g_strdup_printf ("{\"name\": \"%s\", \"count\": %u}", name, count);
  g_autoptr(JsonNode) result = node_call (f, "dev-fault", params);
}

static OdStore *
store_of (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = od_commands_open_store (f->cmds, FALSE, &error);

  g_assert_no_error (error);

  return store;
}

static OdHistoryRow *
stored_row (Fixture    *f,
            OdKind      kind,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = store_of (f);
  OdHistoryRow *row;

  g_assert_nonnull (store);
  row = od_store_get (store, kind, id, &error);
  g_assert_no_error (error);

  return row;
}

/* Everything the store holds, as text: compared before and after a refused call. */
static char *
store_snapshot (Fixture *f)
{
  GString *text = g_string_new (NULL);
  OdStore *store = store_of (f);

  for (OdKind kind = OD_KIND_OFFER; store != NULL && kind <= OD_KIND_INVOICE_REQUEST; kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = od_store_list (store, kind, NULL, FALSE, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < rows->len; i++)
        {
          const OdHistoryRow *row = g_ptr_array_index (rows, i);

          g_string_append_printf (text, "%d %s %u %s %s %s\n", kind, row->id, row->status,
                                  row->label ? row->label : "-", row->node_id ? row->node_id : "-",
                                  row->bolt12);
        }
    }

  return g_string_free (text, FALSE);
}

static guint64
stored_count (Fixture *f,
              OdKind   kind)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = store_of (f);
  guint64 count = 0;

  if (store == NULL)
    return 0;
  g_assert_true (od_store_count (store, kind, &count, &error));
  g_assert_no_error (error);

  return count;
}

static Bolt12Message *
decode (const char *bolt12)
{
  g_autoptr(GError) error = NULL;
  Bolt12Message *msg = bolt12_message_decode (bolt12, &error);

  g_assert_no_error (error);

  return msg;
}

static const char *
node_id (Fixture *f)
{
  return od_test_node_get_id (f->node);
}

/* ---- Every forwarded method ---- */

static void
check_getinfo (Fixture *f)
{
  g_autoptr(JsonNode) result = NULL;
  JsonObject *info = call_ok (f, "getinfo", NULL, &result);

  g_assert_cmpstr (json_object_get_string_member (info, "id"), ==, node_id (f));
  g_assert_cmpstr (json_object_get_string_member (info, "network"), ==, "regtest");
  g_assert_cmpstr (json_object_get_string_member (info, "backend"), ==,
                   od_backend_kind_to_string (f->kind));
  if (f->kind == OD_BACKEND_KIND_SOCKET)
    g_assert_nonnull (strstr (json_object_get_string_member (info, "backend_address"),
                              od_test_node_get_socket_path (f->node)));
  else
    g_assert_nonnull (strstr (json_object_get_string_member (info, "backend_address"),
                              od_test_node_get_rest_url (f->node)));
  g_assert_true (json_object_has_member (info, "alias"));
  g_assert_true (json_object_has_member (info, "num_offers"));
  g_assert_false (json_object_has_member (info, "warning_network"));
}

static void
test_methods (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) r1 = NULL;
  g_autoptr(JsonNode) r2 = NULL;
  g_autoptr(JsonNode) r3 = NULL;
  g_autoptr(JsonNode) r4 = NULL;
  g_autoptr(JsonNode) r5 = NULL;
  g_autoptr(JsonNode) r6 = NULL;
  g_autoptr(JsonNode) r7 = NULL;
  g_autoptr(JsonNode) r8 = NULL;
  g_autoptr(JsonNode) r9 = NULL;
  g_autoptr(JsonNode) r10 = NULL;
  g_autoptr(JsonNode) r11 = NULL;
  g_autoptr(JsonNode) r12 = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(OdHistoryRow) sub_row = NULL;
  g_autoptr(OdHistoryRow) usd_row = NULL;
  g_autoptr(OdHistoryRow) invreq_row = NULL;
  g_autoptr(OdHistoryRow) after = NULL;
  g_autoptr(Bolt12Message) msg = NULL;
  g_autofree char *issuer_hex = NULL;
  g_autofree char *params = NULL;
  JsonObject *offer, *again, *sub, *usd, *invreq, *list, *disabled, *enabled, *convert;
  const char *offer_id;
  const char *invreq_id;
  guint node_offers;

  check_getinfo (f);

  /* offer: issued by the node, checked, stored with the node's id and our label. */
  offer = call_ok (f, "offer",
                   "{\"amount\": \"10000msat\", \"description\": \"Fish sale!\", "
                   "\"label\": \"stall 4\"}", &r1);
  offer_id = json_object_get_string_member (offer, "offer_id");
  g_assert_true (json_object_get_boolean_member (offer, "created"));
  msg = decode (json_object_get_string_member (offer, "bolt12"));
  issuer_hex = od_test_hex (msg->offer_issuer_id, 33);
  g_assert_cmpstr (issuer_hex, ==, node_id (f));
  row = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_cmpstr (row->node_id, ==, node_id (f));
  g_assert_cmpstr (row->label, ==, "stall 4");
  g_assert_cmpstr (row->bolt12, ==, json_object_get_string_member (offer, "bolt12"));
  g_assert_cmpstr (row->description, ==, "Fish sale!");
  g_assert_true (row->has_amount_msat && row->amount_msat == 10000);
  g_assert_true (row->active);
  g_assert_false (row->single_use);

  /* The same offer again: the node returns it, the store keeps one row. */
  again = call_ok (f, "offer",
                   "{\"amount\": \"10000msat\", \"description\": \"Fish sale!\"}", &r2);
  g_assert_cmpstr (json_object_get_string_member (again, "offer_id"), ==, offer_id);
  g_assert_false (json_object_get_boolean_member (again, "created"));
  g_assert_cmpuint (stored_count (f, OD_KIND_OFFER), ==, 1);

  /* Every offer field goes through, as text params too (od_commands_call_json). */
  r3 = od_commands_call_json (f->cmds, "offer",
                              "{\"amount\": \"1000sat\", \"description\": \"Sub\", "
                              "\"issuer\": \"Shop\", \"quantity_max\": 5, "
                              "\"absolute_expiry\": 2000000000, \"recurrence\": \"1month\", "
                              "\"recurrence_base\": 1700000000, "
                              "\"recurrence_paywindow\": \"-60+3600\", "
                              "\"recurrence_limit\": 12, \"single_use\": true}", &error);
  g_assert_no_error (error);
  sub = json_node_get_object (r3);
  g_assert_true (json_object_get_boolean_member (sub, "single_use"));
  sub_row = stored_row (f, OD_KIND_OFFER, json_object_get_string_member (sub, "offer_id"));
  g_assert_cmpstr (sub_row->issuer, ==, "Shop");
  g_assert_true (sub_row->has_quantity_max && sub_row->quantity_max == 5);
  g_assert_true (sub_row->has_recurrence && sub_row->recurrence_period == 1);
  g_assert_true (sub_row->has_recurrence_limit && sub_row->recurrence_limit == 12);
  g_assert_true (sub_row->has_recurrence_basetime
                 && sub_row->recurrence_basetime == 1700000000);
  g_assert_true (sub_row->single_use);
  g_assert_cmpstr (sub_row->node_id, ==, node_id (f));

  /* A price in a currency: the node's currencyconvert knows USD, we need no rate. */
  usd = call_ok (f, "offer", "[\"5.25USD\", \"Coffee\"]", &r4);
  usd_row = stored_row (f, OD_KIND_OFFER, json_object_get_string_member (usd, "offer_id"));
  g_assert_cmpstr (usd_row->currency, ==, "USD");
  g_assert_cmpuint (usd_row->currency_amount, ==, 525);

  /* Bad params: our error, and the node never hears of it. */
  node_offers = node_count (f, "listoffers", "offers");
  bad = call (f, "offer", "{\"amount\": \"12parsecs\", \"description\": \"x\"}", &error);
  g_assert_null (bad);
  g_assert_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS);
  g_assert_true (g_str_has_prefix (error->message, "amount: "));
  g_clear_error (&error);
  bad = call (f, "offer", "{\"amount\": \"10sat\"}", &error);
  g_assert_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS);
  g_assert_true (g_str_has_prefix (error->message, "description: "));
  g_clear_error (&error);
  g_assert_cmpuint (node_count (f, "listoffers", "offers"), ==, node_offers);

  /* invoicerequest */
  invreq = call_ok (f, "invoicerequest",
                    "{\"amount\": \"1000sat\", \"description\": \"Refund #12\", "
                    "\"label\": \"refund\"}", &r5);
  invreq_id = json_object_get_string_member (invreq, "invreq_id");
  invreq_row = stored_row (f, OD_KIND_INVOICE_REQUEST, invreq_id);
  g_assert_cmpstr (invreq_row->node_id, ==, node_id (f));
  g_assert_cmpstr (invreq_row->label, ==, "refund");
  g_assert_true (invreq_row->has_amount_msat && invreq_row->amount_msat == 1000000);
  g_assert_true (invreq_row->single_use);

  /* listoffers: the node's list as it is. */
  list = call_ok (f, "listoffers", NULL, &r6);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "offers")), ==,
                    node_count (f, "listoffers", "offers"));

  /* disable / enable: forwarded, the store follows. */
  params = g_strdup_printf ("{\"offer_id\": \"%s\"}", offer_id);
  disabled = call_ok (f, "disableoffer", params, &r7);
  g_assert_false (json_object_get_boolean_member (disabled, "active"));
  after = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_false (after->active);
  g_clear_pointer (&after, od_history_row_free);
  g_assert_null (call (f, "disableoffer", params, &error));
  g_assert_error (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_DISABLED);
  g_clear_error (&error);
  enabled = call_ok (f, "enableoffer", params, &r8);
  g_assert_true (json_object_get_boolean_member (enabled, "active"));
  after = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_true (after->active);
  g_clear_pointer (&after, od_history_row_free);

  /* listinvoicerequests / disableinvoicerequest */
  list = call_ok (f, "listinvoicerequests", NULL, &r9);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list,
                                                                         "invoicerequests")),
                    ==, 1);
  g_free (params);
  params = g_strdup_printf ("[\"%s\"]", invreq_id);
  call_ok (f, "disableinvoicerequest", params, &r10);
  after = stored_row (f, OD_KIND_INVOICE_REQUEST, invreq_id);
  g_assert_false (after->active);
  g_clear_pointer (&after, od_history_row_free);

  /* currencyconvert: the node's answer (CLN's test plugin rate, 5000 msat per unit). */
  convert = call_ok (f, "currencyconvert", "{\"amount\": 2, \"currency\": \"USD\"}", &r11);
  g_assert_cmpint (json_object_get_int_member (convert, "msat"), ==, 10000);

  /* The store follows the node's flags: disabled behind our back, seen by listoffers. */
  g_free (params);
  params = g_strdup_printf ("{\"offer_id\": \"%s\"}", offer_id);
  g_clear_pointer (&r12, json_node_unref);
  r12 = node_call (f, "disableoffer", params);
  g_clear_pointer (&r12, json_node_unref);
  call_ok (f, "listoffers", NULL, &r12);
  after = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_false (after->active);
}

/* An offer made on the node by someone else (lightning-cli): listoffers adds it to the
 * history, checked and marked as the node's. */
static void
test_adopt_listed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) made = node_call (f, "offer",
                                        "{\"amount\": \"42sat\", \"description\": \"Made on the "
                                        "node\", \"label\": \"cli\"}");
  const char *offer_id = json_object_get_string_member (json_node_get_object (made), "offer_id");
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(OdHistoryRow) row = NULL;

  g_assert_cmpuint (stored_count (f, OD_KIND_OFFER), ==, 0);
  call_ok (f, "listoffers", NULL, &listed);
  row = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_cmpstr (row->node_id, ==, node_id (f));
  g_assert_cmpstr (row->description, ==, "Made on the node");
  g_assert_cmpstr (row->label, ==, "cli");
}

/* ---- Recorded Core Lightning answers ---- */

static void
test_recorded (Fixture       *f,
               gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *params;
    const char *id;
  } examples[] = {
    { "offer", "{\"amount\": \"10000msat\", \"description\": \"Fish sale!\"}",
      "c5cde0292d56941940f8b10a4c9bdd1f8846d6041a61b3f7e0f87e105aa88121" },
    { "offer", "{\"amount\": \"1000sat\", \"description\": \"Coffee\", \"quantity_max\": 10}",
      "aea02a1d36d3f00c681656dd938d3431a44d932ff880e09197b55e966ed806e2" },
    { "invoicerequest", "{\"amount\": 1000000, \"description\": \"Simple test\"}",
      "3acd9ca593d5a1b735c98afa6efc9ee4b8e5b004a36f416a7003ffa70e0196e4" },
    { "invoicerequest", "{\"amount\": \"10000sat\", \"description\": \"Requesting for "
      "invoice\", \"issuer\": \"clightning store\"}",
      "bdbaa2fa505fef38702e3c239241cc4ecbca06be87e6034ef9dd849f0a32646c" },
  };
  g_autoptr(JsonNode) info_node = NULL;
  JsonObject *info;

  info = call_ok (f, "getinfo", NULL, &info_node);
  g_assert_cmpstr (json_object_get_string_member (info, "id"), ==, OD_TEST_NODE_RECORDED_ID);
  g_assert_cmpstr (json_object_get_string_member (info, "alias"), ==, "SILENTARTIST-v26.09");
  g_assert_cmpstr (json_object_get_string_member (info, "network"), ==, "regtest");

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      gboolean is_offer = strcmp (examples[i].method, "offer") == 0;
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(OdHistoryRow) row = NULL;
      JsonObject *object;

      g_test_message ("%s %s", examples[i].method, examples[i].params);
      object = call_ok (f, examples[i].method, examples[i].params, &result);
      g_assert_cmpstr (json_object_get_string_member (object,
                                                      is_offer ? "offer_id" : "invreq_id"),
                       ==, examples[i].id);
      row = stored_row (f, is_offer ? OD_KIND_OFFER : OD_KIND_INVOICE_REQUEST, examples[i].id);
      g_assert_cmpstr (row->node_id, ==, OD_TEST_NODE_RECORDED_ID);
      g_assert_cmpstr (row->bolt12, ==, json_object_get_string_member (object, "bolt12"));
    }
}

/* ---- Faults ---- */

/* The node closes the connection in the middle of its answer to `offer`: an error in words,
 * nothing stored; once the node is back, the next call lists its offers and stores the one it
 * did make, with the label asked for. */
static void
test_hangup_mid (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) node_list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonArray *offers;
  const char *offer_id;

  check_getinfo (f);
  before = store_snapshot (f);
  set_fault (f, "hangup-mid", 1);

  result = call (f, "offer", "{\"amount\": \"777msat\", \"description\": \"Interrupted\", "
                 "\"label\": \"till 2\"}", &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_assert_true (error->domain == OD_BACKEND_ERROR);
  g_assert_cmpint (error->code, !=, OD_BACKEND_ERROR_MISMATCH);
  g_assert_cmpstr (error->message, !=, "");
  g_test_message ("interrupted: %s", error->message);
  g_clear_error (&error);
  after = store_snapshot (f);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 1);

  /* The node did make it. */
  node_list = node_call (f, "listoffers", NULL);
  offers = json_object_get_array_member (json_node_get_object (node_list), "offers");
  g_assert_cmpuint (json_array_get_length (offers), ==, 1);
  offer_id = json_object_get_string_member (json_array_get_object_element (offers, 0),
                                            "offer_id");

  /* The node restarts; while it is down, calls fail and the request stays pending. */
  g_assert_true (od_test_node_stop (f->node, &error));
  g_assert_no_error (error);
  g_assert_null (call (f, "listinvoicerequests", NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 1);
  g_assert_true (od_test_node_restart (f->node, &error));
  g_assert_no_error (error);

  /* Any call that reaches it settles the interrupted offer. */
  call_ok (f, "listinvoicerequests", NULL, &listed);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 0);
  row = stored_row (f, OD_KIND_OFFER, offer_id);
  g_assert_cmpstr (row->label, ==, "till 2");
  g_assert_cmpstr (row->description, ==, "Interrupted");
  g_assert_cmpstr (row->node_id, ==, node_id (f));
}

/* No answer in time: the same as a lost connection.  The node did make the offer (its answer
 * only came late), so the next call stores it. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(OdBackendConfig) config = config_for (f, f->kind);
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) node_list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  JsonArray *offers;

  /* Short enough for the test, long enough for a TLS handshake in a sanitizer build; the
   * node's answer comes well after it. */
  config->timeout_ms = 2000;
  use_config (f, config);
  check_getinfo (f);

  fault = node_call (f, "dev-fault", "{\"name\": \"slow\", \"delay_ms\": 8000, \"count\": 1}");
  g_assert_null (call (f, "offer", "{\"amount\": \"9sat\", \"description\": \"Late\", "
                       "\"label\": \"slow one\"}", &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TIMEOUT);
  g_assert_cmpuint (stored_count (f, OD_KIND_OFFER), ==, 0);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 1);

  node_list = node_call (f, "listoffers", NULL);
  offers = json_object_get_array_member (json_node_get_object (node_list), "offers");
  g_assert_cmpuint (json_array_get_length (offers), ==, 1);

  /* Patient again (a new backend: what is pending belongs to the commands, not to it). */
  config->timeout_ms = 20000;
  use_config (f, config);
  call_ok (f, "listinvoicerequests", NULL, &listed);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 0);
  row = stored_row (f, OD_KIND_OFFER,
                    json_object_get_string_member (json_array_get_object_element (offers, 0),
                                                   "offer_id"));
  g_assert_cmpstr (row->label, ==, "slow one");
}

/* hangup-early: the node never ran it; resolving finds nothing and stores nothing. */
static void
test_hangup_early (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  check_getinfo (f);
  before = store_snapshot (f);
  set_fault (f, "hangup-early", 1);
  g_assert_null (call (f, "offer", "[\"5sat\", \"Never made\"]", &error));
  g_assert_true (error->domain == OD_BACKEND_ERROR);
  g_clear_error (&error);

  call_ok (f, "listoffers", NULL, &listed);
  g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 0);
  g_assert_cmpuint (node_count (f, "listoffers", "offers"), ==, 0);
  after = store_snapshot (f);
  g_assert_cmpstr (after, ==, before);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(GError) error = NULL;

  check_getinfo (f);
  set_fault (f, "garbage", 1);
  g_assert_null (call (f, "listoffers", NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  /* The next call works again. */
  call_ok (f, "listoffers", NULL, &listed);
}

/* An answer that differs from the params, or another node's offer: refused, store unchanged. */
static void
test_refused_answers (Fixture       *f,
                      gconstpointer  data)
{
  static const struct
  {
    const char *fault;
    const char *method;
    const char *params;
    const char *words;
  } cases[] = {
    { "tamper-offer", "offer", "{\"amount\": \"3000msat\", \"description\": \"Bread\"}",
      "description differs" },
    { "other-node", "offer", "{\"amount\": \"3000msat\", \"description\": \"Bread\"}",
      "issuer id" },
    { "tamper-offer", "invoicerequest", "{\"amount\": \"3000msat\", \"description\": \"Back\"}",
      "description differs" },
    { "other-node", "invoicerequest", "{\"amount\": \"3000msat\", \"description\": \"Back\"}",
      "payer id" },
  };
  g_autoptr(JsonNode) first = NULL;

  check_getinfo (f);
  /* Something stored already, so that "unchanged" means something. */
  call_ok (f, "offer", "[\"1sat\", \"Already here\"]", &first);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *before = store_snapshot (f);
      g_autofree char *after = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = NULL;

      g_test_message ("%s on %s", cases[i].fault, cases[i].method);
      set_fault (f, cases[i].fault, 1);
      result = call (f, cases[i].method, cases[i].params, &error);
      g_assert_null (result);
      g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_MISMATCH);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("\"%s\" does not say \"%s\"", error->message, cases[i].words);
      g_assert_nonnull (strstr (error->message, "not stored"));
      after = store_snapshot (f);
      g_assert_cmpstr (after, ==, before);
      g_assert_cmpuint (od_node_state_n_pending (od_commands_get_node_state (f->cmds)), ==, 0);
    }
}

static void
test_wrong_rune (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(OdBackendConfig) config = config_for (f, OD_BACKEND_KIND_REST);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_free (config->rune);
  config->rune = g_strdup ("not-the-rune");
  use_config (f, config);

  result = call (f, "getinfo", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "rune"));
  g_assert_null (strstr (error->message, "not-the-rune"));
  g_clear_error (&error);

  result = call (f, "offer", "[\"1sat\", \"x\"]", &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH);
  g_assert_cmpuint (stored_count (f, OD_KIND_OFFER), ==, 0);
}

static void
test_certificate_mismatch (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(OdBackendConfig) other_cert = config_for (f, OD_BACKEND_KIND_REST);
  g_autoptr(OdBackendConfig) other_print = config_for (f, OD_BACKEND_KIND_REST);
  g_autoptr(OdBackendConfig) right_print = config_for (f, OD_BACKEND_KIND_REST);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) ok = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  /* A second self-signed certificate for the same names: valid, but not the node's. */
  g_assert_true (od_test_node_make_certificate (f->tmp, "impostor", &cert, &key, &error));
  g_assert_no_error (error);
  g_free (other_cert->pinned_cert_path);
  other_cert->pinned_cert_path = g_strdup (cert);
  use_config (f, other_cert);
  result = call (f, "getinfo", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS);
  g_clear_error (&error);

  g_clear_pointer (&other_print->pinned_cert_path, g_free);
  other_print->pinned_sha256 = g_strdup ("00112233445566778899aabbccddeeff"
                                         "00112233445566778899aabbccddeeff");
  use_config (f, other_print);
  result = call (f, "offer", "[\"1sat\", \"x\"]", &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS);
  g_clear_error (&error);
  g_assert_cmpuint (stored_count (f, OD_KIND_OFFER), ==, 0);

  /* The right fingerprint is accepted. */
  g_clear_pointer (&right_print->pinned_cert_path, g_free);
  right_print->pinned_sha256 = g_strdup (od_test_node_get_cert_sha256 (f->node));
  use_config (f, right_print);
  call_ok (f, "getinfo", NULL, &ok);
}

/* A node on another network: getinfo warns, offers are not even sent. */
static void
test_network_mismatch (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(OdCommands) signet = NULL;
  g_autoptr(OdBackendConfig) config = config_for (f, OD_BACKEND_KIND_SOCKET);
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *dir = g_build_filename (f->tmp, "signet-data", NULL);

  signet = od_commands_new (dir, "signet");
  backend = od_backend_new_for_config (config, signet, &error);
  g_assert_no_error (error);
  od_commands_set_backend (signet, backend);

  info = od_commands_call (signet, "getinfo", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (json_node_get_object (info), "warning_network"));

  result = od_commands_call_json (signet, "offer", "[\"1sat\", \"x\"]", &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_MISMATCH);
  g_assert_cmpuint (node_count (f, "listoffers", "offers"), ==, 0);
}

/* Without a node: the embedded backend, made on first use; NULL restores it. */
static void
test_local_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("offerdesk-test-node-backend-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (tmp, "data", NULL);
  g_autoptr(OdCommands) cmds = od_commands_new (dir, "regtest");
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_SOCKET);
  g_autoptr(OdBackend) node = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) params = parse_json ("[\"lno1pgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxq"
                                           "uqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg\"]");
  OdBackend *local;

  g_assert_no_error (error);
  local = od_commands_get_backend (cmds);
  g_assert_nonnull (local);
  g_assert_false (od_backend_is_node (local));
  g_assert_true (od_commands_get_backend (cmds) == local);
  g_assert_false (od_commands_uses_node (cmds));

  /* A node that is not there: forwarded methods fail, local ones still work. */
  config->socket_path = g_build_filename (tmp, "no-such-socket", NULL);
  node = od_backend_new_for_config (config, cmds, &error);
  g_assert_no_error (error);
  od_commands_set_backend (cmds, node);
  g_assert_true (od_commands_get_backend (cmds) == node);
  g_assert_null (od_commands_call (cmds, "getinfo", NULL, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_clear_error (&error);
  decoded = od_commands_call (cmds, "decode", params, &error);
  g_assert_no_error (error);

  od_commands_set_backend (cmds, NULL);
  g_assert_false (od_backend_is_node (od_commands_get_backend (cmds)));
  info = od_commands_call (cmds, "getinfo", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "backend"), ==,
                   "embedded");

  g_clear_pointer (&cmds, od_commands_free);
  od_test_remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("OFFERDESK_TEST_NODE") == NULL)
    {
      /* tests/meson.build sets it whenever tests/node exists: its absence is a build error. */
      g_printerr ("OFFERDESK_TEST_NODE is not set\n");
      return 1;
    }

  g_test_add_func ("/node-backend/local-default", test_local_default);

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, setup, fixture_set_up, func, fixture_tear_down)

  ADD ("/node-backend/socket/methods", &socket_setup, test_methods);
  ADD ("/node-backend/rest/methods", &rest_setup, test_methods);
  ADD ("/node-backend/socket/adopt-listed", &socket_setup, test_adopt_listed);
  ADD ("/node-backend/socket/recorded", &recorded_setup, test_recorded);
  ADD ("/node-backend/rest/recorded", &recorded_rest_setup, test_recorded);
  ADD ("/node-backend/socket/network-mismatch", &socket_setup, test_network_mismatch);
  ADD ("/node-backend/faults/hangup-mid", &socket_setup, test_hangup_mid);
  ADD ("/node-backend/faults/hangup-early", &socket_setup, test_hangup_early);
  ADD ("/node-backend/faults/timeout/socket", &socket_setup, test_timeout);
  ADD ("/node-backend/faults/timeout/rest", &rest_setup, test_timeout);
  ADD ("/node-backend/faults/garbage", &socket_setup, test_garbage);
  ADD ("/node-backend/faults/refused-answers/socket", &socket_setup, test_refused_answers);
  ADD ("/node-backend/faults/refused-answers/rest", &rest_setup, test_refused_answers);
  ADD ("/node-backend/faults/wrong-rune", &rest_setup, test_wrong_rune);
  ADD ("/node-backend/faults/certificate-mismatch", &rest_setup, test_certificate_mismatch);

#undef ADD

  return g_test_run ();
}
