/* od-qr-code.h: a QR code as a crisp GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OD_TYPE_QR_CODE (od_qr_code_get_type ())

G_DECLARE_FINAL_TYPE (OdQrCode, od_qr_code, OD, QR_CODE, GObject)

G_END_DECLS
