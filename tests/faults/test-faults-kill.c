/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kill -9 of `vpack serve` in the middle of a stage, 20 times in a row, on one
 * state folder with its private MariaDB: every job ends Ready exactly once,
 * what is published is always whole, and the private mariadbd is reused, never
 * started twice. */
#include "fault-util.h"

#include <string.h>

#define N_KILLS 20
#define FIRST_JOBS 6
#define MID_STAGE_TIMEOUT_US (60 * G_TIME_SPAN_SECOND)
#define DONE_TIMEOUT_US (240 * G_TIME_SPAN_SECOND)

static char *clip;

typedef struct {
  char        *state;
  char        *socket;
  char        *output;
  guint        port;
  const char  *sets[5];
  FaultServer *server;
  gint64       input_id;
  gint64       first_job;
  guint        n_jobs;
  guint        whole_checks;
  guint        hits[3];  /* kills in fragment, encrypt, package */
} Kill;

static GPid
private_db_pid (Kill *k)
{
  g_autofree char *path = g_build_filename (k->state, "mariadb", "mariadbd.pid", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

static guint
count_sql (Kill *k, const char *sql)
{
  g_auto(GStrv) rows = fault_sql (k->socket, sql);

  g_assert_nonnull (rows);
  return rows[0] != NULL ? (guint) g_ascii_strtoull (rows[0], NULL, 10) : 0;
}

static void
check_whole (Kill *k)
{
  g_autofree char *why = NULL;

  k->whole_checks++;
  if (!fault_output_is_whole (k->output, &why))
    g_error ("A partial package was published: %s", why);
}

/* Keeps a few jobs waiting, so that every kill finds work under way. */
static void
top_up (Kill *k)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM packaged_content WHERE status "
                                          "IN ('Queued', 'Fragmented', 'Encrypted')");

  if (count_sql (k, sql) >= 3)
    return;
  for (guint i = 0; i < 3; i++, k->n_jobs++)
    fault_submit (k->server, k->input_id, NULL);
}

/* The stages this process runs and has not finished. */
static GStrv
stages_under_way (Kill *k)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT stage FROM packaged_content WHERE lease_owner LIKE '%%:%d:%%' AND "
      "((status = 'Queued' AND stage = 'fragment') OR (status = 'Fragmented' AND "
      "stage = 'encrypt') OR (status = 'Encrypted' AND stage = 'package'))", (int) k->server->pid);
  GStrv rows = fault_sql (k->socket, sql);

  g_assert_nonnull (rows);
  return rows;
}

static void
count_hits (Kill *k)
{
  static const char * const names[] = { "fragment", "encrypt", "package" };
  g_auto(GStrv) stages = stages_under_way (k);

  for (guint i = 0; stages[i] != NULL; i++)
    for (guint s = 0; s < G_N_ELEMENTS (names); s++)
      k->hits[s] += strcmp (stages[i], names[s]) == 0;
}

/* Waits until this process runs @target, or (after a while) any stage. */
static void
wait_mid_stage (Kill *k, const char *target)
{
  gint64 t0 = g_get_monotonic_time ();
  gint64 deadline = t0 + MID_STAGE_TIMEOUT_US;

  for (guint i = 0;; i++) {
    g_auto(GStrv) stages = stages_under_way (k);

    if (g_strv_contains ((const char * const *) stages, target) ||
        (stages[0] != NULL && g_get_monotonic_time () - t0 > 5 * G_TIME_SPAN_SECOND))
      break;
    if (g_get_monotonic_time () > deadline) {
      fault_server_dump_log (k->server);
      g_error ("No stage started within %" G_GINT64_FORMAT " s", MID_STAGE_TIMEOUT_US / 1000000);
    }
    if (i % 20 == 0) {
      top_up (k);
      check_whole (k);
    }
    g_usleep (5 * 1000);
  }
}

static void
wait_all_final (Kill *k)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT COUNT(*) FROM packaged_content WHERE id >= %" G_GINT64_FORMAT " AND status IN "
      "('Ready', 'Failed', 'Cancelled')", k->first_job);
  gint64 deadline = g_get_monotonic_time () + DONE_TIMEOUT_US;

  while (count_sql (k, sql) < k->n_jobs && g_get_monotonic_time () < deadline) {
    check_whole (k);
    g_usleep (200 * 1000);
  }
}

