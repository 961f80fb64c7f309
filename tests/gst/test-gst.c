/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gst backend's ingest and fragment stages, run through a VpkPipeline;
 * outputs are checked with ffprobe and ffmpeg's framemd5. */
#include "vpk.h"
#include "vpk-pipeline.h"
#include "vpk-test-util.h"

#include <string.h>
#include <glib/gstdio.h>

#define GST_PIPELINE "[pipeline]\ningest=gst\nfragment=gst\nencrypt=testok\npackage=testok\n"

static char *media_dir;

typedef struct {
  VpkRegistry *registry;
  VpkJob      *job;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *workdir = g_dir_make_tmp ("vpack-test-gst-XXXXXX", &error);

  g_assert_no_error (error);
  f->registry = vpk_registry_new (NULL);
  f->job = vpk_job_new ("test", workdir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vpk_test_rm_rf (vpk_job_get_workdir (f->job));
  g_clear_pointer (&f->job, vpk_job_unref);
  g_clear_pointer (&f->registry, vpk_registry_free);
}

/* Runs @argv (a tool the project installs: missing is a failure); returns stdout. */
static char *
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("%s failed: %s", argv[0], err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static char *
media_path (const char *name)
{
  return g_build_filename (media_dir, name, NULL);
}

/* ffmpeg -y <inputs and codecs> <media_dir>/<name>, once per run. */
static char *
make_media (const char *name, const char *args)
{
  char *path = media_path (name);
  g_autofree char *cmd = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  cmd = g_strdup_printf ("ffmpeg -nostdin -hide_banner -loglevel error -y %s '%s'", args, path);
  g_assert_true (g_shell_parse_argv (cmd, NULL, &argv, &error));
  g_assert_no_error (error);
  out = run_tool ((const char * const *) argv);
  return path;
}

#define AV_INPUTS "-f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi " \
                  "-i sine=frequency=440:sample_rate=48000 -t 4 "
#define H264 "-c:v libx264 -g 25 -pix_fmt yuv420p -preset veryfast "

static char *
make_source (const char *name)
{
  if (g_str_equal (name, "h264-aac.mkv") || g_str_equal (name, "h264-aac.mp4") ||
      g_str_equal (name, "h264-aac.mov") || g_str_equal (name, "h264-aac.ts"))
    return make_media (name, AV_INPUTS H264 "-c:a aac -b:a 64k");
  if (g_str_equal (name, "h264-ac3.mkv"))
    return make_media (name, AV_INPUTS H264 "-c:a ac3 -b:a 96k");
  if (g_str_equal (name, "mpeg2.ts"))
    return make_media (name, AV_INPUTS "-c:v mpeg2video -b:v 500k -c:a mp2");
  if (g_str_equal (name, "vp9.webm"))
    return make_media (name, "-f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi "
                       "-i sine=frequency=440:sample_rate=48000 -t 3 -c:v libvpx-vp9 "
                       "-deadline realtime -cpu-used 8 -b:v 200k -c:a libopus");
  if (g_str_equal (name, "long-mpeg2.ts"))
    return make_media (name, "-f lavfi -i testsrc2=size=640x360:rate=25 -t 60 "
                       "-c:v mpeg2video -b:v 1M");
  if (g_str_equal (name, "audio.mka"))
    return make_media (name, "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 -c:a aac");
  g_assert_not_reached ();
}

/* The first @keep bytes of @name, as a new file. */
static char *
make_truncated (const char *name, double keep, const char *out_name)
{
  g_autofree char *src = make_source (name);
  g_autofree char *contents = NULL;
  char *path = media_path (out_name);
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_assert_true (g_file_set_contents (path, contents, (gssize) (len * keep) | 1, &error));
  g_assert_no_error (error);
  return path;
}

static VpkPipeline *
make_pipeline (Fixture *f, const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (vpk_job_get_workdir (f->job), "vpack.conf", NULL);
  g_autofree char *text = g_strconcat (GST_PIPELINE, extra, NULL);
  g_autoptr(VpkConfig) config = NULL;
  VpkPipeline *pipeline;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  config = vpk_config_load (path, &error);
  g_assert_no_error (error);
  vpk_job_set_options (f->job, &config->package);
  pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_assert_no_error (error);
  return pipeline;
}

static gboolean
run_stages (Fixture *f, const char *source, const char *extra, GError **error)
{
  g_autoptr(VpkPipeline) pipeline = make_pipeline (f, extra);

  vpk_job_set_artifact_path (f->job, VPK_ARTIFACT_SOURCE, source);
  return vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL, error);
}

/* "codec_name duration" of each stream of @path, one a line. */
static char *
probe_streams (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,duration",
                         "-of", "csv=p=0", path, NULL };

  return run_tool (argv);
}

