/* od-store.h: the sqlite store of issued offers and invoice requests, and exchange rates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout (like Core Lightning's lightning-dir): one directory per network under the data dir,
 *   <data_dir>/<network>/offerdesk.sqlite3   (this store)
 *   <data_dir>/<network>/issuer.key          (the signer's key, see od-signer.h)
 * created with mode 0700 by od_store_ensure_network_dir().
 *
 * The store never writes to a file it did not recognise: a foreign sqlite database, a corrupt
 * one or one written by a newer Offerdesk is refused with an error naming the file.  Every write
 * is one IMMEDIATE transaction (the CLI and the GUI can write at the same time; a busy database
 * is waited for up to 5 s), and every input is checked before the transaction starts, so bad
 * input never changes the store.
 *
 * An OdStore may be shared between threads (calls are serialised by a lock); rows and rates
 * returned are owned by the caller.
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define OD_STORE_ERROR (od_store_error_quark ())

typedef enum
{
  OD_STORE_ERROR_CORRUPT,      /* not a sqlite database, or a damaged one: never touched */
  OD_STORE_ERROR_FOREIGN,      /* a sqlite database of another application: never touched */
  OD_STORE_ERROR_NEWER_SCHEMA, /* written by a newer Offerdesk: never touched */
  OD_STORE_ERROR_IO,           /* cannot create, open, read or write (permissions, disk, …) */
  OD_STORE_ERROR_BUSY,         /* another process kept the database locked past the timeout */
  OD_STORE_ERROR_NOT_FOUND,    /* no such offer / invoice request / rate */
  OD_STORE_ERROR_EXISTS,       /* an invoice request with that id is already stored */
  OD_STORE_ERROR_INVALID,      /* a value the store does not accept; nothing was written */
} OdStoreError;

GQuark od_store_error_quark (void);

#define OD_STORE_FILENAME          "offerdesk.sqlite3"
#define OD_STORE_APPLICATION_ID    0x4F444B31 /* "ODK1", PRAGMA application_id */
#define OD_STORE_SCHEMA_VERSION    2          /* PRAGMA user_version after migrations */
#define OD_STORE_BUSY_TIMEOUT_MS   5000

typedef enum
{
  OD_KIND_OFFER = 0,            /* lno1…, id = offer_id */
  OD_KIND_INVOICE_REQUEST = 1,  /* lnr1…, id = invreq_id */
} OdKind;

/* Core Lightning's status flags (wallet/wallet.h), stored as they are.  7 (active, single-use
 * and used) cannot happen: marking a single-use row used clears ACTIVE. */
typedef enum
{
  OD_STATUS_ACTIVE = 1 << 0,
  OD_STATUS_SINGLE = 1 << 1,
  OD_STATUS_USED   = 1 << 2,
} OdStatus;

/* One issued offer or invoice request: what listing, search and the history need without
 * decoding the bolt12 string again.  Absent fields: NULL pointers, has_* FALSE. */
typedef struct
{
  gint64    seq;              /* set by the store: insertion order, the tie-break of created_at */
  OdKind    kind;
  char     *id;               /* 64 lower-case hex characters: offer_id or invreq_id */
  char     *bolt12;           /* the string as issued (lno1… / lnr1…) */
  char     *label;            /* free-form, not unique */
  guint     status;           /* OdStatus bits */
  gboolean  active;           /* derived from status when the store returns a row */
  gboolean  single_use;
  gboolean  used;
  gint64    created_at;       /* unix seconds */
  char     *network;          /* "bitcoin", "regtest", … */

  char     *description;      /* offer_description */
  gboolean  has_amount_msat;  /* offer_amount without currency, or invreq_amount */
  guint64   amount_msat;
  char     *currency;         /* offer_currency (ISO 4217), set together with currency_amount */
  guint64   currency_amount;  /* offer_amount in the currency's minor units */
  char     *issuer;           /* offer_issuer */
  gboolean  has_absolute_expiry;
  guint64   absolute_expiry;
  gboolean  has_quantity_max;
  guint64   quantity_max;     /* 0 = unlimited, as in the offer */

  gboolean  has_recurrence;
  guint8    recurrence_time_unit;  /* 0 seconds, 1 days, 2 months */
  guint32   recurrence_period;
  gboolean  has_recurrence_basetime;
  guint64   recurrence_basetime;
  gboolean  has_recurrence_limit;
  guint32   recurrence_limit;

  char     *refund_for;       /* invoice requests only: 64 hex, the payment hash refunded */

  char     *node_id;          /* the Core Lightning node that issued it (66 hex); NULL: local */
  /* Payments of an offer (maintained by od_store_add_payment, read-only for callers). */
  guint64   paid_count;
  guint64   paid_msat;        /* sum of amount_received_msat */
  gint64    last_paid_at;     /* unix seconds; 0 when never paid */
} OdHistoryRow;

