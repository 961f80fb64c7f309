/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON replies and error mapping. */
#include "vpk-http.h"

#include <string.h>
#include "vpk.h"

G_DEFINE_QUARK (vpk-http-error-quark, vpk_http_error)

static const char *
code_for_status (guint status)
{
  switch (status) {
  case 400: return "bad_request";
  case 403: return "forbidden";
  case 404: return "not_found";
  case 405: return "method_not_allowed";
  case 409: return "conflict";
  case 411: return "length_required";
  case 413: return "payload_too_large";
  case 415: return "unsupported_media_type";
  case 416: return "range_not_satisfiable";
  case 422: return "unprocessable";
  case 503: return "unavailable";
  default: return status >= 500 ? "internal" : "error";
  }
}

guint
vpk_http_status_for_error (const GError  *error,
                           const char   **out_code)
{
  guint status = 500;

  if (error->domain == VPK_HTTP_ERROR && error->code >= 400 && error->code < 600)
    status = (guint) error->code;
  else if (error->domain == VPK_ERROR)
    switch (error->code) {
    case VPK_ERROR_INVALID_ARGUMENT:
    case VPK_ERROR_INVALID_DATA:
    case VPK_ERROR_NOT_SUPPORTED:
      status = 422;
      break;
    case VPK_ERROR_NOT_FOUND:
      status = 404;
      break;
    case VPK_ERROR_DB:
      status = 503;
      break;
    default:
      break;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    status = 409;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    status = 403;
  if (out_code != NULL)
    *out_code = code_for_status (status);
  return status;
}

void
vpk_http_add_cors (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (h, "Access-Control-Allow-Methods",
                                "GET, HEAD, POST, DELETE, OPTIONS");
  soup_message_headers_replace (h, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Range, If-None-Match, "
                                "If-Modified-Since");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers",
                                "Content-Length, Content-Range, ETag, Last-Modified, Location");
  soup_message_headers_replace (h, "Access-Control-Max-Age", "600");
}

void
vpk_http_reply_text (SoupServerMessage *msg,
                     guint              status,
                     const char        *content_type,
                     const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

void
vpk_http_reply_json (SoupServerMessage *msg,
                     guint              status,
                     JsonNode          *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

void
vpk_http_reply_builder (SoupServerMessage *msg,
                        guint              status,
                        JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  vpk_http_reply_json (msg, status, root);
}

void
vpk_http_reply_error (SoupServerMessage *msg,
                      guint              status,
                      const char        *code,
                      const char        *format,
                      ...)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code != NULL ? code : code_for_status (status));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  vpk_http_reply_builder (msg, status, b);
}

void
vpk_http_reply_gerror (SoupServerMessage *msg,
                       const GError      *error)
{
  const char *code = NULL;
  guint status = vpk_http_status_for_error (error, &code);

  if (status >= 500)
    g_warning ("%s %s: %s", soup_server_message_get_method (msg),
               g_uri_get_path (soup_server_message_get_uri (msg)), error->message);
  vpk_http_reply_error (msg, status, code, "%s", error->message);
}

JsonNode *
vpk_http_parse_object (const char  *data,
                       gsize        size,
                       gsize        max_size,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (size > max_size) {
    g_set_error (error, VPK_HTTP_ERROR, 413, "The JSON body is larger than %" G_GSIZE_FORMAT
                 " bytes", max_size);
    return NULL;
  }
  if (data == NULL || size == 0 || !g_utf8_validate_len (data, size, NULL) ||
      !json_parser_load_from_data (parser, data, (gssize) size, &local_error)) {
    g_set_error (error, VPK_HTTP_ERROR, 400, "The body is not valid JSON%s%s",
                 local_error != NULL ? ": " : "", local_error != NULL ? local_error->message : "");
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, VPK_HTTP_ERROR, 400, "The body must be a JSON object");
    return NULL;
  }
  return json_node_copy (root);
}
