/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-io.h"
#include "mp4/vpk-mp4-file.h"
#include "mp4/vpk-mp4-output.h"

#include <errno.h>
#include <glib/gstdio.h>

/* The most one pread reads. */
#define MAX_RUN (16 * 1024 * 1024)
/* Spare sample buffers kept between uses, and the largest one kept. */
#define POOL_BUFFERS 6
#define POOL_MAX_BYTES (16 * 1024 * 1024)

/* Fresh memory is dear: on the virtual machines vpack was measured on, the
 * first touch of each page cost 12 µs (shadow paging), so a new 4 MiB
 * fragment buffer per step cost more than the AES in it. Buffers go back to
 * this pool and the next step (or job) takes them with their pages. */
G_LOCK_DEFINE_STATIC (pool);
static GPtrArray *pool;  /* (element-type GByteArray) */

GByteArray *
vpk_pack_buffer_take (void)
{
  GByteArray *buffer = NULL;

  G_LOCK (pool);
  if (pool != NULL && pool->len > 0)
    buffer = g_ptr_array_steal_index_fast (pool, pool->len - 1);
  G_UNLOCK (pool);
  if (buffer == NULL)
    return g_byte_array_new ();
  g_byte_array_set_size (buffer, 0);
  return buffer;
}

void
vpk_pack_buffer_give (GByteArray *buffer)
{
  if (buffer == NULL)
    return;
  if (buffer->len <= POOL_MAX_BYTES) {
    G_LOCK (pool);
    if (pool == NULL)
      pool = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
    if (pool->len < POOL_BUFFERS) {
      g_ptr_array_add (pool, buffer);
      buffer = NULL;
    }
    G_UNLOCK (pool);
  }
  g_clear_pointer (&buffer, g_byte_array_unref);
}

struct _VpkPackOutput {
  char         *path;
  char         *tmp_path;
  VpkMp4Output *out;
  gboolean      committed;
};

/* Each run of samples that lie back to back is read with one pread straight
 * into @out. Samples apart (a progressive file interleaves video and audio
 * chunks) are read apart: reading the gaps through a scratch buffer and
 * copying the samples out cost more than the syscalls it saved. */
gboolean
vpk_pack_read_samples (int                  fd,
                       const VpkMp4Sample  *samples,
                       guint                n,
                       GByteArray          *out,
                       GError             **error)
{
  guint i = 0;

  while (i < n) {
    guint64 start = samples[i].offset;
    guint64 size = samples[i].size;
    guint old_len = out->len;

    for (i++; i < n && samples[i].offset == start + size && size + samples[i].size <= MAX_RUN; i++)
      size += samples[i].size;
    g_byte_array_set_size (out, old_len + size);
    if (!vpk_mp4_pread_all (fd, out->data + old_len, size, start, error)) {
      g_byte_array_set_size (out, old_len);
      return FALSE;
    }
  }
  return TRUE;
}

typedef struct {
  const VpkMp4Sample *samples;
  guint               n;       /* 0: the thread stops */
  GByteArray         *data;
  GError             *error;
} ReadRequest;

struct _VpkPackReadAhead {
  int          fd;
  GThread     *thread;
  GAsyncQueue *requests;  /* (element-type ReadRequest) */
  GAsyncQueue *done;      /* (element-type ReadRequest) */
};

static void
read_request_free (ReadRequest *req)
{
  vpk_pack_buffer_give (req->data);
  g_clear_error (&req->error);
  g_free (req);
}

static gpointer
read_ahead_thread (gpointer data)
{
  VpkPackReadAhead *ra = data;

  for (;;) {
    ReadRequest *req = g_async_queue_pop (ra->requests);

    if (req->n == 0) {
      g_free (req);
      return NULL;
    }
    req->data = vpk_pack_buffer_take ();
    if (!vpk_pack_read_samples (ra->fd, req->samples, req->n, req->data, &req->error))
      g_clear_pointer (&req->data, vpk_pack_buffer_give);
    g_async_queue_push (ra->done, req);
  }
}

VpkPackReadAhead *
vpk_pack_read_ahead_new (int fd)
{
  VpkPackReadAhead *ra = g_new0 (VpkPackReadAhead, 1);

  ra->fd = fd;
  ra->requests = g_async_queue_new ();
  ra->done = g_async_queue_new_full ((GDestroyNotify) read_request_free);
  ra->thread = g_thread_new ("vpk-read-ahead", read_ahead_thread, ra);
  return ra;
}

void
vpk_pack_read_ahead_free (VpkPackReadAhead *ra)
{
  if (ra == NULL)
    return;
  g_async_queue_push (ra->requests, g_new0 (ReadRequest, 1));
  g_thread_join (ra->thread);
  g_async_queue_unref (ra->requests);  /* empty: the thread took all up to the stop */
  g_async_queue_unref (ra->done);
  g_free (ra);
}

void
vpk_pack_read_ahead_push (VpkPackReadAhead    *ra,
                          const VpkMp4Sample  *samples,
                          guint                n)
{
  ReadRequest *req = g_new0 (ReadRequest, 1);

  g_return_if_fail (n > 0);
  req->samples = samples;
  req->n = n;
  g_async_queue_push (ra->requests, req);
}

GByteArray *
vpk_pack_read_ahead_pop (VpkPackReadAhead  *ra,
                         GError           **error)
{
  ReadRequest *req = g_async_queue_pop (ra->done);
  GByteArray *data = g_steal_pointer (&req->data);

  if (data == NULL)
    g_propagate_error (error, g_steal_pointer (&req->error));
  read_request_free (req);
  return data;
}

VpkPackOutput *
vpk_pack_output_new (const char  *path,
                     GError     **error)
{
  g_autoptr(VpkPackOutput) output = g_new0 (VpkPackOutput, 1);

  output->path = g_strdup (path);
  output->tmp_path = g_strdup_printf ("%s.partial", path);
  output->out = vpk_mp4_output_new_with_mode (output->tmp_path, 0600, error);
  if (output->out == NULL)
    return NULL;
  return g_steal_pointer (&output);
}

gboolean
vpk_pack_output_write (VpkPackOutput  *output,
                       const void     *data,
                       gsize           size,
                       GError        **error)
{
  return vpk_mp4_output_write (output->out, data, size, error);
}

gboolean
vpk_pack_output_copy (VpkPackOutput  *output,
                      int             fd,
                      guint64         offset,
                      guint64         size,
                      GError        **error)
{
  return vpk_mp4_output_copy (output->out, fd, offset, size, error);
}

gboolean
vpk_pack_output_commit (VpkPackOutput  *output,
                        GError        **error)
{
  if (!vpk_mp4_output_close (output->out, error))
    return FALSE;
  if (g_rename (output->tmp_path, output->path) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "Cannot rename to '%s': %s",
                 output->path, g_strerror (errsv));
    return FALSE;
  }
  output->committed = TRUE;
  return TRUE;
}

void
vpk_pack_output_free (VpkPackOutput *output)
{
  if (output == NULL)
    return;
  g_clear_pointer (&output->out, vpk_mp4_output_free);
  if (!output->committed && output->tmp_path != NULL)
    g_unlink (output->tmp_path);
  g_free (output->tmp_path);
  g_free (output->path);
  g_free (output);
}
