/* od-store.c: the sqlite store of issued offers and invoice requests, and exchange rates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Schema (PRAGMA application_id = OD_STORE_APPLICATION_ID, PRAGMA user_version = the number of
 * migration steps applied):
 *
 *   issued  one row per offer (kind 0) or invoice request (kind 1) we issued.  `seq` is the
 *           rowid (declared, so it survives VACUUM and can be an FTS5 content_rowid later);
 *           `status` holds Core Lightning's flags as they are.  The decoded columns are a cache
 *           of the bolt12 string for listing and search; the string stays the truth.  sqlite
 *           has no unsigned type: u64 fields are stored as their two's-complement bit pattern
 *           (values above 2^63 - 1, never seen in practice, read back exactly through this API
 *           but compare as negative in raw SQL).
 *           Indexes: UNIQUE (kind, id) for look-ups and return-existing, (kind, seq) for the
 *           list commands in insertion order and getinfo's counts, (created_at, seq) for the
 *           history newest first (OFFSET or keyset pages walk that index, no sort).
 *           Since schema 2 also node_id (the Core Lightning node that issued it) and the
 *           offer's payment totals paid_count, paid_msat, last_paid_at (kept by
 *           od_store_add_payment in the same transaction as the payment).
 *   rates   currency -> msat per unit, for `currencyconvert`.
 *   payments (schema 2) one row per paid invoice of one of our offers, UNIQUE (node_id,
 *           pay_index) so that a payment seen twice is recorded once; (offer_id, paid_at) for
 *           an offer's payments.
 *   node    (schema 2) node_id -> the last pay_index seen, where waitanyinvoice resumes.
 *   issued_search (schema 2) FTS5 trigram index over description, label and issuer, rowid =
 *           seq, external content: the view issued_search_text, which gives the ASCII-lower-cased
 *           text (lower() without ICU folds ASCII only, exactly as LIKE compares), so the
 *           case-sensitive trigram index answers LIKE's case-insensitive substring question
 *           exactly (the tokenizer's own case folding is Unicode-wide, which LIKE's is not).
 *           Triggers on issued keep it in step with every write, ours or anyone's.
 *
 * Migrations: migrations[] below, step i takes user_version i to i + 1; pending steps run in
 * one IMMEDIATE transaction together with the user_version update, so a database is always at
 * a version it fully has.  Add a step at the end to change the schema; never edit a shipped
 * step.
 */

#include "config.h"

#include "od-store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bolt12-types.h"

#define LIKE_ESCAPE "\\"

static const char * const migrations[] = {
  /* 1: initial schema */
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
  ") STRICT, WITHOUT ROWID;",

  /* 2: payments from a Core Lightning node, and the search index */
  "ALTER TABLE issued ADD COLUMN node_id TEXT"
  "  CHECK (length (node_id) = 66 AND node_id NOT GLOB '*[^0-9a-f]*');"
  "ALTER TABLE issued ADD COLUMN paid_count INTEGER NOT NULL DEFAULT 0 CHECK (paid_count >= 0);"
  "ALTER TABLE issued ADD COLUMN paid_msat INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE issued ADD COLUMN last_paid_at INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE payments ("
  "  node_id            TEXT NOT NULL"
  "                     CHECK (length (node_id) = 66 AND node_id NOT GLOB '*[^0-9a-f]*'),"
  "  pay_index          INTEGER NOT NULL CHECK (pay_index > 0),"
  "  offer_id           TEXT NOT NULL"
  "                     CHECK (length (offer_id) = 64 AND offer_id NOT GLOB '*[^0-9a-f]*'),"
  "  label              TEXT NOT NULL,"
  "  payment_hash       TEXT NOT NULL"
  "                     CHECK (length (payment_hash) = 64 AND payment_hash NOT GLOB '*[^0-9a-f]*'),"
  "  amount_msat        INTEGER NOT NULL,"
  "  paid_at            INTEGER NOT NULL,"
  "  payer_note         TEXT,"
  "  quantity           INTEGER,"
  "  recurrence_counter INTEGER CHECK (recurrence_counter BETWEEN 0 AND 4294967295),"
  "  bolt12             TEXT,"
  "  rate_msat_per_unit INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (node_id, pay_index)"
  ") STRICT;"
  "CREATE INDEX payments_offer ON payments (offer_id, paid_at);"
  "CREATE TABLE node ("
  "  node_id        TEXT PRIMARY KEY"
  "                 CHECK (length (node_id) = 66 AND node_id NOT GLOB '*[^0-9a-f]*'),"
  "  last_pay_index INTEGER NOT NULL CHECK (last_pay_index >= 0)"
  ") STRICT, WITHOUT ROWID;"
  /* The search index: trigrams of the ASCII-lower-cased text (lower() folds ASCII only, as
   * LIKE does), read through a view so that 'rebuild' and 'integrity-check' see the same text
   * the triggers index. */
  "CREATE VIEW issued_search_text AS"
  "  SELECT seq, lower (description) AS description, lower (label) AS label,"
  "         lower (issuer) AS issuer FROM issued;"
  "CREATE VIRTUAL TABLE issued_search USING fts5 ("
  "  description, label, issuer,"
  "  content = 'issued_search_text', content_rowid = 'seq',"
  "  tokenize = 'trigram case_sensitive 1', detail = 'full');"
  "CREATE TRIGGER issued_search_insert AFTER INSERT ON issued BEGIN"
  "  INSERT INTO issued_search (rowid, description, label, issuer)"
  "    VALUES (new.seq, lower (new.description), lower (new.label), lower (new.issuer));"
  "END;"
  "CREATE TRIGGER issued_search_delete AFTER DELETE ON issued BEGIN"
  "  INSERT INTO issued_search (issued_search, rowid, description, label, issuer)"
  "    VALUES ('delete', old.seq, lower (old.description), lower (old.label), lower (old.issuer));"
  "END;"
  "CREATE TRIGGER issued_search_update AFTER UPDATE OF seq, description, label, issuer ON issued"
  "  BEGIN"
  "  INSERT INTO issued_search (issued_search, rowid, description, label, issuer)"
  "    VALUES ('delete', old.seq, lower (old.description), lower (old.label), lower (old.issuer));"
  "  INSERT INTO issued_search (rowid, description, label, issuer)"
  "    VALUES (new.seq, lower (new.description), lower (new.label), lower (new.issuer));"
  "END;"
  "INSERT INTO issued_search (issued_search) VALUES ('rebuild');",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == OD_STORE_SCHEMA_VERSION);

#define ROW_COLUMNS \
  "seq, kind, id, bolt12, label, status, created_at, network, description, amount_msat, " \
  "currency, currency_amount, issuer, absolute_expiry, quantity_max, recurrence_time_unit, " \
  "recurrence_period, recurrence_basetime, recurrence_limit, refund_for, node_id, paid_count, " \
  "paid_msat, last_paid_at"

#define PAYMENT_COLUMNS \
  "node_id, pay_index, offer_id, label, payment_hash, amount_msat, paid_at, payer_note, " \
  "quantity, recurrence_counter, bolt12, rate_msat_per_unit"

typedef enum
{
  STMT_INSERT,
  STMT_GET,
  STMT_LIST,
  STMT_SET_STATUS,
  STMT_COUNT,
  STMT_RATE_SET,
  STMT_RATE_GET,
  STMT_RATE_LIST,
  STMT_RATE_DELETE,
  STMT_PAYMENT_INSERT,
  STMT_PAYMENT_PAID,
  STMT_PAYMENT_LIST,
  STMT_PAYMENT_LIST_OFFER,
  STMT_NODE_GET,
  STMT_NODE_SET,
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  N_STMTS
} StmtId;

static const char * const stmt_sql[N_STMTS] = {
  [STMT_INSERT] =
    "INSERT INTO issued (kind, id, bolt12, label, status, created_at, network, description, "
    "amount_msat, currency, currency_amount, issuer, absolute_expiry, quantity_max, "
    "recurrence_time_unit, recurrence_period, recurrence_basetime, recurrence_limit, refund_for, "
    "node_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20) "
    "ON CONFLICT (kind, id) DO NOTHING",
  [STMT_GET] =
    "SELECT " ROW_COLUMNS " FROM issued WHERE kind = ?1 AND id = ?2",
  [STMT_LIST] =
    "SELECT " ROW_COLUMNS " FROM issued WHERE kind = ?1 AND (?2 = 0 OR status & 1) ORDER BY seq",
  [STMT_SET_STATUS] =
    "UPDATE issued SET status = ?3 WHERE kind = ?1 AND id = ?2",
  [STMT_COUNT] =
    "SELECT count(*) FROM issued WHERE kind = ?1",
  [STMT_RATE_SET] =
    "INSERT INTO rates (currency, msat_per_unit, updated_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (currency) DO UPDATE SET msat_per_unit = excluded.msat_per_unit, "
    "updated_at = excluded.updated_at",
  [STMT_RATE_GET] =
    "SELECT currency, msat_per_unit, updated_at FROM rates WHERE currency = ?1",
  [STMT_RATE_LIST] =
    "SELECT currency, msat_per_unit, updated_at FROM rates ORDER BY currency",
  [STMT_RATE_DELETE] =
    "DELETE FROM rates WHERE currency = ?1",
  [STMT_PAYMENT_INSERT] =
    "INSERT INTO payments (" PAYMENT_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (node_id, pay_index) DO NOTHING",
  [STMT_PAYMENT_PAID] =
    "UPDATE issued SET paid_count = ?2, paid_msat = ?3, last_paid_at = ?4, status = ?5 "
    "WHERE kind = 0 AND id = ?1",
  [STMT_PAYMENT_LIST] =
    "SELECT " PAYMENT_COLUMNS " FROM payments ORDER BY paid_at, pay_index, node_id",
  [STMT_PAYMENT_LIST_OFFER] =
    "SELECT " PAYMENT_COLUMNS " FROM payments WHERE offer_id = ?1 "
    "ORDER BY paid_at, pay_index, node_id",
  [STMT_NODE_GET] =
    "SELECT last_pay_index FROM node WHERE node_id = ?1",
  [STMT_NODE_SET] =
    "INSERT INTO node (node_id, last_pay_index) VALUES (?1, ?2) "
    "ON CONFLICT (node_id) DO UPDATE SET "
    "last_pay_index = max (last_pay_index, excluded.last_pay_index)",
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
};

