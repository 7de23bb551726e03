/* od-offer-commands.c: offer, invoicerequest and the commands that list and switch them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Core Lightning's `offer` / `invoicerequest` family (cln-notes.md §1-§3) on the bolt12 layer
 * and the store.  Every handler checks all of its input first, in Core Lightning's order, then
 * creates what it needs (data dir, key, database) and writes once: a failing command leaves the
 * store (and, for a first offer, the data dir) as it was.
 *
 * Offerdesk additions to Core Lightning's parameters: `quantity_min` (0 or 1 only: BOLT 12
 * dropped it), `recurrence_base` "@<time>" (the subscriber must start with period 0: the offer
 * expires at the end of period 0), a `%` after the paywindow (= proportional_amount), years in
 * `recurrence` (12·n months), and `refund_for` (an invoice request paying back a payment).
 */

#include "config.h"

#include "od-commands-private.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "bolt12.h"

#define INVREQ_METADATA_LEN 16

/* The secp256k1 generator, compressed: a valid point that stands in for the issuer key while an
 * offer is checked before the key exists (so that bad input never creates a key file). */
static const guint8 placeholder_issuer_id[33] = {
  0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87,
  0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16,
  0xf8, 0x17, 0x98,
};

/* ------------------------------------------------------------------------------------------ */
/* Parameter grammars                                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  guint8  time_unit;
  guint32 period;
} RecurrenceParam;

typedef struct
{
  gboolean at;       /* "@<time>": start with period 0 */
  guint64  basetime;
} BaseParam;

typedef struct
{
  guint32  seconds_before;
  guint32  seconds_after;
  gboolean proportional;  /* trailing '%' */
} PaywindowParam;

static gpointer
parse_offer_amount (const char  *text,
                    GError     **error)
{
  g_autofree Bolt12Amount *amount = g_new0 (Bolt12Amount, 1);

  if (!bolt12_amount_parse (text, amount, error))
    return NULL;

  return g_steal_pointer (&amount);
}

static gpointer
parse_msat_amount (const char  *text,
                   GError     **error)
{
  g_autofree guint64 *msat = g_new0 (guint64, 1);

  if (!bolt12_amount_parse_msat (text, msat, error))
    return NULL;
  if (*msat == 0)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "must be greater than zero");
      return NULL;
    }

  return g_steal_pointer (&msat);
}

static gpointer
parse_quantity_min (const char  *text,
                    GError     **error)
{
  g_autofree guint64 *value = g_new0 (guint64, 1);

  if (!od_parse_decimal (text, G_MAXUINT64, value))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "should be an unsigned 64 bit integer");
      return NULL;
    }
  if (*value > 1)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "BOLT 12 dropped quantity_min in 2022; only 0 or 1 is accepted "
                           "(use quantity_max to limit the quantity)");
      return NULL;
    }

  return g_steal_pointer (&value);
}

static gpointer
parse_recurrence (const char  *text,
                  GError     **error)
{
  g_autofree RecurrenceParam *value = g_new0 (RecurrenceParam, 1);

  if (!bolt12_recurrence_parse (text, &value->time_unit, &value->period, error))
    return NULL;

  return g_steal_pointer (&value);
}

static gpointer
parse_recurrence_base (const char  *text,
                       GError     **error)
{
  g_autofree BaseParam *value = g_new0 (BaseParam, 1);

  if (text[0] == '@')
    {
      value->at = TRUE;
      text++;
    }
  if (!od_parse_decimal (text, G_MAXUINT64, &value->basetime))
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "not a valid basetime or @basetime");
      return NULL;
    }

  return g_steal_pointer (&value);
}

static gpointer
parse_paywindow (const char  *text,
                 GError     **error)
{
  g_autofree PaywindowParam *value = g_new0 (PaywindowParam, 1);

  if (!bolt12_paywindow_parse (text, &value->seconds_before, &value->seconds_after,
                               &value->proportional, error))
    return NULL;

  return g_steal_pointer (&value);
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* The fields Core Lightning returns for a stored offer / invoice request. */
static void
set_status_fields (JsonObject         *object,
                   const char         *id_name,
                   const OdHistoryRow *row)
{
  json_object_set_string_member (object, id_name, row->id);
  json_object_set_boolean_member (object, "active", row->active);
  json_object_set_boolean_member (object, "single_use", row->single_use);
  json_object_set_string_member (object, "bolt12", row->bolt12);
  json_object_set_boolean_member (object, "used", row->used);
}

/* A listoffers / disableoffer / enableoffer item. */
static JsonObject *
offer_item (const OdHistoryRow *row)
{
  JsonObject *item = json_object_new ();

  set_status_fields (item, "offer_id", row);
  if (row->label != NULL)
    json_object_set_string_member (item, "label", row->label);
  if (row->description != NULL)
    json_object_set_string_member (item, "description", row->description);
  json_object_set_int_member (item, "created_at", row->created_at);
  if (row->currency != NULL)
    {
      json_object_set_string_member (item, "offer_currency", row->currency);
      od_json_set_u64 (item, "offer_amount", row->currency_amount);
    }
  else if (row->has_amount_msat)
    {
      od_json_set_u64 (item, "offer_amount_msat", row->amount_msat);
    }

  return item;
}

/* A listinvoicerequests / disableinvoicerequest item. */
static JsonObject *
invreq_item (const OdHistoryRow *row)
{
  JsonObject *item = json_object_new ();

  set_status_fields (item, "invreq_id", row);
  if (row->label != NULL)
    json_object_set_string_member (item, "label", row->label);
  if (row->description != NULL)
    json_object_set_string_member (item, "description", row->description);
  json_object_set_int_member (item, "created_at", row->created_at);
  if (row->has_amount_msat)
    od_json_set_u64 (item, "invreq_amount_msat", row->amount_msat);
  if (row->refund_for != NULL)
    json_object_set_string_member (item, "refund_payment_hash", row->refund_for);

  return item;
}

/* ------------------------------------------------------------------------------------------ */
/* Invoice requests                                                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  guint64      amount_msat;
  const char  *description;
  const char  *issuer;
  const char  *label;
  gboolean     has_absolute_expiry;
  guint64      absolute_expiry;
  gboolean     single_use;
  const char  *refund_payment_hash;  /* hex, or NULL */
} InvreqRequest;

