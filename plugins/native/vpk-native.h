/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

G_BEGIN_DECLS

/* The native backend keeps no state: its stages are thin wrappers over the
 * media toolkit in core/ (mp4, cenc, dash). */
typedef struct {
  int unused;
} VpkNative;

G_END_DECLS
