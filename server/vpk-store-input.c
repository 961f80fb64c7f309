/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Queries on input_content. */
#include "vpk-store.h"

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"
#define INPUT_COLUMNS "id, filename, stored_path, size_bytes, video_track_number, status, " \
                      "media_json, " ISO ("created_at")

static gint64
to_int (const char *text, gint64 fallback)
{
  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : fallback;
}

static VpkInputRow *
input_from_result (VpkDbResult *r, guint i)
{
  VpkInputRow *row = g_new0 (VpkInputRow, 1);

  row->id = to_int (vpk_db_result_get (r, i, 0), 0);
  row->filename = g_strdup (vpk_db_result_get (r, i, 1));
  row->stored_path = g_strdup (vpk_db_result_get (r, i, 2));
  row->size = to_int (vpk_db_result_get (r, i, 3), 0);
  row->video_track = to_int (vpk_db_result_get (r, i, 4), -1);
  row->status = g_strdup (vpk_db_result_get (r, i, 5));
  row->media_json = g_strdup (vpk_db_result_get (r, i, 6));
  row->created_at = g_strdup (vpk_db_result_get (r, i, 7));
  return row;
}

gboolean
vpk_store_input_insert (VpkDb       *db,
                        const char  *filename,
                        const char  *stored_path,
                        gint64       size,
                        gint64       video_track,
                        const char  *media_json,
                        gint64      *out_id,
                        GError     **error)
{
  static const char sql[] =
    "INSERT INTO input_content (filename, stored_path, size_bytes, video_track_number, "
    "status, media_json, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
  VpkDbParam params[] = {
    VPK_DB_S (filename), VPK_DB_S (stored_path), VPK_DB_I (size),
    video_track >= 0 ? VPK_DB_I (video_track) : (VpkDbParam) { .type = VPK_DB_NULL },
    VPK_DB_S (VPK_STATUS_INGESTED), VPK_DB_S (media_json),
  };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), &result, error))
    return FALSE;
  *out_id = result->insert_id;
  return TRUE;
}

VpkInputRow *
vpk_store_input_get (VpkDb *db, gint64 id, GError **error)
{
  static const char sql[] = "SELECT " INPUT_COLUMNS " FROM input_content WHERE id = ?";
  g_autoptr(VpkDbResult) result = vpk_db_exec_by_id (db, sql, id, "input content", error);

  return result != NULL ? input_from_result (result, 0) : NULL;
}

GPtrArray *
vpk_store_input_list (VpkDb    *db,
                      gint64    offset,
                      gint64    limit,
                      gint64   *out_total,
                      GError  **error)
{
  static const char sql[] =
    "SELECT " INPUT_COLUMNS " FROM input_content ORDER BY id DESC LIMIT ? OFFSET ?";
  VpkDbParam params[] = { VPK_DB_I (limit), VPK_DB_I (offset) };
  g_autoptr(VpkDbResult) result = NULL;
  g_autoptr(VpkDbResult) count = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_input_row_free);

  if (!vpk_db_exec (db, sql, params, 2, &result, error) ||
      !vpk_db_exec (db, "SELECT COUNT(*) FROM input_content", NULL, 0, &count, error))
    return NULL;
  for (guint i = 0; i < result->rows->len; i++)
    g_ptr_array_add (rows, input_from_result (result, i));
  *out_total = to_int (vpk_db_result_get (count, 0, 0), 0);
  return g_steal_pointer (&rows);
}
