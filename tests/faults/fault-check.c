/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An external mariadbd, SQL through Connector/C, and the checks on
 * published packages and on job_events. */
#include "fault-util.h"

#include <mysql.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define DB_START_TIMEOUT_S 60

/* Rows of @sql as tab-separated columns (NULL as "NULL"), or NULL on error. */
static GStrv
query (MYSQL *conn, const char *sql)
{
  g_autoptr(GStrvBuilder) rows = g_strv_builder_new ();
  MYSQL_RES *res;
  MYSQL_ROW row;

  if (mysql_real_query (conn, sql, strlen (sql)) != 0)
    return NULL;
  do {
    res = mysql_store_result (conn);
    while (res != NULL && (row = mysql_fetch_row (res)) != NULL) {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint i = 0; i < mysql_num_fields (res); i++)
        g_string_append_printf (line, "%s%s", i > 0 ? "\t" : "", row[i] ? row[i] : "NULL");
      g_strv_builder_add (rows, line->str);
    }
    if (res != NULL)
      mysql_free_result (res);
  } while (mysql_next_result (conn) == 0);
  return mysql_errno (conn) != 0 ? NULL : g_strv_builder_end (rows);
}

static MYSQL *
connect_db (const char *socket, const char *database)
{
  MYSQL *conn = mysql_init (NULL);
  unsigned int timeout = 5;

  mysql_options (conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect (conn, NULL, "root", NULL, database, 0, socket,
                          CLIENT_MULTI_STATEMENTS) == NULL) {
    mysql_close (conn);
    return NULL;
  }
  return conn;
}

/* One connection, kept between calls (polls are frequent). */
static MYSQL *kept;
static char *kept_socket;

GStrv
fault_sql (const char *socket, const char *sql)
{
  if (kept != NULL && (g_strcmp0 (kept_socket, socket) != 0 || mysql_ping (kept) != 0))
    g_clear_pointer (&kept, mysql_close);
  if (kept == NULL) {
    g_free (kept_socket);
    kept_socket = g_strdup (socket);
    kept = connect_db (socket, "vpack");
  }
  return kept != NULL ? query (kept, sql) : NULL;
}

static GStrv
run_client (const char *socket, const char *sql)
{
  MYSQL *conn = connect_db (socket, NULL);
  GStrv rows = conn != NULL ? query (conn, sql) : NULL;

  g_clear_pointer (&conn, mysql_close);
  return rows;
}

static void
db_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

FaultMariadb *
fault_mariadb_new (const char *dir)
{
  FaultMariadb *m = g_new0 (FaultMariadb, 1);
  g_autofree char *datadir = g_build_filename (dir, "data", NULL);
  g_autofree char *datadir_arg = g_strdup_printf ("--datadir=%s", datadir);
  const char *argv[] = {
    "mariadb-install-db", "--no-defaults", "--auth-root-authentication-method=normal",
    "--skip-test-db", datadir_arg, geteuid () == 0 ? "--user=root" : NULL, NULL,
  };
  g_autoptr(GError) error = NULL;
  int status = 0;

  m->dir = g_strdup (dir);
  m->socket = g_build_filename (dir, "db.sock", NULL);
  m->port = fault_free_port ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return m;
}

static void
wait_db_ready (FaultMariadb *m)
{
  gint64 deadline = g_get_monotonic_time () + DB_START_TIMEOUT_S * G_TIME_SPAN_SECOND;
  g_auto(GStrv) rows = NULL;

  while ((rows = run_client (m->socket, "SELECT 1")) == NULL) {
    g_assert_nonnull (g_subprocess_get_identifier (m->proc));  /* NULL: mariadbd exited */
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_usleep (100 * 1000);
  }
  g_clear_pointer (&rows, g_strfreev);
  rows = run_client (m->socket,
                     "CREATE DATABASE IF NOT EXISTS vpack CHARACTER SET utf8mb4; "
                     "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; "
                     "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
  g_assert_nonnull (rows);
}

void
fault_mariadb_start (FaultMariadb *m)
{
  g_autofree char *datadir = g_strdup_printf ("--datadir=%s/data", m->dir);
  g_autofree char *socket = g_strdup_printf ("--socket=%s", m->socket);
  g_autofree char *port = g_strdup_printf ("--port=%u", m->port);
  g_autofree char *pid = g_strdup_printf ("--pid-file=%s/db.pid", m->dir);
  g_autofree char *log = g_build_filename (m->dir, "mariadbd.log", NULL);
  const char *argv[] = {
    "mariadbd", "--no-defaults", datadir, socket, port, "--bind-address=127.0.0.1", pid,
    "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--max-connections=300",
    geteuid () == 0 ? "--user=root" : NULL, NULL,
  };
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;

  g_assert_null (m->proc);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, db_child_setup, NULL, NULL);
  m->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  m->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (m->proc), NULL, 10);
  fault_track (m->pid);
  wait_db_ready (m);
}

