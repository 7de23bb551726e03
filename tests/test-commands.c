/* test-commands.c: the command layer, in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the CLI acceptance table (test-acceptance.c) does not reach: params as JsonNode and as
 * text, every offer decoding to its parameters, the used single-use case (1007), getinfo's key,
 * a damaged database and an unsafe key file, exact currency conversion, and that commands
 * which only read, or fail, create nothing.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bolt12.h"
#include "od-commands.h"
#include "od-rates.h"
#include "od-store.h"

typedef struct
{
  char       *tmp;
  char       *data_dir;
  OdCommands *cmds;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  network)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("test-commands-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  f->cmds = od_commands_new (f->data_dir, network != NULL ? network : "bitcoin");
  g_assert_nonnull (f->cmds);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  network)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->tmp);

  g_clear_pointer (&f->cmds, od_commands_free);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->data_dir);
  g_free (f->tmp);
}

static char *
network_path (Fixture    *f,
              const char *name)
{
  return g_build_filename (f->data_dir, od_commands_get_network (f->cmds), name, NULL);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/* od_commands_call with params parsed into a JsonNode.  The result object (owned by the
 * returned node), or NULL with error. */
static JsonNode *
call_node (OdCommands  *cmds,
           const char  *method,
           const char  *params_json,
           GError     **error)
{
  g_autoptr(JsonNode) params = params_json != NULL ? parse_json (params_json) : NULL;

  return od_commands_call (cmds, method, params, error);
}

static JsonNode *
call_ok (OdCommands *cmds,
         const char *method,
         const char *params_json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = call_node (cmds, method, params_json, &error);

  if (result == NULL)
    g_error ("%s %s: %d %s", method, params_json ? params_json : "", error->code,
             error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));

  return result;
}

static JsonNode *
call_json_ok (OdCommands *cmds,
              const char *method,
              const char *params_json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = od_commands_call_json (cmds, method, params_json, &error);

  if (result == NULL)
    g_error ("%s %s: %d %s", method, params_json, error->code, error->message);

  return result;
}

/* Asserts the call fails with code and message. */
static void
assert_call_error (OdCommands *cmds,
                   const char *method,
                   const char *params_json,
                   int         code,
                   const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = od_commands_call_json (cmds, method, params_json, &error);

  g_assert_null (result);
  g_assert_error (error, OD_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

static JsonObject *
obj (JsonNode *node)
{
  return json_node_get_object (node);
}

static JsonNode *
decode (OdCommands *cmds,
        const char *bolt12)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  JsonNode *decoded;

  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, bolt12);
  json_builder_end_array (builder);
  params = json_builder_get_root (builder);
  decoded = od_commands_call (cmds, "decode", params, NULL);
  g_assert_nonnull (decoded);
  g_assert_true (json_object_get_boolean_member (obj (decoded), "valid"));

  return decoded;
}

static char *
getinfo_id (OdCommands *cmds)
{
  g_autoptr(JsonNode) info = call_ok (cmds, "getinfo", NULL);

  return g_strdup (json_object_get_string_member (obj (info), "id"));
}

/* ---- offers decode to their parameters ---- */

typedef struct
{
  const char *params;             /* JSON object */
  const char *decoded;            /* JSON object: members the decode must have, with values */
  const char *absent;             /* space-separated members the decode must not have */
} OfferCase;

static const OfferCase offer_cases[] = {
  { "{\"amount\": \"10000msat\", \"description\": \"Fish sale!\"}",
    "{\"offer_amount_msat\": 10000, \"offer_description\": \"Fish sale!\"}",
    "offer_currency offer_issuer offer_absolute_expiry offer_quantity_max offer_recurrence" },
  { "{\"amount\": \"any\"}", "{}",
    "offer_amount_msat offer_description" },
  { "{\"amount\": \"0.001btc\", \"description\": \"coffee\", \"issuer\": \"Corner Coffee\", "
    "\"absolute_expiry\": 1900000000, \"quantity_max\": 5}",
    "{\"offer_amount_msat\": 100000000, \"offer_issuer\": \"Corner Coffee\", "
    "\"offer_absolute_expiry\": 1900000000, \"offer_quantity_max\": 5}", NULL },
  { "{\"amount\": \"1sat\", \"description\": \"unlimited\", \"quantity_max\": 0}",
    "{\"offer_quantity_max\": 0}", NULL },
  { "{\"amount\": \"100sat\", \"description\": \"weekly\", \"recurrence\": \"2weeks\", "
    "\"recurrence_base\": 1700000000, \"recurrence_paywindow\": \"-60+3600\", "
    "\"recurrence_limit\": 12}",
    "{\"offer_recurrence\": {\"compulsory_field\": true, \"time_unit\": 1, \"period\": 14, "
    "\"basetime\": 1700000000, \"limit\": 12, "
    "\"paywindow\": {\"seconds_before\": 60, \"seconds_after\": 3600}}}",
    "offer_absolute_expiry" },
  { "{\"amount\": \"100sat\", \"description\": \"proportional\", \"recurrence\": \"1month\", "
    "\"recurrence_base\": 1700000000, \"proportional_amount\": true}",
    "{\"offer_recurrence\": {\"time_unit\": 2, \"period\": 1, \"basetime\": 1700000000, "
    "\"proportional_amount\": true}}", NULL },
  { "{\"amount\": \"100sat\", \"description\": \"optional\", \"recurrence\": \"3hours\", "
    "\"optional_recurrence\": true}",
    "{\"offer_recurrence\": {\"compulsory_field\": false, \"time_unit\": 0, \"period\": 10800}}",
    NULL },
  { "{\"amount\": \"100sat\", \"description\": \"at base\", \"recurrence\": \"1day\", "
    "\"recurrence_base\": \"@1700000000\"}",
    "{\"offer_recurrence\": {\"time_unit\": 1, \"period\": 1, \"basetime\": 1700000000}, "
    "\"offer_absolute_expiry\": 1700086400}", NULL },
  { "{\"amount\": \"100sat\", \"description\": \"yearly\", \"recurrence\": \"1year\"}",
    "{\"offer_recurrence\": {\"time_unit\": 2, \"period\": 12}}", NULL },
};

