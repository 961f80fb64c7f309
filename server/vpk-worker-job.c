/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One attempt at a job on a worker thread: resume after the last completed
 * stage, run the rest, publish, record.
 *
 * A job's folder <work>/job-<id> holds one folder per attempt (attempt-<n>,
 * the VpkJob's work folder, where its stages write) and state.ini, rewritten
 * atomically after each stage with what the next one needs: the media info and
 * the artifacts so far, relative to the job's folder. An attempt never writes
 * into another attempt's folder, so one that lost its lease cannot spoil the
 * files its successor resumes from. */
#include "vpk-workers-private.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#define PROGRESS_INTERVAL_US (250 * 1000)
#define RECONNECT_INTERVAL_US G_TIME_SPAN_SECOND
#define N_RUN_STAGES (VPK_STAGE_N_KINDS - VPK_STAGE_FRAGMENT)
#define STATE_FILE "state.ini"

typedef struct {
  VpkWorkers   *workers;
  VpkServer    *server;
  VpkDb       **db;              /* the worker's connection, made again when it breaks */
  gint64        db_retry_us;
  gint64        id;
  VpkLease      lease;
  char         *job_dir;         /* <work>/job-<id> */
  GKeyFile     *state;           /* what state.ini says */
  VpkJob       *job;
  gint64        last_progress_us;
  gint64        stage_start_us;
  guint         deferred;        /* bit per stage done in a chain, its event not yet written */
  const char   *deferred_by;     /* their backend (the pipeline's string) */
  const char   *status;
  char         *content_name;    /* the published folder's name, under <output> */
} Run;

static void
run_clear (Run *run)
{
  g_free (run->job_dir);
  g_free (run->content_name);
  g_clear_pointer (&run->state, g_key_file_unref);
  g_clear_pointer (&run->job, vpk_job_unref);
}

static const VpkArtifact stage_artifact[VPK_STAGE_N_KINDS] = {
  [VPK_STAGE_FRAGMENT] = VPK_ARTIFACT_FRAGMENTED,
  [VPK_STAGE_ENCRYPT] = VPK_ARTIFACT_ENCRYPTED,
  [VPK_STAGE_PACKAGE] = VPK_ARTIFACT_PACKAGE,
};

/* The status a job has once @stage (fragment or later) is done. */
static const char *
status_after (VpkStageKind stage)
{
  return stage == VPK_STAGE_FRAGMENT ? VPK_STATUS_FRAGMENTED
       : stage >= VPK_STAGE_ENCRYPT ? VPK_STATUS_ENCRYPTED : VPK_STATUS_QUEUED;
}

/* The worker's connection; NULL (no error set) while the database is down,
 * trying again at most once a second. */
static VpkDb *
run_db (Run *run)
{
  g_autoptr(GError) error = NULL;

  if (*run->db != NULL)
    return *run->db;
  if (g_get_monotonic_time () < run->db_retry_us)
    return NULL;
  run->db_retry_us = g_get_monotonic_time () + RECONNECT_INTERVAL_US;
  *run->db = vpk_db_connect (run->server->db_params, &error);
  return *run->db;
}

/* After a failed write: drops the connection if it broke. */
static void
run_db_check (Run *run, const GError *error)
{
  if (*run->db != NULL && g_error_matches (error, VPK_ERROR, VPK_ERROR_DB) &&
      !vpk_db_ping (*run->db, NULL))
    g_clear_pointer (run->db, vpk_db_free);
}

/* Records a transition now if the database answers; a lost one is only a
 * missing event (the job's state lives in its folder). */
