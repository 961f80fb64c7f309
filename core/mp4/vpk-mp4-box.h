/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <vpack/vpk-version.h>

#include "vpk-mp4-bytes.h"

G_BEGIN_DECLS

/* Parser limits: nesting depth and boxes per parsed buffer. */
#define VPK_MP4_MAX_DEPTH 16
#define VPK_MP4_MAX_BOXES 200000

typedef struct _VpkMp4Box VpkMp4Box;

/**
 * VpkMp4Box:
 * @type: the fourcc; 0 for the root returned by vpk_mp4_box_parse() (a root
 *   is a type-0 box without parent: it serializes as its children only)
 * @usertype: the extended type of a 'uuid' box
 * @offset: where the box started in its source (@base_offset + position), for messages
 * @data: (owned): the payload of a leaf; for a container, the bytes before its
 *   children (8 for 'stsd', the fixed fields of a sample entry, else none)
 * @size: bytes in @data
 * @children: (element-type VpkMp4Box) (owned) (nullable): %NULL for a leaf
 * @parent: (nullable): the box holding this one
 * @file_offset: for a leaf left in its file (@file_size > 0, @data %NULL): where
 *   its payload starts there
 * @file_size: its payload's size (0: the payload is @data). Such a box is read
 *   through VpkMp4TableReader and cannot be written out.
 *
 * One node of a box tree. Sizes are not stored: they are computed on output.
 */
struct _VpkMp4Box {
  guint32    type;
  guint8     usertype[16];
  guint64    offset;
  guint8    *data;
  gsize      size;
  GPtrArray *children;
  VpkMp4Box *parent;
  guint64    file_offset;
  guint64    file_size;
};

/* TRUE for the types parsed as containers (moov, trak, stsd, avc1, mp4a, ...). */
VPK_API gboolean   vpk_mp4_box_type_is_container (guint32 type);

VPK_API VpkMp4Box *vpk_mp4_box_new_container (guint32 type);
/* A leaf holding a copy of @data. */
VPK_API VpkMp4Box *vpk_mp4_box_new_leaf (guint32       type,
                                         const guint8 *data,
                                         gsize         size);
/* Frees @box and its children; detach it first if it has a parent. */
VPK_API void       vpk_mp4_box_free (VpkMp4Box *box);
VPK_API VpkMp4Box *vpk_mp4_box_copy (const VpkMp4Box *box);
/* Replaces the payload (or container prefix) with a copy of @data. */
VPK_API void       vpk_mp4_box_set_data (VpkMp4Box    *box,
                                         const guint8 *data,
                                         gsize         size);

/* Parses every box of @data into the children of a new root (type 0).
 * @base_offset is added to offsets in messages and in VpkMp4Box.offset. */
VPK_API VpkMp4Box *vpk_mp4_box_parse (const guint8  *data,
                                      gsize          size,
                                      guint64        base_offset,
                                      GError       **error);
/* Parses @data, which must hold exactly one box, and returns that box. */
VPK_API VpkMp4Box *vpk_mp4_box_parse_one (const guint8  *data,
                                          gsize          size,
                                          guint64        base_offset,
                                          GError       **error);

/* (transfer none) (nullable): the first child of @box of @type. */
VPK_API VpkMp4Box *vpk_mp4_box_get_child (const VpkMp4Box *box,
                                          guint32          type);
/* (transfer none) (nullable): follows @path ("trak/mdia/hdlr") below @box. */
VPK_API VpkMp4Box *vpk_mp4_box_find (const VpkMp4Box *box,
                                     const char      *path);
/* (transfer container): every box matching @path below @box, in order. */
VPK_API GPtrArray *vpk_mp4_box_find_all (const VpkMp4Box *box,
                                         const char      *path);

/* Tree edits; @child must have no parent, and @parent must be a container. */
VPK_API void       vpk_mp4_box_append (VpkMp4Box *parent,
                                       VpkMp4Box *child);
VPK_API void       vpk_mp4_box_insert (VpkMp4Box *parent,
                                       guint      index,
                                       VpkMp4Box *child);
/* Inserts @child just after the last child of type @after (at the end if none). */
VPK_API void       vpk_mp4_box_insert_after (VpkMp4Box *parent,
                                             guint32    after,
                                             VpkMp4Box *child);
/* (transfer full): takes @box out of its parent. */
VPK_API VpkMp4Box *vpk_mp4_box_detach (VpkMp4Box *box);
/* Detaches and frees @box. */
VPK_API void       vpk_mp4_box_remove (VpkMp4Box *box);

/* The serialized size of @box with its header (the root: of its children). */
VPK_API guint64    vpk_mp4_box_get_size (const VpkMp4Box *box);
/* Appends @box (a 64-bit size when needed) to @w; the root writes its children. */
VPK_API void       vpk_mp4_box_write (const VpkMp4Box *box,
                                      VpkMp4Writer    *w);
VPK_API GBytes    *vpk_mp4_box_serialize (const VpkMp4Box *box);
/* Where @box starts in the serialized form of its ancestor @root. */
VPK_API gboolean   vpk_mp4_box_get_offset_in (const VpkMp4Box *root,
                                              const VpkMp4Box *box,
                                              guint64         *out_offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkMp4Box, vpk_mp4_box_free)

G_END_DECLS
