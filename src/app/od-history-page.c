/* od-history-page.c: every offer and refund/payout request, newest first, searchable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over an OdHistoryModel (core: paged from the store, refreshed when anyone,
 * the CLI included, changes it).  Each row has a menu — right click, the Menu key or Shift+F10,
 * or the "⋮" button — with Open, Copy, Payments (offers) and Disable/Enable; the actions take
 * the row's position ("history.open", "history.copy", "history.payments", "history.disable",
 * "history.enable", all "u").  An offer's payments (count, total received, last paid) have
 * their own columns, updated in place when a payment arrives.
 *
 * "history.export" (Ctrl+E while the page is shown) asks for a file with GtkFileChooserNative
 * (a portal inside Flatpak) and hands it to "history.export-to" ("s": a file path), which
 * writes the CSV (od-export.h) in a worker thread and says how it went in a toast.  Tests
 * activate "history.export-to" directly.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-command-task.h"
#include "od-export.h"
#include "od-format.h"
#include "od-history-model.h"
#include "od-history-page.h"
#include "od-payments-dialog.h"
#include "od-window.h"

struct _OdHistoryPage
{
  AdwBin               parent_instance;

  GtkColumnView       *column_view;
  GtkSearchEntry      *search_entry;
  GtkStack            *stack;

  GtkWidget           *context_menu;   /* GtkPopoverMenu, our child */
  OdHistoryModel      *model;
  GtkSingleSelection  *selection;
  GSettings           *settings;       /* watched for network / data-dir changes */
  guint                recheck_id;
  GCancellable        *export_cancellable;  /* the export under way, NULL when none */
  GtkFileChooserNative *export_chooser;
};

G_DEFINE_FINAL_TYPE (OdHistoryPage, od_history_page, ADW_TYPE_BIN)

typedef enum
{
  COLUMN_CREATED,
  COLUMN_KIND,
  COLUMN_DESCRIPTION,
  COLUMN_AMOUNT,
  COLUMN_LABEL,
  COLUMN_STATUS,
  COLUMN_PAYMENTS,
  COLUMN_RECEIVED,
  COLUMN_LAST_PAID,
  COLUMN_MENU,
} Column;

#define LIST_ITEM_KEY "od-history-list-item"

static void od_history_page_update_state (OdHistoryPage *self);

/* ---- Model ---------------------------------------------------------------------------- */

static OdWindow *
get_window (OdHistoryPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), OD_TYPE_WINDOW);

  return window != NULL ? OD_WINDOW (window) : NULL;
}

static void
toast (OdHistoryPage *self,
       const char    *text)
{
  OdWindow *window = get_window (self);

  if (window != NULL)
    od_window_add_toast (window, text);
  else
    g_debug ("%s", text);
}

static void
on_model_n_items_cb (OdHistoryPage *self)
{
  od_history_page_update_state (self);
}

