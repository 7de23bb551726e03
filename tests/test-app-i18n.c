/* test-app-i18n.c: the main window in German, with the catalogs this build made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LANGUAGE=de and the de_DE.UTF-8 locale are set before GTK starts, and the text domain is
 * bound to the build's po/ directory (meson writes po/<lang>/LC_MESSAGES/offerdesk.mo there),
 * so the window is built from de.po as a German user would see it.  Without the de_DE.UTF-8
 * locale (build-aux/install-deps.sh generates it) LANGUAGE still picks the German catalog, and
 * only the checks of German digit grouping are skipped.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "od-application.h"
#include "od-format.h"
#include "od-window.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

static OdApplication *app;
static OdWindow *window;
static gboolean have_de_locale;

/* Helpers */

/* Every label's and button's text under widget, one per line. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (out, "%s\n", gtk_button_get_label (GTK_BUTTON (widget)));
  else if (ADW_IS_PREFERENCES_ROW (widget))
    g_string_append_printf (out, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
window_text (void)
{
  GString *out = g_string_new ("\n");

  collect_text (GTK_WIDGET (window), out);

  return g_string_free (out, FALSE);
}

static void
assert_has_line (const char *text,
                 const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);

  if (strstr (text, needle) == NULL)
    g_error ("No “%s” in the window; it shows:%s", line, text);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_object_ref (json_node_get_object (node));
}

/* Tests */

static void
test_i18n_catalog (void)
{
  /* The catalog itself, before any widget: a wrong bindtextdomain shows here first. */
  g_assert_cmpstr (_("Create Offer"), ==, "Angebot erstellen");
  g_assert_cmpstr (C_("kind", "Refund / Payout"), ==, "Erstattung / Auszahlung");
  g_assert_cmpstr (ngettext ("%s, %lu payment", "%s, %lu payments", 1), ==, "%s, %lu Zahlung");
  g_assert_cmpstr (ngettext ("%s, %lu payment", "%s, %lu payments", 13), ==, "%s, %lu Zahlungen");
}

static void
test_i18n_window (void)
{
  AdwViewStack *stack = ADW_VIEW_STACK (od_test_find_descendant (GTK_WIDGET (window),
                                                                 ADW_TYPE_VIEW_STACK));
  g_autofree char *text = NULL;

  g_assert_nonnull (stack);
  od_test_flush_events ();

  /* The view switcher's pages, from od-window.ui. */
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack,
                     adw_view_stack_get_child_by_name (stack, "offer"))), ==, "Neues Angebot");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack,
                     adw_view_stack_get_child_by_name (stack, "request"))), ==, "Erstattung / Auszahlung");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack,
                     adw_view_stack_get_child_by_name (stack, "history"))), ==, "Verlauf");

  /* What is on screen: the switcher's labels, the offer form's rows and its button. */
  text = window_text ();
  assert_has_line (text, "Neues Angebot");
  assert_has_line (text, "Angebot erstellen");
  assert_has_line (text, "Betrag");
  assert_has_line (text, "Einheit");
  assert_has_line (text, "Optionen");
  assert_has_line (text, "Abonnement");
  g_assert_null (strstr (text, "\nCreate Offer\n"));
  g_assert_null (strstr (text, "\nNew Offer\n"));

  /* Strings set from C (od-offer-page.c), not from a .ui file. */
  adw_view_stack_set_visible_child_name (stack, "history");
  od_test_flush_events ();
  g_clear_pointer (&text, g_free);
  text = window_text ();
  assert_has_line (text, "Noch keine Angebote");
  adw_view_stack_set_visible_child_name (stack, "offer");
}

