/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gmodule.h>
#include <vpack/vpk-version.h>
#include <vpack/vpk-job.h>
#include <vpack/vpk-option.h>

G_BEGIN_DECLS

/* Bump on any incompatible change; appending a member to VpkBackend does not
 * bump it (struct_size tells the core how much of the table is there). */
#define VPK_BACKEND_ABI_VERSION 1

/**
 * VpkStageFunc:
 * @self: the backend instance (instance_size bytes, filled from the option table)
 * @job: (transfer none): the job; read the previous stage's artifact, set this one's
 * @cancellable: fires when the job is cancelled; return G_IO_ERROR_CANCELLED soon after
 * @error: set exactly when %FALSE is returned
 *
 * Runs one stage of @job synchronously on a worker thread; may block. Returning
 * %VPK_ERROR_NOT_SUPPORTED declines the input: the next backend named for this
 * stage gets it. Several jobs may run a stage at once: @self is read-only after init.
 */
typedef gboolean (*VpkStageFunc) (gpointer       self,
                                  VpkJob        *job,
                                  GCancellable  *cancellable,
                                  GError       **error);

/**
 * VpkChainFunc:
 * @self: the backend instance
 * @job: (transfer none): the job; read @first's input artifact, set @last's artifact
 * @first: the first stage to run
 * @last: the last stage to run (after @first)
 * @cancellable: as for VpkStageFunc
 * @error: set exactly when %FALSE is returned
 *
 * Runs the stages @first to @last of @job at once, for a backend that can
 * do them together better than one after the other (one pass over the media,
 * no intermediate artifacts). The core calls it when this backend is the
 * first named for each of those stages and `[pipeline] single_pass` is on.
 * Returning %VPK_ERROR_NOT_SUPPORTED (having written nothing) makes the core
 * run the stages one by one instead, each with its fallback list.
 * Progress is reported per stage, as the stages would.
 */
typedef gboolean (*VpkChainFunc) (gpointer       self,
                                  VpkJob        *job,
                                  VpkStageKind   first,
                                  VpkStageKind   last,
                                  GCancellable  *cancellable,
                                  GError       **error);

/**
 * VpkBackend:
 *
 * The table a plugin exports. A plugin is a shared object `vpk-NAME.so`
 * exporting one symbol, `vpk_NAME_backend_get`, made by VPK_BACKEND_DEFINE().
 */
typedef struct {
  /* Must be VPK_BACKEND_ABI_VERSION; the core refuses any other. */
  guint32          abi_version;
  /* sizeof (VpkBackend) when the plugin was built; a larger one (built for a
   * newer core) is refused, a smaller one reads NULL for later members. */
  guint32          struct_size;
  /* The name used in [pipeline], [a-z0-9]+, equal to NAME in the file name. */
  const char      *name;
  const char      *description;
  /* Bytes the core allocates (zero-filled) for the instance passed as @self. */
  gsize            instance_size;
  /* The keys of the config group [NAME], ending with a {NULL} entry; may be NULL. */
  const VpkOption *options;
  /* Called once after the options are parsed; may be NULL. Fails the start. */
  gboolean       (*init)     (gpointer self, GError **error);
  /* Called once at the end, also after a failed init; frees what init made. May be NULL. */
  void           (*finalize) (gpointer self);
  /* One function per stage kind; NULL where the backend does not offer it. */
  VpkStageFunc     stages[VPK_STAGE_N_KINDS];
  /* Appended after the stage table (still ABI 1): plugins built before it
   * read as NULL here. May be NULL. */
  VpkChainFunc     run_chain;
} VpkBackend;

typedef const VpkBackend *(*VpkBackendGetFunc) (void);

#define VPK_BACKEND_DEFINE(name, backend)                                  \
  G_MODULE_EXPORT const VpkBackend *vpk_##name##_backend_get (void);       \
  G_MODULE_EXPORT const VpkBackend *vpk_##name##_backend_get (void)        \
  {                                                                        \
    return &(backend);                                                     \
  }

G_END_DECLS
