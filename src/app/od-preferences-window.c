/* od-preferences-window.c: the shop's settings, exchange rates, network and signer, and the
 * Lightning node offers are made by
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The node rows are not bound to the settings: a half-typed URL would make the application
 * rebuild its backend at every key.  Apply checks the whole configuration first
 * (od_backend_config_validate) and writes all the keys at once, or nothing and says why.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-command-task.h"
#include "od-format.h"
#include "od-preferences-window.h"

struct _OdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  GtkButton            *add_rate_button;
  AdwActionRow         *add_rate_row;
  GtkButton            *apply_button;
  AdwComboRow          *backend_row;
  AdwEntryRow          *certificate_row;
  GtkLabel             *data_dir_label;
  AdwEntryRow          *default_currency_row;
  AdwComboRow          *default_unit_row;
  AdwEntryRow          *fingerprint_row;
  AdwComboRow          *network_row;
  AdwActionRow         *no_rates_row;
  AdwActionRow         *node_error_row;
  AdwActionRow         *node_status_row;
  GtkSwitch            *payment_sound_switch;
  GtkSwitch            *qr_uppercase_switch;
  AdwPreferencesGroup  *rates_group;
  GtkEntry             *rate_currency_entry;
  GtkEntry             *rate_msat_entry;
  AdwEntryRow          *rest_url_row;
  AdwPasswordEntryRow  *rune_row;
  AdwEntryRow          *shop_name_row;
  GtkLabel             *signer_id_label;
  AdwActionRow         *signer_row;
  AdwEntryRow          *socket_path_row;
  GtkButton            *test_button;

  GSettings            *settings;
  GCancellable         *cancellable;
  /* The AdwActionRows of the rates listed, in the rates group. */
  GPtrArray            *rate_rows;
  /* The node test running, cancelled by another test or by closing. */
  GCancellable         *test_cancellable;
  GtkFileChooserNative *chooser;
  AdwEntryRow          *chooser_row;
  /* The node rows are being filled from the settings: not an edit. */
  gboolean              loading_node;
};

G_DEFINE_FINAL_TYPE (OdPreferencesWindow, od_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Settings values of the combo rows, in the models' order (see the .ui). */
static const char * const unit_values[] = { "sat", "btc", "msat", "any", "currency", NULL };

static OdCommands *
od_preferences_window_get_commands (OdPreferencesWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!OD_IS_APPLICATION (application))
    return NULL;

  return od_application_get_commands (OD_APPLICATION (application));
}

static gboolean
string_to_index_mapping (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  const char * const *values = user_data;
  const char *string = g_variant_get_string (variant, NULL);

  for (guint i = 0; values[i] != NULL; i++)
    if (g_strcmp0 (values[i], string) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
index_to_string_mapping (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  const char * const *values = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) values))
    return NULL;

  return g_variant_new_string (values[index]);
}

static JsonNode *
params_new (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

/* Exchange rates */

static void
od_preferences_window_set_rates (OdPreferencesWindow *self,
                                 JsonArray           *rates)
{
  guint n = rates != NULL ? json_array_get_length (rates) : 0;

  for (guint i = 0; i < self->rate_rows->len; i++)
    adw_preferences_group_remove (self->rates_group, g_ptr_array_index (self->rate_rows, i));
  g_ptr_array_set_size (self->rate_rows, 0);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *rate = json_array_get_object_element (rates, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *number = NULL;
      const char *currency;
      gint64 msat;
      GtkWidget *row;

      if (rate == NULL)
        continue;

      currency = json_object_get_string_member_with_default (rate, "currency", "?");
      msat = json_object_get_int_member_with_default (rate, "msat_per_unit", 0);
      number = od_format_integer ((guint64) MAX (0, msat));
      /* TRANSLATORS: an exchange rate, e.g. "1 USD = 1,500,000 msat"; the first %s is the
       * currency code, the second the number of millisatoshis, grouped for the locale */
      subtitle = g_strdup_printf (_("1 %s = %s msat"), currency, number);

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), currency);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->rates_group, row);
      g_ptr_array_add (self->rate_rows, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->no_rates_row), self->rate_rows->len == 0);
}

