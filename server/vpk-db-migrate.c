/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Applies the numbered migrations of data/sql (compiled in as resources). */
#include "vpk-db-private.h"

#include <string.h>
#include "vpk.h"

#define SQL_RESOURCE_DIR "/org/vpack/server/sql"

static const char create_version[] =
  "CREATE TABLE IF NOT EXISTS schema_version ("
  " version INT UNSIGNED NOT NULL PRIMARY KEY,"
  " name VARCHAR(255) NOT NULL,"
  " applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB";

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gint64
current_version (VpkDb *db, GError **error)
{
  g_autoptr(VpkDbResult) result = NULL;
  const char *v;

  if (!vpk_db_exec (db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL, 0,
                    &result, error))
    return -1;
  v = result->rows->len > 0 ? vpk_db_result_get (result, 0, 0) : "0";
  return g_ascii_strtoll (v != NULL ? v : "0", NULL, 10);
}

/* Statements end with ';' at the end of a line; "--" lines are comments. */
static gboolean
apply_script (VpkDb *db, const char *text, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) stmt = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];
    gsize len;

    if (g_str_has_prefix (g_strchug (lines[i]), "--"))
      continue;
    g_string_append_printf (stmt, "%s\n", line);
    len = strlen (g_strchomp (lines[i]));
    if (len > 0 && line[len - 1] == ';') {
      if (!vpk_db_exec_script_statement (db, stmt->str, error))
        return FALSE;
      g_string_truncate (stmt, 0);
    }
  }
  return TRUE;
}

static gboolean
apply_one (VpkDb *db, const char *name, gint64 version, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%s", SQL_RESOURCE_DIR, name);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, error);
  g_autofree char *text = NULL;
  VpkDbParam params[] = { VPK_DB_I (version), VPK_DB_S (name) };

  if (bytes == NULL)
    return FALSE;
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (!apply_script (db, text, error)) {
    g_prefix_error (error, "Migration %s: ", name);
    return FALSE;
  }
  g_message ("Database: applied migration %s", name);
  return vpk_db_exec (db, "INSERT INTO schema_version (version, name, applied_at) "
                      "VALUES (?, ?, UTC_TIMESTAMP(6))", params, 2, NULL, error);
}

static gboolean
apply_pending (VpkDb *db, GError **error)
{
  g_auto(GStrv) names = g_resources_enumerate_children (SQL_RESOURCE_DIR, 0, error);
  gint64 current;

  if (names == NULL)
    return FALSE;
  if (!vpk_db_exec_script_statement (db, create_version, error))
    return FALSE;
  current = current_version (db, error);
  if (current < 0)
    return FALSE;
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  for (guint i = 0; names[i] != NULL; i++) {
    gint64 version = g_ascii_strtoll (names[i], NULL, 10);

    if (version <= 0 || !g_str_has_suffix (names[i], ".sql") || version <= current)
      continue;
    if (!apply_one (db, names[i], version, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
vpk_db_migrate (VpkDb   *db,
                GError **error)
{
  g_autoptr(VpkDbResult) lock = NULL;
  gboolean ok;

  /* Several `vpack serve` may start at once against one database. */
  if (!vpk_db_exec (db, "SELECT GET_LOCK('vpack-migrate', 60)", NULL, 0, &lock, error))
    return FALSE;
  if (g_strcmp0 (vpk_db_result_get (lock, 0, 0), "1") != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB,
                 "Database: another vpack has held the migration lock for 60 s");
    return FALSE;
  }
  ok = apply_pending (db, error);
  vpk_db_exec (db, "SELECT RELEASE_LOCK('vpack-migrate')", NULL, 0, NULL, NULL);
  return ok;
}
