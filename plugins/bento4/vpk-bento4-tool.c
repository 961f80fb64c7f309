/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk-bento4.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Runs one Bento4 tool from an argv vector (never a shell) on the calling
 * worker thread, in a private main context: stdout is captured (bounded) or
 * silenced, stderr is kept for the error message, and the tool is killed when
 * the job is cancelled or when it outlives [bento4] timeout. */

#define MAX_STDERR (64u * 1024)
#define READ_CHUNK 16384
#define MAX_MESSAGE 2000

typedef struct _ToolRun ToolRun;

typedef struct {
  ToolRun    *run;
  GByteArray *data;
  gsize       max;
  gboolean    truncated;
} Pipe;

struct _ToolRun {
  GSubprocess *proc;
  Pipe         out;
  Pipe         err;
  guint        pending;  /* reads in flight + the wait for the exit */
  gboolean     timed_out;
  gboolean     cancelled;
  GError      *io_error;
};

static void
tool_run_clear (ToolRun *run)
{
  g_clear_object (&run->proc);
  g_clear_pointer (&run->out.data, g_byte_array_unref);
  g_clear_pointer (&run->err.data, g_byte_array_unref);
  g_clear_error (&run->io_error);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ToolRun, tool_run_clear)

/* In the child, before exec: a process group of its own, so that a kill also
 * reaches what the tool starts (mp4dash's Python runs mp4split, a shell runs
 * sleep); otherwise a grandchild would keep our pipes open. */
static void
child_setup (gpointer data)
{
  setpgid (0, 0);
}

static void
kill_tree (ToolRun *run)
{
  const char *pid = g_subprocess_get_identifier (run->proc);

  if (pid != NULL)
    kill (-(pid_t) g_ascii_strtoll (pid, NULL, 10), SIGKILL);
  g_subprocess_force_exit (run->proc);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pipe *pipe = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize size = 0;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    if (error != NULL && pipe->run->io_error == NULL)
      pipe->run->io_error = g_steal_pointer (&error);
    pipe->run->pending--;
    return;
  }
  /* Keep at most max bytes but drain the rest, or the tool would block. */
  data = g_bytes_get_data (bytes, &size);
  if (pipe->data->len + size > pipe->max)
    pipe->truncated = TRUE;
  if (pipe->data->len < pipe->max)
    g_byte_array_append (pipe->data, data, MIN (size, pipe->max - pipe->data->len));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), READ_CHUNK, G_PRIORITY_DEFAULT,
                                   NULL, on_read, pipe);
}

static void
start_reading (ToolRun      *run,
               Pipe         *pipe,
               GInputStream *stream,
               gsize         max)
{
  pipe->run = run;
  pipe->data = g_byte_array_new ();
  pipe->max = max;
  run->pending++;
  g_input_stream_read_bytes_async (stream, READ_CHUNK, G_PRIORITY_DEFAULT, NULL, on_read, pipe);
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ToolRun *run = user_data;

  /* Without a cancellable the wait cannot fail. */
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->pending--;
}

static gboolean
on_timeout (gpointer user_data)
{
  ToolRun *run = user_data;

  run->timed_out = TRUE;
  kill_tree (run);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  ToolRun *run = user_data;

  run->cancelled = TRUE;
  kill_tree (run);
  return G_SOURCE_REMOVE;
}

static GSource *
attach_watch (GSource      *source,
              GSourceFunc   func,
              ToolRun      *run,
              GMainContext *context)
{
  g_source_set_callback (source, func, run, NULL);
  g_source_attach (source, context);
  return source;
}

/* Bento4 tools exit 1 for every failure and print the reason as "ERROR: ..."
 * on stderr, mp4dash after warnings and progress lines: prefer those lines. */
static char *
stderr_message (GByteArray *err)
{
  g_autofree char *text = g_utf8_make_valid ((const char *) err->data, err->len);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) errors = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = g_strstrip (lines[i]);

    if (g_str_has_prefix (line, "ERROR"))
      g_string_append_printf (errors, "%s%s", errors->len > 0 ? "; " : "", line);
  }
  if (errors->len == 0)
    g_string_assign (errors, g_strstrip (text));
  if (errors->len == 0)
    g_string_assign (errors, "(no message)");
  if (errors->len > MAX_MESSAGE)
    g_string_truncate (errors, g_utf8_find_prev_char (errors->str,
                                                      errors->str + MAX_MESSAGE) - errors->str);
  return g_string_free (g_steal_pointer (&errors), FALSE);
}

