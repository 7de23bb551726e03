/* od-commands.c: the command table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file has three parts:
 *
 *  1. The OdCommands object: data dir, network, and the store, key and rate providers it opens
 *     on first use (od-commands-private.h).
 *  2. The generic handlers: decode, getinfo, help.
 *  3. The table (this file's rows plus od_offer_commands[] and od_rate_commands[]), help texts,
 *     and od_commands_call().  With a node backend set, the methods a node answers go to
 *     od-node-commands.c instead; od_commands_call_local() is always this table.
 *
 * Parameters are bound by od-params.c.  Adding a command = a handler + one row in the table of
 * its concern (name, handler, description, verbose text, parameter specs).  Parameter types
 * cover Core Lightning's common parsers; a parameter with its own grammar (amount,
 * recurrence…) is OD_PARAM_TOKEN with a parse function, which runs as the parameter is met and
 * reports "<name>: <reason>".
 */

#include "config.h"

#include "od-commands.h"
#include "od-commands-private.h"
#include "od-backend.h"

#include <string.h>

#include "bolt12.h"
#include "bolt12-json.h"

G_DEFINE_QUARK (od-error-quark, od_error)

static const char * const networks[] = {
  "bitcoin", "testnet", "testnet4", "signet", "regtest", NULL
};

/* ------------------------------------------------------------------------------------------ */
/* 1. The object                                                                              */
/* ------------------------------------------------------------------------------------------ */

struct _OdCommands
{
  char     *data_dir;
  char     *network;
  char     *network_dir;  /* <data_dir>/<network>: the store and the key */

  GMutex    lock;         /* guards opening store and signer, and backend */
  OdStore  *store;
  OdSigner *signer;
  OdRates  *rates;

  OdBackend   *backend;   /* NULL until set or asked for: the embedded table */
  OdNodeState *node;      /* od-node-commands.c's interrupted requests */
};

guint64
od_now_seconds (void)
{
  return (guint64) (g_get_real_time () / G_USEC_PER_SEC);
}

char *
od_hex_encode (const guint8 *data,
               gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';

  return out;
}

void
od_json_set_u64 (JsonObject *object,
                 const char *name,
                 guint64     value)
{
  if (value <= (guint64) G_MAXINT64)
    {
      json_object_set_int_member (object, name, (gint64) value);
    }
  else
    {
      char text[32];

      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
      json_object_set_string_member (object, name, text);
    }
}

JsonNode *
od_json_node_from_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

void
od_commands_fail (GError       **error,
                  const GError  *cause)
{
  g_set_error_literal (error, OD_ERROR, OD_ERROR_GENERIC, cause->message);
}

OdStore *
od_commands_get_store (OdCommands  *self,
                       gboolean     create,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (self->store != NULL)
    return self->store;

  path = g_build_filename (self->network_dir, OD_STORE_FILENAME, NULL);
  if (!create && !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  if (create)
    {
      g_autofree char *dir = od_store_ensure_network_dir (self->data_dir, self->network,
                                                          &local_error);

      if (dir == NULL)
        {
          od_commands_fail (error, local_error);
          return NULL;
        }
    }

  self->store = od_store_open (path, &local_error);
  if (self->store == NULL)
    od_commands_fail (error, local_error);

  return self->store;
}

OdSigner *
od_commands_get_signer (OdCommands  *self,
                        gboolean     create,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (self->signer != NULL)
    return self->signer;

  if (create)
    {
      g_autofree char *dir = od_store_ensure_network_dir (self->data_dir, self->network,
                                                          &local_error);

      if (dir == NULL)
        {
          od_commands_fail (error, local_error);
          return NULL;
        }
    }

  self->signer = od_signer_open (self->network_dir, create, &local_error);
  if (self->signer == NULL
      && !(!create && g_error_matches (local_error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_NOT_FOUND)))
    od_commands_fail (error, local_error);

  return self->signer;
}

OdRates *
od_commands_get_rates (OdCommands *self)
{
  return self->rates;
}

gboolean
od_commands_get_chain (OdCommands *self,
                       guint8      chain[32])
{
  if (strcmp (self->network, "bitcoin") == 0)
    return FALSE;

  return bolt12_chain_from_name (self->network, chain);
}

/* The embedded rate provider reads from the store, when there is one. */
static OdStore *
rates_store (gpointer   data,
             GError   **error)
{
  return od_commands_get_store (data, FALSE, error);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Generic handlers                                                                        */
/* ------------------------------------------------------------------------------------------ */

static const OdCommand *find_command  (const char      *name);
static char            *command_usage (const OdCommand *command);

static JsonNode *
cmd_decode (OdCommands      *self,
            const OdParams  *params,
            GError         **error)
{
  const char *text = od_params_get_string (params, "string");
  g_autoptr(GError) local_error = NULL;
  JsonNode *result;

  result = bolt12_decode_json (text, od_now_seconds (), &local_error);
  if (result == NULL)
    {
      od_param_error (error, "string", "%s", local_error->message);
      return NULL;
    }

  return result;
}

static void
add_help_entry (JsonBuilder     *builder,
                const OdCommand *command)
{
  g_autofree char *usage = command_usage (command);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command->name);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, "offerdesk");
  json_builder_set_member_name (builder, "usage");
  json_builder_add_string_value (builder, usage);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, command->description);
  json_builder_set_member_name (builder, "verbose");
  json_builder_add_string_value (builder, od_commands_help (command->name));
  json_builder_end_object (builder);
}

