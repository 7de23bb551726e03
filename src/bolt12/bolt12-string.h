/* bolt12-string.h: the BOLT 12 string layer (bech32 without checksum, `+` joins, case)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"

G_BEGIN_DECLS

/* "lno", "lnr", "lni" */
const char *bolt12_kind_hrp     (Bolt12Kind  kind);
gboolean    bolt12_kind_from_hrp (const char *hrp,
                                  Bolt12Kind *kind);

/* Decodes a BOLT 12 string: removes each `+` and the ASCII whitespace after it when the run sits
 * between two bech32 characters (format-string-test.json), rejects mixed case, splits at the
 * last '1', checks the bech32 alphabet and strict padding (< 5 leftover bits, all zero), and
 * rejects an empty payload.  No checksum, no length limit.  `len` may be -1 for a NUL-terminated
 * string.  On success *hrp is the lower-case hrp (any hrp; the caller checks it) and *data the
 * decoded bytes.  Errors: BOLT12_ERROR_STRING. */
gboolean    bolt12_string_decode (const char  *str,
                                  gssize       len,
                                  char       **hrp,
                                  GBytes     **data,
                                  GError     **error);

/* Encodes bytes as hrp + "1" + bech32 data (no checksum), all lower-case or all upper-case. */
char       *bolt12_string_encode (const char   *hrp,
                                  const guint8 *data,
                                  gsize         len,
                                  gboolean      upper);

/* Strips a URI wrapper: "lightning:" (any case) or a BIP 321 URI "bitcoin:[addr]?…lno=…" (scheme
 * and keys case-insensitive, value percent-decoded; the first lno key wins, else the first lnr/lni;
 * a `req-` key makes the URI invalid, since we support none).  The caller strips surrounding
 * whitespace.  A string without a scheme is returned as it is
 * (a copy).  Errors: BOLT12_ERROR_STRING. */
char       *bolt12_uri_extract   (const char  *text,
                                  GError     **error);

/* "bitcoin:?lno=<offer>" (BIP 321) for an unsplit lno offer; "BITCOIN:?LNO=<OFFER>" when upper. */
char       *bolt12_uri_build     (const char  *bolt12,
                                  gboolean     upper);

G_END_DECLS
