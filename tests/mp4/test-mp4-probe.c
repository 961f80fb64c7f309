/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <string.h>

#include "mp4/vpk-mp4-bytes.h"
#include "mp4/vpk-mp4-probe.h"
#include "mp4-test-util.h"

static const VpkTrackInfo *
track_of_kind (const VpkMediaInfo *info, VpkTrackKind kind)
{
  for (guint i = 0; i < info->tracks->len; i++) {
    const VpkTrackInfo *t = info->tracks->pdata[i];

    if (t->kind == kind)
      return t;
  }
  return NULL;
}

/* ffprobe's nb_frames of the first stream of @type ("v" / "a"). */
static guint64
ffprobe_frames (const char *path, const char *type)
{
  g_autofree char *spec = g_strdup_printf ("%s:0", type);
  const char *argv[] = { "ffprobe", "-v", "error", "-select_streams", spec, "-show_entries",
                         "stream=nb_frames", "-of", "csv=p=0", path, NULL };
  g_autofree char *out = mp4_test_run (argv);

  return g_ascii_strtoull (g_strstrip (out), NULL, 10);
}

static VpkMediaInfo *
probe_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  VpkMediaInfo *info = vpk_mp4_probe (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static void
test_generated_h264_aac (void)
{
  g_autofree char *path = mp4_test_fixture ("h264-aac");
  g_autoptr(VpkMediaInfo) info = probe_ok (path);
  const VpkTrackInfo *v = track_of_kind (info, VPK_TRACK_VIDEO);
  const VpkTrackInfo *a = track_of_kind (info, VPK_TRACK_AUDIO);

  g_test_summary ("An ffmpeg H.264 (B-frames) + AAC file is described like ffprobe does.");
  g_assert_cmpstr (info->container, ==, "mp4");
  g_assert_cmpint (info->duration_us, >=, 2900000);
  g_assert_cmpint (info->duration_us, <=, 3100000);
  g_assert_nonnull (v);
  g_assert_nonnull (a);
  g_assert_cmpuint (info->video_track_id, ==, v->id);
  g_assert_cmpstr (v->codec, ==, "avc1");
  g_assert_true (g_str_has_prefix (v->codecs, "avc1."));
  g_assert_cmpuint (strlen (v->codecs), ==, 11);
  g_assert_cmpuint (v->width, ==, 320);
  g_assert_cmpuint (v->height, ==, 240);
  g_assert_cmpuint (v->fps_num, ==, 30);
  g_assert_cmpuint (v->fps_den, ==, 1);
  g_assert_cmpuint (v->n_samples, ==, ffprobe_frames (path, "v"));
  g_assert_cmpuint (v->bitrate, >, 0);
  g_assert_cmpstr (a->codecs, ==, "mp4a.40.2");
  g_assert_cmpuint (a->sample_rate, ==, 48000);
  g_assert_cmpuint (a->channels, ==, 1);
  g_assert_cmpuint (a->n_samples, ==, ffprobe_frames (path, "a"));
  g_assert_false (v->encrypted);
}

static void
test_generated_hevc_ac3 (void)
{
  g_autofree char *path = mp4_test_fixture ("hevc-ac3");
  g_autoptr(VpkMediaInfo) info = probe_ok (path);
  const VpkTrackInfo *v = track_of_kind (info, VPK_TRACK_VIDEO);
  const VpkTrackInfo *a = track_of_kind (info, VPK_TRACK_AUDIO);

  g_test_summary ("HEVC gets an Annex E codecs string; AC-3 its channels from dac3.");
  g_assert_nonnull (v);
  g_assert_nonnull (a);
  g_assert_cmpstr (v->codec, ==, "hvc1");
  g_assert_true (g_str_has_prefix (v->codecs, "hvc1.1.6.L"));
  g_assert_cmpuint (v->fps_num, ==, 25);
  g_assert_cmpuint (v->n_samples, ==, ffprobe_frames (path, "v"));
  g_assert_cmpstr (a->codecs, ==, "ac-3");
  g_assert_cmpuint (a->channels, ==, 1);
  g_assert_cmpuint (a->n_samples, ==, ffprobe_frames (path, "a"));
}

static void
test_generated_2997_eac3 (void)
{
  g_autofree char *path = mp4_test_fixture ("h264-2997-eac3");
  g_autoptr(VpkMediaInfo) info = probe_ok (path);
  const VpkTrackInfo *v = track_of_kind (info, VPK_TRACK_VIDEO);
  const VpkTrackInfo *a = track_of_kind (info, VPK_TRACK_AUDIO);

  g_test_summary ("29.97 fps is the fraction 30000/1001; E-AC-3 is ec-3.");
  g_assert_nonnull (v);
  g_assert_nonnull (a);
  g_assert_cmpuint (v->fps_num, ==, 30000);
  g_assert_cmpuint (v->fps_den, ==, 1001);
  g_assert_cmpstr (a->codecs, ==, "ec-3");
}

static void
test_generated_mov_and_fragmented (void)
{
  g_autofree char *mov = mp4_test_fixture ("mov");
  g_autofree char *frag = mp4_test_fixture ("h264-frag");
  g_autoptr(VpkMediaInfo) a = probe_ok (mov);
  g_autoptr(VpkMediaInfo) b = probe_ok (frag);
  const VpkTrackInfo *v = track_of_kind (b, VPK_TRACK_VIDEO);

  g_test_summary ("MOV is reported as mov; fragmented input counts samples in its moofs.");
  g_assert_cmpstr (a->container, ==, "mov");
  g_assert_nonnull (v);
  g_assert_cmpuint (v->n_samples, ==, 90);
  g_assert_cmpint (b->duration_us, >=, 2900000);
}

static void
expect_error (const char *path, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMediaInfo) info = vpk_mp4_probe (path, &error);

  g_assert_null (info);
  g_assert_error (error, VPK_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("'%s' does not mention '%s'", error->message, fragment);
}

static void
test_refusals (void)
{
  g_autofree char *mkv = mp4_test_fixture ("mkv");
  g_autofree char *ts = mp4_test_fixture ("ts");
  g_autofree char *audio = mp4_test_fixture ("audio-only");
  g_autofree char *text = mp4_test_write_file ("text.mp4", (const guint8 *) "hello world", 11);

  g_test_summary ("Other containers are declined (NOT_SUPPORTED); no video is refused.");
  expect_error (mkv, VPK_ERROR_NOT_SUPPORTED, "looks like Matroska");
  expect_error (ts, VPK_ERROR_NOT_SUPPORTED, "looks like MPEG-TS");
  expect_error (text, VPK_ERROR_NOT_SUPPORTED, "not an MP4/MOV file");
  expect_error (audio, VPK_ERROR_INVALID_DATA, "no video track");
  expect_error ("/nonexistent/file.mp4", VPK_ERROR_NOT_FOUND, NULL);
}

static void
test_shared_media (void)
{
  static const struct {
    const char *file, *codecs;
    guint width, height;
    guint64 video_frames;
  } ok[] = {
    { "bento4__video-h264-001.mp4", "avc1.4d400a", 160, 120, 54 },
    { "bento4__video-h264-002_fragmented.mp4", "avc1.4d400a", 160, 120, 54 },
    { "mp4ff__prog_8s.mp4", "avc1.64001e", 640, 360, 240 },
    { "mp4ff__ed_hevc.mp4", "hvc1.1.6.L120.90", 640, 360, 27 },
    { "androidx__sample.mp4", "avc1.64001f", 1080, 720, 30 },
    { "androidx__bbb_800x640_768kbps_30fps_avc_pyramid_3b.mp4", "avc1.64001f", 800, 640, 120 },
    { "mp4parser__count-video.mp4", "avc1.64001f", 640, 480, 245 },
  };
  const char *dir = mp4_test_shared_media ();
  g_autofree char *no_video = NULL, *cenc = NULL;

  g_test_summary ("The real-world files probe like ffprobe, or are refused as README says.");
  if (dir == NULL) {
    g_test_skip ("no ../shared/media (set VPACK_SHARED_MEDIA)");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++) {
    g_autofree char *path = g_build_filename (dir, ok[i].file, NULL);
    g_autoptr(VpkMediaInfo) info = probe_ok (path);
    const VpkTrackInfo *v = vpk_media_info_get_video_track (info);

    g_assert_nonnull (v);
    g_assert_cmpstr (v->codecs, ==, ok[i].codecs);
    g_assert_cmpuint (v->width, ==, ok[i].width);
    g_assert_cmpuint (v->height, ==, ok[i].height);
    g_assert_cmpuint (v->n_samples, ==, ok[i].video_frames);
  }
  no_video = g_build_filename (dir, "androidx__sample_ac3_aac.mp4", NULL);
  expect_error (no_video, VPK_ERROR_INVALID_DATA, "no video track");
  cenc = g_build_filename (dir, "mp4ff__prog_8s_enc_dashinit_CENC.mp4", NULL);
  expect_error (cenc, VPK_ERROR_INVALID_DATA, "already encrypted");
}

/* Probing @data must fail with INVALID_DATA (or succeed), never crash or hang. */
static void
probe_mutant (const char *name, const guint8 *data, gsize size, gboolean must_fail)
{
  g_autofree char *path = mp4_test_write_file (name, data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMediaInfo) info = vpk_mp4_probe (path, &error);

  if (info == NULL)
    g_assert_true (error->code == VPK_ERROR_INVALID_DATA ||
                   error->code == VPK_ERROR_NOT_SUPPORTED);
  if (must_fail && info != NULL)
    g_error ("%s: a damaged file was accepted", name);
}

static void
test_truncated (void)
{
  g_autofree char *path = mp4_test_fixture ("h264-1s");
  g_autofree char *data = NULL;
  gsize size, offset = 0;
  GError *error = NULL;

  g_test_summary ("Cut at every top-level box boundary and inside each box: refused.");
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  while (offset + 8 <= size) {
    guint32 box;

    memcpy (&box, data + offset, 4);  /* unaligned */
    box = GUINT32_FROM_BE (box);

    if (offset > 0)
      probe_mutant ("cut-boundary.mp4", (guint8 *) data, offset, TRUE);
    probe_mutant ("cut-mid.mp4", (guint8 *) data, offset + box / 2, TRUE);
    probe_mutant ("cut-header.mp4", (guint8 *) data, offset + 5, TRUE);
    if (box < 8)
      break;
    offset += box;
  }
  {
    g_autofree char *cut = mp4_test_write_file ("cut.mp4", (guint8 *) data, size - 100);
    g_autoptr(VpkMediaInfo) info = vpk_mp4_probe (cut, &error);

    g_assert_null (info);
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "runs past the end of the file"));
    g_clear_error (&error);
  }
}

