/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A real `vpack serve` (private MariaDB in a temporary state folder) on a free
 * loopback port, and a libsoup client to talk to it. */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *proc;
  char        *state_dir;
  char        *url;      /* http://127.0.0.1:PORT, no trailing '/' */
  SoupSession *session;
} VpkTestServer;

/* Starts the server with @workers workers and @extra "group.key=value" sets. */
VpkTestServer *vpk_test_server_start (guint workers, const char * const *extra);
void           vpk_test_server_stop  (VpkTestServer *s);

typedef struct {
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
  JsonNode           *json;   /* when the body parses as JSON */
} VpkTestReply;

void          vpk_test_reply_free (VpkTestReply *r);
/* @body may be NULL; @content_type is for @body. */
VpkTestReply *vpk_test_request    (VpkTestServer *s, const char *method, const char *path,
                                   const char *content_type, GBytes *body,
                                   const char * const *headers);
VpkTestReply *vpk_test_post_json  (VpkTestServer *s, const char *path, const char *json);
/* A multipart/form-data upload of @file as part "file" named @filename. */
VpkTestReply *vpk_test_upload     (VpkTestServer *s, const char *path, const char *file,
                                   const char *filename);
JsonObject   *vpk_test_reply_object (VpkTestReply *r);
/* Makes a media file with ffmpeg; @args are the input/codec arguments. */
char         *vpk_test_make_media (const char *dir, const char *name, const char *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkTestReply, vpk_test_reply_free)

G_END_DECLS
