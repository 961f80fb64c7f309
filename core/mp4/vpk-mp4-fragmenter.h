/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <vpack/vpk-version.h>

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

G_END_DECLS
