/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-fragments.h"

#include <string.h>
#include <vpack/vpk-error.h>

/* Track fragments: resolving tfhd/tfdt/trun into samples, and setting trun
 * data offsets for writers (ISO/IEC 14496-12 8.8.7, 8.8.8, 8.8.12). */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

typedef struct {
  guint32 flags;
  guint32 track_id;
  guint64 base_data_offset;
  VpkMp4Trex defaults;
} Tfhd;

static gboolean G_GNUC_PRINTF (3, 4)
box_error (GError **error, const VpkMp4Box *box, const char *fmt, ...)
{
  g_autofree char *detail = NULL;
  char name[5];
  va_list args;

  va_start (args, fmt);
  detail = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "box '%s' at offset %" G_GUINT64_FORMAT
               ": %s", vpk_mp4_fourcc_to_string (box->type, name), box->offset, detail);
  return FALSE;
}

void
vpk_mp4_traf_info_free (VpkMp4TrafInfo *info)
{
  if (info == NULL)
    return;
  g_clear_pointer (&info->samples, g_array_unref);
  g_free (info);
}

GArray *
vpk_mp4_read_trex (const VpkMp4Box *moov)
{
  g_autoptr(GPtrArray) boxes = vpk_mp4_box_find_all (moov, "mvex/trex");
  GArray *out = g_array_new (FALSE, TRUE, sizeof (VpkMp4Trex));

  for (guint i = 0; i < boxes->len; i++) {
    VpkMp4Box *box = boxes->pdata[i];
    VpkMp4Trex t;
    VpkMp4Reader r;

    vpk_mp4_reader_init (&r, box->data, box->size);
    if (vpk_mp4_reader_skip (&r, 4) && vpk_mp4_reader_get_u32 (&r, &t.track_id) &&
        vpk_mp4_reader_get_u32 (&r, &t.sample_description_index) &&
        vpk_mp4_reader_get_u32 (&r, &t.duration) && vpk_mp4_reader_get_u32 (&r, &t.size) &&
        vpk_mp4_reader_get_u32 (&r, &t.flags))
      g_array_append_val (out, t);
  }
  return out;
}

static gboolean
read_tfhd (const VpkMp4Box *tfhd, const VpkMp4Trex *trex, Tfhd *out, GError **error)
{
  VpkMp4Reader r;
  guint8 version;
  VpkMp4Trex *d = &out->defaults;

  *d = trex != NULL ? *trex : (VpkMp4Trex) { 0 };
  vpk_mp4_reader_init (&r, tfhd->data, tfhd->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &out->flags) ||
      !vpk_mp4_reader_get_u32 (&r, &out->track_id) ||
      ((out->flags & VPK_MP4_TFHD_BASE_DATA_OFFSET) &&
       !vpk_mp4_reader_get_u64 (&r, &out->base_data_offset)) ||
      ((out->flags & VPK_MP4_TFHD_SAMPLE_DESCRIPTION) &&
       !vpk_mp4_reader_get_u32 (&r, &d->sample_description_index)) ||
      ((out->flags & VPK_MP4_TFHD_DEFAULT_DURATION) && !vpk_mp4_reader_get_u32 (&r, &d->duration)) ||
      ((out->flags & VPK_MP4_TFHD_DEFAULT_SIZE) && !vpk_mp4_reader_get_u32 (&r, &d->size)) ||
      ((out->flags & VPK_MP4_TFHD_DEFAULT_FLAGS) && !vpk_mp4_reader_get_u32 (&r, &d->flags)))
    return box_error (error, tfhd, "truncated");
  return TRUE;
}

static gboolean
read_tfdt (const VpkMp4Box *traf, guint64 *out_time, GError **error)
{
  VpkMp4Box *tfdt = vpk_mp4_box_get_child (traf, FOURCC ("tfdt"));
  VpkMp4Reader r;
  guint8 version;
  guint32 flags;

  if (tfdt == NULL)
    return TRUE;
  vpk_mp4_reader_init (&r, tfdt->data, tfdt->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_get_uv (&r, version, out_time))
    return box_error (error, tfdt, "truncated");
  return TRUE;
}

