/* test-app-history.c: the history page in the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1,000 offers, all made by offerdesk-cli (OFFERDESK_CLI) in the window's data dir: 990
 * numbered ones, then 10 more with an issuer.  The page only learns about them through its
 * once-a-second poll.  Then search through the entry, the row menu, disabling and enabling through the
 * page's actions checked with `offerdesk-cli listoffers`, and opening a row.
 *
 * OD_HISTORY_SCREENSHOT=<file.png> saves a picture of the window with the rows.
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "od-application.h"
#include "od-history-model.h"
#include "od-history-page.h"
#include "od-window.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

#define N_IN_PROCESS 990 /* numbered offers (made through the CLI too) */
#define N_CLI        10

static OdApplication *app;
static OdWindow *window;
static OdHistoryPage *page;
static char *data_dir;

static GtkColumnView *
get_column_view (void)
{
  GtkWidget *view = od_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (view);

  return GTK_COLUMN_VIEW (view);
}

static GtkEditable *
get_search_entry (void)
{
  GtkWidget *entry = od_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY);

  g_assert_nonnull (entry);

  return GTK_EDITABLE (entry);
}

static guint
view_n_items (void)
{
  GtkSelectionModel *model = gtk_column_view_get_model (get_column_view ());

  return model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
}

static gboolean
n_items_is (gconstpointer data)
{
  return view_n_items () == GPOINTER_TO_UINT (data);
}

static OdHistoryItem *
view_item (guint position)
{
  GtkSelectionModel *model = gtk_column_view_get_model (get_column_view ());
  OdHistoryItem *item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (item);
  g_object_unref (item);  /* the model keeps it while its page is cached */

  return item;
}

static const char *
page_state (void)
{
  GtkWidget *stack = od_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_STACK);

  g_assert_nonnull (stack);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static char *
run_cli (const char * const *args)
{
  OdCommands *commands = od_window_get_commands (window);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("OFFERDESK_CLI");
  char *out = NULL;
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, data_dir);
  g_ptr_array_add (argv, (char *) "--network");
  g_ptr_array_add (argv, (char *) od_commands_get_network (commands));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("offerdesk-cli %s failed: %s %s", args[0], out, err);

  return out;
}

/* `offerdesk-cli listoffers`: the offer's active flag. */
static gboolean
cli_offer_active (const char *offer_id)
{
  const char * const args[] = { "listoffers", offer_id, NULL };
  g_autofree char *out = run_cli (args);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *offers;
  JsonObject *offer;

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  offers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "offers");
  g_assert_cmpuint (json_array_get_length (offers), ==, 1);
  offer = json_array_get_object_element (offers, 0);
  g_assert_cmpstr (json_object_get_string_member (offer, "offer_id"), ==, offer_id);

  return json_object_get_boolean_member (offer, "active");
}

/* ---- Cases ---- */

static void
test_history_empty (void)
{
  od_window_show_page (window, "history");
  od_test_wait_ms (200);
  g_assert_cmpuint (view_n_items (), ==, 0);
  g_assert_cmpstr (page_state (), ==, "empty");
  g_assert_true (od_test_has_label (GTK_WIDGET (page), "No offers yet"));
}

static void
test_history_thousand (void)
{
  const char *screenshot = g_getenv ("OD_HISTORY_SCREENSHOT");

  for (guint i = 0; i < N_IN_PROCESS; i++)
    {
      g_autofree char *amount = g_strdup_printf ("amount=%usat", 1000 + i);
      g_autofree char *description = g_strdup_printf ("description=Offer number %u", i);
      g_autofree char *label = g_strdup_printf ("label=till %u", i % 3);
      const char * const args[] = { "-k", "offer", amount, description, label, NULL };
      g_autofree char *out = run_cli (args);

      g_assert_nonnull (strstr (out, "\"offer_id\""));
    }
  for (guint i = 0; i < N_CLI; i++)
    {
      g_autofree char *description = g_strdup_printf ("description=From the CLI %u", i);
      const char * const args[] = { "-k", "offer", "amount=21sat", description,
                                    "issuer=Corner Shop", NULL };
      g_autofree char *out = run_cli (args);

      g_assert_nonnull (strstr (out, "\"offer_id\""));
    }

  /* No refresh call: the page's model polls the store. */
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (N_IN_PROCESS + N_CLI)));
  g_assert_cmpstr (page_state (), ==, "list");
  g_assert_cmpstr (od_history_item_get_description (view_item (0)), ==, "From the CLI 9");
  g_assert_cmpstr (od_history_item_get_description (view_item (N_CLI)), ==,
                   "Offer number 989");
  g_assert_cmpstr (od_history_item_get_description (view_item (N_CLI + N_IN_PROCESS - 1)), ==,
                   "Offer number 0");

  /* The newest rows are on screen. */
  od_test_wait_ms (300);
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "From the CLI 9"));
  /* od_format_sats */
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "21 sats"));
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "Active"));
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "Offer"));

  if (screenshot != NULL)
    od_test_save_png (GTK_WIDGET (window), screenshot);
}

