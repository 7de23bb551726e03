/* test-app-payments.c: the GUI against a Core Lightning node (the test node): an offer made
 * through the form is paid, "Paid" shows in the result view and on the customer display, the
 * store has the payment once; the connection strip and the create buttons follow the node
 * going away and coming back; the node preferences refuse what cannot work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One application, one window and one test node for the whole run, as a till would have them:
 * the cases run in order and each starts where the previous one left.
 *
 * With OD_TEST_SCREENSHOT_DIR set, the paid states and the connection strip are saved there as
 * PNG files.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "od-application.h"
#include "od-customer-window.h"
#include "od-format.h"
#include "od-offer-page.h"
#include "od-payments.h"
#include "od-preferences-window.h"
#include "od-request-page.h"
#include "od-result-view.h"
#include "od-store.h"
#include "od-window.h"

#include "od-test-app-utils.h"
#include "od-test-node-client.h"
#include "od-test-utils.h"

/* Payments reach the GUI through waitanyinvoice: well under a second on a quiet machine; the
 * deadline is for a loaded CI runner, not a goal. */
#define DEADLINE_S 20

static OdApplication *app;
static OdWindow *window;
static OdTestNode *node;
static GSettings *settings;
static char *data_dir;

/* payment-received emissions of the application, by pay_index, and in all. */
static GHashTable *received;
static guint n_received;

/* ---- waiting ---- */

/* Fails after DEADLINE_S, naming the predicate. */
#define wait_until(predicate, data) \
  od_test_wait_for ((predicate), (data), DEADLINE_S, #predicate)

/* The window as drawn now, to OD_TEST_SCREENSHOT_DIR/name.png (nothing without it). */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("OD_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;

  /* Transitions (the stack's crossfade, the revealer) take a moment. */
  od_test_wait_ms (600);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  od_test_save_png (widget, path);
}

/* ---- finding widgets ---- */

/* Every visible label's text under widget (as far as it is drawn: hidden parents hide it),
 * one a line. */
static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (!gtk_widget_get_visible (widget))
    return;

  if (GTK_IS_STACK (widget))
    {
      GtkWidget *visible = gtk_stack_get_visible_child (GTK_STACK (widget));

      if (visible != NULL)
        collect_text (visible, text);
      return;
    }

  if (GTK_IS_LABEL (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

static char *
widget_text (GtkWidget *widget)
{
  GString *text = g_string_new (NULL);

  collect_text (widget, text);

  return g_string_free (text, FALSE);
}

static OdResultView *
get_result_view (void)
{
  GtkWidget *view = od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_RESULT_VIEW);

  g_assert_nonnull (view);

  return OD_RESULT_VIEW (view);
}

static GtkWidget *
get_offer_page (void)
{
  GtkWidget *page = od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_OFFER_PAGE);

  g_assert_nonnull (page);

  return page;
}

static GtkWidget *
get_create_button (void)
{
  GtkWidget *button = od_test_find_button (get_offer_page (), "Create Offer");

  g_assert_nonnull (button);

  return button;
}

static GtkRevealer *
get_connection_strip (void)
{
  GtkWidget *revealer = od_test_find_descendant (GTK_WIDGET (window), GTK_TYPE_REVEALER);

  g_assert_nonnull (revealer);

  return GTK_REVEALER (revealer);
}

static OdCustomerWindow *
get_customer_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (OD_IS_CUSTOMER_WINDOW (l->data))
      return l->data;

  return NULL;
}

/* ---- predicates ---- */

static gboolean
can_create (gpointer data)
{
  return od_application_get_can_create (app) == GPOINTER_TO_INT (data);
}

static gboolean
create_button_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (get_create_button ()) == GPOINTER_TO_INT (data);
}

static gboolean
result_shown (gpointer data)
{
  const char *offer_id = od_result_view_get_offer_id (get_result_view ());

  return offer_id != NULL && g_strcmp0 (offer_id, data) != 0;
}