static void
run_update (Run *run, const char *stage, double progress, double seconds, const char *message)
{
  g_autoptr(GError) error = NULL;
  VpkDb *db = run_db (run);

  if (db == NULL)
    return;
  if (vpk_store_job_update (db, run->id, &run->lease, run->status, stage, progress, seconds,
                            message, &error))
    return;
  g_warning ("Job %" G_GINT64_FORMAT ": %s", run->id, error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    vpk_workers_lose (run->workers, run->id);  /* stops this attempt */
  else
    run_db_check (run, error);
}

typedef gboolean (*RunWriteFunc) (Run *run, VpkDb *db, gconstpointer data, GError **error);

/* Runs @write until the database takes it. FALSE when the lease has passed on
 * (G_IO_ERROR_BUSY) or the service stops first (G_IO_ERROR_CANCELLED). */
static gboolean
write_until_done (Run *run, RunWriteFunc write, gconstpointer data, GError **error)
{
  for (guint waited = 0;; waited++) {
    g_autoptr(GError) local_error = NULL;
    VpkDb *db = run_db (run);

    if (db != NULL && write (run, db, data, &local_error))
      return TRUE;
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    if (vpk_workers_is_stopping (run->workers)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping");
      return FALSE;
    }
    if (local_error != NULL) {
      if (waited % 30 == 0)
        g_warning ("Job %" G_GINT64_FORMAT ": %s (trying again)", run->id, local_error->message);
      run_db_check (run, local_error);
    }
    g_usleep (G_TIME_SPAN_SECOND / 2);
  }
}

static void
on_progress (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  Run *run = data;
  gint64 now = g_get_monotonic_time ();
  double overall = ((double) (stage - VPK_STAGE_FRAGMENT) + fraction) / N_RUN_STAGES;

  if (now - run->last_progress_us < PROGRESS_INTERVAL_US || stage < VPK_STAGE_FRAGMENT ||
      *run->db == NULL)
    return;
  run->last_progress_us = now;
  vpk_store_job_set_progress (*run->db, run->id, &run->lease, overall, NULL);
}

static void
on_stage_started (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Run *run = data;

  run->stage_start_us = g_get_monotonic_time ();
  run_update (run, vpk_stage_kind_to_string (stage),
              (double) (stage - VPK_STAGE_FRAGMENT) / N_RUN_STAGES, -1.0, NULL);
}

/* Writes state.ini with @stage's artifacts added: paths relative to the job's
 * folder, and the size of each file. */
static gboolean
state_save (Run *run, VpkStageKind stage, GError **error)
{
  const char * const *paths = vpk_job_get_artifact (run->job, stage_artifact[stage]);
  const char *group = vpk_stage_kind_to_string (stage);
  g_autoptr(GStrvBuilder) rel = g_strv_builder_new ();
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *path = g_build_filename (run->job_dir, STATE_FILE, NULL);
  g_autofree char *prefix = g_strconcat (run->job_dir, G_DIR_SEPARATOR_S, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) list = NULL;
  gsize len;

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++) {
    GStatBuf st;
    gint64 size;

    if (!g_str_has_prefix (paths[i], prefix) || g_stat (paths[i], &st) != 0) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "The %s stage left '%s' outside its "
                   "work folder, or no such file", group, paths[i]);
      return FALSE;
    }
    size = S_ISDIR (st.st_mode) ? -1 : (gint64) st.st_size;
    g_strv_builder_add (rel, paths[i] + strlen (prefix));
    g_array_append_val (sizes, size);
  }
  list = g_strv_builder_end (rel);
  g_key_file_set_string_list (run->state, group, "paths", (const char * const *) list,
                              g_strv_length (list));
  g_key_file_set_int64 (run->state, group, "n", sizes->len);
  for (guint i = 0; i < sizes->len; i++) {
    g_autofree char *key = g_strdup_printf ("size%u", i);

    g_key_file_set_int64 (run->state, group, key, g_array_index (sizes, gint64, i));
  }
  text = g_key_file_to_data (run->state, &len, NULL);
  return g_file_set_contents_full (path, text, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
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
  if (stage < VPK_STAGE_FRAGMENT)
    return;
  run->status = status_after (stage);
  /* A stage run in a chain with later ones (one pass) leaves no artifact:
   * there is nothing to resume from, so its event waits for the stage that
   * leaves one, and no event claims work that a successor would do again. */
  if (vpk_job_get_artifact (job, stage_artifact[stage]) == NULL) {
    run->deferred |= 1u << stage;
    run->deferred_by = backend;
    return;
  }
  /* First the folder, then the event: the event never claims more than a
   * successor can resume from. */
  if (!state_save (run, stage, &error))
    g_warning ("Job %" G_GINT64_FORMAT ": cannot save its state (the stage will run again "
               "if the job resumes): %s", run->id, error->message);
  for (VpkStageKind s = VPK_STAGE_FRAGMENT; s < stage; s++) {
    g_autofree char *done = NULL;

    if (!(run->deferred & (1u << s)))
      continue;
    done = g_strdup_printf ("%s done by %s", vpk_stage_kind_to_string (s), run->deferred_by);
    run->status = status_after (s);
    run_update (run, vpk_stage_kind_to_string (s),
                (double) (s + 1 - VPK_STAGE_FRAGMENT) / N_RUN_STAGES, -1.0, done);
  }
  run->deferred = 0;
  run->status = status_after (stage);
  run_update (run, vpk_stage_kind_to_string (stage),
              (double) (stage + 1 - VPK_STAGE_FRAGMENT) / N_RUN_STAGES, seconds, message);
}

