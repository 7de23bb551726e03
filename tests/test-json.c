/* test-json.c: decode to JSON in Core Lightning's `decode` names and shapes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks bolt12_decode_json() / bolt12_message_to_json() against:
 *  - every valid offer of the official vectors (tests/data/bolt12/offers-test.json): each field
 *    the vector lists shows up under its decode name with the vector's value, fields the vector
 *    does not list are absent, and offer_id is SHA-256 of the vector's raw records in 1..79 and
 *    1e9..1999999999 (computed here from the vector, independently of the library);
 *  - the strings Core Lightning recorded (tests/data/cln-examples): offer ids, invoice request
 *    payer id / amount / signature and no offer_id, invoices' offer_id and payinfo;
 *  - hand-built TLV streams for what the vectors lack: recurrence (three numberings), currency
 *    with an unknown code, u64 values above G_MAXINT64, an unsigned offer-less invoice request.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bolt12.h"
#include "bolt12-json.h"

#define ISSUER_ID "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619"
#define CLN_NODE_ID "033845802d25b4e074ccfd7cd8b339a41dc75bf9978a034800444b51d42b07799a"
#define REGTEST_CHAIN "06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f"
#define CURRENCY_NO_AMOUNT \
  "lno1qcp4256ypgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg"

/* ---- helpers ---- */

static JsonNode *
load_json (const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);

  return json_node_copy (json_parser_get_root (parser));
}

static GBytes *
hex_to_bytes (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *data = g_malloc (n + 1);

  g_assert_cmpuint (strlen (hex) % 2, ==, 0);
  for (gsize i = 0; i < n; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      data[i] = (guint8) (hi << 4 | lo);
    }

  return g_bytes_new_take (data, n);
}

/* BigSize, written here so the test does not lean on the library it checks. */
static void
append_bigsize (GByteArray *buf,
                guint64     v)
{
  guint8 b[9];
  guint n;

  if (v < 0xfd)
    {
      b[0] = (guint8) v;
      n = 1;
    }
  else if (v <= 0xffff)
    {
      b[0] = 0xfd;
      b[1] = (guint8) (v >> 8);
      b[2] = (guint8) v;
      n = 3;
    }
  else if (v <= 0xffffffff)
    {
      b[0] = 0xfe;
      for (guint i = 0; i < 4; i++)
        b[1 + i] = (guint8) (v >> (24 - 8 * i));
      n = 5;
    }
  else
    {
      b[0] = 0xff;
      for (guint i = 0; i < 8; i++)
        b[1 + i] = (guint8) (v >> (56 - 8 * i));
      n = 9;
    }
  g_byte_array_append (buf, b, n);
}

static void
append_record (GByteArray *buf,
               guint64     type,
               const char *hex)
{
  g_autoptr(GBytes) value = hex_to_bytes (hex);

  append_bigsize (buf, type);
  append_bigsize (buf, g_bytes_get_size (value));
  g_byte_array_append (buf, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
}

static char *
text_to_hex (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    g_string_append_printf (hex, "%02x", *p);

  return g_string_free (hex, FALSE);
}

/* A string of kind hrp from (type, hex) pairs in ascending order, NULL-terminated. */
static char *
build_string (const char *hrp,
              ...)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  va_list args;

  va_start (args, hrp);
  for (;;)
    {
      guint64 type = va_arg (args, guint64);
      const char *hex = va_arg (args, const char *);

      if (hex == NULL)
        break;
      append_record (buf, type, hex);
    }
  va_end (args);

  return bolt12_string_encode (hrp, buf->data, buf->len, FALSE);
}

#define T(n) ((guint64) (n))

static JsonObject *
decode_ok (const char *text,
           guint64     now,
           JsonNode  **keep)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = bolt12_decode_json (text, now, &error);

  if (node == NULL)
    g_error ("decode of %s failed: %s", text, error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  *keep = node;

  return json_node_get_object (node);
}

static void
assert_str_member (JsonObject *obj,
                   const char *name,
                   const char *want)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    g_error ("member %s missing, expected \"%s\"", name, want);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), ==, want);
}

static void
assert_int_member (JsonObject *obj,
                   const char *name,
                   gint64      want)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    g_error ("member %s missing, expected %" G_GINT64_FORMAT, name, want);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, want);
}

static void
assert_bool_member (JsonObject *obj,
                    const char *name,
                    gboolean    want)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    g_error ("member %s missing", name);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  g_assert_cmpint (json_node_get_boolean (node), ==, want);
}

static void
assert_absent (JsonObject *obj,
               const char *name)
{
  if (json_object_has_member (obj, name))
    g_error ("member %s should be absent", name);
}

