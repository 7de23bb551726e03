/* bolt12-invoice.c: the invoice fields (160..239, 3000000000..3999999999) and its signature
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * invoice_recurrence_basetime is decoded at 3000000177 (CLN current) and 3212121212 (CLN 2024).
 * CLN 2022's 178 is not: an invoice in that numbering would also carry its recurrence counter
 * at 90, which is invreq_paths today, so it cannot be read anyway.
 */

#include "config.h"

#include <string.h>

#include "bolt12-message.h"
#include "bolt12-private.h"

#define INVOICE_RECURRENCE_BASETIME_2024 G_GUINT64_CONSTANT (3212121212)

/* Invoice features: only basic_mpp (16 compulsory, 17 optional) is defined. */
static const guint invoice_known_features[] = { 16, 17 };

/* ...*blinded_payinfo: u32 fee_base_msat, u32 fee_proportional_millionths,
 * u16 cltv_expiry_delta, u64 htlc_minimum_msat, u64 htlc_maximum_msat, u16 flen, features */
static gboolean
read_blindedpay (Bolt12Parse        *st,
                 const Bolt12Record *rec,
                 GError            **error)
{
  g_autoptr(GPtrArray) infos =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bolt12_payinfo_free);
  const guint8 *p = rec->value;
  gsize left = rec->length;

  while (left > 0)
    {
      Bolt12Payinfo *info;
      gsize flen;

      if (left < 28)
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invoice_blindedpay",
                                    "truncated payinfo", error);
      flen = _bolt12_be16 (p + 26);
      if (left - 28 < flen)
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invoice_blindedpay",
                                    "truncated payinfo features", error);

      info = g_new0 (Bolt12Payinfo, 1);
      info->fee_base_msat = _bolt12_be32 (p);
      info->fee_proportional_millionths = _bolt12_be32 (p + 4);
      info->cltv_expiry_delta = _bolt12_be16 (p + 8);
      info->htlc_minimum_msat = _bolt12_be64 (p + 10);
      info->htlc_maximum_msat = _bolt12_be64 (p + 18);
      info->features = _bolt12_parse_slice (st, p + 28, flen);
      g_ptr_array_add (infos, info);
      p += 28 + flen;
      left -= 28 + flen;
    }

  st->seen_blindedpay = TRUE;
  st->msg->invoice_blindedpay = g_steal_pointer (&infos);

  return TRUE;
}

/* ...*fallback_address: byte version, u16 len, address */
static gboolean
read_fallbacks (Bolt12Parse        *st,
                const Bolt12Record *rec,
                GError            **error)
{
  g_autoptr(GPtrArray) fallbacks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bolt12_fallback_free);
  const guint8 *p = rec->value;
  gsize left = rec->length;

  while (left > 0)
    {
      Bolt12Fallback *fallback;
      gsize alen;

      if (left < 3)
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invoice_fallbacks",
                                    "truncated fallback address", error);
      alen = _bolt12_be16 (p + 1);
      if (left - 3 < alen)
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, "invoice_fallbacks",
                                    "truncated fallback address", error);

      fallback = g_new0 (Bolt12Fallback, 1);
      fallback->version = p[0];
      fallback->address = _bolt12_parse_slice (st, p + 3, alen);
      g_ptr_array_add (fallbacks, fallback);
      p += 3 + alen;
      left -= 3 + alen;
    }

  st->msg->invoice_fallbacks = g_steal_pointer (&fallbacks);

  return TRUE;
}

static gboolean
read_basetime (Bolt12Parse                *st,
               const Bolt12Record         *rec,
               Bolt12RecurrenceNumbering   numbering,
               GError                    **error)
{
  if (!_bolt12_read_numbered_tu (st, rec, numbering, 8, "invoice_recurrence_basetime",
                                 &st->msg->invoice_recurrence_basetime, error))
    return FALSE;
  st->msg->has_invoice_recurrence_basetime = TRUE;

  return TRUE;
}

