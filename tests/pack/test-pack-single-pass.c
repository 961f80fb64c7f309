/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The single pass (fragment, encrypt and segment at once, as the native
 * backend runs a whole job) writes the same package, byte for byte, as the
 * three steps one after another with their intermediate files; and the
 * package verifies against the source. The IV is fixed so that both runs
 * encrypt alike. */
#include "vpk.h"
#include "mp4/vpk-mp4-fragmenter.h"
#include "pack/vpk-pack-encrypt.h"
#include "pack/vpk-pack-segment.h"
#include "pack/vpk-pack-single-pass.h"
#include "pack/vpk-pack-verify.h"
#include "vpk-test-util.h"
#include "pack-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  const char       *fixture;
  VpkScheme         scheme;
  VpkProfile        profile;
  VpkEncryptTracks  tracks;
} Case;

static const guint8 test_iv[16] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
                                    0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95 };

static void
make_params (const Case *c, VpkPackEncryptParams *enc, VpkPackSegmentParams *seg)
{
  g_autoptr(GError) error = NULL;

  memset (enc, 0, sizeof *enc);
  memset (seg, 0, sizeof *seg);
  g_assert_true (vpk_key_parse (PACK_TEST_KEY, "key", &enc->key, &error));
  g_assert_true (vpk_key_parse (PACK_TEST_KID, "kid", &enc->kid, &error));
  g_assert_no_error (error);
  enc->scheme = c->scheme;
  enc->tracks = c->tracks;
  enc->iv = test_iv;
  enc->iv_size = c->scheme == VPK_SCHEME_CENC ? 8 : 16;
  seg->profile = c->profile;
  seg->scheme = c->scheme;
  seg->kid = enc->kid;
  seg->license_url = "https://license.example/clearkey";
}

