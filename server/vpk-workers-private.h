/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk-server-private.h"

G_BEGIN_DECLS

/* (transfer full): the job's cancellable, until vpk_workers_unregister(). */
GCancellable *vpk_workers_register      (VpkWorkers *workers, gint64 id);
void          vpk_workers_unregister    (VpkWorkers *workers, gint64 id);
gboolean      vpk_workers_is_stopping   (VpkWorkers *workers);
VpkServer    *vpk_workers_get_server    (VpkWorkers *workers);

/* Runs one claimed job to its end (vpk-worker-job.c). */
void          vpk_worker_run_job        (VpkWorkers *workers, VpkDb *db, VpkJobRow *row);
/* Gives this process's jobs back to the queue, on a connection of its own. */
void          vpk_worker_release_leases (VpkServer *server);

G_END_DECLS
