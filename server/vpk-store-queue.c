/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The job queue: claims with leases, cancel, delete, and the license lookup. */
#include "vpk-store.h"
#include "vpk-store-private.h"

#include <gio/gio.h>

#define RUNNABLE "p.status IN ('Queued', 'Fragmented', 'Encrypted')"
/* No worker holds it (a job waiting out a retry delay has no owner). */
#define UNHELD "(p.lease_owner IS NULL OR p.lease_until < UTC_TIMESTAMP(6))"
/* Free to claim: no lease, an expired one, or a retry delay that is over. */
#define CLAIMABLE "(p.lease_until IS NULL OR p.lease_until < UTC_TIMESTAMP(6))"
#define FENCE " AND p.lease_owner = ? AND p.attempts = ?"

typedef struct {
  gint64    id;
  guint     attempts;
  char     *last_error;
  gboolean  cancel_requested;
} Candidate;

/* The next runnable job, locked for this transaction; id 0 when none. */
static gboolean
lock_next (VpkDb *db, Candidate *out, GError **error)
{
  static const char sql[] =
    "SELECT p.id, p.attempts, p.error, p.cancel_requested FROM packaged_content p "
    "WHERE " RUNNABLE " AND " CLAIMABLE " ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED";
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, NULL, 0, &result, error))
    return FALSE;
  if (result->rows->len == 0)
    return TRUE;
  out->id = g_ascii_strtoll (vpk_db_result_get (result, 0, 0), NULL, 10);
  out->attempts = (guint) g_ascii_strtoull (vpk_db_result_get (result, 0, 1), NULL, 10);
  out->last_error = g_strdup (vpk_db_result_get (result, 0, 2));
  out->cancel_requested = g_strcmp0 (vpk_db_result_get (result, 0, 3), "1") == 0;
  return TRUE;
}

/* The job's status and stage stay: the worker resumes after its last completed
 * stage (what it left in the job's work folder). */
static int
take_lease (VpkDb *db, gint64 id, const char *owner, guint lease_seconds, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_owner = ?, "
    "p.lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, p.attempts = p.attempts + 1, "
    "p.updated_at = UTC_TIMESTAMP(6) WHERE p.id = ? AND " CLAIMABLE;
  VpkDbParam params[] = { VPK_DB_S (owner), VPK_DB_I (lease_seconds), VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, 3, &result, error))
    return -1;
  return result->affected == 1 ? 1 : 0;  /* 0: someone else holds it */
}

static VpkJobRow *
get_claimed (VpkDb *db, gint64 id, GError **error)
{
  static const char sql[] =
    "SELECT " VPK_JOB_COLUMNS ", p.sealed_key, i.stored_path, i.media_json "
    "FROM packaged_content p JOIN input_content i ON i.id = p.input_content_id WHERE p.id = ?";
  VpkDbParam params[] = { VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;
  VpkJobRow *row;

  if (!vpk_db_exec (db, sql, params, 1, &result, error))
    return NULL;
  if (result->rows->len == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "Job %" G_GINT64_FORMAT " vanished", id);
    return NULL;
  }
  row = vpk_store_job_from_result (result, 0);
  row->sealed_key = g_strdup (vpk_db_result_get (result, 0, 18));
  row->source_path = g_strdup (vpk_db_result_get (result, 0, 19));
  row->media_json = g_strdup (vpk_db_result_get (result, 0, 20));
  return row;
}

/* A job whose attempts are used up ends Failed with the last error recorded. */
static gboolean
give_up (VpkDb *db, const Candidate *c, GError **error)
{
  g_autofree char *why = g_strdup_printf (
      "Gave up after %u attempts: %s", c->attempts,
      c->last_error != NULL ? c->last_error
                            : "each attempt stopped without a result (the worker crashed, "
                              "or lost its lease)");

  g_message ("Job %" G_GINT64_FORMAT ": %s", c->id, why);
  return vpk_store_job_set_state (db, c->id, VPK_STATUS_FAILED, NULL, 0.0, -1.0, why, error);
}

