/* bolt12-message.h: offers, invoice requests and invoices as typed views over raw TLVs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

/* Offer TLV types (1..79) */
#define BOLT12_TLV_OFFER_CHAINS           2
#define BOLT12_TLV_OFFER_METADATA         4
#define BOLT12_TLV_OFFER_CURRENCY         6
#define BOLT12_TLV_OFFER_AMOUNT           8
#define BOLT12_TLV_OFFER_DESCRIPTION      10
#define BOLT12_TLV_OFFER_FEATURES         12
#define BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY  14
#define BOLT12_TLV_OFFER_PATHS            16
#define BOLT12_TLV_OFFER_ISSUER           18
#define BOLT12_TLV_OFFER_QUANTITY_MAX     20
#define BOLT12_TLV_OFFER_ISSUER_ID        22
/* invoice_request (0, 80..159) */
#define BOLT12_TLV_INVREQ_METADATA        0
#define BOLT12_TLV_INVREQ_CHAIN           80
#define BOLT12_TLV_INVREQ_AMOUNT          82
#define BOLT12_TLV_INVREQ_FEATURES        84
#define BOLT12_TLV_INVREQ_QUANTITY        86
#define BOLT12_TLV_INVREQ_PAYER_ID        88
#define BOLT12_TLV_INVREQ_PAYER_NOTE      89
#define BOLT12_TLV_INVREQ_PATHS           90
#define BOLT12_TLV_INVREQ_BIP_353_NAME    91
/* invoice (160..239) */
#define BOLT12_TLV_INVOICE_PATHS          160
#define BOLT12_TLV_INVOICE_BLINDEDPAY     162
#define BOLT12_TLV_INVOICE_CREATED_AT     164
#define BOLT12_TLV_INVOICE_RELATIVE_EXPIRY 166
#define BOLT12_TLV_INVOICE_PAYMENT_HASH   168
#define BOLT12_TLV_INVOICE_AMOUNT         170
#define BOLT12_TLV_INVOICE_FALLBACKS      172
#define BOLT12_TLV_INVOICE_FEATURES       174
#define BOLT12_TLV_INVOICE_NODE_ID        176
#define BOLT12_TLV_SIGNATURE              240
/* Recurrence, Core Lightning's current experimental numbering (written by the builder) */
#define BOLT12_TLV_OFFER_RECURRENCE_COMPULSORY G_GUINT64_CONSTANT (1000000024)
#define BOLT12_TLV_OFFER_RECURRENCE_OPTIONAL   G_GUINT64_CONSTANT (1000000025)
#define BOLT12_TLV_OFFER_RECURRENCE_BASE       G_GUINT64_CONSTANT (1000000026)
#define BOLT12_TLV_OFFER_RECURRENCE_PAYWINDOW  G_GUINT64_CONSTANT (1000000027)
#define BOLT12_TLV_OFFER_RECURRENCE_LIMIT      G_GUINT64_CONSTANT (1000000029)
#define BOLT12_TLV_INVREQ_RECURRENCE_COUNTER   G_GUINT64_CONSTANT (2000000092)
#define BOLT12_TLV_INVREQ_RECURRENCE_START     G_GUINT64_CONSTANT (2000000093)
#define BOLT12_TLV_INVREQ_RECURRENCE_CANCEL    G_GUINT64_CONSTANT (2000000094)
#define BOLT12_TLV_INVOICE_RECURRENCE_BASETIME G_GUINT64_CONSTANT (3000000177)

#define BOLT12_DEFAULT_RELATIVE_EXPIRY 7200

typedef struct
{
  guint8  blinded_node_id[33];
  GBytes *encrypted_recipient_data;
} Bolt12BlindedHop;

typedef struct
{
  gboolean  first_is_scid;      /* sciddir_or_pubkey with first byte 0 or 1 */
  guint8    first_scid_dir;     /* 0 or 1 when first_is_scid */
  guint64   first_scid;
  guint8    first_node_id[33];  /* when !first_is_scid */
  guint8    first_path_key[33];
  GPtrArray *hops;              /* of Bolt12BlindedHop*, never empty once parsed */
} Bolt12BlindedPath;

