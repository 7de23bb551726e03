/* test-app-history-payments.c: payments in the history page, the payments dialog, CSV export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A store with three offers and a refund request made by the commands, and payments recorded
 * with od_store_add_payment() (what the node backend does when the node reports one).  The
 * history shows each offer's count, total and last payment and follows a new payment in
 * place; "Payments" opens the offer's list, newest first, or its empty state; the export
 * action writes the CSV through its worker thread ("history.export-to", the path the file
 * chooser would give) and says so in a toast.
 *
 * OD_HISTORY_PAYMENTS_SCREENSHOTS=<dir> saves history.png and payments.png there.
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "od-application.h"
#include "od-format.h"
#include "od-history-model.h"
#include "od-history-page.h"
#include "od-payments-dialog.h"
#include "od-store.h"
#include "od-window.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

static OdApplication *app;
static OdWindow *window;
static OdHistoryPage *page;
static char *data_dir;
static char *node_id;
static guint64 next_pay_index = 1;

static char *espresso_id;  /* 3 payments, then a 4th while shown */
static char *box_id;       /* in EUR: 1 payment with the rate of the day */
static char *unpaid_id;

static GtkColumnView *
get_column_view (void)
{
  GtkWidget *view = od_test_find_descendant (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (view);

  return GTK_COLUMN_VIEW (view);
}

static GListModel *
view_model (void)
{
  return G_LIST_MODEL (gtk_column_view_get_model (get_column_view ()));
}

static gboolean
n_items_is (gconstpointer data)
{
  GListModel *model = view_model ();

  return model != NULL && g_list_model_get_n_items (model) == GPOINTER_TO_UINT (data);
}

/* The row of the offer or request with that id. */
static guint
position_of (const char *id)
{
  GListModel *model = view_model ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OdHistoryItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (od_history_item_get_id (item), id) == 0)
        return i;
    }
  g_error ("%s is not in the history", id);

  return 0;
}

static OdHistoryItem *
item_for (const char *id)
{
  OdHistoryItem *item = g_list_model_get_item (view_model (), position_of (id));

  g_object_unref (item);  /* the model keeps it while its page is cached */

  return item;
}

static OdStore *
get_store (void)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = od_commands_open_store (od_window_get_commands (window), TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

static char *
call (const char *method,
      const char *params_json,
      const char *id_member)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = od_commands_call_json (od_window_get_commands (window), method,
                                                      params_json, &error);

  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (json_node_get_object (result), id_member));
}

static void
pay (const char *offer_id,
     guint64     msat,
     gint64      paid_at,
     const char *note,
     guint64     rate)
{
  g_autoptr(OdPayment) payment = od_payment_new ();
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  guint8 hash[32] = { 0 };

  hash[0] = (guint8) next_pay_index;
  payment->node_id = g_strdup (node_id);
  payment->pay_index = next_pay_index++;
  payment->offer_id = g_strdup (offer_id);
  payment->label = g_strdup_printf ("inv-%" G_GUINT64_FORMAT, payment->pay_index);
  payment->payment_hash = g_strdup_printf ("%02x%062d", hash[0], 0);
  payment->amount_msat = msat;
  payment->paid_at = paid_at;
  payment->payer_note = g_strdup (note);
  payment->has_quantity = TRUE;
  payment->quantity = 1;
  payment->has_recurrence_counter = rate > 0;
  payment->recurrence_counter = 0;
  payment->rate_msat_per_unit = rate;
  g_assert_true (od_store_add_payment (get_store (), payment, &created, &error));
  g_assert_no_error (error);
  g_assert_true (created);
}

static char *
history_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("OD_HISTORY_PAYMENTS_SCREENSHOTS");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;

  path = g_build_filename (dir, name, NULL);
  od_test_save_png (widget, path);
}

/* ---- Cases ---- */

