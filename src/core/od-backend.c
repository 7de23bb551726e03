/* od-backend.c: the backend base class, its configuration, and the embedded (local) backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "od-backend-private.h"
#include "od-commands.h"

G_DEFINE_QUARK (od-backend-error-quark, od_backend_error)

G_DEFINE_ENUM_TYPE (OdBackendState, od_backend_state,
                    G_DEFINE_ENUM_VALUE (OD_BACKEND_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (OD_BACKEND_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (OD_BACKEND_STATE_CONNECTED, "connected"))

/* ---- Configuration ----------------------------------------------------------------------- */

static const char * const kind_names[] = {
  [OD_BACKEND_KIND_LOCAL] = "local",
  [OD_BACKEND_KIND_SOCKET] = "socket",
  [OD_BACKEND_KIND_REST] = "rest",
};

OdBackendConfig *
od_backend_config_new (OdBackendKind kind)
{
  OdBackendConfig *config = g_new0 (OdBackendConfig, 1);

  config->kind = kind;
  return config;
}

OdBackendConfig *
od_backend_config_copy (const OdBackendConfig *config)
{
  OdBackendConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (OdBackendConfig, 1);
  copy->kind = config->kind;
  copy->socket_path = g_strdup (config->socket_path);
  copy->url = g_strdup (config->url);
  copy->rune = g_strdup (config->rune);
  copy->pinned_cert_path = g_strdup (config->pinned_cert_path);
  copy->pinned_sha256 = g_strdup (config->pinned_sha256);
  copy->timeout_ms = config->timeout_ms;

  return copy;
}

void
od_backend_config_free (OdBackendConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->socket_path);
  g_free (config->url);
  /* The rune is a bearer credential: do not leave it in freed heap memory. */
  if (config->rune != NULL)
    {
      memset (config->rune, 0, strlen (config->rune));
      g_free (config->rune);
    }
  g_free (config->pinned_cert_path);
  g_free (config->pinned_sha256);
  g_free (config);
}

