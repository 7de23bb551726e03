/* od-cli.c: offerdesk-cli, argv -> params -> command -> JSON on stdout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Works like lightning-cli: parameters are positional, or name=value pairs with -k, and each
 * value is sent the way lightning-cli sends it (digits, true, false, null, and "…", […], {…}
 * as JSON; anything else as a string).  The command table does the rest.
 *
 * With --backend=socket or --backend=rest the node-facing commands go to a Core Lightning node
 * (od-commands.h, "Backends"); the backend options are checked (od_backend_config_validate())
 * before anything is called.  Two commands live here rather than in the table, because they are
 * about the node's payments, not Core Lightning RPCs: listpayments and syncpayments.
 *
 * Exit status: 0 result printed; 1 the command failed ({"code", "message"} printed on stdout);
 * 2 usage error (message on stderr).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "od-backend.h"
#include "od-export.h"
#include "od-commands.h"
#include "od-payments.h"
#include "od-store.h"

#define EXIT_COMMAND_ERROR 1
#define EXIT_USAGE         2

static const char usage_text[] =
  "Usage: offerdesk-cli [OPTIONS] COMMAND [PARAMETER…]\n"
  "       offerdesk-cli [OPTIONS] COMMAND -k NAME=VALUE…\n"
  "\n"
  "Runs one Offerdesk command and prints its result as JSON.\n"
  "\n"
  "Options (before COMMAND; -k may also follow it):\n"
  "  --data-dir DIR    Where Offerdesk keeps its data (default: $OFFERDESK_DATA_DIR,\n"
  "                    else $XDG_DATA_HOME/offerdesk). Not created by decode or help.\n"
  "  --network NET     bitcoin (default), testnet, testnet4, signet or regtest.\n"
  "  -k, --keywords    Parameters are NAME=VALUE pairs instead of positional values.\n"
  "  -h, --help        Show this help and exit.\n"
  "  --                The rest are parameters, even if they start with '-'.\n"
  "\n"
  "Core Lightning node (offer, invoicerequest, listoffers, disableoffer, enableoffer,\n"
  "listinvoicerequests, disableinvoicerequest, currencyconvert and getinfo go to the node;\n"
  "every offer it returns is checked before it is stored):\n"
  "  --backend=KIND    local (default: the embedded key), socket or rest.\n"
  "  --rpc-file=PATH   socket: the node's lightning-rpc (default:\n"
  "                    ~/.lightning/NETWORK/lightning-rpc). Implies --backend=socket.\n"
  "  --rest-url=URL    rest: the CLNRest server, https://host:port (http:// only on\n"
  "                    loopback). Implies --backend=rest.\n"
  "  --rune-file=PATH  rest: read the rune from PATH.\n"
  "  --rune=RUNE       rest: the rune itself. Discouraged: other users can see it in\n"
  "                    `ps`; prefer --rune-file, $OFFERDESK_RUNE or --save-rune.\n"
  "  --save-rune       rest: keep the rune given (keyring, else a 0600 file) for this URL,\n"
  "                    so later calls need only --rest-url.\n"
  "  --rest-certificate=PEM    rest: accept only this server certificate.\n"
  "  --rest-fingerprint=HEX    rest: accept only a certificate with this SHA-256.\n"
  "  The rune is taken from --rune, --rune-file, $OFFERDESK_RUNE, or the one saved for\n"
  "  the URL, in that order.\n"
  "\n"
  "Commands of the CLI itself (results as JSON like the others):\n"
  "  listpayments [offer_id]   Payments recorded for our offers (all, or one offer's).\n"
  "  syncpayments              Record the node's payments since the last one recorded\n"
  "                            (needs --backend=socket or rest); prints {\"recorded\": N}.\n"
  "  exportcsv FILE            Write the history with its payments as CSV to FILE\n"
  "                            (replaced at the end, never half-written); prints {\"path\"}.\n"
  "\n"
  "Parameters are given in the order the command lists them, or by name with -k.\n"
  "A value made only of digits, true, false, null, or a value in \"…\", […] or {…} is\n"
  "sent as JSON (as lightning-cli does); any other value is sent as a string.\n"
  "A JSON null leaves a parameter out. `decode -` reads the string from standard input.\n"
  "\n"
  "Exit status: 0 success, the result on stdout; 1 the command failed, {\"code\", \"message\"}\n"
  "on stdout (codes as Core Lightning's: -32602 bad parameter, -32601 unknown command, -1 …);\n"
  "2 usage error, message on stderr.\n";

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "offerdesk-cli: %s\nTry 'offerdesk-cli --help' for more information.\n",
           message);

  return EXIT_USAGE;
}

static void
print_help (void)
{
  fputs (usage_text, stdout);
  fputs ("\nCommands:\n\n", stdout);
  for (const char * const *name = od_commands_list (); *name != NULL; name++)
    {
      fputs (od_commands_help (*name), stdout);
      fputc ('\n', stdout);
    }
}

/* ---- Output: JSON, 2-space indent, UTF-8 as it is (no locale conversion) ---- */

