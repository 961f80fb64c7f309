/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cenc/vpk-cenc-private.h"

struct _VpkCencEncryptor {
  VpkScheme       scheme;
  guint8          key[VPK_KEY_SIZE];
  /* cenc: the next sample's IV (bytes 0..7 count samples, 8..15 stay as
   * given, zero by default); cbcs: the constant IV. */
  guint8          iv[VPK_CENC_IV_MAX_SIZE];
  guint           iv_size;
  EVP_CIPHER_CTX *ctx;  /* keyed once, re-armed with an IV per sample */
};

void
vpk_cenc_encryptor_free (VpkCencEncryptor *enc)
{
  if (enc == NULL)
    return;
  g_clear_pointer (&enc->ctx, EVP_CIPHER_CTX_free);
  OPENSSL_cleanse (enc->key, sizeof enc->key);
  OPENSSL_cleanse (enc->iv, sizeof enc->iv);
  g_free (enc);
}

static gboolean
encryptor_init_iv (VpkCencEncryptor  *enc,
                   const guint8      *iv,
                   guint              iv_size,
                   GError           **error)
{
  guint default_size = enc->scheme == VPK_SCHEME_CENC ? 8 : 16;

  if (iv_size == 0)
    iv_size = default_size;
  if (iv_size != 16 && !(iv_size == 8 && enc->scheme == VPK_SCHEME_CENC)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                 "IV size %u is not supported for %s", iv_size,
                 enc->scheme == VPK_SCHEME_CENC ? "cenc (8 or 16)" : "cbcs (16)");
    return FALSE;
  }
  enc->iv_size = iv_size;

  if (iv != NULL) {
    memcpy (enc->iv, iv, iv_size);
    return TRUE;
  }

  /* A random start; for cenc only the 64-bit sample counter is random, so the
   * block counter of a 16-byte IV starts at 0 as it does for 8-byte IVs. */
  if (RAND_bytes (enc->iv, enc->scheme == VPK_SCHEME_CENC ? 8 : 16) != 1)
    return vpk_cenc_set_crypto_error (error, "Cannot draw a random IV");
  return TRUE;
}

/**
 * vpk_cenc_encryptor_new:
 * @scheme: %VPK_SCHEME_CENC or %VPK_SCHEME_CBCS
 * @key: the 16-byte content key (copied; wiped when the encryptor is freed)
 * @iv: (array length=iv_size) (nullable): cenc: the first sample's IV; cbcs:
 *   the constant IV; %NULL draws one from RAND_bytes
 * @iv_size: 0 for the default (8 for cenc, 16 for cbcs), or 8/16 for cenc, 16 for cbcs
 * @error: VPK_ERROR_INVALID_ARGUMENT or VPK_ERROR_CRYPTO
 *
 * Returns: (transfer full): an encryptor for one track; not thread-safe.
 */
