/* test-recurrence.c: recurrence and paywindow grammars, period arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "bolt12.h"

typedef struct
{
  const char  *text;
  gboolean     ok;
  guint8       time_unit;
  guint32      period;
  Bolt12Error  code;
  const char  *message;
} RecurrenceCase;

#define OK(u, p)  TRUE, u, p, 0, NULL
#define INVALID   FALSE, 0, 0, BOLT12_ERROR_GRAMMAR, "not a valid time"
#define TOO_LONG(unit) \
  FALSE, 0, 0, BOLT12_ERROR_RANGE, \
  "excessively large time: the period must be at most 4294967295 " unit

static const RecurrenceCase recurrence_cases[] = {
  { "1second", OK (0, 1) },
  { "30seconds", OK (0, 30) },
  { "1minute", OK (0, 60) },
  { "10minutes", OK (0, 600) },
  { "1hour", OK (0, 3600) },
  { "2hours", OK (0, 7200) },
  { "1day", OK (1, 1) },
  { "3days", OK (1, 3) },
  { "1week", OK (1, 7) },
  { "4weeks", OK (1, 28) },
  { "1month", OK (2, 1) },
  { "6months", OK (2, 6) },
  { "1year", OK (2, 12) },   /* no years on the wire: 12 months */
  { "2years", OK (2, 24) },
  { "0days", OK (1, 0) },    /* parses; the offer validity check refuses period 0 */
  { "007days", OK (1, 7) },

  /* u32 limits after scaling */
  { "4294967295seconds", OK (0, 4294967295) },
  { "4294967296seconds", TOO_LONG ("seconds") },
  { "71582788minutes", OK (0, 4294967280) },
  { "71582789minutes", TOO_LONG ("seconds") },
  { "1193046hours", OK (0, 4294965600) },
  { "1193047hours", TOO_LONG ("seconds") },
  { "4294967295days", OK (1, 4294967295) },
  { "613566756weeks", OK (1, 4294967292) },
  { "613566757weeks", TOO_LONG ("days") },
  { "357913941years", OK (2, 4294967292) },
  { "357913942years", TOO_LONG ("months") },
  { "4294967296months", TOO_LONG ("months") },
  { "99999999999999999999999days", TOO_LONG ("days") },

  /* not the grammar */
  { "fortnight", INVALID },
  { "4 weeks", INVALID },
  { "4Weeks", INVALID },
  { "1Month", INVALID },
  { "", INVALID },
  { "weeks", INVALID },
  { "-1days", INVALID },
  { "+1days", INVALID },
  { "1.5days", INVALID },
  { "1days ", INVALID },
  { " 1days", INVALID },
  { "1d", INVALID },
  { "1", INVALID },
  { "1yearly", INVALID },
  { "4weeksX", INVALID },
  { "0x10days", INVALID },
  { "1e3days", INVALID },
  { "days4", INVALID },
  { "1fortnight", INVALID },
};

typedef struct
{
  const char  *text;
  gboolean     ok;
  guint32      before;
  guint32      after;
  gboolean     proportional;
  Bolt12Error  code;
  const char  *message;
} PaywindowCase;

#define WINDOW(b, a, p) TRUE, b, a, p, 0, NULL
#define SHAPE           FALSE, 0, 0, FALSE, BOLT12_ERROR_GRAMMAR, "expected -time+time[%]"
#define NUMBER          FALSE, 0, 0, FALSE, BOLT12_ERROR_GRAMMAR, "expected number of seconds"
#define NUMBER_RANGE    FALSE, 0, 0, FALSE, BOLT12_ERROR_RANGE, "expected number of seconds"

