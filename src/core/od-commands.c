/* od-commands.c: the command table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file has three parts:
 *
 *  1. Parameters: how a request's params (array or object, from a JsonNode or from JSON text)
 *     are bound to a command's parameter table and checked by type, with Core Lightning's
 *     generic errors and order (cln-notes.md §1 "Conventions"): positional params in table
 *     order, named params in the order their keys appear, each checked as it is met; then the
 *     first missing required parameter.  Handlers read checked values with od_params_get_*().
 *     (This part can move to od-params.c unchanged when the table grows.)
 *  2. The handlers, one function per command.
 *  3. The table, and od_commands_call().
 *
 * Adding a command = a handler + one row in `commands[]` (name, handler, description,
 * verbose text, parameter specs).  Parameter types cover Core Lightning's common parsers; a
 * parameter with its own grammar (amount, recurrence…) is OD_PARAM_TOKEN and the handler parses
 * the text, reporting errors with od_param_error() ("<name>: <reason>").
 */

#include "config.h"

#include "od-commands.h"

#include <string.h>

#include "bolt12.h"
#include "bolt12-json.h"

G_DEFINE_QUARK (od-error-quark, od_error)

struct _OdCommands
{
  char *data_dir;
  char *network;
};

static const char * const networks[] = {
  "bitcoin", "testnet", "testnet4", "signet", "regtest", NULL
};

/* ------------------------------------------------------------------------------------------ */
/* 1. Parameters                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef enum
{
  OD_PARAM_STRING,          /* JSON string (escapes decoded), UTF-8 */
  OD_PARAM_ESCAPED_STRING,  /* JSON string written without \u escapes (CLN param_escaped_string:
                               free text that goes on the wire: description, issuer, label) */
  OD_PARAM_LABEL,           /* JSON string, or a number literal taken as its text */
  OD_PARAM_TOKEN,           /* string or literal, as text: the handler parses it (amounts…) */
  OD_PARAM_U64,             /* decimal digits (number, or string of digits) */
  OD_PARAM_U32,
  OD_PARAM_BOOL,            /* the literals true / false */
  OD_PARAM_SHA256,          /* 64 hex digits (number-looking ids included) */
  OD_PARAM_JSON,            /* any JSON value, as a JsonNode */
} OdParamType;

typedef struct
{
  const char  *name;
  OdParamType  type;
  gboolean     required;
  const char  *doc;          /* one sentence or two, English */
} OdParamSpec;

#define OD_MAX_PARAMS 20

/* A parameter as received, before it is bound to a spec. */
typedef enum
{
  TOKEN_STRING,     /* text = the decoded string (bytes as given; UTF-8 not yet checked) */
  TOKEN_PRIMITIVE,  /* text = the literal as written: number, true, false, null */
  TOKEN_CONTAINER,  /* text = JSON text of the array/object; node when already parsed */
} TokenKind;

typedef struct
{
  char      *key;       /* NULL for positional */
  TokenKind  kind;
  char      *text;
  gboolean   u_escape;  /* a string written with a \u escape */
  JsonNode  *node;
} Token;

static void
token_free (Token *token)
{
  g_free (token->key);
  g_free (token->text);
  g_clear_pointer (&token->node, json_node_unref);
  g_free (token);
}

typedef struct
{
  const OdParamSpec *spec;
  gboolean           present;
  const Token       *token;
  /* The checked value, by type: */
  const char        *str;
  guint64            u64;
  gboolean           boolean;
  guint8             sha256[32];
  JsonNode          *json;     /* owned */
} OdParam;

typedef struct _OdCommand OdCommand;

typedef struct
{
  const OdCommand *command;
  guint            n_params;
  OdParam          values[OD_MAX_PARAMS];
} OdParams;

static void
od_params_clear (OdParams *params)
{
  for (guint i = 0; i < params->n_params; i++)
    g_clear_pointer (&params->values[i].json, json_node_unref);
}

static void od_param_error (GError    **error,
                            const char *name,
                            const char *format,
                            ...) G_GNUC_PRINTF (3, 4);

