/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

static gboolean
parse_hex (const char *text,
           gsize       len,
           VpkKey     *out)
{
  VpkKey key;

  if (len != VPK_KEY_SIZE * 2)
    return FALSE;
  for (gsize i = 0; i < VPK_KEY_SIZE; i++) {
    int hi = g_ascii_xdigit_value (text[2 * i]);
    int lo = g_ascii_xdigit_value (text[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return FALSE;
    key.bytes[i] = (guint8) (hi << 4 | lo);
  }
  *out = key;
  vpk_key_clear (&key);
  return TRUE;
}

static gboolean
parse_uuid (const char *text,
            gsize       len,
            VpkKey     *out)
{
  char hex[VPK_KEY_SIZE * 2];
  gsize n = 0;

  if (len != 36)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-')
        return FALSE;
      continue;
    }
    hex[n++] = text[i];
  }
  return parse_hex (hex, n, out);
}

static int
b64_value (char c,
           gboolean url)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == (url ? '-' : '+'))
    return 62;
  if (c == (url ? '_' : '/'))
    return 63;
  return -1;
}

/* 22 significant characters carry 132 bits: the last 4 must be zero, or the
 * text is not the canonical encoding of 16 bytes. */
static gboolean
parse_b64 (const char *text,
           gsize       len,
           gboolean    url,
           VpkKey     *out)
{
  VpkKey key = { { 0 } };
  guint32 acc = 0;
  guint bits = 0;
  gsize n = 0;

  if (!url) {
    if (len != 24 || text[22] != '=' || text[23] != '=')
      return FALSE;
    len = 22;
  } else if (len != 22) {
    return FALSE;
  }

  for (gsize i = 0; i < len; i++) {
    int v = b64_value (text[i], url);

    if (v < 0)
      return FALSE;
    acc = (acc << 6) | (guint32) v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < VPK_KEY_SIZE)
        key.bytes[n++] = (guint8) (acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (n != VPK_KEY_SIZE || acc != 0)
    return FALSE;
  *out = key;
  vpk_key_clear (&key);
  return TRUE;
}

/**
 * vpk_key_parse:
 * @text: the key or KID as the user wrote it
 * @what: what it is, for the error message ("key", "kid")
 * @out_key: (out caller-allocates): written only on success
 * @error: return location for a #GError
 *
 * Accepts 22-character unpadded base64url (the original service's form),
 * 24-character padded standard base64, 32 hex digits, or a UUID.
 */
gboolean
vpk_key_parse (const char  *text,
               const char  *what,
               VpkKey      *out_key,
               GError     **error)
{
  gsize len;

  g_return_val_if_fail (out_key != NULL, FALSE);

  if (what == NULL)
    what = "key";
  len = text != NULL ? strlen (text) : 0;

  if (len == 0) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
                 "The %s is missing; give 16 bytes as " VPK_KEY_ACCEPTED_FORMS, what);
    return FALSE;
  }

  if (parse_b64 (text, len, TRUE, out_key) || parse_b64 (text, len, FALSE, out_key) ||
      parse_hex (text, len, out_key) || parse_uuid (text, len, out_key))
    return TRUE;

  /* Never quote the text: it may be (most of) a content key. */
  g_set_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT,
               "The %s is not 16 bytes in an accepted form (%zu characters given); "
               "use " VPK_KEY_ACCEPTED_FORMS, what, len);
  return FALSE;
}

static char *
format_b64 (const VpkKey *key,
            gboolean      url)
{
  g_autofree char *b64 = g_base64_encode (key->bytes, VPK_KEY_SIZE);

  if (url) {
    for (char *p = b64; *p != '\0'; p++) {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  }
  return g_steal_pointer (&b64);
}

/**
 * vpk_key_format:
 * @key: the key
 * @format: the text form
 *
 * Returns: (transfer full): @key as text in @format.
 */
char *
vpk_key_format (const VpkKey *key,
                VpkKeyFormat  format)
{
  GString *s;

  g_return_val_if_fail (key != NULL, NULL);

  switch (format) {
  case VPK_KEY_FORMAT_BASE64:
    return format_b64 (key, FALSE);
  case VPK_KEY_FORMAT_BASE64URL:
    return format_b64 (key, TRUE);
  case VPK_KEY_FORMAT_HEX:
  case VPK_KEY_FORMAT_UUID:
  default:
    break;
  }

  s = g_string_sized_new (37);
  for (gsize i = 0; i < VPK_KEY_SIZE; i++) {
    if (format == VPK_KEY_FORMAT_UUID && (i == 4 || i == 6 || i == 8 || i == 10))
      g_string_append_c (s, '-');
    g_string_append_printf (s, "%02x", key->bytes[i]);
  }
  return g_string_free (s, FALSE);
}

/**
 * vpk_key_generate:
 * @out_key: (out caller-allocates): written only on success
 * @error: return location for a #GError
 *
 * Fills @out_key with 16 bytes from OpenSSL's CSPRNG.
 */
gboolean
vpk_key_generate (VpkKey  *out_key,
                  GError **error)
{
  VpkKey key;

  g_return_val_if_fail (out_key != NULL, FALSE);

  if (RAND_bytes (key.bytes, VPK_KEY_SIZE) != 1) {
    char buf[256];

    ERR_error_string_n (ERR_get_error (), buf, sizeof buf);
    ERR_clear_error ();
    g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "Cannot generate a random key: %s", buf);
    return FALSE;
  }
  *out_key = key;
  vpk_key_clear (&key);
  return TRUE;
}

gboolean
vpk_key_equal (const VpkKey *a,
               const VpkKey *b)
{
  return CRYPTO_memcmp (a->bytes, b->bytes, VPK_KEY_SIZE) == 0;
}

void
vpk_key_clear (VpkKey *key)
{
  if (key != NULL)
    OPENSSL_cleanse (key->bytes, VPK_KEY_SIZE);
}
