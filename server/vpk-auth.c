/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* API tokens. A request presents a token; the service keeps only SHA-256
 * hashes and compares hashes in constant time. Which routes are public is
 * listed here, by route name: anything not listed needs a token, so a route
 * added later is protected until someone decides otherwise. */
#include "vpk-auth.h"
#include "vpk-server-private.h"
#include "vpk-master-key.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define HASH_SIZE 32

typedef struct {
  guint8 bytes[HASH_SIZE];
} TokenHash;

typedef enum {
  ACCESS_API,          /* a Bearer token */
  ACCESS_PUBLIC,
  ACCESS_LEGACY_PAGE,  /* public, unless legacy_routes = off */
  ACCESS_LEGACY,       /* per [server] legacy_routes; ?token= accepted too */
} Access;

static const struct {
  const char *route;
  Access      access;
} route_access[] = {
  { "healthz", ACCESS_PUBLIC },
  { "metrics", ACCESS_PUBLIC },   /* aggregate counters only; see docs/security.md */
  { "openapi", ACCESS_PUBLIC },
  { "web", ACCESS_PUBLIC },       /* the page's static files; the page asks for a token */
  { "content", ACCESS_PUBLIC },   /* encrypted segments and MPDs, for players */
  { "license", ACCESS_PUBLIC },   /* entitled by the content's token in ?token= */
  { "legacy_form", ACCESS_LEGACY_PAGE },
  { "legacy_success", ACCESS_LEGACY },
  { "legacy_job_get", ACCESS_LEGACY },
};

static GArray *hashes;  /* TokenHash; set before listening, read on the main thread */

static Access
access_for (const char *route)
{
  for (guint i = 0; route != NULL && i < G_N_ELEMENTS (route_access); i++)
    if (strcmp (route_access[i].route, route) == 0)
      return route_access[i].access;
  return ACCESS_API;
}

static void
hash_token (const char *token, TokenHash *out)
{
  unsigned int len = 0;

  if (EVP_Digest (token, strlen (token), out->bytes, &len, EVP_sha256 (), NULL) != 1)
    g_error ("SHA-256 is not available");
}

char *
vpk_auth_hash_token (const char *token)
{
  TokenHash h;
  GString *out = g_string_new (VPK_TOKEN_HASH_PREFIX);

  hash_token (token, &h);
  for (guint i = 0; i < HASH_SIZE; i++)
    g_string_append_printf (out, "%02x", h.bytes[i]);
  return g_string_free (out, FALSE);
}

char *
vpk_auth_generate_token (GError **error)
{
  guint8 bytes[32];
  g_autofree char *b64 = NULL;
  char *token;

  if (RAND_bytes (bytes, sizeof bytes) != 1) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "Cannot generate a token (RAND_bytes)");
    return NULL;
  }
  b64 = g_base64_encode (bytes, sizeof bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);
  *strchr (b64, '=') = '\0';
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  token = g_strconcat (VPK_AUTH_TOKEN_PREFIX, b64, NULL);
  OPENSSL_cleanse (b64, strlen (b64));
  return token;
}

/* "sha256:<hex>" (already checked) into @hashes. */
static void
add_hash (const char *text)
{
  const char *hex = text + strlen (VPK_TOKEN_HASH_PREFIX);
  TokenHash h;

  for (guint i = 0; i < HASH_SIZE; i++)
    h.bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 |
                           g_ascii_xdigit_value (hex[2 * i + 1]));
  g_array_append_val (hashes, h);
}

/* <state-dir>/tokens: "sha256:<hex> [label]" a line; blank and # lines skipped.
 * Errors name the line, never its text (it could be a pasted token). */
static gboolean
read_tokens_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = g_strstrip (lines[i]);
    g_autofree char *hash = NULL;

    if (*line == '\0' || *line == '#')
      continue;
    line[strcspn (line, " \t")] = '\0';
    hash = vpk_config_parse_token_hash (line);
    if (hash == NULL) {
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "%s: line %u is not sha256:<64 hex "
                   "digits> (store the hash of a token: see `vpack token`)", path, i + 1);
      return FALSE;
    }
    add_hash (hash);
  }
  return TRUE;
}

/* The first start with no token: a random admin token for the operator to read. */
static gboolean
make_admin_token (const char *state_dir, GError **error)
{
  g_autofree char *admin = g_build_filename (state_dir, "admin-token", NULL);
  g_autofree char *tokens = g_build_filename (state_dir, "tokens", NULL);
  g_autofree char *token = vpk_auth_generate_token (error);
  g_autofree char *hash = NULL;
  g_autofree char *list = NULL;
  gboolean ok;

  if (token == NULL)
    return FALSE;
  hash = vpk_auth_hash_token (token);
  list = g_strdup_printf ("# API token hashes, one a line: sha256:<hex> [label]. "
                          "See docs/security.md.\n%s admin (generated)\n", hash);
  ok = g_file_set_contents_full (admin, token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error) &&
       g_file_set_contents_full (tokens, list, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error);
  OPENSSL_cleanse (token, strlen (token));
  if (!ok)
    return FALSE;
  add_hash (hash);
  g_message ("No API token was configured: generated an admin token into '%s' (mode 600). "
             "Send it as 'Authorization: Bearer <token>'; only its hash is kept, in '%s'",
             admin, tokens);
  return TRUE;
}

