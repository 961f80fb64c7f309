/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>

#include "dash/vpk-dash-private.h"

/* A bounded MPD reader: at most VPK_DASH_MAX_MPD_SIZE bytes, no network, no
 * DTD (so no entities of any kind), counts capped, every number checked, and
 * every segment name checked to stay below the MPD's folder. */

#define X(s) ((const xmlChar *) (s))

/* Segments of all Representations together: every name is expanded to be
 * checked, and 64 x 64 Representations of VPK_DASH_MAX_SEGMENTS each (a
 * 170 KB MPD) would take minutes. */
#define MAX_TOTAL_SEGMENTS (2 * (guint64) VPK_DASH_MAX_SEGMENTS)

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VPK_ERROR, VPK_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
is_element (const xmlNode *node,
            const char    *ns,
            const char    *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
         xmlStrEqual (node->ns->href, X (ns)) && xmlStrEqual (node->name, X (name));
}

static xmlNode *
first_child (const xmlNode *parent,
             const char    *ns,
             const char    *name)
{
  for (xmlNode *c = parent->children; c != NULL; c = c->next)
    if (is_element (c, ns, name))
      return c;
  return NULL;
}

/* (transfer full) (nullable) */
static char *
get_prop (const xmlNode *node,
          const char    *ns,
          const char    *name)
{
  xmlChar *v = ns != NULL ? xmlGetNsProp (node, X (name), X (ns)) : xmlGetNoNsProp (node, X (name));
  char *copy = g_strdup ((const char *) v);

  xmlFree (v);
  return copy;
}

/* (transfer full): the element's text, stripped */
static char *
get_text (const xmlNode *node)
{
  xmlChar *v = xmlNodeGetContent (node);
  char *copy = g_strstrip (g_strdup (v != NULL ? (const char *) v : ""));

  xmlFree (v);
  return copy;
}

static gboolean
prop_u64 (const xmlNode  *node,
          const char     *name,
          guint64         fallback,
          guint64        *out,
          GError        **error)
{
  g_autofree char *text = get_prop (node, NULL, name);

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out, NULL))
    return invalid (error, "<%s %s=\"%s\"> is not a number", node->name, name, text);
  return TRUE;
}

static gboolean
prop_u32 (const xmlNode  *node,
          const char     *name,
          guint32        *out,
          GError        **error)
{
  guint64 v;

  if (!prop_u64 (node, name, 0, &v, error))
    return FALSE;
  if (v > G_MAXUINT32)
    return invalid (error, "<%s %s> is out of range", node->name, name);
  *out = v;
  return TRUE;
}

/* "first-last" byte range; absent leaves both 0. */
static gboolean
prop_range (const xmlNode  *node,
            const char     *name,
            guint64        *out_start,
            guint64        *out_end,
            GError        **error)
{
  g_autofree char *text = get_prop (node, NULL, name);
  g_auto(GStrv) parts = NULL;

  *out_start = *out_end = 0;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, "-", 3);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT64, out_start, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, *out_start, G_MAXUINT64, out_end, NULL))
    return invalid (error, "<%s %s=\"%s\"> is not a byte range", node->name, name, text);
  return TRUE;
}

static gboolean
read_mp4protection (const xmlNode      *cp,
                    VpkDashProtection  *prot,
                    GError            **error)
{
  g_autofree char *value = get_prop (cp, NULL, "value");
  g_autofree char *kid = get_prop (cp, VPK_DASH_NS_CENC, "default_KID");
  g_autoptr(GError) local = NULL;

  if (value == NULL || !vpk_scheme_from_string (value, &prot->scheme))
    return invalid (error, "ContentProtection value '%s' is not cenc or cbcs",
                    value != NULL ? value : "");
  if (kid == NULL)
    return invalid (error, "ContentProtection has no cenc:default_KID");
  if (!vpk_key_parse (kid, "default_KID", &prot->default_kid, &local))
    return invalid (error, "%s", local->message);
  return TRUE;
}

static void
read_laurl (const xmlNode     *cp,
            VpkDashProtection *prot)
{
  for (xmlNode *c = cp->children; c != NULL && prot->license_url == NULL; c = c->next)
    if (is_element (c, VPK_DASH_NS_CLEARKEY, "Laurl") || is_element (c, VPK_DASH_NS_DASHIF, "Laurl"))
      prot->license_url = get_text (c);
}