/* -32602 "<name>: <reason>", Core Lightning's shape for a parameter it could not use. */
static void
od_param_error (GError    **error,
                const char *name,
                const char *format,
                ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS, "%s: %s", name, reason);
}

static const OdParam *
od_params_lookup (const OdParams *params,
                  const char     *name)
{
  for (guint i = 0; i < params->n_params; i++)
    if (strcmp (params->values[i].spec->name, name) == 0)
      return &params->values[i];

  g_error ("command has no parameter named %s", name);
  return NULL;
}

/* The accessors handlers use.  Some are here for the commands still to come. */

static G_GNUC_UNUSED gboolean
od_params_has (const OdParams *params,
               const char     *name)
{
  return od_params_lookup (params, name)->present;
}

/* STRING, ESCAPED_STRING, LABEL, TOKEN: the text; NULL when absent. */
static const char *
od_params_get_string (const OdParams *params,
                      const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->str : NULL;
}

static G_GNUC_UNUSED guint64
od_params_get_u64 (const OdParams *params,
                   const char     *name,
                   guint64         default_value)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->u64 : default_value;
}

static G_GNUC_UNUSED gboolean
od_params_get_bool (const OdParams *params,
                    const char     *name,
                    gboolean        default_value)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->boolean : default_value;
}

/* NULL when absent. */
static G_GNUC_UNUSED const guint8 *
od_params_get_sha256 (const OdParams *params,
                      const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->sha256 : NULL;
}

static G_GNUC_UNUSED JsonNode *
od_params_get_json (const OdParams *params,
                    const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->json : NULL;
}

