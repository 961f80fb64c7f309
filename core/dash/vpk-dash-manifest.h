/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The MPEG-DASH manifest (ISO/IEC 23009-1) as plain data: written with
 * libxml2's tree API, and read back (bounded) for `vpack verify`. One static
 * Period; SegmentTemplate + SegmentTimeline (live profile) or SegmentBase
 * (on-demand profile) per Representation; ContentProtection per AdaptationSet. */

#include <vpack/vpk.h>

G_BEGIN_DECLS

#define VPK_DASH_PROFILE_LIVE_URN       "urn:mpeg:dash:profile:isoff-live:2011"
#define VPK_DASH_PROFILE_ON_DEMAND_URN  "urn:mpeg:dash:profile:isoff-on-demand:2011"

/* Bounds for the reader. */
#define VPK_DASH_MAX_MPD_SIZE        (8 * 1024 * 1024)
#define VPK_DASH_MAX_ADAPTATION_SETS 64
#define VPK_DASH_MAX_REPRESENTATIONS 64   /* per AdaptationSet */
#define VPK_DASH_MAX_SEGMENTS        100000  /* per Representation, expanded */

typedef enum {
  VPK_DASH_CONTENT_VIDEO,
  VPK_DASH_CONTENT_AUDIO,
} VpkDashContentType;

/**
 * VpkDashTimelineEntry:
 * @t: start time of the first segment (timescale units)
 * @d: duration of each segment
 * @r: how many more segments of duration @d follow (S@r, 0 for one segment)
 */
typedef struct {
  guint64 t;
  guint64 d;
  guint32 r;
} VpkDashTimelineEntry;

/**
 * VpkDashRepresentation:
 *
 * One Representation. Strings are owned; %NULL or 0 means "not written".
 * Live profile: @init_template, @media_template, @start_number, @timeline.
 * On-demand profile: @base_url, @init_range_*, @index_range_* (inclusive byte
 * ranges, as in the MPD).
 */
typedef struct {
  char    *id;
  char    *codecs;
  guint64  bandwidth;
  guint32  width;
  guint32  height;
  guint32  fps_num;          /* frameRate: "30" when fps_den is 1, else "30000/1001" */
  guint32  fps_den;
  guint32  sample_rate;      /* audioSamplingRate */
  guint32  channels;         /* AudioChannelConfiguration */
  guint32  timescale;

  char    *init_template;    /* SegmentTemplate@initialization */
  char    *media_template;   /* SegmentTemplate@media: $Number$ or $Time$ */
  guint64  start_number;     /* 1 by default */
  GArray  *timeline;         /* (element-type VpkDashTimelineEntry) */

  char    *base_url;
  guint64  init_range_start;
  guint64  init_range_end;
  guint64  index_range_start;
  guint64  index_range_end;
} VpkDashRepresentation;

/**
 * VpkDashProtection:
 *
 * What the ContentProtection elements of an AdaptationSet say.
 */
typedef struct {
  VpkScheme  scheme;        /* value of urn:mpeg:dash:mp4protection:2011 */
  VpkKey     default_kid;   /* cenc:default_KID */
  char      *pssh_base64;   /* <cenc:pssh> of the W3C common system, or NULL */
  char      *license_url;   /* ClearKey Laurl, or NULL */
} VpkDashProtection;

typedef struct {
  VpkDashContentType  content_type;
  char               *lang;               /* or NULL */
  gboolean            segment_alignment;
  guint               start_with_sap;     /* 0 = not written */
  gboolean            is_protected;
  VpkDashProtection   protection;
  GPtrArray          *representations;    /* (element-type VpkDashRepresentation) */
} VpkDashAdaptationSet;

typedef struct {
  VpkProfile  profile;
  gint64      duration_us;         /* mediaPresentationDuration */
  gint64      min_buffer_time_us;  /* minBufferTime */
  GPtrArray  *adaptation_sets;     /* (element-type VpkDashAdaptationSet) */
} VpkDashManifest;

VPK_API VpkDashManifest       *vpk_dash_manifest_new         (VpkProfile profile);
VPK_API void                   vpk_dash_manifest_free        (VpkDashManifest *manifest);
VPK_API VpkDashAdaptationSet  *vpk_dash_manifest_add_adaptation_set (VpkDashManifest    *manifest,
                                                                     VpkDashContentType  type);
VPK_API VpkDashRepresentation *vpk_dash_adaptation_set_add_representation (VpkDashAdaptationSet *set,
                                                                           const char           *id);
VPK_API void                   vpk_dash_representation_add_segment (VpkDashRepresentation *rep,
                                                                    guint64                t,
                                                                    guint64                d);
VPK_API const char            *vpk_dash_content_type_to_mime (VpkDashContentType type);

VPK_API gboolean         vpk_dash_manifest_write (const VpkDashManifest  *manifest,
                                                  const char             *path,
                                                  GError                **error);
VPK_API VpkDashManifest *vpk_dash_manifest_read  (const char  *path,
                                                  GError     **error);

VPK_API gboolean vpk_dash_representation_get_files (const VpkDashRepresentation  *rep,
                                                    char                        **out_init,
                                                    GPtrArray                   **out_media,
                                                    GError                      **error);
VPK_API char    *vpk_dash_expand_template (const char                  *tmpl,
                                           const VpkDashRepresentation *rep,
                                           guint64                      number,
                                           guint64                      time,
                                           GError                     **error);
VPK_API gboolean vpk_dash_check_relative_path (const char  *name,
                                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkDashManifest, vpk_dash_manifest_free)

G_END_DECLS
