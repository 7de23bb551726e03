/* od-qr-code.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <qrencode.h>

#include "od-qr-code.h"

/* Intrinsic size of the paintable, in pixels per module. */
#define INTRINSIC_PX_PER_MODULE 4

struct _OdQrCode
{
  GObject  parent_instance;

  char    *text;
  char    *encoded;
  guint8  *dark;     /* modules × modules, 1 = dark */
  guint    modules;
  gboolean uppercase;
};

enum {
  PROP_0,
  PROP_MODULES,
  PROP_TEXT,
  PROP_UPPERCASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void od_qr_code_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OdQrCode, od_qr_code, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, od_qr_code_paintable_init))

static guint
od_qr_code_get_side (OdQrCode *self)
{
  return self->modules + 2 * OD_QR_CODE_QUIET_ZONE;
}

static void
od_qr_code_snapshot (GdkPaintable *paintable,
                     GdkSnapshot  *snapshot,
                     double        width,
                     double        height)
{
  OdQrCode *self = OD_QR_CODE (paintable);
  static const GdkRGBA white = { 1.f, 1.f, 1.f, 1.f };
  static const GdkRGBA black = { 0.f, 0.f, 0.f, 1.f };
  guint side = od_qr_code_get_side (self);
  double scale;
  double x0;
  double y0;

  if (width <= 0 || height <= 0)
    return;

  /* Whole pixels per module, so every module edge falls on a pixel edge. */
  scale = floor (MIN (width, height) / side);
  if (scale < 1)
    scale = 1;
  x0 = floor ((width - side * scale) / 2);
  y0 = floor ((height - side * scale) / 2);

  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (x0, y0, side * scale, side * scale));

  x0 += OD_QR_CODE_QUIET_ZONE * scale;
  y0 += OD_QR_CODE_QUIET_ZONE * scale;

  for (guint y = 0; y < self->modules; y++)
    {
      const guint8 *row = self->dark + (gsize) y * self->modules;
      guint x = 0;

      while (x < self->modules)
        {
          guint run;

          if (!row[x])
            {
              x++;
              continue;
            }

          for (run = 1; x + run < self->modules && row[x + run]; run++)
            ;

          gtk_snapshot_append_color (snapshot, &black,
                                     &GRAPHENE_RECT_INIT (x0 + x * scale, y0 + y * scale,
                                                          run * scale, scale));
          x += run;
        }
    }
}

static int
od_qr_code_get_intrinsic_width (GdkPaintable *paintable)
{
  return od_qr_code_get_side (OD_QR_CODE (paintable)) * INTRINSIC_PX_PER_MODULE;
}

static int
od_qr_code_get_intrinsic_height (GdkPaintable *paintable)
{
  return od_qr_code_get_side (OD_QR_CODE (paintable)) * INTRINSIC_PX_PER_MODULE;
}

static double
od_qr_code_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  return 1.0;
}

static GdkPaintableFlags
od_qr_code_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE | GDK_PAINTABLE_STATIC_CONTENTS;
}

static void
od_qr_code_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = od_qr_code_snapshot;
  iface->get_intrinsic_width = od_qr_code_get_intrinsic_width;
  iface->get_intrinsic_height = od_qr_code_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = od_qr_code_get_intrinsic_aspect_ratio;
  iface->get_flags = od_qr_code_get_flags;
}

static void
od_qr_code_finalize (GObject *object)
{
  OdQrCode *self = (OdQrCode *)object;

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->encoded, g_free);
  g_clear_pointer (&self->dark, g_free);

  G_OBJECT_CLASS (od_qr_code_parent_class)->finalize (object);
}

static void
od_qr_code_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  OdQrCode *self = OD_QR_CODE (object);

  switch (prop_id)
    {
    case PROP_MODULES:
      g_value_set_uint (value, self->modules);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_UPPERCASE:
      g_value_set_boolean (value, self->uppercase);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_qr_code_class_init (OdQrCodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = od_qr_code_finalize;
  object_class->get_property = od_qr_code_get_property;

  properties[PROP_MODULES] =
    g_param_spec_uint ("modules", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_UPPERCASE] =
    g_param_spec_boolean ("uppercase", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
od_qr_code_init (OdQrCode *self)
{
}

OdQrCode *
od_qr_code_new (const char  *text,
                gboolean     uppercase,
                GError     **error)
{
  g_autoptr(OdQrCode) self = NULL;
  g_autofree char *encoded = NULL;
  QRcode *qr;
  gsize n;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*text == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("There is nothing to put in a QR code"));
      return NULL;
    }

  encoded = uppercase ? g_ascii_strup (text, -1) : g_strdup (text);

  /* Case-sensitive, so libqrencode splits the text into numeric, alphanumeric and 8-bit
   * segments as it is: all alphanumeric once upper-cased. */
  errno = 0;
  qr = QRcode_encodeString (encoded, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    {
      if (errno == ERANGE)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                             _("The text is too long for a QR code"));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     _("Could not make a QR code: %s"), g_strerror (errno));
      return NULL;
    }

  self = g_object_new (OD_TYPE_QR_CODE, NULL);
  self->text = g_strdup (text);
  self->encoded = g_steal_pointer (&encoded);
  self->uppercase = !!uppercase;
  self->modules = (guint) qr->width;

  n = (gsize) self->modules * self->modules;
  self->dark = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    self->dark[i] = qr->data[i] & 1;

  QRcode_free (qr);

  return g_steal_pointer (&self);
}

