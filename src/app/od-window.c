/* od-window.c: the main window — the three forms in a view stack, the result over them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "od-command-task.h"
#include "od-customer-window.h"
#include "od-history-page.h"
#include "od-offer-page.h"
#include "od-request-page.h"
#include "od-result-view.h"
#include "od-window.h"
#include "offerdesk-resources.h"

struct _OdWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  GtkButton            *back_button;
  GtkLabel             *connection_detail_label;
  GtkRevealer          *connection_revealer;
  GtkLabel             *connection_title_label;
  AdwHeaderBar         *header_bar;
  OdHistoryPage        *history_page;
  GtkStack             *main_stack;
  GtkMenuButton        *menu_button;
  OdOfferPage          *offer_page;
  OdRequestPage        *request_page;
  OdResultView         *result_view;
  GtkButton            *retry_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;

  /* The result shown in the result view, NULL when the forms are shown. */
  JsonObject           *result;
  /* Weak: the customer display, while it exists. */
  OdCustomerWindow     *customer_window;
  GCancellable         *cancellable;
  gboolean              size_restored;

  /* The application whose connection and payments are followed (not owned). */
  OdApplication        *application;
  /* While the follower waits before its next attempt: a once-a-second tick that counts down
   * in the connection strip. */
  guint                 countdown_id;
  /* The payment sound playing, if any. */
  GtkMediaStream       *sound;
  /* The amount received for the result shown, once paid (for the customer display). */
  char                 *paid_amount;
};

G_DEFINE_FINAL_TYPE (OdWindow, od_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
od_window_get_settings (OdWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  g_assert (OD_IS_WINDOW (self));

  if (!OD_IS_APPLICATION (application))
    return NULL;

  return od_application_get_settings (OD_APPLICATION (application));
}

static gboolean
od_window_result_is_shown (OdWindow *self)
{
  return self->result != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "result") == 0;
}

static void
od_window_update_actions (OdWindow *self)
{
  gboolean shown = od_window_result_is_shown (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", shown);
}

static void
od_window_show_forms (OdWindow *self)
{
  g_assert (OD_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "forms");
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, TRUE);
  adw_view_switcher_title_set_title (self->switcher_title, _("Offerdesk"));
  g_clear_pointer (&self->result, json_object_unref);
  g_clear_pointer (&self->paid_amount, g_free);
  od_window_update_actions (self);
}

/* Customer display */

static void
od_window_customer_show_decoded (OdWindow   *self,
                                 JsonObject *decoded,
                                 const char *bolt12)
{
  g_autofree char *shop_name = NULL;
  GSettings *settings = od_window_get_settings (self);

  if (self->customer_window == NULL)
    return;

  if (settings != NULL)
    shop_name = g_settings_get_string (settings, "shop-name");

  od_customer_window_show_result (self->customer_window, decoded, bolt12, shop_name);
}

typedef struct
{
  OdWindow *window;
  char     *bolt12;
} CustomerDecode;

static void
customer_decode_free (CustomerDecode *decode)
{
  g_clear_object (&decode->window);
  g_clear_pointer (&decode->bolt12, g_free);
  g_free (decode);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CustomerDecode, customer_decode_free)

static void
on_customer_decode_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CustomerDecode) decode = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  OdWindow *self = decode->window;
  const char *bolt12;

  node = od_command_call_finish (result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        od_window_add_toast (self, error->message);
      return;
    }

  /* The result may have changed while decoding ran. */
  if (self->result == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  bolt12 = json_object_get_string_member_with_default (self->result, "bolt12", NULL);
  if (g_strcmp0 (bolt12, decode->bolt12) != 0)
    return;

  od_window_customer_show_decoded (self, json_node_get_object (node), bolt12);
}

