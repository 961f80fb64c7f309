/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Fragmented MP4 in, CENC-encrypted fragmented MP4 out (ISO/IEC 23001-7):
 * sample entries become encv/enca with sinf (frma, schm, schi/tenc), a W3C
 * common pssh joins the moov, and each encrypted traf gets saiz, saio and senc.
 * Sample sizes do not change, so the mdat is streamed through fragment by
 * fragment. */

#include <gio/gio.h>
#include <vpack/vpk.h>

#include "mp4/vpk-mp4-fragments.h"

G_BEGIN_DECLS

typedef void (*VpkPackProgressFunc) (double fraction, gpointer user_data);

typedef struct {
  VpkScheme        scheme;
  VpkEncryptTracks tracks;
  VpkKey           kid;
  VpkKey           key;
  /* NULL: a random IV per track (always, for content). Tests set one to
   * compare outputs byte for byte; every track then starts at this IV. */
  const guint8    *iv;
  guint            iv_size;
} VpkPackEncryptParams;

/**
 * VpkPackEncryptor:
 *
 * The encryption of one fragmented stream, fragment by fragment, wherever
 * the fragments come from (a file, or vpk_mp4_fragment_plan_next()).
 */
typedef struct _VpkPackEncryptor VpkPackEncryptor;

/* Rewrites @moov's sample entries (encv/enca + sinf) and adds the common pssh. */
VPK_API VpkPackEncryptor *vpk_pack_encryptor_new (VpkMp4Box                   *moov,
                                                  const VpkPackEncryptParams  *params,
                                                  GError                     **error);
VPK_API void              vpk_pack_encryptor_free (VpkPackEncryptor *enc);
/* Tracks of the moov that are encrypted (0: everything stays clear). */
VPK_API guint             vpk_pack_encryptor_get_n_protected (VpkPackEncryptor *enc);
/* Appends the data of @fragment's samples (read from @fd) to @payload,
 * encrypted for protected tracks, and adds saiz/saio/senc to their trafs;
 * then write vpk_pack_fragment_head() and @payload. */
VPK_API gboolean          vpk_pack_encryptor_process (VpkPackEncryptor  *enc,
                                                      int                fd,
                                                      VpkMp4Fragment    *fragment,
                                                      GByteArray        *payload,
                                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpkPackEncryptor, vpk_pack_encryptor_free)

VPK_API gboolean vpk_pack_encrypt_file (const char                  *src,
                                        const char                  *dst,
                                        const VpkPackEncryptParams  *params,
                                        GCancellable                *cancellable,
                                        VpkPackProgressFunc          progress,
                                        gpointer                     progress_data,
                                        guint                       *out_n_encrypted,
                                        GError                     **error);

G_END_DECLS

G_BEGIN_DECLS

typedef struct _VpkMp4Box VpkMp4Box;

/* Serializes @moof followed by the header of an mdat of @payload_size bytes,
 * with trun data offsets and saio set. */
VPK_API GBytes  *vpk_pack_fragment_head (VpkMp4Box  *moof,
                                         GArray     *trex,
                                         gsize       payload_size,
                                         GError    **error);

/* Points each traf's saio at the first IV of its senc, relative to @moof
 * (default-base-is-moof). Call after any change that moves boxes in @moof. */
VPK_API gboolean vpk_pack_moof_fix_saio (VpkMp4Box  *moof,
                                         GError    **error);

G_END_DECLS
