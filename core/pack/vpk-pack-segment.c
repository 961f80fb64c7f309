/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-segment.h"
#include "pack/vpk-pack-io.h"
#include "cenc/vpk-cenc-boxes.h"
#include "dash/vpk-dash-manifest.h"
#include "dash/vpk-dash-sidx.h"
#include "mp4/vpk-mp4-codecs.h"
#include "mp4/vpk-mp4-file.h"
#include "mp4/vpk-mp4-fragments.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define FOURCC VPK_MP4_FOURCC

/* One Representation being written: one track of one input file. */
typedef struct {
  guint32                track_id;
  VpkMp4Track           *track;
  VpkDashRepresentation *rep;       /* (transfer none): owned by the manifest */
  char                  *dir;       /* live: the Representation's folder */
  guint64                number;    /* segments written */
  guint64                max_bits_per_second;
  guint64                total_ticks;
  guint32                sample_duration;  /* the duration every sample has so far, 0 if mixed */
  gboolean               durations_seen;
  GArray                *trex;
  /* on-demand */
  char                  *path;
  GBytes                *init;
  VpkPackOutput         *media;     /* fragments, before the sidx is known */
  char                  *media_path;
  GArray                *refs;      /* (element-type VpkDashSidxReference) */
  gint64                 earliest;  /* -1 until the first fragment */
} Rep;

static void
rep_free (Rep *r)
{
  vpk_mp4_track_free (r->track);
  g_free (r->dir);
  g_free (r->path);
  g_clear_pointer (&r->init, g_bytes_unref);
  g_clear_pointer (&r->media, vpk_pack_output_free);
  g_free (r->media_path);
  g_clear_pointer (&r->refs, g_array_unref);
  g_clear_pointer (&r->trex, g_array_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rep, rep_free)

static gboolean
write_file (const char  *path,
            const void  *data,
            gsize        size,
            GError     **error)
{
  if (!g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error)) {
    g_prefix_error (error, "Cannot write '%s': ", path);
    return FALSE;
  }
  return TRUE;
}

static VpkMp4Box *
make_ftyp (void)
{
  static const guint8 payload[] = {
    'i', 's', 'o', '6', 0, 0, 0, 0,
    'i', 's', 'o', '6', 'd', 'a', 's', 'h', 'c', 'm', 'f', 'c', 'm', 'p', '4', '1',
  };

  return vpk_mp4_box_new_leaf (FOURCC ('f', 't', 'y', 'p'), payload, sizeof payload);
}

/* ftyp + a moov holding only @track_id's trak and trex (and every pssh). */
static GBytes *
make_init (const VpkMp4Box *moov,
           guint32          track_id)
{
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_new_container (0);
  VpkMp4Box *copy = vpk_mp4_box_copy (moov);
  g_autoptr(GPtrArray) traks = vpk_mp4_box_find_all (copy, "trak");
  g_autoptr(GPtrArray) trexes = vpk_mp4_box_find_all (copy, "mvex/trex");

  for (guint i = 0; i < traks->len; i++) {
    VpkMp4Box *tkhd = vpk_mp4_box_get_child (traks->pdata[i], FOURCC ('t', 'k', 'h', 'd'));
    gsize pos = tkhd != NULL && tkhd->size > 0 && tkhd->data[0] == 1 ? 20 : 12;

    if (tkhd == NULL || tkhd->size < pos + 4 ||
        vpk_pack_read_be32 (tkhd->data + pos) != track_id)
      vpk_mp4_box_remove (traks->pdata[i]);
  }
  for (guint i = 0; i < trexes->len; i++) {
    VpkMp4Box *trex = trexes->pdata[i];

    if (trex->size < 8 || vpk_pack_read_be32 (trex->data + 4) != track_id)
      vpk_mp4_box_remove (trex);
  }
  vpk_mp4_box_append (root, make_ftyp ());
  vpk_mp4_box_append (root, copy);
  return vpk_mp4_box_serialize (root);
}

