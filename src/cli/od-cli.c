/* od-cli.c: offerdesk-cli, argv -> params -> command -> JSON on stdout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Works like lightning-cli: parameters are positional, or name=value pairs with -k, and each
 * value is sent the way lightning-cli sends it (digits, true, false, null, and "…", […], {…}
 * as JSON; anything else as a string).  The command table does the rest.
 *
 * Exit status: 0 result printed; 1 the command failed ({"code", "message"} printed on stdout);
 * 2 usage error (message on stderr).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "od-commands.h"

#define EXIT_COMMAND_ERROR 1
#define EXIT_USAGE         2

static const char usage_text[] =
  "Usage: offerdesk-cli [OPTIONS] COMMAND [PARAMETER…]\n"
  "       offerdesk-cli [OPTIONS] COMMAND -k NAME=VALUE…\n"
  "\n"
  "Runs one Offerdesk command and prints its result as JSON.\n"
  "\n"
  "Options (before COMMAND; -k may also follow it):\n"
  "  --data-dir DIR    Where Offerdesk keeps its data (default: $OFFERDESK_DATA_DIR,\n"
  "                    else $XDG_DATA_HOME/offerdesk). Not created by decode or help.\n"
  "  --network NET     bitcoin (default), testnet, testnet4, signet or regtest.\n"
  "  -k, --keywords    Parameters are NAME=VALUE pairs instead of positional values.\n"
  "  -h, --help        Show this help and exit.\n"
  "  --                The rest are parameters, even if they start with '-'.\n"
  "\n"
  "Parameters are given in the order the command lists them, or by name with -k.\n"
  "A value made only of digits, true, false, null, or a value in \"…\", […] or {…} is\n"
  "sent as JSON (as lightning-cli does); any other value is sent as a string.\n"
  "A JSON null leaves a parameter out. `decode -` reads the string from standard input.\n"
  "\n"
  "Exit status: 0 success, the result on stdout; 1 the command failed, {\"code\", \"message\"}\n"
  "on stdout (codes as Core Lightning's: -32602 bad parameter, -32601 unknown command, -1 …);\n"
  "2 usage error, message on stderr.\n";

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "offerdesk-cli: %s\nTry 'offerdesk-cli --help' for more information.\n",
           message);

  return EXIT_USAGE;
}

static void
print_help (void)
{
  fputs (usage_text, stdout);
  fputs ("\nCommands:\n\n", stdout);
  for (const char * const *name = od_commands_list (); *name != NULL; name++)
    {
      fputs (od_commands_help (*name), stdout);
      fputc ('\n', stdout);
    }
}

/* ---- Output: JSON, 2-space indent, UTF-8 as it is (no locale conversion) ---- */

static void
print_string (GString    *out,
              const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
print_indent (GString *out,
              guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
print_node (GString  *out,
            JsonNode *node,
            guint     depth)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            print_indent (out, depth + 1);
            print_string (out, l->data);
            g_string_append (out, ": ");
            print_node (out, json_object_get_member (object, l->data), depth + 1);
            if (l->next != NULL)
              g_string_append_c (out, ',');
          }
        print_indent (out, depth);
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            print_indent (out, depth + 1);
            print_node (out, json_array_get_element (array, i), depth + 1);
            if (i + 1 < n)
              g_string_append_c (out, ',');
          }
        print_indent (out, depth);
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          {
            print_string (out, json_node_get_string (node));
          }
        else if (type == G_TYPE_BOOLEAN)
          {
            g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          }
        else if (type == G_TYPE_DOUBLE)
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
          }
        else
          {
            g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          }
        break;
      }

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

static void
print_json (JsonNode *node)
{
  g_autoptr(GString) out = g_string_new (NULL);

  print_node (out, node, 0);
  g_string_append_c (out, '\n');
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* ---- Input ---- */

/* A JSON string of text.  Control bytes other than the usual escapes and non-UTF-8 bytes pass
 * as they are: the command's parameter types judge them (e.g. "should be a UTF-8 string"). */
static void
append_quoted (GString    *json,
               const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (json, "\\\""); break;
        case '\\': g_string_append (json, "\\\\"); break;
        case '\n': g_string_append (json, "\\n"); break;
        case '\r': g_string_append (json, "\\r"); break;
        case '\t': g_string_append (json, "\\t"); break;
        case '\b': g_string_append (json, "\\b"); break;
        case '\f': g_string_append (json, "\\f"); break;
        default: g_string_append_c (json, *p); break;
        }
    }
  g_string_append_c (json, '"');
}

/* lightning-cli's rule: digits, true, false, null and "…", […], {…} go as JSON, the rest as a
 * JSON string. */
