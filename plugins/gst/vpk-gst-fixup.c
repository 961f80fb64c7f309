/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mp4mux 1.22 writes tfhd with no flags, which means "base is the moof" only for
 * the first traf of a moof; packagers expect default-base-is-moof spelt out.
 * This pass sets it in place (one traf per moof, so no offset changes) and
 * checks the contract the encrypt stage relies on: tfdt in every traf, one
 * trun per traf, every video fragment starting with a sync sample. */
#include "vpk-gst.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_MOOF_SIZE (64u << 20)
#define TFHD_BASE_DATA_OFFSET 0x000001u
#define TFHD_DEFAULT_FLAGS    0x000020u
#define TFHD_BASE_IS_MOOF     0x020000u
#define TRUN_FIRST_FLAGS      0x000004u
#define SAMPLE_NON_SYNC       0x00010000u

typedef struct {
  const guint8 *data;   /* the payload, after the header */
  gsize         size;
  char          type[5];
} Box;

static guint32
rd32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The box at @buf[*pos], within @len bytes; advances *pos. */
static gboolean
next_box (const guint8 *buf, gsize len, gsize *pos, Box *out)
{
  guint64 size;
  gsize header = 8;

  if (len - *pos < 8)
    return FALSE;
  size = rd32 (buf + *pos);
  if (size == 1) {
    if (len - *pos < 16)
      return FALSE;
    size = ((guint64) rd32 (buf + *pos + 8) << 32) | rd32 (buf + *pos + 12);
    header = 16;
  } else if (size == 0) {
    size = len - *pos;
  }
  if (size < header || size > len - *pos)
    return FALSE;
  memcpy (out->type, buf + *pos + 4, 4);
  out->type[4] = '\0';
  out->data = buf + *pos + header;
  out->size = size - header;
  *pos += size;
  return TRUE;
}

static gboolean
find_child (const guint8 *buf, gsize len, const char *type, Box *out)
{
  gsize pos = 0;

  while (next_box (buf, len, &pos, out))
    if (strcmp (out->type, type) == 0)
      return TRUE;
  return FALSE;
}

/* The flags of the first sample of @trun, or of the defaults. */
static guint32
first_sample_flags (const Box *trun, guint32 tfhd_default, gboolean has_tfhd_default,
                    guint32 trex_default)
{
  guint32 flags = trun->size >= 8 ? rd32 (trun->data) & 0xFFFFFF : 0;
  gsize at = 8 + ((flags & 0x1) ? 4 : 0);

  if ((flags & TRUN_FIRST_FLAGS) && trun->size >= at + 4)
    return rd32 (trun->data + at);
  at += (flags & TRUN_FIRST_FLAGS) ? 4 : 0;
  at += (flags & 0x100) ? 4 : 0;
  at += (flags & 0x200) ? 4 : 0;
  if ((flags & 0x400) && trun->size >= at + 4)
    return rd32 (trun->data + at);
  return has_tfhd_default ? tfhd_default : trex_default;
}

static guint32
trex_default_flags (const guint8 *moov, gsize len)
{
  Box mvex, trex;

  if (find_child (moov, len, "mvex", &mvex) && find_child (mvex.data, mvex.size, "trex", &trex) &&
      trex.size >= 24)
    return rd32 (trex.data + 20);
  return 0;
}

static gboolean
fix_traf (const Box *traf, gboolean video, guint32 trex_default, guint n, GError **error)
{
  gsize pos = 0;
  Box box, tfhd = { NULL }, trun = { NULL };
  guint n_tfdt = 0, n_trun = 0;
  guint32 flags, tfhd_default = 0;

  while (next_box (traf->data, traf->size, &pos, &box)) {
    if (strcmp (box.type, "tfhd") == 0)
      tfhd = box;
    else if (strcmp (box.type, "tfdt") == 0)
      n_tfdt++;
    else if (strcmp (box.type, "trun") == 0 && n_trun++ == 0)
      trun = box;
  }
  if (tfhd.data == NULL || tfhd.size < 8 || n_tfdt != 1 || n_trun != 1) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "fragment %u: mp4mux wrote %s tfhd, %u "
                 "tfdt and %u trun (one each expected)", n, tfhd.data != NULL ? "a" : "no",
                 n_tfdt, n_trun);
    return FALSE;
  }
  flags = rd32 (tfhd.data) & 0xFFFFFF;
  if (flags & TFHD_DEFAULT_FLAGS) {
    gsize at = 8 + ((flags & 0x1) ? 8 : 0) + ((flags & 0x2) ? 4 : 0) + ((flags & 0x8) ? 4 : 0) +
               ((flags & 0x10) ? 4 : 0);

    tfhd_default = tfhd.size >= at + 4 ? rd32 (tfhd.data + at) : 0;
  }
  if (video && (first_sample_flags (&trun, tfhd_default, flags & TFHD_DEFAULT_FLAGS,
                                    trex_default) & SAMPLE_NON_SYNC)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED,
                 "fragment %u does not start with a key frame", n);
    return FALSE;
  }
  if (!(flags & TFHD_BASE_DATA_OFFSET))
    ((guint8 *) tfhd.data)[1] |= TFHD_BASE_IS_MOOF >> 16;
  return TRUE;
}