static const PaywindowCase paywindow_cases[] = {
  { "-10+600%", WINDOW (10, 600, TRUE) },
  { "-10+600", WINDOW (10, 600, FALSE) },
  { "-0+0", WINDOW (0, 0, FALSE) },
  { "-007+08%", WINDOW (7, 8, TRUE) },
  { "-4294967295+4294967295%", WINDOW (4294967295, 4294967295, TRUE) },

  { "10+20", SHAPE },
  { "", SHAPE },
  { "+10-20", SHAPE },
  { "-10", SHAPE },
  { "-10%", SHAPE },
  { "-", SHAPE },
  { "-%", SHAPE },
  { "%", SHAPE },
  { " -10+20", SHAPE },

  { "-x+1", NUMBER },
  { "-1+x", NUMBER },
  { "-+1", NUMBER },
  { "-1+", NUMBER },
  { "-1+%", NUMBER },
  { "-1+2+3", NUMBER },
  { "-1+2%%", NUMBER },
  { "--1+2", NUMBER },
  { "-1+-2", NUMBER },
  { "-1 +2", NUMBER },
  { "-1+2 ", NUMBER },
  { "-1+0x10", NUMBER },
  { "-1.5+2", NUMBER },
  { "-4294967296+1", NUMBER_RANGE },
  { "-1+4294967296", NUMBER_RANGE },
  { "-1+4294967296%", NUMBER_RANGE },
};

/* Unix times used below, each checked by hand (and against Python's calendar.timegm). */
#define T_2024_01_31_10 G_GUINT64_CONSTANT (1706695200)  /* 2024-01-31T10:00:00Z */
#define T_2024_02_29_10 G_GUINT64_CONSTANT (1709200800)
#define T_2024_03_31_10 G_GUINT64_CONSTANT (1711879200)
#define T_2024_04_30_10 G_GUINT64_CONSTANT (1714471200)
#define T_2024_05_31_10 G_GUINT64_CONSTANT (1717149600)
#define T_2023_01_31_10 G_GUINT64_CONSTANT (1675159200)
#define T_2023_02_28_10 G_GUINT64_CONSTANT (1677578400)
#define T_2023_03_31_10 G_GUINT64_CONSTANT (1680256800)
#define T_2023_04_30_10 G_GUINT64_CONSTANT (1682848800)

typedef struct
{
  const char *what;
  guint       time_unit;
  guint32     period;
  guint64     basetime;
  guint64     n;
  gboolean    ok;
  guint64     start;
} PeriodCase;

