/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-movie.h"

#include <string.h>
#include <unistd.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-file.h"

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

/* Sample tables at least this big stay in the file (VpkMp4Box.file_size) and
 * are read through small windows: the moov of a long recording is tens of
 * megabytes, nearly all of it stsz, stco and ctts. Low enough that every
 * real file takes this path (the tests' few-second fixtures too). */
#define TABLE_IN_FILE_MIN 4096
#define MAX_MOOV_BOXES 100000

void
vpk_mp4_movie_free (VpkMp4Movie *movie)
{
  if (movie == NULL)
    return;
  if (movie->fd >= 0)
    close (movie->fd);
  g_free (movie->path);
  g_clear_pointer (&movie->tracks, g_ptr_array_unref);
  g_clear_pointer (&movie->traks, g_ptr_array_unref);
  g_clear_pointer (&movie->fragments, vpk_mp4_fragment_reader_free);
  g_clear_pointer (&movie->moov, vpk_mp4_box_free);
  g_clear_pointer (&movie->ftyp, vpk_mp4_box_free);
  g_free (movie);
}

static gboolean
read_mvhd (VpkMp4Movie *m, GError **error)
{
  VpkMp4Box *mvhd = vpk_mp4_box_get_child (m->moov, FOURCC ("mvhd"));
  VpkMp4Box *mehd = vpk_mp4_box_find (m->moov, "mvex/mehd");
  VpkMp4Reader r;
  guint8 version;
  guint32 flags;

  if (mvhd == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "moov has no mvhd box");
    return FALSE;
  }
  vpk_mp4_reader_init (&r, mvhd->data, mvhd->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_skip (&r, version == 1 ? 16 : 8) ||
      !vpk_mp4_reader_get_u32 (&r, &m->timescale) ||
      !vpk_mp4_reader_get_uv (&r, version, &m->duration)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "mvhd at offset %" G_GUINT64_FORMAT " is truncated", mvhd->offset);
    return FALSE;
  }
  if (version == 0 && m->duration == G_MAXUINT32)
    m->duration = 0;
  if (m->duration == 0 && mehd != NULL) {
    vpk_mp4_reader_init (&r, mehd->data, mehd->size);
    if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
        !vpk_mp4_reader_get_uv (&r, version, &m->duration))
      m->duration = 0;
  }
  return TRUE;
}

static gboolean
is_sample_table (guint32 type)
{
  return type == FOURCC ("stsz") || type == FOURCC ("stz2") || type == FOURCC ("stco") ||
         type == FOURCC ("co64") || type == FOURCC ("stts") || type == FOURCC ("ctts") ||
         type == FOURCC ("stss") || type == FOURCC ("stsc");
}

/* The children of @parent lying in [@start, @end) of the file: the containers
 * on the way to the sample tables (trak/mdia/minf/stbl) are walked, big
 * sample tables left in the file, every other box loaded and parsed. */
static gboolean
load_children (int fd, VpkMp4Box *parent, guint64 start, guint64 end, guint depth,
               guint *n_boxes, GError **error)
{
  static const guint32 walked[] = { VPK_MP4_FOURCC ('t', 'r', 'a', 'k'),
                                    VPK_MP4_FOURCC ('m', 'd', 'i', 'a'),
                                    VPK_MP4_FOURCC ('m', 'i', 'n', 'f'),
                                    VPK_MP4_FOURCC ('s', 't', 'b', 'l') };

  for (guint64 pos = start; pos < end;) {
    VpkMp4BoxInfo info;
    VpkMp4Box *child;

    if (++*n_boxes > MAX_MOOV_BOXES) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "the moov holds more than %d boxes",
                   MAX_MOOV_BOXES);
      return FALSE;
    }
    if (!vpk_mp4_read_box_info (fd, pos, end, &info, error))
      return FALSE;
    if (depth < G_N_ELEMENTS (walked) && info.type == walked[depth]) {
      child = vpk_mp4_box_new_container (info.type);
      child->offset = info.offset;
      vpk_mp4_box_append (parent, child);
      if (!load_children (fd, child, info.offset + info.header_size, info.offset + info.size,
                          depth + 1, n_boxes, error))
        return FALSE;
    } else if (depth == G_N_ELEMENTS (walked) && is_sample_table (info.type) &&
               info.size - info.header_size >= TABLE_IN_FILE_MIN) {
      child = vpk_mp4_box_new_leaf (info.type, NULL, 0);
      child->offset = info.offset;
      child->file_offset = info.offset + info.header_size;
      child->file_size = info.size - info.header_size;
      vpk_mp4_box_append (parent, child);
    } else {
      child = vpk_mp4_load_box (fd, &info, error);
      if (child == NULL)
        return FALSE;
      vpk_mp4_box_append (parent, child);
    }
    pos += info.size;
  }
  return TRUE;
}