/* A new row: created_at = now, status = ACTIVE for an offer, ACTIVE|SINGLE for an invoice
 * request (Core Lightning's defaults). */
OdHistoryRow *od_history_row_new   (OdKind              kind);
OdHistoryRow *od_history_row_copy  (const OdHistoryRow *row);
void          od_history_row_free  (OdHistoryRow       *row);

typedef struct
{
  char     currency[4];       /* ISO 4217 code, upper case */
  guint64  msat_per_unit;     /* > 0 */
  gint64   updated_at;        /* unix seconds */
} OdRate;

void          od_rate_free         (OdRate             *rate);

typedef struct _OdStore OdStore;

/* Creates <data_dir> (0700 when created) and <data_dir>/<network> (always forced to 0700),
 * refusing a path that exists but is not a directory.  Returns the network directory. */
char         *od_store_ensure_network_dir (const char   *data_dir,
                                           const char   *network,
                                           GError      **error);

/* Opens the store at path, creating it (mode 0600) when the file is missing or empty, and
 * applies pending migrations.  An existing file is checked before anything writes to it: its
 * sqlite header (a foreign file -> FOREIGN, not sqlite -> CORRUPT, without opening sqlite on
 * it), then, for ours, on a read-only connection, user_version (-> NEWER_SCHEMA) and the root
 * page of every table and index (-> CORRUPT).  Those checks cost the same at any size; damage
 * deeper in the file is met when a query reads it, and that query fails with CORRUPT naming the
 * file (od_store_verify() looks for it everywhere).  The connection then runs with
 * journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a 5 s busy timeout. */
OdStore      *od_store_open        (const char          *path,
                                    GError             **error);
void          od_store_close       (OdStore            *store);

/* PRAGMA quick_check of the whole file, on a read-only connection of its own (the store stays
 * usable meanwhile): FALSE with OD_STORE_ERROR_CORRUPT naming the file when it finds damage.
 * Reads every page: about 0.3 s for 1,000,000 rows when cached; meant for a background check. */
gboolean      od_store_verify      (OdStore            *store,
                                    GError            **error);

const char   *od_store_get_path    (OdStore            *store);
guint         od_store_get_schema_version (OdStore     *store);
/* The connection, for tests and diagnostics (PRAGMA queries): never write through it. */
sqlite3      *od_store_get_db      (OdStore            *store);

/* `offer`: inserts the row; when an offer with that id is already stored, nothing is written
 * and the stored row is returned (its label and status win) with *created = FALSE.
 * Returns the stored row, or NULL with an error. */
OdHistoryRow *od_store_add_offer   (OdStore            *store,
                                    const OdHistoryRow *row,
                                    gboolean           *created,
                                    GError            **error);

/* `invoicerequest`: inserts the row; OD_STORE_ERROR_EXISTS when that invreq_id is stored. */
OdHistoryRow *od_store_add_invoice_request (OdStore            *store,
                                            const OdHistoryRow *row,
                                            GError            **error);

/* id: 64 hex characters (either case).  OD_STORE_ERROR_NOT_FOUND when absent. */
OdHistoryRow *od_store_get         (OdStore            *store,
                                    OdKind              kind,
                                    const char         *id,
                                    GError            **error);

/* listoffers / listinvoicerequests: rows of one kind in insertion order (Core Lightning's),
 * only the active ones if active_only, only the one with id if id is not NULL (an unknown id
 * gives an empty array).  Returns a GPtrArray of OdHistoryRow*. */
