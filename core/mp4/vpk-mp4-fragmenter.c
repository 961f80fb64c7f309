/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-fragmenter.h"

#include <glib/gstdio.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-fragments.h"
#include "vpk-mp4-init.h"
#include "vpk-mp4-movie.h"
#include "vpk-mp4-output.h"

/*
 * Timing. Video keeps its decode times and is shifted by the edit list's
 * media_time through negative composition offsets (trun version 1), so the
 * first frame is presented at 0 with no edit list: the CMAF way, which
 * Chromium (hence Shaka Player and dash.js) and ffmpeg all follow, whereas
 * edit lists in fragmented files are honoured unevenly. Audio cannot be
 * shifted that way (it has no composition offsets, tfdt is unsigned), so
 * an AAC priming edit is carried as an elst in its init segment. A leading
 * empty edit (a start delay) is added to every decode time.
 */

/* One vpk_mp4_fragment_file() run: where it writes from, and its progress. */
typedef struct {
  VpkMp4Movie         *movie;
  GCancellable        *cancellable;
  VpkMp4ProgressFunc   progress;
  gpointer             user_data;
  guint64              total_bytes;
  guint64              done_bytes;
} Ctx;

typedef struct {
  VpkMp4Track *track;
  gint32       cts_shift;      /* subtracted from composition offsets (video) */
  gint64       elst_time;      /* media_time of the output elst (audio), 0 for none */
  gint64       dts_offset;     /* added to decode times (start delay) */
} Timing;

static Timing
track_timing (const VpkMp4Track *t)
{
  Timing tm = { (VpkMp4Track *) t, 0, 0, 0 };

  if (vpk_mp4_track_is_video (t))
    tm.cts_shift = (gint32) MIN (t->edit_media_time, G_MAXINT32);
  else
    tm.elst_time = t->edit_media_time;
  /* bounded to 2^40 ticks: a hostile elst must not overflow decode times */
  if (t->movie_timescale > 0)
    tm.dts_offset = (gint64) MIN (t->edit_empty_duration * (double) t->timescale /
                                  t->movie_timescale, (double) (G_GINT64_CONSTANT (1) << 40));
  return tm;
}

static double
presentation_time (const Timing *tm, const VpkMp4Sample *s)
{
  gint64 pts = s->dts + tm->dts_offset + s->cts_offset - tm->cts_shift - tm->elst_time;

  return (double) pts / tm->track->timescale;
}

/* Where the fragments of one track start: video before the first sync sample
 * at or after each multiple of the target (setting the cut times), other
 * tracks at the sample starting nearest each of the video's cuts. Fed one
 * sample at a time. */
typedef struct {
  GArray  *starts;  /* (element-type guint) */
  GArray  *cuts;    /* (element-type double), the plan's */
  gboolean sets_cuts;
  double   target;
  double   next;
  guint    c;
} Cutter;

static void
cutter_add (Cutter *k, const Timing *tm, guint i, const VpkMp4Sample *s)
{
  if (i == 0) {
    g_array_append_val (k->starts, i);
    return;
  }
  if (k->sets_cuts) {
    double pts = presentation_time (tm, s);

    if (!VPK_MP4_SAMPLE_IS_SYNC (s->flags) || pts < k->next - 1e-6)
      return;
    g_array_append_val (k->starts, i);
    g_array_append_val (k->cuts, pts);
    while (k->next <= pts + 1e-6)
      k->next += k->target;
  } else if (k->c < k->cuts->len) {
    double mid = presentation_time (tm, s) + s->duration / 2.0 / tm->track->timescale;

    if (mid <= g_array_index (k->cuts, double, k->c))
      return;
    g_array_append_val (k->starts, i);
    while (k->c < k->cuts->len && g_array_index (k->cuts, double, k->c) < mid)
      k->c++;
  }
}

struct _VpkMp4FragmentPlan {
  VpkMp4Movie *movie;
  guint        segment_ms;
  GArray      *order;      /* (element-type guint): packageable tracks, video first */
  GArray      *cuts;       /* (element-type double): fragment start times, seconds */
  /* the track begun last */
  gint         current;    /* index into @order; -1 before the first */
  Timing       tm;
  GArray      *starts;     /* (element-type guint): the first sample of each fragment */
  guint        next;       /* the next fragment, index into @starts */
  GArray      *trex;       /* of the init segment built for the track */
  /* Its samples, walked, never expanded (@fragment holds the fragment
   * handed out). */
  VpkMp4TrackWalk     walk;
  guint64             n_samples;
  GArray             *fragment;  /* (element-type VpkMp4Sample) */
};