static guint
trun_sample_bytes (guint32 flags)
{
  return 4 * (!!(flags & VPK_MP4_TRUN_DURATION) + !!(flags & VPK_MP4_TRUN_SIZE) +
              !!(flags & VPK_MP4_TRUN_FLAGS) + !!(flags & VPK_MP4_TRUN_CTS_OFFSET));
}

/* Opens a trun: reads its header and checks sample_count against its bytes. */
static gboolean
open_trun (const VpkMp4Box *trun, VpkMp4Reader *r, guint32 *out_flags, guint32 *out_count,
           gint32 *out_data_offset, guint32 *out_first_flags, GError **error)
{
  guint8 version;
  guint32 data_offset = 0;

  vpk_mp4_reader_init (r, trun->data, trun->size);
  if (!vpk_mp4_reader_get_full_header (r, &version, out_flags) ||
      !vpk_mp4_reader_get_u32 (r, out_count) ||
      ((*out_flags & VPK_MP4_TRUN_DATA_OFFSET) && !vpk_mp4_reader_get_u32 (r, &data_offset)) ||
      ((*out_flags & VPK_MP4_TRUN_FIRST_SAMPLE_FLAGS) &&
       !vpk_mp4_reader_get_u32 (r, out_first_flags)))
    return box_error (error, trun, "truncated");
  if ((guint64) *out_count * trun_sample_bytes (*out_flags) > vpk_mp4_reader_remaining (r))
    return box_error (error, trun, "says %u samples but holds only %" G_GSIZE_FORMAT " bytes",
                      *out_count, vpk_mp4_reader_remaining (r));
  *out_data_offset = (gint32) data_offset;
  return TRUE;
}

static void
read_trun_sample (VpkMp4Reader *r, guint32 flags, const VpkMp4Trex *d, VpkMp4Sample *s)
{
  guint32 cts = 0;

  s->duration = d->duration;
  s->size = d->size;
  s->flags = d->flags;
  if (flags & VPK_MP4_TRUN_DURATION)
    vpk_mp4_reader_get_u32 (r, &s->duration);
  if (flags & VPK_MP4_TRUN_SIZE)
    vpk_mp4_reader_get_u32 (r, &s->size);
  if (flags & VPK_MP4_TRUN_FLAGS)
    vpk_mp4_reader_get_u32 (r, &s->flags);
  if (flags & VPK_MP4_TRUN_CTS_OFFSET)
    vpk_mp4_reader_get_u32 (r, &cts);
  s->cts_offset = (gint32) cts;  /* signed in version 1; writers use it so in 0 too */
}

typedef struct {
  guint64 base;
  guint64 cursor;
  gint64  dts;
  guint64 file_size;
} TrafCursor;

static gboolean
parse_trun (const VpkMp4Box *trun, const VpkMp4Trex *d, gboolean first, TrafCursor *c,
            GArray *samples, GError **error)
{
  VpkMp4Reader r;
  guint32 flags = 0, count = 0, first_flags = 0;
  gint32 data_offset = 0;

  if (!open_trun (trun, &r, &flags, &count, &data_offset, &first_flags, error))
    return FALSE;
  if (samples->len + (guint64) count > VPK_MP4_MAX_SAMPLES)
    return box_error (error, trun, "too many samples");
  if (flags & VPK_MP4_TRUN_DATA_OFFSET)
    c->cursor = c->base + data_offset;
  else if (first)
    c->cursor = c->base;
  for (guint32 i = 0; i < count; i++) {
    VpkMp4Sample s = { 0 };

    read_trun_sample (&r, flags, d, &s);
    if (i == 0 && (flags & VPK_MP4_TRUN_FIRST_SAMPLE_FLAGS))
      s.flags = first_flags;
    if (c->cursor > c->file_size || s.size > c->file_size - c->cursor)
      return box_error (error, trun, "sample %u (%u bytes at offset %" G_GUINT64_FORMAT
                        ") lies past the end of the file", i + 1, s.size, c->cursor);
    s.offset = c->cursor;
    s.dts = c->dts;
    c->cursor += s.size;
    c->dts += s.duration;
    g_array_append_val (samples, s);
  }
  return TRUE;
}