typedef struct
{
  guint32  fee_base_msat;
  guint32  fee_proportional_millionths;
  guint16  cltv_expiry_delta;
  guint64  htlc_minimum_msat;
  guint64  htlc_maximum_msat;
  GBytes  *features;
} Bolt12Payinfo;

typedef struct
{
  guint8  version;
  GBytes *address;
} Bolt12Fallback;

/* Which numbering a decoded recurrence came from (bolt12-notes.md §11.3). */
typedef enum
{
  BOLT12_RECURRENCE_CLN_CURRENT,  /* 1000000024.. (since 2025-09): written by the builder */
  BOLT12_RECURRENCE_CLN_2024,     /* 1212121212.. (2024-08 .. 2025-09), old layout */
  BOLT12_RECURRENCE_CLN_2022,     /* 26/28/30/32  (2022-11 .. 2024-07), old layout */
} Bolt12RecurrenceNumbering;

typedef struct
{
  gboolean present;
  Bolt12RecurrenceNumbering numbering;
  gboolean compulsory;           /* FALSE: from offer_recurrence_optional */
  guint8   time_unit;            /* Bolt12TimeUnit */
  guint32  period;

  gboolean has_base;
  gboolean proportional_amount;  /* current layout: in recurrence_base */
  gboolean start_any_period;     /* old layouts only */
  guint64  basetime;

  gboolean has_paywindow;
  guint32  seconds_before;
  guint32  seconds_after;
  gboolean paywindow_proportional; /* old layouts only */

  gboolean has_limit;
  guint32  limit;                /* max_period_index */
} Bolt12Recurrence;

/* One struct serves the three messages: an invoice_request has every offer field and an invoice
 * every invoice_request field.  Parsing fills it from raw (the truth: ids, signatures and
 * mirroring use the raw records).  Building fills the typed fields and calls
 * bolt12_message_serialize(), which writes them in the numbering above plus any records in
 * extra_records (e.g. unknown odd fields to keep).
 *
 * Absent fields: pointers NULL, has_* FALSE.  A present-but-empty string field is "". */
typedef struct
{
  Bolt12Kind kind;

  GBytes    *raw;       /* the TLV stream; NULL while building */
  GArray    *records;   /* of Bolt12Record pointing into raw */

  GBytes    *invreq_metadata;            /* 0 */

  GBytes    *offer_chains;               /* 2: n*32 bytes (may be empty only while building) */
  GBytes    *offer_metadata;             /* 4 */
  char      *offer_currency;             /* 6 */
  gboolean   has_offer_amount;           /* 8 */
  guint64    offer_amount;
  char      *offer_description;          /* 10 */
  GBytes    *offer_features;             /* 12 */
  gboolean   has_offer_absolute_expiry;  /* 14 */
  guint64    offer_absolute_expiry;
  GPtrArray *offer_paths;                /* 16: of Bolt12BlindedPath* */
  char      *offer_issuer;               /* 18 */
  gboolean   has_offer_quantity_max;     /* 20 */
  guint64    offer_quantity_max;
  gboolean   has_offer_issuer_id;        /* 22 */
  guint8     offer_issuer_id[33];
  Bolt12Recurrence recurrence;

  gboolean   has_invreq_chain;           /* 80 */
  guint8     invreq_chain[32];
  gboolean   has_invreq_amount;          /* 82 */
  guint64    invreq_amount;
  GBytes    *invreq_features;            /* 84 */
  gboolean   has_invreq_quantity;        /* 86 */
  guint64    invreq_quantity;
  gboolean   has_invreq_payer_id;        /* 88 */
  guint8     invreq_payer_id[33];
  char      *invreq_payer_note;          /* 89 */
  GPtrArray *invreq_paths;               /* 90 */
  char      *invreq_bip_353_name;        /* 91: name and domain, both set or both NULL */
  char      *invreq_bip_353_domain;
  gboolean   has_invreq_recurrence_counter;
  guint32    invreq_recurrence_counter;
  gboolean   has_invreq_recurrence_start;
  guint32    invreq_recurrence_start;
  gboolean   invreq_recurrence_cancel;

  GPtrArray *invoice_paths;              /* 160 */
  GPtrArray *invoice_blindedpay;         /* 162: of Bolt12Payinfo* */
  gboolean   has_invoice_created_at;     /* 164 */
  guint64    invoice_created_at;
  gboolean   has_invoice_relative_expiry;/* 166 */
  guint32    invoice_relative_expiry;
  gboolean   has_invoice_payment_hash;   /* 168 */
  guint8     invoice_payment_hash[32];
  gboolean   has_invoice_amount;         /* 170 */
  guint64    invoice_amount;
  GPtrArray *invoice_fallbacks;          /* 172: of Bolt12Fallback* */
  GBytes    *invoice_features;           /* 174 */
  gboolean   has_invoice_node_id;        /* 176 */
  guint8     invoice_node_id[33];
  gboolean   has_invoice_recurrence_basetime;
  guint64    invoice_recurrence_basetime;

  gboolean   has_signature;              /* 240 */
  guint8     signature[64];

  /* Set by parsing: */
  guint8     offer_id[32];               /* CLN offer_id of the offer fields (every kind) */
  guint8     invreq_id[32];              /* CLN invreq_id (invoice_request and invoice) */
  gboolean   signature_checked;          /* a signature was present and verified */
  GArray    *unknown_records;            /* of Bolt12Record: unknown odd records, in raw */

  /* Used by building: records added as they are (type, value) */
  GArray    *extra_records;              /* of Bolt12Record owned via extra_storage */
  GPtrArray *extra_storage;
} Bolt12Message;

