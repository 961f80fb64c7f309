/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile requests against one running `vpack serve`: broken MP4s, bad
 * Content-Types and multipart bodies, bad JSON, odd paths and headers, bad
 * tokens. Each gets its documented 4xx (or 422 from ingest, or a Failed job);
 * afterwards the server still serves, /metrics counted the 401s, and nothing
 * was injected into the database. */
#include "vpk-test-server.h"
#include "vpk-test-util.h"

#include <string.h>
#include <glib/gstdio.h>

#define KEY "hyN9IKGfWKdAwFaE5pm0qg"
#define KID "oW5AK5BW43HzbTSKpiu3SQ"
#define SQLI_1 "1' OR '1'='1"
#define SQLI_2 "\\\"; DROP TABLE packaged_content; --"  /* as a JSON string body */

static VpkTestServer *server;
static char *media_dir;
static char *video_path;
static gint64 good_input_id;
static guint n_jobs_made;  /* jobs the cases legitimately created */

/* How a case is sent and judged. */
enum {
  F_RAW       = 1 << 0,  /* hand-written HTTP/1.1 over a socket, not libsoup's client */
  F_CLOSE_OK  = 1 << 1,  /* a closed connection (or no reply in time) is also fine */
  F_INGEST    = 1 << 2,  /* 422, or 201 and then a job on it must end Failed with a reason */
  F_SHORT     = 1 << 3,  /* Content-Length claims 1000 bytes more than are sent */
};

typedef struct Case Case;
typedef GBytes *(*BodyFunc) (const char *arg, char **content_type);
typedef void (*CheckFunc) (const Case *c, guint status, GBytes *body);

struct Case {
  const char *name;
  const char *method;
  const char *path;          /* "@LONG": an 8 KiB path */
  const char *content_type;  /* the builder may set it instead */
  BodyFunc    body;
  const char *arg;           /* for the builder; "%ID%" becomes a real upload's id */
  const char *hname;         /* one extra header, or NULL */
  const char *hvalue;        /* "@64K" / "@10K": that much garbage */
  const char *auth;          /* NULL: the admin token; "": none; else the header value */
  guint       status;
  guint       alt_status;    /* another acceptable status, or 0 */
  guint       flags;
  CheckFunc   check;
};

/* ---- Helpers ---- */

static char *
body_text (GBytes *b)
{
  return b != NULL ? g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b)) : g_strdup ("");
}

static char *
expand_id (const char *text)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, good_input_id);
  g_auto(GStrv) parts = g_strsplit (text, "%ID%", -1);

  return g_strjoinv (id, parts);
}

