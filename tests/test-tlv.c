/* test-tlv.c: BigSize, truncated integers, TLV streams, strict UTF-8, the TLV builder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12.h"
#include "od-test-utils.h"

/* Decodes a hex string into a new GByteArray (test data only; aborts on bad hex). */
/* BOLT 1 Appendix A: BigSize decoding and encoding vectors. */
static void
test_bigsize_vectors (void)
{
  static const struct {
    guint64     value;
    const char *hex;
  } vectors[] = {
    { 0, "00" },
    { 252, "fc" },
    { 253, "fd00fd" },
    { 65535, "fdffff" },
    { 65536, "fe00010000" },
    { 4294967295, "feffffffff" },
    { G_GUINT64_CONSTANT (4294967296), "ff0000000100000000" },
    { G_GUINT64_CONSTANT (18446744073709551615), "ffffffffffffffffff" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GByteArray) in = od_test_hex_to_array (vectors[i].hex);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autofree char *out_hex = NULL;
      const guint8 *p = in->data;
      gsize remaining = in->len;
      guint64 value = 0;

      g_test_message ("bigsize %s", vectors[i].hex);
      g_assert_true (bolt12_bigsize_read (&p, &remaining, &value));
      g_assert_cmpuint (value, ==, vectors[i].value);
      g_assert_cmpuint (remaining, ==, 0);
      g_assert_true (p == in->data + in->len);

      bolt12_bigsize_append (out, vectors[i].value);
      out_hex = od_test_hex (out->data, out->len);
      g_assert_cmpstr (out_hex, ==, vectors[i].hex);
      g_assert_cmpuint (bolt12_bigsize_length (vectors[i].value), ==, in->len);
    }
}

static void
test_bigsize_invalid (void)
{
  static const char *const invalid[] = {
    /* not minimal (BOLT 1 Appendix A) */
    "fd00fc",
    "fe0000ffff",
    "ff00000000ffffffff",
    /* truncated */
    "",
    "fd00",
    "feffff",
    "ffffffffff",
    "fd",
    "fe",
    "ff",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GByteArray) in = od_test_hex_to_array (invalid[i]);
      const guint8 *p = in->data;
      gsize remaining = in->len;
      guint64 value = 42;

      g_test_message ("bigsize (invalid) %s", invalid[i]);
      g_assert_false (bolt12_bigsize_read (&p, &remaining, &value));
      /* Nothing is consumed on failure. */
      g_assert_true (p == in->data);
      g_assert_cmpuint (remaining, ==, in->len);
      g_assert_cmpuint (value, ==, 42);
    }
}

static void
test_bigsize_partial (void)
{
  /* Reads only what it needs and advances past it. */
  static const guint8 data[] = { 0xfd, 0x01, 0x00, 0x07, 0xaa };
  const guint8 *p = data;
  gsize remaining = sizeof data;
  guint64 value = 0;

  g_assert_true (bolt12_bigsize_read (&p, &remaining, &value));
  g_assert_cmpuint (value, ==, 256);
  g_assert_cmpuint (remaining, ==, 2);
  g_assert_true (bolt12_bigsize_read (&p, &remaining, &value));
  g_assert_cmpuint (value, ==, 7);
  g_assert_cmpuint (remaining, ==, 1);
  g_assert_true (p == data + 4);

  /* A remaining count shorter than the buffer is honoured. */
  p = data;
  remaining = 2;
  g_assert_false (bolt12_bigsize_read (&p, &remaining, &value));
}

