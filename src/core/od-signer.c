/* od-signer.c: the local signing key (embedded backend)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Key file format: 64 hexadecimal characters (either case; written in lower case) followed by
 * one "\n" (optional on reading), nothing else.  Text rather than 32 raw bytes so a person can
 * back it up or compare it with a pen; never printed by Offerdesk itself.
 *
 * Writing: the key goes to a temporary file created O_CREAT|O_EXCL with mode 0600 in the same
 * directory, is fsync'ed, then moved to issuer.key with renameat2(RENAME_NOREPLACE) (or link(2)
 * where the file system lacks it), and the directory is fsync'ed.  Unlike rename(2) this never
 * replaces a key another process wrote meanwhile: the loser reads the winner's key.
 */

#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */

#include "config.h"

#include "od-signer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bolt12-merkle.h"

#define KEY_HEX_LEN 64

struct _OdSigner
{
  guint8  seckey[32];
  guint8  pubkey[33];
  char    id_hex[2 * 33 + 1];
  char   *path;
};

G_DEFINE_QUARK (od-signer-error-quark, od_signer_error)

typedef enum
{
  KEY_READ,
  KEY_MISSING,
  KEY_ERROR,
} KeyResult;

static void
hex_encode (const guint8 *data,
            gsize         len,
            char         *out)
{
  static const char digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[2 * len] = '\0';
}

static gboolean
hex_decode (const char *hex,
            gsize       len,
            guint8     *out)
{
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* "<what> <path>: <strerror>" */
static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_IO, "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

/* Reads and checks the key file; leaves it untouched whatever it holds. */
static KeyResult
read_key (const char  *path,
          guint8       seckey[32],
          GError     **error)
{
  char buf[KEY_HEX_LEN + 2];
  struct stat st;
  gssize n = 0;
  KeyResult result = KEY_ERROR;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return KEY_MISSING;
      set_errno_error (error, errno, "Could not read the key file", path);
      return KEY_ERROR;
    }

  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "Could not read the key file", path);
      goto out;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID,
                   "Key file %s is not a regular file; refusing to use it", path);
      goto out;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_PERMISSIONS,
                   "Key file %s belongs to another user (uid %u); refusing to use it",
                   path, (guint) st.st_uid);
      goto out;
    }
  if (st.st_mode & 077)
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_PERMISSIONS,
                   "Key file %s is %s by others (mode %04o); run chmod 600 %s",
                   path,
                   (st.st_mode & 044) ? "readable" : (st.st_mode & 022) ? "writable"
                                                                        : "accessible",
                   (guint) (st.st_mode & 07777), path);
      goto out;
    }

  if (st.st_size <= KEY_HEX_LEN + 1)
    {
      gsize total = 0;

      while (total < sizeof buf)
        {
          n = read (fd, buf + total, sizeof buf - total);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          total += (gsize) n;
        }
      if (n < 0)
        {
          set_errno_error (error, errno, "Could not read the key file", path);
          goto out;
        }
      n = (gssize) total;
    }
  else
    n = -1;

  if (!(n == KEY_HEX_LEN || (n == KEY_HEX_LEN + 1 && buf[KEY_HEX_LEN] == '\n')) ||
      !hex_decode (buf, 32, seckey))
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID,
                   "Key file %s does not hold a key (expected 64 hexadecimal characters and a "
                   "newline); it was left as it is", path);
      goto out;
    }
  if (!bolt12_seckey_valid (seckey))
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID,
                   "Key file %s does not hold a valid secp256k1 secret key; it was left as it is",
                   path);
      goto out;
    }

  result = KEY_READ;

out:
  explicit_bzero (buf, sizeof buf);
  if (result != KEY_READ)
    explicit_bzero (seckey, 32);
  close (fd);
  return result;
}

static gboolean
random_bytes (guint8  *out,
              gsize    len,
              GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = getrandom (out + got, len - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_IO,
                       "Could not get random bytes for a new key: %s", g_strerror (saved_errno));
          return FALSE;
        }
      got += (gsize) n;
    }

  return TRUE;
}

