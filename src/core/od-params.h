/* od-params.h: binding a request's params to a command's parameter table (core-internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A request's params (a JSON array: positional, in table order; or an object: by name) are
 * first turned into tokens, each keeping its text the way Core Lightning's jsmn tokens do, then
 * bound to the command's OdParamSpec table and checked by type with Core Lightning's generic
 * errors and order (cln-notes.md §1 "Conventions"): positional params in table order, named
 * params in the order their keys appear, each checked as it is met (a parameter with its own
 * grammar runs its OdParamParseFunc right there); then the first missing required parameter.
 * Handlers read the checked values with od_params_get_*().
 *
 * Every error is in OD_ERROR: -32600 for params that are neither an array nor an object or
 * malformed JSON text, -32602 "<name>: <reason>" for a parameter, "missing required
 * parameter: X", "unknown parameter: X", "too many parameters: …", "duplicate json names: X".
 */

#pragma once

#include <json-glib/json-glib.h>

#include "od-commands.h"

G_BEGIN_DECLS

typedef enum
{
  OD_PARAM_STRING,          /* JSON string (escapes decoded), UTF-8 */
  OD_PARAM_ESCAPED_STRING,  /* JSON string written without \u escapes (CLN param_escaped_string:
                               free text that goes on the wire: description, issuer, label) */
  OD_PARAM_LABEL,           /* JSON string, or a number literal taken as its text */
  OD_PARAM_TOKEN,           /* string or literal, as text: parsed by the spec's parse function,
                               or by the handler */
  OD_PARAM_U64,             /* decimal digits (number, or string of digits) */
  OD_PARAM_U32,
  OD_PARAM_BOOL,            /* the literals true / false */
  OD_PARAM_SHA256,          /* 64 hex digits (number-looking ids included) */
  OD_PARAM_JSON,            /* any JSON value, as a JsonNode */
} OdParamType;

/* A parameter grammar (OD_PARAM_TOKEN only): text is the token's text, valid UTF-8.  Returns the
 * parsed value (freed with g_free, so a plain struct or string), or NULL with an error whose
 * message is the reason alone: the binder reports -32602 "<name>: <reason>". */
typedef gpointer (*OdParamParseFunc) (const char  *text,
                                      GError     **error);

typedef struct
{
  const char       *name;
  OdParamType       type;
  gboolean          required;
  const char       *doc;    /* one sentence or two, English */
  OdParamParseFunc  parse;  /* OD_PARAM_TOKEN: NULL leaves the text to the handler */
} OdParamSpec;

#define OD_MAX_PARAMS 20

typedef struct _OdParamToken OdParamToken;

typedef struct
{
  const OdParamSpec  *spec;
  gboolean            present;
  const OdParamToken *token;
  /* The checked value, by type: */
  const char         *str;
  guint64             u64;
  gboolean            boolean;
  guint8              sha256[32];
  JsonNode           *json;     /* owned */
  gpointer            parsed;   /* owned: what spec->parse returned */
} OdParam;

typedef struct
{
  guint    n_params;
  OdParam  values[OD_MAX_PARAMS];
  /* od_commands_check(): the handler checks everything but writes and creates nothing. */
  gboolean check_only;
} OdParams;

/* Tokens (a GPtrArray of OdParamToken*): from a JsonNode (NULL: no params), or from JSON text
 * read the way Core Lightning reads a request (see od_commands_call_json()). */
GPtrArray     *od_param_tokens_from_node (JsonNode           *params,
                                          gboolean           *by_name,
                                          GError            **error);
GPtrArray     *od_param_tokens_from_text (const char         *text,
                                          gboolean           *by_name,
                                          GError            **error);

/* Binds tokens (all positional, or all named) to specs (terminated by a NULL name). */
gboolean       od_params_bind            (OdParams           *params,
                                          const OdParamSpec  *specs,
                                          GPtrArray          *tokens,
                                          gboolean            by_name,
                                          GError            **error);
void           od_params_clear           (OdParams           *params);

/* -32602 "<name>: <reason>", Core Lightning's shape for a parameter it could not use. */
void           od_param_error            (GError            **error,
                                          const char         *name,
                                          const char         *format,
                                          ...) G_GNUC_PRINTF (3, 4);

/* Accessors; name must be one of the command's parameters. */
gboolean       od_params_has             (const OdParams     *params,
                                          const char         *name);
/* STRING, ESCAPED_STRING, LABEL, TOKEN: the text; NULL when absent. */
const char    *od_params_get_string      (const OdParams     *params,
                                          const char         *name);
guint64        od_params_get_u64         (const OdParams     *params,
                                          const char         *name,
                                          guint64             default_value);
gboolean       od_params_get_bool        (const OdParams     *params,
                                          const char         *name,
                                          gboolean            default_value);
/* NULL when absent. */
const guint8  *od_params_get_sha256      (const OdParams     *params,
                                          const char         *name);
JsonNode      *od_params_get_json        (const OdParams     *params,
                                          const char         *name);
/* What the spec's parse function returned; NULL when absent. */
gconstpointer  od_params_get_parsed      (const OdParams     *params,
                                          const char         *name);

/* Decimal digits only, at most max: the u64 / u32 parameter rule. */
gboolean       od_parse_decimal          (const char         *text,
                                          guint64             max,
                                          guint64            *out);

G_END_DECLS
