/* test-offer.c: decoding and validating offers (lno)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case of the official offers-test.json (valid ones field by field), then one test per
 * reader rule on hand-made TLV streams, the recurrence numberings and expiry.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bolt12.h"
#include "od-test-utils.h"

#define ISSUER "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619"
#define POINT2 "0324653eac434488002cc06bbfb7f10fe18991e35f9fe4302dbea6d2353dc0ab1c"
#define DESC   "'Test vectors"

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static char *
bytes_hex (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (bytes, &len);

  return od_test_hex (p, len);
}

static guint64
be_value (const guint8 *p,
          gsize         len)
{
  guint64 v = 0;

  for (gsize i = 0; i < len; i++)
    v = (v << 8) | p[i];

  return v;
}

/* A hand-made record: hex, or text when the string starts with a quote. */
typedef struct
{
  guint64     type;
  const char *value;
} Field;

#define END { 0, NULL }

static GByteArray *
field_value (const char *value)
{
  GByteArray *out;

  if (value[0] == '\'')
    {
      out = g_byte_array_new ();
      g_byte_array_append (out, (const guint8 *) value + 1, strlen (value + 1));
      return out;
    }
  return od_test_hex_to_array (value);
}

/* The records in the order given (no sorting: a test may want a bad order). */
static GByteArray *
make_stream (const Field *fields)
{
  GByteArray *buf = g_byte_array_new ();

  for (const Field *f = fields; f->value != NULL; f++)
    {
      g_autoptr(GByteArray) v = field_value (f->value);

      bolt12_tlv_append (buf, f->type, v->data, v->len);
    }

  return buf;
}

static Bolt12Message *
parse_fields (Bolt12Kind    kind,
              const Field  *fields,
              GError      **error)
{
  g_autoptr(GByteArray) buf = make_stream (fields);

  return bolt12_message_parse (kind, buf->data, buf->len, error);
}

static Bolt12Message *
parse_offer_ok (const Field *fields)
{
  g_autoptr(GError) error = NULL;
  Bolt12Message *msg = parse_fields (BOLT12_KIND_OFFER, fields, &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);

  return msg;
}

/* Fails with the given code, and a message containing `words` when not NULL. */
static void
expect_offer_error (const Field *fields,
                    int          code,
                    const char  *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) msg = parse_fields (BOLT12_KIND_OFFER, fields, &error);

  g_assert_null (msg);
  g_assert_error (error, BOLT12_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("error \"%s\" does not contain \"%s\"", error->message, words);
}

