/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dash/vpk-dash-manifest.h"
#include "dash/vpk-dash-private.h"

#include <libxml/parser.h>

static void
representation_free (gpointer data)
{
  VpkDashRepresentation *rep = data;

  g_free (rep->id);
  g_free (rep->codecs);
  g_free (rep->init_template);
  g_free (rep->media_template);
  g_clear_pointer (&rep->timeline, g_array_unref);
  g_free (rep->base_url);
  g_free (rep);
}

static void
adaptation_set_free (gpointer data)
{
  VpkDashAdaptationSet *set = data;

  g_free (set->lang);
  g_free (set->protection.pssh_base64);
  g_free (set->protection.license_url);
  g_clear_pointer (&set->representations, g_ptr_array_unref);
  g_free (set);
}

/**
 * vpk_dash_manifest_new:
 *
 * Returns: (transfer full): an empty manifest for @profile, with a 2 s minBufferTime
 */
VpkDashManifest *
vpk_dash_manifest_new (VpkProfile profile)
{
  VpkDashManifest *manifest = g_new0 (VpkDashManifest, 1);

  manifest->profile = profile;
  manifest->min_buffer_time_us = 2 * G_USEC_PER_SEC;
  manifest->adaptation_sets = g_ptr_array_new_with_free_func (adaptation_set_free);
  return manifest;
}

void
vpk_dash_manifest_free (VpkDashManifest *manifest)
{
  if (manifest == NULL)
    return;
  g_clear_pointer (&manifest->adaptation_sets, g_ptr_array_unref);
  g_free (manifest);
}

/**
 * vpk_dash_manifest_add_adaptation_set:
 *
 * Returns: (transfer none): a new AdaptationSet owned by @manifest, aligned
 *   segments starting with SAP 1
 */
VpkDashAdaptationSet *
vpk_dash_manifest_add_adaptation_set (VpkDashManifest    *manifest,
                                      VpkDashContentType  type)
{
  VpkDashAdaptationSet *set = g_new0 (VpkDashAdaptationSet, 1);

  set->content_type = type;
  set->segment_alignment = TRUE;
  set->start_with_sap = 1;
  set->representations = g_ptr_array_new_with_free_func (representation_free);
  g_ptr_array_add (manifest->adaptation_sets, set);
  return set;
}

/**
 * vpk_dash_adaptation_set_add_representation:
 *
 * Returns: (transfer none): a new Representation owned by @set, startNumber 1
 */
VpkDashRepresentation *
vpk_dash_adaptation_set_add_representation (VpkDashAdaptationSet *set,
                                            const char           *id)
{
  VpkDashRepresentation *rep = g_new0 (VpkDashRepresentation, 1);

  rep->id = g_strdup (id);
  rep->start_number = 1;
  rep->timeline = g_array_new (FALSE, FALSE, sizeof (VpkDashTimelineEntry));
  g_ptr_array_add (set->representations, rep);
  return rep;
}

/**
 * vpk_dash_representation_add_segment:
 * @t: the segment's start time (timescale units)
 * @d: its duration
 *
 * Appends a segment to the timeline, run-length compressed: a segment that
 * follows the last one without a gap and has its duration extends its S@r.
 */
void
vpk_dash_representation_add_segment (VpkDashRepresentation *rep,
                                     guint64                t,
                                     guint64                d)
{
  VpkDashTimelineEntry entry = { t, d, 0 };

  if (rep->timeline->len > 0) {
    VpkDashTimelineEntry *last = &g_array_index (rep->timeline, VpkDashTimelineEntry,
                                                 rep->timeline->len - 1);

    if (last->d == d && last->r < G_MAXUINT32 && last->t + (last->r + 1) * last->d == t) {
      last->r++;
      return;
    }
  }
  g_array_append_val (rep->timeline, entry);
}

const char *
vpk_dash_content_type_to_mime (VpkDashContentType type)
{
  return type == VPK_DASH_CONTENT_AUDIO ? "audio/mp4" : "video/mp4";
}

void
vpk_dash_xml_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    xmlInitParser ();
    g_once_init_leave (&done, 1);
  }
}
