/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

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

/* OFFERDESK_BENCH_HISTORY_MEMORY=<text> (benchmarks/offerdesk-bench's gui-memory figures): after
 * the first frame, show the history, scroll to its middle, search for <text>, scroll to the
 * middle of the results, then print "history-memory rss=<kB> hwm=<kB> items=<n>" (VmRSS and
 * VmHWM of /proc/self/status, the items of the list shown) and quit. */
typedef struct
{
  GtkApplication *app;
  GtkWindow      *window;
  guint           step;
} BenchMemory;

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
bench_scroll_history_middle (GtkWindow *window)
{
  GtkWidget *view = find_widget_of_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW);
  GtkAdjustment *adjustment;
  GListModel *model;

  if (view == NULL)
    return 0;
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  if (adjustment != NULL)
    gtk_adjustment_set_value (adjustment,
                              (gtk_adjustment_get_upper (adjustment) -
                               gtk_adjustment_get_page_size (adjustment)) / 2);
  model = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)));
  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static gint64
status_kb (const char *contents,
           const char *key)
{
  const char *line = contents != NULL ? strstr (contents, key) : NULL;

  return line != NULL ? g_ascii_strtoll (line + strlen (key), NULL, 10) : -1;
}

static gboolean
bench_memory_step_cb (gpointer data)
{
  BenchMemory *bench = data;
  GtkWidget *focus;

  switch (bench->step++)
    {
    case 0:
      gtk_widget_activate_action (GTK_WIDGET (bench->window), "win.search", NULL);
      return G_SOURCE_CONTINUE;
    case 1:
      bench_scroll_history_middle (bench->window);
      return G_SOURCE_CONTINUE;
    case 2:
      focus = gtk_window_get_focus (bench->window);
      if (focus != NULL && GTK_IS_EDITABLE (focus))
        gtk_editable_set_text (GTK_EDITABLE (focus), g_getenv ("OFFERDESK_BENCH_HISTORY_MEMORY"));
      return G_SOURCE_CONTINUE;
    case 3:
      return G_SOURCE_CONTINUE;   /* the search entry waits before it searches */
    case 4:
      bench_scroll_history_middle (bench->window);
      return G_SOURCE_CONTINUE;
    default:
      {
        g_autofree char *status = NULL;
        guint n_items = bench_scroll_history_middle (bench->window);

        g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
        printf ("history-memory rss=%" G_GINT64_FORMAT " hwm=%" G_GINT64_FORMAT " items=%u\n",
                status_kb (status, "VmRSS:"), status_kb (status, "VmHWM:"), n_items);
        fflush (stdout);
        g_application_quit (G_APPLICATION (bench->app));
        g_free (bench);
        return G_SOURCE_REMOVE;
      }
    }
}

static void
on_bench_memory_after_paint_cb (GdkFrameClock *clock,
                                BenchMemory   *bench)
{
  g_signal_handlers_disconnect_by_func (clock, on_bench_memory_after_paint_cb, bench);
  g_timeout_add (500, bench_memory_step_cb, bench);
}

static void
on_bench_memory_map_cb (GtkWidget      *window,
                        GtkApplication *app)
{
  BenchMemory *bench = g_new0 (BenchMemory, 1);

  bench->app = app;
  bench->window = GTK_WINDOW (window);
  g_signal_handlers_disconnect_by_func (window, on_bench_memory_map_cb, app);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_bench_memory_after_paint_cb), bench);
}

static void
on_bench_memory_window_added_cb (GtkApplication *app,
                                 GtkWindow      *window)
{
  g_signal_handlers_disconnect_by_func (app, on_bench_memory_window_added_cb, NULL);
  g_signal_connect (window, "map", G_CALLBACK (on_bench_memory_map_cb), app);
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

  else if (g_getenv ("OFFERDESK_BENCH_HISTORY_MEMORY") != NULL)
    {
      g_application_set_flags (G_APPLICATION (app),
                                g_application_get_flags (G_APPLICATION (app)) |
                                G_APPLICATION_NON_UNIQUE);
      g_signal_connect (app, "window-added", G_CALLBACK (on_bench_memory_window_added_cb), NULL);
    }

  return g_application_run (G_APPLICATION (app), argc, argv);
}
