/* od-form-rows.c: pieces the offer and request forms share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "od-application.h"
#include "od-command-task.h"
#include "od-form-rows.h"
#include "od-window.h"

#define VALIDATE_DELAY_MS 150

struct _OdDateTimePicker
{
  GtkWidget      parent_instance;

  GtkWidget     *box;
  GtkMenuButton *date_button;
  GtkCalendar   *calendar;
  GtkSpinButton *hour_spin;
  GtkSpinButton *minute_spin;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OdDateTimePicker, od_date_time_picker, GTK_TYPE_WIDGET)

static void
update_date_label (OdDateTimePicker *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  /* translators: the date on the button that opens the calendar, see g_date_time_format() */
  g_autofree char *text = g_date_time_format (date, _("%a %e %b %Y"));

  gtk_menu_button_set_label (self->date_button, g_strstrip (text));
}

static void
on_calendar_day_selected_cb (OdDateTimePicker *self)
{
  update_date_label (self);
  gtk_menu_button_popdown (self->date_button);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_spin_value_changed_cb (OdDateTimePicker *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Two digits, like a clock. */
static gboolean
on_spin_output_cb (GtkSpinButton *spin)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static GtkSpinButton *
clock_spin (OdDateTimePicker *self,
            int               max)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, max, 1);

  gtk_spin_button_set_wrap (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (spin), GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 2);
  g_signal_connect (spin, "output", G_CALLBACK (on_spin_output_cb), NULL);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_spin_value_changed_cb), self);

  return GTK_SPIN_BUTTON (spin);
}

static void
od_date_time_picker_dispose (GObject *object)
{
  OdDateTimePicker *self = OD_DATE_TIME_PICKER (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (od_date_time_picker_parent_class)->dispose (object);
}

static void
od_date_time_picker_class_init (OdDateTimePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_date_time_picker_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "datetimepicker");
}

static void
od_date_time_picker_init (OdDateTimePicker *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  GtkWidget *popover;
  GtkWidget *colon;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_valign (self->box, GTK_ALIGN_CENTER);

  self->calendar = GTK_CALENDAR (gtk_calendar_new ());
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->calendar));
  self->date_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_popover (self->date_button, popover);
  gtk_widget_set_valign (GTK_WIDGET (self->date_button), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->date_button));

  self->hour_spin = clock_spin (self, 23);
  self->minute_spin = clock_spin (self, 59);
  colon = gtk_label_new (":");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->hour_spin));
  gtk_box_append (GTK_BOX (self->box), colon);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->minute_spin));

  /* Tomorrow at noon: a sensible first choice for an expiry. */
  {
    g_autoptr(GDateTime) noon = g_date_time_new_local (g_date_time_get_year (tomorrow),
                                                       g_date_time_get_month (tomorrow),
                                                       g_date_time_get_day_of_month (tomorrow),
                                                       12, 0, 0);

    od_date_time_picker_set_date_time (self, noon);
  }
  g_signal_connect_swapped (self->calendar, "day-selected",
                            G_CALLBACK (on_calendar_day_selected_cb), self);
  od_date_time_picker_set_label (self, _("Date and time"));
}

GtkWidget *
od_date_time_picker_new (void)
{
  return g_object_new (OD_TYPE_DATE_TIME_PICKER, NULL);
}

void
od_date_time_picker_set_date_time (OdDateTimePicker *self,
                                   GDateTime        *date_time)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (OD_IS_DATE_TIME_PICKER (self));
  g_return_if_fail (date_time != NULL);

  local = g_date_time_to_local (date_time);
  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  update_date_label (self);
}

gint64
od_date_time_picker_get_unix (OdDateTimePicker *self)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (OD_IS_DATE_TIME_PICKER (self), 0);

  date = gtk_calendar_get_date (self->calendar);
  local = g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                                 g_date_time_get_day_of_month (date),
                                 gtk_spin_button_get_value_as_int (self->hour_spin),
                                 gtk_spin_button_get_value_as_int (self->minute_spin), 0);
  if (local == NULL)
    return 0;

  return g_date_time_to_unix (local);
}

void
od_date_time_picker_set_label (OdDateTimePicker *self,
                               const char       *label)
{
  g_autofree char *date = NULL;
  g_autofree char *hour = NULL;
  g_autofree char *minute = NULL;

  g_return_if_fail (OD_IS_DATE_TIME_PICKER (self));

  /* translators: %s is a field such as "Expiry" */
  date = g_strdup_printf (_("%s date"), label);
  /* translators: %s is a field such as "Expiry" */
  hour = g_strdup_printf (_("%s hour"), label);
  /* translators: %s is a field such as "Expiry" */
  minute = g_strdup_printf (_("%s minute"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->date_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, date, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->hour_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, hour, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->minute_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, minute, -1);
}

/* ---- error rows ---- */

GtkWidget *
od_form_error_row_new (GtkWidget *row)
{
  GtkWidget *parent = gtk_widget_get_parent (row);
  GtkWidget *error_row;
  GtkWidget *label;

  g_return_val_if_fail (GTK_IS_LIST_BOX_ROW (row), NULL);
  g_return_val_if_fail (GTK_IS_LIST_BOX (parent), NULL);

  label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "form-error");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);

  error_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (error_row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (error_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (error_row), FALSE);
  gtk_widget_set_focusable (error_row, FALSE);
  gtk_widget_add_css_class (error_row, "form-error-row");
  gtk_widget_set_visible (error_row, FALSE);
  gtk_list_box_insert (GTK_LIST_BOX (parent), error_row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);

  return error_row;
}