/* Follows the window's command layer (replaced when the network or data dir changes). */
static void
od_history_page_ensure_model (OdHistoryPage *self)
{
  OdWindow *window = get_window (self);
  OdCommands *commands = window != NULL ? od_window_get_commands (window) : NULL;
  g_autoptr(OdHistoryModel) model = NULL;

  if (commands == NULL)
    return;
  if (self->model != NULL && od_history_model_get_commands (self->model) == commands)
    return;

  model = od_history_model_new (commands);
  od_history_model_set_filter (model,
                               gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  g_signal_connect_object (model, "notify::n-items", G_CALLBACK (on_model_n_items_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_object (&self->model, model);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (model));
  od_history_page_update_state (self);
}

static void
od_history_page_update_state (OdHistoryPage *self)
{
  const char *page = "list";

  if (self->model == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    {
      const char *filter = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

      page = filter[0] == '\0' ? "empty" : "no-results";
    }
  gtk_stack_set_visible_child_name (self->stack, page);
}

static gboolean
recheck_cb (gpointer data)
{
  OdHistoryPage *self = data;

  self->recheck_id = 0;
  od_history_page_ensure_model (self);

  return G_SOURCE_REMOVE;
}

static void
on_settings_changed_cb (OdHistoryPage *self,
                        const char    *key,
                        GSettings     *settings)
{
  /* After the application has replaced its command layer (its handler may run after ours). */
  if (self->recheck_id == 0)
    self->recheck_id = g_idle_add (recheck_cb, self);
}

static void
od_history_page_map (GtkWidget *widget)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);
  GtkApplication *application = NULL;
  GtkRoot *root;

  GTK_WIDGET_CLASS (od_history_page_parent_class)->map (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    application = gtk_window_get_application (GTK_WINDOW (root));
  if (self->settings == NULL && OD_IS_APPLICATION (application))
    {
      self->settings = g_object_ref (od_application_get_settings (OD_APPLICATION (application)));
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  od_history_page_ensure_model (self);
  if (self->model != NULL)
    od_history_model_refresh (self->model);
}

/* ---- Items and actions ------------------------------------------------------------------ */

static OdHistoryItem *
get_item (OdHistoryPage *self,
          GVariant      *parameter)
{
  guint position;

  if (self->model == NULL || parameter == NULL)
    return NULL;
  position = g_variant_get_uint32 (parameter);

  return g_list_model_get_item (G_LIST_MODEL (self->model), position);
}

static void
open_item (OdHistoryPage *self,
           OdHistoryItem *item)
{
  g_autoptr(JsonObject) result = NULL;
  OdWindow *window = get_window (self);

  if (window == NULL || od_history_item_get_bolt12 (item)[0] == '\0')
    return;

  result = od_history_item_to_result (item);
  od_window_show_result (window, result);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);
  g_autoptr(OdHistoryItem) item = get_item (self, parameter);

  if (item != NULL)
    open_item (self, item);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);
  g_autoptr(OdHistoryItem) item = get_item (self, parameter);

  if (item == NULL || od_history_item_get_bolt12 (item)[0] == '\0')
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), od_history_item_get_bolt12 (item));
  toast (self, od_history_item_get_kind_enum (item) == OD_KIND_OFFER
               ? _("Offer copied") : _("Request copied"));
}

typedef struct
{
  OdHistoryPage *self;
  gboolean       enable;
  OdKind         kind;
} SetActiveData;

static void
set_active_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SetActiveData *data = user_data;
  OdHistoryPage *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = od_command_call_finish (result, &error);

  if (node == NULL)
    {
      g_autofree char *text = g_strdup_printf (data->enable ? _("Could not enable: %s")
                                                            : _("Could not disable: %s"),
                                               error->message);
      toast (self, text);
    }
  else
    {
      if (data->kind == OD_KIND_OFFER)
        toast (self, data->enable ? _("Offer enabled") : _("Offer disabled"));
      else
        toast (self, _("Request disabled"));
    }

  if (self->model != NULL)
    od_history_model_refresh (self->model);

  g_object_unref (data->self);
  g_free (data);
}

static void
set_active (OdHistoryPage *self,
            GVariant      *parameter,
            gboolean       enable)
{
  g_autoptr(OdHistoryItem) item = get_item (self, parameter);
  g_autoptr(JsonNode) params = NULL;
  JsonObject *object;
  SetActiveData *data;
  const char *method;
  OdKind kind;

  if (item == NULL || od_history_item_get_id (item)[0] == '\0')
    return;

  kind = od_history_item_get_kind_enum (item);
  if (kind == OD_KIND_OFFER)
    method = enable ? "enableoffer" : "disableoffer";
  else if (!enable)
    method = "disableinvoicerequest";
  else
    return;  /* Core Lightning has no enableinvoicerequest */

  object = json_object_new ();
  json_object_set_string_member (object, kind == OD_KIND_OFFER ? "offer_id" : "invreq_id",
                                 od_history_item_get_id (item));
  params = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);

  data = g_new0 (SetActiveData, 1);
  data->self = g_object_ref (self);
  data->enable = enable;
  data->kind = kind;
  od_command_call_async (od_history_model_get_commands (self->model), method, params, NULL,
                         set_active_cb, data);
}

