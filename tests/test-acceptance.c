/* test-acceptance.c: the command family's acceptance table, run through offerdesk-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/data/acceptance.json holds groups of CLI invocations with their exact expected results
 * or errors.  Each group runs in a fresh data dir, its steps in order.  For every step this
 * runner checks the exit status, the error (code and message, exactly) or that the result
 * contains the expected members, and, for every bolt12 string a step creates, that `decode`
 * shows the fields the parameters asked for.  A step that fails must leave the store exactly as
 * it was: the runner compares a dump of every table before and after.
 */

#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>

#include <json-glib/json-glib.h>

typedef struct
{
  char       *data_dir;
  const char *network;
  GHashTable *vars;
} Group;

static char *
substitute (Group      *group,
            const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      const char *start = strstr (p, "${");
      const char *end;
      g_autofree char *name = NULL;
      const char *value;

      if (start == NULL || (end = strchr (start, '}')) == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, start - p);
      name = g_strndup (start + 2, end - start - 2);
      value = g_hash_table_lookup (group->vars, name);
      if (value == NULL)
        g_error ("acceptance table uses ${%s} before saving it", name);
      g_string_append (out, value);
      p = end + 1;
    }

  return g_string_free (out, FALSE);
}

/* Every row of every table, in a stable order: what "the store did not change" compares. */
static char *
dump_store (Group *group)
{
  g_autofree char *path = g_build_filename (group->data_dir, group->network, "offerdesk.sqlite3", NULL);
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_string_free (out, FALSE);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1", table);
      sqlite3_stmt *rows = NULL;

      g_string_append_printf (out, "[%s]\n", table);
      if (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL) != SQLITE_OK)
        continue; /* virtual tables without a readable shape */
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (rows); i++)
            {
              const unsigned char *v = sqlite3_column_text (rows, i);
              g_string_append_printf (out, "%s|", v ? (const char *) v : "NULL");
            }
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);

  return g_string_free (out, FALSE);
}

static JsonNode *
run_cli (Group       *group,
         GPtrArray   *args,
         int         *exit_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("OFFERDESK_CLI"));
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, group->data_dir);
  g_ptr_array_add (argv, (char *) "--network");
  g_ptr_array_add (argv, (char *) group->network);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_nonnull (argv->pdata[0]);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  *exit_status = WEXITSTATUS (wait_status);
  if (err != NULL && *err != '\0')
    {
      g_auto(GStrv) lines = g_strsplit (g_strchomp (err), "\n", -1);

      /* One TAP comment per line: a bare second line would break the TAP stream. */
      for (guint i = 0; lines[i] != NULL; i++)
        g_test_message ("stderr: %s", lines[i]);
    }

  if (out == NULL || *out == '\0')
    return NULL;
  if (!json_parser_load_from_data (parser, out, -1, &error))
    g_error ("offerdesk-cli printed something that is not JSON (%s): %s", error->message, out);

  return json_node_copy (json_parser_get_root (parser));
}

/* expected ⊆ actual: objects by member, arrays element-wise with the same length, values equal
 * (strings after ${var} substitution). */
