/* bolt12-message.c: offers, invoice requests and invoices as typed views over raw TLVs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The driver: walks a TLV stream, applies the kind's ranges and the even/odd rule, hands each
 * record to the reader of its range (bolt12-offer.c, bolt12-invreq.c, bolt12-invoice.c), runs
 * the reader rules, computes the ids and checks signatures.  Building goes the other way: the
 * typed fields are written by the same files into a Bolt12TlvBuilder.
 */

#include "config.h"

#include <string.h>

#include "bolt12-message.h"
#include "bolt12-private.h"

#define EXPERIMENTAL_OFFER_MIN   G_GUINT64_CONSTANT (1000000000)
#define EXPERIMENTAL_OFFER_MAX   G_GUINT64_CONSTANT (1999999999)
#define EXPERIMENTAL_INVREQ_MIN  G_GUINT64_CONSTANT (2000000000)
#define EXPERIMENTAL_INVREQ_MAX  G_GUINT64_CONSTANT (2999999999)
#define EXPERIMENTAL_INVOICE_MIN G_GUINT64_CONSTANT (3000000000)
#define EXPERIMENTAL_INVOICE_MAX G_GUINT64_CONSTANT (3999999999)
#define SIGNATURE_MIN            240
#define SIGNATURE_MAX            1000

/* Genesis block hashes in the byte order used on the wire (bitcoin's internal order). */
static const struct
{
  const char *name;
  guint8      hash[32];
} known_chains[] = {
  { "bitcoin",
    { 0x6f, 0xe2, 0x8c, 0x0a, 0xb6, 0xf1, 0xb3, 0x72, 0xc1, 0xa6, 0xa2, 0x46, 0xae, 0x63, 0xf7, 0x4f,
      0x93, 0x1e, 0x83, 0x65, 0xe1, 0x5a, 0x08, 0x9c, 0x68, 0xd6, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00 } },
  { "testnet",
    { 0x43, 0x49, 0x7f, 0xd7, 0xf8, 0x26, 0x95, 0x71, 0x08, 0xf4, 0xa3, 0x0f, 0xd9, 0xce, 0xc3, 0xae,
      0xba, 0x79, 0x97, 0x20, 0x84, 0xe9, 0x0e, 0xad, 0x01, 0xea, 0x33, 0x09, 0x00, 0x00, 0x00, 0x00 } },
  { "testnet4",
    { 0x43, 0xf0, 0x8b, 0xda, 0xb0, 0x50, 0xe3, 0x5b, 0x56, 0x7c, 0x86, 0x4b, 0x91, 0xf4, 0x7f, 0x50,
      0xae, 0x72, 0x5a, 0xe2, 0xde, 0x53, 0xbc, 0xfb, 0xba, 0xf2, 0x84, 0xda, 0x00, 0x00, 0x00, 0x00 } },
  { "signet",
    { 0xf6, 0x1e, 0xee, 0x3b, 0x63, 0xa3, 0x80, 0xa4, 0x77, 0xa0, 0x63, 0xaf, 0x32, 0xb2, 0xbb, 0xc9,
      0x7c, 0x9f, 0xf9, 0xf0, 0x1f, 0x2c, 0x42, 0x25, 0xe9, 0x73, 0x98, 0x81, 0x08, 0x00, 0x00, 0x00 } },
  { "regtest",
    { 0x06, 0x22, 0x6e, 0x46, 0x11, 0x1a, 0x0b, 0x59, 0xca, 0xaf, 0x12, 0x60, 0x43, 0xeb, 0x5b, 0xbf,
      0x28, 0xc3, 0x4f, 0x3a, 0x5e, 0x33, 0x2a, 0x1f, 0xc7, 0xb2, 0xb7, 0x3c, 0xf1, 0x88, 0x91, 0x0f } },
};

/* ---------------------------------------------------------------------------------------------
 * Allocation
 */

Bolt12Message *
bolt12_message_new (Bolt12Kind kind)
{
  Bolt12Message *msg = g_new0 (Bolt12Message, 1);

  msg->kind = kind;
  msg->recurrence.numbering = BOLT12_RECURRENCE_CLN_CURRENT;

  return msg;
}

