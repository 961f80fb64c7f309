/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built as if for a future vpack plugin ABI: the loader must refuse it. */
#include "vpk.h"

static const VpkBackend testabi_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION + 41,
  .struct_size = sizeof (VpkBackend),
  .name = "testabi",
  .description = "built for another ABI",
};

VPK_BACKEND_DEFINE (testabi, testabi_backend)