static gsize
find_type (const char *data, gsize size, const char *type)
{
  for (gsize i = 4; i + 4 <= size; i++)
    if (memcmp (data + i, type, 4) == 0)
      return i - 4;
  g_error ("no %s", type);
  return 0;
}

static void
put_u32 (char *p, guint32 v)
{
  v = GUINT32_TO_BE (v);
  memcpy (p, &v, 4);
}

static void
test_hostile_sizes_and_counts (void)
{
  static const char *boxes[] = { "moov", "trak", "mdia", "stbl", "stsd", "avc1", "avcC",
                                 "stsz", "stco", "stts", "stsc", "mdhd", "hdlr", "esds" };
  static const guint32 sizes[] = { 0, 1, 7, 9, 0x7fffffff, 0xffffffff };
  g_autofree char *path = mp4_test_fixture ("h264-1s");
  g_autofree char *data = NULL;
  gsize size;

  g_test_summary ("Box sizes 0/1/small/huge and table counts past the box: refused.");
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  for (guint b = 0; b < G_N_ELEMENTS (boxes); b++) {
    gsize at = find_type (data, size, boxes[b]);
    g_autofree char *copy = g_memdup2 (data, size);

    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      put_u32 (copy + at, sizes[s]);
      probe_mutant ("size.mp4", (guint8 *) copy, size, FALSE);
    }
    memcpy (copy, data, size);
    /* the count field of stsz is at +16, of the other tables at +12 */
    put_u32 (copy + at + (b == 7 ? 16 : 12), 0x7ffffff0);
    probe_mutant ("count.mp4", (guint8 *) copy, size, b >= 7 && b <= 10);
  }
}

