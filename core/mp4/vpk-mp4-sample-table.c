/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-track.h"

#include <vpack/vpk-error.h>

/* Expands the progressive sample tables (ISO/IEC 14496-12 8.6, 8.7) of a trak. */

typedef struct {
  VpkMp4Reader r;
  guint32      count;
} Table;

typedef struct {
  guint32      constant;    /* stsz sample_size; 0 when each is listed */
  guint        field_bits;  /* 4, 8, 16 (stz2) or 32 */
  VpkMp4Reader r;
  guint32      count;
} SizeTable;

static gboolean G_GNUC_PRINTF (3, 4)
track_error (GError **error, guint32 track_id, const char *fmt, ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, fmt);
  detail = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "track %u: %s", track_id, detail);
  return FALSE;
}

static VpkMp4Box *
stbl_child (const VpkMp4Box *trak, const char *name)
{
  VpkMp4Box *stbl = vpk_mp4_box_find (trak, "mdia/minf/stbl");

  return vpk_mp4_box_get_child (stbl, vpk_mp4_fourcc_from_string (name));
}

/* Opens a full box "count, then count entries of @entry_size bytes". */
static gboolean
open_table (const VpkMp4Box *trak, guint32 track_id, const char *name, gsize entry_size,
            gboolean required, Table *out, gboolean *out_present, GError **error)
{
  VpkMp4Box *box = stbl_child (trak, name);
  guint8 version;
  guint32 flags;

  *out_present = box != NULL;
  if (box == NULL)
    return !required || track_error (error, track_id, "no %s box", name);
  vpk_mp4_reader_init (&out->r, box->data, box->size);
  if (!vpk_mp4_reader_get_full_header (&out->r, &version, &flags) ||
      !vpk_mp4_reader_get_u32 (&out->r, &out->count))
    return track_error (error, track_id, "%s is truncated", name);
  if ((guint64) out->count * entry_size > vpk_mp4_reader_remaining (&out->r))
    return track_error (error, track_id, "%s says %u entries but holds only %" G_GSIZE_FORMAT
                        " bytes", name, out->count, vpk_mp4_reader_remaining (&out->r));
  return TRUE;
}

static gboolean
open_sizes (const VpkMp4Box *trak, guint32 track_id, SizeTable *out, GError **error)
{
  VpkMp4Box *stsz = stbl_child (trak, "stsz"), *stz2 = stbl_child (trak, "stz2");
  VpkMp4Box *box = stsz != NULL ? stsz : stz2;
  guint8 version;
  guint32 flags, word;

  if (box == NULL)
    return track_error (error, track_id, "no stsz box");
  vpk_mp4_reader_init (&out->r, box->data, box->size);
  if (!vpk_mp4_reader_get_full_header (&out->r, &version, &flags) ||
      !vpk_mp4_reader_get_u32 (&out->r, &word) || !vpk_mp4_reader_get_u32 (&out->r, &out->count))
    return track_error (error, track_id, "stsz is truncated");
  out->constant = box == stsz ? word : 0;
  out->field_bits = box == stsz ? 32 : (word & 0xff);
  if (out->field_bits != 4 && out->field_bits != 8 && out->field_bits != 16 &&
      out->field_bits != 32)
    return track_error (error, track_id, "stz2 field size %u is invalid", out->field_bits);
  if (out->constant == 0 &&
      ((guint64) out->count * out->field_bits + 7) / 8 > vpk_mp4_reader_remaining (&out->r))
    return track_error (error, track_id, "stsz says %u samples but holds only %" G_GSIZE_FORMAT
                        " bytes", out->count, vpk_mp4_reader_remaining (&out->r));
  if (out->count > VPK_MP4_MAX_SAMPLES)
    return track_error (error, track_id, "%u samples, more than the limit of %u",
                        out->count, VPK_MP4_MAX_SAMPLES);
  return TRUE;
}

/* Entries were bounded by open_sizes(), so reads cannot fail here. */
static guint32
next_size (SizeTable *t, guint32 index)
{
  guint8 b8 = 0;
  guint16 b16 = 0;
  guint32 b32 = 0;

  if (t->constant != 0)
    return t->constant;
  switch (t->field_bits) {
  case 4:
    if (index % 2 == 0) {
      vpk_mp4_reader_get_u8 (&t->r, &b8);
      t->r.pos--;
      return b8 >> 4;
    }
    vpk_mp4_reader_get_u8 (&t->r, &b8);
    return b8 & 0xf;
  case 8:
    vpk_mp4_reader_get_u8 (&t->r, &b8);
    return b8;
  case 16:
    vpk_mp4_reader_get_u16 (&t->r, &b16);
    return b16;
  default:
    vpk_mp4_reader_get_u32 (&t->r, &b32);
    return b32;
  }
}

