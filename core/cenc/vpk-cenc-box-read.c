/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cenc/vpk-cenc-boxes.h"

/* A bounded cursor: every read checks the bytes left first. */
typedef struct {
  const guint8 *p;
  gsize         left;
  const char   *box;
} Reader;

static gboolean
short_box (Reader  *r,
           GError **error)
{
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "'%s' box is truncated", r->box);
  return FALSE;
}

static gboolean
take (Reader        *r,
      gsize          n,
      const guint8 **out,
      GError       **error)
{
  if (r->left < n)
    return short_box (r, error);
  *out = r->p;
  r->p += n;
  r->left -= n;
  return TRUE;
}

static gboolean
read_uint (Reader   *r,
           guint     n_bytes,
           guint64  *out,
           GError  **error)
{
  const guint8 *p;
  guint64 v = 0;

  if (!take (r, n_bytes, &p, error))
    return FALSE;
  for (guint i = 0; i < n_bytes; i++)
    v = (v << 8) | p[i];
  *out = v;
  return TRUE;
}

static gboolean
read_full_header (Reader   *r,
                  guint8   *out_version,
                  guint32  *out_flags,
                  GError  **error)
{
  guint64 v;

  if (!read_uint (r, 4, &v, error))
    return FALSE;
  *out_version = v >> 24;
  *out_flags = v & 0xffffff;
  return TRUE;
}

/**
 * vpk_cenc_box_payload:
 * @box: (array length=size): a whole box (32-bit size; no 'uuid' or 64-bit size)
 * @type: the expected four-character type
 * @out_payload: (out) (transfer none): the bytes after the 8-byte header
 *
 * Checks a box's header against @size and @type.
 */
gboolean
vpk_cenc_box_payload (const guint8  *box,
                      gsize          size,
                      const char    *type,
                      const guint8 **out_payload,
                      gsize         *out_payload_size,
                      GError       **error)
{
  guint32 box_size;

  if (size < 8 || memcmp (box + 4, type, 4) != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "Not a '%s' box", type);
    return FALSE;
  }
  box_size = (guint32) box[0] << 24 | box[1] << 16 | box[2] << 8 | box[3];
  if (box_size < 8 || box_size > size) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'%s' box size %u does not fit its %" G_GSIZE_FORMAT " bytes", type, box_size, size);
    return FALSE;
  }
  *out_payload = box + 8;
  *out_payload_size = box_size - 8;
  return TRUE;
}

static gboolean
tenc_read_iv (Reader       *r,
              VpkCencTenc  *t,
              GError      **error)
{
  guint64 v;
  const guint8 *p;

  if (t->per_sample_iv_size != 0 && t->per_sample_iv_size != 8 && t->per_sample_iv_size != 16) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'tenc' per-sample IV size %u is not 0, 8 or 16", t->per_sample_iv_size);
    return FALSE;
  }
  if (!t->is_protected || t->per_sample_iv_size != 0)
    return TRUE;

  if (!read_uint (r, 1, &v, error))
    return FALSE;
  if (v != 8 && v != 16) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'tenc' constant IV size %u is not 8 or 16", (guint) v);
    return FALSE;
  }
  if (!take (r, v, &p, error))
    return FALSE;
  t->constant_iv_size = v;
  memcpy (t->constant_iv, p, v);
  return TRUE;
}

/**
 * vpk_cenc_parse_tenc:
 * @out_tenc: (out caller-allocates): written only on success
 */
gboolean
vpk_cenc_parse_tenc (const guint8  *payload,
                     gsize          size,
                     VpkCencTenc   *out_tenc,
                     GError       **error)
{
  Reader r = { payload, size, "tenc" };
  VpkCencTenc t = { 0 };
  const guint8 *p;
  guint32 flags;
  guint64 v;

  if (!read_full_header (&r, &t.version, &flags, error) ||
      !take (&r, 1, &p, error) ||
      !read_uint (&r, 1, &v, error))
    return FALSE;
  if (t.version > 0) {
    t.crypt_byte_block = v >> 4;
    t.skip_byte_block = v & 0xf;
  }
  if (!take (&r, 2, &p, error))
    return FALSE;
  t.is_protected = p[0] != 0;
  t.per_sample_iv_size = p[1];
  if (!take (&r, VPK_KEY_SIZE, &p, error))
    return FALSE;
  memcpy (t.kid.bytes, p, VPK_KEY_SIZE);
  if (!tenc_read_iv (&r, &t, error))
    return FALSE;

  *out_tenc = t;
  return TRUE;
}

