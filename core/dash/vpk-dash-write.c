/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libxml/xmlsave.h>

#include "dash/vpk-dash-private.h"

#define X(s) ((const xmlChar *) (s))

/* The namespaces declared on <MPD>. */
typedef struct {
  xmlNs *mpd;
  xmlNs *cenc;
  xmlNs *clearkey;
  xmlNs *dashif;
} Namespaces;

static void
set_u64 (xmlNode    *node,
         const char *name,
         guint64     value)
{
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
  xmlNewProp (node, X (name), X (text));
}

static void
set_range (xmlNode    *node,
           const char *name,
           guint64     start,
           guint64     end)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                           start, end);

  xmlNewProp (node, X (name), X (text));
}

static xmlNode *
new_content_protection (xmlNode          *parent,
                        const Namespaces *ns,
                        const char       *scheme_id,
                        const char       *value)
{
  xmlNode *cp = xmlNewChild (parent, ns->mpd, X ("ContentProtection"), NULL);

  xmlNewProp (cp, X ("schemeIdUri"), X (scheme_id));
  if (value != NULL)
    xmlNewProp (cp, X ("value"), X (value));
  return cp;
}

/* The three ContentProtection elements of docs/architecture.md: mp4protection
 * with the default_KID, the W3C common system with its pssh, and ClearKey (always:
 * dash.js uses page keys only with it); the license URL, when known, in both
 * ClearKey spellings and as dashif:Laurl in the common system too. */
static void
write_protection (xmlNode                 *set_node,
                  const Namespaces        *ns,
                  const VpkDashProtection *prot)
{
  g_autofree char *kid = vpk_key_format (&prot->default_kid, VPK_KEY_FORMAT_UUID);
  xmlNode *cp;

  cp = new_content_protection (set_node, ns, VPK_DASH_SCHEME_MP4PROTECTION,
                               vpk_scheme_to_string (prot->scheme));
  xmlNewNsProp (cp, ns->cenc, X ("default_KID"), X (kid));

  cp = new_content_protection (set_node, ns, VPK_DASH_SCHEME_COMMON, NULL);
  xmlNewNsProp (cp, ns->cenc, X ("default_KID"), X (kid));
  if (prot->pssh_base64 != NULL)
    xmlNewTextChild (cp, ns->cenc, X ("pssh"), X (prot->pssh_base64));
  /* Shaka Player maps this system to ClearKey too and keeps the first license URL
   * it finds: without one here it would keep an empty URL (error 6012). */
  if (prot->license_url != NULL)
    xmlNewTextChild (cp, ns->dashif, X ("Laurl"), X (prot->license_url));

  cp = new_content_protection (set_node, ns, VPK_DASH_SCHEME_CLEARKEY, "ClearKey1.0");
  if (prot->license_url != NULL) {
    xmlNode *laurl = xmlNewTextChild (cp, ns->clearkey, X ("Laurl"), X (prot->license_url));

    xmlNewProp (laurl, X ("Lic_type"), X ("EME-1.0"));
    xmlNewTextChild (cp, ns->dashif, X ("Laurl"), X (prot->license_url));
  }
}

static void
write_segment_template (xmlNode                     *rep_node,
                        const Namespaces            *ns,
                        const VpkDashRepresentation *rep)
{
  xmlNode *tmpl = xmlNewChild (rep_node, ns->mpd, X ("SegmentTemplate"), NULL);
  xmlNode *timeline;
  guint64 next = G_MAXUINT64;

  set_u64 (tmpl, "timescale", rep->timescale);
  if (rep->init_template != NULL)
    xmlNewProp (tmpl, X ("initialization"), X (rep->init_template));
  if (rep->media_template != NULL)
    xmlNewProp (tmpl, X ("media"), X (rep->media_template));
  set_u64 (tmpl, "startNumber", rep->start_number);

  timeline = xmlNewChild (tmpl, ns->mpd, X ("SegmentTimeline"), NULL);
  for (guint i = 0; i < rep->timeline->len; i++) {
    const VpkDashTimelineEntry *e = &g_array_index (rep->timeline, VpkDashTimelineEntry, i);
    xmlNode *s = xmlNewChild (timeline, ns->mpd, X ("S"), NULL);

    if (e->t != next)  /* S@t only where the timeline does not simply run on */
      set_u64 (s, "t", e->t);
    set_u64 (s, "d", e->d);
    if (e->r > 0)
      set_u64 (s, "r", e->r);
    next = e->t + (e->r + (guint64) 1) * e->d;
  }
}

static void
write_segment_base (xmlNode                     *rep_node,
                    const Namespaces            *ns,
                    const VpkDashRepresentation *rep)
{
  xmlNode *base;

  if (rep->base_url != NULL)
    xmlNewTextChild (rep_node, ns->mpd, X ("BaseURL"), X (rep->base_url));
  base = xmlNewChild (rep_node, ns->mpd, X ("SegmentBase"), NULL);
  if (rep->timescale > 0)
    set_u64 (base, "timescale", rep->timescale);
  set_range (base, "indexRange", rep->index_range_start, rep->index_range_end);
  xmlNewProp (base, X ("indexRangeExact"), X ("true"));
  set_range (xmlNewChild (base, ns->mpd, X ("Initialization"), NULL), "range",
             rep->init_range_start, rep->init_range_end);
}

