/* od-history-model.c: the history as a GListModel, paged from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pages: page i holds positions [i * PAGE_SIZE, (i + 1) * PAGE_SIZE).  A page is read with a
 * keyset query when a page next to it is cached (od_store_history_page_after the one before,
 * od_store_history_page_before the one after), else with an OFFSET query from the nearer end
 * of the list (od_store_history_page / od_store_history_page_from_end, which need n_items): the
 * first and last pages cost the same at any size, the middle one a walk of the index over half
 * of the list (no rows read).  Pages are kept in a small LRU (a GQueue, most recent first).
 *
 * Item identity: `live` maps seq -> item for every item alive (a weak reference each), so a
 * row read again returns the object the view already holds, updated in place.
 */

#include "config.h"

#include "od-history-model.h"

#include "od-commands-private.h"

#include <string.h>

#include "bolt12-amount.h"

#define POLL_INTERVAL_SECONDS 1

/* ------------------------------------------------------------------------------------------ */
/* OdHistoryItem                                                                               */
/* ------------------------------------------------------------------------------------------ */

struct _OdHistoryItem
{
  GObject   parent_instance;

  gint64    seq;
  OdKind    kind;
  char     *id;
  char     *bolt12;
  char     *description;
  char     *label;
  char     *issuer;
  char     *refund_for;
  char     *amount;
  guint64   amount_msat;
  gint64    created_at;
  gboolean  has_amount_msat;
  gboolean  has_absolute_expiry;
  guint64   absolute_expiry;
  gboolean  active;
  gboolean  single_use;
  gboolean  used;
  const char *status;        /* static string */
  char     *node_id;
  guint64   paid_count;
  guint64   paid_msat;
  gint64    last_paid_at;
};