/**
 * vpk_cenc_parse_schm:
 * @error: VPK_ERROR_NOT_SUPPORTED for a scheme other than cenc and cbcs
 */
gboolean
vpk_cenc_parse_schm (const guint8  *payload,
                     gsize          size,
                     VpkScheme     *out_scheme,
                     GError       **error)
{
  Reader r = { payload, size, "schm" };
  const guint8 *type;
  guint8 version;
  guint32 flags;

  if (!read_full_header (&r, &version, &flags, error) || !take (&r, 4, &type, error))
    return FALSE;

  if (memcmp (type, "cenc", 4) == 0)
    *out_scheme = VPK_SCHEME_CENC;
  else if (memcmp (type, "cbcs", 4) == 0)
    *out_scheme = VPK_SCHEME_CBCS;
  else {
    char name[5];

    for (guint i = 0; i < 4; i++)
      name[i] = g_ascii_isprint (type[i]) ? type[i] : '?';
    name[4] = '\0';
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                 "Protection scheme '%s' is not supported (only cenc and cbcs)", name);
    return FALSE;
  }
  return TRUE;
}

/**
 * vpk_cenc_parse_frma:
 * @out_format: (out caller-allocates): the original format, NUL-terminated
 */
gboolean
vpk_cenc_parse_frma (const guint8  *payload,
                     gsize          size,
                     char           out_format[5],
                     GError       **error)
{
  Reader r = { payload, size, "frma" };
  const guint8 *p;

  if (!take (&r, 4, &p, error))
    return FALSE;
  memcpy (out_format, p, 4);
  out_format[4] = '\0';
  return TRUE;
}

static gboolean
senc_read_sample (Reader          *r,
                  VpkCencAuxInfo  *aux,
                  guint            iv_size,
                  gboolean         with_subsamples,
                  GError         **error)
{
  g_autoptr(GArray) subs = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  const guint8 *iv = NULL;
  guint64 n = 0;

  if (!take (r, iv_size, &iv, error))
    return FALSE;
  if (with_subsamples && !read_uint (r, 2, &n, error))
    return FALSE;
  if (n * 6 > r->left)
    return short_box (r, error);

  for (guint i = 0; i < n; i++) {
    guint64 clear, protected_bytes;
    VpkCencSubsample sub;

    if (!read_uint (r, 2, &clear, error) || !read_uint (r, 4, &protected_bytes, error))
      return FALSE;
    sub = (VpkCencSubsample) { .clear_bytes = clear, .protected_bytes = protected_bytes };
    g_array_append_val (subs, sub);
  }

  vpk_cenc_aux_info_add_sample (aux, iv_size > 0 ? iv : NULL, iv_size,
                                (const VpkCencSubsample *) subs->data, subs->len);
  return TRUE;
}

/**
 * vpk_cenc_parse_senc:
 * @per_sample_iv_size: from 'tenc' (0, 8 or 16); flag 0x1 is refused
 *
 * Returns: (transfer full): the samples' IVs and subsample maps, or %NULL
 *   with VPK_ERROR_INVALID_DATA
 */
VpkCencAuxInfo *
vpk_cenc_parse_senc (const guint8  *payload,
                     gsize          size,
                     guint          per_sample_iv_size,
                     GError       **error)
{
  g_autoptr(VpkCencAuxInfo) aux = vpk_cenc_aux_info_new ();
  Reader r = { payload, size, "senc" };
  guint8 version;
  guint32 flags;
  guint64 count;
  guint min_size;

  if (per_sample_iv_size != 0 && per_sample_iv_size != 8 && per_sample_iv_size != 16) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "Per-sample IV size %u is not 0, 8 or 16", per_sample_iv_size);
    return NULL;
  }
  if (!read_full_header (&r, &version, &flags, error) || !read_uint (&r, 4, &count, error))
    return NULL;
  if (flags & 0x1) {
    g_set_error_literal (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                         "'senc' with its own IV size (flag 0x1) is not supported");
    return NULL;
  }
  /* Each sample takes at least its IV and subsample count. */
  min_size = per_sample_iv_size + ((flags & 0x2) ? 2 : 0);
  if (count > VPK_CENC_MAX_SAMPLES || (min_size > 0 && count > r.left / min_size)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'senc' sample count %" G_GUINT64_FORMAT " does not fit the box", count);
    return NULL;
  }

  for (guint64 i = 0; i < count; i++)
    if (!senc_read_sample (&r, aux, per_sample_iv_size, (flags & 0x2) != 0, error))
      return NULL;

  return g_steal_pointer (&aux);
}

