/* od-test-node-rpc.c: what the stand-in Core Lightning node answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In this order:
 *  1. a recorded example (--recorded DIR): getinfo, and any request whose method and params
 *     equal a recorded request, get the recorded response as it is;
 *  2. the node's own methods: getinfo (Core Lightning's shape, our key as id), currencyconvert
 *     (CLN's test plugin rates), listinvoices, waitanyinvoice, dev-pay, dev-fault;
 *  3. the offer family on an embedded OdCommands in the data dir, whose key is the node key;
 *     results cut down to the members Core Lightning returns;
 *  4. anything else: -32601 "Unknown command 'X'".
 *
 * Invoices live in <data dir>/<network>/test-node-invoices.json (with the next pay_index), so
 * a restarted node keeps its pay_index and its paid invoices, as a real node does.
 */

#include "config.h"

#include "od-test-node.h"

#include <math.h>
#include <string.h>

#include "bolt12.h"

#define INVOICES_FILENAME  "test-node-invoices.json"
#define RATE_MSAT_PER_UNIT 5000 /* tests/plugins/currencyUSDAUD5000.py: round(amount * 5000) */
#define DEFAULT_SLOW_MS    2000

/* Core Lightning's invoice error codes (common/jsonrpc_errors.h). */
#define INVOICE_WAIT_TIMED_OUT  904
#define INVOICE_OFFER_INACTIVE  907

typedef struct
{
  char     *method;
  JsonNode *params;
  JsonNode *response;
} Recorded;

struct _OdNode
{
  char        *data_dir;
  char        *network;
  char        *network_dir;
  char        *id;

  OdCommands  *commands;
  OdCommands  *other;          /* another node's key, for the other-node fault */
  OdSigner    *signer;
  OdStore     *store;          /* our own connection to the embedded store: marks offers used */

  GPtrArray   *recorded;       /* of Recorded* */
  JsonNode    *recorded_getinfo;

  char        *invoices_path;
  JsonArray   *invoices;       /* CLN-shaped invoice objects, in created order */
  guint64      next_pay_index;
  guint64      next_created_index;

  GPtrArray   *waiters;        /* parked waitanyinvoice calls */
  GPtrArray   *delayed;        /* calls whose reply the slow fault holds back */

  OdNodeFault  fault;
  guint        fault_delay_ms;
  guint        fault_count;
};

struct _OdNodeCall
{
  OdNode          *node;
  char            *method;
  JsonNode        *params;
  char            *params_text;
  OdNodeReplyFunc  reply;
  gpointer         user_data;

  guint            source_id;      /* waitanyinvoice's timeout, or the slow fault's delay */
  guint64          lastpay_index;  /* waitanyinvoice */

  JsonNode        *result;         /* held back by the slow fault */
  GError          *error;
  JsonNode        *error_data;
};

static void
recorded_free (Recorded *recorded)
{
  g_free (recorded->method);
  g_clear_pointer (&recorded->params, json_node_unref);
  g_clear_pointer (&recorded->response, json_node_unref);
  g_free (recorded);
}

static void
call_free (OdNodeCall *call)
{
  g_clear_handle_id (&call->source_id, g_source_remove);
  g_free (call->method);
  g_clear_pointer (&call->params, json_node_unref);
  g_free (call->params_text);
  g_clear_pointer (&call->result, json_node_unref);
  g_clear_error (&call->error);
  g_clear_pointer (&call->error_data, json_node_unref);
  g_free (call);
}

/* ---- Errors and parameters ----------------------------------------------------------------- */

static JsonNode *
fail (GError     **error,
      int          code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static JsonNode *
fail (GError     **error,
      int          code,
      const char  *format,
      ...)
{
  va_list args;

  /* g_set_error() with the caller's arguments. */
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (OD_ERROR, code, format, args));
  va_end (args);

  return NULL;
}

/* A parameter by position (array params) or by name (object params); NULL when absent or
 * null, as Core Lightning treats them. */
typedef struct
{
  const char *name;
  gboolean    required;
} ParamSpec;

static gboolean
bind_params (JsonNode          *params,
             const ParamSpec   *specs,
             JsonNode         **out,
             GError           **error)
{
  guint n_specs = 0;

  while (specs[n_specs].name != NULL)
    n_specs++;

  if (JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);
      guint len = json_array_get_length (array);

      if (len > n_specs)
        {
          fail (error, OD_ERROR_INVALID_PARAMS, "too many parameters: got %u, expected %u",
                len, n_specs);
          return FALSE;
        }
      for (guint i = 0; i < n_specs; i++)
        {
          JsonNode *value = i < len ? json_array_get_element (array, i) : NULL;

          out[i] = value != NULL && !JSON_NODE_HOLDS_NULL (value) ? value : NULL;
        }
    }
  else
    {
      JsonObject *object = json_node_get_object (params);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          gboolean known = FALSE;

          for (guint i = 0; i < n_specs; i++)
            known |= strcmp (specs[i].name, l->data) == 0;
          if (!known)
            {
              fail (error, OD_ERROR_INVALID_PARAMS, "unknown parameter: %s",
                    (const char *) l->data);
              return FALSE;
            }
        }
      for (guint i = 0; i < n_specs; i++)
        {
          JsonNode *value = json_object_get_member (object, specs[i].name);

          out[i] = value != NULL && !JSON_NODE_HOLDS_NULL (value) ? value : NULL;
        }
    }

  for (guint i = 0; i < n_specs; i++)
    if (specs[i].required && out[i] == NULL)
      {
        fail (error, OD_ERROR_INVALID_PARAMS, "missing required parameter: %s", specs[i].name);
        return FALSE;
      }

  return TRUE;
}

static char *
node_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return json_to_string (node, FALSE);
}

/* A u64 given as a JSON integer or as a string of digits (CLN reads the token's text). */
static gboolean
param_u64 (JsonNode    *value,
           const char  *name,
           guint64     *out,
           GError     **error)
{
  g_autofree char *text = node_text (value);

  if (!JSON_NODE_HOLDS_VALUE (value)
      || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out, NULL))
    {
      fail (error, OD_ERROR_INVALID_PARAMS,
            "%s: should be an unsigned 64 bit integer: invalid token '%s'", name, text);
      return FALSE;
    }

  return TRUE;
}