static const VpkPipelineObserver observer = {
  .stage_started = on_stage_started,
  .stage_finished = on_stage_finished,
};

/* Checks @stage's artifacts in state.ini and gives them to the job. */
static gboolean
resume_stage (Run *run, VpkStageKind stage)
{
  const char *group = vpk_stage_kind_to_string (stage);
  g_auto(GStrv) rel = g_key_file_get_string_list (run->state, group, "paths", NULL, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (rel == NULL || rel[0] == NULL ||
      g_key_file_get_int64 (run->state, group, "n", NULL) != g_strv_length (rel))
    return FALSE;
  for (guint i = 0; rel[i] != NULL; i++) {
    g_autofree char *key = g_strdup_printf ("size%u", i);
    gint64 size = g_key_file_get_int64 (run->state, group, key, NULL);
    char *path = g_build_filename (run->job_dir, rel[i], NULL);
    GStatBuf st;

    g_ptr_array_add (paths, path);
    if (strstr (rel[i], "..") != NULL || g_stat (path, &st) != 0 ||
        (size < 0) != S_ISDIR (st.st_mode) || (size >= 0 && size != (gint64) st.st_size))
      return FALSE;
  }
  g_ptr_array_add (paths, NULL);
  vpk_job_set_artifact (run->job, stage_artifact[stage], (const char * const *) paths->pdata);
  return TRUE;
}

/* The first stage to run: the one after the last stage whose artifacts are
 * intact (earlier ones may have none: stages run in one pass leave none).
 * What comes after a missing one is forgotten. */
static VpkStageKind
resume_point (Run *run)
{
  g_autofree char *media = g_key_file_get_string (run->state, "job", "media", NULL);
  g_autoptr(VpkMediaInfo) info = media != NULL ? vpk_media_info_from_json (media, NULL) : NULL;
  VpkStageKind stage = VPK_STAGE_FRAGMENT;

  if (info != NULL) {
    vpk_job_take_media_info (run->job, g_steal_pointer (&info));
    for (VpkStageKind s = VPK_STAGE_N_KINDS; s-- > VPK_STAGE_FRAGMENT;) {
      if (resume_stage (run, s)) {
        stage = s + 1;
        break;
      }
    }
    /* Earlier artifacts still intact go to the job too: native's package
     * stage verifies against the fragmented files when they are there. */
    for (VpkStageKind s = VPK_STAGE_FRAGMENT; s + 1 < stage; s++)
      resume_stage (run, s);
  }
  for (VpkStageKind s = stage; s < VPK_STAGE_N_KINDS; s++)
    g_key_file_remove_group (run->state, vpk_stage_kind_to_string (s), NULL);
  if (stage == VPK_STAGE_FRAGMENT) {
    g_autofree char *json = vpk_media_info_to_json (vpk_job_get_media_info (run->job), FALSE);

    g_key_file_set_string (run->state, "job", "media", json);
  }
  return stage;
}

/* The first two levels ("attempt-…", "attempt-…/<stage folder>") of every
 * path state.ini lists. */
static GHashTable *
referenced (Run *run)
{
  GHashTable *kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) groups = g_key_file_get_groups (run->state, NULL);

  for (guint g = 0; groups[g] != NULL; g++) {
    g_auto(GStrv) rel = g_key_file_get_string_list (run->state, groups[g], "paths", NULL, NULL);

    for (guint i = 0; rel != NULL && rel[i] != NULL; i++) {
      g_auto(GStrv) parts = g_strsplit (rel[i], G_DIR_SEPARATOR_S, 3);

      g_hash_table_add (kept, g_strdup (parts[0]));
      if (parts[1] != NULL)
        g_hash_table_add (kept, g_build_filename (parts[0], parts[1], NULL));
    }
  }
  return kept;
}

