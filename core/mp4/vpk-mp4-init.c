/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-init.h"

#include <string.h>
#include <vpack/vpk-error.h>

/* The init segment (ftyp + moov) of a one-track fragmented MP4. */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

static const guint32 unity_matrix[9] = {
  0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000
};

static VpkMp4Box *
leaf_from_writer (guint32 type, VpkMp4Writer *w)
{
  VpkMp4Box *box = vpk_mp4_box_new_leaf (type, vpk_mp4_writer_get_data (w),
                                         vpk_mp4_writer_get_size (w));

  vpk_mp4_writer_free (w);
  return box;
}

VpkMp4Box *
vpk_mp4_init_build_ftyp (void)
{
  static const char brands[][5] = { "iso6", "cmfc", "dash", "mp41" };
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_writer_put_u32 (w, FOURCC ("iso6"));
  vpk_mp4_writer_put_u32 (w, 0);
  for (guint i = 0; i < G_N_ELEMENTS (brands); i++)
    vpk_mp4_writer_put_u32 (w, FOURCC (brands[i]));
  return leaf_from_writer (FOURCC ("ftyp"), w);
}

static VpkMp4Box *
build_mvhd (guint32 timescale, guint32 next_track_id)
{
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_writer_put_u32 (w, 0);          /* version 0, flags */
  vpk_mp4_writer_put_zeros (w, 8);        /* creation, modification */
  vpk_mp4_writer_put_u32 (w, timescale);
  vpk_mp4_writer_put_u32 (w, 0);          /* duration: in mehd */
  vpk_mp4_writer_put_u32 (w, 0x00010000); /* rate 1.0 */
  vpk_mp4_writer_put_u16 (w, 0x0100);     /* volume 1.0 */
  vpk_mp4_writer_put_zeros (w, 10);
  for (guint i = 0; i < 9; i++)
    vpk_mp4_writer_put_u32 (w, unity_matrix[i]);
  vpk_mp4_writer_put_zeros (w, 24);       /* pre_defined */
  vpk_mp4_writer_put_u32 (w, next_track_id);
  return leaf_from_writer (FOURCC ("mvhd"), w);
}

/* A copy of a (tkhd or mdhd) full box with its duration zeroed: unknown in
 * a fragmented file. @before is the bytes between the header and duration. */
static VpkMp4Box *
copy_zero_duration (const VpkMp4Box *src, gsize v0_before, gsize v1_before, guint32 set_flags,
                    GError **error)
{
  VpkMp4Box *box;
  guint8 version;
  gsize at, len;

  version = src->size > 0 ? src->data[0] : 0;
  at = 4 + (version == 1 ? v1_before : v0_before);
  len = version == 1 ? 8 : 4;
  if (src->size < at + len) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "box at offset %" G_GUINT64_FORMAT " is truncated", src->offset);
    return NULL;
  }
  box = vpk_mp4_box_copy (src);
  memset (box->data + at, 0, len);
  box->data[3] |= set_flags & 0xff;
  return box;
}

static VpkMp4Box *
build_elst (gint64 media_time, guint64 duration)
{
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_writer_put_u32 (w, 0x01000000);  /* version 1 */
  vpk_mp4_writer_put_u32 (w, 1);
  vpk_mp4_writer_put_u64 (w, duration);
  vpk_mp4_writer_put_u64 (w, (guint64) media_time);
  vpk_mp4_writer_put_u32 (w, 0x00010000);  /* rate 1.0 */
  return leaf_from_writer (FOURCC ("elst"), w);
}

static VpkMp4Box *
empty_table (const char *type, guint n_zero_words)
{
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_writer_put_zeros (w, 4 * (1 + n_zero_words));
  return leaf_from_writer (FOURCC (type), w);
}

