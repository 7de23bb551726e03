/* test-backend.c: the node backends (unix socket JSON-RPC, CLNRest), their configuration and
 * the rune store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Self-contained: the socket backend talks to a small JSON-RPC server in this file (a
 * GThreadedSocketService on a temporary unix socket, in a thread with its own main context)
 * that answers with the responses Core Lightning recorded (tests/data/cln-examples), writing
 * them in odd-sized pieces or coalesced with notifications and other ids.  The REST backend
 * talks to a SoupServer in this file with a self-signed certificate made here with openssl.
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "od-backend.h"
#include "od-commands.h"
#include "od-test-utils.h"

/* ---- Recorded responses --------------------------------------------------------------------- */

static GHashTable *recorded;   /* method → first example's response (JsonNode) */

static void
load_recorded (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) json_node_unref);

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonObject *object;
      JsonArray *examples;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      if (!JSON_NODE_HOLDS_OBJECT (root))
        continue;
      object = json_node_get_object (root);
      if (!json_object_has_member (object, "examples"))
        continue;
      examples = json_object_get_array_member (object, "examples");
      if (json_array_get_length (examples) == 0)
        continue;

      g_hash_table_insert (recorded,
                           g_strdup (json_object_get_string_member (object, "command")),
                           json_node_copy (json_object_get_member (
                             json_array_get_object_element (examples, 0), "response")));
    }

  g_assert_true (g_hash_table_contains (recorded, "getinfo"));
  g_assert_true (g_hash_table_contains (recorded, "offer"));
  g_assert_true (g_hash_table_contains (recorded, "listinvoices"));
}

static char *
to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static JsonNode *
from_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static JsonNode *
object_params (const char *json)
{
  return from_json (json);
}

/* ---- The JSON-RPC node (unix socket) --------------------------------------------------------- */

typedef struct
{
  char            *path;
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  GSocketService  *service;

  GMutex           mutex;
  GCond            cond;
  gboolean         ready;
  GPtrArray       *connections;   /* GSocketConnection*, open ones */
  guint            active;        /* handlers running */
  guint            accepted;      /* connections ever accepted */
  guint            requests;
  gboolean         holding;       /* a "hold" request is waiting */
  gboolean         release;       /* let "hold" requests answer */
} Node;

static void
write_all (GOutputStream *out,
           const char    *data,
           gsize          len)
{
  /* Errors are the client's doing (it went away); the handler notices on its next read. */
  g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
}

/* Odd pieces, with pauses so that the client's reads really see them apart. */
static void
write_in_pieces (GOutputStream *out,
                 const char    *data,
                 gsize          len)
{
  static const gsize sizes[] = { 1, 7, 3, 64, 13, 500, 2, 31 };
  gsize pos = 0;

  for (guint i = 0; pos < len; i++)
    {
      gsize n = MIN (sizes[i % G_N_ELEMENTS (sizes)], len - pos);

      write_all (out, data + pos, n);
      pos += n;
      g_usleep (50);
    }
}

static char *
frame (JsonNode   *id,
       const char *member,
       JsonNode   *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, json_node_copy (value));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  text = to_json (root);
  return g_strconcat (text, "\n\n", NULL);
}

static char *
error_frame (JsonNode   *id,
             int         code,
             const char *message)
{
  g_autoptr(JsonNode) error = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "code", code);
  json_object_set_string_member (object, "message", message);
  json_node_take_object (error, object);

  return frame (id, "error", error);
}

/* Answers one request; FALSE to close the connection. */
static gboolean
node_handle (Node          *node,
             GOutputStream *out,
             const char    *text,
             guint          serial)
{
  g_autoptr(JsonNode) request = from_json (text);
  JsonObject *object = json_node_get_object (request);
  JsonNode *id = json_object_get_member (object, "id");
  const char *method = json_object_get_string_member (object, "method");
  JsonNode *params = json_object_get_member (object, "params");
  g_autofree char *reply = NULL;
  JsonNode *result;

  g_assert_cmpstr (json_object_get_string_member (object, "jsonrpc"), ==, "2.0");
  g_assert_nonnull (id);
  g_assert_nonnull (params);

  g_mutex_lock (&node->mutex);
  node->requests++;
  g_mutex_unlock (&node->mutex);

  if (g_str_equal (method, "closenow"))
    return FALSE;

  if (g_str_equal (method, "garbage"))
    {
      const char *garbage = "HTTP/1.1 400 Bad Request\r\n\r\n";

      write_all (out, garbage, strlen (garbage));
      return TRUE;
    }

  if (g_str_equal (method, "badjson"))
    {
      g_autofree char *id_text = to_json (id);
      g_autofree char *bad = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{]}\n\n",
                                              id_text);

      write_all (out, bad, strlen (bad));
      return TRUE;
    }

  if (g_str_equal (method, "noresult"))
    {
      g_autofree char *id_text = to_json (id);
      g_autofree char *bad = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%s}\n\n", id_text);

      write_all (out, bad, strlen (bad));
      return TRUE;
    }

  if (g_str_equal (method, "silent"))
    return TRUE;

  if (g_str_equal (method, "hold"))
    {
      g_mutex_lock (&node->mutex);
      node->holding = TRUE;
      g_cond_broadcast (&node->cond);
      while (!node->release)
        g_cond_wait (&node->cond, &node->mutex);
      g_mutex_unlock (&node->mutex);

      reply = frame (id, "result", params);
      write_in_pieces (out, reply, strlen (reply));
      return TRUE;
    }

  if (g_str_equal (method, "fail"))
    reply = error_frame (id, 1000, "Already exists, but isn't active");
  else if (g_str_equal (method, "echo"))
    reply = frame (id, "result", params);
  else if ((result = g_hash_table_lookup (recorded, method)) != NULL)
    reply = frame (id, "result", result);
  else
    {
      g_autofree char *message = g_strdup_printf ("Unknown command '%s'", method);

      reply = error_frame (id, -32601, message);
    }

  if (g_str_equal (method, "closemid"))
    {
      g_autoptr(JsonNode) info = json_node_copy (g_hash_table_lookup (recorded, "getinfo"));

      g_free (reply);
      reply = frame (id, "result", info);
      write_in_pieces (out, reply, strlen (reply) / 2);
      return FALSE;
    }

  if (serial % 2 == 0)
    {
      write_in_pieces (out, reply, strlen (reply));
    }
  else
    {
      /* Coalesced: a notification, an answer to somebody else, ours, another notification,
       * all in one write. */
      g_autoptr(JsonNode) other_id = json_node_new (JSON_NODE_VALUE);
      g_autoptr(JsonNode) other_result = from_json ("{\"not\":\"yours\"}");
      g_autofree char *other = NULL;
      const char *note =
        "{\"jsonrpc\":\"2.0\",\"method\":\"log\",\"params\":{\"level\":\"info\","
        "\"log\":\"} \\\"id\\\": here {\"}}\n\n";
      g_autofree char *all = NULL;

      json_node_set_string (other_id, "someone-else:1");
      other = frame (other_id, "result", other_result);
      all = g_strconcat (note, other, reply, note, NULL);
      write_all (out, all, strlen (all));
    }

  return TRUE;
}