static gboolean
parse_decimal (const char *text,
               guint64     max,
               guint64    *out)
{
  guint64 value = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      guint digit;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      digit = (guint) (*p - '0');
      if (value > (max - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  *out = value;

  return TRUE;
}

static gboolean
parse_sha256 (const char *text,
              guint8      out[32])
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

static gboolean
token_is_literal (const Token *token,
                  const char  *literal)
{
  return token->kind == TOKEN_PRIMITIVE && strcmp (token->text, literal) == 0;
}

/* Checks one supplied parameter against its spec and stores the typed value. */
static gboolean
od_param_check (OdParam      *param,
                const Token  *token,
                GError      **error)
{
  const char *name = param->spec->name;

  param->present = TRUE;
  param->token = token;

  switch (param->spec->type)
    {
    case OD_PARAM_STRING:
    case OD_PARAM_ESCAPED_STRING:
      if (token->kind != TOKEN_STRING)
        {
          if (param->spec->type == OD_PARAM_ESCAPED_STRING)
            od_param_error (error, name, "should be a string (without \\u)");
          else
            od_param_error (error, name, "should be a string");
          return FALSE;
        }
      G_GNUC_FALLTHROUGH;
    case OD_PARAM_LABEL:
    case OD_PARAM_TOKEN:
      if (token->kind == TOKEN_CONTAINER
          || (param->spec->type == OD_PARAM_LABEL
              && (token_is_literal (token, "true") || token_is_literal (token, "false"))))
        {
          od_param_error (error, name, "should be a string or a number");
          return FALSE;
        }
      if (param->spec->type == OD_PARAM_ESCAPED_STRING && token->u_escape)
        {
          od_param_error (error, name, "should be a string (without \\u)");
          return FALSE;
        }
      if (!g_utf8_validate (token->text, -1, NULL))
        {
          od_param_error (error, name, "should be a UTF-8 string");
          return FALSE;
        }
      param->str = token->text;
      return TRUE;

    case OD_PARAM_U64:
    case OD_PARAM_U32:
      {
        gboolean is_u64 = param->spec->type == OD_PARAM_U64;

        if (token->kind == TOKEN_CONTAINER
            || !parse_decimal (token->text, is_u64 ? G_MAXUINT64 : G_MAXUINT32, &param->u64))
          {
            od_param_error (error, name, "should be an unsigned %s bit integer",
                            is_u64 ? "64" : "32");
            return FALSE;
          }
        return TRUE;
      }

    case OD_PARAM_BOOL:
      if (token_is_literal (token, "true"))
        param->boolean = TRUE;
      else if (token_is_literal (token, "false"))
        param->boolean = FALSE;
      else
        {
          od_param_error (error, name, "should be a boolean");
          return FALSE;
        }
      return TRUE;

    case OD_PARAM_SHA256:
      if (token->kind == TOKEN_CONTAINER || !parse_sha256 (token->text, param->sha256))
        {
          od_param_error (error, name, "should be a 32 byte hex value");
          return FALSE;
        }
      return TRUE;

    case OD_PARAM_JSON:
      if (token->node != NULL)
        {
          param->json = json_node_copy (token->node);
        }
      else if (token->kind == TOKEN_STRING)
        {
          param->json = json_node_new (JSON_NODE_VALUE);
          json_node_set_string (param->json, token->text);
        }
      else
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          if (!json_parser_load_from_data (parser, token->text, -1, NULL))
            {
              od_param_error (error, name, "should be valid JSON");
              return FALSE;
            }
          param->json = json_node_copy (json_parser_get_root (parser));
        }
      return TRUE;

    default:
      g_assert_not_reached ();
    }

  return FALSE;
}

static gboolean
token_is_null (const Token *token)
{
  return token_is_literal (token, "null");
}

/* Binds tokens (all positional, or all named) to the command's specs. */
static gboolean
od_params_bind (OdParams         *params,
                const OdParamSpec *specs,
                GPtrArray        *tokens,
                gboolean          by_name,
                GError          **error)
{
  guint n_specs = 0;

  while (n_specs < OD_MAX_PARAMS && specs[n_specs].name != NULL)
    n_specs++;
  params->n_params = n_specs;
  for (guint i = 0; i < n_specs; i++)
    params->values[i].spec = &specs[i];

  if (!by_name)
    {
      if (tokens->len > n_specs)
        {
          g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                       "too many parameters: got %u, expected at most %u", tokens->len, n_specs);
          return FALSE;
        }
      for (guint i = 0; i < tokens->len; i++)
        {
          const Token *token = g_ptr_array_index (tokens, i);

          if (token_is_null (token))
            continue;
          if (!od_param_check (&params->values[i], token, error))
            return FALSE;
        }
    }
  else
    {
      for (guint i = 0; i < tokens->len; i++)
        {
          const Token *token = g_ptr_array_index (tokens, i);
          OdParam *param = NULL;

          for (guint j = 0; j < n_specs; j++)
            if (strcmp (specs[j].name, token->key) == 0)
              param = &params->values[j];
          if (param == NULL)
            {
              g_autofree char *shown = g_utf8_make_valid (token->key, -1);

              g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS, "unknown parameter: %s",
                           shown);
              return FALSE;
            }
          if (param->token != NULL)
            {
              g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "duplicate json names: %s", token->key);
              return FALSE;
            }
          param->token = token;
          if (token_is_null (token))
            continue;
          if (!od_param_check (param, token, error))
            return FALSE;
        }
    }

  for (guint i = 0; i < n_specs; i++)
    if (specs[i].required && !params->values[i].present)
      {
        g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                     "missing required parameter: %s", specs[i].name);
        return FALSE;
      }

  return TRUE;
}

