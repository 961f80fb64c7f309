/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <vpack/vpk.h>
#include "cenc/vpk-cenc-boxes.h"
#include "dash/vpk-dash-manifest.h"
#include "dash/vpk-dash-sidx.h"

static const VpkKey test_kid = { { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                   0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f } };

typedef struct {
  char *dir;
  char *mpd;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vpk-dash-XXXXXX", &error);
  g_assert_no_error (error);
  f->mpd = g_build_filename (f->dir, "stream.mpd", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (f->dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->mpd);
}

/* A video set (cbcs, licence URL) and an audio set, as the package stage makes. */
static VpkDashManifest *
make_manifest (VpkProfile  profile,
               const char *license_url)
{
  VpkDashManifest *m = vpk_dash_manifest_new (profile);
  VpkDashAdaptationSet *video = vpk_dash_manifest_add_adaptation_set (m, VPK_DASH_CONTENT_VIDEO);
  VpkDashAdaptationSet *audio = vpk_dash_manifest_add_adaptation_set (m, VPK_DASH_CONTENT_AUDIO);
  VpkDashRepresentation *v = vpk_dash_adaptation_set_add_representation (video, "video");
  VpkDashRepresentation *a = vpk_dash_adaptation_set_add_representation (audio, "audio");

  m->duration_us = 10000500;  /* 10.0005 s: rounds to PT10.001S */
  video->is_protected = TRUE;
  video->protection.scheme = VPK_SCHEME_CBCS;
  video->protection.default_kid = test_kid;
  video->protection.pssh_base64 = vpk_cenc_common_pssh_base64 (&test_kid, 1);
  video->protection.license_url = g_strdup (license_url);
  v->codecs = g_strdup ("avc1.64001f");
  v->bandwidth = 1500000;
  v->width = 1280;
  v->height = 720;
  v->fps_num = 30000;
  v->fps_den = 1001;
  v->timescale = 90000;
  audio->lang = g_strdup ("en");
  a->codecs = g_strdup ("mp4a.40.2");
  a->bandwidth = 128000;
  a->sample_rate = 48000;
  a->channels = 2;
  a->timescale = 48000;

  if (profile == VPK_PROFILE_LIVE) {
    v->init_template = g_strdup ("$RepresentationID$/init.mp4");
    v->media_template = g_strdup ("$RepresentationID$/seg-$Number%05d$.m4s");
    for (guint i = 0; i < 4; i++)
      vpk_dash_representation_add_segment (v, i * 180000, 180000);
    vpk_dash_representation_add_segment (v, 720000, 180045);
    a->init_template = g_strdup ("audio-init.mp4");
    a->media_template = g_strdup ("audio-$Time$.m4s");
    vpk_dash_representation_add_segment (a, 0, 96000);
    vpk_dash_representation_add_segment (a, 96000, 96000);
    vpk_dash_representation_add_segment (a, 200000, 96000);  /* a gap: new S with t */
  } else {
    v->base_url = g_strdup ("video.mp4");
    v->init_range_end = 861;
    v->index_range_start = 862;
    v->index_range_end = 1009;
    a->base_url = g_strdup ("audio.mp4");
    a->init_range_end = 700;
    a->index_range_start = 701;
    a->index_range_end = 800;
  }
  return m;
}

static xmlXPathObject *
xpath (xmlXPathContext *ctx,
       const char      *expr)
{
  xmlXPathObject *obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);

  g_assert_nonnull (obj);
  return obj;
}

static int
xpath_count (xmlXPathContext *ctx,
             const char      *expr)
{
  xmlXPathObject *obj = xpath (ctx, expr);
  int n = xmlXPathNodeSetGetLength (obj->nodesetval);

  xmlXPathFreeObject (obj);
  return n;
}

static char *
xpath_string (xmlXPathContext *ctx,
              const char      *expr)
{
  g_autofree char *full = g_strdup_printf ("string(%s)", expr);
  xmlXPathObject *obj = xpath (ctx, full);
  char *s = g_strdup ((const char *) obj->stringval);

  xmlXPathFreeObject (obj);
  return s;
}

