/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack verify OUTDIR --key K --kid KID [--source INPUT]`. */
#include "vpk-cli.h"

int
vpk_cli_verify (int argc, char **argv)
{
  /* The verifier is part of the media toolkit (core/dash + core/cenc); until it is
   * in this build, say so rather than report success. */
  g_printerr ("vpack verify: this build of vpack has no verifier yet\n");
  return VPK_EXIT_INTERNAL;
}