static gboolean
param_string (JsonNode    *value,
              const char  *name,
              const char **out,
              GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    {
      g_autofree char *text = node_text (value);

      fail (error, OD_ERROR_INVALID_PARAMS, "%s: should be a string: invalid token '%s'",
            name, text);
      return FALSE;
    }
  *out = json_node_get_string (value);

  return TRUE;
}

static gboolean
param_hash (JsonNode    *value,
            const char  *name,
            const char **out,
            GError     **error)
{
  const char *text = NULL;

  if (!param_string (value, name, &text, NULL) || strlen (text) != 64
      || strspn (text, "0123456789abcdefABCDEF") != 64)
    {
      fail (error, OD_ERROR_INVALID_PARAMS, "%s: should be a 32 byte hex value", name);
      return FALSE;
    }
  *out = text;

  return TRUE;
}

/* ---- Results in Core Lightning's shape ----------------------------------------------------- */

/* The members Core Lightning returns, in its order (lightningd/offer.c json_populate_offer /
 * json_populate_invreq); the embedded table adds more (created_at, amounts…), which a real node
 * does not send, so the backend must not come to rely on them. */
static const char * const offer_members[] = {
  "offer_id", "active", "single_use", "bolt12", "force_paths", "used", "created", "label", NULL
};
static const char * const listed_offer_members[] = {
  "offer_id", "active", "single_use", "force_paths", "bolt12", "used", "label", "description",
  NULL
};
static const char * const invreq_members[] = {
  "invreq_id", "active", "single_use", "bolt12", "used", "label", NULL
};

static JsonNode *
shape_object (JsonObject         *source,
              const char * const *members)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; members[i] != NULL; i++)
    {
      JsonNode *value = json_object_get_member (source, members[i]);

      if (value != NULL)
        json_object_set_member (object, members[i], json_node_copy (value));
      else if (strcmp (members[i], "force_paths") == 0)
        json_object_set_boolean_member (object, members[i], FALSE);
    }
  json_node_take_object (node, object);

  return node;
}

static JsonNode *
shape_list (JsonNode           *result,
            const char         *list_name,
            const char * const *members)
{
  JsonObject *object = json_object_new ();
  JsonArray *out = json_array_new ();
  JsonNode *list = json_object_get_member (json_node_get_object (result), list_name);
  JsonArray *in = list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; in != NULL && i < json_array_get_length (in); i++)
    json_array_add_element (out, shape_object (json_array_get_object_element (in, i), members));
  json_object_set_array_member (object, list_name, out);
  json_node_take_object (node, object);

  return node;
}

static JsonNode *
shape_result (const char *method,
              JsonNode   *result)
{
  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    return result;

  if (strcmp (method, "offer") == 0)
    return shape_object (json_node_get_object (result), offer_members);
  if (strcmp (method, "listoffers") == 0)
    return shape_list (result, "offers", listed_offer_members);
  if (strcmp (method, "disableoffer") == 0 || strcmp (method, "enableoffer") == 0)
    return shape_object (json_node_get_object (result), listed_offer_members);
  if (strcmp (method, "invoicerequest") == 0 || strcmp (method, "disableinvoicerequest") == 0)
    return shape_object (json_node_get_object (result), invreq_members);
  if (strcmp (method, "listinvoicerequests") == 0)
    return shape_list (result, "invoicerequests", invreq_members);

  return json_node_ref (result);
}

/* ---- The embedded commands ------------------------------------------------------------------ */

static const char * const forwarded_methods[] = {
  "offer", "invoicerequest", "listoffers", "disableoffer", "enableoffer",
  "listinvoicerequests", "disableinvoicerequest", NULL
};

/* Positional names, to rewrite positional params by name (tamper-offer). */
static const char * const offer_param_names[] = {
  "amount", "description", "issuer", "label", "quantity_max", "absolute_expiry", "recurrence",
  "recurrence_base", "recurrence_paywindow", "recurrence_limit", "single_use",
  "proportional_amount", "optional_recurrence", NULL
};
static const char * const invreq_param_names[] = {
  "amount", "description", "issuer", "label", "absolute_expiry", "single_use", NULL
};

static JsonNode *
run_embedded (OdCommands  *commands,
              const char  *method,
              const char  *params_text,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) result = od_commands_call_json (commands, method, params_text,
                                                       &local_error);

  if (result == NULL)
    {
      /* The table's own errors already carry Core Lightning's code; anything else (store,
       * key) is the catch-all, as lightningd's would be. */
      if (local_error->domain == OD_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        fail (error, OD_ERROR_GENERIC, "%s", local_error->message);
      return NULL;
    }

  return shape_result (method, result);
}

/* The same request with another description: an offer the node signs but nobody asked for. */
static char *
tampered_params (const char *method,
                 JsonNode   *params)
{
  const char * const *names = strcmp (method, "offer") == 0 ? offer_param_names
                                                             : invreq_param_names;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  const char *description;
  g_autofree char *tampered = NULL;

  if (JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);

      for (guint i = 0; i < json_array_get_length (array) && names[i] != NULL; i++)
        json_object_set_member (object, names[i],
                                json_node_copy (json_array_get_element (array, i)));
    }
  else
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (params));

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (object, l->data,
                                json_node_copy (json_object_get_member (
                                  json_node_get_object (params), l->data)));
    }

  {
    JsonNode *value = json_object_get_member (object, "description");

    description = value != NULL && JSON_NODE_HOLDS_VALUE (value)
                  && json_node_get_value_type (value) == G_TYPE_STRING
                  ? json_node_get_string (value) : NULL;
  }
  tampered = g_strdup_printf ("%s (tampered)", description != NULL ? description : "");
  json_object_set_string_member (object, "description", tampered);
  json_node_set_object (node, object);

  return json_to_string (node, FALSE);
}

static OdCommands *
get_other_node (OdNode  *node,
                GError **error)
{
  if (node->other == NULL)
    {
      g_autofree char *dir = g_build_filename (node->data_dir, "other-node", NULL);
      g_autoptr(JsonNode) info = NULL;

      node->other = od_commands_new (dir, node->network);
      info = od_commands_call_json (node->other, "getinfo", "{}", error);
      if (info == NULL)
        {
          g_clear_pointer (&node->other, od_commands_free);
          return NULL;
        }
      g_message ("other-node fault: offers come from %s",
                 json_object_get_string_member (json_node_get_object (info), "id"));
    }

  return node->other;
}