static void
print_string (GString    *out,
              const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
print_indent (GString *out,
              guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
print_node (GString  *out,
            JsonNode *node,
            guint     depth)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            print_indent (out, depth + 1);
            print_string (out, l->data);
            g_string_append (out, ": ");
            print_node (out, json_object_get_member (object, l->data), depth + 1);
            if (l->next != NULL)
              g_string_append_c (out, ',');
          }
        print_indent (out, depth);
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            print_indent (out, depth + 1);
            print_node (out, json_array_get_element (array, i), depth + 1);
            if (i + 1 < n)
              g_string_append_c (out, ',');
          }
        print_indent (out, depth);
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          {
            print_string (out, json_node_get_string (node));
          }
        else if (type == G_TYPE_BOOLEAN)
          {
            g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          }
        else if (type == G_TYPE_DOUBLE)
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
          }
        else
          {
            g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          }
        break;
      }

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

static void
print_json (JsonNode *node)
{
  g_autoptr(GString) out = g_string_new (NULL);

  print_node (out, node, 0);
  g_string_append_c (out, '\n');
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* ---- Input ---- */

/* A JSON string of text.  Control bytes other than the usual escapes and non-UTF-8 bytes pass
 * as they are: the command's parameter types judge them (e.g. "should be a UTF-8 string"). */
static void
append_quoted (GString    *json,
               const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (json, "\\\""); break;
        case '\\': g_string_append (json, "\\\\"); break;
        case '\n': g_string_append (json, "\\n"); break;
        case '\r': g_string_append (json, "\\r"); break;
        case '\t': g_string_append (json, "\\t"); break;
        case '\b': g_string_append (json, "\\b"); break;
        case '\f': g_string_append (json, "\\f"); break;
        default: g_string_append_c (json, *p); break;
        }
    }
  g_string_append_c (json, '"');
}

/* lightning-cli's rule: digits, true, false, null and "…", […], {…} go as JSON, the rest as a
 * JSON string. */
static void
append_value (GString    *json,
              const char *value)
{
  gsize len = strlen (value);

  if ((len > 0 && strspn (value, "0123456789") == len)
      || strcmp (value, "true") == 0
      || strcmp (value, "false") == 0
      || strcmp (value, "null") == 0
      || (len >= 2 && value[0] == '"' && value[len - 1] == '"')
      || (len >= 2 && value[0] == '[' && value[len - 1] == ']')
      || (len >= 2 && value[0] == '{' && value[len - 1] == '}'))
    g_string_append (json, value);
  else
    append_quoted (json, value);
}

static char *
read_stdin (void)
{
  GString *text = g_string_new (NULL);
  char buf[4096];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (text, buf, (gssize) n);

  return g_strchomp (g_string_free (text, FALSE));
}

/* One parameter value.  `decode -` (or `decode -k string=-`) reads the string from standard
 * input, trailing whitespace removed, and always sends it as a string. */
static void
append_param (GString    *json,
              const char *command,
              const char *name,
              const char *value,
              guint       index)
{
  if (strcmp (command, "decode") == 0
      && (name != NULL ? strcmp (name, "string") == 0 : index == 0)
      && strcmp (value, "-") == 0)
    {
      g_autofree char *text = read_stdin ();

      append_quoted (json, text);
      return;
    }

  append_value (json, value);
}

/* ---- Backend options ---- */

typedef struct
{
  char     *backend;
  char     *rpc_file;
  char     *rest_url;
  char     *rune;
  char     *rune_file;
  char     *certificate;
  char     *fingerprint;
  gboolean  save_rune;
} BackendOptions;

