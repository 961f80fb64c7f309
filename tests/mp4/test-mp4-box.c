/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <string.h>

#include "mp4/vpk-mp4-box.h"
#include "mp4/vpk-mp4-bytes.h"
#include "mp4/vpk-mp4-codecs.h"

#define FOURCC(s) VPK_MP4_FOURCC (s[0], s[1], s[2], s[3])

static void
test_reader_bounds (void)
{
  static const guint8 data[] = { 1, 2, 3, 4, 5, 6, 7 };
  VpkMp4Reader r;
  guint32 v32 = 0xdead;
  guint64 v64 = 0;
  guint16 v16 = 0;

  g_test_summary ("Reader getters fail without moving or writing past the end.");
  vpk_mp4_reader_init (&r, data, sizeof data);
  g_assert_true (vpk_mp4_reader_get_u32 (&r, &v32));
  g_assert_cmphex (v32, ==, 0x01020304);
  g_assert_false (vpk_mp4_reader_get_u32 (&r, &v32));
  g_assert_cmphex (v32, ==, 0x01020304);
  g_assert_false (vpk_mp4_reader_get_u64 (&r, &v64));
  g_assert_cmpuint (r.pos, ==, 4);
  g_assert_true (vpk_mp4_reader_get_u16 (&r, &v16));
  g_assert_cmphex (v16, ==, 0x0506);
  g_assert_false (vpk_mp4_reader_skip (&r, 2));
  g_assert_true (vpk_mp4_reader_skip (&r, 1));
  g_assert_cmpuint (vpk_mp4_reader_remaining (&r), ==, 0);
}

static void
test_writer_nested (void)
{
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();
  const guint8 *d;

  g_test_summary ("begin_box/end_box nest and patch each box size.");
  vpk_mp4_writer_begin_box (w, FOURCC ("moov"));
  vpk_mp4_writer_begin_full_box (w, FOURCC ("mvhd"), 1, 0x000102);
  vpk_mp4_writer_put_u64 (w, 7);
  g_assert_cmpuint (vpk_mp4_writer_end_box (w), ==, 20);
  vpk_mp4_writer_put_u24 (w, 0xabcdef);
  g_assert_cmpuint (vpk_mp4_writer_end_box (w), ==, 31);
  d = vpk_mp4_writer_get_data (w);
  g_assert_cmpint (memcmp (d, "\0\0\0\x1fmoov\0\0\0\x14mvhd\x01\0\x01\x02", 20), ==, 0);
  g_assert_cmpint (d[28], ==, 0xab);
}

static GBytes *
build_sample_tree (void)
{
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();

  vpk_mp4_writer_begin_box (w, FOURCC ("ftyp"));
  vpk_mp4_writer_put_u32 (w, FOURCC ("isom"));
  vpk_mp4_writer_put_u32 (w, 0);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_begin_box (w, FOURCC ("moov"));
  vpk_mp4_writer_begin_box (w, FOURCC ("trak"));
  vpk_mp4_writer_begin_box (w, FOURCC ("mdia"));
  vpk_mp4_writer_begin_full_box (w, FOURCC ("hdlr"), 0, 0);
  vpk_mp4_writer_put_u32 (w, 0);
  vpk_mp4_writer_put_u32 (w, FOURCC ("vide"));
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_begin_box (w, FOURCC ("trak"));
  vpk_mp4_writer_begin_box (w, FOURCC ("uuid"));
  vpk_mp4_writer_put_bytes (w, "0123456789abcdef", 16);
  vpk_mp4_writer_put_u8 (w, 42);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_end_box (w);
  vpk_mp4_writer_end_box (w);
  return vpk_mp4_writer_free_to_bytes (g_steal_pointer (&w));
}

static void
test_roundtrip_and_find (void)
{
  g_autoptr(GBytes) in = build_sample_tree ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (g_bytes_get_data (in, NULL),
                                                 g_bytes_get_size (in), 100, &error);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) traks = NULL;
  VpkMp4Box *hdlr, *uuid;
  guint64 offset = 0;

  g_test_summary ("A parsed tree serializes to the same bytes; paths find boxes.");
  g_assert_no_error (error);
  g_assert_cmpuint (root->children->len, ==, 2);
  hdlr = vpk_mp4_box_find (root, "moov/trak/mdia/hdlr");
  g_assert_nonnull (hdlr);
  g_assert_cmpuint (hdlr->offset, ==, 100 + 16 + 24);
  g_assert_cmpuint (hdlr->size, ==, 12);
  traks = vpk_mp4_box_find_all (root, "moov/trak");
  g_assert_cmpuint (traks->len, ==, 2);
  uuid = vpk_mp4_box_find (root, "moov/trak/uuid");
  g_assert_null (uuid);  /* find follows the first trak only */
  uuid = vpk_mp4_box_get_child (traks->pdata[1], FOURCC ("uuid"));
  g_assert_nonnull (uuid);
  g_assert_cmpmem (uuid->usertype, 16, "0123456789abcdef", 16);
  g_assert_true (vpk_mp4_box_get_offset_in (root, hdlr, &offset));
  g_assert_cmpuint (offset, ==, 40);
  out = vpk_mp4_box_serialize (root);
  g_assert_true (g_bytes_equal (in, out));
}