static const PeriodCase period_cases[] = {
  /* seconds */
  { "seconds n=0", 0, 3600, T_2024_01_31_10, 0, TRUE, T_2024_01_31_10 },
  { "hourly n=1", 0, 3600, T_2024_01_31_10, 1, TRUE, T_2024_01_31_10 + 3600 },
  { "10 minutes n=6", 0, 600, T_2024_01_31_10, 6, TRUE, T_2024_01_31_10 + 3600 },
  { "seconds to the u64 edge", 0, 10, G_MAXUINT64 - 10, 1, TRUE, G_MAXUINT64 },
  { "seconds past the u64 edge", 0, 10, G_MAXUINT64 - 9, 1, FALSE, 0 },
  { "seconds n*period overflow", 0, 2, 0, G_MAXUINT64, FALSE, 0 },
  { "seconds base+n*period overflow", 0, 4294967295, 1, G_MAXUINT64 / 4294967295, FALSE, 0 },

  /* days: same time of day, calendar days later */
  { "daily n=1", 1, 1, T_2024_01_31_10, 1, TRUE, G_GUINT64_CONSTANT (1706781600) },
  { "Feb 28 + 1 day (2024)", 1, 1, G_GUINT64_CONSTANT (1709123400), 1, TRUE,
    G_GUINT64_CONSTANT (1709209800) },  /* 2024-02-28T12:30Z -> 2024-02-29T12:30Z */
  { "Feb 28 + 2 days (2024)", 1, 1, G_GUINT64_CONSTANT (1709123400), 2, TRUE,
    G_GUINT64_CONSTANT (1709296200) },  /* -> 2024-03-01T12:30Z */
  { "4 weeks n=1", 1, 28, T_2024_01_31_10, 1, TRUE, G_GUINT64_CONSTANT (1709114400) },
  { "weekly n=52", 1, 7, T_2024_01_31_10, 52, TRUE, T_2024_01_31_10 + 52 * 7 * 86400 },
  { "days overflow", 1, 1, 0, G_MAXUINT64 / 86400 + 1, FALSE, 0 },
  { "days base overflow", 1, 1, G_MAXUINT64 - 86399, 1, FALSE, 0 },

  /* months: day of month clamped to the target month */
  { "monthly Jan 31 n=0", 2, 1, T_2024_01_31_10, 0, TRUE, T_2024_01_31_10 },
  { "monthly Jan 31 n=1 (leap)", 2, 1, T_2024_01_31_10, 1, TRUE, T_2024_02_29_10 },
  { "monthly Jan 31 n=2 (leap)", 2, 1, T_2024_01_31_10, 2, TRUE, T_2024_03_31_10 },
  { "monthly Jan 31 n=3 (leap)", 2, 1, T_2024_01_31_10, 3, TRUE, T_2024_04_30_10 },
  { "monthly Jan 31 n=4 (leap)", 2, 1, T_2024_01_31_10, 4, TRUE, T_2024_05_31_10 },
  { "monthly Jan 31 n=1", 2, 1, T_2023_01_31_10, 1, TRUE, T_2023_02_28_10 },
  { "monthly Jan 31 n=2", 2, 1, T_2023_01_31_10, 2, TRUE, T_2023_03_31_10 },
  { "monthly Jan 31 n=3", 2, 1, T_2023_01_31_10, 3, TRUE, T_2023_04_30_10 },
  { "monthly Jan 31 n=13", 2, 1, T_2023_01_31_10, 13, TRUE, T_2024_02_29_10 },
  { "2-monthly Jan 31 n=1", 2, 2, T_2023_01_31_10, 1, TRUE, T_2023_03_31_10 },
  { "Dec 31 + 2 months", 2, 2, G_GUINT64_CONSTANT (1704067199), 1, TRUE,
    G_GUINT64_CONSTANT (1709251199) },  /* 2023-12-31T23:59:59Z -> 2024-02-29T23:59:59Z */
  { "Dec 31 + 14 months", 2, 2, G_GUINT64_CONSTANT (1704067199), 7, TRUE,
    G_GUINT64_CONSTANT (1740787199) },  /* -> 2025-02-28T23:59:59Z */
  { "quarterly May 31 n=1", 2, 3, G_GUINT64_CONSTANT (1717142400), 1, TRUE,
    G_GUINT64_CONSTANT (1725091200) },  /* 2024-05-31T08Z -> 2024-08-31T08Z */
  { "quarterly May 31 n=2", 2, 3, G_GUINT64_CONSTANT (1717142400), 2, TRUE,
    G_GUINT64_CONSTANT (1732953600) },  /* -> 2024-11-30T08Z */
  { "quarterly May 31 n=3", 2, 3, G_GUINT64_CONSTANT (1717142400), 3, TRUE,
    G_GUINT64_CONSTANT (1740729600) },  /* -> 2025-02-28T08Z */
  { "Jan 30 2000 + 1 month (400-year leap)", 2, 1, G_GUINT64_CONSTANT (949212000), 1, TRUE,
    G_GUINT64_CONSTANT (951804000) },   /* -> 2000-02-29T06Z */
  { "Jan 29 2100 + 1 month (century, not leap)", 2, 1, G_GUINT64_CONSTANT (4104864000), 1,
    TRUE, G_GUINT64_CONSTANT (4107456000) },  /* -> 2100-02-28T00Z */
  { "epoch + 8000 years in months", 2, 12, 0, 8000, TRUE,
    G_GUINT64_CONSTANT (252455616000) },  /* 9970-01-01T00Z */
  { "months at the u64 edge n=0", 2, 1, G_MAXUINT64, 0, TRUE, G_MAXUINT64 },
  { "months past the u64 edge", 2, 1, G_MAXUINT64, 1, FALSE, 0 },
  { "months far past the u64 edge", 2, 12, 0, G_GUINT64_CONSTANT (600000000000), FALSE, 0 },
  { "months n*period overflow", 2, 4294967295, 0, G_MAXUINT64, FALSE, 0 },
  { "month index overflow", 2, 1, 0, G_MAXUINT64 - 5, FALSE, 0 },

  /* years (old numbering): 12 months per year */
  { "yearly Feb 29 n=1", 3, 1, G_GUINT64_CONSTANT (1709208000), 1, TRUE,
    G_GUINT64_CONSTANT (1740744000) },  /* 2024-02-29T12Z -> 2025-02-28T12Z */
  { "yearly Feb 29 n=4", 3, 1, G_GUINT64_CONSTANT (1709208000), 4, TRUE,
    G_GUINT64_CONSTANT (1835438400) },  /* -> 2028-02-29T12Z */
  { "yearly Feb 29 n=76", 3, 1, G_GUINT64_CONSTANT (1709208000), 76, TRUE,
    G_GUINT64_CONSTANT (4107499200) },  /* -> 2100-02-28T12Z */
  { "yearly = 12 months", 3, 1, T_2024_01_31_10, 1, TRUE, G_GUINT64_CONSTANT (1738317600) },
  { "years overflow", 3, 1, 0, G_MAXUINT64 / 6, FALSE, 0 },

  /* unknown units */
  { "unit 4", 4, 1, T_2024_01_31_10, 0, FALSE, 0 },
  { "unit 255", 255, 1, T_2024_01_31_10, 1, FALSE, 0 },
};

