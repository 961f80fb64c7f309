/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-verify-private.h"
#include "pack/vpk-pack-io.h"

#include <string.h>

/* Init and media segments as a player reads them: the protected sample entry
 * (sinf: frma, schm, schi/tenc), then per track fragment the sample auxiliary
 * information (senc, with saiz and saio consistent with it, since some players
 * read it through saio), each sample decrypted and, for video, parsed as
 * length-prefixed NAL units that must fill it exactly. */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

gboolean
vpk_pack_verify_fail (GError     **error,
                      const char  *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, VPK_ERROR, VPK_ERROR_VERIFY, message);
  return FALSE;
}

void
vpk_pack_verify_track_free (VpkPackVerifyTrack *track)
{
  if (track == NULL)
    return;
  g_clear_pointer (&track->track, vpk_mp4_track_free);
  g_clear_pointer (&track->source, vpk_pack_verify_source_free);
  g_free (track);
}

static gboolean
check_kid (const VpkKey  *found,
           const VpkKey  *given,
           const char    *label,
           GError       **error)
{
  g_autofree char *text = NULL;

  if (vpk_key_equal (found, given))
    return TRUE;
  text = vpk_key_format (found, VPK_KEY_FORMAT_HEX);
  return vpk_pack_verify_fail (error, "KID %s in %s is not the one given", text, label);
}

/* sinf { frma, schm, schi { tenc } } of an encv/enca entry. */
static gboolean
read_protection (VpkPackVerifier     *v,
                 VpkPackVerifyTrack  *t,
                 const char          *label,
                 GError             **error)
{
  VpkMp4Box *sinf = vpk_mp4_box_get_child (t->track->sample_entry, FOURCC ("sinf"));
  VpkMp4Box *frma = sinf != NULL ? vpk_mp4_box_get_child (sinf, FOURCC ("frma")) : NULL;
  VpkMp4Box *schm = sinf != NULL ? vpk_mp4_box_get_child (sinf, FOURCC ("schm")) : NULL;
  VpkMp4Box *tenc = sinf != NULL ? vpk_mp4_box_find (sinf, "schi/tenc") : NULL;
  char format[5];

  if (frma == NULL || schm == NULL || tenc == NULL)
    return vpk_pack_verify_fail (error, "track %u in %s is encrypted but its sample entry has "
                                 "no sinf with frma, schm and schi/tenc",
                                 t->track->track_id, label);
  if (!vpk_cenc_parse_frma (frma->data, frma->size, format, error) ||
      !vpk_cenc_parse_schm (schm->data, schm->size, &t->scheme, error) ||
      !vpk_cenc_parse_tenc (tenc->data, tenc->size, &t->tenc, error)) {
    g_prefix_error (error, "track %u in %s: ", t->track->track_id, label);
    return FALSE;
  }
  if (vpk_mp4_fourcc_from_string (format) != t->track->codec)
    return vpk_pack_verify_fail (error, "track %u in %s: frma '%s' is not its codec",
                                 t->track->track_id, label, format);
  if (t->scheme == VPK_SCHEME_CENC && t->tenc.per_sample_iv_size == 0)
    return vpk_pack_verify_fail (error, "track %u in %s: scheme cenc with a constant IV",
                                 t->track->track_id, label);
  t->encrypted = t->tenc.is_protected;
  return !t->encrypted || check_kid (&t->tenc.kid, v->kid, label, error);
}

/* The NAL length size from avcC (byte 4) or hvcC (byte 21); 0 for other codecs. */
static gboolean
read_nal_length_size (VpkPackVerifyTrack  *t,
                      const char          *label,
                      GError             **error)
{
  guint32 c = t->track->codec;
  gboolean avc = c == FOURCC ("avc1") || c == FOURCC ("avc3");
  gboolean hevc = c == FOURCC ("hvc1") || c == FOURCC ("hev1");
  VpkMp4Box *config = vpk_mp4_track_get_config (t->track);
  gsize byte = avc ? 4 : 21;
  guint32 config_type = avc ? FOURCC ("avcC") : FOURCC ("hvcC");

  if (!avc && !hevc)
    return TRUE;
  if (config == NULL || config->type != config_type || config->size <= byte)
    return vpk_pack_verify_fail (error, "track %u in %s has no usable %s box",
                                 t->track->track_id, label, avc ? "avcC" : "hvcC");
  t->nal_length_size = (config->data[byte] & 3) + 1;
  if (t->nal_length_size == 3)
    return vpk_pack_verify_fail (error, "track %u in %s: NAL length size 3", t->track->track_id,
                                 label);
  return TRUE;
}

