/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A shared object that exports no vpk_testnosym_backend_get. */
#include <gmodule.h>

G_MODULE_EXPORT int vpk_testnosym_something_else (void);

G_MODULE_EXPORT int
vpk_testnosym_something_else (void)
{
  return 42;
}