struct _OdStore
{
  GMutex        lock;
  char         *path;
  char         *file_key;   /* "dev:inode" while registered in open_files */
  sqlite3      *db;
  guint         schema_version;
  sqlite3_stmt *stmts[N_STMTS];
  GHashTable   *history_stmts;  /* SQL text -> sqlite3_stmt*: the composed history queries */
};

/* A statement in use: reset (and its bindings cleared) when it goes out of scope, so no
 * statement keeps a read transaction open. */
typedef sqlite3_stmt *OdStmtRef;

static void
od_stmt_ref_clear (OdStmtRef *stmt)
{
  if (*stmt != NULL)
    {
      sqlite3_reset (*stmt);
      sqlite3_clear_bindings (*stmt);
      *stmt = NULL;
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OdStmtRef, od_stmt_ref_clear)

G_DEFINE_QUARK (od-store-error-quark, od_store_error)

/* Records with string fields (rows, payments): a copy duplicates the strings at these offsets,
 * a free frees them. */
static gpointer
record_copy (gconstpointer  record,
             gsize          size,
             const gsize   *strings,
             gsize          n_strings)
{
  gpointer copy = g_memdup2 (record, size);

  for (gsize i = 0; i < n_strings; i++)
    {
      char **field = G_STRUCT_MEMBER_P (copy, strings[i]);

      *field = g_strdup (*field);
    }

  return copy;
}

static void
record_free (gpointer     record,
             const gsize *strings,
             gsize        n_strings)
{
  if (record == NULL)
    return;

  for (gsize i = 0; i < n_strings; i++)
    g_free (G_STRUCT_MEMBER (char *, record, strings[i]));
  g_free (record);
}

/* Rows and rates */

static const gsize row_strings[] = {
  G_STRUCT_OFFSET (OdHistoryRow, id),
  G_STRUCT_OFFSET (OdHistoryRow, bolt12),
  G_STRUCT_OFFSET (OdHistoryRow, label),
  G_STRUCT_OFFSET (OdHistoryRow, network),
  G_STRUCT_OFFSET (OdHistoryRow, description),
  G_STRUCT_OFFSET (OdHistoryRow, currency),
  G_STRUCT_OFFSET (OdHistoryRow, issuer),
  G_STRUCT_OFFSET (OdHistoryRow, refund_for),
  G_STRUCT_OFFSET (OdHistoryRow, node_id),
};

OdHistoryRow *
od_history_row_new (OdKind kind)
{
  OdHistoryRow *row = g_new0 (OdHistoryRow, 1);

  row->kind = kind;
  row->status = kind == OD_KIND_INVOICE_REQUEST ? OD_STATUS_ACTIVE | OD_STATUS_SINGLE
                                                : OD_STATUS_ACTIVE;
  row->active = TRUE;
  row->single_use = (row->status & OD_STATUS_SINGLE) != 0;
  row->created_at = g_get_real_time () / G_USEC_PER_SEC;

  return row;
}

OdHistoryRow *
od_history_row_copy (const OdHistoryRow *row)
{
  g_return_val_if_fail (row != NULL, NULL);

  return record_copy (row, sizeof *row, row_strings, G_N_ELEMENTS (row_strings));
}

void
od_history_row_free (OdHistoryRow *row)
{
  record_free (row, row_strings, G_N_ELEMENTS (row_strings));
}

void
od_rate_free (OdRate *rate)
{
  g_free (rate);
}

/* Errors */

static int
store_error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return OD_STORE_ERROR_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return OD_STORE_ERROR_BUSY;
    default:
      return OD_STORE_ERROR_IO;
    }
}

/* "<what> <path>: <sqlite's reason>", with a code from rc. */
static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *what,
                  const char  *path)
{
  const char *reason = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
    g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_CORRUPT,
                 "%s is damaged or is not a database (%s); refusing to touch it", path, reason);
  else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_BUSY,
                 "%s %s: the database stayed locked by another process for %d seconds",
                 what, path, OD_STORE_BUSY_TIMEOUT_MS / 1000);
  else
    g_set_error (error, OD_STORE_ERROR, store_error_code (rc), "%s %s: %s", what, path, reason);
}

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID, message);

  return FALSE;
}

/* Transactions */

static gint64
deadline_from_now (void)
{
  return g_get_monotonic_time () + (gint64) OD_STORE_BUSY_TIMEOUT_MS * 1000;
}

/* Runs a transaction statement (BEGIN IMMEDIATE or COMMIT), retrying on SQLITE_BUSY until the
 * busy timeout: sqlite's busy handler covers most waits, this covers the busy cases it returns
 * at once (e.g. while another connection recovers the WAL).  stmt: the store's prepared one
 * (parsing "COMMIT" again costs about as much as a small insert); NULL: sql through
 * sqlite3_exec, for the connections that are not (yet) a store. */
static int
exec_retrying (sqlite3      *db,
               sqlite3_stmt *stmt,
               const char   *sql)
{
  gint64 deadline = deadline_from_now ();
  int rc;

  for (;;)
    {
      if (stmt != NULL)
        {
          rc = sqlite3_step (stmt);
          sqlite3_reset (stmt);
          if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        }
      else
        rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () >= deadline)
        return rc;
      g_usleep (10 * 1000);
    }
}

static gboolean
begin_immediate_full (sqlite3       *db,
                      sqlite3_stmt  *stmt,
                      const char    *path,
                      GError       **error)
{
  int rc = exec_retrying (db, stmt, "BEGIN IMMEDIATE");

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "Could not start writing to", path);
      return FALSE;
    }

  return TRUE;
}

static void
rollback_full (sqlite3      *db,
               sqlite3_stmt *stmt)
{
  if (sqlite3_get_autocommit (db))
    return;
  if (stmt != NULL)
    {
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  else
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit_full (sqlite3       *db,
             sqlite3_stmt  *stmt,
             sqlite3_stmt  *rollback_stmt,
             const char    *path,
             GError       **error)
{
  int rc = exec_retrying (db, stmt, "COMMIT");

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "Could not write to", path);
      rollback_full (db, rollback_stmt);
      return FALSE;
    }

  return TRUE;
}

/* Single-value queries on a connection that is not (yet) an OdStore */

static gboolean
query_int64 (sqlite3     *db,
             const char  *path,
             const char  *sql,
             gint64      *value,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_CORRUPT;
    }
  if (rc != SQLITE_OK)
    set_sqlite_error (error, db, rc, "Could not read", path);
  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

/* Is this a database we may write to?  Ours: application_id is ours, or the file is a pristine
 * sqlite database (application_id 0, no schema, user_version 0).  Sets FOREIGN or NEWER_SCHEMA.
 * application_id 0: only the version is checked (od_store_migrate on any database). */
static gboolean
check_identity (sqlite3     *db,
                const char  *path,
                guint32      application_id,
                guint        latest_version,
                GError     **error)
{
  gint64 app_id = 0;
  gint64 n_objects = 0;
  gint64 version = 0;

  if (!query_int64 (db, path, "PRAGMA application_id", &app_id, error) ||
      !query_int64 (db, path, "SELECT count(*) FROM sqlite_master", &n_objects, error) ||
      !query_int64 (db, path, "PRAGMA user_version", &version, error))
    return FALSE;

  if (application_id != 0 &&
      (guint32) app_id != application_id &&
      (app_id != 0 || n_objects != 0 || version != 0))
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_FOREIGN,
                   "%s is not an Offerdesk database; refusing to touch it", path);
      return FALSE;
    }

  if (version < 0 || version > latest_version)
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NEWER_SCHEMA,
                   "%s was written by a newer version of Offerdesk (schema %" G_GINT64_FORMAT
                   ", this version knows %u); refusing to touch it",
                   path, version, latest_version);
      return FALSE;
    }

  return TRUE;
}

static gboolean
side_file_exists (const char *path,
                  const char *suffix)
{
  g_autofree char *side = g_strconcat (path, suffix, NULL);

  return g_file_test (side, G_FILE_TEST_EXISTS);
}

/* The checks on an existing, non-empty file, before anything may write to it.
 *
 * First the 100-byte sqlite header, read directly: no sqlite connection is ever opened on a file
 * that is not ours (even a read-only one would create -wal/-shm files next to someone's WAL
 * database, and a read-write one would roll back their hot journal).  Our application_id is
 * written to the file itself when the database is created (before it switches to WAL), so the
 * header is enough to tell.  A file with application_id 0 and user_version 0 in rollback
 * journal mode without side files may be an empty sqlite database, which we may initialise: the
 * migration transaction decides (check_identity counts its schema objects before anything is
 * written; reading and BEGIN IMMEDIATE write nothing in that mode, not even a journal).
 *
 * Then, for our files, a read-only connection reads the identity again (the header may lag the
 * WAL) and reads the first row of every table and index, which checks the root page and one
 * path down of every b-tree: a cost independent of the size.  PRAGMA quick_check reads every
 * page (about 0.3 s per million rows), too slow for every start: od_store_verify() runs it on
 * request, and damage deeper in the file is reported as SQLITE_CORRUPT by the query that meets
 * it (-> OD_STORE_ERROR_CORRUPT naming the file). */
/* The database files this process has open, by "dev:inode", with a count.  Closing any file
 * descriptor of a file drops every POSIX lock the process holds on it, so the plain open() +
 * close() that reads a header must never touch a file one of our own connections has open: it
 * would silently release that connection's locks, and another process could then checkpoint
 * and remove the WAL under it.  A file we already have open was verified when it was opened. */
static GMutex open_files_lock;
static GHashTable *open_files;

static char *
file_key_for (const GStatBuf *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                          (guint64) st->st_dev, (guint64) st->st_ino);
}

static gboolean
open_files_contains (const char *key)
{
  gboolean found;

  g_mutex_lock (&open_files_lock);
  found = open_files != NULL && g_hash_table_contains (open_files, key);
  g_mutex_unlock (&open_files_lock);

  return found;
}

static void
open_files_add (const char *key)
{
  guint count;

  g_mutex_lock (&open_files_lock);
  if (open_files == NULL)
    open_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (open_files, key));
  g_hash_table_insert (open_files, g_strdup (key), GUINT_TO_POINTER (count + 1));
  g_mutex_unlock (&open_files_lock);
}

