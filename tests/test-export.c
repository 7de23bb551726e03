/* test-export.c: the history with its payments as CSV (od-export.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows and payments are put into the store directly (and a few through the commands), the CSV
 * is parsed back with a strict RFC 4180 reader written here, and every field is compared with
 * what the test stored.  Expected values (times, fiat amounts, the order) are computed here by
 * other means than the exporter's: GDateTime fields, 128-bit arithmetic, sorting the test's
 * own list.
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "od-commands.h"
#include "od-export.h"
#include "od-store.h"
#include "od-test-utils.h"

#define NETWORK "regtest"
#define N_COLUMNS 18

static const char header_line[] =
  "date,kind,description,amount_msat,fiat_amount,fiat_currency,rate_msat_per_unit,label,status,"
  "id,node_id,paid_at,paid_amount_msat,payer_note,quantity,recurrence_counter,pay_index,"
  "payment_hash\r\n";

enum
{
  COL_DATE, COL_KIND, COL_DESCRIPTION, COL_AMOUNT_MSAT, COL_FIAT_AMOUNT, COL_FIAT_CURRENCY,
  COL_RATE, COL_LABEL, COL_STATUS, COL_ID, COL_NODE_ID, COL_PAID_AT, COL_PAID_AMOUNT,
  COL_PAYER_NOTE, COL_QUANTITY, COL_RECURRENCE_COUNTER, COL_PAY_INDEX, COL_PAYMENT_HASH,
};

typedef struct
{
  char       *tmp;
  OdCommands *commands;
  OdStore    *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("od-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->commands = od_commands_new (f->tmp, NETWORK);
  g_assert_nonnull (f->commands);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->commands, od_commands_free);
  od_test_remove_tree (f->tmp);
  g_free (f->tmp);
}

static OdStore *
get_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->store == NULL)
    {
      f->store = od_commands_open_store (f->commands, TRUE, &error);
      g_assert_no_error (error);
      g_assert_nonnull (f->store);
    }

  return f->store;
}

/* ---- A strict RFC 4180 reader ---------------------------------------------------------- */

/* Records of fields; every record ends with CRLF, a quote inside an unquoted field, text after
 * a closing quote or a missing final CRLF fails the test. */
static GPtrArray *
parse_csv (const char *text,
           gsize       len)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  gsize i = 0;

  while (i < len)
    {
      if (text[i] == '"')
        {
          i++;
          for (;;)
            {
              g_assert_cmpuint (i, <, len);  /* unterminated quoted field */
              if (text[i] == '"')
                {
                  if (i + 1 < len && text[i + 1] == '"')
                    {
                      g_string_append_c (field, '"');
                      i += 2;
                      continue;
                    }
                  i++;
                  break;
                }
              g_string_append_c (field, text[i++]);
            }
        }
      else
        {
          while (i < len && text[i] != ',' && text[i] != '\r')
            {
              g_assert_cmpint (text[i], !=, '"');
              g_assert_cmpint (text[i], !=, '\n');
              g_string_append_c (field, text[i++]);
            }
        }

      g_assert_cmpuint (i, <, len);
      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (text[i] == ',')
        {
          i++;
          continue;
        }
      g_assert_cmpint (text[i], ==, '\r');
      g_assert_cmpuint (i + 1, <, len);
      g_assert_cmpint (text[i + 1], ==, '\n');
      i += 2;
      g_ptr_array_add (fields, NULL);
      /* Stealing leaves fields empty, ready for the next record. */
      g_ptr_array_add (records, g_ptr_array_steal (fields, NULL));
    }
  g_assert_cmpuint (fields->len, ==, 0);

  return records;
}

static void
test_parser (void)
{
  const char csv[] = "a,\"b,\"\"c\"\"\r\nd\",\r\n\"\",x\r\n";
  g_autoptr(GPtrArray) records = parse_csv (csv, strlen (csv));
  char **r0, **r1;

  g_assert_cmpuint (records->len, ==, 2);
  r0 = g_ptr_array_index (records, 0);
  r1 = g_ptr_array_index (records, 1);
  g_assert_cmpuint (g_strv_length (r0), ==, 3);
  g_assert_cmpstr (r0[0], ==, "a");
  g_assert_cmpstr (r0[1], ==, "b,\"c\"\r\nd");
  g_assert_cmpstr (r0[2], ==, "");
  g_assert_cmpstr (r1[0], ==, "");
  g_assert_cmpstr (r1[1], ==, "x");
}

