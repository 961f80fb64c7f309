/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

G_BEGIN_DECLS

/* The native backend keeps no state: its stages are thin wrappers over the
 * media toolkit in core/ (mp4, cenc, dash, pack). */
typedef struct {
  int unused;
} VpkNative;

gboolean vpk_native_ingest   (gpointer self, VpkJob *job, GCancellable *cancellable,
                              GError **error);
gboolean vpk_native_fragment (gpointer self, VpkJob *job, GCancellable *cancellable,
                              GError **error);
gboolean vpk_native_encrypt  (gpointer self, VpkJob *job, GCancellable *cancellable,
                              GError **error);
gboolean vpk_native_package  (gpointer self, VpkJob *job, GCancellable *cancellable,
                              GError **error);
gboolean vpk_native_chain    (gpointer self, VpkJob *job, VpkStageKind first,
                              VpkStageKind last, GCancellable *cancellable, GError **error);

G_END_DECLS