static void
test_offer_decodes_to_params (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = getinfo_id (f->cmds);
  gboolean regtest = strcmp (od_commands_get_network (f->cmds), "regtest") == 0;
  guint8 chain[32];
  g_autofree char *chain_hex = NULL;

  g_assert_true (bolt12_chain_from_name ("regtest", chain));
  {
    GString *hex = g_string_new (NULL);

    for (guint i = 0; i < 32; i++)
      g_string_append_printf (hex, "%02x", chain[i]);
    chain_hex = g_string_free (hex, FALSE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (offer_cases); i++)
    {
      const OfferCase *c = &offer_cases[i];
      g_autoptr(JsonNode) result = call_ok (f->cmds, "offer", c->params);
      g_autoptr(JsonNode) decoded = NULL;
      g_autoptr(JsonNode) want = parse_json (c->decoded);
      g_autoptr(GList) members = json_object_get_members (obj (want));
      g_autoptr(JsonNode) listed = NULL;
      const char *offer_id = json_object_get_string_member (obj (result), "offer_id");
      JsonObject *d;

      g_test_message ("offer %s", c->params);
      g_assert_true (json_object_get_boolean_member (obj (result), "created"));
      g_assert_true (json_object_get_boolean_member (obj (result), "active"));
      g_assert_false (json_object_get_boolean_member (obj (result), "used"));
      g_assert_false (json_object_has_member (obj (result), "description"));

      decoded = decode (f->cmds, json_object_get_string_member (obj (result), "bolt12"));
      d = obj (decoded);
      g_assert_cmpstr (json_object_get_string_member (d, "type"), ==, "bolt12 offer");
      g_assert_cmpstr (json_object_get_string_member (d, "offer_id"), ==, offer_id);
      g_assert_cmpstr (json_object_get_string_member (d, "offer_issuer_id"), ==, id);
      if (regtest)
        {
          JsonArray *chains = json_object_get_array_member (d, "offer_chains");

          g_assert_cmpuint (json_array_get_length (chains), ==, 1);
          g_assert_cmpstr (json_array_get_string_element (chains, 0), ==, chain_hex);
        }
      else
        g_assert_false (json_object_has_member (d, "offer_chains"));

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *got = json_to_string (json_object_get_member (d, l->data), FALSE);
          g_autofree char *expected = NULL;
          JsonNode *want_member = json_object_get_member (obj (want), l->data);

          g_assert_nonnull (json_object_get_member (d, l->data));
          if (JSON_NODE_HOLDS_OBJECT (want_member))
            {
              g_autoptr(GList) sub = json_object_get_members (json_node_get_object (want_member));
              JsonObject *got_obj = json_object_get_object_member (d, l->data);

              for (GList *s = sub; s != NULL; s = s->next)
                {
                  g_autofree char *a = json_to_string (
                    json_object_get_member (json_node_get_object (want_member), s->data), FALSE);
                  g_autofree char *b = json_to_string (
                    json_object_get_member (got_obj, s->data), FALSE);

                  g_assert_cmpstr (b, ==, a);
                }
              continue;
            }
          expected = json_to_string (want_member, FALSE);
          g_assert_cmpstr (got, ==, expected);
        }
      if (c->absent != NULL)
        {
          g_auto(GStrv) absent = g_strsplit (c->absent, " ", -1);

          for (guint a = 0; absent[a] != NULL; a++)
            if (json_object_has_member (d, absent[a]))
              g_error ("decode of %s has %s", c->params, absent[a]);
        }

      /* listoffers has the same string */
      {
        g_autofree char *params = g_strdup_printf ("{\"offer_id\": \"%s\"}", offer_id);
        JsonArray *offers;

        listed = call_ok (f->cmds, "listoffers", params);
        offers = json_object_get_array_member (obj (listed), "offers");
        g_assert_cmpuint (json_array_get_length (offers), ==, 1);
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (offers, 0),
                                                        "bolt12"),
                         ==, json_object_get_string_member (obj (result), "bolt12"));
      }
    }
}

/* ---- params: object, array, JsonNode, text ---- */

static void
test_params_object_vs_array (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(JsonNode) by_name = call_ok (f->cmds, "offer",
    "{\"amount\": \"5000msat\", \"description\": \"same\", \"issuer\": \"me\", "
    "\"quantity_max\": 3, \"recurrence\": \"1month\", \"recurrence_limit\": 4}");
  g_autoptr(JsonNode) by_position = NULL;
  g_autoptr(JsonNode) as_text = NULL;
  g_autoptr(JsonNode) with_nulls = NULL;
  const char *id = json_object_get_string_member (obj (by_name), "offer_id");

  /* amount description issuer label quantity_min quantity_max absolute_expiry recurrence
   * recurrence_base recurrence_paywindow recurrence_limit */
  by_position = call_ok (f->cmds, "offer",
                         "[\"5000msat\", \"same\", \"me\", null, null, 3, null, \"1month\", "
                         "null, null, 4]");
  g_assert_cmpstr (json_object_get_string_member (obj (by_position), "offer_id"), ==, id);
  g_assert_false (json_object_get_boolean_member (obj (by_position), "created"));

  as_text = call_json_ok (f->cmds, "offer",
                          "{\"recurrence_limit\": 4, \"recurrence\": \"1month\", "
                          "\"quantity_max\": \"3\", \"issuer\": \"me\", "
                          "\"description\": \"same\", \"amount\": 5000}");
  g_assert_cmpstr (json_object_get_string_member (obj (as_text), "offer_id"), ==, id);

  with_nulls = call_json_ok (f->cmds, "offer",
                             "[\"5000msat\", \"same\", \"me\", null, 1, 3, null, \"1month\", "
                             "null, null, 4, null, false, null, null]");
  g_assert_cmpstr (json_object_get_string_member (obj (with_nulls), "offer_id"), ==, id);
  g_assert_false (json_object_get_boolean_member (obj (with_nulls), "single_use"));

  /* The same errors both ways. */
  assert_call_error (f->cmds, "offer", "{\"amount\": \"1msat\", \"frobnicate\": 1}",
                     OD_ERROR_INVALID_PARAMS, "unknown parameter: frobnicate");
  assert_call_error (f->cmds, "offer", "[\"1msat\", \"d\", \"i\", \"l\", 0, 0, 0, \"1day\", "
                     "1, \"-1+1\", 1, null, false, false, false, 1]",
                     OD_ERROR_INVALID_PARAMS, "too many parameters: got 16, expected at most 15");
  assert_call_error (f->cmds, "offer", "{\"amount\": \"1msat\", \"amount\": \"2msat\"}",
                     OD_ERROR_INVALID_PARAMS, "duplicate json names: amount");
  assert_call_error (f->cmds, "offer", "{}", OD_ERROR_INVALID_PARAMS,
                     "missing required parameter: amount");
  assert_call_error (f->cmds, "offer", "\"1msat\"", OD_ERROR_INVALID_REQUEST, NULL);
  /* named params are checked in the order given */
  assert_call_error (f->cmds, "offer",
                     "{\"recurrence\": \"fortnight\", \"amount\": \"1XYZ\"}",
                     OD_ERROR_INVALID_PARAMS, "recurrence: not a valid time");
  assert_call_error (f->cmds, "offer",
                     "{\"amount\": \"1XYZ\", \"recurrence\": \"fortnight\"}",
                     OD_ERROR_INVALID_PARAMS, "amount: Unknown currency suffix XYZ");
}

