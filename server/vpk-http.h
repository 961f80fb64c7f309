/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Replies: JSON bodies, errors as {"error": {"code", "message"}}, and the one
 * mapping from GError to HTTP status. Handlers reply through these only. */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors that carry their HTTP status as the code (400, 405, 413, ...). */
#define VPK_HTTP_ERROR (vpk_http_error_quark ())
GQuark vpk_http_error_quark (void);

/* The status @error maps to, and a snake_case code for the body. */
guint  vpk_http_status_for_error (const GError  *error,
                                  const char   **out_code);

void   vpk_http_reply_json    (SoupServerMessage *msg,
                               guint              status,
                               JsonNode          *node);
/* Ends the builder's open object and replies with it. */
void   vpk_http_reply_builder (SoupServerMessage *msg,
                               guint              status,
                               JsonBuilder       *builder);
void   vpk_http_reply_error   (SoupServerMessage *msg,
                               guint              status,
                               const char        *code,
                               const char        *format,
                               ...) G_GNUC_PRINTF (4, 5);
/* Logs server-side failures (5xx) once, and replies. */
void   vpk_http_reply_gerror  (SoupServerMessage *msg,
                               const GError      *error);
void   vpk_http_reply_text    (SoupServerMessage *msg,
                               guint              status,
                               const char        *content_type,
                               const char        *text);
/* Access-Control-* for players on other origins. */
void   vpk_http_add_cors      (SoupServerMessage *msg);

/* Parses a JSON object of at most @max_size bytes (VPK_HTTP_ERROR 400 otherwise). */
JsonNode *vpk_http_parse_object (const char  *data,
                                 gsize        size,
                                 gsize        max_size,
                                 GError     **error);

G_END_DECLS
