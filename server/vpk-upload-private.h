/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk-server-private.h"
#include "vpk-multipart.h"

G_BEGIN_DECLS

typedef struct {
  VpkServer    *server;
  GByteArray   *small;      /* a non-upload body, bounded */
  VpkMultipart *mp;         /* multipart uploads */
  gboolean      raw;        /* a raw video body */
  int           fd;
  char         *tmp_path;   /* <inputs>/.upload-XXXXXX until ingest takes it */
  char         *filename;   /* the client's name, for display only */
  gboolean      have_file;
  gboolean      writing;
  guint64       written;
  GError       *error;      /* the first failure; later chunks are drained */
} VpkBody;

VpkBody *vpk_upload_get (SoupServerMessage *msg);
/* The last path component of @name, valid UTF-8 without control characters,
 * at most 255 bytes; "upload" when nothing is left. */
char    *vpk_upload_sanitize_filename (const char *name);

G_END_DECLS
