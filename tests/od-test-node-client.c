/* od-test-node-client.c: starting, stopping and calling the test node from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-test-node-client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixsocketaddress.h>

#include "od-commands.h"
#include "od-test-utils.h"

#define READY_TIMEOUT_MS 60000 /* a sanitizer build starts slowly on a busy machine */
#define STOP_TIMEOUT_MS  10000
#define DEFAULT_RUNE     "test-rune"

struct _OdTestNode
{
  char        *dir;
  char        *socket_path;
  char        *data_dir;
  char        *id;
  gboolean     rest;
  gboolean     recorded;
  char        *rest_url;
  guint        rest_port;
  char        *cert_path;
  char        *key_path;
  char        *cert_sha256;
  char        *rune;
  char        *fault;       /* first start only */
  GStrv        extra_args;
  GSubprocess *process;
  guint        next_id;
};

gboolean
od_test_node_make_certificate (const char  *dir,
                               const char  *name,
                               char       **cert_path,
                               char       **key_path,
                               GError     **error)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s-key.pem", dir, name);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", NULL
  };
  g_autofree char *err_text = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_text, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "openssl req failed: %s", err_text);
      return FALSE;
    }

  *cert_path = g_steal_pointer (&cert);
  *key_path = g_steal_pointer (&key);

  return TRUE;
}

static char *
certificate_sha256 (const char  *path,
                    GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, error);
  g_autoptr(GByteArray) der = NULL;

  if (certificate == NULL)
    return NULL;
  g_object_get (certificate, "certificate", &der, NULL);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* Reads the node's stdout up to "ready", keeping what it printed. */
static gboolean
wait_ready (OdTestNode  *node,
            GError     **error)
{
  GInputStream *out = g_subprocess_get_stdout_pipe (node->process);
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (out));
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  g_autoptr(GString) text = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      char buf[256];
      gssize n;
      char *newline;
      int ready;

      while ((newline = strchr (text->str, '\n')) != NULL)
        {
          g_autofree char *line = g_strndup (text->str, newline - text->str);

          g_string_erase (text, 0, newline - text->str + 1);
          if (strcmp (line, "ready") == 0)
            return TRUE;
          if (g_str_has_prefix (line, "id "))
            {
              g_free (node->id);
              node->id = g_strdup (line + 3);
            }
          else if (g_str_has_prefix (line, "rest-port "))
            node->rest_port = (guint) g_ascii_strtoull (line + 10, NULL, 10);
        }

      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the test node did not get ready within %d s", READY_TIMEOUT_MS / 1000);
          return FALSE;
        }
      ready = poll (&pfd, 1, (int) left);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        continue;
      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "the test node exited before it was ready (see its messages above)");
          return FALSE;
        }
      g_string_append_len (text, buf, n);
    }
}

