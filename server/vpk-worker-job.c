/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One job on a worker thread: set up, run, publish, record. */
#include "vpk-workers-private.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#define PROGRESS_INTERVAL_US (250 * 1000)
#define N_RUN_STAGES (VPK_STAGE_N_KINDS - VPK_STAGE_FRAGMENT)

typedef struct {
  VpkDb        *db;
  gint64        id;
  gint64        last_progress_us;
  gint64        stage_start_us;
  const char   *status;
} Run;

static double
overall (VpkStageKind stage, double fraction)
{
  return ((double) (stage - VPK_STAGE_FRAGMENT) + fraction) / N_RUN_STAGES;
}

static void
on_progress (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  Run *run = data;
  gint64 now = g_get_monotonic_time ();

  if (now - run->last_progress_us < PROGRESS_INTERVAL_US || stage < VPK_STAGE_FRAGMENT)
    return;
  run->last_progress_us = now;
  vpk_store_job_set_progress (run->db, run->id, overall (stage, fraction), NULL);
}

static void
on_stage_started (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Run *run = data;
  g_autoptr(GError) error = NULL;

  run->stage_start_us = g_get_monotonic_time ();
  if (!vpk_store_job_set_state (run->db, run->id, run->status, vpk_stage_kind_to_string (stage),
                                overall (stage, 0.0), -1.0, NULL, &error))
    g_warning ("Job %" G_GINT64_FORMAT ": %s", run->id, error->message);
}

static void
on_stage_finished (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Run *run = data;
  double seconds = (g_get_monotonic_time () - run->stage_start_us) / 1e6;
  g_autofree char *message = g_strdup_printf ("%s done by %s", vpk_stage_kind_to_string (stage),
                                              backend);
  g_autoptr(GError) error = NULL;

  vpk_metrics_observe_stage (vpk_stage_kind_to_string (stage), seconds);
  if (stage == VPK_STAGE_FRAGMENT)
    run->status = VPK_STATUS_FRAGMENTED;
  else if (stage == VPK_STAGE_ENCRYPT)
    run->status = VPK_STATUS_ENCRYPTED;
  else
    return;  /* package: Ready is recorded after publishing */
  if (!vpk_store_job_set_state (run->db, run->id, run->status, vpk_stage_kind_to_string (stage),
                                overall (stage, 1.0), seconds, message, &error))
    g_warning ("Job %" G_GINT64_FORMAT ": %s", run->id, error->message);
}

static const VpkPipelineObserver observer = {
  .stage_started = on_stage_started,
  .stage_finished = on_stage_finished,
};

static gboolean
apply_row (VpkServer *server, VpkJob *job, const VpkJobRow *row, GError **error)
{
  VpkPackageOptions options = server->config->package;
  g_autoptr(VpkMediaInfo) info = NULL;
  VpkKey kid, key;

  if (!vpk_key_parse (row->kid, "kid", &kid, error) ||
      !vpk_store_key_unseal (row->sealed_key, &key, error))
    return FALSE;
  vpk_job_set_keys (job, &kid, &key);
  vpk_key_clear (&key);
  vpk_scheme_from_string (row->scheme, &options.scheme);
  vpk_encrypt_tracks_from_string (row->encrypt, &options.encrypt);
  vpk_profile_from_string (row->profile, &options.profile);
  options.segment_duration_ms = row->segment_duration_ms;
  options.license_url = g_strdup_printf ("%s/license?token=%s", server->base_url,
                                         row->license_token);
  vpk_job_set_options (job, &options);
  g_free (options.license_url);
  info = vpk_media_info_from_json (row->media_json, error);
  if (info == NULL)
    return FALSE;
  vpk_job_take_media_info (job, g_steal_pointer (&info));
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_SOURCE, row->source_path);
  return TRUE;
}

/* Renames the finished package into <output>/<id>: visible only when complete. */
static gboolean
publish (VpkServer *server, VpkJob *job, gint64 id, char **out_dest, GError **error)
{
  const char *package = vpk_job_get_artifact_path (job, VPK_ARTIFACT_PACKAGE);
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *dest = g_build_filename (server->output_dir, name, NULL);
  g_autofree char *mpd = NULL;

  if (package == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "The package stage left no output folder");
    return FALSE;
  }
  mpd = g_build_filename (package, "stream.mpd", NULL);
  if (!g_file_test (mpd, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "The package has no stream.mpd");
    return FALSE;
  }
  vpk_server_remove_tree (dest);
  if (g_rename (package, dest) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot publish the package: %s", g_strerror (errsv));
    return FALSE;
  }
  g_chmod (dest, 0755);
  *out_dest = g_steal_pointer (&dest);
  return TRUE;
}

static void
record_end (VpkWorkers *w, Run *run, gboolean ok, const GError *error, const char *dest)
{
  VpkServer *server = vpk_workers_get_server (w);
  g_autoptr(GError) db_error = NULL;
  g_autofree char *url = NULL;
  gboolean saved;

  if (ok) {
    url = g_strdup_printf ("%s/content/%" G_GINT64_FORMAT "/stream.mpd", server->base_url,
                           run->id);
    saved = vpk_store_job_set_ready (run->db, run->id, dest, url, &db_error);
    g_message ("Job %" G_GINT64_FORMAT " is Ready", run->id);
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    if (vpk_workers_is_stopping (w))
      return;  /* shutting down: the job goes back to the queue */
    saved = vpk_store_job_set_state (run->db, run->id, VPK_STATUS_CANCELLED, NULL, 0.0, -1.0,
                                     "Cancelled", &db_error);
  } else {
    g_message ("Job %" G_GINT64_FORMAT " failed: %s", run->id, error->message);
    saved = vpk_store_job_set_state (run->db, run->id, VPK_STATUS_FAILED, NULL, 0.0, -1.0,
                                     error->message, &db_error);
  }
  if (!saved)
    g_warning ("Job %" G_GINT64_FORMAT ": %s", run->id, db_error->message);
}

void
vpk_worker_run_job (VpkWorkers *w, VpkDb *db, VpkJobRow *row)
{
  VpkServer *server = vpk_workers_get_server (w);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, row->id);
  g_autofree char *workdir = g_strdup_printf ("%s/job-%s", server->work_dir, id_text);
  g_autoptr(GCancellable) cancellable = vpk_workers_register (w, row->id);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkJob) job = NULL;
  g_autofree char *dest = NULL;
  Run run = { .db = db, .id = row->id, .status = VPK_STATUS_QUEUED };
  gboolean ok;

  vpk_server_remove_tree (workdir);  /* what an earlier attempt left */
  job = vpk_job_new (id_text, workdir, &error);
  ok = job != NULL && apply_row (server, job, row, &error);
  if (ok) {
    vpk_job_set_progress_func (job, on_progress, &run);
    ok = vpk_pipeline_run (server->pipeline, job, VPK_STAGE_FRAGMENT, &observer, &run,
                           cancellable, &error) &&
         publish (server, job, row->id, &dest, &error);
  }
  if (!ok && error == NULL)
    g_set_error (&error, VPK_ERROR, VPK_ERROR_FAILED, "The job failed without a reason");
  record_end (w, &run, ok, error, dest);
  vpk_server_remove_tree (workdir);
  vpk_workers_unregister (w, row->id);
}

void
vpk_worker_release_leases (VpkServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDb) db = vpk_db_connect (server->db_params, &error);

  if (db == NULL || !vpk_store_release_leases (db, server->owner, &error))
    g_warning ("Cannot give running jobs back to the queue: %s", error->message);
}
