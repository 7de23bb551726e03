/* test-history-model.c: OdHistoryModel — paging, order, filter, other processes' changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected order and filter results are computed here, in C, from the rows the test
 * created (or read back with a plain query), never through the store's history queries.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <sys/wait.h>

#include "od-commands.h"
#include "od-commands-private.h"
#include "od-history-model.h"

#define NETWORK "regtest"

typedef struct
{
  char           *tmp;
  char           *store_path;
  OdCommands     *commands;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("od-history-model-XXXXXX", &error);
  g_assert_no_error (error);
  f->commands = od_commands_new (f->tmp, NETWORK);
  f->store_path = g_build_filename (f->tmp, NETWORK, OD_STORE_FILENAME, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->tmp);

  g_clear_pointer (&f->commands, od_commands_free);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->store_path);
  g_free (f->tmp);
}

static JsonNode *
call (Fixture    *f,
      const char *method,
      const char *params_json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = od_commands_call_json (f->commands, method, params_json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static char *
create_offer (Fixture    *f,
              const char *params_json)
{
  g_autoptr(JsonNode) result = call (f, "offer", params_json);

  return g_strdup (json_object_get_string_member (json_node_get_object (result), "offer_id"));
}

/* Ids of every row, newest first, by a plain query on a connection of our own. */
static GPtrArray *
plain_query_ids (const char *path)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM issued ORDER BY created_at DESC, "
                                       "seq DESC", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return ids;
}

static OdHistoryItem *
get_item (OdHistoryModel *model,
          guint           position)
{
  OdHistoryItem *item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (item);
  /* The view keeps its own reference; the model keeps one while the page is cached. */
  g_object_unref (item);

  return item;
}

/* Iterates the main context until model has n items (or the timeout). */
static void
wait_for_n_items (OdHistoryModel *model,
                  guint           n,
                  guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_list_model_get_n_items (G_LIST_MODEL (model)) != n
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
}

/* ---- No store yet, then one ---- */

static void
test_appears (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(OdHistoryModel) model = od_history_model_new (f->commands);
  g_autofree char *id = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == OD_TYPE_HISTORY_ITEM);
  g_assert_null (od_history_model_get_error (model));
  /* The model never creates the store. */
  g_assert_false (g_file_test (f->store_path, G_FILE_TEST_EXISTS));

  id = create_offer (f, "{\"amount\": \"1000sat\", \"description\": \"first\"}");
  od_history_model_refresh (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (od_history_item_get_id (get_item (model, 0)), ==, id);
}

/* ---- Order across pages ---- */

