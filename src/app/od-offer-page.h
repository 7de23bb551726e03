/* od-offer-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OD_TYPE_OFFER_PAGE (od_offer_page_get_type ())

G_DECLARE_FINAL_TYPE (OdOfferPage, od_offer_page, OD, OFFER_PAGE, AdwBin)

G_END_DECLS
