/* test-app-result.c: the result view and the customer display show what the customer will
 * see, copy the string and disable the offer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With OD_TEST_SCREENSHOT_DIR set, the windows are also saved there as PNG files.
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "od-commands.h"
#include "od-customer-window.h"
#include "od-format.h"
#include "od-qr-code.h"
#include "od-result-view.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

static char *data_dir;

/* Fails after 10 s, naming the predicate. */
#define wait_until(predicate, data) od_test_wait_for ((predicate), (data), 10, #predicate)

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* Every label's text under widget, one a line. */
static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
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

typedef struct
{
  GtkWidget  *widget;
  const char *needle;
} TextWait;

static gboolean
has_text (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = widget_text (wait->widget);

  return strstr (text, wait->needle) != NULL;
}

static void
wait_for_text (GtkWidget  *widget,
               const char *needle)
{
  TextWait wait = { widget, needle };

  wait_until (has_text, &wait);
}

static GtkPicture *
find_picture (GtkWidget *widget)
{
  return GTK_PICTURE (od_test_find_descendant (widget, GTK_TYPE_PICTURE));
}

static void
settle (void)
{
  /* Let the widgets finish their layout and drawing. */
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
save_window (GtkWidget  *window,
             const char *path)
{
  settle ();
  od_test_save_png (window, path);
}

/* name.png, and name-dark.png in the dark style. */
static void
screenshot (GtkWidget  *window,
            const char *name)
{
  const char *dir = g_getenv ("OD_TEST_SCREENSHOT_DIR");
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;

  if (dir == NULL)
    return;

  light = g_strdup_printf ("%s/%s.png", dir, name);
  dark = g_strdup_printf ("%s/%s-dark.png", dir, name);

  save_window (window, light);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  save_window (window, dark);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  settle ();
}

static JsonObject *
call (OdCommands *commands,
      const char *method,
      const char *params_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = od_commands_call_json (commands, method, params_json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));

  return json_object_ref (json_node_get_object (result));
}

typedef struct
{
  char    *text;
  gboolean done;
} ClipboardRead;

static void
on_clipboard_read_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

static gboolean
is_read (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static char *
read_clipboard (GtkWidget *widget)
{
  ClipboardRead read = { NULL, FALSE };

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL,
                                 on_clipboard_read_cb, &read);
  wait_until (is_read, &read);

  return read.text;
}

typedef struct
{
  OdCommands *commands;
  const char *method;
  const char *params;
  const char *list;
} InactiveWait;

static gboolean
is_inactive (gpointer data)
{
  InactiveWait *wait = data;
  g_autoptr(JsonObject) result = call (wait->commands, wait->method, wait->params);
  JsonArray *list = json_object_get_array_member (result, wait->list);

  g_assert_cmpuint (json_array_get_length (list), ==, 1);

  return !json_object_get_boolean_member (json_array_get_object_element (list, 0), "active");
}

