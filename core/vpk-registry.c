/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-registry.h"
#include "vpk-option-private.h"

#include <stdlib.h>
#include <string.h>

struct _VpkPlugin {
  char       *name;
  char       *path;
  VpkBackend  backend;     /* the core's zero-filled copy of the plugin's table */
  GMutex      lock;        /* guards configuration */
  gboolean    configured;
  gboolean    init_ok;
  GError     *init_error;
  gpointer    instance;
};

struct _VpkRegistry {
  GStrv       search_path;
  GHashTable *plugins;     /* name -> VpkPlugin */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GModule, g_module_close)

static void
plugin_free (VpkPlugin *plugin)
{
  if (plugin->instance != NULL) {
    /* finalize runs even after a failed init (it must cope with half-made state). */
    if (plugin->backend.finalize != NULL)
      plugin->backend.finalize (plugin->instance);
    vpk_option_table_clear (plugin->backend.options, plugin->instance);
    g_free (plugin->instance);
  }
  g_clear_error (&plugin->init_error);
  g_mutex_clear (&plugin->lock);
  g_free (plugin->name);
  g_free (plugin->path);
  g_free (plugin);
}

VpkRegistry *
vpk_registry_new (const char * const *extra_dirs)
{
  VpkRegistry *registry = g_new0 (VpkRegistry, 1);
  g_autoptr(GStrvBuilder) path = g_strv_builder_new ();
  const char *env = g_getenv ("VPACK_PLUGIN_PATH");

  if (env != NULL && *env != '\0') {
    g_auto(GStrv) dirs = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

    for (guint i = 0; dirs[i] != NULL; i++)
      if (*dirs[i] != '\0')
        g_strv_builder_add (path, dirs[i]);
  }
  for (guint i = 0; extra_dirs != NULL && extra_dirs[i] != NULL; i++)
    if (*extra_dirs[i] != '\0')
      g_strv_builder_add (path, extra_dirs[i]);
  g_strv_builder_add (path, VPK_PLUGINDIR);

  registry->search_path = g_strv_builder_end (path);
  registry->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) plugin_free);
  return registry;
}

void
vpk_registry_free (VpkRegistry *registry)
{
  if (registry == NULL)
    return;
  g_clear_pointer (&registry->plugins, g_hash_table_unref);
  g_strfreev (registry->search_path);
  g_free (registry);
}

const char * const *
vpk_registry_get_search_path (VpkRegistry *registry)
{
  return (const char * const *) registry->search_path;
}

static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Copies what the plugin says it has into a zero-filled table (OBS): members
 * appended after the plugin was built read as NULL. */
static gboolean
backend_copy_checked (const VpkBackend  *backend,
                      const char        *name,
                      const char        *path,
                      VpkBackend        *out,
                      GError           **error)
{
  if (backend == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN, "'%s' returned no backend table", path);
    return FALSE;
  }
  if (backend->abi_version != VPK_BACKEND_ABI_VERSION) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' was built for vpack plugin ABI %u, but this vpack has ABI %u; "
                 "rebuild the plugin against this vpack", path, backend->abi_version,
                 VPK_BACKEND_ABI_VERSION);
    return FALSE;
  }
  if (backend->struct_size < G_STRUCT_OFFSET (VpkBackend, stages) ||
      backend->struct_size > sizeof (VpkBackend)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' has a backend table of %u bytes; this vpack knows %zu bytes "
                 "(a plugin built for a newer vpack?)", path, backend->struct_size,
                 sizeof (VpkBackend));
    return FALSE;
  }
  memset (out, 0, sizeof *out);
  memcpy (out, backend, backend->struct_size);
  if (g_strcmp0 (out->name, name) != 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN, "'%s' calls itself '%s', not '%s'",
                 path, out->name != NULL ? out->name : "(null)", name);
    return FALSE;
  }
  return TRUE;
}

static VpkPlugin *
load_path (VpkRegistry  *registry,
           const char   *name,
           const char   *path,
           GError      **error)
{
  g_autoptr(GModule) module = NULL;
  g_autofree char *symbol = g_strdup_printf ("vpk_%s_backend_get", name);
  g_autoptr(GError) local_error = NULL;
  VpkBackendGetFunc get_backend = NULL;
  VpkPlugin *plugin;

  module = g_module_open_full (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &local_error);
  if (module == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN, "'%s' is not a loadable vpack plugin: %s",
                 path, local_error->message);
    return NULL;
  }
  if (!g_module_symbol (module, symbol, (gpointer *) &get_backend) || get_backend == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' is not a vpack plugin: it exports no %s()", path, symbol);
    return NULL;
  }

  plugin = g_new0 (VpkPlugin, 1);
  g_mutex_init (&plugin->lock);
  plugin->name = g_strdup (name);
  plugin->path = g_strdup (path);
  if (!backend_copy_checked (get_backend (), name, path, &plugin->backend, error)) {
    plugin_free (plugin);
    return NULL;
  }

  /* Never unloaded (as GStreamer does): the tables and strings live in the module. */
  g_module_make_resident (module);
  g_hash_table_insert (registry->plugins, plugin->name, plugin);
  return plugin;
}