static void
test_tu (void)
{
  static const struct {
    const char *hex;
    guint       max_bytes;
    gboolean    valid;
    guint64     value;
  } cases[] = {
    { "", 2, TRUE, 0 },
    { "", 8, TRUE, 0 },
    { "05", 4, TRUE, 5 },
    { "2710", 2, TRUE, 10000 },
    { "ffff", 2, TRUE, 65535 },
    { "010000", 4, TRUE, 65536 },
    { "ffffffff", 4, TRUE, 4294967295 },
    { "0100000000", 8, TRUE, G_GUINT64_CONSTANT (4294967296) },
    { "ffffffffffffffff", 8, TRUE, G_MAXUINT64 },
    /* leading zero byte: not minimal */
    { "00", 8, FALSE, 0 },
    { "0005", 4, FALSE, 0 },
    { "000000000000000001", 8, FALSE, 0 },
    /* too long */
    { "010000", 2, FALSE, 0 },
    { "0100000000", 4, FALSE, 0 },
    { "010000000000000000", 8, FALSE, 0 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) in = od_test_hex_to_array (cases[i].hex);
      guint64 value = 12345;
      gboolean ok;

      g_test_message ("tu%u \"%s\"", cases[i].max_bytes * 8, cases[i].hex);
      ok = bolt12_tu_read (in->data, in->len, cases[i].max_bytes, &value);
      g_assert_cmpint (ok, ==, cases[i].valid);
      if (cases[i].valid)
        {
          g_autoptr(GByteArray) out = g_byte_array_new ();
          g_autofree char *out_hex = NULL;

          g_assert_cmpuint (value, ==, cases[i].value);
          bolt12_tu_append (out, value);
          out_hex = od_test_hex (out->data, out->len);
          g_assert_cmpstr (out_hex, ==, cases[i].hex);
        }
      else
        g_assert_cmpuint (value, ==, 12345);
    }
}

static void
test_be_append (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *hex = NULL;

  bolt12_be_append (out, 0x0102, 2);
  bolt12_be_append (out, 7, 4);
  bolt12_be_append (out, G_GUINT64_CONSTANT (0x1122334455667788), 8);
  bolt12_be_append (out, 0xab, 1);
  bolt12_be_append (out, 0xff, 0);
  hex = od_test_hex (out->data, out->len);
  g_assert_cmpstr (hex, ==, "0102" "00000007" "1122334455667788" "ab");
}

static void
test_parse_valid (void)
{
  /* type 1 len 0; type 2 len 1 "aa"; type 253 len 2; type 1000000033 (fe3b9aca21) len 1 */
  g_autoptr(GByteArray) in =
    od_test_hex_to_array ("0100" "0201aa" "fd00fd02bbcc" "fe3b9aca2101dd");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) records = NULL;
  const Bolt12Record *r;

  records = bolt12_tlv_parse (in->data, in->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 4);

  r = &g_array_index (records, Bolt12Record, 0);
  g_assert_cmpuint (r->type, ==, 1);
  g_assert_cmpuint (r->length, ==, 0);
  g_assert_true (r->raw == in->data);
  g_assert_cmpuint (r->raw_length, ==, 2);

  r = &g_array_index (records, Bolt12Record, 1);
  g_assert_cmpuint (r->type, ==, 2);
  g_assert_cmpuint (r->length, ==, 1);
  g_assert_true (r->value == in->data + 4);
  g_assert_cmpuint (r->value[0], ==, 0xaa);
  g_assert_true (r->raw == in->data + 2);
  g_assert_cmpuint (r->raw_length, ==, 3);

  r = &g_array_index (records, Bolt12Record, 2);
  g_assert_cmpuint (r->type, ==, 253);
  g_assert_cmpuint (r->length, ==, 2);
  g_assert_true (r->value == in->data + 9);
  g_assert_cmpuint (r->raw_length, ==, 6);

  r = &g_array_index (records, Bolt12Record, 3);
  g_assert_cmpuint (r->type, ==, 1000000033);
  g_assert_cmpuint (r->length, ==, 1);
  g_assert_cmpuint (r->value[0], ==, 0xdd);
  g_assert_true (r->raw + r->raw_length == in->data + in->len);
  g_clear_pointer (&records, g_array_unref);

  /* The empty stream is valid and empty. */
  records = bolt12_tlv_parse (NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_parse_invalid (void)
{
  static const struct {
    const char *what;
    const char *hex;
  } cases[] = {
    { "equal types", "0100" "0100" },
    { "decreasing types", "0200" "0100" },
    { "decreasing after increasing", "0100" "0300" "0200" },
    { "non-minimal type", "fd000100" },
    { "non-minimal length", "01fd000100" },
    { "truncated type", "0100" "fd01" },
    { "missing length", "0100" "02" },
    { "truncated length", "01fd01" },
    { "length past the end", "0103aabb" },
    { "length past the end by one", "0201aa" "0302bb" },
    { "huge 8-byte length", "01ffffffffffffffffff" "aa" },
    { "huge 4-byte length", "01feffffffff" "aabbcc" },
    { "length 2^63", "01ff8000000000000000" },
    { "type 2^64-1 then anything", "ffffffffffffffffff00" "0100" },
    { "type fd + 4 bytes (offers-test quirk)", "fd3b9aca0201aa" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) in = od_test_hex_to_array (cases[i].hex);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) records = NULL;

      records = bolt12_tlv_parse (in->data, in->len, &error);
      g_assert_null (records);
      g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV);
      g_test_message ("%s: %s", cases[i].what, error->message);
    }
}