static void
test_result_offer (void)
{
  g_autoptr(OdCommands) commands = od_commands_new (data_dir, "bitcoin");
  g_autoptr(JsonObject) offer = NULL;
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *list_params = NULL;
  g_autofree char *decode_params = NULL;
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  GtkWidget *window;
  GtkWidget *customer;
  OdResultView *view;
  GtkPicture *picture;
  OdQrCode *qr;
  const char *bolt12;
  InactiveWait inactive;

  offer = call (commands, "offer",
                "{\"amount\": \"1000sat\", \"description\": \"Coffee\", "
                "\"recurrence\": \"4weeks\", \"recurrence_limit\": 12}");
  bolt12 = json_object_get_string_member (offer, "bolt12");
  upper = g_ascii_strup (bolt12, -1);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 900);
  view = g_object_new (OD_TYPE_RESULT_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, window);

  od_result_view_set_result (view, commands, offer);
  g_assert_cmpstr (od_result_view_get_bolt12 (view), ==, bolt12);

  /* The summary arrives once `decode` has answered in its thread. */
  wait_for_text (GTK_WIDGET (view), "every 4 weeks");
  text = widget_text (GTK_WIDGET (view));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, bolt12));
  g_assert_nonnull (strstr (text, "every 4 weeks, 13 payments"));
  g_assert_nonnull (strstr (text, "Coffee"));
  g_assert_nonnull (strstr (text, "1000 sats (0.00001 BTC)"));
  g_assert_nonnull (strstr (text, "when the customer first pays"));
  g_assert_nonnull (strstr (text, "Active"));
  g_assert_nonnull (od_result_view_get_decoded (view));

  /* The QR code: upper case by default (qr-uppercase). */
  picture = find_picture (GTK_WIDGET (view));
  g_assert_nonnull (picture);
  g_assert_true (OD_IS_QR_CODE (gtk_picture_get_paintable (picture)));
  qr = OD_QR_CODE (gtk_picture_get_paintable (picture));
  g_assert_cmpstr (od_qr_code_get_encoded (qr), ==, upper);

  g_settings_set_boolean (settings, "qr-uppercase", FALSE);
  qr = OD_QR_CODE (gtk_picture_get_paintable (picture));
  g_assert_cmpstr (od_qr_code_get_encoded (qr), ==, bolt12);
  g_settings_set_boolean (settings, "qr-uppercase", TRUE);
  qr = OD_QR_CODE (gtk_picture_get_paintable (picture));
  g_assert_cmpstr (od_qr_code_get_encoded (qr), ==, upper);

  screenshot (window, "result-view");

  /* Copy: the string, as shown. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "result.copy", NULL));
  copied = read_clipboard (GTK_WIDGET (view));
  g_assert_cmpstr (copied, ==, bolt12);
  g_clear_pointer (&copied, g_free);

  /* Copy link: BIP 321. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "result.copy-uri", NULL));
  copied = read_clipboard (GTK_WIDGET (view));
  g_assert_true (g_str_has_prefix (copied, "bitcoin:?lno="));
  g_assert_cmpstr (copied + strlen ("bitcoin:?lno="), ==, bolt12);

  /* Disable: the store says inactive, the view says so and offers it no more. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "result.disable", NULL));
  list_params = g_strdup_printf ("{\"offer_id\": \"%s\"}",
                                 json_object_get_string_member (offer, "offer_id"));
  inactive = (InactiveWait) { commands, "listoffers", list_params, "offers" };
  wait_until (is_inactive, &inactive);
  wait_for_text (GTK_WIDGET (view), "Disabled");

  /* The customer display: the QR code, amount, description, shop name. */
  decode_params = g_strdup_printf ("{\"string\": \"%s\"}", bolt12);
  decoded = call (commands, "decode", decode_params);
  customer = GTK_WIDGET (od_customer_window_new (NULL));
  od_customer_window_show_result (OD_CUSTOMER_WINDOW (customer), decoded, bolt12, "Bob's Bikes");
  gtk_window_present (GTK_WINDOW (customer));
  wait_until (is_mapped, customer);

  g_clear_pointer (&text, g_free);
  text = widget_text (customer);
  g_assert_nonnull (strstr (text, "Coffee"));
  g_assert_nonnull (strstr (text, "Bob's Bikes"));
  g_assert_nonnull (strstr (text, "1000 sats"));
  g_assert_nonnull (strstr (text, "every 4 weeks, 13 payments"));
  picture = find_picture (customer);
  g_assert_nonnull (picture);
  g_assert_true (OD_IS_QR_CODE (gtk_picture_get_paintable (picture)));
  g_assert_cmpstr (od_qr_code_get_text (OD_QR_CODE (gtk_picture_get_paintable (picture))), ==, bolt12);

  screenshot (customer, "customer-window");

  g_object_add_weak_pointer (G_OBJECT (customer), (gpointer *) &customer);
  gtk_window_close (GTK_WINDOW (customer));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (customer);

  /* Full screen on a monitor that does not exist: the last one.  (Xvfb has no window
   * manager to make it full screen; the window must still appear.) */
  customer = GTK_WIDGET (od_customer_window_new (NULL));
  g_object_add_weak_pointer (G_OBJECT (customer), (gpointer *) &customer);
  od_customer_window_show_result (OD_CUSTOMER_WINDOW (customer), NULL, bolt12, NULL);
  od_customer_window_present_fullscreen (OD_CUSTOMER_WINDOW (customer), "NO-SUCH-1");
  wait_until (is_mapped, customer);
  picture = find_picture (customer);
  g_assert_true (OD_IS_QR_CODE (gtk_picture_get_paintable (picture)));
  gtk_window_destroy (GTK_WINDOW (customer));
  g_assert_null (customer);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_result_request (void)
{
  g_autoptr(OdCommands) commands = od_commands_new (data_dir, "bitcoin");
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *list_params = NULL;
  GtkWidget *window;
  OdResultView *view;
  const char *bolt12;
  InactiveWait inactive;

  request = call (commands, "invoicerequest",
                  "{\"amount\": \"5000sat\", \"description\": \"Refund for order 17\", "
                  "\"label\": \"order 17\"}");
  bolt12 = json_object_get_string_member (request, "bolt12");
  g_assert_true (g_str_has_prefix (bolt12, "lnr1"));

  window = gtk_window_new ();
  view = g_object_new (OD_TYPE_RESULT_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, window);

  od_result_view_set_result (view, commands, request);
  wait_for_text (GTK_WIDGET (view), "Refund for order 17");
  text = widget_text (GTK_WIDGET (view));
  g_assert_nonnull (strstr (text, "Invoice Request"));
  g_assert_nonnull (strstr (text, "order 17\n"));
  g_assert_nonnull (strstr (text, "5000 sats (0.00005 BTC)"));
  g_assert_nonnull (strstr (text, "Active, can be paid once"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "result.copy-uri", NULL));
  copied = read_clipboard (GTK_WIDGET (view));
  g_assert_true (g_str_has_prefix (copied, "bitcoin:?lnr=lnr1"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "result.disable", NULL));
  list_params = g_strdup_printf ("{\"invreq_id\": \"%s\"}",
                                 json_object_get_string_member (request, "invreq_id"));
  inactive = (InactiveWait) { commands, "listinvoicerequests", list_params, "invoicerequests" };
  wait_until (is_inactive, &inactive);
  wait_for_text (GTK_WIDGET (view), "Disabled");

  gtk_window_destroy (GTK_WINDOW (window));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);

  return json_object_ref (json_node_get_object (node));
}

