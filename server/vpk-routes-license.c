/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* POST /license?token=…: W3C EME ClearKey licenses. The token, written into
 * the job's MPD, entitles the request to that job's KID only. */
#include "vpk-server-private.h"
#include "vpk-request.h"

#include <string.h>

typedef struct {
  char   *token;
  GArray *kids;  /* VpkKey */
} License;

static void
license_free (License *l)
{
  g_free (l->token);
  g_array_unref (l->kids);
  g_free (l);
}

static void
add_key (JsonBuilder *b, const VpkKey *kid, const VpkKey *key)
{
  g_autofree char *kid_text = vpk_key_format (kid, VPK_KEY_FORMAT_BASE64URL);
  g_autofree char *key_text = vpk_key_format (key, VPK_KEY_FORMAT_BASE64URL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kty");
  json_builder_add_string_value (b, "oct");
  json_builder_set_member_name (b, "kid");
  json_builder_add_string_value (b, kid_text);
  json_builder_set_member_name (b, "k");
  json_builder_add_string_value (b, key_text);
  json_builder_end_object (b);
  memset (key_text, 0, strlen (key_text));
}

static gboolean
license_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  License *l = data;
  g_autofree char *kid_text = NULL;
  g_autofree char *sealed = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  VpkKey kid, key;
  guint n = 0;

  if (!vpk_store_license_lookup (db, l->token, &kid_text, &sealed, error) ||
      !vpk_key_parse (kid_text, "kid", &kid, error) ||
      !vpk_store_key_unseal (sealed, l->token, &key, error))
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "keys");
  json_builder_begin_array (b);
  for (guint i = 0; i < l->kids->len; i++)
    if (vpk_key_equal (&g_array_index (l->kids, VpkKey, i), &kid) && n++ == 0)
      add_key (b, &kid, &key);
  json_builder_end_array (b);
  vpk_key_clear (&key);
  if (n == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No key for the requested KIDs");
    return FALSE;
  }
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "temporary");
  vpk_reply_header (reply, "Cache-Control", "no-store");
  vpk_reply_json (reply, 200, b);
  return TRUE;
}

static gboolean
token_is_valid (const char *token)
{
  gsize len = token != NULL ? strlen (token) : 0;

  if (len < 16 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (token[i]) && token[i] != '-' && token[i] != '_')
      return FALSE;
  return TRUE;
}

void
vpk_route_license (VpkServer *server, SoupServerMessage *msg, const char *arg,
                   GHashTable *query)
{
  const char *token = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  gsize size = 0;
  const char *body = vpk_upload_get_body (msg, &size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kids = NULL;
  License *l;

  if (!token_is_valid (token)) {
    vpk_http_reply_error (msg, 403, "forbidden", "Use the license URL written in the MPD "
                          "(it carries the content's token)");
    return;
  }
  kids = vpk_license_request_parse (body, size, &error);
  if (kids == NULL) {
    vpk_http_reply_gerror (msg, error);
    return;
  }
  l = g_new0 (License, 1);
  l->token = g_strdup (token);
  l->kids = g_steal_pointer (&kids);
  vpk_server_defer (server, msg, TRUE, license_thread, l, (GDestroyNotify) license_free);
}
