/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-encrypt.h"
#include "pack/vpk-pack-io.h"
#include "cenc/vpk-cenc.h"
#include "cenc/vpk-cenc-boxes.h"
#include "mp4/vpk-mp4-fragments.h"

#include <string.h>

#define FOURCC VPK_MP4_FOURCC

/* How one track of the file is encrypted; NULL encryptor: left clear. */
typedef struct {
  guint32           track_id;
  VpkCencEncryptor *encryptor;
  VpkCencCodec      codec;
  guint             nal_length_size;
} TrackCrypto;

static void
track_crypto_clear (TrackCrypto *t)
{
  g_clear_pointer (&t->encryptor, vpk_cenc_encryptor_free);
}

static VpkMp4Box *
box_from_bytes (GByteArray  *bytes,
                GError     **error)
{
  return vpk_mp4_box_parse_one (bytes->data, bytes->len, 0, error);
}

/* The NAL length size from avcC (byte 4) or hvcC (byte 21). */
static gboolean
nal_length_size (const VpkMp4Box  *entry,
                 guint32           config_type,
                 gsize             byte,
                 guint            *out_size,
                 GError          **error)
{
  VpkMp4Box *config = vpk_mp4_box_get_child (entry, config_type);

  if (config == NULL || config->size <= byte) {
    char name[5];

    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "the video sample entry has no usable %s box",
                 vpk_mp4_fourcc_to_string (config_type, name));
    return FALSE;
  }
  *out_size = (config->data[byte] & 3) + 1;
  if (*out_size == 3) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "NAL length size 3 is not allowed");
    return FALSE;
  }
  return TRUE;
}

static gboolean
codec_for_entry (const VpkMp4Box  *entry,
                 TrackCrypto      *t,
                 GError          **error)
{
  switch (entry->type) {
  case FOURCC ('a', 'v', 'c', '1'):
  case FOURCC ('a', 'v', 'c', '3'):
    t->codec = VPK_CENC_CODEC_AVC;
    return nal_length_size (entry, FOURCC ('a', 'v', 'c', 'C'), 4, &t->nal_length_size, error);
  case FOURCC ('h', 'v', 'c', '1'):
  case FOURCC ('h', 'e', 'v', '1'):
    t->codec = VPK_CENC_CODEC_HEVC;
    return nal_length_size (entry, FOURCC ('h', 'v', 'c', 'C'), 21, &t->nal_length_size, error);
  case FOURCC ('m', 'p', '4', 'a'):
  case FOURCC ('a', 'c', '-', '3'):
  case FOURCC ('e', 'c', '-', '3'):
    t->codec = VPK_CENC_CODEC_WHOLE;
    return TRUE;
  default:
    {
      char name[5];

      g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED,
                   "cannot encrypt samples of '%s'", vpk_mp4_fourcc_to_string (entry->type, name));
      return FALSE;
    }
  }
}

/* entry (avc1 …) → encv with sinf { frma, schm, schi { tenc } } appended. */
static gboolean
protect_sample_entry (VpkMp4Box                   *entry,
                      const TrackCrypto           *t,
                      const VpkPackEncryptParams  *params,
                      gboolean                     is_video,
                      GError                     **error)
{
  g_autoptr(GByteArray) frma = g_byte_array_new ();
  g_autoptr(GByteArray) schm = g_byte_array_new ();
  g_autoptr(GByteArray) tenc_bytes = g_byte_array_new ();
  VpkMp4Box *sinf, *schi, *child;
  VpkCencTenc tenc;
  char format[5];

  vpk_cenc_write_frma (frma, vpk_mp4_fourcc_to_string (entry->type, format));
  vpk_cenc_write_schm (schm, params->scheme);
  vpk_cenc_tenc_init (&tenc, t->encryptor, t->codec, &params->kid);
  vpk_cenc_write_tenc (tenc_bytes, &tenc);

  sinf = vpk_mp4_box_new_container (FOURCC ('s', 'i', 'n', 'f'));
  schi = vpk_mp4_box_new_container (FOURCC ('s', 'c', 'h', 'i'));
  vpk_mp4_box_append (entry, sinf);
  if ((child = box_from_bytes (frma, error)) == NULL)
    return FALSE;
  vpk_mp4_box_append (sinf, child);
  if ((child = box_from_bytes (schm, error)) == NULL)
    return FALSE;
  vpk_mp4_box_append (sinf, child);
  vpk_mp4_box_append (sinf, schi);
  if ((child = box_from_bytes (tenc_bytes, error)) == NULL)
    return FALSE;
  vpk_mp4_box_append (schi, child);

  entry->type = is_video ? FOURCC ('e', 'n', 'c', 'v') : FOURCC ('e', 'n', 'c', 'a');
  return TRUE;
}

