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
  guint32             track_id;
  guint32             n_samples;    /* in the source track */
  VpkMp4TrackWalk     walk;         /* its samples, in order */
  guint32             taken;        /* samples put into batches so far */
  GError             *walk_error;   /* met while queuing; reported when that batch is due */
  VpkPackReadAhead   *reader;       /* (owned): the next batch is being read */
  gboolean            queued;
  GArray             *samples;      /* (element-type VpkMp4Sample): the current batch's */
  GArray             *next;         /* (element-type VpkMp4Sample): the queued batch's */
  GByteArray         *batch;        /* (nullable): the data of @samples */
  guint               index;        /* the next sample in @samples */
  gsize               batch_pos;    /* where it starts in @batch */
};

void
vpk_pack_verify_source_free (VpkPackVerifySource *source)
{
  if (source == NULL)
    return;
  g_clear_pointer (&source->reader, vpk_pack_read_ahead_free);  /* before what it reads */
  vpk_mp4_track_walk_clear (&source->walk);
  g_clear_pointer (&source->samples, g_array_unref);
  g_clear_pointer (&source->next, g_array_unref);
  g_clear_pointer (&source->batch, vpk_pack_buffer_give);
  g_clear_error (&source->walk_error);
  g_free (source);
}

/* Takes the next samples of the source, up to BATCH_BYTES (at least one),
 * into @src->next, and queues their read. */
static void
queue_batch (VpkPackVerifySource *src)
{
  guint64 bytes = 0;

  g_array_set_size (src->next, 0);
  while (src->taken < src->n_samples && src->walk_error == NULL) {
    VpkMp4Sample s;

    if (!vpk_mp4_track_walk_next (&src->walk, &s, &src->walk_error))
      break;
    /* Over the budget, the sample still joins this batch: a walk cannot step back. */
    g_array_append_val (src->next, s);
    bytes += s.size;
    src->taken++;
    if (bytes >= BATCH_BYTES)
      break;
  }
  if (src->next->len > 0)
    vpk_pack_read_ahead_push (src->reader, (const VpkMp4Sample *) src->next->data,
                              src->next->len);
  src->queued = src->next->len > 0;
}

/* Takes the batch read ahead, and queues the one after it. */
static gboolean
next_batch (VpkPackVerifySource  *src,
            GCancellable         *cancellable,
            GError              **error)
{
  GArray *swap;

  g_clear_pointer (&src->batch, vpk_pack_buffer_give);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!src->queued)
    queue_batch (src);  /* the first batch: nothing was read ahead */
  if (!src->queued) {
    if (src->walk_error != NULL)
      g_propagate_error (error, g_steal_pointer (&src->walk_error));
    else
      g_set_error (error, VPK_ERROR, VPK_ERROR_VERIFY, "no sample left");
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  src->batch = vpk_pack_read_ahead_pop (src->reader, error);
  src->queued = FALSE;
  if (src->batch == NULL) {
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  swap = src->samples;
  src->samples = src->next;
  src->next = swap;
  src->index = 0;
  src->batch_pos = 0;
  if (src->taken < src->n_samples && src->walk_error == NULL)
    queue_batch (src);
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

  if (t->n_samples >= src->n_samples)
    return vpk_pack_verify_fail (error, "track %u (%s) has more samples than source track %u "
                                 "(%u): sample %" G_GUINT64_FORMAT " in %s",
                                 t->track->track_id, t->kind, src->track_id, src->n_samples,
                                 t->n_samples, label);
  /* Samples come in order, so the batches only ever move forward. */
  if (src->index >= src->samples->len && !next_batch (src, v->cancellable, error))
    return FALSE;
  s = &g_array_index (src->samples, VpkMp4Sample, src->index);
  if (s->size != size || memcmp (src->batch->data + src->batch_pos, data, size) != 0)
    return vpk_pack_verify_fail (error, "track %u (%s), sample %" G_GUINT64_FORMAT " in %s "
                                 "differs from the source's (track %u)", t->track->track_id,
                                 t->kind, t->n_samples, label, src->track_id);
  src->index++;
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
  g_autoptr(VpkPackVerifySource) source = NULL;
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
  source = g_new0 (VpkPackVerifySource, 1);
  source->track_id = src->track_id;
  if (!vpk_mp4_movie_walk_track (movie, index, &source->walk, error)) {
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  if (vpk_mp4_track_walk_get_n_samples (&source->walk) > G_MAXUINT32)
    return vpk_pack_verify_fail (error, "source track %u has too many samples", src->track_id);
  source->n_samples = (guint32) vpk_mp4_track_walk_get_n_samples (&source->walk);
  source->samples = g_array_new (FALSE, FALSE, sizeof (VpkMp4Sample));
  source->next = g_array_new (FALSE, FALSE, sizeof (VpkMp4Sample));
  source->reader = vpk_pack_read_ahead_new (movie->fd);
  vpk_pack_verify_source_free (t->source);
  t->source = g_steal_pointer (&source);
  return TRUE;
}

gboolean
vpk_pack_verify_check_counts (VpkPackVerifier  *v,
                              GError          **error)
{
  for (guint i = 0; i < v->tracks->len; i++) {
    const VpkPackVerifyTrack *t = v->tracks->pdata[i];

    if (t->source != NULL && t->n_samples != t->source->n_samples)
      return vpk_pack_verify_fail (error, "track %u (%s) has %" G_GUINT64_FORMAT " samples, its "
                                   "source track %u has %u", t->track->track_id, t->kind,
                                   t->n_samples, t->source->track_id, t->source->n_samples);
  }
  return TRUE;
}
