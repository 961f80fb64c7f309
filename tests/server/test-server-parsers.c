/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded request parsers: streaming multipart and JSON bodies. */
#include <string.h>
#include "vpk-http.h"
#include "vpk-multipart.h"
#include "vpk-request.h"

typedef struct {
  GString *names;
  GString *data;
  guint    ends;
} Collect;

static gboolean
on_begin (gpointer d, const char *name, const char *filename, const char *type, GError **e)
{
  g_string_append_printf (((Collect *) d)->names, "%s:%s;", name, filename ? filename : "-");
  return TRUE;
}

static gboolean
on_data (gpointer d, const guint8 *bytes, gsize size, GError **e)
{
  g_string_append_len (((Collect *) d)->data, (const char *) bytes, (gssize) size);
  return TRUE;
}

static gboolean
on_end (gpointer d, GError **e)
{
  ((Collect *) d)->ends++;
  return TRUE;
}

static const VpkMultipartCallbacks cbs = { on_begin, on_data, on_end };

static const char body[] =
  "preamble\r\n--b0und\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
  "--b0und\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../a.mp4\"\r\n"
  "Content-Type: video/mp4\r\n\r\nAB\r\n--b0unCD\r\n--b0und--\r\nepilogue";

static void
test_multipart_split (void)
{
  g_test_summary ("Every split of the body into two feeds gives the same parts and bytes.");
  for (gsize cut = 0; cut <= sizeof body - 1; cut++) {
    Collect c = { g_string_new (NULL), g_string_new (NULL), 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkMultipart) mp = vpk_multipart_new ("b0und", &cbs, &c, &error);

    g_assert_no_error (error);
    g_assert_true (vpk_multipart_feed (mp, (const guint8 *) body, cut, &error));
    g_assert_true (vpk_multipart_feed (mp, (const guint8 *) body + cut, sizeof body - 1 - cut,
                                       &error));
    g_assert_true (vpk_multipart_finish (mp, &error));
    g_assert_cmpstr (c.names->str, ==, "note:-;file:../a.mp4;");
    g_assert_cmpstr (c.data->str, ==, "hiAB\r\n--b0unCD");
    g_assert_cmpuint (c.ends, ==, 2);
    g_string_free (c.names, TRUE);
    g_string_free (c.data, TRUE);
  }
}

static void
test_multipart_bad (void)
{
  static const char * const bad[] = {
    "--b0und\r\nno colon here\r\n\r\nx\r\n--b0und--",
    "--b0und\r\nContent-Disposition: attachment\r\n\r\nx\r\n--b0und--",
    "--b0und\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b0und",
  };

  g_test_summary ("Malformed bodies and boundaries are refused with 400; truncation too.");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    Collect c = { g_string_new (NULL), g_string_new (NULL), 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkMultipart) mp = vpk_multipart_new ("b0und", &cbs, &c, NULL);
    gboolean ok = vpk_multipart_feed (mp, (const guint8 *) bad[i], strlen (bad[i]), &error) &&
                  vpk_multipart_finish (mp, &error);

    g_assert_false (ok);
    g_assert_error (error, VPK_HTTP_ERROR, 400);
    g_string_free (c.names, TRUE);
    g_string_free (c.data, TRUE);
  }
  g_assert_null (vpk_multipart_new ("", &cbs, NULL, NULL));
  g_assert_null (vpk_multipart_new ("bad\"quote", &cbs, NULL, NULL));
}

static void
test_multipart_headers_bounded (void)
{
  g_autoptr(GString) big = g_string_new ("--b0und\r\nX-Long: ");
  Collect c = { g_string_new (NULL), g_string_new (NULL), 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMultipart) mp = vpk_multipart_new ("b0und", &cbs, &c, NULL);

  g_test_summary ("A part's header block larger than the bound is refused without the end.");
  for (guint i = 0; i < VPK_MULTIPART_MAX_HEADERS; i++)
    g_string_append_c (big, 'a');
  g_assert_false (vpk_multipart_feed (mp, (const guint8 *) big->str, big->len, &error));
  g_assert_error (error, VPK_HTTP_ERROR, 400);
  g_string_free (c.names, TRUE);
  g_string_free (c.data, TRUE);
}

