/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mp4-test-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static char *fixture_dir;

typedef struct {
  const char *name;
  const char *file;
  const char *args;  /* ffmpeg arguments between the inputs and the output */
} Fixture;

#define VIDEO_SRC "-f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000"

static const Fixture fixtures[] = {
  { "h264-aac", "h264-aac.mp4", VIDEO_SRC
    " -c:v libx264 -preset ultrafast -bf 2 -g 30 -c:a aac -t 3" },
  { "hevc-ac3", "hevc-ac3.mp4", "-f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine"
    " -c:v libx265 -preset ultrafast -x265-params log-level=error:bframes=2:keyint=25"
    " -tag:v hvc1 -c:a ac3 -t 2" },
  { "h264-2997-eac3", "h264-2997-eac3.mp4", "-f lavfi -i testsrc2=size=320x240:rate=30000/1001"
    " -f lavfi -i sine -c:v libx264 -preset ultrafast -bf 2 -g 30 -c:a eac3 -t 3" },
  { "h264-irregular", "h264-irregular.mp4", VIDEO_SRC
    " -c:v libx264 -preset ultrafast -bf 3 -g 300 -sc_threshold 0"
    " -force_key_frames 0,0.5,1.7,2.1,2.9,4.4 -c:a aac -t 5" },
  { "h264-1s", "h264-1s.mp4", VIDEO_SRC " -c:v libx264 -preset ultrafast -c:a aac -t 1" },
  { "h264-frag", "h264-frag.mp4", VIDEO_SRC
    " -c:v libx264 -preset ultrafast -bf 2 -g 15 -c:a aac -t 3"
    " -movflags frag_keyframe+empty_moov+default_base_moof" },
  { "mov", "h264-aac.mov", VIDEO_SRC " -c:v libx264 -preset ultrafast -c:a aac -t 1" },
  { "audio-only", "audio-only.mp4", "-f lavfi -i sine -c:a aac -t 1" },
  { "mkv", "h264.mkv", VIDEO_SRC " -c:v libx264 -preset ultrafast -c:a aac -t 1" },
  { "ts", "h264.ts", VIDEO_SRC " -c:v libx264 -preset ultrafast -c:a aac -t 1" },
};

static void
remove_fixture_dir (void)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileEnumerator) e = NULL;
  GFileInfo *info;

  if (fixture_dir == NULL || g_getenv ("VPACK_KEEP_FIXTURES") != NULL)
    return;
  dir = g_file_new_for_path (fixture_dir);
  e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL) {
    g_autofree char *path = g_build_filename (fixture_dir, g_file_info_get_name (info), NULL);

    /* sub-folders made by mp4_test_make_dir() hold only files */
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
      g_autoptr(GDir) sub = g_dir_open (path, 0, NULL);
      const char *name;

      while (sub != NULL && (name = g_dir_read_name (sub)) != NULL) {
        g_autofree char *p = g_build_filename (path, name, NULL);
        g_unlink (p);
      }
      g_rmdir (path);
    } else {
      g_unlink (path);
    }
    g_object_unref (info);
  }
  g_rmdir (fixture_dir);
}

static const char *
get_fixture_dir (void)
{
  if (fixture_dir == NULL) {
    fixture_dir = g_dir_make_tmp ("vpk-mp4-test-XXXXXX", NULL);
    g_assert_nonnull (fixture_dir);
    atexit (remove_fixture_dir);
  }
  return fixture_dir;
}

char *
mp4_test_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL, *err = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("'%s' failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

char *
mp4_test_fixture (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++) {
    g_autofree char *path = NULL;
    g_auto(GStrv) args = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autofree char *out = NULL;

    if (g_strcmp0 (fixtures[i].name, name) != 0)
      continue;
    path = g_build_filename (get_fixture_dir (), fixtures[i].file, NULL);
    if (g_file_test (path, G_FILE_TEST_EXISTS))
      return g_steal_pointer (&path);
    args = g_strsplit (fixtures[i].args, " ", -1);
    argv = g_ptr_array_new ();
    g_ptr_array_add (argv, "ffmpeg");
    g_ptr_array_add (argv, "-nostdin");
    g_ptr_array_add (argv, "-v");
    g_ptr_array_add (argv, "error");
    for (guint k = 0; args[k] != NULL; k++)
      g_ptr_array_add (argv, args[k]);
    g_ptr_array_add (argv, path);
    g_ptr_array_add (argv, NULL);
    out = mp4_test_run ((const char * const *) argv->pdata);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    return g_steal_pointer (&path);
  }
  g_error ("no fixture '%s'", name);
  return NULL;
}

char *
mp4_test_payload_hashes (const char *path, const char *map)
{
  const char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", map,
                         "-c", "copy", "-f", "framemd5", "-", NULL };
  g_autofree char *out = mp4_test_run (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GString *hashes = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = NULL;

    if (lines[i][0] == '#' || lines[i][0] == '\0')
      continue;
    cols = g_strsplit (lines[i], ",", -1);
    if (g_strv_length (cols) >= 6)
      g_string_append_printf (hashes, "%s\n", g_strstrip (cols[5]));
  }
  return g_string_free (hashes, FALSE);
}

const char *
mp4_test_shared_media (void)
{
  static char *dir;

  if (dir == NULL) {
    const char *env = g_getenv ("VPACK_SHARED_MEDIA");

    dir = env != NULL ? g_strdup (env) :
          g_test_build_filename (G_TEST_DIST, "..", "..", "..", "shared", "media", NULL);
  }
  return g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

char *
mp4_test_make_dir (const char *name)
{
  char *path = g_build_filename (get_fixture_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

char *
mp4_test_write_file (const char *name, const guint8 *data, gsize size)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (get_fixture_dir (), name, NULL);

  g_file_set_contents (path, (const char *) data, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}
