/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service: storage, database, pipeline, workers, and the one route table. */
#include "vpk-server-private.h"
#include "vpk-auth.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct {
  const char   *method;
  const char   *pattern;  /* "{id}" matches one segment, a final "*" the rest */
  VpkRouteFunc  func;
  const char   *name;     /* the route label in /metrics */
} VpkRoute;

static const VpkRoute routes[] = {
  { "POST", "/input_content", vpk_route_input_create, "input_create" },
  { "GET", "/input_content", vpk_route_input_list, "input_list" },
  { "GET", "/input_content/{id}", vpk_route_input_get, "input_get" },
  { "POST", "/packaged_content", vpk_route_job_create, "job_create" },
  { "GET", "/packaged_content", vpk_route_job_list, "job_list" },
  { "GET", "/packaged_content/{id}", vpk_route_job_get, "job_get" },
  { "DELETE", "/packaged_content/{id}", vpk_route_job_delete, "job_delete" },
  { "POST", "/packaged_content/{id}/cancel", vpk_route_job_cancel, "job_cancel" },
  { "GET", "/packaged_content/{id}/events", vpk_route_job_events, "job_events" },
  { "GET", "/content/*", vpk_route_content, "content" },
  { "POST", "/license", vpk_route_license, "license" },
  { "GET", "/healthz", vpk_route_healthz, "healthz" },
  { "GET", "/metrics", vpk_route_metrics, "metrics" },
  { "GET", "/openapi.json", vpk_route_openapi, "openapi" },
  { "GET", "/", vpk_route_web_index, "web" },
  { "GET", "/web/*", vpk_route_web_asset, "web" },
  /* The original service's routes. */
  { "GET", "/upload_input_content", vpk_route_legacy_form, "legacy_form" },
  { "POST", "/success", vpk_route_legacy_success, "legacy_success" },
  { "GET", "/packaged_content_id/{id}", vpk_route_job_get, "legacy_job_get" },
};

/* Matches @path against @pattern; sets *out_arg (borrowed from @path's copy). */
static gboolean
route_matches (const char *pattern, const char *path, char **out_arg)
{
  g_auto(GStrv) p = g_strsplit (pattern, "/", -1);
  g_auto(GStrv) s = g_strsplit (path, "/", -1);
  guint i;

  for (i = 0; p[i] != NULL; i++) {
    if (strcmp (p[i], "*") == 0 && p[i + 1] == NULL) {
      if (s[i] == NULL || *s[i] == '\0')
        return FALSE;
      *out_arg = g_strjoinv ("/", s + i);
      return TRUE;
    }
    if (s[i] == NULL)
      return FALSE;
    if (strcmp (p[i], "{id}") == 0) {
      if (*s[i] == '\0')
        return FALSE;
      g_free (*out_arg);
      *out_arg = g_strdup (s[i]);
    } else if (strcmp (p[i], s[i]) != 0) {
      return FALSE;
    }
  }
  return s[i] == NULL;
}

static void
reply_not_allowed (SoupServerMessage *msg, GString *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                allow->str);
  vpk_http_reply_error (msg, 405, "method_not_allowed", "%s is not allowed here (allowed: %s)",
                        soup_server_message_get_method (msg), allow->str);
}

static void
dispatch (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
          gpointer user_data)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GString) allow = g_string_new (NULL);

  vpk_http_add_cors (msg);
  if (strlen (path) > 2048) {
    vpk_http_reply_error (msg, 414, "uri_too_long", "The path is too long");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++) {
    g_autofree char *arg = NULL;

    if (!route_matches (routes[i].pattern, path, &arg))
      continue;
    /* A worker process answers probes only. */
    if (((VpkServer *) user_data)->config->role == VPK_ROLE_WORKER &&
        routes[i].func != vpk_route_healthz && routes[i].func != vpk_route_metrics)
      continue;
    if (strcmp (routes[i].method, method) == 0 ||
        (strcmp (method, "HEAD") == 0 && strcmp (routes[i].method, "GET") == 0)) {
      g_object_set_data (G_OBJECT (msg), "vpk-route", (gpointer) routes[i].name);
      if (vpk_auth_check (user_data, msg, routes[i].name, query))  /* replies when not */
        routes[i].func (user_data, msg, arg, query);
      return;
    }
    g_string_append_printf (allow, "%s%s", allow->len > 0 ? ", " : "", routes[i].method);
  }
  if (allow->len > 0 && strcmp (method, "OPTIONS") == 0)
    soup_server_message_set_status (msg, 204, NULL);  /* CORS preflight */
  else if (allow->len > 0)
    reply_not_allowed (msg, allow);
  else
    vpk_http_reply_error (msg, 404, "not_found", "No route for '%.200s'", path);
}

static void
on_request_finished (SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
  const char *route = g_object_get_data (G_OBJECT (msg), "vpk-route");

  vpk_metrics_count_request (route != NULL ? route : "other", soup_server_message_get_status (msg));
}