static void
disable_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  set_active (OD_HISTORY_PAGE (widget), parameter, FALSE);
}

static void
enable_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  set_active (OD_HISTORY_PAGE (widget), parameter, TRUE);
}

static void
payments_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);
  g_autoptr(OdHistoryItem) item = get_item (self, parameter);
  OdPaymentsDialog *dialog;
  GtkRoot *root;

  if (item == NULL || od_history_item_get_kind_enum (item) != OD_KIND_OFFER)
    return;

  root = gtk_widget_get_root (widget);
  dialog = od_payments_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   od_history_model_get_commands (self->model), item);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Export ----------------------------------------------------------------------------- */

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  OdCommands *commands = g_object_get_data (G_OBJECT (task), "od-commands");
  const char *path = task_data;
  g_autoptr(GError) error = NULL;

  if (od_export_csv_file (commands, path, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
export_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (source);
  const char *path = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (self->export_cancellable == NULL)
    return;  /* the page went away (dispose cancelled the export) */

  g_clear_object (&self->export_cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export-to", TRUE);

  if (error == NULL)
    {
      g_autofree char *name = g_filename_display_basename (path);

      /* Translators: a toast; %s is the file name ("history.csv"). */
      text = g_strdup_printf (_("History exported to %s"), name);
    }
  else
    {
      /* Translators: a toast; %s says why, e.g. "Cannot export to /x.csv: Permission denied". */
      text = g_strdup_printf (_("Could not export the history: %s"), error->message);
    }
  toast (self, text);
}

static void
export_to (OdHistoryPage *self,
           const char    *path)
{
  OdWindow *window = get_window (self);
  OdCommands *commands = window != NULL ? od_window_get_commands (window) : NULL;
  g_autoptr(GTask) task = NULL;

  if (commands == NULL || self->export_cancellable != NULL)
    return;

  self->export_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export-to", FALSE);

  task = g_task_new (self, self->export_cancellable, export_cb, NULL);
  g_task_set_source_tag (task, export_to);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* The application keeps retired command layers alive: commands outlives the task. */
  g_object_set_data (G_OBJECT (task), "od-commands", commands);
  g_task_run_in_thread (task, export_thread);
}

static void
export_to_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *path = g_variant_get_string (parameter, NULL);

  if (path[0] != '\0')
    export_to (OD_HISTORY_PAGE (widget), path);
}

static void
on_export_chooser_response_cb (OdHistoryPage        *self,
                               int                   response,
                               GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->export_chooser);

  if (file == NULL)
    return;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      toast (self, _("Could not export the history: only local files can be written"));
      return;
    }
  export_to (self, path);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);
  OdWindow *window = get_window (self);
  OdCommands *commands = window != NULL ? od_window_get_commands (window) : NULL;
  g_autoptr(GtkFileFilter) csv_filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = NULL;

  if (commands == NULL || self->export_chooser != NULL)
    return;

  self->export_chooser = gtk_file_chooser_native_new (_("Export History"),
                                                      GTK_WINDOW (window),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);

  gtk_file_filter_set_name (csv_filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (csv_filter, "text/csv");
  gtk_file_filter_add_pattern (csv_filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->export_chooser), csv_filter);
  gtk_file_filter_set_name (all_filter, _("All Files"));
  gtk_file_filter_add_pattern (all_filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->export_chooser), all_filter);

  /* The file name stays untranslated: it is read by programs as much as by people. */
  name = g_strdup_printf ("offerdesk-%s-%s.csv", od_commands_get_network (commands), date);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);

  g_signal_connect_object (self->export_chooser, "response",
                           G_CALLBACK (on_export_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/* Ctrl+E anywhere in the window, while the page is on screen. */
static gboolean
on_export_shortcut_cb (GtkWidget *widget,
                       GVariant  *args,
                       gpointer   user_data)
{
  OdHistoryPage *self = user_data;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;

  return gtk_widget_activate_action (GTK_WIDGET (self), "history.export", NULL);
}

/* The row menu, for what the item can do now. */
static GMenuModel *
create_row_menu (OdHistoryPage *self,
                 guint          position)
{
  g_autoptr(OdHistoryItem) item = NULL;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) open_section = g_menu_new ();
  g_autoptr(GMenu) state_section = g_menu_new ();
  GVariant *target = g_variant_new_uint32 (position);
  struct
  {
    const char *label;
    const char *action;
    GMenu      *section;
    gboolean    shown;
  } entries[5];

  g_variant_ref_sink (target);
  if (self->model != NULL)
    item = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  entries[0].label = _("_Open");
  entries[0].action = "history.open";
  entries[0].section = open_section;
  entries[0].shown = TRUE;
  entries[1].label = _("_Copy");
  entries[1].action = "history.copy";
  entries[1].section = open_section;
  entries[1].shown = TRUE;
  entries[2].label = _("_Payments");
  entries[2].action = "history.payments";
  entries[2].section = open_section;
  entries[2].shown = item != NULL && od_history_item_get_kind_enum (item) == OD_KIND_OFFER;
  entries[3].label = _("_Disable");
  entries[3].action = "history.disable";
  entries[3].section = state_section;
  entries[3].shown = item != NULL && od_history_item_get_active (item);
  entries[4].label = _("_Enable");
  entries[4].action = "history.enable";
  entries[4].section = state_section;
  entries[4].shown = item != NULL && !od_history_item_get_active (item)
                     && od_history_item_get_kind_enum (item) == OD_KIND_OFFER
                     && !(od_history_item_get_single_use (item)
                          && od_history_item_get_used (item));

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(GMenuItem) menu_item = NULL;

      if (!entries[i].shown)
        continue;
      menu_item = g_menu_item_new (entries[i].label, NULL);
      g_menu_item_set_action_and_target_value (menu_item, entries[i].action, target);
      g_menu_append_item (entries[i].section, menu_item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (open_section));
  if (g_menu_model_get_n_items (G_MENU_MODEL (state_section)) > 0)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (state_section));
  g_variant_unref (target);

  return G_MENU_MODEL (g_steal_pointer (&menu));
}

