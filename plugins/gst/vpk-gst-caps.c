/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What GStreamer caps mean for packaging: kind, codec name, as-is or transcode. */
#include "vpk-gst.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char     *media_type;
  const char     *field;       /* optional: a string or int field to match */
  const char     *value;
  const char     *codec;
  VpkGstHandling  handling;
} CodecEntry;

/* First match wins. E-AC-3 is transcoded to AAC: mp4mux 1.22 cannot take it (its
 * audio_%u sink caps are MPEG-1 layer 1-3, AAC, AC-3, ALAC and Opus; no
 * audio/x-eac3, see `gst-inspect-1.0 mp4mux`), so it cannot reach the progressive
 * MP4 the core fragmenter reads, although that fragmenter handles ec-3. */
static const CodecEntry codecs[] = {
  { "video/x-h264", "stream-format", "avc3", "avc3", VPK_GST_AS_IS },
  { "video/x-h264", NULL, NULL, "avc1", VPK_GST_AS_IS },
  { "video/x-h265", "stream-format", "hev1", "hev1", VPK_GST_AS_IS },
  { "video/x-h265", NULL, NULL, "hvc1", VPK_GST_AS_IS },
  { "video/mpeg", "mpegversion", "1", "mp1v", VPK_GST_TRANSCODE },
  { "video/mpeg", "mpegversion", "2", "mp2v", VPK_GST_TRANSCODE },
  { "video/mpeg", "mpegversion", "4", "mp4v", VPK_GST_TRANSCODE },
  { "video/x-vp8", NULL, NULL, "vp08", VPK_GST_TRANSCODE },
  { "video/x-vp9", NULL, NULL, "vp09", VPK_GST_TRANSCODE },
  { "video/x-av1", NULL, NULL, "av01", VPK_GST_TRANSCODE },
  { "audio/mpeg", "mpegversion", "1", "mp3", VPK_GST_TRANSCODE },
  { "audio/mpeg", NULL, NULL, "mp4a", VPK_GST_AS_IS },
  { "audio/x-ac3", NULL, NULL, "ac-3", VPK_GST_AS_IS },
  { "audio/x-eac3", NULL, NULL, "ec-3", VPK_GST_TRANSCODE },
  { "audio/x-vorbis", NULL, NULL, "vorbis", VPK_GST_TRANSCODE },
  { "audio/x-opus", NULL, NULL, "opus", VPK_GST_TRANSCODE },
  { "audio/x-flac", NULL, NULL, "flac", VPK_GST_TRANSCODE },
};

static gboolean
field_matches (const GstStructure *s, const char *field, const char *value)
{
  const char *text;
  gint number;

  if (field == NULL)
    return TRUE;
  text = gst_structure_get_string (s, field);
  if (text != NULL)
    return strcmp (text, value) == 0;
  return gst_structure_get_int (s, field, &number) && number == atoi (value);
}

static const CodecEntry *
lookup (const GstCaps *caps)
{
  const GstStructure *s;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return NULL;
  s = gst_caps_get_structure (caps, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (gst_structure_has_name (s, codecs[i].media_type) &&
        field_matches (s, codecs[i].field, codecs[i].value))
      return &codecs[i];
  return NULL;
}

VpkTrackKind
vpk_gst_caps_kind (const GstCaps *caps)
{
  const char *name;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return VPK_TRACK_OTHER;
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_prefix (name, "video/") || g_str_has_prefix (name, "image/"))
    return VPK_TRACK_VIDEO;
  if (g_str_has_prefix (name, "audio/"))
    return VPK_TRACK_AUDIO;
  return VPK_TRACK_OTHER;
}

char *
vpk_gst_caps_codec (const GstCaps *caps)
{
  const CodecEntry *entry = lookup (caps);

  if (entry != NULL)
    return g_strdup (entry->codec);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return g_strdup ("unknown");
  return g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0)));
}

VpkGstHandling
vpk_gst_caps_handling (const GstCaps *caps)
{
  const CodecEntry *entry = lookup (caps);
  VpkTrackKind kind = vpk_gst_caps_kind (caps);

  if (entry != NULL)
    return entry->handling;
  /* Anything else decodebin can decode is audio or video to transcode. */
  return kind == VPK_TRACK_OTHER ? VPK_GST_IGNORED : VPK_GST_TRANSCODE;
}

GstCaps *
vpk_gst_caps_wanted (void)
{
  return gst_caps_from_string ("video/x-h264; video/x-h265; audio/mpeg, mpegversion=(int){2,4}; "
                               "audio/x-ac3; video/x-raw; audio/x-raw");
}
