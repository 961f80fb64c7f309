/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <vpack/vpk-error.h>

#include "mp4/vpk-mp4-probe.h"
#include "fuzz-mp4-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fd;
  g_autofree char *path = fuzz_memfile (data, size, &fd);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMediaInfo) info = vpk_mp4_probe (path, &error);

  g_assert_true ((info == NULL) == (error != NULL));
  close (fd);
  return 0;
}