static gboolean
make_dirs (VpkServer *server, GError **error)
{
  const char *state = server->config->state_dir;
  const char *dirs[3];

  server->inputs_dir = g_build_filename (state, "inputs", NULL);
  server->work_dir = g_build_filename (state, "work", NULL);
  server->output_dir = g_build_filename (state, "output", NULL);
  dirs[0] = server->inputs_dir;
  dirs[1] = server->work_dir;
  dirs[2] = server->output_dir;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], 0700) != 0) {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create '%s': %s", dirs[i], g_strerror (errsv));
      return FALSE;
    }
  g_chmod (server->output_dir, 0755);
  return TRUE;
}

static GSocketAddress *
listen_address (const char *listen, char **out_host, guint *out_port, GError **error)
{
  const char *colon = strrchr (listen, ':');
  g_autofree char *host = g_strndup (listen, colon - listen);
  guint port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  GSocketAddress *address;

  if (host[0] == '[' && host[strlen (host) - 1] == ']') {
    char *inner = g_strndup (host + 1, strlen (host) - 2);

    g_free (host);
    host = inner;
  }
  if (strcmp (host, "localhost") == 0) {
    g_free (host);
    host = g_strdup ("127.0.0.1");
  }
  address = g_inet_socket_address_new_from_string (host, port);
  if (address == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "[server] listen: '%s' is not an IP address and port", listen);
    return NULL;
  }
  *out_host = g_steal_pointer (&host);
  *out_port = port;
  return address;
}

static gboolean
start_http (VpkServer *server, GError **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint port = 0;

  address = listen_address (server->config->listen, &host, &port, error);
  if (address == NULL)
    return FALSE;
  server->soup = soup_server_new ("server-header", "vpack/" VPK_VERSION_STRING " ", NULL);
  soup_server_add_handler (server->soup, NULL, dispatch, server, NULL);
  g_signal_connect (server->soup, "request-finished", G_CALLBACK (on_request_finished), server);
  vpk_upload_connect (server);
  if (!soup_server_listen (server->soup, address, 0, error)) {
    g_prefix_error (error, "Cannot listen on %s: ", server->config->listen);
    return FALSE;
  }
  if (server->config->public_url != NULL) {
    server->base_url = g_strdup (server->config->public_url);
    while (g_str_has_suffix (server->base_url, "/"))
      server->base_url[strlen (server->base_url) - 1] = '\0';
  } else {
    gboolean any = strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0;
    gboolean v6 = strchr (host, ':') != NULL && !any;

    server->base_url = g_strdup_printf ("http://%s%s%s:%u", v6 ? "[" : "",
                                        any ? "127.0.0.1" : host, v6 ? "]" : "", port);
  }
  return TRUE;
}

static gboolean
start_database (VpkServer *server, GError **error)
{
  g_autoptr(VpkDb) db = NULL;

  if (server->config->database_url != NULL) {
    server->db_params = vpk_db_params_parse (server->config->database_url, error);
  } else {
    g_autofree char *dir = g_build_filename (server->config->state_dir, "mariadb", NULL);

    server->mariadb = vpk_mariadb_start (dir, error);
    if (server->mariadb != NULL)
      server->db_params = vpk_db_params_copy (vpk_mariadb_get_params (server->mariadb));
  }
  if (server->db_params == NULL)
    return FALSE;
  vpk_db_set_default_params (server->db_params);
  db = vpk_db_connect (server->db_params, error);
  return db != NULL && vpk_db_migrate (db, error);
}

VpkServer *
vpk_server_new (VpkConfig  *config,
                GError    **error)
{
  g_autoptr(VpkServer) server = g_new0 (VpkServer, 1);

  server->config = config;
  /* host:pid:random: unique even for processes with one pid in containers of one name. */
  server->owner = g_strdup_printf ("%s:%d:%08x", g_get_host_name (), (int) getpid (),
                                   g_random_int ());
  /* vpk_auth_init loads the master key before mariadbd starts (see vpk-master-key.h). */
  if (!make_dirs (server, error) || !vpk_auth_init (server, error))
    return NULL;
  server->registry = vpk_registry_new ((const char * const *) config->plugin_path);
  server->pipeline = vpk_pipeline_new (server->registry, config, error);
  if (server->pipeline == NULL || !start_database (server, error) ||
      !vpk_auth_upgrade_keys (server, error) || !start_http (server, error))
    return NULL;
  server->workers = vpk_workers_new (server, config->workers, error);
  if (server->workers == NULL)
    return NULL;
  return g_steal_pointer (&server);
}

const char *
vpk_server_get_url (VpkServer *server)
{
  return server->base_url;
}

void
vpk_server_free (VpkServer *server)
{
  if (server == NULL)
    return;
  if (server->soup != NULL)
    soup_server_disconnect (server->soup);
  g_clear_pointer (&server->workers, vpk_workers_free);
  g_clear_object (&server->soup);
  vpk_db_set_default_params (NULL);
  g_clear_pointer (&server->mariadb, vpk_mariadb_stop);
  g_clear_pointer (&server->db_params, vpk_db_params_free);
  g_clear_pointer (&server->pipeline, vpk_pipeline_free);
  g_clear_pointer (&server->registry, vpk_registry_free);
  g_clear_pointer (&server->config, vpk_config_free);
  vpk_auth_shutdown ();
  g_free (server->inputs_dir);
  g_free (server->work_dir);
  g_free (server->output_dir);
  g_free (server->base_url);
  g_free (server->owner);
  g_free (server);
}
