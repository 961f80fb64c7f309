/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-track.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-file.h"

/* Walks (and expands) the progressive sample tables (ISO/IEC 14496-12 8.6, 8.7) of a trak. */

typedef struct {
  VpkMp4TableReader r;
  guint32           count;
} Table;

typedef struct {
  guint32           constant;    /* stsz sample_size; 0 when each is listed */
  guint             field_bits;  /* 4, 8, 16 (stz2) or 32 */
  VpkMp4TableReader r;
  guint32           count;
} SizeTable;

/* A table's payload: in memory, or in the file (@fd) for a box left there. */
static void
table_init (VpkMp4TableReader *r, const VpkMp4Box *box, int fd)
{
  memset (r, 0, offsetof (VpkMp4TableReader, win));
  if (box->file_size > 0) {
    r->fd = fd;
    r->start = box->file_offset;
    r->size = box->file_size;
    if (fd < 0)
      r->err = EBADF;
  } else {
    r->mem = box->data;
    r->size = box->size;
  }
}

static guint64
table_remaining (const VpkMp4TableReader *r)
{
  return r->pos <= r->size ? r->size - r->pos : 0;
}

/* The @n bytes at @pos (within the payload, checked by the caller), or NULL
 * after a failed read. */
static const guint8 *
table_at (VpkMp4TableReader *r, guint64 pos, guint n)
{
  if (r->mem != NULL)
    return r->mem + pos;
  if (r->err != 0)
    return NULL;
  if (pos < r->win_pos || pos + n > r->win_pos + r->win_len) {
    gsize len = (gsize) MIN ((guint64) sizeof r->win, r->size - pos);
    g_autoptr(GError) error = NULL;

    if (len < n || !vpk_mp4_pread_all (r->fd, r->win, len, r->start + pos, &error)) {
      r->err = EIO;
      return NULL;
    }
    r->win_pos = pos;
    r->win_len = (guint) len;
  }
  return r->win + (pos - r->win_pos);
}

static guint64
table_be (VpkMp4TableReader *r, guint64 pos, guint n)
{
  const guint8 *p = table_at (r, pos, n);
  guint64 v = 0;

  for (guint k = 0; p != NULL && k < n; k++)
    v = (v << 8) | p[k];
  return v;
}

/* Entries were bounded when the table was opened: reads stay in the payload. */
static guint32
table_u32 (VpkMp4TableReader *r)
{
  guint32 v = (guint32) table_be (r, r->pos, 4);

  r->pos += 4;
  return v;
}

static guint32
table_peek_u32 (VpkMp4TableReader *r)
{
  return (guint32) table_be (r, r->pos, 4);
}

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
open_table (const VpkMp4Box *trak, int fd, guint32 track_id, const char *name, gsize entry_size,
            gboolean required, Table *out, gboolean *out_present, GError **error)
{
  VpkMp4Box *box = stbl_child (trak, name);

  *out_present = box != NULL;
  if (box == NULL)
    return !required || track_error (error, track_id, "no %s box", name);
  table_init (&out->r, box, fd);
  if (table_remaining (&out->r) < 8)
    return track_error (error, track_id, "%s is truncated", name);
  table_u32 (&out->r);  /* version and flags */
  out->count = table_u32 (&out->r);
  if (out->r.err != 0)
    return track_error (error, track_id, "cannot read %s: %s", name, g_strerror (out->r.err));
  if ((guint64) out->count * entry_size > table_remaining (&out->r))
    return track_error (error, track_id, "%s says %u entries but holds only %" G_GUINT64_FORMAT
                        " bytes", name, out->count, table_remaining (&out->r));
  return TRUE;
}

