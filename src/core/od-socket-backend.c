/* od-socket-backend.c: Core Lightning's JSON-RPC over its unix socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connections: a small pool rather than one connection behind a mutex.  The payment follower
 * sits in `waitanyinvoice` for as long as no payment arrives; with a single shared connection
 * every GUI call would queue behind it.  So each call takes an idle connection from the pool,
 * or opens one (a unix socket connect is cheap; lightningd accepts any number), and puts it
 * back when the exchange completed cleanly.  A connection that failed in any way is closed,
 * never reused, so the next call reconnects.  Before reuse an idle connection is polled: if
 * the node closed it meanwhile (restarted), it is readable, and it is dropped instead of
 * failing the call.
 *
 * Timeouts and cancellation: the socket is non-blocking and every wait is
 * g_socket_condition_timed_wait() against the call's deadline with the caller's cancellable,
 * so no main loop is needed in the calling thread.
 */

#include "config.h"

#include <string.h>

#include "od-backend-private.h"
#include "od-commands.h"

#define MAX_IDLE 4

typedef struct
{
  GSocketConnection *connection;
  OdJsonRpcReader   *reader;   /* bytes the node sent after the last response stay here */
} Channel;

struct _OdSocketBackend
{
  OdBackend       parent_instance;
  char           *path;
  GSocketAddress *address;
  GMutex          mutex;       /* guards idle */
  GQueue          idle;        /* Channel*, most recently used last */
  guint           next_id;     /* atomic */
};

G_DEFINE_FINAL_TYPE (OdSocketBackend, od_socket_backend, OD_TYPE_BACKEND)

static void
channel_free (Channel *channel)
{
  if (channel == NULL)
    return;

  if (channel->connection != NULL)
    g_io_stream_close (G_IO_STREAM (channel->connection), NULL, NULL);
  g_clear_object (&channel->connection);
  g_clear_pointer (&channel->reader, od_json_rpc_reader_free);
  g_free (channel);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Channel, channel_free)

static void
od_socket_backend_drop_idle (OdSocketBackend *self)
{
  GQueue idle = G_QUEUE_INIT;
  Channel *channel;

  g_mutex_lock (&self->mutex);
  idle = self->idle;
  g_queue_init (&self->idle);
  g_mutex_unlock (&self->mutex);

  while ((channel = g_queue_pop_head (&idle)) != NULL)
    channel_free (channel);
}

static void
od_socket_backend_finalize (GObject *object)
{
  OdSocketBackend *self = OD_SOCKET_BACKEND (object);

  od_socket_backend_drop_idle (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->address);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (od_socket_backend_parent_class)->finalize (object);
}

static GError *
backend_error (OdBackendError  code,
               const char     *format,
               ...) G_GNUC_PRINTF (2, 3);

static GError *
backend_error (OdBackendError  code,
               const char     *format,
               ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (OD_BACKEND_ERROR, code, format, args);
  va_end (args);

  return error;
}

static gint64
remaining_us (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();

  return left > 0 ? left : 0;
}

/* Polls an idle connection: a healthy one has nothing to read.  Anything readable is either
 * the end of the stream (the node went away) or output we did not ask for; either way it is
 * not worth keeping. */
static gboolean
channel_is_usable (Channel *channel)
{
  GSocket *socket = g_socket_connection_get_socket (channel->connection);

  if (g_socket_is_closed (socket))
    return FALSE;

  return g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0;
}

static Channel *
take_channel (OdSocketBackend  *self,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GError) local_error = NULL;
  GSocketConnection *connection;
  Channel *channel;

  for (;;)
    {
      g_mutex_lock (&self->mutex);
      channel = g_queue_pop_tail (&self->idle);
      g_mutex_unlock (&self->mutex);

      if (channel == NULL)
        break;
      if (channel_is_usable (channel))
        return channel;
      channel_free (channel);
    }

  client = g_socket_client_new ();
  /* A local socket: no proxy lookup, whatever the desktop's proxy settings say. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (self->address),
                                        cancellable, &local_error);
  if (connection == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_error (error,
                           backend_error (OD_BACKEND_ERROR_CONNECTION,
                                          "Cannot reach the node at %s: %s",
                                          self->path, local_error->message));
      return NULL;
    }

  g_socket_set_blocking (g_socket_connection_get_socket (connection), FALSE);

  channel = g_new0 (Channel, 1);
  channel->connection = connection;
  channel->reader = od_json_rpc_reader_new (OD_BACKEND_MAX_RESPONSE);

  return channel;
}

static void
give_back_channel (OdSocketBackend *self,
                   Channel         *channel)
{
  Channel *evicted = NULL;

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->idle, channel);
  if (self->idle.length > MAX_IDLE)
    evicted = g_queue_pop_head (&self->idle);
  g_mutex_unlock (&self->mutex);

  channel_free (evicted);
}

/* Waits for cond on socket until the deadline, turning a timeout into
 * OD_BACKEND_ERROR_TIMEOUT; a cancellation stays G_IO_ERROR_CANCELLED. */
