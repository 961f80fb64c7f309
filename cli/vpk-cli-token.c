/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack token`: a new API token and the hash the service stores, or (--hash)
 * the hash of a token read from standard input, so that it never appears on a
 * command line. */
#include "vpk-cli.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "vpk-auth.h"

static int
print_hash_of_stdin (void)
{
  char line[VPK_AUTH_TOKEN_MAX + 2] = { 0 };
  g_autofree char *hash = NULL;

  if (fgets (line, sizeof line, stdin) == NULL || *g_strstrip (line) == '\0') {
    g_printerr ("vpack token: --hash reads a token from standard input\n");
    return VPK_EXIT_USAGE;
  }
  if (strlen (line) > VPK_AUTH_TOKEN_MAX) {
    g_printerr ("vpack token: a token is at most %d characters\n", VPK_AUTH_TOKEN_MAX);
    return VPK_EXIT_USAGE;
  }
  hash = vpk_auth_hash_token (line);
  OPENSSL_cleanse (line, sizeof line);
  g_print ("%s\n", hash);
  return VPK_EXIT_OK;
}

int
vpk_cli_token (int argc, char **argv)
{
  gboolean hash_only = FALSE;
  const GOptionEntry entries[] = {
    { "hash", 0, 0, G_OPTION_ARG_NONE, &hash_only,
      "Print the hash of the token on standard input", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- make an API token");
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, &argc, &argv, "token"))
    return VPK_EXIT_USAGE;
  if (argc > 1) {
    g_printerr ("vpack token: takes no arguments (a token to hash goes on standard input)\n");
    return VPK_EXIT_USAGE;
  }
  if (hash_only)
    return print_hash_of_stdin ();
  token = vpk_auth_generate_token (&error);
  if (token == NULL)
    return vpk_cli_fail ("token", error);
  hash = vpk_auth_hash_token (token);
  g_print ("token %s\nhash  %s\n", token, hash);
  g_printerr ("Give the token to the client; put the hash into [server] api_tokens or a line "
              "of <state-dir>/tokens. vpack keeps no copy of the token.\n");
  OPENSSL_cleanse (token, strlen (token));
  return VPK_EXIT_OK;
}
