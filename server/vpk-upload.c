/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request bodies, as they arrive. Nothing accumulates in libsoup: small bodies
 * (JSON) are collected here up to a bound, uploads (multipart/form-data or a
 * raw video body) are written chunk by chunk to a file with a generated name. */
#include "vpk-server-private.h"
#include "vpk-upload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "vpk-multipart.h"

#define MAX_SMALL_BODY (64 * 1024)
#define BODY_KEY "vpk-body"

static void
body_free (VpkBody *body)
{
  if (body->fd >= 0)
    close (body->fd);
  if (body->tmp_path != NULL)
    g_unlink (body->tmp_path);  /* never handed on: the client went away or failed */
  g_free (body->tmp_path);
  g_free (body->filename);
  g_clear_pointer (&body->mp, vpk_multipart_free);
  g_clear_pointer (&body->small, g_byte_array_unref);
  g_clear_error (&body->error);
  g_free (body);
}

VpkBody *
vpk_upload_get (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), BODY_KEY);
}

const char *
vpk_upload_get_body (SoupServerMessage *msg, gsize *out_size)
{
  VpkBody *body = vpk_upload_get (msg);

  *out_size = 0;
  if (body == NULL || body->small == NULL)
    return NULL;
  *out_size = body->small->len;
  return (const char *) body->small->data;
}

static gboolean
set_failed (VpkBody *body, GError *error)
{
  if (body->error == NULL)
    body->error = error;  /* takes it */
  else
    g_error_free (error);
  if (body->fd >= 0) {
    close (body->fd);
    body->fd = -1;
  }
  return FALSE;
}

static gboolean
open_file (VpkBody *body, const char *client_name, GError **error)
{
  g_autofree char *tmpl = g_build_filename (body->server->inputs_dir, ".upload-XXXXXX", NULL);

  if (body->fd >= 0 || body->have_file)
    return TRUE;  /* a second file part is ignored */
  body->fd = g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0600);
  if (body->fd < 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot store the upload: %s", g_strerror (errsv));
    return FALSE;
  }
  body->tmp_path = g_steal_pointer (&tmpl);
  body->filename = vpk_upload_sanitize_filename (client_name);
  body->have_file = TRUE;
  body->writing = TRUE;
  return TRUE;
}

static gboolean
write_file (VpkBody *body, const guint8 *data, gsize size, GError **error)
{
  if (!body->writing)
    return TRUE;
  if (body->written + size > body->server->config->max_upload_size) {
    g_set_error (error, VPK_HTTP_ERROR, 413, "The upload is larger than %" G_GUINT64_FORMAT
                 " bytes", body->server->config->max_upload_size);
    return FALSE;
  }
  /* Chunks are at most a few KiB and land in the page cache. */
  while (size > 0) {
    gssize n = write (body->fd, data, size);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot store the upload: %s", g_strerror (errsv));
      return FALSE;
    }
    data += n;
    size -= (gsize) n;
    body->written += (guint64) n;
  }
  return TRUE;
}

static gboolean
on_part_begin (gpointer data, const char *name, const char *filename,
               const char *content_type, GError **error)
{
  VpkBody *body = data;

  if (filename != NULL || g_strcmp0 (name, "file") == 0)
    return open_file (body, filename, error);
  return TRUE;  /* other fields are read and dropped */
}

static gboolean
on_part_data (gpointer data, const guint8 *bytes, gsize size, GError **error)
{
  return write_file (data, bytes, size, error);
}

static gboolean
on_part_end (gpointer data, GError **error)
{
  VpkBody *body = data;

  body->writing = FALSE;
  return TRUE;
}

static const VpkMultipartCallbacks multipart_callbacks = {
  on_part_begin, on_part_data, on_part_end,
};

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  VpkBody *body = user_data;
  gsize size = g_bytes_get_size (chunk);
  const guint8 *data = g_bytes_get_data (chunk, NULL);
  GError *error = NULL;

  vpk_metrics_add_bytes_in (size);
  if (body->error != NULL)
    return;  /* drained */
  if (body->small != NULL) {
    if (body->small->len + size > MAX_SMALL_BODY)
      set_failed (body, g_error_new (VPK_HTTP_ERROR, 413, "The body is larger than %d bytes",
                                     MAX_SMALL_BODY));
    else
      g_byte_array_append (body->small, data, (guint) size);
  } else if (body->mp != NULL) {
    if (!vpk_multipart_feed (body->mp, data, size, &error))
      set_failed (body, error);
  } else if (!write_file (body, data, size, &error)) {
    set_failed (body, error);
  }
}