static char *
garbage_text (gsize n)
{
  char *s = g_malloc (n + 1);

  for (gsize i = 0; i < n; i++)
    s[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"[i * 7919 % 67];
  s[n] = '\0';
  return s;
}

static GBytes *
video_bytes (void)
{
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (video_path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

static guint64
auth_failures (const char *reason)
{
  g_autoptr(VpkTestReply) r = vpk_test_request (server, "GET", "/metrics", NULL, NULL, NULL);
  g_autofree char *text = body_text (r->body);
  g_autofree char *label = g_strdup_printf ("vpack_auth_failures_total{reason=\"%s\"} ", reason);
  const char *at = strstr (text, label);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (label), NULL, 10);
}

/* ---- Body builders ---- */

static GBytes *
b_text (const char *arg, char **ct)
{
  char *text = expand_id (arg);

  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
b_random (const char *arg, char **ct)
{
  gsize n = (gsize) g_ascii_strtoull (arg, NULL, 10);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  guint8 *data = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, n);
}

static GBytes *
b_zeros (const char *arg, char **ct)
{
  gsize n = (gsize) g_ascii_strtoull (arg, NULL, 10);

  return g_bytes_new_take (g_malloc0 (n), n);
}

static GBytes *
b_truncated (const char *arg, char **ct)
{
  g_autoptr(GBytes) all = video_bytes ();
  gsize n = g_bytes_get_size (all) * (gsize) g_ascii_strtoull (arg, NULL, 10) / 100;

  return g_bytes_new_from_bytes (all, 0, n);
}

static void
put_box (GByteArray *a, guint32 size, const char *type)
{
  guint32 be = GUINT32_TO_BE (size);

  g_byte_array_append (a, (const guint8 *) &be, 4);
  g_byte_array_append (a, (const guint8 *) type, 4);
}

static void
put_u32 (GByteArray *a, guint32 v)
{
  guint32 be = GUINT32_TO_BE (v);

  g_byte_array_append (a, (const guint8 *) &be, 4);
}

static void
put_ftyp (GByteArray *a)
{
  put_box (a, 24, "ftyp");
  g_byte_array_append (a, (const guint8 *) "isom", 4);
  put_u32 (a, 0x200);
  g_byte_array_append (a, (const guint8 *) "isomiso2", 8);
}

/* Hand-made ISO BMFF boxes. */
static GBytes *
b_boxes (const char *arg, char **ct)
{
  GByteArray *a = g_byte_array_new ();

  put_ftyp (a);
  if (strcmp (arg, "size-ffffffff") == 0) {
    put_box (a, 0xFFFFFFFFu, "moov");
    put_box (a, 16, "mvhd");
    put_u32 (a, 0);
  } else if (strcmp (arg, "largesize") == 0) {
    put_box (a, 1, "moov");
    put_u32 (a, 1u << 30);  /* 2^62 as a 64-bit size */
    put_u32 (a, 0);
    put_box (a, 8, "free");
  } else if (strcmp (arg, "nested") == 0) {
    for (guint i = 0; i < 1000; i++)
      put_box (a, 8 * (1000 - i), "moov");
  } else if (strcmp (arg, "stsz") == 0) {
    /* moov/trak/mdia/minf/stbl/stsz with 2^31 samples in 20 bytes */
    const char *path[] = { "moov", "trak", "mdia", "minf", "stbl" };
    guint32 stsz = 20;

    for (guint i = 0; i < G_N_ELEMENTS (path); i++)
      put_box (a, stsz + 8 * (G_N_ELEMENTS (path) - i), path[i]);
    put_box (a, stsz, "stsz");
    put_u32 (a, 0);            /* version, flags */
    put_u32 (a, 0);            /* sample_size: one per sample */
    put_u32 (a, 0x80000000u);  /* sample_count */
  } else {
    g_assert_cmpstr (arg, ==, "ftyp");
  }
  return g_byte_array_free_to_bytes (a);
}

/* Multipart bodies, written by hand where libsoup would refuse to. */
static GBytes *
b_multipart (const char *arg, char **ct)
{
  GString *s = g_string_new (NULL);
  const char *b = "vpkHostileBoundary";

  *ct = g_strdup_printf ("multipart/form-data; boundary=%s", b);
  if (strcmp (arg, "no-boundary") == 0) {
    g_free (*ct);
    *ct = g_strdup ("multipart/form-data");
    g_string_append_printf (s, "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                            "filename=\"a.mp4\"\r\n\r\nxxxx\r\n--%s--\r\n", b, b);
  } else if (strcmp (arg, "never") == 0) {
    g_string_append (s, "--someOtherBoundary\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"a.mp4\"\r\n\r\nxxxx\r\n--someOtherBoundary--\r\n");
  } else if (strcmp (arg, "no-final") == 0) {
    g_string_append_printf (s, "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                            "filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
                            "xxxxxxxxxxxxxxxx", b);
  } else if (strcmp (arg, "endless-headers") == 0) {
    g_string_append_printf (s, "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                            "filename=\"a.mp4\"\r\n", b);
    for (guint i = 0; i < 400; i++)
      g_string_append_printf (s, "X-Filler-%u: %s\r\n", i, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    g_string_append_printf (s, "\r\nxxxx\r\n--%s--\r\n", b);
  } else if (strcmp (arg, "too-many-parts") == 0) {
    for (guint i = 0; i < 40; i++)
      g_string_append_printf (s, "--%s\r\nContent-Disposition: form-data; name=\"n%u\"\r\n\r\n"
                              "v\r\n", b, i);
    g_string_append_printf (s, "--%s--\r\n", b);
  } else {
    g_assert_not_reached ();
  }
  return g_string_free_to_bytes (s);
}

/* Multipart bodies libsoup can write. */
static GBytes *
b_form (const char *arg, char **ct)
{
  g_autoptr(SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  g_autoptr(SoupMessageHeaders) h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GBytes) junk = b_random ("4096", NULL);
  GBytes *body = NULL;

  if (strcmp (arg, "two-files") == 0) {
    g_autoptr(GBytes) video = video_bytes ();

    /* The first file part is the upload: junk, even though a good video follows. */
    soup_multipart_append_form_file (mp, "file", "junk.mp4", "video/mp4", junk);
    soup_multipart_append_form_file (mp, "file2", "good.mp4", "video/mp4", video);
  } else if (strcmp (arg, "no-file-part") == 0) {
    soup_multipart_append_form_string (mp, "note", "hello");
    soup_multipart_append_form_string (mp, "upload", "not a file");
  } else if (strcmp (arg, "file-no-filename") == 0) {
    soup_multipart_append_form_string (mp, "file", "just some text, not a video");
  } else if (strcmp (arg, "traversal") == 0) {
    g_autoptr(GBytes) video = video_bytes ();
    g_autofree char *tail = garbage_text (300);
    g_autofree char *name = g_strconcat ("../../evil%00", tail, ".mp4", NULL);

    soup_multipart_append_form_file (mp, "file", name, "video/mp4", video);
  } else {
    g_assert_not_reached ();
  }
  soup_multipart_to_message (mp, h, &body);
  *ct = g_strdup (soup_message_headers_get_one (h, "Content-Type"));
  return body;
}

static GBytes *
b_big_json (const char *arg, char **ct)
{
  g_autofree char *pad = garbage_text (1024 * 1024);
  char *text = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT ", \"pad\": \"%s\"}",
                                good_input_id, pad);

  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
b_deep_json (const char *arg, char **ct)
{
  gsize n = (gsize) g_ascii_strtoull (arg, NULL, 10);
  char *text = g_malloc (n + 1);

  memset (text, '[', n);
  text[n] = '\0';
  return g_bytes_new_take (text, n);
}

/* ---- Checks beyond the status ---- */

static void
check_traversal (const Case *c, guint status, GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *parent = g_path_get_dirname (server->state_dir);
  g_autofree char *gparent = g_path_get_dirname (parent);
  const char *filename;
  JsonObject *o;
  g_autoptr(GDir) d1 = g_dir_open (parent, 0, NULL);
  g_autoptr(GDir) d2 = g_dir_open (gparent, 0, NULL);
  GDir *dirs[] = { d1, d2 };

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  filename = json_object_get_string_member (o, "filename");
  g_test_message ("  stored display name: %.40s… (%zu bytes)", filename, strlen (filename));
  g_assert_null (strchr (filename, '/'));
  g_assert_false (g_str_has_prefix (filename, ".."));
  /* Nothing named "evil…" escaped the state folder. */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    const char *name;

    while (dirs[i] != NULL && (name = g_dir_read_name (dirs[i])) != NULL)
      g_assert_false (g_str_has_prefix (name, "evil"));
  }
}

static void
check_error_body (const Case *c, guint status, GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  /* libsoup's own 400s have no body; the service's errors are {"error": {…}}. */
  if (body == NULL || g_bytes_get_size (body) == 0)
    return;
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (o, "error"));
}

/* ---- The cases ---- */

#define PC "/packaged_content"
#define IC "/input_content"
#define JSON "application/json"
#define MP4 "video/mp4"
#define IDJ "{\"input_content_id\": %ID%, "
#define KEYS "\"key\": \"" KEY "\", \"kid\": \"" KID "\""

static const Case cases[] = {
  /* MP4 garbage: stored, then refused by ingest. */
  { "mp4/random",        "POST", IC, MP4, b_random, "65536", .status = 422, .flags = F_INGEST },
  { "mp4/truncated-10",  "POST", IC, MP4, b_truncated, "10", .status = 422, .flags = F_INGEST },
  { "mp4/truncated-50",  "POST", IC, MP4, b_truncated, "50", .status = 422, .flags = F_INGEST },
  { "mp4/truncated-90",  "POST", IC, MP4, b_truncated, "90", .status = 422, .flags = F_INGEST },
  { "mp4/size-ffffffff", "POST", IC, MP4, b_boxes, "size-ffffffff", .status = 422, .flags = F_INGEST },
  { "mp4/largesize-2^62","POST", IC, MP4, b_boxes, "largesize", .status = 422, .flags = F_INGEST },
  { "mp4/moov-1000-deep","POST", IC, MP4, b_boxes, "nested", .status = 422, .flags = F_INGEST },
  { "mp4/stsz-2^31",     "POST", IC, MP4, b_boxes, "stsz", .status = 422, .flags = F_INGEST },
  { "mp4/ftyp-only",     "POST", IC, MP4, b_boxes, "ftyp", .status = 422, .flags = F_INGEST },
  { "mp4/empty",         "POST", IC, MP4, b_text, "", .status = 422, .alt_status = 400 },
  { "mp4/zeros",         "POST", IC, MP4, b_zeros, "65536", .status = 422, .flags = F_INGEST },
  { "mp4/octet-random",  "POST", IC, "application/octet-stream", b_random, "1000", .status = 422,
    .flags = F_INGEST },

  /* Content-Types and multipart bodies. */
  { "ct/text-plain",     "POST", IC, "text/plain", b_text, "hello", .status = 415 },
  { "ct/json",           "POST", IC, JSON, b_text, "{\"file\": 1}", .status = 415 },
  { "ct/none",           "POST", IC, NULL, b_text, "hello", .status = 415, .alt_status = 400,
    .flags = F_RAW },
  { "mp/no-boundary",    "POST", IC, NULL, b_multipart, "no-boundary", .status = 400 },
  { "mp/boundary-never", "POST", IC, NULL, b_multipart, "never", .status = 400 },
  { "mp/no-final",       "POST", IC, NULL, b_multipart, "no-final", .status = 400 },
  { "mp/endless-headers","POST", IC, NULL, b_multipart, "endless-headers", .status = 400 },
  { "mp/too-many-parts", "POST", IC, NULL, b_multipart, "too-many-parts", .status = 400 },
  { "mp/two-files",      "POST", IC, NULL, b_form, "two-files", .status = 422, .flags = F_INGEST },
  { "mp/no-file-part",   "POST", IC, NULL, b_form, "no-file-part", .status = 400 },
  { "mp/file-no-filename","POST", IC, NULL, b_form, "file-no-filename", .status = 422,
    .flags = F_INGEST },
  { "mp/filename-traversal", "POST", IC, NULL, b_form, "traversal", .status = 201,
    .check = check_traversal },

  /* JSON to POST /packaged_content. */
  { "json/malformed",    "POST", PC, JSON, b_text, "{\"input_content_id\": 1,", .status = 400 },
  { "json/not-utf8",     "POST", PC, JSON, b_text, "{\"input_content_id\": \"\xff\xfe\"}", .status = 400 },
  { "json/array",        "POST", PC, JSON, b_text, "[1, 2, 3]", .status = 400 },
  { "json/string",       "POST", PC, JSON, b_text, "\"input_content_id\"", .status = 400 },
  { "json/number",       "POST", PC, JSON, b_text, "42", .status = 400 },
  { "json/empty",        "POST", PC, JSON, b_text, "", .status = 400 },
  { "json/id-missing",   "POST", PC, JSON, b_text, "{}", .status = 422 },
  { "json/id-string",    "POST", PC, JSON, b_text, "{\"input_content_id\": \"abc\"}", .status = 422 },
  { "json/id-negative",  "POST", PC, JSON, b_text, "{\"input_content_id\": -1}", .status = 422 },
  { "json/id-zero",      "POST", PC, JSON, b_text, "{\"input_content_id\": 0}", .status = 422 },
  { "json/id-1e30",      "POST", PC, JSON, b_text, "{\"input_content_id\": 1e30}", .status = 422 },
  { "json/id-2^63",      "POST", PC, JSON, b_text, "{\"input_content_id\": 9223372036854775808}",
    .status = 422, .alt_status = 400 },
  { "json/id-2^63-str",  "POST", PC, JSON, b_text, "{\"input_content_id\": \"9223372036854775808\"}",
    .status = 422 },
  { "json/id-sqli",      "POST", PC, JSON, b_text, "{\"input_content_id\": \"1 OR 1=1\"}", .status = 422 },
  { "json/id-unknown",   "POST", PC, JSON, b_text, "{\"input_content_id\": 987654321}", .status = 404 },
  { "json/key-number",   "POST", PC, JSON, b_text, IDJ "\"key\": 5, \"kid\": 6}", .status = 422 },
  { "json/key-array",    "POST", PC, JSON, b_text, IDJ "\"key\": [\"" KEY "\"], \"kid\": \"" KID "\"}",
    .status = 422 },
  { "json/kid-object",   "POST", PC, JSON, b_text, IDJ "\"key\": \"" KEY "\", \"kid\": {}}", .status = 422 },
  { "json/kid-null",     "POST", PC, JSON, b_text, IDJ "\"key\": \"" KEY "\", \"kid\": null}", .status = 422 },
  { "json/key-short",    "POST", PC, JSON, b_text, IDJ "\"key\": \"AAAA\", \"kid\": \"" KID "\"}", .status = 422 },
  { "json/kid-long",     "POST", PC, JSON, b_text, IDJ "\"key\": \"" KEY "\", \"kid\": \""
    KID KID KID KID "\"}", .status = 422 },
  { "json/key-31-hex",   "POST", PC, JSON, b_text, IDJ "\"key\": \"0123456789abcdef0123456789abcde\", "
    "\"kid\": \"" KID "\"}", .status = 422 },
  { "json/key-not-b64",  "POST", PC, JSON, b_text, IDJ "\"key\": \"hyN9IKGfWKdAwFaE5pm0q!\", "
    "\"kid\": \"" KID "\"}", .status = 422 },
  { "json/key-sqli",     "POST", PC, JSON, b_text, IDJ "\"key\": \"" SQLI_1 "\", \"kid\": \"" KID "\"}",
    .status = 422 },
  { "json/kid-sqli",     "POST", PC, JSON, b_text, IDJ "\"key\": \"" KEY "\", \"kid\": \"" SQLI_2 "\"}",
    .status = 422 },
  { "json/scheme-sqli",  "POST", PC, JSON, b_text, IDJ KEYS ", \"scheme\": \"" SQLI_1 "\"}", .status = 422 },
  { "json/scheme-drop",  "POST", PC, JSON, b_text, IDJ KEYS ", \"scheme\": \"" SQLI_2 "\"}", .status = 422 },
  { "json/profile-sqli", "POST", PC, JSON, b_text, IDJ KEYS ", \"profile\": \"" SQLI_2 "\"}", .status = 422 },
  { "json/encrypt-sqli", "POST", PC, JSON, b_text, IDJ KEYS ", \"encrypt\": \"" SQLI_1 "\"}", .status = 422 },
  { "json/scheme-cens",  "POST", PC, JSON, b_text, IDJ KEYS ", \"scheme\": \"cens\"}", .status = 422 },
  { "json/scheme-number","POST", PC, JSON, b_text, IDJ KEYS ", \"scheme\": 1}", .status = 422 },
  { "json/profile-vod",  "POST", PC, JSON, b_text, IDJ KEYS ", \"profile\": \"vod\"}", .status = 422 },
  { "json/encrypt-none", "POST", PC, JSON, b_text, IDJ KEYS ", \"encrypt\": \"none\"}", .status = 422 },
  { "json/segdur-neg",   "POST", PC, JSON, b_text, IDJ "\"segment_duration\": -4}", .status = 422 },
  { "json/segdur-huge",  "POST", PC, JSON, b_text, IDJ "\"segment_duration\": 1e308}", .status = 422 },
  { "json/segdur-zero",  "POST", PC, JSON, b_text, IDJ "\"segment_duration\": 0.49}", .status = 422 },
  { "json/segdur-string","POST", PC, JSON, b_text, IDJ "\"segment_duration\": \"4\"}", .status = 422 },
  { "json/1MB",          "POST", PC, JSON, b_big_json, NULL, .status = 413 },
  { "json/deep-10000",   "POST", PC, JSON, b_deep_json, "10000", .status = 400 },
  { "json/deep-65000",   "POST", PC, JSON, b_deep_json, "65000", .status = 400 },
  { "json/license-deep", "POST", "/license?token=AAAAAAAAAAAAAAAAAAAAAA", JSON, b_deep_json, "10000",
    .status = 403, .alt_status = 400 },

  /* Paths. */
  { "path/id-abc",       "GET", PC "/abc", .status = 404 },
  { "path/id-negative",  "GET", PC "/-1", .status = 404 },
  { "path/id-zero",      "GET", PC "/0", .status = 404 },
  { "path/id-huge",      "GET", PC "/99999999999999999999", .status = 404 },
  { "path/id-2^63",      "GET", PC "/9223372036854775808", .status = 404 },
  { "path/cancel-abc",   "POST", PC "/abc/cancel", .status = 404 },
  { "path/delete-huge",  "DELETE", PC "/99999999999999999999", .status = 404 },
  { "path/content-dotdot","GET", "/content/%2e%2e/%2e%2e/etc/passwd", .status = 404,
    .alt_status = 400, .flags = F_RAW },
  { "path/content-dotdot-raw","GET", "/content/../../etc/passwd", .status = 404,
    .alt_status = 400, .flags = F_RAW },
  { "path/content-nul",  "GET", "/content/%00", .status = 404, .alt_status = 400, .flags = F_RAW },
  { "path/content-nul-mid","GET", "/content/1-x%00/../stream.mpd", .status = 404, .alt_status = 400,
    .flags = F_RAW },
  { "path/web-dotdot",   "GET", "/web/%2e%2e%2fvpk-server.c", .status = 404, .alt_status = 400,
    .flags = F_RAW },
  { "path/8KiB",         "GET", "@LONG", .status = 414, .flags = F_RAW },
  { "path/patch-jobs",   "PATCH", PC, .status = 405 },
  { "path/put-job",      "PUT", PC "/1", .status = 405 },
  { "path/patch-healthz","PATCH", "/healthz", .status = 405 },

  /* Headers. */
  { "hdr/64KiB-value",   "GET", "/healthz", .hname = "X-Hostile", .hvalue = "@64K", .status = 400,
    .flags = F_RAW | F_CLOSE_OK },
  { "hdr/content-length-lies", "POST", PC, JSON, b_text, "{\"input_content_id\": 1}",
    .status = 400, .alt_status = 408, .flags = F_RAW | F_CLOSE_OK | F_SHORT },
  { "hdr/content-length-lies-upload", "POST", IC, MP4, b_random, "1000",
    .status = 400, .alt_status = 408, .flags = F_RAW | F_CLOSE_OK | F_SHORT },

  /* Tokens. */
  { "auth/bearer-10KiB", "GET", PC, .auth = "@10K", .status = 401 },
  { "auth/bearer-empty", "GET", PC, .auth = "Bearer ", .status = 401 },
  { "auth/basic",        "GET", PC, .auth = "Basic YWRtaW46YWRtaW4=", .status = 401 },
  { "auth/none-post",    "POST", PC, JSON, b_text, "{\"input_content_id\": %ID%}", .auth = "",
    .status = 401 },
  { "auth/sqli-token",   "GET", IC, .auth = "Bearer " SQLI_1, .status = 401 },
};

/* ---- Sending ---- */

static char *
expand_value (const char *v)
{
  if (g_strcmp0 (v, "@64K") == 0)
    return garbage_text (64 * 1024);
  if (g_strcmp0 (v, "@10K") == 0) {
    g_autofree char *g = garbage_text (10 * 1024);

    return g_strconcat ("Bearer ", g, NULL);
  }
  return g_strdup (v);
}

static char *
case_path (const Case *c)
{
  if (strcmp (c->path, "@LONG") == 0) {
    GString *p = g_string_new ("/content/");

    while (p->len < 8192)
      g_string_append (p, "aaaaaaa/");
    return g_string_free (p, FALSE);
  }
  return g_strdup (c->path);
}

static char *
case_auth (const Case *c)
{
  if (c->auth == NULL)
    return g_strconcat ("Bearer ", server->admin_token, NULL);
  if (*c->auth == '\0')
    return NULL;
  return expand_value (c->auth);
}

/* Hand-written HTTP/1.1; 0 when the connection closed or nothing came in time. */
static guint
send_raw (const Case *c, const char *path, const char *ct, GBytes *body, GBytes **out_body)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) req = g_string_new (NULL);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  g_autofree char *auth = case_auth (c);
  g_autofree char *hvalue = expand_value (c->hvalue);
  const char *host = server->url + strlen ("http://");
  gsize body_len = body != NULL ? g_bytes_get_size (body) : 0;
  guint8 buf[16384];
  const char *text, *eoh;
  guint status = 0;

  g_socket_client_set_timeout (client, 5);
  conn = g_socket_client_connect_to_host (client, host, 80, NULL, &error);
  g_assert_no_error (error);
  g_string_append_printf (req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", c->method,
                          path, host);
  if (auth != NULL)
    g_string_append_printf (req, "Authorization: %s\r\n", auth);
  if (ct != NULL)
    g_string_append_printf (req, "Content-Type: %s\r\n", ct);
  if (body != NULL)
    g_string_append_printf (req, "Content-Length: %zu\r\n",
                            body_len + ((c->flags & F_SHORT) ? 1000 : 0));
  if (c->hname != NULL)
    g_string_append_printf (req, "%s: %s\r\n", c->hname, hvalue);
  g_string_append (req, "\r\n");
  if (body != NULL)
    g_string_append_len (req, g_bytes_get_data (body, NULL), (gssize) body_len);
  /* The server may answer and close early: a failed write is not the verdict. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req->str,
                             req->len, NULL, NULL, NULL);
  while (TRUE) {
    gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf,
                                    sizeof buf, NULL, &error);

    if (n <= 0)
      break;
    g_byte_array_append (reply, buf, (guint) n);
  }
  if (error != NULL)
    g_test_message ("  %s: read: %s", c->name, error->message);
  g_byte_array_append (reply, (const guint8 *) "", 1);
  text = (const char *) reply->data;
  if (g_str_has_prefix (text, "HTTP/1.") && strlen (text) >= 12)
    status = (guint) g_ascii_strtoull (text + 9, NULL, 10);
  eoh = strstr (text, "\r\n\r\n");
  /* Bodies with Content-Length only (chunked ones are not looked at). */
  if (eoh != NULL && strstr (text, "chunked") == NULL)
    *out_body = g_bytes_new (eoh + 4, strlen (eoh + 4));
  return status;
}

