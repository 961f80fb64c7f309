/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

typedef gboolean (*KeyParser) (VpkConfig   *config,
                               const char  *value,
                               GError     **error);

typedef struct {
  const char *group;
  const char *key;
  const char *default_value;  /* NULL: unset by default */
  KeyParser   parse;
} CoreKey;

static gboolean set_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_error (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VPK_ERROR, VPK_ERROR_CONFIG, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
parse_stage_list (char       ***out,
                  const char   *value,
                  GError      **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++) {
    const char *name = g_strstrip (parts[i]);

    if (*name == '\0')
      continue;
    for (const char *p = name; *p != '\0'; p++) {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
        return set_error (error, "'%s' is not a backend name (lower-case letters and digits)",
                          name);
    }
    g_strv_builder_add (names, name);
    n++;
  }
  if (n == 0)
    return set_error (error, "'%s' names no backend", value);
  g_strfreev (*out);
  *out = g_strv_builder_end (names);
  return TRUE;
}

#define STAGE_PARSER(kind, fn)                                           \
  static gboolean fn (VpkConfig *c, const char *v, GError **e)           \
  {                                                                      \
    return parse_stage_list (&c->stages[kind], v, e);                    \
  }
STAGE_PARSER (VPK_STAGE_INGEST, parse_ingest)
STAGE_PARSER (VPK_STAGE_FRAGMENT, parse_fragment)
STAGE_PARSER (VPK_STAGE_ENCRYPT, parse_encrypt_stage)
STAGE_PARSER (VPK_STAGE_PACKAGE, parse_package_stage)

static gboolean
parse_plugin_path (VpkConfig *c, const char *v, GError **e)
{
  g_strfreev (c->plugin_path);
  c->plugin_path = g_strsplit (v, G_SEARCHPATH_SEPARATOR_S, -1);
  return TRUE;
}

static gboolean
parse_segment_duration (VpkConfig *c, const char *v, GError **e)
{
  char *end = NULL;
  double seconds = g_ascii_strtod (v, &end);

  if (end == v || *end != '\0' || !isfinite (seconds) || seconds < 0.5 || seconds > 60.0)
    return set_error (e, "'%s' is not a duration in seconds from 0.5 to 60", v);
  c->package.segment_duration_ms = (guint) lround (seconds * 1000.0);
  return TRUE;
}

static gboolean
parse_profile (VpkConfig *c, const char *v, GError **e)
{
  if (!vpk_profile_from_string (v, &c->package.profile))
    return set_error (e, "'%s' is not a profile (live or on-demand)", v);
  return TRUE;
}

static gboolean
parse_scheme (VpkConfig *c, const char *v, GError **e)
{
  if (!vpk_scheme_from_string (v, &c->package.scheme))
    return set_error (e, "'%s' is not a scheme (cbcs or cenc)", v);
  return TRUE;
}

static gboolean
parse_encrypt_tracks (VpkConfig *c, const char *v, GError **e)
{
  if (!vpk_encrypt_tracks_from_string (v, &c->package.encrypt))
    return set_error (e, "'%s' is not a track choice (video or all)", v);
  return TRUE;
}

static gboolean
parse_boolean (gboolean *out, const char *v, GError **e)
{
  if (g_ascii_strcasecmp (v, "true") == 0 || g_ascii_strcasecmp (v, "yes") == 0 ||
      g_strcmp0 (v, "1") == 0 || g_ascii_strcasecmp (v, "on") == 0) {
    *out = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp (v, "false") == 0 || g_ascii_strcasecmp (v, "no") == 0 ||
      g_strcmp0 (v, "0") == 0 || g_ascii_strcasecmp (v, "off") == 0) {
    *out = FALSE;
    return TRUE;
  }
  return set_error (e, "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", v);
}

static gboolean
parse_single_pass (VpkConfig *c, const char *v, GError **e)
{
  return parse_boolean (&c->single_pass, v, e);
}

static gboolean
parse_verify (VpkConfig *c, const char *v, GError **e)
{
  return parse_boolean (&c->package.verify, v, e);
}

