/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Issue 7: API tokens, keys sealed at rest, and no key anywhere on disk or in
 * the logs. A real `vpack serve` with its private MariaDB; the sealing code
 * itself is also tested in-process. */
#include "vpk-test-server.h"
#include "vpk-auth.h"
#include "vpk-master-key.h"
#include "vpk-store.h"
#include "vpk-test-util.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#define KEY "hyN9IKGfWKdAwFaE5pm0qg"
#define KID "oW5AK5BW43HzbTSKpiu3SQ"
#define V0_KEY "AAECAwQFBgcICQoLDA0ODw"  /* bytes 0..15, for the vpack 0.1 row */
#define WRONG_TOKEN "vpk_thisIsNotTheTokenTheServerMadeAtAllNoNoNo12"
#define KID_JSON "{\"kids\": [\"" KID "\"], \"type\": \"temporary\"}"

static VpkTestServer *server;
static char *media_dir;
static char *video_path;
static gint64 job_ids[3];  /* A: the flow; B: a key moved in; C: a key changed */

/* Protected routes: method, path, the status expected with the admin token. */
typedef struct {
  const char *method;
  const char *path;
  guint       ok_status;
} Route;

static const char *
member_string (VpkTestReply *r, const char *name)
{
  return json_object_get_string_member_with_default (vpk_test_reply_object (r), name, NULL);
}

static const char *
error_message (VpkTestReply *r)
{
  JsonObject *o = vpk_test_reply_object (r);

  g_assert_true (json_object_has_member (o, "error"));
  return json_object_get_string_member (json_object_get_object_member (o, "error"), "message");
}

static char *
body_text (VpkTestReply *r)
{
  return g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
}

