/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gst backend's ingest and fragment stages, run through a VpkPipeline;
 * outputs are checked with ffprobe and ffmpeg's framemd5. */
#include "vpk.h"
#include "vpk-pipeline.h"
#include "vpk-test-util.h"

#include <json-glib/json-glib.h>
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
#define TEST_KEY "00112233445566778899aabbccddeeff"
#define TEST_KID "0123456789abcdef0123456789abcdef"

static char *
make_source (const char *name)
{
  if (g_str_equal (name, "h264-aac.mkv") || g_str_equal (name, "h264-aac.mp4") ||
      g_str_equal (name, "h264-aac.mov") || g_str_equal (name, "h264-aac.ts"))
    return make_media (name, AV_INPUTS H264 "-c:a aac -b:a 64k");
  if (g_str_equal (name, "h264-ac3.mkv"))
    return make_media (name, AV_INPUTS H264 "-c:a ac3 -b:a 96k");
  if (g_str_equal (name, "h264-eac3.mkv"))
    return make_media (name, AV_INPUTS H264 "-c:a eac3 -b:a 96k");
  if (g_str_equal (name, "h264-aac-10s.mkv"))
    return make_media (name, "-f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi "
                       "-i sine=frequency=440:sample_rate=48000 -t 10 " H264 "-c:a aac -b:a 64k");
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
  g_auto(GStrv) fields = NULL;

  g_test_message ("%s: %s", path, out);
  g_assert_null (strchr (g_strstrip (out), '\n'));  /* one stream per file */
  /* AC-3 streams carry side data: ffprobe adds an empty field for it. */
  fields = g_strsplit (out, ",", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
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

/* The stage folder of @track holds the @n track files and nothing else: the
 * progressive MP4 mp4mux wrote has been removed. */
static void
assert_only_tracks (const char *track, guint n)
{
  g_autofree char *dir = g_path_get_dirname (track);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL) {
    g_test_message ("%s: %s", dir, name);
    g_assert_true (g_str_has_prefix (name, "track") && g_str_has_suffix (name, ".mp4"));
    count++;
  }
  g_assert_cmpuint (count, ==, n);
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
  assert_only_tracks (paths[0], 2);
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

/* The offsets of the first byte in each mdat of @path: where a fragment's samples start. */
static GArray *
fragment_data_offsets (const char *path)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  for (gsize pos = 0; len - pos >= 8;) {
    guint64 size = ((guint64) data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) |
                   data[pos + 3];
    guint64 header = 8;

    if (size == 1) {
      g_assert_cmpuint (len - pos, >=, 16);
      size = 0;
      for (guint i = 8; i < 16; i++)
        size = (size << 8) | data[pos + i];
      header = 16;
    }
    g_assert_cmpuint (size, >=, header);
    g_assert_cmpuint (size, <=, len - pos);
    if (memcmp (data + pos + 4, "mdat", 4) == 0) {
      guint64 start = pos + header;

      g_array_append_val (offsets, start);
    }
    pos += size;
  }
  return offsets;
}

/* The presentation time of the first sample of each fragment of @path, as
 * ffprobe reads it; with @video, each of those samples must be a key frame. */
static GArray *
fragment_starts (const char *path, gboolean video)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-show_entries", "packet=pts_time,pos,flags",
                         "-of", "csv=p=0", path, NULL };
  g_autofree char *out = run_tool (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GArray) offsets = fragment_data_offsets (path);
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint f = 0; f < offsets->len; f++) {
    guint64 offset = g_array_index (offsets, guint64, f);
    gboolean found = FALSE;

    for (guint i = 0; lines[i] != NULL && !found; i++) {
      g_auto(GStrv) cols = g_strsplit (lines[i], ",", -1);  /* pts_time,pos,flags */
      double pts;

      if (g_strv_length (cols) < 3 || g_ascii_strtoull (cols[1], NULL, 10) != offset)
        continue;
      found = TRUE;
      pts = g_ascii_strtod (cols[0], NULL);
      g_test_message ("%s: fragment %u at %.3f s, flags %s", path, f + 1, pts, cols[2]);
      if (video)
        g_assert_true (cols[2][0] == 'K');
      g_array_append_val (starts, pts);
    }
    g_assert_true (found);
  }
  return starts;
}

static void
on_progress (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  if (stage == VPK_STAGE_FRAGMENT)
    g_array_append_val ((GArray *) data, fraction);
}