static void
od_window_update_customer_window (OdWindow *self)
{
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonObject) object = NULL;
  OdCommands *commands;
  CustomerDecode *decode;
  const char *bolt12;

  g_assert (OD_IS_WINDOW (self));

  if (self->customer_window == NULL || self->result == NULL)
    return;

  if (self->paid_amount != NULL && od_result_view_get_paid (self->result_view))
    {
      od_customer_window_show_paid (self->customer_window, self->paid_amount);
      return;
    }

  bolt12 = json_object_get_string_member_with_default (self->result, "bolt12", NULL);
  commands = od_window_get_commands (self);
  if (bolt12 == NULL || commands == NULL)
    return;

  /* The QR code at once; the details when the decode is there. */
  if (od_result_view_get_decoded (self->result_view) != NULL &&
      g_strcmp0 (od_result_view_get_bolt12 (self->result_view), bolt12) == 0)
    {
      od_window_customer_show_decoded (self, od_result_view_get_decoded (self->result_view),
                                       bolt12);
      return;
    }
  od_window_customer_show_decoded (self, NULL, bolt12);

  object = json_object_new ();
  json_object_set_string_member (object, "string", bolt12);
  params = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (params, object);

  decode = g_new0 (CustomerDecode, 1);
  decode->window = g_object_ref (self);
  decode->bolt12 = g_strdup (bolt12);
  od_command_call_async (commands, "decode", params, self->cancellable,
                         on_customer_decode_cb, decode);
}

static void
od_window_customer_display_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GSettings *settings = od_window_get_settings (self);
  g_autofree char *monitor = NULL;

  if (self->customer_window == NULL)
    {
      self->customer_window = od_customer_window_new (application);
      g_object_add_weak_pointer (G_OBJECT (self->customer_window),
                                 (gpointer *) &self->customer_window);
    }

  if (settings != NULL)
    monitor = g_settings_get_string (settings, "customer-monitor");

  od_customer_window_present_fullscreen (self->customer_window, monitor);
  od_window_update_customer_window (self);
}

/* Connection strip */

static gboolean od_window_countdown_cb (gpointer user_data);

static void
od_window_update_connection (OdWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  OdApplication *application = self->application;
  OdBackend *backend;
  OdBackendState state;
  const char *error;
  gboolean config_error;

  g_assert (OD_IS_WINDOW (self));

  if (application == NULL || od_application_get_can_create (application))
    {
      g_clear_handle_id (&self->countdown_id, g_source_remove);
      gtk_revealer_set_reveal_child (self->connection_revealer, FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.retry-connection", FALSE);
      return;
    }

  backend = od_application_get_backend (application);
  state = od_application_get_connection_state (application);
  error = od_application_get_connection_error (application);
  /* Creating is off while "connected": the settings name a node that cannot be used. */
  config_error = state == OD_BACKEND_STATE_CONNECTED;

  if (config_error)
    {
      title = g_strdup (_("The node settings are not valid"));
    }
  else if (state == OD_BACKEND_STATE_CONNECTING)
    {
      title = g_strdup (_("Connecting to the node…"));
    }
  else
    {
      gint64 now = g_get_monotonic_time ();
      gint64 retry_at = od_application_get_next_retry (application);

      if (retry_at > now)
        {
          guint seconds = (guint) ((retry_at - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

          /* translators: shown while the node cannot be reached; %u is a number of seconds */
          title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "Cannot reach the node — reconnecting in %u s",
                                                "Cannot reach the node — reconnecting in %u s",
                                                seconds),
                                   seconds);
          if (self->countdown_id == 0)
            self->countdown_id = g_timeout_add_seconds (1, od_window_countdown_cb, self);
        }
      else
        {
          title = g_strdup (_("Cannot reach the node — reconnecting…"));
        }
    }

  /* Where the node is, unless the error already says it. */
  if (backend != NULL && od_backend_is_node (backend) && error != NULL &&
      strstr (error, od_backend_describe (backend)) == NULL)
    detail = g_strdup_printf ("%s: %s", od_backend_describe (backend), error);
  else if (error != NULL)
    detail = g_strdup (error);
  else if (backend != NULL && od_backend_is_node (backend))
    detail = g_strdup (od_backend_describe (backend));

  gtk_label_set_text (self->connection_title_label, title);
  gtk_label_set_text (self->connection_detail_label, detail != NULL ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->connection_detail_label), detail != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), !config_error);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.retry-connection",
                                 !config_error && state == OD_BACKEND_STATE_DISCONNECTED);
  gtk_revealer_set_reveal_child (self->connection_revealer, TRUE);
}

