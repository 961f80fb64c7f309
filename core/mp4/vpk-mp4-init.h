/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"
#include "vpk-mp4-track.h"

G_BEGIN_DECLS

/* ftyp of a fragmented output: major 'iso6', compatible iso6, cmfc, dash, mp41. */
VPK_API VpkMp4Box *vpk_mp4_init_build_ftyp (void);
/* (transfer full): the moov of a one-track fragmented file for @track, whose
 * source is @trak: mvhd and mdhd in the media timescale, tkhd/mdhd/hdlr/minf
 * headers and the first sample entry copied, empty sample tables, mvex with
 * mehd (@duration, media timescale) and trex. @edit_media_time > 0 adds an
 * elst starting the presentation there (AAC priming). */
VPK_API VpkMp4Box *vpk_mp4_init_build_moov (const VpkMp4Track  *track,
                                            const VpkMp4Box    *trak,
                                            guint64             duration,
                                            gint64              edit_media_time,
                                            GError            **error);

G_END_DECLS
