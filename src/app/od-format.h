/* od-format.h: the words the result view and the customer display use for decoded fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function reads `decode` results (Core Lightning's field names) and returns a
 * translated, newly allocated string, or NULL when the field is absent.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* "1,000": digits grouped as the locale does ("1000" in the C locale). */
char *od_format_integer       (guint64     value);
/* "1,000 sats" ("1.5 sats" for a fraction of a sat; grouping and decimal
 * separator as the locale has them). */
char *od_format_sats          (guint64     msat);
/* "0.00001 BTC" (no trailing zeros). */
char *od_format_btc           (guint64     msat);
/* "12.50 USD" from minor units; NULL for an unknown currency. */
char *od_format_currency      (guint64     minor_units,
                               const char *code);
/* The amount the payer is asked for: offer_amount_msat ("1,000 sats (0.00001 BTC)"),
 * offer_currency + offer_amount ("12.50 USD"), or invreq_amount_msat; NULL when the payer
 * chooses the amount. */
char *od_format_amount        (JsonObject *decoded);
/* The same, short: "1,000 sats" or "12.50 USD". */
char *od_format_amount_short  (JsonObject *decoded);
/* "30 seconds", "1 hour", "2 days": the largest unit that divides seconds exactly. */
char *od_format_duration      (guint64     seconds);
/* Local date and time of a Unix time. */
char *od_format_time          (gint64      unix_time);
/* The history's short numeric local date and time ("2023-11-14 22:13"), also in the payments
 * list; NULL when unix_time is out of range. */
char *od_format_history_date  (gint64      unix_time);
/* offer_recurrence in words: "every 4 weeks", "every month, 13 payments". */
char *od_format_recurrence    (JsonObject *recurrence);
/* "from 1 hour before to 1 day after the start of each period"; NULL without a paywindow. */
char *od_format_paywindow     (JsonObject *recurrence);
/* offer_quantity_max in words. */
char *od_format_quantity_max  (guint64     quantity_max);

G_END_DECLS
