/* offerdesk-bench.c: timing figures for Offerdesk (never run by the test suite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   offerdesk-bench [--runs N] [--min-time SECONDS] [--list] [NAME-SUBSTRING...]
 *
 * Prints one line per figure on stdout, `name: value unit`, the median of --runs runs (default
 * 5) that each last at least --min-time seconds (default 0.5).  Notes go to stderr.
 *
 * To add a figure, write a setup / run / teardown triple and add a row to `benchmarks[]`:
 * run (state, n) performs n operations; the figure is operations per second.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <glib/gstdio.h>

#include "bolt12.h"
#include "bolt12-json.h"
#include "od-commands.h"

typedef gpointer (*BenchSetupFunc) (GError  **error);
typedef gboolean (*BenchRunFunc)   (gpointer  state,
                                    guint     n,
                                    GError  **error);

typedef struct
{
  const char     *name;
  const char     *unit;
  const char     *about;
  BenchSetupFunc  setup;
  BenchRunFunc    run;
  GDestroyNotify  teardown;
} BenchCase;

/* Fixed keys: the figures do not depend on randomness. */
static const guint8 issuer_seckey[32] = {
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
};

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
  if (!bolt12_pubkey_from_seckey (seckey, pubkey))
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
  if (!bolt12_pubkey_from_seckey (issuer_seckey, msg->offer_issuer_id))
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

  if (!bolt12_pubkey_from_seckey (issuer_seckey, issuer_id) ||
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

/* invreq-create-sign: an offer-less invoice_request (a refund) with a fresh payer key, signed
 * as Core Lightning signs its invoicerequest strings, then encoded. */

static gpointer
invreq_setup (GError **error)
{
  return g_new0 (guint64, 1);
}

static gboolean
invreq_run (gpointer   state,
            guint      n,
            GError   **error)
{
  guint64 *counter = state;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
      g_autofree char *str = NULL;
      guint8 metadata[16];
      guint8 payer_seckey[32];
      guint64 c = ++*counter;

      memset (metadata, 0x5a, sizeof metadata);
      memcpy (metadata, &c, sizeof c);
      memset (payer_seckey, 0x22, sizeof payer_seckey);
      memcpy (payer_seckey, &c, sizeof c);

      msg->invreq_metadata = g_bytes_new (metadata, sizeof metadata);
      msg->offer_description = g_strdup ("Refund for order 4711");
      msg->has_invreq_amount = TRUE;
      msg->invreq_amount = 2500000;
      msg->has_invreq_payer_id = TRUE;
      if (!bolt12_pubkey_from_seckey (payer_seckey, msg->invreq_payer_id))
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Cannot derive the payer key");
          return FALSE;
        }
      if (!bolt12_message_sign (msg, payer_seckey, error))
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

  if (!bolt12_pubkey_from_seckey (issuer_seckey, point))
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

static const BenchCase benchmarks[] = {
  { "decode-offer", "strings/s", "decode of a ~200-character offer without paths",
    decode_typical_setup, decode_run, g_free },
  { "decode-offer-2-paths", "strings/s", "decode of an offer with two 2-hop blinded paths",
    decode_two_paths_setup, decode_run, g_free },
  { "encode-offer", "ops/s", "encode of the typical offer (serialize, check, string)",
    encode_setup, encode_run, encode_teardown },
  { "invreq-create-sign", "ops/s", "build, sign and encode an offer-less invoice_request",
    invreq_setup, invreq_run, g_free },
  { "point-validation-limit", "strings/s", "bolt12_point_valid alone: the ceiling for decode",
    point_setup, point_run, g_free },
  { "offer-command", "ops/s", "the offer command end to end into the store (synchronous=FULL)",
    offer_command_setup, offer_command_run, store_bench_free },
  { "sqlite-insert-limit", "inserts/s", "one plain INSERT per transaction, WAL, synchronous=FULL",
    sqlite_setup, sqlite_run, store_bench_free },
};

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Operations per second of one run lasting at least min_time seconds. */
static gboolean
measure_once (const BenchCase  *bench,
              gpointer          state,
              double            min_time,
              double           *rate,
              GError          **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 min_us = (gint64) (min_time * G_USEC_PER_SEC);
  gint64 elapsed = 0;
  guint64 done = 0;
  guint batch = 1;

  while (elapsed < min_us)
    {
      if (!bench->run (state, batch, error))
        return FALSE;
      done += batch;
      elapsed = g_get_monotonic_time () - start;
      if (batch < (1u << 20) && elapsed < min_us / 4)
        batch *= 2;
    }

  *rate = (double) done * G_USEC_PER_SEC / (double) elapsed;
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
  gint runs = 5;
  double min_time = 0.5;
  gboolean list = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per figure; the median is printed", "N" },
    { "min-time", 't', 0, G_OPTION_ARG_DOUBLE, &min_time, "Seconds per run", "SECONDS" },
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
  if (runs < 1 || min_time <= 0)
    {
      fprintf (stderr, "offerdesk-bench: --runs must be ≥ 1 and --min-time > 0\n");
      return 2;
    }

  for (guint i = 0; i < G_N_ELEMENTS (benchmarks); i++)
    {
      const BenchCase *bench = &benchmarks[i];
      g_autofree double *rates = NULL;
      gpointer state;

      if (!selected (bench, filters))
        continue;
      if (list)
        {
          printf ("%-24s %-10s %s\n", bench->name, bench->unit, bench->about);
          continue;
        }

      state = bench->setup (&error);
      if (state == NULL)
        {
          fprintf (stderr, "offerdesk-bench: %s: setup failed: %s\n", bench->name,
                   error ? error->message : "no reason given");
          g_clear_error (&error);
          status = 1;
          continue;
        }

      rates = g_new0 (double, runs);
      for (gint r = 0; r < runs; r++)
        {
          if (!measure_once (bench, state, min_time, &rates[r], &error))
            {
              fprintf (stderr, "offerdesk-bench: %s: %s\n", bench->name,
                       error ? error->message : "failed");
              g_clear_error (&error);
              status = 1;
              break;
            }
          if (r == runs - 1)
            {
              qsort (rates, runs, sizeof (double), compare_doubles);
              printf ("%s: %.0f %s\n", bench->name, rates[runs / 2], bench->unit);
              fflush (stdout);
            }
        }

      bench->teardown (state);
    }

  return status;
}