/* The moov, its big sample tables left in the file (read as they are walked). */
static VpkMp4Box *
load_moov (int fd, const VpkMp4BoxInfo *info, GError **error)
{
  g_autoptr(VpkMp4Box) moov = vpk_mp4_box_new_container (info->type);
  guint n_boxes = 0;

  moov->offset = info->offset;
  if (!load_children (fd, moov, info->offset + info->header_size, info->offset + info->size, 0,
                      &n_boxes, error))
    return NULL;
  return g_steal_pointer (&moov);
}

static gboolean
find_top_boxes (VpkMp4Movie *m, GArray *boxes, gboolean *out_has_moof, GError **error)
{
  const VpkMp4BoxInfo *moov = NULL, *ftyp = NULL;

  *out_has_moof = FALSE;
  for (guint i = 0; i < boxes->len; i++) {
    const VpkMp4BoxInfo *info = &g_array_index (boxes, VpkMp4BoxInfo, i);

    if (info->type == FOURCC ("moov") && moov == NULL)
      moov = info;
    else if (info->type == FOURCC ("ftyp") && ftyp == NULL)
      ftyp = info;
    else if (info->type == FOURCC ("moof"))
      *out_has_moof = TRUE;
  }
  if (moov == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "no moov box: the file is incomplete or not a movie");
    return FALSE;
  }
  if (ftyp != NULL) {
    m->ftyp = vpk_mp4_load_box (m->fd, ftyp, error);
    if (m->ftyp == NULL)
      return FALSE;
    if (m->ftyp->size >= 4)
      m->major_brand = ((guint32) m->ftyp->data[0] << 24) | (m->ftyp->data[1] << 16) |
                       (m->ftyp->data[2] << 8) | m->ftyp->data[3];
  }
  m->moov = load_moov (m->fd, moov, error);
  return m->moov != NULL;
}

static gboolean
read_tracks (VpkMp4Movie *m, GError **error)
{
  m->traks = vpk_mp4_box_find_all (m->moov, "trak");
  m->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_track_free);
  for (guint i = 0; i < m->traks->len; i++) {
    VpkMp4Track *t = vpk_mp4_track_new (m->traks->pdata[i], m->timescale, error);

    if (t == NULL)
      return FALSE;
    g_ptr_array_add (m->tracks, t);
  }
  return TRUE;
}

VpkMp4Movie *
vpk_mp4_movie_open (const char *path, GError **error)
{
  g_autoptr(VpkMp4Movie) m = g_new0 (VpkMp4Movie, 1);
  g_autoptr(GArray) boxes = NULL;
  gboolean has_moof;

  m->path = g_strdup (path);
  m->fd = vpk_mp4_open_file (path, &m->file_size, error);
  if (m->fd < 0 || !vpk_mp4_sniff (m->fd, m->file_size, error))
    return NULL;
  boxes = vpk_mp4_scan_top_level (m->fd, m->file_size, error);
  if (boxes == NULL || !find_top_boxes (m, boxes, &has_moof, error) ||
      !read_mvhd (m, error) || !read_tracks (m, error))
    return NULL;
  if (has_moof && vpk_mp4_box_get_child (m->moov, FOURCC ("mvex")) != NULL) {
    m->fragments = vpk_mp4_fragment_reader_open (path, error);
    if (m->fragments == NULL)
      return NULL;
  }
  return g_steal_pointer (&m);
}

/* A fragmented file's track: its totals, counted from the moofs (parsed and
 * checked) without keeping the samples. */
