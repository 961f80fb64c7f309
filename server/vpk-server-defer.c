/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Work off the main context: a handler pauses its message, the work runs on a
 * GTask pool thread with that thread's database connection, and the reply is
 * set back on the main context before the message is unpaused. */
#include "vpk-server-private.h"

#include <errno.h>
#include <glib/gstdio.h>

typedef struct {
  VpkServer         *server;
  SoupServerMessage *msg;
  gboolean           need_db;
  VpkDeferFunc       func;
  gpointer           data;
  GDestroyNotify     destroy;
  VpkReply           reply;
} Deferred;

static void
deferred_free (Deferred *d)
{
  if (d->destroy != NULL)
    d->destroy (d->data);
  g_clear_pointer (&d->reply.json, json_node_unref);
  g_clear_pointer (&d->reply.body, g_bytes_unref);
  g_clear_pointer (&d->reply.headers, g_ptr_array_unref);
  g_free (d->reply.content_type);
  g_clear_object (&d->msg);
  g_free (d);
}

void
vpk_reply_json (VpkReply *reply, guint status, JsonBuilder *builder)
{
  json_builder_end_object (builder);
  reply->status = status;
  g_clear_pointer (&reply->json, json_node_unref);
  reply->json = json_builder_get_root (builder);
}

void
vpk_reply_body (VpkReply *reply, guint status, const char *content_type, GBytes *body)
{
  reply->status = status;
  g_free (reply->content_type);
  reply->content_type = g_strdup (content_type);
  g_clear_pointer (&reply->body, g_bytes_unref);
  reply->body = body != NULL ? g_bytes_ref (body) : NULL;
}

void
vpk_reply_header (VpkReply *reply, const char *name, const char *value)
{
  if (reply->headers == NULL)
    reply->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (reply->headers, g_strdup (name));
  g_ptr_array_add (reply->headers, g_strdup (value));
}

static void
defer_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Deferred *d = task_data;
  GError *error = NULL;
  VpkDb *db = NULL;

  if (d->need_db && (db = vpk_db_get_for_thread (&error)) == NULL) {
    g_task_return_error (task, error);  /* takes the error */
    return;
  }
  if (!d->func (d->server, db, d->data, &d->reply, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
apply_reply (SoupServerMessage *msg, VpkReply *reply)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  if (reply->json != NULL) {
    vpk_http_reply_json (msg, reply->status, reply->json);
  } else if (reply->body != NULL) {
    soup_server_message_set_status (msg, reply->status, NULL);
    soup_message_headers_set_content_type (h, reply->content_type, NULL);
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), reply->body);
  } else {
    soup_server_message_set_status (msg, reply->status != 0 ? reply->status : 204, NULL);
  }
}

static void
on_deferred_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Deferred *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  SoupMessageHeaders *h = soup_server_message_get_response_headers (d->msg);
  GPtrArray *headers = d->reply.headers;

  /* Set on success and on failure (Content-Range with 416, say). */
  for (guint i = 0; headers != NULL && i + 1 < headers->len; i += 2)
    soup_message_headers_replace (h, headers->pdata[i], headers->pdata[i + 1]);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    vpk_http_reply_gerror (d->msg, error);
  else
    apply_reply (d->msg, &d->reply);
  soup_server_message_unpause (d->msg);
}

void
vpk_server_defer (VpkServer         *server,
                  SoupServerMessage *msg,
                  gboolean           need_db,
                  VpkDeferFunc       func,
                  gpointer           data,
                  GDestroyNotify     destroy)
{
  Deferred *d = g_new0 (Deferred, 1);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_deferred_done, NULL);

  d->server = server;
  d->msg = g_object_ref (msg);  /* dropped in deferred_free() */
  d->need_db = need_db;
  d->func = func;
  d->data = data;
  d->destroy = destroy;
  g_task_set_task_data (task, d, (GDestroyNotify) deferred_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, defer_thread);
}

gboolean
vpk_server_parse_id (SoupServerMessage *msg, const char *arg, gint64 *out_id)
{
  guint64 v;

  if (arg == NULL || !g_ascii_string_to_unsigned (arg, 10, 1, G_MAXINT64, &v, NULL)) {
    vpk_http_reply_error (msg, 404, "not_found", "'%.40s' is not an id", arg != NULL ? arg : "");
    return FALSE;
  }
  *out_id = (gint64) v;
  return TRUE;
}

static gboolean
parse_bounded (GHashTable *query, const char *name, guint64 min, guint64 max, gint64 *inout)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 v;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *inout = (gint64) v;
  return TRUE;
}

gboolean
vpk_server_parse_page (SoupServerMessage *msg, GHashTable *query,
                       gint64 *out_offset, gint64 *out_limit)
{
  *out_offset = 0;
  *out_limit = 50;
  if (!parse_bounded (query, "offset", 0, 1000000000, out_offset) ||
      !parse_bounded (query, "limit", 1, 500, out_limit)) {
    vpk_http_reply_error (msg, 422, "unprocessable",
                          "offset must be 0 or more and limit from 1 to 500");
    return FALSE;
  }
  return TRUE;
}

gboolean
vpk_server_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_unlink (path) == 0 || errno == ENOENT;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    vpk_server_remove_tree (child);
  }
  return g_rmdir (path) == 0 || errno == ENOENT;
}