/* Removes what no later attempt needs: other attempts' folders and stage
 * folders that state.ini does not point into (partial stages). */
static void
prune (Run *run, const char *keep_attempt)
{
  g_autoptr(GHashTable) kept = referenced (run);
  g_autoptr(GDir) dir = g_dir_open (run->job_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (run->job_dir, name, NULL);
    g_autoptr(GDir) sub = NULL;
    const char *child;

    if (strcmp (name, STATE_FILE) == 0 || g_strcmp0 (name, keep_attempt) == 0)
      continue;
    if (!g_hash_table_contains (kept, name)) {
      vpk_server_remove_tree (path);
      continue;
    }
    sub = g_dir_open (path, 0, NULL);
    while (sub != NULL && (child = g_dir_read_name (sub)) != NULL) {
      g_autofree char *rel = g_build_filename (name, child, NULL);
      g_autofree char *child_path = g_build_filename (path, child, NULL);

      if (!g_hash_table_contains (kept, rel))
        vpk_server_remove_tree (child_path);
    }
  }
}

/* "<id>-<32 hex>": /content is public, so a package must not be found by counting
 * ids — its MPD carries the license token. The suffix is a one-way function of
 * that secret token: the same on every attempt (resume finds a package already
 * published), and it reveals nothing of the token. */
static char *
content_name (gint64      id,
              const char *license_token)
{
  g_autofree char *input = g_strdup_printf ("vpack-content-path:%s", license_token);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  return g_strdup_printf ("%" G_GINT64_FORMAT "-%.32s", id, digest);
}

static gboolean
apply_row (VpkServer *server, VpkJob *job, const VpkJobRow *row, GError **error)
{
  VpkPackageOptions options = server->config->package;
  g_autoptr(VpkMediaInfo) info = NULL;
  VpkKey kid, key;

  if (!vpk_key_parse (row->kid, "kid", &kid, error) ||
      !vpk_store_key_unseal (row->sealed_key, row->license_token, &key, error))
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

static gboolean
is_package (const char *dir)
{
  g_autofree char *mpd = g_build_filename (dir, "stream.mpd", NULL);

  return g_file_test (mpd, G_FILE_TEST_IS_REGULAR);
}

static char *
published_path (Run *run)
{
  return g_build_filename (run->server->output_dir, run->content_name, NULL);
}

static gboolean
is_published (Run *run)
{
  g_autofree char *dest = published_path (run);

  return is_package (dest);
}

/* Builds the job for this attempt; *out_first is the stage to start from. */
static gboolean
run_prepare (Run *run, const VpkJobRow *row, VpkStageKind *out_first, GError **error)
{
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, run->id);
  /* Unique: a job given back at shutdown is claimed again with the same number. */
  g_autofree char *attempt = g_strdup_printf ("attempt-%u-%08x", run->lease.attempt,
                                              g_random_int ());
  g_autofree char *attempt_dir = g_build_filename (run->job_dir, attempt, NULL);
  g_autofree char *state_path = g_build_filename (run->job_dir, STATE_FILE, NULL);

  run->state = g_key_file_new ();
  if (!g_key_file_load_from_file (run->state, state_path, G_KEY_FILE_NONE, NULL) ||
      g_key_file_get_int64 (run->state, "job", "id", NULL) != run->id) {
    g_clear_pointer (&run->state, g_key_file_unref);
    run->state = g_key_file_new ();
    g_key_file_set_int64 (run->state, "job", "id", run->id);
  }
  run->job = vpk_job_new (id_text, attempt_dir, error);
  g_free (run->content_name);
  run->content_name = content_name (run->id, row->license_token);
  if (run->job == NULL || !apply_row (run->server, run->job, row, error))
    return FALSE;
  *out_first = resume_point (run);
  prune (run, attempt);
  if (is_published (run))
    *out_first = VPK_STAGE_N_KINDS;  /* published, then stopped before Ready */
  return TRUE;
}


