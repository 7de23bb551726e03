/* bolt12-offer.c: the offer fields (1..79, 1000000000..1999999999): reading, rules, writing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These fields appear in every kind: an invoice_request mirrors the offer, an invoice mirrors
 * the invoice_request.  Recurrence is decoded in three numberings (bolt12-notes.md §11.3,
 * cln-notes.md §4) and written only in Core Lightning's current one:
 *
 *   field        CLN current   CLN 2024     CLN 2022
 *   recurrence   1000000024/25 1212121212   26
 *   paywindow    1000000027    1212121214   28   (old layout: u32 before, byte proportional,
 *                                                  tu32 after)
 *   limit        1000000029    1212121216   30
 *   base         1000000026    1212121218   32   (old layout: byte start_any_period, tu64)
 *
 * lightning/bolts PR #1240 puts recurrence at 24/25/26/27/29 inside the offer range.  Those
 * numbers are NOT decoded: 26 is CLN 2022's recurrence, so a reader cannot serve both.  Under
 * this reader 24 is an unknown even field (invalid) and 25/27/29 unknown odd fields (kept, as a
 * wallet without recurrence support would).  A message with 26 and any of 25/27/29 can only be a
 * PR #1240 message misread as CLN 2022, so it is refused as a mix of numberings.
 */

#include "config.h"

#include <string.h>

#include "bolt12-message.h"
#include "bolt12-private.h"

#define OFFER_RECURRENCE_2022         26
#define OFFER_RECURRENCE_PAYWINDOW_2022 28
#define OFFER_RECURRENCE_LIMIT_2022   30
#define OFFER_RECURRENCE_BASE_2022    32
#define OFFER_RECURRENCE_2024           G_GUINT64_CONSTANT (1212121212)
#define OFFER_RECURRENCE_PAYWINDOW_2024 G_GUINT64_CONSTANT (1212121214)
#define OFFER_RECURRENCE_LIMIT_2024     G_GUINT64_CONSTANT (1212121216)
#define OFFER_RECURRENCE_BASE_2024      G_GUINT64_CONSTANT (1212121218)

static gboolean
read_flag (Bolt12Parse  *st,
           guint8        byte,
           const char   *name,
           gboolean     *out,
           GError      **error)
{
  if (byte > 1)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "a flag byte must be 0 or 1", error);
  *out = byte == 1;
  return TRUE;
}

/* recurrence = byte time_unit, tu32 period (every numbering). */
static gboolean
read_recurrence (Bolt12Parse                *st,
                 const Bolt12Record         *rec,
                 Bolt12RecurrenceNumbering   numbering,
                 gboolean                    compulsory,
                 GError                    **error)
{
  Bolt12Recurrence *r = &st->msg->recurrence;
  const char *name = compulsory ? "offer_recurrence" : "offer_recurrence_optional";
  guint max_unit = numbering == BOLT12_RECURRENCE_CLN_CURRENT
                     ? BOLT12_TIME_UNIT_MONTHS : BOLT12_TIME_UNIT_YEARS;
  guint64 period;

  if (!_bolt12_note_numbering (st, numbering, rec, error))
    return FALSE;
  if (rec->length < 1)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "no time unit", error);
  if (!bolt12_tu_read (rec->value + 1, rec->length - 1, 4, &period))
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                "the period is not a minimal truncated 32-bit integer", error);
  if (rec->value[0] > max_unit)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                   "%s contains invalid recurrence time unit %u",
                   _bolt12_kind_label (st->msg->kind), rec->value[0]);
      return FALSE;
    }

  if (compulsory)
    st->seen_recurrence_compulsory = TRUE;
  else
    st->seen_recurrence_optional = TRUE;
  r->present = TRUE;
  r->numbering = numbering;
  r->compulsory = compulsory;
  r->time_unit = rec->value[0];
  r->period = (guint32) period;

  return TRUE;
}

/* current: byte proportional_amount, tu64 basetime; old: byte start_any_period, tu64 basetime */
static gboolean
read_base (Bolt12Parse                *st,
           const Bolt12Record         *rec,
           Bolt12RecurrenceNumbering   numbering,
           GError                    **error)
{
  Bolt12Recurrence *r = &st->msg->recurrence;
  const char *name = "offer_recurrence_base";
  gboolean flag = FALSE;

  if (!_bolt12_note_numbering (st, numbering, rec, error))
    return FALSE;
  if (rec->length < 1)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "empty", error);
  if (!read_flag (st, rec->value[0], name, &flag, error))
    return FALSE;
  if (!bolt12_tu_read (rec->value + 1, rec->length - 1, 8, &r->basetime))
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                "the basetime is not a minimal truncated 64-bit integer", error);

  r->has_base = TRUE;
  if (numbering == BOLT12_RECURRENCE_CLN_CURRENT)
    r->proportional_amount = flag;
  else
    r->start_any_period = flag;

  return TRUE;
}