static void
open_files_remove (const char *key)
{
  guint count;

  g_mutex_lock (&open_files_lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (open_files, key));
  if (count <= 1)
    g_hash_table_remove (open_files, key);
  else
    g_hash_table_insert (open_files, g_strdup (key), GUINT_TO_POINTER (count - 1));
  g_mutex_unlock (&open_files_lock);
}

/* Steps sql to its first row (or its end). */
static int
read_first_row (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The first entry of every b-tree (tables, FTS5 shadow tables, indexes): reads each root page
 * and the leftmost path below it, which finds a damaged or overwritten root at once. */
static gboolean
check_roots (sqlite3     *db,
             const char  *path,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT type, name, tbl_name FROM sqlite_master "
                           "WHERE rootpage > 0 AND type IN ('table', 'index')", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      const char *table = (const char *) sqlite3_column_text (stmt, 2);
      char *sql;

      if (g_strcmp0 (type, "table") == 0)
        sql = sqlite3_mprintf ("SELECT * FROM \"%w\" LIMIT 1", name);
      else
        sql = sqlite3_mprintf ("SELECT 1 FROM \"%w\" INDEXED BY \"%w\" LIMIT 1", table, name);
      rc = sql != NULL ? read_first_row (db, sql) : SQLITE_NOMEM;
      sqlite3_free (sql);
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  if (rc != SQLITE_OK)
    set_sqlite_error (error, db, rc, "Could not check", path);
  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

static gboolean
verify_existing (const char  *path,
                 GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  guint8 header[100];
  gsize got = 0;
  sqlite3 *db = NULL;
  gboolean ok = FALSE;
  guint32 app_id;
  int fd;
  int rc;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                   "Could not open %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  while (got < sizeof header)
    {
      gssize n = read (fd, header + got, sizeof header - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                       "Could not read %s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      got += (gsize) n;
    }
  close (fd);

  if (got < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_CORRUPT,
                   "%s is damaged or is not a database; refusing to touch it", path);
      return FALSE;
    }

  memcpy (&app_id, header + 68, sizeof app_id);
  app_id = GUINT32_FROM_BE (app_id);
  if (app_id != OD_STORE_APPLICATION_ID)
    {
      gboolean pristine = app_id == 0 &&
                          memcmp (header + 60, "\0\0\0\0", 4) == 0 && /* user_version */
                          header[18] == 1 && header[19] == 1 &&       /* rollback journal */
                          !side_file_exists (path, "-wal") &&
                          !side_file_exists (path, "-journal");

      if (!pristine)
        {
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_FOREIGN,
                       "%s is not an Offerdesk database; refusing to touch it", path);
          return FALSE;
        }
      return TRUE;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "Could not open", path);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, OD_STORE_BUSY_TIMEOUT_MS);

  if (!check_identity (db, path, OD_STORE_APPLICATION_ID, G_N_ELEMENTS (migrations), error))
    goto out;

  if (!check_roots (db, path, error))
    goto out;

  ok = TRUE;

out:
  sqlite3_close (db);
  return ok;
}

/* Migrations.  application_id != 0: also checks and sets the application id (inside the
 * transaction, as another process may have created or changed the file meanwhile). */
static gboolean
migrate_full (sqlite3             *db,
              const char          *path,
              const char * const  *steps,
              guint                n_steps,
              guint32              application_id,
              GError             **error)
{
  gint64 app_id = 0;
  gint64 version = 0;

  /* Up to date, the usual case: no write lock needed (a read-only file still opens). */
  if (!query_int64 (db, path, "PRAGMA application_id", &app_id, error) ||
      !query_int64 (db, path, "PRAGMA user_version", &version, error))
    return FALSE;
  if ((application_id == 0 || (guint32) app_id == application_id) && version == n_steps)
    return TRUE;

  if (!begin_immediate_full (db, NULL, path, error))
    return FALSE;

  if (!check_identity (db, path, application_id, n_steps, error) ||
      !query_int64 (db, path, "PRAGMA application_id", &app_id, error) ||
      !query_int64 (db, path, "PRAGMA user_version", &version, error))
    goto fail;

  for (guint i = (guint) version; i < n_steps; i++)
    {
      char *message = NULL;
      int rc = sqlite3_exec (db, steps[i], NULL, NULL, &message);

      if (rc != SQLITE_OK)
        {
          g_set_error (error, OD_STORE_ERROR, store_error_code (rc),
                       "Could not upgrade %s to schema %u: %s", path, i + 1,
                       message != NULL ? message : sqlite3_errstr (rc));
          sqlite3_free (message);
          goto fail;
        }
    }

  if (application_id != 0 && (guint32) app_id != application_id)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %" G_GINT32_FORMAT,
                                              (gint32) application_id);
      int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, db, rc, "Could not initialise", path);
          goto fail;
        }
    }

  if ((guint) version != n_steps)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %u", n_steps);
      int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, db, rc, "Could not upgrade", path);
          goto fail;
        }
    }

  return commit_full (db, NULL, NULL, path, error);

fail:
  rollback_full (db, NULL);
  return FALSE;
}

gboolean
od_store_migrate (sqlite3             *db,
                  const char * const  *steps,
                  guint                n_steps,
                  GError             **error)
{
  const char *path;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (steps != NULL || n_steps == 0, FALSE);

  path = sqlite3_db_filename (db, "main");
  if (path == NULL || *path == '\0')
    path = "(database)";

  return migrate_full (db, path, steps, n_steps, 0, error);
}

/* Directories */

static gboolean
network_name_valid (const char *network)
{
  if (network == NULL || *network == '\0' || strlen (network) > 64)
    return FALSE;
  for (const char *p = network; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
ensure_dir (const char  *path,
            gboolean     force_mode,
            GError     **error)
{
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  GStatBuf st;

  if (existed && !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                   "%s exists but is not a directory", path);
      return FALSE;
    }

  if (!existed && g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                   "Could not create the directory %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (existed && !force_mode)
    return TRUE;

  /* The umask may have taken bits away; an existing one of ours may have been widened. */
  if (g_stat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                   "%s exists but is not a directory", path);
      return FALSE;
    }
  if ((st.st_mode & 07777) != 0700 && g_chmod (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                   "Could not set the permissions of %s to 0700: %s",
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

char *
od_store_ensure_network_dir (const char  *data_dir,
                             const char  *network,
                             GError     **error)
{
  g_autofree char *dir = NULL;

  if (data_dir == NULL || *data_dir == '\0')
    {
      g_set_error_literal (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID,
                           "No data directory given");
      return NULL;
    }
  if (!network_name_valid (network))
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID,
                   "“%s” is not a network name", network != NULL ? network : "");
      return NULL;
    }

  /* The data dir may be a directory the person chose: its mode is theirs once it exists.
   * The network dir is ours and holds the key and the database: always 0700. */
  if (!ensure_dir (data_dir, FALSE, error))
    return NULL;
  dir = g_build_filename (data_dir, network, NULL);
  if (!ensure_dir (dir, TRUE, error))
    return NULL;

  return g_steal_pointer (&dir);
}

/* Opening */

static gboolean
exec_pragma (OdStore     *store,
             const char  *sql,
             const char  *expected,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      do
        {
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW && expected != NULL &&
              g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), expected) != 0)
            {
              g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                           "Could not set “%s” on %s (it stays “%s”)",
                           sql, store->path, sqlite3_column_text (stmt, 0));
              sqlite3_finalize (stmt);
              return FALSE;
            }
        }
      while (rc == SQLITE_ROW);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, rc, "Could not configure", store->path);
      return FALSE;
    }

  return TRUE;
}

OdStore *
od_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(OdStore) store = NULL;
  g_autofree char *file_key = NULL;
  gboolean existing = TRUE;
  GStatBuf st;
  gint64 version = 0;
  int rc;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID,
                           "No database file given");
      return NULL;
    }

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      int fd;

      if (saved_errno != ENOENT)
        {
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                       "Could not open %s: %s", path, g_strerror (saved_errno));
          return NULL;
        }

      /* Created here rather than by sqlite, to get 0600 (sqlite gives the -wal and -shm files
       * the mode of the database). */
      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        {
          saved_errno = errno;
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                       "Could not create %s: %s", path, g_strerror (saved_errno));
          return NULL;
        }
      if (fd >= 0)
        {
          close (fd);
          existing = FALSE;
        }
      else if (g_stat (path, &st) != 0)
        {
          saved_errno = errno;
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                       "Could not open %s: %s", path, g_strerror (saved_errno));
          return NULL;
        }
    }

  if (existing)
    {
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_IO,
                       "%s is not a regular file; refusing to touch it", path);
          return NULL;
        }
      file_key = file_key_for (&st);
      if (st.st_size > 0 && !open_files_contains (file_key) && !verify_existing (path, error))
        return NULL;
    }

  store = g_new0 (OdStore, 1);
  g_mutex_init (&store->lock);
  store->history_stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) sqlite3_finalize);
  store->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, rc, "Could not open", path);
      return NULL;
    }
  sqlite3_busy_timeout (store->db, OD_STORE_BUSY_TIMEOUT_MS);

  if (!exec_pragma (store, "PRAGMA foreign_keys = ON", NULL, error) ||
      !exec_pragma (store, "PRAGMA synchronous = FULL", NULL, error) ||
      !migrate_full (store->db, path, migrations, G_N_ELEMENTS (migrations),
                     OD_STORE_APPLICATION_ID, error) ||
      !exec_pragma (store, "PRAGMA journal_mode = WAL", "wal", error) ||
      !query_int64 (store->db, path, "PRAGMA user_version", &version, error))
    return NULL;

  store->schema_version = (guint) version;

  if (file_key == NULL && g_stat (path, &st) == 0)
    file_key = file_key_for (&st);
  if (file_key != NULL)
    {
      open_files_add (file_key);
      store->file_key = g_steal_pointer (&file_key);
    }

  return g_steal_pointer (&store);
}

void
od_store_close (OdStore *store)
{
  if (store == NULL)
    return;

  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (store->stmts[i]);
  g_clear_pointer (&store->history_stmts, g_hash_table_unref);
  if (store->db != NULL)
    sqlite3_close (store->db);
  if (store->file_key != NULL)
    open_files_remove (store->file_key);
  g_mutex_clear (&store->lock);
  g_free (store->file_key);
  g_free (store->path);
  g_free (store);
}

