/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The master key that seals content keys at rest, and AES-256-GCM under it.
 * The key bytes stay in this file: callers pass data in and get data out. */
#include "vpk-master-key.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "vpk.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

static GMutex lock;
static guint8 master[VPK_MASTER_KEY_SIZE];
static gboolean have_master;

static gboolean
crypto_error (GError **error, const char *what)
{
  g_set_error (error, VPK_ERROR, VPK_ERROR_CRYPTO, "%s", what);
  return FALSE;
}

static gboolean
decode_hex (const char *text, guint8 out[VPK_MASTER_KEY_SIZE])
{
  if (strlen (text) != VPK_MASTER_KEY_SIZE * 2)
    return FALSE;
  for (guint i = 0; i < VPK_MASTER_KEY_SIZE; i++) {
    int hi = g_ascii_xdigit_value (text[2 * i]);
    int lo = g_ascii_xdigit_value (text[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return FALSE;
    out[i] = (guint8) (hi << 4 | lo);
  }
  return TRUE;
}

/* Standard or URL-safe base64, padded or not (43 or 44 characters). */
static gboolean
decode_base64 (const char *text, guint8 out[VPK_MASTER_KEY_SIZE])
{
  gsize len = strlen (text);
  char buf[48] = { 0 };
  g_autofree guchar *bytes = NULL;
  gsize n = 0;
  gboolean ok;

  if (len == 44 && text[43] == '=')
    len = 43;
  if (len != 43)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    char c = text[i];

    if (!g_ascii_isalnum (c) && strchr ("+/-_", c) == NULL)
      return FALSE;
    buf[i] = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  buf[43] = '=';
  bytes = g_base64_decode (buf, &n);
  ok = n == VPK_MASTER_KEY_SIZE;
  if (ok)
    memcpy (out, bytes, VPK_MASTER_KEY_SIZE);
  OPENSSL_cleanse (buf, sizeof buf);
  OPENSSL_cleanse (bytes, n);
  return ok;
}

gboolean
vpk_master_key_decode (const char  *text,
                       guint8       out[VPK_MASTER_KEY_SIZE],
                       GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  gboolean ok = decode_hex (copy, out) || decode_base64 (copy, out);

  OPENSSL_cleanse (copy, strlen (copy));
  if (!ok)
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG,
                 "not a 32-byte key as 64 hex digits or base64");
  return ok;
}

static gboolean
read_key_file (const char *path, guint8 out[VPK_MASTER_KEY_SIZE], GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  GStatBuf st;
  gboolean ok;

  if (g_stat (path, &st) != 0 || !g_file_get_contents (path, &text, &len, error)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "Cannot read '%s'", path);
    return FALSE;
  }
  if ((st.st_mode & 077) != 0) {
    OPENSSL_cleanse (text, len);
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "The master key '%s' is readable by "
                 "others (mode %03o): make it mode 600", path, (guint) (st.st_mode & 0777));
    return FALSE;
  }
  ok = vpk_master_key_decode (text, out, error);
  OPENSSL_cleanse (text, len);
  if (!ok)
    g_prefix_error (error, "The master key '%s' is ", path);
  return ok;
}

/* O_EXCL: an existing master key is never overwritten. */
static gboolean
create_key_file (const char *path, guint8 out[VPK_MASTER_KEY_SIZE], GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  gboolean ok;
  int fd;

  if (RAND_bytes (out, VPK_MASTER_KEY_SIZE) != 1)
    return crypto_error (error, "Cannot generate a master key (RAND_bytes failed)");
  text = g_base64_encode (out, VPK_MASTER_KEY_SIZE);
  line = g_strconcat (text, "\n", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ok = fd >= 0 && write (fd, line, strlen (line)) == (gssize) strlen (line) && fsync (fd) == 0;
  if (!ok) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "Cannot create the master key '%s': %s", path, g_strerror (errsv));
    if (fd >= 0)
      g_unlink (path);
  }
  if (fd >= 0)
    close (fd);
  OPENSSL_cleanse (text, strlen (text));
  OPENSSL_cleanse (line, strlen (line));
  return ok;
}

static gboolean
load_from_env (const char *env, const char *path, guint8 out[VPK_MASTER_KEY_SIZE],
               GError **error)
{
  guint8 from_file[VPK_MASTER_KEY_SIZE];
  gboolean differ;

  if (!vpk_master_key_decode (env, out, error)) {
    g_prefix_error (error, "$" VPK_MASTER_KEY_ENV " is ");
    return FALSE;
  }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!read_key_file (path, from_file, error))
    return FALSE;
  differ = CRYPTO_memcmp (from_file, out, VPK_MASTER_KEY_SIZE) != 0;
  OPENSSL_cleanse (from_file, sizeof from_file);
  if (differ) {
    g_set_error (error, VPK_ERROR, VPK_ERROR_CONFIG, "$" VPK_MASTER_KEY_ENV " and '%s' hold "
                 "different master keys: refusing to start, since keys sealed under one cannot "
                 "be opened with the other. Keep the one the database was sealed with and "
                 "remove the other (see docs/security.md)", path);
    return FALSE;
  }
  return TRUE;
}