static VpkMp4Box *
build_stbl (const VpkMp4Track *track)
{
  VpkMp4Box *stbl = vpk_mp4_box_new_container (FOURCC ("stbl"));
  VpkMp4Box *stsd = vpk_mp4_box_new_container (FOURCC ("stsd"));
  static const guint8 one_entry[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

  vpk_mp4_box_set_data (stsd, one_entry, sizeof one_entry);
  vpk_mp4_box_append (stsd, vpk_mp4_box_copy (track->sample_entry));
  vpk_mp4_box_append (stbl, stsd);
  vpk_mp4_box_append (stbl, empty_table ("stts", 1));
  vpk_mp4_box_append (stbl, empty_table ("stsc", 1));
  vpk_mp4_box_append (stbl, empty_table ("stsz", 2));
  vpk_mp4_box_append (stbl, empty_table ("stco", 1));
  return stbl;
}

static VpkMp4Box *
build_minf (const VpkMp4Track *track, const VpkMp4Box *src_minf)
{
  VpkMp4Box *minf = vpk_mp4_box_new_container (FOURCC ("minf"));

  /* vmhd/smhd/nmhd and dinf come as they were. */
  for (guint i = 0; src_minf != NULL && i < src_minf->children->len; i++) {
    VpkMp4Box *child = src_minf->children->pdata[i];

    if (child->type != FOURCC ("stbl"))
      vpk_mp4_box_append (minf, vpk_mp4_box_copy (child));
  }
  vpk_mp4_box_append (minf, build_stbl (track));
  return minf;
}

static VpkMp4Box *
build_mdia (const VpkMp4Track *track, const VpkMp4Box *trak, GError **error)
{
  g_autoptr(VpkMp4Box) mdia = vpk_mp4_box_new_container (FOURCC ("mdia"));
  VpkMp4Box *mdhd = copy_zero_duration (vpk_mp4_box_find (trak, "mdia/mdhd"), 12, 20, 0,
                                        error);

  if (mdhd == NULL)
    return NULL;
  vpk_mp4_box_append (mdia, mdhd);
  vpk_mp4_box_append (mdia, vpk_mp4_box_copy (vpk_mp4_box_find (trak, "mdia/hdlr")));
  vpk_mp4_box_append (mdia, build_minf (track, vpk_mp4_box_find (trak, "mdia/minf")));
  return g_steal_pointer (&mdia);
}

static VpkMp4Box *
build_mvex (const VpkMp4Track *track, guint64 duration)
{
  VpkMp4Box *mvex = vpk_mp4_box_new_container (FOURCC ("mvex"));
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_writer_put_u32 (w, 0x01000000);
  vpk_mp4_writer_put_u64 (w, duration);
  vpk_mp4_box_append (mvex, leaf_from_writer (FOURCC ("mehd"), w));
  w = vpk_mp4_writer_new ();
  vpk_mp4_writer_put_u32 (w, 0);
  vpk_mp4_writer_put_u32 (w, track->track_id);
  vpk_mp4_writer_put_u32 (w, 1);  /* sample description index */
  vpk_mp4_writer_put_zeros (w, 12);  /* duration, size, flags: each trun says */
  vpk_mp4_box_append (mvex, leaf_from_writer (FOURCC ("trex"), w));
  return mvex;
}

VpkMp4Box *
vpk_mp4_init_build_moov (const VpkMp4Track *track, const VpkMp4Box *trak, guint64 duration,
                         gint64 edit_media_time, GError **error)
{
  g_autoptr(VpkMp4Box) moov = vpk_mp4_box_new_container (FOURCC ("moov"));
  g_autoptr(VpkMp4Box) out_trak = vpk_mp4_box_new_container (FOURCC ("trak"));
  VpkMp4Box *tkhd, *mdia;

  /* tkhd flags: enabled, in movie, in preview */
  tkhd = copy_zero_duration (vpk_mp4_box_get_child (trak, FOURCC ("tkhd")), 16, 24, 0x7, error);
  if (tkhd == NULL)
    return NULL;
  vpk_mp4_box_append (out_trak, tkhd);
  if (edit_media_time > 0) {
    VpkMp4Box *edts = vpk_mp4_box_new_container (FOURCC ("edts"));

    vpk_mp4_box_append (edts, build_elst (edit_media_time,
                                          duration > (guint64) edit_media_time ?
                                          duration - (guint64) edit_media_time : 0));
    vpk_mp4_box_append (out_trak, edts);
  }
  mdia = build_mdia (track, trak, error);
  if (mdia == NULL)
    return NULL;
  vpk_mp4_box_append (out_trak, mdia);
  vpk_mp4_box_append (moov, build_mvhd (track->timescale, track->track_id + 1));
  vpk_mp4_box_append (moov, g_steal_pointer (&out_trak));
  vpk_mp4_box_append (moov, build_mvex (track, duration));
  return g_steal_pointer (&moov);
}
