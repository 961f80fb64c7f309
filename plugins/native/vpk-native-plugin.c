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
    [VPK_STAGE_INGEST] = vpk_native_ingest,
    [VPK_STAGE_FRAGMENT] = vpk_native_fragment,
    [VPK_STAGE_ENCRYPT] = vpk_native_encrypt,
    [VPK_STAGE_PACKAGE] = vpk_native_package,
  },
  .run_chain = vpk_native_chain,
};

VPK_BACKEND_DEFINE (native, native_backend)
