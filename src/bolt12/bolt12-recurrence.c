/* bolt12-recurrence.c: recurrence and paywindow grammars, period arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12-recurrence.h"

#define SECONDS_PER_DAY 86400

static const char * const time_unit_names[] = {
  [BOLT12_TIME_UNIT_SECONDS] = "seconds",
  [BOLT12_TIME_UNIT_DAYS]    = "days",
  [BOLT12_TIME_UNIT_MONTHS]  = "months",
  [BOLT12_TIME_UNIT_YEARS]   = "years",
};

/* The `recurrence` parameter's units (cln-notes.md §3.4), each as a multiple of a wire unit.
 * Years become 12 months: the current wire format has no years. */
typedef struct
{
  const char *name;
  guint8      time_unit;
  guint32     scale;
} RecurrenceUnit;

static const RecurrenceUnit recurrence_units[] = {
  { "second",  BOLT12_TIME_UNIT_SECONDS, 1 },
  { "seconds", BOLT12_TIME_UNIT_SECONDS, 1 },
  { "minute",  BOLT12_TIME_UNIT_SECONDS, 60 },
  { "minutes", BOLT12_TIME_UNIT_SECONDS, 60 },
  { "hour",    BOLT12_TIME_UNIT_SECONDS, 3600 },
  { "hours",   BOLT12_TIME_UNIT_SECONDS, 3600 },
  { "day",     BOLT12_TIME_UNIT_DAYS,    1 },
  { "days",    BOLT12_TIME_UNIT_DAYS,    1 },
  { "week",    BOLT12_TIME_UNIT_DAYS,    7 },
  { "weeks",   BOLT12_TIME_UNIT_DAYS,    7 },
  { "month",   BOLT12_TIME_UNIT_MONTHS,  1 },
  { "months",  BOLT12_TIME_UNIT_MONTHS,  1 },
  { "year",    BOLT12_TIME_UNIT_MONTHS,  12 },
  { "years",   BOLT12_TIME_UNIT_MONTHS,  12 },
};

/* Units for people, largest first within each wire unit: the first whose size divides the
 * period wins. */
static const RecurrenceUnit user_units[] = {
  { "hours",   BOLT12_TIME_UNIT_SECONDS, 3600 },
  { "minutes", BOLT12_TIME_UNIT_SECONDS, 60 },
  { "seconds", BOLT12_TIME_UNIT_SECONDS, 1 },
  { "weeks",   BOLT12_TIME_UNIT_DAYS,    7 },
  { "days",    BOLT12_TIME_UNIT_DAYS,    1 },
  { "years",   BOLT12_TIME_UNIT_MONTHS,  12 },
  { "months",  BOLT12_TIME_UNIT_MONTHS,  1 },
  { "years",   BOLT12_TIME_UNIT_YEARS,   1 },
};

typedef enum
{
  NUMBER_OK,
  NUMBER_INVALID,  /* empty, or a byte that is not an ASCII digit */
  NUMBER_OVERFLOW, /* only digits, but more than G_MAXUINT32 */
} NumberResult;

/* A non-empty run of ASCII digits that fits in a u32 (leading zeros allowed). */
static NumberResult
parse_u32 (const char *text,
           gsize       len,
           guint32    *value)
{
  guint64 v = 0;

  if (len == 0)
    return NUMBER_INVALID;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return NUMBER_INVALID;

  for (gsize i = 0; i < len; i++)
    {
      v = v * 10 + (guint64) (text[i] - '0');
      if (v > G_MAXUINT32)
        return NUMBER_OVERFLOW;
    }

  *value = (guint32) v;
  return NUMBER_OK;
}

const char *
bolt12_time_unit_name (guint time_unit)
{
  if (time_unit >= G_N_ELEMENTS (time_unit_names))
    return NULL;

  return time_unit_names[time_unit];
}

gboolean
bolt12_recurrence_parse (const char  *text,
                         guint8      *time_unit,
                         guint32     *period,
                         GError     **error)
{
  gsize len;
  gsize digits = 0;

  g_return_val_if_fail (time_unit != NULL, FALSE);
  g_return_val_if_fail (period != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    text = "";

  len = strlen (text);
  while (digits < len && g_ascii_isdigit (text[digits]))
    digits++;

  for (guint i = 0; digits > 0 && i < G_N_ELEMENTS (recurrence_units); i++)
    {
      const RecurrenceUnit *unit = &recurrence_units[i];
      guint32 count = 0;
      guint64 scaled;
      NumberResult result;

      if (strcmp (text + digits, unit->name) != 0)
        continue;

      /* Only digits precede the unit, so the count is either valid or too large. */
      result = parse_u32 (text, digits, &count);
      scaled = (guint64) unit->scale * count;

      if (result != NUMBER_OK || scaled > G_MAXUINT32)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                       "excessively large time: the period must be at most %u %s",
                       G_MAXUINT32, bolt12_time_unit_name (unit->time_unit));
          return FALSE;
        }

      *time_unit = unit->time_unit;
      *period = (guint32) scaled;
      return TRUE;
    }

  g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR, "not a valid time");
  return FALSE;
}

static gboolean
paywindow_number (const char  *text,
                  gsize        len,
                  guint32     *value,
                  GError     **error)
{
  switch (parse_u32 (text, len, value))
    {
    case NUMBER_OK:
      return TRUE;
    case NUMBER_OVERFLOW:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                           "expected number of seconds");
      return FALSE;
    case NUMBER_INVALID:
    default:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR,
                           "expected number of seconds");
      return FALSE;
    }
}