static gboolean
result_paid (gpointer data)
{
  return od_result_view_get_paid (get_result_view ()) == GPOINTER_TO_INT (data);
}

static gboolean
customer_paid (gpointer data)
{
  OdCustomerWindow *customer = get_customer_window ();

  return customer != NULL && od_customer_window_get_paid (customer) == GPOINTER_TO_INT (data);
}

static gboolean
strip_revealed (gpointer data)
{
  return gtk_revealer_get_reveal_child (get_connection_strip ()) == GPOINTER_TO_INT (data);
}

typedef struct
{
  GtkWidget  *row;
  const char *text;
} RowText;

static gboolean
row_subtitle_has (gpointer data)
{
  RowText *wait = data;
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (wait->row));

  return subtitle != NULL && strstr (subtitle, wait->text) != NULL;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
connection_state_is (gpointer data)
{
  return od_application_get_connection_state (app) == GPOINTER_TO_UINT (data);
}

static gboolean
n_received_is (gpointer data)
{
  return n_received == GPOINTER_TO_UINT (data);
}

/* ---- the node and the store ---- */

static void
on_payment_received_cb (OdApplication   *application,
                        const OdPayment *payment,
                        gpointer         user_data)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (received, &payment->pay_index));
  guint64 *key = g_new (guint64, 1);

  *key = payment->pay_index;
  g_hash_table_replace (received, key, GUINT_TO_POINTER (count + 1));
  n_received++;
}

static JsonObject *
node_call (const char *method,
           const char *params_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = od_test_node_call (node, method, params_json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));

  return json_object_ref (json_node_get_object (result));
}

static guint64
dev_pay (const char *offer_id,
         const char *payer_note)
{
  g_autoptr(JsonObject) invoice = NULL;
  g_autofree char *params = NULL;

  if (payer_note != NULL)
    params = g_strdup_printf ("{\"offer_id\": \"%s\", \"payer_note\": \"%s\"}", offer_id, payer_note);
  else
    params = g_strdup_printf ("{\"offer_id\": \"%s\"}", offer_id);

  invoice = node_call ("dev-pay", params);
  g_assert_cmpstr (json_object_get_string_member (invoice, "status"), ==, "paid");

  return (guint64) json_object_get_int_member (invoice, "pay_index");
}

static GPtrArray *
list_payments (const char *offer_id)
{
  g_autoptr(GError) error = NULL;
  OdStore *store = od_commands_open_store (od_application_get_commands (app), FALSE, &error);
  GPtrArray *payments;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  payments = od_store_list_payments (store, offer_id, &error);
  g_assert_no_error (error);

  return payments;
}

/* Fills the offer form and presses Create Offer; returns the offer_id shown. */
static char *
create_offer (const char *amount,
              const char *description,
              gboolean    single_use)
{
  g_autofree char *previous = g_strdup (od_result_view_get_offer_id (get_result_view ()));
  GtkWidget *page;
  GtkWidget *row;

  od_window_show_page (window, "offer");
  page = get_offer_page ();
  wait_until (create_button_sensitive, GINT_TO_POINTER (FALSE));

  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (page, "Amount")), amount);
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (page, "Description")), description);
  row = od_test_find_row (page, "Single use");
  g_assert_nonnull (row);
  gtk_switch_set_active (GTK_SWITCH (od_test_find_descendant (row, GTK_TYPE_SWITCH)), single_use);

  /* The form is checked after a short pause, then Create Offer is enabled. */
  wait_until (create_button_sensitive, GINT_TO_POINTER (TRUE));
  g_signal_emit_by_name (get_create_button (), "clicked");

  wait_until (result_shown, previous != NULL ? previous : (gpointer) "");

  return g_strdup (od_result_view_get_offer_id (get_result_view ()));
}

/* ---- cases ---- */

static char *reusable_offer_id;

