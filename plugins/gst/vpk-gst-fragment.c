/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fragment (gst): GStreamer only demuxes and parses (transcoding what cannot be
 * packaged when [gst] transcode=auto): filesrc → decodebin (stopping at
 * packageable caps) → parser → one progressive mp4mux for all tracks. The core
 * fragmenter then cuts that file into one fragmented MP4 per track, video
 * first, at the segment duration (mp4mux's own fragmented mode cuts video at
 * every key frame and, with AC-3, rewrites its moov over the first fragment). */
#include "vpk-gst.h"

#include "mp4/vpk-mp4-fragmenter.h"

#include <errno.h>
#include <glib/gstdio.h>

/* Shares of the stage's progress: GStreamer, then the fragmenter. */
#define MUX_SHARE 0.8

typedef struct {
  VpkGst     *gst;
  VpkJob     *job;
  gint64      duration;    /* ns, from ingest; 0 when unknown */
  GstElement *pipeline;
  char       *dir;
  char       *muxed;       /* the progressive MP4, removed at the end */
  char       *split_dir;   /* the fragmenter's output, emptied and removed at the end */
  guint       segment_ms;
  GMutex      lock;        /* guards the members below (streaming threads) */
  GstElement *mux;         /* made with the first track */
  guint       n_tracks;
  gboolean    have_video;
  gint64      position;    /* the furthest end of a buffer seen, ns */
} Fragmenter;

/* Removes @dir and the files in it; a missing folder is fine. */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);

    g_unlink (path);
  }
  g_rmdir (dir);
}

static void
fragmenter_clear (Fragmenter *f)
{
  g_clear_object (&f->pipeline);
  if (f->muxed != NULL)
    g_unlink (f->muxed);
  if (f->split_dir != NULL)
    remove_dir (f->split_dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->muxed, g_free);
  g_clear_pointer (&f->split_dir, g_free);
  g_mutex_clear (&f->lock);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fragmenter, fragmenter_clear)

static GstPadProbeReturn
on_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Fragmenter *f = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime ts = GST_BUFFER_PTS_IS_VALID (buffer) ? GST_BUFFER_PTS (buffer)
                                                     : GST_BUFFER_DTS (buffer);

  if (GST_CLOCK_TIME_IS_VALID (ts)) {
    if (GST_BUFFER_DURATION_IS_VALID (buffer))
      ts += GST_BUFFER_DURATION (buffer);
    g_mutex_lock (&f->lock);
    f->position = MAX (f->position, (gint64) ts);
    g_mutex_unlock (&f->lock);
  }
  return GST_PAD_PROBE_OK;
}

static gint64
poll_position (gpointer data)
{
  Fragmenter *f = data;
  gint64 position;

  g_mutex_lock (&f->lock);
  position = f->position;
  g_mutex_unlock (&f->lock);
  if (f->duration > 0)
    vpk_job_report_progress (f->job, VPK_STAGE_FRAGMENT,
                             MUX_SHARE * CLAMP ((double) position / f->duration, 0.0, 0.99));
  return position;
}

/* The parser chain for a stream muxed as it is, ending in the caps mp4mux takes. */
static const char * const *
parser_chain (const GstCaps *caps, const char **out_filter)
{
  static const char * const h264[] = { "h264parse", "h264timestamper", NULL };
  static const char * const h265[] = { "h265parse", "h265timestamper", NULL };
  static const char * const aac[] = { "aacparse", NULL };
  static const char * const ac3[] = { "ac3parse", NULL };
  const GstStructure *s = gst_caps_get_structure (caps, 0);

  /* matroskademux gives no DTS: the timestampers compute them from the SPS. */
  if (gst_structure_has_name (s, "video/x-h264")) {
    *out_filter = "video/x-h264, stream-format=(string)avc, alignment=(string)au";
    return h264;
  }
  if (gst_structure_has_name (s, "video/x-h265")) {
    *out_filter = "video/x-h265, stream-format=(string)hvc1, alignment=(string)au";
    return h265;
  }
  if (gst_structure_has_name (s, "audio/mpeg")) {
    *out_filter = "audio/mpeg, stream-format=(string)raw";
    return aac;
  }
  *out_filter = NULL;
  return ac3;
}

