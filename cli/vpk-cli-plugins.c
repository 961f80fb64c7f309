/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack plugins`: every backend found, with its stages, ABI and file. */
#include "vpk-cli.h"

static void
print_plugin (VpkPlugin *plugin,
              gboolean   verbose)
{
  const VpkBackend *b = vpk_plugin_get_backend (plugin);
  g_autoptr(GString) stages = g_string_new (NULL);

  for (VpkStageKind s = 0; s < VPK_STAGE_N_KINDS; s++)
    if (vpk_plugin_has_stage (plugin, s))
      g_string_append_printf (stages, "%s%s", stages->len > 0 ? ", " : "",
                              vpk_stage_kind_to_string (s));

  g_print ("%s\n", b->name);
  g_print ("  description: %s\n", b->description != NULL ? b->description : "");
  g_print ("  stages:      %s\n", stages->len > 0 ? stages->str : "(none yet)");
  g_print ("  abi:         %u\n", b->abi_version);
  g_print ("  file:        %s\n", vpk_plugin_get_path (plugin));
  if (!verbose)
    return;
  for (const VpkOption *o = b->options; o != NULL && o->name != NULL; o++)
    g_print ("  [%s] %s = %s\n      %s\n", b->name, o->name,
             o->default_value != NULL ? o->default_value : "", o->description);
}

int
vpk_cli_plugins (int argc, char **argv)
{
  gboolean verbose = FALSE;
  g_autofree char *config_path = NULL;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Also list each backend's options", NULL },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read this config file", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- list vpack backends");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = NULL;
  g_autoptr(VpkRegistry) registry = NULL;
  g_auto(GStrv) names = NULL;
  int status = VPK_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, &argc, &argv, "plugins"))
    return VPK_EXIT_USAGE;
  config = vpk_cli_load_config (config_path, NULL, &error);
  if (config == NULL)
    return vpk_cli_fail ("plugins", error);

  registry = vpk_cli_new_registry (config);
  names = vpk_registry_scan (registry);
  for (guint i = 0; names[i] != NULL; i++) {
    g_autoptr(GError) load_error = NULL;
    VpkPlugin *plugin = vpk_registry_load (registry, names[i], &load_error);

    if (i > 0)
      g_print ("\n");
    if (plugin != NULL) {
      print_plugin (plugin, verbose);
    } else {
      g_print ("%s\n  refused:     %s\n", names[i], load_error->message);
      status = VPK_EXIT_INTERNAL;
    }
  }
  if (names[0] == NULL) {
    g_autofree char *dirs = g_strjoinv (", ", (char **) vpk_registry_get_search_path (registry));

    g_printerr ("vpack plugins: no backend found in %s\n", dirs);
    return VPK_EXIT_INTERNAL;
  }
  return status;
}