gboolean
vpk_auth_init (VpkServer  *server,
               GError    **error)
{
  const VpkConfig *config = server->config;
  g_autofree char *tokens = g_build_filename (config->state_dir, "tokens", NULL);
  guint from_config = config->api_tokens != NULL ? g_strv_length (config->api_tokens) : 0;

  if (!vpk_master_key_load (config->state_dir, error))
    return FALSE;
  g_clear_pointer (&hashes, g_array_unref);
  hashes = g_array_new (FALSE, TRUE, sizeof (TokenHash));
  for (guint i = 0; i < from_config; i++)
    add_hash (config->api_tokens[i]);
  if (!read_tokens_file (tokens, error))
    return FALSE;
  if (hashes->len == 0 && !make_admin_token (config->state_dir, error))
    return FALSE;
  g_message ("%u API token(s): %u from [server] api_tokens, %u from '%s'", hashes->len,
             from_config, hashes->len - from_config, tokens);
  return TRUE;
}

gboolean
vpk_auth_upgrade_keys (VpkServer  *server,
                       GError    **error)
{
  g_autoptr(VpkDb) db = vpk_db_connect (server->db_params, error);

  return db != NULL && vpk_store_key_upgrade (db, error);
}

void
vpk_auth_shutdown (void)
{
  g_clear_pointer (&hashes, g_array_unref);
  vpk_master_key_unload ();
}

/* Every hash is compared, with no early exit. */
static gboolean
token_is_known (const char *token)
{
  TokenHash h;
  gboolean found = FALSE;

  if (hashes == NULL || strlen (token) > VPK_AUTH_TOKEN_MAX)
    return FALSE;
  hash_token (token, &h);
  for (guint i = 0; i < hashes->len; i++)
    found |= CRYPTO_memcmp (h.bytes, g_array_index (hashes, TokenHash, i).bytes, HASH_SIZE) == 0;
  OPENSSL_cleanse (&h, sizeof h);
  return found;
}

/* The Bearer token (or, for the original routes, ?token=); NULL when none.
 * Sets *out_malformed for an Authorization header of another form. */
static char *
presented_token (SoupServerMessage *msg, GHashTable *query, gboolean *out_malformed)
{
  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization");
  const char *t;

  *out_malformed = FALSE;
  if (header == NULL)
    return query != NULL ? g_strdup (g_hash_table_lookup (query, "token")) : NULL;
  if (g_ascii_strncasecmp (header, "Bearer ", 7) != 0) {
    *out_malformed = TRUE;
    return NULL;
  }
  for (t = header + 7; *t == ' '; t++)
    ;
  return *t != '\0' ? g_strstrip (g_strdup (t)) : NULL;
}

static gboolean
refuse (SoupServerMessage *msg, gboolean missing)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  vpk_metrics_count_auth_failure (missing ? "missing" : "invalid");
  soup_message_headers_replace (h, "WWW-Authenticate", missing ? "Bearer realm=\"vpack\""
                                : "Bearer realm=\"vpack\", error=\"invalid_token\"");
  if (missing)
    vpk_http_reply_error (msg, 401, "unauthorized", "This route needs an API token: send "
                          "'Authorization: Bearer <token>' (see docs/security.md)");
  else
    vpk_http_reply_error (msg, 401, "unauthorized", "The API token is not valid");
  return FALSE;
}

gboolean
vpk_auth_check (VpkServer         *server,
                SoupServerMessage *msg,
                const char        *route,
                GHashTable        *query)
{
  Access access = access_for (route);
  VpkLegacyRoutes legacy = server->config->legacy_routes;
  gboolean malformed = FALSE;
  g_autofree char *token = NULL;
  gboolean ok;

  if ((access == ACCESS_LEGACY || access == ACCESS_LEGACY_PAGE) &&
      legacy == VPK_LEGACY_ROUTES_OFF) {
    vpk_http_reply_error (msg, 404, "not_found", "The original routes are turned off "
                          "([server] legacy_routes = off)");
    return FALSE;
  }
  if (access == ACCESS_PUBLIC || access == ACCESS_LEGACY_PAGE ||
      (access == ACCESS_LEGACY && legacy == VPK_LEGACY_ROUTES_OPEN))
    return TRUE;
  token = presented_token (msg, access == ACCESS_LEGACY ? query : NULL, &malformed);
  if (token == NULL)
    return refuse (msg, !malformed);
  ok = token_is_known (token);
  OPENSSL_cleanse (token, strlen (token));
  return ok || refuse (msg, FALSE);
}