gboolean
od_store_verify (OdStore  *store,
                 GError  **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *problems = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);

  /* A connection of its own: the check takes long, the store's lock is not held meanwhile.
   * (Unlike a plain open()/close(), a second sqlite connection in this process shares sqlite's
   * per-file lock state and does not drop the store's locks.) */
  rc = sqlite3_open_v2 (store->path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, OD_STORE_BUSY_TIMEOUT_MS);
      rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
    }
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *result = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (result, "ok") == 0)
            continue;
          if (problems == NULL)
            problems = g_string_new (NULL);
          else if (problems->len < 200)
            g_string_append (problems, "; ");
          if (problems->len < 200)
            g_string_append (problems, result != NULL ? result : "integrity check failed");
        }
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }

  if (rc != SQLITE_OK)
    set_sqlite_error (error, db, rc, "Could not check", store->path);
  else if (problems != NULL)
    g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_CORRUPT,
                 "%s is damaged (%s)", store->path, problems->str);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (problems != NULL)
    g_string_free (problems, TRUE);

  return rc == SQLITE_OK && problems == NULL;
}

const char *
od_store_get_path (OdStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->path;
}

guint
od_store_get_schema_version (OdStore *store)
{
  g_return_val_if_fail (store != NULL, 0);

  return store->schema_version;
}

sqlite3 *
od_store_get_db (OdStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->db;
}

/* Statements */

static sqlite3_stmt *
get_stmt (OdStore  *store,
          StmtId    id,
          GError  **error)
{
  if (store->stmts[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (store->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &store->stmts[id], NULL);

      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, store->db, rc, "Could not read", store->path);
          sqlite3_finalize (store->stmts[id]);
          store->stmts[id] = NULL;
          return NULL;
        }
    }

  return store->stmts[id];
}

/* The store's transactions, through its prepared statements (should one fail to prepare, the
 * plain text does the same through sqlite3_exec). */
static gboolean
begin_immediate (OdStore  *store,
                 GError  **error)
{
  return begin_immediate_full (store->db, get_stmt (store, STMT_BEGIN, NULL), store->path,
                               error);
}

static void
rollback (OdStore *store)
{
  rollback_full (store->db, get_stmt (store, STMT_ROLLBACK, NULL));
}

static gboolean
commit (OdStore  *store,
        GError  **error)
{
  return commit_full (store->db, get_stmt (store, STMT_COMMIT, NULL),
                      get_stmt (store, STMT_ROLLBACK, NULL), store->path, error);
}

/* The body of a write transaction, the store's lock held. */
typedef gboolean (*WriteFunc) (OdStore   *store,
                               gpointer   data,
                               GError   **error);

/* Runs write in an IMMEDIATE transaction: committed when it succeeds, rolled back (nothing of
 * it stays) when it or the commit fails. */
static gboolean
write_transaction (OdStore    *store,
                   WriteFunc   write,
                   gpointer    data,
                   GError    **error)
{
  if (!begin_immediate (store, error))
    return FALSE;
  if (!write (store, data, error))
    {
      rollback (store);
      return FALSE;
    }

  return commit (store, error);
}

/* Steps a statement that writes (returns no rows) to its end. */
static gboolean
step_write (OdStore       *store,
            sqlite3_stmt  *stmt,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, rc, "Could not write to", store->path);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  sqlite3_stmt *stmt;
  gint64        changes;
} WriteAlone;

static gboolean
write_alone_body (OdStore   *store,
                  gpointer   data,
                  GError   **error)
{
  WriteAlone *alone = data;
  gboolean ok = step_write (store, alone->stmt, error);

  alone->changes = sqlite3_changes64 (store->db);
  sqlite3_reset (alone->stmt);
  return ok;
}

/* One write statement, bound by the caller, as a transaction of its own: *changes is the
 * number of rows it changed. */
static gboolean
write_alone (OdStore       *store,
             sqlite3_stmt  *stmt,
             gint64        *changes,
             GError       **error)
{
  WriteAlone alone = { stmt, 0 };

  if (!write_transaction (store, write_alone_body, &alone, error))
    return FALSE;
  if (changes != NULL)
    *changes = alone.changes;

  return TRUE;
}

/* Steps a statement that reads at most one row: *found tells whether it gave one. */
static gboolean
step_read (OdStore       *store,
           sqlite3_stmt  *stmt,
           gboolean      *found,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  *found = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, rc, "Could not read", store->path);
      return FALSE;
    }

  return TRUE;
}

/* The single integer a count(*) or similar statement gives (no row at all: damage). */
static gboolean
step_count (OdStore       *store,
            sqlite3_stmt  *stmt,
            guint64       *count,
            GError       **error)
{
  gboolean found;

  if (!step_read (store, stmt, &found, error))
    return FALSE;
  if (!found)
    {
      set_sqlite_error (error, store->db, SQLITE_CORRUPT, "Could not read", store->path);
      return FALSE;
    }
  *count = (guint64) sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* u64 as its two's-complement bit pattern (see the schema note at the top). */
static void
bind_u64 (sqlite3_stmt *stmt,
          int           index,
          gboolean      present,
          guint64       value)
{
  if (present)
    sqlite3_bind_int64 (stmt, index, (sqlite3_int64) value);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
column_u64 (sqlite3_stmt *stmt,
            int           column,
            guint64      *value)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    {
      *value = 0;
      return FALSE;
    }
  *value = (guint64) sqlite3_column_int64 (stmt, column);
  return TRUE;
}

static void
row_derive_flags (OdHistoryRow *row)
{
  row->active = (row->status & OD_STATUS_ACTIVE) != 0;
  row->single_use = (row->status & OD_STATUS_SINGLE) != 0;
  row->used = (row->status & OD_STATUS_USED) != 0;
}

/* A row from a statement selecting ROW_COLUMNS. */
static OdHistoryRow *
row_from_stmt (sqlite3_stmt *stmt)
{
  OdHistoryRow *row = g_new0 (OdHistoryRow, 1);
  guint64 value;

  row->seq = sqlite3_column_int64 (stmt, 0);
  row->kind = sqlite3_column_int (stmt, 1) == OD_KIND_INVOICE_REQUEST ? OD_KIND_INVOICE_REQUEST
                                                                       : OD_KIND_OFFER;
  row->id = column_text (stmt, 2);
  row->bolt12 = column_text (stmt, 3);
  row->label = column_text (stmt, 4);
  row->status = (guint) sqlite3_column_int (stmt, 5);
  row->created_at = sqlite3_column_int64 (stmt, 6);
  row->network = column_text (stmt, 7);
  row->description = column_text (stmt, 8);
  row->has_amount_msat = column_u64 (stmt, 9, &row->amount_msat);
  row->currency = column_text (stmt, 10);
  column_u64 (stmt, 11, &row->currency_amount);
  row->issuer = column_text (stmt, 12);
  row->has_absolute_expiry = column_u64 (stmt, 13, &row->absolute_expiry);
  row->has_quantity_max = column_u64 (stmt, 14, &row->quantity_max);
  row->has_recurrence = column_u64 (stmt, 15, &value);
  row->recurrence_time_unit = (guint8) value;
  column_u64 (stmt, 16, &value);
  row->recurrence_period = (guint32) value;
  row->has_recurrence_basetime = column_u64 (stmt, 17, &row->recurrence_basetime);
  row->has_recurrence_limit = column_u64 (stmt, 18, &value);
  row->recurrence_limit = (guint32) value;
  row->refund_for = column_text (stmt, 19);
  row->node_id = column_text (stmt, 20);
  row->paid_count = (guint64) sqlite3_column_int64 (stmt, 21);
  row->paid_msat = (guint64) sqlite3_column_int64 (stmt, 22);
  row->last_paid_at = sqlite3_column_int64 (stmt, 23);
  row_derive_flags (row);

  return row;
}

/* Makes an item (row, rate, payment) of a statement's current row. */
typedef gpointer (*FromStmt) (sqlite3_stmt *stmt);

/* Steps a statement to the end, adding an item of every row to items. */
static gboolean
collect (OdStore       *store,
         sqlite3_stmt  *stmt,
         FromStmt       from_stmt,
         GPtrArray     *items,
         GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, from_stmt (stmt));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, rc, "Could not read", store->path);
      return FALSE;
    }

  return TRUE;
}

/* Steps a statement selecting ROW_COLUMNS to the end, adding every row to rows. */
static gboolean
collect_rows (OdStore       *store,
              sqlite3_stmt  *stmt,
              GPtrArray     *rows,
              GError       **error)
{
  return collect (store, stmt, (FromStmt) row_from_stmt, rows, error);
}

static GPtrArray *
new_row_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) od_history_row_free);
}

/* Validation: everything is checked before a transaction starts. */

static const char *
kind_name (OdKind kind)
{
  return kind == OD_KIND_INVOICE_REQUEST ? "invoice request" : "offer";
}

static gboolean
kind_valid (OdKind kind)
{
  return kind == OD_KIND_OFFER || kind == OD_KIND_INVOICE_REQUEST;
}

