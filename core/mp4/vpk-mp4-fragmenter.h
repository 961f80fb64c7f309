/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-fragments.h"

G_BEGIN_DECLS

/* @fraction: 0..1 of the bytes to copy. */
typedef void (*VpkMp4ProgressFunc) (double   fraction,
                                    gpointer user_data);

/**
 * vpk_mp4_fragment_file:
 * @src: a progressive or fragmented MP4/MOV
 * @out_dir: an existing folder; `track<ID>.mp4` files are written there
 * @segment_duration_ms: the target fragment duration
 * @out_paths: (out) (transfer full): the files written, NULL-terminated, video first
 *
 * Writes one fragmented MP4 per packageable track (H.264, HEVC, AAC, AC-3,
 * E-AC-3; others are skipped). Video fragments start at the first sync sample
 * at or after each multiple of @segment_duration_ms; the other tracks are cut
 * at the same presentation times. Sample data is streamed with pread through
 * a 1 MiB buffer. A non-MP4 source fails with VPK_ERROR_NOT_SUPPORTED.
 */
VPK_API gboolean vpk_mp4_fragment_file (const char          *src,
                                        const char          *out_dir,
                                        guint                segment_duration_ms,
                                        GCancellable        *cancellable,
                                        VpkMp4ProgressFunc   progress,
                                        gpointer             user_data,
                                        char              ***out_paths,
                                        GError             **error);

/**
 * VpkMp4FragmentPlan:
 *
 * The fragments vpk_mp4_fragment_file() would write, one at a time and in
 * memory, for a caller that encrypts and segments them in the same pass.
 * Tracks are begun in order (0 is the video track, whose sync samples set
 * the cut times); only the track begun last has its samples loaded.
 */
typedef struct _VpkMp4FragmentPlan VpkMp4FragmentPlan;

/* Opens @src; fails like vpk_mp4_fragment_file() (NOT_SUPPORTED for non-MP4). */
VPK_API VpkMp4FragmentPlan *vpk_mp4_fragment_plan_new (const char  *src,
                                                       guint        segment_duration_ms,
                                                       GError     **error);
VPK_API void               vpk_mp4_fragment_plan_free (VpkMp4FragmentPlan *plan);
VPK_API guint              vpk_mp4_fragment_plan_get_n_tracks (VpkMp4FragmentPlan *plan);
VPK_API const VpkMp4Track *vpk_mp4_fragment_plan_get_track (VpkMp4FragmentPlan *plan,
                                                            guint               k);
/* The source, open for reading: the fragments' sample offsets point into it. */
VPK_API int                vpk_mp4_fragment_plan_get_fd (VpkMp4FragmentPlan *plan);
VPK_API guint64            vpk_mp4_fragment_plan_get_file_size (VpkMp4FragmentPlan *plan);
/* Begins track @k (the one after the last begun): its init moov, as
 * vpk_mp4_fragment_file() writes it. */
VPK_API VpkMp4Box         *vpk_mp4_fragment_plan_begin_track (VpkMp4FragmentPlan  *plan,
                                                              guint                k,
                                                              GError             **error);
/* The next fragment of the current track in @out_fragment (NULL after the
 * last): its moof as the fragmented file has it, and one traf whose samples
 * point at the source's data. */
VPK_API gboolean           vpk_mp4_fragment_plan_next (VpkMp4FragmentPlan  *plan,
                                                       VpkMp4Fragment     **out_fragment,
                                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4FragmentPlan, vpk_mp4_fragment_plan_free)

G_END_DECLS
