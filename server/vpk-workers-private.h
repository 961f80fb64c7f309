/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk-server-private.h"

G_BEGIN_DECLS

/* (transfer full): the cancellable of attempt @attempt at job @id, until
 * vpk_workers_unregister(). */
GCancellable *vpk_workers_register      (VpkWorkers *workers, gint64 id, guint attempt);
void          vpk_workers_unregister    (VpkWorkers *workers, gint64 id);
/* The job's lease passed to another attempt: stops this one, which then
 * leaves the job alone (vpk_workers_is_lost()). FALSE when there was nothing
 * to stop (the attempt is recording its end). */
gboolean      vpk_workers_lose          (VpkWorkers *workers, gint64 id);
/* The attempt's work is done; what remains is recording it. */
void          vpk_workers_ending        (VpkWorkers *workers, gint64 id);
gboolean      vpk_workers_is_lost       (VpkWorkers *workers, gint64 id);
gboolean      vpk_workers_is_stopping   (VpkWorkers *workers);
VpkServer    *vpk_workers_get_server    (VpkWorkers *workers);

/* Runs one claimed job to the end of its attempt (vpk-worker-job.c). *@db is
 * the worker's connection: dropped (NULL) when it broke, made again when it can. */
void          vpk_worker_run_job        (VpkWorkers *workers, VpkDb **db, VpkJobRow *row);
/* Gives this process's jobs back to the queue, on a connection of its own. */
void          vpk_worker_release_leases (VpkServer *server);

G_END_DECLS
