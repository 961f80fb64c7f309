/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Worker threads: each claims a job from the database (with a lease) and runs
 * one attempt at it (vpk-worker-job.c). One more thread keeps the leases of
 * this process's running jobs, notices cancel requests made through any
 * process, and stops an attempt whose lease passed to another worker.
 *
 * Any number of processes may share one database and one storage path: the
 * claim (SELECT … FOR UPDATE SKIP LOCKED) hands each job to one attempt, and the
 * lease with the attempt number fences every write of that attempt. */
#include "vpk-server-private.h"
#include "vpk-workers-private.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define TICK_US (G_TIME_SPAN_SECOND / 2)
#define SWEEP_INTERVAL_US (60 * G_TIME_SPAN_SECOND)

typedef struct {
  GCancellable *cancellable;
  guint         attempt;
  gboolean      lost;
  gboolean      ending;
} Running;

struct _VpkWorkers {
  VpkServer  *server;
  GMutex      lock;
  GCond       cond;
  gboolean    stopping;
  guint       wakeups;
  GPtrArray  *threads;
  GThread    *lease_thread;
  GHashTable *running;  /* gint64 id -> Running */
};

static void
running_free (Running *r)
{
  g_object_unref (r->cancellable);
  g_free (r);
}

static VpkDb *
connect_retrying (VpkWorkers *w)
{
  while (TRUE) {
    g_autoptr(GError) error = NULL;
    VpkDb *db = vpk_db_connect (w->server->db_params, &error);

    if (db != NULL)
      return db;
    g_warning ("Worker: %s", error->message);
    g_mutex_lock (&w->lock);
    if (!w->stopping)
      g_cond_wait_until (&w->cond, &w->lock, g_get_monotonic_time () + G_TIME_SPAN_SECOND);
    if (w->stopping) {
      g_mutex_unlock (&w->lock);
      return NULL;
    }
    g_mutex_unlock (&w->lock);
  }
}

/* Waits for a wake-up or @timeout_us; FALSE when stopping. */
static gboolean
wait_for_work (VpkWorkers *w, gint64 timeout_us)
{
  gboolean go;

  g_mutex_lock (&w->lock);
  if (w->wakeups == 0 && !w->stopping)
    g_cond_wait_until (&w->cond, &w->lock, g_get_monotonic_time () + timeout_us);
  if (w->wakeups > 0)
    w->wakeups--;
  go = !w->stopping;
  g_mutex_unlock (&w->lock);
  return go;
}

static gpointer
worker_main (gpointer data)
{
  VpkWorkers *w = data;
  VpkConfig *config = w->server->config;
  VpkDb *db = connect_retrying (w);

  while (db != NULL && !g_atomic_int_get (&w->stopping)) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkJobRow) row = vpk_store_job_claim (db, w->server->owner, config->lease_seconds,
                                                    config->max_attempts, &error);

    if (row != NULL) {
      vpk_worker_run_job (w, &db, row);
      if (db == NULL)
        db = connect_retrying (w);  /* it broke during the job */
      continue;
    }
    if (error != NULL) {
      g_warning ("Worker: %s", error->message);
      if (!vpk_db_ping (db, NULL)) {
        g_clear_pointer (&db, vpk_db_free);
        db = connect_retrying (w);
      }
    }
    if (!wait_for_work (w, G_TIME_SPAN_SECOND))
      break;
  }
  g_clear_pointer (&db, vpk_db_free);
  return NULL;
}

typedef struct {
  gint64 id;
  guint  attempt;
} Held;

/* The attempts this process runs, as they are now. */
static GArray *
snapshot_running (VpkWorkers *w)
{
  GArray *held = g_array_new (FALSE, FALSE, sizeof (Held));
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&w->lock);
  g_hash_table_iter_init (&iter, w->running);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    Held h = { *(gint64 *) key, ((Running *) value)->attempt };

    g_array_append_val (held, h);
  }
  g_mutex_unlock (&w->lock);
  return held;
}

/* Cancel requests (made through any process) and, when @renew, the leases.
 * FALSE when the connection failed. */
static gboolean
keep_leases (VpkWorkers *w, VpkDb *db, gboolean renew)
{
  g_autoptr(GArray) held = snapshot_running (w);

  for (guint i = 0; i < held->len; i++) {
    Held *h = &g_array_index (held, Held, i);
    VpkLease lease = { w->server->owner, h->attempt };
    g_autoptr(GError) error = NULL;

    if (vpk_store_job_is_cancel_requested (db, h->id))
      vpk_workers_cancel (w, h->id);
    if (!renew || vpk_store_job_renew (db, h->id, &lease, w->server->config->lease_seconds,
                                       &error))
      continue;
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY)) {
      g_warning ("Leases: %s", error->message);
      return FALSE;
    }
    if (vpk_workers_lose (w, h->id))
      g_warning ("%s: stopping attempt %u", error->message, h->attempt);
  }
  return TRUE;
}