static void
write_representation (xmlNode                     *set_node,
                      const Namespaces            *ns,
                      VpkProfile                   profile,
                      const VpkDashRepresentation *rep)
{
  xmlNode *node = xmlNewChild (set_node, ns->mpd, X ("Representation"), NULL);

  xmlNewProp (node, X ("id"), X (rep->id));
  set_u64 (node, "bandwidth", rep->bandwidth);
  if (rep->codecs != NULL)
    xmlNewProp (node, X ("codecs"), X (rep->codecs));
  if (rep->width > 0 && rep->height > 0) {
    set_u64 (node, "width", rep->width);
    set_u64 (node, "height", rep->height);
    xmlNewProp (node, X ("sar"), X ("1:1"));
  }
  if (rep->fps_num > 0 && rep->fps_den > 0) {
    g_autofree char *rate = rep->fps_den == 1 ? g_strdup_printf ("%u", rep->fps_num) :
                            g_strdup_printf ("%u/%u", rep->fps_num, rep->fps_den);
    xmlNewProp (node, X ("frameRate"), X (rate));
  }
  if (rep->sample_rate > 0)
    set_u64 (node, "audioSamplingRate", rep->sample_rate);
  if (rep->channels > 0) {
    xmlNode *acc = xmlNewChild (node, ns->mpd, X ("AudioChannelConfiguration"), NULL);

    xmlNewProp (acc, X ("schemeIdUri"), X (VPK_DASH_SCHEME_AUDIO_CHANNELS));
    set_u64 (acc, "value", rep->channels);
  }

  if (profile == VPK_PROFILE_LIVE)
    write_segment_template (node, ns, rep);
  else
    write_segment_base (node, ns, rep);
}

static void
write_adaptation_set (xmlNode                    *period,
                      const Namespaces           *ns,
                      VpkProfile                  profile,
                      guint                       index,
                      const VpkDashAdaptationSet *set)
{
  xmlNode *node = xmlNewChild (period, ns->mpd, X ("AdaptationSet"), NULL);

  set_u64 (node, "id", index);
  xmlNewProp (node, X ("contentType"),
              X (set->content_type == VPK_DASH_CONTENT_AUDIO ? "audio" : "video"));
  xmlNewProp (node, X ("mimeType"), X (vpk_dash_content_type_to_mime (set->content_type)));
  if (set->lang != NULL)
    xmlNewProp (node, X ("lang"), X (set->lang));
  if (set->segment_alignment)
    xmlNewProp (node, X ("segmentAlignment"), X ("true"));
  if (set->start_with_sap > 0)
    set_u64 (node, "startWithSAP", set->start_with_sap);
  if (set->is_protected)
    write_protection (node, ns, &set->protection);

  for (guint i = 0; i < set->representations->len; i++)
    write_representation (node, ns, profile, g_ptr_array_index (set->representations, i));
}

static xmlDoc *
build_document (const VpkDashManifest *manifest)
{
  g_autofree char *duration = vpk_dash_format_duration (manifest->duration_us);
  g_autofree char *buffer = vpk_dash_format_duration (manifest->min_buffer_time_us);
  Namespaces ns;
  xmlNode *period;
  xmlDoc *doc;
  xmlNode *root;

  vpk_dash_xml_init ();
  doc = xmlNewDoc (X ("1.0"));
  root = xmlNewNode (NULL, X ("MPD"));

  xmlDocSetRootElement (doc, root);
  ns.mpd = xmlNewNs (root, X (VPK_DASH_NS_MPD), NULL);
  xmlSetNs (root, ns.mpd);
  ns.cenc = xmlNewNs (root, X (VPK_DASH_NS_CENC), X ("cenc"));
  ns.clearkey = xmlNewNs (root, X (VPK_DASH_NS_CLEARKEY), X ("clearkey"));
  ns.dashif = xmlNewNs (root, X (VPK_DASH_NS_DASHIF), X ("dashif"));

  xmlNewProp (root, X ("profiles"), X (manifest->profile == VPK_PROFILE_LIVE ?
                                       VPK_DASH_PROFILE_LIVE_URN : VPK_DASH_PROFILE_ON_DEMAND_URN));
  xmlNewProp (root, X ("type"), X ("static"));
  xmlNewProp (root, X ("mediaPresentationDuration"), X (duration));
  xmlNewProp (root, X ("minBufferTime"), X (buffer));

  period = xmlNewChild (root, ns.mpd, X ("Period"), NULL);
  xmlNewProp (period, X ("id"), X ("0"));
  xmlNewProp (period, X ("start"), X ("PT0S"));
  for (guint i = 0; i < manifest->adaptation_sets->len; i++)
    write_adaptation_set (period, &ns, manifest->profile, i,
                          g_ptr_array_index (manifest->adaptation_sets, i));
  return doc;
}

/**
 * vpk_dash_manifest_write:
 * @path: where to write the MPD; replaced atomically (temporary file + rename)
 * @error: a GFileError when the file cannot be written
 *
 * Writes @manifest as a static MPD (UTF-8, indented).
 */
gboolean
vpk_dash_manifest_write (const VpkDashManifest  *manifest,
                         const char             *path,
                         GError                **error)
{
  g_autoptr(xmlDoc) doc = build_document (manifest);
  xmlChar *text = NULL;
  int len = 0;
  gboolean ok;

  xmlDocDumpFormatMemoryEnc (doc, &text, &len, "UTF-8", 1);
  if (text == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot serialise the MPD for '%s'", path);
    return FALSE;
  }
  ok = g_file_set_contents_full (path, (const char *) text, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
  xmlFree (text);
  return ok;
}
