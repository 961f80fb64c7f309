/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk.h"

G_BEGIN_DECLS

/* Parses one value of @option's type into @instance + offset. The error says only
 * what is wrong with @value; the caller names the file, group and key. */
gboolean vpk_option_parse_value (const VpkOption  *option,
                                 gpointer          instance,
                                 const char       *value,
                                 GError          **error);

/* Fills @instance from [@group] of @keyfile (may be NULL: defaults only).
 * Unknown keys and bad values are VPK_ERROR_CONFIG naming @file, @group and the key. */
gboolean vpk_option_table_apply (const VpkOption  *options,
                                 gpointer          instance,
                                 GKeyFile         *keyfile,
                                 const char       *group,
                                 const char       *file,
                                 GError          **error);

/* Only checks that every key of [@group] is in @options. */
gboolean vpk_option_table_check_keys (const VpkOption  *options,
                                      GKeyFile         *keyfile,
                                      const char       *group,
                                      const char       *file,
                                      GError          **error);

/* Frees the string values the table put into @instance. */
void     vpk_option_table_clear (const VpkOption *options,
                                 gpointer         instance);

G_END_DECLS
