/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every subcommand shares: error reporting, options, config. */
#include "vpk-cli.h"

static int
exit_status_for (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_CANCELLED ? VPK_EXIT_INPUT : VPK_EXIT_INPUT;
  if (error->domain == G_OPTION_ERROR)
    return VPK_EXIT_USAGE;
  if (error->domain != VPK_ERROR)
    return VPK_EXIT_INTERNAL;

  switch (error->code) {
  case VPK_ERROR_CONFIG:
    return VPK_EXIT_USAGE;
  case VPK_ERROR_INVALID_ARGUMENT:
  case VPK_ERROR_NOT_FOUND:
  case VPK_ERROR_NOT_SUPPORTED:
  case VPK_ERROR_INVALID_DATA:
  case VPK_ERROR_TOOL_FAILED:
  case VPK_ERROR_VERIFY:
    return VPK_EXIT_INPUT;
  default:
    return VPK_EXIT_INTERNAL;
  }
}

int
vpk_cli_fail (const char   *command,
              const GError *error)
{
  g_printerr ("vpack %s: %s\n", command, error->message);
  return exit_status_for (error);
}

gboolean
vpk_cli_parse_options (GOptionContext *context,
                       int            *argc,
                       char         ***argv,
                       const char     *command)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  g_printerr ("vpack %s: %s (see `vpack %s --help`)\n", command, error->message, command);
  return FALSE;
}

VpkConfig *
vpk_cli_load_config (const char          *path,
                     const char * const  *sets,
                     GError             **error)
{
  g_autoptr(VpkConfig) config = NULL;

  config = path != NULL ? vpk_config_load (path, error) : vpk_config_new_default ();
  if (config == NULL)
    return NULL;
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    if (!vpk_config_set (config, sets[i], error))
      return NULL;
  return g_steal_pointer (&config);
}

VpkRegistry *
vpk_cli_new_registry (const VpkConfig *config)
{
  return vpk_registry_new ((const char * const *) config->plugin_path);
}
