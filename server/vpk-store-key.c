/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a content key is kept in the database.
 *   v1: "v1:" + unpadded base64url (nonce[12] ‖ AES-256-GCM ciphertext[16] ‖ tag[16])
 *       under the master key, with "vpack-key-v1:" + the row's license token as
 *       AAD: the token is unique per row, known before the row is inserted and
 *       never changes, so a sealed key copied into another row does not open.
 *   v0: "v0:" + the key as unpadded base64url, written by vpack 0.1. Still read;
 *       vpk_store_key_upgrade() re-seals such rows as v1 at start-up.
 * Nothing here puts key bytes, or text derived from them, into a message. */
#include "vpk-store.h"
#include "vpk-master-key.h"

#include <string.h>
#include <openssl/crypto.h>

#define SEALED_V1_SIZE (VPK_MASTER_KEY_NONCE_SIZE + VPK_KEY_SIZE + VPK_MASTER_KEY_TAG_SIZE)
#define AAD_PREFIX "vpack-key-v1:"

static char *
base64url_encode (const guint8 *data, gsize len)
{
  char *text = g_base64_encode (data, len);
  char *eq = strchr (text, '=');

  if (eq != NULL)
    *eq = '\0';
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return text;
}

/* Strict: only the base64url alphabet, no padding, and canonical (the unused low
 * bits of the last character must be zero, so that no two texts decode to the same
 * bytes); NULL otherwise. */
static guint8 *
base64url_decode (const char *text, gsize *out_len)
{
  gsize len = strlen (text);
  g_autofree char *buf = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *again = NULL;
  gsize n = 0;

  if (len % 4 == 1 || len > 1024)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '-' && text[i] != '_')
      return NULL;
  buf = g_malloc0 (len + 4);
  memcpy (buf, text, len);
  g_strdelimit (buf, "-", '+');
  g_strdelimit (buf, "_", '/');
  while (len % 4 != 0)
    buf[len++] = '=';
  bytes = g_base64_decode (buf, &n);
  again = base64url_encode (bytes, n);
  if (strcmp (again, text) != 0)
    return NULL;
  *out_len = n;
  return g_steal_pointer (&bytes);
}

static gboolean
check_binding (const char *binding, GError **error)
{
  if (binding != NULL && *binding != '\0')
    return TRUE;
  g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A sealed key needs the row it belongs to");
  return FALSE;
}

char *
vpk_store_key_seal (const VpkKey  *key,
                    const char    *binding,
                    GError       **error)
{
  g_autofree char *aad = NULL;
  g_autofree char *text = NULL;
  guint8 sealed[SEALED_V1_SIZE];

  if (!check_binding (binding, error))
    return NULL;
  aad = g_strconcat (AAD_PREFIX, binding, NULL);
  if (!vpk_master_key_encrypt (key->bytes, VPK_KEY_SIZE, aad, sealed, error))
    return NULL;
  text = base64url_encode (sealed, sizeof sealed);
  OPENSSL_cleanse (sealed, sizeof sealed);
  return g_strconcat ("v1:", text, NULL);
}

static gboolean
unseal_v0 (const char *text, VpkKey *out_key, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  /* Do not pass the parser's message on: it could quote the key. */
  if (!vpk_key_parse (text, "key", out_key, &local_error)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A stored key is damaged");
    return FALSE;
  }
  return TRUE;
}

static gboolean
unseal_v1 (const char *text, const char *binding, VpkKey *out_key, GError **error)
{
  g_autofree char *aad = g_strconcat (AAD_PREFIX, binding, NULL);
  gsize len = 0;
  g_autofree guint8 *sealed = base64url_decode (text, &len);
  VpkKey key;
  gboolean ok;

  if (sealed == NULL || len != SEALED_V1_SIZE) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A stored key is damaged (not a v1 value)");
    return FALSE;
  }
  ok = vpk_master_key_decrypt (sealed, len, aad, key.bytes, error);
  if (ok)
    *out_key = key;
  vpk_key_clear (&key);
  return ok;
}

gboolean
vpk_store_key_unseal (const char    *sealed,
                      const char    *binding,
                      VpkKey        *out_key,
                      GError       **error)
{
  if (sealed != NULL && g_str_has_prefix (sealed, "v1:"))
    return check_binding (binding, error) && unseal_v1 (sealed + 3, binding, out_key, error);
  if (sealed != NULL && g_str_has_prefix (sealed, "v0:"))
    return unseal_v0 (sealed + 3, out_key, error);
  g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "A stored key has an unknown form");
  return FALSE;
}

gboolean
vpk_store_key_is_legacy (const char *sealed)
{
  return sealed != NULL && g_str_has_prefix (sealed, "v0:");
}

/* Re-seals one v0 row; the WHERE clause keeps a concurrent change. */
static gboolean
upgrade_row (VpkDb *db, const char *id, const char *token, const char *old, GError **error)
{
  static const char sql[] =
    "UPDATE packaged_content SET sealed_key = ? WHERE id = ? AND sealed_key = ?";
  g_autofree char *sealed = NULL;
  VpkDbParam params[3];
  VpkKey key;

  if (!vpk_store_key_unseal (old, token, &key, error))
    return FALSE;
  sealed = vpk_store_key_seal (&key, token, error);
  vpk_key_clear (&key);
  if (sealed == NULL)
    return FALSE;
  params[0] = VPK_DB_S (sealed);
  params[1] = VPK_DB_I (g_ascii_strtoll (id, NULL, 10));
  params[2] = VPK_DB_S (old);
  return vpk_db_exec (db, sql, params, G_N_ELEMENTS (params), NULL, error);
}

static void
wipe_column (VpkDbResult *result, guint column)
{
  for (guint i = 0; i < result->rows->len; i++) {
    char *value = g_ptr_array_index ((GPtrArray *) g_ptr_array_index (result->rows, i), column);

    if (value != NULL)
      OPENSSL_cleanse (value, strlen (value));
  }
}

gboolean
vpk_store_key_upgrade (VpkDb   *db,
                       GError **error)
{
  static const char sql[] =
    "SELECT id, license_token, sealed_key FROM packaged_content WHERE sealed_key LIKE 'v0:%'";
  g_autoptr(VpkDbResult) result = NULL;
  gboolean ok = TRUE;
  guint i;

  if (!vpk_db_exec (db, sql, NULL, 0, &result, error))
    return FALSE;
  for (i = 0; ok && i < result->rows->len; i++)
    ok = upgrade_row (db, vpk_db_result_get (result, i, 0), vpk_db_result_get (result, i, 1),
                      vpk_db_result_get (result, i, 2), error);
  if (ok && i > 0)
    g_message ("Re-sealed %u content key(s) stored in the clear by an older vpack", i);
  wipe_column (result, 2);
  if (!ok)
    g_prefix_error (error, "Cannot re-seal the stored keys: ");
  return ok;
}
