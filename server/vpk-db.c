/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connections and the one prepared-statement runner every query goes through. */
#include "vpk-db-private.h"

#include <string.h>
#include "vpk.h"

gboolean
vpk_db_set_error (VpkDb       *db,
                  MYSQL_STMT  *stmt,
                  GError     **error)
{
  const char *text = stmt != NULL ? mysql_stmt_error (stmt) : mysql_error (db->conn);

  g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Database: %s",
               text != NULL && *text != '\0' ? text : "out of memory");
  return FALSE;
}

void
vpk_db_params_free (VpkDbParams *params)
{
  if (params == NULL)
    return;
  g_free (params->host);
  g_free (params->socket);
  g_free (params->user);
  if (params->password != NULL)
    memset (params->password, 0, strlen (params->password));
  g_free (params->password);
  g_free (params->database);
  g_free (params);
}

VpkDbParams *
vpk_db_params_copy (const VpkDbParams *params)
{
  VpkDbParams *copy = g_new0 (VpkDbParams, 1);

  copy->host = g_strdup (params->host);
  copy->port = params->port;
  copy->socket = g_strdup (params->socket);
  copy->user = g_strdup (params->user);
  copy->password = g_strdup (params->password);
  copy->database = g_strdup (params->database);
  return copy;
}

VpkDbParams *
vpk_db_params_new_socket (const char *socket,
                          const char *user,
                          const char *database)
{
  VpkDbParams *params = g_new0 (VpkDbParams, 1);

  params->socket = g_strdup (socket);
  params->user = g_strdup (user);
  params->database = g_strdup (database);
  return params;
}

static gboolean
params_error (const char *url, const char *why, GError **error)
{
  /* The URL may hold a password: never quote it whole. */
  g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "[database] url: %s", why);
  return FALSE;
}

static gboolean
parse_query (VpkDbParams *params, const char *query, GError **error)
{
  g_autoptr(GHashTable) fields = NULL;
  const char *socket;

  if (query == NULL)
    return TRUE;
  fields = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, error);
  if (fields == NULL)
    return FALSE;
  socket = g_hash_table_lookup (fields, "socket");
  if (socket != NULL)
    params->socket = g_strdup (socket);
  return TRUE;
}

VpkDbParams *
vpk_db_params_parse (const char  *url,
                     GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(VpkDbParams) params = g_new0 (VpkDbParams, 1);
  const char *path;

  if (uri == NULL)
    return params_error (url, "not a URL (mariadb://USER:PASSWORD@HOST:PORT/DATABASE)", error),
           NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "mariadb") != 0 &&
      g_strcmp0 (g_uri_get_scheme (uri), "mysql") != 0)
    return params_error (url, "the scheme must be mariadb:// or mysql://", error), NULL;
  path = g_uri_get_path (uri);
  if (path == NULL || path[0] != '/' || path[1] == '\0' || strchr (path + 1, '/') != NULL)
    return params_error (url, "name the database as the path: mariadb://HOST/DATABASE", error),
           NULL;
  params->database = g_strdup (path + 1);
  params->host = g_strdup (g_uri_get_host (uri));
  params->port = g_uri_get_port (uri) > 0 ? (guint) g_uri_get_port (uri) : 0;
  params->user = g_strdup (g_uri_get_user (uri));
  params->password = g_strdup (g_uri_get_password (uri));
  if (params->host != NULL && *params->host == '\0')
    g_clear_pointer (&params->host, g_free);
  if (!parse_query (params, g_uri_get_query (uri), error))
    return NULL;
  return g_steal_pointer (&params);
}

