/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-fragments.h"

/* Writing the moof of one track fragment (ISO/IEC 14496-12 8.8.4 - 8.8.8). */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

typedef struct {
  gboolean same_flags;      /* every sample has the first one's flags */
  gboolean rest_same_flags; /* every sample but the first has the second one's */
  gboolean same_duration;
  gboolean any_cts;
  gboolean negative_cts;
} RunShape;

static RunShape
run_shape (const VpkMp4Sample *s, guint n, gint32 cts_shift)
{
  RunShape shape = { TRUE, n > 1, TRUE, FALSE, FALSE };

  for (guint i = 0; i < n; i++) {
    gint64 cts = (gint64) s[i].cts_offset - cts_shift;

    shape.same_flags &= s[i].flags == s[0].flags;
    shape.rest_same_flags &= i == 0 || s[i].flags == s[1].flags;
    shape.same_duration &= s[i].duration == s[0].duration;
    shape.any_cts |= cts != 0;
    shape.negative_cts |= cts < 0;
  }
  return shape;
}

static void
write_tfhd (VpkMp4Writer *w, guint32 track_id, const VpkMp4Sample *s, const RunShape *shape)
{
  guint32 flags = VPK_MP4_TFHD_DEFAULT_BASE_IS_MOOF;

  if (shape->same_duration)
    flags |= VPK_MP4_TFHD_DEFAULT_DURATION;
  if (shape->same_flags || shape->rest_same_flags)
    flags |= VPK_MP4_TFHD_DEFAULT_FLAGS;
  vpk_mp4_writer_begin_full_box (w, FOURCC ("tfhd"), 0, flags);
  vpk_mp4_writer_put_u32 (w, track_id);
  if (shape->same_duration)
    vpk_mp4_writer_put_u32 (w, s[0].duration);
  if (shape->same_flags || shape->rest_same_flags)
    vpk_mp4_writer_put_u32 (w, shape->same_flags ? s[0].flags : s[1].flags);
  vpk_mp4_writer_end_box (w);
}

/* Returns where the data_offset field is, to be patched. */
static gsize
write_trun (VpkMp4Writer *w, const VpkMp4Sample *s, guint n, gint32 cts_shift,
            const RunShape *shape)
{
  guint32 flags = VPK_MP4_TRUN_DATA_OFFSET | VPK_MP4_TRUN_SIZE;
  gsize data_offset_pos;

  if (!shape->same_duration)
    flags |= VPK_MP4_TRUN_DURATION;
  if (!shape->same_flags && shape->rest_same_flags)
    flags |= VPK_MP4_TRUN_FIRST_SAMPLE_FLAGS;
  else if (!shape->same_flags)
    flags |= VPK_MP4_TRUN_FLAGS;
  if (shape->any_cts)
    flags |= VPK_MP4_TRUN_CTS_OFFSET;
  vpk_mp4_writer_begin_full_box (w, FOURCC ("trun"), shape->negative_cts ? 1 : 0, flags);
  vpk_mp4_writer_put_u32 (w, n);
  data_offset_pos = vpk_mp4_writer_get_size (w);
  vpk_mp4_writer_put_u32 (w, 0);
  if (flags & VPK_MP4_TRUN_FIRST_SAMPLE_FLAGS)
    vpk_mp4_writer_put_u32 (w, s[0].flags);
  for (guint i = 0; i < n; i++) {
    if (flags & VPK_MP4_TRUN_DURATION)
      vpk_mp4_writer_put_u32 (w, s[i].duration);
    vpk_mp4_writer_put_u32 (w, s[i].size);
    if (flags & VPK_MP4_TRUN_FLAGS)
      vpk_mp4_writer_put_u32 (w, s[i].flags);
    if (flags & VPK_MP4_TRUN_CTS_OFFSET)
      vpk_mp4_writer_put_u32 (w, (guint32) (gint32) ((gint64) s[i].cts_offset - cts_shift));
  }
  vpk_mp4_writer_end_box (w);
  return data_offset_pos;
}

void
vpk_mp4_write_moof (VpkMp4Writer *w, guint32 sequence_number, guint32 track_id,
                    guint64 base_media_decode_time, const VpkMp4Sample *samples, guint n,
                    gint32 cts_shift, guint32 mdat_header_size)
{
  RunShape shape = run_shape (samples, n, cts_shift);
  gsize start = vpk_mp4_writer_get_size (w), data_offset_pos, moof_size;

  g_return_if_fail (n > 0);
  vpk_mp4_writer_begin_box (w, FOURCC ("moof"));
  vpk_mp4_writer_begin_full_box (w, FOURCC ("mfhd"), 0, 0);
  vpk_mp4_writer_put_u32 (w, sequence_number);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_begin_box (w, FOURCC ("traf"));
  write_tfhd (w, track_id, samples, &shape);
  vpk_mp4_writer_begin_full_box (w, FOURCC ("tfdt"), 1, 0);
  vpk_mp4_writer_put_u64 (w, base_media_decode_time);
  vpk_mp4_writer_end_box (w);
  data_offset_pos = write_trun (w, samples, n, cts_shift, &shape);
  vpk_mp4_writer_end_box (w);  /* traf */
  moof_size = vpk_mp4_writer_end_box (w);
  g_assert (vpk_mp4_writer_get_size (w) == start + moof_size);
  vpk_mp4_writer_patch_u32 (w, data_offset_pos, (guint32) (moof_size + mdat_header_size));
}
