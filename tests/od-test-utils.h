/* od-test-utils.h: helpers shared by the non-GUI unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The bytes of an even-length hex string (either case); asserts that it is one. */
GByteArray *od_test_hex_to_array (const char   *hex);

/* Lower-case hex of data. */
char       *od_test_hex          (const guint8 *data,
                                  gsize         len);

/* The names in the directory path, sorted and joined by ","; asserts that it opens. */
char       *od_test_dir_listing  (const char   *path);

/* Removes path and everything below it (symbolic links are removed, not followed); directories
 * are made writable first.  Leaves nothing to assert: what cannot be removed stays. */
void        od_test_remove_tree  (const char   *path);

/* Stops GLib's idle worker threads and waits, at most max_ms, until no "pool-…" thread of
 * this process is left (Linux: /proc/self/task; elsewhere it returns at once).  Those that did
 * a TLS handshake hold GnuTLS thread-local storage that LeakSanitizer cannot scan at exit. */
void        od_test_stop_pool_threads (guint max_ms);

G_END_DECLS
