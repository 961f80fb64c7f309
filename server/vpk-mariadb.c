/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The embedded default: a private mariadbd under <state>/mariadb, on a Unix
 * socket with networking off, started with the service and stopped with it.
 * It runs as the user vpack runs as; as root that needs --user=root (the
 * folder is 0700 and no TCP port is opened, so nobody else can reach it). */
#include "vpk-server-private.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define START_TIMEOUT_S 60
#define SOCKET_MAX 100  /* sun_path is 108 bytes */

struct _VpkMariadb {
  GSubprocess *proc;
  char        *dir;
  VpkDbParams *params;
};

static void
child_setup (gpointer data)
{
  /* If vpack dies without stopping it, the kernel stops mariadbd. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (const char * const *argv, const char *log_path, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static gboolean
install_db (const char *dir, const char *datadir, GError **error)
{
  g_autofree char *datadir_arg = g_strdup_printf ("--datadir=%s", datadir);
  g_autofree char *log = g_build_filename (dir, "install.log", NULL);
  const char *argv[] = {
    "mariadb-install-db", "--no-defaults", "--auth-root-authentication-method=normal",
    "--skip-test-db", datadir_arg, geteuid () == 0 ? "--user=root" : NULL, NULL,
  };
  g_autoptr(GSubprocess) proc = spawn (argv, log, error);

  if (proc == NULL) {
    g_prefix_error (error, "Cannot run mariadb-install-db (install mariadb-server): ");
    return FALSE;
  }
  if (!g_subprocess_wait (proc, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (proc)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "mariadb-install-db failed; see '%s'", log);
    return FALSE;
  }
  return TRUE;
}

static GSubprocess *
start_server (const char *dir, const char *datadir, const char *socket, GError **error)
{
  g_autofree char *datadir_arg = g_strdup_printf ("--datadir=%s", datadir);
  g_autofree char *socket_arg = g_strdup_printf ("--socket=%s", socket);
  g_autofree char *pid = g_build_filename (dir, "mariadbd.pid", NULL);
  g_autofree char *pid_arg = g_strdup_printf ("--pid-file=%s", pid);
  g_autofree char *log = g_build_filename (dir, "mariadbd.log", NULL);
  const char *argv[] = {
    "mariadbd", "--no-defaults", datadir_arg, socket_arg, "--skip-networking", pid_arg,
    "--innodb-buffer-pool-size=64M", "--max-connections=500",
    geteuid () == 0 ? "--user=root" : NULL, NULL,
  };
  GSubprocess *proc = spawn (argv, log, error);

  if (proc == NULL)
    g_prefix_error (error, "Cannot run mariadbd (install mariadb-server): ");
  return proc;
}

/* Waits until the server answers on its socket, then makes the database. */
static gboolean
wait_ready (VpkMariadb *m, const char *socket, GError **error)
{
  g_autoptr(VpkDbParams) root = vpk_db_params_new_socket (socket, "root", NULL);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_TIME_SPAN_SECOND;

  while (TRUE) {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(VpkDb) db = NULL;

    if (g_subprocess_get_identifier (m->proc) == NULL) {  /* reaped: it exited */
      g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "mariadbd stopped at start; see '%s/"
                   "mariadbd.log'", m->dir);
      return FALSE;
    }
    if (g_file_test (socket, G_FILE_TEST_EXISTS))
      db = vpk_db_connect (root, &local_error);
    if (db != NULL)
      return vpk_db_exec_script_statement (db, "CREATE DATABASE IF NOT EXISTS vpack "
                                           "CHARACTER SET utf8mb4", error);
    if (g_get_monotonic_time () > deadline) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "mariadbd did not answer within %d s",
                   START_TIMEOUT_S);
      return FALSE;
    }
    g_usleep (100 * 1000);
  }
}

VpkMariadb *
vpk_mariadb_start (const char *dir, GError **error)
{
  g_autofree char *datadir = g_build_filename (dir, "data", NULL);
  g_autofree char *socket = g_build_filename (dir, "mariadbd.sock", NULL);
  g_autofree char *marker = g_build_filename (datadir, "mysql", NULL);
  VpkMariadb *m;

  if (strlen (socket) > SOCKET_MAX) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "The socket path '%s' is too long for a "
                 "Unix socket: choose a shorter --state-dir", socket);
    return NULL;
  }
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Cannot create '%s'", dir);
    return NULL;
  }
  if (!g_file_test (marker, G_FILE_TEST_IS_DIR) && !install_db (dir, datadir, error))
    return NULL;
  m = g_new0 (VpkMariadb, 1);
  m->dir = g_strdup (dir);
  m->proc = start_server (dir, datadir, socket, error);
  if (m->proc == NULL || !wait_ready (m, socket, error)) {
    vpk_mariadb_stop (m);
    return NULL;
  }
  m->params = vpk_db_params_new_socket (socket, "root", "vpack");
  g_message ("Private MariaDB running on '%s'", socket);
  return m;
}

VpkDbParams *
vpk_mariadb_get_params (VpkMariadb *m)
{
  return m->params;
}

void
vpk_mariadb_stop (VpkMariadb *m)
{
  if (m == NULL)
    return;
  if (m->proc != NULL && g_subprocess_get_identifier (m->proc) != NULL) {
    g_subprocess_send_signal (m->proc, SIGTERM);
    g_subprocess_wait (m->proc, NULL, NULL);
  }
  g_clear_object (&m->proc);
  g_clear_pointer (&m->params, vpk_db_params_free);
  g_free (m->dir);
  g_free (m);
}
