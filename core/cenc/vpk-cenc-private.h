/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the files of core/cenc only. */

#include <openssl/evp.h>

#include "cenc/vpk-cenc.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

/* Sets a VPK_ERROR_CRYPTO error from OpenSSL's queue (then cleared) and
 * returns FALSE. */
gboolean vpk_cenc_set_crypto_error (GError     **error,
                                    const char  *what);

/* A context for @scheme (AES-128-CTR or AES-128-CBC without padding) keyed
 * with @key, encrypting when @encrypt. */
EVP_CIPHER_CTX *vpk_cenc_cipher_new (VpkScheme      scheme,
                                     const guint8   key[16],
                                     gboolean       encrypt,
                                     GError       **error);

/* Checks that @subsamples span exactly @size bytes (INVALID_DATA if not). */
gboolean vpk_cenc_subsamples_check (const VpkCencSubsample  *subsamples,
                                    guint                    n_subsamples,
                                    gsize                    size,
                                    GError                 **error);

/* Encrypts or decrypts (as @ctx was made) the protected bytes of one sample in
 * place: all of it when @n_subsamples is 0. @iv is the full 16-byte counter
 * block (cenc) or CBC IV (cbcs); @crypt_blocks:@skip_blocks is the cbcs
 * pattern, 0:0 meaning every whole block. */
gboolean vpk_cenc_cipher_run (EVP_CIPHER_CTX          *ctx,
                              VpkScheme                scheme,
                              const guint8             iv[16],
                              const VpkCencSubsample  *subsamples,
                              guint                    n_subsamples,
                              guint                    crypt_blocks,
                              guint                    skip_blocks,
                              guint8                  *data,
                              gsize                    size,
                              GError                 **error);

G_END_DECLS