static guint64
tu64_from_hex (const char *hex)
{
  guint64 v = 0;
  g_autoptr(GBytes) bytes = hex_to_bytes (hex);
  gsize n = 0;
  const guint8 *p = g_bytes_get_data (bytes, &n);

  g_assert_cmpuint (n, <=, 8);
  for (gsize i = 0; i < n; i++)
    v = v << 8 | p[i];

  return v;
}

/* ---- the official offer vectors ---- */

static void
check_vector (JsonObject *vector)
{
  const char *bolt12 = json_object_get_string_member (vector, "bolt12");
  JsonArray *fields = json_object_get_array_member (vector, "fields");
  g_autoptr(JsonNode) keep = NULL;
  g_autoptr(GByteArray) id_records = g_byte_array_new ();
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *currency_hex = NULL;
  JsonObject *obj;
  guint n_unknown = 0;
  static const char * const offer_names[] = {
    "offer_chains", "offer_metadata", "offer_currency", "offer_amount", "offer_amount_msat",
    "currency_minor_unit", "offer_description", "offer_features", "offer_absolute_expiry",
    "offer_paths", "offer_issuer", "offer_quantity_max", "offer_issuer_id",
    "unknown_offer_tlvs", "offer_recurrence", "expired", NULL
  };

  g_test_message ("vector: %s", json_object_get_string_member (vector, "description"));
  obj = decode_ok (bolt12, 0, &keep);
  assert_str_member (obj, "type", "bolt12 offer");
  assert_bool_member (obj, "valid", TRUE);

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);

      if (json_object_get_int_member (f, "type") == BOLT12_TLV_OFFER_CURRENCY)
        currency_hex = json_object_get_string_member (f, "hex");
    }

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);
      guint64 type = (guint64) json_object_get_int_member (f, "type");
      gint64 length = json_object_get_int_member (f, "length");
      const char *hex = json_object_get_string_member (f, "hex");

      g_assert_cmpint ((gint64) strlen (hex), ==, 2 * length);
      if ((type >= 1 && type <= 79) || (type >= 1000000000 && type <= 1999999999))
        append_record (id_records, type, hex);

      switch (type)
        {
        case BOLT12_TLV_OFFER_CHAINS:
          {
            JsonArray *chains = json_object_get_array_member (obj, "offer_chains");
            g_autoptr(GString) joined = g_string_new (NULL);

            g_hash_table_add (seen, (gpointer) "offer_chains");
            g_assert_cmpuint (json_array_get_length (chains), ==, length / 32);
            for (guint c = 0; c < json_array_get_length (chains); c++)
              g_string_append (joined, json_array_get_string_element (chains, c));
            g_assert_cmpstr (joined->str, ==, hex);
            break;
          }
        case BOLT12_TLV_OFFER_METADATA:
          g_hash_table_add (seen, (gpointer) "offer_metadata");
          assert_str_member (obj, "offer_metadata", hex);
          break;
        case BOLT12_TLV_OFFER_CURRENCY:
          {
            g_autoptr(GBytes) code = hex_to_bytes (hex);
            g_autofree char *text = g_strndup (g_bytes_get_data (code, NULL),
                                               g_bytes_get_size (code));

            g_hash_table_add (seen, (gpointer) "offer_currency");
            g_hash_table_add (seen, (gpointer) "currency_minor_unit");
            assert_str_member (obj, "offer_currency", text);
            assert_int_member (obj, "currency_minor_unit",
                               bolt12_currency_lookup (text)->exponent);
            break;
          }
        case BOLT12_TLV_OFFER_AMOUNT:
          if (currency_hex != NULL)
            {
              g_hash_table_add (seen, (gpointer) "offer_amount");
              assert_int_member (obj, "offer_amount", (gint64) tu64_from_hex (hex));
            }
          else
            {
              g_hash_table_add (seen, (gpointer) "offer_amount_msat");
              assert_int_member (obj, "offer_amount_msat", (gint64) tu64_from_hex (hex));
            }
          break;
        case BOLT12_TLV_OFFER_DESCRIPTION:
          {
            g_autoptr(GBytes) text = hex_to_bytes (hex);
            g_autofree char *want = g_strndup (g_bytes_get_data (text, NULL),
                                               g_bytes_get_size (text));

            g_hash_table_add (seen, (gpointer) "offer_description");
            assert_str_member (obj, "offer_description", want);
            break;
          }
        case BOLT12_TLV_OFFER_FEATURES:
          g_hash_table_add (seen, (gpointer) "offer_features");
          assert_str_member (obj, "offer_features", hex);
          break;
        case BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY:
          g_hash_table_add (seen, (gpointer) "offer_absolute_expiry");
          assert_int_member (obj, "offer_absolute_expiry", (gint64) tu64_from_hex (hex));
          break;
        case BOLT12_TLV_OFFER_PATHS:
          {
            JsonArray *paths = json_object_get_array_member (obj, "offer_paths");

            g_hash_table_add (seen, (gpointer) "offer_paths");
            g_assert_nonnull (paths);
            g_assert_cmpuint (json_array_get_length (paths), >=, 1);
            for (guint p = 0; p < json_array_get_length (paths); p++)
              {
                JsonObject *path = json_array_get_object_element (paths, p);
                JsonArray *hops = json_object_get_array_member (path, "path");

                /* The vectors' path keys are all 0202…02. */
                assert_str_member (path, "first_path_key",
                                   "020202020202020202020202020202020202020202020202020202020202020202");
                g_assert_true (json_object_has_member (path, "first_node_id")
                               != json_object_has_member (path, "first_scid"));
                g_assert_cmpuint (json_array_get_length (hops), >=, 1);
                for (guint h = 0; h < json_array_get_length (hops); h++)
                  {
                    JsonObject *hop = json_array_get_object_element (hops, h);

                    g_assert_cmpuint (strlen (json_object_get_string_member (hop, "blinded_node_id")),
                                      ==, 66);
                    /* The hop data is part of the record as it is. */
                    g_assert_nonnull (strstr (hex, json_object_get_string_member (hop, "encrypted_recipient_data")));
                  }
              }
            break;
          }
        case BOLT12_TLV_OFFER_ISSUER:
          {
            g_autoptr(GBytes) text = hex_to_bytes (hex);
            g_autofree char *want = g_strndup (g_bytes_get_data (text, NULL),
                                               g_bytes_get_size (text));

            g_hash_table_add (seen, (gpointer) "offer_issuer");
            assert_str_member (obj, "offer_issuer", want);
            break;
          }
        case BOLT12_TLV_OFFER_QUANTITY_MAX:
          g_hash_table_add (seen, (gpointer) "offer_quantity_max");
          assert_int_member (obj, "offer_quantity_max", (gint64) tu64_from_hex (hex));
          break;
        case BOLT12_TLV_OFFER_ISSUER_ID:
          g_hash_table_add (seen, (gpointer) "offer_issuer_id");
          assert_str_member (obj, "offer_issuer_id", hex);
          break;
        default:
          {
            JsonArray *unknown = json_object_get_array_member (obj, "unknown_offer_tlvs");
            JsonObject *u;

            g_hash_table_add (seen, (gpointer) "unknown_offer_tlvs");
            g_assert_nonnull (unknown);
            g_assert_cmpuint (json_array_get_length (unknown), >, n_unknown);
            u = json_array_get_object_element (unknown, n_unknown++);
            assert_int_member (u, "type", (gint64) type);
            assert_int_member (u, "length", length);
            assert_str_member (u, "value", hex);
            break;
          }
        }
    }

  if (g_hash_table_contains (seen, "unknown_offer_tlvs"))
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "unknown_offer_tlvs")),
                      ==, n_unknown);

  /* Nothing the vector does not have. */
  for (guint i = 0; offer_names[i] != NULL; i++)
    if (!g_hash_table_contains (seen, offer_names[i]))
      assert_absent (obj, offer_names[i]);
  g_assert_false (json_object_has_member (obj, "signature"));

  /* offer_id: SHA-256 of the raw records in the offer ranges. */
  g_checksum_update (sha, id_records->data, id_records->len);
  assert_str_member (obj, "offer_id", g_checksum_get_string (sha));
}

