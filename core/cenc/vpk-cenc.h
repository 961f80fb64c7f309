/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Common Encryption (ISO/IEC 23001-7) of samples: the 'cenc' (AES-128-CTR)
 * and 'cbcs' (AES-128-CBC, pattern, constant IV) schemes, in place. */

#include <vpack/vpk.h>

G_BEGIN_DECLS

#define VPK_CENC_BLOCK_SIZE    16
#define VPK_CENC_IV_MAX_SIZE   16
#define VPK_CENC_MAX_CLEAR     65535  /* BytesOfClearData is 16 bits */

/* Bytes at the start of every video slice NAL unit (NAL header included) that
 * stay clear: they cover the slice header in all but unusual streams, as in
 * Apple's sample encryption of H.264 (first 32 bytes of a slice clear). */
#define VPK_CENC_SLICE_CLEAR_BYTES 32

/* The cbcs pattern for video (crypt:skip, in 16-byte blocks). */
#define VPK_CENC_VIDEO_CRYPT_BLOCKS 1
#define VPK_CENC_VIDEO_SKIP_BLOCKS  9

/**
 * VpkCencSubsample:
 * @clear_bytes: BytesOfClearData, first
 * @protected_bytes: BytesOfProtectedData, after the clear bytes
 *
 * One entry of a sample's subsample map ('senc').
 */
typedef struct {
  guint16 clear_bytes;
  guint32 protected_bytes;
} VpkCencSubsample;

/**
 * VpkCencCodec:
 * @VPK_CENC_CODEC_WHOLE: whole-sample encryption, no subsamples (audio)
 * @VPK_CENC_CODEC_AVC: length-prefixed H.264 NAL units (avc1, avc3)
 * @VPK_CENC_CODEC_HEVC: length-prefixed H.265 NAL units (hvc1, hev1)
 */
typedef enum {
  VPK_CENC_CODEC_WHOLE,
  VPK_CENC_CODEC_AVC,
  VPK_CENC_CODEC_HEVC,
} VpkCencCodec;

typedef struct _VpkCencEncryptor VpkCencEncryptor;

VPK_API VpkCencEncryptor *vpk_cenc_encryptor_new  (VpkScheme      scheme,
                                                   const VpkKey  *key,
                                                   const guint8  *iv,
                                                   guint          iv_size,
                                                   GError       **error);
VPK_API void       vpk_cenc_encryptor_free         (VpkCencEncryptor *enc);
VPK_API VpkScheme  vpk_cenc_encryptor_get_scheme   (const VpkCencEncryptor *enc);
VPK_API guint      vpk_cenc_encryptor_get_iv_size  (const VpkCencEncryptor *enc);
VPK_API gboolean   vpk_cenc_encryptor_get_constant_iv (const VpkCencEncryptor *enc,
                                                       guint8                  out_iv[16]);
VPK_API void       vpk_cenc_encryptor_get_pattern  (const VpkCencEncryptor *enc,
                                                    VpkCencCodec            codec,
                                                    guint                  *out_crypt_blocks,
                                                    guint                  *out_skip_blocks);
VPK_API gboolean   vpk_cenc_encrypt_sample         (VpkCencEncryptor  *enc,
                                                    VpkCencCodec       codec,
                                                    guint              nal_length_size,
                                                    guint8            *data,
                                                    gsize              size,
                                                    guint8             out_iv[16],
                                                    guint             *out_iv_size,
                                                    GArray            *out_subsamples,
                                                    GError           **error);

VPK_API gboolean   vpk_cenc_decrypt_sample         (VpkScheme                scheme,
                                                    const VpkKey            *key,
                                                    const guint8            *iv,
                                                    guint                    iv_size,
                                                    const VpkCencSubsample  *subsamples,
                                                    guint                    n_subsamples,
                                                    guint                    crypt_blocks,
                                                    guint                    skip_blocks,
                                                    guint8                  *data,
                                                    gsize                    size,
                                                    GError                 **error);

VPK_API gboolean   vpk_cenc_nal_subsamples         (VpkCencCodec   codec,
                                                    guint          nal_length_size,
                                                    const guint8  *data,
                                                    gsize          size,
                                                    GArray        *out_subsamples,
                                                    GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkCencEncryptor, vpk_cenc_encryptor_free)

G_END_DECLS