static void
popup_context_menu (OdHistoryPage *self,
                    guint          position,
                    double         x,
                    double         y)
{
  g_autoptr(GMenuModel) menu = create_row_menu (self, position);
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->context_menu), menu);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static GtkListItem *
list_item_at (OdHistoryPage *self,
              double         x,
              double         y)
{
  GtkWidget *widget = gtk_widget_pick (GTK_WIDGET (self->column_view), x, y, GTK_PICK_DEFAULT);

  for (; widget != NULL && widget != GTK_WIDGET (self->column_view);
       widget = gtk_widget_get_parent (widget))
    {
      GtkListItem *list_item = g_object_get_data (G_OBJECT (widget), LIST_ITEM_KEY);

      if (list_item != NULL)
        return list_item;
    }

  return NULL;
}

static void
on_right_click_pressed_cb (GtkGestureClick *gesture,
                           int              n_press,
                           double           x,
                           double           y,
                           OdHistoryPage   *self)
{
  GtkListItem *list_item = list_item_at (self, x, y);
  double page_x = 0, page_y = 0;

  if (list_item == NULL || gtk_list_item_get_item (list_item) == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_translate_coordinates (GTK_WIDGET (self->column_view), GTK_WIDGET (self),
                                    x, y, &page_x, &page_y);
  popup_context_menu (self, gtk_list_item_get_position (list_item), page_x, page_y);
}

static gboolean
on_menu_key_cb (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  OdHistoryPage *self = user_data;
  guint position = gtk_single_selection_get_selected (self->selection);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  graphene_rect_t bounds;
  double x = 24, y = 24;

  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view))
      && gtk_widget_compute_bounds (focus, GTK_WIDGET (self), &bounds))
    {
      x = bounds.origin.x + 24;
      y = bounds.origin.y + bounds.size.height / 2;
    }
  popup_context_menu (self, position, x, y);

  return TRUE;
}