static void
test_vectors (void)
{
  g_autoptr(JsonNode) root = load_json ("bolt12/offers-test.json");
  JsonArray *vectors = json_node_get_array (root);
  guint n_valid = 0;

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);

      if (!json_object_get_boolean_member (vector, "valid"))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = bolt12_decode_json (json_object_get_string_member (vector, "bolt12"),
                                                         0, &error);

          g_assert_null (node);
          g_assert_nonnull (error);
          continue;
        }
      check_vector (vector);
      n_valid++;
    }

  g_assert_cmpuint (n_valid, ==, 20);
}

/* The vectors by name, for the cases the loop above only checks generally. */
static JsonObject *
find_vector (JsonNode   *root,
             const char *prefix)
{
  JsonArray *vectors = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);

      if (g_str_has_prefix (json_object_get_string_member (vector, "description"), prefix))
        return vector;
    }
  g_error ("no vector named %s", prefix);
  return NULL;
}

static void
test_paths_scid (void)
{
  g_autoptr(JsonNode) root = load_json ("bolt12/offers-test.json");
  g_autoptr(JsonNode) keep1 = NULL;
  g_autoptr(JsonNode) keep2 = NULL;
  g_autoptr(JsonNode) keep3 = NULL;
  g_autofree char *node_id = NULL;
  JsonObject *vector;
  JsonArray *fields;
  JsonObject *obj;
  JsonObject *path;
  JsonObject *hop;
  JsonArray *paths;

  /* first_node_id form: the path record starts with the 33-byte node id */
  vector = find_vector (root, "with blinded path via Bob");
  fields = json_object_get_array_member (vector, "fields");
  for (guint i = 0; i < json_array_get_length (fields); i++)
    if (json_object_get_int_member (json_array_get_object_element (fields, i), "type") == 16)
      node_id = g_strndup (json_object_get_string_member (json_array_get_object_element (fields, i),
                                                          "hex"), 66);
  g_assert_nonnull (node_id);
  obj = decode_ok (json_object_get_string_member (vector, "bolt12"), 0, &keep1);
  paths = json_object_get_array_member (obj, "offer_paths");
  g_assert_cmpuint (json_array_get_length (paths), ==, 1);
  path = json_array_get_object_element (paths, 0);
  assert_str_member (path, "first_node_id", node_id);
  assert_absent (path, "first_scid");
  assert_absent (path, "first_scid_dir");
  assert_absent (path, "payinfo");
  hop = json_array_get_object_element (json_object_get_array_member (path, "path"), 0);
  assert_str_member (hop, "encrypted_recipient_data", "00000000000000000000000000000000");

  /* sciddir form: 0x0x42, direction 0 */
  obj = decode_ok (json_object_get_string_member (find_vector (root, "same, with blinded path first_node_id using sciddir"),
                                                  "bolt12"), 0, &keep2);
  path = json_array_get_object_element (json_object_get_array_member (obj, "offer_paths"), 0);
  assert_str_member (path, "first_scid", "0x0x42");
  assert_int_member (path, "first_scid_dir", 0);
  assert_absent (path, "first_node_id");

  /* second path via 1x2x3, direction 1 */
  obj = decode_ok (json_object_get_string_member (find_vector (root, "... and with second blinded path"),
                                                  "bolt12"), 0, &keep3);
  paths = json_object_get_array_member (obj, "offer_paths");
  g_assert_cmpuint (json_array_get_length (paths), ==, 2);
  path = json_array_get_object_element (paths, 1);
  assert_str_member (path, "first_scid", "1x2x3");
  assert_int_member (path, "first_scid_dir", 1);
  hop = json_array_get_object_element (json_object_get_array_member (path, "path"), 1);
  assert_str_member (hop, "encrypted_recipient_data", "2222222222222222");
}

