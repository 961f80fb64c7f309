/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <mysql.h>
#include "vpk-db.h"

G_BEGIN_DECLS

struct _VpkDb {
  MYSQL   *conn;
  GThread *owner;  /* one connection per thread */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MYSQL_STMT, mysql_stmt_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MYSQL_RES, mysql_free_result)

/* Sets VPK_ERROR_DB from the statement (or connection) error; returns FALSE. */
gboolean vpk_db_set_error (VpkDb       *db,
                           MYSQL_STMT  *stmt,
                           GError     **error);

G_END_DECLS