/* An offer made in the form, paid at the node: Paid on both screens, the payment stored. */
static void
test_paid (void)
{
  g_autoptr(GPtrArray) payments = NULL;
  g_autofree char *text = NULL;
  g_autofree char *customer_text = NULL;
  g_autofree char *amount = NULL;
  OdPayment *payment;
  guint64 pay_index;

  reusable_offer_id = create_offer ("1000", "Coffee", FALSE);
  g_assert_cmpuint (strlen (reusable_offer_id), ==, 64);

  /* The offer is the node's: it knows it by that id. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.customer-display", NULL));
  g_assert_nonnull (get_customer_window ());
  g_assert_false (od_result_view_get_paid (get_result_view ()));

  pay_index = dev_pay (reusable_offer_id, "for the coffee");

  wait_until (result_paid, GINT_TO_POINTER (TRUE));
  wait_until (customer_paid, GINT_TO_POINTER (TRUE));

  amount = od_format_sats (1000000);
  text = widget_text (GTK_WIDGET (get_result_view ()));
  g_assert_nonnull (strstr (text, "Paid\n"));
  g_assert_nonnull (strstr (text, amount));
  g_assert_nonnull (strstr (text, "Note from the payer: “for the coffee”"));
  g_assert_nonnull (strstr (text, "Paid at "));
  /* Reusable: not "used up", and the QR code can come back. */
  g_assert_null (strstr (text, "This offer is now used"));
  g_assert_nonnull (strstr (text, "Show QR Code Again"));

  customer_text = widget_text (GTK_WIDGET (get_customer_window ()));
  g_assert_nonnull (strstr (customer_text, "Paid — thank you"));
  g_assert_nonnull (strstr (customer_text, amount));
  screenshot (GTK_WIDGET (window), "paid");
  screenshot (GTK_WIDGET (get_customer_window ()), "paid-customer");

  payments = list_payments (reusable_offer_id);
  g_assert_cmpuint (payments->len, ==, 1);
  payment = g_ptr_array_index (payments, 0);
  g_assert_cmpuint (payment->pay_index, ==, pay_index);
  g_assert_cmpuint (payment->amount_msat, ==, 1000000);
  g_assert_cmpstr (payment->payer_note, ==, "for the coffee");
  g_assert_cmpstr (payment->offer_id, ==, reusable_offer_id);

  g_assert_cmpuint (n_received, ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (received, &pay_index)), ==, 1);

  /* The focus moved to the paid state (what a screen reader then reads). */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (get_result_view ())));
    g_assert_true (GTK_IS_BOX (focus));
  }

  /* Back to the QR code for the next customer, on both screens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_result_view ()), "result.show-qr", NULL));
  g_assert_false (od_result_view_get_paid (get_result_view ()));
  wait_until (customer_paid, GINT_TO_POINTER (FALSE));
}

/* The follower stopped while a payment arrives, then started: the payment shows, once. */
static void
test_restart (void)
{
  g_autoptr(GPtrArray) payments = NULL;
  OdPaymentFollower *follower = od_application_get_payment_follower (app);
  guint before = n_received;
  guint64 pay_index;

  g_assert_nonnull (reusable_offer_id);
  g_assert_true (od_payment_follower_is_running (follower));

  od_payment_follower_stop (follower);
  g_assert_false (od_payment_follower_is_running (follower));

  pay_index = dev_pay (reusable_offer_id, NULL);
  od_test_wait_ms (1500);
  g_assert_cmpuint (n_received, ==, before);
  g_assert_false (od_result_view_get_paid (get_result_view ()));

  od_payment_follower_start (follower);
  wait_until (result_paid, GINT_TO_POINTER (TRUE));
  wait_until (n_received_is, GUINT_TO_POINTER (before + 1));

  /* Nothing more comes: not the first payment again, not this one twice. */
  od_test_wait_ms (1500);
  g_assert_cmpuint (n_received, ==, before + 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (received, &pay_index)), ==, 1);

  payments = list_payments (reusable_offer_id);
  g_assert_cmpuint (payments->len, ==, 2);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (payments, 0))->pay_index, <, pay_index);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (payments, 1))->pay_index, ==, pay_index);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_result_view ()), "result.show-qr", NULL));
}

