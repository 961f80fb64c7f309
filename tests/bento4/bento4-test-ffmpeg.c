/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bento4-test-util.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* ffmpeg and ffprobe as independent readers of what the backend wrote
 * (PLAYERS.md): ffmpeg 5.1 decrypts Bento4's cenc and cbcs. Each media segment
 * is decrypted after its init segment on its own: ffmpeg 5.1 stumbles on an
 * init followed by several of Bento4's encrypted segments in one file. */

GPtrArray *
bento4_test_payload_hashes (const char *file,
                            const char *stream,
                            const char *key_hex)
{
  g_autofree char *map = g_strdup_printf ("0:%s", stream);
  const char *argv[] = {
    "ffmpeg", "-v", "error", "-decryption_key", key_hex, "-i", file, "-map", map,
    "-c", "copy", "-f", "framemd5", "-", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *hashes = g_ptr_array_new_with_free_func (g_free);

  if (key_hex == NULL)
    memmove (&argv[3], &argv[5], sizeof (char *) * (G_N_ELEMENTS (argv) - 5));
  out = bento4_test_run (argv, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = NULL;

    if (lines[i][0] == '#' || lines[i][0] == '\0')
      continue;
    fields = g_strsplit (lines[i], ",", -1);
    g_assert_cmpuint (g_strv_length (fields), >=, 6);
    g_ptr_array_add (hashes, g_strdup (g_strstrip (fields[5])));
  }
  return hashes;
}

/* init + @segment in one temporary file */
static char *
join_segment (const char *init,
              const char *segment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *path = NULL;
  gsize a_len = 0, b_len = 0;
  int fd;

  g_assert_true (g_file_get_contents (init, &a, &a_len, &error));
  g_assert_true (g_file_get_contents (segment, &b, &b_len, &error));
  fd = g_file_open_tmp ("vpack-bento4-seg-XXXXXX.mp4", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, a, a_len), ==, (gssize) a_len);
  g_assert_cmpint (write (fd, b, b_len), ==, (gssize) b_len);
  g_close (fd, NULL);
  return g_steal_pointer (&path);
}

GPtrArray *
bento4_test_rep_hashes (const Bento4TestRep *rep,
                        const char          *key_hex)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < rep->media->len; i++) {
    const char *segment = g_ptr_array_index (rep->media, i);
    g_autofree char *joined = rep->init != NULL ? join_segment (rep->init, segment) : NULL;
    g_autoptr(GPtrArray) hashes =
        bento4_test_payload_hashes (joined != NULL ? joined : segment, "0", key_hex);

    for (guint j = 0; j < hashes->len; j++)
      g_ptr_array_add (all, g_strdup (g_ptr_array_index (hashes, j)));
    if (joined != NULL)
      g_unlink (joined);
  }
  return all;
}

void
bento4_test_assert_same_hashes (GPtrArray *expected,
                                GPtrArray *actual)
{
  g_assert_cmpuint (expected->len, >, 0);
  g_assert_cmpuint (actual->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (g_ptr_array_index (actual, i), ==, g_ptr_array_index (expected, i));
}

void
bento4_test_assert_probe (const Bento4TestRep *rep,
                          const char          *codec_name)
{
  g_autofree char *joined = rep->init != NULL
                              ? join_segment (rep->init, g_ptr_array_index (rep->media, 0))
                              : g_strdup (g_ptr_array_index (rep->media, 0));
  const char *argv[] = {
    "ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", joined, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = bento4_test_run (argv, &error);

  g_assert_no_error (error);
  out[strcspn (out, ",\n")] = '\0';  /* side data may follow the codec name */
  g_assert_cmpstr (out, ==, codec_name);
  if (rep->init != NULL)
    g_unlink (joined);
}
