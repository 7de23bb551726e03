/* od-test-node-client.h: starting, stopping and calling the test node from C tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The node is tests/node/od-test-node (its path in $OFFERDESK_TEST_NODE, set by
 * tests/meson.build).  od_test_node_start() runs it in a fresh temporary directory with its
 * unix socket (<dir>/lightning-rpc) and data dir (<dir>/data), and, with options->rest, a
 * self-signed certificate made with openssl (<dir>/cert.pem, key.pem) for its CLNRest server
 * on a free port of 127.0.0.1; it returns once the node printed "ready".  The node's stdin is
 * a pipe from the test, so a test that dies takes its node with it.
 *
 * od_test_node_call() is a small synchronous JSON-RPC client of its own (not the backend under
 * test), for the test-only methods: dev-pay {offer_id, amount_msat?, payer_note?, quantity?,
 * recurrence_counter?} and dev-fault {name, delay_ms?, count?}, or to look at the node's state.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _OdTestNode OdTestNode;

typedef struct
{
  gboolean            rest;        /* also serve CLNRest over HTTPS (certificate made here) */
  const char         *rune;        /* the rune CLNRest accepts; NULL: "test-rune" */
  gboolean            recorded;    /* answer the recorded examples (tests/data/cln-examples) */
  const char         *fault;       /* start with this fault (dev-fault names), or NULL */
  const char * const *extra_args;  /* more od-test-node options, or NULL */
} OdTestNodeOptions;

/* Socket only, with extra_args (may be NULL). */
OdTestNode *od_test_node_start      (const char * const       *extra_args,
                                     GError                  **error);
OdTestNode *od_test_node_start_full (const OdTestNodeOptions  *options,
                                     GError                  **error);
/* Stops the node (SIGTERM, then SIGKILL after 10 s) and waits for it; FALSE with an error
 * when it did not exit with status 0 (a crash, or a sanitizer report).  The directory stays:
 * od_test_node_restart() starts a node again on the same data dir, socket path, certificate,
 * rune and REST port. */
gboolean    od_test_node_stop       (OdTestNode  *node,
                                     GError     **error);
gboolean    od_test_node_restart    (OdTestNode  *node,
                                     GError     **error);
/* Stops the node if it runs (asserting a clean exit) and removes the directory. */
void        od_test_node_free       (OdTestNode  *node);

gboolean    od_test_node_is_running (OdTestNode  *node);
const char *od_test_node_get_dir         (OdTestNode *node);
const char *od_test_node_get_socket_path (OdTestNode *node);
const char *od_test_node_get_data_dir    (OdTestNode *node);
/* The node's id (getinfo's, 66 hex), as it printed it (with options->recorded, getinfo answers
 * the recorded id instead: OD_TEST_NODE_RECORDED_ID). */
const char *od_test_node_get_id          (OdTestNode *node);
/* REST only (NULL / 0 otherwise): "https://127.0.0.1:<port>", the port, the certificate's PEM
 * path, the SHA-256 of its DER bytes (64 lower-case hex), the rune. */
const char *od_test_node_get_rest_url    (OdTestNode *node);
guint       od_test_node_get_rest_port   (OdTestNode *node);
const char *od_test_node_get_cert_path   (OdTestNode *node);
const char *od_test_node_get_cert_sha256 (OdTestNode *node);
const char *od_test_node_get_rune        (OdTestNode *node);

/* The id of the node that recorded tests/data/cln-examples. */
#define OD_TEST_NODE_RECORDED_ID \
  "033845802d25b4e074ccfd7cd8b339a41dc75bf9978a034800444b51d42b07799a"

/* One JSON-RPC call on the node's socket: the "result", or an error in OD_ERROR with the
 * node's code and message (G_IO_ERROR for transport trouble).  params_json: a JSON object or
 * array as text, NULL for {}. */
JsonNode   *od_test_node_call       (OdTestNode  *node,
                                     const char  *method,
                                     const char  *params_json,
                                     GError     **error);

/* Makes a self-signed certificate for CN=localhost, subjectAltName DNS:localhost and
 * IP:127.0.0.1, with openssl, as <dir>/<name>.pem and <dir>/<name>-key.pem (e.g. a second
 * certificate for a "certificate does not match" test). */
gboolean    od_test_node_make_certificate (const char  *dir,
                                           const char  *name,
                                           char       **cert_path,
                                           char       **key_path,
                                           GError     **error);

G_END_DECLS
