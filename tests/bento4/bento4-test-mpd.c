/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bento4-test-util.h"

#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* Reads a packaged stream.mpd the way a player would (SegmentTemplate with a
 * SegmentTimeline, or one BaseURL file per representation) and lists the
 * files it names, so a test can check them against the folder. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

static void
rep_free (gpointer data)
{
  Bento4TestRep *rep = data;

  g_free (rep->id);
  g_free (rep->mime_type);
  g_free (rep->init);
  g_ptr_array_unref (rep->media);
  g_free (rep);
}

static xmlNode *
child (xmlNode    *parent,
       const char *name)
{
  for (xmlNode *n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && strcmp ((const char *) n->name, name) == 0)
      return n;
  return NULL;
}

static char *
prop (xmlNode    *node,
      const char *name)
{
  xmlChar *value = node != NULL ? xmlGetProp (node, (const xmlChar *) name) : NULL;
  char *copy = g_strdup ((const char *) value);

  xmlFree (value);
  return copy;
}

/* $RepresentationID$, $Number$, $Number%05d$, $Time$ and $$ */
static char *
expand (const char *tmpl,
        const char *rep_id,
        guint64     number,
        guint64     time)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = tmpl;

  while (*p != '\0') {
    const char *end = *p == '$' ? strchr (p + 1, '$') : NULL;
    g_autofree char *ident = NULL;
    const char *format;
    int width = 0;

    if (end == NULL) {
      g_string_append_c (out, *p++);
      continue;
    }
    ident = g_strndup (p + 1, end - p - 1);
    format = strchr (ident, '%');
    if (format != NULL)
      width = atoi (format + 1);
    if (*ident == '\0')
      g_string_append_c (out, '$');
    else if (strcmp (ident, "RepresentationID") == 0)
      g_string_append (out, rep_id);
    else if (g_str_has_prefix (ident, "Number"))
      g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, width, number);
    else if (g_str_has_prefix (ident, "Time"))
      g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, width, time);
    else
      g_error ("unexpected template identifier $%s$ in '%s'", ident, tmpl);
    p = end + 1;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
read_timeline (Bento4TestRep *rep,
               const char    *outdir,
               xmlNode       *tmpl)
{
  g_autofree char *media = prop (tmpl, "media");
  g_autofree char *start = prop (tmpl, "startNumber");
  guint64 number = start != NULL ? g_ascii_strtoull (start, NULL, 10) : 1;
  guint64 time = 0;
  xmlNode *timeline = child (tmpl, "SegmentTimeline");

  g_assert_nonnull (media);
  g_assert_nonnull (timeline);  /* DESIGN: live profile = SegmentTemplate + SegmentTimeline */
  for (xmlNode *s = timeline->children; s != NULL; s = s->next) {
    g_autofree char *t = prop (s, "t");
    g_autofree char *d = prop (s, "d");
    g_autofree char *r = prop (s, "r");
    gint64 repeat = r != NULL ? g_ascii_strtoll (r, NULL, 10) : 0;

    if (s->type != XML_ELEMENT_NODE)
      continue;
    g_assert_nonnull (d);
    g_assert_cmpint (repeat, >=, 0);
    if (t != NULL)
      time = g_ascii_strtoull (t, NULL, 10);
    for (gint64 i = 0; i <= repeat; i++) {
      g_autofree char *url = expand (media, rep->id, number++, time);

      g_ptr_array_add (rep->media, g_build_filename (outdir, url, NULL));
      time += g_ascii_strtoull (d, NULL, 10);
    }
  }
}

static Bento4TestRep *
read_rep (const char *outdir,
          xmlNode    *set,
          xmlNode    *node)
{
  Bento4TestRep *rep = g_new0 (Bento4TestRep, 1);
  xmlNode *tmpl = child (node, "SegmentTemplate");
  xmlNode *base = child (node, "BaseURL");

  rep->id = prop (node, "id");
  rep->mime_type = prop (node, "mimeType");
  if (rep->mime_type == NULL)
    rep->mime_type = prop (set, "mimeType");
  rep->media = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (rep->id);
  if (tmpl == NULL)
    tmpl = child (set, "SegmentTemplate");
  if (tmpl != NULL) {
    g_autofree char *init = prop (tmpl, "initialization");
    g_autofree char *url = NULL;

    g_assert_nonnull (init);
    url = expand (init, rep->id, 0, 0);
    rep->init = g_build_filename (outdir, url, NULL);
    read_timeline (rep, outdir, tmpl);
  } else {
    xmlChar *url = xmlNodeGetContent (base);

    g_assert_nonnull (url);
    g_ptr_array_add (rep->media, g_build_filename (outdir, (const char *) url, NULL));
    xmlFree (url);
  }
  return rep;
}

static void
list_files (const char *dir,
            GHashTable *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL) {
    char *path = g_build_filename (dir, name, NULL);

    if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
      list_files (path, files);
      g_free (path);
    } else {
      g_hash_table_add (files, path);
    }
  }
}

static void
check_files (const char *outdir,
             GPtrArray  *reps)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *mpd = g_build_filename (outdir, "stream.mpd", NULL);

  list_files (outdir, files);
  g_assert_true (g_hash_table_remove (files, mpd));
  for (guint i = 0; i < reps->len; i++) {
    Bento4TestRep *rep = g_ptr_array_index (reps, i);

    g_assert_cmpuint (rep->media->len, >, 0);
    if (rep->init != NULL && !g_hash_table_remove (files, rep->init))
      g_error ("the MPD names '%s', which does not exist", rep->init);
    for (guint j = 0; j < rep->media->len; j++)
      if (!g_hash_table_remove (files, g_ptr_array_index (rep->media, j)))
        g_error ("the MPD names '%s', which does not exist",
                 (char *) g_ptr_array_index (rep->media, j));
  }
  if (g_hash_table_size (files) > 0) {
    GList *left = g_hash_table_get_keys (files);

    g_error ("'%s' is in the package but the MPD does not name it", (char *) left->data);
  }
}

GPtrArray *
bento4_test_check_package (const char *outdir)
{
  g_autofree char *path = g_build_filename (outdir, "stream.mpd", NULL);
  g_autoptr(xmlDoc) doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
  g_autoptr(GPtrArray) reps = g_ptr_array_new_with_free_func (rep_free);
  xmlNode *root;

  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  g_assert_cmpstr ((const char *) root->name, ==, "MPD");
  for (xmlNode *period = root->children; period != NULL; period = period->next) {
    if (period->type != XML_ELEMENT_NODE || strcmp ((const char *) period->name, "Period") != 0)
      continue;
    for (xmlNode *set = period->children; set != NULL; set = set->next) {
      if (set->type != XML_ELEMENT_NODE ||
          strcmp ((const char *) set->name, "AdaptationSet") != 0)
        continue;
      for (xmlNode *r = set->children; r != NULL; r = r->next)
        if (r->type == XML_ELEMENT_NODE && strcmp ((const char *) r->name, "Representation") == 0)
          g_ptr_array_add (reps, read_rep (outdir, set, r));
    }
  }
  g_assert_cmpuint (reps->len, >, 0);
  check_files (outdir, reps);
  return g_steal_pointer (&reps);
}

const Bento4TestRep *
bento4_test_find_rep (GPtrArray  *reps,
                      const char *mime_type)
{
  for (guint i = 0; i < reps->len; i++) {
    const Bento4TestRep *rep = g_ptr_array_index (reps, i);

    if (g_strcmp0 (rep->mime_type, mime_type) == 0)
      return rep;
  }
  return NULL;
}
