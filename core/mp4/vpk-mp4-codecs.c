/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-mp4-codecs.h"

#include <vpack/vpk-error.h>

/* RFC 6381 codecs strings and the audio configuration records they come from
 * (ISO/IEC 14496-1 descriptors, 14496-3 AudioSpecificConfig, 14496-15 Annex E,
 * ETSI TS 102 366 Annex F). */

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

typedef struct {
  const guint8 *data;
  gsize         size;
  gsize         bit;
} BitReader;

static gboolean
bits_get (BitReader *b, guint n, guint32 *out)
{
  guint32 v = 0;

  if (n > 32 || b->bit + n > b->size * 8)
    return FALSE;
  for (guint i = 0; i < n; i++, b->bit++)
    v = (v << 1) | ((b->data[b->bit / 8] >> (7 - b->bit % 8)) & 1);
  *out = v;
  return TRUE;
}

/* An expandable descriptor header: tag, then a size of up to 4 7-bit groups. */
static gboolean
read_descriptor (VpkMp4Reader *r, guint8 *out_tag, guint32 *out_size)
{
  guint32 size = 0;
  guint8 b = 0x80;

  if (!vpk_mp4_reader_get_u8 (r, out_tag))
    return FALSE;
  for (int i = 0; i < 4 && (b & 0x80); i++) {
    if (!vpk_mp4_reader_get_u8 (r, &b))
      return FALSE;
    size = (size << 7) | (b & 0x7f);
  }
  *out_size = size;
  return size <= vpk_mp4_reader_remaining (r);
}

static gboolean
skip_es_descriptor_fields (VpkMp4Reader *r)
{
  guint8 flags, url_len;

  if (!vpk_mp4_reader_skip (r, 2) || !vpk_mp4_reader_get_u8 (r, &flags))
    return FALSE;
  if ((flags & 0x80) && !vpk_mp4_reader_skip (r, 2))
    return FALSE;
  if ((flags & 0x40) &&
      (!vpk_mp4_reader_get_u8 (r, &url_len) || !vpk_mp4_reader_skip (r, url_len)))
    return FALSE;
  return !(flags & 0x20) || vpk_mp4_reader_skip (r, 2);
}

static gboolean
read_object_type (BitReader *b, guint *out)
{
  guint32 aot, ext;

  if (!bits_get (b, 5, &aot))
    return FALSE;
  if (aot == 31) {
    if (!bits_get (b, 6, &ext))
      return FALSE;
    aot = 32 + ext;
  }
  *out = aot;
  return TRUE;
}

static void
parse_audio_specific_config (const guint8 *data, gsize size, VpkMp4AacConfig *c)
{
  static const guint rates[] = { 96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                 22050, 16000, 12000, 11025, 8000, 7350 };
  static const guint channels[] = { 0, 1, 2, 3, 4, 5, 6, 8 };
  BitReader b = { data, size, 0 };
  guint32 index, rate = 0, config;

  if (!read_object_type (&b, &c->audio_object_type) || !bits_get (&b, 4, &index))
    return;
  if (index == 0xf && !bits_get (&b, 24, &rate))
    return;
  if (index < G_N_ELEMENTS (rates))
    rate = rates[index];
  c->sample_rate = rate;
  if (bits_get (&b, 4, &config) && config < G_N_ELEMENTS (channels))
    c->channels = channels[config];
}

gboolean
vpk_mp4_aac_config_parse (const VpkMp4Box *esds, VpkMp4AacConfig *out_config)
{
  VpkMp4AacConfig c = { 0 };
  VpkMp4Reader r;
  guint8 tag, version;
  guint32 size, flags;
  const guint8 *asc;

  vpk_mp4_reader_init (&r, esds->data, esds->size);
  if (!vpk_mp4_reader_get_full_header (&r, &version, &flags) ||
      !read_descriptor (&r, &tag, &size) || tag != 0x03 || !skip_es_descriptor_fields (&r) ||
      !read_descriptor (&r, &tag, &size) || tag != 0x04 ||
      !vpk_mp4_reader_get_u8 (&r, &c.object_type_indication) || !vpk_mp4_reader_skip (&r, 12))
    return FALSE;
  if (read_descriptor (&r, &tag, &size) && tag == 0x05 &&
      vpk_mp4_reader_get_bytes (&r, size, &asc))
    parse_audio_specific_config (asc, size, &c);
  *out_config = c;
  return TRUE;
}

