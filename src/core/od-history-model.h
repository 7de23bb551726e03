/* od-history-model.h: the history (offers and invoice requests, newest first) as a GListModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OdHistoryModel reads the store of an OdCommands, on the same connection (a second OdStore on
 * the same file in one process is unsafe: od_store_open() reads the file's header with a plain
 * open()/close(), and closing drops every POSIX lock the process holds on the file, so the
 * process's other connections stop seeing other processes' commits).  It never creates the
 * store: until a command creates the file, the model is empty.
 * It never loads the whole history: n_items comes from od_store_history_count(), and items
 * are read on demand in pages of OD_HISTORY_MODEL_PAGE_SIZE rows, of which the last
 * OD_HISTORY_MODEL_MAX_PAGES used are kept.  An item stays the same object for as long as
 * anything holds it, across refreshes, and its mutable properties (active, used, status, the
 * paid-* ones, node-id) are updated in place with notify.
 *
 * Changes by anyone (this process, the CLI) are noticed by polling od_store_data_version()
 * once a second on the thread-default main context of the thread that created the model; a
 * change re-counts and emits items-changed (0, old n_items, new n_items).  Use the model on
 * that thread only.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "od-commands.h"
#include "od-store.h"

G_BEGIN_DECLS

#define OD_HISTORY_MODEL_PAGE_SIZE 200
#define OD_HISTORY_MODEL_MAX_PAGES 4

#define OD_TYPE_HISTORY_ITEM (od_history_item_get_type ())

G_DECLARE_FINAL_TYPE (OdHistoryItem, od_history_item, OD, HISTORY_ITEM, GObject)

/* "offer" or "invoice_request" */
const char *od_history_item_get_kind        (OdHistoryItem *self);
OdKind      od_history_item_get_kind_enum   (OdHistoryItem *self);
/* The store's insertion number (the tie-break of created-at). */
gint64      od_history_item_get_seq         (OdHistoryItem *self);
/* offer_id or invreq_id, 64 lower-case hex characters */
const char *od_history_item_get_id          (OdHistoryItem *self);
const char *od_history_item_get_bolt12      (OdHistoryItem *self);
/* The next four: NULL when absent. */
const char *od_history_item_get_description (OdHistoryItem *self);
const char *od_history_item_get_label       (OdHistoryItem *self);
const char *od_history_item_get_issuer      (OdHistoryItem *self);
const char *od_history_item_get_refund_for  (OdHistoryItem *self);
/* Display text: "1 000 sat", "1 000.5 sat", "10.05 USD", "any". */
const char *od_history_item_get_amount      (OdHistoryItem *self);
/* The amount in msat when the item has one in msat (0 otherwise: see has_amount_msat). */
guint64     od_history_item_get_amount_msat (OdHistoryItem *self);
gboolean    od_history_item_has_amount_msat (OdHistoryItem *self);
/* "active", "used", "disabled" or "expired" (absolute_expiry in the past). */
const char *od_history_item_get_status      (OdHistoryItem *self);
/* Unix seconds. */
gint64      od_history_item_get_created_at  (OdHistoryItem *self);
gboolean    od_history_item_get_active      (OdHistoryItem *self);
gboolean    od_history_item_get_single_use  (OdHistoryItem *self);
gboolean    od_history_item_get_used        (OdHistoryItem *self);
/* The Core Lightning node that issued it (66 hex), NULL when issued locally. */
const char *od_history_item_get_node_id     (OdHistoryItem *self);
/* Payments received for an offer (see od_store_add_payment); last-paid-at in unix seconds, 0
 * when never paid.  Properties "paid-count", "paid-msat", "last-paid-at" and "node-id" follow
 * the store in place (with notify) like "active" and "used". */
guint64     od_history_item_get_paid_count  (OdHistoryItem *self);
guint64     od_history_item_get_paid_msat   (OdHistoryItem *self);
gint64      od_history_item_get_last_paid_at (OdHistoryItem *self);
/* {bolt12, offer_id | invreq_id, active, single_use, used, label?}: what the offer and
 * invoicerequest commands return, for showing the item again. */
JsonObject *od_history_item_to_result       (OdHistoryItem *self);

/* An item for a row (status computed against now, unix seconds). */
OdHistoryItem *od_history_item_new_for_row  (const OdHistoryRow *row,
                                             gint64              now);

#define OD_TYPE_HISTORY_MODEL (od_history_model_get_type ())

G_DECLARE_FINAL_TYPE (OdHistoryModel, od_history_model, OD, HISTORY_MODEL, GObject)

/* commands must outlive the model (the model only reads through it). */
OdHistoryModel *od_history_model_new         (OdCommands     *commands);

OdCommands     *od_history_model_get_commands (OdHistoryModel *self);
/* The search text: a case-insensitive (ASCII) substring of the description, label or issuer,
 * or, for 1 to 64 hex characters, a prefix of the id (see od_store_history_count); "" (or
 * NULL) for everything.  Setting it re-counts and emits items-changed. */
const char     *od_history_model_get_filter  (OdHistoryModel *self);
void            od_history_model_set_filter  (OdHistoryModel *self,
                                              const char     *filter);
/* Checks for changes now instead of at the next poll (e.g. right after a command). */
void            od_history_model_refresh     (OdHistoryModel *self);
/* The last error reading the store (NULL when the last read worked): a damaged or newer
 * database, a locked one, … */
const GError   *od_history_model_get_error   (OdHistoryModel *self);

G_END_DECLS