static void
backend_options_clear (BackendOptions *opts)
{
  /* The rune is a secret: not left behind in freed memory. */
  if (opts->rune != NULL)
    memset (opts->rune, 0, strlen (opts->rune));
  g_clear_pointer (&opts->backend, g_free);
  g_clear_pointer (&opts->rpc_file, g_free);
  g_clear_pointer (&opts->rest_url, g_free);
  g_clear_pointer (&opts->rune, g_free);
  g_clear_pointer (&opts->rune_file, g_free);
  g_clear_pointer (&opts->certificate, g_free);
  g_clear_pointer (&opts->fingerprint, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BackendOptions, backend_options_clear)

/* "--name=VALUE" or "--name VALUE": 1 taken (into *out), 0 not this option, -1 no value. */
static int
take_value (int          argc,
            char       **argv,
            int         *i,
            const char  *name,
            char       **out)
{
  const char *arg = argv[*i];
  gsize len = strlen (name);

  if (strncmp (arg, name, len) != 0)
    return 0;
  if (arg[len] == '=')
    {
      g_free (*out);
      *out = g_strdup (arg + len + 1);
      return 1;
    }
  if (arg[len] != '\0')
    return 0;
  if (*i + 1 >= argc)
    return -1;
  g_free (*out);
  *out = g_strdup (argv[++*i]);

  return 1;
}

static gboolean
cli_error (GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
cli_error (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  /* g_set_error() with the caller's arguments. */
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);

  return FALSE;
}

/* An absolute path: "~/" is the home directory (the shell does not expand it after "--x="),
 * a relative path is taken from the current directory. */
static char *
expand_path (const char *path)
{
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);

  return g_canonicalize_filename (path, NULL);
}

/* The rune: --rune, --rune-file, $OFFERDESK_RUNE, then the one saved for the URL.  *given is
 * TRUE when it came from the command line or the environment (what --save-rune keeps). */
static char *
find_rune (const BackendOptions  *opts,
           const char            *data_dir,
           gboolean              *given,
           GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *env = g_getenv ("OFFERDESK_RUNE");
  char *rune = NULL;

  *given = TRUE;
  if (opts->rune != NULL)
    return g_strdup (opts->rune);
  if (opts->rune_file != NULL)
    {
      g_autofree char *path = expand_path (opts->rune_file);

      if (!g_file_get_contents (path, &rune, NULL, &local_error))
        {
          cli_error (error, "cannot read the rune file: %s", local_error->message);
          return NULL;
        }
      return g_strstrip (rune);
    }
  if (env != NULL && *env != '\0')
    return g_strstrip (g_strdup (env));

  *given = FALSE;
  rune = od_secret_lookup_rune (data_dir, opts->rest_url, &local_error);
  if (rune == NULL && local_error != NULL)
    {
      cli_error (error, "cannot read the saved rune for %s: %s", opts->rest_url,
                 local_error->message);
      return NULL;
    }

  return rune;
}

/* Builds and validates the backend configuration; the backend is set on commands when it is a
 * node.  *rune_to_save: the rune --save-rune asks to keep.  Errors are usage errors. */
