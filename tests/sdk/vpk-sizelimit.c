/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An example third-party backend, built out of tree against the installed SDK
 * (`pkg-config vpack-1`). It offers one stage, ingest, meant to stand first in a
 * fallback list: it refuses inputs larger than [sizelimit] max_size and declines
 * the rest, so the next backend in the list probes them.
 *
 *   [pipeline]
 *   ingest = sizelimit, native, gst
 */
#include <vpack/vpk.h>

typedef struct {
  guint64 max_size;
} SizeLimit;

static gboolean
sizelimit_ingest (gpointer       self,
                  VpkJob        *job,
                  GCancellable  *cancellable,
                  GError       **error)
{
  SizeLimit *limit = self;
  const char *source = vpk_job_get_artifact_path (job, VPK_ARTIFACT_SOURCE);
  g_autoptr(GFile) file = g_file_new_for_path (source);
  g_autoptr(GFileInfo) info = NULL;
  goffset size;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return FALSE;

  size = g_file_info_get_size (info);
  if ((guint64) size > limit->max_size) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                 "the input is %" G_GINT64_FORMAT " bytes, more than the %" G_GUINT64_FORMAT
                 " bytes [sizelimit] max_size allows", (gint64) size, limit->max_size);
    return FALSE;
  }

  /* Within the limit: let the next backend do the real probing. */
  g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED, "within the size limit");
  return FALSE;
}

static const VpkOption sizelimit_options[] = {
  { "max_size", VPK_OPTION_UINT, G_STRUCT_OFFSET (SizeLimit, max_size), "1073741824",
    "Largest input accepted, in bytes" },
  { NULL }
};

static const VpkBackend sizelimit_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION,
  .struct_size = sizeof (VpkBackend),
  .name = "sizelimit",
  .description = "Example third-party backend: refuses inputs over a size limit",
  .instance_size = sizeof (SizeLimit),
  .options = sizelimit_options,
  .stages = {
    [VPK_STAGE_INGEST] = sizelimit_ingest,
  },
};

VPK_BACKEND_DEFINE (sizelimit, sizelimit_backend)
