/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <vpack/vpk-error.h>

#include "dash/vpk-dash-manifest.h"
#include "fuzz-mp4-util.h"

/* The bounded MPD reader on untrusted bytes (from an anonymous memory file),
 * then the file names of every Representation: each must be a plain relative
 * path, as vpk_dash_check_relative_path() says, and within the bounds.
 * A manifest the writer can express (live: every Representation has a
 * SegmentTemplate; on-demand: none has) is written, read again, and must
 * name the same files. */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_REWRITTEN_FILES 10000

static char *rewrite_path;

static void
remove_rewrite_dir (void)
{
  g_autofree char *dir = g_path_get_dirname (rewrite_path);

  g_unlink (rewrite_path);
  g_rmdir (dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *dir = g_dir_make_tmp ("vpk-fuzz-mpd-XXXXXX", NULL);

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  xmlInitParser ();
  g_assert_nonnull (dir);
  rewrite_path = g_build_filename (dir, "rewritten.mpd", NULL);
  atexit (remove_rewrite_dir);
  return 0;
}

/* (transfer full): the Representation's init name (or "") and media names,
 * one per line. */
static char *
representation_files (const VpkDashRepresentation *rep,
                      guint                       *n_files)
{
  g_autofree char *init = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GError) error = NULL;
  GString *names = g_string_new (NULL);

  /* The reader checked them all: this must succeed. */
  g_assert_true (vpk_dash_representation_get_files (rep, &init, &media, &error));
  g_assert_no_error (error);
  g_assert_nonnull (media);
  /* On-demand: the one file. Live: an empty SegmentTimeline names no
   * segment, which `vpack verify` refuses itself. */
  g_assert_true (init != NULL || media->len == 1);
  g_assert_cmpuint (media->len, <=, VPK_DASH_MAX_SEGMENTS);
  g_assert_true (init == NULL || vpk_dash_check_relative_path (init, NULL));
  *n_files += media->len;
  g_string_append_printf (names, "%s\n", init != NULL ? init : "");
  for (guint i = 0; i < media->len; i++) {
    g_assert_true (vpk_dash_check_relative_path (media->pdata[i], NULL));
    g_string_append_printf (names, "%s\n", (const char *) media->pdata[i]);
  }
  return g_string_free (names, FALSE);
}

/* (transfer full): the files of every Representation, or %NULL when the
 * writer cannot express the manifest (or it is too large to write and read
 * again at speed). */
static char *
manifest_files (const VpkDashManifest *manifest)
{
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean expressible = TRUE;
  guint n_files = 0;

  g_assert_cmpuint (manifest->adaptation_sets->len, <=, VPK_DASH_MAX_ADAPTATION_SETS);
  for (guint i = 0; i < manifest->adaptation_sets->len; i++) {
    const VpkDashAdaptationSet *set = manifest->adaptation_sets->pdata[i];

    g_assert_cmpuint (set->representations->len, <=, VPK_DASH_MAX_REPRESENTATIONS);
    g_string_append_printf (names, "set %u\n", i);
    for (guint j = 0; j < set->representations->len; j++) {
      const VpkDashRepresentation *rep = set->representations->pdata[j];
      g_autofree char *files = representation_files (rep, &n_files);

      expressible = expressible &&
                    (rep->media_template != NULL) == (manifest->profile == VPK_PROFILE_LIVE);
      g_string_append (names, files);
    }
  }
  if (!expressible || n_files > MAX_REWRITTEN_FILES)
    return NULL;
  return g_string_free (g_steal_pointer (&names), FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(VpkDashManifest) manifest = NULL, again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *files = NULL, *files_again = NULL;
  int fd;

  path = fuzz_memfile (data, size, &fd);
  manifest = vpk_dash_manifest_read (path, NULL);
  close (fd);
  if (manifest == NULL)
    return 0;

  files = manifest_files (manifest);
  if (files == NULL)
    return 0;
  g_assert_true (vpk_dash_manifest_write (manifest, rewrite_path, &error));
  g_assert_no_error (error);
  again = vpk_dash_manifest_read (rewrite_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->profile, ==, manifest->profile);
  files_again = manifest_files (again);
  g_assert_cmpstr (files_again, ==, files);
  return 0;
}