static xmlXPathContext *
open_xpath (const char *path,
            xmlDoc    **out_doc)
{
  xmlDoc *doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
  xmlXPathContext *ctx;

  g_assert_nonnull (doc);
  ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, (const xmlChar *) "m", (const xmlChar *) "urn:mpeg:dash:schema:mpd:2011");
  xmlXPathRegisterNs (ctx, (const xmlChar *) "cenc", (const xmlChar *) "urn:mpeg:cenc:2013");
  xmlXPathRegisterNs (ctx, (const xmlChar *) "ck",
                      (const xmlChar *) "http://dashif.org/guidelines/clearKey");
  xmlXPathRegisterNs (ctx, (const xmlChar *) "dashif", (const xmlChar *) "https://dashif.org/CPS");
  *out_doc = doc;
  return ctx;
}

#define CP "/m:MPD/m:Period/m:AdaptationSet[@contentType='video']/m:ContentProtection"

static void
test_live_structure (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDashManifest) m = make_manifest (VPK_PROFILE_LIVE, "https://lic.example/ck");
  g_autoptr(GRegex) uuid = g_regex_new ("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                        "[0-9a-f]{12}$", G_REGEX_CASELESS, 0, NULL);
  g_autofree char *kid = NULL, *pssh = NULL, *value = NULL, *s = NULL;
  xmlDoc *doc = NULL;
  xmlXPathContext *ctx;

  g_test_summary ("The live MPD has the three ContentProtection elements of DESIGN §3 with "
                  "their namespaces, a UUID default_KID and a run-length SegmentTimeline.");
  g_assert_true (vpk_dash_manifest_write (m, f->mpd, &error));
  g_assert_no_error (error);
  ctx = open_xpath (f->mpd, &doc);

  s = xpath_string (ctx, "/m:MPD/@profiles");
  g_assert_cmpstr (s, ==, "urn:mpeg:dash:profile:isoff-live:2011");
  g_clear_pointer (&s, g_free);
  s = xpath_string (ctx, "/m:MPD/@mediaPresentationDuration");
  g_assert_cmpstr (s, ==, "PT10.001S");
  g_assert_cmpint (xpath_count (ctx, "/m:MPD[@type='static']"), ==, 1);

  g_assert_cmpint (xpath_count (ctx, CP), ==, 3);
  value = xpath_string (ctx, CP "[@schemeIdUri='urn:mpeg:dash:mp4protection:2011']/@value");
  g_assert_cmpstr (value, ==, "cbcs");
  kid = xpath_string (ctx, CP "[@schemeIdUri='urn:mpeg:dash:mp4protection:2011']/@cenc:default_KID");
  g_assert_true (g_regex_match (uuid, kid, 0, NULL));
  g_assert_cmpstr (kid, ==, "10111213-1415-1617-1819-1a1b1c1d1e1f");
  pssh = xpath_string (ctx, CP "[@schemeIdUri='urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b']"
                       "/cenc:pssh");
  g_assert_cmpstr (pssh, ==,
                   ((VpkDashAdaptationSet *) m->adaptation_sets->pdata[0])->protection.pssh_base64);
  g_assert_cmpint (xpath_count (ctx, CP "[@schemeIdUri='urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e'"
                                " and @value='ClearKey1.0']/ck:Laurl[@Lic_type='EME-1.0']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, CP "[@schemeIdUri='urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e']"
                                "/dashif:Laurl[.='https://lic.example/ck']"), ==, 1);
  /* Shaka Player keeps the first license URL of any ClearKey-capable system. */
  g_assert_cmpint (xpath_count (ctx, CP "[@schemeIdUri='urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b']"
                                "/dashif:Laurl[.='https://lic.example/ck']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:AdaptationSet[@contentType='audio']/m:ContentProtection"),
                   ==, 0);

  /* 4 x 180000 then one 180045: two S, the first with r=3, t only on the first. */
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='video']//m:S"), ==, 2);
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='video']//m:S[1][@t='0' and "
                                "@d='180000' and @r='3']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='video']//m:S[2][not(@t) and "
                                "@d='180045' and not(@r)]"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='audio']//m:S[2][@t='200000']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='video'][@frameRate='30000/1001']"
                                "/m:SegmentTemplate[@startNumber='1' and @timescale='90000']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:AdaptationSet[@lang='en' and @mimeType='audio/mp4']"
                                "/m:Representation/m:AudioChannelConfiguration[@value='2' and "
                                "@schemeIdUri='urn:mpeg:dash:23003:3:audio_channel_configuration:2011']"),
                   ==, 1);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
}