static gboolean
on_node_run_cb (GThreadedSocketService *service,
                GSocketConnection      *connection,
                GObject                *source_object,
                gpointer                user_data)
{
  Node *node = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (1024 * 1024);
  guint serial = 0;
  gboolean open = TRUE;

  g_mutex_lock (&node->mutex);
  g_ptr_array_add (node->connections, g_object_ref (connection));
  node->active++;
  node->accepted++;
  g_mutex_unlock (&node->mutex);

  while (open)
    {
      char buffer[4096];
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
      g_autoptr(GError) error = NULL;
      char *text;

      if (n <= 0)
        break;

      od_json_rpc_reader_feed (reader, buffer, (gsize) n);
      while (open && (text = od_json_rpc_reader_next (reader, &error)) != NULL)
        {
          open = node_handle (node, out, text, serial++);
          g_free (text);
        }
      g_assert_no_error (error);
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&node->mutex);
  g_ptr_array_remove (node->connections, connection);
  node->active--;
  g_cond_broadcast (&node->cond);
  g_mutex_unlock (&node->mutex);

  return TRUE;
}

static gpointer
node_thread (gpointer data)
{
  Node *node = data;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (node->context);

  node->service = g_threaded_socket_service_new (16);
  address = g_unix_socket_address_new (node->path);
  g_socket_listener_add_address (G_SOCKET_LISTENER (node->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (node->service, "run", G_CALLBACK (on_node_run_cb), node);
  g_socket_service_start (node->service);

  g_mutex_lock (&node->mutex);
  node->ready = TRUE;
  g_cond_broadcast (&node->cond);
  g_mutex_unlock (&node->mutex);

  g_main_loop_run (node->loop);

  g_socket_service_stop (node->service);
  g_socket_listener_close (G_SOCKET_LISTENER (node->service));

  g_main_context_pop_thread_default (node->context);
  return NULL;
}

static void
node_start (Node *node)
{
  node->ready = FALSE;
  node->context = g_main_context_new ();
  node->loop = g_main_loop_new (node->context, FALSE);
  g_unlink (node->path);
  node->thread = g_thread_new ("test-node", node_thread, node);

  g_mutex_lock (&node->mutex);
  while (!node->ready)
    g_cond_wait (&node->cond, &node->mutex);
  g_mutex_unlock (&node->mutex);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Stops listening and closes every connection, like a node that exits. */
static void
node_stop (Node *node)
{
  g_main_context_invoke (node->context, quit_cb, node->loop);
  g_thread_join (node->thread);
  node->thread = NULL;

  g_mutex_lock (&node->mutex);
  node->release = TRUE;
  g_cond_broadcast (&node->cond);
  for (guint i = 0; i < node->connections->len; i++)
    {
      GSocket *socket = g_socket_connection_get_socket (g_ptr_array_index (node->connections, i));

      g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
  while (node->active > 0)
    g_cond_wait (&node->cond, &node->mutex);
  node->release = FALSE;
  node->holding = FALSE;
  g_mutex_unlock (&node->mutex);

  g_clear_object (&node->service);
  g_clear_pointer (&node->loop, g_main_loop_unref);
  /* Sources the service left behind on the context are dropped with it. */
  g_clear_pointer (&node->context, g_main_context_unref);
  g_unlink (node->path);
}

typedef struct
{
  char      *dir;
  Node       node;
  OdBackend *backend;
} SocketFixture;

static OdBackend *
socket_backend_for (const char *path,
                    guint       timeout_ms)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_SOCKET);
  g_autoptr(GError) error = NULL;
  OdBackend *backend;

  config->socket_path = g_strdup (path);
  config->timeout_ms = timeout_ms;
  backend = od_backend_new_for_config (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (backend);
  return backend;
}

static void
socket_setup (SocketFixture *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-backend-XXXXXX", &error);
  g_assert_no_error (error);

  g_mutex_init (&f->node.mutex);
  g_cond_init (&f->node.cond);
  f->node.connections = g_ptr_array_new_with_free_func (g_object_unref);
  f->node.path = g_build_filename (f->dir, "lightning-rpc", NULL);
  node_start (&f->node);

  f->backend = socket_backend_for (f->node.path, 5000);
}

static void
socket_teardown (SocketFixture *f,
                 gconstpointer  data)
{
  g_clear_object (&f->backend);
  if (f->node.thread != NULL)
    node_stop (&f->node);
  g_ptr_array_unref (f->node.connections);
  g_mutex_clear (&f->node.mutex);
  g_cond_clear (&f->node.cond);
  g_free (f->node.path);
  od_test_remove_tree (f->dir);
  g_free (f->dir);
}

static guint
node_accepted (Node *node)
{
  guint n;

  g_mutex_lock (&node->mutex);
  n = node->accepted;
  g_mutex_unlock (&node->mutex);
  return n;
}

static void
test_socket_recorded (SocketFixture *f,
                      gconstpointer  data)
{
  const char *methods[] = { "getinfo", "offer", "listoffers", "listinvoices", "waitanyinvoice",
                            "invoicerequest", "listinvoicerequests", "disableoffer",
                            "enableoffer", "showrunes", "decode" };

  g_assert_cmpint (od_backend_get_kind (f->backend), ==, OD_BACKEND_KIND_SOCKET);
  g_assert_true (od_backend_is_node (f->backend));
  g_assert_cmpstr (od_backend_describe (f->backend), ==, f->node.path);
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);

  /* Twice round, so both the piecemeal and the coalesced writes carry every response. */
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
      {
        g_autoptr(JsonNode) params = object_params ("{}");
        g_autoptr(JsonNode) result = NULL;
        g_autoptr(GError) error = NULL;

        result = od_backend_call (f->backend, methods[i], params, 0, NULL, &error);
        g_assert_no_error (error);
        g_assert_true (json_node_equal (result, g_hash_table_lookup (recorded, methods[i])));
      }

  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
  /* One connection did all of it: it went back to the pool after each answer. */
  g_assert_cmpuint (node_accepted (&f->node), ==, 1);
}

static void
test_socket_connect (SocketFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JsonObject *info = json_node_get_object (g_hash_table_lookup (recorded, "getinfo"));

  g_assert_null (od_backend_get_node_id (f->backend));
  g_assert_true (od_backend_connect (f->backend, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (od_backend_get_node_id (f->backend), ==,
                   json_object_get_string_member (info, "id"));
  g_assert_cmpstr (od_backend_get_alias (f->backend), ==,
                   json_object_get_string_member (info, "alias"));
  g_assert_cmpstr (od_backend_get_network (f->backend), ==, "regtest");
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
}

static void
test_socket_params (SocketFixture *f,
                    gconstpointer  data)
{
  const char *cases[] = {
    "{\"description\":\"} {\\\"x\\\": [\\n\\n]\",\"amount\":\"10000msat\",\"n\":18446744073709551}",
    "[\"10000msat\",\"caf\xc3\xa9 \xf0\x9f\x90\x9f\",null,true]",
    "{}",
    "[]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) params = from_json (cases[i]);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      result = od_backend_call (f->backend, "echo", params, 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (result, params));
    }

  /* No params at all: an empty object goes out (Core Lightning refuses a request without). */
  {
    g_autoptr(JsonNode) result = NULL;
    g_autoptr(GError) error = NULL;

    result = od_backend_call (f->backend, "echo", NULL, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
    g_assert_cmpuint (json_object_get_size (json_node_get_object (result)), ==, 0);
  }
}

static void
test_socket_rpc_error (SocketFixture *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (f->backend, "fail", params, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_ERROR, 1000);
  g_assert_cmpstr (error->message, ==, "Already exists, but isn't active");
  g_clear_error (&error);

  result = od_backend_call (f->backend, "nosuchcommand", params, 0, NULL, &error);
  g_assert_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Unknown command 'nosuchcommand'");
  g_clear_error (&error);

  /* The node answered: connected, and the connection is still good for the next call. */
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
  result = od_backend_call (f->backend, "getinfo", params, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (node_accepted (&f->node), ==, 1);
}

static void
assert_recovers (SocketFixture *f)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (f->backend, "getinfo", params, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
}

static void
test_socket_close_mid (SocketFixture *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  assert_recovers (f);

  result = od_backend_call (f->backend, "closemid", params, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, f->node.path));
  g_assert_nonnull (strstr (error->message, "in the middle of its answer to closemid"));
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);
  g_clear_error (&error);

  result = od_backend_call (f->backend, "closenow", params, 0, NULL, &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "closed the connection without answering closenow"));
  g_clear_error (&error);

  /* The broken connections were dropped; the next call opens a new one. */
  assert_recovers (f);
}

static void
test_socket_garbage (SocketFixture *f,
                     gconstpointer  data)
{
  const char *methods[] = { "garbage", "badjson", "noresult" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(JsonNode) params = object_params ("{}");
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      assert_recovers (f);
      result = od_backend_call (f->backend, methods[i], params, 0, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, f->node.path));
      g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);
    }

  assert_recovers (f);
}

static void
test_socket_timeout (SocketFixture *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (f->backend, "silent", params, 300, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, f->node.path));
  g_assert_nonnull (strstr (error->message, "did not answer silent within 300 ms"));
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);

  assert_recovers (f);
}