static void
test_currency (void)
{
  g_autoptr(JsonNode) root = load_json ("bolt12/offers-test.json");
  g_autoptr(JsonNode) keep1 = NULL;
  g_autoptr(JsonNode) keep2 = NULL;
  g_autoptr(JsonNode) keep3 = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *desc = text_to_hex ("Test vectors");
  JsonObject *obj;

  /* USD $100.00: raw minor units, the currency's exponent, no msat amount */
  obj = decode_ok (json_object_get_string_member (find_vector (root, "with currency"), "bolt12"),
                   0, &keep1);
  assert_str_member (obj, "offer_currency", "USD");
  assert_int_member (obj, "offer_amount", 10000);
  assert_int_member (obj, "currency_minor_unit", 2);
  assert_absent (obj, "offer_amount_msat");
  assert_absent (obj, "warning_unknown_offer_currency");

  /* A code outside the ISO 4217 table: a warning, still valid */
  unknown = build_string ("lno",
                          T (6), "58595a",      /* XYZ */
                          T (8), "0186a0",      /* 100000 */
                          T (10), desc,
                          T (22), ISSUER_ID,
                          T (0), NULL);
  obj = decode_ok (unknown, 0, &keep2);
  assert_str_member (obj, "offer_currency", "XYZ");
  assert_int_member (obj, "offer_amount", 100000);
  assert_str_member (obj, "warning_unknown_offer_currency", "unknown currency code");
  assert_absent (obj, "currency_minor_unit");
  assert_bool_member (obj, "valid", TRUE);

  /* Currency amounts and quantity_max are any u64: above G_MAXINT64 they are strings, never
   * wrapped to negative numbers. */
  huge = build_string ("lno",
                       T (6), "4a5059",                  /* JPY */
                       T (8), "ffffffffffffffff",
                       T (10), desc,
                       T (20), "8000000000000000",
                       T (22), ISSUER_ID,
                       T (0), NULL);
  obj = decode_ok (huge, 0, &keep3);
  assert_str_member (obj, "offer_amount", "18446744073709551615");
  assert_str_member (obj, "offer_quantity_max", "9223372036854775808");
  assert_int_member (obj, "currency_minor_unit", 0);
}

