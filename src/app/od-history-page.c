/* od-history-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-history-page.h"

struct _OdHistoryPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (OdHistoryPage, od_history_page, ADW_TYPE_BIN)

static void
od_history_page_class_init (OdHistoryPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-history-page.ui");
}

static void
od_history_page_init (OdHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
