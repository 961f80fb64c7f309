/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  char    *transcode;          /* auto | never */
  guint64  video_bitrate_kbps;
  guint64  audio_bitrate_kbps;
  guint64  timeout_seconds;    /* no-progress watchdog */
} VpkGst;

gboolean vpk_gst_init     (gpointer self, GError **error);
void     vpk_gst_finalize (gpointer self);
/* Initialises GStreamer on first use; every stage calls it first. */
gboolean vpk_gst_start    (GError **error);

gboolean vpk_gst_ingest   (gpointer self, VpkJob *job, GCancellable *cancellable, GError **error);
gboolean vpk_gst_fragment (gpointer self, VpkJob *job, GCancellable *cancellable, GError **error);

/* vpk-gst-run.c: called from the runner's thread about every 100 ms; returns
 * a value that grows while the pipeline makes progress (a position in ns). */
typedef gint64 (*VpkGstPollFunc) (gpointer data);

/* Posted on a pipeline's bus by a callback that refuses a stream: the
 * runner ends with VPK_ERROR_INVALID_DATA and the structure's "message". */
#define VPK_GST_REFUSED "vpk-refused"

void     vpk_gst_post_refusal (GstElement *element, const char *message);
gboolean vpk_gst_run_pipeline (GstElement     *pipeline,
                               guint64         timeout_seconds,
                               VpkGstPollFunc  poll,
                               gpointer        poll_data,
                               GCancellable   *cancellable,
                               GError        **error);

/* vpk-gst-caps.c: what a stream's caps mean for packaging. */
typedef enum {
  VPK_GST_AS_IS,       /* muxed into MP4 after a parser */
  VPK_GST_TRANSCODE,   /* must be decoded and encoded (H.264 / AAC) */
  VPK_GST_IGNORED,     /* neither video nor audio: left out */
} VpkGstHandling;

VpkTrackKind   vpk_gst_caps_kind     (const GstCaps *caps);
/* The sample-entry-like name: "avc1", "hvc1", "mp4a", "ac-3", "ec-3", "mp2v", "vp09", ... */
char          *vpk_gst_caps_codec    (const GstCaps *caps);
VpkGstHandling vpk_gst_caps_handling (const GstCaps *caps);
/* The caps decodebin stops at: everything VPK_GST_AS_IS, and raw media. */
GstCaps       *vpk_gst_caps_wanted   (void);

/* vpk-gst-check.c: container-level truncation checks GStreamer does not report. */
gboolean vpk_gst_check_complete (const char *path, const char *container, GError **error);

/* vpk-gst-transcode.c: bins with "sink" and "src" ghost pads. */
GstElement *vpk_gst_make_video_encoder (VpkGst *gst, const GstCaps *caps, guint segment_ms,
                                        GError **error);
GstElement *vpk_gst_make_audio_encoder (VpkGst *gst, GError **error);
GstElement *vpk_gst_make_element (const char *factory, GError **error);

G_END_DECLS