/* A single-use offer paid: used, inactive, no way back to its QR code. */
static void
test_single_use (void)
{
  g_autofree char *offer_id = create_offer ("2500", "Sandwich", TRUE);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  GtkWidget *show_qr;

  g_assert_cmpstr (offer_id, !=, reusable_offer_id);
  /* With the sound on (a bell under Xvfb: nothing to hear, but the path runs). */
  g_settings_set_boolean (settings, "payment-sound", TRUE);
  dev_pay (offer_id, NULL);
  wait_until (result_paid, GINT_TO_POINTER (TRUE));
  wait_until (customer_paid, GINT_TO_POINTER (TRUE));

  text = widget_text (GTK_WIDGET (get_result_view ()));
  screenshot (GTK_WIDGET (window), "paid-single-use");
  g_assert_nonnull (strstr (text, "This offer is now used"));
  show_qr = od_test_find_button (GTK_WIDGET (get_result_view ()), "_Show QR Code Again");
  g_assert_nonnull (show_qr);
  g_assert_false (gtk_widget_get_visible (show_qr));

  payments = list_payments (offer_id);
  g_assert_cmpuint (payments->len, ==, 1);
  g_assert_cmpuint (((OdPayment *) g_ptr_array_index (payments, 0))->amount_msat, ==, 2500000);

  /* A payment of another offer than the one shown is recorded, and the view stays. */
  {
    g_autoptr(GPtrArray) reusable = NULL;
    guint before = n_received;

    dev_pay (reusable_offer_id, NULL);
    wait_until (n_received_is, GUINT_TO_POINTER (before + 1));
    g_assert_cmpstr (od_result_view_get_offer_id (get_result_view ()), ==, offer_id);
    reusable = list_payments (reusable_offer_id);
    g_assert_cmpuint (reusable->len, ==, 3);
  }
}

