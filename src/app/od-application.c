/* od-application.c: the application — settings, the command layer and its backend, the payment
 * follower, and the connection state every window shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command layer (OdCommands), its backend and the payment follower are made together from
 * the settings, and replaced together when one of the settings they depend on changes.  A
 * replaced command layer is retired, not freed: a worker thread (od_command_call_async) may
 * still be running a command on it and on its backend, so both live until the application
 * goes.  The follower of a retired layer is stopped (its thread joined) at once.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-application.h"
#include "od-command-task.h"
#include "od-preferences-window.h"
#include "od-window.h"

struct _OdApplication
{
  AdwApplication      parent_instance;

  GSettings          *settings;
  OdCommands         *commands;
  /* Command layers replaced after a settings change; a worker thread may still be using one,
   * so they live until the application goes. */
  GPtrArray          *retired_commands;

  /* Of the current command layer. */
  OdBackend          *backend;
  OdPaymentFollower  *follower;
  GCancellable       *connect_cancellable;
  GCancellable       *sync_cancellable;

  OdBackendState      state;
  char               *connection_error;
  /* The settings describe a node configuration that is not valid (nothing can be created). */
  char               *config_error;
  char               *blocked_reason;
  guint               backoff_seconds;
  /* When the follower tries again (monotonic µs), 0 when it is not waiting. */
  gint64              next_retry;
  gboolean            can_create;
  guint               rebuild_id;
};

G_DEFINE_FINAL_TYPE (OdApplication, od_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_CONNECTION_STATE,
  PROP_CONNECTION_ERROR,
  PROP_BACKOFF_SECONDS,
  PROP_CAN_CREATE,
  N_PROPS
};

enum {
  PAYMENT_RECEIVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const backend_keys[] = {
  "backend",
  "backend-socket-path",
  "backend-rest-url",
  "backend-rest-certificate",
  "backend-rest-fingerprint",
};

/* ---- connection state ---- */

static void
on_sync_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = od_command_call_finish (result, &error);
  if (node == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not bring the history in line with the node: %s", error->message);
}

/* Each time the node is reached again (and at start): list its offers and invoice requests.
 * Listing stores what the node made that the history lacks (an offer whose answer was lost
 * with the connection, even across a restart) and brings active/used in line with the node
 * (an offer disabled or paid while the till was away).  The history notices by itself. */
static void
od_application_sync_with_node (OdApplication *self)
{
  static const char * const methods[] = { "listoffers", "listinvoicerequests" };

  if (self->commands == NULL || self->backend == NULL || !od_backend_is_node (self->backend))
    return;

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  self->sync_cancellable = g_cancellable_new ();
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    od_command_call_async (self->commands, methods[i], NULL, self->sync_cancellable,
                           on_sync_listed_cb, NULL);
}

static void
od_application_update_connection (OdApplication  *self,
                                  OdBackendState  state,
                                  const char     *error)
{
  g_autofree char *reason = NULL;
  gboolean can_create;

  g_assert (OD_IS_APPLICATION (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_STATE]);
      if (state == OD_BACKEND_STATE_CONNECTED)
        od_application_sync_with_node (self);
    }