/* The progressive mp4mux → filesink all tracks go to, made and started with the
 * first track: decodebin exposes every pad before any data flows, so each
 * track's request pad exists before mp4mux starts. Called with the lock held. */
static gboolean
ensure_muxer (Fragmenter *f, GError **error)
{
  GstElement *mux, *sink;

  if (f->mux != NULL)
    return TRUE;
  mux = vpk_gst_make_element ("mp4mux", error);
  sink = mux != NULL ? vpk_gst_make_element ("filesink", error) : NULL;
  if (sink == NULL) {
    g_clear_pointer (&mux, gst_object_unref);
    return FALSE;
  }
  /* Not fragmented, moov at the end: mp4mux writes the whole sample table,
   * dac3 included, once it has seen every frame. */
  g_object_set (mux, "fragment-duration", 0, "faststart", FALSE, NULL);
  /* async=false: the sink must not wait to preroll while tracks are still added. */
  g_object_set (sink, "location", f->muxed, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (f->pipeline), mux, sink, NULL);
  if (!gst_element_link (mux, sink)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link mp4mux to filesink");
    return FALSE;
  }
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (mux);
  f->mux = mux;
  return TRUE;
}

/* Elements between decodebin and mp4mux for @caps, in order, floating. */
static GPtrArray *
make_converters (Fragmenter *f, const GstCaps *caps, VpkGstHandling handling, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  const char *filter = NULL;
  GstElement *e;

  if (handling == VPK_GST_TRANSCODE) {
    gboolean video = vpk_gst_caps_kind (caps) == VPK_TRACK_VIDEO;

    e = video ? vpk_gst_make_video_encoder (f->gst, caps, f->segment_ms, error)
              : vpk_gst_make_audio_encoder (f->gst, error);
    filter = video ? "video/x-h264, stream-format=(string)avc, alignment=(string)au"
                   : "audio/mpeg, stream-format=(string)raw";
    if (e == NULL)
      return NULL;
    g_ptr_array_add (list, e);
  } else {
    const char * const *names = parser_chain (caps, &filter);

    for (guint i = 0; names[i] != NULL; i++) {
      e = vpk_gst_make_element (names[i], error);
      if (e == NULL) {
        g_ptr_array_foreach (list, (GFunc) (void (*) (void)) gst_object_unref, NULL);
        return NULL;
      }
      g_ptr_array_add (list, e);
    }
  }
  e = gst_element_factory_make ("capsfilter", NULL);
  if (filter != NULL) {
    g_autoptr(GstCaps) filter_caps = gst_caps_from_string (filter);

    g_object_set (e, "caps", filter_caps, NULL);
  }
  g_ptr_array_add (list, e);
  return g_steal_pointer (&list);
}

/* Adds @list (floating elements) to the pipeline, links them in order, starts them. */
static gboolean
add_chain (Fragmenter *f, GPtrArray *list, GError **error)
{
  for (guint i = 0; i < list->len; i++)
    gst_bin_add (GST_BIN (f->pipeline), list->pdata[i]);
  for (guint i = 0; i + 1 < list->len; i++) {
    if (!gst_element_link (list->pdata[i], list->pdata[i + 1])) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link %s to %s",
                   GST_ELEMENT_NAME (list->pdata[i]), GST_ELEMENT_NAME (list->pdata[i + 1]));
      return FALSE;
    }
  }
  for (guint i = list->len; i > 0; i--)
    gst_element_sync_state_with_parent (list->pdata[i - 1]);
  return TRUE;
}

static gboolean
link_pads (GstPad *src, GstPad *sink, GError **error)
{
  GstPadLinkReturn ret = gst_pad_link (src, sink);

  if (ret != GST_PAD_LINK_OK) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link %s:%s to %s:%s (%s)",
                 GST_DEBUG_PAD_NAME (src), GST_DEBUG_PAD_NAME (sink),
                 gst_pad_link_get_name (ret));
    return FALSE;
  }
  return TRUE;
}

static gboolean
link_pad (GstPad *pad, GstElement *first, GError **error)
{
  g_autoptr(GstPad) sink = gst_element_get_static_pad (first, "sink");

  return link_pads (pad, sink, error);
}

