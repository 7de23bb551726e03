/* od-payments.h: following a Core Lightning node's payments to our offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OdPaymentFollower runs one worker thread that calls waitanyinvoice on the commands' node
 * backend, from the last pay_index stored for that node (od_store_get_last_pay_index), with a
 * bounded timeout (904 "timed out" just loops).  Each paid invoice with a local_offer_id of an
 * offer in the store is decoded (the lni string, when given, through the bolt12 module: payer
 * note, quantity, recurrence counter) and recorded with od_store_add_payment(), which also
 * advances the last pay_index; an invoice of someone else's advances the index only.  So a
 * restart or a reconnect resumes where it stopped: no payment is missed or counted twice.
 *
 * A transport failure sets the follower's state to DISCONNECTED and retries with backoff
 * (1 s, 2 s, 4 s … at most 30 s; od_payment_follower_retry_now() skips the wait).  With the
 * local backend the follower does nothing (state CONNECTED, no thread).
 *
 * Signals and notifications are emitted on the thread-default main context of the thread
 * that called od_payment_follower_new().
 */

#pragma once

#include <gio/gio.h>

#include "od-backend.h"
#include "od-commands.h"
#include "od-store.h"

G_BEGIN_DECLS

#define OD_TYPE_PAYMENT_FOLLOWER (od_payment_follower_get_type ())
G_DECLARE_FINAL_TYPE (OdPaymentFollower, od_payment_follower, OD, PAYMENT_FOLLOWER, GObject)

/* commands must outlive the follower.
 *
 * Signals:
 *   "payment-received" (OdPaymentFollower *, const OdPayment *payment): a payment of one of our
 *       offers was recorded (only new ones: never twice for the same pay_index).
 * Properties:
 *   "state" (guint, OdBackendState): the follower's connection to the node.
 *   "last-error" (string, NULL when the last attempt worked): the last transport error, in words.
 *   "backoff-seconds" (guint): the wait before the next attempt while DISCONNECTED. */
OdPaymentFollower *od_payment_follower_new        (OdCommands        *commands);
/* Starts the thread (no-op when running or with the local backend). */
void               od_payment_follower_start      (OdPaymentFollower *self);
/* Cancels the wait and joins the thread; no signal is emitted after it returns. */
void               od_payment_follower_stop       (OdPaymentFollower *self);
gboolean           od_payment_follower_is_running (OdPaymentFollower *self);
OdBackendState     od_payment_follower_get_state  (OdPaymentFollower *self);
const char        *od_payment_follower_get_last_error (OdPaymentFollower *self);
void               od_payment_follower_retry_now  (OdPaymentFollower *self);

/* One pass without a thread (tests, `offerdesk-cli syncpayments`): records every paid invoice
 * after the stored last pay_index using listinvoices/waitanyinvoice with timeout 0, and returns
 * how many payments of ours were recorded. */
gboolean           od_payments_sync_once          (OdCommands        *commands,
                                                   guint             *n_recorded,
                                                   GCancellable      *cancellable,
                                                   GError           **error);

/* Turns one invoice object of listinvoices / waitanyinvoice into a payment (NULL, no error,
 * when it is not paid or has no local_offer_id); error for a malformed object. */
OdPayment         *od_payment_from_invoice_json   (JsonObject        *invoice,
                                                   const char        *node_id,
                                                   GError           **error);

G_END_DECLS