VpkMp4TrafInfo *
vpk_mp4_traf_parse (const VpkMp4Box *traf, const VpkMp4Trex *trex, guint64 moof_offset,
                    guint64 previous_end, gint64 start_dts, guint64 file_size, GError **error)
{
  g_autoptr(VpkMp4TrafInfo) info = g_new0 (VpkMp4TrafInfo, 1);
  VpkMp4Box *tfhd_box = vpk_mp4_box_get_child (traf, FOURCC ("tfhd"));
  guint64 tfdt = (guint64) start_dts;
  TrafCursor c = { 0 };
  gboolean first = TRUE;
  Tfhd tfhd;

  if (tfhd_box == NULL) {
    box_error (error, traf, "no tfhd");
    return NULL;
  }
  if (!read_tfhd (tfhd_box, trex, &tfhd, error) || !read_tfdt (traf, &tfdt, error))
    return NULL;
  info->traf = (VpkMp4Box *) traf;
  info->track_id = tfhd.track_id;
  info->base_media_decode_time = tfdt;
  info->samples = g_array_new (FALSE, FALSE, sizeof (VpkMp4Sample));
  c.base = (tfhd.flags & VPK_MP4_TFHD_BASE_DATA_OFFSET) ? tfhd.base_data_offset :
           (tfhd.flags & VPK_MP4_TFHD_DEFAULT_BASE_IS_MOOF) ? moof_offset : previous_end;
  c.dts = (gint64) tfdt;
  c.file_size = file_size;
  for (guint i = 0; i < traf->children->len; i++) {
    VpkMp4Box *child = traf->children->pdata[i];

    if (child->type != FOURCC ("trun"))
      continue;
    if (!parse_trun (child, &tfhd.defaults, first, &c, info->samples, error))
      return NULL;
    first = FALSE;
  }
  return g_steal_pointer (&info);
}

static const VpkMp4Trex *
find_trex (GArray *trex, guint32 track_id)
{
  for (guint i = 0; trex != NULL && i < trex->len; i++)
    if (g_array_index (trex, VpkMp4Trex, i).track_id == track_id)
      return &g_array_index (trex, VpkMp4Trex, i);
  return NULL;
}

/* Rewrites tfhd without base_data_offset, with default-base-is-moof. */
static gboolean
normalize_tfhd (VpkMp4Box *tfhd, GError **error)
{
  guint32 flags;

  if (tfhd->size < 8)
    return box_error (error, tfhd, "truncated");
  flags = ((guint32) tfhd->data[1] << 16) | (tfhd->data[2] << 8) | tfhd->data[3];
  if (flags & VPK_MP4_TFHD_BASE_DATA_OFFSET) {
    if (tfhd->size < 16)
      return box_error (error, tfhd, "truncated");
    memmove (tfhd->data + 8, tfhd->data + 16, tfhd->size - 16);
    tfhd->size -= 8;
  }
  flags = (flags & ~VPK_MP4_TFHD_BASE_DATA_OFFSET) | VPK_MP4_TFHD_DEFAULT_BASE_IS_MOOF;
  tfhd->data[1] = (guint8) (flags >> 16);
  tfhd->data[2] = (guint8) (flags >> 8);
  tfhd->data[3] = (guint8) flags;
  return TRUE;
}

static void
put_data_offset (VpkMp4Box *trun, guint64 offset)
{
  for (guint k = 0; k < 4; k++)
    trun->data[8 + k] = (guint8) (offset >> (24 - 8 * k));
}

/* Gives a trun a data_offset field (zero) if it has none. */
static gboolean
ensure_trun_data_offset (VpkMp4Box *trun, GError **error)
{
  g_autofree guint8 *data = NULL;

  if (trun->size < 8)
    return box_error (error, trun, "truncated");
  if (trun->data[3] & VPK_MP4_TRUN_DATA_OFFSET) {
    if (trun->size < 12)
      return box_error (error, trun, "truncated");
    put_data_offset (trun, 0);  /* set_traf_offsets() parses from a zero base */
    return TRUE;
  }
  data = g_malloc0 (trun->size + 4);
  memcpy (data, trun->data, 8);
  memcpy (data + 12, trun->data + 8, trun->size - 8);
  data[3] |= VPK_MP4_TRUN_DATA_OFFSET;
  g_free (trun->data);
  trun->data = g_steal_pointer (&data);
  trun->size += 4;
  return TRUE;
}