/* A \u escape is refused in text params (Core Lightning's param_escaped_string); a JsonNode has
 * no escapes left, so its decoded string is taken. */
static void
test_params_u_escape (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) from_node = NULL;
  g_autoptr(JsonNode) decoded = NULL;

  assert_call_error (f->cmds, "offer", "[\"1msat\", \"caf\\u00e9\"]", OD_ERROR_INVALID_PARAMS,
                     "description: should be a string (without \\u)");
  assert_call_error (f->cmds, "invoicerequest",
                     "{\"amount\": \"1msat\", \"description\": \"x\", \"issuer\": \"\\u0041\"}",
                     OD_ERROR_INVALID_PARAMS, "issuer: should be a string (without \\u)");
  assert_call_error (f->cmds, "offer", "[\"1msat\", 42]", OD_ERROR_INVALID_PARAMS,
                     "description: should be a string (without \\u)");

  from_node = call_ok (f->cmds, "offer", "[\"1msat\", \"caf\\u00e9\"]");
  decoded = decode (f->cmds, json_object_get_string_member (obj (from_node), "bolt12"));
  g_assert_cmpstr (json_object_get_string_member (obj (decoded), "offer_description"), ==,
                   "caf\xc3\xa9");
}

/* ---- lifecycle ---- */

static void
test_offer_lifecycle (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) created = call_ok (f->cmds, "offer",
                                         "{\"amount\": \"2msat\", \"description\": \"simple\", "
                                         "\"label\": 42}");
  g_autoptr(JsonNode) disabled = NULL;
  g_autoptr(JsonNode) enabled = NULL;
  g_autoptr(JsonNode) list = NULL;
  const char *id = json_object_get_string_member (obj (created), "offer_id");
  g_autofree char *by_id = g_strdup_printf ("[\"%s\"]", id);
  g_autofree char *upper = g_ascii_strup (id, -1);
  g_autofree char *by_upper = g_strdup_printf ("[\"%s\"]", upper);
  JsonObject *item;

  g_assert_cmpstr (json_object_get_string_member (obj (created), "label"), ==, "42");

  disabled = call_ok (f->cmds, "disableoffer", by_id);
  g_assert_false (json_object_get_boolean_member (obj (disabled), "active"));
  g_assert_cmpstr (json_object_get_string_member (obj (disabled), "description"), ==, "simple");
  assert_call_error (f->cmds, "disableoffer", by_id, OD_ERROR_OFFER_ALREADY_DISABLED,
                     "offer is not active");
  assert_call_error (f->cmds, "offer", "{\"amount\": \"2msat\", \"description\": \"simple\"}",
                     OD_ERROR_OFFER_ALREADY_EXISTS, "Already exists, but isn't active");

  enabled = call_ok (f->cmds, "enableoffer", by_upper);
  g_assert_true (json_object_get_boolean_member (obj (enabled), "active"));
  assert_call_error (f->cmds, "enableoffer", by_id, OD_ERROR_OFFER_ALREADY_ENABLED,
                     "offer already active");

  list = call_ok (f->cmds, "listoffers", "{\"active_only\": true}");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (list), "offers")),
                    ==, 1);
  item = json_array_get_object_element (json_object_get_array_member (obj (list), "offers"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "offer_id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (item, "offer_amount_msat"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (item, "label"), ==, "42");
  g_assert_cmpint (json_object_get_int_member (item, "created_at"), >, 1700000000);
}

/* enableoffer on a used single-use offer: 1007 (the store marks it used when it is paid). */
static void
test_enable_used_single_use (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(JsonNode) created = call_ok (f->cmds, "offer",
                                         "{\"amount\": \"3msat\", \"description\": \"once\", "
                                         "\"single_use\": true}");
  const char *id = json_object_get_string_member (obj (created), "offer_id");
  g_autofree char *by_id = g_strdup_printf ("{\"offer_id\": \"%s\"}", id);
  g_autofree char *path = network_path (f, OD_STORE_FILENAME);
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonObject *item;

  g_assert_true (json_object_get_boolean_member (obj (created), "single_use"));

  {
    g_autoptr(OdStore) store = od_store_open (path, &error);

    g_assert_no_error (error);
    row = od_store_mark_used (store, OD_KIND_OFFER, id, &error);
    g_assert_no_error (error);
    g_assert_true (row->used);
    g_assert_false (row->active);
  }

  assert_call_error (f->cmds, "enableoffer", by_id, OD_ERROR_OFFER_USED_SINGLE_USE,
                     "cannot activate an used single use offer");
  assert_call_error (f->cmds, "disableoffer", by_id, OD_ERROR_OFFER_ALREADY_DISABLED,
                     "offer is not active");
  assert_call_error (f->cmds, "offer", "{\"amount\": \"3msat\", \"description\": \"once\"}",
                     OD_ERROR_OFFER_ALREADY_EXISTS, "Already exists, but isn't active");

  list = call_ok (f->cmds, "listoffers", by_id);
  item = json_array_get_object_element (json_object_get_array_member (obj (list), "offers"), 0);
  g_assert_true (json_object_get_boolean_member (item, "used"));
  g_assert_false (json_object_get_boolean_member (item, "active"));
  g_assert_true (json_object_get_boolean_member (item, "single_use"));
}

/* ---- invoice requests and refunds ---- */

static void
test_invoicerequest (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *id = getinfo_id (f->cmds);
  g_autoptr(JsonNode) created = call_ok (f->cmds, "invoicerequest",
                                         "{\"amount\": \"0.00001btc\", "
                                         "\"description\": \"payout\", "
                                         "\"issuer\": \"Fish & Co\", "
                                         "\"absolute_expiry\": 1900000000}");
  g_autoptr(JsonNode) again = call_ok (f->cmds, "invoicerequest",
                                       "[\"1000000msat\", \"payout\", \"Fish & Co\", null, "
                                       "1900000000]");
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) disabled = NULL;
  const char *invreq_id = json_object_get_string_member (obj (created), "invreq_id");
  g_autofree char *by_id = g_strdup_printf ("[\"%s\"]", invreq_id);
  JsonObject *d;
  JsonObject *item;

  g_assert_true (json_object_get_boolean_member (obj (created), "single_use"));
  g_assert_true (json_object_get_boolean_member (obj (created), "active"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (obj (created), "bolt12"),
                                   "lnr1"));
  /* fresh metadata each time: a new request */
  g_assert_cmpstr (json_object_get_string_member (obj (again), "invreq_id"), !=, invreq_id);

  decoded = decode (f->cmds, json_object_get_string_member (obj (created), "bolt12"));
  d = obj (decoded);
  g_assert_cmpstr (json_object_get_string_member (d, "type"), ==, "bolt12 invoice_request");
  g_assert_cmpint (json_object_get_int_member (d, "invreq_amount_msat"), ==, 1000000);
  g_assert_cmpstr (json_object_get_string_member (d, "offer_description"), ==, "payout");
  g_assert_cmpstr (json_object_get_string_member (d, "offer_issuer"), ==, "Fish & Co");
  g_assert_cmpint (json_object_get_int_member (d, "offer_absolute_expiry"), ==, 1900000000);
  g_assert_cmpstr (json_object_get_string_member (d, "invreq_payer_id"), ==, id);
  g_assert_cmpuint (strlen (json_object_get_string_member (d, "invreq_metadata")), ==, 32);
  g_assert_true (json_object_has_member (d, "signature"));
  g_assert_false (json_object_has_member (d, "warning_invalid_invoice_request_signature"));
  g_assert_false (json_object_has_member (d, "invreq_chain"));

  list = call_ok (f->cmds, "listinvoicerequests", by_id);
  item = json_array_get_object_element (
    json_object_get_array_member (obj (list), "invoicerequests"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "invreq_id"), ==, invreq_id);
  g_assert_cmpint (json_object_get_int_member (item, "invreq_amount_msat"), ==, 1000000);
  g_assert_cmpstr (json_object_get_string_member (item, "description"), ==, "payout");
  g_assert_false (json_object_has_member (item, "refund_payment_hash"));

  disabled = call_ok (f->cmds, "disableinvoicerequest", by_id);
  g_assert_false (json_object_get_boolean_member (obj (disabled), "active"));
  assert_call_error (f->cmds, "disableinvoicerequest", by_id, OD_ERROR_OFFER_ALREADY_DISABLED,
                     "invoice_request is not active");
  assert_call_error (f->cmds, "invoicerequest", "[\"18446744073709551616msat\", \"x\"]",
                     OD_ERROR_INVALID_PARAMS, "amount: excessively large value");
  assert_call_error (f->cmds, "invoicerequest", "[\"1msat\", \"x\", null, null, null, 7]",
                     OD_ERROR_INVALID_PARAMS, "single_use: should be a boolean");
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  const char *preimage = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autofree char *params = g_strdup_printf ("{\"amount\": \"5000sat\", \"description\": "
                                             "\"refund 42\", \"label\": \"r42\", "
                                             "\"refund_for\": \"%s\"}", preimage);
  g_autoptr(JsonNode) refund = call_ok (f->cmds, "offer", params);
  g_autofree char *lower = g_ascii_strdown (preimage, -1);
  g_autofree char *hash = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) offers = NULL;
  JsonObject *item;

  {
    guint8 bytes[32];
    g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

    for (guint i = 0; i < 32; i++)
      bytes[i] = (guint8) (g_ascii_xdigit_value (lower[2 * i]) << 4
                           | g_ascii_xdigit_value (lower[2 * i + 1]));
    g_checksum_update (checksum, bytes, 32);
    hash = g_strdup (g_checksum_get_string (checksum));
  }

  g_assert_cmpstr (json_object_get_string_member (obj (refund), "refund_for"), ==, lower);
  g_assert_true (json_object_get_boolean_member (obj (refund), "single_use"));
  g_assert_cmpstr (json_object_get_string_member (obj (refund), "label"), ==, "r42");
  g_assert_true (json_object_has_member (obj (refund), "invreq_id"));

  list = call_ok (f->cmds, "listinvoicerequests", NULL);
  item = json_array_get_object_element (
    json_object_get_array_member (obj (list), "invoicerequests"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "refund_payment_hash"), ==, hash);
  g_assert_cmpint (json_object_get_int_member (item, "invreq_amount_msat"), ==, 5000000);

  offers = call_ok (f->cmds, "listoffers", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (offers), "offers")),
                    ==, 0);

  g_free (params);
  params = g_strdup_printf ("{\"amount\": \"1sat\", \"description\": \"r\", \"refund_for\": "
                            "\"%s\", \"single_use\": false}", preimage);
  assert_call_error (f->cmds, "offer", params, OD_ERROR_INVALID_PARAMS,
                     "single_use: a refund is always single-use");
  g_free (params);
  params = g_strdup_printf ("{\"amount\": \"1sat\", \"description\": \"r\", \"refund_for\": "
                            "\"%s\", \"quantity_max\": 2}", preimage);
  assert_call_error (f->cmds, "offer", params, OD_ERROR_INVALID_PARAMS,
                     "refund_for: cannot be combined with quantity_max");
  g_free (params);
  params = g_strdup_printf ("{\"amount\": \"1USD\", \"description\": \"r\", \"refund_for\": "
                            "\"%s\"}", preimage);
  assert_call_error (f->cmds, "offer", params, OD_ERROR_INVALID_PARAMS,
                     "refund_for: needs an amount in msat");
  g_free (params);
  params = g_strdup_printf ("{\"amount\": \"0msat\", \"description\": \"r\", \"refund_for\": "
                            "\"%s\"}", preimage);
  assert_call_error (f->cmds, "offer", params, OD_ERROR_INVALID_PARAMS,
                     "amount: must be greater than zero");
  g_free (params);
  params = g_strdup_printf ("{\"amount\": \"1msat\", \"refund_for\": \"%s\"}", preimage);
  assert_call_error (f->cmds, "offer", params, OD_ERROR_INVALID_PARAMS,
                     "description: description is required for the user to know what it was "
                     "they paid for");
}