static void
test_socket_cancel (SocketFixture *f,
                    gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  result = od_backend_call (f->backend, "getinfo", params, 0, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_socket_cancel_waiting (SocketFixture *f,
                            gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;

  /* Cancelled from another thread while waiting for an answer that never comes (the call's
   * own timeout is a minute away). */
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  result = od_backend_call (f->backend, "silent", params, 60000, cancellable, &error);
  g_thread_join (thread);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The abandoned connection is not reused: its answer could still arrive. */
  assert_recovers (f);
}

static void
test_socket_missing (void)
{
  g_autoptr(OdBackend) backend = socket_backend_for ("/nonexistent/offerdesk/lightning-rpc", 0);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (backend, "getinfo", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message,
                            "Cannot reach the node at /nonexistent/offerdesk/lightning-rpc"));
  g_assert_nonnull (strstr (error->message, "No such file or directory"));
  g_assert_false (od_backend_connect (backend, NULL, NULL));
  g_assert_null (od_backend_get_node_id (backend));
  g_assert_cmpint (od_backend_get_state (backend), ==, OD_BACKEND_STATE_DISCONNECTED);
}

static void
test_socket_restart (SocketFixture *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) params = object_params ("{}");
  g_autoptr(GError) error = NULL;

  /* A pooled connection from before the restart must not fail the first call after it. */
  assert_recovers (f);
  node_stop (&f->node);
  node_start (&f->node);
  assert_recovers (f);

  /* While the node is down: a connection error naming the socket, then back. */
  node_stop (&f->node);
  {
    g_autoptr(JsonNode) result = od_backend_call (f->backend, "getinfo", params, 0, NULL, &error);

    g_assert_null (result);
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
    g_assert_nonnull (strstr (error->message, f->node.path));
    g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);
  }
  node_start (&f->node);
  assert_recovers (f);

  /* disconnect() drops the pool: the next call makes a new connection. */
  {
    guint before = node_accepted (&f->node);

    od_backend_disconnect (f->backend);
    g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_DISCONNECTED);
    assert_recovers (f);
    g_assert_cmpuint (node_accepted (&f->node), ==, before + 1);
  }
}

typedef struct
{
  OdBackend *backend;
  guint      thread;
  guint      failures;
} Worker;

static gpointer
echo_worker (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"thread\":%u,\"call\":%u,\"text\":\"}{%u\\\"\"}",
                                               worker->thread, i, i);
      g_autoptr(JsonNode) params = from_json (json);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      result = od_backend_call (worker->backend, "echo", params, 0, NULL, &error);
      if (result == NULL || !json_node_equal (result, params))
        worker->failures++;
    }

  return NULL;
}

