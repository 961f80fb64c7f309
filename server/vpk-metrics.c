/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prometheus counters of this process, behind one lock. */
#include "vpk-server-private.h"
#include "vpk-auth.h"

#include <string.h>

static GMutex lock;
static GHashTable *requests;     /* "route\tstatus" -> count */
static GHashTable *stage_sum;    /* stage -> double* seconds */
static GHashTable *stage_count;  /* stage -> count */
static guint64 bytes_in;
static guint64 bytes_out;
static guint64 auth_missing;  /* requests refused: no token */
static guint64 auth_invalid;  /* requests refused: a token that is not valid */

static void
ensure_tables (void)
{
  if (requests != NULL)
    return;
  requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stage_sum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stage_count = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
bump (GHashTable *table, char *key, guint64 n)  /* takes @key */
{
  guint64 *count = g_hash_table_lookup (table, key);

  if (count == NULL) {
    count = g_new0 (guint64, 1);
    g_hash_table_insert (table, g_strdup (key), count);
  }
  *count += n;
  g_free (key);
}

void
vpk_metrics_count_request (const char *route, guint status)
{
  g_mutex_lock (&lock);
  ensure_tables ();
  bump (requests, g_strdup_printf ("%s\t%u", route, status), 1);
  g_mutex_unlock (&lock);
}

void
vpk_metrics_add_bytes_in (guint64 n)
{
  g_mutex_lock (&lock);
  bytes_in += n;
  g_mutex_unlock (&lock);
}

void
vpk_metrics_add_bytes_out (guint64 n)
{
  g_mutex_lock (&lock);
  bytes_out += n;
  g_mutex_unlock (&lock);
}

void
vpk_metrics_count_auth_failure (const char *reason)
{
  g_mutex_lock (&lock);
  if (strcmp (reason, "missing") == 0)
    auth_missing++;
  else
    auth_invalid++;
  g_mutex_unlock (&lock);
}

void
vpk_metrics_observe_stage (const char *stage, double seconds)
{
  double *sum;

  g_mutex_lock (&lock);
  ensure_tables ();
  sum = g_hash_table_lookup (stage_sum, stage);
  if (sum == NULL) {
    sum = g_new0 (double, 1);
    g_hash_table_insert (stage_sum, g_strdup (stage), sum);
  }
  *sum += seconds;
  bump (stage_count, g_strdup (stage), 1);
  g_mutex_unlock (&lock);
}

static void
render_jobs (GString *out, GHashTable *job_counts)
{
  static const char * const statuses[] = {
    VPK_STATUS_QUEUED, VPK_STATUS_FRAGMENTED, VPK_STATUS_ENCRYPTED, VPK_STATUS_READY,
    VPK_STATUS_FAILED, VPK_STATUS_CANCELLED,
  };

  g_string_append (out, "# HELP vpack_jobs Packaging jobs in the database by status.\n"
                        "# TYPE vpack_jobs gauge\n");
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    g_string_append_printf (out, "vpack_jobs{status=\"%s\"} %" G_GINT64_FORMAT "\n", statuses[i],
                            (gint64) GPOINTER_TO_INT (g_hash_table_lookup (job_counts,
                                                                           statuses[i])));
}

static void
render_requests (GString *out)
{
  GHashTableIter iter;
  gpointer key, value;

  g_string_append (out, "# HELP vpack_http_requests_total HTTP requests by route and status.\n"
                        "# TYPE vpack_http_requests_total counter\n");
  g_hash_table_iter_init (&iter, requests);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_auto(GStrv) parts = g_strsplit (key, "\t", 2);

    g_string_append_printf (out, "vpack_http_requests_total{route=\"%s\",status=\"%s\"} %"
                            G_GUINT64_FORMAT "\n", parts[0], parts[1], *(guint64 *) value);
  }
}

static void
render_stages (GString *out)
{
  GHashTableIter iter;
  gpointer key, value;

  g_string_append (out, "# HELP vpack_stage_seconds Time spent in each pipeline stage.\n"
                        "# TYPE vpack_stage_seconds summary\n");
  g_hash_table_iter_init (&iter, stage_sum);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (out, "vpack_stage_seconds_sum{stage=\"%s\"} %.6f\n"
                            "vpack_stage_seconds_count{stage=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            (char *) key, *(double *) value, (char *) key,
                            *(guint64 *) g_hash_table_lookup (stage_count, key));
}

char *
vpk_metrics_render (GHashTable *job_counts)
{
  GString *out = g_string_new (NULL);

  g_mutex_lock (&lock);
  ensure_tables ();
  render_jobs (out, job_counts);
  render_stages (out);
  g_string_append_printf (out, "# HELP vpack_upload_bytes_total Request body bytes received.\n"
                          "# TYPE vpack_upload_bytes_total counter\n"
                          "vpack_upload_bytes_total %" G_GUINT64_FORMAT "\n"
                          "# HELP vpack_content_bytes_total Content bytes served.\n"
                          "# TYPE vpack_content_bytes_total counter\n"
                          "vpack_content_bytes_total %" G_GUINT64_FORMAT "\n",
                          bytes_in, bytes_out);
  g_string_append_printf (out, "# HELP vpack_auth_failures_total Requests refused for a missing "
                          "or invalid API token.\n"
                          "# TYPE vpack_auth_failures_total counter\n"
                          "vpack_auth_failures_total{reason=\"missing\"} %" G_GUINT64_FORMAT "\n"
                          "vpack_auth_failures_total{reason=\"invalid\"} %" G_GUINT64_FORMAT "\n",
                          auth_missing, auth_invalid);
  render_requests (out);
  g_mutex_unlock (&lock);
  return g_string_free (out, FALSE);
}