/* Sets the data offsets of one traf's truns; *cursor is relative to the moof. */
static gboolean
set_traf_offsets (VpkMp4Box *traf, GArray *trex, guint64 *cursor, GError **error)
{
  g_autoptr(VpkMp4TrafInfo) info = NULL;
  VpkMp4Box *tfhd = vpk_mp4_box_get_child (traf, FOURCC ("tfhd"));
  guint32 track_id;
  guint n = 0;

  if (tfhd == NULL || tfhd->size < 8)
    return box_error (error, traf, "no tfhd");
  track_id = ((guint32) tfhd->data[4] << 24) | (tfhd->data[5] << 16) | (tfhd->data[6] << 8) |
             tfhd->data[7];
  /* Parsed with a zero base and no size bound: offsets are only summed here. */
  info = vpk_mp4_traf_parse (traf, find_trex (trex, track_id), 0, 0, 0, G_MAXUINT64, error);
  if (info == NULL)
    return FALSE;
  for (guint i = 0; i < traf->children->len; i++) {
    VpkMp4Box *trun = traf->children->pdata[i];
    guint32 count;

    if (trun->type != FOURCC ("trun"))
      continue;
    count = ((guint32) trun->data[4] << 24) | (trun->data[5] << 16) | (trun->data[6] << 8) |
            trun->data[7];
    if (*cursor > G_MAXINT32)
      return box_error (error, trun, "data offset beyond 2 GiB");
    put_data_offset (trun, *cursor);
    for (guint32 k = 0; k < count; k++, n++)
      *cursor += g_array_index (info->samples, VpkMp4Sample, n).size;
  }
  return TRUE;
}

gboolean
vpk_mp4_moof_set_data_offsets (VpkMp4Box *moof, GArray *trex, guint32 mdat_header_size,
                               GError **error)
{
  guint64 cursor;

  for (guint i = 0; i < moof->children->len; i++) {
    VpkMp4Box *traf = moof->children->pdata[i];

    if (traf->type != FOURCC ("traf") || traf->children == NULL)
      continue;
    for (guint j = 0; j < traf->children->len; j++) {
      VpkMp4Box *child = traf->children->pdata[j];

      if ((child->type == FOURCC ("tfhd") && !normalize_tfhd (child, error)) ||
          (child->type == FOURCC ("trun") && !ensure_trun_data_offset (child, error)))
        return FALSE;
    }
  }
  cursor = vpk_mp4_box_get_size (moof) + mdat_header_size;
  for (guint i = 0; i < moof->children->len; i++) {
    VpkMp4Box *traf = moof->children->pdata[i];

    if (traf->type == FOURCC ("traf") && traf->children != NULL &&
        !set_traf_offsets (traf, trex, &cursor, error))
      return FALSE;
  }
  return TRUE;
}

GBytes *
vpk_mp4_fragment_serialize_head (VpkMp4Box *moof, GArray *trex, guint64 mdat_payload_size,
                                 GError **error)
{
  guint32 header = mdat_payload_size + 8 > G_MAXUINT32 ? 16 : 8;
  VpkMp4Writer *w;

  if (!vpk_mp4_moof_set_data_offsets (moof, trex, header, error))
    return NULL;
  w = vpk_mp4_writer_new ();
  vpk_mp4_box_write (moof, w);
  if (header == 16) {
    vpk_mp4_writer_put_u32 (w, 1);
    vpk_mp4_writer_put_u32 (w, VPK_MP4_FOURCC ('m', 'd', 'a', 't'));
    vpk_mp4_writer_put_u64 (w, mdat_payload_size + 16);
  } else {
    vpk_mp4_writer_put_u32 (w, (guint32) (mdat_payload_size + 8));
    vpk_mp4_writer_put_u32 (w, VPK_MP4_FOURCC ('m', 'd', 'a', 't'));
  }
  return vpk_mp4_writer_free_to_bytes (w);
}
