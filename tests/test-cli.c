/* test-cli.c: offerdesk-cli as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real binary ($OFFERDESK_CLI, set by tests/meson.build) and checks exit status,
 * stdout (JSON) and stderr: results (0), command errors as {"code", "message"} on stdout (1),
 * usage errors on stderr (2).
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "od-test-node-client.h"

#define OFFER "lno1pgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg"
#define OFFER_ID "2ae25ebfbf058eb242e4a268d9c7f32fb2a335054a93def58f4b1ee757957463"
#define CURRENCY_NO_AMOUNT \
  "lno1qcp4256ypgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg"

typedef struct
{
  int       status;
  char     *out;
  char     *err;
  JsonNode *json;   /* stdout parsed, NULL when stdout is empty */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->json, json_node_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *data_dir;

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  return len > 0 ? g_strndup (data, len) : g_strdup ("");
}

/* Runs offerdesk-cli with args (NULL-terminated) and optional stdin text. */
static void
run_cli_v (Run         *run,
           const char  *input,
           const char  *first,
           va_list      args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdin_path = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  const char *cli = g_getenv ("OFFERDESK_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);

  /* Standard input comes from a file, not a pipe: a command that does not read it (a string
   * given on the command line) may exit before a pipe is written, failing the write with EPIPE.
   * Without input it is /dev/null. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (input != NULL)
    {
      g_autofree char *tmp = g_path_get_dirname (data_dir);

      stdin_path = g_build_filename (tmp, "cli-stdin", NULL);
      g_assert_true (g_file_set_contents (stdin_path, input, -1, NULL));
      g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
    }
  /* decode and help must not create it */
  g_subprocess_launcher_setenv (launcher, "OFFERDESK_DATA_DIR", data_dir, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (stdin_path != NULL)
    g_unlink (stdin_path);
  g_assert_true (g_subprocess_get_if_exited (proc));

  run->status = g_subprocess_get_exit_status (proc);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);
  run->json = NULL;
  /* --help prints text; everything else prints JSON or nothing */
  if (*run->out == '{' || *run->out == '[')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, run->out, -1, &error))
        g_error ("stdout is not JSON (%s): %s", error->message, run->out);
      run->json = json_node_copy (json_parser_get_root (parser));
    }
}

static void
run_cli (Run        *run,
         const char *first,
         ...)
{
  va_list args;

  va_start (args, first);
  run_cli_v (run, NULL, first, args);
  va_end (args);
}

static void
run_cli_stdin (Run        *run,
               const char *input,
               const char *first,
               ...)
{
  va_list args;

  va_start (args, first);
  run_cli_v (run, input, first, args);
  va_end (args);
}

static JsonObject *
result_object (Run *run)
{
  if (run->status != 0)
    g_error ("exit %d, stdout %s, stderr %s", run->status, run->out, run->err);
  g_assert_nonnull (run->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (run->json));
  g_assert_cmpstr (run->err, ==, "");

  return json_node_get_object (run->json);
}

/* A command error: exit 1, stdout exactly {"code": code, "message": …}; returns the message. */
static const char *
error_message (Run *run,
               int  code)
{
  JsonObject *obj;

  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (run->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (run->json));
  obj = json_node_get_object (run->json);
  g_assert_cmpuint (json_object_get_size (obj), ==, 2);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (obj, "code")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (obj, "code"), ==, code);

  return json_object_get_string_member (obj, "message");
}

static void
assert_usage_error (Run *run)
{
  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, "offerdesk-cli"));
}

static void
assert_no_data_dir (void)
{
  g_assert_false (g_file_test (data_dir, G_FILE_TEST_EXISTS));
}

/* ---- decode ---- */

