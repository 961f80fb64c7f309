/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The job queue: claims with leases, cancel, delete, and the license lookup. */
#include "vpk-store.h"
#include "vpk-store-private.h"

#include <gio/gio.h>

#define RUNNABLE "p.status IN ('Queued', 'Fragmented', 'Encrypted')"
#define UNHELD "(p.lease_until IS NULL OR p.lease_until < UTC_TIMESTAMP(6))"

/* The id of the next runnable job, locked for this transaction, or 0. */
static gint64
lock_next (VpkDb *db, guint *out_attempts, GError **error)
{
  static const char sql[] =
    "SELECT p.id, p.attempts FROM packaged_content p WHERE " RUNNABLE " AND "
    "p.cancel_requested = 0 AND " UNHELD " ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED";
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, NULL, 0, &result, error))
    return -1;
  if (result->rows->len == 0)
    return 0;
  *out_attempts = (guint) g_ascii_strtoull (vpk_db_result_get (result, 0, 1), NULL, 10);
  return g_ascii_strtoll (vpk_db_result_get (result, 0, 0), NULL, 10);
}

static int
take_lease (VpkDb *db, gint64 id, const char *owner, guint lease_seconds, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content SET lease_owner = ?, "
    "lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, attempts = attempts + 1, "
    "status = 'Queued', stage = NULL, progress = 0, updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(6))";
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

VpkJobRow *
vpk_store_job_claim (VpkDb       *db,
                     const char  *owner,
                     guint        lease_seconds,
                     guint        max_attempts,
                     GError     **error)
{
  guint attempts = 0;
  gint64 id;

  if (!vpk_db_begin (db, error))
    return NULL;
  id = lock_next (db, &attempts, error);
  if (id > 0 && attempts >= max_attempts) {
    g_autofree char *why = g_strdup_printf ("Gave up after %u attempts", attempts);

    if (!vpk_store_job_set_state (db, id, VPK_STATUS_FAILED, NULL, 0.0, -1.0, why, error))
      id = -1;
    else
      id = 0;
  } else if (id > 0) {
    int taken = take_lease (db, id, owner, lease_seconds, error);

    id = taken < 0 ? -1 : taken == 0 ? 0 : id;
  }
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

gboolean
vpk_store_renew_leases (VpkDb *db, const char *owner, guint lease_seconds, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND "
    "WHERE p.lease_owner = ? AND " RUNNABLE;
  VpkDbParam params[] = { VPK_DB_I (lease_seconds), VPK_DB_S (owner) };

  return vpk_db_exec (db, sql, params, 2, NULL, error);
}

gboolean
vpk_store_release_leases (VpkDb *db, const char *owner, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content p SET p.lease_owner = NULL, p.lease_until = NULL, "
    "p.status = 'Queued', p.stage = NULL, p.progress = 0, p.attempts = GREATEST(p.attempts, 1) - 1 "
    "WHERE p.lease_owner = ? AND " RUNNABLE;
  VpkDbParam params[] = { VPK_DB_S (owner) };

  return vpk_db_exec (db, sql, params, 1, NULL, error);
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
