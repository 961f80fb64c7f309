/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The embedded default: a private mariadbd under <state>/mariadb, on a Unix
 * socket with networking off. It runs as the user vpack runs as; as root that
 * needs --user=root (the folder is 0700 and no TCP port is opened, so nobody
 * else can reach it).
 *
 * It outlives a vpack that crashed: a vpack that starts finds it (the pid file,
 * or the process whose --datadir is ours), waits until it answers on its socket
 * and uses it; it starts one only when none runs. Every vpack using it holds a
 * shared lock on users.lock, and the last one to stop stops it. start.lock
 * makes the look-and-start and the stop one step, so that two processes never
 * start two servers on one data folder. */
#include "vpk-server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define START_TIMEOUT_S 60
#define STOP_TIMEOUT_S 60
#define SOCKET_MAX 100  /* sun_path is 108 bytes */

struct _VpkMariadb {
  GSubprocess *proc;      /* when this process started it */
  pid_t        pid;       /* the server's, started here or found running */
  char        *dir;
  VpkDbParams *params;
  int          users_fd;  /* shared lock on users.lock while this process uses it */
};

static void
install_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);  /* a short-lived helper dies with us */
}

static void
server_setup (gpointer data)
{
  /* Its own session: a Ctrl-C meant for vpack does not reach it; vpack stops it. */
  setsid ();
}

static GSubprocess *
spawn (const char * const *argv, const char *log_path, GSpawnChildSetupFunc setup,
       GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);

  g_subprocess_launcher_set_child_setup (launcher, setup, NULL, NULL);
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
  g_autoptr(GSubprocess) proc = spawn (argv, log, install_setup, error);

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
  GSubprocess *proc = spawn (argv, log, server_setup, error);

  if (proc == NULL)
    g_prefix_error (error, "Cannot run mariadbd (install mariadb-server): ");
  return proc;
}

/* TRUE when @pid runs (not a zombie) as a mariadbd on @datadir. */
static gboolean
is_our_server (pid_t pid, const char *datadir)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *want = g_strdup_printf ("--datadir=%s", datadir);
  g_autofree char *cmdline = NULL;
  g_autofree char *stat = NULL;
  gboolean ours = FALSE;
  const char *paren;
  gsize len;

  if (pid <= 0 || !g_file_get_contents (path, &cmdline, &len, NULL) ||
      !g_file_get_contents (stat_path, &stat, NULL, NULL))
    return FALSE;
  paren = strrchr (stat, ')');
  if (paren == NULL || paren[1] == '\0' || paren[2] == 'Z' || paren[2] == 'X')
    return FALSE;
  for (gsize i = 0; i < len; i += strlen (cmdline + i) + 1)
    ours = ours || strcmp (cmdline + i, want) == 0;
  return ours && g_str_has_suffix (cmdline, "mariadbd");
}

/* The running server on @datadir: the pid file's, or found among processes. */
static pid_t
find_server (const char *dir, const char *datadir)
{
  g_autofree char *pid_path = g_build_filename (dir, "mariadbd.pid", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GDir) proc = NULL;
  const char *name;
  pid_t pid;

  if (g_file_get_contents (pid_path, &text, NULL, NULL)) {
    pid = (pid_t) g_ascii_strtoll (text, NULL, 10);
    if (is_our_server (pid, datadir))
      return pid;
  }
  /* No pid file (yet), or a stale one. */
  proc = g_dir_open ("/proc", 0, NULL);
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL) {
    pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
    if (pid > 0 && is_our_server (pid, datadir))
      return pid;
  }
  return 0;
}

/* Waits until the server answers on its socket, then makes the database. A
 * server that stops meanwhile is FALSE without an error when @found. */
static gboolean
wait_ready (VpkMariadb *m, const char *datadir, const char *socket, gboolean found,
            GError **error)
{
  g_autoptr(VpkDbParams) root = vpk_db_params_new_socket (socket, "root", NULL);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_TIME_SPAN_SECOND;

  while (TRUE) {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(VpkDb) db = NULL;

    if (found ? !is_our_server (m->pid, datadir) : g_subprocess_get_identifier (m->proc) == NULL) {
      if (!found)  /* reaped: it exited */
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
      g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "mariadbd (pid %d) did not answer on '%s' "
                   "within %d s", (int) m->pid, socket, START_TIMEOUT_S);
      return FALSE;
    }
    g_usleep (100 * 1000);
  }
}