void
fault_mariadb_kill (FaultMariadb *m)
{
  if (m->proc == NULL)
    return;
  g_subprocess_force_exit (m->proc);
  g_subprocess_wait (m->proc, NULL, NULL);
  fault_forget (m->pid);
  g_clear_object (&m->proc);
}

void
fault_mariadb_free (FaultMariadb *m)
{
  if (m == NULL)
    return;
  fault_mariadb_kill (m);
  g_free (m->dir);
  g_free (m->socket);
  g_free (m);
}

char *
fault_mariadb_url (FaultMariadb *m)
{
  return g_strdup_printf ("mariadb://root@127.0.0.1:%u/vpack", m->port);
}

/* ---- published packages ---- */

typedef struct {
  char      *rep_id;
  char      *init;
  char      *media;
  guint64    start_number;
  guint64    t;
  GArray    *times;   /* guint64: each segment's start */
  GPtrArray *files;   /* names the MPD refers to */
  gboolean   in_base_url;
} MpdWalk;

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
on_start (GMarkupParseContext *c, const char *element, const char **names, const char **values,
          gpointer data, GError **error)
{
  MpdWalk *w = data;
  const char *v;

  if (strcmp (element, "Representation") == 0) {
    g_free (w->rep_id);
    w->rep_id = g_strdup (attr (names, values, "id"));
  } else if (strcmp (element, "SegmentTemplate") == 0) {
    g_free (w->init);
    g_free (w->media);
    w->init = g_strdup (attr (names, values, "initialization"));
    w->media = g_strdup (attr (names, values, "media"));
    v = attr (names, values, "startNumber");
    w->start_number = v != NULL ? g_ascii_strtoull (v, NULL, 10) : 1;
    w->t = 0;
    g_array_set_size (w->times, 0);
  } else if (strcmp (element, "S") == 0) {
    guint64 d = g_ascii_strtoull (attr (names, values, "d") ? attr (names, values, "d") : "0",
                                  NULL, 10);
    gint64 r = (v = attr (names, values, "r")) != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;

    if ((v = attr (names, values, "t")) != NULL)
      w->t = g_ascii_strtoull (v, NULL, 10);
    for (gint64 k = 0; k <= r; k++, w->t += d)
      g_array_append_val (w->times, w->t);
  }
  w->in_base_url = strcmp (element, "BaseURL") == 0;
}

static char *
expand (const char *tmpl, const char *rep_id, guint64 number, guint64 time)
{
  g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, number);
  g_autofree char *t = g_strdup_printf ("%" G_GUINT64_FORMAT, time);
  g_auto(GStrv) a = g_strsplit (tmpl, "$RepresentationID$", -1);
  g_autofree char *s1 = g_strjoinv (rep_id != NULL ? rep_id : "", a);
  g_auto(GStrv) b = g_strsplit (s1, "$Number$", -1);
  g_autofree char *s2 = g_strjoinv (n, b);
  g_auto(GStrv) c = g_strsplit (s2, "$Time$", -1);

  return g_strjoinv (t, c);
}

static void
on_end (GMarkupParseContext *c, const char *element, gpointer data, GError **error)
{
  MpdWalk *w = data;

  w->in_base_url = FALSE;
  if (strcmp (element, "SegmentTemplate") != 0)
    return;
  if (w->init != NULL)
    g_ptr_array_add (w->files, expand (w->init, w->rep_id, 0, 0));
  for (guint i = 0; w->media != NULL && i < w->times->len; i++)
    g_ptr_array_add (w->files, expand (w->media, w->rep_id, w->start_number + i,
                                       g_array_index (w->times, guint64, i)));
}