G_DEFINE_FINAL_TYPE (OdHistoryItem, od_history_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_KIND,
  ITEM_PROP_SEQ,
  ITEM_PROP_ID,
  ITEM_PROP_BOLT12,
  ITEM_PROP_DESCRIPTION,
  ITEM_PROP_AMOUNT,
  ITEM_PROP_AMOUNT_MSAT,
  ITEM_PROP_LABEL,
  ITEM_PROP_ISSUER,
  ITEM_PROP_REFUND_FOR,
  ITEM_PROP_STATUS,
  ITEM_PROP_CREATED_AT,
  ITEM_PROP_ACTIVE,
  ITEM_PROP_SINGLE_USE,
  ITEM_PROP_USED,
  ITEM_PROP_NODE_ID,
  ITEM_PROP_PAID_COUNT,
  ITEM_PROP_PAID_MSAT,
  ITEM_PROP_LAST_PAID_AT,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
od_history_item_finalize (GObject *object)
{
  OdHistoryItem *self = OD_HISTORY_ITEM (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->bolt12, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->refund_for, g_free);
  g_clear_pointer (&self->amount, g_free);
  g_clear_pointer (&self->node_id, g_free);

  G_OBJECT_CLASS (od_history_item_parent_class)->finalize (object);
}

static void
od_history_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OdHistoryItem *self = OD_HISTORY_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_KIND:
      g_value_set_string (value, od_history_item_get_kind (self));
      break;
    case ITEM_PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case ITEM_PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case ITEM_PROP_BOLT12:
      g_value_set_string (value, self->bolt12);
      break;
    case ITEM_PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case ITEM_PROP_AMOUNT:
      g_value_set_string (value, self->amount);
      break;
    case ITEM_PROP_AMOUNT_MSAT:
      g_value_set_uint64 (value, self->amount_msat);
      break;
    case ITEM_PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case ITEM_PROP_ISSUER:
      g_value_set_string (value, self->issuer);
      break;
    case ITEM_PROP_REFUND_FOR:
      g_value_set_string (value, self->refund_for);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case ITEM_PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case ITEM_PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case ITEM_PROP_SINGLE_USE:
      g_value_set_boolean (value, self->single_use);
      break;
    case ITEM_PROP_USED:
      g_value_set_boolean (value, self->used);
      break;
    case ITEM_PROP_NODE_ID:
      g_value_set_string (value, self->node_id);
      break;
    case ITEM_PROP_PAID_COUNT:
      g_value_set_uint64 (value, self->paid_count);
      break;
    case ITEM_PROP_PAID_MSAT:
      g_value_set_uint64 (value, self->paid_msat);
      break;
    case ITEM_PROP_LAST_PAID_AT:
      g_value_set_int64 (value, self->last_paid_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_history_item_class_init (OdHistoryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = od_history_item_finalize;
  object_class->get_property = od_history_item_get_property;

  item_properties[ITEM_PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, "offer", flags);
  item_properties[ITEM_PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_BOLT12] =
    g_param_spec_string ("bolt12", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_AMOUNT] =
    g_param_spec_string ("amount", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_AMOUNT_MSAT] =
    g_param_spec_uint64 ("amount-msat", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  item_properties[ITEM_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_ISSUER] =
    g_param_spec_string ("issuer", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_REFUND_FOR] =
    g_param_spec_string ("refund-for", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, "active", flags);
  item_properties[ITEM_PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_SINGLE_USE] =
    g_param_spec_boolean ("single-use", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_USED] =
    g_param_spec_boolean ("used", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_NODE_ID] =
    g_param_spec_string ("node-id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_PAID_COUNT] =
    g_param_spec_uint64 ("paid-count", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  item_properties[ITEM_PROP_PAID_MSAT] =
    g_param_spec_uint64 ("paid-msat", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  item_properties[ITEM_PROP_LAST_PAID_AT] =
    g_param_spec_int64 ("last-paid-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
od_history_item_init (OdHistoryItem *self)
{
  self->status = "active";
}

static const char *
status_for (gboolean  active,
            gboolean  used,
            gboolean  has_absolute_expiry,
            guint64   absolute_expiry,
            gint64    now)
{
  if (!active)
    return used ? "used" : "disabled";
  if (has_absolute_expiry && now >= 0 && absolute_expiry < (guint64) now)
    return "expired";
  return "active";
}

/* "1 000", "21 000 000": groups of three digits separated by spaces. */
static void
append_grouped (GString *out,
                guint64  value)
{
  char digits[32];
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, value);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
}

static char *
format_amount (const OdHistoryRow *row)
{
  GString *out = g_string_new (NULL);

  if (row->currency != NULL)
    {
      g_autofree char *major = bolt12_currency_format (row->currency_amount, row->currency);

      if (major != NULL)
        g_string_append (out, major);
      else
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, row->currency_amount);
      g_string_append_printf (out, " %s", row->currency);
    }
  else if (row->has_amount_msat)
    {
      guint64 fraction = row->amount_msat % 1000;

      append_grouped (out, row->amount_msat / 1000);
      if (fraction != 0)
        {
          char digits[8];
          gsize len;

          g_snprintf (digits, sizeof digits, "%03u", (guint) fraction);
          len = strlen (digits);
          while (len > 0 && digits[len - 1] == '0')
            digits[--len] = '\0';
          g_string_append_printf (out, ".%s", digits);
        }
      g_string_append (out, " sat");
    }
  else
    {
      g_string_append (out, "any");
    }

  return g_string_free (out, FALSE);
}

OdHistoryItem *
od_history_item_new_for_row (const OdHistoryRow *row,
                             gint64              now)
{
  OdHistoryItem *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (OD_TYPE_HISTORY_ITEM, NULL);
  self->seq = row->seq;
  self->kind = row->kind;
  self->id = g_strdup (row->id);
  self->bolt12 = g_strdup (row->bolt12);
  self->description = g_strdup (row->description);
  self->label = g_strdup (row->label);
  self->issuer = g_strdup (row->issuer);
  self->refund_for = g_strdup (row->refund_for);
  self->amount = format_amount (row);
  self->has_amount_msat = row->has_amount_msat && row->currency == NULL;
  self->amount_msat = self->has_amount_msat ? row->amount_msat : 0;
  self->created_at = row->created_at;
  self->has_absolute_expiry = row->has_absolute_expiry;
  self->absolute_expiry = row->absolute_expiry;
  self->active = row->active;
  self->single_use = row->single_use;
  self->used = row->used;
  self->status = status_for (self->active, self->used, self->has_absolute_expiry,
                             self->absolute_expiry, now);
  self->node_id = g_strdup (row->node_id);
  self->paid_count = row->paid_count;
  self->paid_msat = row->paid_msat;
  self->last_paid_at = row->last_paid_at;

  return self;
}

/* A blank item, for a position whose row vanished under us (never NULL for a valid position,
 * as GListModel requires); the next refresh replaces it. */
static OdHistoryItem *
od_history_item_new_placeholder (void)
{
  OdHistoryItem *self = g_object_new (OD_TYPE_HISTORY_ITEM, NULL);

  self->id = g_strdup ("");
  self->bolt12 = g_strdup ("");
  self->amount = g_strdup ("");
  self->status = "disabled";

  return self;
}

/* The row's mutable state (status flags) and the status against now; notifies what changed. */
static void
od_history_item_update (OdHistoryItem *self,
                        gboolean       active,
                        gboolean       used,
                        gint64         now)
{
  const char *status;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->active != active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ACTIVE]);
    }
  if (self->used != used)
    {
      self->used = used;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_USED]);
    }
  status = status_for (self->active, self->used, self->has_absolute_expiry,
                       self->absolute_expiry, now);
  if (g_strcmp0 (status, self->status) != 0)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATUS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Everything of a row that can change after it was stored: its status flags, its payments
 * (od_store_add_payment) and the node it is on; notifies what changed. */
static void
od_history_item_update_from_row (OdHistoryItem      *self,
                                 const OdHistoryRow *row,
                                 gint64              now)
{
  g_object_freeze_notify (G_OBJECT (self));
  od_history_item_update (self, row->active, row->used, now);
  if (g_strcmp0 (self->node_id, row->node_id) != 0)
    {
      g_free (self->node_id);
      self->node_id = g_strdup (row->node_id);
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_NODE_ID]);
    }
  if (self->paid_count != row->paid_count)
    {
      self->paid_count = row->paid_count;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_PAID_COUNT]);
    }
  if (self->paid_msat != row->paid_msat)
    {
      self->paid_msat = row->paid_msat;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_PAID_MSAT]);
    }
  if (self->last_paid_at != row->last_paid_at)
    {
      self->last_paid_at = row->last_paid_at;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LAST_PAID_AT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
od_history_item_get_kind (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->kind == OD_KIND_INVOICE_REQUEST ? "invoice_request" : "offer";
}

OdKind
od_history_item_get_kind_enum (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), OD_KIND_OFFER);

  return self->kind;
}