static void
plan_end_track (VpkMp4FragmentPlan *plan)
{
  g_clear_pointer (&plan->starts, g_array_unref);
  g_clear_pointer (&plan->trex, g_array_unref);
  g_clear_pointer (&plan->fragment, g_array_unref);
  vpk_mp4_track_walk_clear (&plan->walk);
}

void
vpk_mp4_fragment_plan_free (VpkMp4FragmentPlan *plan)
{
  if (plan == NULL)
    return;
  plan_end_track (plan);
  g_clear_pointer (&plan->order, g_array_unref);
  g_clear_pointer (&plan->cuts, g_array_unref);
  g_clear_pointer (&plan->movie, vpk_mp4_movie_free);
  g_free (plan);
}

/* Packageable tracks, video first, as indexes into movie->tracks. */
static GArray *
select_tracks (VpkMp4Movie *movie, GError **error)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (int pass = 0; pass < 2; pass++) {
    for (guint i = 0; i < movie->tracks->len; i++) {
      VpkMp4Track *t = movie->tracks->pdata[i];

      if (t->encrypted) {
        g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                     "already encrypted: track %u", t->track_id);
        g_array_unref (order);
        return NULL;
      }
      if (vpk_mp4_track_is_packageable (t) && vpk_mp4_track_is_video (t) == (pass == 0))
        g_array_append_val (order, i);
    }
  }
  if (order->len == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no track can be packaged");
    g_array_unref (order);
    return NULL;
  }
  return order;
}

VpkMp4FragmentPlan *
vpk_mp4_fragment_plan_new (const char *src, guint segment_duration_ms, GError **error)
{
  g_autoptr(VpkMp4FragmentPlan) plan = g_new0 (VpkMp4FragmentPlan, 1);

  plan->current = -1;
  plan->segment_ms = MAX (segment_duration_ms, 100);
  plan->cuts = g_array_new (FALSE, FALSE, sizeof (double));
  plan->movie = vpk_mp4_movie_open (src, error);
  if (plan->movie == NULL || (plan->order = select_tracks (plan->movie, error)) == NULL)
    return NULL;
  return g_steal_pointer (&plan);
}

guint
vpk_mp4_fragment_plan_get_n_tracks (VpkMp4FragmentPlan *plan)
{
  return plan->order->len;
}

const VpkMp4Track *
vpk_mp4_fragment_plan_get_track (VpkMp4FragmentPlan *plan, guint k)
{
  g_return_val_if_fail (k < plan->order->len, NULL);
  return plan->movie->tracks->pdata[g_array_index (plan->order, guint, k)];
}

int
vpk_mp4_fragment_plan_get_fd (VpkMp4FragmentPlan *plan)
{
  return plan->movie->fd;
}

guint64
vpk_mp4_fragment_plan_get_file_size (VpkMp4FragmentPlan *plan)
{
  return plan->movie->file_size;
}

/* Walks track @k's samples once, checking them, summing its totals and
 * cutting it, then rewinds the walk for handing them out. Tracks are begun in
 * order: the first (video) one sets the cut times the others follow. */
static gboolean
plan_begin (VpkMp4FragmentPlan *plan, guint k, GError **error)
{
  guint index = g_array_index (plan->order, guint, k);
  VpkMp4Track *t = plan->movie->tracks->pdata[index];
  Cutter cutter = { NULL, plan->cuts, k == 0, plan->segment_ms / 1000.0,
                    plan->segment_ms / 1000.0, 0 };
  VpkMp4Totals totals = { 0 };

  g_return_val_if_fail ((gint) k == plan->current + 1, FALSE);
  plan_end_track (plan);
  plan->current = (gint) k;
  plan->next = 0;
  plan->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  plan->fragment = g_array_new (FALSE, FALSE, sizeof (VpkMp4Sample));
  cutter.starts = plan->starts;
  if (!vpk_mp4_movie_walk_track (plan->movie, index, &plan->walk, error))
    return FALSE;
  plan->tm = track_timing (t);
  plan->n_samples = vpk_mp4_track_walk_get_n_samples (&plan->walk);
  for (guint64 i = 0; i < plan->n_samples; i++) {
    VpkMp4Sample sample;

    if (!vpk_mp4_track_walk_next (&plan->walk, &sample, error))
      return FALSE;
    vpk_mp4_totals_add (&totals, &sample);
    cutter_add (&cutter, &plan->tm, (guint) i, &sample);
  }
  vpk_mp4_track_set_totals (t, &totals);
  vpk_mp4_track_walk_rewind (&plan->walk);
  return TRUE;
}

/* The samples of the next non-empty fragment; FALSE after the last (or with
 * @error). */
