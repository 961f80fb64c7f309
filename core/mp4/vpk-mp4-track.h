/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"

G_BEGIN_DECLS

/* ISO sample_flags (14496-12 8.8.3.1) for a sync sample and for any other. */
#define VPK_MP4_SAMPLE_FLAGS_SYNC     0x02000000u  /* depends on no other sample */
#define VPK_MP4_SAMPLE_FLAGS_NON_SYNC 0x01010000u  /* depends on others, is_non_sync */
#define VPK_MP4_SAMPLE_IS_SYNC(flags) (((flags) & 0x00010000u) == 0)

/* Most samples one track may have (bounds the sample array). */
#define VPK_MP4_MAX_SAMPLES (1u << 23)

/**
 * VpkMp4Sample:
 *
 * One sample of a track, 32 bytes, whether it came from progressive sample
 * tables or from moof/trun.
 */
typedef struct {
  guint64 offset;      /* absolute file offset of its data */
  gint64  dts;         /* decode time in the media timescale, first sample at 0 */
  guint32 size;
  guint32 duration;
  gint32  cts_offset;  /* composition minus decode time */
  guint32 flags;       /* ISO sample_flags; see VPK_MP4_SAMPLE_IS_SYNC */
} VpkMp4Sample;

/**
 * VpkMp4Track:
 *
 * What a trak says about its media, plus (when loaded) its samples.
 */
typedef struct {
  guint32    track_id;
  guint32    handler;          /* hdlr handler_type: 'vide', 'soun', ... */
  guint32    timescale;        /* mdhd */
  guint64    media_duration;   /* mdhd, in @timescale; 0 when unknown */
  char       language[4];      /* ISO 639-2/T, "und" when unknown */
  guint32    entry_type;       /* the first stsd entry's fourcc (encv for encrypted) */
  guint32    codec;            /* the original format: frma for encv/enca, else entry_type */
  gboolean   encrypted;
  guint32    n_entries;        /* stsd entry_count */
  VpkMp4Box *sample_entry;     /* (owned) (nullable): a copy of the first stsd entry */
  guint32    width;
  guint32    height;
  guint32    channels;
  guint32    sample_rate;
  /* Edit list (elst), in the movie timescale for durations, media for times. */
  guint32    movie_timescale;
  guint64    edit_empty_duration;  /* a leading empty edit (start delay) */
  gint64     edit_media_time;      /* media_time of the first non-empty edit; 0 if none */
  guint64    edit_duration;        /* its segment_duration, 0 when absent */
  /* Samples: filled by vpk_mp4_track_load_samples() or from fragments. */
  GArray    *samples;          /* (element-type VpkMp4Sample) (nullable) */
  guint64    n_samples;        /* stsz count even when @samples is not loaded */
  guint64    total_size;       /* bytes of sample data */
  guint64    total_duration;   /* sum of sample durations, media timescale */
  guint32    common_duration;  /* the duration every sample has, 0 when they differ */
} VpkMp4Track;

/* Reads tkhd, mdia/mdhd, hdlr, stsd and elst of @trak; no samples yet. */
VPK_API VpkMp4Track *vpk_mp4_track_new (const VpkMp4Box  *trak,
                                        guint32           movie_timescale,
                                        GError          **error);
VPK_API void         vpk_mp4_track_free (VpkMp4Track *track);

/**
 * VpkMp4TableReader:
 *
 * Reads one sample table's payload in order (with a little look-back), from
 * memory or, for a table left in the file (VpkMp4Box.file_size), through a
 * window of its own: copying the struct copies the position and the window.
 */
typedef struct {
  /*< private >*/
  const guint8 *mem;        /* the payload in memory; NULL when in the file */
  int           fd;
  guint64       start;      /* file offset of the payload */
  guint64       size;       /* payload bytes */
  guint64       pos;        /* the next byte, from the payload's start */
  guint64       win_pos;    /* payload position of win[0] */
  guint         win_len;
  int           err;        /* errno of a failed read (sticky), 0 when none */
  guint8        win[1024];
} VpkMp4TableReader;

/**
 * VpkMp4SampleCursor:
 *
 * Walks a progressive trak's sample tables (stsz/stz2, stts, ctts, stss,
 * stsc, stco/co64) one sample at a time without expanding them: the samples
 * vpk_mp4_track_load_samples() lists, in order, with the same checks, made
 * as each sample is reached. Memory does not grow with the track, even for
 * tables left in the file (read through small windows). It points into the
 * trak's boxes, which must outlive it; copying it copies the walk.
 */
