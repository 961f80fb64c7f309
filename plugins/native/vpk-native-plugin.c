/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-native.h"

static const VpkBackend native_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION,
  .struct_size = sizeof (VpkBackend),
  .name = "native",
  .description = "vpack's own media toolkit: MP4/MOV in, CENC-encrypted DASH out",
  .instance_size = sizeof (VpkNative),
  .options = NULL,
  .stages = {
    [VPK_STAGE_INGEST] = NULL,
    [VPK_STAGE_FRAGMENT] = NULL,
    [VPK_STAGE_ENCRYPT] = NULL,
    [VPK_STAGE_PACKAGE] = NULL,
  },
};

VPK_BACKEND_DEFINE (native, native_backend)