static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  const guint n = 2 * OD_HISTORY_MODEL_PAGE_SIZE + 57;
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  OdHistoryItem *first;
  guint order[] = { 2, 0, 1, 2 };

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"amount\": \"%usat\", "
                                                 "\"description\": \"order item %u\"}",
                                                 i + 1, i);

      g_ptr_array_add (created, create_offer (f, params));
    }

  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  expected = plain_query_ids (f->store_path);
  g_assert_cmpuint (expected->len, ==, n);

  /* Offers made within the same second tie on created_at: newest first is then the last one
   * created first. */
  g_assert_cmpstr (g_ptr_array_index (expected, 0), ==, g_ptr_array_index (created, n - 1));

  /* Every position, in order (keyset pages) … */
  for (guint i = 0; i < n; i++)
    {
      OdHistoryItem *item = get_item (model, i);

      g_assert_cmpstr (od_history_item_get_id (item), ==, g_ptr_array_index (expected, i));
      g_assert_false (g_hash_table_contains (seen, od_history_item_get_id (item)));
      g_hash_table_add (seen, (gpointer) g_ptr_array_index (expected, i));
    }
  /* … and pages out of order, far from the last one read (OFFSET pages, evicted pages). */
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    for (guint i = order[k] * OD_HISTORY_MODEL_PAGE_SIZE;
         i < MIN (n, (order[k] + 1) * OD_HISTORY_MODEL_PAGE_SIZE); i += 7)
      g_assert_cmpstr (od_history_item_get_id (get_item (model, i)), ==,
                       g_ptr_array_index (expected, i));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), n));

  /* The same object for the same row while it is held. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  for (guint i = n - 1; i > 0; i -= 3)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), i));
  g_assert_true (get_item (model, 0) == first);
  g_object_unref (first);
}

/* ---- Properties ---- */

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autofree char *offer_id = NULL;
  g_autofree char *usd_id = NULL;
  g_autofree char *any_id = NULL;
  g_autofree char *expired_id = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *description = NULL;
  g_autofree char *status = NULL;
  OdHistoryItem *item;
  const char *invreq_id;
  guint64 amount_msat = 0;
  gint64 created_at = 0;
  gboolean active = FALSE, single_use = TRUE, used = TRUE;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  json_node_unref (call (f, "setrate", "{\"currency\": \"USD\", \"msat_per_unit\": 1000000}"));
  offer_id = create_offer (f, "{\"amount\": \"1000sat\", \"description\": \"Fish sale\", "
                              "\"issuer\": \"Corner Shop\", \"label\": \"till 1\"}");
  usd_id = create_offer (f, "{\"amount\": \"10.05USD\", \"description\": \"Lunch\"}");
  any_id = create_offer (f, "{\"amount\": \"any\", \"single_use\": true}");
  expired_id = create_offer (f, "{\"amount\": \"1500500msat\", \"description\": \"old\", "
                                "\"absolute_expiry\": 1000}");
  request = call (f, "invoicerequest", "{\"amount\": \"2100msat\", \"description\": "
                                       "\"Refund\", \"label\": \"r1\"}");
  invreq_id = json_object_get_string_member (json_node_get_object (request), "invreq_id");

  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  /* Newest first: the invoice request, then the offers backwards. */
  item = get_item (model, 0);
  g_assert_true (G_IS_OBJECT (item));
  g_assert_true (OD_IS_HISTORY_ITEM (item));
  g_assert_cmpstr (od_history_item_get_kind (item), ==, "invoice_request");
  g_assert_cmpstr (od_history_item_get_id (item), ==, invreq_id);
  g_assert_true (g_str_has_prefix (od_history_item_get_bolt12 (item), "lnr1"));
  g_assert_cmpstr (od_history_item_get_amount (item), ==, "2.1 sat");
  g_assert_cmpuint (od_history_item_get_amount_msat (item), ==, 2100);
  g_assert_cmpstr (od_history_item_get_label (item), ==, "r1");
  g_assert_cmpstr (od_history_item_get_status (item), ==, "active");
  g_assert_true (od_history_item_get_single_use (item));
  g_object_get (item, "kind", &kind, "description", &description, "amount-msat", &amount_msat,
                "created-at", &created_at, "active", &active, "single-use", &single_use,
                "used", &used, "status", &status, NULL);
  g_assert_cmpstr (kind, ==, "invoice_request");
  g_assert_cmpstr (description, ==, "Refund");
  g_assert_cmpuint (amount_msat, ==, 2100);
  g_assert_cmpint (created_at, >=, before);
  g_assert_cmpint (created_at, <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_true (active);
  g_assert_true (single_use);
  g_assert_false (used);
  g_assert_cmpstr (status, ==, "active");

  result = od_history_item_to_result (item);
  g_assert_cmpstr (json_object_get_string_member (result, "invreq_id"), ==, invreq_id);
  g_assert_false (json_object_has_member (result, "offer_id"));
  g_assert_cmpstr (json_object_get_string_member (result, "bolt12"), ==,
                   od_history_item_get_bolt12 (item));
  g_assert_true (json_object_get_boolean_member (result, "active"));
  g_assert_true (json_object_get_boolean_member (result, "single_use"));
  g_assert_false (json_object_get_boolean_member (result, "used"));
  g_assert_cmpstr (json_object_get_string_member (result, "label"), ==, "r1");

  item = get_item (model, 1);
  g_assert_cmpstr (od_history_item_get_kind (item), ==, "offer");
  g_assert_cmpstr (od_history_item_get_id (item), ==, expired_id);
  g_assert_cmpstr (od_history_item_get_amount (item), ==, "1 500.5 sat");
  g_assert_cmpstr (od_history_item_get_status (item), ==, "expired");

  item = get_item (model, 2);
  g_assert_cmpstr (od_history_item_get_id (item), ==, any_id);
  g_assert_cmpstr (od_history_item_get_amount (item), ==, "any");
  g_assert_false (od_history_item_has_amount_msat (item));
  g_assert_null (od_history_item_get_description (item));
  g_assert_true (od_history_item_get_single_use (item));

  item = get_item (model, 3);
  g_assert_cmpstr (od_history_item_get_id (item), ==, usd_id);
  g_assert_cmpstr (od_history_item_get_amount (item), ==, "10.05 USD");
  g_assert_false (od_history_item_has_amount_msat (item));
  g_assert_cmpuint (od_history_item_get_amount_msat (item), ==, 0);

  item = get_item (model, 4);
  g_assert_cmpstr (od_history_item_get_id (item), ==, offer_id);
  g_assert_true (g_str_has_prefix (od_history_item_get_bolt12 (item), "lno1"));
  g_assert_cmpstr (od_history_item_get_description (item), ==, "Fish sale");
  g_assert_cmpstr (od_history_item_get_issuer (item), ==, "Corner Shop");
  g_assert_cmpstr (od_history_item_get_label (item), ==, "till 1");
  g_assert_cmpstr (od_history_item_get_amount (item), ==, "1 000 sat");
  g_assert_cmpuint (od_history_item_get_amount_msat (item), ==, 1000000);
  g_assert_true (od_history_item_get_active (item));
  g_assert_false (od_history_item_get_single_use (item));
  g_assert_cmpstr (od_history_item_get_status (item), ==, "active");
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* A held item follows its row: disabled, enabled, used (notify, same object). */
static void
test_status_updates (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(OdHistoryItem) item = NULL;
  g_autofree char *id = NULL;
  g_autofree char *params = NULL;
  sqlite3 *db = NULL;
  guint notified = 0;

  id = create_offer (f, "{\"amount\": \"5sat\", \"description\": \"toggle\", "
                        "\"single_use\": true}");
  params = g_strdup_printf ("{\"offer_id\": \"%s\"}", id);
  model = od_history_model_new (f->commands);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_signal_connect (item, "notify::status", G_CALLBACK (count_notify_cb), &notified);

  json_node_unref (call (f, "disableoffer", params));
  od_history_model_refresh (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  /* The view asks again after items-changed: the same object, updated. */
  g_assert_true (get_item (model, 0) == item);
  g_assert_false (od_history_item_get_active (item));
  g_assert_cmpstr (od_history_item_get_status (item), ==, "disabled");
  g_assert_cmpuint (notified, ==, 1);

  json_node_unref (call (f, "enableoffer", params));
  od_history_model_refresh (model);
  g_assert_true (get_item (model, 0) == item);
  g_assert_cmpstr (od_history_item_get_status (item), ==, "active");

  /* Paid (no command does that yet): what od_store_mark_used writes, from a connection of our
   * own (sqlite's, not a second OdStore: see od-history-model.h). */
  g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE issued SET status = 6", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  od_history_model_refresh (model);
  g_assert_true (get_item (model, 0) == item);
  g_assert_true (od_history_item_get_used (item));
  g_assert_false (od_history_item_get_active (item));
  g_assert_cmpstr (od_history_item_get_status (item), ==, "used");
  g_assert_cmpuint (notified, ==, 3);
}

/* ---- Filter over 10,000 rows ---- */

typedef struct
{
  gint64  seq;
  gint64  created_at;
  char   *id;
  char   *description;
  char   *label;
  char   *issuer;
} GenRow;

static void
gen_row_clear (gpointer data)
{
  GenRow *row = data;

  g_free (row->id);
  g_free (row->description);
  g_free (row->label);
  g_free (row->issuer);
}

static int
gen_row_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const GenRow *x = a, *y = b;

  if (x->created_at != y->created_at)
    return x->created_at > y->created_at ? -1 : 1;
  return x->seq > y->seq ? -1 : (x->seq < y->seq ? 1 : 0);
}

static gboolean
contains_ascii_ci (const char *haystack,
                   const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL)
    return FALSE;
  h = g_ascii_strdown (haystack, -1);
  n = g_ascii_strdown (needle, -1);

  return strstr (h, n) != NULL;
}

