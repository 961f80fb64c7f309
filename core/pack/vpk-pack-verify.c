/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-verify.h"
#include "pack/vpk-pack-verify-private.h"
#include "pack/vpk-pack-io.h"
#include "dash/vpk-dash-manifest.h"

#include <unistd.h>

/* The package as a whole: stream.mpd and the files of each Representation
 * (live: init + media segments; on-demand: one file whose init range, sidx
 * and fragments must agree), or a single fragmented MP4. Segments are read
 * one at a time; the per-file checks are in vpk-pack-verify-media.c. */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])
#define SIDX_MAX_REFERENCES 65535

/* An open media file and its top-level boxes. */
typedef struct {
  int      fd;
  guint64  size;
  GArray  *boxes;  /* (element-type VpkMp4BoxInfo) */
} MediaFile;

static void
media_file_clear (MediaFile *f)
{
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
  g_clear_pointer (&f->boxes, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MediaFile, media_file_clear)

static void
verifier_clear (VpkPackVerifier *v)
{
  g_clear_pointer (&v->sources, g_ptr_array_unref);
  g_clear_pointer (&v->tracks, g_ptr_array_unref);
  g_clear_pointer (&v->trex, g_array_unref);
  g_clear_pointer (&v->payload, vpk_pack_buffer_give);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VpkPackVerifier, verifier_clear)

static gboolean
media_file_open (MediaFile   *f,
                 const char  *path,
                 const char  *label,
                 GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return vpk_pack_verify_fail (error, "%s is missing", label);
  f->fd = vpk_mp4_open_file (path, &f->size, error);
  if (f->fd < 0 || !vpk_mp4_sniff (f->fd, f->size, error) ||
      (f->boxes = vpk_mp4_scan_top_level (f->fd, f->size, error)) == NULL) {
    g_prefix_error (error, "%s: ", label);
    return FALSE;
  }
  return TRUE;
}

/* (nullable): the first top-level box of @type within [@start, @end). */
static const VpkMp4BoxInfo *
media_file_find (const MediaFile *f,
                 guint32          type,
                 guint64          start,
                 guint64          end)
{
  for (guint i = 0; i < f->boxes->len; i++) {
    const VpkMp4BoxInfo *info = &g_array_index (f->boxes, VpkMp4BoxInfo, i);

    if (info->type == type && info->offset >= start && info->offset + info->size <= end)
      return info;
  }
  return NULL;
}

/* (nullable): the top-level box starting at @offset. */
static const VpkMp4BoxInfo *
media_file_box_at (const MediaFile *f,
                   guint64          offset)
{
  for (guint i = 0; i < f->boxes->len; i++)
    if (g_array_index (f->boxes, VpkMp4BoxInfo, i).offset == offset)
      return &g_array_index (f->boxes, VpkMp4BoxInfo, i);
  return NULL;
}

/* Reads the moov found in [@start, @end) of @f as the init segment. */
static gboolean
read_init (VpkPackVerifier  *v,
           const MediaFile  *f,
           guint64           start,
           guint64           end,
           const char       *label,
           GError          **error)
{
  const VpkMp4BoxInfo *info = media_file_find (f, FOURCC ("moov"), start, end);
  g_autoptr(VpkMp4Box) moov = NULL;

  if (info == NULL)
    return vpk_pack_verify_fail (error, "%s has no moov (no init segment)", label);
  moov = vpk_mp4_load_box (f->fd, info, error);
  if (moov == NULL) {
    g_prefix_error (error, "%s: ", label);
    return FALSE;
  }
  return vpk_pack_verify_read_init (v, moov, label, error);
}

static gboolean
verify_media (VpkPackVerifier  *v,
              const MediaFile  *f,
              const char       *label,
              guint            *out_n,
              GError          **error)
{
  guint n = 0;

  if (!vpk_pack_verify_fragments (v, f->fd, f->size, f->boxes, label, &n, error))
    return FALSE;
  if (n == 0)
    return vpk_pack_verify_fail (error, "%s has no fragment (moof + mdat)", label);
  *out_n = n;
  return TRUE;
}

/* referenced_size of each reference of a sidx payload (all must be media). */
static GArray *
parse_sidx (const VpkMp4Box  *sidx,
            guint64          *out_first_offset,
            const char       *label,
            GError          **error)
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint32));
  VpkMp4Reader r;
  guint8 version;
  guint32 flags, id, timescale;
  guint64 ept, first_offset;
  guint16 reserved, count;

  vpk_mp4_reader_init (&r, sidx->data, sidx->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !vpk_mp4_reader_get_u32 (&r, &id) || !vpk_mp4_reader_get_u32 (&r, &timescale) ||
      !vpk_mp4_reader_get_uv (&r, version, &ept) ||
      !vpk_mp4_reader_get_uv (&r, version, &first_offset) ||
      !vpk_mp4_reader_get_u16 (&r, &reserved) || !vpk_mp4_reader_get_u16 (&r, &count) ||
      vpk_mp4_reader_remaining (&r) != (gsize) count * 12)
    return vpk_pack_verify_fail (error, "the sidx in %s is truncated or has extra bytes",
                                 label), NULL;
  for (guint i = 0; i < count; i++) {
    guint32 size, duration, sap;

    vpk_mp4_reader_get_u32 (&r, &size);
    vpk_mp4_reader_get_u32 (&r, &duration);
    vpk_mp4_reader_get_u32 (&r, &sap);
    if (size & 0x80000000u)
      return vpk_pack_verify_fail (error, "the sidx in %s refers to another sidx", label), NULL;
    g_array_append_val (sizes, size);
  }
  *out_first_offset = first_offset;
  return g_steal_pointer (&sizes);
}