static void
test_columns (void)
{
  OdHistoryItem *espresso;
  OdHistoryItem *unpaid;
  g_autofree char *total = od_format_sats (7500000);
  g_autofree char *last = history_date (1763722920);

  espresso_id = call ("offer", "{\"amount\": \"2500sat\", \"description\": \"Espresso\"}",
                      "offer_id");
  g_free (call ("setrate", "[\"EUR\", 1200000]", "currency"));
  box_id = call ("offer", "{\"amount\": \"3.20EUR\", \"description\": \"Monthly box\", "
                 "\"recurrence\": \"1month\"}", "offer_id");
  unpaid_id = call ("offer", "{\"amount\": \"any\", \"description\": \"Tips\"}", "offer_id");
  g_free (call ("invoicerequest", "{\"amount\": \"1000sat\", \"description\": \"Refund\"}",
                "invreq_id"));

  pay (espresso_id, 2500000, 1763722800, "first, with \"quotes\"", 0);
  pay (espresso_id, 2500000, 1763722860, "=second", 0);
  pay (espresso_id, 2500000, 1763722920, NULL, 0);
  pay (box_id, 3840000, 1763722900, "Danke", 1200000);

  od_window_show_page (window, "history");
  g_assert_true (od_test_wait_until (n_items_is, GUINT_TO_POINTER (4)));

  espresso = item_for (espresso_id);
  g_assert_cmpuint (od_history_item_get_paid_count (espresso), ==, 3);
  g_assert_cmpuint (od_history_item_get_paid_msat (espresso), ==, 7500000);
  g_assert_cmpint (od_history_item_get_last_paid_at (espresso), ==, 1763722920);
  unpaid = item_for (unpaid_id);
  g_assert_cmpuint (od_history_item_get_paid_count (unpaid), ==, 0);

  od_test_wait_ms (300);
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), total));   /* "7500 sats" */
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), last));
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "3"));
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), "3840 sats"));
}

static gboolean
paid_count_is (gconstpointer data)
{
  return od_history_item_get_paid_count (item_for (espresso_id)) == GPOINTER_TO_UINT (data);
}

/* A payment arriving while the history is shown: the row follows, in place. */
static void
test_live_update (void)
{
  OdHistoryItem *before = item_for (espresso_id);
  g_autofree char *total = od_format_sats (10000000);

  pay (espresso_id, 2500000, 1763723000, "fourth", 0);
  g_assert_true (od_test_wait_until (paid_count_is, GUINT_TO_POINTER (4)));
  g_assert_true (item_for (espresso_id) == before);
  od_test_wait_ms (200);
  g_assert_true (od_test_has_label (GTK_WIDGET (get_column_view ()), total));
  save_screenshot (GTK_WIDGET (window), "history.png");
}

static GtkWidget *
find_menu_button (GtkWidget *widget,
                  guint      position)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (widget), "od-history-list-item");

  if (GTK_IS_MENU_BUTTON (widget) && list_item != NULL
      && gtk_list_item_get_item (list_item) != NULL
      && gtk_list_item_get_position (list_item) == position)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button (child, position);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The menu of the row's "⋮" button (made when it pops up). */
static GMenuModel *
row_menu (guint position)
{
  GtkWidget *button = find_menu_button (GTK_WIDGET (get_column_view ()), position);

  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  od_test_wait_ms (100);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));

  return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
}

static void
test_row_menu (void)
{
  GListModel *model = view_model ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OdHistoryItem) item = g_list_model_get_item (model, i);
      GMenuModel *menu = row_menu (i);

      g_assert_nonnull (menu);
      g_assert_true (od_test_menu_has (menu, "_Open"));
      if (od_history_item_get_kind_enum (item) == OD_KIND_OFFER)
        g_assert_true (od_test_menu_has (menu, "_Payments"));
      else
        g_assert_false (od_test_menu_has (menu, "_Payments"));
    }
}

static OdPaymentsDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (OD_IS_PAYMENTS_DIALOG (toplevel))
        return OD_PAYMENTS_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
dialog_shows (gconstpointer data)
{
  OdPaymentsDialog *dialog = find_dialog ();

  return dialog != NULL && g_strcmp0 (od_payments_dialog_get_state (dialog), data) == 0;
}

static gboolean
dialog_has_n (gconstpointer data)
{
  OdPaymentsDialog *dialog = find_dialog ();

  return dialog != NULL && od_payments_dialog_get_n_payments (dialog) == GPOINTER_TO_UINT (data);
}

