/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpk-http.h"
#include "vpk-request.h"

/* The JSON request bodies on untrusted bytes: POST /packaged_content and
 * POST /license. Input: one byte whose bit 0 picks the decoder (0: package
 * request, 1: license request), then the body exactly as the server hands it
 * on (not NUL-terminated, possibly not UTF-8).
 *
 * A decoder fails iff it sets an error, and the error is one the server maps
 * to 400, 413 or 422. What it accepts is within the documented bounds. */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_error (const GError *error)
{
  guint status = vpk_http_status_for_error (error, NULL);

  g_assert_nonnull (error);
  g_assert_true (status == 400 || status == 413 || status == 422);
}

static void
fuzz_package (const char *body, gsize size)
{
  const VpkPackageOptions defaults = {
    .scheme = VPK_SCHEME_CBCS, .encrypt = VPK_ENCRYPT_VIDEO, .profile = VPK_PROFILE_LIVE,
    .segment_duration_ms = 4000,
  };
  VpkPackageRequest req;
  g_autoptr(GError) error = NULL;

  if (!vpk_package_request_parse (body, size, &defaults, &req, &error)) {
    check_error (error);
    return;
  }
  g_assert_no_error (error);
  g_assert_cmpint (req.input_id, >, 0);
  g_assert_cmpuint (req.options.segment_duration_ms, >=, 500);
  g_assert_cmpuint (req.options.segment_duration_ms, <=, 60000);
  g_assert_null (req.options.license_url);
  vpk_package_request_clear (&req);
}

static void
fuzz_license (const char *body, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kids = vpk_license_request_parse (body, size, &error);

  if (kids == NULL) {
    check_error (error);
    return;
  }
  g_assert_no_error (error);
  g_assert_cmpuint (kids->len, >=, 1);
  g_assert_cmpuint (kids->len, <=, VPK_LICENSE_MAX_KIDS);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *body = NULL;
  gsize body_size;

  if (size < 1)
    return 0;
  body_size = size - 1;
  /* An exact copy, so that ASan sees any read past the end. */
  body = malloc (MAX (body_size, 1));
  memcpy (body, data + 1, body_size);
  if ((data[0] & 1) == 0)
    fuzz_package (body, body_size);
  else
    fuzz_license (body, body_size);
  return 0;
}
