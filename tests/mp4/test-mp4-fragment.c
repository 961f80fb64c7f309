/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <string.h>

#include "mp4/vpk-mp4-fragmenter.h"
#include "mp4/vpk-mp4-fragments.h"
#include "mp4/vpk-mp4-output.h"
#include "mp4-test-util.h"

/* The source stream index (for -map 0:N) of MP4 track @track_id. */
static char *
source_map (const char *src, guint32 track_id)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-show_entries", "stream=index,id", "-of",
                         "csv=p=0", src, NULL };
  g_autofree char *out = mp4_test_run (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = g_strsplit (lines[i], ",", 2);

    if (g_strv_length (cols) == 2 && g_ascii_strtoull (cols[1], NULL, 0) == track_id)
      return g_strdup_printf ("0:%s", cols[0]);
  }
  g_error ("no track %u in %s", track_id, src);
  return NULL;
}

/* Every fragment starts with a sync sample; decode times are continuous. */
static guint
check_fragments (const char *path, GArray *starts_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMp4FragmentReader) r = vpk_mp4_fragment_reader_open (path, &error);
  guint n = 0;
  gint64 next_dts = -1;

  g_assert_no_error (error);
  for (;;) {
    g_autoptr(VpkMp4Fragment) f = NULL;
    VpkMp4TrafInfo *traf;
    const VpkMp4Sample *s;

    g_assert_true (vpk_mp4_fragment_reader_next (r, &f, &error));
    g_assert_no_error (error);
    if (f == NULL)
      break;
    g_assert_cmpuint (f->sequence_number, ==, ++n);
    g_assert_cmpuint (f->trafs->len, ==, 1);
    traf = f->trafs->pdata[0];
    s = (const VpkMp4Sample *) traf->samples->data;
    g_assert_cmpuint (traf->samples->len, >, 0);
    g_assert_true (VPK_MP4_SAMPLE_IS_SYNC (s[0].flags));
    g_assert_cmpuint (s[0].offset, ==, f->mdat_offset + 8);
    if (next_dts >= 0)
      g_assert_cmpint ((gint64) traf->base_media_decode_time, ==, next_dts);
    next_dts = s[traf->samples->len - 1].dts + s[traf->samples->len - 1].duration;
    if (starts_out != NULL) {
      double t = (double) traf->base_media_decode_time;

      g_array_append_val (starts_out, t);
    }
  }
  return n;
}

static char **
fragment_ok (const char *src, const char *dir_name, guint ms)
{
  g_autofree char *dir = mp4_test_make_dir (dir_name);
  g_autoptr(GError) error = NULL;
  char **paths = NULL;

  g_assert_true (vpk_mp4_fragment_file (src, dir, ms, NULL, NULL, NULL, &paths, &error));
  g_assert_no_error (error);
  g_assert_nonnull (paths);
  return paths;
}

/* Payload hashes of each output equal those of the same source track. */
static void
check_outputs (const char *src, char **paths, guint min_fragments)
{
  for (guint i = 0; paths[i] != NULL; i++) {
    g_autofree char *base = g_path_get_basename (paths[i]);
    guint32 track_id = (guint32) g_ascii_strtoull (base + strlen ("track"), NULL, 10);
    g_autofree char *map = source_map (src, track_id);
    g_autofree char *want = mp4_test_payload_hashes (src, map);
    g_autofree char *got = mp4_test_payload_hashes (paths[i], "0");

    g_assert_cmpstr (got, ==, want);
    g_assert_cmpuint (check_fragments (paths[i], NULL), >=, i == 0 ? min_fragments : 1);
  }
}