static void
test_expired (void)
{
  g_autoptr(JsonNode) root = load_json ("bolt12/offers-test.json");
  JsonObject *vector = find_vector (root, "with expiry");
  const char *bolt12 = json_object_get_string_member (vector, "bolt12");
  JsonArray *fields = json_object_get_array_member (vector, "fields");
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) at = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) plain = NULL;
  guint64 expiry = 0;
  JsonObject *obj;

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);

      if (json_object_get_int_member (f, "type") == BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY)
        expiry = tu64_from_hex (json_object_get_string_member (f, "hex"));
    }
  /* "expiry is 2035-01-01" */
  g_assert_cmpuint (expiry, >, 2050000000);
  g_assert_cmpuint (expiry, <, 2052000000);

  obj = decode_ok (bolt12, expiry - 1, &before);
  assert_int_member (obj, "offer_absolute_expiry", (gint64) expiry);
  assert_absent (obj, "expired");
  assert_bool_member (obj, "valid", TRUE);

  /* "past" the expiry: at it, not yet */
  obj = decode_ok (bolt12, expiry, &at);
  assert_absent (obj, "expired");

  obj = decode_ok (bolt12, expiry + 1, &after);
  assert_bool_member (obj, "expired", TRUE);
  assert_bool_member (obj, "valid", TRUE);

  /* No expiry: never expired */
  obj = decode_ok (json_object_get_string_member (find_vector (root, "Minimal bolt12 offer"), "bolt12"),
                   G_MAXUINT32, &plain);
  assert_absent (obj, "expired");
}

/* ---- recurrence ---- */

static void
test_recurrence (void)
{
  g_autofree char *desc = text_to_hex ("subscription");
  g_autofree char *current = NULL;
  g_autofree char *proportional = NULL;
  g_autofree char *optional = NULL;
  g_autofree char *cln2024 = NULL;
  g_autoptr(JsonNode) keep1 = NULL;
  g_autoptr(JsonNode) keep2 = NULL;
  g_autoptr(JsonNode) keep3 = NULL;
  g_autoptr(JsonNode) keep4 = NULL;
  JsonObject *obj;
  JsonObject *rec;
  JsonObject *window;

  /* 4weeks, base 1456740000, paywindow -10+20, limit 5 (cln-notes.md §4.1 worked values) */
  current = build_string ("lno",
                          T (8), "2710",
                          T (10), desc,
                          T (22), ISSUER_ID,
                          T (1000000024), "011c",
                          T (1000000026), "0056d416a0",
                          T (1000000027), "0000000a14",
                          T (1000000029), "05",
                          T (0), NULL);
  obj = decode_ok (current, 0, &keep1);
  assert_bool_member (obj, "valid", TRUE);
  assert_absent (obj, "unknown_offer_tlvs");
  rec = json_object_get_object_member (obj, "offer_recurrence");
  g_assert_nonnull (rec);
  assert_bool_member (rec, "compulsory_field", TRUE);
  assert_int_member (rec, "time_unit", 1);
  assert_str_member (rec, "time_unit_name", "days");
  assert_int_member (rec, "period", 28);
  assert_int_member (rec, "basetime", 1456740000);
  assert_int_member (rec, "limit", 5);
  assert_absent (rec, "proportional_amount");
  assert_absent (rec, "numbering");
  assert_absent (rec, "start_any_period");
  window = json_object_get_object_member (rec, "paywindow");
  g_assert_nonnull (window);
  assert_int_member (window, "seconds_before", 10);
  assert_int_member (window, "seconds_after", 20);
  assert_absent (window, "proportional_amount");

  /* 10minutes with a proportional base */
  proportional = build_string ("lno",
                               T (8), "2710",
                               T (10), desc,
                               T (22), ISSUER_ID,
                               T (1000000024), "000258",
                               T (1000000026), "0156d416a0",
                               T (0), NULL);
  obj = decode_ok (proportional, 0, &keep2);
  rec = json_object_get_object_member (obj, "offer_recurrence");
  assert_int_member (rec, "time_unit", 0);
  assert_str_member (rec, "time_unit_name", "seconds");
  assert_int_member (rec, "period", 600);
  assert_bool_member (rec, "proportional_amount", TRUE);
  assert_absent (rec, "paywindow");
  assert_absent (rec, "limit");

  /* optional recurrence, 1 month */
  optional = build_string ("lno",
                           T (8), "2710",
                           T (10), desc,
                           T (22), ISSUER_ID,
                           T (1000000025), "0201",
                           T (0), NULL);
  obj = decode_ok (optional, 0, &keep3);
  rec = json_object_get_object_member (obj, "offer_recurrence");
  assert_bool_member (rec, "compulsory_field", FALSE);
  assert_str_member (rec, "time_unit_name", "months");
  assert_int_member (rec, "period", 1);
  assert_absent (rec, "basetime");

  /* Core Lightning 2024-08 .. 2025-09 numbering: base with start_any_period, old paywindow
   * layout (before u32, proportional byte, after tu32) */
  cln2024 = build_string ("lno",
                          T (8), "2710",
                          T (10), desc,
                          T (22), ISSUER_ID,
                          T (1212121212), "0201",
                          T (1212121214), "0000000a0114",
                          T (1212121218), "0156d416a0",
                          T (0), NULL);
  obj = decode_ok (cln2024, 0, &keep4);
  assert_bool_member (obj, "valid", TRUE);
  rec = json_object_get_object_member (obj, "offer_recurrence");
  assert_str_member (rec, "numbering", "cln-2024");
  assert_bool_member (rec, "compulsory_field", TRUE);
  assert_int_member (rec, "basetime", 1456740000);
  assert_bool_member (rec, "start_any_period", TRUE);
  window = json_object_get_object_member (rec, "paywindow");
  assert_int_member (window, "seconds_before", 10);
  assert_int_member (window, "seconds_after", 20);
  assert_bool_member (window, "proportional_amount", TRUE);
}

