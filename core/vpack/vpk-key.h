/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (VPK_INSIDE) && !defined (VPK_COMPILATION)
#error "Only <vpack/vpk.h> can be included directly."
#endif

#include <glib.h>
#include <vpack/vpk-version.h>

G_BEGIN_DECLS

#define VPK_KEY_SIZE 16

/**
 * VpkKey:
 *
 * A 128-bit content key or key ID. Plain bytes, so it can live on the stack;
 * call vpk_key_clear() when it held a content key.
 */
typedef struct {
  guint8 bytes[VPK_KEY_SIZE];
} VpkKey;

typedef enum {
  VPK_KEY_FORMAT_HEX,        /* 32 lower-case hex digits */
  VPK_KEY_FORMAT_UUID,       /* 8-4-4-4-12 hex */
  VPK_KEY_FORMAT_BASE64,     /* padded standard base64 (24 chars) */
  VPK_KEY_FORMAT_BASE64URL,  /* unpadded base64url (22 chars), the original service's form */
} VpkKeyFormat;

/* The text listed in every "bad key" error. */
#define VPK_KEY_ACCEPTED_FORMS \
  "22-character base64url, 24-character padded base64, 32 hex digits or a UUID"

/* Parses any accepted form. On failure @out_key is untouched and the error
 * (VPK_ERROR_INVALID_ARGUMENT) names @what ("key", "kid") and the accepted forms. */
VPK_API gboolean vpk_key_parse    (const char  *text,
                                   const char  *what,
                                   VpkKey      *out_key,
                                   GError     **error);
VPK_API char    *vpk_key_format   (const VpkKey *key,
                                   VpkKeyFormat  format);
/* Fills @out_key from OpenSSL's RAND_bytes (VPK_ERROR_CRYPTO on failure). */
VPK_API gboolean vpk_key_generate (VpkKey      *out_key,
                                   GError     **error);
VPK_API gboolean vpk_key_equal    (const VpkKey *a,
                                   const VpkKey *b);
/* Wipes the bytes so that the compiler cannot optimise it away. */
VPK_API void     vpk_key_clear    (VpkKey *key);

G_END_DECLS