/* Removes the folders of jobs that ended (or were deleted) in <work>; what a
 * crash, or an attempt that lost its lease, left behind. */
static void
sweep_work_dir (VpkWorkers *w, VpkDb *db)
{
  g_autoptr(GDir) dir = g_dir_open (w->server->work_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkJobRow) row = NULL;
    g_autofree char *path = NULL;
    guint64 id;

    if (!g_str_has_prefix (name, "job-") ||
        !g_ascii_string_to_unsigned (name + 4, 10, 1, G_MAXINT64, &id, NULL))
      continue;
    row = vpk_store_job_get (db, (gint64) id, &error);
    if (row == NULL && !g_error_matches (error, VPK_ERROR, VPK_ERROR_NOT_FOUND))
      return;  /* the database is away: another time */
    if (row != NULL && !vpk_status_is_final (row->status))
      continue;
    path = g_build_filename (w->server->work_dir, name, NULL);
    g_debug ("Removing '%s': the job ended", path);
    vpk_server_remove_tree (path);
  }
}

/* Sleeps until the next tick; FALSE when stopping. */
static gboolean
wait_tick (VpkWorkers *w)
{
  gint64 until = g_get_monotonic_time () + TICK_US;
  gboolean go;

  g_mutex_lock (&w->lock);
  while (!w->stopping && g_cond_wait_until (&w->cond, &w->lock, until))
    ;
  go = !w->stopping;
  g_mutex_unlock (&w->lock);
  return go;
}

/* Renews leases at a third of their length, and sees cancel requests at once. */
static gpointer
lease_main (gpointer data)
{
  VpkWorkers *w = data;
  VpkDb *db = connect_retrying (w);
  gint64 period = MAX (1, w->server->config->lease_seconds / 3) * G_TIME_SPAN_SECOND;
  gint64 next_renew = 0;
  gint64 next_sweep = g_get_monotonic_time () + SWEEP_INTERVAL_US;

  while (db != NULL && wait_tick (w)) {
    gint64 now = g_get_monotonic_time ();
    gboolean renew = now >= next_renew;

    if (!keep_leases (w, db, renew)) {
      g_clear_pointer (&db, vpk_db_free);  /* again at the next tick */
      db = connect_retrying (w);
      continue;
    }
    if (renew)
      next_renew = now + period;
    if (now >= next_sweep) {
      sweep_work_dir (w, db);
      next_sweep = now + SWEEP_INTERVAL_US;
    }
  }
  g_clear_pointer (&db, vpk_db_free);
  return NULL;
}

static gboolean
process_is_alive (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *paren;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  if (!g_file_get_contents (stat_path, &text, NULL, NULL))
    return TRUE;
  paren = strrchr (text, ')');  /* "pid (comm) S ...": a zombie (Z) has stopped too */
  return paren == NULL || paren[1] == '\0' || (paren[2] != 'Z' && paren[2] != 'X');
}

/* Owners are "host:pid:random". Another owner of this host whose process is
 * gone, or has our pid (a restart in a container), has stopped. */
static gboolean
owner_is_dead (const char *owner, gpointer data)
{
  VpkWorkers *w = data;
  const char *host = g_get_host_name ();
  gsize n = strlen (host);
  char *end = NULL;
  gint64 pid;

  if (strcmp (owner, w->server->owner) == 0 || strncmp (owner, host, n) != 0 || owner[n] != ':')
    return FALSE;
  pid = g_ascii_strtoll (owner + n + 1, &end, 10);
  if (end == owner + n + 1 || (*end != '\0' && *end != ':') || pid <= 0 || pid > G_MAXINT)
    return FALSE;
  return pid == getpid () || !process_is_alive ((pid_t) pid);
}

/* At start: takes back at once what dead processes of this host held, instead
 * of waiting for their leases to expire, and tidies the work folder. */
static void
recover (VpkWorkers *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDb) db = vpk_db_connect (w->server->db_params, &error);
  g_autofree char *prefix = g_strdup_printf ("%s:", g_get_host_name ());
  guint released = 0;

  if (db == NULL ||
      !vpk_store_release_dead_leases (db, prefix, owner_is_dead, w, &released, &error)) {
    g_warning ("Cannot take back the jobs of stopped processes: %s", error->message);
    return;
  }
  if (released > 0)
    g_message ("Took back %u job(s) from stopped processes of this host", released);
  sweep_work_dir (w, db);
}

