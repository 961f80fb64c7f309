/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The service's records (input content, packaged content, job events) and the
 * queries on them. Every function runs on the calling thread's connection. */

#include <json-glib/json-glib.h>
#include "vpk.h"
#include "vpk-db.h"

G_BEGIN_DECLS

#define VPK_STATUS_INGESTED   "Ingested"
#define VPK_STATUS_QUEUED     "Queued"
#define VPK_STATUS_FRAGMENTED "Fragmented"
#define VPK_STATUS_ENCRYPTED  "Encrypted"
#define VPK_STATUS_READY      "Ready"
#define VPK_STATUS_FAILED     "Failed"
#define VPK_STATUS_CANCELLED  "Cancelled"

gboolean vpk_status_is_valid (const char *status);
gboolean vpk_status_is_final (const char *status);

typedef struct {
  gint64  id;
  char   *filename;
  char   *stored_path;
  gint64  size;
  gint64  video_track;  /* -1 when NULL */
  char   *status;
  char   *media_json;
  char   *created_at;   /* ISO 8601, UTC */
} VpkInputRow;

typedef struct {
  gint64   id;
  gint64   input_id;
  char    *status;
  char    *stage;
  double   progress;
  char    *kid;          /* base64url */
  char    *url;
  char    *error;
  char    *created_at;
  char    *updated_at;
  char    *output_path;
  char    *scheme;
  char    *encrypt;
  char    *profile;
  guint    segment_duration_ms;
  gboolean cancel_requested;
  guint    attempts;
  char    *license_token;
  /* Filled by vpk_store_job_claim() only: */
  char    *sealed_key;
  char    *source_path;
  char    *media_json;
} VpkJobRow;

void         vpk_input_row_free (VpkInputRow *row);
void         vpk_job_row_free   (VpkJobRow *row);
/* Adds the row's members to the open object of @b. */
void         vpk_input_row_to_json (const VpkInputRow *row, JsonBuilder *b);
void         vpk_job_row_to_json   (const VpkJobRow *row, const char *base_url, JsonBuilder *b);

gboolean     vpk_store_input_insert (VpkDb       *db,
                                     const char  *filename,
                                     const char  *stored_path,
                                     gint64       size,
                                     gint64       video_track,
                                     const char  *media_json,
                                     gint64      *out_id,
                                     GError     **error);
/* VPK_ERROR_NOT_FOUND when there is no such row. */
VpkInputRow *vpk_store_input_get    (VpkDb *db, gint64 id, GError **error);
GPtrArray   *vpk_store_input_list   (VpkDb    *db,
                                     gint64    offset,
                                     gint64    limit,
                                     gint64   *out_total,
                                     GError  **error);

typedef struct {
  gint64                   input_id;
  const char              *kid;           /* base64url */
  const char              *sealed_key;
  const char              *license_token;
  const VpkPackageOptions *options;
} VpkJobSpec;

gboolean     vpk_store_job_insert (VpkDb *db, const VpkJobSpec *spec, gint64 *out_id,
                                   GError **error);
VpkJobRow   *vpk_store_job_get    (VpkDb *db, gint64 id, GError **error);
GPtrArray   *vpk_store_job_list   (VpkDb       *db,
                                   const char  *status,
                                   gint64       offset,
                                   gint64       limit,
                                   gint64      *out_total,
                                   GError     **error);
/* A claimed job's lease: who holds it, and which attempt this is. Together they
 * fence every write of the attempt: once the job has passed to another one (or
 * was cancelled or deleted), the write changes nothing and fails with
 * G_IO_ERROR_BUSY. */
typedef struct {
  const char *owner;
  guint       attempt;
} VpkLease;

/* Claims the oldest runnable job for @owner (SELECT … FOR UPDATE SKIP LOCKED),
 * counting one attempt; a job out of attempts ends Failed with its last error
 * instead. NULL with no error when there is none. */
