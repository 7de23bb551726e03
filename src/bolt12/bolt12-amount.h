/* bolt12-amount.h: the amount grammar and the ISO 4217 table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

typedef struct
{
  char  code[4];   /* "USD" */
  guint exponent;  /* minor-unit digits: 0, 2, 3 or 4 */
} Bolt12Currency;

/* Exact, case-sensitive lookup in Core Lightning's ISO 4217 table (cln-notes.md §3.2). */
const Bolt12Currency *bolt12_currency_lookup (const char *code);
/* The whole table, sorted by code; *n_entries receives its size. */
const Bolt12Currency *bolt12_currency_table  (guint      *n_entries);

typedef enum
{
  BOLT12_AMOUNT_ANY,      /* "any": no offer_amount */
  BOLT12_AMOUNT_MSAT,     /* value in msat */
  BOLT12_AMOUNT_CURRENCY, /* value in the currency's minor units, code in currency */
} Bolt12AmountKind;

typedef struct
{
  Bolt12AmountKind kind;
  guint64          value;
  char             currency[4];
} Bolt12Amount;

/* The `offer` amount grammar: "any"; msat forms ("N", "Nmsat", "Nsat", "N.NNNsat" with 1-3
 * decimals, "Nbtc", "N.<1-11 digits>btc"); or "<n>[.<minor>]<ISO4217>" where the fraction has
 * exactly the currency's exponent digits.  msat amounts above 21e6 BTC and every overflow are
 * refused.  Error messages (without a parameter prefix): "Not a number, and too short for
 * currency", "Unknown currency suffix XYZ", "Currency AUD requires 2 minor units",
 * "Bad minor units number", "Not a valid number", "excessively large value". */
gboolean  bolt12_amount_parse      (const char   *text,
                                    Bolt12Amount *out,
                                    GError      **error);

/* msat forms only (the `invoicerequest` amount).  Error: "should be a millisatoshi amount". */
gboolean  bolt12_amount_parse_msat (const char   *text,
                                    guint64      *msat,
                                    GError      **error);

/* "10000msat"-style text for an msat value. */
char     *bolt12_msat_to_string    (guint64       msat);

/* Minor units as a decimal major-unit string, e.g. (1005, USD) -> "10.05"; NULL for an unknown
 * code. */
char     *bolt12_currency_format   (guint64       minor_units,
                                    const char   *code);

G_END_DECLS
