/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-movie.h"

#include <unistd.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-file.h"

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

void
vpk_mp4_movie_free (VpkMp4Movie *movie)
{
  if (movie == NULL)
    return;
  if (movie->fd >= 0)
    close (movie->fd);
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
  m->moov = vpk_mp4_load_box (m->fd, moov, error);
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

gboolean
vpk_mp4_movie_load_samples (VpkMp4Movie *movie, guint index, GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  if (movie->fragments != NULL)
    return vpk_mp4_fragment_reader_collect (movie->fragments, t, error);
  return vpk_mp4_track_load_samples (t, movie->traks->pdata[index], movie->file_size, error);
}

gboolean
vpk_mp4_movie_check_samples (VpkMp4Movie *movie, guint index, GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  if (movie->fragments != NULL) {
    if (!vpk_mp4_fragment_reader_collect (movie->fragments, t, error))
      return FALSE;
    g_clear_pointer (&t->samples, g_array_unref);
    return TRUE;
  }
  return vpk_mp4_track_check_samples (t, movie->traks->pdata[index], movie->file_size, error);
}

gboolean
vpk_mp4_movie_count_samples (VpkMp4Movie *movie, guint index, GError **error)
{
  VpkMp4Track *t = movie->tracks->pdata[index];

  if (movie->fragments != NULL) {
    if (!vpk_mp4_fragment_reader_collect (movie->fragments, t, error))
      return FALSE;
    g_clear_pointer (&t->samples, g_array_unref);
    return TRUE;
  }
  return vpk_mp4_track_count_samples (t, movie->traks->pdata[index], error);
}