static void
test_history_search (void)
{
  GtkEditable *entry = get_search_entry ();
  guint total = N_IN_PROCESS + N_CLI;

  g_assert_cmpuint (view_n_items (), ==, total);

  /* "number 42": 42 and 420-429. */
  gtk_editable_set_text (entry, "number 42");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (11)));
  for (guint i = 0; i < 11; i++)
    g_assert_nonnull (strstr (od_history_item_get_description (view_item (i)), "number 42"));

  /* The issuer, case-insensitively. */
  gtk_editable_set_text (entry, "corner shop");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (N_CLI)));

  /* The label. */
  gtk_editable_set_text (entry, "till 2");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (N_IN_PROCESS / 3)));

  /* An id prefix. */
  {
    g_autofree char *prefix = g_strndup (od_history_item_get_id (view_item (5)), 12);

    gtk_editable_set_text (entry, prefix);
    g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (1)));
    g_assert_true (g_str_has_prefix (od_history_item_get_id (view_item (0)), prefix));
  }

  gtk_editable_set_text (entry, "nothing is called this");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (0)));
  g_assert_cmpstr (page_state (), ==, "no-results");

  gtk_editable_set_text (entry, "");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (total)));
  g_assert_cmpstr (page_state (), ==, "list");
}

static gboolean
item_active_is (gconstpointer data)
{
  const gboolean *expected = data;

  return od_history_item_get_active (view_item (0)) == *expected;
}

static void
test_history_disable (void)
{
  OdHistoryItem *item = view_item (0);
  g_autofree char *id = g_strdup (od_history_item_get_id (item));
  gboolean expected = FALSE;

  g_assert_true (cli_offer_active (id));

  /* The row menu's action (what "Disable" in the menu activates). */
  gtk_widget_activate_action (GTK_WIDGET (page), "history.disable", "u", 0);
  g_assert_true (od_test_wait_until (item_active_is, &expected));
  g_assert_cmpstr (od_history_item_get_status (view_item (0)), ==, "disabled");
  g_assert_false (cli_offer_active (id));
  od_test_wait_ms (200);
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "Disabled"));

  expected = TRUE;
  gtk_widget_activate_action (GTK_WIDGET (page), "history.enable", "u", 0);
  g_assert_true (od_test_wait_until (item_active_is, &expected));
  g_assert_true (cli_offer_active (id));

  /* Disabled by the CLI: the page follows. */
  {
    const char * const args[] = { "disableoffer", id, NULL };
    g_autofree char *out = run_cli (args);

    expected = FALSE;
    g_assert_true (od_test_wait_until (item_active_is, &expected));
  }
}

static void
test_history_row_menu (void)
{
  GtkWidget *button = od_test_find_descendant (GTK_WIDGET (get_column_view ()),
                                               GTK_TYPE_MENU_BUTTON);
  GMenuModel *menu;

  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  od_test_wait_ms (100);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_nonnull (menu);
  g_assert_true (od_test_menu_has (menu, "_Open"));
  g_assert_true (od_test_menu_has (menu, "_Copy"));
  /* The first row was left disabled by the previous case. */
  g_assert_true (od_test_menu_has (menu, "_Enable"));
  g_assert_false (od_test_menu_has (menu, "_Disable"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

static void
test_history_open (void)
{
  GtkWidget *stack = NULL;

  gtk_widget_activate_action (GTK_WIDGET (page), "history.open", "u", 1);
  od_test_wait_ms (300);
  for (GtkWidget *w = GTK_WIDGET (page); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_STACK (w) && gtk_stack_get_child_by_name (GTK_STACK (w), "result") != NULL)
      stack = w;
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "result");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  od_test_wait_ms (300);
}

static void
test_history_focus_search (void)
{
  GtkEditable *entry = get_search_entry ();

  od_history_page_focus_search (page);
  od_test_wait_ms (50);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (entry))
                 || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                            GTK_WIDGET (entry)));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;

  data_dir = od_test_make_data_dir ("history");

  app = od_application_new ();
  window = od_test_app_start (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  page = OD_HISTORY_PAGE (od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_HISTORY_PAGE));
  g_assert_nonnull (page);

  /* In order: each case starts from what the one before left. */
  g_test_add_func ("/history/empty", test_history_empty);
  g_test_add_func ("/history/thousand", test_history_thousand);
  g_test_add_func ("/history/search", test_history_search);
  g_test_add_func ("/history/disable", test_history_disable);
  g_test_add_func ("/history/row-menu", test_history_row_menu);
  g_test_add_func ("/history/open", test_history_open);
  g_test_add_func ("/history/focus-search", test_history_focus_search);

  status = g_test_run ();

  od_test_app_stop (window, &app);
  od_test_remove_tree (data_dir);
  g_free (data_dir);

  return status;
}
