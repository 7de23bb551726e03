/* bolt12-tlv.c: BigSize, truncated integers, TLV streams, strict UTF-8
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bolt12-tlv.h"

G_DEFINE_QUARK (bolt12-error-quark, bolt12_error)

/* BigSize */

gboolean
bolt12_bigsize_read (const guint8 **p,
                     gsize         *remaining,
                     guint64       *out)
{
  const guint8 *q;
  gsize avail;
  gsize n_bytes;
  guint64 min;
  guint64 value = 0;
  gsize i;

  g_return_val_if_fail (p != NULL && remaining != NULL, FALSE);

  q = *p;
  avail = *remaining;
  if (avail == 0 || q == NULL)
    return FALSE;

  switch (q[0])
    {
    case 0xfd:
      n_bytes = 2;
      min = 0xfd;
      break;
    case 0xfe:
      n_bytes = 4;
      min = 0x10000;
      break;
    case 0xff:
      n_bytes = 8;
      min = G_GUINT64_CONSTANT (0x100000000);
      break;
    default:
      n_bytes = 0;
      min = 0;
      value = q[0];
      break;
    }

  if (avail - 1 < n_bytes)
    return FALSE;

  for (i = 0; i < n_bytes; i++)
    value = (value << 8) | q[1 + i];

  if (value < min)
    return FALSE;

  *p = q + 1 + n_bytes;
  *remaining = avail - 1 - n_bytes;
  if (out != NULL)
    *out = value;

  return TRUE;
}

guint
bolt12_bigsize_length (guint64 value)
{
  if (value < 0xfd)
    return 1;
  if (value <= 0xffff)
    return 3;
  if (value <= 0xffffffff)
    return 5;
  return 9;
}

void
bolt12_bigsize_append (GByteArray *buf,
                       guint64     value)
{
  guint8 prefix;

  g_return_if_fail (buf != NULL);

  switch (bolt12_bigsize_length (value))
    {
    case 1:
      prefix = (guint8) value;
      g_byte_array_append (buf, &prefix, 1);
      break;
    case 3:
      prefix = 0xfd;
      g_byte_array_append (buf, &prefix, 1);
      bolt12_be_append (buf, value, 2);
      break;
    case 5:
      prefix = 0xfe;
      g_byte_array_append (buf, &prefix, 1);
      bolt12_be_append (buf, value, 4);
      break;
    default:
      prefix = 0xff;
      g_byte_array_append (buf, &prefix, 1);
      bolt12_be_append (buf, value, 8);
      break;
    }
}

/* Truncated and fixed-width integers */

gboolean
bolt12_tu_read (const guint8 *p,
                gsize         len,
                guint         max_bytes,
                guint64      *out)
{
  guint64 value = 0;
  gsize i;

  g_return_val_if_fail (max_bytes <= 8, FALSE);

  if (len > max_bytes)
    return FALSE;
  if (len > 0 && (p == NULL || p[0] == 0))
    return FALSE;

  for (i = 0; i < len; i++)
    value = (value << 8) | p[i];

  if (out != NULL)
    *out = value;

  return TRUE;
}

void
bolt12_tu_append (GByteArray *buf,
                  guint64     value)
{
  guint n_bytes = 0;
  guint64 v;

  g_return_if_fail (buf != NULL);

  for (v = value; v != 0; v >>= 8)
    n_bytes++;

  bolt12_be_append (buf, value, n_bytes);
}

void
bolt12_be_append (GByteArray *buf,
                  guint64     value,
                  guint       n_bytes)
{
  guint8 bytes[8];
  guint i;

  g_return_if_fail (buf != NULL);
  g_return_if_fail (n_bytes <= 8);

  for (i = 0; i < n_bytes; i++)
    bytes[i] = (guint8) (value >> (8 * (n_bytes - 1 - i)));

  if (n_bytes > 0)
    g_byte_array_append (buf, bytes, n_bytes);
}

/* TLV streams */

GArray *
bolt12_tlv_parse (const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  g_autoptr(GArray) records = NULL;
  const guint8 *p = data;
  gsize remaining = len;
  gboolean have_previous = FALSE;
  guint64 previous = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  records = g_array_new (FALSE, TRUE, sizeof (Bolt12Record));

  while (remaining > 0)
    {
      Bolt12Record record;
      const guint8 *start = p;
      gsize offset = (gsize) (p - data);
      guint64 length;

      if (!bolt12_bigsize_read (&p, &remaining, &record.type))
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                       "Bad TLV record at byte %" G_GSIZE_FORMAT
                       ": the type is truncated or not minimally encoded",
                       offset);
          return NULL;
        }

      if (have_previous && record.type <= previous)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                       "TLV type %" G_GUINT64_FORMAT " follows type %" G_GUINT64_FORMAT
                       ": types must be strictly increasing",
                       record.type, previous);
          return NULL;
        }

      if (!bolt12_bigsize_read (&p, &remaining, &length))
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                       "Bad TLV record of type %" G_GUINT64_FORMAT
                       ": the length is truncated or not minimally encoded",
                       record.type);
          return NULL;
        }

      /* Compare before any pointer arithmetic: length is untrusted. */
      if (length > remaining)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                       "TLV record of type %" G_GUINT64_FORMAT " claims %" G_GUINT64_FORMAT
                       " bytes but only %" G_GSIZE_FORMAT " remain",
                       record.type, length, remaining);
          return NULL;
        }

      record.value = p;
      record.length = (gsize) length;
      p += record.length;
      remaining -= record.length;
      record.raw = start;
      record.raw_length = (gsize) (p - start);

      g_array_append_val (records, record);
      previous = record.type;
      have_previous = TRUE;
    }

  return g_steal_pointer (&records);
}

