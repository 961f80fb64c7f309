/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <openssl/evp.h>

#include <vpack/vpk.h>
#include "cenc/vpk-cenc.h"

/* Known answers are computed here with AES-128-ECB block by block, a
 * different road from the library's EVP CTR/CBC contexts. */

static const VpkKey test_key = { { 0x87, 0x23, 0x7d, 0x20, 0xa1, 0x9f, 0x58, 0xa7,
                                   0x40, 0xc0, 0x56, 0x84, 0xe6, 0x99, 0xb4, 0xaa } };

static void
aes_ecb_block (const guint8 in[16],
               guint8       out[16])
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int len = 0;

  g_assert_nonnull (ctx);
  g_assert_cmpint (EVP_EncryptInit_ex (ctx, EVP_aes_128_ecb (), NULL, test_key.bytes, NULL), ==, 1);
  EVP_CIPHER_CTX_set_padding (ctx, 0);
  g_assert_cmpint (EVP_EncryptUpdate (ctx, out, &len, in, 16), ==, 1);
  g_assert_cmpint (len, ==, 16);
  EVP_CIPHER_CTX_free (ctx);
}

/* XORs @len bytes with the CTR keystream of counter block iv8 || block. */
static void
ref_ctr (const guint8 iv[8],
         guint8      *data,
         gsize        len)
{
  for (gsize off = 0, block = 0; off < len; off += 16, block++) {
    guint8 counter[16], stream[16];

    memcpy (counter, iv, 8);
    for (int i = 0; i < 8; i++)
      counter[15 - i] = (block >> (8 * i)) & 0xff;
    aes_ecb_block (counter, stream);
    for (gsize i = 0; i < 16 && off + i < len; i++)
      data[off + i] ^= stream[i];
  }
}

/* One cbcs range: chain restarts at @iv, crypt:skip over whole blocks. */
static void
ref_cbcs_range (const guint8 iv[16],
                guint        crypt,
                guint        skip,
                guint8      *data,
                gsize        len)
{
  guint8 chain[16];
  gsize n_blocks = len / 16;

  memcpy (chain, iv, 16);
  for (gsize b = 0; b < n_blocks; b++) {
    guint8 x[16];

    if (crypt != 0 && skip != 0 && b % (crypt + skip) >= crypt)
      continue;
    for (int i = 0; i < 16; i++)
      x[i] = data[b * 16 + i] ^ chain[i];
    aes_ecb_block (x, data + b * 16);
    memcpy (chain, data + b * 16, 16);
  }
}

static void
fill_random (guint8 *data,
             gsize   len)
{
  for (gsize i = 0; i < len; i++)
    data[i] = g_test_rand_int_range (0, 256);
}

/* Appends one NAL unit with a @size-byte body (header included). */
static void
add_nal (GByteArray *s,
         guint       length_size,
         const guint8 *header,
         guint       header_size,
         guint32     size)
{
  guint8 prefix[4];
  gsize start;

  for (guint i = 0; i < length_size; i++)
    prefix[i] = (size >> (8 * (length_size - 1 - i))) & 0xff;
  g_byte_array_append (s, prefix, length_size);
  start = s->len;
  g_byte_array_set_size (s, start + size);
  fill_random (s->data + start, size);
  memcpy (s->data + start, header, MIN (header_size, size));
}

static const guint8 avc_sps[] = { 0x67 }, avc_pps[] = { 0x68 }, avc_sei[] = { 0x06 };
static const guint8 avc_idr[] = { 0x65 }, avc_slice[] = { 0x41 };
static const guint8 hevc_vps[] = { 0x40, 0x01 }, hevc_sei[] = { 0x4e, 0x01 };
static const guint8 hevc_idr[] = { 0x26, 0x01 }, hevc_trail[] = { 0x02, 0x01 };

static GByteArray *
make_avc_sample (guint length_size)
{
  GByteArray *s = g_byte_array_new ();

  add_nal (s, length_size, avc_sps, 1, 20);
  add_nal (s, length_size, avc_pps, 1, 6);
  add_nal (s, length_size, avc_sei, 1, 40);
  add_nal (s, length_size, avc_idr, 1, 200);
  add_nal (s, length_size, avc_slice, 1, 10);  /* tiny: all clear */
  add_nal (s, length_size, avc_slice, 1, 77);
  return s;
}