static gboolean
setup_backend (const BackendOptions  *opts,
               OdCommands            *commands,
               char                 **rune_to_save,
               GError               **error)
{
  const char *network = od_commands_get_network (commands);
  const char *data_dir = od_commands_get_data_dir (commands);
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(OdBackend) backend = NULL;
  gboolean has_rest = opts->rest_url != NULL || opts->rune != NULL || opts->rune_file != NULL
                      || opts->certificate != NULL || opts->fingerprint != NULL
                      || opts->save_rune;
  OdBackendKind kind = OD_BACKEND_KIND_LOCAL;

  if (opts->backend != NULL)
    {
      if (!od_backend_kind_from_string (opts->backend, &kind))
        return cli_error (error, "unknown backend '%s' (expected local, socket or rest)",
                          opts->backend);
    }
  else if (opts->rest_url != NULL && opts->rpc_file != NULL)
    {
      return cli_error (error, "--rpc-file and --rest-url name two different backends; "
                        "choose one with --backend");
    }
  else if (opts->rest_url != NULL)
    {
      kind = OD_BACKEND_KIND_REST;
    }
  else if (opts->rpc_file != NULL)
    {
      kind = OD_BACKEND_KIND_SOCKET;
    }

  if (kind != OD_BACKEND_KIND_SOCKET && opts->rpc_file != NULL)
    return cli_error (error, "--rpc-file is only for --backend=socket");
  if (kind != OD_BACKEND_KIND_REST && has_rest)
    return cli_error (error, "--rest-url, --rune, --rune-file, --rest-certificate, "
                      "--rest-fingerprint and --save-rune are only for --backend=rest");
  if (kind == OD_BACKEND_KIND_LOCAL)
    return TRUE;

  config = od_backend_config_new (kind);
  if (kind == OD_BACKEND_KIND_SOCKET)
    {
      if (opts->rpc_file != NULL)
        config->socket_path = expand_path (opts->rpc_file);
      else
        config->socket_path = g_build_filename (g_get_home_dir (), ".lightning", network,
                                                "lightning-rpc", NULL);
    }
  else
    {
      gboolean given = FALSE;

      if (opts->rest_url == NULL)
        return cli_error (error, "--backend=rest needs --rest-url=URL");
      config->url = g_strdup (opts->rest_url);
      config->rune = find_rune (opts, data_dir, &given, error);
      if (config->rune == NULL && error != NULL && *error != NULL)
        return FALSE;
      if (config->rune == NULL)
        return cli_error (error, "no rune for %s: give --rune-file=PATH or $OFFERDESK_RUNE "
                          "(add --save-rune to keep it)", opts->rest_url);
      if (opts->save_rune && !given)
        return cli_error (error, "--save-rune needs a rune from --rune, --rune-file or "
                          "$OFFERDESK_RUNE");
      if (opts->save_rune)
        *rune_to_save = g_strdup (config->rune);
      if (opts->certificate != NULL)
        config->pinned_cert_path = expand_path (opts->certificate);
      config->pinned_sha256 = g_strdup (opts->fingerprint);
    }

  if (!od_backend_config_validate (config, error))
    return FALSE;
  backend = od_backend_new_for_config (config, commands, error);
  if (backend == NULL)
    return FALSE;
  od_commands_set_backend (commands, backend);

  return TRUE;
}

/* ---- The CLI's own commands ---- */

/* A JSON node that takes object. */
static JsonNode *
take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

static gboolean
is_hex64 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;

  return TRUE;
}

static JsonObject *
payment_object (const OdPayment *payment)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "offer_id", payment->offer_id);
  json_object_set_string_member (object, "node_id", payment->node_id);
  json_object_set_int_member (object, "pay_index", (gint64) payment->pay_index);
  if (payment->label != NULL)
    json_object_set_string_member (object, "label", payment->label);
  if (payment->payment_hash != NULL)
    json_object_set_string_member (object, "payment_hash", payment->payment_hash);
  json_object_set_int_member (object, "amount_msat", (gint64) payment->amount_msat);
  json_object_set_int_member (object, "paid_at", payment->paid_at);
  if (payment->payer_note != NULL)
    json_object_set_string_member (object, "payer_note", payment->payer_note);
  if (payment->has_quantity)
    json_object_set_int_member (object, "quantity", (gint64) payment->quantity);
  if (payment->has_recurrence_counter)
    json_object_set_int_member (object, "recurrence_counter", payment->recurrence_counter);
  if (payment->rate_msat_per_unit > 0)
    json_object_set_int_member (object, "rate_msat_per_unit",
                                (gint64) payment->rate_msat_per_unit);
  if (payment->bolt12 != NULL)
    json_object_set_string_member (object, "bolt12", payment->bolt12);

  return object;
}

