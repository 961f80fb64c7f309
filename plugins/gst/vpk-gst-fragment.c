/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fragment (gst): filesrc → decodebin (stopping at packageable caps) → parser
 * → mp4mux (fragmented) → one file per track, video first; codecs that cannot
 * be packaged are decoded and encoded (H.264 / AAC) when [gst] transcode=auto. */
#include "vpk-gst.h"

#include <gst/tag/tag.h>
#include <errno.h>
#include <glib/gstdio.h>

typedef struct {
  char         *path;
  VpkTrackKind  kind;
  guint         order;
} Output;

typedef struct {
  VpkGst     *gst;
  VpkJob     *job;
  gint64      duration;    /* ns, from ingest; 0 when unknown */
  GstElement *pipeline;
  char       *dir;
  guint       segment_ms;
  GMutex      lock;        /* guards the members below (streaming threads) */
  GPtrArray  *outputs;     /* (element-type Output) */
  gboolean    have_video;
  gint64      position;    /* the furthest end of a buffer seen, ns */
} Fragmenter;

static void
output_free (Output *output)
{
  g_free (output->path);
  g_free (output);
}

static void
fragmenter_clear (Fragmenter *f)
{
  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->outputs, g_ptr_array_unref);
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
                             CLAMP ((double) position / f->duration, 0.0, 0.99));
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

static GstElement *
make_muxer (Fragmenter *f, VpkTrackKind kind, const char *path, GstElement **out_sink,
            GError **error)
{
  GstElement *mux = vpk_gst_make_element ("mp4mux", error);
  GstElement *sink = mux != NULL ? vpk_gst_make_element ("filesink", error) : NULL;

  if (sink == NULL) {
    g_clear_object (&mux);
    return NULL;
  }
  /* mp4mux 1.22 closes a video fragment at every key frame and whenever it is
   * longer than fragment-duration: video uses a bound far above any GOP so that
   * every fragment starts with a key frame; audio is cut at the segment duration. */
  g_object_set (mux, "fragment-duration",
                kind == VPK_TRACK_VIDEO ? f->segment_ms * 100 : f->segment_ms, NULL);
  /* No XMP packet in a top-level uuid box: nothing downstream needs it. */
  gst_tag_xmp_writer_remove_all_schemas (GST_TAG_XMP_WRITER (mux));
  /* async=false: one sink per track must not wait for the others to preroll. */
  g_object_set (sink, "location", path, "async", FALSE, NULL);
  *out_sink = sink;
  return mux;
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
link_pad (GstPad *pad, GstElement *first, GError **error)
{
  g_autoptr(GstPad) sink = gst_element_get_static_pad (first, "sink");
  GstPadLinkReturn ret = gst_pad_link (pad, sink);

  if (ret != GST_PAD_LINK_OK) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link %s:%s to %s (%s)",
                 GST_DEBUG_PAD_NAME (pad), GST_ELEMENT_NAME (first),
                 gst_pad_link_get_name (ret));
    return FALSE;
  }
  return TRUE;
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
  Output *output;
  GstElement *mux, *sink = NULL;

  if (list == NULL)
    return FALSE;
  output = g_new0 (Output, 1);
  output->kind = kind;
  g_mutex_lock (&f->lock);
  output->order = f->outputs->len;
  output->path = g_strdup_printf ("%s/stream%u.mp4", f->dir, output->order);
  g_ptr_array_add (f->outputs, output);
  g_mutex_unlock (&f->lock);
  mux = make_muxer (f, kind, output->path, &sink, error);
  if (mux == NULL) {
    g_ptr_array_foreach (list, (GFunc) (void (*) (void)) gst_object_unref, NULL);
    return FALSE;
  }
  g_ptr_array_add (list, mux);
  g_ptr_array_add (list, sink);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, f, NULL);
  return add_chain (f, list, error) && link_pad (pad, list->pdata[0], error);
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

static gint
compare_outputs (gconstpointer a, gconstpointer b)
{
  const Output *x = *(const Output * const *) a;
  const Output *y = *(const Output * const *) b;

  if ((x->kind == VPK_TRACK_VIDEO) != (y->kind == VPK_TRACK_VIDEO))
    return x->kind == VPK_TRACK_VIDEO ? -1 : 1;
  return (gint) x->order - (gint) y->order;
}

/* Renames the outputs to track<N>.mp4 (video first), fixes and checks them. */
static GStrv
finish_outputs (Fragmenter *f, GError **error)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();

  g_ptr_array_sort (f->outputs, compare_outputs);
  if (f->outputs->len == 0 || ((Output *) f->outputs->pdata[0])->kind != VPK_TRACK_VIDEO) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no video track");
    return NULL;
  }
  for (guint i = 0; i < f->outputs->len; i++) {
    Output *output = f->outputs->pdata[i];
    g_autofree char *path = g_strdup_printf ("%s/track%u.mp4", f->dir, i + 1);

    if (g_rename (output->path, path) != 0) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot rename %s to %s: %s",
                   output->path, path, g_strerror (errno));
      return NULL;
    }
    if (!vpk_gst_fixup_fragments (path, output->kind == VPK_TRACK_VIDEO, error)) {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
    g_strv_builder_add (paths, path);
  }
  return g_strv_builder_end (paths);
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
  f.outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);
  f.segment_ms = MAX (vpk_job_get_options (job)->segment_duration_ms, 100);
  f.duration = info != NULL ? info->duration_us * GST_USECOND : 0;
  if (source == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "No source file set for the job");
    return FALSE;
  }
  f.dir = vpk_job_make_stage_dir (job, "fragment", error);
  if (f.dir == NULL || !check_source (job, source, error) ||
      !build_pipeline (&f, source, error))
    return FALSE;
  vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 0.0);
  if (!vpk_gst_run_pipeline (f.pipeline, f.gst->timeout_seconds, poll_position, &f,
                             cancellable, error))
    return FALSE;
  paths = finish_outputs (&f, error);
  if (paths == NULL)
    return FALSE;
  vpk_job_set_artifact (job, VPK_ARTIFACT_FRAGMENTED, (const char * const *) paths);
  vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 1.0);
  return TRUE;
}