static void
test_unknown_experimental (void)
{
  /* cln-notes.md §7 #47: an offer with fe3b9aca01 01 00 appended */
  g_autofree char *desc = text_to_hex ("Test vectors");
  g_autofree char *plain = build_string ("lno", T (10), desc, T (22), ISSUER_ID, T (0), NULL);
  g_autofree char *extra = build_string ("lno", T (10), desc, T (22), ISSUER_ID,
                                         T (1000000001), "00", T (0), NULL);
  g_autoptr(JsonNode) keep1 = NULL;
  g_autoptr(JsonNode) keep2 = NULL;
  JsonObject *a = decode_ok (plain, 0, &keep1);
  JsonObject *b = decode_ok (extra, 0, &keep2);
  JsonArray *unknown = json_object_get_array_member (b, "unknown_offer_tlvs");
  JsonObject *u;

  g_assert_nonnull (unknown);
  g_assert_cmpuint (json_array_get_length (unknown), ==, 1);
  u = json_array_get_object_element (unknown, 0);
  assert_int_member (u, "type", 1000000001);
  assert_int_member (u, "length", 1);
  assert_str_member (u, "value", "00");
  /* the experimental range is part of offer_id */
  g_assert_cmpstr (json_object_get_string_member (a, "offer_id"), !=,
                   json_object_get_string_member (b, "offer_id"));
}

/* ---- Core Lightning's recorded strings ---- */

static void
test_cln_offers (void)
{
  const char *files[] = { "cln-examples/offer.json", "cln-examples/listoffers.json",
                          "cln-examples/disableoffer.json" };
  guint n_checked = 0;

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autoptr(JsonNode) root = load_json (files[f]);
      JsonArray *examples = json_object_get_array_member (json_node_get_object (root), "examples");

      for (guint i = 0; i < json_array_get_length (examples); i++)
        {
          JsonObject *response = json_object_get_object_member (json_array_get_object_element (examples, i),
                                                                "response");
          g_autoptr(GPtrArray) offers = g_ptr_array_new ();

          if (json_object_has_member (response, "offers"))
            {
              JsonArray *list = json_object_get_array_member (response, "offers");

              for (guint k = 0; k < json_array_get_length (list); k++)
                g_ptr_array_add (offers, json_array_get_object_element (list, k));
            }
          else
            {
              g_ptr_array_add (offers, response);
            }

          for (guint k = 0; k < offers->len; k++)
            {
              JsonObject *offer = g_ptr_array_index (offers, k);
              g_autoptr(JsonNode) keep = NULL;
              JsonObject *obj = decode_ok (json_object_get_string_member (offer, "bolt12"), 0, &keep);
              JsonArray *chains = json_object_get_array_member (obj, "offer_chains");

              assert_str_member (obj, "type", "bolt12 offer");
              assert_bool_member (obj, "valid", TRUE);
              assert_str_member (obj, "offer_id", json_object_get_string_member (offer, "offer_id"));
              assert_str_member (obj, "offer_issuer_id", CLN_NODE_ID);
              g_assert_cmpuint (json_array_get_length (chains), ==, 1);
              g_assert_cmpstr (json_array_get_string_element (chains, 0), ==, REGTEST_CHAIN);
              if (json_object_has_member (offer, "description"))
                assert_str_member (obj, "offer_description",
                                   json_object_get_string_member (offer, "description"));
              n_checked++;
            }
        }
    }
  g_assert_cmpuint (n_checked, ==, 2 + 3 + 1 + 1);

  /* The Coffee offer in detail (cln-notes.md §7: TLVs 2, 8 0f4240, 10, 20 0a, 22) */
  {
    g_autoptr(JsonNode) root = load_json ("cln-examples/offer.json");
    JsonObject *response = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "examples"), 1),
      "response");
    g_autoptr(JsonNode) keep = NULL;
    JsonObject *obj = decode_ok (json_object_get_string_member (response, "bolt12"), 0, &keep);

    assert_str_member (obj, "offer_id",
                       "aea02a1d36d3f00c681656dd938d3431a44d932ff880e09197b55e966ed806e2");
    assert_int_member (obj, "offer_amount_msat", 1000000);
    assert_str_member (obj, "offer_description", "Coffee");
    assert_int_member (obj, "offer_quantity_max", 10);
    assert_absent (obj, "offer_currency");
    assert_absent (obj, "expired");
  }
}