static JsonNode *
run_forwarded (OdNode      *node,
               OdNodeCall  *call,
               OdNodeFault  fault,
               GError     **error)
{
  gboolean makes_one = strcmp (call->method, "offer") == 0
                       || strcmp (call->method, "invoicerequest") == 0;

  if (makes_one && fault == OD_NODE_FAULT_OTHER_NODE)
    {
      OdCommands *other = get_other_node (node, error);

      if (other == NULL)
        return NULL;
      return run_embedded (other, call->method, call->params_text, error);
    }
  if (makes_one && fault == OD_NODE_FAULT_TAMPER_OFFER)
    {
      g_autofree char *text = tampered_params (call->method, call->params);

      return run_embedded (node->commands, call->method, text, error);
    }

  return run_embedded (node->commands, call->method, call->params_text, error);
}

/* ---- getinfo, currencyconvert ---------------------------------------------------------------- */

static JsonNode *
cmd_getinfo (OdNode *node)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *color = g_strndup (node->id, 6);

  /* The members and values of the recorded getinfo (getinfo.json), with our id, the color
   * lightningd derives from it, our network and data dir. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, node->id);
  json_builder_set_member_name (b, "alias");
  json_builder_add_string_value (b, "OFFERDESK-TEST-NODE");
  json_builder_set_member_name (b, "color");
  json_builder_add_string_value (b, color);
  json_builder_set_member_name (b, "num_peers");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "num_pending_channels");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "num_active_channels");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "num_inactive_channels");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "address");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "binding");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "ipv4");
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, "127.0.0.1");
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, 30003);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, "v26.09");
  json_builder_set_member_name (b, "blockheight");
  json_builder_add_int_value (b, 114);
  json_builder_set_member_name (b, "network");
  json_builder_add_string_value (b, node->network);
  json_builder_set_member_name (b, "fees_collected_msat");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "lightning-dir");
  json_builder_add_string_value (b, node->network_dir);
  json_builder_set_member_name (b, "our_features");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "init");
  json_builder_add_string_value (b, "800898882a8a59a1");
  json_builder_set_member_name (b, "node");
  json_builder_add_string_value (b, "808898882a8a59a1");
  json_builder_set_member_name (b, "channel");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "invoice");
  json_builder_add_string_value (b, "02000002024100");
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static JsonNode *
cmd_currencyconvert (OdNode      *node,
                     OdNodeCall  *call,
                     GError     **error)
{
  static const ParamSpec specs[] = { { "amount", TRUE }, { "currency", TRUE }, { NULL } };
  JsonNode *values[2];
  g_autofree char *amount_text = NULL;
  const char *currency = NULL;
  double amount;
  char *end = NULL;
  JsonObject *result;
  JsonNode *result_node;

  if (!bind_params (call->params, specs, values, error))
    return NULL;
  amount_text = node_text (values[0]);
  amount = g_ascii_strtod (amount_text, &end);
  if (!JSON_NODE_HOLDS_VALUE (values[0]) || end == amount_text || *end != '\0'
      || !isfinite (amount) || amount < 0)
    return fail (error, OD_ERROR_INVALID_PARAMS, "amount: should be a number: invalid token '%s'",
                 amount_text);
  if (!param_string (values[1], "currency", &currency, error))
    return NULL;

  /* CLN's test provider knows USD and AUD only; its exception comes back through pyln as an
   * "Invalid request" error naming the method. */
  if (strcmp (currency, "USD") != 0 && strcmp (currency, "AUD") != 0)
    return fail (error, OD_ERROR_INVALID_REQUEST,
                 "Error while processing currencyconvert: No values available for currency %s",
                 currency);

  result = json_object_new ();
  json_object_set_int_member (result, "msat", (gint64) llround (amount * RATE_MSAT_PER_UNIT));
  result_node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result_node, result);

  return result_node;
}

/* ---- Invoices -------------------------------------------------------------------------------- */

static gboolean
save_invoices (OdNode  *node,
               GError **error)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonNode) root_node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_object_set_int_member (root, "next_pay_index", (gint64) node->next_pay_index);
  json_object_set_int_member (root, "next_created_index", (gint64) node->next_created_index);
  json_object_set_array_member (root, "invoices", json_array_ref (node->invoices));
  json_node_set_object (root_node, root);
  text = json_to_string (root_node, TRUE);

  return g_file_set_contents (node->invoices_path, text, -1, error);
}

static gboolean
load_invoices (OdNode  *node,
               GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  node->next_pay_index = 1;
  node->next_created_index = 1;
  if (!g_file_test (node->invoices_path, G_FILE_TEST_EXISTS))
    {
      node->invoices = json_array_new ();
      return TRUE;
    }

  if (!json_parser_load_from_file (parser, node->invoices_path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not an object",
                   node->invoices_path);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  node->next_pay_index = json_object_get_int_member_with_default (root, "next_pay_index", 1);
  node->next_created_index = json_object_get_int_member_with_default (root,
                                                                      "next_created_index", 1);
  {
    JsonNode *list = json_object_get_member (root, "invoices");

    node->invoices = list != NULL && JSON_NODE_HOLDS_ARRAY (list)
                     ? json_array_ref (json_node_get_array (list)) : json_array_new ();
  }

  return TRUE;
}

/* Takes object. */
static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

/* A one-hop blinded path to us: its keys only need to be valid points (nobody routes here). */
static Bolt12BlindedPath *
make_blinded_path (const guint8 node_id[33],
                   const guint8 other_point[33])
{
  Bolt12BlindedPath *path = g_new0 (Bolt12BlindedPath, 1);
  Bolt12BlindedHop *hop = g_new0 (Bolt12BlindedHop, 1);
  guint8 data[16];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) g_random_int_range (0, 256);
  memcpy (path->first_node_id, node_id, 33);
  memcpy (path->first_path_key, other_point, 33);
  memcpy (hop->blinded_node_id, other_point, 33);
  hop->encrypted_recipient_data = g_bytes_new (data, sizeof data);
  path->hops = g_ptr_array_new ();
  g_ptr_array_add (path->hops, hop);

  return path;
}

