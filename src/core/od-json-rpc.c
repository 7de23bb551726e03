/* od-json-rpc.c: JSON-RPC stream framing (top-level objects out of a byte stream)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Core Lightning writes each response as one JSON object followed by "\n\n", but a stream read
 * gives no guarantee about where the bytes split: one read may end inside a string, another may
 * carry two responses.  "\n\n" cannot be trusted as a delimiter on its own either (json_escape
 * keeps it out of strings, but other servers, like the test node, may pretty-print), so the
 * reader finds the end of each object by tracking brace depth outside strings, and treats the
 * whitespace between objects as filler.
 *
 * The scan is incremental: the position, depth and string/escape state survive between feeds,
 * so a large response that arrives in many small reads is scanned once, not once per read.
 */

#include "config.h"

#include <string.h>

#include "od-backend.h"

struct _OdJsonRpcReader
{
  GByteArray *buffer;
  gsize       max_size;
  gsize       pos;         /* next byte to scan */
  gboolean    in_object;   /* buffer[0] is the '{' of the object being scanned */
  guint       depth;       /* open braces and brackets, outside strings */
  gboolean    in_string;
  gboolean    escaped;     /* the previous byte in the string was a lone backslash */
  GError     *failed;      /* sticky: after a framing error the stream cannot be resynchronised */
};

OdJsonRpcReader *
od_json_rpc_reader_new (gsize max_size)
{
  OdJsonRpcReader *reader = g_new0 (OdJsonRpcReader, 1);

  reader->buffer = g_byte_array_new ();
  reader->max_size = max_size > 0 ? max_size : G_MAXSIZE;

  return reader;
}

void
od_json_rpc_reader_free (OdJsonRpcReader *reader)
{
  if (reader == NULL)
    return;

  g_byte_array_unref (reader->buffer);
  g_clear_error (&reader->failed);
  g_free (reader);
}

void
od_json_rpc_reader_feed (OdJsonRpcReader *reader,
                         const char      *data,
                         gsize            len)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (reader->failed != NULL || len == 0)
    return;

  g_byte_array_append (reader->buffer, (const guint8 *) data, len);
}

static inline gboolean
is_json_space (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char *
fail (OdJsonRpcReader  *reader,
      GError          **error,
      const char       *format,
      ...) G_GNUC_PRINTF (3, 4);

static char *
fail (OdJsonRpcReader  *reader,
      GError          **error,
      const char       *format,
      ...)
{
  va_list args;

  va_start (args, format);
  reader->failed = g_error_new_valist (OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL, format, args);
  va_end (args);

  /* Nothing more is read from a stream that has lost its framing. */
  g_byte_array_set_size (reader->buffer, 0);
  reader->pos = 0;

  g_propagate_error (error, g_error_copy (reader->failed));
  return NULL;
}

char *
od_json_rpc_reader_next (OdJsonRpcReader  *reader,
                         GError          **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (reader->failed != NULL)
    {
      g_propagate_error (error, g_error_copy (reader->failed));
      return NULL;
    }

  data = reader->buffer->data;
  len = reader->buffer->len;

  if (!reader->in_object)
    {
      gsize skip = 0;

      while (skip < len && is_json_space (data[skip]))
        skip++;

      /* Whitespace between objects is dropped at once, so a peer that sends only
       * newlines does not grow the buffer. */
      if (skip > 0)
        g_byte_array_remove_range (reader->buffer, 0, skip);

      data = reader->buffer->data;
      len = reader->buffer->len;

      if (len == 0)
        return NULL;

      if (data[0] != '{')
        {
          if (data[0] >= 0x20 && data[0] < 0x7f)
            return fail (reader, error,
                         "expected a JSON object, got '%c'", data[0]);
          return fail (reader, error,
                       "expected a JSON object, got the byte 0x%02x", data[0]);
        }

      reader->in_object = TRUE;
      reader->depth = 1;
      reader->in_string = FALSE;
      reader->escaped = FALSE;
      reader->pos = 1;
    }

  for (; reader->pos < len; reader->pos++)
    {
      guint8 c = data[reader->pos];

      /* JSON has no raw NUL, in a string or out of one (it is written \u0000), and the
       * object goes out as a C string: a NUL would cut it short without a word, and the rest
       * of it would be taken for the next object. */
      if (c == '\0')
        return fail (reader, error, "a NUL byte inside a JSON object");

      if (reader->in_string)
        {
          if (reader->escaped)
            reader->escaped = FALSE;
          else if (c == '\\')
            reader->escaped = TRUE;
          else if (c == '"')
            reader->in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          reader->in_string = TRUE;
          break;

        case '{':
        case '[':
          reader->depth++;
          break;

        case '}':
        case ']':
          /* A mismatched closer ("{]") is left to the JSON parser: the framing only
           * needs to know where the object ends. */
          if (--reader->depth == 0)
            {
              gsize end = reader->pos + 1;
              char *text;

              if (end > reader->max_size)
                return fail (reader, error,
                             "a JSON object of more than %" G_GSIZE_FORMAT " bytes",
                             reader->max_size);

              text = g_strndup ((const char *) data, end);
              g_byte_array_remove_range (reader->buffer, 0, end);
              reader->in_object = FALSE;
              reader->pos = 0;
              return text;
            }
          break;

        default:
          break;
        }
    }

  if (len > reader->max_size)
    return fail (reader, error,
                 "a JSON object of more than %" G_GSIZE_FORMAT " bytes", reader->max_size);

  return NULL;
}