static gboolean
read_protection (const xmlNode         *set_node,
                 VpkDashAdaptationSet  *set,
                 GError               **error)
{
  for (xmlNode *c = set_node->children; c != NULL; c = c->next) {
    g_autofree char *raw = NULL;
    g_autofree char *scheme = NULL;
    xmlNode *pssh;

    if (!is_element (c, VPK_DASH_NS_MPD, "ContentProtection"))
      continue;
    raw = get_prop (c, NULL, "schemeIdUri");
    scheme = g_ascii_strdown (raw != NULL ? raw : "", -1);
    if (strcmp (scheme, VPK_DASH_SCHEME_MP4PROTECTION) == 0) {
      set->is_protected = TRUE;
      if (!read_mp4protection (c, &set->protection, error))
        return FALSE;
    } else if (strcmp (scheme, VPK_DASH_SCHEME_COMMON) == 0 &&
               (pssh = first_child (c, VPK_DASH_NS_CENC, "pssh")) != NULL) {
      g_free (set->protection.pssh_base64);
      set->protection.pssh_base64 = get_text (pssh);
    } else if (strcmp (scheme, VPK_DASH_SCHEME_CLEARKEY) == 0) {
      read_laurl (c, &set->protection);
    }
  }
  return TRUE;
}

static gboolean
read_timeline (const xmlNode          *timeline,
               VpkDashRepresentation  *rep,
               GError                **error)
{
  guint64 next = 0;

  for (xmlNode *s = timeline->children; s != NULL; s = s->next) {
    VpkDashTimelineEntry e;
    g_autofree char *r = NULL;
    guint64 rv;

    if (!is_element (s, VPK_DASH_NS_MPD, "S"))
      continue;
    if (rep->timeline->len >= VPK_DASH_MAX_SEGMENTS)
      return invalid (error, "SegmentTimeline has more than %u entries", VPK_DASH_MAX_SEGMENTS);
    r = get_prop (s, NULL, "r");
    if (r != NULL && r[0] == '-')
      return invalid (error, "SegmentTimeline S@r=\"%s\" (open-ended) is not supported", r);
    if (!prop_u64 (s, "t", next, &e.t, error) || !prop_u64 (s, "d", 0, &e.d, error) ||
        !prop_u64 (s, "r", 0, &rv, error))
      return FALSE;
    if (e.d == 0 || rv >= VPK_DASH_MAX_SEGMENTS)
      return invalid (error, "SegmentTimeline S has d=0 or r past %u", VPK_DASH_MAX_SEGMENTS);
    e.r = rv;
    g_array_append_val (rep->timeline, e);
    next = e.t + (rv + 1) * e.d;
  }
  return TRUE;
}

static gboolean
read_segment_template (const xmlNode          *tmpl,
                       VpkDashRepresentation  *rep,
                       GError                **error)
{
  xmlNode *timeline = first_child (tmpl, VPK_DASH_NS_MPD, "SegmentTimeline");

  g_free (rep->init_template);
  g_free (rep->media_template);
  rep->init_template = get_prop (tmpl, NULL, "initialization");
  rep->media_template = get_prop (tmpl, NULL, "media");
  if (rep->init_template == NULL || rep->media_template == NULL)
    return invalid (error, "SegmentTemplate needs both initialization and media");
  if (timeline == NULL)
    return invalid (error, "SegmentTemplate without a SegmentTimeline is not supported");
  return prop_u32 (tmpl, "timescale", &rep->timescale, error) &&
         prop_u64 (tmpl, "startNumber", 1, &rep->start_number, error) &&
         read_timeline (timeline, rep, error);
}

static gboolean
read_segment_base (const xmlNode          *rep_node,
                   const xmlNode          *base,
                   VpkDashRepresentation  *rep,
                   GError                **error)
{
  xmlNode *url = first_child (rep_node, VPK_DASH_NS_MPD, "BaseURL");
  xmlNode *init = first_child (base, VPK_DASH_NS_MPD, "Initialization");

  if (url == NULL)
    return invalid (error, "Representation '%s' has a SegmentBase but no BaseURL", rep->id);
  rep->base_url = get_text (url);
  return prop_u32 (base, "timescale", &rep->timescale, error) &&
         prop_range (base, "indexRange", &rep->index_range_start, &rep->index_range_end, error) &&
         (init == NULL ||
          prop_range (init, "range", &rep->init_range_start, &rep->init_range_end, error));
}

