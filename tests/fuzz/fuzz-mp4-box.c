/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <vpack/vpk-error.h>

#include "mp4/vpk-mp4-box.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Parses, serializes and parses again: the second tree must serialize the same. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (data, size, 0, NULL);
  g_autoptr(GBytes) once = NULL, twice = NULL;
  g_autoptr(VpkMp4Box) again = NULL;

  if (root == NULL)
    return 0;
  vpk_mp4_box_find (root, "moov/trak/mdia/minf/stbl/stsd");
  once = vpk_mp4_box_serialize (root);
  again = vpk_mp4_box_parse (g_bytes_get_data (once, NULL), g_bytes_get_size (once), 0, NULL);
  g_assert_nonnull (again);
  twice = vpk_mp4_box_serialize (again);
  g_assert_true (g_bytes_equal (once, twice));
  return 0;
}