static JsonNode *
cmd_help (OdCommands      *self,
          const OdParams  *params,
          GError         **error)
{
  const char *name = od_params_get_string (params, "command");
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help");
  json_builder_begin_array (builder);
  if (name != NULL)
    {
      const OdCommand *command = find_command (name);

      if (command == NULL)
        {
          g_set_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND, "Unknown command '%s'", name);
          return NULL;
        }
      add_help_entry (builder, command);
    }
  else
    {
      for (const char * const *names = od_commands_list (); *names != NULL; names++)
        add_help_entry (builder, find_command (*names));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
count_rows (OdStore  *store,
            OdKind    kind,
            gboolean  active_only,
            guint64  *count,
            GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  *count = 0;
  if (store == NULL)
    return TRUE;

  if (!active_only)
    {
      if (!od_store_count (store, kind, count, &local_error))
        {
          od_commands_fail (error, local_error);
          return FALSE;
        }
      return TRUE;
    }

  /* The store has no count of active rows yet: list them. */
  rows = od_store_list (store, kind, NULL, TRUE, &local_error);
  if (rows == NULL)
    {
      od_commands_fail (error, local_error);
      return FALSE;
    }
  *count = rows->len;

  return TRUE;
}

gboolean
od_commands_count_history (OdCommands      *self,
                           OdHistoryCounts *counts,
                           GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  OdStore *store;

  *counts = (OdHistoryCounts) { 0 };
  store = od_commands_get_store (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return count_rows (store, OD_KIND_OFFER, FALSE, &counts->offers, error)
         && count_rows (store, OD_KIND_OFFER, TRUE, &counts->active_offers, error)
         && count_rows (store, OD_KIND_INVOICE_REQUEST, FALSE, &counts->invoice_requests, error);
}

void
od_commands_set_history_info (OdCommands            *self,
                              JsonObject            *result,
                              const OdHistoryCounts *counts)
{
  od_json_set_u64 (result, "num_offers", counts->offers);
  od_json_set_u64 (result, "num_active_offers", counts->active_offers);
  od_json_set_u64 (result, "num_invoicerequests", counts->invoice_requests);
  json_object_set_string_member (result, "data_dir", self->data_dir);
  json_object_set_string_member (result, "version", PACKAGE_VERSION);
}

static JsonNode *
cmd_getinfo (OdCommands      *self,
             const OdParams  *params,
             GError         **error)
{
  g_autoptr(JsonObject) result = json_object_new ();
  OdHistoryCounts counts;
  JsonNode *node;
  OdSigner *signer;

  /* Reading the store first: a damaged one is reported before a key is created. */
  if (!od_commands_count_history (self, &counts, error))
    return NULL;

  signer = od_commands_get_signer (self, TRUE, error);
  if (signer == NULL)
    return NULL;

  json_object_set_string_member (result, "id", od_signer_id_hex (signer));
  json_object_set_string_member (result, "network", self->network);
  json_object_set_string_member (result, "backend", "embedded");
  od_commands_set_history_info (self, result, &counts);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, result);

  return node;
}

/* ------------------------------------------------------------------------------------------ */
/* 3. The table                                                                               */
/* ------------------------------------------------------------------------------------------ */

static const OdCommand generic_commands[] = {
  {
    "decode", cmd_decode,
    "Decode a BOLT 12 offer, invoice request or invoice and show its fields.",
    "Decodes a BOLT 12 string (lno1… offer, lnr1… invoice request, lni1… invoice), checks every "
    "rule a reader of it must apply, and returns its fields under Core Lightning's `decode` "
    "names: type, valid, offer_id, offer_*, offer_recurrence, invreq_*, invoice_*, signature, "
    "unknown_*_tlvs and warnings. \"expired\": true is added when the offer (or invoice) has "
    "expired; that is reported apart from validity. The chain is not checked. A string that "
    "breaks a rule is an error -32602 \"string: <reason>\". Needs no data directory.",
    {
      { "string", OD_PARAM_TOKEN, TRUE,
        "The BOLT 12 string, in lower or upper case, possibly split with '+'. A lightning: "
        "prefix or a BIP 321 URI (bitcoin:?lno=…) is accepted." },
      { NULL }
    }
  },
  {
    "getinfo", cmd_getinfo,
    "Show this Offerdesk's key, network, data directory and counts.",
    "Returns id (the issuer key: offer_issuer_id of our offers and invreq_payer_id of our "
    "invoice requests, created on first use), network (the chain offers are made for), "
    "backend (\"embedded\": a local key and a local database), num_offers, "
    "num_active_offers, num_invoicerequests, data_dir (where the store and the key are kept) "
    "and version. With a Core Lightning node as backend: the node's id, alias and network, "
    "backend \"socket\" or \"rest\", backend_address (the socket path or URL) and our counts; "
    "warning_network when the node's network is not ours.",
    {
      { NULL }
    }
  },
  {
    "help", cmd_help,
    "Show the commands, or one command, with their parameters.",
    "Returns {\"help\": [{command, category, usage, description, verbose}]} for every command, "
    "or for the one named. An unknown command is error -32601. Needs no data directory.",
    {
      { "command", OD_PARAM_STRING, FALSE, "The command to describe; all commands when absent." },
      { NULL }
    }
  },
  { NULL }
};

/* In the order `help` lists them. */
static const OdCommand * const tables[] = {
  od_offer_commands,
  od_rate_commands,
  generic_commands,
};

static const OdCommand *
find_command (const char *name)
{
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const OdCommand *command = tables[t]; command->name != NULL; command++)
      if (strcmp (command->name, name) == 0)
        return command;

  return NULL;
}

