/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the Bento4 backend's tests: finding the real tools, making
 * media, running a pipeline, and checking a package with ffprobe and ffmpeg. */

#include "vpk.h"
#include "vpk-config.h"

G_BEGIN_DECLS

/* The example key and KID of the original service (base64url). */
#define BENTO4_TEST_KEY "hyN9IKGfWKdAwFaE5pm0qg"
#define BENTO4_TEST_KID "oW5AK5BW43HzbTSKpiu3SQ"

/* $VPACK_BENTO4_DIR, or NULL after g_test_skip() naming it. */
const char *bento4_test_tools_dir (void);
/* The path of @name in $VPACK_SHARED_MEDIA, or NULL after g_test_skip(). */
char       *bento4_test_shared_media (const char *name);

/* A fresh temporary folder; removed by bento4_test_rm_rf(). */
char       *bento4_test_tmpdir (void);
/* Writes a 4 s H.264 (1 keyframe/s) + AAC MP4 with ffmpeg into @dir. */
char       *bento4_test_make_media (const char *dir,
                                    gboolean    with_audio);

/* Runs @argv (no shell); returns stdout, or NULL when it fails (stderr in @error). */
char       *bento4_test_run (const char * const *argv,
                             GError            **error);

/* A config naming one backend per stage, [bento4] tools_dir = @tools_dir. */
VpkConfig  *bento4_test_config (const char *dir,
                                const char *stages[VPK_STAGE_N_KINDS],
                                const char *tools_dir);
/* A job on @source in @dir/work with the example key. */
VpkJob     *bento4_test_job    (const char               *dir,
                                const char               *source,
                                const VpkPackageOptions  *options);

typedef struct {
  char      *id;
  char      *mime_type;
  char      *init;      /* absolute path, NULL for on-demand */
  GPtrArray *media;     /* absolute paths (element-type utf8) */
} Bento4TestRep;

/* Reads @outdir/stream.mpd, checks that every file it names exists and that
 * every file of @outdir is named by it. Returns the representations
 * (element-type Bento4TestRep). */
GPtrArray  *bento4_test_check_package (const char *outdir);
const Bento4TestRep *bento4_test_find_rep (GPtrArray  *reps,
                                           const char *mime_type);

/* Column 6 (payload MD5) of `ffmpeg [-decryption_key KEY] -i FILE -map 0:STREAM
 * -c copy -f framemd5 -`, one hash per packet. */
GPtrArray  *bento4_test_payload_hashes (const char *file,
                                        const char *stream,
                                        const char *key_hex);
/* The hashes of every media segment of @rep, each decrypted after its init. */
GPtrArray  *bento4_test_rep_hashes     (const Bento4TestRep *rep,
                                        const char          *key_hex);
void        bento4_test_assert_same_hashes (GPtrArray *expected,
                                            GPtrArray *actual);
/* ffprobe reads init + first segment of @rep and finds @codec_name. */
void        bento4_test_assert_probe   (const Bento4TestRep *rep,
                                        const char          *codec_name);

void        bento4_test_rm_rf (const char *path);

G_END_DECLS