static void
on_column_view_activate_cb (OdHistoryPage *self,
                            guint          position)
{
  g_autoptr(OdHistoryItem) item = NULL;

  if (self->model == NULL)
    return;
  item = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  if (item != NULL)
    open_item (self, item);
}

/* ---- Search --------------------------------------------------------------------------- */

static void
on_search_entry_search_changed_cb (OdHistoryPage *self)
{
  if (self->model != NULL)
    od_history_model_set_filter (self->model,
                                 gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  od_history_page_update_state (self);
}

static void
on_search_entry_activate_cb (OdHistoryPage *self)
{
  if (self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    gtk_widget_child_focus (GTK_WIDGET (self->column_view), GTK_DIR_TAB_FORWARD);
}

static void
on_search_entry_stop_search_cb (OdHistoryPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* ---- Cells ---------------------------------------------------------------------------- */

static const char *
status_text (const char *status)
{
  if (g_strcmp0 (status, "used") == 0)
    return C_("status", "Used");
  if (g_strcmp0 (status, "disabled") == 0)
    return C_("status", "Disabled");
  if (g_strcmp0 (status, "expired") == 0)
    return C_("status", "Expired");
  return C_("status", "Active");
}

static void
update_status_label (GtkLabel      *label,
                     OdHistoryItem *item)
{
  const char *status = od_history_item_get_status (item);
  g_autofree char *class = g_strdup_printf ("od-status-%s", status);
  const char *classes[] = { "od-status-pill", class, NULL };

  gtk_label_set_text (label, status_text (status));
  gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
}

static void
on_item_status_notify_cb (OdHistoryItem *item,
                          GParamSpec    *pspec,
                          GtkLabel      *label)
{
  update_status_label (label, item);
}

static GMenuModel *
menu_button_menu (GtkMenuButton *button,
                  OdHistoryPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), LIST_ITEM_KEY);

  if (list_item == NULL || gtk_list_item_get_item (list_item) == NULL)
    return NULL;
  return create_row_menu (self, gtk_list_item_get_position (list_item));
}

static void
create_menu_popup_cb (GtkMenuButton *button,
                      gpointer       user_data)
{
  g_autoptr(GMenuModel) menu = menu_button_menu (button, user_data);

  gtk_menu_button_set_menu_model (button, menu);
}

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  OdHistoryPage            *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "od-column"));
  GtkWidget *child;

  if (column == COLUMN_MENU)
    {
      child = gtk_menu_button_new ();
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (child), "view-more-symbolic");
      gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (child), FALSE);
      gtk_widget_set_tooltip_text (child, _("More Actions"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Row Actions"), -1);
      gtk_widget_set_halign (child, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
      gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (child), create_menu_popup_cb,
                                             self, NULL);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), column == COLUMN_AMOUNT ? 1.0f : 0.0f);
      gtk_label_set_single_line_mode (GTK_LABEL (child), TRUE);
      if (column == COLUMN_DESCRIPTION || column == COLUMN_LABEL)
        gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      if (column == COLUMN_PAYMENTS || column == COLUMN_RECEIVED)
        gtk_label_set_xalign (GTK_LABEL (child), 1.0f);
      if (column == COLUMN_AMOUNT || column == COLUMN_CREATED || column == COLUMN_PAYMENTS
          || column == COLUMN_RECEIVED || column == COLUMN_LAST_PAID)
        gtk_widget_add_css_class (child, "numeric");
      if (column == COLUMN_STATUS)
        {
          gtk_widget_set_halign (child, GTK_ALIGN_START);
          gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
        }
    }

  g_object_set_data (G_OBJECT (child), LIST_ITEM_KEY, list_item);
  gtk_list_item_set_child (list_item, child);
}

