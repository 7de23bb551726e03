/* od-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "od-backend.h"
#include "od-commands.h"
#include "od-payments.h"

G_BEGIN_DECLS

#define OD_TYPE_APPLICATION (od_application_get_type ())

G_DECLARE_FINAL_TYPE (OdApplication, od_application, OD, APPLICATION, AdwApplication)

/* Signals:
 *   "payment-received" (OdApplication *, const OdPayment *payment): the payment follower
 *       recorded a payment of one of our offers (whichever follower is current).
 * Properties (read-only, notified on the main context):
 *   "connection-state" (guint, OdBackendState): CONNECTED for the embedded signer; for a node,
 *       the latest state reported by the backend or the payment follower (a node answering
 *       calls is connected).
 *   "connection-error" (string, nullable): why the node cannot be used, in words: the last
 *       transport error, or an invalid node configuration in the settings.
 *   "backoff-seconds" (guint): the payment follower's wait before it tries again.
 *   "can-create" (boolean): whether new offers and requests can be made now. */
OdApplication     *od_application_new                   (void);
/* The command layer: data dir from OFFERDESK_DATA_DIR, else the data-dir setting, else
 * $XDG_DATA_HOME/offerdesk; network from the network setting; backend from the backend
 * settings (recreated when one of them changes, so do not keep the pointer across main-loop
 * iterations). */
OdCommands        *od_application_get_commands          (OdApplication *self);
GSettings         *od_application_get_settings          (OdApplication *self);
/* The follower of the current command layer's node (started for a node backend; idle with the
 * embedded signer).  Replaced together with the command layer. */
OdPaymentFollower *od_application_get_payment_follower  (OdApplication *self);
/* The current command layer's backend. */
OdBackend         *od_application_get_backend           (OdApplication *self);
OdBackendState     od_application_get_connection_state  (OdApplication *self);
const char        *od_application_get_connection_error  (OdApplication *self);
guint              od_application_get_backoff_seconds   (OdApplication *self);
/* When the follower tries the node again (g_get_monotonic_time()), 0 when not waiting. */
gint64             od_application_get_next_retry        (OdApplication *self);
gboolean           od_application_get_can_create        (OdApplication *self);
/* NULL when creating is possible, else why not, in words (for a tooltip). */
const char        *od_application_get_create_blocked_reason (OdApplication *self);
/* Tries the node again at once: the follower skips its wait, and getinfo is called. */
void               od_application_retry_connection      (OdApplication *self);
/* The backend configuration the settings describe (the rune looked up for a REST URL); NULL
 * with an error when it is not valid (od_backend_config_validate). */
OdBackendConfig   *od_application_dup_backend_config    (OdApplication *self,
                                                         GError       **error);
/* Where the store, the key and a rune file live. */
char              *od_application_dup_data_dir          (OdApplication *self);

G_END_DECLS
