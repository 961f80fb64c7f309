/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-config.h"

#include <string.h>
#include <unistd.h>

static char *
write_config (const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("vpack-test-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return path;
}

static void
test_config_defaults (void)
{
  g_autoptr(VpkConfig) config = vpk_config_new_default ();

  g_test_summary ("With no file, the pipeline is native with gst fallbacks, cbcs, video "
                  "only, live, 4 s segments, verify on, embedded database.");
  g_assert_cmpstr (config->stages[VPK_STAGE_INGEST][0], ==, "native");
  g_assert_cmpstr (config->stages[VPK_STAGE_INGEST][1], ==, "gst");
  g_assert_null (config->stages[VPK_STAGE_INGEST][2]);
  g_assert_cmpstr (config->stages[VPK_STAGE_FRAGMENT][1], ==, "gst");
  g_assert_cmpstr (config->stages[VPK_STAGE_ENCRYPT][0], ==, "native");
  g_assert_cmpstr (config->stages[VPK_STAGE_PACKAGE][0], ==, "native");
  g_assert_cmpint (config->package.scheme, ==, VPK_SCHEME_CBCS);
  g_assert_cmpint (config->package.encrypt, ==, VPK_ENCRYPT_VIDEO);
  g_assert_cmpint (config->package.profile, ==, VPK_PROFILE_LIVE);
  g_assert_cmpuint (config->package.segment_duration_ms, ==, 4000);
  g_assert_true (config->package.verify);
  g_assert_null (config->database_url);
  g_assert_cmpuint (config->workers, ==, 2);
  g_assert_cmpuint (config->max_upload_size, ==, G_GUINT64_CONSTANT (4) << 30);
  g_assert_nonnull (config->state_dir);
}

static void
test_config_values (void)
{
  g_autofree char *path = write_config (
      "[pipeline]\ningest = gst\nfragment = native , gst,bento4\n"
      "[package]\nsegment_duration = 2.5\nprofile = on-demand\nscheme = cenc\nencrypt = all\n"
      "verify = no\nsegment_template = time\nlicense_url = http://127.0.0.1:1/license\n"
      "[server]\nlisten = 0.0.0.0:9000\nworkers = 4\nmax_upload_size = 100M\n"
      "[database]\nurl = mariadb://u:p@127.0.0.1:3306/vpack\n"
      "[storage]\nstate_dir = /tmp/vpack-state\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = vpk_config_load (path, &error);

  g_test_summary ("Every core key is read, lists are split and trimmed, units converted.");
  g_assert_no_error (error);
  g_assert_cmpstr (config->stages[VPK_STAGE_INGEST][0], ==, "gst");
  g_assert_null (config->stages[VPK_STAGE_INGEST][1]);
  g_assert_cmpstr (config->stages[VPK_STAGE_FRAGMENT][0], ==, "native");
  g_assert_cmpstr (config->stages[VPK_STAGE_FRAGMENT][2], ==, "bento4");
  g_assert_cmpuint (config->package.segment_duration_ms, ==, 2500);
  g_assert_cmpint (config->package.profile, ==, VPK_PROFILE_ON_DEMAND);
  g_assert_cmpint (config->package.scheme, ==, VPK_SCHEME_CENC);
  g_assert_cmpint (config->package.encrypt, ==, VPK_ENCRYPT_ALL);
  g_assert_false (config->package.verify);
  g_assert_true (config->package.use_time_template);
  g_assert_cmpstr (config->package.license_url, ==, "http://127.0.0.1:1/license");
  g_assert_cmpstr (config->listen, ==, "0.0.0.0:9000");
  g_assert_cmpuint (config->workers, ==, 4);
  g_assert_cmpuint (config->max_upload_size, ==, 100 << 20);
  g_assert_cmpstr (config->database_url, ==, "mariadb://u:p@127.0.0.1:3306/vpack");
  g_assert_cmpstr (config->state_dir, ==, "/tmp/vpack-state");
}

typedef struct {
  const char *text;
  const char *expect[3];  /* substrings the message must hold */
} BadCase;

static void
test_config_errors (void)
{
  static const BadCase cases[] = {
    { "[package]\nscheme = cbc1\n", { "[package]", "scheme", "'cbc1'" } },
    { "[package]\nsegment_duration = 0\n", { "[package]", "segment_duration", "0.5 to 60" } },
    { "[package]\nsegment_duration = four\n", { "segment_duration", "'four'", NULL } },
    { "[package]\nprofile = vod\n", { "profile", "live or on-demand", NULL } },
    { "[package]\nencrypt = audio\n", { "encrypt", "video or all", NULL } },
    { "[package]\nschem = cbcs\n", { "[package]", "no key 'schem'", NULL } },
    { "[pipeline]\ningest = Native\n", { "[pipeline]", "ingest", "'Native'" } },
    { "[pipeline]\nfragment = ,\n", { "fragment", "names no backend", NULL } },
    { "[server]\nworkers = -1\n", { "[server]", "workers", NULL } },
    { "[server]\nlisten = 8080\n", { "listen", "HOST:PORT", NULL } },
    { "[server]\nmax_upload_size = 10X\n", { "max_upload_size", NULL, NULL } },
    { "[database]\nurl = postgres://x\n", { "[database]", "url", NULL } },
    { "[package\nscheme = cenc\n", { "Cannot read the config file", NULL, NULL } },
  };

  g_test_summary ("A bad value, an unknown key or a syntax error is a CONFIG error naming "
                  "the file, the group and the key.");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = write_config (cases[i].text);
    g_autoptr(GError) error = NULL;
    g_autoptr(VpkConfig) config = vpk_config_load (path, &error);

    g_assert_null (config);
    g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, path));
    for (guint j = 0; j < 3 && cases[i].expect[j] != NULL; j++) {
      if (strstr (error->message, cases[i].expect[j]) == NULL)
        g_error ("case %u: '%s' not in '%s'", i, cases[i].expect[j], error->message);
    }
  }
}

static void
test_config_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = vpk_config_load ("/nonexistent/vpack.conf", &error);

  g_test_summary ("A config file that does not exist is an error naming it.");
  g_assert_null (config);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "/nonexistent/vpack.conf"));
}

static void
test_config_set (void)
{
  g_autoptr(VpkConfig) config = vpk_config_new_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_test_summary ("--set GROUP.KEY=VALUE goes through the same checks as the file.");
  g_assert_true (vpk_config_set (config, "package.scheme=cenc", &error));
  g_assert_cmpint (config->package.scheme, ==, VPK_SCHEME_CENC);
  g_assert_true (vpk_config_set (config, "bento4.tools_dir=/opt/bento4/bin", &error));
  value = g_key_file_get_value (config->keyfile, "bento4", "tools_dir", NULL);
  g_assert_cmpstr (value, ==, "/opt/bento4/bin");
  g_assert_false (vpk_config_set (config, "package.scheme=xyz", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (vpk_config_set (config, "scheme=cenc", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/config/defaults", test_config_defaults);
  g_test_add_func ("/config/values", test_config_values);
  g_test_add_func ("/config/errors", test_config_errors);
  g_test_add_func ("/config/missing-file", test_config_missing_file);
  g_test_add_func ("/config/set", test_config_set);
  return g_test_run ();
}
