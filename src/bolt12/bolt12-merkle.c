/* bolt12-merkle.c: Merkle root, BIP-340 signatures, offer_id / invreq_id, keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hashing: the Merkle computation reuses one GChecksum for every hash of a root (reset after
 * each digest), precomputes SHA256(tag) once per tag, and keeps the tree nodes on the stack up
 * to MERKLE_STACK_NODES leaves, so no allocation happens per leaf.  Single tagged hashes go
 * through secp256k1_tagged_sha256(), which allocates nothing.
 *
 * Keys and signatures: verification and parsing use secp256k1_context_static (after a one-time
 * secp256k1_selftest()); anything that touches a secret key uses a fresh context randomized with
 * 32 bytes from getrandom(2), and every secret copy on our stack is wiped with explicit_bzero().
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "bolt12.h"

/* Signature TLV elements (BOLT 12): types 240 through 1000 inclusive. */
#define SIGNATURE_TYPE_FIRST 240
#define SIGNATURE_TYPE_LAST  1000

/* Up to this many leaves the tree is computed in a stack buffer (2 KiB). */
#define MERKLE_STACK_NODES 64

#define BIGSIZE_MAX_LEN 9

typedef guint8 Node[32];

static const guint8 lightning_tag[] = { 'l', 'i', 'g', 'h', 't', 'n', 'i', 'n', 'g' };
static const guint8 ln_leaf_tag[] = { 'L', 'n', 'L', 'e', 'a', 'f' };
static const guint8 ln_nonce_tag[] = { 'L', 'n', 'N', 'o', 'n', 'c', 'e' };
static const guint8 ln_branch_tag[] = { 'L', 'n', 'B', 'r', 'a', 'n', 'c', 'h' };

static inline gboolean
is_signature_type (guint64 type)
{
  return type >= SIGNATURE_TYPE_FIRST && type <= SIGNATURE_TYPE_LAST;
}

/* BigSize (BOLT 1) into a stack buffer; returns the number of bytes written. */
static gsize
bigsize_put (guint64 value,
             guint8  out[BIGSIZE_MAX_LEN])
{
  guint n, i;

  if (value < 0xfd)
    {
      out[0] = (guint8) value;
      return 1;
    }
  if (value <= 0xffff)
    {
      out[0] = 0xfd;
      n = 2;
    }
  else if (value <= 0xffffffff)
    {
      out[0] = 0xfe;
      n = 4;
    }
  else
    {
      out[0] = 0xff;
      n = 8;
    }
  for (i = 0; i < n; i++)
    out[1 + i] = (guint8) (value >> (8 * (n - 1 - i)));

  return 1 + n;
}

static const secp256k1_context *
static_context (void)
{
  static gsize checked = 0;

  if (g_once_init_enter (&checked))
    {
      /* Aborts the process if the library's own primitives are broken. */
      secp256k1_selftest ();
      g_once_init_leave (&checked, 1);
    }

  return secp256k1_context_static;
}

static gboolean
fill_random (guint8   *buf,
             gsize     len,
             GError  **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                       "Could not get random bytes from the system: %s",
                       g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize) n;
    }

  return TRUE;
}

/* A context for operations on secret keys, randomized against side channels.  The caller
 * destroys it with secp256k1_context_destroy(). */
static secp256k1_context *
signing_context_new (GError **error)
{
  secp256k1_context *ctx;
  guint8 seed[32];
  int ok;

  if (!fill_random (seed, sizeof seed, error))
    return NULL;

  ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
  ok = secp256k1_context_randomize (ctx, seed);
  explicit_bzero (seed, sizeof seed);
  if (!ok)
    {
      secp256k1_context_destroy (ctx);
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "Could not prepare the signing context");
      return NULL;
    }

  return ctx;
}

/* Reads the digest of checksum into out and resets it for the next hash. */
static inline void
checksum_finish (GChecksum *checksum,
                 guint8     out[32])
{
  gsize len = 32;

  g_checksum_get_digest (checksum, out, &len);
  g_checksum_reset (checksum);
}

