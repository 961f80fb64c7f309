/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a content key is kept in the database. Version 0 is the key as unpadded
 * base64url behind a "v0:" tag; issue 7 adds "v1:" (AES-256-GCM with the
 * server's master key) here, and unseal keeps reading v0 rows. */
#include "vpk-store.h"

#include <string.h>

char *
vpk_store_key_seal (const VpkKey  *key,
                    GError       **error)
{
  g_autofree char *text = vpk_key_format (key, VPK_KEY_FORMAT_BASE64URL);
  char *sealed = g_strconcat ("v0:", text, NULL);

  memset (text, 0, strlen (text));
  return sealed;
}

gboolean
vpk_store_key_unseal (const char    *sealed,
                      VpkKey        *out_key,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (sealed == NULL || !g_str_has_prefix (sealed, "v0:")) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A stored key has an unknown form");
    return FALSE;
  }
  /* Do not pass the parser's message on: it could quote the key. */
  if (!vpk_key_parse (sealed + 3, "key", out_key, &local_error)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A stored key is damaged");
    return FALSE;
  }
  return TRUE;
}
