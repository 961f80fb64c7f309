/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `vpack serve`: the REST service on the thread-default main context. */

#include "vpk.h"
#include "vpk-config.h"

G_BEGIN_DECLS

typedef struct _VpkServer VpkServer;

/* Prepares storage, starts the private MariaDB when [database] url is unset,
 * applies migrations, loads the pipeline, starts the workers and listens.
 * Takes @config. */
VpkServer  *vpk_server_new      (VpkConfig  *config,
                                 GError    **error);
/* Stops listening and the workers (running jobs go back to the queue), then the
 * private MariaDB. Blocks until they have stopped. */
void        vpk_server_free     (VpkServer *server);
/* The base URL replies and MPDs use, without a trailing '/'. */
const char *vpk_server_get_url  (VpkServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkServer, vpk_server_free)

G_END_DECLS