gboolean
vpk_master_key_load (const char  *state_dir,
                     GError     **error)
{
  g_autofree char *path = g_build_filename (state_dir, "master-key", NULL);
  const char *env = g_getenv (VPK_MASTER_KEY_ENV);
  guint8 key[VPK_MASTER_KEY_SIZE];
  gboolean ok;

  if (env != NULL && *env != '\0') {
    ok = load_from_env (env, path, key, error);
    if (ok)
      g_message ("Master key from $" VPK_MASTER_KEY_ENV);
  } else if (g_file_test (path, G_FILE_TEST_EXISTS)) {
    ok = read_key_file (path, key, error);
  } else {
    ok = create_key_file (path, key, error);
    if (ok)
      g_message ("Created the master key '%s' (mode 600): back it up, the stored content keys "
                 "cannot be opened without it", path);
  }
  /* Children (mariadbd, packaging tools) must not inherit it. */
  g_unsetenv (VPK_MASTER_KEY_ENV);
  if (ok)
    vpk_master_key_set (key);
  OPENSSL_cleanse (key, sizeof key);
  return ok;
}

void
vpk_master_key_set (const guint8 key[VPK_MASTER_KEY_SIZE])
{
  g_mutex_lock (&lock);
  memcpy (master, key, VPK_MASTER_KEY_SIZE);
  have_master = TRUE;
  g_mutex_unlock (&lock);
}

gboolean
vpk_master_key_is_set (void)
{
  gboolean set;

  g_mutex_lock (&lock);
  set = have_master;
  g_mutex_unlock (&lock);
  return set;
}

void
vpk_master_key_unload (void)
{
  g_mutex_lock (&lock);
  OPENSSL_cleanse (master, sizeof master);
  have_master = FALSE;
  g_mutex_unlock (&lock);
}

/* Runs one AES-256-GCM pass with the lock held; the tag is written for
 * encryption and checked for decryption. */
static gboolean
gcm (gboolean enc, const guint8 *nonce, const guint8 *in, gsize len, const char *aad,
     guint8 *out, guint8 *tag)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  int n = 0, fin = 0;
  gboolean ok;

  if (ctx == NULL || len > G_MAXINT / 2)
    return FALSE;
  g_mutex_lock (&lock);
  ok = have_master &&
       EVP_CipherInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL, enc) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, VPK_MASTER_KEY_NONCE_SIZE, NULL) == 1 &&
       EVP_CipherInit_ex (ctx, NULL, NULL, master, nonce, enc) == 1;
  g_mutex_unlock (&lock);
  ok = ok && EVP_CipherUpdate (ctx, NULL, &n, (const guint8 *) aad, (int) strlen (aad)) == 1 &&
       EVP_CipherUpdate (ctx, out, &n, in, (int) len) == 1 &&
       (enc || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, VPK_MASTER_KEY_TAG_SIZE,
                                    tag) == 1) &&
       EVP_CipherFinal_ex (ctx, out + n, &fin) == 1 &&
       (!enc || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, VPK_MASTER_KEY_TAG_SIZE,
                                     tag) == 1);
  return ok;
}

gboolean
vpk_master_key_encrypt (const guint8  *plain,
                        gsize          len,
                        const char    *aad,
                        guint8        *out,
                        GError       **error)
{
  if (!vpk_master_key_is_set ())
    return crypto_error (error, "No master key is loaded");
  if (RAND_bytes (out, VPK_MASTER_KEY_NONCE_SIZE) != 1)
    return crypto_error (error, "Cannot make a nonce (RAND_bytes failed)");
  if (!gcm (TRUE, out, plain, len, aad, out + VPK_MASTER_KEY_NONCE_SIZE,
            out + VPK_MASTER_KEY_NONCE_SIZE + len)) {
    OPENSSL_cleanse (out, len + VPK_MASTER_KEY_NONCE_SIZE + VPK_MASTER_KEY_TAG_SIZE);
    return crypto_error (error, "Cannot seal a key (AES-256-GCM failed)");
  }
  return TRUE;
}

gboolean
vpk_master_key_decrypt (const guint8  *sealed,
                        gsize          len,
                        const char    *aad,
                        guint8        *out,
                        GError       **error)
{
  gsize plain_len;
  guint8 tag[VPK_MASTER_KEY_TAG_SIZE];

  if (!vpk_master_key_is_set ())
    return crypto_error (error, "No master key is loaded");
  if (len < VPK_MASTER_KEY_NONCE_SIZE + VPK_MASTER_KEY_TAG_SIZE)
    return crypto_error (error, "A sealed key is truncated");
  plain_len = len - VPK_MASTER_KEY_NONCE_SIZE - VPK_MASTER_KEY_TAG_SIZE;
  memcpy (tag, sealed + len - VPK_MASTER_KEY_TAG_SIZE, sizeof tag);
  if (!gcm (FALSE, sealed, sealed + VPK_MASTER_KEY_NONCE_SIZE, plain_len, aad, out, tag)) {
    OPENSSL_cleanse (out, plain_len);
    return crypto_error (error, "A sealed key does not open with this master key: it was "
                         "changed, moved to another row, or sealed under another master key");
  }
  return TRUE;
}
