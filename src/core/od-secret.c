/* od-secret.c: where the rune is kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The keyring first (libsecret, when built with it and a Secret Service answers on the session
 * bus), else a file only the user can read.  A keyring that hangs (no service and a bus that
 * tries to activate one, a locked collection waiting on a prompt nobody sees) must not freeze
 * the till: every keyring operation runs under a short watchdog that cancels it, and any
 * keyring failure falls back to the file.  OFFERDESK_NO_KEYRING=1 skips the keyring (tests,
 * and users who prefer the file).
 *
 * Whichever store takes the rune, the other one is cleared, so a lookup never finds an old
 * rune in the place it looks first.  The rune itself is never logged.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#ifdef HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif

#include "od-backend.h"

#define KEYRING_TIMEOUT_MS 3000

static char *
normalize_url (const char *url)
{
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    len--;
  return g_strndup (url, len);
}

static char *
rune_file_path (const char *data_dir,
                const char *url)
{
  g_autofree char *key = normalize_url (url);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strdup_printf ("rune-%.16s", digest);

  return g_build_filename (data_dir, name, NULL);
}

static gboolean
file_error (GError     **error,
            int          saved_errno,
            const char  *action,
            const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "Cannot %s %s: %s", action, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
file_store (const char  *data_dir,
            const char  *url,
            const char  *rune,
            GError     **error)
{
  g_autofree char *path = rune_file_path (data_dir, url);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    return file_error (error, errno, "create", data_dir);
  /* The directory may have existed with a wider mode. */
  if (g_chmod (data_dir, 0700) != 0)
    return file_error (error, errno, "restrict to its owner", data_dir);

  return g_file_set_contents_full (path, rune, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static char *
file_lookup (const char  *data_dir,
             const char  *url,
             GError     **error)
{
  g_autofree char *path = rune_file_path (data_dir, url);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_strstrip (contents);
  if (*contents == '\0')
    return NULL;

  return g_steal_pointer (&contents);
}

static gboolean
file_clear (const char  *data_dir,
            const char  *url,
            GError     **error)
{
  g_autofree char *path = rune_file_path (data_dir, url);

  if (g_unlink (path) != 0 && errno != ENOENT)
    return file_error (error, errno, "remove", path);

  return TRUE;
}

#ifdef HAVE_LIBSECRET

static const SecretSchema *
rune_schema (void)
{
  static const SecretSchema schema = {
    "io.github.offerdesk.Offerdesk.Rune", SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* Cancels a keyring operation that takes longer than KEYRING_TIMEOUT_MS. */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  GCancellable *cancellable;
  GThread      *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + KEYRING_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&dog->mutex);
  while (!dog->done)
    {
      if (!g_cond_wait_until (&dog->cond, &dog->mutex, deadline))
        {
          g_cancellable_cancel (dog->cancellable);
          break;
        }
    }
  g_mutex_unlock (&dog->mutex);

  return NULL;
}

static void
watchdog_start (Watchdog *dog)
{
  g_mutex_init (&dog->mutex);
  g_cond_init (&dog->cond);
  dog->done = FALSE;
  dog->cancellable = g_cancellable_new ();
  dog->thread = g_thread_new ("od-keyring-watchdog", watchdog_thread, dog);
}

static void
watchdog_stop (Watchdog *dog)
{
  g_mutex_lock (&dog->mutex);
  dog->done = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->mutex);

  g_thread_join (dog->thread);
  g_clear_object (&dog->cancellable);
  g_cond_clear (&dog->cond);
  g_mutex_clear (&dog->mutex);
}

static gboolean
keyring_wanted (void)
{
  const char *off = g_getenv ("OFFERDESK_NO_KEYRING");

  if (off != NULL && *off != '\0' && !g_str_equal (off, "0"))
    return FALSE;

  /* Without a session bus there is no Secret Service, and D-Bus autolaunch would only add
   * delay. */
  return g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL ||
         g_getenv ("XDG_RUNTIME_DIR") != NULL;
}