static gboolean
is_hex (const char *s,
        gsize       length,
        gboolean    lower_only)
{
  if (s == NULL || strlen (s) != length)
    return FALSE;
  for (const char *p = s; *p; p++)
    {
      if (!g_ascii_isxdigit (*p) || (lower_only && g_ascii_isupper (*p)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_hex64 (const char *s,
          gboolean    lower_only)
{
  return is_hex (s, 64, lower_only);
}

static gboolean
status_valid (guint status)
{
  return status <= (OD_STATUS_ACTIVE | OD_STATUS_SINGLE | OD_STATUS_USED) &&
         status != (OD_STATUS_ACTIVE | OD_STATUS_SINGLE | OD_STATUS_USED);
}

static gboolean
optional_utf8 (const char  *value,
               const char  *field,
               GError     **error)
{
  if (value != NULL && !g_utf8_validate (value, -1, NULL))
    return set_invalid (error, "Cannot store this: %s is not valid UTF-8", field);
  return TRUE;
}

static gboolean
currency_valid (const char *currency)
{
  return currency != NULL && strlen (currency) == 3 &&
         g_ascii_isupper (currency[0]) && g_ascii_isupper (currency[1]) &&
         g_ascii_isupper (currency[2]);
}

static gboolean
validate_row (const OdHistoryRow  *row,
              OdKind               kind,
              GError             **error)
{
  const char *prefix = kind == OD_KIND_OFFER ? "lno1" : "lnr1";
  const char *what = kind_name (kind);

  if (row->kind != kind)
    return set_invalid (error, "Cannot store this row as an %s: it is an %s",
                        what, kind_name (row->kind));
  if (!is_hex64 (row->id, TRUE))
    return set_invalid (error, "Cannot store the %s: its id must be 64 lower-case hex characters",
                        what);
  if (row->bolt12 == NULL || g_ascii_strncasecmp (row->bolt12, prefix, 4) != 0 ||
      !g_utf8_validate (row->bolt12, -1, NULL))
    return set_invalid (error, "Cannot store the %s: its bolt12 string must start with %s",
                        what, prefix);
  if (!status_valid (row->status))
    return set_invalid (error, "Cannot store the %s: %u is not a valid status", what,
                        row->status);
  if (row->created_at < 0)
    return set_invalid (error, "Cannot store the %s: created_at is negative", what);
  if (row->network == NULL || *row->network == '\0')
    return set_invalid (error, "Cannot store the %s: it has no network", what);
  if (!optional_utf8 (row->network, "the network", error) ||
      !optional_utf8 (row->label, "the label", error) ||
      !optional_utf8 (row->description, "the description", error) ||
      !optional_utf8 (row->issuer, "the issuer", error))
    return FALSE;
  if (row->has_amount_msat && row->amount_msat > BOLT12_MAX_MSAT)
    return set_invalid (error, "Cannot store the %s: amount_msat is more than 21 million bitcoin",
                        what);
  if (row->currency != NULL && !currency_valid (row->currency))
    return set_invalid (error, "Cannot store the %s: the currency must be three upper-case "
                        "letters", what);
  if (row->has_recurrence_basetime && !row->has_recurrence)
    return set_invalid (error, "Cannot store the %s: recurrence_basetime needs a recurrence",
                        what);
  if (row->has_recurrence_limit && !row->has_recurrence)
    return set_invalid (error, "Cannot store the %s: recurrence_limit needs a recurrence", what);
  if (row->refund_for != NULL && kind != OD_KIND_INVOICE_REQUEST)
    return set_invalid (error, "Cannot store the offer: only invoice requests refund");
  if (row->refund_for != NULL && !is_hex64 (row->refund_for, TRUE))
    return set_invalid (error, "Cannot store the %s: refund_for must be 64 lower-case hex "
                        "characters", what);
  if (row->node_id != NULL && !is_hex (row->node_id, 66, TRUE))
    return set_invalid (error, "Cannot store the %s: node_id must be 66 lower-case hex "
                        "characters", what);

  return TRUE;
}

/* A look-up key: length hex characters of either case, returned in lower case; otherwise the
 * error says problem. */
static char *
normalize_hex (const char  *value,
               gsize        length,
               const char  *problem,
               GError     **error)
{
  if (!is_hex (value, length, FALSE))
    {
      set_invalid (error, "%s", problem);
      return NULL;
    }

  return g_ascii_strdown (value, -1);
}

/* A look-up id: 64 hex characters of either case, returned in lower case. */
static char *
normalize_id (OdKind       kind,
              const char  *id,
              GError     **error)
{
  if (!kind_valid (kind))
    {
      set_invalid (error, "Unknown kind %d", (int) kind);
      return NULL;
    }

  return normalize_hex (id, 64, kind == OD_KIND_OFFER ? "offer_id is not a 32 byte hex value"
                                                      : "invreq_id is not a 32 byte hex value",
                        error);
}

/* Look-up and write steps, the lock held */

static OdHistoryRow *
get_locked (OdStore     *store,
            OdKind       kind,
            const char  *id,
            GError     **error)
{
  g_auto(OdStmtRef) stmt = NULL;
  gboolean found;

  if ((stmt = get_stmt (store, STMT_GET, error)) == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);

  if (!step_read (store, stmt, &found, error))
    return NULL;
  if (found)
    return row_from_stmt (stmt);
  g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND,
               "Unknown %s %s", kind == OD_KIND_OFFER ? "offer" : "invoice_request", id);

  return NULL;
}

/* Inserts unless (kind, id) exists: *inserted tells which. */
static gboolean
insert_locked (OdStore             *store,
               const OdHistoryRow  *row,
               gboolean            *inserted,
               GError             **error)
{
  g_auto(OdStmtRef) stmt = NULL;

  if ((stmt = get_stmt (store, STMT_INSERT, error)) == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, row->kind);
  bind_text (stmt, 2, row->id);
  bind_text (stmt, 3, row->bolt12);
  bind_text (stmt, 4, row->label);
  sqlite3_bind_int (stmt, 5, (int) row->status);
  sqlite3_bind_int64 (stmt, 6, row->created_at);
  bind_text (stmt, 7, row->network);
  bind_text (stmt, 8, row->description);
  bind_u64 (stmt, 9, row->has_amount_msat, row->amount_msat);
  bind_text (stmt, 10, row->currency);
  bind_u64 (stmt, 11, row->currency != NULL, row->currency_amount);
  bind_text (stmt, 12, row->issuer);
  bind_u64 (stmt, 13, row->has_absolute_expiry, row->absolute_expiry);
  bind_u64 (stmt, 14, row->has_quantity_max, row->quantity_max);
  bind_u64 (stmt, 15, row->has_recurrence, row->recurrence_time_unit);
  bind_u64 (stmt, 16, row->has_recurrence, row->recurrence_period);
  bind_u64 (stmt, 17, row->has_recurrence && row->has_recurrence_basetime,
            row->recurrence_basetime);
  bind_u64 (stmt, 18, row->has_recurrence && row->has_recurrence_limit, row->recurrence_limit);
  bind_text (stmt, 19, row->refund_for);
  bind_text (stmt, 20, row->node_id);

  if (!step_write (store, stmt, error))
    return FALSE;
  *inserted = sqlite3_changes (store->db) == 1;

  return TRUE;
}

static gboolean
set_status_locked (OdStore     *store,
                   OdKind       kind,
                   const char  *id,
                   guint        status,
                   GError     **error)
{
  g_auto(OdStmtRef) stmt = NULL;

  if ((stmt = get_stmt (store, STMT_SET_STATUS, error)) == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, (int) status);

  return step_write (store, stmt, error);
}

/* The row a read-back of a row insert_locked just wrote would return (as row_from_stmt gives
 * it), without reading it: the fields insert_locked stores NULL read back as absent or 0, the
 * payment totals start at their defaults. */
static OdHistoryRow *
row_as_inserted (const OdHistoryRow *row,
                 gint64              seq)
{
  OdHistoryRow *stored = od_history_row_copy (row);

  stored->seq = seq;
  if (!stored->has_amount_msat)
    stored->amount_msat = 0;
  if (stored->currency == NULL)
    stored->currency_amount = 0;
  if (!stored->has_absolute_expiry)
    stored->absolute_expiry = 0;
  if (!stored->has_quantity_max)
    stored->quantity_max = 0;
  if (!stored->has_recurrence)
    {
      stored->recurrence_time_unit = 0;
      stored->recurrence_period = 0;
      stored->has_recurrence_basetime = FALSE;
      stored->has_recurrence_limit = FALSE;
    }
  if (!stored->has_recurrence_basetime)
    stored->recurrence_basetime = 0;
  if (!stored->has_recurrence_limit)
    stored->recurrence_limit = 0;
  stored->paid_count = 0;
  stored->paid_msat = 0;
  stored->last_paid_at = 0;
  row_derive_flags (stored);

  return stored;
}

/* Issued rows */

typedef struct
{
  const OdHistoryRow *row;
  gboolean            inserted;
  OdHistoryRow       *stored;
} AddRow;

static gboolean
add_row_body (OdStore   *store,
              gpointer   data,
              GError   **error)
{
  AddRow *add = data;
  const OdHistoryRow *row = add->row;

  if (!insert_locked (store, row, &add->inserted, error))
    return FALSE;
  if (!add->inserted && row->kind == OD_KIND_INVOICE_REQUEST)
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_EXISTS,
                   "An invoice request with id %s is already stored", row->id);
      return FALSE;
    }
  /* A new row is known without reading it back; an existing one is returned as stored. */
  if (add->inserted)
    add->stored = row_as_inserted (row, sqlite3_last_insert_rowid (store->db));
  else
    add->stored = get_locked (store, row->kind, row->id, error);

  return add->stored != NULL;
}

static OdHistoryRow *
add_row (OdStore             *store,
         const OdHistoryRow  *row,
         OdKind               kind,
         gboolean            *created,
         GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  AddRow add = { row, FALSE, NULL };

  if (!validate_row (row, kind, error))
    return NULL;

  locker = g_mutex_locker_new (&store->lock);
  if (!write_transaction (store, add_row_body, &add, error))
    {
      g_clear_pointer (&add.stored, od_history_row_free);
      return NULL;
    }

  if (created != NULL)
    *created = add.inserted;
  return add.stored;
}

OdHistoryRow *
od_store_add_offer (OdStore             *store,
                    const OdHistoryRow  *row,
                    gboolean            *created,
                    GError             **error)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (row != NULL, NULL);

  return add_row (store, row, OD_KIND_OFFER, created, error);
}

OdHistoryRow *
od_store_add_invoice_request (OdStore             *store,
                              const OdHistoryRow  *row,
                              GError             **error)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (row != NULL, NULL);

  return add_row (store, row, OD_KIND_INVOICE_REQUEST, NULL, error);
}

OdHistoryRow *
od_store_get (OdStore     *store,
              OdKind       kind,
              const char  *id,
              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if ((key = normalize_id (kind, id, error)) == NULL)
    return NULL;

  locker = g_mutex_locker_new (&store->lock);
  return get_locked (store, kind, key, error);
}

GPtrArray *
od_store_list (OdStore     *store,
               OdKind       kind,
               const char  *id,
               gboolean     active_only,
               GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) rows = new_row_array ();
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (id != NULL)
    {
      g_autoptr(OdHistoryRow) row = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *key = normalize_id (kind, id, error);

      if (key == NULL)
        return NULL;

      locker = g_mutex_locker_new (&store->lock);
      row = get_locked (store, kind, key, &local_error);
      if (row == NULL && !g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (row != NULL && (!active_only || row->active))
        g_ptr_array_add (rows, g_steal_pointer (&row));
      return g_steal_pointer (&rows);
    }

  if (!kind_valid (kind))
    {
      set_invalid (error, "Unknown kind %d", (int) kind);
      return NULL;
    }

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_LIST, error)) == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_int (stmt, 2, active_only ? 1 : 0);
  if (!collect_rows (store, stmt, rows, error))
    return NULL;

  return g_steal_pointer (&rows);
}

