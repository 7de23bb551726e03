/* od-offer-page.c: the `offer` command as a form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every parameter of Core Lightning's `offer` as a row a merchant understands.  The fields are
 * turned into the command's JSON params (build_params()); as the user types, the params are
 * checked with od_commands_check() (everything the command does but writing), and the
 * command's own message is shown under the row of the parameter it names.  "Create Offer" (the
 * offer.create action) is enabled only while the check passes.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "od-application.h"
#include "od-command-task.h"
#include "od-form-rows.h"
#include "od-format.h"
#include "od-offer-page.h"
#include "od-window.h"

/* The recurrence units, in the order of the "Every" drop-down. */
static const char * const period_units[] = {
  "seconds", "minutes", "hours", "days", "weeks", "months", "years",
};

/* Seconds per unit of the pay window drop-downs. */
static const guint64 window_units[] = { 1, 60, 3600, 86400 };

/* The built-in units of the unit row; the currencies that have a rate follow. */
static const struct
{
  const char *code;
  const char *name;
} builtin_units[] = {
  { "sat", N_("sat") },
  { "btc", N_("BTC") },
  { "msat", N_("msat") },
  { "any", N_("Any amount") },
};

struct _OdOfferPage
{
  AdwBin             parent_instance;

  AdwEntryRow       *amount_row;
  GtkSwitch         *base_at_switch;
  OdDateTimePicker  *base_picker;
  GtkSwitch         *base_switch;
  AdwActionRow      *base_time_row;
  GtkDropDown       *after_unit_dropdown;
  AdwActionRow      *after_row;
  GtkSpinButton     *after_spin;
  GtkDropDown       *before_unit_dropdown;
  GtkSpinButton     *before_spin;
  GtkButton         *create_button;
  AdwEntryRow       *description_row;
  OdDateTimePicker  *expiry_picker;
  AdwExpanderRow    *expiry_row;
  GtkLabel          *general_error_label;
  AdwEntryRow       *issuer_row;
  AdwEntryRow       *label_row;
  AdwActionRow      *limit_count_row;
  GtkSpinButton     *limit_spin;
  GtkSwitch         *limit_switch;
  AdwActionRow      *optional_row;
  GtkSwitch         *optional_switch;
  GtkSwitch         *paywindow_switch;
  AdwActionRow      *period_row;
  GtkSpinButton     *period_spin;
  GtkDropDown       *period_unit_dropdown;
  AdwActionRow      *proportional_row;
  GtkSwitch         *proportional_switch;
  GtkSpinButton     *quantity_max_spin;
  AdwExpanderRow    *quantity_row;
  GtkSwitch         *quantity_unlimited_switch;
  GtkSwitch         *single_use_switch;
  AdwActionRow      *single_use_row;
  AdwComboRow       *unit_row;

  OdFormCreate      *form;            /* checking, error rows, the create action */
  GSettings         *settings;
  GtkStringList     *units;           /* names shown in unit_row */
  GPtrArray         *unit_codes;      /* "sat", "btc", "msat", "any", then ISO 4217 codes */
};

G_DEFINE_FINAL_TYPE (OdOfferPage, od_offer_page, ADW_TYPE_BIN)

/* ---- the command layer and the settings ---- */

static GSettings *
get_settings (OdOfferPage *self)
{
  GApplication *application = g_application_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;

  if (self->settings != NULL)
    return self->settings;

  if (OD_IS_APPLICATION (application))
    {
      self->settings = g_object_ref (od_application_get_settings (OD_APPLICATION (application)));
      return self->settings;
    }
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (SCHEMA_ID);

  return self->settings;
}

/* ---- the unit row ---- */

static const char *
selected_unit (OdOfferPage *self)
{
  guint selected = adw_combo_row_get_selected (self->unit_row);

  if (selected >= self->unit_codes->len)
    return "sat";

  return g_ptr_array_index (self->unit_codes, selected);
}

static void
select_unit (OdOfferPage *self,
             const char  *code)
{
  for (guint i = 0; code != NULL && i < self->unit_codes->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->unit_codes, i), code) == 0)
      {
        adw_combo_row_set_selected (self->unit_row, i);
        return;
      }
}

static gboolean
is_currency (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_units); i++)
    if (strcmp (builtin_units[i].code, code) == 0)
      return FALSE;

  return TRUE;
}

