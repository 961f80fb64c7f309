/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The database goes away while jobs run (an external mariadbd, killed and
 * started again after longer than a lease): /healthz says so with 503 and the
 * reason, then 200; the service reconnects and no job is lost or done twice. */
#include "fault-util.h"

#include <string.h>

#define N_JOBS 8
#define OUTAGE_US (5 * G_TIME_SPAN_SECOND)  /* longer than the 3 s lease */

static char *clip;

/* Polls /healthz until it answers @want; the time it took, in seconds. */
static double
wait_health (FaultServer *s, guint want, double timeout_s, JsonNode **out_node)
{
  gint64 t0 = g_get_monotonic_time ();

  while (TRUE) {
    guint status = 0;
    JsonNode *node = fault_request (s, "GET", "/healthz", NULL, NULL, &status);
    double elapsed = (g_get_monotonic_time () - t0) / 1e6;

    if (status == want) {
      *out_node = node;
      return elapsed;
    }
    g_clear_pointer (&node, json_node_unref);
    if (elapsed > timeout_s)
      g_error ("/healthz did not answer %u within %.0f s (last %u)", want, timeout_s, status);
    g_usleep (100 * 1000);
  }
}

static guint
count (FaultMariadb *db, const char *sql)
{
  g_auto(GStrv) rows = fault_sql (db->socket, sql);

  g_assert_nonnull (rows);
  return rows[0] != NULL ? (guint) g_ascii_strtoull (rows[0], NULL, 10) : 0;
}

static void
wait_jobs_running (FaultMariadb *db)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  while (count (db, "SELECT COUNT(*) FROM packaged_content WHERE lease_owner IS NOT NULL AND "
                    "status IN ('Queued', 'Fragmented', 'Encrypted') AND stage IS NOT NULL") == 0)
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
}

/* Kills the database, checks /healthz during the outage, starts it again. */
static void
outage (FaultServer *s, FaultMariadb *db)
{
  g_autoptr(JsonNode) down = NULL;
  g_autoptr(JsonNode) up = NULL;
  JsonObject *o;
  double seen, back;
  gint64 t0;

  fault_mariadb_kill (db);
  t0 = g_get_monotonic_time ();
  seen = wait_health (s, 503, 10, &down);
  g_assert_nonnull (down);
  o = json_node_get_object (down);
  g_assert_cmpstr (json_object_get_string_member (o, "database"), ==, "down");
  g_assert_nonnull (json_object_get_string_member_with_default (o, "reason", NULL));
  g_test_message ("/healthz 503 after %.2f s: %s", seen,
                  json_object_get_string_member (o, "reason"));
  g_usleep (MAX (0, OUTAGE_US - (g_get_monotonic_time () - t0)));
  g_clear_pointer (&down, json_node_unref);
  wait_health (s, 503, 1, &down);  /* still down */
  fault_mariadb_start (db);
  back = wait_health (s, 200, 30, &up);
  g_test_message ("database down %.1f s; /healthz 200 again %.2f s after it was back",
                  (g_get_monotonic_time () - t0) / 1e6 - back, back);
}

static void
wait_all_ready (FaultServer *s, FaultMariadb *db, gint64 first)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM packaged_content WHERE id >= %"
                                          G_GINT64_FORMAT " AND status IN ('Ready', 'Failed', "
                                          "'Cancelled')", first);
  gint64 deadline = g_get_monotonic_time () + 180 * G_TIME_SPAN_SECOND;

  while (count (db, sql) < N_JOBS && g_get_monotonic_time () < deadline)
    g_usleep (200 * 1000);
}

static void
assert_results (FaultServer *s, FaultMariadb *db, gint64 first)
{
  g_autofree char *sql = g_strdup_printf ("SELECT SUBSTRING_INDEX(output_path, '/', -1) FROM packaged_content WHERE id >= %"
                                          G_GINT64_FORMAT " AND status = 'Ready'", first);
  g_auto(GStrv) ready = fault_sql (db->socket, sql);
  g_autofree char *output = g_build_filename (s->state_dir, "output", NULL);
  g_autofree char *why = NULL;

  g_assert_nonnull (ready);
  g_test_message ("jobs: %u submitted, %u Ready, %u lost", N_JOBS, g_strv_length (ready),
                  N_JOBS - g_strv_length (ready));
  if (g_strv_length (ready) != N_JOBS)
    fault_server_dump_log (s);
  g_assert_cmpuint (g_strv_length (ready), ==, N_JOBS);
  if (!fault_output_is_whole (output, &why))
    g_error ("%s", why);
  for (guint i = 0; ready[i] != NULL; i++) {
    g_autofree char *package = g_build_filename (output, ready[i], NULL);

    g_assert_true (fault_verify (package, clip));
  }
  g_test_message ("%u resumes", fault_assert_once (db->socket, first, N_JOBS));
}

static void
test_db_restart (void)
{
  g_autofree char *db_dir = fault_make_dir ("vpk-fdb");
  g_autofree char *state = fault_make_dir ("vpk-fdb-state");
  g_autoptr(FaultMariadb) db = fault_mariadb_new (db_dir);
  g_autofree char *url = NULL;
  g_autofree char *url_set = NULL;
  g_autoptr(FaultServer) s = NULL;
  const char *sets[5] = { "server.workers=2", "server.lease_seconds=3", "server.max_attempts=10" };
  gint64 input, first = 0;

  g_test_summary ("MariaDB killed and started again while jobs run: /healthz 503 with the "
                  "reason then 200, every job Ready once.");
  fault_mariadb_start (db);
  url = fault_mariadb_url (db);
  sets[3] = url_set = g_strdup_printf ("database.url=%s", url);
  s = fault_server_start (state, fault_free_port (), sets);
  input = fault_upload (s, clip, NULL);
  for (guint i = 0; i < N_JOBS; i++) {
    gint64 id = fault_submit (s, input, NULL);

    first = i == 0 ? id : first;
  }
  wait_jobs_running (db);
  outage (s, db);
  wait_all_ready (s, db, first);
  assert_results (s, db, first);
  fault_server_stop (s);
  fault_mariadb_kill (db);
  fault_remove_tree (state);
  fault_remove_tree (db_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/database-restart", test_db_restart);
  return fault_run (30, &clip);
}