static void
test_edit (void)
{
  g_autoptr(GBytes) in = build_sample_tree ();
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (g_bytes_get_data (in, NULL),
                                                 g_bytes_get_size (in), 0, NULL);
  VpkMp4Box *moov = vpk_mp4_box_get_child (root, FOURCC ("moov"));
  guint64 before = vpk_mp4_box_get_size (moov);
  static const guint8 payload[5] = { 1, 2, 3, 4, 5 };
  g_autoptr(GBytes) out = NULL;
  g_autoptr(VpkMp4Box) reparsed = NULL;

  g_test_summary ("Inserted and removed children change the serialized sizes.");
  vpk_mp4_box_insert (moov, 0, vpk_mp4_box_new_leaf (FOURCC ("mvhd"), payload, 5));
  vpk_mp4_box_insert_after (moov, FOURCC ("trak"), vpk_mp4_box_new_leaf (FOURCC ("pssh"),
                                                                         payload, 5));
  g_assert_cmpuint (vpk_mp4_box_get_size (moov), ==, before + 26);
  vpk_mp4_box_remove (moov->children->pdata[1]);  /* the first trak */
  out = vpk_mp4_box_serialize (root);
  reparsed = vpk_mp4_box_parse (g_bytes_get_data (out, NULL), g_bytes_get_size (out), 0, NULL);
  g_assert_nonnull (reparsed);
  moov = vpk_mp4_box_get_child (reparsed, FOURCC ("moov"));
  g_assert_cmpuint (moov->children->len, ==, 3);
  g_assert_cmphex (((VpkMp4Box *) moov->children->pdata[0])->type, ==, FOURCC ("mvhd"));
  g_assert_cmphex (((VpkMp4Box *) moov->children->pdata[2])->type, ==, FOURCC ("pssh"));
}

static void
test_sizes_64_and_zero (void)
{
  static const guint8 data[] = {
    0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 18, 0xaa, 0xbb,
    0, 0, 0, 0, 'm', 'd', 'a', 't', 1, 2, 3,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (data, sizeof data, 0, &error);

  g_test_summary ("64-bit sizes and size 0 (to the end) are read.");
  g_assert_no_error (error);
  g_assert_cmpuint (root->children->len, ==, 2);
  g_assert_cmpuint (((VpkMp4Box *) root->children->pdata[0])->size, ==, 2);
  g_assert_cmpuint (((VpkMp4Box *) root->children->pdata[1])->size, ==, 3);
}

static void
expect_invalid (const guint8 *data, gsize size, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMp4Box) root = vpk_mp4_box_parse (data, size, 0, &error);

  g_assert_null (root);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  if (strstr (error->message, fragment) == NULL)
    g_error ("'%s' does not mention '%s'", error->message, fragment);
}

static void
test_invalid (void)
{
  static const guint8 small[] = { 0, 0, 0, 4, 'm', 'o', 'o', 'v' };
  static const guint8 past[] = { 0, 0, 0, 16, 'm', 'o', 'o', 'v', 0, 0, 0, 9, 't', 'r', 'a', 'k',
                                 0 };
  static const guint8 header[] = { 0, 0, 0, 8, 'f', 'r' };
  static const guint8 huge64[] = { 0, 0, 0, 1, 'm', 'd', 'a', 't', 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff };
  g_autoptr(VpkMp4Writer) w = vpk_mp4_writer_new ();

  g_test_summary ("Bad sizes and deep nesting are INVALID_DATA naming box and offset.");
  expect_invalid (small, sizeof small, "box 'moov' at offset 0: size 4 is smaller");
  expect_invalid (past, sizeof past, "box 'trak' at offset 8");
  expect_invalid (header, sizeof header, "truncated box header at offset 0");
  expect_invalid (huge64, sizeof huge64, "runs past the end");
  for (int i = 0; i < 40; i++)
    vpk_mp4_writer_begin_box (w, FOURCC ("moov"));
  for (int i = 0; i < 40; i++)
    vpk_mp4_writer_end_box (w);
  expect_invalid (vpk_mp4_writer_get_data (w), vpk_mp4_writer_get_size (w),
                  "nested deeper than 16");
}

