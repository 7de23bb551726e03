/* test-app-window.c: the main window's pages and actions, the preferences, od_command_call_async
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "od-application.h"
#include "od-command-task.h"
#include "od-customer-window.h"
#include "od-history-page.h"
#include "od-offer-page.h"
#include "od-preferences-window.h"
#include "od-request-page.h"
#include "od-result-view.h"
#include "od-window.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

static OdApplication *app;
static OdWindow *window;

/* Helpers */

static GtkWidget *
find_main_stack (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "result") != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_main_stack (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_preferences_row (GtkWidget  *widget,
                      GType       type,
                      const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_preferences_row (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkStack *
get_main_stack (void)
{
  GtkWidget *stack = find_main_stack (GTK_WIDGET (window));

  g_assert_nonnull (stack);

  return GTK_STACK (stack);
}

static AdwViewStack *
get_view_stack (void)
{
  GtkWidget *stack = od_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);

  g_assert_nonnull (stack);

  return ADW_VIEW_STACK (stack);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *done or 10 s have passed. */
static void
wait_for (gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  g_assert_true (*done);
}

static JsonObject *
make_offer (void)
{
  g_autoptr(JsonNode) params = json_from_string ("{\"amount\": \"2100sat\", \"description\": \"Coffee\"}",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  result = od_commands_call (od_window_get_commands (window), "offer", params, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));

  return json_object_ref (json_node_get_object (result));
}

/* Tests */

static void
test_window_pages (void)
{
  AdwViewStack *stack = get_view_stack ();
  GtkWidget *offer = adw_view_stack_get_child_by_name (stack, "offer");
  GtkWidget *request = adw_view_stack_get_child_by_name (stack, "request");
  GtkWidget *history = adw_view_stack_get_child_by_name (stack, "history");

  g_assert_true (OD_IS_OFFER_PAGE (offer));
  g_assert_true (OD_IS_REQUEST_PAGE (request));
  g_assert_true (OD_IS_HISTORY_PAGE (history));
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, offer)), ==,
                   "New Offer");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, request)), ==,
                   "Refund / Payout");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, history)), ==,
                   "History");
  g_assert_true (OD_IS_RESULT_VIEW (gtk_stack_get_child_by_name (get_main_stack (), "result")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (get_main_stack ()), ==, "forms");
}

static void
test_window_actions (void)
{
  AdwViewStack *stack = get_view_stack ();
  GtkWidget *focus;

  gtk_window_present (GTK_WINDOW (window));
  od_test_flush_events ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "history");
  /* The focus is in the history's search entry. */
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, OD_TYPE_HISTORY_PAGE));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "request");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-offer", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "offer");

  od_window_show_page (window, "history");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "history");
  od_window_show_page (window, "offer");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "offer");

  /* Nothing to go back from. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (get_main_stack ()), ==, "forms");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "offer");
}

static void
test_window_result (void)
{
  g_autoptr(JsonObject) offer = make_offer ();
  GdkContentProvider *content;
  g_auto(GValue) value = G_VALUE_INIT;
  GtkStack *stack = get_main_stack ();
  GdkClipboard *clipboard;

  od_window_show_result (window, offer);
  od_test_flush_events ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "result");

  /* Ctrl+C with nothing selected copies the offer. */
  gtk_root_set_focus (GTK_ROOT (window), NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.copy", NULL));
  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  g_assert_true (gdk_clipboard_is_local (clipboard));
  content = gdk_clipboard_get_content (clipboard);
  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
  g_assert_cmpstr (g_value_get_string (&value), ==,
                   json_object_get_string_member (offer, "bolt12"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "forms");

  /* A page action leaves the result too. */
  od_window_show_result (window, offer);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "result");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-request", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "forms");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (get_view_stack ()), ==, "request");
}

static void
test_window_customer_display (void)
{
  g_autoptr(JsonObject) offer = make_offer ();
  GtkWindow *customer = NULL;

  od_window_show_result (window, offer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.customer-display", NULL));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (OD_IS_CUSTOMER_WINDOW (l->data))
      customer = l->data;
  g_assert_nonnull (customer);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (customer)));
  od_test_flush_events ();

  /* Once more presents the same one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.customer-display", NULL));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    g_assert_true (!OD_IS_CUSTOMER_WINDOW (l->data) || l->data == (gpointer) customer);

  gtk_window_destroy (customer);
  od_test_flush_events ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
}

static void
test_window_help_overlay (void)
{
  GtkShortcutsWindow *overlay;

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
}

static void
test_window_toast (void)
{
  /* Command messages are plain text with <, > and &, never markup. */
  od_window_add_toast (window, "amount: no exchange rate for JPY: add one with "
                               "'offerdesk-cli setrate JPY <msat per JPY>' & retry");
  od_window_add_toast (window, "second");
  od_test_flush_events ();
}

