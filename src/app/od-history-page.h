/* od-history-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OD_TYPE_HISTORY_PAGE (od_history_page_get_type ())

G_DECLARE_FINAL_TYPE (OdHistoryPage, od_history_page, OD, HISTORY_PAGE, AdwBin)

void od_history_page_focus_search (OdHistoryPage *self);

G_END_DECLS