static const Bolt12Record *
find_record (const Bolt12Message *msg,
             guint64              type)
{
  for (guint i = 0; i < msg->records->len; i++)
    {
      const Bolt12Record *rec = &g_array_index (msg->records, Bolt12Record, i);

      if (rec->type == type)
        return rec;
    }

  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * offers-test.json
 */

static JsonArray *vectors;

/* The typed field of a vector record equals its value. */
static void
check_typed_field (const Bolt12Message *msg,
                   guint64              type,
                   const guint8        *v,
                   gsize                len)
{
  g_autofree char *hex = od_test_hex (v, len);
  g_autofree char *text = g_strndup ((const char *) v, len);

  switch (type)
    {
    case BOLT12_TLV_OFFER_CHAINS:
      {
        g_autofree char *got = bytes_hex (msg->offer_chains);
        g_assert_cmpstr (got, ==, hex);
      }
      break;
    case BOLT12_TLV_OFFER_METADATA:
      {
        g_autofree char *got = bytes_hex (msg->offer_metadata);
        g_assert_cmpstr (got, ==, hex);
      }
      break;
    case BOLT12_TLV_OFFER_CURRENCY:
      g_assert_cmpstr (msg->offer_currency, ==, text);
      break;
    case BOLT12_TLV_OFFER_AMOUNT:
      g_assert_true (msg->has_offer_amount);
      g_assert_cmpuint (msg->offer_amount, ==, be_value (v, len));
      break;
    case BOLT12_TLV_OFFER_DESCRIPTION:
      g_assert_cmpstr (msg->offer_description, ==, text);
      break;
    case BOLT12_TLV_OFFER_FEATURES:
      {
        g_autofree char *got = bytes_hex (msg->offer_features);
        g_assert_cmpstr (got, ==, hex);
      }
      break;
    case BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY:
      g_assert_true (msg->has_offer_absolute_expiry);
      g_assert_cmpuint (msg->offer_absolute_expiry, ==, be_value (v, len));
      break;
    case BOLT12_TLV_OFFER_PATHS:
      {
        const Bolt12BlindedPath *first;

        g_assert_nonnull (msg->offer_paths);
        g_assert_cmpuint (msg->offer_paths->len, >=, 1);
        first = g_ptr_array_index (msg->offer_paths, 0);
        g_assert_cmpuint (first->hops->len, >=, 1);
        if (v[0] <= 1)
          {
            g_assert_true (first->first_is_scid);
            g_assert_cmpuint (first->first_scid_dir, ==, v[0]);
            g_assert_cmpuint (first->first_scid, ==, be_value (v + 1, 8));
            g_assert_cmpmem (first->first_path_key, 33, v + 9, 33);
          }
        else
          {
            g_assert_false (first->first_is_scid);
            g_assert_cmpmem (first->first_node_id, 33, v, 33);
            g_assert_cmpmem (first->first_path_key, 33, v + 33, 33);
          }
      }
      break;
    case BOLT12_TLV_OFFER_ISSUER:
      g_assert_cmpstr (msg->offer_issuer, ==, text);
      break;
    case BOLT12_TLV_OFFER_QUANTITY_MAX:
      g_assert_true (msg->has_offer_quantity_max);
      g_assert_cmpuint (msg->offer_quantity_max, ==, be_value (v, len));
      break;
    case BOLT12_TLV_OFFER_ISSUER_ID:
      g_assert_true (msg->has_offer_issuer_id);
      g_assert_cmpmem (msg->offer_issuer_id, 33, v, len);
      break;
    default:
      {
        gboolean found = FALSE;

        g_assert_cmpuint (type % 2, ==, 1);
        for (guint i = 0; i < msg->unknown_records->len; i++)
          {
            const Bolt12Record *rec = &g_array_index (msg->unknown_records, Bolt12Record, i);

            if (rec->type == type)
              {
                g_assert_cmpmem (rec->value, rec->length, v, len);
                found = TRUE;
              }
          }
        g_assert_true (found);
      }
      break;
    }
}

static void
test_vector (gconstpointer data)
{
  JsonObject *c = json_array_get_object_element (vectors, GPOINTER_TO_UINT (data));
  const char *description = json_object_get_string_member (c, "description");
  const char *bolt12 = json_object_get_string_member (c, "bolt12");
  gboolean valid = json_object_get_boolean_member (c, "valid");
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) msg = NULL;

  g_test_message ("%s: %s", description, bolt12);
  msg = bolt12_message_decode (bolt12, &error);

  if (!valid)
    {
      g_assert_null (msg);
      g_assert_nonnull (error);
      g_assert_true (error->domain == BOLT12_ERROR);
      g_test_message ("rejected: %s", error->message);
      return;
    }

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (msg->kind, ==, BOLT12_KIND_OFFER);
  g_assert_false (msg->signature_checked);

  /* The raw records are exactly the listed fields, in order. */
  {
    JsonArray *fields = json_object_get_array_member (c, "fields");
    guint n_unknown = 0;

    g_assert_cmpuint (msg->records->len, ==, json_array_get_length (fields));
    for (guint i = 0; i < json_array_get_length (fields); i++)
      {
        JsonObject *f = json_array_get_object_element (fields, i);
        const Bolt12Record *rec = &g_array_index (msg->records, Bolt12Record, i);
        g_autofree char *hex = od_test_hex (rec->value, rec->length);
        g_autoptr(GByteArray) v = od_test_hex_to_array (json_object_get_string_member (f, "hex"));

        g_assert_cmpuint (rec->type, ==, json_object_get_int_member (f, "type"));
        g_assert_cmpuint (rec->length, ==, json_object_get_int_member (f, "length"));
        g_assert_cmpstr (hex, ==, json_object_get_string_member (f, "hex"));
        check_typed_field (msg, rec->type, v->data, v->len);
        if (rec->type % 2 == 1)
          n_unknown++;
      }
    g_assert_cmpuint (msg->unknown_records->len, ==, n_unknown);
  }

  /* The typed view is complete: it writes back the same stream (unknown fields as extras). */
  {
    g_autoptr(Bolt12Message) copy = bolt12_message_decode (bolt12, &error);
    g_autoptr(GBytes) again = NULL;

    g_assert_no_error (error);
    for (guint i = 0; i < copy->unknown_records->len; i++)
      {
        const Bolt12Record *rec = &g_array_index (copy->unknown_records, Bolt12Record, i);

        bolt12_message_add_extra (copy, rec->type, rec->value, rec->length);
      }
    again = bolt12_message_serialize (copy, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (again, msg->raw));
  }

  /* offer_id is CLN's: SHA-256 of the raw records (here: all of them). */
  {
    gsize len = 0;
    const guint8 *raw = g_bytes_get_data (msg->raw, &len);
    g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    guint8 digest[32];
    gsize dlen = sizeof digest;

    g_checksum_update (sum, raw, len);
    g_checksum_get_digest (sum, digest, &dlen);
    g_assert_cmpmem (msg->offer_id, 32, digest, 32);
  }
}

/* Spot checks on a few vectors by description. */
static void
test_vector_values (void)
{
  g_autoptr(GError) error = NULL;
  guint checked = 0;

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *c = json_array_get_object_element (vectors, i);
      const char *d = json_object_get_string_member (c, "description");
      g_autoptr(Bolt12Message) msg = NULL;

      if (!json_object_get_boolean_member (c, "valid"))
        continue;
      msg = bolt12_message_decode (json_object_get_string_member (c, "bolt12"), &error);
      g_assert_no_error (error);

      if (g_str_equal (d, "with currency"))
        {
          g_assert_cmpstr (msg->offer_currency, ==, "USD");
          g_assert_cmpuint (msg->offer_amount, ==, 10000);
          checked++;
        }
      else if (g_str_equal (d, "for testnet"))
        {
          g_assert_cmpstr (bolt12_chain_name (g_bytes_get_data (msg->offer_chains, NULL)), ==,
                           "testnet");
          checked++;
        }
      else if (g_str_equal (d, "with unlimited (or unknown) quantity"))
        {
          g_assert_true (msg->has_offer_quantity_max);
          g_assert_cmpuint (msg->offer_quantity_max, ==, 0);
          checked++;
        }
      else if (g_str_equal (d, "with no issuer_id and blinded path via Bob (0x424242...), "
                                "path_key 020202..."))
        {
          g_assert_false (msg->has_offer_issuer_id);
          g_assert_cmpuint (msg->offer_paths->len, ==, 1);
          checked++;
        }
      else if (g_str_equal (d, "... and with second blinded path via 1x2x3 (direction 1), "
                                "path_key 020202..."))
        {
          const Bolt12BlindedPath *second;

          g_assert_cmpuint (msg->offer_paths->len, ==, 2);
          second = g_ptr_array_index (msg->offer_paths, 1);
          g_assert_true (second->first_is_scid);
          g_assert_cmpuint (second->first_scid_dir, ==, 1);
          /* 1x2x3: block 1, tx 2, output 3 */
          g_assert_cmpuint (second->first_scid, ==,
                            (G_GUINT64_CONSTANT (1) << 40) | (2 << 16) | 3);
          checked++;
        }
      else if (g_str_equal (d, "with description (but no amount)"))
        {
          g_assert_cmpstr (msg->offer_description, ==, "Test vectors");
          g_assert_false (msg->has_offer_amount);
          checked++;
        }
    }

  g_assert_cmpuint (checked, ==, 6);
}

