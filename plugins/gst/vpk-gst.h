/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

G_BEGIN_DECLS

typedef struct {
  char    *transcode;          /* auto | never */
  guint64  video_bitrate_kbps;
  guint64  audio_bitrate_kbps;
  guint64  timeout_seconds;    /* no-progress watchdog */
} VpkGst;

gboolean vpk_gst_init     (gpointer self, GError **error);
void     vpk_gst_finalize (gpointer self);

G_END_DECLS