/* JsonNode params -> tokens. */
static GPtrArray *
tokens_from_node (JsonNode  *params,
                  gboolean  *by_name,
                  GError   **error)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) token_free);
  g_autoptr(GList) members = NULL;
  JsonObject *object = NULL;
  JsonArray *array = NULL;
  guint n;

  *by_name = FALSE;
  if (params == NULL)
    return g_steal_pointer (&tokens);

  if (JSON_NODE_HOLDS_OBJECT (params))
    {
      object = json_node_get_object (params);
      members = json_object_get_members (object);
      n = g_list_length (members);
      *by_name = TRUE;
    }
  else if (JSON_NODE_HOLDS_ARRAY (params))
    {
      array = json_node_get_array (params);
      n = json_array_get_length (array);
    }
  else
    {
      g_set_error (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
                   "Expected array or object for params");
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      Token *token = g_new0 (Token, 1);
      JsonNode *node;

      if (object != NULL)
        {
          const char *key = g_list_nth_data (members, i);

          token->key = g_strdup (key);
          node = json_object_get_member (object, key);
        }
      else
        {
          node = json_array_get_element (array, i);
        }
      g_ptr_array_add (tokens, token);

      switch (json_node_get_node_type (node))
        {
        case JSON_NODE_NULL:
          token->kind = TOKEN_PRIMITIVE;
          token->text = g_strdup ("null");
          break;

        case JSON_NODE_VALUE:
          {
            GType type = json_node_get_value_type (node);

            if (type == G_TYPE_STRING)
              {
                token->kind = TOKEN_STRING;
                token->text = g_strdup (json_node_get_string (node));
              }
            else if (type == G_TYPE_BOOLEAN)
              {
                token->kind = TOKEN_PRIMITIVE;
                token->text = g_strdup (json_node_get_boolean (node) ? "true" : "false");
              }
            else if (type == G_TYPE_DOUBLE)
              {
                char buf[G_ASCII_DTOSTR_BUF_SIZE];

                token->kind = TOKEN_PRIMITIVE;
                token->text = g_strdup (g_ascii_dtostr (buf, sizeof buf,
                                                        json_node_get_double (node)));
              }
            else
              {
                token->kind = TOKEN_PRIMITIVE;
                token->text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
              }
            break;
          }

        case JSON_NODE_ARRAY:
        case JSON_NODE_OBJECT:
        default:
          token->kind = TOKEN_CONTAINER;
          token->node = json_node_copy (node);
          token->text = json_to_string (node, FALSE);
          break;
        }
    }

  return g_steal_pointer (&tokens);
}

/* JSON text params -> tokens: a small reader for the top level only, keeping each value's text
 * (Core Lightning reads the raw token of each parameter; JSON-GLib would lose number text and
 * \u escapes).  Nested arrays/objects are kept as text and parsed by JSON-GLib when used. */

typedef struct
{
  const char *start;
  const char *p;
} Reader;

static void
reader_skip_space (Reader *r)
{
  while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
    r->p++;
}

static gboolean
reader_fail (Reader      *r,
             const char  *what,
             GError     **error)
{
  g_set_error (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
               "Malformed JSON params: %s at offset %" G_GSIZE_FORMAT, what,
               (gsize) (r->p - r->start));
  return FALSE;
}

static int
read_hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* At a '"': decodes the string into out.  Bytes other than escapes are kept as given (control
 * characters and invalid UTF-8 included: the parameter's type judges them). */
static gboolean
reader_string (Reader    *r,
               GString   *out,
               gboolean  *u_escape,
               GError   **error)
{
  g_assert (*r->p == '"');
  r->p++;

  for (;;)
    {
      char c = *r->p;

      if (c == '\0')
        return reader_fail (r, "unterminated string", error);
      r->p++;
      if (c == '"')
        return TRUE;
      if (c != '\\')
        {
          g_string_append_c (out, c);
          continue;
        }

      c = *r->p++;
      switch (c)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int unit = read_hex4 (r->p);
            gunichar ch;

            if (unit < 0)
              return reader_fail (r, "bad \\u escape", error);
            r->p += 4;
            *u_escape = TRUE;
            ch = (gunichar) unit;
            if (unit >= 0xd800 && unit <= 0xdbff && r->p[0] == '\\' && r->p[1] == 'u')
              {
                int low = read_hex4 (r->p + 2);

                if (low >= 0xdc00 && low <= 0xdfff)
                  {
                    ch = 0x10000 + (((gunichar) unit - 0xd800) << 10) + ((gunichar) low - 0xdc00);
                    r->p += 6;
                  }
              }
            if (ch == 0)
              return reader_fail (r, "\\u0000 in a string", error);
            if (ch >= 0xd800 && ch <= 0xdfff)
              return reader_fail (r, "lone surrogate in a \\u escape", error);
            g_string_append_unichar (out, ch);
            break;
          }
        default:
          r->p--;
          return reader_fail (r, "bad escape", error);
        }
    }
}

