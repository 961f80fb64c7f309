/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vpack's packages read by other tools (ffmpeg decrypts them, ffprobe reads
 * them), vpack's decryptor checked on a package made by another tool (GPAC),
 * and real-world files from other projects packaged and verified. */
#include "vpk.h"

#include <string.h>

#include "pack/vpk-pack-verify-samples.h"
#include "pack-test-util.h"

typedef struct {
  const char *codec;
  const char *scheme;
  const char *encrypt;
} Case;

static void
assert_same_hashes (GPtrArray  *expected,
                    GPtrArray  *got,
                    const char *what)
{
  g_assert_nonnull (got);
  g_test_message ("%s: %u hashes, %u expected", what, got->len, expected->len);
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    if (strcmp (expected->pdata[i], got->pdata[i]) != 0)
      g_error ("%s: sample %u hashes %s, the source's %s", what, i,
               (char *) got->pdata[i], (char *) expected->pdata[i]);
}

static void
test_ffmpeg_decrypts (gconstpointer data)
{
  const Case *c = data;
  const char *source = pack_test_fixture (c->codec);
  g_autofree char *out = pack_test_package (source, c->scheme, "live", c->encrypt, "1");
  g_autoptr(GPtrArray) reps = NULL;

  if (out == NULL)
    return;
  reps = pack_test_representations (out);
  g_test_summary ("ffmpeg 5.1 decrypts each Representation (init + segments) with the key "
                  "to the source's exact samples (framemd5 payload hashes, in order).");
  g_assert_cmpuint (reps->len, ==, 2);
  for (guint i = 0; i < reps->len; i++) {
    const char *id = reps->pdata[i];
    gboolean video = g_str_has_prefix (id, "video");
    g_autofree char *joined = pack_test_concat_representation (out, id);
    g_autofree char *err = NULL;
    g_autoptr(GPtrArray) expected = pack_test_framemd5 (source, video ? "0:v" : "0:a", NULL,
                                                        NULL);
    g_autoptr(GPtrArray) got = pack_test_framemd5 (joined, "0", PACK_TEST_KEY, &err);

    if (got == NULL)
      g_error ("ffmpeg cannot decrypt %s of the %s package: %s", id, c->scheme, err);
    assert_same_hashes (expected, got, id);
  }
}

static void
test_ffprobe_reads (gconstpointer data)
{
  const char *codec = data;
  g_autofree char *out = pack_test_package (pack_test_fixture (codec), "cenc", "live", "all",
                                            "1");
  g_autoptr(GPtrArray) reps = NULL;

  if (out == NULL)
    return;
  reps = pack_test_representations (out);
  g_test_summary ("ffprobe reads every Representation's init + segments: codec and size.");
  for (guint i = 0; i < reps->len; i++) {
    g_autofree char *joined = pack_test_concat_representation (out, reps->pdata[i]);
    const char *argv[] = { "ffprobe", "-v", "error", "-show_entries",
                           "stream=codec_name,width,height", "-of", "csv=p=0", joined, NULL };
    g_autofree char *text = NULL;
    g_autofree char *want = NULL;

    g_assert_cmpint (pack_test_run (argv, &text, NULL), ==, 0);
    g_strstrip (text);
    while (g_str_has_suffix (text, ","))  /* audio: empty width and height */
      text[strlen (text) - 1] = '\0';
    want = g_str_has_prefix (reps->pdata[i], "video") ? g_strdup_printf ("%s,320,240", codec)
                                                      : g_strdup ("aac");
    g_assert_cmpstr (text, ==, want);
  }
}

/* The ffmpeg stream index of each track id of @path. */
static GHashTable *
stream_indexes (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-show_entries", "stream=index,id", "-of",
                         "csv=p=0", path, NULL };
  GHashTable *map = g_hash_table_new (NULL, NULL);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (pack_test_run (argv, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = g_strsplit (lines[i], ",", 3);

    if (g_strv_length (cols) >= 2)
      g_hash_table_insert (map, GUINT_TO_POINTER (g_ascii_strtoull (cols[1], NULL, 0)),
                           GUINT_TO_POINTER (g_ascii_strtoull (cols[0], NULL, 10) + 1));
  }
  return map;
}

static void
collect_md5 (const VpkPackVerifySample *sample,
             gpointer                   user_data)
{
  GHashTable *by_track = user_data;
  GPtrArray *hashes = g_hash_table_lookup (by_track, GUINT_TO_POINTER (sample->track_id));

  if (hashes == NULL) {
    hashes = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (by_track, GUINT_TO_POINTER (sample->track_id), hashes);
  }
  g_ptr_array_add (hashes, g_compute_checksum_for_data (G_CHECKSUM_MD5, sample->data,
                                                        sample->size));
}