  if (state == OD_BACKEND_STATE_CONNECTED)
    error = NULL;
  if (self->config_error != NULL)
    error = self->config_error;
  if (g_strcmp0 (self->connection_error, error) != 0)
    {
      g_free (self->connection_error);
      self->connection_error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ERROR]);
    }

  if (self->config_error != NULL)
    /* translators: %s says what is wrong in the node settings */
    reason = g_strdup_printf (_("The node settings are not valid: %s"), self->config_error);
  else if (state == OD_BACKEND_STATE_CONNECTING)
    reason = g_strdup (_("Connecting to the node…"));
  else if (state == OD_BACKEND_STATE_DISCONNECTED && self->connection_error != NULL)
    /* translators: %s is why the node cannot be reached, e.g. "Connection refused" */
    reason = g_strdup_printf (_("Cannot reach the node: %s"), self->connection_error);
  else if (state == OD_BACKEND_STATE_DISCONNECTED)
    reason = g_strdup (_("Cannot reach the node"));

  g_free (self->blocked_reason);
  self->blocked_reason = g_steal_pointer (&reason);

  can_create = self->blocked_reason == NULL;
  if (self->can_create != can_create)
    {
      self->can_create = can_create;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CREATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

/* The backend notifies "state" on the context it was made on (this thread's: an idle source,
 * never from the worker thread that made the call). */
static void
on_backend_state_cb (OdApplication *self,
                     GParamSpec    *pspec,
                     OdBackend     *backend)
{
  OdBackendState state;

  if (backend != self->backend || !od_backend_is_node (backend))
    return;

  state = od_backend_get_state (backend);
  od_application_update_connection (self, state, self->connection_error);

  /* A node that answers calls again: the follower need not wait out its backoff. */
  if (state == OD_BACKEND_STATE_CONNECTED && self->follower != NULL &&
      od_payment_follower_get_state (self->follower) == OD_BACKEND_STATE_DISCONNECTED)
    od_payment_follower_retry_now (self->follower);
}

/* The follower reports its wait with each state it posts: the deadline is counted from then. */
static void
od_application_update_next_retry (OdApplication     *self,
                                  OdPaymentFollower *follower)
{
  guint seconds = 0;

  g_object_get (follower, "backoff-seconds", &seconds, NULL);
  if (od_payment_follower_get_state (follower) == OD_BACKEND_STATE_DISCONNECTED && seconds > 0)
    self->next_retry = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  else
    self->next_retry = 0;
}

static void
on_follower_state_cb (OdApplication     *self,
                      GParamSpec        *pspec,
                      OdPaymentFollower *follower)
{
  if (follower != self->follower || self->backend == NULL || !od_backend_is_node (self->backend))
    return;

  od_application_update_next_retry (self, follower);

  od_application_update_connection (self,
                                    od_payment_follower_get_state (follower),
                                    od_payment_follower_get_last_error (follower));
}

static void
on_follower_backoff_cb (OdApplication     *self,
                        GParamSpec        *pspec,
                        OdPaymentFollower *follower)
{
  guint seconds = 0;

  if (follower != self->follower)
    return;

  od_application_update_next_retry (self, follower);
  g_object_get (follower, "backoff-seconds", &seconds, NULL);
  if (seconds != self->backoff_seconds)
    {
      self->backoff_seconds = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_SECONDS]);
    }
}

static void
on_payment_received_cb (OdApplication     *self,
                        const OdPayment   *payment,
                        OdPaymentFollower *follower)
{
  if (follower != self->follower || payment == NULL)
    return;

  g_signal_emit (self, signals[PAYMENT_RECEIVED], 0, payment);
}

static void
on_connect_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(OdApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_get_cancellable (G_TASK (result)) == self->connect_cancellable)
    g_clear_object (&self->connect_cancellable);

  if (!od_backend_connect_finish (OD_BACKEND (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          OD_BACKEND (object) != self->backend)
        return;
      od_application_update_connection (self, OD_BACKEND_STATE_DISCONNECTED, error->message);
      return;
    }

  if (OD_BACKEND (object) == self->backend)
    od_application_update_connection (self, OD_BACKEND_STATE_CONNECTED, NULL);
}

/* getinfo in a worker thread: the node's id and alias, and a state to show at once (the
 * follower's first call may wait a long time for a payment). */
static void
od_application_connect (OdApplication *self)
{
  g_assert (OD_IS_APPLICATION (self));

  if (self->backend == NULL || !od_backend_is_node (self->backend))
    return;

  /* One at a time: the one running will tell.  (Cancelling it here would make the backend
   * report DISCONNECTED from this very call.) */
  if (self->connect_cancellable != NULL)
    return;

  self->connect_cancellable = g_cancellable_new ();

  /* The task holds the backend: it stays alive for the call even if replaced meanwhile. */
  od_backend_connect_async (self->backend, self->connect_cancellable, on_connect_cb,
                            g_object_ref (self));
}

/* ---- the command layer ---- */