static void
test_no_license_url (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDashManifest) m = make_manifest (VPK_PROFILE_LIVE, NULL);
  xmlDoc *doc = NULL;
  xmlXPathContext *ctx;

  g_test_summary ("Without a licence URL the ClearKey element is still there, without Laurl.");
  g_assert_true (vpk_dash_manifest_write (m, f->mpd, &error));
  ctx = open_xpath (f->mpd, &doc);
  g_assert_cmpint (xpath_count (ctx, CP "[@value='ClearKey1.0']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//ck:Laurl | //dashif:Laurl"), ==, 0);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
}

static void
test_live_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDashManifest) m = make_manifest (VPK_PROFILE_LIVE, "https://lic.example/ck");
  g_autoptr(VpkDashManifest) back = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *init = NULL;
  VpkDashAdaptationSet *set;
  VpkDashRepresentation *rep;

  g_test_summary ("Live MPD: write, read back, expand $Number%05d$ and $Time$ segment names.");
  g_assert_true (vpk_dash_manifest_write (m, f->mpd, &error));
  back = vpk_dash_manifest_read (f->mpd, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->profile, ==, VPK_PROFILE_LIVE);
  g_assert_cmpint (back->duration_us, ==, 10001000);
  g_assert_cmpint (back->min_buffer_time_us, ==, 2000000);
  g_assert_cmpuint (back->adaptation_sets->len, ==, 2);

  set = back->adaptation_sets->pdata[0];
  g_assert_true (set->is_protected);
  g_assert_cmpint (set->protection.scheme, ==, VPK_SCHEME_CBCS);
  g_assert_true (vpk_key_equal (&set->protection.default_kid, &test_kid));
  g_assert_cmpstr (set->protection.license_url, ==, "https://lic.example/ck");
  g_assert_nonnull (set->protection.pssh_base64);
  rep = set->representations->pdata[0];
  g_assert_cmpstr (rep->codecs, ==, "avc1.64001f");
  g_assert_cmpuint (rep->fps_num, ==, 30000);
  g_assert_cmpuint (rep->fps_den, ==, 1001);
  g_assert_cmpuint (rep->timescale, ==, 90000);
  g_assert_true (vpk_dash_representation_get_files (rep, &init, &media, &error));
  g_assert_cmpstr (init, ==, "video/init.mp4");
  g_assert_cmpuint (media->len, ==, 5);
  g_assert_cmpstr (media->pdata[0], ==, "video/seg-00001.m4s");
  g_assert_cmpstr (media->pdata[4], ==, "video/seg-00005.m4s");

  set = back->adaptation_sets->pdata[1];
  g_assert_false (set->is_protected);
  g_assert_cmpstr (set->lang, ==, "en");
  rep = set->representations->pdata[0];
  g_assert_cmpuint (rep->channels, ==, 2);
  g_assert_cmpuint (rep->sample_rate, ==, 48000);
  g_clear_pointer (&init, g_free);
  g_clear_pointer (&media, g_ptr_array_unref);
  g_assert_true (vpk_dash_representation_get_files (rep, &init, &media, &error));
  g_assert_cmpuint (media->len, ==, 3);
  g_assert_cmpstr (media->pdata[1], ==, "audio-96000.m4s");
  g_assert_cmpstr (media->pdata[2], ==, "audio-200000.m4s");
}