static gboolean
wait_for (OdSocketBackend  *self,
          GSocket          *socket,
          GIOCondition      cond,
          gint64            deadline,
          guint             timeout_ms,
          const char       *method,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_socket_condition_timed_wait (socket, cond, remaining_us (deadline), cancellable,
                                     &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_propagate_error (error,
                       backend_error (OD_BACKEND_ERROR_TIMEOUT,
                                      "The node at %s did not answer %s within %u ms",
                                      self->path, method, timeout_ms));
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_propagate_error (error,
                       backend_error (OD_BACKEND_ERROR_CONNECTION,
                                      "Lost the connection to the node at %s: %s",
                                      self->path, local_error->message));
  return FALSE;
}

static gboolean
send_all (OdSocketBackend  *self,
          GSocket          *socket,
          const char       *data,
          gsize             len,
          gint64            deadline,
          guint             timeout_ms,
          const char       *method,
          GCancellable     *cancellable,
          GError          **error)
{
  gsize sent = 0;

  while (sent < len)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      if (!wait_for (self, socket, G_IO_OUT, deadline, timeout_ms, method, cancellable, error))
        return FALSE;

      n = g_socket_send (socket, data + sent, len - sent, cancellable, &local_error);
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            continue;
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_propagate_error (error,
                             backend_error (OD_BACKEND_ERROR_CONNECTION,
                                            "Cannot send %s to the node at %s: %s",
                                            method, self->path, local_error->message));
          return FALSE;
        }

      sent += (gsize) n;
    }

  return TRUE;
}

static char *
build_request (const char *id,
               const char *method,
               JsonNode   *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "params");
  json_builder_add_value (builder, json_node_copy (params));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

typedef enum
{
  FRAME_OTHER,      /* a notification or another request's response: skip */
  FRAME_RESULT,
  FRAME_ERROR,      /* *error is set */
} FrameKind;

/* Classifies one complete object from the stream. */
static FrameKind
classify_frame (OdSocketBackend  *self,
                const char       *text,
                const char       *id,
                const char       *method,
                JsonNode        **result,
                GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *id_node;
  JsonNode *error_node;
  gboolean ours;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_autofree char *excerpt = od_backend_excerpt (text, strlen (text), 60);

      g_propagate_error (error,
                         backend_error (OD_BACKEND_ERROR_PROTOCOL,
                                        "The node at %s sent something that is not JSON (%s): %s",
                                        self->path, local_error->message, excerpt));
      return FRAME_ERROR;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_propagate_error (error,
                         backend_error (OD_BACKEND_ERROR_PROTOCOL,
                                        "The node at %s sent a reply that is not a JSON object",
                                        self->path));
      return FRAME_ERROR;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  id_node = json_object_get_member (object, "id");

  /* Notifications carry a method and no id. */
  if (id_node == NULL)
    return FRAME_OTHER;

  /* An unparsable request is answered with "id": null; only our request is in flight on this
   * connection, so that answer is ours. */
  if (JSON_NODE_HOLDS_NULL (id_node))
    ours = json_object_has_member (object, "error");
  else
    ours = json_node_get_value_type (id_node) == G_TYPE_STRING &&
           g_str_equal (json_node_get_string (id_node), id);

  if (!ours)
    return FRAME_OTHER;

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL)
    {
      if (od_backend_error_from_json (error_node, error))
        return FRAME_ERROR;

      g_propagate_error (error,
                         backend_error (OD_BACKEND_ERROR_PROTOCOL,
                                        "The node at %s answered %s with an error that has no "
                                        "code and message", self->path, method));
      return FRAME_ERROR;
    }

  if (!json_object_has_member (object, "result"))
    {
      g_propagate_error (error,
                         backend_error (OD_BACKEND_ERROR_PROTOCOL,
                                        "The node at %s answered %s with neither a result nor "
                                        "an error", self->path, method));
      return FRAME_ERROR;
    }

  *result = json_object_dup_member (object, "result");
  return FRAME_RESULT;
}

