/* test-merkle.c: Merkle root, signatures, ids and key helpers of the BOLT 12 layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The vectors of tests/data/bolt12/signature-test.json are checked hash by hash (leaf, nonce,
 * leaf branch, inner branches, root, digest, signature); the tree shape is checked against an
 * independent recursive definition for 1 to 70 leaves; ids against values Core Lightning
 * recorded.
 */

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <json-glib/json-glib.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "bolt12.h"
#include "bolt12-sha256.h"
#include "od-test-utils.h"

/* Helpers */

static GBytes *
hex_decode (const char *hex)
{
  gsize len = strlen (hex);
  g_autofree guint8 *out = NULL;
  gsize i;

  g_assert_cmpuint (len % 2, ==, 0);
  out = g_malloc (len / 2 + 1);
  for (i = 0; i < len / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      out[i] = (guint8) ((hi << 4) | lo);
    }

  return g_bytes_new_take (g_steal_pointer (&out), len / 2);
}

/* Decodes a hex string of exactly n bytes into out. */
static void
hex_decode_into (const char *hex,
                 guint8     *out,
                 gsize       n)
{
  g_autoptr(GBytes) bytes = hex_decode (hex);

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, n);
  memcpy (out, g_bytes_get_data (bytes, NULL), n);
}

/* Compares bytes with a hex string (either case), showing both on failure. */
static void
assert_hex (const guint8 *data,
            gsize         len,
            const char   *expected)
{
  g_autofree char *got = od_test_hex (data, len);
  g_autofree char *want = g_ascii_strdown (expected, -1);

  g_assert_cmpstr (got, ==, want);
}

static gsize
bigsize_put (guint64 value,
             guint8  out[9])
{
  guint n, i;

  if (value < 0xfd)
    {
      out[0] = (guint8) value;
      return 1;
    }
  n = value <= 0xffff ? 2 : value <= 0xffffffff ? 4 : 8;
  out[0] = n == 2 ? 0xfd : n == 4 ? 0xfe : 0xff;
  for (i = 0; i < n; i++)
    out[1 + i] = (guint8) (value >> (8 * (n - 1 - i)));

  return 1 + n;
}

static void
append_record (GByteArray   *buf,
               guint64       type,
               const guint8 *value,
               gsize         len)
{
  guint8 tmp[9];

  g_byte_array_append (buf, tmp, bigsize_put (type, tmp));
  g_byte_array_append (buf, tmp, bigsize_put (len, tmp));
  if (len > 0)
    g_byte_array_append (buf, value, len);
}

static void
fill_random (guint8 *buf,
             gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }
}

static void
random_seckey (guint8 seckey[32])
{
  do
    fill_random (seckey, 32);
  while (!bolt12_seckey_valid (seckey));
}

/* A parsed TLV stream: the records point into bytes. */
typedef struct
{
  GBytes *bytes;
  GArray *records;
} Stream;

static void
stream_free (Stream *stream)
{
  g_clear_pointer (&stream->records, g_array_unref);
  g_clear_pointer (&stream->bytes, g_bytes_unref);
  g_free (stream);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

static Stream *
stream_parse (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  Stream *stream = g_new0 (Stream, 1);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  stream->bytes = g_bytes_ref (bytes);
  stream->records = bolt12_tlv_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream->records);

  return stream;
}

static Stream *
stream_from_array (GByteArray *buf)
{
  g_autoptr(GBytes) bytes = g_bytes_new (buf->data, buf->len);

  return stream_parse (bytes);
}

static Stream *
stream_from_string (const char *bolt12,
                    const char *expected_hrp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hrp = NULL;
  g_autoptr(GBytes) data = NULL;

  g_assert_true (bolt12_string_decode (bolt12, -1, &hrp, &data, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (hrp, ==, expected_hrp);

  return stream_parse (data);
}

#define RECORDS(s) (&g_array_index ((s)->records, Bolt12Record, 0))
#define N_RECORDS(s) ((s)->records->len)

static const Bolt12Record *
stream_find (Stream  *stream,
             guint64  type)
{
  guint i;

  for (i = 0; i < N_RECORDS (stream); i++)
    if (RECORDS (stream)[i].type == type)
      return &RECORDS (stream)[i];

  return NULL;
}

/* tests/data/<dir>/<file> */
static JsonParser *
load_json (const char *dir,
           const char *file)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", dir, file, NULL);

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&parser);
}

/* The member of obj whose name starts with prefix, e.g. "H(`LnLeaf`,". */
static const char *
member_with_prefix (JsonObject  *obj,
                    const char  *prefix,
                    const char **name_out)
{
  g_autoptr(GList) members = json_object_get_members (obj);
  GList *l;

  for (l = members; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, prefix))
      {
        if (name_out != NULL)
          *name_out = l->data;
        return json_object_get_string_member (obj, l->data);
      }

  g_assert_not_reached ();
  return NULL;
}

/* "H(`LnLeaf`,010203e8)" -> the bytes 01 02 03 e8 */
static GBytes *
argument_of (const char *name)
{
  const char *comma = strchr (name, ',');
  g_autofree char *hex = NULL;

  g_assert_nonnull (comma);
  g_assert_true (g_str_has_suffix (name, ")"));
  hex = g_strndup (comma + 1, strlen (comma + 1) - 1);

  return hex_decode (hex);
}

/* Independent tree: H() via bolt12_tagged_hash only. */

static void
ref_tagged (const char   *tag,
            const guint8 *msg,
            gsize         len,
            guint8        out[32])
{
  bolt12_tagged_hash ((const guint8 *) tag, strlen (tag), msg, len, out);
}

static void
ref_branch (const guint8 a[32],
            const guint8 b[32],
            guint8       out[32])
{
  guint8 buf[64];

  if (memcmp (a, b, 32) < 0)
    {
      memcpy (buf, a, 32);
      memcpy (buf + 32, b, 32);
    }
  else
    {
      memcpy (buf, b, 32);
      memcpy (buf + 32, a, 32);
    }
  ref_tagged ("LnBranch", buf, 64, out);
}

