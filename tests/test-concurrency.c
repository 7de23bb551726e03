/* test-concurrency.c: several processes writing one store, and a writer killed mid-write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store promises (od-store.h) that the CLI and the GUI may write at the same time and that
 * a write either happened entirely or not at all.  These tests check it from the outside:
 *
 *  - two streams of offerdesk-cli processes (OFFERDESK_CLI) creating 100 offers each in one
 *    fresh data dir: every returned offer_id is listed, and nothing else;
 *  - two worker processes creating offers through the command layer as fast as they can;
 *  - a worker killed with SIGKILL while it creates offers in a loop: the database passes
 *    PRAGMA integrity_check and lists every offer whose command had returned (the worker
 *    prints each offer_id only after od_commands_call() returned it).
 *
 * The worker is this binary: test-concurrency --worker DATA_DIR NETWORK PREFIX COUNT (COUNT 0:
 * until killed).
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "od-commands.h"
#include "od-store.h"

#define NETWORK "regtest"

static char *self_exe;

/* ---- the worker ---- */

static int
worker_main (const char *data_dir,
             const char *network,
             const char *prefix,
             guint64     count)
{
  g_autoptr(OdCommands) cmds = od_commands_new (data_dir, network);

  if (cmds == NULL)
    return 2;

  for (guint64 i = 0; count == 0 || i < count; i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"amount\": \"%" G_GUINT64_FORMAT "msat\", "
                                                 "\"description\": \"%s %" G_GUINT64_FORMAT "\", "
                                                 "\"label\": \"%s\"}",
                                                 i + 1, prefix, i, prefix);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = od_commands_call_json (cmds, "offer", params, &error);

      if (result == NULL)
        {
          fprintf (stderr, "worker %s: offer %" G_GUINT64_FORMAT ": %s\n", prefix, i,
                   error->message);
          return 1;
        }
      /* Printed only once the command returned: the offer is stored. */
      printf ("%s\n", json_object_get_string_member (json_node_get_object (result), "offer_id"));
      fflush (stdout);
    }

  return 0;
}

/* ---- helpers ---- */

typedef struct
{
  char *tmp;
  char *data_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("test-concurrency-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->tmp);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->data_dir);
  g_free (f->tmp);
}

/* Runs offerdesk-cli; returns its stdout parsed, asserting exit status 0. */
static JsonNode *
run_cli (const char  *data_dir,
         const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("OFFERDESK_CLI");
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) data_dir);
  g_ptr_array_add (argv, (char *) "--network");
  g_ptr_array_add (argv, (char *) NETWORK);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("offerdesk-cli %s failed: %s %s", args[0], out, err);
  if (!json_parser_load_from_data (parser, out, -1, &error))
    g_error ("offerdesk-cli printed no JSON: %s", out);

  return json_node_copy (json_parser_get_root (parser));
}

/* offer_id -> TRUE for every offer listoffers shows (through the CLI: another process). */
static GHashTable *
listed_offers (const char *data_dir,
               guint      *n_listed)
{
  const char *args[] = { "listoffers", NULL };
  g_autoptr(JsonNode) list = run_cli (data_dir, args);
  JsonArray *offers = json_object_get_array_member (json_node_get_object (list), "offers");
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (offers); i++)
    g_hash_table_add (ids, g_strdup (json_object_get_string_member (
                                       json_array_get_object_element (offers, i), "offer_id")));
  *n_listed = json_array_get_length (offers);

  return ids;
}

static void
assert_integrity (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, NETWORK, OD_STORE_FILENAME, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* A plain connection, as the next process would open it (it recovers the WAL). */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Spawns the worker; its stdout is returned as a FILE. */
static GPid
spawn_worker (const char  *data_dir,
              const char  *prefix,
              guint        count,
              FILE       **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  const char *argv[] = { self_exe, "--worker", data_dir, NETWORK, prefix, count_text, NULL };
  GPid pid = 0;
  int out_fd = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  *out = fdopen (out_fd, "r");
  g_assert_nonnull (*out);

  return pid;
}

/* Reads offer ids (one per line) until EOF or max lines (0: EOF). */
static void
read_ids (FILE      *out,
          GPtrArray *ids,
          guint      max)
{
  char line[256];

  while ((max == 0 || ids->len < max) && fgets (line, sizeof line, out) != NULL)
    {
      gsize len = strlen (line);

      if (len == 0 || line[len - 1] != '\n')
        break;  /* cut short by the kill: not a whole line */
      line[len - 1] = '\0';
      g_assert_cmpuint (len - 1, ==, 64);
      g_ptr_array_add (ids, g_strdup (line));
    }
}

static int
wait_for (GPid pid)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_spawn_close_pid (pid);

  return status;
}

/* ---- two streams of CLI processes ---- */

typedef struct
{
  const char *data_dir;
  const char *prefix;
  GPtrArray  *ids;
} Stream;

static gpointer
cli_stream (gpointer data)
{
  Stream *s = data;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *amount = g_strdup_printf ("amount=%umsat", i + 1);
      g_autofree char *description = g_strdup_printf ("description=%s %u", s->prefix, i);
      const char *args[] = { "offer", "-k", amount, description, NULL };
      g_autoptr(JsonNode) result = run_cli (s->data_dir, args);
      JsonObject *object = json_node_get_object (result);

      g_assert_true (json_object_get_boolean_member (object, "created"));
      g_ptr_array_add (s->ids, g_strdup (json_object_get_string_member (object, "offer_id")));
    }

  return NULL;
}

