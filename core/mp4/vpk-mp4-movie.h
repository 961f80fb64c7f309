/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"
#include "vpk-mp4-fragments.h"
#include "vpk-mp4-track.h"

G_BEGIN_DECLS

/**
 * VpkMp4Movie:
 *
 * An opened MP4/MOV: its moov in memory and one VpkMp4Track per trak
 * (samples not loaded). Progressive and fragmented files alike.
 */
typedef struct {
  char                  *path;
  int                    fd;
  guint64                file_size;
  guint32                major_brand;   /* ftyp; 0 without ftyp */
  VpkMp4Box             *ftyp;          /* (owned) (nullable) */
  VpkMp4Box             *moov;          /* (owned) */
  guint32                timescale;     /* mvhd */
  guint64                duration;      /* mvhd (or mehd), in @timescale; 0 when unknown */
  VpkMp4FragmentReader  *fragments;     /* (owned) (nullable): set for fragmented files */
  GPtrArray             *traks;         /* (element-type VpkMp4Box) (transfer none) */
  GPtrArray             *tracks;        /* (element-type VpkMp4Track) (owned) */
} VpkMp4Movie;

/* Opens @path: sniffs it (VPK_ERROR_NOT_SUPPORTED when not ISO BMFF), walks
 * the top-level boxes (a box past the end of file is VPK_ERROR_INVALID_DATA),
 * loads moov and reads each trak. */
VPK_API VpkMp4Movie *vpk_mp4_movie_open (const char  *path,
                                         GError     **error);
VPK_API void         vpk_mp4_movie_free (VpkMp4Movie *movie);
/* Checks every sample as loading would and sets the track's totals, keeping
 * none (a progressive track is walked, not expanded). */
VPK_API gboolean     vpk_mp4_movie_check_samples (VpkMp4Movie  *movie,
                                                  guint         index,
                                                  GError      **error);
/* Counts them only (cheap; for tracks that are not packaged). */
VPK_API gboolean     vpk_mp4_movie_count_samples (VpkMp4Movie  *movie,
                                                  guint         index,
                                                  GError      **error);

/**
 * VpkMp4TrackWalk:
 *
 * One track's samples in order, one at a time, whatever the file: a
 * progressive track through its sample tables (VpkMp4SampleCursor), a
 * fragmented one a fragment at a time through a fragment reader of its own.
 * Memory does not grow with the track. Copying it copies the walk only for a
 * progressive movie.
 */
typedef struct {
  /*< private >*/
  VpkMp4SampleCursor    cursor;
  VpkMp4SampleCursor    start;     /* the cursor at the first sample, for rewinding */
  VpkMp4FragmentReader *reader;    /* (owned): for a fragmented movie */
  guint32               track_id;
  GArray               *fragment;  /* its samples in the current fragment */
  guint                 index;     /* the next one there */
  guint64               n;
  guint64               taken;
} VpkMp4TrackWalk;

/* Starts at tracks->pdata[@index]'s first sample; counts them first in a
 * fragmented movie (the moofs are read twice, the samples kept of one
 * fragment). */
VPK_API gboolean     vpk_mp4_movie_walk_track (VpkMp4Movie      *movie,
                                               guint             index,
                                               VpkMp4TrackWalk  *walk,
                                               GError          **error);
VPK_API guint64      vpk_mp4_track_walk_get_n_samples (const VpkMp4TrackWalk *walk);
/* The next sample (call while fewer than n_samples were taken). */
VPK_API gboolean     vpk_mp4_track_walk_next (VpkMp4TrackWalk  *walk,
                                              VpkMp4Sample     *out_sample,
                                              GError          **error);
/* Back to the first sample (without counting again). */
VPK_API void         vpk_mp4_track_walk_rewind (VpkMp4TrackWalk *walk);
VPK_API void         vpk_mp4_track_walk_clear (VpkMp4TrackWalk *walk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4Movie, vpk_mp4_movie_free)

G_END_DECLS
