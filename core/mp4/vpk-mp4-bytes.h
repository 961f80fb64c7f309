/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

G_BEGIN_DECLS

/* A four-character code as a big-endian integer: VPK_MP4_FOURCC ('m','o','o','v'). */
#define VPK_MP4_FOURCC(a, b, c, d) \
  (((guint32) (guint8) (a) << 24) | ((guint32) (guint8) (b) << 16) | \
   ((guint32) (guint8) (c) << 8) | (guint32) (guint8) (d))

/* Fills @buf (at least 5 bytes) with @fourcc as printable text ('?' for others). */
VPK_API const char *vpk_mp4_fourcc_to_string (guint32  fourcc,
                                              char    *buf);
VPK_API guint32     vpk_mp4_fourcc_from_string (const char *text);

/**
 * VpkMp4Reader:
 *
 * A bounded big-endian reader over borrowed bytes. Every getter returns %FALSE
 * (and leaves its out-param and the position untouched) instead of reading
 * past the end.
 */
typedef struct {
  const guint8 *data;
  gsize         size;
  gsize         pos;
} VpkMp4Reader;

VPK_API void     vpk_mp4_reader_init      (VpkMp4Reader *r,
                                           const guint8 *data,
                                           gsize         size);
VPK_API gsize    vpk_mp4_reader_remaining (const VpkMp4Reader *r);
VPK_API gboolean vpk_mp4_reader_skip      (VpkMp4Reader *r, gsize n);
VPK_API gboolean vpk_mp4_reader_get_u8    (VpkMp4Reader *r, guint8 *out);
VPK_API gboolean vpk_mp4_reader_get_u16   (VpkMp4Reader *r, guint16 *out);
VPK_API gboolean vpk_mp4_reader_get_u24   (VpkMp4Reader *r, guint32 *out);
VPK_API gboolean vpk_mp4_reader_get_u32   (VpkMp4Reader *r, guint32 *out);
VPK_API gboolean vpk_mp4_reader_get_u64   (VpkMp4Reader *r, guint64 *out);
/* Reads a 32-bit value when @version is 0, a 64-bit one otherwise. */
VPK_API gboolean vpk_mp4_reader_get_uv    (VpkMp4Reader *r,
                                           guint8        version,
                                           guint64      *out);
/* Points @out into the data; nothing is copied. */
VPK_API gboolean vpk_mp4_reader_get_bytes (VpkMp4Reader  *r,
                                           gsize          n,
                                           const guint8 **out);
/* Reads a full-box header: 8-bit version and 24-bit flags. */
VPK_API gboolean vpk_mp4_reader_get_full_header (VpkMp4Reader *r,
                                                 guint8       *out_version,
                                                 guint32      *out_flags);

/**
 * VpkMp4Writer:
 *
 * A growable big-endian writer. vpk_mp4_writer_begin_box() writes a box
 * header and vpk_mp4_writer_end_box() patches its size; they nest.
 */
typedef struct _VpkMp4Writer VpkMp4Writer;

VPK_API VpkMp4Writer *vpk_mp4_writer_new  (void);
VPK_API void          vpk_mp4_writer_free (VpkMp4Writer *w);
VPK_API gsize         vpk_mp4_writer_get_size (const VpkMp4Writer *w);
VPK_API const guint8 *vpk_mp4_writer_get_data (const VpkMp4Writer *w);
/* (transfer full): the bytes written; the writer is freed. */
VPK_API GBytes       *vpk_mp4_writer_free_to_bytes (VpkMp4Writer *w);
VPK_API void vpk_mp4_writer_put_u8    (VpkMp4Writer *w, guint8 v);
VPK_API void vpk_mp4_writer_put_u16   (VpkMp4Writer *w, guint16 v);
VPK_API void vpk_mp4_writer_put_u24   (VpkMp4Writer *w, guint32 v);
VPK_API void vpk_mp4_writer_put_u32   (VpkMp4Writer *w, guint32 v);
VPK_API void vpk_mp4_writer_put_u64   (VpkMp4Writer *w, guint64 v);
VPK_API void vpk_mp4_writer_put_bytes (VpkMp4Writer *w, const void *data, gsize n);
VPK_API void vpk_mp4_writer_put_zeros (VpkMp4Writer *w, gsize n);
/* Overwrites 4 bytes at @pos (already written). */
VPK_API void vpk_mp4_writer_patch_u32 (VpkMp4Writer *w, gsize pos, guint32 v);
VPK_API void vpk_mp4_writer_begin_box (VpkMp4Writer *w, guint32 type);
VPK_API void vpk_mp4_writer_begin_full_box (VpkMp4Writer *w,
                                            guint32       type,
                                            guint8        version,
                                            guint32       flags);
/* Closes the innermost open box; returns its total size. */
VPK_API gsize vpk_mp4_writer_end_box  (VpkMp4Writer *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4Writer, vpk_mp4_writer_free)

G_END_DECLS
