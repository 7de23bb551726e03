/* bolt12-sha256.c: SHA-256 (FIPS 180-4) with reusable midstates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from FIPS 180-4 §4.1.2 (functions), §4.2.2 (constants), §5.1.1 (padding), §5.3.3
 * (initial value) and §6.2.2 (computation).  The constants are the first 32 bits of the
 * fractional parts of the square roots (H0) and cube roots (K) of the first primes.
 *
 * The portable compression keeps only 16 words of the message schedule (W[t] is needed until
 * t + 16) and is written as straight-line rounds so the compiler keeps the working variables in
 * registers: GChecksum's generic loop is several times slower on 64-byte inputs, which is what
 * the Merkle tree is made of.
 *
 * On x86 processors with the SHA extensions (checked once with CPUID), the compression uses
 * SHA256RNDS2 (two rounds on the state held as ABEF / CDGH), SHA256MSG1 and SHA256MSG2 (the
 * σ0 and σ1 parts of the schedule), about four times faster again.  Both paths are tested
 * against the same vectors (bolt12_sha256_set_accelerated()).
 */

#include "config.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
# define HAVE_SHA_NI 1
# include <cpuid.h>
# include <immintrin.h>
#endif

#include "bolt12-sha256.h"

static const guint32 initial_h[8] = {
  0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
  0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

static const guint32 k[64] = {
  0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u,
  0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
  0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
  0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
  0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
  0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
  0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
  0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
  0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
  0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
  0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u,
  0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
  0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u,
  0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
  0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
  0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

#define ROTR(x, n)  (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)    (ROTR (x, 2) ^ ROTR (x, 13) ^ ROTR (x, 22))
#define BSIG1(x)    (ROTR (x, 6) ^ ROTR (x, 11) ^ ROTR (x, 25))
#define SSIG0(x)    (ROTR (x, 7) ^ ROTR (x, 18) ^ ((x) >> 3))
#define SSIG1(x)    (ROTR (x, 17) ^ ROTR (x, 19) ^ ((x) >> 10))

static inline guint32
load_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | (guint32) p[3];
}

static inline void
store_be32 (guint8  *p,
            guint32  v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* One round t of §6.2.2 step 3, with the roles of a..h rotated by the caller instead of the
 * values being moved: T1 = h + Σ1(e) + Ch(e,f,g) + K[t] + W[t]; d += T1; h = T1 + Σ0(a) +
 * Maj(a,b,c). */
#define ROUND(a, b, c, d, e, f, g, h, kt, wt)                     \
  G_STMT_START {                                                   \
    guint32 t1 = (h) + BSIG1 (e) + CH (e, f, g) + (kt) + (wt);     \
    (d) += t1;                                                     \
    (h) = t1 + BSIG0 (a) + MAJ (a, b, c);                          \
  } G_STMT_END

/* W[t] for t ≥ 16, in a ring of 16 words indexed by t mod 16. */
#define SCHEDULE(w, t)                                                               \
  ((w)[(t) & 15] += SSIG1 ((w)[((t) - 2) & 15]) + (w)[((t) - 7) & 15]                \
                    + SSIG0 ((w)[((t) - 15) & 15]))

#define EIGHT_ROUNDS(t, W)                                        \
  G_STMT_START {                                                   \
    ROUND (a, b, c, d, e, f, g, h, k[(t) + 0], W ((t) + 0));        \
    ROUND (h, a, b, c, d, e, f, g, k[(t) + 1], W ((t) + 1));        \
    ROUND (g, h, a, b, c, d, e, f, k[(t) + 2], W ((t) + 2));        \
    ROUND (f, g, h, a, b, c, d, e, k[(t) + 3], W ((t) + 3));        \
    ROUND (e, f, g, h, a, b, c, d, k[(t) + 4], W ((t) + 4));        \
    ROUND (d, e, f, g, h, a, b, c, k[(t) + 5], W ((t) + 5));        \
    ROUND (c, d, e, f, g, h, a, b, k[(t) + 6], W ((t) + 6));        \
    ROUND (b, c, d, e, f, g, h, a, k[(t) + 7], W ((t) + 7));        \
  } G_STMT_END

static void
compress_portable (guint32       state[8],
                   const guint8 *block)
{
  guint32 w[16];
  guint32 a = state[0], b = state[1], c = state[2], d = state[3];
  guint32 e = state[4], f = state[5], g = state[6], h = state[7];

#define W_LOAD(t) (w[(t)] = load_be32 (block + 4 * (t)))
#define W_NEXT(t) SCHEDULE (w, (t))

  EIGHT_ROUNDS (0, W_LOAD);
  EIGHT_ROUNDS (8, W_LOAD);
  EIGHT_ROUNDS (16, W_NEXT);
  EIGHT_ROUNDS (24, W_NEXT);
  EIGHT_ROUNDS (32, W_NEXT);
  EIGHT_ROUNDS (40, W_NEXT);
  EIGHT_ROUNDS (48, W_NEXT);
  EIGHT_ROUNDS (56, W_NEXT);

#undef W_LOAD
#undef W_NEXT

  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

#ifdef HAVE_SHA_NI
/* Four rounds t .. t + 3 with the message words m (already W[t..t+3]). */
#define NI_ROUNDS(m, t)                                                        \
  G_STMT_START {                                                               \
    __m128i wk = _mm_add_epi32 ((m), _mm_loadu_si128 ((const __m128i *) &k[t])); \
    cdgh = _mm_sha256rnds2_epu32 (cdgh, abef, wk);                              \
    wk = _mm_shuffle_epi32 (wk, 0x0e);                                          \
    abef = _mm_sha256rnds2_epu32 (abef, cdgh, wk);                              \
  } G_STMT_END

/* W[t..t+3] from the four groups before it: m0 = W[t-16..t-13] … m3 = W[t-4..t-1]. */
#define NI_SCHEDULE(m0, m1, m2, m3)                                             \
  _mm_sha256msg2_epu32 (_mm_add_epi32 (_mm_sha256msg1_epu32 ((m0), (m1)),         \
                                       _mm_alignr_epi8 ((m3), (m2), 4)),          \
                        (m3))

__attribute__ ((target ("sha,sse4.1,ssse3")))
static void
compress_sha_ni (guint32       state[8],
                 const guint8 *block)
{
  /* Big-endian words: reverse the bytes within each 32-bit lane. */
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i abcd = _mm_loadu_si128 ((const __m128i *) &state[0]);
  __m128i efgh = _mm_loadu_si128 ((const __m128i *) &state[4]);
  __m128i abef, cdgh, abef_in, cdgh_in, m0, m1, m2, m3, tmp;

  /* Lanes (low to high): abcd = A B C D, efgh = E F G H -> abef = F E B A, cdgh = H G D C. */
  abcd = _mm_shuffle_epi32 (abcd, 0xb1);        /* B A D C */
  efgh = _mm_shuffle_epi32 (efgh, 0x1b);        /* H G F E */
  abef = _mm_alignr_epi8 (abcd, efgh, 8);       /* F E B A */
  cdgh = _mm_blend_epi16 (efgh, abcd, 0xf0);    /* H G D C */
  abef_in = abef;
  cdgh_in = cdgh;

  m0 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (block + 0)), bswap);
  m1 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (block + 16)), bswap);
  m2 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (block + 32)), bswap);
  m3 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (block + 48)), bswap);

  NI_ROUNDS (m0, 0);
  NI_ROUNDS (m1, 4);
  NI_ROUNDS (m2, 8);
  NI_ROUNDS (m3, 12);
  for (guint t = 16; t < 64; t += 16)
    {
      m0 = NI_SCHEDULE (m0, m1, m2, m3);
      NI_ROUNDS (m0, t);
      m1 = NI_SCHEDULE (m1, m2, m3, m0);
      NI_ROUNDS (m1, t + 4);
      m2 = NI_SCHEDULE (m2, m3, m0, m1);
      NI_ROUNDS (m2, t + 8);
      m3 = NI_SCHEDULE (m3, m0, m1, m2);
      NI_ROUNDS (m3, t + 12);
    }

  abef = _mm_add_epi32 (abef, abef_in);
  cdgh = _mm_add_epi32 (cdgh, cdgh_in);

  /* Back to A B C D / E F G H. */
  tmp = _mm_shuffle_epi32 (abef, 0x1b);         /* A B E F */
  cdgh = _mm_shuffle_epi32 (cdgh, 0xb1);        /* G H C D */
  abcd = _mm_blend_epi16 (tmp, cdgh, 0xf0);     /* A B C D */
  efgh = _mm_alignr_epi8 (cdgh, tmp, 8);        /* E F G H */
  _mm_storeu_si128 ((__m128i *) &state[0], abcd);
  _mm_storeu_si128 ((__m128i *) &state[4], efgh);
}