static void
close_dialog (void)
{
  OdPaymentsDialog *dialog = find_dialog ();

  g_assert_nonnull (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  od_test_wait_ms (100);
  g_assert_null (find_dialog ());
}

static void
test_dialog (void)
{
  static const gint64 expected_paid_at[] = { 1763723000, 1763722920, 1763722860, 1763722800 };
  static const char * const expected_notes[] = { "fourth", NULL, "=second",
                                                 "first, with \"quotes\"" };
  OdPaymentsDialog *dialog;
  g_autofree char *amount = od_format_sats (2500000);
  g_autofree char *summary = NULL;

  g_assert_null (find_dialog ());
  gtk_widget_activate_action (GTK_WIDGET (page), "history.payments", "u",
                              position_of (espresso_id));
  g_assert_true (od_test_wait_until (dialog_shows, "list"));
  dialog = find_dialog ();
  g_assert_true (od_payments_dialog_get_item (dialog) == item_for (espresso_id));

  /* Newest first, each as stored. */
  g_assert_cmpuint (od_payments_dialog_get_n_payments (dialog), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const OdPayment *payment = od_payments_dialog_get_payment (dialog, i);

      g_assert_nonnull (payment);
      g_assert_cmpstr (payment->offer_id, ==, espresso_id);
      g_assert_cmpint (payment->paid_at, ==, expected_paid_at[i]);
      g_assert_cmpstr (payment->payer_note, ==, expected_notes[i]);
      g_assert_cmpuint (payment->amount_msat, ==, 2500000);
    }
  g_assert_null (od_payments_dialog_get_payment (dialog, 4));

  /* On screen: the summary, the amounts, notes, dates and labels. */
  od_test_wait_ms (300);
  summary = g_strdup_printf ("4 payments, %s received", "10000 sats");
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), summary));
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), amount));
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "first, with \"quotes\""));
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "=second"));
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "inv-1"));
  {
    g_autofree char *date = history_date (1763723000);

    g_assert_true (od_test_has_label (GTK_WIDGET (dialog), date));
  }
  save_screenshot (GTK_WIDGET (dialog), "payments.png");

  /* A payment while the dialog is open: it reads the store again. */
  pay (espresso_id, 1000, 1763723100, "fifth", 0);
  g_assert_true (od_test_wait_until (dialog_has_n, GUINT_TO_POINTER (5)));
  g_assert_cmpstr (od_payments_dialog_get_payment (dialog, 0)->payer_note, ==, "fifth");

  close_dialog ();

  /* The offer in a currency: its payment with the recurrence counter. */
  gtk_widget_activate_action (GTK_WIDGET (page), "history.payments", "u",
                              position_of (box_id));
  g_assert_true (od_test_wait_until (dialog_shows, "list"));
  dialog = find_dialog ();
  g_assert_cmpuint (od_payments_dialog_get_n_payments (dialog), ==, 1);
  g_assert_cmpstr (od_payments_dialog_get_payment (dialog, 0)->payer_note, ==, "Danke");
  od_test_wait_ms (200);
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "3840 sats"));
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "Danke"));
  close_dialog ();
}

static void
test_dialog_empty (void)
{
  OdPaymentsDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (page), "history.payments", "u",
                              position_of (unpaid_id));
  g_assert_true (od_test_wait_until (dialog_shows, "empty"));
  dialog = find_dialog ();
  g_assert_cmpuint (od_payments_dialog_get_n_payments (dialog), ==, 0);
  od_test_wait_ms (200);
  g_assert_true (od_test_has_label (GTK_WIDGET (dialog), "No payments yet"));
  close_dialog ();
}

static GtkWidget *
find_export_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
                    "history.export") == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_export_button (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
export_button_sensitive (gconstpointer data)
{
  return gtk_widget_get_sensitive (find_export_button (GTK_WIDGET (page)));
}

static gboolean
window_has_label_prefix (gconstpointer data)
{
  return od_test_has_label_full (GTK_WIDGET (window), data, TRUE);
}

static void
test_export (void)
{
  g_autofree char *path = g_build_filename (data_dir, "history.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (export_button_sensitive (NULL));
  gtk_widget_activate_action (GTK_WIDGET (page), "history.export-to", "s", path);
  /* Export is off while the export runs, on again when it is done. */
  g_assert_false (export_button_sensitive (NULL));
  g_assert_true (od_test_wait_until (window_has_label_prefix, "History exported to history.csv"));
  g_assert_true (export_button_sensitive (NULL));

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (contents, "\r\n"));
  lines = g_strsplit (contents, "\r\n", -1);
  /* Header, 5 espresso payments, 1 box payment, the unpaid offer, the request, "". */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 5 + 1 + 1 + 1 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "date,kind,description,amount_msat,"));
  g_assert_nonnull (strstr (contents, "\"first, with \"\"quotes\"\"\""));
  g_assert_nonnull (strstr (contents, ",'=second,"));
  g_assert_nonnull (strstr (contents, ",3.20,EUR,1200000,"));
  g_assert_nonnull (strstr (contents, ",invoice_request,Refund,1000000,"));

  /* Into a directory: nothing written, the error in words. */
  gtk_widget_activate_action (GTK_WIDGET (page), "history.export-to", "s", data_dir);
  g_assert_true (od_test_wait_until (window_has_label_prefix,
                                     "Could not export the history: Cannot export to "));
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));
}