/* The built-in units plus each currency that has a rate (`listrates`). */
static void
refresh_units (OdOfferPage *self)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) rates = NULL;
  g_autofree char *keep = g_strdup (selected_unit (self));
  gboolean same = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (builtin_units); i++)
    g_ptr_array_add (codes, g_strdup (builtin_units[i].code));
  rates = od_commands_call (od_form_create_get_commands (self->form), "listrates", NULL,
                            NULL);
  if (rates != NULL && JSON_NODE_HOLDS_OBJECT (rates))
    {
      JsonArray *array = json_object_get_array_member (json_node_get_object (rates), "rates");

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonObject *rate = json_array_get_object_element (array, i);
          const char *currency = json_object_get_string_member_with_default (rate, "currency",
                                                                             NULL);

          if (currency != NULL)
            g_ptr_array_add (codes, g_strdup (currency));
        }
    }

  same = codes->len == self->unit_codes->len;
  for (guint i = 0; same && i < codes->len; i++)
    same = strcmp (g_ptr_array_index (codes, i), g_ptr_array_index (self->unit_codes, i)) == 0;
  if (same)
    return;

  g_ptr_array_set_size (self->unit_codes, 0);
  gtk_string_list_splice (self->units, 0, g_list_model_get_n_items (G_LIST_MODEL (self->units)),
                          NULL);
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);

      g_ptr_array_add (self->unit_codes, g_strdup (code));
      gtk_string_list_append (self->units,
                              i < G_N_ELEMENTS (builtin_units) ? _(builtin_units[i].name) : code);
    }
  select_unit (self, keep);
}

/* ---- params ---- */

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* The amount parameter: "any", the number with the unit's suffix, or what was typed when it
 * already ends in a unit (10.05USD, 5000sat).  NULL when nothing was typed. */
static char *
amount_param (OdOfferPage *self)
{
  g_autofree char *text = entry_text (self->amount_row);
  const char *unit = selected_unit (self);
  gsize len = strlen (text);

  if (strcmp (unit, "any") == 0)
    return g_strdup ("any");
  if (len == 0)
    return NULL;
  if (g_ascii_isalpha (text[len - 1]))
    return g_steal_pointer (&text);

  return g_strconcat (text, unit, NULL);
}

static void
set_string_if (JsonObject *object,
               const char *name,
               const char *value)
{
  if (value != NULL && value[0] != '\0')
    json_object_set_string_member (object, name, value);
}

/* The `offer` params, Core Lightning's names. */
static JsonNode *
build_params (GtkWidget *page)
{
  OdOfferPage *self = OD_OFFER_PAGE (page);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *amount = amount_param (self);
  g_autofree char *description = entry_text (self->description_row);
  g_autofree char *issuer = entry_text (self->issuer_row);
  g_autofree char *label = entry_text (self->label_row);
  JsonNode *node;

  set_string_if (object, "amount", amount);
  set_string_if (object, "description", description);
  set_string_if (object, "issuer", issuer);
  set_string_if (object, "label", label);

  if (adw_expander_row_get_enable_expansion (self->quantity_row))
    json_object_set_int_member (object, "quantity_max",
                                gtk_switch_get_active (self->quantity_unlimited_switch)
                                  ? 0
                                  : gtk_spin_button_get_value_as_int (self->quantity_max_spin));
  if (adw_expander_row_get_enable_expansion (self->expiry_row))
    json_object_set_int_member (object, "absolute_expiry",
                                od_date_time_picker_get_unix (self->expiry_picker));

  if (adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (
                                               GTK_WIDGET (self->period_row),
                                               ADW_TYPE_EXPANDER_ROW))))
    {
      guint unit = gtk_drop_down_get_selected (self->period_unit_dropdown);
      g_autofree char *recurrence = NULL;

      recurrence = g_strdup_printf ("%.0f%s", gtk_spin_button_get_value (self->period_spin),
                                    period_units[MIN (unit, G_N_ELEMENTS (period_units) - 1)]);
      json_object_set_string_member (object, "recurrence", recurrence);

      if (gtk_switch_get_active (self->base_switch))
        {
          g_autofree char *base = g_strdup_printf ("%s%" G_GINT64_FORMAT,
                                                   gtk_switch_get_active (self->base_at_switch)
                                                     ? "@" : "",
                                                   od_date_time_picker_get_unix (self->base_picker));

          json_object_set_string_member (object, "recurrence_base", base);
        }
      if (gtk_switch_get_active (self->paywindow_switch))
        {
          guint before_unit = MIN (gtk_drop_down_get_selected (self->before_unit_dropdown), 3);
          guint after_unit = MIN (gtk_drop_down_get_selected (self->after_unit_dropdown), 3);
          guint64 before = (guint64) gtk_spin_button_get_value (self->before_spin)
                           * window_units[before_unit];
          guint64 after = (guint64) gtk_spin_button_get_value (self->after_spin)
                          * window_units[after_unit];
          g_autofree char *window = g_strdup_printf ("-%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
                                                     before, after);

          json_object_set_string_member (object, "recurrence_paywindow", window);
        }
      if (gtk_switch_get_active (self->proportional_switch))
        json_object_set_boolean_member (object, "proportional_amount", TRUE);
      /* N payments: periods 0 to N-1, and recurrence_limit is the last index. */
      if (gtk_switch_get_active (self->limit_switch))
        json_object_set_int_member (object, "recurrence_limit",
                                    (gint64) gtk_spin_button_get_value (self->limit_spin) - 1);
      if (gtk_switch_get_active (self->optional_switch))
        json_object_set_boolean_member (object, "optional_recurrence", TRUE);
    }

  if (gtk_switch_get_active (self->single_use_switch))
    json_object_set_boolean_member (object, "single_use", TRUE);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/* ---- validation ---- */