gint64
od_history_item_get_seq (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->seq;
}

const char *
od_history_item_get_id (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->id;
}

const char *
od_history_item_get_bolt12 (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->bolt12;
}

const char *
od_history_item_get_description (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->description;
}

const char *
od_history_item_get_label (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->label;
}

const char *
od_history_item_get_issuer (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->issuer;
}

const char *
od_history_item_get_refund_for (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->refund_for;
}

const char *
od_history_item_get_amount (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->amount;
}

guint64
od_history_item_get_amount_msat (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->amount_msat;
}

gboolean
od_history_item_has_amount_msat (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), FALSE);

  return self->has_amount_msat;
}

const char *
od_history_item_get_status (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->status;
}

gint64
od_history_item_get_created_at (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->created_at;
}

gboolean
od_history_item_get_active (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), FALSE);

  return self->active;
}

gboolean
od_history_item_get_single_use (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), FALSE);

  return self->single_use;
}

gboolean
od_history_item_get_used (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), FALSE);

  return self->used;
}

const char *
od_history_item_get_node_id (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  return self->node_id;
}

guint64
od_history_item_get_paid_count (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->paid_count;
}

guint64
od_history_item_get_paid_msat (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->paid_msat;
}

gint64
od_history_item_get_last_paid_at (OdHistoryItem *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), 0);

  return self->last_paid_at;
}

