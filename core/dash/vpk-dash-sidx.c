/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dash/vpk-dash-sidx.h"

static void
put_be (GByteArray *out,
        guint64     v,
        guint       n_bytes)
{
  guint8 b[8];

  for (guint i = 0; i < n_bytes; i++)
    b[i] = v >> (8 * (n_bytes - 1 - i));
  g_byte_array_append (out, b, n_bytes);
}

/**
 * vpk_dash_sidx_size:
 *
 * Returns: the size of a version 1 'sidx' with @n_refs references, so that a
 *   writer can reserve room for it before the segments are known
 */
gsize
vpk_dash_sidx_size (guint n_refs)
{
  return 8 + 4 + 4 + 4 + 8 + 8 + 2 + 2 + (gsize) 12 * n_refs;
}

/**
 * vpk_dash_write_sidx:
 * @reference_id: the track_ID of the indexed track
 * @timescale: the track's media timescale
 * @earliest_presentation_time: of the first segment
 * @first_offset: bytes from the end of this box to the first segment
 * @refs: (array length=n_refs): the segments, in order
 * @error: VPK_ERROR_INVALID_ARGUMENT for more than 65535 references or a
 *   segment of 2 GiB or more
 *
 * Appends a version 1 'sidx' (64-bit times and offsets) to @out.
 */
gboolean
vpk_dash_write_sidx (GByteArray                 *out,
                     guint32                     reference_id,
                     guint32                     timescale,
                     guint64                     earliest_presentation_time,
                     guint64                     first_offset,
                     const VpkDashSidxReference *refs,
                     guint                       n_refs,
                     GError                    **error)
{
  if (n_refs > G_MAXUINT16) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                 "%u segments do not fit one 'sidx' (65535 at most)", n_refs);
    return FALSE;
  }
  for (guint i = 0; i < n_refs; i++)
    if (refs[i].size >= (1u << 31) || refs[i].sap_type > 7) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                   "Segment %u: size %u or SAP type %u does not fit 'sidx'", i, refs[i].size,
                   refs[i].sap_type);
      return FALSE;
    }

  put_be (out, vpk_dash_sidx_size (n_refs), 4);
  g_byte_array_append (out, (const guint8 *) "sidx", 4);
  put_be (out, 1u << 24, 4);  /* version 1, flags 0 */
  put_be (out, reference_id, 4);
  put_be (out, timescale, 4);
  put_be (out, earliest_presentation_time, 8);
  put_be (out, first_offset, 8);
  put_be (out, 0, 2);  /* reserved */
  put_be (out, n_refs, 2);
  for (guint i = 0; i < n_refs; i++) {
    put_be (out, refs[i].size, 4);  /* reference_type 0: media */
    put_be (out, refs[i].duration, 4);
    put_be (out, (refs[i].starts_with_sap ? 1u << 31 : 0) | (guint32) refs[i].sap_type << 28, 4);
  }
  return TRUE;
}