VpkJobRow *
vpk_store_job_claim (VpkDb       *db,
                     const char  *owner,
                     guint        lease_seconds,
                     guint        max_attempts,
                     GError     **error)
{
  Candidate c = { 0 };
  gint64 id = -1;

  if (!vpk_db_begin (db, error))
    return NULL;
  if (lock_next (db, &c, error)) {
    if (c.id > 0 && c.cancel_requested) {
      /* Its worker stopped before it saw the request. */
      id = vpk_store_job_set_state (db, c.id, VPK_STATUS_CANCELLED, NULL, 0.0, -1.0,
                                    "Cancelled", error) ? 0 : -1;
    } else if (c.id > 0 && c.attempts >= max_attempts) {
      id = give_up (db, &c, error) ? 0 : -1;
    } else if (c.id > 0) {
      int taken = take_lease (db, c.id, owner, lease_seconds, error);

      id = taken < 0 ? -1 : taken == 0 ? 0 : c.id;
    } else {
      id = 0;
    }
  }
  g_free (c.last_error);
  if (id < 0) {
    vpk_db_rollback (db);
    return NULL;
  }
  if (!vpk_db_commit (db, error))
    return NULL;
  return id > 0 ? get_claimed (db, id, error) : NULL;
}

gboolean
vpk_store_job_cancel (VpkDb *db, gint64 id, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.cancel_requested = 1, "
    "p.status = IF(" UNHELD ", 'Cancelled', p.status), p.updated_at = UTC_TIMESTAMP(6) "
    "WHERE p.id = ? AND " RUNNABLE;
  VpkDbParam params[] = { VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;
  g_autoptr(VpkJobRow) row = NULL;

  if (!vpk_db_exec (db, sql, params, 1, &result, error))
    return FALSE;
  row = vpk_store_job_get (db, id, error);
  if (row == NULL)
    return FALSE;
  if (result->affected == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                 "Packaged content %" G_GINT64_FORMAT " is already %s", id, row->status);
    return FALSE;
  }
  if (g_strcmp0 (row->status, VPK_STATUS_CANCELLED) == 0)
    return vpk_store_job_set_state (db, id, VPK_STATUS_CANCELLED, row->stage, row->progress,
                                    -1.0, "Cancelled before it ran", error);
  return TRUE;
}

gboolean
vpk_store_job_delete (VpkDb *db, gint64 id, char **out_output_path, GError **error)
{
  static const char sql[] =
    "DELETE p FROM packaged_content p WHERE p.id = ? AND (NOT " RUNNABLE " OR " UNHELD ")";
  VpkDbParam params[] = { VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;
  g_autoptr(VpkJobRow) row = vpk_store_job_get (db, id, error);

  if (row == NULL || !vpk_db_exec (db, sql, params, 1, &result, error))
    return FALSE;
  if (result->affected == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                 "Packaged content %" G_GINT64_FORMAT " is running: cancel it first", id);
    return FALSE;
  }
  *out_output_path = g_steal_pointer (&row->output_path);
  return TRUE;
}

gboolean
vpk_store_job_is_cancel_requested (VpkDb *db, gint64 id)
{
  static const char sql[] = "SELECT cancel_requested FROM packaged_content WHERE id = ?";
  VpkDbParam params[] = { VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;

  /* A deleted row counts as cancelled. */
  if (!vpk_db_exec (db, sql, params, 1, &result, NULL))
    return FALSE;
  return result->rows->len == 0 || g_strcmp0 (vpk_db_result_get (result, 0, 0), "1") == 0;
}

static gboolean
lease_error (gint64 id, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
               "Job %" G_GINT64_FORMAT ": this worker's lease has passed on", id);
  return FALSE;
}

gboolean
vpk_store_job_renew (VpkDb          *db,
                     gint64          id,
                     const VpkLease *lease,
                     guint           lease_seconds,
                     GError        **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND "
    "WHERE p.id = ? AND " RUNNABLE FENCE;
  VpkDbParam params[] = { VPK_DB_I (lease_seconds), VPK_DB_I (id), VPK_DB_S (lease->owner),
                          VPK_DB_I (lease->attempt) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), &result, error))
    return FALSE;
  /* 0 rows also when lease_until did not change (same microsecond): check. */
  return result->affected > 0 || vpk_store_job_holds (db, id, lease, error);
}

gboolean
vpk_store_job_holds (VpkDb *db, gint64 id, const VpkLease *lease, GError **error)
{
  static const char sql[] = "SELECT 1 FROM packaged_content p WHERE p.id = ? AND " RUNNABLE FENCE;
  VpkDbParam params[] = { VPK_DB_I (id), VPK_DB_S (lease->owner), VPK_DB_I (lease->attempt) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), &result, error))
    return FALSE;
  if (result->rows->len == 0)
    return lease_error (id, error);
  return TRUE;
}

