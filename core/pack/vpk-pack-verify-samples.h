/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* vpk_pack_verify() with a look at every decrypted sample: for `vpack verify
 * --dump-hashes` and tests that compare the decryption with another tool. */

#include "pack/vpk-pack-verify.h"

G_BEGIN_DECLS

/**
 * VpkPackVerifySample:
 * @track_id: the track in its init segment
 * @track_index: the track's place in the package (Representation order, or
 *   trak order in a single file), from 0
 * @is_video: whether the track is video
 * @index: the sample's number in its track, from 0
 * @file: the segment file holding it, as named in messages
 * @data: (array length=size): the sample, decrypted
 *
 * One sample as the verifier saw it; valid during the callback only.
 */
typedef struct {
  guint32       track_id;
  guint         track_index;
  gboolean      is_video;
  guint64       index;
  const char   *file;
  const guint8 *data;
  gsize         size;
} VpkPackVerifySample;

typedef void (*VpkPackVerifySampleFunc) (const VpkPackVerifySample *sample,
                                         gpointer                   user_data);

/* As vpk_pack_verify(), calling @func (nullable) for each sample once it has
 * passed its checks. */
VPK_API gboolean vpk_pack_verify_full (const char               *path,
                                       const VpkKey             *kid,
                                       const VpkKey             *key,
                                       const char * const       *sources,
                                       VpkPackVerifySampleFunc   func,
                                       gpointer                  user_data,
                                       GCancellable             *cancellable,
                                       VpkPackVerifyReport      *out_report,
                                       GError                  **error);

G_END_DECLS
