/* bolt12-string.c: the BOLT 12 string layer (bech32 without checksum, `+` joins, case)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12-string.h"

static const char bech32_alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* The ASCII whitespace set (space, \t, \n, \v, \f, \r), as Core Lightning's cisspace(). */
static gboolean
is_ascii_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* A character a `+` join may sit next to: the hrp, the '1' separator and the data are all
 * ASCII letters and digits. */
static gboolean
is_joinable (char c)
{
  return g_ascii_isalnum (c);
}

/* Value 0-31 of each bech32 character (either case), -1 for the rest of ASCII. */
static const gint8 bech32_reverse[128] = {
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  15, -1, 10, 17, 21, 20, 26, 30,  7,  5, -1, -1, -1, -1, -1, -1,
  -1, 29, -1, 24, 13, 25,  9,  8, 23, -1, 18, 22, 31, 27, 19, -1,
   1,  0,  3, 16, 11, 28, 12, 14,  6,  4,  2, -1, -1, -1, -1, -1,
  -1, 29, -1, 24, 13, 25,  9,  8, 23, -1, 18, 22, 31, 27, 19, -1,
   1,  0,  3, 16, 11, 28, 12, 14,  6,  4,  2, -1, -1, -1, -1, -1,
};

/* Value 0-31 of a bech32 character (either case), or -1. */
static inline int
bech32_value (char c)
{
  guchar u = (guchar) c;

  return u < 128 ? bech32_reverse[u] : -1;
}

/* A printable rendering of one byte for error messages. */
static char *
describe_char (char c)
{
  if (c > ' ' && c < 0x7f)
    return g_strdup_printf ("'%c'", c);

  return g_strdup_printf ("0x%02x", (guint) (guchar) c);
}

const char *
bolt12_kind_hrp (Bolt12Kind kind)
{
  switch (kind)
    {
    case BOLT12_KIND_OFFER:
      return "lno";
    case BOLT12_KIND_INVOICE_REQUEST:
      return "lnr";
    case BOLT12_KIND_INVOICE:
      return "lni";
    default:
      break;
    }

  g_return_val_if_reached (NULL);
}

gboolean
bolt12_kind_from_hrp (const char *hrp,
                      Bolt12Kind *kind)
{
  Bolt12Kind found;

  if (hrp == NULL)
    return FALSE;

  if (strcmp (hrp, "lno") == 0)
    found = BOLT12_KIND_OFFER;
  else if (strcmp (hrp, "lnr") == 0)
    found = BOLT12_KIND_INVOICE_REQUEST;
  else if (strcmp (hrp, "lni") == 0)
    found = BOLT12_KIND_INVOICE;
  else
    return FALSE;

  if (kind != NULL)
    *kind = found;

  return TRUE;
}

/* Removes every `+` join (the `+` and the ASCII whitespace after it, between two joinable
 * characters) and rejects anything else that is not printable ASCII. */
static char *
join_string (const char  *str,
             gsize        len,
             GError     **error)
{
  g_autoptr(GString) joined = NULL;
  gsize i = 0;

  /* The common case, a string with no join and nothing to reject, is copied as it is. */
  for (i = 0; i < len; i++)
    {
      if (str[i] <= ' ' || str[i] >= 0x7f || str[i] == '+')
        break;
    }
  if (i == len)
    return g_strndup (str, len);

  joined = g_string_sized_new (len);
  i = 0;
  while (i < len)
    {
      char c = str[i];

      if (c == '+')
        {
          gsize j = i + 1;

          while (j < len && is_ascii_space (str[j]))
            j++;

          if (i == 0 || !is_joinable (str[i - 1]) || j >= len || !is_joinable (str[j]))
            {
              g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "Unexpected '+' at position %" G_GSIZE_FORMAT
                           ": a '+' may only join two bech32 characters",
                           i);
              return NULL;
            }

          i = j;
          continue;
        }

      if (is_ascii_space (c))
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                       "Unexpected whitespace at position %" G_GSIZE_FORMAT
                       ": whitespace is only allowed after a '+'",
                       i);
          return NULL;
        }

      if (c <= ' ' || c >= 0x7f)
        {
          g_autofree char *what = describe_char (c);

          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                       "Invalid character %s at position %" G_GSIZE_FORMAT, what, i);
          return NULL;
        }

      g_string_append_c (joined, c);
      i++;
    }

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

