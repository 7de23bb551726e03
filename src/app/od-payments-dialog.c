/* od-payments-dialog.c: the payments of one offer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A modal window over the history with the payments the store recorded for one offer (what
 * the node reported: amount received, when, the payer's note, quantity, recurrence counter and
 * the invoice's label), newest first, under a one-line summary.  The store is read in a worker
 * thread (a busy database may be waited for), and read again when the offer's paid-count
 * changes, so a payment arriving while the dialog is open shows up.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "od-format.h"
#include "od-payments-dialog.h"

/* ---- A payment as a list item ---------------------------------------------------------- */

#define OD_TYPE_PAYMENT_OBJECT (od_payment_object_get_type ())

G_DECLARE_FINAL_TYPE (OdPaymentObject, od_payment_object, OD, PAYMENT_OBJECT, GObject)

struct _OdPaymentObject
{
  GObject    parent_instance;
  OdPayment *payment;
};

G_DEFINE_FINAL_TYPE (OdPaymentObject, od_payment_object, G_TYPE_OBJECT)

static void
od_payment_object_finalize (GObject *object)
{
  OdPaymentObject *self = OD_PAYMENT_OBJECT (object);

  g_clear_pointer (&self->payment, od_payment_free);

  G_OBJECT_CLASS (od_payment_object_parent_class)->finalize (object);
}

static void
od_payment_object_class_init (OdPaymentObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = od_payment_object_finalize;
}

static void
od_payment_object_init (OdPaymentObject *self)
{
}

/* Takes payment. */
static OdPaymentObject *
od_payment_object_new (OdPayment *payment)
{
  OdPaymentObject *self = g_object_new (OD_TYPE_PAYMENT_OBJECT, NULL);

  self->payment = payment;

  return self;
}

/* ---- The dialog ------------------------------------------------------------------------- */

struct _OdPaymentsDialog
{
  AdwWindow       parent_instance;

  GtkColumnView  *column_view;
  AdwStatusPage  *error_page;
  GtkSpinner     *spinner;
  GtkStack       *stack;
  GtkLabel       *summary_label;
  AdwWindowTitle *window_title;

  OdCommands     *commands;
  OdHistoryItem  *item;
  GListStore     *payments;     /* OdPaymentObject, newest first */
  GCancellable   *cancellable;  /* of the read under way */
  gboolean        reload;       /* paid-count changed during a read: read again */
};

G_DEFINE_FINAL_TYPE (OdPaymentsDialog, od_payments_dialog, ADW_TYPE_WINDOW)

typedef enum
{
  COLUMN_PAID_AT,
  COLUMN_AMOUNT,
  COLUMN_QUANTITY,
  COLUMN_COUNTER,
  COLUMN_NOTE,
  COLUMN_LABEL,
} Column;

static void od_payments_dialog_load (OdPaymentsDialog *self);

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OdCommands *commands = g_object_get_data (G_OBJECT (task), "od-commands");
  const char *offer_id = task_data;
  g_autoptr(GError) error = NULL;
  OdStore *store;
  GPtrArray *payments;

  store = od_commands_open_store (commands, FALSE, &error);
  if (store == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else  /* no database yet: nothing was paid */
        g_task_return_pointer (task, g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  payments = od_store_list_payments (store, offer_id, &error);
  if (payments == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, payments, (GDestroyNotify) g_ptr_array_unref);
}

static void
update_summary (OdPaymentsDialog *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->payments));
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;
  guint64 msat = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OdPaymentObject) object = g_list_model_get_item (G_LIST_MODEL (self->payments),
                                                                  i);

      /* At most 21e6 BTC each; a sum past G_MAXUINT64 would need ~9 of them: saturate. */
      msat = object->payment->amount_msat > G_MAXUINT64 - msat
             ? G_MAXUINT64 : msat + object->payment->amount_msat;
    }

  total = od_format_sats (msat);
  /* Translators: the payments dialog's summary, "3 payments, 12,000 sats received". */
  text = g_strdup_printf (ngettext ("%u payment, %s received", "%u payments, %s received", n),
                          n, total);
  gtk_label_set_text (self->summary_label, text);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OdPaymentsDialog *self = OD_PAYMENTS_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);

  if (payments == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);
      gsize n = 0;
      g_autofree gpointer *items = g_ptr_array_steal (payments, &n);

      /* The store lists them oldest first. */
      for (gsize i = n; i > 0; i--)
        g_ptr_array_add (objects, od_payment_object_new (items[i - 1]));
      g_list_store_splice (self->payments, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->payments)),
                           objects->pdata, objects->len);
      update_summary (self);
      gtk_stack_set_visible_child_name (self->stack, objects->len > 0 ? "list" : "empty");
    }

  if (self->reload)
    od_payments_dialog_load (self);
}

static void
od_payments_dialog_load (OdPaymentsDialog *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->cancellable != NULL)
    {
      /* One read at a time; the change is picked up by reading again after it. */
      self->reload = TRUE;
      return;
    }
  self->reload = FALSE;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->payments)) == 0)
    {
      gtk_spinner_start (self->spinner);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, od_payments_dialog_load);
  g_task_set_task_data (task, g_strdup (od_history_item_get_id (self->item)), g_free);
  g_object_set_data (G_OBJECT (task), "od-commands", self->commands);
  g_task_run_in_thread (task, load_thread);
}