static gboolean
write_package_done (Run *run, VpkDb *db, gconstpointer data, GError **error)
{
  return vpk_store_job_holds (db, run->id, &run->lease, error);
}

/* Renames the finished package into <output>/<id>: visible only when complete.
 * rename() does not replace a folder that has files, so a package an earlier
 * attempt published (before it could record Ready) stays, and counts. */
static gboolean
publish (Run *run, char **out_dest, GError **error)
{
  const char *package = vpk_job_get_artifact_path (run->job, VPK_ARTIFACT_PACKAGE);
  g_autofree char *dest = published_path (run);
  int errsv;

  if (!is_package (dest)) {
    if (package == NULL || !is_package (package)) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "The package stage left no stream.mpd");
      return FALSE;
    }
    /* Only while this attempt still holds the job. */
    if (!write_until_done (run, write_package_done, NULL, error))
      return FALSE;
    if (g_rename (package, dest) != 0 && !is_package (dest)) {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot publish the package as '%s': %s", dest, g_strerror (errsv));
      return FALSE;
    }
    g_chmod (dest, 0755);
  }
  *out_dest = g_steal_pointer (&dest);
  return TRUE;
}

typedef struct {
  const char   *dest;
  const GError *error;
  const char   *status;
} EndRecord;

static gboolean
write_end (Run *run, VpkDb *db, gconstpointer data, GError **error)
{
  const EndRecord *end = data;
  g_autofree char *url = NULL;
  g_autofree char *message = NULL;

  if (end->dest != NULL) {
    url = g_strdup_printf ("%s/content/%s/stream.mpd", run->server->base_url, run->content_name);
    return vpk_store_job_set_ready (db, run->id, &run->lease, end->dest, url, error);
  }
  if (strcmp (end->status, VPK_STATUS_CANCELLED) == 0)
    return vpk_store_job_update (db, run->id, &run->lease, end->status, NULL, 0.0, -1.0,
                                 "Cancelled", error);
  if (strcmp (end->status, VPK_STATUS_FAILED) != 0)
    return vpk_store_job_retry (db, run->id, &run->lease,
                                MIN (60u, 2u << MIN (run->lease.attempt - 1, 5u)),
                                end->error->message, error);
  message = run->lease.attempt > 1
            ? g_strdup_printf ("Gave up after %u attempts: %s", run->lease.attempt,
                               end->error->message)
            : g_strdup (end->error->message);
  return vpk_store_job_update (db, run->id, &run->lease, end->status, NULL, 0.0, -1.0, message,
                               error);
}

/* A failure that another attempt cannot mend: the input, the request, or a
 * sealed key that does not open (tampered with, or another master key). */
static gboolean
is_permanent (const GError *error)
{
  static const int codes[] = {
    VPK_ERROR_INVALID_ARGUMENT, VPK_ERROR_NOT_FOUND, VPK_ERROR_NOT_SUPPORTED,
    VPK_ERROR_INVALID_DATA, VPK_ERROR_CONFIG, VPK_ERROR_PLUGIN, VPK_ERROR_VERIFY,
    VPK_ERROR_CRYPTO,
  };

  for (guint i = 0; error->domain == VPK_ERROR && i < G_N_ELEMENTS (codes); i++)
    if (error->code == codes[i])
      return TRUE;
  return FALSE;
}

