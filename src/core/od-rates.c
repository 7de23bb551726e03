/* od-rates.c: exchange-rate providers behind `currencyconvert`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-rates.h"

#include <string.h>

#include "bolt12-types.h"

G_DEFINE_QUARK (od-rates-error-quark, od_rates_error)

/* Decimals */

/* Exponents are clamped here: far beyond any digit count a person types, and far from gint64
 * overflow when the fraction's length is subtracted. */
#define EXPONENT_CLAMP G_GINT64_CONSTANT (1000000000)

OdDecimal *
od_decimal_parse (const char *text)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *p = text;
  gint64 exponent = 0;
  gint64 frac_len = 0;
  OdDecimal *decimal;

  if (text == NULL || !g_ascii_isdigit (*p))
    return NULL;

  for (; g_ascii_isdigit (*p); p++)
    g_string_append_c (digits, *p);
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      for (; g_ascii_isdigit (*p); p++)
        {
          g_string_append_c (digits, *p);
          frac_len++;
        }
    }
  if (*p == 'e' || *p == 'E')
    {
      gboolean negative = FALSE;

      p++;
      if (*p == '+' || *p == '-')
        negative = *p++ == '-';
      if (!g_ascii_isdigit (*p))
        return NULL;
      for (; g_ascii_isdigit (*p); p++)
        exponent = MIN (exponent * 10 + (*p - '0'), EXPONENT_CLAMP);
      if (negative)
        exponent = -exponent;
    }
  if (*p != '\0')
    return NULL;

  decimal = g_new0 (OdDecimal, 1);
  decimal->text = g_strdup (text);
  decimal->digits = g_strdup (digits->str + strspn (digits->str, "0"));
  decimal->exponent = exponent - frac_len;

  return decimal;
}

void
od_decimal_free (OdDecimal *decimal)
{
  if (decimal == NULL)
    return;

  g_free (decimal->text);
  g_free (decimal->digits);
  g_free (decimal);
}