guint
vpk_mp4_ac3_channels (const VpkMp4Box *config)
{
  static const guint acmod_channels[] = { 2, 1, 2, 3, 3, 4, 4, 5 };
  BitReader b = { config->data, config->size, 0 };
  guint32 acmod, lfe, skip;

  if (config->type == FOURCC ("dac3")) {
    /* fscod 2, bsid 5, bsmod 3, acmod 3, lfeon 1 */
    if (!bits_get (&b, 10, &skip) || !bits_get (&b, 3, &acmod) || !bits_get (&b, 1, &lfe))
      return 0;
    return acmod_channels[acmod] + lfe;
  }
  if (config->type == FOURCC ("dec3")) {
    /* data_rate 13, num_ind_sub 3; then fscod 2, bsid 5, reserved 1, asvc 1,
     * bsmod 3, acmod 3, lfeon 1 for the first independent substream */
    if (!bits_get (&b, 16, &skip) || !bits_get (&b, 12, &skip) ||
        !bits_get (&b, 3, &acmod) || !bits_get (&b, 1, &lfe))
      return 0;
    return acmod_channels[acmod] + lfe;
  }
  return 0;
}

static char *
avc_codecs (guint32 codec, const VpkMp4Box *avcc)
{
  char name[5];

  if (avcc == NULL || avcc->size < 4)
    return NULL;
  return g_strdup_printf ("%s.%02x%02x%02x", vpk_mp4_fourcc_to_string (codec, name),
                          avcc->data[1], avcc->data[2], avcc->data[3]);
}

static guint32
reverse_bits32 (guint32 v)
{
  guint32 r = 0;

  for (int i = 0; i < 32; i++, v >>= 1)
    r = (r << 1) | (v & 1);
  return r;
}

/* ISO/IEC 14496-15 Annex E: hvc1.<space><profile>.<compat>.<tier><level>.<constraints> */
static char *
hevc_codecs (guint32 codec, const VpkMp4Box *hvcc)
{
  static const char *spaces[] = { "", "A", "B", "C" };
  const guint8 *d;
  GString *s;
  char name[5];
  guint32 compat;
  int last;

  if (hvcc == NULL || hvcc->size < 13)
    return NULL;
  d = hvcc->data;
  compat = ((guint32) d[2] << 24) | (d[3] << 16) | (d[4] << 8) | d[5];
  s = g_string_new (vpk_mp4_fourcc_to_string (codec, name));
  g_string_append_printf (s, ".%s%u.%X.%c%u", spaces[d[1] >> 6], d[1] & 0x1f,
                          reverse_bits32 (compat), (d[1] & 0x20) ? 'H' : 'L', d[12]);
  for (last = 5; last >= 0 && d[6 + last] == 0; last--)
    ;
  for (int i = 0; i <= last; i++)
    g_string_append_printf (s, ".%X", d[6 + i]);
  return g_string_free (s, FALSE);
}

static char *
aac_codecs (const VpkMp4Box *esds)
{
  VpkMp4AacConfig c;

  if (esds == NULL || !vpk_mp4_aac_config_parse (esds, &c))
    return NULL;
  if (c.object_type_indication != 0x40 || c.audio_object_type == 0)
    return g_strdup_printf ("mp4a.%02x", c.object_type_indication);
  return g_strdup_printf ("mp4a.40.%u", c.audio_object_type);
}

char *
vpk_mp4_codecs_string (guint32 codec, const VpkMp4Box *sample_entry)
{
  if (codec == FOURCC ("avc1") || codec == FOURCC ("avc3"))
    return avc_codecs (codec, vpk_mp4_box_get_child (sample_entry, FOURCC ("avcC")));
  if (codec == FOURCC ("hvc1") || codec == FOURCC ("hev1"))
    return hevc_codecs (codec, vpk_mp4_box_get_child (sample_entry, FOURCC ("hvcC")));
  if (codec == FOURCC ("mp4a")) {
    VpkMp4Box *esds = vpk_mp4_box_get_child (sample_entry, FOURCC ("esds"));

    return aac_codecs (esds != NULL ? esds : vpk_mp4_box_find (sample_entry, "wave/esds"));
  }
  if (codec == FOURCC ("ac-3"))
    return g_strdup ("ac-3");
  if (codec == FOURCC ("ec-3"))
    return g_strdup ("ec-3");
  return NULL;
}
