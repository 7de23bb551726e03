/* test-app-forms.c: the offer and refund forms, driven through their widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case presents a form in a window of its own (no OdWindow: the page then uses its own
 * command layer on OFFERDESK_DATA_DIR), fills it with gtk_editable_set_text and switches,
 * waits for the debounced check, and compares with what the command layer stores or says.
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>

#include "od-commands.h"
#include "offerdesk-resources.h"
#include "od-offer-page.h"
#include "od-request-page.h"

#include "od-test-app-utils.h"
#include "od-test-utils.h"

typedef struct
{
  char       *dir;
  OdCommands *cmds;
  GtkWidget  *window;
  GtkWidget  *page;
} Fixture;

static JsonNode *
call (Fixture    *f,
      const char *method,
      const char *params_json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = od_commands_call_json (f->cmds, method, params_json, &error);

  g_assert_no_error (error);

  return result;
}

static guint
count_rows (Fixture    *f,
            const char *method,
            const char *member)
{
  g_autoptr(JsonNode) result = call (f, method, NULL);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (result),
                                                              member));
}

static void
setup (Fixture       *f,
       gconstpointer  page_type)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-app-forms-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("OFFERDESK_DATA_DIR", f->dir, TRUE);
  f->cmds = od_commands_new (f->dir, "bitcoin");
  /* A rate, so that the unit list offers USD. */
  json_node_unref (call (f, "setrate", "[\"USD\", \"1000000\"]"));

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 720,
                               g_getenv ("OD_FORMS_SCREENSHOT") != NULL ? 1500 : 700);
  f->page = g_object_new (GPOINTER_TO_SIZE (page_type), NULL);
  gtk_window_set_child (GTK_WINDOW (f->window), f->page);
  gtk_window_present (GTK_WINDOW (f->window));
  od_test_wait_ms (300);
}

static void
teardown (Fixture       *f,
          gconstpointer  page_type)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  od_test_wait_ms (50);
  g_clear_pointer (&f->cmds, od_commands_free);
  od_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* ---- finding widgets ---- */

/* The inline error messages shown (visible .error labels), joined by '|'. */
static void
collect_errors (GtkWidget *root,
                GString   *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "error")
          && gtk_widget_is_visible (child))
        {
          if (out->len > 0)
            g_string_append_c (out, '|');
          g_string_append (out, gtk_label_get_text (GTK_LABEL (child)));
        }
      collect_errors (child, out);
    }
}

static char *
shown_errors (Fixture *f)
{
  GString *out = g_string_new (NULL);

  collect_errors (f->page, out);

  return g_string_free (out, FALSE);
}

static void
set_text (Fixture    *f,
          const char *title,
          const char *text)
{
  GtkWidget *row = od_test_find_row (f->page, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
set_switch (Fixture    *f,
            const char *title,
            gboolean    active)
{
  GtkWidget *row = od_test_find_row (f->page, title);

  g_assert_nonnull (row);
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), active);
  else
    gtk_switch_set_active (GTK_SWITCH (od_test_find_descendant (row, GTK_TYPE_SWITCH)), active);
}

static void
set_spin (Fixture    *f,
          const char *title,
          double      value)
{
  GtkWidget *row = od_test_find_row (f->page, title);

  g_assert_nonnull (row);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (od_test_find_descendant (row, GTK_TYPE_SPIN_BUTTON)),
                             value);
}

static void
set_unit (Fixture    *f,
          const char *name)
{
  AdwComboRow *row = ADW_COMBO_ROW (od_test_find_row (f->page, "Unit"));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), name) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_assert_not_reached ();
}

static JsonObject *
decode_first (Fixture    *f,
              const char *method,
              const char *member)
{
  g_autoptr(JsonNode) list = call (f, method, NULL);
  JsonArray *array = json_object_get_array_member (json_node_get_object (list), member);
  JsonObject *item = json_array_get_object_element (array, json_array_get_length (array) - 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonNode) decoded = NULL;

  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, json_object_get_string_member (item, "bolt12"));
  json_builder_end_array (builder);
  params = json_builder_get_root (builder);
  decoded = od_commands_call (f->cmds, "decode", params, NULL);
  g_assert_nonnull (decoded);

  return json_object_ref (json_node_get_object (decoded));
}

