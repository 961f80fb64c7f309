/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* API tokens: which routes need one, and checking the one a request carries.
 * Tokens are kept only as SHA-256 hashes ([server] api_tokens and
 * <state-dir>/tokens); docs/security.md describes the model. */

#include <libsoup/soup.h>
#include "vpk-server.h"

G_BEGIN_DECLS

/* Generated tokens start with this, so that secret scanners can spot them. */
#define VPK_AUTH_TOKEN_PREFIX "vpk_"
/* Longer presented tokens are refused without hashing. */
#define VPK_AUTH_TOKEN_MAX 256

/* Loads the master key and the token hashes; with no token configured at all,
 * generates an admin token into <state-dir>/admin-token (mode 0600) and keeps
 * only its hash (in <state-dir>/tokens). Runs before the database starts. */
gboolean vpk_auth_init          (VpkServer  *server,
                                 GError    **error);
/* Re-seals keys stored in the clear by vpack 0.1 (once the database runs). */
gboolean vpk_auth_upgrade_keys  (VpkServer  *server,
                                 GError    **error);
/* Forgets the token hashes and wipes the master key. */
void     vpk_auth_shutdown      (void);

/* TRUE when @msg may reach the route labelled @route (the route table's
 * name); otherwise replies (401 with WWW-Authenticate, or 404 for turned-off
 * routes) and returns FALSE. Routes it does not list as public need a token. */
gboolean vpk_auth_check         (VpkServer         *server,
                                 SoupServerMessage *msg,
                                 const char        *route,
                                 GHashTable        *query);

/* "vpk_" + 43 base64url characters (256 random bits). */
char    *vpk_auth_generate_token (GError **error);
/* "sha256:" + 64 lower-case hex digits of @token. */
char    *vpk_auth_hash_token     (const char *token);

/* vpk-metrics.c: vpack_auth_failures_total{reason="missing|invalid"}. */
void     vpk_metrics_count_auth_failure (const char *reason);

G_END_DECLS