/* The sidx at the index range; its references must tile the fragments after it. */
static gboolean
check_sidx (const MediaFile              *f,
            const VpkDashRepresentation  *rep,
            const char                   *label,
            GError                      **error)
{
  const VpkMp4BoxInfo *info = media_file_find (f, FOURCC ("sidx"), rep->index_range_start,
                                               rep->index_range_end + 1);
  g_autoptr(VpkMp4Box) sidx = NULL;
  g_autoptr(GArray) sizes = NULL;
  guint64 pos, first_offset = 0;
  guint n_moof = 0;

  if (info == NULL || info->offset != rep->index_range_start ||
      info->offset + info->size != rep->index_range_end + 1)
    return vpk_pack_verify_fail (error, "the index range %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                 " of %s is not exactly its sidx box", rep->index_range_start,
                                 rep->index_range_end, label);
  if ((sidx = vpk_mp4_load_box (f->fd, info, error)) == NULL ||
      (sizes = parse_sidx (sidx, &first_offset, label, error)) == NULL)
    return FALSE;
  pos = info->offset + info->size + first_offset;
  for (guint i = 0; i < sizes->len; i++) {
    const VpkMp4BoxInfo *moof = media_file_box_at (f, pos);

    if (moof == NULL || moof->type != FOURCC ("moof"))
      return vpk_pack_verify_fail (error, "sidx reference %u of %s does not start at a moof "
                                   "(offset %" G_GUINT64_FORMAT ")", i, label, pos);
    pos += g_array_index (sizes, guint32, i);
  }
  for (guint i = 0; i < f->boxes->len; i++)
    n_moof += g_array_index (f->boxes, VpkMp4BoxInfo, i).type == FOURCC ("moof");
  if (pos != f->size || n_moof != sizes->len)
    return vpk_pack_verify_fail (error, "the sidx of %s indexes %u fragments up to offset %"
                                 G_GUINT64_FORMAT ", the file has %u and %" G_GUINT64_FORMAT
                                 " bytes", label, sizes->len, pos, n_moof, f->size);
  return TRUE;
}

static gboolean
check_ranges (const MediaFile              *f,
              const VpkDashRepresentation  *rep,
              const char                   *label,
              GError                      **error)
{
  if (rep->init_range_start > rep->init_range_end || rep->init_range_end >= f->size ||
      rep->index_range_start > rep->index_range_end || rep->index_range_end >= f->size ||
      rep->init_range_end >= rep->index_range_start)
    return vpk_pack_verify_fail (error, "the init range %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                 " or index range %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                 " of %s does not fit its %" G_GUINT64_FORMAT " bytes",
                                 rep->init_range_start, rep->init_range_end,
                                 rep->index_range_start, rep->index_range_end, label, f->size);
  return TRUE;
}

