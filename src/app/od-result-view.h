/* od-result-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OD_TYPE_RESULT_VIEW (od_result_view_get_type ())

G_DECLARE_FINAL_TYPE (OdResultView, od_result_view, OD, RESULT_VIEW, AdwBin)

G_END_DECLS
