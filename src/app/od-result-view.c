/* od-result-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "bolt12-string.h"

#include "od-command-task.h"
#include "od-format.h"
#include "od-qr-code.h"
#include "od-result-view.h"
#include "od-window.h"

/* Pixels per module of a saved PNG: about 1 000 px for a long offer, sharp in print. */
#define PNG_PX_PER_MODULE 10

struct _OdResultView
{
  AdwBin                parent_instance;

  GtkLabel             *bolt12_label;
  GtkButton            *copy_button;
  GtkButton            *disable_button;
  GtkLabel             *label_label;
  GtkLabel             *paid_amount_label;
  GtkWidget            *paid_box;
  GtkLabel             *paid_details_label;
  GtkLabel             *paid_time_label;
  GtkLabel             *paid_used_label;
  GtkPicture           *qr_picture;
  GtkButton            *show_qr_button;
  /* The bin's child (not a template child: AdwBin unparents its child itself). */
  GtkStack             *stack;
  GtkListBox           *summary_list;
  GtkLabel             *title_label;

  /* Not owned: outlives the view (see od_result_view_set_result). */
  OdCommands           *commands;
  GSettings            *settings;
  GCancellable         *cancellable;
  JsonObject           *result;
  JsonObject           *decoded;
  OdQrCode             *qr;
  AdwActionRow         *status_row;
  GtkFileChooserNative *chooser;
  gboolean              chooser_svg;
  gboolean              paid;
};