static void
test_on_demand_round_trip (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDashManifest) m = make_manifest (VPK_PROFILE_ON_DEMAND, NULL);
  g_autoptr(VpkDashManifest) back = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *init = NULL;
  VpkDashRepresentation *rep;
  xmlDoc *doc = NULL;
  xmlXPathContext *ctx;

  g_test_summary ("On-demand MPD: BaseURL + SegmentBase indexRange + Initialization range, "
                  "read back.");
  g_assert_true (vpk_dash_manifest_write (m, f->mpd, &error));
  ctx = open_xpath (f->mpd, &doc);
  g_assert_cmpint (xpath_count (ctx, "/m:MPD[@profiles='urn:mpeg:dash:profile:isoff-on-demand:2011']"),
                   ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:Representation[@id='video'][m:BaseURL='video.mp4']"
                                "/m:SegmentBase[@indexRange='862-1009']/m:Initialization"
                                "[@range='0-861']"), ==, 1);
  g_assert_cmpint (xpath_count (ctx, "//m:SegmentTemplate"), ==, 0);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);

  back = vpk_dash_manifest_read (f->mpd, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->profile, ==, VPK_PROFILE_ON_DEMAND);
  rep = ((VpkDashAdaptationSet *) back->adaptation_sets->pdata[0])->representations->pdata[0];
  g_assert_cmpstr (rep->base_url, ==, "video.mp4");
  g_assert_cmpuint (rep->index_range_start, ==, 862);
  g_assert_cmpuint (rep->index_range_end, ==, 1009);
  g_assert_cmpuint (rep->init_range_end, ==, 861);
  g_assert_true (vpk_dash_representation_get_files (rep, &init, &media, &error));
  g_assert_null (init);
  g_assert_cmpuint (media->len, ==, 1);
  g_assert_cmpstr (media->pdata[0], ==, "video.mp4");
}

#define MPD_HEAD "<?xml version=\"1.0\"?>\n"
#define MPD_OPEN "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" " \
  "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" mediaPresentationDuration=\"PT1H2M3.5S\">" \
  "<Period><AdaptationSet contentType=\"video\"><Representation id=\"v\" bandwidth=\"1\">"
#define MPD_CLOSE "</Representation></AdaptationSet></Period></MPD>"
#define TEMPLATE(init, media, s) "<SegmentTemplate timescale=\"1000\" initialization=\"" init \
  "\" media=\"" media "\"><SegmentTimeline>" s "</SegmentTimeline></SegmentTemplate>"

static VpkDashManifest *
read_text (Fixture     *f,
           const char  *text,
           GError     **error)
{
  g_assert_true (g_file_set_contents (f->mpd, text, -1, NULL));
  return vpk_dash_manifest_read (f->mpd, error);
}

static void
test_read_foreign (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkDashManifest) m = NULL;
  g_autoptr(GPtrArray) media = NULL;
  VpkDashRepresentation *rep;

  g_test_summary ("A hand-written MPD: H/M/S durations, S without t, $Bandwidth$ and $$.");
  m = read_text (f, MPD_HEAD MPD_OPEN TEMPLATE ("i-$Bandwidth$.mp4", "s$$-$Time%03d$.m4s",
                                                "<S d=\"5\" r=\"1\"/><S d=\"7\"/>") MPD_CLOSE,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->duration_us, ==, 3723500000);
  rep = ((VpkDashAdaptationSet *) m->adaptation_sets->pdata[0])->representations->pdata[0];
  g_assert_true (vpk_dash_representation_get_files (rep, NULL, &media, &error));
  g_assert_cmpuint (media->len, ==, 3);
  g_assert_cmpstr (media->pdata[0], ==, "s$-000.m4s");
  g_assert_cmpstr (media->pdata[2], ==, "s$-010.m4s");
}

