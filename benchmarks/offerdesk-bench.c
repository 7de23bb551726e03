/* offerdesk-bench.c: timing figures for Offerdesk (never run by the test suite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   offerdesk-bench [--runs N] [--min-time SECONDS] [--max-rows N] [--peer] [--cpu-time]
 *                   [--list] [NAME-SUBSTRING...]
 *
 * Prints one line per figure on stdout, `name: value unit`, the median of --runs runs (default
 * 5).  Rates (ops/s) come from runs that each last at least --min-time seconds (default 0.5);
 * times (ms, µs) are one operation per run.  A figure that cannot be measured here prints
 * `# name: skipped: reason` instead.  Notes go to stderr.  See benchmarks/README.md.
 *
 * Two kinds of rows in `benchmarks[]`: rate figures (a setup / run / teardown triple: run
 * (state, n) performs n operations) and groups that measure and print their own lines (history
 * at a size, QR code, first frame, the --peer comparison).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "bolt12.h"
#include "bolt12-json.h"
#include "od-commands.h"
#include "od-history-model.h"
#include "od-qr-code.h"

typedef struct
{
  gint      runs;
  double    min_time;
  gint64    max_rows;
  gboolean  peer;
  gboolean  cpu_time;
} BenchOptions;

typedef gpointer (*BenchSetupFunc) (GError             **error);
typedef gboolean (*BenchRunFunc)   (gpointer             state,
                                    guint                n,
                                    GError             **error);
/* A group measures and prints its own lines; a G_IO_ERROR_NOT_SUPPORTED error means "cannot be
 * measured here" and is printed as a skip. */
typedef gboolean (*BenchGroupFunc) (const BenchOptions  *options,
                                    GError             **error);

typedef enum
{
  BENCH_RATE,     /* operations per second */
  BENCH_TIME_US,  /* the same loop, printed as µs per operation */
  BENCH_RATE_IO,  /* operations per second that wait for the disk: always wall-clock time */
} BenchShow;

typedef struct
{
  const char     *name;
  const char     *unit;
  const char     *about;
  BenchSetupFunc  setup;
  BenchRunFunc    run;
  GDestroyNotify  teardown;
  BenchShow       show;
  BenchGroupFunc  group;
} BenchCase;

static gboolean bench_rate (BenchRunFunc         run,
                            gpointer             state,
                            const BenchOptions  *options,
                            double              *median,
                            GError             **error);

/* Fixed keys: the figures do not depend on randomness. */
static const guint8 issuer_seckey[32] = {
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
};

/* Public keys of the offers to decode, derived with libsecp256k1 directly: points that went
 * through bolt12_pubkey_from_seckey() are known valid to the bolt12 layer (it remembers the
 * last few it derived), and a decode figure must pay for checking a stranger's point. */
static gboolean
stranger_pubkey (const guint8 seckey[32],
                 guint8       pubkey[33])
{
  static secp256k1_context *ctx = NULL;
  secp256k1_pubkey pk;
  size_t len = 33;

  if (ctx == NULL)
    ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
  return secp256k1_ec_pubkey_create (ctx, &pk, seckey) &&
         secp256k1_ec_pubkey_serialize (ctx, pubkey, &len, &pk, SECP256K1_EC_COMPRESSED) &&
         len == 33;
}

static void
seckey_for (guint8 index,
            guint8 seckey[32])
{
  memset (seckey, 0x11, 32);
  seckey[31] = index;
}

static gboolean
pubkey_for (guint8   index,
            guint8   pubkey[33],
            GError **error)
{
  guint8 seckey[32];

  seckey_for (index, seckey);
  if (!stranger_pubkey (seckey, pubkey))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive test key %u", index);
      return FALSE;
    }
  return TRUE;
}

/* A typical counter offer: issuer id, description, amount, issuer name, no paths (~200
 * characters). */
static Bolt12Message *
typical_offer_new (GError **error)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);

  msg->offer_description = g_strdup ("Espresso and an almond croissant, table 12 - thank you");
  msg->has_offer_amount = TRUE;
  msg->offer_amount = 5000000;
  msg->offer_issuer = g_strdup ("Corner Coffee, Main Street");
  msg->has_offer_issuer_id = TRUE;
  if (!stranger_pubkey (issuer_seckey, msg->offer_issuer_id))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the issuer key");
      return NULL;
    }
  return g_steal_pointer (&msg);
}

/* blinded_path: first_node_id, first_path_key, num_hops, then per hop blinded_node_id,
 * u16 length and encrypted_recipient_data (BOLT 4). */
static gboolean
append_blinded_path (GByteArray *buf,
                     guint8      first_key,
                     guint       n_hops,
                     GError    **error)
{
  guint8 point[33];
  guint8 num_hops = n_hops;

  if (!pubkey_for (first_key, point, error))
    return FALSE;
  g_byte_array_append (buf, point, sizeof point);
  if (!pubkey_for (first_key + 1, point, error))
    return FALSE;
  g_byte_array_append (buf, point, sizeof point);
  g_byte_array_append (buf, &num_hops, 1);

  for (guint i = 0; i < n_hops; i++)
    {
      guint8 data[32];

      if (!pubkey_for (first_key + 2 + i, point, error))
        return FALSE;
      g_byte_array_append (buf, point, sizeof point);
      memset (data, 0xa0 + i, sizeof data);
      bolt12_be_append (buf, sizeof data, 2);
      g_byte_array_append (buf, data, sizeof data);
    }
  return TRUE;
}

/* The typical offer plus two blinded paths of two hops each, written record by record so the
 * figure does not depend on the message builder. */
