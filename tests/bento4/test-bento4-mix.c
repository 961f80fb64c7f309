/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-pipeline.h"
#include "bento4-test-util.h"

#include <string.h>

/* Stages meet at a file format, not a backend (DESIGN §3): every mix of
 * {native, gst, bento4} for ingest and fragment and {native, bento4} for
 * encrypt and package that involves bento4 must package the same source into
 * a DASH folder whose segments decrypt to the source's packets. */

static const char *const ingesters[] = { "native", "gst", "bento4", NULL };
static const char *const fragmenters[] = { "native", "gst", "bento4", NULL };
static const char *const encrypters[] = { "native", "bento4", NULL };
static const char *const packagers[] = { "native", "bento4", NULL };

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = bento4_test_tmpdir ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  bento4_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* FALSE (and the test skipped, saying why) when a backend of the mix does not
 * offer its stage in this build: the native and gst stages are being written. */
static gboolean
mix_available (VpkRegistry  *registry,
               const char  **stages)
{
  for (VpkStageKind s = 0; s < VPK_STAGE_N_KINDS; s++) {
    g_autoptr(GError) error = NULL;
    VpkPlugin *plugin = vpk_registry_load (registry, stages[s], &error);

    g_assert_no_error (error);
    if (!vpk_plugin_has_stage (plugin, s)) {
      g_autofree char *message = g_strdup_printf ("backend '%s' has no %s stage in this build",
                                                  stages[s], vpk_stage_kind_to_string (s));

      g_test_skip (message);
      return FALSE;
    }
  }
  return TRUE;
}

/* GStreamer's MP4 demuxer applies the AAC edit list: the priming frame and the
 * last frame are not in what gst fragments, so its audio is a slice of the source's. */
static void
assert_hash_slice (GPtrArray *expected,
                   GPtrArray *actual,
                   guint      max_missing)
{
  guint offset = 0;

  g_assert_cmpuint (actual->len, >, 0);
  g_assert_cmpuint (actual->len, <=, expected->len);
  g_assert_cmpuint (expected->len - actual->len, <=, max_missing);
  while (offset < expected->len &&
         g_strcmp0 (g_ptr_array_index (expected, offset), g_ptr_array_index (actual, 0)) != 0)
    offset++;
  g_assert_cmpuint (offset + actual->len, <=, expected->len);
  for (guint i = 0; i < actual->len; i++)
    g_assert_cmpstr (g_ptr_array_index (actual, i), ==, g_ptr_array_index (expected, offset + i));
}

static void
check_output (VpkJob     *job,
              const char *source,
              gboolean    gst_fragmented)
{
  g_autoptr(GPtrArray) reps = bento4_test_check_package (
      vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE));
  VpkKey key;
  g_autofree char *hex = NULL;
  const char *kinds[][2] = { { "video/mp4", "v:0" }, { "audio/mp4", "a:0" } };

  g_assert_true (vpk_key_parse (BENTO4_TEST_KEY, "key", &key, NULL));
  hex = vpk_key_format (&key, VPK_KEY_FORMAT_HEX);
  vpk_key_clear (&key);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    const Bento4TestRep *rep = bento4_test_find_rep (reps, kinds[i][0]);
    g_autoptr(GPtrArray) expected = bento4_test_payload_hashes (source, kinds[i][1], NULL);
    g_autoptr(GPtrArray) actual = NULL;

    g_assert_nonnull (rep);
    bento4_test_assert_probe (rep, i == 0 ? "h264" : "aac");
    actual = bento4_test_rep_hashes (rep, hex);
    if (gst_fragmented && i == 1)
      assert_hash_slice (expected, actual, 2);
    else
      bento4_test_assert_same_hashes (expected, actual);
  }
}

static void
test_mix (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) stages = g_strsplit (data, "-", VPK_STAGE_N_KINDS);
  VpkPackageOptions options = {
    .scheme = VPK_SCHEME_CENC,  /* the scheme ffmpeg 5.1 decrypts in every layout */
    .encrypt = VPK_ENCRYPT_ALL,
    .profile = VPK_PROFILE_LIVE,
    .segment_duration_ms = 2000,
  };
  g_autoptr(VpkRegistry) registry = vpk_registry_new (NULL);
  g_autoptr(VpkConfig) config = NULL;
  g_autoptr(VpkPipeline) pipeline = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;

  g_test_summary ("One mix of backends per stage packages a generated H.264+AAC file, cenc, "
                  "every track; each segment decrypts to the source's packets.");
  if (bento4_test_tools_dir () == NULL || !mix_available (registry, (const char **) stages))
    return;
  config = bento4_test_config (f->dir, (const char **) stages, g_getenv ("VPACK_BENTO4_DIR"));
  pipeline = vpk_pipeline_new (registry, config, &error);
  g_assert_no_error (error);
  source = bento4_test_make_media (f->dir, TRUE);
  job = bento4_test_job (f->dir, source, &options);
  g_assert_true (vpk_pipeline_run (pipeline, job, VPK_STAGE_INGEST, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  check_output (job, source, g_strcmp0 (stages[VPK_STAGE_FRAGMENT], "gst") == 0);
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; ingesters[i] != NULL; i++)
    for (guint j = 0; fragmenters[j] != NULL; j++)
      for (guint k = 0; encrypters[k] != NULL; k++)
        for (guint l = 0; packagers[l] != NULL; l++) {
          const char *mix[] = { ingesters[i], fragmenters[j], encrypters[k], packagers[l], NULL };
          char *name = g_strjoinv ("-", (char **) mix);
          g_autofree char *path = g_strdup_printf ("/bento4/mix/%s", name);

          if (strstr (name, "bento4") == NULL) {
            g_free (name);
            continue;
          }
          g_ptr_array_add (names, name);
          g_test_add (path, Fixture, name, fixture_setup, test_mix, fixture_teardown);
        }
  return g_test_run ();
}
