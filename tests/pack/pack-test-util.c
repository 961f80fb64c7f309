/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack-test-util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vpk-test-util.h"

static char *scratch_dir;

typedef struct {
  const char *name;
  const char *args;  /* ffmpeg arguments between the inputs and the output */
} Fixture;

#define SOURCES "-f lavfi -i testsrc2=size=320x240:rate=%s -f lavfi -i sine=frequency=440:sample_rate=48000"

static const Fixture fixtures[] = {
  { "h264", "-c:v libx264 -preset veryfast -bf 2 -g 30 -pix_fmt yuv420p -c:a aac -b:a 64k -t 3" },
  { "hevc", "-c:v libx265 -preset veryfast -x265-params log-level=error:keyint=25 -tag:v hvc1"
            " -pix_fmt yuv420p -c:a aac -b:a 64k -t 2" },
};

static void
remove_scratch (void)
{
  if (scratch_dir != NULL && g_getenv ("VPACK_KEEP_FIXTURES") == NULL)
    vpk_test_rm_rf (scratch_dir);
}

char *
pack_test_scratch_path (const char *name)
{
  if (scratch_dir == NULL) {
    scratch_dir = g_dir_make_tmp ("vpk-pack-test-XXXXXX", NULL);
    g_assert_nonnull (scratch_dir);
    atexit (remove_scratch);
  }
  return g_build_filename (scratch_dir, name, NULL);
}

int
pack_test_run (const char * const  *argv,
               char               **out_stdout,
               char               **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

const char *
pack_test_fixture (const char *name)
{
  static GHashTable *made;
  const char *path;

  if (made == NULL)
    made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((path = g_hash_table_lookup (made, name)) != NULL)
    return path;
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++) {
    g_autofree char *file = NULL, *command = NULL, *err = NULL;
    g_auto(GStrv) argv = NULL;

    if (strcmp (fixtures[i].name, name) != 0)
      continue;
    file = g_strdup_printf ("%s.mp4", name);
    path = pack_test_scratch_path (file);
    command = g_strdup_printf ("ffmpeg -nostdin -v error -y " SOURCES " %s %s",
                               strcmp (name, "hevc") == 0 ? "25" : "30", fixtures[i].args, path);
    argv = g_strsplit (command, " ", -1);
    if (pack_test_run ((const char * const *) argv, NULL, &err) != 0)
      g_error ("ffmpeg could not make the '%s' fixture: %s", name, err);
    g_hash_table_insert (made, g_strdup (name), (char *) path);
    return path;
  }
  g_error ("no fixture '%s'", name);
  return NULL;
}

char *
pack_test_package (const char *input,
                   const char *scheme,
                   const char *profile,
                   const char *encrypt,
                   const char *segment_duration)
{
  static guint serial;
  g_autofree char *name = g_strdup_printf ("package-%u", ++serial);
  char *out = pack_test_scratch_path (name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  const char *set[] = { "pipeline.ingest=native", "pipeline.fragment=native",
                        "pipeline.encrypt=native", "pipeline.package=native" };
  int status;

  g_ptr_array_add (argv, (char *) g_getenv ("VPACK"));
  g_ptr_array_add (argv, "package");
  g_ptr_array_add (argv, (char *) input);
  g_ptr_array_add (argv, "-o");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, "--key");
  g_ptr_array_add (argv, PACK_TEST_KEY);
  g_ptr_array_add (argv, "--kid");
  g_ptr_array_add (argv, PACK_TEST_KID);
  for (guint i = 0; i < G_N_ELEMENTS (set); i++) {
    g_ptr_array_add (argv, "--set");
    g_ptr_array_add (argv, (char *) set[i]);
  }
  if (scheme != NULL)
    g_ptr_array_add (owned, g_strconcat ("--scheme=", scheme, NULL));
  if (profile != NULL)
    g_ptr_array_add (owned, g_strconcat ("--profile=", profile, NULL));
  if (encrypt != NULL)
    g_ptr_array_add (owned, g_strconcat ("--encrypt=", encrypt, NULL));
  if (segment_duration != NULL)
    g_ptr_array_add (owned, g_strconcat ("--segment-duration=", segment_duration, NULL));
  for (guint i = 0; i < owned->len; i++)
    g_ptr_array_add (argv, owned->pdata[i]);
  g_ptr_array_add (argv, NULL);
  status = pack_test_run ((const char * const *) argv->pdata, &stdout_text, &stderr_text);
  if (status != 0) {
    g_test_fail_printf ("vpack package %s (%s, %s, %s) failed with %d: %s", input,
                        scheme != NULL ? scheme : "-", profile != NULL ? profile : "-",
                        encrypt != NULL ? encrypt : "-", status, stderr_text);
    g_free (out);
    return NULL;
  }
  return out;
}