static void
test_decode_valid (void)
{
  g_auto(Run) run = { 0 };
  JsonObject *obj;

  run_cli (&run, "decode", OFFER, NULL);
  obj = result_object (&run);
  g_assert_cmpstr (json_object_get_string_member (obj, "type"), ==, "bolt12 offer");
  g_assert_true (json_object_get_boolean_member (obj, "valid"));
  g_assert_cmpstr (json_object_get_string_member (obj, "offer_id"), ==, OFFER_ID);
  g_assert_cmpstr (json_object_get_string_member (obj, "offer_description"), ==, "Test vectors");
  /* pretty, 2-space indent, one member per line */
  g_assert_true (g_str_has_prefix (run.out, "{\n  \"type\": \"bolt12 offer\",\n"));
  g_assert_true (g_str_has_suffix (run.out, "}\n"));
  assert_no_data_dir ();
}

static void
test_decode_invalid (void)
{
  g_auto(Run) run = { 0 };
  const char *message;

  run_cli (&run, "decode", CURRENCY_NO_AMOUNT, NULL);
  message = error_message (&run, -32602);
  g_assert_true (g_str_has_prefix (message, "string: "));
  g_assert_nonnull (strstr (message, "currency with no amount"));
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_decode_uris (void)
{
  g_autofree char *upper = g_ascii_strup (OFFER, -1);
  char *forms[] = {
    g_strconcat ("lightning:", OFFER, NULL),
    g_strconcat ("bitcoin:?lno=", OFFER, NULL),
    g_strconcat ("BITCOIN:?LNO=", upper, NULL),
    g_strdup (upper),
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_auto(Run) run = { 0 };
      JsonObject *obj;

      g_test_message ("decode %s", forms[i]);
      run_cli (&run, "decode", forms[i], NULL);
      obj = result_object (&run);
      g_assert_cmpstr (json_object_get_string_member (obj, "type"), ==, "bolt12 offer");
      g_assert_cmpstr (json_object_get_string_member (obj, "offer_id"), ==, OFFER_ID);
    }
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    g_free (forms[i]);
}

static void
test_decode_stdin (void)
{
  g_auto(Run) run1 = { 0 };
  g_auto(Run) run2 = { 0 };
  g_auto(Run) run3 = { 0 };
  g_auto(Run) run4 = { 0 };

  run_cli_stdin (&run1, OFFER "\n", "decode", "-", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run1), "offer_id"), ==, OFFER_ID);

  /* a split string keeps its inner newline; trailing whitespace goes */
  run_cli_stdin (&run2, "lno1pgx9getnwss8vetrw3hhyuckyypwa3eyt44h6+\n  "
                 "txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg \r\n\n",
                 "decode", "-", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run2), "offer_id"), ==, OFFER_ID);

  run_cli_stdin (&run3, "lightning:" OFFER, "-k", "decode", "string=-", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run3), "offer_id"), ==, OFFER_ID);

  /* stdin is read only for "-" */
  run_cli_stdin (&run4, CURRENCY_NO_AMOUNT, "decode", OFFER, NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run4), "offer_id"), ==, OFFER_ID);
}

static void
test_decode_keywords (void)
{
  g_auto(Run) run1 = { 0 };
  g_auto(Run) run2 = { 0 };
  g_auto(Run) run3 = { 0 };
  g_auto(Run) run4 = { 0 };
  g_auto(Run) run5 = { 0 };

  run_cli (&run1, "decode", "-k", "string=" OFFER, NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run1), "offer_id"), ==, OFFER_ID);

  run_cli (&run2, "-k", "decode", "string=bitcoin:?lno=" OFFER, NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run2), "offer_id"), ==, OFFER_ID);

  run_cli (&run3, "decode", "-k", "strng=" OFFER, NULL);
  g_assert_cmpstr (error_message (&run3, -32602), ==, "unknown parameter: strng");

  run_cli (&run4, "decode", "-k", "string=" OFFER, "string=" OFFER, NULL);
  g_assert_cmpstr (error_message (&run4, -32602), ==, "duplicate json names: string");

  /* a value in quotes is sent as a JSON string, as lightning-cli does */
  run_cli (&run5, "decode", "\"" OFFER "\"", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run5), "offer_id"), ==, OFFER_ID);
}

