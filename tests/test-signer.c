/* test-signer.c: the local signing key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "bolt12-message.h"
#include "od-signer.h"
#include "od-test-utils.h"

/* secret key 1: the generator point */
#define KEY_ONE "0000000000000000000000000000000000000000000000000000000000000001"
#define ID_ONE  "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-signer-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, OD_SIGNER_FILENAME, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  od_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
write_key_file (const char *path,
                const char *contents,
                gssize      len,
                int         mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static char *
read_file (const char *path,
           gsize      *len)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, len, NULL));
  return contents;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdSigner) signer = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  g_autofree char *listing = NULL;
  gsize len = 0;

  signer = od_signer_open (f->dir, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signer);
  g_assert_cmpstr (od_signer_get_path (signer), ==, f->path);

  /* 0600, 64 lower-case hex digits and a newline, nothing left behind */
  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  contents = read_file (f->path, &len);
  g_assert_cmpuint (len, ==, 65);
  g_assert_cmpint (contents[64], ==, '\n');
  for (guint i = 0; i < 64; i++)
    g_assert_true (g_ascii_isdigit (contents[i]) || (contents[i] >= 'a' && contents[i] <= 'f'));
  listing = od_test_dir_listing (f->dir);
  g_assert_cmpstr (listing, ==, OD_SIGNER_FILENAME);

  /* The id: a compressed public key, and its hex */
  g_assert_true (od_signer_get_id (signer)[0] == 2 || od_signer_get_id (signer)[0] == 3);
  id = od_test_hex (od_signer_get_id (signer), 33);
  g_assert_cmpstr (od_signer_id_hex (signer), ==, id);
  g_assert_cmpuint (strlen (od_signer_id_hex (signer)), ==, 66);
  /* The id is not the secret */
  g_assert_null (strstr (contents, od_signer_id_hex (signer) + 2));
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdSigner) first = od_signer_open (f->dir, TRUE, &error);
  g_autoptr(OdSigner) again = NULL;
  g_autoptr(OdSigner) create_again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  before = read_file (f->path, NULL);

  again = od_signer_open (f->dir, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (od_signer_id_hex (again), ==, od_signer_id_hex (first));
  g_assert_cmpmem (od_signer_get_id (again), 33, od_signer_get_id (first), 33);

  /* create = TRUE on an existing key reads it, never replaces it */
  create_again = od_signer_open (f->dir, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (od_signer_id_hex (create_again), ==, od_signer_id_hex (first));
  after = read_file (f->path, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_known_key (Fixture       *f,
                gconstpointer  data)
{
  const char *forms[] = {
    KEY_ONE "\n",
    KEY_ONE,                 /* no newline */
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OdSigner) signer = NULL;

      write_key_file (f->path, forms[i], -1, 0600);
      signer = od_signer_open (f->dir, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (od_signer_id_hex (signer), ==, ID_ONE);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OdSigner) signer = NULL;
    g_autofree char *upper = g_ascii_strup ("00000000000000000000000000000000"
                                            "000000000000000000000000000000ab\n", -1);

    write_key_file (f->path, upper, -1, 0400); /* read-only for the owner is fine */
    signer = od_signer_open (f->dir, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (strlen (od_signer_id_hex (signer)), ==, 66);
    g_assert_cmpstr (od_signer_id_hex (signer), !=, ID_ONE);
  }
}

static void
test_missing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *nodir = g_build_filename (f->dir, "nonexistent", NULL);
  OdSigner *signer;

  signer = od_signer_open (f->dir, FALSE, &error);
  g_assert_null (signer);
  g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  listing = od_test_dir_listing (f->dir);
  g_assert_cmpstr (listing, ==, "");

  /* No directory to create it in */
  signer = od_signer_open (nodir, TRUE, &error);
  g_assert_null (signer);
  g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_IO);
  g_assert_false (g_file_test (nodir, G_FILE_TEST_EXISTS));
}

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  const struct { int mode; const char *word; } modes[] = {
    { 0644, "readable" }, { 0640, "readable" }, { 0604, "readable" }, { 0660, "readable" },
    { 0620, "writable" }, { 0602, "writable" }, { 0610, "accessible" }, { 0777, "readable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    for (guint create = 0; create < 2; create++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *expected = NULL;
        g_autofree char *mode_text = g_strdup_printf ("(mode %04o)", modes[i].mode);
        g_autofree char *chmod_text = g_strdup_printf ("run chmod 600 %s", f->path);
        g_autofree char *after = NULL;
        OdSigner *signer;

        write_key_file (f->path, KEY_ONE "\n", -1, modes[i].mode);
        signer = od_signer_open (f->dir, create, &error);
        g_assert_null (signer);
        g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_PERMISSIONS);
        expected = g_strdup_printf ("Key file %s is %s by others", f->path, modes[i].word);
        g_assert_true (g_str_has_prefix (error->message, expected));
        g_assert_nonnull (strstr (error->message, mode_text));
        g_assert_true (g_str_has_suffix (error->message, chmod_text));
        g_assert_null (strstr (error->message, KEY_ONE));

        /* Untouched: same bytes, same mode */
        after = read_file (f->path, NULL);
        g_assert_cmpstr (after, ==, KEY_ONE "\n");
        g_assert_cmpuint (file_mode (f->path), ==, modes[i].mode);
      }
}