static gpointer
hold_worker (gpointer data)
{
  Worker *worker = data;
  g_autoptr(JsonNode) params = from_json ("{\"held\":true}");
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (worker->backend, "hold", params, 60000, NULL, &error);
  if (result == NULL || !json_node_equal (result, params))
    worker->failures++;

  return NULL;
}

static void
test_socket_concurrent (SocketFixture *f,
                        gconstpointer  data)
{
  Worker workers[6];
  GThread *threads[6];
  Worker holder = { f->backend, 99, 0 };
  GThread *hold_thread;

  /* A long call (like waitanyinvoice) in flight… */
  hold_thread = g_thread_new ("hold", hold_worker, &holder);
  g_mutex_lock (&f->node.mutex);
  while (!f->node.holding)
    g_cond_wait (&f->node.cond, &f->node.mutex);
  g_mutex_unlock (&f->node.mutex);

  /* …does not stop other threads' calls, and nobody gets someone else's answer. */
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      workers[i] = (Worker) { f->backend, i, 0 };
      threads[i] = g_thread_new ("echo", echo_worker, &workers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (workers[i].failures, ==, 0);
    }

  g_mutex_lock (&f->node.mutex);
  g_assert_true (f->node.holding);   /* still waiting: the others did not queue behind it */
  f->node.release = TRUE;
  g_cond_broadcast (&f->node.cond);
  g_mutex_unlock (&f->node.mutex);

  g_thread_join (hold_thread);
  g_assert_cmpuint (holder.failures, ==, 0);
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
}

typedef struct
{
  GThread *thread;
  guint    count;
} Notified;

static void
on_state_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  Notified *notified = user_data;

  notified->thread = g_thread_self ();
  notified->count++;
}

static gpointer
one_call (gpointer data)
{
  g_autoptr(JsonNode) result = od_backend_call (data, "getinfo", NULL, 0, NULL, NULL);

  return GINT_TO_POINTER (result != NULL);
}

static void
test_socket_state_notify (SocketFixture *f,
                          gconstpointer  data)
{
  Notified notified = { NULL, 0 };
  GMainContext *context = g_main_context_default ();
  GThread *thread;
  OdBackendState state;

  g_signal_connect (f->backend, "notify::state", G_CALLBACK (on_state_notify_cb), &notified);

  /* The main thread owns the context (as a running GTK main loop does): a call from another
   * thread changes the state at once but notifies only on the main context. */
  g_assert_true (g_main_context_acquire (context));
  thread = g_thread_new ("call", one_call, f->backend);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_cmpint (od_backend_get_state (f->backend), ==, OD_BACKEND_STATE_CONNECTED);
  g_assert_cmpuint (notified.count, ==, 0);

  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (notified.count, ==, 1);
  g_assert_true (notified.thread == g_thread_self ());

  g_object_get (f->backend, "state", &state, NULL);
  g_assert_cmpint (state, ==, OD_BACKEND_STATE_CONNECTED);

  g_main_context_release (context);

  /* Even with the context free, the notification waits for the context's next iteration
   * (never delivered from inside the caller, which may be a worker thread). */
  od_backend_set_state (f->backend, OD_BACKEND_STATE_DISCONNECTED);
  g_assert_cmpuint (notified.count, ==, 1);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (notified.count, ==, 2);
  g_assert_true (notified.thread == g_thread_self ());

  /* A worker thread changing the state while nobody owns the context (between iterations)
   * must not run the handlers itself. */
  thread = g_thread_new ("call", one_call, f->backend);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_cmpuint (notified.count, ==, 2);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (notified.count, ==, 3);
  g_assert_true (notified.thread == g_thread_self ());
  od_backend_set_state (f->backend, OD_BACKEND_STATE_DISCONNECTED);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (notified.count, ==, 4);

  /* A backend gone before its notification was delivered: nothing happens, nothing leaks. */
  g_assert_true (g_main_context_acquire (context));
  thread = g_thread_new ("call", one_call, f->backend);
  g_thread_join (thread);
  g_clear_object (&f->backend);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_release (context);
  g_assert_cmpuint (notified.count, ==, 4);
}

/* ---- Configuration --------------------------------------------------------------------------- */

static char *cert_dir;      /* the certificates made for this run */
static char *cert_path;
static char *key_path;
static char *other_cert_path;
static char *other_key_path;

static void
make_certificate (const char *cert,
                  const char *key)
{
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", key, "-out", cert, NULL,
  };

  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
make_certificates (void)
{
  g_autoptr(GError) error = NULL;

  cert_dir = g_dir_make_tmp ("test-backend-certs-XXXXXX", &error);
  g_assert_no_error (error);
  cert_path = g_build_filename (cert_dir, "cert.pem", NULL);
  key_path = g_build_filename (cert_dir, "key.pem", NULL);
  other_cert_path = g_build_filename (cert_dir, "other.pem", NULL);
  other_key_path = g_build_filename (cert_dir, "other-key.pem", NULL);
  make_certificate (cert_path, key_path);
  make_certificate (other_cert_path, other_key_path);
}

static char *
fingerprint_of (const char *path,
                gboolean    with_colons)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_file (path, &error);
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  g_assert_no_error (error);
  g_object_get (cert, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  if (!with_colons)
    return g_steal_pointer (&hex);

  out = g_string_new (NULL);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (out, "%s%c%c", i > 0 ? ":" : "",
                            g_ascii_toupper (hex[i]), g_ascii_toupper (hex[i + 1]));
  return g_string_free (out, FALSE);
}

