/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "od-application.h"

/* OFFERDESK_BENCH_FIRST_FRAME=1 (benchmarks/offerdesk-bench's first-frame figure): print
 * "first-frame main=<µs> paint=<µs>" (g_get_monotonic_time() at the top of main() and at the
 * end of the first paint of the first window) and quit.  The instance is made non-unique so a
 * running Offerdesk does not take the start over. */
static gint64 bench_main_time;

static void
on_bench_after_paint_cb (GdkFrameClock  *clock,
                         GtkApplication *app)
{
  printf ("first-frame main=%" G_GINT64_FORMAT " paint=%" G_GINT64_FORMAT "\n",
          bench_main_time, g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_bench_after_paint_cb, app);
  g_application_quit (G_APPLICATION (app));
}

static void
on_bench_window_map_cb (GtkWidget      *window,
                        GtkApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, on_bench_window_map_cb, app);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_bench_after_paint_cb), app);
}

static void
on_bench_window_added_cb (GtkApplication *app,
                          GtkWindow      *window)
{
  g_signal_handlers_disconnect_by_func (app, on_bench_window_added_cb, NULL);
  g_signal_connect (window, "map", G_CALLBACK (on_bench_window_map_cb), app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(OdApplication) app = NULL;

  bench_main_time = g_get_monotonic_time ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = od_application_new ();

  if (g_strcmp0 (g_getenv ("OFFERDESK_BENCH_FIRST_FRAME"), "1") == 0)
    {
      g_application_set_flags (G_APPLICATION (app),
                                g_application_get_flags (G_APPLICATION (app)) |
                                G_APPLICATION_NON_UNIQUE);
      g_signal_connect (app, "window-added", G_CALLBACK (on_bench_window_added_cb), NULL);
    }

  return g_application_run (G_APPLICATION (app), argc, argv);
}
