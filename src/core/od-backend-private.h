/* od-backend-private.h: what the backend implementations share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "od-backend.h"

G_BEGIN_DECLS

/* Core Lightning's responses can be large (listinvoices of a busy node); anything past this
 * is taken for a runaway peer rather than a response. */
#define OD_BACKEND_MAX_RESPONSE (64 * 1024 * 1024)
#define OD_BACKEND_DEFAULT_TIMEOUT_MS 30000

#define OD_TYPE_LOCAL_BACKEND (od_local_backend_get_type ())
G_DECLARE_FINAL_TYPE (OdLocalBackend, od_local_backend, OD, LOCAL_BACKEND, OdBackend)

#define OD_TYPE_SOCKET_BACKEND (od_socket_backend_get_type ())
G_DECLARE_FINAL_TYPE (OdSocketBackend, od_socket_backend, OD, SOCKET_BACKEND, OdBackend)

#define OD_TYPE_REST_BACKEND (od_rest_backend_get_type ())
G_DECLARE_FINAL_TYPE (OdRestBackend, od_rest_backend, OD, REST_BACKEND, OdBackend)

OdBackend              *od_local_backend_new     (gpointer               commands);
/* config must be valid (od_backend_config_validate). */
OdBackend              *od_socket_backend_new    (const OdBackendConfig *config);
OdBackend              *od_rest_backend_new      (const OdBackendConfig *config,
                                                  GError               **error);

/* For the implementations' constructors: the configuration the base keeps (a copy). */
void                    od_backend_set_config    (OdBackend             *self,
                                                  const OdBackendConfig *config);
const OdBackendConfig  *od_backend_get_config    (OdBackend             *self);

/* A JSON-RPC "error" member as Core Lightning writes it ({"code": int, "message": str, …}):
 * sets OD_ERROR with that code and message and returns TRUE; FALSE (error untouched) when the
 * node is not an object of that shape. */
gboolean                od_backend_error_from_json (JsonNode            *error_node,
                                                    GError             **error);

/* A short printable excerpt of bytes a peer sent, for error messages: control characters
 * escaped, cut at max_chars with "…". */
char                   *od_backend_excerpt       (const char            *data,
                                                  gsize                  len,
                                                  gsize                  max_chars);

/* localhost, 127.0.0.0/8 or ::1 (brackets allowed). */
gboolean                od_backend_host_is_loopback (const char         *host);

/* The 32 bytes of a pinned fingerprint (64 hex digits, colons and spaces allowed). */
gboolean                od_backend_parse_sha256  (const char            *text,
                                                  guint8                 digest[32]);

G_END_DECLS
