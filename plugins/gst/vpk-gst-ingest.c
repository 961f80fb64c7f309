/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ingest (gst): GstDiscoverer describes any container GStreamer demuxes, or
 * the input is refused with the reason. */
#include "vpk-gst.h"

#include <gst/pbutils/pbutils.h>
#include <gst/tag/tag.h>
#include <glib/gstdio.h>

typedef struct {
  GMainLoop         *loop;
  GstDiscovererInfo *info;
  GError            *error;
} Discovery;

static void
on_discovered (GstDiscoverer *discoverer, GstDiscovererInfo *info, GError *err, gpointer data)
{
  Discovery *d = data;

  d->info = g_object_ref (info);
  if (err != NULL)
    d->error = g_error_copy (err);
}

static gboolean
on_cancelled (GCancellable *cancellable, gpointer data)
{
  g_main_loop_quit (((Discovery *) data)->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the discoverer in a private main context so that it can be cancelled;
 * its own timeout bounds a file that makes a demuxer hang. */
static GstDiscovererInfo *
discover (const char *uri, guint64 timeout_s, GError **out_reason, GCancellable *cancellable,
          GError **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GSource) cancel_source = NULL;
  Discovery d = { NULL };

  g_main_context_push_thread_default (context);
  discoverer = gst_discoverer_new (MAX (timeout_s, 1) * GST_SECOND, error);
  if (discoverer != NULL) {
    d.loop = g_main_loop_new (context, FALSE);
    g_signal_connect (discoverer, "discovered", G_CALLBACK (on_discovered), &d);
    g_signal_connect_swapped (discoverer, "finished", G_CALLBACK (g_main_loop_quit), d.loop);
    cancel_source = g_cancellable_source_new (cancellable);
    g_source_set_callback (cancel_source, G_SOURCE_FUNC (on_cancelled), &d, NULL);
    g_source_attach (cancel_source, context);
    gst_discoverer_start (discoverer);
    if (gst_discoverer_discover_uri_async (discoverer, uri))
      g_main_loop_run (d.loop);
    gst_discoverer_stop (discoverer);
    g_source_destroy (cancel_source);
    g_main_loop_unref (d.loop);
  }
  g_main_context_pop_thread_default (context);

  if (discoverer == NULL || g_cancellable_set_error_if_cancelled (cancellable, error)) {
    g_clear_object (&d.info);
    g_clear_error (&d.error);
    return NULL;
  }
  if (d.info == NULL) {
    g_clear_error (&d.error);
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "GStreamer could not start reading %s", uri);
    return NULL;
  }
  *out_reason = d.error;
  return d.info;
}

static char *
missing_plugins (GstDiscovererInfo *info)
{
  const char **details = gst_discoverer_info_get_missing_elements_installer_details (info);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; details != NULL && details[i] != NULL; i++) {
    g_auto(GStrv) parts = g_strsplit (details[i], "|", 5);

    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "",
                            g_strv_length (parts) >= 4 ? parts[3] : details[i]);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The discoverer's verdict on @info as a GError; TRUE when it is OK. */
static gboolean
check_result (GstDiscovererInfo *info, const GError *reason, guint64 timeout_s, GError **error)
{
  g_autofree char *missing = NULL;

  switch (gst_discoverer_info_get_result (info)) {
  case GST_DISCOVERER_OK:
    return TRUE;
  case GST_DISCOVERER_MISSING_PLUGINS:
    missing = missing_plugins (info);
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "GStreamer has no plugin for %s", missing[0] != '\0' ? missing : "this input");
    return FALSE;
  case GST_DISCOVERER_TIMEOUT:
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "GStreamer could not read the file within %" G_GUINT64_FORMAT " s (corrupt?)",
                 timeout_s);
    return FALSE;
  default:
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "corrupt or unreadable: %s",
                 reason != NULL ? reason->message : "GStreamer could not read it");
    return FALSE;
  }
}