static gboolean
keyring_store (const char *url,
               const char *rune)
{
  g_autofree char *key = normalize_url (url);
  g_autofree char *label = g_strdup_printf ("Offerdesk rune for %s", key);
  g_autoptr(GError) error = NULL;
  Watchdog dog;
  gboolean ok;

  watchdog_start (&dog);
  ok = secret_password_store_sync (rune_schema (), SECRET_COLLECTION_DEFAULT, label, rune,
                                   dog.cancellable, &error, "url", key, NULL);
  watchdog_stop (&dog);

  if (!ok)
    g_debug ("Keyring unavailable for storing the rune, using a file: %s", error->message);

  return ok;
}

/* TRUE when the keyring answered (*rune may still be NULL: nothing stored there). */
static gboolean
keyring_lookup (const char  *url,
                char       **rune)
{
  g_autofree char *key = normalize_url (url);
  g_autoptr(GError) error = NULL;
  Watchdog dog;
  char *password;

  watchdog_start (&dog);
  password = secret_password_lookup_sync (rune_schema (), dog.cancellable, &error,
                                          "url", key, NULL);
  watchdog_stop (&dog);

  if (error != NULL)
    {
      g_debug ("Keyring unavailable for looking up the rune, using a file: %s", error->message);
      return FALSE;
    }

  *rune = g_strdup (password);
  if (password != NULL)
    secret_password_free (password);

  return TRUE;
}

static gboolean
keyring_clear (const char *url)
{
  g_autofree char *key = normalize_url (url);
  g_autoptr(GError) error = NULL;
  Watchdog dog;

  watchdog_start (&dog);
  secret_password_clear_sync (rune_schema (), dog.cancellable, &error, "url", key, NULL);
  watchdog_stop (&dog);

  return error == NULL;
}

#else /* !HAVE_LIBSECRET */

static gboolean
keyring_wanted (void)
{
  return FALSE;
}

static gboolean
keyring_store (const char *url,
               const char *rune)
{
  return FALSE;
}

static gboolean
keyring_lookup (const char  *url,
                char       **rune)
{
  return FALSE;
}

static gboolean
keyring_clear (const char *url)
{
  return FALSE;
}

#endif /* HAVE_LIBSECRET */

static gboolean
check_args (const char  *data_dir,
            const char  *url,
            GError     **error)
{
  if (data_dir == NULL || *data_dir == '\0' || url == NULL || *url == '\0')
    {
      g_set_error_literal (error, OD_BACKEND_ERROR, OD_BACKEND_ERROR_CONFIG,
                           "A rune is kept per CLNRest URL and data directory: both are needed");
      return FALSE;
    }
  return TRUE;
}

gboolean
od_secret_store_rune (const char  *data_dir,
                      const char  *url,
                      const char  *rune,
                      GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_args (data_dir, url, error))
    return FALSE;

  if (rune == NULL || *rune == '\0')
    return od_secret_clear_rune (data_dir, url, error);

  if (keyring_wanted () && keyring_store (url, rune))
    return file_clear (data_dir, url, error);

  if (!file_store (data_dir, url, rune, error))
    return FALSE;

  if (keyring_wanted ())
    keyring_clear (url);

  return TRUE;
}

char *
od_secret_lookup_rune (const char  *data_dir,
                       const char  *url,
                       GError     **error)
{
  g_autofree char *rune = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_args (data_dir, url, error))
    return NULL;

  if (keyring_wanted () && keyring_lookup (url, &rune) && rune != NULL)
    return g_steal_pointer (&rune);

  return file_lookup (data_dir, url, error);
}

gboolean
od_secret_clear_rune (const char  *data_dir,
                      const char  *url,
                      GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_args (data_dir, url, error))
    return FALSE;

  if (keyring_wanted ())
    keyring_clear (url);

  return file_clear (data_dir, url, error);
}
