/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack`: the command-line entry point; one file per subcommand. */
#include "vpk-cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char    *name;
  VpkCliCommand  run;
  const char    *summary;
} Command;

static const Command commands[] = {
  { "probe", vpk_cli_probe, "Print what ingest learns about a media file, as JSON" },
  { "package", vpk_cli_package, "Package a file as CENC-encrypted MPEG-DASH" },
  { "verify", vpk_cli_verify, "Check a packaged output: segments, decryption, source match" },
  { "keygen", vpk_cli_keygen, "Make a random KID and key, in every accepted form" },
  { "token", vpk_cli_token, "Make an API token and the hash the service stores" },
  { "plugins", vpk_cli_plugins, "List the backends found, their stages and ABI" },
  { "serve", vpk_cli_serve, "Run the REST service" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: vpack COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n`vpack COMMAND --help` shows a command's options.\n"
           "Exit status: 0 done, 1 usage or config error, 2 the input or packaging failed,\n"
           "3 internal error.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2) {
    print_usage (stderr);
    return VPK_EXIT_USAGE;
  }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0) {
    print_usage (stdout);
    return VPK_EXIT_OK;
  }
  if (strcmp (argv[1], "--version") == 0) {
    printf ("vpack %s (plugin ABI %u)\n", VPK_VERSION_STRING, VPK_BACKEND_ABI_VERSION);
    return VPK_EXIT_OK;
  }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "vpack: '%s' is not a command\n\n", argv[1]);
  print_usage (stderr);
  return VPK_EXIT_USAGE;
}
