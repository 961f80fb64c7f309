/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "dash/vpk-dash-private.h"

/* SegmentTemplate identifiers (ISO/IEC 23009-1 5.3.9.4.4): $RepresentationID$,
 * $Number$, $Time$, $Bandwidth$, each but the first with an optional %0<N>d;
 * "$$" is a literal '$'. Expanded names must stay inside the MPD's folder. */

#define MAX_WIDTH 32

/**
 * vpk_dash_check_relative_path:
 * @error: VPK_ERROR_INVALID_DATA naming @name
 *
 * Accepts only a relative path below the MPD's folder: not empty, no leading
 * '/', no '\\', no ".." or "." component, no URL scheme, no control character.
 */
gboolean
vpk_dash_check_relative_path (const char  *name,
                              GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gboolean ok = name != NULL && *name != '\0' && *name != '/' &&
                strchr (name, '\\') == NULL && strchr (name, ':') == NULL &&
                g_utf8_validate (name, -1, NULL);

  for (const char *p = name; ok && *p != '\0'; p++)
    ok = !g_ascii_iscntrl (*p);

  if (ok) {
    parts = g_strsplit (name, "/", -1);
    for (guint i = 0; ok && parts[i] != NULL; i++)
      ok = *parts[i] != '\0' && strcmp (parts[i], "..") != 0 && strcmp (parts[i], ".") != 0;
  }

  if (!ok) {
    g_autofree char *shown = g_strescape (name != NULL ? name : "", NULL);

    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "Segment name '%s' is not a plain relative path", shown);
  }
  return ok;
}

/* Parses "$Ident$" or "$Ident%0Nd$" at @p (just after the first '$'). */
static gboolean
parse_identifier (const char  *p,
                  char         ident[32],
                  guint       *out_width,
                  const char **out_end)
{
  const char *close = strchr (p, '$');
  const char *fmt;
  gsize len;

  if (close == NULL)
    return FALSE;
  fmt = memchr (p, '%', close - p);
  len = (fmt != NULL ? fmt : close) - p;
  if (len == 0 || len >= 32)
    return FALSE;
  memcpy (ident, p, len);
  ident[len] = '\0';
  *out_width = 0;

  if (fmt != NULL) {
    char *end = NULL;
    guint64 width;

    if (fmt[1] != '0' || !g_ascii_isdigit (fmt[2]))
      return FALSE;
    width = g_ascii_strtoull (fmt + 1, &end, 10);
    if (end == NULL || end[0] != 'd' || end + 1 != close || width > MAX_WIDTH)
      return FALSE;
    *out_width = width;
  }
  *out_end = close + 1;
  return TRUE;
}

static gboolean
append_identifier (GString                     *out,
                   const char                  *ident,
                   guint                        width,
                   const VpkDashRepresentation *rep,
                   guint64                      number,
                   guint64                      time)
{
  guint64 value;

  if (strcmp (ident, "RepresentationID") == 0 && width == 0) {
    g_string_append (out, rep->id != NULL ? rep->id : "");
    return TRUE;
  }
  if (strcmp (ident, "Number") == 0)
    value = number;
  else if (strcmp (ident, "Time") == 0)
    value = time;
  else if (strcmp (ident, "Bandwidth") == 0)
    value = rep->bandwidth;
  else
    return FALSE;

  g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, (int) width, value);
  return TRUE;
}

/**
 * vpk_dash_expand_template:
 * @tmpl: a SegmentTemplate@media or @initialization value
 * @number: the value of $Number$
 * @time: the value of $Time$
 * @error: VPK_ERROR_INVALID_DATA for an unknown identifier, a bad format or
 *   a name that leaves the MPD's folder
 *
 * Returns: (transfer full): the segment's file name
 */
char *
vpk_dash_expand_template (const char                  *tmpl,
                          const VpkDashRepresentation *rep,
                          guint64                      number,
                          guint64                      time,
                          GError                     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = tmpl;

  while (*p != '\0') {
    const char *dollar = strchr (p, '$');
    char ident[32];
    guint width;

    if (dollar == NULL) {
      g_string_append (out, p);
      break;
    }
    g_string_append_len (out, p, dollar - p);
    if (dollar[1] == '$') {
      g_string_append_c (out, '$');
      p = dollar + 2;
      continue;
    }
    if (!parse_identifier (dollar + 1, ident, &width, &p) ||
        !append_identifier (out, ident, width, rep, number, time)) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "SegmentTemplate '%s' has an unknown or malformed identifier", tmpl);
      return NULL;
    }
  }

  if (!vpk_dash_check_relative_path (out->str, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GPtrArray *
expand_timeline (const VpkDashRepresentation  *rep,
                 GError                      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint64 number = rep->start_number;

  for (guint i = 0; i < rep->timeline->len; i++) {
    const VpkDashTimelineEntry *e = &g_array_index (rep->timeline, VpkDashTimelineEntry, i);

    if (names->len + (guint64) e->r + 1 > VPK_DASH_MAX_SEGMENTS) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "Representation '%s' lists more than %u segments", rep->id,
                   VPK_DASH_MAX_SEGMENTS);
      return NULL;
    }
    for (guint64 k = 0; k <= e->r; k++) {
      char *name = vpk_dash_expand_template (rep->media_template, rep, number++,
                                             e->t + k * e->d, error);
      if (name == NULL)
        return NULL;
      g_ptr_array_add (names, name);
    }
  }
  return g_steal_pointer (&names);
}

/**
 * vpk_dash_representation_get_files:
 * @out_init: (out) (transfer full) (optional) (nullable): the init segment's
 *   name (live profile), or %NULL (on-demand: one file holds everything)
 * @out_media: (out) (transfer full) (optional) (element-type utf8): the media
 *   segments in order (live), or the one file (on-demand)
 * @error: VPK_ERROR_INVALID_DATA for a name that is not a plain relative
 *   path, a bad template or too many segments
 *
 * The files a Representation refers to, relative to the MPD's folder.
 */
gboolean
vpk_dash_representation_get_files (const VpkDashRepresentation  *rep,
                                   char                        **out_init,
                                   GPtrArray                   **out_media,
                                   GError                      **error)
{
  g_autofree char *init = NULL;
  g_autoptr(GPtrArray) media = NULL;

  if (rep->base_url != NULL && rep->media_template == NULL) {
    if (!vpk_dash_check_relative_path (rep->base_url, error))
      return FALSE;
    media = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (media, g_strdup (rep->base_url));
  } else if (rep->media_template != NULL && rep->init_template != NULL) {
    init = vpk_dash_expand_template (rep->init_template, rep, 0, 0, error);
    media = init != NULL ? expand_timeline (rep, error) : NULL;
    if (media == NULL)
      return FALSE;
  } else {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "Representation '%s' has neither a SegmentTemplate nor a BaseURL", rep->id);
    return FALSE;
  }

  if (out_init != NULL)
    *out_init = g_steal_pointer (&init);
  if (out_media != NULL)
    *out_media = g_steal_pointer (&media);
  return TRUE;
}