static void
test_decode_params (void)
{
  g_auto(Run) missing = { 0 };
  g_auto(Run) missing_k = { 0 };
  g_auto(Run) many = { 0 };
  g_auto(Run) null_param = { 0 };
  g_auto(Run) digits = { 0 };
  const char *message;

  run_cli (&missing, "decode", NULL);
  g_assert_cmpstr (error_message (&missing, -32602), ==, "missing required parameter: string");

  run_cli (&missing_k, "decode", "-k", NULL);
  g_assert_cmpstr (error_message (&missing_k, -32602), ==, "missing required parameter: string");

  run_cli (&many, "decode", OFFER, "extra", NULL);
  g_assert_cmpstr (error_message (&many, -32602), ==,
                   "too many parameters: got 2, expected at most 1");

  /* null leaves a parameter out */
  run_cli (&null_param, "decode", "null", NULL);
  g_assert_cmpstr (error_message (&null_param, -32602), ==, "missing required parameter: string");

  /* digits go as a JSON number, and the command still sees them as written */
  run_cli (&digits, "decode", "0000000000000000000000000000000000000000000000000000000000000000", NULL);
  message = error_message (&digits, -32602);
  g_assert_true (g_str_has_prefix (message, "string: "));
}

/* ---- help ---- */

static void
test_help (void)
{
  g_auto(Run) run = { 0 };
  JsonArray *help;
  gboolean seen[3] = { FALSE, FALSE, FALSE };
  const char *names[] = { "decode", "getinfo", "help" };

  run_cli (&run, "help", NULL);
  help = json_object_get_array_member (result_object (&run), "help");
  g_assert_nonnull (help);
  g_assert_cmpuint (json_array_get_length (help), >=, 3);
  for (guint i = 0; i < json_array_get_length (help); i++)
    {
      JsonObject *entry = json_array_get_object_element (help, i);
      const char *command = json_object_get_string_member (entry, "command");

      g_assert_cmpstr (json_object_get_string_member (entry, "category"), ==, "offerdesk");
      g_assert_cmpuint (strlen (json_object_get_string_member (entry, "description")), >, 10);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "verbose"), command));
      for (guint n = 0; n < G_N_ELEMENTS (names); n++)
        if (strcmp (command, names[n]) == 0)
          seen[n] = TRUE;
    }
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    g_assert_true (seen[n]);
  assert_no_data_dir ();
}

static void
test_help_command (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) unknown = { 0 };
  JsonArray *help;
  JsonObject *entry;

  run_cli (&run, "help", "decode", NULL);
  help = json_object_get_array_member (result_object (&run), "help");
  g_assert_cmpuint (json_array_get_length (help), ==, 1);
  entry = json_array_get_object_element (help, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "command"), ==, "decode");
  g_assert_cmpstr (json_object_get_string_member (entry, "usage"), ==, "decode string");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "verbose"), "string (required)"));
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "verbose"), "bitcoin:?lno="));

  run_cli (&unknown, "help", "frobnicate", NULL);
  g_assert_cmpstr (error_message (&unknown, -32601), ==, "Unknown command 'frobnicate'");
}

static void
test_help_option (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) short_opt = { 0 };
  const char *expected[] = {
    "Usage: offerdesk-cli", "--data-dir", "--network", "-k", "regtest", "Exit status",
    "decode string", "getinfo", "help [command]", "string (required)",
  };

  run_cli (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (run.out, expected[i]) == NULL)
      g_error ("--help does not mention %s:\n%s", expected[i], run.out);

  run_cli (&short_opt, "-h", NULL);
  g_assert_cmpint (short_opt.status, ==, 0);
  g_assert_cmpstr (short_opt.out, ==, run.out);
  assert_no_data_dir ();
}