/* `listpayments [offer_id]`: the payments recorded in the store, oldest first. */
static JsonNode *
cli_listpayments (OdCommands  *commands,
                  GPtrArray   *values,
                  gboolean     keywords,
                  GError     **error)
{
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *offer_id = NULL;
  JsonObject *result;
  JsonArray *array;
  OdStore *store;

  for (guint v = 0; v < values->len; v++)
    {
      const char *arg = g_ptr_array_index (values, v);

      if (keywords)
        {
          if (!g_str_has_prefix (arg, "offer_id="))
            {
              g_autofree char *name = g_strndup (arg, strcspn (arg, "="));

              g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS, "unknown parameter: %s",
                           name);
              return NULL;
            }
          offer_id = arg + strlen ("offer_id=");
        }
      else if (v == 0)
        {
          offer_id = arg;
        }
      else
        {
          g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                       "too many parameters: got %u, expected at most 1", values->len);
          return NULL;
        }
    }
  if (offer_id != NULL && strcmp (offer_id, "null") == 0)
    offer_id = NULL;
  if (offer_id != NULL && !is_hex64 (offer_id))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "offer_id: should be a 32 byte hex value");
      return NULL;
    }

  store = od_commands_open_store (commands, FALSE, &local_error);
  if (store == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (store != NULL)
    {
      g_autofree char *lower = offer_id != NULL ? g_ascii_strdown (offer_id, -1) : NULL;

      payments = od_store_list_payments (store, lower, &local_error);
      if (payments == NULL)
        {
          g_set_error_literal (error, OD_ERROR, OD_ERROR_GENERIC, local_error->message);
          return NULL;
        }
    }

  array = json_array_new ();
  for (guint i = 0; payments != NULL && i < payments->len; i++)
    json_array_add_object_element (array, payment_object (g_ptr_array_index (payments, i)));
  result = json_object_new ();
  json_object_set_array_member (result, "payments", array);

  return take_object (result);
}

/* `syncpayments`: one pass over the node's paid invoices since the last one recorded. */
static JsonNode *
cli_syncpayments (OdCommands  *commands,
                  GPtrArray   *values,
                  GError     **error)
{
  JsonObject *result;
  guint n_recorded = 0;

  if (values->len > 0)
    {
      g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                   "too many parameters: got %u, expected 0", values->len);
      return NULL;
    }
  if (!od_backend_is_node (od_commands_get_backend (commands)))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_GENERIC,
                           "syncpayments needs a Core Lightning node: give --backend=socket or "
                           "--backend=rest");
      return NULL;
    }
  if (!od_payments_sync_once (commands, &n_recorded, NULL, error))
    return NULL;

  result = json_object_new ();
  json_object_set_int_member (result, "recorded", n_recorded);

  return take_object (result);
}