static gboolean
open_sizes (const VpkMp4Box *trak, int fd, guint32 track_id, SizeTable *out, GError **error)
{
  VpkMp4Box *stsz = stbl_child (trak, "stsz"), *stz2 = stbl_child (trak, "stz2");
  VpkMp4Box *box = stsz != NULL ? stsz : stz2;
  guint32 word;

  if (box == NULL)
    return track_error (error, track_id, "no stsz box");
  table_init (&out->r, box, fd);
  if (table_remaining (&out->r) < 12)
    return track_error (error, track_id, "stsz is truncated");
  table_u32 (&out->r);  /* version and flags */
  word = table_u32 (&out->r);
  out->count = table_u32 (&out->r);
  if (out->r.err != 0)
    return track_error (error, track_id, "cannot read stsz: %s", g_strerror (out->r.err));
  out->constant = box == stsz ? word : 0;
  out->field_bits = box == stsz ? 32 : (word & 0xff);
  if (out->field_bits != 4 && out->field_bits != 8 && out->field_bits != 16 &&
      out->field_bits != 32)
    return track_error (error, track_id, "stz2 field size %u is invalid", out->field_bits);
  if (out->constant == 0 &&
      ((guint64) out->count * out->field_bits + 7) / 8 > table_remaining (&out->r))
    return track_error (error, track_id, "stsz says %u samples but holds only %" G_GUINT64_FORMAT
                        " bytes", out->count, table_remaining (&out->r));
  if (out->count > VPK_MP4_MAX_SAMPLES)
    return track_error (error, track_id, "%u samples, more than the limit of %u",
                        out->count, VPK_MP4_MAX_SAMPLES);
  return TRUE;
}

/* The size of sample @index (0-based): entries were bounded by open_sizes(). */
static guint32
next_size (VpkMp4TableReader *r, guint32 constant, guint field_bits, guint32 index)
{
  guint32 v;

  if (constant != 0)
    return constant;
  switch (field_bits) {
  case 4:
    /* two samples a byte, high nibble first; the byte is passed after the second */
    v = (guint32) table_be (r, r->pos, 1);
    if (index % 2 == 0)
      return v >> 4;
    r->pos++;
    return v & 0xf;
  case 8:
  case 16:
    v = (guint32) table_be (r, r->pos, field_bits / 8);
    r->pos += field_bits / 8;
    return v;
  default:
    return table_u32 (r);
  }
}

static gboolean
read_chunk_offsets (const VpkMp4Box *trak, int fd, guint32 track_id, Table *out,
                    gboolean *out_large, GError **error)
{
  gboolean present;

  if (!open_table (trak, fd, track_id, "stco", 4, FALSE, out, &present, error))
    return FALSE;
  *out_large = !present;
  if (present)
    return TRUE;
  return open_table (trak, fd, track_id, "co64", 8, FALSE, out, &present, error) &&
         (present || track_error (error, track_id, "no stco or co64 box"));
}

static guint64
chunk_offset (VpkMp4TableReader *stco, gboolean large, guint32 index)
{
  return table_be (stco, stco->pos + (guint64) index * (large ? 8 : 4), large ? 8 : 4);
}

gboolean
vpk_mp4_sample_cursor_init (VpkMp4SampleCursor *c, const VpkMp4Track *track,
                            const VpkMp4Box *trak, int fd, guint64 file_size, GError **error)
{
  SizeTable sizes;
  Table stts, ctts, stss, stsc, stco;
  gboolean has_ctts, present;
  guint32 id = track->track_id;

  memset (c, 0, sizeof *c);
  c->track_id = id;
  c->file_size = file_size;
  if (!open_sizes (trak, fd, id, &sizes, error) ||
      !open_table (trak, fd, id, "stts", 8, TRUE, &stts, &present, error) ||
      !open_table (trak, fd, id, "ctts", 8, FALSE, &ctts, &has_ctts, error) ||
      !open_table (trak, fd, id, "stss", 4, FALSE, &stss, &c->has_stss, error) ||
      !open_table (trak, fd, id, "stsc", 12, TRUE, &stsc, &present, error) ||
      !read_chunk_offsets (trak, fd, id, &stco, &c->large, error))
    return FALSE;
  if (sizes.constant != 0 && (guint64) sizes.constant * sizes.count > file_size)
    return track_error (error, id, "%u samples of %u bytes exceed the file size",
                        sizes.count, sizes.constant);
  c->n = sizes.count;
  c->sizes = sizes.r;
  c->size_constant = sizes.constant;
  c->size_bits = sizes.field_bits;
  c->stts = stts.r;
  c->stts_entries = stts.count;
  if (has_ctts) {
    c->ctts = ctts.r;
    c->ctts_entries = ctts.count;
  }
  if (c->has_stss) {
    c->stss = stss.r;
    c->stss_entries = stss.count;
  }
  c->stsc = stsc.r;
  c->stsc_entries = stsc.count;
  c->next_first = 1;  /* the first entry is read at the first chunk */
  c->stco = stco.r;
  c->n_chunks = stco.count;
  return TRUE;
}