/* ---- getinfo and the key ---- */

static void
test_getinfo_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *key_path = network_path (f, "issuer.key");
  g_autofree char *key_text = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(JsonNode) info2 = NULL;
  g_autoptr(GError) error = NULL;
  guint8 seckey[32];
  guint8 pubkey[33];
  GString *hex = g_string_new (NULL);
  g_autofree char *pubkey_hex = NULL;
  GStatBuf st;

  info = call_ok (f->cmds, "getinfo", NULL);
  g_assert_true (g_file_get_contents (key_path, &key_text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  for (guint i = 0; i < 32; i++)
    seckey[i] = (guint8) (g_ascii_xdigit_value (key_text[2 * i]) << 4
                          | g_ascii_xdigit_value (key_text[2 * i + 1]));
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
  for (guint i = 0; i < 33; i++)
    g_string_append_printf (hex, "%02x", pubkey[i]);
  pubkey_hex = g_string_free (hex, FALSE);

  g_assert_cmpstr (json_object_get_string_member (obj (info), "id"), ==, pubkey_hex);
  g_assert_cmpstr (json_object_get_string_member (obj (info), "network"), ==,
                   od_commands_get_network (f->cmds));
  g_assert_cmpstr (json_object_get_string_member (obj (info), "backend"), ==, "embedded");
  g_assert_cmpstr (json_object_get_string_member (obj (info), "data_dir"), ==, f->data_dir);
  g_assert_cmpstr (json_object_get_string_member (obj (info), "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (obj (info), "num_offers"), ==, 0);
  /* reading counts created no database */
  {
    g_autofree char *db = network_path (f, OD_STORE_FILENAME);

    g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  }

  json_node_unref (call_ok (f->cmds, "offer", "[\"1msat\", \"a\"]"));
  json_node_unref (call_ok (f->cmds, "offer", "[\"2msat\", \"b\"]"));
  {
    g_autoptr(JsonNode) b = call_ok (f->cmds, "offer", "[\"2msat\", \"b\"]");
    g_autofree char *params = g_strdup_printf ("[\"%s\"]",
                                               json_object_get_string_member (obj (b), "offer_id"));

    json_node_unref (call_ok (f->cmds, "disableoffer", params));
  }
  json_node_unref (call_ok (f->cmds, "invoicerequest", "[\"2msat\", \"c\"]"));

  /* Another OdCommands (another process, say) sees the same key and counts. */
  {
    g_autoptr(OdCommands) other = od_commands_new (f->data_dir,
                                                   od_commands_get_network (f->cmds));

    info2 = call_ok (other, "getinfo", "[]");
  }
  g_assert_cmpstr (json_object_get_string_member (obj (info2), "id"), ==, pubkey_hex);
  g_assert_cmpint (json_object_get_int_member (obj (info2), "num_offers"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (obj (info2), "num_active_offers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (obj (info2), "num_invoicerequests"), ==, 1);
}

/* A key file others can read is refused, clearly, and left as it is. */
static void
test_key_permissions (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->data_dir, "bitcoin", NULL);
  g_autofree char *key_path = g_build_filename (dir, "issuer.key", NULL);
  g_autofree char *db = g_build_filename (dir, OD_STORE_FILENAME, NULL);
  const char *key = "0101010101010101010101010101010101010101010101010101010101010101\n";
  const char *methods[][2] = {
    { "offer", "[\"1msat\", \"x\"]" },
    { "invoicerequest", "[\"1msat\", \"x\"]" },
    { "getinfo", "[]" },
  };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (key_path, key, -1, NULL));
  g_assert_cmpint (g_chmod (key_path, 0644), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = od_commands_call_json (f->cmds, methods[i][0], methods[i][1],
                                                          &error);
      g_autofree char *after = NULL;
      GStatBuf st;

      g_assert_null (result);
      g_assert_error (error, OD_ERROR, OD_ERROR_GENERIC);
      g_test_message ("%s: %s", methods[i][0], error->message);
      g_assert_nonnull (strstr (error->message, key_path));
      g_assert_nonnull (strstr (error->message, "chmod 600"));
      g_assert_true (g_file_get_contents (key_path, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, key);
      g_assert_cmpint (g_stat (key_path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0644);
    }
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
}

/* A damaged database: every command that needs the store says so and leaves the file alone. */
static void
test_corrupt_database (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->data_dir, "bitcoin", NULL);
  g_autofree char *db = g_build_filename (dir, OD_STORE_FILENAME, NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *before = NULL;
  gsize before_len = 0;
  const char *methods[][2] = {
    { "offer", "[\"1msat\", \"x\"]" },
    { "offer", "[\"1USD\", \"x\"]" },
    { "invoicerequest", "[\"1msat\", \"x\"]" },
    { "listoffers", "[]" },
    { "listinvoicerequests", "[]" },
    { "disableoffer", "[\"0000000000000000000000000000000000000000000000000000000000000000\"]" },
    { "enableoffer", "[\"0000000000000000000000000000000000000000000000000000000000000000\"]" },
    { "disableinvoicerequest",
      "[\"0000000000000000000000000000000000000000000000000000000000000000\"]" },
    { "getinfo", "[]" },
    { "setrate", "[\"USD\", 1000]" },
    { "listrates", "[]" },
    { "currencyconvert", "[1, \"USD\"]" },
  };

  /* A real database with one offer, then damaged in the middle. */
  json_node_unref (call_ok (f->cmds, "offer", "[\"1msat\", \"first\"]"));
  g_clear_pointer (&f->cmds, od_commands_free);
  {
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
    g_assert_cmpuint (len, >=, 4096);
    memset (contents + 100, 0xa5, len - 100);
    g_assert_true (g_file_set_contents (db, contents, len, NULL));
    g_chmod (db, 0600);
    g_unlink (wal);
  }
  /* Without a key: a failing command must not create one. */
  {
    g_autofree char *key = g_build_filename (dir, "issuer.key", NULL);

    g_assert_cmpint (g_unlink (key), ==, 0);
  }
  g_assert_true (g_file_get_contents (db, &before, &before_len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(OdCommands) cmds = od_commands_new (f->data_dir, "bitcoin");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = od_commands_call_json (cmds, methods[i][0], methods[i][1],
                                                          &error);
      g_autofree char *after = NULL;
      gsize after_len = 0;

      g_test_message ("%s: %s", methods[i][0], error != NULL ? error->message : "(ok)");
      g_assert_null (result);
      g_assert_error (error, OD_ERROR, OD_ERROR_GENERIC);
      g_assert_nonnull (strstr (error->message, db));
      g_assert_nonnull (strstr (error->message, "damaged"));
      g_assert_true (g_file_get_contents (db, &after, &after_len, NULL));
      g_assert_cmpuint (after_len, ==, before_len);
      g_assert_true (memcmp (after, before, before_len) == 0);
      /* (the store's read-only check may leave an empty -wal and a -shm next to it: sqlite's
       * side files, not the database) */
      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        {
          GStatBuf st;

          g_assert_cmpint (g_stat (wal, &st), ==, 0);
          g_assert_cmpint (st.st_size, ==, 0);
        }
    }

  {
    g_autofree char *key = g_build_filename (dir, "issuer.key", NULL);

    g_assert_false (g_file_test (key, G_FILE_TEST_EXISTS));
  }

  /* decode and help do not need the store */
  f->cmds = od_commands_new (f->data_dir, "bitcoin");
  json_node_unref (call_ok (f->cmds, "help", NULL));
}

/* A file that is not a database at all. */
static void
test_not_a_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->data_dir, "bitcoin", NULL);
  g_autofree char *db = g_build_filename (dir, OD_STORE_FILENAME, NULL);
  const char *text = "this is not a database, it is a shopping list\n";
  g_autofree char *after = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (db, text, -1, NULL));

  assert_call_error (f->cmds, "listoffers", "[]", OD_ERROR_GENERIC, NULL);
  assert_call_error (f->cmds, "offer", "[\"1msat\", \"x\"]", OD_ERROR_GENERIC, NULL);
  g_assert_true (g_file_get_contents (db, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
}

/* ---- nothing is created by reading or by bad input ---- */

static void
test_creates_nothing (Fixture       *f,
                      gconstpointer  data)
{
  const char *calls[][2] = {
    { "decode", "[\"lno1pgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0"
                "jsd5xvxg\"]" },
    { "help", NULL },
    { "listoffers", NULL },
    { "listinvoicerequests", "{\"active_only\": true}" },
    { "listrates", NULL },
  };
  const char *failing[][2] = {
    { "offer", "[\"0msat\", \"zero\"]" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"recurrence\": \"0days\"}" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"recurrence\": \"1day\", "
               "\"recurrence_limit\": 0}" },
    { "offer", "[\"1USD\", \"no rate\"]" },
    { "offer", "[\"2msat\"]" },
    { "invoicerequest", "[\"0msat\", \"x\"]" },
    { "currencyconvert", "[1, \"USD\"]" },
    { "disableoffer", "[\"0000000000000000000000000000000000000000000000000000000000000000\"]" },
    { "enableoffer", "[\"0000000000000000000000000000000000000000000000000000000000000000\"]" },
    { "setrate", "[\"USD\", 0]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    json_node_unref (call_ok (f->cmds, calls[i][0], calls[i][1]));
  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = od_commands_call_json (f->cmds, failing[i][0], failing[i][1],
                                                          &error);

      g_assert_null (result);
      g_assert_nonnull (error);
    }
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));

  /* The first good offer creates the key, then the database. */
  json_node_unref (call_ok (f->cmds, "offer", "[\"1msat\", \"x\"]"));
  g_assert_true (g_file_test (f->data_dir, G_FILE_TEST_IS_DIR));
}

/* ---- od_commands_check: the call's error, or success, without writing anything ---- */

static void
test_check (Fixture       *f,
            gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *params;   /* JSON */
    int         code;     /* 0: valid */
    const char *message;
  } cases[] = {
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\"}", 0, NULL },
    { "offer", "{\"amount\": \"any\"}", 0, NULL },
    { "offer", "{\"amount\": \"ab\", \"description\": \"x\"}", OD_ERROR_INVALID_PARAMS,
      "amount: Not a number, and too short for currency" },
    { "offer", "{\"amount\": \"1.1AUD\", \"description\": \"x\"}", OD_ERROR_INVALID_PARAMS,
      "amount: Currency AUD requires 2 minor units" },
    { "offer", "{\"amount\": \"1USD\", \"description\": \"x\"}", OD_ERROR_INVALID_PARAMS,
      "amount: no exchange rate for USD: add one with 'offerdesk-cli setrate USD <msat per USD>'" },
    { "offer", "{\"amount\": \"0msat\", \"description\": \"x\"}", OD_ERROR_INVALID_PARAMS,
      "bolt12: Offer contains a zero amount" },
    { "offer", "{\"amount\": \"2msat\"}", OD_ERROR_INVALID_PARAMS,
      "description: description is required for the user to know what it was they paid for" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"recurrence\": \"0weeks\"}",
      OD_ERROR_INVALID_PARAMS, "bolt12: Offer contains invalid recurrence period 0" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"recurrence\": \"1day\", "
               "\"recurrence_paywindow\": \"-10+600\", \"proportional_amount\": true}",
      OD_ERROR_INVALID_PARAMS, "proportional_amount: proportional_amount needs recurrence_base" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"colour\": \"red\"}",
      OD_ERROR_INVALID_PARAMS, "unknown parameter: colour" },
    { "offer", "{\"amount\": \"1msat\", \"description\": \"x\", \"recurrence\": \"4weeks\", "
               "\"recurrence_base\": \"@1700000000\", \"recurrence_limit\": 12}", 0, NULL },
    { "offer", "{\"amount\": \"5000sat\", \"description\": \"r\", \"refund_for\": "
               "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}", 0, NULL },
    { "invoicerequest", "{\"amount\": \"1000msat\", \"description\": \"x\"}", 0, NULL },
    { "invoicerequest", "{\"amount\": \"0msat\", \"description\": \"x\"}",
      OD_ERROR_INVALID_PARAMS, "amount: must be greater than zero" },
    { "invoicerequest", "{\"amount\": \"1000msat\"}", OD_ERROR_INVALID_PARAMS,
      "missing required parameter: description" },
    { "nosuchcommand", NULL, OD_ERROR_METHOD_NOT_FOUND, "Unknown command 'nosuchcommand'" },
  };
  g_autoptr(JsonNode) offer = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(GError) error = NULL;
  const char *offer_id;

  /* On an empty data dir: nothing is created, not even the directory. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) params = cases[i].params != NULL ? parse_json (cases[i].params) : NULL;
      g_autoptr(GError) check_error = NULL;
      g_autoptr(GError) call_error = NULL;
      gboolean ok = od_commands_check (f->cmds, cases[i].method, params, &check_error);

      g_test_message ("%s %s", cases[i].method, cases[i].params);
      if (cases[i].code == 0)
        {
          g_assert_no_error (check_error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (check_error, OD_ERROR, cases[i].code);
      g_assert_cmpstr (check_error->message, ==, cases[i].message);
      g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));

      /* The call itself gives the same error. */
      g_assert_null (od_commands_call (f->cmds, cases[i].method, params, &call_error));
      g_assert_error (call_error, OD_ERROR, check_error->code);
      g_assert_cmpstr (call_error->message, ==, check_error->message);
    }
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));

  /* With a key and a store: a disabled offer is error 1000 in the check too, and the check
   * never adds a row. */
  offer = call_ok (f->cmds, "offer", "{\"amount\": \"2msat\", \"description\": \"again\"}");
  offer_id = json_object_get_string_member (obj (offer), "offer_id");
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\"]", offer_id);

    json_node_unref (call_ok (f->cmds, "disableoffer", p));
  }
  {
    g_autoptr(JsonNode) params = parse_json ("{\"amount\": \"2msat\", \"description\": \"again\"}");

    g_assert_false (od_commands_check (f->cmds, "offer", params, &error));
    g_assert_error (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_EXISTS);
    g_assert_cmpstr (error->message, ==, "Already exists, but isn't active");
    g_clear_error (&error);
  }
  {
    g_autoptr(JsonNode) params = parse_json ("{\"amount\": \"3msat\", \"description\": \"new\"}");
    g_autoptr(JsonNode) rparams = parse_json ("{\"amount\": \"3msat\", \"description\": \"r\"}");

    g_assert_true (od_commands_check (f->cmds, "offer", params, &error));
    g_assert_no_error (error);
    g_assert_true (od_commands_check (f->cmds, "invoicerequest", rparams, &error));
    g_assert_no_error (error);
  }
  listed = call_ok (f->cmds, "listoffers", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (listed), "offers")),
                    ==, 1);
  json_node_unref (listed);
  listed = call_ok (f->cmds, "listinvoicerequests", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (listed),
                                                                         "invoicerequests")),
                    ==, 0);
}

