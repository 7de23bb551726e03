/* od-customer-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OD_TYPE_CUSTOMER_WINDOW (od_customer_window_get_type ())

G_DECLARE_FINAL_TYPE (OdCustomerWindow, od_customer_window, OD, CUSTOMER_WINDOW, AdwWindow)

G_END_DECLS