/* At a '[' or '{': the text up to the matching bracket. */
static gboolean
reader_container (Reader  *r,
                  char   **text,
                  GError **error)
{
  const char *begin = r->p;
  int depth = 0;

  do
    {
      char c = *r->p;

      if (c == '\0')
        return reader_fail (r, "unterminated array or object", error);
      if (c == '"')
        {
          g_autoptr(GString) ignored = g_string_new (NULL);
          gboolean u = FALSE;

          if (!reader_string (r, ignored, &u, error))
            return FALSE;
          continue;
        }
      if (c == '[' || c == '{')
        depth++;
      else if (c == ']' || c == '}')
        depth--;
      r->p++;
    }
  while (depth > 0);

  *text = g_strndup (begin, r->p - begin);

  return TRUE;
}

static gboolean
reader_value (Reader  *r,
              Token   *token,
              GError **error)
{
  if (*r->p == '"')
    {
      g_autoptr(GString) text = g_string_new (NULL);

      if (!reader_string (r, text, &token->u_escape, error))
        return FALSE;
      token->kind = TOKEN_STRING;
      token->text = g_string_free (g_steal_pointer (&text), FALSE);
      return TRUE;
    }
  if (*r->p == '[' || *r->p == '{')
    {
      token->kind = TOKEN_CONTAINER;
      return reader_container (r, &token->text, error);
    }
  else
    {
      const char *begin = r->p;

      while (*r->p != '\0' && strchr (" \t\r\n,]}:", *r->p) == NULL)
        r->p++;
      if (r->p == begin)
        return reader_fail (r, "expected a value", error);
      token->kind = TOKEN_PRIMITIVE;
      token->text = g_strndup (begin, r->p - begin);
      return TRUE;
    }
}

static GPtrArray *
tokens_from_text (const char  *text,
                  gboolean    *by_name,
                  GError     **error)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) token_free);
  Reader r = { text, text };
  char close;

  *by_name = FALSE;
  reader_skip_space (&r);
  if (*r.p == '\0')
    return g_steal_pointer (&tokens);
  if (*r.p == '{')
    *by_name = TRUE;
  else if (*r.p != '[')
    {
      g_set_error (error, OD_ERROR, OD_ERROR_INVALID_REQUEST,
                   "Expected array or object for params");
      return NULL;
    }
  close = *by_name ? '}' : ']';
  r.p++;

  reader_skip_space (&r);
  if (*r.p == close)
    r.p++;
  else
    for (;;)
      {
        Token *token = g_new0 (Token, 1);

        g_ptr_array_add (tokens, token);
        reader_skip_space (&r);
        if (*by_name)
          {
            g_autoptr(GString) key = g_string_new (NULL);
            gboolean u = FALSE;

            if (*r.p != '"')
              {
                reader_fail (&r, "expected a parameter name", error);
                return NULL;
              }
            if (!reader_string (&r, key, &u, error))
              return NULL;
            token->key = g_string_free (g_steal_pointer (&key), FALSE);
            reader_skip_space (&r);
            if (*r.p != ':')
              {
                reader_fail (&r, "expected ':'", error);
                return NULL;
              }
            r.p++;
            reader_skip_space (&r);
          }
        if (!reader_value (&r, token, error))
          return NULL;
        reader_skip_space (&r);
        if (*r.p == ',')
          {
            r.p++;
            continue;
          }
        if (*r.p == close)
          {
            r.p++;
            break;
          }
        reader_fail (&r, "expected ',' or the end of the params", error);
        return NULL;
      }

  reader_skip_space (&r);
  if (*r.p != '\0')
    {
      reader_fail (&r, "text after the params", error);
      return NULL;
    }

  return g_steal_pointer (&tokens);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Handlers                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef JsonNode *(*OdCommandFunc) (OdCommands      *self,
                                    const OdParams  *params,
                                    GError         **error);

struct _OdCommand
{
  const char    *name;
  OdCommandFunc  handler;
  const char    *description;  /* one line */
  const char    *verbose;      /* what it does and returns, in a few sentences */
  OdParamSpec    params[OD_MAX_PARAMS + 1];
};

static const OdCommand *find_command  (const char      *name);
static char            *command_usage (const OdCommand *command);

static guint64
now_seconds (void)
{
  return (guint64) (g_get_real_time () / G_USEC_PER_SEC);
}

