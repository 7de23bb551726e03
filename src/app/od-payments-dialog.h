/* od-payments-dialog.h: the payments of one offer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "od-commands.h"
#include "od-history-model.h"
#include "od-store.h"

G_BEGIN_DECLS

#define OD_TYPE_PAYMENTS_DIALOG (od_payments_dialog_get_type ())

G_DECLARE_FINAL_TYPE (OdPaymentsDialog, od_payments_dialog, OD, PAYMENTS_DIALOG, AdwWindow)

/* commands must outlive the dialog (the application keeps retired ones).  The payments are
 * read in a worker thread, and again whenever the item's paid-count changes. */
OdPaymentsDialog *od_payments_dialog_new         (GtkWindow        *parent,
                                                  OdCommands       *commands,
                                                  OdHistoryItem    *item);
OdHistoryItem    *od_payments_dialog_get_item    (OdPaymentsDialog *self);
/* "loading", "list", "empty" or "error": what the dialog shows. */
const char       *od_payments_dialog_get_state   (OdPaymentsDialog *self);
/* The payments shown, newest first (NULL past the end or while loading). */
guint             od_payments_dialog_get_n_payments (OdPaymentsDialog *self);
const OdPayment  *od_payments_dialog_get_payment (OdPaymentsDialog *self,
                                                  guint             position);

G_END_DECLS