/* A hex filter of 1 to 64 characters is also an id prefix (ids are lower-case hex). */
static gboolean
id_has_prefix (const char *id,
               const char *filter)
{
  g_autofree char *lower = g_ascii_strdown (filter, -1);
  gsize len = strlen (lower);

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (lower[i]))
      return FALSE;

  return g_str_has_prefix (id, lower);
}

static gboolean
gen_row_matches (const GenRow *row,
                 const char   *filter)
{
  return *filter == '\0'
         || contains_ascii_ci (row->description, filter)
         || contains_ascii_ci (row->label, filter)
         || contains_ascii_ci (row->issuer, filter)
         || id_has_prefix (row->id, filter);
}

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *calls)
{
  g_assert_cmpuint (position, ==, 0);
  calls[0]++;
  calls[1] = removed;
  calls[2] = added;
}

static void
test_filter (Fixture       *f,
             gconstpointer  data)
{
  static const char * const words[] = {
    "Apple", "banana", "Cherry", "coffee", "Tea", "croissant", "50% off", "under_score",
    "Größe", "back\\slash",
  };
  static const char * const filters[] = {
    "", "apple", "APPLE", "coffee", "tea", "50%", "%", "_", "under_", "\\", "größe", "ab",
    "0f", "till 7", "Shop 3", "no such thing at all", "e", "label",
  };
  const guint n = 10000;
  g_autoptr(GArray) rows = g_array_sized_new (FALSE, TRUE, sizeof (GenRow), n);
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  OdStore *store;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint calls[3] = { 0, 0, 0 };

  g_array_set_clear_func (rows, gen_row_clear);

  /* The store creates the schema; the rows go in through one transaction of our own. */
  g_free (od_store_ensure_network_dir (f->tmp, NETWORK, &error));
  g_assert_no_error (error);
  store = od_store_open (f->store_path, &error);
  g_assert_no_error (error);
  od_store_close (store);

  g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO issued (kind, id, bolt12, label, "
                                       "status, created_at, network, description, issuer, "
                                       "amount_msat) VALUES (?1, ?2, 'lno1x', ?3, 1, ?4, '"
                                       NETWORK "', ?5, ?6, 1000)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      GenRow row = { 0, };
      GString *id = g_string_new (NULL);

      for (guint k = 0; k < 8; k++)
        g_string_append_printf (id, "%08x", g_rand_int (rand));
      row.id = g_string_free (id, FALSE);
      row.created_at = 1700000000 + g_rand_int_range (rand, 0, 3000);  /* many ties */
      row.description = g_rand_int_range (rand, 0, 10) == 0 ? NULL
        : g_strdup_printf ("%s and %s #%u", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                           words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))], i);
      row.label = g_rand_boolean (rand) ? g_strdup_printf ("till %u", i % 13) : NULL;
      row.issuer = g_rand_int_range (rand, 0, 3) == 0 ? g_strdup_printf ("Shop %u", i % 5) : NULL;

      sqlite3_bind_int (stmt, 1, i % 4 == 0 ? 1 : 0);
      sqlite3_bind_text (stmt, 2, row.id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row.label, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, row.created_at);
      sqlite3_bind_text (stmt, 5, row.description, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, row.issuer, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      row.seq = sqlite3_last_insert_rowid (db);
      sqlite3_reset (stmt);
      g_array_append_val (rows, row);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_array_sort (rows, gen_row_newest_first);

  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  g_signal_connect (model, "items-changed", G_CALLBACK (count_items_changed_cb), calls);

  for (guint k = 0; k < G_N_ELEMENTS (filters); k++)
    {
      g_autoptr(GPtrArray) expected = g_ptr_array_new ();
      guint old_n = g_list_model_get_n_items (G_LIST_MODEL (model));
      guint old_calls = calls[0];

      for (guint i = 0; i < rows->len; i++)
        if (gen_row_matches (&g_array_index (rows, GenRow, i), filters[k]))
          g_ptr_array_add (expected, g_array_index (rows, GenRow, i).id);

      od_history_model_set_filter (model, filters[k]);
      g_assert_cmpstr (od_history_model_get_filter (model), ==, filters[k]);
      if (g_test_verbose ())
        g_test_message ("filter '%s': %u rows", filters[k], expected->len);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected->len);
      if (k > 0 && (old_n != 0 || expected->len != 0))
        {
          g_assert_cmpuint (calls[0], ==, old_calls + 1);
          g_assert_cmpuint (calls[1], ==, old_n);
          g_assert_cmpuint (calls[2], ==, expected->len);
        }
      for (guint i = 0; i < expected->len; i++)
        g_assert_cmpstr (od_history_item_get_id (get_item (model, i)), ==,
                         g_ptr_array_index (expected, i));
    }

  /* Filters narrow: the data set has some of each case above. */
  od_history_model_set_filter (model, "apple");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <, n);
  od_history_model_set_filter (model, NULL);
  g_assert_cmpstr (od_history_model_get_filter (model), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
}

