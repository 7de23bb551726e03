/* bolt12-merkle.c: Merkle root, BIP-340 signatures, offer_id / invreq_id, keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hashing: our own SHA-256 (bolt12-sha256.c) with the midstates of the "LnLeaf" and "LnBranch"
 * tags computed once per process and the "LnNonce" one once per root, so each tagged hash of a
 * short input costs one or two compressions instead of three or four; the tree nodes stay on the
 * stack up to MERKLE_STACK_NODES leaves, so no allocation happens per leaf.  (GChecksum took
 * about 22 µs per invoice_request root; this takes a few µs.)
 *
 * Keys and signatures: verification and parsing use secp256k1_context_static (after a one-time
 * secp256k1_selftest()).  Anything that touches a secret key uses a clone of one process-wide
 * context, randomized with 32 bytes from getrandom(2) when it is made and again every
 * SIGNING_CONTEXT_USES uses: making and randomizing a context costs as much as a signature,
 * cloning one costs a malloc, and each thread signs with its own clone so nothing waits on a
 * lock for the length of a signature.  Every secret copy on our stack is wiped with
 * explicit_bzero().
 *
 * bolt12_pubkey_from_seckey() keeps its last few results, keyed by SHA256(salt || seckey) with
 * a random per-process salt: bolt12_message_sign() derives the public key of the signing key
 * before every signature, and a point multiplication costs as much as the signature itself.
 * No copy of a secret key is kept; the salted hash tells nothing about it.  The same entries
 * spare bolt12_point_valid() the square root for our own keys: encoding an offer or invoice
 * request we made checks its issuer or payer key again.
 *
 * bolt12_sign() verifies every signature it makes before returning it (BIP-340's advice against
 * faults), and bolt12_verify() knows the last few signatures so made and verified (digest,
 * x-only key, signature: all public): encoding a freshly signed message parses and verifies it
 * again, and a second verification of the same triple would only repeat the first.  Any other signature, or one of ours over another
 * digest or with another key, goes through secp256k1_schnorrsig_verify().
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "bolt12.h"
#include "bolt12-sha256.h"

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

/* The process-wide randomized context (see the top of the file). */
#define SIGNING_CONTEXT_USES 1024

static GMutex             signing_lock;
static secp256k1_context *signing_master; /* under signing_lock */
static guint              signing_uses;   /* under signing_lock */

/* A context for operations on secret keys, randomized against side channels.  The caller
 * destroys it with secp256k1_context_destroy(). */
static secp256k1_context *
signing_context_new (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&signing_lock);

  if (signing_master == NULL || signing_uses >= SIGNING_CONTEXT_USES)
    {
      guint8 seed[32];
      int ok;

      if (!fill_random (seed, sizeof seed, error))
        return NULL;
      if (signing_master == NULL)
        signing_master = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
      ok = secp256k1_context_randomize (signing_master, seed);
      explicit_bzero (seed, sizeof seed);
      if (!ok)
        {
          g_clear_pointer (&signing_master, secp256k1_context_destroy);
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                               "Could not prepare the signing context");
          return NULL;
        }
      signing_uses = 0;
    }

  signing_uses++;
  return secp256k1_context_clone (signing_master);
}

/* The pubkey cache of bolt12_pubkey_from_seckey() (see the top of the file). */
#define PUBKEY_CACHE_SIZE 4

typedef struct
{
  guint8   key_hash[32];  /* SHA256(pubkey_cache_salt || seckey) */
  guint8   pubkey[33];
  gboolean filled;
} PubkeyCacheEntry;

static GMutex           pubkey_cache_lock;
static gboolean         pubkey_cache_salted;                  /* under pubkey_cache_lock */
static guint8           pubkey_cache_salt[32];                /* under pubkey_cache_lock */
static PubkeyCacheEntry pubkey_cache[PUBKEY_CACHE_SIZE];      /* under pubkey_cache_lock */
static guint            pubkey_cache_next;                    /* under pubkey_cache_lock */

