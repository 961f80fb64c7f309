/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finds, loads and checks backend plugins. Internal to the vpack project. */

#include "vpk.h"

G_BEGIN_DECLS

typedef struct _VpkRegistry VpkRegistry;
typedef struct _VpkPlugin VpkPlugin;

/* Folders searched, in order: $VPACK_PLUGIN_PATH (':'-separated), @extra_dirs,
 * then the installed plugin folder. */
VPK_API VpkRegistry       *vpk_registry_new        (const char * const *extra_dirs);
VPK_API void               vpk_registry_free       (VpkRegistry *registry);
VPK_API const char * const *vpk_registry_get_search_path (VpkRegistry *registry);

/* Loads `vpk-NAME.so` from the first folder that has it, checks its ABI, and
 * caches it: a second call returns the same plugin. Never crashes on a file
 * that is not a plugin or was built for another ABI: VPK_ERROR_PLUGIN. */
VPK_API VpkPlugin         *vpk_registry_load       (VpkRegistry  *registry,
                                                    const char   *name,
                                                    GError      **error);
/* Loads the plugin at @path (its name is taken from the file name). */
VPK_API VpkPlugin         *vpk_registry_load_file  (VpkRegistry  *registry,
                                                    const char   *path,
                                                    GError      **error);
/* The names of every `vpk-*.so` in the search path (first folder wins), sorted. */
VPK_API GStrv              vpk_registry_scan       (VpkRegistry *registry);

VPK_API const VpkBackend  *vpk_plugin_get_backend  (VpkPlugin *plugin);
VPK_API const char        *vpk_plugin_get_path     (VpkPlugin *plugin);
VPK_API const char        *vpk_plugin_get_name     (VpkPlugin *plugin);
VPK_API gboolean           vpk_plugin_has_stage    (VpkPlugin    *plugin,
                                                    VpkStageKind  kind);
/* Parses [NAME] of @keyfile (may be NULL) into a new instance and calls init;
 * once only: later calls return the first result. @file names the config in errors. */
VPK_API gboolean           vpk_plugin_configure    (VpkPlugin   *plugin,
                                                    GKeyFile    *keyfile,
                                                    const char  *file,
                                                    GError     **error);
/* (transfer none): the instance after a successful vpk_plugin_configure() */
VPK_API gpointer           vpk_plugin_get_instance (VpkPlugin *plugin);
/* Checks [NAME] of @keyfile against the option table without calling init. */
VPK_API gboolean           vpk_plugin_check_config (VpkPlugin   *plugin,
                                                    GKeyFile    *keyfile,
                                                    const char  *file,
                                                    GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkRegistry, vpk_registry_free)

G_END_DECLS