static gboolean
od_window_countdown_cb (gpointer user_data)
{
  OdWindow *self = user_data;

  if (self->application == NULL ||
      od_application_get_next_retry (self->application) <= g_get_monotonic_time ())
    {
      self->countdown_id = 0;
      od_window_update_connection (self);
      return G_SOURCE_REMOVE;
    }

  od_window_update_connection (self);

  return G_SOURCE_CONTINUE;
}

static void
on_connection_changed_cb (OdWindow      *self,
                          GParamSpec    *pspec,
                          OdApplication *application)
{
  od_window_update_connection (self);
}

/* Payments */

static void
od_window_play_payment_sound (OdWindow *self)
{
  const char * const *dirs = g_get_system_data_dirs ();

  /* A short sound of the freedesktop theme when the system has it, else the display's bell. */
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "sounds", "freedesktop", "stereo",
                                                "complete.oga", NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_clear_object (&self->sound);
          self->sound = gtk_media_file_new_for_filename (path);
          gtk_media_stream_play (self->sound);
          if (gtk_media_stream_get_error (self->sound) == NULL)
            return;
          break;
        }
    }

  gdk_display_beep (gtk_widget_get_display (GTK_WIDGET (self)));
}

static void
on_payment_received_cb (OdWindow        *self,
                        const OdPayment *payment,
                        OdApplication   *application)
{
  g_autofree char *amount = NULL;
  GSettings *settings = od_window_get_settings (self);

  g_assert (OD_IS_WINDOW (self));

  if (payment == NULL)
    return;

  amount = od_result_view_format_payment_amount (payment);

  if (self->result != NULL && od_result_view_show_payment (self->result_view, payment))
    {
      g_free (self->paid_amount);
      self->paid_amount = g_strdup (amount);
      if (self->customer_window != NULL)
        od_customer_window_show_paid (self->customer_window, amount);
    }
  else
    {
      g_autofree char *toast = NULL;

      /* translators: a payment of an offer not on screen; %s is the amount */
      toast = g_strdup_printf (_("Payment received: %s"), amount);
      od_window_add_toast (self, toast);
    }

  if (settings != NULL && g_settings_get_boolean (settings, "payment-sound"))
    od_window_play_payment_sound (self);
}

static void
on_result_paid_cb (OdWindow     *self,
                   GParamSpec   *pspec,
                   OdResultView *result_view)
{
  /* Back to the QR code of a reusable offer: the customer display too. */
  if (!od_result_view_get_paid (result_view))
    {
      g_clear_pointer (&self->paid_amount, g_free);
      od_window_update_customer_window (self);
    }
}

/* Actions */

static void
od_window_retry_connection_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);

  if (self->application == NULL)
    return;

  od_application_retry_connection (self->application);
}

static void
od_window_new_offer_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);

  od_window_show_page (self, "offer");
  gtk_widget_child_focus (GTK_WIDGET (self->offer_page), GTK_DIR_TAB_FORWARD);
}

static void
od_window_new_request_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);

  od_window_show_page (self, "request");
  gtk_widget_child_focus (GTK_WIDGET (self->request_page), GTK_DIR_TAB_FORWARD);
}

static void
od_window_search_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);

  od_window_show_page (self, "history");
  od_history_page_focus_search (self->history_page);
}