static void
blinded_hop_free (gpointer data)
{
  Bolt12BlindedHop *hop = data;

  if (hop == NULL)
    return;
  g_clear_pointer (&hop->encrypted_recipient_data, g_bytes_unref);
  g_free (hop);
}

/* The message owns its arrays and their elements, whether or not the array was given a free
 * function by whoever built it: the elements are freed here either way. */
static void
free_owned_array (GPtrArray      *array,
                  GDestroyNotify  free_func)
{
  if (array == NULL)
    return;

  g_ptr_array_set_free_func (array, NULL);
  for (guint i = 0; i < array->len; i++)
    free_func (g_ptr_array_index (array, i));
  g_ptr_array_unref (array);
}

void
bolt12_blinded_path_free (Bolt12BlindedPath *path)
{
  if (path == NULL)
    return;
  free_owned_array (path->hops, blinded_hop_free);
  g_free (path);
}

void
bolt12_payinfo_free (Bolt12Payinfo *payinfo)
{
  if (payinfo == NULL)
    return;
  g_clear_pointer (&payinfo->features, g_bytes_unref);
  g_free (payinfo);
}

void
bolt12_fallback_free (Bolt12Fallback *fallback)
{
  if (fallback == NULL)
    return;
  g_clear_pointer (&fallback->address, g_bytes_unref);
  g_free (fallback);
}

void
bolt12_message_free (Bolt12Message *msg)
{
  if (msg == NULL)
    return;

  g_clear_pointer (&msg->records, g_array_unref);
  g_clear_pointer (&msg->unknown_records, g_array_unref);
  g_clear_pointer (&msg->extra_records, g_array_unref);
  g_clear_pointer (&msg->extra_storage, g_ptr_array_unref);

  g_clear_pointer (&msg->invreq_metadata, g_bytes_unref);
  g_clear_pointer (&msg->offer_chains, g_bytes_unref);
  g_clear_pointer (&msg->offer_metadata, g_bytes_unref);
  g_free (msg->offer_currency);
  g_free (msg->offer_description);
  g_clear_pointer (&msg->offer_features, g_bytes_unref);
  free_owned_array (msg->offer_paths, (GDestroyNotify) bolt12_blinded_path_free);
  g_free (msg->offer_issuer);

  g_clear_pointer (&msg->invreq_features, g_bytes_unref);
  g_free (msg->invreq_payer_note);
  free_owned_array (msg->invreq_paths, (GDestroyNotify) bolt12_blinded_path_free);
  g_free (msg->invreq_bip_353_name);
  g_free (msg->invreq_bip_353_domain);

  free_owned_array (msg->invoice_paths, (GDestroyNotify) bolt12_blinded_path_free);
  free_owned_array (msg->invoice_blindedpay, (GDestroyNotify) bolt12_payinfo_free);
  free_owned_array (msg->invoice_fallbacks, (GDestroyNotify) bolt12_fallback_free);
  g_clear_pointer (&msg->invoice_features, g_bytes_unref);

  g_clear_pointer (&msg->raw, g_bytes_unref);
  g_free (msg);
}

/* ---------------------------------------------------------------------------------------------
 * Field readers shared by the message files
 */

const char *
_bolt12_kind_label (Bolt12Kind kind)
{
  switch (kind)
    {
    case BOLT12_KIND_OFFER:
      return "Offer";
    case BOLT12_KIND_INVOICE_REQUEST:
      return "Invoice request";
    case BOLT12_KIND_INVOICE:
      return "Invoice";
    default:
      return "Message";
    }
}

GBytes *
_bolt12_parse_slice (Bolt12Parse  *st,
                     const guint8 *p,
                     gsize         len)
{
  if (len == 0)
    return g_bytes_new (NULL, 0);
  return g_bytes_new_from_bytes (st->msg->raw, p - st->base, len);
}

gboolean
_bolt12_field_error (Bolt12Parse  *st,
                     int           code,
                     const char   *name,
                     const char   *reason,
                     GError      **error)
{
  g_set_error (error, BOLT12_ERROR, code, "%s contains an invalid %s: %s",
               _bolt12_kind_label (st->msg->kind), name, reason);
  return FALSE;
}

