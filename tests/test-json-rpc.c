/* test-json-rpc.c: the JSON-RPC stream framing (OdJsonRpcReader)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader must hand out the same objects however the stream was cut: at every byte, one
 * byte at a time, all at once, at random, and with the tricky bytes (braces and quotes inside
 * strings, escapes, multi-byte UTF-8) on either side of a cut.
 */

#include "config.h"

#include <string.h>

#include "od-backend.h"

/* A stream of three responses in Core Lightning's framing, with strings that look like
 * framing: braces, brackets, escaped quotes, an escaped backslash before a quote, escaped
 * "\n\n", and UTF-8 of two to four bytes. */
static const char * const tricky_objects[] = {
  "{\"jsonrpc\":\"2.0\",\"id\":\"offerdesk:1\",\"result\":{\"description\":\"} not the end {\","
  "\"label\":\"[{]}\",\"issuer\":\"say \\\"}\\\"\"}}",
  "{\"jsonrpc\":\"2.0\",\"method\":\"log\",\"params\":{\"log\":\"line\\n\\nnext\\\\\","
  "\"level\":\"info\",\"nested\":[{\"a\":[1,2,{\"b\":\"}}}\"}]}]}}",
  "{\"jsonrpc\":\"2.0\",\"id\":\"offerdesk:2\",\"error\":{\"code\":1000,"
  "\"message\":\"Already exists, but isn't active\",\"data\":{\"note\":\"caf\xc3\xa9 \xe2\x82\xac "
  "\xf0\x9f\x90\x9f \\u00e9 \\\\\"}}}",
};

static char *
tricky_stream (void)
{
  GString *stream = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (tricky_objects); i++)
    {
      g_string_append (stream, tricky_objects[i]);
      g_string_append (stream, "\n\n");
    }

  return g_string_free (stream, FALSE);
}

/* Every object the reader has complete, appended to out; asserts no error. */
static void
drain (OdJsonRpcReader *reader,
       GPtrArray       *out)
{
  g_autoptr(GError) error = NULL;
  char *text;

  while ((text = od_json_rpc_reader_next (reader, &error)) != NULL)
    g_ptr_array_add (out, text);

  g_assert_no_error (error);
}

