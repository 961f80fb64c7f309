/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "cenc/vpk-cenc-private.h"

/* EVP_CipherUpdate takes an int length: feed it in slices below INT_MAX. */
#define CHUNK_SIZE (1u << 30)

gboolean
vpk_cenc_set_crypto_error (GError     **error,
                           const char  *what)
{
  char text[256] = "unknown OpenSSL error";
  unsigned long code = ERR_get_error ();

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();
  g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "%s: %s", what, text);
  return FALSE;
}

EVP_CIPHER_CTX *
vpk_cenc_cipher_new (VpkScheme      scheme,
                     const guint8   key[16],
                     gboolean       encrypt,
                     GError       **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  const EVP_CIPHER *cipher = scheme == VPK_SCHEME_CENC ? EVP_aes_128_ctr () : EVP_aes_128_cbc ();

  if (ctx == NULL || cipher == NULL ||
      EVP_CipherInit_ex (ctx, cipher, NULL, key, NULL, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding (ctx, 0) != 1) {
    vpk_cenc_set_crypto_error (error, "Cannot set up AES-128");
    return NULL;
  }

  return g_steal_pointer (&ctx);
}

gboolean
vpk_cenc_subsamples_check (const VpkCencSubsample  *subsamples,
                           guint                    n_subsamples,
                           gsize                    size,
                           GError                 **error)
{
  guint64 total = 0;

  for (guint i = 0; i < n_subsamples; i++)
    total += (guint64) subsamples[i].clear_bytes + subsamples[i].protected_bytes;

  if (n_subsamples > 0 && total != size) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "Subsamples span %" G_GUINT64_FORMAT " bytes, the sample has %" G_GSIZE_FORMAT,
                 total, size);
    return FALSE;
  }

  return TRUE;
}

static gboolean
cipher_update (EVP_CIPHER_CTX  *ctx,
               guint8          *data,
               gsize            len,
               GError         **error)
{
  while (len > 0) {
    int in_len = (int) MIN (len, CHUNK_SIZE);
    int out_len = 0;

    if (EVP_CipherUpdate (ctx, data, &out_len, data, in_len) != 1)
      return vpk_cenc_set_crypto_error (error, "AES-128 failed");
    if (out_len != in_len) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "AES-128 held back %d bytes",
                   in_len - out_len);
      return FALSE;
    }
    data += in_len;
    len -= in_len;
  }

  return TRUE;
}

static gboolean
cipher_set_iv (EVP_CIPHER_CTX  *ctx,
               const guint8     iv[16],
               GError         **error)
{
  /* Keeps the key schedule and direction: only the IV/counter restarts. */
  if (EVP_CipherInit_ex (ctx, NULL, NULL, NULL, iv, -1) != 1)
    return vpk_cenc_set_crypto_error (error, "Cannot set the AES IV");
  return TRUE;
}

/* Blocks gathered for one cipher call (a stack buffer in cbcs_range). */
#define GATHER_BLOCKS 256

/* One block, inline: GCC would turn a loop of 16-byte memcpy into a call per
 * run, and runs are one block long in 1:9. */
static inline void
copy_block (guint8       *dst,
            const guint8 *src)
{
  guint64 a, b;

  memcpy (&a, src, 8);
  memcpy (&b, src + 8, 8);
  memcpy (dst, &a, 8);
  memcpy (dst + 8, &b, 8);
}

/* One cbcs protected range: the CBC chain restarts with @iv, then the pattern
 * runs over whole blocks; a trailing partial block stays clear. The chain
 * runs from one encrypted block to the next, so with a pattern the encrypted
 * blocks are gathered, run through the cipher in one call (the context
 * carries the chain from call to call) and put back: AES-NI decrypts CBC
 * several blocks at a time, which single-block calls (1:9 is 750,000 of them
 * for two minutes of 8 Mb/s video) prevent. Measured: decryption twice as
 * fast; encryption (serial by nature) unchanged. */
static gboolean
cbcs_range (EVP_CIPHER_CTX  *ctx,
            const guint8     iv[16],
            guint            crypt_blocks,
            guint            skip_blocks,
            guint8          *data,
            gsize            len,
            GError         **error)
{
  gsize n_blocks = len / VPK_CENC_BLOCK_SIZE;
  gsize period = (gsize) crypt_blocks + skip_blocks;
  guint8 gathered[GATHER_BLOCKS * VPK_CENC_BLOCK_SIZE];
  gsize block = 0;

  if (!cipher_set_iv (ctx, iv, error))
    return FALSE;

  if (crypt_blocks == 0 || skip_blocks == 0)
    return cipher_update (ctx, data, n_blocks * VPK_CENC_BLOCK_SIZE, error);
  if (crypt_blocks > GATHER_BLOCKS) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "Pattern %u:%u is not 4-bit",
                 crypt_blocks, skip_blocks);
    return FALSE;
  }

  while (block < n_blocks) {
    gsize first = block, filled = 0;

    for (; block < n_blocks && filled + crypt_blocks <= GATHER_BLOCKS; block += period)
      for (gsize k = block; k < MIN (block + crypt_blocks, n_blocks); k++, filled++)
        copy_block (gathered + filled * VPK_CENC_BLOCK_SIZE, data + k * VPK_CENC_BLOCK_SIZE);
    if (!cipher_update (ctx, gathered, filled * VPK_CENC_BLOCK_SIZE, error))
      return FALSE;
    filled = 0;
    for (gsize b = first; b < block; b += period)
      for (gsize k = b; k < MIN (b + crypt_blocks, n_blocks); k++, filled++)
        copy_block (data + k * VPK_CENC_BLOCK_SIZE, gathered + filled * VPK_CENC_BLOCK_SIZE);
  }

  return TRUE;
}