typedef struct
{
  guint8      time_unit;
  guint32     period;
  const char *name;
  guint32     count;
} UserUnitCase;

static const UserUnitCase user_unit_cases[] = {
  { 1, 28, "weeks", 4 },
  { 0, 3600, "hours", 1 },
  { 0, 600, "minutes", 10 },
  { 2, 12, "years", 1 },
  { 1, 3, "days", 3 },
  { 0, 7, "seconds", 7 },
  { 0, 86400, "hours", 24 },
  { 0, 90, "seconds", 90 },
  { 0, 120, "minutes", 2 },
  { 0, 5400, "minutes", 90 },
  { 1, 7, "weeks", 1 },
  { 1, 1, "days", 1 },
  { 1, 10, "days", 10 },
  { 2, 1, "months", 1 },
  { 2, 18, "months", 18 },
  { 2, 24, "years", 2 },
  { 3, 2, "years", 2 },
  { 0, 0, "seconds", 0 },
  { 1, 0, "days", 0 },
  { 0, 4294967295, "seconds", 4294967295 },
  { 9, 5, NULL, 5 },
};

static void
test_recurrence_parse (gconstpointer data)
{
  const RecurrenceCase *c = data;
  guint8 time_unit = 77;
  guint32 period = 12345;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_message ("recurrence \"%s\"", c->text);
  ok = bolt12_recurrence_parse (c->text, &time_unit, &period, &error);

  if (c->ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (time_unit, ==, c->time_unit);
      g_assert_cmpuint (period, ==, c->period);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, BOLT12_ERROR, (gint) c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_cmpuint (time_unit, ==, 77);
      g_assert_cmpuint (period, ==, 12345);
    }
}

static void
test_paywindow_parse (gconstpointer data)
{
  const PaywindowCase *c = data;
  guint32 before = 111;
  guint32 after = 222;
  gboolean proportional = 333;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_message ("paywindow \"%s\"", c->text);
  ok = bolt12_paywindow_parse (c->text, &before, &after, &proportional, &error);

  if (c->ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (before, ==, c->before);
      g_assert_cmpuint (after, ==, c->after);
      g_assert_cmpint (proportional, ==, c->proportional);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, BOLT12_ERROR, (gint) c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_cmpuint (before, ==, 111);
      g_assert_cmpuint (after, ==, 222);
      g_assert_cmpint (proportional, ==, 333);
    }
}

static void
test_period_start (gconstpointer data)
{
  const PeriodCase *c = data;
  guint64 start = 4242;
  gboolean ok;

  g_test_message ("period start: %s", c->what);
  ok = bolt12_period_start (c->time_unit, c->period, c->basetime, c->n, &start);

  g_assert_cmpint (ok, ==, c->ok);
  if (c->ok)
    g_assert_cmpuint (start, ==, c->start);
}

static void
test_user_unit (gconstpointer data)
{
  const UserUnitCase *c = data;
  const char *name = "unset";
  guint32 count = 4242;

  bolt12_recurrence_user_unit (c->time_unit, c->period, &name, &count);
  g_assert_cmpstr (name, ==, c->name);
  g_assert_cmpuint (count, ==, c->count);
}