/* ---- errors and options ---- */

static void
test_unknown_command (void)
{
  g_auto(Run) run = { 0 };

  run_cli (&run, "frobnicate", "1", NULL);
  g_assert_cmpstr (error_message (&run, -32601), ==, "Unknown command 'frobnicate'");
}

static void
test_usage_errors (void)
{
  const char *cases[][4] = {
    { "--frobnicate", "decode", OFFER, NULL },
    { "--network", "mainnet", "getinfo", NULL },
    { "--network=liquid", "getinfo", NULL, NULL },
    { "--network", NULL, NULL, NULL },
    { "--data-dir", NULL, NULL, NULL },
    { "decode", "-k", "noequals", NULL },
    { "decode", "-k", "=" OFFER, NULL },
    { "-k", NULL, NULL, NULL },
  };
  g_auto(Run) none = { 0 };

  run_cli (&none, NULL);
  assert_usage_error (&none);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      g_test_message ("case %u: %s %s", i, cases[i][0], cases[i][1] ? cases[i][1] : "");
      run_cli (&run, cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
      assert_usage_error (&run);
    }
}

static void
test_getinfo (void)
{
  g_autofree char *other = g_build_filename (data_dir, "elsewhere", NULL);
  g_auto(Run) run1 = { 0 };
  g_auto(Run) run2 = { 0 };
  g_auto(Run) run3 = { 0 };
  JsonObject *obj;

  run_cli (&run1, "getinfo", NULL);
  obj = result_object (&run1);
  g_assert_cmpstr (json_object_get_string_member (obj, "network"), ==, "bitcoin");
  g_assert_cmpstr (json_object_get_string_member (obj, "data_dir"), ==, data_dir);

  run_cli (&run2, "--network", "regtest", "--data-dir", other, "getinfo", NULL);
  obj = result_object (&run2);
  g_assert_cmpstr (json_object_get_string_member (obj, "network"), ==, "regtest");
  g_assert_cmpstr (json_object_get_string_member (obj, "data_dir"), ==, other);

  run_cli (&run3, "--network=signet", "getinfo", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&run3), "network"), ==, "signet");

  /* getinfo shows the issuer key, created on first use: the data dir exists now.  Remove it, as
   * the other tests check that decode and help never create it. */
  {
    g_autofree char *key = g_build_filename (data_dir, "bitcoin", "issuer.key", NULL);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", data_dir);

    g_assert_cmpuint (strlen (json_object_get_string_member (result_object (&run1), "id")), ==, 66);
    g_assert_true (g_file_test (key, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* Options end at the command: a parameter may start with '-'. */
static void
test_dash_parameters (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) run2 = { 0 };

  run_cli (&run, "decode", "-1+1", NULL);
  g_assert_true (g_str_has_prefix (error_message (&run, -32602), "string: "));

  run_cli (&run2, "decode", "--", "-k", NULL);
  g_assert_true (g_str_has_prefix (error_message (&run2, -32602), "string: "));
}

/* ---- Core Lightning node options and the CLI's own commands ---- */

/* Bad backend options are usage errors (exit 2), found before anything is called or created. */
static void
test_backend_usage_errors (void)
{
  const char *cases[][5] = {
    { "--backend=bogus", "getinfo", NULL, NULL, NULL },
    { "--backend", NULL, NULL, NULL, NULL },
    { "--backend=local", "--rune=abc", "getinfo", NULL, NULL },
    { "--backend=socket", "--rest-url=https://127.0.0.1:3010", "getinfo", NULL, NULL },
    { "--backend=rest", "--rpc-file=/tmp/lightning-rpc", "getinfo", NULL, NULL },
    { "--rpc-file=/tmp/x", "--rest-url=https://127.0.0.1:3010", "getinfo", NULL, NULL },
    { "--backend=rest", "--rune=abc", "getinfo", NULL, NULL },
    /* the rune would cross the network in clear */
    { "--rest-url=http://example.com:3010", "--rune=abc", "getinfo", NULL, NULL },
    { "--rest-url=ftp://127.0.0.1:3010", "--rune=abc", "getinfo", NULL, NULL },
    { "--rest-url=https://127.0.0.1:3010", "--rune=abc", "--rest-fingerprint=zz", "getinfo",
      NULL },
    { "--rest-url=https://127.0.0.1:3010", "--rune=abc", "--rest-certificate=/nonexistent.pem",
      "getinfo", NULL },
    { "--rest-url=https://127.0.0.1:3010", "--rune-file=/nonexistent/rune", "getinfo", NULL,
      NULL },
    { "--save-rune", "getinfo", NULL, NULL, NULL },
    { "--rest-urlx=https://127.0.0.1:3010", "getinfo", NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      g_test_message ("case %u: %s %s", i, cases[i][0], cases[i][1] ? cases[i][1] : "");
      run_cli (&run, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4], NULL);
      assert_usage_error (&run);
    }
  assert_no_data_dir ();
}

/* A node that is not there: the command fails (exit 1) with a sentence naming where it looked,
 * and nothing is created. */
static void
test_backend_unreachable (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) offer = { 0 };
  const char *message;

  run_cli (&run, "--network=regtest", "--rpc-file=/nonexistent/lightning-rpc", "getinfo", NULL);
  message = error_message (&run, -1);
  g_assert_nonnull (strstr (message, "/nonexistent/lightning-rpc"));

  /* Bad params are still refused locally, before any connection is tried. */
  run_cli (&offer, "--network=regtest", "--backend=socket", "--rpc-file=/nonexistent/lightning-rpc",
           "offer", "12parsecs", "x", NULL);
  g_assert_true (g_str_has_prefix (error_message (&offer, -32602), "amount: "));
  assert_no_data_dir ();
}

static void
test_backend_help (void)
{
  g_auto(Run) run = { 0 };
  const char *expected[] = {
    "--backend=", "--rpc-file=", "--rest-url=", "--rune=", "--rune-file=", "OFFERDESK_RUNE",
    "--save-rune", "--rest-certificate=", "--rest-fingerprint=", "`ps`", "listpayments",
    "syncpayments",
  };

  run_cli (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (run.out, expected[i]) == NULL)
      g_error ("--help does not mention %s", expected[i]);
}

static void
test_listpayments (void)
{
  g_auto(Run) empty = { 0 };
  g_auto(Run) one = { 0 };
  g_auto(Run) named = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) many = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) sync = { 0 };
  JsonArray *payments;

  /* Nothing stored yet: an empty list, and nothing is created. */
  run_cli (&empty, "listpayments", NULL);
  payments = json_object_get_array_member (result_object (&empty), "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, 0);
  run_cli (&one, "listpayments", OFFER_ID, NULL);
  payments = json_object_get_array_member (result_object (&one), "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, 0);
  run_cli (&named, "listpayments", "-k", "offer_id=" OFFER_ID, NULL);
  g_assert_nonnull (json_object_get_array_member (result_object (&named), "payments"));

  run_cli (&bad, "listpayments", "xyz", NULL);
  g_assert_cmpstr (error_message (&bad, -32602), ==, "offer_id: should be a 32 byte hex value");
  run_cli (&many, "listpayments", OFFER_ID, OFFER_ID, NULL);
  g_assert_true (g_str_has_prefix (error_message (&many, -32602), "too many parameters"));
  run_cli (&unknown, "listpayments", "-k", "offer=" OFFER_ID, NULL);
  g_assert_cmpstr (error_message (&unknown, -32602), ==, "unknown parameter: offer");

  /* The embedded key is paid by nobody: there is nothing to sync from. */
  run_cli (&sync, "syncpayments", NULL);
  g_assert_nonnull (strstr (error_message (&sync, -1), "--backend=socket"));
  assert_no_data_dir ();
}

/* With a test node behind the CLI: socket options, the table's positional params sent by name,
 * and the CLI's payment commands. */
static void
test_node_socket (void)
{
  g_autoptr(GError) error = NULL;
  OdTestNode *node = od_test_node_start (NULL, &error);
  g_autofree char *dir = NULL;
  g_autofree char *dir_opt = NULL;
  g_autofree char *rpc_opt = NULL;
  g_autofree char *pay = NULL;
  g_autoptr(JsonNode) paid = NULL;
  g_auto(Run) info = { 0 };
  g_auto(Run) offer = { 0 };
  g_auto(Run) listed = { 0 };
  g_auto(Run) decoded = { 0 };
  g_auto(Run) sync = { 0 };
  g_auto(Run) payments = { 0 };
  g_auto(Run) bad = { 0 };
  JsonObject *obj;
  JsonArray *array;
  const char *offer_id;

  g_assert_no_error (error);
  dir = g_build_filename (od_test_node_get_dir (node), "till", NULL);
  dir_opt = g_strdup_printf ("--data-dir=%s", dir);
  rpc_opt = g_strdup_printf ("--rpc-file=%s", od_test_node_get_socket_path (node));

  run_cli (&info, dir_opt, "--network=regtest", rpc_opt, "getinfo", NULL);
  obj = result_object (&info);
  g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, od_test_node_get_id (node));
  g_assert_cmpstr (json_object_get_string_member (obj, "backend"), ==, "socket");

  /* Positional: amount, description, issuer, label, as the table lists them. */
  run_cli (&offer, dir_opt, "--network=regtest", "--backend=socket", rpc_opt,
           "offer", "2000msat", "Tea", "Corner shop", "till 1", NULL);
  obj = result_object (&offer);
  offer_id = json_object_get_string_member (obj, "offer_id");
  g_assert_cmpstr (json_object_get_string_member (obj, "label"), ==, "till 1");
  run_cli (&decoded, "decode", json_object_get_string_member (obj, "bolt12"), NULL);
  obj = result_object (&decoded);
  g_assert_cmpstr (json_object_get_string_member (obj, "offer_issuer"), ==, "Corner shop");
  g_assert_cmpstr (json_object_get_string_member (obj, "offer_issuer_id"), ==,
                   od_test_node_get_id (node));

  run_cli (&listed, dir_opt, "--network=regtest", rpc_opt, "listoffers", NULL);
  array = json_object_get_array_member (result_object (&listed), "offers");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);

  /* Bad params never reach the node. */
  run_cli (&bad, dir_opt, "--network=regtest", rpc_opt, "offer", "-5sat", "x", NULL);
  g_assert_true (g_str_has_prefix (error_message (&bad, -32602), "amount: "));

  /* A payment on the node: syncpayments records it, listpayments shows it. */
  pay = g_strdup_printf ("{\"offer_id\": \"%s\", \"amount_msat\": 2000}", offer_id);
  paid = od_test_node_call (node, "dev-pay", pay, &error);
  g_assert_no_error (error);
  run_cli (&sync, dir_opt, "--network=regtest", rpc_opt, "syncpayments", NULL);
  g_assert_cmpint (json_object_get_int_member (result_object (&sync), "recorded"), ==, 1);
  run_cli (&payments, dir_opt, "--network=regtest", "listpayments", offer_id, NULL);
  array = json_object_get_array_member (result_object (&payments), "payments");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  obj = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "offer_id"), ==, offer_id);
  g_assert_cmpint (json_object_get_int_member (obj, "amount_msat"), ==, 2000);
  g_assert_cmpstr (json_object_get_string_member (obj, "node_id"), ==,
                   od_test_node_get_id (node));

  od_test_node_free (node);
}

