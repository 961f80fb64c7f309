/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Fragment, encrypt and segment in one pass: an MP4 in, the DASH package out,
 * each fragment built in memory from the source's sample tables, its samples
 * read once, encrypted in place and written once. The package is the one the
 * three steps write one after another (vpk_mp4_fragment_file(),
 * vpk_pack_encrypt_file(), vpk_pack_segment_files()), without their two
 * intermediate copies of the media. */

#include <gio/gio.h>
#include <vpack/vpk.h>

#include "pack/vpk-pack-encrypt.h"
#include "pack/vpk-pack-segment.h"

G_BEGIN_DECLS

/* Fails with VPK_ERROR_NOT_SUPPORTED, having written nothing, when @src is
 * not ISO BMFF; with VPK_ERROR_INVALID_DATA when no track gets encrypted. */
VPK_API gboolean vpk_pack_single_pass (const char                  *src,
                                       const char                  *outdir,
                                       guint                        segment_duration_ms,
                                       const VpkPackEncryptParams  *encrypt,
                                       const VpkPackSegmentParams  *segment,
                                       GCancellable                *cancellable,
                                       VpkPackProgressFunc          progress,
                                       gpointer                     progress_data,
                                       GError                     **error);

G_END_DECLS
