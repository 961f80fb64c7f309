/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes for the fault tests, and the checks they share. */
#include "fault-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define MAX_TRACKED 64
#define START_TIMEOUT_S 90

/* Read by a signal handler: plain array, no locks (the tests are one thread). */
static volatile sig_atomic_t tracked[MAX_TRACKED];

void
fault_track (GPid pid)
{
  for (guint i = 0; i < MAX_TRACKED; i++)
    if (tracked[i] == 0) {
      tracked[i] = pid;
      return;
    }
  g_error ("More than %d processes to track", MAX_TRACKED);
}

void
fault_forget (GPid pid)
{
  for (guint i = 0; i < MAX_TRACKED; i++)
    if (tracked[i] == pid)
      tracked[i] = 0;
}

static char mount_path[256];

void
fault_track_mount (const char *path)
{
  g_assert_cmpuint (strlen (path), <, sizeof mount_path);
  strcpy (mount_path, path);
}

void
fault_kill_all (void)
{
  for (guint i = 0; i < MAX_TRACKED; i++)
    if (tracked[i] > 0) {
      kill (tracked[i], SIGKILL);  /* async-signal-safe */
      tracked[i] = 0;
    }
  if (mount_path[0] != '\0') {
    umount2 (mount_path, MNT_DETACH);
    mount_path[0] = '\0';
  }
}

gboolean
fault_process_gone (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return TRUE;
  paren = strrchr (text, ')');
  return paren != NULL && paren[1] != '\0' && (paren[2] == 'Z' || paren[2] == 'X');
}

static void
on_fatal_signal (int sig)
{
  fault_kill_all ();
  signal (sig, SIG_DFL);
  raise (sig);
}