static gboolean
read_representation (const xmlNode          *node,
                     const xmlNode          *set_node,
                     VpkProfile              profile,
                     VpkDashRepresentation  *rep,
                     GError                **error)
{
  g_autofree char *rate = get_prop (node, NULL, "frameRate");
  xmlNode *acc = first_child (node, VPK_DASH_NS_MPD, "AudioChannelConfiguration");
  xmlNode *tmpl = first_child (node, VPK_DASH_NS_MPD, "SegmentTemplate");
  xmlNode *base = first_child (node, VPK_DASH_NS_MPD, "SegmentBase");

  rep->codecs = get_prop (node, NULL, "codecs");
  if (!prop_u64 (node, "bandwidth", 0, &rep->bandwidth, error) ||
      !prop_u32 (node, "width", &rep->width, error) ||
      !prop_u32 (node, "height", &rep->height, error) ||
      !prop_u32 (node, "audioSamplingRate", &rep->sample_rate, error) ||
      (acc != NULL && !prop_u32 (acc, "value", &rep->channels, error)))
    return FALSE;
  if (rate != NULL && sscanf (rate, "%u/%u", &rep->fps_num, &rep->fps_den) < 1)
    return invalid (error, "frameRate '%s' is not a number or fraction", rate);
  if (rate != NULL && strchr (rate, '/') == NULL)
    rep->fps_den = 1;

  /* A SegmentTemplate may sit on the AdaptationSet for all its Representations. */
  if (tmpl == NULL && base == NULL)
    tmpl = first_child (set_node, VPK_DASH_NS_MPD, "SegmentTemplate");
  if (profile == VPK_PROFILE_LIVE && tmpl != NULL)
    return read_segment_template (tmpl, rep, error);
  if (base != NULL)
    return read_segment_base (node, base, rep, error);
  return invalid (error, "Representation '%s' has no SegmentTemplate or SegmentBase", rep->id);
}

/* How many names vpk_dash_representation_get_files() would expand. */
static guint64
count_segments (const VpkDashRepresentation *rep)
{
  guint64 n = 0;

  if (rep->media_template == NULL)
    return 1;
  for (guint i = 0; i < rep->timeline->len; i++)
    n += (guint64) g_array_index (rep->timeline, VpkDashTimelineEntry, i).r + 1;
  return n;
}

