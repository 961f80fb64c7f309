/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-track.h"

#include <string.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-codecs.h"

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

static gboolean
set_invalid (GError **error, guint32 track_id, const char *what)
{
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "track %u: %s", track_id, what);
  return FALSE;
}

void
vpk_mp4_track_free (VpkMp4Track *track)
{
  if (track == NULL)
    return;
  g_clear_pointer (&track->sample_entry, vpk_mp4_box_free);
  g_clear_pointer (&track->samples, g_array_unref);
  g_free (track);
}

static gboolean
read_tkhd (VpkMp4Track *t, const VpkMp4Box *trak, GError **error)
{
  VpkMp4Box *tkhd = vpk_mp4_box_get_child (trak, FOURCC ("tkhd"));
  VpkMp4Reader r;
  guint8 version;
  guint32 flags;

  if (tkhd == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "trak at offset %" G_GUINT64_FORMAT " has no tkhd", trak->offset);
    return FALSE;
  }
  vpk_mp4_reader_init (&r, tkhd->data, tkhd->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_skip (&r, version == 1 ? 16 : 8) ||
      !vpk_mp4_reader_get_u32 (&r, &t->track_id)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "tkhd at offset %" G_GUINT64_FORMAT " is truncated", tkhd->offset);
    return FALSE;
  }
  return TRUE;
}

static void
unpack_language (guint16 code, char *out)
{
  /* Packed ISO 639-2/T; values below 0x400 are Macintosh language codes. */
  if (code < 0x400 || code == 0x7fff) {
    strcpy (out, "und");
    return;
  }
  for (int i = 0; i < 3; i++)
    out[i] = (char) (((code >> (10 - 5 * i)) & 0x1f) + 0x60);
  out[3] = '\0';
  if (!g_ascii_isalpha (out[0]) || !g_ascii_isalpha (out[1]) || !g_ascii_isalpha (out[2]))
    strcpy (out, "und");
}

static gboolean
read_mdhd_hdlr (VpkMp4Track *t, const VpkMp4Box *trak, GError **error)
{
  VpkMp4Box *mdhd = vpk_mp4_box_find (trak, "mdia/mdhd");
  VpkMp4Box *hdlr = vpk_mp4_box_find (trak, "mdia/hdlr");
  VpkMp4Reader r;
  guint8 version;
  guint32 flags;
  guint16 lang;

  if (mdhd == NULL || hdlr == NULL)
    return set_invalid (error, t->track_id, "no mdia/mdhd or mdia/hdlr box");
  vpk_mp4_reader_init (&r, mdhd->data, mdhd->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_skip (&r, version == 1 ? 16 : 8) ||
      !vpk_mp4_reader_get_u32 (&r, &t->timescale) ||
      !vpk_mp4_reader_get_uv (&r, version, &t->media_duration) ||
      !vpk_mp4_reader_get_u16 (&r, &lang))
    return set_invalid (error, t->track_id, "mdhd is truncated");
  if (t->timescale == 0)
    return set_invalid (error, t->track_id, "mdhd timescale is 0");
  if (version == 0 && t->media_duration == G_MAXUINT32)
    t->media_duration = 0;
  unpack_language (lang, t->language);
  vpk_mp4_reader_init (&r, hdlr->data, hdlr->size);
  if (!vpk_mp4_reader_skip (&r, 8) || !vpk_mp4_reader_get_u32 (&r, &t->handler))
    return set_invalid (error, t->track_id, "hdlr is truncated");
  return TRUE;
}

static void
read_visual_entry (VpkMp4Track *t, const VpkMp4Box *entry)
{
  t->width = (entry->data[24] << 8) | entry->data[25];
  t->height = (entry->data[26] << 8) | entry->data[27];
}

static void
read_audio_entry (VpkMp4Track *t, const VpkMp4Box *entry)
{
  const guint8 *d = entry->data;
  guint version = (d[8] << 8) | d[9];

  if (version == 2) {
    guint64 bits = 0;
    double rate;

    for (int i = 0; i < 8; i++)
      bits = (bits << 8) | d[32 + i];
    memcpy (&rate, &bits, sizeof rate);
    t->sample_rate = rate > 0 && rate < 1e7 ? (guint32) rate : 0;
    t->channels = ((guint32) d[40] << 24) | (d[41] << 16) | (d[42] << 8) | d[43];
  } else {
    t->channels = (d[16] << 8) | d[17];
    t->sample_rate = (d[24] << 8) | d[25];  /* the integer part of 16.16 */
  }
}

static void
refine_audio_from_config (VpkMp4Track *t)
{
  VpkMp4Box *config = vpk_mp4_track_get_config (t);
  VpkMp4AacConfig aac;
  guint channels;

  if (config == NULL)
    return;
  if (config->type == FOURCC ("esds") && vpk_mp4_aac_config_parse (config, &aac)) {
    if (aac.channels > 0)
      t->channels = aac.channels;
    if (aac.sample_rate > 0 && t->sample_rate == 0)
      t->sample_rate = aac.sample_rate;
  } else if ((channels = vpk_mp4_ac3_channels (config)) > 0) {
    t->channels = channels;
  }
}