void
bolt12_tlv_append (GByteArray   *buf,
                   guint64       type,
                   const guint8 *value,
                   gsize         len)
{
  g_return_if_fail (buf != NULL);
  g_return_if_fail (value != NULL || len == 0);
  g_return_if_fail (len <= G_MAXUINT);

  bolt12_bigsize_append (buf, type);
  bolt12_bigsize_append (buf, len);
  if (len > 0)
    g_byte_array_append (buf, value, (guint) len);
}

/* Strict UTF-8 (RFC 3629, Unicode table 3-7) */

gboolean
bolt12_utf8_valid (const guint8 *p,
                   gsize         len)
{
  gsize i = 0;

  if (p == NULL)
    return len == 0;

  while (i < len)
    {
      guint8 c = p[i];
      gsize n_cont;
      guint8 lo = 0x80;
      guint8 hi = 0xbf;
      gsize k;

      if (c < 0x80)
        {
          i++;
          continue;
        }

      if (c >= 0xc2 && c <= 0xdf)
        n_cont = 1;
      else if (c == 0xe0)
        {
          n_cont = 2;
          lo = 0xa0; /* no overlongs */
        }
      else if (c >= 0xe1 && c <= 0xec)
        n_cont = 2;
      else if (c == 0xed)
        {
          n_cont = 2;
          hi = 0x9f; /* no surrogates */
        }
      else if (c >= 0xee && c <= 0xef)
        n_cont = 2;
      else if (c == 0xf0)
        {
          n_cont = 3;
          lo = 0x90; /* no overlongs */
        }
      else if (c >= 0xf1 && c <= 0xf3)
        n_cont = 3;
      else if (c == 0xf4)
        {
          n_cont = 3;
          hi = 0x8f; /* nothing above U+10FFFF */
        }
      else
        return FALSE; /* continuation byte, C0, C1, F5-FF */

      if (len - i - 1 < n_cont)
        return FALSE;

      /* Only the first continuation byte has a narrowed range. */
      if (p[i + 1] < lo || p[i + 1] > hi)
        return FALSE;
      for (k = 2; k <= n_cont; k++)
        if (p[i + k] < 0x80 || p[i + k] > 0xbf)
          return FALSE;

      i += 1 + n_cont;
    }

  return TRUE;
}

/* Builder */

typedef struct
{
  guint64 type;
  guint   index;  /* order of addition, for a stable sort */
  GBytes *value;
} BuilderEntry;

struct _Bolt12TlvBuilder
{
  GArray *entries; /* of BuilderEntry */
};

static void
builder_entry_clear (gpointer data)
{
  BuilderEntry *entry = data;

  g_clear_pointer (&entry->value, g_bytes_unref);
}

static int
builder_entry_compare (gconstpointer a,
                       gconstpointer b)
{
  const BuilderEntry *ea = a;
  const BuilderEntry *eb = b;

  if (ea->type != eb->type)
    return ea->type < eb->type ? -1 : 1;
  if (ea->index != eb->index)
    return ea->index < eb->index ? -1 : 1;
  return 0;
}

Bolt12TlvBuilder *
bolt12_tlv_builder_new (void)
{
  Bolt12TlvBuilder *builder = g_new0 (Bolt12TlvBuilder, 1);

  builder->entries = g_array_new (FALSE, TRUE, sizeof (BuilderEntry));
  g_array_set_clear_func (builder->entries, builder_entry_clear);

  return builder;
}

void
bolt12_tlv_builder_free (Bolt12TlvBuilder *builder)
{
  if (builder == NULL)
    return;

  g_clear_pointer (&builder->entries, g_array_unref);
  g_free (builder);
}

void
bolt12_tlv_builder_add (Bolt12TlvBuilder *builder,
                        guint64           type,
                        const guint8     *value,
                        gsize             len)
{
  BuilderEntry entry;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (value != NULL || len == 0);

  entry.type = type;
  entry.index = builder->entries->len;
  entry.value = g_bytes_new (value, len);
  g_array_append_val (builder->entries, entry);
}

void
bolt12_tlv_builder_add_tu (Bolt12TlvBuilder *builder,
                           guint64           type,
                           guint64           value)
{
  g_autoptr(GByteArray) buf = NULL;

  g_return_if_fail (builder != NULL);

  buf = g_byte_array_sized_new (8);
  bolt12_tu_append (buf, value);
  bolt12_tlv_builder_add (builder, type, buf->data, buf->len);
}

GBytes *
bolt12_tlv_builder_finish (Bolt12TlvBuilder  *builder,
                           GError           **error)
{
  g_autoptr(GByteArray) out = NULL;
  guint i;

  g_return_val_if_fail (builder != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_array_sort (builder->entries, builder_entry_compare);

  for (i = 1; i < builder->entries->len; i++)
    {
      const BuilderEntry *prev = &g_array_index (builder->entries, BuilderEntry, i - 1);
      const BuilderEntry *cur = &g_array_index (builder->entries, BuilderEntry, i);

      if (prev->type == cur->type)
        {
          g_set_error (error, BOLT12_ERROR, BOLT12_ERROR_TLV,
                       "TLV type %" G_GUINT64_FORMAT " was added twice", cur->type);
          return NULL;
        }
    }

  out = g_byte_array_new ();
  for (i = 0; i < builder->entries->len; i++)
    {
      const BuilderEntry *entry = &g_array_index (builder->entries, BuilderEntry, i);
      gsize len;
      const guint8 *value = g_bytes_get_data (entry->value, &len);

      bolt12_tlv_append (out, entry->type, value, len);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
