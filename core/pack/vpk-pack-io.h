/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* File I/O shared by the packaging steps: sample reads that coalesce
 * contiguous samples into one pread, and outputs written to a temporary file
 * beside the destination and renamed into place only when complete. */

#include <gio/gio.h>
#include <vpack/vpk.h>

#include "mp4/vpk-mp4-track.h"

G_BEGIN_DECLS

typedef struct _VpkPackOutput VpkPackOutput;

/* A big-endian 32-bit value at any address (box payloads are not aligned). */
static inline guint32
vpk_pack_read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* A buffer for sample data, empty, perhaps with pages from an earlier use;
 * give it back when done (it is freed if the pool is full or it is huge). */
VPK_API GByteArray    *vpk_pack_buffer_take  (void);
VPK_API void           vpk_pack_buffer_give  (GByteArray *buffer);

/* g_autoptr(VpkPackBuffer) gives the buffer back at the end of the scope. */
typedef GByteArray VpkPackBuffer;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackBuffer, vpk_pack_buffer_give)

/* Appends the data of @n samples, in order, to @out. */
VPK_API gboolean       vpk_pack_read_samples (int                  fd,
                                              const VpkMp4Sample  *samples,
                                              guint                n,
                                              GByteArray          *out,
                                              GError             **error);

/* Writes to `@path.partial` (mode 0600) through a VpkMp4Output. */
/**
 * VpkPackReadAhead:
 *
 * Reads runs of samples on a thread of its own, one request ahead of the
 * caller, so that copying the next batch out of the page cache overlaps with
 * work on the current one (the machines have two cores).
 */
typedef struct _VpkPackReadAhead VpkPackReadAhead;

VPK_API VpkPackReadAhead *vpk_pack_read_ahead_new  (int fd);
/* Waits for a read in progress; gives back buffers not popped. */
VPK_API void              vpk_pack_read_ahead_free (VpkPackReadAhead *ra);
/* Queues the read of @n samples; @samples must stay valid until popped. */
VPK_API void              vpk_pack_read_ahead_push (VpkPackReadAhead    *ra,
                                                    const VpkMp4Sample  *samples,
                                                    guint                n);
/* The data of the oldest queued read (give it back with vpk_pack_buffer_give()),
 * or NULL with @error set. */
VPK_API GByteArray       *vpk_pack_read_ahead_pop  (VpkPackReadAhead  *ra,
                                                    GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackReadAhead, vpk_pack_read_ahead_free)

VPK_API VpkPackOutput *vpk_pack_output_new    (const char  *path,
                                               GError     **error);
VPK_API gboolean       vpk_pack_output_write  (VpkPackOutput  *output,
                                               const void     *data,
                                               gsize           size,
                                               GError        **error);
/* Appends @size bytes of @fd from @offset. */
VPK_API gboolean       vpk_pack_output_copy   (VpkPackOutput  *output,
                                               int             fd,
                                               guint64         offset,
                                               guint64         size,
                                               GError        **error);
/* Flushes, fsyncs nothing (the job publishes by rename later), renames into place. */
VPK_API gboolean       vpk_pack_output_commit (VpkPackOutput  *output,
                                               GError        **error);
/* Removes the temporary file unless committed. */
VPK_API void           vpk_pack_output_free   (VpkPackOutput *output);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackOutput, vpk_pack_output_free)

G_END_DECLS