/* Records the end of the attempt and tidies the job's folder. */
static void
run_end (Run *run, const char *dest, const GError *error, guint max_attempts)
{
  EndRecord end = { .dest = dest, .error = error, .status = VPK_STATUS_FAILED };
  g_autoptr(GError) db_error = NULL;
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gboolean retry;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY) ||
      (cancelled && vpk_workers_is_lost (run->workers, run->id))) {
    g_message ("Job %" G_GINT64_FORMAT ": attempt %u lost its lease and stops", run->id,
               run->lease.attempt);
    return;
  }
  if (cancelled && vpk_workers_is_stopping (run->workers))
    return;  /* shutting down: the job goes back to the queue, and resumes */
  if (cancelled)
    end.status = VPK_STATUS_CANCELLED;
  else if (dest == NULL && !is_permanent (error) && run->lease.attempt < max_attempts)
    end.status = VPK_STATUS_QUEUED;  /* another attempt, after a delay */
  retry = strcmp (end.status, VPK_STATUS_QUEUED) == 0;
  vpk_workers_ending (run->workers, run->id);
  if (!write_until_done (run, write_end, &end, &db_error)) {
    g_message ("Job %" G_GINT64_FORMAT ": %s", run->id, db_error->message);
    return;  /* the job's folder stays for the attempt that holds it now */
  }
  if (dest != NULL)
    g_message ("Job %" G_GINT64_FORMAT " is Ready", run->id);
  else
    g_message ("Job %" G_GINT64_FORMAT " attempt %u %s: %s", run->id, run->lease.attempt,
               retry ? "failed, to be retried" : "ended", error->message);
  if (retry)
    prune (run, NULL);  /* frees the partial stage now, not at the next attempt */
  else
    vpk_server_remove_tree (run->job_dir);
}

void
vpk_worker_run_job (VpkWorkers *w, VpkDb **db, VpkJobRow *row)
{
  VpkServer *server = vpk_workers_get_server (w);
  g_autoptr(GCancellable) cancellable = vpk_workers_register (w, row->id, row->attempts);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *job_name = g_strdup_printf ("job-%" G_GINT64_FORMAT, row->id);
  Run run = { .workers = w, .server = server, .db = db, .id = row->id,
              .lease = { server->owner, row->attempts } };
  VpkStageKind first = VPK_STAGE_FRAGMENT;
  gboolean ok;

  run.job_dir = g_build_filename (server->work_dir, job_name, NULL);
  ok = run_prepare (&run, row, &first, &error);
  if (ok && first > VPK_STAGE_FRAGMENT) {
    g_autofree char *note = g_strdup_printf ("Attempt %u resumes after %s", row->attempts,
                                             vpk_stage_kind_to_string (first - 1));

    run.status = status_after (first - 1);
    run_update (&run, vpk_stage_kind_to_string (first - 1),
                (double) (first - VPK_STAGE_FRAGMENT) / N_RUN_STAGES, -1.0, note);
  } else {
    run.status = VPK_STATUS_QUEUED;
  }
  if (ok && first < VPK_STAGE_N_KINDS) {
    vpk_job_set_progress_func (run.job, on_progress, &run);
    ok = vpk_pipeline_run (server->pipeline, run.job, first, &observer, &run, cancellable,
                           &error);
  }
  ok = ok && publish (&run, &dest, &error);
  if (!ok && error == NULL)
    g_set_error (&error, VPK_ERROR, VPK_ERROR_FAILED, "The job failed without a reason");
  run_end (&run, ok ? dest : NULL, error, server->config->max_attempts);
  vpk_workers_unregister (w, row->id);
  run_clear (&run);
}

void
vpk_worker_release_leases (VpkServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDb) db = vpk_db_connect (server->db_params, &error);

  if (db == NULL || !vpk_store_release_leases (db, server->owner, &error))
    g_warning ("Cannot give running jobs back to the queue: %s", error->message);
}
