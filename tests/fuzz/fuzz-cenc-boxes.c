/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vpack/vpk-error.h>

#include "cenc/vpk-cenc-boxes.h"

/* The Common Encryption box parsers and the sample decryptor on untrusted
 * bytes. Input: one configuration byte, then a whole box (its own size says
 * where it ends; without a valid header the rest is taken as a payload), then
 * sample bytes that the samples of a parsed 'senc' decrypt in turn.
 *
 * Configuration byte:
 *   bits 0-1  per-sample IV size for 'senc': 0, 8, 16, or 4 (refused)
 *   bit  2    scheme: cenc or cbcs
 *   bit  3    constant IV size when the per-sample one is 0: 16 or 8
 *   bits 4-5  cbcs pattern: 0:0, 1:9, 5:5, or 0:3 (refused)
 *
 * Every parsed 'tenc', 'pssh' and 'senc' is written again and must parse to
 * the same values. The key is the one of
 * ../shared/media/mp4ff__prog_8s_enc_dashinit_CENC.mp4, whose boxes seed the
 * corpus. */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define MAX_DECRYPTED_SAMPLES 64
#define MAX_EMPTY_SAMPLES     4096

static const guint iv_sizes[4] = { 0, 8, 16, 4 };
static const guint patterns[4][2] = { { 0, 0 }, { 1, 9 }, { 5, 5 }, { 0, 3 } };
static const VpkKey key = { { 0x63, 0xcb, 0x5f, 0x71, 0x84, 0xdd, 0x4b, 0x68,
                              0x9a, 0x5c, 0x5f, 0xf1, 0x1e, 0xe6, 0xa3, 0x28 } };