/* ---- Export helpers ------------------------------------------------------------------- */

static char *
export_to_string (Fixture *f,
                  gsize   *len)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  char *data;

  g_assert_true (od_export_csv (f->commands, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  *len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  data = g_realloc (data, *len + 1);
  data[*len] = '\0';

  return data;
}

static char *
hex_id (GRand *rand)
{
  guint8 bytes[32];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);

  return od_test_hex (bytes, sizeof bytes);
}

static char *
node_id_for (guint n)
{
  return g_strdup_printf ("02%064x", n);
}

static char *
iso_time (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (unix_time);

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year (t),
                          g_date_time_get_month (t), g_date_time_get_day_of_month (t),
                          g_date_time_get_hour (t), g_date_time_get_minute (t),
                          g_date_time_get_second (t));
}

/* round_half_up (msat × 10^exponent / rate) as "<major>.<minor>", in 128 bits. */
static char *
expected_fiat (guint64 msat,
               guint64 rate,
               guint   exponent)
{
  unsigned __int128 scale = 1;
  unsigned __int128 minor;
  unsigned __int128 major;
  unsigned __int128 frac;
  char frac_text[16];

  for (guint i = 0; i < exponent; i++)
    scale *= 10;
  minor = ((unsigned __int128) msat * scale * 2 + rate) / ((unsigned __int128) rate * 2);
  major = minor / scale;
  frac = minor % scale;
  if (exponent == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) major);
  g_snprintf (frac_text, sizeof frac_text, "%0*" G_GUINT64_FORMAT, (int) exponent,
              (guint64) frac);

  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%s", (guint64) major, frac_text);
}