static void
assert_stream (const char *path, const char *codec, double duration)
{
  g_autofree char *out = probe_streams (path);
  g_auto(GStrv) fields = g_strsplit (g_strstrip (out), ",", -1);

  g_test_message ("%s: %s", path, out);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);  /* one stream per file */
  g_assert_cmpstr (fields[0], ==, codec);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[1], NULL), duration, 0.15);
}

/* The payload hashes (framemd5 column 6) of stream @map of @path, in order. */
static char *
payload_hashes (const char *path, const char *map)
{
  const char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", map, "-c", "copy",
                         "-f", "framemd5", "-", NULL };
  g_autofree char *out = run_tool (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GString *hashes = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = g_strsplit (lines[i], ",", -1);

    if (lines[i][0] != '#' && g_strv_length (cols) >= 6)
      g_string_append_printf (hashes, "%s\n", g_strstrip (cols[5]));
  }
  return g_string_free (hashes, FALSE);
}

/* Fragmented: moov with mvex, then moof + mdat with tfdt. */
static void
assert_fragmented (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_nonnull (memmem (data, len, "mvex", 4));
  g_assert_nonnull (memmem (data, len, "moof", 4));
  g_assert_nonnull (memmem (data, len, "tfdt", 4));
}

static const char * const *
assert_two_tracks (Fixture *f, const char *video, const char *audio, double duration)
{
  const char * const *paths = vpk_job_get_artifact (f->job, VPK_ARTIFACT_FRAGMENTED);

  g_assert_nonnull (paths);
  g_assert_cmpuint (g_strv_length ((GStrv) paths), ==, 2);
  g_assert_true (g_str_has_suffix (paths[0], "/fragment/track1.mp4"));
  g_assert_true (g_str_has_suffix (paths[1], "/fragment/track2.mp4"));
  assert_stream (paths[0], video, duration);
  assert_stream (paths[1], audio, duration);
  assert_fragmented (paths[0]);
  assert_fragmented (paths[1]);
  return paths;
}