void
od_form_error_row_set (GtkWidget  *error_row,
                       GtkWidget  *row,
                       const char *message)
{
  GtkWidget *label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));
  gboolean show = message != NULL && message[0] != '\0';

  gtk_label_set_text (GTK_LABEL (label), show ? message : "");
  gtk_widget_set_visible (error_row, show);
  if (row == NULL)
    return;
  if (show)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

const char *
od_form_error_row_get (GtkWidget *error_row)
{
  GtkWidget *label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));

  if (!gtk_widget_get_visible (error_row))
    return NULL;

  return gtk_label_get_text (GTK_LABEL (label));
}

char *
od_form_error_param (const char *message)
{
  static const struct
  {
    const char *words;
    const char *param;
  } bolt12_rules[] = {
    { "amount", "amount" },
    { "currency", "amount" },
    { "recurrence period", "recurrence" },
    { "recurrence limit", "recurrence_limit" },
    { "paywindow", "recurrence_paywindow" },
    { "recurrence", "recurrence" },
    { "description", "description" },
    { "issuer", "issuer" },
    { "expiry", "absolute_expiry" },
    { "quantity", "quantity_max" },
  };
  const char *colon;

  if (message == NULL)
    return NULL;
  if (g_str_has_prefix (message, "missing required parameter: "))
    return g_strdup (message + strlen ("missing required parameter: "));
  if (g_str_has_prefix (message, "unknown parameter: "))
    return NULL;
  colon = strstr (message, ": ");
  if (colon == NULL || strchr (message, ' ') < colon)
    return NULL;
  if (strncmp (message, "bolt12", (gsize) (colon - message)) == 0)
    {
      g_autofree char *lower = g_ascii_strdown (colon + 2, -1);

      for (guint i = 0; i < G_N_ELEMENTS (bolt12_rules); i++)
        if (strstr (lower, bolt12_rules[i].words) != NULL)
          return g_strdup (bolt12_rules[i].param);
      return NULL;
    }

  return g_strndup (message, (gsize) (colon - message));
}

/* ---- OdFormCreate ---- */

typedef struct
{
  GtkWidget *row;
  GtkWidget *error_row;
} ErrorSlot;

struct _OdFormCreate
{
  GtkWidget              *page;                /* not owned: the page owns the form */
  const OdFormCreateInfo *info;
  GtkWidget              *create_button;
  GtkLabel               *general_error_label;

  OdCommands             *own_commands;        /* without a window or application */
  GHashTable             *error_rows;          /* param name -> ErrorSlot */
  GCancellable           *cancellable;
  guint                   validate_id;
  gboolean                valid;
  gboolean                busy;
  /* The application whose connection state is followed (not owned). */
  OdApplication          *watched_application;
};

OdCommands *
od_form_create_get_commands (OdFormCreate *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (self->page, OD_TYPE_WINDOW);
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

/* The application of the window the page is in, or the default one; NULL on its own. */
static OdApplication *
get_application (OdFormCreate *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (self->page, OD_TYPE_WINDOW);
  GApplication *application = NULL;

  if (window != NULL)
    application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  if (!OD_IS_APPLICATION (application))
    application = g_application_get_default ();

  return OD_IS_APPLICATION (application) ? OD_APPLICATION (application) : NULL;
}

/* Why creating is off although the form is fine (the node cannot be reached), or NULL. */
static const char *
get_blocked_reason (OdFormCreate *self)
{
  OdApplication *application = get_application (self);

  return application != NULL ? od_application_get_create_blocked_reason (application) : NULL;
}

static void
update_action (OdFormCreate *self)
{
  const char *blocked = get_blocked_reason (self);

  /* Only the button goes insensitive: whatever was typed stays for when the node is back. */
  gtk_widget_action_set_enabled (self->page, self->info->action_name,
                                 self->valid && !self->busy && blocked == NULL);
  gtk_widget_set_tooltip_text (self->create_button, blocked);
}

static void
on_can_create_changed_cb (OdFormCreate  *self,
                          GParamSpec    *pspec,
                          OdApplication *application)
{
  update_action (self);
  /* A create that failed while the node was away left the form marked invalid: check again. */
  if (get_blocked_reason (self) == NULL)
    od_form_create_schedule_check (self);
}

static void
unwatch_application (OdFormCreate *self)
{
  if (self->watched_application == NULL)
    return;

  g_signal_handlers_disconnect_by_func (self->watched_application,
                                        on_can_create_changed_cb, self);
  g_clear_weak_pointer (&self->watched_application);
}

static void
watch_application (OdFormCreate *self)
{
  OdApplication *application = get_application (self);

  if (application == NULL || application == self->watched_application)
    return;

  unwatch_application (self);
  g_set_weak_pointer (&self->watched_application, application);
  /* Disconnected by the page's dispose (od_form_create_dispose()), as the form dies with it. */
  g_signal_connect_swapped (application, "notify::can-create",
                            G_CALLBACK (on_can_create_changed_cb), self);
  g_signal_connect_swapped (application, "notify::connection-error",
                            G_CALLBACK (on_can_create_changed_cb), self);
  update_action (self);
}

static void
clear_errors (OdFormCreate *self)
{
  GHashTableIter iter;
  ErrorSlot *slot;

  g_hash_table_iter_init (&iter, self->error_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &slot))
    od_form_error_row_set (slot->error_row, slot->row, NULL);
  gtk_label_set_text (self->general_error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->general_error_label), FALSE);
}

