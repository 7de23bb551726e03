/* bolt12-private.h: internals shared by the message files
 * (bolt12-message.c, bolt12-offer.c, bolt12-invreq.c, bolt12-invoice.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bolt12-message.c drives parsing (TLV walk, ranges, even/odd, ids) and building; each message
 * file reads, checks and writes the fields of its own TLV ranges:
 *   bolt12-offer.c    1..79 and 1000000000..1999999999 (offer fields and offer recurrence)
 *   bolt12-invreq.c   0, 80..159 and 2000000000..2999999999
 *   bolt12-invoice.c  160..239 and 3000000000..3999999999, plus the invoice signature
 */

#pragma once

#include "bolt12.h"

G_BEGIN_DECLS

/* State of one parse: the message being filled and what the reader rules need to know about
 * fields that the typed view does not keep. */
typedef struct
{
  Bolt12Message *msg;
  const guint8  *base;               /* data of msg->raw */
  guint          numberings;         /* bit (1 << Bolt12RecurrenceNumbering) per numbering seen */
  gboolean       seen_recurrence_compulsory;
  gboolean       seen_recurrence_optional;
  gboolean       seen_pr1240_odd;    /* 25, 27 or 29 (PR #1240's in-range numbers) */
  gboolean       seen_offer_paths;   /* 16 present (possibly empty) */
  gboolean       seen_invreq_paths;  /* 90 */
  gboolean       seen_invoice_paths; /* 160 */
  gboolean       seen_blindedpay;    /* 162 */
} Bolt12Parse;

typedef enum
{
  BOLT12_FIELD_UNKNOWN, /* not a type this reader knows: the caller applies even/odd */
  BOLT12_FIELD_OK,
  BOLT12_FIELD_ERROR,
} Bolt12FieldResult;

/* "Offer", "Invoice request", "Invoice": the subject of error sentences. */
const char        *_bolt12_kind_label        (Bolt12Kind          kind);

/* A GBytes for p..p+len, which lies inside st->msg->raw (no copy). */
GBytes            *_bolt12_parse_slice       (Bolt12Parse        *st,
                                              const guint8       *p,
                                              gsize               len);

/* Fail with code and "<Kind> contains an invalid <name>: <reason>"; return FALSE. */
gboolean           _bolt12_field_error       (Bolt12Parse        *st,
                                              int                 code,
                                              const char         *name,
                                              const char         *reason,
                                              GError            **error);
/* Fail with BOLT12_ERROR_INVALID and "<Kind> " followed by the formatted text (a reader rule);
 * return FALSE. */