gboolean
bolt12_string_decode (const char  *str,
                      gssize       len,
                      char       **hrp,
                      GBytes     **data,
                      GError     **error)
{
  g_autofree char *joined = NULL;
  g_autofree guint8 *out = NULL;
  gsize n_out = 0;
  gboolean has_lower = FALSE;
  gboolean has_upper = FALSE;
  const char *sep;
  const char *payload;
  gsize n_payload;
  gsize ulen;
  guint32 acc = 0;
  guint bits = 0;
  gsize i;

  g_return_val_if_fail (str != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len < 0)
    ulen = strlen (str);
  else
    ulen = (gsize) len;

  joined = join_string (str, ulen, error);
  if (joined == NULL)
    return FALSE;

  for (i = 0; joined[i] != '\0'; i++)
    {
      if (g_ascii_islower (joined[i]))
        has_lower = TRUE;
      else if (g_ascii_isupper (joined[i]))
        has_upper = TRUE;
    }

  if (has_lower && has_upper)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "Mixed case string: a BOLT 12 string must be all lower-case "
                           "or all upper-case");
      return FALSE;
    }

  sep = strrchr (joined, '1');
  if (sep == NULL)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "Missing '1' separator after the human-readable part");
      return FALSE;
    }

  if (sep == joined)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "Empty human-readable part before the '1' separator");
      return FALSE;
    }

  payload = sep + 1;
  n_payload = strlen (payload);
  if (n_payload == 0)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING, "Empty payload");
      return FALSE;
    }

  /* n_payload * 5 / 8 (rounded up) without overflowing. */
  out = g_malloc ((n_payload / 8) * 5 + 5);

  for (i = 0; i < n_payload; i++)
    {
      int v = bech32_value (payload[i]);

      if (v < 0)
        {
          g_autofree char *what = describe_char (payload[i]);

          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                       "Invalid bech32 character %s", what);
          return FALSE;
        }

      acc = ((acc << 5) | (guint32) v) & 0xfff;
      bits += 5;
      if (bits >= 8)
        {
          bits -= 8;
          out[n_out++] = (guint8) ((acc >> bits) & 0xff);
        }
    }

  if (bits >= 5)
    {
      g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                   "Bad bech32 padding: %u leftover bits (at most 4 are allowed)", bits);
      return FALSE;
    }

  if ((acc & ((1u << bits) - 1)) != 0)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "Bad bech32 padding: the padding bits are not zero");
      return FALSE;
    }

  if (hrp != NULL)
    *hrp = g_ascii_strdown (joined, sep - joined);
  if (data != NULL)
    *data = g_bytes_new_take (g_steal_pointer (&out), n_out);

  return TRUE;
}