/* current: u32 seconds_before, tu32 seconds_after;
 * old: u32 seconds_before, byte proportional_amount, tu32 seconds_after */
static gboolean
read_paywindow (Bolt12Parse                *st,
                const Bolt12Record         *rec,
                Bolt12RecurrenceNumbering   numbering,
                GError                    **error)
{
  Bolt12Recurrence *r = &st->msg->recurrence;
  const char *name = "offer_recurrence_paywindow";
  gsize fixed = numbering == BOLT12_RECURRENCE_CLN_CURRENT ? 4 : 5;
  guint64 after;

  if (!_bolt12_note_numbering (st, numbering, rec, error))
    return FALSE;
  if (rec->length < fixed)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "truncated", error);
  if (fixed == 5 && !read_flag (st, rec->value[4], name, &r->paywindow_proportional, error))
    return FALSE;
  if (!bolt12_tu_read (rec->value + fixed, rec->length - fixed, 4, &after))
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                "seconds_after is not a minimal truncated 32-bit integer", error);

  r->has_paywindow = TRUE;
  r->seconds_before = _bolt12_be32 (rec->value);
  r->seconds_after = (guint32) after;

  return TRUE;
}

static gboolean
read_limit (Bolt12Parse                *st,
            const Bolt12Record         *rec,
            Bolt12RecurrenceNumbering   numbering,
            GError                    **error)
{
  Bolt12Recurrence *r = &st->msg->recurrence;
  guint64 limit;

  if (!_bolt12_read_numbered_tu (st, rec, numbering, 4, "offer_recurrence_limit", &limit,
                                 error))
    return FALSE;

  r->has_limit = TRUE;
  r->limit = (guint32) limit;

  return TRUE;
}

static gboolean
read_chains (Bolt12Parse        *st,
             const Bolt12Record *rec,
             GError            **error)
{
  if (rec->length % 32 != 0)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                   "%s contains an invalid offer_chains: %" G_GSIZE_FORMAT
                   " bytes is not a whole number of 32-byte chain hashes",
                   _bolt12_kind_label (st->msg->kind), rec->length);
      return FALSE;
    }
  st->msg->offer_chains = _bolt12_parse_slice (st, rec->value, rec->length);

  return TRUE;
}

static gboolean
read_currency (Bolt12Parse        *st,
               const Bolt12Record *rec,
               GError            **error)
{
  if (!_bolt12_read_utf8 (st, rec, "offer_currency", &st->msg->offer_currency, error))
    return FALSE;
  if (rec->length != 3)
    {
      g_clear_pointer (&st->msg->offer_currency, g_free);
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                   "%s contains an invalid offer_currency: an ISO 4217 code is 3 letters, "
                   "not %" G_GSIZE_FORMAT " bytes",
                   _bolt12_kind_label (st->msg->kind), rec->length);
      return FALSE;
    }

  return TRUE;
}