gboolean
bolt12_paywindow_parse (const char  *text,
                        guint32     *seconds_before,
                        guint32     *seconds_after,
                        gboolean    *proportional,
                        GError     **error)
{
  const char *before;
  const char *plus;
  gsize len;
  gboolean percent;
  guint32 b;
  guint32 a;

  g_return_val_if_fail (seconds_before != NULL, FALSE);
  g_return_val_if_fail (seconds_after != NULL, FALSE);
  g_return_val_if_fail (proportional != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || text[0] != '-')
    goto bad_shape;

  /* As Core Lightning: drop the '-' and one trailing '%', split at the first '+'. */
  before = text + 1;
  len = strlen (before);
  percent = len > 0 && before[len - 1] == '%';
  if (percent)
    len--;

  plus = memchr (before, '+', len);
  if (plus == NULL)
    goto bad_shape;

  if (!paywindow_number (before, (gsize) (plus - before), &b, error) ||
      !paywindow_number (plus + 1, len - (gsize) (plus - before) - 1, &a, error))
    return FALSE;

  *seconds_before = b;
  *seconds_after = a;
  *proportional = percent;
  return TRUE;

bad_shape:
  g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_GRAMMAR, "expected -time+time[%]");
  return FALSE;
}

/* Howard Hinnant's civil-date algorithms (proleptic Gregorian, UTC), restricted to
 * days >= 0 (1970-01-01 onwards), which is all an unsigned unix time can reach. */
static void
civil_from_days (guint64  days,
                 guint64 *year,
                 guint   *month,
                 guint   *day)
{
  guint64 z = days + 719468;
  guint64 era = z / 146097;
  guint64 doe = z - era * 146097;                                      /* [0, 146096] */
  guint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  guint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  guint64 mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */

  *day = (guint) (doy - (153 * mp + 2) / 5 + 1);
  *month = (guint) (mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

/* year >= 1970 here; the caller bounds it so nothing below can overflow. */
static guint64
days_from_civil (guint64 year,
                 guint   month,
                 guint   day)
{
  guint64 y = year - (month <= 2 ? 1 : 0);
  guint64 era = y / 400;
  guint64 yoe = y - era * 400;                                          /* [0, 399] */
  guint64 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* [0, 365] */
  guint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                  /* [0, 146096] */

  return era * 146097 + doe - 719468;
}

static gboolean
is_leap_year (guint64 year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static guint
days_in_month (guint64 year,
               guint   month)
{
  static const guint8 lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap_year (year))
    return 29;

  return lengths[month - 1];
}

/* A year past which no date fits in a u64 of seconds (that limit is about 5.8e11), small
 * enough that days_from_civil () cannot overflow. */
#define MAX_CIVIL_YEAR G_GUINT64_CONSTANT (1000000000000)

static gboolean
add_months (guint64  basetime,
            guint64  months,
            guint64 *result)
{
  guint64 days = basetime / SECONDS_PER_DAY;
  guint64 time_of_day = basetime % SECONDS_PER_DAY;
  guint64 year;
  guint month;
  guint day;
  guint64 month_index;
  guint64 new_days;

  civil_from_days (days, &year, &month, &day);

  /* Months since year 0, then the target year and month. */
  if (!g_uint64_checked_mul (&month_index, year, 12) ||
      !g_uint64_checked_add (&month_index, month_index, month - 1) ||
      !g_uint64_checked_add (&month_index, month_index, months))
    return FALSE;

  year = month_index / 12;
  month = (guint) (month_index % 12) + 1;
  if (year > MAX_CIVIL_YEAR)
    return FALSE;

  day = MIN (day, days_in_month (year, month));
  new_days = days_from_civil (year, month, day);

  return g_uint64_checked_mul (result, new_days, SECONDS_PER_DAY) &&
         g_uint64_checked_add (result, *result, time_of_day);
}

gboolean
bolt12_period_start (guint    time_unit,
                     guint32  period,
                     guint64  basetime,
                     guint64  n,
                     guint64 *start)
{
  guint64 steps;
  guint64 offset;

  g_return_val_if_fail (start != NULL, FALSE);

  if (!g_uint64_checked_mul (&steps, n, period))
    return FALSE;

  switch (time_unit)
    {
    case BOLT12_TIME_UNIT_SECONDS:
      return g_uint64_checked_add (start, basetime, steps);

    case BOLT12_TIME_UNIT_DAYS:
      /* UTC without leap seconds: the same time of day is exactly 86400 s per day later. */
      return g_uint64_checked_mul (&offset, steps, SECONDS_PER_DAY) &&
             g_uint64_checked_add (start, basetime, offset);

    case BOLT12_TIME_UNIT_MONTHS:
      return add_months (basetime, steps, start);

    case BOLT12_TIME_UNIT_YEARS:
      return g_uint64_checked_mul (&offset, steps, 12) &&
             add_months (basetime, offset, start);

    default:
      return FALSE;
    }
}

void
bolt12_recurrence_user_unit (guint8       time_unit,
                             guint32      period,
                             const char **unit_name,
                             guint32     *count)
{
  const char *name = bolt12_time_unit_name (time_unit);
  guint32 n = period;

  /* Period 0 is not a valid recurrence; describe it in the wire unit rather than "0 hours". */
  for (guint i = 0; period != 0 && i < G_N_ELEMENTS (user_units); i++)
    {
      const RecurrenceUnit *unit = &user_units[i];

      if (unit->time_unit == time_unit && period % unit->scale == 0)
        {
          name = unit->name;
          n = period / unit->scale;
          break;
        }
    }

  if (unit_name != NULL)
    *unit_name = name;
  if (count != NULL)
    *count = n;
}