static void
test_zero_samples_and_depth_bomb (void)
{
  g_autofree char *path = mp4_test_fixture ("h264-1s");
  g_autofree char *data = NULL;
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();
  g_autofree char *bomb = NULL;
  gsize size, stsz;
  GError *error = NULL;
  g_autoptr(VpkMediaInfo) info = NULL;

  g_test_summary ("A video track with no samples and a nesting bomb are INVALID_DATA.");
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  stsz = find_type (data, size, "stsz");
  put_u32 (data + stsz + 16, 0);
  {
    g_autofree char *p = mp4_test_write_file ("empty.mp4", (guint8 *) data, size);

    info = vpk_mp4_probe (p, &error);
    g_assert_null (info);
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }
  vpk_mp4_writer_begin_box (w, VPK_MP4_FOURCC ('f', 't', 'y', 'p'));
  vpk_mp4_writer_put_u32 (w, VPK_MP4_FOURCC ('i', 's', 'o', 'm'));
  vpk_mp4_writer_end_box (w);
  for (int i = 0; i < 100000; i++)
    vpk_mp4_writer_begin_box (w, VPK_MP4_FOURCC ('m', 'o', 'o', 'v'));
  for (int i = 0; i < 100000; i++)
    vpk_mp4_writer_end_box (w);
  bomb = mp4_test_write_file ("bomb.mp4", vpk_mp4_writer_get_data (w),
                              vpk_mp4_writer_get_size (w));
  info = vpk_mp4_probe (bomb, &error);
  g_assert_null (info);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "nested deeper"));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/mp4/probe/h264-aac", test_generated_h264_aac);
  g_test_add_func ("/mp4/probe/hevc-ac3", test_generated_hevc_ac3);
  g_test_add_func ("/mp4/probe/2997-eac3", test_generated_2997_eac3);
  g_test_add_func ("/mp4/probe/mov-and-fragmented", test_generated_mov_and_fragmented);
  g_test_add_func ("/mp4/probe/refusals", test_refusals);
  g_test_add_func ("/mp4/probe/shared-media", test_shared_media);
  g_test_add_func ("/mp4/probe/hostile/truncated", test_truncated);
  g_test_add_func ("/mp4/probe/hostile/sizes-and-counts", test_hostile_sizes_and_counts);
  g_test_add_func ("/mp4/probe/hostile/zero-samples-depth-bomb", test_zero_samples_and_depth_bomb);
  return g_test_run ();
}