/* `exportcsv FILE`: the history with its payments as CSV (od-export.h). */
static JsonNode *
cli_exportcsv (OdCommands  *commands,
               GPtrArray   *values,
               gboolean     keywords,
               GError     **error)
{
  const char *path = values->len == 1 ? g_ptr_array_index (values, 0) : NULL;
  JsonObject *result;
  JsonNode *node;

  if (path != NULL && keywords)
    path = g_str_has_prefix (path, "file=") ? path + strlen ("file=") : NULL;
  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           values->len > 1 ? "too many parameters: expected 1 (file)"
                                           : "missing required parameter: file");
      return NULL;
    }
  if (!od_export_csv_file (commands, path, NULL, error))
    return NULL;

  node = json_node_new (JSON_NODE_OBJECT);
  result = json_object_new ();
  json_object_set_string_member (result, "path", path);
  json_node_take_object (node, result);

  return node;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *params = NULL;
  g_autoptr(OdCommands) commands = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autofree char *rune_to_save = NULL;
  g_auto(BackendOptions) opts = { 0 };
  GString *json;
  int status;
  const char *network = "bitcoin";
  const char *command;
  gboolean keywords = FALSE;
  gboolean options_done = FALSE;
  int i = 1;

  /* Options before the command. */
  for (; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      else if (strcmp (arg, "-h") == 0 || strcmp (arg, "--help") == 0)
        {
          print_help ();
          return EXIT_SUCCESS;
        }
      else if (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0)
        {
          keywords = TRUE;
        }
      else if (strcmp (arg, "--data-dir") == 0 || strcmp (arg, "--network") == 0)
        {
          if (i + 1 >= argc)
            return usage_error ("option '%s' needs a value", arg);
          if (arg[2] == 'd')
            {
              g_free (data_dir);
              data_dir = g_strdup (argv[++i]);
            }
          else
            {
              network = argv[++i];
            }
        }
      else if (strcmp (arg, "--save-rune") == 0)
        {
          opts.save_rune = TRUE;
        }
      else if (g_str_has_prefix (arg, "--backend") || g_str_has_prefix (arg, "--rpc-file")
               || g_str_has_prefix (arg, "--rest-") || g_str_has_prefix (arg, "--rune"))
        {
          static const char * const names[] = {
            "--backend", "--rpc-file", "--rest-url", "--rune", "--rune-file",
            "--rest-certificate", "--rest-fingerprint",
          };
          char **slots[] = {
            &opts.backend, &opts.rpc_file, &opts.rest_url, &opts.rune, &opts.rune_file,
            &opts.certificate, &opts.fingerprint,
          };
          int taken = 0;

          for (guint n = 0; n < G_N_ELEMENTS (names) && taken == 0; n++)
            taken = take_value (argc, argv, &i, names[n], slots[n]);
          if (taken < 0)
            return usage_error ("option '%s' needs a value", arg);
          if (taken == 0)
            return usage_error ("unknown option '%s'", arg);
        }
      else if (g_str_has_prefix (arg, "--data-dir="))
        {
          g_free (data_dir);
          data_dir = g_strdup (arg + strlen ("--data-dir="));
        }
      else if (g_str_has_prefix (arg, "--network="))
        {
          network = arg + strlen ("--network=");
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        {
          return usage_error ("unknown option '%s'", arg);
        }
      else
        {
          break;
        }
    }

  if (!od_network_is_valid (network))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) od_network_names ());

      return usage_error ("unknown network '%s' (expected one of: %s)", network, names);
    }
  if (data_dir == NULL || *data_dir == '\0')
    {
      const char *env = g_getenv ("OFFERDESK_DATA_DIR");

      g_free (data_dir);
      if (env != NULL && *env != '\0')
        data_dir = g_strdup (env);
      else
        data_dir = g_build_filename (g_get_user_data_dir (), "offerdesk", NULL);
    }

  if (i >= argc)
    return usage_error ("no command given");
  command = argv[i++];

  /* Parameters; -k may also follow the command, and "--" ends the options. */
  for (; i < argc; i++)
    {
      const char *arg = argv[i];

      if (!options_done && strcmp (arg, "--") == 0)
        options_done = TRUE;
      else if (!options_done && (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0))
        keywords = TRUE;
      else
        g_ptr_array_add (values, argv[i]);
    }

  json = g_string_new (keywords ? "{" : "[");
  for (guint v = 0; v < values->len; v++)
    {
      const char *arg = g_ptr_array_index (values, v);

      if (v > 0)
        g_string_append (json, ", ");
      if (keywords)
        {
          const char *eq = strchr (arg, '=');
          g_autofree char *name = NULL;

          if (eq == NULL || eq == arg)
            {
              g_string_free (json, TRUE);
              return usage_error ("expected NAME=VALUE after -k, got '%s'", arg);
            }
          name = g_strndup (arg, eq - arg);
          append_quoted (json, name);
          g_string_append (json, ": ");
          append_param (json, command, name, eq + 1, v);
        }
      else
        {
          append_param (json, command, NULL, arg, v);
        }
    }
  g_string_append (json, keywords ? "}" : "]");
  params = g_string_free (json, FALSE);

  commands = od_commands_new (data_dir, network);
  if (!setup_backend (&opts, commands, &rune_to_save, &error))
    return usage_error ("%s", error->message);

  if (strcmp (command, "listpayments") == 0)
    result = cli_listpayments (commands, values, keywords, &error);
  else if (strcmp (command, "syncpayments") == 0)
    result = cli_syncpayments (commands, values, &error);
  else if (strcmp (command, "exportcsv") == 0)
    result = cli_exportcsv (commands, values, keywords, &error);
  else
    result = od_commands_call_json (commands, command, params, &error);

  /* The rune is kept once the node took it: any answer but a transport or rune failure. */
  if (rune_to_save != NULL && (result != NULL || error->domain != OD_BACKEND_ERROR))
    {
      g_autoptr(GError) save_error = NULL;

      if (!od_secret_store_rune (data_dir, opts.rest_url, rune_to_save, &save_error))
        fprintf (stderr, "offerdesk-cli: could not save the rune: %s\n", save_error->message);
      memset (rune_to_save, 0, strlen (rune_to_save));
    }

  status = result != NULL ? EXIT_SUCCESS : EXIT_COMMAND_ERROR;
  if (result == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error->domain == OD_ERROR ? error->code : -1);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      print_json (node);

      return status;
    }

  print_json (result);

  return status;
}
