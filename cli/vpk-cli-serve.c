/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vpack serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT]
 * [--role all|api|worker]`: the REST service, its workers or both, on a
 * GMainLoop until SIGINT or SIGTERM. */
#include "vpk-cli.h"

#include <stdio.h>
#include <glib-unix.h>
#include "vpk-server.h"

typedef struct {
  char  *config_path;
  char  *state_dir;
  char  *listen;
  char  *role;
  GStrv  sets;
} ServeArgs;

static void
serve_args_clear (ServeArgs *a)
{
  g_free (a->config_path);
  g_free (a->state_dir);
  g_free (a->listen);
  g_free (a->role);
  g_strfreev (a->sets);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServeArgs, serve_args_clear)

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_serve_args (ServeArgs *a, int *argc, char ***argv)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config_path, "Read this config file", "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &a->state_dir,
      "Keep uploads, packages and the private database here", "DIR" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &a->listen, "Listen on this address", "HOST:PORT" },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &a->role,
      "api: HTTP only; worker: jobs only (and /healthz); all: both (default)", "ROLE" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &a->sets, "Set a config key", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run the REST service");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!vpk_cli_parse_options (context, argc, argv, "serve"))
    return FALSE;
  if (*argc != 1) {
    g_printerr ("vpack serve: takes no arguments (see `vpack serve --help`)\n");
    return FALSE;
  }
  return TRUE;
}

/* Sets "@key=@value" when @value is given (an option wins over the file). */
static gboolean
set_option (VpkConfig *config, const char *key, const char *value, GError **error)
{
  g_autofree char *assignment = NULL;

  if (value == NULL)
    return TRUE;
  assignment = g_strdup_printf ("%s=%s", key, value);
  return vpk_config_set (config, assignment, error);
}

static VpkConfig *
load_serve_config (ServeArgs *a, GError **error)
{
  g_autoptr(VpkConfig) config = vpk_cli_load_config (a->config_path,
                                                     (const char * const *) a->sets, error);

  if (config == NULL ||
      !set_option (config, "storage.state_dir", a->state_dir, error) ||
      !set_option (config, "server.listen", a->listen, error) ||
      !set_option (config, "server.role", a->role, error))
    return NULL;
  return g_steal_pointer (&config);
}

int
vpk_cli_serve (int argc, char **argv)
{
  g_auto(ServeArgs) a = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkConfig) config = NULL;
  g_autoptr(VpkServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint sigint, sigterm;

  if (!parse_serve_args (&a, &argc, &argv))
    return VPK_EXIT_USAGE;
  config = load_serve_config (&a, &error);
  if (config == NULL)
    return vpk_cli_fail ("serve", error);
  server = vpk_server_new (g_steal_pointer (&config), &error);
  if (server == NULL)
    return vpk_cli_fail ("serve", error);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  /* Tests and scripts wait for this line. */
  g_print ("vpack serve: listening on %s/\n", vpk_server_get_url (server));
  fflush (stdout);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_print ("vpack serve: stopping\n");
  return VPK_EXIT_OK;
}