/* Activates the create action and waits for the worker thread to store a row. */
static void
create (Fixture    *f,
        const char *action,
        const char *method,
        const char *member,
        guint       expected)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (gtk_widget_activate_action (f->page, action, NULL));
  while (count_rows (f, method, member) < expected && g_get_monotonic_time () < end)
    od_test_wait_ms (20);
  g_assert_cmpuint (count_rows (f, method, member), ==, expected);
  od_test_wait_ms (300);
}

/* OD_FORMS_SCREENSHOT=<file.png>: saves the window as it is (to look at the layout). */
static void
maybe_screenshot (Fixture *f)
{
  const char *path = g_getenv ("OD_FORMS_SCREENSHOT");

  if (path != NULL)
    od_test_save_png (f->window, path);
}

/* ---- cases ---- */

static void
test_offer_create (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *errors = NULL;
  GtkWidget *button = od_test_find_button (f->page, "Create Offer");

  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));

  set_text (f, "Amount", "2100");
  set_text (f, "Description", "Coffee");
  od_test_wait_ms (300);
  errors = shown_errors (f);
  g_assert_cmpstr (errors, ==, "");
  g_assert_true (gtk_widget_get_sensitive (button));

  create (f, "offer.create", "listoffers", "offers", 1);
  decoded = decode_first (f, "listoffers", "offers");
  g_assert_cmpint (json_object_get_int_member (decoded, "offer_amount_msat"), ==, 2100000);
  g_assert_cmpstr (json_object_get_string_member (decoded, "offer_description"), ==, "Coffee");

  /* The form is empty again, the unit kept; nothing shown as wrong. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (od_test_find_row (f->page, "Amount"))),
                   ==, "");
  g_clear_pointer (&errors, g_free);
  errors = shown_errors (f);
  g_assert_cmpstr (errors, ==, "");
  g_assert_false (gtk_widget_get_sensitive (button));
}

static void
test_offer_currency (Fixture       *f,
                     gconstpointer  data)
{
  AdwActionRow *unit = ADW_ACTION_ROW (od_test_find_row (f->page, "Unit"));

  set_unit (f, "USD");
  set_text (f, "Amount", "2.50");
  set_text (f, "Description", "Tea");
  od_test_wait_ms (300);
  g_assert_cmpstr (adw_action_row_get_subtitle (unit), ==, "≈ 2500 sat at today's rate");
  create (f, "offer.create", "listoffers", "offers", 1);
  {
    g_autoptr(JsonObject) decoded = decode_first (f, "listoffers", "offers");

    g_assert_cmpstr (json_object_get_string_member (decoded, "offer_currency"), ==, "USD");
    g_assert_cmpint (json_object_get_int_member (decoded, "offer_amount"), ==, 250);
  }
}

static void
test_offer_recurring (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) decoded = NULL;
  JsonObject *recurrence;
  GtkDropDown *unit;

  set_text (f, "Amount", "5000");
  set_text (f, "Description", "Magazine");
  set_switch (f, "Recurring", TRUE);
  set_spin (f, "Every", 4);
  unit = GTK_DROP_DOWN (od_test_find_descendant (od_test_find_row (f->page, "Every"),
                                                 GTK_TYPE_DROP_DOWN));
  gtk_drop_down_set_selected (unit, 4);   /* weeks */
  set_switch (f, "Limit the number of payments", TRUE);
  set_spin (f, "Number of payments", 13);
  set_switch (f, "Charge only the time left in the period", TRUE);
  od_test_wait_ms (300);
  maybe_screenshot (f);
  set_switch (f, "Charge only the time left in the period", FALSE);
  od_test_wait_ms (300);
  {
    g_autofree char *errors = shown_errors (f);

    g_assert_cmpstr (errors, ==, "");
  }
  create (f, "offer.create", "listoffers", "offers", 1);
  decoded = decode_first (f, "listoffers", "offers");
  recurrence = json_object_get_object_member (decoded, "offer_recurrence");
  g_assert_nonnull (recurrence);
  g_test_message ("%s", json_to_string (json_object_get_member (decoded, "offer_recurrence"),
                                        FALSE));
  g_assert_cmpint (json_object_get_int_member (recurrence, "period"), ==, 28);
  g_assert_cmpint (json_object_get_int_member (recurrence, "time_unit"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (recurrence, "limit"), ==, 12);
}

