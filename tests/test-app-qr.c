/* test-app-qr.c: OdQrCode renders QR codes a scanner reads back exactly, with crisp modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every rendering is decoded with zbarimg (zbar-tools), which must be installed: a missing
 * scanner is a failure, not a skip.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <string.h>

#include "od-commands.h"
#include "od-qr-code.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

static char *tmp_dir;
static GPtrArray *offers;   /* lower-case offers: one ~600 characters long, then 140-character ones */

/* The text zbarimg reads from an image, without the trailing newline. */
static char *
scan (const char *path)
{
  const char *argv[] = { "zbarimg", "-q", "--nodbus", "--raw", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    {
      g_test_message ("zbarimg is needed (apt-get install zbar-tools): %s", error->message);
      g_test_fail ();
      return NULL;
    }

  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("zbarimg %s: %s (%s)", path, error->message, err);
      return NULL;
    }

  g_strchomp (out);

  return g_steal_pointer (&out);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Pixel (x, y) of a downloaded texture, as 0xAARRGGBB. */
static guint32
pixel (const guint8 *data,
       gsize         stride,
       guint         x,
       guint         y)
{
  guint32 value;

  memcpy (&value, data + y * stride + x * 4, 4);

  return value;
}

static void
test_qr_texture_scans (void)
{
  for (guint i = 0; i < offers->len; i++)
    {
      const char *offer = g_ptr_array_index (offers, i);
      g_autofree char *upper = g_ascii_strup (offer, -1);
      g_autoptr(OdQrCode) qr = NULL;
      g_autoptr(GError) error = NULL;
      guint modules;

      qr = od_qr_code_new (offer, TRUE, &error);
      g_assert_no_error (error);
      g_assert_nonnull (qr);
      g_assert_cmpstr (od_qr_code_get_text (qr), ==, offer);
      g_assert_cmpstr (od_qr_code_get_encoded (qr), ==, upper);
      modules = od_qr_code_get_modules (qr);
      g_assert_cmpuint ((modules - 17) % 4, ==, 0);

      for (guint px = 3; px <= 4; px++)
        {
          g_autofree char *name = g_strdup_printf ("qr-%u-%u.png", i, px);
          g_autofree char *path = tmp_path (name);
          g_autofree char *scanned = NULL;
          g_autofree guint8 *data = NULL;
          g_autoptr(GdkTexture) texture = NULL;
          guint side = (modules + 2 * OD_QR_CODE_QUIET_ZONE) * px;
          gsize stride = (gsize) side * 4;

          texture = od_qr_code_render_texture (qr, px);
          g_assert_cmpint (gdk_texture_get_width (texture), ==, side);
          g_assert_cmpint (gdk_texture_get_height (texture), ==, side);

          /* Every pixel belongs to exactly one module (or to the quiet zone) and is pure
           * black or pure white: the quiet zone white, each module px × px of one colour. */
          data = g_malloc (stride * side);
          gdk_texture_download (texture, data, stride);
          for (guint y = 0; y < side; y++)
            {
              for (guint x = 0; x < side; x++)
                {
                  guint mx = x / px;
                  guint my = y / px;
                  gboolean quiet = mx < OD_QR_CODE_QUIET_ZONE || my < OD_QR_CODE_QUIET_ZONE ||
                                   mx >= modules + OD_QR_CODE_QUIET_ZONE ||
                                   my >= modules + OD_QR_CODE_QUIET_ZONE;
                  gboolean dark = !quiet && od_qr_code_is_dark (qr, mx - OD_QR_CODE_QUIET_ZONE,
                                                                my - OD_QR_CODE_QUIET_ZONE);

                  if (pixel (data, stride, x, y) != (dark ? 0xff000000 : 0xffffffff))
                    {
                      g_test_message ("pixel (%u, %u) of %s is %08x", x, y, name,
                                      pixel (data, stride, x, y));
                      g_assert_not_reached ();
                    }
                }
            }
          /* The finder pattern's corner: the first module inside the quiet zone is dark. */
          g_assert_true (od_qr_code_is_dark (qr, 0, 0));

          g_assert_true (od_qr_code_save_png (qr, path, px, &error));
          g_assert_no_error (error);
          scanned = scan (path);
          g_assert_cmpstr (scanned, ==, upper);
        }
    }
}

static void
test_qr_uppercase_is_smaller (void)
{
  for (guint i = 0; i < offers->len; i++)
    {
      const char *offer = g_ptr_array_index (offers, i);
      g_autoptr(OdQrCode) upper = od_qr_code_new (offer, TRUE, NULL);
      g_autoptr(OdQrCode) lower = od_qr_code_new (offer, FALSE, NULL);
      g_autofree char *path = tmp_path ("lower.png");
      g_autofree char *scanned = NULL;

      g_assert_nonnull (upper);
      g_assert_nonnull (lower);
      /* Alphanumeric mode: 5.5 bits a character instead of 8. */
      g_assert_cmpuint (od_qr_code_get_modules (upper), <, od_qr_code_get_modules (lower));
      g_assert_cmpstr (od_qr_code_get_encoded (lower), ==, offer);

      /* Lower case is encoded as it is and reads back as it is. */
      g_assert_true (od_qr_code_save_png (lower, path, 3, NULL));
      scanned = scan (path);
      g_assert_cmpstr (scanned, ==, offer);
    }

  /* The 140-character offers fit version 6 (41 modules) in upper case, as measured. */
  {
    g_autoptr(OdQrCode) qr = od_qr_code_new (g_ptr_array_index (offers, 1), TRUE, NULL);

    g_assert_cmpuint (od_qr_code_get_modules (qr), ==, 41);
  }
}

/* Renders the paintable at width × height with the cairo renderer. */
static GdkTexture *
render_paintable (GdkPaintable *paintable,
                  int           width,
                  int           height)
{
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);

  /* A red page under it, so a paintable that draws too little fails the checks below. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 0, 0, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  return texture;
}

static void
test_qr_paintable (void)
{
  static const int sizes[][2] = { { 333, 301 }, { 97, 1001 }, { 1024, 768 } };
  const char *offer = g_ptr_array_index (offers, 0);
  g_autofree char *upper = g_ascii_strup (offer, -1);
  g_autoptr(OdQrCode) qr = od_qr_code_new (offer, TRUE, NULL);
  GdkPaintable *paintable = GDK_PAINTABLE (qr);
  guint modules = od_qr_code_get_modules (qr);
  guint side = modules + 2 * OD_QR_CODE_QUIET_ZONE;

  g_assert_true (GDK_IS_PAINTABLE (qr));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, side * 4);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, side * 4);
  g_assert_cmpfloat (gdk_paintable_get_intrinsic_aspect_ratio (paintable), ==, 1.0);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      int width = sizes[i][0];
      int height = sizes[i][1];
      guint scale = MAX (1, MIN (width, height) / side);
      guint x0 = (width - side * scale) / 2;
      guint y0 = (height - side * scale) / 2;
      gsize stride = (gsize) width * 4;
      g_autofree char *name = g_strdup_printf ("paintable-%dx%d.png", width, height);
      g_autofree char *path = tmp_path (name);
      g_autofree char *scanned = NULL;
      g_autofree guint8 *data = NULL;
      g_autoptr(GdkTexture) texture = render_paintable (paintable, width, height);

      data = g_malloc (stride * height);
      gdk_texture_download (texture, data, stride);

      /* The largest whole number of pixels per module that fits, centred: every pixel of
       * the symbol pure black or white as its module says; red (the page) outside it. */
      for (guint y = 0; y < (guint) height; y++)
        {
          for (guint x = 0; x < (guint) width; x++)
            {
              guint32 expected = 0xffff0000;

              if (x >= x0 && y >= y0 && x < x0 + side * scale && y < y0 + side * scale)
                {
                  guint mx = (x - x0) / scale;
                  guint my = (y - y0) / scale;
                  gboolean quiet = mx < OD_QR_CODE_QUIET_ZONE || my < OD_QR_CODE_QUIET_ZONE ||
                                   mx >= modules + OD_QR_CODE_QUIET_ZONE ||
                                   my >= modules + OD_QR_CODE_QUIET_ZONE;

                  expected = !quiet && od_qr_code_is_dark (qr, mx - OD_QR_CODE_QUIET_ZONE,
                                                           my - OD_QR_CODE_QUIET_ZONE)
                    ? 0xff000000 : 0xffffffff;
                }

              if (pixel (data, stride, x, y) != expected)
                {
                  g_test_message ("%dx%d: pixel (%u, %u) is %08x, not %08x", width, height,
                                  x, y, pixel (data, stride, x, y), expected);
                  g_assert_not_reached ();
                }
            }
        }

      if (scale >= 2)
        {
          g_assert_true (gdk_texture_save_to_png (texture, path));
          scanned = scan (path);
          g_assert_cmpstr (scanned, ==, upper);
        }
    }
}

