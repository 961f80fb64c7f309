/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The path of a generated fixture ("h264-aac", "hevc-ac3", ...), made with
 * ffmpeg on first use in a folder removed at exit. Fails the test when
 * ffmpeg is missing. */
char       *mp4_test_fixture (const char *name);
/* Runs @argv and returns its stdout; fails the test on error. */
char       *mp4_test_run (const char * const *argv);
/* Column 6 (payload hash) of `ffmpeg -i PATH -map MAP -c copy -f framemd5 -`, one per line. */
char       *mp4_test_payload_hashes (const char *path,
                                     const char *map);
/* The shared real-world media folder, or NULL (then the test is skipped). */
const char *mp4_test_shared_media (void);
/* A new empty folder inside the fixture folder. */
char       *mp4_test_make_dir (const char *name);
/* A scratch copy of @data written to a file named @name; returns its path. */
char       *mp4_test_write_file (const char   *name,
                                 const guint8 *data,
                                 gsize         size);

G_END_DECLS
