/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"
#include "vpk-registry.h"
#include "vpk-bento4.h"
#include "bento4-test-util.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/* Error paths of the Bento4 backend. Stub scripts stand in for the tools here,
 * and only here: to fail, hang or print garbage on purpose (STYLE B.9). What
 * the stages make is tested against the real tools in test-bento4.c. */

static const char *const tool_names[] = {
  "mp4info", "mp4fragment", "mp4encrypt", "mp4split", "mp4dash", NULL
};

typedef struct {
  char      *dir;
  char      *tools;
  char      *source;
  VpkBento4  b4;
  VpkJob    *job;
} Fixture;

static void
write_script (const char *dir,
              const char *name,
              const char *body,
              int         mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  /* The first box of an MP4 file, so that the stages do not decline it. */
  static const char ftyp[] = "\0\0\0\x14" "ftypisom\0\0\0\0isom";
  g_autoptr(GError) error = NULL;

  f->dir = bento4_test_tmpdir ();
  f->tools = g_build_filename (f->dir, "tools", NULL);
  g_assert_cmpint (g_mkdir (f->tools, 0700), ==, 0);
  for (guint i = 0; tool_names[i] != NULL; i++)
    write_script (f->tools, tool_names[i], "exit 0", 0700);
  f->source = g_build_filename (f->dir, "in.mp4", NULL);
  g_assert_true (g_file_set_contents (f->source, ftyp, sizeof ftyp - 1, &error));
  f->b4.tools_dir = f->tools;
  f->b4.python = (char *) "python3";
  f->b4.timeout_seconds = 60;
  f->job = bento4_test_job (f->dir, f->source, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vpk_bento4_finalize (&f->b4);
  g_clear_pointer (&f->job, vpk_job_unref);
  bento4_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->tools);
  g_free (f->source);
}

static void
start (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vpk_bento4_init (&f->b4, &error));
  g_assert_no_error (error);
}

static void
test_tool_error (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A tool that prints 'ERROR: boom' and exits 1 fails the stage with "
                  "VPK_ERROR_TOOL_FAILED, and the message names the tool and carries 'boom'.");
  write_script (f->tools, "mp4fragment",
                "echo 'Fragmenting...'\necho 'WARNING: odd' >&2\necho 'ERROR: boom' >&2\nexit 1",
                0700);
  start (f);
  g_assert_false (vpk_bento4_fragment (&f->b4, f->job, NULL, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED);
  g_assert_nonnull (strstr (error->message, "'mp4fragment' failed (exit status 1)"));
  g_assert_nonnull (strstr (error->message, "ERROR: boom"));
  g_assert_null (vpk_job_get_artifact_path (f->job, VPK_ARTIFACT_FRAGMENTED));
}

/* TRUE when PID is gone or a zombie (killed, not yet reaped by init). */
static gboolean
process_gone (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

static void
assert_grandchild_killed (Fixture *f)
{
  g_autofree char *pid_path = g_build_filename (f->dir, "sleep.pid", NULL);
  g_autofree char *pid = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_true (g_file_get_contents (pid_path, &pid, NULL, NULL));
  g_strstrip (pid);
  while (!process_gone (pid) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_true (process_gone (pid));
}

static void
write_hanging_tool (Fixture *f)
{
  /* A shell that waits for a child: the child holds stderr open, so only a
   * kill of the whole process group ends the run. */
  g_autofree char *body = g_strdup_printf ("sleep 600 &\necho $! > '%s/sleep.pid'\nwait",
                                           f->dir);

  write_script (f->tools, "mp4fragment", body, 0700);
}

static void
test_tool_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 begin;

  g_test_summary ("A tool that hangs is killed, with what it started, after [bento4] timeout.");
  write_hanging_tool (f);
  f->b4.timeout_seconds = 1;
  start (f);
  begin = g_get_monotonic_time ();
  g_assert_false (vpk_bento4_fragment (&f->b4, f->job, NULL, &error));
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 10 * G_USEC_PER_SEC);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED);
  g_assert_nonnull (strstr (error->message, "[bento4] timeout"));
  assert_grandchild_killed (f);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_tool_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 begin;

  g_test_summary ("Cancelling the job kills a running tool and what it started at once; the "
                  "stage ends with G_IO_ERROR_CANCELLED.");
  write_hanging_tool (f);
  f->b4.timeout_seconds = 0;  /* no limit: only the cancel can end it */
  start (f);
  begin = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (vpk_bento4_fragment (&f->b4, f->job, cancellable, &error));
  g_thread_join (thread);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 5 * G_USEC_PER_SEC);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_grandchild_killed (f);
}