VpkDb *
vpk_db_connect (const VpkDbParams  *params,
                GError            **error)
{
  g_autoptr(VpkDb) db = g_new0 (VpkDb, 1);
  unsigned int timeout = 10;
  my_bool off = 0;

  mysql_thread_init ();
  db->owner = g_thread_self ();
  db->conn = mysql_init (NULL);
  if (db->conn == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Database: out of memory");
    return NULL;
  }
  mysql_options (db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options (db->conn, MYSQL_OPT_RECONNECT, &off);
  mysql_options (db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  /* Claims lock the newest committed rows, not a snapshot. */
  mysql_options (db->conn, MYSQL_INIT_COMMAND,
                 "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  if (mysql_real_connect (db->conn, params->host, params->user, params->password,
                          params->database, params->port, params->socket, 0) == NULL) {
    vpk_db_set_error (db, NULL, error);
    return NULL;
  }
  return g_steal_pointer (&db);
}

void
vpk_db_free (VpkDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->conn, mysql_close);
  g_free (db);
  mysql_thread_end ();
}

static GMutex default_lock;
static VpkDbParams *default_params;
static gint default_generation;

static void
thread_db_free (gpointer data)
{
  vpk_db_free (data);
}

static GPrivate thread_db = G_PRIVATE_INIT (thread_db_free);
static GPrivate thread_generation;

void
vpk_db_set_default_params (const VpkDbParams *params)
{
  g_mutex_lock (&default_lock);
  g_clear_pointer (&default_params, vpk_db_params_free);
  default_params = params != NULL ? vpk_db_params_copy (params) : NULL;
  default_generation++;
  g_mutex_unlock (&default_lock);
}

VpkDb *
vpk_db_get_for_thread (GError **error)
{
  VpkDb *db = g_private_get (&thread_db);
  gint generation = GPOINTER_TO_INT (g_private_get (&thread_generation));
  g_autoptr(VpkDbParams) params = NULL;

  g_mutex_lock (&default_lock);
  if (db != NULL && generation == default_generation && mysql_ping (db->conn) == 0) {
    g_mutex_unlock (&default_lock);
    return db;
  }
  params = default_params != NULL ? vpk_db_params_copy (default_params) : NULL;
  generation = default_generation;
  g_mutex_unlock (&default_lock);

  g_private_replace (&thread_db, NULL);
  if (params == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Database: not configured");
    return NULL;
  }
  db = vpk_db_connect (params, error);
  if (db == NULL)
    return NULL;
  g_private_set (&thread_db, db);
  g_private_set (&thread_generation, GINT_TO_POINTER (generation));
  return db;
}

gboolean
vpk_db_ping (VpkDb   *db,
             GError **error)
{
  if (mysql_ping (db->conn) != 0)
    return vpk_db_set_error (db, NULL, error);
  return TRUE;
}

gboolean
vpk_db_begin (VpkDb *db, GError **error)
{
  if (mysql_autocommit (db->conn, 0) != 0)
    return vpk_db_set_error (db, NULL, error);
  return TRUE;
}

gboolean
vpk_db_commit (VpkDb *db, GError **error)
{
  gboolean ok = mysql_commit (db->conn) == 0;

  if (!ok)
    vpk_db_set_error (db, NULL, error);
  mysql_autocommit (db->conn, 1);
  return ok;
}

void
vpk_db_rollback (VpkDb *db)
{
  mysql_rollback (db->conn);
  mysql_autocommit (db->conn, 1);
}

VpkDbResult *
vpk_db_exec_by_id (VpkDb       *db,
                   const char  *sql,
                   gint64       id,
                   const char  *what,
                   GError     **error)
{
  VpkDbParam params[] = { VPK_DB_I (id) };
  g_autoptr(VpkDbResult) result = NULL;

  if (!vpk_db_exec (db, sql, params, 1, &result, error))
    return NULL;
  if (result->rows->len == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No %s %" G_GINT64_FORMAT, what, id);
    return NULL;
  }
  return g_steal_pointer (&result);
}

gboolean
vpk_db_exec_script_statement (VpkDb       *db,
                              const char  *sql,
                              GError     **error)
{
  g_assert (db->owner == g_thread_self ());
  if (mysql_real_query (db->conn, sql, strlen (sql)) != 0)
    return vpk_db_set_error (db, NULL, error);
  return TRUE;
}
