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

VPK_API gboolean vpk_pack_segment_files (const char * const          *inputs,
                                         const char                  *outdir,
                                         const VpkPackSegmentParams  *params,
                                         GCancellable                *cancellable,
                                         VpkPackProgressFunc          progress,
                                         gpointer                     progress_data,
                                         GError                     **error);

G_END_DECLS
