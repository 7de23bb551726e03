/* od-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "bolt12-amount.h"

#include "od-format.h"

#define MSAT_PER_BTC G_GUINT64_CONSTANT (100000000000)

/* Decimal digits of value % 10^digits, without trailing zeros ("" for none). */
static char *
fraction_digits (guint64 value,
                 guint   digits)
{
  char buf[32];
  int len;

  len = g_snprintf (buf, sizeof buf, "%0*" G_GUINT64_FORMAT, (int) digits, value);
  while (len > 0 && buf[len - 1] == '0')
    buf[--len] = '\0';

  return g_strdup (buf);
}

/* The integer part grouped as the locale does ("1,000" in English, "1.000" in German, "1000" in
 * C), then the locale's decimal separator and the fraction digits, if there are any.  The number
 * is put together here rather than in a translatable format string, so a translation cannot get
 * the separators wrong and the C locale stays as plain as Core Lightning's JSON. */
static char *
format_decimal (guint64     integer,
                const char *fraction)
{
  g_autofree char *grouped = g_strdup_printf ("%'" G_GUINT64_FORMAT, integer);
  const char *point;

  if (fraction == NULL || *fraction == '\0')
    return g_steal_pointer (&grouped);

  point = localeconv ()->decimal_point;
  if (point == NULL || *point == '\0')
    point = ".";

  return g_strconcat (grouped, point, fraction, NULL);
}

char *
od_format_integer (guint64 value)
{
  return format_decimal (value, NULL);
}

char *
od_format_sats (guint64 msat)
{
  guint64 sats = msat / 1000;
  g_autofree char *fraction = fraction_digits (msat % 1000, 3);
  g_autofree char *number = format_decimal (sats, fraction);

  if (*fraction == '\0')
    /* Translators: an amount in satoshis, "1,000 sats"; %s is the number, already grouped the
     * way the locale groups digits.  Keep "sat" (the unit's symbol). */
    return g_strdup_printf (ngettext ("%s sat", "%s sats", (gulong) MIN (sats, G_MAXULONG)),
                            number);

  /* Translators: an amount in satoshis with a fraction of a satoshi, "1.5 sats"; %s is the
   * number, with the locale's decimal separator. */
  return g_strdup_printf (C_("fractional amount", "%s sats"), number);
}

char *
od_format_btc (guint64 msat)
{
  g_autofree char *fraction = fraction_digits (msat % MSAT_PER_BTC, 11);
  g_autofree char *number = format_decimal (msat / MSAT_PER_BTC, fraction);

  /* Translators: an amount in bitcoin, "0.00001 BTC"; %s is the number, with the locale's
   * digit grouping and decimal separator. */
  return g_strdup_printf (_("%s BTC"), number);
}

char *
od_format_currency (guint64     minor_units,
                    const char *code)
{
  g_autofree char *major = NULL;
  g_autofree char *number = NULL;
  const char *point;

  g_return_val_if_fail (code != NULL, NULL);

  /* "12.50": Core Lightning's notation, re-punctuated for the locale. */
  major = bolt12_currency_format (minor_units, code);
  if (major == NULL)
    return NULL;

  point = strchr (major, '.');
  number = format_decimal (g_ascii_strtoull (major, NULL, 10), point != NULL ? point + 1 : NULL);

  /* Translators: a price, "12.50 USD"; the first %s is the number (grouped and with the
   * locale's decimal separator), the second the ISO 4217 currency code. */
  return g_strdup_printf (_("%s %s"), number, code);
}

static gboolean
get_u64 (JsonObject *object,
         const char *member,
         guint64    *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  if (json_node_get_int (node) < 0)
    return FALSE;

  *out = (guint64) json_node_get_int (node);
  return TRUE;
}

static char *
format_amount (JsonObject *decoded,
               gboolean    with_btc)
{
  guint64 value;

  g_return_val_if_fail (decoded != NULL, NULL);

  if (get_u64 (decoded, "offer_amount_msat", &value) ||
      get_u64 (decoded, "invreq_amount_msat", &value))
    {
      g_autofree char *sats = od_format_sats (value);
      g_autofree char *btc = NULL;

      if (!with_btc)
        return g_steal_pointer (&sats);

      btc = od_format_btc (value);
      /* Translators: "1,000 sats (0.00001 BTC)". */
      return g_strdup_printf (_("%s (%s)"), sats, btc);
    }

  if (json_object_has_member (decoded, "offer_currency") &&
      get_u64 (decoded, "offer_amount", &value))
    {
      const char *code = json_object_get_string_member_with_default (decoded, "offer_currency", "");

      return od_format_currency (value, code);
    }

  return NULL;
}

char *
od_format_amount (JsonObject *decoded)
{
  return format_amount (decoded, TRUE);
}

char *
od_format_amount_short (JsonObject *decoded)
{
  return format_amount (decoded, FALSE);
}

char *
od_format_duration (guint64 seconds)
{
  gulong n;

  if (seconds != 0 && seconds % 86400 == 0)
    {
      n = (gulong) MIN (seconds / 86400, G_MAXULONG);
      return g_strdup_printf (ngettext ("%lu day", "%lu days", n), n);
    }
  if (seconds != 0 && seconds % 3600 == 0)
    {
      n = (gulong) (seconds / 3600);
      return g_strdup_printf (ngettext ("%lu hour", "%lu hours", n), n);
    }
  if (seconds != 0 && seconds % 60 == 0)
    {
      n = (gulong) (seconds / 60);
      return g_strdup_printf (ngettext ("%lu minute", "%lu minutes", n), n);
    }

  n = (gulong) MIN (seconds, G_MAXULONG);
  return g_strdup_printf (ngettext ("%lu second", "%lu seconds", n), n);
}

