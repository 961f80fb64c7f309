/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The web page (GET /, /web/…) and the original upload form, all compiled in
 * as resources: data/web, and Shaka Player's compiled file from npm. */
#include "vpk-server-private.h"

#include <string.h>

#define WEB_RESOURCES "/org/vpack/server/web/"

static const char *
web_mime_type (const char *name)
{
  if (g_str_has_suffix (name, ".html"))
    return "text/html; charset=utf-8";
  if (g_str_has_suffix (name, ".js"))
    return "text/javascript; charset=utf-8";
  if (g_str_has_suffix (name, ".css"))
    return "text/css; charset=utf-8";
  if (g_str_has_suffix (name, ".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

static void
reply_resource (SoupServerMessage *msg, const char *name)
{
  g_autofree char *path = g_strconcat (WEB_RESOURCES, name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  if (bytes == NULL) {
    vpk_http_reply_error (msg, 404, "not_found", "No such file '%.100s'", name);
    return;
  }
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (h, web_mime_type (name), NULL);
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

void
vpk_route_web_index (VpkServer *server, SoupServerMessage *msg, const char *arg,
                     GHashTable *query)
{
  reply_resource (msg, "index.html");
}

void
vpk_route_web_asset (VpkServer *server, SoupServerMessage *msg, const char *arg,
                     GHashTable *query)
{
  /* Flat names only: resources have no "..", but keep the namespace tidy. */
  for (const char *p = arg; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL) {
      vpk_http_reply_error (msg, 404, "not_found", "No such file");
      return;
    }
  reply_resource (msg, arg);
}

void
vpk_route_legacy_form (VpkServer *server, SoupServerMessage *msg, const char *arg,
                       GHashTable *query)
{
  reply_resource (msg, "upload.html");
}