static void
test_config_kinds (void)
{
  OdBackendKind kind = OD_BACKEND_KIND_REST;

  g_assert_true (od_backend_kind_from_string ("local", &kind));
  g_assert_cmpint (kind, ==, OD_BACKEND_KIND_LOCAL);
  g_assert_true (od_backend_kind_from_string ("socket", &kind));
  g_assert_cmpint (kind, ==, OD_BACKEND_KIND_SOCKET);
  g_assert_true (od_backend_kind_from_string ("rest", &kind));
  g_assert_cmpint (kind, ==, OD_BACKEND_KIND_REST);
  g_assert_false (od_backend_kind_from_string ("grpc", &kind));
  g_assert_false (od_backend_kind_from_string ("REST", &kind));
  g_assert_false (od_backend_kind_from_string (NULL, &kind));
  g_assert_cmpint (kind, ==, OD_BACKEND_KIND_REST);

  for (guint i = OD_BACKEND_KIND_LOCAL; i <= OD_BACKEND_KIND_REST; i++)
    {
      g_assert_true (od_backend_kind_from_string (od_backend_kind_to_string (i), &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_null (od_backend_kind_to_string (42));
}

static void
test_config_copy (void)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_REST);
  g_autoptr(OdBackendConfig) copy = NULL;

  config->url = g_strdup ("https://node.example:3010");
  config->rune = g_strdup ("rune-text");
  config->pinned_sha256 = g_strdup ("ab");
  config->timeout_ms = 1234;

  copy = od_backend_config_copy (config);
  g_assert_cmpint (copy->kind, ==, OD_BACKEND_KIND_REST);
  g_assert_cmpstr (copy->url, ==, config->url);
  g_assert_true (copy->url != config->url);
  g_assert_cmpstr (copy->rune, ==, "rune-text");
  g_assert_null (copy->socket_path);
  g_assert_null (copy->pinned_cert_path);
  g_assert_cmpstr (copy->pinned_sha256, ==, "ab");
  g_assert_cmpuint (copy->timeout_ms, ==, 1234);
}

static void
assert_config_refused (OdBackendKind  kind,
                       const char    *socket_path,
                       const char    *url,
                       const char    *rune,
                       const char    *pinned_cert,
                       const char    *pinned_sha256,
                       const char    *words)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (kind);
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(GError) error = NULL;

  config->socket_path = g_strdup (socket_path);
  config->url = g_strdup (url);
  config->rune = g_strdup (rune);
  config->pinned_cert_path = g_strdup (pinned_cert);
  config->pinned_sha256 = g_strdup (pinned_sha256);

  g_assert_false (od_backend_config_validate (config, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  g_clear_error (&error);

  /* And no backend is made of it (so nothing ever connects). */
  backend = od_backend_new_for_config (config, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
}

static void
assert_config_valid (OdBackendKind  kind,
                     const char    *socket_path,
                     const char    *url,
                     const char    *pinned_cert,
                     const char    *pinned_sha256)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (kind);
  g_autoptr(GError) error = NULL;

  config->socket_path = g_strdup (socket_path);
  config->url = g_strdup (url);
  config->rune = g_strdup ("rune");
  config->pinned_cert_path = g_strdup (pinned_cert);
  config->pinned_sha256 = g_strdup (pinned_sha256);

  od_backend_config_validate (config, &error);
  g_assert_no_error (error);
}

static void
test_config_validate (void)
{
  g_autofree char *not_a_cert = g_build_filename (cert_dir, "not-a-cert.pem", NULL);
  g_autofree char *fingerprint = fingerprint_of (cert_path, TRUE);
  const char *hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  g_assert_true (g_file_set_contents (not_a_cert, "hello\n", -1, NULL));

  assert_config_valid (OD_BACKEND_KIND_LOCAL, NULL, NULL, NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_SOCKET, "/home/x/.lightning/regtest/lightning-rpc",
                       NULL, NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "https://192.0.2.1:3010/", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "http://127.0.0.1:3010", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "http://127.8.9.10:3010", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "http://localhost:3010", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "http://[::1]:3010", NULL, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", cert_path, NULL);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", NULL, fingerprint);
  assert_config_valid (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", NULL, hex64);

  assert_config_refused (OD_BACKEND_KIND_SOCKET, NULL, NULL, NULL, NULL, NULL,
                         "No socket path");
  assert_config_refused (OD_BACKEND_KIND_SOCKET, "lightning-rpc", NULL, NULL, NULL, NULL,
                         "must be absolute");
  {
    g_autofree char *long_path = g_strdup_printf ("/%0120d/lightning-rpc", 0);

    assert_config_refused (OD_BACKEND_KIND_SOCKET, long_path, NULL, NULL, NULL, NULL,
                           "longer than a unix socket path");
  }
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, NULL, "rune", NULL, NULL,
                         "No CLNRest URL");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "node.example:3010", "rune", NULL, NULL,
                         "https://");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "ftp://node.example", "rune", NULL, NULL,
                         "must start with https://");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "http://192.0.2.1:3010", "rune", NULL,
                         NULL, "only allowed to this computer");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "http://node.example:3010", "rune", NULL,
                         NULL, "only allowed to this computer");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "http://127.0.0.1.evil.example", "rune",
                         NULL, NULL, "only allowed to this computer");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://u:p@node.example", "rune", NULL,
                         NULL, "user name");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010/v1", "rune",
                         NULL, NULL, "should not end in /v1");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", NULL, NULL,
                         NULL, "No rune");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "ru\nne",
                         NULL, NULL, "rune contains");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         "/nonexistent/cert.pem", NULL, "/nonexistent/cert.pem");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         not_a_cert, NULL, "Cannot use the pinned certificate");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         NULL, "00112233", "64 hexadecimal digits");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         NULL, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
                         "64 hexadecimal digits");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         NULL, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00",
                         "64 hexadecimal digits");
  assert_config_refused (OD_BACKEND_KIND_REST, NULL, "https://node.example:3010", "rune",
                         cert_path, hex64, "not both");

  /* The embedded backend needs the command table. */
  {
    g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_LOCAL);
    g_autoptr(GError) error = NULL;

    g_assert_null (od_backend_new_for_config (config, NULL, &error));
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
  }
}

/* ---- The CLNRest node (SoupServer) ----------------------------------------------------------- */

#define GOOD_RUNE "zFMd1fjhrAYxUeFA54TjloZqOt8JrA_i_nYwIgXkag49MA=="

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *https;
  SoupServer   *http;
  guint         https_port;
  guint         http_port;

  GMutex        mutex;
  GCond         cond;
  gboolean      ready;
  guint         requests;
  char         *last_body;
  char         *last_rune;
} RestNode;

static RestNode rest;

