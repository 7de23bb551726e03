/* bolt12-recurrence.h: recurrence and paywindow grammars, period arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

/* Wire time units (Core Lightning's experimental recurrence numbering). */
typedef enum
{
  BOLT12_TIME_UNIT_SECONDS = 0,
  BOLT12_TIME_UNIT_DAYS    = 1,
  BOLT12_TIME_UNIT_MONTHS  = 2,
  BOLT12_TIME_UNIT_YEARS   = 3, /* only in older numberings; decoded, never written */
} Bolt12TimeUnit;

/* "seconds", "days", "months", "years"; NULL for an unknown unit. */
const char *bolt12_time_unit_name  (guint          time_unit);

/* "<n><unit>", unit one of second(s) minute(s) hour(s) day(s) week(s) month(s) year(s),
 * case-sensitive, no spaces.  minutes/hours scale into seconds, weeks into days, years into
 * months (12·n, since the current wire format has no years).  n must fit, after scaling, in
 * a u32.  Errors: "not a valid time" (BOLT12_ERROR_GRAMMAR), overflow (BOLT12_ERROR_RANGE).
 * n = 0 parses (the offer's validity check refuses period 0). */
gboolean    bolt12_recurrence_parse (const char   *text,
                                     guint8       *time_unit,
                                     guint32      *period,
                                     GError      **error);

/* "-<before>+<after>[%]", both u32 seconds.  *proportional receives whether '%' was given.
 * Errors: "expected -time+time[%]" for the shape, "expected number of seconds" for a number. */
gboolean    bolt12_paywindow_parse  (const char   *text,
                                     guint32      *seconds_before,
                                     guint32      *seconds_after,
                                     gboolean     *proportional,
                                     GError      **error);

/* Start of period n (n >= 0) for a recurrence whose period 0 starts at basetime (UTC unix
 * seconds), computed from period 0 each time: seconds: base + n·period; days: same time of day,
 * n·period days later; months: n·period months later, same time of day, day of month clamped to
 * the month's last day (Jan 31 -> Feb 28/29, Mar 31, Apr 30); years: 12·n·period months.
 * Returns FALSE on overflow or an unknown unit. */
gboolean    bolt12_period_start     (guint          time_unit,
                                     guint32        period,
                                     guint64        basetime,
                                     guint64        n,
                                     guint64       *start);

/* Plain-words description for people, e.g. "every 4 weeks" style is the app's business;
 * this gives (unit, period) back as the largest exact user unit: (1, 28) -> ("weeks", 4). */
void        bolt12_recurrence_user_unit (guint8       time_unit,
                                         guint32      period,
                                         const char **unit_name,
                                         guint32     *count);

G_END_DECLS