static void
test_time_unit_name (void)
{
  g_assert_cmpstr (bolt12_time_unit_name (0), ==, "seconds");
  g_assert_cmpstr (bolt12_time_unit_name (1), ==, "days");
  g_assert_cmpstr (bolt12_time_unit_name (2), ==, "months");
  g_assert_cmpstr (bolt12_time_unit_name (3), ==, "years");
  g_assert_null (bolt12_time_unit_name (4));
  g_assert_null (bolt12_time_unit_name (G_MAXUINT));
}

/* Parsing every unit word and then asking for the user unit gives the word's plural back
 * (years come back as years although they travel as 12 months). */
static void
test_parse_then_user_unit (void)
{
  static const struct { const char *text; const char *name; guint32 count; } cases[] = {
    { "5seconds", "seconds", 5 }, { "5minutes", "minutes", 5 }, { "5hours", "hours", 5 },
    { "5days", "days", 5 }, { "5weeks", "weeks", 5 }, { "5months", "months", 5 },
    { "5years", "years", 5 }, { "1second", "seconds", 1 }, { "1week", "weeks", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 time_unit;
      guint32 period;
      const char *name;
      guint32 count;

      g_assert_true (bolt12_recurrence_parse (cases[i].text, &time_unit, &period, NULL));
      bolt12_recurrence_user_unit (time_unit, period, &name, &count);
      g_assert_cmpstr (name, ==, cases[i].name);
      g_assert_cmpuint (count, ==, cases[i].count);
    }
}

/* Every day of 1970-2500 as period 0, one month later: the result is the same time of day, in
 * the next month, on the same day of the month or that month's last day. */
static void
test_months_walk (void)
{
  static const guint8 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  guint64 day_number = 0;

  for (guint year = 1970; year < 2500; year++)
    for (guint month = 1; month <= 12; month++)
      {
        gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        guint length = mdays[month - 1] + (month == 2 && leap ? 1 : 0);
        guint next_month = month == 12 ? 1 : month + 1;
        guint next_year = month == 12 ? year + 1 : year;
        gboolean next_leap = (next_year % 4 == 0 && next_year % 100 != 0) ||
                             next_year % 400 == 0;
        guint next_length = mdays[next_month - 1] + (next_month == 2 && next_leap ? 1 : 0);

        for (guint day = 1; day <= length; day++, day_number++)
          {
            guint64 base = day_number * 86400 + 3723;  /* 01:02:03 */
            guint64 start;
            guint expect_day = MIN (day, next_length);
            /* Days from this day to the expected one. */
            guint64 delta = (length - day) + expect_day;

            g_assert_true (bolt12_period_start (2, 1, base, 1, &start));
            if (start != base + delta * 86400)
              g_error ("%u-%02u-%02u + 1 month: got %" G_GUINT64_FORMAT
                       ", expected %" G_GUINT64_FORMAT, year, month, day, start,
                       base + delta * 86400);
          }
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (recurrence_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/recurrence/parse/%03u", i);

      g_test_add_data_func (path, &recurrence_cases[i], test_recurrence_parse);
    }

  for (guint i = 0; i < G_N_ELEMENTS (paywindow_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/recurrence/paywindow/%03u", i);

      g_test_add_data_func (path, &paywindow_cases[i], test_paywindow_parse);
    }

  for (guint i = 0; i < G_N_ELEMENTS (period_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/recurrence/period-start/%03u", i);

      g_test_add_data_func (path, &period_cases[i], test_period_start);
    }

  for (guint i = 0; i < G_N_ELEMENTS (user_unit_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/recurrence/user-unit/%03u", i);

      g_test_add_data_func (path, &user_unit_cases[i], test_user_unit);
    }

  g_test_add_func ("/recurrence/time-unit-name", test_time_unit_name);
  g_test_add_func ("/recurrence/parse-then-user-unit", test_parse_then_user_unit);
  g_test_add_func ("/recurrence/months-walk", test_months_walk);

  return g_test_run ();
}