static gboolean
fill_times (VpkMp4Track *t, VpkMp4Sample *s, guint32 n, const VpkMp4Box *trak, GError **error)
{
  Table stts, ctts;
  gboolean present;
  guint32 i = 0;
  gint64 dts = 0;

  if (!open_table (trak, t->track_id, "stts", 8, TRUE, &stts, &present, error) ||
      !open_table (trak, t->track_id, "ctts", 8, FALSE, &ctts, &present, error))
    return FALSE;
  for (guint32 e = 0; e < stts.count && i < n; e++) {
    guint32 count, delta;

    vpk_mp4_reader_get_u32 (&stts.r, &count);
    vpk_mp4_reader_get_u32 (&stts.r, &delta);
    for (; count > 0 && i < n; count--, i++) {
      s[i].dts = dts;
      s[i].duration = delta;
      dts += delta;
    }
  }
  if (i < n)
    return track_error (error, t->track_id, "stts covers %u of %u samples", i, n);
  i = 0;
  for (guint32 e = 0; present && e < ctts.count && i < n; e++) {
    guint32 count, offset;

    vpk_mp4_reader_get_u32 (&ctts.r, &count);
    vpk_mp4_reader_get_u32 (&ctts.r, &offset);
    for (; count > 0 && i < n; count--, i++)
      s[i].cts_offset = (gint32) offset;  /* signed even in version 0, as writers do */
  }
  return TRUE;
}

static gboolean
fill_sync (VpkMp4Track *t, VpkMp4Sample *s, guint32 n, const VpkMp4Box *trak, GError **error)
{
  Table stss;
  gboolean present;

  if (!open_table (trak, t->track_id, "stss", 4, FALSE, &stss, &present, error))
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    s[i].flags = present ? VPK_MP4_SAMPLE_FLAGS_NON_SYNC : VPK_MP4_SAMPLE_FLAGS_SYNC;
  for (guint32 e = 0; present && e < stss.count; e++) {
    guint32 number;

    vpk_mp4_reader_get_u32 (&stss.r, &number);
    if (number == 0 || number > n)
      return track_error (error, t->track_id, "stss names sample %u of %u", number, n);
    s[number - 1].flags = VPK_MP4_SAMPLE_FLAGS_SYNC;
  }
  return TRUE;
}

static gboolean
read_chunk_offsets (const VpkMp4Box *trak, guint32 track_id, Table *out, gboolean *out_large,
                    GError **error)
{
  gboolean present;

  if (!open_table (trak, track_id, "stco", 4, FALSE, out, &present, error))
    return FALSE;
  *out_large = !present;
  if (present)
    return TRUE;
  return open_table (trak, track_id, "co64", 8, FALSE, out, &present, error) &&
         (present || track_error (error, track_id, "no stco or co64 box"));
}

static guint64
chunk_offset (const Table *stco, gboolean large, guint32 index)
{
  const guint8 *p = stco->r.data + stco->r.pos + (gsize) index * (large ? 8 : 4);
  guint64 v = 0;

  for (guint k = 0; k < (large ? 8u : 4u); k++)
    v = (v << 8) | p[k];
  return v;
}