static char *
two_path_offer_new (GError **error)
{
  g_autoptr(Bolt12TlvBuilder) builder = bolt12_tlv_builder_new ();
  g_autoptr(GByteArray) paths = g_byte_array_new ();
  g_autoptr(GBytes) tlv = NULL;
  g_autoptr(Bolt12Message) check = NULL;
  g_autofree char *str = NULL;
  const char *description = "Espresso and an almond croissant, table 12 - thank you";
  const char *issuer = "Corner Coffee, Main Street";
  guint8 issuer_id[33];

  if (!stranger_pubkey (issuer_seckey, issuer_id) ||
      !append_blinded_path (paths, 1, 2, error) ||
      !append_blinded_path (paths, 11, 2, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the keys");
      return NULL;
    }

  bolt12_tlv_builder_add (builder, BOLT12_TLV_OFFER_DESCRIPTION,
                          (const guint8 *) description, strlen (description));
  bolt12_tlv_builder_add_tu (builder, BOLT12_TLV_OFFER_AMOUNT, 5000000);
  bolt12_tlv_builder_add (builder, BOLT12_TLV_OFFER_PATHS, paths->data, paths->len);
  bolt12_tlv_builder_add (builder, BOLT12_TLV_OFFER_ISSUER,
                          (const guint8 *) issuer, strlen (issuer));
  bolt12_tlv_builder_add (builder, BOLT12_TLV_OFFER_ISSUER_ID, issuer_id, sizeof issuer_id);
  tlv = bolt12_tlv_builder_finish (builder, error);
  if (tlv == NULL)
    return NULL;

  str = bolt12_string_encode ("lno", g_bytes_get_data (tlv, NULL), g_bytes_get_size (tlv), FALSE);
  check = bolt12_message_decode (str, error);
  if (check == NULL)
    return NULL;
  return g_steal_pointer (&str);
}

/* decode-offer, decode-offer-2-paths: state is the string. */

static gpointer
decode_typical_setup (GError **error)
{
  g_autoptr(Bolt12Message) msg = typical_offer_new (error);
  char *str;

  if (msg == NULL)
    return NULL;
  str = bolt12_message_encode (msg, FALSE, error);
  if (str != NULL)
    fprintf (stderr, "# decode-offer: a %zu-character offer\n", strlen (str));
  return str;
}

static gpointer
decode_two_paths_setup (GError **error)
{
  char *str = two_path_offer_new (error);

  if (str != NULL)
    fprintf (stderr, "# decode-offer-2-paths: a %zu-character offer\n", strlen (str));
  return str;
}

static gboolean
decode_run (gpointer   state,
            guint      n,
            GError   **error)
{
  const char *str = state;

  for (guint i = 0; i < n; i++)
    {
      Bolt12Message *msg = bolt12_message_decode (str, error);

      if (msg == NULL)
        return FALSE;
      bolt12_message_free (msg);
    }
  return TRUE;
}

/* encode-offer: typed fields -> serialize -> check by parsing -> string. */

static gpointer
encode_setup (GError **error)
{
  return typical_offer_new (error);
}

static gboolean
encode_run (gpointer   state,
            guint      n,
            GError   **error)
{
  Bolt12Message *msg = state;

  for (guint i = 0; i < n; i++)
    {
      char *str = bolt12_message_encode (msg, FALSE, error);

      if (str == NULL)
        return FALSE;
      g_free (str);
    }
  return TRUE;
}

static void
encode_teardown (gpointer state)
{
  bolt12_message_free (state);
}

/* invreq-create-sign: an offer-less invoice_request (a refund) built, signed and encoded, with
 * the same payer key every time, as the invoicerequest command signs with the node's key (the
 * key's public half is known beforehand, as OdSigner knows it).  invreq-create-sign-new-key:
 * the same with a fresh payer key per request (derived, as Core Lightning derives one per
 * request), which adds a point multiplication. */

typedef struct
{
  guint64  counter;
  gboolean new_key;
  guint8   seckey[32];
  guint8   pubkey[33];
} InvreqBench;

static gpointer
invreq_setup_common (gboolean   new_key,
                     GError   **error)
{
  InvreqBench *bench = g_new0 (InvreqBench, 1);

  bench->new_key = new_key;
  memset (bench->seckey, 0x22, sizeof bench->seckey);
  if (!bolt12_pubkey_from_seckey (bench->seckey, bench->pubkey))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the payer key");
      g_free (bench);
      return NULL;
    }
  return bench;
}

static gpointer
invreq_setup (GError **error)
{
  return invreq_setup_common (FALSE, error);
}

static gpointer
invreq_new_key_setup (GError **error)
{
  return invreq_setup_common (TRUE, error);
}

static gboolean
invreq_run (gpointer   state,
            guint      n,
            GError   **error)
{
  InvreqBench *bench = state;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
      g_autofree char *str = NULL;
      guint8 metadata[16];
      guint64 c = ++bench->counter;

      memset (metadata, 0x5a, sizeof metadata);
      memcpy (metadata, &c, sizeof c);
      if (bench->new_key)
        memcpy (bench->seckey, &c, sizeof c);

      msg->invreq_metadata = g_bytes_new (metadata, sizeof metadata);
      msg->offer_description = g_strdup ("Refund for order 4711");
      msg->has_invreq_amount = TRUE;
      msg->invreq_amount = 2500000;
      msg->has_invreq_payer_id = TRUE;
      if (bench->new_key && !bolt12_pubkey_from_seckey (bench->seckey, bench->pubkey))
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the payer key");
          return FALSE;
        }
      memcpy (msg->invreq_payer_id, bench->pubkey, 33);
      if (!bolt12_message_sign (msg, bench->seckey, error))
        return FALSE;
      str = bolt12_message_encode (msg, FALSE, error);
      if (str == NULL)
        return FALSE;
    }
  return TRUE;
}

/* point-validation-limit: bolt12_point_valid alone.  A typical offer carries one point, so
 * decoding cannot beat this rate; the figure is the ceiling for decode-offer. */

static gpointer
point_setup (GError **error)
{
  guint8 *point = g_malloc (33);

  if (!stranger_pubkey (issuer_seckey, point))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the issuer key");
      g_free (point);
      return NULL;
    }
  return point;
}

static gboolean
point_run (gpointer   state,
           guint      n,
           GError   **error)
{
  const guint8 *point = state;
  guint valid = 0;

  for (guint i = 0; i < n; i++)
    valid += bolt12_point_valid (point) ? 1 : 0;
  if (valid != n)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "A valid point was rejected");
      return FALSE;
    }
  return TRUE;
}

/* offer-command: the `offer` command end to end into the store (params, grammars, build,
 * encode, check, insert with synchronous=FULL), each with a new description so every call
 * inserts a row.  sqlite-insert-limit: one plain INSERT per transaction into a table of the
 * same width, with the same pragmas: the ceiling for offer-command on this disk. */

typedef struct
{
  char       *dir;
  OdCommands *commands;
  sqlite3    *db;
  guint64     counter;
} StoreBench;

static void
store_bench_free (gpointer data)
{
  StoreBench *bench = data;
  g_autofree char *cmd = NULL;

  g_clear_pointer (&bench->commands, od_commands_free);
  if (bench->db != NULL)
    sqlite3_close (bench->db);
  cmd = g_strdup_printf ("rm -rf '%s'", bench->dir);
  if (system (cmd) != 0)
    g_printerr ("offerdesk-bench: could not remove %s\n", bench->dir);
  g_free (bench->dir);
  g_free (bench);
}

