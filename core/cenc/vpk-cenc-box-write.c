/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cenc/vpk-cenc-boxes.h"

/* A box is written with a zero size, then patched by box_end(). */

static void
put_u8 (GByteArray *out,
        guint8      v)
{
  g_byte_array_append (out, &v, 1);
}

static void
put_u16 (GByteArray *out,
         guint16     v)
{
  guint8 b[2] = { v >> 8, v };

  g_byte_array_append (out, b, sizeof b);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, sizeof b);
}

static void
set_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static gsize
box_begin (GByteArray *out,
           const char *type,
           gint        version,
           guint32     flags)
{
  gsize start = out->len;

  put_u32 (out, 0);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (version >= 0)
    put_u32 (out, ((guint32) version << 24) | (flags & 0xffffff));
  return start;
}

static void
box_end (GByteArray *out,
         gsize       start)
{
  set_u32 (out->data + start, out->len - start);
}

/**
 * vpk_cenc_tenc_init:
 * @tenc: (out caller-allocates): filled in
 * @enc: the track's encryptor
 * @codec: the track's layout (picks the cbcs pattern)
 * @kid: the key ID
 *
 * Fills a 'tenc' that describes what @enc writes: version 0 with 8/16-byte
 * per-sample IVs for cenc; version 1 with the pattern and the constant IV for cbcs.
 */
void
vpk_cenc_tenc_init (VpkCencTenc            *tenc,
                    const VpkCencEncryptor *enc,
                    VpkCencCodec            codec,
                    const VpkKey           *kid)
{
  guint crypt_blocks, skip_blocks;

  memset (tenc, 0, sizeof *tenc);
  tenc->is_protected = TRUE;
  tenc->kid = *kid;
  tenc->per_sample_iv_size = vpk_cenc_encryptor_get_iv_size (enc);
  if (vpk_cenc_encryptor_get_constant_iv (enc, tenc->constant_iv)) {
    tenc->version = 1;
    tenc->constant_iv_size = 16;
    vpk_cenc_encryptor_get_pattern (enc, codec, &crypt_blocks, &skip_blocks);
    tenc->crypt_byte_block = crypt_blocks;
    tenc->skip_byte_block = skip_blocks;
  }
}

void
vpk_cenc_write_tenc (GByteArray        *out,
                     const VpkCencTenc *tenc)
{
  gsize start = box_begin (out, "tenc", tenc->version, 0);

  put_u8 (out, 0);  /* reserved */
  if (tenc->version == 0)
    put_u8 (out, 0);  /* reserved */
  else
    put_u8 (out, (tenc->crypt_byte_block & 0xf) << 4 | (tenc->skip_byte_block & 0xf));
  put_u8 (out, tenc->is_protected ? 1 : 0);
  put_u8 (out, tenc->per_sample_iv_size);
  g_byte_array_append (out, tenc->kid.bytes, VPK_KEY_SIZE);
  if (tenc->is_protected && tenc->per_sample_iv_size == 0) {
    put_u8 (out, tenc->constant_iv_size);
    g_byte_array_append (out, tenc->constant_iv, MIN (tenc->constant_iv_size, 16));
  }
  box_end (out, start);
}

void
vpk_cenc_write_schm (GByteArray *out,
                     VpkScheme   scheme)
{
  gsize start = box_begin (out, "schm", 0, 0);

  g_byte_array_append (out, (const guint8 *) (scheme == VPK_SCHEME_CENC ? "cenc" : "cbcs"), 4);
  put_u32 (out, 0x00010000);  /* scheme_version 1.0 */
  box_end (out, start);
}

/**
 * vpk_cenc_write_frma:
 * @original_format: the sample entry type before encryption ("avc1", "mp4a")
 */
void
vpk_cenc_write_frma (GByteArray *out,
                     const char *original_format)
{
  gsize start = box_begin (out, "frma", -1, 0);

  g_return_if_fail (original_format != NULL && strlen (original_format) == 4);

  g_byte_array_append (out, (const guint8 *) original_format, 4);
  box_end (out, start);
}

/**
 * vpk_cenc_write_senc:
 * @error: VPK_ERROR_INVALID_DATA when a sample has more than 65535 subsamples
 *
 * Writes 'senc', with flag 0x2 (subsamples) when any sample has subsamples.
 * The first sample's data is at VPK_CENC_SENC_DATA_OFFSET in the box.
 */
