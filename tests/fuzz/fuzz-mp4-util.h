/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes @data to an anonymous memory file and returns its /proc path
 * (close *out_fd after use). */
static inline char *
fuzz_memfile (const uint8_t *data, size_t size, int *out_fd)
{
  int fd = memfd_create ("fuzz", MFD_CLOEXEC);
  size_t done = 0;

  g_assert_cmpint (fd, >=, 0);
  while (done < size) {
    ssize_t n = write (fd, data + done, size - done);

    g_assert_cmpint (n, >, 0);
    done += (size_t) n;
  }
  *out_fd = fd;
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}