static guint
send_soup (const Case *c, const char *path, const char *ct, GBytes *body, GBytes **out_body,
           GError **error)
{
  g_autofree char *url = g_strconcat (server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (c->method, url);
  g_autofree char *auth = case_auth (c);
  g_autofree char *hvalue = expand_value (c->hvalue);
  SoupMessageHeaders *h;

  g_assert_nonnull (msg);
  h = soup_message_get_request_headers (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, ct, body);
  if (auth != NULL)
    soup_message_headers_replace (h, "Authorization", auth);
  if (c->hname != NULL)
    soup_message_headers_replace (h, c->hname, hvalue);
  *out_body = soup_session_send_and_read (server->session, msg, NULL, error);
  return soup_message_get_status (msg);
}

static char *
wait_final (gint64 id)
{
  g_autofree char *path = g_strdup_printf (PC "/%" G_GINT64_FORMAT, id);
  gint64 deadline = g_get_monotonic_time () + 180 * G_TIME_SPAN_SECOND;

  while (TRUE) {
    g_autoptr(VpkTestReply) r = vpk_test_request (server, "GET", path, NULL, NULL, NULL);
    JsonObject *o = vpk_test_reply_object (r);
    const char *status = json_object_get_string_member (o, "status");

    if (g_strcmp0 (status, "Ready") == 0 || g_strcmp0 (status, "Failed") == 0 ||
        g_strcmp0 (status, "Cancelled") == 0 || g_get_monotonic_time () > deadline) {
      if (g_strcmp0 (status, "Failed") == 0)
        return g_strdup_printf ("Failed: %s",
                                json_object_get_string_member_with_default (o, "error", ""));
      return g_strdup (status);
    }
    g_usleep (200 * 1000);
  }
}

/* An upload ingest let through: a job on it must fail, and say why. */
static void
package_must_fail (const Case *c, GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *final = NULL;
  gint64 input_id, job_id;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  input_id = json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                         "input_content_id");
  json = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT "}", input_id);
  {
    g_autoptr(VpkTestReply) r = vpk_test_post_json (server, PC, json);

    g_assert_cmpuint (r->status, ==, 202);
    job_id = json_object_get_int_member (vpk_test_reply_object (r), "packaged_content_id");
    n_jobs_made++;
  }
  final = wait_final (job_id);
  g_test_message ("  %s: ingest accepted it; job %" G_GINT64_FORMAT ": %s", c->name, job_id, final);
  g_assert_true (g_str_has_prefix (final, "Failed: "));
  g_assert_cmpuint (strlen (final), >, strlen ("Failed: "));
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = case_path (c);
  g_autofree char *ct = c->content_type != NULL ? g_strdup (c->content_type) : NULL;
  g_autoptr(GBytes) body = c->body != NULL ? c->body (c->arg, &ct) : NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  guint status;

  if (c->flags & F_RAW)
    status = send_raw (c, path, ct, body, &reply);
  else
    status = send_soup (c, path, ct, body, &reply, &error);
  g_test_message ("%s: %s %.60s%s -> %u%s%s (%.2f s)", c->name, c->method, path,
                  strlen (path) > 60 ? "…" : "", status, error != NULL ? ", " : "",
                  error != NULL ? error->message : "",
                  (g_get_monotonic_time () - start) / 1e6);
  if (reply != NULL && status >= 400) {
    g_autofree char *text = body_text (reply);

    g_test_message ("  reply: %.200s", text);
  }
  if (error != NULL || status == 0) {
    g_assert_true ((c->flags & F_CLOSE_OK) != 0);
    return;
  }
  if ((c->flags & F_INGEST) && status == 201) {
    package_must_fail (c, reply);
    return;
  }
  if (status != c->status && (c->alt_status == 0 || status != c->alt_status))
    g_assert_cmpuint (status, ==, c->status);
  if (status >= 400)
    check_error_body (c, status, reply);
  if (c->check != NULL)
    c->check (c, status, reply);
}