static VpkMp4Box *
make_entry (const char *entry_type, const char *config_type, const guint8 *config, gsize n)
{
  VpkMp4Box *entry = vpk_mp4_box_new_container (FOURCC (entry_type));
  guint8 fixed[78] = { 0 };

  vpk_mp4_box_set_data (entry, fixed, entry_type[0] == 'm' ? 28 : 78);
  vpk_mp4_box_append (entry, vpk_mp4_box_new_leaf (FOURCC (config_type), config, n));
  return entry;
}

static void
check_codecs (const char *entry_type, const char *config_type, const guint8 *config, gsize n,
              const char *expected)
{
  g_autoptr(VpkMp4Box) entry = make_entry (entry_type, config_type, config, n);
  g_autofree char *codecs = vpk_mp4_codecs_string (FOURCC (entry_type), entry);

  g_assert_cmpstr (codecs, ==, expected);
}

static void
test_codecs (void)
{
  static const guint8 avcc[] = { 1, 0x64, 0x00, 0x1f, 0xff };
  static const guint8 hvcc[] = { 1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93, 0xf0 };
  static const guint8 hvcc_main10_high[] = { 1, 0x22, 0x20, 0, 0, 0, 0x90, 0, 0, 0, 0, 0,
                                             120, 0xf0 };
  /* esds: ES_Descriptor > DecoderConfigDescriptor (0x40) > DecoderSpecificInfo */
  static const guint8 esds_lc[] = { 0, 0, 0, 0, 0x03, 0x16, 0, 1, 0, 0x04, 0x11, 0x40, 0x15,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0x12, 0x10 };
  static const guint8 esds_he[] = { 0, 0, 0, 0, 0x03, 0x17, 0, 1, 0, 0x04, 0x12, 0x40, 0x15,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x03, 0x2b, 0x92, 0x08 };
  /* audioObjectType 31 + 6-bit escape 10 → 42 (USAC) */
  static const guint8 esds_esc[] = { 0, 0, 0, 0, 0x03, 0x16, 0, 1, 0, 0x04, 0x11, 0x40, 0x15,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0xf9, 0x46 };

  g_test_summary ("RFC 6381 strings from avcC, hvcC (Annex E) and esds (with the escape).");
  check_codecs ("avc1", "avcC", avcc, sizeof avcc, "avc1.64001f");
  check_codecs ("avc3", "avcC", avcc, sizeof avcc, "avc3.64001f");
  check_codecs ("hvc1", "hvcC", hvcc, sizeof hvcc, "hvc1.1.6.L93.B0");
  check_codecs ("hev1", "hvcC", hvcc_main10_high, sizeof hvcc_main10_high, "hev1.2.4.H120.90");
  check_codecs ("mp4a", "esds", esds_lc, sizeof esds_lc, "mp4a.40.2");
  check_codecs ("mp4a", "esds", esds_he, sizeof esds_he, "mp4a.40.5");
  check_codecs ("mp4a", "esds", esds_esc, sizeof esds_esc, "mp4a.40.42");
  check_codecs ("ac-3", "dac3", avcc, 3, "ac-3");
}

static void
test_ac3_channels (void)
{
  /* fscod 0, bsid 8, bsmod 0, acmod 7 (3/2), lfeon 1: 5.1 */
  static const guint8 dac3[] = { 0x10, 0x3c, 0x00 };
  g_autoptr(VpkMp4Box) box = vpk_mp4_box_new_leaf (FOURCC ("dac3"), dac3, sizeof dac3);

  g_test_summary ("dac3 acmod + lfeon give the channel count.");
  g_assert_cmpuint (vpk_mp4_ac3_channels (box), ==, 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/mp4/bytes/reader-bounds", test_reader_bounds);
  g_test_add_func ("/mp4/bytes/writer-nested", test_writer_nested);
  g_test_add_func ("/mp4/box/roundtrip-find", test_roundtrip_and_find);
  g_test_add_func ("/mp4/box/edit", test_edit);
  g_test_add_func ("/mp4/box/sizes-64-and-zero", test_sizes_64_and_zero);
  g_test_add_func ("/mp4/box/invalid", test_invalid);
  g_test_add_func ("/mp4/codecs/strings", test_codecs);
  g_test_add_func ("/mp4/codecs/ac3-channels", test_ac3_channels);
  return g_test_run ();
}
