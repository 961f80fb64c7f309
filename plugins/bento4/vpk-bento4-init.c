/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

#include <stdio.h>
#include <string.h>

/* Resolves every tool when the backend starts, so that a missing tool fails
 * `vpack serve` or `vpack package` at once rather than a job halfway. */

#define TOOLS_HINT                                                            \
  "set [bento4] tools_dir to the folder holding Bento4's mp4info, mp4fragment, " \
  "mp4encrypt, mp4split and mp4dash"

static char *
find_tool (const char  *tools_dir,
           const char  *name,
           gboolean     must_be_executable,
           GError     **error)
{
  g_autofree char *path = NULL;

  if (tools_dir == NULL) {
    path = g_find_program_in_path (name);
    if (path == NULL)
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                   "Bento4 tool '%s' not found in PATH: " TOOLS_HINT, name);
    return g_steal_pointer (&path);
  }

  path = g_build_filename (tools_dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
      (must_be_executable && !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "Bento4 tool '%s' not found in '%s' ([bento4] tools_dir): " TOOLS_HINT,
                 name, tools_dir);
    return NULL;
  }
  return g_canonicalize_filename (path, NULL);
}

/* Bento4's SDK ships mp4dash as a shell launcher for utils/mp4-dash.py; a
 * folder may also hold the Python script itself under that name. */
static gboolean
is_python_script (const char *path)
{
  char head[256] = { 0 };
  FILE *file;
  size_t n;

  if (g_str_has_suffix (path, ".py") || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  file = fopen (path, "rb");
  if (file == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head - 1, file);
  fclose (file);
  head[n] = '\0';
  if (n < 2 || head[0] != '#' || head[1] != '!')
    return FALSE;
  head[strcspn (head, "\n")] = '\0';
  return strstr (head, "python") != NULL;
}

static char *
find_python (const char  *python,
             GError     **error)
{
  g_autofree char *path = NULL;

  if (python == NULL || *python == '\0')
    python = "python3";
  if (strchr (python, '/') != NULL) {
    if (g_file_test (python, G_FILE_TEST_IS_EXECUTABLE))
      path = g_strdup (python);
  } else {
    path = g_find_program_in_path (python);
  }
  if (path == NULL)
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "Python interpreter '%s' for Bento4's mp4dash not found ([bento4] python)",
                 python);
  return g_steal_pointer (&path);
}

/**
 * vpk_bento4_init:
 *
 * Resolves mp4info, mp4fragment, mp4encrypt, mp4split and mp4dash from
 * `[bento4] tools_dir`, or from PATH when it is not set, and the Python
 * interpreter when mp4dash is a script. Fails naming the missing tool.
 */
gboolean
vpk_bento4_init (gpointer   self,
                 GError   **error)
{
  VpkBento4 *b = self;

  b->mp4info = find_tool (b->tools_dir, "mp4info", TRUE, error);
  if (b->mp4info == NULL)
    return FALSE;
  b->mp4fragment = find_tool (b->tools_dir, "mp4fragment", TRUE, error);
  if (b->mp4fragment == NULL)
    return FALSE;
  b->mp4encrypt = find_tool (b->tools_dir, "mp4encrypt", TRUE, error);
  if (b->mp4encrypt == NULL)
    return FALSE;
  b->mp4split = find_tool (b->tools_dir, "mp4split", TRUE, error);
  if (b->mp4split == NULL)
    return FALSE;
  b->mp4dash = find_tool (b->tools_dir, "mp4dash", FALSE, error);
  if (b->mp4dash == NULL)
    return FALSE;
  if (is_python_script (b->mp4dash)) {
    b->mp4dash_python = find_python (b->python, error);
    if (b->mp4dash_python == NULL)
      return FALSE;
  }
  g_debug ("Bento4 tools: %s, %s, %s, %s, %s%s%s", b->mp4info, b->mp4fragment, b->mp4encrypt,
           b->mp4split, b->mp4dash, b->mp4dash_python != NULL ? " run by " : "",
           b->mp4dash_python != NULL ? b->mp4dash_python : "");
  return TRUE;
}

/* Frees what init made; the core frees the option strings afterwards. Runs
 * after a failed init too, so every member may be NULL. */
void
vpk_bento4_finalize (gpointer self)
{
  VpkBento4 *b = self;

  g_clear_pointer (&b->mp4info, g_free);
  g_clear_pointer (&b->mp4fragment, g_free);
  g_clear_pointer (&b->mp4encrypt, g_free);
  g_clear_pointer (&b->mp4split, g_free);
  g_clear_pointer (&b->mp4dash, g_free);
  g_clear_pointer (&b->mp4dash_python, g_free);
}
