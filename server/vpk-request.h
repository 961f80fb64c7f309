/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Decoding of JSON request bodies, with every field checked and bounded. */

#include "vpk.h"

G_BEGIN_DECLS

#define VPK_REQUEST_MAX_JSON   (64 * 1024)
#define VPK_LICENSE_MAX_KIDS   64

typedef struct {
  gint64            input_id;
  gboolean          generated;   /* no key/kid given: the service made them */
  VpkKey            kid;
  VpkKey            key;
  VpkPackageOptions options;     /* license_url stays NULL */
} VpkPackageRequest;

/* POST /packaged_content: {input_content_id, key, kid, scheme?, encrypt?,
 * profile?, segment_duration?}. Missing key and kid together means "generate
 * them". @defaults come from [package]. Malformed JSON is VPK_HTTP_ERROR 400;
 * a bad value is VPK_ERROR_INVALID_ARGUMENT (422). */
gboolean vpk_package_request_parse (const char               *body,
                                    gsize                     size,
                                    const VpkPackageOptions  *defaults,
                                    VpkPackageRequest        *out_request,
                                    GError                  **error);
void     vpk_package_request_clear (VpkPackageRequest *request);

/* POST /license: {"kids": ["b64url", ...], "type": "temporary"}; returns the
 * KIDs (element-type VpkKey). */
GArray  *vpk_license_request_parse (const char  *body,
                                    gsize        size,
                                    GError     **error);

G_END_DECLS
