/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vpk_db_exec(): bind typed parameters, run, and read every column as text. */
#include "vpk-db-private.h"

#include <string.h>
#include "vpk.h"

#define MAX_PARAMS 16

void
vpk_db_result_free (VpkDbResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->rows);
  g_free (result);
}

const char *
vpk_db_result_get (VpkDbResult *result,
                   guint        row,
                   guint        column)
{
  GPtrArray *r;

  g_return_val_if_fail (row < result->rows->len && column < result->n_columns, NULL);
  r = result->rows->pdata[row];
  return r->pdata[column];
}

static void
bind_params (MYSQL_BIND        *binds,
             unsigned long     *lengths,
             const VpkDbParam  *params,
             guint              n_params)
{
  for (guint i = 0; i < n_params; i++) {
    const VpkDbParam *p = &params[i];

    switch (p->type) {
    case VPK_DB_INT:
      binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
      binds[i].buffer = (void *) &p->i;
      break;
    case VPK_DB_DOUBLE:
      binds[i].buffer_type = MYSQL_TYPE_DOUBLE;
      binds[i].buffer = (void *) &p->d;
      break;
    case VPK_DB_TEXT:
      if (p->s != NULL) {
        lengths[i] = strlen (p->s);
        binds[i].buffer_type = MYSQL_TYPE_STRING;
        binds[i].buffer = (void *) p->s;
        binds[i].buffer_length = lengths[i];
        binds[i].length = &lengths[i];
        break;
      }
      G_GNUC_FALLTHROUGH;
    case VPK_DB_NULL:
    default:
      binds[i].buffer_type = MYSQL_TYPE_NULL;
      break;
    }
  }
}

/* Reads every row of a statement that has a result set, as text. */
static gboolean
fetch_rows (VpkDb        *db,
            MYSQL_STMT   *stmt,
            VpkDbResult  *result,
            GError      **error)
{
  g_autoptr(MYSQL_RES) meta = mysql_stmt_result_metadata (stmt);
  g_autofree MYSQL_BIND *binds = NULL;
  g_autofree unsigned long *lengths = NULL;
  g_autofree my_bool *nulls = NULL;
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
  MYSQL_FIELD *fields;
  my_bool update_max = 1;
  guint n;
  int rc;

  if (meta == NULL)
    return TRUE;  /* not a SELECT */
  n = mysql_num_fields (meta);
  result->n_columns = n;
  mysql_stmt_attr_set (stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
  if (mysql_stmt_store_result (stmt) != 0)
    return vpk_db_set_error (db, stmt, error);
  fields = mysql_fetch_fields (meta);
  binds = g_new0 (MYSQL_BIND, n);
  lengths = g_new0 (unsigned long, n);
  nulls = g_new0 (my_bool, n);
  for (guint i = 0; i < n; i++) {
    gsize size = MAX (fields[i].max_length, 64) + 1;

    g_ptr_array_add (buffers, g_malloc0 (size));
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = buffers->pdata[i];
    binds[i].buffer_length = size;
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
  }
  if (mysql_stmt_bind_result (stmt, binds) != 0)
    return vpk_db_set_error (db, stmt, error);
  while ((rc = mysql_stmt_fetch (stmt)) == 0) {
    GPtrArray *row = g_ptr_array_new_full (n, g_free);

    for (guint i = 0; i < n; i++)
      g_ptr_array_add (row, nulls[i] ? NULL : g_strndup (buffers->pdata[i], lengths[i]));
    g_ptr_array_add (result->rows, row);
  }
  if (rc != MYSQL_NO_DATA)
    return rc == MYSQL_DATA_TRUNCATED
           ? (g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Database: a value was truncated"),
              FALSE)
           : vpk_db_set_error (db, stmt, error);
  return TRUE;
}

gboolean
vpk_db_exec (VpkDb              *db,
             const char         *sql,
             const VpkDbParam   *params,
             guint               n_params,
             VpkDbResult       **out_result,
             GError            **error)
{
  g_autoptr(MYSQL_STMT) stmt = NULL;
  g_autoptr(VpkDbResult) result = g_new0 (VpkDbResult, 1);
  MYSQL_BIND binds[MAX_PARAMS] = { 0 };
  unsigned long lengths[MAX_PARAMS] = { 0 };

  g_assert (db->owner == g_thread_self ());  /* one connection per thread */
  g_assert (n_params <= MAX_PARAMS);
  result->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  bind_params (binds, lengths, params, n_params);
  stmt = mysql_stmt_init (db->conn);
  if (stmt == NULL)
    return vpk_db_set_error (db, NULL, error);
  if (mysql_stmt_prepare (stmt, sql, strlen (sql)) != 0 ||
      mysql_stmt_param_count (stmt) != n_params ||
      (n_params > 0 && mysql_stmt_bind_param (stmt, binds) != 0) ||
      mysql_stmt_execute (stmt) != 0)
    return vpk_db_set_error (db, stmt, error);
  if (!fetch_rows (db, stmt, result, error))
    return FALSE;
  result->affected = mysql_stmt_affected_rows (stmt);
  result->insert_id = (gint64) mysql_stmt_insert_id (stmt);
  if (out_result != NULL)
    *out_result = g_steal_pointer (&result);
  return TRUE;
}
