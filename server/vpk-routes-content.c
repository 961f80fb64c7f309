/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GET /content/…: the published packages. One byte range per request (what
 * DASH players ask for), ETag and Last-Modified with conditional requests, the
 * DASH MIME types, and no way out of the output folder: each path component
 * is checked, and the resolved file must lie inside the resolved folder. */
#include "vpk-server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_LIMIT (1024 * 1024)  /* larger files are mapped, not read */
#define MAX_COMPONENTS 8

typedef struct {
  char       *path;
  char       *range;            /* the Range header, or NULL */
  char       *if_none_match;
  char       *if_modified_since;
} Get;

static void
get_free (Get *g)
{
  g_free (g->path);
  g_free (g->range);
  g_free (g->if_none_match);
  g_free (g->if_modified_since);
  g_free (g);
}

static const char *
mime_type (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_suffix (path, ".mpd"))
    return "application/dash+xml";
  if (g_str_has_suffix (path, ".m4a") || strstr (base, "audio") != NULL ||
      strstr (path, "/audio") != NULL)
    return "audio/mp4";
  if (g_str_has_suffix (path, ".mp4") || g_str_has_suffix (path, ".m4s") ||
      g_str_has_suffix (path, ".m4v") || g_str_has_suffix (path, ".cmfv"))
    return "video/mp4";
  if (g_str_has_suffix (path, ".json"))
    return "application/json";
  return "application/octet-stream";
}

/* The decoded, checked relative path, or NULL. */
static char *
checked_relative_path (const char *encoded)
{
  g_autofree char *decoded = g_uri_unescape_string (encoded, "/\\");
  g_auto(GStrv) parts = NULL;
  guint n;

  if (decoded == NULL || strlen (decoded) > 1024)
    return NULL;
  parts = g_strsplit (decoded, "/", -1);
  n = g_strv_length (parts);
  if (n == 0 || n > MAX_COMPONENTS)
    return NULL;
  for (guint i = 0; i < n; i++)
    if (parts[i][0] == '\0' || parts[i][0] == '.')
      return NULL;  /* "", ".", "..", hidden files */
  return g_steal_pointer (&decoded);
}

static gboolean
not_found (GError **error)
{
  g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No such content");
  return FALSE;
}

/* Opens @rel under @root, refusing anything that resolves outside it. */
static int
open_inside (const char *root, const char *rel, struct stat *st, char **out_real, GError **error)
{
  g_autofree char *joined = g_build_filename (root, rel, NULL);
  g_autofree char *real_root = realpath (root, NULL);
  g_autofree char *real = realpath (joined, NULL);
  int fd;

  if (real_root == NULL || real == NULL || !g_str_has_prefix (real, real_root) ||
      real[strlen (real_root)] != '/')
    return not_found (error), -1;
  fd = open (real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat (fd, st) != 0 || !S_ISREG (st->st_mode)) {
    if (fd >= 0)
      close (fd);
    return not_found (error), -1;
  }
  *out_real = g_steal_pointer (&real);
  return fd;
}

static GBytes *
read_range (int fd, const char *path, goffset start, goffset length, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) all = NULL;
  g_autofree guint8 *buf = NULL;
  gsize done = 0;

  if (length == 0)
    return g_bytes_new (NULL, 0);
  if (length > READ_LIMIT) {
    mapped = g_mapped_file_new_from_fd (fd, FALSE, error);
    if (mapped == NULL)
      return NULL;
    all = g_mapped_file_get_bytes (mapped);
    return g_bytes_new_from_bytes (all, (gsize) start, (gsize) length);
  }
  buf = g_malloc ((gsize) length);
  while (done < (gsize) length) {
    gssize n = pread (fd, buf + done, (gsize) length - done, start + (goffset) done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot read '%s'", path), NULL;
    done += (gsize) n;
  }
  return g_bytes_new_take (g_steal_pointer (&buf), (gsize) length);
}

typedef enum { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE } RangeResult;