static gboolean
write_all (int           fd,
           const char   *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Moves tmp to path unless path exists: 1 moved, 0 path exists (tmp left), -1 error (errno). */
static int
move_no_replace (const char *tmp,
                 const char *path)
{
  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
    return 1;
  if (errno == EEXIST)
    return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    return -1;

  /* No RENAME_NOREPLACE on this file system: link(2) fails on an existing name too. */
  if (link (tmp, path) != 0)
    return errno == EEXIST ? 0 : -1;
  g_unlink (tmp);
  return 1;
}

/* Generates a key and writes it to path, unless a key file appeared meanwhile (then TRUE too:
 * the caller reads whatever is there). */
static gboolean
create_key (const char  *dir,
            const char  *path,
            GError     **error)
{
  g_autofree char *tmp = g_build_filename (dir, ".issuer.key.XXXXXX", NULL);
  guint8 seckey[32];
  char text[KEY_HEX_LEN + 2];
  gboolean ok = FALSE;
  int fd = -1;
  int moved;

  do
    {
      if (!random_bytes (seckey, sizeof seckey, error))
        goto out;
    }
  while (!bolt12_seckey_valid (seckey));
  hex_encode (seckey, sizeof seckey, text);
  text[KEY_HEX_LEN] = '\n';
  text[KEY_HEX_LEN + 1] = '\0';

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600); /* O_CREAT | O_EXCL */
  if (fd < 0)
    {
      set_errno_error (error, errno, "Could not create a key file in", dir);
      g_clear_pointer (&tmp, g_free);
      goto out;
    }
  if (fchmod (fd, 0600) != 0 ||
      !write_all (fd, text, KEY_HEX_LEN + 1) ||
      fsync (fd) != 0)
    {
      set_errno_error (error, errno, "Could not write the key file", path);
      goto out;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      set_errno_error (error, errno, "Could not write the key file", path);
      goto out;
    }
  fd = -1;

  moved = move_no_replace (tmp, path);
  if (moved < 0)
    {
      set_errno_error (error, errno, "Could not write the key file", path);
      goto out;
    }
  if (moved == 1)
    {
      int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      g_clear_pointer (&tmp, g_free); /* it is the key file now */
      if (dir_fd < 0 || fsync (dir_fd) != 0)
        {
          set_errno_error (error, errno, "Could not save the key file", path);
          if (dir_fd >= 0)
            close (dir_fd);
          goto out;
        }
      close (dir_fd);
    }

  ok = TRUE;

out:
  explicit_bzero (seckey, sizeof seckey);
  explicit_bzero (text, sizeof text);
  if (fd >= 0)
    close (fd);
  if (tmp != NULL)
    g_unlink (tmp);
  return ok;
}

OdSigner *
od_signer_open (const char  *dir,
                gboolean     create,
                GError     **error)
{
  g_autoptr(OdSigner) signer = NULL;
  KeyResult result;

  if (dir == NULL || *dir == '\0')
    {
      g_set_error_literal (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_IO,
                           "No directory given for the key file");
      return NULL;
    }

  signer = g_new0 (OdSigner, 1);
  signer->path = g_build_filename (dir, OD_SIGNER_FILENAME, NULL);

  result = read_key (signer->path, signer->seckey, error);
  if (result == KEY_MISSING && create)
    {
      if (!create_key (dir, signer->path, error))
        return NULL;
      result = read_key (signer->path, signer->seckey, error);
    }

  switch (result)
    {
    case KEY_READ:
      break;
    case KEY_MISSING:
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_NOT_FOUND,
                   "No key file %s", signer->path);
      return NULL;
    case KEY_ERROR:
    default:
      return NULL;
    }

  if (!bolt12_pubkey_from_seckey (signer->seckey, signer->pubkey))
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID,
                   "Key file %s does not hold a valid secp256k1 secret key", signer->path);
      return NULL;
    }
  hex_encode (signer->pubkey, sizeof signer->pubkey, signer->id_hex);

  return g_steal_pointer (&signer);
}

void
od_signer_free (OdSigner *signer)
{
  if (signer == NULL)
    return;

  explicit_bzero (signer->seckey, sizeof signer->seckey);
  g_free (signer->path);
  g_free (signer);
}

const guint8 *
od_signer_get_id (OdSigner *signer)
{
  g_return_val_if_fail (signer != NULL, NULL);

  return signer->pubkey;
}

const char *
od_signer_id_hex (OdSigner *signer)
{
  g_return_val_if_fail (signer != NULL, NULL);

  return signer->id_hex;
}

const char *
od_signer_get_path (OdSigner *signer)
{
  g_return_val_if_fail (signer != NULL, NULL);

  return signer->path;
}

gboolean
od_signer_sign_message (OdSigner       *signer,
                        Bolt12Message  *msg,
                        GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (signer != NULL, FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);

  if (!bolt12_message_sign (msg, signer->seckey, &local_error))
    {
      g_set_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_SIGN, "Could not sign: %s",
                   local_error != NULL ? local_error->message : "unknown error");
      return FALSE;
    }

  return TRUE;
}