static gboolean
random_bytes (guint8  *out,
              gsize    len,
              GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = getrandom (out + got, len - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, OD_ERROR, OD_ERROR_GENERIC, "Could not get random bytes: %s",
                       g_strerror (saved_errno));
          return FALSE;
        }
      got += (gsize) n;
    }

  return TRUE;
}

/* Before anything is created for a new offer or request: an existing database must be usable
 * (a damaged one is reported before a key file is made for nothing). */
static gboolean
existing_store_ok (OdCommands  *self,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (od_commands_get_store (self, FALSE, &local_error) == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* msg encoded unsigned; what the encoder refuses is a "bolt12" parameter error. */
static char *
encode_message (Bolt12Message  *msg,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  char *bolt12 = bolt12_message_encode (msg, FALSE, &local_error);

  if (bolt12 == NULL)
    od_param_error (error, "bolt12", "%s", local_error->message);

  return bolt12;
}

/* Writes our key into key if the key file exists, else placeholder_issuer_id; creates no key.
 * *signer is NULL when there is no key yet. */
static gboolean
existing_key_or_placeholder (OdCommands  *self,
                             guint8       key[33],
                             OdSigner   **signer,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  *signer = od_commands_get_signer (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  memcpy (key, *signer != NULL ? od_signer_get_id (*signer) : placeholder_issuer_id, 33);

  return TRUE;
}

/* check_only: the invoice request encoded, unsigned, with our key or a stand-in. */
static JsonNode *
check_invoice_request (OdCommands     *self,
                       Bolt12Message  *msg,
                       GError        **error)
{
  g_autofree char *bolt12 = NULL;
  OdSigner *signer;

  if (!existing_key_or_placeholder (self, msg->invreq_payer_id, &signer, error))
    return NULL;
  msg->has_invreq_payer_id = TRUE;
  bolt12 = encode_message (msg, error);
  if (bolt12 == NULL)
    return NULL;

  return json_node_new (JSON_NODE_NULL);
}

/* The fields an invoice request for req has, before the payer key and the signature. */
static void
invreq_message_fill (OdCommands          *self,
                     Bolt12Message       *msg,
                     const InvreqRequest *req,
                     const guint8         metadata[INVREQ_METADATA_LEN])
{
  msg->invreq_metadata = g_bytes_new (metadata, INVREQ_METADATA_LEN);
  msg->offer_description = g_strdup (req->description);
  msg->offer_issuer = g_strdup (req->issuer);
  msg->has_offer_absolute_expiry = req->has_absolute_expiry;
  msg->offer_absolute_expiry = req->absolute_expiry;
  msg->has_invreq_chain = od_commands_get_chain (self, msg->invreq_chain);
  msg->has_invreq_amount = TRUE;
  msg->invreq_amount = req->amount_msat;
}

/* Builds, signs, encodes and stores an invoice request: the input has been checked.  With
 * check_only, builds and encodes it unsigned (an offer-less invoice request may be) with our key
 * if there is one, else a stand-in, and stores nothing. */
static JsonNode *
create_invoice_request (OdCommands           *self,
                        const InvreqRequest  *req,
                        gboolean              check_only,
                        GError              **error)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
  g_autoptr(OdHistoryRow) row = od_history_row_new (OD_KIND_INVOICE_REQUEST);
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bolt12 = NULL;
  JsonObject *result;
  guint8 metadata[INVREQ_METADATA_LEN];
  OdSigner *signer;
  OdStore *store;

  if (check_only)
    memset (metadata, 0, sizeof metadata);
  else if (!random_bytes (metadata, sizeof metadata, error))
    return NULL;
  invreq_message_fill (self, msg, req, metadata);

  /* Everything is checked: from here on we create what we need. */
  if (!existing_store_ok (self, error))
    return NULL;
  if (check_only)
    return check_invoice_request (self, msg, error);
  signer = od_commands_get_signer (self, TRUE, error);
  if (signer == NULL)
    return NULL;
  msg->has_invreq_payer_id = TRUE;
  memcpy (msg->invreq_payer_id, od_signer_get_id (signer), 33);
  if (!od_signer_sign_message (signer, msg, &local_error))
    {
      od_commands_fail (error, local_error);
      return NULL;
    }
  bolt12 = encode_message (msg, error);
  if (bolt12 == NULL)
    return NULL;

  row->id = od_hex_encode (msg->invreq_id, 32);
  row->bolt12 = g_steal_pointer (&bolt12);
  row->label = g_strdup (req->label);
  row->status = OD_STATUS_ACTIVE | (req->single_use ? OD_STATUS_SINGLE : 0);
  row->network = g_strdup (od_commands_get_network (self));
  row->description = g_strdup (req->description);
  row->has_amount_msat = TRUE;
  row->amount_msat = req->amount_msat;
  row->issuer = g_strdup (req->issuer);
  row->has_absolute_expiry = req->has_absolute_expiry;
  row->absolute_expiry = req->absolute_expiry;
  row->refund_for = g_strdup (req->refund_payment_hash);

  store = od_commands_get_store (self, TRUE, error);
  if (store == NULL)
    return NULL;
  stored = od_store_add_invoice_request (store, row, &local_error);
  if (stored == NULL)
    {
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_EXISTS))
        g_set_error_literal (error, OD_ERROR, OD_ERROR_GENERIC,
                             "Could not create invoice_request!");
      else
        od_commands_fail (error, local_error);
      return NULL;
    }

  result = json_object_new ();
  set_status_fields (result, "invreq_id", stored);
  if (stored->label != NULL)
    json_object_set_string_member (result, "label", stored->label);

  return od_json_node_from_object (result);
}

