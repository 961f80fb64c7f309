/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test backend whose stages do what its options say: succeed (recording the
 * call in <workdir>/calls.log), decline, fail, or block until cancelled; with
 * chain=true it also runs stages in one call (recorded as tag:chain:first-last). */
#include "vpk.h"

#include <string.h>

/* Built twice: as testok and, with -DTEST_NAME=testtwo, as a second backend for fallback lists. */
#ifndef TEST_NAME
#define TEST_NAME testok
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_ (x)
#define DEFINE_(name, table) VPK_BACKEND_DEFINE (name, table)
#define DEFINE(name, table) DEFINE_ (name, table)

typedef struct {
  char *decline;   /* comma list of stages that answer NOT_SUPPORTED */
  char *fail;      /* comma list of stages that fail */
  char *block;     /* comma list of stages that wait for cancellation */
  char *tag;       /* written into calls.log, to tell instances apart */
  gboolean fail_init;
  gboolean chain;  /* run_chain accepts (else it declines) */
} TestOk;

static gboolean
listed (const char *list, VpkStageKind stage)
{
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return FALSE;
  parts = g_strsplit (list, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_strcmp0 (g_strstrip (parts[i]), vpk_stage_kind_to_string (stage)) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
record (VpkJob *job, const char *tag, const char *what, GError **error)
{
  g_autofree char *log = g_build_filename (vpk_job_get_workdir (job), "calls.log", NULL);
  g_autofree char *old = NULL;
  g_autofree char *text = NULL;

  g_file_get_contents (log, &old, NULL, NULL);
  text = g_strdup_printf ("%s%s:%s\n", old != NULL ? old : "", tag, what);
  return g_file_set_contents (log, text, -1, error);
}

static void
set_media_info (VpkJob *job)
{
  VpkMediaInfo *info = vpk_media_info_new ("test");
  VpkTrackInfo *track = vpk_track_info_new ();

  track->id = 1;
  track->kind = VPK_TRACK_VIDEO;
  track->codec = g_strdup ("avc1");
  info->video_track_id = 1;
  vpk_media_info_add_track (info, track);
  vpk_job_take_media_info (job, info);
}

static gboolean
run_stage (TestOk *self, VpkJob *job, VpkStageKind stage, GCancellable *cancellable,
           GError **error)
{
  const char *tag = self->tag != NULL ? self->tag : STRINGIFY (TEST_NAME);

  if (listed (self->decline, stage)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED, "%s declines %s", tag,
                 vpk_stage_kind_to_string (stage));
    return FALSE;
  }
  if (listed (self->fail, stage)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "%s fails %s on purpose", tag,
                 vpk_stage_kind_to_string (stage));
    return FALSE;
  }
  if (listed (self->block, stage)) {
    while (!g_cancellable_is_cancelled (cancellable))
      g_usleep (1000);
    return !g_cancellable_set_error_if_cancelled (cancellable, error);
  }
  vpk_job_report_progress (job, stage, 0.5);
  if (stage == VPK_STAGE_INGEST)
    set_media_info (job);
  return record (job, tag, vpk_stage_kind_to_string (stage), error);
}

/* With chain=true: fails when fail lists @first, else records the call. */
static gboolean
testok_chain (gpointer self, VpkJob *job, VpkStageKind first, VpkStageKind last,
              GCancellable *cancellable, GError **error)
{
  TestOk *t = self;
  const char *tag = t->tag != NULL ? t->tag : STRINGIFY (TEST_NAME);
  g_autofree char *what = NULL;

  if (!t->chain) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_NOT_SUPPORTED, "%s does not chain", tag);
    return FALSE;
  }
  if (listed (t->fail, first)) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "%s fails the chain on purpose", tag);
    return FALSE;
  }
  if (first == VPK_STAGE_INGEST)
    set_media_info (job);
  for (VpkStageKind s = first; s <= last; s++)
    vpk_job_report_progress (job, s, 0.5);
  what = g_strdup_printf ("chain:%s-%s", vpk_stage_kind_to_string (first),
                          vpk_stage_kind_to_string (last));
  return record (job, tag, what, error);
}

#define STAGE(fn, kind)                                                         \
  static gboolean fn (gpointer self, VpkJob *job, GCancellable *c, GError **e)  \
  {                                                                             \
    return run_stage (self, job, kind, c, e);                                   \
  }
STAGE (testok_ingest, VPK_STAGE_INGEST)
STAGE (testok_fragment, VPK_STAGE_FRAGMENT)
STAGE (testok_encrypt, VPK_STAGE_ENCRYPT)
STAGE (testok_package, VPK_STAGE_PACKAGE)

static gboolean
testok_init (gpointer self, GError **error)
{
  TestOk *t = self;

  if (t->fail_init) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "fail_init is set");
    return FALSE;
  }
  return TRUE;
}

static const VpkOption testok_options[] = {
  { "decline", VPK_OPTION_STRING, G_STRUCT_OFFSET (TestOk, decline), NULL, "Stages to decline" },
  { "fail", VPK_OPTION_STRING, G_STRUCT_OFFSET (TestOk, fail), NULL, "Stages to fail" },
  { "block", VPK_OPTION_STRING, G_STRUCT_OFFSET (TestOk, block), NULL, "Stages to block" },
  { "tag", VPK_OPTION_STRING, G_STRUCT_OFFSET (TestOk, tag), STRINGIFY (TEST_NAME), "Name in calls.log" },
  { "fail_init", VPK_OPTION_BOOL, G_STRUCT_OFFSET (TestOk, fail_init), "false", "Fail init" },
  { "chain", VPK_OPTION_BOOL, G_STRUCT_OFFSET (TestOk, chain), "false", "Run stages in one call" },
  { NULL }
};

static const VpkBackend testok_backend = {
  .abi_version = VPK_BACKEND_ABI_VERSION,
  .struct_size = sizeof (VpkBackend),
  .name = STRINGIFY (TEST_NAME),
  .description = "test backend",
  .instance_size = sizeof (TestOk),
  .options = testok_options,
  .init = testok_init,
  .stages = {
    [VPK_STAGE_INGEST] = testok_ingest,
    [VPK_STAGE_FRAGMENT] = testok_fragment,
    [VPK_STAGE_ENCRYPT] = testok_encrypt,
    [VPK_STAGE_PACKAGE] = testok_package,
  },
  .run_chain = testok_chain,
};

DEFINE (TEST_NAME, testok_backend)
