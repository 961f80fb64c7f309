/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "vpk-server.h"
#include "vpk-pipeline.h"
#include "vpk-registry.h"
#include "vpk-db.h"
#include "vpk-http.h"
#include "vpk-store.h"

G_BEGIN_DECLS

typedef struct _VpkWorkers VpkWorkers;
typedef struct _VpkMariadb VpkMariadb;

struct _VpkServer {
  VpkConfig   *config;
  VpkRegistry *registry;
  VpkPipeline *pipeline;
  VpkMariadb  *mariadb;      /* NULL with an external database */
  VpkDbParams *db_params;
  VpkWorkers  *workers;
  SoupServer  *soup;
  char        *inputs_dir;   /* <state>/inputs: stored uploads */
  char        *work_dir;     /* <state>/work: one private folder per job */
  char        *output_dir;   /* <state>/output: published packages, served at /content */
  char        *base_url;
  char        *owner;        /* lease owner: host:pid:random */
  guint        lease_source;
};

/* One route: @arg is the {id} or the rest of the path ("*"), still URL-encoded. */
typedef void (*VpkRouteFunc) (VpkServer         *server,
                              SoupServerMessage *msg,
                              const char        *arg,
                              GHashTable        *query);

/* What work done on a thread answers. */
typedef struct {
  guint        status;
  JsonNode    *json;
  char        *content_type;  /* with @body */
  GBytes      *body;
  GPtrArray   *headers;       /* name, value, name, value, ... */
} VpkReply;

void vpk_reply_json    (VpkReply *reply, guint status, JsonBuilder *builder);
void vpk_reply_body    (VpkReply *reply, guint status, const char *content_type, GBytes *body);
void vpk_reply_header  (VpkReply *reply, const char *name, const char *value);

/* Runs on a pool thread with that thread's connection (@db is NULL when
 * @need_db is FALSE); fills @reply or sets @error. */
typedef gboolean (*VpkDeferFunc) (VpkServer  *server,
                                  VpkDb      *db,
                                  gpointer    data,
                                  VpkReply   *reply,
                                  GError    **error);

/* Pauses @msg, runs @func on a thread, replies and unpauses on the main context. */
void vpk_server_defer (VpkServer         *server,
                       SoupServerMessage *msg,
                       gboolean           need_db,
                       VpkDeferFunc       func,
                       gpointer           data,
                       GDestroyNotify     destroy);

/* Parses a positive id; replies 404 and returns FALSE otherwise. */
gboolean vpk_server_parse_id (SoupServerMessage *msg, const char *arg, gint64 *out_id);
/* ?offset=&limit= with bounds; replies 422 and returns FALSE when bad. */
gboolean vpk_server_parse_page (SoupServerMessage *msg, GHashTable *query,
                                gint64 *out_offset, gint64 *out_limit);

/* Request bodies (vpk-upload.c): small bodies are collected (bounded),
 * uploads streamed to a file. */
void         vpk_upload_connect    (VpkServer *server);
/* The collected body of a non-upload request; NULL data with size 0 if none. */
const char  *vpk_upload_get_body   (SoupServerMessage *msg, gsize *out_size);
/* Ingests a finished upload on a thread; @legacy_html replies as POST /success. */
void         vpk_upload_finish     (VpkServer *server, SoupServerMessage *msg,
                                    gboolean legacy_html);

/* Routes, one file per area. */
void vpk_route_input_create  (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_input_get     (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_input_list    (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_create    (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_get       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_list      (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_cancel    (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_delete    (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_job_events    (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_content       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_license       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_healthz       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_metrics       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_openapi       (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_web_index     (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_web_asset     (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_legacy_form   (VpkServer *, SoupServerMessage *, const char *, GHashTable *);
void vpk_route_legacy_success (VpkServer *, SoupServerMessage *, const char *, GHashTable *);

/* Workers (vpk-workers.c). */
VpkWorkers *vpk_workers_new    (VpkServer *server, guint n_threads, GError **error);
void        vpk_workers_wake   (VpkWorkers *workers);
/* Cancels @id if a worker of this process runs it. */
void        vpk_workers_cancel (VpkWorkers *workers, gint64 id);
void        vpk_workers_free   (VpkWorkers *workers);

/* The private mariadbd (vpk-mariadb.c). */
VpkMariadb  *vpk_mariadb_start      (const char *state_dir, GError **error);
VpkDbParams *vpk_mariadb_get_params (VpkMariadb *mariadb);
void         vpk_mariadb_stop       (VpkMariadb *mariadb);

/* Prometheus counters (vpk-metrics.c); thread-safe. */
void  vpk_metrics_count_request (const char *route, guint status);
void  vpk_metrics_add_bytes_in  (guint64 n);
void  vpk_metrics_add_bytes_out (guint64 n);
void  vpk_metrics_observe_stage (const char *stage, double seconds);
char *vpk_metrics_render        (GHashTable *job_counts);

/* Removes a folder tree (no symlinks followed); TRUE if it is gone. */
gboolean vpk_server_remove_tree (const char *path);

G_END_DECLS