/**
 * vpk_cenc_parse_saiz:
 * @out_sizes: (out) (transfer full) (nullable): one byte per sample, or %NULL
 *   when @out_default_size is not 0
 */
gboolean
vpk_cenc_parse_saiz (const guint8  *payload,
                     gsize          size,
                     guint8        *out_default_size,
                     guint32       *out_sample_count,
                     GBytes       **out_sizes,
                     GError       **error)
{
  Reader r = { payload, size, "saiz" };
  const guint8 *p;
  guint8 version;
  guint32 flags;
  guint64 default_size, count;

  if (!read_full_header (&r, &version, &flags, error))
    return FALSE;
  if ((flags & 0x1) && !take (&r, 8, &p, error))  /* aux_info_type + parameter */
    return FALSE;
  if (!read_uint (&r, 1, &default_size, error) || !read_uint (&r, 4, &count, error))
    return FALSE;
  if (default_size == 0 && !take (&r, count, &p, error))
    return FALSE;

  *out_default_size = default_size;
  *out_sample_count = count;
  *out_sizes = default_size == 0 ? g_bytes_new (p, count) : NULL;
  return TRUE;
}

/**
 * vpk_cenc_parse_saio:
 *
 * Returns: (transfer full) (element-type guint64): the offsets, or %NULL
 */
GArray *
vpk_cenc_parse_saio (const guint8  *payload,
                     gsize          size,
                     GError       **error)
{
  g_autoptr(GArray) offsets = NULL;
  Reader r = { payload, size, "saio" };
  const guint8 *p;
  guint8 version;
  guint32 flags;
  guint64 count;
  guint width;

  if (!read_full_header (&r, &version, &flags, error))
    return NULL;
  if ((flags & 0x1) && !take (&r, 8, &p, error))
    return NULL;
  if (!read_uint (&r, 4, &count, error))
    return NULL;
  width = version == 0 ? 4 : 8;
  if (count > r.left / width)
    return short_box (&r, error), NULL;

  offsets = g_array_sized_new (FALSE, FALSE, sizeof (guint64), count);
  for (guint64 i = 0; i < count; i++) {
    guint64 offset;

    if (!read_uint (&r, width, &offset, error))
      return NULL;
    g_array_append_val (offsets, offset);
  }
  return g_steal_pointer (&offsets);
}

/**
 * vpk_cenc_parse_pssh:
 *
 * Returns: (transfer full): the header, or %NULL with VPK_ERROR_INVALID_DATA
 */
VpkCencPssh *
vpk_cenc_parse_pssh (const guint8  *payload,
                     gsize          size,
                     GError       **error)
{
  g_autoptr(VpkCencPssh) pssh = g_new0 (VpkCencPssh, 1);
  Reader r = { payload, size, "pssh" };
  const guint8 *p;
  guint32 flags;
  guint64 n_kids = 0, data_size;

  pssh->kids = g_array_new (FALSE, FALSE, sizeof (VpkKey));
  if (!read_full_header (&r, &pssh->version, &flags, error) || !take (&r, 16, &p, error))
    return NULL;
  memcpy (pssh->system_id, p, 16);

  if (pssh->version > 0 && !read_uint (&r, 4, &n_kids, error))
    return NULL;
  if (n_kids > VPK_CENC_MAX_PSSH_KIDS) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "'pssh' lists %" G_GUINT64_FORMAT " KIDs, more than %u", n_kids,
                 VPK_CENC_MAX_PSSH_KIDS);
    return NULL;
  }
  if (!take (&r, n_kids * VPK_KEY_SIZE, &p, error))
    return NULL;
  g_array_append_vals (pssh->kids, p, n_kids);

  if (!read_uint (&r, 4, &data_size, error) || !take (&r, data_size, &p, error))
    return NULL;
  pssh->data = g_bytes_new (p, data_size);
  return g_steal_pointer (&pssh);
}
