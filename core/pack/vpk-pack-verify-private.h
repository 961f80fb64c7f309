/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parts of the package verifier: vpk-pack-verify-media.c reads init and
 * media segments (protection boxes, sample auxiliary information, decryption,
 * NAL units), vpk-pack-verify-source.c reads the source's samples in step and
 * vpk-pack-verify.c walks the MPD and its files. */

#include "pack/vpk-pack-verify-samples.h"
#include "cenc/vpk-cenc-boxes.h"
#include "mp4/vpk-mp4-file.h"
#include "mp4/vpk-mp4-fragments.h"
#include "mp4/vpk-mp4-movie.h"

G_BEGIN_DECLS

/* The source track a packaged track is compared with, read in step with it. */
typedef struct _VpkPackVerifySource VpkPackVerifySource;

/* One packaged track, as its init segment describes it. */
typedef struct {
  VpkMp4Track *track;            /* (owned) */
  guint        index;            /* in the package, from 0 */
  const char  *kind;             /* "video", "audio" or "other" */
  gboolean     encrypted;
  VpkScheme    scheme;
  VpkCencTenc  tenc;
  guint        nal_length_size;  /* 0: the samples are not NAL units */
  gint64       next_dts;         /* where the last fragment ended */
  guint64      n_samples;        /* seen so far */
  VpkPackVerifySource *source;  /* (owned) (nullable) */
} VpkPackVerifyTrack;

typedef struct {
  const VpkKey            *kid;
  const VpkKey            *key;
  GPtrArray               *sources;   /* (element-type VpkMp4Movie) (owned) (nullable) */
  VpkPackVerifySampleFunc  func;
  gpointer                 func_data;
  GCancellable            *cancellable;
  VpkPackVerifyReport      report;
  GPtrArray               *tracks;    /* (element-type VpkPackVerifyTrack): the current init's */
  GArray                  *trex;      /* (element-type VpkMp4Trex) (owned) (nullable) */
  GByteArray              *payload;   /* (owned): the current traf's samples, reused */
  guint                    n_video;   /* packaged tracks of each kind so far */
  guint                    n_audio;
} VpkPackVerifier;

void     vpk_pack_verify_track_free (VpkPackVerifyTrack *track);

/* Replaces @v's tracks with those of @moov (from the file named @label):
 * checks each protected sample entry (frma, schm, tenc and its KID) and the
 * common pssh, and matches each track with its source track when @v has a source. */
gboolean vpk_pack_verify_read_init (VpkPackVerifier  *v,
                                    const VpkMp4Box  *moov,
                                    const char       *label,
                                    GError          **error);

/* Checks and decrypts every fragment among @boxes (the top-level boxes of
 * the file open as @fd); counts the fragments in @out_n_fragments (optional). */
gboolean vpk_pack_verify_fragments (VpkPackVerifier  *v,
                                    int               fd,
                                    guint64           file_size,
                                    GArray           *boxes,
                                    const char       *label,
                                    guint            *out_n_fragments,
                                    GError          **error);

/* Sets @t->source to the source track of @t's kind and rank. */
gboolean vpk_pack_verify_open_source (VpkPackVerifier     *v,
                                      VpkPackVerifyTrack  *t,
                                      guint                rank,
                                      GError             **error);

void     vpk_pack_verify_source_free (VpkPackVerifySource *source);

/* Compares sample @t->n_samples of @t, decrypted (@data), with the next sample
 * of its source track. */
gboolean vpk_pack_verify_compare_source (VpkPackVerifier     *v,
                                         VpkPackVerifyTrack  *t,
                                         const guint8        *data,
                                         gsize                size,
                                         const char          *label,
                                         GError             **error);

/* At the end: every track must have as many samples as its source track. */
gboolean vpk_pack_verify_check_counts (VpkPackVerifier  *v,
                                       GError          **error);

/* Sets VPK_ERROR_VERIFY with a message; returns FALSE. */
gboolean vpk_pack_verify_fail (GError     **error,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackVerifyTrack, vpk_pack_verify_track_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackVerifySource, vpk_pack_verify_source_free)

G_END_DECLS