/* What the AdaptationSet's ContentProtection says must match the init segment. */
static gboolean
check_protection (VpkPackVerifier             *v,
                  const VpkDashAdaptationSet  *set,
                  const VpkDashRepresentation *rep,
                  GError                     **error)
{
  gboolean encrypted = FALSE;

  for (guint i = 0; i < v->tracks->len; i++)
    encrypted |= ((VpkPackVerifyTrack *) v->tracks->pdata[i])->encrypted;
  if (set->is_protected != encrypted)
    return vpk_pack_verify_fail (error, "stream.mpd says Representation '%s' is %s, its init "
                                 "segment says %s", rep->id, set->is_protected ? "protected" :
                                 "clear", encrypted ? "encrypted" : "clear");
  if (!encrypted)
    return TRUE;
  if (!vpk_key_equal (&set->protection.default_kid, v->kid)) {
    g_autofree char *text = vpk_key_format (&set->protection.default_kid, VPK_KEY_FORMAT_HEX);

    return vpk_pack_verify_fail (error, "KID %s in stream.mpd is not the one given", text);
  }
  for (guint i = 0; i < v->tracks->len; i++) {
    const VpkPackVerifyTrack *t = v->tracks->pdata[i];

    if (t->encrypted && t->scheme != set->protection.scheme)
      return vpk_pack_verify_fail (error, "stream.mpd says scheme %s for Representation '%s', "
                                   "its init segment %s", vpk_scheme_to_string (set->protection.scheme),
                                   rep->id, vpk_scheme_to_string (t->scheme));
  }
  return TRUE;
}

static gboolean
verify_live (VpkPackVerifier             *v,
             const char                  *dir,
             const VpkDashAdaptationSet  *set,
             const VpkDashRepresentation *rep,
             const char                  *init,
             GPtrArray                   *media,
             GError                     **error)
{
  g_auto(MediaFile) f = { -1, 0, NULL };
  g_autofree char *init_path = g_build_filename (dir, init, NULL);

  if (!media_file_open (&f, init_path, init, error) ||
      !read_init (v, &f, 0, f.size, init, error) || !check_protection (v, set, rep, error))
    return FALSE;
  for (guint i = 0; i < media->len; i++) {
    g_auto(MediaFile) seg = { -1, 0, NULL };
    g_autofree char *path = g_build_filename (dir, media->pdata[i], NULL);
    guint n;

    if (!media_file_open (&seg, path, media->pdata[i], error) ||
        !verify_media (v, &seg, media->pdata[i], &n, error))
      return FALSE;
    v->report.n_segments++;
  }
  return TRUE;
}

static gboolean
verify_on_demand (VpkPackVerifier             *v,
                  const char                  *dir,
                  const VpkDashAdaptationSet  *set,
                  const VpkDashRepresentation *rep,
                  const char                  *name,
                  GError                     **error)
{
  g_auto(MediaFile) f = { -1, 0, NULL };
  g_autofree char *path = g_build_filename (dir, name, NULL);
  guint n = 0;

  if (!media_file_open (&f, path, name, error) || !check_ranges (&f, rep, name, error) ||
      !read_init (v, &f, rep->init_range_start, rep->init_range_end + 1, name, error) ||
      !check_protection (v, set, rep, error) || !check_sidx (&f, rep, name, error) ||
      !verify_media (v, &f, name, &n, error))
    return FALSE;
  v->report.n_segments += n;
  return TRUE;
}

static gboolean
verify_representation (VpkPackVerifier             *v,
                       const char                  *dir,
                       const VpkDashAdaptationSet  *set,
                       const VpkDashRepresentation *rep,
                       GError                     **error)
{
  g_autofree char *init = NULL;
  g_autoptr(GPtrArray) media = NULL;

  if (!vpk_dash_representation_get_files (rep, &init, &media, error)) {
    g_prefix_error (error, "stream.mpd, Representation '%s': ", rep->id);
    return FALSE;
  }
  if (media->len == 0)
    return vpk_pack_verify_fail (error, "stream.mpd names no segment for Representation '%s'",
                                 rep->id);
  if (init != NULL ? !verify_live (v, dir, set, rep, init, media, error) :
                     !verify_on_demand (v, dir, set, rep, media->pdata[0], error))
    return FALSE;
  return vpk_pack_verify_check_counts (v, error);
}