static void
ref_nonce (const Bolt12Record *first,
           guint64             type,
           guint8              out[32])
{
  g_autoptr(GByteArray) tag = g_byte_array_new ();
  guint8 type_buf[9];
  gsize type_len = bigsize_put (type, type_buf);

  g_byte_array_append (tag, (const guint8 *) "LnNonce", 7);
  g_byte_array_append (tag, first->raw, first->raw_length);
  bolt12_tagged_hash (tag->data, tag->len, type_buf, type_len, out);
}

/* The bottom nodes: one per non-signature record. */
static GArray *
ref_bottom (const Bolt12Record *records,
            guint               n_records)
{
  GArray *nodes = g_array_new (FALSE, FALSE, 32);
  guint i;

  for (i = 0; i < n_records; i++)
    {
      guint8 leaf[32], nonce[32], node[32];

      if (records[i].type >= 240 && records[i].type <= 1000)
        continue;
      ref_tagged ("LnLeaf", records[i].raw, records[i].raw_length, leaf);
      ref_nonce (&records[0], records[i].type, nonce);
      ref_branch (leaf, nonce, node);
      g_array_append_vals (nodes, node, 1);
    }

  return nodes;
}

/* The spec's "pad to a power of two with empty leaves" definition, recursively: the left
 * subtree holds the largest power of two strictly below n nodes. */
static void
ref_root (const guint8 (*nodes)[32],
          guint          n,
          guint8         out[32])
{
  guint8 left[32], right[32];
  guint k = 1;

  g_assert_cmpuint (n, >, 0);
  if (n == 1)
    {
      memcpy (out, nodes[0], 32);
      return;
    }
  while (k * 2 < n)
    k *= 2;
  ref_root (nodes, k, left);
  ref_root (nodes + k, n - k, right);
  ref_branch (left, right, out);
}

#define NODE(a, i) ((const guint8 *) &g_array_index ((a), guint8, 32 * (i)))

/* Hashing primitives */

