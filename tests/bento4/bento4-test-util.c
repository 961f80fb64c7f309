/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bento4-test-util.h"
#include "vpk-test-util.h"

#include <string.h>

const char *
bento4_test_tools_dir (void)
{
  const char *dir = g_getenv ("VPACK_BENTO4_DIR");

  if (dir == NULL || *dir == '\0') {
    g_test_skip ("Bento4 tools not found: set VPACK_BENTO4_DIR to the folder holding Bento4's "
                 "mp4info, mp4fragment, mp4encrypt, mp4split and mp4dash (see docs/bento4.md)");
    return NULL;
  }
  return dir;
}

char *
bento4_test_shared_media (const char *name)
{
  const char *dir = g_getenv ("VPACK_SHARED_MEDIA");
  g_autofree char *path = dir != NULL ? g_build_filename (dir, name, NULL) : NULL;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_autofree char *message = g_strdup_printf ("%s not found in VPACK_SHARED_MEDIA "
                                                "(../shared/media)", name);

    g_test_skip (message);
    return NULL;
  }
  return g_steal_pointer (&path);
}

char *
bento4_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vpack-bento4-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

char *
bento4_test_run (const char * const  *argv,
                 GError             **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error)) {
    g_prefix_error (error, "%s: %s: ", argv[0], err != NULL ? g_strstrip (err) : "");
    return NULL;
  }
  return g_steal_pointer (&out);
}

char *
bento4_test_make_media (const char *dir,
                        gboolean    with_audio)
{
  g_autofree char *path = g_build_filename (dir, with_audio ? "av.mp4" : "v.mp4", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *video[] = {
    "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", NULL
  };
  const char *audio[] = {
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac", "-b:a", "64k", NULL
  };
  const char *encode[] = {
    "-t", "4", "-c:v", "libx264", "-g", "25", "-keyint_min", "25", "-pix_fmt", "yuv420p", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  for (guint i = 0; video[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) video[i]);
  for (guint i = 0; with_audio && audio[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) audio[i]);
  for (guint i = 0; encode[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) encode[i]);
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, NULL);
  out = bento4_test_run ((const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

VpkConfig *
bento4_test_config (const char *dir,
                    const char *stages[VPK_STAGE_N_KINDS],
                    const char *tools_dir)
{
  g_autoptr(GString) text = g_string_new ("[pipeline]\n");
  g_autofree char *path = g_build_filename (dir, "vpack.conf", NULL);
  g_autoptr(GError) error = NULL;
  VpkConfig *config;

  for (VpkStageKind s = 0; s < VPK_STAGE_N_KINDS; s++)
    g_string_append_printf (text, "%s = %s\n", vpk_stage_kind_to_string (s), stages[s]);
  if (tools_dir != NULL)
    g_string_append_printf (text, "[bento4]\ntools_dir = %s\ntimeout = 120\n", tools_dir);
  g_assert_true (g_file_set_contents (path, text->str, -1, &error));
  config = vpk_config_load (path, &error);
  g_assert_no_error (error);
  return config;
}

VpkJob *
bento4_test_job (const char               *dir,
                 const char               *source,
                 const VpkPackageOptions  *options)
{
  g_autofree char *workdir = g_build_filename (dir, "work", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkJob) job = vpk_job_new ("test", workdir, &error);
  VpkKey kid, key;

  g_assert_no_error (error);
  g_assert_true (vpk_key_parse (BENTO4_TEST_KID, "kid", &kid, &error));
  g_assert_true (vpk_key_parse (BENTO4_TEST_KEY, "key", &key, &error));
  vpk_job_set_keys (job, &kid, &key);
  vpk_key_clear (&key);
  if (options != NULL)
    vpk_job_set_options (job, options);
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_SOURCE, source);
  return g_steal_pointer (&job);
}

void
bento4_test_rm_rf (const char *path)
{
  vpk_test_rm_rf (path);
}
