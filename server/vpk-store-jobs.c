/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Queries on packaged_content and job_events: create, read, state changes. */
#include "vpk-store.h"
#include "vpk-store-private.h"

#include <string.h>

static gint64
to_int (const char *text)
{
  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

VpkJobRow *
vpk_store_job_from_result (VpkDbResult *r, guint i)
{
  VpkJobRow *row = g_new0 (VpkJobRow, 1);
  const char *progress = vpk_db_result_get (r, i, 4);

  row->id = to_int (vpk_db_result_get (r, i, 0));
  row->input_id = to_int (vpk_db_result_get (r, i, 1));
  row->status = g_strdup (vpk_db_result_get (r, i, 2));
  row->stage = g_strdup (vpk_db_result_get (r, i, 3));
  row->progress = progress != NULL ? g_ascii_strtod (progress, NULL) : 0.0;
  row->kid = g_strdup (vpk_db_result_get (r, i, 5));
  row->url = g_strdup (vpk_db_result_get (r, i, 6));
  row->error = g_strdup (vpk_db_result_get (r, i, 7));
  row->created_at = g_strdup (vpk_db_result_get (r, i, 8));
  row->updated_at = g_strdup (vpk_db_result_get (r, i, 9));
  row->output_path = g_strdup (vpk_db_result_get (r, i, 10));
  row->scheme = g_strdup (vpk_db_result_get (r, i, 11));
  row->encrypt = g_strdup (vpk_db_result_get (r, i, 12));
  row->profile = g_strdup (vpk_db_result_get (r, i, 13));
  row->segment_duration_ms = (guint) to_int (vpk_db_result_get (r, i, 14));
  row->cancel_requested = to_int (vpk_db_result_get (r, i, 15)) != 0;
  row->attempts = (guint) to_int (vpk_db_result_get (r, i, 16));
  row->license_token = g_strdup (vpk_db_result_get (r, i, 17));
  return row;
}

gboolean
vpk_store_job_insert (VpkDb *db, const VpkJobSpec *spec, gint64 *out_id, GError **error)
{
  static const char sql[] =
    "INSERT INTO packaged_content (input_content_id, status, kid, sealed_key, license_token, "
    "scheme, encrypt_tracks, profile, segment_duration_ms, created_at, updated_at) "
    "SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) "
    "FROM input_content WHERE id = ?";
  const VpkPackageOptions *o = spec->options;
  VpkDbParam params[] = {
    VPK_DB_S (VPK_STATUS_QUEUED), VPK_DB_S (spec->kid), VPK_DB_S (spec->sealed_key),
    VPK_DB_S (spec->license_token), VPK_DB_S (vpk_scheme_to_string (o->scheme)),
    VPK_DB_S (vpk_encrypt_tracks_to_string (o->encrypt)),
    VPK_DB_S (vpk_profile_to_string (o->profile)), VPK_DB_I (o->segment_duration_ms),
    VPK_DB_I (spec->input_id),
  };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), &result, error))
    return FALSE;
  if (result->affected == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND,
                 "No input content %" G_GINT64_FORMAT, spec->input_id);
    return FALSE;
  }
  *out_id = result->insert_id;
  return vpk_store_job_set_state (db, *out_id, VPK_STATUS_QUEUED, NULL, 0.0, -1.0, NULL, error);
}

VpkJobRow *
vpk_store_job_get (VpkDb *db, gint64 id, GError **error)
{
  static const char sql[] = "SELECT " VPK_JOB_COLUMNS " FROM packaged_content p WHERE p.id = ?";
  g_autoptr(VpkDbResult) result = vpk_db_exec_by_id (db, sql, id, "packaged content", error);

  return result != NULL ? vpk_store_job_from_result (result, 0) : NULL;
}

GPtrArray *
vpk_store_job_list (VpkDb       *db,
                    const char  *status,
                    gint64       offset,
                    gint64       limit,
                    gint64      *out_total,
                    GError     **error)
{
  static const char sql[] =
    "SELECT " VPK_JOB_COLUMNS " FROM packaged_content p WHERE (? IS NULL OR p.status = ?) "
    "ORDER BY p.id DESC LIMIT ? OFFSET ?";
  static const char count_sql[] =
    "SELECT COUNT(*) FROM packaged_content WHERE (? IS NULL OR status = ?)";
  VpkDbParam params[] = { VPK_DB_S (status), VPK_DB_S (status), VPK_DB_I (limit),
                          VPK_DB_I (offset) };
  g_autoptr(VpkDbResult) result = NULL;
  g_autoptr(VpkDbResult) count = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_job_row_free);

  if (!vpk_db_exec (db, sql, params, 4, &result, error) ||
      !vpk_db_exec (db, count_sql, params, 2, &count, error))
    return NULL;
  for (guint i = 0; i < result->rows->len; i++)
    g_ptr_array_add (rows, vpk_store_job_from_result (result, i));
  *out_total = to_int (vpk_db_result_get (count, 0, 0));
  return g_steal_pointer (&rows);
}