/* "≈ N sat" under the unit while a price in a currency (or BTC) is typed. */
static void
update_conversion (OdOfferPage *self)
{
  g_autofree char *text = entry_text (self->amount_row);
  const char *unit = selected_unit (self);
  g_autofree char *subtitle = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->amount_row), strcmp (unit, "any") != 0);

  if (text[0] != '\0' && is_currency (unit) && g_ascii_isdigit (text[strlen (text) - 1]))
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) params = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonNode) result = NULL;

      json_object_set_string_member (object, "amount", text);
      json_object_set_string_member (object, "currency", unit);
      json_node_set_object (params, object);
      result = od_commands_call (od_form_create_get_commands (self->form), "currencyconvert",
                                 params, NULL);
      if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
        {
          gint64 msat = json_object_get_int_member_with_default (json_node_get_object (result),
                                                                 "msat", 0);
          g_autofree char *sat = od_format_integer ((guint64) MAX (0, (msat + 500) / 1000));

          /* translators: %s is a number of satoshis, grouped as the locale groups digits */
          subtitle = g_strdup_printf (_("≈ %s sat at today's rate"), sat);
        }
    }
  else if (text[0] != '\0' && strcmp (unit, "any") == 0)
    {
      subtitle = g_strdup (_("The customer chooses the amount"));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->unit_row), subtitle != NULL ? subtitle : "");
}

static void
before_check (GtkWidget *page)
{
  update_conversion (OD_OFFER_PAGE (page));
}

/* Nothing typed yet ("any amount" is a choice already): no message for what is missing. */
static gboolean
is_pristine (GtkWidget *page)
{
  OdOfferPage *self = OD_OFFER_PAGE (page);
  g_autofree char *amount = entry_text (self->amount_row);
  g_autofree char *description = entry_text (self->description_row);

  return amount[0] == '\0' && description[0] == '\0'
         && strcmp (selected_unit (self), "any") != 0;
}

static void
on_field_changed_cb (OdOfferPage *self)
{
  od_form_create_schedule_check (self->form);
}

static void
on_entry_activated_cb (OdOfferPage *self)
{
  od_form_create_activate (self->form);
}

/* ---- create ---- */

static void
reset_form (GtkWidget *page)
{
  OdOfferPage *self = OD_OFFER_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), "");
  adw_expander_row_set_enable_expansion (self->quantity_row, FALSE);
  gtk_switch_set_active (self->quantity_unlimited_switch, FALSE);
  adw_expander_row_set_enable_expansion (self->expiry_row, FALSE);
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (
                                           GTK_WIDGET (self->period_row), ADW_TYPE_EXPANDER_ROW)),
                                         FALSE);
  gtk_switch_set_active (self->base_switch, FALSE);
  gtk_switch_set_active (self->base_at_switch, FALSE);
  gtk_switch_set_active (self->paywindow_switch, FALSE);
  gtk_switch_set_active (self->proportional_switch, FALSE);
  gtk_switch_set_active (self->limit_switch, FALSE);
  gtk_switch_set_active (self->optional_switch, FALSE);
  gtk_switch_set_active (self->single_use_switch, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
}

static char *
failure_toast (const char *message)
{
  /* translators: %s is the command's error message */
  return g_strdup_printf (_("Could not create the offer: %s"), message);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  od_form_create_run (OD_OFFER_PAGE (widget)->form);
}

static const OdFormCreateInfo form_info = {
  .command = "offer",
  .action_name = "offer.create",
  .build_params = build_params,
  .is_pristine = is_pristine,
  .before_check = before_check,
  .reset = reset_form,
  .failure_toast = failure_toast,
};

/* ---- the widget ---- */

