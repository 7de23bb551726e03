/* od-command-task.h: od_commands_call() in a worker thread, the result on the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "od-commands.h"

G_BEGIN_DECLS

/* params: a JSON object (or array, or NULL), taken as a new ref.  commands must outlive the
 * call (OdCommands is thread-safe).  The callback runs on the thread-default main context of
 * the caller. */
void      od_command_call_async  (OdCommands          *commands,
                                  const char          *method,
                                  JsonNode            *params,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
/* The result (free with json_node_unref), or NULL with a GError in OD_ERROR: code = Core
 * Lightning's code, message = its message. */
JsonNode *od_command_call_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