/* ---- Before and after ---- */

static guint64 failures_before;
static guint n_401;

static void
test_setup (void)
{
  g_autoptr(VpkTestReply) r = vpk_test_upload (server, IC, video_path, "good.mp4");

  g_test_summary ("A normal upload works before the hostile cases; counts them.");
  g_assert_cmpuint (r->status, ==, 201);
  good_input_id = json_object_get_int_member (vpk_test_reply_object (r), "input_content_id");
  failures_before = auth_failures ("missing") + auth_failures ("invalid");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].status == 401)
      n_401++;
  g_test_message ("%u hostile cases", (guint) G_N_ELEMENTS (cases));
}

static void
test_still_serves (void)
{
  g_autoptr(VpkTestReply) health = vpk_test_request (server, "GET", "/healthz", NULL, NULL, NULL);
  g_autoptr(VpkTestReply) up = vpk_test_upload (server, IC, video_path, "after.mp4");
  g_autoptr(VpkTestReply) list = NULL;
  g_autoptr(VpkTestReply) inputs = vpk_test_request (server, "GET", IC, NULL, NULL, NULL);
  guint64 failures = auth_failures ("missing") + auth_failures ("invalid");
  JsonArray *items;

  g_test_summary ("After every hostile case: /healthz 200, a small upload 201, /metrics "
                  "counted the 401s, the job table is intact and holds only real jobs.");
  g_assert_cmpuint (health->status, ==, 200);
  g_assert_cmpuint (up->status, ==, 201);
  g_assert_cmpuint (inputs->status, ==, 200);
  g_test_message ("auth failures: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " (%u 401 cases)",
                  failures_before, failures, n_401);
  g_assert_cmpuint (failures - failures_before, >=, n_401);
  /* Nothing dropped, nothing created by the injections. */
  list = vpk_test_request (server, "GET", PC, NULL, NULL, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  items = json_object_get_array_member (vpk_test_reply_object (list), "items");
  g_test_message ("jobs listed: %u (made by cases: %u)", json_array_get_length (items), n_jobs_made);
  g_assert_cmpint (json_object_get_int_member (vpk_test_reply_object (list), "total"), ==,
                   n_jobs_made);
  for (guint i = 0; i < json_array_get_length (items); i++) {
    JsonObject *job = json_array_get_object_element (items, i);

    g_assert_cmpstr (json_object_get_string_member (job, "status"), ==, "Failed");
  }
  /* And a real job can still be made. */
  {
    g_autofree char *json = g_strdup_printf ("{\"input_content_id\": %" G_GINT64_FORMAT ", "
                                             KEYS "}", good_input_id);
    g_autoptr(VpkTestReply) r = vpk_test_post_json (server, PC, json);
    g_autoptr(VpkTestReply) cancel = NULL;
    g_autofree char *cpath = NULL;

    g_assert_cmpuint (r->status, ==, 202);
    cpath = g_strdup_printf (PC "/%" G_GINT64_FORMAT "/cancel",
                             json_object_get_int_member (vpk_test_reply_object (r),
                                                         "packaged_content_id"));
    cancel = vpk_test_request (server, "POST", cpath, NULL, NULL, NULL);
    g_assert_true (cancel->status == 202 || cancel->status == 409);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("VPACK") == NULL)  /* needs the built vpack (meson test sets it) */
    return g_test_run ();
  media_dir = g_dir_make_tmp ("vpk-media-XXXXXX", &error);
  g_assert_no_error (error);
  video_path = vpk_test_make_media (media_dir, "clip.mp4",
      "-f lavfi -i testsrc2=size=160x120:rate=25 -c:v libx264 -pix_fmt yuv420p -g 25 -t 2 "
      "-movflags +faststart");
  server = vpk_test_server_start_full (NULL, 1, NULL, TRUE);
  g_test_add_func ("/hostile/a-before/upload", test_setup);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *name = g_strconcat ("/hostile/case/", cases[i].name, NULL);

    g_test_add_data_func (name, &cases[i], run_case);
  }
  g_test_add_func ("/hostile/z-after/still-serves", test_still_serves);
  ret = g_test_run ();
  if (server != NULL)
    vpk_test_server_stop (server);
  if (media_dir != NULL)
    vpk_test_rm_rf (media_dir);
  return ret;
}