/* The five "Malformed ... blinded_path" vectors lack the length byte of offer_paths, so they fail
 * on TLV order (bolt12-notes.md §13).  With the length put back, each fails on its path. */
static void
test_vector_paths_fixed (void)
{
  guint fixed = 0;

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *c = json_array_get_object_element (vectors, i);
      const char *d = json_object_get_string_member (c, "description");
      g_autofree char *hrp = NULL;
      g_autoptr(GBytes) data = NULL;
      g_autoptr(GByteArray) stream = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(Bolt12Message) msg = NULL;
      const guint8 *p;
      gsize len = 0, value_len;
      guint8 len_byte;

      if (json_object_get_boolean_member (c, "valid")
          || (strstr (d, "blinded_path") == NULL && strstr (d, "onionmsg_hop") == NULL)
          || strstr (d, "truncated offer_paths") != NULL)
        continue;

      g_assert_true (bolt12_string_decode (json_object_get_string_member (c, "bolt12"), -1, &hrp,
                                           &data, &error));
      g_assert_no_error (error);
      p = g_bytes_get_data (data, &len);
      /* 0a 05 "ALICE", then 10 and the path, then the 35-byte issuer id record */
      g_assert_cmpuint (len, >, 8 + 35);
      g_assert_cmpuint (p[7], ==, 0x10);
      g_assert_cmpuint (p[len - 35], ==, 0x16);
      value_len = len - 8 - 35;
      g_assert_cmpuint (value_len, <, 253);

      stream = g_byte_array_new ();
      g_byte_array_append (stream, p, 8);
      len_byte = (guint8) value_len;
      g_byte_array_append (stream, &len_byte, 1);
      g_byte_array_append (stream, p + 8, len - 8);

      msg = bolt12_message_parse (BOLT12_KIND_OFFER, stream->data, stream->len, &error);
      g_assert_null (msg);
      g_assert_nonnull (error);
      g_test_message ("%s (fixed): %s", d, error->message);
      g_assert_nonnull (strstr (error->message, "offer_paths"));
      if (strstr (d, "zero num_hops") != NULL)
        g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
      else
        g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV);
      if (strstr (d, "bad first_node_id") != NULL)
        g_assert_nonnull (strstr (error->message, "first_node_id"));
      if (strstr (d, "bad path_key") != NULL)
        g_assert_nonnull (strstr (error->message, "first_path_key"));
      if (strstr (d, "bad blinded_node_id") != NULL)
        g_assert_nonnull (strstr (error->message, "blinded_node_id"));
      fixed++;
    }

  g_assert_cmpuint (fixed, ==, 5);
}

/* ---------------------------------------------------------------------------------------------
 * Hand-made reader rules
 */

static void
test_minimal (void)
{
  static const Field f[] = { { 22, ISSUER }, END };
  g_autoptr(Bolt12Message) msg = parse_offer_ok (f);

  g_assert_true (msg->has_offer_issuer_id);
  g_assert_null (msg->offer_description);
  g_assert_false (msg->has_offer_amount);
  g_assert_false (msg->recurrence.present);
  g_assert_cmpuint (msg->unknown_records->len, ==, 0);
}

static void
test_signed_offer (void)
{
  /* A pre-2022 style offer: signature in TLV 240. */
  static const Field f[] = {
    { 10, DESC }, { 22, ISSUER },
    { 240, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
           "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" },
    END
  };

  expect_offer_error (f, BOLT12_ERROR_INVALID, "pre-2022");
}

static void
test_zero_amount (void)
{
  static const Field f[] = { { 8, "" }, { 10, DESC }, { 22, ISSUER }, END };

  expect_offer_error (f, BOLT12_ERROR_INVALID, "Offer contains a zero amount");
}

static void
test_currency_without_amount (void)
{
  static const Field f[] = { { 6, "'USD" }, { 10, DESC }, { 22, ISSUER }, END };

  expect_offer_error (f, BOLT12_ERROR_INVALID, "Offer contains a currency with no amount");
}

static void
test_amount_without_description (void)
{
  static const Field f[] = { { 8, "2710" }, { 22, ISSUER }, END };
  static const Field ok[] = { { 8, "2710" }, { 10, "" }, { 22, ISSUER }, END };
  g_autoptr(Bolt12Message) msg = NULL;

  expect_offer_error (f, BOLT12_ERROR_INVALID, "no description");
  /* An empty description is a description. */
  msg = parse_offer_ok (ok);
  g_assert_cmpstr (msg->offer_description, ==, "");
  g_assert_cmpuint (msg->offer_amount, ==, 10000);
}

static void
test_amount_ceiling (void)
{
  static const Field max[] = { { 8, "1d24b2dfac520000" }, { 10, DESC }, { 22, ISSUER }, END };
  static const Field over[] = { { 8, "1d24b2dfac520001" }, { 10, DESC }, { 22, ISSUER }, END };
  /* In a currency the amount is in its minor unit: no msat ceiling. */
  static const Field fiat[] = {
    { 6, "'USD" }, { 8, "1d24b2dfac520001" }, { 10, DESC }, { 22, ISSUER }, END
  };
  g_autoptr(Bolt12Message) a = parse_offer_ok (max);
  g_autoptr(Bolt12Message) b = parse_offer_ok (fiat);

  g_assert_cmpuint (a->offer_amount, ==, BOLT12_MAX_MSAT);
  g_assert_cmpuint (b->offer_amount, ==, BOLT12_MAX_MSAT + 1);
  expect_offer_error (over, BOLT12_ERROR_INVALID, "21 million");
}