guint32
vpk_mp4_sample_cursor_get_n_samples (const VpkMp4SampleCursor *c)
{
  return c->n;
}

/* Sync: the next stss entry at or after sample @number (1-based). */
static gboolean
cursor_sync (VpkMp4SampleCursor *c, guint32 number, guint32 *out_flags, GError **error)
{
  if (!c->has_stss) {
    *out_flags = VPK_MP4_SAMPLE_FLAGS_SYNC;
    return TRUE;
  }
  /* stss lists sync samples in increasing order (14496-12 8.6.2); a
   * repeated one is harmless, an earlier one cannot be honoured any more. */
  while (c->next_sync < number && c->stss_entries > 0) {
    guint32 previous = c->next_sync;

    c->next_sync = table_u32 (&c->stss);
    c->stss_entries--;
    if (c->next_sync == 0 || c->next_sync > c->n)
      return track_error (error, c->track_id, "stss names sample %u of %u", c->next_sync, c->n);
    if (c->next_sync < previous)
      return track_error (error, c->track_id, "stss lists sample %u after sample %u",
                          c->next_sync, previous);
  }
  *out_flags = c->next_sync == number ? VPK_MP4_SAMPLE_FLAGS_SYNC : VPK_MP4_SAMPLE_FLAGS_NON_SYNC;
  return TRUE;
}

/* Offsets: walks stsc over the chunks of stco/co64. */
static gboolean
cursor_offset (VpkMp4SampleCursor *c, guint32 size, guint64 *out_offset, GError **error)
{
  while (c->left_in_chunk == 0) {
    c->chunk++;
    while (c->stsc_entries > 0 && c->chunk >= c->next_first) {
      guint32 first = table_u32 (&c->stsc);
      guint32 spc = table_u32 (&c->stsc);

      table_u32 (&c->stsc);  /* sample_description_index: one entry is packaged */
      c->stsc_entries--;
      if (first <= c->first_chunk || (c->first_chunk == 0 && first != 1))
        return track_error (error, c->track_id, "stsc entry starts at chunk %u", first);
      c->first_chunk = first;
      c->spc = spc;
      c->next_first = c->stsc_entries > 0 ? table_peek_u32 (&c->stsc) : G_MAXUINT32;
    }
    if (c->chunk > c->n_chunks || c->first_chunk == 0)
      return track_error (error, c->track_id, "stsc/stco place %u of %u samples", c->index,
                          c->n);
    c->left_in_chunk = c->spc;
    c->offset = chunk_offset (&c->stco, c->large, c->chunk - 1);
  }
  if (c->offset > c->file_size || size > c->file_size - c->offset)
    return track_error (error, c->track_id, "sample %u (%u bytes at offset %" G_GUINT64_FORMAT
                        ") lies past the end of the file", c->index + 1, size, c->offset);
  *out_offset = c->offset;
  c->offset += size;
  c->left_in_chunk--;
  return TRUE;
}

gboolean
vpk_mp4_sample_cursor_next (VpkMp4SampleCursor *c, VpkMp4Sample *s, GError **error)
{
  g_return_val_if_fail (c->index < c->n, FALSE);

  memset (s, 0, sizeof *s);
  s->size = next_size (&c->sizes, c->size_constant, c->size_bits, c->index);
  while (c->stts_left == 0) {
    if (c->stts_entries == 0)
      return track_error (error, c->track_id, "stts covers %u of %u samples", c->index, c->n);
    c->stts_left = table_u32 (&c->stts);
    c->delta = table_u32 (&c->stts);
    c->stts_entries--;
  }
  s->dts = c->dts;
  s->duration = c->delta;
  c->dts += c->delta;
  c->stts_left--;
  while (c->ctts_left == 0 && c->ctts_entries > 0) {
    c->ctts_left = table_u32 (&c->ctts);
    c->cts = (gint32) table_u32 (&c->ctts);  /* signed even in version 0, as writers do */
    c->ctts_entries--;
  }
  if (c->ctts_left > 0) {
    s->cts_offset = c->cts;
    c->ctts_left--;
  }
  if (!cursor_sync (c, c->index + 1, &s->flags, error) ||
      !cursor_offset (c, s->size, &s->offset, error))
    return FALSE;
  if (c->sizes.err != 0 || c->stts.err != 0 || c->ctts.err != 0 || c->stss.err != 0 ||
      c->stsc.err != 0 || c->stco.err != 0)
    return track_error (error, c->track_id, "cannot read the sample tables at sample %u",
                        c->index + 1);
  c->index++;
  return TRUE;
}

