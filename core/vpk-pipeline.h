/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Runs the four stages of a job with the backends the config names. Internal to
 * the vpack project (CLI and server). */

#include "vpk.h"
#include "vpk-config.h"
#include "vpk-registry.h"

G_BEGIN_DECLS

typedef struct _VpkPipeline VpkPipeline;

/* Hears every stage transition: @backend is NULL when @stage starts (with the
 * first backend to try in @next_backend) and set when it has finished. */
typedef struct {
  void (*stage_started)  (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data);
  void (*stage_finished) (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data);
} VpkPipelineObserver;

/* Loads, checks and starts every backend the config names; also checks the
 * groups of backends the config configures but does not use. Fails (with the
 * reason) when a backend is missing, refused, or does not offer a stage it is
 * named for. @registry must outlive the pipeline. */
VPK_API VpkPipeline *vpk_pipeline_new  (VpkRegistry      *registry,
                                        const VpkConfig  *config,
                                        GError          **error);
VPK_API void         vpk_pipeline_free (VpkPipeline *pipeline);

/* (transfer none): the backend names of @stage, in the order they are tried */
VPK_API const char * const *vpk_pipeline_get_backends (VpkPipeline  *pipeline,
                                                       VpkStageKind  stage);

/* Runs stages @first..package of @job in order, on the calling thread. A
 * backend that declines (VPK_ERROR_NOT_SUPPORTED) passes the job to the next
 * one of its stage; any other failure stops the job, the error prefixed with
 * the stage and backend. Where one backend is named first for several
 * stages in a row and has run_chain (and [pipeline] single_pass is on), it
 * runs them in one call; if it declines, they run one by one as above. */
VPK_API gboolean     vpk_pipeline_run  (VpkPipeline                *pipeline,
                                        VpkJob                     *job,
                                        VpkStageKind                first,
                                        const VpkPipelineObserver  *observer,
                                        gpointer                    observer_data,
                                        GCancellable               *cancellable,
                                        GError                    **error);

/* Runs one stage only. */
VPK_API gboolean     vpk_pipeline_run_stage (VpkPipeline                *pipeline,
                                             VpkJob                     *job,
                                             VpkStageKind                stage,
                                             const VpkPipelineObserver  *observer,
                                             gpointer                    observer_data,
                                             GCancellable               *cancellable,
                                             GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPipeline, vpk_pipeline_free)

G_END_DECLS
