/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-test-util.h"

#include <glib/gstdio.h>

void
vpk_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_unlink (path);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    vpk_test_rm_rf (child);
  }
  g_rmdir (path);
}
