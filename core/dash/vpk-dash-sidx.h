/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Segment Index box ('sidx', ISO/IEC 14496-12 8.16.3) for the on-demand
 * profile: one reference per media segment (moof + mdat). */

#include <vpack/vpk.h>

G_BEGIN_DECLS

/**
 * VpkDashSidxReference:
 * @size: referenced_size: bytes of the segment (moof through mdat), < 2^31
 * @duration: subsegment_duration in the sidx timescale
 * @starts_with_sap: the segment starts with a stream access point
 * @sap_type: 1 for an IDR / sync sample, 0 if unknown
 */
typedef struct {
  guint32  size;
  guint32  duration;
  gboolean starts_with_sap;
  guint8   sap_type;
} VpkDashSidxReference;

VPK_API gboolean vpk_dash_write_sidx (GByteArray                 *out,
                                      guint32                     reference_id,
                                      guint32                     timescale,
                                      guint64                     earliest_presentation_time,
                                      guint64                     first_offset,
                                      const VpkDashSidxReference *refs,
                                      guint                       n_refs,
                                      GError                    **error);
VPK_API gsize    vpk_dash_sidx_size  (guint n_refs);

G_END_DECLS
