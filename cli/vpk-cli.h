/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"
#include "vpk-config.h"
#include "vpk-pipeline.h"
#include "vpk-registry.h"

G_BEGIN_DECLS

/* Exit statuses of every subcommand (documented in `vpack --help` and the README). */
enum {
  VPK_EXIT_OK = 0,
  VPK_EXIT_USAGE = 1,     /* bad command line or config */
  VPK_EXIT_INPUT = 2,     /* the input or the packaging failed */
  VPK_EXIT_INTERNAL = 3,  /* a bug, a broken install, the system */
};

typedef int (*VpkCliCommand) (int argc, char **argv);

int  vpk_cli_plugins (int argc, char **argv);
int  vpk_cli_keygen  (int argc, char **argv);
int  vpk_cli_token   (int argc, char **argv);
int  vpk_cli_probe   (int argc, char **argv);
int  vpk_cli_package (int argc, char **argv);
int  vpk_cli_verify  (int argc, char **argv);
int  vpk_cli_serve   (int argc, char **argv);

/* Prints "vpack CMD: MESSAGE" on stderr and returns the exit status @error maps to. */
int  vpk_cli_fail (const char   *command,
                   const GError *error);
/* Parses @context; on error prints it with a hint and returns FALSE. */
gboolean vpk_cli_parse_options (GOptionContext *context,
                                int            *argc,
                                char         ***argv,
                                const char     *command);
/* The config from @path (NULL: defaults) with each "group.key=value" of @sets applied. */
VpkConfig *vpk_cli_load_config (const char          *path,
                                const char * const  *sets,
                                GError             **error);
/* A registry searching the config's plugin_path. */
VpkRegistry *vpk_cli_new_registry (const VpkConfig *config);

G_END_DECLS