static void
assert_contains (Group      *group,
                 const char *where,
                 JsonNode   *expected,
                 JsonNode   *actual)
{
  if (actual == NULL)
    g_error ("%s: missing, expected %s", where, json_to_string (expected, FALSE));

  switch (json_node_get_node_type (expected))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *eo = json_node_get_object (expected);
        g_autoptr(GList) members = json_object_get_members (eo);

        if (!JSON_NODE_HOLDS_OBJECT (actual))
          g_error ("%s: expected an object, got %s", where, json_to_string (actual, FALSE));
        for (GList *l = members; l; l = l->next)
          {
            g_autofree char *sub = g_strdup_printf ("%s.%s", where, (char *) l->data);
            assert_contains (group, sub, json_object_get_member (eo, l->data),
                             json_object_get_member (json_node_get_object (actual), l->data));
          }
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *ea = json_node_get_array (expected);

        if (!JSON_NODE_HOLDS_ARRAY (actual))
          g_error ("%s: expected an array, got %s", where, json_to_string (actual, FALSE));
        if (json_array_get_length (ea) != json_array_get_length (json_node_get_array (actual)))
          g_error ("%s: expected %u elements, got %s", where, json_array_get_length (ea),
                   json_to_string (actual, FALSE));
        for (guint i = 0; i < json_array_get_length (ea); i++)
          {
            g_autofree char *sub = g_strdup_printf ("%s[%u]", where, i);
            assert_contains (group, sub, json_array_get_element (ea, i),
                             json_array_get_element (json_node_get_array (actual), i));
          }
        break;
      }

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (expected);

        if (!JSON_NODE_HOLDS_VALUE (actual))
          g_error ("%s: expected a value, got %s", where, json_to_string (actual, FALSE));
        if (type == G_TYPE_STRING)
          {
            g_autofree char *want = substitute (group, json_node_get_string (expected));

            if (json_node_get_value_type (actual) != G_TYPE_STRING)
              g_error ("%s: expected \"%s\", got %s", where, want, json_to_string (actual, FALSE));
            g_assert_cmpstr (json_node_get_string (actual), ==, want);
          }
        else if (type == G_TYPE_BOOLEAN)
          {
            if (json_node_get_value_type (actual) != G_TYPE_BOOLEAN)
              g_error ("%s: expected a boolean, got %s", where, json_to_string (actual, FALSE));
            g_assert_cmpint (json_node_get_boolean (actual), ==, json_node_get_boolean (expected));
          }
        else if (type == G_TYPE_INT64)
          {
            if (json_node_get_value_type (actual) != G_TYPE_INT64)
              g_error ("%s: expected %" G_GINT64_FORMAT ", got %s", where,
                       json_node_get_int (expected), json_to_string (actual, FALSE));
            g_assert_cmpint (json_node_get_int (actual), ==, json_node_get_int (expected));
          }
        else
          g_error ("%s: unsupported expected value type", where);
        break;
      }

    case JSON_NODE_NULL:
      g_assert_true (JSON_NODE_HOLDS_NULL (actual));
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
check_decode (Group      *group,
              const char *bolt12,
              JsonObject *step,
              guint      *n_decoded)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(JsonNode) decoded = NULL;
  int status = -1;

  g_ptr_array_add (args, (char *) "decode");
  g_ptr_array_add (args, (char *) bolt12);
  decoded = run_cli (group, args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (decoded);
  assert_contains (group, "decode", json_object_get_member (step, "decode"), decoded);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (decoded), "valid"));

  if (json_object_has_member (step, "decode_absent"))
    {
      JsonArray *absent = json_object_get_array_member (step, "decode_absent");

      for (guint i = 0; i < json_array_get_length (absent); i++)
        {
          const char *name = json_array_get_string_element (absent, i);

          if (json_object_has_member (json_node_get_object (decoded), name))
            g_error ("decode of %s has %s, which the parameters did not ask for", bolt12, name);
        }
    }
  (*n_decoded)++;
}

