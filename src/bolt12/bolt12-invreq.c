/* bolt12-invreq.c: the invoice_request fields (0, 80..159, 2000000000..2999999999)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recurrence fields are decoded in Core Lightning's current numbering (2000000092 counter,
 * 2000000093 start, 2000000094 cancel) and its 2024 one (2212121212 counter, 2212121214 start).
 * CLN's 2022 numbering put the counter at 90 and the start at 92; 90 is invreq_paths today, so
 * those are not decoded (92 is an unknown even field).
 */

#include "config.h"

#include <string.h>

#include "bolt12-message.h"
#include "bolt12-private.h"

#define INVREQ_RECURRENCE_COUNTER_2024 G_GUINT64_CONSTANT (2212121212)
#define INVREQ_RECURRENCE_START_2024   G_GUINT64_CONSTANT (2212121214)

static gboolean
bip353_char_ok (guint8 c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

/* u8 name_len, name, u8 domain_len, domain; bytes only [0-9a-zA-Z._-]. */
static gboolean
read_bip_353_name (Bolt12Parse        *st,
                   const Bolt12Record *rec,
                   GError            **error)
{
  const guint8 *p = rec->value;
  gsize len = rec->length;
  gsize name_len, domain_len;

  if (len < 1 || len - 1 < (gsize) p[0] + 1)
    goto truncated;
  name_len = p[0];
  domain_len = p[1 + name_len];
  if (len != 2 + name_len + domain_len)
    goto truncated;

  for (gsize i = 0; i < name_len; i++)
    if (!bip353_char_ok (p[1 + i]))
      goto bad_char;
  for (gsize i = 0; i < domain_len; i++)
    if (!bip353_char_ok (p[2 + name_len + i]))
      goto bad_char;

  st->msg->invreq_bip_353_name = g_strndup ((const char *) p + 1, name_len);
  st->msg->invreq_bip_353_domain = g_strndup ((const char *) p + 2 + name_len, domain_len);
  return TRUE;

truncated:
  return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invreq_bip_353_name",
                              "the lengths do not match the field", error);

bad_char:
  return _bolt12_field_error (st, BOLT12_ERROR_INVALID, "invreq_bip_353_name",
                              "only letters, digits, '.', '_' and '-' are allowed", error);
}

static gboolean
read_counter (Bolt12Parse                *st,
              const Bolt12Record         *rec,
              Bolt12RecurrenceNumbering   numbering,
              GError                    **error)
{
  guint64 v;

  if (!_bolt12_read_numbered_tu (st, rec, numbering, 4, "invreq_recurrence_counter", &v, error))
    return FALSE;
  st->msg->has_invreq_recurrence_counter = TRUE;
  st->msg->invreq_recurrence_counter = (guint32) v;

  return TRUE;
}

static gboolean
read_start (Bolt12Parse                *st,
            const Bolt12Record         *rec,
            Bolt12RecurrenceNumbering   numbering,
            GError                    **error)
{
  guint64 v;

  if (!_bolt12_read_numbered_tu (st, rec, numbering, 4, "invreq_recurrence_start", &v, error))
    return FALSE;
  st->msg->has_invreq_recurrence_start = TRUE;
  st->msg->invreq_recurrence_start = (guint32) v;

  return TRUE;
}

static gboolean
read_cancel (Bolt12Parse        *st,
             const Bolt12Record *rec,
             GError            **error)
{
  if (!_bolt12_note_numbering (st, BOLT12_RECURRENCE_CLN_CURRENT, rec, error))
    return FALSE;
  if (rec->length != 0)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invreq_recurrence_cancel",
                                "it must be empty", error);
  st->msg->invreq_recurrence_cancel = TRUE;

  return TRUE;
}