static void
assert_all_listed (const char *data_dir,
                   GPtrArray  *ids_a,
                   GPtrArray  *ids_b,
                   gboolean    exact)
{
  g_autoptr(GHashTable) listed = NULL;
  guint n_listed = 0;

  listed = listed_offers (data_dir, &n_listed);
  for (guint i = 0; i < ids_a->len; i++)
    g_assert_true (g_hash_table_contains (listed, ids_a->pdata[i]));
  for (guint i = 0; ids_b != NULL && i < ids_b->len; i++)
    g_assert_true (g_hash_table_contains (listed, ids_b->pdata[i]));
  if (exact)
    g_assert_cmpuint (n_listed, ==, ids_a->len + (ids_b != NULL ? ids_b->len : 0));
  g_assert_cmpuint (g_hash_table_size (listed), ==, n_listed);
}

static void
test_cli_two_writers (Fixture       *f,
                      gconstpointer  data)
{
  Stream a = { f->data_dir, "stream a", g_ptr_array_new_with_free_func (g_free) };
  Stream b = { f->data_dir, "stream b", g_ptr_array_new_with_free_func (g_free) };
  GThread *ta;
  GThread *tb;

  /* Both start on a fresh data dir: they also race to create the key and the database. */
  ta = g_thread_new ("a", cli_stream, &a);
  tb = g_thread_new ("b", cli_stream, &b);
  g_thread_join (ta);
  g_thread_join (tb);

  g_assert_cmpuint (a.ids->len, ==, 100);
  g_assert_cmpuint (b.ids->len, ==, 100);
  assert_all_listed (f->data_dir, a.ids, b.ids, TRUE);
  assert_integrity (f->data_dir);

  g_ptr_array_unref (a.ids);
  g_ptr_array_unref (b.ids);
}

/* ---- two worker processes, in-process command layer ---- */

static void
test_process_two_writers (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) ids_a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids_b = g_ptr_array_new_with_free_func (g_free);
  FILE *out_a = NULL;
  FILE *out_b = NULL;
  GPid pid_a = spawn_worker (f->data_dir, "worker a", 200, &out_a);
  GPid pid_b = spawn_worker (f->data_dir, "worker b", 200, &out_b);

  read_ids (out_a, ids_a, 0);
  read_ids (out_b, ids_b, 0);
  fclose (out_a);
  fclose (out_b);
  g_assert_true (g_spawn_check_wait_status (wait_for (pid_a), NULL));
  g_assert_true (g_spawn_check_wait_status (wait_for (pid_b), NULL));

  g_assert_cmpuint (ids_a->len, ==, 200);
  g_assert_cmpuint (ids_b->len, ==, 200);
  assert_all_listed (f->data_dir, ids_a, ids_b, TRUE);
  assert_integrity (f->data_dir);
}

/* ---- SIGKILL in the middle of a write loop ---- */

static void
test_sigkill (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  const guint kill_after[] = { 1, 17, 40, 63 };

  for (guint round = 0; round < G_N_ELEMENTS (kill_after); round++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *prefix = g_strdup_printf ("round %u", round);
      FILE *out = NULL;
      GPid pid = spawn_worker (f->data_dir, prefix, 0, &out);
      int status;

      /* The worker is inside its next offer (or about to be) when it is killed. */
      read_ids (out, ids, kill_after[round]);
      g_assert_cmpuint (ids->len, ==, kill_after[round]);
      if (round % 2 == 1)
        g_usleep (g_random_int_range (0, 3000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      status = wait_for (pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      /* Lines printed before the kill, still in the pipe. */
      read_ids (out, ids, 0);
      fclose (out);
      g_test_message ("round %u: killed after %u offers had returned", round, ids->len);

      assert_integrity (f->data_dir);
      for (guint i = 0; i < ids->len; i++)
        g_ptr_array_add (all, g_strdup (ids->pdata[i]));
      /* Every offer whose command returned is there; at most the one in flight was added. */
      assert_all_listed (f->data_dir, all, NULL, FALSE);
      {
        g_autoptr(GHashTable) listed = NULL;
        guint n_listed = 0;

        listed = listed_offers (f->data_dir, &n_listed);
        g_assert_cmpuint (n_listed, >=, all->len);
        g_assert_cmpuint (n_listed, <=, all->len + round + 1);
      }
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc == 6 && strcmp (argv[1], "--worker") == 0)
    return worker_main (argv[2], argv[3], argv[4], g_ascii_strtoull (argv[5], NULL, 10));

  g_test_init (&argc, &argv, NULL);

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  g_test_add ("/concurrency/cli-two-writers", Fixture, NULL, fixture_setup,
              test_cli_two_writers, fixture_teardown);
  g_test_add ("/concurrency/process-two-writers", Fixture, NULL, fixture_setup,
              test_process_two_writers, fixture_teardown);
  g_test_add ("/concurrency/sigkill", Fixture, NULL, fixture_setup, test_sigkill,
              fixture_teardown);

  return g_test_run ();
}