static JsonNode *
cmd_decode (OdCommands      *self,
            const OdParams  *params,
            GError         **error)
{
  const char *text = od_params_get_string (params, "string");
  g_autoptr(GError) local_error = NULL;
  JsonNode *result;

  result = bolt12_decode_json (text, now_seconds (), &local_error);
  if (result == NULL)
    {
      od_param_error (error, "string", "%s", local_error->message);
      return NULL;
    }

  return result;
}

static void
add_help_entry (JsonBuilder     *builder,
                const OdCommand *command)
{
  g_autofree char *usage = command_usage (command);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command->name);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, "offerdesk");
  json_builder_set_member_name (builder, "usage");
  json_builder_add_string_value (builder, usage);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, command->description);
  json_builder_set_member_name (builder, "verbose");
  json_builder_add_string_value (builder, od_commands_help (command->name));
  json_builder_end_object (builder);
}

static JsonNode *
cmd_help (OdCommands      *self,
          const OdParams  *params,
          GError         **error)
{
  const char *name = od_params_get_string (params, "command");
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help");
  json_builder_begin_array (builder);
  if (name != NULL)
    {
      const OdCommand *command = find_command (name);

      if (command == NULL)
        {
          g_set_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND, "Unknown command '%s'", name);
          return NULL;
        }
      add_help_entry (builder, command);
    }
  else
    {
      for (const char * const *names = od_commands_list (); *names != NULL; names++)
        add_help_entry (builder, find_command (*names));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
cmd_getinfo (OdCommands      *self,
             const OdParams  *params,
             GError         **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "network");
  json_builder_add_string_value (builder, self->network);
  json_builder_set_member_name (builder, "data_dir");
  json_builder_add_string_value (builder, self->data_dir);
  json_builder_set_member_name (builder, "backend");
  json_builder_add_string_value (builder, "embedded");
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ------------------------------------------------------------------------------------------ */
/* 3. The table                                                                               */
/* ------------------------------------------------------------------------------------------ */

static const OdCommand commands[] = {
  {
    "decode", cmd_decode,
    "Decode a BOLT 12 offer, invoice request or invoice and show its fields.",
    "Decodes a BOLT 12 string (lno1… offer, lnr1… invoice request, lni1… invoice), checks every "
    "rule a reader of it must apply, and returns its fields under Core Lightning's `decode` "
    "names: type, valid, offer_id, offer_*, offer_recurrence, invreq_*, invoice_*, signature, "
    "unknown_*_tlvs and warnings. \"expired\": true is added when the offer (or invoice) has "
    "expired; that is reported apart from validity. The chain is not checked. A string that "
    "breaks a rule is an error -32602 \"string: <reason>\".",
    {
      { "string", OD_PARAM_TOKEN, TRUE,
        "The BOLT 12 string, in lower or upper case, possibly split with '+'. A lightning: "
        "prefix or a BIP 321 URI (bitcoin:?lno=…) is accepted." },
      { NULL }
    }
  },
  {
    "getinfo", cmd_getinfo,
    "Show this Offerdesk's network and data directory.",
    "Returns network (the chain offers are made for), data_dir (where the store is kept) and "
    "backend (\"embedded\": a local key and a local database).",
    {
      { NULL }
    }
  },
  {
    "help", cmd_help,
    "Show the commands, or one command, with their parameters.",
    "Returns {\"help\": [{command, category, usage, description, verbose}]} for every command, "
    "or for the one named. An unknown command is error -32601.",
    {
      { "command", OD_PARAM_STRING, FALSE, "The command to describe; all commands when absent." },
      { NULL }
    }
  },
  { NULL }
};

static const OdCommand *
find_command (const char *name)
{
  for (const OdCommand *command = commands; command->name != NULL; command++)
    if (strcmp (command->name, name) == 0)
      return command;

  return NULL;
}

/* "name req [opt]…" */
static char *
command_usage (const OdCommand *command)
{
  GString *usage = g_string_new (command->name);

  for (const OdParamSpec *spec = command->params; spec->name != NULL; spec++)
    g_string_append_printf (usage, spec->required ? " %s" : " [%s]", spec->name);

  return g_string_free (usage, FALSE);
}

/* Appends text wrapped at 80 columns, every line indented. */
static void
append_wrapped (GString    *out,
                const char *indent,
                const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  gsize column = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]);

      if (column > 0 && column + 1 + len > 80)
        {
          g_string_append_c (out, '\n');
          column = 0;
        }
      if (column == 0)
        {
          g_string_append (out, indent);
          column = strlen (indent);
        }
      else
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += len;
    }
  g_string_append_c (out, '\n');
}