static void
test_sha256 (void)
{
  guint8 out[32];

  bolt12_sha256 ((const guint8 *) "abc", 3, out);
  assert_hex (out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  bolt12_sha256 (NULL, 0, out);
  assert_hex (out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Our SHA-256 (bolt12-sha256.c): the FIPS 180-4 example messages (NIST's "SHA-256" examples
 * of the Cryptographic Standards and Guidelines pages, and the one-million-"a" message of FIPS
 * 180-2 appendix B.3), whole and fed in every split. */
static void
sha256_digest_chunked (const guint8 *data,
                       gsize         len,
                       gsize         chunk,
                       guint8        out[32])
{
  Bolt12Sha256 state;
  gsize done = 0;

  bolt12_sha256_init (&state);
  while (done < len)
    {
      gsize n = MIN (chunk, len - done);

      bolt12_sha256_update (&state, data + done, n);
      done += n;
    }
  bolt12_sha256_finish (&state, out);
}

static void
test_sha256_nist_body (void)
{
  static const struct
  {
    const char *message;
    const char *digest;
  } vectors[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
      "lmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
  };
  g_autofree guint8 *million = NULL;
  guint8 got[32];

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      const guint8 *data = (const guint8 *) vectors[i].message;
      gsize len = strlen (vectors[i].message);

      bolt12_sha256 (data, len, got);
      assert_hex (got, 32, vectors[i].digest);
      for (gsize chunk = 1; chunk <= len; chunk++)
        {
          sha256_digest_chunked (data, len, chunk, got);
          assert_hex (got, 32, vectors[i].digest);
        }
    }

  million = g_malloc (1000000);
  memset (million, 'a', 1000000);
  bolt12_sha256 (million, 1000000, got);
  assert_hex (got, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  sha256_digest_chunked (million, 1000000, 997, got);
  assert_hex (got, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Against GLib's SHA-256 on random data of every length around the padding boundaries and
 * random lengths beyond, fed in random pieces. */
static void
test_sha256_random_body (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree guint8 *data = g_malloc (4096);

  for (guint round = 0; round < 600; round++)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      Bolt12Sha256 state;
      guint8 want[32], got[32];
      gsize want_len = 32;
      gsize len = round < 300 ? round : (gsize) g_rand_int_range (rand, 0, 4096);
      gsize done = 0;

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_rand_int (rand);

      g_checksum_update (checksum, data, (gssize) len);
      g_checksum_get_digest (checksum, want, &want_len);

      bolt12_sha256 (data, len, got);
      g_assert_cmpmem (got, 32, want, 32);

      bolt12_sha256_init (&state);
      while (done < len)
        {
          gsize n = (gsize) g_rand_int_range (rand, 0, (gint32) MIN (len - done, 200) + 1);

          bolt12_sha256_update (&state, data + done, n);
          done += n;
        }
      bolt12_sha256_finish (&state, got);
      g_assert_cmpmem (got, 32, want, 32);
    }
}

/* A midstate from bolt12_sha256_init_tagged(), copied and continued, gives
 * SHA256(tag_hash || tag_hash || msg), and the copy does not disturb the original. */
static void
test_sha256_midstate_body (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  Bolt12Sha256 midstate;
  guint8 tag_hash[32];
  guint8 msg[150];

  for (gsize i = 0; i < sizeof msg; i++)
    msg[i] = (guint8) g_rand_int (rand);
  bolt12_sha256 ((const guint8 *) "LnBranch", 8, tag_hash);
  bolt12_sha256_init_tagged (&midstate, tag_hash);

  for (gsize len = 0; len <= sizeof msg; len++)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      Bolt12Sha256 state = midstate;
      guint8 want[32], got[32];
      gsize want_len = 32;

      g_checksum_update (checksum, tag_hash, 32);
      g_checksum_update (checksum, tag_hash, 32);
      g_checksum_update (checksum, msg, (gssize) len);
      g_checksum_get_digest (checksum, want, &want_len);

      bolt12_sha256_update (&state, msg, len);
      bolt12_sha256_finish (&state, got);
      g_assert_cmpmem (got, 32, want, 32);

      bolt12_tagged_hash ((const guint8 *) "LnBranch", 8, msg, len, got);
      g_assert_cmpmem (got, 32, want, 32);
    }
}

/* Each SHA-256 test runs with the portable compression and, where the processor has them, the
 * SHA instructions. */
static void
run_both_sha256 (void (*body) (void))
{
  g_assert_false (bolt12_sha256_set_accelerated (FALSE));
  body ();
  if (bolt12_sha256_set_accelerated (TRUE))
    body ();
  else
    g_test_message ("No SHA instructions on this processor: portable code only");
}

static void
test_sha256_nist (void)
{
  run_both_sha256 (test_sha256_nist_body);
}

static void
test_sha256_random (void)
{
  run_both_sha256 (test_sha256_random_body);
}

static void
test_sha256_midstate (void)
{
  run_both_sha256 (test_sha256_midstate_body);
}

static void
test_tagged_hash (void)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 tag_hash[32], want[32], got[32];
  gsize len = 32;
  static const guint8 raw[] = { 0x01, 0x02, 0x03, 0xe8 };

  /* Straight from the definition: SHA256(SHA256(tag) || SHA256(tag) || msg). */
  bolt12_sha256 ((const guint8 *) "LnLeaf", 6, tag_hash);
  g_checksum_update (checksum, tag_hash, 32);
  g_checksum_update (checksum, tag_hash, 32);
  g_checksum_update (checksum, raw, sizeof raw);
  g_checksum_get_digest (checksum, want, &len);

  bolt12_tagged_hash ((const guint8 *) "LnLeaf", 6, raw, sizeof raw, got);
  g_assert_cmpmem (got, 32, want, 32);
  /* The n1 vector's first leaf. */
  assert_hex (got, 32, "67a2a995433890d8fe0c18a1765ad19e98f1fcfeff14c13a45bbc80964a78cf7");

  /* Empty tag and message. */
  g_checksum_reset (checksum);
  bolt12_sha256 (NULL, 0, tag_hash);
  g_checksum_update (checksum, tag_hash, 32);
  g_checksum_update (checksum, tag_hash, 32);
  len = 32;
  g_checksum_get_digest (checksum, want, &len);
  bolt12_tagged_hash (NULL, 0, NULL, 0, got);
  g_assert_cmpmem (got, 32, want, 32);
}

static void
test_sighash (void)
{
  guint8 root[32], got[32], want[32];
  guint i;

  for (i = 0; i < 32; i++)
    root[i] = (guint8) (i * 7 + 1);

  bolt12_sighash ("invoice", "signature", root, got);
  ref_tagged ("lightninginvoicesignature", root, 32, want);
  g_assert_cmpmem (got, 32, want, 32);

  bolt12_sighash ("invoice_request", "signature", root, got);
  ref_tagged ("lightninginvoice_requestsignature", root, 32, want);
  g_assert_cmpmem (got, 32, want, 32);

  /* The boundary between the names matters only through the concatenation. */
  bolt12_sighash ("invoice_requestsig", "nature", root, want);
  g_assert_cmpmem (got, 32, want, 32);
  bolt12_sighash ("offer", "signature", root, want);
  g_assert_true (memcmp (got, want, 32) != 0);
}

/* signature-test.json */

/* Checks the "leaves" and "branches" of one vector against the stream's records and returns
 * the last branch (or the only leaf branch) in out. */
static void
check_vector_tree (JsonObject *vector,
                   Stream     *stream,
                   guint8      last[32])
{
  JsonArray *leaves = json_object_get_array_member (vector, "leaves");
  JsonArray *branches = json_object_get_array_member (vector, "branches");
  const char *first_tlv = json_object_get_string_member (vector, "first-tlv");
  g_autoptr(GByteArray) nonce_tag = g_byte_array_new ();
  g_autoptr(GPtrArray) known = g_ptr_array_new_with_free_func (g_free);
  const Bolt12Record *records = RECORDS (stream);
  guint n_records = N_RECORDS (stream);
  guint leaf_index = 0;
  guint i;

  g_assert_cmpuint (n_records, >, 0);
  assert_hex (records[0].raw, records[0].raw_length, first_tlv);
  g_byte_array_append (nonce_tag, (const guint8 *) "LnNonce", 7);
  g_byte_array_append (nonce_tag, records[0].raw, records[0].raw_length);

  for (i = 0; i < n_records; i++)
    {
      const Bolt12Record *rec = &records[i];
      JsonObject *leaf;
      const char *name;
      const char *value;
      g_autoptr(GBytes) raw = NULL;
      guint8 type_buf[9];
      gsize type_len;
      guint8 leaf_hash[32], nonce_hash[32], branch[32];

      if (rec->type >= 240 && rec->type <= 1000)
        continue;

      g_assert_cmpuint (leaf_index, <, json_array_get_length (leaves));
      leaf = json_array_get_object_element (leaves, leaf_index++);

      value = member_with_prefix (leaf, "H(`LnLeaf`,", &name);
      raw = argument_of (name);
      g_assert_cmpmem (rec->raw, rec->raw_length,
                       g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
      ref_tagged ("LnLeaf", rec->raw, rec->raw_length, leaf_hash);
      assert_hex (leaf_hash, 32, value);

      value = member_with_prefix (leaf, "H(`LnNonce`", NULL);
      type_len = bigsize_put (rec->type, type_buf);
      bolt12_tagged_hash (nonce_tag->data, nonce_tag->len, type_buf, type_len, nonce_hash);
      assert_hex (nonce_hash, 32, value);

      value = member_with_prefix (leaf, "H(`LnBranch`,", NULL);
      ref_branch (leaf_hash, nonce_hash, branch);
      assert_hex (branch, 32, value);

      g_ptr_array_add (known, g_memdup2 (branch, 32));
      memcpy (last, branch, 32);
    }
  g_assert_cmpuint (leaf_index, ==, json_array_get_length (leaves));

  /* Each listed branch joins two nodes already known, lesser first. */
  for (i = 0; i < json_array_get_length (branches); i++)
    {
      JsonObject *obj = json_array_get_object_element (branches, i);
      const char *name;
      const char *value = member_with_prefix (obj, "H(`LnBranch`,", &name);
      g_autoptr(GBytes) pair = argument_of (name);
      const guint8 *p = g_bytes_get_data (pair, NULL);
      gboolean found_a = FALSE, found_b = FALSE;
      guint8 got[32];
      guint j;

      g_assert_cmpuint (g_bytes_get_size (pair), ==, 64);
      g_assert_cmpint (memcmp (p, p + 32, 32), <, 0);
      for (j = 0; j < known->len; j++)
        {
          found_a |= memcmp (known->pdata[j], p, 32) == 0;
          found_b |= memcmp (known->pdata[j], p + 32, 32) == 0;
        }
      g_assert_true (found_a);
      g_assert_true (found_b);

      ref_branch (p, p + 32, got);
      assert_hex (got, 32, value);
      g_ptr_array_add (known, g_memdup2 (got, 32));
      memcpy (last, got, 32);
    }
}

static void
test_vectors_n1 (void)
{
  g_autoptr(JsonParser) parser = load_json ("bolt12", "signature-test.json");
  JsonArray *vectors = json_node_get_array (json_parser_get_root (parser));
  guint n_checked = 0;
  guint i;

  g_assert_cmpuint (json_array_get_length (vectors), ==, 4);

  for (i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);
      JsonArray *leaves = json_object_get_array_member (vector, "leaves");
      const char *merkle = json_object_get_string_member (vector, "merkle");
      g_autoptr(GByteArray) buf = g_byte_array_new ();
      g_autoptr(Stream) stream = NULL;
      guint8 last[32], root[32];
      guint j;

      if (g_strcmp0 (json_object_get_string_member (vector, "tlv"), "n1") != 0)
        continue;

      /* Rebuild the stream from the leaves' raw records. */
      for (j = 0; j < json_array_get_length (leaves); j++)
        {
          const char *name;
          g_autoptr(GBytes) raw = NULL;

          member_with_prefix (json_array_get_object_element (leaves, j), "H(`LnLeaf`,", &name);
          raw = argument_of (name);
          g_byte_array_append (buf, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
        }
      stream = stream_from_array (buf);
      g_assert_cmpuint (N_RECORDS (stream), ==, json_array_get_length (leaves));
      for (j = 0; j < N_RECORDS (stream); j++)
        g_assert_cmpuint (RECORDS (stream)[j].type, ==, j + 1);

      check_vector_tree (vector, stream, last);
      assert_hex (last, 32, merkle);

      g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), root));
      assert_hex (root, 32, merkle);
      n_checked++;
    }

  g_assert_cmpuint (n_checked, ==, 3);
}