/* Links the end of a track's chain to a new mp4mux request pad. */
static gboolean
link_to_muxer (Fragmenter *f, GstElement *last, VpkTrackKind kind, GError **error)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (last, "src");
  g_autoptr(GstPad) sink = NULL;

  sink = gst_element_request_pad_simple (f->mux, kind == VPK_TRACK_VIDEO ? "video_%u"
                                                                         : "audio_%u");
  if (sink == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "mp4mux gives no %s pad",
                 vpk_track_kind_to_string (kind));
    return FALSE;
  }
  return link_pads (src, sink, error);
}

static gboolean
add_discard (Fragmenter *f, GstPad *pad, GError **error)
{
  GstElement *sink = vpk_gst_make_element ("fakesink", error);

  if (sink == NULL)
    return FALSE;
  g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (f->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  return link_pad (pad, sink, error);
}

static gboolean
add_track (Fragmenter *f, GstPad *pad, const GstCaps *caps, VpkGstHandling handling,
           GError **error)
{
  VpkTrackKind kind = vpk_gst_caps_kind (caps);
  g_autoptr(GPtrArray) list = make_converters (f, caps, handling, error);
  gboolean ok;

  if (list == NULL)
    return FALSE;
  g_mutex_lock (&f->lock);
  ok = ensure_muxer (f, error);
  if (ok)
    f->n_tracks++;
  g_mutex_unlock (&f->lock);
  if (!ok) {
    g_ptr_array_foreach (list, (GFunc) (void (*) (void)) gst_object_unref, NULL);
    return FALSE;
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, f, NULL);
  return add_chain (f, list, error) &&
         link_to_muxer (f, list->pdata[list->len - 1], kind, error) &&
         link_pad (pad, list->pdata[0], error);
}

/* Decides what becomes of one decodebin output; FALSE refuses the input. */
static gboolean
handle_pad (Fragmenter *f, GstPad *pad, const GstCaps *caps, GError **error)
{
  VpkTrackKind kind = vpk_gst_caps_kind (caps);
  VpkGstHandling handling = vpk_gst_caps_handling (caps);
  gboolean extra_video = FALSE;

  g_mutex_lock (&f->lock);
  if (kind == VPK_TRACK_VIDEO) {
    extra_video = f->have_video;
    f->have_video = TRUE;
  }
  g_mutex_unlock (&f->lock);

  /* One video track (the first, as ingest reports it); all audio tracks. */
  if (handling == VPK_GST_IGNORED || extra_video)
    return add_discard (f, pad, error);
  if (handling == VPK_GST_TRANSCODE && g_strcmp0 (f->gst->transcode, "never") == 0) {
    g_autofree char *codec = vpk_gst_caps_codec (caps);

    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "a %s stream needs transcoding (GStreamer gives %s) and [gst] transcode = never",
                 vpk_track_kind_to_string (kind), codec);
    return FALSE;
  }
  return add_track (f, pad, caps, handling, error);
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer data)
{
  Fragmenter *f = data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GError) error = NULL;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (!handle_pad (f, pad, caps, &error))
    vpk_gst_post_refusal (decodebin, error->message);
}

/* decodebin found no decoder for a stream that it cannot pass on as it is. */
static void
on_unknown_type (GstElement *decodebin, GstPad *pad, GstCaps *caps, gpointer data)
{
  g_autofree char *codec = vpk_gst_caps_codec (caps);
  g_autofree char *message = NULL;

  if (vpk_gst_caps_kind (caps) == VPK_TRACK_OTHER)
    return;  /* subtitles, data: not packaged */
  message = g_strdup_printf ("%s codec '%s' cannot be packaged and GStreamer has no decoder "
                             "for it", vpk_track_kind_to_string (vpk_gst_caps_kind (caps)),
                             codec);
  vpk_gst_post_refusal (decodebin, message);
}

static gboolean
build_pipeline (Fragmenter *f, const char *path, GError **error)
{
  GstElement *src = vpk_gst_make_element ("filesrc", error);
  GstElement *decodebin = src != NULL ? vpk_gst_make_element ("decodebin", error) : NULL;
  g_autoptr(GstCaps) wanted = vpk_gst_caps_wanted ();

  if (decodebin == NULL) {
    g_clear_object (&src);
    return FALSE;
  }
  f->pipeline = gst_object_ref_sink (gst_pipeline_new ("vpk-gst-fragment"));
  g_object_set (src, "location", path, NULL);
  g_object_set (decodebin, "caps", wanted, NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), f);
  g_signal_connect (decodebin, "unknown-type", G_CALLBACK (on_unknown_type), f);
  gst_bin_add_many (GST_BIN (f->pipeline), src, decodebin, NULL);
  if (!gst_element_link (src, decodebin)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link filesrc to decodebin");
    return FALSE;
  }
  return TRUE;
}

