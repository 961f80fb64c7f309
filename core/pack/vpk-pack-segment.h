/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Encrypted (or clear) fragmented MP4 files in, an MPEG-DASH package out: one
 * Representation per track, each fragment becoming one media segment (live
 * profile: init.mp4 + seg-N.m4s per Representation; on-demand profile: one file
 * per Representation with a sidx), and stream.mpd. */

#include <gio/gio.h>
#include <vpack/vpk.h>

#include "pack/vpk-pack-encrypt.h"

G_BEGIN_DECLS

typedef struct {
  VpkProfile   profile;
  gboolean     use_time_template;
  VpkScheme    scheme;        /* for tracks whose entry is encv/enca */
  VpkKey       kid;
  const char  *license_url;   /* nullable */
} VpkPackSegmentParams;

/**
 * VpkPackSegmenter:
 *
 * One package being written, fragment by fragment, wherever the fragments
 * come from: vpk_pack_segment_files() reads them from files; a single-pass
 * packager hands them over with their (encrypted) data in memory.
 */
typedef struct _VpkPackSegmenter VpkPackSegmenter;

VPK_API VpkPackSegmenter *vpk_pack_segmenter_new (const char                  *outdir,
                                                  const VpkPackSegmentParams  *params);
VPK_API void              vpk_pack_segmenter_free (VpkPackSegmenter *seg);
/* A Representation for each trak of @moov (live: writes its init segment);
 * the fragments added next belong to these. */
VPK_API gboolean          vpk_pack_segmenter_add_init (VpkPackSegmenter  *seg,
                                                       const VpkMp4Box   *moov,
                                                       GError           **error);
/* One media segment per traf of @fragment. The sample data is @payload (all
 * trafs' samples in order) or, when @payload is NULL, read from @fd at the
 * samples' offsets. */
VPK_API gboolean          vpk_pack_segmenter_add_fragment (VpkPackSegmenter      *seg,
                                                           const VpkMp4Fragment  *fragment,
                                                           int                    fd,
                                                           const guint8          *payload,
                                                           GError               **error);
/* Completes on-demand files, then writes stream.mpd. */
VPK_API gboolean          vpk_pack_segmenter_finish (VpkPackSegmenter  *seg,
                                                     GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackSegmenter, vpk_pack_segmenter_free)

VPK_API gboolean vpk_pack_segment_files (const char * const          *inputs,
                                         const char                  *outdir,
                                         const VpkPackSegmentParams  *params,
                                         GCancellable                *cancellable,
                                         VpkPackProgressFunc          progress,
                                         gpointer                     progress_data,
                                         GError                     **error);

G_END_DECLS
