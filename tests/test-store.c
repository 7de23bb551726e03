/* test-store.c: the sqlite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bolt12-types.h"
#include "od-store.h"
#include "od-test-utils.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, OD_STORE_FILENAME, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  od_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Helpers */

static char *
hex_id (guint n)
{
  g_autofree char *seed = g_strdup_printf ("row %u", n);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
}

static OdHistoryRow *
make_row (OdKind kind,
          guint  n)
{
  OdHistoryRow *row = od_history_row_new (kind);

  row->id = hex_id (n);
  row->bolt12 = g_strdup_printf ("%s1qqqsyqcyq5rqwzqfq%u",
                                 kind == OD_KIND_OFFER ? "lno" : "lnr", n);
  row->network = g_strdup ("regtest");
  row->description = g_strdup_printf ("item %u", n);
  row->created_at = 1700000000 + n;
  row->has_amount_msat = TRUE;
  row->amount_msat = 1000 + n;

  return row;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return result;
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 result;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  result = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return result;
}

/* Every row of every table, read through a separate connection. */
static char *
dump (const char *path)
{
  sqlite3 *db = raw_open (path);
  GString *out = g_string_new (NULL);
  sqlite3_stmt *tables = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "ORDER BY name", -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1",
                                              sqlite3_column_text (tables, 0));
      sqlite3_stmt *rows = NULL;

      g_string_append_printf (out, "[%s]\n", sqlite3_column_text (tables, 0));
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (rows); i++)
            g_string_append_printf (out, "%s|", sqlite3_column_text (rows, i));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static OdStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = od_store_open (f->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Opening, schema, pragmas */

static void
test_create_reopen (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = NULL;
  g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, 1);
  g_autoptr(OdHistoryRow) stored = NULL;
  gboolean created = FALSE;
  GStatBuf st;
  sqlite3 *db;

  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  store = open_store (f);
  g_assert_cmpstr (od_store_get_path (store), ==, f->path);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, OD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  stored = od_store_add_offer (store, row, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_clear_pointer (&stored, od_history_row_free);
  g_clear_pointer (&store, od_store_close);

  /* What another program sees */
  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, OD_STORE_APPLICATION_ID);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, OD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name IN ('issued', 'rates')"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                "AND name IN ('issued_kind', 'issued_history')"), ==, 2);
  sqlite3_close (db);

  /* Reopen: same data, schema untouched */
  store = open_store (f);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, OD_STORE_SCHEMA_VERSION);
  stored = od_store_get (store, OD_KIND_OFFER, row->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->bolt12, ==, row->bolt12);
  g_assert_cmpstr (stored->description, ==, "item 1");
}

static void
test_pragmas (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(OdStore) store = open_store (f);
  g_autofree char *mode = raw_text (od_store_get_db (store), "PRAGMA journal_mode");
  sqlite3 *db;

  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (raw_int (od_store_get_db (store), "PRAGMA synchronous"), ==, 2 /* FULL */);
  g_assert_cmpint (raw_int (od_store_get_db (store), "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (sqlite3_busy_timeout (od_store_get_db (store), OD_STORE_BUSY_TIMEOUT_MS),
                   ==, SQLITE_OK);

  /* WAL is a property of the file: another connection sees it too. */
  db = raw_open (f->path);
  g_clear_pointer (&mode, g_free);
  mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  sqlite3_close (db);
}

static void
test_empty_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(OdStore) store = NULL;

  g_assert_true (g_file_set_contents (f->path, "", 0, NULL));
  store = open_store (f);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, OD_STORE_SCHEMA_VERSION);
}

static void
test_data_dir (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (f->dir, "a", "b", NULL);
  g_autofree char *expected = g_build_filename (data_dir, "regtest", NULL);
  g_autofree char *net = NULL;
  g_autofree char *file = g_build_filename (f->dir, "plain-file", NULL);
  g_autofree char *under_file = NULL;
  GStatBuf st;
  mode_t old_umask;

  /* Created: both 0700, whatever the umask */
  old_umask = umask (0);
  net = od_store_ensure_network_dir (data_dir, "regtest", &error);
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpstr (net, ==, expected);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (net, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);

  /* An existing data dir keeps its mode; the network dir is ours and is tightened. */
  g_assert_cmpint (g_chmod (data_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (net, 0755), ==, 0);
  g_clear_pointer (&net, g_free);
  net = od_store_ensure_network_dir (data_dir, "regtest", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  g_assert_cmpint (g_stat (net, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);

  /* A data dir that is a file, a network dir that is a file, a bad network name */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_clear_pointer (&net, g_free);
  net = od_store_ensure_network_dir (file, "regtest", &error);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "not a directory"));
  g_assert_null (net);
  g_clear_error (&error);

  under_file = g_build_filename (data_dir, "signet", NULL);
  g_assert_true (g_file_set_contents (under_file, "x", 1, NULL));
  net = od_store_ensure_network_dir (data_dir, "signet", &error);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
  g_assert_null (net);
  g_clear_error (&error);

  for (guint i = 0; i < 4; i++)
    {
      const char *bad[] = { "", "..", "a/b", "bit coin" };

      net = od_store_ensure_network_dir (data_dir, bad[i], &error);
      g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
      g_assert_null (net);
      g_clear_error (&error);
    }
}

/* Files that are not ours are never touched */

/* check_listing: also no file was created next to it */
static void
assert_refused_full (Fixture    *f,
                     int         code,
                     const char *message_part,
                     gboolean    check_listing)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = file_checksum (f->path);
  g_autofree char *listing = od_test_dir_listing (f->dir);
  g_autofree char *after = NULL;
  g_autofree char *listing_after = NULL;
  OdStore *store;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      store = od_store_open (f->path, &error);
      g_assert_null (store);
      g_assert_error (error, OD_STORE_ERROR, code);
      g_assert_nonnull (strstr (error->message, f->path));
      g_assert_nonnull (strstr (error->message, message_part));
      g_clear_error (&error);
    }

  after = file_checksum (f->path);
  listing_after = od_test_dir_listing (f->dir);
  g_assert_cmpstr (before, ==, after);
  if (check_listing)
    g_assert_cmpstr (listing, ==, listing_after);
}

static void
assert_refused (Fixture    *f,
                int         code,
                const char *message_part)
{
  assert_refused_full (f, code, message_part, TRUE);
}

static void
test_corrupt_random (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 bytes[8192];

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_assert_true (g_file_set_contents (f->path, (const char *) bytes, sizeof bytes, NULL));

  assert_refused (f, OD_STORE_ERROR_CORRUPT, "refusing to touch it");
}

static void
test_corrupt_text (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_true (g_file_set_contents (f->path, "offer_id,bolt12\n", -1, NULL));

  assert_refused (f, OD_STORE_ERROR_CORRUPT, "refusing to touch it");
}

/* An Offerdesk database with a damaged page: the header is fine, the b-tree is not. */
static void
test_corrupt_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gint64 page_size;
  sqlite3 *db;

  {
    g_autoptr(OdStore) store = open_store (f);

    for (guint i = 0; i < 200; i++)
      {
        g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, i);
        g_autoptr(OdHistoryRow) stored = od_store_add_offer (store, row, NULL, NULL);

        g_assert_nonnull (stored);
      }
  }
  /* Fold the WAL into the file, back to a rollback journal so the file alone is the database. */
  db = raw_open (f->path);
  raw_exec (db, "PRAGMA journal_mode = DELETE");
  page_size = raw_int (db, "PRAGMA page_size");
  g_assert_cmpint (raw_int (db, "PRAGMA page_count"), >, 6);
  sqlite3_close (db);

  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  /* Scribble over the b-tree header of pages 3 to 5 */
  for (gint64 page = 2; page < 5; page++)
    memset (contents + page * page_size, 0x5a, 64);
  g_assert_true (g_file_set_contents (f->path, contents, len, NULL));

  assert_refused (f, OD_STORE_ERROR_CORRUPT, "refusing to touch it");
}

static void
test_foreign_tables (Fixture       *f,
                     gconstpointer  data)
{
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, "CREATE TABLE accounts (name TEXT, balance INTEGER);"
                "INSERT INTO accounts VALUES ('alice', 10)");
  sqlite3_close (db);

  assert_refused (f, OD_STORE_ERROR_FOREIGN, "is not an Offerdesk database");
}

static void
test_foreign_application_id (Fixture       *f,
                             gconstpointer  data)
{
  sqlite3 *db = raw_open (f->path);

  /* No tables, but claimed by another application */
  raw_exec (db, "PRAGMA application_id = 1234; PRAGMA user_version = 1");
  sqlite3_close (db);

  assert_refused (f, OD_STORE_ERROR_FOREIGN, "is not an Offerdesk database");
}

static void
test_foreign_wal (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, "PRAGMA journal_mode = WAL; CREATE TABLE notes (body TEXT);"
                "INSERT INTO notes VALUES ('hello')");
  sqlite3_close (db);

  assert_refused (f, OD_STORE_ERROR_FOREIGN, "is not an Offerdesk database");
}

/* A foreign database in use by its application (a write transaction open, its journal on disk):
 * refused at once, without waiting for its locks or touching its journal. */
static void
test_foreign_locked (Fixture       *f,
                     gconstpointer  data)
{
  sqlite3 *db = raw_open (f->path);
  gint64 start;

  raw_exec (db, "CREATE TABLE accounts (name TEXT); PRAGMA cache_size = 1;"
                "BEGIN EXCLUSIVE; INSERT INTO accounts VALUES ('bob')");
  start = g_get_monotonic_time ();
  assert_refused (f, OD_STORE_ERROR_FOREIGN, "is not an Offerdesk database");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  raw_exec (db, "ROLLBACK");
  sqlite3_close (db);
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  sqlite3 *db;

  od_store_close (open_store (f));
  db = raw_open (f->path);
  raw_exec (db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99");
  sqlite3_close (db);

  assert_refused (f, OD_STORE_ERROR_NEWER_SCHEMA, "newer version of Offerdesk");
}

/* In WAL mode, the newer version still in the WAL: only our own side files may appear. */
static void
test_newer_schema_wal (Fixture       *f,
                       gconstpointer  data)
{
  sqlite3 *db;
  sqlite3 *keep;

  od_store_close (open_store (f));
  keep = raw_open (f->path);   /* keeps the WAL from being folded in at close */
  raw_exec (keep, "PRAGMA wal_autocheckpoint = 0; SELECT count(*) FROM issued");
  db = raw_open (f->path);
  raw_exec (db, "PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = 99");
  sqlite3_close (db);

  assert_refused_full (f, OD_STORE_ERROR_NEWER_SCHEMA, "newer version of Offerdesk", FALSE);
  sqlite3_close (keep);
}

/* A sqlite file nobody has put anything in yet is initialised. */
static void
test_pristine_sqlite (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(OdStore) store = NULL;
  sqlite3 *db = raw_open (f->path);
  GStatBuf st;

  raw_exec (db, "VACUUM");
  sqlite3_close (db);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  store = open_store (f);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, OD_STORE_SCHEMA_VERSION);
}