static inline void
checksum_update (GChecksum    *checksum,
                 const guint8 *data,
                 gsize         len)
{
  /* g_checksum_update() takes a gssize where -1 means "NUL-terminated": never pass that. */
  while (len > 0)
    {
      gsize chunk = MIN (len, (gsize) G_MAXSSIZE);

      g_checksum_update (checksum, data, (gssize) chunk);
      data += chunk;
      len -= chunk;
    }
}

/* SHA256(a || b) */
static void
hash_tag2 (GChecksum    *checksum,
           const guint8 *a,
           gsize         a_len,
           const guint8 *b,
           gsize         b_len,
           guint8        out[32])
{
  checksum_update (checksum, a, a_len);
  checksum_update (checksum, b, b_len);
  checksum_finish (checksum, out);
}

/* SHA256(tag_hash || tag_hash || m1 || m2); out may alias m1 or m2. */
static void
tagged_hash_pre (GChecksum    *checksum,
                 const guint8  tag_hash[32],
                 const guint8 *m1,
                 gsize         m1_len,
                 const guint8 *m2,
                 gsize         m2_len,
                 guint8        out[32])
{
  checksum_update (checksum, tag_hash, 32);
  checksum_update (checksum, tag_hash, 32);
  checksum_update (checksum, m1, m1_len);
  checksum_update (checksum, m2, m2_len);
  checksum_finish (checksum, out);
}

/* H("LnBranch", lesser || greater); out may alias a or b. */
static inline void
branch_hash (GChecksum    *checksum,
             const guint8  branch_tag_hash[32],
             const guint8  a[32],
             const guint8  b[32],
             guint8        out[32])
{
  if (memcmp (a, b, 32) <= 0)
    tagged_hash_pre (checksum, branch_tag_hash, a, 32, b, 32, out);
  else
    tagged_hash_pre (checksum, branch_tag_hash, b, 32, a, 32, out);
}

void
bolt12_tagged_hash (const guint8 *tag,
                    gsize         tag_len,
                    const guint8 *msg,
                    gsize         msg_len,
                    guint8        out[32])
{
  static const guint8 empty[1] = { 0 };

  g_return_if_fail (tag != NULL || tag_len == 0);
  g_return_if_fail (msg != NULL || msg_len == 0);
  g_return_if_fail (out != NULL);

  /* libsecp256k1 refuses NULL even for an empty buffer. */
  if (!secp256k1_tagged_sha256 (static_context (), out,
                                tag != NULL ? tag : empty, tag_len,
                                msg != NULL ? msg : empty, msg_len))
    g_return_if_reached ();
}

void
bolt12_sha256 (const guint8 *data,
               gsize         len,
               guint8        out[32])
{
  g_autoptr(GChecksum) checksum = NULL;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  checksum_update (checksum, data, len);
  checksum_finish (checksum, out);
}

