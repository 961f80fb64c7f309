/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <vpack/vpk.h>
#include "cenc/vpk-cenc-boxes.h"

static const VpkKey test_kid = { { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                   0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f } };
static const VpkKey test_key = { { 0x87, 0x23, 0x7d, 0x20, 0xa1, 0x9f, 0x58, 0xa7,
                                   0x40, 0xc0, 0x56, 0x84, 0xe6, 0x99, 0xb4, 0xaa } };

static void
payload_of (GByteArray    *box,
            const char    *type,
            const guint8 **payload,
            gsize         *size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vpk_cenc_box_payload (box->data, box->len, type, payload, size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (*size + 8, ==, box->len);
}

static void
test_tenc_cbcs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  static const guint8 civ[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CBCS, &test_key, civ, 16,
                                                            &error);
  VpkCencTenc tenc, back;
  const guint8 *payload;
  gsize size;

  g_test_summary ("cbcs 'tenc': version 1, pattern 1:9 (video) or 0:0 (audio), constant IV; "
                  "parses back.");
  g_assert_no_error (error);
  vpk_cenc_tenc_init (&tenc, enc, VPK_CENC_CODEC_AVC, &test_kid);
  vpk_cenc_write_tenc (box, &tenc);
  g_assert_cmpuint (box->len, ==, 8 + 4 + 4 + 16 + 1 + 16);
  g_assert_cmpmem (box->data + 4, 8, "tenc\x01\0\0\0", 8);
  g_assert_cmpuint (box->data[13], ==, 0x19);  /* crypt 1, skip 9 */
  g_assert_cmpuint (box->data[14], ==, 1);     /* protected */
  g_assert_cmpuint (box->data[15], ==, 0);     /* per-sample IV size */
  g_assert_cmpuint (box->data[32], ==, 16);    /* constant IV size */

  payload_of (box, "tenc", &payload, &size);
  g_assert_true (vpk_cenc_parse_tenc (payload, size, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back.version, ==, 1);
  g_assert_cmpuint (back.crypt_byte_block, ==, 1);
  g_assert_cmpuint (back.skip_byte_block, ==, 9);
  g_assert_true (vpk_key_equal (&back.kid, &test_kid));
  g_assert_cmpuint (back.constant_iv_size, ==, 16);
  g_assert_cmpmem (back.constant_iv, 16, civ, 16);

  vpk_cenc_tenc_init (&tenc, enc, VPK_CENC_CODEC_WHOLE, &test_kid);
  g_assert_cmpuint (tenc.crypt_byte_block, ==, 0);
  g_assert_cmpuint (tenc.skip_byte_block, ==, 0);

  /* Every truncation is refused, never read past. */
  for (gsize cut = 0; cut < size; cut++) {
    g_assert_false (vpk_cenc_parse_tenc (payload, cut, &back, &error));
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }
}

static void
test_tenc_cenc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  g_autoptr(VpkCencEncryptor) enc = vpk_cenc_encryptor_new (VPK_SCHEME_CENC, &test_key, NULL, 0,
                                                            &error);
  VpkCencTenc tenc, back;
  const guint8 *payload;
  gsize size;

  g_test_summary ("cenc 'tenc': version 0, 8-byte per-sample IVs, no constant IV.");
  g_assert_no_error (error);
  vpk_cenc_tenc_init (&tenc, enc, VPK_CENC_CODEC_AVC, &test_kid);
  vpk_cenc_write_tenc (box, &tenc);
  g_assert_cmpuint (box->len, ==, 32);
  g_assert_cmpuint (box->data[8], ==, 0);
  g_assert_cmpuint (box->data[13], ==, 0);
  g_assert_cmpuint (box->data[15], ==, 8);
  payload_of (box, "tenc", &payload, &size);
  g_assert_true (vpk_cenc_parse_tenc (payload, size, &back, &error));
  g_assert_cmpuint (back.per_sample_iv_size, ==, 8);
  g_assert_true (back.is_protected);
}

