/* bolt12-amount.c: the `offer` / `invoicerequest` amount grammars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12-amount.h"

/* The msat forms, tried in order; the first suffix that matches decides the form
 * ("msat" before "sat", the bare number last).  Unlike Core Lightning the suffix must end
 * the text: "5msatXYZ" is not an msat amount. */
typedef struct
{
  const char *suffix;
  guint64     msat_per_unit;
  guint       max_decimals;  /* digits allowed after a '.'; 0: no fraction */
} MsatUnit;

static const MsatUnit msat_units[] = {
  { "msat", 1,                                 0 },
  { "sat",  1000,                              3 },
  { "btc",  G_GUINT64_CONSTANT (100000000000), 11 },
  { "",     1,                                 0 },
};

typedef enum
{
  DIGITS_OK,
  DIGITS_INVALID,  /* empty, or a byte that is not an ASCII digit */
  DIGITS_OVERFLOW, /* only digits, but the value does not fit in a u64 */
} DigitsResult;

typedef enum
{
  MSAT_NOT_MSAT,   /* not one of the msat forms */
  MSAT_OK,
  MSAT_TOO_LARGE,  /* an msat form, but above BOLT12_MAX_MSAT or overflowing */
} MsatResult;

/* A non-empty run of ASCII digits (leading zeros allowed; no sign, space or exponent). */
static DigitsResult
parse_digits (const char *text,
              gsize       len,
              guint64    *value)
{
  guint64 v = 0;
  gboolean overflow = FALSE;

  if (len == 0)
    return DIGITS_INVALID;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return DIGITS_INVALID;

  for (gsize i = 0; i < len && !overflow; i++)
    {
      if (!g_uint64_checked_mul (&v, v, 10) ||
          !g_uint64_checked_add (&v, v, (guint64) (text[i] - '0')))
        overflow = TRUE;
    }

  if (overflow)
    return DIGITS_OVERFLOW;

  *value = v;
  return DIGITS_OK;
}

static gboolean
has_suffix (const char  *text,
            gsize        len,
            const char  *suffix,
            gsize       *stem_len)
{
  gsize suffix_len = strlen (suffix);

  if (len < suffix_len || memcmp (text + len - suffix_len, suffix, suffix_len) != 0)
    return FALSE;

  *stem_len = len - suffix_len;
  return TRUE;
}

static MsatResult
parse_msat_form (const char *text,
                 guint64    *msat)
{
  gsize len = strlen (text);

  for (guint u = 0; u < G_N_ELEMENTS (msat_units); u++)
    {
      const MsatUnit *unit = &msat_units[u];
      const char *dot;
      gsize stem_len;
      gsize whole_len;
      gsize frac_len = 0;
      guint64 whole;
      guint64 frac = 0;
      guint64 frac_scale = unit->msat_per_unit;
      guint64 value;

      if (!has_suffix (text, len, unit->suffix, &stem_len))
        continue;

      /* The first matching suffix decides: no later entry can make this text an msat form. */
      dot = memchr (text, '.', stem_len);
      whole_len = dot != NULL ? (gsize) (dot - text) : stem_len;

      if (dot != NULL)
        {
          frac_len = stem_len - whole_len - 1;
          if (frac_len < 1 || frac_len > unit->max_decimals)
            return MSAT_NOT_MSAT;
          if (parse_digits (dot + 1, frac_len, &frac) != DIGITS_OK)
            return MSAT_NOT_MSAT;
          /* msat_per_unit is 10^max_decimals or more, so this stays an exact integer. */
          for (gsize i = 0; i < frac_len; i++)
            frac_scale /= 10;
        }

      switch (parse_digits (text, whole_len, &whole))
        {
        case DIGITS_OK:
          break;
        case DIGITS_OVERFLOW:
          return MSAT_TOO_LARGE;
        case DIGITS_INVALID:
        default:
          return MSAT_NOT_MSAT;
        }

      /* frac < 10^frac_len, so frac * frac_scale < msat_per_unit: no overflow there. */
      if (!g_uint64_checked_mul (&value, whole, unit->msat_per_unit) ||
          !g_uint64_checked_add (&value, value, frac * frac_scale) ||
          value > BOLT12_MAX_MSAT)
        return MSAT_TOO_LARGE;

      *msat = value;
      return MSAT_OK;
    }

  return MSAT_NOT_MSAT;
}