static guint32
peek_u32 (const VpkMp4Reader *r)
{
  const guint8 *p = r->data + r->pos;

  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Walks stsc over the chunks, giving each sample its file offset. */
static gboolean
fill_offsets (VpkMp4Track *t, VpkMp4Sample *s, guint32 n, const VpkMp4Box *trak,
              guint64 file_size, GError **error)
{
  Table stsc, stco;
  gboolean present, large;
  guint32 i = 0, prev_first = 0;

  if (!open_table (trak, t->track_id, "stsc", 12, TRUE, &stsc, &present, error) ||
      !read_chunk_offsets (trak, t->track_id, &stco, &large, error))
    return FALSE;
  for (guint32 e = 0; e < stsc.count && i < n; e++) {
    guint32 first, spc, sdi, next_first;

    vpk_mp4_reader_get_u32 (&stsc.r, &first);
    vpk_mp4_reader_get_u32 (&stsc.r, &spc);
    vpk_mp4_reader_get_u32 (&stsc.r, &sdi);
    next_first = e + 1 < stsc.count ? peek_u32 (&stsc.r) : G_MAXUINT32;
    if (first <= prev_first || (e == 0 && first != 1))
      return track_error (error, t->track_id, "stsc entry %u starts at chunk %u", e + 1, first);
    prev_first = first;
    for (guint32 c = first; c < next_first && c <= stco.count && i < n; c++) {
      guint64 offset = chunk_offset (&stco, large, c - 1);

      for (guint32 k = 0; k < spc && i < n; k++, i++) {
        if (offset > file_size || s[i].size > file_size - offset)
          return track_error (error, t->track_id, "sample %u (%u bytes at offset %"
                              G_GUINT64_FORMAT ") lies past the end of the file",
                              i + 1, s[i].size, offset);
        s[i].offset = offset;
        offset += s[i].size;
      }
    }
  }
  if (i < n)
    return track_error (error, t->track_id, "stsc/stco place %u of %u samples", i, n);
  return TRUE;
}

gboolean
vpk_mp4_track_load_samples (VpkMp4Track *track, const VpkMp4Box *trak, guint64 file_size,
                            GError **error)
{
  g_autoptr(GArray) samples = NULL;
  SizeTable sizes;
  VpkMp4Sample *s;

  if (!open_sizes (trak, track->track_id, &sizes, error))
    return FALSE;
  if (sizes.constant != 0 && (guint64) sizes.constant * sizes.count > file_size)
    return track_error (error, track->track_id, "%u samples of %u bytes exceed the file size",
                        sizes.count, sizes.constant);
  samples = g_array_sized_new (FALSE, TRUE, sizeof (VpkMp4Sample), sizes.count);
  g_array_set_size (samples, sizes.count);
  s = (VpkMp4Sample *) samples->data;
  for (guint32 i = 0; i < sizes.count; i++)
    s[i].size = next_size (&sizes, i);
  if (!fill_times (track, s, sizes.count, trak, error) ||
      !fill_sync (track, s, sizes.count, trak, error) ||
      !fill_offsets (track, s, sizes.count, trak, file_size, error))
    return FALSE;
  g_clear_pointer (&track->samples, g_array_unref);
  track->samples = g_steal_pointer (&samples);
  vpk_mp4_track_update_totals (track);
  return TRUE;
}

gboolean
vpk_mp4_track_count_samples (VpkMp4Track *track, const VpkMp4Box *trak, GError **error)
{
  SizeTable sizes;
  Table stts;
  gboolean present;
  guint64 covered = 0;

  if (!open_sizes (trak, track->track_id, &sizes, error) ||
      !open_table (trak, track->track_id, "stts", 8, TRUE, &stts, &present, error))
    return FALSE;
  track->n_samples = sizes.count;
  track->total_size = 0;
  for (guint32 i = 0; i < sizes.count; i++)
    track->total_size += next_size (&sizes, i);
  track->total_duration = 0;
  track->common_duration = 0;
  for (guint32 e = 0; e < stts.count && covered < sizes.count; e++) {
    guint32 count, delta;

    vpk_mp4_reader_get_u32 (&stts.r, &count);
    vpk_mp4_reader_get_u32 (&stts.r, &delta);
    count = (guint32) MIN ((guint64) count, sizes.count - covered);
    covered += count;
    track->total_duration += (guint64) count * delta;
    track->common_duration = (e == 0 || track->common_duration == delta) ? delta : 0;
  }
  return TRUE;
}

void
vpk_mp4_track_update_totals (VpkMp4Track *track)
{
  const VpkMp4Sample *s = (const VpkMp4Sample *) track->samples->data;
  guint n = track->samples->len;

  track->n_samples = n;
  track->total_size = 0;
  track->total_duration = 0;
  track->common_duration = n > 0 ? s[0].duration : 0;
  for (guint i = 0; i < n; i++) {
    track->total_size += s[i].size;
    track->total_duration += s[i].duration;
    /* the last sample often has a different (rounded) duration */
    if (s[i].duration != track->common_duration && i + 1 < n)
      track->common_duration = 0;
  }
}
