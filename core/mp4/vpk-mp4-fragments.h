/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"
#include "vpk-mp4-file.h"
#include "vpk-mp4-track.h"

G_BEGIN_DECLS

/* tfhd flags (14496-12 8.8.7) */
#define VPK_MP4_TFHD_BASE_DATA_OFFSET      0x000001u
#define VPK_MP4_TFHD_SAMPLE_DESCRIPTION    0x000002u
#define VPK_MP4_TFHD_DEFAULT_DURATION      0x000008u
#define VPK_MP4_TFHD_DEFAULT_SIZE          0x000010u
#define VPK_MP4_TFHD_DEFAULT_FLAGS         0x000020u
#define VPK_MP4_TFHD_DURATION_IS_EMPTY     0x010000u
#define VPK_MP4_TFHD_DEFAULT_BASE_IS_MOOF  0x020000u
/* trun flags (14496-12 8.8.8) */
#define VPK_MP4_TRUN_DATA_OFFSET           0x000001u
#define VPK_MP4_TRUN_FIRST_SAMPLE_FLAGS    0x000004u
#define VPK_MP4_TRUN_DURATION              0x000100u
#define VPK_MP4_TRUN_SIZE                  0x000200u
#define VPK_MP4_TRUN_FLAGS                 0x000400u
#define VPK_MP4_TRUN_CTS_OFFSET            0x000800u

/**
 * VpkMp4Trex:
 *
 * The per-track sample defaults of moov/mvex/trex.
 */
typedef struct {
  guint32 track_id;
  guint32 sample_description_index;
  guint32 duration;
  guint32 size;
  guint32 flags;
} VpkMp4Trex;

/**
 * VpkMp4TrafInfo:
 *
 * One traf of a fragment, resolved against tfhd, trex and tfdt.
 */
typedef struct {
  VpkMp4Box *traf;           /* (transfer none): inside the fragment's moof */
  guint32    track_id;
  guint64    base_media_decode_time;  /* tfdt, or where the previous fragment ended */
  GArray    *samples;        /* (element-type VpkMp4Sample): absolute offsets and dts */
} VpkMp4TrafInfo;

/**
 * VpkMp4Fragment:
 *
 * One moof and the mdat after it. Sample data is read with pread at each
 * sample's offset; nothing of the mdat is loaded.
 */
typedef struct {
  VpkMp4Box *moof;           /* (owned) */
  guint64    moof_offset;
  guint64    moof_size;
  guint64    mdat_offset;    /* the mdat box following the moof; 0 when none */
  guint64    mdat_size;      /* the whole box */
  guint32    mdat_header_size;
  guint32    sequence_number;
  GPtrArray *trafs;          /* (element-type VpkMp4TrafInfo) (owned) */
} VpkMp4Fragment;

typedef struct _VpkMp4FragmentReader VpkMp4FragmentReader;

/* Opens a fragmented MP4 (a moov with mvex). A progressive file is refused
 * with VPK_ERROR_INVALID_DATA; a non-MP4 one with VPK_ERROR_NOT_SUPPORTED. */
VPK_API VpkMp4FragmentReader *vpk_mp4_fragment_reader_open (const char  *path,
                                                            GError     **error);
VPK_API void       vpk_mp4_fragment_reader_free (VpkMp4FragmentReader *reader);
/* (transfer none) */
VPK_API VpkMp4Box *vpk_mp4_fragment_reader_get_moov (VpkMp4FragmentReader *reader);
/* (transfer none) (nullable) */
VPK_API VpkMp4Box *vpk_mp4_fragment_reader_get_ftyp (VpkMp4FragmentReader *reader);
/* The open descriptor, for pread of sample data; owned by the reader. */
VPK_API int        vpk_mp4_fragment_reader_get_fd (VpkMp4FragmentReader *reader);
VPK_API guint64    vpk_mp4_fragment_reader_get_file_size (VpkMp4FragmentReader *reader);
VPK_API guint      vpk_mp4_fragment_reader_get_n_fragments (VpkMp4FragmentReader *reader);
/* (nullable): the trex of @track_id */
VPK_API const VpkMp4Trex *vpk_mp4_fragment_reader_get_trex (VpkMp4FragmentReader *reader,
                                                            guint32               track_id);
/* Reads the next fragment into *@out_fragment, or sets it to %NULL at the end. */
VPK_API gboolean   vpk_mp4_fragment_reader_next (VpkMp4FragmentReader  *reader,
                                                 VpkMp4Fragment       **out_fragment,
                                                 GError               **error);
/* Starts again from the first fragment. */
VPK_API void       vpk_mp4_fragment_reader_rewind (VpkMp4FragmentReader *reader);

VPK_API void       vpk_mp4_fragment_free (VpkMp4Fragment *fragment);

/* Reads the trex boxes of @moov (element-type VpkMp4Trex); never NULL. */
VPK_API GArray    *vpk_mp4_read_trex (const VpkMp4Box *moov);
/* Resolves one traf: tfhd, tfdt and each trun. @start_dts is used without tfdt. */
VPK_API VpkMp4TrafInfo *vpk_mp4_traf_parse (const VpkMp4Box   *traf,
                                            const VpkMp4Trex  *trex,
                                            guint64            moof_offset,
                                            guint64            previous_end,
                                            gint64             start_dts,
                                            guint64            file_size,
                                            GError           **error);
VPK_API void       vpk_mp4_traf_info_free (VpkMp4TrafInfo *info);

/* For writers: makes each tfhd default-base-is-moof (no base_data_offset) and
 * sets every trun data_offset so that the trafs' data follow the moof in one
 * mdat (traf order, then trun order) whose header is @mdat_header_size bytes.
 * Sizes without a per-sample field come from tfhd, then @trex (nullable). */
VPK_API gboolean   vpk_mp4_moof_set_data_offsets (VpkMp4Box   *moof,
                                                  GArray      *trex,
                                                  guint32      mdat_header_size,
                                                  GError     **error);
/* The serialized moof followed by the header of an mdat of @mdat_payload_size
 * bytes, with data offsets set; write it, then the sample data. */
VPK_API GBytes    *vpk_mp4_fragment_serialize_head (VpkMp4Box   *moof,
                                                    GArray      *trex,
                                                    guint64      mdat_payload_size,
                                                    GError     **error);

/* Appends to @w a moof for @n samples of one track: mfhd @sequence_number,
 * traf with tfhd (default-base-is-moof), tfdt v1 @base_media_decode_time and
 * one trun (version 1 when an offset is negative) whose data_offset points
 * just past an mdat header of @mdat_header_size bytes written after it.
 * @cts_shift is subtracted from every composition offset. */
VPK_API void       vpk_mp4_write_moof (VpkMp4Writer        *w,
                                       guint32              sequence_number,
                                       guint32              track_id,
                                       guint64              base_media_decode_time,
                                       const VpkMp4Sample  *samples,
                                       guint                n,
                                       gint32               cts_shift,
                                       guint32              mdat_header_size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4FragmentReader, vpk_mp4_fragment_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4Fragment, vpk_mp4_fragment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4TrafInfo, vpk_mp4_traf_info_free)

G_END_DECLS
