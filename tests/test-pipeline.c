/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-pipeline.h"
#include "vpk-test-util.h"

#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  VpkRegistry *registry;
  VpkJob      *job;
  GString     *events;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *workdir = g_dir_make_tmp ("vpack-test-job-XXXXXX", &error);

  g_assert_no_error (error);
  f->registry = vpk_registry_new (NULL);
  f->job = vpk_job_new ("test", workdir, &error);
  g_assert_no_error (error);
  f->events = g_string_new (NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vpk_test_rm_rf (vpk_job_get_workdir (f->job));
  g_clear_pointer (&f->job, vpk_job_unref);
  g_clear_pointer (&f->registry, vpk_registry_free);
  g_string_free (f->events, TRUE);
}

static VpkConfig *
config_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("vpack-test-XXXXXX.conf", &path, &error);
  VpkConfig *config;

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  config = vpk_config_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return config;
}

static char *
calls (Fixture *f)
{
  g_autofree char *path = g_build_filename (vpk_job_get_workdir (f->job), "calls.log", NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static void
on_started (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Fixture *f = data;

  g_assert_null (backend);
  g_string_append_printf (f->events, "start:%s ", vpk_stage_kind_to_string (stage));
}

static void
on_finished (VpkJob *job, VpkStageKind stage, const char *backend, gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "done:%s:%s ", vpk_stage_kind_to_string (stage), backend);
}

static const VpkPipelineObserver observer = { on_started, on_finished };

#define ALL_TESTOK "[pipeline]\ningest=testok\nfragment=testok\nencrypt=testok\npackage=testok\n"

static void
test_order (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("The four stages run in order and the observer hears every transition.");
  g_assert_no_error (error);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, &observer, f, NULL,
                                   &error));
  g_assert_no_error (error);
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:ingest\ntestok:fragment\ntestok:encrypt\ntestok:package\n");
  g_assert_cmpstr (f->events->str, ==,
                   "start:ingest done:ingest:testok start:fragment done:fragment:testok "
                   "start:encrypt done:encrypt:testok start:package done:package:testok ");
  g_assert_nonnull (vpk_job_get_media_info (f->job));
}

static void
test_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("A run can start at a later stage (resuming a job).");
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_ENCRYPT, NULL, NULL, NULL,
                                   &error));
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:encrypt\ntestok:package\n");
}

static void
test_fallback (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok, testtwo\nfragment=testok,testtwo\nencrypt=testok\n"
      "package=testok\n[testok]\ndecline=fragment\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("A backend that declines passes the input to the next one in the list; "
                  "one that accepts stops the list.");
  g_assert_no_error (error);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, &observer, f, NULL,
                                   &error));
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:ingest\ntesttwo:fragment\ntestok:encrypt\ntestok:package\n");
  g_assert_nonnull (strstr (f->events->str, "done:fragment:testtwo"));
}

static void
test_chain (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK "[testok]\nchain=true\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("A backend named first for consecutive stages runs them in one call when "
                  "it can; the observer still hears each stage start and finish, in order.");
  g_assert_no_error (error);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, &observer, f, NULL,
                                   &error));
  g_assert_no_error (error);
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:chain:ingest-package\n");
  g_assert_cmpstr (f->events->str, ==,
                   "start:ingest done:ingest:testok start:fragment done:fragment:testok "
                   "start:encrypt done:encrypt:testok start:package done:package:testok ");
  g_assert_nonnull (vpk_job_get_media_info (f->job));
}

static void
test_chain_split (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok\nfragment=testok, testtwo\nencrypt=testtwo\n"
      "package=testtwo\n[testok]\nchain=true\n[testtwo]\nchain=true\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("Chains follow the first backend named for each stage: two backends make "
                  "two chains; a chain starting at a later stage (resume) starts there.");
  g_assert_no_error (error);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL,
                                   &error));
  g_assert_no_error (error);
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:chain:ingest-fragment\ntesttwo:chain:encrypt-package\n");
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_PACKAGE, NULL, NULL, NULL,
                                   &error));
  g_clear_pointer (&log, g_free);
  log = calls (f);
  g_assert_true (g_str_has_suffix (log, "encrypt-package\ntesttwo:package\n"));
}

static void
test_chain_off (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok\nfragment=testok\nencrypt=testok\npackage=testok\n"
      "single_pass=false\n[testok]\nchain=true\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("[pipeline] single_pass=false runs every stage on its own.");
  g_assert_no_error (error);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL,
                                   &error));
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:ingest\ntestok:fragment\ntestok:encrypt\ntestok:package\n");
}

static void
test_chain_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK "[testok]\nchain=true\nfail=ingest\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("A chain that fails (not declines) stops the job, its error naming the "
                  "stages and the backend; nothing runs one by one after it.");
  g_assert_no_error (error);
  g_assert_false (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, &observer, f, NULL,
                                    &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, "ingest to package (testok): "));
  log = calls (f);
  g_assert_cmpstr (log, ==, "");
  g_assert_cmpstr (f->events->str, ==, "start:ingest ");
}