/* An fd of <dir>/@name locked with @operation (LOCK_EX, LOCK_SH), or -1. */
static int
lock_file (const char *dir, const char *name, int operation, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int errsv;

  while (fd >= 0 && flock (fd, operation) != 0)
    if (errno != EINTR) {
      errsv = errno;
      close (fd);
      errno = errsv;
      fd = -1;
    }
  if (fd < 0) {
    errsv = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "Cannot lock '%s': %s",
                 path, g_strerror (errsv));
  }
  return fd;
}

/* Sends SIGTERM and waits for the server to exit. */
static void
stop_server (VpkMariadb *m)
{
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_S * G_TIME_SPAN_SECOND;
  g_autofree char *datadir = g_build_filename (m->dir, "data", NULL);

  if (m->proc != NULL) {
    if (g_subprocess_get_identifier (m->proc) != NULL) {
      g_subprocess_send_signal (m->proc, SIGTERM);
      g_subprocess_wait (m->proc, NULL, NULL);
    }
    return;
  }
  if (m->pid <= 0 || kill (m->pid, SIGTERM) != 0)
    return;
  /* Not our child: its parent (or init) reaps it. */
  while (is_our_server (m->pid, datadir) && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
}

static void
mariadb_free (VpkMariadb *m)
{
  if (m->users_fd >= 0)
    close (m->users_fd);
  g_clear_object (&m->proc);
  g_clear_pointer (&m->params, vpk_db_params_free);
  g_free (m->dir);
  g_free (m);
}

/* Uses the server that runs on @datadir, or starts one. Under start.lock. */
static gboolean
find_or_start (VpkMariadb *m, const char *datadir, const char *socket, GError **error)
{
  g_autofree char *marker = g_build_filename (datadir, "mysql", NULL);

  m->pid = find_server (m->dir, datadir);
  if (m->pid > 0) {
    g_autoptr(GError) local_error = NULL;

    g_message ("Private MariaDB already running (pid %d): using it", (int) m->pid);
    if (wait_ready (m, datadir, socket, TRUE, &local_error))
      return TRUE;
    if (local_error != NULL) {  /* it runs but does not answer: never start a second one */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    g_message ("Private MariaDB (pid %d) stopped meanwhile: starting one", (int) m->pid);
  }
  if (!g_file_test (marker, G_FILE_TEST_IS_DIR) && !install_db (m->dir, datadir, error))
    return FALSE;
  m->proc = start_server (m->dir, datadir, socket, error);
  if (m->proc == NULL)
    return FALSE;
  m->pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (m->proc), NULL, 10);
  if (!wait_ready (m, datadir, socket, FALSE, error)) {
    stop_server (m);
    return FALSE;
  }
  return TRUE;
}

VpkMariadb *
vpk_mariadb_start (const char *dir, GError **error)
{
  g_autofree char *datadir = g_build_filename (dir, "data", NULL);
  g_autofree char *socket = g_build_filename (dir, "mariadbd.sock", NULL);
  VpkMariadb *m;
  int start_fd;

  if (strlen (socket) > SOCKET_MAX) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "The socket path '%s' is too long for a "
                 "Unix socket: choose a shorter --state-dir", socket);
    return NULL;
  }
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_DB, "Cannot create '%s'", dir);
    return NULL;
  }
  start_fd = lock_file (dir, "start.lock", LOCK_EX, error);
  if (start_fd < 0)
    return NULL;
  m = g_new0 (VpkMariadb, 1);
  m->dir = g_strdup (dir);
  m->users_fd = -1;
  if (!find_or_start (m, datadir, socket, error) ||
      (m->users_fd = lock_file (dir, "users.lock", LOCK_SH, error)) < 0) {
    close (start_fd);
    mariadb_free (m);
    return NULL;
  }
  close (start_fd);
  m->params = vpk_db_params_new_socket (socket, "root", "vpack");
  g_message ("Private MariaDB running on '%s' (pid %d)", socket, (int) m->pid);
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
  g_autoptr(GError) error = NULL;
  int start_fd;

  if (m == NULL)
    return;
  start_fd = lock_file (m->dir, "start.lock", LOCK_EX, &error);
  if (start_fd < 0)
    g_warning ("%s", error->message);
  /* Only the last process using it stops it (a conversion that fails keeps
   * no lock: we are leaving anyway). */
  if (flock (m->users_fd, LOCK_EX | LOCK_NB) == 0)
    stop_server (m);
  else
    g_message ("Private MariaDB left running for the other vpack processes using it");
  if (start_fd >= 0)
    close (start_fd);
  mariadb_free (m);
}