const OdParamSpec *
od_commands_param_specs (const char *method)
{
  const OdCommand *command = find_command (method);

  return command != NULL ? command->params : NULL;
}

/* "name req [opt]…" */
static char *
command_usage (const OdCommand *command)
{
  GString *usage = g_string_new (command->name);

  for (const OdParamSpec *spec = command->params; spec->name != NULL; spec++)
    g_string_append_printf (usage, spec->required ? " %s" : " [%s]", spec->name);

  return g_string_free (usage, FALSE);
}

/* Appends text wrapped at 80 columns, every line indented. */
static void
append_wrapped (GString    *out,
                const char *indent,
                const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  gsize column = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]);

      if (column > 0 && column + 1 + len > 80)
        {
          g_string_append_c (out, '\n');
          column = 0;
        }
      if (column == 0)
        {
          g_string_append (out, indent);
          column = strlen (indent);
        }
      else
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += len;
    }
  g_string_append_c (out, '\n');
}

static char *
command_help_text (const OdCommand *command)
{
  g_autofree char *usage = command_usage (command);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n", usage);
  append_wrapped (text, "    ", command->description);
  append_wrapped (text, "    ", command->verbose);
  for (const OdParamSpec *spec = command->params; spec->name != NULL; spec++)
    {
      g_autofree char *line = g_strdup_printf ("%s (%s): %s", spec->name,
                                               spec->required ? "required" : "optional",
                                               spec->doc);

      append_wrapped (text, "    ", line);
    }

  return g_string_free (text, FALSE);
}

