/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* mp4dash writes the ClearKey license URL as <ckey:Laurl Lic_type="EME-1.0">
 * and <dashif:laurl> in the namespace "https://dashif.org/". vpack's MPDs carry
 * <dashif:Laurl> in "https://dashif.org/CPS" (DESIGN §3), as the native
 * packager writes it: the element is replaced by that one. */

#define CLEARKEY_SCHEME "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
#define DASHIF_CPS_NS "https://dashif.org/CPS"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

static gboolean
is_element (xmlNode    *node,
            const char *name)
{
  return node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, name) == 0;
}

static gboolean
is_clearkey (xmlNode *node)
{
  xmlChar *scheme = NULL;
  gboolean yes;

  if (!is_element (node, "ContentProtection"))
    return FALSE;
  scheme = xmlGetProp (node, (const xmlChar *) "schemeIdUri");
  yes = scheme != NULL && g_ascii_strcasecmp ((const char *) scheme, CLEARKEY_SCHEME) == 0;
  xmlFree (scheme);
  return yes;
}

/* Replaces <dashif:laurl> (any namespace but the CPS one) under @cp, in place,
 * with an element that declares its own namespace. */
static void
fix_laurl (xmlNode *cp)
{
  xmlNode *next;

  for (xmlNode *child = cp->children; child != NULL; child = next) {
    xmlNode *laurl;
    xmlChar *url;

    next = child->next;
    if (!is_element (child, "laurl") || child->ns == NULL ||
        strcmp ((const char *) child->ns->href, DASHIF_CPS_NS) == 0)
      continue;
    laurl = xmlNewDocNode (cp->doc, NULL, (const xmlChar *) "Laurl", NULL);
    xmlSetNs (laurl, xmlNewNs (laurl, (const xmlChar *) DASHIF_CPS_NS,
                               (const xmlChar *) "dashif"));
    url = xmlNodeGetContent (child);
    xmlNodeAddContent (laurl, url);  /* a text node: escaped when saved */
    xmlFree (url);
    xmlReplaceNode (child, laurl);
    xmlFreeNode (child);
  }
}

static void
walk (xmlNode *node)
{
  for (; node != NULL; node = node->next) {
    if (is_clearkey (node))
      fix_laurl (node);
    else if (node->type == XML_ELEMENT_NODE)
      walk (node->children);
  }
}

/**
 * vpk_bento4_fix_mpd:
 * @path: the stream.mpd mp4dash wrote
 *
 * Rewrites the ClearKey license URL elements of @path in vpack's form.
 */
gboolean
vpk_bento4_fix_mpd (const char  *path,
                    GError     **error)
{
  g_autoptr(xmlDoc) doc = xmlReadFile (path, NULL, XML_PARSE_NONET);

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED,
                        "'mp4dash' wrote an MPD that cannot be read: '%s'", path), FALSE;
  walk (xmlDocGetRootElement (doc));
  if (xmlSaveFileEnc (path, doc, "UTF-8") < 0)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write '%s'", path), FALSE;
  return TRUE;
}
