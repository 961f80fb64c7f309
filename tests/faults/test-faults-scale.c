/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scale-out: one api process and three worker processes share one external
 * database and one storage path. One worker is killed (SIGKILL) while it runs
 * a stage: another takes the job over when the lease expires, and every job is
 * done exactly once. */
#include "fault-util.h"

#include <string.h>

#define N_WORKERS 3
#define N_JOBS 12
#define LEASE_S 3

static char *clip;

typedef struct {
  FaultMariadb *db;
  char         *state;
  char         *api_url;
  FaultServer  *api;
  FaultServer  *workers[N_WORKERS];
  gint64        first;
} Scale;

static GStrv
sql (Scale *t, const char *query)
{
  GStrv rows = fault_sql (t->db->socket, query);

  g_assert_nonnull (rows);
  return rows;
}

static FaultServer *
start_role (Scale *t, const char *role, guint port)
{
  g_autofree char *url = fault_mariadb_url (t->db);
  g_autofree char *db_set = g_strdup_printf ("database.url=%s", url);
  g_autofree char *role_set = g_strdup_printf ("server.role=%s", role);
  g_autofree char *public_set = g_strdup_printf ("server.public_url=%s", t->api_url);
  g_autofree char *lease_set = g_strdup_printf ("server.lease_seconds=%d", LEASE_S);
  const char *sets[] = { db_set, role_set, public_set, lease_set, "server.workers=1",
                         "server.max_attempts=10", NULL };

  return fault_server_start (t->state, port, sets);
}

static void
check_roles (Scale *t)
{
  guint status = 0;
  g_autoptr(JsonNode) health = fault_request (t->workers[0], "GET", "/healthz", NULL, NULL,
                                              &status);
  g_autoptr(JsonNode) list = NULL;

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (health), "role"), ==,
                   "worker");
  list = fault_request (t->workers[0], "GET", "/packaged_content", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 404);  /* a worker serves probes only */
  g_clear_pointer (&list, json_node_unref);
  list = fault_request (t->api, "GET", "/packaged_content", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
}

/* A worker of ours in the middle of a stage (encrypt, so that its successor
 * resumes; after 5 s fragment will do): its index. */
static int
pick_victim (Scale *t, gint64 *out_job, char **out_owner)
{
  gint64 t0 = g_get_monotonic_time ();

  while (g_get_monotonic_time () - t0 < 60 * G_TIME_SPAN_SECOND) {
    gboolean any = g_get_monotonic_time () - t0 > 5 * G_TIME_SPAN_SECOND;
    g_auto(GStrv) rows = sql (t, any ? "SELECT id, lease_owner FROM packaged_content WHERE "
                                       "(status = 'Fragmented' AND stage = 'encrypt') OR "
                                       "(status = 'Queued' AND stage = 'fragment') ORDER BY id"
                                     : "SELECT id, lease_owner FROM packaged_content WHERE "
                                       "status = 'Fragmented' AND stage = 'encrypt'");

    for (guint i = 0; rows[i] != NULL; i++) {
      g_auto(GStrv) col = g_strsplit (rows[i], "\t", 2);

      for (int w = 0; w < N_WORKERS; w++) {
        g_autofree char *needle = g_strdup_printf (":%d:", (int) t->workers[w]->pid);

        if (col[1] != NULL && strstr (col[1], needle) != NULL) {
          *out_job = g_ascii_strtoll (col[0], NULL, 10);
          *out_owner = g_strdup (col[1]);
          return w;
        }
      }
    }
    g_usleep (5 * 1000);
  }
  g_error ("No worker ran a stage within 60 s");
}

/* From the kill to another worker holding the job, in seconds. */
static double
wait_takeover (Scale *t, gint64 job, const char *dead_owner, char **out_owner)
{
  g_autofree char *query = g_strdup_printf ("SELECT lease_owner, status FROM packaged_content "
                                            "WHERE id = %" G_GINT64_FORMAT, job);
  gint64 t0 = g_get_monotonic_time ();

  while (g_get_monotonic_time () - t0 < 30 * G_TIME_SPAN_SECOND) {
    g_auto(GStrv) rows = sql (t, query);
    g_auto(GStrv) col = g_strsplit (rows[0], "\t", 2);

    if (strcmp (col[0], "NULL") != 0 && strcmp (col[0], dead_owner) != 0) {
      *out_owner = g_strdup (col[0]);
      return (g_get_monotonic_time () - t0) / 1e6;
    }
    g_usleep (20 * 1000);
  }
  g_error ("Job %" G_GINT64_FORMAT " was not taken over within 30 s", job);
}