/* frameRate from the one duration all video samples share (none when they differ). */
static void
set_frame_rate (VpkDashRepresentation *rep,
                guint32                timescale,
                guint32                sample_duration)
{
  guint32 a = timescale, b = sample_duration;

  if (timescale == 0 || sample_duration == 0)
    return;
  while (b != 0) {
    guint32 r = a % b;

    a = b;
    b = r;
  }
  rep->fps_num = timescale / a;
  rep->fps_den = sample_duration / a;
}

static void
note_durations (Rep                *r,
                const VpkMp4Sample *samples,
                guint               n)
{
  for (guint i = 0; i < n; i++) {
    if (!r->durations_seen) {
      r->sample_duration = samples[i].duration;
      r->durations_seen = TRUE;
    } else if (samples[i].duration != r->sample_duration) {
      r->sample_duration = 0;
    }
  }
}

static void
set_rep_attributes (VpkDashRepresentation *rep,
                    const VpkMp4Track     *t)
{
  rep->codecs = vpk_mp4_codecs_string (t->codec, t->sample_entry);
  rep->timescale = t->timescale;
  if (vpk_mp4_track_is_video (t)) {
    rep->width = t->width;
    rep->height = t->height;
  } else {
    rep->sample_rate = t->sample_rate;
    rep->channels = t->channels;
  }
}

static VpkDashAdaptationSet *
adaptation_set_for (VpkDashManifest             *manifest,
                    const VpkMp4Track           *t,
                    const VpkPackSegmentParams  *params)
{
  VpkDashContentType type = vpk_mp4_track_is_video (t) ? VPK_DASH_CONTENT_VIDEO
                                                       : VPK_DASH_CONTENT_AUDIO;
  VpkDashAdaptationSet *set;

  /* One AdaptationSet per kind, language and protection. */
  for (guint i = 0; i < manifest->adaptation_sets->len; i++) {
    set = manifest->adaptation_sets->pdata[i];
    if (set->content_type == type && set->is_protected == t->encrypted &&
        g_strcmp0 (set->lang, t->language) == 0)
      return set;
  }
  set = vpk_dash_manifest_add_adaptation_set (manifest, type);
  set->lang = g_strdup (type == VPK_DASH_CONTENT_AUDIO ? t->language : NULL);
  set->segment_alignment = TRUE;
  set->start_with_sap = 1;
  set->is_protected = t->encrypted;
  if (t->encrypted) {
    set->protection.scheme = params->scheme;
    set->protection.default_kid = params->kid;
    set->protection.pssh_base64 = vpk_cenc_common_pssh_base64 (&params->kid, 1);
    set->protection.license_url = g_strdup (params->license_url);
  }
  return set;
}

static Rep *
rep_new (VpkDashManifest             *manifest,
         const VpkMp4Box             *trak,
         const VpkMp4Box             *moov,
         guint32                      movie_timescale,
         const char                  *outdir,
         const VpkPackSegmentParams  *params,
         GError                     **error)
{
  g_autoptr(Rep) r = g_new0 (Rep, 1);
  g_autofree char *id = NULL;
  VpkDashAdaptationSet *set;

  r->track = vpk_mp4_track_new (trak, movie_timescale, error);
  if (r->track == NULL)
    return NULL;
  r->track_id = r->track->track_id;
  r->earliest = -1;
  r->trex = vpk_mp4_read_trex (moov);
  id = g_strdup_printf ("%s%u", vpk_mp4_track_is_video (r->track) ? "video" : "audio",
                        r->track_id);
  set = adaptation_set_for (manifest, r->track, params);
  r->rep = vpk_dash_adaptation_set_add_representation (set, id);
  set_rep_attributes (r->rep, r->track);
  r->init = make_init (moov, r->track_id);

  if (params->profile == VPK_PROFILE_LIVE) {
    g_autofree char *init_path = NULL;

    r->dir = g_build_filename (outdir, id, NULL);
    init_path = g_build_filename (r->dir, "init.mp4", NULL);
    if (g_mkdir (r->dir, 0755) != 0 && errno != EEXIST) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot create '%s'",
                   r->dir);
      return NULL;
    }
    if (!write_file (init_path, g_bytes_get_data (r->init, NULL), g_bytes_get_size (r->init),
                     error))
      return NULL;
    r->rep->init_template = g_strdup_printf ("%s/init.mp4", id);
    r->rep->media_template = g_strdup_printf (params->use_time_template ? "%s/seg-$Time$.m4s"
                                                                        : "%s/seg-$Number$.m4s", id);
    r->rep->start_number = 1;
  } else {
    r->path = g_strdup_printf ("%s/%s.mp4", outdir, id);
    r->media_path = g_strdup_printf ("%s/.%s.media", outdir, id);
    r->media = vpk_pack_output_new (r->media_path, error);
    if (r->media == NULL)
      return NULL;
    r->refs = g_array_new (FALSE, FALSE, sizeof (VpkDashSidxReference));
    r->rep->base_url = g_strdup_printf ("%s.mp4", id);
  }
  return g_steal_pointer (&r);
}

