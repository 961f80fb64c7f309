/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <glib.h>
#include <vpack/vpk-version.h>

G_BEGIN_DECLS

typedef enum {
  VPK_TRACK_VIDEO,
  VPK_TRACK_AUDIO,
  VPK_TRACK_OTHER,
} VpkTrackKind;

/**
 * VpkTrackInfo:
 *
 * One track of a probed input. Strings are owned by the track. Fields that do
 * not apply to the kind (width for audio) are 0; unknown strings are %NULL.
 */
typedef struct {
  guint32      id;            /* track_ID in MP4, stream index elsewhere */
  VpkTrackKind kind;
  char        *codec;         /* sample entry / short name: "avc1", "hvc1", "mp4a", "ac-3", "ec-3" */
  char        *codecs;        /* RFC 6381 string: "avc1.64001f", "mp4a.40.2"; NULL if unknown */
  guint32      timescale;     /* media timescale (ticks per second) */
  gint64       duration_us;
  guint64      n_samples;
  guint64      bitrate;       /* bits per second, average */
  guint32      width;
  guint32      height;
  guint32      fps_num;       /* frame rate as a fraction, 0/0 if unknown */
  guint32      fps_den;
  guint32      sample_rate;
  guint32      channels;
  char        *language;      /* ISO 639-2/T, "und" if unknown */
  gboolean     encrypted;     /* sample entry is encv/enca */
} VpkTrackInfo;

/**
 * VpkMediaInfo:
 *
 * What `ingest` learns about an input; the common artifact every later stage
 * reads. Create with vpk_media_info_new(), add tracks with
 * vpk_media_info_add_track() (which takes the track).
 */
typedef struct {
  char      *container;       /* "mp4", "mov", "matroska", "mpegts", ... */
  gint64     duration_us;
  guint64    size;            /* bytes */
  guint64    bitrate;         /* bits per second, whole file */
  guint32    video_track_id;  /* the first video track, as the original service stored it */
  GPtrArray *tracks;          /* (element-type VpkTrackInfo) (owned) */
} VpkMediaInfo;

VPK_API VpkTrackInfo *vpk_track_info_new   (void);
VPK_API void          vpk_track_info_free  (VpkTrackInfo *track);
VPK_API VpkTrackInfo *vpk_track_info_copy  (const VpkTrackInfo *track);
VPK_API const char   *vpk_track_kind_to_string (VpkTrackKind kind);

VPK_API VpkMediaInfo *vpk_media_info_new   (const char *container);
VPK_API void          vpk_media_info_free  (VpkMediaInfo *info);
VPK_API VpkMediaInfo *vpk_media_info_copy  (const VpkMediaInfo *info);
VPK_API void          vpk_media_info_add_track (VpkMediaInfo *info,
                                                VpkTrackInfo *track);
VPK_API const VpkTrackInfo *vpk_media_info_get_video_track (const VpkMediaInfo *info);
/* A JSON object (UTF-8, pretty when @pretty); keys are snake_case. */
VPK_API char         *vpk_media_info_to_json (const VpkMediaInfo *info,
                                              gboolean            pretty);
VPK_API VpkMediaInfo *vpk_media_info_from_json (const char  *json,
                                                GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkTrackInfo, vpk_track_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMediaInfo, vpk_media_info_free)

G_END_DECLS