static void
test_no_issuer_no_paths (void)
{
  static const Field f[] = { { 10, DESC }, END };

  expect_offer_error (f, BOLT12_ERROR_INVALID, "neither an issuer id nor blinded paths");
}

static void
test_empty_chains (void)
{
  static const Field f[] = { { 2, "" }, { 22, ISSUER }, END };
  static const Field bad_len[] = { { 2, "06226e46" }, { 22, ISSUER }, END };

  expect_offer_error (f, BOLT12_ERROR_INVALID, "empty offer_chains");
  expect_offer_error (bad_len, BOLT12_ERROR_TLV, "offer_chains");
}

static void
test_currency_encoding (void)
{
  static const Field two[] = { { 6, "'US" }, { 8, "01" }, { 10, DESC }, { 22, ISSUER }, END };
  static const Field bad_utf8[] = { { 6, "e282" }, { 8, "01" }, { 10, DESC }, { 22, ISSUER }, END };
  static const Field euro[] = { { 6, "e282ac" }, { 8, "01" }, { 10, DESC }, { 22, ISSUER }, END };
  g_autoptr(Bolt12Message) msg = NULL;

  expect_offer_error (two, BOLT12_ERROR_TLV, "offer_currency");
  expect_offer_error (bad_utf8, BOLT12_ERROR_TLV, "UTF-8");
  /* Three bytes of valid UTF-8 are accepted by the parser (an unknown currency is a policy
   * question for the caller). */
  msg = parse_offer_ok (euro);
  g_assert_cmpstr (msg->offer_currency, ==, "\xe2\x82\xac");
}

static void
test_bad_utf8 (void)
{
  /* overlong '/', a surrogate, truncated */
  static const Field overlong[] = { { 10, "c0af" }, { 22, ISSUER }, END };
  static const Field surrogate[] = { { 10, "eda080" }, { 22, ISSUER }, END };
  static const Field issuer[] = { { 18, "f09f98" }, { 22, ISSUER }, END };

  expect_offer_error (overlong, BOLT12_ERROR_TLV, "offer_description");
  expect_offer_error (surrogate, BOLT12_ERROR_TLV, "offer_description");
  expect_offer_error (issuer, BOLT12_ERROR_TLV, "offer_issuer");
}

/* U+0000 is valid UTF-8 but not text: Core Lightning's utf8_check() refuses it, and the typed
 * view (a C string) would silently lose everything after it. */
static void
test_nul_in_text (void)
{
  static const Field description[] = { { 10, "610062" }, { 22, ISSUER }, END };
  static const Field issuer[] = { { 10, DESC }, { 18, "00" }, { 22, ISSUER }, END };
  static const Field currency[] = {
    { 6, "555300" }, { 8, "01" }, { 10, DESC }, { 22, ISSUER }, END
  };

  expect_offer_error (description, BOLT12_ERROR_TLV, "offer_description");
  expect_offer_error (description, BOLT12_ERROR_TLV, "NUL");
  expect_offer_error (issuer, BOLT12_ERROR_TLV, "offer_issuer");
  expect_offer_error (currency, BOLT12_ERROR_TLV, "offer_currency");
}

static void
test_bad_points (void)
{
  /* x not on the curve; bad prefix; wrong length */
  static const Field not_on_curve[] = {
    { 22, "020000000000000000000000000000000000000000000000000000000000000007" }, END
  };
  static const Field prefix[] = {
    { 22, "04eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619" }, END
  };
  static const Field short_key[] = {
    { 22, "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f2836866" }, END
  };

  expect_offer_error (not_on_curve, BOLT12_ERROR_TLV, "offer_issuer_id");
  expect_offer_error (prefix, BOLT12_ERROR_TLV, "offer_issuer_id");
  expect_offer_error (short_key, BOLT12_ERROR_TLV, "offer_issuer_id");
}

static void
test_non_minimal_tu (void)
{
  static const Field amount[] = { { 8, "0001" }, { 10, DESC }, { 22, ISSUER }, END };
  static const Field too_long[] = { { 8, "010203040506070809" }, { 10, DESC }, { 22, ISSUER }, END };
  static const Field expiry[] = { { 14, "00ff" }, { 22, ISSUER }, END };

  expect_offer_error (amount, BOLT12_ERROR_TLV, "offer_amount");
  expect_offer_error (too_long, BOLT12_ERROR_TLV, "offer_amount");
  expect_offer_error (expiry, BOLT12_ERROR_TLV, "offer_absolute_expiry");
}

/* A well-formed blinded path: first node POINT2 (or scid), path key ISSUER, hops as given. */
#define PATH_HEAD POINT2 ISSUER
#define HOP       ISSUER "0003" "aabbcc"

