/* od-customer-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-customer-window.h"

struct _OdCustomerWindow
{
  AdwWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (OdCustomerWindow, od_customer_window, ADW_TYPE_WINDOW)

static void
od_customer_window_class_init (OdCustomerWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-customer-window.ui");
}

static void
od_customer_window_init (OdCustomerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