const char * const *
od_commands_list (void)
{
  static const char **names = NULL;

  if (g_once_init_enter (&names))
    {
      GPtrArray *array = g_ptr_array_new ();

      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        for (const OdCommand *command = tables[t]; command->name != NULL; command++)
          g_ptr_array_add (array, (gpointer) command->name);
      g_ptr_array_add (array, NULL);
      g_once_init_leave (&names, (const char **) g_ptr_array_free (array, FALSE));
    }

  return names;
}

const char *
od_commands_help (const char *method)
{
  static GHashTable *texts = NULL;
  const OdCommand *command;

  g_return_val_if_fail (method != NULL, NULL);

  if (g_once_init_enter (&texts))
    {
      GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

      for (const char * const *names = od_commands_list (); *names != NULL; names++)
        g_hash_table_insert (table, (gpointer) *names,
                             command_help_text (find_command (*names)));
      g_once_init_leave (&texts, table);
    }

  command = find_command (method);
  if (command == NULL)
    return NULL;

  return g_hash_table_lookup (texts, command->name);
}

const char * const *
od_network_names (void)
{
  return networks;
}

gboolean
od_network_is_valid (const char *network)
{
  return network != NULL && g_strv_contains (networks, network);
}

OdCommands *
od_commands_new (const char *data_dir,
                 const char *network)
{
  OdCommands *self;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (!od_network_is_valid (network))
    return NULL;

  self = g_new0 (OdCommands, 1);
  self->data_dir = g_strdup (data_dir);
  self->network = g_strdup (network);
  self->network_dir = g_build_filename (data_dir, network, NULL);
  g_mutex_init (&self->lock);
  self->rates = od_rates_new ();
  od_rates_add_provider (self->rates, od_rate_provider_embedded_new (rates_store, self));
  self->node = od_node_state_new ();

  return self;
}

void
od_commands_free (OdCommands *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->backend);
  g_clear_pointer (&self->node, od_node_state_free);
  g_clear_pointer (&self->rates, od_rates_free);
  g_clear_pointer (&self->signer, od_signer_free);
  g_clear_pointer (&self->store, od_store_close);
  g_mutex_clear (&self->lock);
  g_free (self->data_dir);
  g_free (self->network);
  g_free (self->network_dir);
  g_free (self);
}

const char *
od_commands_get_network (OdCommands *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->network;
}

const char *
od_commands_get_data_dir (OdCommands *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data_dir;
}

/* Handlers that honour OdParams.check_only; the others are only bound in a check. */
static gboolean
handler_can_check (const OdCommand *command)
{
  return strcmp (command->name, "offer") == 0 || strcmp (command->name, "invoicerequest") == 0;
}

static JsonNode *
call_with_tokens (OdCommands  *self,
                  const char  *method,
                  GPtrArray   *tokens,
                  gboolean     by_name,
                  gboolean     check_only,
                  GError     **error)
{
  const OdCommand *command = find_command (method);
  OdParams params = { 0 };
  JsonNode *result = NULL;

  if (command == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (method, -1);

      g_set_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND, "Unknown command '%s'", shown);
      return NULL;
    }

  if (od_params_bind (&params, command->params, tokens, by_name, error))
    {
      g_autoptr(GError) local_error = NULL;

      params.check_only = check_only;
      if (check_only && !handler_can_check (command))
        {
          od_params_clear (&params);
          return json_node_new (JSON_NODE_NULL);
        }
      result = command->handler (self, &params, &local_error);
      if (result == NULL && local_error == NULL)
        g_set_error (&local_error, OD_ERROR, OD_ERROR_GENERIC, "%s failed", command->name);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  od_params_clear (&params);

  return result;
}

/* The node backend when one is set, else NULL (a reference). */
static OdBackend *
node_backend (OdCommands *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->backend == NULL || !od_backend_is_node (self->backend))
    return NULL;

  return g_object_ref (self->backend);
}

