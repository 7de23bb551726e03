/* bolt12-merkle.h: Merkle root, BIP-340 signatures, offer_id / invreq_id, keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

/* H(tag, msg) = SHA256(SHA256(tag) || SHA256(tag) || msg) */
void      bolt12_tagged_hash    (const guint8       *tag,
                                 gsize               tag_len,
                                 const guint8       *msg,
                                 gsize               msg_len,
                                 guint8              out[32]);

/* The BOLT 12 Merkle root over records (ascending), skipping types 240..1000 inclusive.
 * Returns FALSE when no record is left to hash. */
gboolean  bolt12_merkle_root    (const Bolt12Record *records,
                                 guint               n_records,
                                 guint8              root[32]);

/* H("lightning" || messagename || fieldname, root), e.g. ("invoice_request", "signature"). */
void      bolt12_sighash        (const char         *messagename,
                                 const char         *fieldname,
                                 const guint8        root[32],
                                 guint8              out[32]);

/* BIP-340 signature of the message's Merkle root with seckey (field "signature").
 * Records of the signature range are ignored. */
gboolean  bolt12_sign           (const char         *messagename,
                                 const guint8        seckey[32],
                                 const Bolt12Record *records,
                                 guint               n_records,
                                 guint8              sig[64],
                                 GError            **error);

/* Verifies sig against the x-only form of a 33-byte compressed key. */
gboolean  bolt12_verify         (const char         *messagename,
                                 const guint8        pubkey[33],
                                 const Bolt12Record *records,
                                 guint               n_records,
                                 const guint8        sig[64]);

/* Core Lightning's ids: SHA-256 over the raw records of types 1..79 then 1e9..1999999999
 * (offer_id), or 0..159 then 1e9..2999999999 (invreq_id). */
void      bolt12_offer_id       (const Bolt12Record *records,
                                 guint               n_records,
                                 guint8              out[32]);
void      bolt12_invreq_id      (const Bolt12Record *records,
                                 guint               n_records,
                                 guint8              out[32]);

/* secp256k1 helpers (context: secp256k1_context_static, plus a randomized signing context). */
gboolean  bolt12_point_valid    (const guint8        point[33]);
gboolean  bolt12_seckey_valid   (const guint8        seckey[32]);
gboolean  bolt12_pubkey_from_seckey (const guint8    seckey[32],
                                     guint8          pubkey[33]);

void      bolt12_sha256         (const guint8       *data,
                                 gsize               len,
                                 guint8              out[32]);

G_END_DECLS