static void
od_offer_page_map (GtkWidget *widget)
{
  OdOfferPage *self = OD_OFFER_PAGE (widget);

  GTK_WIDGET_CLASS (od_offer_page_parent_class)->map (widget);

  /* Rates may have been set meanwhile. */
  refresh_units (self);
  od_form_create_map (self->form);
}

static void
od_offer_page_dispose (GObject *object)
{
  OdOfferPage *self = OD_OFFER_PAGE (object);

  if (self->form != NULL)
    od_form_create_dispose (self->form);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_OFFER_PAGE);

  G_OBJECT_CLASS (od_offer_page_parent_class)->dispose (object);
}

static void
od_offer_page_finalize (GObject *object)
{
  OdOfferPage *self = OD_OFFER_PAGE (object);

  g_clear_pointer (&self->form, od_form_create_free);
  g_clear_pointer (&self->unit_codes, g_ptr_array_unref);
  g_clear_object (&self->units);

  G_OBJECT_CLASS (od_offer_page_parent_class)->finalize (object);
}

static void
od_offer_page_class_init (OdOfferPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_offer_page_dispose;
  object_class->finalize = od_offer_page_finalize;
  widget_class->map = od_offer_page_map;

  g_type_ensure (OD_TYPE_DATE_TIME_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-offer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, after_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, after_spin);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, after_unit_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, amount_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, base_at_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, base_picker);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, base_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, base_time_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, before_spin);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, before_unit_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, description_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, expiry_picker);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, general_error_label);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, label_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, limit_count_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, limit_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, optional_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, optional_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, paywindow_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, period_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, period_spin);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, period_unit_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, proportional_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, proportional_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, quantity_max_spin);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, quantity_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, quantity_unlimited_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, single_use_row);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, single_use_switch);
  gtk_widget_class_bind_template_child (widget_class, OdOfferPage, unit_row);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);

  gtk_widget_class_install_action (widget_class, "offer.create", NULL, create_action);
}

static void
od_offer_page_init (OdOfferPage *self)
{
  GSettings *settings;

  self->unit_codes = g_ptr_array_new_with_free_func (g_free);
  self->units = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->form = od_form_create_new (GTK_WIDGET (self), &form_info,
                                   GTK_WIDGET (self->create_button), self->general_error_label);

  adw_combo_row_set_model (self->unit_row, G_LIST_MODEL (self->units));
  for (guint i = 0; i < G_N_ELEMENTS (builtin_units); i++)
    {
      g_ptr_array_add (self->unit_codes, g_strdup (builtin_units[i].code));
      gtk_string_list_append (self->units, _(builtin_units[i].name));
    }

  od_date_time_picker_set_label (self->expiry_picker, _("Expiry"));
  od_date_time_picker_set_label (self->base_picker, _("First period start"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->period_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Period length"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->period_unit_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Period unit"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->before_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pay window before"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->before_unit_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pay window before unit"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->after_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pay window after"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->after_unit_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pay window after unit"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->limit_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Number of payments"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quantity_max_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Most items per payment"), -1);

  od_form_create_add_error_row (self->form, "amount", self->amount_row);
  od_form_create_add_error_row (self->form, "description", self->description_row);
  od_form_create_add_error_row (self->form, "issuer", self->issuer_row);
  od_form_create_add_error_row (self->form, "label", self->label_row);
  od_form_create_add_error_row (self->form, "quantity_max", self->quantity_row);
  od_form_create_add_error_row (self->form, "absolute_expiry", self->expiry_row);
  od_form_create_add_error_row (self->form, "single_use", self->single_use_row);
  od_form_create_add_error_row (self->form, "recurrence", self->period_row);
  od_form_create_add_error_row (self->form, "recurrence_base", self->base_time_row);
  od_form_create_add_error_row (self->form, "recurrence_paywindow", self->after_row);
  od_form_create_add_error_row (self->form, "proportional_amount", self->proportional_row);
  od_form_create_add_error_row (self->form, "recurrence_limit", self->limit_count_row);
  od_form_create_add_error_row (self->form, "optional_recurrence", self->optional_row);

  /* The number of payments: what recurrence_limit means. */
  adw_action_row_set_subtitle (self->limit_count_row,
                               _("Sent as the last period number, one less than the payments"));

  settings = get_settings (self);
  if (settings != NULL)
    {
      g_autofree char *shop = g_settings_get_string (settings, "shop-name");
      g_autofree char *unit = g_settings_get_string (settings, "default-unit");

      gtk_editable_set_text (GTK_EDITABLE (self->issuer_row), shop);
      if (g_strcmp0 (unit, "currency") == 0)
        {
          g_free (unit);
          unit = g_settings_get_string (settings, "default-currency");
          refresh_units (self);
        }
      select_unit (self, unit);
    }
}
