/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A real `vpack serve` (private MariaDB in a temporary state folder) on a free
 * loopback port, and a libsoup client to talk to it. */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess      *proc;
  char             *state_dir;
  char             *url;          /* http://127.0.0.1:PORT, no trailing '/' */
  SoupSession      *session;
  char             *admin_token;  /* <state>/admin-token, when the server made one */
  char             *token;        /* sent as a Bearer token by every request; NULL: none */
  GDataInputStream *out;          /* the server's stdout after its first line */
  char             *stderr_path;  /* with @capture: the server's stderr, beside the state */
  char             *stdout_rest;  /* after vpk_test_server_halt(): the rest of stdout */
} VpkTestServer;

/* Starts the server with @workers workers and @extra "group.key=value" sets.
 * Requests then carry the admin token the server wrote into its state folder. */
VpkTestServer *vpk_test_server_start (guint workers, const char * const *extra);
/* The same in @state_dir (NULL: a new one), with stderr into a file when @capture. */
VpkTestServer *vpk_test_server_start_full (const char         *state_dir,
                                           guint               workers,
                                           const char * const *extra,
                                           gboolean            capture);
/* Halts and starts it again in the same state folder (stderr file started anew). */
void           vpk_test_server_restart (VpkTestServer *s, guint workers,
                                        const char * const *extra);
/* Stops the process (it must exit 0) and keeps the state folder. */
void           vpk_test_server_halt  (VpkTestServer *s);
/* Halts if needed, removes the state folder (unless VPK_TEST_KEEP) and frees. */
void           vpk_test_server_stop  (VpkTestServer *s);
/* Sets the token requests carry (NULL: none). */
void           vpk_test_server_set_token (VpkTestServer *s, const char *token);

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
/* "/content/NAME" of a Ready job, from its MPD URL; NAME must be "ID-" and 32 hex
 * digits (packages are not found by counting ids). */
char         *vpk_test_content_path (VpkTestServer *s, gint64 id);
/* A multipart/form-data upload of @file as part "file" named @filename. */
VpkTestReply *vpk_test_upload     (VpkTestServer *s, const char *path, const char *file,
                                   const char *filename);
JsonObject   *vpk_test_reply_object (VpkTestReply *r);
/* Makes a media file with ffmpeg; @args are the input/codec arguments. */
char         *vpk_test_make_media (const char *dir, const char *name, const char *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkTestReply, vpk_test_reply_free)

G_END_DECLS
