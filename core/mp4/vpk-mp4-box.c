/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-box.h"

#include <string.h>
#include <vpack/vpk-error.h>

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

typedef struct {
  const guint8 *data;
  guint64       base;
  guint         n_boxes;
} ParseCtx;

static gboolean parse_children (ParseCtx *ctx, VpkMp4Box *parent, gsize start,
                                gsize end, guint depth, GError **error);

static gboolean
type_is_visual_entry (guint32 type)
{
  return type == FOURCC ("avc1") || type == FOURCC ("avc3") || type == FOURCC ("hvc1") ||
         type == FOURCC ("hev1") || type == FOURCC ("encv");
}

static gboolean
type_is_audio_entry (guint32 type)
{
  return type == FOURCC ("mp4a") || type == FOURCC ("ac-3") || type == FOURCC ("ec-3") ||
         type == FOURCC ("enca");
}

gboolean
vpk_mp4_box_type_is_container (guint32 type)
{
  static const char plain[][5] = {
    "moov", "trak", "mdia", "minf", "stbl", "mvex", "moof", "traf",
    "edts", "dinf", "sinf", "schi", "udta", "mfra", "stsd", "wave",
  };

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    if (type == FOURCC (plain[i]))
      return TRUE;
  return type_is_visual_entry (type) || type_is_audio_entry (type);
}

/* Bytes of fixed fields before the children of a container's payload. */
static gsize
container_prefix_size (guint32 type, const guint8 *payload, gsize size)
{
  if (type == FOURCC ("stsd"))
    return 8;
  if (type_is_visual_entry (type))
    return 78;
  if (type_is_audio_entry (type)) {
    /* QuickTime sound descriptions v1 and v2 carry 16 / 36 more bytes. */
    guint version = size >= 10 ? (payload[8] << 8) | payload[9] : 0;

    return version == 1 ? 44 : version == 2 ? 64 : 28;
  }
  return 0;
}

VpkMp4Box *
vpk_mp4_box_new_container (guint32 type)
{
  VpkMp4Box *box = g_new0 (VpkMp4Box, 1);

  box->type = type;
  box->children = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_box_free);
  return box;
}

VpkMp4Box *
vpk_mp4_box_new_leaf (guint32 type, const guint8 *data, gsize size)
{
  VpkMp4Box *box = g_new0 (VpkMp4Box, 1);

  box->type = type;
  vpk_mp4_box_set_data (box, data, size);
  return box;
}

void
vpk_mp4_box_free (VpkMp4Box *box)
{
  if (box == NULL)
    return;
  g_clear_pointer (&box->children, g_ptr_array_unref);
  g_free (box->data);
  g_free (box);
}

void
vpk_mp4_box_set_data (VpkMp4Box *box, const guint8 *data, gsize size)
{
  g_free (box->data);
  box->data = size > 0 ? g_memdup2 (data, size) : NULL;
  box->size = size;
}

VpkMp4Box *
vpk_mp4_box_copy (const VpkMp4Box *box)
{
  VpkMp4Box *copy = g_new0 (VpkMp4Box, 1);

  copy->type = box->type;
  copy->offset = box->offset;
  copy->file_offset = box->file_offset;
  copy->file_size = box->file_size;
  memcpy (copy->usertype, box->usertype, 16);
  vpk_mp4_box_set_data (copy, box->data, box->size);
  if (box->children != NULL) {
    copy->children = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_box_free);
    for (guint i = 0; i < box->children->len; i++)
      vpk_mp4_box_append (copy, vpk_mp4_box_copy (box->children->pdata[i]));
  }
  return copy;
}

static gboolean
set_box_error (GError **error, guint32 type, guint64 offset, const char *fmt, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
set_box_error (GError **error, guint32 type, guint64 offset, const char *fmt, ...)
{
  g_autofree char *detail = NULL;
  char name[5];
  va_list args;

  va_start (args, fmt);
  detail = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "box '%s' at offset %" G_GUINT64_FORMAT
               ": %s", vpk_mp4_fourcc_to_string (type, name), offset, detail);
  return FALSE;
}

