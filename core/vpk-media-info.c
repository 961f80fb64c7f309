/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <json-glib/json-glib.h>

VpkTrackInfo *
vpk_track_info_new (void)
{
  VpkTrackInfo *track = g_new0 (VpkTrackInfo, 1);

  track->kind = VPK_TRACK_OTHER;
  return track;
}

void
vpk_track_info_free (VpkTrackInfo *track)
{
  if (track == NULL)
    return;
  g_free (track->codec);
  g_free (track->codecs);
  g_free (track->language);
  g_free (track);
}

VpkTrackInfo *
vpk_track_info_copy (const VpkTrackInfo *track)
{
  VpkTrackInfo *copy = g_memdup2 (track, sizeof *track);

  copy->codec = g_strdup (track->codec);
  copy->codecs = g_strdup (track->codecs);
  copy->language = g_strdup (track->language);
  return copy;
}

const char *
vpk_track_kind_to_string (VpkTrackKind kind)
{
  switch (kind) {
  case VPK_TRACK_VIDEO:
    return "video";
  case VPK_TRACK_AUDIO:
    return "audio";
  case VPK_TRACK_OTHER:
  default:
    return "other";
  }
}

static VpkTrackKind
track_kind_from_string (const char *text)
{
  if (g_strcmp0 (text, "video") == 0)
    return VPK_TRACK_VIDEO;
  if (g_strcmp0 (text, "audio") == 0)
    return VPK_TRACK_AUDIO;
  return VPK_TRACK_OTHER;
}

VpkMediaInfo *
vpk_media_info_new (const char *container)
{
  VpkMediaInfo *info = g_new0 (VpkMediaInfo, 1);

  info->container = g_strdup (container);
  info->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_track_info_free);
  return info;
}

void
vpk_media_info_free (VpkMediaInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->container);
  g_clear_pointer (&info->tracks, g_ptr_array_unref);
  g_free (info);
}

VpkMediaInfo *
vpk_media_info_copy (const VpkMediaInfo *info)
{
  VpkMediaInfo *copy = vpk_media_info_new (info->container);

  copy->duration_us = info->duration_us;
  copy->size = info->size;
  copy->bitrate = info->bitrate;
  copy->video_track_id = info->video_track_id;
  for (guint i = 0; i < info->tracks->len; i++)
    g_ptr_array_add (copy->tracks, vpk_track_info_copy (info->tracks->pdata[i]));
  return copy;
}

void
vpk_media_info_add_track (VpkMediaInfo *info,
                          VpkTrackInfo *track)
{
  g_ptr_array_add (info->tracks, track);
}

/**
 * vpk_media_info_get_video_track:
 *
 * Returns: (transfer none) (nullable): the track @info->video_track_id names,
 *   else the first video track.
 */
const VpkTrackInfo *
vpk_media_info_get_video_track (const VpkMediaInfo *info)
{
  const VpkTrackInfo *first = NULL;

  for (guint i = 0; i < info->tracks->len; i++) {
    const VpkTrackInfo *t = info->tracks->pdata[i];

    if (t->kind != VPK_TRACK_VIDEO)
      continue;
    if (t->id == info->video_track_id)
      return t;
    if (first == NULL)
      first = t;
  }
  return first;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
track_to_json (JsonBuilder        *b,
               const VpkTrackInfo *t)
{
  json_builder_begin_object (b);
  add_int (b, "id", t->id);
  add_string (b, "kind", vpk_track_kind_to_string (t->kind));
  add_string (b, "codec", t->codec);
  add_string (b, "codecs", t->codecs);
  add_int (b, "timescale", t->timescale);
  add_int (b, "duration_us", t->duration_us);
  add_int (b, "n_samples", (gint64) t->n_samples);
  add_int (b, "bitrate", (gint64) t->bitrate);
  if (t->kind == VPK_TRACK_VIDEO) {
    add_int (b, "width", t->width);
    add_int (b, "height", t->height);
    add_int (b, "fps_num", t->fps_num);
    add_int (b, "fps_den", t->fps_den);
  } else if (t->kind == VPK_TRACK_AUDIO) {
    add_int (b, "sample_rate", t->sample_rate);
    add_int (b, "channels", t->channels);
  }
  add_string (b, "language", t->language);
  json_builder_set_member_name (b, "encrypted");
  json_builder_add_boolean_value (b, t->encrypted);
  json_builder_end_object (b);
}

/**
 * vpk_media_info_to_json:
 *
 * Returns: (transfer full): @info as a JSON object.
 */
char *
vpk_media_info_to_json (const VpkMediaInfo *info,
                        gboolean            pretty)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  add_string (b, "container", info->container);
  add_int (b, "duration_us", info->duration_us);
  add_int (b, "size", (gint64) info->size);
  add_int (b, "bitrate", (gint64) info->bitrate);
  add_int (b, "video_track_id", info->video_track_id);
  json_builder_set_member_name (b, "tracks");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->tracks->len; i++)
    track_to_json (b, info->tracks->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, pretty);
  return json_generator_to_data (gen, NULL);
}