/* Reads the row, computes its new status, writes it if it changed: one transaction. */
typedef guint (*StatusChange) (guint status, gpointer data);

typedef struct
{
  OdKind         kind;
  const char    *id;
  StatusChange   change;
  gpointer       data;
  OdHistoryRow  *row;
} ChangeStatus;

static gboolean
change_status_body (OdStore   *store,
                    gpointer   data,
                    GError   **error)
{
  ChangeStatus *cs = data;
  guint status;

  if ((cs->row = get_locked (store, cs->kind, cs->id, error)) == NULL)
    return FALSE;

  status = cs->change (cs->row->status, cs->data);
  if (status != cs->row->status)
    {
      if (!set_status_locked (store, cs->kind, cs->id, status, error))
        return FALSE;
      cs->row->status = status;
      row_derive_flags (cs->row);
    }

  return TRUE;
}

static OdHistoryRow *
change_status (OdStore       *store,
               OdKind         kind,
               const char    *id,
               StatusChange   change,
               gpointer       data,
               GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  ChangeStatus cs = { kind, NULL, change, data, NULL };

  if ((key = normalize_id (kind, id, error)) == NULL)
    return NULL;
  cs.id = key;

  locker = g_mutex_locker_new (&store->lock);
  if (!write_transaction (store, change_status_body, &cs, error))
    {
      g_clear_pointer (&cs.row, od_history_row_free);
      return NULL;
    }

  return cs.row;
}

typedef struct
{
  gboolean active;
  gboolean changed;
} SetActive;

static guint
set_active_change (guint    status,
                   gpointer data)
{
  SetActive *set = data;
  guint result = status;

  if (set->active)
    {
      /* Core Lightning refuses to re-activate a used single-use one (1007). */
      if (!((status & OD_STATUS_SINGLE) && (status & OD_STATUS_USED)))
        result = status | OD_STATUS_ACTIVE;
    }
  else
    result = status & ~OD_STATUS_ACTIVE;

  set->changed = result != status;
  return result;
}

OdHistoryRow *
od_store_set_active (OdStore     *store,
                     OdKind       kind,
                     const char  *id,
                     gboolean     active,
                     gboolean    *changed,
                     GError     **error)
{
  SetActive set = { active != FALSE, FALSE };
  OdHistoryRow *row;

  g_return_val_if_fail (store != NULL, NULL);

  row = change_status (store, kind, id, set_active_change, &set, error);
  if (row != NULL && changed != NULL)
    *changed = set.changed;

  return row;
}

static guint
mark_used_change (guint    status,
                  gpointer data)
{
  status |= OD_STATUS_USED;
  if (status & OD_STATUS_SINGLE)
    status &= ~OD_STATUS_ACTIVE;
  return status;
}

OdHistoryRow *
od_store_mark_used (OdStore     *store,
                    OdKind       kind,
                    const char  *id,
                    GError     **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  return change_status (store, kind, id, mark_used_change, NULL, error);
}

gboolean
od_store_count (OdStore  *store,
                OdKind    kind,
                guint64  *count,
                GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  if (!kind_valid (kind))
    return set_invalid (error, "Unknown kind %d", (int) kind);

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_COUNT, error)) == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, kind);

  return step_count (store, stmt, count, error);
}

/* Rates */

static gboolean
check_currency (const char  *currency,
                GError     **error)
{
  if (!currency_valid (currency))
    return set_invalid (error, "“%s” is not a currency code: it must be three upper-case letters, "
                        "like USD", currency != NULL && g_utf8_validate (currency, -1, NULL)
                                    ? currency : "");
  return TRUE;
}

static OdRate *
rate_from_stmt (sqlite3_stmt *stmt)
{
  OdRate *rate = g_new0 (OdRate, 1);

  g_strlcpy (rate->currency, (const char *) sqlite3_column_text (stmt, 0),
             sizeof rate->currency);
  rate->msat_per_unit = (guint64) sqlite3_column_int64 (stmt, 1);
  rate->updated_at = sqlite3_column_int64 (stmt, 2);

  return rate;
}

/* The stored rate of currency: *rate is NULL when there is none. */
static gboolean
rate_locked (OdStore     *store,
             const char  *currency,
             OdRate     **rate,
             GError     **error)
{
  g_auto(OdStmtRef) stmt = NULL;
  gboolean found;

  *rate = NULL;
  if ((stmt = get_stmt (store, STMT_RATE_GET, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, currency, -1, SQLITE_TRANSIENT);
  if (!step_read (store, stmt, &found, error))
    return FALSE;
  if (found)
    *rate = rate_from_stmt (stmt);

  return TRUE;
}

gboolean
od_store_set_rate (OdStore     *store,
                   const char  *currency,
                   guint64      msat_per_unit,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_currency (currency, error))
    return FALSE;
  if (msat_per_unit == 0 || msat_per_unit > BOLT12_MAX_MSAT)
    return set_invalid (error, "%" G_GUINT64_FORMAT " msat per %s is not a rate: it must be "
                        "between 1 and %" G_GUINT64_FORMAT, msat_per_unit, currency,
                        BOLT12_MAX_MSAT);

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_RATE_SET, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) msat_per_unit);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);

  return write_alone (store, stmt, NULL, error);
}

OdRate *
od_store_get_rate (OdStore     *store,
                   const char  *currency,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(OdRate) rate = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (!check_currency (currency, error))
    return NULL;

  locker = g_mutex_locker_new (&store->lock);
  if (!rate_locked (store, currency, &rate, error))
    return NULL;
  if (rate == NULL)
    g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND,
                 "No exchange rate for %s", currency);

  return g_steal_pointer (&rate);
}

GPtrArray *
od_store_list_rates (OdStore  *store,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) rates = g_ptr_array_new_with_free_func ((GDestroyNotify) od_rate_free);
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_RATE_LIST, error)) == NULL ||
      !collect (store, stmt, (FromStmt) rate_from_stmt, rates, error))
    return NULL;

  return g_steal_pointer (&rates);
}

gboolean
od_store_delete_rate (OdStore     *store,
                      const char  *currency,
                      GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(OdStmtRef) stmt = NULL;
  gint64 changes = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_currency (currency, error))
    return FALSE;

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_RATE_DELETE, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, currency, -1, SQLITE_TRANSIENT);
  if (!write_alone (store, stmt, &changes, error))
    return FALSE;
  /* Nothing was deleted, so nothing was written either. */
  if (changes == 0)
    {
      g_set_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND,
                   "No exchange rate for %s", currency);
      return FALSE;
    }

  return TRUE;
}

/* History and search
 *
 * A search matches a row when the query is an ASCII-case-insensitive substring of its
 * description, label or issuer (what LIKE '%query%' does), or when the query is 1 to 64 hex
 * characters and the row's id starts with it in lower case.  Three ways to find those rows,
 * all giving exactly that set:
 *
 *   SCAN    queries of 1 or 2 characters: a trigram index cannot find them, so the rows are
 *           tested one by one with LIKE (and an id range), walking the history index in order:
 *           a page costs what it takes to meet its rows; a count reads the whole table.
 *   sparse  3 characters or more, at most SPARSE_MAX matches: the FTS5 trigram index
 *           (issued_search, over the ASCII-lower-cased text, so a phrase query of the lower-cased
 *           query is the same substring test) and the id range on UNIQUE (kind, id) give the
 *           rows, which are then sorted: cost bounded by SPARSE_MAX.
 *   dense   3 characters or more, more matches: walk the history index in order testing LIKE as
 *           in SCAN; with more than SPARSE_MAX matches a page meets its rows after at most
 *           about PAGE * total / SPARSE_MAX rows (unless the matches are bunched at one end).
 *   The count of an FTS query is the index's count plus the id-range rows the text does not
 *   match, without reading the rows.
 *
 * Parameters of every composed statement: ?1 the LIKE pattern, ?2 and ?3 the id range
 * [prefix, prefix || 'g') (NULL when the query is no id prefix: the range is then empty), ?4
 * the FTS5 phrase, ?5 and ?6 the keyset (created_at, seq), ?7 the limit, ?8 the offset, ?9 the
 * probe limit.  Unused ones are bound anyway (sqlite ignores them).
 */

#define SPARSE_MAX 5000

#define LIKE_TEXT(col) col " LIKE ?1 ESCAPE '" LIKE_ESCAPE "'"
#define TEXT_MATCH \
  "(" LIKE_TEXT ("description") " OR " LIKE_TEXT ("label") " OR " LIKE_TEXT ("issuer") ")"
#define TEXT_MATCH_NOT_NULL \
  "(ifnull (" LIKE_TEXT ("description") ", 0) OR ifnull (" LIKE_TEXT ("label") ", 0)" \
  " OR ifnull (" LIKE_TEXT ("issuer") ", 0))"
#define ID_RANGE "(id >= ?2 AND id < ?3)"
#define ROW_MATCH "(" TEXT_MATCH " OR " ID_RANGE ")"
#define FTS_ROWIDS "SELECT rowid FROM issued_search WHERE issued_search MATCH ?4"
#define ID_ROWS "SELECT seq FROM issued WHERE kind IN (0, 1) AND id >= ?2 AND id < ?3"
#define SET_MATCH "seq IN (" FTS_ROWIDS " UNION ALL " ID_ROWS ")"

typedef enum
{
  SEARCH_ALL,
  SEARCH_SCAN,
  SEARCH_FTS,
} SearchMode;

typedef struct
{
  SearchMode  mode;
  char       *like;   /* %query% with \, % and _ escaped */
  char       *id_lo;  /* the lower-cased query when it is 1..64 hex characters, else NULL */
  char       *id_hi;
  char       *fts;    /* "lower-cased query" as one FTS5 phrase, " doubled */
} Search;