gboolean
_bolt12_invalid (Bolt12Parse  *st,
                 GError      **error,
                 const char   *format,
                 ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "%s %s",
               _bolt12_kind_label (st->msg->kind), text);

  return FALSE;
}

static char *
dup_text (const guint8 *p,
          gsize         len)
{
  char *s = g_malloc (len + 1);

  if (len > 0)
    memcpy (s, p, len);
  s[len] = '\0';

  return s;
}

gboolean
_bolt12_read_utf8 (Bolt12Parse        *st,
                   const Bolt12Record *rec,
                   const char         *name,
                   char              **out,
                   GError            **error)
{
  if (!bolt12_utf8_valid (rec->value, rec->length))
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "not valid UTF-8", error);
  /* U+0000 is valid UTF-8 but not text.  Core Lightning's utf8_check() refuses it, and the
   * typed view is a C string: a NUL would hide the rest of the field from every reader of the
   * view (and from bolt12_message_serialize(), which would then write different bytes). */
  if (rec->length > 0 && memchr (rec->value, '\0', rec->length) != NULL)
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "it contains a NUL character",
                                error);
  *out = dup_text (rec->value, rec->length);

  return TRUE;
}

gboolean
_bolt12_read_tu (Bolt12Parse        *st,
                 const Bolt12Record *rec,
                 guint               max_bytes,
                 const char         *name,
                 guint64            *out,
                 GError            **error)
{
  if (!bolt12_tu_read (rec->value, rec->length, max_bytes, out))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                   "%s contains an invalid %s: not a minimal %u-byte truncated integer",
                   _bolt12_kind_label (st->msg->kind), name, max_bytes);
      return FALSE;
    }

  return TRUE;
}

gboolean
_bolt12_read_fixed (Bolt12Parse        *st,
                    const Bolt12Record *rec,
                    gsize               size,
                    const char         *name,
                    guint8             *out,
                    GError            **error)
{
  if (rec->length != size)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                   "%s contains an invalid %s: %" G_GSIZE_FORMAT " bytes instead of %"
                   G_GSIZE_FORMAT,
                   _bolt12_kind_label (st->msg->kind), name, rec->length, size);
      return FALSE;
    }
  memcpy (out, rec->value, size);

  return TRUE;
}

gboolean
_bolt12_read_point (Bolt12Parse        *st,
                    const Bolt12Record *rec,
                    const char         *name,
                    guint8              out[33],
                    GError            **error)
{
  if (!_bolt12_read_fixed (st, rec, 33, name, out, error))
    return FALSE;
  if (!bolt12_point_valid (out))
    return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "not a valid public key", error);

  return TRUE;
}

gboolean
_bolt12_features_unknown_even (const guint8 *bits,
                               gsize         len,
                               const guint  *known,
                               guint         n_known,
                               guint64      *bit)
{
  /* From the last byte (bits 0..7) up, so the lowest offending bit is reported. */
  for (gsize k = len; k > 0; k--)
    {
      guint8 even = bits[k - 1] & 0x55;
      guint64 base = (guint64) (len - k) * 8;

      for (guint j = 0; even != 0 && j < 8; j += 2)
        {
          gboolean is_known = FALSE;

          if ((even & (1u << j)) == 0)
            continue;
          for (guint i = 0; i < n_known; i++)
            if (known[i] == base + j)
              is_known = TRUE;
          if (!is_known)
            {
              *bit = base + j;
              return TRUE;
            }
        }
    }

  return FALSE;
}

gboolean
_bolt12_read_features (Bolt12Parse        *st,
                       const Bolt12Record *rec,
                       const char         *name,
                       const guint        *known,
                       guint               n_known,
                       GBytes            **out,
                       GError            **error)
{
  guint64 bit;

  if (_bolt12_features_unknown_even (rec->value, rec->length, known, n_known, &bit))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                   "%s requires unknown feature bit %" G_GUINT64_FORMAT " in %s",
                   _bolt12_kind_label (st->msg->kind), bit, name);
      return FALSE;
    }
  *out = _bolt12_parse_slice (st, rec->value, rec->length);

  return TRUE;
}

