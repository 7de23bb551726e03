/* bolt12-sha256.h: SHA-256 (FIPS 180-4) with reusable midstates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain incremental SHA-256.  It exists because the Merkle root of a BOLT 12 message hashes
 * dozens of short inputs that all start with the same 64-byte prefix (SHA256(tag) twice): the
 * state after that prefix (the "midstate") is computed once per tag and copied, so each tagged
 * hash of a short record costs one compression instead of three.  The state is a plain struct:
 * copying it (`*dst = *src`) forks the hash.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BOLT12_SHA256_LEN       32
#define BOLT12_SHA256_BLOCK_LEN 64

typedef struct
{
  guint32 h[8];
  guint64 length;                          /* bytes hashed so far */
  guint8  block[BOLT12_SHA256_BLOCK_LEN];  /* the first length % 64 bytes are pending */
} Bolt12Sha256;

void  bolt12_sha256_init        (Bolt12Sha256       *state);
/* The state after SHA256(tag) || SHA256(tag): the start of every tagged hash with that tag
 * (BIP-340), given tag_hash = SHA256(tag). */
void  bolt12_sha256_init_tagged (Bolt12Sha256       *state,
                                 const guint8        tag_hash[BOLT12_SHA256_LEN]);
void  bolt12_sha256_update      (Bolt12Sha256       *state,
                                 const void         *data,
                                 gsize               len);
/* Writes the digest; the state is left wiped (init it again to reuse it). */
void  bolt12_sha256_finish      (Bolt12Sha256       *state,
                                 guint8              out[BOLT12_SHA256_LEN]);

/* For tests and benchmarks: use the processor's SHA instructions when it has them (the
 * default) or the portable code.  Returns whether the SHA instructions are now in use.  Not
 * thread-safe: call it while nothing else is hashing. */
gboolean bolt12_sha256_set_accelerated (gboolean enable);

G_END_DECLS