gboolean
od_backend_kind_from_string (const char    *name,
                             OdBackendKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (name, kind_names[i]))
        {
          *kind = (OdBackendKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
od_backend_kind_to_string (OdBackendKind kind)
{
  if ((guint) kind < G_N_ELEMENTS (kind_names))
    return kind_names[kind];
  return NULL;
}

gboolean
od_backend_host_is_loopback (const char *host)
{
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  len = strlen (host);
  if (host[0] == '[' && len > 2 && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
od_backend_parse_sha256 (const char *text,
                         guint8      digest[32])
{
  guint n = 0;
  int high = -1;

  if (text == NULL)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      int v;

      if (*p == ':' || *p == ' ')
        continue;

      v = g_ascii_xdigit_value (*p);
      if (v < 0 || n >= 32)
        return FALSE;

      if (high < 0)
        high = v;
      else
        {
          digest[n++] = (guint8) (high << 4 | v);
          high = -1;
        }
    }

  return n == 32 && high < 0;
}

static gboolean
config_error (GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
config_error (GError     **error,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
validate_rest (const OdBackendConfig  *config,
               GError                **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  const char *host;
  const char *path;

  if (config->url == NULL || *config->url == '\0')
    return config_error (error, "No CLNRest URL is set (https://host:port)");

  uri = g_uri_parse (config->url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    return config_error (error, "The CLNRest URL “%s” is not a URL: %s",
                         config->url, local_error->message);

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);

  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return config_error (error, "The CLNRest URL “%s” must start with https://", config->url);

  if (host == NULL || *host == '\0')
    return config_error (error, "The CLNRest URL “%s” has no host", config->url);

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !od_backend_host_is_loopback (host))
    return config_error (error,
                         "Plain http:// is only allowed to this computer (localhost, 127.0.0.1, "
                         "::1); use https:// for %s, or the rune would cross the network "
                         "unencrypted", host);

  if (g_uri_get_userinfo (uri) != NULL)
    return config_error (error, "The CLNRest URL “%s” must not carry a user name or password",
                         config->url);

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return config_error (error, "The CLNRest URL “%s” must not have a query or fragment",
                         config->url);

  if (path != NULL && (g_str_has_suffix (path, "/v1") || g_str_has_suffix (path, "/v1/")))
    return config_error (error,
                         "The CLNRest URL “%s” should not end in /v1: give https://host:port",
                         config->url);

  if (config->rune == NULL || *config->rune == '\0')
    return config_error (error, "No rune is set for %s", config->url);

  /* The rune goes into an HTTP header as is. */
  for (const char *p = config->rune; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
        return config_error (error,
                             "The rune contains a character a rune cannot contain "
                             "(runes are base64url text)");
    }

  if (config->pinned_cert_path != NULL && *config->pinned_cert_path != '\0' &&
      config->pinned_sha256 != NULL && *config->pinned_sha256 != '\0')
    return config_error (error,
                         "Pin either a certificate file or a SHA-256 fingerprint, not both");

  if (config->pinned_cert_path != NULL && *config->pinned_cert_path != '\0')
    {
      g_autoptr(GTlsCertificate) cert = NULL;

      cert = g_tls_certificate_new_from_file (config->pinned_cert_path, &local_error);
      if (cert == NULL)
        return config_error (error, "Cannot use the pinned certificate %s: %s",
                             config->pinned_cert_path, local_error->message);
    }

  if (config->pinned_sha256 != NULL && *config->pinned_sha256 != '\0')
    {
      guint8 digest[32];

      if (!od_backend_parse_sha256 (config->pinned_sha256, digest))
        return config_error (error,
                             "The pinned fingerprint must be the certificate's SHA-256: "
                             "64 hexadecimal digits (colons allowed)");
    }

  return TRUE;
}

gboolean
od_backend_config_validate (const OdBackendConfig  *config,
                            GError                **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (config->kind)
    {
    case OD_BACKEND_KIND_LOCAL:
      return TRUE;

    case OD_BACKEND_KIND_SOCKET:
      if (config->socket_path == NULL || *config->socket_path == '\0')
        return config_error (error,
                             "No socket path is set (the node's lightning-rpc, e.g. "
                             "~/.lightning/bitcoin/lightning-rpc)");
      if (!g_path_is_absolute (config->socket_path))
        return config_error (error, "The socket path “%s” must be absolute",
                             config->socket_path);
      /* sockaddr_un's sun_path: 108 bytes with the terminating NUL on Linux. */
      if (strlen (config->socket_path) > 107)
        return config_error (error,
                             "The socket path “%s” is longer than a unix socket path can be "
                             "(107 bytes); link it from a shorter path", config->socket_path);
      return TRUE;

    case OD_BACKEND_KIND_REST:
      return validate_rest (config, error);

    default:
      return config_error (error, "Unknown backend kind %d", (int) config->kind);
    }
}

/* ---- OdBackend --------------------------------------------------------------------------- */

typedef struct
{
  OdBackendConfig *config;
  GMainContext    *context;   /* where "state" is notified */
  int              state;     /* OdBackendState, atomic */

  GMutex           mutex;     /* guards the cached getinfo values */
  char            *node_id;
  char            *alias;
  char            *network;
  /* Values replaced by a later od_backend_connect(): a caller on another thread may still hold
   * the old pointer, so they live as long as the backend. */
  GPtrArray       *retired;
} OdBackendPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (OdBackend, od_backend, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
od_backend_finalize (GObject *object)
{
  OdBackend *self = OD_BACKEND (object);
  OdBackendPrivate *priv = od_backend_get_instance_private (self);

  g_clear_pointer (&priv->config, od_backend_config_free);
  g_clear_pointer (&priv->context, g_main_context_unref);
  g_clear_pointer (&priv->node_id, g_free);
  g_clear_pointer (&priv->alias, g_free);
  g_clear_pointer (&priv->network, g_free);
  g_clear_pointer (&priv->retired, g_ptr_array_unref);
  g_mutex_clear (&priv->mutex);

  G_OBJECT_CLASS (od_backend_parent_class)->finalize (object);
}

static void
od_backend_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  OdBackend *self = OD_BACKEND (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, od_backend_get_state (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const char *
od_backend_real_describe (OdBackend *self)
{
  return od_backend_kind_to_string (od_backend_get_kind (self));
}

static void
od_backend_real_disconnect (OdBackend *self)
{
}

static void
od_backend_class_init (OdBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = od_backend_finalize;
  object_class->get_property = od_backend_get_property;

  klass->describe = od_backend_real_describe;
  klass->disconnect = od_backend_real_disconnect;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       od_backend_state_get_type (),
                       OD_BACKEND_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
od_backend_init (OdBackend *self)
{
  OdBackendPrivate *priv = od_backend_get_instance_private (self);

  g_mutex_init (&priv->mutex);
  priv->context = g_main_context_ref_thread_default ();
  priv->config = od_backend_config_new (OD_BACKEND_KIND_LOCAL);
  priv->retired = g_ptr_array_new_with_free_func (g_free);
  priv->state = OD_BACKEND_STATE_DISCONNECTED;
}

void
od_backend_set_config (OdBackend             *self,
                       const OdBackendConfig *config)
{
  OdBackendPrivate *priv = od_backend_get_instance_private (self);

  g_return_if_fail (OD_IS_BACKEND (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&priv->config, od_backend_config_free);
  priv->config = od_backend_config_copy (config);
}

const OdBackendConfig *
od_backend_get_config (OdBackend *self)
{
  OdBackendPrivate *priv = od_backend_get_instance_private (self);

  return priv->config;
}

OdBackend *
od_backend_new_for_config (const OdBackendConfig  *config,
                           gpointer                commands,
                           GError                **error)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!od_backend_config_validate (config, error))
    return NULL;

  switch (config->kind)
    {
    case OD_BACKEND_KIND_LOCAL:
      if (commands == NULL)
        {
          config_error (error, "The embedded backend needs the command table");
          return NULL;
        }
      return od_local_backend_new (commands);

    case OD_BACKEND_KIND_SOCKET:
      return od_socket_backend_new (config);

    case OD_BACKEND_KIND_REST:
      return od_rest_backend_new (config, error);

    default:
      config_error (error, "Unknown backend kind %d", (int) config->kind);
      return NULL;
    }
}

OdBackendKind
od_backend_get_kind (OdBackend *self)
{
  OdBackendPrivate *priv;

  g_return_val_if_fail (OD_IS_BACKEND (self), OD_BACKEND_KIND_LOCAL);

  priv = od_backend_get_instance_private (self);
  return priv->config->kind;
}

gboolean
od_backend_is_node (OdBackend *self)
{
  g_return_val_if_fail (OD_IS_BACKEND (self), FALSE);

  return od_backend_get_kind (self) != OD_BACKEND_KIND_LOCAL;
}

const char *
od_backend_describe (OdBackend *self)
{
  g_return_val_if_fail (OD_IS_BACKEND (self), NULL);

  return OD_BACKEND_GET_CLASS (self)->describe (self);
}

OdBackendState
od_backend_get_state (OdBackend *self)
{
  OdBackendPrivate *priv;

  g_return_val_if_fail (OD_IS_BACKEND (self), OD_BACKEND_STATE_DISCONNECTED);

  priv = od_backend_get_instance_private (self);
  return (OdBackendState) g_atomic_int_get (&priv->state);
}

static gboolean
notify_state_cb (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(OdBackend) self = g_weak_ref_get (ref);

  if (self != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

void
od_backend_set_state (OdBackend      *self,
                      OdBackendState  state)
{
  OdBackendPrivate *priv;
  GWeakRef *ref;

  g_return_if_fail (OD_IS_BACKEND (self));

  priv = od_backend_get_instance_private (self);

  if (g_atomic_int_exchange (&priv->state, (int) state) == (int) state)
    return;

  /* A weak reference, so that a context nobody iterates (the CLI) does not keep the backend
   * alive through the pending notification. */
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  /* Always an idle source on that context, never g_main_context_invoke(): invoke runs the
   * callback right away in a worker thread that manages to acquire the context while its own
   * thread is between iterations, and "state" handlers (the GUI's) must run on that thread. */
  {
    g_autoptr(GSource) source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, notify_state_cb, ref, free_weak_ref);
    g_source_set_static_name (source, "[offerdesk] backend state");
    g_source_attach (source, priv->context);
  }
}

static gboolean
is_transport_error (const GError *error)
{
  if (error == NULL || error->domain != OD_BACKEND_ERROR)
    return FALSE;

  switch ((OdBackendError) error->code)
    {
    case OD_BACKEND_ERROR_CONNECTION:
    case OD_BACKEND_ERROR_TLS:
    case OD_BACKEND_ERROR_PROTOCOL:
    case OD_BACKEND_ERROR_TIMEOUT:
      return TRUE;

    case OD_BACKEND_ERROR_CONFIG:
    case OD_BACKEND_ERROR_AUTH:
    case OD_BACKEND_ERROR_MISMATCH:
    case OD_BACKEND_ERROR_NOT_CONNECTED:
    default:
      return FALSE;
    }
}

JsonNode *
od_backend_call (OdBackend     *self,
                 const char    *method,
                 JsonNode      *params,
                 guint          timeout_ms,
                 GCancellable  *cancellable,
                 GError       **error)
{
  OdBackendPrivate *priv;
  g_autoptr(JsonNode) empty = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *result;

  g_return_val_if_fail (OD_IS_BACKEND (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = od_backend_get_instance_private (self);

  if (params == NULL)
    {
      empty = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (empty, json_object_new ());
      params = empty;
    }

  if (timeout_ms == 0)
    timeout_ms = priv->config->timeout_ms;
  if (timeout_ms == 0)
    timeout_ms = OD_BACKEND_DEFAULT_TIMEOUT_MS;

  result = OD_BACKEND_GET_CLASS (self)->call (self, method, params, timeout_ms,
                                               cancellable, &local_error);

  if (result != NULL)
    od_backend_set_state (self, OD_BACKEND_STATE_CONNECTED);
  else if (local_error != NULL && local_error->domain == OD_ERROR)
    od_backend_set_state (self, OD_BACKEND_STATE_CONNECTED);   /* the node answered */
  else if (is_transport_error (local_error))
    od_backend_set_state (self, OD_BACKEND_STATE_DISCONNECTED);

  if (result == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                                   "%s gave no result for %s", od_backend_describe (self), method);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return result;
}

void
od_backend_disconnect (OdBackend *self)
{
  g_return_if_fail (OD_IS_BACKEND (self));

  OD_BACKEND_GET_CLASS (self)->disconnect (self);
  if (od_backend_is_node (self))
    od_backend_set_state (self, OD_BACKEND_STATE_DISCONNECTED);
}

static gboolean
is_node_id (const char *id)
{
  if (id == NULL || strlen (id) != 66)
    return FALSE;
  if (!(id[0] == '0' && (id[1] == '2' || id[1] == '3')))
    return FALSE;
  for (guint i = 0; i < 66; i++)
    if (!g_ascii_isxdigit (id[i]))
      return FALSE;
  return TRUE;
}

static void
replace_cached (OdBackendPrivate *priv,
                char            **slot,
                const char       *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return;
  if (*slot != NULL)
    g_ptr_array_add (priv->retired, g_steal_pointer (slot));
  *slot = g_strdup (value);
}

gboolean
od_backend_connect (OdBackend     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  OdBackendPrivate *priv;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  const char *id;
  const char *alias;
  const char *network;

  g_return_val_if_fail (OD_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = od_backend_get_instance_private (self);

  if (od_backend_is_node (self))
    od_backend_set_state (self, OD_BACKEND_STATE_CONNECTING);

  result = od_backend_call (self, "getinfo", NULL, 0, cancellable, &local_error);
  if (result == NULL)
    {
      /* A cancelled or refused connect leaves the backend not connected (the call only moves
       * the state on transport errors). */
      if (od_backend_is_node (self))
        od_backend_set_state (self, OD_BACKEND_STATE_DISCONNECTED);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  object = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
  id = object != NULL ? json_object_get_string_member_with_default (object, "id", NULL) : NULL;
  alias = object != NULL ? json_object_get_string_member_with_default (object, "alias", NULL)
                         : NULL;
  network = object != NULL ? json_object_get_string_member_with_default (object, "network", NULL)
                           : NULL;

  if (!is_node_id (id))
    {
      od_backend_set_state (self, OD_BACKEND_STATE_DISCONNECTED);
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                   "%s answered getinfo without a node id (66 hex digits)",
                   od_backend_describe (self));
      return FALSE;
    }

  g_mutex_lock (&priv->mutex);
  replace_cached (priv, &priv->node_id, id);
  replace_cached (priv, &priv->alias, alias);
  replace_cached (priv, &priv->network, network);
  g_mutex_unlock (&priv->mutex);

  return TRUE;
}

static void
connect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (od_backend_connect (OD_BACKEND (source_object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
od_backend_connect_async (OdBackend           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OD_IS_BACKEND (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, od_backend_connect_async);
  g_task_set_name (task, "od_backend_connect_async");
  g_task_run_in_thread (task, connect_thread);
}

gboolean
od_backend_connect_finish (OdBackend     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (OD_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
od_backend_get_node_id (OdBackend *self)
{
  OdBackendPrivate *priv;
  const char *value;

  g_return_val_if_fail (OD_IS_BACKEND (self), NULL);

  priv = od_backend_get_instance_private (self);
  g_mutex_lock (&priv->mutex);
  value = priv->node_id;
  g_mutex_unlock (&priv->mutex);
  return value;
}

const char *
od_backend_get_alias (OdBackend *self)
{
  OdBackendPrivate *priv;
  const char *value;

  g_return_val_if_fail (OD_IS_BACKEND (self), NULL);

  priv = od_backend_get_instance_private (self);
  g_mutex_lock (&priv->mutex);
  value = priv->alias;
  g_mutex_unlock (&priv->mutex);
  return value;
}

const char *
od_backend_get_network (OdBackend *self)
{
  OdBackendPrivate *priv;
  const char *value;

  g_return_val_if_fail (OD_IS_BACKEND (self), NULL);

  priv = od_backend_get_instance_private (self);
  g_mutex_lock (&priv->mutex);
  value = priv->network;
  g_mutex_unlock (&priv->mutex);
  return value;
}

/* ---- Helpers for the implementations ----------------------------------------------------- */

gboolean
od_backend_error_from_json (JsonNode  *error_node,
                            GError   **error)
{
  JsonObject *object;
  JsonNode *code;
  JsonNode *message;
  gint64 value;

  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return FALSE;

  object = json_node_get_object (error_node);
  code = json_object_get_member (object, "code");
  message = json_object_get_member (object, "message");

  if (code == NULL || json_node_get_value_type (code) != G_TYPE_INT64)
    return FALSE;
  if (message == NULL || json_node_get_value_type (message) != G_TYPE_STRING)
    return FALSE;

  value = json_node_get_int (code);
  if (value < G_MININT || value > G_MAXINT)
    return FALSE;

  g_set_error_literal (error, OD_ERROR, (int) value, json_node_get_string (message));
  return TRUE;
}

char *
od_backend_excerpt (const char *data,
                    gsize       len,
                    gsize       max_chars)
{
  GString *out = g_string_new (NULL);
  gsize i;

  for (i = 0; i < len && out->len < max_chars; i++)
    {
      guchar c = (guchar) data[i];

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }

  if (i < len)
    g_string_append (out, "…");

  /* The excerpt goes into a GError message: keep it valid UTF-8. */
  if (!g_utf8_validate (out->str, -1, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, -1);

      g_string_free (out, TRUE);
      return valid;
    }

  return g_string_free (out, FALSE);
}

/* ---- OdLocalBackend: the embedded command table ------------------------------------------- */

struct _OdLocalBackend
{
  OdBackend   parent_instance;
  OdCommands *commands;   /* not owned: the command table owns its backend */
};

G_DEFINE_FINAL_TYPE (OdLocalBackend, od_local_backend, OD_TYPE_BACKEND)

static JsonNode *
od_local_backend_call (OdBackend     *backend,
                       const char    *method,
                       JsonNode      *params,
                       guint          timeout_ms,
                       GCancellable  *cancellable,
                       GError       **error)
{
  OdLocalBackend *self = OD_LOCAL_BACKEND (backend);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return od_commands_call_local (self->commands, method, params, error);
}

static const char *
od_local_backend_describe (OdBackend *backend)
{
  return "embedded";
}

static void
od_local_backend_class_init (OdLocalBackendClass *klass)
{
  OdBackendClass *backend_class = OD_BACKEND_CLASS (klass);

  backend_class->call = od_local_backend_call;
  backend_class->describe = od_local_backend_describe;
}

static void
od_local_backend_init (OdLocalBackend *self)
{
}

OdBackend *
od_local_backend_new (gpointer commands)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (OD_BACKEND_KIND_LOCAL);
  OdLocalBackend *self;

  g_return_val_if_fail (commands != NULL, NULL);

  self = g_object_new (OD_TYPE_LOCAL_BACKEND, NULL);
  self->commands = commands;
  od_backend_set_config (OD_BACKEND (self), config);

  /* The embedded table is always there. */
  od_backend_set_state (OD_BACKEND (self), OD_BACKEND_STATE_CONNECTED);

  return OD_BACKEND (self);
}