typedef struct
{
  guint    rects;
  guint64  dark;
  char    *view_box;
  gboolean background;
} SvgCount;

static void
svg_start_element (GMarkupParseContext  *context,
                   const char           *element_name,
                   const char          **attribute_names,
                   const char          **attribute_values,
                   gpointer              user_data,
                   GError              **error)
{
  SvgCount *count = user_data;

  if (g_str_equal (element_name, "svg"))
    {
      for (guint i = 0; attribute_names[i] != NULL; i++)
        if (g_str_equal (attribute_names[i], "viewBox"))
          count->view_box = g_strdup (attribute_values[i]);
    }
  else if (g_str_equal (element_name, "rect"))
    {
      guint64 width = 0;
      guint64 height = 0;
      gboolean white = FALSE;

      for (guint i = 0; attribute_names[i] != NULL; i++)
        {
          if (g_str_equal (attribute_names[i], "width"))
            width = g_ascii_strtoull (attribute_values[i], NULL, 10);
          else if (g_str_equal (attribute_names[i], "height"))
            height = g_ascii_strtoull (attribute_values[i], NULL, 10);
          else if (g_str_equal (attribute_names[i], "fill"))
            white = g_str_equal (attribute_values[i], "#ffffff");
        }

      if (white)
        {
          count->background = TRUE;
          return;
        }

      g_assert_cmpuint (height, ==, 1);
      count->rects++;
      count->dark += width;
    }
}