/* Writes the data of @n samples: from @data when the caller has it in memory,
 * else read from @fd, one pread per run of contiguous samples. */
static gboolean
write_payload (VpkPackOutput       *out,
               int                  fd,
               const guint8        *data,
               const VpkMp4Sample  *samples,
               guint                n,
               guint64              size,
               GError             **error)
{
  guint i = 0;

  if (data != NULL)
    return vpk_pack_output_write (out, data, size, error);
  while (i < n) {
    guint64 start = samples[i].offset, len = samples[i].size;

    for (i++; i < n && samples[i].offset == start + len; i++)
      len += samples[i].size;
    if (!vpk_pack_output_copy (out, fd, start, len, error))
      return FALSE;
  }
  return TRUE;
}

/* moof { mfhd, traf of this track } + mdat, as one media segment; the sample
 * data is @data (@payload_size bytes), or is read from @fd when @data is NULL. */
static gboolean
write_segment (Rep                         *r,
               int                          fd,
               const guint8                *data,
               const VpkMp4Fragment        *fragment,
               const VpkMp4TrafInfo        *info,
               const VpkPackSegmentParams  *params,
               GError                     **error)
{
  g_autoptr(VpkMp4Box) moof = vpk_mp4_box_new_container (FOURCC ('m', 'o', 'o', 'f'));
  g_autoptr(GBytes) head = NULL;
  VpkMp4Box *mfhd = vpk_mp4_box_get_child (fragment->moof, FOURCC ('m', 'f', 'h', 'd'));
  const VpkMp4Sample *samples = (const VpkMp4Sample *) info->samples->data;
  guint n = info->samples->len;
  guint64 ticks = 0, payload_size = 0, size;

  if (n == 0)
    return TRUE;
  for (guint i = 0; i < n; i++) {
    ticks += samples[i].duration;
    payload_size += samples[i].size;
  }
  note_durations (r, samples, n);
  if (mfhd != NULL)
    vpk_mp4_box_append (moof, vpk_mp4_box_copy (mfhd));
  vpk_mp4_box_append (moof, vpk_mp4_box_copy (info->traf));
  head = vpk_pack_fragment_head (moof, r->trex, payload_size, error);
  if (head == NULL)
    return FALSE;
  size = g_bytes_get_size (head) + payload_size;

  r->number++;
  r->total_ticks += ticks;
  if (ticks > 0)
    r->max_bits_per_second = MAX (r->max_bits_per_second,
                                  size * 8 * r->track->timescale / ticks);
  vpk_dash_representation_add_segment (r->rep, info->base_media_decode_time, ticks);

  if (params->profile == VPK_PROFILE_LIVE) {
    g_autofree char *name = params->use_time_template
        ? g_strdup_printf ("seg-%" G_GUINT64_FORMAT ".m4s", info->base_media_decode_time)
        : g_strdup_printf ("seg-%" G_GUINT64_FORMAT ".m4s", r->number);
    g_autofree char *path = g_build_filename (r->dir, name, NULL);
    g_autoptr(VpkPackOutput) out = vpk_pack_output_new (path, error);

    return out != NULL &&
           vpk_pack_output_write (out, g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                  error) &&
           write_payload (out, fd, data, samples, n, payload_size, error) &&
           vpk_pack_output_commit (out, error);
  }

  if (size > G_MAXINT32 || ticks > G_MAXUINT32) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "a fragment is too large for a sidx");
    return FALSE;
  }
  {
    VpkDashSidxReference ref = {
      .size = (guint32) size,
      .duration = (guint32) ticks,
      .starts_with_sap = VPK_MP4_SAMPLE_IS_SYNC (samples[0].flags),
      .sap_type = VPK_MP4_SAMPLE_IS_SYNC (samples[0].flags) ? 1 : 0,
    };

    g_array_append_val (r->refs, ref);
  }
  if (r->earliest < 0)
    r->earliest = (gint64) info->base_media_decode_time + MAX (samples[0].cts_offset, 0);
  return vpk_pack_output_write (r->media, g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                error) &&
         write_payload (r->media, fd, data, samples, n, payload_size, error);
}

