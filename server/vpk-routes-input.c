/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* POST /input_content (and the original POST /success), GET /input_content[/{id}]. */
#include "vpk-upload-private.h"

#include <string.h>
#include <glib/gstdio.h>

typedef struct {
  char     *tmp_path;
  char     *filename;
  guint64   size;
  gboolean  legacy_html;
} Ingest;

static void
ingest_free (Ingest *in)
{
  if (in->tmp_path != NULL)
    g_unlink (in->tmp_path);
  g_free (in->tmp_path);
  g_free (in->filename);
  g_free (in);
}

/* Keeps a short, known extension: some backends look at it. */
static const char *
stored_extension (const char *filename)
{
  static const char * const known[] = { "mp4", "m4v", "mov", "mkv", "webm", "ts", "m4a", NULL };
  const char *dot = strrchr (filename, '.');

  for (guint i = 0; dot != NULL && known[i] != NULL; i++)
    if (g_ascii_strcasecmp (dot + 1, known[i]) == 0)
      return known[i];
  return "bin";
}

static gboolean
run_ingest (VpkServer *server, const char *path, VpkMediaInfo **out_info, GError **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *workdir = g_strdup_printf ("%s/ingest-%s", server->work_dir, id);
  g_autoptr(VpkJob) job = vpk_job_new (id, workdir, error);
  gboolean ok;

  if (job == NULL)
    return FALSE;
  vpk_job_set_options (job, &server->config->package);
  vpk_job_set_artifact_path (job, VPK_ARTIFACT_SOURCE, path);
  ok = vpk_pipeline_run_stage (server->pipeline, job, VPK_STAGE_INGEST, NULL, NULL, NULL, error);
  vpk_server_remove_tree (workdir);
  if (!ok)
    return FALSE;
  if (vpk_job_get_media_info (job) == NULL ||
      vpk_media_info_get_video_track (vpk_job_get_media_info (job)) == NULL) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "The file has no video track");
    return FALSE;
  }
  *out_info = vpk_media_info_copy (vpk_job_get_media_info (job));
  return TRUE;
}

static void
reply_input (VpkReply *reply, const VpkInputRow *row, gboolean legacy_html)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (legacy_html) {
    g_autofree char *name = g_markup_escape_text (row->filename, -1);
    g_autofree char *html = g_strdup_printf (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Uploaded</title></head>"
        "<body><h1>Upload successful</h1><p>File: %s</p>"
        "<p>input_content_id: <span id=\"input_content_id\">%" G_GINT64_FORMAT "</span></p>"
        "</body></html>\n", name, row->id);
    gsize len = strlen (html);
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&html), len);

    vpk_reply_body (reply, 201, "text/html; charset=utf-8", bytes);
    return;
  }
  json_builder_begin_object (b);
  vpk_input_row_to_json (row, b);
  vpk_reply_json (reply, 201, b);
}

static gboolean
ingest_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  Ingest *in = data;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("%s.%s", uuid, stored_extension (in->filename));
  g_autofree char *path = g_build_filename (server->inputs_dir, name, NULL);
  g_autoptr(VpkMediaInfo) info = NULL;
  g_autoptr(VpkInputRow) row = NULL;
  g_autofree char *media = NULL;
  const VpkTrackInfo *video;
  gint64 id;

  if (in->size == 0)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_DATA, "The file is empty"), FALSE;
  if (g_rename (in->tmp_path, path) != 0)
    return g_set_error (error, VPK_ERROR, VPK_ERROR_FAILED, "Cannot store the upload"), FALSE;
  g_clear_pointer (&in->tmp_path, g_free);
  if (!run_ingest (server, path, &info, error)) {
    g_unlink (path);  /* unprocessable: nothing is kept */
    return FALSE;
  }
  video = vpk_media_info_get_video_track (info);
  media = vpk_media_info_to_json (info, FALSE);
  if (!vpk_store_input_insert (db, in->filename, path, (gint64) in->size, video->id, media, &id,
                               error) ||
      (row = vpk_store_input_get (db, id, error)) == NULL) {
    g_unlink (path);
    return FALSE;
  }
  g_message ("Input %" G_GINT64_FORMAT " stored (%" G_GUINT64_FORMAT " bytes)", id, in->size);
  reply_input (reply, row, in->legacy_html);
  return TRUE;
}

void
vpk_upload_finish (VpkServer *server, SoupServerMessage *msg, gboolean legacy_html)
{
  VpkBody *body = vpk_upload_get (msg);
  Ingest *in;

  if (body == NULL) {
    vpk_http_reply_error (msg, 400, NULL, "No body");
    return;
  }
  if (body->error == NULL && body->mp != NULL)
    vpk_multipart_finish (body->mp, &body->error);
  if (body->error != NULL) {
    vpk_http_reply_gerror (msg, body->error);
    return;
  }
  if (!body->have_file || body->tmp_path == NULL) {
    vpk_http_reply_error (msg, 400, "no_file",
                          "The form has no file: send it in a part named 'file'");
    return;
  }
  close (body->fd);
  body->fd = -1;
  in = g_new0 (Ingest, 1);
  in->tmp_path = g_steal_pointer (&body->tmp_path);
  in->filename = g_strdup (body->filename);
  in->size = body->written;
  in->legacy_html = legacy_html;
  vpk_server_defer (server, msg, TRUE, ingest_thread, in, (GDestroyNotify) ingest_free);
}

void
vpk_route_input_create (VpkServer *server, SoupServerMessage *msg, const char *arg,
                        GHashTable *query)
{
  vpk_upload_finish (server, msg, FALSE);
}

void
vpk_route_legacy_success (VpkServer *server, SoupServerMessage *msg, const char *arg,
                          GHashTable *query)
{
  vpk_upload_finish (server, msg, TRUE);
}

static gboolean
get_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  g_autoptr(VpkInputRow) row = vpk_store_input_get (db, *(gint64 *) data, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (row == NULL)
    return FALSE;
  json_builder_begin_object (b);
  vpk_input_row_to_json (row, b);
  vpk_reply_json (reply, 200, b);
  return TRUE;
}

void
vpk_route_input_get (VpkServer *server, SoupServerMessage *msg, const char *arg,
                     GHashTable *query)
{
  gint64 id;

  if (vpk_server_parse_id (msg, arg, &id))
    vpk_server_defer (server, msg, TRUE, get_thread, g_memdup2 (&id, sizeof id), g_free);
}

static gboolean
list_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  gint64 *page = data;
  gint64 total = 0;
  g_autoptr(GPtrArray) rows = vpk_store_input_list (db, page[0], page[1], &total, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (rows == NULL)
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++) {
    json_builder_begin_object (b);
    vpk_input_row_to_json (rows->pdata[i], b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, page[0]);
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, page[1]);
  vpk_reply_json (reply, 200, b);
  return TRUE;
}

void
vpk_route_input_list (VpkServer *server, SoupServerMessage *msg, const char *arg,
                      GHashTable *query)
{
  gint64 page[2];

  if (vpk_server_parse_page (msg, query, &page[0], &page[1]))
    vpk_server_defer (server, msg, TRUE, list_thread, g_memdup2 (page, sizeof page), g_free);
}