static const char *
container_name (GstDiscovererInfo *info)
{
  g_autoptr(GstDiscovererStreamInfo) top = gst_discoverer_info_get_stream_info (info);
  g_autoptr(GstCaps) caps = top != NULL ? gst_discoverer_stream_info_get_caps (top) : NULL;
  const GstStructure *s;
  const char *variant;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return "unknown";
  s = gst_caps_get_structure (caps, 0);
  variant = gst_structure_get_string (s, "variant");
  if (gst_structure_has_name (s, "video/quicktime"))
    return g_strcmp0 (variant, "iso") == 0 ? "mp4" : "mov";
  if (gst_structure_has_name (s, "video/x-matroska"))
    return "matroska";
  if (gst_structure_has_name (s, "video/webm") || gst_structure_has_name (s, "audio/webm"))
    return "webm";
  if (gst_structure_has_name (s, "video/mpegts"))
    return "mpegts";
  if (gst_structure_has_name (s, "video/mpeg") && gst_structure_has_field (s, "systemstream"))
    return "mpegps";
  return gst_structure_get_name (s);
}

static void
fill_from_tags (VpkTrackInfo *track, GstDiscovererStreamInfo *stream)
{
  const GstTagList *tags = gst_discoverer_stream_info_get_tags (stream);
  g_autofree char *code = NULL;
  guint rate = 0;

  if (tags != NULL && gst_tag_list_get_string (tags, GST_TAG_LANGUAGE_CODE, &code)) {
    const char *iso = gst_tag_get_language_code_iso_639_2T (code);

    track->language = g_strdup (iso != NULL ? iso : code);
  } else {
    track->language = g_strdup ("und");
  }
  if (track->bitrate == 0 && tags != NULL &&
      (gst_tag_list_get_uint (tags, GST_TAG_BITRATE, &rate) ||
       gst_tag_list_get_uint (tags, GST_TAG_NOMINAL_BITRATE, &rate)))
    track->bitrate = rate;
}

static void
fill_video (VpkTrackInfo *track, GstDiscovererVideoInfo *video, gboolean matroska)
{
  track->width = gst_discoverer_video_info_get_width (video);
  track->height = gst_discoverer_video_info_get_height (video);
  track->fps_num = gst_discoverer_video_info_get_framerate_num (video);
  track->fps_den = gst_discoverer_video_info_get_framerate_denom (video);
  if (track->fps_num == 0)
    track->fps_den = 0;
  track->bitrate = gst_discoverer_video_info_get_bitrate (video);
  /* Matroska counts in milliseconds, MPEG systems in 90 kHz. */
  track->timescale = matroska ? 1000 : 90000;
}

static void
fill_audio (VpkTrackInfo *track, GstDiscovererAudioInfo *audio)
{
  track->sample_rate = gst_discoverer_audio_info_get_sample_rate (audio);
  track->channels = gst_discoverer_audio_info_get_channels (audio);
  track->bitrate = gst_discoverer_audio_info_get_bitrate (audio);
  track->timescale = track->sample_rate;
}

static VpkTrackInfo *
make_track (GstDiscovererStreamInfo *stream, guint32 id, gint64 duration_us, gboolean matroska)
{
  g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (stream);
  VpkTrackInfo *track = vpk_track_info_new ();

  track->id = id;
  track->kind = vpk_gst_caps_kind (caps);
  track->codec = vpk_gst_caps_codec (caps);
  track->codecs = caps != NULL ? gst_codec_utils_caps_get_mime_codec (caps) : NULL;
  track->duration_us = duration_us;
  if (GST_IS_DISCOVERER_VIDEO_INFO (stream))
    fill_video (track, GST_DISCOVERER_VIDEO_INFO (stream), matroska);
  else if (GST_IS_DISCOVERER_AUDIO_INFO (stream))
    fill_audio (track, GST_DISCOVERER_AUDIO_INFO (stream));
  fill_from_tags (track, stream);
  return track;
}