static void
test_all_decline (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok,testtwo\nfragment=testok\nencrypt=testok\npackage=testok\n"
      "[testok]\ndecline=ingest\n[testtwo]\ndecline=ingest\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);

  g_test_summary ("When every backend declines, the error says so with each one's reason.");
  g_assert_false (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, NULL,
                                    &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "testok declines ingest"));
  g_assert_nonnull (strstr (error->message, "testtwo declines ingest"));
}

static void
test_failure_stops (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok\nfragment=testok\nencrypt=testok,testtwo\npackage=testok\n"
      "[testok]\nfail=encrypt\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autofree char *log = NULL;

  g_test_summary ("A real failure stops the job (no fallback, no later stage) and the "
                  "error names the stage and the backend.");
  g_assert_false (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, &observer, f, NULL,
                                    &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "encrypt (testok): testok fails encrypt on purpose");
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:ingest\ntestok:fragment\n");
  g_assert_null (strstr (f->events->str, "done:encrypt"));
}

static void
test_missing_backend (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok\nfragment=nosuch\nencrypt=testok\npackage=testok\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);

  g_test_summary ("A config naming a backend that is not there fails at start.");
  g_assert_null (pipeline);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "[pipeline] fragment"));
  g_assert_nonnull (strstr (error->message, "No backend named 'nosuch'"));
}

static void
test_missing_stage (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (
      "[pipeline]\ningest=testok\nfragment=testok\nencrypt=gst\npackage=testok\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);

  g_test_summary ("A backend named for a stage it does not offer fails at start, and the "
                  "message lists the backends that do offer it.");
  g_assert_null (pipeline);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "backend 'gst' has no encrypt stage"));
  g_assert_nonnull (strstr (error->message, "testok"));
}

static void
test_unknown_group (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK "[nosuch]\nx=1\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);

  g_test_summary ("A group that is neither the core's nor a backend's is refused.");
  g_assert_null (pipeline);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "unknown group [nosuch]"));
}

static void
test_unused_backend_group (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK "[bento4]\ntools_dir=/x\nbogus=1\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);

  g_test_summary ("A backend's group is checked against its options even when unused.");
  g_assert_null (pipeline);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "[bento4] has no key 'bogus'"));
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (50 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK "[testok]\nblock=fragment\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GThread) thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_autofree char *log = NULL;

  g_test_summary ("Cancelling a running job ends it with G_IO_ERROR_CANCELLED; no later "
                  "stage runs.");
  g_assert_false (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_INGEST, NULL, NULL, cancellable,
                                    &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (g_steal_pointer (&thread));
  log = calls (f);
  g_assert_cmpstr (log, ==, "testok:ingest\n");
}

static void
on_progress (VpkJob *job, VpkStageKind stage, double fraction, gpointer data)
{
  GString *s = data;

  g_string_append_printf (s, "%s=%.1f ", vpk_stage_kind_to_string (stage), fraction);
}

static void
test_progress (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkConfig) config = config_from (ALL_TESTOK);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkPipeline) pipeline = vpk_pipeline_new (f->registry, config, &error);
  g_autoptr(GString) seen = g_string_new (NULL);

  g_test_summary ("Progress reaches the job's callback, from 0 to 1 for each stage.");
  vpk_job_set_progress_func (f->job, on_progress, seen);
  g_assert_true (vpk_pipeline_run (pipeline, f->job, VPK_STAGE_PACKAGE, NULL, NULL, NULL,
                                   &error));
  g_assert_cmpstr (seen->str, ==, "package=0.0 package=0.5 package=1.0 ");
}

static void
test_job_artifacts (Fixture *f, gconstpointer data)
{
  const char *paths[] = { "/a/track1.mp4", "/a/track2.mp4", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  GStatBuf st;

  g_test_summary ("A job keeps copies of its artifacts and makes private stage folders.");
  vpk_job_set_artifact (f->job, VPK_ARTIFACT_FRAGMENTED, paths);
  g_assert_cmpstrv (vpk_job_get_artifact (f->job, VPK_ARTIFACT_FRAGMENTED), paths);
  g_assert_null (vpk_job_get_artifact (f->job, VPK_ARTIFACT_ENCRYPTED));
  dir = vpk_job_make_stage_dir (f->job, "fragment", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (vpk_job_get_workdir (f->job), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/pipeline/order", test_order);
  ADD ("/pipeline/resume", test_resume);
  ADD ("/pipeline/fallback", test_fallback);
  ADD ("/pipeline/chain", test_chain);
  ADD ("/pipeline/chain-split", test_chain_split);
  ADD ("/pipeline/chain-off", test_chain_off);
  ADD ("/pipeline/chain-fails", test_chain_fails);
  ADD ("/pipeline/all-decline", test_all_decline);
  ADD ("/pipeline/failure-stops", test_failure_stops);
  ADD ("/pipeline/missing-backend", test_missing_backend);
  ADD ("/pipeline/missing-stage", test_missing_stage);
  ADD ("/pipeline/unknown-group", test_unknown_group);
  ADD ("/pipeline/unused-backend-group", test_unused_backend_group);
  ADD ("/pipeline/cancel", test_cancel);
  ADD ("/pipeline/progress", test_progress);
  ADD ("/job/artifacts", test_job_artifacts);
#undef ADD
  return g_test_run ();
}