static JsonNode *
od_socket_backend_call (OdBackend     *backend,
                        const char    *method,
                        JsonNode      *params,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  OdSocketBackend *self = OD_SOCKET_BACKEND (backend);
  g_autoptr(Channel) channel = NULL;
  g_autofree char *id = NULL;
  g_autofree char *request = NULL;
  gint64 deadline;
  GSocket *socket;
  gboolean received = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (params) && !JSON_NODE_HOLDS_ARRAY (params))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
                           "params must be an array or an object");
      return NULL;
    }

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  channel = take_channel (self, cancellable, error);
  if (channel == NULL)
    return NULL;

  socket = g_socket_connection_get_socket (channel->connection);
  id = g_strdup_printf ("offerdesk:%u", (guint) g_atomic_int_add (&self->next_id, 1));
  request = build_request (id, method, params);

  if (!send_all (self, socket, request, strlen (request), deadline, timeout_ms, method,
                 cancellable, error))
    return NULL;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      char buffer[16384];
      char *text;
      gssize n;

      while ((text = od_json_rpc_reader_next (channel->reader, &local_error)) != NULL)
        {
          g_autofree char *owned = text;
          JsonNode *result = NULL;

          switch (classify_frame (self, owned, id, method, &result, error))
            {
            case FRAME_OTHER:
              continue;

            case FRAME_RESULT:
              give_back_channel (self, g_steal_pointer (&channel));
              return result;

            case FRAME_ERROR:
            default:
              /* A JSON-RPC error leaves the stream in step: the connection stays usable. */
              if (error != NULL && *error != NULL && (*error)->domain == OD_ERROR)
                give_back_channel (self, g_steal_pointer (&channel));
              return NULL;
            }
        }

      if (local_error != NULL)
        {
          g_propagate_error (error,
                             backend_error (OD_BACKEND_ERROR_PROTOCOL,
                                            "The node at %s does not speak JSON-RPC: %s",
                                            self->path, local_error->message));
          return NULL;
        }

      if (!wait_for (self, socket, G_IO_IN, deadline, timeout_ms, method, cancellable, error))
        return NULL;

      n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, &local_error);
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            continue;
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_propagate_error (error,
                               backend_error (OD_BACKEND_ERROR_CONNECTION,
                                              "Lost the connection to the node at %s during "
                                              "%s: %s", self->path, method,
                                              local_error->message));
          return NULL;
        }

      if (n == 0)
        {
          if (received)
            g_propagate_error (error,
                               backend_error (OD_BACKEND_ERROR_CONNECTION,
                                              "The node at %s closed the connection in the "
                                              "middle of its answer to %s",
                                              self->path, method));
          else
            g_propagate_error (error,
                               backend_error (OD_BACKEND_ERROR_CONNECTION,
                                              "The node at %s closed the connection without "
                                              "answering %s", self->path, method));
          return NULL;
        }

      received = TRUE;
      od_json_rpc_reader_feed (channel->reader, buffer, (gsize) n);
    }
}

static const char *
od_socket_backend_describe (OdBackend *backend)
{
  return OD_SOCKET_BACKEND (backend)->path;
}

static void
od_socket_backend_disconnect (OdBackend *backend)
{
  od_socket_backend_drop_idle (OD_SOCKET_BACKEND (backend));
}

static void
od_socket_backend_class_init (OdSocketBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  OdBackendClass *backend_class = OD_BACKEND_CLASS (klass);

  object_class->finalize = od_socket_backend_finalize;

  backend_class->call = od_socket_backend_call;
  backend_class->describe = od_socket_backend_describe;
  backend_class->disconnect = od_socket_backend_disconnect;
}

static void
od_socket_backend_init (OdSocketBackend *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->idle);
  self->next_id = 1;
}

OdBackend *
od_socket_backend_new (const OdBackendConfig *config)
{
  OdSocketBackend *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->kind == OD_BACKEND_KIND_SOCKET, NULL);
  g_return_val_if_fail (config->socket_path != NULL, NULL);

  self = g_object_new (OD_TYPE_SOCKET_BACKEND, NULL);
  od_backend_set_config (OD_BACKEND (self), config);
  self->path = g_strdup (config->socket_path);
  self->address = g_unix_socket_address_new (self->path);

  return OD_BACKEND (self);
}