static char *
find_file (VpkRegistry *registry,
           const char  *name)
{
  g_autofree char *file = g_strdup_printf ("vpk-%s.%s", name, G_MODULE_SUFFIX);

  for (guint i = 0; registry->search_path[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (registry->search_path[i], file, NULL);

    if (g_file_test (path, G_FILE_TEST_EXISTS))
      return g_steal_pointer (&path);
  }
  return NULL;
}

VpkPlugin *
vpk_registry_load (VpkRegistry  *registry,
                   const char   *name,
                   GError      **error)
{
  g_autofree char *path = NULL;
  VpkPlugin *plugin;

  if (!name_is_valid (name)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' is not a backend name (lower-case letters and digits)", name);
    return NULL;
  }
  plugin = g_hash_table_lookup (registry->plugins, name);
  if (plugin != NULL)
    return plugin;

  path = find_file (registry, name);
  if (path == NULL) {
    g_autofree char *dirs = g_strjoinv (", ", registry->search_path);

    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "No backend named '%s': vpk-%s.%s is in none of %s", name, name,
                 G_MODULE_SUFFIX, dirs);
    return NULL;
  }
  return load_path (registry, name, path, error);
}

VpkPlugin *
vpk_registry_load_file (VpkRegistry  *registry,
                        const char   *path,
                        GError      **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *suffix = g_strdup_printf (".%s", G_MODULE_SUFFIX);
  g_autofree char *name = NULL;
  VpkPlugin *plugin;

  if (!g_str_has_prefix (base, "vpk-") || !g_str_has_suffix (base, suffix)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' is not named like a vpack plugin (vpk-NAME%s)", path, suffix);
    return NULL;
  }
  name = g_strndup (base + 4, strlen (base) - 4 - strlen (suffix));
  if (!name_is_valid (name)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN,
                 "'%s' is not named like a vpack plugin (vpk-NAME%s, NAME in [a-z0-9])", path,
                 suffix);
    return NULL;
  }
  plugin = g_hash_table_lookup (registry->plugins, name);
  if (plugin != NULL)
    return plugin;
  return load_path (registry, name, path, error);
}

static int
compare_names (const void *a,
               const void *b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GStrv
vpk_registry_scan (VpkRegistry *registry)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *suffix = g_strdup_printf (".%s", G_MODULE_SUFFIX);
  GStrv names;
  guint n;

  for (guint i = 0; registry->search_path[i] != NULL; i++) {
    g_autoptr(GDir) dir = g_dir_open (registry->search_path[i], 0, NULL);
    const char *file;

    while (dir != NULL && (file = g_dir_read_name (dir)) != NULL) {
      g_autofree char *name = NULL;

      if (!g_str_has_prefix (file, "vpk-") || !g_str_has_suffix (file, suffix))
        continue;
      name = g_strndup (file + 4, strlen (file) - 4 - strlen (suffix));
      if (name_is_valid (name))
        g_hash_table_add (seen, g_steal_pointer (&name));
    }
  }
  names = (GStrv) g_hash_table_get_keys_as_array (seen, &n);
  g_hash_table_steal_all (seen);
  qsort (names, n, sizeof (char *), compare_names);
  return names;
}

const VpkBackend *
vpk_plugin_get_backend (VpkPlugin *plugin)
{
  return &plugin->backend;
}

const char *
vpk_plugin_get_path (VpkPlugin *plugin)
{
  return plugin->path;
}

const char *
vpk_plugin_get_name (VpkPlugin *plugin)
{
  return plugin->name;
}

gboolean
vpk_plugin_has_stage (VpkPlugin    *plugin,
                      VpkStageKind  kind)
{
  g_return_val_if_fail (kind < VPK_STAGE_N_KINDS, FALSE);
  return plugin->backend.stages[kind] != NULL;
}

gboolean
vpk_plugin_check_config (VpkPlugin   *plugin,
                         GKeyFile    *keyfile,
                         const char  *file,
                         GError     **error)
{
  return vpk_option_table_check_keys (plugin->backend.options, keyfile, plugin->name,
                                      file != NULL ? file : "config", error);
}

static void
plugin_configure_locked (VpkPlugin  *plugin,
                         GKeyFile   *keyfile,
                         const char *file)
{
  gsize size = MAX (plugin->backend.instance_size, 1);

  plugin->configured = TRUE;
  plugin->instance = g_malloc0 (size);
  if (!vpk_option_table_apply (plugin->backend.options, plugin->instance, keyfile,
                               plugin->name, file != NULL ? file : "config",
                               &plugin->init_error))
    return;
  if (plugin->backend.init != NULL &&
      !plugin->backend.init (plugin->instance, &plugin->init_error)) {
    if (plugin->init_error == NULL)
      g_set_error (&plugin->init_error, VPK_ERROR, VPK_ERROR_PLUGIN, "init failed");
    g_prefix_error (&plugin->init_error, "Backend '%s' cannot start: ", plugin->name);
    return;
  }
  plugin->init_ok = TRUE;
}

gboolean
vpk_plugin_configure (VpkPlugin   *plugin,
                      GKeyFile    *keyfile,
                      const char  *file,
                      GError     **error)
{
  gboolean ok;

  g_mutex_lock (&plugin->lock);
  if (!plugin->configured)
    plugin_configure_locked (plugin, keyfile, file);
  ok = plugin->init_ok;
  if (!ok && error != NULL)
    *error = g_error_copy (plugin->init_error);
  g_mutex_unlock (&plugin->lock);
  return ok;
}

gpointer
vpk_plugin_get_instance (VpkPlugin *plugin)
{
  return plugin->init_ok ? plugin->instance : NULL;
}
