/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* package (native): encrypted fragmented files → DASH (stream.mpd + segments),
 * then, when [package] verify is on, the package is read back and checked.
 * The chain (fragment to package in one pass) lives here too: it ends the
 * same way. */
#include "vpk-native.h"
#include "pack/vpk-pack-segment.h"
#include "pack/vpk-pack-single-pass.h"
#include "pack/vpk-pack-verify.h"

static void
on_progress (double fraction, gpointer data)
{
  /* Segmenting is most of the work; verifying is the last tenth. */
  vpk_job_report_progress (data, VPK_STAGE_PACKAGE, fraction * 0.9);
}

/* Reads the package in @dir back against @sources; VPK_ERROR_VERIFY when it
 * does not verify (never NOT_SUPPORTED: that would hand a finished package
 * to the next backend). */
static gboolean
verify_package (const char          *dir,
                const VpkKey        *kid,
                const VpkKey        *key,
                const char * const  *sources,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  if (vpk_pack_verify (dir, kid, key, sources, cancellable, NULL, &local_error))
    return TRUE;
  if (g_error_matches (local_error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED))
    local_error->code = VPK_ERROR_VERIFY;
  g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                              "the package does not verify: ");
  return FALSE;
}

static VpkPackSegmentParams
segment_params (const VpkPackageOptions *options)
{
  VpkPackSegmentParams params = {
    .profile = options->profile,
    .use_time_template = options->use_time_template,
    .scheme = options->scheme,
    .license_url = options->license_url,
  };

  return params;
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
  VpkPackSegmentParams params = segment_params (options);
  VpkKey key;
  gboolean ok;

  if (inputs == NULL || inputs[0] == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "the job has no encrypted files");
    return FALSE;
  }
  if (!vpk_job_get_keys (job, &params.kid, &key)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "the job has no key and KID");
    return FALSE;
  }
  dir = vpk_job_make_stage_dir (job, "package", error);
  /* Every decrypted sample is compared with the clear fragmented files it was
   * made from, whichever backend fragmented them (GStreamer may trim an AAC
   * priming frame that the source has, so the source itself is not the reference). */
  ok = dir != NULL &&
       vpk_pack_segment_files (inputs, dir, &params, cancellable, on_progress, job, error) &&
       (!options->verify ||
        verify_package (dir, &params.kid, &key, vpk_job_get_artifact (job, VPK_ARTIFACT_FRAGMENTED),
                        cancellable, error));
  vpk_key_clear (&key);
  if (!ok)
    return FALSE;
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_PACKAGE, dir);
  return TRUE;
}

/* The single pass reports its progress over the stages it stands for. */
typedef struct {
  VpkJob       *job;
  VpkStageKind  first;
  guint         n_stages;
} ChainProgress;

static void
on_chain_progress (double fraction, gpointer data)
{
  ChainProgress *p = data;
  double at = fraction * 0.9 * p->n_stages;  /* verifying is the last tenth */
  guint k = MIN ((guint) at, p->n_stages - 1);

  vpk_job_report_progress (p->job, p->first + k, at - k);
}

/* fragment + encrypt + package in one pass over the source (no fragmented or
 * encrypted copies), verified against the source itself: the native
 * fragmenter keeps every sample as it is. */
gboolean
vpk_native_chain (gpointer       self,
                  VpkJob        *job,
                  VpkStageKind   first,
                  VpkStageKind   last,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  const VpkPackageOptions *options = vpk_job_get_options (job);
  VpkPackSegmentParams segment = segment_params (options);
  VpkPackEncryptParams encrypt = { .scheme = options->scheme, .tracks = options->encrypt };
  ChainProgress progress = { job, first, last - first + 1 };
  const char *sources[] = { source, NULL };
  g_autofree char *dir = NULL;
  gint64 started = g_get_monotonic_time ();
  gboolean ok;

  if (first != VPK_STAGE_FRAGMENT || last != VPK_STAGE_PACKAGE) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                 "one pass covers fragment to package only");
    return FALSE;
  }
  if (source == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_FOUND, "the job has no source file");
    return FALSE;
  }
  if (!vpk_job_get_keys (job, &encrypt.kid, &encrypt.key)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "the job has no key and KID");
    return FALSE;
  }
  segment.kid = encrypt.kid;
  dir = vpk_job_make_stage_dir (job, "package", error);
  ok = dir != NULL &&
       vpk_pack_single_pass (source, dir, options->segment_duration_ms, &encrypt, &segment,
                             cancellable, on_chain_progress, &progress, error);
  if (ok)
    g_debug ("single pass: %.3f s", (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  ok = ok && (!options->verify ||
        verify_package (dir, &encrypt.kid, &encrypt.key, sources, cancellable, error));
  vpk_key_clear (&encrypt.key);
  if (!ok)
    return FALSE;
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_PACKAGE, dir);
  return TRUE;
}
