/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-box.h"

G_BEGIN_DECLS

/**
 * VpkMp4AacConfig:
 *
 * What the esds of an 'mp4a' entry says.
 */
typedef struct {
  guint8  object_type_indication;  /* 0x40 for MPEG-4 audio */
  guint   audio_object_type;       /* the first (signalled) one: 2 LC, 5 SBR, 29 PS */
  guint   sample_rate;             /* 0 when unknown */
  guint   channels;                /* channelConfiguration mapped to a count, 0 unknown */
} VpkMp4AacConfig;

/* Reads the ES_Descriptor of @esds (a leaf 'esds' box). */
VPK_API gboolean vpk_mp4_aac_config_parse (const VpkMp4Box  *esds,
                                           VpkMp4AacConfig  *out_config);
/* Channels (LFE included) from a 'dac3' or 'dec3' box; 0 when unreadable. */
VPK_API guint    vpk_mp4_ac3_channels (const VpkMp4Box *config);
/* (transfer full) (nullable): the RFC 6381 codecs string of @sample_entry
 * ("avc1.64001f", "hvc1.1.6.L93.B0", "mp4a.40.2", "ac-3"). @codec is the
 * original format (frma) when the entry is encv/enca. */
VPK_API char    *vpk_mp4_codecs_string (guint32          codec,
                                        const VpkMp4Box *sample_entry);

G_END_DECLS
