/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-fragments.h"

#include <unistd.h>
#include <vpack/vpk-error.h>

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

struct _VpkMp4FragmentReader {
  int        fd;
  guint64    file_size;
  VpkMp4Box *moov;
  VpkMp4Box *ftyp;
  GArray    *trex;         /* (element-type VpkMp4Trex) */
  GArray    *boxes;        /* (element-type VpkMp4BoxInfo): the top level */
  guint      next_box;
  GHashTable *next_dts;    /* track_id → gint64 *: where each track's last fragment ended */
  guint      n_fragments;
};

void
vpk_mp4_fragment_reader_free (VpkMp4FragmentReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->fd >= 0)
    close (reader->fd);
  g_clear_pointer (&reader->moov, vpk_mp4_box_free);
  g_clear_pointer (&reader->ftyp, vpk_mp4_box_free);
  g_clear_pointer (&reader->trex, g_array_unref);
  g_clear_pointer (&reader->boxes, g_array_unref);
  g_clear_pointer (&reader->next_dts, g_hash_table_unref);
  g_free (reader);
}

void
vpk_mp4_fragment_free (VpkMp4Fragment *fragment)
{
  if (fragment == NULL)
    return;
  g_clear_pointer (&fragment->trafs, g_ptr_array_unref);
  g_clear_pointer (&fragment->moof, vpk_mp4_box_free);
  g_free (fragment);
}

static gboolean
load_header_boxes (VpkMp4FragmentReader *r, const char *path, GError **error)
{
  for (guint i = 0; i < r->boxes->len; i++) {
    VpkMp4BoxInfo *info = &g_array_index (r->boxes, VpkMp4BoxInfo, i);

    if (info->type == FOURCC ("moov") && r->moov == NULL)
      r->moov = vpk_mp4_load_box (r->fd, info, error);
    else if (info->type == FOURCC ("ftyp") && r->ftyp == NULL)
      r->ftyp = vpk_mp4_load_box (r->fd, info, error);
    else if (info->type == FOURCC ("moof"))
      r->n_fragments++;
    if (error != NULL && *error != NULL)
      return FALSE;
  }
  if (r->moov == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "'%s' has no moov box", path);
    return FALSE;
  }
  if (vpk_mp4_box_get_child (r->moov, FOURCC ("mvex")) == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'%s' is not fragmented (its moov has no mvex)", path);
    return FALSE;
  }
  return TRUE;
}

VpkMp4FragmentReader *
vpk_mp4_fragment_reader_open (const char *path, GError **error)
{
  g_autoptr(VpkMp4FragmentReader) r = g_new0 (VpkMp4FragmentReader, 1);

  r->fd = vpk_mp4_open_file (path, &r->file_size, error);
  if (r->fd < 0 || !vpk_mp4_sniff (r->fd, r->file_size, error))
    return NULL;
  r->boxes = vpk_mp4_scan_top_level (r->fd, r->file_size, error);
  if (r->boxes == NULL || !load_header_boxes (r, path, error))
    return NULL;
  r->trex = vpk_mp4_read_trex (r->moov);
  r->next_dts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return g_steal_pointer (&r);
}

VpkMp4Box *
vpk_mp4_fragment_reader_get_moov (VpkMp4FragmentReader *reader)
{
  return reader->moov;
}

VpkMp4Box *
vpk_mp4_fragment_reader_get_ftyp (VpkMp4FragmentReader *reader)
{
  return reader->ftyp;
}

int
vpk_mp4_fragment_reader_get_fd (VpkMp4FragmentReader *reader)
{
  return reader->fd;
}

guint64
vpk_mp4_fragment_reader_get_file_size (VpkMp4FragmentReader *reader)
{
  return reader->file_size;
}

guint
vpk_mp4_fragment_reader_get_n_fragments (VpkMp4FragmentReader *reader)
{
  return reader->n_fragments;
}

const VpkMp4Trex *
vpk_mp4_fragment_reader_get_trex (VpkMp4FragmentReader *reader, guint32 track_id)
{
  for (guint i = 0; i < reader->trex->len; i++)
    if (g_array_index (reader->trex, VpkMp4Trex, i).track_id == track_id)
      return &g_array_index (reader->trex, VpkMp4Trex, i);
  return NULL;
}

