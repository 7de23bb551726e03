/* test-amount.c: the amount grammars and the ISO 4217 table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12.h"

#define MAX_MSAT "2100000000000000000"

/* Expected outcome of one parse: a kind with its value (and code), or an error. */
typedef struct
{
  const char       *text;
  gboolean          ok;
  Bolt12AmountKind  kind;
  guint64           value;
  const char       *currency;  /* for BOLT12_AMOUNT_CURRENCY */
  Bolt12Error       code;      /* when !ok */
  const char       *message;   /* when !ok */
} AmountCase;

#define MSAT(v)            TRUE, BOLT12_AMOUNT_MSAT, G_GUINT64_CONSTANT (v), NULL, 0, NULL
#define CUR(v, c)          TRUE, BOLT12_AMOUNT_CURRENCY, G_GUINT64_CONSTANT (v), c, 0, NULL
#define BAD(m)             FALSE, 0, 0, NULL, BOLT12_ERROR_GRAMMAR, m
#define TOO_LARGE          FALSE, 0, 0, NULL, BOLT12_ERROR_RANGE, "excessively large value"

static const AmountCase amount_cases[] = {
  /* "any" */
  { "any", TRUE, BOLT12_AMOUNT_ANY, 0, NULL, 0, NULL },
  { "ANY", BAD ("Unknown currency suffix ANY") },
  { "any ", BAD ("Unknown currency suffix ny ") },

  /* msat forms */
  { "0", MSAT (0) },
  { "0msat", MSAT (0) },
  { "7", MSAT (7) },
  { "007", MSAT (7) },  /* leading zeros are accepted, as in Core Lightning */
  { "10000", MSAT (10000) },
  { "10000msat", MSAT (10000) },
  { "1sat", MSAT (1000) },
  { "10sat", MSAT (10000) },
  { "0sat", MSAT (0) },
  { "1.5sat", MSAT (1500) },
  { "1.05sat", MSAT (1050) },
  { "1.005sat", MSAT (1005) },
  { "0.001sat", MSAT (1) },
  { "1btc", MSAT (100000000000) },
  { "0.5btc", MSAT (50000000000) },
  { "0.00000000001btc", MSAT (1) },
  { "1.23456789012btc", MSAT (123456789012) },
  { "00.10btc", MSAT (10000000000) },

  /* the 21e6 BTC ceiling and u64 overflow */
  { "21000000btc", MSAT (2100000000000000000) },
  { "20999999.99999999999btc", MSAT (2099999999999999999) },
  { MAX_MSAT, MSAT (2100000000000000000) },
  { MAX_MSAT "msat", MSAT (2100000000000000000) },
  { "2100000000000000sat", MSAT (2100000000000000000) },
  { "2100000000000000001", TOO_LARGE },
  { "2100000000000000001msat", TOO_LARGE },
  { "2100000000000000.001sat", TOO_LARGE },
  { "21000000.00000000001btc", TOO_LARGE },
  { "21000001btc", TOO_LARGE },
  { "18446744073709551615", TOO_LARGE },
  { "18446744073709551616", TOO_LARGE },
  { "18446744073709551616msat", TOO_LARGE },
  { "18446744073709552sat", TOO_LARGE },
  { "184467440737095516btc", TOO_LARGE },
  { "99999999999999999999999999999999sat", TOO_LARGE },

  /* not msat forms, so they fall through to the currency grammar */
  { "1.123456789012btc", BAD ("Unknown currency suffix btc") },  /* 12 decimals */
  { ".5btc", BAD ("Unknown currency suffix btc") },
  { "1.btc", BAD ("Unknown currency suffix btc") },
  { "1.sat", BAD ("Unknown currency suffix sat") },
  { "1.0005sat", BAD ("Unknown currency suffix sat") },
  { "1.5msat", BAD ("Unknown currency suffix sat") },
  { "5msatXYZ", BAD ("Unknown currency suffix XYZ") },  /* CLN's prefix match is not copied */
  { "5satoshi", BAD ("Unknown currency suffix shi") },
  { "5MSAT", BAD ("Unknown currency suffix SAT") },
  { "5BTC", BAD ("Unknown currency suffix BTC") },
  { "msat", BAD ("Unknown currency suffix sat") },
  { "5 sat", BAD ("Unknown currency suffix sat") },
  { "+100msat", BAD ("Unknown currency suffix sat") },
  { "+50", BAD ("Unknown currency suffix +50") },
  { " 50", BAD ("Unknown currency suffix  50") },
  { "1e3", BAD ("Unknown currency suffix 1e3") },
  { "-1", BAD ("Not a number, and too short for currency") },
  { "ab", BAD ("Not a number, and too short for currency") },
  { "US", BAD ("Not a number, and too short for currency") },
  { "", BAD ("Not a number, and too short for currency") },
  { "1\377\376\375", BAD ("Unknown currency suffix \\377\\376\\375") },

  /* currency forms */
  { "1.10AUD", CUR (110, "AUD") },
  { "10.05USD", CUR (1005, "USD") },
  { "1USD", CUR (100, "USD") },
  { "5JPY", CUR (5, "JPY") },
  { "0USD", CUR (0, "USD") },
  { "0.00EUR", CUR (0, "EUR") },
  { "007EUR", CUR (700, "EUR") },
  { "1.234BHD", CUR (1234, "BHD") },
  { "1BHD", CUR (1000, "BHD") },
  { "1.2345CLF", CUR (12345, "CLF") },
  { "0.0001UYW", CUR (1, "UYW") },
  { "3XAU", CUR (3, "XAU") },
  { "1HRK", CUR (100, "HRK") },
  { "18446744073709551615JPY", CUR (18446744073709551615, "JPY") },
  { "184467440737095516.15USD", CUR (18446744073709551615, "USD") },
  { "18446744073709551616JPY", TOO_LARGE },
  { "184467440737095517USD", TOO_LARGE },
  { "184467440737095516.16USD", TOO_LARGE },
  { "1844674407370955.1616CLF", TOO_LARGE },
  { "99999999999999999999999.99USD", TOO_LARGE },

  /* wrong minor-unit digit counts */
  { "1.1AUD", BAD ("Currency AUD requires 2 minor units") },
  { "1.100AUD", BAD ("Currency AUD requires 2 minor units") },
  { "1.AUD", BAD ("Currency AUD requires 2 minor units") },
  { "1.2.3USD", BAD ("Currency USD requires 2 minor units") },
  { "1.5JPY", BAD ("Currency JPY requires 0 minor units") },
  { "1.JPY", BAD ("Currency JPY requires 0 minor units") },
  { "1.23BHD", BAD ("Currency BHD requires 3 minor units") },
  { "1.234CLF", BAD ("Currency CLF requires 4 minor units") },

  /* bad digits */
  { "1.1xUSD", BAD ("Bad minor units number") },
  { "1.-1USD", BAD ("Bad minor units number") },
  { "1.2.USD", BAD ("Bad minor units number") },
  { "1. 5USD", BAD ("Bad minor units number") },
  { "x.10USD", BAD ("Not a valid number") },
  { ".10USD", BAD ("Not a valid number") },
  { "USD", BAD ("Not a valid number") },
  { "-1USD", BAD ("Not a valid number") },
  { "+1USD", BAD ("Not a valid number") },
  { "1 USD", BAD ("Not a valid number") },
  { "1e2USD", BAD ("Not a valid number") },
  { "1,50USD", BAD ("Not a valid number") },

  /* unknown codes: exact, case-sensitive, 2018 table */
  { "1XYZ", BAD ("Unknown currency suffix XYZ") },
  { "1usd", BAD ("Unknown currency suffix usd") },
  { "1Usd", BAD ("Unknown currency suffix Usd") },
  { "1.5usd", BAD ("Unknown currency suffix usd") },
  { "1SLE", BAD ("Unknown currency suffix SLE") },
  { "1ZWG", BAD ("Unknown currency suffix ZWG") },
};

