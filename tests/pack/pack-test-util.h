/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The key and KID every package of these tests is made with (hex). */
#define PACK_TEST_KEY "00112233445566778899aabbccddeeff"
#define PACK_TEST_KID "0123456789abcdef0123456789abcdef"

/* The GPAC-encrypted reference in the shared media folder. */
#define PACK_TEST_GPAC_FILE "mp4ff__prog_8s_enc_dashinit_CENC.mp4"
#define PACK_TEST_GPAC_KEY  "63cb5f7184dd4b689a5c5ff11ee6a328"
#define PACK_TEST_GPAC_KID  "cd7eb9ff88f34caeb06185b00024e4c2"

/* Runs @argv and returns its exit status; @out_stdout and @out_stderr
 * (optional) receive what it printed. Fails the test when it cannot start. */
int         pack_test_run (const char * const  *argv,
                           char               **out_stdout,
                           char               **out_stderr);

/* A path (not created) in the scratch folder, removed at exit. */
char       *pack_test_scratch_path (const char *name);

/* "h264" (libx264 -bf 2 -g 30 + AAC, 3 s, 320x240) or "hevc" (libx265 + AAC,
 * 2 s), made with ffmpeg on first use. Fails the test without ffmpeg. */
const char *pack_test_fixture (const char *name);

/* Runs `vpack package INPUT -o OUT` with the test key, the native pipeline and
 * the given options (NULL: vpack's default). Returns the output folder, or
 * NULL after marking the test failed (the caller returns). */
char       *pack_test_package (const char *input,
                               const char *scheme,
                               const char *profile,
                               const char *encrypt,
                               const char *segment_duration);

/* Runs `vpack verify PATH --key KEY --kid KID [--source SOURCE] [--json]`;
 * returns the exit status. */
int         pack_test_verify (const char  *path,
                              const char  *key,
                              const char  *kid,
                              const char  *source,
                              char       **out_stdout,
                              char       **out_stderr);

/* Column 6 of `ffmpeg [-decryption_key KEY] -i PATH -map MAP -c copy -f framemd5 -`,
 * in order; NULL when ffmpeg fails (its stderr in @out_stderr). */
GPtrArray  *pack_test_framemd5 (const char  *path,
                                const char  *map,
                                const char  *key,
                                char       **out_stderr);

/* The shared real-world media folder, or NULL (then skip). */
const char *pack_test_shared_media (void);

/* The init segment + media segments of a live Representation folder, as one
 * file (for tools that read one MP4). */
char       *pack_test_concat_representation (const char *package,
                                             const char *rep_id);

/* The Representation ids (folders of a live package), sorted. */
GPtrArray  *pack_test_representations (const char *package);

G_END_DECLS