gboolean
od_commands_uses_node (OdCommands *self)
{
  g_autoptr(OdBackend) backend = node_backend (self);

  return backend != NULL;
}

OdNodeState *
od_commands_get_node_state (OdCommands *self)
{
  return self->node;
}

JsonNode *
od_commands_call_local (OdCommands  *self,
                        const char  *method,
                        JsonNode    *params,
                        GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tokens = od_param_tokens_from_node (params, &by_name, error);
  if (tokens == NULL)
    return NULL;

  return call_with_tokens (self, method, tokens, by_name, FALSE, error);
}

JsonNode *
od_commands_call (OdCommands  *self,
                  const char  *method,
                  JsonNode    *params,
                  GError     **error)
{
  g_autoptr(OdBackend) backend = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  backend = node_backend (self);
  if (backend != NULL && od_node_handles (method))
    return od_node_call (self, backend, method, params, NULL, error);

  return od_commands_call_local (self, method, params, error);
}

JsonNode *
od_commands_call_json (OdCommands  *self,
                       const char  *method,
                       const char  *params_json,
                       GError     **error)
{
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  backend = node_backend (self);
  if (backend != NULL && od_node_handles (method))
    return od_node_call (self, backend, method, NULL,
                         params_json != NULL ? params_json : "", error);

  tokens = od_param_tokens_from_text (params_json != NULL ? params_json : "", &by_name, error);
  if (tokens == NULL)
    return NULL;

  return call_with_tokens (self, method, tokens, by_name, FALSE, error);
}

gboolean
od_commands_check (OdCommands  *self,
                   const char  *method,
                   JsonNode    *params,
                   GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tokens = od_param_tokens_from_node (params, &by_name, error);
  if (tokens == NULL)
    return FALSE;

  result = call_with_tokens (self, method, tokens, by_name, TRUE, error);

  return result != NULL;
}

gboolean
od_commands_check_json (OdCommands  *self,
                        const char  *method,
                        const char  *params_json,
                        GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean by_name = FALSE;

  tokens = od_param_tokens_from_text (params_json != NULL ? params_json : "", &by_name, error);
  if (tokens == NULL)
    return FALSE;

  result = call_with_tokens (self, method, tokens, by_name, TRUE, error);

  return result != NULL;
}

Bolt12Message *
od_commands_expected_message (OdCommands  *self,
                              const char  *method,
                              JsonNode    *params,
                              const char  *params_json,
                              GError     **error)
{
  const OdCommand *command = find_command (method);
  g_autoptr(GPtrArray) tokens = NULL;
  OdParams bound = { 0 };
  Bolt12Message *msg = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (command != NULL, NULL);

  if (params_json != NULL)
    tokens = od_param_tokens_from_text (params_json, &by_name, error);
  else
    tokens = od_param_tokens_from_node (params, &by_name, error);
  if (tokens == NULL)
    return NULL;

  if (od_params_bind (&bound, command->params, tokens, by_name, error))
    {
      bound.check_only = TRUE;
      msg = od_offer_commands_expected (self, method, &bound, error);
    }
  od_params_clear (&bound);

  return msg;
}

/* ---- Backends ----------------------------------------------------------------------------- */

void
od_commands_set_backend (OdCommands *self,
                         OdBackend  *backend)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (backend == NULL || OD_IS_BACKEND (backend));

  locker = g_mutex_locker_new (&self->lock);
  g_set_object (&self->backend, backend);
}

OdBackend *
od_commands_get_backend (OdCommands *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (self->backend == NULL)
    {
      g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_LOCAL);
      g_autoptr(GError) error = NULL;

      /* The embedded backend cannot fail to be made: it has nothing to open. */
      self->backend = od_backend_new_for_config (config, self, &error);
      if (self->backend == NULL)
        g_critical ("Cannot make the embedded backend: %s", error->message);
    }

  return self->backend;
}

OdStore *
od_commands_open_store (OdCommands  *self,
                        gboolean     create,
                        GError     **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return od_commands_get_store (self, create, error);
}
