/* bolt12-types.h: shared types of the BOLT 12 layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BOLT12_ERROR (bolt12_error_quark ())

/* Error codes of the BOLT 12 layer.  The GError message is always a sentence a person can act
 * on, worded like Core Lightning's own reasons where one exists
 * (e.g. "Offer contains a currency with no amount"). */
typedef enum
{
  BOLT12_ERROR_STRING,    /* string layer: bad character, case, `+` join, padding, hrp */
  BOLT12_ERROR_TLV,       /* malformed TLV stream or a known field with a bad encoding */
  BOLT12_ERROR_INVALID,   /* well-formed, but breaks a reader rule of the spec */
  BOLT12_ERROR_SIGNATURE, /* signature missing where required, or does not verify */
  BOLT12_ERROR_GRAMMAR,   /* amount / recurrence / paywindow text does not parse */
  BOLT12_ERROR_RANGE,     /* a value out of range or an arithmetic overflow */
} Bolt12Error;

GQuark bolt12_error_quark (void);

/* 21 million BTC in msat: the BOLT 1 ceiling for any msat amount. */
#define BOLT12_MAX_MSAT G_GUINT64_CONSTANT (0x1d24b2dfac520000)

typedef enum
{
  BOLT12_KIND_OFFER,           /* hrp "lno" */
  BOLT12_KIND_INVOICE_REQUEST, /* hrp "lnr" */
  BOLT12_KIND_INVOICE,         /* hrp "lni" */
} Bolt12Kind;

/* One TLV record, pointing into the stream it was parsed from (or built into). */
typedef struct
{
  guint64       type;
  const guint8 *value;
  gsize         length;     /* length of value */
  const guint8 *raw;        /* the whole record: BigSize type, BigSize length, value */
  gsize         raw_length;
} Bolt12Record;

G_END_DECLS