VpkJobRow   *vpk_store_job_claim  (VpkDb       *db,
                                   const char  *owner,
                                   guint        lease_seconds,
                                   guint        max_attempts,
                                   GError     **error);
gboolean     vpk_store_job_set_state    (VpkDb       *db,
                                         gint64       id,
                                         const char  *status,
                                         const char  *stage,
                                         double       progress,
                                         double       seconds,
                                         const char  *message,
                                         GError     **error);
/* vpk_store_job_set_state() for the attempt that holds @lease. */
gboolean     vpk_store_job_update       (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         const char      *status,
                                         const char      *stage,
                                         double           progress,
                                         double           seconds,
                                         const char      *message,
                                         GError         **error);
gboolean     vpk_store_job_set_progress (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         double           progress,
                                         GError         **error);
/* Ready, and the lease ends. */
gboolean     vpk_store_job_set_ready    (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         const char      *output_path,
                                         const char      *url,
                                         GError         **error);
/* Ends an attempt that failed for a reason that may pass: @message is kept as
 * the job's last error, and any worker may claim it after @delay_seconds. */
gboolean     vpk_store_job_retry        (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         guint            delay_seconds,
                                         const char      *message,
                                         GError         **error);
/* Extends @lease by @lease_seconds from now. */
gboolean     vpk_store_job_renew        (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         guint            lease_seconds,
                                         GError         **error);
/* TRUE while @lease holds the job. */
gboolean     vpk_store_job_holds        (VpkDb           *db,
                                         gint64           id,
                                         const VpkLease  *lease,
                                         GError         **error);
/* Marks the job to be cancelled; a job no worker holds is Cancelled at once. */
gboolean     vpk_store_job_cancel  (VpkDb *db, gint64 id, GError **error);
/* Deletes a job that is not running; sets @out_output_path (nullable) to remove. */
gboolean     vpk_store_job_delete  (VpkDb *db, gint64 id, char **out_output_path, GError **error);
gboolean     vpk_store_job_is_cancel_requested (VpkDb *db, gint64 id);
/* Gives jobs @owner holds back to the queue (at shutdown); they resume. */
gboolean     vpk_store_release_leases (VpkDb *db, const char *owner, GError **error);
typedef gboolean (*VpkLeaseOwnerFunc) (const char *owner, gpointer data);
/* Frees at once the live leases of owners that start with @prefix and that
 * @is_dead says have stopped (a restarted process takes its jobs back). */
gboolean     vpk_store_release_dead_leases (VpkDb             *db,
                                            const char        *prefix,
                                            VpkLeaseOwnerFunc  is_dead,
                                            gpointer           data,
                                            guint             *out_released,
                                            GError           **error);
/* The KID and sealed key of the job whose license token is @token. */
gboolean     vpk_store_license_lookup (VpkDb       *db,
                                       const char  *token,
                                       char       **out_kid,
                                       char       **out_sealed_key,
                                       GError     **error);
/* status -> count (char * -> gint64 in a pointer). */
GHashTable  *vpk_store_job_counts (VpkDb *db, GError **error);

/* Keys at rest (vpk-store-key.c): the one place that turns a key into its
 * stored form and back, AES-256-GCM under the master key (vpk-master-key.h).
 * @binding is the row's license token: a sealed key opens only in its row. */
char        *vpk_store_key_seal   (const VpkKey  *key,
                                   const char    *binding,
                                   GError       **error);
/* Reads v1 and the clear v0 of vpack 0.1; VPK_ERROR_CRYPTO when it does not open. */
gboolean     vpk_store_key_unseal (const char    *sealed,
                                   const char    *binding,
                                   VpkKey        *out_key,
                                   GError       **error);
gboolean     vpk_store_key_is_legacy (const char *sealed);
/* Re-seals every v0 row as v1 (at start-up). */
gboolean     vpk_store_key_upgrade (VpkDb   *db,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkInputRow, vpk_input_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkJobRow, vpk_job_row_free)

G_END_DECLS
