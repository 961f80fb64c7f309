/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

struct _VpkJob {
  char              *id;
  char              *workdir;

  GMutex             lock;  /* guards everything below */
  char             **artifacts[VPK_ARTIFACT_N_KINDS];
  VpkMediaInfo      *media_info;
  gboolean           has_keys;
  VpkKey             kid;
  VpkKey             key;
  VpkPackageOptions  options;
  VpkProgressFunc    progress_func;
  gpointer           progress_data;
};

static const VpkPackageOptions default_options = {
  .scheme = VPK_SCHEME_CBCS,
  .encrypt = VPK_ENCRYPT_VIDEO,
  .profile = VPK_PROFILE_LIVE,
  .segment_duration_ms = 4000,
  .use_time_template = FALSE,
  .verify = TRUE,
  .license_url = NULL,
};

static void
job_clear (VpkJob *job)
{
  g_free (job->id);
  g_free (job->workdir);
  for (guint i = 0; i < VPK_ARTIFACT_N_KINDS; i++)
    g_strfreev (job->artifacts[i]);
  vpk_media_info_free (job->media_info);
  vpk_key_clear (&job->key);
  g_free (job->options.license_url);
  g_mutex_clear (&job->lock);
}

/**
 * vpk_job_new:
 * @id: the job's id (used in messages and paths)
 * @workdir: the job's private folder; created with mode 0700 if missing
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new job with the default options
 */
VpkJob *
vpk_job_new (const char  *id,
             const char  *workdir,
             GError     **error)
{
  VpkJob *job;

  g_return_val_if_fail (id != NULL && workdir != NULL, NULL);

  if (g_mkdir_with_parents (workdir, 0700) != 0 || g_chmod (workdir, 0700) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot create the work folder '%s': %s", workdir, g_strerror (errsv));
    return NULL;
  }

  job = g_atomic_rc_box_new0 (VpkJob);
  job->id = g_strdup (id);
  job->workdir = g_strdup (workdir);
  g_mutex_init (&job->lock);
  job->options = default_options;
  return job;
}

VpkJob *
vpk_job_ref (VpkJob *job)
{
  return g_atomic_rc_box_acquire (job);
}

void
vpk_job_unref (VpkJob *job)
{
  if (job != NULL)
    g_atomic_rc_box_release_full (job, (GDestroyNotify) job_clear);
}

const char *
vpk_job_get_id (VpkJob *job)
{
  return job->id;
}

const char *
vpk_job_get_workdir (VpkJob *job)
{
  return job->workdir;
}

static gboolean
remove_tree (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        cancellable, &local_error);
  if (children != NULL) {
    for (;;) {
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (children, NULL, &child, cancellable, error))
        return FALSE;
      if (child == NULL)
        break;
      if (!remove_tree (child, cancellable, error))
        return FALSE;
    }
  } else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY) &&
             !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }

  g_clear_error (&local_error);
  if (!g_file_delete (file, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return TRUE;
}

/**
 * vpk_job_make_stage_dir:
 * @name: a single path component, such as "fragment"
 *
 * Returns: (transfer full) (nullable): the path of an empty folder
 *   `<workdir>/<name>` with mode 0700; what a previous attempt left is removed.
 */
char *
vpk_job_make_stage_dir (VpkJob      *job,
                        const char  *name,
                        GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (name != NULL && strchr (name, '/') == NULL && name[0] != '.', NULL);

  path = g_build_filename (job->workdir, name, NULL);
  file = g_file_new_for_path (path);
  if (!remove_tree (file, NULL, error) || g_mkdir (path, 0700) != 0) {
    if (error != NULL && *error == NULL) {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create '%s': %s", path, g_strerror (errsv));
    }
    return NULL;
  }
  return g_steal_pointer (&path);
}

const char * const *
vpk_job_get_artifact (VpkJob      *job,
                      VpkArtifact  kind)
{
  const char * const *paths;

  g_return_val_if_fail (kind < VPK_ARTIFACT_N_KINDS, NULL);

  /* Artifacts are set by the stage that runs before the reader: no writer races a reader. */
  g_mutex_lock (&job->lock);
  paths = (const char * const *) job->artifacts[kind];
  g_mutex_unlock (&job->lock);
  return paths;
}

const char *
vpk_job_get_artifact_path (VpkJob      *job,
                           VpkArtifact  kind)
{
  const char * const *paths = vpk_job_get_artifact (job, kind);

  return paths != NULL ? paths[0] : NULL;
}

void
vpk_job_set_artifact (VpkJob             *job,
                      VpkArtifact         kind,
                      const char * const *paths)
{
  char **copy;

  g_return_if_fail (kind < VPK_ARTIFACT_N_KINDS);

  copy = paths != NULL ? g_strdupv ((char **) paths) : NULL;
  g_mutex_lock (&job->lock);
  g_strfreev (job->artifacts[kind]);
  job->artifacts[kind] = copy;
  g_mutex_unlock (&job->lock);
}

void
vpk_job_set_artifact_path (VpkJob      *job,
                           VpkArtifact  kind,
                           const char  *path)
{
  const char *paths[] = { path, NULL };

  vpk_job_set_artifact (job, kind, path != NULL ? paths : NULL);
}

const VpkMediaInfo *
vpk_job_get_media_info (VpkJob *job)
{
  return job->media_info;
}

void
vpk_job_take_media_info (VpkJob       *job,
                         VpkMediaInfo *info)
{
  g_mutex_lock (&job->lock);
  vpk_media_info_free (job->media_info);
  job->media_info = info;
  g_mutex_unlock (&job->lock);
}

void
vpk_job_set_keys (VpkJob       *job,
                  const VpkKey *kid,
                  const VpkKey *key)
{
  g_mutex_lock (&job->lock);
  job->kid = *kid;
  job->key = *key;
  job->has_keys = TRUE;
  g_mutex_unlock (&job->lock);
}

gboolean
vpk_job_get_keys (VpkJob *job,
                  VpkKey *out_kid,
                  VpkKey *out_key)
{
  gboolean has;

  g_mutex_lock (&job->lock);
  has = job->has_keys;
  if (has) {
    if (out_kid != NULL)
      *out_kid = job->kid;
    if (out_key != NULL)
      *out_key = job->key;
  }
  g_mutex_unlock (&job->lock);
  return has;
}

const VpkPackageOptions *
vpk_job_get_options (VpkJob *job)
{
  return &job->options;
}

void
vpk_job_set_options (VpkJob                  *job,
                     const VpkPackageOptions *options)
{
  g_free (job->options.license_url);
  job->options = *options;
  job->options.license_url = g_strdup (options->license_url);
}

void
vpk_job_set_progress_func (VpkJob          *job,
                           VpkProgressFunc  func,
                           gpointer         user_data)
{
  g_mutex_lock (&job->lock);
  job->progress_func = func;
  job->progress_data = user_data;
  g_mutex_unlock (&job->lock);
}

void
vpk_job_report_progress (VpkJob       *job,
                         VpkStageKind  stage,
                         double        fraction)
{
  VpkProgressFunc func;
  gpointer data;

  g_mutex_lock (&job->lock);
  func = job->progress_func;
  data = job->progress_data;
  g_mutex_unlock (&job->lock);

  if (func != NULL)
    func (job, stage, CLAMP (fraction, 0.0, 1.0), data);
}
