/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack keygen`: a random KID and key in every form vpack accepts. */
#include "vpk-cli.h"

#include <json-glib/json-glib.h>

static const struct {
  VpkKeyFormat format;
  const char  *name;
} forms[] = {
  { VPK_KEY_FORMAT_BASE64URL, "base64url" },
  { VPK_KEY_FORMAT_BASE64, "base64" },
  { VPK_KEY_FORMAT_HEX, "hex" },
  { VPK_KEY_FORMAT_UUID, "uuid" },
};

static void
add_key (JsonBuilder  *b,
         const char   *member,
         const VpkKey *key)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
    g_autofree char *text = vpk_key_format (key, forms[i].format);

    json_builder_set_member_name (b, forms[i].name);
    json_builder_add_string_value (b, text);
  }
  json_builder_end_object (b);
}

static void
print_json (const VpkKey *kid,
            const VpkKey *key)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  add_key (b, "kid", kid);
  add_key (b, "key", key);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static void
print_text (const VpkKey *kid,
            const VpkKey *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
    g_autofree char *k = vpk_key_format (kid, forms[i].format);
    g_autofree char *v = vpk_key_format (key, forms[i].format);

    g_print ("kid %-9s %s\nkey %-9s %s\n", forms[i].name, k, forms[i].name, v);
  }
}

int
vpk_cli_keygen (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- make a random KID and key");
  g_autoptr(GError) error = NULL;
  VpkKey kid, key;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, &argc, &argv, "keygen"))
    return VPK_EXIT_USAGE;
  if (argc > 1) {
    g_printerr ("vpack keygen: takes no arguments\n");
    return VPK_EXIT_USAGE;
  }
  if (!vpk_key_generate (&kid, &error) || !vpk_key_generate (&key, &error))
    return vpk_cli_fail ("keygen", error);

  if (json)
    print_json (&kid, &key);
  else
    print_text (&kid, &key);
  vpk_key_clear (&key);
  return VPK_EXIT_OK;
}