int
pack_test_verify (const char  *path,
                  const char  *key,
                  const char  *kid,
                  const char  *source,
                  char       **out_stdout,
                  char       **out_stderr)
{
  const char *argv[] = { g_getenv ("VPACK"), "verify", path, "--key", key, "--kid", kid,
                         source != NULL ? "--source" : NULL, source, NULL };

  return pack_test_run (argv, out_stdout, out_stderr);
}

GPtrArray *
pack_test_framemd5 (const char  *path,
                    const char  *map,
                    const char  *key,
                    char       **out_stderr)
{
  const char *argv[24] = { "ffmpeg", "-nostdin", "-v", "error" };
  const char *tail[] = { "-i", path, "-map", map, "-c", "copy", "-f", "framemd5", "-" };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *hashes;
  guint n = 4;

  if (key != NULL) {
    /* Read as a stream: on a seekable file without sidx, ffmpeg 5.1 parses
     * every moof at open and then decrypts each sample with the last
     * fragment's senc ("subsample size exceeds the packet size left"). */
    argv[n++] = "-decryption_key";
    argv[n++] = key;
    argv[n++] = "-seekable";
    argv[n++] = "0";
  }
  for (guint i = 0; i < G_N_ELEMENTS (tail); i++)
    argv[n++] = tail[i];
  argv[n] = NULL;
  if (pack_test_run (argv, &out, out_stderr) != 0)
    return NULL;
  hashes = g_ptr_array_new_with_free_func (g_free);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = NULL;

    if (lines[i][0] == '#' || lines[i][0] == '\0')
      continue;
    cols = g_strsplit (lines[i], ",", -1);
    if (g_strv_length (cols) >= 6)
      g_ptr_array_add (hashes, g_strdup (g_strstrip (cols[5])));
  }
  return hashes;
}

const char *
pack_test_shared_media (void)
{
  const char *dir = g_getenv ("VPACK_SHARED_MEDIA");

  return dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

static gint
compare_segment_names (gconstpointer a,
                       gconstpointer b)
{
  const char *x = *(const char * const *) a, *y = *(const char * const *) b;
  guint64 nx = g_ascii_strtoull (x + 4, NULL, 10), ny = g_ascii_strtoull (y + 4, NULL, 10);

  return nx < ny ? -1 : nx > ny;
}

char *
pack_test_concat_representation (const char *package,
                                 const char *rep_id)
{
  g_autofree char *dir = g_build_filename (package, rep_id, NULL);
  g_autofree char *init = g_build_filename (dir, "init.mp4", NULL);
  g_autofree char *name = g_strdup_printf ("%s-%s.mp4", strrchr (package, '/') + 1, rep_id);
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GError) error = NULL;
  char *out = pack_test_scratch_path (name);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, "seg-"))
      g_ptr_array_add (segments, g_strdup (entry));
  g_ptr_array_sort (segments, compare_segment_names);
  g_ptr_array_insert (segments, 0, g_strdup ("init.mp4"));
  for (guint i = 0; i < segments->len; i++) {
    g_autofree char *path = g_build_filename (dir, segments->pdata[i], NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (path, &data, &len, &error));
    g_byte_array_append (all, (const guint8 *) data, len);
  }
  g_assert_true (g_file_set_contents (out, (const char *) all->data, all->len, &error));
  return out;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
pack_test_representations (const char *package)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (package, 0, NULL);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (package, entry, NULL);

    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      g_ptr_array_add (ids, g_strdup (entry));
  }
  g_ptr_array_sort (ids, compare_names);
  return ids;
}
