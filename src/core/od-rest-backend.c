/* od-rest-backend.c: Core Lightning through CLNRest (HTTPS POST /v1/<method>, Rune header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What CLNRest does (plugins/rest-plugin in Core Lightning, and the earlier Python clnrest):
 * the request body is the params as a JSON object (an empty body means {}); the Rune header is
 * checked with `checkrune` before the method runs.  A success is 201 Created with the result
 * as the whole body.  Failures carry the JSON-RPC error object ({"code", "message", "data"?})
 * as the body: 403 for a missing rune (1501 "Not authorized: Missing rune"), 401 when
 * checkrune refuses it (its own error, or 1502 "Rune is not valid"), 404 for an unknown method
 * (-32601), 500 for every other error of the method, and also 500 with no code when CLNRest
 * cannot reach lightningd.
 *
 * Threads: a SoupSession per call, made and used in the calling thread.  libsoup 3.0 sessions
 * may only be used from the thread that made them (3.2 allows sending from other threads, but
 * the build accepts 3.0), and a shared session behind a lock would make every GUI call wait
 * behind the payment follower's long `waitanyinvoice`.  The price is a TLS handshake per call,
 * which is small next to a till's pace.
 *
 * Pinning: with a pinned certificate or fingerprint, the session gets no TLS database, so every
 * server certificate arrives as "unknown CA" at accept-certificate, where it is accepted exactly
 * when it is the pinned one.  A publicly trusted certificate for the same name is therefore
 * refused too: the pin is the whole trust decision, and the rune is never sent otherwise.
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "od-backend-private.h"
#include "od-commands.h"

struct _OdRestBackend
{
  OdBackend        parent_instance;
  char            *url;              /* without a trailing slash */
  char            *rune;
  GTlsCertificate *pinned_cert;
  guint8           pinned_sha256[32];
  gboolean         has_pinned_sha256;
};

G_DEFINE_FINAL_TYPE (OdRestBackend, od_rest_backend, OD_TYPE_BACKEND)

typedef struct
{
  OdRestBackend        *self;
  gboolean              refused;      /* accept-certificate said no */
  gboolean              pin_mismatch;
  GTlsCertificateFlags  errors;
  char                 *presented;    /* SHA-256 hex of what the server presented */
} TlsCheck;

static void
od_rest_backend_finalize (GObject *object)
{
  OdRestBackend *self = OD_REST_BACKEND (object);

  g_clear_pointer (&self->url, g_free);
  if (self->rune != NULL)
    memset (self->rune, 0, strlen (self->rune));
  g_clear_pointer (&self->rune, g_free);
  g_clear_object (&self->pinned_cert);

  G_OBJECT_CLASS (od_rest_backend_parent_class)->finalize (object);
}

static char *
certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static gboolean
matches_pin (OdRestBackend   *self,
             GTlsCertificate *certificate)
{
  if (self->pinned_cert != NULL)
    return g_tls_certificate_is_same (self->pinned_cert, certificate);

  if (self->has_pinned_sha256)
    {
      g_autoptr(GByteArray) der = NULL;
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = sizeof digest;

      g_object_get (certificate, "certificate", &der, NULL);
      if (der == NULL)
        return FALSE;

      g_checksum_update (checksum, der->data, der->len);
      g_checksum_get_digest (checksum, digest, &digest_len);
      return digest_len == sizeof digest && memcmp (digest, self->pinned_sha256, 32) == 0;
    }

  return FALSE;
}

static gboolean
is_pinned (OdRestBackend *self)
{
  return self->pinned_cert != NULL || self->has_pinned_sha256;
}

static gboolean
on_accept_certificate_cb (SoupMessage          *message,
                          GTlsCertificate      *certificate,
                          GTlsCertificateFlags  errors,
                          gpointer              user_data)
{
  TlsCheck *check = user_data;

  check->errors = errors;
  g_clear_pointer (&check->presented, g_free);
  check->presented = certificate_sha256 (certificate);

  if (!is_pinned (check->self))
    {
      check->refused = TRUE;   /* the system store already said no */
      return FALSE;
    }

  if (matches_pin (check->self, certificate))
    return TRUE;

  check->refused = TRUE;
  check->pin_mismatch = TRUE;
  return FALSE;
}

static char *
describe_tls_flags (GTlsCertificateFlags flags)
{
  GString *out = g_string_new (NULL);
  static const struct { GTlsCertificateFlags flag; const char *words; } names[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "signed by an unknown authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "made out for another host" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "using an insecure algorithm" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (flags & names[i].flag)
        {
          if (out->len > 0)
            g_string_append (out, ", ");
          g_string_append (out, names[i].words);
        }
    }

  if (out->len == 0)
    g_string_append (out, "not trusted");

  return g_string_free (out, FALSE);
}