/* A user_version without tables: someone's. */
static void
test_foreign_version (Fixture       *f,
                      gconstpointer  data)
{
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, "PRAGMA user_version = 1");
  sqlite3_close (db);

  assert_refused (f, OD_STORE_ERROR_FOREIGN, "is not an Offerdesk database");
}

static void
test_not_a_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  OdStore *store;

  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  store = od_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
  g_clear_error (&error);

  store = od_store_open ("/nonexistent-dir-for-offerdesk/x.sqlite3", &error);
  g_assert_null (store);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
}

/* Migrations */

static void
test_migration_steps (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "scratch.sqlite3", NULL);
  g_autofree char *rows = NULL;
  /* Steps that only work in order and only once each. */
  const char *steps[] = {
    "CREATE TABLE t (a INTEGER)",
    "ALTER TABLE t ADD COLUMN b INTEGER",
    "INSERT INTO t (a, b) VALUES (1, 2)",
    "CREATE TABLE t (c)", /* fails: t exists */
    "INSERT INTO t (a, b) VALUES (3, 4)",
  };
  sqlite3 *db = raw_open (path);

  g_assert_true (od_store_migrate (db, steps, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT a * 10 + b FROM t"), ==, 12);

  /* Nothing pending: nothing runs (step 1 again would fail). */
  g_assert_true (od_store_migrate (db, steps, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM t"), ==, 1);

  /* A failing step: the steps before it in the same run are rolled back too. */
  steps[3] = "INSERT INTO t (a, b) VALUES (5, 6)";
  steps[4] = "CREATE TABLE t (c)";
  g_assert_false (od_store_migrate (db, steps, 5, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "schema 5"));
  g_clear_error (&error);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM t"), ==, 1);
  g_assert_true (sqlite3_get_autocommit (db));

  /* Fixed: steps 4 and 5 run, in order, once. */
  steps[4] = "INSERT INTO t (a, b) VALUES (7, 8)";
  g_assert_true (od_store_migrate (db, steps, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (raw_int (db, "SELECT group_concat(a, '') FROM (SELECT a FROM t ORDER BY rowid)"),
                   ==, 157);

  /* A database newer than the steps */
  g_assert_false (od_store_migrate (db, steps, 4, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NEWER_SCHEMA);
  sqlite3_close (db);
}

/* An Offerdesk file at schema 0 (application id set, nothing else) is brought up to date. */
static void
test_migration_from_zero (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(OdStore) store = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d", OD_STORE_APPLICATION_ID);
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, sql);
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, OD_STORE_APPLICATION_ID);
  sqlite3_close (db);

  store = open_store (f);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, OD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (od_store_get_db (store), "SELECT count(*) FROM rates"), ==, 0);
}

/* A migration that fails on an existing file leaves it exactly as it was. */
static void
test_migration_failure (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  OdStore *store;
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d; CREATE TABLE rates (x)",
                                          OD_STORE_APPLICATION_ID);
  sqlite3 *db = raw_open (f->path);

  raw_exec (db, sql);
  sqlite3_close (db);
  before = file_checksum (f->path);

  store = od_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "Could not upgrade"));

  after = file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
}

/* Offers and invoice requests */