static gboolean
set_too_large (GError **error)
{
  g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_RANGE, "excessively large value");
  return FALSE;
}

static gboolean
parse_currency_form (const char   *text,
                     Bolt12Amount *out,
                     GError      **error)
{
  gsize len = strlen (text);
  const Bolt12Currency *currency;
  const char *dot;
  gsize number_len;
  gsize whole_len;
  guint64 whole;
  guint64 frac = 0;
  guint64 value;

  if (len < 3)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                           "Not a number, and too short for currency");
      return FALSE;
    }

  number_len = len - 3;
  currency = bolt12_currency_lookup (text + number_len);
  if (currency == NULL)
    {
      /* The suffix is arbitrary bytes: escape it so the message stays valid UTF-8. */
      g_autofree char *suffix = g_strescape (text + number_len, NULL);

      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                   "Unknown currency suffix %s", suffix);
      return FALSE;
    }

  dot = memchr (text, '.', number_len);
  whole_len = dot != NULL ? (gsize) (dot - text) : number_len;

  if (dot != NULL)
    {
      gsize frac_len = number_len - whole_len - 1;

      /* A zero-exponent currency takes no fraction at all, not even an empty one. */
      if (currency->exponent == 0 || frac_len != currency->exponent)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                       "Currency %s requires %u minor units",
                       currency->code, currency->exponent);
          return FALSE;
        }

      if (parse_digits (dot + 1, frac_len, &frac) != DIGITS_OK)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                               "Bad minor units number");
          return FALSE;
        }
    }

  switch (parse_digits (text, whole_len, &whole))
    {
    case DIGITS_OK:
      break;
    case DIGITS_OVERFLOW:
      return set_too_large (error);
    case DIGITS_INVALID:
    default:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR, "Not a valid number");
      return FALSE;
    }

  value = whole;
  for (guint i = 0; i < currency->exponent; i++)
    if (!g_uint64_checked_mul (&value, value, 10))
      return set_too_large (error);
  if (!g_uint64_checked_add (&value, value, frac))
    return set_too_large (error);

  out->kind = BOLT12_AMOUNT_CURRENCY;
  out->value = value;
  memcpy (out->currency, currency->code, sizeof out->currency);
  return TRUE;
}

gboolean
bolt12_amount_parse (const char   *text,
                     Bolt12Amount *out,
                     GError      **error)
{
  Bolt12Amount amount = { BOLT12_AMOUNT_ANY, 0, "" };
  guint64 msat;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A missing text reads as an empty one. */
  if (text == NULL)
    text = "";

  if (strcmp (text, "any") == 0)
    {
      *out = amount;
      return TRUE;
    }

  switch (parse_msat_form (text, &msat))
    {
    case MSAT_OK:
      amount.kind = BOLT12_AMOUNT_MSAT;
      amount.value = msat;
      *out = amount;
      return TRUE;
    case MSAT_TOO_LARGE:
      return set_too_large (error);
    case MSAT_NOT_MSAT:
    default:
      break;
    }

  if (!parse_currency_form (text, &amount, error))
    return FALSE;

  *out = amount;
  return TRUE;
}

gboolean
bolt12_amount_parse_msat (const char  *text,
                          guint64     *msat,
                          GError     **error)
{
  guint64 value = 0;

  g_return_val_if_fail (msat != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (parse_msat_form (text != NULL ? text : "", &value))
    {
    case MSAT_OK:
      *msat = value;
      return TRUE;
    case MSAT_TOO_LARGE:
      return set_too_large (error);
    case MSAT_NOT_MSAT:
    default:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                           "should be a millisatoshi amount");
      return FALSE;
    }
}

char *
bolt12_msat_to_string (guint64 msat)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT "msat", msat);
}