/* ...*blinded_path: paths packed back to back until the value ends (04-onion-routing.md). */
gboolean
_bolt12_read_paths (Bolt12Parse        *st,
                    const Bolt12Record *rec,
                    const char         *name,
                    GPtrArray         **out,
                    GError            **error)
{
  g_autoptr(GPtrArray) paths =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bolt12_blinded_path_free);
  const guint8 *p = rec->value;
  gsize left = rec->length;

  while (left > 0)
    {
      Bolt12BlindedPath *path = g_new0 (Bolt12BlindedPath, 1);
      guint n_hops;

      g_ptr_array_add (paths, path);

      /* first_node_id: sciddir_or_pubkey */
      if (p[0] == 0 || p[0] == 1)
        {
          if (left < 9)
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "truncated blinded path", error);
          path->first_is_scid = TRUE;
          path->first_scid_dir = p[0];
          path->first_scid = _bolt12_be64 (p + 1);
          p += 9;
          left -= 9;
        }
      else if (p[0] == 2 || p[0] == 3)
        {
          if (left < 33)
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "truncated blinded path", error);
          if (!bolt12_point_valid (p))
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "first_node_id is not a valid public key", error);
          memcpy (path->first_node_id, p, 33);
          p += 33;
          left -= 33;
        }
      else
        {
          return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                      "first_node_id is neither a short channel id nor a public "
                                      "key", error);
        }

      /* first_path_key, num_hops */
      if (left < 34)
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, name, "truncated blinded path", error);
      if (!bolt12_point_valid (p))
        return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                    "first_path_key is not a valid public key", error);
      memcpy (path->first_path_key, p, 33);
      n_hops = p[33];
      p += 34;
      left -= 34;
      if (n_hops == 0)
        return _bolt12_field_error (st, BOLT12_ERROR_INVALID, name,
                                    "a blinded path has no hops", error);

      path->hops = g_ptr_array_new_full (n_hops, blinded_hop_free);
      for (guint i = 0; i < n_hops; i++)
        {
          Bolt12BlindedHop *hop;
          gsize enclen;

          if (left < 35)
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "truncated blinded path hop", error);
          if (!bolt12_point_valid (p))
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "blinded_node_id is not a valid public key", error);
          enclen = _bolt12_be16 (p + 33);
          if (left - 35 < enclen)
            return _bolt12_field_error (st, BOLT12_ERROR_TLV, name,
                                        "truncated blinded path hop", error);

          hop = g_new0 (Bolt12BlindedHop, 1);
          memcpy (hop->blinded_node_id, p, 33);
          hop->encrypted_recipient_data = _bolt12_parse_slice (st, p + 35, enclen);
          g_ptr_array_add (path->hops, hop);
          p += 35 + enclen;
          left -= 35 + enclen;
        }
    }

  *out = g_steal_pointer (&paths);

  return TRUE;
}

gboolean
_bolt12_note_numbering (Bolt12Parse               *st,
                        Bolt12RecurrenceNumbering  n,
                        const Bolt12Record        *rec,
                        GError                   **error)
{
  st->numberings |= 1u << n;
  if ((st->numberings & (st->numberings - 1)) != 0)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                   "%s mixes recurrence fields of different numberings (field %"
                   G_GUINT64_FORMAT ")",
                   _bolt12_kind_label (st->msg->kind), rec->type);
      return FALSE;
    }

  return TRUE;
}

gboolean
_bolt12_read_numbered_tu (Bolt12Parse               *st,
                          const Bolt12Record        *rec,
                          Bolt12RecurrenceNumbering  n,
                          guint                      max_bytes,
                          const char                *name,
                          guint64                   *out,
                          GError                   **error)
{
  return _bolt12_note_numbering (st, n, rec, error)
         && _bolt12_read_tu (st, rec, max_bytes, name, out, error);
}

gboolean
_bolt12_verify_signature (Bolt12Parse   *st,
                          const char    *messagename,
                          const guint8   key[33],
                          const char    *failure,
                          GError       **error)
{
  Bolt12Message *msg = st->msg;

  if (!bolt12_verify (messagename, key,
                      (const Bolt12Record *) msg->records->data, msg->records->len,
                      msg->signature))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE, failure);
      return FALSE;
    }
  msg->signature_checked = TRUE;

  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * Writers shared by the message files
 */

static const guint8 empty_value[1] = { 0 };

