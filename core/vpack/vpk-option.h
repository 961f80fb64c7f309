/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <glib.h>
#include <vpack/vpk-version.h>

G_BEGIN_DECLS

typedef enum {
  VPK_OPTION_STRING,   /* char *, owned by the core, freed after finalize */
  VPK_OPTION_PATH,     /* char *, like STRING; "~/" is expanded */
  VPK_OPTION_UINT,     /* guint64 */
  VPK_OPTION_DOUBLE,   /* double */
  VPK_OPTION_BOOL,     /* gboolean */
} VpkOptionType;

/**
 * VpkOption:
 * @name: the key in the backend's config group, snake_case
 * @type: how the value is parsed
 * @offset: where the parsed value is stored in the backend instance
 * @default_value: text parsed when the config has no such key; %NULL leaves it zero
 * @description: one line for `vpack plugins --verbose`
 *
 * One entry of a backend's declarative option table, which ends with an entry
 * whose @name is %NULL. The core parses the config into the instance before
 * calling init, so a backend never reads the config itself.
 */
typedef struct {
  const char    *name;
  VpkOptionType  type;
  gsize          offset;
  const char    *default_value;
  const char    *description;
} VpkOption;

G_END_DECLS