/* What a spreadsheet-safe field holds for a stored text. */
static char *
guarded (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  if (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')
    return g_strconcat ("'", text, NULL);

  return g_strdup (text);
}

static OdHistoryRow *
add_row (Fixture            *f,
         const OdHistoryRow *row)
{
  g_autoptr(GError) error = NULL;
  OdHistoryRow *stored;

  if (row->kind == OD_KIND_OFFER)
    stored = od_store_add_offer (get_store (f), row, NULL, &error);
  else
    stored = od_store_add_invoice_request (get_store (f), row, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  return stored;
}

static void
add_payment (Fixture         *f,
             const OdPayment *payment)
{
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  gboolean ok = od_store_add_payment (get_store (f), payment, &created, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (created);
}

/* ---- Cases ---------------------------------------------------------------------------- */

static void
test_empty_no_store (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmp, NETWORK, NULL);
  g_autofree char *csv = NULL;
  gsize len = 0;

  csv = export_to_string (f, &len);
  g_assert_cmpstr (csv, ==, header_line);
  g_assert_cmpuint (len, ==, strlen (header_line));
  /* Exporting never creates the store. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_empty_store (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *csv = NULL;
  gsize len = 0;

  get_store (f);
  csv = export_to_string (f, &len);
  g_assert_cmpstr (csv, ==, header_line);
}

/* Exact bytes of a few lines: quoting, doubled quotes, the formula guard, empty fields. */
static void
test_exact_lines (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(OdHistoryRow) offer = od_history_row_new (OD_KIND_OFFER);
  g_autoptr(OdHistoryRow) request = od_history_row_new (OD_KIND_INVOICE_REQUEST);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(OdPayment) payment = od_payment_new ();
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *node = node_id_for (7);
  gsize len = 0;

  offer->id = g_strnfill (64, 'a');
  offer->bolt12 = g_strdup ("lno1test");
  offer->network = g_strdup (NETWORK);
  offer->created_at = 1763719200;  /* 2025-11-21T10:00:00Z */
  offer->description = g_strdup ("Coffee, \"large\"");
  offer->currency = g_strdup ("USD");
  offer->currency_amount = 1250;
  offer->label = g_strdup ("=SUM(A1:A9)");
  offer->node_id = g_strdup (node);
  g_clear_pointer (&stored, od_history_row_free);
  stored = add_row (f, offer);

  request->id = g_strnfill (64, 'b');
  request->bolt12 = g_strdup ("lnr1test");
  request->network = g_strdup (NETWORK);
  request->created_at = 1763719201;
  request->description = g_strdup ("Refund\nline two");
  request->has_amount_msat = TRUE;
  request->amount_msat = 5000;
  request->label = g_strdup ("-5");
  g_clear_pointer (&stored, od_history_row_free);
  stored = add_row (f, request);

  payment->node_id = g_strdup (node);
  payment->pay_index = 3;
  payment->offer_id = g_strnfill (64, 'a');
  payment->label = g_strdup ("inv-3");
  payment->payment_hash = g_strnfill (64, 'c');
  payment->amount_msat = 12500000;
  payment->paid_at = 1763722800;  /* 11:00:00 */
  payment->payer_note = g_strdup ("@you \"thanks\"");
  payment->has_quantity = TRUE;
  payment->quantity = 2;
  payment->rate_msat_per_unit = 1000000;  /* 1 USD = 1000 sat: 12500 sat = 12.50 USD */
  add_payment (f, payment);

  csv = export_to_string (f, &len);
  expected = g_strconcat (header_line,
                          "2025-11-21T10:00:01Z,invoice_request,\"Refund\nline two\",5000,,,,"
                          "'-5,active,", request->id, ",,,,,,,,\r\n",
                          "2025-11-21T10:00:00Z,offer,\"Coffee, \"\"large\"\"\",,12.50,USD,"
                          "1000000,'=SUM(A1:A9),active,", offer->id, ",", node,
                          ",2025-11-21T11:00:00Z,12500000,\"'@you \"\"thanks\"\"\",2,,3,",
                          payment->payment_hash, "\r\n", NULL);
  g_assert_cmpstr (csv, ==, expected);
}

/* A payment's fiat amount: msat / rate, half up, with the currency's minor digits. */
static void
test_fiat_rounding (Fixture       *f,
                    gconstpointer  data)
{
  static const struct
  {
    const char *currency;
    guint64     msat;
    guint64     rate;
    const char *fiat;
  } cases[] = {
    { "USD", 5, 1000, "0.01" },                      /* 0.005 -> up */
    { "USD", 4, 1000, "0.00" },
    { "USD", 1000, 3, "333.33" },
    { "USD", 999995, 1000000, "1.00" },              /* carry into the whole part */
    { "JPY", 1500, 1000, "2" },                      /* no minor digits */
    { "JPY", 1499, 1000, "1" },
    { "KWD", 1234567, 1000, "1234.567" },            /* three minor digits */
    { "USD", G_GUINT64_CONSTANT (2100000000000000000), 1,
      "2100000000000000000.00" },                    /* no overflow */
    { "USD", G_GUINT64_CONSTANT (2100000000000000000),
      G_GUINT64_CONSTANT (2100000000000000000) - 1, "1.00" },
    { "EUR", G_GUINT64_CONSTANT (1999999999999999999),
      G_GUINT64_CONSTANT (2000000000000000000), "1.00" },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4180);
  g_autofree char *node = node_id_for (1);
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) records = NULL;
  gsize len = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(OdHistoryRow) row = od_history_row_new (OD_KIND_OFFER);
      g_autoptr(OdHistoryRow) stored = NULL;
      g_autoptr(OdPayment) payment = od_payment_new ();

      row->id = hex_id (rand);
      row->bolt12 = g_strdup ("lno1x");
      row->network = g_strdup (NETWORK);
      row->created_at = 1000 + i;
      row->currency = g_strdup (cases[i].currency);
      row->currency_amount = 100;
      stored = add_row (f, row);

      payment->node_id = g_strdup (node);
      payment->pay_index = i + 1;
      payment->offer_id = g_strdup (row->id);
      payment->label = g_strdup_printf ("case %u", i);
      payment->payment_hash = hex_id (rand);
      payment->amount_msat = cases[i].msat;
      payment->paid_at = 5000 + i;
      payment->rate_msat_per_unit = cases[i].rate;
      add_payment (f, payment);
    }

  csv = export_to_string (f, &len);
  records = parse_csv (csv, len);
  g_assert_cmpuint (records->len, ==, 1 + G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* Newest first: the last case is the first line. */
      char **record = g_ptr_array_index (records, G_N_ELEMENTS (cases) - i);
      g_autofree char *rate = g_strdup_printf ("%" G_GUINT64_FORMAT, cases[i].rate);
      guint exponent = strchr (cases[i].fiat, '.') != NULL
                       ? strlen (strchr (cases[i].fiat, '.') + 1) : 0;
      g_autofree char *computed = expected_fiat (cases[i].msat, cases[i].rate, exponent);

      g_assert_cmpstr (record[COL_FIAT_CURRENCY], ==, cases[i].currency);
      g_assert_cmpstr (record[COL_FIAT_AMOUNT], ==, cases[i].fiat);
      g_assert_cmpstr (record[COL_FIAT_AMOUNT], ==, computed);
      g_assert_cmpstr (record[COL_RATE], ==, rate);
    }
}

/* ---- The generated history ----------------------------------------------------------- */

typedef struct
{
  OdHistoryRow *row;       /* as stored */
  GPtrArray    *payments;  /* OdPayment*, as given to the store */
  guint         order;     /* insertion number */
} Expected;

static void
expected_free (Expected *e)
{
  od_history_row_free (e->row);
  g_ptr_array_unref (e->payments);
  g_free (e);
}

static int
expected_newest_first (gconstpointer a,
                       gconstpointer b)
{
  const Expected *ea = *(Expected * const *) a;
  const Expected *eb = *(Expected * const *) b;

  if (ea->row->created_at != eb->row->created_at)
    return ea->row->created_at > eb->row->created_at ? -1 : 1;

  return ea->order > eb->order ? -1 : 1;
}

static int
payment_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const OdPayment *pa = *(OdPayment * const *) a;
  const OdPayment *pb = *(OdPayment * const *) b;

  if (pa->paid_at != pb->paid_at)
    return pa->paid_at > pb->paid_at ? -1 : 1;
  if (pa->pay_index != pb->pay_index)
    return pa->pay_index > pb->pay_index ? -1 : 1;

  return 0;
}