gboolean
vpk_mp4_track_load_samples (VpkMp4Track *track, const VpkMp4Box *trak, int fd,
                            guint64 file_size, GError **error)
{
  g_autoptr(GArray) samples = NULL;
  VpkMp4SampleCursor cursor;

  if (!vpk_mp4_sample_cursor_init (&cursor, track, trak, fd, file_size, error))
    return FALSE;
  samples = g_array_sized_new (FALSE, TRUE, sizeof (VpkMp4Sample), cursor.n);
  g_array_set_size (samples, cursor.n);
  for (guint32 i = 0; i < cursor.n; i++)
    if (!vpk_mp4_sample_cursor_next (&cursor, &g_array_index (samples, VpkMp4Sample, i), error))
      return FALSE;
  g_clear_pointer (&track->samples, g_array_unref);
  track->samples = g_steal_pointer (&samples);
  vpk_mp4_track_update_totals (track);
  return TRUE;
}

gboolean
vpk_mp4_track_check_samples (VpkMp4Track *track, const VpkMp4Box *trak, int fd,
                             guint64 file_size, GError **error)
{
  VpkMp4SampleCursor cursor;
  VpkMp4Totals totals = { 0 };

  if (!vpk_mp4_sample_cursor_init (&cursor, track, trak, fd, file_size, error))
    return FALSE;
  while (vpk_mp4_sample_cursor_has_next (&cursor)) {
    VpkMp4Sample s;

    if (!vpk_mp4_sample_cursor_next (&cursor, &s, error))
      return FALSE;
    vpk_mp4_totals_add (&totals, &s);
  }
  vpk_mp4_track_set_totals (track, &totals);
  return TRUE;
}

gboolean
vpk_mp4_track_count_samples (VpkMp4Track *track, const VpkMp4Box *trak, int fd, GError **error)
{
  SizeTable sizes;
  Table stts;
  gboolean present;
  guint64 covered = 0;

  if (!open_sizes (trak, fd, track->track_id, &sizes, error) ||
      !open_table (trak, fd, track->track_id, "stts", 8, TRUE, &stts, &present, error))
    return FALSE;
  track->n_samples = sizes.count;
  track->total_size = 0;
  for (guint32 i = 0; i < sizes.count; i++)
    track->total_size += next_size (&sizes.r, sizes.constant, sizes.field_bits, i);
  track->total_duration = 0;
  track->common_duration = 0;
  for (guint32 e = 0; e < stts.count && covered < sizes.count; e++) {
    guint32 count = table_u32 (&stts.r), delta = table_u32 (&stts.r);

    count = (guint32) MIN ((guint64) count, sizes.count - covered);
    covered += count;
    track->total_duration += (guint64) count * delta;
    track->common_duration = (e == 0 || track->common_duration == delta) ? delta : 0;
  }
  if (sizes.r.err != 0 || stts.r.err != 0)
    return track_error (error, track->track_id, "cannot read the sample tables");
  return TRUE;
}

void
vpk_mp4_track_set_totals (VpkMp4Track *track, const VpkMp4Totals *totals)
{
  track->n_samples = totals->n;
  track->total_size = totals->size;
  track->total_duration = totals->duration;
  track->common_duration = totals->common;
}

void
vpk_mp4_track_update_totals (VpkMp4Track *track)
{
  VpkMp4Totals totals = { 0 };

  for (guint i = 0; i < track->samples->len; i++)
    vpk_mp4_totals_add (&totals, &g_array_index (track->samples, VpkMp4Sample, i));
  vpk_mp4_track_set_totals (track, &totals);
}