static gboolean
fix_moof (guint8 *moof, gsize len, gboolean video, guint32 trex_default, guint n,
          GError **error)
{
  gsize pos = 0;
  Box box, traf = { NULL };
  guint n_traf = 0;

  while (next_box (moof, len, &pos, &box))
    if (strcmp (box.type, "traf") == 0 && n_traf++ == 0)
      traf = box;
  if (n_traf != 1) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "fragment %u has %u traf boxes, not one",
                 n, n_traf);
    return FALSE;
  }
  return fix_traf (&traf, video, trex_default, n, error);
}

static gboolean
io_error (const char *what, GError **error)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot %s: %s", what,
               g_strerror (saved));
  return FALSE;
}

/* Reads the top-level box header at @offset: total size and type. */
static gboolean
read_header (int fd, guint64 offset, guint64 file_size, guint64 *out_size, char *out_type)
{
  guint8 h[16];
  guint64 size;

  if (file_size - offset < 8 || pread (fd, h, sizeof h, (off_t) offset) < 8)
    return FALSE;
  size = rd32 (h);
  if (size == 1 && file_size - offset >= 16)
    size = ((guint64) rd32 (h + 8) << 32) | rd32 (h + 12);
  else if (size == 0)
    size = file_size - offset;
  if (size < 8 || size > file_size - offset)
    return FALSE;
  memcpy (out_type, h + 4, 4);
  out_type[4] = '\0';
  *out_size = size;
  return TRUE;
}

/* Applies fix_moof to the moof at @offset, writing it back. */
static gboolean
fix_moof_at (int fd, guint64 offset, guint64 size, gboolean video, guint32 trex_default,
             guint n, GError **error)
{
  g_autofree guint8 *buf = NULL;

  if (size > MAX_MOOF_SIZE) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "fragment %u: moof of %" G_GUINT64_FORMAT
                 " bytes", n, size);
    return FALSE;
  }
  buf = g_malloc (size);
  if (pread (fd, buf, size, (off_t) offset) != (ssize_t) size)
    return io_error ("read a moof", error);
  if (!fix_moof (buf + 8, size - 8, video, trex_default, n, error))
    return FALSE;
  if (pwrite (fd, buf, size, (off_t) offset) != (ssize_t) size)
    return io_error ("write a moof", error);
  return TRUE;
}

static gboolean
read_trex (int fd, guint64 offset, guint64 size, guint32 *out_flags, GError **error)
{
  g_autofree guint8 *buf = NULL;

  if (size > MAX_MOOF_SIZE)
    return TRUE;
  buf = g_malloc (size);
  if (pread (fd, buf, size, (off_t) offset) != (ssize_t) size)
    return io_error ("read the moov", error);
  *out_flags = trex_default_flags (buf + 8, size - 8);
  return TRUE;
}

gboolean
vpk_gst_fixup_fragments (const char *path, gboolean video, GError **error)
{
  int fd = open (path, O_RDWR | O_CLOEXEC);
  guint64 offset = 0, size, file_size;
  guint32 trex_default = 0;
  guint n = 0;
  char type[5];
  gboolean ok = TRUE;

  if (fd < 0)
    return io_error ("open the fragment output", error);
  file_size = (guint64) lseek (fd, 0, SEEK_END);
  for (; ok && read_header (fd, offset, file_size, &size, type); offset += size) {
    if (strcmp (type, "moov") == 0)
      ok = read_trex (fd, offset, size, &trex_default, error);
    else if (strcmp (type, "moof") == 0)
      ok = fix_moof_at (fd, offset, size, video, trex_default, ++n, error);
  }
  close (fd);
  if (ok && n == 0) {
    /* Seen with AC-3: mp4mux adds dac3 after the first frame and rewrites the
     * longer moov over the start of the first fragment. */
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "mp4mux wrote no readable fragment "
                 "(with AC-3, GStreamer 1.22's mp4mux rewrites a longer moov over the first "
                 "fragment)");
    return FALSE;
  }
  if (ok && offset != file_size) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "unreadable box at byte %" G_GUINT64_FORMAT,
                 offset);
    return FALSE;
  }
  return ok;
}