/* The examples' amounts: a number (msat) or "<n>sat". */
static gint64
msat_param (JsonNode *amount)
{
  g_autofree char *digits = NULL;
  guint64 n = 0;

  if (json_node_get_value_type (amount) == G_TYPE_INT64)
    return json_node_get_int (amount);
  g_assert_true (g_str_has_suffix (json_node_get_string (amount), "sat"));
  g_assert_false (g_str_has_suffix (json_node_get_string (amount), "msat"));
  digits = g_strndup (json_node_get_string (amount), strlen (json_node_get_string (amount)) - 3);
  g_assert_true (g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64 / 1000, &n, NULL));

  return (gint64) n * 1000;
}

static void
test_cln_invoice_requests (void)
{
  g_autoptr(JsonNode) root = load_json ("cln-examples/invoicerequest.json");
  JsonArray *examples = json_object_get_array_member (json_node_get_object (root), "examples");

  g_assert_cmpuint (json_array_get_length (examples), ==, 2);
  for (guint i = 0; i < json_array_get_length (examples); i++)
    {
      JsonObject *example = json_array_get_object_element (examples, i);
      JsonObject *request = json_object_get_object_member (json_object_get_object_member (example, "request"),
                                                           "params");
      JsonObject *response = json_object_get_object_member (example, "response");
      g_autoptr(JsonNode) keep = NULL;
      JsonObject *obj = decode_ok (json_object_get_string_member (response, "bolt12"), 0, &keep);
      const char *signature;

      assert_str_member (obj, "type", "bolt12 invoice_request");
      assert_bool_member (obj, "valid", TRUE);
      assert_str_member (obj, "invreq_payer_id", CLN_NODE_ID);
      assert_int_member (obj, "invreq_amount_msat",
                         msat_param (json_object_get_member (request, "amount")));
      assert_str_member (obj, "invreq_chain", REGTEST_CHAIN);
      assert_str_member (obj, "offer_description",
                         json_object_get_string_member (request, "description"));
      if (json_object_has_member (request, "issuer"))
        assert_str_member (obj, "offer_issuer", json_object_get_string_member (request, "issuer"));
      else
        assert_absent (obj, "offer_issuer");
      /* offer-less: no offer_id (and decode never prints invreq_id) */
      assert_absent (obj, "offer_id");
      assert_absent (obj, "invreq_id");
      assert_absent (obj, "offer_issuer_id");
      assert_absent (obj, "warning_missing_invoice_request_signature");
      g_assert_cmpuint (strlen (json_object_get_string_member (obj, "invreq_metadata")), ==, 32);
      signature = json_object_get_string_member (obj, "signature");
      g_assert_nonnull (signature);
      g_assert_cmpuint (strlen (signature), ==, 128);
    }
}

static void
test_cln_invoices (void)
{
  g_autoptr(JsonNode) root = load_json ("cln-examples/fetchinvoice.json");
  JsonArray *examples = json_object_get_array_member (json_node_get_object (root), "examples");

  for (guint i = 0; i < json_array_get_length (examples); i++)
    {
      JsonObject *example = json_array_get_object_element (examples, i);
      JsonObject *params = json_object_get_object_member (json_object_get_object_member (example, "request"),
                                                          "params");
      JsonObject *response = json_object_get_object_member (example, "response");
      g_autoptr(JsonNode) keep_offer = NULL;
      g_autoptr(JsonNode) keep = NULL;
      JsonObject *offer = decode_ok (json_object_get_string_member (params, "offer"), 0, &keep_offer);
      JsonObject *obj = decode_ok (json_object_get_string_member (response, "invoice"), 1738000000,
                                   &keep);
      JsonObject *path;
      JsonObject *payinfo;
      const char *payinfo_members[] = { "fee_base_msat", "fee_proportional_millionths",
                                        "cltv_expiry_delta", "htlc_minimum_msat",
                                        "htlc_maximum_msat" };

      assert_str_member (obj, "type", "bolt12 invoice");
      assert_bool_member (obj, "valid", TRUE);
      /* the invoice answers that offer: same offer_id, computed from its mirrored fields */
      assert_str_member (obj, "offer_id", json_object_get_string_member (offer, "offer_id"));
      assert_str_member (obj, "invoice_node_id", CLN_NODE_ID);
      assert_int_member (obj, "invoice_created_at", 1738000000);
      /* absent TLV 166: Core Lightning prints the default */
      assert_int_member (obj, "invoice_relative_expiry", 7200);
      g_assert_cmpuint (strlen (json_object_get_string_member (obj, "invoice_payment_hash")), ==, 64);
      g_assert_cmpuint (strlen (json_object_get_string_member (obj, "signature")), ==, 128);
      if (json_object_has_member (params, "payer_note"))
        assert_str_member (obj, "invreq_payer_note",
                           json_object_get_string_member (params, "payer_note"));
      if (json_object_has_member (params, "quantity"))
        assert_int_member (obj, "invreq_quantity", json_object_get_int_member (params, "quantity"));
      if (json_object_has_member (params, "amount_msat"))
        assert_int_member (obj, "invoice_amount_msat",
                           json_object_get_int_member (params, "amount_msat"));
      else
        assert_int_member (obj, "invoice_amount_msat",
                           json_object_get_int_member (offer, "offer_amount_msat"));
      assert_absent (obj, "expired");

      path = json_array_get_object_element (json_object_get_array_member (obj, "invoice_paths"), 0);
      g_assert_nonnull (path);
      payinfo = json_object_get_object_member (path, "payinfo");
      g_assert_nonnull (payinfo);
      for (guint m = 0; m < G_N_ELEMENTS (payinfo_members); m++)
        g_assert_true (json_object_has_member (payinfo, payinfo_members[m]));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (payinfo, "features")), ==,
                       G_TYPE_STRING);
      g_assert_true (json_object_has_member (path, "first_path_key"));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (path, "path")), >=, 1);

      /* an invoice expires at created_at + relative expiry */
      {
        const char *invoice = json_object_get_string_member (response, "invoice");
        g_autoptr(JsonNode) late = bolt12_decode_json (invoice, 1738000000 + 7200 + 1, NULL);

        g_assert_nonnull (late);
        assert_bool_member (json_node_get_object (late), "expired", TRUE);
      }
    }
}