void
vpk_mp4_fragment_reader_rewind (VpkMp4FragmentReader *reader)
{
  reader->next_box = 0;
  g_hash_table_remove_all (reader->next_dts);
}

static guint32
read_sequence_number (const VpkMp4Box *moof)
{
  VpkMp4Box *mfhd = vpk_mp4_box_get_child (moof, FOURCC ("mfhd"));
  VpkMp4Reader r;
  guint32 seq = 0;

  if (mfhd != NULL) {
    vpk_mp4_reader_init (&r, mfhd->data, mfhd->size);
    if (!vpk_mp4_reader_skip (&r, 4) || !vpk_mp4_reader_get_u32 (&r, &seq))
      seq = 0;
  }
  return seq;
}

static gboolean
parse_trafs (VpkMp4FragmentReader *r, VpkMp4Fragment *f, GError **error)
{
  guint64 previous_end = f->moof_offset;

  for (guint i = 0; i < f->moof->children->len; i++) {
    VpkMp4Box *traf = f->moof->children->pdata[i];
    VpkMp4TrafInfo *info;
    VpkMp4Box *tfhd = vpk_mp4_box_get_child (traf, FOURCC ("tfhd"));
    guint32 track_id = 0;
    gint64 *next;

    if (traf->type != FOURCC ("traf"))
      continue;
    if (tfhd != NULL && tfhd->size >= 8)
      track_id = ((guint32) tfhd->data[4] << 24) | (tfhd->data[5] << 16) |
                 (tfhd->data[6] << 8) | tfhd->data[7];
    next = g_hash_table_lookup (r->next_dts, GUINT_TO_POINTER (track_id));
    info = vpk_mp4_traf_parse (traf, vpk_mp4_fragment_reader_get_trex (r, track_id),
                               f->moof_offset, previous_end, next != NULL ? *next : 0,
                               r->file_size, error);
    if (info == NULL)
      return FALSE;
    g_ptr_array_add (f->trafs, info);
    if (info->samples->len > 0) {
      VpkMp4Sample *last = &g_array_index (info->samples, VpkMp4Sample, info->samples->len - 1);

      previous_end = last->offset + last->size;
      if (next == NULL) {
        next = g_new (gint64, 1);
        g_hash_table_insert (r->next_dts, GUINT_TO_POINTER (track_id), next);
      }
      *next = last->dts + last->duration;
    }
  }
  return TRUE;
}

static VpkMp4Fragment *
read_fragment (VpkMp4FragmentReader *r, const VpkMp4BoxInfo *info, GError **error)
{
  g_autoptr(VpkMp4Fragment) f = g_new0 (VpkMp4Fragment, 1);

  f->moof = vpk_mp4_load_box (r->fd, info, error);
  if (f->moof == NULL)
    return NULL;
  f->moof_offset = info->offset;
  f->moof_size = info->size;
  f->sequence_number = read_sequence_number (f->moof);
  f->trafs = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_traf_info_free);
  if (r->next_box < r->boxes->len) {
    VpkMp4BoxInfo *next = &g_array_index (r->boxes, VpkMp4BoxInfo, r->next_box);

    if (next->type == FOURCC ("mdat")) {
      f->mdat_offset = next->offset;
      f->mdat_size = next->size;
      f->mdat_header_size = next->header_size;
    }
  }
  if (!parse_trafs (r, f, error))
    return NULL;
  return g_steal_pointer (&f);
}

gboolean
vpk_mp4_fragment_reader_next (VpkMp4FragmentReader *reader, VpkMp4Fragment **out_fragment,
                              GError **error)
{
  while (reader->next_box < reader->boxes->len) {
    VpkMp4BoxInfo *info = &g_array_index (reader->boxes, VpkMp4BoxInfo, reader->next_box++);
    VpkMp4Fragment *f;

    if (info->type != FOURCC ("moof"))
      continue;
    f = read_fragment (reader, info, error);
    if (f == NULL)
      return FALSE;
    *out_fragment = f;
    return TRUE;
  }
  *out_fragment = NULL;
  return TRUE;
}