typedef struct
{
  const char  *text;
  gboolean     ok;
  guint64      msat;
  Bolt12Error  code;
  const char  *message;
} MsatCase;

#define IS_MSAT(v) TRUE, G_GUINT64_CONSTANT (v), 0, NULL
#define NOT_MSAT FALSE, 0, BOLT12_ERROR_GRAMMAR, "should be a millisatoshi amount"

static const MsatCase msat_cases[] = {
  { "10000", IS_MSAT (10000) },
  { "10000msat", IS_MSAT (10000) },
  { "10sat", IS_MSAT (10000) },
  { "1.5sat", IS_MSAT (1500) },
  { "0.00000000001btc", IS_MSAT (1) },
  { "21000000btc", IS_MSAT (2100000000000000000) },
  { "0", IS_MSAT (0) },
  { "2100000000000000001", FALSE, 0, BOLT12_ERROR_RANGE, "excessively large value" },
  { "18446744073709551616", FALSE, 0, BOLT12_ERROR_RANGE, "excessively large value" },
  { "any", NOT_MSAT },
  { "1USD", NOT_MSAT },
  { "", NOT_MSAT },
  { "-1", NOT_MSAT },
  { "5msatXYZ", NOT_MSAT },
  { "1.123456789012btc", NOT_MSAT },
  { "1.0005sat", NOT_MSAT },
  { "1.5msat", NOT_MSAT },
  { " 1", NOT_MSAT },
};