static void
on_listrates_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OdPreferencesWindow) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object_result;
  JsonNode *rates;

  node = od_command_call_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new_format (_("Could not list rates: %s"),
                                                              error->message));
      return;
    }

  object_result = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  rates = object_result != NULL ? json_object_get_member (object_result, "rates") : NULL;
  od_preferences_window_set_rates (self, rates != NULL && JSON_NODE_HOLDS_ARRAY (rates)
                                           ? json_node_get_array (rates)
                                           : NULL);
}

static void
od_preferences_window_reload_rates (OdPreferencesWindow *self)
{
  OdCommands *commands = od_preferences_window_get_commands (self);

  if (commands == NULL)
    return;

  od_command_call_async (commands, "listrates", NULL, self->cancellable,
                         on_listrates_cb, g_object_ref (self));
}

static void
od_preferences_window_set_rate_error (OdPreferencesWindow *self,
                                      const char          *message)
{
  if (message != NULL)
    {
      adw_action_row_set_subtitle (self->add_rate_row, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->add_rate_row), "error");
    }
  else
    {
      adw_action_row_set_subtitle (self->add_rate_row, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->add_rate_row), "error");
    }
}

static void
on_setrate_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(OdPreferencesWindow) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *currency = NULL;

  node = od_command_call_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_rate_row), TRUE);

  if (node == NULL)
    {
      od_preferences_window_set_rate_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->rate_currency_entry));
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    currency = json_object_get_string_member_with_default (json_node_get_object (node),
                                                           "currency", NULL);

  od_preferences_window_set_rate_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->rate_currency_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->rate_msat_entry), "");
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new_format (_("Rate for %s saved"),
                                                          currency != NULL ? currency : ""));
  od_preferences_window_reload_rates (self);
}

static void
on_add_rate_button_clicked_cb (OdPreferencesWindow *self)
{
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *msat = NULL;
  OdCommands *commands;
  JsonObject *object;

  g_assert (OD_IS_PREFERENCES_WINDOW (self));

  commands = od_preferences_window_get_commands (self);
  if (commands == NULL)
    return;

  currency = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rate_currency_entry))));
  msat = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rate_msat_entry))));
  if (currency[0] == '\0' || msat[0] == '\0')
    return;

  /* Passed as tokens, as the CLI does: the command layer checks and reports them. */
  object = json_object_new ();
  json_object_set_string_member (object, "currency", currency);
  json_object_set_string_member (object, "msat_per_unit", msat);
  params = params_new (object);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_rate_row), FALSE);
  od_command_call_async (commands, "setrate", params, self->cancellable,
                         on_setrate_cb, g_object_ref (self));
}

static void
on_rate_entry_changed_cb (OdPreferencesWindow *self)
{
  const char *currency = gtk_editable_get_text (GTK_EDITABLE (self->rate_currency_entry));
  const char *msat = gtk_editable_get_text (GTK_EDITABLE (self->rate_msat_entry));

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_rate_button),
                            currency[0] != '\0' && msat[0] != '\0');
  od_preferences_window_set_rate_error (self, NULL);
}

static void
on_rate_entry_activate_cb (OdPreferencesWindow *self,
                           GtkEntry            *entry)
{
  if (entry == self->rate_currency_entry &&
      gtk_editable_get_text (GTK_EDITABLE (self->rate_msat_entry))[0] == '\0')
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->rate_msat_entry));
      return;
    }

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->add_rate_button)))
    on_add_rate_button_clicked_cb (self);
}

/* Default currency: flag what is not an ISO 4217-shaped code. */
static void
on_default_currency_row_changed_cb (OdPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->default_currency_row));
  gboolean valid = text[0] == '\0' ||
                   (strlen (text) == 3 &&
                    g_ascii_isupper (text[0]) && g_ascii_isupper (text[1]) &&
                    g_ascii_isupper (text[2]));

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->default_currency_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->default_currency_row), "error");
}

/* Signer */

