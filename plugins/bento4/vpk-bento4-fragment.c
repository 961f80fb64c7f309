/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

/* fragment: `mp4fragment --fragment-duration MS SOURCE OUT` → one multi-track
 * fragmented MP4 (the artifact contract accepts one file for all tracks).
 * mp4fragment starts each video fragment at a sync sample and keeps the track
 * ids, so the ingest's media info still describes the output. */

/**
 * vpk_bento4_fragment:
 *
 * Writes `<workdir>/fragment/fragmented.mp4`. Declines a source that is not MP4
 * or QuickTime (say, a Matroska file another backend ingested).
 */
gboolean
vpk_bento4_fragment (gpointer       self,
                     VpkJob        *job,
                     GCancellable  *cancellable,
                     GError       **error)
{
  VpkBento4 *b = self;
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  const VpkPackageOptions *options = vpk_job_get_options (job);
  g_autofree char *duration = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *output = NULL;

  if (source == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "The job has no source file"), FALSE;
  if (vpk_bento4_is_foreign (source))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                        "'%s' is not an MP4 or QuickTime file (mp4fragment reads no other)",
                        source), FALSE;

  dir = vpk_job_make_stage_dir (job, "fragment", error);
  if (dir == NULL)
    return FALSE;
  output = g_build_filename (dir, "fragmented.mp4", NULL);
  duration = g_strdup_printf ("%u", options->segment_duration_ms > 0
                                      ? options->segment_duration_ms : 4000);

  {
    const char *argv[] = { b->mp4fragment, "--fragment-duration", duration, source, output, NULL };

    vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 0.0);
    if (!vpk_bento4_run_tool (b, argv, NULL, cancellable, error))
      return FALSE;
  }

  vpk_job_set_artifact_path (job, VPK_ARTIFACT_FRAGMENTED, output);
  vpk_job_report_progress (job, VPK_STAGE_FRAGMENT, 1.0);
  return TRUE;
}