static void
random_bytes (guint8 *out,
              gsize   len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) g_random_int_range (0, 256);
}

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  GString *out = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%02x", data[i]);

  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *offer_id;
  gboolean    has_amount;
  guint64     amount_msat;
  const char *payer_note;
  gboolean    has_quantity;
  guint64     quantity;
  gboolean    has_counter;
  guint64     counter;
} PayRequest;

/* The amount an invoice for the offer asks: the payer's, or the offer's times the quantity (a
 * currency converted at the test rate). */
static gboolean
invoice_amount (const Bolt12Message *offer,
                const PayRequest    *req,
                guint64              quantity,
                guint64             *amount,
                GError             **error)
{
  guint64 unit_msat;

  if (req->has_amount)
    {
      *amount = req->amount_msat;
      return TRUE;
    }
  if (!offer->has_offer_amount)
    {
      fail (error, OD_ERROR_INVALID_PARAMS,
            "amount_msat: required, the offer has no amount");
      return FALSE;
    }
  if (offer->offer_currency != NULL)
    {
      const Bolt12Currency *currency = bolt12_currency_lookup (offer->offer_currency);
      double major;

      if (currency == NULL)
        {
          fail (error, OD_ERROR_GENERIC, "No values available for currency %s",
                offer->offer_currency);
          return FALSE;
        }
      major = (double) offer->offer_amount / pow (10, currency->exponent);
      unit_msat = (guint64) llround (major * RATE_MSAT_PER_UNIT);
    }
  else
    unit_msat = offer->offer_amount;

  if (quantity != 0 && unit_msat > BOLT12_MAX_MSAT / quantity)
    {
      fail (error, OD_ERROR_INVALID_PARAMS, "quantity: amount overflows");
      return FALSE;
    }
  *amount = unit_msat * (quantity != 0 ? quantity : 1);

  return TRUE;
}

/* The lni1 string of a paid invoice: the offer's fields, an invoice_request from a fresh payer
 * key, then the invoice fields, signed by the node key (bolt12-message.h's builder). */
static char *
build_invoice (OdNode             *node,
               const char         *offer_bolt12,
               const PayRequest   *req,
               const guint8        preimage[32],
               guint64             now,
               guint64            *amount_out,
               char              **payer_id_out,
               GError            **error)
{
  g_autoptr(Bolt12Message) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 payer_secret[32];
  guint8 metadata[16];
  guint64 quantity = 0;
  guint64 amount = 0;
  char *str;

  msg = bolt12_message_decode (offer_bolt12, &local_error);
  if (msg == NULL)
    {
      fail (error, OD_ERROR_GENERIC, "stored offer does not decode: %s", local_error->message);
      return NULL;
    }

  if (req->has_quantity && !msg->has_offer_quantity_max)
    {
      fail (error, OD_ERROR_INVALID_PARAMS, "quantity: the offer has no quantity_max");
      return NULL;
    }
  if (msg->has_offer_quantity_max)
    {
      quantity = req->has_quantity ? req->quantity : 1;
      if (quantity == 0 || (msg->offer_quantity_max != 0 && quantity > msg->offer_quantity_max))
        {
          fail (error, OD_ERROR_INVALID_PARAMS, "quantity: out of range for quantity_max %"
                G_GUINT64_FORMAT, msg->offer_quantity_max);
          return NULL;
        }
    }
  if (req->has_counter && !msg->recurrence.present)
    {
      fail (error, OD_ERROR_INVALID_PARAMS, "recurrence_counter: the offer does not recur");
      return NULL;
    }
  if (!invoice_amount (msg, req, quantity, &amount, error))
    return NULL;

  /* The typed fields of the offer stay; the same struct becomes an invoice. */
  msg->kind = BOLT12_KIND_INVOICE;
  g_clear_pointer (&msg->records, g_array_unref);
  g_clear_pointer (&msg->raw, g_bytes_unref);

  do
    random_bytes (payer_secret, sizeof payer_secret);
  while (!bolt12_seckey_valid (payer_secret));
  random_bytes (metadata, sizeof metadata);
  msg->invreq_metadata = g_bytes_new (metadata, sizeof metadata);
  if (msg->offer_chains != NULL && g_bytes_get_size (msg->offer_chains) >= 32)
    {
      msg->has_invreq_chain = TRUE;
      memcpy (msg->invreq_chain, g_bytes_get_data (msg->offer_chains, NULL), 32);
    }
  if (req->has_amount)
    {
      msg->has_invreq_amount = TRUE;
      msg->invreq_amount = req->amount_msat;
    }
  if (quantity != 0)
    {
      msg->has_invreq_quantity = TRUE;
      msg->invreq_quantity = quantity;
    }
  msg->has_invreq_payer_id = bolt12_pubkey_from_seckey (payer_secret, msg->invreq_payer_id);
  if (req->payer_note != NULL)
    msg->invreq_payer_note = g_strdup (req->payer_note);
  if (msg->recurrence.present)
    {
      msg->has_invreq_recurrence_counter = TRUE;
      msg->invreq_recurrence_counter = (guint32) (req->has_counter ? req->counter : 0);
      if (msg->recurrence.has_base)
        {
          msg->has_invreq_recurrence_start = TRUE;
          msg->invreq_recurrence_start = 0;
        }
      msg->has_invoice_recurrence_basetime = TRUE;
      msg->invoice_recurrence_basetime = msg->recurrence.has_base ? msg->recurrence.basetime
                                                                  : now;
    }
  memset (payer_secret, 0, sizeof payer_secret);

  msg->invoice_paths = g_ptr_array_new ();
  g_ptr_array_add (msg->invoice_paths,
                   make_blinded_path (od_signer_get_id (node->signer), msg->invreq_payer_id));
  msg->invoice_blindedpay = g_ptr_array_new ();
  {
    Bolt12Payinfo *info = g_new0 (Bolt12Payinfo, 1);

    info->cltv_expiry_delta = 18;
    info->htlc_minimum_msat = 1;
    info->htlc_maximum_msat = amount;
    info->features = g_bytes_new (NULL, 0);
    g_ptr_array_add (msg->invoice_blindedpay, info);
  }
  msg->has_invoice_created_at = TRUE;
  msg->invoice_created_at = now;
  msg->has_invoice_payment_hash = TRUE;
  bolt12_sha256 (preimage, 32, msg->invoice_payment_hash);
  msg->has_invoice_amount = TRUE;
  msg->invoice_amount = amount;
  msg->has_invoice_node_id = TRUE;
  memcpy (msg->invoice_node_id, od_signer_get_id (node->signer), 33);

  if (!od_signer_sign_message (node->signer, msg, &local_error)
      || (str = bolt12_message_encode (msg, FALSE, &local_error)) == NULL)
    {
      fail (error, OD_ERROR_GENERIC, "cannot make the invoice: %s", local_error->message);
      return NULL;
    }

  {
    g_autofree char *offer_id = hex_encode (msg->offer_id, 32);

    if (g_ascii_strcasecmp (offer_id, req->offer_id) != 0)
      {
        g_free (str);
        fail (error, OD_ERROR_GENERIC, "the invoice's offer fields hash to %s, not %s",
              offer_id, req->offer_id);
        return NULL;
      }
  }

  *amount_out = amount;
  *payer_id_out = hex_encode (msg->invreq_payer_id, 33);

  return str;
}