static void
test_vectors_invoice_request (void)
{
  g_autoptr(JsonParser) parser = load_json ("bolt12", "signature-test.json");
  JsonArray *vectors = json_node_get_array (json_parser_get_root (parser));
  JsonObject *vector = NULL;
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Stream) tampered = NULL;
  g_autoptr(GBytes) tampered_bytes = NULL;
  static const guint64 types[] = { 0, 6, 8, 10, 22, 88, 240 };
  const Bolt12Record *sig_rec, *payer, *issuer, *description;
  guint8 last[32], root[32], digest[32], sig[64], payer_id[33], issuer_id[33];
  guint8 *copy;
  gsize copy_len;
  guint i;

  for (i = 0; i < json_array_get_length (vectors); i++)
    if (json_object_has_member (json_array_get_object_element (vectors, i), "bolt12"))
      vector = json_array_get_object_element (vectors, i);
  g_assert_nonnull (vector);
  g_assert_cmpstr (json_object_get_string_member (vector, "tlv"), ==, "invoice_request");

  stream = stream_from_string (json_object_get_string_member (vector, "bolt12"), "lnr");
  g_assert_cmpuint (N_RECORDS (stream), ==, G_N_ELEMENTS (types));
  for (i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpuint (RECORDS (stream)[i].type, ==, types[i]);

  check_vector_tree (vector, stream, last);
  assert_hex (last, 32, "608407c18ad9a94d9ea2bcdbe170b6c20c462a7833a197621c916f78cf18e624");
  assert_hex (last, 32, json_object_get_string_member (vector, "merkle"));

  g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), root));
  assert_hex (root, 32, "608407c18ad9a94d9ea2bcdbe170b6c20c462a7833a197621c916f78cf18e624");

  /* The digest, by name and by the file's tag. */
  g_assert_cmpstr (json_object_get_string_member (vector, "signature_tag"), ==,
                   "lightninginvoice_requestsignature");
  bolt12_sighash ("invoice_request", "signature", root, digest);
  assert_hex (digest, 32, json_object_get_string_member (vector, "H(signature_tag,merkle)"));
  ref_tagged (json_object_get_string_member (vector, "signature_tag"), root, 32, digest);
  assert_hex (digest, 32, "aefe3aa88a69772c246dcaef75ed3e7566c08ecc4e9f995233526a5651fc34cd");

  /* The signature in TLV 240 is the file's, and verifies against invreq_payer_id. */
  sig_rec = stream_find (stream, 240);
  payer = stream_find (stream, 88);
  issuer = stream_find (stream, 22);
  description = stream_find (stream, 10);
  g_assert_nonnull (sig_rec);
  g_assert_nonnull (payer);
  g_assert_nonnull (issuer);
  g_assert_nonnull (description);
  g_assert_cmpuint (sig_rec->length, ==, 64);
  g_assert_cmpuint (payer->length, ==, 33);
  g_assert_cmpuint (issuer->length, ==, 33);
  assert_hex (sig_rec->value, 64, json_object_get_string_member (vector, "signature"));
  memcpy (sig, sig_rec->value, 64);
  memcpy (payer_id, payer->value, 33);
  memcpy (issuer_id, issuer->value, 33);
  g_assert_cmpuint (payer_id[0], ==, 0x03);
  g_assert_cmpuint (payer_id[32], ==, 0x1c);

  g_assert_true (bolt12_verify ("invoice_request", payer_id, RECORDS (stream), N_RECORDS (stream),
                                sig));

  /* Every single flipped bit of the signature breaks it. */
  for (i = 0; i < 64 * 8; i++)
    {
      sig[i / 8] ^= (guint8) (1 << (i % 8));
      g_assert_false (bolt12_verify ("invoice_request", payer_id,
                                     RECORDS (stream), N_RECORDS (stream), sig));
      sig[i / 8] ^= (guint8) (1 << (i % 8));
    }
  g_assert_true (bolt12_verify ("invoice_request", payer_id, RECORDS (stream), N_RECORDS (stream),
                                sig));

  /* Wrong key, wrong message name. */
  g_assert_false (bolt12_verify ("invoice_request", issuer_id,
                                 RECORDS (stream), N_RECORDS (stream), sig));
  g_assert_false (bolt12_verify ("invoice", payer_id, RECORDS (stream), N_RECORDS (stream), sig));

  /* A flipped bit in a signed field breaks it. */
  copy = g_bytes_unref_to_data (g_bytes_ref (stream->bytes), &copy_len);
  copy[description->value - (const guint8 *) g_bytes_get_data (stream->bytes, NULL)] ^= 0x01;
  tampered_bytes = g_bytes_new_take (copy, copy_len);
  tampered = stream_parse (tampered_bytes);
  g_assert_false (bolt12_verify ("invoice_request", payer_id,
                                 RECORDS (tampered), N_RECORDS (tampered), sig));
}