/* One "bytes=" range; anything else (several ranges, bad syntax) is ignored. */
static RangeResult
parse_range (const char *header, goffset size, goffset *out_start, goffset *out_end)
{
  const char *spec, *dash;
  guint64 a = 0, b = 0;
  gboolean has_a, has_b;

  if (header == NULL || !g_str_has_prefix (header, "bytes=") || strchr (header, ',') != NULL)
    return RANGE_NONE;
  spec = header + 6;
  dash = strchr (spec, '-');
  if (dash == NULL || strlen (spec) > 64)
    return RANGE_NONE;
  {
    g_autofree char *first = g_strndup (spec, dash - spec);

    has_a = *first != '\0';
    has_b = dash[1] != '\0';
    if ((has_a && !g_ascii_string_to_unsigned (first, 10, 0, G_MAXINT64, &a, NULL)) ||
        (has_b && !g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXINT64, &b, NULL)) ||
        (!has_a && !has_b) || (has_a && has_b && b < a))
      return RANGE_NONE;
  }
  if (!has_a) {  /* the last b bytes */
    if (b == 0 || size == 0)
      return RANGE_UNSATISFIABLE;
    *out_start = size - (goffset) MIN (b, (guint64) size);
    *out_end = size - 1;
    return RANGE_OK;
  }
  if ((goffset) a >= size)
    return RANGE_UNSATISFIABLE;
  *out_start = (goffset) a;
  *out_end = has_b ? MIN ((goffset) b, size - 1) : size - 1;
  return RANGE_OK;
}

static gboolean
not_modified (const Get *g, const char *etag, const struct stat *st)
{
  if (g->if_none_match != NULL)
    return strstr (g->if_none_match, etag) != NULL || strcmp (g->if_none_match, "*") == 0;
  if (g->if_modified_since != NULL) {
    g_autoptr(GDateTime) since = soup_date_time_new_from_http_string (g->if_modified_since);

    return since != NULL && g_date_time_to_unix (since) >= st->st_mtime;
  }
  return FALSE;
}

static void
add_validators (VpkReply *reply, const char *etag, const struct stat *st)
{
  g_autoptr(GDateTime) mtime = g_date_time_new_from_unix_utc (st->st_mtime);
  g_autofree char *last_modified = soup_date_time_to_string (mtime, SOUP_DATE_HTTP);

  vpk_reply_header (reply, "ETag", etag);
  vpk_reply_header (reply, "Last-Modified", last_modified);
  vpk_reply_header (reply, "Accept-Ranges", "bytes");
  vpk_reply_header (reply, "Cache-Control", "public, max-age=60");
}

static gboolean
content_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  Get *g = data;
  struct stat st;
  g_autofree char *real = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(GBytes) bytes = NULL;
  goffset start = 0, end = 0;
  RangeResult range;
  int fd = open_inside (server->output_dir, g->path, &st, &real, error);

  if (fd < 0)
    return FALSE;
  etag = g_strdup_printf ("\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
                          (gint64) st.st_size, (gint64) st.st_mtim.tv_sec * 1000000000 +
                          st.st_mtim.tv_nsec);
  add_validators (reply, etag, &st);
  if (not_modified (g, etag, &st)) {
    close (fd);
    reply->status = 304;
    return TRUE;
  }
  range = parse_range (g->range, st.st_size, &start, &end);
  if (range == RANGE_UNSATISFIABLE) {
    g_autofree char *cr = g_strdup_printf ("bytes */%" G_GINT64_FORMAT, (gint64) st.st_size);

    close (fd);
    vpk_reply_header (reply, "Content-Range", cr);
    g_set_error (error, VPK_HTTP_ERROR, 416, "The range is outside the file");
    return FALSE;
  }
  if (range == RANGE_NONE)
    end = st.st_size - 1;
  bytes = read_range (fd, real, start, end - start + 1, error);
  close (fd);
  if (bytes == NULL)
    return FALSE;
  if (range == RANGE_OK) {
    g_autofree char *cr = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%"
                                           G_GINT64_FORMAT, (gint64) start, (gint64) end,
                                           (gint64) st.st_size);
    vpk_reply_header (reply, "Content-Range", cr);
  }
  vpk_metrics_add_bytes_out (g_bytes_get_size (bytes));
  vpk_reply_body (reply, range == RANGE_OK ? 206 : 200, mime_type (real), bytes);
  return TRUE;
}

void
vpk_route_content (VpkServer *server, SoupServerMessage *msg, const char *arg,
                   GHashTable *query)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  char *path = checked_relative_path (arg);
  Get *g;

  if (path == NULL) {
    vpk_http_reply_error (msg, 404, "not_found", "No such content");
    return;
  }
  g = g_new0 (Get, 1);
  g->path = path;
  g->range = g_strdup (soup_message_headers_get_one (h, "Range"));
  g->if_none_match = g_strdup (soup_message_headers_get_one (h, "If-None-Match"));
  g->if_modified_since = g_strdup (soup_message_headers_get_one (h, "If-Modified-Since"));
  vpk_server_defer (server, msg, FALSE, content_thread, g, (GDestroyNotify) get_free);
}