static JsonObject *
find_paid_after (OdNode  *node,
                 guint64  lastpay_index)
{
  JsonObject *best = NULL;
  gint64 best_index = 0;

  for (guint i = 0; i < json_array_get_length (node->invoices); i++)
    {
      JsonObject *invoice = json_array_get_object_element (node->invoices, i);
      gint64 pay_index = json_object_get_int_member_with_default (invoice, "pay_index", 0);

      if (pay_index > 0 && (guint64) pay_index > lastpay_index
          && (best == NULL || pay_index < best_index))
        {
          best = invoice;
          best_index = pay_index;
        }
    }

  return best;
}

static void reply_and_free (OdNodeCall   *call,
                            JsonNode     *result,
                            const GError *error,
                            JsonNode     *error_data);

static void
wake_waiters (OdNode *node)
{
  /* Answering may not touch the array we walk: take the ones to answer out first. */
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();

  for (guint i = 0; i < node->waiters->len;)
    {
      OdNodeCall *call = g_ptr_array_index (node->waiters, i);

      if (find_paid_after (node, call->lastpay_index) != NULL)
        {
          g_ptr_array_add (ready, call);
          g_ptr_array_remove_index (node->waiters, i);
        }
      else
        i++;
    }

  for (guint i = 0; i < ready->len; i++)
    {
      OdNodeCall *call = g_ptr_array_index (ready, i);
      g_autoptr(JsonNode) result =
        object_node (json_object_ref (find_paid_after (node, call->lastpay_index)));

      reply_and_free (call, result, NULL, NULL);
    }
}

static JsonNode *
cmd_dev_pay (OdNode      *node,
             OdNodeCall  *call,
             GError     **error)
{
  static const ParamSpec specs[] = {
    { "offer_id", TRUE }, { "amount_msat", FALSE }, { "payer_note", FALSE },
    { "quantity", FALSE }, { "recurrence_counter", FALSE }, { NULL }
  };
  JsonNode *values[5];
  PayRequest req = { 0 };
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(OdHistoryRow) used = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bolt12 = NULL;
  g_autofree char *payer_id = NULL;
  g_autofree char *label = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *preimage_hex = NULL;
  guint8 preimage[32];
  guint8 hash[32];
  guint64 amount = 0;
  guint64 now = (guint64) (g_get_real_time () / G_USEC_PER_SEC);
  JsonObject *invoice;

  if (!bind_params (call->params, specs, values, error)
      || !param_hash (values[0], "offer_id", &req.offer_id, error)
      || (values[1] != NULL && !(req.has_amount = param_u64 (values[1], "amount_msat",
                                                             &req.amount_msat, error)))
      || (values[2] != NULL && !param_string (values[2], "payer_note", &req.payer_note, error))
      || (values[3] != NULL && !(req.has_quantity = param_u64 (values[3], "quantity",
                                                               &req.quantity, error)))
      || (values[4] != NULL && !(req.has_counter = param_u64 (values[4], "recurrence_counter",
                                                              &req.counter, error))))
    return NULL;

  row = od_store_get (node->store, OD_KIND_OFFER, req.offer_id, &local_error);
  if (row == NULL)
    {
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        return fail (error, OD_ERROR_GENERIC, "Unknown offer");
      return fail (error, OD_ERROR_GENERIC, "%s", local_error->message);
    }
  /* lightningd refuses an invoice for an inactive offer (disabled, or single-use and used). */
  if (!row->active)
    return fail (error, INVOICE_OFFER_INACTIVE, "offer not active");

  random_bytes (preimage, sizeof preimage);
  bolt12 = build_invoice (node, row->bolt12, &req, preimage, now, &amount, &payer_id, error);
  if (bolt12 == NULL)
    return NULL;
  bolt12_sha256 (preimage, sizeof preimage, hash);
  hash_hex = hex_encode (hash, sizeof hash);
  preimage_hex = hex_encode (preimage, sizeof preimage);
  label = g_strdup_printf ("%s-%s-%" G_GUINT64_FORMAT, row->id, payer_id,
                           req.has_counter ? req.counter : 0);

  /* listinvoices' members, in lightningd's order (json_add_invoice_fields). */
  invoice = json_object_new ();
  json_object_set_string_member (invoice, "label", label);
  json_object_set_string_member (invoice, "bolt12", bolt12);
  json_object_set_string_member (invoice, "payment_hash", hash_hex);
  json_object_set_int_member (invoice, "amount_msat", (gint64) amount);
  json_object_set_string_member (invoice, "status", "paid");
  json_object_set_int_member (invoice, "pay_index", (gint64) node->next_pay_index);
  json_object_set_int_member (invoice, "amount_received_msat", (gint64) amount);
  json_object_set_int_member (invoice, "paid_at", (gint64) now);
  json_object_set_string_member (invoice, "payment_preimage", preimage_hex);
  if (row->description != NULL)
    json_object_set_string_member (invoice, "description", row->description);
  json_object_set_int_member (invoice, "expires_at",
                              (gint64) (now + BOLT12_DEFAULT_RELATIVE_EXPIRY));
  json_object_set_string_member (invoice, "local_offer_id", row->id);
  if (req.payer_note != NULL)
    json_object_set_string_member (invoice, "invreq_payer_note", req.payer_note);
  json_object_set_int_member (invoice, "created_index", (gint64) node->next_created_index);
  json_object_set_int_member (invoice, "updated_index", (gint64) node->next_pay_index);

  json_array_add_object_element (node->invoices, invoice);
  node->next_pay_index++;
  node->next_created_index++;
  if (!save_invoices (node, &local_error))
    return fail (error, OD_ERROR_GENERIC, "cannot save invoices: %s", local_error->message);

  /* Paid: used, and a single-use offer no longer active (wallet_offer_mark_used). */
  used = od_store_mark_used (node->store, OD_KIND_OFFER, row->id, &local_error);
  if (used == NULL)
    return fail (error, OD_ERROR_GENERIC, "%s", local_error->message);

  g_message ("dev-pay: pay_index %" G_GINT64_FORMAT " for offer %s, %" G_GUINT64_FORMAT " msat",
             json_object_get_int_member (invoice, "pay_index"), row->id, amount);

  wake_waiters (node);

  return object_node (json_object_ref (invoice));
}