/* Tree shape */

/* A stream with n_leaves non-signature records and some signature-range records between them.
 * The types cover every BigSize width; the values several lengths. */
static Stream *
make_stream (guint    n_leaves,
             gboolean with_signature_records)
{
  static const guint64 first_types[] = {
    0, 1, 7, 239, 1001, 0xfffc, 0xffff, 0x10000, 0xffffffff,
    G_GUINT64_CONSTANT (0x100000000),
  };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 value[300];
  guint i;

  for (i = 0; i < sizeof value; i++)
    value[i] = (guint8) (i * 13 + 5);

  for (i = 0; i < n_leaves; i++)
    {
      guint64 type;
      gsize len = (i * 37) % 5 == 0 ? 0 : (i * 71) % sizeof value;

      if (i < G_N_ELEMENTS (first_types))
        type = first_types[i];
      else
        type = G_GUINT64_CONSTANT (0x100000000) + 1000 * i;

      if (with_signature_records && i == 4)
        {
          /* Between 239 and 1001: both ends of the signature range. */
          append_record (buf, 240, value, 64);
          append_record (buf, 241, value, 3);
          append_record (buf, 1000, value, 0);
        }
      if (i == 0)
        value[0] = (guint8) n_leaves;   /* a different first record per size */
      append_record (buf, type, value, i == 0 ? 8 : len);
      value[0] = 5;
    }
  if (with_signature_records && n_leaves <= 4)
    append_record (buf, 240, value, 64);

  return stream_from_array (buf);
}

static void
check_against_reference (Stream *stream,
                         guint   expected_leaves)
{
  g_autoptr(GArray) nodes = ref_bottom (RECORDS (stream), N_RECORDS (stream));
  guint8 want[32], got[32];

  g_assert_cmpuint (nodes->len, ==, expected_leaves);
  ref_root ((const guint8 (*)[32]) nodes->data, nodes->len, want);
  g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), got));
  g_assert_cmpmem (got, 32, want, 32);
}

static void
test_shape_reference (void)
{
  guint n;

  for (n = 1; n <= 70; n++)
    {
      g_autoptr(Stream) plain = make_stream (n, FALSE);
      g_autoptr(Stream) with_sigs = make_stream (n, TRUE);
      guint8 a[32], b[32];

      check_against_reference (plain, n);
      check_against_reference (with_sigs, n);

      /* Signature-range records do not change the root. */
      g_assert_true (bolt12_merkle_root (RECORDS (plain), N_RECORDS (plain), a));
      g_assert_true (bolt12_merkle_root (RECORDS (with_sigs), N_RECORDS (with_sigs), b));
      g_assert_cmpmem (a, 32, b, 32);
    }
}

/* The shapes the notes spell out, written out by hand. */
static void
test_shape_explicit (void)
{
  guint n;

  for (n = 1; n <= 7; n++)
    {
      g_autoptr(Stream) stream = make_stream (n, TRUE);
      g_autoptr(GArray) L = ref_bottom (RECORDS (stream), N_RECORDS (stream));
      guint8 b01[32], b23[32], b45[32], x[32], y[32], want[32], got[32];

      g_assert_cmpuint (L->len, ==, n);
      switch (n)
        {
        case 1:
          memcpy (want, NODE (L, 0), 32);
          break;
        case 2:
          ref_branch (NODE (L, 0), NODE (L, 1), want);
          break;
        case 3:   /* branch(branch(L1, L2), L3) */
          ref_branch (NODE (L, 0), NODE (L, 1), b01);
          ref_branch (b01, NODE (L, 2), want);
          break;
        case 4:
          ref_branch (NODE (L, 0), NODE (L, 1), b01);
          ref_branch (NODE (L, 2), NODE (L, 3), b23);
          ref_branch (b01, b23, want);
          break;
        case 5:
          ref_branch (NODE (L, 0), NODE (L, 1), b01);
          ref_branch (NODE (L, 2), NODE (L, 3), b23);
          ref_branch (b01, b23, x);
          ref_branch (x, NODE (L, 4), want);
          break;
        case 6:   /* branch(branch(b01, b23), b45) */
          ref_branch (NODE (L, 0), NODE (L, 1), b01);
          ref_branch (NODE (L, 2), NODE (L, 3), b23);
          ref_branch (NODE (L, 4), NODE (L, 5), b45);
          ref_branch (b01, b23, x);
          ref_branch (x, b45, want);
          break;
        case 7:
          ref_branch (NODE (L, 0), NODE (L, 1), b01);
          ref_branch (NODE (L, 2), NODE (L, 3), b23);
          ref_branch (NODE (L, 4), NODE (L, 5), b45);
          ref_branch (b01, b23, x);
          ref_branch (b45, NODE (L, 6), y);
          ref_branch (x, y, want);
          break;
        default:
          g_assert_not_reached ();
        }

      g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), got));
      g_assert_cmpmem (got, 32, want, 32);
    }
}

