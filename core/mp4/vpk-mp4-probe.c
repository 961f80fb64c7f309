/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-probe.h"

#include <vpack/vpk-error.h>

#include "vpk-mp4-codecs.h"
#include "vpk-mp4-movie.h"

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

/* @ticks / @timescale seconds in microseconds, saturated instead of overflowing. */
static gint64
ticks_to_us (guint64 ticks, guint32 timescale)
{
  double us = timescale > 0 ? (double) ticks * G_USEC_PER_SEC / timescale : 0;

  return us < (double) G_MAXINT64 / 2 ? (gint64) us : G_MAXINT64 / 2;
}

/* @bytes over @ticks / @timescale seconds, in bits per second, saturated. */
static guint64
bits_per_second (guint64 bytes, guint64 ticks, guint32 timescale)
{
  double bps = ticks > 0 ? bytes * 8.0 * timescale / ticks : 0;

  return bps < (double) G_MAXINT64 ? (guint64) bps : (guint64) G_MAXINT64;
}

static guint64
gcd64 (guint64 a, guint64 b)
{
  while (b != 0) {
    guint64 t = a % b;

    a = b;
    b = t;
  }
  return a;
}

/* Frame rate from sample durations: exact when they are all equal, else the average. */
static void
compute_fps (const VpkMp4Track *t, VpkTrackInfo *info)
{
  guint64 num, den, g;

  if (t->common_duration > 0) {
    num = t->timescale;
    den = t->common_duration;
  } else if (t->total_duration > 0) {
    num = t->n_samples * t->timescale;
    den = t->total_duration;
  } else {
    return;
  }
  g = gcd64 (num, den);
  num /= g;
  den /= g;
  while (num > G_MAXUINT32 || den > G_MAXUINT32) {
    num = (num + 1) / 2;
    den = (den + 1) / 2;
  }
  info->fps_num = (guint32) num;
  info->fps_den = (guint32) MAX (den, 1);
}

static VpkTrackInfo *
make_track_info (const VpkMp4Track *t)
{
  VpkTrackInfo *info = vpk_track_info_new ();
  char name[5];

  info->id = t->track_id;
  info->kind = vpk_mp4_track_is_video (t) ? VPK_TRACK_VIDEO :
               vpk_mp4_track_is_audio (t) ? VPK_TRACK_AUDIO : VPK_TRACK_OTHER;
  info->codec = g_strdup (vpk_mp4_fourcc_to_string (t->codec, name));
  info->codecs = vpk_mp4_codecs_string (t->codec, t->sample_entry);
  info->timescale = t->timescale;
  info->duration_us = ticks_to_us (t->total_duration, t->timescale);
  info->n_samples = t->n_samples;
  info->bitrate = bits_per_second (t->total_size, t->total_duration, t->timescale);
  if (info->kind == VPK_TRACK_VIDEO) {
    info->width = t->width;
    info->height = t->height;
    compute_fps (t, info);
  } else if (info->kind == VPK_TRACK_AUDIO) {
    info->sample_rate = t->sample_rate;
    info->channels = t->channels;
  }
  info->language = g_strdup (t->language);
  info->encrypted = t->encrypted;
  return info;
}

static gboolean
check_tracks (VpkMp4Movie *m, gint *out_video, GError **error)
{
  char name[5];

  *out_video = -1;
  for (guint i = 0; i < m->tracks->len; i++) {
    VpkMp4Track *t = m->tracks->pdata[i];

    if (t->encrypted) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "already encrypted: track %u has a protected '%s' sample entry",
                   t->track_id, vpk_mp4_fourcc_to_string (t->entry_type, name));
      return FALSE;
    }
    if (vpk_mp4_track_is_video (t) && *out_video < 0)
      *out_video = (gint) i;
  }
  if (*out_video < 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no video track");
    return FALSE;
  }
  if (!vpk_mp4_track_is_packageable (m->tracks->pdata[*out_video])) {
    VpkMp4Track *t = m->tracks->pdata[*out_video];

    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "video codec '%s' (track %u) cannot be packaged: only H.264 (avc1, avc3) "
                 "and HEVC (hvc1, hev1) can", vpk_mp4_fourcc_to_string (t->codec, name),
                 t->track_id);
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_samples (VpkMp4Movie *m, gint video, GError **error)
{
  for (guint i = 0; i < m->tracks->len; i++) {
    VpkMp4Track *t = m->tracks->pdata[i];

    /* Packaged tracks are fully checked now, so that fragment cannot fail later. */
    if (vpk_mp4_track_is_packageable (t)) {
      if (!vpk_mp4_movie_check_samples (m, i, error))
        return FALSE;
    } else if (!vpk_mp4_movie_count_samples (m, i, error)) {
      return FALSE;
    }
    if ((gint) i == video && t->n_samples == 0) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "the video track (%u) has no samples", t->track_id);
      return FALSE;
    }
  }
  return TRUE;
}

static VpkMediaInfo *
make_media_info (VpkMp4Movie *m, gint video)
{
  VpkMediaInfo *info = vpk_media_info_new (m->major_brand == FOURCC ("qt  ") ||
                                           m->major_brand == 0 ? "mov" : "mp4");

  info->size = m->file_size;
  info->duration_us = ticks_to_us (m->duration, m->timescale);
  for (guint i = 0; i < m->tracks->len; i++) {
    VpkTrackInfo *track = make_track_info (m->tracks->pdata[i]);

    if (info->duration_us == 0 || (m->fragments != NULL && track->duration_us > info->duration_us))
      info->duration_us = MAX (info->duration_us, track->duration_us);
    vpk_media_info_add_track (info, track);
  }
  info->video_track_id = ((VpkMp4Track *) m->tracks->pdata[video])->track_id;
  info->bitrate = bits_per_second (info->size, (guint64) info->duration_us, G_USEC_PER_SEC);
  return info;
}

VpkMediaInfo *
vpk_mp4_probe (const char *path, GError **error)
{
  g_autoptr(VpkMp4Movie) m = vpk_mp4_movie_open (path, error);
  gint video;

  if (m == NULL || !check_tracks (m, &video, error) || !read_samples (m, video, error))
    return NULL;
  return make_media_info (m, video);
}
