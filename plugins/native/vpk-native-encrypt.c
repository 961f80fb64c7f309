/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* encrypt (native): each fragmented file of the job → its CENC-encrypted copy. */
#include "vpk-native.h"
#include "pack/vpk-pack-encrypt.h"

typedef struct {
  VpkJob *job;
  guint   index;
  guint   count;
} Progress;

static void
on_progress (double fraction, gpointer data)
{
  Progress *p = data;

  vpk_job_report_progress (p->job, VPK_STAGE_ENCRYPT, (p->index + fraction) / p->count);
}

gboolean
vpk_native_encrypt (gpointer       self,
                    VpkJob        *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const char * const *inputs = vpk_job_get_artifact (job, VPK_ARTIFACT_FRAGMENTED);
  const VpkPackageOptions *options = vpk_job_get_options (job);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  VpkPackEncryptParams params = { .scheme = options->scheme, .tracks = options->encrypt };
  Progress progress = { job, 0, inputs != NULL ? g_strv_length ((char **) inputs) : 0 };
  gboolean ok = TRUE;
  guint n_encrypted = 0;

  if (inputs == NULL || inputs[0] == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "the job has no fragmented files");
    return FALSE;
  }
  if (!vpk_job_get_keys (job, &params.kid, &params.key)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "the job has no key and KID");
    return FALSE;
  }
  dir = vpk_job_make_stage_dir (job, "encrypt", error);
  ok = dir != NULL;

  for (guint i = 0; ok && inputs[i] != NULL; i++) {
    g_autofree char *name = g_path_get_basename (inputs[i]);
    char *output = g_build_filename (dir, name, NULL);
    guint n = 0;

    g_ptr_array_add (outputs, output);
    progress.index = i;
    ok = vpk_pack_encrypt_file (inputs[i], output, &params, cancellable, on_progress, &progress,
                                &n, error);
    n_encrypted += n;
  }
  vpk_key_clear (&params.key);
  if (!ok)
    return FALSE;
  if (n_encrypted == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no track to encrypt (no video track)");
    return FALSE;
  }
  g_ptr_array_add (outputs, NULL);
  vpk_job_set_artifact (job, VPK_ARTIFACT_ENCRYPTED, (const char * const *) outputs->pdata);
  return TRUE;
}