static gboolean
count_fragmented (VpkMp4FragmentReader *reader, VpkMp4Track *t, GError **error)
{
  VpkMp4Totals totals = { 0 };

  vpk_mp4_fragment_reader_rewind (reader);
  for (;;) {
    g_autoptr(VpkMp4Fragment) f = NULL;

    if (!vpk_mp4_fragment_reader_next (reader, &f, error))
      return FALSE;
    if (f == NULL)
      break;
    for (guint i = 0; i < f->trafs->len; i++) {
      VpkMp4TrafInfo *info = f->trafs->pdata[i];

      if (info->track_id != t->track_id)
        continue;
      if (totals.n + info->samples->len > VPK_MP4_MAX_SAMPLES) {
        g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                     "track %u has more than %u samples", t->track_id, VPK_MP4_MAX_SAMPLES);
        return FALSE;
      }
      for (guint k = 0; k < info->samples->len; k++)
        vpk_mp4_totals_add (&totals, &g_array_index (info->samples, VpkMp4Sample, k));
    }
  }
  vpk_mp4_fragment_reader_rewind (reader);
  vpk_mp4_track_set_totals (t, &totals);
  return TRUE;
}

gboolean
vpk_mp4_movie_check_samples (VpkMp4Movie *movie, guint index, GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  if (movie->fragments != NULL)
    return count_fragmented (movie->fragments, t, error);
  return vpk_mp4_track_check_samples (t, movie->traks->pdata[index], movie->fd, movie->file_size,
                                      error);
}

gboolean
vpk_mp4_movie_count_samples (VpkMp4Movie *movie, guint index, GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  if (movie->fragments != NULL)
    return count_fragmented (movie->fragments, t, error);
  return vpk_mp4_track_count_samples (t, movie->traks->pdata[index], movie->fd, error);
}

gboolean
vpk_mp4_movie_walk_track (VpkMp4Movie *movie, guint index, VpkMp4TrackWalk *walk,
                          GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  memset (walk, 0, sizeof *walk);
  walk->track_id = t->track_id;
  if (movie->fragments == NULL) {
    if (!vpk_mp4_sample_cursor_init (&walk->cursor, t, movie->traks->pdata[index], movie->fd,
                                     movie->file_size, error))
      return FALSE;
    walk->n = vpk_mp4_sample_cursor_get_n_samples (&walk->cursor);
    walk->start = walk->cursor;
    return TRUE;
  }
  walk->reader = vpk_mp4_fragment_reader_open (movie->path, error);
  if (walk->reader == NULL || !count_fragmented (walk->reader, t, error)) {
    vpk_mp4_track_walk_clear (walk);
    return FALSE;
  }
  walk->n = t->n_samples;
  walk->fragment = g_array_new (FALSE, FALSE, sizeof (VpkMp4Sample));
  return TRUE;
}

guint64
vpk_mp4_track_walk_get_n_samples (const VpkMp4TrackWalk *walk)
{
  return walk->n;
}

gboolean
vpk_mp4_track_walk_next (VpkMp4TrackWalk *walk, VpkMp4Sample *out, GError **error)
{
  g_return_val_if_fail (walk->taken < walk->n, FALSE);

  if (walk->reader == NULL) {
    if (!vpk_mp4_sample_cursor_next (&walk->cursor, out, error))
      return FALSE;
    walk->taken++;
    return TRUE;
  }
  while (walk->index >= walk->fragment->len) {
    g_autoptr(VpkMp4Fragment) f = NULL;

    g_array_set_size (walk->fragment, 0);
    walk->index = 0;
    if (!vpk_mp4_fragment_reader_next (walk->reader, &f, error))
      return FALSE;
    if (f == NULL) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "track %u ends after %"
                   G_GUINT64_FORMAT " of its %" G_GUINT64_FORMAT " samples (the file changed?)",
                   walk->track_id, walk->taken, walk->n);
      return FALSE;
    }
    for (guint i = 0; i < f->trafs->len; i++) {
      VpkMp4TrafInfo *info = f->trafs->pdata[i];

      if (info->track_id == walk->track_id)
        g_array_append_vals (walk->fragment, info->samples->data, info->samples->len);
    }
  }
  *out = g_array_index (walk->fragment, VpkMp4Sample, walk->index++);
  walk->taken++;
  return TRUE;
}

void
vpk_mp4_track_walk_rewind (VpkMp4TrackWalk *walk)
{
  walk->taken = 0;
  if (walk->reader == NULL) {
    walk->cursor = walk->start;
    return;
  }
  vpk_mp4_fragment_reader_rewind (walk->reader);
  g_array_set_size (walk->fragment, 0);
  walk->index = 0;
}

void
vpk_mp4_track_walk_clear (VpkMp4TrackWalk *walk)
{
  g_clear_pointer (&walk->fragment, g_array_unref);
  g_clear_pointer (&walk->reader, vpk_mp4_fragment_reader_free);
}
