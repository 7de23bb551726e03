/* od-backend.h: where commands go: the embedded signer, or a Core Lightning node
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One interface, three implementations:
 *
 *   OdLocalBackend   the embedded default: the command table of od-commands.c over the local
 *                    key and store (od_commands_call_local()).  Always "connected".
 *   OdSocketBackend  Core Lightning's JSON-RPC 2.0 over its unix socket (cln-notes.md §8.1):
 *                    one request object written, the response read up to its end ("\n\n" after
 *                    a complete JSON object), ids matched.  GIO + json-glib.
 *   OdRestBackend    CLNRest: HTTPS POST <url>/v1/<method> with a JSON object body and a `Rune`
 *                    header (libsoup 3).  The server certificate is verified against the system
 *                    store, or, when the configuration pins one, against exactly that
 *                    certificate (PEM file) or SHA-256 fingerprint of its DER bytes.  A plain
 *                    http:// URL is accepted only for a loopback host (127.0.0.0/8, ::1,
 *                    localhost).
 *
 * od_backend_call() is synchronous and thread-safe (the GUI calls it from GTask threads, the
 * payment follower from its own thread); each implementation serialises or multiplexes as it
 * needs.  Errors:
 *   - a JSON-RPC error object from the node: OD_ERROR with the node's code and message as they
 *     are (e.g. 1000 "Already exists, but isn't active"), so the GUI and CLI show the node's words;
 *   - anything else: OD_BACKEND_ERROR (below), with a sentence a merchant can act on
 *     ("Cannot reach the node at /home/x/.lightning/regtest/lightning-rpc: No such file or
 *     directory", "The node refused the rune: …", "The node's certificate does not match the
 *     pinned fingerprint", …).
 *
 * State: node backends have a "state" property (OdBackendState), updated from whichever thread
 * makes a call and notified on the main context the backend was created on (g_main_context_
 * invoke on the thread-default context captured at construction), so the GUI can bind to it.
 * A successful call sets CONNECTED; a transport failure (OD_BACKEND_ERROR_CONNECTION / _TLS /
 * _PROTOCOL / _TIMEOUT) sets DISCONNECTED.  od_backend_connect() tries getinfo and caches the
 * node's id, alias and network.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define OD_BACKEND_ERROR (od_backend_error_quark ())

typedef enum
{
  OD_BACKEND_ERROR_CONFIG,      /* bad configuration: unknown kind, bad URL, http:// off loopback,
                                 * unreadable pinned certificate, missing rune… */
  OD_BACKEND_ERROR_CONNECTION,  /* cannot connect, connection closed mid-request, reset */
  OD_BACKEND_ERROR_TLS,         /* certificate not trusted / not the pinned one / handshake */
  OD_BACKEND_ERROR_AUTH,        /* the rune was refused (HTTP 401/403, or CLN's rune error) */
  OD_BACKEND_ERROR_PROTOCOL,    /* a reply that is not JSON-RPC / not JSON / wrong id */
  OD_BACKEND_ERROR_TIMEOUT,     /* no reply within the call's timeout */
  OD_BACKEND_ERROR_MISMATCH,    /* the node returned something that does not match the request
                                 * (an offer whose fields differ from the params, another node's
                                 * issuer id): refused, not stored */
  OD_BACKEND_ERROR_NOT_CONNECTED, /* the GUI's create actions while disconnected */
} OdBackendError;

GQuark od_backend_error_quark (void);

typedef enum
{
  OD_BACKEND_KIND_LOCAL,
  OD_BACKEND_KIND_SOCKET,
  OD_BACKEND_KIND_REST,
} OdBackendKind;

typedef enum
{
  OD_BACKEND_STATE_DISCONNECTED,
  OD_BACKEND_STATE_CONNECTING,
  OD_BACKEND_STATE_CONNECTED,
} OdBackendState;

/* The enum type of the "state" property (for g_object_bind_property and GtkExpression). */
#define OD_TYPE_BACKEND_STATE (od_backend_state_get_type ())
GType od_backend_state_get_type (void) G_GNUC_CONST;

/* What a backend is made from: GSettings (the GUI) or `offerdesk-cli --backend …`. */
typedef struct
{
  OdBackendKind kind;
  char         *socket_path;      /* SOCKET: path of lightning-rpc */
  char         *url;              /* REST: https://host:port (no trailing /v1) */
  char         *rune;             /* REST: the rune (secret; never logged) */
  char         *pinned_cert_path; /* REST: PEM file of the exact certificate expected, or NULL */
  char         *pinned_sha256;    /* REST: 64 hex (colons allowed) of the DER's SHA-256, or NULL */
  guint         timeout_ms;       /* per call; 0 = default 30000 */
} OdBackendConfig;