static void
od_application_retire_commands (OdApplication *self)
{
  g_assert (OD_IS_APPLICATION (self));

  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);

  if (self->follower != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->follower, self);
      /* Joins its thread: nothing of it runs on the retired layer afterwards. */
      od_payment_follower_stop (self->follower);
      g_clear_object (&self->follower);
    }

  if (self->backend != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->backend, self);
      g_clear_object (&self->backend);
    }

  g_clear_pointer (&self->config_error, g_free);

  if (self->commands != NULL)
    g_ptr_array_add (self->retired_commands, g_steal_pointer (&self->commands));
}

static gboolean
od_application_rebuild_cb (gpointer user_data)
{
  OdApplication *self = user_data;

  self->rebuild_id = 0;
  od_application_get_commands (self);

  return G_SOURCE_REMOVE;
}

static void
on_settings_changed_cb (OdApplication *self,
                        const char    *key,
                        GSettings     *settings)
{
  gboolean rebuild = g_strcmp0 (key, "network") == 0 || g_strcmp0 (key, "data-dir") == 0;

  g_assert (OD_IS_APPLICATION (self));

  for (guint i = 0; i < G_N_ELEMENTS (backend_keys); i++)
    rebuild |= g_strcmp0 (key, backend_keys[i]) == 0;

  if (!rebuild)
    return;

  od_application_retire_commands (self);

  /* The new layer at once (its follower should run without waiting for a window to ask), but
   * once for several keys changed together. */
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (od_application_rebuild_cb, self);
}

static char *
nonempty_string (GSettings  *settings,
                 const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_strstrip (value);
  if (value[0] == '\0')
    return NULL;

  return g_steal_pointer (&value);
}

/**
 * od_application_dup_data_dir:
 *
 * Returns: (transfer full): OFFERDESK_DATA_DIR, else the data-dir setting, else
 * $XDG_DATA_HOME/offerdesk
 */
char *
od_application_dup_data_dir (OdApplication *self)
{
  const char *env = g_getenv ("OFFERDESK_DATA_DIR");
  g_autofree char *setting = NULL;

  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  setting = g_settings_get_string (self->settings, "data-dir");
  if (setting[0] != '\0')
    return g_steal_pointer (&setting);

  return g_build_filename (g_get_user_data_dir (), "offerdesk", NULL);
}

/**
 * od_application_dup_backend_config:
 *
 * Returns: (transfer full) (nullable): the backend configuration of the settings, validated
 */
OdBackendConfig *
od_application_dup_backend_config (OdApplication  *self,
                                   GError        **error)
{
  g_autoptr(OdBackendConfig) config = NULL;
  g_autofree char *kind_name = NULL;
  OdBackendKind kind;

  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  kind_name = g_settings_get_string (self->settings, "backend");
  if (!od_backend_kind_from_string (kind_name, &kind))
    {
      g_set_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                   "Unknown backend “%s”", kind_name);
      return NULL;
    }

  config = od_backend_config_new (kind);
  if (kind == OD_BACKEND_KIND_SOCKET)
    {
      config->socket_path = nonempty_string (self->settings, "backend-socket-path");
    }
  else if (kind == OD_BACKEND_KIND_REST)
    {
      config->url = nonempty_string (self->settings, "backend-rest-url");
      config->pinned_cert_path = nonempty_string (self->settings, "backend-rest-certificate");
      config->pinned_sha256 = nonempty_string (self->settings, "backend-rest-fingerprint");

      if (config->url != NULL)
        {
          g_autofree char *data_dir = od_application_dup_data_dir (self);
          g_autoptr(GError) lookup_error = NULL;

          config->rune = od_secret_lookup_rune (data_dir, config->url, &lookup_error);
          if (lookup_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&lookup_error));
              return NULL;
            }
        }
    }

  if (!od_backend_config_validate (config, error))
    return NULL;

  return g_steal_pointer (&config);
}

/* ---- actions ---- */

