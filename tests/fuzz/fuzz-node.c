/* fuzz-node.c: libFuzzer target for what a Core Lightning node sends us
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The node is on the other side of a socket or an HTTPS connection: every byte of its replies
 * is untrusted.  Input layout (the first byte selects the mode, modulo 4):
 *
 *   0  JSON-RPC stream framing (OdJsonRpcReader) on arbitrary bytes.
 *        byte 1        max_size selector: 0 unlimited, else 16 * byte
 *        byte 2        n, the number of split points (0 .. 15 used)
 *        next n bytes  split points, as fractions of the stream length (byte / 256)
 *        the rest      the stream
 *      The stream is fed once whole and once in chunks cut at the split points; after each
 *      feed every complete object is taken.  Both runs must give the same objects and the
 *      same error state; every object is a '{' … '}' (or ']') text without NUL of at most
 *      max_size bytes; a text json-glib accepts is an object; the backends' helpers
 *      (od_backend_error_from_json on its "error" member, od_backend_excerpt) take it.
 *   1  the rest as JSON: when it is one object, od_payment_from_invoice_json() with a fixed
 *      node id.  A payment must have every field valid for od_store_add_payment(); NULL
 *      without an error only for an unpaid invoice or one without local_offer_id.
 *   2  framing of well-formed streams: the rest is cut at 0x00 bytes into pieces; each piece
 *      that is one object json-glib parses is generated again (pretty when byte 1 is odd),
 *      the texts are joined with whitespace and fed in chunks (split points as in mode 0,
 *      taken from byte 2 on).  The reader must give back exactly those texts, no error.
 *   3  the rest is a bolt12 string, put into a paid invoice object (local_offer_id: the
 *      string's own offer id when it decodes, so the lni path is reached) and checked as in 1.
 *
 * Nothing touches the network or the disk.  GLib criticals and warnings are fatal.  Seeds:
 * seeds-node/ (make-node-seeds.py, from tests/data/cln-examples, plus regress-… files).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bolt12.h"
#include "od-backend-private.h"
#include "od-payments.h"

#include "fuzz-target.h"

#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_SPLITS 15

/* Upper case on purpose: the payment must carry it in lower case. */
#define FUZZ_NODE_ID "02A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90"

/* FUZZ_NODE_VERBOSE=1 in the environment: say what became of each invoice (to check that the
 * seeds reach the paths they are meant for, and to read a crash file). */
static gboolean verbose;

enum
{
  MODE_READER,
  MODE_INVOICE,
  MODE_WELL_FORMED,
  MODE_BOLT12,
  N_MODES,
};

G_NORETURN static void
fuzz_fail (const char *what,
           const char *detail)
{
  fprintf (stderr, "fuzz-node: invariant broken: %s%s%s\n",
           what, detail ? ": " : "", detail ? detail : "");
  abort ();
}

/* json-glib 1.6 accepts a text of several values ("{}{}") as the last one, and leaks the
 * others: LeakSanitizer would stop every run on it, so such texts are not given to json-glib
 * (they are no test of our code).  TRUE for one '{' … '}' (or ']') object, by brace depth
 * outside strings, with only whitespace around it. */