static void
invreq_request_init (InvreqRequest   *req,
                     const OdParams  *params)
{
  req->amount_msat = *(const guint64 *) od_params_get_parsed (params, "amount");
  req->description = od_params_get_string (params, "description");
  req->issuer = od_params_get_string (params, "issuer");
  req->label = od_params_get_string (params, "label");
  req->has_absolute_expiry = od_params_has (params, "absolute_expiry");
  req->absolute_expiry = od_params_get_u64 (params, "absolute_expiry", 0);
  req->single_use = od_params_get_bool (params, "single_use", TRUE);
}

static JsonNode *
cmd_invoicerequest (OdCommands      *self,
                    const OdParams  *params,
                    GError         **error)
{
  InvreqRequest req = { 0 };

  invreq_request_init (&req, params);

  return create_invoice_request (self, &req, params->check_only, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Offers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static gboolean
description_required (GError **error)
{
  od_param_error (error, "description",
                  "description is required for the user to know what it was they paid for");
  return FALSE;
}

/* `offer refund_for=<preimage>`: the checks, and the invoice request it asks for (for the
 * amount, single-use, carrying the payment hash it refunds, written as hex into hash_hex). */
static gboolean
refund_request_init (InvreqRequest   *req,
                     const OdParams  *params,
                     const guint8     preimage[32],
                     char             hash_hex[65],
                     GError         **error)
{
  const Bolt12Amount *amount = od_params_get_parsed (params, "amount");
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  if (amount->kind != BOLT12_AMOUNT_MSAT)
    {
      od_param_error (error, "refund_for", "needs an amount in msat");
      return FALSE;
    }
  if (od_params_has (params, "recurrence") || od_params_has (params, "recurrence_base")
      || od_params_has (params, "recurrence_paywindow")
      || od_params_has (params, "recurrence_limit")
      || od_params_get_bool (params, "proportional_amount", FALSE)
      || od_params_get_bool (params, "optional_recurrence", FALSE))
    {
      od_param_error (error, "refund_for", "cannot be combined with recurrence");
      return FALSE;
    }
  if (od_params_has (params, "quantity_max"))
    {
      od_param_error (error, "refund_for", "cannot be combined with quantity_max");
      return FALSE;
    }
  if (!od_params_get_bool (params, "single_use", TRUE))
    {
      od_param_error (error, "single_use", "a refund is always single-use");
      return FALSE;
    }
  if (amount->value == 0)
    {
      od_param_error (error, "amount", "must be greater than zero");
      return FALSE;
    }
  if (od_params_get_string (params, "description") == NULL)
    return description_required (error);

  g_checksum_update (checksum, preimage, 32);
  g_strlcpy (hash_hex, g_checksum_get_string (checksum), 65);

  req->amount_msat = amount->value;
  req->description = od_params_get_string (params, "description");
  req->issuer = od_params_get_string (params, "issuer");
  req->label = od_params_get_string (params, "label");
  req->has_absolute_expiry = od_params_has (params, "absolute_expiry");
  req->absolute_expiry = od_params_get_u64 (params, "absolute_expiry", 0);
  req->single_use = TRUE;
  req->refund_payment_hash = hash_hex;

  return TRUE;
}

static JsonNode *
offer_refund (OdCommands      *self,
              const OdParams  *params,
              const guint8     preimage[32],
              GError         **error)
{
  g_autofree char *preimage_hex = od_hex_encode (preimage, 32);
  InvreqRequest req = { 0 };
  char hash_hex[65];
  JsonNode *result;

  if (!refund_request_init (&req, params, preimage, hash_hex, error))
    return NULL;

  result = create_invoice_request (self, &req, params->check_only, error);
  if (result != NULL && !params->check_only)
    json_object_set_string_member (json_node_get_object (result), "refund_for", preimage_hex);

  return result;
}

/* Encodes the offer with our issuer key.  Before the key exists, the offer is first checked
 * with a placeholder key, so that input the encoder refuses creates nothing; with check_only it
 * stops there (*have_key FALSE) and no key is created. */
static char *
encode_offer (OdCommands     *self,
              Bolt12Message  *msg,
              gboolean        check_only,
              gboolean       *have_key,
              GError        **error)
{
  g_autofree char *bolt12 = NULL;
  OdSigner *signer;

  if (!existing_store_ok (self, error))
    return NULL;
  if (!existing_key_or_placeholder (self, msg->offer_issuer_id, &signer, error))
    return NULL;

  msg->has_offer_issuer_id = TRUE;
  bolt12 = encode_message (msg, error);
  if (bolt12 == NULL)
    return NULL;
  *have_key = signer != NULL;
  if (signer != NULL || check_only)
    return g_steal_pointer (&bolt12);

  *have_key = TRUE;
  signer = od_commands_get_signer (self, TRUE, error);
  if (signer == NULL)
    return NULL;
  memcpy (msg->offer_issuer_id, od_signer_get_id (signer), 33);

  return encode_message (msg, error);
}

/* The offer's parameters, checked. */
typedef struct
{
  const Bolt12Amount    *amount;
  const char            *description;
  const char            *issuer;
  const char            *label;
  const RecurrenceParam *recurrence;
  const BaseParam       *base;
  const PaywindowParam  *paywindow;
  gboolean               has_limit;
  guint32                limit;
  gboolean               has_quantity_max;
  guint64                quantity_max;
  gboolean               single_use;
  gboolean               proportional;
  gboolean               optional;
  gboolean               has_expiry;
  guint64                expiry;
  gboolean               expiry_from_base;  /* "@base" set or lowered the expiry */
} OfferRequest;

/* The checks after parsing, in Core Lightning's order (cln-notes.md §1.1), and the expiry an
 * "@base" implies. */
static gboolean
offer_request_init (OfferRequest    *req,
                    const OdParams  *params,
                    GError         **error)
{
  req->amount = od_params_get_parsed (params, "amount");
  req->description = od_params_get_string (params, "description");
  req->issuer = od_params_get_string (params, "issuer");
  req->label = od_params_get_string (params, "label");
  req->recurrence = od_params_get_parsed (params, "recurrence");
  req->base = od_params_get_parsed (params, "recurrence_base");
  req->paywindow = od_params_get_parsed (params, "recurrence_paywindow");
  req->has_limit = od_params_has (params, "recurrence_limit");
  req->limit = (guint32) od_params_get_u64 (params, "recurrence_limit", 0);
  req->has_quantity_max = od_params_has (params, "quantity_max");
  req->quantity_max = od_params_get_u64 (params, "quantity_max", 0);
  req->single_use = od_params_get_bool (params, "single_use", FALSE);
  req->proportional = od_params_get_bool (params, "proportional_amount", FALSE)
                      || (req->paywindow != NULL && req->paywindow->proportional);
  req->optional = od_params_get_bool (params, "optional_recurrence", FALSE);
  req->has_expiry = od_params_has (params, "absolute_expiry");
  req->expiry = od_params_get_u64 (params, "absolute_expiry", 0);

  if (req->recurrence == NULL)
    {
      const char *needs[] = { "recurrence_limit", "recurrence_base", "recurrence_paywindow" };

      for (guint i = 0; i < G_N_ELEMENTS (needs); i++)
        if (od_params_has (params, needs[i]))
          {
            od_param_error (error, needs[i], "needs recurrence");
            return FALSE;
          }
    }
  if (req->amount->kind != BOLT12_AMOUNT_ANY && req->description == NULL)
    return description_required (error);
  if (req->proportional && req->base == NULL)
    {
      od_param_error (error, "proportional_amount", "proportional_amount needs recurrence_base");
      return FALSE;
    }
  if (req->optional && req->base != NULL)
    {
      od_param_error (error, "optional_recurrence", "incompatible with recurrence_base");
      return FALSE;
    }
  if (req->optional && req->recurrence == NULL)
    {
      od_param_error (error, "optional_recurrence", "needs recurrence");
      return FALSE;
    }

  /* "@base": the first request must come within period 0, so the offer expires when period 1
   * starts (or earlier, if asked). */
  if (req->base != NULL && req->base->at)
    {
      guint64 end_of_first = 0;

      if (!bolt12_period_start (req->recurrence->time_unit, req->recurrence->period,
                                req->base->basetime, 1, &end_of_first))
        {
          od_param_error (error, "recurrence_base", "the first period ends out of range");
          return FALSE;
        }
      if (!req->has_expiry || end_of_first < req->expiry)
        req->expiry = end_of_first;
      req->has_expiry = TRUE;
      req->expiry_from_base = TRUE;
    }

  return TRUE;
}

static Bolt12Message *
offer_message_new (OdCommands         *self,
                   const OfferRequest *req)
{
  Bolt12Message *msg = bolt12_message_new (BOLT12_KIND_OFFER);
  guint8 chain[32];

  if (od_commands_get_chain (self, chain))
    msg->offer_chains = g_bytes_new (chain, sizeof chain);
  if (req->amount->kind == BOLT12_AMOUNT_CURRENCY)
    msg->offer_currency = g_strdup (req->amount->currency);
  msg->has_offer_amount = req->amount->kind != BOLT12_AMOUNT_ANY;
  msg->offer_amount = req->amount->value;
  msg->offer_description = g_strdup (req->description);
  msg->offer_issuer = g_strdup (req->issuer);
  msg->has_offer_absolute_expiry = req->has_expiry;
  msg->offer_absolute_expiry = req->expiry;
  msg->has_offer_quantity_max = req->has_quantity_max;
  msg->offer_quantity_max = req->quantity_max;
  if (req->recurrence != NULL)
    {
      Bolt12Recurrence *r = &msg->recurrence;

      r->present = TRUE;
      r->numbering = BOLT12_RECURRENCE_CLN_CURRENT;
      r->compulsory = !req->optional;
      r->time_unit = req->recurrence->time_unit;
      r->period = req->recurrence->period;
      r->has_base = req->base != NULL;
      r->basetime = req->base != NULL ? req->base->basetime : 0;
      r->proportional_amount = req->proportional;
      r->has_paywindow = req->paywindow != NULL;
      r->seconds_before = req->paywindow != NULL ? req->paywindow->seconds_before : 0;
      r->seconds_after = req->paywindow != NULL ? req->paywindow->seconds_after : 0;
      r->has_limit = req->has_limit;
      r->limit = req->limit;
    }

  return msg;
}

void
od_history_row_set_offer_fields (OdHistoryRow        *row,
                                 const Bolt12Message *msg,
                                 gboolean             with_amount)
{
  const Bolt12Recurrence *r = &msg->recurrence;

  row->description = g_strdup (msg->offer_description);
  if (with_amount && msg->offer_currency != NULL)
    {
      row->currency = g_strdup (msg->offer_currency);
      row->currency_amount = msg->offer_amount;
    }
  else if (with_amount && msg->has_offer_amount)
    {
      row->has_amount_msat = TRUE;
      row->amount_msat = msg->offer_amount;
    }
  row->issuer = g_strdup (msg->offer_issuer);
  row->has_absolute_expiry = msg->has_offer_absolute_expiry;
  row->absolute_expiry = msg->offer_absolute_expiry;
  row->has_quantity_max = msg->has_offer_quantity_max;
  row->quantity_max = msg->offer_quantity_max;
  if (r->present)
    {
      row->has_recurrence = TRUE;
      row->recurrence_time_unit = r->time_unit;
      row->recurrence_period = r->period;
      row->has_recurrence_basetime = r->has_base;
      row->recurrence_basetime = r->basetime;
      row->has_recurrence_limit = r->has_limit;
      row->recurrence_limit = r->limit;
    }
}

/* The store's row for an encoded offer: its listing fields come from the message itself. */
static OdHistoryRow *
offer_row_new (OdCommands          *self,
               const OfferRequest  *req,
               const Bolt12Message *msg,
               char                *bolt12)
{
  OdHistoryRow *row = od_history_row_new (OD_KIND_OFFER);

  row->id = od_hex_encode (msg->offer_id, 32);
  row->bolt12 = bolt12;
  row->label = g_strdup (req->label);
  row->status = OD_STATUS_ACTIVE | (req->single_use ? OD_STATUS_SINGLE : 0);
  row->network = g_strdup (od_commands_get_network (self));
  od_history_row_set_offer_fields (row, msg, TRUE);

  return row;
}

/* A price in a currency needs someone who knows its rate: Core Lightning asks
 * `currencyconvert` for 1 unit. */
static gboolean
check_rate (OdCommands  *self,
            const char  *currency,
            GError     **error)
{
  g_autoptr(OdDecimal) one = od_decimal_parse ("1");
  g_autoptr(GError) local_error = NULL;
  guint64 msat = 0;

  if (od_rates_convert (od_commands_get_rates (self), one, currency, &msat, &local_error))
    return TRUE;

  if (g_error_matches (local_error, OD_RATES_ERROR, OD_RATES_ERROR_FAILED))
    od_commands_fail (error, local_error);
  else
    od_param_error (error, "amount", "%s", local_error->message);

  return FALSE;
}

/* check_only, with our key: the same offer stored but inactive is error 1000, as the call
 * would give. */
static JsonNode *
check_offer_not_inactive (OdCommands          *self,
                          const OdHistoryRow  *row,
                          GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  OdStore *store;

  store = od_commands_get_store (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (store == NULL)
    return json_node_new (JSON_NODE_NULL);
  rows = od_store_list (store, OD_KIND_OFFER, row->id, FALSE, &local_error);
  if (rows == NULL)
    {
      od_commands_fail (error, local_error);
      return NULL;
    }
  if (rows->len > 0 && !((const OdHistoryRow *) g_ptr_array_index (rows, 0))->active)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_EXISTS,
                           "Already exists, but isn't active");
      return NULL;
    }

  return json_node_new (JSON_NODE_NULL);
}

static JsonNode *
cmd_offer (OdCommands      *self,
           const OdParams  *params,
           GError         **error)
{
  const guint8 *refund_for = od_params_get_sha256 (params, "refund_for");
  OfferRequest req = { 0 };
  g_autoptr(Bolt12Message) msg = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  g_autoptr(OdHistoryRow) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  char *bolt12;
  JsonObject *result;
  gboolean created = FALSE;
  gboolean have_key = FALSE;
  OdStore *store;

  if (refund_for != NULL)
    return offer_refund (self, params, refund_for, error);

  if (!offer_request_init (&req, params, error))
    return NULL;
  /* With a node backend the node's currencyconvert judges the currency (od-node-commands.c). */
  if (req.amount->kind == BOLT12_AMOUNT_CURRENCY && !od_commands_uses_node (self)
      && !check_rate (self, req.amount->currency, error))
    return NULL;

  msg = offer_message_new (self, &req);
  bolt12 = encode_offer (self, msg, params->check_only, &have_key, error);
  if (bolt12 == NULL)
    return NULL;
  row = offer_row_new (self, &req, msg, bolt12);
  if (params->check_only)
    return have_key ? check_offer_not_inactive (self, row, error) : json_node_new (JSON_NODE_NULL);

  store = od_commands_get_store (self, TRUE, error);
  if (store == NULL)
    return NULL;
  stored = od_store_add_offer (store, row, &created, &local_error);
  if (stored == NULL)
    {
      od_commands_fail (error, local_error);
      return NULL;
    }
  if (!stored->active)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_EXISTS,
                           "Already exists, but isn't active");
      return NULL;
    }

  result = json_object_new ();
  set_status_fields (result, "offer_id", stored);
  json_object_set_boolean_member (result, "created", created);
  if (stored->label != NULL)
    json_object_set_string_member (result, "label", stored->label);
  if (req.expiry_from_base)
    od_json_set_u64 (result, "absolute_expiry", req.expiry);

  return od_json_node_from_object (result);
}