static void
search_clear (Search *search)
{
  g_clear_pointer (&search->like, g_free);
  g_clear_pointer (&search->id_lo, g_free);
  g_clear_pointer (&search->id_hi, g_free);
  g_clear_pointer (&search->fts, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Search, search_clear)

static gboolean
search_init (Search      *search,
             const char  *filter,
             GError     **error)
{
  g_autofree char *lower = NULL;
  GString *like;
  GString *fts;
  gsize len;
  gboolean hex = TRUE;

  memset (search, 0, sizeof *search);
  if (filter == NULL || *filter == '\0')
    return TRUE;
  if (!g_utf8_validate (filter, -1, NULL))
    return set_invalid (error, "The search text is not valid UTF-8");

  lower = g_ascii_strdown (filter, -1);
  len = strlen (lower);

  like = g_string_new ("%");
  fts = g_string_new ("\"");
  for (const char *p = lower; *p; p++)
    {
      if (*p == '\\' || *p == '%' || *p == '_')
        g_string_append_c (like, '\\');
      g_string_append_c (like, *p);
      /* Inside an FTS5 string only " is special (doubled); the trigram tokenizer sees the rest
       * as it is, so *, OR, ( and ) are searched for literally. */
      if (*p == '"')
        g_string_append_c (fts, '"');
      g_string_append_c (fts, *p);
      hex = hex && g_ascii_isxdigit (*p);
    }
  g_string_append_c (like, '%');
  g_string_append_c (fts, '"');
  search->like = g_string_free (like, FALSE);
  search->fts = g_string_free (fts, FALSE);

  /* Ids are lower-case hex: those starting with the prefix are exactly [prefix, prefix "g"). */
  if (hex && len <= 64)
    {
      search->id_lo = g_strdup (lower);
      search->id_hi = g_strconcat (lower, "g", NULL);
    }

  /* Trigrams need three characters (not bytes) of query. */
  search->mode = g_utf8_strlen (lower, -1) >= 3 ? SEARCH_FTS : SEARCH_SCAN;

  return TRUE;
}

static void
search_bind (const Search *search,
             sqlite3_stmt *stmt)
{
  if (search->mode == SEARCH_ALL)
    return;
  bind_text (stmt, 1, search->like);
  bind_text (stmt, 2, search->id_lo);
  bind_text (stmt, 3, search->id_hi);
  if (search->mode == SEARCH_FTS)
    bind_text (stmt, 4, search->fts);
}

/* A composed statement, prepared once per connection and kept. */
static sqlite3_stmt *
get_history_stmt (OdStore     *store,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (store->history_stmts, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, rc, "Could not read", store->path);
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (store->history_stmts, g_strdup (sql), stmt);

  return stmt;
}

static gboolean
search_count (OdStore       *store,
              const char    *sql,
              const Search  *search,
              gint64         probe_limit,
              guint64       *count,
              GError       **error)
{
  g_auto(OdStmtRef) stmt = NULL;

  if ((stmt = get_history_stmt (store, sql, error)) == NULL)
    return FALSE;
  search_bind (search, stmt);
  if (probe_limit > 0)
    sqlite3_bind_int64 (stmt, 9, probe_limit);

  return step_count (store, stmt, count, error);
}

static gboolean
history_count_locked (OdStore       *store,
                      const Search  *search,
                      guint64       *count,
                      GError       **error)
{
  switch (search->mode)
    {
    case SEARCH_ALL:
      return search_count (store, "SELECT count(*) FROM issued", search, 0, count, error);
    case SEARCH_SCAN:
      return search_count (store, "SELECT count(*) FROM issued WHERE " ROW_MATCH,
                           search, 0, count, error);
    case SEARCH_FTS:
    default:
      /* The id-range rows already counted by the index are those whose text matches. */
      return search_count (store,
                           "SELECT (SELECT count(*) FROM issued_search"
                           " WHERE issued_search MATCH ?4)"
                           " + (SELECT count(*) FROM issued WHERE kind IN (0, 1) AND id >= ?2"
                           " AND id < ?3 AND NOT " TEXT_MATCH_NOT_NULL ")",
                           search, 0, count, error);
    }
}

/* At most SPARSE_MAX matches?  Reads no more than SPARSE_MAX + 1 entries of each index. */
static gboolean
search_is_sparse (OdStore       *store,
                  const Search  *search,
                  gboolean      *sparse,
                  GError       **error)
{
  guint64 count = 0;

  if (!search_count (store,
                     "SELECT (SELECT count(*) FROM (SELECT 1 FROM issued_search"
                     " WHERE issued_search MATCH ?4 LIMIT ?9))"
                     " + (SELECT count(*) FROM (SELECT 1 FROM issued WHERE kind IN (0, 1)"
                     " AND id >= ?2 AND id < ?3 LIMIT ?9))",
                     search, SPARSE_MAX + 1, &count, error))
    return FALSE;
  *sparse = count <= SPARSE_MAX;

  return TRUE;
}

typedef enum
{
  FROM_NEWEST,  /* OFFSET rows from the newest */
  FROM_OLDEST,  /* OFFSET rows from the oldest */
  OLDER_THAN,   /* keyset: rows older than (?5, ?6), the newest of them first */
  NEWER_THAN,   /* keyset: rows newer than (?5, ?6), the oldest of them first */
} PageKind;

/* One page, newest first whatever the direction of the query. */
static GPtrArray *
history_page_locked (OdStore       *store,
                     const Search  *search,
                     PageKind       kind,
                     guint64        offset,
                     gint64         created_at,
                     gint64         seq,
                     guint          limit,
                     GError       **error)
{
  g_autoptr(GPtrArray) rows = new_row_array ();
  g_autoptr(GString) sql = g_string_new ("SELECT " ROW_COLUMNS " FROM issued");
  g_auto(OdStmtRef) stmt = NULL;
  gboolean ascending = kind == FROM_OLDEST || kind == NEWER_THAN;
  gboolean sparse = FALSE;
  const char *where = " WHERE ";

  if (search->mode == SEARCH_FTS && !search_is_sparse (store, search, &sparse, error))
    return NULL;

  /* sparse: look the matches up by rowid and sort them; otherwise walk the history index. */
  g_string_append (sql, sparse ? " NOT INDEXED" : " INDEXED BY issued_history");
  if (kind == OLDER_THAN || kind == NEWER_THAN)
    {
      g_string_append_printf (sql, "%s(created_at, seq) %s (?5, ?6)", where,
                              kind == OLDER_THAN ? "<" : ">");
      where = " AND ";
    }
  if (sparse)
    g_string_append_printf (sql, "%s" SET_MATCH, where);
  else if (search->mode != SEARCH_ALL)
    g_string_append_printf (sql, "%s" ROW_MATCH, where);
  g_string_append (sql, ascending ? " ORDER BY created_at, seq"
                                  : " ORDER BY created_at DESC, seq DESC");
  g_string_append (sql, " LIMIT ?7 OFFSET ?8");

  if ((stmt = get_history_stmt (store, sql->str, error)) == NULL)
    return NULL;
  search_bind (search, stmt);
  sqlite3_bind_int64 (stmt, 5, created_at);
  sqlite3_bind_int64 (stmt, 6, seq);
  sqlite3_bind_int64 (stmt, 7, limit);
  sqlite3_bind_int64 (stmt, 8, (sqlite3_int64) offset);
  if (!collect_rows (store, stmt, rows, error))
    return NULL;

  if (ascending)
    {
      for (guint i = 0, j = rows->len; i + 1 < j; i++, j--)
        {
          gpointer tmp = rows->pdata[i];

          rows->pdata[i] = rows->pdata[j - 1];
          rows->pdata[j - 1] = tmp;
        }
    }

  return g_steal_pointer (&rows);
}

gboolean
od_store_history_count (OdStore     *store,
                        const char  *filter,
                        guint64     *count,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) search = { 0, };

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  if (!search_init (&search, filter, error))
    return FALSE;

  locker = g_mutex_locker_new (&store->lock);
  return history_count_locked (store, &search, count, error);
}

static GPtrArray *
history_page (OdStore     *store,
              const char  *filter,
              PageKind     kind,
              guint64      offset,
              gint64       created_at,
              gint64       seq,
              guint        limit,
              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) search = { 0, };

  g_return_val_if_fail (store != NULL, NULL);

  if (!search_init (&search, filter, error))
    return NULL;
  if (limit == 0 || offset > (guint64) G_MAXINT64)
    return new_row_array ();

  locker = g_mutex_locker_new (&store->lock);
  return history_page_locked (store, &search, kind, offset, created_at, seq, limit, error);
}

GPtrArray *
od_store_history_page (OdStore     *store,
                       const char  *filter,
                       guint64      offset,
                       guint        limit,
                       GError     **error)
{
  return history_page (store, filter, FROM_NEWEST, offset, 0, 0, limit, error);
}

GPtrArray *
od_store_history_page_from_end (OdStore     *store,
                                const char  *filter,
                                guint64      offset,
                                guint        limit,
                                GError     **error)
{
  return history_page (store, filter, FROM_OLDEST, offset, 0, 0, limit, error);
}

GPtrArray *
od_store_history_page_after (OdStore     *store,
                             const char  *filter,
                             gint64       created_at,
                             gint64       seq,
                             guint        limit,
                             GError     **error)
{
  return history_page (store, filter, OLDER_THAN, 0, created_at, seq, limit, error);
}

GPtrArray *
od_store_history_page_before (OdStore     *store,
                              const char  *filter,
                              gint64       created_at,
                              gint64       seq,
                              guint        limit,
                              GError     **error)
{
  return history_page (store, filter, NEWER_THAN, 0, created_at, seq, limit, error);
}

/* Change detection */