static void
test_unsigned_invoice_request (void)
{
  /* An offer-less invoice_request may be unsigned (bolt12-message.h), and decodes; Core
   * Lightning's decode then says valid false with warning_missing_invoice_request_signature. */
  g_autofree char *desc = text_to_hex ("refund");
  g_autofree char *lnr = build_string ("lnr",
                                       T (0), "00112233445566778899aabbccddeeff",
                                       T (10), desc,
                                       T (82), "03e8",
                                       T (88), ISSUER_ID,
                                       T (0), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bolt12_decode_json (lnr, 0, &error);
  JsonObject *obj;

  g_assert_no_error (error);
  g_assert_nonnull (node);
  obj = json_node_get_object (node);
  assert_str_member (obj, "type", "bolt12 invoice_request");
  assert_int_member (obj, "invreq_amount_msat", 1000);
  assert_str_member (obj, "invreq_payer_id", ISSUER_ID);
  assert_absent (obj, "signature");
  assert_absent (obj, "offer_id");
  assert_str_member (obj, "warning_missing_invoice_request_signature", "Missing signature");
  assert_bool_member (obj, "valid", FALSE);
}

/* ---- whole decode: URIs and errors ---- */

static void
test_uri_and_errors (void)
{
  const char *offer = "lno1pgx9getnwss8vetrw3hhyuckyypwa3eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg";
  g_autofree char *upper = g_ascii_strup (offer, -1);
  char *forms[5] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(JsonNode) keep0 = NULL;
  const char *id;

  forms[0] = g_strdup (offer);
  forms[1] = g_strconcat ("lightning:", offer, NULL);
  forms[2] = g_strconcat ("bitcoin:?lno=", offer, NULL);
  forms[3] = g_strconcat ("BITCOIN:?LNO=", upper, NULL);
  forms[4] = g_strconcat ("LIGHTNING:", upper, NULL);

  id = json_object_get_string_member (decode_ok (forms[0], 0, &keep0), "offer_id");
  for (guint i = 1; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(JsonNode) keep = NULL;
      JsonObject *obj = decode_ok (forms[i], 0, &keep);

      assert_str_member (obj, "offer_id", id);
      assert_str_member (obj, "offer_description", "Test vectors");
    }
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    g_free (forms[i]);

  bad = bolt12_decode_json (CURRENCY_NO_AMOUNT, 0, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "currency with no amount"));
  g_clear_error (&error);

  bad = bolt12_decode_json ("lno1", 0, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/vectors", test_vectors);
  g_test_add_func ("/json/paths-scid", test_paths_scid);
  g_test_add_func ("/json/currency", test_currency);
  g_test_add_func ("/json/expired", test_expired);
  g_test_add_func ("/json/recurrence", test_recurrence);
  g_test_add_func ("/json/unknown-experimental", test_unknown_experimental);
  g_test_add_func ("/json/cln-offers", test_cln_offers);
  g_test_add_func ("/json/cln-invoice-requests", test_cln_invoice_requests);
  g_test_add_func ("/json/cln-invoices", test_cln_invoices);
  g_test_add_func ("/json/unsigned-invoice-request", test_unsigned_invoice_request);
  g_test_add_func ("/json/uri-and-errors", test_uri_and_errors);

  return g_test_run ();
}