static void
respond_json (SoupServerMessage *message,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static void
on_rest_request_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  RestNode *node = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *rune = soup_message_headers_get_one (headers, "Rune");
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *body_text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  const char *method;
  JsonNode *result;

  g_mutex_lock (&node->mutex);
  node->requests++;
  g_free (node->last_body);
  node->last_body = g_strdup (body_text);
  g_free (node->last_rune);
  node->last_rune = g_strdup (rune);
  g_mutex_unlock (&node->mutex);

  if (!g_str_equal (soup_server_message_get_method (message), "POST") ||
      !g_str_has_prefix (path, "/v1/"))
    {
      soup_server_message_set_status (message, 405, NULL);
      return;
    }
  method = path + strlen ("/v1/");

  /* What CLNRest answers when the rune is missing or not one of the node's. */
  if (rune == NULL)
    {
      respond_json (message, 403, "{\"code\":1501,\"message\":\"Not authorized: Missing rune\"}");
      return;
    }
  if (!g_str_equal (rune, GOOD_RUNE))
    {
      respond_json (message, 401,
                    "{\"code\":1501,\"message\":\"Not authorized: Not derived from master\"}");
      return;
    }

  if (g_str_equal (method, "echo"))
    respond_json (message, 201, body_text);
  else if (g_str_equal (method, "fail"))
    respond_json (message, 500, "{\"code\":1000,\"message\":\"Already exists, but isn't active\"}");
  else if (g_str_equal (method, "nolightningd"))
    respond_json (message, 500,
                  "{\"code\":null,\"message\":\"Connection refused (os error 111)\"}");
  else if (g_str_equal (method, "restricted"))
    respond_json (message, 500,
                  "{\"code\":1502,\"message\":\"Not permitted: method is not equal to getinfo\"}");
  else if (g_str_equal (method, "redirect"))
    {
      soup_server_message_set_redirect (message, 307, "http://192.0.2.1:3010/v1/getinfo");
    }
  else if (g_str_equal (method, "slow"))
    soup_server_message_pause (message);   /* never answered */
  else if (g_str_equal (method, "twoobjects"))
    respond_json (message, 201, "{\"id\":\"first\"} {\"id\":\"second\"}");
  else if (g_str_equal (method, "trailing"))
    respond_json (message, 201, "{\"id\":\"first\"}\n\nnot json");
  else if (g_str_equal (method, "spaced"))
    respond_json (message, 201, "\r\n  {\"id\":\"only\"}\n\n");
  else if (g_str_equal (method, "html"))
    {
      soup_server_message_set_status (message, 201, NULL);
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                        "<html>hello</html>", 18);
    }
  else if ((result = g_hash_table_lookup (recorded, method)) != NULL)
    {
      g_autofree char *json = to_json (result);

      respond_json (message, 201, json);
    }
  else
    {
      g_autofree char *json =
        g_strdup_printf ("{\"code\":-32601,\"message\":\"Unknown command '%s'\"}", method);

      respond_json (message, 404, json);
    }
}

static guint
listen_port (SoupServer           *server,
             SoupServerListenOptions options)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint port;

  soup_server_listen_local (server, 0, options | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return port;
}

static gpointer
rest_thread (gpointer data)
{
  RestNode *node = data;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (node->context);

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  node->https = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (node->https, NULL, on_rest_request_cb, node, NULL);
  node->https_port = listen_port (node->https, SOUP_SERVER_LISTEN_HTTPS);

  node->http = soup_server_new (NULL, NULL);
  soup_server_add_handler (node->http, NULL, on_rest_request_cb, node, NULL);
  node->http_port = listen_port (node->http, 0);

  g_mutex_lock (&node->mutex);
  node->ready = TRUE;
  g_cond_broadcast (&node->cond);
  g_mutex_unlock (&node->mutex);

  g_main_loop_run (node->loop);

  soup_server_disconnect (node->https);
  soup_server_disconnect (node->http);
  g_clear_object (&node->https);
  g_clear_object (&node->http);

  g_main_context_pop_thread_default (node->context);
  return NULL;
}

static void
rest_start (void)
{
  g_mutex_init (&rest.mutex);
  g_cond_init (&rest.cond);
  rest.context = g_main_context_new ();
  rest.loop = g_main_loop_new (rest.context, FALSE);
  rest.thread = g_thread_new ("test-clnrest", rest_thread, &rest);

  g_mutex_lock (&rest.mutex);
  while (!rest.ready)
    g_cond_wait (&rest.cond, &rest.mutex);
  g_mutex_unlock (&rest.mutex);
}

static guint
rest_requests (void)
{
  guint n;

  g_mutex_lock (&rest.mutex);
  n = rest.requests;
  g_mutex_unlock (&rest.mutex);
  return n;
}

static char *
rest_last_body (void)
{
  char *body;

  g_mutex_lock (&rest.mutex);
  body = g_strdup (rest.last_body);
  g_mutex_unlock (&rest.mutex);
  return body;
}

static OdBackend *
rest_backend (const char *url,
              const char *rune,
              const char *pinned_cert,
              const char *pinned_sha256)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_REST);
  g_autoptr(GError) error = NULL;
  OdBackend *backend;

  config->url = g_strdup (url);
  config->rune = g_strdup (rune);
  config->pinned_cert_path = g_strdup (pinned_cert);
  config->pinned_sha256 = g_strdup (pinned_sha256);
  config->timeout_ms = 10000;

  backend = od_backend_new_for_config (config, NULL, &error);
  g_assert_no_error (error);
  return backend;
}

static char *
https_url (void)
{
  return g_strdup_printf ("https://127.0.0.1:%u", rest.https_port);
}

static void
assert_getinfo_works (OdBackend *backend)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *info = json_node_get_object (g_hash_table_lookup (recorded, "getinfo"));

  result = od_backend_call (backend, "getinfo", NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (result, g_hash_table_lookup (recorded, "getinfo")));

  g_assert_true (od_backend_connect (backend, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (od_backend_get_node_id (backend), ==,
                   json_object_get_string_member (info, "id"));
  g_assert_cmpint (od_backend_get_state (backend), ==, OD_BACKEND_STATE_CONNECTED);
}

static void
test_rest_pinned_cert (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  g_autofree char *rune = NULL;

  g_assert_cmpint (od_backend_get_kind (backend), ==, OD_BACKEND_KIND_REST);
  g_assert_cmpstr (od_backend_describe (backend), ==, url);
  assert_getinfo_works (backend);

  g_mutex_lock (&rest.mutex);
  rune = g_strdup (rest.last_rune);
  g_mutex_unlock (&rest.mutex);
  g_assert_cmpstr (rune, ==, GOOD_RUNE);
}

static void
test_rest_pinned_fingerprint (void)
{
  g_autofree char *url = https_url ();
  g_autofree char *with_colons = fingerprint_of (cert_path, TRUE);
  g_autofree char *plain = fingerprint_of (cert_path, FALSE);

  {
    g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, NULL, with_colons);

    assert_getinfo_works (backend);
  }
  {
    g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, NULL, plain);

    assert_getinfo_works (backend);
  }
}

