/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <gio/gio.h>
#include <vpack/vpk-version.h>
#include <vpack/vpk-key.h>
#include <vpack/vpk-media-info.h>

G_BEGIN_DECLS

typedef enum {
  VPK_STAGE_INGEST,
  VPK_STAGE_FRAGMENT,
  VPK_STAGE_ENCRYPT,
  VPK_STAGE_PACKAGE,
  VPK_STAGE_N_KINDS
} VpkStageKind;

VPK_API const char *vpk_stage_kind_to_string   (VpkStageKind kind);
VPK_API gboolean    vpk_stage_kind_from_string (const char   *name,
                                                VpkStageKind *out_kind);

typedef enum {
  VPK_SCHEME_CBCS,   /* AES-128-CBC, 1:9 pattern for video, constant IV */
  VPK_SCHEME_CENC,   /* AES-128-CTR, per-sample IV */
} VpkScheme;

typedef enum {
  VPK_ENCRYPT_VIDEO,  /* the video track only, as the original service */
  VPK_ENCRYPT_ALL,
} VpkEncryptTracks;

typedef enum {
  VPK_PROFILE_LIVE,       /* SegmentTemplate + SegmentTimeline, one file per segment */
  VPK_PROFILE_ON_DEMAND,  /* one file per representation, SegmentBase + sidx */
} VpkProfile;

VPK_API const char *vpk_scheme_to_string   (VpkScheme scheme);
VPK_API gboolean    vpk_scheme_from_string (const char *text, VpkScheme *out_scheme);
VPK_API const char *vpk_encrypt_tracks_to_string   (VpkEncryptTracks tracks);
VPK_API gboolean    vpk_encrypt_tracks_from_string (const char *text, VpkEncryptTracks *out_tracks);
VPK_API const char *vpk_profile_to_string   (VpkProfile profile);
VPK_API gboolean    vpk_profile_from_string (const char *text, VpkProfile *out_profile);

/**
 * VpkPackageOptions:
 *
 * How a job is packaged: `[package]` of the config, overridden per job.
 * Owned by the job; read-only for stages. New members are appended.
 */
typedef struct {
  VpkScheme        scheme;
  VpkEncryptTracks encrypt;
  VpkProfile       profile;
  guint            segment_duration_ms;  /* target; segments start at sync samples */
  gboolean         use_time_template;    /* $Time$ instead of $Number$ in live */
  gboolean         verify;               /* package stage checks its output at the end */
  char            *license_url;          /* ClearKey license URL written into the MPD, or NULL */
} VpkPackageOptions;

/**
 * VpkArtifact:
 *
 * What one stage leaves for the next (DESIGN §3): files, listed in order.
 */
typedef enum {
  VPK_ARTIFACT_SOURCE,      /* the stored input file */
  VPK_ARTIFACT_FRAGMENTED,  /* fragmented MP4: one file per track or one multi-track file */
  VPK_ARTIFACT_ENCRYPTED,   /* the same, CENC-encrypted */
  VPK_ARTIFACT_PACKAGE,     /* the output folder holding stream.mpd */
  VPK_ARTIFACT_N_KINDS
} VpkArtifact;

typedef struct _VpkJob VpkJob;

/* Called from the worker thread; @fraction is the current stage's, 0..1. */
typedef void (*VpkProgressFunc) (VpkJob       *job,
                                 VpkStageKind  stage,
                                 double        fraction,
                                 gpointer      user_data);

VPK_API VpkJob       *vpk_job_new      (const char  *id,
                                        const char  *workdir,
                                        GError     **error);
VPK_API VpkJob       *vpk_job_ref      (VpkJob *job);
VPK_API void          vpk_job_unref    (VpkJob *job);

VPK_API const char   *vpk_job_get_id      (VpkJob *job);
/* A private folder (mode 0700) that the job owns; stages write only below it. */
VPK_API const char   *vpk_job_get_workdir (VpkJob *job);
/* A new sub-folder of the work folder for @stage (created 0700, emptied first). */
VPK_API char         *vpk_job_make_stage_dir (VpkJob       *job,
                                              const char   *name,
                                              GError      **error);

/* (transfer none) (nullable): a NULL-terminated list of paths */
VPK_API const char * const *vpk_job_get_artifact (VpkJob      *job,
                                                  VpkArtifact  kind);
/* Returns the first path of an artifact, or NULL. */
VPK_API const char   *vpk_job_get_artifact_path (VpkJob      *job,
                                                 VpkArtifact  kind);
/* Copies @paths (NULL-terminated). */
VPK_API void          vpk_job_set_artifact (VpkJob             *job,
                                            VpkArtifact         kind,
                                            const char * const *paths);
VPK_API void          vpk_job_set_artifact_path (VpkJob      *job,
                                                 VpkArtifact  kind,
                                                 const char  *path);

/* (transfer none) (nullable) */
VPK_API const VpkMediaInfo *vpk_job_get_media_info (VpkJob *job);
/* Takes @info. */
VPK_API void          vpk_job_take_media_info (VpkJob       *job,
                                               VpkMediaInfo *info);

VPK_API void          vpk_job_set_keys (VpkJob       *job,
                                        const VpkKey *kid,
                                        const VpkKey *key);
/* FALSE when no keys were set. Copies into @out_kid / @out_key. */
VPK_API gboolean      vpk_job_get_keys (VpkJob *job,
                                        VpkKey *out_kid,
                                        VpkKey *out_key);

/* (transfer none): never NULL; options are set before the job runs */
VPK_API const VpkPackageOptions *vpk_job_get_options (VpkJob *job);
VPK_API void          vpk_job_set_options (VpkJob                  *job,
                                           const VpkPackageOptions *options);

VPK_API void          vpk_job_set_progress_func (VpkJob          *job,
                                                 VpkProgressFunc  func,
                                                 gpointer         user_data);
/* Stages report their own progress, 0..1; calls are rate-limited by the caller's func. */
VPK_API void          vpk_job_report_progress (VpkJob       *job,
                                               VpkStageKind  stage,
                                               double        fraction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkJob, vpk_job_unref)

G_END_DECLS