GPtrArray    *od_store_list        (OdStore            *store,
                                    OdKind              kind,
                                    const char         *id,
                                    gboolean            active_only,
                                    GError            **error);

/* disable / enable: sets or clears ACTIVE in one transaction and returns the row as stored
 * afterwards.  *changed is FALSE, and nothing is written, when the row already is in that state
 * or when enabling a used single-use row (which Core Lightning refuses); the caller tells those
 * apart from the returned row (error 1001 / 1006 / 1007).  OD_STORE_ERROR_NOT_FOUND when absent. */
OdHistoryRow *od_store_set_active  (OdStore            *store,
                                    OdKind              kind,
                                    const char         *id,
                                    gboolean            active,
                                    gboolean           *changed,
                                    GError            **error);

/* Paid: sets USED, and clears ACTIVE of a single-use row (wallet_offer_mark_used). */
OdHistoryRow *od_store_mark_used   (OdStore            *store,
                                    OdKind              kind,
                                    const char         *id,
                                    GError            **error);

/* getinfo: number of stored rows of a kind. */
gboolean      od_store_count       (OdStore            *store,
                                    OdKind              kind,
                                    guint64            *count,
                                    GError            **error);

/* Exchange rates for `currencyconvert`: currency is three upper-case letters, msat_per_unit
 * 1 .. 2100000000000000000.  set replaces an existing rate; list is ordered by currency. */
gboolean      od_store_set_rate    (OdStore            *store,
                                    const char         *currency,
                                    guint64             msat_per_unit,
                                    GError            **error);
OdRate       *od_store_get_rate    (OdStore            *store,
                                    const char         *currency,
                                    GError            **error);
GPtrArray    *od_store_list_rates  (OdStore            *store,
                                    GError            **error);
gboolean      od_store_delete_rate (OdStore            *store,
                                    const char         *currency,
                                    GError            **error);

/* History across both kinds, newest first: ORDER BY created_at DESC, seq DESC.  filter NULL or
 * "" matches every row; otherwise a row matches when the filter is a case-insensitive (ASCII)
 * substring of its description, label or issuer, or when the filter is 1 to 64 hex characters
 * and the row's id starts with it (either case).  Filters of 3 characters or more use a
 * trigram index (count and pages cost about the same at any size); shorter ones test the rows
 * one by one (a count reads the whole table).  Pages return a GPtrArray of OdHistoryRow*.
 * OFFSET pages walk an index up to the offset: keep the offset small by reading from the
 * nearer end (od_store_history_page_from_end) or next to a page already read (keyset). */
gboolean      od_store_history_count (OdStore          *store,
                                      const char       *filter,
                                      guint64          *count,
                                      GError          **error);
GPtrArray    *od_store_history_page  (OdStore          *store,
                                      const char       *filter,
                                      guint64           offset,
                                      guint             limit,
                                      GError          **error);
/* The page after a row already shown (keyset paging: cost independent of the depth): rows
 * strictly older than (created_at, seq), newest first. */
GPtrArray    *od_store_history_page_after (OdStore     *store,
                                           const char  *filter,
                                           gint64       created_at,
                                           gint64       seq,
                                           guint        limit,
                                           GError     **error);
/* The page before a row already shown: the limit rows strictly newer than (created_at, seq)
 * nearest to it, newest first. */
GPtrArray    *od_store_history_page_before (OdStore    *store,
                                            const char *filter,
                                            gint64      created_at,
                                            gint64      seq,
                                            guint       limit,
                                            GError    **error);
/* Counted from the oldest row: skips the offset oldest matching rows and returns the limit
 * rows above them, newest first.  With n matching rows this is od_store_history_page (filter,
 * n - offset - limit, limit) when offset + limit <= n. */
GPtrArray    *od_store_history_page_from_end (OdStore    *store,
                                              const char *filter,
                                              guint64     offset,
                                              guint       limit,
                                              GError    **error);

/* The migration mechanism, exposed for tests: applies steps[user_version .. n_steps - 1] in
 * order, in one IMMEDIATE transaction, then sets user_version to n_steps; on error nothing is
 * applied.  The store runs it with its own steps (step i makes user_version i + 1). */