static void
on_getinfo_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(OdPreferencesWindow) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *info;
  const char *backend;

  node = od_command_call_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      adw_action_row_set_subtitle (self->signer_row, _("Unavailable"));
      gtk_label_set_text (self->signer_id_label, "");
      if (error != NULL)
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                          adw_toast_new_format (_("Could not read the signer: %s"),
                                                                error->message));
      return;
    }

  info = json_node_get_object (node);
  backend = json_object_get_string_member_with_default (info, "backend", "");
  if (g_strcmp0 (backend, "embedded") == 0 || backend[0] == '\0')
    {
      adw_action_row_set_subtitle (self->signer_row, _("Embedded key"));
    }
  else
    {
      const char *address = json_object_get_string_member_with_default (info, "backend_address", backend);
      g_autofree char *subtitle = NULL;

      /* translators: %s is where the node is: its socket path or CLNRest address */
      subtitle = g_strdup_printf (_("Core Lightning node at %s"), address);
      adw_action_row_set_subtitle (self->signer_row, subtitle);
    }
  gtk_label_set_text (self->signer_id_label,
                      json_object_get_string_member_with_default (info, "id", ""));
  gtk_label_set_text (self->data_dir_label,
                      json_object_get_string_member_with_default (info, "data_dir", ""));
}

static void
od_preferences_window_reload_info (OdPreferencesWindow *self)
{
  OdCommands *commands = od_preferences_window_get_commands (self);

  if (commands == NULL)
    return;

  gtk_label_set_text (self->data_dir_label, od_commands_get_data_dir (commands));
  od_command_call_async (commands, "getinfo", NULL, self->cancellable,
                         on_getinfo_cb, g_object_ref (self));
}

static void
on_settings_changed_cb (OdPreferencesWindow *self,
                        const char          *key,
                        GSettings           *settings)
{
  if (g_strcmp0 (key, "network") == 0 || g_strcmp0 (key, "data-dir") == 0)
    {
      od_preferences_window_reload_info (self);
      od_preferences_window_reload_rates (self);
    }
  else if (g_str_has_prefix (key, "backend"))
    {
      od_preferences_window_reload_info (self);
    }
}

/* Lightning node */

/* The backend kinds, in the order of backend_row's model. */
static const OdBackendKind backend_kinds[] = {
  OD_BACKEND_KIND_LOCAL,
  OD_BACKEND_KIND_SOCKET,
  OD_BACKEND_KIND_REST,
};

static OdBackendKind
od_preferences_window_get_kind (OdPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->backend_row);

  return selected < G_N_ELEMENTS (backend_kinds) ? backend_kinds[selected] : OD_BACKEND_KIND_LOCAL;
}

static char *
dup_row_text (gpointer row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (text[0] == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

static void
od_preferences_window_set_node_error (OdPreferencesWindow *self,
                                      const char          *message)
{
  if (message != NULL)
    adw_action_row_set_subtitle (self->node_error_row, message);
  gtk_widget_set_visible (GTK_WIDGET (self->node_error_row), message != NULL);
}

static void
od_preferences_window_set_node_status (OdPreferencesWindow *self,
                                       const char          *status,
                                       gboolean             failed)
{
  adw_action_row_set_subtitle (self->node_status_row, status);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->node_status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->node_status_row), "error");
}

static void
od_preferences_window_update_node_rows (OdPreferencesWindow *self)
{
  OdBackendKind kind = od_preferences_window_get_kind (self);

  gtk_widget_set_visible (GTK_WIDGET (self->socket_path_row), kind == OD_BACKEND_KIND_SOCKET);
  gtk_widget_set_visible (GTK_WIDGET (self->rest_url_row), kind == OD_BACKEND_KIND_REST);
  gtk_widget_set_visible (GTK_WIDGET (self->rune_row), kind == OD_BACKEND_KIND_REST);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_row), kind == OD_BACKEND_KIND_REST);
  gtk_widget_set_visible (GTK_WIDGET (self->fingerprint_row), kind == OD_BACKEND_KIND_REST);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), kind != OD_BACKEND_KIND_LOCAL);
}

