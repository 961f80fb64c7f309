/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the files of core/dash only. */

#include <libxml/tree.h>

#include "dash/vpk-dash-manifest.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define VPK_DASH_NS_MPD       "urn:mpeg:dash:schema:mpd:2011"
#define VPK_DASH_NS_CENC      "urn:mpeg:cenc:2013"
#define VPK_DASH_NS_CLEARKEY  "http://dashif.org/guidelines/clearKey"
#define VPK_DASH_NS_DASHIF    "https://dashif.org/CPS"

#define VPK_DASH_SCHEME_MP4PROTECTION "urn:mpeg:dash:mp4protection:2011"
#define VPK_DASH_SCHEME_COMMON        "urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"
#define VPK_DASH_SCHEME_CLEARKEY      "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
#define VPK_DASH_SCHEME_AUDIO_CHANNELS \
  "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"

/* xs:duration with millisecond precision: "PT12.345S". */
char    *vpk_dash_format_duration (gint64 us);
/* Parses "PnDTnHnMn.nS" (no years or months); FALSE if malformed. */
gboolean vpk_dash_parse_duration  (const char *text,
                                   gint64     *out_us);

/* libxml2 must be initialised once before threads use it (it is not thread-safe
 * to let two worker threads initialise it lazily at the same time). */
void vpk_dash_xml_init (void);

G_END_DECLS