static void
append_value (GString    *json,
              const char *value)
{
  gsize len = strlen (value);

  if ((len > 0 && strspn (value, "0123456789") == len)
      || strcmp (value, "true") == 0
      || strcmp (value, "false") == 0
      || strcmp (value, "null") == 0
      || (len >= 2 && value[0] == '"' && value[len - 1] == '"')
      || (len >= 2 && value[0] == '[' && value[len - 1] == ']')
      || (len >= 2 && value[0] == '{' && value[len - 1] == '}'))
    g_string_append (json, value);
  else
    append_quoted (json, value);
}

static char *
read_stdin (void)
{
  GString *text = g_string_new (NULL);
  char buf[4096];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (text, buf, (gssize) n);

  return g_strchomp (g_string_free (text, FALSE));
}

/* One parameter value.  `decode -` (or `decode -k string=-`) reads the string from standard
 * input, trailing whitespace removed, and always sends it as a string. */
static void
append_param (GString    *json,
              const char *command,
              const char *name,
              const char *value,
              guint       index)
{
  if (strcmp (command, "decode") == 0
      && (name != NULL ? strcmp (name, "string") == 0 : index == 0)
      && strcmp (value, "-") == 0)
    {
      g_autofree char *text = read_stdin ();

      append_quoted (json, text);
      return;
    }

  append_value (json, value);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *params = NULL;
  g_autoptr(OdCommands) commands = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  GString *json;
  const char *network = "bitcoin";
  const char *command;
  gboolean keywords = FALSE;
  gboolean options_done = FALSE;
  int i = 1;

  /* Options before the command. */
  for (; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      else if (strcmp (arg, "-h") == 0 || strcmp (arg, "--help") == 0)
        {
          print_help ();
          return EXIT_SUCCESS;
        }
      else if (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0)
        {
          keywords = TRUE;
        }
      else if (strcmp (arg, "--data-dir") == 0 || strcmp (arg, "--network") == 0)
        {
          if (i + 1 >= argc)
            return usage_error ("option '%s' needs a value", arg);
          if (arg[2] == 'd')
            {
              g_free (data_dir);
              data_dir = g_strdup (argv[++i]);
            }
          else
            {
              network = argv[++i];
            }
        }
      else if (g_str_has_prefix (arg, "--data-dir="))
        {
          g_free (data_dir);
          data_dir = g_strdup (arg + strlen ("--data-dir="));
        }
      else if (g_str_has_prefix (arg, "--network="))
        {
          network = arg + strlen ("--network=");
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        {
          return usage_error ("unknown option '%s'", arg);
        }
      else
        {
          break;
        }
    }

  if (!od_network_is_valid (network))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) od_network_names ());

      return usage_error ("unknown network '%s' (expected one of: %s)", network, names);
    }
  if (data_dir == NULL || *data_dir == '\0')
    {
      const char *env = g_getenv ("OFFERDESK_DATA_DIR");

      g_free (data_dir);
      if (env != NULL && *env != '\0')
        data_dir = g_strdup (env);
      else
        data_dir = g_build_filename (g_get_user_data_dir (), "offerdesk", NULL);
    }

  if (i >= argc)
    return usage_error ("no command given");
  command = argv[i++];

  /* Parameters; -k may also follow the command, and "--" ends the options. */
  for (; i < argc; i++)
    {
      const char *arg = argv[i];

      if (!options_done && strcmp (arg, "--") == 0)
        options_done = TRUE;
      else if (!options_done && (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0))
        keywords = TRUE;
      else
        g_ptr_array_add (values, argv[i]);
    }

  json = g_string_new (keywords ? "{" : "[");
  for (guint v = 0; v < values->len; v++)
    {
      const char *arg = g_ptr_array_index (values, v);

      if (v > 0)
        g_string_append (json, ", ");
      if (keywords)
        {
          const char *eq = strchr (arg, '=');
          g_autofree char *name = NULL;

          if (eq == NULL || eq == arg)
            {
              g_string_free (json, TRUE);
              return usage_error ("expected NAME=VALUE after -k, got '%s'", arg);
            }
          name = g_strndup (arg, eq - arg);
          append_quoted (json, name);
          g_string_append (json, ": ");
          append_param (json, command, name, eq + 1, v);
        }
      else
        {
          append_param (json, command, NULL, arg, v);
        }
    }
  g_string_append (json, keywords ? "}" : "]");
  params = g_string_free (json, FALSE);

  commands = od_commands_new (data_dir, network);
  result = od_commands_call_json (commands, command, params, &error);
  if (result == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error->domain == OD_ERROR ? error->code : -1);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      print_json (node);

      return EXIT_COMMAND_ERROR;
    }

  print_json (result);

  return EXIT_SUCCESS;
}