static gboolean
plan_next_range (VpkMp4FragmentPlan *plan, guint32 *out_seq, const VpkMp4Sample **out_samples,
                 guint *out_n, GError **error)
{
  while (plan->next < plan->starts->len) {
    guint f = plan->next++;
    guint64 a = g_array_index (plan->starts, guint, f);
    guint64 b = f + 1 < plan->starts->len ? g_array_index (plan->starts, guint, f + 1)
                                          : plan->n_samples;

    if (b == a)
      continue;
    *out_seq = f + 1;
    *out_n = (guint) (b - a);
    g_array_set_size (plan->fragment, (guint) (b - a));
    for (guint i = 0; i < b - a; i++)
      if (!vpk_mp4_track_walk_next (&plan->walk,
                                    &g_array_index (plan->fragment, VpkMp4Sample, i), error))
        return FALSE;
    *out_samples = (const VpkMp4Sample *) plan->fragment->data;
    return TRUE;
  }
  return FALSE;
}

static VpkMp4Box *
build_moov (const Timing *tm, const VpkMp4Box *trak, GError **error)
{
  return vpk_mp4_init_build_moov (tm->track, trak, tm->track->total_duration + tm->dts_offset,
                                  tm->elst_time, error);
}

VpkMp4Box *
vpk_mp4_fragment_plan_begin_track (VpkMp4FragmentPlan *plan, guint k, GError **error)
{
  VpkMp4Box *moov;

  if (!plan_begin (plan, k, error))
    return NULL;
  moov = build_moov (&plan->tm, plan->movie->traks->pdata[g_array_index (plan->order, guint, k)],
                     error);
  if (moov != NULL)
    plan->trex = vpk_mp4_read_trex (moov);
  return moov;
}

gboolean
vpk_mp4_fragment_plan_next (VpkMp4FragmentPlan *plan, VpkMp4Fragment **out_fragment,
                            GError **error)
{
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();
  g_autoptr(VpkMp4Fragment) fragment = NULL;
  const VpkMp4Sample *s;
  const VpkMp4Trex *trex = NULL;
  VpkMp4TrafInfo *info;
  VpkMp4Box *traf;
  guint32 seq;
  guint n;

  *out_fragment = NULL;
  g_return_val_if_fail (plan->starts != NULL && plan->trex != NULL, FALSE);
  if (!plan_next_range (plan, &seq, &s, &n, error))
    return error == NULL || *error == NULL;
  vpk_mp4_write_moof (w, seq, plan->tm.track->track_id,
                      (guint64) (s[0].dts + plan->tm.dts_offset), s, n, plan->tm.cts_shift, 8);
  fragment = g_new0 (VpkMp4Fragment, 1);
  fragment->sequence_number = seq;
  fragment->trafs = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_traf_info_free);
  fragment->moof = vpk_mp4_box_parse_one (vpk_mp4_writer_get_data (w),
                                          vpk_mp4_writer_get_size (w), 0, error);
  if (fragment->moof == NULL)
    return FALSE;
  traf = vpk_mp4_box_get_child (fragment->moof, VPK_MP4_FOURCC ('t', 'r', 'a', 'f'));
  for (guint i = 0; i < plan->trex->len; i++)
    if (g_array_index (plan->trex, VpkMp4Trex, i).track_id == plan->tm.track->track_id)
      trex = &g_array_index (plan->trex, VpkMp4Trex, i);
  /* Resolved as a reader would resolve it, then pointed at the source's data. */
  info = traf != NULL ? vpk_mp4_traf_parse (traf, trex, 0, 0, 0, G_MAXUINT64, error) : NULL;
  if (info == NULL)
    return FALSE;
  g_ptr_array_add (fragment->trafs, info);
  if (info->samples->len != n) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "a fragment built of %u samples reads "
                 "back as %u", n, info->samples->len);
    return FALSE;
  }
  for (guint i = 0; i < n; i++)
    g_array_index (info->samples, VpkMp4Sample, i).offset = s[i].offset;
  *out_fragment = g_steal_pointer (&fragment);
  return TRUE;
}

static void
report (Ctx *ctx)
{
  if (ctx->progress != NULL && ctx->total_bytes > 0)
    ctx->progress (MIN (1.0, (double) ctx->done_bytes / ctx->total_bytes), ctx->user_data);
}

/* Copies the samples' data, one copy per run of contiguous samples. */
static gboolean
copy_samples (Ctx *ctx, VpkMp4Output *out, const VpkMp4Sample *s, guint n, GError **error)
{
  guint i = 0;

  while (i < n) {
    guint64 start = s[i].offset, len = s[i].size;

    for (i++; i < n && s[i].offset == start + len; i++)
      len += s[i].size;
    if (!vpk_mp4_output_copy (out, ctx->movie->fd, start, len, error))
      return FALSE;
    ctx->done_bytes += len;
  }
  return TRUE;
}