/* Reads the header at @pos; on success *out_size is the whole box and
 * *out_header its header length (uuid included). */
static gboolean
read_header (ParseCtx *ctx, gsize pos, gsize end, guint32 *out_type, guint64 *out_size,
             gsize *out_header, GError **error)
{
  VpkMp4Reader r;
  guint32 size32, type;
  guint64 size;
  gsize header = 8, avail = end - pos;

  vpk_mp4_reader_init (&r, ctx->data + pos, avail);
  if (!vpk_mp4_reader_get_u32 (&r, &size32) || !vpk_mp4_reader_get_u32 (&r, &type)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "truncated box header at offset %"
                 G_GUINT64_FORMAT " (%" G_GSIZE_FORMAT " bytes left)", ctx->base + pos, avail);
    return FALSE;
  }
  size = size32;
  if (size32 == 1) {
    if (!vpk_mp4_reader_get_u64 (&r, &size))
      return set_box_error (error, type, ctx->base + pos, "truncated 64-bit size");
    header = 16;
  } else if (size32 == 0) {
    size = avail;
  }
  if (type == FOURCC ("uuid"))
    header += 16;
  if (size < header)
    return set_box_error (error, type, ctx->base + pos, "size %" G_GUINT64_FORMAT
                          " is smaller than its %" G_GSIZE_FORMAT "-byte header", size, header);
  if (size > avail)
    return set_box_error (error, type, ctx->base + pos, "size %" G_GUINT64_FORMAT
                          " runs past the end of its parent (%" G_GSIZE_FORMAT " bytes left)",
                          size, avail);
  *out_type = type;
  *out_size = size;
  *out_header = header;
  return TRUE;
}

static gboolean
parse_container_payload (ParseCtx *ctx, VpkMp4Box *box, gsize start, gsize end,
                         guint depth, GError **error)
{
  gsize prefix = container_prefix_size (box->type, ctx->data + start, end - start);

  if (prefix > end - start)
    return set_box_error (error, box->type, box->offset, "payload of %" G_GSIZE_FORMAT
                          " bytes is shorter than its %" G_GSIZE_FORMAT " bytes of fixed fields",
                          end - start, prefix);
  vpk_mp4_box_set_data (box, ctx->data + start, prefix);
  box->children = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_box_free);
  return parse_children (ctx, box, start + prefix, end, depth + 1, error);
}

/* Sample entries have children only inside stsd (QuickTime's wave holds a
 * 4-byte 'mp4a' atom, for one). */
static gboolean
parsed_as_container (guint32 type, guint32 parent_type)
{
  if (type_is_visual_entry (type) || type_is_audio_entry (type))
    return parent_type == FOURCC ("stsd");
  return vpk_mp4_box_type_is_container (type);
}

static VpkMp4Box *
parse_box (ParseCtx *ctx, guint32 parent_type, gsize pos, gsize end, guint depth,
           gsize *out_next, GError **error)
{
  g_autoptr(VpkMp4Box) box = g_new0 (VpkMp4Box, 1);
  guint64 size = 0;
  gsize header = 0;

  if (!read_header (ctx, pos, end, &box->type, &size, &header, error))
    return NULL;
  box->offset = ctx->base + pos;
  if (box->type == FOURCC ("uuid"))
    memcpy (box->usertype, ctx->data + pos + header - 16, 16);
  if (++ctx->n_boxes > VPK_MP4_MAX_BOXES) {
    set_box_error (error, box->type, box->offset, "more than %d boxes", VPK_MP4_MAX_BOXES);
    return NULL;
  }
  if (depth > VPK_MP4_MAX_DEPTH) {
    set_box_error (error, box->type, box->offset, "nested deeper than %d levels",
                   VPK_MP4_MAX_DEPTH);
    return NULL;
  }
  *out_next = pos + size;
  if (!parsed_as_container (box->type, parent_type)) {
    vpk_mp4_box_set_data (box, ctx->data + pos + header, size - header);
    return g_steal_pointer (&box);
  }
  if (!parse_container_payload (ctx, box, pos + header, pos + size, depth, error)) {
    if (box->type != FOURCC ("udta"))
      return NULL;
    /* udta holds free-form QuickTime data: keep it opaque rather than fail. */
    g_clear_error (error);
    g_clear_pointer (&box->children, g_ptr_array_unref);
    vpk_mp4_box_set_data (box, ctx->data + pos + header, size - header);
  }
  return g_steal_pointer (&box);
}

