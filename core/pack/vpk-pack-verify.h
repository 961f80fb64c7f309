/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads a package back: checks that every segment the MPD names exists and
 * parses, decrypts every sample with the key, and with a source compares each
 * sample with the source's, byte for byte. The first problem is the error
 * (VPK_ERROR_VERIFY), naming the file, the track and the sample. */

#include <gio/gio.h>
#include <vpack/vpk.h>

G_BEGIN_DECLS

typedef struct {
  guint   n_representations;
  guint   n_segments;
  guint64 n_samples;
  guint64 n_encrypted_samples;
  guint64 n_compared_samples;   /* matched against the source; 0 without one */
} VpkPackVerifyReport;

/**
 * vpk_pack_verify:
 * @path: a package folder holding stream.mpd, or one (fragmented, encrypted) MP4 file
 * @kid: the KID the content must carry
 * @key: the content key
 * @sources: (nullable) (array zero-terminated=1): what was packaged, to compare
 *   samples with: the input, or the fragmented files made from it (tracks are
 *   matched by kind and rank across the files, in order)
 * @out_report: (out caller-allocates) (optional): what was checked
 */
VPK_API gboolean vpk_pack_verify (const char           *path,
                                  const VpkKey         *kid,
                                  const VpkKey         *key,
                                  const char * const   *sources,
                                  GCancellable         *cancellable,
                                  VpkPackVerifyReport  *out_report,
                                  GError              **error);

G_END_DECLS
