/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-option-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static gboolean
parse_uint (const char  *value,
            guint64     *out,
            GError     **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &v, NULL)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "'%s' is not a non-negative whole number", value);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

static gboolean
parse_double (const char  *value,
              double      *out,
              GError     **error)
{
  char *end = NULL;
  double v;

  errno = 0;
  v = g_ascii_strtod (value, &end);
  if (errno != 0 || end == value || *end != '\0' || !isfinite (v)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "'%s' is not a number", value);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

static gboolean
parse_bool (const char  *value,
            gboolean    *out,
            GError     **error)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };

  for (guint i = 0; yes[i] != NULL; i++) {
    if (g_ascii_strcasecmp (value, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp (value, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
               "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", value);
  return FALSE;
}

gboolean
vpk_option_parse_value (const VpkOption  *option,
                        gpointer          instance,
                        const char       *value,
                        GError          **error)
{
  gpointer field = G_STRUCT_MEMBER_P (instance, option->offset);

  switch (option->type) {
  case VPK_OPTION_STRING:
    g_free (*(char **) field);
    *(char **) field = g_strdup (value);
    return TRUE;
  case VPK_OPTION_PATH:
    g_free (*(char **) field);
    if (g_str_has_prefix (value, "~/"))
      *(char **) field = g_build_filename (g_get_home_dir (), value + 2, NULL);
    else
      *(char **) field = g_strdup (value);
    return TRUE;
  case VPK_OPTION_UINT:
    return parse_uint (value, field, error);
  case VPK_OPTION_DOUBLE:
    return parse_double (value, field, error);
  case VPK_OPTION_BOOL:
    return parse_bool (value, field, error);
  default:
    g_set_error (error, VPK_ERROR, VPK_ERROR_PLUGIN, "Option '%s' has an unknown type %d",
                 option->name, option->type);
    return FALSE;
  }
}

static const VpkOption *
find_option (const VpkOption *options,
             const char      *name)
{
  for (const VpkOption *o = options; o != NULL && o->name != NULL; o++)
    if (g_strcmp0 (o->name, name) == 0)
      return o;
  return NULL;
}

gboolean
vpk_option_table_check_keys (const VpkOption  *options,
                             GKeyFile         *keyfile,
                             const char       *group,
                             const char       *file,
                             GError          **error)
{
  g_auto(GStrv) keys = NULL;

  if (keyfile == NULL || !g_key_file_has_group (keyfile, group))
    return TRUE;

  keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    if (find_option (options, keys[i]) == NULL) {
      g_autoptr(GString) known = g_string_new (NULL);

      for (const VpkOption *o = options; o != NULL && o->name != NULL; o++)
        g_string_append_printf (known, "%s%s", known->len > 0 ? ", " : "", o->name);
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                   "%s: [%s] has no key '%s' (known keys: %s)", file, group, keys[i],
                   known->len > 0 ? known->str : "none");
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
vpk_option_table_apply (const VpkOption  *options,
                        gpointer          instance,
                        GKeyFile         *keyfile,
                        const char       *group,
                        const char       *file,
                        GError          **error)
{
  if (!vpk_option_table_check_keys (options, keyfile, group, file, error))
    return FALSE;

  for (const VpkOption *o = options; o != NULL && o->name != NULL; o++) {
    g_autofree char *value = NULL;
    g_autoptr(GError) local_error = NULL;

    if (keyfile != NULL)
      value = g_key_file_get_string (keyfile, group, o->name, NULL);
    if (value == NULL && o->default_value == NULL)
      continue;

    if (!vpk_option_parse_value (o, instance, value != NULL ? value : o->default_value,
                                 &local_error)) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "%s: [%s] %s: %s",
                   value != NULL ? file : "built-in default", group, o->name,
                   local_error->message);
      return FALSE;
    }
  }
  return TRUE;
}

void
vpk_option_table_clear (const VpkOption *options,
                        gpointer         instance)
{
  for (const VpkOption *o = options; o != NULL && o->name != NULL; o++) {
    if (o->type == VPK_OPTION_STRING || o->type == VPK_OPTION_PATH)
      g_clear_pointer ((char **) G_STRUCT_MEMBER_P (instance, o->offset), g_free);
  }
}