static VpkPackVerifyTrack *
track_new (VpkPackVerifier  *v,
           const VpkMp4Box  *trak,
           guint32           movie_timescale,
           const char       *label,
           GError          **error)
{
  g_autoptr(VpkPackVerifyTrack) t = g_new0 (VpkPackVerifyTrack, 1);
  guint rank;

  t->track = vpk_mp4_track_new (trak, movie_timescale, error);
  if (t->track == NULL) {
    g_prefix_error (error, "%s: ", label);
    return NULL;
  }
  t->index = v->report.n_representations++;
  t->kind = vpk_mp4_track_is_video (t->track) ? "video" :
            vpk_mp4_track_is_audio (t->track) ? "audio" : "other";
  rank = vpk_mp4_track_is_video (t->track) ? v->n_video++ : v->n_audio++;
  if (t->track->sample_entry == NULL)
    return vpk_pack_verify_fail (error, "track %u in %s has no sample entry",
                                 t->track->track_id, label), NULL;
  if ((t->track->encrypted && !read_protection (v, t, label, error)) ||
      !read_nal_length_size (t, label, error))
    return NULL;
  if (v->sources != NULL && !vpk_pack_verify_open_source (v, t, rank, error))
    return NULL;
  return g_steal_pointer (&t);
}

/* A W3C common pssh, when there is one, must list the KID. */
static gboolean
check_pssh (VpkPackVerifier  *v,
            const VpkMp4Box  *moov,
            const char       *label,
            GError          **error)
{
  static const guint8 common[16] = VPK_CENC_COMMON_SYSTEM_ID;
  g_autoptr(GPtrArray) boxes = vpk_mp4_box_find_all (moov, "pssh");

  for (guint i = 0; i < boxes->len; i++) {
    const VpkMp4Box *box = boxes->pdata[i];
    g_autoptr(VpkCencPssh) pssh = vpk_cenc_parse_pssh (box->data, box->size, error);
    gboolean listed = FALSE;

    if (pssh == NULL) {
      g_prefix_error (error, "%s: ", label);
      return FALSE;
    }
    if (memcmp (pssh->system_id, common, 16) != 0 || pssh->version == 0)
      continue;
    for (guint k = 0; k < pssh->kids->len; k++)
      listed |= vpk_key_equal (&g_array_index (pssh->kids, VpkKey, k), v->kid);
    if (!listed)
      return vpk_pack_verify_fail (error, "the common pssh in %s does not list the KID given",
                                   label);
  }
  return TRUE;
}

gboolean
vpk_pack_verify_read_init (VpkPackVerifier  *v,
                           const VpkMp4Box  *moov,
                           const char       *label,
                           GError          **error)
{
  g_autoptr(GPtrArray) traks = vpk_mp4_box_find_all (moov, "trak");
  VpkMp4Box *mvhd = vpk_mp4_box_get_child (moov, FOURCC ("mvhd"));
  guint32 timescale = 0;

  g_ptr_array_set_size (v->tracks, 0);
  g_clear_pointer (&v->trex, g_array_unref);
  v->trex = vpk_mp4_read_trex (moov);
  if (mvhd != NULL && mvhd->size >= 24)
    timescale = vpk_pack_read_be32 (mvhd->data + (mvhd->data[0] == 1 ? 20 : 12));
  if (traks->len == 0)
    return vpk_pack_verify_fail (error, "%s has no track", label);
  for (guint i = 0; i < traks->len; i++) {
    VpkPackVerifyTrack *t = track_new (v, traks->pdata[i], timescale, label, error);

    if (t == NULL)
      return FALSE;
    g_ptr_array_add (v->tracks, t);
  }
  return check_pssh (v, moov, label, error);
}