static VpkTrackInfo *
track_from_json (JsonObject *o)
{
  VpkTrackInfo *t = vpk_track_info_new ();

  t->id = (guint32) json_object_get_int_member_with_default (o, "id", 0);
  t->kind = track_kind_from_string (json_object_get_string_member_with_default (o, "kind", NULL));
  t->codec = g_strdup (json_object_get_string_member_with_default (o, "codec", NULL));
  t->codecs = g_strdup (json_object_get_string_member_with_default (o, "codecs", NULL));
  t->timescale = (guint32) json_object_get_int_member_with_default (o, "timescale", 0);
  t->duration_us = json_object_get_int_member_with_default (o, "duration_us", 0);
  t->n_samples = (guint64) json_object_get_int_member_with_default (o, "n_samples", 0);
  t->bitrate = (guint64) json_object_get_int_member_with_default (o, "bitrate", 0);
  t->width = (guint32) json_object_get_int_member_with_default (o, "width", 0);
  t->height = (guint32) json_object_get_int_member_with_default (o, "height", 0);
  t->fps_num = (guint32) json_object_get_int_member_with_default (o, "fps_num", 0);
  t->fps_den = (guint32) json_object_get_int_member_with_default (o, "fps_den", 0);
  t->sample_rate = (guint32) json_object_get_int_member_with_default (o, "sample_rate", 0);
  t->channels = (guint32) json_object_get_int_member_with_default (o, "channels", 0);
  t->language = g_strdup (json_object_get_string_member_with_default (o, "language", NULL));
  t->encrypted = json_object_get_boolean_member_with_default (o, "encrypted", FALSE);
  return t;
}

/**
 * vpk_media_info_from_json:
 *
 * Reads back what vpk_media_info_to_json() wrote (the server stores it).
 */
VpkMediaInfo *
vpk_media_info_from_json (const char  *json,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(VpkMediaInfo) info = NULL;
  JsonObject *root;
  JsonNode *tracks_node;
  JsonArray *tracks = NULL;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "Media info is not a JSON object");
    return NULL;
  }
  root = json_node_get_object (json_parser_get_root (parser));
  info = vpk_media_info_new (json_object_get_string_member_with_default (root, "container", NULL));
  info->duration_us = json_object_get_int_member_with_default (root, "duration_us", 0);
  info->size = (guint64) json_object_get_int_member_with_default (root, "size", 0);
  info->bitrate = (guint64) json_object_get_int_member_with_default (root, "bitrate", 0);
  info->video_track_id = (guint32) json_object_get_int_member_with_default (root, "video_track_id", 0);
  tracks_node = json_object_get_member (root, "tracks");
  if (tracks_node != NULL && JSON_NODE_HOLDS_ARRAY (tracks_node))
    tracks = json_node_get_array (tracks_node);
  for (guint i = 0; tracks != NULL && i < json_array_get_length (tracks); i++) {
    JsonNode *n = json_array_get_element (tracks, i);

    if (JSON_NODE_HOLDS_OBJECT (n))
      vpk_media_info_add_track (info, track_from_json (json_node_get_object (n)));
  }
  return g_steal_pointer (&info);
}
