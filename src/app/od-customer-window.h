/* od-customer-window.h: what the customer sees, full screen: the QR code, the amount, what it
 * is for and who asks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define OD_TYPE_CUSTOMER_WINDOW (od_customer_window_get_type ())

G_DECLARE_FINAL_TYPE (OdCustomerWindow, od_customer_window, OD, CUSTOMER_WINDOW, AdwWindow)

OdCustomerWindow *od_customer_window_new                (GtkApplication   *app);
/* decoded: the `decode` result of bolt12 (may be NULL: only the QR code is shown);
 * shop_name: NULL or "" for none (then the offer's issuer, if any). */
void              od_customer_window_show_result        (OdCustomerWindow *self,
                                                         JsonObject       *decoded,
                                                         const char       *bolt12,
                                                         const char       *shop_name);
/* A large "Paid — thank you" with the amount received (formatted, or NULL) instead of the QR
 * code, until the next show_result. */
void              od_customer_window_show_paid          (OdCustomerWindow *self,
                                                         const char       *amount);
gboolean          od_customer_window_get_paid           (OdCustomerWindow *self);
/* Full screen on the monitor with that connector name ("HDMI-1"); NULL, "" or an unknown
 * name: the last monitor. */
void              od_customer_window_present_fullscreen (OdCustomerWindow *self,
                                                         const char       *monitor_connector);

G_END_DECLS
