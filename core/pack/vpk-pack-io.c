/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-io.h"
#include "mp4/vpk-mp4-file.h"

#include <errno.h>
#include <glib/gstdio.h>

/* One pread covers a run of samples when the gaps between them are small. */
#define MAX_GAP (64 * 1024)
#define MAX_RUN (16 * 1024 * 1024)
#define OUTPUT_BUFFER (1024 * 1024)

struct _VpkPackOutput {
  char          *path;
  char          *tmp_path;
  GOutputStream *file;
  GOutputStream *buffered;
  gboolean       committed;
};

/* Reads @n samples that lie back to back in the file straight into @out. */
static gboolean
read_contiguous (int                  fd,
                 const VpkMp4Sample  *samples,
                 guint                n,
                 GByteArray          *out,
                 GError             **error)
{
  guint64 size = samples[n - 1].offset + samples[n - 1].size - samples[0].offset;
  guint old_len = out->len;

  g_byte_array_set_size (out, old_len + size);
  if (!vpk_mp4_pread_all (fd, out->data + old_len, size, samples[0].offset, error)) {
    g_byte_array_set_size (out, old_len);
    return FALSE;
  }
  return TRUE;
}

/* Reads a run with small gaps through @scratch, keeping only the samples. */
static gboolean
read_with_gaps (int                  fd,
                const VpkMp4Sample  *samples,
                guint                n,
                GByteArray          *scratch,
                GByteArray          *out,
                GError             **error)
{
  guint64 start = samples[0].offset;

  g_byte_array_set_size (scratch, samples[n - 1].offset + samples[n - 1].size - start);
  if (!vpk_mp4_pread_all (fd, scratch->data, scratch->len, start, error))
    return FALSE;
  for (guint k = 0; k < n; k++)
    g_byte_array_append (out, scratch->data + (samples[k].offset - start), samples[k].size);
  return TRUE;
}

gboolean
vpk_pack_read_samples (int                  fd,
                       const VpkMp4Sample  *samples,
                       guint                n,
                       GByteArray          *out,
                       GError             **error)
{
  g_autoptr(GByteArray) scratch = NULL;
  guint i = 0;

  while (i < n) {
    guint64 start = samples[i].offset;
    guint64 end = start + samples[i].size;
    gboolean contiguous = TRUE;
    guint j = i + 1;

    /* Extend the run while the next sample follows closely. */
    while (j < n && samples[j].offset >= end && samples[j].offset - end <= MAX_GAP &&
           samples[j].offset + samples[j].size - start <= MAX_RUN) {
      contiguous = contiguous && samples[j].offset == end;
      end = samples[j].offset + samples[j].size;
      j++;
    }
    if (contiguous) {
      if (!read_contiguous (fd, samples + i, j - i, out, error))
        return FALSE;
    } else {
      if (scratch == NULL)
        scratch = g_byte_array_new ();
      if (!read_with_gaps (fd, samples + i, j - i, scratch, out, error))
        return FALSE;
    }
    i = j;
  }
  return TRUE;
}

VpkPackOutput *
vpk_pack_output_new (const char  *path,
                     GError     **error)
{
  g_autoptr(VpkPackOutput) output = g_new0 (VpkPackOutput, 1);
  g_autoptr(GFile) file = NULL;
  GFileOutputStream *stream;

  output->path = g_strdup (path);
  output->tmp_path = g_strdup_printf ("%s.partial", path);
  file = g_file_new_for_path (output->tmp_path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL) {
    g_prefix_error (error, "Cannot write '%s': ", path);
    return NULL;
  }
  output->file = G_OUTPUT_STREAM (stream);
  output->buffered = g_buffered_output_stream_new_sized (output->file, OUTPUT_BUFFER);
  return g_steal_pointer (&output);
}

GOutputStream *
vpk_pack_output_get_stream (VpkPackOutput *output)
{
  return output->buffered;
}

gboolean
vpk_pack_output_commit (VpkPackOutput  *output,
                        GCancellable   *cancellable,
                        GError        **error)
{
  if (!g_output_stream_close (output->buffered, cancellable, error)) {
    g_prefix_error (error, "Cannot write '%s': ", output->path);
    return FALSE;
  }
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
  if (output->buffered != NULL && !g_output_stream_is_closed (output->buffered))
    g_output_stream_close (output->buffered, NULL, NULL);
  g_clear_object (&output->buffered);
  g_clear_object (&output->file);
  if (!output->committed && output->tmp_path != NULL)
    g_unlink (output->tmp_path);
  g_free (output->tmp_path);
  g_free (output->path);
  g_free (output);
}

gboolean
vpk_pack_write_bytes (GOutputStream  *out,
                      const void     *data,
                      gsize           size,
                      GCancellable   *cancellable,
                      GError        **error)
{
  if (size == 0)
    return TRUE;
  if (!g_output_stream_write_all (out, data, size, NULL, cancellable, error)) {
    g_prefix_error (error, "Cannot write the output: ");
    return FALSE;
  }
  return TRUE;
}