static void
od_window_back_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  od_window_show_forms (OD_WINDOW (widget));
}

/* Ctrl+C: a selection in a text widget wins; otherwise, with a result shown, its string. */
static gboolean
copy_focus_selection (GtkWidget *focus)
{
  for (; focus != NULL; focus = gtk_widget_get_parent (focus))
    {
      if (GTK_IS_LABEL (focus))
        {
          int start, end;

          if (gtk_label_get_selection_bounds (GTK_LABEL (focus), &start, &end))
            {
              g_signal_emit_by_name (focus, "copy-clipboard");
              return TRUE;
            }
          return FALSE;
        }
      if (GTK_IS_EDITABLE (focus))
        {
          if (gtk_editable_get_selection_bounds (GTK_EDITABLE (focus), NULL, NULL))
            return gtk_widget_activate_action (focus, "clipboard.copy", NULL);
          return FALSE;
        }
      if (GTK_IS_TEXT_VIEW (focus))
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus));

          if (gtk_text_buffer_get_has_selection (buffer))
            {
              g_signal_emit_by_name (focus, "copy-clipboard");
              return TRUE;
            }
          return FALSE;
        }
    }

  return FALSE;
}

static void
od_window_copy_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  OdWindow *self = OD_WINDOW (widget);
  const char *bolt12;

  if (copy_focus_selection (gtk_root_get_focus (GTK_ROOT (self))))
    return;

  if (!od_window_result_is_shown (self))
    return;

  bolt12 = json_object_get_string_member_with_default (self->result, "bolt12", NULL);
  if (bolt12 == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), bolt12);
  od_window_add_toast (self, g_str_has_prefix (bolt12, "lnr")
                               ? _("Invoice request copied")
                               : _("Offer copied"));
}

/* GtkWindow */

static gboolean
od_window_close_request (GtkWindow *window)
{
  OdWindow *self = OD_WINDOW (window);
  GSettings *settings = od_window_get_settings (self);

  if (settings != NULL && !gtk_window_is_maximized (window) && !gtk_window_is_fullscreen (window))
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
    }

  if (self->customer_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->customer_window));

  return GTK_WINDOW_CLASS (od_window_parent_class)->close_request (window);
}

/* GObject */

/* "application" is not a construct property: the settings are read once it is set. */
static void
on_application_notify_cb (OdWindow   *self,
                          GParamSpec *pspec)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GSettings *settings = od_window_get_settings (self);

  if (OD_IS_APPLICATION (application) && self->application != OD_APPLICATION (application))
    {
      if (self->application != NULL)
        g_signal_handlers_disconnect_by_data (self->application, self);
      g_set_weak_pointer (&self->application, OD_APPLICATION (application));

      g_signal_connect_object (application, "notify::connection-state",
                               G_CALLBACK (on_connection_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (application, "notify::connection-error",
                               G_CALLBACK (on_connection_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (application, "notify::can-create",
                               G_CALLBACK (on_connection_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (application, "notify::backoff-seconds",
                               G_CALLBACK (on_connection_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (application, "payment-received",
                               G_CALLBACK (on_payment_received_cb), self, G_CONNECT_SWAPPED);
      od_window_update_connection (self);
    }

  if (settings == NULL || self->size_restored)
    return;

  self->size_restored = TRUE;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
}

static void
od_window_dispose (GObject *object)
{
  OdWindow *self = OD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->result, json_object_unref);
  g_clear_pointer (&self->paid_amount, g_free);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (self->sound != NULL)
    gtk_media_stream_pause (self->sound);
  g_clear_object (&self->sound);
  if (self->application != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->application, self);
      g_clear_weak_pointer (&self->application);
    }
  if (self->customer_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->customer_window),
                                    (gpointer *) &self->customer_window);
      self->customer_window = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_WINDOW);

  G_OBJECT_CLASS (od_window_parent_class)->dispose (object);
}

static void
od_window_class_init (OdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = od_window_dispose;

  window_class->close_request = od_window_close_request;

  /* The resources are registered by a constructor in their own object file of the static
   * library: referring to it makes sure every program that shows a window links it. */
  (void) od_get_resource ();

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OdWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, connection_detail_label);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, connection_revealer);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, connection_title_label);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, offer_page);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, request_page);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, result_view);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OdWindow, view_stack);

  gtk_widget_class_install_action (widget_class, "win.new-offer", NULL,
                                   od_window_new_offer_action);
  gtk_widget_class_install_action (widget_class, "win.new-request", NULL,
                                   od_window_new_request_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, od_window_search_action);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, od_window_copy_action);
  gtk_widget_class_install_action (widget_class, "win.customer-display", NULL,
                                   od_window_customer_display_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, od_window_back_action);
  gtk_widget_class_install_action (widget_class, "win.retry-connection", NULL,
                                   od_window_retry_connection_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-offer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.new-request", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK,
                                       "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0,
                                       "win.customer-display", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.back", NULL);

  g_type_ensure (OD_TYPE_HISTORY_PAGE);
  g_type_ensure (OD_TYPE_OFFER_PAGE);
  g_type_ensure (OD_TYPE_REQUEST_PAGE);
  g_type_ensure (OD_TYPE_RESULT_VIEW);
}