/* ---- currencies ---- */

static void
test_currency (Fixture       *f,
               gconstpointer  data)
{
  static const struct
  {
    const char *amount;  /* JSON */
    guint64     rate;
    guint64     msat;
  } cases[] = {
    { "2", 1500000, 3000000 },
    { "1.5", 1500000, 2250000 },
    { "\"0.01\"", 1500000, 15000 },
    { "0.5", 3, 2 },                      /* 1.5 -> 2 (half up) */
    { "0.49", 3, 1 },                     /* 1.47 */
    { "0.1666666666666666666666667", 3, 1 },  /* 0.5000000000000000000000001 */
    { "0.1666666666666666666666666", 3, 0 },  /* 0.4999999999999999999999998 */
    { "0.166666666666666666666666666666666666666666666666666666666666666666666666666666667", 3, 1 },
    { "1e3", 7, 7000 },
    { "2.5E-1", 10, 3 },                  /* 2.5 -> 3 */
    { "25e-2", 10, 3 },
    { "0", 12345, 0 },
    { "0.0000000000000000000000000000000000001", 2100000000000000000, 0 },
    { "1e-1000000000000000000000", 2100000000000000000, 0 },
    { "0.1", 2100000000000000000, 210000000000000000 },
    { "1", 2100000000000000000, 2100000000000000000 },
    { "000123.4500", 100, 12345 },
  };
  g_autoptr(JsonNode) rates = NULL;
  g_autoptr(JsonNode) offer = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *array;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *setrate = g_strdup_printf ("[\"USD\", %" G_GUINT64_FORMAT "]",
                                                  cases[i].rate);
      g_autofree char *convert = g_strdup_printf ("[%s, \"USD\"]", cases[i].amount);
      g_autoptr(JsonNode) set = call_json_ok (f->cmds, "setrate", setrate);
      g_autoptr(JsonNode) converted = call_json_ok (f->cmds, "currencyconvert", convert);

      g_test_message ("%s x %" G_GUINT64_FORMAT, cases[i].amount, cases[i].rate);
      g_assert_cmpint (json_object_get_int_member (obj (set), "msat_per_unit"), ==,
                       (gint64) cases[i].rate);
      g_assert_cmpint (json_object_get_int_member (obj (converted), "msat"), ==,
                       (gint64) cases[i].msat);
    }

  /* A JsonNode double is taken by its shortest text. */
  json_node_unref (call_ok (f->cmds, "setrate",
                            "{\"currency\": \"USD\", \"msat_per_unit\": 1000}"));
  {
    g_autoptr(JsonNode) converted = call_ok (f->cmds, "currencyconvert",
                                             "{\"amount\": 1.25, \"currency\": \"USD\"}");

    g_assert_cmpint (json_object_get_int_member (obj (converted), "msat"), ==, 1250);
  }

  json_node_unref (call_ok (f->cmds, "setrate", "[\"USD\", 2100000000000000000]"));
  assert_call_error (f->cmds, "currencyconvert", "[\"1.0000000000000000005\", \"USD\"]",
                     OD_ERROR_INVALID_PARAMS, "amount: excessively large value");
  assert_call_error (f->cmds, "currencyconvert", "[1e30, \"USD\"]",
                     OD_ERROR_INVALID_PARAMS, "amount: excessively large value");
  assert_call_error (f->cmds, "currencyconvert", "[-1, \"USD\"]",
                     OD_ERROR_INVALID_PARAMS, "amount: should be a non-negative number");
  assert_call_error (f->cmds, "currencyconvert", "[\"1.\", \"USD\"]",
                     OD_ERROR_INVALID_PARAMS, "amount: should be a non-negative number");
  assert_call_error (f->cmds, "currencyconvert", "[1, \"usd\"]",
                     OD_ERROR_INVALID_PARAMS,
                     "currency: should be an ISO 4217 currency code, like USD");
  assert_call_error (f->cmds, "currencyconvert", "[1, \"EUR\"]", OD_ERROR_INVALID_PARAMS,
                     "currency: no exchange rate for EUR: add one with 'offerdesk-cli setrate "
                     "EUR <msat per EUR>'");
  assert_call_error (f->cmds, "setrate", "[\"USD\", 2100000000000000001]",
                     OD_ERROR_INVALID_PARAMS,
                     "msat_per_unit: should be at most 2100000000000000000 (21 million bitcoin)");
  assert_call_error (f->cmds, "setrate", "[\"XYZ\", 1]", OD_ERROR_INVALID_PARAMS,
                     "currency: should be an ISO 4217 currency code, like USD");

  json_node_unref (call_ok (f->cmds, "setrate", "[\"EUR\", 1100]"));
  json_node_unref (call_ok (f->cmds, "setrate", "[\"CHF\", 1200]"));
  rates = call_ok (f->cmds, "listrates", NULL);
  array = json_object_get_array_member (obj (rates), "rates");
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "currency"), ==, "CHF");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2),
                                                  "currency"), ==, "USD");
  g_assert_true (json_object_has_member (json_array_get_object_element (array, 1), "updated_at"));

  offer = call_ok (f->cmds, "offer", "[\"10.05EUR\", \"lunch\"]");
  list = call_ok (f->cmds, "listoffers", NULL);
  {
    JsonObject *item = json_array_get_object_element (
      json_object_get_array_member (obj (list), "offers"), 0);

    g_assert_cmpstr (json_object_get_string_member (item, "offer_currency"), ==, "EUR");
    g_assert_cmpint (json_object_get_int_member (item, "offer_amount"), ==, 1005);
    g_assert_false (json_object_has_member (item, "offer_amount_msat"));
  }
}

