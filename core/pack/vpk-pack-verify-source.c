/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pack/vpk-pack-verify-private.h"
#include "pack/vpk-pack-io.h"

#include <openssl/evp.h>

/* The source side of `vpack verify --source`: each packaged track is matched
 * with the source track of the same kind and rank among the packageable
 * tracks of that kind (the order every fragmenter keeps), and the SHA-256 of
 * each of its samples is computed once, streaming, without keeping the bytes. */

#define BATCH_BYTES (4 * 1024 * 1024)

/* The @rank-th packageable track of its kind across @sources, in order. */
static gint
find_source_track (GPtrArray     *sources,
                   gboolean       video,
                   guint          rank,
                   VpkMp4Movie  **out_movie)
{
  for (guint m = 0; m < sources->len; m++) {
    VpkMp4Movie *movie = sources->pdata[m];

    for (guint i = 0; i < movie->tracks->len; i++) {
      const VpkMp4Track *t = movie->tracks->pdata[i];

      if (!vpk_mp4_track_is_packageable (t) || vpk_mp4_track_is_video (t) != video)
        continue;
      if (rank-- == 0) {
        *out_movie = movie;
        return (gint) i;
      }
    }
  }
  return -1;
}

/* SHA-256 through OpenSSL, which uses the CPU's SHA extensions: GLib's portable
 * SHA-256 made hashing most of the cost of `[package] verify`. */
void
vpk_pack_verify_hash (const guint8 *data,
                      gsize         size,
                      guint8        out_digest[VPK_PACK_VERIFY_HASH_SIZE])
{
  unsigned int len = VPK_PACK_VERIFY_HASH_SIZE;

  if (EVP_Digest (data, size, out_digest, &len, EVP_sha256 (), NULL) != 1)
    g_error ("SHA-256 failed");  /* only on allocation failure, like g_malloc */
}

static void
hash_batch (const guint8        *data,
            const VpkMp4Sample  *samples,
            guint                n,
            GByteArray          *hashes)
{
  gsize pos = 0;

  for (guint i = 0; i < n; i++) {
    guint8 digest[VPK_PACK_VERIFY_HASH_SIZE];

    vpk_pack_verify_hash (data + pos, samples[i].size, digest);
    g_byte_array_append (hashes, digest, sizeof digest);
    pos += samples[i].size;
  }
}

static gboolean
hash_samples (int            fd,
              GArray        *samples,
              GCancellable  *cancellable,
              GByteArray    *hashes,
              GError       **error)
{
  const VpkMp4Sample *s = (const VpkMp4Sample *) samples->data;
  g_autoptr(GByteArray) batch = g_byte_array_new ();
  guint i = 0;

  while (i < samples->len) {
    guint j = i;
    guint64 bytes = 0;

    while (j < samples->len && (j == i || bytes + s[j].size <= BATCH_BYTES))
      bytes += s[j++].size;
    g_byte_array_set_size (batch, 0);
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !vpk_pack_read_samples (fd, s + i, j - i, batch, error))
      return FALSE;
    hash_batch (batch->data, s + i, j - i, hashes);
    i = j;
  }
  return TRUE;
}

gboolean
vpk_pack_verify_hash_source (VpkPackVerifier     *v,
                             VpkPackVerifyTrack  *t,
                             guint                rank,
                             GError             **error)
{
  gboolean video = vpk_mp4_track_is_video (t->track);
  VpkMp4Movie *movie = NULL;
  gint index = find_source_track (v->sources, video, rank, &movie);
  VpkMp4Track *src;
  GByteArray *hashes;
  char a[5], b[5];

  if (!video && !vpk_mp4_track_is_audio (t->track))
    return vpk_pack_verify_fail (error, "track %u is neither video nor audio: it cannot be "
                                 "compared with the source", t->track->track_id);
  if (index < 0)
    return vpk_pack_verify_fail (error, "track %u is %s track %u of the package, the source "
                                 "has no such track", t->track->track_id, t->kind, rank + 1);
  src = movie->tracks->pdata[index];
  if (src->codec != t->track->codec)
    return vpk_pack_verify_fail (error, "track %u is '%s', its source track %u is '%s'",
                                 t->track->track_id, vpk_mp4_fourcc_to_string (t->track->codec, a),
                                 src->track_id, vpk_mp4_fourcc_to_string (src->codec, b));
  if (!vpk_mp4_movie_load_samples (movie, index, error)) {
    g_prefix_error (error, "source track %u: ", src->track_id);
    return FALSE;
  }
  hashes = g_byte_array_sized_new (src->samples->len * VPK_PACK_VERIFY_HASH_SIZE);
  if (!hash_samples (movie->fd, src->samples, v->cancellable, hashes, error)) {
    g_byte_array_unref (hashes);
    g_clear_pointer (&src->samples, g_array_unref);
    return FALSE;
  }
  g_clear_pointer (&src->samples, g_array_unref);
  g_clear_pointer (&t->source_hashes, g_byte_array_unref);
  t->source_hashes = hashes;
  t->source_track_id = src->track_id;
  return TRUE;
}

gboolean
vpk_pack_verify_check_counts (VpkPackVerifier  *v,
                              GError          **error)
{
  for (guint i = 0; i < v->tracks->len; i++) {
    const VpkPackVerifyTrack *t = v->tracks->pdata[i];
    guint64 n_source;

    if (t->source_hashes == NULL)
      continue;
    n_source = t->source_hashes->len / VPK_PACK_VERIFY_HASH_SIZE;
    if (t->n_samples != n_source)
      return vpk_pack_verify_fail (error, "track %u (%s) has %" G_GUINT64_FORMAT " samples, its "
                                   "source track %u has %" G_GUINT64_FORMAT, t->track->track_id,
                                   t->kind, t->n_samples, t->source_track_id, n_source);
  }
  return TRUE;
}
