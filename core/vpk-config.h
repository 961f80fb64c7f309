/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The configuration file (GKeyFile). Internal to the vpack project (the CLI and
 * the server use it); not part of the plugin SDK. */

#include "vpk.h"

G_BEGIN_DECLS

typedef enum {
  VPK_ROLE_ALL,
  VPK_ROLE_API,
  VPK_ROLE_WORKER,
} VpkRole;

typedef struct {
  char              *path;          /* the file read, or NULL when only defaults */
  GKeyFile          *keyfile;       /* the file's contents (empty with defaults) */

  /* [pipeline] */
  char             **stages[VPK_STAGE_N_KINDS];  /* backend names, tried in order */
  char             **plugin_path;   /* extra plugin folders, searched before the installed one */

  /* [package] */
  VpkPackageOptions  package;

  /* [server] */
  char              *listen;        /* HOST:PORT */
  guint              workers;
  guint64            max_upload_size;
  char              *public_url;    /* base of URLs written into MPDs and replies, or NULL */
  guint              lease_seconds;
  guint              max_attempts;
  VpkRole            role;

  /* [database] */
  char              *database_url;  /* NULL: a private mariadbd under the state folder */

  /* [storage] */
  char              *state_dir;
} VpkConfig;

VPK_API VpkConfig *vpk_config_new_default (void);
/* Reads @path; a missing file, a syntax error, an unknown group or key, or a bad
 * value is VPK_ERROR_CONFIG naming the file, group and key. Backend groups
 * ([native], [gst], [bento4], ...) are checked when the pipeline loads them. */
VPK_API VpkConfig *vpk_config_load        (const char  *path,
                                           GError     **error);
VPK_API void       vpk_config_free        (VpkConfig   *config);
/* TRUE for [pipeline], [package], [server], [database], [storage]. */
VPK_API gboolean   vpk_config_is_core_group (const char *group);
/* Sets one key as "group.key=value" (the CLI's --set), with the same checks. */
VPK_API gboolean   vpk_config_set         (VpkConfig   *config,
                                           const char  *assignment,
                                           GError     **error);
VPK_API const char *vpk_role_to_string    (VpkRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkConfig, vpk_config_free)

G_END_DECLS
