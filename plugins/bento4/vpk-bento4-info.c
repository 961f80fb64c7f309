/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

/* What `mp4info --format json` says about a file, as a VpkMediaInfo. The JSON
 * comes from a tool reading untrusted media: its size is capped by the tool
 * runner, and every member is read by type, so that a missing or odd member
 * reads as absent (never a critical). */

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static double
get_number (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                            : G_TYPE_INVALID;

  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_BOOLEAN)
    return json_node_get_double (node);
  return 0.0;
}

/* A count, id or size: negative, NaN and huge values read as 0. */
static guint64
get_uint (JsonObject *object,
          const char *name)
{
  double value = get_number (object, name);

  return value >= 1.0 && value < 9.0e15 ? (guint64) value : 0;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

/* mp4info prints the rate as a decimal ("29.970"): snap it to n/1 or to the
 * NTSC n*1000/1001 it stands for. */
static void
set_frame_rate (VpkTrackInfo *track,
                double        rate)
{
  double ntsc = rate * 1.001;

  if (rate <= 0.0 || rate > 1000.0)
    return;
  if (fabs (rate - round (rate)) < 0.005) {
    track->fps_num = (guint32) round (rate);
    track->fps_den = 1;
  } else if (fabs (ntsc - round (ntsc)) < 0.005) {
    track->fps_num = (guint32) round (ntsc) * 1000;
    track->fps_den = 1001;
  } else {
    track->fps_num = (guint32) round (rate * 1000.0);
    track->fps_den = 1000;
  }
}

static void
parse_sample_description (VpkTrackInfo *track,
                          JsonObject   *sd)
{
  JsonObject *audio_config = get_object (sd, "mpeg_4_audio_decoder_config");

  track->encrypted = get_object (sd, "protection") != NULL;
  track->codec = dup_nonempty (get_string (sd, "coding"));
  track->codecs = dup_nonempty (get_string (sd, "codecs_string"));
  if (track->kind == VPK_TRACK_VIDEO) {
    track->width = (guint32) MIN (get_uint (sd, "width"), G_MAXUINT32);
    track->height = (guint32) MIN (get_uint (sd, "height"), G_MAXUINT32);
  } else if (track->kind == VPK_TRACK_AUDIO) {
    track->sample_rate = (guint32) MIN (get_uint (sd, "sample_rate"), G_MAXUINT32);
    /* The AudioSpecificConfig is right where the sample entry often says 2. */
    track->channels = (guint32) MIN (get_uint (audio_config, "channels"), 255);
    if (track->channels == 0)
      track->channels = (guint32) MIN (get_uint (sd, "channels"), 255);
  }
}

static VpkTrackKind
kind_from_string (const char *type)
{
  if (type != NULL && g_ascii_strcasecmp (type, "video") == 0)
    return VPK_TRACK_VIDEO;
  if (type != NULL && g_ascii_strcasecmp (type, "audio") == 0)
    return VPK_TRACK_AUDIO;
  return VPK_TRACK_OTHER;
}

static void
parse_timing (VpkTrackInfo *track,
              JsonObject   *media,
              gboolean      fragmented)
{
  guint64 duration;

  track->timescale = (guint32) MIN (get_uint (media, "timescale"), G_MAXUINT32);
  duration = get_uint (media, fragmented ? "duration_with_fragments" : "duration");
  track->n_samples = get_uint (media, fragmented ? "sample_count_with_fragments" : "sample_count");
  if (track->timescale > 0)
    track->duration_us = (gint64) ((double) duration * G_USEC_PER_SEC / track->timescale);
  /* mp4info gives kbit/s */
  track->bitrate = (guint64) (get_number (media, "bitrate") * 1000.0 + 0.5);
  if (track->kind == VPK_TRACK_VIDEO && duration > 0 && track->timescale > 0)
    set_frame_rate (track, (double) track->n_samples * track->timescale / (double) duration);
}

static VpkTrackInfo *
parse_track (JsonObject *object,
             gboolean    fragmented)
{
  g_autoptr(VpkTrackInfo) track = vpk_track_info_new ();
  JsonArray *descriptions = get_array (object, "sample_descriptions");
  JsonNode *first = descriptions != NULL && json_array_get_length (descriptions) > 0
                      ? json_array_get_element (descriptions, 0) : NULL;
  const char *language = get_string (object, "language");

  track->id = (guint32) MIN (get_uint (object, "id"), G_MAXUINT32);
  track->kind = kind_from_string (get_string (object, "type"));
  parse_timing (track, get_object (object, "media"), fragmented);
  if (track->kind == VPK_TRACK_VIDEO && get_number (object, "frame_rate") > 0.0)
    set_frame_rate (track, get_number (object, "frame_rate"));
  if (first != NULL && JSON_NODE_HOLDS_OBJECT (first))
    parse_sample_description (track, json_node_get_object (first));
  if (track->kind == VPK_TRACK_VIDEO && track->width == 0) {
    track->width = (guint32) MIN (get_uint (object, "display_width"), G_MAXUINT32);
    track->height = (guint32) MIN (get_uint (object, "display_height"), G_MAXUINT32);
  }
  g_free (track->language);
  track->language = g_strdup (language != NULL && *language != '\0' ? language : "und");
  return g_steal_pointer (&track);
}

static void
add_tracks (VpkMediaInfo *info,
            JsonArray    *tracks,
            gboolean      fragmented)
{
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonNode *node = json_array_get_element (tracks, i);
    VpkTrackInfo *track;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    track = parse_track (json_node_get_object (node), fragmented);
    if (track->id == 0) {  /* not a valid track_ID */
      vpk_track_info_free (track);
      continue;
    }
    if (track->kind == VPK_TRACK_VIDEO && info->video_track_id == 0)
      info->video_track_id = track->id;
    info->duration_us = MAX (info->duration_us, track->duration_us);
    vpk_media_info_add_track (info, track);
  }
}

