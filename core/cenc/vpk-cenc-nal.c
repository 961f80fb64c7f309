/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cenc/vpk-cenc-private.h"

/* The subsample map of a length-prefixed H.264/H.265 sample (ISO/IEC 23001-7
 * 10.2, "Subsample encryption of NAL structured video"):
 * - length prefixes, NAL headers and every non-VCL NAL unit stay clear;
 * - a slice keeps its first VPK_CENC_SLICE_CLEAR_BYTES clear (the slice
 *   header in practice), and its protected part is a whole number of 16-byte
 *   blocks ending on its last byte: the remainder joins the clear part;
 * - clear bytes that meet are merged into one run, split at 65535. */

typedef struct {
  GArray  *subsamples;
  guint64  pending_clear;
} MapBuilder;

static void
map_push (MapBuilder *b,
          guint64     clear,
          guint32     protected_bytes)
{
  VpkCencSubsample entry;

  clear += b->pending_clear;
  b->pending_clear = 0;
  while (clear > VPK_CENC_MAX_CLEAR) {
    entry = (VpkCencSubsample) { .clear_bytes = VPK_CENC_MAX_CLEAR, .protected_bytes = 0 };
    g_array_append_val (b->subsamples, entry);
    clear -= VPK_CENC_MAX_CLEAR;
  }
  entry = (VpkCencSubsample) { .clear_bytes = (guint16) clear, .protected_bytes = protected_bytes };
  g_array_append_val (b->subsamples, entry);
}

static gboolean
nal_is_slice (VpkCencCodec  codec,
              const guint8 *nal,
              guint32       nal_size)
{
  if (codec == VPK_CENC_CODEC_AVC) {
    guint type = nal[0] & 0x1f;

    return nal_size >= 1 && type >= 1 && type <= 5;
  }

  /* HEVC: VCL types are 0..31; 32 and up are parameter sets, SEI, AUD... */
  return nal_size >= 2 && ((nal[0] >> 1) & 0x3f) < 32;
}

static guint32
read_nal_length (const guint8 *p,
                 guint         nal_length_size)
{
  guint32 len = 0;

  for (guint i = 0; i < nal_length_size; i++)
    len = (len << 8) | p[i];
  return len;
}

/* Adds one NAL unit (prefix included) to the map. */
static void
map_add_nal (MapBuilder   *b,
             VpkCencCodec  codec,
             guint         nal_length_size,
             const guint8 *nal,
             guint32       nal_size)
{
  guint32 clear = MIN (nal_size, VPK_CENC_SLICE_CLEAR_BYTES);
  guint32 protected_bytes;

  if (nal_size == 0 || !nal_is_slice (codec, nal, nal_size)) {
    b->pending_clear += (guint64) nal_length_size + nal_size;
    return;
  }

  protected_bytes = nal_size - clear;
  protected_bytes -= protected_bytes % VPK_CENC_BLOCK_SIZE;
  if (protected_bytes == 0) {
    b->pending_clear += (guint64) nal_length_size + nal_size;
    return;
  }

  map_push (b, (guint64) nal_length_size + (nal_size - protected_bytes), protected_bytes);
}

/**
 * vpk_cenc_nal_subsamples:
 * @codec: %VPK_CENC_CODEC_AVC or %VPK_CENC_CODEC_HEVC
 * @nal_length_size: 1, 2 or 4 (lengthSizeMinusOne + 1 from avcC/hvcC)
 * @data: (array length=size): one sample
 * @out_subsamples: (element-type VpkCencSubsample): the map is appended here,
 *   only on success
 * @error: VPK_ERROR_INVALID_DATA when a NAL length runs past the sample
 *
 * Computes the subsample map of a video sample; the map spans @size exactly.
 */
gboolean
vpk_cenc_nal_subsamples (VpkCencCodec   codec,
                         guint          nal_length_size,
                         const guint8  *data,
                         gsize          size,
                         GArray        *out_subsamples,
                         GError       **error)
{
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  MapBuilder b = { map, 0 };
  gsize pos = 0;

  g_return_val_if_fail (codec == VPK_CENC_CODEC_AVC || codec == VPK_CENC_CODEC_HEVC, FALSE);
  g_return_val_if_fail (out_subsamples != NULL, FALSE);

  if (nal_length_size != 1 && nal_length_size != 2 && nal_length_size != 4) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "NAL length size %u is not 1, 2 or 4", nal_length_size);
    return FALSE;
  }

  while (pos < size) {
    guint32 nal_size;

    if (size - pos < nal_length_size ||
        (nal_size = read_nal_length (data + pos, nal_length_size)) >
        size - pos - nal_length_size) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "NAL unit at byte %" G_GSIZE_FORMAT " runs past the end of the %"
                   G_GSIZE_FORMAT "-byte sample", pos, size);
      return FALSE;
    }
    map_add_nal (&b, codec, nal_length_size, data + pos + nal_length_size, nal_size);
    pos += nal_length_size + (gsize) nal_size;
  }

  if (b.pending_clear > 0 || map->len == 0)
    map_push (&b, 0, 0);

  g_array_append_vals (out_subsamples, map->data, map->len);
  return TRUE;
}
