/* od-export.h: the history with its payments as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 4180 CSV, UTF-8, CRLF line ends, a header row, one row per issued offer / invoice request
 * with no payment, and one row per payment (the offer's columns repeated):
 *
 *   date, kind, description, amount_msat, fiat_amount, fiat_currency, rate_msat_per_unit,
 *   label, status, id, node_id, paid_at, paid_amount_msat, payer_note, quantity,
 *   recurrence_counter, pay_index, payment_hash
 *
 * date / paid_at: ISO 8601 UTC ("2026-11-21T10:00:00Z").  fiat_amount: the offer's currency
 * amount in major units ("12.50") for an offer in a currency, or, for a payment when the rate at
 * the time is known, amount / rate.  A field holding a comma, quote, CR or LF is quoted, quotes
 * doubled; a field starting with = + - @ is prefixed with ' (spreadsheet formula injection).
 * Rows are written in pages (never the whole history in memory), newest first.
 */

#pragma once

#include <gio/gio.h>

#include "od-commands.h"

G_BEGIN_DECLS

/* Writes the CSV of the commands' store to out; an empty history gives the header only. */
gboolean od_export_csv      (OdCommands     *commands,
                             GOutputStream  *out,
                             GCancellable   *cancellable,
                             GError        **error);
/* Writes to path through a temporary file renamed at the end (never a half-written file). */
gboolean od_export_csv_file (OdCommands     *commands,
                             const char     *path,
                             GCancellable   *cancellable,
                             GError        **error);

G_END_DECLS