static void
test_i18n_words (void)
{
  g_autoptr(JsonObject) monthly = parse_object ("{\"time_unit\": 2, \"period\": 1, \"limit\": 12}");
  g_autoptr(JsonObject) weekly = parse_object ("{\"time_unit\": 1, \"period\": 14}");
  g_autoptr(JsonObject) paywindow = parse_object ("{\"time_unit\": 2, \"period\": 1, "
                                                  "\"paywindow\": {\"seconds_before\": 3600, "
                                                  "\"seconds_after\": 172800}}");
  g_autofree char *monthly_text = od_format_recurrence (monthly);
  g_autofree char *weekly_text = od_format_recurrence (weekly);
  g_autofree char *paywindow_text = od_format_paywindow (paywindow);
  g_autofree char *one_hour = od_format_duration (3600);
  g_autofree char *two_hours = od_format_duration (7200);
  g_autofree char *one_item = od_format_quantity_max (1);
  g_autofree char *one_sat = od_format_sats (1000);
  g_autofree char *time = od_format_time (1700000000);   /* 14 November 2023, 22:13 UTC */

  g_assert_cmpstr (monthly_text, ==, "monatlich, 13 Zahlungen");
  g_assert_cmpstr (weekly_text, ==, "alle 2 Wochen");
  g_assert_cmpstr (paywindow_text, ==, "von 1 Stunde vor bis 2 Tage nach Beginn jedes Zeitraums");
  g_assert_cmpstr (one_hour, ==, "1 Stunde");
  g_assert_cmpstr (two_hours, ==, "2 Stunden");
  g_assert_cmpstr (one_item, ==, "bis zu 1 Artikel pro Zahlung");
  g_assert_cmpstr (one_sat, ==, "1 sat");
  /* "14. November 2023, 22:13" (the day and hour depend on the time zone). */
  g_assert_nonnull (strstr (time, ". November 2023, "));
}

static void
test_i18n_numbers (void)
{
  g_autoptr(JsonObject) eur = parse_object ("{\"offer_currency\": \"EUR\", \"offer_amount\": 123456}");
  g_autoptr(JsonObject) msat = parse_object ("{\"offer_amount_msat\": 1234567000}");
  g_autofree char *sats = NULL;
  g_autofree char *fraction = NULL;
  g_autofree char *btc = NULL;
  g_autofree char *eur_text = NULL;
  g_autofree char *msat_text = NULL;

  if (!have_de_locale)
    {
      g_test_skip ("the de_DE.UTF-8 locale is not installed (build-aux/install-deps.sh makes it)");
      return;
    }

  sats = od_format_sats (G_GUINT64_CONSTANT (1234567000));
  fraction = od_format_sats (1500);
  btc = od_format_btc (1000000);
  eur_text = od_format_amount (eur);
  msat_text = od_format_amount (msat);

  g_assert_cmpstr (sats, ==, "1.234.567 sats");
  g_assert_cmpstr (fraction, ==, "1,5 sats");
  g_assert_cmpstr (btc, ==, "0,00001 BTC");
  g_assert_cmpstr (eur_text, ==, "1.234,56 EUR");
  g_assert_cmpstr (msat_text, ==, "1.234.567 sats (0,01234567 BTC)");
}

/* Setup */

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *locale_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* German, as a user's session would have it.  LANGUAGE picks the catalog even where only
   * C.UTF-8 exists; the de_DE.UTF-8 locale adds German digit grouping and month names. */
  g_setenv ("LANGUAGE", "de", TRUE);
  gtk_disable_setlocale ();
  have_de_locale = setlocale (LC_ALL, "de_DE.UTF-8") != NULL;
  if (!have_de_locale)
    setlocale (LC_ALL, "C.UTF-8");

  /* The catalogs this build made: <build>/po/de/LC_MESSAGES/offerdesk.mo. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before GTK starts threads. */
  data_dir = od_test_make_data_dir ("i18n");

  if (!gtk_init_check ())
    {
      od_test_remove_tree (data_dir);
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  app = od_application_new ();
  window = od_test_app_start (app);

  g_test_add_func ("/i18n/catalog", test_i18n_catalog);
  g_test_add_func ("/i18n/window", test_i18n_window);
  g_test_add_func ("/i18n/words", test_i18n_words);
  g_test_add_func ("/i18n/numbers", test_i18n_numbers);

  status = g_test_run ();

  od_test_app_stop (window, &app);
  od_test_remove_tree (data_dir);

  return status;
}