static GByteArray *
make_hevc_sample (guint length_size)
{
  GByteArray *s = g_byte_array_new ();

  add_nal (s, length_size, hevc_vps, 2, 24);
  add_nal (s, length_size, hevc_sei, 2, 30);
  add_nal (s, length_size, hevc_idr, 2, 250);
  add_nal (s, length_size, hevc_trail, 2, 33);
  add_nal (s, length_size, hevc_trail, 2, 15);
  return s;
}

static guint64
map_total (GArray *map)
{
  guint64 total = 0;

  for (guint i = 0; i < map->len; i++) {
    VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);
    total += s->clear_bytes + (guint64) s->protected_bytes;
  }
  return total;
}

static void
test_key_example (void)
{
  g_autoptr(GError) error = NULL;
  VpkKey key;

  g_test_summary ("The original service's 22-character key is the test key.");
  g_assert_true (vpk_key_parse ("hyN9IKGfWKdAwFaE5pm0qg", "key", &key, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key.bytes, 16, test_key.bytes, 16);
}

static void
test_ctr_whole_known_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  static const guint8 iv0[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, iv0, 8,
                                                            &error);
  guint8 data[1000], expected[1000], iv[16];
  guint iv_size = 0;

  g_test_summary ("cenc whole-sample CTR equals a hand-built ECB keystream (8-byte IV).");
  g_assert_no_error (error);
  fill_random (data, sizeof data);
  memcpy (expected, data, sizeof data);
  ref_ctr (iv0, expected, sizeof expected);

  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (iv_size, ==, 8);
  g_assert_cmpmem (iv, 8, iv0, 8);
  g_assert_cmpuint (map->len, ==, 0);
  g_assert_cmpmem (data, sizeof data, expected, sizeof expected);
}

static void
test_ctr_subsamples_known_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  static const guint8 iv0[8] = { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0xff };
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, iv0, 8,
                                                            &error);
  g_autoptr(GByteArray) sample = make_avc_sample (4);
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  guint8 iv[16];
  guint iv_size = 0;
  gsize pos = 0;

  g_test_summary ("cenc: the CTR counter runs on across the protected ranges of a sample.");
  g_byte_array_append (expected, sample->data, sample->len);
  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_AVC, 4, sample->data, sample->len,
                                          iv, &iv_size, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map_total (map), ==, sample->len);

  /* Gather the protected bytes, run the reference keystream once over them. */
  for (guint i = 0; i < map->len; i++) {
    VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);
    g_assert_cmpuint (s->protected_bytes % 16, ==, 0);
    g_byte_array_append (stream, expected->data + pos + s->clear_bytes, s->protected_bytes);
    pos += s->clear_bytes + s->protected_bytes;
  }
  ref_ctr (iv0, stream->data, stream->len);
  pos = 0;
  for (guint i = 0, k = 0; i < map->len; i++) {
    VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);
    memcpy (expected->data + pos + s->clear_bytes, stream->data + k, s->protected_bytes);
    k += s->protected_bytes;
    pos += s->clear_bytes + s->protected_bytes;
  }
  g_assert_cmpmem (sample->data, sample->len, expected->data, expected->len);
}