const char *
od_qr_code_get_text (OdQrCode *self)
{
  g_return_val_if_fail (OD_IS_QR_CODE (self), NULL);

  return self->text;
}

const char *
od_qr_code_get_encoded (OdQrCode *self)
{
  g_return_val_if_fail (OD_IS_QR_CODE (self), NULL);

  return self->encoded;
}

gboolean
od_qr_code_get_uppercase (OdQrCode *self)
{
  g_return_val_if_fail (OD_IS_QR_CODE (self), FALSE);

  return self->uppercase;
}

guint
od_qr_code_get_modules (OdQrCode *self)
{
  g_return_val_if_fail (OD_IS_QR_CODE (self), 0);

  return self->modules;
}

gboolean
od_qr_code_is_dark (OdQrCode *self,
                    guint     x,
                    guint     y)
{
  g_return_val_if_fail (OD_IS_QR_CODE (self), FALSE);
  g_return_val_if_fail (x < self->modules && y < self->modules, FALSE);

  return self->dark[(gsize) y * self->modules + x];
}

GdkTexture *
od_qr_code_render_texture (OdQrCode *self,
                           guint     px_per_module)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize size;
  gsize stride;

  g_return_val_if_fail (OD_IS_QR_CODE (self), NULL);
  g_return_val_if_fail (px_per_module > 0 && px_per_module <= 256, NULL);

  size = (gsize) od_qr_code_get_side (self) * px_per_module;
  stride = size * 3;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);

  for (guint y = 0; y < self->modules; y++)
    {
      for (guint x = 0; x < self->modules; x++)
        {
          gsize top = (gsize) (y + OD_QR_CODE_QUIET_ZONE) * px_per_module;
          gsize left = (gsize) (x + OD_QR_CODE_QUIET_ZONE) * px_per_module;

          if (!self->dark[(gsize) y * self->modules + x])
            continue;

          for (guint dy = 0; dy < px_per_module; dy++)
            memset (pixels + (top + dy) * stride + left * 3, 0x00, (gsize) px_per_module * 3);
        }
    }

  bytes = g_bytes_new_take (pixels, stride * size);

  return gdk_memory_texture_new ((int) size, (int) size, GDK_MEMORY_R8G8B8, bytes, stride);
}

gboolean
od_qr_code_save_png (OdQrCode    *self,
                     const char  *path,
                     guint        px_per_module,
                     GError     **error)
{
  g_autoptr(GdkTexture) texture = NULL;

  g_return_val_if_fail (OD_IS_QR_CODE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  texture = od_qr_code_render_texture (self, px_per_module);
  if (texture == NULL || !gdk_texture_save_to_png (texture, path))
    {
      g_autofree char *display_name = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not save the QR code to “%s”"), display_name);
      return FALSE;
    }

  return TRUE;
}

char *
od_qr_code_to_svg (OdQrCode *self)
{
  g_autoptr(GString) svg = NULL;
  guint side;

  g_return_val_if_fail (OD_IS_QR_CODE (self), NULL);

  side = od_qr_code_get_side (self);
  svg = g_string_new (NULL);
  g_string_append_printf (svg,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                          "viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\" "
                          "shape-rendering=\"crispEdges\">\n"
                          "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n"
                          "<g fill=\"#000000\">\n",
                          side, side,
                          side * INTRINSIC_PX_PER_MODULE, side * INTRINSIC_PX_PER_MODULE,
                          side, side);

  for (guint y = 0; y < self->modules; y++)
    {
      const guint8 *row = self->dark + (gsize) y * self->modules;
      guint x = 0;

      while (x < self->modules)
        {
          guint run;

          if (!row[x])
            {
              x++;
              continue;
            }

          for (run = 1; x + run < self->modules && row[x + run]; run++)
            ;

          g_string_append_printf (svg, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"1\"/>\n",
                                  x + OD_QR_CODE_QUIET_ZONE, y + OD_QR_CODE_QUIET_ZONE, run);
          x += run;
        }
    }

  g_string_append (svg, "</g>\n</svg>\n");

  return g_string_free (g_steal_pointer (&svg), FALSE);
}

gboolean
od_qr_code_save_svg (OdQrCode    *self,
                     const char  *path,
                     GError     **error)
{
  g_autofree char *svg = NULL;

  g_return_val_if_fail (OD_IS_QR_CODE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  svg = od_qr_code_to_svg (self);

  return g_file_set_contents (path, svg, -1, error);
}
