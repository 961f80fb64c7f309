/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

/* Registration only: each stage has its own file. */

static const VpkOption bento4_options[] = {
  { "tools_dir", VPK_OPTION_PATH, G_STRUCT_OFFSET (VpkBento4, tools_dir), NULL,
    "Folder holding Bento4's mp4info, mp4fragment, mp4encrypt, mp4split and mp4dash "
    "(default: PATH)" },
  { "python", VPK_OPTION_PATH, G_STRUCT_OFFSET (VpkBento4, python), "python3",
    "Python interpreter that runs mp4dash when it is Bento4's Python script" },
  { "timeout", VPK_OPTION_UINT, G_STRUCT_OFFSET (VpkBento4, timeout_seconds), "3600",
    "Seconds after which a tool is killed (0: no limit)" },
  { NULL }
};

static const VpkBackend bento4_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION,
  .struct_size = sizeof (VpkBackend),
  .name = "bento4",
  .description = "Bento4's command-line tools, as the original service ran them",
  .instance_size = sizeof (VpkBento4),
  .options = bento4_options,
  .init = vpk_bento4_init,          /* resolves every tool now, not per job */
  .finalize = vpk_bento4_finalize,  /* copes with a failed init */
  .stages = {
    [VPK_STAGE_INGEST] = vpk_bento4_ingest,
    [VPK_STAGE_FRAGMENT] = vpk_bento4_fragment,
    [VPK_STAGE_ENCRYPT] = vpk_bento4_encrypt,
    [VPK_STAGE_PACKAGE] = vpk_bento4_package,
  },
};

VPK_BACKEND_DEFINE (bento4, bento4_backend)