static GtkFileChooser *
find_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_FILE_CHOOSER (toplevel);
    }

  return NULL;
}

static gboolean
chooser_shown (gconstpointer data)
{
  return find_chooser () != NULL;
}

/* The action of the page's Ctrl+E shortcut, as the window would run it on the key press. */
static gboolean
press_ctrl_e (void)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (page));
  g_autoptr(GtkShortcutTrigger) ctrl_e = gtk_keyval_trigger_new (GDK_KEY_e, GDK_CONTROL_MASK);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), ctrl_e))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                 GTK_WIDGET (page), NULL);
        }
    }
  g_error ("no Ctrl+E shortcut on the history page");

  return FALSE;
}

static GtkFileChooser *shown_chooser;

static gboolean
chooser_file_is (gconstpointer data)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (shown_chooser);
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

  return g_strcmp0 (path, data) == 0;
}

/* Ctrl+E, the file chooser (GTK's own dialog: no portal here), Export: the file is written. */
static void
test_export_chooser (void)
{
  g_autofree char *path = g_build_filename (data_dir, "chosen.csv", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (data_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  GtkFileChooser *chooser;

  g_assert_null (find_chooser ());
  g_assert_true (press_ctrl_e ());
  g_assert_true (od_test_wait_until (chooser_shown, NULL));
  chooser = find_chooser ();
  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  name = gtk_file_chooser_get_current_name (chooser);
  g_assert_true (g_str_has_prefix (name, "offerdesk-"));
  g_assert_true (g_str_has_suffix (name, ".csv"));

  /* Where the person navigates.  The chooser loads its first folder asynchronously and that
   * may replace a folder set early: set it until it stays. */
  shown_chooser = chooser;
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
      g_assert_no_error (error);
      gtk_file_chooser_set_current_name (chooser, "chosen.csv");
      od_test_wait_ms (500);
      if (chooser_file_is (path))
        break;
    }
  g_assert_true (chooser_file_is (path));
  /* The Export button, as a click would. */
  {
    GtkWidget *button = gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser),
                                                            GTK_RESPONSE_ACCEPT);

    g_assert_nonnull (button);
    g_assert_true (gtk_widget_activate (button));
  }

  g_assert_true (od_test_wait_until (window_has_label_prefix, "History exported to chosen.csv"));
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "date,kind,description,"));
  g_assert_null (find_chooser ());

  /* Off screen, Ctrl+E is left to others. */
  od_window_show_page (window, "offer");
  od_test_wait_ms (200);
  g_assert_false (press_ctrl_e ());
  od_test_wait_ms (200);
  g_assert_null (find_chooser ());
  od_window_show_page (window, "history");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;

  data_dir = od_test_make_data_dir ("history-payments");
  node_id = g_strdup_printf ("03%064d", 7);

  app = od_application_new ();
  window = od_test_app_start (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  page = OD_HISTORY_PAGE (od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_HISTORY_PAGE));
  g_assert_nonnull (page);

  /* In order: each case starts from what the one before left. */
  g_test_add_func ("/history-payments/columns", test_columns);
  g_test_add_func ("/history-payments/live-update", test_live_update);
  g_test_add_func ("/history-payments/row-menu", test_row_menu);
  g_test_add_func ("/history-payments/dialog", test_dialog);
  g_test_add_func ("/history-payments/dialog-empty", test_dialog_empty);
  g_test_add_func ("/history-payments/export", test_export);
  g_test_add_func ("/history-payments/export-chooser", test_export_chooser);

  status = g_test_run ();

  od_test_app_stop (window, &app);
  od_test_remove_tree (data_dir);
  g_free (data_dir);
  g_free (node_id);
  g_free (espresso_id);
  g_free (box_id);
  g_free (unpaid_id);

  return status;
}