VpkWorkers *
vpk_workers_new (VpkServer *server, guint n_threads, GError **error)
{
  VpkWorkers *w;

  if (server->config->role == VPK_ROLE_API)
    n_threads = 0;
  else if (server->config->role == VPK_ROLE_WORKER && n_threads == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "[server] role = worker needs [server] workers of 1 or more");
    return NULL;
  }
  w = g_new0 (VpkWorkers, 1);
  w->server = server;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->threads = g_ptr_array_new ();
  w->running = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) running_free);
  if (n_threads > 0)
    recover (w);
  for (guint i = 0; i < n_threads; i++) {
    g_autofree char *name = g_strdup_printf ("vpk-worker-%u", i);

    g_ptr_array_add (w->threads, g_thread_new (name, worker_main, w));
  }
  if (n_threads > 0)
    w->lease_thread = g_thread_new ("vpk-leases", lease_main, w);
  g_message ("Role %s: %u worker(s), lease owner '%s'", vpk_role_to_string (server->config->role),
             n_threads, server->owner);
  return w;
}

void
vpk_workers_wake (VpkWorkers *w)
{
  g_mutex_lock (&w->lock);
  w->wakeups = MIN (w->wakeups + 1, w->threads->len);
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

void
vpk_workers_cancel (VpkWorkers *w, gint64 id)
{
  Running *r;

  g_mutex_lock (&w->lock);
  r = g_hash_table_lookup (w->running, &id);
  if (r != NULL)
    g_cancellable_cancel (r->cancellable);
  g_mutex_unlock (&w->lock);
}

gboolean
vpk_workers_lose (VpkWorkers *w, gint64 id)
{
  Running *r;
  gboolean stopped = FALSE;

  g_mutex_lock (&w->lock);
  r = g_hash_table_lookup (w->running, &id);
  if (r != NULL && !r->ending) {
    r->lost = TRUE;
    g_cancellable_cancel (r->cancellable);
    stopped = TRUE;
  }
  g_mutex_unlock (&w->lock);
  return stopped;
}

void
vpk_workers_ending (VpkWorkers *w, gint64 id)
{
  Running *r;

  g_mutex_lock (&w->lock);
  r = g_hash_table_lookup (w->running, &id);
  if (r != NULL)
    r->ending = TRUE;
  g_mutex_unlock (&w->lock);
}

gboolean
vpk_workers_is_lost (VpkWorkers *w, gint64 id)
{
  Running *r;
  gboolean lost;

  g_mutex_lock (&w->lock);
  r = g_hash_table_lookup (w->running, &id);
  lost = r != NULL && r->lost;
  g_mutex_unlock (&w->lock);
  return lost;
}

GCancellable *
vpk_workers_register (VpkWorkers *w, gint64 id, guint attempt)
{
  Running *r = g_new0 (Running, 1);

  r->cancellable = g_cancellable_new ();
  r->attempt = attempt;
  g_mutex_lock (&w->lock);
  g_hash_table_insert (w->running, g_memdup2 (&id, sizeof id), r);
  g_mutex_unlock (&w->lock);
  return g_object_ref (r->cancellable);
}

void
vpk_workers_unregister (VpkWorkers *w, gint64 id)
{
  g_mutex_lock (&w->lock);
  g_hash_table_remove (w->running, &id);
  g_mutex_unlock (&w->lock);
}

gboolean
vpk_workers_is_stopping (VpkWorkers *w)
{
  return g_atomic_int_get (&w->stopping);
}

VpkServer *
vpk_workers_get_server (VpkWorkers *w)
{
  return w->server;
}

void
vpk_workers_free (VpkWorkers *w)
{
  GHashTableIter iter;
  gpointer value;

  if (w == NULL)
    return;
  g_mutex_lock (&w->lock);
  g_atomic_int_set (&w->stopping, TRUE);
  g_hash_table_iter_init (&iter, w->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (((Running *) value)->cancellable);  /* back to the queue */
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  for (guint i = 0; i < w->threads->len; i++)
    g_thread_join (w->threads->pdata[i]);
  if (w->lease_thread != NULL)
    g_thread_join (w->lease_thread);
  if (w->threads->len > 0)
    vpk_worker_release_leases (w->server);
  g_ptr_array_unref (w->threads);
  g_hash_table_unref (w->running);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}
