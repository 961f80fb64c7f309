/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The boxes of Common Encryption (ISO/IEC 23001-7): builders that append a
 * whole box (size, type, version/flags, payload; big-endian) to a GByteArray,
 * and bounded parsers that read a box payload (the bytes after the 8-byte
 * header; vpk_cenc_box_payload() finds it in a whole box). */

#include "cenc/vpk-cenc.h"

G_BEGIN_DECLS

/* The W3C "common" PSSH system (https://w3c.github.io/encrypted-media/format-registry/initdata/cenc.html) */
#define VPK_CENC_COMMON_SYSTEM_ID_UUID "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"
#define VPK_CENC_COMMON_SYSTEM_ID \
  { 0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, \
    0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b }

/* Offset of the first sample's auxiliary data inside a 'senc' box written
 * here: header (8) + version/flags (4) + sample_count (4). 'saio' points there. */
#define VPK_CENC_SENC_DATA_OFFSET 16

/* Bounds for untrusted boxes. */
#define VPK_CENC_MAX_PSSH_KIDS 1024
#define VPK_CENC_MAX_SAMPLES   (1u << 20)  /* per 'senc' */

/**
 * VpkCencTenc:
 *
 * The Track Encryption box. Version 1 carries the pattern (cbcs); a constant
 * IV is present when @is_protected and @per_sample_iv_size is 0.
 */
typedef struct {
  guint8   version;
  gboolean is_protected;
  guint8   per_sample_iv_size;  /* 0, 8 or 16 */
  VpkKey   kid;
  guint8   crypt_byte_block;    /* version 1 only */
  guint8   skip_byte_block;     /* version 1 only */
  guint8   constant_iv_size;    /* 8 or 16 when per_sample_iv_size is 0 */
  guint8   constant_iv[16];
} VpkCencTenc;

/**
 * VpkCencSampleAux:
 *
 * One sample's auxiliary information: its IV and its range of subsamples in
 * the owning VpkCencAuxInfo.
 */
typedef struct {
  guint8 iv[16];
  guint8 iv_size;          /* 0 with a constant IV */
  guint  first_subsample;  /* index into VpkCencAuxInfo.subsamples */
  guint  n_subsamples;
} VpkCencSampleAux;

/**
 * VpkCencAuxInfo:
 *
 * The sample auxiliary information of a fragment, as in 'senc'.
 */
typedef struct {
  GArray *samples;     /* (element-type VpkCencSampleAux) */
  GArray *subsamples;  /* (element-type VpkCencSubsample) */
} VpkCencAuxInfo;

/**
 * VpkCencPssh:
 *
 * A Protection System Specific Header.
 */
typedef struct {
  guint8  version;
  guint8  system_id[16];
  GArray *kids;   /* (element-type VpkKey): version 1 only */
  GBytes *data;   /* never NULL, may be empty */
} VpkCencPssh;

VPK_API VpkCencAuxInfo *vpk_cenc_aux_info_new        (void);
VPK_API void            vpk_cenc_aux_info_free       (VpkCencAuxInfo *aux);
VPK_API void            vpk_cenc_aux_info_add_sample (VpkCencAuxInfo         *aux,
                                                      const guint8           *iv,
                                                      guint                   iv_size,
                                                      const VpkCencSubsample *subsamples,
                                                      guint                   n_subsamples);
VPK_API gboolean        vpk_cenc_aux_info_has_subsamples (const VpkCencAuxInfo *aux);
VPK_API guint           vpk_cenc_aux_info_sample_size    (const VpkCencAuxInfo *aux,
                                                          guint                 index);
VPK_API void            vpk_cenc_pssh_free           (VpkCencPssh *pssh);

VPK_API void   vpk_cenc_tenc_init         (VpkCencTenc            *tenc,
                                           const VpkCencEncryptor *enc,
                                           VpkCencCodec            codec,
                                           const VpkKey           *kid);

VPK_API void   vpk_cenc_write_tenc        (GByteArray        *out,
                                           const VpkCencTenc *tenc);
VPK_API void   vpk_cenc_write_schm        (GByteArray *out,
                                           VpkScheme   scheme);
VPK_API void   vpk_cenc_write_frma        (GByteArray *out,
                                           const char *original_format);
VPK_API gboolean vpk_cenc_write_senc      (GByteArray           *out,
                                           const VpkCencAuxInfo *aux,
                                           GError              **error);
VPK_API gboolean vpk_cenc_write_saiz      (GByteArray           *out,
                                           const VpkCencAuxInfo *aux,
                                           GError              **error);
VPK_API gsize  vpk_cenc_write_saio        (GByteArray *out,
                                           guint32     offset);
VPK_API void   vpk_cenc_saio_set_offset   (GByteArray *out,
                                           gsize       field_pos,
                                           guint32     offset);
VPK_API void   vpk_cenc_write_pssh        (GByteArray   *out,
                                           const guint8  system_id[16],
                                           const VpkKey *kids,
                                           guint         n_kids,
                                           const guint8 *data,
                                           gsize         data_size);
VPK_API void   vpk_cenc_write_common_pssh (GByteArray   *out,
                                           const VpkKey *kids,
                                           guint         n_kids);
VPK_API char  *vpk_cenc_common_pssh_base64 (const VpkKey *kids,
                                            guint         n_kids);

VPK_API gboolean vpk_cenc_box_payload (const guint8  *box,
                                       gsize          size,
                                       const char    *type,
                                       const guint8 **out_payload,
                                       gsize         *out_payload_size,
                                       GError       **error);
VPK_API gboolean vpk_cenc_parse_tenc  (const guint8  *payload,
                                       gsize          size,
                                       VpkCencTenc   *out_tenc,
                                       GError       **error);
VPK_API gboolean vpk_cenc_parse_schm  (const guint8  *payload,
                                       gsize          size,
                                       VpkScheme     *out_scheme,
                                       GError       **error);
VPK_API gboolean vpk_cenc_parse_frma  (const guint8  *payload,
                                       gsize          size,
                                       char           out_format[5],
                                       GError       **error);
VPK_API VpkCencAuxInfo *vpk_cenc_parse_senc (const guint8  *payload,
                                             gsize          size,
                                             guint          per_sample_iv_size,
                                             GError       **error);
VPK_API gboolean vpk_cenc_parse_saiz  (const guint8  *payload,
                                       gsize          size,
                                       guint8        *out_default_size,
                                       guint32       *out_sample_count,
                                       GBytes       **out_sizes,
                                       GError       **error);
VPK_API GArray  *vpk_cenc_parse_saio  (const guint8  *payload,
                                       gsize          size,
                                       GError       **error);
VPK_API VpkCencPssh *vpk_cenc_parse_pssh (const guint8  *payload,
                                          gsize          size,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkCencAuxInfo, vpk_cenc_aux_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkCencPssh, vpk_cenc_pssh_free)

G_END_DECLS
