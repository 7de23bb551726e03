/* test-string.c: the BOLT 12 string layer and URI wrappers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bolt12.h"

/* The TLV stream of the first (valid) vector of format-string-test.json. */
#define VECTOR_LOWER \
  "lno1pqps7sjqpgtyzm3qv4uxzmtsd3jjqer9wd3hy6tsw35k7msjzfpy7nz5yqcnygrfdej82um5wf5k2uckyypwa3" \
  "eyt44h6txtxquqh7lz5djge4afgfjn7k4rgrkuag0jsd5xvxg"
#define VECTOR_UPPER \
  "LNO1PQPS7SJQPGTYZM3QV4UXZMTSD3JJQER9WD3HY6TSW35K7MSJZFPY7NZ5YQCNYGRFDEJ82UM5WF5K2UCKYYPWA3" \
  "EYT44H6TXTXQUQH7LZ5DJGE4AFGFJN7K4RGRKUAG0JSD5XVXG"

static void
assert_decodes (const char *str,
                const char *expected_hrp,
                GBytes    **out_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hrp = NULL;
  g_autoptr(GBytes) data = NULL;
  gboolean ok;

  ok = bolt12_string_decode (str, -1, &hrp, &data, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (hrp, ==, expected_hrp);
  g_assert_nonnull (data);
  g_assert_cmpuint (g_bytes_get_size (data), >, 0);

  if (out_data != NULL)
    *out_data = g_steal_pointer (&data);
}

static void
assert_fails (const char *str,
              gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hrp = NULL;
  g_autoptr(GBytes) data = NULL;
  gboolean ok;

  ok = bolt12_string_decode (str, len, &hrp, &data, &error);
  g_assert_false (ok);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 0);
  g_assert_null (hrp);
  g_assert_null (data);
}

static void
test_format_vectors (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) reference = NULL;
  JsonArray *cases;
  guint n_valid = 0;
  guint n_invalid = 0;
  guint i;

  path = g_test_build_filename (G_TEST_DIST, "data", "bolt12", "format-string-test.json", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  cases = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (cases), ==, 12);

  assert_decodes (VECTOR_LOWER, "lno", &reference);

  for (i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *tc = json_array_get_object_element (cases, i);
      const char *comment = json_object_get_string_member (tc, "comment");
      const char *str = json_object_get_string_member (tc, "string");
      gboolean valid = json_object_get_boolean_member (tc, "valid");

      g_test_message ("case %u: %s (%s)", i, comment, valid ? "valid" : "invalid");

      if (valid)
        {
          g_autoptr(GBytes) data = NULL;

          assert_decodes (str, "lno", &data);
          /* Every valid vector is the same offer, however it is split or cased. */
          g_assert_true (g_bytes_equal (data, reference));
          n_valid++;
        }
      else
        {
          assert_fails (str, -1);
          n_invalid++;
        }
    }

  g_assert_cmpuint (n_valid, ==, 6);
  g_assert_cmpuint (n_invalid, ==, 6);
}

static void
test_known_bytes (void)
{
  /* "qq" = 00000 00000 -> one zero byte and two zero pad bits. */
  static const guint8 zero[] = { 0x00 };
  /* 0xff = 11111 111(00) -> "l" "u" */
  static const guint8 ff[] = { 0xff };
  g_autoptr(GBytes) data = NULL;
  g_autofree char *enc1 = NULL;
  g_autofree char *enc2 = NULL;
  g_autofree char *enc3 = NULL;

  assert_decodes ("lno1qq", "lno", &data);
  g_assert_cmpmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data), zero, 1);
  g_clear_pointer (&data, g_bytes_unref);

  assert_decodes ("lno1lu", "lno", &data);
  g_assert_cmpmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data), ff, 1);

  enc1 = bolt12_string_encode ("lno", ff, 1, FALSE);
  g_assert_cmpstr (enc1, ==, "lno1lu");
  enc2 = bolt12_string_encode ("lno", ff, 1, TRUE);
  g_assert_cmpstr (enc2, ==, "LNO1LU");
  enc3 = bolt12_string_encode ("LNR", zero, 1, FALSE);
  g_assert_cmpstr (enc3, ==, "lnr1qq");
}