/* The configuration the rows describe, checked; NULL with the reason. */
static OdBackendConfig *
od_preferences_window_dup_config (OdPreferencesWindow  *self,
                                  GError              **error)
{
  g_autoptr(OdBackendConfig) config = od_backend_config_new (od_preferences_window_get_kind (self));

  if (config->kind == OD_BACKEND_KIND_SOCKET)
    {
      config->socket_path = dup_row_text (self->socket_path_row);
    }
  else if (config->kind == OD_BACKEND_KIND_REST)
    {
      GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

      config->url = dup_row_text (self->rest_url_row);
      config->pinned_cert_path = dup_row_text (self->certificate_row);
      config->pinned_sha256 = dup_row_text (self->fingerprint_row);
      config->rune = dup_row_text (self->rune_row);

      /* An empty rune row keeps the rune stored for that address. */
      if (config->rune == NULL && config->url != NULL && OD_IS_APPLICATION (application))
        {
          g_autofree char *data_dir = od_application_dup_data_dir (OD_APPLICATION (application));

          config->rune = od_secret_lookup_rune (data_dir, config->url, error);
          if (config->rune == NULL && error != NULL && *error != NULL)
            return NULL;
        }
    }

  if (!od_backend_config_validate (config, error))
    return NULL;

  return g_steal_pointer (&config);
}

/* What the node row says before any test: how the application's backend is doing. */
static void
od_preferences_window_show_app_connection (OdPreferencesWindow *self)
{
  GtkApplication *gtk_application = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *status = NULL;
  OdApplication *application;
  OdBackend *backend;

  if (!OD_IS_APPLICATION (gtk_application))
    return;

  application = OD_APPLICATION (gtk_application);
  backend = od_application_get_backend (application);

  if (backend == NULL || !od_backend_is_node (backend))
    {
      od_preferences_window_set_node_status (self, _("Offers are made by the embedded signer"),
                                             FALSE);
    }
  else if (od_application_get_connection_state (application) == OD_BACKEND_STATE_CONNECTED &&
           od_backend_get_node_id (backend) != NULL)
    {
      const char *alias = od_backend_get_alias (backend);

      if (alias != NULL && alias[0] != '\0')
        status = g_strdup_printf (_("Connected to %s, node %s"), alias,
                                  od_backend_get_node_id (backend));
      else
        status = g_strdup_printf (_("Connected to node %s"), od_backend_get_node_id (backend));
      od_preferences_window_set_node_status (self, status, FALSE);
    }
  else if (od_application_get_connection_error (application) != NULL)
    {
      od_preferences_window_set_node_status (self, od_application_get_connection_error (application),
                                             TRUE);
    }
  else
    {
      od_preferences_window_set_node_status (self, _("Connecting…"), FALSE);
    }
}

static void
od_preferences_window_load_node (OdPreferencesWindow *self)
{
  g_autofree char *kind_name = g_settings_get_string (self->settings, "backend");
  g_autofree char *socket_path = g_settings_get_string (self->settings, "backend-socket-path");
  g_autofree char *url = g_settings_get_string (self->settings, "backend-rest-url");
  g_autofree char *certificate = g_settings_get_string (self->settings, "backend-rest-certificate");
  g_autofree char *fingerprint = g_settings_get_string (self->settings, "backend-rest-fingerprint");
  OdBackendKind kind = OD_BACKEND_KIND_LOCAL;

  self->loading_node = TRUE;

  od_backend_kind_from_string (kind_name, &kind);
  for (guint i = 0; i < G_N_ELEMENTS (backend_kinds); i++)
    if (backend_kinds[i] == kind)
      adw_combo_row_set_selected (self->backend_row, i);

  gtk_editable_set_text (GTK_EDITABLE (self->socket_path_row), socket_path);
  gtk_editable_set_text (GTK_EDITABLE (self->rest_url_row), url);
  gtk_editable_set_text (GTK_EDITABLE (self->rune_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->certificate_row), certificate);
  gtk_editable_set_text (GTK_EDITABLE (self->fingerprint_row), fingerprint);

  od_preferences_window_update_node_rows (self);
  od_preferences_window_set_node_error (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), FALSE);
  od_preferences_window_show_app_connection (self);

  self->loading_node = FALSE;
}

static void
on_node_field_changed_cb (OdPreferencesWindow *self)
{
  if (self->loading_node)
    return;

  od_preferences_window_set_node_error (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), TRUE);
}