static gpointer
offer_command_setup (GError **error)
{
  StoreBench *bench = g_new0 (StoreBench, 1);

  bench->dir = g_dir_make_tmp ("offerdesk-bench-XXXXXX", error);
  if (bench->dir == NULL)
    {
      g_free (bench);
      return NULL;
    }
  bench->commands = od_commands_new (bench->dir, "bitcoin");
  return bench;
}

static gboolean
offer_command_run (gpointer   state,
                   guint      n,
                   GError   **error)
{
  StoreBench *bench = state;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) result = NULL;
      g_autofree char *description = g_strdup_printf ("Espresso, order %" G_GUINT64_FORMAT,
                                                      ++bench->counter);

      json_object_set_string_member (object, "amount", "2500sat");
      json_object_set_string_member (object, "description", description);
      json_object_set_string_member (object, "label", "till 1");
      json_node_set_object (params, object);
      result = od_commands_call (bench->commands, "offer", params, error);
      if (result == NULL)
        return FALSE;
    }
  return TRUE;
}

static gpointer
sqlite_setup (GError **error)
{
  StoreBench *bench = g_new0 (StoreBench, 1);
  g_autofree char *path = NULL;

  bench->dir = g_dir_make_tmp ("offerdesk-bench-XXXXXX", error);
  if (bench->dir == NULL)
    {
      g_free (bench);
      return NULL;
    }
  path = g_build_filename (bench->dir, "raw.sqlite3", NULL);
  if (sqlite3_open (path, &bench->db) != SQLITE_OK ||
      sqlite3_exec (bench->db,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, bolt12 TEXT,"
                    " label TEXT, status INTEGER, created_at INTEGER, description TEXT,"
                    " amount_msat INTEGER)", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sqlite: %s", sqlite3_errmsg (bench->db));
      store_bench_free (bench);
      return NULL;
    }
  return bench;
}

static gboolean
sqlite_run (gpointer   state,
            guint      n,
            GError   **error)
{
  StoreBench *bench = state;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO t (id, bolt12, label, status, created_at,"
                                              " description, amount_msat) VALUES ('%064" G_GINT64_MODIFIER "x',"
                                              " 'lno1qgsqvgnwgcg35z6ee2h3yczraddm72xrfua9uve2rlrm9deu7xyfzrcgqgn3qzs2ge5hx6',"
                                              " 'till 1', 1, 1738000000, 'Espresso', 2500000)",
                                              ++bench->counter);

      if (sqlite3_exec (bench->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sqlite: %s", sqlite3_errmsg (bench->db));
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- Printing --------------------------------------------------------------------------- */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median_of (double *values,
           guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static void
print_figure (const char *name,
              double      value,
              const char *unit)
{
  if (value >= 1000 || g_str_has_suffix (unit, "/s"))
    printf ("%s: %.0f %s\n", name, value, unit);
  else if (value >= 100)
    printf ("%s: %.1f %s\n", name, value, unit);
  else
    printf ("%s: %.2f %s\n", name, value, unit);
  fflush (stdout);
}

static void
print_skip (const char *name,
            const char *reason)
{
  printf ("# %s: skipped: %s\n", name, reason);
  fflush (stdout);
}

static gboolean
set_skip (GError     **error,
          const char  *reason)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, reason);
  return FALSE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  if (dir == NULL)
    return;
  file = g_file_new_for_path (dir);
  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) && info != NULL)
    {
      g_autofree char *child = g_build_filename (dir, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (g_rmdir (dir) != 0)
    g_printerr ("offerdesk-bench: could not remove %s\n", dir);
}

/* ---- History model at 10k / 100k / 1M rows --------------------------------------------- */

/* Descriptions are "<item> for table <t>, order <i>": one item in HISTORY_ITEMS, so a search
 * for one item's name finds 1/HISTORY_ITEMS of the rows (no item name is part of another). */
static const char * const history_items[] = {
  "espresso", "ristretto", "lungo", "americano", "cappuccino", "latte", "flat white", "mocha",
  "cortado", "affogato", "doppio", "irish coffee", "cold brew", "iced tea", "green tea",
  "black tea", "rooibos", "chai", "hot chocolate", "lemonade", "orange juice", "apple juice",
  "sparkling water", "still water", "croissant", "pain au chocolat", "brioche", "bagel",
  "muffin", "scone", "cinnamon roll", "danish", "cheesecake", "brownie", "cookie", "waffle",
  "pancake", "granola", "porridge", "omelette", "club sandwich", "panini", "quiche", "soup",
  "salad bowl", "wrap", "toastie", "focaccia", "pretzel", "macchiato",
};
#define HISTORY_SEARCH "macchiato"

/* The store's file, made by the offer command (schema, key, one row), then grown to n_rows
 * rows by copying that row in one transaction: the store's own insert path would take minutes
 * for a million rows (one synchronous=FULL transaction each).  The row is copied column by
 * column as the store created it, so whatever the store maintains with triggers (the search
 * index) is maintained for the copies too; only id, description, label and created_at
 * change. */
static gboolean
history_generate (const char  *dir,
                  gint64       n_rows,
                  GError     **error)
{
  g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) sqlite3_value_free);
  g_autoptr(GString) sql = NULL;
  OdCommands *commands;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int col_id = -1, col_description = -1, col_label = -1, col_created_at = -1;
  gboolean ok = FALSE;

  commands = od_commands_new (dir, "bitcoin");
  json_object_set_string_member (object, "amount", "2500sat");
  json_object_set_string_member (object, "description", "espresso for table 1, order 0");
  json_object_set_string_member (object, "label", "till 0");
  json_object_set_string_member (object, "issuer", "Corner Coffee");
  json_node_set_object (params, object);
  result = od_commands_call (commands, "offer", params, error);
  od_commands_free (commands);
  if (result == NULL)
    return FALSE;

  path = g_build_filename (dir, "bitcoin", "offerdesk.sqlite3", NULL);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    goto sqlite_error;
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, "PRAGMA synchronous = OFF; BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    goto sqlite_error;

  /* The template row and its columns (all but the rowid). */
  if (sqlite3_prepare_v2 (db, "SELECT * FROM issued ORDER BY seq LIMIT 1", -1, &stmt,
                          NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    goto sqlite_error;
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      if (g_strcmp0 (name, "seq") == 0)
        continue;
      if (g_strcmp0 (name, "id") == 0)
        col_id = columns->len;
      else if (g_strcmp0 (name, "description") == 0)
        col_description = columns->len;
      else if (g_strcmp0 (name, "label") == 0)
        col_label = columns->len;
      else if (g_strcmp0 (name, "created_at") == 0)
        col_created_at = columns->len;
      g_ptr_array_add (columns, g_strdup (name));
      g_ptr_array_add (values, sqlite3_value_dup (sqlite3_column_value (stmt, i)));
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (col_id < 0 || col_description < 0 || col_label < 0 || col_created_at < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The store's issued table has no id, description, label or created_at "
                   "column: cannot generate a history");
      goto out;
    }

  sql = g_string_new ("INSERT INTO issued (");
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, "%s\"%s\"", i > 0 ? ", " : "", (char *) columns->pdata[i]);
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < columns->len; i++)
    g_string_append (sql, i > 0 ? ", ?" : "?");
  g_string_append (sql, ")");
  if (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    goto sqlite_error;

  for (gint64 row = 1; row < n_rows; row++)
    {
      char id[65];
      g_autofree char *description = NULL;
      g_autofree char *label = NULL;

      for (guint i = 0; i < values->len; i++)
        sqlite3_bind_value (stmt, (int) i + 1, values->pdata[i]);
      g_snprintf (id, sizeof id, "%064" G_GINT64_MODIFIER "x", row);
      description = g_strdup_printf ("%s for table %" G_GINT64_FORMAT ", order %" G_GINT64_FORMAT,
                                     history_items[row % G_N_ELEMENTS (history_items)],
                                     1 + row % 40, row);
      label = g_strdup_printf ("till %" G_GINT64_FORMAT, row % 4);
      sqlite3_bind_text (stmt, col_id + 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col_description + 1, description, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, col_label + 1, label, -1, SQLITE_TRANSIENT);
      /* Oldest first, the last one a second before the template row. */
      sqlite3_bind_int64 (stmt, col_created_at + 1, now - n_rows + row - 1);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto sqlite_error;
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (sqlite3_exec (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    goto sqlite_error;

  ok = TRUE;
  goto out;

sqlite_error:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Generating the history in %s: %s", path,
               db != NULL ? sqlite3_errmsg (db) : "cannot open");
out:
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  if (db != NULL)
    sqlite3_close (db);
  return ok;
}

/* The generated histories of this run, by size: history-1m and gui-memory read the same
 * million rows (a minute to make) instead of making them twice.  0 rows: an empty data dir.
 * Removed by history_dirs_remove() at exit. */
static GHashTable *history_dirs;   /* gint64 * -> char * */

static double elapsed_ms (gint64 start);

static const char *
history_dir (gint64   n_rows,
             GError **error)
{
  g_autofree char *dir = NULL;
  gint64 start;
  const char *known;

  if (history_dirs == NULL)
    history_dirs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  known = g_hash_table_lookup (history_dirs, &n_rows);
  if (known != NULL)
    return known;

  dir = g_dir_make_tmp ("offerdesk-bench-history-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  start = g_get_monotonic_time ();
  if (n_rows > 0 && !history_generate (dir, n_rows, error))
    {
      remove_tree (dir);
      return NULL;
    }
  if (n_rows > 0)
    fprintf (stderr, "# history: %" G_GINT64_FORMAT " rows generated in %.1f s (%s)\n", n_rows,
             elapsed_ms (start) / 1000.0, dir);

  g_hash_table_insert (history_dirs, g_memdup2 (&n_rows, sizeof n_rows), g_strdup (dir));
  return g_hash_table_lookup (history_dirs, &n_rows);
}

static void
history_dirs_remove (void)
{
  GHashTableIter iter;
  gpointer dir;

  if (history_dirs == NULL)
    return;
  g_hash_table_iter_init (&iter, history_dirs);
  while (g_hash_table_iter_next (&iter, NULL, &dir))
    remove_tree (dir);
  g_clear_pointer (&history_dirs, g_hash_table_unref);
}

static double
elapsed_ms (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

/* history-open: a new command layer and model (the store is opened and checked), n_items and
 * the first item, what the history page shows first.  history-scroll: the item at n/2 of an
 * open model (nothing of it read yet).  history-search: od_history_model_set_filter(), then
 * n_items and the first item. */
static gboolean
history_group (const BenchOptions  *options,
               gint64               n_rows,
               const char          *size,
               GError             **error)
{
  const char *dir;
  g_autofree double *open_ms = NULL;
  g_autofree double *scroll_ms = NULL;
  g_autofree double *search_ms = NULL;
  g_autofree char *name = NULL;
  guint n_found = 0;
  gint64 start;

  if (n_rows > options->max_rows)
    {
      g_autofree char *reason = g_strdup_printf ("more rows than --max-rows %" G_GINT64_FORMAT,
                                                 options->max_rows);

      return set_skip (error, reason);
    }

  dir = history_dir (n_rows, error);
  if (dir == NULL)
    return FALSE;

  open_ms = g_new0 (double, options->runs);
  scroll_ms = g_new0 (double, options->runs);
  search_ms = g_new0 (double, options->runs);

  for (gint r = 0; r < options->runs; r++)
    {
      OdCommands *commands;
      g_autoptr(OdHistoryModel) model = NULL;
      g_autoptr(GObject) first = NULL;
      g_autoptr(GObject) middle = NULL;
      g_autoptr(GObject) found = NULL;
      guint n;

      start = g_get_monotonic_time ();
      commands = od_commands_new (dir, "bitcoin");
      model = od_history_model_new (commands);
      n = g_list_model_get_n_items (G_LIST_MODEL (model));
      first = g_list_model_get_item (G_LIST_MODEL (model), 0);
      open_ms[r] = elapsed_ms (start);

      start = g_get_monotonic_time ();
      middle = g_list_model_get_item (G_LIST_MODEL (model), n / 2);
      scroll_ms[r] = elapsed_ms (start);

      start = g_get_monotonic_time ();
      od_history_model_set_filter (model, HISTORY_SEARCH);
      n_found = g_list_model_get_n_items (G_LIST_MODEL (model));
      found = n_found > 0 ? g_list_model_get_item (G_LIST_MODEL (model), 0) : NULL;
      search_ms[r] = elapsed_ms (start);

      if (n != n_rows || first == NULL || middle == NULL || found == NULL ||
          strstr (od_history_item_get_description (OD_HISTORY_ITEM (found)),
                  HISTORY_SEARCH) == NULL)
        {
          const GError *model_error = od_history_model_get_error (model);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The history model of %" G_GINT64_FORMAT " rows gave %u items, %u found "
                       "for \"%s\"%s%s", n_rows, n, n_found, HISTORY_SEARCH,
                       model_error != NULL ? ": " : "",
                       model_error != NULL ? model_error->message : "");
          g_clear_object (&first);
          g_clear_object (&middle);
          g_clear_object (&found);
          g_clear_object (&model);
          od_commands_free (commands);
          return FALSE;
        }

      g_clear_object (&first);
      g_clear_object (&middle);
      g_clear_object (&found);
      g_clear_object (&model);
      od_commands_free (commands);
    }
  fprintf (stderr, "# history-search-%s: \"%s\" finds %u rows\n", size, HISTORY_SEARCH, n_found);

  name = g_strdup_printf ("history-open-%s", size);
  print_figure (name, median_of (open_ms, options->runs), "ms");
  g_free (name);
  name = g_strdup_printf ("history-scroll-%s", size);
  print_figure (name, median_of (scroll_ms, options->runs), "ms");
  g_free (name);
  name = g_strdup_printf ("history-search-%s", size);
  print_figure (name, median_of (search_ms, options->runs), "ms");

  return TRUE;
}

static gboolean
history_10k_group (const BenchOptions  *options,
                   GError             **error)
{
  return history_group (options, 10000, "10k", error);
}

static gboolean
history_100k_group (const BenchOptions  *options,
                    GError             **error)
{
  return history_group (options, 100000, "100k", error);
}

static gboolean
history_1m_group (const BenchOptions  *options,
                  GError             **error)
{
  return history_group (options, 1000000, "1m", error);
}

/* ---- QR code ------------------------------------------------------------------------------ */

/* The typical offer with a description long enough for a string of 600 characters or more. */
static char *
long_offer_new (GError **error)
{
  g_autoptr(Bolt12Message) msg = typical_offer_new (error);
  g_autoptr(GString) description = g_string_new ("Espresso and an almond croissant");

  if (msg == NULL)
    return NULL;

  for (;;)
    {
      g_autofree char *str = NULL;

      g_free (msg->offer_description);
      msg->offer_description = g_strdup (description->str);
      str = bolt12_message_encode (msg, FALSE, error);
      if (str == NULL)
        return NULL;
      if (strlen (str) >= 600)
        return g_steal_pointer (&str);
      g_string_append (description, ", table 12");
    }
}

typedef struct
{
  char     *offer;
  OdQrCode *code;
} QrBench;

static void
qr_bench_free (gpointer data)
{
  QrBench *bench = data;

  g_clear_object (&bench->code);
  g_free (bench->offer);
  g_free (bench);
}

/* GTK is initialised once, and only for figures that draw: without a display, they are
 * skipped. */
static gboolean
ensure_gtk (GError **error)
{
  static int state = 0; /* 0 not tried, 1 ready, 2 no display */

  if (state == 0)
    state = gtk_init_check () ? 1 : 2;
  if (state == 2)
    return set_skip (error, "no display (GTK cannot start): run under xvfb-run -a");
  return TRUE;
}

static gpointer
qr_setup (GError **error)
{
  QrBench *bench;

  if (!ensure_gtk (error))
    return NULL;
  bench = g_new0 (QrBench, 1);
  bench->offer = long_offer_new (error);
  if (bench->offer == NULL)
    {
      qr_bench_free (bench);
      return NULL;
    }
  bench->code = od_qr_code_new (bench->offer, TRUE, error);
  if (bench->code == NULL)
    {
      qr_bench_free (bench);
      return NULL;
    }
  fprintf (stderr, "# qr: a %zu-character offer, %u modules per side\n", strlen (bench->offer),
           od_qr_code_get_modules (bench->code));
  return bench;
}

/* qr-paintable-600: what showing a new offer costs the paintable: encode the symbol
 * (libqrencode) and draw it once into a GtkSnapshot of a 400 × 400 area. */
static gboolean
qr_paintable_run (gpointer   state,
                  guint      n,
                  GError   **error)
{
  QrBench *bench = state;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OdQrCode) code = od_qr_code_new (bench->offer, TRUE, error);
      g_autoptr(GtkSnapshot) snapshot = NULL;
      g_autoptr(GskRenderNode) node = NULL;

      if (code == NULL)
        return FALSE;
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (GDK_PAINTABLE (code), GDK_SNAPSHOT (snapshot), 400, 400);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        return set_skip (error, "the paintable drew nothing");
    }
  return TRUE;
}

/* qr-snapshot-600: a redraw of an existing paintable (every frame that shows it). */
static gboolean
qr_snapshot_run (gpointer   state,
                 guint      n,
                 GError   **error)
{
  QrBench *bench = state;

  for (guint i = 0; i < n; i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;

      gdk_paintable_snapshot (GDK_PAINTABLE (bench->code), GDK_SNAPSHOT (snapshot), 400, 400);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        return set_skip (error, "the paintable drew nothing");
    }
  return TRUE;
}

/* ---- GUI start to first frame -------------------------------------------------------------- */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  gboolean      timed_out;
} ChildWait;

static void
child_wait_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ChildWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
child_wait_timeout_cb (gpointer user_data)
{
  ChildWait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the real app once with one bench variable set (see src/app/main.c), a data dir, memory
 * settings and the renderer given (NULL: GTK's choice); returns what it printed.  The app quits
 * by itself; it is killed if it has not within 60 s. */
static char *
app_run_once (const char  *data_dir,
              const char  *renderer,
              const char  *variable,
              const char  *value,
              gint64      *spawn_time,
              GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  ChildWait wait = { NULL, NULL, FALSE };
  guint timeout;
  gboolean done;

  g_subprocess_launcher_setenv (launcher, variable, value, TRUE);
  g_subprocess_launcher_setenv (launcher, "OFFERDESK_DATA_DIR", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", BENCH_SCHEMA_DIR, TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);
  if (renderer != NULL)
    g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", renderer, TRUE);

  *spawn_time = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, error, BENCH_APP_PATH, NULL);
  if (process == NULL)
    return NULL;

  wait.loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_add_seconds (60, child_wait_timeout_cb, &wait);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, child_wait_done_cb, &wait);
  g_main_loop_run (wait.loop);
  if (wait.timed_out)
    {
      g_subprocess_force_exit (process);
      while (wait.result == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    g_source_remove (timeout);
  done = g_subprocess_communicate_utf8_finish (process, wait.result, &out, NULL, error);
  g_object_unref (wait.result);
  g_main_loop_unref (wait.loop);
  if (wait.timed_out)
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "%s (%s=%s) did not quit within 60 s", BENCH_APP_PATH, variable, value);
      return NULL;
    }
  if (!done)
    return NULL;
  g_subprocess_wait (process, NULL, NULL);

  return g_steal_pointer (&out);
}

/* OFFERDESK_BENCH_FIRST_FRAME=1: the app prints "first-frame main=<µs> paint=<µs>"
 * (g_get_monotonic_time() at the top of main() and at the first "after-paint" of its window)
 * and quits. */
static gboolean
first_frame_once (const char  *data_dir,
                  const char  *renderer,
                  double      *from_spawn_ms,
                  double      *from_main_ms,
                  GError     **error)
{
  g_autofree char *out = NULL;
  const char *line;
  gint64 spawn_time, main_time = 0, paint_time = 0;

  out = app_run_once (data_dir, renderer, "OFFERDESK_BENCH_FIRST_FRAME", "1", &spawn_time, error);
  if (out == NULL)
    return FALSE;

  line = out != NULL ? strstr (out, "first-frame main=") : NULL;
  if (line == NULL ||
      sscanf (line, "first-frame main=%" G_GINT64_FORMAT " paint=%" G_GINT64_FORMAT,
              &main_time, &paint_time) != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s printed no first-frame line", BENCH_APP_PATH);
      return FALSE;
    }

  *from_spawn_ms = (double) (paint_time - spawn_time) / 1000.0;
  *from_main_ms = (double) (paint_time - main_time) / 1000.0;
  return TRUE;
}

/* first-frame: the renderer GTK picks (GL: under Xvfb that is Mesa's llvmpipe, which compiles
 * its shaders at start-up, about half of the start's instructions); first-frame-cairo: GTK's
 * cairo renderer, the app's own start without that (closer to a desktop with a GPU, where GL
 * costs little). */
static gboolean
first_frame_series (const BenchOptions  *options,
                    const char          *dir,
                    const char          *renderer,
                    const char          *name,
                    GError             **error)
{
  g_autofree double *spawn_ms = g_new0 (double, options->runs);
  g_autofree double *main_ms = g_new0 (double, options->runs);
  g_autofree char *from_main = g_strdup_printf ("%s-from-main", name);
  double ignored_spawn, ignored_main;

  /* The first start creates the key and warms what the system caches: not counted. */
  if (!first_frame_once (dir, renderer, &ignored_spawn, &ignored_main, error))
    return FALSE;
  for (gint r = 0; r < options->runs; r++)
    if (!first_frame_once (dir, renderer, &spawn_ms[r], &main_ms[r], error))
      return FALSE;

  print_figure (name, median_of (spawn_ms, options->runs), "ms");
  print_figure (from_main, median_of (main_ms, options->runs), "ms");
  return TRUE;
}

static gboolean
first_frame_group (const BenchOptions  *options,
                   GError             **error)
{
  g_autofree char *dir = NULL;
  gboolean ok;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    return set_skip (error, "no display (neither DISPLAY nor WAYLAND_DISPLAY): run under "
                            "xvfb-run -a");
  if (!g_file_test (BENCH_APP_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return set_skip (error, "the app is not built: ninja -C <build> src/app/offerdesk");

  dir = g_dir_make_tmp ("offerdesk-bench-gui-XXXXXX", error);
  if (dir == NULL)
    return FALSE;

  ok = first_frame_series (options, dir, NULL, "first-frame", error) &&
       first_frame_series (options, dir, "cairo", "first-frame-cairo", error);
  remove_tree (dir);
  return ok;
}

/* ---- GUI memory ------------------------------------------------------------------------------ */

/* OFFERDESK_BENCH_HISTORY_MEMORY=<text>: the app shows the history, scrolls to its middle,
 * searches for <text>, scrolls to the middle of the results, prints "history-memory rss=<kB>
 * hwm=<kB> items=<n>" and quits.  Returns the resident set in MB (the median of the runs). */
static gboolean
gui_memory_series (const BenchOptions  *options,
                   const char          *dir,
                   const char          *renderer,
                   guint                expect_items_min,
                   double              *rss_mb,
                   GError             **error)
{
  gint runs = MIN (options->runs, 3);
  g_autofree double *values = g_new0 (double, runs);

  for (gint r = 0; r < runs; r++)
    {
      g_autofree char *out = NULL;
      const char *line;
      gint64 spawn_time, rss_kb = 0, hwm_kb = 0;
      guint items = 0;

      out = app_run_once (dir, renderer, "OFFERDESK_BENCH_HISTORY_MEMORY", HISTORY_SEARCH,
                          &spawn_time, error);
      if (out == NULL)
        return FALSE;
      line = strstr (out, "history-memory rss=");
      if (line == NULL ||
          sscanf (line, "history-memory rss=%" G_GINT64_FORMAT " hwm=%" G_GINT64_FORMAT " items=%u",
                  &rss_kb, &hwm_kb, &items) != 3 || rss_kb <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s printed no history-memory line", BENCH_APP_PATH);
          return FALSE;
        }
      if (items < expect_items_min)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "the history showed %u items for \"%s\", expected at least %u", items,
                       HISTORY_SEARCH, expect_items_min);
          return FALSE;
        }
      values[r] = (double) rss_kb / 1024.0;
    }

  *rss_mb = median_of (values, runs);
  return TRUE;
}

/* gui-memory: the app's resident set after showing, scrolling and searching the history, with
 * an empty history, a 60-row one and a 1,000,000-row one; the goal is about the last minus the
 * first.  Printed for GTK's renderer (under Xvfb, GL on llvmpipe, whose textures for the drawn
 * rows are in the process) and for the cairo renderer. */
static gboolean
gui_memory_group (const BenchOptions  *options,
                  GError             **error)
{
  const char *renderers[] = { NULL, "cairo" };
  const gint64 sizes[] = { 0, 60, 1000000 };
  const char *size_names[] = { "empty", "60", "1m" };
  const char *dirs[G_N_ELEMENTS (sizes)] = { NULL, };
  gboolean ok = TRUE;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    return set_skip (error, "no display (neither DISPLAY nor WAYLAND_DISPLAY): run under "
                            "xvfb-run -a");
  if (!g_file_test (BENCH_APP_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return set_skip (error, "the app is not built: ninja -C <build> src/app/offerdesk");
  if (options->max_rows < 1000000)
    return set_skip (error, "needs the 1,000,000-row history (--max-rows below 1000000)");

  for (guint i = 0; i < G_N_ELEMENTS (sizes) && ok; i++)
    {
      dirs[i] = history_dir (sizes[i], error);
      ok = dirs[i] != NULL;
    }

  for (guint k = 0; k < G_N_ELEMENTS (renderers) && ok; k++)
    {
      double rss[G_N_ELEMENTS (sizes)];
      const char *suffix = renderers[k] != NULL ? "-cairo" : "";

      for (guint i = 0; i < G_N_ELEMENTS (sizes) && ok; i++)
        {
          /* The 1m history holds the search text in 2 % of its rows (60 rows: one, or none). */
          ok = gui_memory_series (options, dirs[i], renderers[k], sizes[i] >= 1000000 ? 1 : 0,
                                  &rss[i], error);
          if (ok)
            {
              g_autofree char *name = g_strdup_printf ("gui-memory-%s%s", size_names[i], suffix);

              print_figure (name, rss[i], "MB");
            }
        }
      if (ok)
        {
          g_autofree char *over_empty = g_strdup_printf ("gui-memory-1m-over-empty%s", suffix);
          g_autofree char *over_60 = g_strdup_printf ("gui-memory-1m-over-60%s", suffix);

          print_figure (over_empty, rss[2] - rss[0], "MB");
          print_figure (over_60, rss[2] - rss[1], "MB");
        }
    }

  return ok;
}

/* ---- --peer: LDK's parser through Node.js ------------------------------------------------- */

static gboolean
peer_group (const BenchOptions  *options,
            GError             **error)
{
  const char *peer_dir = g_getenv ("OFFERDESK_BENCH_PEER_DIR");
  const char *node_env = g_getenv ("OFFERDESK_BENCH_NODE");
  g_autofree char *node = NULL;
  g_autofree char *script = NULL;
  g_autofree char *package = NULL;
  g_autofree char *typical = NULL;
  g_autofree char *two_paths = NULL;
  g_autofree char *runs = NULL;
  g_autofree char *min_time = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *arg_typical = NULL;
  g_autofree char *arg_two_paths = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(GStrv) lines = NULL;
  struct
  {
    const char *name;
    const char *str;
    double      ours;
    double      theirs;
  } offers[2] = { { "decode-offer" }, { "decode-offer-2-paths" } };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!options->peer)
    return TRUE;

  if (peer_dir == NULL)
    peer_dir = BENCH_PEER_DIR;
  node = node_env != NULL ? g_strdup (node_env) : g_find_program_in_path ("node");
  if (node == NULL)
    return set_skip (error, "Node.js (node) is not in PATH (or set OFFERDESK_BENCH_NODE)");
  script = g_build_filename (peer_dir, "decode.mjs", NULL);
  package = g_build_filename (peer_dir, "node_modules", "boltz-bolt12", "package.json", NULL);
  if (!g_file_test (package, G_FILE_TEST_EXISTS))
    {
      g_autofree char *reason = g_strdup_printf ("the npm package boltz-bolt12 is not installed "
                                                 "in %s/node_modules: run `npm ci` there",
                                                 peer_dir);

      return set_skip (error, reason);
    }

  typical = decode_typical_setup (error);
  if (typical == NULL)
    return FALSE;
  two_paths = decode_two_paths_setup (error);
  if (two_paths == NULL)
    return FALSE;
  offers[0].str = typical;
  offers[1].str = two_paths;

  /* Ours first, with the same loop and the same strings, in the same run. */
  for (guint i = 0; i < G_N_ELEMENTS (offers); i++)
    if (!bench_rate (decode_run, (gpointer) offers[i].str, options, &offers[i].ours, error))
      return FALSE;

  runs = g_strdup_printf ("%d", options->runs);
  min_time = g_strdup (g_ascii_dtostr (buf, sizeof buf, options->min_time));
  arg_typical = g_strdup_printf ("%s=%s", offers[0].name, typical);
  arg_two_paths = g_strdup_printf ("%s=%s", offers[1].name, two_paths);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              error, node, script, "--runs", runs, "--min-time", min_time,
                              options->cpu_time ? "--cpu-time" : "--wall-time",
                              arg_typical, arg_two_paths, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s failed: %s", node, script,
                   err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }

  lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (offers); i++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_decode (offers[i].str, error);
      g_autofree char *figure = NULL;
      g_autofree char *check = NULL;
      gboolean checked = FALSE;

      if (msg == NULL)
        return FALSE;
      /* LDK must have read the same description, issuer and number of paths. */
      {
        g_autoptr(JsonNode) desc = json_node_new (JSON_NODE_VALUE);
        g_autoptr(JsonNode) issuer = json_node_new (JSON_NODE_VALUE);
        g_autofree char *desc_json = NULL;
        g_autofree char *issuer_json = NULL;

        json_node_set_string (desc, msg->offer_description);
        json_node_set_string (issuer, msg->offer_issuer);
        desc_json = json_to_string (desc, FALSE);
        issuer_json = json_to_string (issuer, FALSE);
        check = g_strdup_printf ("check %s %s %s %u", offers[i].name, desc_json, issuer_json,
                                 msg->offer_paths != NULL ? msg->offer_paths->len : 0);
      }

      offers[i].theirs = 0;
      for (guint l = 0; lines[l] != NULL; l++)
        {
          g_autofree char *prefix = g_strdup_printf ("%s ", offers[i].name);
          g_autofree char *error_prefix = g_strdup_printf ("error %s ", offers[i].name);

          if (g_strcmp0 (lines[l], check) == 0)
            checked = TRUE;
          else if (g_str_has_prefix (lines[l], error_prefix))
            {
              g_autofree char *reason = g_strdup_printf ("LDK refused the string: %s",
                                                         lines[l] + strlen (error_prefix));
              figure = g_strdup_printf ("peer-%s", offers[i].name);
              print_skip (figure, reason);
              g_clear_pointer (&figure, g_free);
            }
          else if (g_str_has_prefix (lines[l], prefix))
            offers[i].theirs = g_ascii_strtod (lines[l] + strlen (prefix), NULL);
        }
      if (offers[i].theirs <= 0)
        continue;
      if (!checked)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "LDK did not read the same offer (expected \"%s\" in:\n%s)", check, out);
          return FALSE;
        }

      figure = g_strdup_printf ("peer-%s-offerdesk", offers[i].name);
      print_figure (figure, offers[i].ours, "strings/s");
      g_free (figure);
      figure = g_strdup_printf ("peer-%s-ldk", offers[i].name);
      print_figure (figure, offers[i].theirs, "strings/s");
      g_free (figure);
      figure = g_strdup_printf ("peer-%s-ratio", offers[i].name);
      print_figure (figure, offers[i].ours / offers[i].theirs, "x");
    }

  return TRUE;
}