static gboolean
read_adaptation_set (const xmlNode          *node,
                     VpkDashManifest        *manifest,
                     guint64                *n_segments,
                     GError                **error)
{
  g_autofree char *type = get_prop (node, NULL, "contentType");
  g_autofree char *mime = get_prop (node, NULL, "mimeType");
  g_autofree char *align = get_prop (node, NULL, "segmentAlignment");
  gboolean audio = g_strcmp0 (type, "audio") == 0 || g_str_has_prefix (mime != NULL ? mime : "", "audio/");
  VpkDashAdaptationSet *set;
  guint64 sap;

  if (manifest->adaptation_sets->len >= VPK_DASH_MAX_ADAPTATION_SETS)
    return invalid (error, "MPD has more than %u AdaptationSets", VPK_DASH_MAX_ADAPTATION_SETS);
  set = vpk_dash_manifest_add_adaptation_set (manifest, audio ? VPK_DASH_CONTENT_AUDIO :
                                                                VPK_DASH_CONTENT_VIDEO);
  set->lang = get_prop (node, NULL, "lang");
  set->segment_alignment = g_strcmp0 (align, "true") == 0;
  if (!prop_u64 (node, "startWithSAP", 0, &sap, error) || !read_protection (node, set, error))
    return FALSE;
  set->start_with_sap = MIN (sap, 6);

  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    g_autofree char *id = NULL;
    VpkDashRepresentation *rep;

    if (!is_element (c, VPK_DASH_NS_MPD, "Representation"))
      continue;
    if (set->representations->len >= VPK_DASH_MAX_REPRESENTATIONS)
      return invalid (error, "AdaptationSet has more than %u Representations",
                      VPK_DASH_MAX_REPRESENTATIONS);
    id = get_prop (c, NULL, "id");
    rep = vpk_dash_adaptation_set_add_representation (set, id != NULL ? id : "");
    if (!read_representation (c, node, manifest->profile, rep, error))
      return FALSE;
    *n_segments += count_segments (rep);
    if (*n_segments > MAX_TOTAL_SEGMENTS)
      return invalid (error, "MPD lists more than %" G_GUINT64_FORMAT " segments in all",
                      MAX_TOTAL_SEGMENTS);
    if (!vpk_dash_representation_get_files (rep, NULL, NULL, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_mpd (const xmlNode    *root,
          VpkDashManifest  *manifest,
          GError          **error)
{
  g_autofree char *profiles = get_prop (root, NULL, "profiles");
  g_autofree char *duration = get_prop (root, NULL, "mediaPresentationDuration");
  g_autofree char *buffer = get_prop (root, NULL, "minBufferTime");
  xmlNode *period = NULL;
  guint64 n_segments = 0;

  if (!is_element (root, VPK_DASH_NS_MPD, "MPD"))
    return invalid (error, "The root element is not an MPEG-DASH <MPD>");
  manifest->profile = profiles != NULL && strstr (profiles, VPK_DASH_PROFILE_ON_DEMAND_URN) ?
                      VPK_PROFILE_ON_DEMAND : VPK_PROFILE_LIVE;
  if ((duration != NULL && !vpk_dash_parse_duration (duration, &manifest->duration_us)) ||
      (buffer != NULL && !vpk_dash_parse_duration (buffer, &manifest->min_buffer_time_us)))
    return invalid (error, "MPD duration '%s' or minBufferTime '%s' is not an xs:duration",
                    duration != NULL ? duration : "", buffer != NULL ? buffer : "");

  for (xmlNode *c = root->children; c != NULL; c = c->next) {
    if (!is_element (c, VPK_DASH_NS_MPD, "Period"))
      continue;
    if (period != NULL) {
      g_set_error_literal (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                           "MPDs with more than one Period are not supported");
      return FALSE;
    }
    period = c;
  }
  if (period == NULL)
    return invalid (error, "MPD has no Period");

  for (xmlNode *c = period->children; c != NULL; c = c->next)
    if (is_element (c, VPK_DASH_NS_MPD, "AdaptationSet") &&
        !read_adaptation_set (c, manifest, &n_segments, error))
      return FALSE;
  return TRUE;
}

static xmlDoc *
parse_document (const char  *path,
                const char  *text,
                gsize        len,
                GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  const xmlError *xerr;

  /* No XML_PARSE_NOENT / DTDLOAD / HUGE: nothing external is ever fetched. */
  vpk_dash_xml_init ();
  doc = xmlReadMemory (text, (int) len, NULL, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                       XML_PARSE_NOCDATA);
  if (doc == NULL) {
    g_autofree char *reason = NULL;

    xerr = xmlGetLastError ();
    reason = g_strdup (xerr != NULL && xerr->message != NULL ? xerr->message : "?");
    invalid (error, "'%s' is not well-formed XML: %s", path, g_strchomp (reason));
    xmlResetLastError ();
    return NULL;
  }
  if (doc->intSubset != NULL || doc->extSubset != NULL) {
    invalid (error, "'%s' has a DOCTYPE; an MPD never needs one", path);
    return NULL;
  }
  if (xmlDocGetRootElement (doc) == NULL) {
    invalid (error, "'%s' has no root element", path);
    return NULL;
  }
  return g_steal_pointer (&doc);
}

/**
 * vpk_dash_manifest_read:
 * @path: an MPD file, at most VPK_DASH_MAX_MPD_SIZE bytes
 * @error: a GFileError, VPK_ERROR_INVALID_DATA (malformed, hostile or unsafe
 *   segment names) or VPK_ERROR_NOT_SUPPORTED (several Periods)
 *
 * Reads what `vpack verify` needs from an MPD; every Representation's file
 * names are checked with vpk_dash_representation_get_files().
 *
 * Returns: (transfer full): the manifest, or %NULL
 */
VpkDashManifest *
vpk_dash_manifest_read (const char  *path,
                        GError     **error)
{
  g_autoptr(VpkDashManifest) manifest = vpk_dash_manifest_new (VPK_PROFILE_LIVE);
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;
  gsize len = 0;

  if (g_stat (path, &st) == 0 && st.st_size > VPK_DASH_MAX_MPD_SIZE) {
    invalid (error, "'%s' is larger than %u bytes", path, VPK_DASH_MAX_MPD_SIZE);
    return NULL;
  }
  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (len > VPK_DASH_MAX_MPD_SIZE) {
    invalid (error, "'%s' is larger than %u bytes", path, VPK_DASH_MAX_MPD_SIZE);
    return NULL;
  }

  doc = parse_document (path, text, len, error);
  if (doc == NULL || !read_mpd (xmlDocGetRootElement (doc), manifest, error))
    return NULL;
  return g_steal_pointer (&manifest);
}
