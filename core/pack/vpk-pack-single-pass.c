/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-single-pass.h"
#include "pack/vpk-pack-io.h"
#include "mp4/vpk-mp4-fragmenter.h"

/* One track of the plan: its init through the encryptor into the segmenter,
 * then each fragment the same way, the payload buffer reused throughout. */
static gboolean
pass_track (VpkMp4FragmentPlan          *plan,
            guint                        k,
            const VpkPackEncryptParams  *encrypt,
            VpkPackSegmenter            *seg,
            GByteArray                  *payload,
            guint                       *n_protected,
            guint64                     *done_bytes,
            GCancellable                *cancellable,
            VpkPackProgressFunc          progress,
            gpointer                     progress_data,
            GError                     **error)
{
  g_autoptr(VpkMp4Box) moov = vpk_mp4_fragment_plan_begin_track (plan, k, error);
  g_autoptr(VpkPackEncryptor) enc = NULL;
  guint64 total = MAX (vpk_mp4_fragment_plan_get_file_size (plan), 1);
  int fd = vpk_mp4_fragment_plan_get_fd (plan);

  if (moov == NULL || (enc = vpk_pack_encryptor_new (moov, encrypt, error)) == NULL ||
      !vpk_pack_segmenter_add_init (seg, moov, error))
    return FALSE;
  *n_protected += vpk_pack_encryptor_get_n_protected (enc);
  for (;;) {
    g_autoptr(VpkMp4Fragment) fragment = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !vpk_mp4_fragment_plan_next (plan, &fragment, error))
      return FALSE;
    if (fragment == NULL)
      return TRUE;
    g_byte_array_set_size (payload, 0);
    if (!vpk_pack_encryptor_process (enc, fd, fragment, payload, error) ||
        !vpk_pack_segmenter_add_fragment (seg, fragment, fd, payload->data, error))
      return FALSE;
    *done_bytes += payload->len;
    if (progress != NULL)
      progress (MIN (1.0, (double) *done_bytes / total), progress_data);
  }
}

gboolean
vpk_pack_single_pass (const char                  *src,
                      const char                  *outdir,
                      guint                        segment_duration_ms,
                      const VpkPackEncryptParams  *encrypt,
                      const VpkPackSegmentParams  *segment,
                      GCancellable                *cancellable,
                      VpkPackProgressFunc          progress,
                      gpointer                     progress_data,
                      GError                     **error)
{
  g_autoptr(VpkMp4FragmentPlan) plan = vpk_mp4_fragment_plan_new (src, segment_duration_ms,
                                                                   error);
  g_autoptr(VpkPackSegmenter) seg = NULL;
  g_autoptr(VpkPackBuffer) payload = NULL;
  guint n_protected = 0;
  guint64 done_bytes = 0;

  if (plan == NULL)
    return FALSE;
  seg = vpk_pack_segmenter_new (outdir, segment);
  payload = vpk_pack_buffer_take ();
  for (guint k = 0; k < vpk_mp4_fragment_plan_get_n_tracks (plan); k++)
    if (!pass_track (plan, k, encrypt, seg, payload, &n_protected, &done_bytes, cancellable,
                     progress, progress_data, error))
      return FALSE;
  if (n_protected == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "no track to encrypt (no video track)");
    return FALSE;
  }
  return vpk_pack_segmenter_finish (seg, error);
}
