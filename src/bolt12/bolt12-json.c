/* bolt12-json.c: decode to JSON in Core Lightning's `decode` field names and shapes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Field names, nesting and emission rules follow Core Lightning's `decode` (plugins/offers.c and
 * doc/schemas/decode.json; cln-notes.md §1.10, cln-examples/SOURCE.md).  Our additions, which
 * Core Lightning does not print: "expired" (separate from "valid"), and in offer_recurrence
 * "numbering" + "start_any_period" for the two older recurrence numberings.
 *
 * Numbers are JSON integers.  JSON-GLib holds integers as gint64, so a u64 above G_MAXINT64
 * (possible for offer_quantity_max, offer_amount with a currency, expiry and time fields,
 * invreq_quantity, htlc_maximum_msat …) is written as a decimal JSON string instead of wrapping
 * to a negative number.  msat amounts never reach that range (21e6 BTC < 2^63 msat).
 */

#include "config.h"

#include "bolt12-json.h"

#include "bolt12.h"

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';

  return out;
}

static void
add_hex (JsonBuilder  *builder,
         const char   *name,
         const guint8 *data,
         gsize         len)
{
  g_autofree char *hex = hex_encode (data, len);

  if (name != NULL)
    json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, hex);
}

static void
add_bytes (JsonBuilder *builder,
           const char  *name,
           GBytes      *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  add_hex (builder, name, data, len);
}

/* A u64 as a JSON integer, or as a decimal string when JSON-GLib's gint64 cannot hold it. */
static void
add_u64 (JsonBuilder *builder,
         const char  *name,
         guint64      value)
{
  json_builder_set_member_name (builder, name);
  if (value <= (guint64) G_MAXINT64)
    {
      json_builder_add_int_value (builder, (gint64) value);
    }
  else
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
      json_builder_add_string_value (builder, text);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* Core Lightning's short_channel_id text: block x txindex x output. */
static char *
scid_to_string (guint64 scid)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT,
                          scid >> 40, (scid >> 16) & 0xffffff, scid & 0xffff);
}

static void
add_payinfo (JsonBuilder         *builder,
             const Bolt12Payinfo *payinfo)
{
  json_builder_set_member_name (builder, "payinfo");
  json_builder_begin_object (builder);
  add_u64 (builder, "fee_base_msat", payinfo->fee_base_msat);
  add_u64 (builder, "fee_proportional_millionths", payinfo->fee_proportional_millionths);
  add_u64 (builder, "cltv_expiry_delta", payinfo->cltv_expiry_delta);
  add_u64 (builder, "htlc_minimum_msat", payinfo->htlc_minimum_msat);
  add_u64 (builder, "htlc_maximum_msat", payinfo->htlc_maximum_msat);
  add_bytes (builder, "features", payinfo->features);
  json_builder_end_object (builder);
}

/* offer_paths / invreq_paths / invoice_paths.  payinfos (invoice only) pairs with paths by
 * index.  Returns FALSE (and adds Core Lightning's warning) when the message breaks a path rule;
 * a parsed message never does. */