static void
test_schm_frma (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  const guint8 *payload;
  gsize size;
  VpkScheme scheme = VPK_SCHEME_CENC;
  char format[5];

  g_test_summary ("'schm' carries cenc/cbcs version 1.0; 'frma' the original format; "
                  "other schemes are NOT_SUPPORTED.");
  vpk_cenc_write_schm (box, VPK_SCHEME_CBCS);
  g_assert_cmpmem (box->data, box->len, "\0\0\0\x14schm\0\0\0\0cbcs\0\x01\0\0", 20);
  payload_of (box, "schm", &payload, &size);
  g_assert_true (vpk_cenc_parse_schm (payload, size, &scheme, &error));
  g_assert_cmpint (scheme, ==, VPK_SCHEME_CBCS);
  g_assert_false (vpk_cenc_parse_schm ((const guint8 *) "\0\0\0\0cens\0\1\0\0", 12, &scheme,
                                       &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED);

  g_byte_array_set_size (box, 0);
  vpk_cenc_write_frma (box, "avc1");
  g_assert_cmpmem (box->data, box->len, "\0\0\0\x0c" "frmaavc1", 12);
  payload_of (box, "frma", &payload, &size);
  g_assert_true (vpk_cenc_parse_frma (payload, size, format, NULL));
  g_assert_cmpstr (format, ==, "avc1");
}

static void
test_senc_saiz_saio (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkCencAuxInfo) aux = vpk_cenc_aux_info_new ();
  g_autoptr(VpkCencAuxInfo) back = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  g_autoptr(GBytes) sizes = NULL;
  g_autoptr(GArray) offsets = NULL;
  static const VpkCencSubsample subs[] = { { 100, 320 }, { 7, 0 }, { 65535, 16 } };
  static const guint8 iv1[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, iv2[8] = { 2, 2, 2, 2, 2, 2, 2, 2 };
  const guint8 *payload;
  gsize size, field;
  guint8 default_size = 99;
  guint32 count = 0;
  const VpkCencSampleAux *s;

  g_test_summary ("'senc' with subsamples (flag 2), 'saiz' per-sample sizes, 'saio' patched; "
                  "all parse back.");
  vpk_cenc_aux_info_add_sample (aux, iv1, 8, subs, 1);
  vpk_cenc_aux_info_add_sample (aux, iv2, 8, subs, 3);
  g_assert_true (vpk_cenc_write_senc (box, aux, &error));
  g_assert_cmpuint (box->len, ==, 16 + (8 + 2 + 6) + (8 + 2 + 18));
  g_assert_cmpuint (box->data[11], ==, 0x2);
  payload_of (box, "senc", &payload, &size);
  back = vpk_cenc_parse_senc (payload, size, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->samples->len, ==, 2);
  s = &g_array_index (back->samples, VpkCencSampleAux, 1);
  g_assert_cmpmem (s->iv, 8, iv2, 8);
  g_assert_cmpuint (s->n_subsamples, ==, 3);
  g_assert_cmpuint (g_array_index (back->subsamples, VpkCencSubsample, s->first_subsample + 2)
                    .clear_bytes, ==, 65535);
  for (gsize cut = 0; cut < size; cut++) {
    g_assert_null (vpk_cenc_parse_senc (payload, cut, 8, &error));
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }

  g_byte_array_set_size (box, 0);
  g_assert_true (vpk_cenc_write_saiz (box, aux, &error));
  payload_of (box, "saiz", &payload, &size);
  g_assert_true (vpk_cenc_parse_saiz (payload, size, &default_size, &count, &sizes, &error));
  g_assert_cmpuint (default_size, ==, 0);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (sizes, NULL), 2, "\x10\x1c", 2);

  g_byte_array_set_size (box, 0);
  field = vpk_cenc_write_saio (box, 0);
  vpk_cenc_saio_set_offset (box, field, 0x1234);
  payload_of (box, "saio", &payload, &size);
  offsets = vpk_cenc_parse_saio (payload, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (offsets->len, ==, 1);
  g_assert_cmpuint (g_array_index (offsets, guint64, 0), ==, 0x1234);
}

static void
test_saiz_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkCencAuxInfo) aux = vpk_cenc_aux_info_new ();
  g_autoptr(GByteArray) box = g_byte_array_new ();
  g_autoptr(GBytes) sizes = NULL;
  static const guint8 iv[8] = { 0 };
  const guint8 *payload;
  gsize size;
  guint8 default_size = 0;
  guint32 count = 0;

  g_test_summary ("Whole-sample cenc: 'senc' without flag 2, 'saiz' default size 8.");
  for (int i = 0; i < 5; i++)
    vpk_cenc_aux_info_add_sample (aux, iv, 8, NULL, 0);
  g_assert_true (vpk_cenc_write_senc (box, aux, &error));
  g_assert_cmpuint (box->len, ==, 16 + 5 * 8);
  g_assert_cmpuint (box->data[11], ==, 0);
  g_byte_array_set_size (box, 0);
  g_assert_true (vpk_cenc_write_saiz (box, aux, &error));
  g_assert_cmpuint (box->len, ==, 17);
  payload_of (box, "saiz", &payload, &size);
  g_assert_true (vpk_cenc_parse_saiz (payload, size, &default_size, &count, &sizes, &error));
  g_assert_cmpuint (default_size, ==, 8);
  g_assert_cmpuint (count, ==, 5);
  g_assert_null (sizes);
}

