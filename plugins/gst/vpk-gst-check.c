/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Truncation checks for containers whose demuxers read a cut file to a clean
 * EOS: matroskademux only logs "Dropping short buffer" at debug level and
 * tsdemux says nothing, so a cut upload would be packaged short in silence. */
#include "vpk-gst.h"

#include <stdio.h>
#include <glib/gstdio.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FILE, fclose)

#define EBML_HEADER_ID 0x1A45DFA3u
#define SEGMENT_ID     0x18538067u

/* Reads an EBML variable-size integer; @keep_marker for element IDs. */
static gboolean
read_vint (FILE *file, gboolean keep_marker, guint64 *out_value, gboolean *out_unknown)
{
  int first = fgetc (file);
  guint len = 1;
  guint64 value;
  gboolean all_ones;

  if (first == EOF || first == 0)
    return FALSE;
  while (!(first & (0x80 >> (len - 1))))
    len++;
  value = keep_marker ? (guint64) first : (guint64) (first & (0xFF >> len));
  all_ones = value == (guint64) (0xFF >> len);
  for (guint i = 1; i < len; i++) {
    int c = fgetc (file);

    if (c == EOF)
      return FALSE;
    value = (value << 8) | (guint) c;
    all_ones = all_ones && c == 0xFF;
  }
  *out_value = value;
  if (out_unknown != NULL)
    *out_unknown = !keep_marker && all_ones;
  return TRUE;
}

static gboolean
check_matroska (const char *path, guint64 size, GError **error)
{
  g_autoptr(FILE) file = fopen (path, "rb");
  guint64 id, length, segment_size;
  gboolean unknown;

  if (file == NULL || !read_vint (file, TRUE, &id, NULL) || id != EBML_HEADER_ID ||
      !read_vint (file, FALSE, &length, NULL) || fseeko (file, (off_t) length, SEEK_CUR) != 0 ||
      !read_vint (file, TRUE, &id, NULL) || id != SEGMENT_ID ||
      !read_vint (file, FALSE, &segment_size, &unknown))
    return TRUE;  /* not what we can check; the demuxer judges */
  if (!unknown && (guint64) ftello (file) + segment_size > size) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "truncated: the Matroska segment declares %" G_GUINT64_FORMAT " bytes but "
                 "the file ends after %" G_GUINT64_FORMAT " of them (matroskademux: \"Dropping "
                 "short buffer\")", segment_size, size - (guint64) ftello (file));
    return FALSE;
  }
  return TRUE;
}

gboolean
vpk_gst_check_complete (const char *path, const char *container, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return TRUE;  /* reading it will fail with a clearer error */
  if (g_strcmp0 (container, "mpegts") == 0 && st.st_size % 188 != 0 && st.st_size % 192 != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "truncated: %" G_GUINT64_FORMAT " bytes is not a whole number of 188-byte "
                 "MPEG-TS packets (the last packet is cut)", (guint64) st.st_size);
    return FALSE;
  }
  if (g_strcmp0 (container, "matroska") == 0 || g_strcmp0 (container, "webm") == 0)
    return check_matroska (path, (guint64) st.st_size, error);
  return TRUE;
}