static void
on_signer_subtitle_cb (GObject    *row,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  gboolean *done = user_data;

  if (g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Embedded key") == 0)
    *done = TRUE;
}

static void
test_window_preferences (void)
{
  GSettings *settings = od_application_get_settings (app);
  OdPreferencesWindow *preferences = NULL;
  GtkWidget *row;
  gboolean signer_shown = FALSE;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (OD_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (window));

  row = find_preferences_row (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW, "Shop or Issuer Name");
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "Corner Café");
  g_assert_cmpstr (g_settings_get_string (settings, "shop-name"), ==, "Corner Café");

  row = find_preferences_row (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW, "Network");
  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 3);
  g_assert_cmpstr (g_settings_get_string (settings, "network"), ==, "signet");
  g_assert_cmpstr (od_commands_get_network (od_application_get_commands (app)), ==, "signet");
  g_settings_set_string (settings, "network", "bitcoin");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);
  g_assert_cmpstr (od_commands_get_network (od_application_get_commands (app)), ==, "bitcoin");

  row = find_preferences_row (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW, "Default Unit");
  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 4);
  g_assert_cmpstr (g_settings_get_string (settings, "default-unit"), ==, "currency");

  /* The signer row is filled from getinfo, on the main loop. */
  row = find_preferences_row (GTK_WIDGET (preferences), ADW_TYPE_ACTION_ROW, "Signer");
  g_assert_nonnull (row);
  g_signal_connect (row, "notify::subtitle", G_CALLBACK (on_signer_subtitle_cb), &signer_shown);
  on_signer_subtitle_cb (G_OBJECT (row), NULL, &signer_shown);
  wait_for (&signer_shown);
  g_signal_handlers_disconnect_by_data (row, &signer_shown);

  gtk_window_destroy (GTK_WINDOW (preferences));
  od_test_flush_events ();
}

static void
on_call_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_command_async_getinfo (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
  JsonObject *info;

  json_node_take_object (params, json_object_new ());
  od_command_call_async (od_window_get_commands (window), "getinfo", params, NULL,
                         on_call_done_cb, &result);
  /* The params were taken as a ref: the caller may drop its own at once. */
  g_clear_pointer (&params, json_node_unref);
  g_assert_null (result);

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  node = od_command_call_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  info = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (info, "backend"), ==, "embedded");
  g_assert_cmpuint (strlen (json_object_get_string_member (info, "id")), ==, 66);
  g_assert_cmpstr (json_object_get_string_member (info, "data_dir"), ==,
                   g_getenv ("OFFERDESK_DATA_DIR"));
}

static void
test_command_async_unknown (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  od_command_call_async (od_window_get_commands (window), "nosuchcommand", NULL, NULL,
                         on_call_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  node = od_command_call_finish (result, &error);
  g_assert_null (node);
  g_assert_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND);
  g_assert_cmpint (error->code, ==, -32601);
}

static void
test_command_async_cancelled (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_cancellable_cancel (cancellable);
  od_command_call_async (od_window_get_commands (window), "getinfo", NULL, cancellable,
                         on_call_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  node = od_command_call_finish (result, &error);
  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_window_size_saved (void)
{
  GSettings *settings = od_application_get_settings (app);
  OdWindow *second;
  int width, height;

  second = od_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (second), 777, 555);
  gtk_window_present (GTK_WINDOW (second));
  od_test_flush_events ();
  /* Closing (unlike destroying) saves the size; it needs a realized window. */
  g_assert_true (gtk_widget_get_realized (GTK_WIDGET (second)));
  gtk_window_close (GTK_WINDOW (second));
  od_test_flush_events ();
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 777);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 555);

  second = od_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 777);
  g_assert_cmpint (height, ==, 555);
  gtk_window_destroy (GTK_WINDOW (second));
  od_test_flush_events ();
}

/* Setup */

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;

  data_dir = od_test_make_data_dir ("window");

  app = od_application_new ();
  window = od_test_app_start (app);

  g_test_add_func ("/window/pages", test_window_pages);
  g_test_add_func ("/window/actions", test_window_actions);
  g_test_add_func ("/window/result", test_window_result);
  g_test_add_func ("/window/customer-display", test_window_customer_display);
  g_test_add_func ("/window/help-overlay", test_window_help_overlay);
  g_test_add_func ("/window/toast", test_window_toast);
  g_test_add_func ("/window/preferences", test_window_preferences);
  g_test_add_func ("/window/size-saved", test_window_size_saved);
  g_test_add_func ("/command-task/getinfo", test_command_async_getinfo);
  g_test_add_func ("/command-task/unknown", test_command_async_unknown);
  g_test_add_func ("/command-task/cancelled", test_command_async_cancelled);

  status = g_test_run ();

  od_test_app_stop (window, &app);
  od_test_remove_tree (data_dir);

  return status;
}
