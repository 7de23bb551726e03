/* od-request-page.c: the `invoicerequest` command as a form (refunds and payouts)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same pattern as the offer form (od-offer-page.c): fields -> JSON params, checked with
 * od_commands_check() as the user types, the command's message under the row it names, and
 * "Create Request" (request.create) enabled only while the check passes.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "od-application.h"
#include "od-command-task.h"
#include "od-form-rows.h"
#include "od-request-page.h"
#include "od-window.h"

/* The suffixes of the unit row's items. */
static const char * const units[] = { "sat", "msat", "btc" };

struct _OdRequestPage
{
  AdwBin             parent_instance;

  AdwEntryRow       *amount_row;
  GtkButton         *create_button;
  AdwEntryRow       *description_row;
  OdDateTimePicker  *expiry_picker;
  AdwExpanderRow    *expiry_row;
  GtkLabel          *general_error_label;
  AdwEntryRow       *issuer_row;
  AdwEntryRow       *label_row;
  AdwActionRow      *single_use_row;
  GtkSwitch         *single_use_switch;
  AdwComboRow       *unit_row;

  OdFormCreate      *form;            /* checking, error rows, the create action */
};

G_DEFINE_FINAL_TYPE (OdRequestPage, od_request_page, ADW_TYPE_BIN)

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* The number with the unit's suffix, or what was typed when it already ends in a unit. */
static char *
amount_param (OdRequestPage *self)
{
  g_autofree char *text = entry_text (self->amount_row);
  guint unit = MIN (adw_combo_row_get_selected (self->unit_row), G_N_ELEMENTS (units) - 1);
  gsize len = strlen (text);

  if (len == 0)
    return NULL;
  if (g_ascii_isalpha (text[len - 1]))
    return g_steal_pointer (&text);

  return g_strconcat (text, units[unit], NULL);
}

static void
set_string_if (JsonObject *object,
               const char *name,
               const char *value)
{
  if (value != NULL && value[0] != '\0')
    json_object_set_string_member (object, name, value);
}

static JsonNode *
build_params (GtkWidget *page)
{
  OdRequestPage *self = OD_REQUEST_PAGE (page);
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
  if (adw_expander_row_get_enable_expansion (self->expiry_row))
    json_object_set_int_member (object, "absolute_expiry",
                                od_date_time_picker_get_unix (self->expiry_picker));
  json_object_set_boolean_member (object, "single_use",
                                  gtk_switch_get_active (self->single_use_switch));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/* Nothing typed yet: no message for what is missing. */
static gboolean
is_pristine (GtkWidget *page)
{
  OdRequestPage *self = OD_REQUEST_PAGE (page);
  g_autofree char *amount = entry_text (self->amount_row);
  g_autofree char *description = entry_text (self->description_row);

  return amount[0] == '\0' && description[0] == '\0';
}

static void
on_field_changed_cb (OdRequestPage *self)
{
  od_form_create_schedule_check (self->form);
}

static void
on_entry_activated_cb (OdRequestPage *self)
{
  od_form_create_activate (self->form);
}

static void
reset_form (GtkWidget *page)
{
  OdRequestPage *self = OD_REQUEST_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), "");
  adw_expander_row_set_enable_expansion (self->expiry_row, FALSE);
  gtk_switch_set_active (self->single_use_switch, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
}

static char *
failure_toast (const char *message)
{
  /* translators: %s is the command's error message */
  return g_strdup_printf (_("Could not create the request: %s"), message);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  od_form_create_run (OD_REQUEST_PAGE (widget)->form);
}

static const OdFormCreateInfo form_info = {
  .command = "invoicerequest",
  .action_name = "request.create",
  .build_params = build_params,
  .is_pristine = is_pristine,
  .before_check = NULL,
  .reset = reset_form,
  .failure_toast = failure_toast,
};

static void
od_request_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (od_request_page_parent_class)->map (widget);

  od_form_create_map (OD_REQUEST_PAGE (widget)->form);
}

static void
od_request_page_dispose (GObject *object)
{
  OdRequestPage *self = OD_REQUEST_PAGE (object);

  if (self->form != NULL)
    od_form_create_dispose (self->form);

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_REQUEST_PAGE);

  G_OBJECT_CLASS (od_request_page_parent_class)->dispose (object);
}

static void
od_request_page_finalize (GObject *object)
{
  OdRequestPage *self = OD_REQUEST_PAGE (object);

  g_clear_pointer (&self->form, od_form_create_free);

  G_OBJECT_CLASS (od_request_page_parent_class)->finalize (object);
}

static void
od_request_page_class_init (OdRequestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_request_page_dispose;
  object_class->finalize = od_request_page_finalize;
  widget_class->map = od_request_page_map;

  g_type_ensure (OD_TYPE_DATE_TIME_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-request-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, amount_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, description_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, expiry_picker);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, general_error_label);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, label_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, single_use_row);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, single_use_switch);
  gtk_widget_class_bind_template_child (widget_class, OdRequestPage, unit_row);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);

  gtk_widget_class_install_action (widget_class, "request.create", NULL, create_action);
}

static void
od_request_page_init (OdRequestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->form = od_form_create_new (GTK_WIDGET (self), &form_info,
                                   GTK_WIDGET (self->create_button), self->general_error_label);

  od_date_time_picker_set_label (self->expiry_picker, _("Expiry"));
  od_form_create_add_error_row (self->form, "amount", self->amount_row);
  od_form_create_add_error_row (self->form, "description", self->description_row);
  od_form_create_add_error_row (self->form, "issuer", self->issuer_row);
  od_form_create_add_error_row (self->form, "label", self->label_row);
  od_form_create_add_error_row (self->form, "absolute_expiry", self->expiry_row);
  od_form_create_add_error_row (self->form, "single_use", self->single_use_row);
}
