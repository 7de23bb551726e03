/* od-form-rows.c: pieces the offer and request forms share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "od-form-rows.h"

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