/* On-demand: init + sidx + the fragments written so far, as one file. */
static gboolean
finish_on_demand (Rep      *r,
                  GError  **error)
{
  g_autoptr(GByteArray) sidx = g_byte_array_new ();
  g_autoptr(VpkPackOutput) out = NULL;
  gsize init_size = g_bytes_get_size (r->init);
  guint64 media_size;
  int fd;

  if (!vpk_pack_output_commit (r->media, error) ||
      !vpk_dash_write_sidx (sidx, r->track_id, r->track->timescale, MAX (r->earliest, 0), 0,
                            (const VpkDashSidxReference *) r->refs->data, r->refs->len, error))
    return FALSE;
  fd = vpk_mp4_open_file (r->media_path, &media_size, error);
  if (fd < 0)
    return FALSE;
  out = vpk_pack_output_new (r->path, error);
  if (out == NULL ||
      !vpk_pack_output_write (out, g_bytes_get_data (r->init, NULL), init_size, error) ||
      !vpk_pack_output_write (out, sidx->data, sidx->len, error) ||
      !vpk_pack_output_copy (out, fd, 0, media_size, error) ||
      !vpk_pack_output_commit (out, error)) {
    close (fd);
    return FALSE;
  }
  close (fd);
  g_unlink (r->media_path);
  r->rep->init_range_start = 0;
  r->rep->init_range_end = init_size - 1;
  r->rep->index_range_start = init_size;
  r->rep->index_range_end = init_size + sidx->len - 1;
  return TRUE;
}

struct _VpkPackSegmenter {
  char                 *outdir;
  VpkPackSegmentParams  params;
  VpkDashManifest      *manifest;
  GPtrArray            *reps;   /* (element-type Rep) */
  guint                 first;  /* the Representations of the current init */
};

void
vpk_pack_segmenter_free (VpkPackSegmenter *seg)
{
  if (seg == NULL)
    return;
  g_clear_pointer (&seg->reps, g_ptr_array_unref);
  g_clear_pointer (&seg->manifest, vpk_dash_manifest_free);
  g_free (seg->outdir);
  g_free (seg);
}

VpkPackSegmenter *
vpk_pack_segmenter_new (const char                  *outdir,
                        const VpkPackSegmentParams  *params)
{
  VpkPackSegmenter *seg = g_new0 (VpkPackSegmenter, 1);

  seg->outdir = g_strdup (outdir);
  seg->params = *params;
  seg->manifest = vpk_dash_manifest_new (params->profile);
  seg->reps = g_ptr_array_new_with_free_func ((GDestroyNotify) rep_free);
  return seg;
}

gboolean
vpk_pack_segmenter_add_init (VpkPackSegmenter  *seg,
                             const VpkMp4Box   *moov,
                             GError           **error)
{
  g_autoptr(GPtrArray) traks = vpk_mp4_box_find_all (moov, "trak");
  VpkMp4Box *mvhd = vpk_mp4_box_get_child (moov, FOURCC ('m', 'v', 'h', 'd'));
  guint32 movie_timescale = 0;

  if (mvhd != NULL && mvhd->size >= 24)
    movie_timescale = vpk_pack_read_be32 (mvhd->data + (mvhd->data[0] == 1 ? 20 : 12));
  seg->first = seg->reps->len;
  for (guint i = 0; i < traks->len; i++) {
    Rep *r = rep_new (seg->manifest, traks->pdata[i], moov, movie_timescale, seg->outdir,
                      &seg->params, error);

    if (r == NULL)
      return FALSE;
    g_ptr_array_add (seg->reps, r);
  }
  return TRUE;
}

