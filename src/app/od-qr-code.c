/* od-qr-code.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <qrencode.h>

#include "od-qr-code.h"

struct _OdQrCode
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (OdQrCode, od_qr_code, G_TYPE_OBJECT)

static void
od_qr_code_class_init (OdQrCodeClass *klass)
{
}

static void
od_qr_code_init (OdQrCode *self)
{
}