static gboolean
handler_of (const VpkMp4Box *trak,
            guint32         *out_handler)
{
  VpkMp4Box *hdlr = vpk_mp4_box_find (trak, "mdia/hdlr");

  if (hdlr == NULL || hdlr->size < 12)
    return FALSE;
  *out_handler = vpk_pack_read_be32 (hdlr->data + 8);
  return TRUE;
}

static gboolean
track_id_of (const VpkMp4Box *trak,
             guint32         *out_id)
{
  VpkMp4Box *tkhd = vpk_mp4_box_get_child (trak, FOURCC ('t', 'k', 'h', 'd'));
  gsize pos;

  if (tkhd == NULL || tkhd->size < 4)
    return FALSE;
  pos = tkhd->data[0] == 1 ? 4 + 16 : 4 + 8;
  if (tkhd->size < pos + 4)
    return FALSE;
  *out_id = vpk_pack_read_be32 (tkhd->data + pos);
  return TRUE;
}

/* Rewrites @moov in place and fills @tracks; adds the common pssh. */
static gboolean
protect_moov (VpkMp4Box                   *moov,
              const VpkPackEncryptParams  *params,
              GArray                      *tracks,
              guint                       *out_n_protected,
              GError                     **error)
{
  g_autoptr(GPtrArray) traks = vpk_mp4_box_find_all (moov, "trak");
  g_autoptr(GByteArray) pssh = g_byte_array_new ();
  VpkMp4Box *pssh_box;
  guint n_protected = 0;

  for (guint i = 0; i < traks->len; i++) {
    VpkMp4Box *trak = traks->pdata[i];
    VpkMp4Box *stsd = vpk_mp4_box_find (trak, "mdia/minf/stbl/stsd");
    TrackCrypto t = { 0 };
    guint32 handler = 0;
    gboolean is_video;

    if (!track_id_of (trak, &t.track_id) || !handler_of (trak, &handler) || stsd == NULL ||
        stsd->children == NULL || stsd->children->len == 0) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "a track has no tkhd, hdlr or sample description");
      return FALSE;
    }
    is_video = handler == FOURCC ('v', 'i', 'd', 'e');
    if (is_video || (handler == FOURCC ('s', 'o', 'u', 'n') && params->tracks == VPK_ENCRYPT_ALL)) {
      VpkMp4Box *entry = stsd->children->pdata[0];

      if (!codec_for_entry (entry, &t, error))
        return FALSE;
      t.encryptor = vpk_cenc_encryptor_new (params->scheme, &params->key, params->iv,
                                            params->iv_size, error);
      if (t.encryptor == NULL || !protect_sample_entry (entry, &t, params, is_video, error)) {
        track_crypto_clear (&t);
        return FALSE;
      }
      n_protected++;
    }
    g_array_append_val (tracks, t);
  }
  *out_n_protected = n_protected;
  if (n_protected == 0)
    return TRUE;  /* an audio-only file when only video is encrypted: copied clear */

  vpk_cenc_write_common_pssh (pssh, &params->kid, 1);
  if ((pssh_box = box_from_bytes (pssh, error)) == NULL)
    return FALSE;
  vpk_mp4_box_append (moov, pssh_box);
  return TRUE;
}