static void
on_item_paid_count_notify_cb (OdPaymentsDialog *self)
{
  od_payments_dialog_load (self);
}

/* ---- Cells ---------------------------------------------------------------------------- */

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "od-column"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label),
                        column == COLUMN_AMOUNT || column == COLUMN_QUANTITY
                        || column == COLUMN_COUNTER ? 1.0f : 0.0f);
  if (column == COLUMN_NOTE || column == COLUMN_LABEL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column != COLUMN_NOTE && column != COLUMN_LABEL)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "od-column"));
  OdPaymentObject *object = gtk_list_item_get_item (list_item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  const OdPayment *payment = object->payment;
  g_autofree char *text = NULL;
  const char *plain = NULL;

  switch (column)
    {
    case COLUMN_PAID_AT:
      text = od_format_history_date (payment->paid_at);
      break;
    case COLUMN_AMOUNT:
      text = od_format_sats (payment->amount_msat);
      break;
    case COLUMN_QUANTITY:
      if (payment->has_quantity)
        text = od_format_integer (payment->quantity);
      break;
    case COLUMN_COUNTER:
      if (payment->has_recurrence_counter)
        text = od_format_integer (payment->recurrence_counter);
      break;
    case COLUMN_NOTE:
      plain = payment->payer_note;
      break;
    case COLUMN_LABEL:
      plain = payment->label;
      break;
    default:
      g_assert_not_reached ();
    }

  if (text != NULL)
    plain = text;
  gtk_label_set_text (label, plain != NULL ? plain : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label),
                               column == COLUMN_NOTE || column == COLUMN_LABEL ? plain : NULL);
}

static void
add_column (OdPaymentsDialog *self,
            Column            column,
            const char       *title,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_object_set_data (G_OBJECT (factory), "od-column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
od_payments_dialog_dispose (GObject *object)
{
  OdPaymentsDialog *self = OD_PAYMENTS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, on_item_paid_count_notify_cb, self);
  g_clear_object (&self->item);
  g_clear_object (&self->payments);

  gtk_widget_dispose_template (GTK_WIDGET (self), OD_TYPE_PAYMENTS_DIALOG);

  G_OBJECT_CLASS (od_payments_dialog_parent_class)->dispose (object);
}

static void
od_payments_dialog_class_init (OdPaymentsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = od_payments_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/offerdesk/Offerdesk/od-payments-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, column_view);
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, OdPaymentsDialog, window_title);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
od_payments_dialog_init (OdPaymentsDialog *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->payments = g_list_store_new (OD_TYPE_PAYMENT_OBJECT);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->payments)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  add_column (self, COLUMN_PAID_AT, C_("column", "Paid"), FALSE);
  add_column (self, COLUMN_AMOUNT, C_("column", "Amount"), FALSE);
  /* Translators: a column of the payments list: how many items the payer asked for. */
  add_column (self, COLUMN_QUANTITY, C_("column", "Quantity"), FALSE);
  /* Translators: a column of the payments list: which period of a recurring offer the
   * payment is for (Core Lightning's recurrence counter, 0 for the first). */
  add_column (self, COLUMN_COUNTER, C_("column", "Period"), FALSE);
  add_column (self, COLUMN_NOTE, C_("column", "Payer Note"), TRUE);
  add_column (self, COLUMN_LABEL, C_("column", "Label"), FALSE);
}

/**
 * od_payments_dialog_new:
 *
 * A dialog listing the payments of the offer @item, transient for @parent.  Call
 * gtk_window_present() on it.
 */
OdPaymentsDialog *
od_payments_dialog_new (GtkWindow     *parent,
                        OdCommands    *commands,
                        OdHistoryItem *item)
{
  OdPaymentsDialog *self;
  const char *description;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (commands != NULL, NULL);
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (item), NULL);

  self = g_object_new (OD_TYPE_PAYMENTS_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->commands = commands;
  self->item = g_object_ref (item);

  description = od_history_item_get_description (item);
  adw_window_title_set_subtitle (self->window_title, description != NULL ? description : "");
  g_signal_connect_object (item, "notify::paid-count",
                           G_CALLBACK (on_item_paid_count_notify_cb), self, G_CONNECT_SWAPPED);

  od_payments_dialog_load (self);

  return self;
}

OdHistoryItem *
od_payments_dialog_get_item (OdPaymentsDialog *self)
{
  g_return_val_if_fail (OD_IS_PAYMENTS_DIALOG (self), NULL);

  return self->item;
}

const char *
od_payments_dialog_get_state (OdPaymentsDialog *self)
{
  g_return_val_if_fail (OD_IS_PAYMENTS_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

guint
od_payments_dialog_get_n_payments (OdPaymentsDialog *self)
{
  g_return_val_if_fail (OD_IS_PAYMENTS_DIALOG (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->payments));
}

const OdPayment *
od_payments_dialog_get_payment (OdPaymentsDialog *self,
                                guint             position)
{
  g_autoptr(OdPaymentObject) object = NULL;

  g_return_val_if_fail (OD_IS_PAYMENTS_DIALOG (self), NULL);

  object = g_list_model_get_item (G_LIST_MODEL (self->payments), position);

  /* The store keeps its reference: the payment lives as long as it is listed. */
  return object != NULL ? object->payment : NULL;
}