void
_bolt12_builder_add_bytes (Bolt12TlvBuilder *b,
                           guint64           type,
                           GBytes           *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  bolt12_tlv_builder_add (b, type, len > 0 ? data : empty_value, len);
}

void
_bolt12_builder_add_string (Bolt12TlvBuilder *b,
                            guint64           type,
                            const char       *str)
{
  gsize len = strlen (str);

  bolt12_tlv_builder_add (b, type, len > 0 ? (const guint8 *) str : empty_value, len);
}

void
_bolt12_builder_add_array (Bolt12TlvBuilder *b,
                           guint64           type,
                           GByteArray       *buf)
{
  bolt12_tlv_builder_add (b, type, buf->len > 0 ? buf->data : empty_value, buf->len);
}

static gboolean
write_paths (GByteArray  *buf,
             GPtrArray   *paths,
             const char  *name,
             GError     **error)
{
  for (guint i = 0; i < paths->len; i++)
    {
      const Bolt12BlindedPath *path = g_ptr_array_index (paths, i);
      guint n_hops = path->hops != NULL ? path->hops->len : 0;

      if (n_hops > 255)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                       "A blinded path in %s has %u hops; at most 255 fit", name, n_hops);
          return FALSE;
        }
      if (path->first_is_scid)
        {
          guint8 dir = path->first_scid_dir;

          if (dir > 1)
            {
              g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                           "A blinded path in %s has a short channel id direction %u; "
                           "it must be 0 or 1", name, dir);
              return FALSE;
            }
          g_byte_array_append (buf, &dir, 1);
          bolt12_be_append (buf, path->first_scid, 8);
        }
      else
        {
          g_byte_array_append (buf, path->first_node_id, 33);
        }
      g_byte_array_append (buf, path->first_path_key, 33);
      bolt12_be_append (buf, n_hops, 1);

      for (guint j = 0; j < n_hops; j++)
        {
          const Bolt12BlindedHop *hop = g_ptr_array_index (path->hops, j);
          gsize enclen = 0;
          const guint8 *enc = NULL;

          if (hop->encrypted_recipient_data != NULL)
            enc = g_bytes_get_data (hop->encrypted_recipient_data, &enclen);
          if (enclen > G_MAXUINT16)
            {
              g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_RANGE,
                           "A blinded path hop in %s carries %" G_GSIZE_FORMAT
                           " bytes of encrypted data; at most 65535 fit", name, enclen);
              return FALSE;
            }
          g_byte_array_append (buf, hop->blinded_node_id, 33);
          bolt12_be_append (buf, enclen, 2);
          if (enclen > 0)
            g_byte_array_append (buf, enc, enclen);
        }
    }

  return TRUE;
}

gboolean
_bolt12_builder_add_paths (Bolt12TlvBuilder  *b,
                           guint64            type,
                           GPtrArray         *paths,
                           const char        *name,
                           GError           **error)
{
  g_autoptr(GByteArray) buf = NULL;

  if (paths == NULL)
    return TRUE;
  buf = g_byte_array_new ();
  if (!write_paths (buf, paths, name, error))
    return FALSE;
  _bolt12_builder_add_array (b, type, buf);

  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * Parsing
 */

static gboolean
check_range (Bolt12Kind   kind,
             guint64      type,
             GError     **error)
{
  switch (kind)
    {
    case BOLT12_KIND_OFFER:
      if ((type >= 1 && type <= 79)
          || (type >= EXPERIMENTAL_OFFER_MIN && type <= EXPERIMENTAL_OFFER_MAX))
        return TRUE;
      if (type == BOLT12_TLV_SIGNATURE)
        g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                             "Offer carries a signature (type 240): that is the pre-2022 draft "
                             "form; current offers are unsigned");
      else
        g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                     "Offer contains field %" G_GUINT64_FORMAT " outside the offer ranges "
                     "(1-79 and 1000000000-1999999999)", type);
      return FALSE;

    case BOLT12_KIND_INVOICE_REQUEST:
      if (type <= 159
          || (type >= SIGNATURE_MIN && type <= SIGNATURE_MAX)
          || (type >= EXPERIMENTAL_OFFER_MIN && type <= EXPERIMENTAL_INVREQ_MAX))
        return TRUE;
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                   "Invoice request contains field %" G_GUINT64_FORMAT " outside the "
                   "invoice_request ranges (0-159, 240-1000 and 1000000000-2999999999)", type);
      return FALSE;

    case BOLT12_KIND_INVOICE:
      /* 0..159 mirrored, 160..239 invoice, 240..1000 signature */
      if (type <= SIGNATURE_MAX
          || (type >= EXPERIMENTAL_OFFER_MIN && type <= EXPERIMENTAL_INVOICE_MAX))
        return TRUE;
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                   "Invoice contains field %" G_GUINT64_FORMAT " outside the invoice ranges "
                   "(0-1000 and 1000000000-3999999999)", type);
      return FALSE;

    default:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID, "Unknown message kind");
      return FALSE;
    }
}