/* The node preferences: a configuration that cannot work is refused in words and not applied. */
static void
test_preferences (void)
{
  OdPreferencesWindow *preferences = od_preferences_window_new (app, GTK_WINDOW (window));
  GtkWidget *root = GTK_WIDGET (preferences);
  g_autofree char *backend = NULL;
  g_autofree char *url = NULL;
  GtkWidget *kind_row;
  GtkWidget *error_row;
  GtkWidget *apply;
  RowText node_row;

  gtk_window_present (GTK_WINDOW (preferences));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "node");

  kind_row = od_test_find_row (root, "Offers Made By");
  g_assert_nonnull (kind_row);
  /* What the settings say now. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (kind_row)), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (od_test_find_row (root, "Socket Path"))),
                   ==, od_test_node_get_socket_path (node));

  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 2);
  g_assert_true (gtk_widget_get_visible (od_test_find_row (root, "CLNRest Address")));
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "CLNRest Address")),
                         "http://example.com:3010");
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "Rune")), "test-rune");

  apply = od_test_find_button (root, "_Apply");
  g_assert_nonnull (apply);
  g_assert_true (gtk_widget_get_sensitive (apply));
  g_signal_emit_by_name (apply, "clicked");
  screenshot (GTK_WIDGET (preferences), "preferences-refused");

  error_row = od_test_find_row (root, "Not applied");
  g_assert_nonnull (error_row);
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), !=, "");
  g_test_message ("refused: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));

  /* Not applied: the application still uses the node's socket. */
  backend = g_settings_get_string (settings, "backend");
  url = g_settings_get_string (settings, "backend-rest-url");
  g_assert_cmpstr (backend, ==, "socket");
  g_assert_cmpstr (url, ==, "");
  g_assert_true (od_backend_is_node (od_application_get_backend (app)));
  g_assert_cmpint (od_backend_get_kind (od_application_get_backend (app)), ==, OD_BACKEND_KIND_SOCKET);

  /* Editing clears the message. */
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "CLNRest Address")),
                         "https://example.com:3010");
  g_assert_false (gtk_widget_get_visible (error_row));

  /* A relative socket path is refused as well. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 1);
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "Socket Path")),
                         "lightning-rpc");
  g_signal_emit_by_name (apply, "clicked");
  g_assert_true (gtk_widget_get_visible (error_row));
  g_free (backend);
  backend = g_settings_get_string (settings, "backend-socket-path");
  g_assert_cmpstr (backend, ==, od_test_node_get_socket_path (node));

  /* A valid configuration is applied at once, all keys together: CLNRest on this computer
   * (nobody answers on port 1), the rune kept outside the settings. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 2);
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "CLNRest Address")),
                         "http://127.0.0.1:1");
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "Rune")), "test-rune");
  g_signal_emit_by_name (apply, "clicked");
  g_assert_false (gtk_widget_get_visible (error_row));
  g_free (backend);
  backend = g_settings_get_string (settings, "backend");
  g_free (url);
  url = g_settings_get_string (settings, "backend-rest-url");
  g_assert_cmpstr (backend, ==, "rest");
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (od_test_find_row (root, "Rune"))),
                   ==, "");
  {
    g_autofree char *rune = od_secret_lookup_rune (data_dir, "http://127.0.0.1:1", NULL);

    g_assert_cmpstr (rune, ==, "test-rune");
  }

  /* The application follows: a REST backend, which cannot connect. */
  wait_until (strip_revealed, GINT_TO_POINTER (TRUE));
  g_assert_cmpint (od_backend_get_kind (od_application_get_backend (app)), ==, OD_BACKEND_KIND_REST);
  wait_until (create_button_sensitive, GINT_TO_POINTER (FALSE));

  /* And back to the node's socket: new backend, new follower, connected. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (kind_row), 1);
  gtk_editable_set_text (GTK_EDITABLE (od_test_find_row (root, "Socket Path")),
                         od_test_node_get_socket_path (node));
  g_signal_emit_by_name (apply, "clicked");
  g_assert_false (gtk_widget_get_visible (error_row));
  wait_until (can_create, GINT_TO_POINTER (TRUE));
  wait_until (strip_revealed, GINT_TO_POINTER (FALSE));
  g_assert_cmpint (od_backend_get_kind (od_application_get_backend (app)), ==, OD_BACKEND_KIND_SOCKET);
  g_assert_true (od_payment_follower_is_running (od_application_get_payment_follower (app)));

  /* Test Connection: the node's id, in words. */
  node_row.row = od_test_find_row (root, "Node");
  node_row.text = od_test_node_get_id (node);
  g_assert_nonnull (node_row.row);
  g_signal_emit_by_name (od_test_find_button (root, "_Test Connection"), "clicked");
  wait_until (row_subtitle_has, &node_row);
  g_test_message ("node row: %s",
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (od_test_find_row (root, "Node"))));

  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* The node goes away: the strip says so, creating is off, what was typed stays; the node
 * comes back and Retry Now brings everything back. */
