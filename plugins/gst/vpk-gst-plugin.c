/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-gst.h"

static const VpkOption gst_options[] = {
  { "transcode", VPK_OPTION_STRING, G_STRUCT_OFFSET (VpkGst, transcode), "auto",
    "auto: transcode codecs that cannot be packaged as they are; never: refuse them" },
  { "video_bitrate", VPK_OPTION_UINT, G_STRUCT_OFFSET (VpkGst, video_bitrate_kbps), "4000",
    "H.264 bitrate in kbit/s when transcoding video" },
  { "audio_bitrate", VPK_OPTION_UINT, G_STRUCT_OFFSET (VpkGst, audio_bitrate_kbps), "128",
    "AAC bitrate in kbit/s when transcoding audio" },
  { "timeout", VPK_OPTION_UINT, G_STRUCT_OFFSET (VpkGst, timeout_seconds), "60",
    "Seconds without progress after which a pipeline is stopped" },
  { NULL }
};

gboolean
vpk_gst_init (gpointer self, GError **error)
{
  VpkGst *gst = self;

  if (g_strcmp0 (gst->transcode, "auto") != 0 && g_strcmp0 (gst->transcode, "never") != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "[gst] transcode: '%s' is not auto or never",
                 gst->transcode);
    return FALSE;
  }
  /* GStreamer itself starts at the first stage that needs it (vpk_gst_start):
   * scanning its registry costs every `vpack` run tens of milliseconds, and
   * most runs never reach a gst stage (it is the fallback after native). */
  return TRUE;
}

gboolean
vpk_gst_start (GError **error)
{
  /* gst_init_check() is idempotent and takes a lock of its own. */
  if (!gst_init_check (NULL, NULL, error)) {
    g_prefix_error (error, "GStreamer cannot start: ");
    return FALSE;
  }
  return TRUE;
}

void
vpk_gst_finalize (gpointer self)
{
  /* gst_deinit () is never called: GStreamer cannot be initialised again in a process. */
}

static const VpkBackend gst_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION,
  .struct_size = sizeof (VpkBackend),
  .name = "gst",
  .description = "GStreamer: ingest and fragment any container GStreamer demuxes",
  .instance_size = sizeof (VpkGst),
  .options = gst_options,
  .init = vpk_gst_init,
  .finalize = vpk_gst_finalize,
  .stages = {
    /* GStreamer 1.22 has no CENC writer and its dashsink is unreliable for files
     * (DESIGN §3): encrypt and package stay with native or bento4. */
    [VPK_STAGE_INGEST] = vpk_gst_ingest,
    [VPK_STAGE_FRAGMENT] = vpk_gst_fragment,
  },
};

VPK_BACKEND_DEFINE (gst, gst_backend)
