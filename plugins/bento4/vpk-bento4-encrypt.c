/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

#include <string.h>

/* encrypt: `mp4encrypt --method MPEG-CBCS|MPEG-CENC --key T:KEY:IV
 * --property T:KID:KID ... --pssh-v1 W3C: IN OUT` for every fragmented file.
 *
 * The track ids come from mp4info on each file rather than from the ingest's
 * media info: another backend may have fragmented the source into one file
 * per track, numbered its own way.
 *
 * Keys on argv: mp4encrypt takes the key only on its command line, so while
 * it runs the key can be read from /proc/PID/cmdline by the same user (and by
 * root). docs/bento4.md says so; the work folders are 0700, and the argv
 * strings holding key material are wiped when freed. */

/* The W3C common PSSH (https://w3c.github.io/encrypted-media/format-registry/initdata/cenc.html) */
#define W3C_COMMON_SYSTEM_ID "1077efecc0b24d02ace33c1e52e2fb4b"

static void
wipe_free (gpointer data)
{
  char *text = data;

  if (text != NULL)
    explicit_bzero (text, strlen (text));
  g_free (text);
}

static gboolean
wants_track (const VpkTrackInfo *track,
             VpkEncryptTracks    which)
{
  return track->kind == VPK_TRACK_VIDEO ||
         (which == VPK_ENCRYPT_ALL && track->kind == VPK_TRACK_AUDIO);
}

/* cbcs: mp4encrypt uses the 16-byte IV as the track's constant IV (tenc);
 * cenc: an 8-byte IV that mp4encrypt counts up per sample. */
static gboolean
add_track_key (GPtrArray          *args,
               const VpkTrackInfo *track,
               VpkScheme           scheme,
               const char         *kid_hex,
               const char         *key_hex,
               GError            **error)
{
  g_autofree char *iv_hex = NULL;
  VpkKey iv;

  if (!vpk_key_generate (&iv, error))
    return FALSE;
  iv_hex = vpk_key_format (&iv, VPK_KEY_FORMAT_HEX);
  if (scheme == VPK_SCHEME_CENC)
    iv_hex[16] = '\0';
  g_ptr_array_add (args, g_strdup ("--key"));
  g_ptr_array_add (args, g_strdup_printf ("%u:%s:%s", track->id, key_hex, iv_hex));
  g_ptr_array_add (args, g_strdup ("--property"));
  g_ptr_array_add (args, g_strdup_printf ("%u:KID:%s", track->id, kid_hex));
  return TRUE;
}

static GPtrArray *
build_argv (const VpkBento4          *b,
            const VpkMediaInfo       *tracks,
            const VpkPackageOptions  *options,
            const VpkKey             *kid,
            const VpkKey             *key,
            guint                    *out_n_keys,
            GError                  **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (wipe_free);
  g_autofree char *kid_hex = vpk_key_format (kid, VPK_KEY_FORMAT_HEX);
  char *key_hex = vpk_key_format (key, VPK_KEY_FORMAT_HEX);
  guint n_keys = 0;
  gboolean ok = TRUE;

  g_ptr_array_add (args, g_strdup (b->mp4encrypt));
  g_ptr_array_add (args, g_strdup ("--method"));
  g_ptr_array_add (args, g_strdup (options->scheme == VPK_SCHEME_CENC ? "MPEG-CENC" : "MPEG-CBCS"));
  for (guint i = 0; ok && i < tracks->tracks->len; i++) {
    const VpkTrackInfo *track = g_ptr_array_index (tracks->tracks, i);

    if (!wants_track (track, options->encrypt))
      continue;
    ok = add_track_key (args, track, options->scheme, kid_hex, key_hex, error);
    n_keys++;
  }
  wipe_free (key_hex);
  if (!ok)
    return NULL;
  /* mp4encrypt wants --pssh-v1 after the --property options (it reads the KIDs). */
  g_ptr_array_add (args, g_strdup ("--pssh-v1"));
  g_ptr_array_add (args, g_strdup (W3C_COMMON_SYSTEM_ID ":"));
  *out_n_keys = n_keys;
  return g_steal_pointer (&args);
}

/* A file with no track to encrypt (the audio file of a per-track layout when
 * only video is encrypted) is passed on unchanged. */
static gboolean
copy_file (const char    *input,
           const char    *output,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFile) from = g_file_new_for_path (input);
  g_autoptr(GFile) to = g_file_new_for_path (output);

  return g_file_copy (from, to, G_FILE_COPY_NONE, cancellable, NULL, NULL, error);
}

static gboolean
encrypt_file (const VpkBento4  *b,
              VpkJob           *job,
              const char       *input,
              const char       *output,
              const VpkKey     *kid,
              const VpkKey     *key,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(VpkMediaInfo) tracks = NULL;
  g_autoptr(GPtrArray) args = NULL;
  guint n_keys = 0;

  tracks = vpk_bento4_probe (b, input, cancellable, error);
  if (tracks == NULL)
    return FALSE;
  args = build_argv (b, tracks, vpk_job_get_options (job), kid, key, &n_keys, error);
  if (args == NULL)
    return FALSE;
  if (n_keys == 0)
    return copy_file (input, output, cancellable, error);

  g_ptr_array_add (args, g_strdup (input));
  g_ptr_array_add (args, g_strdup (output));
  g_ptr_array_add (args, NULL);
  return vpk_bento4_run_tool (b, (const char * const *) args->pdata, NULL, cancellable, error);
}

static gboolean
encrypt_files (const VpkBento4     *b,
               VpkJob              *job,
               const char * const  *inputs,
               const VpkKey        *kid,
               const VpkKey        *key,
               GCancellable        *cancellable,
               GError             **error)
{
  g_autofree char *dir = vpk_job_make_stage_dir (job, "encrypt", error);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length ((char **) inputs);

  if (dir == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++) {
    g_autofree char *base = g_path_get_basename (inputs[i]);
    char *output = g_build_filename (dir, base, NULL);

    g_ptr_array_add (outputs, output);
    vpk_job_report_progress (job, VPK_STAGE_ENCRYPT, (double) i / n);
    if (!encrypt_file (b, job, inputs[i], output, kid, key, cancellable, error)) {
      g_prefix_error (error, "'%s': ", inputs[i]);
      return FALSE;
    }
  }
  g_ptr_array_add (outputs, NULL);
  vpk_job_set_artifact (job, VPK_ARTIFACT_ENCRYPTED, (const char * const *) outputs->pdata);
  vpk_job_report_progress (job, VPK_STAGE_ENCRYPT, 1.0);
  return TRUE;
}

/**
 * vpk_bento4_encrypt:
 *
 * Encrypts every file of the fragmented artifact into `<workdir>/encrypt/`
 * under the same name: the video track, or every audio and video track with
 * `encrypt = all`, with the job's key and KID.
 */
gboolean
vpk_bento4_encrypt (gpointer       self,
                    VpkJob        *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const char * const *inputs = vpk_job_get_artifact (job, VPK_ARTIFACT_FRAGMENTED);
  VpkKey kid, key;
  gboolean ok;

  if (inputs == NULL || inputs[0] == NULL)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "The job has no fragmented file to encrypt"), FALSE;
  if (!vpk_job_get_keys (job, &kid, &key))
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                        "The job has no key to encrypt with"), FALSE;

  ok = encrypt_files (self, job, inputs, &kid, &key, cancellable, error);
  vpk_key_clear (&key);
  return ok;
}