gboolean           _bolt12_invalid           (Bolt12Parse        *st,
                                              GError            **error,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (3, 4);

/* Field readers: each checks the encoding of rec and fails with BOLT12_ERROR_TLV (or
 * BOLT12_ERROR_INVALID for a rule such as an unknown even feature bit), naming the field. */
gboolean           _bolt12_read_utf8         (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              const char         *name,
                                              char              **out,
                                              GError            **error);
gboolean           _bolt12_read_tu           (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              guint               max_bytes,
                                              const char         *name,
                                              guint64            *out,
                                              GError            **error);
gboolean           _bolt12_read_point        (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              const char         *name,
                                              guint8              out[33],
                                              GError            **error);
gboolean           _bolt12_read_fixed        (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              gsize               size,
                                              const char         *name,
                                              guint8             *out,
                                              GError            **error);
/* known: the feature bits this field defines (may be NULL when n_known is 0). */
gboolean           _bolt12_read_features     (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              const char         *name,
                                              const guint        *known,
                                              guint               n_known,
                                              GBytes            **out,
                                              GError            **error);
gboolean           _bolt12_read_paths        (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              const char         *name,
                                              GPtrArray         **out,
                                              GError            **error);
/* Marks a recurrence-related field of numbering n; fails when the message mixes numberings. */
gboolean           _bolt12_note_numbering    (Bolt12Parse        *st,
                                              Bolt12RecurrenceNumbering n,
                                              const Bolt12Record *rec,
                                              GError            **error);
/* A recurrence-related truncated integer of numbering n: _bolt12_note_numbering, then
 * _bolt12_read_tu. */
gboolean           _bolt12_read_numbered_tu  (Bolt12Parse        *st,
                                              const Bolt12Record *rec,
                                              Bolt12RecurrenceNumbering n,
                                              guint               max_bytes,
                                              const char         *name,
                                              guint64            *out,
                                              GError            **error);
/* Verifies the message's signature over its records under messagename ("invoice_request",
 * "invoice") against key; fails with BOLT12_ERROR_SIGNATURE and failure, else marks the
 * signature checked. */
gboolean           _bolt12_verify_signature  (Bolt12Parse        *st,
                                              const char         *messagename,
                                              const guint8        key[33],
                                              const char         *failure,
                                              GError            **error);

/* TRUE when the feature bitmap (big-endian, bit 0 = LSB of the last byte) has an even bit set
 * that is not in known; *bit receives the lowest such bit. */
gboolean           _bolt12_features_unknown_even (const guint8   *bits,
                                                  gsize           len,
                                                  const guint    *known,
                                                  guint           n_known,
                                                  guint64        *bit);

/* Adds the blinded paths as record type (nothing when paths is NULL); FALSE when a length
 * does not fit its wire field (BOLT12_ERROR_RANGE). */
gboolean           _bolt12_builder_add_paths (Bolt12TlvBuilder   *b,
                                              guint64             type,
                                              GPtrArray          *paths,
                                              const char         *name,
                                              GError            **error);
void               _bolt12_builder_add_bytes (Bolt12TlvBuilder   *b,
                                              guint64             type,
                                              GBytes             *bytes);
void               _bolt12_builder_add_string (Bolt12TlvBuilder  *b,
                                               guint64            type,
                                               const char        *str);
void               _bolt12_builder_add_array (Bolt12TlvBuilder   *b,
                                              guint64             type,
                                              GByteArray         *buf);

/* Per range: read one record (the driver has already checked the kind's ranges). */
Bolt12FieldResult  _bolt12_offer_read_field   (Bolt12Parse        *st,
                                               const Bolt12Record *rec,
                                               GError            **error);
Bolt12FieldResult  _bolt12_invreq_read_field  (Bolt12Parse        *st,
                                               const Bolt12Record *rec,
                                               GError            **error);
Bolt12FieldResult  _bolt12_invoice_read_field (Bolt12Parse        *st,
                                               const Bolt12Record *rec,
                                               GError            **error);

/* Reader rules once every record is read.  The offer rules run for every kind (an
 * invoice_request or invoice mirrors the offer), the invreq rules for invoice_request and
 * invoice, the invoice rules for invoices.  Signatures are checked last, by the invreq and
 * invoice files. */
gboolean           _bolt12_offer_check        (Bolt12Parse        *st,
                                               GError            **error);
gboolean           _bolt12_invreq_check       (Bolt12Parse        *st,
                                               GError            **error);
gboolean           _bolt12_invreq_check_signature  (Bolt12Parse   *st,
                                                    GError       **error);
gboolean           _bolt12_invoice_check      (Bolt12Parse        *st,
                                               GError            **error);
gboolean           _bolt12_invoice_check_signature (Bolt12Parse   *st,
                                                    GError       **error);

/* Per range: add the typed fields to the builder. */
gboolean           _bolt12_offer_write        (const Bolt12Message *msg,
                                               Bolt12TlvBuilder    *b,
                                               GError             **error);
gboolean           _bolt12_invreq_write       (const Bolt12Message *msg,
                                               Bolt12TlvBuilder    *b,
                                               GError             **error);
gboolean           _bolt12_invoice_write      (const Bolt12Message *msg,
                                               Bolt12TlvBuilder    *b,
                                               GError             **error);

/* Big-endian readers for fixed-width subtype fields (the caller checked the length). */
static inline guint16
_bolt12_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
_bolt12_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint64
_bolt12_be64 (const guint8 *p)
{
  return ((guint64) _bolt12_be32 (p) << 32) | _bolt12_be32 (p + 4);
}

G_END_DECLS