static void
test_bad_content (Fixture       *f,
                  gconstpointer  data)
{
  const struct { const char *contents; gssize len; } bad[] = {
    { "", 0 },
    { "hello\n", -1 },
    { "000000000000000000000000000000000000000000000000000000000000001\n", -1 },  /* 63 */
    { "00000000000000000000000000000000000000000000000000000000000000001\n", -1 }, /* 65 */
    { KEY_ONE "\n\n", -1 },
    { KEY_ONE " ", -1 },
    { KEY_ONE "\r\n", -1 },
    { "000000000000000000000000000000000000000000000000000000000000000g\n", -1 },
    { "0000000000000000000000000000000000000000000000000000000000000000\n", -1 },  /* zero */
    { "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141\n", -1 },  /* n */
    { "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n", -1 },  /* > n */
    { "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
      "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20", 32 },  /* raw bytes */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    for (guint create = 0; create < 2; create++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *after = NULL;
        gsize len = bad[i].len < 0 ? strlen (bad[i].contents) : (gsize) bad[i].len;
        gsize after_len = 0;
        OdSigner *signer;

        write_key_file (f->path, bad[i].contents, (gssize) len, 0600);
        signer = od_signer_open (f->dir, create, &error);
        g_assert_null (signer);
        g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, f->path));
        g_assert_nonnull (strstr (error->message, "left as it is"));
        if (len >= 64)
          {
            g_autofree char *secret = g_strndup (bad[i].contents, 64);

            g_assert_null (strstr (error->message, secret));
          }

        after = read_file (f->path, &after_len);
        g_assert_cmpmem (after, after_len, bad[i].contents, len);
        g_assert_cmpuint (file_mode (f->path), ==, 0600);
      }
}

static void
test_not_a_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  OdSigner *signer;

  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  signer = od_signer_open (f->dir, TRUE, &error);
  g_assert_null (signer);
  g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_INVALID);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_DIR));
}

/* Many openers racing to create the key: one key wins, every one of them gets it. */

typedef struct
{
  const char *dir;
  char       *id;
  GError     *error;
} Racer;

static gpointer
race (gpointer data)
{
  Racer *racer = data;
  OdSigner *signer = od_signer_open (racer->dir, TRUE, &racer->error);

  if (signer != NULL)
    racer->id = g_strdup (od_signer_id_hex (signer));
  od_signer_free (signer);
  return NULL;
}

