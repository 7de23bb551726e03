/* od-qr-code.h: a QR code as a crisp GdkPaintable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The symbol is encoded once (libqrencode, error correction level M).  With uppercase, the
 * text is upper-cased first, so a bech32 string (lno1…, lnr1…) fits QR's alphanumeric mode
 * and gives a smaller symbol; otherwise it is encoded as it is (8-bit mode).
 *
 * Every rendering has a white quiet zone of OD_QR_CODE_QUIET_ZONE modules and black modules
 * of a whole number of pixels, whatever the theme.  As a GdkPaintable it draws at the largest
 * whole number of pixels per module that fits, centred.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OD_QR_CODE_QUIET_ZONE 4

#define OD_TYPE_QR_CODE (od_qr_code_get_type ())

G_DECLARE_FINAL_TYPE (OdQrCode, od_qr_code, OD, QR_CODE, GObject)

/* NULL with a G_IO_ERROR when the text is empty or too long for a QR code. */
OdQrCode   *od_qr_code_new            (const char  *text,
                                       gboolean     uppercase,
                                       GError     **error);
/* The text as given to od_qr_code_new() (not upper-cased). */
const char *od_qr_code_get_text       (OdQrCode    *self);
/* The text the symbol encodes (upper-cased when asked). */
const char *od_qr_code_get_encoded    (OdQrCode    *self);
gboolean    od_qr_code_get_uppercase  (OdQrCode    *self);
/* Modules per side, without the quiet zone. */
guint       od_qr_code_get_modules    (OdQrCode    *self);
/* Whether the module at (x, y) (0-based, without the quiet zone) is dark. */
gboolean    od_qr_code_is_dark        (OdQrCode    *self,
                                       guint        x,
                                       guint        y);
/* A (modules + 2 × quiet zone) × px_per_module square texture, R8G8B8, black on white. */
GdkTexture *od_qr_code_render_texture (OdQrCode    *self,
                                       guint        px_per_module);
gboolean    od_qr_code_save_png       (OdQrCode    *self,
                                       const char  *path,
                                       guint        px_per_module,
                                       GError     **error);
/* An SVG whose viewBox is in modules (quiet zone included): a white background and one
 * <rect> per horizontal run of dark modules. */
char       *od_qr_code_to_svg         (OdQrCode    *self);
gboolean    od_qr_code_save_svg       (OdQrCode    *self,
                                       const char  *path,
                                       GError     **error);

G_END_DECLS