static void
test_pssh_common (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  g_autoptr(VpkCencPssh) pssh = NULL;
  g_autofree char *b64 = vpk_cenc_common_pssh_base64 (&test_kid, 1);
  g_autofree guint8 *decoded = NULL;
  static const guint8 system_id[16] = VPK_CENC_COMMON_SYSTEM_ID;
  const guint8 *payload;
  gsize size, decoded_len = 0;

  g_test_summary ("The W3C common 'pssh' is version 1 with the KID; its base64 is the whole "
                  "box; a KID count past the box is refused.");
  vpk_cenc_write_common_pssh (box, &test_kid, 1);
  g_assert_cmpuint (box->len, ==, 8 + 4 + 16 + 4 + 16 + 4);
  g_assert_cmpuint (box->data[8], ==, 1);
  decoded = g_base64_decode (b64, &decoded_len);
  g_assert_cmpmem (decoded, decoded_len, box->data, box->len);

  payload_of (box, "pssh", &payload, &size);
  pssh = vpk_cenc_parse_pssh (payload, size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (pssh->system_id, 16, system_id, 16);
  g_assert_cmpuint (pssh->kids->len, ==, 1);
  g_assert_true (vpk_key_equal (&g_array_index (pssh->kids, VpkKey, 0), &test_kid));
  g_assert_cmpuint (g_bytes_get_size (pssh->data), ==, 0);

  box->data[8 + 4 + 16 + 3] = 0xff;  /* 255 KIDs in a box that holds one */
  g_assert_null (vpk_cenc_parse_pssh (payload, size, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
}

static void
test_box_header (void)
{
  g_autoptr(GError) error = NULL;
  static const guint8 lying[] = { 0, 0, 1, 0, 'p', 's', 's', 'h', 0, 0, 0, 0 };
  const guint8 *payload;
  gsize size;

  g_test_summary ("A box header whose size exceeds the bytes, or another type, is refused.");
  g_assert_false (vpk_cenc_box_payload (lying, sizeof lying, "pssh", &payload, &size, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vpk_cenc_box_payload (lying, sizeof lying, "senc", &payload, &size, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cenc-boxes/tenc/cbcs", test_tenc_cbcs);
  g_test_add_func ("/cenc-boxes/tenc/cenc", test_tenc_cenc);
  g_test_add_func ("/cenc-boxes/schm-frma", test_schm_frma);
  g_test_add_func ("/cenc-boxes/senc-saiz-saio", test_senc_saiz_saio);
  g_test_add_func ("/cenc-boxes/saiz/default", test_saiz_default);
  g_test_add_func ("/cenc-boxes/pssh/common", test_pssh_common);
  g_test_add_func ("/cenc-boxes/header", test_box_header);
  return g_test_run ();
}
