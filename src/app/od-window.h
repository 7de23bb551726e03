/* od-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "od-application.h"
#include "od-commands.h"

G_BEGIN_DECLS

#define OD_TYPE_WINDOW (od_window_get_type ())

G_DECLARE_FINAL_TYPE (OdWindow, od_window, OD, WINDOW, AdwApplicationWindow)

OdWindow   *od_window_new          (OdApplication *application);
/* result: an offer/invoicerequest command result (has "bolt12"). */
void        od_window_show_result  (OdWindow      *self,
                                    JsonObject    *result);
void        od_window_add_toast    (OdWindow      *self,
                                    const char    *text);
/* name: "offer", "request" or "history". */
void        od_window_show_page    (OdWindow      *self,
                                    const char    *name);
OdCommands *od_window_get_commands (OdWindow      *self);

G_END_DECLS
