/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a pipeline to EOS on the calling thread: cancellable, with a
 * no-progress watchdog, GStreamer errors turned into GErrors. */
#include "vpk-gst.h"

#define VPK_GST_CANCELLED "vpk-cancelled"
#define POLL_INTERVAL (100 * GST_MSECOND)

void
vpk_gst_post_refusal (GstElement *element, const char *message)
{
  GstStructure *s = gst_structure_new (VPK_GST_REFUSED, "message", G_TYPE_STRING, message,
                                       NULL);

  gst_element_post_message (element, gst_message_new_application (GST_OBJECT (element), s));
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  gst_bus_post (GST_BUS (user_data),
                gst_message_new_application (NULL, gst_structure_new_empty (VPK_GST_CANCELLED)));
}

/* Stream errors (demux, decode, format) are the input's fault. */
static gint
error_code_for (const GError *gst_error)
{
  return gst_error->domain == GST_STREAM_ERROR ? VPK_ERROR_INVALID_DATA : VPK_ERROR_FAILED;
}

static gboolean
set_error_from_message (GstMessage *msg, GError **error)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (msg, &gst_error, &debug);
  g_set_error (error, VPK_ERROR, error_code_for (gst_error), "%s: %s%s%s%s",
               GST_MESSAGE_SRC_NAME (msg), gst_error->message,
               debug != NULL ? " (" : "", debug != NULL ? debug : "", debug != NULL ? ")" : "");
  return FALSE;
}

static void
log_warning (GstMessage *msg)
{
  g_autoptr(GError) warning = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_warning (msg, &warning, &debug);
  g_debug ("GStreamer warning from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg), warning->message,
           debug != NULL ? debug : "");
}

/* Returns TRUE when @msg ends the run; sets *out_ok and @error. */
static gboolean
handle_message (GstMessage *msg, gboolean *out_ok, GError **error)
{
  const GstStructure *s;

  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_EOS:
    *out_ok = TRUE;
    return TRUE;
  case GST_MESSAGE_ERROR:
    *out_ok = set_error_from_message (msg, error);
    return TRUE;
  case GST_MESSAGE_WARNING:
    log_warning (msg);
    return FALSE;
  case GST_MESSAGE_APPLICATION:
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, VPK_GST_CANCELLED)) {
      *out_ok = FALSE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      return TRUE;
    }
    if (gst_structure_has_name (s, VPK_GST_REFUSED)) {
      *out_ok = FALSE;
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "%s",
                   gst_structure_get_string (s, "message"));
      return TRUE;
    }
    return FALSE;
  default:
    return FALSE;
  }
}

static gboolean
wait_for_end (GstElement *pipeline, GstBus *bus, guint64 timeout_seconds,
              VpkGstPollFunc poll, gpointer poll_data, GError **error)
{
  gint64 last_value = G_MININT64;
  gint64 last_change = g_get_monotonic_time ();
  GstMessageType types = GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING |
                         GST_MESSAGE_APPLICATION;

  for (;;) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered (bus, POLL_INTERVAL, types);
    gboolean ok = FALSE;
    gint64 value = poll != NULL ? poll (poll_data) : 0;
    gint64 now = g_get_monotonic_time ();

    if (msg != NULL && handle_message (msg, &ok, error))
      return ok;
    if (value != last_value) {
      last_value = value;
      last_change = now;
    } else if (timeout_seconds > 0 && now - last_change > (gint64) timeout_seconds * G_USEC_PER_SEC) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA,
                   "%s: no progress for %" G_GUINT64_FORMAT " s at %.3f s of the input "
                   "(a malformed file?); stopped", GST_OBJECT_NAME (pipeline), timeout_seconds,
                   value > 0 ? (double) value / GST_SECOND : 0.0);
      return FALSE;
    }
  }
}

gboolean
vpk_gst_run_pipeline (GstElement    *pipeline,
                      guint64        timeout_seconds,
                      VpkGstPollFunc poll,
                      gpointer       poll_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GError) local = NULL;
  gulong handler = 0;
  gboolean ok = FALSE;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), bus, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The element that failed usually posted the reason on the bus. */
    g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg != NULL)
      set_error_from_message (msg, &local);
    else
      g_set_error (&local, VPK_ERROR, VPK_ERROR_FAILED, "Pipeline '%s' did not start",
                   GST_OBJECT_NAME (pipeline));
  } else {
    ok = wait_for_end (pipeline, bus, timeout_seconds, poll, poll_data, &local);
  }

  g_cancellable_disconnect (cancellable, handler);  /* no-op for NULL / 0 */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_flushing (bus, TRUE);  /* drops what is left, such as a late cancel */

  if (ok)
    return TRUE;
  /* Cancellation wins over the error it may have caused. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}