/* GStreamer reports 0..0.8, the fragmenter 0.8..1, never going back. */
static void
assert_progress (GArray *fractions)
{
  gboolean fragmenter_seen = FALSE;

  g_assert_cmpuint (fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < fractions->len; i++) {
    double x = g_array_index (fractions, double, i);

    g_assert_cmpfloat (x, >=, g_array_index (fractions, double, i - 1));
    fragmenter_seen |= x > 0.8 && x < 1.0;
  }
  g_assert_true (fragmenter_seen);
}

static void
test_segment_duration (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("h264-aac-10s.mkv");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) video = NULL;
  g_autoptr(GArray) audio = NULL;
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  const char * const *paths;

  g_test_summary ("Video fragments follow [package] segment_duration (not one GOP each): "
                  "10 s with 1 s GOPs at 4 s gives 3 fragments, each starting with a key "
                  "frame at 0, 4 and 8 s; audio is cut at the same times.");
  vpk_job_set_progress_func (f->job, on_progress, fractions);
  g_assert_true (run_stages (f, source, "[package]\nsegment_duration=4\n", &error));
  g_assert_no_error (error);
  vpk_job_set_progress_func (f->job, NULL, NULL);
  assert_progress (fractions);
  paths = assert_two_tracks (f, "h264", "aac", 10.0);
  video = fragment_starts (paths[0], TRUE);
  audio = fragment_starts (paths[1], FALSE);
  g_assert_cmpuint (video->len, ==, 3);
  g_assert_cmpuint (audio->len, ==, 3);
  /* ffmpeg adds the largest negative composition offset to video times: compare
   * them with the first. matroskademux moves its segment start by the 21 ms
   * the video starts late in this file after two frames, hence the margin. */
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpfloat_with_epsilon (g_array_index (video, double, i) -
                                    g_array_index (video, double, 0), 4.0 * i, 0.03);
    g_assert_cmpfloat_with_epsilon (g_array_index (audio, double, i), 4.0 * i, 0.05);
  }
}

static void
test_eac3 (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("h264-eac3.mkv");
  g_autoptr(GError) error = NULL;
  const VpkMediaInfo *info;

  g_test_summary ("E-AC-3 is transcoded to AAC: mp4mux 1.22 takes no audio/x-eac3 (its "
                  "audio_%u sink caps are MPEG-1/AAC, AC-3, ALAC and Opus only).");
  g_assert_true (run_stages (f, source, "", &error));
  g_assert_no_error (error);
  info = vpk_job_get_media_info (f->job);
  g_assert_cmpuint (info->tracks->len, ==, 2);
  g_assert_cmpstr (((VpkTrackInfo *) info->tracks->pdata[1])->codec, ==, "ec-3");
  assert_two_tracks (f, "h264", "aac", 4.0);
}

/* The backend that ran @stage, from `vpack package --json`. */
static const char *
stage_backend (JsonObject *result, const char *stage)
{
  JsonArray *stages = json_object_get_array_member (result, "stages");

  for (guint i = 0; i < json_array_get_length (stages); i++) {
    JsonObject *s = json_array_get_object_element (stages, i);

    if (g_str_equal (json_object_get_string_member (s, "stage"), stage))
      return json_object_get_string_member (s, "backend");
  }
  return NULL;
}