static void
test_h264_aac (void)
{
  g_autofree char *src = mp4_test_fixture ("h264-aac");
  g_auto(GStrv) paths = fragment_ok (src, "out-h264-aac", 1000);
  g_autoptr(GArray) vstarts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) astarts = g_array_new (FALSE, FALSE, sizeof (double));
  const char *argv[] = { "ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                         "-of", "csv=p=0", paths[0], NULL };
  g_autofree char *codec = mp4_test_run (argv);

  g_test_summary ("H.264 + AAC: one file per track, same payloads, aligned 1 s fragments.");
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  g_assert_true (g_str_has_suffix (paths[0], "track1.mp4"));
  g_assert_cmpstr (g_strstrip (codec), ==, "h264");
  check_outputs (src, paths, 3);
  g_assert_cmpuint (check_fragments (paths[0], vstarts), ==, 3);
  g_assert_cmpuint (check_fragments (paths[1], astarts), ==, 3);
}

static void
test_hevc_ac3_and_2997 (void)
{
  g_autofree char *hevc = mp4_test_fixture ("hevc-ac3");
  g_autofree char *ntsc = mp4_test_fixture ("h264-2997-eac3");
  g_auto(GStrv) a = fragment_ok (hevc, "out-hevc", 1000);
  g_auto(GStrv) b = fragment_ok (ntsc, "out-2997", 1000);

  g_test_summary ("HEVC + AC-3 and 29.97 fps + E-AC-3 keep their payloads.");
  check_outputs (hevc, a, 2);
  check_outputs (ntsc, b, 3);
}

static void
test_irregular_gop (void)
{
  g_autofree char *src = mp4_test_fixture ("h264-irregular");
  g_auto(GStrv) paths = fragment_ok (src, "out-irregular", 1000);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));

  g_test_summary ("Keyframes at 0, 0.5, 1.7, 2.1, 2.9, 4.4 s, 1 s target: cuts at 0, 1.7, "
                  "2.1 and 4.4 (the first keyframe at or after 1, 2, 3 s).");
  check_outputs (src, paths, 4);
  g_assert_cmpuint (check_fragments (paths[0], starts), ==, 4);
  g_assert_cmpfloat_with_epsilon (g_array_index (starts, double, 1) / 15360, 1.7, 0.01);
  g_assert_cmpfloat_with_epsilon (g_array_index (starts, double, 3) / 15360, 4.4, 0.01);
}

static void
test_fragmented_input (void)
{
  g_autofree char *src = mp4_test_fixture ("h264-frag");
  g_auto(GStrv) paths = fragment_ok (src, "out-frag", 2000);

  g_test_summary ("Already fragmented input (moof/trun) is refragmented losslessly.");
  check_outputs (src, paths, 2);
}

static void
test_shared_media (void)
{
  static const char *files[] = {
    "bento4__video-h264-001.mp4", "bento4__video-h264-002_fragmented.mp4",
    "mp4ff__prog_8s.mp4", "mp4ff__ed_hevc.mp4", "androidx__sample.mp4",
    "androidx__bbb_800x640_768kbps_30fps_avc_pyramid_3b.mp4", "mp4parser__count-video.mp4",
  };
  const char *dir = mp4_test_shared_media ();

  g_test_summary ("The real-world files fragment with their payloads intact.");
  if (dir == NULL) {
    g_test_skip ("no ../shared/media (set VPACK_SHARED_MEDIA)");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree char *src = g_build_filename (dir, files[i], NULL);
    g_autofree char *name = g_strdup_printf ("out-shared-%u", i);
    g_auto(GStrv) paths = fragment_ok (src, name, 2000);

    check_outputs (src, paths, 1);
  }
}