static void
test_output_bounded (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("mp4info's output is read up to a bound: more is an error, not a memory "
                  "blow-up.");
  write_script (f->tools, "mp4info", "head -c 9000000 /dev/zero | tr '\\0' ' '", 0700);
  start (f);
  g_assert_false (vpk_bento4_ingest (&f->b4, f->job, NULL, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "printed more than"));
}

static void
test_garbage_json (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("mp4info printing something that is not JSON fails ingest cleanly.");
  write_script (f->tools, "mp4info", "echo '{\"file\": [1, 2'", 0700);
  start (f);
  g_assert_false (vpk_bento4_ingest (&f->b4, f->job, NULL, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "JSON"));
  g_assert_null (vpk_job_get_media_info (f->job));
}

static void
test_odd_json (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const VpkMediaInfo *info;

  g_test_summary ("JSON members of unexpected types read as absent: no critical, no crash.");
  write_script (f->tools, "mp4info",
                "echo '{\"file\":{\"major_brand\":7},\"movie\":{\"fragments\":\"x\"},"
                "\"tracks\":[3,{\"id\":\"a\",\"type\":\"Video\",\"media\":[]},"
                "{\"id\":1,\"type\":\"Video\",\"frame_rate\":\"fast\",\"media\":{"
                "\"timescale\":1e300,\"duration\":-1},\"sample_descriptions\":[{"
                "\"coding\":5,\"width\":\"x\",\"protection\":[]}]}]}'", 0700);
  start (f);
  g_assert_true (vpk_bento4_ingest (&f->b4, f->job, NULL, &error));
  g_assert_no_error (error);
  info = vpk_job_get_media_info (f->job);
  g_assert_cmpuint (info->tracks->len, ==, 1);
  g_assert_cmpuint (info->video_track_id, ==, 1);
}

static void
test_missing_tool (Fixture *f, gconstpointer data)
{
  g_autoptr(VpkRegistry) registry = vpk_registry_new (NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *encrypt = g_build_filename (f->tools, "mp4encrypt", NULL);
  g_autoptr(GError) error = NULL;
  VpkPlugin *plugin;

  g_test_summary ("A tool missing from [bento4] tools_dir fails the backend's start, naming "
                  "the tool and the config key.");
  g_assert_cmpint (g_unlink (encrypt), ==, 0);
  plugin = vpk_registry_load (registry, "bento4", &error);
  g_assert_no_error (error);
  g_key_file_set_string (keyfile, "bento4", "tools_dir", f->tools);
  g_assert_false (vpk_plugin_configure (plugin, keyfile, "test.conf", &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "'mp4encrypt'"));
  g_assert_nonnull (strstr (error->message, "[bento4] tools_dir"));
}

static void
test_missing_in_path (Fixture *f, gconstpointer data)
{
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_summary ("Without tools_dir the tools are looked up in PATH; a missing one fails "
                  "init naming it and [bento4] tools_dir.");
  f->b4.tools_dir = NULL;
  g_setenv ("PATH", f->dir, TRUE);  /* a folder without any tool */
  ok = vpk_bento4_init (&f->b4, &error);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_false (ok);
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "'mp4info' not found in PATH"));
  g_assert_nonnull (strstr (error->message, "[bento4] tools_dir"));
}

static void
test_mp4dash_kinds (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("mp4dash may be an executable launcher (run as is) or Bento4's Python "
                  "script (run with [bento4] python, which must exist).");
  start (f);
  g_assert_null (f->b4.mp4dash_python);
  vpk_bento4_finalize (&f->b4);

  write_script (f->tools, "mp4dash", "import sys", 0600);
  f->b4.python = (char *) "/nonexistent/python3";
  g_assert_false (vpk_bento4_init (&f->b4, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "[bento4] python"));
  vpk_bento4_finalize (&f->b4);
  g_clear_error (&error);

  f->b4.python = (char *) "sh";  /* any interpreter on PATH */
  start (f);
  g_assert_nonnull (f->b4.mp4dash_python);
  g_assert_true (g_path_is_absolute (f->b4.mp4dash_python));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/bento4/tool/error-message", test_tool_error);
  ADD ("/bento4/tool/timeout", test_tool_timeout);
  ADD ("/bento4/tool/cancel", test_tool_cancel);
  ADD ("/bento4/tool/output-bounded", test_output_bounded);
  ADD ("/bento4/ingest/garbage-json", test_garbage_json);
  ADD ("/bento4/ingest/odd-json", test_odd_json);
  ADD ("/bento4/init/missing-tool", test_missing_tool);
  ADD ("/bento4/init/missing-in-path", test_missing_in_path);
  ADD ("/bento4/init/mp4dash-kinds", test_mp4dash_kinds);
#undef ADD
  return g_test_run ();
}