OdBackendConfig *od_backend_config_new   (OdBackendKind          kind);
OdBackendConfig *od_backend_config_copy  (const OdBackendConfig *config);
void             od_backend_config_free  (OdBackendConfig       *config);
/* "local", "socket", "rest" <-> kind; FALSE for an unknown name. */
gboolean         od_backend_kind_from_string (const char     *name,
                                              OdBackendKind  *kind);
const char      *od_backend_kind_to_string   (OdBackendKind   kind);
/* Checks a configuration without connecting (URL syntax, http only on loopback, pinned
 * certificate readable and a certificate, fingerprint 64 hex, socket path absolute…). */
gboolean         od_backend_config_validate  (const OdBackendConfig *config,
                                              GError               **error);

#define OD_TYPE_BACKEND (od_backend_get_type ())
G_DECLARE_DERIVABLE_TYPE (OdBackend, od_backend, OD, BACKEND, GObject)

struct _OdBackendClass
{
  GObjectClass parent_class;

  /* params: a JSON object (by name) or array (positional); never NULL. */
  JsonNode  *(*call)     (OdBackend     *self,
                          const char    *method,
                          JsonNode      *params,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error);
  /* Human description of where it goes: "embedded", the socket path, the URL. */
  const char *(*describe) (OdBackend    *self);
  /* Drop any open connection (the next call reconnects). */
  void       (*disconnect) (OdBackend   *self);
};

/* Creates the backend of a validated configuration (OdLocalBackend needs commands: the
 * embedded table; node backends ignore it).  Does not connect. */
OdBackend      *od_backend_new_for_config (const OdBackendConfig *config,
                                           gpointer              commands,
                                           GError              **error);

OdBackendKind   od_backend_get_kind      (OdBackend     *self);
gboolean        od_backend_is_node       (OdBackend     *self);
const char     *od_backend_describe      (OdBackend     *self);
OdBackendState  od_backend_get_state     (OdBackend     *self);
/* For implementations: sets the state and notifies "state" on the backend's main context. */
void            od_backend_set_state     (OdBackend     *self,
                                          OdBackendState state);

/* timeout_ms 0: the configuration's timeout.  The result is the JSON-RPC "result" member. */
JsonNode       *od_backend_call          (OdBackend     *self,
                                          const char    *method,
                                          JsonNode      *params,
                                          guint          timeout_ms,
                                          GCancellable  *cancellable,
                                          GError       **error);
void            od_backend_disconnect    (OdBackend     *self);

/* getinfo on the node, caching id (66 hex), alias and network; TRUE when it answered. */
gboolean        od_backend_connect       (OdBackend     *self,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* od_backend_connect() in a worker thread; the task holds self until it is done. */
void            od_backend_connect_async (OdBackend           *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean        od_backend_connect_finish (OdBackend           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
/* The cached getinfo values (NULL before a successful od_backend_connect()). */
const char     *od_backend_get_node_id   (OdBackend     *self);
const char     *od_backend_get_alias     (OdBackend     *self);
const char     *od_backend_get_network   (OdBackend     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdBackendConfig, od_backend_config_free)

/* ---- The JSON-RPC stream framing shared by the socket backend and the test node ---------- */

/* Accumulates bytes read from a stream and hands out complete top-level JSON objects, however
 * the bytes were split or coalesced: scanning for the end of the object (strings and escapes
 * respected), and skipping whitespace between objects (CLN's "\n\n").  A byte that cannot start
 * an object, or an object over max_size bytes, is a protocol error. */
typedef struct _OdJsonRpcReader OdJsonRpcReader;

OdJsonRpcReader *od_json_rpc_reader_new   (gsize             max_size);
void             od_json_rpc_reader_free  (OdJsonRpcReader  *reader);
void             od_json_rpc_reader_feed  (OdJsonRpcReader  *reader,
                                           const char       *data,
                                           gsize             len);
/* The next complete object's text (owned by the caller), NULL when none is complete yet (or on
 * error, with *error set).  */
char            *od_json_rpc_reader_next  (OdJsonRpcReader  *reader,
                                           GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdJsonRpcReader, od_json_rpc_reader_free)

/* ---- Secrets ------------------------------------------------------------------------------- */

/* The rune of a REST URL: in the user's keyring through libsecret (schema
 * "io.github.offerdesk.Offerdesk.Rune", attribute "url") when a Secret Service answers, else
 * in <data_dir>/rune-<sha256(url) first 16 hex>, mode 0600 (directory 0700).  lookup returns
 * NULL without error when none is stored. */
gboolean         od_secret_store_rune    (const char  *data_dir,
                                          const char  *url,
                                          const char  *rune,
                                          GError     **error);
char            *od_secret_lookup_rune   (const char  *data_dir,
                                          const char  *url,
                                          GError     **error);
gboolean         od_secret_clear_rune    (const char  *data_dir,
                                          const char  *url,
                                          GError     **error);

G_END_DECLS
