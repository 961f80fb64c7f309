/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims a larger table than this core knows (built against a newer vpack). */
#include "vpk.h"

typedef struct {
  VpkBackend base;
  gpointer   future_member;
} FutureBackend;

static const FutureBackend testbig_backend = {
  .base = {
    .abi_version = VPK_BACKEND_ABI_VERSION,
    .struct_size = sizeof (FutureBackend),
    .name = "testbig",
    .description = "built for a newer core",
  },
};

VPK_BACKEND_DEFINE (testbig, testbig_backend.base)