static VpkPackVerifyTrack *
find_track (VpkPackVerifier *v,
            guint32          track_id)
{
  for (guint i = 0; i < v->tracks->len; i++) {
    VpkPackVerifyTrack *t = v->tracks->pdata[i];

    if (t->track->track_id == track_id)
      return t;
  }
  return NULL;
}

static const VpkMp4Trex *
find_trex (VpkPackVerifier *v,
           guint32          track_id)
{
  for (guint i = 0; v->trex != NULL && i < v->trex->len; i++)
    if (g_array_index (v->trex, VpkMp4Trex, i).track_id == track_id)
      return &g_array_index (v->trex, VpkMp4Trex, i);
  return NULL;
}

/* What saiz must say for one sample of a senc with @senc_flags. */
static guint
aux_size (const VpkCencAuxInfo *aux,
          guint32               senc_flags,
          guint                 index)
{
  const VpkCencSampleAux *s = &g_array_index (aux->samples, VpkCencSampleAux, index);

  return s->iv_size + ((senc_flags & 2) ? 2 + 6 * s->n_subsamples : 0);
}

static gboolean
check_saiz (const VpkMp4Box       *saiz,
            const VpkCencAuxInfo  *aux,
            guint32                senc_flags,
            const char            *where,
            GError               **error)
{
  g_autoptr(GBytes) sizes = NULL;
  guint8 default_size;
  guint32 count;
  const guint8 *each;

  if (saiz == NULL)
    return vpk_pack_verify_fail (error, "%s has a senc but no saiz", where);
  if (!vpk_cenc_parse_saiz (saiz->data, saiz->size, &default_size, &count, &sizes, error)) {
    g_prefix_error (error, "%s: ", where);
    return FALSE;
  }
  if (count != aux->samples->len)
    return vpk_pack_verify_fail (error, "%s: saiz counts %u samples, senc %u", where, count,
                                 aux->samples->len);
  each = sizes != NULL ? g_bytes_get_data (sizes, NULL) : NULL;
  for (guint i = 0; i < count; i++) {
    guint want = aux_size (aux, senc_flags, i);

    if ((each != NULL ? each[i] : default_size) != want)
      return vpk_pack_verify_fail (error, "%s: saiz gives sample %u %u bytes of auxiliary "
                                   "information, senc %u", where, i,
                                   each != NULL ? each[i] : default_size, want);
  }
  return TRUE;
}

/* saio offsets count from the tfhd base_data_offset, else from the moof. */
static guint64
traf_base (const VpkMp4Box *traf,
           guint64          moof_offset)
{
  VpkMp4Box *tfhd = vpk_mp4_box_get_child (traf, FOURCC ("tfhd"));
  guint64 base;

  if (tfhd == NULL || tfhd->size < 16 || !(tfhd->data[3] & VPK_MP4_TFHD_BASE_DATA_OFFSET))
    return moof_offset;
  memcpy (&base, tfhd->data + 8, 8);
  return GUINT64_FROM_BE (base);
}

static gboolean
check_saio (const VpkMp4Box  *saio,
            const VpkMp4Box  *senc,
            guint64           base,
            const char       *where,
            GError          **error)
{
  g_autoptr(GArray) offsets = NULL;
  guint64 first_iv, points_at;

  if (saio == NULL)
    return vpk_pack_verify_fail (error, "%s has a senc but no saio", where);
  offsets = vpk_cenc_parse_saio (saio->data, saio->size, error);
  if (offsets == NULL) {
    g_prefix_error (error, "%s: ", where);
    return FALSE;
  }
  if (offsets->len != 1)
    return vpk_pack_verify_fail (error, "%s: saio has %u offsets, not 1", where, offsets->len);
  /* senc: header (8, or 16 with a 64-bit size), version/flags, sample_count */
  first_iv = senc->offset + (senc->size + 8 > G_MAXUINT32 ? 16 : 8) + 8;
  points_at = base + g_array_index (offsets, guint64, 0);
  if (points_at != first_iv)
    return vpk_pack_verify_fail (error, "%s: saio points at offset %" G_GUINT64_FORMAT
                                 ", not at the first IV in senc (offset %" G_GUINT64_FORMAT ")",
                                 where, points_at, first_iv);
  return TRUE;
}