static gboolean
add_event (VpkDb       *db,
           gint64       id,
           const char  *status,
           const char  *stage,
           double       seconds,
           const char  *message,
           GError     **error)
{
  static const char sql[] =
    "INSERT INTO job_events (packaged_content_id, status, stage, seconds, message, created_at) "
    "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
  VpkDbParam params[] = {
    VPK_DB_I (id), VPK_DB_S (status), VPK_DB_S (stage),
    seconds >= 0 ? VPK_DB_D (seconds) : (VpkDbParam) { .type = VPK_DB_NULL },
    VPK_DB_S (message),
  };

  return vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), NULL, error);
}

gboolean
vpk_store_job_set_state (VpkDb       *db,
                         gint64       id,
                         const char  *status,
                         const char  *stage,
                         double       progress,
                         double       seconds,
                         const char  *message,
                         GError     **error)
{
  static const char sql[] =
    "UPDATE packaged_content SET status = ?, stage = ?, progress = ?, "
    "error = IF(? = 'Failed', ?, error), updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
  VpkDbParam params[] = { VPK_DB_S (status), VPK_DB_S (stage), VPK_DB_D (progress),
                          VPK_DB_S (status), VPK_DB_S (message), VPK_DB_I (id) };

  return vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), NULL, error) &&
         add_event (db, id, status, stage, seconds, message, error);
}

/* Writes of a worker's attempt carry its lease, and change nothing once the
 * job has passed to another attempt (or was cancelled or deleted). */
#define FENCE " AND lease_owner = ? AND attempts = ? AND status IN ('Queued', 'Fragmented', " \
              "'Encrypted')"

/* Runs the fenced @sql and its event in one transaction. */
static gboolean
fenced_update (VpkDb             *db,
               const char        *sql,
               const VpkDbParam  *params,
               guint              n_params,
               gint64             id,
               const char        *status,
               const char        *stage,
               double             seconds,
               const char        *message,
               GError           **error)
{
  g_autoptr(VpkDbResult) result = NULL;
  gboolean ok;

  if (!vpk_db_begin (db, error))
    return FALSE;
  ok = vpk_db_exec (db, sql, params, n_params, &result, error);
  if (ok && result->affected == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                 "Job %" G_GINT64_FORMAT ": this worker's lease has passed on", id);
    ok = FALSE;
  }
  if (!ok || !add_event (db, id, status, stage, seconds, message, error)) {
    vpk_db_rollback (db);
    return FALSE;
  }
  return vpk_db_commit (db, error);
}

gboolean
vpk_store_job_update (VpkDb           *db,
                      gint64           id,
                      const VpkLease  *lease,
                      const char      *status,
                      const char      *stage,
                      double           progress,
                      double           seconds,
                      const char      *message,
                      GError         **error)
{
  /* A final status also ends the lease. */
  static const char sql[] =
    "UPDATE packaged_content SET status = ?, stage = ?, progress = ?, "
    "error = IF(? = 'Failed', ?, error), "
    "lease_until = IF(? IN ('Failed', 'Cancelled'), NULL, lease_until), "
    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?" FENCE;
  VpkDbParam params[] = { VPK_DB_S (status), VPK_DB_S (stage), VPK_DB_D (progress),
                          VPK_DB_S (status), VPK_DB_S (message), VPK_DB_S (status),
                          VPK_DB_I (id), VPK_DB_S (lease->owner), VPK_DB_I (lease->attempt) };

  return fenced_update (db, sql, params, G_N_ELEMENTS (params), id, status, stage, seconds,
                        message, error);
}

gboolean
vpk_store_job_set_progress (VpkDb           *db,
                            gint64           id,
                            const VpkLease  *lease,
                            double           progress,
                            GError         **error)
{
  static const char sql[] =
    "UPDATE packaged_content SET progress = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?" FENCE;
  VpkDbParam params[] = { VPK_DB_D (progress), VPK_DB_I (id), VPK_DB_S (lease->owner),
                          VPK_DB_I (lease->attempt) };

  return vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), NULL, error);
}

gboolean
vpk_store_job_set_ready (VpkDb           *db,
                         gint64           id,
                         const VpkLease  *lease,
                         const char      *output_path,
                         const char      *url,
                         GError         **error)
{
  /* One statement: a runnable status with no lease would be claimed again. */
  static const char sql[] =
    "UPDATE packaged_content SET status = 'Ready', stage = 'package', progress = 1, "
    "output_path = ?, url = ?, error = NULL, lease_owner = NULL, lease_until = NULL, "
    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?" FENCE;
  VpkDbParam params[] = { VPK_DB_S (output_path), VPK_DB_S (url), VPK_DB_I (id),
                          VPK_DB_S (lease->owner), VPK_DB_I (lease->attempt) };

  return fenced_update (db, sql, params, G_N_ELEMENTS (params), id, VPK_STATUS_READY, "package",
                        -1.0, NULL, error);
}