Bolt12FieldResult
_bolt12_offer_read_field (Bolt12Parse        *st,
                          const Bolt12Record *rec,
                          GError            **error)
{
  Bolt12Message *msg = st->msg;
  gboolean ok;

  switch (rec->type)
    {
    case BOLT12_TLV_OFFER_CHAINS:
      ok = read_chains (st, rec, error);
      break;
    case BOLT12_TLV_OFFER_METADATA:
      msg->offer_metadata = _bolt12_parse_slice (st, rec->value, rec->length);
      ok = TRUE;
      break;
    case BOLT12_TLV_OFFER_CURRENCY:
      ok = read_currency (st, rec, error);
      break;
    case BOLT12_TLV_OFFER_AMOUNT:
      ok = msg->has_offer_amount =
        _bolt12_read_tu (st, rec, 8, "offer_amount", &msg->offer_amount, error);
      break;
    case BOLT12_TLV_OFFER_DESCRIPTION:
      ok = _bolt12_read_utf8 (st, rec, "offer_description", &msg->offer_description, error);
      break;
    case BOLT12_TLV_OFFER_FEATURES:
      /* No offer feature is defined: any even bit is unknown. */
      ok = _bolt12_read_features (st, rec, "offer_features", NULL, 0,
                                  &msg->offer_features, error);
      break;
    case BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY:
      ok = msg->has_offer_absolute_expiry =
        _bolt12_read_tu (st, rec, 8, "offer_absolute_expiry", &msg->offer_absolute_expiry,
                         error);
      break;
    case BOLT12_TLV_OFFER_PATHS:
      st->seen_offer_paths = TRUE;
      ok = _bolt12_read_paths (st, rec, "offer_paths", &msg->offer_paths, error);
      break;
    case BOLT12_TLV_OFFER_ISSUER:
      ok = _bolt12_read_utf8 (st, rec, "offer_issuer", &msg->offer_issuer, error);
      break;
    case BOLT12_TLV_OFFER_QUANTITY_MAX:
      ok = msg->has_offer_quantity_max =
        _bolt12_read_tu (st, rec, 8, "offer_quantity_max", &msg->offer_quantity_max, error);
      break;
    case BOLT12_TLV_OFFER_ISSUER_ID:
      ok = msg->has_offer_issuer_id =
        _bolt12_read_point (st, rec, "offer_issuer_id", msg->offer_issuer_id, error);
      break;

    /* PR #1240's in-range numbers: not decoded (see the top of this file). */
    case 25:
    case 27:
    case 29:
      st->seen_pr1240_odd = TRUE;
      return BOLT12_FIELD_UNKNOWN;

    case BOLT12_TLV_OFFER_RECURRENCE_COMPULSORY:
      ok = read_recurrence (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, TRUE, error);
      break;
    case BOLT12_TLV_OFFER_RECURRENCE_OPTIONAL:
      ok = read_recurrence (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, FALSE, error);
      break;
    case BOLT12_TLV_OFFER_RECURRENCE_BASE:
      ok = read_base (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;
    case BOLT12_TLV_OFFER_RECURRENCE_PAYWINDOW:
      ok = read_paywindow (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;
    case BOLT12_TLV_OFFER_RECURRENCE_LIMIT:
      ok = read_limit (st, rec, BOLT12_RECURRENCE_CLN_CURRENT, error);
      break;

    case OFFER_RECURRENCE_2024:
      ok = read_recurrence (st, rec, BOLT12_RECURRENCE_CLN_2024, TRUE, error);
      break;
    case OFFER_RECURRENCE_PAYWINDOW_2024:
      ok = read_paywindow (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;
    case OFFER_RECURRENCE_LIMIT_2024:
      ok = read_limit (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;
    case OFFER_RECURRENCE_BASE_2024:
      ok = read_base (st, rec, BOLT12_RECURRENCE_CLN_2024, error);
      break;

    case OFFER_RECURRENCE_2022:
      ok = read_recurrence (st, rec, BOLT12_RECURRENCE_CLN_2022, TRUE, error);
      break;
    case OFFER_RECURRENCE_PAYWINDOW_2022:
      ok = read_paywindow (st, rec, BOLT12_RECURRENCE_CLN_2022, error);
      break;
    case OFFER_RECURRENCE_LIMIT_2022:
      ok = read_limit (st, rec, BOLT12_RECURRENCE_CLN_2022, error);
      break;
    case OFFER_RECURRENCE_BASE_2022:
      ok = read_base (st, rec, BOLT12_RECURRENCE_CLN_2022, error);
      break;

    default:
      return BOLT12_FIELD_UNKNOWN;
    }

  return ok ? BOLT12_FIELD_OK : BOLT12_FIELD_ERROR;
}

/* The offer reader rules (bolt12-notes.md §5, §11).  They run for every kind, since the
 * invoice_request and the invoice carry the offer; only "issuer id or paths" is the offer's
 * own (an offer-less invoice_request has neither). */
gboolean
_bolt12_offer_check (Bolt12Parse  *st,
                     GError      **error)
{
  const Bolt12Message *msg = st->msg;
  const Bolt12Recurrence *r = &msg->recurrence;

  if (msg->offer_chains != NULL && g_bytes_get_size (msg->offer_chains) == 0)
    return _bolt12_invalid (st, error, "contains an empty offer_chains");

  if (msg->has_offer_amount && msg->offer_amount == 0)
    return _bolt12_invalid (st, error, "contains a zero amount");
  if (msg->has_offer_amount && msg->offer_currency == NULL
      && msg->offer_amount > BOLT12_MAX_MSAT)
    return _bolt12_invalid (st, error, "contains an amount above 21 million bitcoin");
  if (msg->has_offer_amount && msg->offer_description == NULL)
    return _bolt12_invalid (st, error, "has an amount but no description");
  if (msg->offer_currency != NULL && !msg->has_offer_amount)
    return _bolt12_invalid (st, error, "contains a currency with no amount");

  if (st->seen_offer_paths && msg->offer_paths->len == 0)
    return _bolt12_invalid (st, error, "contains an empty offer_paths");
  if (msg->kind == BOLT12_KIND_OFFER && !msg->has_offer_issuer_id && !st->seen_offer_paths)
    return _bolt12_invalid (st, error, "has neither an issuer id nor blinded paths");

  if (st->seen_recurrence_compulsory && st->seen_recurrence_optional)
    return _bolt12_invalid (st, error, "contains both a compulsory and an optional recurrence");
  if (st->seen_pr1240_odd && (st->numberings & (1u << BOLT12_RECURRENCE_CLN_2022)) != 0)
    return _bolt12_invalid (st, error,
                            "mixes recurrence numberings: Core Lightning 2022 fields with "
                            "fields 25, 27 or 29 of the recurrence proposal");
  if (!r->present && (r->has_base || r->has_paywindow || r->has_limit))
    return _bolt12_invalid (st, error,
                            "contains a recurrence base, paywindow or limit without a recurrence");
  if (r->present)
    {
      if (r->period == 0)
        return _bolt12_invalid (st, error, "contains invalid recurrence period 0");
      if (r->has_limit && r->limit == 0)
        return _bolt12_invalid (st, error, "contains invalid recurrence limit 0");
      if (!r->compulsory && r->has_base)
        return _bolt12_invalid (st, error, "contains an optional recurrence with a base");
    }

  return TRUE;
}

static gboolean
write_recurrence (const Bolt12Message  *msg,
                  Bolt12TlvBuilder     *b,
                  GError              **error)
{
  const Bolt12Recurrence *r = &msg->recurrence;

  if (!r->present && !r->has_base && !r->has_paywindow && !r->has_limit)
    return TRUE;

  /* Only the current numbering is written.  A recurrence decoded from an older numbering is
   * rewritten in it, unless it uses what only the old layouts have. */
  if (r->numbering != BOLT12_RECURRENCE_CLN_CURRENT
      && (r->time_unit > BOLT12_TIME_UNIT_MONTHS || r->start_any_period
          || r->paywindow_proportional))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                           "This recurrence uses years, start_any_period or a proportional "
                           "paywindow, which only older numberings have; it cannot be written");
      return FALSE;
    }

  if (r->present)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();

      bolt12_be_append (buf, r->time_unit, 1);
      bolt12_tu_append (buf, r->period);
      bolt12_tlv_builder_add (b, r->compulsory ? BOLT12_TLV_OFFER_RECURRENCE_COMPULSORY
                                               : BOLT12_TLV_OFFER_RECURRENCE_OPTIONAL,
                              buf->data, buf->len);
    }
  if (r->has_base)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();

      bolt12_be_append (buf, r->proportional_amount ? 1 : 0, 1);
      bolt12_tu_append (buf, r->basetime);
      bolt12_tlv_builder_add (b, BOLT12_TLV_OFFER_RECURRENCE_BASE, buf->data, buf->len);
    }
  if (r->has_paywindow)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();

      bolt12_be_append (buf, r->seconds_before, 4);
      bolt12_tu_append (buf, r->seconds_after);
      bolt12_tlv_builder_add (b, BOLT12_TLV_OFFER_RECURRENCE_PAYWINDOW, buf->data, buf->len);
    }
  if (r->has_limit)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_OFFER_RECURRENCE_LIMIT, r->limit);

  return TRUE;
}

