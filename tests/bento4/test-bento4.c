/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-pipeline.h"
#include "vpk-bento4.h"
#include "bento4-test-util.h"

#include <string.h>
#include <glib/gstdio.h>

/* The Bento4 backend against the real tools ($VPACK_BENTO4_DIR): each stage
 * on its own, and the whole pipeline on generated and real-world media,
 * checked with ffprobe and ffmpeg as independent readers and decryptors. */

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

static const char *all_bento4[VPK_STAGE_N_KINDS] = { "bento4", "bento4", "bento4", "bento4" };

static VpkPackageOptions
options_for (VpkScheme         scheme,
             VpkEncryptTracks  tracks,
             VpkProfile        profile)
{
  VpkPackageOptions options = {
    .scheme = scheme,
    .encrypt = tracks,
    .profile = profile,
    .segment_duration_ms = 2000,
    .license_url = (char *) "https://license.example/clearkey",
  };

  return options;
}

/* Runs every stage with bento4; returns the job (its package artifact set). */
static VpkJob *
run_pipeline (Fixture                  *f,
              const char               *source,
              const VpkPackageOptions  *options,
              GError                  **error)
{
  g_autoptr(VpkRegistry) registry = vpk_registry_new (NULL);
  g_autoptr(VpkConfig) config = bento4_test_config (f->dir, all_bento4,
                                                    g_getenv ("VPACK_BENTO4_DIR"));
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (registry, config, error);
  g_autoptr(VpkJob) job = bento4_test_job (f->dir, source, options);

  if (pipeline == NULL ||
      !vpk_pipeline_run (pipeline, job, VPK_STAGE_INGEST, NULL, NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&job);
}

static char *
kid_uuid (void)
{
  VpkKey kid;

  g_assert_true (vpk_key_parse (BENTO4_TEST_KID, "kid", &kid, NULL));
  return vpk_key_format (&kid, VPK_KEY_FORMAT_UUID);
}

static char *
key_hex (void)
{
  VpkKey key;
  char *hex;

  g_assert_true (vpk_key_parse (BENTO4_TEST_KEY, "key", &key, NULL));
  hex = vpk_key_format (&key, VPK_KEY_FORMAT_HEX);
  vpk_key_clear (&key);
  return hex;
}

/* ContentProtection of DESIGN §3 in the video AdaptationSet, none in audio
 * unless every track is encrypted. */
static void
check_protection (const char *outdir,
                  VpkScheme   scheme,
                  gboolean    audio_encrypted)
{
  g_autofree char *path = g_build_filename (outdir, "stream.mpd", NULL);
  g_autofree char *mpd = NULL;
  g_autofree char *uuid = kid_uuid ();
  g_autofree char *default_kid = g_strdup_printf ("cenc:default_KID=\"%s\"", uuid);
  g_autofree char *value = g_strdup_printf ("value=\"%s\"", vpk_scheme_to_string (scheme));
  const char *audio;

  g_assert_true (g_file_get_contents (path, &mpd, NULL, NULL));
  g_assert_nonnull (strstr (mpd, "urn:mpeg:dash:mp4protection:2011"));
  g_assert_nonnull (strstr (mpd, default_kid));
  g_assert_nonnull (strstr (mpd, value));
  g_assert_nonnull (strstr (mpd, "urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"));
  g_assert_nonnull (strstr (mpd, "<cenc:pssh>"));
  g_assert_nonnull (strstr (mpd, "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"));
  g_assert_nonnull (strstr (mpd, "Lic_type=\"EME-1.0\">https://license.example/clearkey<"));
  g_assert_nonnull (strstr (mpd, "<dashif:Laurl xmlns:dashif=\"https://dashif.org/CPS\">"
                                 "https://license.example/clearkey</dashif:Laurl>"));
  g_assert_null (strstr (mpd, "dashif:laurl"));
  audio = strstr (mpd, "mimeType=\"audio/mp4\"");
  if (audio != NULL)
    g_assert_true ((strstr (audio, "ContentProtection") != NULL) == audio_encrypted);
}

/* Every media segment of @mime_type decrypts to the source's packets, byte for
 * byte; read without the key, they differ when @encrypted, not otherwise. */
static void
check_decrypts (GPtrArray  *reps,
                const char *source,
                const char *mime_type,
                const char *stream,
                gboolean    encrypted)
{
  g_autofree char *key = key_hex ();
  const Bento4TestRep *rep = bento4_test_find_rep (reps, mime_type);
  g_autoptr(GPtrArray) expected = bento4_test_payload_hashes (source, stream, NULL);
  g_autoptr(GPtrArray) actual = NULL;
  g_autoptr(GPtrArray) raw = NULL;
  guint n_same = 0;

  g_assert_nonnull (rep);
  actual = bento4_test_rep_hashes (rep, key);
  bento4_test_assert_same_hashes (expected, actual);
  raw = bento4_test_rep_hashes (rep, NULL);
  g_assert_cmpuint (raw->len, ==, expected->len);
  for (guint i = 0; i < raw->len; i++)
    n_same += g_strcmp0 (g_ptr_array_index (raw, i), g_ptr_array_index (expected, i)) == 0;
  /* cenc leaves NAL units shorter than one AES block clear: tiny P-frames stay clear. */
  if (encrypted)
    g_assert_cmpuint (n_same, <, raw->len);
  else
    g_assert_cmpuint (n_same, ==, raw->len);
}

static void
test_ingest_media_info (Fixture *f, gconstpointer data)
{
  g_autofree char *source = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  const VpkMediaInfo *info;
  const VpkTrackInfo *video, *audio;

  g_test_summary ("ingest reads tracks, codecs strings and timing from mp4info's JSON.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, TRUE);
  job = run_pipeline (f, source, NULL, &error);
  g_assert_no_error (error);
  info = vpk_job_get_media_info (job);
  g_assert_cmpstr (info->container, ==, "mp4");
  g_assert_cmpint (info->duration_us, >=, 3900000);
  g_assert_cmpint (info->duration_us, <=, 4100000);
  g_assert_cmpuint (info->tracks->len, ==, 2);
  g_assert_cmpuint (info->video_track_id, ==, 1);
  g_assert_cmpuint (info->size, >, 0);
  video = vpk_media_info_get_video_track (info);
  g_assert_cmpstr (video->codec, ==, "avc1");
  g_assert_true (g_str_has_prefix (video->codecs, "avc1.64"));
  g_assert_cmpuint (video->width, ==, 320);
  g_assert_cmpuint (video->height, ==, 240);
  g_assert_cmpuint (video->fps_num, ==, 25);
  g_assert_cmpuint (video->fps_den, ==, 1);
  g_assert_cmpuint (video->n_samples, ==, 100);
  audio = g_ptr_array_index (info->tracks, 1);
  g_assert_cmpint (audio->kind, ==, VPK_TRACK_AUDIO);
  g_assert_cmpstr (audio->codecs, ==, "mp4a.40.2");
  g_assert_cmpuint (audio->sample_rate, ==, 48000);
  g_assert_cmpuint (audio->channels, ==, 1);
  g_assert_cmpstr (audio->language, ==, "und");
}

static void
assert_ingest_fails (Fixture    *f,
                     const char *source,
                     int         code,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkJob) job = run_pipeline (f, source, NULL, &error);

  g_assert_null (job);
  g_assert_error (error, VPK_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("'%s' does not say '%s'", error->message, message);
}

static void
test_ingest_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *source = NULL;
  g_autofree char *audio = NULL;
  g_autofree char *mkv = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_test_summary ("ingest refuses a file without video and an unreadable one (mp4info's "
                  "message), and declines a Matroska file.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, TRUE);
  audio = g_build_filename (f->dir, "audio.mp4", NULL);
  mkv = g_build_filename (f->dir, "av.mkv", NULL);
  missing = g_build_filename (f->dir, "missing.mp4", NULL);
  {
    const char *to_audio[] = { "ffmpeg", "-v", "error", "-i", source, "-map", "0:a", "-c", "copy",
                               audio, NULL };
    const char *to_mkv[] = { "ffmpeg", "-v", "error", "-i", source, "-c", "copy", mkv, NULL };

    out = bento4_test_run (to_audio, &error);
    g_assert_no_error (error);
    g_free (bento4_test_run (to_mkv, &error));
    g_assert_no_error (error);
  }
  assert_ingest_fails (f, audio, VPK_ERROR_INVALID_DATA, "has no video track");
  assert_ingest_fails (f, missing, VPK_ERROR_TOOL_FAILED, "ERROR: cannot open input file");
  /* The pipeline turns "every backend declines" into INVALID_DATA with the reasons. */
  assert_ingest_fails (f, mkv, VPK_ERROR_INVALID_DATA, "not an MP4 or QuickTime file");
}

static void
test_generated_cbcs (Fixture *f, gconstpointer data)
{
  VpkPackageOptions options = options_for (VPK_SCHEME_CBCS, VPK_ENCRYPT_VIDEO, VPK_PROFILE_LIVE);
  g_autofree char *source = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reps = NULL;
  const char *outdir;

  g_test_summary ("All-bento4, cbcs, video only, live profile, on a generated H.264+AAC file: "
                  "the MPD names the segments that exist, ffprobe reads them, the video "
                  "decrypts to the source's packets and the audio is left clear.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, TRUE);
  job = run_pipeline (f, source, &options, &error);
  g_assert_no_error (error);
  outdir = vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE);
  reps = bento4_test_check_package (outdir);
  g_assert_cmpuint (reps->len, ==, 2);
  g_assert_cmpuint (bento4_test_find_rep (reps, "video/mp4")->media->len, ==, 2);
  bento4_test_assert_probe (bento4_test_find_rep (reps, "video/mp4"), "h264");
  bento4_test_assert_probe (bento4_test_find_rep (reps, "audio/mp4"), "aac");
  check_protection (outdir, VPK_SCHEME_CBCS, FALSE);
  check_decrypts (reps, source, "video/mp4", "v:0", TRUE);
  check_decrypts (reps, source, "audio/mp4", "a:0", FALSE);
}

static void
test_generated_cenc_all (Fixture *f, gconstpointer data)
{
  VpkPackageOptions options = options_for (VPK_SCHEME_CENC, VPK_ENCRYPT_ALL, VPK_PROFILE_LIVE);
  g_autofree char *source = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reps = NULL;
  const char *outdir;

  g_test_summary ("All-bento4, cenc, every track: ffmpeg -decryption_key turns each "
                  "init+segment back into the source's video and audio packets.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, TRUE);
  job = run_pipeline (f, source, &options, &error);
  g_assert_no_error (error);
  outdir = vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE);
  reps = bento4_test_check_package (outdir);
  check_protection (outdir, VPK_SCHEME_CENC, TRUE);
  check_decrypts (reps, source, "video/mp4", "v:0", TRUE);
  check_decrypts (reps, source, "audio/mp4", "a:0", TRUE);
}

static void
run_shared (Fixture    *f,
            const char *name,
            VpkScheme   scheme)
{
  VpkPackageOptions options = options_for (scheme, VPK_ENCRYPT_VIDEO, VPK_PROFILE_LIVE);
  g_autofree char *source = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reps = NULL;
  const char *outdir;

  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_shared_media (name);
  if (source == NULL)
    return;
  job = run_pipeline (f, source, &options, &error);
  g_assert_no_error (error);
  outdir = vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE);
  reps = bento4_test_check_package (outdir);
  bento4_test_assert_probe (bento4_test_find_rep (reps, "video/mp4"), "h264");
  check_protection (outdir, scheme, FALSE);
  check_decrypts (reps, source, "video/mp4", "v:0", TRUE);
}

static void
test_shared_cbcs (Fixture *f, gconstpointer data)
{
  g_test_summary ("All-bento4, cbcs, on Bento4's own test file with the original service's "
                  "example key and KID.");
  run_shared (f, "bento4__video-h264-001.mp4", VPK_SCHEME_CBCS);
}

static void
test_shared_cenc (Fixture *f, gconstpointer data)
{
  g_test_summary ("All-bento4, cenc, on Bento4's own test file: decrypts to its packets.");
  run_shared (f, "bento4__video-h264-001.mp4", VPK_SCHEME_CENC);
}

static void
test_shared_fragmented (Fixture *f, gconstpointer data)
{
  g_test_summary ("An input that is already fragmented goes through every stage.");
  run_shared (f, "bento4__video-h264-002_fragmented.mp4", VPK_SCHEME_CBCS);
}

static void
test_on_demand (Fixture *f, gconstpointer data)
{
  VpkPackageOptions options = options_for (VPK_SCHEME_CBCS, VPK_ENCRYPT_VIDEO,
                                           VPK_PROFILE_ON_DEMAND);
  g_autofree char *source = NULL;
  g_autofree char *mpd = NULL;
  g_autofree char *mpd_path = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reps = NULL;
  const char *outdir;

  g_test_summary ("On-demand profile: one file per representation with SegmentBase and sidx.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, TRUE);
  job = run_pipeline (f, source, &options, &error);
  g_assert_no_error (error);
  outdir = vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE);
  reps = bento4_test_check_package (outdir);
  g_assert_cmpuint (reps->len, ==, 2);
  mpd_path = g_build_filename (outdir, "stream.mpd", NULL);
  g_assert_true (g_file_get_contents (mpd_path, &mpd, NULL, NULL));
  g_assert_nonnull (strstr (mpd, "urn:mpeg:dash:profile:isoff-on-demand:2011"));
  g_assert_nonnull (strstr (mpd, "indexRange="));
  bento4_test_assert_probe (bento4_test_find_rep (reps, "video/mp4"), "h264");
  check_protection (outdir, VPK_SCHEME_CBCS, FALSE);
}

static void
test_refuse_encrypted (Fixture *f, gconstpointer data)
{
  g_autofree char *source = NULL;
  g_autofree char *encrypted = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("ingest refuses a file that is already encrypted.");
  if (bento4_test_tools_dir () == NULL)
    return;
  source = bento4_test_make_media (f->dir, FALSE);
  job = run_pipeline (f, source, NULL, &error);
  g_assert_no_error (error);
  encrypted = g_build_filename (f->dir, "encrypted.mp4", NULL);
  g_assert_cmpint (g_rename (vpk_job_get_artifact_path (job, VPK_ARTIFACT_ENCRYPTED), encrypted),
                   ==, 0);
  assert_ingest_fails (f, encrypted, VPK_ERROR_INVALID_DATA, "is already encrypted");
}

static void
test_time_template (Fixture *f, gconstpointer data)
{
  VpkPackageOptions options = options_for (VPK_SCHEME_CBCS, VPK_ENCRYPT_VIDEO, VPK_PROFILE_LIVE);
  VpkBento4 b4 = { .tools_dir = (char *) bento4_test_tools_dir (), .timeout_seconds = 60 };
  g_autofree char *source = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("package declines $Time$ templates (mp4dash writes $Number$ only), so that a "
                  "backend listed after bento4 can take the job.");
  if (b4.tools_dir == NULL)
    return;
  g_assert_true (vpk_bento4_init (&b4, &error));
  options.use_time_template = TRUE;
  source = bento4_test_make_media (f->dir, FALSE);
  job = bento4_test_job (f->dir, source, &options);
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_ENCRYPTED, source);
  g_assert_false (vpk_bento4_package (&b4, job, NULL, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED);
  vpk_bento4_finalize (&b4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/bento4/ingest/media-info", test_ingest_media_info);
  ADD ("/bento4/ingest/refusals", test_ingest_refusals);
  ADD ("/bento4/ingest/already-encrypted", test_refuse_encrypted);
  ADD ("/bento4/pipeline/generated-cbcs", test_generated_cbcs);
  ADD ("/bento4/pipeline/generated-cenc-all", test_generated_cenc_all);
  ADD ("/bento4/pipeline/shared-cbcs", test_shared_cbcs);
  ADD ("/bento4/pipeline/shared-cenc", test_shared_cenc);
  ADD ("/bento4/pipeline/shared-fragmented", test_shared_fragmented);
  ADD ("/bento4/pipeline/on-demand", test_on_demand);
  ADD ("/bento4/package/time-template", test_time_template);
#undef ADD
  return g_test_run ();
}
