/* od-request-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OD_TYPE_REQUEST_PAGE (od_request_page_get_type ())

G_DECLARE_FINAL_TYPE (OdRequestPage, od_request_page, OD, REQUEST_PAGE, AdwBin)

G_END_DECLS