Bolt12FieldResult
_bolt12_invoice_read_field (Bolt12Parse        *st,
                            const Bolt12Record *rec,
                            GError            **error)
{
  Bolt12Message *msg = st->msg;
  gboolean ok;
  guint64 v = 0;

  switch (rec->type)
    {
    case BOLT12_TLV_INVOICE_PATHS:
      st->seen_invoice_paths = TRUE;
      ok = _bolt12_read_paths (st, rec, "invoice_paths", &msg->invoice_paths, error);
      break;
    case BOLT12_TLV_INVOICE_BLINDEDPAY:
      ok = read_blindedpay (st, rec, error);
      break;
    case BOLT12_TLV_INVOICE_CREATED_AT:
      ok = msg->has_invoice_created_at =
        _bolt12_read_tu (st, rec, 8, "invoice_created_at", &msg->invoice_created_at, error);
      break;
    case BOLT12_TLV_INVOICE_RELATIVE_EXPIRY:
      ok = msg->has_invoice_relative_expiry =
        _bolt12_read_tu (st, rec, 4, "invoice_relative_expiry", &v, error);
      msg->invoice_relative_expiry = (guint32) v;
      break;
    case BOLT12_TLV_INVOICE_PAYMENT_HASH:
      ok = msg->has_invoice_payment_hash =
        _bolt12_read_fixed (st, rec, 32, "invoice_payment_hash", msg->invoice_payment_hash,
                            error);
      break;
    case BOLT12_TLV_INVOICE_AMOUNT:
      ok = msg->has_invoice_amount =
        _bolt12_read_tu (st, rec, 8, "invoice_amount", &msg->invoice_amount, error);
      break;
    case BOLT12_TLV_INVOICE_FALLBACKS:
      ok = read_fallbacks (st, rec, error);
      break;
    case BOLT12_TLV_INVOICE_FEATURES:
      ok = _bolt12_read_features (st, rec, "invoice_features", invoice_known_features,
                                  G_N_ELEMENTS (invoice_known_features),
                                  &msg->invoice_features, error);
      break;
    case BOLT12_TLV_INVOICE_NODE_ID:
      ok = msg->has_invoice_node_id =
        _bolt12_read_point (st, rec, "invoice_node_id", msg->invoice_node_id, error);
      break;
    case BOLT12_TLV_INVOICE_RECURRENCE_BASETIME:
      ok = read_basetime (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;
    case INVOICE_RECURRENCE_BASETIME_2024:
      ok = read_basetime (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;
    default:
      return BOLT12_FIELD_UNKNOWN;
    }

  return ok ? BOLT12_FIELD_OK : BOLT12_FIELD_ERROR;
}

/* The invoice reader rules that need nothing but the invoice (bolt12-notes.md §7); they run for
 * invoices only, so _bolt12_invalid() starts each sentence with "Invoice".  Expiry and
 * chain policy are the caller's; so is the comparison with the invoice_request we sent. */
gboolean
_bolt12_invoice_check (Bolt12Parse  *st,
                       GError      **error)
{
  const Bolt12Message *msg = st->msg;
  gboolean usable = FALSE;

  if (!msg->has_invoice_amount)
    return _bolt12_invalid (st, error, "has no invoice_amount");
  if (!msg->has_invoice_created_at)
    return _bolt12_invalid (st, error, "has no invoice_created_at");
  if (!msg->has_invoice_payment_hash)
    return _bolt12_invalid (st, error, "has no invoice_payment_hash");
  if (!msg->has_invoice_node_id)
    return _bolt12_invalid (st, error, "has no invoice_node_id");
  if (msg->invoice_amount > BOLT12_MAX_MSAT)
    return _bolt12_invalid (st, error, "amount is above 21 million bitcoin");
  if (msg->has_invreq_amount && msg->invreq_amount != msg->invoice_amount)
    return _bolt12_invalid (st, error,
                            "amount %" G_GUINT64_FORMAT " msat differs from the "
                            "requested %" G_GUINT64_FORMAT " msat",
                            msg->invoice_amount, msg->invreq_amount);

  if (!st->seen_invoice_paths || msg->invoice_paths->len == 0)
    return _bolt12_invalid (st, error, "has no invoice_paths");
  if (!st->seen_blindedpay)
    return _bolt12_invalid (st, error, "has no invoice_blindedpay");
  if (msg->invoice_blindedpay->len != msg->invoice_paths->len)
    return _bolt12_invalid (st, error,
                            "has %u invoice_blindedpay entries for %u invoice_paths",
                            msg->invoice_blindedpay->len, msg->invoice_paths->len);
  /* A path whose payinfo needs an unknown feature is unusable (no payinfo feature is defined). */
  for (guint i = 0; i < msg->invoice_blindedpay->len; i++)
    {
      const Bolt12Payinfo *info = g_ptr_array_index (msg->invoice_blindedpay, i);
      gsize flen = 0;
      const guint8 *features = g_bytes_get_data (info->features, &flen);
      guint64 bit;

      if (!_bolt12_features_unknown_even (features, flen, NULL, 0, &bit))
        usable = TRUE;
    }
  if (!usable)
    return _bolt12_invalid (st, error,
                            "has no usable blinded path: every invoice_blindedpay "
                            "requires an unknown feature");

  if (msg->invreq_recurrence_cancel)
    return _bolt12_invalid (st, error, "answers a recurrence cancellation");
  if (msg->has_invoice_recurrence_basetime && !msg->recurrence.present)
    return _bolt12_invalid (st, error,
                            "contains invoice_recurrence_basetime but the offer has "
                            "no recurrence");
  if (msg->has_invreq_recurrence_counter && !msg->has_invoice_recurrence_basetime)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                           "Recurring invoice has no invoice_recurrence_basetime");
      return FALSE;
    }

  return TRUE;
}