gboolean
od_decimal_mul_round (const OdDecimal *decimal,
                      guint64          factor,
                      guint64          max,
                      guint64         *result)
{
  gsize n;
  g_autofree guint8 *product = NULL;  /* decimal digits of digits × factor, least first */
  gsize len = 0;
  unsigned __int128 carry = 0;
  guint64 value = 0;
  gboolean round_up = FALSE;
  gsize first_integer;

  g_return_val_if_fail (decimal != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  n = strlen (decimal->digits);
  if (n == 0 || factor == 0)
    {
      *result = 0;
      return TRUE;
    }

  product = g_malloc (n + 21);
  for (gsize i = 0; i < n; i++)
    {
      unsigned __int128 acc = (unsigned __int128) (decimal->digits[n - 1 - i] - '0') * factor
                              + carry;

      product[len++] = (guint8) (acc % 10);
      carry = acc / 10;
    }
  while (carry > 0)
    {
      product[len++] = (guint8) (carry % 10);
      carry /= 10;
    }
  while (len > 1 && product[len - 1] == 0)
    len--;

  if (decimal->exponent >= 0)
    {
      /* An integer: product followed by exponent zeros. */
      if ((guint64) decimal->exponent > 20 || len + (gsize) decimal->exponent > 20)
        return FALSE;
      first_integer = 0;
    }
  else
    {
      guint64 k = (guint64) -decimal->exponent;  /* digits after the point */

      if (k > len)
        {
          *result = 0;  /* below 0.1 */
          return TRUE;
        }
      first_integer = (gsize) k;
      round_up = product[k - 1] >= 5;
    }

  for (gsize i = len; i > first_integer; i--)
    {
      guint digit = product[i - 1];

      if (value > (max - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  if (decimal->exponent > 0)
    for (gint64 i = 0; i < decimal->exponent; i++)
      {
        if (value > max / 10)
          return FALSE;
        value *= 10;
      }
  if (round_up)
    {
      if (value >= max)
        return FALSE;
      value++;
    }

  *result = value;
  return TRUE;
}

/* The embedded provider */

typedef struct
{
  OdRateProvider    parent;
  OdRatesStoreFunc  store_func;
  gpointer          data;
} EmbeddedProvider;

static void
set_no_rate (GError    **error,
             const char *currency)
{
  g_set_error (error, OD_RATES_ERROR, OD_RATES_ERROR_NO_RATE,
               "no exchange rate for %s: add one with 'offerdesk-cli setrate %s <msat per %s>'",
               currency, currency, currency);
}

static gboolean
embedded_convert (OdRateProvider   *provider,
                  const OdDecimal  *amount,
                  const char       *currency,
                  guint64          *msat,
                  GError          **error)
{
  EmbeddedProvider *self = (EmbeddedProvider *) provider;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(OdRate) rate = NULL;
  OdStore *store;

  store = self->store_func (self->data, &local_error);
  if (store == NULL && local_error != NULL)
    {
      g_set_error_literal (error, OD_RATES_ERROR, OD_RATES_ERROR_FAILED, local_error->message);
      return FALSE;
    }
  if (store == NULL)
    {
      set_no_rate (error, currency);
      return FALSE;
    }

  rate = od_store_get_rate (store, currency, &local_error);
  if (rate == NULL)
    {
      if (g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_NOT_FOUND)
          || g_error_matches (local_error, OD_STORE_ERROR, OD_STORE_ERROR_INVALID))
        set_no_rate (error, currency);
      else
        g_set_error_literal (error, OD_RATES_ERROR, OD_RATES_ERROR_FAILED, local_error->message);
      return FALSE;
    }

  if (!od_decimal_mul_round (amount, rate->msat_per_unit, BOLT12_MAX_MSAT, msat))
    {
      g_set_error_literal (error, OD_RATES_ERROR, OD_RATES_ERROR_OVERFLOW,
                           "excessively large value");
      return FALSE;
    }

  return TRUE;
}

static void
embedded_free (OdRateProvider *provider)
{
  g_free (provider);
}

static const OdRateProviderVTable embedded_vtable = {
  "embedded",
  embedded_convert,
  embedded_free,
};

OdRateProvider *
od_rate_provider_embedded_new (OdRatesStoreFunc store_func,
                               gpointer         data)
{
  EmbeddedProvider *self;

  g_return_val_if_fail (store_func != NULL, NULL);

  self = g_new0 (EmbeddedProvider, 1);
  self->parent.vtable = &embedded_vtable;
  self->store_func = store_func;
  self->data = data;

  return &self->parent;
}

/* The chain */

struct _OdRates
{
  GPtrArray *providers;
};

static void
provider_free (OdRateProvider *provider)
{
  provider->vtable->free (provider);
}

OdRates *
od_rates_new (void)
{
  OdRates *rates = g_new0 (OdRates, 1);

  rates->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);

  return rates;
}

void
od_rates_free (OdRates *rates)
{
  if (rates == NULL)
    return;

  g_ptr_array_unref (rates->providers);
  g_free (rates);
}

void
od_rates_add_provider (OdRates        *rates,
                       OdRateProvider *provider)
{
  g_return_if_fail (rates != NULL);
  g_return_if_fail (provider != NULL && provider->vtable != NULL);

  g_ptr_array_add (rates->providers, provider);
}

gboolean
od_rates_convert (OdRates          *rates,
                  const OdDecimal  *amount,
                  const char       *currency,
                  guint64          *msat,
                  GError          **error)
{
  g_autoptr(GError) first_no_rate = NULL;

  g_return_val_if_fail (rates != NULL, FALSE);
  g_return_val_if_fail (amount != NULL && currency != NULL && msat != NULL, FALSE);

  for (guint i = 0; i < rates->providers->len; i++)
    {
      OdRateProvider *provider = g_ptr_array_index (rates->providers, i);
      g_autoptr(GError) local_error = NULL;

      if (provider->vtable->convert (provider, amount, currency, msat, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, OD_RATES_ERROR, OD_RATES_ERROR_NO_RATE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (first_no_rate == NULL)
        first_no_rate = g_steal_pointer (&local_error);
    }

  if (first_no_rate != NULL)
    g_propagate_error (error, g_steal_pointer (&first_no_rate));
  else
    g_set_error (error, OD_RATES_ERROR, OD_RATES_ERROR_NO_RATE,
                 "no exchange rate provider for %s", currency);

  return FALSE;
}
