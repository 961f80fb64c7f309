/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sample-table cursor on hand-made tables: every field of every sample
 * (stz2 4-bit sizes, stts runs, signed ctts, stss, stsc over two chunks),
 * the same samples as the expanded table, the totals, and a clear error for
 * each broken table, at the sample where it breaks. */
#include "vpk.h"
#include "mp4/vpk-mp4-track.h"

#include <string.h>

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

/* A full box (version 0, flags 0) whose payload is @n big-endian words. */
static VpkMp4Box *
words_box (const char *type, const guint32 *words, guint n)
{
  g_autofree guint8 *data = g_malloc0 (4 + 4 * n);

  for (guint i = 0; i < n; i++) {
    guint32 be = GUINT32_TO_BE (words[i]);

    memcpy (data + 4 + 4 * i, &be, 4);
  }
  return vpk_mp4_box_new_leaf (FOURCC (type), data, 4 + 4 * n);
}

typedef struct {
  const guint32 *stss;
  guint          n_stss;
  guint32        n_chunks;
} Variant;

/* 5 samples: sizes 3, 10, 15, 1, 7 (stz2, 4 bits); 2 x 100 then 3 x 200 ticks;
 * composition offsets 50, -20, then none; sync samples as @v says; chunks
 * at 1000 (2 samples) and 2000 (3 samples). */
static VpkMp4Box *
make_trak (const Variant *v)
{
  static const guint8 stz2[] = { 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5, 0x3a, 0xf1, 0x70 };
  static const guint32 stts[] = { 2, 2, 100, 3, 200 };
  static const guint32 ctts[] = { 2, 1, 50, 1, (guint32) -20 };
  static const guint32 stsc[] = { 2, 1, 2, 1, 2, 3, 1 };
  static const guint32 stco[] = { 2, 1000, 2000 };
  guint32 stss[8] = { v->n_stss };
  VpkMp4Box *trak = vpk_mp4_box_new_container (FOURCC ("trak"));
  VpkMp4Box *mdia = vpk_mp4_box_new_container (FOURCC ("mdia"));
  VpkMp4Box *minf = vpk_mp4_box_new_container (FOURCC ("minf"));
  VpkMp4Box *stbl = vpk_mp4_box_new_container (FOURCC ("stbl"));
  guint32 chunks[3] = { v->n_chunks, stco[1], stco[2] };

  memcpy (stss + 1, v->stss, v->n_stss * sizeof (guint32));
  vpk_mp4_box_append (trak, mdia);
  vpk_mp4_box_append (mdia, minf);
  vpk_mp4_box_append (minf, stbl);
  vpk_mp4_box_append (stbl, vpk_mp4_box_new_leaf (FOURCC ("stz2"), stz2, sizeof stz2));
  vpk_mp4_box_append (stbl, words_box ("stts", stts, G_N_ELEMENTS (stts)));
  vpk_mp4_box_append (stbl, words_box ("ctts", ctts, G_N_ELEMENTS (ctts)));
  vpk_mp4_box_append (stbl, words_box ("stss", stss, 1 + v->n_stss));
  vpk_mp4_box_append (stbl, words_box ("stsc", stsc, G_N_ELEMENTS (stsc)));
  vpk_mp4_box_append (stbl, words_box ("stco", chunks, 1 + v->n_chunks));
  return trak;
}

static void
test_walk (void)
{
  static const guint32 sync[] = { 1, 4, 4 };  /* a repeated entry is harmless */
  static const VpkMp4Sample expected[] = {
    { 1000, 0, 3, 100, 50, VPK_MP4_SAMPLE_FLAGS_SYNC },
    { 1003, 100, 10, 100, -20, VPK_MP4_SAMPLE_FLAGS_NON_SYNC },
    { 2000, 200, 15, 200, 0, VPK_MP4_SAMPLE_FLAGS_NON_SYNC },
    { 2015, 400, 1, 200, 0, VPK_MP4_SAMPLE_FLAGS_SYNC },
    { 2016, 600, 7, 200, 0, VPK_MP4_SAMPLE_FLAGS_NON_SYNC },
  };
  const Variant v = { sync, G_N_ELEMENTS (sync), 2 };
  g_autoptr(VpkMp4Box) trak = make_trak (&v);
  g_autoptr(GError) error = NULL;
  VpkMp4Track track = { .track_id = 7 };
  VpkMp4SampleCursor cursor;
  guint n = 0;

  g_test_summary ("The cursor gives each sample's offset, size, times and sync flag from "
                  "the tables; loading gives the same; the totals add up.");
  g_assert_true (vpk_mp4_sample_cursor_init (&cursor, &track, trak, -1, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vpk_mp4_sample_cursor_get_n_samples (&cursor), ==, 5);
  while (vpk_mp4_sample_cursor_has_next (&cursor)) {
    VpkMp4Sample s;

    g_assert_true (vpk_mp4_sample_cursor_next (&cursor, &s, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (&s, sizeof s, &expected[n], sizeof s);
    n++;
  }
  g_assert_cmpuint (n, ==, 5);

  g_assert_true (vpk_mp4_track_load_samples (&track, trak, -1, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (track.samples->data, track.samples->len * sizeof (VpkMp4Sample),
                   expected, sizeof expected);
  g_clear_pointer (&track.samples, g_array_unref);

  g_assert_true (vpk_mp4_track_check_samples (&track, trak, -1, 5000, &error));
  g_assert_no_error (error);
  g_assert_null (track.samples);
  g_assert_cmpuint (track.n_samples, ==, 5);
  g_assert_cmpuint (track.total_size, ==, 36);
  g_assert_cmpuint (track.total_duration, ==, 800);
  g_assert_cmpuint (track.common_duration, ==, 0);
}

/* Walks @trak to its end; returns the error. */
static GError *
walk_error (const VpkMp4Box *trak, guint64 file_size)
{
  VpkMp4Track track = { .track_id = 7 };
  VpkMp4SampleCursor cursor;
  GError *error = NULL;

  if (!vpk_mp4_sample_cursor_init (&cursor, &track, trak, -1, file_size, &error))
    return error;
  while (vpk_mp4_sample_cursor_has_next (&cursor)) {
    VpkMp4Sample s;

    if (!vpk_mp4_sample_cursor_next (&cursor, &s, &error))
      return error;
  }
  return NULL;
}

static void
test_broken (void)
{
  static const guint32 backwards[] = { 4, 1 };
  static const guint32 beyond[] = { 1, 9 };
  static const guint32 sync[] = { 1 };
  struct {
    Variant      v;
    guint64      file_size;
    const char  *message;
  } cases[] = {
    { { backwards, 2, 2 }, 5000, "track 7: stss lists sample 1 after sample 4" },
    { { beyond, 2, 2 }, 5000, "track 7: stss names sample 9 of 5" },
    { { sync, 1, 1 }, 5000, "track 7: stsc/stco place 2 of 5 samples" },
    { { sync, 1, 2 }, 2010, "track 7: sample 3 (15 bytes at offset 2000) lies past the end "
                            "of the file" },
  };

  g_test_summary ("Broken tables stop the walk with the reason: stss out of order or past "
                  "the last sample, too few chunks, a sample past the end of the file.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VpkMp4Box) trak = make_trak (&cases[i].v);
    g_autoptr(GError) error = walk_error (trak, cases[i].file_size);

    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
    g_assert_cmpstr (error->message, ==, cases[i].message);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mp4/samples/walk", test_walk);
  g_test_add_func ("/mp4/samples/broken", test_broken);
  return g_test_run ();
}
