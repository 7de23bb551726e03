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

#define VALIDATE_DELAY_MS 150

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

  OdCommands        *own_commands;    /* without a window or application (a page on its own) */
  GHashTable        *error_rows;      /* param name -> ErrorSlot */
  GCancellable      *cancellable;
  guint              validate_id;
  gboolean           valid;
  gboolean           busy;
  /* The application whose connection state is followed (not owned). */
  OdApplication     *watched_application;
};

typedef struct
{
  GtkWidget *row;
  GtkWidget *error_row;
} ErrorSlot;

G_DEFINE_FINAL_TYPE (OdRequestPage, od_request_page, ADW_TYPE_BIN)

static OdCommands *
get_commands (OdRequestPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);
  GApplication *application = g_application_get_default ();
  OdCommands *commands = NULL;

  if (window != NULL)
    commands = od_window_get_commands (OD_WINDOW (window));
  if (commands == NULL && OD_IS_APPLICATION (application))
    commands = od_application_get_commands (OD_APPLICATION (application));
  if (commands != NULL)
    return commands;

  if (self->own_commands == NULL)
    {
      const char *dir = g_getenv ("OFFERDESK_DATA_DIR");
      g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "offerdesk", NULL);

      self->own_commands = od_commands_new (dir != NULL && dir[0] != '\0' ? dir : fallback,
                                            "bitcoin");
    }

  return self->own_commands;
}

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
build_params (OdRequestPage *self)
{
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

/* The application of the window the page is in, or the default one; NULL on its own. */
static OdApplication *
get_application (OdRequestPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);
  GApplication *application = NULL;

  if (window != NULL)
    application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  if (!OD_IS_APPLICATION (application))
    application = g_application_get_default ();

  return OD_IS_APPLICATION (application) ? OD_APPLICATION (application) : NULL;
}

/* Why creating is off although the form is fine (the node cannot be reached), or NULL. */
static const char *
get_blocked_reason (OdRequestPage *self)
{
  OdApplication *application = get_application (self);

  return application != NULL ? od_application_get_create_blocked_reason (application) : NULL;
}

static void
update_action (OdRequestPage *self)
{
  const char *blocked = get_blocked_reason (self);

  /* Only the button goes insensitive: whatever was typed stays for when the node is back. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "request.create",
                                 self->valid && !self->busy && blocked == NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->create_button), blocked);
}

static void schedule_validate (OdRequestPage *self);

static void
on_can_create_changed_cb (OdRequestPage *self,
                          GParamSpec    *pspec,
                          OdApplication *application)
{
  update_action (self);
  /* A create that failed while the node was away left the form marked invalid: check again. */
  if (get_blocked_reason (self) == NULL)
    schedule_validate (self);
}

static void
watch_application (OdRequestPage *self)
{
  OdApplication *application = get_application (self);

  if (application == NULL || application == self->watched_application)
    return;

  if (self->watched_application != NULL)
    g_signal_handlers_disconnect_by_func (self->watched_application,
                                          on_can_create_changed_cb, self);
  g_set_weak_pointer (&self->watched_application, application);
  g_signal_connect_object (application, "notify::can-create",
                           G_CALLBACK (on_can_create_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::connection-error",
                           G_CALLBACK (on_can_create_changed_cb), self, G_CONNECT_SWAPPED);
  update_action (self);
}

static void
clear_errors (OdRequestPage *self)
{
  GHashTableIter iter;
  ErrorSlot *slot;

  g_hash_table_iter_init (&iter, self->error_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &slot))
    od_form_error_row_set (slot->error_row, slot->row, NULL);
  gtk_label_set_text (self->general_error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->general_error_label), FALSE);
}

static void
show_error (OdRequestPage *self,
            const char    *message)
{
  g_autofree char *param = od_form_error_param (message);
  ErrorSlot *slot = param != NULL ? g_hash_table_lookup (self->error_rows, param) : NULL;

  clear_errors (self);
  if (slot != NULL && gtk_widget_is_visible (slot->row))
    {
      od_form_error_row_set (slot->error_row, slot->row, message);
      return;
    }
  gtk_label_set_text (self->general_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->general_error_label), TRUE);
}

