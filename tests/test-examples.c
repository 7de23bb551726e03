/* test-examples.c: every bolt12 string Core Lightning recorded decodes, verifies and has the ids
 * Core Lightning listed next to it; our builder writes CLN's `offer` examples byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bolt12.h"
#include "od-test-utils.h"

static gboolean
hex_to_buf (const char *hex,
            guint8     *out,
            gsize       len)
{
  if (strlen (hex) != len * 2)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

static gboolean
is_bolt12 (const char *s)
{
  return g_ascii_strncasecmp (s, "lno1", 4) == 0
         || g_ascii_strncasecmp (s, "lnr1", 4) == 0
         || g_ascii_strncasecmp (s, "lni1", 4) == 0;
}

typedef struct
{
  guint strings;
  guint ids;
} Counts;

static void
check_id (const char   *str,
          JsonObject   *siblings,
          const char   *member,
          const guint8  id[32],
          Counts       *counts)
{
  g_autofree char *hex = NULL;

  if (siblings == NULL || !json_object_has_member (siblings, member))
    return;
  hex = od_test_hex (id, 32);
  if (g_strcmp0 (hex, json_object_get_string_member (siblings, member)) != 0)
    g_error ("%s: our %s %s, Core Lightning's %s", str, member, hex,
             json_object_get_string_member (siblings, member));
  counts->ids++;
}

/* siblings: the object holding the string, whose other members may record its ids. */
static void
check_string (const char *str,
              JsonObject *siblings,
              Counts     *counts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) msg = bolt12_message_decode (str, &error);
  g_autofree char *upper = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *again = NULL;
  g_autoptr(Bolt12Message) umsg = NULL;
  const guint8 *raw;
  gsize len = 0;

  if (msg == NULL)
    g_error ("%s: %s", str, error->message);
  counts->strings++;

  switch (g_ascii_tolower (str[2]))
    {
    case 'o':
      g_assert_cmpint (msg->kind, ==, BOLT12_KIND_OFFER);
      g_assert_false (msg->has_signature);
      check_id (str, siblings, "offer_id", msg->offer_id, counts);
      break;
    case 'r':
      g_assert_cmpint (msg->kind, ==, BOLT12_KIND_INVOICE_REQUEST);
      g_assert_true (msg->signature_checked);
      check_id (str, siblings, "invreq_id", msg->invreq_id, counts);
      break;
    case 'i':
      g_assert_cmpint (msg->kind, ==, BOLT12_KIND_INVOICE);
      g_assert_true (msg->signature_checked);
      check_id (str, siblings, "local_offer_id", msg->offer_id, counts);
      check_id (str, siblings, "invreq_id", msg->invreq_id, counts);
      break;
    default:
      g_assert_not_reached ();
    }

  /* Nothing is lost: the raw stream writes back the same string, and the upper-case form
   * decodes to the same stream. */
  raw = g_bytes_get_data (msg->raw, &len);
  again = bolt12_string_encode (bolt12_kind_hrp (msg->kind), raw, len, FALSE);
  lower = g_ascii_strdown (str, -1);
  g_assert_cmpstr (again, ==, lower);
  upper = g_ascii_strup (str, -1);
  umsg = bolt12_message_decode (upper, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (umsg->raw, msg->raw));
}

static void
walk (JsonNode   *node,
      JsonObject *parent,
      Counts     *counts)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_values (object);

        for (GList *l = members; l != NULL; l = l->next)
          walk (l->data, object, counts);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          walk (json_array_get_element (array, i), NULL, counts);
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING
          && is_bolt12 (json_node_get_string (node)))
        check_string (json_node_get_string (node), parent, counts);
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static JsonNode *
load (const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", name, NULL);
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);

  return json_node_copy (json_parser_get_root (parser));
}

static void
test_file (gconstpointer data)
{
  const char *name = data;
  g_autoptr(JsonNode) root = load (name);
  Counts counts = { 0, 0 };

  walk (root, NULL, &counts);
  g_test_message ("%s: %u strings, %u ids", name, counts.strings, counts.ids);
}

static GPtrArray *
example_files (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);

  return files;
}

/* Over all files: how many strings and recorded ids were checked. */
static void
test_totals (void)
{
  g_autoptr(GPtrArray) files = example_files ();
  Counts counts = { 0, 0 };

  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(JsonNode) root = load (g_ptr_array_index (files, i));

      walk (root, NULL, &counts);
    }
  /* strings.json holds 35, the command examples 22 more (some repeated) */
  g_assert_cmpuint (counts.strings, ==, 57);
  /* ids recorded next to a string: offer_id, invreq_id, local_offer_id */
  g_assert_cmpuint (counts.ids, ==, 16);
}

/* offer.json's examples rebuilt with bolt12_message_new + encode. */
static void
build_offer_example (guint        index,
                     const char  *description,
                     guint64      amount_msat,
                     gboolean     has_quantity_max,
                     guint64      quantity_max)
{
  g_autoptr(JsonNode) root = load ("offer.json");
  JsonObject *example = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "examples"), index);
  JsonObject *response = json_object_get_object_member (example, "response");
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);
  g_autoptr(GError) error = NULL;
  g_autofree char *str = NULL;
  g_autofree char *id = NULL;
  guint8 chain[32];

  g_assert_true (bolt12_chain_from_name ("regtest", chain));
  msg->offer_chains = g_bytes_new (chain, 32);
  msg->has_offer_amount = TRUE;
  msg->offer_amount = amount_msat;
  msg->offer_description = g_strdup (description);
  msg->has_offer_quantity_max = has_quantity_max;
  msg->offer_quantity_max = quantity_max;
  msg->has_offer_issuer_id = TRUE;
  g_assert_true (hex_to_buf ("033845802d25b4e074ccfd7cd8b339a41dc75bf9978a034800444b51d42b07799a",
                             msg->offer_issuer_id, 33));

  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (str, ==, json_object_get_string_member (response, "bolt12"));
  id = od_test_hex (msg->offer_id, 32);
  g_assert_cmpstr (id, ==, json_object_get_string_member (response, "offer_id"));
}

static void
test_build_fish (void)
{
  build_offer_example (0, "Fish sale!", 10000, FALSE, 0);
}

static void
test_build_coffee (void)
{
  build_offer_example (1, "Coffee", 1000000, TRUE, 10);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = NULL;

  g_test_init (&argc, &argv, NULL);

  files = example_files ();
  g_assert_cmpuint (files->len, >, 0);
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = g_ptr_array_index (files, i);
      g_autofree char *path = g_strdup_printf ("/bolt12/examples/file/%s", name);

      g_test_add_data_func (path, name, test_file);
    }
  g_test_add_func ("/bolt12/examples/totals", test_totals);
  g_test_add_func ("/bolt12/examples/build/fish-sale", test_build_fish);
  g_test_add_func ("/bolt12/examples/build/coffee", test_build_coffee);

  return g_test_run ();
}
