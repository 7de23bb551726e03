/* od-rate-commands.c: currencyconvert, setrate, listrates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `currencyconvert` is Core Lightning's plugin API (cln-notes.md §6): an amount in the
 * currency's major unit (a JSON number, possibly fractional) -> {"msat": N}, answered by the
 * rate providers (od-rates.h).  `setrate` / `listrates` manage the embedded provider's rates.
 */

#include "config.h"

#include "od-commands-private.h"

#include "bolt12.h"

/* Parameter grammars */

static gpointer
parse_amount_number (const char  *text,
                     GError     **error)
{
  g_autoptr(OdDecimal) decimal = od_decimal_parse (text);

  if (decimal == NULL)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "should be a non-negative number");
      return NULL;
    }

  /* The handler parses the text again: parsed values are plain allocations. */
  return g_strdup (text);
}

static gpointer
parse_currency_code (const char  *text,
                     GError     **error)
{
  if (bolt12_currency_lookup (text) == NULL)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "should be an ISO 4217 currency code, like USD");
      return NULL;
    }

  return g_strdup (text);
}

static gpointer
parse_msat_per_unit (const char  *text,
                     GError     **error)
{
  g_autofree guint64 *value = g_new0 (guint64, 1);

  if (!od_parse_decimal (text, G_MAXUINT64, value) || *value == 0)
    {
      g_set_error_literal (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                           "should be a positive integer");
      return NULL;
    }
  if (*value > BOLT12_MAX_MSAT)
    {
      g_set_error (error, OD_ERROR, OD_ERROR_INVALID_PARAMS,
                   "should be at most %" G_GUINT64_FORMAT " (21 million bitcoin)",
                   BOLT12_MAX_MSAT);
      return NULL;
    }

  return g_steal_pointer (&value);
}

/* Results */

static JsonObject *
rate_object (const OdRate *rate)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "currency", rate->currency);
  od_json_set_u64 (object, "msat_per_unit", rate->msat_per_unit);
  json_object_set_int_member (object, "updated_at", rate->updated_at);

  return object;
}

/* Handlers */

static JsonNode *
cmd_currencyconvert (OdCommands      *self,
                     const OdParams  *params,
                     GError         **error)
{
  const char *currency = od_params_get_parsed (params, "currency");
  g_autoptr(OdDecimal) amount = od_decimal_parse (od_params_get_parsed (params, "amount"));
  g_autoptr(GError) local_error = NULL;
  JsonObject *result;
  guint64 msat = 0;

  if (!od_rates_convert (od_commands_get_rates (self), amount, currency, &msat, &local_error))
    {
      if (g_error_matches (local_error, OD_RATES_ERROR, OD_RATES_ERROR_NO_RATE))
        od_param_error (error, "currency", "%s", local_error->message);
      else if (g_error_matches (local_error, OD_RATES_ERROR, OD_RATES_ERROR_OVERFLOW))
        od_param_error (error, "amount", "%s", local_error->message);
      else
        od_commands_fail (error, local_error);
      return NULL;
    }

  result = json_object_new ();
  od_json_set_u64 (result, "msat", msat);

  return od_json_node_from_object (result);
}

static JsonNode *
cmd_setrate (OdCommands      *self,
             const OdParams  *params,
             GError         **error)
{
  const char *currency = od_params_get_parsed (params, "currency");
  guint64 msat_per_unit = *(const guint64 *) od_params_get_parsed (params, "msat_per_unit");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(OdRate) rate = NULL;
  OdStore *store;

  store = od_commands_get_store (self, TRUE, error);
  if (store == NULL)
    return NULL;
  if (!od_store_set_rate (store, currency, msat_per_unit, &local_error) ||
      (rate = od_store_get_rate (store, currency, &local_error)) == NULL)
    {
      od_commands_fail (error, local_error);
      return NULL;
    }

  return od_json_node_from_object (rate_object (rate));
}

static JsonNode *
cmd_listrates (OdCommands      *self,
               const OdParams  *params,
               GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rates = NULL;
  JsonObject *result;
  JsonArray *array;
  OdStore *store;

  store = od_commands_get_store (self, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (store != NULL && (rates = od_store_list_rates (store, &local_error)) == NULL)
    {
      od_commands_fail (error, local_error);
      return NULL;
    }

  array = json_array_new ();
  for (guint i = 0; rates != NULL && i < rates->len; i++)
    json_array_add_object_element (array, rate_object (g_ptr_array_index (rates, i)));
  result = json_object_new ();
  json_object_set_array_member (result, "rates", array);

  return od_json_node_from_object (result);
}

/* The table */

const OdCommand od_rate_commands[] = {
  {
    "currencyconvert", cmd_currencyconvert,
    "Convert an amount in a currency to millisatoshi at the current exchange rate.",
    "Returns {\"msat\": N}, N = amount × the rate, rounded half up, computed exactly on the "
    "decimal amount. The rate comes from the first rate provider that knows the currency "
    "(embedded: the rates set with setrate). No rate is error -32602 \"currency: no exchange "
    "rate for XYZ: …\", saying how to add one.",
    {
      { "amount", OD_PARAM_TOKEN, TRUE,
        "The amount in the currency's major unit, a non-negative number such as 2, 1.5 or "
        "0.01.", parse_amount_number },
      { "currency", OD_PARAM_TOKEN, TRUE, "The ISO 4217 code, upper case, like USD.",
        parse_currency_code },
      { NULL }
    }
  },
  {
    "setrate", cmd_setrate,
    "Set the exchange rate of a currency: how many millisatoshi one unit is worth.",
    "Stores the rate (replacing any earlier one) for currencyconvert and for offers priced in "
    "that currency, and returns {currency, msat_per_unit, updated_at}.",
    {
      { "currency", OD_PARAM_TOKEN, TRUE, "The ISO 4217 code, upper case, like USD.",
        parse_currency_code },
      { "msat_per_unit", OD_PARAM_TOKEN, TRUE,
        "Millisatoshi per one unit of the currency (major unit: 1 USD, 1 JPY), a positive "
        "integer.", parse_msat_per_unit },
      { NULL }
    }
  },
  {
    "listrates", cmd_listrates,
    "List the exchange rates set with setrate.",
    "Returns {\"rates\": [{currency, msat_per_unit, updated_at}]} sorted by currency code.",
    {
      { NULL }
    }
  },
  { NULL }
};