static void
test_parse_truncations (void)
{
  /* Every strict prefix of a valid multi-record stream either parses as a shorter stream of
   * whole records or fails; it never reads past the prefix (ASan watches the copy). */
  g_autoptr(GByteArray) in = od_test_hex_to_array ("0100" "0201aa" "fd00fd02bbcc" "fe3b9aca2101dd");
  static const gsize boundaries[] = { 0, 2, 5, 11, 18 };
  guint cut;

  for (cut = 0; cut < in->len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (in->data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) records = NULL;
      gboolean at_boundary = FALSE;
      guint k;

      for (k = 0; k < G_N_ELEMENTS (boundaries); k++)
        if (boundaries[k] == cut)
          at_boundary = TRUE;

      records = bolt12_tlv_parse (copy, cut, &error);
      if (at_boundary)
        {
          g_assert_no_error (error);
          g_assert_nonnull (records);
        }
      else
        {
          g_assert_null (records);
          g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV);
        }
    }
}

static void
test_tlv_append (void)
{
  static const guint8 value[] = { 0xaa, 0xbb };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *hex = NULL;
  g_autofree guint8 *big = g_malloc0 (300);

  bolt12_tlv_append (out, 1, NULL, 0);
  bolt12_tlv_append (out, 253, value, 2);
  hex = od_test_hex (out->data, out->len);
  g_assert_cmpstr (hex, ==, "0100" "fd00fd02aabb");

  /* A length above 252 is itself a 3-byte BigSize. */
  g_byte_array_set_size (out, 0);
  bolt12_tlv_append (out, 7, big, 300);
  g_assert_cmpuint (out->len, ==, 1 + 3 + 300);
  g_assert_cmpuint (out->data[1], ==, 0xfd);
  g_assert_cmpuint (out->data[2], ==, 0x01);
  g_assert_cmpuint (out->data[3], ==, 0x2c);
}

static void
test_builder (void)
{
  static const guint8 v1[] = { 0x11 };
  static const guint8 v2[] = { 0x22, 0x22 };
  g_autoptr(Bolt12TlvBuilder) builder = bolt12_tlv_builder_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) records = NULL;
  g_autofree char *hex = NULL;
  gsize len;
  const guint8 *data;

  bolt12_tlv_builder_add (builder, 1000000033, v1, 1);
  bolt12_tlv_builder_add_tu (builder, 8, 10000);
  bolt12_tlv_builder_add (builder, 2, v2, 2);
  bolt12_tlv_builder_add_tu (builder, 20, 0);
  bolt12_tlv_builder_add (builder, 0, NULL, 0);

  bytes = bolt12_tlv_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);

  data = g_bytes_get_data (bytes, &len);
  hex = od_test_hex (data, len);
  g_assert_cmpstr (hex, ==, "0000" "02022222" "08022710" "1400" "fe3b9aca210111");

  records = bolt12_tlv_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 5);
}

static void
test_builder_duplicate (void)
{
  static const guint8 v[] = { 0x01 };
  g_autoptr(Bolt12TlvBuilder) builder = bolt12_tlv_builder_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bolt12_tlv_builder_add (builder, 10, v, 1);
  bolt12_tlv_builder_add (builder, 3, v, 1);
  bolt12_tlv_builder_add_tu (builder, 10, 5);

  bytes = bolt12_tlv_builder_finish (builder, &error);
  g_assert_null (bytes);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV);
  g_assert_nonnull (strstr (error->message, "10"));
}