typedef struct {
  /*< private >*/
  guint32           track_id;
  guint64           file_size;
  guint32           n;              /* samples (stsz) */
  guint32           index;          /* of the next one */
  VpkMp4TableReader sizes;
  guint32           size_constant;
  guint             size_bits;
  VpkMp4TableReader stts;
  guint32           stts_entries, stts_left, delta;
  gint64            dts;
  VpkMp4TableReader ctts;
  guint32           ctts_entries, ctts_left;
  gint32            cts;
  gboolean          has_stss;
  VpkMp4TableReader stss;
  guint32           stss_entries, next_sync;  /* 1-based; 0: no sync sample left */
  VpkMp4TableReader stsc;
  guint32           stsc_entries, first_chunk, spc, next_first;
  VpkMp4TableReader stco;
  guint32           n_chunks;
  gboolean          large;
  guint32           chunk, left_in_chunk;
  guint64           offset;
} VpkMp4SampleCursor;

/* Checks the tables' headers and counts; the entries are checked as they come.
 * @fd: the file @trak came from, for tables left there (-1 when none are). */
VPK_API gboolean     vpk_mp4_sample_cursor_init (VpkMp4SampleCursor  *cursor,
                                                 const VpkMp4Track   *track,
                                                 const VpkMp4Box     *trak,
                                                 int                  fd,
                                                 guint64              file_size,
                                                 GError             **error);
VPK_API guint32      vpk_mp4_sample_cursor_get_n_samples (const VpkMp4SampleCursor *cursor);
static inline gboolean
vpk_mp4_sample_cursor_has_next (const VpkMp4SampleCursor *cursor)
{
  return cursor->index < cursor->n;
}
/* The next sample (call while has_next); FALSE with @error when the tables
 * are wrong there (or cannot be read). */
VPK_API gboolean     vpk_mp4_sample_cursor_next (VpkMp4SampleCursor  *cursor,
                                                 VpkMp4Sample        *out_sample,
                                                 GError             **error);

/* Expands stts/ctts/stsc/stsz/stco/stss of @trak into @track->samples,
 * checking every count against its box and every sample against @file_size
 * (@fd as for vpk_mp4_sample_cursor_init()). */
VPK_API gboolean     vpk_mp4_track_load_samples (VpkMp4Track      *track,
                                                 const VpkMp4Box  *trak,
                                                 int               fd,
                                                 guint64           file_size,
                                                 GError          **error);
/* Counts samples and durations only (stsz, stts), for tracks that are not packaged. */
VPK_API gboolean     vpk_mp4_track_count_samples (VpkMp4Track      *track,
                                                  const VpkMp4Box  *trak,
                                                  int               fd,
                                                  GError          **error);
/* Walks every sample (checking the tables to the end) and sets n_samples,
 * total_size, total_duration and common_duration, keeping no sample. */
VPK_API gboolean     vpk_mp4_track_check_samples (VpkMp4Track      *track,
                                                  const VpkMp4Box  *trak,
                                                  int               fd,
                                                  guint64           file_size,
                                                  GError          **error);
/**
 * VpkMp4Totals:
 *
 * A track's totals, summed over its samples given in order (zero-fill, then
 * vpk_mp4_totals_add() each): count, bytes, duration, and the duration every
 * sample but the last has (the last one is often rounded), 0 when they differ.
 */
typedef struct {
  guint64 n;
  guint64 size;
  guint64 duration;
  guint32 common;
  guint32 last;
} VpkMp4Totals;

static inline void
vpk_mp4_totals_add (VpkMp4Totals *t, const VpkMp4Sample *s)
{
  if (t->n == 0)
    t->common = s->duration;
  else if (t->last != t->common)
    t->common = 0;
  t->last = s->duration;
  t->n++;
  t->size += s->size;
  t->duration += s->duration;
}

/* Sets n_samples, total_size, total_duration and common_duration. */
VPK_API void         vpk_mp4_track_set_totals (VpkMp4Track         *track,
                                               const VpkMp4Totals  *totals);
/* Recomputes n_samples, total_size, total_duration and common_duration from @samples. */
VPK_API void         vpk_mp4_track_update_totals (VpkMp4Track *track);

/* TRUE for avc1/avc3/hvc1/hev1, AAC in mp4a, ac-3 and ec-3. */
VPK_API gboolean     vpk_mp4_track_is_packageable (const VpkMp4Track *track);
VPK_API gboolean     vpk_mp4_track_is_video (const VpkMp4Track *track);
VPK_API gboolean     vpk_mp4_track_is_audio (const VpkMp4Track *track);
/* (nullable): the codec configuration box (avcC, hvcC, esds, dac3, dec3). */
VPK_API VpkMp4Box   *vpk_mp4_track_get_config (const VpkMp4Track *track);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4Track, vpk_mp4_track_free)

G_END_DECLS
