/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-bytes.h"

#include <string.h>

struct _VpkMp4Writer {
  GByteArray *buf;
  GArray     *open;  /* (element-type gsize): start offsets of open boxes */
};

const char *
vpk_mp4_fourcc_to_string (guint32 fourcc, char *buf)
{
  for (int i = 0; i < 4; i++) {
    guint8 c = (fourcc >> (24 - 8 * i)) & 0xff;

    buf[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
  }
  buf[4] = '\0';
  return buf;
}

guint32
vpk_mp4_fourcc_from_string (const char *text)
{
  guint8 c[4] = { ' ', ' ', ' ', ' ' };

  for (int i = 0; i < 4 && text[i] != '\0'; i++)
    c[i] = (guint8) text[i];
  return VPK_MP4_FOURCC (c[0], c[1], c[2], c[3]);
}

void
vpk_mp4_reader_init (VpkMp4Reader *r, const guint8 *data, gsize size)
{
  r->data = data;
  r->size = data != NULL ? size : 0;
  r->pos = 0;
}

gsize
vpk_mp4_reader_remaining (const VpkMp4Reader *r)
{
  return r->size - r->pos;
}

gboolean
vpk_mp4_reader_skip (VpkMp4Reader *r, gsize n)
{
  if (n > r->size - r->pos)
    return FALSE;
  r->pos += n;
  return TRUE;
}

static gboolean
reader_get_be (VpkMp4Reader *r, guint n, guint64 *out)
{
  guint64 v = 0;

  if (n > r->size - r->pos)
    return FALSE;
  for (guint i = 0; i < n; i++)
    v = (v << 8) | r->data[r->pos + i];
  r->pos += n;
  *out = v;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_u8 (VpkMp4Reader *r, guint8 *out)
{
  guint64 v;

  if (!reader_get_be (r, 1, &v))
    return FALSE;
  *out = (guint8) v;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_u16 (VpkMp4Reader *r, guint16 *out)
{
  guint64 v;

  if (!reader_get_be (r, 2, &v))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_u24 (VpkMp4Reader *r, guint32 *out)
{
  guint64 v;

  if (!reader_get_be (r, 3, &v))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_u32 (VpkMp4Reader *r, guint32 *out)
{
  guint64 v;

  if (!reader_get_be (r, 4, &v))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_u64 (VpkMp4Reader *r, guint64 *out)
{
  return reader_get_be (r, 8, out);
}

gboolean
vpk_mp4_reader_get_uv (VpkMp4Reader *r, guint8 version, guint64 *out)
{
  return reader_get_be (r, version == 0 ? 4 : 8, out);
}

gboolean
vpk_mp4_reader_get_bytes (VpkMp4Reader *r, gsize n, const guint8 **out)
{
  if (n > r->size - r->pos)
    return FALSE;
  *out = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

gboolean
vpk_mp4_reader_get_full_header (VpkMp4Reader *r, guint8 *out_version, guint32 *out_flags)
{
  guint64 v;

  if (!reader_get_be (r, 4, &v))
    return FALSE;
  *out_version = (guint8) (v >> 24);
  *out_flags = (guint32) (v & 0xffffff);
  return TRUE;
}

VpkMp4Writer *
vpk_mp4_writer_new (void)
{
  VpkMp4Writer *w = g_new0 (VpkMp4Writer, 1);

  w->buf = g_byte_array_sized_new (256);
  w->open = g_array_new (FALSE, FALSE, sizeof (gsize));
  return w;
}

void
vpk_mp4_writer_free (VpkMp4Writer *w)
{
  if (w == NULL)
    return;
  g_clear_pointer (&w->buf, g_byte_array_unref);
  g_clear_pointer (&w->open, g_array_unref);
  g_free (w);
}

gsize
vpk_mp4_writer_get_size (const VpkMp4Writer *w)
{
  return w->buf->len;
}

const guint8 *
vpk_mp4_writer_get_data (const VpkMp4Writer *w)
{
  return w->buf->data;
}

GBytes *
vpk_mp4_writer_free_to_bytes (VpkMp4Writer *w)
{
  GBytes *bytes = g_byte_array_free_to_bytes (g_steal_pointer (&w->buf));

  vpk_mp4_writer_free (w);
  return bytes;
}

static void
writer_put_be (VpkMp4Writer *w, guint64 v, guint n)
{
  guint8 b[8];

  for (guint i = 0; i < n; i++)
    b[i] = (guint8) (v >> (8 * (n - 1 - i)));
  g_byte_array_append (w->buf, b, n);
}

void
vpk_mp4_writer_put_u8 (VpkMp4Writer *w, guint8 v)
{
  g_byte_array_append (w->buf, &v, 1);
}

void
vpk_mp4_writer_put_u16 (VpkMp4Writer *w, guint16 v)
{
  writer_put_be (w, v, 2);
}

void
vpk_mp4_writer_put_u24 (VpkMp4Writer *w, guint32 v)
{
  writer_put_be (w, v, 3);
}

void
vpk_mp4_writer_put_u32 (VpkMp4Writer *w, guint32 v)
{
  writer_put_be (w, v, 4);
}

void
vpk_mp4_writer_put_u64 (VpkMp4Writer *w, guint64 v)
{
  writer_put_be (w, v, 8);
}

void
vpk_mp4_writer_put_bytes (VpkMp4Writer *w, const void *data, gsize n)
{
  if (n > 0)
    g_byte_array_append (w->buf, data, (guint) n);
}

void
vpk_mp4_writer_put_zeros (VpkMp4Writer *w, gsize n)
{
  gsize old = w->buf->len;

  g_byte_array_set_size (w->buf, (guint) (old + n));
  memset (w->buf->data + old, 0, n);
}

void
vpk_mp4_writer_patch_u32 (VpkMp4Writer *w, gsize pos, guint32 v)
{
  g_return_if_fail (pos + 4 <= w->buf->len);
  for (guint i = 0; i < 4; i++)
    w->buf->data[pos + i] = (guint8) (v >> (24 - 8 * i));
}

void
vpk_mp4_writer_begin_box (VpkMp4Writer *w, guint32 type)
{
  gsize start = w->buf->len;

  g_array_append_val (w->open, start);
  vpk_mp4_writer_put_u32 (w, 0);  /* patched by end_box */
  vpk_mp4_writer_put_u32 (w, type);
}

void
vpk_mp4_writer_begin_full_box (VpkMp4Writer *w, guint32 type, guint8 version, guint32 flags)
{
  vpk_mp4_writer_begin_box (w, type);
  vpk_mp4_writer_put_u32 (w, ((guint32) version << 24) | (flags & 0xffffff));
}

gsize
vpk_mp4_writer_end_box (VpkMp4Writer *w)
{
  gsize start, size;

  g_return_val_if_fail (w->open->len > 0, 0);
  start = g_array_index (w->open, gsize, w->open->len - 1);
  g_array_set_size (w->open, w->open->len - 1);
  size = w->buf->len - start;
  g_return_val_if_fail (size <= G_MAXUINT32, 0);
  vpk_mp4_writer_patch_u32 (w, start, (guint32) size);
  return size;
}