/* senc (parsed with tenc's IV size), and saiz and saio consistent with it. */
static VpkCencAuxInfo *
load_aux (const VpkPackVerifyTrack  *t,
          const VpkMp4Box           *traf,
          guint64                    moof_offset,
          guint                      n_samples,
          const char                *label,
          GError                   **error)
{
  VpkMp4Box *senc = vpk_mp4_box_get_child (traf, FOURCC ("senc"));
  g_autofree char *where = g_strdup_printf ("track %u, fragment at offset %" G_GUINT64_FORMAT
                                            " in %s", t->track->track_id, moof_offset, label);
  g_autoptr(VpkCencAuxInfo) aux = NULL;
  guint32 flags, count;

  if (senc == NULL || senc->size < 8)
    return vpk_pack_verify_fail (error, "%s has no senc box", where), NULL;
  /* Check the count before parsing, so that a hostile count allocates nothing. */
  count = vpk_pack_read_be32 (senc->data + 4);
  if (count != n_samples)
    return vpk_pack_verify_fail (error, "%s: senc lists %u samples, trun %u", where, count,
                                 n_samples), NULL;
  aux = vpk_cenc_parse_senc (senc->data, senc->size, t->tenc.per_sample_iv_size, error);
  if (aux == NULL) {
    g_prefix_error (error, "%s: ", where);
    return NULL;
  }
  if (aux->samples->len != n_samples)
    return vpk_pack_verify_fail (error, "%s: senc lists %u samples, trun %u", where,
                                 aux->samples->len, n_samples), NULL;
  flags = ((guint32) senc->data[1] << 16) | (senc->data[2] << 8) | senc->data[3];
  if (!check_saiz (vpk_mp4_box_get_child (traf, FOURCC ("saiz")), aux, flags, where, error) ||
      !check_saio (vpk_mp4_box_get_child (traf, FOURCC ("saio")), senc,
                   traf_base (traf, moof_offset), where, error))
    return NULL;
  return g_steal_pointer (&aux);
}

/* Start code emulation (ISO/IEC 14496-10 7.4.1): no 00 00 0x with x < 3, and
 * 00 00 03 only before a byte <= 3. The last byte holds rbsp_stop_one_bit.
 * Zero bytes are rare in slice data, so memchr finds each candidate. */
static const char *
nal_payload_problem (const guint8 *nal,
                     gsize         len)
{
  gsize j = 1;

  if (nal[0] & 0x80)
    return "forbidden_zero_bit set";
  if (nal[len - 1] == 0)
    return "ends with a zero byte";
  while (j + 2 < len) {
    const guint8 *zero = memchr (nal + j, 0, len - 2 - j);
    gsize k;

    if (zero == NULL)
      break;
    k = zero - nal;
    if (nal[k + 1] != 0) {
      j = k + 1;
      continue;
    }
    if (nal[k + 2] <= 2)
      return "start code emulation";
    if (nal[k + 2] == 3 && k + 3 < len && nal[k + 3] > 3)
      return "bad emulation prevention byte";
    j = k + 3;
  }
  return NULL;
}

static gboolean
check_nal_units (const VpkPackVerifyTrack  *t,
                 const guint8              *data,
                 gsize                      size,
                 char                     **out_problem)
{
  gsize pos = 0;

  while (pos < size) {
    guint64 len = 0;
    const char *problem;

    if (size - pos < t->nal_length_size) {
      *out_problem = g_strdup_printf ("a NAL length at byte %" G_GSIZE_FORMAT " is cut", pos);
      return FALSE;
    }
    for (guint k = 0; k < t->nal_length_size; k++)
      len = (len << 8) | data[pos++];
    if (len == 0 || len > size - pos) {
      *out_problem = g_strdup_printf ("NAL length %" G_GUINT64_FORMAT " at byte %" G_GSIZE_FORMAT
                                      " does not fit the %" G_GSIZE_FORMAT "-byte sample",
                                      len, pos - t->nal_length_size, size);
      return FALSE;
    }
    if ((problem = nal_payload_problem (data + pos, len)) != NULL) {
      *out_problem = g_strdup_printf ("the NAL unit at byte %" G_GSIZE_FORMAT ": %s",
                                      pos - t->nal_length_size, problem);
      return FALSE;
    }
    pos += len;
  }
  return TRUE;
}

