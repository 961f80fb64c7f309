/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starts `vpack serve` for the server tests, and an HTTP client for them. */
#include "vpk-test-server.h"

#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <glib/gstdio.h>

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static guint
free_port (void)
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

static void
read_admin_token (VpkTestServer *s)
{
  g_autofree char *path = g_build_filename (s->state_dir, "admin-token", NULL);
  char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    s->admin_token = g_strstrip (text);
  s->token = g_strdup (s->admin_token);
}

static GPtrArray *
server_argv (const char *state_dir, guint workers, const char * const *extra)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *vpack = g_getenv ("VPACK");
  g_auto(GStrv) env_sets = g_strsplit (g_getenv ("VPK_TEST_SERVER_SET") != NULL
                                       ? g_getenv ("VPK_TEST_SERVER_SET") : "", " ", -1);

  g_assert_nonnull (vpack);
  g_ptr_array_add (argv, g_strdup (vpack));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--listen=127.0.0.1:%u", free_port ()));
  g_ptr_array_add (argv, g_strdup_printf ("--set=server.workers=%u", workers));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--set=%s", extra[i]));
  /* For debugging against another pipeline: "pipeline.ingest=native ...". */
  for (guint i = 0; env_sets != NULL && env_sets[i] != NULL; i++)
    if (*env_sets[i] != '\0')
      g_ptr_array_add (argv, g_strdup_printf ("--set=%s", env_sets[i]));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Starts `vpack serve` in s->state_dir; waits for its "listening" line. */
static void
spawn_server (VpkTestServer *s, guint workers, const char * const *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = server_argv (s->state_dir, workers, extra);
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (s->stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, s->stderr_path);
  /* If the test dies, so does its server (and the server's mariadbd). */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  s->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line (s->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);  /* NULL: vpack serve exited; its stderr says why */
  g_assert_true (g_str_has_prefix (line, "vpack serve: listening on http://"));
  g_free (s->url);
  s->url = g_strndup (line + strlen ("vpack serve: listening on "),
                      strlen (line) - strlen ("vpack serve: listening on ") - 1);
  g_clear_pointer (&s->admin_token, g_free);
  g_clear_pointer (&s->token, g_free);
  read_admin_token (s);
}

VpkTestServer *
vpk_test_server_start_full (const char *state_dir, guint workers, const char * const *extra,
                            gboolean capture)
{
  VpkTestServer *s = g_new0 (VpkTestServer, 1);
  g_autoptr(GError) error = NULL;

  s->state_dir = state_dir != NULL ? g_strdup (state_dir) : g_dir_make_tmp ("vpk-srv-XXXXXX",
                                                                            &error);
  g_assert_no_error (error);
  if (capture)
    s->stderr_path = g_strconcat (s->state_dir, ".stderr", NULL);
  spawn_server (s, workers, extra);
  s->session = soup_session_new_with_options ("timeout", 120, "max-conns", 64,
                                              "max-conns-per-host", 64, NULL);
  return s;
}

void
vpk_test_server_restart (VpkTestServer *s, guint workers, const char * const *extra)
{
  vpk_test_server_halt (s);
  g_clear_pointer (&s->stdout_rest, g_free);
  if (s->stderr_path != NULL)
    g_remove (s->stderr_path);  /* GSubprocessLauncher appends */
  spawn_server (s, workers, extra);
}

VpkTestServer *
vpk_test_server_start (guint workers, const char * const *extra)
{
  return vpk_test_server_start_full (NULL, workers, extra, FALSE);
}

void
vpk_test_server_set_token (VpkTestServer *s, const char *token)
{
  g_free (s->token);
  s->token = g_strdup (token);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (
      file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL) {
    g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      remove_tree (child);
    else
      g_remove (child);
    g_object_unref (info);
  }
  g_remove (path);
}

void
vpk_test_server_halt (VpkTestServer *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) rest = g_memory_output_stream_new_resizable ();

  if (s->proc == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGTERM);
  g_subprocess_wait (s->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
  /* What the server printed after its first line (the end of its log, if any). */
  g_output_stream_splice (rest, G_INPUT_STREAM (s->out), G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                          NULL, NULL);
  s->stdout_rest = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (rest)),
                              g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (rest)));
  g_clear_object (&s->out);
  g_clear_object (&s->proc);
}

void
vpk_test_server_stop (VpkTestServer *s)
{
  vpk_test_server_halt (s);
  if (g_getenv ("VPK_TEST_KEEP") == NULL) {
    remove_tree (s->state_dir);
    if (s->stderr_path != NULL)
      g_remove (s->stderr_path);
  }
  g_object_unref (s->session);
  g_free (s->state_dir);
  g_free (s->url);
  g_free (s->admin_token);
  g_free (s->token);
  g_free (s->stderr_path);
  g_free (s->stdout_rest);
  g_free (s);
}

void
vpk_test_reply_free (VpkTestReply *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}

VpkTestReply *
vpk_test_request (VpkTestServer *s, const char *method, const char *path,
                  const char *content_type, GBytes *body, const char * const *headers)
{
  g_autofree char *url = g_strconcat (s->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  VpkTestReply *r = g_new0 (VpkTestReply, 1);

  g_assert_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  if (s->token != NULL) {
    g_autofree char *bearer = g_strconcat ("Bearer ", s->token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
  }
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i],
                                  headers[i + 1]);
  r->body = soup_session_send_and_read (s->session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (g_bytes_get_size (r->body) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (r->body, NULL),
                                  (gssize) g_bytes_get_size (r->body), NULL) &&
      json_parser_get_root (parser) != NULL)
    r->json = json_node_copy (json_parser_get_root (parser));
  return r;
}

VpkTestReply *
vpk_test_post_json (VpkTestServer *s, const char *path, const char *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return vpk_test_request (s, "POST", path, "application/json", body, NULL);
}

VpkTestReply *
vpk_test_upload (VpkTestServer *s, const char *path, const char *file, const char *filename)
{
  g_autoptr(SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessageHeaders) h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);

  g_assert_nonnull (mapped);
  data = g_mapped_file_get_bytes (mapped);
  soup_multipart_append_form_string (mp, "note", "hello");
  soup_multipart_append_form_file (mp, "file", filename, "video/mp4", data);
  soup_multipart_to_message (mp, h, &body);
  return vpk_test_request (s, "POST", path, soup_message_headers_get_content_type (h, NULL)
                           ? soup_message_headers_get_one (h, "Content-Type") : NULL,
                           body, NULL);
}

JsonObject *
vpk_test_reply_object (VpkTestReply *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

char *
vpk_test_make_media (const char *dir, const char *name, const char *args)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *cmd = g_strdup_printf ("ffmpeg -nostdin -loglevel error -y %s '%s'", args,
                                          path);
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&path);
}

char *
vpk_test_content_path (VpkTestServer *s,
                       gint64         id)
{
  g_autofree char *path = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  g_autoptr(VpkTestReply) r = vpk_test_request (s, "GET", path, NULL, NULL, NULL);
  g_autofree char *pattern = g_strdup_printf ("/content/%" G_GINT64_FORMAT "-[0-9a-f]{32}/stream\\.mpd$", id);
  const char *url, *start;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  url = json_object_get_string_member_with_default (json_node_get_object (r->json), "url", NULL);
  g_assert_nonnull (url);
  g_assert_true (g_regex_match_simple (pattern, url, 0, 0));
  start = strstr (url, "/content/");
  return g_strndup (start, strlen (start) - strlen ("/stream.mpd"));
}