/* ---- Another process ---- */

static void
run_cli (Fixture            *f,
         const char * const *args,
         char              **out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("OFFERDESK_CLI");
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, f->tmp);
  g_ptr_array_add (argv, (char *) "--network");
  g_ptr_array_add (argv, (char *) NETWORK);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("offerdesk-cli %s failed: %s", args[0], err);
}

static void
test_other_process (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(OdHistoryItem) held = NULL;
  g_autofree char *out = NULL;
  g_autofree char *first = create_offer (f, "{\"amount\": \"7sat\", \"description\": "
                                            "\"in process\"}");
  const char * const offer_args[] = { "-k", "offer", "amount=8sat",
                                      "description=from the CLI", "label=cli", NULL };
  const char * const disable_args[] = { "disableoffer", first, NULL };
  guint calls[3] = { 0, 0, 0 };

  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  held = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_signal_connect (model, "items-changed", G_CALLBACK (count_items_changed_cb), calls);

  run_cli (f, offer_args, &out);
  g_assert_nonnull (strstr (out, "\"offer_id\""));
  /* No refresh call: the once-a-second poll notices. */
  wait_for_n_items (model, 2, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (calls[0], ==, 1);
  g_assert_cmpuint (calls[1], ==, 1);
  g_assert_cmpuint (calls[2], ==, 2);
  g_assert_cmpstr (od_history_item_get_description (get_item (model, 0)), ==, "from the CLI");
  g_assert_cmpstr (od_history_item_get_label (get_item (model, 0)), ==, "cli");
  g_assert_true (get_item (model, 1) == held);

  /* A status change by another process reaches the item the view holds. */
  { g_autofree char *ignored = NULL; run_cli (f, disable_args, &ignored); }
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (calls[0] < 2 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
  }
  g_assert_cmpuint (calls[0], ==, 2);
  g_assert_true (get_item (model, 1) == held);
  g_assert_false (od_history_item_get_active (held));
  g_assert_cmpstr (od_history_item_get_status (held), ==, "disabled");
}

/* ---- Random reads over 1,234 rows ---- */

/* Rows straight into the store file (created by the store first), in one transaction. */
static void
insert_rows (Fixture *f,
             guint    n,
             guint    seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (!g_file_test (f->store_path, G_FILE_TEST_EXISTS))
    {
      OdStore *store;

      g_free (od_store_ensure_network_dir (f->tmp, NETWORK, &error));
      g_assert_no_error (error);
      store = od_store_open (f->store_path, &error);
      g_assert_no_error (error);
      od_store_close (store);
    }

  g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO issued (kind, id, bolt12, status, "
                                       "created_at, network, description) VALUES (?1, ?2, "
                                       "'lno1x', 1, ?3, '" NETWORK "', ?4)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      GString *id = g_string_new (NULL);
      g_autofree char *description = g_strdup_printf ("row %u", i);

      for (guint k = 0; k < 8; k++)
        g_string_append_printf (id, "%08x", g_rand_int (rand));
      sqlite3_bind_int (stmt, 1, i % 3 == 0 ? 1 : 0);
      sqlite3_bind_text (stmt, 2, id->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, 1700000000 + g_rand_int_range (rand, 0, n / 4));  /* ties */
      sqlite3_bind_text (stmt, 4, description, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      g_string_free (id, TRUE);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
assert_model_is (OdHistoryModel *model,
                 GPtrArray      *expected)
{
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (od_history_item_get_id (get_item (model, i)), ==,
                     g_ptr_array_index (expected, i));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), expected->len));
}

static void
test_random_reads (Fixture       *f,
                   gconstpointer  data)
{
  const guint n = 1234;
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  OdHistoryItem *first;
  gpointer weak;

  insert_rows (f, n, 5);
  expected = plain_query_ids (f->store_path);
  g_assert_cmpuint (expected->len, ==, n);
  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);

  /* Random positions: pages read from either end, next to cached pages both ways, evicted
   * and read again. */
  for (guint k = 0; k < 800; k++)
    {
      guint i = g_rand_int_range (rand, 0, n);

      g_assert_cmpstr (od_history_item_get_id (get_item (model, i)), ==,
                       g_ptr_array_index (expected, i));
    }
  /* Walks up and down across page boundaries, from the far end. */
  for (guint i = n; i-- > 0; )
    g_assert_cmpstr (od_history_item_get_id (get_item (model, i)), ==,
                     g_ptr_array_index (expected, i));
  for (guint k = 0; k < 40; k++)
    {
      guint page = g_rand_int_range (rand, 1, n / OD_HISTORY_MODEL_PAGE_SIZE);
      guint edge = page * OD_HISTORY_MODEL_PAGE_SIZE;

      od_history_model_refresh (model);
      g_assert_cmpstr (od_history_item_get_id (get_item (model, edge)), ==,
                       g_ptr_array_index (expected, edge));
      g_assert_cmpstr (od_history_item_get_id (get_item (model, edge - 1)), ==,
                       g_ptr_array_index (expected, edge - 1));
    }
  assert_model_is (model, expected);

  /* Bounded memory: an item nobody holds is gone once its page left the cache. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  weak = first;
  g_object_add_weak_pointer (G_OBJECT (first), &weak);
  g_object_unref (first);
  for (guint p = 1; p <= OD_HISTORY_MODEL_MAX_PAGES; p++)
    get_item (model, p * OD_HISTORY_MODEL_PAGE_SIZE);
  g_assert_null (weak);
}

/* ---- Another process writing while the model reads ---- */

static void
test_concurrent_writer (Fixture       *f,
                        gconstpointer  data)
{
  const guint n_background = 25;
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autofree char *script = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *cli = g_getenv ("OFFERDESK_CLI");
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  GPid pid = 0;
  int status = 0;
  guint reads = 0;
  guint refreshes = 0;

  g_assert_nonnull (cli);
  insert_rows (f, 450, 8);
  model = od_history_model_new (f->commands);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 450);

  script = g_strdup_printf ("i=0; while [ $i -lt %u ]; do i=$((i + 1)); "
                            "\"$OD_CLI\" --data-dir \"$OD_DIR\" --network " NETWORK " -k offer "
                            "amount=${i}sat \"description=background $i\" >/dev/null || exit 1; "
                            "done", n_background);
  argv[2] = script;
  envp = g_environ_setenv (envp, "OD_CLI", cli, TRUE);
  envp = g_environ_setenv (envp, "OD_DIR", f->tmp, TRUE);
  g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  /* Read while the rows come in: every position below n_items gives an item. */
  while (waitpid (pid, &status, WNOHANG) == 0)
    {
      guint n;

      od_history_model_refresh (model);
      refreshes++;
      n = g_list_model_get_n_items (G_LIST_MODEL (model));
      for (guint k = 0; k < 50; k++)
        {
          guint i = g_rand_int_range (rand, 0, n);

          g_assert_true (OD_IS_HISTORY_ITEM (get_item (model, i)));
          reads++;
        }
      g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), n));
      g_usleep (2000);
    }
  g_spawn_close_pid (pid);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%u reads in %u refreshes while the CLI wrote", reads, refreshes);
  g_assert_cmpuint (refreshes, >, 1);

  od_history_model_refresh (model);
  expected = plain_query_ids (f->store_path);
  g_assert_cmpuint (expected->len, ==, 450 + n_background);
  assert_model_is (model, expected);
}

