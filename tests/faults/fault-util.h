/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Fault tests with real processes: `vpack serve` processes, an external
 * mariadbd, and what the tests need to watch them. Every process a test starts
 * is killed (SIGKILL, by pid) when the test ends, also when it fails. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define FAULT_KEY "hyN9IKGfWKdAwFaE5pm0qg"
#define FAULT_KID "oW5AK5BW43HzbTSKpiu3SQ"

/* Installs the kill-everything handlers; call first in main(). */
void         fault_init            (void);
/* Remembers @pid to kill at the end; fault_forget() when it was reaped. */
void         fault_track           (GPid pid);
void         fault_forget          (GPid pid);
void         fault_kill_all        (void);
/* Lazily unmounts @path when the test ends, also when it fails. */
void         fault_track_mount     (const char *path);
/* TRUE when @pid has exited (a zombie counts as exited). */
gboolean     fault_process_gone    (GPid pid);
/* A new folder under /tmp with a short name (Unix socket paths are short). */
char        *fault_make_dir        (const char *prefix);
void         fault_remove_tree     (const char *path);
guint        fault_free_port       (void);
/* A test clip: @seconds of 640x360 H.264 + AAC, made with ffmpeg. */
char        *fault_make_clip       (const char *dir, guint seconds);
/* The rest of a fault test's main, after g_test_init() and adding its tests:
 * fault_init(), a clip of @clip_seconds (its path in *@clip while the tests
 * run, in a folder removed after them), g_test_run(). */
int          fault_run             (guint clip_seconds, char **clip);

typedef struct {
  GSubprocess *proc;
  GPid         pid;
  char        *state_dir;
  char        *url;        /* http://127.0.0.1:PORT */
  char        *log_path;   /* stdout and stderr */
  SoupSession *session;
} FaultServer;

/* Starts `vpack serve` on @port with "--set" @sets (NULL-terminated) and waits
 * until /healthz answers (any status); aborts the test when it exits first. */
FaultServer *fault_server_start    (const char *state_dir, guint port, const char * const *sets);
/* SIGKILL, reaped. */
void         fault_server_kill     (FaultServer *s);
/* SIGTERM; asserts a clean exit 0. */
void         fault_server_stop     (FaultServer *s);
void         fault_server_free     (FaultServer *s);
/* Prints the process's log as test messages (on failure). */
void         fault_server_dump_log (FaultServer *s);

/* One request; *out_status set; the body parsed as JSON (NULL if not JSON). The
 * admin token of @token_dir's admin-token, if any, rides along. */
JsonNode    *fault_request         (FaultServer *s, const char *method, const char *path,
                                    const char *json_body, const char *token_dir,
                                    guint *out_status);
gint64       fault_upload          (FaultServer *s, const char *file, const char *token_dir);
gint64       fault_submit          (FaultServer *s, gint64 input_id, const char *token_dir);

/* An external mariadbd on 127.0.0.1:@port (and a socket) in @dir. */
typedef struct {
  char        *dir;
  char        *socket;
  guint        port;
  GSubprocess *proc;
  GPid         pid;
} FaultMariadb;

FaultMariadb *fault_mariadb_new     (const char *dir);
void          fault_mariadb_start   (FaultMariadb *m);
void          fault_mariadb_kill    (FaultMariadb *m);
void          fault_mariadb_free    (FaultMariadb *m);
char         *fault_mariadb_url     (FaultMariadb *m);

/* Runs @sql on @socket, database vpack: rows of tab-separated columns ("NULL"
 * for NULL), or NULL when it fails. */
GStrv        fault_sql             (const char *socket, const char *sql);
/* Each published folder of @output holds stream.mpd and every file it names:
 * FALSE (with *out_why) otherwise. */
gboolean     fault_output_is_whole (const char *output, char **out_why);
/* `$VPACK verify` of @package against @source with the test key. */
gboolean     fault_verify          (const char *package, const char *source);
/* Per job: at most one completion of each stage and exactly one Ready
 * in job_events, for jobs @first_id.. Asserts; returns the number of resumes. */
guint        fault_assert_once     (const char *socket, gint64 first_id, guint n_jobs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultServer, fault_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultMariadb, fault_mariadb_free)

G_END_DECLS
