/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-native.h"

#include "mp4/vpk-mp4-fragmenter.h"

gboolean vpk_native_fragment (gpointer self, VpkJob *job, GCancellable *cancellable,
                              GError **error);

static void
on_progress (double fraction, gpointer user_data)
{
  vpk_job_report_progress (user_data, VPK_STAGE_FRAGMENT, fraction);
}

/* Writes one fragmented MP4 per packageable track (video first) into the
 * stage folder and lists them as the FRAGMENTED artifact. */
gboolean
vpk_native_fragment (gpointer       self,
                     VpkJob        *job,
                     GCancellable  *cancellable,
                     GError       **error)
{
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  g_autofree char *dir = NULL;
  g_auto(GStrv) paths = NULL;

  if (source == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "the job has no source file");
    return FALSE;
  }
  dir = vpk_job_make_stage_dir (job, "fragment", error);
  if (dir == NULL)
    return FALSE;
  if (!vpk_mp4_fragment_file (source, dir, vpk_job_get_options (job)->segment_duration_ms,
                              cancellable, on_progress, job, &paths, error))
    return FALSE;
  vpk_job_set_artifact (job, VPK_ARTIFACT_FRAGMENTED, (const char * const *) paths);
  return TRUE;
}