static gboolean
verify_package (VpkPackVerifier  *v,
                const char       *dir,
                GError          **error)
{
  g_autofree char *mpd = g_build_filename (dir, "stream.mpd", NULL);
  g_autoptr(VpkDashManifest) manifest = NULL;
  guint n_reps = 0;

  if (!g_file_test (mpd, G_FILE_TEST_IS_REGULAR))
    return vpk_pack_verify_fail (error, "'%s' has no stream.mpd", dir);
  manifest = vpk_dash_manifest_read (mpd, error);
  if (manifest == NULL) {
    g_prefix_error (error, "stream.mpd: ");
    return FALSE;
  }
  for (guint i = 0; i < manifest->adaptation_sets->len; i++) {
    const VpkDashAdaptationSet *set = manifest->adaptation_sets->pdata[i];

    for (guint j = 0; j < set->representations->len; j++, n_reps++)
      if (!verify_representation (v, dir, set, set->representations->pdata[j], error))
        return FALSE;
  }
  if (n_reps == 0)
    return vpk_pack_verify_fail (error, "stream.mpd has no Representation");
  return TRUE;
}

static gboolean
verify_file (VpkPackVerifier  *v,
             const char       *path,
             GError          **error)
{
  g_auto(MediaFile) f = { -1, 0, NULL };
  guint n = 0;

  if (!media_file_open (&f, path, path, error) || !read_init (v, &f, 0, f.size, path, error) ||
      !verify_media (v, &f, path, &n, error))
    return FALSE;
  v->report.n_segments += n;
  return vpk_pack_verify_check_counts (v, error);
}

static gboolean
open_sources (VpkPackVerifier     *v,
              const char * const  *sources,
              GError             **error)
{
  if (sources == NULL || sources[0] == NULL)
    return TRUE;
  v->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_mp4_movie_free);
  for (guint i = 0; sources[i] != NULL; i++) {
    VpkMp4Movie *movie = vpk_mp4_movie_open (sources[i], error);

    if (movie == NULL) {
      g_prefix_error (error, "the source '%s': ", sources[i]);
      return FALSE;
    }
    g_ptr_array_add (v->sources, movie);
  }
  return TRUE;
}

gboolean
vpk_pack_verify_full (const char               *path,
                      const VpkKey             *kid,
                      const VpkKey             *key,
                      const char * const       *sources,
                      VpkPackVerifySampleFunc   func,
                      gpointer                  user_data,
                      GCancellable             *cancellable,
                      VpkPackVerifyReport      *out_report,
                      GError                  **error)
{
  g_auto(VpkPackVerifier) v = { .kid = kid, .key = key, .func = func, .func_data = user_data,
                                .cancellable = cancellable };

  g_return_val_if_fail (path != NULL && kid != NULL && key != NULL, FALSE);

  v.tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) vpk_pack_verify_track_free);
  v.payload = vpk_pack_buffer_take ();
  if (!open_sources (&v, sources, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_IS_DIR) ? !verify_package (&v, path, error)
                                             : !verify_file (&v, path, error))
    return FALSE;
  if (v.report.n_encrypted_samples == 0)
    return vpk_pack_verify_fail (error, "nothing in '%s' is encrypted", path);
  if (out_report != NULL)
    *out_report = v.report;
  return TRUE;
}

gboolean
vpk_pack_verify (const char           *path,
                 const VpkKey         *kid,
                 const VpkKey         *key,
                 const char * const   *sources,
                 GCancellable         *cancellable,
                 VpkPackVerifyReport  *out_report,
                 GError              **error)
{
  return vpk_pack_verify_full (path, kid, key, sources, NULL, NULL, cancellable, out_report,
                               error);
}
