/* od-customer-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-customer-window.h"
#include "od-format.h"
#include "od-qr-code.h"

struct _OdCustomerWindow
{
  AdwWindow     parent_instance;

  GtkLabel     *amount_label;
  GtkLabel     *description_label;
  AdwHeaderBar *header_bar;
  GtkLabel     *paid_amount_label;
  GtkLabel     *paid_title_label;
  GtkPicture   *qr_picture;
  GtkLabel     *recurrence_label;
  GtkLabel     *shop_label;
  GtkStack     *stack;
};

G_DEFINE_FINAL_TYPE (OdCustomerWindow, od_customer_window, ADW_TYPE_WINDOW)

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static gboolean
get_uppercase (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    return TRUE;

  settings = g_settings_new (SCHEMA_ID);

  return g_settings_get_boolean (settings, "qr-uppercase");
}

static void
on_fullscreened_changed_cb (OdCustomerWindow *self,
                            GParamSpec       *pspec,
                            GtkWindow        *window)
{
  /* Full screen, the customer sees nothing of the window. */
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !gtk_window_is_fullscreen (window));
}

static void
od_customer_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), OD_TYPE_CUSTOMER_WINDOW);

  G_OBJECT_CLASS (od_customer_window_parent_class)->dispose (object);
}

static void
od_customer_window_class_init (OdCustomerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_customer_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-customer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, amount_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, description_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, paid_amount_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, paid_title_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, recurrence_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, shop_label);
  gtk_widget_class_bind_template_child (widget_class, OdCustomerWindow, stack);

  /* Leaving full screen is leaving the customer display: Escape, or F11 again. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "window.close", NULL);
}

static void
od_customer_window_init (OdCustomerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "notify::fullscreened",
                    G_CALLBACK (on_fullscreened_changed_cb), self);
}

OdCustomerWindow *
od_customer_window_new (GtkApplication *app)
{
  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);

  return g_object_new (OD_TYPE_CUSTOMER_WINDOW,
                       "application", app,
                       NULL);
}

/**
 * od_customer_window_show_result:
 * @self: a #OdCustomerWindow
 * @decoded: (nullable): the `decode` result of @bolt12
 * @bolt12: the offer or invoice request
 * @shop_name: (nullable): the shop's name
 *
 * Shows @bolt12 as a QR code, with the amount, what it is for and who asks.
 */
void
od_customer_window_show_result (OdCustomerWindow *self,
                                JsonObject       *decoded,
                                const char       *bolt12,
                                const char       *shop_name)
{
  g_autoptr(OdQrCode) qr = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *recurrence = NULL;
  const char *description = NULL;

  g_return_if_fail (OD_IS_CUSTOMER_WINDOW (self));
  g_return_if_fail (bolt12 != NULL);

  qr = od_qr_code_new (bolt12, get_uppercase (), &error);
  if (qr == NULL)
    g_warning ("No QR code for the customer display: %s", error->message);
  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (qr));

  if (shop_name == NULL || *shop_name == '\0')
    shop_name = decoded != NULL
      ? json_object_get_string_member_with_default (decoded, "offer_issuer", NULL)
      : NULL;

  if (decoded != NULL)
    {
      /* The price as the offer states it: a currency amount, or sats. */
      amount = od_format_amount_short (decoded);
      if (amount == NULL)
        amount = g_strdup (_("Any amount"));

      if (json_object_has_member (decoded, "offer_recurrence"))
        {
          JsonObject *object = json_object_get_object_member (decoded, "offer_recurrence");

          if (object != NULL)
            recurrence = od_format_recurrence (object);
        }

      description = json_object_get_string_member_with_default (decoded, "offer_description", NULL);
    }

  set_label (self->shop_label, shop_name);
  set_label (self->amount_label, amount);
  set_label (self->recurrence_label, recurrence);
  set_label (self->description_label, description);

  gtk_stack_set_visible_child_name (self->stack, "qr");
}

/**
 * od_customer_window_show_paid:
 * @self: a #OdCustomerWindow
 * @amount: (nullable): the amount received, formatted
 *
 * Replaces the QR code with a large "Paid — thank you" and @amount, until the next
 * od_customer_window_show_result().
 */
void
od_customer_window_show_paid (OdCustomerWindow *self,
                              const char       *amount)
{
  g_return_if_fail (OD_IS_CUSTOMER_WINDOW (self));

  set_label (self->paid_amount_label, amount);
  gtk_stack_set_visible_child_name (self->stack, "paid");
}

gboolean
od_customer_window_get_paid (OdCustomerWindow *self)
{
  g_return_val_if_fail (OD_IS_CUSTOMER_WINDOW (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "paid") == 0;
}

/**
 * od_customer_window_present_fullscreen:
 * @self: a #OdCustomerWindow
 * @monitor_connector: (nullable): a connector name such as "HDMI-1"
 *
 * Presents @self full screen on that monitor, or on the last one.
 */
void
od_customer_window_present_fullscreen (OdCustomerWindow *self,
                                       const char       *monitor_connector)
{
  g_autoptr(GdkMonitor) monitor = NULL;
  GListModel *monitors;
  guint n;

  g_return_if_fail (OD_IS_CUSTOMER_WINDOW (self));

  monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  n = g_list_model_get_n_items (monitors);

  for (guint i = 0; monitor_connector != NULL && *monitor_connector != '\0' && i < n; i++)
    {
      g_autoptr(GdkMonitor) candidate = g_list_model_get_item (monitors, i);

      if (g_strcmp0 (gdk_monitor_get_connector (candidate), monitor_connector) == 0)
        {
          monitor = g_steal_pointer (&candidate);
          break;
        }
    }

  if (monitor == NULL && n > 0)
    monitor = g_list_model_get_item (monitors, n - 1);

  if (monitor != NULL)
    gtk_window_fullscreen_on_monitor (GTK_WINDOW (self), monitor);
  else
    gtk_window_fullscreen (GTK_WINDOW (self));

  gtk_window_present (GTK_WINDOW (self));
}
