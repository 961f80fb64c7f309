/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>
#include <vpack/vpk.h>

G_BEGIN_DECLS

/* Describes the MP4/MOV at @path, or refuses it: VPK_ERROR_NOT_SUPPORTED when
 * it is not ISO BMFF at all (another backend may take it), VPK_ERROR_INVALID_DATA
 * when it is truncated or corrupt, has no video track, an unpackageable video
 * codec, is already encrypted or has an empty video track. */
VPK_API VpkMediaInfo *vpk_mp4_probe (const char  *path,
                                     GError     **error);

G_END_DECLS