static void
on_backend_row_selected_cb (OdPreferencesWindow *self)
{
  od_preferences_window_update_node_rows (self);

  if (self->loading_node)
    return;

  /* Where Core Lightning puts its socket by default, for the network offers are made for. */
  if (od_preferences_window_get_kind (self) == OD_BACKEND_KIND_SOCKET &&
      gtk_editable_get_text (GTK_EDITABLE (self->socket_path_row))[0] == '\0' &&
      self->settings != NULL)
    {
      g_autofree char *network = g_settings_get_string (self->settings, "network");
      g_autofree char *path = g_build_filename (g_get_home_dir (), ".lightning", network,
                                                "lightning-rpc", NULL);

      gtk_editable_set_text (GTK_EDITABLE (self->socket_path_row), path);
    }

  od_preferences_window_set_node_status (self, "", FALSE);
  on_node_field_changed_cb (self);
}

static void
on_test_connection_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(OdPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  OdBackend *backend = OD_BACKEND (object);
  const char *alias;

  if (!od_backend_connect_finish (backend, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), TRUE);
      od_preferences_window_set_node_status (self, error->message, TRUE);
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), TRUE);

  alias = od_backend_get_alias (backend);
  if (alias != NULL && alias[0] != '\0')
    /* translators: the first %s is the node's alias, the second its id (66 hex digits) */
    status = g_strdup_printf (_("Connected to %s, node %s"), alias, od_backend_get_node_id (backend));
  else
    /* translators: %s is the node's id (66 hex digits) */
    status = g_strdup_printf (_("Connected to node %s"), od_backend_get_node_id (backend));
  od_preferences_window_set_node_status (self, status, FALSE);
}

static void
od_preferences_window_test_connection (OdPreferencesWindow *self)
{
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(OdBackend) backend = NULL;
  g_autoptr(GError) error = NULL;

  config = od_preferences_window_dup_config (self, &error);
  if (config == NULL)
    {
      od_preferences_window_set_node_error (self, error->message);
      return;
    }

  if (config->kind == OD_BACKEND_KIND_LOCAL)
    {
      od_preferences_window_set_node_status (self, _("The embedded signer needs no connection"),
                                             FALSE);
      return;
    }

  backend = od_backend_new_for_config (config, od_preferences_window_get_commands (self), &error);
  if (backend == NULL)
    {
      od_preferences_window_set_node_error (self, error->message);
      return;
    }

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), FALSE);
  od_preferences_window_set_node_status (self, _("Connecting…"), FALSE);

  /* A backend of its own, held by the task: the settings are not touched. */
  od_backend_connect_async (backend, self->test_cancellable, on_test_connection_cb,
                            g_object_ref (self));
}

static void
on_test_button_clicked_cb (OdPreferencesWindow *self)
{
  od_preferences_window_set_node_error (self, NULL);
  od_preferences_window_test_connection (self);
}

static void
on_apply_button_clicked_cb (OdPreferencesWindow *self)
{
  g_autoptr(OdBackendConfig) config = NULL;
  g_autoptr(GSettings) delayed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rune = NULL;
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!OD_IS_APPLICATION (application) || self->settings == NULL)
    return;

  config = od_preferences_window_dup_config (self, &error);
  if (config == NULL)
    {
      od_preferences_window_set_node_error (self, error->message);
      return;
    }

  rune = dup_row_text (self->rune_row);
  if (config->kind == OD_BACKEND_KIND_REST && rune != NULL)
    {
      g_autofree char *data_dir = od_application_dup_data_dir (OD_APPLICATION (application));

      if (!od_secret_store_rune (data_dir, config->url, rune, &error))
        {
          od_preferences_window_set_node_error (self, error->message);
          return;
        }
    }

  /* All the keys at once: the application rebuilds its backend once, from a valid whole. */
  delayed = g_settings_new (SCHEMA_ID);
  g_settings_delay (delayed);
  g_settings_set_string (delayed, "backend", od_backend_kind_to_string (config->kind));
  if (config->kind == OD_BACKEND_KIND_SOCKET)
    g_settings_set_string (delayed, "backend-socket-path", config->socket_path);
  if (config->kind == OD_BACKEND_KIND_REST)
    {
      g_settings_set_string (delayed, "backend-rest-url", config->url);
      g_settings_set_string (delayed, "backend-rest-certificate",
                             config->pinned_cert_path != NULL ? config->pinned_cert_path : "");
      g_settings_set_string (delayed, "backend-rest-fingerprint",
                             config->pinned_sha256 != NULL ? config->pinned_sha256 : "");
    }
  g_settings_apply (delayed);

  gtk_editable_set_text (GTK_EDITABLE (self->rune_row), "");
  od_preferences_window_set_node_error (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), FALSE);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Node settings applied")));

  od_preferences_window_test_connection (self);
}