gboolean      od_store_migrate     (sqlite3            *db,
                                    const char * const *steps,
                                    guint               n_steps,
                                    GError            **error);

/* A number that changes whenever a change to the database is committed, by this connection or
 * by another one (another process): PRAGMA data_version plus this connection's own changes.
 * Cheap enough to poll every second; only compare it for equality. */
guint64       od_store_data_version (OdStore          *store);

/* ---- Payments (Core Lightning node backend) ----------------------------------------------- */

/* One payment of one of our offers, from a paid invoice of the node (waitanyinvoice /
 * listinvoices).  Unique by (node_id, pay_index). */
typedef struct
{
  char     *node_id;            /* the node's id (66 hex): pay_index counts per node */
  guint64   pay_index;          /* the node's pay_index, > 0 */
  char     *offer_id;           /* local_offer_id: 64 hex, an offer in the store */
  char     *label;              /* the invoice's label */
  char     *payment_hash;       /* 64 hex */
  guint64   amount_msat;        /* amount_received_msat */
  gint64    paid_at;            /* unix seconds */
  char     *payer_note;         /* invreq_payer_note, NULL when absent */
  gboolean  has_quantity;
  guint64   quantity;           /* invreq_quantity */
  gboolean  has_recurrence_counter;
  guint32   recurrence_counter; /* invreq_recurrence_counter */
  char     *bolt12;             /* the invoice (lni1…), NULL when the node did not give it */
  /* For an offer in a currency: the store's rate for that currency when the payment was
   * recorded (0 = none known), so exports can show the fiat amount at the time. */
  guint64   rate_msat_per_unit;
} OdPayment;

OdPayment    *od_payment_new       (void);
OdPayment    *od_payment_copy      (const OdPayment    *payment);
void          od_payment_free      (OdPayment          *payment);

/* Records a payment of a stored offer and, in the same transaction: advances the node's last
 * pay_index (never backwards), adds it to the offer's paid_count / paid_msat / last_paid_at and
 * marks the offer used (single-use: no longer active), like od_store_mark_used().  A payment
 * whose (node_id, pay_index) is already recorded changes nothing: *created = FALSE, TRUE
 * returned.  OD_STORE_ERROR_NOT_FOUND when the offer is not stored (nothing written).
 * rate_msat_per_unit 0 for an offer in a currency: the store's rate of that currency at that
 * moment is recorded (0 when it has none).  Hex fields may be of either case (stored in lower
 * case); node_id 66 hex, pay_index 1 .. 2^63 - 1, amount_msat at most 21 million bitcoin,
 * label set, bolt12 (when set) an lni1 string, text valid UTF-8: else OD_STORE_ERROR_INVALID. */
gboolean      od_store_add_payment (OdStore            *store,
                                    const OdPayment    *payment,
                                    gboolean           *created,
                                    GError            **error);
/* The last pay_index seen from a node (0 when none): where waitanyinvoice resumes.  set
 * advances it for invoices that are not ours; it never goes backwards. */
gboolean      od_store_get_last_pay_index (OdStore     *store,
                                           const char  *node_id,
                                           guint64     *pay_index,
                                           GError     **error);
gboolean      od_store_set_last_pay_index (OdStore     *store,
                                           const char  *node_id,
                                           guint64      pay_index,
                                           GError     **error);
/* Payments of one offer (offer_id not NULL) or all, oldest first (paid_at, pay_index).
 * Returns a GPtrArray of OdPayment*. */
GPtrArray    *od_store_list_payments (OdStore          *store,
                                      const char       *offer_id,
                                      GError          **error);
/* Follows the node's flags for a stored row (listoffers / listinvoicerequests): sets the
 * status bits as given (OdStatus).  *changed FALSE when they already were.  NOT_FOUND when
 * absent. */
OdHistoryRow *od_store_set_status  (OdStore            *store,
                                    OdKind              kind,
                                    const char         *id,
                                    guint               status,
                                    gboolean           *changed,
                                    GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdPayment, od_payment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdHistoryRow, od_history_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdRate, od_rate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdStore, od_store_close)

G_END_DECLS
