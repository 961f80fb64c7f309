/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* package (native): encrypted fragmented files → DASH (stream.mpd + segments),
 * then, when [package] verify is on, the package is read back and checked. */
#include "vpk-native.h"
#include "pack/vpk-pack-segment.h"
#include "pack/vpk-pack-verify.h"

static void
on_progress (double fraction, gpointer data)
{
  /* Segmenting is most of the work; verifying is the last tenth. */
  vpk_job_report_progress (data, VPK_STAGE_PACKAGE, fraction * 0.9);
}

gboolean
vpk_native_package (gpointer       self,
                    VpkJob        *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const char * const *inputs = vpk_job_get_artifact (job, VPK_ARTIFACT_ENCRYPTED);
  const VpkPackageOptions *options = vpk_job_get_options (job);
  g_autofree char *dir = NULL;
  VpkPackSegmentParams params = {
    .profile = options->profile,
    .use_time_template = options->use_time_template,
    .scheme = options->scheme,
    .license_url = options->license_url,
  };
  VpkKey key;

  if (inputs == NULL || inputs[0] == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "the job has no encrypted files");
    return FALSE;
  }
  if (!vpk_job_get_keys (job, &params.kid, &key)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "the job has no key and KID");
    return FALSE;
  }
  dir = vpk_job_make_stage_dir (job, "package", error);
  if (dir == NULL ||
      !vpk_pack_segment_files (inputs, dir, &params, cancellable, on_progress, job, error)) {
    vpk_key_clear (&key);
    return FALSE;
  }
  if (options->verify) {
    g_autoptr(GError) local_error = NULL;
    /* Every decrypted sample against the clear fragmented files it was made from,
     * whichever backend fragmented them (GStreamer may trim an AAC priming
     * frame that the source has, so the source itself is not the reference). */
    gboolean ok = vpk_pack_verify (dir, &params.kid, &key,
                                   vpk_job_get_artifact (job, VPK_ARTIFACT_FRAGMENTED),
                                   cancellable, NULL, &local_error);

    vpk_key_clear (&key);
    if (!ok) {
      /* Never NOT_SUPPORTED here: that would hand a finished package to the next backend. */
      if (g_error_matches (local_error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED))
        local_error->code = VPK_ERROR_VERIFY;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "the package does not verify: ");
      return FALSE;
    }
  }
  vpk_key_clear (&key);
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_PACKAGE, dir);
  return TRUE;
}
