/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-pipeline.h"

struct _VpkPipeline {
  VpkRegistry *registry;
  gboolean     single_pass;
  GStrv        names[VPK_STAGE_N_KINDS];
  GPtrArray   *plugins[VPK_STAGE_N_KINDS];  /* (element-type VpkPlugin) borrowed */
};

void
vpk_pipeline_free (VpkPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  for (guint i = 0; i < VPK_STAGE_N_KINDS; i++) {
    g_strfreev (pipeline->names[i]);
    g_clear_pointer (&pipeline->plugins[i], g_ptr_array_unref);
  }
  g_free (pipeline);
}

/* "native, bento4", or "none" when no backend installed offers @stage. */
static char *
backends_offering (VpkRegistry  *registry,
                   VpkStageKind  stage)
{
  g_auto(GStrv) names = vpk_registry_scan (registry);
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++) {
    VpkPlugin *p = vpk_registry_load (registry, names[i], NULL);

    if (p != NULL && vpk_plugin_has_stage (p, stage))
      g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", names[i]);
  }
  if (list->len == 0)
    g_string_append (list, "none");
  return g_string_free (g_steal_pointer (&list), FALSE);
}

static gboolean
add_stage_backends (VpkPipeline      *pipeline,
                    const VpkConfig  *config,
                    VpkStageKind      stage,
                    GError          **error)
{
  const char *file = config->path != NULL ? config->path : "built-in default";
  const char *stage_name = vpk_stage_kind_to_string (stage);

  pipeline->names[stage] = g_strdupv (config->stages[stage]);
  pipeline->plugins[stage] = g_ptr_array_new ();
  for (guint i = 0; pipeline->names[stage][i] != NULL; i++) {
    const char *name = pipeline->names[stage][i];
    VpkPlugin *plugin = vpk_registry_load (pipeline->registry, name, error);

    if (plugin == NULL) {
      g_prefix_error (error, "%s: [pipeline] %s: ", file, stage_name);
      return FALSE;
    }
    if (!vpk_plugin_has_stage (plugin, stage)) {
      g_autofree char *others = backends_offering (pipeline->registry, stage);

      g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                   "%s: [pipeline] %s: backend '%s' has no %s stage (backends that do: %s)",
                   file, stage_name, name, stage_name, others);
      return FALSE;
    }
    if (!vpk_plugin_configure (plugin, config->keyfile, file, error))
      return FALSE;
    g_ptr_array_add (pipeline->plugins[stage], plugin);
  }
  return TRUE;
}

/* Every group that is not the core's must be a backend's, with keys it knows. */
static gboolean
check_backend_groups (VpkPipeline      *pipeline,
                      const VpkConfig  *config,
                      GError          **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (config->keyfile, NULL);
  const char *file = config->path != NULL ? config->path : "config";

  for (guint i = 0; groups[i] != NULL; i++) {
    g_autoptr(GError) local_error = NULL;
    VpkPlugin *plugin;

    if (vpk_config_is_core_group (groups[i]))
      continue;
    plugin = vpk_registry_load (pipeline->registry, groups[i], &local_error);
    if (plugin == NULL) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                   "%s: unknown group [%s]: neither pipeline, package, server, database, "
                   "storage nor a backend (%s)", file, groups[i], local_error->message);
      return FALSE;
    }
    if (!vpk_plugin_check_config (plugin, config->keyfile, file, error))
      return FALSE;
  }
  return TRUE;
}

VpkPipeline *
vpk_pipeline_new (VpkRegistry      *registry,
                  const VpkConfig  *config,
                  GError          **error)
{
  g_autoptr(VpkPipeline) pipeline = g_new0 (VpkPipeline, 1);

  pipeline->registry = registry;
  pipeline->single_pass = config->single_pass;
  if (!check_backend_groups (pipeline, config, error))
    return NULL;
  for (guint s = 0; s < VPK_STAGE_N_KINDS; s++)
    if (!add_stage_backends (pipeline, config, s, error))
      return NULL;
  return g_steal_pointer (&pipeline);
}

const char * const *
vpk_pipeline_get_backends (VpkPipeline  *pipeline,
                           VpkStageKind  stage)
{
  g_return_val_if_fail (stage < VPK_STAGE_N_KINDS, NULL);
  return (const char * const *) pipeline->names[stage];
}

/* As vpk_pipeline_run_stage(); @announced: the observer has already heard
 * the stage start (a chain that declined). */