static Bolt12FieldResult
read_field (Bolt12Parse        *st,
            const Bolt12Record *rec,
            GError            **error)
{
  guint64 type = rec->type;

  if (type == BOLT12_TLV_SIGNATURE)
    {
      if (!_bolt12_read_fixed (st, rec, 64, "signature", st->msg->signature, error))
        return BOLT12_FIELD_ERROR;
      st->msg->has_signature = TRUE;
      return BOLT12_FIELD_OK;
    }
  if (type > SIGNATURE_MIN && type <= SIGNATURE_MAX)
    return BOLT12_FIELD_UNKNOWN;
  if ((type >= 1 && type <= 79)
      || (type >= EXPERIMENTAL_OFFER_MIN && type <= EXPERIMENTAL_OFFER_MAX))
    return _bolt12_offer_read_field (st, rec, error);
  if (type == 0
      || (type >= 80 && type <= 159)
      || (type >= EXPERIMENTAL_INVREQ_MIN && type <= EXPERIMENTAL_INVREQ_MAX))
    return _bolt12_invreq_read_field (st, rec, error);
  if ((type >= 160 && type <= 239)
      || (type >= EXPERIMENTAL_INVOICE_MIN && type <= EXPERIMENTAL_INVOICE_MAX))
    return _bolt12_invoice_read_field (st, rec, error);

  return BOLT12_FIELD_UNKNOWN;
}

/* raw: the TLV stream; the message keeps a reference and its records point into it. */
static Bolt12Message *
parse_raw (Bolt12Kind   kind,
           GBytes      *raw,
           GError     **error)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (kind);
  Bolt12Parse st = { 0, };
  const guint8 *data;
  gsize len = 0;

  msg->raw = g_bytes_ref (raw);
  data = g_bytes_get_data (raw, &len);
  if (data == NULL)
    data = empty_value;
  st.msg = msg;
  st.base = data;

  msg->records = bolt12_tlv_parse (data, len, error);
  if (msg->records == NULL)
    return NULL;
  msg->unknown_records = g_array_new (FALSE, FALSE, sizeof (Bolt12Record));

  for (guint i = 0; i < msg->records->len; i++)
    {
      const Bolt12Record *rec = &g_array_index (msg->records, Bolt12Record, i);

      if (!check_range (kind, rec->type, error))
        return NULL;

      switch (read_field (&st, rec, error))
        {
        case BOLT12_FIELD_OK:
          break;
        case BOLT12_FIELD_ERROR:
          return NULL;
        case BOLT12_FIELD_UNKNOWN:
        default:
          if (rec->type % 2 == 0)
            {
              g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                           "%s contains unknown even field %" G_GUINT64_FORMAT,
                           _bolt12_kind_label (kind), rec->type);
              return NULL;
            }
          g_array_append_vals (msg->unknown_records, rec, 1);
          break;
        }
    }

  if (!_bolt12_offer_check (&st, error))
    return NULL;
  if (kind != BOLT12_KIND_OFFER && !_bolt12_invreq_check (&st, error))
    return NULL;
  if (kind == BOLT12_KIND_INVOICE && !_bolt12_invoice_check (&st, error))
    return NULL;

  bolt12_offer_id ((const Bolt12Record *) msg->records->data, msg->records->len, msg->offer_id);
  if (kind != BOLT12_KIND_OFFER)
    bolt12_invreq_id ((const Bolt12Record *) msg->records->data, msg->records->len,
                      msg->invreq_id);

  if (kind == BOLT12_KIND_INVOICE_REQUEST && !_bolt12_invreq_check_signature (&st, error))
    return NULL;
  if (kind == BOLT12_KIND_INVOICE && !_bolt12_invoice_check_signature (&st, error))
    return NULL;

  return g_steal_pointer (&msg);
}