static void
test_builder_empty (void)
{
  g_autoptr(Bolt12TlvBuilder) builder = bolt12_tlv_builder_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = bolt12_tlv_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);

  bolt12_tlv_builder_free (NULL);
}

static void
test_utf8 (void)
{
  static const struct {
    const char *what;
    const char *hex;
    gboolean    valid;
  } cases[] = {
    { "empty", "", TRUE },
    { "ASCII", "48656c6c6f", TRUE },
    { "U+0000", "00", TRUE },
    { "U+0000 inside", "610062", TRUE },
    { "U+007F", "7f", TRUE },
    { "U+0080", "c280", TRUE },
    { "U+00E9", "c3a9", TRUE },
    { "U+07FF", "dfbf", TRUE },
    { "U+0800", "e0a080", TRUE },
    { "U+20AC euro", "e282ac", TRUE },
    { "U+D7FF", "ed9fbf", TRUE },
    { "U+E000", "ee8080", TRUE },
    { "U+FFFD", "efbfbd", TRUE },
    { "U+FFFF", "efbfbf", TRUE },
    { "U+10000", "f0908080", TRUE },
    { "U+1F600", "f09f9880", TRUE },
    { "U+10FFFF", "f48fbfbf", TRUE },
    { "mixed", "41c3a9e282acf09f9880", TRUE },
    { "overlong C0 80", "c080", FALSE },
    { "overlong C1 BF", "c1bf", FALSE },
    { "overlong E0 80 80", "e08080", FALSE },
    { "overlong E0 9F BF", "e09fbf", FALSE },
    { "overlong F0 80 80 80", "f0808080", FALSE },
    { "overlong F0 8F BF BF", "f08fbfbf", FALSE },
    { "surrogate ED A0 80", "eda080", FALSE },
    { "surrogate ED BF BF", "edbfbf", FALSE },
    { "above U+10FFFF F4 90 80 80", "f4908080", FALSE },
    { "F5 lead", "f5808080", FALSE },
    { "FF", "ff", FALSE },
    { "lone continuation", "80", FALSE },
    { "continuation after ASCII", "4180", FALSE },
    { "truncated 2-byte", "c3", FALSE },
    { "truncated 3-byte", "e282", FALSE },
    { "truncated 4-byte", "f09f98", FALSE },
    { "truncated then ASCII", "e28241", FALSE },
    { "bad second continuation", "e2c3ac", FALSE },
    { "bad third continuation", "f09f9841", FALSE },
    { "5-byte form", "f888808080", FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) in = od_test_hex_to_array (cases[i].hex);
      g_autofree guint8 *copy = g_memdup2 (in->data, in->len);

      g_test_message ("utf8 %s (%s)", cases[i].what, cases[i].hex);
      /* An exact-size copy so that ASan catches any read past the end. */
      g_assert_cmpint (bolt12_utf8_valid (copy, in->len), ==, cases[i].valid);
    }

  g_assert_true (bolt12_utf8_valid (NULL, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bolt12/tlv/bigsize-vectors", test_bigsize_vectors);
  g_test_add_func ("/bolt12/tlv/bigsize-invalid", test_bigsize_invalid);
  g_test_add_func ("/bolt12/tlv/bigsize-partial", test_bigsize_partial);
  g_test_add_func ("/bolt12/tlv/tu", test_tu);
  g_test_add_func ("/bolt12/tlv/be-append", test_be_append);
  g_test_add_func ("/bolt12/tlv/parse-valid", test_parse_valid);
  g_test_add_func ("/bolt12/tlv/parse-invalid", test_parse_invalid);
  g_test_add_func ("/bolt12/tlv/parse-truncations", test_parse_truncations);
  g_test_add_func ("/bolt12/tlv/append", test_tlv_append);
  g_test_add_func ("/bolt12/tlv/builder", test_builder);
  g_test_add_func ("/bolt12/tlv/builder-duplicate", test_builder_duplicate);
  g_test_add_func ("/bolt12/tlv/builder-empty", test_builder_empty);
  g_test_add_func ("/bolt12/tlv/utf8", test_utf8);

  return g_test_run ();
}