static void
assert_objects (GPtrArray          *got,
                const char * const *expected,
                guint               n_expected)
{
  g_assert_cmpuint (got->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (g_ptr_array_index (got, i), ==, expected[i]);
}

static void
test_single (void)
{
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *one = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

  /* Nothing yet, then an incomplete object: no object, no error. */
  g_assert_null (od_json_rpc_reader_next (reader, &error));
  g_assert_no_error (error);
  od_json_rpc_reader_feed (reader, one, 10);
  g_assert_null (od_json_rpc_reader_next (reader, &error));
  g_assert_no_error (error);

  od_json_rpc_reader_feed (reader, one + 10, strlen (one) - 10);
  od_json_rpc_reader_feed (reader, "\n\n", 2);
  drain (reader, got);
  assert_objects (got, &one, 1);

  /* Consumed: asking again gives nothing. */
  g_assert_null (od_json_rpc_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_coalesced (void)
{
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stream = tricky_stream ();

  od_json_rpc_reader_feed (reader, stream, strlen (stream));
  drain (reader, got);
  assert_objects (got, tricky_objects, G_N_ELEMENTS (tricky_objects));
}

static void
test_every_split (void)
{
  g_autofree char *stream = tricky_stream ();
  gsize len = strlen (stream);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

      od_json_rpc_reader_feed (reader, stream, cut);
      drain (reader, got);
      od_json_rpc_reader_feed (reader, stream + cut, len - cut);
      drain (reader, got);
      assert_objects (got, tricky_objects, G_N_ELEMENTS (tricky_objects));
    }
}

static void
test_every_double_split (void)
{
  g_autofree char *stream = tricky_stream ();
  gsize len = strlen (stream);

  /* Two cuts: the middle piece can sit entirely inside a string or an escape. */
  for (gsize a = 0; a <= len; a += 3)
    for (gsize b = a; b <= len; b++)
      {
        g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
        g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

        od_json_rpc_reader_feed (reader, stream, a);
        drain (reader, got);
        od_json_rpc_reader_feed (reader, stream + a, b - a);
        drain (reader, got);
        od_json_rpc_reader_feed (reader, stream + b, len - b);
        drain (reader, got);
        assert_objects (got, tricky_objects, G_N_ELEMENTS (tricky_objects));
      }
}

static void
test_byte_by_byte (void)
{
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stream = tricky_stream ();
  gsize len = strlen (stream);

  for (gsize i = 0; i < len; i++)
    {
      od_json_rpc_reader_feed (reader, stream + i, 1);
      drain (reader, got);
    }

  assert_objects (got, tricky_objects, G_N_ELEMENTS (tricky_objects));
}

static void
test_whitespace (void)
{
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  const char *stream = "\r\n \t{\"id\":1}{\"id\":2}\n\n\n\n  \t\r\n{ \"id\" : 3 ,\n\"x\" : [ ] }\n";
  const char *expected[] = { "{\"id\":1}", "{\"id\":2}", "{ \"id\" : 3 ,\n\"x\" : [ ] }" };
  g_autoptr(GError) error = NULL;

  od_json_rpc_reader_feed (reader, stream, strlen (stream));
  drain (reader, got);
  assert_objects (got, expected, G_N_ELEMENTS (expected));

  /* Only whitespace after the last object: nothing pending, no error. */
  od_json_rpc_reader_feed (reader, "\n\n\n", 3);
  g_assert_null (od_json_rpc_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_garbage_start (void)
{
  const char *garbage[] = {
    "HTTP/1.1 400 Bad Request\r\n\r\n",
    "[{\"jsonrpc\":\"2.0\"}]",
    "\"a string\"",
    "}",
    "\x00{}",
    "\xff\xfe{}",
    "  \n x{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
      g_autoptr(GError) error = NULL;
      gsize len = i == 4 ? 3 : strlen (garbage[i]);
      char *text;

      od_json_rpc_reader_feed (reader, garbage[i], len);
      text = od_json_rpc_reader_next (reader, &error);
      g_assert_null (text);
      g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);

      /* The stream has lost its framing: a later valid object does not resynchronise it. */
      od_json_rpc_reader_feed (reader, "{\"id\":1}", 8);
      g_assert_null (od_json_rpc_reader_next (reader, &error));
      g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
    }
}

static void
test_garbage_after_object (void)
{
  g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
  g_autoptr(GError) error = NULL;
  const char *stream = "{\"id\":\"a\"}\n\nnot json";
  char *text;

  od_json_rpc_reader_feed (reader, stream, strlen (stream));
  text = od_json_rpc_reader_next (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "{\"id\":\"a\"}");
  g_free (text);

  g_assert_null (od_json_rpc_reader_next (reader, &error));
  g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "'n'"));
}

/* A raw NUL inside an object (fuzz-node found it, seeds-node/regress-nul-in-object): the text
 * handed out is a C string, so the object used to come back cut at the NUL, with its tail
 * left in the buffer as the start of the next one.  It is a protocol error, split or not. */
static void
test_nul_in_object (void)
{
  static const char stream[] = "{\"a\":\"x\0y\"}\n\n{\"b\":[1\0]}";
  static const char * const before_nul[] = { "{\"id\":1}" };

  for (gsize cut = 0; cut <= sizeof stream - 1; cut++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      char *text;

      /* A good object first, which must still come out. */
      od_json_rpc_reader_feed (reader, "{\"id\":1}\n", 9);
      od_json_rpc_reader_feed (reader, stream, cut);
      while ((text = od_json_rpc_reader_next (reader, &error)) != NULL)
        g_ptr_array_add (got, text);
      g_clear_error (&error);
      od_json_rpc_reader_feed (reader, stream + cut, sizeof stream - 1 - cut);
      while ((text = od_json_rpc_reader_next (reader, &error)) != NULL)
        g_ptr_array_add (got, text);

      g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "NUL"));
      assert_objects (got, before_nul, 1);
    }
}

static void
test_oversize (void)
{
  const char *fits = "{\"a\":\"0123456789\"}";   /* 18 bytes */
  gsize len = strlen (fits);

  /* Exactly the limit: accepted. */
  {
    g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (len);
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    od_json_rpc_reader_feed (reader, fits, len);
    text = od_json_rpc_reader_next (reader, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, fits);
  }

  /* One byte over, complete in one feed. */
  {
    g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (len - 1);
    g_autoptr(GError) error = NULL;

    od_json_rpc_reader_feed (reader, fits, len);
    g_assert_null (od_json_rpc_reader_next (reader, &error));
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "17 bytes"));
  }

  /* A runaway object that never ends is refused as soon as it passes the limit, without
   * waiting for its end. */
  {
    g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (1000);
    g_autoptr(GError) error = NULL;
    char chunk[100];
    gboolean refused = FALSE;

    memset (chunk, 'x', sizeof chunk);
    od_json_rpc_reader_feed (reader, "{\"a\":\"", 6);
    for (guint i = 0; i < 20 && !refused; i++)
      {
        od_json_rpc_reader_feed (reader, chunk, sizeof chunk);
        if (od_json_rpc_reader_next (reader, &error) == NULL && error != NULL)
          refused = TRUE;
      }
    g_assert_true (refused);
    g_assert_error (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_PROTOCOL);
  }
}

static void
test_unicode_split (void)
{
  /* The fish emoji (4 bytes), the euro sign (3) and é (2), cut inside each character. */
  const char *object = "{\"d\":\"\xf0\x9f\x90\x9f\xe2\x82\xac\xc3\xa9\\u00e9\\ud83d\\udc1f\"}";
  gsize len = strlen (object);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *root;

      od_json_rpc_reader_feed (reader, object, cut);
      drain (reader, got);
      g_assert_cmpuint (got->len, ==, cut == len ? 1 : 0);
      od_json_rpc_reader_feed (reader, object + cut, len - cut);
      drain (reader, got);
      assert_objects (got, &object, 1);

      json_parser_load_from_data (parser, g_ptr_array_index (got, 0), -1, &error);
      g_assert_no_error (error);
      root = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (root, "d"), ==,
                       "\xf0\x9f\x90\x9f\xe2\x82\xac\xc3\xa9\xc3\xa9\xf0\x9f\x90\x9f");
    }
}

