/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <vpack/vpk-error.h>

#include "vpk-mp4-file.h"

struct _VpkMp4Output {
  int      fd;
  char    *path;
  guint8  *buf;
  gsize    len;
  guint64  flushed;
};

static gboolean
set_io_error (VpkMp4Output *out, const char *what, int err, GError **error)
{
  g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "cannot %s '%s': %s", what, out->path,
               g_strerror (err));
  return FALSE;
}

VpkMp4Output *
vpk_mp4_output_new (const char *path, GError **error)
{
  return vpk_mp4_output_new_with_mode (path, 0644, error);
}

VpkMp4Output *
vpk_mp4_output_new_with_mode (const char *path, int mode, GError **error)
{
  g_autoptr(VpkMp4Output) out = g_new0 (VpkMp4Output, 1);

  out->path = g_strdup (path);
  out->fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out->fd < 0) {
    set_io_error (out, "create", errno, error);
    return NULL;
  }
  out->buf = g_malloc (VPK_MP4_OUTPUT_BUFFER_SIZE);
  return g_steal_pointer (&out);
}

void
vpk_mp4_output_free (VpkMp4Output *out)
{
  if (out == NULL)
    return;
  if (out->fd >= 0)
    close (out->fd);
  g_free (out->buf);
  g_free (out->path);
  g_free (out);
}

static gboolean
write_all (VpkMp4Output *out, const guint8 *p, gsize n, GError **error)
{
  while (n > 0) {
    ssize_t done = write (out->fd, p, n);

    if (done < 0 && errno == EINTR)
      continue;
    if (done < 0)
      return set_io_error (out, "write", errno, error);
    p += done;
    n -= (gsize) done;
    out->flushed += (guint64) done;
  }
  return TRUE;
}

static gboolean
flush (VpkMp4Output *out, GError **error)
{
  gsize len = out->len;

  out->len = 0;
  return write_all (out, out->buf, len, error);
}

gboolean
vpk_mp4_output_write (VpkMp4Output *out, const void *data, gsize size, GError **error)
{
  if (out->len + size > VPK_MP4_OUTPUT_BUFFER_SIZE && !flush (out, error))
    return FALSE;
  if (size >= VPK_MP4_OUTPUT_BUFFER_SIZE)
    return write_all (out, data, size, error);
  memcpy (out->buf + out->len, data, size);
  out->len += size;
  return TRUE;
}

gboolean
vpk_mp4_output_write_bytes (VpkMp4Output *out, GBytes *bytes, GError **error)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  return vpk_mp4_output_write (out, data, size, error);
}

gboolean
vpk_mp4_output_copy (VpkMp4Output *out, int src_fd, guint64 offset, guint64 size,
                     GError **error)
{
  while (size > 0) {
    gsize chunk;

    if (out->len == VPK_MP4_OUTPUT_BUFFER_SIZE && !flush (out, error))
      return FALSE;
    chunk = (gsize) MIN (size, (guint64) (VPK_MP4_OUTPUT_BUFFER_SIZE - out->len));
    if (!vpk_mp4_pread_all (src_fd, out->buf + out->len, chunk, offset, error))
      return FALSE;
    out->len += chunk;
    offset += chunk;
    size -= chunk;
  }
  return TRUE;
}

guint64
vpk_mp4_output_get_position (VpkMp4Output *out)
{
  return out->flushed + out->len;
}

gboolean
vpk_mp4_output_close (VpkMp4Output *out, GError **error)
{
  int fd = out->fd;

  if (!flush (out, error))
    return FALSE;
  out->fd = -1;
  if (close (fd) != 0)
    return set_io_error (out, "close", errno, error);
  return TRUE;
}