static void
assert_recurrence (const char *json,
                   const char *expected)
{
  g_autoptr(JsonObject) recurrence = parse_object (json);
  g_autofree char *text = od_format_recurrence (recurrence);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_result_format (void)
{
  static const struct { guint64 msat; const char *sats; const char *btc; } amounts[] = {
    { 0, "0 sats", "0 BTC" },
    { 1000, "1 sat", "0.00000001 BTC" },
    { 1500, "1.5 sats", "0.000000015 BTC" },
    { 1, "0.001 sats", "0.00000000001 BTC" },
    { 1000000, "1000 sats", "0.00001 BTC" },
    { G_GUINT64_CONSTANT (100000000000), "100000000 sats", "1 BTC" },
    { G_GUINT64_CONSTANT (2100000000000000000), "2100000000000000 sats", "21000000 BTC" },
  };
  g_autoptr(JsonObject) usd = parse_object ("{\"offer_currency\": \"USD\", \"offer_amount\": 1250}");
  g_autoptr(JsonObject) jpy = parse_object ("{\"offer_currency\": \"JPY\", \"offer_amount\": 5}");
  g_autoptr(JsonObject) any = parse_object ("{\"offer_description\": \"tips\"}");
  g_autoptr(JsonObject) paywindow = parse_object ("{\"time_unit\": 2, \"period\": 1, "
                                                  "\"paywindow\": {\"seconds_before\": 3600, "
                                                  "\"seconds_after\": 86400}}");
  g_autofree char *usd_text = od_format_amount (usd);
  g_autofree char *jpy_text = od_format_amount_short (jpy);
  g_autofree char *any_text = od_format_amount (any);
  g_autofree char *paywindow_text = od_format_paywindow (paywindow);
  g_autofree char *no_paywindow = od_format_paywindow (any);
  g_autofree char *quantity0 = od_format_quantity_max (0);
  g_autofree char *quantity1 = od_format_quantity_max (1);
  g_autofree char *quantity5 = od_format_quantity_max (5);
  g_autofree char *minutes = od_format_duration (5400);
  g_autofree char *seconds = od_format_duration (61);

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *sats = od_format_sats (amounts[i].msat);
      g_autofree char *btc = od_format_btc (amounts[i].msat);

      g_assert_cmpstr (sats, ==, amounts[i].sats);
      g_assert_cmpstr (btc, ==, amounts[i].btc);
    }

  g_assert_cmpstr (usd_text, ==, "12.50 USD");
  g_assert_cmpstr (jpy_text, ==, "5 JPY");
  g_assert_null (any_text);

  /* limit L: periods 0 to L, so L + 1 payments. */
  assert_recurrence ("{\"time_unit\": 1, \"period\": 28, \"limit\": 12}", "every 4 weeks, 13 payments");
  assert_recurrence ("{\"time_unit\": 2, \"period\": 1, \"limit\": 12}", "every month, 13 payments");
  assert_recurrence ("{\"time_unit\": 2, \"period\": 1, \"limit\": 0}", "every month, 1 payment");
  assert_recurrence ("{\"time_unit\": 2, \"period\": 12}", "every year");
  assert_recurrence ("{\"time_unit\": 2, \"period\": 3}", "every 3 months");
  assert_recurrence ("{\"time_unit\": 1, \"period\": 1}", "every day");
  assert_recurrence ("{\"time_unit\": 1, \"period\": 10}", "every 10 days");
  assert_recurrence ("{\"time_unit\": 1, \"period\": 7}", "every week");
  assert_recurrence ("{\"time_unit\": 0, \"period\": 3600}", "every hour");
  assert_recurrence ("{\"time_unit\": 0, \"period\": 1800}", "every 30 minutes");
  assert_recurrence ("{\"time_unit\": 0, \"period\": 90}", "every 90 seconds");
  assert_recurrence ("{\"time_unit\": 0, \"period\": 172800, \"limit\": 1}", "every 2 days, 2 payments");

  g_assert_cmpstr (paywindow_text, ==, "from 1 hour before to 1 day after the start of each period");
  g_assert_null (no_paywindow);
  g_assert_cmpstr (quantity0, ==, "any number of items per payment");
  g_assert_cmpstr (quantity1, ==, "up to 1 item per payment");
  g_assert_cmpstr (quantity5, ==, "up to 5 items per payment");
  g_assert_cmpstr (minutes, ==, "90 minutes");
  g_assert_cmpstr (seconds, ==, "61 seconds");
}

