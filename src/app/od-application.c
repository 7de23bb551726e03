/* od-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-application.h"
#include "od-preferences-window.h"
#include "od-window.h"

struct _OdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  OdCommands     *commands;
  /* Command layers replaced after a settings change; a worker thread may still be using one,
   * so they live until the application goes. */
  GPtrArray      *retired_commands;
};

G_DEFINE_FINAL_TYPE (OdApplication, od_application, ADW_TYPE_APPLICATION)

static void
od_application_retire_commands (OdApplication *self)
{
  g_assert (OD_IS_APPLICATION (self));

  if (self->commands != NULL)
    g_ptr_array_add (self->retired_commands, g_steal_pointer (&self->commands));
}

static void
on_settings_changed_cb (OdApplication *self,
                        const char    *key,
                        GSettings     *settings)
{
  g_assert (OD_IS_APPLICATION (self));

  if (g_strcmp0 (key, "network") == 0 || g_strcmp0 (key, "data-dir") == 0)
    od_application_retire_commands (self);
}

static char *
od_application_dup_data_dir (OdApplication *self)
{
  const char *env = g_getenv ("OFFERDESK_DATA_DIR");
  g_autofree char *setting = NULL;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  setting = g_settings_get_string (self->settings, "data-dir");
  if (setting[0] != '\0')
    return g_steal_pointer (&setting);

  return g_build_filename (g_get_user_data_dir (), "offerdesk", NULL);
}

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
}

static void
od_application_dispose (GObject *object)
{
  OdApplication *self = OD_APPLICATION (object);

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

  G_OBJECT_CLASS (od_application_parent_class)->finalize (object);
}

static void
od_application_class_init (OdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = od_application_dispose;
  object_class->finalize = od_application_finalize;

  application_class->activate = od_application_activate;
  application_class->startup = od_application_startup;
}

static void
od_application_init (OdApplication *self)
{
  self->settings = g_settings_new (SCHEMA_ID);
  self->retired_commands = g_ptr_array_new_with_free_func ((GDestroyNotify) od_commands_free);

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_settings_changed_cb), self, G_CONNECT_SWAPPED);
}

OdApplication *
od_application_new (void)
{
  return g_object_new (OD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/offerdesk/Offerdesk",
                       NULL);
}

/**
 * od_application_get_commands:
 *
 * Returns: (transfer none): the command layer for the current data directory and network.
 * It is replaced when the network or data-dir setting changes; the old one stays valid (for
 * calls still running) until the application is finalized.
 */
OdCommands *
od_application_get_commands (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  if (self->commands == NULL)
    {
      g_autofree char *data_dir = od_application_dup_data_dir (self);
      g_autofree char *network = g_settings_get_string (self->settings, "network");

      self->commands = od_commands_new (data_dir, network);
      if (self->commands == NULL)
        {
          g_warning ("Unknown network “%s”, using bitcoin", network);
          self->commands = od_commands_new (data_dir, "bitcoin");
        }
    }

  return self->commands;
}

GSettings *
od_application_get_settings (OdApplication *self)
{
  g_return_val_if_fail (OD_IS_APPLICATION (self), NULL);

  return self->settings;
}