gboolean
bolt12_merkle_root (const Bolt12Record *records,
                    guint               n_records,
                    guint8              root[32])
{
  Node stack_nodes[MERKLE_STACK_NODES];
  g_autofree Node *heap_nodes = NULL;
  Node *nodes;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 leaf_tag_hash[32];
  guint8 nonce_tag_hash[32];
  guint8 branch_tag_hash[32];
  guint8 type_buf[BIGSIZE_MAX_LEN];
  guint8 leaf[32];
  guint n_leaves = 0;
  guint i, n;

  g_return_val_if_fail (records != NULL || n_records == 0, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  for (i = 0; i < n_records; i++)
    if (!is_signature_type (records[i].type))
      n_leaves++;
  if (n_leaves == 0)
    return FALSE;

  if (n_leaves <= MERKLE_STACK_NODES)
    nodes = stack_nodes;
  else
    nodes = heap_nodes = g_new (Node, n_leaves);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  hash_tag2 (checksum, ln_leaf_tag, sizeof ln_leaf_tag, NULL, 0, leaf_tag_hash);
  hash_tag2 (checksum, ln_branch_tag, sizeof ln_branch_tag, NULL, 0, branch_tag_hash);
  /* The nonce tag is "LnNonce" followed by the first record of the stream, whatever its type
   * (as Core Lightning and LDK do). */
  hash_tag2 (checksum, ln_nonce_tag, sizeof ln_nonce_tag,
             records[0].raw, records[0].raw_length, nonce_tag_hash);

  /* Bottom level: H("LnBranch", sorted(H("LnLeaf", raw), H("LnNonce"||first, BigSize(type)))) */
  n = 0;
  for (i = 0; i < n_records; i++)
    {
      const Bolt12Record *record = &records[i];
      gsize type_len;

      if (is_signature_type (record->type))
        continue;

      tagged_hash_pre (checksum, leaf_tag_hash, record->raw, record->raw_length, NULL, 0, leaf);
      type_len = bigsize_put (record->type, type_buf);
      tagged_hash_pre (checksum, nonce_tag_hash, type_buf, type_len, NULL, 0, nodes[n]);
      branch_hash (checksum, branch_tag_hash, leaf, nodes[n], nodes[n]);
      n++;
    }

  /* Pair (0,1), (2,3), … in place; an odd last node moves up unchanged. */
  while (n > 1)
    {
      guint half = 0;

      for (i = 0; i + 1 < n; i += 2)
        branch_hash (checksum, branch_tag_hash, nodes[i], nodes[i + 1], nodes[half++]);
      if (i < n)
        memmove (nodes[half++], nodes[i], 32);
      n = half;
    }

  memcpy (root, nodes[0], 32);

  return TRUE;
}

void
bolt12_sighash (const char   *messagename,
                const char   *fieldname,
                const guint8  root[32],
                guint8        out[32])
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 tag_hash[32];

  g_return_if_fail (messagename != NULL);
  g_return_if_fail (fieldname != NULL);
  g_return_if_fail (root != NULL);
  g_return_if_fail (out != NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  checksum_update (checksum, lightning_tag, sizeof lightning_tag);
  checksum_update (checksum, (const guint8 *) messagename, strlen (messagename));
  checksum_update (checksum, (const guint8 *) fieldname, strlen (fieldname));
  checksum_finish (checksum, tag_hash);

  tagged_hash_pre (checksum, tag_hash, root, 32, NULL, 0, out);
}

/* The digest a message's "signature" field signs. */
static gboolean
message_digest (const char         *messagename,
                const Bolt12Record *records,
                guint               n_records,
                guint8              msg32[32])
{
  guint8 root[32];

  if (!bolt12_merkle_root (records, n_records, root))
    return FALSE;
  bolt12_sighash (messagename, "signature", root, msg32);

  return TRUE;
}

gboolean
bolt12_sign (const char         *messagename,
             const guint8        seckey[32],
             const Bolt12Record *records,
             guint               n_records,
             guint8              sig[64],
             GError            **error)
{
  secp256k1_context *ctx = NULL;
  secp256k1_keypair keypair;
  guint8 msg32[32];
  guint8 aux[32];
  gboolean ret = FALSE;

  g_return_val_if_fail (messagename != NULL, FALSE);
  g_return_val_if_fail (seckey != NULL, FALSE);
  g_return_val_if_fail (records != NULL || n_records == 0, FALSE);
  g_return_val_if_fail (sig != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!message_digest (messagename, records, n_records, msg32))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                           "There are no fields to sign");
      return FALSE;
    }

  if (!secp256k1_ec_seckey_verify (static_context (), seckey))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "The signing key is not a valid secp256k1 secret key");
      return FALSE;
    }

  ctx = signing_context_new (error);
  if (ctx == NULL)
    return FALSE;

  if (!fill_random (aux, sizeof aux, error))
    goto out;

  if (!secp256k1_keypair_create (ctx, &keypair, seckey))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "The signing key is not a valid secp256k1 secret key");
      goto out;
    }

  if (!secp256k1_schnorrsig_sign32 (ctx, sig, msg32, &keypair, aux))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "Could not create the signature");
      goto out;
    }

  ret = TRUE;

out:
  explicit_bzero (&keypair, sizeof keypair);
  explicit_bzero (aux, sizeof aux);
  secp256k1_context_destroy (ctx);
  if (!ret)
    explicit_bzero (sig, 64);

  return ret;
}

