/* od-command-task.c: od_commands_call() in a worker thread, the result on the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-command-task.h"

typedef struct
{
  OdCommands *commands;
  char       *method;
  JsonNode   *params;
} CommandCall;

static void
command_call_free (gpointer data)
{
  CommandCall *call = data;

  g_clear_pointer (&call->method, g_free);
  g_clear_pointer (&call->params, json_node_unref);
  g_free (call);
}

static void
command_call_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CommandCall *call = task_data;
  GError *error = NULL;
  JsonNode *result;

  if (g_task_return_error_if_cancelled (task))
    return;

  result = od_commands_call (call->commands, call->method, call->params, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
}

void
od_command_call_async (OdCommands          *commands,
                       const char          *method,
                       JsonNode            *params,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CommandCall *call;

  g_return_if_fail (commands != NULL);
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (CommandCall, 1);
  call->commands = commands;
  call->method = g_strdup (method);
  call->params = params != NULL ? json_node_ref (params) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, od_command_call_async);
  g_task_set_name (task, "od_command_call_async");
  g_task_set_task_data (task, call, command_call_free);
  g_task_run_in_thread (task, command_call_thread);
}

JsonNode *
od_command_call_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == od_command_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