/* ---- The table ----------------------------------------------------------------------------- */

static const BenchCase benchmarks[] = {
  { "decode-offer", "strings/s", "decode of a ~200-character offer without paths",
    decode_typical_setup, decode_run, g_free },
  { "point-validation-limit", "strings/s", "bolt12_point_valid alone: the ceiling for decode",
    point_setup, point_run, g_free },
  { "decode-offer-2-paths", "strings/s", "decode of an offer with two 2-hop blinded paths",
    decode_two_paths_setup, decode_run, g_free },
  { "encode-offer", "ops/s", "encode of the typical offer (serialize, check, string)",
    encode_setup, encode_run, encode_teardown },
  { "invreq-create-sign", "ops/s", "build, sign and encode an invoice_request (fixed key)",
    invreq_setup, invreq_run, g_free },
  { "invreq-create-sign-new-key", "ops/s", "the same with a new payer key each time",
    invreq_new_key_setup, invreq_run, g_free },
  { "offer-command", "ops/s", "the offer command end to end into the store (synchronous=FULL)",
    offer_command_setup, offer_command_run, store_bench_free, BENCH_RATE_IO },
  { "sqlite-insert-limit", "inserts/s", "one plain INSERT per transaction, WAL, synchronous=FULL",
    sqlite_setup, sqlite_run, store_bench_free, BENCH_RATE_IO },
  { "history-10k", "ms", "history model open, scroll to the middle, search: 10,000 rows",
    .group = history_10k_group },
  { "history-100k", "ms", "the same at 100,000 rows",
    .group = history_100k_group },
  { "history-1m", "ms", "the same at 1,000,000 rows",
    .group = history_1m_group },
  { "qr-paintable-600", "µs", "QR paintable of a 600-character offer: encode + first snapshot",
    qr_setup, qr_paintable_run, qr_bench_free, BENCH_TIME_US },
  { "qr-snapshot-600", "µs", "a redraw of that paintable (snapshot only)",
    qr_setup, qr_snapshot_run, qr_bench_free, BENCH_TIME_US },
  { "first-frame", "ms", "GUI start (spawn) to the first frame of the main window",
    .group = first_frame_group },
  { "gui-memory", "MB", "GUI resident set: history shown, scrolled, searched; empty, 60, 1m rows",
    .group = gui_memory_group },
  { "peer", "strings/s", "--peer: the decode figures through LDK (boltz-bolt12, Node.js)",
    .group = peer_group },
};