static void
od_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  OdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  OdPreferencesWindow *preferences;

  preferences = od_preferences_window_new (self, parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
od_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  static const char *developers[] = { "The Offerdesk contributors", NULL };
  OdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("Offerdesk"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Make Lightning BOLT 12 offers and refunds at the counter"),
                         "developer-name", _("The Offerdesk contributors"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
od_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  OdApplication *self = user_data;
  GList *windows;

  /* Closing (not destroying) the windows lets the main window save its size; closing one
   * may destroy another, hence the references. */
  windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                              (GCopyFunc) g_object_ref, NULL);
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);

  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "preferences", od_application_preferences_action },
  { "about", od_application_about_action },
  { "quit", od_application_quit_action },
};

/* ---- GApplication ---- */

static void
od_application_activate (GApplication *application)
{
  OdApplication *self = OD_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL || !OD_IS_WINDOW (window))
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

      window = NULL;
      for (const GList *l = windows; l != NULL; l = l->next)
        if (OD_IS_WINDOW (l->data))
          {
            window = l->data;
            break;
          }
    }

  if (window == NULL)
    window = GTK_WINDOW (od_window_new (self));

  gtk_window_present (window);
}

static void
od_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  OdApplication *self = OD_APPLICATION (application);

  G_APPLICATION_CLASS (od_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  /* A node backend starts following payments before any window asks for anything. */
  od_application_get_commands (self);
}

static void
od_application_shutdown (GApplication *application)
{
  OdApplication *self = OD_APPLICATION (application);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->follower != NULL)
    od_payment_follower_stop (self->follower);

  G_APPLICATION_CLASS (od_application_parent_class)->shutdown (application);
}

/* ---- GObject ---- */