static gboolean
parse_template (VpkConfig *c, const char *v, GError **e)
{
  if (g_ascii_strcasecmp (v, "number") == 0)
    c->package.use_time_template = FALSE;
  else if (g_ascii_strcasecmp (v, "time") == 0)
    c->package.use_time_template = TRUE;
  else
    return set_error (e, "'%s' is not a segment template (number or time)", v);
  return TRUE;
}

static gboolean
parse_license_url (VpkConfig *c, const char *v, GError **e)
{
  if (!g_str_has_prefix (v, "http://") && !g_str_has_prefix (v, "https://"))
    return set_error (e, "'%s' is not an http:// or https:// URL", v);
  g_free (c->package.license_url);
  c->package.license_url = g_strdup (v);
  return TRUE;
}

static gboolean
parse_listen (VpkConfig *c, const char *v, GError **e)
{
  const char *colon = strrchr (v, ':');
  guint64 port;

  if (colon == NULL || colon == v ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return set_error (e, "'%s' is not HOST:PORT", v);
  g_free (c->listen);
  c->listen = g_strdup (v);
  return TRUE;
}

static gboolean
parse_uint_range (guint *out, const char *v, guint min, guint max, GError **e)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL)) {
    g_set_error (e, VPK_ERROR, VPK_ERROR_CONFIG, "'%s' is not a whole number from %u to %u",
                 v, min, max);
    return FALSE;
  }
  *out = (guint) n;
  return TRUE;
}

static gboolean
parse_workers (VpkConfig *c, const char *v, GError **e)
{
  return parse_uint_range (&c->workers, v, 0, 64, e);
}

static gboolean
parse_lease (VpkConfig *c, const char *v, GError **e)
{
  return parse_uint_range (&c->lease_seconds, v, 2, 3600, e);
}

static gboolean
parse_attempts (VpkConfig *c, const char *v, GError **e)
{
  return parse_uint_range (&c->max_attempts, v, 1, 100, e);
}

/* A byte count with an optional K, M, G or T suffix (powers of 1024). */
static gboolean
parse_size (VpkConfig *c, const char *v, GError **e)
{
  g_autofree char *digits = g_strdup (v);
  gsize len = strlen (digits);
  guint shift = 0;
  guint64 n;

  if (len > 0) {
    switch (g_ascii_toupper (digits[len - 1])) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: break;
    }
    if (shift > 0)
      digits[len - 1] = '\0';
  }
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT64 >> shift, &n, NULL))
    return set_error (e, "'%s' is not a size (bytes, or a number with K, M, G or T)", v);
  c->max_upload_size = n << shift;
  return TRUE;
}

static gboolean
parse_public_url (VpkConfig *c, const char *v, GError **e)
{
  if (!g_str_has_prefix (v, "http://") && !g_str_has_prefix (v, "https://"))
    return set_error (e, "'%s' is not an http:// or https:// URL", v);
  g_free (c->public_url);
  c->public_url = g_strdup (v);
  return TRUE;
}

static gboolean
parse_role (VpkConfig *c, const char *v, GError **e)
{
  if (g_strcmp0 (v, "all") == 0)
    c->role = VPK_ROLE_ALL;
  else if (g_strcmp0 (v, "api") == 0)
    c->role = VPK_ROLE_API;
  else if (g_strcmp0 (v, "worker") == 0)
    c->role = VPK_ROLE_WORKER;
  else
    return set_error (e, "'%s' is not a role (all, api or worker)", v);
  return TRUE;
}

char *
vpk_config_parse_token_hash (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *hex = NULL;

  if (strlen (copy) != VPK_TOKEN_HASH_LEN ||
      g_ascii_strncasecmp (copy, VPK_TOKEN_HASH_PREFIX, strlen (VPK_TOKEN_HASH_PREFIX)) != 0)
    return NULL;
  hex = g_ascii_strdown (copy + strlen (VPK_TOKEN_HASH_PREFIX), -1);
  for (const char *p = hex; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  return g_strconcat (VPK_TOKEN_HASH_PREFIX, hex, NULL);
}

/* A comma-separated list of token hashes; an empty value means none. The
 * message never quotes the value: a token pasted by mistake must not be logged. */
static gboolean
parse_api_tokens (VpkConfig *c, const char *v, GError **e)
{
  g_auto(GStrv) parts = g_strsplit (v, ",", -1);
  g_autoptr(GStrvBuilder) hashes = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++) {
    g_autofree char *hash = NULL;

    if (*g_strstrip (parts[i]) == '\0')
      continue;
    hash = vpk_config_parse_token_hash (parts[i]);
    if (hash == NULL)
      return set_error (e, "item %u is not sha256:<64 hex digits> (store the hash of a token, "
                        "never the token: see `vpack token`)", i + 1);
    g_strv_builder_add (hashes, hash);
    n++;
  }
  g_clear_pointer (&c->api_tokens, g_strfreev);
  if (n > 0)
    c->api_tokens = g_strv_builder_end (hashes);
  return TRUE;
}