static void
read_protection (VpkMp4Track *t, const VpkMp4Box *entry)
{
  VpkMp4Box *frma = vpk_mp4_box_find (entry, "sinf/frma");

  t->encrypted = TRUE;
  if (frma != NULL && frma->size >= 4)
    t->codec = ((guint32) frma->data[0] << 24) | (frma->data[1] << 16) |
               (frma->data[2] << 8) | frma->data[3];
}

static gboolean
read_stsd (VpkMp4Track *t, const VpkMp4Box *trak, GError **error)
{
  VpkMp4Box *stsd = vpk_mp4_box_find (trak, "mdia/minf/stbl/stsd");
  VpkMp4Box *entry;

  if (stsd == NULL || stsd->size < 8)
    return set_invalid (error, t->track_id, "no stsd box");
  t->n_entries = ((guint32) stsd->data[4] << 24) | (stsd->data[5] << 16) |
                 (stsd->data[6] << 8) | stsd->data[7];
  if (stsd->children->len == 0)
    return set_invalid (error, t->track_id, "stsd has no sample entry");
  entry = stsd->children->pdata[0];
  t->sample_entry = vpk_mp4_box_copy (entry);
  t->entry_type = t->codec = entry->type;
  if (entry->type == FOURCC ("encv") || entry->type == FOURCC ("enca"))
    read_protection (t, entry);
  if (entry->children != NULL && entry->size == 78)
    read_visual_entry (t, entry);
  else if (entry->children != NULL && entry->size >= 28) {
    read_audio_entry (t, entry);
    refine_audio_from_config (t);
  }
  return TRUE;
}

static gboolean
read_elst (VpkMp4Track *t, const VpkMp4Box *trak, GError **error)
{
  VpkMp4Box *elst = vpk_mp4_box_find (trak, "edts/elst");
  VpkMp4Reader r;
  guint8 version;
  guint32 flags, count;

  if (elst == NULL)
    return TRUE;
  vpk_mp4_reader_init (&r, elst->data, elst->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_get_u32 (&r, &count))
    return set_invalid (error, t->track_id, "elst is truncated");
  for (guint32 i = 0; i < count; i++) {
    guint64 duration, time;

    if (!vpk_mp4_reader_get_uv (&r, version, &duration) ||
        !vpk_mp4_reader_get_uv (&r, version, &time) || !vpk_mp4_reader_skip (&r, 4))
      return set_invalid (error, t->track_id, "elst has more entries than bytes");
    if ((version == 0 && time == G_MAXUINT32) || (version == 1 && time == G_MAXUINT64)) {
      if (i == 0)
        t->edit_empty_duration = duration;
      continue;
    }
    t->edit_media_time = version == 0 ? (gint64) (gint32) time : (gint64) time;
    t->edit_duration = duration;
    break;  /* later edits (rare) are ignored */
  }
  return TRUE;
}

VpkMp4Track *
vpk_mp4_track_new (const VpkMp4Box *trak, guint32 movie_timescale, GError **error)
{
  g_autoptr(VpkMp4Track) t = g_new0 (VpkMp4Track, 1);

  t->movie_timescale = movie_timescale;
  if (!read_tkhd (t, trak, error) || !read_mdhd_hdlr (t, trak, error) ||
      !read_stsd (t, trak, error) || !read_elst (t, trak, error))
    return NULL;
  if (t->edit_media_time < 0)
    t->edit_media_time = 0;
  return g_steal_pointer (&t);
}

gboolean
vpk_mp4_track_is_video (const VpkMp4Track *track)
{
  return track->handler == FOURCC ("vide");
}

gboolean
vpk_mp4_track_is_audio (const VpkMp4Track *track)
{
  return track->handler == FOURCC ("soun");
}

VpkMp4Box *
vpk_mp4_track_get_config (const VpkMp4Track *track)
{
  static const char types[][5] = { "avcC", "hvcC", "esds", "dac3", "dec3" };
  VpkMp4Box *entry = track->sample_entry;

  for (guint i = 0; entry != NULL && i < G_N_ELEMENTS (types); i++) {
    VpkMp4Box *box = vpk_mp4_box_get_child (entry, FOURCC (types[i]));

    if (box != NULL)
      return box;
  }
  /* QuickTime puts esds inside a 'wave' box. */
  return entry != NULL ? vpk_mp4_box_find (entry, "wave/esds") : NULL;
}

gboolean
vpk_mp4_track_is_packageable (const VpkMp4Track *track)
{
  guint32 c = track->codec;
  VpkMp4AacConfig aac;
  VpkMp4Box *config;

  if (vpk_mp4_track_is_video (track))
    return c == FOURCC ("avc1") || c == FOURCC ("avc3") || c == FOURCC ("hvc1") ||
           c == FOURCC ("hev1");
  if (!vpk_mp4_track_is_audio (track))
    return FALSE;
  if (c == FOURCC ("ac-3") || c == FOURCC ("ec-3"))
    return TRUE;
  if (c != FOURCC ("mp4a"))
    return FALSE;
  config = vpk_mp4_track_get_config (track);
  return config != NULL && config->type == FOURCC ("esds") &&
         vpk_mp4_aac_config_parse (config, &aac) &&
         (aac.object_type_indication == 0x40 || (aac.object_type_indication >= 0x66 &&
                                                 aac.object_type_indication <= 0x68));
}