static gboolean
is_zero_tail (const guint8 *p, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (p[i] != 0)
      return FALSE;
  return TRUE;
}

static gboolean
parse_children (ParseCtx *ctx, VpkMp4Box *parent, gsize start, gsize end, guint depth,
                GError **error)
{
  gsize pos = start;

  while (pos < end) {
    VpkMp4Box *child;
    gsize next = end;

    /* QuickTime ends some lists with a 32-bit zero; some files are zero-padded. */
    if (is_zero_tail (ctx->data + pos, MIN (end - pos, 8)) &&
        (end - pos < 8 || is_zero_tail (ctx->data + pos, end - pos)))
      return TRUE;
    child = parse_box (ctx, parent->type, pos, end, depth, &next, error);
    if (child == NULL)
      return FALSE;
    vpk_mp4_box_append (parent, child);
    pos = next;
  }
  return TRUE;
}

VpkMp4Box *
vpk_mp4_box_parse (const guint8 *data, gsize size, guint64 base_offset, GError **error)
{
  ParseCtx ctx = { data, base_offset, 0 };
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_new_container (0);

  if (!parse_children (&ctx, root, 0, data != NULL ? size : 0, 1, error))
    return NULL;
  return g_steal_pointer (&root);
}

VpkMp4Box *
vpk_mp4_box_parse_one (const guint8 *data, gsize size, guint64 base_offset, GError **error)
{
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (data, size, base_offset, error);

  if (root == NULL)
    return NULL;
  if (root->children->len != 1) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "expected one box at offset %" G_GUINT64_FORMAT ", found %u",
                 base_offset, root->children->len);
    return NULL;
  }
  return vpk_mp4_box_detach (root->children->pdata[0]);
}

VpkMp4Box *
vpk_mp4_box_get_child (const VpkMp4Box *box, guint32 type)
{
  if (box == NULL || box->children == NULL)
    return NULL;
  for (guint i = 0; i < box->children->len; i++) {
    VpkMp4Box *child = box->children->pdata[i];

    if (child->type == type)
      return child;
  }
  return NULL;
}

static void
find_all_rec (const VpkMp4Box *box, char **parts, GPtrArray *out)
{
  guint32 type;

  if (parts[0] == NULL) {
    g_ptr_array_add (out, (gpointer) box);
    return;
  }
  if (box->children == NULL)
    return;
  type = vpk_mp4_fourcc_from_string (parts[0]);
  for (guint i = 0; i < box->children->len; i++) {
    VpkMp4Box *child = box->children->pdata[i];

    if (child->type == type)
      find_all_rec (child, parts + 1, out);
  }
}

GPtrArray *
vpk_mp4_box_find_all (const VpkMp4Box *box, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  GPtrArray *out = g_ptr_array_new ();

  if (box != NULL)
    find_all_rec (box, parts, out);
  return out;
}

VpkMp4Box *
vpk_mp4_box_find (const VpkMp4Box *box, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  const VpkMp4Box *cur = box;

  for (guint i = 0; parts[i] != NULL && cur != NULL; i++)
    cur = vpk_mp4_box_get_child (cur, vpk_mp4_fourcc_from_string (parts[i]));
  return (VpkMp4Box *) cur;
}

void
vpk_mp4_box_insert (VpkMp4Box *parent, guint index, VpkMp4Box *child)
{
  g_return_if_fail (parent->children != NULL);
  g_return_if_fail (child->parent == NULL);
  child->parent = parent;
  g_ptr_array_insert (parent->children, MIN (index, parent->children->len), child);
}