static gboolean
parse_legacy_routes (VpkConfig *c, const char *v, GError **e)
{
  if (g_strcmp0 (v, "token") == 0)
    c->legacy_routes = VPK_LEGACY_ROUTES_TOKEN;
  else if (g_strcmp0 (v, "open") == 0)
    c->legacy_routes = VPK_LEGACY_ROUTES_OPEN;
  else if (g_strcmp0 (v, "off") == 0)
    c->legacy_routes = VPK_LEGACY_ROUTES_OFF;
  else
    return set_error (e, "'%s' is not token, open or off", v);
  return TRUE;
}

static gboolean
parse_database_url (VpkConfig *c, const char *v, GError **e)
{
  if (!g_str_has_prefix (v, "mariadb://") && !g_str_has_prefix (v, "mysql://"))
    return set_error (e, "'%s' is not a mariadb://USER:PASSWORD@HOST:PORT/DATABASE URL", v);
  g_free (c->database_url);
  c->database_url = g_strdup (v);
  return TRUE;
}

static gboolean
parse_state_dir (VpkConfig *c, const char *v, GError **e)
{
  g_free (c->state_dir);
  if (g_str_has_prefix (v, "~/"))
    c->state_dir = g_build_filename (g_get_home_dir (), v + 2, NULL);
  else
    c->state_dir = g_canonicalize_filename (v, NULL);
  return TRUE;
}

static const CoreKey core_keys[] = {
  { "pipeline", "ingest", "native, gst", parse_ingest },
  { "pipeline", "fragment", "native, gst", parse_fragment },
  { "pipeline", "encrypt", "native", parse_encrypt_stage },
  { "pipeline", "package", "native", parse_package_stage },
  { "pipeline", "plugin_path", NULL, parse_plugin_path },
  { "pipeline", "single_pass", "true", parse_single_pass },
  { "package", "segment_duration", "4", parse_segment_duration },
  { "package", "profile", "live", parse_profile },
  { "package", "scheme", "cbcs", parse_scheme },
  { "package", "encrypt", "video", parse_encrypt_tracks },
  { "package", "verify", "true", parse_verify },
  { "package", "segment_template", "number", parse_template },
  { "package", "license_url", NULL, parse_license_url },
  { "server", "listen", "127.0.0.1:8080", parse_listen },
  { "server", "workers", "2", parse_workers },
  { "server", "max_upload_size", "4G", parse_size },
  { "server", "public_url", NULL, parse_public_url },
  { "server", "lease_seconds", "30", parse_lease },
  { "server", "max_attempts", "3", parse_attempts },
  { "server", "role", "all", parse_role },
  { "server", "api_tokens", NULL, parse_api_tokens },
  { "server", "legacy_routes", "token", parse_legacy_routes },
  { "database", "url", NULL, parse_database_url },
  { "storage", "state_dir", NULL, parse_state_dir },
};

static const char *const core_groups[] = { "pipeline", "package", "server", "database", "storage" };

gboolean
vpk_config_is_core_group (const char *group)
{
  for (guint i = 0; i < G_N_ELEMENTS (core_groups); i++)
    if (g_strcmp0 (core_groups[i], group) == 0)
      return TRUE;
  return FALSE;
}

static const CoreKey *
find_core_key (const char *group,
               const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (core_keys); i++)
    if (g_strcmp0 (core_keys[i].group, group) == 0 && g_strcmp0 (core_keys[i].key, key) == 0)
      return &core_keys[i];
  return NULL;
}