static JsonNode *
cmd_listinvoices (OdNode      *node,
                  OdNodeCall  *call,
                  GError     **error)
{
  static const ParamSpec specs[] = {
    { "label", FALSE }, { "invstring", FALSE }, { "payment_hash", FALSE },
    { "offer_id", FALSE }, { "index", FALSE }, { "start", FALSE }, { "limit", FALSE }, { NULL }
  };
  JsonNode *values[7];
  const char *label = NULL;
  const char *invstring = NULL;
  const char *payment_hash = NULL;
  const char *offer_id = NULL;
  const char *index = NULL;
  guint64 start = 0;
  guint64 limit = G_MAXUINT64;
  JsonArray *out;
  JsonObject *result;

  if (!bind_params (call->params, specs, values, error)
      || (values[0] != NULL && !param_string (values[0], "label", &label, error))
      || (values[1] != NULL && !param_string (values[1], "invstring", &invstring, error))
      || (values[2] != NULL && !param_hash (values[2], "payment_hash", &payment_hash, error))
      || (values[3] != NULL && !param_hash (values[3], "offer_id", &offer_id, error))
      || (values[4] != NULL && !param_string (values[4], "index", &index, error))
      || (values[5] != NULL && !param_u64 (values[5], "start", &start, error))
      || (values[6] != NULL && !param_u64 (values[6], "limit", &limit, error)))
    return NULL;
  if (index != NULL && strcmp (index, "created") != 0 && strcmp (index, "updated") != 0)
    return fail (error, OD_ERROR_INVALID_PARAMS,
                 "index: should be one of created or updated: invalid token '%s'", index);
  if ((values[5] != NULL || values[6] != NULL) && index == NULL)
    return fail (error, OD_ERROR_INVALID_PARAMS,
                 "Can only specify {start} or {limit} with {index}");

  out = json_array_new ();
  for (guint i = 0;
       i < json_array_get_length (node->invoices) && json_array_get_length (out) < limit;
       i++)
    {
      JsonObject *invoice = json_array_get_object_element (node->invoices, i);

      if (label != NULL && g_strcmp0 (json_object_get_string_member (invoice, "label"), label) != 0)
        continue;
      if (invstring != NULL
          && g_strcmp0 (json_object_get_string_member (invoice, "bolt12"), invstring) != 0)
        continue;
      if (payment_hash != NULL
          && g_ascii_strcasecmp (json_object_get_string_member (invoice, "payment_hash"),
                                 payment_hash) != 0)
        continue;
      if (offer_id != NULL
          && g_ascii_strcasecmp (json_object_get_string_member (invoice, "local_offer_id"),
                                 offer_id) != 0)
        continue;
      if (index != NULL
          && (guint64) json_object_get_int_member_with_default (
               invoice, strcmp (index, "created") == 0 ? "created_index" : "updated_index", 0)
             < start)
        continue;
      json_array_add_object_element (out, json_object_ref (invoice));
    }

  result = json_object_new ();
  json_object_set_array_member (result, "invoices", out);

  return object_node (result);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  OdNodeCall *call = user_data;
  g_autoptr(GError) error = NULL;

  call->source_id = 0;
  g_ptr_array_remove (call->node->waiters, call);
  fail (&error, INVOICE_WAIT_TIMED_OUT, "Timed out");
  reply_and_free (call, NULL, error, NULL);

  return G_SOURCE_REMOVE;
}

/* Returns NULL without an error when the call is parked. */
static JsonNode *
cmd_waitanyinvoice (OdNode      *node,
                    OdNodeCall  *call,
                    GError     **error)
{
  static const ParamSpec specs[] = { { "lastpay_index", FALSE }, { "timeout", FALSE }, { NULL } };
  JsonNode *values[2];
  guint64 timeout = 0;
  JsonObject *invoice;

  if (!bind_params (call->params, specs, values, error)
      || (values[0] != NULL && !param_u64 (values[0], "lastpay_index", &call->lastpay_index,
                                           error))
      || (values[1] != NULL && !param_u64 (values[1], "timeout", &timeout, error)))
    return NULL;

  invoice = find_paid_after (node, call->lastpay_index);
  if (invoice != NULL)
    return object_node (json_object_ref (invoice));
  if (values[1] != NULL && timeout == 0)
    return fail (error, INVOICE_WAIT_TIMED_OUT, "Timed out");

  g_ptr_array_add (node->waiters, call);
  if (values[1] != NULL)
    call->source_id = g_timeout_add_seconds ((guint) MIN (timeout, G_MAXUINT / 1000),
                                             on_wait_timeout, call);

  return NULL;
}