static const TrackCrypto *
find_track (GArray  *tracks,
            guint32  track_id)
{
  for (guint i = 0; i < tracks->len; i++)
    if (g_array_index (tracks, TrackCrypto, i).track_id == track_id)
      return &g_array_index (tracks, TrackCrypto, i);
  return NULL;
}

/* Inserts @bytes (one box) into @traf before its first trun: ffmpeg 5.1 pairs
 * sample auxiliary information with the samples of the trun that follows it,
 * and GPAC and Shaka Packager write them in that order too. */
static gboolean
insert_before_trun (VpkMp4Box   *traf,
                    GByteArray  *bytes,
                    GError     **error)
{
  VpkMp4Box *b = box_from_bytes (bytes, error);
  guint index = traf->children->len;

  if (b == NULL)
    return FALSE;
  for (guint i = 0; i < traf->children->len; i++) {
    if (((VpkMp4Box *) traf->children->pdata[i])->type == FOURCC ('t', 'r', 'u', 'n')) {
      index = i;
      break;
    }
  }
  vpk_mp4_box_insert (traf, index, b);
  return TRUE;
}

static gboolean
append_aux_boxes (VpkMp4Box             *traf,
                  const VpkCencAuxInfo  *aux,
                  GError               **error)
{
  g_autoptr(GByteArray) saiz = g_byte_array_new ();
  g_autoptr(GByteArray) saio = g_byte_array_new ();
  g_autoptr(GByteArray) senc = g_byte_array_new ();

  if (aux->samples->len == 0)
    return TRUE;
  if (!vpk_cenc_write_saiz (saiz, aux, error) || !vpk_cenc_write_senc (senc, aux, error))
    return FALSE;
  vpk_cenc_write_saio (saio, 0);  /* placed by vpk_pack_moof_fix_saio() */
  return insert_before_trun (traf, saiz, error) && insert_before_trun (traf, saio, error) &&
         insert_before_trun (traf, senc, error);
}

/* Samples are read and encrypted this many bytes at a time, so that the
 * cipher finds them still in the CPU cache. */
#define CHUNK_BYTES (256 * 1024)

/* Reads the samples of @info into @payload, encrypting them when @t says so. */
static gboolean
process_traf (int                    fd,
              const VpkMp4TrafInfo  *info,
              const TrackCrypto     *t,
              GByteArray            *payload,
              GError               **error)
{
  const VpkMp4Sample *samples = (const VpkMp4Sample *) info->samples->data;
  g_autoptr(VpkCencAuxInfo) aux = vpk_cenc_aux_info_new ();
  g_autoptr(GArray) subsamples = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  guint n = info->samples->len;
  guint i = 0;

  if (t == NULL || t->encryptor == NULL)
    return vpk_pack_read_samples (fd, samples, n, payload, error);

  while (i < n) {
    gsize pos = payload->len;
    guint64 bytes = samples[i].size;
    guint j = i + 1;

    while (j < n && bytes + samples[j].size <= CHUNK_BYTES)
      bytes += samples[j++].size;
    if (!vpk_pack_read_samples (fd, samples + i, j - i, payload, error))
      return FALSE;
    for (; i < j; i++) {
      guint8 iv[16];
      guint iv_size = 0;

      g_array_set_size (subsamples, 0);
      if (!vpk_cenc_encrypt_sample (t->encryptor, t->codec, t->nal_length_size,
                                    payload->data + pos, samples[i].size, iv, &iv_size,
                                    subsamples, error)) {
        g_prefix_error (error, "track %u, sample at %" G_GUINT64_FORMAT ": ", t->track_id,
                        samples[i].offset);
        return FALSE;
      }
      vpk_cenc_aux_info_add_sample (aux, iv, iv_size,
                                    (const VpkCencSubsample *) subsamples->data, subsamples->len);
      pos += samples[i].size;
    }
  }
  return append_aux_boxes (info->traf, aux, error);
}