static void
test_gpac_reference (void)
{
  const char *media = pack_test_shared_media ();
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) by_track = NULL, indexes = NULL;
  g_autoptr(GError) error = NULL;
  VpkPackVerifyReport report = { 0 };
  GHashTableIter iter;
  gpointer track_id, hashes;
  VpkKey kid, key;
  guint matched = 0;

  g_test_summary ("vpack's decryptor on GPAC's cenc file (8-byte IVs, A+V in one fragment): "
                  "`vpack verify` passes and each decrypted sample hashes as ffmpeg's.");
  if (media == NULL) {
    g_test_skip ("no shared media folder (VPACK_SHARED_MEDIA)");
    return;
  }
  path = g_build_filename (media, PACK_TEST_GPAC_FILE, NULL);
  g_assert_cmpint (pack_test_verify (path, PACK_TEST_GPAC_KEY, PACK_TEST_GPAC_KID, NULL, NULL,
                                     NULL), ==, 0);
  by_track = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_assert_true (vpk_key_parse (PACK_TEST_GPAC_KID, "kid", &kid, NULL));
  g_assert_true (vpk_key_parse (PACK_TEST_GPAC_KEY, "key", &key, NULL));
  g_assert_true (vpk_pack_verify_full (path, &kid, &key, NULL, collect_md5, by_track, NULL,
                                       &report, &error));
  g_assert_no_error (error);
  indexes = stream_indexes (path);
  g_hash_table_iter_init (&iter, by_track);
  while (g_hash_table_iter_next (&iter, &track_id, &hashes)) {
    guint index = GPOINTER_TO_UINT (g_hash_table_lookup (indexes, track_id));
    g_autofree char *map = g_strdup_printf ("0:%u", index - 1);
    g_autoptr(GPtrArray) ffmpeg = NULL;

    g_assert_cmpuint (index, >, 0);
    ffmpeg = pack_test_framemd5 (path, map, PACK_TEST_GPAC_KEY, NULL);
    assert_same_hashes (ffmpeg, hashes, map);
    matched += ffmpeg->len;
  }
  g_assert_cmpuint (matched, ==, report.n_samples);
  g_assert_cmpuint (report.n_samples, ==, 615);
}

static void
test_shared_media (gconstpointer data)
{
  const char *name = data;
  const char *media = pack_test_shared_media ();
  g_autofree char *source = NULL, *out = NULL, *text = NULL, *err = NULL;

  g_test_summary ("Real files from other projects package (cbcs, the default) and verify "
                  "against their source.");
  if (media == NULL) {
    g_test_skip ("no shared media folder (VPACK_SHARED_MEDIA)");
    return;
  }
  source = g_build_filename (media, name, NULL);
  out = pack_test_package (source, NULL, NULL, NULL, NULL);
  if (out == NULL)
    return;
  g_assert_cmpint (pack_test_verify (out, PACK_TEST_KEY, PACK_TEST_KID, source, &text, &err),
                   ==, 0);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "verified"));
}

static const Case ffmpeg_cases[] = {
  { "h264", "cenc", "all" }, { "h264", "cbcs", "video" }, { "h264", "cbcs", "all" },
  { "hevc", "cenc", "all" }, { "hevc", "cbcs", "video" },
};

static const char *shared_files[] = {
  "bento4__video-h264-001.mp4", "bento4__video-h264-002_fragmented.mp4", "mp4ff__prog_8s.mp4",
  "mp4ff__ed_hevc.mp4", "androidx__sample.mp4",
  "androidx__bbb_800x640_768kbps_30fps_avc_pyramid_3b.mp4", "mp4parser__count-video.mp4",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ffmpeg_cases); i++) {
    g_autofree char *name = g_strdup_printf ("/pack/interop/ffmpeg-decrypts/%s/%s/%s",
                                             ffmpeg_cases[i].codec, ffmpeg_cases[i].scheme,
                                             ffmpeg_cases[i].encrypt);

    g_test_add_data_func (name, &ffmpeg_cases[i], test_ffmpeg_decrypts);
  }
  g_test_add_data_func ("/pack/interop/ffprobe-reads/h264", "h264", test_ffprobe_reads);
  g_test_add_data_func ("/pack/interop/ffprobe-reads/hevc", "hevc", test_ffprobe_reads);
  g_test_add_func ("/pack/interop/gpac-reference", test_gpac_reference);
  for (guint i = 0; i < G_N_ELEMENTS (shared_files); i++) {
    g_autofree char *name = g_strdup_printf ("/pack/interop/shared-media/%s", shared_files[i]);

    g_test_add_data_func (name, shared_files[i], test_shared_media);
  }
  return g_test_run ();
}
