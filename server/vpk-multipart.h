/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A streaming multipart/form-data parser (RFC 7578) with fixed bounds: bytes
 * are fed as they arrive and part bodies are handed on at once, so memory use
 * does not grow with the upload. */

#include <glib.h>

G_BEGIN_DECLS

#define VPK_MULTIPART_MAX_BOUNDARY 70     /* RFC 2046 */
#define VPK_MULTIPART_MAX_HEADERS  8192   /* bytes of one part's header block */
#define VPK_MULTIPART_MAX_PARTS    32

typedef struct _VpkMultipart VpkMultipart;

typedef struct {
  /* A part starts; @filename and @content_type may be NULL. */
  gboolean (*part_begin) (gpointer     data,
                          const char  *name,
                          const char  *filename,
                          const char  *content_type,
                          GError     **error);
  gboolean (*part_data)  (gpointer      data,
                          const guint8 *bytes,
                          gsize         size,
                          GError      **error);
  gboolean (*part_end)   (gpointer     data,
                          GError     **error);
} VpkMultipartCallbacks;

/* @boundary is the Content-Type's boundary parameter. Errors are
 * VPK_HTTP_ERROR 400. */
VpkMultipart *vpk_multipart_new    (const char                   *boundary,
                                    const VpkMultipartCallbacks  *callbacks,
                                    gpointer                      data,
                                    GError                      **error);
void          vpk_multipart_free   (VpkMultipart *mp);
/* After an error, further calls fail at once. */
gboolean      vpk_multipart_feed   (VpkMultipart  *mp,
                                    const guint8  *bytes,
                                    gsize          size,
                                    GError       **error);
/* Checks that the closing delimiter was seen. */
gboolean      vpk_multipart_finish (VpkMultipart  *mp,
                                    GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMultipart, vpk_multipart_free)

G_END_DECLS