static void
test_paths (void)
{
  static const Field one[] = { { 10, DESC }, { 16, PATH_HEAD "01" HOP }, END };
  static const Field scid[] = {
    { 10, DESC }, { 16, "01" "0000010000020003" ISSUER "02" HOP ISSUER "0000" }, END
  };
  static const Field zero_hops[] = { { 10, DESC }, { 16, PATH_HEAD "00" }, END };
  static const Field second_zero[] = {
    { 10, DESC }, { 16, PATH_HEAD "01" HOP PATH_HEAD "00" }, END
  };
  static const Field truncated[] = { { 10, DESC }, { 16, PATH_HEAD "02" HOP }, END };
  static const Field bad_first[] = { { 10, DESC }, { 16, "04" ISSUER "01" HOP }, END };
  static const Field empty[] = { { 10, DESC }, { 16, "" }, { 22, ISSUER }, END };
  static const Field trailing[] = { { 10, DESC }, { 16, PATH_HEAD "01" HOP "00" }, END };
  g_autoptr(Bolt12Message) a = parse_offer_ok (one);
  g_autoptr(Bolt12Message) b = parse_offer_ok (scid);
  const Bolt12BlindedPath *path;
  const Bolt12BlindedHop *hop;
  g_autoptr(GByteArray) issuer = od_test_hex_to_array (ISSUER);
  g_autoptr(GByteArray) point2 = od_test_hex_to_array (POINT2);

  g_assert_cmpuint (a->offer_paths->len, ==, 1);
  path = g_ptr_array_index (a->offer_paths, 0);
  g_assert_false (path->first_is_scid);
  g_assert_cmpmem (path->first_node_id, 33, point2->data, 33);
  g_assert_cmpmem (path->first_path_key, 33, issuer->data, 33);
  g_assert_cmpuint (path->hops->len, ==, 1);
  hop = g_ptr_array_index (path->hops, 0);
  g_assert_cmpmem (hop->blinded_node_id, 33, issuer->data, 33);
  g_assert_cmpmem (g_bytes_get_data (hop->encrypted_recipient_data, NULL), 3, "\xaa\xbb\xcc", 3);

  path = g_ptr_array_index (b->offer_paths, 0);
  g_assert_true (path->first_is_scid);
  g_assert_cmpuint (path->first_scid_dir, ==, 1);
  g_assert_cmpuint (path->first_scid, ==, G_GUINT64_CONSTANT (0x0000010000020003));
  g_assert_cmpuint (path->hops->len, ==, 2);
  hop = g_ptr_array_index (path->hops, 1);
  g_assert_cmpuint (g_bytes_get_size (hop->encrypted_recipient_data), ==, 0);

  expect_offer_error (zero_hops, BOLT12_ERROR_INVALID, "no hops");
  expect_offer_error (second_zero, BOLT12_ERROR_INVALID, "no hops");
  expect_offer_error (truncated, BOLT12_ERROR_TLV, "offer_paths");
  expect_offer_error (bad_first, BOLT12_ERROR_TLV, "offer_paths");
  expect_offer_error (empty, BOLT12_ERROR_INVALID, "empty offer_paths");
  expect_offer_error (trailing, BOLT12_ERROR_TLV, "offer_paths");
}

static void
test_features (void)
{
  static const Field odd[] = { { 10, DESC }, { 12, "02" }, { 22, ISSUER }, END };
  static const Field odd_high[] = {
    { 10, DESC }, { 12, "080000000000000000000000" }, { 22, ISSUER }, END
  };
  static const Field even[] = { { 10, DESC }, { 12, "01" }, { 22, ISSUER }, END };
  static const Field even_high[] = { { 10, DESC }, { 12, "0400000000" }, { 22, ISSUER }, END };
  g_autoptr(Bolt12Message) a = parse_offer_ok (odd);
  g_autoptr(Bolt12Message) b = parse_offer_ok (odd_high);

  g_assert_cmpuint (g_bytes_get_size (a->offer_features), ==, 1);
  g_assert_cmpuint (g_bytes_get_size (b->offer_features), ==, 12);
  expect_offer_error (even, BOLT12_ERROR_INVALID, "feature bit 0");
  expect_offer_error (even_high, BOLT12_ERROR_INVALID, "feature bit 34");
}

static void
test_ranges (void)
{
  static const Field type0[] = { { 0, "00" }, { 22, ISSUER }, END };
  static const Field type80[] = { { 22, ISSUER }, { 81, "00" }, END };
  static const Field big[] = { { 22, ISSUER }, { G_GUINT64_CONSTANT (2000000001), "00" }, END };
  static const Field sig_odd[] = { { 22, ISSUER }, { 241, "00" }, END };

  expect_offer_error (type0, BOLT12_ERROR_INVALID, "outside the offer ranges");
  expect_offer_error (type80, BOLT12_ERROR_INVALID, "outside the offer ranges");
  expect_offer_error (big, BOLT12_ERROR_INVALID, "outside the offer ranges");
  expect_offer_error (sig_odd, BOLT12_ERROR_INVALID, "outside the offer ranges");
}

static void
test_unknown_even (void)
{
  static const Field t72[] = { { 10, DESC }, { 22, ISSUER }, { 72, "00" }, END };
  static const Field t24[] = { { 10, DESC }, { 22, ISSUER }, { 24, "0101" }, END };
  static const Field exp[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000002), "00" }, END
  };

  expect_offer_error (t72, BOLT12_ERROR_INVALID, "unknown even field 72");
  expect_offer_error (t24, BOLT12_ERROR_INVALID, "unknown even field 24");
  expect_offer_error (exp, BOLT12_ERROR_INVALID, "unknown even field 1000000002");
}