static const guint8 constant_iv[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                        0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A g_return_if_fail() reached from here is a bug too. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Copies @payload into a buffer of exactly @size bytes, so that ASan sees
 * any read past it. */
static guint8 *
exact_copy (const guint8 *payload,
            gsize         size)
{
  /* malloc (0) too returns a block (of no bytes) that g_free() takes. */
  guint8 *copy = malloc (size);

  g_assert_true (copy != NULL || size == 0);
  if (size > 0)
    memcpy (copy, payload, size);
  return copy;
}

static void
check_tenc (const guint8 *payload,
            gsize         size)
{
  g_autoptr(GByteArray) box = g_byte_array_new ();
  VpkCencTenc tenc, again;
  const guint8 *p;
  gsize n;

  if (!vpk_cenc_parse_tenc (payload, size, &tenc, NULL))
    return;
  g_assert_true (tenc.per_sample_iv_size == 0 || tenc.per_sample_iv_size == 8 ||
                 tenc.per_sample_iv_size == 16);
  vpk_cenc_write_tenc (box, &tenc);
  g_assert_true (vpk_cenc_box_payload (box->data, box->len, "tenc", &p, &n, NULL));
  g_assert_true (vpk_cenc_parse_tenc (p, n, &again, NULL));
  g_assert_cmpuint (again.version, ==, tenc.version);
  g_assert_cmpint (again.is_protected, ==, tenc.is_protected);
  g_assert_cmpuint (again.per_sample_iv_size, ==, tenc.per_sample_iv_size);
  g_assert_true (vpk_key_equal (&again.kid, &tenc.kid));
  g_assert_cmpuint (again.crypt_byte_block, ==, tenc.crypt_byte_block);
  g_assert_cmpuint (again.skip_byte_block, ==, tenc.skip_byte_block);
  g_assert_cmpuint (again.constant_iv_size, ==, tenc.constant_iv_size);
  g_assert_cmpmem (again.constant_iv, again.constant_iv_size,
                   tenc.constant_iv, tenc.constant_iv_size);
}

static void
check_pssh (const guint8 *payload,
            gsize         size)
{
  g_autoptr(VpkCencPssh) pssh = vpk_cenc_parse_pssh (payload, size, NULL);
  g_autoptr(VpkCencPssh) again = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  const guint8 *p;
  gsize n, data_size;
  gconstpointer bytes;

  if (pssh == NULL)
    return;
  g_assert_nonnull (pssh->data);
  g_assert_cmpuint (pssh->kids->len, <=, VPK_CENC_MAX_PSSH_KIDS);
  bytes = g_bytes_get_data (pssh->data, &data_size);
  vpk_cenc_write_pssh (box, pssh->system_id, (const VpkKey *) pssh->kids->data,
                       pssh->kids->len, bytes, data_size);
  g_assert_true (vpk_cenc_box_payload (box->data, box->len, "pssh", &p, &n, NULL));
  again = vpk_cenc_parse_pssh (p, n, NULL);
  g_assert_nonnull (again);
  g_assert_cmpmem (again->system_id, 16, pssh->system_id, 16);
  g_assert_cmpmem (again->kids->data, again->kids->len * VPK_KEY_SIZE,
                   pssh->kids->data, pssh->kids->len * VPK_KEY_SIZE);
  g_assert_true (g_bytes_equal (again->data, pssh->data));
}

static void
check_aux_equal (const VpkCencAuxInfo *a,
                 const VpkCencAuxInfo *b)
{
  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  g_assert_cmpuint (a->subsamples->len, ==, b->subsamples->len);
  for (guint i = 0; i < a->subsamples->len; i++) {
    const VpkCencSubsample *sa = &g_array_index (a->subsamples, VpkCencSubsample, i);
    const VpkCencSubsample *sb = &g_array_index (b->subsamples, VpkCencSubsample, i);

    g_assert_cmpuint (sa->clear_bytes, ==, sb->clear_bytes);
    g_assert_cmpuint (sa->protected_bytes, ==, sb->protected_bytes);
  }
  for (guint i = 0; i < a->samples->len; i++) {
    const VpkCencSampleAux *sa = &g_array_index (a->samples, VpkCencSampleAux, i);
    const VpkCencSampleAux *sb = &g_array_index (b->samples, VpkCencSampleAux, i);

    g_assert_cmpmem (sa->iv, sa->iv_size, sb->iv, sb->iv_size);
    g_assert_cmpuint (sa->first_subsample, ==, sb->first_subsample);
    g_assert_cmpuint (sa->n_subsamples, ==, sb->n_subsamples);
  }
}

/* Decrypts @sample_data with each sample of @aux in turn: a sample with a
 * subsample map takes the bytes it spans (what is left if fewer), a sample
 * without one takes all that is left. */
static void
decrypt_samples (const VpkCencAuxInfo *aux,
                 guint8                config,
                 const guint8         *sample_data,
                 gsize                 sample_size)
{
  VpkScheme scheme = (config & 0x4) ? VPK_SCHEME_CBCS : VPK_SCHEME_CENC;
  const guint *pattern = patterns[(config >> 4) & 3];
  gsize pos = 0;

  for (guint i = 0; i < MIN (aux->samples->len, MAX_DECRYPTED_SAMPLES); i++) {
    const VpkCencSampleAux *s = &g_array_index (aux->samples, VpkCencSampleAux, i);
    const VpkCencSubsample *subs = s->n_subsamples > 0 ?
      &g_array_index (aux->subsamples, VpkCencSubsample, s->first_subsample) : NULL;
    const guint8 *iv = s->iv_size > 0 ? s->iv : constant_iv;
    guint iv_size = s->iv_size > 0 ? s->iv_size : ((config & 0x8) ? 8 : 16);
    guint64 span = 0;
    g_autofree guint8 *buf = NULL;
    gsize len;

    g_assert_cmpuint ((guint64) s->first_subsample + s->n_subsamples, <=, aux->subsamples->len);
    for (guint j = 0; j < s->n_subsamples; j++)
      span += (guint64) subs[j].clear_bytes + subs[j].protected_bytes;
    len = s->n_subsamples > 0 ? MIN (span, sample_size - pos) : sample_size - pos;
    buf = exact_copy (sample_data + pos, len);
    vpk_cenc_decrypt_sample (scheme, &key, iv, iv_size, subs, s->n_subsamples,
                             pattern[0], pattern[1], buf, len, NULL);
    pos += len;
  }
}

static void
check_senc (const guint8 *payload,
            gsize         size,
            guint8        config,
            const guint8 *sample_data,
            gsize         sample_size)
{
  guint iv_size = iv_sizes[config & 3];
  g_autoptr(VpkCencAuxInfo) aux = NULL;
  g_autoptr(VpkCencAuxInfo) again = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  g_autoptr(GByteArray) saiz = g_byte_array_new ();
  const guint8 *p;
  gsize n;

  /* Samples without IV or subsamples take no bytes: an 8-byte payload may
   * list VPK_CENC_MAX_SAMPLES of them, which is legal but takes seconds
   * under ASan and would starve the fuzzer. */
  if (iv_size == 0 && size >= 8 && !(payload[3] & 0x2) &&
      ((guint32) payload[4] << 24 | payload[5] << 16 | payload[6] << 8 | payload[7]) >
      MAX_EMPTY_SAMPLES)
    return;
  aux = vpk_cenc_parse_senc (payload, size, iv_size, NULL);
  if (aux == NULL)
    return;
  g_assert_cmpuint (aux->samples->len, <=, VPK_CENC_MAX_SAMPLES);

  /* Every sample of a parsed 'senc' has at most 65535 subsamples. */
  g_assert_true (vpk_cenc_write_senc (box, aux, NULL));
  g_assert_true (vpk_cenc_box_payload (box->data, box->len, "senc", &p, &n, NULL));
  again = vpk_cenc_parse_senc (p, n, iv_size, NULL);
  g_assert_nonnull (again);
  check_aux_equal (aux, again);
  vpk_cenc_write_saiz (saiz, aux, NULL);

  decrypt_samples (aux, config, sample_data, sample_size);
}

static void
check_saiz_saio (const guint8 *payload,
                 gsize         size)
{
  g_autoptr(GBytes) sizes = NULL;
  g_autoptr(GArray) offsets = NULL;
  guint8 default_size;
  guint32 count;

  if (vpk_cenc_parse_saiz (payload, size, &default_size, &count, &sizes, NULL))
    g_assert_true (default_size != 0 || g_bytes_get_size (sizes) == count);
  offsets = vpk_cenc_parse_saio (payload, size, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const types[] = { "tenc", "schm", "frma", "senc", "saiz", "saio", "pssh" };
  g_autofree guint8 *payload = NULL;
  const guint8 *box, *p = NULL, *rest;
  gsize payload_size = 0, box_size, rest_size;
  char type[5] = { 0 }, format[5];
  guint8 config;
  VpkScheme scheme;

  if (size < 1)
    return 0;
  config = data[0];
  box = data + 1;
  box_size = size - 1;

  /* The box's own type, and any other type (which must be refused). */
  if (box_size >= 8)
    memcpy (type, box + 4, 4);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_false (strcmp (type, types[i]) != 0 &&
                    vpk_cenc_box_payload (box, box_size, types[i], &p, &payload_size, NULL));
  if (box_size >= 8 && vpk_cenc_box_payload (box, box_size, type, &p, &payload_size, NULL)) {
    g_assert_true (p == box + 8 && payload_size + 8 <= box_size);
    rest = p + payload_size;
    rest_size = box_size - 8 - payload_size;
  } else {
    p = box;
    payload_size = box_size;
    rest = box + box_size;
    rest_size = 0;
  }
  payload = exact_copy (p, payload_size);

  /* Every parser on every payload: each must stay inside it. */
  check_tenc (payload, payload_size);
  vpk_cenc_parse_schm (payload, payload_size, &scheme, NULL);
  if (vpk_cenc_parse_frma (payload, payload_size, format, NULL))
    g_assert_cmpuint (format[4], ==, '\0');
  check_saiz_saio (payload, payload_size);
  check_pssh (payload, payload_size);
  check_senc (payload, payload_size, config, rest, rest_size);
  return 0;
}