static void
test_create_race (Fixture       *f,
                  gconstpointer  data)
{
  for (guint round = 0; round < 20; round++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/%u", f->dir, round);
      g_autofree char *listing = NULL;
      Racer racers[8];
      GThread *threads[G_N_ELEMENTS (racers)];

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
        {
          racers[i] = (Racer) { dir, NULL, NULL };
          threads[i] = g_thread_new ("racer", race, &racers[i]);
        }
      for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
        g_thread_join (threads[i]);

      for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
        {
          g_assert_no_error (racers[i].error);
          g_assert_cmpstr (racers[i].id, ==, racers[0].id);
        }
      for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
        g_free (racers[i].id);

      listing = od_test_dir_listing (dir);
      g_assert_cmpstr (listing, ==, OD_SIGNER_FILENAME);
      {
        g_autofree char *key = g_build_filename (dir, OD_SIGNER_FILENAME, NULL);

        g_unlink (key);
      }
      g_rmdir (dir);
    }
}

/* Signing: an invoice request signed by the key verifies after encoding and decoding. */

static Bolt12Message *
new_invoice_request (const guint8 payer_id[33])
{
  Bolt12Message *msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
  guint8 metadata[16];

  for (guint i = 0; i < sizeof metadata; i++)
    metadata[i] = (guint8) (i * 17 + 1);
  msg->invreq_metadata = g_bytes_new (metadata, sizeof metadata);
  msg->offer_description = g_strdup ("simple test");
  msg->has_invreq_amount = TRUE;
  msg->invreq_amount = 100000000;
  msg->has_invreq_payer_id = TRUE;
  memcpy (msg->invreq_payer_id, payer_id, 33);

  return msg;
}

static void
test_sign_invoice_request (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdSigner) signer = od_signer_open (f->dir, TRUE, &error);
  g_autoptr(Bolt12Message) msg = NULL;
  g_autoptr(Bolt12Message) decoded = NULL;
  g_autofree char *str = NULL;

  g_assert_no_error (error);
  msg = new_invoice_request (od_signer_get_id (signer));

  g_assert_true (od_signer_sign_message (signer, msg, &error));
  g_assert_no_error (error);
  g_assert_true (msg->has_signature);

  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (str, "lnr1"));

  decoded = bolt12_message_decode (str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_true (decoded->has_signature);
  g_assert_true (decoded->signature_checked);
  g_assert_true (decoded->has_invreq_payer_id);
  g_assert_cmpmem (decoded->invreq_payer_id, 33, od_signer_get_id (signer), 33);
  g_assert_cmpstr (decoded->offer_description, ==, "simple test");
  g_assert_cmpuint (decoded->invreq_amount, ==, 100000000);
}

/* The signature is made by this key: another key's payer_id is refused. */
static void
test_sign_wrong_payer (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OdSigner) signer = NULL;
  g_autoptr(Bolt12Message) msg = NULL;
  guint8 other[33];

  write_key_file (f->path, KEY_ONE "\n", -1, 0600);
  signer = od_signer_open (f->dir, FALSE, &error);
  g_assert_no_error (error);

  memcpy (other, od_signer_get_id (signer), 33);
  other[0] ^= 1; /* the negated key: same x, other parity */
  msg = new_invoice_request (other);
  g_assert_false (od_signer_sign_message (signer, msg, &error));
  g_assert_error (error, OD_SIGNER_ERROR, OD_SIGNER_ERROR_SIGN);
  g_assert_false (msg->has_signature);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/signer/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("create", test_create);
  ADD ("reopen", test_reopen);
  ADD ("known-key", test_known_key);
  ADD ("missing", test_missing);
  ADD ("permissions", test_permissions);
  ADD ("bad-content", test_bad_content);
  ADD ("not-a-file", test_not_a_file);
  ADD ("create-race", test_create_race);
  ADD ("sign/invoice-request", test_sign_invoice_request);
  ADD ("sign/wrong-payer", test_sign_wrong_payer);

#undef ADD

  return g_test_run ();
}