Bolt12Message *
bolt12_message_parse (Bolt12Kind     kind,
                      const guint8  *tlv,
                      gsize          len,
                      GError       **error)
{
  g_autoptr(GBytes) raw = NULL;

  g_return_val_if_fail (tlv != NULL || len == 0, NULL);

  raw = g_bytes_new (tlv, len);
  return parse_raw (kind, raw, error);
}

Bolt12Message *
bolt12_message_decode (const char  *str,
                       GError     **error)
{
  g_autofree char *hrp = NULL;
  g_autoptr(GBytes) data = NULL;
  Bolt12Kind kind;

  g_return_val_if_fail (str != NULL, NULL);

  if (!bolt12_string_decode (str, -1, &hrp, &data, error))
    return NULL;
  if (!bolt12_kind_from_hrp (hrp, &kind))
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                   "Unknown prefix %s: expected lno (offer), lnr (invoice request) or "
                   "lni (invoice)", hrp);
      return NULL;
    }

  return parse_raw (kind, data, error);
}

gboolean
bolt12_message_is_expired (const Bolt12Message *msg,
                           guint64              now)
{
  g_return_val_if_fail (msg != NULL, FALSE);

  if (msg->kind == BOLT12_KIND_INVOICE)
    {
      guint64 relative = msg->has_invoice_relative_expiry
                           ? msg->invoice_relative_expiry : BOLT12_DEFAULT_RELATIVE_EXPIRY;

      if (!msg->has_invoice_created_at)
        return FALSE;
      if (msg->invoice_created_at > G_MAXUINT64 - relative)
        return FALSE;
      return now > msg->invoice_created_at + relative;
    }

  if (!msg->has_offer_absolute_expiry)
    return FALSE;
  /* Recurrence (bolt12-notes.md §11.2): the offer's expiry applies only to the initial request;
   * an ongoing subscription (counter > 0) continues after it. */
  if (msg->kind == BOLT12_KIND_INVOICE_REQUEST
      && msg->has_invreq_recurrence_counter && msg->invreq_recurrence_counter > 0)
    return FALSE;

  return now > msg->offer_absolute_expiry;
}

/* ---------------------------------------------------------------------------------------------
 * Building
 */

GBytes *
bolt12_message_serialize (const Bolt12Message  *msg,
                          GError              **error)
{
  g_autoptr(Bolt12TlvBuilder) b = NULL;

  g_return_val_if_fail (msg != NULL, NULL);

  b = bolt12_tlv_builder_new ();
  if (!_bolt12_offer_write (msg, b, error)
      || !_bolt12_invreq_write (msg, b, error)
      || !_bolt12_invoice_write (msg, b, error))
    return NULL;

  if (msg->has_signature)
    bolt12_tlv_builder_add (b, BOLT12_TLV_SIGNATURE, msg->signature, 64);

  if (msg->extra_records != NULL)
    for (guint i = 0; i < msg->extra_records->len; i++)
      {
        const Bolt12Record *rec = &g_array_index (msg->extra_records, Bolt12Record, i);

        bolt12_tlv_builder_add (b, rec->type, rec->length > 0 ? rec->value : empty_value,
                                rec->length);
      }

  return bolt12_tlv_builder_finish (b, error);
}

char *
bolt12_message_encode (Bolt12Message  *msg,
                       gboolean        upper,
                       GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(Bolt12Message) parsed = NULL;
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (msg != NULL, NULL);

  bytes = bolt12_message_serialize (msg, error);
  if (bytes == NULL)
    return NULL;
  parsed = parse_raw (msg->kind, bytes, error);
  if (parsed == NULL)
    return NULL;

  /* The records point into raw: move both (and the unknown records) together. */
  g_clear_pointer (&msg->raw, g_bytes_unref);
  g_clear_pointer (&msg->records, g_array_unref);
  g_clear_pointer (&msg->unknown_records, g_array_unref);
  msg->raw = g_steal_pointer (&parsed->raw);
  msg->records = g_steal_pointer (&parsed->records);
  msg->unknown_records = g_steal_pointer (&parsed->unknown_records);
  memcpy (msg->offer_id, parsed->offer_id, 32);
  memcpy (msg->invreq_id, parsed->invreq_id, 32);
  msg->signature_checked = parsed->signature_checked;

  data = g_bytes_get_data (msg->raw, &len);
  return bolt12_string_encode (bolt12_kind_hrp (msg->kind), data, len, upper);
}