Bolt12Message *bolt12_message_new      (Bolt12Kind            kind);
void           bolt12_message_free     (Bolt12Message        *msg);

/* String -> validated message.  The kind comes from the hrp (lno, lnr, lni); a URI prefix is
 * not accepted here (see bolt12_uri_extract).  Applies every reader rule of the spec for that
 * kind (bolt12-notes.md §2-§7, §10, §11) except chain policy and expiry, which are the caller's
 * (bolt12_message_is_expired()).  An invoice_request or invoice signature that is present must
 * verify; an invoice must be signed; an invoice_request answering an offer (offer_issuer_id or
 * offer_paths) must be signed; an offer-less one may be unsigned. */
Bolt12Message *bolt12_message_decode   (const char           *str,
                                        GError              **error);

/* TLV stream of a given kind -> validated message (same rules, no string layer). */
Bolt12Message *bolt12_message_parse    (Bolt12Kind            kind,
                                        const guint8         *tlv,
                                        gsize                 len,
                                        GError              **error);

/* TRUE when now (unix seconds) is past offer_absolute_expiry, or, for an invoice, past
 * invoice_created_at + relative expiry (default 7200). */
gboolean       bolt12_message_is_expired (const Bolt12Message *msg,
                                          guint64              now);

/* Typed fields (+ extra_records, + signature when has_signature) -> TLV stream in ascending
 * order.  Does not check the reader rules: parse the result for that. */
GBytes        *bolt12_message_serialize (const Bolt12Message *msg,
                                         GError             **error);

/* Serialize, then parse (so the result is checked by every reader rule), and return the
 * string.  Also refreshes msg->raw, records and ids from the encoding. */
char          *bolt12_message_encode    (Bolt12Message       *msg,
                                         gboolean             upper,
                                         GError             **error);

/* Signs an invoice_request (or invoice) with seckey: sets signature from the Merkle root of the
 * serialized non-signature fields; the caller then encodes. */
gboolean       bolt12_message_sign      (Bolt12Message       *msg,
                                         const guint8         seckey[32],
                                         GError             **error);

/* Adds a record to write as it is (typically an unknown odd field to keep). */
void           bolt12_message_add_extra (Bolt12Message       *msg,
                                         guint64              type,
                                         const guint8        *value,
                                         gsize                len);

void               bolt12_blinded_path_free (Bolt12BlindedPath *path);
void               bolt12_payinfo_free      (Bolt12Payinfo     *payinfo);
void               bolt12_fallback_free     (Bolt12Fallback    *fallback);

/* Known chains by name: "bitcoin", "testnet", "testnet4", "signet", "regtest" (genesis hash in
 * the internal byte order used on the wire).  NULL name for unknown. */
gboolean       bolt12_chain_from_name   (const char           *network,
                                         guint8                chain[32]);
const char    *bolt12_chain_name        (const guint8          chain[32]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bolt12Message, bolt12_message_free)

G_END_DECLS