static void
test_escapes_at_cut (void)
{
  /* A backslash that escapes a backslash, then a real closing quote: a reader that only looks
   * at the previous byte would think the quote is escaped and run past the end. */
  const char *objects[] = {
    "{\"p\":\"C:\\\\\"}",
    "{\"q\":\"\\\\\\\"}\\\\\"}",
    "{\"r\":\"\\\\\\\\\"}",
  };
  g_autofree char *stream = g_strjoin ("", objects[0], objects[1], objects[2], NULL);
  gsize len = strlen (stream);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (0);
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

      od_json_rpc_reader_feed (reader, stream, cut);
      drain (reader, got);
      od_json_rpc_reader_feed (reader, stream + cut, len - cut);
      drain (reader, got);
      assert_objects (got, objects, G_N_ELEMENTS (objects));
    }
}

/* The recorded Core Lightning responses (tests/data/cln-examples), wrapped the way lightningd
 * sends them, once compact and once pretty-printed. */
static GPtrArray *
recorded_frames (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonArray *examples;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      path = g_build_filename (dir_path, name, NULL);
      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      if (!JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "examples"))
        continue;

      examples = json_object_get_array_member (json_node_get_object (root), "examples");
      for (guint i = 0; i < json_array_get_length (examples); i++)
        {
          JsonObject *example = json_array_get_object_element (examples, i);
          JsonNode *response = json_object_get_member (example, "response");
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonGenerator) generator = json_generator_new ();
          g_autoptr(JsonNode) frame = NULL;
          g_autofree char *id = g_strdup_printf ("offerdesk:%u", ++n);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "jsonrpc");
          json_builder_add_string_value (builder, "2.0");
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, id);
          json_builder_set_member_name (builder, "result");
          json_builder_add_value (builder, json_node_copy (response));
          json_builder_end_object (builder);
          frame = json_builder_get_root (builder);

          json_generator_set_root (generator, frame);
          g_ptr_array_add (frames, json_generator_to_data (generator, NULL));
          json_generator_set_pretty (generator, TRUE);
          g_ptr_array_add (frames, json_generator_to_data (generator, NULL));
        }
    }

  /* Enough of the recorded set to mean something (offer, listoffers, getinfo, …). */
  g_assert_cmpuint (frames->len, >=, 40);
  return frames;
}

static void
test_recorded_random_splits (void)
{
  g_autoptr(GPtrArray) frames = recorded_frames ();
  GString *stream = g_string_new (NULL);
  g_autofree char *text = NULL;
  gsize len;

  for (guint i = 0; i < frames->len; i++)
    {
      g_string_append (stream, g_ptr_array_index (frames, i));
      g_string_append (stream, "\n\n");
    }
  len = stream->len;
  text = g_string_free (stream, FALSE);

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(OdJsonRpcReader) reader = od_json_rpc_reader_new (1024 * 1024);
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
      /* Chunk sizes from 1 byte to a few kilobytes, so some reads split tokens and others
       * carry several whole responses. */
      guint max_chunk = round % 4 == 0 ? 8 : round % 4 == 1 ? 64 : round % 4 == 2 ? 512 : 8192;
      gsize pos = 0;

      while (pos < len)
        {
          gsize chunk = (gsize) g_test_rand_int_range (1, (gint32) max_chunk + 1);

          chunk = MIN (chunk, len - pos);

          od_json_rpc_reader_feed (reader, text + pos, chunk);
          pos += chunk;
          drain (reader, got);
        }

      assert_objects (got, (const char * const *) frames->pdata, frames->len);
    }

  /* And every object parses back to JSON-RPC with our ids in order. */
  for (guint i = 0; i < frames->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *id = g_strdup_printf ("offerdesk:%u", i / 2 + 1);
      JsonObject *object;

      json_parser_load_from_data (parser, g_ptr_array_index (frames, i), -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);
      g_assert_true (json_object_has_member (object, "result"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-rpc/single", test_single);
  g_test_add_func ("/json-rpc/coalesced", test_coalesced);
  g_test_add_func ("/json-rpc/every-split", test_every_split);
  g_test_add_func ("/json-rpc/every-double-split", test_every_double_split);
  g_test_add_func ("/json-rpc/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/json-rpc/whitespace", test_whitespace);
  g_test_add_func ("/json-rpc/garbage-start", test_garbage_start);
  g_test_add_func ("/json-rpc/garbage-after-object", test_garbage_after_object);
  g_test_add_func ("/json-rpc/nul-in-object", test_nul_in_object);
  g_test_add_func ("/json-rpc/oversize", test_oversize);
  g_test_add_func ("/json-rpc/unicode-split", test_unicode_split);
  g_test_add_func ("/json-rpc/escapes-at-cut", test_escapes_at_cut);
  g_test_add_func ("/json-rpc/recorded-random-splits", test_recorded_random_splits);

  return g_test_run ();
}