static void
test_qr_svg (void)
{
  const GMarkupParser parser = { svg_start_element, NULL, NULL, NULL, NULL };
  g_autofree char *path = tmp_path ("qr.svg");

  for (guint i = 0; i < offers->len; i++)
    {
      g_autoptr(OdQrCode) qr = od_qr_code_new (g_ptr_array_index (offers, i), TRUE, NULL);
      g_autoptr(GMarkupParseContext) context = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *svg = od_qr_code_to_svg (qr);
      g_autofree char *view_box = NULL;
      guint modules = od_qr_code_get_modules (qr);
      SvgCount count = { 0, };
      guint64 dark = 0;

      g_assert_true (od_qr_code_save_svg (qr, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      g_assert_cmpstr (contents, ==, svg);
      g_assert_true (g_str_has_prefix (contents, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
      g_assert_nonnull (strstr (contents, "shape-rendering=\"crispEdges\""));

      context = g_markup_parse_context_new (&parser, 0, &count, NULL);
      g_assert_true (g_markup_parse_context_parse (context, contents, -1, &error));
      g_assert_no_error (error);
      g_assert_true (g_markup_parse_context_end_parse (context, &error));
      g_assert_no_error (error);

      for (guint y = 0; y < modules; y++)
        for (guint x = 0; x < modules; x++)
          dark += od_qr_code_is_dark (qr, x, y);

      view_box = g_strdup_printf ("0 0 %u %u", modules + 8, modules + 8);
      g_assert_cmpstr (count.view_box, ==, view_box);
      g_assert_true (count.background);
      g_assert_cmpuint (count.dark, ==, dark);
      /* Runs, not single modules. */
      g_assert_cmpuint (count.rects, <, dark);
      g_free (count.view_box);
    }
}

static void
test_qr_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdQrCode) empty = od_qr_code_new ("", TRUE, &error);
  g_autoptr(OdQrCode) huge = NULL;
  g_autofree char *text = g_strnfill (8000, 'q');

  g_assert_null (empty);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  huge = od_qr_code_new (text, TRUE, &error);
  g_assert_null (huge);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

/* A real ~600-character offer, from the command layer. */
static char *
make_long_offer (void)
{
  g_autofree char *data_dir = g_build_filename (tmp_dir, "data", NULL);
  g_autoptr(OdCommands) commands = od_commands_new (data_dir, "bitcoin");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_string_value (builder, "21000sat");
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder,
                                 "Annual membership of the Offerdesk test cooperative: two "
                                 "workshops a month, the tool library, the members' evening "
                                 "on the first Friday and a printed newsletter every season, "
                                 "sent to the address you give us at the desk. Renews every "
                                 "year until you cancel it in your wallet.");
  json_builder_set_member_name (builder, "issuer");
  json_builder_add_string_value (builder, "Offerdesk Test Cooperative, Main Street 1");
  json_builder_set_member_name (builder, "recurrence");
  json_builder_add_string_value (builder, "1year");
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  result = od_commands_call (commands, "offer", params, &error);
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (json_node_get_object (result), "bolt12"));
}

static void
load_offers (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", "strings.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *strings;
  char *long_offer;

  offers = g_ptr_array_new_with_free_func (g_free);

  long_offer = make_long_offer ();
  g_assert_cmpuint (strlen (long_offer), >=, 550);
  g_assert_cmpuint (strlen (long_offer), <=, 700);
  g_ptr_array_add (offers, long_offer);

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  strings = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (strings); i++)
    {
      JsonObject *entry = json_array_get_object_element (strings, i);
      const char *string = json_object_get_string_member (entry, "string");

      if (g_str_has_prefix (string, "lno1") && strlen (string) == 140)
        g_ptr_array_add (offers, g_strdup (string));
    }
  g_assert_cmpuint (offers->len, >=, 3);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;

  tmp_dir = g_dir_make_tmp ("offerdesk-test-qr-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  load_offers ();

  g_test_add_func ("/qr/texture-scans", test_qr_texture_scans);
  g_test_add_func ("/qr/uppercase-is-smaller", test_qr_uppercase_is_smaller);
  g_test_add_func ("/qr/paintable", test_qr_paintable);
  g_test_add_func ("/qr/svg", test_qr_svg);
  g_test_add_func ("/qr/errors", test_qr_errors);

  ret = g_test_run ();

  od_test_remove_tree (tmp_dir);
  g_clear_pointer (&offers, g_ptr_array_unref);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
