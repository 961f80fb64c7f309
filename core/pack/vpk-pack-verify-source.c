/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-verify-private.h"
#include "pack/vpk-pack-io.h"


/* The source side of `vpack verify --source`: each packaged track is matched
 * with the source track of the same kind and rank among the packageable
 * tracks of that kind (the order every fragmenter keeps), and its samples are
 * read in batches in step with the packaged track's and compared byte for
 * byte: nothing per sample is kept, and no hash is computed. The next batch
 * is read on a second thread while this one is compared. (Mapping the source
 * instead of reading it was measured: page faults on this kind of virtual
 * machine made it three times slower than pread.) */

#define BATCH_BYTES (256 * 1024)  /* small: every fresh page costs a fault */

/* The @rank-th packageable track of its kind across @sources, in order. */
static gint
find_source_track (GPtrArray     *sources,
                   gboolean       video,
                   guint          rank,
                   VpkMp4Movie  **out_movie)
{
  for (guint m = 0; m < sources->len; m++) {
    VpkMp4Movie *movie = sources->pdata[m];

    for (guint i = 0; i < movie->tracks->len; i++) {
      const VpkMp4Track *t = movie->tracks->pdata[i];

      if (!vpk_mp4_track_is_packageable (t) || vpk_mp4_track_is_video (t) != video)
        continue;
      if (rank-- == 0) {
        *out_movie = movie;
        return (gint) i;
      }
    }
  }
  return -1;
}

struct _VpkPackVerifySource {
  guint32           track_id;
  GArray           *samples;     /* (element-type VpkMp4Sample) (owned) */
  VpkPackReadAhead *reader;      /* (owned): the batch after this one is being read */
  GByteArray       *batch;       /* (nullable): the data of samples [batch_first, batch_end) */
  guint             batch_end;
  guint             next_end;    /* the end of the batch being read; batch_end when none */
  gsize             batch_pos;   /* where the next sample starts in @batch */
};

void
vpk_pack_verify_source_free (VpkPackVerifySource *source)
{
  if (source == NULL)
    return;
  g_clear_pointer (&source->reader, vpk_pack_read_ahead_free);
  g_clear_pointer (&source->samples, g_array_unref);
  g_clear_pointer (&source->batch, vpk_pack_buffer_give);
  g_free (source);
}

/* Queues the read of the samples from @first on, up to BATCH_BYTES (at least one). */
static void
queue_batch (VpkPackVerifySource *src,
             guint                first)
{
  const VpkMp4Sample *s = (const VpkMp4Sample *) src->samples->data;
  guint j = first;
  guint64 bytes = 0;

  while (j < src->samples->len && (j == first || bytes + s[j].size <= BATCH_BYTES))
    bytes += s[j++].size;
  if (j > first)
    vpk_pack_read_ahead_push (src->reader, s + first, j - first);
  src->next_end = j;
}

/* Takes the batch read ahead, and queues the one after it. */
static gboolean
next_batch (VpkPackVerifySource  *src,
            GCancellable         *cancellable,
            GError              **error)
{
  guint end = src->next_end;

  g_clear_pointer (&src->batch, vpk_pack_buffer_give);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (end == src->batch_end)
    queue_batch (src, src->batch_end);  /* the first batch: nothing was read ahead */
  end = src->next_end;
  src->batch = vpk_pack_read_ahead_pop (src->reader, error);
  if (src->batch == NULL) {
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  src->batch_end = end;
  src->batch_pos = 0;
  queue_batch (src, end);
  return TRUE;
}

gboolean
vpk_pack_verify_compare_source (VpkPackVerifier     *v,
                                VpkPackVerifyTrack  *t,
                                const guint8        *data,
                                gsize                size,
                                const char          *label,
                                GError             **error)
{
  VpkPackVerifySource *src = t->source;
  const VpkMp4Sample *s;

  if (t->n_samples >= src->samples->len)
    return vpk_pack_verify_fail (error, "track %u (%s) has more samples than source track %u "
                                 "(%u): sample %" G_GUINT64_FORMAT " in %s",
                                 t->track->track_id, t->kind, src->track_id, src->samples->len,
                                 t->n_samples, label);
  /* Samples come in order, so the batch only ever moves forward. */
  if (t->n_samples >= src->batch_end && !next_batch (src, v->cancellable, error))
    return FALSE;
  s = &g_array_index (src->samples, VpkMp4Sample, t->n_samples);
  if (s->size != size || memcmp (src->batch->data + src->batch_pos, data, size) != 0)
    return vpk_pack_verify_fail (error, "track %u (%s), sample %" G_GUINT64_FORMAT " in %s "
                                 "differs from the source's (track %u)", t->track->track_id,
                                 t->kind, t->n_samples, label, src->track_id);
  src->batch_pos += s->size;
  v->report.n_compared_samples++;
  return TRUE;
}

gboolean
vpk_pack_verify_open_source (VpkPackVerifier     *v,
                             VpkPackVerifyTrack  *t,
                             guint                rank,
                             GError             **error)
{
  gboolean video = vpk_mp4_track_is_video (t->track);
  VpkMp4Movie *movie = NULL;
  gint index = find_source_track (v->sources, video, rank, &movie);
  VpkPackVerifySource *source;
  VpkMp4Track *src;
  char a[5], b[5];

  if (!video && !vpk_mp4_track_is_audio (t->track))
    return vpk_pack_verify_fail (error, "track %u is neither video nor audio: it cannot be "
                                 "compared with the source", t->track->track_id);
  if (index < 0)
    return vpk_pack_verify_fail (error, "track %u is %s track %u of the package, the source "
                                 "has no such track", t->track->track_id, t->kind, rank + 1);
  src = movie->tracks->pdata[index];
  if (src->codec != t->track->codec)
    return vpk_pack_verify_fail (error, "track %u is '%s', its source track %u is '%s'",
                                 t->track->track_id, vpk_mp4_fourcc_to_string (t->track->codec, a),
                                 src->track_id, vpk_mp4_fourcc_to_string (src->codec, b));
  if (!vpk_mp4_movie_load_samples (movie, index, error)) {
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  source = g_new0 (VpkPackVerifySource, 1);
  source->track_id = src->track_id;
  source->samples = g_steal_pointer (&src->samples);
  source->reader = vpk_pack_read_ahead_new (movie->fd);
  vpk_pack_verify_source_free (t->source);
  t->source = source;
  return TRUE;
}

gboolean
vpk_pack_verify_check_counts (VpkPackVerifier  *v,
                              GError          **error)
{
  for (guint i = 0; i < v->tracks->len; i++) {
    const VpkPackVerifyTrack *t = v->tracks->pdata[i];

    if (t->source != NULL && t->n_samples != t->source->samples->len)
      return vpk_pack_verify_fail (error, "track %u (%s) has %" G_GUINT64_FORMAT " samples, its "
                                   "source track %u has %u", t->track->track_id, t->kind,
                                   t->n_samples, t->source->track_id, t->source->samples->len);
  }
  return TRUE;
}