static void
set_optional_text (GtkLabel   *label,
                   const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
}

/* The payments columns of an offer: empty until it is paid (and always for a request). */
static void
update_payments_label (GtkLabel      *label,
                       OdHistoryItem *item)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "od-column"));
  guint64 count = od_history_item_get_paid_count (item);
  g_autofree char *text = NULL;

  if (count > 0)
    {
      switch (column)
        {
        case COLUMN_PAYMENTS:
          text = od_format_integer (count);
          break;
        case COLUMN_RECEIVED:
          text = od_format_sats (od_history_item_get_paid_msat (item));
          break;
        case COLUMN_LAST_PAID:
          text = od_format_history_date (od_history_item_get_last_paid_at (item));
          break;
        case COLUMN_CREATED:
        case COLUMN_KIND:
        case COLUMN_DESCRIPTION:
        case COLUMN_AMOUNT:
        case COLUMN_LABEL:
        case COLUMN_STATUS:
        case COLUMN_MENU:
        default:
          g_assert_not_reached ();
        }
    }

  set_optional_text (label, text);
}

static void
on_item_payments_notify_cb (OdHistoryItem *item,
                            GParamSpec    *pspec,
                            GtkLabel      *label)
{
  update_payments_label (label, item);
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 OdHistoryPage            *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "od-column"));
  OdHistoryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkLabel *label = GTK_IS_LABEL (child) ? GTK_LABEL (child) : NULL;

  switch (column)
    {
    case COLUMN_CREATED:
      {
        g_autofree char *text = od_format_history_date (od_history_item_get_created_at (item));

        set_optional_text (label, text);
      }
      break;
    case COLUMN_KIND:
      gtk_label_set_text (label, od_history_item_get_kind_enum (item) == OD_KIND_OFFER
                                 ? C_("kind", "Offer") : C_("kind", "Refund / Payout"));
      break;
    case COLUMN_DESCRIPTION:
      set_optional_text (label, od_history_item_get_description (item));
      gtk_widget_set_tooltip_text (child, od_history_item_get_description (item));
      break;
    case COLUMN_AMOUNT:
      /* Amounts in msat in the app's words ("2,500 sats", as the result view and the Received
       * column say them); a currency amount keeps the model's "10.05 USD". */
      if (od_history_item_has_amount_msat (item))
        {
          g_autofree char *text = od_format_sats (od_history_item_get_amount_msat (item));

          gtk_label_set_text (label, text);
        }
      else
        {
          gtk_label_set_text (label, g_strcmp0 (od_history_item_get_amount (item), "any") == 0
                                     ? C_("amount", "any") : od_history_item_get_amount (item));
        }
      break;
    case COLUMN_LABEL:
      set_optional_text (label, od_history_item_get_label (item));
      break;
    case COLUMN_STATUS:
      update_status_label (label, item);
      g_signal_connect_object (item, "notify::status", G_CALLBACK (on_item_status_notify_cb),
                               label, 0);
      break;
    case COLUMN_PAYMENTS:
    case COLUMN_RECEIVED:
    case COLUMN_LAST_PAID:
      g_object_set_data (G_OBJECT (label), "od-column", GUINT_TO_POINTER (column));
      update_payments_label (label, item);
      /* paid-count, paid-msat and last-paid-at change together, in one thaw. */
      g_signal_connect_object (item, "notify::paid-count",
                               G_CALLBACK (on_item_payments_notify_cb), label, 0);
      g_signal_connect_object (item, "notify::paid-msat",
                               G_CALLBACK (on_item_payments_notify_cb), label, 0);
      g_signal_connect_object (item, "notify::last-paid-at",
                               G_CALLBACK (on_item_payments_notify_cb), label, 0);
      break;
    case COLUMN_MENU:
      {
        g_autofree char *name = g_strdup_printf (_("Actions for %s"),
                                                 od_history_item_get_description (item) != NULL
                                                 ? od_history_item_get_description (item)
                                                 : od_history_item_get_id (item));
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        name, -1);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_cell_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   OdHistoryPage            *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "od-column"));
  OdHistoryItem *item = gtk_list_item_get_item (list_item);

  if (column == COLUMN_STATUS && item != NULL)
    g_signal_handlers_disconnect_by_func (item, on_item_status_notify_cb,
                                          gtk_list_item_get_child (list_item));
  if ((column == COLUMN_PAYMENTS || column == COLUMN_RECEIVED || column == COLUMN_LAST_PAID)
      && item != NULL)
    g_signal_handlers_disconnect_by_func (item, on_item_payments_notify_cb,
                                          gtk_list_item_get_child (list_item));
}

