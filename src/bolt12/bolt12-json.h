/* bolt12-json.h: decode to JSON in Core Lightning's `decode` field names and shapes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "bolt12-message.h"

G_BEGIN_DECLS

/* The `decode` result object for a parsed message (cln-notes.md §1.10): type, valid, offer_id,
 * offer_*, offer_recurrence{…}, invreq_*, signature, invoice_*, unknown_*_tlvs, warnings.
 * now (unix seconds) decides the "expired" report, which is separate from validity. */
JsonNode *bolt12_message_to_json (const Bolt12Message *msg,
                                  guint64              now);

/* Whole decode: strips a lightning: / bitcoin:?lno= prefix, decodes, and returns the JSON
 * object; on failure returns NULL with the reason in error. */
JsonNode *bolt12_decode_json     (const char          *text,
                                  guint64              now,
                                  GError             **error);

G_END_DECLS