/* Under pubkey_cache_lock: FALSE when no salt could be had (then nothing is cached). */
static gboolean
pubkey_cache_key (const guint8 seckey[32],
                  guint8       key_hash[32])
{
  Bolt12Sha256 state;

  if (!pubkey_cache_salted)
    {
      if (!fill_random (pubkey_cache_salt, sizeof pubkey_cache_salt, NULL))
        return FALSE;
      pubkey_cache_salted = TRUE;
    }

  bolt12_sha256_init (&state);
  bolt12_sha256_update (&state, pubkey_cache_salt, sizeof pubkey_cache_salt);
  bolt12_sha256_update (&state, seckey, 32);
  bolt12_sha256_finish (&state, key_hash);
  /* finish() clears the state too, but a compiler may drop that for a dead local. */
  explicit_bzero (&state, sizeof state);

  return TRUE;
}

/* Signatures this process made (see the top of the file): the digest, the x-only key and the
 * signature, all three public. */
#define SIGNED_CACHE_SIZE 8

typedef struct
{
  guint8   msg32[32];
  guint8   xonly[32];
  guint8   sig[64];
  gboolean filled;
} SignedEntry;

static GMutex      signed_lock;
static SignedEntry signed_cache[SIGNED_CACHE_SIZE]; /* under signed_lock */
static guint       signed_next;                     /* under signed_lock */

static void
signed_cache_add (const guint8 msg32[32],
                  const guint8 xonly[32],
                  const guint8 sig[64])
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&signed_lock);
  SignedEntry *entry = &signed_cache[signed_next];

  signed_next = (signed_next + 1) % SIGNED_CACHE_SIZE;
  memcpy (entry->msg32, msg32, 32);
  memcpy (entry->xonly, xonly, 32);
  memcpy (entry->sig, sig, 64);
  entry->filled = TRUE;
}