static void
assert_tls_refused (OdBackend  *backend,
                    const char *words)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  guint before = rest_requests ();

  result = od_backend_call (backend, "getinfo", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  g_assert_cmpint (od_backend_get_state (backend), ==, OD_BACKEND_STATE_DISCONNECTED);
  /* Refused during the handshake: the request, and so the rune, never went out. */
  g_assert_cmpuint (rest_requests (), ==, before);
}

static void
test_rest_wrong_pin (void)
{
  g_autofree char *url = https_url ();
  g_autofree char *other = fingerprint_of (other_cert_path, FALSE);

  {
    g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, other_cert_path, NULL);

    assert_tls_refused (backend, "does not match the pinned certificate");
  }
  {
    g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, NULL, other);

    assert_tls_refused (backend, "does not match the pinned fingerprint");
  }
}

static void
test_rest_untrusted (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, NULL, NULL);

  /* A self-signed certificate is not in the system store. */
  assert_tls_refused (backend, "is not trusted");
}

static void
test_rest_http_loopback (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", rest.http_port);
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, NULL, NULL);

  assert_getinfo_works (backend);
}

static void
test_rest_http_remote (void)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_REST);
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  guint before = rest_requests ();

  /* 192.0.2.1 (TEST-NET-1) routes nowhere: a connection attempt would hang, not fail fast. */
  config->url = g_strdup ("http://192.0.2.1:3010");
  config->rune = g_strdup (GOOD_RUNE);

  backend = od_backend_new_for_config (config, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "192.0.2.1"));
  g_assert_cmpuint (rest_requests (), ==, before);
}

static void
test_rest_wrong_rune (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, "not-the-rune", cert_path, NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (backend, "getinfo", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==,
                   "The node refused the rune: Not authorized: Not derived from master");
  /* The rune does not appear in the message. */
  g_assert_null (strstr (error->message, "not-the-rune"));
  g_clear_error (&error);

  /* A rune restricted to other methods: CLN's "not permitted", also in words. */
  {
    g_autoptr(OdBackend) good = rest_backend (url, GOOD_RUNE, cert_path, NULL);
    g_autoptr(JsonNode) r = od_backend_call (good, "restricted", NULL, 0, NULL, &error);

    g_assert_null (r);
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH);
    g_assert_nonnull (strstr (error->message, "Not permitted: method is not equal to getinfo"));
  }
}

static void
test_rest_errors (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *result;

  result = od_backend_call (backend, "fail", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_ERROR, 1000);
  g_assert_cmpstr (error->message, ==, "Already exists, but isn't active");
  g_assert_cmpint (od_backend_get_state (backend), ==, OD_BACKEND_STATE_CONNECTED);
  g_clear_error (&error);

  result = od_backend_call (backend, "nosuchcommand", NULL, 0, NULL, &error);
  g_assert_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Unknown command 'nosuchcommand'");
  g_clear_error (&error);

  result = od_backend_call (backend, "nolightningd", NULL, 0, NULL, &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "Connection refused (os error 111)"));
  g_clear_error (&error);

  result = od_backend_call (backend, "html", NULL, 0, NULL, &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "<html>"));
  g_clear_error (&error);

  /* One object per body: two of them, or anything after the first, is not a reply. */
  result = od_backend_call (backend, "twoobjects", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_clear_error (&error);
  result = od_backend_call (backend, "trailing", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_clear_error (&error);
  {
    g_autoptr(JsonNode) spaced = od_backend_call (backend, "spaced", NULL, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (spaced), "id"), ==,
                     "only");
  }

  /* Redirects are not followed (the rune would go along): the answer is refused as is. */
  result = od_backend_call (backend, "redirect", NULL, 0, NULL, &error);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "HTTP 307"));
  g_clear_error (&error);
}

static void
test_rest_params (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  g_autoptr(GError) error = NULL;

  /* By name: sent as the body, as is. */
  {
    g_autoptr(JsonNode) params =
      from_json ("{\"amount\":\"10sat\",\"description\":\"caf\xc3\xa9 {\\\"}\",\"n\":3}");
    g_autoptr(JsonNode) result = od_backend_call (backend, "echo", params, 0, NULL, &error);
    g_autofree char *body = rest_last_body ();
    g_autoptr(JsonNode) sent = from_json (body);

    g_assert_no_error (error);
    g_assert_true (json_node_equal (result, params));
    g_assert_true (json_node_equal (sent, params));
  }

  /* An empty positional list is no params: {}. */
  {
    g_autoptr(JsonNode) params = from_json ("[]");
    g_autoptr(JsonNode) result = od_backend_call (backend, "echo", params, 0, NULL, &error);
    g_autofree char *body = rest_last_body ();

    g_assert_no_error (error);
    g_assert_cmpstr (body, ==, "{}");
  }

  /* Positional parameters cannot be named here: refused before anything is sent. */
  {
    g_autoptr(JsonNode) params = from_json ("[\"10sat\",\"coffee\"]");
    guint before = rest_requests ();
    g_autoptr(JsonNode) result = od_backend_call (backend, "offer", params, 0, NULL, &error);

    g_assert_null (result);
    g_assert_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS);
    g_assert_nonnull (strstr (error->message, "by name"));
    g_assert_cmpuint (rest_requests (), ==, before);
    g_clear_error (&error);
  }
}