char *
od_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);

  /* Translators: a date and time in g_date_time_format() syntax, "14 November 2023, 22:13". */
  return g_date_time_format (time, C_("date and time", "%-d %B %Y, %H:%M"));
}

char *
od_format_history_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  if (time == NULL)
    return NULL;

  /* Translators: the Created column of the history, in g_date_time_format() syntax:
   * a short numeric date and time ("2023-11-14 22:13"; "%d.%m.%Y" in German). */
  return g_date_time_format (time, C_("history date", "%Y-%m-%d %H:%M"));
}

typedef enum
{
  UNIT_SECOND,
  UNIT_MINUTE,
  UNIT_HOUR,
  UNIT_DAY,
  UNIT_WEEK,
  UNIT_MONTH,
  UNIT_YEAR,
} Unit;

static char *
format_every (Unit    unit,
              guint64 count)
{
  gulong n = (gulong) MIN (count, G_MAXULONG);

  if (n == 1)
    {
      switch (unit)
        {
        case UNIT_SECOND: return g_strdup (_("every second"));
        case UNIT_MINUTE: return g_strdup (_("every minute"));
        case UNIT_HOUR:   return g_strdup (_("every hour"));
        case UNIT_DAY:    return g_strdup (_("every day"));
        case UNIT_WEEK:   return g_strdup (_("every week"));
        case UNIT_MONTH:  return g_strdup (_("every month"));
        case UNIT_YEAR:   return g_strdup (_("every year"));
        default:          g_assert_not_reached ();
        }
    }

  switch (unit)
    {
    case UNIT_SECOND: return g_strdup_printf (ngettext ("every %lu second", "every %lu seconds", n), n);
    case UNIT_MINUTE: return g_strdup_printf (ngettext ("every %lu minute", "every %lu minutes", n), n);
    case UNIT_HOUR:   return g_strdup_printf (ngettext ("every %lu hour", "every %lu hours", n), n);
    case UNIT_DAY:    return g_strdup_printf (ngettext ("every %lu day", "every %lu days", n), n);
    case UNIT_WEEK:   return g_strdup_printf (ngettext ("every %lu week", "every %lu weeks", n), n);
    case UNIT_MONTH:  return g_strdup_printf (ngettext ("every %lu month", "every %lu months", n), n);
    case UNIT_YEAR:   return g_strdup_printf (ngettext ("every %lu year", "every %lu years", n), n);
    default:          g_assert_not_reached ();
    }
}

char *
od_format_recurrence (JsonObject *recurrence)
{
  g_autofree char *every = NULL;
  guint64 time_unit = 0;
  guint64 period = 0;
  guint64 limit;
  Unit unit;
  gulong payments;

  g_return_val_if_fail (recurrence != NULL, NULL);

  if (!get_u64 (recurrence, "time_unit", &time_unit) ||
      !get_u64 (recurrence, "period", &period))
    return NULL;

  /* BOLT 12 time units: 0 seconds, 1 days, 2 months (3 years, in old drafts); shown in the
   * largest unit that divides the period. */
  switch (time_unit)
    {
    case 0:
      if (period != 0 && period % 86400 == 0)
        {
          unit = UNIT_DAY;
          period /= 86400;
        }
      else if (period != 0 && period % 3600 == 0)
        {
          unit = UNIT_HOUR;
          period /= 3600;
        }
      else if (period != 0 && period % 60 == 0)
        {
          unit = UNIT_MINUTE;
          period /= 60;
        }
      else
        {
          unit = UNIT_SECOND;
        }
      break;

    case 1:
      unit = UNIT_DAY;
      break;

    case 2:
      unit = UNIT_MONTH;
      break;

    case 3:
      unit = UNIT_YEAR;
      break;

    default:
      return NULL;
    }

  if (unit == UNIT_DAY && period != 0 && period % 7 == 0)
    {
      unit = UNIT_WEEK;
      period /= 7;
    }
  else if (unit == UNIT_MONTH && period != 0 && period % 12 == 0)
    {
      unit = UNIT_YEAR;
      period /= 12;
    }

  every = format_every (unit, period);

  /* limit L: periods 0 to L may be paid, so L + 1 payments. */
  if (!get_u64 (recurrence, "limit", &limit))
    return g_steal_pointer (&every);

  payments = (gulong) MIN (limit + 1, G_MAXULONG);
  /* Translators: the first %s is "every month", then the number of payments. */
  return g_strdup_printf (ngettext ("%s, %lu payment", "%s, %lu payments", payments),
                          every, payments);
}

char *
od_format_paywindow (JsonObject *recurrence)
{
  JsonObject *paywindow;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint64 seconds_before = 0;
  guint64 seconds_after = 0;

  g_return_val_if_fail (recurrence != NULL, NULL);

  if (!json_object_has_member (recurrence, "paywindow"))
    return NULL;
  paywindow = json_object_get_object_member (recurrence, "paywindow");
  if (paywindow == NULL)
    return NULL;

  get_u64 (paywindow, "seconds_before", &seconds_before);
  get_u64 (paywindow, "seconds_after", &seconds_after);
  before = od_format_duration (seconds_before);
  after = od_format_duration (seconds_after);

  /* Translators: the pay window of a subscription, "from 1 hour before to 1 day after the
   * start of each period". */
  return g_strdup_printf (_("from %s before to %s after the start of each period"),
                          before, after);
}

char *
od_format_quantity_max (guint64 quantity_max)
{
  gulong n = (gulong) MIN (quantity_max, G_MAXULONG);

  if (quantity_max == 0)
    return g_strdup (_("any number of items per payment"));

  return g_strdup_printf (ngettext ("up to %lu item per payment",
                                    "up to %lu items per payment", n),
                          n);
}
