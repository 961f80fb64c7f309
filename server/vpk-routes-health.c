/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /healthz, /metrics, /openapi.json. */
#include "vpk-server-private.h"

#include <string.h>

/* 200 when the database answers, 503 with the reason while it does not (load
 * balancers then send requests to another process). */
static gboolean
health_thread (VpkServer *server, VpkDb *unused, gpointer data, VpkReply *reply, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) db_error = NULL;
  VpkDb *db = vpk_db_get_for_thread (&db_error);
  gboolean up = db != NULL && vpk_db_ping (db, &db_error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, up ? "ok" : "unavailable");
  json_builder_set_member_name (b, "database");
  json_builder_add_string_value (b, up ? "ok" : "down");
  if (!up) {
    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, db_error->message);
  }
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, vpk_role_to_string (server->config->role));
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, VPK_VERSION_STRING);
  if (!up)
    vpk_reply_header (reply, "Retry-After", "5");
  vpk_reply_json (reply, up ? 200 : 503, b);
  return TRUE;
}

void
vpk_route_healthz (VpkServer *server, SoupServerMessage *msg, const char *arg, GHashTable *query)
{
  vpk_server_defer (server, msg, FALSE, health_thread, NULL, NULL);
}

static gboolean
metrics_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  g_autoptr(GHashTable) counts = vpk_store_job_counts (db, error);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  if (counts == NULL)
    return FALSE;
  text = vpk_metrics_render (counts);
  len = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  vpk_reply_body (reply, 200, "text/plain; version=0.0.4; charset=utf-8", bytes);
  return TRUE;
}

void
vpk_route_metrics (VpkServer *server, SoupServerMessage *msg, const char *arg, GHashTable *query)
{
  vpk_server_defer (server, msg, TRUE, metrics_thread, NULL, NULL);
}

void
vpk_route_openapi (VpkServer *server, SoupServerMessage *msg, const char *arg, GHashTable *query)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data ("/org/vpack/server/openapi.json", 0, NULL);

  if (bytes == NULL) {
    vpk_http_reply_error (msg, 500, "internal", "The OpenAPI document is not built in");
    return;
  }
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/json", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}