G_DEFINE_FINAL_TYPE (OdResultView, od_result_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PAID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
od_result_view_set_paid (OdResultView *self,
                         gboolean      paid)
{
  paid = !!paid;

  gtk_stack_set_visible_child_name (self->stack, paid ? "paid" : "qr");
  /* A single-use offer paid is used up: its QR code is of no use any more. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.show-qr",
                                 paid && self->result != NULL &&
                                 !json_object_get_boolean_member_with_default (self->result,
                                                                               "single_use",
                                                                               FALSE));

  if (self->paid == paid)
    return;

  self->paid = paid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAID]);
}

static gboolean
od_result_view_is_request (OdResultView *self)
{
  return self->result != NULL && json_object_has_member (self->result, "invreq_id");
}

static const char *
od_result_view_get_id (OdResultView *self)
{
  if (self->result == NULL)
    return NULL;

  return json_object_get_string_member_with_default (self->result,
                                                     od_result_view_is_request (self)
                                                       ? "invreq_id" : "offer_id",
                                                     NULL);
}

static OdCommands *
od_result_view_get_commands (OdResultView *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);

  if (window != NULL && od_window_get_commands (OD_WINDOW (window)) != NULL)
    return od_window_get_commands (OD_WINDOW (window));

  return self->commands;
}

static void
od_result_view_toast (OdResultView *self,
                      const char   *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);

  if (window != NULL)
    od_window_add_toast (OD_WINDOW (window), text);
  else
    g_debug ("%s", text);
}

static gboolean
od_result_view_get_uppercase (OdResultView *self)
{
  if (self->settings == NULL)
    return TRUE;

  return g_settings_get_boolean (self->settings, "qr-uppercase");
}

static void
od_result_view_update_qr (OdResultView *self)
{
  g_autoptr(GError) error = NULL;
  const char *bolt12 = od_result_view_get_bolt12 (self);

  g_clear_object (&self->qr);

  if (bolt12 != NULL)
    {
      self->qr = od_qr_code_new (bolt12, od_result_view_get_uppercase (self), &error);
      if (self->qr == NULL)
        od_result_view_toast (self, error->message);
    }

  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (self->qr));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.save-png", self->qr != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.save-svg", self->qr != NULL);
}

static gboolean
od_result_view_is_expired (OdResultView *self)
{
  gint64 expiry;

  if (self->decoded != NULL)
    return json_object_get_boolean_member_with_default (self->decoded, "expired", FALSE);

  expiry = json_object_get_int_member_with_default (self->result, "absolute_expiry", 0);

  return expiry != 0 && expiry < g_get_real_time () / G_USEC_PER_SEC;
}

static void
od_result_view_update_status (OdResultView *self)
{
  gboolean active;
  gboolean used;
  gboolean single_use;
  const char *status;

  if (self->result == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.disable", FALSE);
      return;
    }

  active = json_object_get_boolean_member_with_default (self->result, "active", FALSE);
  used = json_object_get_boolean_member_with_default (self->result, "used", FALSE);
  single_use = json_object_get_boolean_member_with_default (self->result, "single_use", FALSE);

  if (!active)
    status = used ? _("Used") : _("Disabled");
  else if (od_result_view_is_expired (self))
    status = _("Expired");
  else if (used)
    status = _("Active, paid before");
  else if (single_use)
    status = _("Active, can be paid once");
  else
    status = _("Active");

  if (self->status_row != NULL)
    adw_action_row_set_subtitle (self->status_row, status);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.disable", active);
}

static AdwActionRow *
od_result_view_add_row (OdResultView *self,
                        const char   *title,
                        const char   *value)
{
  AdwActionRow *row;

  if (value == NULL)
    return NULL;

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, value);
  gtk_list_box_append (self->summary_list, GTK_WIDGET (row));

  return row;
}

static void
od_result_view_clear_summary (OdResultView *self)
{
  GtkWidget *child;

  self->status_row = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_list))) != NULL)
    gtk_list_box_remove (self->summary_list, child);
}

static void
od_result_view_fill_summary (OdResultView *self)
{
  JsonObject *decoded = self->decoded;
  JsonObject *recurrence = NULL;
  g_autofree char *amount = NULL;

  od_result_view_clear_summary (self);

  if (decoded != NULL)
    {
      const char *description = json_object_get_string_member_with_default (decoded, "offer_description", NULL);
      const char *issuer = json_object_get_string_member_with_default (decoded, "offer_issuer", NULL);

      if (description != NULL)
        od_result_view_add_row (self, _("Description"),
                                *description != '\0' ? description : _("None"));

      amount = od_format_amount (decoded);
      od_result_view_add_row (self, _("Amount"),
                              amount != NULL ? amount : _("Any amount, chosen by the payer"));

      od_result_view_add_row (self, _("Issuer"), issuer);

      if (json_object_has_member (decoded, "offer_quantity_max"))
        {
          g_autofree char *quantity =
            od_format_quantity_max ((guint64) MAX (0, json_object_get_int_member (decoded, "offer_quantity_max")));

          od_result_view_add_row (self, _("Quantity"), quantity);
        }
      else if (json_object_has_member (decoded, "invreq_quantity"))
        {
          g_autofree char *quantity =
            g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (decoded, "invreq_quantity"));

          od_result_view_add_row (self, _("Quantity"), quantity);
        }

      if (json_object_has_member (decoded, "offer_recurrence"))
        recurrence = json_object_get_object_member (decoded, "offer_recurrence");

      if (recurrence != NULL)
        {
          g_autofree char *every = od_format_recurrence (recurrence);
          g_autofree char *paywindow = od_format_paywindow (recurrence);

          od_result_view_add_row (self, _("Recurrence"), every);

          if (!json_object_get_boolean_member_with_default (recurrence, "compulsory_field", TRUE))
            od_result_view_add_row (self, _("Wallets Without Subscriptions"),
                                    _("pays once in wallets without subscriptions"));

          if (json_object_has_member (recurrence, "basetime"))
            {
              g_autofree char *start = od_format_time (json_object_get_int_member (recurrence, "basetime"));

              od_result_view_add_row (self, _("First Period Starts"), start);
            }
          else
            {
              od_result_view_add_row (self, _("First Period Starts"),
                                      _("when the customer first pays"));
            }

          od_result_view_add_row (self, _("Pay Window"), paywindow);

          if (json_object_get_boolean_member_with_default (recurrence, "proportional_amount", FALSE))
            od_result_view_add_row (self, _("Late Payment"),
                                    _("a period paid late costs proportionally less"));
        }

      if (json_object_has_member (decoded, "offer_absolute_expiry"))
        {
          g_autofree char *expiry = od_format_time (json_object_get_int_member (decoded, "offer_absolute_expiry"));

          od_result_view_add_row (self, _("Expires"), expiry);
        }
    }

  self->status_row = od_result_view_add_row (self, _("Status"), "");
  od_result_view_update_status (self);
}

static void
on_decode_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(OdResultView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = od_command_call_finish (result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          od_result_view_toast (self, error->message);
          od_result_view_fill_summary (self);
        }
      return;
    }

  g_clear_pointer (&self->decoded, json_object_unref);
  if (JSON_NODE_HOLDS_OBJECT (node))
    self->decoded = json_object_ref (json_node_get_object (node));

  od_result_view_fill_summary (self);
}

static void
on_disable_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(OdResultView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = od_command_call_finish (result, &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          od_result_view_toast (self, error->message);
          od_result_view_update_status (self);
        }
      return;
    }

  if (self->result != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object_result = json_node_get_object (node);

      json_object_set_boolean_member (self->result, "active",
                                      json_object_get_boolean_member_with_default (object_result, "active", FALSE));
      json_object_set_boolean_member (self->result, "used",
                                      json_object_get_boolean_member_with_default (object_result, "used", FALSE));
    }

  od_result_view_update_status (self);
  od_result_view_toast (self,
                        od_result_view_is_request (self) ? _("Request disabled") : _("Offer disabled"));
}

static void
od_result_view_copy_text (OdResultView *self,
                          const char   *text,
                          const char   *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  od_result_view_toast (self, toast);
}

static void
od_result_view_copy_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  OdResultView *self = OD_RESULT_VIEW (widget);
  const char *bolt12 = od_result_view_get_bolt12 (self);

  if (bolt12 != NULL)
    od_result_view_copy_text (self, bolt12, _("Copied"));
}

static void
od_result_view_copy_uri_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  OdResultView *self = OD_RESULT_VIEW (widget);
  const char *bolt12 = od_result_view_get_bolt12 (self);
  g_autofree char *uri = NULL;

  if (bolt12 == NULL)
    return;

  /* BIP 321: lno= for offers; the same form with lnr= for invoice requests. */
  if (g_str_has_prefix (bolt12, "lnr1"))
    uri = g_strconcat ("bitcoin:?lnr=", bolt12, NULL);
  else
    uri = bolt12_uri_build (bolt12, FALSE);

  od_result_view_copy_text (self, uri, _("Link copied"));
}

static void
on_chooser_response_cb (OdResultView         *self,
                        int                   response,
                        GtkFileChooserNative *chooser)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  gboolean saved;

  if (response == GTK_RESPONSE_ACCEPT && self->qr != NULL)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);

  if (path != NULL)
    {
      if (self->chooser_svg)
        saved = od_qr_code_save_svg (self->qr, path, &error);
      else
        saved = od_qr_code_save_png (self->qr, path, PNG_PX_PER_MODULE, &error);

      od_result_view_toast (self, saved ? _("QR code saved") : error->message);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->chooser);
}