typedef struct
{
  guint64     minor_units;
  const char *code;
  const char *expected;  /* NULL: unknown code */
} FormatCase;

static const FormatCase format_cases[] = {
  { 1005, "USD", "10.05" },
  { 5, "USD", "0.05" },
  { 0, "EUR", "0.00" },
  { 110, "AUD", "1.10" },
  { 5, "JPY", "5" },
  { 0, "JPY", "0" },
  { 1234, "BHD", "1.234" },
  { 1, "BHD", "0.001" },
  { 12345, "CLF", "1.2345" },
  { 1, "CLF", "0.0001" },
  { G_MAXUINT64, "USD", "184467440737095516.15" },
  { G_MAXUINT64, "JPY", "18446744073709551615" },
  { 1, "XYZ", NULL },
  { 1, "usd", NULL },
  { 1, "", NULL },
};

static void
test_amount_parse (gconstpointer data)
{
  const AmountCase *c = data;
  g_autofree char *escaped = g_strescape (c->text, NULL);
  Bolt12Amount amount = { BOLT12_AMOUNT_ANY, 12345, "zzz" };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_message ("amount \"%s\"", escaped);
  ok = bolt12_amount_parse (c->text, &amount, &error);

  if (c->ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (amount.kind, ==, c->kind);
      g_assert_cmpuint (amount.value, ==, c->value);
      if (c->kind == BOLT12_AMOUNT_CURRENCY)
        g_assert_cmpstr (amount.currency, ==, c->currency);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, BOLT12_ERROR, (gint) c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      /* A failed parse leaves the output alone. */
      g_assert_cmpuint (amount.value, ==, 12345);
    }
}

static void
test_amount_parse_msat (gconstpointer data)
{
  const MsatCase *c = data;
  guint64 msat = 12345;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_message ("msat amount \"%s\"", c->text);
  ok = bolt12_amount_parse_msat (c->text, &msat, &error);

  if (c->ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (msat, ==, c->msat);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, BOLT12_ERROR, (gint) c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_cmpuint (msat, ==, 12345);
    }
}

static void
test_amount_null (void)
{
  Bolt12Amount amount;
  guint64 msat;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  g_assert_false (bolt12_amount_parse (NULL, &amount, &error));
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR);
  g_assert_false (bolt12_amount_parse_msat (NULL, &msat, &error2));
  g_assert_error (error2, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR);
  g_assert_cmpstr (error2->message, ==, "should be a millisatoshi amount");
}