gboolean
_bolt12_offer_write (const Bolt12Message  *msg,
                     Bolt12TlvBuilder     *b,
                     GError              **error)
{
  if (msg->offer_chains != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_OFFER_CHAINS, msg->offer_chains);
  if (msg->offer_metadata != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_OFFER_METADATA, msg->offer_metadata);
  if (msg->offer_currency != NULL)
    _bolt12_builder_add_string (b, BOLT12_TLV_OFFER_CURRENCY, msg->offer_currency);
  if (msg->has_offer_amount)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_OFFER_AMOUNT, msg->offer_amount);
  if (msg->offer_description != NULL)
    _bolt12_builder_add_string (b, BOLT12_TLV_OFFER_DESCRIPTION, msg->offer_description);
  if (msg->offer_features != NULL)
    _bolt12_builder_add_bytes (b, BOLT12_TLV_OFFER_FEATURES, msg->offer_features);
  if (msg->has_offer_absolute_expiry)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_OFFER_ABSOLUTE_EXPIRY, msg->offer_absolute_expiry);
  if (!_bolt12_builder_add_paths (b, BOLT12_TLV_OFFER_PATHS, msg->offer_paths, "offer_paths",
                                  error))
    return FALSE;
  if (msg->offer_issuer != NULL)
    _bolt12_builder_add_string (b, BOLT12_TLV_OFFER_ISSUER, msg->offer_issuer);
  if (msg->has_offer_quantity_max)
    bolt12_tlv_builder_add_tu (b, BOLT12_TLV_OFFER_QUANTITY_MAX, msg->offer_quantity_max);
  if (msg->has_offer_issuer_id)
    bolt12_tlv_builder_add (b, BOLT12_TLV_OFFER_ISSUER_ID, msg->offer_issuer_id, 33);

  return write_recurrence (msg, b, error);
}
