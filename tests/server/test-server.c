/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack serve` end to end: a real MariaDB (the private default), real HTTP
 * over loopback, the default (native) pipeline. */
#include "vpk-test-server.h"

#include <string.h>
#include <glib/gstdio.h>

#define KEY "hyN9IKGfWKdAwFaE5pm0qg"
#define KID "oW5AK5BW43HzbTSKpiu3SQ"
#define OTHER_KID "AAAAAAAAAAAAAAAAAAAAAA"
#define STATIC_BYTES(s) g_bytes_new_static (s, sizeof (s) - 1)

static VpkTestServer *server;
static char *media_dir;
static char *video_path;

static const char *
member_string (VpkTestReply *r, const char *name)
{
  return json_object_get_string_member_with_default (vpk_test_reply_object (r), name, NULL);
}

static const char *
error_code (VpkTestReply *r)
{
  JsonObject *o = vpk_test_reply_object (r);

  g_assert_true (json_object_has_member (o, "error"));
  return json_object_get_string_member (json_object_get_object_member (o, "error"), "code");
}

static gint64
upload_video (void)
{
  g_autoptr(VpkTestReply) r = vpk_test_upload (server, "/input_content", video_path, "in.mp4");

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (member_string (r, "status"), ==, "Ingested");
  g_assert_cmpint (json_object_get_int_member (vpk_test_reply_object (r), "video_track_number"),
                   >, 0);
  return json_object_get_int_member (vpk_test_reply_object (r), "input_content_id");
}

static gint64
package (gint64 input_id)
{
  g_autofree char *json = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT ", "
                                           "\"key\": \"" KEY "\", \"kid\": \"" KID "\"}",
                                           input_id);
  g_autoptr(VpkTestReply) r = vpk_test_post_json (server, "/packaged_content", json);

  g_assert_cmpuint (r->status, ==, 202);
  g_assert_cmpstr (member_string (r, "status"), ==, "Queued");
  g_assert_nonnull (member_string (r, "status_url"));
  return json_object_get_int_member (vpk_test_reply_object (r), "packaged_content_id");
}

/* Polls until a final status; returns the last reply. */
static VpkTestReply *
wait_final (gint64 id, double timeout_s)
{
  g_autofree char *path = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_TIME_SPAN_SECOND);

  while (TRUE) {
    VpkTestReply *r = vpk_test_request (server, "GET", path, NULL, NULL, NULL);
    const char *status;

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_false (json_object_has_member (vpk_test_reply_object (r), "key"));
    status = member_string (r, "status");
    if (g_strcmp0 (status, "Ready") == 0 || g_strcmp0 (status, "Failed") == 0 ||
        g_strcmp0 (status, "Cancelled") == 0 || g_get_monotonic_time () > deadline)
      return r;
    vpk_test_reply_free (r);
    g_usleep (200 * 1000);
  }
}

static void
assert_ready (VpkTestReply *r)
{
  if (g_strcmp0 (member_string (r, "status"), "Ready") != 0)
    g_test_message ("job ended %s: %s", member_string (r, "status"),
                    member_string (r, "error") ? member_string (r, "error") : "(no error)");
  g_assert_cmpstr (member_string (r, "status"), ==, "Ready");
}

static void
test_health (void)
{
  g_autoptr(VpkTestReply) health = NULL;
  g_autoptr(VpkTestReply) api = NULL;
  g_autoptr(VpkTestReply) metrics = NULL;
  g_autofree char *text = NULL;

  g_test_summary ("/healthz reaches the database, /openapi.json and /metrics answer.");
  health = vpk_test_request (server, "GET", "/healthz", NULL, NULL, NULL);
  g_assert_cmpuint (health->status, ==, 200);
  g_assert_cmpstr (member_string (health, "database"), ==, "ok");
  api = vpk_test_request (server, "GET", "/openapi.json", NULL, NULL, NULL);
  g_assert_cmpuint (api->status, ==, 200);
  g_assert_true (json_object_has_member (vpk_test_reply_object (api), "paths"));
  metrics = vpk_test_request (server, "GET", "/metrics", NULL, NULL, NULL);
  g_assert_cmpuint (metrics->status, ==, 200);
  text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));
  g_assert_nonnull (strstr (text, "vpack_jobs{status=\"Ready\"}"));
  g_assert_nonnull (strstr (text, "vpack_http_requests_total{route=\"healthz\",status=\"200\"}"));
}

/* Fetches every file of the published package through /content into @outdir. */
static void
fetch_tree (const char *disk_dir, const char *url_prefix, const char *outdir)
{
  g_autoptr(GDir) dir = g_dir_open (disk_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (outdir, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *disk = g_build_filename (disk_dir, name, NULL);
    g_autofree char *url = g_strdup_printf ("%s/%s", url_prefix, name);
    g_autofree char *out = g_build_filename (outdir, name, NULL);
    g_autofree char *expected = NULL;
    gsize expected_len = 0;
    g_autoptr(VpkTestReply) r = NULL;

    if (g_file_test (disk, G_FILE_TEST_IS_DIR)) {
      fetch_tree (disk, url, out);
      continue;
    }
    r = vpk_test_request (server, "GET", url, NULL, NULL, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Access-Control-Allow-Origin"),
                     ==, "*");
    g_assert_nonnull (soup_message_headers_get_one (r->headers, "ETag"));
    g_assert_true (g_file_get_contents (disk, &expected, &expected_len, NULL));
    g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body),
                     expected, expected_len);
    g_assert_true (g_file_set_contents (out, expected, (gssize) expected_len, NULL));
    if (g_str_has_suffix (name, ".mpd"))
      g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==,
                       "application/dash+xml");
  }
}

static char *
license_path_from_mpd (const char *outdir)
{
  g_autofree char *mpd_path = g_build_filename (outdir, "stream.mpd", NULL);
  g_autofree char *mpd = NULL;
  const char *at, *end;

  g_assert_true (g_file_get_contents (mpd_path, &mpd, NULL, NULL));
  at = strstr (mpd, "/license?token=");
  g_assert_nonnull (at);  /* the service writes its license URL into the MPD */
  end = at + strspn (at, "/licensetokn?=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-_");
  return g_strndup (at, end - at);
}

static void
check_license (const char *license_path)
{
  g_autoptr(VpkTestReply) ok = vpk_test_post_json (server, license_path,
      "{\"kids\": [\"" KID "\"], \"type\": \"temporary\"}");
  g_autoptr(VpkTestReply) other = vpk_test_post_json (server, license_path,
      "{\"kids\": [\"" OTHER_KID "\"], \"type\": \"temporary\"}");
  g_autoptr(VpkTestReply) no_token = vpk_test_post_json (server, "/license",
      "{\"kids\": [\"" KID "\"], \"type\": \"temporary\"}");
  JsonObject *key;

  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (member_string (ok, "type"), ==, "temporary");
  key = json_array_get_object_element (
      json_object_get_array_member (vpk_test_reply_object (ok), "keys"), 0);
  g_assert_cmpstr (json_object_get_string_member (key, "kty"), ==, "oct");
  g_assert_cmpstr (json_object_get_string_member (key, "kid"), ==, KID);
  g_assert_cmpstr (json_object_get_string_member (key, "k"), ==, KEY);
  g_assert_cmpuint (other->status, ==, 404);
  g_assert_cmpuint (no_token->status, ==, 403);
}

static void
test_flow (void)
{
  gint64 input = upload_video ();
  gint64 id = package (input);
  g_autoptr(VpkTestReply) done = wait_final (id, 120);
  g_autofree char *prefix = vpk_test_content_path (server, id);
  g_autofree char *disk = g_strdup_printf ("%s/output/%s", server->state_dir,
                                           prefix + strlen ("/content/"));
  g_autofree char *outdir = g_build_filename (media_dir, "fetched", NULL);
  g_autofree char *license = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_test_summary ("The original flow: upload, package with the original example key, poll to "
                  "Ready, fetch every file through /content, vpack verify, /license.");
  assert_ready (done);
  g_assert_true (g_str_has_suffix (member_string (done, "url"), "/stream.mpd"));
  g_assert_cmpstr (member_string (done, "kid"), ==, KID);
  fetch_tree (disk, prefix, outdir);
  cmd = g_strdup_printf ("'%s' verify '%s' --key " KEY " --kid " KID, g_getenv ("VPACK"), outdir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("vpack verify: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  license = license_path_from_mpd (outdir);
  check_license (license);
}

static void
test_errors_upload (void)
{
  g_autofree char *audio = vpk_test_make_media (media_dir, "audio.m4a",
      "-f lavfi -i sine=frequency=440 -c:a aac -t 2");
  g_autoptr(VpkTestReply) no_video = vpk_test_upload (server, "/input_content", audio, "a.m4a");
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (21 << 20), 21 << 20);
  g_autoptr(VpkTestReply) too_big = vpk_test_request (server, "POST", "/input_content",
                                                      "video/mp4", big, NULL);
  g_autoptr(GBytes) form = STATIC_BYTES ("--XyZ\r\nContent-Disposition: form-data; "
      "name=\"note\"\r\n\r\nhello\r\n--XyZ--\r\n");
  g_autoptr(VpkTestReply) no_file = vpk_test_request (server, "POST", "/input_content",
      "multipart/form-data; boundary=XyZ", form, NULL);
  g_autoptr(GBytes) broken = STATIC_BYTES ("--XyZ\r\nContent-Disposition: form-data; "
      "name=\"file\"; filename=\"x.mp4\"\r\n\r\nabc");
  g_autoptr(VpkTestReply) truncated = vpk_test_request (server, "POST", "/input_content",
      "multipart/form-data; boundary=XyZ", broken, NULL);
  g_autoptr(VpkTestReply) text = vpk_test_post_json (server, "/input_content", "{}");
  g_autoptr(GDir) inputs = NULL;
  g_autofree char *inputs_dir = g_build_filename (server->state_dir, "inputs", NULL);

  g_test_summary ("Uploads: no video 422, too large 413, no file 400, truncated 400, wrong type "
                  "415, and nothing is left behind.");
  g_assert_cmpuint (no_video->status, ==, 422);
  g_assert_cmpstr (error_code (no_video), ==, "unprocessable");
  g_assert_cmpuint (too_big->status, ==, 413);
  g_assert_cmpstr (error_code (too_big), ==, "payload_too_large");
  g_assert_cmpuint (no_file->status, ==, 400);
  g_assert_cmpstr (error_code (no_file), ==, "no_file");
  g_assert_cmpuint (truncated->status, ==, 400);
  g_assert_cmpuint (text->status, ==, 415);
  inputs = g_dir_open (inputs_dir, 0, NULL);
  for (const char *n; (n = g_dir_read_name (inputs)) != NULL;)
    g_assert_false (g_str_has_prefix (n, ".upload-"));  /* failed uploads are removed */
}

static void
test_errors_traversal (void)
{
  g_autoptr(VpkTestReply) up = vpk_test_upload (server, "/input_content", video_path,
                                                "../../../../tmp/evil\".mp4");
  g_autoptr(VpkTestReply) c1 = vpk_test_request (server, "GET", "/content/..%2F..%2Fmariadb",
                                                 NULL, NULL, NULL);
  g_autoptr(VpkTestReply) c2 = vpk_test_request (server, "GET", "/content/%2e%2e/inputs",
                                                 NULL, NULL, NULL);
  g_autoptr(VpkTestReply) c3 = vpk_test_request (server, "GET", "/content/1/..%5c..%5cx",
                                                 NULL, NULL, NULL);
  g_autoptr(GDir) inputs = NULL;
  g_autofree char *inputs_dir = g_build_filename (server->state_dir, "inputs", NULL);

  g_test_summary ("A path-traversal filename is display-only; /content never leaves output/.");
  g_assert_cmpuint (up->status, ==, 201);
  g_assert_cmpstr (member_string (up, "filename"), ==, "evil\".mp4");
  g_assert_false (g_file_test ("/tmp/evil\".mp4", G_FILE_TEST_EXISTS));
  inputs = g_dir_open (inputs_dir, 0, NULL);
  for (const char *n; (n = g_dir_read_name (inputs)) != NULL;)
    g_assert_null (strstr (n, "evil"));  /* stored names are generated */
  g_assert_true (c1->status == 404 || c1->status == 400);  /* libsoup refuses some first */
  g_assert_true (c2->status == 404 || c2->status == 400);  /* libsoup refuses some first */
  g_assert_true (c3->status == 404 || c3->status == 400);  /* libsoup refuses some first */
}

static void
test_errors_json (void)
{
  gint64 input = upload_video ();
  g_autofree char *bad_key = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT
                                              ", \"key\": \"nope\", \"kid\": \"" KID "\"}", input);
  g_autoptr(VpkTestReply) r_bad_key = vpk_test_post_json (server, "/packaged_content", bad_key);
  g_autoptr(VpkTestReply) r_malformed = vpk_test_post_json (server, "/packaged_content", "{\"a\":");
  g_autoptr(VpkTestReply) r_unknown = vpk_test_post_json (server, "/packaged_content",
      "{\"input_content_id\": 999999, \"key\": \"" KEY "\", \"kid\": \"" KID "\"}");
  g_autoptr(VpkTestReply) r_missing = vpk_test_post_json (server, "/packaged_content", "{}");
  g_autoptr(VpkTestReply) r_get = vpk_test_request (server, "GET", "/packaged_content/424242",
                                                    NULL, NULL, NULL);
  g_autoptr(VpkTestReply) r_input = vpk_test_request (server, "GET", "/input_content/424242",
                                                      NULL, NULL, NULL);
  g_autoptr(VpkTestReply) r_route = vpk_test_request (server, "GET", "/nope", NULL, NULL, NULL);
  g_autoptr(VpkTestReply) r_method = vpk_test_request (server, "PUT", "/packaged_content",
                                                       NULL, NULL, NULL);
  g_autoptr(VpkTestReply) r_id = vpk_test_request (server, "GET", "/packaged_content/abc",
                                                   NULL, NULL, NULL);

  g_test_summary ("JSON requests: bad key 422 naming the forms, malformed 400, unknown input "
                  "404, missing fields 422, unknown ids and routes 404, wrong method 405.");
  g_assert_cmpuint (r_bad_key->status, ==, 422);
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (
      vpk_test_reply_object (r_bad_key), "error"), "message"), "base64url"));
  g_assert_cmpuint (r_malformed->status, ==, 400);
  g_assert_cmpuint (r_unknown->status, ==, 404);
  g_assert_cmpuint (r_missing->status, ==, 422);
  g_assert_cmpuint (r_get->status, ==, 404);
  g_assert_cmpuint (r_input->status, ==, 404);
  g_assert_cmpuint (r_route->status, ==, 404);
  g_assert_cmpuint (r_method->status, ==, 405);
  g_assert_cmpstr (error_code (r_method), ==, "method_not_allowed");
  g_assert_nonnull (soup_message_headers_get_one (r_method->headers, "Allow"));
  g_assert_cmpuint (r_id->status, ==, 404);
}

static void
test_legacy (void)
{
  g_autoptr(VpkTestReply) form = vpk_test_request (server, "GET", "/upload_input_content",
                                                   NULL, NULL, NULL);
  g_autoptr(VpkTestReply) success = vpk_test_upload (server, "/success", video_path, "in.mp4");
  g_autofree char *html = g_strndup (g_bytes_get_data (success->body, NULL),
                                     g_bytes_get_size (success->body));
  g_autofree char *form_html = g_strndup (g_bytes_get_data (form->body, NULL),
                                          g_bytes_get_size (form->body));
  const char *at = strstr (html, "id=\"input_content_id\">");
  gint64 input, id;
  g_autofree char *path = NULL;
  g_autoptr(VpkTestReply) status = NULL;

  g_test_summary ("The original routes: the form, POST /success, GET /packaged_content_id/{id}.");
  g_assert_cmpuint (form->status, ==, 200);
  g_assert_nonnull (strstr (form_html, "action=\"/success\""));
  g_assert_cmpuint (success->status, ==, 201);
  g_assert_nonnull (at);
  input = g_ascii_strtoll (at + strlen ("id=\"input_content_id\">"), NULL, 10);
  g_assert_cmpint (input, >, 0);
  id = package (input);
  path = g_strdup_printf ("/packaged_content_id/%" G_GINT64_FORMAT, id);
  status = vpk_test_request (server, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (status->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (vpk_test_reply_object (status),
                                               "packaged_content_id"), ==, id);
}

typedef struct {
  gint     stop;
  guint    answered;
  gint64   worst_us;
} Poller;

static gpointer
poll_status (gpointer data)
{
  Poller *p = data;

  while (!g_atomic_int_get (&p->stop)) {
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr(VpkTestReply) r = vpk_test_request (server, "GET", "/packaged_content?limit=5",
                                                  NULL, NULL, NULL);

    g_assert_cmpuint (r->status, ==, 200);
    p->worst_us = MAX (p->worst_us, g_get_monotonic_time () - t0);
    p->answered++;
    g_usleep (20 * 1000);
  }
  return NULL;
}

static void
test_concurrent (void)
{
  gint64 input = upload_video ();
  gint64 ids[20];
  Poller poller = { 0 };
  GThread *thread = g_thread_new ("poller", poll_status, &poller);

  g_test_summary ("20 jobs on 2 workers all reach Ready while status requests keep answering.");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = package (input);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    g_autoptr(VpkTestReply) r = wait_final (ids[i], 300);

    assert_ready (r);
  }
  g_atomic_int_set (&poller.stop, TRUE);
  g_thread_join (thread);
  g_test_message ("%u status requests answered while packaging, slowest %.1f ms",
                  poller.answered, poller.worst_us / 1000.0);
  g_assert_cmpuint (poller.answered, >, 10);
  g_assert_cmpint (poller.worst_us, <, 2 * G_TIME_SPAN_SECOND);
}

static void
test_events_and_range (void)
{
  gint64 id = package (upload_video ());
  g_autofree char *events = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT "/events", id);
  g_autoptr(VpkTestReply) sse = vpk_test_request (server, "GET", events, NULL, NULL, NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (sse->body, NULL),
                                     g_bytes_get_size (sse->body));
  g_autoptr(VpkTestReply) done = wait_final (id, 120);
  g_autofree char *content = vpk_test_content_path (server, id);
  g_autofree char *mpd = g_strdup_printf ("%s/stream.mpd", content);
  const char *range_h[] = { "Range", "bytes=10-19", NULL };
  g_autoptr(VpkTestReply) full = vpk_test_request (server, "GET", mpd, NULL, NULL, NULL);
  g_autoptr(VpkTestReply) part = vpk_test_request (server, "GET", mpd, NULL, NULL, range_h);
  const char *cond_h[] = { "If-None-Match", NULL, NULL };
  g_autoptr(VpkTestReply) cond = NULL;
  const char *bad_h[] = { "Range", "bytes=99999999-", NULL };
  g_autoptr(VpkTestReply) bad = vpk_test_request (server, "GET", mpd, NULL, NULL, bad_h);

  g_test_summary ("SSE reports status up to Ready and ends; /content answers Range, 416, 304.");
  g_assert_cmpuint (sse->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (sse->headers, NULL), ==,
                   "text/event-stream");
  g_assert_nonnull (strstr (text, "event: status\ndata: {"));
  g_assert_nonnull (strstr (text, "\"status\":\"Ready\""));
  g_assert_cmpuint (full->status, ==, 200);
  g_assert_cmpuint (part->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (part->body, NULL), g_bytes_get_size (part->body),
                   (const char *) g_bytes_get_data (full->body, NULL) + 10, 10);
  g_assert_cmpuint (bad->status, ==, 416);
  cond_h[1] = soup_message_headers_get_one (full->headers, "ETag");
  cond = vpk_test_request (server, "GET", mpd, NULL, NULL, cond_h);
  g_assert_cmpuint (cond->status, ==, 304);
}

static void
test_cancel_delete (void)
{
  gint64 id = package (upload_video ());
  g_autofree char *cancel = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT "/cancel", id);
  g_autofree char *path = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  g_autoptr(VpkTestReply) c = vpk_test_request (server, "POST", cancel, NULL, NULL, NULL);
  g_autoptr(VpkTestReply) done = wait_final (id, 120);
  g_autoptr(VpkTestReply) del = vpk_test_request (server, "DELETE", path, NULL, NULL, NULL);
  g_autoptr(VpkTestReply) gone = vpk_test_request (server, "GET", path, NULL, NULL, NULL);
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT "-", id);
  g_autofree char *output_dir = g_build_filename (server->state_dir, "output", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_test_summary ("Cancel ends a job (or finds it finished: 409); DELETE removes it and output.");
  g_assert_true (c->status == 202 || c->status == 409);
  g_assert_true (g_strcmp0 (member_string (done, "status"), "Cancelled") == 0 ||
                 g_strcmp0 (member_string (done, "status"), "Ready") == 0);
  g_assert_cmpuint (del->status, ==, 204);
  g_assert_cmpuint (gone->status, ==, 404);
  dir = g_dir_open (output_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, prefix));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char * const extra[] = { "server.max_upload_size=20M", NULL };
  int ret;

  /* The isolated XDG dirs hold no GSettings schemas for GIO's proxy lookup. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  media_dir = g_dir_make_tmp ("vpk-media-XXXXXX", &error);
  g_assert_no_error (error);
  video_path = vpk_test_make_media (media_dir, "in.mp4",
      "-f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -c:v libx264 "
      "-g 50 -c:a aac -t 6 -movflags +faststart");
  server = vpk_test_server_start (2, extra);
  g_test_add_func ("/server/health", test_health);
  g_test_add_func ("/server/errors/upload", test_errors_upload);
  g_test_add_func ("/server/errors/traversal", test_errors_traversal);
  g_test_add_func ("/server/errors/json", test_errors_json);
  g_test_add_func ("/server/flow", test_flow);
  g_test_add_func ("/server/events-and-range", test_events_and_range);
  g_test_add_func ("/server/legacy", test_legacy);
  g_test_add_func ("/server/cancel-delete", test_cancel_delete);
  g_test_add_func ("/server/concurrent", test_concurrent);
  ret = g_test_run ();
  vpk_test_server_stop (server);
  return ret;
}