static void
test_no_leaves (void)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(Stream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint8 root[32], seckey[32], pubkey[33], sig[64] = { 0 };
  static const guint8 zeros[64] = { 0 };

  g_assert_false (bolt12_merkle_root (NULL, 0, root));

  append_record (buf, 240, zeros, 64);
  append_record (buf, 1000, zeros, 2);
  stream = stream_from_array (buf);
  g_assert_false (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), root));

  random_seckey (seckey);
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
  g_assert_false (bolt12_sign ("invoice", seckey, RECORDS (stream), N_RECORDS (stream), sig,
                               &error));
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
  g_assert_false (bolt12_verify ("invoice", pubkey, RECORDS (stream), N_RECORDS (stream), sig));
}

/* The nonce tag uses the first record of the stream even when it is a signature record (as
 * Core Lightning's and LDK's merkle code do). */
static void
test_first_record_signature_type (void)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(GByteArray) buf2 = g_byte_array_new ();
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Stream) without = NULL;
  static const guint8 value[] = { 1, 2, 3, 4, 5 };
  guint8 a[32], b[32];

  append_record (buf, 240, value, 5);
  append_record (buf, 1001, value, 3);
  append_record (buf, 1003, value, 1);
  stream = stream_from_array (buf);
  check_against_reference (stream, 2);

  append_record (buf2, 1001, value, 3);
  append_record (buf2, 1003, value, 1);
  without = stream_from_array (buf2);
  g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), a));
  g_assert_true (bolt12_merkle_root (RECORDS (without), N_RECORDS (without), b));
  g_assert_true (memcmp (a, b, 32) != 0);
}

/* Keys and signatures */

static void
test_bip340_vector0 (void)
{
  secp256k1_context *ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
  secp256k1_keypair keypair;
  secp256k1_xonly_pubkey xonly;
  guint8 seckey[32] = { 0 };
  guint8 msg[32] = { 0 };
  guint8 aux[32] = { 0 };
  guint8 pubkey[33], xonly_ser[32], sig[64];

  seckey[31] = 3;
  g_assert_true (bolt12_seckey_valid (seckey));
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
  assert_hex (pubkey, 33, "02F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9");
  g_assert_true (bolt12_point_valid (pubkey));

  g_assert_true (secp256k1_keypair_create (ctx, &keypair, seckey));
  g_assert_true (secp256k1_keypair_xonly_pub (ctx, &xonly, NULL, &keypair));
  g_assert_true (secp256k1_xonly_pubkey_serialize (ctx, xonly_ser, &xonly));
  assert_hex (xonly_ser, 32, "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9");

  g_assert_true (secp256k1_schnorrsig_sign32 (ctx, sig, msg, &keypair, aux));
  assert_hex (sig, 64,
              "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA8215"
              "25F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0");
  g_assert_true (secp256k1_schnorrsig_verify (secp256k1_context_static, sig, msg, 32, &xonly));
  msg[0] ^= 1;
  g_assert_false (secp256k1_schnorrsig_verify (secp256k1_context_static, sig, msg, 32, &xonly));

  secp256k1_context_destroy (ctx);
}

static void
test_sign_roundtrip (void)
{
  g_autoptr(JsonParser) parser = load_json ("bolt12", "signature-test.json");
  JsonArray *vectors = json_node_get_array (json_parser_get_root (parser));
  g_autoptr(Stream) stream = stream_from_string (
    json_object_get_string_member (json_array_get_object_element (vectors, 3), "bolt12"), "lnr");
  gboolean seen_prefix[2] = { FALSE, FALSE };
  guint tries;

  /* Keys with even and with odd y: BIP-340 verification works on the x-only form. */
  for (tries = 0; tries < 200 && !(seen_prefix[0] && seen_prefix[1] && tries >= 8); tries++)
    {
      g_autoptr(GError) error = NULL;
      guint8 seckey[32], other_seckey[32];
      guint8 pubkey[33], other_pubkey[33];
      guint8 sig[64], sig2[64], root[32], digest[32];
      secp256k1_pubkey pk;
      secp256k1_xonly_pubkey xonly;

      random_seckey (seckey);
      random_seckey (other_seckey);
      g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
      g_assert_true (bolt12_pubkey_from_seckey (other_seckey, other_pubkey));
      g_assert_true (pubkey[0] == 0x02 || pubkey[0] == 0x03);
      g_assert_true (bolt12_point_valid (pubkey));
      seen_prefix[pubkey[0] - 0x02] = TRUE;

      g_assert_true (bolt12_sign ("invoice_request", seckey, RECORDS (stream), N_RECORDS (stream),
                                  sig, &error));
      g_assert_no_error (error);
      g_assert_true (bolt12_verify ("invoice_request", pubkey,
                                    RECORDS (stream), N_RECORDS (stream), sig));

      /* It is a plain BIP-340 signature of the tagged digest. */
      g_assert_true (bolt12_merkle_root (RECORDS (stream), N_RECORDS (stream), root));
      bolt12_sighash ("invoice_request", "signature", root, digest);
      g_assert_true (secp256k1_ec_pubkey_parse (secp256k1_context_static, &pk, pubkey, 33));
      g_assert_true (secp256k1_xonly_pubkey_from_pubkey (secp256k1_context_static, &xonly, NULL,
                                                         &pk));
      g_assert_true (secp256k1_schnorrsig_verify (secp256k1_context_static, sig, digest, 32,
                                                  &xonly));

      /* Wrong key, wrong message name, altered signature. */
      g_assert_false (bolt12_verify ("invoice_request", other_pubkey,
                                     RECORDS (stream), N_RECORDS (stream), sig));
      g_assert_false (bolt12_verify ("invoice", pubkey, RECORDS (stream), N_RECORDS (stream), sig));
      sig[17] ^= 0x40;
      g_assert_false (bolt12_verify ("invoice_request", pubkey,
                                     RECORDS (stream), N_RECORDS (stream), sig));
      sig[17] ^= 0x40;

      /* The old signature (TLV 240) is ignored: dropping it keeps the signature valid. */
      g_assert_cmpuint (RECORDS (stream)[N_RECORDS (stream) - 1].type, ==, 240);
      g_assert_true (bolt12_verify ("invoice_request", pubkey,
                                    RECORDS (stream), N_RECORDS (stream) - 1, sig));

      /* Fresh auxiliary randomness each time: a second signature differs and also verifies. */
      g_assert_true (bolt12_sign ("invoice_request", seckey, RECORDS (stream), N_RECORDS (stream),
                                  sig2, &error));
      g_assert_no_error (error);
      g_assert_true (memcmp (sig, sig2, 64) != 0);
      g_assert_true (bolt12_verify ("invoice_request", pubkey,
                                    RECORDS (stream), N_RECORDS (stream), sig2));

      explicit_bzero (seckey, sizeof seckey);
      explicit_bzero (other_seckey, sizeof other_seckey);
    }
  g_assert_true (seen_prefix[0]);
  g_assert_true (seen_prefix[1]);
}