guint64
od_store_data_version (OdStore *store)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 version = 0;

  g_return_val_if_fail (store != NULL, 0);

  locker = g_mutex_locker_new (&store->lock);
  /* PRAGMA data_version moves when another connection commits; total_changes counts the rows
   * this connection changed.  Both only grow, so their sum changes whenever either does. */
  if (sqlite3_prepare_v2 (store->db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return version + (guint64) sqlite3_total_changes64 (store->db);
}

/* Payments */

OdPayment *
od_payment_new (void)
{
  return g_new0 (OdPayment, 1);
}

static const gsize payment_strings[] = {
  G_STRUCT_OFFSET (OdPayment, node_id),
  G_STRUCT_OFFSET (OdPayment, offer_id),
  G_STRUCT_OFFSET (OdPayment, label),
  G_STRUCT_OFFSET (OdPayment, payment_hash),
  G_STRUCT_OFFSET (OdPayment, payer_note),
  G_STRUCT_OFFSET (OdPayment, bolt12),
};

OdPayment *
od_payment_copy (const OdPayment *payment)
{
  g_return_val_if_fail (payment != NULL, NULL);

  return record_copy (payment, sizeof *payment, payment_strings, G_N_ELEMENTS (payment_strings));
}

void
od_payment_free (OdPayment *payment)
{
  record_free (payment, payment_strings, G_N_ELEMENTS (payment_strings));
}

/* A node id: 66 hex characters of either case, returned in lower case. */
static char *
normalize_node_id (const char  *node_id,
                   GError     **error)
{
  return normalize_hex (node_id, 66, "node_id must be 66 hex characters (a 33 byte public key)",
                        error);
}

/* Checks a payment and returns a copy with its hex fields in lower case. */
static OdPayment *
normalize_payment (const OdPayment  *payment,
                   GError          **error)
{
  g_autoptr(OdPayment) copy = NULL;

  if (!is_hex (payment->node_id, 66, FALSE))
    {
      set_invalid (error, "Cannot record the payment: node_id must be 66 hex characters");
      return NULL;
    }
  if (payment->pay_index == 0 || payment->pay_index > (guint64) G_MAXINT64)
    {
      set_invalid (error, "Cannot record the payment: pay_index must be between 1 and %"
                   G_GINT64_FORMAT, G_MAXINT64);
      return NULL;
    }
  if (!is_hex64 (payment->offer_id, FALSE))
    {
      set_invalid (error, "Cannot record the payment: offer_id is not a 32 byte hex value");
      return NULL;
    }
  if (!is_hex64 (payment->payment_hash, FALSE))
    {
      set_invalid (error, "Cannot record the payment: payment_hash is not a 32 byte hex value");
      return NULL;
    }
  if (payment->label == NULL)
    {
      set_invalid (error, "Cannot record the payment: it has no label");
      return NULL;
    }
  if (payment->amount_msat > BOLT12_MAX_MSAT)
    {
      set_invalid (error, "Cannot record the payment: amount_msat is more than 21 million "
                   "bitcoin");
      return NULL;
    }
  if (payment->paid_at < 0)
    {
      set_invalid (error, "Cannot record the payment: paid_at is negative");
      return NULL;
    }
  if (payment->rate_msat_per_unit > BOLT12_MAX_MSAT)
    {
      set_invalid (error, "Cannot record the payment: rate_msat_per_unit is out of range");
      return NULL;
    }
  if (payment->bolt12 != NULL && g_ascii_strncasecmp (payment->bolt12, "lni1", 4) != 0)
    {
      set_invalid (error, "Cannot record the payment: its invoice must start with lni1");
      return NULL;
    }
  if (!optional_utf8 (payment->label, "the label", error) ||
      !optional_utf8 (payment->payer_note, "the payer note", error) ||
      !optional_utf8 (payment->bolt12, "the invoice", error))
    return NULL;

  copy = od_payment_copy (payment);
  g_free (copy->node_id);
  copy->node_id = g_ascii_strdown (payment->node_id, -1);
  g_free (copy->offer_id);
  copy->offer_id = g_ascii_strdown (payment->offer_id, -1);
  g_free (copy->payment_hash);
  copy->payment_hash = g_ascii_strdown (payment->payment_hash, -1);

  return g_steal_pointer (&copy);
}

/* The statement that raises node_id's last pay_index to pay_index, bound. */
static sqlite3_stmt *
bind_last_pay_index (OdStore     *store,
                     const char  *node_id,
                     guint64      pay_index,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  if ((stmt = get_stmt (store, STMT_NODE_SET, error)) == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, node_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) pay_index);

  return stmt;
}

typedef struct
{
  OdPayment *payment;   /* normalized */
  gboolean   inserted;
} AddPayment;

static gboolean
add_payment_body (OdStore   *store,
                  gpointer   data,
                  GError   **error)
{
  AddPayment *add = data;
  const OdPayment *p = add->payment;
  g_autoptr(OdHistoryRow) offer = NULL;
  g_auto(OdStmtRef) stmt = NULL;
  guint64 rate;
  guint64 paid_msat;
  guint status;

  if ((offer = get_locked (store, OD_KIND_OFFER, p->offer_id, error)) == NULL)
    return FALSE;

  rate = p->rate_msat_per_unit;
  if (rate == 0 && offer->currency != NULL)
    {
      g_autoptr(OdRate) stored_rate = NULL;

      if (!rate_locked (store, offer->currency, &stored_rate, error))
        return FALSE;
      if (stored_rate != NULL)
        rate = stored_rate->msat_per_unit;
    }

  if ((stmt = get_stmt (store, STMT_PAYMENT_INSERT, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, p->node_id);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) p->pay_index);
  bind_text (stmt, 3, p->offer_id);
  bind_text (stmt, 4, p->label);
  bind_text (stmt, 5, p->payment_hash);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) p->amount_msat);
  sqlite3_bind_int64 (stmt, 7, p->paid_at);
  bind_text (stmt, 8, p->payer_note);
  bind_u64 (stmt, 9, p->has_quantity, p->quantity);
  bind_u64 (stmt, 10, p->has_recurrence_counter, p->recurrence_counter);
  bind_text (stmt, 11, p->bolt12);
  sqlite3_bind_int64 (stmt, 12, (sqlite3_int64) rate);
  if (!step_write (store, stmt, error))
    return FALSE;
  add->inserted = sqlite3_changes (store->db) == 1;
  od_stmt_ref_clear (&stmt);

  if (add->inserted)
    {
      /* Saturates rather than wraps: a sum past 2^64 msat cannot happen with real amounts. */
      paid_msat = offer->paid_msat + p->amount_msat >= offer->paid_msat
                  ? offer->paid_msat + p->amount_msat : G_MAXUINT64;
      status = mark_used_change (offer->status, NULL);

      if ((stmt = get_stmt (store, STMT_PAYMENT_PAID, error)) == NULL)
        return FALSE;
      bind_text (stmt, 1, p->offer_id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) (offer->paid_count + 1));
      sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) paid_msat);
      sqlite3_bind_int64 (stmt, 4, MAX (offer->last_paid_at, p->paid_at));
      sqlite3_bind_int (stmt, 5, (int) status);
      if (!step_write (store, stmt, error))
        return FALSE;
      od_stmt_ref_clear (&stmt);

      if ((stmt = bind_last_pay_index (store, p->node_id, p->pay_index, error)) == NULL ||
          !step_write (store, stmt, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
od_store_add_payment (OdStore          *store,
                      const OdPayment  *payment,
                      gboolean         *created,
                      GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  AddPayment add = { NULL, FALSE };
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);

  if ((add.payment = normalize_payment (payment, error)) == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&store->lock);
  ok = write_transaction (store, add_payment_body, &add, error);
  od_payment_free (add.payment);
  if (ok && created != NULL)
    *created = add.inserted;

  return ok;
}

gboolean
od_store_get_last_pay_index (OdStore     *store,
                             const char  *node_id,
                             guint64     *pay_index,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  g_auto(OdStmtRef) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (pay_index != NULL, FALSE);

  if ((key = normalize_node_id (node_id, error)) == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = get_stmt (store, STMT_NODE_GET, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (!step_read (store, stmt, &found, error))
    return FALSE;
  *pay_index = found ? (guint64) sqlite3_column_int64 (stmt, 0) : 0;

  return TRUE;
}

gboolean
od_store_set_last_pay_index (OdStore     *store,
                             const char  *node_id,
                             guint64      pay_index,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if ((key = normalize_node_id (node_id, error)) == NULL)
    return FALSE;
  if (pay_index == 0 || pay_index > (guint64) G_MAXINT64)
    return set_invalid (error, "pay_index must be between 1 and %" G_GINT64_FORMAT, G_MAXINT64);

  locker = g_mutex_locker_new (&store->lock);
  if ((stmt = bind_last_pay_index (store, key, pay_index, error)) == NULL)
    return FALSE;

  return write_alone (store, stmt, NULL, error);
}

static OdPayment *
payment_from_stmt (sqlite3_stmt *stmt)
{
  OdPayment *payment = od_payment_new ();
  guint64 value;

  payment->node_id = column_text (stmt, 0);
  payment->pay_index = (guint64) sqlite3_column_int64 (stmt, 1);
  payment->offer_id = column_text (stmt, 2);
  payment->label = column_text (stmt, 3);
  payment->payment_hash = column_text (stmt, 4);
  payment->amount_msat = (guint64) sqlite3_column_int64 (stmt, 5);
  payment->paid_at = sqlite3_column_int64 (stmt, 6);
  payment->payer_note = column_text (stmt, 7);
  payment->has_quantity = column_u64 (stmt, 8, &payment->quantity);
  payment->has_recurrence_counter = column_u64 (stmt, 9, &value);
  payment->recurrence_counter = (guint32) value;
  payment->bolt12 = column_text (stmt, 10);
  payment->rate_msat_per_unit = (guint64) sqlite3_column_int64 (stmt, 11);

  return payment;
}

GPtrArray *
od_store_list_payments (OdStore     *store,
                        const char  *offer_id,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autofree char *key = NULL;
  g_auto(OdStmtRef) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if (offer_id != NULL && (key = normalize_id (OD_KIND_OFFER, offer_id, error)) == NULL)
    return NULL;

  locker = g_mutex_locker_new (&store->lock);
  stmt = get_stmt (store, key != NULL ? STMT_PAYMENT_LIST_OFFER : STMT_PAYMENT_LIST, error);
  if (stmt == NULL)
    return NULL;
  if (key != NULL)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);

  payments = g_ptr_array_new_with_free_func ((GDestroyNotify) od_payment_free);
  if (!collect (store, stmt, (FromStmt) payment_from_stmt, payments, error))
    return NULL;

  return g_steal_pointer (&payments);
}

typedef struct
{
  guint    status;
  gboolean changed;
} SetStatus;

static guint
set_status_change (guint    status,
                   gpointer data)
{
  SetStatus *set = data;

  set->changed = set->status != status;
  return set->status;
}

OdHistoryRow *
od_store_set_status (OdStore     *store,
                     OdKind       kind,
                     const char  *id,
                     guint        status,
                     gboolean    *changed,
                     GError     **error)
{
  SetStatus set = { status, FALSE };
  OdHistoryRow *row;

  g_return_val_if_fail (store != NULL, NULL);

  if (!status_valid (status))
    {
      set_invalid (error, "%u is not a valid status", status);
      return NULL;
    }

  row = change_status (store, kind, id, set_status_change, &set, error);
  if (row != NULL && changed != NULL)
    *changed = set.changed;

  return row;
}
