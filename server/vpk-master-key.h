/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The service's master key: 32 bytes that seal content keys at rest
 * (AES-256-GCM). It never leaves vpk-master-key.c; callers hand it data to
 * encrypt or decrypt. One per process, loaded before the workers start. */

#include <glib.h>

G_BEGIN_DECLS

#define VPK_MASTER_KEY_SIZE 32
#define VPK_MASTER_KEY_NONCE_SIZE 12
#define VPK_MASTER_KEY_TAG_SIZE 16
#define VPK_MASTER_KEY_ENV "VPACK_MASTER_KEY"

/* Loads the key from $VPACK_MASTER_KEY (base64 or hex) or <@state_dir>/master-key,
 * creating that file (mode 0600) the first time when neither exists. The
 * environment wins; when both exist and differ this fails (VPK_ERROR_CONFIG):
 * the service never re-keys silently. The variable is removed from the
 * environment so that child processes do not inherit it. */
gboolean vpk_master_key_load   (const char  *state_dir,
                                GError     **error);
/* Uses @key (tests, tools). */
void     vpk_master_key_set    (const guint8 key[VPK_MASTER_KEY_SIZE]);
gboolean vpk_master_key_is_set (void);
/* Wipes the key. */
void     vpk_master_key_unload (void);
/* Decodes 64 hex digits or base64/base64url of 32 bytes; the message never
 * quotes @text. */
gboolean vpk_master_key_decode (const char  *text,
                                guint8       out[VPK_MASTER_KEY_SIZE],
                                GError     **error);

/* AES-256-GCM with a fresh random nonce. @out receives nonce ‖ ciphertext ‖ tag
 * (@len + 28 bytes). VPK_ERROR_CRYPTO when no key is loaded or OpenSSL fails. */
gboolean vpk_master_key_encrypt (const guint8  *plain,
                                 gsize          len,
                                 const char    *aad,
                                 guint8        *out,
                                 GError       **error);
/* The reverse: @sealed is nonce ‖ ciphertext ‖ tag, @out gets @len - 28 bytes.
 * A wrong key, AAD or any changed byte is VPK_ERROR_CRYPTO. */
gboolean vpk_master_key_decrypt (const guint8  *sealed,
                                 gsize          len,
                                 const char    *aad,
                                 guint8        *out,
                                 GError       **error);

G_END_DECLS
