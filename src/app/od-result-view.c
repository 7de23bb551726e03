/* od-result-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-result-view.h"

struct _OdResultView
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (OdResultView, od_result_view, ADW_TYPE_BIN)

static void
od_result_view_class_init (OdResultViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-result-view.ui");
}

static void
od_result_view_init (OdResultView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