static void
test_offer_insert_or_get (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, 7);
  g_autoptr(OdHistoryRow) again = NULL;
  g_autoptr(OdHistoryRow) stored = NULL;
  gboolean created = FALSE;
  guint64 count = 0;

  row->label = g_strdup ("first label");
  row->issuer = g_strdup ("Fish & Co");
  row->currency = g_strdup ("USD");
  row->currency_amount = 150;
  row->has_absolute_expiry = TRUE;
  row->absolute_expiry = G_MAXUINT64;   /* u64 range survives */
  row->has_quantity_max = TRUE;
  row->quantity_max = 0;
  row->has_recurrence = TRUE;
  row->recurrence_time_unit = 2;
  row->recurrence_period = 1;
  row->has_recurrence_basetime = TRUE;
  row->recurrence_basetime = 1706745600;
  row->has_recurrence_limit = TRUE;
  row->recurrence_limit = G_MAXUINT32;

  stored = od_store_add_offer (store, row, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpint (stored->seq, >, 0);
  g_assert_cmpint (stored->kind, ==, OD_KIND_OFFER);
  g_assert_cmpstr (stored->id, ==, row->id);
  g_assert_cmpstr (stored->bolt12, ==, row->bolt12);
  g_assert_cmpstr (stored->label, ==, "first label");
  g_assert_cmpuint (stored->status, ==, OD_STATUS_ACTIVE);
  g_assert_true (stored->active);
  g_assert_false (stored->single_use);
  g_assert_false (stored->used);
  g_assert_cmpint (stored->created_at, ==, row->created_at);
  g_assert_cmpstr (stored->network, ==, "regtest");
  g_assert_cmpstr (stored->description, ==, "item 7");
  g_assert_true (stored->has_amount_msat);
  g_assert_cmpuint (stored->amount_msat, ==, 1007);
  g_assert_cmpstr (stored->currency, ==, "USD");
  g_assert_cmpuint (stored->currency_amount, ==, 150);
  g_assert_cmpstr (stored->issuer, ==, "Fish & Co");
  g_assert_true (stored->has_absolute_expiry);
  g_assert_cmpuint (stored->absolute_expiry, ==, G_MAXUINT64);
  g_assert_true (stored->has_quantity_max);
  g_assert_cmpuint (stored->quantity_max, ==, 0);
  g_assert_true (stored->has_recurrence);
  g_assert_cmpuint (stored->recurrence_time_unit, ==, 2);
  g_assert_cmpuint (stored->recurrence_period, ==, 1);
  g_assert_true (stored->has_recurrence_basetime);
  g_assert_cmpuint (stored->recurrence_basetime, ==, 1706745600);
  g_assert_true (stored->has_recurrence_limit);
  g_assert_cmpuint (stored->recurrence_limit, ==, G_MAXUINT32);
  g_assert_null (stored->refund_for);

  /* Same offer again, with another label and single_use: the stored row wins. */
  again = od_history_row_copy (row);
  g_free (again->label);
  again->label = g_strdup ("second label");
  again->status = OD_STATUS_ACTIVE | OD_STATUS_SINGLE;
  g_clear_pointer (&stored, od_history_row_free);
  created = TRUE;
  stored = od_store_add_offer (store, again, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_cmpstr (stored->label, ==, "first label");
  g_assert_false (stored->single_use);
  g_assert_true (stored->active);

  /* ... also when it is disabled: the caller sees active = FALSE (error 1000). */
  g_clear_pointer (&stored, od_history_row_free);
  stored = od_store_set_active (store, OD_KIND_OFFER, row->id, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&stored, od_history_row_free);
  stored = od_store_add_offer (store, again, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_false (stored->active);

  g_assert_true (od_store_count (store, OD_KIND_OFFER, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);

  /* Labels are not unique */
  {
    g_autoptr(OdHistoryRow) other = make_row (OD_KIND_OFFER, 8);
    g_autoptr(OdHistoryRow) other_stored = NULL;

    other->label = g_strdup ("first label");
    other_stored = od_store_add_offer (store, other, &created, &error);
    g_assert_no_error (error);
    g_assert_true (created);
    g_assert_cmpstr (other_stored->label, ==, "first label");
  }
}

/* Every field of two rows, seq included. */
static void
assert_rows_same (const OdHistoryRow *a,
                  const OdHistoryRow *b)
{
  g_assert_cmpint (a->seq, ==, b->seq);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->bolt12, ==, b->bolt12);
  g_assert_cmpstr (a->label, ==, b->label);
  g_assert_cmpuint (a->status, ==, b->status);
  g_assert_cmpint (a->active, ==, b->active);
  g_assert_cmpint (a->single_use, ==, b->single_use);
  g_assert_cmpint (a->used, ==, b->used);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpstr (a->network, ==, b->network);
  g_assert_cmpstr (a->description, ==, b->description);
  g_assert_cmpint (a->has_amount_msat, ==, b->has_amount_msat);
  g_assert_cmpuint (a->amount_msat, ==, b->amount_msat);
  g_assert_cmpstr (a->currency, ==, b->currency);
  g_assert_cmpuint (a->currency_amount, ==, b->currency_amount);
  g_assert_cmpstr (a->issuer, ==, b->issuer);
  g_assert_cmpint (a->has_absolute_expiry, ==, b->has_absolute_expiry);
  g_assert_cmpuint (a->absolute_expiry, ==, b->absolute_expiry);
  g_assert_cmpint (a->has_quantity_max, ==, b->has_quantity_max);
  g_assert_cmpuint (a->quantity_max, ==, b->quantity_max);
  g_assert_cmpint (a->has_recurrence, ==, b->has_recurrence);
  g_assert_cmpuint (a->recurrence_time_unit, ==, b->recurrence_time_unit);
  g_assert_cmpuint (a->recurrence_period, ==, b->recurrence_period);
  g_assert_cmpint (a->has_recurrence_basetime, ==, b->has_recurrence_basetime);
  g_assert_cmpuint (a->recurrence_basetime, ==, b->recurrence_basetime);
  g_assert_cmpint (a->has_recurrence_limit, ==, b->has_recurrence_limit);
  g_assert_cmpuint (a->recurrence_limit, ==, b->recurrence_limit);
  g_assert_cmpstr (a->refund_for, ==, b->refund_for);
  g_assert_cmpstr (a->node_id, ==, b->node_id);
  g_assert_cmpuint (a->paid_count, ==, b->paid_count);
  g_assert_cmpuint (a->paid_msat, ==, b->paid_msat);
  g_assert_cmpint (a->last_paid_at, ==, b->last_paid_at);
}

/* The row returned by a creating add is the row a later get reads, field by field, also for
 * rows whose absent fields carry stray values or whose derived flags disagree with status. */
static void
test_added_row_as_read (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(OdStore) store = open_store (f);

  for (guint n = 0; n < 12; n++)
    {
      OdKind kind = n % 3 == 2 ? OD_KIND_INVOICE_REQUEST : OD_KIND_OFFER;
      g_autoptr(OdHistoryRow) row = make_row (kind, 100 + n);
      g_autoptr(OdHistoryRow) stored = NULL;
      g_autoptr(OdHistoryRow) read = NULL;
      g_autoptr(GError) error = NULL;
      gboolean created = FALSE;

      /* Stray values behind has_* = FALSE, and flags that do not match the status. */
      row->has_amount_msat = n % 2 == 0;
      row->amount_msat = 5000 + n;
      row->currency_amount = 77;
      row->absolute_expiry = n % 4 == 1 ? G_MAXUINT64 : 1800000000;
      row->has_absolute_expiry = n % 4 != 0;
      row->quantity_max = 9;
      row->has_quantity_max = n % 5 == 0;
      row->has_recurrence = n % 3 != 0;
      row->recurrence_time_unit = 1;
      row->recurrence_period = 30;
      row->has_recurrence_basetime = row->has_recurrence && n % 2 == 1;
      row->recurrence_basetime = 1706745600;
      row->has_recurrence_limit = row->has_recurrence && n % 4 < 2;
      row->recurrence_limit = G_MAXUINT32;
      row->paid_count = 3;
      row->paid_msat = 4;
      row->last_paid_at = 5;
      row->active = !row->active;
      row->used = TRUE;
      if (n % 2 == 1)
        {
          row->currency = g_strdup ("EUR");
          row->label = g_strdup ("Till 2");
          row->issuer = g_strdup ("Fish & Co");
        }
      if (n % 6 == 5)
        row->status = OD_STATUS_USED;
      if (n % 4 == 3)
        row->node_id = g_strnfill (66, 'a');
      if (kind == OD_KIND_INVOICE_REQUEST && n % 2 == 0)
        row->refund_for = hex_id (900 + n);

      if (kind == OD_KIND_OFFER)
        stored = od_store_add_offer (store, row, &created, &error);
      else
        stored = od_store_add_invoice_request (store, row, &error);
      g_assert_no_error (error);
      g_assert_nonnull (stored);
      read = od_store_get (store, kind, row->id, &error);
      g_assert_no_error (error);
      assert_rows_same (stored, read);
    }
}

static void
test_invreq_clash (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) row = make_row (OD_KIND_INVOICE_REQUEST, 3);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(OdHistoryRow) offer = make_row (OD_KIND_OFFER, 3); /* same id, other kind */
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint64 count = 0;

  row->refund_for = g_strdup ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  row->label = g_strdup ("payout 7");
  stored = od_store_add_invoice_request (store, row, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->kind, ==, OD_KIND_INVOICE_REQUEST);
  g_assert_cmpuint (stored->status, ==, OD_STATUS_ACTIVE | OD_STATUS_SINGLE);
  g_assert_true (stored->single_use);
  g_assert_cmpstr (stored->refund_for, ==, row->refund_for);
  g_clear_pointer (&stored, od_history_row_free);

  before = dump (f->path);
  g_free (row->label);
  row->label = g_strdup ("changed");
  stored = od_store_add_invoice_request (store, row, &error);
  g_assert_null (stored);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  after = dump (f->path);
  g_assert_cmpstr (before, ==, after);

  stored = od_store_add_offer (store, offer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->kind, ==, OD_KIND_OFFER);
  g_assert_true (od_store_count (store, OD_KIND_INVOICE_REQUEST, &count, &error));
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (od_store_count (store, OD_KIND_OFFER, &count, &error));
  g_assert_cmpuint (count, ==, 1);

  g_clear_pointer (&stored, od_history_row_free);
  stored = od_store_get (store, OD_KIND_INVOICE_REQUEST, row->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->label, ==, "payout 7");
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(OdHistoryRow) changed_row = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *unknown = hex_id (999);
  const guint order[] = { 5, 1, 4, 2, 3 };

  /* Inserted in this order, with created_at going the other way for some */
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, order[i]);
      g_autoptr(OdHistoryRow) stored = od_store_add_offer (store, row, NULL, &error);

      g_assert_no_error (error);
    }
  {
    g_autoptr(OdHistoryRow) invreq = make_row (OD_KIND_INVOICE_REQUEST, 6);
    g_autoptr(OdHistoryRow) stored = od_store_add_invoice_request (store, invreq, &error);

    g_assert_no_error (error);
  }

  rows = od_store_list (store, OD_KIND_OFFER, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < rows->len; i++)
    {
      OdHistoryRow *row = g_ptr_array_index (rows, i);
      g_autofree char *id = hex_id (order[i]);

      g_assert_cmpstr (row->id, ==, id);
      g_assert_cmpint (row->kind, ==, OD_KIND_OFFER);
    }
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* active_only */
  {
    g_autofree char *id4 = hex_id (4);

    changed_row = od_store_set_active (store, OD_KIND_OFFER, id4, FALSE, NULL, &error);
    g_assert_no_error (error);
  }
  rows = od_store_list (store, OD_KIND_OFFER, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (rows, i))->id, !=, changed_row->id);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* By id (either case), inactive filtered by active_only, unknown id: empty */
  upper = g_ascii_strup (changed_row->id, -1);
  rows = od_store_list (store, OD_KIND_OFFER, upper, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (rows, 0))->id, ==, changed_row->id);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = od_store_list (store, OD_KIND_OFFER, upper, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = od_store_list (store, OD_KIND_OFFER, unknown, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* The invoice request is listed with its kind only */
  rows = od_store_list (store, OD_KIND_INVOICE_REQUEST, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Bad ids are errors, not empty lists */
  rows = od_store_list (store, OD_KIND_OFFER, "zz", FALSE, &error);
  g_assert_null (rows);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (od_store_get (store, OD_KIND_OFFER, "abc", &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (od_store_get (store, OD_KIND_OFFER, unknown, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
}

static void
test_status (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) multi = make_row (OD_KIND_OFFER, 1);
  g_autoptr(OdHistoryRow) single = make_row (OD_KIND_OFFER, 2);
  g_autoptr(OdHistoryRow) invreq = make_row (OD_KIND_INVOICE_REQUEST, 3);
  g_autofree char *unknown = hex_id (99);
  OdHistoryRow *row = NULL;
  gboolean changed = FALSE;

  single->status = OD_STATUS_ACTIVE | OD_STATUS_SINGLE;
  row = od_store_add_offer (store, multi, NULL, &error);
  g_clear_pointer (&row, od_history_row_free);
  row = od_store_add_offer (store, single, NULL, &error);
  g_clear_pointer (&row, od_history_row_free);
  row = od_store_add_invoice_request (store, invreq, &error);
  g_clear_pointer (&row, od_history_row_free);
  g_assert_no_error (error);

  /* disable, disable again (1001), enable, enable again (1006) */
  row = od_store_set_active (store, OD_KIND_OFFER, multi->id, FALSE, &changed, &error);
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_false (row->active);
  g_assert_cmpuint (row->status, ==, 0);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_active (store, OD_KIND_OFFER, multi->id, FALSE, &changed, &error);
  g_assert_no_error (error);
  g_assert_false (changed);
  g_assert_false (row->active);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_active (store, OD_KIND_OFFER, multi->id, TRUE, &changed, &error);
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_true (row->active);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_active (store, OD_KIND_OFFER, multi->id, TRUE, &changed, &error);
  g_assert_no_error (error);
  g_assert_false (changed);
  g_clear_pointer (&row, od_history_row_free);

  /* paid: multi-use stays active (5), single-use becomes inactive (6) and cannot be enabled */
  row = od_store_mark_used (store, OD_KIND_OFFER, multi->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (row->status, ==, 5);
  g_assert_true (row->active && row->used && !row->single_use);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_mark_used (store, OD_KIND_OFFER, single->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (row->status, ==, 6);
  g_assert_true (!row->active && row->used && row->single_use);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_active (store, OD_KIND_OFFER, single->id, TRUE, &changed, &error);
  g_assert_no_error (error);
  g_assert_false (changed);
  g_assert_false (row->active);
  g_assert_true (row->single_use && row->used); /* the caller's 1007 */
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_get (store, OD_KIND_OFFER, single->id, &error);
  g_assert_cmpuint (row->status, ==, 6);
  g_clear_pointer (&row, od_history_row_free);

  /* Kinds are separate */
  row = od_store_set_active (store, OD_KIND_OFFER, invreq->id, FALSE, &changed, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  row = od_store_set_active (store, OD_KIND_INVOICE_REQUEST, invreq->id, FALSE, &changed, &error);
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpuint (row->status, ==, OD_STATUS_SINGLE);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_active (store, OD_KIND_OFFER, unknown, TRUE, &changed, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Unknown offer"));
  g_clear_error (&error);
  row = od_store_mark_used (store, OD_KIND_INVOICE_REQUEST, unknown, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
}

/* Bad input never changes the store */

typedef void (*Spoil) (OdHistoryRow *row);

static void spoil_id_short (OdHistoryRow *r) { r->id[10] = '\0'; }
static void spoil_id_upper (OdHistoryRow *r) { r->id[0] = 'A'; }
static void spoil_id_null (OdHistoryRow *r) { g_clear_pointer (&r->id, g_free); }
static void spoil_bolt12_prefix (OdHistoryRow *r) { r->bolt12[2] = 'i'; }
static void spoil_bolt12_null (OdHistoryRow *r) { g_clear_pointer (&r->bolt12, g_free); }
static void spoil_status_7 (OdHistoryRow *r) { r->status = 7; }
static void spoil_status_8 (OdHistoryRow *r) { r->status = 8; }
static void spoil_created_at (OdHistoryRow *r) { r->created_at = -1; }
static void spoil_network (OdHistoryRow *r) { g_clear_pointer (&r->network, g_free); }
static void spoil_amount (OdHistoryRow *r) { r->amount_msat = BOLT12_MAX_MSAT + 1; }
static void spoil_currency (OdHistoryRow *r) { r->currency = g_strdup ("usd"); }
static void spoil_refund (OdHistoryRow *r) { r->refund_for = g_strdup ("00"); }
static void spoil_basetime (OdHistoryRow *r) { r->has_recurrence_basetime = TRUE; }
static void spoil_limit (OdHistoryRow *r) { r->has_recurrence_limit = TRUE; }
static void spoil_label_utf8 (OdHistoryRow *r) { r->label = g_strdup ("caf\xe9"); }
static void spoil_kind (OdHistoryRow *r) { r->kind = !r->kind; }

static void
test_bad_rows (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(OdStore) store = open_store (f);
  g_autofree char *before = NULL;
  const Spoil spoils[] = {
    spoil_id_short, spoil_id_upper, spoil_id_null, spoil_bolt12_prefix, spoil_bolt12_null,
    spoil_status_7, spoil_status_8, spoil_created_at, spoil_network, spoil_amount,
    spoil_currency, spoil_refund, spoil_basetime, spoil_limit, spoil_label_utf8, spoil_kind,
  };

  {
    g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, 1);
    g_autoptr(OdHistoryRow) stored = od_store_add_offer (store, row, NULL, NULL);

    g_assert_nonnull (stored);
  }
  before = dump (f->path);

  for (guint i = 0; i < G_N_ELEMENTS (spoils); i++)
    for (OdKind kind = OD_KIND_OFFER; kind <= OD_KIND_INVOICE_REQUEST; kind++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(OdHistoryRow) row = make_row (kind, 100 + i);
        g_autoptr(OdHistoryRow) stored = NULL;
        g_autofree char *after = NULL;

        spoils[i] (row);
        if (kind == OD_KIND_OFFER)
          stored = od_store_add_offer (store, row, NULL, &error);
        else
          stored = od_store_add_invoice_request (store, row, &error);

        if (spoils[i] == spoil_refund && kind == OD_KIND_OFFER)
          g_assert_nonnull (strstr (error->message, "only invoice requests"));
        g_assert_null (stored);
        g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
        after = dump (f->path);
        g_assert_cmpstr (before, ==, after);
      }
}

/* Rates */

static void
test_rates (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(GPtrArray) rates = NULL;
  g_autoptr(OdRate) rate = NULL;
  g_autofree char *before = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const struct { const char *currency; guint64 msat; } bad[] = {
    { "usd", 5 }, { "US", 5 }, { "USDX", 5 }, { "", 5 }, { NULL, 5 }, { "U$D", 5 },
    { "USD", 0 }, { "USD", G_GUINT64_CONSTANT (2100000000000000001) }, { "USD", G_MAXUINT64 },
  };

  g_assert_true (od_store_set_rate (store, "USD", 1500000, &error));
  g_assert_no_error (error);
  rate = od_store_get_rate (store, "USD", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rate->currency, ==, "USD");
  g_assert_cmpuint (rate->msat_per_unit, ==, 1500000);
  g_assert_cmpint (rate->updated_at, >=, now);
  g_assert_cmpint (rate->updated_at, <=, now + 60);
  g_clear_pointer (&rate, od_rate_free);

  /* replace */
  g_assert_true (od_store_set_rate (store, "USD", 1600000, &error));
  g_assert_true (od_store_set_rate (store, "JPY", 10000, &error));
  g_assert_true (od_store_set_rate (store, "EUR", G_GUINT64_CONSTANT (2100000000000000000),
                                    &error));
  g_assert_no_error (error);
  rates = od_store_list_rates (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rates->len, ==, 3);
  g_assert_cmpstr (((OdRate *) g_ptr_array_index (rates, 0))->currency, ==, "EUR");
  g_assert_cmpstr (((OdRate *) g_ptr_array_index (rates, 1))->currency, ==, "JPY");
  g_assert_cmpstr (((OdRate *) g_ptr_array_index (rates, 2))->currency, ==, "USD");
  g_assert_cmpuint (((OdRate *) g_ptr_array_index (rates, 2))->msat_per_unit, ==, 1600000);
  g_clear_pointer (&rates, g_ptr_array_unref);

  /* validation: refused, nothing written */
  before = dump (f->path);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *after = NULL;

      g_assert_false (od_store_set_rate (store, bad[i].currency, bad[i].msat, &error));
      g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
      g_clear_error (&error);
      after = dump (f->path);
      g_assert_cmpstr (before, ==, after);
    }
  g_assert_null (od_store_get_rate (store, "usd", &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* delete */
  g_assert_true (od_store_delete_rate (store, "JPY", &error));
  g_assert_no_error (error);
  g_assert_false (od_store_delete_rate (store, "JPY", &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (od_store_get_rate (store, "JPY", &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  rates = od_store_list_rates (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rates->len, ==, 2);
}

/* History */

/* ids newest first, through plain SQL on another connection */
static GPtrArray *
plain_history (const char *path,
               const char *like)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  const char *sql = like != NULL
    ? "SELECT kind || id FROM issued WHERE description LIKE ?1 OR label LIKE ?1 "
      "OR issuer LIKE ?1 OR id LIKE ?1 ORDER BY created_at DESC, rowid DESC"
    : "SELECT kind || id FROM issued ORDER BY created_at DESC, rowid DESC";

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (like != NULL)
    sqlite3_bind_text (stmt, 1, like, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return ids;
}

static void
assert_pages_match (OdStore    *store,
                    const char *filter,
                    GPtrArray  *expected,
                    guint       page_size)
{
  g_autoptr(GError) error = NULL;
  guint64 count = 0;
  guint64 offset = 0;
  gint64 last_created = 0;
  gint64 last_seq = 0;
  guint pages = 0;

  g_assert_true (od_store_history_count (store, filter, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, expected->len);

  /* OFFSET pages */
  for (offset = 0; offset <= expected->len; offset += page_size)
    {
      g_autoptr(GPtrArray) page = od_store_history_page (store, filter, offset, page_size, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, MIN (page_size, expected->len - offset));
      for (guint i = 0; i < page->len; i++)
        {
          OdHistoryRow *row = g_ptr_array_index (page, i);
          g_autofree char *key = g_strdup_printf ("%d%s", row->kind, row->id);

          g_assert_cmpstr (key, ==, g_ptr_array_index (expected, offset + i));
        }
    }

  /* Keyset pages */
  for (offset = 0; ; offset += page_size, pages++)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (offset == 0)
        page = od_store_history_page (store, filter, 0, page_size, &error);
      else
        page = od_store_history_page_after (store, filter, last_created, last_seq, page_size,
                                            &error);
      g_assert_no_error (error);
      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        {
          OdHistoryRow *row = g_ptr_array_index (page, i);
          g_autofree char *key = g_strdup_printf ("%d%s", row->kind, row->id);

          g_assert_cmpuint (offset + i, <, expected->len);
          g_assert_cmpstr (key, ==, g_ptr_array_index (expected, offset + i));
          last_created = row->created_at;
          last_seq = row->seq;
        }
    }
  g_assert_cmpuint (offset, >=, expected->len);
  g_assert_cmpuint (pages, ==, (expected->len + page_size - 1) / page_size);
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) page = NULL;
  const guint n_rows = 333;

  for (guint i = 0; i < n_rows; i++)
    {
      OdKind kind = i % 3 == 0 ? OD_KIND_INVOICE_REQUEST : OD_KIND_OFFER;
      g_autoptr(OdHistoryRow) row = make_row (kind, i);
      g_autoptr(OdHistoryRow) stored = NULL;

      /* Out of insertion order, with many ties (seq breaks them). */
      row->created_at = 1700000000 + (gint64) ((i * 37) % 101);
      if (i % 10 == 0)
        row->label = g_strdup_printf ("Blue order %u", i);
      if (i % 25 == 0)
        row->issuer = g_strdup ("100% Cotton_Shop");
      if (kind == OD_KIND_OFFER)
        stored = od_store_add_offer (store, row, NULL, &error);
      else
        stored = od_store_add_invoice_request (store, row, &error);
      g_assert_no_error (error);
    }

  expected = plain_history (f->path, NULL);
  g_assert_cmpuint (expected->len, ==, n_rows);
  assert_pages_match (store, NULL, expected, 50);
  assert_pages_match (store, "", expected, 7);
  assert_pages_match (store, NULL, expected, n_rows);
  g_clear_pointer (&expected, g_ptr_array_unref);

  /* Search: case-insensitive substring; % and _ are literal */
  expected = plain_history (f->path, "%blue%");
  g_assert_cmpuint (expected->len, ==, 34);
  assert_pages_match (store, "blue", expected, 10);
  g_clear_pointer (&expected, g_ptr_array_unref);

  expected = plain_history (f->path, "%100% cotton%");
  g_assert_cmpuint (expected->len, ==, 14);
  assert_pages_match (store, "100% COTTON", expected, 4);
  assert_pages_match (store, "on_sh", expected, 4);
  g_clear_pointer (&expected, g_ptr_array_unref);

  page = od_store_history_page (store, "m%1", 0, 100, &error);         /* literal % */
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = od_store_history_page (store, "100_", 0, 100, &error);         /* literal _ */
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* By id */
  {
    g_autofree char *id = hex_id (42);
    g_autofree char *prefix = g_strndup (id, 20);

    page = od_store_history_page (store, prefix, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (page, 0))->id, ==, id);
    g_clear_pointer (&page, g_ptr_array_unref);
  }

  /* Past the end, zero limit */
  page = od_store_history_page (store, NULL, n_rows, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = od_store_history_page (store, NULL, G_MAXUINT64, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = od_store_history_page (store, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = od_store_history_page (store, "caf\xe9", 0, 10, &error);
  g_assert_null (page);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
}

/* The history's order is served by an index: no sort, at any depth. */
static void
test_history_plan (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(OdStore) store = open_store (f);
  const char *queries[] = {
    "SELECT * FROM issued ORDER BY created_at DESC, seq DESC LIMIT 50 OFFSET 900000",
    "SELECT * FROM issued WHERE (created_at, seq) < (1700000000, 12) "
    "ORDER BY created_at DESC, seq DESC LIMIT 50",
    "SELECT * FROM issued WHERE kind = 0 ORDER BY seq",
    "SELECT * FROM issued WHERE kind = 1 AND id = 'x'",
    /* The id-prefix part of a search: a range of the unique index, never a scan */
    "SELECT seq FROM issued WHERE kind IN (0, 1) AND id >= 'ab' AND id < 'abg'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *sql = g_strdup_printf ("EXPLAIN QUERY PLAN %s", queries[i]);
      GString *plan = g_string_new (NULL);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (od_store_get_db (store), sql, -1, &stmt, NULL),
                       ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (plan, "%s;", sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);

      g_test_message ("%s -> %s", queries[i], plan->str);
      g_assert_null (strstr (plan->str, "TEMP B-TREE"));
      g_assert_nonnull (strstr (plan->str, "USING"));
      g_assert_null (strstr (plan->str, "SCAN issued;"));
      g_string_free (plan, TRUE);
    }
}

/* Two processes: a writer waits for the other's transaction instead of failing. */

typedef struct
{
  sqlite3 *db;
  gint     committed;
} Holder;

static gpointer
commit_later (gpointer data)
{
  Holder *holder = data;

  g_usleep (300 * 1000);
  g_atomic_int_set (&holder->committed, 1);
  raw_exec (holder->db, "COMMIT");
  return NULL;
}

static void
test_busy_wait (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, 1);
  g_autoptr(OdHistoryRow) stored = NULL;
  Holder holder = { NULL, 0 };
  GThread *thread;

  holder.db = raw_open (f->path);
  raw_exec (holder.db, "BEGIN IMMEDIATE; INSERT INTO rates VALUES ('CHF', 1, 0)");
  thread = g_thread_new ("commit-later", commit_later, &holder);

  stored = od_store_add_offer (store, row, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpint (g_atomic_int_get (&holder.committed), ==, 1);

  g_thread_join (thread);
  sqlite3_close (holder.db);
}

/* Opening a second store on a file this process already has open must not drop the first
 * connection's locks (closing any descriptor of a file releases all of the process's POSIX
 * locks on it): another process's commit must stay visible to the first connection. */
static void
cli_offer (const char *data_dir,
           const char *description)
{
  const char *argv[] = { g_getenv ("OFFERDESK_CLI"), "--data-dir", data_dir, "offer", "1000sat",
                         description, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_second_open_keeps_locks (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *path = g_build_filename (data_dir, "bitcoin", "offerdesk.sqlite3", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) first = NULL;
  guint64 count = 0;

  cli_offer (data_dir, "first");
  first = od_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (od_store_count (first, OD_KIND_OFFER, &count, &error));
  g_assert_cmpuint (count, ==, 1);

  {
    g_autoptr(OdStore) second = od_store_open (path, &error);

    g_assert_no_error (error);
  }

  /* Had the second open dropped our locks, the CLI would find itself the last connection when
   * it closes, checkpoint, and delete the WAL this connection still has open. */
  cli_offer (data_dir, "second");
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);

    g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
  cli_offer (data_dir, "third");
  g_assert_true (od_store_count (first, OD_KIND_OFFER, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 3);
}

/* Schema 2: payments, node ids, search */

/* The text of migration step 1 as Offerdesk shipped it, to make version-1 files. */
static const char v1_schema[] =
  "CREATE TABLE issued ("
  "  seq                  INTEGER PRIMARY KEY,"
  "  kind                 INTEGER NOT NULL CHECK (kind IN (0, 1)),"
  "  id                   TEXT NOT NULL"
  "                       CHECK (length (id) = 64 AND id NOT GLOB '*[^0-9a-f]*'),"
  "  bolt12               TEXT NOT NULL CHECK (bolt12 <> ''),"
  "  label                TEXT,"
  "  status               INTEGER NOT NULL CHECK (status BETWEEN 0 AND 6),"
  "  created_at           INTEGER NOT NULL CHECK (created_at >= 0),"
  "  network              TEXT NOT NULL CHECK (network <> ''),"
  "  description          TEXT,"
  "  amount_msat          INTEGER CHECK (amount_msat BETWEEN 0 AND 2100000000000000000),"
  "  currency             TEXT CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),"
  "  currency_amount      INTEGER,"
  "  issuer               TEXT,"
  "  absolute_expiry      INTEGER,"
  "  quantity_max         INTEGER,"
  "  recurrence_time_unit INTEGER CHECK (recurrence_time_unit BETWEEN 0 AND 255),"
  "  recurrence_period    INTEGER CHECK (recurrence_period BETWEEN 0 AND 4294967295),"
  "  recurrence_basetime  INTEGER,"
  "  recurrence_limit     INTEGER CHECK (recurrence_limit BETWEEN 0 AND 4294967295),"
  "  refund_for           TEXT"
  "                       CHECK (length (refund_for) = 64 AND refund_for NOT GLOB '*[^0-9a-f]*'),"
  "  UNIQUE (kind, id),"
  "  CHECK ((currency IS NULL) = (currency_amount IS NULL)),"
  "  CHECK (recurrence_time_unit IS NOT NULL OR (recurrence_period IS NULL"
  "         AND recurrence_basetime IS NULL AND recurrence_limit IS NULL)),"
  "  CHECK ((recurrence_time_unit IS NULL) = (recurrence_period IS NULL)),"
  "  CHECK (refund_for IS NULL OR kind = 1)"
  ") STRICT;"
  "CREATE INDEX issued_kind ON issued (kind, seq);"
  "CREATE INDEX issued_history ON issued (created_at, seq);"
  "CREATE TABLE rates ("
  "  currency      TEXT PRIMARY KEY CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),"
  "  msat_per_unit INTEGER NOT NULL CHECK (msat_per_unit BETWEEN 1 AND 2100000000000000000),"
  "  updated_at    INTEGER NOT NULL"
  ") STRICT, WITHOUT ROWID;";

/* Makes a version-1 Offerdesk file at path with n_rows rows of varied text. */
static void
make_v1_file (const char *path,
              guint       n_rows)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = g_strdup_printf ("PRAGMA application_id = %d",
                                             OD_STORE_APPLICATION_ID);
  const char *steps[] = { v1_schema };
  static const char * const texts[] = {
    "Coffee", "GRÖSSE Größe", "café CAFÉ", "tea & cake", "50% off", "x", "Ab", NULL,
  };
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;

  raw_exec (db, app_id);
  g_assert_true (od_store_migrate (db, steps, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 1);

  raw_exec (db, "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO issued (kind, id, bolt12, label, status, "
                                       "created_at, network, description, issuer, amount_msat) "
                                       "VALUES (?1, ?2, 'lno1qqqq', ?3, ?4, ?5, 'regtest', ?6, "
                                       "?7, 1000)", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *id = hex_id (i);
      g_autofree char *description = texts[i % G_N_ELEMENTS (texts)] == NULL ? NULL
        : g_strdup_printf ("%s number %u", texts[i % G_N_ELEMENTS (texts)], i);

      sqlite3_bind_int (stmt, 1, i % 5 == 0 ? 1 : 0);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
      if (i % 3 == 0)
        sqlite3_bind_text (stmt, 3, texts[(i / 3) % G_N_ELEMENTS (texts)], -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, i % 5 == 0 ? 3 : 1);
      sqlite3_bind_int64 (stmt, 5, 1700000000 + (i * 7919) % 1000);
      sqlite3_bind_text (stmt, 6, description, -1, SQLITE_STATIC);
      if (i % 4 == 0)
        sqlite3_bind_text (stmt, 7, "Corner Shop", -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);
  raw_exec (db, "INSERT INTO rates VALUES ('EUR', 1234, 1700000000); COMMIT");
  sqlite3_close (db);
}

#define V1_COLUMNS \
  "seq, kind, id, bolt12, label, status, created_at, network, description, amount_msat, " \
  "currency, currency_amount, issuer, absolute_expiry, quantity_max, recurrence_time_unit, " \
  "recurrence_period, recurrence_basetime, recurrence_limit, refund_for"

static char *
dump_query (const char *path,
            const char *sql)
{
  sqlite3 *db = raw_open (path);
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s|", sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

/* The FTS5 index agrees with the table (rank 1: checks the content too). */
static void
assert_search_index_sound (const char *path)
{
  sqlite3 *db = raw_open (path);

  raw_exec (db, "INSERT INTO issued_search (issued_search, rank) VALUES ('integrity-check', 1)");
  sqlite3_close (db);
}

/* The seq of the rows matching filter, newest first, by a plain LIKE query: the reference of
 * the search semantics (substring of description, label or issuer, ASCII case-insensitive;
 * or a lower-cased hex filter of 1..64 characters that starts the id).  (Numbers, not
 * strings: allocations are what makes this slow under ASan.) */
static GArray *
plain_search (const char *path,
              const char *filter)
{
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *lower = g_ascii_strdown (filter, -1);
  GString *like = g_string_new ("%");
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  gboolean hex = *lower != '\0' && strlen (lower) <= 64;

  for (const char *p = filter; *p; p++)
    {
      if (*p == '\\' || *p == '%' || *p == '_')
        g_string_append_c (like, '\\');
      g_string_append_c (like, *p);
      hex = hex && g_ascii_isxdigit (*p);
    }
  g_string_append_c (like, '%');

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq FROM issued WHERE ?3 = '' "
                                       "OR description LIKE ?1 ESCAPE '\\' "
                                       "OR label LIKE ?1 ESCAPE '\\' "
                                       "OR issuer LIKE ?1 ESCAPE '\\' "
                                       "OR substr (id, 1, length (?2)) = ?2 "
                                       "ORDER BY created_at DESC, seq DESC", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, like->str, -1, SQLITE_TRANSIENT);
  if (hex)
    sqlite3_bind_text (stmt, 2, lower, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, filter, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_string_free (like, TRUE);

  return seqs;
}

static void
assert_rows_are (GPtrArray  *rows,
                 GArray     *expected,
                 guint       from,
                 const char *filter)
{
  for (guint i = 0; i < rows->len; i++)
    {
      OdHistoryRow *row = g_ptr_array_index (rows, i);

      if (from + i >= expected->len || row->seq != g_array_index (expected, gint64, from + i))
        g_error ("filter “%s”: position %u is seq %" G_GINT64_FORMAT
                 ", expected %" G_GINT64_FORMAT, filter, from + i, row->seq,
                 from + i < expected->len ? g_array_index (expected, gint64, from + i) : -1);
    }
}

/* count, the first and last pages, a page in the middle from either end, keyset pages both
 * ways, all against the plain query. */
static void
assert_search_matches (OdStore    *store,
                       const char *path,
                       const char *filter,
                       gboolean    full_walk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = plain_search (path, filter);
  g_autoptr(GPtrArray) page = NULL;
  const guint size = 41;
  guint64 count = G_MAXUINT64;
  guint n = expected->len;
  guint middle = n / 2;

  g_assert_true (od_store_history_count (store, filter, &count, &error));
  g_assert_no_error (error);
  if (count != n)
    g_error ("filter “%s”: count %" G_GUINT64_FORMAT ", expected %u", filter, count, n);

  page = od_store_history_page (store, filter, 0, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, MIN (size, n));
  assert_rows_are (page, expected, 0, filter);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = od_store_history_page (store, filter, middle, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, MIN (size, n - middle));
  assert_rows_are (page, expected, middle, filter);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* From the end: the last rows, and the same middle page counted from the oldest. */
  page = od_store_history_page_from_end (store, filter, 0, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, MIN (size, n));
  assert_rows_are (page, expected, n - page->len, filter);
  g_clear_pointer (&page, g_ptr_array_unref);
  if (n >= middle + size)
    {
      page = od_store_history_page_from_end (store, filter, n - middle - size, size, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, size);
      assert_rows_are (page, expected, middle, filter);
      g_clear_pointer (&page, g_ptr_array_unref);
    }

  /* Keyset around a row in the middle. */
  if (n > 0)
    {
      g_autoptr(GPtrArray) anchor = od_store_history_page (store, filter, middle, 1, &error);
      OdHistoryRow *row;
      guint before = MIN (size, middle);

      g_assert_no_error (error);
      g_assert_cmpuint (anchor->len, ==, 1);
      row = g_ptr_array_index (anchor, 0);
      page = od_store_history_page_before (store, filter, row->created_at, row->seq, size,
                                           &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, before);
      assert_rows_are (page, expected, middle - before, filter);
      g_clear_pointer (&page, g_ptr_array_unref);
      page = od_store_history_page_after (store, filter, row->created_at, row->seq, size,
                                          &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, MIN (size, n - middle - 1));
      assert_rows_are (page, expected, middle + 1, filter);
      g_clear_pointer (&page, g_ptr_array_unref);
    }

  /* Every row, in keyset pages. */
  if (full_walk)
    {
      guint seen = 0;

      page = od_store_history_page (store, filter, 0, 1000, &error);
      g_assert_no_error (error);
      while (page->len > 0)
        {
          OdHistoryRow *last = g_ptr_array_index (page, page->len - 1);
          GPtrArray *next;

          assert_rows_are (page, expected, seen, filter);
          seen += page->len;
          next = od_store_history_page_after (store, filter, last->created_at, last->seq, 1000,
                                              &error);
          g_assert_no_error (error);
          g_ptr_array_unref (page);
          page = next;
        }
      g_assert_cmpuint (seen, ==, n);
    }
}

/* A version-1 file with rows is migrated: every row kept as it was, new columns at their
 * defaults, every row found by search. */
static void
test_migration_v1 (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(OdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *rates = NULL;
  const char *filters[] = { "number 1", "coffee", "GRÖSSE", "größe", "Größe", "CAFÉ", "café",
                            "corner", "50%", "x", "ab", "b n", "", "e" };
  sqlite3 *db;

  make_v1_file (f->path, 500);
  before = dump_query (f->path, "SELECT " V1_COLUMNS " FROM issued ORDER BY seq");

  store = open_store (f);
  g_assert_cmpuint (od_store_get_schema_version (store), ==, 2);
  after = dump_query (f->path, "SELECT " V1_COLUMNS " FROM issued ORDER BY seq");
  g_assert_cmpstr (before, ==, after);
  rates = dump_query (f->path, "SELECT * FROM rates");
  g_assert_cmpstr (rates, ==, "EUR|1234|1700000000|\n");

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM issued WHERE node_id IS NULL AND "
                                "paid_count = 0 AND paid_msat = 0 AND last_paid_at = 0"), ==, 500);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM payments"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM node"), ==, 0);
  /* The index holds every row: one match per row for text every description has. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM issued_search "
                                "WHERE issued_search MATCH '\"number \"'"), ==,
                   raw_int (db, "SELECT count(*) FROM issued WHERE description IS NOT NULL"));
  sqlite3_close (db);
  assert_search_index_sound (f->path);

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GArray) expected = plain_search (f->path, filters[i]);

      if (*filters[i] != '\0' && strcmp (filters[i], "GRÖSSE") != 0)
        g_assert_cmpuint (expected->len, >, 0);
      assert_search_matches (store, f->path, filters[i], TRUE);
    }
  {
    g_autofree char *id = hex_id (321);
    g_autofree char *prefix = g_ascii_strup (id, 9);
    g_autoptr(GPtrArray) page = od_store_history_page (store, prefix, 0, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (page, 0))->id, ==, id);
  }

  /* Still in step after writes through the store and another connection. */
  {
    g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, 9999);
    g_autoptr(OdHistoryRow) stored = NULL;

    g_free (row->description);
    row->description = g_strdup ("Zanzibar spice");
    stored = od_store_add_offer (store, row, NULL, &error);
    g_assert_no_error (error);
  }
  db = raw_open (f->path);
  raw_exec (db, "UPDATE issued SET label = 'Renamed LABEL' WHERE seq = 7");
  raw_exec (db, "DELETE FROM issued WHERE seq = 8");
  sqlite3_close (db);
  assert_search_index_sound (f->path);
  assert_search_matches (store, f->path, "zanzibar", TRUE);
  assert_search_matches (store, f->path, "renamed label", TRUE);
  assert_search_matches (store, f->path, "number 8", TRUE);
}

/* node_id and the paid fields go in and come back; node_id is checked. */
static void
test_row_node_fields (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) offer = make_row (OD_KIND_OFFER, 1);
  g_autoptr(OdHistoryRow) invreq = make_row (OD_KIND_INVOICE_REQUEST, 2);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(OdHistoryRow) copy = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *node = "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619";

  offer->node_id = g_strdup (node);
  /* The paid fields are the store's: what a caller puts there is not written. */
  offer->paid_count = 5;
  offer->paid_msat = 5000;
  offer->last_paid_at = 77;
  stored = od_store_add_offer (store, offer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->node_id, ==, node);
  g_assert_cmpuint (stored->paid_count, ==, 0);
  g_assert_cmpuint (stored->paid_msat, ==, 0);
  g_assert_cmpint (stored->last_paid_at, ==, 0);
  copy = od_history_row_copy (stored);
  g_assert_cmpstr (copy->node_id, ==, node);
  g_assert_true (copy->node_id != stored->node_id);
  g_clear_pointer (&stored, od_history_row_free);

  stored = od_store_add_invoice_request (store, invreq, &error);
  g_assert_no_error (error);
  g_assert_null (stored->node_id);
  g_clear_pointer (&stored, od_history_row_free);

  stored = od_store_get (store, OD_KIND_OFFER, offer->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->node_id, ==, node);
  page = od_store_history_page (store, NULL, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (page, 0))->node_id, ==, NULL);
  g_assert_cmpstr (((OdHistoryRow *) g_ptr_array_index (page, 1))->node_id, ==, node);

  /* Not a node id: refused, nothing written. */
  before = dump (f->path);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(OdHistoryRow) bad = make_row (OD_KIND_OFFER, 10 + i);

      bad->node_id = i == 0 ? g_ascii_strup (node, -1) : i == 1 ? g_strndup (node, 64)
                   : g_strconcat (node, "00", NULL);
      g_assert_null (od_store_add_offer (store, bad, NULL, &error));
      g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  after = dump (f->path);
  g_assert_cmpstr (before, ==, after);
}

/* Search over 10,000 generated rows equals the plain LIKE query, for many queries. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  static const char * const words[] = {
    "Coffee", "tea", "CROISSANT", "bagel", "Größe", "GRÖSSE", "café", "CAFÉ", "naïve", "Ωmega",
    "ωmega", "日本語", "party 🎉", "\xe2\x84\xaa" "elvin", "50% off", "under_score", "back\\slash",
    "quote\"d", "star*", "(paren)", "OR", "NEAR", "a-b", "^caret", "col:on", "AND", "x", "Ab",
    "fee", "cafe", "dead beef", "  spaced  ",
  };
  static const char * const queries[] = {
    "", "e", "E", "x", "ab", "Ab", "AB", "é", "ö", "Ö", "gr", "größe", "GRÖSSE", "GRÖßE", "grösse",
    "café", "CAFÉ", "cafÉ", "k", "\xe2\x84\xaa", "kelvin", "\xe2\x84\xaa" "elvin", "coffee",
    "COFFEE", "cOfFeE and", "and", "AND", "or", "OR", "near", "NEAR", "NEAR(", "50%", "%", "%%",
    "_", "r_s", "\\", "k\\s", "\"", "\"d", "e\"d", "quote\"", "star*", "*", "r*", "(paren)", "(",
    ")", "a-b", "-", "^", "^caret", "col:on", ":", "🎉", "y 🎉", "日本", "日本語", "本", "cafe",
    "CAFE", "fee", "FEE", "dead", "beef", "abc", "0", "00", "000", "zz", "no such thing", " ",
    "  ", "   ", "  s", "a  ", "e a", "#1", "#12", "#123", "ωmega", "ΩMEGA", "mega",
  };
  const guint n = 10000;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) descriptions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(OdStore) store = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  store = open_store (f);
  db = raw_open (f->path);
  raw_exec (db, "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO issued (kind, id, bolt12, label, status, "
                                       "created_at, network, description, issuer) VALUES (?1, "
                                       "?2, 'lno1qqqq', ?3, 1, ?4, 'regtest', ?5, ?6)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      GString *id = g_string_new (NULL);
      char *description = NULL;
      char *label = NULL;
      char *issuer = NULL;

      /* Some ids share prefixes that are also words ("cafe", "fee", "dead", "abc"). */
      if (i % 50 == 0)
        g_string_append (id, (const char *[]) { "cafe", "fee", "dead", "abc", "00" }[(i / 50) % 5]);
      while (id->len < 64)
        g_string_append_printf (id, "%08x", g_rand_int (rand));
      g_string_truncate (id, 64);

      if (g_rand_int_range (rand, 0, 12) != 0)
        description = g_strdup_printf ("%s %s #%u",
                                       words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                       words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                       g_rand_int_range (rand, 0, 2000));
      if (g_rand_int_range (rand, 0, 3) == 0)
        label = g_strdup (words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
      if (g_rand_int_range (rand, 0, 4) == 0)
        issuer = g_strdup_printf ("Shop %s",
                                  words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);

      sqlite3_bind_int (stmt, 1, i % 4 == 0 ? 1 : 0);
      sqlite3_bind_text (stmt, 2, id->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, label, -1, g_free);
      sqlite3_bind_int64 (stmt, 4, 1700000000 + g_rand_int_range (rand, 0, 4000));
      sqlite3_bind_text (stmt, 5, description, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, issuer, -1, g_free);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      g_ptr_array_add (ids, g_string_free (id, FALSE));
      if (description != NULL)
        g_ptr_array_add (descriptions, description);
    }
  sqlite3_finalize (stmt);
  raw_exec (db, "COMMIT");
  sqlite3_close (db);
  assert_search_index_sound (f->path);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    assert_search_matches (store, f->path, queries[i], i % 16 == 0 || i == 1 || i == 23);

  /* Id prefixes of every length, either case. */
  for (guint k = 0; k < 8; k++)
    {
      guint len = (guint[]) { 1, 2, 3, 4, 6, 9, 20, 64 }[k];
      const char *id = g_ptr_array_index (ids, g_rand_int_range (rand, 0, ids->len));
      g_autofree char *prefix = g_strndup (id, len);
      g_autofree char *upper = g_ascii_strup (prefix, -1);

      assert_search_matches (store, f->path, prefix, FALSE);
      assert_search_matches (store, f->path, upper, FALSE);
    }
  {
    g_autofree char *whole = g_strconcat (g_ptr_array_index (ids, 7), NULL);
    g_autofree char *longer = g_strconcat (whole, "0", NULL);
    g_autoptr(GArray) expected = plain_search (f->path, whole);

    g_assert_cmpuint (expected->len, ==, 1);
    assert_search_matches (store, f->path, whole, FALSE);
    assert_search_matches (store, f->path, longer, FALSE);
  }

  /* Random pieces of descriptions, case flipped. */
  for (guint i = 0; i < 30; i++)
    {
      const char *text = g_ptr_array_index (descriptions,
                                            g_rand_int_range (rand, 0, descriptions->len));
      glong chars = g_utf8_strlen (text, -1);
      glong start = g_rand_int_range (rand, 0, chars);
      glong len = MIN (chars - start, g_rand_int_range (rand, 1, 9));
      const char *from = g_utf8_offset_to_pointer (text, start);
      const char *to = g_utf8_offset_to_pointer (from, len);
      g_autofree char *piece = g_strndup (from, to - from);

      for (char *p = piece; *p; p++)
        if (g_ascii_isalpha (*p) && g_rand_boolean (rand))
          *p ^= 0x20;
      assert_search_matches (store, f->path, piece, FALSE);
    }

  /* Not UTF-8 */
  {
    guint64 count = 0;

    g_assert_false (od_store_history_count (store, "caf\xe9 au lait", &count, &error));
    g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  }
}

/* Damage past the root pages: the file opens (the cheap checks pass), the read that meets
 * the damage fails with CORRUPT naming the file, od_store_verify finds it, and the file is
 * never written. */
static void
test_corrupt_deep (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *needle = "lno1qqqsyqcyq5rqwzqfq150";
  const char *hit;
  gsize len = 0;
  gint64 page_size;
  gint64 damaged;
  sqlite3 *db;

  store = open_store (f);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, i);
      g_autoptr(OdHistoryRow) stored = od_store_add_offer (store, row, NULL, &error);

      g_assert_no_error (error);
    }
  g_assert_true (od_store_verify (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, od_store_close);

  /* The last connection closed: the WAL is folded into the file, which stays in WAL mode. */
  db = raw_open (f->path);
  page_size = raw_int (db, "PRAGMA page_size");
  sqlite3_close (db);

  /* The leaf page of the issued table holding row 150, somewhere in the middle. */
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  hit = NULL;
  for (gsize i = 0; hit == NULL && i + strlen (needle) <= len; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      hit = contents + i;
  g_assert_nonnull (hit);
  damaged = (hit - contents) / page_size;
  g_assert_cmpint (damaged, >, 1);
  g_assert_cmpint (contents[damaged * page_size], ==, 0x0d);  /* a table leaf */
  memset (contents + damaged * page_size, 0x5a, 16);
  g_assert_true (g_file_set_contents (f->path, contents, len, NULL));
  before = file_checksum (f->path);

  store = open_store (f);
  page = od_store_history_page (store, NULL, 0, 1000, &error);
  g_assert_null (page);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);

  g_assert_false (od_store_verify (store, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  g_clear_pointer (&store, od_store_close);

  after = file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
}

/* Payments */

#define NODE_A "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619"
#define NODE_B "035d2b1192dfba134e10e540875d366ebc8bc353d5aa766b80c090b39c3a5d885d"

static OdPayment *
make_payment (const char *node_id,
              guint64     pay_index,
              const char *offer_id,
              guint64     amount_msat,
              gint64      paid_at)
{
  OdPayment *payment = od_payment_new ();

  payment->node_id = g_strdup (node_id);
  payment->pay_index = pay_index;
  payment->offer_id = g_strdup (offer_id);
  payment->label = g_strdup_printf ("invoice %" G_GUINT64_FORMAT, pay_index);
  payment->payment_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, payment->label, -1);
  payment->amount_msat = amount_msat;
  payment->paid_at = paid_at;

  return payment;
}

static OdHistoryRow *
add_offer_row (OdStore *store,
               guint    n,
               guint    status,
               gboolean usd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = make_row (OD_KIND_OFFER, n);
  OdHistoryRow *stored;

  row->status = status;
  if (usd)
    {
      row->has_amount_msat = FALSE;
      row->currency = g_strdup ("USD");
      row->currency_amount = 1005;
    }
  stored = od_store_add_offer (store, row, NULL, &error);
  g_assert_no_error (error);

  return stored;
}

static guint64
last_pay_index (OdStore    *store,
                const char *node_id)
{
  g_autoptr(GError) error = NULL;
  guint64 index = G_MAXUINT64;

  g_assert_true (od_store_get_last_pay_index (store, node_id, &index, &error));
  g_assert_no_error (error);

  return index;
}

static void
assert_paid (OdStore    *store,
             const char *id,
             guint64     count,
             guint64     msat,
             gint64      last_paid_at,
             guint       status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = od_store_get (store, OD_KIND_OFFER, id, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (row->paid_count, ==, count);
  g_assert_cmpuint (row->paid_msat, ==, msat);
  g_assert_cmpint (row->last_paid_at, ==, last_paid_at);
  g_assert_cmpuint (row->status, ==, status);
  g_assert_true (row->active == ((status & OD_STATUS_ACTIVE) != 0));
  g_assert_true (row->used == ((status & OD_STATUS_USED) != 0));
}

static void
add_payment_ok (OdStore   *store,
                OdPayment *payment,
                gboolean   expect_created)
{
  g_autoptr(GError) error = NULL;
  gboolean created = !expect_created;

  g_assert_true (od_store_add_payment (store, payment, &created, &error));
  g_assert_no_error (error);
  g_assert_true (created == expect_created);
}

static void
test_payments (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) multi = add_offer_row (store, 1, OD_STATUS_ACTIVE, FALSE);
  g_autoptr(OdHistoryRow) single = add_offer_row (store, 2, OD_STATUS_ACTIVE | OD_STATUS_SINGLE,
                                                  FALSE);
  g_autoptr(OdHistoryRow) usd = add_offer_row (store, 3, OD_STATUS_ACTIVE, TRUE);
  g_autoptr(OdHistoryRow) invreq = make_row (OD_KIND_INVOICE_REQUEST, 4);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(OdPayment) p1 = make_payment (NODE_A, 5, multi->id, 1000, 100);
  g_autoptr(OdPayment) p2 = make_payment (NODE_A, 3, multi->id, 500, 90);
  g_autoptr(OdPayment) p3 = make_payment (NODE_B, 1, multi->id, 250, 95);
  g_autoptr(OdPayment) copy = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *upper_node = g_ascii_strup (NODE_A, -1);

  stored = od_store_add_invoice_request (store, invreq, &error);
  g_assert_no_error (error);
  g_assert_true (od_store_set_rate (store, "USD", 2500000, &error));
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 0);

  /* The first payment: totals, used (still active: not single-use), the node's index. */
  p1->payer_note = g_strdup ("thanks — ☕");
  p1->has_quantity = TRUE;
  p1->quantity = 3;
  p1->has_recurrence_counter = TRUE;
  p1->recurrence_counter = 4294967295u;
  p1->bolt12 = g_strdup ("lni1qqqqexample");
  add_payment_ok (store, p1, TRUE);
  assert_paid (store, multi->id, 1, 1000, 100, OD_STATUS_ACTIVE | OD_STATUS_USED);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 5);

  /* The same (node, pay_index) again, even with other values: nothing changes. */
  before = dump (f->path);
  {
    g_autoptr(OdPayment) again = make_payment (NODE_A, 5, multi->id, 99999, 500);

    add_payment_ok (store, again, FALSE);
    g_free (again->node_id);
    again->node_id = g_strdup (upper_node);
    add_payment_ok (store, again, FALSE);
  }
  after = dump (f->path);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&after, g_free);

  /* An older pay_index arriving late: counted, the node's index does not go back; the
   * latest payment time stays. */
  add_payment_ok (store, p2, TRUE);
  assert_paid (store, multi->id, 2, 1500, 100, OD_STATUS_ACTIVE | OD_STATUS_USED);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 5);

  /* pay_index counts per node. */
  add_payment_ok (store, p3, TRUE);
  assert_paid (store, multi->id, 3, 1750, 100, OD_STATUS_ACTIVE | OD_STATUS_USED);
  g_assert_cmpuint (last_pay_index (store, NODE_B), ==, 1);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 5);
  g_assert_cmpuint (last_pay_index (store, upper_node), ==, 5);

  /* Single-use: paid means used and no longer active. */
  {
    g_autoptr(OdPayment) p = make_payment (NODE_A, 6, single->id, 42, 200);

    add_payment_ok (store, p, TRUE);
    assert_paid (store, single->id, 1, 42, 200, OD_STATUS_SINGLE | OD_STATUS_USED);
    g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 6);
  }

  /* An offer in a currency: the stored rate is recorded with the payment, unless given. */
  {
    g_autoptr(OdPayment) p = make_payment (NODE_A, 7, usd->id, 25125000, 300);
    g_autoptr(OdPayment) q = make_payment (NODE_A, 8, usd->id, 25125000, 301);

    add_payment_ok (store, p, TRUE);
    q->rate_msat_per_unit = 2600000;
    add_payment_ok (store, q, TRUE);
    list = od_store_list_payments (store, usd->id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_cmpuint (((OdPayment *) g_ptr_array_index (list, 0))->rate_msat_per_unit, ==,
                      2500000);
    g_assert_cmpuint (((OdPayment *) g_ptr_array_index (list, 1))->rate_msat_per_unit, ==,
                      2600000);
    g_clear_pointer (&list, g_ptr_array_unref);
  }

  /* Not stored (unknown, or an invoice request's id): NOT_FOUND, nothing written. */
  before = dump (f->path);
  {
    g_autofree char *unknown = hex_id (777);
    g_autoptr(OdPayment) p = make_payment (NODE_A, 50, unknown, 1, 1);
    g_autoptr(OdPayment) q = make_payment (NODE_B, 50, invreq->id, 1, 1);
    gboolean created = TRUE;

    g_assert_false (od_store_add_payment (store, p, &created, &error));
    g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (od_store_add_payment (store, q, NULL, &error));
    g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  after = dump (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 8);

  /* Bad input: INVALID, nothing written. */
  for (guint i = 0; i < 11; i++)
    {
      g_autoptr(OdPayment) p = make_payment (NODE_A, 60, multi->id, 1, 1);

      switch (i)
        {
        case 0: p->pay_index = 0; break;
        case 1: p->node_id[10] = 'x'; break;
        case 2: p->node_id[64] = '\0'; break;
        case 3: g_clear_pointer (&p->offer_id, g_free); break;
        case 4: p->offer_id[3] = 'g'; break;
        case 5: p->payment_hash[63] = '\0'; break;
        case 6: g_clear_pointer (&p->label, g_free); break;
        case 7: p->payer_note = g_strdup ("caf\xe9"); break;
        case 8: p->amount_msat = BOLT12_MAX_MSAT + 1; break;
        case 9: p->bolt12 = g_strdup ("lno1qqqq"); break;
        case 10: p->paid_at = -1; break;
        default: g_assert_not_reached ();
        }
      g_assert_false (od_store_add_payment (store, p, NULL, &error));
      g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_clear_pointer (&after, g_free);
  after = dump (f->path);
  g_assert_cmpstr (before, ==, after);

  /* Upper-case hex is accepted and stored in lower case. */
  {
    g_autofree char *upper_offer = g_ascii_strup (multi->id, -1);
    g_autoptr(OdPayment) p = make_payment (upper_node, 9, upper_offer, 1, 400);

    g_free (p->payment_hash);
    p->payment_hash = g_ascii_strup (p2->payment_hash, -1);
    add_payment_ok (store, p, TRUE);
    assert_paid (store, multi->id, 4, 1751, 400, OD_STATUS_ACTIVE | OD_STATUS_USED);
  }

  /* Oldest first, every field back. */
  list = od_store_list_payments (store, multi->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (list, 0))->pay_index, ==, 3);
  g_assert_cmpstr (((OdPayment *) g_ptr_array_index (list, 1))->node_id, ==, NODE_B);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (list, 2))->pay_index, ==, 5);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (list, 3))->pay_index, ==, 9);
  g_assert_cmpstr (((OdPayment *) g_ptr_array_index (list, 3))->node_id, ==, NODE_A);
  g_assert_cmpstr (((OdPayment *) g_ptr_array_index (list, 3))->payment_hash, ==,
                   p2->payment_hash);
  copy = od_payment_copy (g_ptr_array_index (list, 2));
  g_assert_cmpstr (copy->node_id, ==, NODE_A);
  g_assert_cmpstr (copy->offer_id, ==, multi->id);
  g_assert_cmpstr (copy->label, ==, "invoice 5");
  g_assert_cmpstr (copy->payment_hash, ==, p1->payment_hash);
  g_assert_cmpuint (copy->amount_msat, ==, 1000);
  g_assert_cmpint (copy->paid_at, ==, 100);
  g_assert_cmpstr (copy->payer_note, ==, "thanks — ☕");
  g_assert_true (copy->has_quantity);
  g_assert_cmpuint (copy->quantity, ==, 3);
  g_assert_true (copy->has_recurrence_counter);
  g_assert_cmpuint (copy->recurrence_counter, ==, 4294967295u);
  g_assert_cmpstr (copy->bolt12, ==, "lni1qqqqexample");
  g_assert_cmpuint (copy->rate_msat_per_unit, ==, 0);
  g_assert_false (((OdPayment *) g_ptr_array_index (list, 0))->has_quantity);
  g_assert_null (((OdPayment *) g_ptr_array_index (list, 0))->payer_note);
  g_assert_null (((OdPayment *) g_ptr_array_index (list, 0))->bolt12);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = od_store_list_payments (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 7);
  for (guint i = 1; i < list->len; i++)
    g_assert_cmpint (((OdPayment *) g_ptr_array_index (list, i - 1))->paid_at, <=,
                     ((OdPayment *) g_ptr_array_index (list, i))->paid_at);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = od_store_list_payments (store, "nothex", &error);
  g_assert_null (list);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_last_pay_index (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  guint64 index = 0;

  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 0);
  g_assert_true (od_store_set_last_pay_index (store, NODE_A, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 10);
  /* Never backwards */
  g_assert_true (od_store_set_last_pay_index (store, NODE_A, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 10);
  g_assert_true (od_store_set_last_pay_index (store, NODE_A, 11, &error));
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 11);
  g_assert_cmpuint (last_pay_index (store, NODE_B), ==, 0);

  g_assert_false (od_store_set_last_pay_index (store, NODE_A, 0, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (od_store_set_last_pay_index (store, "02abc", 5, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (od_store_get_last_pay_index (store, NULL, &index, &error));
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (last_pay_index (store, NODE_A), ==, 11);
}

static void
test_set_status (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdStore) store = open_store (f);
  g_autoptr(OdHistoryRow) offer = add_offer_row (store, 1, OD_STATUS_ACTIVE, FALSE);
  g_autoptr(OdHistoryRow) row = NULL;
  g_autofree char *unknown = hex_id (99);
  gboolean changed = FALSE;

  row = od_store_set_status (store, OD_KIND_OFFER, offer->id,
                             OD_STATUS_SINGLE | OD_STATUS_USED, &changed, &error);
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpuint (row->status, ==, OD_STATUS_SINGLE | OD_STATUS_USED);
  g_assert_false (row->active);
  g_assert_true (row->used);
  g_assert_true (row->single_use);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_status (store, OD_KIND_OFFER, offer->id,
                             OD_STATUS_SINGLE | OD_STATUS_USED, &changed, &error);
  g_assert_no_error (error);
  g_assert_false (changed);
  g_clear_pointer (&row, od_history_row_free);
  row = od_store_get (store, OD_KIND_OFFER, offer->id, &error);
  g_assert_cmpuint (row->status, ==, OD_STATUS_SINGLE | OD_STATUS_USED);
  g_clear_pointer (&row, od_history_row_free);

  row = od_store_set_status (store, OD_KIND_OFFER, offer->id, 7, &changed, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  row = od_store_set_status (store, OD_KIND_OFFER, unknown, 1, &changed, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  row = od_store_set_status (store, OD_KIND_INVOICE_REQUEST, offer->id, 1, &changed, &error);
  g_assert_null (row);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("create-reopen", test_create_reopen);
  ADD ("pragmas", test_pragmas);
  ADD ("empty-file", test_empty_file);
  ADD ("data-dir", test_data_dir);
  ADD ("refuse/corrupt-random", test_corrupt_random);
  ADD ("refuse/corrupt-text", test_corrupt_text);
  ADD ("refuse/corrupt-page", test_corrupt_page);
  ADD ("refuse/foreign-tables", test_foreign_tables);
  ADD ("refuse/foreign-application-id", test_foreign_application_id);
  ADD ("refuse/foreign-wal", test_foreign_wal);
  ADD ("refuse/foreign-locked", test_foreign_locked);
  ADD ("refuse/newer-schema", test_newer_schema);
  ADD ("refuse/newer-schema-wal", test_newer_schema_wal);
  ADD ("refuse/foreign-version", test_foreign_version);
  ADD ("pristine-sqlite", test_pristine_sqlite);
  ADD ("refuse/not-a-file", test_not_a_file);
  ADD ("migration/steps", test_migration_steps);
  ADD ("migration/from-zero", test_migration_from_zero);
  ADD ("migration/failure", test_migration_failure);
  ADD ("offer-insert-or-get", test_offer_insert_or_get);
  ADD ("added-row-as-read", test_added_row_as_read);
  ADD ("invreq-clash", test_invreq_clash);
  ADD ("list", test_list);
  ADD ("status", test_status);
  ADD ("bad-rows", test_bad_rows);
  ADD ("rates", test_rates);
  ADD ("history", test_history);
  ADD ("history-plan", test_history_plan);
  ADD ("busy-wait", test_busy_wait);
  ADD ("second-open-keeps-locks", test_second_open_keeps_locks);
  ADD ("migration/v1-rows", test_migration_v1);
  ADD ("row-node-fields", test_row_node_fields);
  ADD ("search", test_search);
  ADD ("refuse/corrupt-deep", test_corrupt_deep);
  ADD ("payments", test_payments);
  ADD ("last-pay-index", test_last_pay_index);
  ADD ("set-status", test_set_status);

#undef ADD

  return g_test_run ();
}