typedef struct
{
  const char *amount;
  const char *description;
  gboolean    recurring;
  int         count;
  gboolean    proportional;
  const char *message;
} BadCase;

static void
test_offer_invalid (Fixture       *f,
                    gconstpointer  data)
{
  static const BadCase cases[] = {
    { "ab", "x", FALSE, 1, FALSE, "amount: Not a number, and too short for currency" },
    { "1.1AUD", "x", FALSE, 1, FALSE, "amount: Currency AUD requires 2 minor units" },
    { "100", "x", TRUE, 0, FALSE, "bolt12: Offer contains invalid recurrence period 0" },
    { "100", "", FALSE, 1, FALSE,
      "description: description is required for the user to know what it was they paid for" },
    { "100", "x", TRUE, 1, TRUE,
      "proportional_amount: proportional_amount needs recurrence_base" },
  };
  GtkWidget *button = od_test_find_button (f->page, "Create Offer");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *errors = NULL;
      g_autoptr(JsonNode) params = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;

      set_text (f, "Amount", cases[i].amount);
      set_text (f, "Description", cases[i].description);
      set_switch (f, "Recurring", cases[i].recurring);
      set_spin (f, "Every", cases[i].count);
      set_switch (f, "Limit when a period can be paid", cases[i].proportional);
      set_switch (f, "Charge only the time left in the period", cases[i].proportional);
      od_test_wait_ms (300);

      errors = shown_errors (f);
      g_assert_cmpstr (errors, ==, cases[i].message);
      g_assert_false (gtk_widget_get_sensitive (button));
      /* The action does nothing either. */
      gtk_widget_activate_action (f->page, "offer.create", NULL);
      od_test_wait_ms (100);
      g_assert_cmpuint (count_rows (f, "listoffers", "offers"), ==, 0);
    }
  set_switch (f, "Recurring", FALSE);
}

static void
test_request_create (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) decoded = NULL;
  GtkWidget *button = od_test_find_button (f->page, "Create Request");

  g_assert_nonnull (button);
  set_text (f, "Amount", "0");
  set_text (f, "Description", "Refund");
  od_test_wait_ms (300);
  {
    g_autofree char *errors = shown_errors (f);

    g_assert_cmpstr (errors, ==, "amount: must be greater than zero");
  }
  g_assert_false (gtk_widget_get_sensitive (button));

  set_text (f, "Amount", "1500");
  od_test_wait_ms (300);
  g_assert_true (gtk_widget_get_sensitive (button));
  create (f, "request.create", "listinvoicerequests", "invoicerequests", 1);
  decoded = decode_first (f, "listinvoicerequests", "invoicerequests");
  g_assert_cmpint (json_object_get_int_member (decoded, "invreq_amount_msat"), ==, 1500000);
  g_assert_cmpstr (json_object_get_string_member (decoded, "offer_description"), ==, "Refund");
  {
    g_autoptr(JsonNode) list = call (f, "listinvoicerequests", NULL);
    JsonObject *item = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (list), "invoicerequests"), 0);

    g_assert_true (json_object_get_boolean_member (item, "single_use"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    return 0;
  adw_init ();
  /* The templates live in the app library's resource bundle (linked, not loaded). */
  g_resources_register (od_get_resource ());

#define ADD(path, func, type) \
  g_test_add (path, Fixture, GSIZE_TO_POINTER (type), setup, func, teardown)

  ADD ("/app/forms/offer/create", test_offer_create, OD_TYPE_OFFER_PAGE);
  ADD ("/app/forms/offer/currency", test_offer_currency, OD_TYPE_OFFER_PAGE);
  ADD ("/app/forms/offer/recurring", test_offer_recurring, OD_TYPE_OFFER_PAGE);
  ADD ("/app/forms/offer/invalid", test_offer_invalid, OD_TYPE_OFFER_PAGE);
  ADD ("/app/forms/request/create", test_request_create, OD_TYPE_REQUEST_PAGE);

#undef ADD

  return g_test_run ();
}