static void
test_container (Fixture *f, gconstpointer data)
{
  const char *name = data;
  g_autofree char *source = make_source (name);
  g_autoptr(GError) error = NULL;
  const VpkMediaInfo *info;
  const VpkTrackInfo *video;
  const char * const *paths;
  gboolean same_bitstream = !g_str_has_suffix (name, ".ts");
  gboolean ac3 = strstr (name, "ac3") != NULL;
  gboolean ok;

  g_test_summary ("Each container GStreamer demuxes is ingested and fragmented as it is: "
                  "one fragmented MP4 per track, video first, payloads unchanged.");
  ok = run_stages (f, source, "", &error);
  if (ac3 && !ok && strstr (error->message, "AC-3") != NULL) {
    /* mp4mux 1.22 writes dac3 only after the first frame and rewrites the moov
     * over the first fragment; refused clearly until that is worked around. */
    g_test_incomplete (error->message);
    return;
  }
  g_assert_no_error (error);
  g_assert_true (ok);
  info = vpk_job_get_media_info (f->job);
  video = vpk_media_info_get_video_track (info);
  g_assert_nonnull (video);
  g_assert_cmpstr (video->codec, ==, "avc1");
  g_assert_true (g_str_has_prefix (video->codecs, "avc1.64"));
  g_assert_cmpuint (video->width, ==, 320);
  g_assert_cmpuint (video->fps_num, ==, 25);
  g_assert_cmpuint (info->tracks->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (info->duration_us / 1e6, 4.0, 0.15);
  paths = assert_two_tracks (f, "h264", ac3 ? "ac3" : "aac", 4.0);
  if (same_bitstream) {
    g_autofree char *v_src = payload_hashes (source, "0:v");
    g_autofree char *v_out = payload_hashes (paths[0], "0");
    g_autofree char *a_src = payload_hashes (source, "0:a");
    g_autofree char *a_out = payload_hashes (paths[1], "0");

    g_assert_true (g_str_equal (v_out, v_src));
    if (g_str_has_suffix (name, ".mkv")) {
      g_assert_true (g_str_equal (a_out, a_src));
    } else {
      /* qtdemux applies the AAC edit list: it drops the priming frame before the
       * edit and the one after it. The rest is the same bytes, in order. */
      g_assert_nonnull (strstr (a_src, a_out));
      g_assert_cmpuint (strlen (a_src) / 33 - strlen (a_out) / 33, <=, 2);
    }
  } else {
    g_autofree char *v_src = payload_hashes (source, "0:v");
    g_autofree char *v_out = payload_hashes (paths[0], "0");

    /* Annex B in TS, length-prefixed in MP4: the same frames, other bytes. */
    g_assert_cmpuint (strlen (v_out) / 33, ==, strlen (v_src) / 33);
  }
}

static void
test_truncated (Fixture *f, gconstpointer data)
{
  const char *name = data;
  g_autofree char *out_name = g_strconcat ("cut-", name, NULL);
  g_autofree char *source = make_truncated (name, 0.6, out_name);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_test_summary ("A truncated Matroska or TS file is refused with the reason, quickly.");
  g_assert_false (run_stages (f, source, "", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_transcode (Fixture *f, gconstpointer data)
{
  const char *name = data;
  g_autofree char *source = make_source (name);
  g_autoptr(GError) error = NULL;
  const VpkTrackInfo *video;
  double duration = g_str_has_suffix (name, ".webm") ? 3.0 : 4.0;
  gboolean ok;

  g_test_summary ("Video and audio that cannot be packaged (MPEG-2 + MP2, VP9 + Opus) are "
                  "transcoded to H.264 + AAC with transcode=auto.");
  ok = run_stages (f, source, "[package]\nsegment_duration=1\n", &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  video = vpk_media_info_get_video_track (vpk_job_get_media_info (f->job));
  g_assert_cmpstr (video->codec, ==, g_str_has_suffix (name, ".webm") ? "vp09" : "mp2v");
  assert_two_tracks (f, "h264", "aac", duration);
}

static void
test_transcode_never (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source (data);
  g_autoptr(GError) error = NULL;

  g_test_summary ("With transcode=never, a codec that cannot be packaged is refused, named.");
  g_assert_false (run_stages (f, source, "[gst]\ntranscode=never\n", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "transcode = never"));
  g_assert_nonnull (strstr (error->message, g_str_has_suffix (data, ".webm") ? "'vp09'"
                                                                              : "'mp2v'"));
}

static void
test_no_video (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("audio.mka");
  g_autoptr(GError) error = NULL;

  g_test_summary ("A file with no video is refused: \"no video track\".");
  g_assert_false (run_stages (f, source, "", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "no video track"));
}

static void
test_not_media (Fixture *f, gconstpointer data)
{
  g_autofree char *source = media_path ("garbage.mkv");
  g_autoptr(GError) error = NULL;

  g_test_summary ("Bytes that are no media are refused with what GStreamer said.");
  g_assert_true (g_file_set_contents (source, "this is not a video file\n", -1, NULL));
  g_assert_false (run_stages (f, source, "", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "corrupt or unreadable: "));
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("long-mpeg2.ts");
  g_autoptr(VpkPipeline) pipeline = make_pipeline (f, "");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  gint64 start;

  g_test_summary ("Cancelling a running fragment stage stops its pipeline at once.");
  vpk_job_set_artifact_path (f->job, VPK_ARTIFACT_SOURCE, source);
  g_assert_true (vpk_pipeline_run_stage (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL,
                                         &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (vpk_pipeline_run_stage (pipeline, f->job, VPK_STAGE_FRAGMENT, NULL, NULL,
                                          cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_null (vpk_job_get_artifact (f->job, VPK_ARTIFACT_FRAGMENTED));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  media_dir = g_dir_make_tmp ("vpack-test-gst-media-XXXXXX", &error);
  g_assert_no_error (error);
#define ADD(path, fn, data) \
  g_test_add (path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("/gst/container/mp4", test_container, "h264-aac.mp4");
  ADD ("/gst/container/mov", test_container, "h264-aac.mov");
  ADD ("/gst/container/mkv-aac", test_container, "h264-aac.mkv");
  ADD ("/gst/container/mkv-ac3", test_container, "h264-ac3.mkv");
  ADD ("/gst/container/ts", test_container, "h264-aac.ts");
  ADD ("/gst/truncated/mkv", test_truncated, "h264-aac.mkv");
  ADD ("/gst/truncated/ts", test_truncated, "h264-aac.ts");
  ADD ("/gst/transcode/mpeg2-ts", test_transcode, "mpeg2.ts");
  ADD ("/gst/transcode/vp9-webm", test_transcode, "vp9.webm");
  ADD ("/gst/transcode-never/mpeg2-ts", test_transcode_never, "mpeg2.ts");
  ADD ("/gst/transcode-never/vp9-webm", test_transcode_never, "vp9.webm");
  ADD ("/gst/refuse/no-video", test_no_video, NULL);
  ADD ("/gst/refuse/not-media", test_not_media, NULL);
  ADD ("/gst/cancel", test_cancel, NULL);
#undef ADD
  ret = g_test_run ();
  vpk_test_rm_rf (media_dir);
  g_free (media_dir);
  return ret;
}
