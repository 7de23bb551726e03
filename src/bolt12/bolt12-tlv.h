/* bolt12-tlv.h: BigSize, truncated integers, TLV streams, strict UTF-8
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

/* BigSize (BOLT 1): reads from *p (at most *remaining bytes), advancing both.  Fails on
 * truncation and on a non-minimal encoding. */
gboolean  bolt12_bigsize_read   (const guint8 **p,
                                 gsize         *remaining,
                                 guint64       *out);
guint     bolt12_bigsize_length (guint64        value);
void      bolt12_bigsize_append (GByteArray    *buf,
                                 guint64        value);

/* Truncated integer (tu16/tu32/tu64): big-endian, no leading zero byte, at most max_bytes
 * (2, 4 or 8) bytes; zero bytes means 0. */
gboolean  bolt12_tu_read        (const guint8  *p,
                                 gsize          len,
                                 guint          max_bytes,
                                 guint64       *out);
void      bolt12_tu_append      (GByteArray    *buf,
                                 guint64        value);

/* Fixed-width big-endian integers (for subtypes). */
void      bolt12_be_append      (GByteArray    *buf,
                                 guint64        value,
                                 guint          n_bytes);

/* Parses a whole TLV stream.  Enforces: minimal BigSize type and length, strictly increasing
 * types, lengths within the data, nothing left over.  It does not judge types (even/odd,
 * ranges): the message layer does.  Returns a GArray of Bolt12Record pointing into data, which
 * must outlive it; free it with g_array_unref().  Errors: BOLT12_ERROR_TLV. */
GArray   *bolt12_tlv_parse      (const guint8  *data,
                                 gsize          len,
                                 GError       **error);

/* Appends one record (type, length, value). */
void      bolt12_tlv_append     (GByteArray    *buf,
                                 guint64        type,
                                 const guint8  *value,
                                 gsize          len);

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF, no truncation.
 * Unlike g_utf8_validate(), U+0000 is accepted (it is valid UTF-8). */
gboolean  bolt12_utf8_valid     (const guint8  *p,
                                 gsize          len);

/* Collects records in any order and writes them as one stream in ascending type order. */
typedef struct _Bolt12TlvBuilder Bolt12TlvBuilder;

Bolt12TlvBuilder *bolt12_tlv_builder_new    (void);
void              bolt12_tlv_builder_free   (Bolt12TlvBuilder *builder);
void              bolt12_tlv_builder_add    (Bolt12TlvBuilder *builder,
                                             guint64           type,
                                             const guint8     *value,
                                             gsize             len);
void              bolt12_tlv_builder_add_tu (Bolt12TlvBuilder *builder,
                                             guint64           type,
                                             guint64           value);
/* Fails (BOLT12_ERROR_TLV) when a type was added twice. */
GBytes           *bolt12_tlv_builder_finish (Bolt12TlvBuilder *builder,
                                             GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bolt12TlvBuilder, bolt12_tlv_builder_free)

G_END_DECLS