static void
run_group (gconstpointer data)
{
  JsonObject *group_obj = (JsonObject *) data;
  JsonArray *steps = json_object_get_array_member (group_obj, "steps");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("offerdesk-acceptance-XXXXXX", &error);
  Group group = { 0 };
  guint n_decoded = 0;

  g_assert_no_error (error);
  group.data_dir = g_build_filename (tmp, "data", NULL);
  group.network = json_object_get_string_member (group_obj, "network");
  group.vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);
      JsonArray *args_json = json_object_get_array_member (step, "args");
      g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonNode) result = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      int expected_exit = json_object_get_int_member (step, "exit");
      int status = -1;

      for (guint a = 0; a < json_array_get_length (args_json); a++)
        g_ptr_array_add (args, substitute (&group, json_array_get_string_element (args_json, a)));
      if (json_object_has_member (step, "args_hex"))
        {
          JsonObject *hex = json_object_get_object_member (step, "args_hex");
          g_autoptr(GList) members = json_object_get_members (hex);

          for (GList *l = members; l; l = l->next)
            {
              guint idx = (guint) g_ascii_strtoull (l->data, NULL, 10);
              const char *h = json_object_get_string_member (hex, l->data);
              gsize n = strlen (h) / 2;
              char *bytes = g_malloc0 (n + 1);

              for (gsize k = 0; k < n; k++)
                bytes[k] = (char) ((g_ascii_xdigit_value (h[2 * k]) << 4) | g_ascii_xdigit_value (h[2 * k + 1]));
              while (args->len <= idx)
                g_ptr_array_add (args, g_strdup (""));
              g_free (args->pdata[idx]);
              args->pdata[idx] = bytes;
            }
        }

      {
        g_autofree char *joined = NULL;

        g_ptr_array_add (args, NULL);
        joined = g_strdelimit (g_strjoinv (" ", (char **) args->pdata), "\n\r", ' ');
        g_ptr_array_remove_index (args, args->len - 1);
        {
          g_autofree char *shown = g_utf8_make_valid (joined, -1);

          g_test_message ("%s step %u: %s", group.network, i, shown);
        }
      }

      if (expected_exit != 0)
        before = dump_store (&group);

      result = run_cli (&group, args, &status);
      if (status != expected_exit)
        g_error ("step %u: exit %d, expected %d; output: %s", i, status, expected_exit,
                 result ? json_to_string (result, FALSE) : "(none)");

      if (expected_exit != 0)
        {
          after = dump_store (&group);
          g_assert_cmpstr (before, ==, after);
        }

      if (json_object_has_member (step, "error"))
        {
          JsonObject *want = json_object_get_object_member (step, "error");
          JsonObject *got;

          g_assert_nonnull (result);
          got = json_node_get_object (result);
          g_assert_cmpint (json_object_get_int_member (got, "code"), ==,
                           json_object_get_int_member (want, "code"));
          g_assert_cmpstr (json_object_get_string_member (got, "message"), ==,
                           json_object_get_string_member (want, "message"));
        }

      if (json_object_has_member (step, "expect"))
        assert_contains (&group, "result", json_object_get_member (step, "expect"), result);

      if (expected_exit == 0 && result != NULL && JSON_NODE_HOLDS_OBJECT (result))
        {
          JsonObject *res = json_node_get_object (result);

          if (json_object_has_member (step, "decode"))
            check_decode (&group, json_object_get_string_member (res, "bolt12"), step, &n_decoded);
          else if (json_object_has_member (res, "bolt12"))
            {
              /* Whatever the table creates must decode valid, even when it states no fields. */
              g_autoptr(JsonObject) empty = json_object_new ();
              g_autoptr(JsonObject) fake = json_object_new ();

              json_object_set_object_member (fake, "decode", json_object_ref (empty));
              check_decode (&group, json_object_get_string_member (res, "bolt12"), fake, &n_decoded);
            }

          if (json_object_has_member (step, "save"))
            {
              JsonObject *save = json_object_get_object_member (step, "save");
              g_autoptr(GList) members = json_object_get_members (save);

              for (GList *l = members; l; l = l->next)
                {
                  const char *field = json_object_get_string_member (save, l->data);

                  g_assert_true (json_object_has_member (res, field));
                  g_hash_table_insert (group.vars, g_strdup (l->data),
                                       g_strdup (json_object_get_string_member (res, field)));
                }
            }
        }
    }

  g_test_message ("%u steps, %u created strings decoded", json_array_get_length (steps), n_decoded);

  g_hash_table_unref (group.vars);
  g_free (group.data_dir);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonArray *groups;
  guint n_steps = 0;

  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "acceptance.json", NULL);
  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  groups = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "groups");

  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonObject *group = json_array_get_object_element (groups, i);
      g_autofree char *test_path = g_strdup_printf ("/acceptance/%s",
                                                    json_object_get_string_member (group, "name"));

      n_steps += json_array_get_length (json_object_get_array_member (group, "steps"));
      g_test_add_data_func (test_path, group, run_group);
    }

  /* The table is the issue's contract: at least 60 invocations. */
  g_assert_cmpuint (n_steps, >=, 60);

  return g_test_run ();
}