static void
test_hostile_xxe (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = g_build_filename (f->dir, "secret", NULL);
  g_autofree char *text = NULL;

  g_test_summary ("An MPD with a DOCTYPE (external entity, XXE) is refused before use.");
  g_assert_true (g_file_set_contents (secret, "top-secret", -1, NULL));
  text = g_strdup_printf (MPD_HEAD "<!DOCTYPE MPD [<!ENTITY x SYSTEM \"file://%s\">]>"
                          MPD_OPEN "<BaseURL>&x;</BaseURL><SegmentBase indexRange=\"1-2\"/>"
                          MPD_CLOSE, secret);
  g_assert_null (read_text (f, text, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_null (strstr (error->message, "top-secret"));
}

static void
test_hostile_paths (Fixture       *f,
                    gconstpointer  data)
{
  static const char *const bad[] = {
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "../../etc/passwd-$Number$", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("/etc/init.mp4", "s-$Number$", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "a/./$Number$", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "$Evil$", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "$Number%d$", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "s-$Number%05d", "<S d=\"1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN "<BaseURL>https://evil.example/x.mp4</BaseURL>"
      "<SegmentBase indexRange=\"1-2\"/>" MPD_CLOSE,
    MPD_HEAD MPD_OPEN "<BaseURL>..</BaseURL><SegmentBase indexRange=\"1-2\"/>" MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "s-$Number$", "<S d=\"1\" r=\"100000000\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "s-$Number$", "<S d=\"1\" r=\"-1\"/>") MPD_CLOSE,
    MPD_HEAD MPD_OPEN TEMPLATE ("init.mp4", "s-$Number$", "<S d=\"x\"/>") MPD_CLOSE,
    MPD_HEAD "<MPD><Period/></MPD>",
    MPD_HEAD MPD_OPEN,
  };

  g_test_summary ("Traversal, absolute and URL names, bad templates, huge or open-ended "
                  "timelines, a wrong root and cut XML are INVALID_DATA.");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;

    g_test_message ("case %u", i);
    g_assert_null (read_text (f, bad[i], &error));
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  }
}

static void
test_hostile_huge (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (MPD_HEAD "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">");

  g_test_summary ("An MPD over the size cap is refused without being parsed.");
  while (text->len <= VPK_DASH_MAX_MPD_SIZE)
    g_string_append (text, "<!-- padding padding padding padding padding padding padding -->\n");
  g_string_append (text, "</MPD>");
  g_assert_null (read_text (f, text->str, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
}

static void
test_sidx (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) box = g_byte_array_new ();
  static const VpkDashSidxReference refs[] = { { 1000, 180000, TRUE, 1 }, { 2000, 90000, FALSE, 0 } };
  static const guint8 expected[] = {
    0, 0, 0, 64, 's', 'i', 'd', 'x', 1, 0, 0, 0,
    0, 0, 0, 1, 0, 1, 0x5f, 0x90,
    0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 2,
    0, 0, 0x03, 0xe8, 0, 0x02, 0xbf, 0x20, 0x90, 0, 0, 0,
    0, 0, 0x07, 0xd0, 0, 0x01, 0x5f, 0x90, 0, 0, 0, 0,
  };
  VpkDashSidxReference too_big = { 1u << 31, 1, TRUE, 1 };

  g_test_summary ("'sidx' version 1 bytes; a 2 GiB segment is refused.");
  g_assert_true (vpk_dash_write_sidx (box, 1, 90000, 10, 0, refs, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vpk_dash_sidx_size (2), ==, box->len);
  g_assert_cmpmem (box->data, box->len, expected, sizeof expected);
  g_assert_false (vpk_dash_write_sidx (box, 1, 90000, 0, 0, &too_big, 1, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/dash/live/structure", Fixture, NULL, fixture_setup, test_live_structure,
              fixture_teardown);
  g_test_add ("/dash/live/no-license-url", Fixture, NULL, fixture_setup, test_no_license_url,
              fixture_teardown);
  g_test_add ("/dash/live/round-trip", Fixture, NULL, fixture_setup, test_live_round_trip,
              fixture_teardown);
  g_test_add ("/dash/on-demand/round-trip", Fixture, NULL, fixture_setup,
              test_on_demand_round_trip, fixture_teardown);
  g_test_add ("/dash/read/foreign", Fixture, NULL, fixture_setup, test_read_foreign,
              fixture_teardown);
  g_test_add ("/dash/hostile/xxe", Fixture, NULL, fixture_setup, test_hostile_xxe,
              fixture_teardown);
  g_test_add ("/dash/hostile/paths", Fixture, NULL, fixture_setup, test_hostile_paths,
              fixture_teardown);
  g_test_add ("/dash/hostile/huge", Fixture, NULL, fixture_setup, test_hostile_huge,
              fixture_teardown);
  g_test_add_func ("/dash/sidx", test_sidx);
  return g_test_run ();
}
