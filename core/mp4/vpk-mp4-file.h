/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"

G_BEGIN_DECLS

/* The largest box (moov, moof) loaded into memory. */
#define VPK_MP4_MAX_LOADED_BOX (64 * 1024 * 1024)

/**
 * VpkMp4BoxInfo:
 *
 * Where one top-level box lies in a file; its payload is not read.
 */
typedef struct {
  guint32 type;
  guint32 header_size;  /* 8, 16 (64-bit size) or more for 'uuid' */
  guint64 offset;
  guint64 size;         /* the whole box; size 0 in the file is resolved to end of file */
} VpkMp4BoxInfo;

/* Opens @path read-only and returns the descriptor (close it) and its size. */
VPK_API int        vpk_mp4_open_file (const char  *path,
                                      guint64     *out_size,
                                      GError     **error);
/* Reads exactly @len bytes at @offset (retrying short reads and EINTR). */
VPK_API gboolean   vpk_mp4_pread_all (int          fd,
                                      void        *buf,
                                      gsize        len,
                                      guint64      offset,
                                      GError     **error);
/* Declines with VPK_ERROR_NOT_SUPPORTED unless the file starts like ISO BMFF
 * ("not an MP4/MOV file (looks like Matroska)"). */
VPK_API gboolean   vpk_mp4_sniff (int          fd,
                                  guint64      file_size,
                                  GError     **error);
/* Reads the header of the box at @offset, which must end by @end. */
VPK_API gboolean   vpk_mp4_read_box_info (int             fd,
                                          guint64         offset,
                                          guint64         end,
                                          VpkMp4BoxInfo  *out_info,
                                          GError        **error);
/* (element-type VpkMp4BoxInfo): every top-level box, in file order. */
VPK_API GArray    *vpk_mp4_scan_top_level (int       fd,
                                           guint64   file_size,
                                           GError  **error);
/* Reads and parses the box at @info (at most VPK_MP4_MAX_LOADED_BOX bytes). */
VPK_API VpkMp4Box *vpk_mp4_load_box (int                   fd,
                                     const VpkMp4BoxInfo  *info,
                                     GError              **error);

G_END_DECLS