static void
validate (OdRequestPage *self)
{
  g_autoptr(JsonNode) params = build_params (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *amount = entry_text (self->amount_row);
  g_autofree char *description = entry_text (self->description_row);
  gboolean pristine = amount[0] == '\0' && description[0] == '\0';

  self->valid = od_commands_check (get_commands (self), "invoicerequest", params, &error);
  if (self->valid || pristine)
    clear_errors (self);
  else
    show_error (self, error->message);
  update_action (self);
}

static gboolean
validate_timeout_cb (gpointer data)
{
  OdRequestPage *self = data;

  self->validate_id = 0;
  validate (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_validate (OdRequestPage *self)
{
  self->valid = FALSE;
  update_action (self);
  g_clear_handle_id (&self->validate_id, g_source_remove);
  self->validate_id = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout_cb, self);
}

static void
on_field_changed_cb (OdRequestPage *self)
{
  schedule_validate (self);
}

static void
on_entry_activated_cb (OdRequestPage *self)
{
  if (self->validate_id != 0)
    {
      g_clear_handle_id (&self->validate_id, g_source_remove);
      validate (self);
    }
  if (self->valid && !self->busy)
    gtk_widget_activate_action (GTK_WIDGET (self), "request.create", NULL);
}

static void
reset_form (OdRequestPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), "");
  adw_expander_row_set_enable_expansion (self->expiry_row, FALSE);
  gtk_switch_set_active (self->single_use_switch, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OdRequestPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  node = od_command_call_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);
  if (node == NULL)
    {
      g_autofree char *toast = NULL;

      show_error (self, error->message);
      self->valid = FALSE;
      update_action (self);
      /* translators: %s is the command's error message */
      toast = g_strdup_printf (_("Could not create the request: %s"), error->message);
      if (window != NULL)
        od_window_add_toast (OD_WINDOW (window), toast);
      return;
    }

  if (window != NULL && JSON_NODE_HOLDS_OBJECT (node))
    od_window_show_result (OD_WINDOW (window), json_node_get_object (node));
  reset_form (self);
  schedule_validate (self);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OdRequestPage *self = OD_REQUEST_PAGE (widget);
  g_autoptr(JsonNode) params = NULL;

  if (self->busy || !self->valid || get_blocked_reason (self) != NULL)
    return;

  params = build_params (self);
  self->busy = TRUE;
  update_action (self);
  od_command_call_async (get_commands (self), "invoicerequest", params, self->cancellable,
                         create_done_cb, g_object_ref (self));
}

static void
add_error_slot (OdRequestPage *self,
                const char    *param,
                gpointer       row)
{
  ErrorSlot *slot = g_new0 (ErrorSlot, 1);

  slot->row = GTK_WIDGET (row);
  slot->error_row = od_form_error_row_new (slot->row);
  g_hash_table_insert (self->error_rows, (gpointer) param, slot);
}

static void
od_request_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (od_request_page_parent_class)->map (widget);

  schedule_validate (OD_REQUEST_PAGE (widget));
  watch_application (OD_REQUEST_PAGE (widget));
}

static void
od_request_page_dispose (GObject *object)
{
  OdRequestPage *self = OD_REQUEST_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->validate_id, g_source_remove);
  if (self->watched_application != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->watched_application,
                                            on_can_create_changed_cb, self);
      g_clear_weak_pointer (&self->watched_application);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_REQUEST_PAGE);

  G_OBJECT_CLASS (od_request_page_parent_class)->dispose (object);
}

static void
od_request_page_finalize (GObject *object)
{
  OdRequestPage *self = OD_REQUEST_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error_rows, g_hash_table_unref);
  g_clear_pointer (&self->own_commands, od_commands_free);

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
  self->cancellable = g_cancellable_new ();
  self->error_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  od_date_time_picker_set_label (self->expiry_picker, _("Expiry"));
  add_error_slot (self, "amount", self->amount_row);
  add_error_slot (self, "description", self->description_row);
  add_error_slot (self, "issuer", self->issuer_row);
  add_error_slot (self, "label", self->label_row);
  add_error_slot (self, "absolute_expiry", self->expiry_row);
  add_error_slot (self, "single_use", self->single_use_row);

  self->valid = FALSE;
  update_action (self);
}