static void
test_multipart_headers_limit_split (void)
{
  g_autoptr(GString) ok = g_string_new ("--b0und\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: ");
  gsize block_start = strlen ("--b0und\r\n");

  g_test_summary ("A part header block of exactly the bound is accepted wherever the chunks "
                  "are cut, even inside the CRLF CRLF that ends it; one byte more is refused.");
  while (ok->len - block_start < VPK_MULTIPART_MAX_HEADERS)
    g_string_append_c (ok, 'a');
  g_string_append (ok, "\r\n\r\nxy\r\n--b0und--\r\n");
  for (guint extra = 0; extra <= 1; extra++) {
    g_autoptr(GString) input = g_string_new_len (ok->str, (gssize) ok->len);

    if (extra > 0)
      g_string_insert_c (input, (gssize) (block_start + 60), 'a');
    for (gsize cut = block_start + VPK_MULTIPART_MAX_HEADERS - 1;
         cut <= block_start + VPK_MULTIPART_MAX_HEADERS + extra + 4; cut++) {
      Collect c = { g_string_new (NULL), g_string_new (NULL), 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(VpkMultipart) mp = vpk_multipart_new ("b0und", &cbs, &c, NULL);
      gboolean done = vpk_multipart_feed (mp, (const guint8 *) input->str, cut, &error) &&
                      vpk_multipart_feed (mp, (const guint8 *) input->str + cut,
                                          input->len - cut, &error) &&
                      vpk_multipart_finish (mp, &error);

      if (extra == 0) {
        g_assert_no_error (error);
        g_assert_true (done);
        g_assert_cmpstr (c.data->str, ==, "xy");
      } else {
        g_assert_false (done);
        g_assert_error (error, VPK_HTTP_ERROR, 400);
      }
      g_string_free (c.names, TRUE);
      g_string_free (c.data, TRUE);
    }
  }
}

static void
test_package_request (void)
{
  VpkPackageOptions defaults = { .segment_duration_ms = 4000 };
  VpkPackageRequest req;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;
  static const char ok[] = "{\"input_content_id\": \"7\", \"key\": \"hyN9IKGfWKdAwFaE5pm0qg\", "
                           "\"kid\": \"oW5AK5BW43HzbTSKpiu3SQ\", \"scheme\": \"cenc\", "
                           "\"segment_duration\": 2}";

  g_test_summary ("POST /packaged_content bodies: values parsed, every error classified.");
  g_assert_true (vpk_package_request_parse (ok, strlen (ok), &defaults, &req, NULL));
  g_assert_cmpint (req.input_id, ==, 7);
  g_assert_cmpint (req.options.scheme, ==, VPK_SCHEME_CENC);
  g_assert_cmpuint (req.options.segment_duration_ms, ==, 2000);
  g_assert_false (req.generated);
  vpk_package_request_clear (&req);
  g_assert_false (vpk_package_request_parse ("{", 1, &defaults, &req, &e1));
  g_assert_error (e1, VPK_HTTP_ERROR, 400);
  g_assert_false (vpk_package_request_parse ("[1]", 3, &defaults, &req, &e2));
  g_assert_error (e2, VPK_HTTP_ERROR, 400);
  g_assert_false (vpk_package_request_parse ("{\"input_content_id\": 1, \"key\": \"x\"}", 35,
                                             &defaults, &req, &e3));
  g_assert_error (e3, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
  g_assert_false (vpk_package_request_parse ("{\"input_content_id\": -1}", 24, &defaults, &req,
                                             &e4));
  g_assert_error (e4, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
}

static void
test_license_request (void)
{
  static const char ok[] = "{\"kids\": [\"oW5AK5BW43HzbTSKpiu3SQ\"], \"type\": \"temporary\"}";
  g_autoptr(GArray) kids = vpk_license_request_parse (ok, strlen (ok), NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("EME ClearKey license requests: base64url KIDs, bounded count.");
  g_assert_nonnull (kids);
  g_assert_cmpuint (kids->len, ==, 1);
  g_assert_null (vpk_license_request_parse ("{\"kids\": []}", 12, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/server/multipart/split", test_multipart_split);
  g_test_add_func ("/server/multipart/bad", test_multipart_bad);
  g_test_add_func ("/server/multipart/headers-bounded", test_multipart_headers_bounded);
  g_test_add_func ("/server/multipart/headers-limit-split", test_multipart_headers_limit_split);
  g_test_add_func ("/server/request/package", test_package_request);
  g_test_add_func ("/server/request/license", test_license_request);
  return g_test_run ();
}