static void
od_result_view_save (OdResultView *self,
                     gboolean      svg)
{
  g_autoptr(GtkFileFilter) filter = NULL;
  g_autofree char *name = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *id = od_result_view_get_id (self);

  if (self->qr == NULL || self->chooser != NULL)
    return;

  self->chooser_svg = svg;
  self->chooser = gtk_file_chooser_native_new (svg ? _("Save QR Code as SVG") : _("Save QR Code as PNG"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  filter = gtk_file_filter_new ();
  if (svg)
    {
      gtk_file_filter_set_name (filter, _("SVG images"));
      gtk_file_filter_add_mime_type (filter, "image/svg+xml");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("PNG images"));
      gtk_file_filter_add_mime_type (filter, "image/png");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);

  /* Translators: file names; %.8s is the start of the offer's id. */
  name = g_strdup_printf (od_result_view_is_request (self)
                            ? (svg ? _("request-%.8s.svg") : _("request-%.8s.png"))
                            : (svg ? _("offer-%.8s.svg") : _("offer-%.8s.png")),
                          id != NULL ? id : "qr");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
od_result_view_save_png_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  od_result_view_save (OD_RESULT_VIEW (widget), FALSE);
}

static void
od_result_view_save_svg_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  od_result_view_save (OD_RESULT_VIEW (widget), TRUE);
}