static GError *
transport_error (OdRestBackend *self,
                 TlsCheck      *check,
                 GError        *error)
{
  if (check->pin_mismatch)
    return g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS,
                        "The node's certificate at %s does not match the pinned %s "
                        "(it presented SHA-256 %s); refused",
                        self->url,
                        self->pinned_cert != NULL ? "certificate" : "fingerprint",
                        check->presented != NULL ? check->presented : "unknown");

  if (check->refused)
    {
      g_autofree char *why = describe_tls_flags (check->errors);

      return g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS,
                          "The node's certificate at %s is not trusted (%s; SHA-256 %s). "
                          "If the node uses a self-signed certificate, pin it",
                          self->url, why,
                          check->presented != NULL ? check->presented : "unknown");
    }

  if (error->domain == G_TLS_ERROR)
    return g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS,
                        "TLS with the node at %s failed: %s", self->url, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_TIMEOUT,
                        "The node at %s did not answer in time: %s", self->url, error->message);

  return g_error_new (OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION,
                      "Cannot reach the node at %s: %s", self->url, error->message);
}

/* The body as JSON, or NULL. */
static JsonNode *
parse_body (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root;

  g_autoptr(OdJsonRpcReader) reader = NULL;
  g_autofree char *object = NULL;
  gsize lead = 0, end;

  if (data == NULL || len == 0 || len > G_MAXSSIZE - 1)
    return NULL;

  /* Exactly one JSON object, whitespace around it: json-glib alone would take "{…}{…}" (the
   * last value, leaking the others) and a text cut at a NUL.  The reader that frames the socket
   * replies finds the object; nothing but whitespace may follow it. */
  reader = od_json_rpc_reader_new (len + 1);
  od_json_rpc_reader_feed (reader, data, len);
  object = od_json_rpc_reader_next (reader, NULL);
  if (object == NULL)
    return NULL;
  while (lead < len && g_ascii_isspace (data[lead]))
    lead++;
  end = lead + strlen (object);
  if (end > len || memcmp (data + lead, object, strlen (object)) != 0)
    return NULL;
  for (gsize i = end; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return NULL;

  if (!json_parser_load_from_data (parser, object, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  return root != NULL ? json_node_copy (root) : NULL;
}

/* CLNRest's error body is the error object itself; the Python plugin and some proxies wrap it
 * in {"error": …}. */
static JsonNode *
error_object (JsonNode *body)
{
  JsonObject *object;
  JsonNode *inner;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;

  object = json_node_get_object (body);
  inner = json_object_get_member (object, "error");
  if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
    return inner;

  return body;
}

static char *
body_words (JsonNode *body,
            GBytes   *bytes)
{
  JsonNode *object = error_object (body);
  gsize len = 0;
  const char *data;

  if (object != NULL)
    {
      const char *message =
        json_object_get_string_member_with_default (json_node_get_object (object),
                                                    "message", NULL);
      if (message != NULL)
        return g_strdup (message);
    }

  data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  if (data == NULL || len == 0)
    return g_strdup ("no reason given");

  return od_backend_excerpt (data, len, 120);
}

static gboolean
is_rune_error (GError *error)
{
  /* Core Lightning's rune codes (common/jsonrpc_errors.h): 1501 not authorized (also a
   * missing rune in CLNRest), 1502 not permitted / not valid. */
  return error->domain == OD_ERROR && (error->code == 1501 || error->code == 1502);
}

static JsonNode *
od_rest_backend_call (OdBackend     *backend,
                      const char    *method,
                      JsonNode      *params,
                      guint          timeout_ms,
                      GCancellable  *cancellable,
                      GError       **error)
{
  OdRestBackend *self = OD_REST_BACKEND (backend);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) object_params = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  TlsCheck check = { self, FALSE, FALSE, 0, NULL };
  guint status;
  gsize text_len = 0;

  /* CLNRest takes params by name: its rune check and its custom paths work on an object.
   * An empty positional list is the same as no params. */
  if (JSON_NODE_HOLDS_ARRAY (params))
    {
      if (json_array_get_length (json_node_get_array (params)) > 0)
        {
          g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                       "CLNRest takes parameters by name: give %s its parameters as an object",
                       method);
          return NULL;
        }
      object_params = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (object_params, json_object_new ());
      params = object_params;
    }
  else if (!JSON_NODE_HOLDS_OBJECT (params))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
                           "params must be an array or an object");
      return NULL;
    }

  escaped = g_uri_escape_string (method, NULL, FALSE);
  uri = g_strdup_printf ("%s/v1/%s", self->url, escaped);

  generator = json_generator_new ();
  json_generator_set_root (generator, params);
  text = json_generator_to_data (generator, &text_len);
  request = g_bytes_new_take (g_steal_pointer (&text), text_len);

  /* libsoup's timeout is per I/O operation, in whole seconds. */
  session = soup_session_new_with_options ("timeout", MAX (1u, (timeout_ms + 999) / 1000),
                                           "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                           NULL);
  if (is_pinned (self))
    soup_session_set_tls_database (session, NULL);

  message = soup_message_new (SOUP_METHOD_POST, uri);
  if (message == NULL)
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                   "Cannot make a request URL out of %s and %s", self->url, method);
      return NULL;
    }

  /* A redirect would carry the Rune header to wherever it points, maybe over plain http. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_append (soup_message_get_request_headers (message), "Rune", self->rune);
  soup_message_headers_append (soup_message_get_request_headers (message),
                               "Accept", "application/json");
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate_cb), &check);

  body = soup_session_send_and_read (session, message, cancellable, &local_error);
  g_signal_handlers_disconnect_by_func (message, on_accept_certificate_cb, &check);

  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_error (error, transport_error (self, &check, local_error));
      g_free (check.presented);
      return NULL;
    }
  g_free (check.presented);

  /* Belt and braces: with a pin, whatever answered must be the pinned certificate. */
  if (is_pinned (self) && g_str_equal (g_uri_get_scheme (soup_message_get_uri (message)), "https"))
    {
      GTlsCertificate *peer = soup_message_get_tls_peer_certificate (message);

      if (peer == NULL || !matches_pin (self, peer))
        {
          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_TLS,
                       "The node's certificate at %s does not match the pinned %s; refused",
                       self->url, self->pinned_cert != NULL ? "certificate" : "fingerprint");
          return NULL;
        }
    }

  status = soup_message_get_status (message);
  json = parse_body (body);

  if (status >= 200 && status < 300)
    {
      if (json == NULL)
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (body, &len);
          g_autofree char *excerpt = od_backend_excerpt (data != NULL ? data : "", len, 60);

          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                       "The node at %s answered %s with something that is not JSON: %s",
                       self->url, method, excerpt);
          return NULL;
        }
      return g_steal_pointer (&json);
    }

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_autofree char *words = body_words (json, body);

      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH,
                   "The node refused the rune: %s", words);
      return NULL;
    }

  /* The method's own JSON-RPC error: the node's code and words, as over the socket. */
  {
    g_autoptr(GError) rpc_error = NULL;

    if (od_backend_error_from_json (error_object (json), &rpc_error))
      {
        if (is_rune_error (rpc_error))
          {
            g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_AUTH,
                         "The node refused the rune: %s", rpc_error->message);
            return NULL;
          }
        g_propagate_error (error, g_steal_pointer (&rpc_error));
        return NULL;
      }
  }

  if (status >= 500)
    {
      g_autofree char *words = body_words (json, body);

      /* CLNRest itself answers, but without a JSON-RPC code: it could not reach lightningd. */
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONNECTION,
                   "CLNRest at %s could not run %s (HTTP %u): %s",
                   self->url, method, status, words);
      return NULL;
    }

  {
    g_autofree char *words = body_words (json, body);

    g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL,
                 "%s answered %s with HTTP %u %s (%s): is this CLNRest?",
                 self->url, method, status,
                 soup_message_get_reason_phrase (message) != NULL
                   ? soup_message_get_reason_phrase (message) : "",
                 words);
    return NULL;
  }
}

