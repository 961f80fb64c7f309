/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* File I/O shared by the packaging steps: sample reads that coalesce
 * neighbouring samples into one pread, and outputs written to a temporary file
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

/* Appends the data of @n samples, in order, to @out. */
VPK_API gboolean       vpk_pack_read_samples (int                  fd,
                                              const VpkMp4Sample  *samples,
                                              guint                n,
                                              GByteArray          *out,
                                              GError             **error);

VPK_API VpkPackOutput *vpk_pack_output_new   (const char  *path,
                                              GError     **error);
/* (transfer none): a buffered stream to write to */
VPK_API GOutputStream *vpk_pack_output_get_stream (VpkPackOutput *output);
/* Flushes, fsyncs nothing (the job publishes by rename later), renames into place. */
VPK_API gboolean       vpk_pack_output_commit (VpkPackOutput  *output,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* Removes the temporary file unless committed. */
VPK_API void           vpk_pack_output_free   (VpkPackOutput *output);

VPK_API gboolean       vpk_pack_write_bytes   (GOutputStream  *out,
                                               const void     *data,
                                               gsize           size,
                                               GCancellable   *cancellable,
                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackOutput, vpk_pack_output_free)

G_END_DECLS