static void
test_disconnect (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *strip_text = NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *description;
  GtkWidget *amount;
  GtkWidget *retry;

  od_window_show_page (window, "offer");
  wait_until (strip_revealed, GINT_TO_POINTER (FALSE));
  amount = od_test_find_row (get_offer_page (), "Amount");
  description = od_test_find_row (get_offer_page (), "Description");
  gtk_editable_set_text (GTK_EDITABLE (amount), "4200");
  gtk_editable_set_text (GTK_EDITABLE (description), "Typed before the node went away");
  wait_until (create_button_sensitive, GINT_TO_POINTER (TRUE));

  g_assert_true (od_test_node_stop (node, &error));
  g_assert_no_error (error);

  wait_until (strip_revealed, GINT_TO_POINTER (TRUE));
  wait_until (create_button_sensitive, GINT_TO_POINTER (FALSE));
  g_assert_false (od_application_get_can_create (app));

  screenshot (GTK_WIDGET (window), "disconnected");
  strip_text = widget_text (GTK_WIDGET (get_connection_strip ()));
  g_test_message ("strip: %s", strip_text);
  g_assert_true (strstr (strip_text, "Cannot reach the node") != NULL ||
                 strstr (strip_text, "Connecting to the node") != NULL);
  g_assert_nonnull (strstr (strip_text, od_test_node_get_socket_path (node)));
  tooltip = g_strdup (gtk_widget_get_tooltip_text (get_create_button ()));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "node"));

  /* The refund form says the same (its button is off for its own reasons too: it is empty). */
  od_window_show_page (window, "request");
  wait_until (is_mapped, od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_REQUEST_PAGE));
  {
    GtkWidget *request_page = od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_REQUEST_PAGE);
    GtkWidget *request_create = od_test_find_button (request_page, "Create Request");

    g_assert_nonnull (request_create);
    g_assert_false (gtk_widget_is_sensitive (request_create));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (request_create), ==,
                     od_application_get_create_blocked_reason (app));
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (request_create), "Cannot reach the node"));
  }
  od_window_show_page (window, "offer");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (description)), ==,
                   "Typed before the node went away");

  /* Retry Now, the node still away: it tries (connecting), then says so again. */
  wait_until (connection_state_is, GUINT_TO_POINTER (OD_BACKEND_STATE_DISCONNECTED));
  retry = od_test_find_button (GTK_WIDGET (get_connection_strip ()), "_Retry Now");
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_is_sensitive (retry));
  g_signal_emit_by_name (retry, "clicked");
  g_assert_cmpuint (od_application_get_connection_state (app), ==, OD_BACKEND_STATE_CONNECTING);
  wait_until (connection_state_is, GUINT_TO_POINTER (OD_BACKEND_STATE_DISCONNECTED));
  g_assert_true (gtk_revealer_get_reveal_child (get_connection_strip ()));
  g_assert_false (gtk_widget_is_sensitive (get_create_button ()));

  /* Enter in the form does not create anything meanwhile. */
  g_signal_emit_by_name (get_create_button (), "clicked");
  od_test_wait_ms (300);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (description)), ==,
                   "Typed before the node went away");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (amount)), ==, "4200");

  g_assert_true (od_test_node_restart (node, &error));
  g_assert_no_error (error);
  od_application_retry_connection (app);

  wait_until (strip_revealed, GINT_TO_POINTER (FALSE));
  wait_until (create_button_sensitive, GINT_TO_POINTER (TRUE));
  g_assert_null (gtk_widget_get_tooltip_text (get_create_button ()));
  g_assert_null (gtk_widget_get_tooltip_text (
    od_test_find_button (od_test_find_descendant (GTK_WIDGET (window), OD_TYPE_REQUEST_PAGE),
                         "Create Request")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (description)), ==,
                   "Typed before the node went away");

  /* And it works: this offer is the node's, and its payment shows. */
  {
    g_autofree char *previous = g_strdup (od_result_view_get_offer_id (get_result_view ()));
    g_autofree char *offer_id = NULL;

    g_signal_emit_by_name (get_create_button (), "clicked");
    wait_until (result_shown, previous);
    offer_id = g_strdup (od_result_view_get_offer_id (get_result_view ()));
    dev_pay (offer_id, NULL);
    wait_until (result_paid, GINT_TO_POINTER (TRUE));
  }
}

/* The node changed while the till was away (an offer made at the node, one disabled there):
 * reaching the node again brings the history in line. */
typedef struct
{
  const char *id;
  gboolean    want_active;
} StoredRow;