static void
on_text (GMarkupParseContext *c, const char *text, gsize len, gpointer data, GError **error)
{
  MpdWalk *w = data;

  if (w->in_base_url)
    g_ptr_array_add (w->files, g_strstrip (g_strndup (text, len)));
}

/* Whole when the MPD parses and each file it names is there, not empty. */
static gboolean
package_is_whole (const char *dir, char **out_why)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autofree char *mpd_path = g_build_filename (dir, "stream.mpd", NULL);
  g_autofree char *mpd = NULL;
  MpdWalk w = { .times = g_array_new (FALSE, FALSE, sizeof (guint64)),
                .files = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, 0, &w, NULL);
  gboolean ok = g_file_get_contents (mpd_path, &mpd, NULL, NULL) &&
                g_markup_parse_context_parse (ctx, mpd, -1, NULL) &&
                g_markup_parse_context_end_parse (ctx, NULL);

  if (!ok)
    *out_why = g_strdup_printf ("'%s' is missing or does not parse", mpd_path);
  for (guint i = 0; ok && i < w.files->len; i++) {
    g_autofree char *path = g_build_filename (dir, w.files->pdata[i], NULL);
    GStatBuf st;

    if (g_stat (path, &st) != 0 || st.st_size == 0) {
      *out_why = g_strdup_printf ("'%s' names '%s', which is missing or empty", mpd_path,
                                  (char *) w.files->pdata[i]);
      ok = FALSE;
    }
  }
  if (ok && w.files->len < 2) {
    *out_why = g_strdup_printf ("'%s' names %u files", mpd_path, w.files->len);
    ok = FALSE;
  }
  g_free (w.rep_id);
  g_free (w.init);
  g_free (w.media);
  g_array_unref (w.times);
  g_ptr_array_unref (w.files);
  return ok;
}

gboolean
fault_output_is_whole (const char *output, char **out_why)
{
  g_autoptr(GDir) dir = g_dir_open (output, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (output, name, NULL);

    if (!package_is_whole (path, out_why))
      return FALSE;
  }
  return TRUE;
}

gboolean
fault_verify (const char *package, const char *source)
{
  g_autofree char *source_arg = g_strdup_printf ("--source=%s", source);
  const char *argv[] = {
    g_getenv ("VPACK"), "verify", package, "--key", FAULT_KEY, "--kid", FAULT_KID,
    source_arg, NULL,
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL))
    return FALSE;
  if (g_spawn_check_wait_status (status, NULL))
    return TRUE;
  g_test_message ("vpack verify '%s': %s%s", package, out, err);
  return FALSE;
}

guint
fault_assert_once (const char *socket, gint64 first_id, guint n_jobs)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT packaged_content_id, SUM(status = 'Ready'), "
      "SUM(message LIKE 'fragment done%%'), SUM(message LIKE 'encrypt done%%'), "
      "SUM(message LIKE 'package done%%'), SUM(message LIKE 'Attempt %% resumes%%') "
      "FROM job_events WHERE packaged_content_id >= %" G_GINT64_FORMAT
      " GROUP BY packaged_content_id", first_id);
  g_auto(GStrv) rows = fault_sql (socket, sql);
  guint resumes = 0;

  g_assert_nonnull (rows);
  g_assert_cmpuint (g_strv_length (rows), ==, n_jobs);
  for (guint i = 0; rows[i] != NULL; i++) {
    g_auto(GStrv) col = g_strsplit (rows[i], "\t", -1);

    g_assert_cmpuint (g_strv_length (col), ==, 6);
    if (strcmp (col[1], "1") != 0 || atoi (col[2]) > 1 || atoi (col[3]) > 1 || atoi (col[4]) > 1)
      g_test_message ("job %s: Ready %s times, fragment %s, encrypt %s, package %s", col[0],
                      col[1], col[2], col[3], col[4]);
    g_assert_cmpstr (col[1], ==, "1");      /* Ready exactly once */
    g_assert_cmpint (atoi (col[2]), <=, 1);  /* no stage done twice */
    g_assert_cmpint (atoi (col[3]), <=, 1);
    g_assert_cmpint (atoi (col[4]), <=, 1);
    resumes += (guint) atoi (col[5]);
  }
  return resumes;
}