static JsonNode *
cmd_dev_fault (OdNode      *node,
               OdNodeCall  *call,
               GError     **error)
{
  static const ParamSpec specs[] = {
    { "name", TRUE }, { "delay_ms", FALSE }, { "count", FALSE }, { NULL }
  };
  JsonNode *values[3];
  const char *name = NULL;
  guint64 delay_ms = 0;
  guint64 count = 0;
  OdNodeFault fault;
  guint default_delay = 0;
  JsonObject *result;

  if (!bind_params (call->params, specs, values, error)
      || !param_string (values[0], "name", &name, error)
      || (values[1] != NULL && !param_u64 (values[1], "delay_ms", &delay_ms, error))
      || (values[2] != NULL && !param_u64 (values[2], "count", &count, error)))
    return NULL;
  if (!od_node_fault_from_string (name, &fault, &default_delay))
    return fail (error, OD_ERROR_INVALID_PARAMS,
                 "name: should be none, hangup, hangup-early, hangup-mid, garbage, slow, "
                 "tamper-offer or other-node: invalid token '%s'", name);

  node->fault = fault;
  node->fault_delay_ms = values[1] != NULL ? (guint) MIN (delay_ms, G_MAXUINT) : default_delay;
  node->fault_count = (guint) MIN (count, G_MAXUINT);
  g_message ("fault: %s (delay %u ms, count %u)", name, node->fault_delay_ms, node->fault_count);

  result = json_object_new ();
  json_object_set_string_member (result, "fault", name);
  json_object_set_int_member (result, "delay_ms", node->fault_delay_ms);
  json_object_set_int_member (result, "count", node->fault_count);

  return object_node (result);
}

/* ---- Recorded examples ----------------------------------------------------------------------- */

static gboolean
load_recorded (OdNode      *node,
               const char  *dir_path,
               GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *root;
      JsonNode *examples_node;
      JsonArray *examples;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      if (!json_parser_load_from_file (parser, path, error))
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue; /* strings.json: a list of bolt12 strings, no requests */
      root = json_node_get_object (json_parser_get_root (parser));
      examples_node = json_object_get_member (root, "examples");
      if (examples_node == NULL || !JSON_NODE_HOLDS_ARRAY (examples_node))
        continue;
      examples = json_node_get_array (examples_node);
      for (guint i = 0; i < json_array_get_length (examples); i++)
        {
          JsonNode *example_node = json_array_get_element (examples, i);
          JsonObject *example;
          JsonNode *request_node;
          JsonObject *request;
          JsonNode *response;
          Recorded *recorded;

          if (!JSON_NODE_HOLDS_OBJECT (example_node))
            continue;
          example = json_node_get_object (example_node);
          request_node = json_object_get_member (example, "request");
          response = json_object_get_member (example, "response");
          if (request_node == NULL || !JSON_NODE_HOLDS_OBJECT (request_node) || response == NULL)
            continue;
          request = json_node_get_object (request_node);
          if (json_object_get_string_member_with_default (request, "method", NULL) == NULL)
            continue;
          recorded = g_new0 (Recorded, 1);
          recorded->method = g_strdup (json_object_get_string_member (request, "method"));
          recorded->params = json_object_has_member (request, "params")
                             ? json_node_copy (json_object_get_member (request, "params"))
                             : object_node (json_object_new ());
          recorded->response = json_node_copy (response);
          if (strcmp (recorded->method, "getinfo") == 0 && node->recorded_getinfo == NULL)
            node->recorded_getinfo = json_node_ref (recorded->response);
          g_ptr_array_add (node->recorded, recorded);
        }
    }
  g_message ("recorded: %u examples from %s", node->recorded->len, dir_path);

  return TRUE;
}

static JsonNode *
find_recorded (OdNode     *node,
               const char *method,
               JsonNode   *params)
{
  if (node->recorded_getinfo != NULL && strcmp (method, "getinfo") == 0)
    return json_node_copy (node->recorded_getinfo);

  for (guint i = 0; i < node->recorded->len; i++)
    {
      Recorded *recorded = g_ptr_array_index (node->recorded, i);

      if (strcmp (recorded->method, method) == 0 && json_node_equal (recorded->params, params))
        return json_node_copy (recorded->response);
    }

  return NULL;
}

/* ---- The node ------------------------------------------------------------------------------- */

const char *
od_node_get_id (OdNode *node)
{
  return node->id;
}

gboolean
od_node_fault_from_string (const char  *name,
                           OdNodeFault *fault,
                           guint       *delay_ms)
{
  static const struct { const char *name; OdNodeFault fault; } faults[] = {
    { "none", OD_NODE_FAULT_NONE },
    { "hangup", OD_NODE_FAULT_HANGUP },
    { "hangup-early", OD_NODE_FAULT_HANGUP_EARLY },
    { "hangup-mid", OD_NODE_FAULT_HANGUP_MID },
    { "garbage", OD_NODE_FAULT_GARBAGE },
    { "slow", OD_NODE_FAULT_SLOW },
    { "tamper-offer", OD_NODE_FAULT_TAMPER_OFFER },
    { "other-node", OD_NODE_FAULT_OTHER_NODE },
  };
  g_auto(GStrv) parts = g_strsplit (name, ":", 2);

  *delay_ms = 0;
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    if (strcmp (parts[0], faults[i].name) == 0)
      {
        guint64 delay = DEFAULT_SLOW_MS;

        /* "slow:500" on the command line; dev-fault has delay_ms. */
        if (parts[1] != NULL
            && (faults[i].fault != OD_NODE_FAULT_SLOW
                || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &delay, NULL)))
          return FALSE;
        *fault = faults[i].fault;
        if (faults[i].fault == OD_NODE_FAULT_SLOW)
          *delay_ms = (guint) delay;
        return TRUE;
      }

  return FALSE;
}

static gboolean
is_control (const char *method)
{
  return g_str_has_prefix (method, "dev-");
}

OdNodeFault
od_node_take_fault (OdNode     *node,
                    const char *method,
                    guint      *delay_ms)
{
  OdNodeFault fault = node->fault;

  *delay_ms = node->fault_delay_ms;
  if (fault == OD_NODE_FAULT_NONE || is_control (method))
    return OD_NODE_FAULT_NONE;
  /* These two only change what offer and invoicerequest return. */
  if ((fault == OD_NODE_FAULT_TAMPER_OFFER || fault == OD_NODE_FAULT_OTHER_NODE)
      && strcmp (method, "offer") != 0 && strcmp (method, "invoicerequest") != 0)
    return OD_NODE_FAULT_NONE;

  if (node->fault_count > 0 && --node->fault_count == 0)
    node->fault = OD_NODE_FAULT_NONE;

  return fault;
}