/* The position of the offset field in a saio payload, and its width. */
static gboolean
saio_field (const VpkMp4Box *saio,
            gsize           *out_pos,
            gsize           *out_width)
{
  gsize pos = 4;
  guint32 count;

  if (saio->size < 4)
    return FALSE;
  if (saio->data[3] & 1)  /* aux_info_type and its parameter */
    pos += 8;
  if (saio->size < pos + 4)
    return FALSE;
  count = vpk_pack_read_be32 (saio->data + pos);
  pos += 4;
  *out_width = saio->data[0] == 0 ? 4 : 8;
  if (count != 1 || saio->size < pos + *out_width)
    return FALSE;
  *out_pos = pos;
  return TRUE;
}

gboolean
vpk_pack_moof_fix_saio (VpkMp4Box  *moof,
                        GError    **error)
{
  g_autoptr(GPtrArray) trafs = vpk_mp4_box_find_all (moof, "traf");

  for (guint i = 0; i < trafs->len; i++) {
    VpkMp4Box *saio = vpk_mp4_box_get_child (trafs->pdata[i], FOURCC ('s', 'a', 'i', 'o'));
    VpkMp4Box *senc = vpk_mp4_box_get_child (trafs->pdata[i], FOURCC ('s', 'e', 'n', 'c'));
    guint64 offset;
    gsize pos, width;

    if (saio == NULL || senc == NULL)
      continue;
    if (!saio_field (saio, &pos, &width) || !vpk_mp4_box_get_offset_in (moof, senc, &offset)) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "a saio box has more than one offset or is truncated");
      return FALSE;
    }
    offset += VPK_CENC_SENC_DATA_OFFSET;
    if (width == 4) {
      guint32 be = GUINT32_TO_BE ((guint32) offset);

      memcpy (saio->data + pos, &be, 4);
    } else {
      guint64 be = GUINT64_TO_BE (offset);

      memcpy (saio->data + pos, &be, 8);
    }
  }
  return TRUE;
}

/* The moof head (moof + mdat header) with data offsets and saio in place. Setting
 * data offsets may add trun fields, so saio is placed after, then serialized again. */
GBytes *
vpk_pack_fragment_head (VpkMp4Box  *moof,
                        GArray     *trex,
                        gsize       payload_size,
                        GError    **error)
{
  g_autoptr(GBytes) head = vpk_mp4_fragment_serialize_head (moof, trex, payload_size, error);

  if (head == NULL || !vpk_pack_moof_fix_saio (moof, error))
    return NULL;
  return vpk_mp4_fragment_serialize_head (moof, trex, payload_size, error);
}

struct _VpkPackEncryptor {
  GArray *tracks;  /* (element-type TrackCrypto) */
  guint   n_protected;
};

void
vpk_pack_encryptor_free (VpkPackEncryptor *enc)
{
  if (enc == NULL)
    return;
  g_clear_pointer (&enc->tracks, g_array_unref);
  g_free (enc);
}

VpkPackEncryptor *
vpk_pack_encryptor_new (VpkMp4Box                   *moov,
                        const VpkPackEncryptParams  *params,
                        GError                     **error)
{
  g_autoptr(VpkPackEncryptor) enc = g_new0 (VpkPackEncryptor, 1);

  enc->tracks = g_array_new (FALSE, TRUE, sizeof (TrackCrypto));
  g_array_set_clear_func (enc->tracks, (GDestroyNotify) track_crypto_clear);
  if (!protect_moov (moov, params, enc->tracks, &enc->n_protected, error))
    return NULL;
  return g_steal_pointer (&enc);
}

guint
vpk_pack_encryptor_get_n_protected (VpkPackEncryptor *enc)
{
  return enc->n_protected;
}