static void
test_sign_bad_key (void)
{
  g_autoptr(Stream) stream = make_stream (3, FALSE);
  static const char *bad[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    /* the group order n, and above */
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 seckey[32], pubkey[33], sig[64];

      hex_decode_into (bad[i], seckey, 32);
      g_assert_false (bolt12_seckey_valid (seckey));
      g_assert_false (bolt12_pubkey_from_seckey (seckey, pubkey));
      g_assert_false (bolt12_sign ("invoice", seckey, RECORDS (stream), N_RECORDS (stream), sig,
                                   &error));
      g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE);
    }
}

static void
test_keys (void)
{
  guint8 seckey[32], pubkey[33], point[33], sig[64] = { 0 };
  g_autoptr(Stream) stream = make_stream (2, FALSE);

  /* n - 1 and 1 are the extreme valid keys; 1 gives the generator. */
  hex_decode_into ("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140", seckey, 32);
  g_assert_true (bolt12_seckey_valid (seckey));
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
  /* -G: the generator's x with odd y. */
  assert_hex (pubkey, 33, "0379BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798");
  memset (seckey, 0, 32);
  seckey[31] = 1;
  g_assert_true (bolt12_seckey_valid (seckey));
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
  assert_hex (pubkey, 33, "0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798");

  g_assert_true (bolt12_point_valid (pubkey));
  memcpy (point, pubkey, 33);
  point[0] = 0x03;
  g_assert_true (bolt12_point_valid (point));

  /* Not compressed points. */
  point[0] = 0x04;
  g_assert_false (bolt12_point_valid (point));
  point[0] = 0x06;
  g_assert_false (bolt12_point_valid (point));
  point[0] = 0x00;
  g_assert_false (bolt12_point_valid (point));
  /* x = 5 is not on the curve; x = 0xff…ff is not a field element. */
  memset (point, 0, 33);
  point[0] = 0x02;
  point[32] = 5;
  g_assert_false (bolt12_point_valid (point));
  memset (point + 1, 0xff, 32);
  g_assert_false (bolt12_point_valid (point));
  g_assert_false (bolt12_verify ("invoice", point, RECORDS (stream), N_RECORDS (stream), sig));
  memcpy (point, pubkey, 33);
  point[0] = 0x04;
  g_assert_false (bolt12_verify ("invoice", point, RECORDS (stream), N_RECORDS (stream), sig));
}

/* Ids */

/* bolt12_pubkey_from_seckey() remembers recent keys: with more keys than it remembers, asked
 * for in turn and out of turn, every answer is still the key's own (checked against
 * libsecp256k1 directly). */
static void
test_pubkey_cache (void)
{
  secp256k1_context *ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
  guint8 seckeys[9][32];
  guint8 want[9][33];

  for (guint i = 0; i < G_N_ELEMENTS (seckeys); i++)
    {
      secp256k1_pubkey pk;
      size_t len = 33;

      random_seckey (seckeys[i]);
      g_assert_true (secp256k1_ec_pubkey_create (ctx, &pk, seckeys[i]));
      g_assert_true (secp256k1_ec_pubkey_serialize (ctx, want[i], &len, &pk,
                                                    SECP256K1_EC_COMPRESSED));
    }

  for (guint round = 0; round < 200; round++)
    {
      guint i = round < 36 ? round % G_N_ELEMENTS (seckeys) : g_test_rand_int_range (0, 9);
      guint8 got[33];

      g_assert_true (bolt12_pubkey_from_seckey (seckeys[i], got));
      g_assert_cmpmem (got, 33, want[i], 33);
    }

  /* Remembered keys are valid points; a near miss of one is judged by libsecp256k1 alone. */
  for (guint i = 0; i < G_N_ELEMENTS (seckeys); i++)
    {
      guint8 near[33];
      secp256k1_pubkey pk;

      g_assert_true (bolt12_point_valid (want[i]));
      for (guint bit = 0; bit < 8; bit++)
        {
          memcpy (near, want[i], 33);
          near[32] ^= (guint8) (1u << bit);
          g_assert_cmpint (bolt12_point_valid (near), ==,
                           secp256k1_ec_pubkey_parse (secp256k1_context_static, &pk, near, 33));
        }
      memcpy (near, want[i], 33);
      near[0] = 0x04;
      g_assert_false (bolt12_point_valid (near));
    }

  /* An invalid key is refused even right after valid ones were remembered. */
  memset (seckeys[0], 0, 32);
  g_assert_false (bolt12_pubkey_from_seckey (seckeys[0], want[0]));

  explicit_bzero (seckeys, sizeof seckeys);
  secp256k1_context_destroy (ctx);
}

/* Several threads sign at once (each with its own copy of the shared randomized context) and
 * every signature verifies. */
typedef struct
{
  Stream *stream;
  guint8  seckey[32];
  guint8  pubkey[33];
  guint   failures;
} SignThreadData;

static gpointer
sign_thread (gpointer user_data)
{
  SignThreadData *data = user_data;

  for (guint i = 0; i < 150; i++)
    {
      guint8 sig[64];

      if (!bolt12_sign ("invoice_request", data->seckey, RECORDS (data->stream),
                        N_RECORDS (data->stream), sig, NULL) ||
          !bolt12_verify ("invoice_request", data->pubkey, RECORDS (data->stream),
                          N_RECORDS (data->stream), sig))
        data->failures++;
    }
  return NULL;
}