static void
wait_done (Scale *t)
{
  g_autofree char *query = g_strdup_printf ("SELECT COUNT(*) FROM packaged_content WHERE id >= %"
                                            G_GINT64_FORMAT " AND status IN ('Ready', 'Failed', "
                                            "'Cancelled')", t->first);
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < deadline) {
    g_auto(GStrv) rows = sql (t, query);

    if (g_ascii_strtoull (rows[0], NULL, 10) >= N_JOBS)
      return;
    g_usleep (200 * 1000);
  }
}

static void
assert_results (Scale *t)
{
  g_autofree char *query = g_strdup_printf ("SELECT SUBSTRING_INDEX(output_path, '/', -1) FROM packaged_content WHERE id >= %"
                                            G_GINT64_FORMAT " AND status = 'Ready'", t->first);
  g_auto(GStrv) ready = sql (t, query);
  g_autofree char *output = g_build_filename (t->state, "output", NULL);
  g_autofree char *why = NULL;

  g_test_message ("jobs: %u submitted, %u Ready, %u lost", N_JOBS, g_strv_length (ready),
                  N_JOBS - g_strv_length (ready));
  g_assert_cmpuint (g_strv_length (ready), ==, N_JOBS);
  if (!fault_output_is_whole (output, &why))
    g_error ("%s", why);
  for (guint i = 0; ready[i] != NULL; i++) {
    g_autofree char *package = g_build_filename (output, ready[i], NULL);

    g_assert_true (fault_verify (package, clip));
  }
  g_test_message ("%u resumes", fault_assert_once (t->db->socket, t->first, N_JOBS));
}

static void
report_spread (Scale *t)
{
  g_autofree char *query = g_strdup_printf (
      "SELECT COUNT(*) FROM job_events WHERE packaged_content_id >= %" G_GINT64_FORMAT
      " AND message LIKE 'package done%%'", t->first);
  g_auto(GStrv) rows = sql (t, query);

  g_test_message ("%s package stages completed for %d jobs", rows[0], N_JOBS);
}

static void
test_scale_out (void)
{
  g_autofree char *db_dir = fault_make_dir ("vpk-fsc");
  Scale t = { 0 };
  g_autofree char *dead_owner = NULL;
  g_autofree char *new_owner = NULL;
  guint api_port = fault_free_port ();
  gint64 input, job = 0;
  double takeover;
  int victim;

  g_test_summary ("1 api + 3 worker processes on one database and storage path; a worker "
                  "killed mid-stage: its job taken over after the lease, every job done once.");
  t.db = fault_mariadb_new (db_dir);
  fault_mariadb_start (t.db);
  t.state = fault_make_dir ("vpk-fsc-state");
  t.api_url = g_strdup_printf ("http://127.0.0.1:%u", api_port);
  t.api = start_role (&t, "api", api_port);
  for (int w = 0; w < N_WORKERS; w++)
    t.workers[w] = start_role (&t, "worker", fault_free_port ());
  check_roles (&t);
  input = fault_upload (t.api, clip, NULL);
  for (guint i = 0; i < N_JOBS; i++) {
    gint64 id = fault_submit (t.api, input, NULL);

    t.first = i == 0 ? id : t.first;
  }
  victim = pick_victim (&t, &job, &dead_owner);
  fault_server_kill (t.workers[victim]);
  takeover = wait_takeover (&t, job, dead_owner, &new_owner);
  g_test_message ("worker %d killed while it ran job %" G_GINT64_FORMAT "; '%s' took it over "
                  "%.2f s later (lease %d s)", victim, job, new_owner, takeover, LEASE_S);
  g_assert_cmpfloat (takeover, <=, LEASE_S + 3);
  wait_done (&t);
  assert_results (&t);
  report_spread (&t);
  for (int w = 0; w < N_WORKERS; w++)
    if (w != victim)
      fault_server_stop (t.workers[w]);
  fault_server_stop (t.api);
  for (int w = 0; w < N_WORKERS; w++)
    g_clear_pointer (&t.workers[w], fault_server_free);
  g_clear_pointer (&t.api, fault_server_free);
  g_clear_pointer (&t.db, fault_mariadb_free);
  fault_remove_tree (t.state);
  fault_remove_tree (db_dir);
  g_free (t.state);
  g_free (t.api_url);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/scale-out", test_scale_out);
  return fault_run (30, &clip);
}