static void
test_declines_and_cancel (void)
{
  g_autofree char *mkv = mp4_test_fixture ("mkv");
  g_autofree char *src = mp4_test_fixture ("h264-aac");
  g_autofree char *dir = mp4_test_make_dir ("out-cancel");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *left = g_build_filename (dir, "track1.mp4", NULL);
  char **paths = NULL;

  g_test_summary ("Matroska is declined (NOT_SUPPORTED); cancelling leaves no files.");
  g_assert_false (vpk_mp4_fragment_file (mkv, dir, 2000, NULL, NULL, NULL, &paths, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  g_assert_false (vpk_mp4_fragment_file (src, dir, 2000, cancellable, NULL, NULL, &paths,
                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (paths);
  g_assert_false (g_file_test (left, G_FILE_TEST_EXISTS));
}

/* Rewrites every fragment through serialize_head + sample copies, as an
 * encryptor would, and checks the payloads survive. */
static void
test_reader_rewrite (void)
{
  g_autofree char *src = mp4_test_fixture ("h264-frag");
  g_autofree char *dir = mp4_test_make_dir ("out-rewrite");
  g_autofree char *dst = g_build_filename (dir, "rewritten.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMp4FragmentReader) r = vpk_mp4_fragment_reader_open (src, &error);
  g_autoptr(VpkMp4Output) out = vpk_mp4_output_new (dst, &error);
  g_autoptr(GArray) trex = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autofree char *want = NULL, *got = NULL;

  g_test_summary ("A moof edited and re-serialized with fixed data offsets stays valid.");
  g_assert_no_error (error);
  trex = vpk_mp4_read_trex (vpk_mp4_fragment_reader_get_moov (r));
  head = vpk_mp4_box_serialize (vpk_mp4_fragment_reader_get_ftyp (r));
  g_assert_true (vpk_mp4_output_write_bytes (out, head, NULL));
  g_clear_pointer (&head, g_bytes_unref);
  head = vpk_mp4_box_serialize (vpk_mp4_fragment_reader_get_moov (r));
  g_assert_true (vpk_mp4_output_write_bytes (out, head, NULL));
  for (;;) {
    g_autoptr(VpkMp4Fragment) f = NULL;
    guint64 payload = 0;
    static const guint8 junk[12] = { 0 };

    g_assert_true (vpk_mp4_fragment_reader_next (r, &f, &error));
    if (f == NULL)
      break;
    for (guint t = 0; t < f->trafs->len; t++) {
      VpkMp4TrafInfo *info = f->trafs->pdata[t];

      /* grow the traf, as senc/saiz/saio would */
      vpk_mp4_box_append (info->traf, vpk_mp4_box_new_leaf (VPK_MP4_FOURCC ('f', 'r', 'e', 'e'),
                                                            junk, sizeof junk));
      for (guint k = 0; k < info->samples->len; k++)
        payload += g_array_index (info->samples, VpkMp4Sample, k).size;
    }
    g_clear_pointer (&head, g_bytes_unref);
    head = vpk_mp4_fragment_serialize_head (f->moof, trex, payload, &error);
    g_assert_no_error (error);
    g_assert_true (vpk_mp4_output_write_bytes (out, head, NULL));
    for (guint t = 0; t < f->trafs->len; t++) {
      VpkMp4TrafInfo *info = f->trafs->pdata[t];

      for (guint k = 0; k < info->samples->len; k++) {
        const VpkMp4Sample *s = &g_array_index (info->samples, VpkMp4Sample, k);

        g_assert_true (vpk_mp4_output_copy (out, vpk_mp4_fragment_reader_get_fd (r), s->offset,
                                            s->size, NULL));
      }
    }
  }
  g_assert_true (vpk_mp4_output_close (out, &error));
  want = mp4_test_payload_hashes (src, "0");
  got = mp4_test_payload_hashes (dst, "0");
  g_assert_cmpstr (got, ==, want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/mp4/fragment/h264-aac", test_h264_aac);
  g_test_add_func ("/mp4/fragment/hevc-ac3-2997", test_hevc_ac3_and_2997);
  g_test_add_func ("/mp4/fragment/irregular-gop", test_irregular_gop);
  g_test_add_func ("/mp4/fragment/fragmented-input", test_fragmented_input);
  g_test_add_func ("/mp4/fragment/shared-media", test_shared_media);
  g_test_add_func ("/mp4/fragment/declines-and-cancel", test_declines_and_cancel);
  g_test_add_func ("/mp4/fragments/reader-rewrite", test_reader_rewrite);
  return g_test_run ();
}