static char *
command_help_text (const OdCommand *command)
{
  g_autofree char *usage = command_usage (command);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n", usage);
  append_wrapped (text, "    ", command->description);
  append_wrapped (text, "    ", command->verbose);
  for (const OdParamSpec *spec = command->params; spec->name != NULL; spec++)
    {
      g_autofree char *line = g_strdup_printf ("%s (%s): %s", spec->name,
                                               spec->required ? "required" : "optional",
                                               spec->doc);

      append_wrapped (text, "    ", line);
    }

  return g_string_free (text, FALSE);
}

const char * const *
od_commands_list (void)
{
  static const char **names = NULL;

  if (g_once_init_enter (&names))
    {
      GPtrArray *array = g_ptr_array_new ();

      for (const OdCommand *command = commands; command->name != NULL; command++)
        g_ptr_array_add (array, (gpointer) command->name);
      g_ptr_array_add (array, NULL);
      g_once_init_leave (&names, (const char **) g_ptr_array_free (array, FALSE));
    }

  return names;
}

const char *
od_commands_help (const char *method)
{
  static char **texts = NULL;
  const OdCommand *command;

  g_return_val_if_fail (method != NULL, NULL);

  if (g_once_init_enter (&texts))
    {
      guint n = g_strv_length ((char **) od_commands_list ());
      char **array = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        array[i] = command_help_text (&commands[i]);
      g_once_init_leave (&texts, array);
    }

  command = find_command (method);
  if (command == NULL)
    return NULL;

  return texts[command - commands];
}

const char * const *
od_network_names (void)
{
  return networks;
}

gboolean
od_network_is_valid (const char *network)
{
  return network != NULL && g_strv_contains (networks, network);
}

OdCommands *
od_commands_new (const char *data_dir,
                 const char *network)
{
  OdCommands *self;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (!od_network_is_valid (network))
    return NULL;

  self = g_new0 (OdCommands, 1);
  self->data_dir = g_strdup (data_dir);
  self->network = g_strdup (network);

  return self;
}

void
od_commands_free (OdCommands *self)
{
  if (self == NULL)
    return;

  g_free (self->data_dir);
  g_free (self->network);
  g_free (self);
}

const char *
od_commands_get_network (OdCommands *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->network;
}

const char *
od_commands_get_data_dir (OdCommands *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data_dir;
}

static JsonNode *
call_with_tokens (OdCommands  *self,
                  const char  *method,
                  GPtrArray   *tokens,
                  gboolean     by_name,
                  GError     **error)
{
  const OdCommand *command = find_command (method);
  OdParams params = { 0 };
  JsonNode *result = NULL;

  if (command == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (method, -1);

      g_set_error (error, OD_ERROR, OD_ERROR_METHOD_NOT_FOUND, "Unknown command '%s'", shown);
      return NULL;
    }

  params.command = command;
  if (od_params_bind (&params, command->params, tokens, by_name, error))
    {
      result = command->handler (self, &params, error);
      g_assert (result != NULL || error == NULL || *error != NULL);
    }
  od_params_clear (&params);

  return result;
}

JsonNode *
od_commands_call (OdCommands  *self,
                  const char  *method,
                  JsonNode    *params,
                  GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tokens = tokens_from_node (params, &by_name, error);
  if (tokens == NULL)
    return NULL;

  return call_with_tokens (self, method, tokens, by_name, error);
}

JsonNode *
od_commands_call_json (OdCommands  *self,
                       const char  *method,
                       const char  *params_json,
                       GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  gboolean by_name = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tokens = tokens_from_text (params_json != NULL ? params_json : "", &by_name, error);
  if (tokens == NULL)
    return NULL;

  return call_with_tokens (self, method, tokens, by_name, error);
}