static void
test_unknown_odd (void)
{
  static const Field plain[] = { { 10, DESC }, { 22, ISSUER }, END };
  static const Field with_odd[] = { { 10, DESC }, { 22, ISSUER }, { 33, "'hello" }, END };
  static const Field with_exp[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1999999999), "'x" }, END
  };
  g_autoptr(Bolt12Message) a = parse_offer_ok (plain);
  g_autoptr(Bolt12Message) b = parse_offer_ok (with_odd);
  g_autoptr(Bolt12Message) c = parse_offer_ok (with_exp);
  const Bolt12Record *rec;

  g_assert_cmpuint (b->unknown_records->len, ==, 1);
  rec = &g_array_index (b->unknown_records, Bolt12Record, 0);
  g_assert_cmpuint (rec->type, ==, 33);
  g_assert_cmpmem (rec->value, rec->length, "hello", 5);
  g_assert_true (rec->raw == find_record (b, 33)->raw);

  g_assert_cmpuint (c->unknown_records->len, ==, 1);
  g_assert_cmpuint (g_array_index (c->unknown_records, Bolt12Record, 0).type, ==,
                    G_GUINT64_CONSTANT (1999999999));

  /* The unknown field is part of the offer, so it changes offer_id. */
  g_assert_true (memcmp (a->offer_id, b->offer_id, 32) != 0);
  g_assert_true (memcmp (a->offer_id, c->offer_id, 32) != 0);
  g_assert_true (memcmp (b->offer_id, c->offer_id, 32) != 0);
}

static void
test_tlv_errors (void)
{
  static const Field order[] = { { 22, ISSUER }, { 10, DESC }, END };
  static const Field dup[] = { { 10, DESC }, { 10, DESC }, { 22, ISSUER }, END };
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) msg = NULL;
  static const guint8 truncated[] = { 0x0a, 0x05, 'a', 'b' };

  expect_offer_error (order, BOLT12_ERROR_TLV, NULL);
  expect_offer_error (dup, BOLT12_ERROR_TLV, NULL);
  msg = bolt12_message_parse (BOLT12_KIND_OFFER, truncated, sizeof truncated, &error);
  g_assert_null (msg);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV);
}

static void
test_wrong_prefix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) msg = NULL;

  /* The minimal vector offer with hrp lnp. */
  msg = bolt12_message_decode ("lnp1zcss9mk8y3wkklfvevcrszlmu23kfrxh49px20665dqwmn4p72pksese",
                               &error);
  g_assert_null (msg);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
  g_assert_nonnull (strstr (error->message, "Unknown prefix lnp"));
  g_clear_error (&error);

  /* An offer's stream read as an invoice_request fails the invoice_request rules. */
  msg = bolt12_message_decode ("lnr1zcss9mk8y3wkklfvevcrszlmu23kfrxh49px20665dqwmn4p72pksese",
                               &error);
  g_assert_null (msg);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
  g_clear_error (&error);

  msg = bolt12_message_decode ("LNO1ZCSS9MK8Y3WKKLFVEVCRSZLMU23KFRXH49PX20665DQWMN4P72PKSESE",
                               &error);
  g_assert_no_error (error);
  g_assert_true (msg->has_offer_issuer_id);
}

/* ---------------------------------------------------------------------------------------------
 * Recurrence
 */

/* The same schedule in each numbering: every 7 days, base 1456740000, window -10 +20,
 * limit 12. */
static void
test_recurrence_numberings (void)
{
  static const Field current[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0107" },
    { G_GUINT64_CONSTANT (1000000026), "0056d416a0" },
    { G_GUINT64_CONSTANT (1000000027), "0000000a14" },
    { G_GUINT64_CONSTANT (1000000029), "0c" },
    END
  };
  static const Field cln2024[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1212121212), "0107" },
    { G_GUINT64_CONSTANT (1212121214), "0000000a0014" },
    { G_GUINT64_CONSTANT (1212121216), "0c" },
    { G_GUINT64_CONSTANT (1212121218), "0056d416a0" },
    END
  };
  static const Field cln2022[] = {
    { 10, DESC }, { 22, ISSUER },
    { 26, "0107" }, { 28, "0000000a0014" }, { 30, "0c" }, { 32, "0056d416a0" },
    END
  };
  const Field *cases[] = { current, cln2024, cln2022 };
  const Bolt12RecurrenceNumbering numberings[] = {
    BOLT12_RECURRENCE_CLN_CURRENT, BOLT12_RECURRENCE_CLN_2024, BOLT12_RECURRENCE_CLN_2022
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Bolt12Message) msg = parse_offer_ok (cases[i]);
      const Bolt12Recurrence *r = &msg->recurrence;

      g_assert_true (r->present);
      g_assert_cmpint (r->numbering, ==, numberings[i]);
      g_assert_true (r->compulsory);
      g_assert_cmpuint (r->time_unit, ==, BOLT12_TIME_UNIT_DAYS);
      g_assert_cmpuint (r->period, ==, 7);
      g_assert_true (r->has_base);
      g_assert_cmpuint (r->basetime, ==, 1456740000);
      g_assert_false (r->proportional_amount);
      g_assert_false (r->start_any_period);
      g_assert_true (r->has_paywindow);
      g_assert_cmpuint (r->seconds_before, ==, 10);
      g_assert_cmpuint (r->seconds_after, ==, 20);
      g_assert_false (r->paywindow_proportional);
      g_assert_true (r->has_limit);
      g_assert_cmpuint (r->limit, ==, 12);
      g_assert_cmpuint (msg->unknown_records->len, ==, 0);
    }
}