/* Shows a command's message under the row of the parameter it names, or under the form. */
static void
show_error (OdFormCreate *self,
            const char   *message)
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
validate (OdFormCreate *self)
{
  g_autoptr(JsonNode) params = self->info->build_params (self->page);
  g_autoptr(GError) error = NULL;
  gboolean pristine = self->info->is_pristine (self->page);

  if (self->info->before_check != NULL)
    self->info->before_check (self->page);
  self->valid = od_commands_check (od_form_create_get_commands (self), self->info->command,
                                   params, &error);
  if (self->valid || pristine)
    clear_errors (self);
  else
    show_error (self, error->message);
  update_action (self);
}

static gboolean
validate_timeout_cb (gpointer data)
{
  OdFormCreate *self = data;

  self->validate_id = 0;
  validate (self);

  return G_SOURCE_REMOVE;
}

void
od_form_create_schedule_check (OdFormCreate *self)
{
  /* Until the check has run, the old result no longer holds. */
  self->valid = FALSE;
  update_action (self);
  g_clear_handle_id (&self->validate_id, g_source_remove);
  self->validate_id = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout_cb, self);
}

void
od_form_create_activate (OdFormCreate *self)
{
  /* Enter: create at once if the form is valid (the pending check runs now). */
  if (self->validate_id != 0)
    {
      g_clear_handle_id (&self->validate_id, g_source_remove);
      validate (self);
    }
  if (self->valid && !self->busy)
    gtk_widget_activate_action (self->page, self->info->action_name, NULL);
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  OdFormCreate *self = user_data;
  /* The reference od_form_create_run() took keeps the page, and so the form, alive. */
  g_autoptr(GtkWidget) page = self->page;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  node = od_command_call_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  window = gtk_widget_get_ancestor (page, OD_TYPE_WINDOW);
  if (node == NULL)
    {
      g_autofree char *toast = NULL;

      show_error (self, error->message);
      self->valid = FALSE;
      update_action (self);
      toast = self->info->failure_toast (error->message);
      if (window != NULL)
        od_window_add_toast (OD_WINDOW (window), toast);
      return;
    }

  if (window != NULL && JSON_NODE_HOLDS_OBJECT (node))
    od_window_show_result (OD_WINDOW (window), json_node_get_object (node));
  self->info->reset (page);
  od_form_create_schedule_check (self);
}

void
od_form_create_run (OdFormCreate *self)
{
  g_autoptr(JsonNode) params = NULL;

  if (self->busy || !self->valid || get_blocked_reason (self) != NULL)
    return;

  params = self->info->build_params (self->page);
  self->busy = TRUE;
  update_action (self);
  g_object_ref (self->page);
  od_command_call_async (od_form_create_get_commands (self), self->info->command, params,
                         self->cancellable, create_done_cb, self);
}

void
od_form_create_add_error_row (OdFormCreate *self,
                              const char   *param,
                              gpointer      row)
{
  ErrorSlot *slot = g_new0 (ErrorSlot, 1);

  slot->row = GTK_WIDGET (row);
  slot->error_row = od_form_error_row_new (slot->row);
  g_hash_table_insert (self->error_rows, (gpointer) param, slot);
}

void
od_form_create_map (OdFormCreate *self)
{
  od_form_create_schedule_check (self);
  watch_application (self);
}

OdFormCreate *
od_form_create_new (GtkWidget              *page,
                    const OdFormCreateInfo *info,
                    GtkWidget              *create_button,
                    GtkLabel               *general_error_label)
{
  OdFormCreate *self = g_new0 (OdFormCreate, 1);

  self->page = page;
  self->info = info;
  self->create_button = create_button;
  self->general_error_label = general_error_label;
  self->cancellable = g_cancellable_new ();
  self->error_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->valid = FALSE;
  update_action (self);

  return self;
}

void
od_form_create_dispose (OdFormCreate *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->validate_id, g_source_remove);
  unwatch_application (self);
}

void
od_form_create_free (OdFormCreate *self)
{
  if (self == NULL)
    return;

  od_form_create_dispose (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error_rows, g_hash_table_unref);
  g_clear_pointer (&self->own_commands, od_commands_free);
  g_free (self);
}