gboolean
vpk_cenc_write_senc (GByteArray           *out,
                     const VpkCencAuxInfo *aux,
                     GError              **error)
{
  gboolean with_subsamples = vpk_cenc_aux_info_has_subsamples (aux);
  gsize start = out->len;

  box_begin (out, "senc", 0, with_subsamples ? 0x2 : 0);
  put_u32 (out, aux->samples->len);
  for (guint i = 0; i < aux->samples->len; i++) {
    const VpkCencSampleAux *s = &g_array_index (aux->samples, VpkCencSampleAux, i);

    g_byte_array_append (out, s->iv, s->iv_size);
    if (!with_subsamples)
      continue;
    if (s->n_subsamples > G_MAXUINT16) {
      g_byte_array_set_size (out, start);
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "Sample %u has %u subsamples, more than 'senc' can hold", i, s->n_subsamples);
      return FALSE;
    }
    put_u16 (out, s->n_subsamples);
    for (guint j = 0; j < s->n_subsamples; j++) {
      const VpkCencSubsample *sub = &g_array_index (aux->subsamples, VpkCencSubsample,
                                                    s->first_subsample + j);
      put_u16 (out, sub->clear_bytes);
      put_u32 (out, sub->protected_bytes);
    }
  }
  box_end (out, start);
  return TRUE;
}

/**
 * vpk_cenc_write_saiz:
 * @error: VPK_ERROR_INVALID_DATA when one sample's information exceeds 255 bytes
 *
 * Writes 'saiz' for @aux, with default_sample_info_size when all sizes are equal.
 */
gboolean
vpk_cenc_write_saiz (GByteArray           *out,
                     const VpkCencAuxInfo *aux,
                     GError              **error)
{
  guint n = aux->samples->len;
  guint first = n > 0 ? vpk_cenc_aux_info_sample_size (aux, 0) : 0;
  gboolean same = TRUE;
  gsize start;

  for (guint i = 0; i < n; i++) {
    guint size = vpk_cenc_aux_info_sample_size (aux, i);

    if (size > G_MAXUINT8) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "Sample %u has %u bytes of encryption data, more than 'saiz' can hold",
                   i, size);
      return FALSE;
    }
    same = same && size == first;
  }

  /* A default size of 0 means "a table follows": samples with no auxiliary
   * information (cbcs audio: constant IV, no subsamples) get a table of zeros. */
  same = same && first > 0;
  start = box_begin (out, "saiz", 0, 0);
  put_u8 (out, same ? first : 0);
  put_u32 (out, n);
  for (guint i = 0; !same && i < n; i++)
    put_u8 (out, vpk_cenc_aux_info_sample_size (aux, i));
  box_end (out, start);
  return TRUE;
}

/**
 * vpk_cenc_write_saio:
 * @offset: the offset of the first sample's data (from the start of 'moof'
 *   in a fragment), or 0 to be set later
 *
 * Writes a version 0 'saio' with one offset.
 *
 * Returns: the position of the offset field in @out, for vpk_cenc_saio_set_offset()
 */
gsize
vpk_cenc_write_saio (GByteArray *out,
                     guint32     offset)
{
  gsize start = box_begin (out, "saio", 0, 0);
  gsize field;

  put_u32 (out, 1);  /* entry_count */
  field = out->len;
  put_u32 (out, offset);
  box_end (out, start);
  return field;
}

void
vpk_cenc_saio_set_offset (GByteArray *out,
                          gsize       field_pos,
                          guint32     offset)
{
  g_return_if_fail (field_pos + 4 <= out->len);

  set_u32 (out->data + field_pos, offset);
}

/**
 * vpk_cenc_write_pssh:
 * @kids: (array length=n_kids) (nullable): with any, a version 1 box lists them
 * @data: (array length=data_size) (nullable): the system's data
 */
void
vpk_cenc_write_pssh (GByteArray   *out,
                     const guint8  system_id[16],
                     const VpkKey *kids,
                     guint         n_kids,
                     const guint8 *data,
                     gsize         data_size)
{
  gsize start = box_begin (out, "pssh", n_kids > 0 ? 1 : 0, 0);

  g_byte_array_append (out, system_id, 16);
  if (n_kids > 0) {
    put_u32 (out, n_kids);
    for (guint i = 0; i < n_kids; i++)
      g_byte_array_append (out, kids[i].bytes, VPK_KEY_SIZE);
  }
  put_u32 (out, data_size);
  if (data_size > 0)
    g_byte_array_append (out, data, data_size);
  box_end (out, start);
}

/**
 * vpk_cenc_write_common_pssh:
 *
 * Writes the W3C common-system 'pssh' (version 1, the KIDs, no data), which
 * ClearKey uses as its "cenc" init data.
 */
void
vpk_cenc_write_common_pssh (GByteArray   *out,
                            const VpkKey *kids,
                            guint         n_kids)
{
  static const guint8 system_id[16] = VPK_CENC_COMMON_SYSTEM_ID;

  vpk_cenc_write_pssh (out, system_id, kids, n_kids, NULL, 0);
}

/**
 * vpk_cenc_common_pssh_base64:
 *
 * Returns: (transfer full): the base64 of the whole common-system 'pssh' box,
 *   for `<cenc:pssh>` in the MPD
 */
char *
vpk_cenc_common_pssh_base64 (const VpkKey *kids,
                             guint         n_kids)
{
  g_autoptr(GByteArray) box = g_byte_array_new ();

  vpk_cenc_write_common_pssh (box, kids, n_kids);
  return g_base64_encode (box->data, box->len);
}