static void
test_rest_timeout (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = od_backend_call (backend, "slow", NULL, 1000, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpint (od_backend_get_state (backend), ==, OD_BACKEND_STATE_DISCONNECTED);
  g_clear_error (&error);

  /* And the next call goes through. */
  assert_getinfo_works (backend);
}

static void
test_rest_cancel (void)
{
  g_autofree char *url = https_url ();
  g_autoptr(OdBackend) backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  thread = g_thread_new ("cancel", cancel_later, cancellable);
  result = od_backend_call (backend, "slow", NULL, 60000, cancellable, &error);
  g_thread_join (thread);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_rest_unreachable (void)
{
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;

  /* A port nobody listens on: bind one, read its number, close it. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("https://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  backend = rest_backend (url, GOOD_RUNE, cert_path, NULL);
  result = od_backend_call (backend, "getinfo", NULL, 0, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, url));
}

/* ---- Secrets --------------------------------------------------------------------------------- */

static void
test_secret_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("test-backend-secret-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (base, "offerdesk", NULL);
  const char *url = "https://node.example:3010";
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *name = g_strdup_printf ("rune-%.16s", digest);
  g_autofree char *path = g_build_filename (data_dir, name, NULL);
  g_autofree char *contents = NULL;
  char *rune;
  GStatBuf st;

  g_assert_no_error (error);

  /* Nothing stored yet: NULL without an error. */
  rune = od_secret_lookup_rune (data_dir, url, &error);
  g_assert_no_error (error);
  g_assert_null (rune);

  g_assert_true (od_secret_store_rune (data_dir, url, GOOD_RUNE, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, GOOD_RUNE);

  rune = od_secret_lookup_rune (data_dir, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rune, ==, GOOD_RUNE);
  g_free (rune);

  /* The same node with a trailing slash is the same rune; another node has none. */
  rune = od_secret_lookup_rune (data_dir, "https://node.example:3010/", &error);
  g_assert_cmpstr (rune, ==, GOOD_RUNE);
  g_free (rune);
  rune = od_secret_lookup_rune (data_dir, "https://other.example:3010", &error);
  g_assert_no_error (error);
  g_assert_null (rune);

  /* Replaced, then cleared (twice: clearing nothing is fine). */
  g_assert_true (od_secret_store_rune (data_dir, url, "second-rune", &error));
  rune = od_secret_lookup_rune (data_dir, url, &error);
  g_assert_cmpstr (rune, ==, "second-rune");
  g_free (rune);

  g_assert_true (od_secret_clear_rune (data_dir, url, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  rune = od_secret_lookup_rune (data_dir, url, &error);
  g_assert_no_error (error);
  g_assert_null (rune);
  g_assert_true (od_secret_clear_rune (data_dir, url, &error));
  g_assert_no_error (error);

  /* A data dir that exists with a wider mode is narrowed. */
  g_assert_cmpint (g_chmod (data_dir, 0755), ==, 0);
  g_assert_true (od_secret_store_rune (data_dir, url, GOOD_RUNE, &error));
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* Missing arguments are refused in words. */
  g_assert_false (od_secret_store_rune (NULL, url, GOOD_RUNE, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG);
  g_clear_error (&error);

  od_test_remove_tree (base);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* The file fallback is what these tests check; a developer's keyring stays untouched. */
  g_setenv ("OFFERDESK_NO_KEYRING", "1", TRUE);

  /* Idle GLib worker threads exit instead of waiting for more work (see the end of main). */
  g_thread_pool_set_max_unused_threads (0);

  g_test_init (&argc, &argv, NULL);

  load_recorded ();
  make_certificates ();
  rest_start ();

  g_test_add_func ("/backend/config/kinds", test_config_kinds);
  g_test_add_func ("/backend/config/copy", test_config_copy);
  g_test_add_func ("/backend/config/validate", test_config_validate);

#define SOCKET_TEST(path, func) \
  g_test_add (path, SocketFixture, NULL, socket_setup, func, socket_teardown)
  SOCKET_TEST ("/backend/socket/recorded", test_socket_recorded);
  SOCKET_TEST ("/backend/socket/connect", test_socket_connect);
  SOCKET_TEST ("/backend/socket/params", test_socket_params);
  SOCKET_TEST ("/backend/socket/rpc-error", test_socket_rpc_error);
  SOCKET_TEST ("/backend/socket/close-mid", test_socket_close_mid);
  SOCKET_TEST ("/backend/socket/garbage", test_socket_garbage);
  SOCKET_TEST ("/backend/socket/timeout", test_socket_timeout);
  SOCKET_TEST ("/backend/socket/cancel", test_socket_cancel);
  SOCKET_TEST ("/backend/socket/cancel-waiting", test_socket_cancel_waiting);
  SOCKET_TEST ("/backend/socket/restart", test_socket_restart);
  SOCKET_TEST ("/backend/socket/concurrent", test_socket_concurrent);
  SOCKET_TEST ("/backend/socket/state-notify", test_socket_state_notify);
#undef SOCKET_TEST
  g_test_add_func ("/backend/socket/missing", test_socket_missing);

  g_test_add_func ("/backend/rest/pinned-cert", test_rest_pinned_cert);
  g_test_add_func ("/backend/rest/pinned-fingerprint", test_rest_pinned_fingerprint);
  g_test_add_func ("/backend/rest/wrong-pin", test_rest_wrong_pin);
  g_test_add_func ("/backend/rest/untrusted", test_rest_untrusted);
  g_test_add_func ("/backend/rest/http-loopback", test_rest_http_loopback);
  g_test_add_func ("/backend/rest/http-remote", test_rest_http_remote);
  g_test_add_func ("/backend/rest/wrong-rune", test_rest_wrong_rune);
  g_test_add_func ("/backend/rest/errors", test_rest_errors);
  g_test_add_func ("/backend/rest/params", test_rest_params);
  g_test_add_func ("/backend/rest/timeout", test_rest_timeout);
  g_test_add_func ("/backend/rest/cancel", test_rest_cancel);
  g_test_add_func ("/backend/rest/unreachable", test_rest_unreachable);

  g_test_add_func ("/backend/secret/file", test_secret_file);

  ret = g_test_run ();

  /* The CLNRest stand-in is not stopped: libsoup 3.2's server drops accepted sockets and
   * listener addresses on disconnect without freeing them, which the leak checker would pin on
   * this test.  Left running, they stay reachable until the process exits. */

  /* GLib keeps idle worker threads around; those that did the server's TLS handshakes hold
   * GnuTLS thread-local storage, whose dynamic TLS entry LeakSanitizer (GCC 12) cannot scan:
   * it dies with "Tracer caught signal 11" at exit.  Let them finish first. */
  od_test_stop_pool_threads (5000);
  od_test_remove_tree (cert_dir);
  g_free (cert_dir);
  g_free (cert_path);
  g_free (key_path);
  g_free (other_cert_path);
  g_free (other_key_path);
  g_hash_table_unref (recorded);

  return ret;
}