/* Whether we made sig over msg32 with the key whose x coordinate is xonly. */
static gboolean
signed_cache_contains (const guint8 msg32[32],
                       const guint8 xonly[32],
                       const guint8 sig[64])
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&signed_lock);

  for (guint i = 0; i < SIGNED_CACHE_SIZE; i++)
    {
      const SignedEntry *entry = &signed_cache[i];

      if (entry->filled &&
          memcmp (entry->sig, sig, 64) == 0 &&
          memcmp (entry->msg32, msg32, 32) == 0 &&
          memcmp (entry->xonly, xonly, 32) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The midstates of the two tags every Merkle root uses, computed once. */
typedef struct
{
  Bolt12Sha256 leaf;
  Bolt12Sha256 branch;
} MerkleTags;

static const MerkleTags *
merkle_tags (void)
{
  static MerkleTags tags;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      guint8 tag_hash[32];

      bolt12_sha256 (ln_leaf_tag, sizeof ln_leaf_tag, tag_hash);
      bolt12_sha256_init_tagged (&tags.leaf, tag_hash);
      bolt12_sha256 (ln_branch_tag, sizeof ln_branch_tag, tag_hash);
      bolt12_sha256_init_tagged (&tags.branch, tag_hash);
      g_once_init_leave (&done, 1);
    }

  return &tags;
}

/* H(tag, m1 || m2) from the tag's midstate; out may alias m1 or m2. */
static inline void
tagged_hash_from (const Bolt12Sha256 *midstate,
                  const guint8       *m1,
                  gsize               m1_len,
                  const guint8       *m2,
                  gsize               m2_len,
                  guint8              out[32])
{
  Bolt12Sha256 state = *midstate;

  bolt12_sha256_update (&state, m1, m1_len);
  bolt12_sha256_update (&state, m2, m2_len);
  bolt12_sha256_finish (&state, out);
}

/* H("LnBranch", lesser || greater); out may alias a or b. */
static inline void
branch_hash (const Bolt12Sha256 *branch,
             const guint8        a[32],
             const guint8        b[32],
             guint8              out[32])
{
  if (memcmp (a, b, 32) <= 0)
    tagged_hash_from (branch, a, 32, b, 32, out);
  else
    tagged_hash_from (branch, b, 32, a, 32, out);
}

void
bolt12_tagged_hash (const guint8 *tag,
                    gsize         tag_len,
                    const guint8 *msg,
                    gsize         msg_len,
                    guint8        out[32])
{
  Bolt12Sha256 state;
  guint8 tag_hash[32];

  g_return_if_fail (tag != NULL || tag_len == 0);
  g_return_if_fail (msg != NULL || msg_len == 0);
  g_return_if_fail (out != NULL);

  bolt12_sha256 (tag, tag_len, tag_hash);
  bolt12_sha256_init_tagged (&state, tag_hash);
  bolt12_sha256_update (&state, msg, msg_len);
  bolt12_sha256_finish (&state, out);
}

void
bolt12_sha256 (const guint8 *data,
               gsize         len,
               guint8        out[32])
{
  Bolt12Sha256 state;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  bolt12_sha256_init (&state);
  bolt12_sha256_update (&state, data, len);
  bolt12_sha256_finish (&state, out);
}

gboolean
bolt12_merkle_root (const Bolt12Record *records,
                    guint               n_records,
                    guint8              root[32])
{
  Node stack_nodes[MERKLE_STACK_NODES];
  g_autofree Node *heap_nodes = NULL;
  Node *nodes;
  const MerkleTags *tags = merkle_tags ();
  Bolt12Sha256 nonce;
  guint8 nonce_tag_hash[32];
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

  /* The nonce tag is "LnNonce" followed by the first record of the stream, whatever its type
   * (as Core Lightning and LDK do): its midstate is made once per root. */
  bolt12_sha256_init (&nonce);
  bolt12_sha256_update (&nonce, ln_nonce_tag, sizeof ln_nonce_tag);
  bolt12_sha256_update (&nonce, records[0].raw, records[0].raw_length);
  bolt12_sha256_finish (&nonce, nonce_tag_hash);
  bolt12_sha256_init_tagged (&nonce, nonce_tag_hash);

  /* Bottom level: H("LnBranch", sorted(H("LnLeaf", raw), H("LnNonce"||first, BigSize(type)))) */
  n = 0;
  for (i = 0; i < n_records; i++)
    {
      const Bolt12Record *record = &records[i];
      gsize type_len;

      if (is_signature_type (record->type))
        continue;

      tagged_hash_from (&tags->leaf, record->raw, record->raw_length, NULL, 0, leaf);
      type_len = bigsize_put (record->type, type_buf);
      tagged_hash_from (&nonce, type_buf, type_len, NULL, 0, nodes[n]);
      branch_hash (&tags->branch, leaf, nodes[n], nodes[n]);
      n++;
    }

  /* Pair (0,1), (2,3), … in place; an odd last node moves up unchanged. */
  while (n > 1)
    {
      guint half = 0;

      for (i = 0; i + 1 < n; i += 2)
        branch_hash (&tags->branch, nodes[i], nodes[i + 1], nodes[half++]);
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
  Bolt12Sha256 state;
  guint8 tag_hash[32];

  g_return_if_fail (messagename != NULL);
  g_return_if_fail (fieldname != NULL);
  g_return_if_fail (root != NULL);
  g_return_if_fail (out != NULL);

  bolt12_sha256_init (&state);
  bolt12_sha256_update (&state, lightning_tag, sizeof lightning_tag);
  bolt12_sha256_update (&state, messagename, strlen (messagename));
  bolt12_sha256_update (&state, fieldname, strlen (fieldname));
  bolt12_sha256_finish (&state, tag_hash);

  bolt12_sha256_init_tagged (&state, tag_hash);
  bolt12_sha256_update (&state, root, 32);
  bolt12_sha256_finish (&state, out);
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
  secp256k1_xonly_pubkey xonly;
  guint8 xonly_bytes[32];
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

  /* BIP-340 recommends verifying a signature before it leaves the signer: a computation
   * error (a fault, a miscompiled library) must not publish a bad signature.  Done here, once;
   * the verified signature is then remembered so that bolt12_verify(), which
   * bolt12_message_encode() runs on the message it has just encoded, does not pay for the same
   * verification twice. */
  if (!secp256k1_keypair_xonly_pub (ctx, &xonly, NULL, &keypair) ||
      !secp256k1_xonly_pubkey_serialize (ctx, xonly_bytes, &xonly) ||
      secp256k1_schnorrsig_verify (ctx, sig, msg32, 32, &xonly) != 1)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "The signature just made does not verify");
      goto out;
    }
  signed_cache_add (msg32, xonly_bytes, sig);

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
  if (!message_digest (messagename, records, n_records, msg32))
    return FALSE;
  /* A signature we just made (bolt12_message_encode() checks the message it encodes, signature
   * included): the key's x coordinate is its x-only form. */
  if (signed_cache_contains (msg32, pubkey + 1, sig))
    return TRUE;
  if (!secp256k1_ec_pubkey_parse (ctx, &pk, pubkey, 33))
    return FALSE;
  if (!secp256k1_xonly_pubkey_from_pubkey (ctx, &xonly, NULL, &pk))
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
  Bolt12Sha256 state;
  guint i;

  bolt12_sha256_init (&state);
  for (i = 0; i < n_records; i++)
    if (records[i].type >= lo1 && records[i].type <= hi1)
      bolt12_sha256_update (&state, records[i].raw, records[i].raw_length);
  for (i = 0; i < n_records; i++)
    if (records[i].type >= lo2 && records[i].type <= hi2)
      bolt12_sha256_update (&state, records[i].raw, records[i].raw_length);

  bolt12_sha256_finish (&state, out);
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

  /* One of the keys we derived ourselves (our issuer or payer key, checked again every time a
   * message we made is encoded): valid by construction. */
  g_mutex_lock (&pubkey_cache_lock);
  for (guint i = 0; i < PUBKEY_CACHE_SIZE; i++)
    if (pubkey_cache[i].filled && memcmp (pubkey_cache[i].pubkey, point, 33) == 0)
      {
        g_mutex_unlock (&pubkey_cache_lock);
        return TRUE;
      }
  g_mutex_unlock (&pubkey_cache_lock);

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
  guint8 key_hash[32];
  gboolean cacheable;
  size_t len = 33;
  gboolean ret = FALSE;

  g_return_val_if_fail (seckey != NULL, FALSE);
  g_return_val_if_fail (pubkey != NULL, FALSE);

  if (!bolt12_seckey_valid (seckey))
    return FALSE;

  g_mutex_lock (&pubkey_cache_lock);
  cacheable = pubkey_cache_key (seckey, key_hash);
  if (cacheable)
    for (guint i = 0; i < PUBKEY_CACHE_SIZE; i++)
      if (pubkey_cache[i].filled && memcmp (pubkey_cache[i].key_hash, key_hash, 32) == 0)
        {
          memcpy (pubkey, pubkey_cache[i].pubkey, 33);
          g_mutex_unlock (&pubkey_cache_lock);
          return TRUE;
        }
  g_mutex_unlock (&pubkey_cache_lock);

  ctx = signing_context_new (NULL);
  if (ctx == NULL)
    return FALSE;

  if (secp256k1_ec_pubkey_create (ctx, &pk, seckey) &&
      secp256k1_ec_pubkey_serialize (ctx, pubkey, &len, &pk, SECP256K1_EC_COMPRESSED) &&
      len == 33)
    ret = TRUE;

  secp256k1_context_destroy (ctx);

  if (ret && cacheable)
    {
      PubkeyCacheEntry *entry;

      g_mutex_lock (&pubkey_cache_lock);
      entry = &pubkey_cache[pubkey_cache_next];
      pubkey_cache_next = (pubkey_cache_next + 1) % PUBKEY_CACHE_SIZE;
      memcpy (entry->key_hash, key_hash, 32);
      memcpy (entry->pubkey, pubkey, 33);
      entry->filled = TRUE;
      g_mutex_unlock (&pubkey_cache_lock);
    }

  return ret;
}