void
fault_init (void)
{
  static const int sigs[] = { SIGABRT, SIGTERM, SIGINT, SIGSEGV, SIGBUS, SIGTRAP };

  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    signal (sigs[i], on_fatal_signal);
  atexit (fault_kill_all);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

char *
fault_make_dir (const char *prefix)
{
  g_autofree char *tmpl = g_strdup_printf ("/tmp/%s-XXXXXX", prefix);
  char *dir = g_mkdtemp (g_steal_pointer (&tmpl));

  g_assert_nonnull (dir);
  return dir;
}

void
fault_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      fault_remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

guint
fault_free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (sock);
  g_assert_true (g_socket_bind (sock, any, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

char *
fault_make_clip (const char *dir, guint seconds)
{
  g_autofree char *path = g_build_filename (dir, "clip.mp4", NULL);
  g_autofree char *duration = g_strdup_printf ("%u", seconds);
  const char *argv[] = {
    "ffmpeg", "-nostdin", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
    "-t", duration, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-b:v", "1500k",
    "-c:a", "aac", "-shortest", path, NULL,
  };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&path);
}

/* ---- vpack serve ---- */

static guint n_started;

static gboolean
server_answers (FaultServer *s)
{
  guint status = 0;
  g_autoptr(JsonNode) node = fault_request (s, "GET", "/healthz", NULL, NULL, &status);

  return status != 0;
}

FaultServer *
fault_server_start (const char *state_dir, guint port, const char * const *sets)
{
  FaultServer *s = g_new0 (FaultServer, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_TIME_SPAN_SECOND;

  g_assert_nonnull (g_getenv ("VPACK"));
  s->state_dir = g_strdup (state_dir);
  s->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  s->log_path = g_strdup_printf ("%s.%u.%u.log", state_dir, port, n_started++);
  s->session = soup_session_new_with_options ("timeout", 30, NULL);
  g_ptr_array_add (argv, g_strdup (g_getenv ("VPACK")));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--listen=127.0.0.1:%u", port));
  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--set=%s", sets[i]));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, s->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  s->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (s->proc), NULL, 10);
  fault_track (s->pid);
  while (!server_answers (s)) {
    if (g_subprocess_get_identifier (s->proc) == NULL || g_get_monotonic_time () > deadline) {
      fault_server_dump_log (s);
      g_error ("vpack serve on port %u did not start (see the log above)", port);
    }
    g_usleep (50 * 1000);
  }
  return s;
}

void
fault_server_kill (FaultServer *s)
{
  g_subprocess_force_exit (s->proc);
  g_subprocess_wait (s->proc, NULL, NULL);
  fault_forget (s->pid);
}

void
fault_server_stop (FaultServer *s)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (s->proc, SIGTERM);
  g_subprocess_wait (s->proc, NULL, &error);
  g_assert_no_error (error);
  fault_forget (s->pid);
  if (!g_subprocess_get_if_exited (s->proc) || g_subprocess_get_exit_status (s->proc) != 0)
    fault_server_dump_log (s);
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
}

void
fault_server_free (FaultServer *s)
{
  if (s == NULL)
    return;
  if (g_subprocess_get_identifier (s->proc) != NULL)
    fault_server_kill (s);
  if (g_getenv ("VPK_TEST_KEEP") == NULL)
    g_unlink (s->log_path);
  g_object_unref (s->proc);
  g_object_unref (s->session);
  g_free (s->state_dir);
  g_free (s->url);
  g_free (s->log_path);
  g_free (s);
}

void
fault_server_dump_log (FaultServer *s)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (!g_file_get_contents (s->log_path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = n > 60 ? n - 60 : 0; i < n; i++)
    g_test_message ("[vpack %d] %s", (int) s->pid, lines[i]);
}

JsonNode *
fault_request (FaultServer *s, const char *method, const char *path, const char *json_body,
               const char *token_dir, guint *out_status)
{
  g_autofree char *url = g_strconcat (s->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autofree char *token_path = g_build_filename (token_dir != NULL ? token_dir : s->state_dir,
                                                  "admin-token", NULL);
  g_autofree char *token = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (json_body != NULL) {
    g_autoptr(GBytes) request = g_bytes_new (json_body, strlen (json_body));

    soup_message_set_request_body_from_bytes (msg, "application/json", request);
  }
  if (g_file_get_contents (token_path, &token, NULL, NULL)) {
    g_autofree char *bearer = g_strconcat ("Bearer ", g_strstrip (token), NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
  }
  body = soup_session_send_and_read (s->session, msg, NULL, NULL);
  *out_status = body != NULL ? soup_message_get_status (msg) : 0;
  if (body == NULL || g_bytes_get_size (body) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

gint64
fault_upload (FaultServer *s, const char *file, const char *token_dir)
{
  g_autofree char *url = g_strconcat (s->url, "/input_content", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);
  g_autoptr(SoupMessageHeaders) h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *token_path = g_build_filename (token_dir != NULL ? token_dir : s->state_dir,
                                                  "admin-token", NULL);
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (mapped);
  data = g_mapped_file_get_bytes (mapped);
  soup_multipart_append_form_file (mp, "file", "clip.mp4", "video/mp4", data);
  soup_multipart_to_message (mp, h, &body);
  soup_message_set_request_body_from_bytes (msg, soup_message_headers_get_one (h, "Content-Type"),
                                            body);
  if (g_file_get_contents (token_path, &token, NULL, NULL)) {
    g_autofree char *bearer = g_strconcat ("Bearer ", g_strstrip (token), NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
  }
  reply = soup_session_send_and_read (s->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                     "input_content_id");
}

gint64
fault_submit (FaultServer *s, gint64 input_id, const char *token_dir)
{
  g_autofree char *json = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT ", "
                                           "\"key\": \"" FAULT_KEY "\", \"kid\": \"" FAULT_KID
                                           "\"}", input_id);
  guint status = 0;
  g_autoptr(JsonNode) node = fault_request (s, "POST", "/packaged_content", json, token_dir,
                                            &status);

  g_assert_cmpuint (status, ==, 202);
  g_assert_nonnull (node);
  return json_object_get_int_member (json_node_get_object (node), "packaged_content_id");
}

int
fault_run (guint clip_seconds, char **clip)
{
  g_autofree char *media = NULL;
  int rc;

  fault_init ();
  media = fault_make_dir ("vpk-fault-media");
  *clip = fault_make_clip (media, clip_seconds);
  rc = g_test_run ();
  fault_remove_tree (media);
  g_clear_pointer (clip, g_free);
  return rc;
}