gboolean
bolt12_message_sign (Bolt12Message  *msg,
                     const guint8    seckey[32],
                     GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) records = NULL;
  const char *messagename;
  const guint8 *signer;
  gboolean has_signer;
  guint8 pubkey[33];
  guint8 sig[64];
  gboolean had_signature;
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (seckey != NULL, FALSE);

  switch (msg->kind)
    {
    case BOLT12_KIND_INVOICE_REQUEST:
      messagename = "invoice_request";
      signer = msg->invreq_payer_id;
      has_signer = msg->has_invreq_payer_id;
      break;
    case BOLT12_KIND_INVOICE:
      messagename = "invoice";
      signer = msg->invoice_node_id;
      has_signer = msg->has_invoice_node_id;
      break;
    case BOLT12_KIND_OFFER:
    default:
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_INVALID,
                           "Offers are not signed; only invoice requests and invoices are");
      return FALSE;
    }

  if (!bolt12_pubkey_from_seckey (seckey, pubkey))
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                           "The signing key is not a valid secret key");
      return FALSE;
    }
  if (!has_signer || memcmp (pubkey, signer, 33) != 0)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE,
                   "The signing key does not match %s",
                   msg->kind == BOLT12_KIND_INVOICE ? "invoice_node_id" : "invreq_payer_id");
      return FALSE;
    }

  had_signature = msg->has_signature;
  msg->has_signature = FALSE;
  bytes = bolt12_message_serialize (msg, error);
  msg->has_signature = had_signature;
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &len);
  records = bolt12_tlv_parse (data != NULL ? data : empty_value, len, error);
  if (records == NULL)
    return FALSE;
  if (!bolt12_sign (messagename, seckey, (const Bolt12Record *) records->data, records->len,
                    sig, error))
    return FALSE;

  memcpy (msg->signature, sig, 64);
  msg->has_signature = TRUE;

  return TRUE;
}

void
bolt12_message_add_extra (Bolt12Message *msg,
                          guint64        type,
                          const guint8  *value,
                          gsize          len)
{
  GByteArray *buf;
  Bolt12Record rec;

  g_return_if_fail (msg != NULL);
  g_return_if_fail (value != NULL || len == 0);
  /* bolt12_tlv_append() cannot take more (GByteArray lengths are guint); check here, before
   * rec.value is computed from a buffer that would not have received the value. */
  g_return_if_fail (len <= G_MAXUINT);

  if (msg->extra_records == NULL)
    {
      msg->extra_records = g_array_new (FALSE, FALSE, sizeof (Bolt12Record));
      msg->extra_storage = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
    }

  /* Keep the whole record so rec.raw is a real encoding, like a parsed record. */
  buf = g_byte_array_new ();
  bolt12_tlv_append (buf, type, len > 0 ? value : empty_value, len);
  g_ptr_array_add (msg->extra_storage, buf);

  rec.type = type;
  rec.length = len;
  rec.raw = buf->data;
  rec.raw_length = buf->len;
  rec.value = buf->data + (buf->len - len);
  g_array_append_vals (msg->extra_records, &rec, 1);
}

/* ---------------------------------------------------------------------------------------------
 * Chains
 */

gboolean
bolt12_chain_from_name (const char *network,
                        guint8      chain[32])
{
  if (network == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (known_chains); i++)
    if (strcmp (known_chains[i].name, network) == 0)
      {
        memcpy (chain, known_chains[i].hash, 32);
        return TRUE;
      }

  return FALSE;
}

const char *
bolt12_chain_name (const guint8 chain[32])
{
  g_return_val_if_fail (chain != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (known_chains); i++)
    if (memcmp (known_chains[i].hash, chain, 32) == 0)
      return known_chains[i].name;

  return NULL;
}