static void
od_result_view_customer_display_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  if (!gtk_widget_activate_action (widget, "win.customer-display", NULL))
    g_debug ("No customer display outside an OdWindow");
}

static void
od_result_view_disable_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  OdResultView *self = OD_RESULT_VIEW (widget);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  OdCommands *commands = od_result_view_get_commands (self);
  const char *id = od_result_view_get_id (self);
  gboolean request = od_result_view_is_request (self);

  if (commands == NULL || id == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, request ? "invreq_id" : "offer_id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  /* Once is enough; the status update enables it again if the call fails. */
  gtk_widget_action_set_enabled (widget, "result.disable", FALSE);

  od_command_call_async (commands,
                         request ? "disableinvoicerequest" : "disableoffer",
                         params,
                         self->cancellable,
                         on_disable_cb,
                         g_object_ref (self));
}

static void
od_result_view_show_qr_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  OdResultView *self = OD_RESULT_VIEW (widget);

  od_result_view_set_paid (self, FALSE);
  gtk_widget_grab_focus (widget);
}

/* Focus goes to Copy: Enter copies, and the string is not shown all selected.  Paid, it goes
 * to the paid state itself, whose accessible label says what was paid: a screen reader reads
 * the change out (GTK 4.8 has no live regions). */
static gboolean
od_result_view_grab_focus (GtkWidget *widget)
{
  OdResultView *self = OD_RESULT_VIEW (widget);

  if (self->paid)
    return gtk_widget_grab_focus (self->paid_box);

  return gtk_widget_grab_focus (GTK_WIDGET (self->copy_button));
}

static void
od_result_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  OdResultView *self = OD_RESULT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAID:
      g_value_set_boolean (value, self->paid);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_result_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (od_result_view_parent_class)->map (widget);

  /* Shown over the forms, whose focused widget just went away. */
  gtk_widget_grab_focus (widget);
}

static void
od_result_view_dispose (GObject *object)
{
  OdResultView *self = (OdResultView *)object;

  g_cancellable_cancel (self->cancellable);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_RESULT_VIEW);

  self->status_row = NULL;
  self->stack = NULL;
  g_clear_object (&self->settings);
  g_clear_object (&self->qr);
  g_clear_pointer (&self->result, json_object_unref);
  g_clear_pointer (&self->decoded, json_object_unref);

  G_OBJECT_CLASS (od_result_view_parent_class)->dispose (object);
}

static void
od_result_view_finalize (GObject *object)
{
  OdResultView *self = (OdResultView *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (od_result_view_parent_class)->finalize (object);
}

static void
od_result_view_class_init (OdResultViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = od_result_view_get_property;
  object_class->dispose = od_result_view_dispose;
  object_class->finalize = od_result_view_finalize;

  properties[PROP_PAID] =
    g_param_spec_boolean ("paid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->grab_focus = od_result_view_grab_focus;
  widget_class->map = od_result_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/offerdesk/Offerdesk/od-result-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OdResultView, bolt12_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, copy_button);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, disable_button);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, label_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, paid_amount_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, paid_box);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, paid_details_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, paid_time_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, paid_used_label);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, show_qr_button);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, summary_list);
  gtk_widget_class_bind_template_child (widget_class, OdResultView, title_label);

  gtk_widget_class_install_action (widget_class, "result.copy", NULL, od_result_view_copy_action);
  gtk_widget_class_install_action (widget_class, "result.copy-uri", NULL, od_result_view_copy_uri_action);
  gtk_widget_class_install_action (widget_class, "result.save-png", NULL, od_result_view_save_png_action);
  gtk_widget_class_install_action (widget_class, "result.save-svg", NULL, od_result_view_save_svg_action);
  gtk_widget_class_install_action (widget_class, "result.customer-display", NULL,
                                   od_result_view_customer_display_action);
  gtk_widget_class_install_action (widget_class, "result.disable", NULL, od_result_view_disable_action);
  gtk_widget_class_install_action (widget_class, "result.show-qr", NULL, od_result_view_show_qr_action);
}