static void
test_padding (void)
{
  /* "lp": 11111 00001 -> byte 0xf8, pad bits "01" are not zero. */
  assert_fails ("lno1lp", -1);
  /* "lq": 11111 00000 -> byte 0xf8, pad bits zero. */
  assert_decodes ("lno1lq", "lno", NULL);
  /* 1 character = 5 bits: no byte, 5 leftover bits. */
  assert_fails ("lno1q", -1);
  /* 4 characters = 20 bits: 2 bytes and 4 leftover bits (allowed when zero). */
  assert_decodes ("lno1qqqq", "lno", NULL);
  /* 6 characters = 30 bits: 3 bytes, 6 leftover bits. */
  assert_fails ("lno1qqqqqq", -1);
  /* 4 characters whose last 4 bits are not zero. */
  assert_fails ("lno1qqqp", -1);
  assert_fails ("LNO1QQQP", -1);
}

static void
test_invalid_strings (void)
{
  static const char *const cases[] = {
    "",
    "lno1",                   /* empty payload */
    "LNO1",
    "1qqqq",                  /* empty hrp */
    "lnoqqqq",                /* no separator */
    "lno1qqbq",               /* 'b' is not bech32 */
    "lno1qqiq",
    "lno1qqoq",
    "lno1qq1q",               /* the last '1' makes "q" the payload */
    "lno1qq q",               /* whitespace without '+' */
    "lno1qq\nqq",
    " lno1qqqq",
    "lno1qqqq ",
    "lno1qq+",
    "lno1qq+ ",
    "+lno1qqqq",
    "lno1q++qqq",
    "lno1q+ +qqq",
    "lno1q+-qqq",
    "lno1q-qqq",
    "lno1qq\xc3\xa9q",        /* non-ASCII */
    "Lno1qqqq",               /* mixed case, judged in the hrp too */
    "lno1qqqQ",
    "lNO1QQQQ",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("invalid case %u: \"%s\"", i, cases[i]);
      assert_fails (cases[i], -1);
    }

  /* An embedded NUL within an explicit length. */
  assert_fails ("lno1qq\0qq", 9);
}

