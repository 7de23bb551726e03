/* replay-main.c: runs a fuzz target over files, without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   replay-fuzz-decode PATH...
 *
 * Each PATH is a file or a directory (its regular files, sorted by name, not recursive).  Every
 * input is fed once to LLVMFuzzerTestOneInput; output is TAP, one test point per input.  Used
 * by the `fuzz-corpus` test on tests/fuzz/seeds/, so the target keeps compiling with the normal
 * toolchain and its seeds run under the sanitizer build, and by hand to replay a crash file.
 */

#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "fuzz-target.h"

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
collect_inputs (const char  *path,
                GPtrArray   *inputs,
                GError     **error)
{
  GDir *dir;
  const char *name;
  GPtrArray *names;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (inputs, g_strdup (path));
      return TRUE;
    }

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *full = g_build_filename (path, name, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_REGULAR) && name[0] != '.')
        g_ptr_array_add (names, g_steal_pointer (&full));
      g_free (full);
    }
  g_dir_close (dir);

  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (inputs, g_strdup (g_ptr_array_index (names, i)));
  g_ptr_array_unref (names);

  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  GPtrArray *inputs;
  GError *error = NULL;
  int status = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
      return 2;
    }

  LLVMFuzzerInitialize (&argc, &argv);

  inputs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    {
      if (!collect_inputs (argv[i], inputs, &error))
        {
          printf ("Bail out! %s\n", error->message);
          g_error_free (error);
          g_ptr_array_unref (inputs);
          return 1;
        }
    }

  printf ("1..%u\n", inputs->len);
  fflush (stdout);

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *path = g_ptr_array_index (inputs, i);
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }

      /* A crash aborts the whole run; the sanitizer report names the input above it. */
      fprintf (stderr, "replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
      LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
      printf ("ok %u - %s\n", i + 1, path);
      fflush (stdout);
      g_free (contents);
    }

  g_ptr_array_unref (inputs);
  return status;
}