char *
bolt12_string_encode (const char   *hrp,
                      const guint8 *data,
                      gsize         len,
                      gboolean      upper)
{
  g_autoptr(GString) out = NULL;
  guint32 acc = 0;
  guint bits = 0;
  gsize i;

  g_return_val_if_fail (hrp != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_new (hrp);
  g_string_append_c (out, '1');

  for (i = 0; i < len; i++)
    {
      acc = ((acc << 8) | data[i]) & 0xfff;
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          g_string_append_c (out, bech32_alphabet[(acc >> bits) & 0x1f]);
        }
    }

  if (bits > 0)
    g_string_append_c (out, bech32_alphabet[(acc << (5 - bits)) & 0x1f]);

  for (i = 0; i < out->len; i++)
    out->str[i] = upper ? g_ascii_toupper (out->str[i]) : g_ascii_tolower (out->str[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* TRUE when text starts with prefix, ASCII case-insensitively. */
static gboolean
has_prefix_nocase (const char *text,
                   const char *prefix)
{
  gsize n = strlen (prefix);

  return strlen (text) >= n && g_ascii_strncasecmp (text, prefix, n) == 0;
}

/* Percent-decodes [start, end); NULL with an error on a bad escape or an encoded NUL. */
static char *
uri_unescape (const char  *start,
              const char  *end,
              const char  *key,
              GError     **error)
{
  char *value = g_uri_unescape_segment (start, end, NULL);

  if (value == NULL)
    g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                 "Bad percent-encoding in the value of '%s' in this bitcoin: URI", key);

  return value;
}

/* BIP 321: bitcoin:[address][?key=value[&key=value]…] */
static char *
uri_extract_bitcoin (const char  *rest,
                     GError     **error)
{
  g_autofree char *found_lno = NULL;
  g_autofree char *found_other = NULL;
  const char *query;
  const char *p;

  query = strchr (rest, '?');
  if (query == NULL)
    {
      g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                           "no BOLT 12 offer in this bitcoin: URI");
      return NULL;
    }

  p = query + 1;
  while (TRUE)
    {
      const char *end = strchr (p, '&');
      const char *eq;
      g_autofree char *key = NULL;

      if (end == NULL)
        end = p + strlen (p);

      eq = memchr (p, '=', end - p);
      key = g_strndup (p, (eq != NULL ? eq : end) - p);

      if (g_ascii_strncasecmp (key, "req-", 4) == 0)
        {
          /* We understand no required parameter (BIP 321 defines only req-pop, which
           * BOLT 12 does not support), so any of them makes the URI unusable. */
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                       "This bitcoin: URI requires '%s', which is not supported", key);
          return NULL;
        }

      if (g_ascii_strcasecmp (key, "lno") == 0
          || g_ascii_strcasecmp (key, "lnr") == 0
          || g_ascii_strcasecmp (key, "lni") == 0)
        {
          gboolean is_lno = g_ascii_strcasecmp (key, "lno") == 0;

          if ((is_lno && found_lno == NULL) || (!is_lno && found_other == NULL))
            {
              g_autofree char *value = NULL;

              if (eq == NULL || eq + 1 == end)
                {
                  g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                               "The value of '%s' in this bitcoin: URI is empty", key);
                  return NULL;
                }

              value = uri_unescape (eq + 1, end, key, error);
              if (value == NULL)
                return NULL;

              if (is_lno)
                found_lno = g_steal_pointer (&value);
              else
                found_other = g_steal_pointer (&value);
            }
        }

      if (*end == '\0')
        break;
      p = end + 1;
    }

  if (found_lno != NULL)
    return g_steal_pointer (&found_lno);
  if (found_other != NULL)
    return g_steal_pointer (&found_other);

  g_set_error_literal (error, BOLT12_ERROR, BOLT12_ERROR_STRING,
                       "no BOLT 12 offer in this bitcoin: URI");
  return NULL;
}

char *
bolt12_uri_extract (const char  *text,
                    GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (has_prefix_nocase (text, "lightning:"))
    return g_strdup (text + strlen ("lightning:"));

  if (has_prefix_nocase (text, "bitcoin:"))
    return uri_extract_bitcoin (text + strlen ("bitcoin:"), error);

  return g_strdup (text);
}

char *
bolt12_uri_build (const char *bolt12,
                  gboolean    upper)
{
  g_return_val_if_fail (bolt12 != NULL, NULL);

  if (upper)
    {
      g_autofree char *up = g_ascii_strup (bolt12, -1);

      return g_strconcat ("BITCOIN:?LNO=", up, NULL);
    }

  return g_strconcat ("bitcoin:?lno=", bolt12, NULL);
}