static void
test_ctr_unaligned_decrypt (void)
{
  g_autoptr(GError) error = NULL;
  static const guint8 iv0[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
  static const VpkCencSubsample map[] = { { 5, 20 }, { 3, 13 }, { 0, 7 }, { 2, 0 } };
  guint8 data[50], expected[50], stream[40];

  g_test_summary ("cenc decrypt: the keystream continues byte-wise over unaligned ranges.");
  fill_random (data, sizeof data);
  memcpy (expected, data, sizeof data);
  memcpy (stream, data + 5, 20);
  memcpy (stream + 20, data + 28, 13);
  memcpy (stream + 33, data + 41, 7);
  ref_ctr (iv0, stream, sizeof stream);
  memcpy (data + 5, stream, 20);
  memcpy (data + 28, stream + 20, 13);
  memcpy (data + 41, stream + 33, 7);

  g_assert_true (vpk_cenc_decrypt_sample (VPK_SCHEME_CENC, &test_key, iv0, 8, map,
                                          G_N_ELEMENTS (map), 0, 0, data, sizeof data, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (data, sizeof data, expected, sizeof expected);
}

static void
test_cbcs_pattern_known_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(GByteArray) sample = g_byte_array_new ();
  g_autoptr(GByteArray) expected = NULL;
  g_autoptr(VpkCencEncryptor) enc = NULL;
  guint8 civ[16], iv[16];
  guint iv_size = 99, crypt, skip;
  gsize pos = 0;

  g_test_summary ("cbcs video: 1:9 pattern, CBC chain restarted at every subsample, "
                  "trailing partial block clear; equals per-block ECB.");
  fill_random (civ, sizeof civ);
  enc = vpk_cenc_encryptor_new (VPK_SCHEME_CBCS, &test_key, civ, 16, &error);
  g_assert_no_error (error);
  vpk_cenc_encryptor_get_pattern (enc, VPK_CENC_CODEC_AVC, &crypt, &skip);
  g_assert_cmpuint (crypt, ==, 1);
  g_assert_cmpuint (skip, ==, 9);

  add_nal (sample, 4, avc_sps, 1, 20);
  add_nal (sample, 4, avc_idr, 1, 16 * 25 + 7);  /* 23 blocks protected, 39 bytes clear */
  add_nal (sample, 4, avc_slice, 1, 16 * 12 + 32);
  /* more encrypted blocks than one gathered cipher call takes (256) */
  add_nal (sample, 4, avc_idr, 1, 16 * 3000 + 5);
  expected = g_byte_array_new ();
  g_byte_array_append (expected, sample->data, sample->len);

  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_AVC, 4, sample->data, sample->len,
                                          iv, &iv_size, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (iv_size, ==, 0);
  g_assert_cmpmem (iv, 16, civ, 16);
  g_assert_cmpuint (map->len, ==, 3);
  for (guint i = 0; i < map->len; i++) {
    VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);
    ref_cbcs_range (civ, 1, 9, expected->data + pos + s->clear_bytes, s->protected_bytes);
    pos += s->clear_bytes + s->protected_bytes;
  }
  g_assert_cmpmem (sample->data, sample->len, expected->data, expected->len);
}

/* Patterns other than 1:9 (a file from another packager may use any 4-bit
 * pattern), over more blocks than one gathered cipher call takes. */
static void
test_cbcs_other_patterns (void)
{
  static const guint patterns[][2] = { { 15, 1 }, { 5, 3 }, { 1, 1 }, { 2, 0 }, { 1, 15 } };

  g_test_summary ("cbcs decryption with patterns 15:1, 5:3, 1:1, 2:0 and 1:15 over 7,000 "
                  "blocks equals per-block ECB.");
  for (guint p = 0; p < G_N_ELEMENTS (patterns); p++) {
    g_autoptr(GError) error = NULL;
    gsize len = 16 * 7000 + 9;
    g_autofree guint8 *clear = g_malloc (len);
    g_autofree guint8 *data = NULL;
    guint8 iv[16];

    fill_random (clear, len);
    fill_random (iv, sizeof iv);
    data = g_memdup2 (clear, len);
    ref_cbcs_range (iv, patterns[p][0], patterns[p][1], data, len);
    g_assert_true (vpk_cenc_decrypt_sample (VPK_SCHEME_CBCS, &test_key, iv, 16, NULL, 0,
                                            patterns[p][0], patterns[p][1], data, len, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (data, len, clear, len);
  }
}

static void
test_cbcs_whole_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CBCS, &test_key, NULL, 0,
                                                            &error);
  guint8 data[16 * 7 + 5], expected[sizeof data], original[sizeof data], civ[16], iv[16];
  guint iv_size = 99, crypt = 9, skip = 9;

  g_test_summary ("cbcs audio: every whole block encrypted (pattern 0:0), tail clear.");
  g_assert_no_error (error);
  g_assert_true (vpk_cenc_encryptor_get_constant_iv (enc, civ));
  vpk_cenc_encryptor_get_pattern (enc, VPK_CENC_CODEC_WHOLE, &crypt, &skip);
  g_assert_cmpuint (crypt, ==, 0);
  g_assert_cmpuint (skip, ==, 0);
  fill_random (data, sizeof data);
  memcpy (original, data, sizeof data);
  memcpy (expected, data, sizeof data);
  ref_cbcs_range (civ, 0, 0, expected, sizeof expected);

  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map->len, ==, 0);
  g_assert_cmpmem (data, sizeof data, expected, sizeof expected);
  g_assert_cmpmem (data + 112, 5, original + 112, 5);

  g_assert_true (vpk_cenc_decrypt_sample (VPK_SCHEME_CBCS, &test_key, civ, 16, NULL, 0, 0, 0,
                                          data, sizeof data, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (data, sizeof data, original, sizeof original);
}

static void
test_nal_layout_avc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(GByteArray) s = make_avc_sample (4);
  VpkCencSubsample *e;

  g_test_summary ("AVC map: non-VCL clear and merged, 32-byte slice leader, "
                  "protected part whole blocks, tiny slice clear.");
  g_assert_true (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_AVC, 4, s->data, s->len, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map->len, ==, 2);
  e = &g_array_index (map, VpkCencSubsample, 0);
  /* SPS 4+20, PPS 4+6, SEI 4+40, IDR 4 + (200 - 160) */
  g_assert_cmpuint (e->clear_bytes, ==, 24 + 10 + 44 + 4 + 40);
  g_assert_cmpuint (e->protected_bytes, ==, 160);
  e = &g_array_index (map, VpkCencSubsample, 1);
  /* tiny 4+10, then 4 + 77 - 32 -> 45 -> 32 protected */
  g_assert_cmpuint (e->clear_bytes, ==, 14 + 4 + 45);
  g_assert_cmpuint (e->protected_bytes, ==, 32);
  g_assert_cmpuint (map_total (map), ==, s->len);
}

static void
test_nal_layout_hevc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(GByteArray) s = make_hevc_sample (2);
  VpkCencSubsample *e;

  g_test_summary ("HEVC map: types >= 32 clear, 2-byte NAL header kept in the leader.");
  g_assert_true (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_HEVC, 2, s->data, s->len, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map->len, ==, 2);
  e = &g_array_index (map, VpkCencSubsample, 0);
  g_assert_cmpuint (e->clear_bytes, ==, 26 + 32 + 2 + (250 - 208));
  g_assert_cmpuint (e->protected_bytes, ==, 208);
  e = &g_array_index (map, VpkCencSubsample, 1);
  g_assert_cmpuint (e->clear_bytes, ==, 35 + 17);  /* 33 < 48: clear; 15 clear */
  g_assert_cmpuint (e->protected_bytes, ==, 0);
  g_assert_cmpuint (map_total (map), ==, s->len);
}

