/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <glib.h>
#include <vpack/vpk-version.h>

G_BEGIN_DECLS

/**
 * VpkError:
 * @VPK_ERROR_FAILED: anything else; an internal error
 * @VPK_ERROR_INVALID_ARGUMENT: a value given by the user is wrong (key, option, id)
 * @VPK_ERROR_NOT_FOUND: a file, record or backend does not exist
 * @VPK_ERROR_NOT_SUPPORTED: a backend declines this input; the next backend in the
 *   stage's list gets it
 * @VPK_ERROR_INVALID_DATA: the input media is corrupt, truncated or cannot be processed
 *   (no video, unsupported codec, already encrypted)
 * @VPK_ERROR_CONFIG: the configuration is wrong (file, group and key are named)
 * @VPK_ERROR_PLUGIN: a plugin cannot be loaded (not a plugin, other ABI, missing stage)
 * @VPK_ERROR_TOOL_FAILED: an external tool exited with an error
 * @VPK_ERROR_CRYPTO: OpenSSL failed
 * @VPK_ERROR_DB: the database failed
 * @VPK_ERROR_VERIFY: a packaged output does not match its source or cannot be decrypted
 */
typedef enum {
  VPK_ERROR_FAILED,
  VPK_ERROR_INVALID_ARGUMENT,
  VPK_ERROR_NOT_FOUND,
  VPK_ERROR_NOT_SUPPORTED,
  VPK_ERROR_INVALID_DATA,
  VPK_ERROR_CONFIG,
  VPK_ERROR_PLUGIN,
  VPK_ERROR_TOOL_FAILED,
  VPK_ERROR_CRYPTO,
  VPK_ERROR_DB,
  VPK_ERROR_VERIFY,
} VpkError;

#define VPK_ERROR (vpk_error_quark ())

VPK_API GQuark      vpk_error_quark        (void);
VPK_API const char *vpk_error_code_to_string (int code);

G_END_DECLS