Bolt12FieldResult
_bolt12_invreq_read_field (Bolt12Parse        *st,
                           const Bolt12Record *rec,
                           GError            **error)
{
  Bolt12Message *msg = st->msg;
  gboolean ok;

  switch (rec->type)
    {
    case BOLT12_TLV_INVREQ_METADATA:
      msg->invreq_metadata = _bolt12_parse_slice (st, rec->value, rec->length);
      ok = TRUE;
      break;
    case BOLT12_TLV_INVREQ_CHAIN:
      ok = msg->has_invreq_chain =
        _bolt12_read_fixed (st, rec, 32, "invreq_chain", msg->invreq_chain, error);
      break;
    case BOLT12_TLV_INVREQ_AMOUNT:
      ok = msg->has_invreq_amount =
        _bolt12_read_tu (st, rec, 8, "invreq_amount", &msg->invreq_amount, error);
      break;
    case BOLT12_TLV_INVREQ_FEATURES:
      /* No invoice_request feature is defined: any even bit is unknown. */
      ok = _bolt12_read_features (st, rec, "invreq_features", NULL, 0,
                                  &msg->invreq_features, error);
      break;
    case BOLT12_TLV_INVREQ_QUANTITY:
      ok = msg->has_invreq_quantity =
        _bolt12_read_tu (st, rec, 8, "invreq_quantity", &msg->invreq_quantity, error);
      break;
    case BOLT12_TLV_INVREQ_PAYER_ID:
      ok = msg->has_invreq_payer_id =
        _bolt12_read_point (st, rec, "invreq_payer_id", msg->invreq_payer_id, error);
      break;
    case BOLT12_TLV_INVREQ_PAYER_NOTE:
      ok = _bolt12_read_utf8 (st, rec, "invreq_payer_note", &msg->invreq_payer_note, error);
      break;
    case BOLT12_TLV_INVREQ_PATHS:
      st->seen_invreq_paths = TRUE;
      ok = _bolt12_read_paths (st, rec, "invreq_paths", &msg->invreq_paths, error);
      break;
    case BOLT12_TLV_INVREQ_BIP_353_NAME:
      ok = read_bip_353_name (st, rec, error);
      break;

    case BOLT12_TLV_INVREQ_RECURRENCE_COUNTER:
      ok = read_counter (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;
    case BOLT12_TLV_INVREQ_RECURRENCE_START:
      ok = read_start (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;
    case BOLT12_TLV_INVREQ_RECURRENCE_CANCEL:
      ok = read_cancel (st, rec, error);
      break;
    case INVREQ_RECURRENCE_COUNTER_2024:
      ok = read_counter (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;
    case INVREQ_RECURRENCE_START_2024:
      ok = read_start (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;

    default:
      return BOLT12_FIELD_UNKNOWN;
    }

  return ok ? BOLT12_FIELD_OK : BOLT12_FIELD_ERROR;
}

/* The invoice_request reader rules that need nothing but the message (bolt12-notes.md §6,
 * §11.2); run for invoice_requests and for the invoice_request an invoice mirrors.  The rules
 * that compare against one of our offers (quantity, amount, chain) are the issuer's. */
gboolean
_bolt12_invreq_check (Bolt12Parse  *st,
                      GError      **error)
{
  const Bolt12Message *msg = st->msg;

  if (msg->invreq_metadata == NULL)
    return _bolt12_invalid (st, error, "has no invreq_metadata");
  if (!msg->has_invreq_payer_id)
    return _bolt12_invalid (st, error, "has no invreq_payer_id");
  if (st->seen_invreq_paths && msg->invreq_paths->len == 0)
    return _bolt12_invalid (st, error, "contains an empty invreq_paths");
  if (msg->has_invreq_amount && msg->invreq_amount > BOLT12_MAX_MSAT)
    return _bolt12_invalid (st, error, "asks for an amount above 21 million bitcoin");

  /* Offer-less ("send money": neither offer_issuer_id nor offer_paths), bolt12-notes.md §6
   * reader rule 9.  offer_amount and offer_currency are display only there. */
  if (!msg->has_offer_issuer_id && !st->seen_offer_paths)
    {
      if (msg->offer_chains != NULL)
        return _bolt12_invalid (st, error,
                                "without an offer contains offer_chains (use invreq_chain)");
      if (msg->offer_features != NULL)
        return _bolt12_invalid (st, error, "without an offer contains offer_features");
      if (msg->has_offer_quantity_max)
        return _bolt12_invalid (st, error, "without an offer contains offer_quantity_max");
      if (!msg->has_invreq_amount)
        return _bolt12_invalid (st, error, "without an offer has no invreq_amount");
    }

  if ((msg->has_invreq_recurrence_counter || msg->has_invreq_recurrence_start
       || msg->invreq_recurrence_cancel)
      && !msg->recurrence.present)
    return _bolt12_invalid (st, error,
                            "contains recurrence fields but the offer has no recurrence");
  if (msg->invreq_recurrence_cancel
      && (!msg->has_invreq_recurrence_counter || msg->invreq_recurrence_counter == 0))
    return _bolt12_invalid (st, error,
                            "cancels a recurrence without a recurrence counter above 0");

  return TRUE;
}

/* An invoice_request answering an offer (offer_issuer_id or offer_paths) must be signed; an
 * offer-less one may be unsigned (Core Lightning signs them, LDK's refunds are not).  A present
 * signature must verify against invreq_payer_id. */
gboolean
_bolt12_invreq_check_signature (Bolt12Parse  *st,
                                GError      **error)
{
  Bolt12Message *msg = st->msg;

  if (!msg->has_signature)
    {
      if (msg->has_offer_issuer_id || st->seen_offer_paths)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                               "Invoice request answers an offer but is not signed");
          return FALSE;
        }
      return TRUE;
    }

  return _bolt12_verify_signature (st, "invoice_request", msg->invreq_payer_id,
                                   "Invoice request signature does not verify against "
                                   "invreq_payer_id", error);
}

gboolean
_bolt12_invreq_write (const Bolt12Message  *msg,
                      Bolt12TlvBuilder     *b,
                      GError              **error)
{
  if (msg->invreq_metadata != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_INVREQ_METADATA, msg->invreq_metadata);
  if (msg->has_invreq_chain)
    bolt12_tlv_builder_add (b, BOLT12_TLV_INVREQ_CHAIN, msg->invreq_chain, 32);
  if (msg->has_invreq_amount)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVREQ_AMOUNT, msg->invreq_amount);
  if (msg->invreq_features != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_INVREQ_FEATURES, msg->invreq_features);
  if (msg->has_invreq_quantity)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVREQ_QUANTITY, msg->invreq_quantity);
  if (msg->has_invreq_payer_id)
    bolt12_tlv_builder_add (b, BOLT12_TLV_INVREQ_PAYER_ID, msg->invreq_payer_id, 33);
  if (msg->invreq_payer_note != NULL)
    _bolt12_builder_add_string (b, BOLT12_TLV_INVREQ_PAYER_NOTE, msg->invreq_payer_note);
  if (!_bolt12_builder_add_paths (b, BOLT12_TLV_INVREQ_PATHS, msg->invreq_paths,
                                  "invreq_paths", error))
    return FALSE;
  if (msg->invreq_bip_353_name != NULL || msg->invreq_bip_353_domain != NULL)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();
      gsize name_len, domain_len;

      if (msg->invreq_bip_353_name == NULL || msg->invreq_bip_353_domain == NULL)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                               "invreq_bip_353_name needs both a name and a domain");
          return FALSE;
        }
      name_len = strlen (msg->invreq_bip_353_name);
      domain_len = strlen (msg->invreq_bip_353_domain);
      if (name_len > 255 || domain_len > 255)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                               "invreq_bip_353_name: the name and the domain are limited to "
                               "255 bytes each");
          return FALSE;
        }
      bolt12_be_append (buf, name_len, 1);
      g_byte_array_append (buf, (const guint8 *) msg->invreq_bip_353_name, name_len);
      bolt12_be_append (buf, domain_len, 1);
      g_byte_array_append (buf, (const guint8 *) msg->invreq_bip_353_domain, domain_len);
      _bolt12_builder_add_array (b, BOLT12_TLV_INVREQ_BIP_353_NAME, buf);
    }
  if (msg->has_invreq_recurrence_counter)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVREQ_RECURRENCE_COUNTER,
                               msg->invreq_recurrence_counter);
  if (msg->has_invreq_recurrence_start)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVREQ_RECURRENCE_START,
                               msg->invreq_recurrence_start);
  if (msg->invreq_recurrence_cancel)
    bolt12_tlv_builder_add (b, BOLT12_TLV_INVREQ_RECURRENCE_CANCEL,
                            (const guint8 *) "", 0);

  return TRUE;
}