static gboolean
is_single_object (const guint8 *text,
                  gsize         len)
{
  gsize i = 0;
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;

  while (i < len && g_ascii_isspace (text[i]))
    i++;
  if (i == len || text[i] != '{')
    return FALSE;

  for (; i < len; i++)
    {
      guint8 c = text[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        break;
    }
  if (i == len)
    return FALSE;

  for (i++; i < len; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

/* ---- Mode 0 and 2: the reader -------------------------------------------------------------- */

typedef struct
{
  GPtrArray *texts;
  gboolean   failed;
} ReadResult;

static void
read_result_clear (ReadResult *result)
{
  g_clear_pointer (&result->texts, g_ptr_array_unref);
}

static void
drain (OdJsonRpcReader *reader,
       ReadResult      *result)
{
  for (;;)
    {
      GError *error = NULL;
      char *text = od_json_rpc_reader_next (reader, &error);

      if (text != NULL)
        {
          if (error != NULL)
            fuzz_fail ("od_json_rpc_reader_next returned text and an error", error->message);
          if (result->failed)
            fuzz_fail ("od_json_rpc_reader_next returned text after an error", text);
          g_ptr_array_add (result->texts, text);
          continue;
        }
      if (error != NULL)
        {
          if (error->domain != OD_BACKEND_ERROR || error->code != OD_BACKEND_ERROR_PROTOCOL)
            fuzz_fail ("a framing error that is not OD_BACKEND_ERROR_PROTOCOL", error->message);
          if (!g_utf8_validate (error->message, -1, NULL))
            fuzz_fail ("a framing error message that is not UTF-8", NULL);
          result->failed = TRUE;
          g_error_free (error);
        }
      return;
    }
}

/* Feeds stream cut at the given offsets (sorted, within the stream), draining after each. */
static void
read_stream (const guint8 *stream,
             gsize         len,
             const gsize  *cuts,
             guint         n_cuts,
             gsize         max_size,
             ReadResult   *result)
{
  OdJsonRpcReader *reader = od_json_rpc_reader_new (max_size);
  gsize start = 0;

  result->texts = g_ptr_array_new_with_free_func (g_free);
  result->failed = FALSE;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      od_json_rpc_reader_feed (reader, (const char *) stream + start, end - start);
      drain (reader, result);
      start = end;
    }
  /* Asking again changes nothing. */
  drain (reader, result);

  od_json_rpc_reader_free (reader);
}

static gint
compare_sizes (gconstpointer a,
               gconstpointer b)
{
  gsize x = *(const gsize *) a;
  gsize y = *(const gsize *) b;

  return x < y ? -1 : x > y;
}

/* Split points from the input: n (byte), then n bytes as fractions of len.  Returns the
 * bytes used. */
static gsize
take_cuts (const guint8 *data,
           gsize         size,
           gsize         len,
           gsize        *cuts,
           guint        *n_cuts)
{
  guint n;

  *n_cuts = 0;
  if (size == 0)
    return 0;
  n = MIN ((gsize) (data[0] % (FUZZ_MAX_SPLITS + 1)), size - 1);
  for (guint i = 0; i < n; i++)
    cuts[i] = (gsize) (((guint64) len * data[1 + i]) / 256);
  qsort (cuts, n, sizeof (gsize), compare_sizes);
  *n_cuts = n;
  return 1 + n;
}

static void
check_response_helpers (const char *text)
{
  JsonParser *parser = json_parser_new ();
  GError *error = NULL;
  char *excerpt;

  /* What the backends put into their protocol errors. */
  excerpt = od_backend_excerpt (text, strlen (text), 80);
  if (!g_utf8_validate (excerpt, -1, NULL))
    fuzz_fail ("od_backend_excerpt is not UTF-8", NULL);
  g_free (excerpt);

  if (json_parser_load_from_data (parser, text, -1, &error))
    {
      JsonNode *root = json_parser_get_root (parser);
      JsonNode *error_node;

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        fuzz_fail ("the reader returned a JSON text that is not an object", text);

      error_node = json_object_get_member (json_node_get_object (root), "error");
      if (error_node != NULL)
        {
          GError *node_error = NULL;

          if (od_backend_error_from_json (error_node, &node_error))
            {
              if (node_error == NULL || node_error->domain != OD_ERROR)
                fuzz_fail ("od_backend_error_from_json returned TRUE without an OD_ERROR",
                           text);
              g_error_free (node_error);
            }
          else if (node_error != NULL)
            fuzz_fail ("od_backend_error_from_json set an error and returned FALSE", text);
        }
    }
  g_clear_error (&error);
  g_object_unref (parser);
}

static gboolean
is_space (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
fuzz_reader (const guint8 *data,
             gsize         size)
{
  ReadResult whole = { NULL, FALSE };
  ReadResult split = { NULL, FALSE };
  gsize cuts[FUZZ_MAX_SPLITS];
  guint n_cuts;
  gsize max_size;
  gsize used;
  const guint8 *stream;
  gsize stream_len;
  gsize pos = 0;

  if (size < 1)
    return;
  max_size = 16 * (gsize) data[0];
  data++;
  size--;

  /* The cut fractions are read first; the stream is what follows them. */
  used = size > 0 ? 1 + MIN ((gsize) (data[0] % (FUZZ_MAX_SPLITS + 1)), size - 1) : 0;
  take_cuts (data, size, size - used, cuts, &n_cuts);

  stream = data + used;
  stream_len = size - used;
  read_stream (stream, stream_len, NULL, 0, max_size, &whole);
  read_stream (stream, stream_len, cuts, n_cuts, max_size, &split);

  if (whole.failed != split.failed)
    fuzz_fail ("the error state depends on how the stream was split", NULL);
  if (whole.texts->len != split.texts->len)
    fuzz_fail ("the number of objects depends on how the stream was split", NULL);

  for (guint i = 0; i < whole.texts->len; i++)
    {
      const char *text = g_ptr_array_index (whole.texts, i);
      gsize len = strlen (text);

      if (strcmp (text, g_ptr_array_index (split.texts, i)) != 0)
        fuzz_fail ("an object depends on how the stream was split", text);
      if (len < 2 || text[0] != '{' || (text[len - 1] != '}' && text[len - 1] != ']'))
        fuzz_fail ("the reader returned text that is not a whole object", text);
      if (max_size > 0 && len > max_size)
        fuzz_fail ("the reader returned an object over max_size", text);
      /* The objects are the stream itself, in order, with only whitespace between them
       * (an object cut short, by a NUL say, leaves its tail in the way of the next one). */
      while (pos < stream_len && is_space (stream[pos]))
        pos++;
      if (stream_len - pos < len || memcmp (stream + pos, text, len) != 0)
        fuzz_fail ("an object is not the next bytes of the stream", text);
      pos += len;

      check_response_helpers (text);
    }

  read_result_clear (&whole);
  read_result_clear (&split);
}

static const char * const separators[] = { "\n\n", "", " ", "\r\n\t\n" };

static void
fuzz_well_formed (const guint8 *data,
                  gsize         size)
{
  GPtrArray *expected;
  GString *stream;
  ReadResult result = { NULL, FALSE };
  JsonGenerator *generator;
  gsize cuts[FUZZ_MAX_SPLITS];
  guint n_cuts;
  gsize used;
  gboolean pretty;
  const guint8 *rest;
  gsize rest_len;
  gsize start;

  if (size < 1)
    return;
  pretty = (data[0] & 1) != 0;
  data++;
  size--;

  used = size > 0 ? 1 + MIN ((gsize) (data[0] % (FUZZ_MAX_SPLITS + 1)), size - 1) : 0;
  rest = data + used;
  rest_len = size - used;

  expected = g_ptr_array_new_with_free_func (g_free);
  stream = g_string_new (NULL);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, pretty);

  start = 0;
  for (gsize i = 0; i <= rest_len; i++)
    {
      if (i < rest_len && rest[i] != 0)
        continue;

      if (i > start && is_single_object (rest + start, i - start))
        {
          JsonParser *parser = json_parser_new ();

          if (json_parser_load_from_data (parser, (const char *) rest + start, i - start, NULL))
            {
              JsonNode *root = json_parser_get_root (parser);

              if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
                {
                  char *text;

                  json_generator_set_root (generator, root);
                  text = json_generator_to_data (generator, NULL);
                  /* json-glib 1.6 does not free the generator's root when the generator
                   * goes: drop it here. */
                  json_generator_set_root (generator, NULL);
                  g_string_append (stream, text);
                  g_string_append (stream, separators[expected->len % G_N_ELEMENTS (separators)]);
                  g_ptr_array_add (expected, text);
                }
            }
          g_object_unref (parser);
        }
      start = i + 1;
    }

  take_cuts (data, size, stream->len, cuts, &n_cuts);
  read_stream ((const guint8 *) stream->str, stream->len, cuts, n_cuts, 0, &result);

  if (result.failed)
    fuzz_fail ("the reader failed on a well-formed stream", stream->str);
  if (result.texts->len != expected->len)
    fuzz_fail ("the reader did not return every object of a well-formed stream", stream->str);
  for (guint i = 0; i < expected->len; i++)
    if (strcmp (g_ptr_array_index (result.texts, i), g_ptr_array_index (expected, i)) != 0)
      fuzz_fail ("the reader changed an object of a well-formed stream",
                 g_ptr_array_index (result.texts, i));

  read_result_clear (&result);
  g_object_unref (generator);
  g_string_free (stream, TRUE);
  g_ptr_array_unref (expected);
}

/* ---- Mode 1 and 3: invoice objects ----------------------------------------------------------- */

static gboolean
is_lower_hex (const char *str,
              gsize       len)
{
  if (str == NULL || strlen (str) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (str[i]) && !(str[i] >= 'a' && str[i] <= 'f'))
      return FALSE;
  return TRUE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* What od_store_add_payment() requires (normalize_payment in od-store.c), and what the
 * invoice said. */
static void
check_payment (JsonObject      *invoice,
               const OdPayment *payment)
{
  const char *status = string_member (invoice, "status");
  g_autofree char *node_id = g_ascii_strdown (FUZZ_NODE_ID, -1);

  if (g_strcmp0 (status, "paid") != 0)
    fuzz_fail ("a payment from an invoice whose status is not \"paid\"", status);
  if (g_strcmp0 (payment->node_id, node_id) != 0)
    fuzz_fail ("a payment with another node_id", payment->node_id);
  if (!is_lower_hex (payment->offer_id, 64))
    fuzz_fail ("a payment whose offer_id is not 64 lower-case hex", payment->offer_id);
  if (g_ascii_strcasecmp (payment->offer_id, string_member (invoice, "local_offer_id")) != 0)
    fuzz_fail ("a payment whose offer_id is not the invoice's local_offer_id", NULL);
  if (!is_lower_hex (payment->payment_hash, 64))
    fuzz_fail ("a payment whose payment_hash is not 64 lower-case hex", payment->payment_hash);
  if (payment->pay_index == 0 || payment->pay_index > (guint64) G_MAXINT64)
    fuzz_fail ("a payment whose pay_index is out of range", NULL);
  if (payment->amount_msat > BOLT12_MAX_MSAT)
    fuzz_fail ("a payment of more than 21 million bitcoin", NULL);
  if (payment->paid_at < 0)
    fuzz_fail ("a payment with a negative paid_at", NULL);
  if (payment->label == NULL || !g_utf8_validate (payment->label, -1, NULL))
    fuzz_fail ("a payment without a valid UTF-8 label", NULL);
  if (payment->payer_note != NULL && !g_utf8_validate (payment->payer_note, -1, NULL))
    fuzz_fail ("a payment whose payer note is not UTF-8", NULL);
  if (payment->rate_msat_per_unit != 0)
    fuzz_fail ("a payment with a rate before the store set one", NULL);

  if (payment->bolt12 != NULL)
    {
      Bolt12Message *msg;
      GError *error = NULL;
      char hex[65];

      if (g_ascii_strncasecmp (payment->bolt12, "lni1", 4) != 0
          || !g_utf8_validate (payment->bolt12, -1, NULL))
        fuzz_fail ("a payment whose bolt12 is not an lni1 string", payment->bolt12);
      msg = bolt12_message_decode (payment->bolt12, &error);
      if (msg == NULL)
        fuzz_fail ("a payment whose bolt12 invoice does not decode", error->message);
      if (msg->kind != BOLT12_KIND_INVOICE)
        fuzz_fail ("a payment whose bolt12 is not an invoice", NULL);
      for (guint i = 0; i < 32; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", msg->offer_id[i]);
      if (strcmp (hex, payment->offer_id) != 0)
        fuzz_fail ("a payment whose invoice is for another offer", hex);
      if (payment->has_quantity != msg->has_invreq_quantity
          || (payment->has_quantity && payment->quantity != msg->invreq_quantity))
        fuzz_fail ("a payment whose quantity is not the invoice's", NULL);
      if (payment->has_recurrence_counter != msg->has_invreq_recurrence_counter
          || (payment->has_recurrence_counter
              && payment->recurrence_counter != msg->invreq_recurrence_counter))
        fuzz_fail ("a payment whose recurrence counter is not the invoice's", NULL);
      bolt12_message_free (msg);
    }
  else if (payment->has_quantity || payment->has_recurrence_counter)
    fuzz_fail ("a payment with invoice fields but no invoice", NULL);
}

static void
check_invoice (JsonObject *invoice)
{
  GError *error = NULL;
  OdPayment *payment;

  payment = od_payment_from_invoice_json (invoice, FUZZ_NODE_ID, &error);
  if (payment != NULL)
    {
      if (error != NULL)
        fuzz_fail ("od_payment_from_invoice_json returned a payment and an error",
                   error->message);
      check_payment (invoice, payment);
      if (verbose)
        fprintf (stderr, "fuzz-node: payment %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                 " msat%s%s\n", payment->pay_index, payment->amount_msat,
                 payment->bolt12 != NULL ? ", with its invoice" : "",
                 payment->payer_note != NULL ? ", with a payer note" : "");
      od_payment_free (payment);
      return;
    }

  if (error == NULL)
    {
      /* Only "not a payment of an offer" may come back empty-handed. */
      if (g_strcmp0 (string_member (invoice, "status"), "paid") == 0
          && string_member (invoice, "local_offer_id") != NULL)
        fuzz_fail ("a paid invoice of an offer gave neither a payment nor an error", NULL);
      if (verbose)
        fprintf (stderr, "fuzz-node: not a payment of an offer\n");
      return;
    }

  if (error->domain != OD_BACKEND_ERROR
      || (error->code != OD_BACKEND_ERROR_PROTOCOL && error->code != OD_BACKEND_ERROR_MISMATCH))
    fuzz_fail ("an invoice error outside OD_BACKEND_ERROR_PROTOCOL/MISMATCH", error->message);
  if (!g_utf8_validate (error->message, -1, NULL))
    fuzz_fail ("an invoice error message that is not UTF-8", NULL);
  if (verbose)
    fprintf (stderr, "fuzz-node: error: %s\n", error->message);
  g_error_free (error);
}

static void
fuzz_invoice (const guint8 *data,
              gsize         size)
{
  JsonParser *parser;

  if (!is_single_object (data, size))
    return;

  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, (const char *) data, size, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        check_invoice (json_node_get_object (root));
    }
  g_object_unref (parser);
}

static void
fuzz_bolt12 (const guint8 *data,
             gsize         size)
{
  g_autofree char *str = g_strndup ((const char *) data, size);
  g_autoptr(JsonObject) invoice = json_object_new ();
  Bolt12Message *msg;
  char hex[65] = "c5cde02917dc0a3c5d1b8a43e2ea0cd7d0c7a2bdc9b8d2f83a1e5b7e04f2a9b1";

  /* json-glib strings are UTF-8: what the parser would never hand us is not tried. */
  if (!g_utf8_validate (str, -1, NULL))
    return;

  msg = bolt12_message_decode (str, NULL);
  if (msg != NULL)
    {
      for (guint i = 0; i < 32; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", msg->offer_id[i]);
      bolt12_message_free (msg);
    }

  json_object_set_string_member (invoice, "label", "fuzz");
  json_object_set_string_member (invoice, "status", "paid");
  json_object_set_int_member (invoice, "pay_index", 7);
  json_object_set_string_member (invoice, "payment_hash",
                                 "3fe5289854b8924b4ebb3f61cd8f5a29f8f509cc781919230f7ee95ec2fa7c46");
  json_object_set_int_member (invoice, "amount_received_msat", 400000);
  json_object_set_int_member (invoice, "paid_at", 1738000000);
  json_object_set_string_member (invoice, "local_offer_id", hex);
  json_object_set_string_member (invoice, "bolt12", str);

  check_invoice (invoice);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  verbose = g_getenv ("FUZZ_NODE_VERBOSE") != NULL;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size == 0 || size > FUZZ_MAX_INPUT)
    return 0;

  switch (data[0] % N_MODES)
    {
    case MODE_READER:
      fuzz_reader (data + 1, size - 1);
      break;
    case MODE_INVOICE:
      fuzz_invoice (data + 1, size - 1);
      break;
    case MODE_WELL_FORMED:
      fuzz_well_formed (data + 1, size - 1);
      break;
    case MODE_BOLT12:
      fuzz_bolt12 (data + 1, size - 1);
      break;
    default:
      g_assert_not_reached ();
    }

  return 0;
}
