/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Bento4 backend: every stage runs one of Bento4's command-line tools
 * through GSubprocess (an argv vector, never a shell), as the original service
 * did. Private to plugins/bento4 and its tests. */

#include "vpk.h"

G_BEGIN_DECLS

/* The instance the core allocates and fills from the [bento4] option table;
 * vpk_bento4_init() resolves the tools, after which it is read-only (several
 * jobs may run stages at once). */
typedef struct {
  /* [bento4] options */
  char    *tools_dir;        /* where mp4info, mp4fragment, mp4encrypt, mp4dash are; NULL: PATH */
  char    *python;           /* runs Bento4's mp4dash script */
  guint64  timeout_seconds;  /* a tool running longer is killed; 0: no limit */

  /* Absolute paths, resolved by init */
  char    *mp4info;
  char    *mp4fragment;
  char    *mp4encrypt;
  char    *mp4split;         /* not run by us: mp4dash splits with it */
  char    *mp4dash;
  char    *mp4dash_python;   /* the interpreter when mp4dash is a Python script, else NULL */
} VpkBento4;

/* vpk-bento4-init.c */
gboolean vpk_bento4_init     (gpointer   self,
                              GError   **error);
void     vpk_bento4_finalize (gpointer   self);

/* vpk-bento4-tool.c */
#define VPK_BENTO4_MAX_STDOUT (8u * 1024 * 1024)

gboolean vpk_bento4_run_tool (const VpkBento4     *self,
                              const char * const  *argv,
                              char               **out_stdout,
                              GCancellable        *cancellable,
                              GError             **error);

/* vpk-bento4-info.c */
gboolean      vpk_bento4_is_foreign   (const char  *path);
VpkMediaInfo *vpk_bento4_info_parse   (const char  *json,
                                       GError     **error);
VpkMediaInfo *vpk_bento4_probe        (const VpkBento4  *self,
                                       const char       *path,
                                       GCancellable     *cancellable,
                                       GError          **error);

/* vpk-bento4-mpd.c */
gboolean      vpk_bento4_fix_mpd      (const char  *path,
                                       GError     **error);

/* One file per stage */
gboolean vpk_bento4_ingest   (gpointer       self,
                              VpkJob        *job,
                              GCancellable  *cancellable,
                              GError       **error);
gboolean vpk_bento4_fragment (gpointer       self,
                              VpkJob        *job,
                              GCancellable  *cancellable,
                              GError       **error);
gboolean vpk_bento4_encrypt  (gpointer       self,
                              VpkJob        *job,
                              GCancellable  *cancellable,
                              GError       **error);
gboolean vpk_bento4_package  (gpointer       self,
                              VpkJob        *job,
                              GCancellable  *cancellable,
                              GError       **error);

G_END_DECLS
