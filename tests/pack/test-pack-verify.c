/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack package` then `vpack verify`: every scheme, profile and track choice
 * verifies against its source, and each kind of damage is caught and named. */
#include "vpk.h"

#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "pack/vpk-pack-verify-samples.h"
#include "pack-test-util.h"

#define OTHER_KEY "ffeeddccbbaa99887766554433221100"

typedef struct {
  const char *codec;
  const char *scheme;
  const char *profile;
  const char *encrypt;
} Case;

typedef struct {
  guint   representations;
  guint   segments;
  guint64 samples;
  guint64 decrypted;
  guint64 compared;
} Summary;

/* "PATH: verified: 2 representations, 3 segments, 232 samples, 90 decrypted, 232 compared ..." */
static void
parse_summary (const char *text,
               Summary    *out)
{
  const char *p = strstr (text, "verified: ");

  g_assert_nonnull (p);
  *out = (Summary) { 0 };
  g_assert_cmpint (sscanf (p, "verified: %u representations, %u segments, %" G_GUINT64_FORMAT
                           " samples, %" G_GUINT64_FORMAT " decrypted, %" G_GUINT64_FORMAT,
                           &out->representations, &out->segments, &out->samples,
                           &out->decrypted, &out->compared), >=, 4);
}

/* Packets of every stream of @path, as ffprobe counts them. */
static guint64
count_packets (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-count_packets", "-show_entries",
                         "stream=nb_read_packets", "-of", "csv=p=0", path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 total = 0;

  g_assert_cmpint (pack_test_run (argv, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    total += g_ascii_strtoull (lines[i], NULL, 10);
  return total;
}

static void
test_matrix (gconstpointer data)
{
  const Case *c = data;
  const char *source = pack_test_fixture (c->codec);
  g_autofree char *out = pack_test_package (source, c->scheme, c->profile, c->encrypt, "1");
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  Summary s;

  if (out == NULL)
    return;
  g_test_summary ("A package of each scheme, profile and track choice verifies: every sample "
                  "decrypts and equals the source's.");
  g_assert_cmpint (pack_test_verify (out, PACK_TEST_KEY, PACK_TEST_KID, source, &stdout_text,
                                     &stderr_text), ==, 0);
  g_assert_cmpstr (stderr_text, ==, "");
  parse_summary (stdout_text, &s);
  g_test_message ("%s", stdout_text);
  g_assert_cmpuint (s.representations, ==, 2);
  g_assert_cmpuint (s.segments, >=, 4);
  g_assert_cmpuint (s.samples, ==, count_packets (source));
  g_assert_cmpuint (s.compared, ==, s.samples);
  if (strcmp (c->encrypt, "all") == 0)
    g_assert_cmpuint (s.decrypted, ==, s.samples);
  else
    g_assert_cmpuint (s.decrypted, <, s.samples);
  g_assert_cmpuint (s.decrypted, >, 0);
}

/* A package of the H.264 fixture in one-second segments. */
static char *
make_package (const char *scheme,
              const char *profile,
              const char *encrypt)
{
  return pack_test_package (pack_test_fixture ("h264"), scheme, profile, encrypt, "1");
}

static void
assert_fails (const char *path,
              const char *key,
              const char *kid,
              const char *source,
              const char *expected)
{
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  int status = pack_test_verify (path, key, kid, source, &stdout_text, &stderr_text);

  g_test_message ("%s", stderr_text);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (stderr_text, expected));
  g_assert_null (strstr (stdout_text, "verified"));
}

static void
test_wrong_key (void)
{
  g_autofree char *cenc = make_package ("cenc", "live", "all");
  g_autofree char *cbcs = make_package ("cbcs", "on-demand", "video");
  const char *source = pack_test_fixture ("h264");

  if (cenc == NULL || cbcs == NULL)
    return;
  g_test_summary ("With another key, verification fails (exit 2) at the first sample, named "
                  "with its segment.");
  assert_fails (cenc, OTHER_KEY, PACK_TEST_KID, source, "sample 0 in video1/seg-1.m4s");
  assert_fails (cbcs, OTHER_KEY, PACK_TEST_KID, source, "sample 0 in video1.mp4");
}

static void
test_other_kid (void)
{
  g_autofree char *out = make_package ("cenc", "live", "all");

  if (out == NULL)
    return;
  g_test_summary ("A KID other than the content's fails, naming the file that carries it.");
  assert_fails (out, PACK_TEST_KEY, OTHER_KEY, NULL, "is not the one given");
  assert_fails (out, PACK_TEST_KEY, OTHER_KEY, NULL, "KID " PACK_TEST_KID);
}

/* Flips one byte in the middle of the payload of the first mdat of @path. */
static void
flip_mdat_byte (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len, pos = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  while (pos + 8 <= len) {
    guint32 size;

    memcpy (&size, data + pos, 4);
    size = GUINT32_FROM_BE (size);

    g_assert_cmpuint (size, >=, 8);
    if (memcmp (data + pos + 4, "mdat", 4) == 0) {
      data[pos + 8 + (size - 8) / 2] ^= 0x5a;
      g_assert_true (g_file_set_contents (path, data, len, &error));
      return;
    }
    pos += size;
  }
  g_assert_not_reached ();
}

static void
test_flipped_byte (void)
{
  g_autofree char *live = make_package ("cbcs", "live", "video");
  g_autofree char *on_demand = make_package ("cenc", "on-demand", "all");
  g_autofree char *segment = NULL, *audio = NULL, *file = NULL;
  const char *source = pack_test_fixture ("h264");

  if (live == NULL || on_demand == NULL)
    return;
  segment = g_build_filename (live, "video1", "seg-2.m4s", NULL);
  audio = g_build_filename (live, "audio2", "seg-3.m4s", NULL);
  file = g_build_filename (on_demand, "video1.mp4", NULL);

  g_test_summary ("One flipped byte in a media segment's mdat fails verification, naming "
                  "the segment (compared with the source: a byte in a clear range of a "
                  "slice has no other check).");
  flip_mdat_byte (segment);
  assert_fails (live, PACK_TEST_KEY, PACK_TEST_KID, source, "video1/seg-2.m4s");
  flip_mdat_byte (segment);  /* back */
  flip_mdat_byte (audio);
  assert_fails (live, PACK_TEST_KEY, PACK_TEST_KID, source, "audio2/seg-3.m4s");
  flip_mdat_byte (file);
  assert_fails (on_demand, PACK_TEST_KEY, PACK_TEST_KID, source, "video1.mp4");
}

static void
test_deleted_segment (void)
{
  g_autofree char *out = make_package ("cenc", "live", "all");
  g_autofree char *segment = NULL;

  if (out == NULL)
    return;
  segment = g_build_filename (out, "video1", "seg-2.m4s", NULL);
  g_test_summary ("A segment the MPD names but the folder lacks fails, naming it.");
  g_assert_cmpint (g_remove (segment), ==, 0);
  assert_fails (out, PACK_TEST_KEY, PACK_TEST_KID, NULL, "video1/seg-2.m4s is missing");
}

/* Adds 4 to the offset of the first saio of @path (version 0, no aux type). */
static void
shift_saio (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  char *saio;
  guint32 offset;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  saio = NULL;
  for (gsize i = 0; saio == NULL && i + 16 <= len; i++)
    if (memcmp (data + i, "saio", 4) == 0)
      saio = data + i;
  g_assert_nonnull (saio);
  g_assert_cmpint (saio[4], ==, 0);
  memcpy (&offset, saio + 12, 4);
  offset = GUINT32_FROM_BE (offset) + 4;
  offset = GUINT32_TO_BE (offset);
  memcpy (saio + 12, &offset, 4);
  g_assert_true (g_file_set_contents (path, data, len, &error));
}

static void
test_bad_saio (void)
{
  g_autofree char *out = make_package ("cenc", "live", "all");
  g_autofree char *segment = NULL;

  if (out == NULL)
    return;
  segment = g_build_filename (out, "video1", "seg-1.m4s", NULL);
  g_test_summary ("A saio that does not point at senc's first IV is an error: some players "
                  "read the IVs through it.");
  shift_saio (segment);
  assert_fails (out, PACK_TEST_KEY, PACK_TEST_KID, NULL, "saio points at");
}

static void
count_sample (const VpkPackVerifySample *sample,
              gpointer                   user_data)
{
  guint64 *counts = user_data;

  g_assert_cmpuint (sample->index, ==, counts[sample->track_index]);
  g_assert_nonnull (sample->file);
  counts[sample->track_index]++;
}

static void
test_api (void)
{
  const char *source = pack_test_fixture ("h264");
  g_autofree char *out = make_package ("cenc", "live", "all");
  g_autofree char *mpd = NULL;
  g_autoptr(GError) error = NULL;
  VpkPackVerifyReport report = { 0 };
  guint64 counts[2] = { 0, 0 };
  const char *sources[] = { source, NULL };
  VpkKey kid, key;

  if (out == NULL)
    return;
  mpd = g_build_filename (out, "stream.mpd", NULL);
  g_test_summary ("vpk_pack_verify_full() reports its counts and shows each sample once, in "
                  "order; a path that is neither a package nor an MP4 is refused.");
  g_assert_true (vpk_key_parse (PACK_TEST_KID, "kid", &kid, NULL));
  g_assert_true (vpk_key_parse (PACK_TEST_KEY, "key", &key, NULL));
  g_assert_true (vpk_pack_verify_full (out, &kid, &key, sources, count_sample, counts, NULL,
                                       &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_representations, ==, 2);
  g_assert_cmpuint (report.n_samples, ==, counts[0] + counts[1]);
  g_assert_cmpuint (report.n_compared_samples, ==, report.n_samples);
  g_assert_cmpuint (report.n_encrypted_samples, ==, report.n_samples);
  g_assert_false (vpk_pack_verify (mpd, &kid, &key, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
}

static const Case cases[] = {
  { "h264", "cbcs", "live", "video" }, { "h264", "cbcs", "live", "all" },
  { "h264", "cbcs", "on-demand", "video" }, { "h264", "cbcs", "on-demand", "all" },
  { "h264", "cenc", "live", "video" }, { "h264", "cenc", "live", "all" },
  { "h264", "cenc", "on-demand", "video" }, { "h264", "cenc", "on-demand", "all" },
  { "hevc", "cbcs", "live", "video" }, { "hevc", "cbcs", "live", "all" },
  { "hevc", "cbcs", "on-demand", "video" }, { "hevc", "cbcs", "on-demand", "all" },
  { "hevc", "cenc", "live", "video" }, { "hevc", "cenc", "live", "all" },
  { "hevc", "cenc", "on-demand", "video" }, { "hevc", "cenc", "on-demand", "all" },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *name = g_strdup_printf ("/pack/verify/%s/%s/%s/%s", cases[i].codec,
                                             cases[i].scheme, cases[i].profile,
                                             cases[i].encrypt);

    g_test_add_data_func (name, &cases[i], test_matrix);
  }
  g_test_add_func ("/pack/verify/wrong-key", test_wrong_key);
  g_test_add_func ("/pack/verify/other-kid", test_other_kid);
  g_test_add_func ("/pack/verify/flipped-byte", test_flipped_byte);
  g_test_add_func ("/pack/verify/deleted-segment", test_deleted_segment);
  g_test_add_func ("/pack/verify/bad-saio", test_bad_saio);
  g_test_add_func ("/pack/verify/api", test_api);
  return g_test_run ();
}