JsonObject *
od_history_item_to_result (OdHistoryItem *self)
{
  JsonObject *result;

  g_return_val_if_fail (OD_IS_HISTORY_ITEM (self), NULL);

  result = json_object_new ();
  json_object_set_string_member (result,
                                 self->kind == OD_KIND_INVOICE_REQUEST ? "invreq_id" : "offer_id",
                                 self->id);
  json_object_set_boolean_member (result, "active", self->active);
  json_object_set_boolean_member (result, "single_use", self->single_use);
  json_object_set_string_member (result, "bolt12", self->bolt12);
  json_object_set_boolean_member (result, "used", self->used);
  if (self->label != NULL)
    json_object_set_string_member (result, "label", self->label);

  return result;
}

/* ------------------------------------------------------------------------------------------ */
/* OdHistoryModel                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  guint      index;
  GPtrArray *items;    /* OdHistoryItem*, owned */
  GList      link;     /* in OdHistoryModel.lru, data = the page */
} Page;

struct _OdHistoryModel
{
  GObject     parent_instance;

  OdCommands *commands;   /* not owned */
  char       *filter;     /* never NULL */
  OdStore    *store;      /* the commands' store; NULL until the file exists */
  GError     *error;
  guint64     data_version;
  guint       n_items;
  guint       poll_id;

  GHashTable *pages;      /* page index -> Page* (owned) */
  GQueue      lru;        /* of Page.link, most recently used first */
  GHashTable *live;       /* &item->seq -> OdHistoryItem* (weak) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OdHistoryModel, od_history_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_FILTER,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (gpointer data)
{
  Page *page = data;

  g_ptr_array_unref (page->items);
  g_free (page);
}

static void
clear_pages (OdHistoryModel *self)
{
  /* The links live in the pages: forget them, then free the pages. */
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->pages);
}

static void
item_finalized_cb (gpointer  data,
                   GObject  *where_the_object_was)
{
  OdHistoryModel *self = data;
  OdHistoryItem *item = (OdHistoryItem *) where_the_object_was;

  /* The object is gone but its memory is still there: seq is readable. */
  g_hash_table_remove (self->live, &item->seq);
}