static void
test_decimal (void)
{
  static const char *bad[] = { "", "-1", "+1", ".5", "1.", "1e", "1e+", "abc", "1 ", " 1",
                               "0x10", "1.5.5", "1,5", "∞", "NaN" };
  guint64 out = 0;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (od_decimal_parse (bad[i]));

  {
    g_autoptr(OdDecimal) d = od_decimal_parse ("18446744073709551615");

    g_assert_true (od_decimal_mul_round (d, 1, G_MAXUINT64, &out));
    g_assert_cmpuint (out, ==, G_MAXUINT64);
    g_assert_false (od_decimal_mul_round (d, 2, G_MAXUINT64, &out));
  }
  {
    g_autoptr(OdDecimal) d = od_decimal_parse ("18446744073709551614.5");

    g_assert_true (od_decimal_mul_round (d, 1, G_MAXUINT64, &out));
    g_assert_cmpuint (out, ==, G_MAXUINT64);
  }
  {
    g_autoptr(OdDecimal) d = od_decimal_parse ("18446744073709551615.5");

    g_assert_false (od_decimal_mul_round (d, 1, G_MAXUINT64, &out));
  }
  {
    g_autoptr(OdDecimal) d = od_decimal_parse ("1e20");

    g_assert_false (od_decimal_mul_round (d, 1, G_MAXUINT64, &out));
  }
  {
    g_autoptr(OdDecimal) d = od_decimal_parse ("1e19");

    g_assert_true (od_decimal_mul_round (d, 1, G_MAXUINT64, &out));
    g_assert_cmpuint (out, ==, G_GUINT64_CONSTANT (10000000000000000000));
  }
  {
    /* big mantissa times a big factor, exactly */
    g_autoptr(OdDecimal) d = od_decimal_parse ("0.000000000000000000123456789012345678901");

    g_assert_true (od_decimal_mul_round (d, G_GUINT64_CONSTANT (10000000000000000000), G_MAXUINT64,
                                         &out));
    g_assert_cmpuint (out, ==, 1);  /* 1.23456789… */
  }
}