static void
on_split_progress (double fraction, gpointer user_data)
{
  vpk_job_report_progress (user_data, VPK_STAGE_FRAGMENT,
                           MUX_SHARE + (1.0 - MUX_SHARE) * fraction);
}

/* Moves the fragmenter's track<ID>.mp4 files (video first) to track1.mp4,
 * track2.mp4, ... in the stage folder: mp4mux numbers its tracks in the order
 * decodebin exposed them, which need not be video first. */
static GStrv
move_outputs (Fragmenter *f, char **split, GError **error)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();

  for (guint i = 0; split[i] != NULL; i++) {
    g_autofree char *path = g_strdup_printf ("%s/track%u.mp4", f->dir, i + 1);

    if (g_rename (split[i], path) != 0) {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot rename %s to %s: %s", split[i], path, g_strerror (saved));
      return NULL;
    }
    g_strv_builder_add (paths, path);
  }
  return g_strv_builder_end (paths);
}

/* Cuts the progressive file into fragmented per-track files. */
static GStrv
split_muxed (Fragmenter *f, GCancellable *cancellable, GError **error)
{
  g_auto(GStrv) split = NULL;

  if (!f->have_video || f->n_tracks == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no video track");
    return NULL;
  }
  if (g_mkdir (f->split_dir, 0700) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                 f->split_dir, g_strerror (saved));
    return NULL;
  }
  if (!vpk_mp4_fragment_file (f->muxed, f->split_dir, f->segment_ms, cancellable,
                              on_split_progress, f->job, &split, error)) {
    g_prefix_error (error, "fragmenting mp4mux's output: ");
    return NULL;
  }
  /* The fragmenter keeps every track mp4mux was given; it must not drop one. */
  if (g_strv_length (split) != f->n_tracks) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "mp4mux was given %u tracks but %u "
                 "could be fragmented", f->n_tracks, g_strv_length (split));
    return NULL;
  }
  return move_outputs (f, split, error);
}

/* Demuxers read a cut Matroska or TS file to a clean EOS: check the container. */
static gboolean
check_source (VpkJob *job, const char *path, GError **error)
{
  const VpkMediaInfo *info = vpk_job_get_media_info (job);

  if (info == NULL)
    return TRUE;
  return vpk_gst_check_complete (path, info->container, error);
}

gboolean
vpk_gst_fragment (gpointer self, VpkJob *job, GCancellable *cancellable, GError **error)
{
  g_auto(Fragmenter) f = { .gst = self, .job = job };
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  const VpkMediaInfo *info = vpk_job_get_media_info (job);
  g_auto(GStrv) paths = NULL;

  g_mutex_init (&f.lock);
  if (!vpk_gst_start (error))
    return FALSE;
  f.segment_ms = MAX (vpk_job_get_options (job)->segment_duration_ms, 100);
  f.duration = info != NULL ? info->duration_us * GST_USECOND : 0;
  if (source == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No source file set for the job");
    return FALSE;
  }
  f.dir = vpk_job_make_stage_dir (job, "fragment", error);
  if (f.dir == NULL || !check_source (job, source, error))
    return FALSE;
  f.muxed = g_build_filename (f.dir, "muxed.mp4", NULL);
  f.split_dir = g_build_filename (f.dir, "split", NULL);
  if (!build_pipeline (&f, source, error))
    return FALSE;
  vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 0.0);
  if (!vpk_gst_run_pipeline (f.pipeline, f.gst->timeout_seconds, poll_position, &f,
                             cancellable, error))
    return FALSE;
  g_clear_object (&f.pipeline);  /* mp4mux has closed the file */
  paths = split_muxed (&f, cancellable, error);
  if (paths == NULL)
    return FALSE;
  vpk_job_set_artifact (job, VPK_ARTIFACT_FRAGMENTED, (const char * const *) paths);
  vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 1.0);
  return TRUE;
}
