/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vpack/vpk-error.h>

#include "cenc/vpk-cenc.h"

/* The subsample map of length-prefixed H.264/H.265 samples on untrusted
 * bytes. Input: one configuration byte, then one sample.
 *
 * Configuration byte:
 *   bit  0    codec: AVC or HEVC
 *   bits 1-2  NAL length size: 1, 2, 4, or 3 (refused)
 *   bit  3    scheme for the round trip: cenc or cbcs
 *
 * A map must span the sample exactly, with whole protected blocks; the sample
 * encrypted with it must decrypt to itself, its clear bytes untouched. */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static const guint length_sizes[4] = { 1, 2, 4, 3 };
static const VpkKey key = { { 0x63, 0xcb, 0x5f, 0x71, 0x84, 0xdd, 0x4b, 0x68,
                              0x9a, 0x5c, 0x5f, 0xf1, 0x1e, 0xe6, 0xa3, 0x28 } };
static const guint8 first_iv[16] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Exactly @size bytes, so that ASan sees a read past the end. */
static guint8 *
exact_copy (const guint8 *bytes,
            gsize         size)
{
  /* malloc (0) too returns a block (of no bytes) that g_free() takes. */
  guint8 *copy = malloc (size);

  g_assert_true (copy != NULL || size == 0);
  if (size > 0)
    memcpy (copy, bytes, size);
  return copy;
}

/* Checks the map against the sample: it spans it exactly, its protected
 * ranges are whole blocks. */
static void
check_map (const GArray *map,
           gsize         size)
{
  guint64 total = 0;

  g_assert_cmpuint (map->len, >, 0);
  for (guint i = 0; i < map->len; i++) {
    const VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);

    g_assert_cmpuint (s->protected_bytes % VPK_CENC_BLOCK_SIZE, ==, 0);
    total += (guint64) s->clear_bytes + s->protected_bytes;
  }
  g_assert_cmpuint (total, ==, size);
}

/* Encrypts a copy of the sample as the packager does, checks that the clear
 * ranges stayed as they were, then decrypts it back. */
static void
check_round_trip (VpkScheme     scheme,
                  VpkCencCodec  codec,
                  guint         nal_length_size,
                  const guint8 *sample,
                  gsize         size,
                  const GArray *map)
{
  g_autoptr(VpkCencEncryptor) enc = NULL;
  g_autoptr(GArray) subs = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = exact_copy (sample, size);
  guint crypt_blocks, skip_blocks, iv_size;
  guint8 iv[16];
  gsize pos = 0;

  enc = vpk_cenc_encryptor_new (scheme, &key, first_iv, 16, &error);
  g_assert_no_error (error);
  vpk_cenc_encryptor_get_pattern (enc, codec, &crypt_blocks, &skip_blocks);
  g_assert_true (vpk_cenc_encrypt_sample (enc, codec, nal_length_size, buf, size,
                                          iv, &iv_size, subs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (subs->len, ==, map->len);

  for (guint i = 0; i < subs->len; i++) {
    const VpkCencSubsample *s = &g_array_index (subs, VpkCencSubsample, i);
    const VpkCencSubsample *m = &g_array_index (map, VpkCencSubsample, i);

    g_assert_cmpuint (s->clear_bytes, ==, m->clear_bytes);
    g_assert_cmpuint (s->protected_bytes, ==, m->protected_bytes);
    g_assert_cmpmem (buf + pos, s->clear_bytes, sample + pos, s->clear_bytes);
    pos += (gsize) s->clear_bytes + s->protected_bytes;
  }

  g_assert_true (vpk_cenc_decrypt_sample (scheme, &key, iv, iv_size > 0 ? iv_size : 16,
                                          (const VpkCencSubsample *) subs->data, subs->len,
                                          crypt_blocks, skip_blocks, buf, size, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buf, size, sample, size);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autofree guint8 *sample = NULL;
  VpkCencCodec codec;
  VpkScheme scheme;
  guint nal_length_size;
  gsize sample_size;

  if (size < 1)
    return 0;
  codec = (data[0] & 1) ? VPK_CENC_CODEC_HEVC : VPK_CENC_CODEC_AVC;
  nal_length_size = length_sizes[(data[0] >> 1) & 3];
  scheme = (data[0] & 8) ? VPK_SCHEME_CBCS : VPK_SCHEME_CENC;

  sample_size = size - 1;
  sample = exact_copy (data + 1, sample_size);

  if (!vpk_cenc_nal_subsamples (codec, nal_length_size, sample, sample_size, map, NULL)) {
    g_assert_cmpuint (map->len, ==, 0);
    return 0;
  }
  check_map (map, sample_size);
  check_round_trip (scheme, codec, nal_length_size, sample, sample_size, map);
  return 0;
}