/* ---- help documents every command and parameter ---- */

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonNode) help = call_ok (f->cmds, "help", NULL);
  JsonArray *entries = json_object_get_array_member (obj (help), "help");
  const char *expected[] = { "offer", "invoicerequest", "listoffers", "disableoffer",
                             "enableoffer", "listinvoicerequests", "disableinvoicerequest",
                             "decode", "getinfo", "help", "currencyconvert", "setrate",
                             "listrates" };

  g_assert_cmpuint (json_array_get_length (entries), ==,
                    g_strv_length ((char **) od_commands_list ()));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains (od_commands_list (), expected[i]));

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *usage = json_object_get_string_member (entry, "usage");
      const char *verbose = json_object_get_string_member (entry, "verbose");
      g_auto(GStrv) words = g_strsplit (usage, " ", -1);

      g_assert_cmpstr (verbose, ==, od_commands_help (words[0]));
      g_assert_cmpuint (strlen (json_object_get_string_member (entry, "description")), >, 20);
      for (guint w = 1; words[w] != NULL; w++)
        {
          g_autofree char *name = g_strndup (words[w] + (words[w][0] == '['),
                                             strcspn (words[w] + (words[w][0] == '['), "]"));
          g_autofree char *line = g_strdup_printf ("    %s (%s): ", name,
                                                   words[w][0] == '[' ? "optional" : "required");
          const char *doc = strstr (verbose, line);

          if (doc == NULL)
            g_error ("%s: parameter %s is not documented", words[0], name);
          g_assert_cmpuint (strcspn (doc + strlen (line), "\n"), >, 10);
        }
    }

  g_assert_nonnull (strstr (od_commands_help ("offer"), "quantity_min (optional)"));
  assert_call_error (f->cmds, "help", "[\"frobnicate\"]", OD_ERROR_METHOD_NOT_FOUND,
                     "Unknown command 'frobnicate'");
}