static void
test_recurrence_flags (void)
{
  static const Field current[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "020258" },
    { G_GUINT64_CONSTANT (1000000026), "01" },
    END
  };
  static const Field old[] = {
    { 10, DESC }, { 22, ISSUER },
    { 26, "0301" }, { 28, "00000000" "01" }, { 32, "01" "01" },
    END
  };
  static const Field optional[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000025), "0003" }, END
  };
  static const Field flag2[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0001" },
    { G_GUINT64_CONSTANT (1000000026), "02" },
    END
  };
  g_autoptr(Bolt12Message) a = parse_offer_ok (current);
  g_autoptr(Bolt12Message) b = parse_offer_ok (old);
  g_autoptr(Bolt12Message) c = parse_offer_ok (optional);

  g_assert_cmpuint (a->recurrence.time_unit, ==, BOLT12_TIME_UNIT_MONTHS);
  g_assert_cmpuint (a->recurrence.period, ==, 600);
  g_assert_true (a->recurrence.proportional_amount);
  g_assert_cmpuint (a->recurrence.basetime, ==, 0);

  /* years only in old numberings; start_any_period and the paywindow flag in old layouts */
  g_assert_cmpuint (b->recurrence.time_unit, ==, BOLT12_TIME_UNIT_YEARS);
  g_assert_true (b->recurrence.start_any_period);
  g_assert_false (b->recurrence.proportional_amount);
  g_assert_true (b->recurrence.paywindow_proportional);
  g_assert_cmpuint (b->recurrence.seconds_after, ==, 0);
  g_assert_cmpuint (b->recurrence.basetime, ==, 1);

  g_assert_true (c->recurrence.present);
  g_assert_false (c->recurrence.compulsory);
  g_assert_cmpuint (c->recurrence.time_unit, ==, 0);
  g_assert_cmpuint (c->recurrence.period, ==, 3);

  expect_offer_error (flag2, BOLT12_ERROR_TLV, "offer_recurrence_base");
}

static void
test_recurrence_rules (void)
{
  static const Field period0[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000024), "01" }, END
  };
  static const Field limit0[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0101" }, { G_GUINT64_CONSTANT (1000000029), "" }, END
  };
  static const Field years[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000024), "0301" }, END
  };
  static const Field unit4_old[] = { { 10, DESC }, { 22, ISSUER }, { 26, "0401" }, END };
  static const Field base_alone[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000026), "0001" }, END
  };
  static const Field window_alone[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000027), "00000001" }, END
  };
  static const Field limit_alone[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000029), "01" }, END
  };
  static const Field both[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0101" }, { G_GUINT64_CONSTANT (1000000025), "0101" }, END
  };
  static const Field optional_base[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000025), "0101" }, { G_GUINT64_CONSTANT (1000000026), "0001" }, END
  };
  static const Field mixed[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0101" }, { G_GUINT64_CONSTANT (1212121216), "01" }, END
  };
  static const Field mixed_old[] = {
    { 10, DESC }, { 22, ISSUER }, { 26, "0101" }, { G_GUINT64_CONSTANT (1000000029), "01" }, END
  };
  static const Field truncated_window[] = {
    { 10, DESC }, { 22, ISSUER },
    { G_GUINT64_CONSTANT (1000000024), "0101" }, { G_GUINT64_CONSTANT (1000000027), "000000" }, END
  };
  static const Field empty[] = {
    { 10, DESC }, { 22, ISSUER }, { G_GUINT64_CONSTANT (1000000024), "" }, END
  };

  expect_offer_error (period0, BOLT12_ERROR_INVALID, "Offer contains invalid recurrence period 0");
  expect_offer_error (limit0, BOLT12_ERROR_INVALID, "Offer contains invalid recurrence limit 0");
  expect_offer_error (years, BOLT12_ERROR_INVALID, "time unit 3");
  expect_offer_error (unit4_old, BOLT12_ERROR_INVALID, "time unit 4");
  expect_offer_error (base_alone, BOLT12_ERROR_INVALID, "without a recurrence");
  expect_offer_error (window_alone, BOLT12_ERROR_INVALID, "without a recurrence");
  expect_offer_error (limit_alone, BOLT12_ERROR_INVALID, "without a recurrence");
  expect_offer_error (both, BOLT12_ERROR_INVALID, "compulsory and an optional");
  expect_offer_error (optional_base, BOLT12_ERROR_INVALID, "optional recurrence with a base");
  expect_offer_error (mixed, BOLT12_ERROR_INVALID, "numberings");
  expect_offer_error (mixed_old, BOLT12_ERROR_INVALID, "numberings");
  expect_offer_error (truncated_window, BOLT12_ERROR_TLV, "offer_recurrence_paywindow");
  expect_offer_error (empty, BOLT12_ERROR_TLV, "offer_recurrence");
}

/* PR #1240's in-range numbers are not decoded (type 26 is CLN 2022's recurrence). */
static void
test_recurrence_pr1240 (void)
{
  static const Field optional[] = { { 10, DESC }, { 22, ISSUER }, { 25, "0101" }, END };
  static const Field compulsory[] = { { 10, DESC }, { 22, ISSUER }, { 24, "0101" }, END };
  static const Field with_base[] = {
    { 10, DESC }, { 22, ISSUER }, { 25, "0101" }, { 26, "0056d416a0" }, END
  };
  g_autoptr(Bolt12Message) msg = parse_offer_ok (optional);

  g_assert_false (msg->recurrence.present);
  g_assert_cmpuint (msg->unknown_records->len, ==, 1);
  expect_offer_error (compulsory, BOLT12_ERROR_INVALID, "unknown even field 24");
  expect_offer_error (with_base, BOLT12_ERROR_INVALID, "numberings");
}

static void
test_expiry (void)
{
  static const Field f[] = { { 10, DESC }, { 14, "03e8" }, { 22, ISSUER }, END };
  static const Field none[] = { { 10, DESC }, { 22, ISSUER }, END };
  g_autoptr(Bolt12Message) msg = parse_offer_ok (f);
  g_autoptr(Bolt12Message) forever = parse_offer_ok (none);

  /* An expired offer still decodes: expiry is the caller's question. */
  g_assert_true (msg->has_offer_absolute_expiry);
  g_assert_cmpuint (msg->offer_absolute_expiry, ==, 1000);
  g_assert_false (bolt12_message_is_expired (msg, 999));
  g_assert_false (bolt12_message_is_expired (msg, 1000));
  g_assert_true (bolt12_message_is_expired (msg, 1001));
  g_assert_true (bolt12_message_is_expired (msg, G_MAXUINT64));
  g_assert_false (bolt12_message_is_expired (forever, G_MAXUINT64));
}