/* ------------------------------------------------------------------------------------------ */
/* Listing, enabling, disabling                                                               */
/* ------------------------------------------------------------------------------------------ */

typedef JsonObject *(*ItemFunc) (const OdHistoryRow *row);

static JsonNode *
list_rows (OdCommands      *self,
           const OdParams  *params,
           OdKind           kind,
           GError         **error)
{
  const char *id_name = kind == OD_KIND_OFFER ? "offer_id" : "invreq_id";
  const guint8 *id = od_params_get_sha256 (params, id_name);
  ItemFunc item = kind == OD_KIND_OFFER ? offer_item : invreq_item;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *id_hex = id != NULL ? od_hex_encode (id, 32) : NULL;
  JsonObject *result;
  JsonArray *array;
  OdStore *store;

  store = od_commands_get_store (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (store != NULL)
    {
      rows = od_store_list (store, kind, id_hex,
                            od_params_get_bool (params, "active_only", FALSE), &local_error);
      if (rows == NULL)
        {
          od_commands_fail (error, local_error);
          return NULL;
        }
    }

  array = json_array_new ();
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    json_array_add_object_element (array, item (g_ptr_array_index (rows, i)));
  result = json_object_new ();
  json_object_set_array_member (result, kind == OD_KIND_OFFER ? "offers" : "invoicerequests",
                                array);

  return od_json_node_from_object (result);
}

static JsonNode *
cmd_listoffers (OdCommands      *self,
                const OdParams  *params,
                GError         **error)
{
  return list_rows (self, params, OD_KIND_OFFER, error);
}

static JsonNode *
cmd_listinvoicerequests (OdCommands      *self,
                         const OdParams  *params,
                         GError         **error)
{
  return list_rows (self, params, OD_KIND_INVOICE_REQUEST, error);
}

/* disable / enable: Core Lightning's errors (-1 unknown, 1001, 1006, 1007). */
static JsonNode *
set_active (OdCommands      *self,
            const OdParams  *params,
            OdKind           kind,
            gboolean         active,
            GError         **error)
{
  gboolean is_offer = kind == OD_KIND_OFFER;
  const char *what = is_offer ? "offer" : "invoice_request";
  const guint8 *id = od_params_get_sha256 (params, is_offer ? "offer_id" : "invreq_id");
  g_autofree char *id_hex = od_hex_encode (id, 32);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(OdHistoryRow) row = NULL;
  gboolean changed = FALSE;
  OdStore *store;

  store = od_commands_get_store (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (store != NULL)
    row = od_store_set_active (store, kind, id_hex, active, &changed, &local_error);
  if (row == NULL)
    {
      if (store == NULL || g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND))
        g_set_error (error, OD_ERROR, OD_ERROR_GENERIC, "Unknown %s", what);
      else
        od_commands_fail (error, local_error);
      return NULL;
    }

  if (!changed)
    {
      if (!active)
        g_set_error (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_DISABLED, "%s is not active", what);
      else if (row->active)
        g_set_error (error, OD_ERROR, OD_ERROR_OFFER_ALREADY_ENABLED, "%s already active", what);
      else
        g_set_error (error, OD_ERROR, OD_ERROR_OFFER_USED_SINGLE_USE,
                     "cannot activate an used single use %s", what);
      return NULL;
    }

  return od_json_node_from_object (is_offer ? offer_item (row) : invreq_item (row));
}

static JsonNode *
cmd_disableoffer (OdCommands      *self,
                  const OdParams  *params,
                  GError         **error)
{
  return set_active (self, params, OD_KIND_OFFER, FALSE, error);
}

static JsonNode *
cmd_enableoffer (OdCommands      *self,
                 const OdParams  *params,
                 GError         **error)
{
  return set_active (self, params, OD_KIND_OFFER, TRUE, error);
}

static JsonNode *
cmd_disableinvoicerequest (OdCommands      *self,
                           const OdParams  *params,
                           GError         **error)
{
  return set_active (self, params, OD_KIND_INVOICE_REQUEST, FALSE, error);
}

/* ------------------------------------------------------------------------------------------ */
/* What a node's answer is compared with                                                      */
/* ------------------------------------------------------------------------------------------ */

Bolt12Message *
od_offer_commands_expected (OdCommands      *self,
                            const char      *method,
                            const OdParams  *params,
                            GError         **error)
{
  static const guint8 zero_metadata[INVREQ_METADATA_LEN] = { 0 };
  g_autoptr(Bolt12Message) msg = NULL;
  InvreqRequest invreq = { 0 };
  char hash_hex[65];

  if (strcmp (method, "offer") == 0)
    {
      const guint8 *refund_for = od_params_get_sha256 (params, "refund_for");
      OfferRequest req = { 0 };

      if (refund_for != NULL)
        {
          if (!refund_request_init (&invreq, params, refund_for, hash_hex, error))
            return NULL;
        }
      else
        {
          if (!offer_request_init (&req, params, error))
            return NULL;
          msg = offer_message_new (self, &req);
          msg->has_offer_issuer_id = TRUE;
          memcpy (msg->offer_issuer_id, placeholder_issuer_id, 33);
          return g_steal_pointer (&msg);
        }
    }
  else if (strcmp (method, "invoicerequest") == 0)
    {
      invreq_request_init (&invreq, params);
    }
  else
    {
      g_set_error (error, OD_ERROR, OD_ERROR_GENERIC, "%s does not build a BOLT 12 message",
                   method);
      return NULL;
    }

  msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
  invreq_message_fill (self, msg, &invreq, zero_metadata);
  msg->has_invreq_payer_id = TRUE;
  memcpy (msg->invreq_payer_id, placeholder_issuer_id, 33);

  return g_steal_pointer (&msg);
}

/* ------------------------------------------------------------------------------------------ */
/* The table                                                                                  */
/* ------------------------------------------------------------------------------------------ */

const OdCommand od_offer_commands[] = {
  {
    "offer", cmd_offer,
    "Create a BOLT 12 offer (lno1…) that customers can pay, or return the same one again.",
    "Builds the offer from the parameters, with our issuer key as offer_issuer_id and, off "
    "mainnet, the network's chain, stores it and returns {offer_id, active, single_use, "
    "bolt12, used, created, label?}. The same offer again returns the stored one with "
    "\"created\": false (its stored label and single_use win); if that one is disabled or a "
    "used single-use offer, error 1000 \"Already exists, but isn't active\". With an "
    "@recurrence_base the result also has absolute_expiry. With refund_for, creates an "
    "invoice request instead (see refund_for). Parameter errors are -32602 \"<param>: "
    "<reason>\"; an offer the BOLT 12 rules refuse is -32602 \"bolt12: <reason>\".",
    {
      { "amount", OD_PARAM_TOKEN, TRUE,
        "\"any\"; an amount in msat (9, 9msat, 5sat, 1.5sat, 0.001btc); or a price in a "
        "currency, <n>[.<minor units>]<ISO 4217 code> such as 10.05USD or 5JPY, which needs an "
        "exchange rate (setrate).", parse_offer_amount },
      { "description", OD_PARAM_ESCAPED_STRING, FALSE,
        "What is being paid for (UTF-8; a JSON string without \\u escapes). Required unless "
        "the amount is \"any\"." },
      { "issuer", OD_PARAM_ESCAPED_STRING, FALSE,
        "Who is asking for payment, shown to the payer (offer_issuer)." },
      { "label", OD_PARAM_LABEL, FALSE,
        "A note for yourself, stored but not put in the offer; not unique." },
      { "quantity_min", OD_PARAM_TOKEN, FALSE,
        "Accepted for compatibility: only 0 or 1, as BOLT 12 dropped quantity_min in 2022.",
        parse_quantity_min },
      { "quantity_max", OD_PARAM_U64, FALSE,
        "The most items one payment may buy; 0 means no limit. Absent: no quantity." },
      { "absolute_expiry", OD_PARAM_U64, FALSE,
        "Unix time (seconds) after which the offer may not be paid. Not checked against now." },
      { "recurrence", OD_PARAM_TOKEN, FALSE,
        "A subscription period, <n><unit> with unit second(s), minute(s), hour(s), day(s), "
        "week(s), month(s) or year(s), e.g. 1month or 4weeks.", parse_recurrence },
      { "recurrence_base", OD_PARAM_TOKEN, FALSE,
        "Unix time (seconds) at which period 0 starts. \"@<time>\": the subscriber must start "
        "with period 0, so the offer expires at the end of period 0 (or at absolute_expiry if "
        "earlier). Needs recurrence.", parse_recurrence_base },
      { "recurrence_paywindow", OD_PARAM_TOKEN, FALSE,
        "-<seconds before>+<seconds after> the period start in which a period may be paid; a "
        "trailing % means proportional_amount. Needs recurrence.", parse_paywindow },
      { "recurrence_limit", OD_PARAM_U32, FALSE,
        "The last period index that may be paid (12: periods 0 to 12). Needs recurrence." },
      { "refund_for", OD_PARAM_SHA256, FALSE,
        "The payment preimage (64 hex digits) of a payment to refund: creates a single-use "
        "invoice request (lnr1…) for the amount (msat only) that records the payment hash, "
        "and returns the invoicerequest result plus refund_for." },
      { "single_use", OD_PARAM_BOOL, FALSE,
        "true: the offer becomes inactive once paid. Default false." },
      { "proportional_amount", OD_PARAM_BOOL, FALSE,
        "true: a period started late costs proportionally less. Needs recurrence_base." },
      { "optional_recurrence", OD_PARAM_BOOL, FALSE,
        "true: put the recurrence in the optional field, so payers that do not know recurrence "
        "may pay once. Not with recurrence_base." },
      { NULL }
    }
  },
  {
    "invoicerequest", cmd_invoicerequest,
    "Create a BOLT 12 invoice request (lnr1…): an offer to pay someone (refund, payout).",
    "Builds an invoice request for the amount, with 16 random bytes of invreq_metadata, our "
    "issuer key as invreq_payer_id and, off mainnet, the network's chain, signs it, stores "
    "it and returns {invreq_id, active, single_use, bolt12, used, label?}.",
    {
      { "amount", OD_PARAM_TOKEN, TRUE,
        "The amount to pay, in msat forms only (9, 9msat, 5sat, 0.001btc); more than zero.",
        parse_msat_amount },
      { "description", OD_PARAM_ESCAPED_STRING, TRUE,
        "What the payment is for (UTF-8; a JSON string without \\u escapes)." },
      { "issuer", OD_PARAM_ESCAPED_STRING, FALSE, "Who is paying, shown to the payee." },
      { "label", OD_PARAM_LABEL, FALSE,
        "A note for yourself, stored but not put in the request; not unique." },
      { "absolute_expiry", OD_PARAM_U64, FALSE,
        "Unix time (seconds) after which the request may not be used." },
      { "single_use", OD_PARAM_BOOL, FALSE,
        "true (default): the request becomes inactive once paid." },
      { NULL }
    }
  },
  {
    "listoffers", cmd_listoffers,
    "List the offers created here, oldest first.",
    "Returns {\"offers\": [{offer_id, active, single_use, bolt12, used, label?, description?, "
    "created_at, offer_amount_msat or offer_currency + offer_amount}]}. An unknown offer_id "
    "gives an empty list.",
    {
      { "offer_id", OD_PARAM_SHA256, FALSE, "Only this offer (64 hex digits)." },
      { "active_only", OD_PARAM_BOOL, FALSE, "true: only the active offers. Default false." },
      { NULL }
    }
  },
  {
    "disableoffer", cmd_disableoffer,
    "Stop an offer from being paid.",
    "Returns the offer as listoffers shows it, with \"active\": false. Errors: -1 \"Unknown "
    "offer\", 1001 \"offer is not active\".",
    {
      { "offer_id", OD_PARAM_SHA256, TRUE, "The offer to disable (64 hex digits)." },
      { NULL }
    }
  },
  {
    "enableoffer", cmd_enableoffer,
    "Let a disabled offer be paid again.",
    "Returns the offer as listoffers shows it, with \"active\": true. Errors: -1 \"Unknown "
    "offer\", 1006 \"offer already active\", 1007 \"cannot activate an used single use "
    "offer\".",
    {
      { "offer_id", OD_PARAM_SHA256, TRUE, "The offer to enable (64 hex digits)." },
      { NULL }
    }
  },
  {
    "listinvoicerequests", cmd_listinvoicerequests,
    "List the invoice requests created here, oldest first.",
    "Returns {\"invoicerequests\": [{invreq_id, active, single_use, bolt12, used, label?, "
    "description?, created_at, invreq_amount_msat, refund_payment_hash?}]}. An unknown "
    "invreq_id gives an empty list.",
    {
      { "invreq_id", OD_PARAM_SHA256, FALSE, "Only this invoice request (64 hex digits)." },
      { "active_only", OD_PARAM_BOOL, FALSE,
        "true: only the active invoice requests. Default false." },
      { NULL }
    }
  },
  {
    "disableinvoicerequest", cmd_disableinvoicerequest,
    "Stop an invoice request from being used.",
    "Returns the invoice request as listinvoicerequests shows it, with \"active\": false. "
    "Errors: -1 \"Unknown invoice_request\", 1001 \"invoice_request is not active\".",
    {
      { "invreq_id", OD_PARAM_SHA256, TRUE,
        "The invoice request to disable (64 hex digits)." },
      { NULL }
    }
  },
  { NULL }
};
