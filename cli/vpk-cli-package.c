/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack package INPUT -o OUTDIR --key K --kid KID`: the whole pipeline, no database. */
#include "vpk-cli.h"

#include <errno.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  gboolean     tty;
  VpkStageKind stage;
  gint64       stage_start_us;
  double       stage_seconds[VPK_STAGE_N_KINDS];
  const char  *stage_backend[VPK_STAGE_N_KINDS];
  int          last_percent;
} Progress;

static void
on_progress (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  Progress *p = data;
  int percent = (int) (fraction * 100.0);
  char bar[31];

  if (!p->tty || percent == p->last_percent)
    return;
  p->last_percent = percent;
  memset (bar, ' ', 30);
  memset (bar, '#', (gsize) (fraction * 30.0));
  bar[30] = '\0';
  g_printerr ("\r%-9s [%s] %3d%%", vpk_stage_kind_to_string (stage), bar, percent);
}

static void
on_stage_started (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Progress *p = data;

  p->stage = stage;
  p->stage_start_us = g_get_monotonic_time ();
  p->last_percent = -1;
}

static void
on_stage_finished (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Progress *p = data;

  p->stage_seconds[stage] = (g_get_monotonic_time () - p->stage_start_us) / 1e6;
  p->stage_backend[stage] = backend;  /* owned by the pipeline, which outlives this */
  if (p->tty)
    g_printerr ("\r%-9s done by %s in %.2f s%-24s\n", vpk_stage_kind_to_string (stage), backend,
                p->stage_seconds[stage], "");
}

static const VpkPipelineObserver observer = {
  .stage_started = on_stage_started,
  .stage_finished = on_stage_finished,
};

static gboolean
apply_overrides (VpkPackageOptions  *options,
                 const char         *scheme,
                 const char         *encrypt,
                 const char         *profile,
                 double              segment_duration,
                 const char         *license_url,
                 GError            **error)
{
  if (scheme != NULL && !vpk_scheme_from_string (scheme, &options->scheme))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "--scheme '%s': use cbcs or cenc", scheme), FALSE;
  if (encrypt != NULL && !vpk_encrypt_tracks_from_string (encrypt, &options->encrypt))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "--encrypt '%s': use video or all", encrypt), FALSE;
  if (profile != NULL && !vpk_profile_from_string (profile, &options->profile))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "--profile '%s': use live or on-demand", profile), FALSE;
  if (segment_duration != 0.0) {
    if (segment_duration < 0.5 || segment_duration > 60.0)
      return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                          "--segment-duration %g: give seconds from 0.5 to 60",
                          segment_duration), FALSE;
    options->segment_duration_ms = (guint) (segment_duration * 1000.0 + 0.5);
  }
  if (license_url != NULL) {
    g_free (options->license_url);
    options->license_url = g_strdup (license_url);
  }
  return TRUE;
}

/* The output folder is written next to OUTDIR and renamed into place at the end,
 * so OUTDIR is never half-written. */
static gboolean
check_output_dir (const char  *outdir,
                  gboolean     force,
                  GError     **error)
{
  g_autoptr(GDir) dir = NULL;

  if (!g_file_test (outdir, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_test (outdir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "'%s' exists and is not a folder",
                 outdir);
    return FALSE;
  }
  dir = g_dir_open (outdir, 0, NULL);
  if (dir != NULL && g_dir_read_name (dir) != NULL && !force) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                 "'%s' is not empty (use --force to replace it)", outdir);
    return FALSE;
  }
  return TRUE;
}

static gboolean
remove_path (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_path (child);
    else
      g_unlink (child);
  }
  return g_remove (path) == 0;
}

static gboolean
publish (const char  *package_dir,
         const char  *outdir,
         GError     **error)
{
  if (g_file_test (outdir, G_FILE_TEST_IS_DIR))
    remove_path (outdir);
  if (g_rename (package_dir, outdir) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot move the output into '%s': %s", outdir, g_strerror (errsv));
    return FALSE;
  }
  g_chmod (outdir, 0755);
  return TRUE;
}

static void
print_result_json (VpkJob     *job,
                   const char *outdir,
                   Progress   *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *media = vpk_media_info_to_json (vpk_job_get_media_info (job), FALSE);
  g_autofree char *mpd = g_build_filename (outdir, "stream.mpd", NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "output");
  json_builder_add_string_value (b, outdir);
  json_builder_set_member_name (b, "mpd");
  json_builder_add_string_value (b, mpd);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (VpkStageKind s = 0; s < VPK_STAGE_N_KINDS; s++) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "stage");
    json_builder_add_string_value (b, vpk_stage_kind_to_string (s));
    json_builder_set_member_name (b, "backend");
    json_builder_add_string_value (b, p->stage_backend[s]);
    json_builder_set_member_name (b, "seconds");
    json_builder_add_double_value (b, p->stage_seconds[s]);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "media");
  if (json_parser_load_from_data (parser, media, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

typedef struct {
  char     *input;
  char     *outdir;
  char     *key;
  char     *kid;
  char     *scheme;
  char     *encrypt;
  char     *profile;
  double    segment_duration;
  char     *license_url;
  char     *config_path;
  GStrv     sets;
  gboolean  json;
  gboolean  force;
  gboolean  keep_work;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->input);
  g_free (a->outdir);
  g_free (a->key);
  g_free (a->kid);
  g_free (a->scheme);
  g_free (a->encrypt);
  g_free (a->profile);
  g_free (a->license_url);
  g_free (a->config_path);
  g_strfreev (a->sets);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static gboolean
parse_args (Args *a, int *argc, char ***argv)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a->outdir, "Output folder (gets stream.mpd)", "OUTDIR" },
    { "key", 'k', 0, G_OPTION_ARG_STRING, &a->key, "Content key (base64url, base64, hex or UUID)", "KEY" },
    { "kid", 'i', 0, G_OPTION_ARG_STRING, &a->kid, "Key ID (same forms)", "KID" },
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &a->scheme, "cbcs (default) or cenc", "SCHEME" },
    { "encrypt", 0, 0, G_OPTION_ARG_STRING, &a->encrypt, "Tracks to encrypt: video (default) or all", "TRACKS" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &a->profile, "live (default) or on-demand", "PROFILE" },
    { "segment-duration", 0, 0, G_OPTION_ARG_DOUBLE, &a->segment_duration, "Target segment duration", "SECONDS" },
    { "license-url", 0, 0, G_OPTION_ARG_STRING, &a->license_url, "ClearKey license URL for the MPD", "URL" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config_path, "Read this config file", "FILE" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &a->sets, "Set a config key", "GROUP.KEY=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a->json, "Print the result as JSON", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &a->force, "Replace a non-empty OUTDIR", NULL },
    { "keep-work", 0, 0, G_OPTION_ARG_NONE, &a->keep_work, "Keep the work folder (for debugging)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
      g_option_context_new ("INPUT - package a media file as encrypted MPEG-DASH");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, argc, argv, "package"))
    return FALSE;
  if (*argc != 2 || a->outdir == NULL || a->key == NULL || a->kid == NULL) {
    g_printerr ("vpack package: give INPUT, -o OUTDIR, --key and --kid "
                "(see `vpack package --help`)\n");
    return FALSE;
  }
  a->input = g_strdup ((*argv)[1]);
  return TRUE;
}

static VpkJob *
make_job (Args             *a,
          const VpkConfig  *config,
          char            **out_workdir,
          GError          **error)
{
  g_autofree char *out_abs = g_canonicalize_filename (a->outdir, NULL);
  g_autofree char *parent = g_path_get_dirname (out_abs);
  g_autofree char *base = g_path_get_basename (out_abs);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.vpack-XXXXXX", parent, base);
  g_autofree char *source = g_canonicalize_filename (a->input, NULL);
  VpkPackageOptions options = config->package;
  g_autoptr(VpkJob) job = NULL;
  VpkKey kid, key;

  if (!vpk_key_parse (a->kid, "kid", &kid, error) || !vpk_key_parse (a->key, "key", &key, error))
    return NULL;
  options.license_url = g_strdup (config->package.license_url);
  if (!apply_overrides (&options, a->scheme, a->encrypt, a->profile, a->segment_duration,
                        a->license_url, error)) {
    g_free (options.license_url);
    vpk_key_clear (&key);
    return NULL;
  }
  if (g_mkdir_with_parents (parent, 0755) != 0 || g_mkdtemp_full (tmpl, 0700) == NULL) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot make a work folder next to '%s': %s", out_abs, g_strerror (errsv));
    g_free (options.license_url);
    vpk_key_clear (&key);
    return NULL;
  }
  job = vpk_job_new ("cli", tmpl, error);
  if (job != NULL) {
    vpk_job_set_keys (job, &kid, &key);
    vpk_job_set_options (job, &options);
    vpk_job_set_artifact_path (job, VPK_ARTIFACT_SOURCE, source);
    *out_workdir = g_steal_pointer (&tmpl);
  }
  g_free (options.license_url);
  vpk_key_clear (&key);
  return g_steal_pointer (&job);
}

int
vpk_cli_package (int argc, char **argv)
{
  g_auto(Args) a = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = NULL;
  g_autoptr(VpkRegistry) registry = NULL;
  g_autoptr(VpkPipeline) pipeline = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autofree char *workdir = NULL;
  Progress progress = { .tty = isatty (STDERR_FILENO), .last_percent = -1 };
  gboolean ok;

  if (!parse_args (&a, &argc, &argv))
    return VPK_EXIT_USAGE;
  if (!g_file_test (a.input, G_FILE_TEST_IS_REGULAR)) {
    g_printerr ("vpack package: '%s' is not a readable file\n", a.input);
    return VPK_EXIT_INPUT;
  }
  config = vpk_cli_load_config (a.config_path, (const char * const *) a.sets, &error);
  if (config == NULL)
    return vpk_cli_fail ("package", error);
  if (!check_output_dir (a.outdir, a.force, &error))
    return vpk_cli_fail ("package", error);
  registry = vpk_cli_new_registry (config);
  pipeline = vpk_pipeline_new (registry, config, &error);
  if (pipeline == NULL)
    return vpk_cli_fail ("package", error);
  job = make_job (&a, config, &workdir, &error);
  if (job == NULL)
    return vpk_cli_fail ("package", error);

  vpk_job_set_progress_func (job, on_progress, &progress);
  ok = vpk_pipeline_run (pipeline, job, VPK_STAGE_INGEST, &observer, &progress, NULL, &error) &&
       publish (vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE), a.outdir, &error);
  if (progress.tty && !ok)
    g_printerr ("\n");
  if (!a.keep_work)
    remove_path (workdir);
  else
    g_printerr ("vpack package: work folder kept in '%s'\n", workdir);
  if (!ok)
    return vpk_cli_fail ("package", error);

  if (a.json)
    print_result_json (job, a.outdir, &progress);
  else
    g_print ("%s/stream.mpd\n", a.outdir);
  return VPK_EXIT_OK;
}
