/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Worker threads: each claims a job from the database (with a lease), runs the
 * pipeline from `fragment` on in the job's private folder, persists each stage
 * transition and the progress, and publishes the package by rename. */
#include "vpk-server-private.h"
#include "vpk-workers-private.h"

#include <string.h>

struct _VpkWorkers {
  VpkServer  *server;
  GMutex      lock;
  GCond       cond;
  gboolean    stopping;
  guint       wakeups;
  GPtrArray  *threads;
  GThread    *lease_thread;
  GHashTable *running;  /* gint64 id -> GCancellable */
};

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
  VpkServer *server = w->server;
  g_autoptr(VpkDb) db = connect_retrying (w);

  while (db != NULL && !g_atomic_int_get (&w->stopping)) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkJobRow) row = vpk_store_job_claim (db, server->owner,
                                                    server->config->lease_seconds,
                                                    server->config->max_attempts, &error);

    if (row != NULL) {
      vpk_worker_run_job (w, db, row);
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
  return NULL;
}

static void
check_cancels (VpkWorkers *w, VpkDb *db)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&w->lock);
  g_hash_table_iter_init (&iter, w->running);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *) key);
  g_mutex_unlock (&w->lock);
  /* Another process may have asked (POST …/cancel is answered by any of them). */
  for (guint i = 0; i < ids->len; i++)
    if (vpk_store_job_is_cancel_requested (db, g_array_index (ids, gint64, i)))
      vpk_workers_cancel (w, g_array_index (ids, gint64, i));
}

/* Renews this process's leases at a third of their length. */
static gpointer
lease_main (gpointer data)
{
  VpkWorkers *w = data;
  g_autoptr(VpkDb) db = connect_retrying (w);
  gint64 period = MAX (1, w->server->config->lease_seconds / 3) * G_TIME_SPAN_SECOND;
  gint64 next = g_get_monotonic_time () + period;

  while (db != NULL) {
    g_autoptr(GError) error = NULL;

    g_mutex_lock (&w->lock);
    while (!w->stopping && g_cond_wait_until (&w->cond, &w->lock, MIN (next,
           g_get_monotonic_time () + G_TIME_SPAN_SECOND / 2)))
      ;
    if (w->stopping) {
      g_mutex_unlock (&w->lock);
      break;
    }
    g_mutex_unlock (&w->lock);
    check_cancels (w, db);
    if (g_get_monotonic_time () < next)
      continue;
    next = g_get_monotonic_time () + period;
    if (!vpk_store_renew_leases (db, w->server->owner, w->server->config->lease_seconds, &error))
      g_warning ("Leases: %s", error->message);
  }
  return NULL;
}

VpkWorkers *
vpk_workers_new (VpkServer *server, guint n_threads, GError **error)
{
  VpkWorkers *w = g_new0 (VpkWorkers, 1);

  w->server = server;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->threads = g_ptr_array_new ();
  w->running = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  for (guint i = 0; i < n_threads; i++) {
    g_autofree char *name = g_strdup_printf ("vpk-worker-%u", i);

    g_ptr_array_add (w->threads, g_thread_new (name, worker_main, w));
  }
  if (n_threads > 0)
    w->lease_thread = g_thread_new ("vpk-leases", lease_main, w);
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
  GCancellable *cancellable;

  g_mutex_lock (&w->lock);
  cancellable = g_hash_table_lookup (w->running, &id);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  g_mutex_unlock (&w->lock);
}

GCancellable *
vpk_workers_register (VpkWorkers *w, gint64 id)
{
  GCancellable *cancellable = g_cancellable_new ();

  g_mutex_lock (&w->lock);
  g_hash_table_insert (w->running, g_memdup2 (&id, sizeof id), g_object_ref (cancellable));
  g_mutex_unlock (&w->lock);
  return cancellable;
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
    g_cancellable_cancel (value);  /* running jobs go back to the queue */
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  for (guint i = 0; i < w->threads->len; i++)
    g_thread_join (w->threads->pdata[i]);
  if (w->lease_thread != NULL)
    g_thread_join (w->lease_thread);
  vpk_worker_release_leases (w->server);
  g_ptr_array_unref (w->threads);
  g_hash_table_unref (w->running);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}