static VpkMediaInfo *
make_media_info (GstDiscovererInfo *info, guint64 size)
{
  const char *container = container_name (info);
  VpkMediaInfo *media = vpk_media_info_new (container);
  GList *streams = gst_discoverer_info_get_stream_list (info);
  guint32 id = 0;

  media->size = size;
  media->duration_us = (gint64) (gst_discoverer_info_get_duration (info) / GST_USECOND);
  if (media->duration_us > 0)
    media->bitrate = (guint64) (size * 8.0 * G_USEC_PER_SEC / media->duration_us);
  for (GList *l = streams; l != NULL; l = l->next) {
    if (GST_IS_DISCOVERER_CONTAINER_INFO (l->data))
      continue;
    vpk_media_info_add_track (media, make_track (l->data, ++id, media->duration_us,
                                                 g_strcmp0 (container, "matroska") == 0 ||
                                                 g_strcmp0 (container, "webm") == 0));
    if (media->video_track_id == 0 && GST_IS_DISCOVERER_VIDEO_INFO (l->data))
      media->video_track_id = id;
  }
  gst_discoverer_stream_info_list_free (streams);
  return media;
}

static gboolean
check_codecs (VpkGst *gst, const VpkMediaInfo *media, GError **error)
{
  for (guint i = 0; i < media->tracks->len; i++) {
    const VpkTrackInfo *t = media->tracks->pdata[i];

    if (t->kind == VPK_TRACK_OTHER || g_strcmp0 (gst->transcode, "never") != 0)
      continue;
    if (g_strcmp0 (t->codec, "avc1") == 0 || g_strcmp0 (t->codec, "avc3") == 0 ||
        g_strcmp0 (t->codec, "hvc1") == 0 || g_strcmp0 (t->codec, "hev1") == 0 ||
        g_strcmp0 (t->codec, "mp4a") == 0 || g_strcmp0 (t->codec, "ac-3") == 0)
      continue;
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "%s codec '%s' (track %u) cannot be packaged as it is (%s) and [gst] "
                 "transcode = never", vpk_track_kind_to_string (t->kind), t->codec, t->id,
                 t->kind == VPK_TRACK_VIDEO ? "video must be H.264 or HEVC"
                                            : "audio must be AAC or AC-3");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_media (VpkGst *gst, const char *path, const VpkMediaInfo *media, GError **error)
{
  if (media->video_track_id == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no video track");
    return FALSE;
  }
  if (media->duration_us <= 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "zero duration: GStreamer finds no playable time in the file");
    return FALSE;
  }
  return check_codecs (gst, media, error) &&
         vpk_gst_check_complete (path, media->container, error);
}

gboolean
vpk_gst_ingest (gpointer self, VpkJob *job, GCancellable *cancellable, GError **error)
{
  VpkGst *gst = self;
  const char *path = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  g_autofree char *uri = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) reason = NULL;
  g_autoptr(VpkMediaInfo) media = NULL;
  GStatBuf st;

  if (!vpk_gst_start (error))
    return FALSE;
  if (path == NULL || g_stat (path, &st) != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No source file: %s",
                 path != NULL ? path : "(none set)");
    return FALSE;
  }
  uri = gst_filename_to_uri (path, error);
  if (uri == NULL)
    return FALSE;
  vpk_job_report_progress (job, VPK_STAGE_INGEST, 0.0);
  info = discover (uri, gst->timeout_seconds, &reason, cancellable, error);
  if (info == NULL || !check_result (info, reason, gst->timeout_seconds, error))
    return FALSE;
  media = make_media_info (info, (guint64) st.st_size);
  if (!check_media (gst, path, media, error))
    return FALSE;
  vpk_job_take_media_info (job, g_steal_pointer (&media));
  vpk_job_report_progress (job, VPK_STAGE_INGEST, 1.0);
  return TRUE;
}