static char *
default_state_dir (void)
{
  /* root runs the service system-wide; anyone else keeps it in their own home. */
  if (geteuid () == 0)
    return g_strdup ("/var/lib/vpack");
  return g_build_filename (g_get_user_data_dir (), "vpack", NULL);
}

/**
 * vpk_config_new_default:
 *
 * Returns: (transfer full): the configuration used with no file at all.
 */
VpkConfig *
vpk_config_new_default (void)
{
  VpkConfig *config = g_new0 (VpkConfig, 1);

  config->keyfile = g_key_file_new ();
  config->state_dir = default_state_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (core_keys); i++) {
    const CoreKey *k = &core_keys[i];
    g_autoptr(GError) error = NULL;

    if (k->default_value != NULL && !k->parse (config, k->default_value, &error))
      g_error ("Built-in default of [%s] %s is invalid: %s", k->group, k->key, error->message);
  }
  return config;
}

void
vpk_config_free (VpkConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_clear_pointer (&config->keyfile, g_key_file_unref);
  for (guint i = 0; i < VPK_STAGE_N_KINDS; i++)
    g_strfreev (config->stages[i]);
  g_strfreev (config->plugin_path);
  g_free (config->package.license_url);
  g_free (config->listen);
  g_free (config->public_url);
  g_strfreev (config->api_tokens);
  g_free (config->database_url);
  g_free (config->state_dir);
  g_free (config);
}

static gboolean
apply_key (VpkConfig   *config,
           const char  *file,
           const char  *group,
           const char  *key,
           const char  *value,
           GError     **error)
{
  const CoreKey *k = find_core_key (group, key);
  g_autoptr(GError) local_error = NULL;

  if (k == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "%s: [%s] has no key '%s'", file, group, key);
    return FALSE;
  }
  if (!k->parse (config, value, &local_error)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "%s: [%s] %s: %s", file, group, key,
                 local_error->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
apply_keyfile (VpkConfig  *config,
               GError    **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (config->keyfile, NULL);

  for (guint i = 0; groups[i] != NULL; i++) {
    g_auto(GStrv) keys = NULL;

    if (!vpk_config_is_core_group (groups[i]))
      continue;  /* a backend's group: checked against its option table at load */
    keys = g_key_file_get_keys (config->keyfile, groups[i], NULL, NULL);
    for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
      g_autofree char *value = g_key_file_get_string (config->keyfile, groups[i], keys[j], NULL);

      if (value == NULL)
        value = g_strdup ("");
      if (!apply_key (config, config->path, groups[i], keys[j], g_strstrip (value), error))
        return FALSE;
    }
  }
  return TRUE;
}

VpkConfig *
vpk_config_load (const char  *path,
                 GError     **error)
{
  g_autoptr(VpkConfig) config = vpk_config_new_default ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  config->path = g_strdup (path);
  if (!g_key_file_load_from_file (config->keyfile, path, G_KEY_FILE_NONE, &local_error)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "Cannot read the config file '%s': %s",
                 path, local_error->message);
    return NULL;
  }
  if (!apply_keyfile (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

gboolean
vpk_config_set (VpkConfig   *config,
                const char  *assignment,
                GError     **error)
{
  const char *eq = strchr (assignment, '=');
  const char *dot = strchr (assignment, '.');
  g_autofree char *group = NULL;
  g_autofree char *key = NULL;

  if (eq == NULL || dot == NULL || dot > eq || dot == assignment || eq == dot + 1) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "'%s' is not GROUP.KEY=VALUE (e.g. package.scheme=cenc)", assignment);
    return FALSE;
  }
  group = g_strndup (assignment, dot - assignment);
  key = g_strndup (dot + 1, eq - dot - 1);
  g_key_file_set_string (config->keyfile, group, key, eq + 1);
  if (!vpk_config_is_core_group (group))
    return TRUE;  /* checked with the backend's table when the pipeline loads */
  return apply_key (config, "--set", group, key, eq + 1, error);
}

const char *
vpk_role_to_string (VpkRole role)
{
  switch (role) {
  case VPK_ROLE_API:
    return "api";
  case VPK_ROLE_WORKER:
    return "worker";
  case VPK_ROLE_ALL:
  default:
    return "all";
  }
}
