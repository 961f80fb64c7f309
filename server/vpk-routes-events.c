/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GET /packaged_content/{id}/events: Server-Sent Events. The job's row is read
 * on a pool thread twice a second; each change becomes a `status` event, and
 * the stream ends after a final status. Works across processes: it reads the
 * database, not this process's workers. */
#include "vpk-server-private.h"

#include <string.h>

#define POLL_MS 500
#define KEEPALIVE_US (15 * G_TIME_SPAN_SECOND)

typedef struct {
  VpkServer         *server;
  SoupServerMessage *msg;
  gint64             id;
  guint              timer;
  gboolean           busy;      /* a read is in flight */
  gboolean           finished;  /* the client went away or the stream ended */
  char              *last;
  gint64             last_sent_us;
} Stream;

static void
stream_free (Stream *s)
{
  g_clear_handle_id (&s->timer, g_source_remove);
  g_clear_object (&s->msg);
  g_free (s->last);
  g_free (s);
}

static void
send_text (Stream *s, const char *text)
{
  soup_message_body_append (soup_server_message_get_response_body (s->msg), SOUP_MEMORY_COPY,
                            text, strlen (text));
  soup_server_message_unpause (s->msg);
  s->last_sent_us = g_get_monotonic_time ();
}

static void
end_stream (Stream *s)
{
  s->finished = TRUE;
  g_clear_handle_id (&s->timer, g_source_remove);
  soup_message_body_complete (soup_server_message_get_response_body (s->msg));
  soup_server_message_unpause (s->msg);
}

static void
read_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Stream *s = data;
  GError *error = NULL;
  VpkDb *db = vpk_db_get_for_thread (&error);
  g_autoptr(VpkJobRow) row = db != NULL ? vpk_store_job_get (db, s->id, &error) : NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  if (row == NULL) {
    g_task_return_error (task, error);
    return;
  }
  json_builder_begin_object (b);
  vpk_job_row_to_json (row, s->server->base_url, b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  g_task_return_pointer (task, json_generator_to_data (gen, NULL), g_free);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *event = NULL;

  s->busy = FALSE;
  if (s->finished) {
    stream_free (s);  /* the client left while we read */
    return;
  }
  if (json == NULL) {
    event = g_strdup_printf ("event: error\ndata: {\"message\": \"%s\"}\n\n",
                             g_error_matches (error, VPK_ERROR, VPK_ERROR_NOT_FOUND)
                             ? "not found" : "unavailable");
    send_text (s, event);
    end_stream (s);
    return;
  }
  if (g_strcmp0 (json, s->last) != 0) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    const char *status = NULL;

    event = g_strdup_printf ("event: status\ndata: %s\n\n", json);
    send_text (s, event);
    g_free (s->last);
    s->last = g_steal_pointer (&json);
    if (json_parser_load_from_data (parser, s->last, -1, NULL))
      status = json_object_get_string_member_with_default (
          json_node_get_object (json_parser_get_root (parser)), "status", NULL);
    if (vpk_status_is_final (status))
      end_stream (s);
  } else if (g_get_monotonic_time () - s->last_sent_us > KEEPALIVE_US) {
    send_text (s, ": keep-alive\n\n");
  }
}

static gboolean
on_poll (gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr(GTask) task = NULL;

  if (s->busy || s->finished)
    return G_SOURCE_CONTINUE;
  s->busy = TRUE;
  task = g_task_new (NULL, NULL, on_read, s);
  g_task_set_task_data (task, s, NULL);
  g_task_run_in_thread (task, read_thread);
  return G_SOURCE_CONTINUE;
}

static void
on_finished (SoupServerMessage *msg, gpointer user_data)
{
  Stream *s = user_data;

  g_signal_handlers_disconnect_by_data (msg, s);
  s->finished = TRUE;
  g_clear_handle_id (&s->timer, g_source_remove);
  if (!s->busy)
    stream_free (s);
}

void
vpk_route_job_events (VpkServer *server, SoupServerMessage *msg, const char *arg,
                      GHashTable *query)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  Stream *s;
  gint64 id;

  if (!vpk_server_parse_id (msg, arg, &id))
    return;
  s = g_new0 (Stream, 1);
  s->server = server;
  s->msg = g_object_ref (msg);  /* dropped in stream_free() */
  s->id = id;
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (h, "text/event-stream", NULL);
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Accel-Buffering", "no");
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), s);
  s->timer = g_timeout_add (POLL_MS, on_poll, s);
  send_text (s, "retry: 2000\n\n");
  on_poll (s);
}
