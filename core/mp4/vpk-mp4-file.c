/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vpack/vpk-error.h>

/* Top-level boxes per file, a bound on the scan (one per fragment plus a few). */
#define MAX_TOP_LEVEL_BOXES (1 << 20)
#define SNIFF_SIZE 1024

int
vpk_mp4_open_file (const char *path, guint64 *out_size, GError **error)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0) {
    int saved = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, VPK_ERROR, saved == ENOENT ? VPK_ERROR_NOT_FOUND : VPK_ERROR_FAILED,
                 "cannot open '%s': %s", path, g_strerror (saved));
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    close (fd);
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT, "'%s' is not a regular file",
                 path);
    return -1;
  }
  *out_size = (guint64) st.st_size;
  return fd;
}

gboolean
vpk_mp4_pread_all (int fd, void *buf, gsize len, guint64 offset, GError **error)
{
  guint8 *p = buf;

  while (len > 0) {
    ssize_t n = pread (fd, p, len, (off_t) offset);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      g_set_error (error, VPK_ERROR, n == 0 ? VPK_ERROR_INVALID_DATA : VPK_ERROR_FAILED,
                   "cannot read %" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT ": %s",
                   len, offset, n == 0 ? "unexpected end of file" : g_strerror (errno));
      return FALSE;
    }
    p += n;
    len -= (gsize) n;
    offset += (guint64) n;
  }
  return TRUE;
}

static const char *
guess_other_container (const guint8 *b, gsize n)
{
  if (n >= 4 && b[0] == 0x1a && b[1] == 0x45 && b[2] == 0xdf && b[3] == 0xa3)
    return "Matroska";
  if (n > 376 && b[0] == 0x47 && b[188] == 0x47 && b[376] == 0x47)
    return "MPEG-TS";
  if (n >= 4 && memcmp (b, "RIFF", 4) == 0)
    return "RIFF (AVI/WAV)";
  if (n >= 3 && memcmp (b, "FLV", 3) == 0)
    return "FLV";
  if (n >= 4 && memcmp (b, "OggS", 4) == 0)
    return "Ogg";
  if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3] == 0xba)
    return "MPEG-PS";
  return NULL;
}

static gboolean
is_plausible_first_box (const guint8 *b, gsize n)
{
  static const char known[][5] = {
    "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "styp", "sidx", "moof",
    "uuid", "pdin", "meta", "jP  ",
  };
  guint32 size;

  if (n < 8)
    return FALSE;
  size = ((guint32) b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
  if (size != 0 && size != 1 && size < 8)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (memcmp (b + 4, known[i], 4) == 0)
      return TRUE;
  return FALSE;
}

gboolean
vpk_mp4_sniff (int fd, guint64 file_size, GError **error)
{
  guint8 buf[SNIFF_SIZE];
  gsize n = (gsize) MIN (file_size, (guint64) sizeof buf);
  const char *other;

  if (!vpk_mp4_pread_all (fd, buf, n, 0, error))
    return FALSE;
  if (is_plausible_first_box (buf, n))
    return TRUE;
  other = guess_other_container (buf, n);
  g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED, "not an MP4/MOV file (%s%s)",
               other != NULL ? "looks like " : "", other != NULL ? other :
               "no ISO base media box at its start");
  return FALSE;
}

static gboolean
set_invalid (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError **error, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, message);
  return FALSE;
}

gboolean
vpk_mp4_read_box_info (int fd, guint64 offset, guint64 end, VpkMp4BoxInfo *out_info,
                       GError **error)
{
  guint8 b[16];
  guint64 avail = end - offset, size;
  guint32 header = 8;
  char name[5];

  if (avail < 8)
    return set_invalid (error, "truncated box header at "
                        "offset %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes left)",
                        offset, avail);
  if (!vpk_mp4_pread_all (fd, b, (gsize) MIN (avail, 16), offset, error))
    return FALSE;
  size = ((guint32) b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
  out_info->type = ((guint32) b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7];
  vpk_mp4_fourcc_to_string (out_info->type, name);
  if (size == 1) {
    if (avail < 16)
      return set_invalid (error, "box '%s' at offset %"
                          G_GUINT64_FORMAT ": truncated 64-bit size", name, offset);
    memcpy (&size, b + 8, 8);
    size = GUINT64_FROM_BE (size);
    header = 16;
  } else if (size == 0) {
    size = avail;
  }
  if (out_info->type == VPK_MP4_FOURCC ('u', 'u', 'i', 'd'))
    header += 16;
  if (size < header)
    return set_invalid (error, "box '%s' at offset %"
                        G_GUINT64_FORMAT ": size %" G_GUINT64_FORMAT " is smaller than its "
                        "%u-byte header", name, offset, size, header);
  if (size > avail)
    return set_invalid (error, "box '%s' at offset %"
                        G_GUINT64_FORMAT " runs past the end of the file (size %"
                        G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " bytes left): truncated file",
                        name, offset, size, avail);
  out_info->offset = offset;
  out_info->size = size;
  out_info->header_size = header;
  return TRUE;
}

GArray *
vpk_mp4_scan_top_level (int fd, guint64 file_size, GError **error)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (VpkMp4BoxInfo));
  guint64 offset = 0;

  while (offset < file_size) {
    VpkMp4BoxInfo info;

    if (boxes->len >= MAX_TOP_LEVEL_BOXES) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "more than %d top-level boxes", MAX_TOP_LEVEL_BOXES);
      return NULL;
    }
    if (!vpk_mp4_read_box_info (fd, offset, file_size, &info, error))
      return NULL;
    g_array_append_val (boxes, info);
    offset += info.size;
  }
  return g_steal_pointer (&boxes);
}

VpkMp4Box *
vpk_mp4_load_box (int fd, const VpkMp4BoxInfo *info, GError **error)
{
  g_autofree guint8 *buf = NULL;
  char name[5];

  if (info->size > VPK_MP4_MAX_LOADED_BOX) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "%s box is %" G_GUINT64_FORMAT
                 " bytes, larger than the %d MiB limit",
                 vpk_mp4_fourcc_to_string (info->type, name), info->size,
                 VPK_MP4_MAX_LOADED_BOX / (1024 * 1024));
    return NULL;
  }
  buf = g_malloc ((gsize) info->size);
  if (!vpk_mp4_pread_all (fd, buf, (gsize) info->size, info->offset, error))
    return NULL;
  return vpk_mp4_box_parse_one (buf, (gsize) info->size, info->offset, error);
}
