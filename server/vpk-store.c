/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Records of the service and their JSON form. */
#include "vpk-store.h"

static const char * const statuses[] = {
  VPK_STATUS_QUEUED, VPK_STATUS_FRAGMENTED, VPK_STATUS_ENCRYPTED,
  VPK_STATUS_READY, VPK_STATUS_FAILED, VPK_STATUS_CANCELLED, NULL
};

gboolean
vpk_status_is_valid (const char *status)
{
  return status != NULL && g_strv_contains (statuses, status);
}

gboolean
vpk_status_is_final (const char *status)
{
  return g_strcmp0 (status, VPK_STATUS_READY) == 0 ||
         g_strcmp0 (status, VPK_STATUS_FAILED) == 0 ||
         g_strcmp0 (status, VPK_STATUS_CANCELLED) == 0;
}

void
vpk_input_row_free (VpkInputRow *row)
{
  if (row == NULL)
    return;
  g_free (row->filename);
  g_free (row->stored_path);
  g_free (row->status);
  g_free (row->media_json);
  g_free (row->created_at);
  g_free (row);
}

void
vpk_job_row_free (VpkJobRow *row)
{
  if (row == NULL)
    return;
  g_free (row->status);
  g_free (row->stage);
  g_free (row->kid);
  g_free (row->url);
  g_free (row->error);
  g_free (row->created_at);
  g_free (row->updated_at);
  g_free (row->output_path);
  g_free (row->scheme);
  g_free (row->encrypt);
  g_free (row->profile);
  g_free (row->license_token);
  g_free (row->sealed_key);
  g_free (row->source_path);
  g_free (row->media_json);
  g_free (row);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
vpk_input_row_to_json (const VpkInputRow *row, JsonBuilder *b)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  add_int (b, "input_content_id", row->id);
  add_string (b, "status", row->status);
  add_string (b, "filename", row->filename);
  json_builder_set_member_name (b, "video_track_number");
  if (row->video_track >= 0)
    json_builder_add_int_value (b, row->video_track);
  else
    json_builder_add_null_value (b);
  add_int (b, "size", row->size);
  add_string (b, "created_at", row->created_at);
  json_builder_set_member_name (b, "media");
  if (row->media_json != NULL && json_parser_load_from_data (parser, row->media_json, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (b);
}

void
vpk_job_row_to_json (const VpkJobRow *row, const char *base_url, JsonBuilder *b)
{
  g_autofree char *status_url =
      g_strdup_printf ("%s/packaged_content/%" G_GINT64_FORMAT, base_url, row->id);
  g_autofree char *events_url = g_strdup_printf ("%s/events", status_url);
  gboolean ready = g_strcmp0 (row->status, VPK_STATUS_READY) == 0;
  gboolean failed = g_strcmp0 (row->status, VPK_STATUS_FAILED) == 0;

  add_int (b, "packaged_content_id", row->id);
  add_int (b, "input_content_id", row->input_id);
  add_string (b, "status", row->status);
  add_string (b, "stage", row->stage);
  json_builder_set_member_name (b, "progress");
  json_builder_add_double_value (b, CLAMP (row->progress, 0.0, 1.0));
  add_string (b, "url", ready ? row->url : NULL);
  add_string (b, "kid", row->kid);
  add_string (b, "error", failed ? row->error : NULL);
  add_string (b, "scheme", row->scheme);
  add_string (b, "encrypt", row->encrypt);
  add_string (b, "profile", row->profile);
  json_builder_set_member_name (b, "segment_duration");
  json_builder_add_double_value (b, row->segment_duration_ms / 1000.0);
  add_string (b, "status_url", status_url);
  add_string (b, "events_url", events_url);
  add_string (b, "created_at", row->created_at);
  add_string (b, "updated_at", row->updated_at);
}
