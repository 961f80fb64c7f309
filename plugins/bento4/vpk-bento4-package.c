/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

/* package: Bento4's mp4dash over the encrypted file(s).
 *
 * The input is already encrypted (by this backend or another), so mp4dash gets
 * no --encryption-key: it reads each track's KID from its `tenc` box, splits
 * the fragments with mp4split as they are (no second encryption) and writes
 * the ContentProtection elements: the W3C common system with <cenc:pssh>
 * (--eme-signaling=pssh-v1), MPEG Common Encryption with cenc:default_KID
 * (value = --encryption-cenc-scheme), and ClearKey (--clearkey, always: dash.js
 * uses page keys only when the MPD carries it) with the license URL when the
 * job has one (put in vpack's form by vpk-bento4-mpd.c). No key reaches
 * mp4dash's command line. */

static void
add_inputs (GPtrArray          *args,
            const char * const *inputs)
{
  /* mp4dash reads "[selector]path" and options from its arguments: absolute
   * paths start with '/', so a file name is never taken for either. */
  for (guint i = 0; inputs[i] != NULL; i++)
    g_ptr_array_add (args, g_canonicalize_filename (inputs[i], NULL));
}

static GPtrArray *
build_argv (const VpkBento4          *b,
            const VpkPackageOptions  *options,
            const char               *output,
            const char * const       *inputs)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  if (b->mp4dash_python != NULL)
    g_ptr_array_add (args, g_strdup (b->mp4dash_python));
  g_ptr_array_add (args, g_strdup (b->mp4dash));
  /* Where mp4dash finds mp4info, mp4split and mp4fragment. */
  g_ptr_array_add (args, g_strdup ("--exec-dir"));
  g_ptr_array_add (args, g_path_get_dirname (b->mp4split));
  g_ptr_array_add (args, g_strdup ("--output-dir"));
  g_ptr_array_add (args, g_strdup (output));
  g_ptr_array_add (args, g_strdup ("--mpd-name=stream.mpd"));
  if (options->profile == VPK_PROFILE_ON_DEMAND)
    g_ptr_array_add (args, g_strdup ("--profiles=on-demand"));
  else
    g_ptr_array_add (args, g_strdup ("--use-segment-timeline"));
  g_ptr_array_add (args, g_strdup_printf ("--encryption-cenc-scheme=%s",
                                          vpk_scheme_to_string (options->scheme)));
  g_ptr_array_add (args, g_strdup ("--eme-signaling=pssh-v1"));
  g_ptr_array_add (args, g_strdup ("--clearkey"));
  if (options->license_url != NULL && *options->license_url != '\0')
    g_ptr_array_add (args, g_strdup_printf ("--clearkey-license-uri=%s", options->license_url));
  add_inputs (args, inputs);
  g_ptr_array_add (args, NULL);
  return g_steal_pointer (&args);
}

/**
 * vpk_bento4_package:
 *
 * Writes `<workdir>/package/package/` with `stream.mpd` at its top, one folder
 * per representation (live profile: init.mp4 + seg-N.m4s, SegmentTemplate
 * with SegmentTimeline) or one file per representation (on-demand profile:
 * SegmentBase + sidx). Declines `use_time_template`: mp4dash names segments by
 * $Number$ only.
 */
gboolean
vpk_bento4_package (gpointer       self,
                    VpkJob        *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const VpkBento4 *b = self;
  const VpkPackageOptions *options = vpk_job_get_options (job);
  const char * const *inputs = vpk_job_get_artifact (job, VPK_ARTIFACT_ENCRYPTED);
  g_autofree char *dir = NULL;
  g_autofree char *output = NULL;
  g_autofree char *mpd = NULL;
  g_autoptr(GPtrArray) args = NULL;

  if (inputs == NULL || inputs[0] == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "The job has no encrypted file to package"), FALSE;
  if (options->use_time_template && options->profile == VPK_PROFILE_LIVE)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                        "Bento4's mp4dash writes $Number$ segment templates, not $Time$"), FALSE;

  dir = vpk_job_make_stage_dir (job, "package", error);
  if (dir == NULL)
    return FALSE;
  /* mp4dash makes the output folder itself and refuses one that exists. */
  output = g_build_filename (dir, "package", NULL);
  args = build_argv (b, options, output, inputs);
  vpk_job_report_progress (job, VPK_STAGE_PACKAGE, 0.0);
  if (!vpk_bento4_run_tool (b, (const char * const *) args->pdata, NULL, cancellable, error))
    return FALSE;

  mpd = g_build_filename (output, "stream.mpd", NULL);
  if (!g_file_test (mpd, G_FILE_TEST_IS_REGULAR))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED,
                        "'mp4dash' succeeded but wrote no '%s'", mpd), FALSE;
  if (!vpk_bento4_fix_mpd (mpd, error))
    return FALSE;
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_PACKAGE, output);
  vpk_job_report_progress (job, VPK_STAGE_PACKAGE, 1.0);
  return TRUE;
}