static void
set_error (OdHistoryModel *self,
           GError         *error)
{
  if (error != NULL)
    g_debug ("History of %s/%s: %s", od_commands_get_data_dir (self->commands),
             od_commands_get_network (self->commands), error->message);
  g_clear_error (&self->error);
  self->error = error;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The commands' store once its file exists (the model never creates it).  TRUE when the model
 * has a store. */
static gboolean
ensure_store (OdHistoryModel *self)
{
  GError *error = NULL;

  if (self->store != NULL)
    return TRUE;

  self->store = od_commands_get_store (self->commands, FALSE, &error);
  set_error (self, error);
  if (self->store == NULL)
    return FALSE;
  self->data_version = od_store_data_version (self->store);

  return TRUE;
}

static guint
count_items (OdHistoryModel *self)
{
  GError *error = NULL;
  guint64 count = 0;

  if (!ensure_store (self))
    return 0;
  if (!od_store_history_count (self->store, self->filter, &count, &error))
    {
      set_error (self, error);
      return 0;
    }
  set_error (self, NULL);

  return (guint) MIN (count, (guint64) G_MAXUINT);
}

/* Re-counts, drops the cached pages and tells the views.  Live items stay, and are updated
 * when their rows are read again. */
static void
reload (OdHistoryModel *self)
{
  guint old_n = self->n_items;

  clear_pages (self);
  self->n_items = count_items (self);

  if (old_n != 0 || self->n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
  if (old_n != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* TRUE when the database changed since the last look (or appeared). */
static gboolean
check_changed (OdHistoryModel *self)
{
  guint64 version;

  if (self->store == NULL)
    return ensure_store (self);

  version = od_store_data_version (self->store);
  if (version == self->data_version)
    return FALSE;
  self->data_version = version;

  return TRUE;
}

static void
update_expiry (OdHistoryModel *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = now_seconds ();

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      OdHistoryItem *item = value;

      if (item->has_absolute_expiry)
        od_history_item_update (item, item->active, item->used, now);
    }
}

static gboolean
poll_cb (gpointer data)
{
  OdHistoryModel *self = data;

  if (check_changed (self))
    reload (self);
  else
    update_expiry (self);

  return G_SOURCE_CONTINUE;
}

static OdHistoryItem *
item_for_row (OdHistoryModel     *self,
              const OdHistoryRow *row,
              gint64              now)
{
  OdHistoryItem *item = g_hash_table_lookup (self->live, &row->seq);

  if (item != NULL)
    {
      od_history_item_update_from_row (item, row, now);
      return g_object_ref (item);
    }

  item = od_history_item_new_for_row (row, now);
  g_object_weak_ref (G_OBJECT (item), item_finalized_cb, self);
  g_hash_table_insert (self->live, &item->seq, item);

  return item;
}

static Page *
load_page (OdHistoryModel *self,
           guint           index)
{
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;
  Page *previous = NULL;
  Page *next;
  Page *page;
  gint64 now = now_seconds ();
  guint start = index * OD_HISTORY_MODEL_PAGE_SIZE;
  guint length = MIN (OD_HISTORY_MODEL_PAGE_SIZE, self->n_items - start);

  if (index > 0)
    previous = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index - 1));
  next = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index + 1));

  /* Next to a page in the cache: keyset, as cheap at any depth.  Otherwise OFFSET from the
   * nearer end, so no read walks more than half of the list. */
  if (self->store == NULL)
    rows = g_ptr_array_new ();
  else if (previous != NULL && previous->items->len == OD_HISTORY_MODEL_PAGE_SIZE)
    {
      OdHistoryItem *last = g_ptr_array_index (previous->items, previous->items->len - 1);

      rows = od_store_history_page_after (self->store, self->filter, last->created_at,
                                          last->seq, OD_HISTORY_MODEL_PAGE_SIZE, &error);
    }
  else if (next != NULL && next->items->len > 0)
    {
      OdHistoryItem *first = g_ptr_array_index (next->items, 0);

      rows = od_store_history_page_before (self->store, self->filter, first->created_at,
                                           first->seq, OD_HISTORY_MODEL_PAGE_SIZE, &error);
    }
  else if (start <= self->n_items - (start + length))
    rows = od_store_history_page (self->store, self->filter, start,
                                  OD_HISTORY_MODEL_PAGE_SIZE, &error);
  else
    rows = od_store_history_page_from_end (self->store, self->filter,
                                           self->n_items - (start + length), length, &error);
  if (rows == NULL)
    {
      set_error (self, error);
      rows = g_ptr_array_new ();
    }

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_full (rows->len, g_object_unref);
  page->link.data = page;
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (page->items, item_for_row (self, g_ptr_array_index (rows, i), now));

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  g_queue_push_head_link (&self->lru, &page->link);
  while (self->lru.length > OD_HISTORY_MODEL_MAX_PAGES)
    {
      GList *oldest = g_queue_pop_tail_link (&self->lru);

      g_hash_table_remove (self->pages, GUINT_TO_POINTER (((Page *) oldest->data)->index));
    }

  return page;
}

