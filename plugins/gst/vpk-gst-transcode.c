/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Encoders for inputs whose codec cannot be packaged: raw video → H.264 with a
 * key frame at every segment boundary, raw audio → AAC-LC. */
#include "vpk-gst.h"

GstElement *
vpk_gst_make_element (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "GStreamer element '%s' is missing (install its GStreamer plugin package)",
                 factory);
  return element;
}

/* Links @names in order into a new bin with ghost pads "sink" and "src". */
static GstElement *
make_chain (const char * const *names, GstElement **out_elements, GError **error)
{
  g_autoptr(GstElement) bin = gst_bin_new (NULL);
  GstElement *prev = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;

  for (guint i = 0; names[i] != NULL; i++) {
    GstElement *e = vpk_gst_make_element (names[i], error);

    if (e == NULL)
      return NULL;
    gst_bin_add (GST_BIN (bin), e);
    if (prev != NULL && !gst_element_link (prev, e)) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot link %s to %s",
                   GST_ELEMENT_NAME (prev), names[i]);
      return NULL;
    }
    if (i == 0)
      sink = gst_element_get_static_pad (e, "sink");
    out_elements[i] = prev = e;
  }
  src = gst_element_get_static_pad (prev, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sink));
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));
  return g_steal_pointer (&bin);
}

static guint
key_interval (const GstCaps *caps, guint segment_ms)
{
  gint num = 0, den = 0;
  const GstStructure *s = gst_caps_get_structure (caps, 0);

  if (!gst_structure_get_fraction (s, "framerate", &num, &den) || num <= 0 || den <= 0) {
    num = 25;  /* variable or unknown rate: key frames are then frame-counted at 25/s */
    den = 1;
  }
  return MAX (1, (guint) ((guint64) segment_ms * num / ((guint64) den * 1000)));
}

GstElement *
vpk_gst_make_video_encoder (VpkGst *gst, const GstCaps *caps, guint segment_ms, GError **error)
{
  static const char * const names[] = { "queue", "videoconvert", "x264enc", "h264parse", NULL };
  GstElement *e[G_N_ELEMENTS (names)] = { NULL };
  GstElement *bin = make_chain (names, e, error);
  guint keyint = key_interval (caps, segment_ms);
  g_autofree char *options = NULL;

  if (bin == NULL)
    return NULL;
  /* A fixed GOP: IDR every segment, no scene-cut key frames moving the boundaries. */
  options = g_strdup_printf ("keyint=%u:min-keyint=%u:scenecut=0:open-gop=0", keyint, keyint);
  g_object_set (e[2], "bitrate", (guint) gst->video_bitrate_kbps, "key-int-max", keyint,
                "option-string", options, NULL);
  gst_util_set_object_arg (G_OBJECT (e[2]), "speed-preset", "veryfast");
  return bin;
}

GstElement *
vpk_gst_make_audio_encoder (VpkGst *gst, GError **error)
{
  static const char * const names[] = { "queue", "audioconvert", "audioresample", "avenc_aac",
                                        "aacparse", NULL };
  GstElement *e[G_N_ELEMENTS (names)] = { NULL };
  GstElement *bin = make_chain (names, e, error);

  if (bin == NULL)
    return NULL;
  g_object_set (e[3], "bitrate", (gint) (gst->audio_bitrate_kbps * 1000), NULL);
  return bin;
}
