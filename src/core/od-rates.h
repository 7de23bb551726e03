/* od-rates.h: exchange-rate providers behind `currencyconvert`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An offer priced in a currency (offer_currency + offer_amount) is only made when some provider
 * knows that currency, as Core Lightning asks its `currencyconvert` plugin (cln-notes.md §6).
 * A provider is a struct of function pointers (OdRateProviderVTable), so a node backend can add
 * one that asks its node; OdRates asks its providers in the order they were added.
 *
 * The embedded provider keeps the merchant's own rates in the store (`setrate`, `listrates`)
 * and converts exactly: msat = round_half_up (amount × msat_per_unit), computed on the decimal
 * text of the amount (no binary floating point), overflow-checked.
 */

#pragma once

#include <glib.h>

#include "od-store.h"

G_BEGIN_DECLS

#define OD_RATES_ERROR (od_rates_error_quark ())

typedef enum
{
  OD_RATES_ERROR_NO_RATE,   /* no provider has a rate for that currency: the message says how
                               to add one */
  OD_RATES_ERROR_OVERFLOW,  /* the result is above 21 million bitcoin: "excessively large value" */
  OD_RATES_ERROR_FAILED,    /* the provider could not answer (database, node …) */
} OdRatesError;

GQuark od_rates_error_quark (void);

/* A non-negative decimal number, exactly as written: value = digits × 10^exponent. */
typedef struct
{
  char   *text;      /* as given */
  char   *digits;    /* significant digits, no leading zeros; "" for zero */
  gint64  exponent;
} OdDecimal;

/* JSON number grammar without a sign (leading zeros tolerated): 12, 1.5, 0.01, 2e3, 1.5E-2.
 * NULL for anything else (negative numbers included). */
OdDecimal  *od_decimal_parse      (const char       *text);
void        od_decimal_free       (OdDecimal        *decimal);

/* round_half_up (decimal × factor), exactly.  FALSE when the result is above max. */
gboolean    od_decimal_mul_round  (const OdDecimal  *decimal,
                                   guint64           factor,
                                   guint64           max,
                                   guint64          *result);

typedef struct _OdRateProvider OdRateProvider;

typedef struct
{
  const char *name;
  /* amount (major units) of currency (an ISO 4217 code) in msat.  OD_RATES_ERROR_NO_RATE when
   * this provider does not know the currency.  Must be callable from any thread. */
  gboolean  (*convert) (OdRateProvider   *provider,
                        const OdDecimal  *amount,
                        const char       *currency,
                        guint64          *msat,
                        GError          **error);
  void      (*free)    (OdRateProvider   *provider);
} OdRateProviderVTable;

/* Providers embed this as their first member. */
struct _OdRateProvider
{
  const OdRateProviderVTable *vtable;
};

/* The store the embedded provider reads rates from: NULL without an error when there is no
 * store yet (then no currency has a rate). */
typedef OdStore *(*OdRatesStoreFunc) (gpointer   data,
                                      GError   **error);

/* Rates set with `setrate`, read from the store that store_func gives (data is not owned). */
OdRateProvider *od_rate_provider_embedded_new (OdRatesStoreFunc  store_func,
                                               gpointer          data);

typedef struct _OdRates OdRates;

OdRates    *od_rates_new          (void);
void        od_rates_free         (OdRates          *rates);
/* Takes ownership of provider. */
void        od_rates_add_provider (OdRates          *rates,
                                   OdRateProvider   *provider);
/* The first provider that knows the currency answers.  When none does, the error is the first
 * provider's OD_RATES_ERROR_NO_RATE (or a generic one without providers). */
gboolean    od_rates_convert      (OdRates          *rates,
                                   const OdDecimal  *amount,
                                   const char       *currency,
                                   guint64          *msat,
                                   GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdDecimal, od_decimal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdRates, od_rates_free)

G_END_DECLS