static gboolean
run_finish (ToolRun          *run,
            const char       *name,
            const VpkBento4  *self,
            char            **out_stdout,
            GError          **error)
{
  g_autofree char *message = NULL;

  if (run->cancelled)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "'%s' was cancelled", name),
           FALSE;
  if (run->timed_out)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED,
                        "'%s' ran longer than %" G_GUINT64_FORMAT " s ([bento4] timeout) "
                        "and was killed", name, self->timeout_seconds), FALSE;
  if (run->io_error != NULL) {
    g_propagate_prefixed_error (error, g_steal_pointer (&run->io_error),
                                "Cannot read the output of '%s': ", name);
    return FALSE;
  }
  if (!g_subprocess_get_successful (run->proc)) {
    message = stderr_message (run->err.data);
    if (g_subprocess_get_if_signaled (run->proc))
      g_set_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED, "'%s' was killed by signal %d: %s",
                   name, g_subprocess_get_term_sig (run->proc), message);
    else
      g_set_error (error, VPK_ERROR, VPK_ERROR_TOOL_FAILED, "'%s' failed (exit status %d): %s",
                   name, g_subprocess_get_exit_status (run->proc), message);
    return FALSE;
  }
  if (out_stdout == NULL)
    return TRUE;
  if (run->out.truncated)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                        "'%s' printed more than %u bytes", name, VPK_BENTO4_MAX_STDOUT), FALSE;
  *out_stdout = g_strndup ((const char *) run->out.data->data, run->out.data->len);
  return TRUE;
}

static GSubprocess *
spawn (const char * const  *argv,
       gboolean             capture_stdout,
       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (capture_stdout ? G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                        : G_SUBPROCESS_FLAGS_STDOUT_SILENCE));
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* mp4dash is Python: leave the tools folder as it is. */
  g_subprocess_launcher_setenv (launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

/**
 * vpk_bento4_run_tool:
 * @argv: the tool's absolute path and its arguments, %NULL-terminated
 * @out_stdout: (out) (optional): the tool's standard output (at most
 *   %VPK_BENTO4_MAX_STDOUT bytes); %NULL silences it
 *
 * Runs @argv and waits for it. Fails with %VPK_ERROR_TOOL_FAILED carrying the
 * tool's "ERROR: ..." lines when it exits non-zero or outlives the timeout,
 * and with %G_IO_ERROR_CANCELLED when @cancellable fires; the tool and
 * everything it started are killed then. The arguments are never logged: some
 * carry keys.
 */
gboolean
vpk_bento4_run_tool (const VpkBento4     *self,
                     const char * const  *argv,
                     char               **out_stdout,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *name = g_path_get_basename (argv[0]);
  g_auto(ToolRun) run = { 0 };
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GSource) cancel = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_debug ("running %s", name);

  g_main_context_push_thread_default (context);
  run.proc = spawn (argv, out_stdout != NULL, error);
  if (run.proc == NULL) {
    g_main_context_pop_thread_default (context);
    g_prefix_error (error, "Cannot run '%s': ", name);
    return FALSE;
  }
  if (out_stdout != NULL)
    start_reading (&run, &run.out, g_subprocess_get_stdout_pipe (run.proc), VPK_BENTO4_MAX_STDOUT);
  start_reading (&run, &run.err, g_subprocess_get_stderr_pipe (run.proc), MAX_STDERR);
  run.pending++;
  g_subprocess_wait_async (run.proc, NULL, on_exited, &run);
  if (self->timeout_seconds > 0)
    timeout = attach_watch (g_timeout_source_new_seconds (MIN (self->timeout_seconds, G_MAXUINT)),
                            on_timeout, &run, context);
  if (cancellable != NULL)
    cancel = attach_watch (g_cancellable_source_new (cancellable), G_SOURCE_FUNC (on_cancelled),
                           &run, context);

  while (run.pending > 0)
    g_main_context_iteration (context, TRUE);

  if (timeout != NULL)
    g_source_destroy (timeout);
  if (cancel != NULL)
    g_source_destroy (cancel);
  g_main_context_pop_thread_default (context);
  return run_finish (&run, name, self, out_stdout, error);
}
