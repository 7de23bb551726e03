/* od-offer-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-offer-page.h"

struct _OdOfferPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (OdOfferPage, od_offer_page, ADW_TYPE_BIN)

static void
od_offer_page_class_init (OdOfferPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-offer-page.ui");
}

static void
od_offer_page_init (OdOfferPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