/* init.mp4 followed by the segments of the representation folder @dir, as one file. */
static char *
join_representation (const char *dir)
{
  char *path = g_strconcat (dir, ".mp4", NULL);
  g_autoptr(GString) data = g_string_new (NULL);

  for (guint n = 0;; n++) {
    g_autofree char *name = n == 0 ? g_strdup ("init.mp4") : g_strdup_printf ("seg-%u.m4s", n);
    g_autofree char *part = g_build_filename (dir, name, NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    if (!g_file_get_contents (part, &contents, &len, NULL))
      break;
    g_string_append_len (data, contents, (gssize) len);
  }
  g_assert_true (g_file_set_contents (path, data->str, (gssize) data->len, NULL));
  return path;
}

static void
assert_representations (const char *out_dir)
{
  g_autofree char *video = g_build_filename (out_dir, "video1", NULL);
  g_autofree char *audio = g_build_filename (out_dir, "audio2", NULL);
  g_autofree char *video_mp4 = join_representation (video);
  g_autofree char *audio_mp4 = join_representation (audio);

  assert_stream (video_mp4, "h264", 4.0);
  assert_stream (audio_mp4, "ac3", 4.0);
}

static void
test_cli_package_ac3 (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("h264-ac3.mkv");
  g_autofree char *out_dir = g_build_filename (vpk_job_get_workdir (f->job), "out", NULL);
  const char *package[] = { g_getenv ("VPACK"), "package", source, "-o", out_dir,
                            "--key", TEST_KEY, "--kid", TEST_KID, "--segment-duration", "2",
                            "--json", NULL };
  const char *verify[] = { g_getenv ("VPACK"), "verify", out_dir,
                           "--key", TEST_KEY, "--kid", TEST_KID, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *verified = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *result;

  g_test_summary ("vpack package with the default config takes an H.264 + AC-3 Matroska "
                  "through gst (native declines Matroska), then native encrypts and "
                  "packages; vpack verify passes and ffprobe reads each representation.");
  g_assert_nonnull (package[0]);
  out = run_tool (package);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (stage_backend (result, "ingest"), ==, "gst");
  g_assert_cmpstr (stage_backend (result, "fragment"), ==, "gst");
  g_assert_cmpstr (stage_backend (result, "encrypt"), ==, "native");
  g_assert_cmpstr (stage_backend (result, "package"), ==, "native");
  verified = run_tool (verify);
  g_test_message ("%s", verified);
  assert_representations (out_dir);
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

/* What a failed fragment stage leaves: an empty stage folder. */
static void
assert_stage_dir_empty (Fixture *f)
{
  g_autofree char *dir = g_build_filename (vpk_job_get_workdir (f->job), "fragment", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);

  g_assert_nonnull (d);
  g_assert_null (g_dir_read_name (d));
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
  assert_stage_dir_empty (f);
}

static void
cancel_when_fragmenting (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  if (stage == VPK_STAGE_FRAGMENT && fraction > 0.8)
    g_cancellable_cancel (data);
}

static void
test_cancel_fragmenting (Fixture *f, gconstpointer data)
{
  g_autofree char *source = make_source ("h264-aac-10s.mkv");
  g_autoptr(VpkPipeline) pipeline = make_pipeline (f, "[package]\nsegment_duration=2\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_test_summary ("Cancelling while the fragmenter cuts mp4mux's output stops it; no "
                  "partial file is left in the stage folder.");
  vpk_job_set_artifact_path (f->job, VPK_ARTIFACT_SOURCE, source);
  g_assert_true (vpk_pipeline_run_stage (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL,
                                         &error));
  g_assert_no_error (error);
  vpk_job_set_progress_func (f->job, cancel_when_fragmenting, cancellable);
  g_assert_false (vpk_pipeline_run_stage (pipeline, f->job, VPK_STAGE_FRAGMENT, NULL, NULL,
                                          cancellable, &error));
  vpk_job_set_progress_func (f->job, NULL, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (vpk_job_get_artifact (f->job, VPK_ARTIFACT_FRAGMENTED));
  assert_stage_dir_empty (f);
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
  ADD ("/gst/segment-duration", test_segment_duration, NULL);
  ADD ("/gst/eac3-transcoded", test_eac3, NULL);
  ADD ("/gst/cli/package-mkv-ac3", test_cli_package_ac3, NULL);
  ADD ("/gst/truncated/mkv", test_truncated, "h264-aac.mkv");
  ADD ("/gst/truncated/ts", test_truncated, "h264-aac.ts");
  ADD ("/gst/transcode/mpeg2-ts", test_transcode, "mpeg2.ts");
  ADD ("/gst/transcode/vp9-webm", test_transcode, "vp9.webm");
  ADD ("/gst/transcode-never/mpeg2-ts", test_transcode_never, "mpeg2.ts");
  ADD ("/gst/transcode-never/vp9-webm", test_transcode_never, "vp9.webm");
  ADD ("/gst/refuse/no-video", test_no_video, NULL);
  ADD ("/gst/refuse/not-media", test_not_media, NULL);
  ADD ("/gst/cancel", test_cancel, NULL);
  ADD ("/gst/cancel/fragmenting", test_cancel_fragmenting, NULL);
#undef ADD
  ret = g_test_run ();
  vpk_test_rm_rf (media_dir);
  g_free (media_dir);
  return ret;
}