/**
 * vpk_bento4_info_parse:
 * @json: what `mp4info --format json FILE` printed
 *
 * Returns: (transfer full) (nullable): the file's tracks. %VPK_ERROR_NOT_SUPPORTED
 *   when mp4info found no movie (not an MP4/QuickTime file), %VPK_ERROR_INVALID_DATA
 *   when the JSON cannot be read.
 */
VpkMediaInfo *
vpk_bento4_info_parse (const char  *json,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VpkMediaInfo) info = NULL;
  JsonObject *root, *file, *movie;
  JsonArray *tracks;
  const char *brand;

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                        "mp4info printed JSON that cannot be read: %s", local_error->message),
           NULL;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
           ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  file = get_object (root, "file");
  movie = get_object (root, "movie");
  tracks = get_array (root, "tracks");
  if (file == NULL || movie == NULL || tracks == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                        "mp4info finds no movie: not an MP4 or QuickTime file"), NULL;

  brand = get_string (file, "major_brand");
  info = vpk_media_info_new (g_strcmp0 (brand, "qt  ") == 0 ? "mov" : "mp4");
  add_tracks (info, tracks, get_number (movie, "fragments") != 0.0);
  if (get_uint (movie, "duration_ms") > 0)
    info->duration_us = (gint64) get_uint (movie, "duration_ms") * 1000;
  return g_steal_pointer (&info);
}

/**
 * vpk_bento4_probe:
 *
 * Runs `mp4info --format json @path` and parses what it prints; adds the
 * file's size and overall bitrate.
 *
 * Returns: (transfer full) (nullable): the media info
 */
VpkMediaInfo *
vpk_bento4_probe (const VpkBento4  *self,
                  const char       *path,
                  GCancellable     *cancellable,
                  GError          **error)
{
  const char *argv[] = { self->mp4info, "--format", "json", path, NULL };
  g_autofree char *json = NULL;
  VpkMediaInfo *info;
  GStatBuf st;

  if (!vpk_bento4_run_tool (self, argv, &json, cancellable, error))
    return NULL;
  info = vpk_bento4_info_parse (json, error);
  if (info != NULL && g_stat (path, &st) == 0) {
    info->size = (guint64) st.st_size;
    if (info->duration_us > 0)
      info->bitrate = (guint64) ((double) info->size * 8.0 * G_USEC_PER_SEC / info->duration_us);
  }
  return info;
}

/**
 * vpk_bento4_is_foreign:
 *
 * Returns: %TRUE when @path can be read and its first box is not one an MP4 or
 *   QuickTime file starts with (a Matroska or MPEG-TS file, say). A file that
 *   cannot be read is left to mp4info, whose message is the better one.
 */
gboolean
vpk_bento4_is_foreign (const char *path)
{
  static const char *const first_boxes[] = {
    "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "styp", "uuid", NULL
  };
  guint8 head[8];
  FILE *file = fopen (path, "rb");
  size_t n;

  if (file == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head, file);
  fclose (file);
  if (n < sizeof head)
    return FALSE;
  for (guint i = 0; first_boxes[i] != NULL; i++)
    if (memcmp (head + 4, first_boxes[i], 4) == 0)
      return FALSE;
  return TRUE;
}