gboolean
bolt12_verify (const char         *messagename,
               const guint8        pubkey[33],
               const Bolt12Record *records,
               guint               n_records,
               const guint8        sig[64])
{
  const secp256k1_context *ctx = static_context ();
  secp256k1_pubkey pk;
  secp256k1_xonly_pubkey xonly;
  guint8 msg32[32];

  g_return_val_if_fail (messagename != NULL, FALSE);
  g_return_val_if_fail (pubkey != NULL, FALSE);
  g_return_val_if_fail (records != NULL || n_records == 0, FALSE);
  g_return_val_if_fail (sig != NULL, FALSE);

  if (pubkey[0] != 0x02 && pubkey[0] != 0x03)
    return FALSE;
  if (!secp256k1_ec_pubkey_parse (ctx, &pk, pubkey, 33))
    return FALSE;
  if (!secp256k1_xonly_pubkey_from_pubkey (ctx, &xonly, NULL, &pk))
    return FALSE;
  if (!message_digest (messagename, records, n_records, msg32))
    return FALSE;

  return secp256k1_schnorrsig_verify (ctx, sig, msg32, 32, &xonly) == 1;
}

/* SHA256 over the raw records whose types fall in [lo1, hi1], then those in [lo2, hi2]. */
static void
span_id (const Bolt12Record *records,
         guint               n_records,
         guint64             lo1,
         guint64             hi1,
         guint64             lo2,
         guint64             hi2,
         guint8              out[32])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint i;

  for (i = 0; i < n_records; i++)
    if (records[i].type >= lo1 && records[i].type <= hi1)
      checksum_update (checksum, records[i].raw, records[i].raw_length);
  for (i = 0; i < n_records; i++)
    if (records[i].type >= lo2 && records[i].type <= hi2)
      checksum_update (checksum, records[i].raw, records[i].raw_length);

  checksum_finish (checksum, out);
}

void
bolt12_offer_id (const Bolt12Record *records,
                 guint               n_records,
                 guint8              out[32])
{
  g_return_if_fail (records != NULL || n_records == 0);
  g_return_if_fail (out != NULL);

  span_id (records, n_records,
           1, 79,
           G_GUINT64_CONSTANT (1000000000), G_GUINT64_CONSTANT (1999999999),
           out);
}

void
bolt12_invreq_id (const Bolt12Record *records,
                  guint               n_records,
                  guint8              out[32])
{
  g_return_if_fail (records != NULL || n_records == 0);
  g_return_if_fail (out != NULL);

  span_id (records, n_records,
           0, 159,
           G_GUINT64_CONSTANT (1000000000), G_GUINT64_CONSTANT (2999999999),
           out);
}

gboolean
bolt12_point_valid (const guint8 point[33])
{
  secp256k1_pubkey pk;

  g_return_val_if_fail (point != NULL, FALSE);

  if (point[0] != 0x02 && point[0] != 0x03)
    return FALSE;

  return secp256k1_ec_pubkey_parse (static_context (), &pk, point, 33) == 1;
}

gboolean
bolt12_seckey_valid (const guint8 seckey[32])
{
  g_return_val_if_fail (seckey != NULL, FALSE);

  return secp256k1_ec_seckey_verify (static_context (), seckey) == 1;
}

gboolean
bolt12_pubkey_from_seckey (const guint8 seckey[32],
                           guint8       pubkey[33])
{
  secp256k1_context *ctx;
  secp256k1_pubkey pk;
  size_t len = 33;
  gboolean ret = FALSE;

  g_return_val_if_fail (seckey != NULL, FALSE);
  g_return_val_if_fail (pubkey != NULL, FALSE);

  if (!bolt12_seckey_valid (seckey))
    return FALSE;

  ctx = signing_context_new (NULL);
  if (ctx == NULL)
    return FALSE;

  if (secp256k1_ec_pubkey_create (ctx, &pk, seckey) &&
      secp256k1_ec_pubkey_serialize (ctx, pubkey, &len, &pk, SECP256K1_EC_COMPRESSED) &&
      len == 33)
    ret = TRUE;

  secp256k1_context_destroy (ctx);

  return ret;
}