static void
test_sign_threads (void)
{
  g_autoptr(Stream) stream = make_stream (5, FALSE);
  SignThreadData data[4];
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i].stream = stream;
      data[i].failures = 0;
      random_seckey (data[i].seckey);
      g_assert_true (bolt12_pubkey_from_seckey (data[i].seckey, data[i].pubkey));
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("sign", sign_thread, &data[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (data[i].failures, ==, 0);
      explicit_bzero (data[i].seckey, sizeof data[i].seckey);
    }
}

static void
test_offer_id_cln (void)
{
  g_autoptr(Stream) stream = stream_from_string (
    "lno1qgsqvgnwgcg35z6ee2h3yczraddm72xrfua9uve2rlrm9deu7xyfzrcgqgn3qzs2ge5hx6pqwdskcefpzcss"
    "xwz9sqkjtd8qwnx06lxckvu6g8w8t0ue0zsrfqqygj636s4sw7v6", "lno");
  guint8 id[32];

  bolt12_offer_id (RECORDS (stream), N_RECORDS (stream), id);
  assert_hex (id, 32, "c5cde0292d56941940f8b10a4c9bdd1f8846d6041a61b3f7e0f87e105aa88121");
}

static void
test_invreq_id_cln (void)
{
  g_autoptr(JsonParser) parser = load_json ("cln-examples", "invoicerequest.json");
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonArray *examples = json_object_get_array_member (root, "examples");
  guint i;

  g_assert_cmpuint (json_array_get_length (examples), >=, 2);
  for (i = 0; i < json_array_get_length (examples); i++)
    {
      JsonObject *response = json_object_get_object_member (
        json_array_get_object_element (examples, i), "response");
      g_autoptr(Stream) stream = stream_from_string (
        json_object_get_string_member (response, "bolt12"), "lnr");
      const Bolt12Record *payer = stream_find (stream, 88);
      const Bolt12Record *sig = stream_find (stream, 240);
      guint8 id[32];

      bolt12_invreq_id (RECORDS (stream), N_RECORDS (stream), id);
      assert_hex (id, 32, json_object_get_string_member (response, "invreq_id"));

      /* Core Lightning's own signatures verify too. */
      g_assert_nonnull (payer);
      g_assert_nonnull (sig);
      g_assert_cmpuint (payer->length, ==, 33);
      g_assert_cmpuint (sig->length, ==, 64);
      g_assert_true (bolt12_verify ("invoice_request", payer->value,
                                    RECORDS (stream), N_RECORDS (stream), sig->value));
    }
}

static void
test_id_ranges (void)
{
  static const guint64 types[] = {
    0, 1, 79, 80, 159, 160, 239, 240, 1000, 1001, 999999999,
    1000000000, 1999999999, 2000000000, 2999999999, 3000000000,
  };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(Stream) stream = NULL;
  g_autoptr(GByteArray) offer_input = g_byte_array_new ();
  g_autoptr(GByteArray) invreq_input = g_byte_array_new ();
  guint8 value[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
  guint8 want[32], got[32];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++)
    {
      value[0] = (guint8) i;
      append_record (buf, types[i], value, 1 + i % 4);
    }
  stream = stream_from_array (buf);
  g_assert_cmpuint (N_RECORDS (stream), ==, G_N_ELEMENTS (types));

  /* By hand: which records each id covers, in order. */
  for (i = 0; i < N_RECORDS (stream); i++)
    {
      const Bolt12Record *r = &RECORDS (stream)[i];

      if ((r->type >= 1 && r->type <= 79) ||
          (r->type >= 1000000000 && r->type <= 1999999999))
        g_byte_array_append (offer_input, r->raw, r->raw_length);
      if ((r->type <= 159) || (r->type >= 1000000000 && r->type <= 2999999999))
        g_byte_array_append (invreq_input, r->raw, r->raw_length);
    }
  /* 1, 79, 1e9, 1999999999 and 0, 1, 79, 80, 159, 1e9 … 2999999999 */
  g_assert_cmpuint (offer_input->len, ==, (1 + 1 + 2) + (1 + 1 + 3) + (5 + 1 + 4) + (5 + 1 + 1));
  bolt12_sha256 (offer_input->data, offer_input->len, want);
  bolt12_offer_id (RECORDS (stream), N_RECORDS (stream), got);
  g_assert_cmpmem (got, 32, want, 32);

  bolt12_sha256 (invreq_input->data, invreq_input->len, want);
  bolt12_invreq_id (RECORDS (stream), N_RECORDS (stream), got);
  g_assert_cmpmem (got, 32, want, 32);

  /* No record in range: the hash of nothing. */
  bolt12_offer_id (RECORDS (stream), 1, got);
  assert_hex (got, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merkle/sha256", test_sha256);
  g_test_add_func ("/merkle/sha256/nist", test_sha256_nist);
  g_test_add_func ("/merkle/sha256/random", test_sha256_random);
  g_test_add_func ("/merkle/sha256/midstate", test_sha256_midstate);
  g_test_add_func ("/merkle/tagged-hash", test_tagged_hash);
  g_test_add_func ("/merkle/sighash", test_sighash);
  g_test_add_func ("/merkle/vectors/n1", test_vectors_n1);
  g_test_add_func ("/merkle/vectors/invoice-request", test_vectors_invoice_request);
  g_test_add_func ("/merkle/shape/reference", test_shape_reference);
  g_test_add_func ("/merkle/shape/explicit", test_shape_explicit);
  g_test_add_func ("/merkle/shape/no-leaves", test_no_leaves);
  g_test_add_func ("/merkle/shape/first-record-signature-type", test_first_record_signature_type);
  g_test_add_func ("/merkle/sign/bip340-vector0", test_bip340_vector0);
  g_test_add_func ("/merkle/sign/roundtrip", test_sign_roundtrip);
  g_test_add_func ("/merkle/sign/bad-key", test_sign_bad_key);
  g_test_add_func ("/merkle/keys", test_keys);
  g_test_add_func ("/merkle/keys/pubkey-cache", test_pubkey_cache);
  g_test_add_func ("/merkle/sign/threads", test_sign_threads);
  g_test_add_func ("/merkle/id/offer-cln", test_offer_id_cln);
  g_test_add_func ("/merkle/id/invreq-cln", test_invreq_id_cln);
  g_test_add_func ("/merkle/id/ranges", test_id_ranges);

  return g_test_run ();
}
