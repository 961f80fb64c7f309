/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

/* ingest: `mp4info --format json SOURCE` → the job's media info. Files the
 * later stages cannot package are refused here with the reason. */

static gboolean
check_tracks (const VpkMediaInfo  *info,
              const char          *source,
              GError             **error)
{
  for (guint i = 0; i < info->tracks->len; i++) {
    const VpkTrackInfo *track = g_ptr_array_index (info->tracks, i);

    if (track->encrypted) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "'%s' is already encrypted (track %u is %s)", source, track->id,
                   track->kind == VPK_TRACK_VIDEO ? "encv" : "enca");
      return FALSE;
    }
  }
  if (info->video_track_id == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "'%s' has no video track", source);
    return FALSE;
  }
  return TRUE;
}

/**
 * vpk_bento4_ingest:
 *
 * Reads the source with mp4info. Declines (%VPK_ERROR_NOT_SUPPORTED) a file
 * that is not MP4 or QuickTime, so that a backend listed after bento4 gets it;
 * refuses (%VPK_ERROR_INVALID_DATA) a file without video or already encrypted.
 */
gboolean
vpk_bento4_ingest (gpointer       self,
                   VpkJob        *job,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  g_autoptr(VpkMediaInfo) info = NULL;

  if (source == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "The job has no source file"), FALSE;
  if (vpk_bento4_is_foreign (source))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                        "'%s' is not an MP4 or QuickTime file (Bento4 reads no other)", source),
           FALSE;

  vpk_job_report_progress (job, VPK_STAGE_INGEST, 0.0);
  info = vpk_bento4_probe (self, source, cancellable, error);
  if (info == NULL) {
    g_prefix_error (error, "'%s': ", source);
    return FALSE;
  }
  if (!check_tracks (info, source, error))
    return FALSE;

  vpk_job_take_media_info (job, g_steal_pointer (&info));
  vpk_job_report_progress (job, VPK_STAGE_INGEST, 1.0);
  return TRUE;
}