/* ---- Payments reach the items ---- */

static void
test_paid_properties (Fixture       *f,
                      gconstpointer  data)
{
  const char *node = "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619";
  g_autoptr(OdHistoryModel) model = NULL;
  g_autoptr(OdHistoryItem) item = NULL;
  g_autoptr(OdPayment) payment = od_payment_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = create_offer (f, "{\"amount\": \"5sat\", \"description\": \"paid\", "
                                         "\"single_use\": true}");
  g_autofree char *node_id = NULL;
  g_autofree char *sql = NULL;
  guint64 paid_count = 1, paid_msat = 1;
  gint64 last_paid_at = 1;
  guint notified[4] = { 0, };
  const char *names[] = { "notify::paid-count", "notify::paid-msat", "notify::last-paid-at",
                          "notify::node-id" };
  OdStore *store;
  sqlite3 *db = NULL;

  model = od_history_model_new (f->commands);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_object_get (item, "paid-count", &paid_count, "paid-msat", &paid_msat,
                "last-paid-at", &last_paid_at, "node-id", &node_id, NULL);
  g_assert_cmpuint (paid_count, ==, 0);
  g_assert_cmpuint (paid_msat, ==, 0);
  g_assert_cmpint (last_paid_at, ==, 0);
  g_assert_null (node_id);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_signal_connect (item, names[i], G_CALLBACK (count_notify_cb), &notified[i]);

  /* Through the commands' own store (a second OdStore in one process is unsafe). */
  store = od_commands_get_store (f->commands, FALSE, &error);
  g_assert_no_error (error);
  payment->node_id = g_strdup (node);
  payment->pay_index = 1;
  payment->offer_id = g_strdup (id);
  payment->label = g_strdup ("inv");
  payment->payment_hash = g_strdup (id);
  payment->amount_msat = 5000;
  payment->paid_at = 1700000123;
  g_assert_true (od_store_add_payment (store, payment, NULL, &error));
  g_assert_no_error (error);

  od_history_model_refresh (model);
  g_assert_true (get_item (model, 0) == item);
  g_assert_cmpuint (od_history_item_get_paid_count (item), ==, 1);
  g_assert_cmpuint (od_history_item_get_paid_msat (item), ==, 5000);
  g_assert_cmpint (od_history_item_get_last_paid_at (item), ==, 1700000123);
  g_assert_true (od_history_item_get_used (item));
  g_assert_false (od_history_item_get_active (item));
  g_assert_cmpstr (od_history_item_get_status (item), ==, "used");
  g_assert_cmpuint (notified[0], ==, 1);
  g_assert_cmpuint (notified[1], ==, 1);
  g_assert_cmpuint (notified[2], ==, 1);
  g_assert_cmpuint (notified[3], ==, 0);

  /* Another payment, and the node id set by another connection. */
  payment->pay_index = 2;
  payment->paid_at = 1700000200;
  g_assert_true (od_store_add_payment (store, payment, NULL, &error));
  g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("UPDATE issued SET node_id = '%s'", node);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  od_history_model_refresh (model);
  g_assert_true (get_item (model, 0) == item);
  g_object_get (item, "paid-count", &paid_count, "paid-msat", &paid_msat,
                "last-paid-at", &last_paid_at, "node-id", &node_id, NULL);
  g_assert_cmpuint (paid_count, ==, 2);
  g_assert_cmpuint (paid_msat, ==, 10000);
  g_assert_cmpint (last_paid_at, ==, 1700000200);
  g_assert_cmpstr (node_id, ==, node);
  g_assert_cmpstr (od_history_item_get_node_id (item), ==, node);
  g_assert_cmpuint (notified[0], ==, 2);
  g_assert_cmpuint (notified[3], ==, 1);

  /* Nothing changed: no notify. */
  od_history_model_refresh (model);
  get_item (model, 0);
  g_assert_cmpuint (notified[0], ==, 2);
  g_assert_cmpuint (notified[3], ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/history-model/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("appears", test_appears);
  ADD ("order", test_order);
  ADD ("properties", test_properties);
  ADD ("status-updates", test_status_updates);
  ADD ("filter", test_filter);
  ADD ("other-process", test_other_process);
  ADD ("random-reads", test_random_reads);
  ADD ("concurrent-writer", test_concurrent_writer);
  ADD ("paid-properties", test_paid_properties);
#undef ADD

  return g_test_run ();
}