static void
test_chain_names (void)
{
  static const char *names[] = { "bitcoin", "testnet", "testnet4", "signet", "regtest" };
  static const char *hashes[] = {
    "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000",
    "43497fd7f826957108f4a30fd9cec3aeba79972084e90ead01ea330900000000",
    "43f08bdab050e35b567c864b91f47f50ae725ae2de53bcfbbaf284da00000000",
    "f61eee3b63a380a477a063af32b2bbc97c9ff9f01f2c4225e973988108000000",
    "06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f",
  };
  guint8 chain[32];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *hex = NULL;

      g_assert_true (bolt12_chain_from_name (names[i], chain));
      hex = od_test_hex (chain, 32);
      g_assert_cmpstr (hex, ==, hashes[i]);
      g_assert_cmpstr (bolt12_chain_name (chain), ==, names[i]);
    }
  g_assert_false (bolt12_chain_from_name ("liquidv1", chain));
  g_assert_false (bolt12_chain_from_name ("Bitcoin", chain));
  memset (chain, 0, sizeof chain);
  g_assert_null (bolt12_chain_name (chain));
}

/* Building: the offer builder writes what the parser reads; an invalid build fails encode. */
static void
test_build_rules (void)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) issuer = od_test_hex_to_array (ISSUER);
  g_autofree char *str = NULL;
  g_autoptr(Bolt12Message) back = NULL;

  /* no issuer, no paths */
  msg->offer_description = g_strdup ("x");
  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
  g_clear_error (&error);

  memcpy (msg->offer_issuer_id, issuer->data, 33);
  msg->has_offer_issuer_id = TRUE;
  msg->recurrence.present = TRUE;
  msg->recurrence.compulsory = TRUE;
  msg->recurrence.time_unit = BOLT12_TIME_UNIT_MONTHS;
  msg->recurrence.period = 1;
  msg->recurrence.has_limit = TRUE;
  msg->recurrence.limit = 11;
  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (str, "lno1"));
  g_assert_nonnull (find_record (msg, BOLT12_TLV_OFFER_RECURRENCE_COMPULSORY));
  g_assert_nonnull (find_record (msg, BOLT12_TLV_OFFER_RECURRENCE_LIMIT));

  back = bolt12_message_decode (str, &error);
  g_assert_no_error (error);
  g_assert_true (back->recurrence.present);
  g_assert_cmpuint (back->recurrence.limit, ==, 11);
  g_assert_cmpmem (back->offer_id, 32, msg->offer_id, 32);

  /* a signature in an offer cannot be written */
  msg->has_signature = TRUE;
  g_clear_pointer (&str, g_free);
  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "pre-2022"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "bolt12", "offers-test.json", NULL);
  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  vectors = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (vectors), ==, 53);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      g_autofree char *name = g_strdup_printf ("/bolt12/offer/vector/%02u", i);

      g_test_add_data_func (name, GUINT_TO_POINTER (i), test_vector);
    }
  g_test_add_func ("/bolt12/offer/vector-values", test_vector_values);
  g_test_add_func ("/bolt12/offer/vector-paths-fixed", test_vector_paths_fixed);

  g_test_add_func ("/bolt12/offer/minimal", test_minimal);
  g_test_add_func ("/bolt12/offer/signed-pre-2022", test_signed_offer);
  g_test_add_func ("/bolt12/offer/zero-amount", test_zero_amount);
  g_test_add_func ("/bolt12/offer/currency-without-amount", test_currency_without_amount);
  g_test_add_func ("/bolt12/offer/amount-without-description", test_amount_without_description);
  g_test_add_func ("/bolt12/offer/amount-ceiling", test_amount_ceiling);
  g_test_add_func ("/bolt12/offer/no-issuer-no-paths", test_no_issuer_no_paths);
  g_test_add_func ("/bolt12/offer/empty-chains", test_empty_chains);
  g_test_add_func ("/bolt12/offer/currency-encoding", test_currency_encoding);
  g_test_add_func ("/bolt12/offer/bad-utf8", test_bad_utf8);
  g_test_add_func ("/bolt12/offer/nul-in-text", test_nul_in_text);
  g_test_add_func ("/bolt12/offer/bad-points", test_bad_points);
  g_test_add_func ("/bolt12/offer/non-minimal-tu", test_non_minimal_tu);
  g_test_add_func ("/bolt12/offer/paths", test_paths);
  g_test_add_func ("/bolt12/offer/features", test_features);
  g_test_add_func ("/bolt12/offer/ranges", test_ranges);
  g_test_add_func ("/bolt12/offer/unknown-even", test_unknown_even);
  g_test_add_func ("/bolt12/offer/unknown-odd", test_unknown_odd);
  g_test_add_func ("/bolt12/offer/tlv-errors", test_tlv_errors);
  g_test_add_func ("/bolt12/offer/wrong-prefix", test_wrong_prefix);
  g_test_add_func ("/bolt12/offer/recurrence-numberings", test_recurrence_numberings);
  g_test_add_func ("/bolt12/offer/recurrence-flags", test_recurrence_flags);
  g_test_add_func ("/bolt12/offer/recurrence-rules", test_recurrence_rules);
  g_test_add_func ("/bolt12/offer/recurrence-pr1240", test_recurrence_pr1240);
  g_test_add_func ("/bolt12/offer/expiry", test_expiry);
  g_test_add_func ("/bolt12/offer/chain-names", test_chain_names);
  g_test_add_func ("/bolt12/offer/build-rules", test_build_rules);

  return g_test_run ();
}