static void
test_error_messages (void)
{
  struct {
    const char *str;
    const char *needle;
  } cases[] = {
    { "lno1LQ", "Mixed case" },
    { "lno1qqbq", "Invalid bech32 character 'b'" },
    { "LNO1QQBQ", "Invalid bech32 character 'B'" },
    { "lno1lp", "Bad bech32 padding" },
    { "lno1q", "Bad bech32 padding" },
    { "lno1", "Empty payload" },
    { "lno1qq+", "Unexpected '+'" },
    { "lno1q q", "whitespace" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (bolt12_string_decode (cases[i].str, -1, NULL, NULL, &error));
      g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
      g_test_message ("\"%s\": %s", cases[i].str, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static void
test_joins (void)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) joined = NULL;
  g_autoptr(GBytes) spaced = NULL;
  g_autoptr(GBytes) sized = NULL;

  assert_decodes ("lno1qqqqqqqq", "lno", &plain);
  assert_decodes ("l+n+o+1+qqqq+qqqq", "lno", &joined);
  assert_decodes ("lno1qq+\t\v\f\r\n qqqqqq", "lno", &spaced);
  g_assert_true (g_bytes_equal (plain, joined));
  g_assert_true (g_bytes_equal (plain, spaced));

  /* An explicit length stops before the rest of the buffer. */
  g_assert_true (bolt12_string_decode ("lno1qqqqqqqqGARBAGE", 12, NULL, &sized, NULL));
  g_assert_true (g_bytes_equal (plain, sized));
}

static void
test_round_trip (void)
{
  guint round;

  for (round = 0; round < 200; round++)
    {
      gsize len = g_test_rand_int_range (1, 300);
      g_autofree guint8 *bytes = g_malloc (len);
      g_autofree char *lower = NULL;
      g_autofree char *upper = NULL;
      g_autofree char *hrp_l = NULL;
      g_autofree char *hrp_u = NULL;
      g_autoptr(GBytes) data_l = NULL;
      g_autoptr(GBytes) data_u = NULL;
      g_autoptr(GError) error = NULL;
      gsize i;

      for (i = 0; i < len; i++)
        bytes[i] = (guint8) g_test_rand_int_range (0, 256);

      lower = bolt12_string_encode ("lnr", bytes, len, FALSE);
      upper = bolt12_string_encode ("lnr", bytes, len, TRUE);
      g_assert_true (g_str_has_prefix (lower, "lnr1"));
      g_assert_true (g_str_has_prefix (upper, "LNR1"));
      g_assert_cmpuint (strlen (lower), ==, 4 + (len * 8 + 4) / 5);
      for (i = 0; lower[i] != '\0'; i++)
        g_assert_false (g_ascii_isupper (lower[i]));
      for (i = 0; upper[i] != '\0'; i++)
        g_assert_false (g_ascii_islower (upper[i]));

      g_assert_true (bolt12_string_decode (lower, -1, &hrp_l, &data_l, &error));
      g_assert_no_error (error);
      g_assert_true (bolt12_string_decode (upper, -1, &hrp_u, &data_u, &error));
      g_assert_no_error (error);

      g_assert_cmpstr (hrp_l, ==, "lnr");
      g_assert_cmpstr (hrp_u, ==, "lnr");
      g_assert_cmpmem (g_bytes_get_data (data_l, NULL), g_bytes_get_size (data_l), bytes, len);
      g_assert_cmpmem (g_bytes_get_data (data_u, NULL), g_bytes_get_size (data_u), bytes, len);
    }
}

static void
test_vector_reencode (void)
{
  g_autoptr(GBytes) data = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *upper = NULL;

  assert_decodes (VECTOR_LOWER, "lno", &data);
  lower = bolt12_string_encode ("lno", g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                FALSE);
  upper = bolt12_string_encode ("lno", g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                TRUE);
  g_assert_cmpstr (lower, ==, VECTOR_LOWER);
  g_assert_cmpstr (upper, ==, VECTOR_UPPER);
}

static void
test_hrp_kinds (void)
{
  static const struct {
    Bolt12Kind  kind;
    const char *hrp;
  } kinds[] = {
    { BOLT12_KIND_OFFER, "lno" },
    { BOLT12_KIND_INVOICE_REQUEST, "lnr" },
    { BOLT12_KIND_INVOICE, "lni" },
  };
  static const char *const not_kinds[] = { "lnp", "lnbc", "ln", "lnoo", "", "bc" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      Bolt12Kind kind = (Bolt12Kind) -1;

      g_assert_cmpstr (bolt12_kind_hrp (kinds[i].kind), ==, kinds[i].hrp);
      g_assert_true (bolt12_kind_from_hrp (kinds[i].hrp, &kind));
      g_assert_cmpint (kind, ==, kinds[i].kind);
    }

  for (i = 0; i < G_N_ELEMENTS (not_kinds); i++)
    {
      Bolt12Kind kind = BOLT12_KIND_INVOICE;

      g_assert_false (bolt12_kind_from_hrp (not_kinds[i], &kind));
      g_assert_cmpint (kind, ==, BOLT12_KIND_INVOICE);
    }

  g_assert_false (bolt12_kind_from_hrp (NULL, NULL));
}

static void
test_uri_extract (void)
{
  static const struct {
    const char *uri;
    const char *expected;
  } cases[] = {
    { "lno1qqqq", "lno1qqqq" },
    { "LNO1QQQQ", "LNO1QQQQ" },
    { "lightning:lno1qqqq", "lno1qqqq" },
    { "LIGHTNING:LNO1QQQQ", "LNO1QQQQ" },
    { "LiGhTnInG:lno1qqqq", "lno1qqqq" },
    { "bitcoin:?lno=lno1qqqq", "lno1qqqq" },
    { "BITCOIN:?LNO=LNO1QQQQ", "LNO1QQQQ" },
    { "Bitcoin:?Lno=lno1qqqq", "lno1qqqq" },
    { "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=1&lno=lno1qqqq",
      "lno1qqqq" },
    { "bitcoin:?lno=%6Cno1qq%71q", "lno1qqqq" },
    { "bitcoin:?lno=lno1qq%2B%20qq", "lno1qq+ qq" },
    { "bitcoin:?lnr=lnr1qqqq", "lnr1qqqq" },
    { "bitcoin:?lni=lni1qqqq", "lni1qqqq" },
    { "bitcoin:?lno=lno1pppp&lno=lno1qqqq", "lno1pppp" },
    { "bitcoin:?lnr=lnr1qqqq&lno=lno1pppp", "lno1pppp" },
    { "bitcoin:?sp=sp1qqqq&lno=lno1qqqq&label=Shop%20A&pay=x", "lno1qqqq" },
    { "bitcoin:?lightning=lnbc1&lno=lno1qqqq&message", "lno1qqqq" },
  };
  static const char *const failures[] = {
    "bitcoin:?lno=lno1qqqq&req-unknown=1",
    "bitcoin:?req-pop=callback%3a&lno=lno1qqqq",
    "BITCOIN:?REQ-FOO&LNO=LNO1QQQQ",
    "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=1",
    "bitcoin:?lightning=lnbc1",
    "bitcoin:",
    "bitcoin:?",
    "bitcoin:?lno=",
    "bitcoin:?lno",
    "bitcoin:?lno=lno1%zzqq",
    "bitcoin:?lno=lno1%2",
    "bitcoin:?lno=lno1%00qq",
    "bitcoin:?xlno=lno1qqqq",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_test_message ("extract: %s", cases[i].uri);
      out = bolt12_uri_extract (cases[i].uri, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }

  for (i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_test_message ("extract (fails): %s", failures[i]);
      out = bolt12_uri_extract (failures[i], &error);
      g_assert_null (out);
      g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
    }
}

static void
test_uri_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  out = bolt12_uri_extract ("bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=1",
                            &error);
  g_assert_null (out);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
  g_assert_cmpstr (error->message, ==, "no BOLT 12 offer in this bitcoin: URI");
  g_clear_error (&error);

  out = bolt12_uri_extract ("bitcoin:?lno=lno1qqqq&req-unknown=1", &error);
  g_assert_null (out);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING);
  g_assert_nonnull (strstr (error->message, "req-unknown"));
}

static void
test_uri_build (void)
{
  g_autofree char *lower = bolt12_uri_build (VECTOR_LOWER, FALSE);
  g_autofree char *upper = bolt12_uri_build (VECTOR_LOWER, TRUE);
  g_autofree char *upper2 = bolt12_uri_build (VECTOR_UPPER, TRUE);
  g_autofree char *back_l = NULL;
  g_autofree char *back_u = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (lower, ==, "bitcoin:?lno=" VECTOR_LOWER);
  g_assert_cmpstr (upper, ==, "BITCOIN:?LNO=" VECTOR_UPPER);
  g_assert_cmpstr (upper2, ==, upper);

  back_l = bolt12_uri_extract (lower, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back_l, ==, VECTOR_LOWER);
  back_u = bolt12_uri_extract (upper, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back_u, ==, VECTOR_UPPER);
  assert_decodes (back_u, "lno", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bolt12/string/format-vectors", test_format_vectors);
  g_test_add_func ("/bolt12/string/known-bytes", test_known_bytes);
  g_test_add_func ("/bolt12/string/padding", test_padding);
  g_test_add_func ("/bolt12/string/invalid", test_invalid_strings);
  g_test_add_func ("/bolt12/string/error-messages", test_error_messages);
  g_test_add_func ("/bolt12/string/joins", test_joins);
  g_test_add_func ("/bolt12/string/round-trip", test_round_trip);
  g_test_add_func ("/bolt12/string/vector-reencode", test_vector_reencode);
  g_test_add_func ("/bolt12/string/hrp-kinds", test_hrp_kinds);
  g_test_add_func ("/bolt12/string/uri-extract", test_uri_extract);
  g_test_add_func ("/bolt12/string/uri-messages", test_uri_messages);
  g_test_add_func ("/bolt12/string/uri-build", test_uri_build);

  return g_test_run ();
}