static void
test_msat_to_string (void)
{
  static const struct { guint64 msat; const char *text; } cases[] = {
    { 0, "0msat" },
    { 10000, "10000msat" },
    { G_GUINT64_CONSTANT (2100000000000000000), "2100000000000000000msat" },
    { G_MAXUINT64, "18446744073709551615msat" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = bolt12_msat_to_string (cases[i].msat);
      guint64 back;

      g_assert_cmpstr (text, ==, cases[i].text);
      /* Within the ceiling the text parses back to the same value. */
      if (cases[i].msat <= BOLT12_MAX_MSAT)
        {
          g_assert_true (bolt12_amount_parse_msat (text, &back, NULL));
          g_assert_cmpuint (back, ==, cases[i].msat);
        }
    }
}

static void
test_currency_format (gconstpointer data)
{
  const FormatCase *c = data;
  g_autofree char *text = bolt12_currency_format (c->minor_units, c->code);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_currency_table (void)
{
  const Bolt12Currency *table;
  guint n = 0;
  guint per_exponent[5] = { 0 };

  table = bolt12_currency_table (&n);
  g_assert_nonnull (table);
  g_assert_cmpuint (n, ==, 179);

  for (guint i = 0; i < n; i++)
    {
      const char *code = table[i].code;

      g_assert_cmpuint (strlen (code), ==, 3);
      for (guint j = 0; j < 3; j++)
        g_assert_true (g_ascii_isupper (code[j]));
      if (i > 0)
        g_assert_cmpint (strcmp (table[i - 1].code, code), <, 0);
      g_assert_cmpuint (table[i].exponent, <=, 4);
      g_assert_cmpuint (table[i].exponent, !=, 1);
      per_exponent[table[i].exponent]++;
      /* Every entry is found by lookup, as itself. */
      g_assert_true (bolt12_currency_lookup (code) == &table[i]);
    }

  /* cln-notes.md §3.2: 30 / 140 / 7 / 2 codes with exponent 0 / 2 / 3 / 4. */
  g_assert_cmpuint (per_exponent[0], ==, 30);
  g_assert_cmpuint (per_exponent[2], ==, 140);
  g_assert_cmpuint (per_exponent[3], ==, 7);
  g_assert_cmpuint (per_exponent[4], ==, 2);
}

static void
test_currency_lookup (void)
{
  static const struct { const char *code; int exponent; } cases[] = {
    { "BHD", 3 }, { "CLF", 4 }, { "JPY", 0 }, { "EUR", 2 }, { "USD", 2 }, { "UYW", 4 },
    { "XXX", 0 }, { "XAU", 0 }, { "KWD", 3 }, { "AED", 2 }, { "ZWL", 2 }, { "HRK", 2 },
    { "SLL", 2 },
    /* not in the table */
    { "usd", -1 }, { "Usd", -1 }, { "US", -1 }, { "USDX", -1 }, { "", -1 }, { "SLE", -1 },
    { "VED", -1 }, { "ZWG", -1 }, { "BTC", -1 }, { "AAA", -1 }, { "ZZZ", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Bolt12Currency *currency = bolt12_currency_lookup (cases[i].code);

      g_test_message ("currency \"%s\"", cases[i].code);
      if (cases[i].exponent < 0)
        {
          g_assert_null (currency);
        }
      else
        {
          g_assert_nonnull (currency);
          g_assert_cmpstr (currency->code, ==, cases[i].code);
          g_assert_cmpint (currency->exponent, ==, cases[i].exponent);
        }
    }

  g_assert_null (bolt12_currency_lookup (NULL));
}

/* For every currency, a formatted value followed by its code parses back to the same value. */
static void
test_currency_roundtrip (void)
{
  static const guint64 values[] = { 0, 1, 9, 10, 1005, 123456789, G_MAXUINT64 };
  const Bolt12Currency *table;
  guint n;

  table = bolt12_currency_table (&n);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < G_N_ELEMENTS (values); j++)
      {
        g_autofree char *number = bolt12_currency_format (values[j], table[i].code);
        g_autofree char *text = g_strconcat (number, table[i].code, NULL);
        g_autoptr(GError) error = NULL;
        Bolt12Amount amount;

        g_assert_true (bolt12_amount_parse (text, &amount, &error));
        g_assert_no_error (error);
        g_assert_cmpint (amount.kind, ==, BOLT12_AMOUNT_CURRENCY);
        g_assert_cmpuint (amount.value, ==, values[j]);
        g_assert_cmpstr (amount.currency, ==, table[i].code);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (amount_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/amount/parse/%03u", i);

      g_test_add_data_func (path, &amount_cases[i], test_amount_parse);
    }

  for (guint i = 0; i < G_N_ELEMENTS (msat_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/amount/parse-msat/%03u", i);

      g_test_add_data_func (path, &msat_cases[i], test_amount_parse_msat);
    }

  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/amount/currency-format/%03u", i);

      g_test_add_data_func (path, &format_cases[i], test_currency_format);
    }

  g_test_add_func ("/amount/null", test_amount_null);
  g_test_add_func ("/amount/msat-to-string", test_msat_to_string);
  g_test_add_func ("/amount/currency-table", test_currency_table);
  g_test_add_func ("/amount/currency-lookup", test_currency_lookup);
  g_test_add_func ("/amount/currency-roundtrip", test_currency_roundtrip);

  return g_test_run ();
}
