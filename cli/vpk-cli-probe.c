/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack probe FILE`: runs the configured ingest stage and prints the media info. */
#include "vpk-cli.h"

#include <glib/gstdio.h>

int
vpk_cli_probe (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  g_auto(GStrv) sets = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read this config file", "FILE" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Set a config key", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE - describe a media file");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = NULL;
  g_autoptr(VpkRegistry) registry = NULL;
  g_autoptr(VpkPipeline) pipeline = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autofree char *workdir = NULL;
  g_autofree char *json = NULL;
  g_autofree char *source = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, &argc, &argv, "probe"))
    return VPK_EXIT_USAGE;
  if (argc != 2) {
    g_printerr ("vpack probe: give one FILE (see `vpack probe --help`)\n");
    return VPK_EXIT_USAGE;
  }
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR)) {
    g_printerr ("vpack probe: '%s' is not a readable file\n", argv[1]);
    return VPK_EXIT_INPUT;
  }

  config = vpk_cli_load_config (config_path, (const char * const *) sets, &error);
  if (config == NULL)
    return vpk_cli_fail ("probe", error);
  registry = vpk_cli_new_registry (config);
  pipeline = vpk_pipeline_new (registry, config, &error);
  if (pipeline == NULL)
    return vpk_cli_fail ("probe", error);

  workdir = g_dir_make_tmp ("vpack-probe-XXXXXX", &error);
  if (workdir == NULL)
    return vpk_cli_fail ("probe", error);
  job = vpk_job_new ("probe", workdir, &error);
  if (job == NULL)
    return vpk_cli_fail ("probe", error);
  source = g_canonicalize_filename (argv[1], NULL);
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_SOURCE, source);

  if (!vpk_pipeline_run_stage (pipeline, job, VPK_STAGE_INGEST, NULL, NULL, NULL, &error)) {
    g_rmdir (workdir);
    return vpk_cli_fail ("probe", error);
  }
  g_rmdir (workdir);
  json = vpk_media_info_to_json (vpk_job_get_media_info (job), TRUE);
  g_print ("%s\n", json);
  return VPK_EXIT_OK;
}