gboolean
vpk_pack_encryptor_process (VpkPackEncryptor  *enc,
                            int                fd,
                            VpkMp4Fragment    *fragment,
                            GByteArray        *payload,
                            GError           **error)
{
  for (guint i = 0; i < fragment->trafs->len; i++) {
    const VpkMp4TrafInfo *info = fragment->trafs->pdata[i];

    if (!process_traf (fd, info, find_track (enc->tracks, info->track_id), payload, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
encrypt_fragment (VpkPackEncryptor      *enc,
                  VpkMp4FragmentReader  *reader,
                  VpkMp4Fragment        *fragment,
                  GArray                *trex,
                  GByteArray            *payload,
                  VpkPackOutput         *out,
                  GError               **error)
{
  g_autoptr(GBytes) head = NULL;

  g_byte_array_set_size (payload, 0);
  if (!vpk_pack_encryptor_process (enc, vpk_mp4_fragment_reader_get_fd (reader), fragment,
                                   payload, error))
    return FALSE;
  head = vpk_pack_fragment_head (fragment->moof, trex, payload->len, error);
  return head != NULL &&
         vpk_pack_output_write (out, g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                error) &&
         vpk_pack_output_write (out, payload->data, payload->len, error);
}

static gboolean
write_header (VpkMp4FragmentReader  *reader,
              VpkMp4Box             *moov,
              VpkPackOutput         *out,
              GError               **error)
{
  VpkMp4Box *ftyp = vpk_mp4_fragment_reader_get_ftyp (reader);
  g_autoptr(GBytes) ftyp_bytes = ftyp != NULL ? vpk_mp4_box_serialize (ftyp) : NULL;
  g_autoptr(GBytes) moov_bytes = vpk_mp4_box_serialize (moov);

  if (ftyp_bytes != NULL &&
      !vpk_pack_output_write (out, g_bytes_get_data (ftyp_bytes, NULL),
                              g_bytes_get_size (ftyp_bytes), error))
    return FALSE;
  return vpk_pack_output_write (out, g_bytes_get_data (moov_bytes, NULL),
                                g_bytes_get_size (moov_bytes), error);
}

/**
 * vpk_pack_encrypt_file:
 * @src: a fragmented MP4 (one or several tracks)
 * @dst: the encrypted copy to write (replaced atomically)
 *
 * @out_n_encrypted: (out) (optional): how many tracks were encrypted; a file
 *   with none (audio only, video-only encryption) is copied clear
 *
 * Encrypts the video track (and the audio tracks with VPK_ENCRYPT_ALL) of @src.
 */
gboolean
vpk_pack_encrypt_file (const char                  *src,
                       const char                  *dst,
                       const VpkPackEncryptParams  *params,
                       GCancellable                *cancellable,
                       VpkPackProgressFunc          progress,
                       gpointer                     progress_data,
                       guint                       *out_n_encrypted,
                       GError                     **error)
{
  g_autoptr(VpkMp4FragmentReader) reader = vpk_mp4_fragment_reader_open (src, error);
  g_autoptr(VpkPackEncryptor) enc = NULL;
  g_autoptr(VpkPackOutput) out = NULL;
  g_autoptr(VpkMp4Box) moov = NULL;
  g_autoptr(GArray) trex = NULL;
  g_autoptr(VpkPackBuffer) payload = vpk_pack_buffer_take ();
  guint n_done = 0, n_total;

  if (reader == NULL)
    return FALSE;
  moov = vpk_mp4_box_copy (vpk_mp4_fragment_reader_get_moov (reader));
  trex = vpk_mp4_read_trex (moov);
  n_total = MAX (vpk_mp4_fragment_reader_get_n_fragments (reader), 1);
  if ((enc = vpk_pack_encryptor_new (moov, params, error)) == NULL)
    return FALSE;
  out = vpk_pack_output_new (dst, error);
  if (out == NULL || !write_header (reader, moov, out, error))
    return FALSE;

  for (;;) {
    g_autoptr(VpkMp4Fragment) fragment = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !vpk_mp4_fragment_reader_next (reader, &fragment, error))
      return FALSE;
    if (fragment == NULL)
      break;
    if (!encrypt_fragment (enc, reader, fragment, trex, payload, out, error))
      return FALSE;
    if (progress != NULL)
      progress ((double) ++n_done / n_total, progress_data);
  }
  if (!vpk_pack_output_commit (out, error))
    return FALSE;
  if (out_n_encrypted != NULL)
    *out_n_encrypted = enc->n_protected;
  return TRUE;
}
