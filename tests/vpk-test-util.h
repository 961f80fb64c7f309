/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @path and everything below it; missing is fine. */
void vpk_test_rm_rf (const char *path);

G_END_DECLS
