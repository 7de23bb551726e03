/* od-signer.h: the local signing key (embedded backend)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key lives in <network dir>/issuer.key (see od-store.h for the layout): 64 hexadecimal
 * characters (the 32-byte secp256k1 secret key) and a newline, mode 0600, owned by the user.
 * It is written once, atomically, and never replaced; a key file that others can read or that
 * does not hold a valid key is refused and left as it is.  The secret is never logged, printed
 * or stored anywhere else, and is wiped from memory when the signer is freed.
 */

#pragma once

#include <glib.h>

#include "bolt12-message.h"

G_BEGIN_DECLS

#define OD_SIGNER_ERROR (od_signer_error_quark ())

typedef enum
{
  OD_SIGNER_ERROR_NOT_FOUND,   /* no key file, and create was FALSE */
  OD_SIGNER_ERROR_PERMISSIONS, /* the key file is readable or writable by others, or not ours */
  OD_SIGNER_ERROR_INVALID,     /* the key file does not hold a valid key */
  OD_SIGNER_ERROR_IO,          /* cannot read or write the key file */
  OD_SIGNER_ERROR_SIGN,        /* signing failed */
} OdSignerError;

GQuark od_signer_error_quark (void);

#define OD_SIGNER_FILENAME "issuer.key"

typedef struct _OdSigner OdSigner;

/* Reads <dir>/issuer.key; when it is missing and create is TRUE, generates a new key and writes
 * it (never replacing a key file another process wrote meanwhile). */
OdSigner      *od_signer_open         (const char     *dir,
                                       gboolean        create,
                                       GError        **error);
void           od_signer_free         (OdSigner       *signer);

/* The public key (compressed, 33 bytes): invreq_payer_id, getinfo's id. */
const guint8  *od_signer_get_id       (OdSigner       *signer);
/* The same as 66 lower-case hex characters. */
const char    *od_signer_id_hex       (OdSigner       *signer);
const char    *od_signer_get_path     (OdSigner       *signer);

/* Signs an invoice_request (or invoice) with the key: sets msg's signature field; the caller
 * then encodes it. */
gboolean       od_signer_sign_message (OdSigner       *signer,
                                       Bolt12Message  *msg,
                                       GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OdSigner, od_signer_free)

G_END_DECLS