OdNode *
od_node_new (const OdNodeOptions  *options,
             GError              **error)
{
  g_autoptr(OdNode) node = g_new0 (OdNode, 1);
  g_autoptr(JsonNode) info = NULL;
  g_autofree char *store_path = NULL;
  static const char * const rates[] = { "USD", "AUD" };

  node->data_dir = g_strdup (options->data_dir);
  node->network = g_strdup (options->network);
  node->network_dir = g_build_filename (node->data_dir, node->network, NULL);
  node->recorded = g_ptr_array_new_with_free_func ((GDestroyNotify) recorded_free);
  node->waiters = g_ptr_array_new ();
  node->delayed = g_ptr_array_new ();
  node->fault = options->fault;
  node->fault_delay_ms = options->fault_delay_ms;
  node->fault_count = options->fault_count;

  node->commands = od_commands_new (node->data_dir, node->network);
  if (node->commands == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown network %s",
                   node->network);
      return NULL;
    }

  /* getinfo creates the key (the node key) on the first run. */
  info = od_commands_call_json (node->commands, "getinfo", "{}", error);
  if (info == NULL)
    return NULL;
  node->id = g_strdup (json_object_get_string_member (json_node_get_object (info), "id"));

  /* The embedded table prices currency offers with its own rates: CLN's test plugin's. */
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"currency\":\"%s\",\"msat_per_unit\":%d}",
                                                 rates[i], RATE_MSAT_PER_UNIT);
      g_autoptr(JsonNode) set = od_commands_call_json (node->commands, "setrate", params, error);

      if (set == NULL)
        return NULL;
    }

  node->signer = od_signer_open (node->network_dir, FALSE, error);
  if (node->signer == NULL)
    return NULL;
  store_path = g_build_filename (node->network_dir, OD_STORE_FILENAME, NULL);
  node->store = od_store_open (store_path, error);
  if (node->store == NULL)
    return NULL;

  node->invoices_path = g_build_filename (node->network_dir, INVOICES_FILENAME, NULL);
  if (!load_invoices (node, error))
    return NULL;

  if (options->recorded_dir != NULL && !load_recorded (node, options->recorded_dir, error))
    return NULL;

  return g_steal_pointer (&node);
}

void
od_node_free (OdNode *node)
{
  if (node == NULL)
    return;

  while (node->waiters != NULL && node->waiters->len > 0)
    od_node_call_drop (g_ptr_array_index (node->waiters, 0));
  while (node->delayed != NULL && node->delayed->len > 0)
    od_node_call_drop (g_ptr_array_index (node->delayed, 0));
  g_clear_pointer (&node->waiters, g_ptr_array_unref);
  g_clear_pointer (&node->delayed, g_ptr_array_unref);
  g_clear_pointer (&node->recorded, g_ptr_array_unref);
  g_clear_pointer (&node->recorded_getinfo, json_node_unref);
  g_clear_pointer (&node->invoices, json_array_unref);
  g_clear_pointer (&node->store, od_store_close);
  g_clear_pointer (&node->signer, od_signer_free);
  g_clear_pointer (&node->commands, od_commands_free);
  g_clear_pointer (&node->other, od_commands_free);
  g_free (node->invoices_path);
  g_free (node->id);
  g_free (node->data_dir);
  g_free (node->network);
  g_free (node->network_dir);
  g_free (node);
}

/* ---- Calls -------------------------------------------------------------------------------- */

OdNodeCall *
od_node_call_new (OdNode          *node,
                  const char      *method,
                  JsonNode        *params,
                  const char      *params_text,
                  OdNodeReplyFunc  reply,
                  gpointer         user_data)
{
  OdNodeCall *call = g_new0 (OdNodeCall, 1);

  call->node = node;
  call->method = g_strdup (method);
  call->params = json_node_ref (params);
  call->params_text = params_text != NULL ? g_strdup (params_text) : json_to_string (params, FALSE);
  call->reply = reply;
  call->user_data = user_data;

  return call;
}

static void
reply_and_free (OdNodeCall   *call,
                JsonNode     *result,
                const GError *error,
                JsonNode     *error_data)
{
  call->reply (call, result, error, error_data, call->user_data);
  call_free (call);
}

void
od_node_call_drop (OdNodeCall *call)
{
  g_ptr_array_remove (call->node->waiters, call);
  g_ptr_array_remove (call->node->delayed, call);
  call_free (call);
}

static gboolean
on_slow_reply (gpointer user_data)
{
  OdNodeCall *call = user_data;
  g_autoptr(JsonNode) result = g_steal_pointer (&call->result);
  g_autoptr(GError) error = g_steal_pointer (&call->error);
  g_autoptr(JsonNode) error_data = g_steal_pointer (&call->error_data);

  call->source_id = 0;
  g_ptr_array_remove (call->node->delayed, call);
  reply_and_free (call, result, error, error_data);

  return G_SOURCE_REMOVE;
}

static gboolean
is_forwarded (const char *method)
{
  return g_strv_contains (forwarded_methods, method);
}

void
od_node_call_run (OdNodeCall  *call,
                  OdNodeFault  fault,
                  guint        delay_ms)
{
  OdNode *node = call->node;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *method = call->method;

  result = find_recorded (node, method, call->params);
  if (result != NULL)
    ;
  else if (strcmp (method, "getinfo") == 0)
    result = cmd_getinfo (node);
  else if (strcmp (method, "currencyconvert") == 0)
    result = cmd_currencyconvert (node, call, &error);
  else if (strcmp (method, "listinvoices") == 0)
    result = cmd_listinvoices (node, call, &error);
  else if (strcmp (method, "dev-pay") == 0)
    result = cmd_dev_pay (node, call, &error);
  else if (strcmp (method, "dev-fault") == 0)
    result = cmd_dev_fault (node, call, &error);
  else if (strcmp (method, "waitanyinvoice") == 0)
    {
      result = cmd_waitanyinvoice (node, call, &error);
      if (result == NULL && error == NULL)
        return; /* parked: answered by dev-pay or the timeout */
    }
  else if (is_forwarded (method))
    result = run_forwarded (node, call, fault, &error);
  else
    fail (&error, OD_ERROR_METHOD_NOT_FOUND, "Unknown command '%s'", method);

  if (fault == OD_NODE_FAULT_SLOW)
    {
      call->result = g_steal_pointer (&result);
      call->error = g_steal_pointer (&error);
      g_ptr_array_add (node->delayed, call);
      call->source_id = g_timeout_add (delay_ms, on_slow_reply, call);
      return;
    }

  reply_and_free (call, result, error, NULL);
}