static const char * const texts[] = {
  "Plain coffee",
  "Tea, green",
  "The \"special\" menu",
  "Two\nlines",
  "Carriage\rreturn",
  "Crlf\r\ninside",
  "=HYPERLINK(\"http://example.com\")",
  "+1 extra shot",
  "-10% discount",
  "@admin",
  "Caf\xc3\xa9 \xe2\x98\x95 \xe6\x9d\xb1\xe4\xba\xac",    /* Café ☕ 東京 */
  "\xf0\x9f\x8d\xa9 Donut",                                /* 🍩 Donut */
  " leading space, trailing space ",
  "'quoted already",
  "a,b,c,\"d\"",
  "",
};

static const char *
pick_text (GRand *rand)
{
  return texts[g_rand_int_range (rand, 0, G_N_ELEMENTS (texts))];
}

static void
check_record (char           **record,
              const Expected  *e,
              const OdPayment *payment,
              gint64           now)
{
  const OdHistoryRow *row = e->row;
  g_autofree char *date = iso_time (row->created_at);
  g_autofree char *amount = row->has_amount_msat
                            ? g_strdup_printf ("%" G_GUINT64_FORMAT, row->amount_msat)
                            : g_strdup ("");
  g_autofree char *description = guarded (row->description);
  g_autofree char *label = guarded (row->label);
  g_autofree char *fiat = NULL;
  g_autofree char *rate = NULL;
  const char *status;
  const char *node_id = row->node_id;

  g_assert_cmpuint (g_strv_length (record), ==, N_COLUMNS);
  g_assert_cmpstr (record[COL_DATE], ==, date);
  g_assert_cmpstr (record[COL_KIND], ==, row->kind == OD_KIND_OFFER ? "offer"
                                                                    : "invoice_request");
  g_assert_cmpstr (record[COL_DESCRIPTION], ==, description);
  g_assert_cmpstr (record[COL_AMOUNT_MSAT], ==, amount);
  g_assert_cmpstr (record[COL_LABEL], ==, label);
  g_assert_cmpstr (record[COL_ID], ==, row->id);

  if (row->currency != NULL)
    {
      guint exponent = strcmp (row->currency, "JPY") == 0 ? 0
                       : strcmp (row->currency, "KWD") == 0 ? 3 : 2;

      if (payment != NULL && payment->rate_msat_per_unit > 0)
        {
          fiat = expected_fiat (payment->amount_msat, payment->rate_msat_per_unit, exponent);
          rate = g_strdup_printf ("%" G_GUINT64_FORMAT, payment->rate_msat_per_unit);
        }
      else
        {
          guint64 scale = 1;

          /* The offer's own amount: minor units / 10^exponent. */
          for (guint i = 0; i < exponent; i++)
            scale *= 10;
          fiat = expected_fiat (row->currency_amount, scale, exponent);
        }
      g_assert_cmpstr (record[COL_FIAT_CURRENCY], ==, row->currency);
    }
  else
    {
      g_assert_cmpstr (record[COL_FIAT_CURRENCY], ==, "");
    }
  g_assert_cmpstr (record[COL_FIAT_AMOUNT], ==, fiat != NULL ? fiat : "");
  g_assert_cmpstr (record[COL_RATE], ==, rate != NULL ? rate : "");

  if (!row->active)
    status = row->used ? "used" : "disabled";
  else if (row->has_absolute_expiry && row->absolute_expiry < (guint64) now)
    status = "expired";
  else
    status = "active";
  g_assert_cmpstr (record[COL_STATUS], ==, status);

  if (payment != NULL)
    {
      g_autofree char *paid_at = iso_time (payment->paid_at);
      g_autofree char *paid_amount = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                      payment->amount_msat);
      g_autofree char *note = guarded (payment->payer_note);
      g_autofree char *quantity = payment->has_quantity
                                  ? g_strdup_printf ("%" G_GUINT64_FORMAT, payment->quantity)
                                  : g_strdup ("");
      g_autofree char *counter = payment->has_recurrence_counter
                                 ? g_strdup_printf ("%u", payment->recurrence_counter)
                                 : g_strdup ("");
      g_autofree char *pay_index = g_strdup_printf ("%" G_GUINT64_FORMAT, payment->pay_index);

      if (node_id == NULL)
        node_id = payment->node_id;
      g_assert_cmpstr (record[COL_PAID_AT], ==, paid_at);
      g_assert_cmpstr (record[COL_PAID_AMOUNT], ==, paid_amount);
      g_assert_cmpstr (record[COL_PAYER_NOTE], ==, note);
      g_assert_cmpstr (record[COL_QUANTITY], ==, quantity);
      g_assert_cmpstr (record[COL_RECURRENCE_COUNTER], ==, counter);
      g_assert_cmpstr (record[COL_PAY_INDEX], ==, pay_index);
      g_assert_cmpstr (record[COL_PAYMENT_HASH], ==, payment->payment_hash);
    }
  else
    {
      for (guint c = COL_PAID_AT; c <= COL_PAYMENT_HASH; c++)
        g_assert_cmpstr (record[c], ==, "");
    }
  g_assert_cmpstr (record[COL_NODE_ID], ==, node_id != NULL ? node_id : "");
}

