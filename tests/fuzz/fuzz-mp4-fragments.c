/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <vpack/vpk-error.h>

#include "mp4/vpk-mp4-fragments.h"
#include "fuzz-mp4-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Reads every fragment, then re-serializes its moof as an encryptor would. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fd;
  g_autofree char *path = fuzz_memfile (data, size, &fd);
  g_autoptr(VpkMp4FragmentReader) r = vpk_mp4_fragment_reader_open (path, NULL);
  g_autoptr(GArray) trex = NULL;

  close (fd);
  if (r == NULL)
    return 0;
  trex = vpk_mp4_read_trex (vpk_mp4_fragment_reader_get_moov (r));
  for (guint i = 0; i < 10000; i++) {
    g_autoptr(VpkMp4Fragment) f = NULL;
    g_autoptr(GBytes) head = NULL;

    if (!vpk_mp4_fragment_reader_next (r, &f, NULL) || f == NULL)
      break;
    head = vpk_mp4_fragment_serialize_head (f->moof, trex, 1000, NULL);
  }
  return 0;
}