static void
od_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  OdApplication *self = OD_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION_STATE:
      g_value_set_uint (value, self->state);
      break;

    case PROP_CONNECTION_ERROR:
      g_value_set_string (value, self->connection_error);
      break;

    case PROP_BACKOFF_SECONDS:
      g_value_set_uint (value, self->backoff_seconds);
      break;

    case PROP_CAN_CREATE:
      g_value_set_boolean (value, self->can_create);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_application_dispose (GObject *object)
{
  OdApplication *self = OD_APPLICATION (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  od_application_retire_commands (self);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (od_application_parent_class)->dispose (object);
}

static void
od_application_finalize (GObject *object)
{
  OdApplication *self = OD_APPLICATION (object);

  g_clear_pointer (&self->commands, od_commands_free);
  g_clear_pointer (&self->retired_commands, g_ptr_array_unref);
  g_clear_pointer (&self->connection_error, g_free);
  g_clear_pointer (&self->config_error, g_free);
  g_clear_pointer (&self->blocked_reason, g_free);

  G_OBJECT_CLASS (od_application_parent_class)->finalize (object);
}

static void
od_application_class_init (OdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = od_application_get_property;
  object_class->dispose = od_application_dispose;
  object_class->finalize = od_application_finalize;

  application_class->activate = od_application_activate;
  application_class->startup = od_application_startup;
  application_class->shutdown = od_application_shutdown;

  properties[PROP_CONNECTION_STATE] =
    g_param_spec_uint ("connection-state", NULL, NULL,
                       OD_BACKEND_STATE_DISCONNECTED, OD_BACKEND_STATE_CONNECTED,
                       OD_BACKEND_STATE_CONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION_ERROR] =
    g_param_spec_string ("connection-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BACKOFF_SECONDS] =
    g_param_spec_uint ("backoff-seconds", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_CREATE] =
    g_param_spec_boolean ("can-create", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PAYMENT_RECEIVED] =
    g_signal_new ("payment-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
od_application_init (OdApplication *self)
{
  self->settings = g_settings_new (SCHEMA_ID);
  self->retired_commands = g_ptr_array_new_with_free_func ((GDestroyNotify) od_commands_free);
  self->state = OD_BACKEND_STATE_CONNECTED;
  self->can_create = TRUE;

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_settings_changed_cb), self, G_CONNECT_SWAPPED);
}

/* ---- public API ---- */

OdApplication *
od_application_new (void)
{
  return g_object_new (OD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/offerdesk/Offerdesk",
                       NULL);
}

static void
od_application_make_commands (OdApplication *self)
{
  g_autofree char *data_dir = od_application_dup_data_dir (self);
  g_autofree char *network = g_settings_get_string (self->settings, "network");
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(OdBackend) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (self->commands == NULL);

  self->commands = od_commands_new (data_dir, network);
  if (self->commands == NULL)
    {
      g_warning ("Unknown network “%s”, using bitcoin", network);
      self->commands = od_commands_new (data_dir, "bitcoin");
    }

  /* Settings written by the preferences are valid; these may come from elsewhere (dconf).
   * An invalid node configuration is not replaced by the embedded signer behind the
   * merchant's back: creating stays off and the windows say why. */
  config = od_application_dup_backend_config (self, &error);
  if (config != NULL && config->kind != OD_BACKEND_KIND_LOCAL)
    node = od_backend_new_for_config (config, self->commands, &error);
  if (node != NULL)
    od_commands_set_backend (self->commands, node);
  else if (error != NULL)
    self->config_error = g_strdup (error->message);

  self->backend = g_object_ref (od_commands_get_backend (self->commands));
  g_signal_connect_object (self->backend, "notify::state",
                           G_CALLBACK (on_backend_state_cb), self, G_CONNECT_SWAPPED);

  self->follower = od_payment_follower_new (self->commands);
  g_signal_connect_object (self->follower, "payment-received",
                           G_CALLBACK (on_payment_received_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->follower, "notify::state",
                           G_CALLBACK (on_follower_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->follower, "notify::last-error",
                           G_CALLBACK (on_follower_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->follower, "notify::backoff-seconds",
                           G_CALLBACK (on_follower_backoff_cb), self, G_CONNECT_SWAPPED);

  if (od_backend_is_node (self->backend))
    {
      od_application_update_connection (self, OD_BACKEND_STATE_CONNECTING, NULL);
      od_payment_follower_start (self->follower);
      od_application_connect (self);
    }
  else
    {
      od_application_update_connection (self, OD_BACKEND_STATE_CONNECTED, NULL);
    }
}

/**
 * od_application_get_commands:
 *
 * Returns: (transfer none): the command layer for the current data directory, network and
 * backend.  It is replaced when one of their settings changes; the old one stays valid (for
 * calls still running) until the application is finalized.
 */
OdCommands *
od_application_get_commands (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  if (self->commands == NULL)
    od_application_make_commands (self);

  return self->commands;
}

GSettings *
od_application_get_settings (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * od_application_get_payment_follower:
 *
 * Returns: (transfer none): the payment follower of the current command layer
 */
OdPaymentFollower *
od_application_get_payment_follower (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  od_application_get_commands (self);

  return self->follower;
}

/**
 * od_application_get_backend:
 *
 * Returns: (transfer none): the backend of the current command layer
 */
OdBackend *
od_application_get_backend (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  od_application_get_commands (self);

  return self->backend;
}

OdBackendState
od_application_get_connection_state (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), OD_BACKEND_STATE_DISCONNECTED);

  return self->state;
}

const char *
od_application_get_connection_error (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  return self->connection_error;
}

guint
od_application_get_backoff_seconds (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), 0);

  return self->backoff_seconds;
}

/**
 * od_application_get_next_retry:
 *
 * Returns: when the payment follower tries the node again (g_get_monotonic_time() µs), or 0
 * when it is not waiting
 */
gint64
od_application_get_next_retry (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), 0);

  return self->next_retry;
}

gboolean
od_application_get_can_create (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), FALSE);

  return self->can_create;
}

const char *
od_application_get_create_blocked_reason (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  return self->blocked_reason;
}

/**
 * od_application_retry_connection:
 *
 * Tries the node again now: the follower skips the rest of its backoff, and getinfo is called
 * (its answer updates the connection state).
 */
void
od_application_retry_connection (OdApplication *self)
{
  g_return_if_fail (OD_IS_APPLICATION (self));

  od_application_get_commands (self);
  if (self->backend == NULL || !od_backend_is_node (self->backend))
    return;

  self->next_retry = 0;
  od_application_update_connection (self, OD_BACKEND_STATE_CONNECTING, self->connection_error);
  od_payment_follower_retry_now (self->follower);
  od_application_connect (self);
}