static gboolean
add_paths (JsonBuilder *builder,
           const char  *name,
           GPtrArray   *paths,
           GPtrArray   *payinfos)
{
  gboolean valid = TRUE;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < paths->len; i++)
    {
      const Bolt12BlindedPath *path = g_ptr_array_index (paths, i);

      json_builder_begin_object (builder);
      if (path->first_is_scid)
        {
          g_autofree char *scid = scid_to_string (path->first_scid);

          add_string (builder, "first_scid", scid);
          add_u64 (builder, "first_scid_dir", path->first_scid_dir);
        }
      else
        {
          add_hex (builder, "first_node_id", path->first_node_id, sizeof path->first_node_id);
        }
      add_hex (builder, "first_path_key", path->first_path_key, sizeof path->first_path_key);
      if (payinfos != NULL && i < payinfos->len)
        add_payinfo (builder, g_ptr_array_index (payinfos, i));

      json_builder_set_member_name (builder, "path");
      json_builder_begin_array (builder);
      for (guint j = 0; path->hops != NULL && j < path->hops->len; j++)
        {
          const Bolt12BlindedHop *hop = g_ptr_array_index (path->hops, j);

          json_builder_begin_object (builder);
          add_hex (builder, "blinded_node_id", hop->blinded_node_id,
                   sizeof hop->blinded_node_id);
          add_bytes (builder, "encrypted_recipient_data", hop->encrypted_recipient_data);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (payinfos != NULL && payinfos->len != paths->len)
    {
      g_autofree char *text = g_strdup_printf ("invoice has %u blinded_payinfo but %u paths",
                                               payinfos->len, paths->len);

      add_string (builder, "warning_invalid_invoice_blindedpay", text);
      valid = FALSE;
    }
  for (guint i = 0; valid && i < paths->len; i++)
    {
      const Bolt12BlindedPath *path = g_ptr_array_index (paths, i);

      if (path->hops == NULL || path->hops->len == 0)
        {
          g_autofree char *text = g_strdup_printf ("blinded path %u has 0 hops", i);

          add_string (builder, "warning_empty_blinded_path", text);
          valid = FALSE;
        }
    }

  return valid;
}

static void
add_recurrence (JsonBuilder            *builder,
                const Bolt12Recurrence *rec)
{
  const char *unit_name = bolt12_time_unit_name (rec->time_unit);

  json_builder_set_member_name (builder, "offer_recurrence");
  json_builder_begin_object (builder);
  add_bool (builder, "compulsory_field", rec->compulsory);
  add_u64 (builder, "time_unit", rec->time_unit);
  if (unit_name != NULL)
    add_string (builder, "time_unit_name", unit_name);
  add_u64 (builder, "period", rec->period);
  if (rec->has_base)
    {
      add_u64 (builder, "basetime", rec->basetime);
      if (rec->start_any_period)
        add_bool (builder, "start_any_period", TRUE);
    }
  /* Current layout: the flag lives in recurrence_base, and Core Lightning prints it here. */
  if (rec->proportional_amount)
    add_bool (builder, "proportional_amount", TRUE);
  if (rec->has_limit)
    add_u64 (builder, "limit", rec->limit);
  if (rec->has_paywindow)
    {
      json_builder_set_member_name (builder, "paywindow");
      json_builder_begin_object (builder);
      add_u64 (builder, "seconds_before", rec->seconds_before);
      add_u64 (builder, "seconds_after", rec->seconds_after);
      /* Old layouts: the flag lived in the paywindow. */
      if (rec->paywindow_proportional)
        add_bool (builder, "proportional_amount", TRUE);
      json_builder_end_object (builder);
    }
  switch (rec->numbering)
    {
    case BOLT12_RECURRENCE_CLN_2024:
      add_string (builder, "numbering", "cln-2024");
      break;
    case BOLT12_RECURRENCE_CLN_2022:
      add_string (builder, "numbering", "cln-2022");
      break;
    case BOLT12_RECURRENCE_CLN_CURRENT:
    default:
      break;
    }
  json_builder_end_object (builder);
}

/* The offer fields, present in all three messages (json_add_offer_fields). */
static gboolean
add_offer_fields (JsonBuilder         *builder,
                  const Bolt12Message *msg)
{
  gboolean valid = TRUE;

  if (msg->offer_chains != NULL)
    {
      gsize len = 0;
      const guint8 *chains = g_bytes_get_data (msg->offer_chains, &len);

      json_builder_set_member_name (builder, "offer_chains");
      json_builder_begin_array (builder);
      for (gsize off = 0; off + 32 <= len; off += 32)
        add_hex (builder, NULL, chains + off, 32);
      json_builder_end_array (builder);
    }
  if (msg->offer_metadata != NULL)
    add_bytes (builder, "offer_metadata", msg->offer_metadata);

  if (msg->offer_currency != NULL)
    {
      const Bolt12Currency *currency = bolt12_currency_lookup (msg->offer_currency);

      add_string (builder, "offer_currency", msg->offer_currency);
      if (msg->has_offer_amount)
        add_u64 (builder, "offer_amount", msg->offer_amount);
      if (currency != NULL)
        add_u64 (builder, "currency_minor_unit", currency->exponent);
      else
        add_string (builder, "warning_unknown_offer_currency", "unknown currency code");
    }
  else if (msg->has_offer_amount)
    {
      add_u64 (builder, "offer_amount_msat", msg->offer_amount);
    }

  if (msg->offer_description != NULL)
    {
      add_string (builder, "offer_description", msg->offer_description);
    }
  else if (msg->has_offer_amount)
    {
      add_string (builder, "warning_missing_offer_description",
                  "description is required if offer_amount is set "
                  "(for the user to know what it was they paid for)");
      valid = FALSE;
    }

  if (msg->offer_issuer != NULL)
    add_string (builder, "offer_issuer", msg->offer_issuer);
  if (msg->offer_features != NULL)
    add_bytes (builder, "offer_features", msg->offer_features);
  if (msg->has_offer_absolute_expiry)
    add_u64 (builder, "offer_absolute_expiry", msg->offer_absolute_expiry);
  if (msg->offer_paths != NULL)
    valid &= add_paths (builder, "offer_paths", msg->offer_paths, NULL);
  if (msg->has_offer_quantity_max)
    add_u64 (builder, "offer_quantity_max", msg->offer_quantity_max);
  if (msg->recurrence.present)
    add_recurrence (builder, &msg->recurrence);
  if (msg->has_offer_issuer_id)
    add_hex (builder, "offer_issuer_id", msg->offer_issuer_id, sizeof msg->offer_issuer_id);

  return valid;
}

/* The invoice_request fields, present in invoice requests and invoices
 * (json_add_invreq_fields). */
static gboolean
add_invreq_fields (JsonBuilder         *builder,
                   const Bolt12Message *msg)
{
  gboolean valid = TRUE;

  if (msg->invreq_metadata != NULL)
    {
      add_bytes (builder, "invreq_metadata", msg->invreq_metadata);
    }
  else
    {
      add_string (builder, "warning_missing_invreq_metadata", "invreq_metadata required");
      valid = FALSE;
    }
  if (msg->has_invreq_payer_id)
    add_hex (builder, "invreq_payer_id", msg->invreq_payer_id, sizeof msg->invreq_payer_id);
  if (msg->has_invreq_chain)
    add_hex (builder, "invreq_chain", msg->invreq_chain, sizeof msg->invreq_chain);
  if (msg->has_invreq_amount)
    add_u64 (builder, "invreq_amount_msat", msg->invreq_amount);
  if (msg->invreq_features != NULL)
    add_bytes (builder, "invreq_features", msg->invreq_features);
  if (msg->has_invreq_quantity)
    add_u64 (builder, "invreq_quantity", msg->invreq_quantity);
  if (msg->invreq_payer_note != NULL)
    add_string (builder, "invreq_payer_note", msg->invreq_payer_note);
  if (msg->invreq_paths != NULL)
    valid &= add_paths (builder, "invreq_paths", msg->invreq_paths, NULL);
  if (msg->invreq_bip_353_name != NULL || msg->invreq_bip_353_domain != NULL)
    {
      json_builder_set_member_name (builder, "invreq_bip_353_name");
      json_builder_begin_object (builder);
      if (msg->invreq_bip_353_name != NULL)
        add_string (builder, "name", msg->invreq_bip_353_name);
      if (msg->invreq_bip_353_domain != NULL)
        add_string (builder, "domain", msg->invreq_bip_353_domain);
      json_builder_end_object (builder);
    }
  if (msg->has_invreq_recurrence_counter)
    add_u64 (builder, "invreq_recurrence_counter", msg->invreq_recurrence_counter);
  if (msg->has_invreq_recurrence_start)
    add_u64 (builder, "invreq_recurrence_start", msg->invreq_recurrence_start);

  return valid;
}

static void
add_unknown_records (JsonBuilder         *builder,
                     const char          *name,
                     const Bolt12Message *msg)
{
  if (msg->unknown_records == NULL || msg->unknown_records->len == 0)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < msg->unknown_records->len; i++)
    {
      const Bolt12Record *record = &g_array_index (msg->unknown_records, Bolt12Record, i);

      json_builder_begin_object (builder);
      add_u64 (builder, "type", record->type);
      add_u64 (builder, "length", record->length);
      add_hex (builder, "value", record->value, record->length);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
add_signature (JsonBuilder         *builder,
               const Bolt12Message *msg,
               const char          *what)
{
  g_autofree char *missing = g_strdup_printf ("warning_missing_%s_signature", what);
  g_autofree char *invalid = g_strdup_printf ("warning_invalid_%s_signature", what);

  if (msg->has_signature && msg->signature_checked)
    {
      add_hex (builder, "signature", msg->signature, sizeof msg->signature);
      return TRUE;
    }
  if (msg->has_signature)
    add_string (builder, invalid, "Bad signature");
  else
    add_string (builder, missing, "Missing signature");

  return FALSE;
}

static void
add_offer (JsonBuilder         *builder,
           const Bolt12Message *msg,
           gboolean            *valid)
{
  add_hex (builder, "offer_id", msg->offer_id, sizeof msg->offer_id);
  *valid &= add_offer_fields (builder, msg);
  if (!msg->has_offer_issuer_id && msg->offer_paths == NULL)
    {
      add_string (builder, "warning_missing_offer_issuer_id",
                  "offers without an issuer_id or paths are invalid");
      *valid = FALSE;
    }
  add_unknown_records (builder, "unknown_offer_tlvs", msg);
}

/* Core Lightning prints offer_id for an invoice_request or invoice only when it answers an
 * offer, i.e. carries offer_issuer_id or offer_paths. */
static void
add_offer_id_if_offer (JsonBuilder         *builder,
                       const Bolt12Message *msg)
{
  if (msg->has_offer_issuer_id || msg->offer_paths != NULL)
    add_hex (builder, "offer_id", msg->offer_id, sizeof msg->offer_id);
}

static void
add_invoice_request (JsonBuilder         *builder,
                     const Bolt12Message *msg,
                     gboolean            *valid)
{
  add_offer_id_if_offer (builder, msg);
  *valid &= add_offer_fields (builder, msg);
  *valid &= add_invreq_fields (builder, msg);
  if (msg->invreq_recurrence_cancel)
    add_bool (builder, "invreq_recurrence_cancel", TRUE);
  if (!msg->has_invreq_payer_id)
    {
      add_string (builder, "warning_missing_invreq_payer_id", "invreq_payer_id required");
      *valid = FALSE;
    }
  *valid &= add_signature (builder, msg, "invoice_request");
  add_unknown_records (builder, "unknown_invoice_request_tlvs", msg);
}

static void
add_invoice (JsonBuilder         *builder,
             const Bolt12Message *msg,
             gboolean            *valid)
{
  add_offer_id_if_offer (builder, msg);
  *valid &= add_offer_fields (builder, msg);
  *valid &= add_invreq_fields (builder, msg);

  if (msg->invoice_paths != NULL)
    {
      if (msg->invoice_blindedpay == NULL)
        {
          add_string (builder, "warning_missing_invoice_blindedpay",
                      "invoices with paths without blindedpay are invalid");
          *valid = FALSE;
        }
      *valid &= add_paths (builder, "invoice_paths", msg->invoice_paths,
                           msg->invoice_blindedpay);
    }
  else
    {
      add_string (builder, "warning_missing_invoice_paths",
                  "invoices without a invoice_paths are invalid");
      *valid = FALSE;
    }

  if (msg->has_invoice_created_at)
    {
      add_u64 (builder, "invoice_created_at", msg->invoice_created_at);
    }
  else
    {
      add_string (builder, "warning_missing_invoice_created_at",
                  "invoices without created_at are invalid");
      *valid = FALSE;
    }

  /* Always printed: the default applies when the field is absent. */
  add_u64 (builder, "invoice_relative_expiry",
           msg->has_invoice_relative_expiry ? msg->invoice_relative_expiry
                                            : BOLT12_DEFAULT_RELATIVE_EXPIRY);

  if (msg->has_invoice_payment_hash)
    {
      add_hex (builder, "invoice_payment_hash", msg->invoice_payment_hash,
               sizeof msg->invoice_payment_hash);
    }
  else
    {
      add_string (builder, "warning_missing_invoice_payment_hash",
                  "invoices without a payment_hash are invalid");
      *valid = FALSE;
    }

  if (msg->has_invoice_amount)
    {
      add_u64 (builder, "invoice_amount_msat", msg->invoice_amount);
    }
  else
    {
      add_string (builder, "warning_missing_invoice_amount",
                  "invoices without an amount are invalid");
      *valid = FALSE;
    }

  if (msg->invoice_fallbacks != NULL)
    {
      json_builder_set_member_name (builder, "invoice_fallbacks");
      json_builder_begin_array (builder);
      for (guint i = 0; i < msg->invoice_fallbacks->len; i++)
        {
          const Bolt12Fallback *fallback = g_ptr_array_index (msg->invoice_fallbacks, i);

          json_builder_begin_object (builder);
          add_u64 (builder, "version", fallback->version);
          add_bytes (builder, "hex", fallback->address);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  if (msg->invoice_features != NULL)
    add_bytes (builder, "invoice_features", msg->invoice_features);

  if (msg->has_invoice_node_id)
    {
      add_hex (builder, "invoice_node_id", msg->invoice_node_id, sizeof msg->invoice_node_id);
    }
  else
    {
      add_string (builder, "warning_missing_invoice_node_id",
                  "invoices without an invoice_node_id are invalid");
      *valid = FALSE;
    }

  if (msg->has_invoice_recurrence_basetime)
    {
      add_u64 (builder, "invoice_recurrence_basetime", msg->invoice_recurrence_basetime);
    }
  else if (msg->recurrence.present)
    {
      add_string (builder, "warning_missing_invoice_recurrence_basetime",
                  "recurring invoices without a recurrence_basetime are invalid");
      *valid = FALSE;
    }

  *valid &= add_signature (builder, msg, "invoice");
  add_unknown_records (builder, "unknown_invoice_tlvs", msg);
}

JsonNode *
bolt12_message_to_json (const Bolt12Message *msg,
                        guint64              now)
{
  g_autoptr(JsonBuilder) builder = NULL;
  gboolean valid = TRUE;

  g_return_val_if_fail (msg != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  switch (msg->kind)
    {
    case BOLT12_KIND_OFFER:
      add_string (builder, "type", "bolt12 offer");
      add_offer (builder, msg, &valid);
      break;

    case BOLT12_KIND_INVOICE_REQUEST:
      add_string (builder, "type", "bolt12 invoice_request");
      add_invoice_request (builder, msg, &valid);
      break;

    case BOLT12_KIND_INVOICE:
      add_string (builder, "type", "bolt12 invoice");
      add_invoice (builder, msg, &valid);
      break;

    default:
      g_return_val_if_reached (NULL);
    }

  /* Ours, not Core Lightning's: expiry is a fact about now, reported apart from validity. */
  if (bolt12_message_is_expired (msg, now))
    add_bool (builder, "expired", TRUE);
  add_bool (builder, "valid", valid);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
bolt12_decode_json (const char  *text,
                    guint64      now,
                    GError     **error)
{
  g_autofree char *bolt12 = NULL;
  g_autoptr(Bolt12Message) msg = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bolt12 = bolt12_uri_extract (text, error);
  if (bolt12 == NULL)
    return NULL;

  msg = bolt12_message_decode (bolt12, error);
  if (msg == NULL)
    return NULL;

  return bolt12_message_to_json (msg, now);
}
