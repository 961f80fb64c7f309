/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* MariaDB access through Connector/C: one connection per thread, prepared
 * statements only. Values travel as typed parameters in and strings out. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VpkDb VpkDb;

typedef enum {
  VPK_DB_NULL,
  VPK_DB_INT,
  VPK_DB_TEXT,
  VPK_DB_DOUBLE,
} VpkDbType;

typedef struct {
  VpkDbType   type;
  gint64      i;
  const char *s;  /* borrowed; NULL is SQL NULL */
  double      d;
} VpkDbParam;

#define VPK_DB_I(v) ((VpkDbParam) { .type = VPK_DB_INT, .i = (v) })
#define VPK_DB_S(v) ((VpkDbParam) { .type = VPK_DB_TEXT, .s = (v) })
#define VPK_DB_D(v) ((VpkDbParam) { .type = VPK_DB_DOUBLE, .d = (v) })

/* Every column of every row as text (NULL for SQL NULL). */
typedef struct {
  guint      n_columns;
  GPtrArray *rows;          /* (element-type GPtrArray of char *) */
  guint64    affected;
  gint64     insert_id;
} VpkDbResult;

/* Where to connect: parsed from [database] url, or a Unix socket. */
typedef struct {
  char  *host;     /* NULL with a socket */
  guint  port;
  char  *socket;
  char  *user;
  char  *password;
  char  *database;
} VpkDbParams;

/* mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH] (mysql:// too). */
VpkDbParams *vpk_db_params_parse (const char  *url,
                                  GError     **error);
VpkDbParams *vpk_db_params_new_socket (const char *socket,
                                       const char *user,
                                       const char *database);
VpkDbParams *vpk_db_params_copy (const VpkDbParams *params);
void         vpk_db_params_free (VpkDbParams *params);

/* A new connection owned by the calling thread. */
VpkDb       *vpk_db_connect (const VpkDbParams  *params,
                             GError            **error);
void         vpk_db_free    (VpkDb *db);
/* The calling thread's connection to the database set with
 * vpk_db_set_default_params(), made on first use and kept until the thread ends. */
void         vpk_db_set_default_params (const VpkDbParams *params);
VpkDb       *vpk_db_get_for_thread     (GError **error);

gboolean     vpk_db_ping   (VpkDb   *db,
                            GError **error);
/* Runs one prepared statement with @params; @out_result may be NULL. */
gboolean     vpk_db_exec   (VpkDb              *db,
                            const char         *sql,
                            const VpkDbParam   *params,
                            guint               n_params,
                            VpkDbResult       **out_result,
                            GError            **error);
/* Runs @sql, whose one parameter is @id, for its first row: no row is
 * VPK_ERROR_NOT_FOUND "No @what @id". */
VpkDbResult *vpk_db_exec_by_id (VpkDb       *db,
                                const char  *sql,
                                gint64       id,
                                const char  *what,
                                GError     **error);
/* Runs @sql with no parameters and no result (DDL from our own migration files). */
gboolean     vpk_db_exec_script_statement (VpkDb       *db,
                                           const char  *sql,
                                           GError     **error);
gboolean     vpk_db_begin    (VpkDb *db, GError **error);
gboolean     vpk_db_commit   (VpkDb *db, GError **error);
void         vpk_db_rollback (VpkDb *db);

void         vpk_db_result_free (VpkDbResult *result);
/* (nullable) (transfer none) */
const char  *vpk_db_result_get  (VpkDbResult *result,
                                 guint        row,
                                 guint        column);

/* Applies data/sql migrations not applied yet (under a named lock). */
gboolean     vpk_db_migrate (VpkDb   *db,
                             GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkDb, vpk_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkDbResult, vpk_db_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkDbParams, vpk_db_params_free)

G_END_DECLS