static gboolean
cpu_has_sha_ni (void)
{
  unsigned int eax, ebx, ecx, edx;

  if (!__get_cpuid (1, &eax, &ebx, &ecx, &edx) ||
      !(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1))
    return FALSE;
  if (!__get_cpuid_count (7, 0, &eax, &ebx, &ecx, &edx))
    return FALSE;
  return (ebx & bit_SHA) != 0;
}
#endif

typedef void (*CompressFunc) (guint32       state[8],
                              const guint8 *block);

static CompressFunc compress_func = compress_portable;

/* Chooses the compression once; every hash starts with an init function. */
static inline void
ensure_compress (void)
{
  static gsize chosen = 0;

  if (g_once_init_enter (&chosen))
    {
#ifdef HAVE_SHA_NI
      if (cpu_has_sha_ni ())
        compress_func = compress_sha_ni;
#endif
      g_once_init_leave (&chosen, 1);
    }
}

static inline void
compress (guint32       state[8],
          const guint8 *block)
{
  compress_func (state, block);
}

gboolean
bolt12_sha256_set_accelerated (gboolean enable)
{
  ensure_compress ();
#ifdef HAVE_SHA_NI
  if (enable && cpu_has_sha_ni ())
    {
      compress_func = compress_sha_ni;
      return TRUE;
    }
#endif
  compress_func = compress_portable;
  return FALSE;
}