VpkCencEncryptor *
vpk_cenc_encryptor_new (VpkScheme      scheme,
                        const VpkKey  *key,
                        const guint8  *iv,
                        guint          iv_size,
                        GError       **error)
{
  g_autoptr(VpkCencEncryptor) enc = g_new0 (VpkCencEncryptor, 1);

  g_return_val_if_fail (scheme == VPK_SCHEME_CENC || scheme == VPK_SCHEME_CBCS, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  enc->scheme = scheme;
  memcpy (enc->key, key->bytes, sizeof enc->key);
  if (!encryptor_init_iv (enc, iv, iv_size, error))
    return NULL;

  enc->ctx = vpk_cenc_cipher_new (scheme, enc->key, TRUE, error);
  if (enc->ctx == NULL)
    return NULL;

  return g_steal_pointer (&enc);
}

VpkScheme
vpk_cenc_encryptor_get_scheme (const VpkCencEncryptor *enc)
{
  return enc->scheme;
}

/**
 * vpk_cenc_encryptor_get_iv_size:
 *
 * Returns: the Per_Sample_IV_Size for 'tenc' and 'senc': 8 or 16 for cenc,
 *   0 for cbcs (which uses a constant IV).
 */
guint
vpk_cenc_encryptor_get_iv_size (const VpkCencEncryptor *enc)
{
  return enc->scheme == VPK_SCHEME_CENC ? enc->iv_size : 0;
}

/**
 * vpk_cenc_encryptor_get_constant_iv:
 * @out_iv: (out caller-allocates): the 16-byte constant IV, for 'tenc'
 *
 * Returns: %TRUE for cbcs; %FALSE (and @out_iv untouched) for cenc.
 */
gboolean
vpk_cenc_encryptor_get_constant_iv (const VpkCencEncryptor *enc,
                                    guint8                  out_iv[16])
{
  if (enc->scheme != VPK_SCHEME_CBCS)
    return FALSE;
  memcpy (out_iv, enc->iv, VPK_CENC_IV_MAX_SIZE);
  return TRUE;
}

/**
 * vpk_cenc_encryptor_get_pattern:
 *
 * The 'tenc' pattern for a track of @codec: 1:9 for cbcs video, 0:0 for cbcs
 * whole-sample tracks (every whole block, as Shaka Packager and Apple do) and
 * for cenc (no pattern).
 */
void
vpk_cenc_encryptor_get_pattern (const VpkCencEncryptor *enc,
                                VpkCencCodec            codec,
                                guint                  *out_crypt_blocks,
                                guint                  *out_skip_blocks)
{
  gboolean video = enc->scheme == VPK_SCHEME_CBCS && codec != VPK_CENC_CODEC_WHOLE;

  *out_crypt_blocks = video ? VPK_CENC_VIDEO_CRYPT_BLOCKS : 0;
  *out_skip_blocks = video ? VPK_CENC_VIDEO_SKIP_BLOCKS : 0;
}

static void
encryptor_next_iv (VpkCencEncryptor *enc)
{
  /* Big-endian 64-bit increment of bytes 0..7; wrapping after 2^64 samples. */
  for (int i = 7; i >= 0; i--)
    if (++enc->iv[i] != 0)
      break;
}

/**
 * vpk_cenc_encrypt_sample:
 * @enc: the track's encryptor
 * @codec: how the sample is laid out
 * @nal_length_size: 1, 2 or 4 for AVC/HEVC; ignored for %VPK_CENC_CODEC_WHOLE
 * @data: (array length=size) (inout): the sample, encrypted in place
 * @out_iv: (out caller-allocates): the IV to store in 'senc' (cenc) or the
 *   constant IV (cbcs)
 * @out_iv_size: (out): bytes of @out_iv to store in 'senc': 8 or 16 for cenc, 0 for cbcs
 * @out_subsamples: (element-type VpkCencSubsample): the sample's map is
 *   appended (nothing for whole-sample encryption)
 * @error: VPK_ERROR_INVALID_DATA for a malformed sample (then @data is
 *   untouched), VPK_ERROR_CRYPTO
 *
 * Encrypts one sample; the cenc IV advances by one per sample.
 */
gboolean
vpk_cenc_encrypt_sample (VpkCencEncryptor  *enc,
                         VpkCencCodec       codec,
                         guint              nal_length_size,
                         guint8            *data,
                         gsize              size,
                         guint8             out_iv[16],
                         guint             *out_iv_size,
                         GArray            *out_subsamples,
                         GError           **error)
{
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  guint8 iv[VPK_CENC_IV_MAX_SIZE] = { 0 };
  guint crypt_blocks, skip_blocks;

  g_return_val_if_fail (enc != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  if (codec != VPK_CENC_CODEC_WHOLE &&
      !vpk_cenc_nal_subsamples (codec, nal_length_size, data, size, map, error))
    return FALSE;

  memcpy (iv, enc->iv, enc->iv_size);
  vpk_cenc_encryptor_get_pattern (enc, codec, &crypt_blocks, &skip_blocks);
  if (!vpk_cenc_cipher_run (enc->ctx, enc->scheme, iv, (const VpkCencSubsample *) map->data,
                            map->len, crypt_blocks, skip_blocks, data, size, error))
    return FALSE;

  memcpy (out_iv, iv, VPK_CENC_IV_MAX_SIZE);
  *out_iv_size = vpk_cenc_encryptor_get_iv_size (enc);
  if (out_subsamples != NULL)
    g_array_append_vals (out_subsamples, map->data, map->len);
  if (enc->scheme == VPK_SCHEME_CENC)
    encryptor_next_iv (enc);
  return TRUE;
}