static void
add_column (OdHistoryPage *self,
            Column         column,
            const char    *title,
            gboolean       expand,
            int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_object_set_data (G_OBJECT (factory), "od-column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, column != COLUMN_MENU);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
od_history_page_dispose (GObject *object)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (object);

  g_clear_handle_id (&self->recheck_id, g_source_remove);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (od_history_page_parent_class)->dispose (object);
}

static void
od_history_page_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  OdHistoryPage *self = OD_HISTORY_PAGE (widget);

  GTK_WIDGET_CLASS (od_history_page_parent_class)->size_allocate (widget, width, height,
                                                                  baseline);

  if (self->context_menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
od_history_page_class_init (OdHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_history_page_dispose;
  widget_class->map = od_history_page_map;
  widget_class->size_allocate = od_history_page_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OdHistoryPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, OdHistoryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, OdHistoryPage, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search_cb);

  gtk_widget_class_install_action (widget_class, "history.open", "u", open_action);
  gtk_widget_class_install_action (widget_class, "history.copy", "u", copy_action);
  gtk_widget_class_install_action (widget_class, "history.disable", "u", disable_action);
  gtk_widget_class_install_action (widget_class, "history.enable", "u", enable_action);
  gtk_widget_class_install_action (widget_class, "history.payments", "u", payments_action);
  gtk_widget_class_install_action (widget_class, "history.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "history.export-to", "s", export_to_action);
}

static void
od_history_page_init (OdHistoryPage *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COLUMN_CREATED, C_("column", "Created"), FALSE, -1);
  add_column (self, COLUMN_KIND, C_("column", "Kind"), FALSE, -1);
  add_column (self, COLUMN_DESCRIPTION, C_("column", "Description"), TRUE, -1);
  add_column (self, COLUMN_AMOUNT, C_("column", "Amount"), FALSE, -1);
  add_column (self, COLUMN_LABEL, C_("column", "Label"), FALSE, 120);
  add_column (self, COLUMN_STATUS, C_("column", "Status"), FALSE, -1);
  /* Translators: history columns of an offer's payments: how many, the total received and
   * when the last one arrived. */
  add_column (self, COLUMN_PAYMENTS, C_("column", "Payments"), FALSE, -1);
  add_column (self, COLUMN_RECEIVED, C_("column", "Received"), FALSE, -1);
  add_column (self, COLUMN_LAST_PAID, C_("column", "Last Paid"), FALSE, -1);
  add_column (self, COLUMN_MENU, NULL, FALSE, -1);

  self->context_menu = gtk_popover_menu_new_from_model (NULL);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->context_menu), GTK_POS_BOTTOM);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_right_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10,
                                                                           GDK_SHIFT_MASK)),
                      gtk_callback_action_new (on_menu_key_cb, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);

  /* Managed: the window runs it whatever has the focus; the callback declines while the page
   * is not on screen. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_e, GDK_CONTROL_MASK),
                      gtk_callback_action_new (on_export_shortcut_cb, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  od_history_page_update_state (self);
}

/**
 * od_history_page_focus_search:
 *
 * Moves the keyboard focus to the search entry (Ctrl+F), selecting its text.
 */
void
od_history_page_focus_search (OdHistoryPage *self)
{
  g_return_if_fail (OD_IS_HISTORY_PAGE (self));

  od_history_page_ensure_model (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}