static void
kill_setup (Kill *k, gboolean staged)
{
  k->state = fault_make_dir ("vpk-fk");
  k->socket = g_build_filename (k->state, "mariadb", "mariadbd.sock", NULL);
  k->output = g_build_filename (k->state, "output", NULL);
  k->port = fault_free_port ();
  k->sets[0] = "server.workers=2";
  k->sets[1] = "server.lease_seconds=3";
  k->sets[2] = "server.max_attempts=100";  /* every kill costs the running jobs an attempt */
  /* staged: every stage leaves its files, so most kills resume after a stage */
  k->sets[3] = staged ? "pipeline.single_pass=false" : NULL;
  k->server = fault_server_start (k->state, k->port, k->sets);
  fault_track (private_db_pid (k));
  k->input_id = fault_upload (k->server, clip, NULL);
  for (guint i = 0; i < FIRST_JOBS; i++, k->n_jobs++) {
    gint64 id = fault_submit (k->server, k->input_id, NULL);

    if (i == 0)
      k->first_job = id;
  }
}

static void
assert_results (Kill *k)
{
  g_autofree char *ready_sql = g_strdup_printf (
      "SELECT SUBSTRING_INDEX(output_path, '/', -1) FROM packaged_content WHERE id >= %" G_GINT64_FORMAT " AND status = 'Ready'",
      k->first_job);
  g_auto(GStrv) ready = fault_sql (k->socket, ready_sql);
  guint resumes;

  g_assert_nonnull (ready);
  g_test_message ("jobs: %u submitted, %u Ready, %u lost", k->n_jobs, g_strv_length (ready),
                  k->n_jobs - g_strv_length (ready));
  g_assert_cmpuint (g_strv_length (ready), ==, k->n_jobs);  /* no job lost */
  for (guint i = 0; ready[i] != NULL; i++) {
    g_autofree char *package = g_build_filename (k->output, ready[i], NULL);

    g_assert_true (fault_verify (package, clip));
  }
  resumes = fault_assert_once (k->socket, k->first_job, k->n_jobs);
  g_test_message ("%u resumes after a completed stage; %u checks of the output folder, "
                  "all whole", resumes, k->whole_checks);
  g_assert_cmpuint (resumes, >, 0);
}

static void
test_kill_mid_stage (gconstpointer data)
{
  gboolean staged = GPOINTER_TO_INT (data);
  Kill k = { 0 };
  GPid db_pid;
  gint64 t0 = g_get_monotonic_time ();
  guint kills = 0;

  g_test_summary ("SIGKILL of vpack serve mid-stage 20 times: all jobs Ready once, verified, "
                  "never a partial package published, the private MariaDB reused.");
  kill_setup (&k, staged);
  db_pid = private_db_pid (&k);
  for (; kills < N_KILLS; kills++) {
    top_up (&k);
    /* Each stage in turn, killed soon after it started. */
    wait_mid_stage (&k, (const char *[]) { "fragment", "encrypt", "package" }[kills % 3]);
    g_usleep (g_random_int_range (0, 30) * 1000);
    count_hits (&k);
    fault_server_kill (k.server);
    check_whole (&k);
    g_clear_pointer (&k.server, fault_server_free);
    k.server = fault_server_start (k.state, k.port, k.sets);
    g_assert_cmpint (private_db_pid (&k), ==, db_pid);  /* found running, not started again */
  }
  g_test_message ("kills survived: %u; stages under way when killed: fragment %u, encrypt %u, "
                  "package %u", kills, k.hits[0], k.hits[1], k.hits[2]);
  wait_all_final (&k);
  assert_results (&k);
  fault_server_stop (k.server);
  g_assert_true (fault_process_gone (db_pid));  /* the last user stopped it */
  fault_forget (db_pid);
  g_test_message ("%.1f s in all", (g_get_monotonic_time () - t0) / 1e6);
  g_clear_pointer (&k.server, fault_server_free);
  fault_remove_tree (k.state);
  g_free (k.state);
  g_free (k.socket);
  g_free (k.output);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/faults/kill-9-mid-stage", GINT_TO_POINTER (FALSE),
                        test_kill_mid_stage);
  g_test_add_data_func ("/faults/kill-9-mid-stage/staged", GINT_TO_POINTER (TRUE),
                        test_kill_mid_stage);
  return fault_run (20, &clip);
}