static gboolean
spawn (OdTestNode  *node,
       gboolean     first,
       GError     **error)
{
  const char *exe = g_getenv ("OFFERDESK_TEST_NODE");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *recorded_dir = NULL;

  if (exe == NULL || exe[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "OFFERDESK_TEST_NODE is not set: run the tests with meson test");
      return FALSE;
    }

  g_ptr_array_add (argv, g_strdup (exe));
  g_ptr_array_add (argv, g_strdup ("--socket"));
  g_ptr_array_add (argv, g_strdup (node->socket_path));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (node->data_dir));
  if (node->recorded)
    {
      recorded_dir = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", NULL);
      g_ptr_array_add (argv, g_strdup ("--recorded"));
      g_ptr_array_add (argv, g_strdup (recorded_dir));
    }
  if (node->rest)
    {
      g_ptr_array_add (argv, g_strdup ("--rest-port"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", node->rest_port));
      g_ptr_array_add (argv, g_strdup ("--cert"));
      g_ptr_array_add (argv, g_strdup (node->cert_path));
      g_ptr_array_add (argv, g_strdup ("--key"));
      g_ptr_array_add (argv, g_strdup (node->key_path));
      g_ptr_array_add (argv, g_strdup ("--rune"));
      g_ptr_array_add (argv, g_strdup (node->rune));
    }
  if (first && node->fault != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--fault=%s", node->fault));
  for (guint i = 0; node->extra_args != NULL && node->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (node->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  node->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE
                                     | G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (node->process == NULL)
    return FALSE;

  if (!wait_ready (node, error))
    {
      g_subprocess_force_exit (node->process);
      g_subprocess_wait (node->process, NULL, NULL);
      g_clear_object (&node->process);
      return FALSE;
    }

  if (node->rest)
    {
      g_free (node->rest_url);
      node->rest_url = g_strdup_printf ("https://127.0.0.1:%u", node->rest_port);
    }

  return TRUE;
}

OdTestNode *
od_test_node_start_full (const OdTestNodeOptions  *options,
                         GError                  **error)
{
  OdTestNode *node = g_new0 (OdTestNode, 1);

  node->dir = g_dir_make_tmp ("od-test-node-XXXXXX", error);
  if (node->dir == NULL)
    {
      g_free (node);
      return NULL;
    }
  node->socket_path = g_build_filename (node->dir, "lightning-rpc", NULL);
  node->data_dir = g_build_filename (node->dir, "data", NULL);
  node->rest = options->rest;
  node->recorded = options->recorded;
  node->rune = g_strdup (options->rune != NULL ? options->rune : DEFAULT_RUNE);
  node->fault = g_strdup (options->fault);
  node->extra_args = g_strdupv ((char **) options->extra_args);

  if ((node->rest
       && (!od_test_node_make_certificate (node->dir, "cert", &node->cert_path, &node->key_path,
                                           error)
           || (node->cert_sha256 = certificate_sha256 (node->cert_path, error)) == NULL))
      || !spawn (node, TRUE, error))
    {
      od_test_node_free (node);
      return NULL;
    }

  return node;
}

OdTestNode *
od_test_node_start (const char * const  *extra_args,
                    GError             **error)
{
  OdTestNodeOptions options = { 0 };

  options.extra_args = extra_args;

  return od_test_node_start_full (&options, error);
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Waits for the exit on a private context (the test's own main loop is not touched). */
static void
wait_exit (GSubprocess *process)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (STOP_TIMEOUT_MS);
  gboolean done = FALSE;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process, NULL, on_waited, &done);
  g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done)
    {
      g_main_context_iteration (context, TRUE);
      if (timed_out && !done)
        {
          g_printerr ("# the test node did not stop within %d s: killing it\n",
                      STOP_TIMEOUT_MS / 1000);
          g_subprocess_force_exit (process);
          timed_out = FALSE;
        }
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
}

gboolean
od_test_node_stop (OdTestNode  *node,
                   GError     **error)
{
  g_autoptr(GSubprocess) process = g_steal_pointer (&node->process);

  if (process == NULL)
    return TRUE;

  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
  g_subprocess_send_signal (process, SIGTERM);
  wait_exit (process);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      if (g_subprocess_get_if_signaled (process))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the test node died of signal %d",
                     g_subprocess_get_term_sig (process));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "the test node exited with status %d (see its messages above)",
                     g_subprocess_get_exit_status (process));
      return FALSE;
    }

  return TRUE;
}

gboolean
od_test_node_restart (OdTestNode  *node,
                      GError     **error)
{
  if (!od_test_node_stop (node, error))
    return FALSE;

  return spawn (node, FALSE, error);
}

void
od_test_node_free (OdTestNode *node)
{
  g_autoptr(GError) error = NULL;

  if (node == NULL)
    return;

  if (!od_test_node_stop (node, &error))
    g_error ("od_test_node_free: %s", error->message);
  if (node->dir != NULL)
    od_test_remove_tree (node->dir);

  g_free (node->dir);
  g_free (node->socket_path);
  g_free (node->data_dir);
  g_free (node->id);
  g_free (node->rest_url);
  g_free (node->cert_path);
  g_free (node->key_path);
  g_free (node->cert_sha256);
  g_free (node->rune);
  g_free (node->fault);
  g_strfreev (node->extra_args);
  g_free (node);
}

gboolean
od_test_node_is_running (OdTestNode *node)
{
  return node->process != NULL;
}

const char *
od_test_node_get_dir (OdTestNode *node)
{
  return node->dir;
}

const char *
od_test_node_get_socket_path (OdTestNode *node)
{
  return node->socket_path;
}

const char *
od_test_node_get_data_dir (OdTestNode *node)
{
  return node->data_dir;
}

const char *
od_test_node_get_id (OdTestNode *node)
{
  return node->id;
}

const char *
od_test_node_get_rest_url (OdTestNode *node)
{
  return node->rest_url;
}

guint
od_test_node_get_rest_port (OdTestNode *node)
{
  return node->rest_port;
}

const char *
od_test_node_get_cert_path (OdTestNode *node)
{
  return node->cert_path;
}

const char *
od_test_node_get_cert_sha256 (OdTestNode *node)
{
  return node->cert_sha256;
}

const char *
od_test_node_get_rune (OdTestNode *node)
{
  return node->rest ? node->rune : NULL;
}

/* The length of the first complete JSON object in text (strings respected), 0 if none yet. */
static gsize
object_end (const char *text,
            gsize       len)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (in_string)
        {
          if (text[i] == '\\')
            i++;
          else if (text[i] == '"')
            in_string = FALSE;
        }
      else if (text[i] == '"')
        in_string = TRUE;
      else if (text[i] == '{')
        depth++;
      else if (text[i] == '}' && depth > 0 && --depth == 0)
        return i + 1;
    }

  return 0;
}

JsonNode *
od_test_node_call (OdTestNode  *node,
                   const char  *method,
                   const char  *params_json,
                   GError     **error)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (node->socket_path);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *request = NULL;
  guint id = ++node->next_id;
  JsonObject *response;
  JsonNode *error_node;
  gsize end = 0;

  g_socket_client_set_timeout (client, 120);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (connection == NULL)
    return NULL;

  request = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":\"od-test-%u\",\"method\":\"%s\","
                             "\"params\":%s}", id, method,
                             params_json != NULL ? params_json : "{}");
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request, strlen (request), NULL, NULL, error))
    return NULL;

  /* Core Lightning's framing: the object, then "\n\n". */
  while ((end = object_end (reply->str, reply->len)) == 0
         || reply->len < end + 2)
    {
      char buf[4096];
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      buf, sizeof buf, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "the test node closed the connection (%zu bytes read)", reply->len);
          return NULL;
        }
      g_string_append_len (reply, buf, n);
    }
  if (strncmp (reply->str + end, "\n\n", 2) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the reply is not followed by \\n\\n: %s", reply->str);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, reply->str, (gssize) end, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON-RPC reply: %s",
                   reply->str);
      return NULL;
    }
  response = json_node_get_object (json_parser_get_root (parser));

  error_node = json_object_get_member (response, "error");
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *e = json_node_get_object (error_node);

      g_set_error_literal (error, OD_ERROR,
                           (int) json_object_get_int_member_with_default (e, "code", -1),
                           json_object_get_string_member_with_default (e, "message", ""));
      return NULL;
    }
  if (!json_object_has_member (response, "result"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no result in %s", reply->str);
      return NULL;
    }

  return json_node_copy (json_object_get_member (response, "result"));
}
