/* od-result-view.h: an offer or invoice request just made: its QR code, its string and what
 * the customer will see
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "od-commands.h"
#include "od-store.h"

G_BEGIN_DECLS

#define OD_TYPE_RESULT_VIEW (od_result_view_get_type ())

G_DECLARE_FINAL_TYPE (OdResultView, od_result_view, OD, RESULT_VIEW, AdwBin)

/* result: an `offer` or `invoicerequest` command result (bolt12, offer_id or invreq_id,
 * active, single_use, used, label?, absolute_expiry?), copied.  commands must outlive the
 * view (it decodes the string and disables the offer through it; inside an OdWindow, the
 * window's current commands are used instead). */
void        od_result_view_set_result  (OdResultView *self,
                                        OdCommands   *commands,
                                        JsonObject   *result);
/* The lno1…/lnr1… string shown (lower case), or NULL. */
const char *od_result_view_get_bolt12  (OdResultView *self);
/* The `decode` result of that string, or NULL until it has arrived. */
JsonObject *od_result_view_get_decoded (OdResultView *self);
/* The offer_id shown (NULL for an invoice request or nothing). */
const char *od_result_view_get_offer_id (OdResultView *self);
/* When payment->offer_id is the offer shown: the large "Paid" state ("paid" property TRUE)
 * until the result changes or result.show-qr; returns whether it was. */
gboolean    od_result_view_show_payment (OdResultView    *self,
                                         const OdPayment *payment);
gboolean    od_result_view_get_paid    (OdResultView *self);
/* "1,000 sats (0.00001 BTC)": the amount received, translated. */
char       *od_result_view_format_payment_amount (const OdPayment *payment);

G_END_DECLS
