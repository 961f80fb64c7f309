/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack verify PATH --key K --kid KID [--source INPUT] [--json] [--dump-hashes]`:
 * reads a package (a folder with stream.mpd) or one encrypted fragmented MP4
 * back, decrypts every sample and, with --source, compares each with the input's. */
#include "vpk-cli.h"

#include <json-glib/json-glib.h>

#include "pack/vpk-pack-verify-samples.h"

typedef struct {
  char     *path;
  char     *key;
  char     *kid;
  char     *source;
  gboolean  json;
  gboolean  dump_hashes;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->path);
  g_free (a->key);
  g_free (a->kid);
  g_free (a->source);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static gboolean
parse_args (Args *a, int *argc, char ***argv)
{
  const GOptionEntry entries[] = {
    { "key", 'k', 0, G_OPTION_ARG_STRING, &a->key, "Content key (base64url, base64, hex or UUID)", "KEY" },
    { "kid", 'i', 0, G_OPTION_ARG_STRING, &a->kid, "Key ID the content must carry (same forms)", "KID" },
    { "source", 0, 0, G_OPTION_ARG_FILENAME, &a->source, "Compare every sample with this input", "INPUT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a->json, "Print the result as JSON", NULL },
    { "dump-hashes", 0, 0, G_OPTION_ARG_NONE, &a->dump_hashes,
      "Print the MD5 of each decrypted sample: track, track id, sample, size, md5", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
      g_option_context_new ("PATH - check an encrypted DASH package (or MP4) against its key");

  g_option_context_set_description (context,
      "PATH is a folder holding stream.mpd, or one fragmented, encrypted MP4 file.\n"
      "Exit status: 0 verified, 1 usage, 2 verification failed or bad input, 3 internal error.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, argc, argv, "verify"))
    return FALSE;
  if (*argc != 2 || a->key == NULL || a->kid == NULL) {
    g_printerr ("vpack verify: give PATH, --key and --kid (see `vpack verify --help`)\n");
    return FALSE;
  }
  a->path = g_strdup ((*argv)[1]);
  return TRUE;
}

static void
dump_hash (const VpkPackVerifySample *sample,
           gpointer                   user_data)
{
  g_autofree char *md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, sample->data,
                                                       sample->size);

  g_print ("%u %u %" G_GUINT64_FORMAT " %" G_GSIZE_FORMAT " %s\n", sample->track_index,
           sample->track_id, sample->index, sample->size, md5);
}

static void
add_uint (JsonBuilder *b,
          const char  *name,
          guint64      value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, (gint64) value);
}

static void
print_json (const Args                 *a,
            const VpkPackVerifyReport  *report,
            const GError               *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, a->path);
  json_builder_set_member_name (b, "verified");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL) {
    json_builder_set_member_name (b, "error");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "code");
    json_builder_add_string_value (b, error->domain == VPK_ERROR ?
                                   vpk_error_code_to_string (error->code) : "failed");
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, error->message);
    json_builder_end_object (b);
  } else {
    add_uint (b, "representations", report->n_representations);
    add_uint (b, "segments", report->n_segments);
    add_uint (b, "samples", report->n_samples);
    add_uint (b, "decrypted", report->n_encrypted_samples);
    add_uint (b, "compared", report->n_compared_samples);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static void
print_summary (const Args                 *a,
               const VpkPackVerifyReport  *r)
{
  g_autofree char *compared = a->source != NULL
      ? g_strdup_printf (", %" G_GUINT64_FORMAT " compared with %s", r->n_compared_samples,
                         a->source)
      : g_strdup ("");

  g_print ("%s: verified: %u representations, %u segments, %" G_GUINT64_FORMAT " samples, %"
           G_GUINT64_FORMAT " decrypted%s\n", a->path, r->n_representations, r->n_segments,
           r->n_samples, r->n_encrypted_samples, compared);
}

int
vpk_cli_verify (int argc, char **argv)
{
  const char *sources[2] = { NULL, NULL };
  g_auto(Args) a = { 0 };
  g_autoptr(GError) error = NULL;
  VpkPackVerifyReport report = { 0 };
  VpkKey kid, key;
  gboolean ok;

  if (!parse_args (&a, &argc, &argv))
    return VPK_EXIT_USAGE;
  if (!vpk_key_parse (a.kid, "kid", &kid, &error) || !vpk_key_parse (a.key, "key", &key, &error)) {
    g_printerr ("vpack verify: %s\n", error->message);
    return VPK_EXIT_USAGE;
  }
  if (!g_file_test (a.path, G_FILE_TEST_EXISTS)) {
    g_printerr ("vpack verify: '%s' does not exist\n", a.path);
    return VPK_EXIT_INPUT;
  }
  sources[0] = a.source;
  ok = vpk_pack_verify_full (a.path, &kid, &key, sources, a.dump_hashes ? dump_hash : NULL,
                             NULL, NULL, &report, &error);
  vpk_key_clear (&key);
  if (a.json)
    print_json (&a, &report, ok ? NULL : error);
  if (!ok)
    return vpk_cli_fail ("verify", error);
  if (!a.json)
    print_summary (&a, &report);
  return VPK_EXIT_OK;
}