static void
test_result_full_summary (void)
{
  g_autoptr(OdCommands) commands = od_commands_new (data_dir, "bitcoin");
  g_autoptr(JsonObject) offer = NULL;
  g_autoptr(JsonObject) rate = NULL;
  g_autofree char *text = NULL;
  GtkWidget *window;
  OdResultView *view;

  rate = call (commands, "setrate", "[\"USD\", 2500]");
  offer = call (commands, "offer",
                "{\"amount\": \"12.50USD\", \"description\": \"Tea club\", \"issuer\": \"Tea House\", "
                "\"recurrence\": \"1month\", \"recurrence_base\": 1700000000, "
                "\"recurrence_paywindow\": \"-3600+86400%\", \"recurrence_limit\": 5, "
                "\"absolute_expiry\": 4102444800, \"quantity_max\": 5, \"label\": \"tea\"}");

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 1000);
  view = g_object_new (OD_TYPE_RESULT_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, window);

  od_result_view_set_result (view, commands, offer);
  wait_for_text (GTK_WIDGET (view), "Tea club");
  text = widget_text (GTK_WIDGET (view));
  g_assert_nonnull (strstr (text, "12.50 USD"));
  g_assert_nonnull (strstr (text, "Tea House"));
  g_assert_nonnull (strstr (text, "every month, 6 payments"));
  g_assert_nonnull (strstr (text, "from 1 hour before to 1 day after the start of each period"));
  g_assert_nonnull (strstr (text, "a period paid late costs proportionally less"));
  g_assert_nonnull (strstr (text, "up to 5 items per payment"));
  g_assert_nonnull (strstr (text, "2023"));   /* the first period starts in November 2023 */
  g_assert_nonnull (strstr (text, "2100"));   /* expires at the start of 2100 */

  screenshot (window, "result-full-summary");

  /* The same view, another offer: the summary is replaced. */
  g_clear_pointer (&offer, json_object_unref);
  g_clear_pointer (&text, g_free);
  offer = call (commands, "offer",
                "{\"amount\": \"any\", \"description\": \"Tips\", \"recurrence\": \"1month\", "
                "\"optional_recurrence\": true}");
  od_result_view_set_result (view, commands, offer);
  wait_for_text (GTK_WIDGET (view), "Tips");
  text = widget_text (GTK_WIDGET (view));
  g_assert_null (strstr (text, "Tea club"));
  g_assert_nonnull (strstr (text, "Any amount, chosen by the payer"));
  g_assert_nonnull (strstr (text, "every month\n"));
  g_assert_nonnull (strstr (text, "pays once in wallets without subscriptions"));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GtkCssProvider) provider = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Before GTK starts threads. */
  data_dir = od_test_make_data_dir ("result");

  if (!od_test_gtk_init ())
    {
      od_test_remove_tree (data_dir);
      return 0;
    }
  adw_init ();

  /* The app's style sheet, as AdwApplication would load it. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/offerdesk/Offerdesk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/result/format", test_result_format);
  g_test_add_func ("/result/offer", test_result_offer);
  g_test_add_func ("/result/request", test_result_request);
  g_test_add_func ("/result/full-summary", test_result_full_summary);

  ret = g_test_run ();

  od_test_remove_tree (data_dir);
  g_clear_pointer (&data_dir, g_free);

  return ret;
}