static void
od_result_view_init (OdResultView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(PangoAttrList) attributes = NULL;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  /* Broken anywhere, but never with a hyphen Pango would add: it is not part of the string. */
  attributes = pango_attr_list_new ();
  pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (self->bolt12_label, attributes);

  self->cancellable = g_cancellable_new ();

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (SCHEMA_ID);
      g_signal_connect_object (self->settings, "changed::qr-uppercase",
                               G_CALLBACK (od_result_view_update_qr), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      g_warning ("Settings schema %s is not installed: QR codes are upper case", SCHEMA_ID);
    }

  placeholder = gtk_label_new (_("Reading the offer…"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->summary_list, placeholder);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.copy", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.copy-uri", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.save-png", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.save-svg", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.customer-display", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.disable", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.show-qr", FALSE);
}

/**
 * od_result_view_set_result:
 * @self: a #OdResultView
 * @commands: the command layer, to decode the string and disable it
 * @result: an `offer` or `invoicerequest` command result
 *
 * Shows @result: its QR code, its string and, once `decode` has answered, what the
 * customer will see.
 */
void
od_result_view_set_result (OdResultView *self,
                           OdCommands   *commands,
                           JsonObject   *result)
{
  g_autoptr(GList) members = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  const char *bolt12;
  const char *label;
  gboolean request;

  g_return_if_fail (OD_IS_RESULT_VIEW (self));
  g_return_if_fail (result != NULL);

  /* Forget the previous result, and whatever was still coming for it. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->result, json_object_unref);
  g_clear_pointer (&self->decoded, json_object_unref);
  od_result_view_clear_summary (self);

  /* A copy: disabling changes our "active". */
  self->result = json_object_new ();
  members = json_object_get_members (result);
  for (const GList *l = members; l != NULL; l = l->next)
    json_object_set_member (self->result, l->data,
                            json_node_copy (json_object_get_member (result, l->data)));
  self->commands = commands;
  od_result_view_set_paid (self, FALSE);

  bolt12 = json_object_get_string_member_with_default (self->result, "bolt12", NULL);
  request = od_result_view_is_request (self);

  gtk_label_set_text (self->title_label, request ? _("Invoice Request") : _("Offer"));
  gtk_label_set_text (self->bolt12_label, bolt12 != NULL ? bolt12 : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bolt12_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  request ? _("Invoice request string") : _("Offer string"),
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->disable_button),
                               request ? _("Stop this request from being used")
                                       : _("Stop this offer from being paid"));

  label = json_object_get_string_member_with_default (self->result, "label", NULL);
  gtk_label_set_text (self->label_label, label != NULL ? label : "");
  gtk_widget_set_visible (GTK_WIDGET (self->label_label), label != NULL && *label != '\0');

  od_result_view_update_qr (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.copy", bolt12 != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.copy-uri", bolt12 != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "result.customer-display", bolt12 != NULL);
  od_result_view_update_status (self);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus == NULL || focus == GTK_WIDGET (self->bolt12_label))
        gtk_widget_grab_focus (GTK_WIDGET (self));
    }

  commands = od_result_view_get_commands (self);
  if (bolt12 == NULL || commands == NULL)
    {
      od_result_view_fill_summary (self);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "string");
  json_builder_add_string_value (builder, bolt12);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);

  od_command_call_async (commands, "decode", params, self->cancellable,
                         on_decode_cb, g_object_ref (self));
}

const char *
od_result_view_get_bolt12 (OdResultView *self)
{
  g_return_val_if_fail (OD_IS_RESULT_VIEW (self), NULL);

  if (self->result == NULL)
    return NULL;

  return json_object_get_string_member_with_default (self->result, "bolt12", NULL);
}

JsonObject *
od_result_view_get_decoded (OdResultView *self)
{
  g_return_val_if_fail (OD_IS_RESULT_VIEW (self), NULL);

  return self->decoded;
}

/**
 * od_result_view_get_offer_id:
 *
 * Returns: (nullable): the offer_id of the offer shown, NULL for none or an invoice request
 */