/* Runs one statement on the server's private MariaDB; returns its output. */
static char *
sql (const char *statement)
{
  g_autofree char *socket = g_build_filename (server->state_dir, "mariadb", "mariadbd.sock",
                                              NULL);
  g_autofree char *socket_arg = g_strdup_printf ("--socket=%s", socket);
  const char *argv[] = { "mariadb", "--no-defaults", socket_arg, "-u", "root", "-N", "-B",
                         "-D", "vpack", "-e", statement, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("mariadb: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strstrip (out);
}

static guint64
auth_failures (const char *reason)
{
  g_autoptr(VpkTestReply) r = vpk_test_request (server, "GET", "/metrics", NULL, NULL, NULL);
  g_autofree char *text = body_text (r);
  g_autofree char *label = g_strdup_printf ("vpack_auth_failures_total{reason=\"%s\"} ", reason);
  const char *at = strstr (text, label);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (label), NULL, 10);
}

static gint64
upload_video (void)
{
  g_autoptr(VpkTestReply) r = vpk_test_upload (server, "/input_content", video_path, "in.mp4");

  g_assert_cmpuint (r->status, ==, 201);
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
  return json_object_get_int_member (vpk_test_reply_object (r), "packaged_content_id");
}

/* Polls until a final status; returns it. */
static char *
wait_final (gint64 id)
{
  g_autofree char *path = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  gint64 deadline = g_get_monotonic_time () + 180 * G_TIME_SPAN_SECOND;

  while (TRUE) {
    g_autoptr(VpkTestReply) r = vpk_test_request (server, "GET", path, NULL, NULL, NULL);
    const char *status;

    g_assert_cmpuint (r->status, ==, 200);
    status = member_string (r, "status");
    if (g_strcmp0 (status, "Ready") == 0 || g_strcmp0 (status, "Failed") == 0 ||
        g_strcmp0 (status, "Cancelled") == 0 || g_get_monotonic_time () > deadline) {
      if (g_strcmp0 (status, "Failed") == 0)
        return g_strdup_printf ("Failed: %s", member_string (r, "error"));
      return g_strdup (status);
    }
    g_usleep (200 * 1000);
  }
}

static char *
license_token (gint64 id)
{
  g_autofree char *q = g_strdup_printf ("SELECT license_token FROM packaged_content WHERE id = %"
                                        G_GINT64_FORMAT, id);

  return sql (q);
}

static VpkTestReply *
license (gint64 id)
{
  g_autofree char *token = license_token (id);
  g_autofree char *path = g_strdup_printf ("/license?token=%s", token);

  return vpk_test_post_json (server, path, KID_JSON);
}

/* ---- In-process: the sealing code and the parsers ---- */

static void
set_test_master_key (void)
{
  guint8 master[VPK_MASTER_KEY_SIZE];

  for (guint i = 0; i < sizeof master; i++)
    master[i] = (guint8) (i * 7 + 1);
  vpk_master_key_set (master);
}

static void
test_seal_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *again = NULL;
  VpkKey key, out;

  g_test_summary ("v1 seals with AES-256-GCM: it opens in its row only, a changed byte or "
                  "another master key fails cleanly, v0 is still read, no key in messages.");
  set_test_master_key ();
  g_assert_true (vpk_key_parse (KEY, "key", &key, NULL));
  sealed = vpk_store_key_seal (&key, "row-token-A", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (sealed, "v1:"));
  g_assert_cmpuint (strlen (sealed), ==, 3 + 59);  /* 44 bytes, unpadded base64url */
  g_assert_null (strstr (sealed, KEY));
  again = vpk_store_key_seal (&key, "row-token-A", NULL);
  g_assert_cmpstr (again, !=, sealed);  /* a fresh nonce each time */
  g_assert_true (vpk_store_key_unseal (sealed, "row-token-A", &out, &error));
  g_assert_no_error (error);
  g_assert_true (vpk_key_equal (&key, &out));
  g_assert_false (vpk_store_key_unseal (sealed, "row-token-B", &out, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
  g_assert_null (strstr (error->message, KEY));
  g_clear_error (&error);
  g_assert_true (vpk_store_key_unseal ("v0:" KEY, "row-token-A", &out, &error));
  g_assert_true (vpk_key_equal (&key, &out));
  g_assert_true (vpk_store_key_is_legacy ("v0:" KEY));
  g_assert_false (vpk_store_key_unseal ("v2:abc", "x", &out, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
  g_clear_error (&error);
  g_assert_false (vpk_store_key_unseal ("v0:nope", "x", &out, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
  vpk_key_clear (&out);
}

static void
test_seal_tampered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sealed = NULL;
  VpkKey key, out;
  guint8 other[VPK_MASTER_KEY_SIZE] = { 0 };

  g_test_summary ("Every changed character of a v1 value, and another master key, fail.");
  set_test_master_key ();
  g_assert_true (vpk_key_parse (KEY, "key", &key, NULL));
  sealed = vpk_store_key_seal (&key, "row", &error);
  g_assert_no_error (error);
  for (gsize i = 3; sealed[i] != '\0'; i++) {
    g_autofree char *bad = g_strdup (sealed);

    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    g_assert_false (vpk_store_key_unseal (bad, "row", &out, &error));
    g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
    g_clear_error (&error);
  }
  vpk_master_key_set (other);
  g_assert_false (vpk_store_key_unseal (sealed, "row", &out, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
  g_clear_error (&error);
  vpk_master_key_unload ();
  g_assert_null (vpk_store_key_seal (&key, "row", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CRYPTO);
}

static void
test_master_key_decode (void)
{
  guint8 out[VPK_MASTER_KEY_SIZE];
  g_autoptr(GError) error = NULL;
  const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const char *b64url = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

  g_test_summary ("VPACK_MASTER_KEY: 64 hex digits or base64(url) of 32 bytes; else refused "
                  "without quoting the value.");
  for (guint i = 0; i < 3; i++) {
    const char *text = i == 0 ? hex : i == 1 ? b64 : b64url;

    memset (out, 0xff, sizeof out);
    g_assert_true (vpk_master_key_decode (text, out, &error));
    g_assert_no_error (error);
    for (guint j = 0; j < sizeof out; j++)
      g_assert_cmpuint (out[j], ==, j);
  }
  g_assert_false (vpk_master_key_decode ("secret-but-short", out, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
  g_assert_false (vpk_master_key_decode ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8!", out,
                                         &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
}

static void
test_token_config (void)
{
  g_autoptr(VpkConfig) config = vpk_config_new_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = vpk_auth_hash_token ("abc");
  g_autofree char *upper = g_ascii_strup (hash + 7, -1);
  g_autofree char *set = g_strdup_printf ("server.api_tokens= sha256:%s , %s", upper, hash);
  g_autofree char *token = vpk_auth_generate_token (&error);

  g_test_summary ("Token hashes: SHA-256 hex; [server] api_tokens checked and normalised, "
                  "a bad item refused without quoting it; legacy_routes parsed.");
  g_assert_cmpstr (hash, ==, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (g_str_has_prefix (token, VPK_AUTH_TOKEN_PREFIX));
  g_assert_cmpuint (strlen (token), ==, 4 + 43);
  g_assert_true (vpk_config_set (config, set, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (config->api_tokens), ==, 2);
  g_assert_cmpstr (config->api_tokens[0], ==, hash);
  g_assert_false (vpk_config_set (config, "server.api_tokens=vpk_MyRealSecretToken", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "MyRealSecret"));
  g_clear_error (&error);
  g_assert_cmpint (config->legacy_routes, ==, VPK_LEGACY_ROUTES_TOKEN);
  g_assert_true (vpk_config_set (config, "server.legacy_routes=off", &error));
  g_assert_cmpint (config->legacy_routes, ==, VPK_LEGACY_ROUTES_OFF);
  g_assert_false (vpk_config_set (config, "server.legacy_routes=maybe", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
}

/* ---- A real server ---- */

static void
test_admin_token (void)
{
  g_autofree char *admin = g_build_filename (server->state_dir, "admin-token", NULL);
  g_autofree char *tokens = g_build_filename (server->state_dir, "tokens", NULL);
  g_autofree char *master = g_build_filename (server->state_dir, "master-key", NULL);
  g_autofree char *admin_text = NULL;
  g_autofree char *tokens_text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *hash = NULL;
  GStatBuf st;

  g_test_summary ("First start: an admin token in <state>/admin-token (0600, the token only), "
                  "only its hash kept, a 0600 master key; the log says where, never what.");
  g_assert_nonnull (server->admin_token);
  g_assert_cmpint (g_stat (admin, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (admin, &admin_text, NULL, NULL));
  g_assert_cmpstr (admin_text, ==, server->admin_token);  /* nothing else in the file */
  g_assert_true (g_str_has_prefix (admin_text, VPK_AUTH_TOKEN_PREFIX));
  hash = vpk_auth_hash_token (admin_text);
  g_assert_true (g_file_get_contents (tokens, &tokens_text, NULL, NULL));
  g_assert_nonnull (strstr (tokens_text, hash));
  g_assert_null (strstr (tokens_text, admin_text));
  g_assert_cmpint (g_stat (master, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (server->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, admin));
  g_assert_null (strstr (log, admin_text));
}

static void
test_flow (void)
{
  gint64 input = upload_video ();
  g_auto(GStrv) sealed = g_new0 (char *, G_N_ELEMENTS (job_ids) + 1);

  g_test_summary ("Upload, package three times with the original example key, all Ready; "
                  "the database holds v1 values, different each time.");
  for (guint i = 0; i < G_N_ELEMENTS (job_ids); i++)
    job_ids[i] = package (input);
  for (guint i = 0; i < G_N_ELEMENTS (job_ids); i++) {
    g_autofree char *status = wait_final (job_ids[i]);
    g_autofree char *q = g_strdup_printf ("SELECT sealed_key FROM packaged_content WHERE id = %"
                                          G_GINT64_FORMAT, job_ids[i]);

    g_assert_cmpstr (status, ==, "Ready");
    sealed[i] = sql (q);
    g_assert_true (g_str_has_prefix (sealed[i], "v1:"));
    g_assert_cmpuint (strlen (sealed[i]), ==, 62);
  }
  g_assert_cmpstr (sealed[0], !=, sealed[1]);
  g_assert_cmpstr (sealed[1], !=, sealed[2]);
}

static void
check_refused (const char *method, const char *path, const char *token, const char *reason)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(VpkTestReply) r = NULL;
  const char *challenge;

  vpk_test_server_set_token (server, token);
  r = vpk_test_request (server, method, path, strcmp (method, "POST") == 0 ?
                        "application/json" : NULL, strcmp (method, "POST") == 0 ? body : NULL,
                        NULL);
  if (r->status != 401)
    g_test_message ("%s %s (%s token): %u", method, path, reason, r->status);
  g_assert_cmpuint (r->status, ==, 401);
  challenge = soup_message_headers_get_one (r->headers, "WWW-Authenticate");
  g_assert_true (g_str_has_prefix (challenge, "Bearer realm=\"vpack\""));
  g_assert_true ((strstr (challenge, "invalid_token") != NULL) == (strcmp (reason, "invalid") == 0));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
      vpk_test_reply_object (r), "error"), "code"), ==, "unauthorized");
}

static void
check_allowed (const Route *route)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(VpkTestReply) r = NULL;
  gboolean post = strcmp (route->method, "POST") == 0;

  vpk_test_server_set_token (server, server->admin_token);
  r = vpk_test_request (server, route->method, route->path, post ? "application/json" : NULL,
                        post ? body : NULL, NULL);
  if (r->status != route->ok_status)
    g_test_message ("%s %s with the admin token: %u", route->method, route->path, r->status);
  g_assert_cmpuint (r->status, ==, route->ok_status);
}

static void
test_protected (void)
{
  g_autofree char *job = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, job_ids[0]);
  g_autofree char *events = g_strdup_printf ("%s/events", job);
  g_autofree char *cancel = g_strdup_printf ("%s/cancel", job);
  g_autofree char *legacy = g_strdup_printf ("/packaged_content_id/%" G_GINT64_FORMAT, job_ids[0]);
  const Route routes[] = {
    { "GET", "/input_content", 200 }, { "GET", "/input_content/1", 200 },
    { "POST", "/input_content", 415 }, { "GET", "/packaged_content", 200 },
    { "POST", "/packaged_content", 422 }, { "GET", job, 200 }, { "GET", events, 200 },
    { "POST", cancel, 409 }, { "DELETE", "/packaged_content/999999", 404 },
    { "POST", "/success", 415 }, { "GET", legacy, 200 },
  };
  guint64 missing = auth_failures ("missing"), invalid = auth_failures ("invalid");

  g_test_summary ("Every route that changes state or shows jobs: no token 401, a wrong token "
                  "401 (invalid_token), both counted in /metrics; the admin token works.");
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++) {
    check_refused (routes[i].method, routes[i].path, NULL, "missing");
    check_refused (routes[i].method, routes[i].path, WRONG_TOKEN, "invalid");
    check_allowed (&routes[i]);
  }
  g_assert_cmpuint (auth_failures ("missing"), ==, missing + G_N_ELEMENTS (routes));
  g_assert_cmpuint (auth_failures ("invalid"), ==, invalid + G_N_ELEMENTS (routes));
}

static void
test_legacy_query_token (void)
{
  g_autofree char *ok = g_strdup_printf ("/packaged_content_id/%" G_GINT64_FORMAT "?token=%s",
                                         job_ids[0], server->admin_token);
  g_autofree char *bad = g_strdup_printf ("/packaged_content_id/%" G_GINT64_FORMAT "?token="
                                          WRONG_TOKEN, job_ids[0]);
  g_autofree char *api = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT "?token=%s",
                                          job_ids[0], server->admin_token);
  const char *basic[] = { "Authorization", "Basic dXNlcjpwYXNz", NULL };
  g_autoptr(VpkTestReply) r_ok = NULL;
  g_autoptr(VpkTestReply) r_bad = NULL;
  g_autoptr(VpkTestReply) r_api = NULL;
  g_autoptr(VpkTestReply) r_basic = NULL;

  g_test_summary ("The original routes also take ?token= (forms cannot send headers); the "
                  "new API does not; another Authorization scheme is refused.");
  vpk_test_server_set_token (server, NULL);
  r_ok = vpk_test_request (server, "GET", ok, NULL, NULL, NULL);
  r_bad = vpk_test_request (server, "GET", bad, NULL, NULL, NULL);
  r_api = vpk_test_request (server, "GET", api, NULL, NULL, NULL);
  r_basic = vpk_test_request (server, "GET", "/packaged_content", NULL, NULL, basic);
  g_assert_cmpuint (r_ok->status, ==, 200);
  g_assert_cmpuint (r_bad->status, ==, 401);
  g_assert_cmpuint (r_api->status, ==, 401);
  g_assert_cmpuint (r_basic->status, ==, 401);
  vpk_test_server_set_token (server, server->admin_token);
}

static void
test_public (void)
{
  g_autofree char *content = vpk_test_content_path (server, job_ids[0]);
  g_autofree char *mpd = g_strdup_printf ("%s/stream.mpd", content);
  const Route routes[] = {
    { "GET", "/healthz", 200 }, { "GET", "/openapi.json", 200 }, { "GET", "/metrics", 200 },
    { "GET", "/", 200 }, { "GET", "/web/app.js", 200 }, { "GET", "/upload_input_content", 200 },
    { "GET", mpd, 200 }, { "HEAD", mpd, 200 }, { "OPTIONS", "/packaged_content", 204 },
  };

  g_test_summary ("Public without a token: health, OpenAPI, metrics, the page, the original "
                  "form, /content (encrypted) and CORS preflights.");
  vpk_test_server_set_token (server, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++) {
    g_autoptr(VpkTestReply) r = vpk_test_request (server, routes[i].method, routes[i].path,
                                                  NULL, NULL, NULL);

    if (r->status != routes[i].ok_status)
      g_test_message ("%s %s: %u", routes[i].method, routes[i].path, r->status);
    g_assert_cmpuint (r->status, ==, routes[i].ok_status);
  }
  vpk_test_server_set_token (server, server->admin_token);
}

static void
test_license (void)
{
  g_autoptr(VpkTestReply) neither = NULL;
  g_autoptr(VpkTestReply) api_only = NULL;
  g_autoptr(VpkTestReply) unknown = NULL;
  g_autoptr(VpkTestReply) ok = NULL;
  JsonObject *key;

  g_test_summary ("/license answers only the content token it wrote into the MPD: not a bare "
                  "request, not an API token alone, not a made-up token.");
  vpk_test_server_set_token (server, NULL);
  neither = vpk_test_post_json (server, "/license", KID_JSON);
  unknown = vpk_test_post_json (server, "/license?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                KID_JSON);
  ok = license (job_ids[0]);
  vpk_test_server_set_token (server, server->admin_token);
  api_only = vpk_test_post_json (server, "/license", KID_JSON);
  g_assert_cmpuint (neither->status, ==, 403);
  g_assert_cmpuint (api_only->status, ==, 403);
  g_assert_cmpuint (unknown->status, ==, 403);
  g_assert_cmpuint (ok->status, ==, 200);
  key = json_array_get_object_element (
      json_object_get_array_member (vpk_test_reply_object (ok), "keys"), 0);
  g_assert_cmpstr (json_object_get_string_member (key, "k"), ==, KEY);
}

static void
test_tampered (void)
{
  g_autofree char *q = g_strdup_printf ("SELECT sealed_key FROM packaged_content WHERE id = %"
                                        G_GINT64_FORMAT, job_ids[0]);
  g_autofree char *sealed_a = sql (q);
  g_autofree char *move = g_strdup_printf ("UPDATE packaged_content SET sealed_key = '%s', "
      "status = 'Queued', lease_owner = NULL, lease_until = NULL, attempts = 0 WHERE id = %"
      G_GINT64_FORMAT, sealed_a, job_ids[1]);
  g_autofree char *changed = g_strdup (sealed_a);
  g_autofree char *change = NULL;
  g_autofree char *status = NULL;
  g_autoptr(VpkTestReply) r = NULL;
  g_autoptr(VpkTestReply) health = NULL;

  g_test_summary ("A sealed key moved to another row fails the job (Failed, with a clear "
                  "error); a changed one makes /license fail cleanly; the server lives on.");
  g_free (sql (move));
  status = wait_final (job_ids[1]);
  g_assert_true (g_str_has_prefix (status, "Failed: "));
  g_assert_nonnull (strstr (status, "does not open"));
  changed[20] = changed[20] == 'A' ? 'B' : 'A';
  change = g_strdup_printf ("UPDATE packaged_content SET sealed_key = '%s' WHERE id = %"
                            G_GINT64_FORMAT, changed, job_ids[2]);
  g_free (sql (change));
  vpk_test_server_set_token (server, NULL);
  r = license (job_ids[2]);
  vpk_test_server_set_token (server, server->admin_token);
  g_assert_cmpuint (r->status, >=, 500);
  g_assert_nonnull (strstr (error_message (r), "does not open"));
  health = vpk_test_request (server, "GET", "/healthz", NULL, NULL, NULL);
  g_assert_cmpuint (health->status, ==, 200);
}

typedef struct {
  GPtrArray *needles;  /* GBytes: the key in every form */
  guint      files;
  guint64    bytes;
  GString   *found;
} LeakSearch;

static void
search_bytes (LeakSearch *ls, const char *name, const char *data, gsize len)
{
  ls->bytes += len;
  for (guint i = 0; i < ls->needles->len; i++) {
    gsize n = 0;
    const char *needle = g_bytes_get_data (ls->needles->pdata[i], &n);

    if (memmem (data, len, needle, n) != NULL)
      g_string_append_printf (ls->found, "%s (form %u); ", name, i);
  }
}

static void
search_tree (LeakSearch *ls, const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (dir_path, name, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
      continue;
    if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
      search_tree (ls, path);
      continue;
    }
    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
      continue;  /* the socket */
    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    search_bytes (ls, path, data, len);
    ls->files++;
  }
}

static GPtrArray *
key_forms (void)
{
  GPtrArray *forms = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  VpkKey key;
  char *hex;

  g_assert_true (vpk_key_parse (KEY, "key", &key, NULL));
  hex = vpk_key_format (&key, VPK_KEY_FORMAT_HEX);
  g_ptr_array_add (forms, g_bytes_new_take (g_ascii_strup (hex, -1), strlen (hex)));
  g_ptr_array_add (forms, g_bytes_new_take (hex, strlen (hex)));
  g_ptr_array_add (forms, g_bytes_new_take (vpk_key_format (&key, VPK_KEY_FORMAT_BASE64), 24));
  g_ptr_array_add (forms, g_bytes_new_take (vpk_key_format (&key, VPK_KEY_FORMAT_BASE64URL),
                                            22));
  g_ptr_array_add (forms, g_bytes_new (key.bytes, sizeof key.bytes));
  return forms;
}

static void
test_key_leak (void)
{
  LeakSearch ls = { key_forms (), 0, 0, g_string_new (NULL) };
  LeakSearch control = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref), 0, 0,
                         g_string_new (NULL) };
  g_autofree char *log = NULL;
  gsize log_len = 0;

  g_test_summary ("After a full flow and a stop (MariaDB flushed): the key, as hex (both "
                  "cases), base64, base64url or raw bytes, is in no file of the state folder "
                  "(database, segments, uploads) and not in the server's stdout or stderr.");
  vpk_test_server_halt (server);
  search_tree (&ls, server->state_dir);
  g_assert_true (g_file_get_contents (server->stderr_path, &log, &log_len, NULL));
  search_bytes (&ls, "stderr", log, log_len);
  search_bytes (&ls, "stdout", server->stdout_rest, strlen (server->stdout_rest));
  g_test_message ("searched %u files, %" G_GUINT64_FORMAT " bytes", ls.files, ls.bytes);
  g_assert_cmpuint (ls.files, >, 20);
  g_assert_cmpstr (ls.found->str, ==, "");
  /* The control: the KID, stored in the clear, is found in the database files. */
  g_ptr_array_add (control.needles, g_bytes_new_static (KID, strlen (KID)));
  search_tree (&control, server->state_dir);
  g_assert_nonnull (strstr (control.found->str, "/mariadb/"));
  g_ptr_array_unref (ls.needles);
  g_ptr_array_unref (control.needles);
  g_string_free (ls.found, TRUE);
  g_string_free (control.found, TRUE);
}

static const char * const server_sets[] = { "server.max_upload_size=20M", NULL };

static void
test_restart_and_v0 (void)
{
  g_autofree char *admin = g_strdup (server->admin_token);
  g_autofree char *inject = g_strdup_printf ("UPDATE packaged_content SET sealed_key = 'v0:"
      V0_KEY "' WHERE id = %" G_GINT64_FORMAT, job_ids[2]);
  g_autofree char *q = g_strdup_printf ("SELECT sealed_key FROM packaged_content WHERE id = %"
                                        G_GINT64_FORMAT, job_ids[2]);
  g_autofree char *log = NULL;
  g_autofree char *after = NULL;

  g_test_summary ("A restart keeps the admin token and the master key; a key stored in the "
                  "clear by vpack 0.1 (v0) is still served, and re-sealed as v1 at start-up.");
  vpk_test_server_restart (server, 1, server_sets);
  g_assert_cmpstr (server->admin_token, ==, admin);
  g_assert_true (g_file_get_contents (server->stderr_path, &log, NULL, NULL));
  g_assert_null (strstr (log, "generated an admin token"));
  g_free (sql (inject));
  for (guint round = 0; round < 2; round++) {
    g_autoptr(VpkTestReply) r = license (job_ids[2]);
    JsonObject *key;

    g_assert_cmpuint (r->status, ==, 200);
    key = json_array_get_object_element (
        json_object_get_array_member (vpk_test_reply_object (r), "keys"), 0);
    g_assert_cmpstr (json_object_get_string_member (key, "k"), ==, V0_KEY);
    if (round == 0)
      vpk_test_server_restart (server, 1, server_sets);
  }
  after = sql (q);
  g_assert_true (g_str_has_prefix (after, "v1:"));
  g_clear_pointer (&log, g_free);
  g_assert_true (g_file_get_contents (server->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Re-sealed 1 content key"));
}

static void
test_master_key_mismatch (void)
{
  const char *other = "0000000000000000000000000000000000000000000000000000000000000001";
  g_autofree char *state = g_strdup_printf ("--state-dir=%s", server->state_dir);
  const char *argv[] = { g_getenv ("VPACK"), "serve", state, "--listen=127.0.0.1:1", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("VPACK_MASTER_KEY and <state>/master-key that differ: vpack serve refuses "
                  "to start and says why, without printing either key.");
  vpk_test_server_halt (server);
  g_subprocess_launcher_setenv (launcher, VPK_MASTER_KEY_ENV, other, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_successful (proc));
  g_assert_nonnull (strstr (err, "different master keys"));
  g_assert_null (strstr (err, other));
  g_assert_null (strstr (out, "listening"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The isolated XDG dirs hold no GSettings schemas for GIO's proxy lookup. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/security/seal/roundtrip", test_seal_roundtrip);
  g_test_add_func ("/security/seal/tampered", test_seal_tampered);
  g_test_add_func ("/security/master-key/decode", test_master_key_decode);
  g_test_add_func ("/security/token/config", test_token_config);
  if (g_getenv ("VPACK") != NULL) {  /* the in-process tests above need no server */
    media_dir = g_dir_make_tmp ("vpk-media-XXXXXX", &error);
    g_assert_no_error (error);
    video_path = vpk_test_make_media (media_dir, "in.mp4",
        "-f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440 "
        "-c:v libx264 -g 50 -c:a aac -t 4 -movflags +faststart");
    server = vpk_test_server_start_full (NULL, 1, server_sets, TRUE);
    g_test_add_func ("/security/admin-token", test_admin_token);
    g_test_add_func ("/security/flow", test_flow);
    g_test_add_func ("/security/protected", test_protected);
    g_test_add_func ("/security/legacy-query-token", test_legacy_query_token);
    g_test_add_func ("/security/public", test_public);
    g_test_add_func ("/security/license", test_license);
    g_test_add_func ("/security/tampered", test_tampered);
    g_test_add_func ("/security/key-leak", test_key_leak);
    g_test_add_func ("/security/restart-and-v0", test_restart_and_v0);
    g_test_add_func ("/security/master-key-mismatch", test_master_key_mismatch);
  }
  ret = g_test_run ();
  if (server != NULL)
    vpk_test_server_stop (server);
  if (media_dir != NULL)
    vpk_test_rm_rf (media_dir);
  return ret;
}