static gboolean
decrypt_sample (VpkPackVerifier           *v,
                const VpkPackVerifyTrack  *t,
                const VpkCencAuxInfo      *aux,
                guint                      i,
                guint8                    *data,
                gsize                      size,
                GError                   **error)
{
  const VpkCencSampleAux *s = &g_array_index (aux->samples, VpkCencSampleAux, i);
  const VpkCencSubsample *subs = s->n_subsamples > 0 ?
      &g_array_index (aux->subsamples, VpkCencSubsample, s->first_subsample) : NULL;
  gboolean per_sample = t->tenc.per_sample_iv_size > 0;

  return vpk_cenc_decrypt_sample (t->scheme, v->key, per_sample ? s->iv : t->tenc.constant_iv,
                                  per_sample ? s->iv_size : t->tenc.constant_iv_size,
                                  subs, s->n_subsamples, t->tenc.crypt_byte_block,
                                  t->tenc.skip_byte_block, data, size, error);
}

static gboolean
verify_sample (VpkPackVerifier       *v,
               VpkPackVerifyTrack    *t,
               const VpkCencAuxInfo  *aux,
               guint                  i,
               guint8                *data,
               gsize                  size,
               const char            *label,
               GError               **error)
{
  g_autofree char *problem = NULL;
  VpkPackVerifySample sample = { t->track->track_id, t->index, g_str_equal (t->kind, "video"),
                                 t->n_samples, label, data, size };

  if (aux != NULL && !decrypt_sample (v, t, aux, i, data, size, error)) {
    g_prefix_error (error, "track %u (%s), sample %" G_GUINT64_FORMAT " in %s: ",
                    t->track->track_id, t->kind, t->n_samples, label);
    return FALSE;
  }
  /* With a source, comparing every byte says more than the NAL syntax can. */
  if (t->source == NULL && t->nal_length_size > 0 && !check_nal_units (t, data, size, &problem))
    return vpk_pack_verify_fail (error, "track %u (%s), sample %" G_GUINT64_FORMAT " in %s is "
                                 "not NAL units once decrypted (%s): wrong key or corrupt data",
                                 t->track->track_id, t->kind, t->n_samples, label, problem);
  if (t->source != NULL && !vpk_pack_verify_compare_source (v, t, data, size, label, error))
    return FALSE;
  if (v->func != NULL)
    v->func (&sample, v->func_data);
  t->n_samples++;
  v->report.n_samples++;
  v->report.n_encrypted_samples += aux != NULL;
  return TRUE;
}

/* Samples are read, decrypted and compared this many bytes at a time. */
#define CHUNK_BYTES (256 * 1024)

/* Every sample inside the mdat that follows the moof. */
static gboolean
check_in_mdat (const VpkMp4TrafInfo  *ti,
               const VpkMp4BoxInfo   *mdat,
               const char            *label,
               GError               **error)
{
  for (guint i = 0; i < ti->samples->len; i++) {
    const VpkMp4Sample *s = &g_array_index (ti->samples, VpkMp4Sample, i);

    if (s->offset < mdat->offset + mdat->header_size ||
        s->offset + s->size > mdat->offset + mdat->size)
      return vpk_pack_verify_fail (error, "track %u: sample data at offset %" G_GUINT64_FORMAT
                                   " in %s is outside the mdat after its moof",
                                   ti->track_id, s->offset, label);
  }
  return TRUE;
}