static void
od_window_init (OdWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_notify_cb), NULL);
  g_signal_connect_object (self->result_view, "notify::paid",
                           G_CALLBACK (on_result_paid_cb), self, G_CONNECT_SWAPPED);

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  od_window_update_actions (self);
  od_window_update_connection (self);
}

/* Public API */

OdWindow *
od_window_new (OdApplication *application)
{
  g_return_val_if_fail (OD_IS_APPLICATION (application), NULL);

  return g_object_new (OD_TYPE_WINDOW, "application", application, NULL);
}

/**
 * od_window_show_result:
 * @result: an `offer` or `invoicerequest` command result (it has "bolt12")
 *
 * Shows @result in the result view, over the forms, with a Back button; the customer display,
 * when open, shows it too.
 */
void
od_window_show_result (OdWindow   *self,
                       JsonObject *result)
{
  const char *bolt12;

  g_return_if_fail (OD_IS_WINDOW (self));
  g_return_if_fail (result != NULL);

  json_object_ref (result);
  g_clear_pointer (&self->result, json_object_unref);
  self->result = result;

  bolt12 = json_object_get_string_member_with_default (result, "bolt12", "");

  od_result_view_set_result (self->result_view, od_window_get_commands (self), result);

  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  adw_view_switcher_title_set_title (self->switcher_title,
                                     g_str_has_prefix (bolt12, "lnr")
                                       ? _("Invoice Request")
                                       : _("Offer"));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), TRUE);
  gtk_stack_set_visible_child_name (self->main_stack, "result");
  od_window_update_actions (self);

  od_window_update_customer_window (self);
}

/**
 * od_window_add_toast:
 * @text: plain text (not markup)
 */
void
od_window_add_toast (OdWindow   *self,
                     const char *text)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (OD_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  escaped = g_markup_escape_text (text, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

void
od_window_show_page (OdWindow   *self,
                     const char *name)
{
  g_return_if_fail (OD_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    {
      g_critical ("No page named “%s”", name);
      return;
    }

  od_window_show_forms (self);
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/**
 * od_window_get_commands:
 *
 * Returns: (transfer none) (nullable): the application's command layer
 */
OdCommands *
od_window_get_commands (OdWindow *self)
{
  GtkApplication *application;

  g_return_val_if_fail (OD_IS_WINDOW (self), NULL);

  application = gtk_window_get_application (GTK_WINDOW (self));
  if (!OD_IS_APPLICATION (application))
    return NULL;

  return od_application_get_commands (OD_APPLICATION (application));
}