gboolean
vpk_pack_segmenter_add_fragment (VpkPackSegmenter      *seg,
                                 const VpkMp4Fragment  *fragment,
                                 int                    fd,
                                 const guint8          *payload,
                                 GError               **error)
{
  for (guint i = 0; i < fragment->trafs->len; i++) {
    const VpkMp4TrafInfo *info = fragment->trafs->pdata[i];

    for (guint j = seg->first; j < seg->reps->len; j++) {
      Rep *r = seg->reps->pdata[j];

      if (r->track_id == info->track_id &&
          !write_segment (r, fd, payload, fragment, info, &seg->params, error))
        return FALSE;
    }
    if (payload != NULL)
      for (guint k = 0; k < info->samples->len; k++)
        payload += g_array_index (info->samples, VpkMp4Sample, k).size;
  }
  return TRUE;
}

gboolean
vpk_pack_segmenter_finish (VpkPackSegmenter  *seg,
                           GError           **error)
{
  g_autofree char *mpd = g_build_filename (seg->outdir, "stream.mpd", NULL);
  gint64 duration_us = 0;
  guint64 max_segment_us = 0;

  for (guint i = 0; i < seg->reps->len; i++) {
    Rep *r = seg->reps->pdata[i];
    guint64 seconds_us;

    if (r->number == 0) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "track %u has no fragments",
                   r->track_id);
      return FALSE;
    }
    if (seg->params.profile == VPK_PROFILE_ON_DEMAND && !finish_on_demand (r, error))
      return FALSE;
    r->rep->bandwidth = MAX (r->max_bits_per_second, 1);
    if (vpk_mp4_track_is_video (r->track))
      set_frame_rate (r->rep, r->track->timescale, r->sample_duration);
    seconds_us = r->total_ticks * G_USEC_PER_SEC / MAX (r->track->timescale, 1);
    duration_us = MAX (duration_us, (gint64) seconds_us);
    max_segment_us = MAX (max_segment_us, seconds_us / r->number);
  }
  seg->manifest->duration_us = duration_us;
  seg->manifest->min_buffer_time_us = MAX (2 * (gint64) max_segment_us, 2 * G_USEC_PER_SEC);
  return vpk_dash_manifest_write (seg->manifest, mpd, error);
}

static gboolean
segment_file (VpkPackSegmenter  *seg,
              const char        *input,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autoptr(VpkMp4FragmentReader) reader = vpk_mp4_fragment_reader_open (input, error);

  if (reader == NULL ||
      !vpk_pack_segmenter_add_init (seg, vpk_mp4_fragment_reader_get_moov (reader), error))
    return FALSE;
  for (;;) {
    g_autoptr(VpkMp4Fragment) fragment = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !vpk_mp4_fragment_reader_next (reader, &fragment, error))
      return FALSE;
    if (fragment == NULL)
      return TRUE;
    if (!vpk_pack_segmenter_add_fragment (seg, fragment, vpk_mp4_fragment_reader_get_fd (reader),
                                          NULL, error))
      return FALSE;
  }
}

/**
 * vpk_pack_segment_files:
 * @inputs: fragmented MP4 files (one per track, or multi-track)
 * @outdir: an existing, empty folder
 *
 * Writes the DASH package of @inputs into @outdir, stream.mpd last.
 */
gboolean
vpk_pack_segment_files (const char * const          *inputs,
                        const char                  *outdir,
                        const VpkPackSegmentParams  *params,
                        GCancellable                *cancellable,
                        VpkPackProgressFunc          progress,
                        gpointer                     progress_data,
                        GError                     **error)
{
  g_autoptr(VpkPackSegmenter) seg = vpk_pack_segmenter_new (outdir, params);
  guint n_inputs = g_strv_length ((char **) inputs);

  for (guint i = 0; i < n_inputs; i++) {
    if (!segment_file (seg, inputs[i], cancellable, error))
      return FALSE;
    if (progress != NULL)
      progress ((double) (i + 1) / n_inputs, progress_data);
  }
  return vpk_pack_segmenter_finish (seg, error);
}