static gboolean
verify_traf (VpkPackVerifier       *v,
             VpkPackVerifyTrack    *t,
             int                    fd,
             guint64                moof_offset,
             const VpkMp4BoxInfo   *mdat,
             const VpkMp4TrafInfo  *ti,
             const char            *label,
             GError               **error)
{
  const VpkMp4Sample *samples = (const VpkMp4Sample *) ti->samples->data;
  g_autoptr(VpkCencAuxInfo) aux = NULL;
  GByteArray *payload = v->payload;
  gsize pos = 0;

  if (ti->samples->len == 0)
    return TRUE;
  if (!check_in_mdat (ti, mdat, label, error))
    return FALSE;
  if (t->encrypted &&
      (aux = load_aux (t, ti->traf, moof_offset, ti->samples->len, label, error)) == NULL)
    return FALSE;
  /* A chunk at a time: decrypted and compared while still in the CPU cache. */
  for (guint i = 0; i < ti->samples->len;) {
    guint64 bytes = samples[i].size;
    guint j = i + 1;

    while (j < ti->samples->len && bytes + samples[j].size <= CHUNK_BYTES)
      bytes += samples[j++].size;
    g_byte_array_set_size (payload, 0);
    if (!vpk_pack_read_samples (fd, samples + i, j - i, payload, error))
      return FALSE;
    for (pos = 0; i < j; i++) {
      if (!verify_sample (v, t, aux, i, payload->data + pos, samples[i].size, label, error))
        return FALSE;
      pos += samples[i].size;
    }
  }
  return TRUE;
}

static guint32
traf_track_id (const VpkMp4Box *traf)
{
  VpkMp4Box *tfhd = vpk_mp4_box_get_child (traf, FOURCC ("tfhd"));

  if (tfhd == NULL || tfhd->size < 8)
    return 0;
  return vpk_pack_read_be32 (tfhd->data + 4);
}

static gboolean
verify_fragment (VpkPackVerifier      *v,
                 int                   fd,
                 guint64               file_size,
                 const VpkMp4BoxInfo  *moof_info,
                 const VpkMp4BoxInfo  *mdat,
                 const char           *label,
                 GError              **error)
{
  g_autoptr(VpkMp4Box) moof = vpk_mp4_load_box (fd, moof_info, error);
  guint64 previous_end = moof_info->offset;

  if (moof == NULL)
    return g_prefix_error (error, "%s: ", label), FALSE;
  for (guint i = 0; i < moof->children->len; i++) {
    const VpkMp4Box *traf = moof->children->pdata[i];
    VpkPackVerifyTrack *t = traf->type == FOURCC ("traf") ?
        find_track (v, traf_track_id (traf)) : NULL;
    g_autoptr(VpkMp4TrafInfo) ti = NULL;

    if (traf->type != FOURCC ("traf"))
      continue;
    if (t == NULL)
      return vpk_pack_verify_fail (error, "a fragment in %s has track %u, which its init "
                                   "segment does not describe", label, traf_track_id (traf));
    ti = vpk_mp4_traf_parse (traf, find_trex (v, t->track->track_id), moof_info->offset,
                             previous_end, t->next_dts, file_size, error);
    if (ti == NULL)
      return g_prefix_error (error, "%s: ", label), FALSE;
    if (!verify_traf (v, t, fd, moof_info->offset, mdat, ti, label, error))
      return FALSE;
    if (ti->samples->len > 0) {
      const VpkMp4Sample *last = &g_array_index (ti->samples, VpkMp4Sample, ti->samples->len - 1);

      previous_end = last->offset + last->size;
      t->next_dts = last->dts + last->duration;
    }
  }
  return TRUE;
}

gboolean
vpk_pack_verify_fragments (VpkPackVerifier  *v,
                           int               fd,
                           guint64           file_size,
                           GArray           *boxes,
                           const char       *label,
                           guint            *out_n_fragments,
                           GError          **error)
{
  guint n = 0;

  for (guint i = 0; i < boxes->len; i++) {
    const VpkMp4BoxInfo *info = &g_array_index (boxes, VpkMp4BoxInfo, i);

    if (info->type != FOURCC ("moof"))
      continue;
    if (g_cancellable_set_error_if_cancelled (v->cancellable, error))
      return FALSE;
    if (i + 1 >= boxes->len || g_array_index (boxes, VpkMp4BoxInfo, i + 1).type != FOURCC ("mdat"))
      return vpk_pack_verify_fail (error, "the moof at offset %" G_GUINT64_FORMAT " in %s is "
                                   "not followed by an mdat", info->offset, label);
    if (!verify_fragment (v, fd, file_size, info, &g_array_index (boxes, VpkMp4BoxInfo, i + 1),
                          label, error))
      return FALSE;
    n++;
  }
  if (out_n_fragments != NULL)
    *out_n_fragments = n;
  return TRUE;
}
