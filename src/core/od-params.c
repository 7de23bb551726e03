/* od-params.c: binding a request's params to a command's parameter table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Moved here from od-commands.c unchanged, plus OdParamSpec.parse (a parameter grammar run as
 * the parameter is met, so errors come in Core Lightning's order).  See od-params.h.
 */

#include "config.h"

#include "od-params.h"

#include <string.h>

/* A parameter as received, before it is bound to a spec. */
typedef enum
{
  TOKEN_STRING,     /* text = the decoded string (bytes as given; UTF-8 not yet checked) */
  TOKEN_PRIMITIVE,  /* text = the literal as written: number, true, false, null */
  TOKEN_CONTAINER,  /* text = JSON text of the array/object; node when already parsed */
} TokenKind;

typedef struct _OdParamToken Token;

struct _OdParamToken
{
  char      *key;       /* NULL for positional */
  TokenKind  kind;
  char      *text;
  gboolean   u_escape;  /* a string written with a \u escape */
  JsonNode  *node;
};

static void
token_free (Token *token)
{
  g_free (token->key);
  g_free (token->text);
  g_clear_pointer (&token->node, json_node_unref);
  g_free (token);
}

void
od_params_clear (OdParams *params)
{
  for (guint i = 0; i < params->n_params; i++)
    {
      g_clear_pointer (&params->values[i].json, json_node_unref);
      g_clear_pointer (&params->values[i].parsed, g_free);
    }
}

/* -32602 "<name>: <reason>", Core Lightning's shape for a parameter it could not use. */
void
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

/* Accessors */

gboolean
od_params_has (const OdParams *params,
               const char     *name)
{
  return od_params_lookup (params, name)->present;
}

/* STRING, ESCAPED_STRING, LABEL, TOKEN: the text; NULL when absent. */
const char *
od_params_get_string (const OdParams *params,
                      const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->str : NULL;
}

guint64
od_params_get_u64 (const OdParams *params,
                   const char     *name,
                   guint64         default_value)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->u64 : default_value;
}

gboolean
od_params_get_bool (const OdParams *params,
                    const char     *name,
                    gboolean        default_value)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->boolean : default_value;
}

/* NULL when absent. */
const guint8 *
od_params_get_sha256 (const OdParams *params,
                      const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->sha256 : NULL;
}

JsonNode *
od_params_get_json (const OdParams *params,
                    const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->json : NULL;
}

gconstpointer
od_params_get_parsed (const OdParams *params,
                      const char     *name)
{
  const OdParam *param = od_params_lookup (params, name);

  return param->present ? param->parsed : NULL;
}

gboolean
od_parse_decimal (const char *text,
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
      if (param->spec->type == OD_PARAM_TOKEN && param->spec->parse != NULL)
        {
          g_autoptr(GError) local_error = NULL;

          param->parsed = param->spec->parse (token->text, &local_error);
          if (param->parsed == NULL)
            {
              od_param_error (error, name, "%s",
                              local_error != NULL ? local_error->message : "invalid token");
              return FALSE;
            }
        }
      return TRUE;

    case OD_PARAM_U64:
    case OD_PARAM_U32:
      {
        gboolean is_u64 = param->spec->type == OD_PARAM_U64;

        if (token->kind == TOKEN_CONTAINER
            || !od_parse_decimal (token->text, is_u64 ? G_MAXUINT64 : G_MAXUINT32, &param->u64))
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
gboolean
od_params_bind (OdParams           *params,
                const OdParamSpec  *specs,
                GPtrArray          *tokens,
                gboolean            by_name,
                GError            **error)
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
GPtrArray *
od_param_tokens_from_node (JsonNode  *params,
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

GPtrArray *
od_param_tokens_from_text (const char  *text,
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
