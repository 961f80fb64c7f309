/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-registry.h"

#include <string.h>

typedef struct {
  VpkRegistry *registry;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->registry = vpk_registry_new (NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->registry, vpk_registry_free);
}

static void
assert_message_has (const GError *error, const char *text)
{
  if (strstr (error->message, text) == NULL)
    g_error ("'%s' not in '%s'", text, error->message);
}

static void
test_load_ok (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  VpkPlugin *plugin = vpk_registry_load (f->registry, "testok", &error);

  g_test_summary ("A plugin loads from VPACK_PLUGIN_PATH, offers its stages and is cached.");
  g_assert_no_error (error);
  g_assert_nonnull (plugin);
  g_assert_cmpstr (vpk_plugin_get_backend (plugin)->name, ==, "testok");
  g_assert_cmpuint (vpk_plugin_get_backend (plugin)->abi_version, ==, VPK_BACKEND_ABI_VERSION);
  for (VpkStageKind s = 0; s < VPK_STAGE_N_KINDS; s++)
    g_assert_true (vpk_plugin_has_stage (plugin, s));
  g_assert_true (g_str_has_suffix (vpk_plugin_get_path (plugin), "/vpk-testok.so"));
  g_assert_true (vpk_registry_load (f->registry, "testok", NULL) == plugin);
}

static void
test_load_abi_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *theirs = g_strdup_printf ("ABI %u", VPK_BACKEND_ABI_VERSION + 41);
  g_autofree char *ours = g_strdup_printf ("ABI %u", VPK_BACKEND_ABI_VERSION);

  g_test_summary ("A plugin built for another ABI is refused, naming both versions.");
  g_assert_null (vpk_registry_load (f->registry, "testabi", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  assert_message_has (error, theirs);
  assert_message_has (error, ours);
  assert_message_has (error, "vpk-testabi.so");
}

static void
test_load_newer_table (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A table larger than this core knows (a newer vpack's) is refused.");
  g_assert_null (vpk_registry_load (f->registry, "testbig", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  assert_message_has (error, "newer vpack");
}

static void
test_load_no_symbol (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A shared object without the entry point is not a vpack plugin.");
  g_assert_null (vpk_registry_load (f->registry, "testnosym", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  assert_message_has (error, "is not a vpack plugin");
  assert_message_has (error, "vpk_testnosym_backend_get");
}

static void
test_load_not_elf (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A file that is not a shared object is refused, never crashes.");
  g_assert_null (vpk_registry_load (f->registry, "testjunk", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  assert_message_has (error, "not a loadable vpack plugin");
}

static void
test_load_absent (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("An absent backend's error names the file looked for and the folders.");
  g_assert_null (vpk_registry_load (f->registry, "nosuchbackend", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  assert_message_has (error, "vpk-nosuchbackend.so");
  g_clear_error (&error);
  g_assert_null (vpk_registry_load (f->registry, "../evil", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
}

static void
test_load_file_name (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("Loading by path takes the name from the file and checks it.");
  g_assert_null (vpk_registry_load_file (f->registry, "/tmp/libfoo.so", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
}

static void
test_configure (Fixture *f, gconstpointer data)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  VpkPlugin *plugin = vpk_registry_load (f->registry, "testok", &error);

  g_test_summary ("Options are checked against the table; a failing init fails the start, "
                  "and the error sticks.");
  g_assert_nonnull (plugin);
  g_key_file_set_string (kf, "testok", "no_such_option", "1");
  g_assert_false (vpk_plugin_check_config (plugin, kf, "x.conf", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  assert_message_has (error, "x.conf: [testok] has no key 'no_such_option'");
  g_clear_error (&error);

  g_key_file_remove_key (kf, "testok", "no_such_option", NULL);
  g_key_file_set_string (kf, "testok", "fail_init", "maybe");
  g_assert_false (vpk_plugin_configure (plugin, kf, "x.conf", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  assert_message_has (error, "fail_init");
  g_clear_error (&error);
  g_assert_false (vpk_plugin_configure (plugin, NULL, "x.conf", &error));
  g_assert_null (vpk_plugin_get_instance (plugin));
}

static void
test_init_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  VpkPlugin *plugin = vpk_registry_load (f->registry, "testtwo", &error);

  g_test_summary ("A backend whose init fails cannot start; its message is kept.");
  g_key_file_set_string (kf, "testtwo", "fail_init", "true");
  g_assert_false (vpk_plugin_configure (plugin, kf, "x.conf", &error));
  assert_message_has (error, "Backend 'testtwo' cannot start: fail_init is set");
}

static void
test_scan (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) names = vpk_registry_scan (f->registry);

  g_test_summary ("Scanning lists every vpk-*.so in the path, the shipped backends too.");
  g_assert_true (g_strv_contains ((const char * const *) names, "testok"));
  g_assert_true (g_strv_contains ((const char * const *) names, "testabi"));
  g_assert_true (g_strv_contains ((const char * const *) names, "native"));
  g_assert_true (g_strv_contains ((const char * const *) names, "gst"));
  g_assert_true (g_strv_contains ((const char * const *) names, "bento4"));
}

static void
test_shipped_backends (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "native", "gst", "bento4" };

  g_test_summary ("The three shipped backends load and pass the ABI check.");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr(GError) error = NULL;
    VpkPlugin *plugin = vpk_registry_load (f->registry, names[i], &error);

    g_assert_no_error (error);
    g_assert_cmpstr (vpk_plugin_get_backend (plugin)->name, ==, names[i]);
    g_assert_nonnull (vpk_plugin_get_backend (plugin)->description);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/registry/load/ok", test_load_ok);
  ADD ("/registry/load/abi-mismatch", test_load_abi_mismatch);
  ADD ("/registry/load/newer-table", test_load_newer_table);
  ADD ("/registry/load/no-symbol", test_load_no_symbol);
  ADD ("/registry/load/not-elf", test_load_not_elf);
  ADD ("/registry/load/absent", test_load_absent);
  ADD ("/registry/load/file-name", test_load_file_name);
  ADD ("/registry/configure", test_configure);
  ADD ("/registry/init-fails", test_init_fails);
  ADD ("/registry/scan", test_scan);
  ADD ("/registry/shipped-backends", test_shipped_backends);
#undef ADD
  return g_test_run ();
}
