/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-fragmenter.h"

#include <glib/gstdio.h>
#include <vpack/vpk-error.h>

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

typedef struct {
  VpkMp4Movie         *movie;
  guint                segment_ms;
  GCancellable        *cancellable;
  VpkMp4ProgressFunc   progress;
  gpointer             user_data;
  guint64              total_bytes;
  guint64              done_bytes;
  GArray              *cuts;  /* (element-type double): fragment start times, seconds */
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

/* Video: cut before the first sync sample at or after each multiple of the target. */
static GArray *
cut_at_sync (Ctx *ctx, const Timing *tm)
{
  const VpkMp4Sample *s = (const VpkMp4Sample *) tm->track->samples->data;
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));
  double target = ctx->segment_ms / 1000.0, next = target;
  guint zero = 0;

  g_array_append_val (starts, zero);
  for (guint i = 1; i < tm->track->samples->len; i++) {
    double pts = presentation_time (tm, &s[i]);

    if (!VPK_MP4_SAMPLE_IS_SYNC (s[i].flags) || pts < next - 1e-6)
      continue;
    g_array_append_val (starts, i);
    g_array_append_val (ctx->cuts, pts);
    while (next <= pts + 1e-6)
      next += target;
  }
  return starts;
}

/* Other tracks: cut at the sample starting nearest each of the video's cuts. */
static GArray *
cut_at_times (Ctx *ctx, const Timing *tm)
{
  const VpkMp4Sample *s = (const VpkMp4Sample *) tm->track->samples->data;
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint c = 0, zero = 0;

  g_array_append_val (starts, zero);
  for (guint i = 1; i < tm->track->samples->len && c < ctx->cuts->len; i++) {
    double mid = presentation_time (tm, &s[i]) + s[i].duration / 2.0 / tm->track->timescale;

    if (mid <= g_array_index (ctx->cuts, double, c))
      continue;
    g_array_append_val (starts, i);
    while (c < ctx->cuts->len && g_array_index (ctx->cuts, double, c) < mid)
      c++;
  }
  return starts;
}

static void
report (Ctx *ctx)
{
  if (ctx->progress != NULL && ctx->total_bytes > 0)
    ctx->progress (MIN (1.0, (double) ctx->done_bytes / ctx->total_bytes), ctx->user_data);
}

/* Copies the samples' data, one pread per run of contiguous samples. */
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
  g_autoptr(VpkMp4Box) moov = NULL;
  g_autoptr(GBytes) ftyp_bytes = NULL, moov_bytes = NULL;

  moov = vpk_mp4_init_build_moov (tm->track, trak, tm->track->total_duration + tm->dts_offset,
                                  tm->elst_time, error);
  if (moov == NULL)
    return FALSE;
  ftyp_bytes = vpk_mp4_box_serialize (ftyp);
  moov_bytes = vpk_mp4_box_serialize (moov);
  return vpk_mp4_output_write_bytes (out, ftyp_bytes, error) &&
         vpk_mp4_output_write_bytes (out, moov_bytes, error);
}

static gboolean
write_track_file (Ctx *ctx, const Timing *tm, const VpkMp4Box *trak, GArray *starts,
                  const char *path, GError **error)
{
  g_autoptr(VpkMp4Output) out = vpk_mp4_output_new (path, error);
  const VpkMp4Sample *s = (const VpkMp4Sample *) tm->track->samples->data;
  guint n = tm->track->samples->len;

  if (out == NULL || !write_init (out, tm, trak, error))
    return FALSE;
  for (guint f = 0; f < starts->len; f++) {
    guint a = g_array_index (starts, guint, f);
    guint b = f + 1 < starts->len ? g_array_index (starts, guint, f + 1) : n;

    if (b == a)
      continue;
    if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error) ||
        !write_fragment (ctx, out, tm, f + 1, s + a, b - a, error))
      return FALSE;
    report (ctx);
  }
  return vpk_mp4_output_close (out, error);
}

static gboolean
fragment_track (Ctx *ctx, guint index, gboolean sets_cuts, const char *path, GError **error)
{
  VpkMp4Track *t = ctx->movie->tracks->pdata[index];
  g_autoptr(GArray) starts = NULL;
  Timing tm;
  gboolean ok;

  if (!vpk_mp4_movie_load_samples (ctx->movie, index, error))
    return FALSE;
  tm = track_timing (t);
  starts = sets_cuts ? cut_at_sync (ctx, &tm) : cut_at_times (ctx, &tm);
  ok = write_track_file (ctx, &tm, ctx->movie->traks->pdata[index], starts, path, error);
  g_clear_pointer (&t->samples, g_array_unref);  /* one track in memory at a time */
  return ok;
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
  g_autoptr(VpkMp4Movie) movie = vpk_mp4_movie_open (src, error);
  g_autoptr(GArray) order = NULL;
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  Ctx ctx = { movie, MAX (segment_duration_ms, 100), cancellable, progress, user_data,
              0, 0, cuts };

  if (movie == NULL || (order = select_tracks (movie, error)) == NULL)
    return FALSE;
  ctx.total_bytes = movie->file_size;
  for (guint k = 0; k < order->len; k++) {
    guint i = g_array_index (order, guint, k);
    VpkMp4Track *t = movie->tracks->pdata[i];
    char *path = g_strdup_printf ("%s/track%u.mp4", out_dir, t->track_id);

    g_ptr_array_add (paths, path);
    if (!fragment_track (&ctx, i, k == 0, path, error)) {
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
