/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON request bodies. */
#include "vpk-request.h"

#include <string.h>
#include "vpk-http.h"

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, format,
                                                args));
  va_end (args);
  return FALSE;
}

/* A string member of at most @max bytes, or NULL when absent. */
static gboolean
get_string (JsonObject *o, const char *name, gsize max, const char **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return invalid (error, "'%s' must be a string", name);
  *out = json_node_get_string (n);
  if (strlen (*out) > max)
    return invalid (error, "'%s' is too long", name);
  return TRUE;
}

/* input_content_id as a number or a string of digits (the original service's
 * clients sent either). */
static gboolean
get_id (JsonObject *o, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, "input_content_id");
  guint64 v = 0;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return invalid (error, "'%s' is required", "input_content_id");
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64 &&
      json_node_get_int (n) > 0) {
    *out = json_node_get_int (n);
    return TRUE;
  }
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING &&
      g_ascii_string_to_unsigned (json_node_get_string (n), 10, 1, G_MAXINT64, &v, NULL)) {
    *out = (gint64) v;
    return TRUE;
  }
  return invalid (error, "'%s' must be a positive whole number", "input_content_id");
}

static gboolean
get_segment_duration (JsonObject *o, guint *out_ms, GError **error)
{
  JsonNode *n = json_object_get_member (o, "segment_duration");
  double seconds;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || (json_node_get_value_type (n) != G_TYPE_INT64 &&
                                     json_node_get_value_type (n) != G_TYPE_DOUBLE))
    return invalid (error, "'%s' must be a number of seconds", "segment_duration");
  seconds = json_node_get_double (n);
  if (!(seconds >= 0.5 && seconds <= 60.0))
    return invalid (error, "'%s' must be from 0.5 to 60 seconds", "segment_duration");
  *out_ms = (guint) (seconds * 1000.0 + 0.5);
  return TRUE;
}

static gboolean
get_options (JsonObject *o, VpkPackageOptions *opts, GError **error)
{
  const char *scheme, *encrypt, *profile;

  if (!get_string (o, "scheme", 16, &scheme, error) ||
      !get_string (o, "encrypt", 16, &encrypt, error) ||
      !get_string (o, "profile", 16, &profile, error))
    return FALSE;
  if (scheme != NULL && !vpk_scheme_from_string (scheme, &opts->scheme))
    return invalid (error, "'%s' must be cbcs or cenc", "scheme");
  if (encrypt != NULL && !vpk_encrypt_tracks_from_string (encrypt, &opts->encrypt))
    return invalid (error, "'%s' must be video or all", "encrypt");
  if (profile != NULL && !vpk_profile_from_string (profile, &opts->profile))
    return invalid (error, "'%s' must be live or on-demand", "profile");
  return get_segment_duration (o, &opts->segment_duration_ms, error);
}

static gboolean
get_keys (JsonObject *o, VpkPackageRequest *req, GError **error)
{
  const char *key, *kid;

  if (!get_string (o, "key", 64, &key, error) || !get_string (o, "kid", 64, &kid, error))
    return FALSE;
  if (key == NULL && kid == NULL) {
    req->generated = TRUE;
    return vpk_key_generate (&req->kid, error) && vpk_key_generate (&req->key, error);
  }
  if (key == NULL || kid == NULL)
    return invalid (error, "give both 'key' and 'kid' (%s), or neither to have them generated",
                    VPK_KEY_ACCEPTED_FORMS);
  return vpk_key_parse (kid, "kid", &req->kid, error) &&
         vpk_key_parse (key, "key", &req->key, error);
}

gboolean
vpk_package_request_parse (const char               *body,
                           gsize                     size,
                           const VpkPackageOptions  *defaults,
                           VpkPackageRequest        *out_request,
                           GError                  **error)
{
  g_autoptr(JsonNode) root = vpk_http_parse_object (body, size, VPK_REQUEST_MAX_JSON, error);
  VpkPackageRequest req = { 0 };
  JsonObject *o;

  if (root == NULL)
    return FALSE;
  o = json_node_get_object (root);
  req.options = *defaults;
  req.options.license_url = NULL;
  if (!get_id (o, &req.input_id, error) || !get_options (o, &req.options, error) ||
      !get_keys (o, &req, error)) {
    vpk_package_request_clear (&req);
    return FALSE;
  }
  *out_request = req;
  vpk_key_clear (&req.key);
  return TRUE;
}

void
vpk_package_request_clear (VpkPackageRequest *request)
{
  vpk_key_clear (&request->key);
  vpk_key_clear (&request->kid);
}

static gboolean
parse_kid (JsonNode *n, VpkKey *out, GError **error)
{
  const char *text;

  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return invalid (error, "'%s' must hold strings", "kids");
  text = json_node_get_string (n);
  /* EME ClearKey sends unpadded base64url; accept what vpk_key_parse takes. */
  if (strlen (text) > 64 || !vpk_key_parse (text, "kid", out, NULL))
    return invalid (error, "'%s' must hold 22-character base64url key IDs", "kids");
  return TRUE;
}

GArray *
vpk_license_request_parse (const char  *body,
                           gsize        size,
                           GError     **error)
{
  g_autoptr(JsonNode) root = vpk_http_parse_object (body, size, VPK_REQUEST_MAX_JSON, error);
  g_autoptr(GArray) kids = g_array_new (FALSE, TRUE, sizeof (VpkKey));
  JsonNode *n;
  JsonArray *a;
  const char *type;

  if (root == NULL)
    return NULL;
  n = json_object_get_member (json_node_get_object (root), "kids");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (json_node_get_array (n)) == 0)
    return invalid (error, "'%s' must be a non-empty array", "kids"), NULL;
  a = json_node_get_array (n);
  if (json_array_get_length (a) > VPK_LICENSE_MAX_KIDS)
    return invalid (error, "'%s' has too many entries", "kids"), NULL;
  if (!get_string (json_node_get_object (root), "type", 32, &type, error))
    return NULL;
  if (type != NULL && strcmp (type, "temporary") != 0)
    return invalid (error, "'%s' must be \"temporary\"", "type"), NULL;
  for (guint i = 0; i < json_array_get_length (a); i++) {
    VpkKey kid;

    if (!parse_kid (json_array_get_element (a, i), &kid, error))
      return NULL;
    g_array_append_val (kids, kid);
  }
  return g_steal_pointer (&kids);
}
