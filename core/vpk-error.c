/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

G_DEFINE_QUARK (vpk-error-quark, vpk_error)

/**
 * vpk_error_code_to_string:
 * @code: a #VpkError
 *
 * Returns: (transfer none): the stable snake_case name of @code, as stored in
 *   the database and sent in JSON error replies.
 */
const char *
vpk_error_code_to_string (int code)
{
  static const char *const names[] = {
    [VPK_ERROR_FAILED] = "failed",
    [VPK_ERROR_INVALID_ARGUMENT] = "invalid_argument",
    [VPK_ERROR_NOT_FOUND] = "not_found",
    [VPK_ERROR_NOT_SUPPORTED] = "not_supported",
    [VPK_ERROR_INVALID_DATA] = "invalid_data",
    [VPK_ERROR_CONFIG] = "config",
    [VPK_ERROR_PLUGIN] = "plugin",
    [VPK_ERROR_TOOL_FAILED] = "tool_failed",
    [VPK_ERROR_CRYPTO] = "crypto",
    [VPK_ERROR_DB] = "db",
    [VPK_ERROR_VERIFY] = "verify",
  };

  if (code < 0 || (gsize) code >= G_N_ELEMENTS (names))
    return "failed";
  return names[code];
}