static gboolean
write_fragment (Ctx *ctx, VpkMp4Output *out, const Timing *tm, guint32 seq,
                const VpkMp4Sample *s, guint n, GError **error)
{
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();
  guint64 payload = 0;
  guint32 header;

  for (guint i = 0; i < n; i++)
    payload += s[i].size;
  header = payload + 8 > G_MAXUINT32 ? 16 : 8;
  vpk_mp4_write_moof (w, seq, tm->track->track_id, (guint64) (s[0].dts + tm->dts_offset), s, n,
                      tm->cts_shift, header);
  if (header == 16) {
    vpk_mp4_writer_put_u32 (w, 1);
    vpk_mp4_writer_put_u32 (w, VPK_MP4_FOURCC ('m', 'd', 'a', 't'));
    vpk_mp4_writer_put_u64 (w, payload + 16);
  } else {
    vpk_mp4_writer_put_u32 (w, (guint32) (payload + 8));
    vpk_mp4_writer_put_u32 (w, VPK_MP4_FOURCC ('m', 'd', 'a', 't'));
  }
  return vpk_mp4_output_write (out, vpk_mp4_writer_get_data (w), vpk_mp4_writer_get_size (w),
                               error) &&
         copy_samples (ctx, out, s, n, error);
}

static gboolean
write_init (VpkMp4Output *out, const Timing *tm, const VpkMp4Box *trak, GError **error)
{
  g_autoptr(VpkMp4Box) ftyp = vpk_mp4_init_build_ftyp ();
  g_autoptr(VpkMp4Box) moov = build_moov (tm, trak, error);
  g_autoptr(GBytes) ftyp_bytes = NULL, moov_bytes = NULL;

  if (moov == NULL)
    return FALSE;
  ftyp_bytes = vpk_mp4_box_serialize (ftyp);
  moov_bytes = vpk_mp4_box_serialize (moov);
  return vpk_mp4_output_write_bytes (out, ftyp_bytes, error) &&
         vpk_mp4_output_write_bytes (out, moov_bytes, error);
}

static gboolean
write_track_file (Ctx *ctx, VpkMp4FragmentPlan *plan, guint k, const char *path, GError **error)
{
  g_autoptr(VpkMp4Output) out = vpk_mp4_output_new (path, error);
  const VpkMp4Sample *s;
  guint32 seq;
  guint n;

  if (out == NULL ||
      !write_init (out, &plan->tm,
                   plan->movie->traks->pdata[g_array_index (plan->order, guint, k)], error))
    return FALSE;
  for (;;) {
    g_autoptr(GError) local_error = NULL;

    if (!plan_next_range (plan, &seq, &s, &n, &local_error)) {
      if (local_error != NULL) {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
      break;
    }
    if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error) ||
        !write_fragment (ctx, out, &plan->tm, seq, s, n, error))
      return FALSE;
    report (ctx);
  }
  return vpk_mp4_output_close (out, error);
}

static void
remove_files (GPtrArray *paths)
{
  for (guint i = 0; i < paths->len; i++)
    if (paths->pdata[i] != NULL)
      g_unlink (paths->pdata[i]);
}

gboolean
vpk_mp4_fragment_file (const char *src, const char *out_dir, guint segment_duration_ms,
                       GCancellable *cancellable, VpkMp4ProgressFunc progress,
                       gpointer user_data, char ***out_paths, GError **error)
{
  g_autoptr(VpkMp4FragmentPlan) plan = vpk_mp4_fragment_plan_new (src, segment_duration_ms,
                                                                   error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  Ctx ctx = { NULL, cancellable, progress, user_data, 0, 0 };

  if (plan == NULL)
    return FALSE;
  ctx.movie = plan->movie;
  ctx.total_bytes = plan->movie->file_size;
  for (guint k = 0; k < plan->order->len; k++) {
    const VpkMp4Track *t = vpk_mp4_fragment_plan_get_track (plan, k);
    char *path = g_strdup_printf ("%s/track%u.mp4", out_dir, t->track_id);

    g_ptr_array_add (paths, path);
    if (!plan_begin (plan, k, error) || !write_track_file (&ctx, plan, k, path, error)) {
      remove_files (paths);
      return FALSE;
    }
  }
  ctx.done_bytes = ctx.total_bytes;
  report (&ctx);
  g_ptr_array_add (paths, NULL);
  *out_paths = (char **) g_ptr_array_steal (paths, NULL);
  return TRUE;
}
