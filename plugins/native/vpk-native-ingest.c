/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-native.h"

#include "mp4/vpk-mp4-probe.h"

gboolean vpk_native_ingest (gpointer self, VpkJob *job, GCancellable *cancellable,
                            GError **error);

/* Probes the stored source from its sample tables; a file that is not
 * ISO BMFF is declined (VPK_ERROR_NOT_SUPPORTED) for the next backend. */
gboolean
vpk_native_ingest (gpointer       self,
                   VpkJob        *job,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  VpkMediaInfo *info;

  if (source == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "the job has no source file");
    return FALSE;
  }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  info = vpk_mp4_probe (source, error);
  if (info == NULL)
    return FALSE;
  vpk_job_take_media_info (job, info);
  return TRUE;
}