gboolean
vpk_cenc_cipher_run (EVP_CIPHER_CTX          *ctx,
                     VpkScheme                scheme,
                     const guint8             iv[16],
                     const VpkCencSubsample  *subsamples,
                     guint                    n_subsamples,
                     guint                    crypt_blocks,
                     guint                    skip_blocks,
                     guint8                  *data,
                     gsize                    size,
                     GError                 **error)
{
  gsize pos = 0;

  if (!vpk_cenc_subsamples_check (subsamples, n_subsamples, size, error))
    return FALSE;

  if (crypt_blocks == 0 && skip_blocks != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "Pattern 0:%u encrypts nothing", skip_blocks);
    return FALSE;
  }

  if (scheme == VPK_SCHEME_CBCS && n_subsamples == 0)
    return cbcs_range (ctx, iv, crypt_blocks, skip_blocks, data, size, error);

  /* cenc: one counter runs over the protected bytes of the whole sample. */
  if (scheme == VPK_SCHEME_CENC && !cipher_set_iv (ctx, iv, error))
    return FALSE;
  if (scheme == VPK_SCHEME_CENC && n_subsamples == 0)
    return cipher_update (ctx, data, size, error);

  for (guint i = 0; i < n_subsamples; i++) {
    guint8 *range = data + pos + subsamples[i].clear_bytes;
    gsize len = subsamples[i].protected_bytes;

    pos += (gsize) subsamples[i].clear_bytes + len;
    if (len == 0)
      continue;
    if (scheme == VPK_SCHEME_CENC ?
        !cipher_update (ctx, range, len, error) :
        !cbcs_range (ctx, iv, crypt_blocks, skip_blocks, range, len, error))
      return FALSE;
  }

  return TRUE;
}

/**
 * vpk_cenc_decrypt_sample:
 * @scheme: the track's scheme ('schm')
 * @key: the content key
 * @iv: (array length=iv_size): the sample's IV ('senc') or the constant IV ('tenc')
 * @iv_size: 8 or 16 (an 8-byte IV is padded with zeros)
 * @subsamples: (array length=n_subsamples) (nullable): the subsample map, or none
 *   for whole-sample encryption
 * @crypt_blocks: cbcs pattern from 'tenc' (0:0 for every whole block); ignored for cenc
 * @skip_blocks: see @crypt_blocks
 * @data: (inout): the sample, decrypted in place
 * @error: VPK_ERROR_INVALID_DATA for a map that does not fit the sample,
 *   VPK_ERROR_CRYPTO when OpenSSL fails
 *
 * Decrypts one sample of any layout a 'tenc' and 'senc' can describe.
 */
gboolean
vpk_cenc_decrypt_sample (VpkScheme                scheme,
                         const VpkKey            *key,
                         const guint8            *iv,
                         guint                    iv_size,
                         const VpkCencSubsample  *subsamples,
                         guint                    n_subsamples,
                         guint                    crypt_blocks,
                         guint                    skip_blocks,
                         guint8                  *data,
                         gsize                    size,
                         GError                 **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  guint8 full_iv[VPK_CENC_IV_MAX_SIZE] = { 0 };

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  /* tenc carries 4 bits each: larger values are a caller's bug (and could wrap). */
  g_return_val_if_fail (crypt_blocks <= 15 && skip_blocks <= 15, FALSE);

  if (iv == NULL || (iv_size != 8 && iv_size != 16)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "IV size %u is not 8 or 16", iv_size);
    return FALSE;
  }
  memcpy (full_iv, iv, iv_size);

  ctx = vpk_cenc_cipher_new (scheme, key->bytes, FALSE, error);
  if (ctx == NULL)
    return FALSE;

  return vpk_cenc_cipher_run (ctx, scheme, full_iv, subsamples, n_subsamples,
                              scheme == VPK_SCHEME_CBCS ? crypt_blocks : 0,
                              scheme == VPK_SCHEME_CBCS ? skip_blocks : 0,
                              data, size, error);
}