static gboolean
run_stage (VpkPipeline                *pipeline,
           VpkJob                     *job,
           VpkStageKind                stage,
           gboolean                    announced,
           const VpkPipelineObserver  *observer,
           gpointer                    observer_data,
           GCancellable               *cancellable,
           GError                    **error)
{
  GPtrArray *plugins = pipeline->plugins[stage];
  const char *stage_name = vpk_stage_kind_to_string (stage);
  g_autoptr(GString) declined = g_string_new (NULL);

  if (!announced && observer != NULL && observer->stage_started != NULL)
    observer->stage_started (job, stage, NULL, observer_data);

  for (guint i = 0; i < plugins->len; i++) {
    VpkPlugin *plugin = plugins->pdata[i];
    const char *name = vpk_plugin_get_name (plugin);
    g_autoptr(GError) local_error = NULL;
    gint64 started;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;

    started = g_get_monotonic_time ();
    vpk_job_report_progress (job, stage, 0.0);
    if (vpk_plugin_get_backend (plugin)->stages[stage] (vpk_plugin_get_instance (plugin), job,
                                                        cancellable, &local_error)) {
      g_debug ("%s (%s): %.3f s", stage_name, name,
               (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
      vpk_job_report_progress (job, stage, 1.0);
      if (observer != NULL && observer->stage_finished != NULL)
        observer->stage_finished (job, stage, name, observer_data);
      return TRUE;
    }

    if (local_error == NULL)
      g_set_error (&local_error, VPK_ERROR, VPK_ERROR_FAILED, "failed without saying why");
    if (g_error_matches (local_error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED)) {
      g_string_append_printf (declined, "%s%s: %s", declined->len > 0 ? "; " : "", name,
                              local_error->message);
      continue;
    }
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s (%s): ",
                                stage_name, name);
    return FALSE;
  }

  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "%s: no backend takes this input (%s)",
               stage_name, declined->str);
  return FALSE;
}

gboolean
vpk_pipeline_run_stage (VpkPipeline                *pipeline,
                        VpkJob                     *job,
                        VpkStageKind                stage,
                        const VpkPipelineObserver  *observer,
                        gpointer                    observer_data,
                        GCancellable               *cancellable,
                        GError                    **error)
{
  return run_stage (pipeline, job, stage, FALSE, observer, observer_data, cancellable, error);
}

/* The last stage from @first on that the backend named first for @first is
 * also named first for, when that backend can chain stages; else @first. */
static VpkStageKind
chain_end (VpkPipeline  *pipeline,
           VpkStageKind  first)
{
  VpkPlugin *plugin;
  VpkStageKind last = first;

  if (!pipeline->single_pass || pipeline->plugins[first]->len == 0)
    return first;
  plugin = pipeline->plugins[first]->pdata[0];
  if (vpk_plugin_get_backend (plugin)->run_chain == NULL)
    return first;
  while (last + 1 < VPK_STAGE_N_KINDS && pipeline->plugins[last + 1]->len > 0 &&
         pipeline->plugins[last + 1]->pdata[0] == plugin)
    last++;
  return last;
}

/* Runs @first to @last with one call; FALSE with @out_declined set (and no
 * error) when the backend declines, so that they run one by one (the
 * observer has then heard @first start). */
static gboolean
run_chain (VpkPipeline                *pipeline,
           VpkJob                     *job,
           VpkStageKind                first,
           VpkStageKind                last,
           const VpkPipelineObserver  *observer,
           gpointer                    observer_data,
           GCancellable               *cancellable,
           gboolean                   *out_declined,
           GError                    **error)
{
  VpkPlugin *plugin = pipeline->plugins[first]->pdata[0];
  const char *name = vpk_plugin_get_name (plugin);
  g_autoptr(GError) local_error = NULL;
  gint64 started = g_get_monotonic_time ();

  *out_declined = FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (observer != NULL && observer->stage_started != NULL)
    observer->stage_started (job, first, NULL, observer_data);
  vpk_job_report_progress (job, first, 0.0);
  if (!vpk_plugin_get_backend (plugin)->run_chain (vpk_plugin_get_instance (plugin), job, first,
                                                    last, cancellable, &local_error)) {
    if (local_error == NULL)
      g_set_error (&local_error, VPK_ERROR, VPK_ERROR_FAILED, "failed without saying why");
    if (g_error_matches (local_error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED)) {
      g_debug ("%s to %s (%s) in one pass declined: %s", vpk_stage_kind_to_string (first),
               vpk_stage_kind_to_string (last), name, local_error->message);
      *out_declined = TRUE;
      return FALSE;
    }
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s to %s (%s): ",
                                vpk_stage_kind_to_string (first), vpk_stage_kind_to_string (last),
                                name);
    return FALSE;
  }
  g_debug ("%s to %s (%s) in one pass: %.3f s", vpk_stage_kind_to_string (first),
           vpk_stage_kind_to_string (last), name,
           (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  /* The observer sees each stage finish, in order; the work was timed on the first. */
  for (VpkStageKind s = first; s <= last; s++) {
    if (s > first && observer != NULL && observer->stage_started != NULL)
      observer->stage_started (job, s, NULL, observer_data);
    vpk_job_report_progress (job, s, 1.0);
    if (observer != NULL && observer->stage_finished != NULL)
      observer->stage_finished (job, s, name, observer_data);
  }
  return TRUE;
}

gboolean
vpk_pipeline_run (VpkPipeline                *pipeline,
                  VpkJob                     *job,
                  VpkStageKind                first,
                  const VpkPipelineObserver  *observer,
                  gpointer                    observer_data,
                  GCancellable               *cancellable,
                  GError                    **error)
{
  VpkStageKind s = first;

  g_return_val_if_fail (first < VPK_STAGE_N_KINDS, FALSE);

  while (s < VPK_STAGE_N_KINDS) {
    VpkStageKind last = chain_end (pipeline, s);
    gboolean declined = FALSE;

    if (last > s) {
      if (run_chain (pipeline, job, s, last, observer, observer_data, cancellable, &declined,
                     error)) {
        s = last + 1;
        continue;
      }
      if (!declined)
        return FALSE;
    }
    if (!run_stage (pipeline, job, s, declined, observer, observer_data, cancellable, error))
      return FALSE;
    s++;
  }
  return TRUE;
}
