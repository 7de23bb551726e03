/* fuzz-decode.c: libFuzzer target for the BOLT 12 string and TLV decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input layout (the first byte selects the mode):
 *   0x00, 0x01, 0x02  the rest is a raw TLV stream, parsed as an offer, an invoice_request or an
 *                     invoice (Bolt12Kind)
 *   0x03              the rest is a raw TLV stream, parsed as each of the three kinds
 *   anything else     the whole input is a string: bolt12_message_decode(), and for a valid
 *                     message bolt12_message_to_json() and a re-encode; plus bolt12_decode_json()
 *                     which also strips lightning: / bitcoin:?lno= wrappers
 *
 * So a plain "lno1..." text file is a valid seed, and so is a kind byte followed by the
 * decoded bytes of such a string.
 *
 * Besides crashes and sanitizer findings, the target aborts when one of these breaks:
 *   - a string that decodes re-encodes (bolt12_string_encode) to a string that decodes to the
 *     same hrp and bytes;
 *   - a message decoded from a string also parses from its raw TLV stream as the same kind;
 *   - every valid message has a JSON form;
 *   - a message that bolt12_message_encode() accepts decodes again.
 * GLib criticals and warnings are fatal: the decoders must not log on bad input.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bolt12-json.h"
#include "bolt12-message.h"
#include "bolt12-string.h"

#include "fuzz-target.h"

/* A fixed "now" keeps runs reproducible (the expiry report depends on it). */
#define FUZZ_NOW G_GUINT64_CONSTANT (1700000000)

/* Inputs above this size add nothing but time. */
#define FUZZ_MAX_INPUT 65536

#define FUZZ_MODE_ALL_KINDS 0x03

G_NORETURN static void
fuzz_fail (const char *what,
           const char *detail)
{
  fprintf (stderr, "fuzz-decode: invariant broken: %s%s%s\n",
           what, detail ? ": " : "", detail ? detail : "");
  abort ();
}

static void
check_json (const Bolt12Message *msg)
{
  JsonNode *node;
  char *text;

  node = bolt12_message_to_json (msg, FUZZ_NOW);
  if (node == NULL)
    fuzz_fail ("bolt12_message_to_json returned NULL for a valid message", NULL);

  text = json_to_string (node, FALSE);
  g_free (text);
  json_node_unref (node);
}

/* A parsed message encodes again; whatever encode accepts must decode. */
static void
check_reencode (Bolt12Message *msg)
{
  GError *error = NULL;
  GBytes *serialized;
  char *encoded;

  serialized = bolt12_message_serialize (msg, &error);
  g_clear_pointer (&serialized, g_bytes_unref);
  g_clear_error (&error);

  encoded = bolt12_message_encode (msg, FALSE, &error);
  if (encoded != NULL)
    {
      Bolt12Message *again = bolt12_message_decode (encoded, &error);

      if (again == NULL)
        fuzz_fail ("bolt12_message_encode output does not decode", error->message);
      bolt12_message_free (again);
    }
  g_clear_error (&error);
  g_free (encoded);
}

static void
fuzz_tlv (Bolt12Kind    kind,
          const guint8 *data,
          gsize         size)
{
  GError *error = NULL;
  Bolt12Message *msg;

  msg = bolt12_message_parse (kind, data, size, &error);
  if (msg == NULL)
    {
      if (error == NULL)
        fuzz_fail ("bolt12_message_parse failed without an error", NULL);
      g_error_free (error);
      return;
    }

  check_json (msg);
  check_reencode (msg);
  bolt12_message_free (msg);
}

/* The string layer alone: decode, encode, decode gives the same hrp and bytes. */
static void
check_string_layer (const char *str)
{
  GError *error = NULL;
  char *hrp = NULL;
  char *hrp2 = NULL;
  GBytes *data = NULL;
  GBytes *data2 = NULL;
  char *encoded;

  if (!bolt12_string_decode (str, -1, &hrp, &data, &error))
    {
      g_clear_error (&error);
      return;
    }

  encoded = bolt12_string_encode (hrp, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                  FALSE);
  if (!bolt12_string_decode (encoded, -1, &hrp2, &data2, &error))
    fuzz_fail ("bolt12_string_encode output does not decode", error->message);
  if (g_strcmp0 (hrp, hrp2) != 0 || !g_bytes_equal (data, data2))
    fuzz_fail ("string decode/encode/decode changed the content", encoded);

  g_free (encoded);
  g_free (hrp);
  g_free (hrp2);
  g_bytes_unref (data);
  g_bytes_unref (data2);
}

static void
fuzz_string (const guint8 *data,
             gsize         size)
{
  GError *error = NULL;
  Bolt12Message *msg;
  JsonNode *node;
  char *str;

  /* The decoders take C strings: an embedded NUL ends the input, as it would in the CLI. */
  str = g_strndup ((const char *) data, size);

  check_string_layer (str);

  msg = bolt12_message_decode (str, &error);
  if (msg != NULL)
    {
      Bolt12Message *reparsed;
      gsize raw_len = 0;
      const guint8 *raw;

      if (msg->raw == NULL)
        fuzz_fail ("a decoded message has no raw TLV stream", str);

      /* Same rules without the string layer. */
      raw = g_bytes_get_data (msg->raw, &raw_len);
      reparsed = bolt12_message_parse (msg->kind, raw, raw_len, &error);
      if (reparsed == NULL)
        fuzz_fail ("a decoded message's raw stream does not parse", error->message);
      bolt12_message_free (reparsed);

      check_json (msg);
      check_reencode (msg);
      bolt12_message_free (msg);
    }
  else
    {
      if (error == NULL)
        fuzz_fail ("bolt12_message_decode failed without an error", NULL);
      g_clear_error (&error);
    }

  /* The whole `decode` command path, URI wrappers included. */
  node = bolt12_decode_json (str, FUZZ_NOW, &error);
  if (node != NULL)
    json_node_unref (node);
  g_clear_error (&error);

  g_free (str);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size == 0 || size > FUZZ_MAX_INPUT)
    return 0;

  switch (data[0])
    {
    case BOLT12_KIND_OFFER:
    case BOLT12_KIND_INVOICE_REQUEST:
    case BOLT12_KIND_INVOICE:
      fuzz_tlv ((Bolt12Kind) data[0], data + 1, size - 1);
      break;

    case FUZZ_MODE_ALL_KINDS:
      fuzz_tlv (BOLT12_KIND_OFFER, data + 1, size - 1);
      fuzz_tlv (BOLT12_KIND_INVOICE_REQUEST, data + 1, size - 1);
      fuzz_tlv (BOLT12_KIND_INVOICE, data + 1, size - 1);
      break;

    default:
      fuzz_string (data, size);
      break;
    }

  return 0;
}