/* 700 rows (more than two export pages), a fifth of the offers paid one to four times. */
static void
test_generated (Fixture       *f,
                gconstpointer  data)
{
  static const char * const currencies[] = { "USD", "EUR", "JPY", "KWD" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) expected_free);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *node = node_id_for (42);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 pay_index = 0;
  guint n_lines = 0;
  guint line = 1;
  gsize len = 0;

  for (guint i = 0; i < 700; i++)
    {
      OdKind kind = g_rand_int_range (rand, 0, 5) == 0 ? OD_KIND_INVOICE_REQUEST : OD_KIND_OFFER;
      g_autoptr(OdHistoryRow) row = od_history_row_new (kind);
      Expected *e = g_new0 (Expected, 1);
      int amount_kind = g_rand_int_range (rand, 0, 3);

      row->id = hex_id (rand);
      row->bolt12 = g_strdup (kind == OD_KIND_OFFER ? "lno1generated" : "lnr1generated");
      row->network = g_strdup (NETWORK);
      /* Many rows share a second: the insertion order breaks the tie. */
      row->created_at = 1700000000 + g_rand_int_range (rand, 0, 300);
      row->description = g_strdup (pick_text (rand));
      if (g_rand_boolean (rand))
        row->label = g_strdup (pick_text (rand));
      if (kind == OD_KIND_INVOICE_REQUEST || amount_kind == 0)
        {
          row->has_amount_msat = TRUE;
          row->amount_msat = g_rand_int_range (rand, 1, G_MAXINT32) * (guint64) 1000;
        }
      else if (amount_kind == 1)
        {
          row->currency = g_strdup (currencies[g_rand_int_range (rand, 0, 4)]);
          row->currency_amount = g_rand_int_range (rand, 1, 10000000);
        }
      if (g_rand_int_range (rand, 0, 3) == 0)
        row->node_id = g_strdup (node);
      if (g_rand_int_range (rand, 0, 10) == 0)
        {
          row->has_absolute_expiry = TRUE;
          row->absolute_expiry = 1000;  /* long past */
        }
      if (kind == OD_KIND_OFFER && g_rand_int_range (rand, 0, 8) == 0)
        row->status = 0;  /* disabled */

      e->row = add_row (f, row);
      e->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) od_payment_free);
      e->order = i;
      g_ptr_array_add (expected, e);

      if (kind == OD_KIND_OFFER && g_rand_int_range (rand, 0, 5) == 0)
        {
          guint n = g_rand_int_range (rand, 1, 5);

          for (guint p = 0; p < n; p++)
            {
              g_autoptr(OdPayment) payment = od_payment_new ();

              payment->node_id = g_strdup (node);
              payment->pay_index = ++pay_index;
              payment->offer_id = g_strdup (row->id);
              payment->label = g_strdup_printf ("invoice %" G_GUINT64_FORMAT, pay_index);
              payment->payment_hash = hex_id (rand);
              payment->amount_msat = g_rand_int_range (rand, 1, G_MAXINT32);
              /* Sometimes two payments in one second. */
              payment->paid_at = row->created_at + 10 * (gint64) g_rand_int_range (rand, 0, 4);
              if (g_rand_boolean (rand))
                payment->payer_note = g_strdup (pick_text (rand));
              if (g_rand_boolean (rand))
                {
                  payment->has_quantity = TRUE;
                  payment->quantity = g_rand_int_range (rand, 1, 100);
                }
              if (g_rand_boolean (rand))
                {
                  payment->has_recurrence_counter = TRUE;
                  payment->recurrence_counter = g_rand_int_range (rand, 0, 1000);
                }
              if (row->currency != NULL && g_rand_boolean (rand))
                payment->rate_msat_per_unit = g_rand_int_range (rand, 1, G_MAXINT32);
              add_payment (f, payment);
              g_ptr_array_add (e->payments, g_steal_pointer (&payment));
            }

          /* A payment marks the offer used: what the store has now. */
          {
            g_autoptr(GError) error = NULL;

            od_history_row_free (e->row);
            e->row = od_store_get (get_store (f), OD_KIND_OFFER, row->id, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (e->row->paid_count, ==, n);
          }
        }
    }

  g_ptr_array_sort (expected, expected_newest_first);
  for (guint i = 0; i < expected->len; i++)
    {
      Expected *e = g_ptr_array_index (expected, i);

      g_ptr_array_sort (e->payments, payment_newest_first);
      n_lines += MAX (e->payments->len, 1);
    }

  csv = export_to_string (f, &len);
  g_assert_true (g_utf8_validate (csv, len, NULL));
  g_assert_true (g_str_has_prefix (csv, header_line));
  records = parse_csv (csv, len);
  g_assert_cmpuint (records->len, ==, 1 + n_lines);

  for (guint i = 0; i < expected->len; i++)
    {
      Expected *e = g_ptr_array_index (expected, i);

      if (e->payments->len == 0)
        check_record (g_ptr_array_index (records, line++), e, NULL, now);
      for (guint p = 0; p < e->payments->len; p++)
        check_record (g_ptr_array_index (records, line++), e,
                      g_ptr_array_index (e->payments, p), now);
    }
  g_assert_cmpuint (line, ==, records->len);
}