/* µs of wall-clock time, or of this thread's CPU time (--cpu-time: figures that do not wait for
 * anything stay comparable on a machine other work is loading). */
static gint64
clock_us (gboolean cpu_time)
{
  struct timespec ts;

  if (!cpu_time || clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time ();
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Operations per second of one run lasting at least min_time seconds. */
static gboolean
measure_once (BenchRunFunc   run,
              gpointer       state,
              double         min_time,
              gboolean       cpu_time,
              double        *rate,
              GError       **error)
{
  gint64 start = clock_us (cpu_time);
  gint64 min_us = (gint64) (min_time * G_USEC_PER_SEC);
  gint64 elapsed = 0;
  guint64 done = 0;
  guint batch = 1;

  while (elapsed < min_us)
    {
      if (!run (state, batch, error))
        return FALSE;
      done += batch;
      elapsed = clock_us (cpu_time) - start;
      if (batch < (1u << 20) && elapsed < min_us / 4)
        batch *= 2;
    }

  *rate = (double) done * G_USEC_PER_SEC / (double) elapsed;
  return TRUE;
}

/* The median rate of options->runs runs. */
static gboolean
bench_rate (BenchRunFunc         run,
            gpointer             state,
            const BenchOptions  *options,
            double              *median,
            GError             **error)
{
  g_autofree double *rates = g_new0 (double, options->runs);

  for (gint r = 0; r < options->runs; r++)
    if (!measure_once (run, state, options->min_time, options->cpu_time, &rates[r], error))
      return FALSE;

  *median = median_of (rates, options->runs);
  return TRUE;
}

static gboolean
run_case (const BenchCase     *bench,
          const BenchOptions  *options,
          GError             **error)
{
  gpointer state;
  double rate;
  gboolean ok;

  if (bench->group != NULL)
    return bench->group (options, error);

  state = bench->setup (error);
  if (state == NULL)
    return FALSE;
  if (bench->show == BENCH_RATE_IO && options->cpu_time)
    {
      BenchOptions wall = *options;

      wall.cpu_time = FALSE;
      ok = bench_rate (bench->run, state, &wall, &rate, error);
    }
  else
    ok = bench_rate (bench->run, state, options, &rate, error);
  bench->teardown (state);
  if (!ok)
    return FALSE;

  if (bench->show == BENCH_TIME_US)
    print_figure (bench->name, G_USEC_PER_SEC / rate, bench->unit);
  else
    print_figure (bench->name, rate, bench->unit);
  return TRUE;
}

static gboolean
selected (const BenchCase  *bench,
          char            **filters)
{
  if (filters == NULL || filters[0] == NULL)
    return TRUE;
  for (guint i = 0; filters[i] != NULL; i++)
    if (strstr (bench->name, filters[i]) != NULL)
      return TRUE;
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) filters = NULL;
  BenchOptions options = { 5, 0.5, 1000000, FALSE, FALSE };
  gint64 max_rows = options.max_rows;
  gboolean list = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &options.runs, "Runs per figure; the median is printed",
      "N" },
    { "min-time", 't', 0, G_OPTION_ARG_DOUBLE, &options.min_time, "Seconds per run of a rate",
      "SECONDS" },
    { "max-rows", 0, 0, G_OPTION_ARG_INT64, &max_rows,
      "Skip history sizes above N rows (default 1000000)", "N" },
    { "peer", 'p', 0, G_OPTION_ARG_NONE, &options.peer,
      "Also decode the offers with LDK's parser (Node.js + boltz-bolt12) and print the ratio",
      NULL },
    { "cpu-time", 'c', 0, G_OPTION_ARG_NONE, &options.cpu_time,
      "Time rates by CPU time rather than wall-clock time (not the disk-bound ones)", NULL },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, "List the figures and exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters, NULL, "[NAME…]" },
    { NULL }
  };

  context = g_option_context_new ("- Offerdesk timing figures");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "offerdesk-bench: %s\n", error->message);
      return 2;
    }
  options.max_rows = max_rows;
  if (options.runs < 1 || options.min_time <= 0 || options.max_rows < 1)
    {
      fprintf (stderr, "offerdesk-bench: --runs and --max-rows must be ≥ 1, --min-time > 0\n");
      return 2;
    }

  for (guint i = 0; i < G_N_ELEMENTS (benchmarks); i++)
    {
      const BenchCase *bench = &benchmarks[i];

      if (!selected (bench, filters))
        continue;
      if (list)
        {
          printf ("%-28s %-10s %s\n", bench->name, bench->unit, bench->about);
          continue;
        }

      if (!run_case (bench, &options, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
            print_skip (bench->name, error->message);
          else
            {
              fprintf (stderr, "offerdesk-bench: %s: %s\n", bench->name, error->message);
              status = 1;
            }
          g_clear_error (&error);
        }
    }

  history_dirs_remove ();
  return status;
}