char *
vpk_upload_sanitize_filename (const char *name)
{
  g_autofree char *valid = NULL;
  const char *base;
  GString *out = g_string_new (NULL);

  if (name == NULL)
    name = "";
  base = MAX (strrchr (name, '/'), strrchr (name, '\\'));
  base = base != NULL ? base + 1 : name;
  valid = g_utf8_make_valid (base, -1);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    const char *next = g_utf8_next_char (p);

    if (g_unichar_iscntrl (c))
      continue;
    if (out->len + (gsize) (next - p) > 255)
      break;
    g_string_append_len (out, p, next - p);
  }
  if (out->len == 0 || strcmp (out->str, ".") == 0 || strcmp (out->str, "..") == 0)
    g_string_assign (out, "upload");
  return g_string_free (out, FALSE);
}

static gboolean
is_upload_path (const char *method, const char *path)
{
  return strcmp (method, "POST") == 0 &&
         (strcmp (path, "/input_content") == 0 || strcmp (path, "/success") == 0);
}

/* Multipart, raw, or refused; returns FALSE with @error for a bad Content-Type. */
static gboolean
setup_upload (VpkBody *body, SoupServerMessage *msg, GError **error)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (h, &params);
  goffset length = soup_message_headers_get_content_length (h);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) fields = NULL;

  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) length > body->server->config->max_upload_size) {
    g_set_error (error, VPK_HTTP_ERROR, 413, "The upload (%" G_GOFFSET_FORMAT " bytes) is "
                 "larger than %" G_GUINT64_FORMAT " bytes", length,
                 body->server->config->max_upload_size);
    return FALSE;
  }
  if (g_strcmp0 (type, "multipart/form-data") == 0) {
    body->mp = vpk_multipart_new (params != NULL ? g_hash_table_lookup (params, "boundary") : NULL,
                                  &multipart_callbacks, body, error);
    return body->mp != NULL;
  }
  if (type != NULL && (g_str_has_prefix (type, "video/") || g_str_has_prefix (type, "audio/") ||
                       strcmp (type, "application/octet-stream") == 0)) {
    if (query != NULL && strlen (query) < 4096)
      fields = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
    body->raw = TRUE;
    return open_file (body, fields != NULL ? g_hash_table_lookup (fields, "filename") : NULL,
                      error);
  }
  g_set_error (error, VPK_HTTP_ERROR, 415, "Send multipart/form-data with a file, or a raw "
               "body with Content-Type video/*, not '%.100s'", type != NULL ? type : "nothing");
  return FALSE;
}

static void
on_got_headers (SoupServerMessage *msg, gpointer user_data)
{
  VpkServer *server = user_data;
  VpkBody *body = g_new0 (VpkBody, 1);
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  GError *error = NULL;

  body->server = server;
  body->fd = -1;
  g_object_set_data_full (G_OBJECT (msg), BODY_KEY, body, (GDestroyNotify) body_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), body);
  if (!is_upload_path (soup_server_message_get_method (msg), path)) {
    body->small = g_byte_array_new ();
    if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH &&
        soup_message_headers_get_content_length (h) > MAX_SMALL_BODY)
      error = g_error_new (VPK_HTTP_ERROR, 413, "The body is larger than %d bytes",
                           MAX_SMALL_BODY);
  } else {
    setup_upload (body, msg, &error);
  }
  if (error != NULL && error->code == 413) {
    /* Answer now: libsoup then does not call the handler (and honours Expect). */
    vpk_http_add_cors (msg);
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Connection", "close");
    vpk_http_reply_error (msg, 413, "payload_too_large", "%s", error->message);
  }
  if (error != NULL)
    set_failed (body, error);
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), user_data);
}

void
vpk_upload_connect (VpkServer *server)
{
  g_signal_connect (server->soup, "request-started", G_CALLBACK (on_request_started), server);
}