/* fragment → encrypt → segment, each writing its files, as three stages do. */
static void
package_in_steps (const char *src, const char *work, const char *out, const Case *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *frag_dir = g_build_filename (work, "fragment", NULL);
  g_autofree char *enc_dir = g_build_filename (work, "encrypt", NULL);
  g_autoptr(GPtrArray) encrypted = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) fragmented = NULL;
  VpkPackEncryptParams enc;
  VpkPackSegmentParams seg;

  make_params (c, &enc, &seg);
  g_assert_cmpint (g_mkdir_with_parents (frag_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (enc_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  g_assert_true (vpk_mp4_fragment_file (src, frag_dir, 4000, NULL, NULL, NULL, &fragmented,
                                        &error));
  g_assert_no_error (error);
  for (guint i = 0; fragmented[i] != NULL; i++) {
    g_autofree char *name = g_path_get_basename (fragmented[i]);
    char *path = g_build_filename (enc_dir, name, NULL);

    g_ptr_array_add (encrypted, path);
    g_assert_true (vpk_pack_encrypt_file (fragmented[i], path, &enc, NULL, NULL, NULL, NULL,
                                          &error));
    g_assert_no_error (error);
  }
  g_ptr_array_add (encrypted, NULL);
  g_assert_true (vpk_pack_segment_files ((const char * const *) encrypted->pdata, out, &seg, NULL,
                                         NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
collect_files (const char *root, const char *rel, GPtrArray *out)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child_rel = *rel != '\0' ? g_build_filename (rel, name, NULL) : g_strdup (name);
    g_autofree char *child = g_build_filename (root, child_rel, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      collect_files (root, child_rel, out);
    else
      g_ptr_array_add (out, g_steal_pointer (&child_rel));
  }
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
assert_same_tree (const char *a, const char *b)
{
  g_autoptr(GPtrArray) files_a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files_b = g_ptr_array_new_with_free_func (g_free);

  collect_files (a, "", files_a);
  collect_files (b, "", files_b);
  g_ptr_array_sort (files_a, compare_strings);
  g_ptr_array_sort (files_b, compare_strings);
  g_assert_cmpuint (files_a->len, ==, files_b->len);
  g_assert_cmpuint (files_a->len, >, 2);
  for (guint i = 0; i < files_a->len; i++) {
    g_autofree char *pa = g_build_filename (a, files_a->pdata[i], NULL);
    g_autofree char *pb = g_build_filename (b, files_b->pdata[i], NULL);
    g_autofree char *da = NULL, *db = NULL;
    gsize la, lb;

    g_assert_cmpstr (files_a->pdata[i], ==, files_b->pdata[i]);
    g_assert_true (g_file_get_contents (pa, &da, &la, NULL));
    g_assert_true (g_file_get_contents (pb, &db, &lb, NULL));
    if (la != lb || memcmp (da, db, la) != 0)
      g_error ("%s differs between the single pass and the three steps",
               (const char *) files_a->pdata[i]);
  }
}

static void
test_same_package (gconstpointer data)
{
  const Case *c = data;
  const char *src = pack_test_fixture (c->fixture);
  g_autofree char *work = pack_test_scratch_path ("single-pass");
  g_autofree char *steps_out = g_build_filename (work, "steps", NULL);
  g_autofree char *pass_out = g_build_filename (work, "pass", NULL);
  const char *sources[] = { src, NULL };
  g_autoptr(GError) error = NULL;
  VpkPackEncryptParams enc;
  VpkPackSegmentParams seg;
  VpkPackVerifyReport report;

  g_test_summary ("The single pass and the three steps write the same files, byte for byte, "
                  "and the package verifies sample by sample against the source.");
  if (src == NULL)
    return;
  package_in_steps (src, work, steps_out, c);
  make_params (c, &enc, &seg);
  g_assert_cmpint (g_mkdir_with_parents (pass_out, 0755), ==, 0);
  g_assert_true (vpk_pack_single_pass (src, pass_out, 4000, &enc, &seg, NULL, NULL, NULL,
                                       &error));
  g_assert_no_error (error);
  assert_same_tree (steps_out, pass_out);
  g_assert_true (vpk_pack_verify (pass_out, &enc.kid, &enc.key, sources, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_compared_samples, ==, report.n_samples);
  g_assert_cmpuint (report.n_samples, >, 0);
  vpk_test_rm_rf (work);
}

static void
test_refusals (void)
{
  g_autofree char *work = pack_test_scratch_path ("single-pass-refusals");
  g_autofree char *text = g_build_filename (work, "not-mp4.txt", NULL);
  g_autofree char *out = g_build_filename (work, "out", NULL);
  const Case c = { "h264", VPK_SCHEME_CBCS, VPK_PROFILE_LIVE, VPK_ENCRYPT_VIDEO };
  g_autoptr(GError) error = NULL;
  VpkPackEncryptParams enc;
  VpkPackSegmentParams seg;

  g_test_summary ("A file that is not ISO BMFF is declined (NOT_SUPPORTED, so the pipeline "
                  "runs the stages one by one and GStreamer may take it) and nothing is written.");
  make_params (&c, &enc, &seg);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (text, "this is not a movie, it is a text file\n", -1, NULL));
  g_assert_false (vpk_pack_single_pass (text, out, 4000, &enc, &seg, NULL, NULL, NULL, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED);
  g_assert_true (g_rmdir (out) == 0);  /* still empty */
  vpk_test_rm_rf (work);
}

static const Case cases[] = {
  { "h264", VPK_SCHEME_CBCS, VPK_PROFILE_LIVE, VPK_ENCRYPT_VIDEO },
  { "h264", VPK_SCHEME_CENC, VPK_PROFILE_ON_DEMAND, VPK_ENCRYPT_ALL },
  { "hevc", VPK_SCHEME_CBCS, VPK_PROFILE_ON_DEMAND, VPK_ENCRYPT_ALL },
  { "hevc", VPK_SCHEME_CENC, VPK_PROFILE_LIVE, VPK_ENCRYPT_VIDEO },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *name = g_strdup_printf ("/pack/single-pass/%s/%s/%s/%s", cases[i].fixture,
                                             cases[i].scheme == VPK_SCHEME_CENC ? "cenc" : "cbcs",
                                             vpk_profile_to_string (cases[i].profile),
                                             vpk_encrypt_tracks_to_string (cases[i].tracks));

    g_test_add_data_func (name, &cases[i], test_same_package);
  }
  g_test_add_func ("/pack/single-pass/refusals", test_refusals);
  return g_test_run ();
}