gboolean
vpk_store_job_retry (VpkDb          *db,
                     gint64          id,
                     const VpkLease *lease,
                     guint           delay_seconds,
                     const char     *message,
                     GError        **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_owner = NULL, "
    "p.lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, p.error = ?, "
    "p.updated_at = UTC_TIMESTAMP(6) WHERE p.id = ? AND " RUNNABLE FENCE;
  static const char event_sql[] =
    "INSERT INTO job_events (packaged_content_id, status, stage, message, created_at) "
    "SELECT p.id, p.status, p.stage, ?, UTC_TIMESTAMP(6) FROM packaged_content p WHERE p.id = ?";
  g_autofree char *note = g_strdup_printf ("Attempt %u failed, retrying in %u s: %s",
                                           lease->attempt, delay_seconds, message);
  VpkDbParam params[] = { VPK_DB_I (delay_seconds), VPK_DB_S (message), VPK_DB_I (id),
                          VPK_DB_S (lease->owner), VPK_DB_I (lease->attempt) };
  VpkDbParam event[] = { VPK_DB_S (note), VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), &result, error))
    return FALSE;
  if (result->affected == 0)
    return lease_error (id, error);
  return vpk_db_exec (db, event_sql, event, G_N_ELEMENTS (event), NULL, error);
}

gboolean
vpk_store_release_leases (VpkDb *db, const char *owner, GError **error)
{
  /* At shutdown: the attempt does not count, and the next one resumes. */
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_owner = NULL, p.lease_until = NULL, "
    "p.attempts = GREATEST(p.attempts, 1) - 1, p.updated_at = UTC_TIMESTAMP(6) "
    "WHERE p.lease_owner = ? AND " RUNNABLE;
  VpkDbParam params[] = { VPK_DB_S (owner) };

  return vpk_db_exec (db, sql, params, 1, NULL, error);
}

gboolean
vpk_store_release_dead_leases (VpkDb             *db,
                               const char        *prefix,
                               VpkLeaseOwnerFunc  is_dead,
                               gpointer           data,
                               guint             *out_released,
                               GError           **error)
{
  static const char sql[] =
    "SELECT p.id, p.lease_owner FROM packaged_content p WHERE " RUNNABLE " AND "
    "LEFT(p.lease_owner, CHAR_LENGTH(?)) = ? AND p.lease_until >= UTC_TIMESTAMP(6)";
  static const char release_sql[] =
    "UPDATE packaged_content p SET p.lease_owner = NULL, p.lease_until = NULL "
    "WHERE p.id = ? AND p.lease_owner = ?";
  VpkDbParam params[] = { VPK_DB_S (prefix), VPK_DB_S (prefix) };
  g_autoptr(VpkDbResult) result = NULL;

  *out_released = 0;
  if (!vpk_db_exec (db, sql, params, 2, &result, error))
    return FALSE;
  for (guint i = 0; i < result->rows->len; i++) {
    const char *owner = vpk_db_result_get (result, i, 1);
    VpkDbParam release[] = {
      VPK_DB_I (g_ascii_strtoll (vpk_db_result_get (result, i, 0), NULL, 10)), VPK_DB_S (owner),
    };

    if (!is_dead (owner, data))
      continue;
    if (!vpk_db_exec (db, release_sql, release, 2, NULL, error))
      return FALSE;
    (*out_released)++;
  }
  return TRUE;
}

gboolean
vpk_store_license_lookup (VpkDb       *db,
                          const char  *token,
                          char       **out_kid,
                          char       **out_sealed_key,
                          GError     **error)
{
  static const char sql[] =
    "SELECT kid, sealed_key FROM packaged_content WHERE license_token = ?";
  VpkDbParam params[] = { VPK_DB_S (token) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, 1, &result, error))
    return FALSE;
  if (result->rows->len == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "This license URL entitles to no content");
    return FALSE;
  }
  *out_kid = g_strdup (vpk_db_result_get (result, 0, 0));
  *out_sealed_key = g_strdup (vpk_db_result_get (result, 0, 1));
  return TRUE;
}

GHashTable *
vpk_store_job_counts (VpkDb *db, GError **error)
{
  g_autoptr(VpkDbResult) result = NULL;
  GHashTable *counts;

  if (!vpk_db_exec (db, "SELECT status, COUNT(*) FROM packaged_content GROUP BY status",
                    NULL, 0, &result, error))
    return NULL;
  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < result->rows->len; i++)
    g_hash_table_insert (counts, g_strdup (vpk_db_result_get (result, i, 0)),
                         GINT_TO_POINTER (g_ascii_strtoll (vpk_db_result_get (result, i, 1),
                                                           NULL, 10)));
  return counts;
}