gboolean
_bolt12_invoice_check_signature (Bolt12Parse  *st,
                                 GError      **error)
{
  Bolt12Message *msg = st->msg;

  if (!msg->has_signature)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE, "Invoice is not signed");
      return FALSE;
    }

  return _bolt12_verify_signature (st, "invoice", msg->invoice_node_id,
                                   "Invoice signature does not verify against invoice_node_id",
                                   error);
}

static gboolean
write_blindedpay (GByteArray  *buf,
                  GPtrArray   *infos,
                  GError     **error)
{
  for (guint i = 0; i < infos->len; i++)
    {
      const Bolt12Payinfo *info = g_ptr_array_index (infos, i);
      gsize flen = 0;
      const guint8 *features = NULL;

      if (info->features != NULL)
        features = g_bytes_get_data (info->features, &flen);
      if (flen > G_MAXUINT16)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                               "invoice_blindedpay features are limited to 65535 bytes");
          return FALSE;
        }
      bolt12_be_append (buf, info->fee_base_msat, 4);
      bolt12_be_append (buf, info->fee_proportional_millionths, 4);
      bolt12_be_append (buf, info->cltv_expiry_delta, 2);
      bolt12_be_append (buf, info->htlc_minimum_msat, 8);
      bolt12_be_append (buf, info->htlc_maximum_msat, 8);
      bolt12_be_append (buf, flen, 2);
      if (flen > 0)
        g_byte_array_append (buf, features, flen);
    }

  return TRUE;
}

static gboolean
write_fallbacks (GByteArray  *buf,
                 GPtrArray   *fallbacks,
                 GError     **error)
{
  for (guint i = 0; i < fallbacks->len; i++)
    {
      const Bolt12Fallback *fallback = g_ptr_array_index (fallbacks, i);
      gsize alen = 0;
      const guint8 *address = NULL;

      if (fallback->address != NULL)
        address = g_bytes_get_data (fallback->address, &alen);
      if (alen > G_MAXUINT16)
        {
          g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                               "invoice_fallbacks addresses are limited to 65535 bytes");
          return FALSE;
        }
      bolt12_be_append (buf, fallback->version, 1);
      bolt12_be_append (buf, alen, 2);
      if (alen > 0)
        g_byte_array_append (buf, address, alen);
    }

  return TRUE;
}

gboolean
_bolt12_invoice_write (const Bolt12Message  *msg,
                       Bolt12TlvBuilder     *b,
                       GError              **error)
{
  if (!_bolt12_builder_add_paths (b, BOLT12_TLV_INVOICE_PATHS, msg->invoice_paths,
                                  "invoice_paths", error))
    return FALSE;
  if (msg->invoice_blindedpay != NULL)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();

      if (!write_blindedpay (buf, msg->invoice_blindedpay, error))
        return FALSE;
      _bolt12_builder_add_array (b, BOLT12_TLV_INVOICE_BLINDEDPAY, buf);
    }
  if (msg->has_invoice_created_at)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVOICE_CREATED_AT, msg->invoice_created_at);
  if (msg->has_invoice_relative_expiry)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVOICE_RELATIVE_EXPIRY,
                               msg->invoice_relative_expiry);
  if (msg->has_invoice_payment_hash)
    bolt12_tlv_builder_add (b, BOLT12_TLV_INVOICE_PAYMENT_HASH, msg->invoice_payment_hash, 32);
  if (msg->has_invoice_amount)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVOICE_AMOUNT, msg->invoice_amount);
  if (msg->invoice_fallbacks != NULL)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();

      if (!write_fallbacks (buf, msg->invoice_fallbacks, error))
        return FALSE;
      _bolt12_builder_add_array (b, BOLT12_TLV_INVOICE_FALLBACKS, buf);
    }
  if (msg->invoice_features != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_INVOICE_FEATURES, msg->invoice_features);
  if (msg->has_invoice_node_id)
    bolt12_tlv_builder_add (b, BOLT12_TLV_INVOICE_NODE_ID, msg->invoice_node_id, 33);
  if (msg->has_invoice_recurrence_basetime)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_INVOICE_RECURRENCE_BASETIME,
                               msg->invoice_recurrence_basetime);

  return TRUE;
}