static const char *
od_rest_backend_describe (OdBackend *backend)
{
  return OD_REST_BACKEND (backend)->url;
}

static void
od_rest_backend_class_init (OdRestBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  OdBackendClass *backend_class = OD_BACKEND_CLASS (klass);

  object_class->finalize = od_rest_backend_finalize;

  backend_class->call = od_rest_backend_call;
  backend_class->describe = od_rest_backend_describe;
}

static void
od_rest_backend_init (OdRestBackend *self)
{
}

OdBackend *
od_rest_backend_new (const OdBackendConfig  *config,
                     GError                **error)
{
  g_autoptr(OdRestBackend) self = NULL;
  gsize len;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->kind == OD_BACKEND_KIND_REST, NULL);

  if (!od_backend_config_validate (config, error))
    return NULL;

  self = g_object_new (OD_TYPE_REST_BACKEND, NULL);
  od_backend_set_config (OD_BACKEND (self), config);

  self->url = g_strdup (config->url);
  len = strlen (self->url);
  while (len > 0 && self->url[len - 1] == '/')
    self->url[--len] = '\0';
  self->rune = g_strdup (config->rune);

  if (config->pinned_cert_path != NULL && *config->pinned_cert_path != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      self->pinned_cert = g_tls_certificate_new_from_file (config->pinned_cert_path,
                                                           &local_error);
      if (self->pinned_cert == NULL)
        {
          g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                       "Cannot use the pinned certificate %s: %s",
                       config->pinned_cert_path, local_error->message);
          return NULL;
        }
    }

  if (config->pinned_sha256 != NULL && *config->pinned_sha256 != '\0')
    self->has_pinned_sha256 = od_backend_parse_sha256 (config->pinned_sha256,
                                                        self->pinned_sha256);

  return OD_BACKEND (g_steal_pointer (&self));
}
