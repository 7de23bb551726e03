/* od-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "od-commands.h"

G_BEGIN_DECLS

#define OD_TYPE_APPLICATION (od_application_get_type ())

G_DECLARE_FINAL_TYPE (OdApplication, od_application, OD, APPLICATION, AdwApplication)

OdApplication *od_application_new          (void);
/* The command layer: data dir from OFFERDESK_DATA_DIR, else the data-dir setting, else
 * $XDG_DATA_HOME/offerdesk; network from the network setting (recreated when it changes, so
 * do not keep the pointer across main-loop iterations). */
OdCommands    *od_application_get_commands (OdApplication *self);
GSettings     *od_application_get_settings (OdApplication *self);

G_END_DECLS
