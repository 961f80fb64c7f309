/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

G_BEGIN_DECLS

typedef struct {
  char    *tools_dir;        /* where mp4info, mp4fragment, mp4encrypt, mp4dash are; NULL: PATH */
  char    *python;           /* runs Bento4's mp4dash script */
  guint64  timeout_seconds;  /* a tool running longer is killed */
} VpkBento4;

G_END_DECLS