/* Offers and a request made by the commands, an offer in a currency with the rate of the day. */
static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) rate = NULL;
  g_autoptr(JsonNode) offer = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(OdPayment) payment = od_payment_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *csv = NULL;
  const char *offer_id;
  const char *invreq_id;
  char **line;
  gsize len = 0;

  rate = od_commands_call_json (f->commands, "setrate", "[\"EUR\", 1200000]", &error);
  g_assert_no_error (error);
  offer = od_commands_call_json (f->commands, "offer",
                                 "{\"amount\": \"3.20EUR\", \"description\": \"Croissant, "
                                 "butter\", \"label\": \"+bakery\"}", &error);
  g_assert_no_error (error);
  offer_id = json_object_get_string_member (json_node_get_object (offer), "offer_id");
  request = od_commands_call_json (f->commands, "invoicerequest",
                                   "{\"amount\": \"2500sat\", \"description\": \"Refund\"}",
                                   &error);
  g_assert_no_error (error);
  invreq_id = json_object_get_string_member (json_node_get_object (request), "invreq_id");

  payment->node_id = node_id_for (3);
  payment->pay_index = 1;
  payment->offer_id = g_strdup (offer_id);
  payment->label = g_strdup ("inv-1");
  payment->payment_hash = g_strnfill (64, 'd');
  payment->amount_msat = 3840000;
  payment->paid_at = g_get_real_time () / G_USEC_PER_SEC;
  payment->payer_note = g_strdup ("merci");
  payment->rate_msat_per_unit = 1200000;
  add_payment (f, payment);

  csv = export_to_string (f, &len);
  records = parse_csv (csv, len);
  g_assert_cmpuint (records->len, ==, 3);

  /* Made in the same second, the request last: it comes first. */
  line = g_ptr_array_index (records, 1);
  g_assert_cmpstr (line[COL_KIND], ==, "invoice_request");
  g_assert_cmpstr (line[COL_ID], ==, invreq_id);
  g_assert_cmpstr (line[COL_AMOUNT_MSAT], ==, "2500000");
  g_assert_cmpstr (line[COL_STATUS], ==, "active");

  line = g_ptr_array_index (records, 2);
  g_assert_cmpstr (line[COL_KIND], ==, "offer");
  g_assert_cmpstr (line[COL_ID], ==, offer_id);
  g_assert_cmpstr (line[COL_DESCRIPTION], ==, "Croissant, butter");
  g_assert_cmpstr (line[COL_LABEL], ==, "'+bakery");
  g_assert_cmpstr (line[COL_AMOUNT_MSAT], ==, "");
  g_assert_cmpstr (line[COL_FIAT_AMOUNT], ==, "3.20");  /* 3840000 / 1200000 */
  g_assert_cmpstr (line[COL_FIAT_CURRENCY], ==, "EUR");
  g_assert_cmpstr (line[COL_RATE], ==, "1200000");
  g_assert_cmpstr (line[COL_PAID_AMOUNT], ==, "3840000");
  g_assert_cmpstr (line[COL_PAYER_NOTE], ==, "merci");
  g_assert_cmpstr (line[COL_NODE_ID], ==, payment->node_id);
}

