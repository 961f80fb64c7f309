/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /packaged_content: create, read, list, cancel, delete. */
#include "vpk-server-private.h"
#include "vpk-request.h"

#include <string.h>

typedef struct {
  VpkPackageRequest request;
  char             *status;  /* list filter */
  gint64            id;
  gint64            page[2];
} JobArgs;

static void
job_args_free (JobArgs *a)
{
  vpk_package_request_clear (&a->request);
  g_free (a->status);
  g_free (a);
}

/* 32 random bytes, unpadded base64url (43 characters). */
static char *
make_token (GError **error)
{
  VpkKey halves[2];
  g_autofree char *b64 = NULL;

  if (!vpk_key_generate (&halves[0], error) || !vpk_key_generate (&halves[1], error))
    return NULL;
  b64 = g_base64_encode ((const guchar *) halves, sizeof halves);
  vpk_key_clear (&halves[0]);
  vpk_key_clear (&halves[1]);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  *strchr (b64, '=') = '\0';
  return g_steal_pointer (&b64);
}

static void
reply_job (VpkServer *server, VpkReply *reply, guint status, const VpkJobRow *row)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  vpk_job_row_to_json (row, server->base_url, b);
  vpk_reply_json (reply, status, b);
}

static gboolean
create_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  JobArgs *a = data;
  g_autofree char *kid = vpk_key_format (&a->request.kid, VPK_KEY_FORMAT_BASE64URL);
  g_autofree char *token = make_token (error);
  g_autofree char *sealed = token != NULL ? vpk_store_key_seal (&a->request.key, token, error)
                                          : NULL;
  g_autoptr(VpkJobRow) row = NULL;
  g_autofree char *location = NULL;
  VpkJobSpec spec = {
    .input_id = a->request.input_id, .kid = kid, .sealed_key = sealed,
    .license_token = token, .options = &a->request.options,
  };
  gint64 id;

  if (sealed == NULL || token == NULL || !vpk_store_job_insert (db, &spec, &id, error) ||
      (row = vpk_store_job_get (db, id, error)) == NULL)
    return FALSE;
  g_message ("Packaged content %" G_GINT64_FORMAT " queued for input %" G_GINT64_FORMAT,
             id, a->request.input_id);
  vpk_workers_wake (server->workers);
  location = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  vpk_reply_header (reply, "Location", location);
  reply_job (server, reply, 202, row);
  return TRUE;
}

void
vpk_route_job_create (VpkServer *server, SoupServerMessage *msg, const char *arg,
                      GHashTable *query)
{
  gsize size = 0;
  const char *body = vpk_upload_get_body (msg, &size);
  g_autoptr(GError) error = NULL;
  JobArgs *a = g_new0 (JobArgs, 1);

  if (!vpk_package_request_parse (body, size, &server->config->package, &a->request, &error)) {
    job_args_free (a);
    vpk_http_reply_gerror (msg, error);
    return;
  }
  vpk_server_defer (server, msg, TRUE, create_thread, a, (GDestroyNotify) job_args_free);
}

static gboolean
get_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  JobArgs *a = data;
  g_autoptr(VpkJobRow) row = vpk_store_job_get (db, a->id, error);

  if (row == NULL)
    return FALSE;
  reply_job (server, reply, 200, row);
  return TRUE;
}

static JobArgs *
args_for_id (SoupServerMessage *msg, const char *arg)
{
  JobArgs *a = g_new0 (JobArgs, 1);

  if (!vpk_server_parse_id (msg, arg, &a->id)) {
    job_args_free (a);
    return NULL;
  }
  return a;
}

void
vpk_route_job_get (VpkServer *server, SoupServerMessage *msg, const char *arg,
                   GHashTable *query)
{
  JobArgs *a = args_for_id (msg, arg);

  if (a != NULL)
    vpk_server_defer (server, msg, TRUE, get_thread, a, (GDestroyNotify) job_args_free);
}

static gboolean
list_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  JobArgs *a = data;
  gint64 total = 0;
  g_autoptr(GPtrArray) rows = vpk_store_job_list (db, a->status, a->page[0], a->page[1], &total,
                                                  error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (rows == NULL)
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++) {
    json_builder_begin_object (b);
    vpk_job_row_to_json (rows->pdata[i], server->base_url, b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, a->page[0]);
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, a->page[1]);
  vpk_reply_json (reply, 200, b);
  return TRUE;
}

void
vpk_route_job_list (VpkServer *server, SoupServerMessage *msg, const char *arg,
                    GHashTable *query)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;
  JobArgs *a;

  if (status != NULL && !vpk_status_is_valid (status)) {
    vpk_http_reply_error (msg, 422, "unprocessable", "status must be one of Queued, Fragmented, "
                          "Encrypted, Ready, Failed, Cancelled");
    return;
  }
  a = g_new0 (JobArgs, 1);
  a->status = g_strdup (status);
  if (!vpk_server_parse_page (msg, query, &a->page[0], &a->page[1])) {
    job_args_free (a);
    return;
  }
  vpk_server_defer (server, msg, TRUE, list_thread, a, (GDestroyNotify) job_args_free);
}

static gboolean
cancel_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  JobArgs *a = data;
  g_autoptr(VpkJobRow) row = NULL;

  if (!vpk_store_job_cancel (db, a->id, error))
    return FALSE;
  vpk_workers_cancel (server->workers, a->id);
  row = vpk_store_job_get (db, a->id, error);
  if (row == NULL)
    return FALSE;
  reply_job (server, reply, 202, row);
  return TRUE;
}

void
vpk_route_job_cancel (VpkServer *server, SoupServerMessage *msg, const char *arg,
                      GHashTable *query)
{
  JobArgs *a = args_for_id (msg, arg);

  if (a != NULL)
    vpk_server_defer (server, msg, TRUE, cancel_thread, a, (GDestroyNotify) job_args_free);
}

static gboolean
delete_thread (VpkServer *server, VpkDb *db, gpointer data, VpkReply *reply, GError **error)
{
  JobArgs *a = data;
  g_autofree char *output = NULL;

  if (!vpk_store_job_delete (db, a->id, &output, error))
    return FALSE;
  if (output != NULL && g_str_has_prefix (output, server->output_dir))
    vpk_server_remove_tree (output);
  reply->status = 204;
  return TRUE;
}

void
vpk_route_job_delete (VpkServer *server, SoupServerMessage *msg, const char *arg,
                      GHashTable *query)
{
  JobArgs *a = args_for_id (msg, arg);

  if (a != NULL)
    vpk_server_defer (server, msg, TRUE, delete_thread, a, (GDestroyNotify) job_args_free);
}