static void
test_nal_large_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(GByteArray) s = g_byte_array_new ();
  VpkCencSubsample *e;

  g_test_summary ("Clear runs over 65535 bytes are split; a 100000-byte slice is one "
                  "subsample with a small clear leader.");
  add_nal (s, 4, avc_sei, 1, 70000);
  add_nal (s, 4, avc_idr, 1, 100000);
  g_assert_true (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_AVC, 4, s->data, s->len, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map->len, ==, 2);
  e = &g_array_index (map, VpkCencSubsample, 0);
  g_assert_cmpuint (e->clear_bytes, ==, 65535);
  g_assert_cmpuint (e->protected_bytes, ==, 0);
  e = &g_array_index (map, VpkCencSubsample, 1);
  g_assert_cmpuint (e->protected_bytes, ==, (100000 - 32) / 16 * 16);
  g_assert_cmpuint (e->clear_bytes, ==, 70004 - 65535 + 4 + 100000 - e->protected_bytes);
  g_assert_cmpuint (map_total (map), ==, s->len);
}

static void
test_nal_malformed (void)
{
  static const guint8 past_end[] = { 0, 0, 0, 9, 0x65, 1, 2, 3 };
  static const guint8 short_prefix[] = { 0, 0, 0, 1, 0x65, 0, 0 };
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(VpkCencEncryptor) enc = NULL;
  g_autoptr(GError) error = NULL;
  guint8 copy[sizeof past_end], iv[16];
  guint iv_size = 0;

  g_test_summary ("A NAL length past the sample, a cut prefix or a bad length size "
                  "is INVALID_DATA; the sample is left as it was.");
  g_assert_false (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_AVC, 4, past_end, sizeof past_end,
                                           map, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_HEVC, 4, short_prefix,
                                           sizeof short_prefix, map, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_nal_subsamples (VPK_CENC_CODEC_AVC, 3, past_end, sizeof past_end,
                                           map, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (map->len, ==, 0);

  enc = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, NULL, 0, &error);
  g_assert_no_error (error);
  memcpy (copy, past_end, sizeof copy);
  g_assert_false (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_AVC, 4, copy, sizeof copy,
                                           iv, &iv_size, map, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_cmpmem (copy, sizeof copy, past_end, sizeof past_end);
}

typedef struct {
  VpkScheme    scheme;
  VpkCencCodec codec;
  guint        length_size;
  guint        iv_size;
} RoundTrip;

static void
check_clear_bytes_kept (const guint8 *before,
                        const guint8 *after,
                        GArray       *map)
{
  gsize pos = 0;

  for (guint i = 0; i < map->len; i++) {
    VpkCencSubsample *s = &g_array_index (map, VpkCencSubsample, i);
    g_assert_cmpmem (after + pos, s->clear_bytes, before + pos, s->clear_bytes);
    pos += s->clear_bytes + s->protected_bytes;
  }
}

static void
test_round_trip (gconstpointer data)
{
  const RoundTrip *rt = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) map = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (rt->scheme, &test_key, NULL,
                                                            rt->iv_size, &error);
  g_autoptr(GByteArray) s = rt->codec == VPK_CENC_CODEC_HEVC ?
                            make_hevc_sample (rt->length_size) : make_avc_sample (rt->length_size);
  g_autofree guint8 *original = g_memdup2 (s->data, s->len);
  guint8 iv[16];
  guint iv_size = 0, crypt, skip;

  g_test_summary ("encrypt then decrypt gives the sample back; clear ranges never change.");
  g_assert_no_error (error);
  g_assert_true (vpk_cenc_encrypt_sample (enc, rt->codec, rt->length_size, s->data, s->len,
                                          iv, &iv_size, map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (map_total (map), ==, s->len);
  g_assert_true (memcmp (s->data, original, s->len) != 0);
  check_clear_bytes_kept (original, s->data, map);

  vpk_cenc_encryptor_get_pattern (enc, rt->codec, &crypt, &skip);
  if (rt->scheme == VPK_SCHEME_CBCS)
    g_assert_true (vpk_cenc_encryptor_get_constant_iv (enc, iv));
  g_assert_true (vpk_cenc_decrypt_sample (rt->scheme, &test_key, iv, iv_size ? iv_size : 16,
                                          (VpkCencSubsample *) map->data, map->len, crypt, skip,
                                          s->data, s->len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (s->data, s->len, original, s->len);
}

static void
test_iv_counter (void)
{
  g_autoptr(GError) error = NULL;
  static const guint8 iv0[8] = { 0, 0, 0, 0, 0, 0, 0x01, 0xff };
  static const guint8 iv1[8] = { 0, 0, 0, 0, 0, 0, 0x02, 0x00 };
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, iv0, 8,
                                                            &error);
  g_autoptr(VpkCencEncryptor) wide = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, NULL,
                                                             16, &error);
  g_autoptr(VpkCencEncryptor) other = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, NULL,
                                                              0, &error);
  guint8 data[40] = { 0 }, iv[16], first[16], civ[16];
  guint iv_size = 0;

  g_test_summary ("cenc IVs count samples as a 64-bit big-endian number; 16-byte IVs "
                  "keep the low 8 bytes for the block counter; random starts differ.");
  g_assert_no_error (error);
  g_assert_false (vpk_cenc_encryptor_get_constant_iv (enc, civ));
  g_assert_cmpuint (vpk_cenc_encryptor_get_iv_size (enc), ==, 8);
  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, NULL, &error));
  g_assert_cmpmem (iv, 8, iv0, 8);
  g_assert_true (vpk_cenc_encrypt_sample (enc, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, NULL, &error));
  g_assert_cmpmem (iv, 8, iv1, 8);

  g_assert_true (vpk_cenc_encrypt_sample (wide, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          first, &iv_size, NULL, &error));
  g_assert_cmpuint (iv_size, ==, 16);
  g_assert_true (vpk_cenc_encrypt_sample (wide, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (iv + 8, 8, first + 8, 8);
  g_assert_cmpmem (iv + 8, 8, "\0\0\0\0\0\0\0\0", 8);
  g_assert_true (memcmp (iv, first, 8) != 0);

  g_assert_true (vpk_cenc_encrypt_sample (other, VPK_CENC_CODEC_WHOLE, 0, data, sizeof data,
                                          iv, &iv_size, NULL, &error));
  g_assert_true (memcmp (iv, first, 8) != 0);
}

static void
test_bad_arguments (void)
{
  static const VpkCencSubsample short_map[] = { { 4, 16 } };
  g_autoptr(GError) error = NULL;
  guint8 data[32] = { 0 }, iv[16] = { 0 };

  g_test_summary ("Bad IV sizes, maps that do not span the sample and empty patterns fail.");
  g_assert_null (vpk_cenc_encryptor_new (VPK_SCHEME_CBCS, &test_key, NULL, 8, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, NULL, 12, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_decrypt_sample (VPK_SCHEME_CENC, &test_key, iv, 8, short_map, 1,
                                           0, 0, data, sizeof data, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_decrypt_sample (VPK_SCHEME_CBCS, &test_key, iv, 4, NULL, 0,
                                           1, 9, data, sizeof data, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_decrypt_sample (VPK_SCHEME_CBCS, &test_key, iv, 16, NULL, 0,
                                           0, 9, data, sizeof data, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
}

static const RoundTrip round_trips[] = {
  { VPK_SCHEME_CENC, VPK_CENC_CODEC_AVC, 1, 8 },
  { VPK_SCHEME_CENC, VPK_CENC_CODEC_AVC, 2, 16 },
  { VPK_SCHEME_CENC, VPK_CENC_CODEC_HEVC, 4, 8 },
  { VPK_SCHEME_CBCS, VPK_CENC_CODEC_AVC, 1, 0 },
  { VPK_SCHEME_CBCS, VPK_CENC_CODEC_AVC, 4, 0 },
  { VPK_SCHEME_CBCS, VPK_CENC_CODEC_HEVC, 2, 0 },
  { VPK_SCHEME_CBCS, VPK_CENC_CODEC_HEVC, 4, 16 },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cenc/key/example", test_key_example);
  g_test_add_func ("/cenc/ctr/whole-known-answer", test_ctr_whole_known_answer);
  g_test_add_func ("/cenc/ctr/subsamples-known-answer", test_ctr_subsamples_known_answer);
  g_test_add_func ("/cenc/ctr/unaligned-decrypt", test_ctr_unaligned_decrypt);
  g_test_add_func ("/cenc/cbcs/pattern-known-answer", test_cbcs_pattern_known_answer);
  g_test_add_func ("/cenc/cbcs/whole-sample", test_cbcs_whole_sample);
  g_test_add_func ("/cenc/cbcs/other-patterns", test_cbcs_other_patterns);
  g_test_add_func ("/cenc/nal/layout-avc", test_nal_layout_avc);
  g_test_add_func ("/cenc/nal/layout-hevc", test_nal_layout_hevc);
  g_test_add_func ("/cenc/nal/large-clear", test_nal_large_clear);
  g_test_add_func ("/cenc/nal/malformed", test_nal_malformed);
  g_test_add_func ("/cenc/iv/counter", test_iv_counter);
  g_test_add_func ("/cenc/errors/arguments", test_bad_arguments);
  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++) {
    const RoundTrip *rt = &round_trips[i];
    g_autofree char *path = g_strdup_printf ("/cenc/round-trip/%s-%s-len%u-iv%u",
                                             rt->scheme == VPK_SCHEME_CENC ? "cenc" : "cbcs",
                                             rt->codec == VPK_CENC_CODEC_AVC ? "avc" : "hevc",
                                             rt->length_size, rt->iv_size);
    g_test_add_data_func (path, rt, test_round_trip);
  }
  return g_test_run ();
}