void
vpk_mp4_box_append (VpkMp4Box *parent, VpkMp4Box *child)
{
  g_return_if_fail (parent->children != NULL);
  vpk_mp4_box_insert (parent, parent->children->len, child);
}

void
vpk_mp4_box_insert_after (VpkMp4Box *parent, guint32 after, VpkMp4Box *child)
{
  guint index;

  g_return_if_fail (parent->children != NULL);
  index = parent->children->len;
  for (guint i = 0; i < parent->children->len; i++)
    if (((VpkMp4Box *) parent->children->pdata[i])->type == after)
      index = i + 1;
  vpk_mp4_box_insert (parent, index, child);
}

VpkMp4Box *
vpk_mp4_box_detach (VpkMp4Box *box)
{
  VpkMp4Box *parent = box->parent;

  if (parent != NULL) {
    guint i = 0;

    while (parent->children->pdata[i] != box)
      i++;
    g_ptr_array_steal_index (parent->children, i);
    box->parent = NULL;
  }
  return box;
}

void
vpk_mp4_box_remove (VpkMp4Box *box)
{
  vpk_mp4_box_free (vpk_mp4_box_detach (box));
}

static guint64
content_size (const VpkMp4Box *box)
{
  guint64 n = box->size;

  if (box->children != NULL)
    for (guint i = 0; i < box->children->len; i++)
      n += vpk_mp4_box_get_size (box->children->pdata[i]);
  return n;
}

static guint64
header_size (const VpkMp4Box *box, guint64 content)
{
  guint64 header = box->type == VPK_MP4_FOURCC ('u', 'u', 'i', 'd') ? 24 : 8;

  /* the root of a parsed tree; a parsed box of type 0 (QuickTime's
   * terminator atom) always has a parent */
  if (box->type == 0 && box->parent == NULL)
    return 0;
  return content + header > G_MAXUINT32 ? header + 8 : header;
}

guint64
vpk_mp4_box_get_size (const VpkMp4Box *box)
{
  guint64 content = content_size (box);

  return content + header_size (box, content);
}

void
vpk_mp4_box_write (const VpkMp4Box *box, VpkMp4Writer *w)
{
  guint64 content = content_size (box);
  guint64 header = header_size (box, content);

  if (header == 0) {
    /* the root: children only */
  } else if (header == 16 || header == 32) {
    vpk_mp4_writer_put_u32 (w, 1);
    vpk_mp4_writer_put_u32 (w, box->type);
    vpk_mp4_writer_put_u64 (w, content + header);
  } else {
    vpk_mp4_writer_put_u32 (w, (guint32) (content + header));
    vpk_mp4_writer_put_u32 (w, box->type);
  }
  if (box->type == VPK_MP4_FOURCC ('u', 'u', 'i', 'd'))
    vpk_mp4_writer_put_bytes (w, box->usertype, 16);
  if (box->file_size > 0)
    g_critical ("a box left in its file (at offset %" G_GUINT64_FORMAT ") is written out empty",
                box->offset);
  vpk_mp4_writer_put_bytes (w, box->data, box->size);
  if (box->children != NULL)
    for (guint i = 0; i < box->children->len; i++)
      vpk_mp4_box_write (box->children->pdata[i], w);
}

GBytes *
vpk_mp4_box_serialize (const VpkMp4Box *box)
{
  VpkMp4Writer *w = vpk_mp4_writer_new ();

  vpk_mp4_box_write (box, w);
  return vpk_mp4_writer_free_to_bytes (w);
}

gboolean
vpk_mp4_box_get_offset_in (const VpkMp4Box *root, const VpkMp4Box *box, guint64 *out_offset)
{
  guint64 offset = 0;
  const VpkMp4Box *cur = box;

  while (cur != root) {
    const VpkMp4Box *parent = cur->parent;

    if (parent == NULL)
      return FALSE;
    offset += header_size (parent, content_size (parent)) + parent->size;
    for (guint i = 0; parent->children->pdata[i] != cur; i++)
      offset += vpk_mp4_box_get_size (parent->children->pdata[i]);
    cur = parent;
  }
  *out_offset = offset;
  return TRUE;
}