static gboolean
stored_row_is (gpointer data)
{
  const StoredRow *want = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  OdStore *store = od_commands_open_store (od_application_get_commands (app), FALSE, &error);

  if (store == NULL)
    return FALSE;
  row = od_store_get (store, OD_KIND_OFFER, want->id, &error);

  return row != NULL && row->active == want->want_active;
}

static void
test_sync_on_reconnect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) made = NULL;
  g_autoptr(JsonObject) disabled = NULL;
  g_autoptr(OdHistoryRow) before = NULL;
  g_autofree char *params = NULL;
  StoredRow made_row, disabled_row;
  OdStore *store;

  g_assert_nonnull (reusable_offer_id);
  wait_until (connection_state_is, GUINT_TO_POINTER (OD_BACKEND_STATE_CONNECTED));

  made = node_call ("offer", "{\"amount\": \"5000msat\", \"description\": \"Made at the node\"}");
  params = g_strdup_printf ("{\"offer_id\": \"%s\"}", reusable_offer_id);
  disabled = node_call ("disableoffer", params);
  g_assert_false (json_object_get_boolean_member (disabled, "active"));

  store = od_commands_open_store (od_application_get_commands (app), FALSE, &error);
  g_assert_no_error (error);
  before = od_store_get (store, OD_KIND_OFFER, json_object_get_string_member (made, "offer_id"),
                         &error);
  g_assert_null (before);
  g_assert_error (error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (od_test_node_stop (node, &error));
  g_assert_no_error (error);
  wait_until (connection_state_is, GUINT_TO_POINTER (OD_BACKEND_STATE_DISCONNECTED));
  g_assert_true (od_test_node_restart (node, &error));
  g_assert_no_error (error);
  od_application_retry_connection (app);
  wait_until (connection_state_is, GUINT_TO_POINTER (OD_BACKEND_STATE_CONNECTED));

  made_row.id = json_object_get_string_member (made, "offer_id");
  made_row.want_active = TRUE;
  wait_until (stored_row_is, &made_row);
  disabled_row.id = reusable_offer_id;
  disabled_row.want_active = FALSE;
  wait_until (stored_row_is, &disabled_row);
}

/* ---- setup ---- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) info = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;

  /* tests/meson.build sets it whenever the test node is built, which is always. */
  g_assert_nonnull (g_getenv ("OFFERDESK_TEST_NODE"));

  data_dir = od_test_make_data_dir ("payments");

  node = od_test_node_start (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  info = node_call ("getinfo", NULL);

  /* The till follows the node: its socket, its network. */
  settings = g_settings_new (SCHEMA_ID);
  g_settings_set_string (settings, "network", json_object_get_string_member (info, "network"));
  g_settings_set_string (settings, "backend-socket-path", od_test_node_get_socket_path (node));
  g_settings_set_string (settings, "backend", "socket");

  received = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  app = od_application_new ();
  g_signal_connect (app, "payment-received", G_CALLBACK (on_payment_received_cb), NULL);
  window = od_test_app_start (app);

  g_assert_true (od_backend_is_node (od_application_get_backend (app)));
  wait_until (can_create, GINT_TO_POINTER (TRUE));

  g_test_add_func ("/app-payments/paid", test_paid);
  g_test_add_func ("/app-payments/restart", test_restart);
  g_test_add_func ("/app-payments/single-use", test_single_use);
  g_test_add_func ("/app-payments/preferences", test_preferences);
  g_test_add_func ("/app-payments/disconnect", test_disconnect);
  g_test_add_func ("/app-payments/sync-on-reconnect", test_sync_on_reconnect);

  status = g_test_run ();

  od_test_app_stop (window, &app);
  g_clear_object (&settings);
  g_clear_pointer (&node, od_test_node_free);
  g_clear_pointer (&received, g_hash_table_unref);
  g_clear_pointer (&reusable_offer_id, g_free);
  od_test_remove_tree (data_dir);
  g_free (data_dir);

  return status;
}
