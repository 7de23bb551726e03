/* od-result-view.h: an offer or invoice request just made: its QR code, its string and what
 * the customer will see
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "od-commands.h"

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

G_END_DECLS