/* ---- threads: the GUI calls commands from worker threads ---- */

typedef struct
{
  OdCommands *cmds;
  guint       index;
  GPtrArray  *ids;
} ThreadData;

static gpointer
create_offers_thread (gpointer user_data)
{
  ThreadData *t = user_data;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *params = g_strdup_printf ("[\"%umsat\", \"thread %u offer %u\"]",
                                                 i + 1, t->index, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = od_commands_call_json (t->cmds, "offer", params, &error);

      g_assert_no_error (error);
      g_ptr_array_add (t->ids, g_strdup (json_object_get_string_member (obj (result),
                                                                        "offer_id")));
    }

  return NULL;
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  ThreadData threads[4];
  GThread *handles[4];
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *offers;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      threads[i].cmds = f->cmds;
      threads[i].index = i;
      threads[i].ids = g_ptr_array_new_with_free_func (g_free);
      handles[i] = g_thread_new ("offers", create_offers_thread, &threads[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (handles[i]);

  list = call_ok (f->cmds, "listoffers", NULL);
  offers = json_object_get_array_member (obj (list), "offers");
  g_assert_cmpuint (json_array_get_length (offers), ==, 100);
  for (guint i = 0; i < json_array_get_length (offers); i++)
    g_hash_table_add (listed, (gpointer) json_object_get_string_member (
                                json_array_get_object_element (offers, i), "offer_id"));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      for (guint j = 0; j < threads[i].ids->len; j++)
        g_assert_true (g_hash_table_contains (listed, threads[i].ids->pdata[j]));
      g_ptr_array_unref (threads[i].ids);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, network) \
  g_test_add (path, Fixture, network, fixture_setup, func, fixture_teardown)

  ADD ("/commands/offer/decodes-to-params", test_offer_decodes_to_params, "bitcoin");
  ADD ("/commands/offer/decodes-to-params-regtest", test_offer_decodes_to_params, "regtest");
  ADD ("/commands/offer/lifecycle", test_offer_lifecycle, "bitcoin");
  ADD ("/commands/offer/enable-used-single-use", test_enable_used_single_use, "bitcoin");
  ADD ("/commands/params/object-vs-array", test_params_object_vs_array, "bitcoin");
  ADD ("/commands/params/u-escape", test_params_u_escape, "bitcoin");
  ADD ("/commands/invoicerequest", test_invoicerequest, "bitcoin");
  ADD ("/commands/refund", test_refund, "testnet");
  ADD ("/commands/getinfo/key", test_getinfo_key, "signet");
  ADD ("/commands/key/permissions", test_key_permissions, "bitcoin");
  ADD ("/commands/store/corrupt", test_corrupt_database, "bitcoin");
  ADD ("/commands/store/not-a-database", test_not_a_database, "bitcoin");
  ADD ("/commands/store/creates-nothing", test_creates_nothing, "bitcoin");
  ADD ("/commands/store/check", test_check, "bitcoin");
  ADD ("/commands/currency", test_currency, "bitcoin");
  ADD ("/commands/help", test_help, "bitcoin");
  ADD ("/commands/threads", test_threads, "regtest");
  g_test_add_func ("/commands/decimal", test_decimal);

#undef ADD

  return g_test_run ();
}
