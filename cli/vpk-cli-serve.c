/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack serve`: the REST service. */
#include "vpk-cli.h"

int
vpk_cli_serve (int argc, char **argv)
{
  /* The service (server/) arrives with its own issue; say so plainly rather than pretend. */
  g_printerr ("vpack serve: this build of vpack has no REST service yet; "
              "use `vpack package` and `vpack verify`\n");
  return VPK_EXIT_INTERNAL;
}