const char *
od_result_view_get_offer_id (OdResultView *self)
{
  g_return_val_if_fail (OD_IS_RESULT_VIEW (self), NULL);

  if (self->result == NULL || od_result_view_is_request (self))
    return NULL;

  return json_object_get_string_member_with_default (self->result, "offer_id", NULL);
}

gboolean
od_result_view_get_paid (OdResultView *self)
{
  g_return_val_if_fail (OD_IS_RESULT_VIEW (self), FALSE);

  return self->paid;
}

/**
 * od_result_view_format_payment_amount:
 * @payment: a payment
 *
 * Returns: (transfer full): the amount received, as the rest of the app writes amounts
 */
char *
od_result_view_format_payment_amount (const OdPayment *payment)
{
  g_autofree char *sats = NULL;
  g_autofree char *btc = NULL;

  g_return_val_if_fail (payment != NULL, NULL);

  sats = od_format_sats (payment->amount_msat);
  btc = od_format_btc (payment->amount_msat);

  /* translators: an amount received: "1,000 sats (0.00001 BTC)" */
  return g_strdup_printf (_("%s (%s)"), sats, btc);
}

/**
 * od_result_view_show_payment:
 * @self: a #OdResultView
 * @payment: a payment recorded by the payment follower
 *
 * When @payment is for the offer shown, switches to a large "Paid" state: the amount
 * received, when, the payer's note; a single-use offer is now used and inactive, a reusable
 * one can go back to its QR code (result.show-qr).
 *
 * Returns: %TRUE when @payment was for the offer shown
 */
gboolean
od_result_view_show_payment (OdResultView    *self,
                             const OdPayment *payment)
{
  g_autofree char *amount = NULL;
  g_autofree char *time = NULL;
  g_autofree char *time_text = NULL;
  g_autofree char *accessible = NULL;
  g_autoptr(GString) details = NULL;
  const char *offer_id;
  gboolean single_use;

  g_return_val_if_fail (OD_IS_RESULT_VIEW (self), FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);

  offer_id = od_result_view_get_offer_id (self);
  if (offer_id == NULL || g_ascii_strcasecmp (offer_id, payment->offer_id) != 0)
    return FALSE;

  amount = od_result_view_format_payment_amount (payment);
  time = od_format_time (payment->paid_at);
  /* translators: %s is the local date and time of the payment */
  time_text = g_strdup_printf (_("Paid at %s"), time);

  details = g_string_new (NULL);
  if (payment->payer_note != NULL && payment->payer_note[0] != '\0')
    /* translators: %s is the note the payer wrote in their wallet */
    g_string_append_printf (details, _("Note from the payer: “%s”"), payment->payer_note);
  if (payment->has_quantity)
    {
      g_autofree char *quantity = od_format_integer (payment->quantity);

      if (details->len > 0)
        g_string_append_c (details, '\n');
      /* translators: %s is the number of items paid for */
      g_string_append_printf (details, _("Quantity: %s"), quantity);
    }
  if (payment->has_recurrence_counter)
    {
      if (details->len > 0)
        g_string_append_c (details, '\n');
      /* translators: %u is the number of the period paid, starting at 1 */
      g_string_append_printf (details, _("Subscription period %u"),
                              payment->recurrence_counter + 1);
    }

  single_use = json_object_get_boolean_member_with_default (self->result, "single_use", FALSE);
  json_object_set_boolean_member (self->result, "used", TRUE);
  if (single_use)
    json_object_set_boolean_member (self->result, "active", FALSE);
  od_result_view_update_status (self);

  gtk_label_set_text (self->paid_amount_label, amount);
  gtk_label_set_text (self->paid_time_label, time_text);
  gtk_label_set_text (self->paid_details_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (self->paid_details_label), details->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->paid_used_label), single_use);
  gtk_widget_set_visible (GTK_WIDGET (self->show_qr_button), !single_use);

  /* translators: what a screen reader says when the offer shown is paid; %s is the amount */
  accessible = g_strdup_printf (_("Paid: %s"), amount);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->paid_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, time_text,
                                  -1);

  od_result_view_set_paid (self, TRUE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (self->paid_box);

  return TRUE;
}