static void
on_chooser_response_cb (OdPreferencesWindow  *self,
                        int                   response,
                        GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL && self->chooser_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->chooser_row), path);

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->chooser);
  self->chooser_row = NULL;
}

static void
od_preferences_window_choose_file (OdPreferencesWindow *self,
                                   AdwEntryRow         *row,
                                   const char          *title)
{
  const char *current = gtk_editable_get_text (GTK_EDITABLE (row));

  if (self->chooser != NULL)
    return;

  self->chooser_row = row;
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (current[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (current);
      g_autoptr(GFile) parent = g_file_get_parent (file);

      if (parent != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), parent, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_choose_socket_clicked_cb (OdPreferencesWindow *self)
{
  od_preferences_window_choose_file (self, self->socket_path_row, _("Choose the Node's Socket"));
}

static void
on_choose_certificate_clicked_cb (OdPreferencesWindow *self)
{
  od_preferences_window_choose_file (self, self->certificate_row,
                                     _("Choose the Node's Certificate"));
}

/* GObject */

/* "application" is not a construct property: everything is bound once it is set. */
static void
on_application_notify_cb (OdPreferencesWindow *self,
                          GParamSpec          *pspec)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!OD_IS_APPLICATION (application) || self->settings != NULL)
    return;

  self->settings = g_object_ref (od_application_get_settings (OD_APPLICATION (application)));

  g_settings_bind (self->settings, "shop-name", self->shop_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-currency", self->default_currency_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "default-unit", self->default_unit_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                string_to_index_mapping, index_to_string_mapping,
                                (gpointer) unit_values, NULL);
  g_settings_bind_with_mapping (self->settings, "network", self->network_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                string_to_index_mapping, index_to_string_mapping,
                                (gpointer) od_network_names (), NULL);
  g_settings_bind (self->settings, "qr-uppercase", self->qr_uppercase_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "payment-sound", self->payment_sound_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_settings_changed_cb), self, G_CONNECT_SWAPPED);

  od_preferences_window_reload_info (self);
  od_preferences_window_reload_rates (self);
  od_preferences_window_load_node (self);
}

static void
od_preferences_window_dispose (GObject *object)
{
  OdPreferencesWindow *self = OD_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  self->chooser_row = NULL;
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->rate_rows, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (od_preferences_window_parent_class)->dispose (object);
}

static void
od_preferences_window_class_init (OdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, add_rate_button);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, add_rate_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, apply_button);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, backend_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, certificate_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, data_dir_label);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, default_currency_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, default_unit_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, network_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, no_rates_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, node_error_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, node_status_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, payment_sound_switch);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, qr_uppercase_switch);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, rate_currency_entry);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, rate_msat_entry);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, rates_group);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, rest_url_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, rune_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, shop_name_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, signer_id_label);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, signer_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, socket_path_row);
  gtk_widget_class_bind_template_child (widget_class, OdPreferencesWindow, test_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add_rate_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_backend_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_certificate_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_socket_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_default_currency_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_node_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_rate_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_rate_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_test_button_clicked_cb);
}

static void
od_preferences_window_init (OdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rate_rows = g_ptr_array_new ();
  od_preferences_window_update_node_rows (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_notify_cb), NULL);
}

/**
 * od_preferences_window_new:
 * @application: the application (its settings and command layer are used)
 * @parent: (nullable): the window to be transient for
 */
OdPreferencesWindow *
od_preferences_window_new (OdApplication *application,
                           GtkWindow     *parent)
{
  g_return_val_if_fail (OD_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (OD_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