void
bolt12_sha256_init (Bolt12Sha256 *state)
{
  g_return_if_fail (state != NULL);

  ensure_compress ();

  memcpy (state->h, initial_h, sizeof initial_h);
  state->length = 0;
}

void
bolt12_sha256_init_tagged (Bolt12Sha256 *state,
                           const guint8  tag_hash[BOLT12_SHA256_LEN])
{
  g_return_if_fail (state != NULL);
  g_return_if_fail (tag_hash != NULL);

  ensure_compress ();
  memcpy (state->h, initial_h, sizeof initial_h);
  memcpy (state->block, tag_hash, BOLT12_SHA256_LEN);
  memcpy (state->block + BOLT12_SHA256_LEN, tag_hash, BOLT12_SHA256_LEN);
  compress (state->h, state->block);
  state->length = BOLT12_SHA256_BLOCK_LEN;
}

void
bolt12_sha256_update (Bolt12Sha256 *state,
                      const void   *data,
                      gsize         len)
{
  const guint8 *p = data;
  gsize used;

  g_return_if_fail (state != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;

  used = (gsize) (state->length % BOLT12_SHA256_BLOCK_LEN);
  state->length += len;

  if (used > 0)
    {
      gsize take = MIN (len, BOLT12_SHA256_BLOCK_LEN - used);

      memcpy (state->block + used, p, take);
      p += take;
      len -= take;
      if (used + take < BOLT12_SHA256_BLOCK_LEN)
        return;
      compress (state->h, state->block);
    }

  while (len >= BOLT12_SHA256_BLOCK_LEN)
    {
      compress (state->h, p);
      p += BOLT12_SHA256_BLOCK_LEN;
      len -= BOLT12_SHA256_BLOCK_LEN;
    }

  if (len > 0)
    memcpy (state->block, p, len);
}

void
bolt12_sha256_finish (Bolt12Sha256 *state,
                      guint8        out[BOLT12_SHA256_LEN])
{
  gsize used;
  guint64 bits;
  guint i;

  g_return_if_fail (state != NULL);
  g_return_if_fail (out != NULL);

  /* §5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits, big-endian. */
  used = (gsize) (state->length % BOLT12_SHA256_BLOCK_LEN);
  bits = state->length << 3;
  state->block[used++] = 0x80;
  if (used > BOLT12_SHA256_BLOCK_LEN - 8)
    {
      memset (state->block + used, 0, BOLT12_SHA256_BLOCK_LEN - used);
      compress (state->h, state->block);
      used = 0;
    }
  memset (state->block + used, 0, BOLT12_SHA256_BLOCK_LEN - 8 - used);
  store_be32 (state->block + 56, (guint32) (bits >> 32));
  store_be32 (state->block + 60, (guint32) bits);
  compress (state->h, state->block);

  for (i = 0; i < 8; i++)
    store_be32 (out + 4 * i, state->h[i]);

  memset (state, 0, sizeof *state);
}
