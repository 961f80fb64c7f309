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

/* [server] legacy_routes: how the original service's routes are reached. */
typedef enum {
  VPK_LEGACY_ROUTES_TOKEN,  /* an API token, as a Bearer header or ?token= */
  VPK_LEGACY_ROUTES_OPEN,   /* no token, as in the original service */
  VPK_LEGACY_ROUTES_OFF,    /* not served (404) */
} VpkLegacyRoutes;

/* "sha256:" and 64 hex digits: the stored form of an API token. */
#define VPK_TOKEN_HASH_PREFIX "sha256:"
#define VPK_TOKEN_HASH_LEN (sizeof VPK_TOKEN_HASH_PREFIX - 1 + 64)

typedef struct {
  char              *path;          /* the file read, or NULL when only defaults */
  GKeyFile          *keyfile;       /* the file's contents (empty with defaults) */

  /* [pipeline] */
  char             **stages[VPK_STAGE_N_KINDS];  /* backend names, tried in order */
  char             **plugin_path;   /* extra plugin folders, searched before the installed one */
  gboolean           single_pass;   /* let a backend run consecutive stages at once */

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
  char             **api_tokens;    /* "sha256:<64 lower-case hex>" each; NULL when none */
  VpkLegacyRoutes    legacy_routes;

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
/* Checks one "sha256:<64 hex digits>" (surrounding blanks allowed) and returns
 * it in lower case, or NULL when it is not that form. */
VPK_API char      *vpk_config_parse_token_hash (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkConfig, vpk_config_free)

G_END_DECLS
