/* od-request-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-request-page.h"

struct _OdRequestPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (OdRequestPage, od_request_page, ADW_TYPE_BIN)

static void
od_request_page_class_init (OdRequestPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-request-page.ui");
}

static void
od_request_page_init (OdRequestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