/* CLNRest: a pinned certificate, a rune from a file kept with --save-rune and found again by
 * URL; a wrong rune is an error in words. */
static void
test_node_rest_rune (void)
{
  OdTestNodeOptions options = { .rest = TRUE };
  g_autoptr(GError) error = NULL;
  OdTestNode *node = od_test_node_start_full (&options, &error);
  g_autofree char *dir_opt = NULL;
  g_autofree char *url_opt = NULL;
  g_autofree char *cert_opt = NULL;
  g_autofree char *rune_path = NULL;
  g_autofree char *rune_opt = NULL;
  g_auto(Run) first = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) wrong = { 0 };
  g_auto(Run) no_pin = { 0 };
  const char *message;

  g_assert_no_error (error);
  dir_opt = g_strdup_printf ("--data-dir=%s/till", od_test_node_get_dir (node));
  url_opt = g_strdup_printf ("--rest-url=%s", od_test_node_get_rest_url (node));
  cert_opt = g_strdup_printf ("--rest-certificate=%s", od_test_node_get_cert_path (node));
  rune_path = g_build_filename (od_test_node_get_dir (node), "till.rune", NULL);
  g_assert_true (g_file_set_contents (rune_path, od_test_node_get_rune (node), -1, NULL));
  rune_opt = g_strdup_printf ("--rune-file=%s", rune_path);

  run_cli (&first, dir_opt, "--network=regtest", url_opt, cert_opt, rune_opt, "--save-rune",
           "getinfo", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&first), "backend"), ==,
                   "rest");

  /* Saved: the URL alone is enough now. */
  run_cli (&again, dir_opt, "--network=regtest", url_opt, cert_opt, "getinfo", NULL);
  g_assert_cmpstr (json_object_get_string_member (result_object (&again), "id"), ==,
                   od_test_node_get_id (node));

  run_cli (&wrong, dir_opt, "--network=regtest", url_opt, cert_opt, "--rune=nope", "getinfo",
           NULL);
  message = error_message (&wrong, -1);
  g_assert_nonnull (strstr (message, "rune"));
  g_assert_null (strstr (message, "nope"));

  /* The self-signed certificate is not trusted unless pinned. */
  run_cli (&no_pin, dir_opt, "--network=regtest", url_opt, "getinfo", NULL);
  g_assert_cmpint (no_pin.status, ==, 1);

  od_test_node_free (node);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* a child that exits without reading its stdin must not kill the test */
  signal (SIGPIPE, SIG_IGN);

  tmp = g_dir_make_tmp ("offerdesk-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp, "data", NULL);

  g_test_add_func ("/cli/decode/valid", test_decode_valid);
  g_test_add_func ("/cli/decode/invalid", test_decode_invalid);
  g_test_add_func ("/cli/decode/uris", test_decode_uris);
  g_test_add_func ("/cli/decode/stdin", test_decode_stdin);
  g_test_add_func ("/cli/decode/keywords", test_decode_keywords);
  g_test_add_func ("/cli/decode/params", test_decode_params);
  g_test_add_func ("/cli/help/all", test_help);
  g_test_add_func ("/cli/help/command", test_help_command);
  g_test_add_func ("/cli/help/option", test_help_option);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/getinfo", test_getinfo);
  g_test_add_func ("/cli/dash-parameters", test_dash_parameters);
  g_test_add_func ("/cli/backend/usage-errors", test_backend_usage_errors);
  g_test_add_func ("/cli/backend/unreachable", test_backend_unreachable);
  g_test_add_func ("/cli/backend/help", test_backend_help);
  g_test_add_func ("/cli/listpayments", test_listpayments);
  g_test_add_func ("/cli/node/socket", test_node_socket);
  g_test_add_func ("/cli/node/rest-rune", test_node_rest_rune);

  ret = g_test_run ();

  g_assert_false (g_file_test (data_dir, G_FILE_TEST_EXISTS));
  g_rmdir (tmp);
  g_free (data_dir);

  return ret;
}