/* ---- The file variant ----------------------------------------------------------------- */

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);

  return contents;
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
add_simple_offer (Fixture    *f,
                  const char *description)
{
  g_autoptr(OdHistoryRow) row = od_history_row_new (OD_KIND_OFFER);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) description, -1);
  row->id = g_strdup (g_checksum_get_string (sum));
  row->bolt12 = g_strdup ("lno1simple");
  row->network = g_strdup (NETWORK);
  row->description = g_strdup (description);
  stored = add_row (f, row);
}

static void
test_file_new_and_replace (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "out", NULL);
  g_autofree char *path = g_build_filename (dir, "history.csv", NULL);
  g_autofree char *old_link = g_build_filename (dir, "old-link.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *old = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *streamed = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  add_simple_offer (f, "First offer");

  g_assert_true (od_export_csv_file (f->commands, path, NULL, &error));
  g_assert_no_error (error);
  first = read_file (path);
  streamed = export_to_string (f, &len);
  g_assert_cmpstr (first, ==, streamed);
  g_assert_nonnull (strstr (first, "First offer"));

  /* The old file's inode keeps its contents: the new file was renamed over it, not written
   * into it. */
  g_assert_cmpint (link (path, old_link), ==, 0);
  add_simple_offer (f, "Second offer");
  g_assert_true (od_export_csv_file (f->commands, path, NULL, &error));
  g_assert_no_error (error);
  second = read_file (path);
  g_assert_nonnull (strstr (second, "Second offer"));
  old = read_file (old_link);
  g_assert_cmpstr (old, ==, first);

  /* Nothing else left in the directory. */
  listing = od_test_dir_listing (dir);
  g_assert_cmpstr (listing, ==, "history.csv,old-link.csv");
}