static GType
od_history_model_get_item_type (GListModel *model)
{
  return OD_TYPE_HISTORY_ITEM;
}

static guint
od_history_model_get_n_items (GListModel *model)
{
  return OD_HISTORY_MODEL (model)->n_items;
}

static gpointer
od_history_model_get_item (GListModel *model,
                           guint       position)
{
  OdHistoryModel *self = OD_HISTORY_MODEL (model);
  guint index = position / OD_HISTORY_MODEL_PAGE_SIZE;
  guint offset = position % OD_HISTORY_MODEL_PAGE_SIZE;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page == NULL)
    page = load_page (self, index);
  else if (self->lru.head != &page->link)
    {
      g_queue_unlink (&self->lru, &page->link);
      g_queue_push_head_link (&self->lru, &page->link);
    }

  if (offset < page->items->len)
    return g_object_ref (g_ptr_array_index (page->items, offset));

  /* Fewer rows than counted: the database changed since the count; the next poll catches up. */
  return od_history_item_new_placeholder ();
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = od_history_model_get_item_type;
  iface->get_n_items = od_history_model_get_n_items;
  iface->get_item = od_history_model_get_item;
}

static void
od_history_model_dispose (GObject *object)
{
  OdHistoryModel *self = OD_HISTORY_MODEL (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  clear_pages (self);

  G_OBJECT_CLASS (od_history_model_parent_class)->dispose (object);
}

static void
od_history_model_finalize (GObject *object)
{
  OdHistoryModel *self = OD_HISTORY_MODEL (object);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_weak_unref (value, item_finalized_cb, self);
  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  self->store = NULL;
  g_clear_error (&self->error);
  g_clear_pointer (&self->filter, g_free);

  G_OBJECT_CLASS (od_history_model_parent_class)->finalize (object);
}

static void
od_history_model_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OdHistoryModel *self = OD_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_string (value, self->filter);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_history_model_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OdHistoryModel *self = OD_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      od_history_model_set_filter (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
od_history_model_class_init (OdHistoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = od_history_model_dispose;
  object_class->finalize = od_history_model_finalize;
  object_class->get_property = od_history_model_get_property;
  object_class->set_property = od_history_model_set_property;

  properties[PROP_FILTER] =
    g_param_spec_string ("filter", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
od_history_model_init (OdHistoryModel *self)
{
  self->filter = g_strdup ("");
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, page_free);
  self->live = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_queue_init (&self->lru);
}

OdHistoryModel *
od_history_model_new (OdCommands *commands)
{
  OdHistoryModel *self;

  g_return_val_if_fail (commands != NULL, NULL);

  self = g_object_new (OD_TYPE_HISTORY_MODEL, NULL);
  self->commands = commands;
  self->n_items = count_items (self);
  self->poll_id = g_timeout_add_seconds (POLL_INTERVAL_SECONDS, poll_cb, self);
  g_source_set_name_by_id (self->poll_id, "[offerdesk] history poll");

  return self;
}

OdCommands *
od_history_model_get_commands (OdHistoryModel *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_MODEL (self), NULL);

  return self->commands;
}

const char *
od_history_model_get_filter (OdHistoryModel *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_MODEL (self), NULL);

  return self->filter;
}

void
od_history_model_set_filter (OdHistoryModel *self,
                             const char     *filter)
{
  g_return_if_fail (OD_IS_HISTORY_MODEL (self));

  if (filter == NULL)
    filter = "";
  if (g_strcmp0 (filter, self->filter) == 0)
    return;

  g_free (self->filter);
  self->filter = g_strdup (filter);
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

void
od_history_model_refresh (OdHistoryModel *self)
{
  g_return_if_fail (OD_IS_HISTORY_MODEL (self));

  if (check_changed (self))
    reload (self);
}

const GError *
od_history_model_get_error (OdHistoryModel *self)
{
  g_return_val_if_fail (OD_IS_HISTORY_MODEL (self), NULL);

  return self->error;
}