static void
test_file_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "out", NULL);
  g_autofree char *path = g_build_filename (dir, "history.csv", NULL);
  g_autofree char *missing = g_build_filename (f->tmp, "no-such-dir", "history.csv", NULL);
  g_autofree char *subdir = g_build_filename (dir, "a-directory", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  add_simple_offer (f, "An offer");
  write_file (path, "the old export\r\n");

  /* A directory that does not exist. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (od_export_csv_file (f->commands, missing, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, missing));
    /* In the person's terms: their path, not the temporary file's. */
    g_assert_null (strstr (error->message, ".tmp"));
    g_assert_true (g_str_has_suffix (error->message, g_strerror (ENOENT)));
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }

  /* A directory in the way: the rename fails at the very end, the temporary file goes. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (od_export_csv_file (f->commands, subdir, NULL, &error));
    g_assert_nonnull (error);
    g_assert_true (g_file_test (subdir, G_FILE_TEST_IS_DIR));
    listing = od_test_dir_listing (dir);
    g_assert_cmpstr (listing, ==, "a-directory,history.csv");
    g_clear_pointer (&listing, g_free);
  }

  /* Cancelled: the old file stays as it was, no temporary file is left. */
  {
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel (cancellable);
    g_assert_false (od_export_csv_file (f->commands, path, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    contents = read_file (path);
    g_assert_cmpstr (contents, ==, "the old export\r\n");
    listing = od_test_dir_listing (dir);
    g_assert_cmpstr (listing, ==, "a-directory,history.csv");
    g_clear_pointer (&listing, g_free);
  }

  /* A read-only directory (root writes anyway, so only as another user). */
  if (geteuid () != 0)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
      g_assert_false (od_export_csv_file (f->commands, path, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
      g_clear_pointer (&contents, g_free);
      contents = read_file (path);
      g_assert_cmpstr (contents, ==, "the old export\r\n");
      listing = od_test_dir_listing (dir);
      g_assert_cmpstr (listing, ==, "a-directory,history.csv");
    }
}

/* offerdesk-cli exportcsv FILE (OFFERDESK_CLI): another process, the same bytes. */
static void
run_cli (Fixture     *f,
         const char  *arg,
         char       **out,
         int         *status)
{
  const char *cli = g_getenv ("OFFERDESK_CLI");
  const char *argv[] = { cli, "--data-dir", f->tmp, "--network", NETWORK, "exportcsv", arg,
                         NULL };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (cli);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL,
                status, &error);
  g_assert_no_error (error);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->tmp, "cli.csv", NULL);
  g_autofree char *missing = g_build_filename (f->tmp, "no-dir", "cli.csv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  gsize len = 0;

  add_simple_offer (f, "Through the CLI, \"quoted\"");
  add_simple_offer (f, "=1+1");

  run_cli (f, path, &out, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "\"path\""));
  written = read_file (path);
  expected = export_to_string (f, &len);
  g_assert_cmpstr (written, ==, expected);
  g_clear_pointer (&out, g_free);

  /* A directory that does not exist: exit status 1, the error as JSON, no file. */
  run_cli (f, missing, &out, &status);
  g_assert_false (g_spawn_check_wait_status (status, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 1);
  g_assert_nonnull (strstr (out, "Cannot export to"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* A stream that fails after some bytes (a full disk): the error comes back, in words. */
#define OD_TYPE_FAILING_STREAM (od_failing_stream_get_type ())
G_DECLARE_FINAL_TYPE (OdFailingStream, od_failing_stream, OD, FAILING_STREAM, GOutputStream)

struct _OdFailingStream
{
  GOutputStream parent_instance;
  gsize         budget;
};

G_DEFINE_FINAL_TYPE (OdFailingStream, od_failing_stream, G_TYPE_OUTPUT_STREAM)

static gssize
od_failing_stream_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  OdFailingStream *self = OD_FAILING_STREAM (stream);

  if (self->budget == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left on device");
      return -1;
    }
  count = MIN (count, self->budget);
  self->budget -= count;

  return count;
}

static void
od_failing_stream_class_init (OdFailingStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = od_failing_stream_write;
}

static void
od_failing_stream_init (OdFailingStream *self)
{
}

static void
test_stream_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(OdFailingStream) out = g_object_new (OD_TYPE_FAILING_STREAM, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *description = g_strdup_printf ("Offer %u", i);

      add_simple_offer (f, description);
    }
  out->budget = strlen (header_line) + 100;
  g_assert_false (od_export_csv (f->commands, G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/parser", test_parser);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/export/empty/no-store", test_empty_no_store);
  ADD ("/export/empty/store", test_empty_store);
  ADD ("/export/exact-lines", test_exact_lines);
  ADD ("/export/fiat-rounding", test_fiat_rounding);
  ADD ("/export/generated", test_generated);
  ADD ("/export/commands", test_commands);
  ADD ("/export/file/new-and-replace", test_file_new_and_replace);
  ADD ("/export/file/errors", test_file_errors);
  ADD ("/export/stream-error", test_stream_error);
  ADD ("/export/cli", test_cli);
#undef ADD

  return g_test_run ();
}
