/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming multipart/form-data. The stream is parsed as if it began with
 * CRLF, so every delimiter has one form: CRLF "--" boundary. At most
 * delimiter-length - 1 bytes of body are held back between feeds. */
#include "vpk-multipart.h"

#include <string.h>
#include <libsoup/soup.h>
#include "vpk-http.h"

typedef enum {
  STATE_PREAMBLE,
  STATE_AFTER_DELIMITER,
  STATE_HEADERS,
  STATE_BODY,
  STATE_EPILOGUE,
  STATE_ERROR,
} State;

struct _VpkMultipart {
  State                        state;
  char                        *delimiter;  /* "\r\n--" boundary */
  gsize                        delimiter_len;
  GByteArray                  *buf;        /* bytes not consumed yet */
  guint                        n_parts;
  const VpkMultipartCallbacks *cb;
  gpointer                     data;
};

static gboolean
boundary_is_valid (const char *b)
{
  gsize len = strlen (b);

  if (len == 0 || len > VPK_MULTIPART_MAX_BOUNDARY || b[len - 1] == ' ')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (b[i]) && strchr ("'()+_,-./:=? ", b[i]) == NULL)
      return FALSE;
  return TRUE;
}

VpkMultipart *
vpk_multipart_new (const char                   *boundary,
                   const VpkMultipartCallbacks  *callbacks,
                   gpointer                      data,
                   GError                      **error)
{
  VpkMultipart *mp;

  if (boundary == NULL || !boundary_is_valid (boundary)) {
    g_set_error (error, VPK_HTTP_ERROR, 400,
                 "multipart/form-data needs a boundary of 1 to 70 allowed characters");
    return NULL;
  }
  mp = g_new0 (VpkMultipart, 1);
  mp->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  mp->delimiter_len = strlen (mp->delimiter);
  mp->buf = g_byte_array_new ();
  g_byte_array_append (mp->buf, (const guint8 *) "\r\n", 2);
  mp->cb = callbacks;
  mp->data = data;
  return mp;
}

void
vpk_multipart_free (VpkMultipart *mp)
{
  if (mp == NULL)
    return;
  g_free (mp->delimiter);
  g_byte_array_unref (mp->buf);
  g_free (mp);
}

static gboolean
fail (VpkMultipart *mp, GError **error, const char *message)
{
  mp->state = STATE_ERROR;
  g_set_error (error, VPK_HTTP_ERROR, 400, "Malformed multipart body: %s", message);
  return FALSE;
}

static void
consume (VpkMultipart *mp, gsize n)
{
  g_byte_array_remove_range (mp->buf, 0, (guint) n);
}

/* Parses Content-Disposition and Content-Type out of one header block. */
static gboolean
parse_headers (VpkMultipart *mp, const char *block, gsize len, GError **error)
{
  g_autofree char *text = g_strndup (block, len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_autoptr(GHashTable) disposition = NULL;
  g_autofree char *content_type = NULL;

  for (guint i = 0; lines[i] != NULL; i++) {
    char *colon = strchr (lines[i], ':');

    if (colon == NULL)
      return fail (mp, error, "a part header has no ':'");
    *colon = '\0';
    if (g_ascii_strcasecmp (lines[i], "Content-Disposition") == 0) {
      char *value = g_strstrip (colon + 1);

      if (!g_str_has_prefix (value, "form-data") || disposition != NULL)
        return fail (mp, error, "a part is not form-data");
      disposition = soup_header_parse_semi_param_list (value);
    } else if (g_ascii_strcasecmp (lines[i], "Content-Type") == 0 && content_type == NULL) {
      content_type = g_strdup (g_strstrip (colon + 1));
    }
  }
  if (disposition == NULL || g_hash_table_lookup (disposition, "name") == NULL)
    return fail (mp, error, "a part has no Content-Disposition name");
  if (++mp->n_parts > VPK_MULTIPART_MAX_PARTS)
    return fail (mp, error, "too many parts");
  if (!mp->cb->part_begin (mp->data, g_hash_table_lookup (disposition, "name"),
                           g_hash_table_lookup (disposition, "filename"), content_type, error)) {
    mp->state = STATE_ERROR;
    return FALSE;
  }
  return TRUE;
}

/* Returns FALSE on error; sets *more to FALSE when @buf needs more bytes. */
static gboolean
step_headers (VpkMultipart *mp, gboolean *more, GError **error)
{
  const guint8 *end = NULL;
  gsize block_len;

  if (mp->buf->len >= 2 && memcmp (mp->buf->data, "\r\n", 2) == 0) {
    block_len = 0;  /* no headers at all */
  } else {
    end = memmem (mp->buf->data, mp->buf->len, "\r\n\r\n", 4);
    if (end == NULL) {
      /* Up to 3 bytes of the CRLF CRLF may already be here: a block of the
       * full bound must be accepted wherever the chunks are cut. */
      if (mp->buf->len > VPK_MULTIPART_MAX_HEADERS + 3)
        return fail (mp, error, "a part's headers are too long");
      *more = FALSE;
      return TRUE;
    }
    block_len = (gsize) (end - mp->buf->data);
    if (block_len > VPK_MULTIPART_MAX_HEADERS)
      return fail (mp, error, "a part's headers are too long");
  }
  if (!parse_headers (mp, (const char *) mp->buf->data, block_len, error))
    return FALSE;
  consume (mp, block_len + (end != NULL ? 4 : 2));
  mp->state = STATE_BODY;
  return TRUE;
}

static gboolean
step_after_delimiter (VpkMultipart *mp, gboolean *more, GError **error)
{
  gsize i = 0;

  /* Transport padding (RFC 2046: linear white space) may follow a delimiter. */
  while (i < mp->buf->len && (mp->buf->data[i] == ' ' || mp->buf->data[i] == '\t'))
    i++;
  if (i > 0)
    consume (mp, i);
  if (mp->buf->len < 2) {
    *more = FALSE;
    return TRUE;
  }
  if (memcmp (mp->buf->data, "--", 2) == 0) {
    mp->state = STATE_EPILOGUE;
    g_byte_array_set_size (mp->buf, 0);
    return TRUE;
  }
  if (memcmp (mp->buf->data, "\r\n", 2) != 0)
    return fail (mp, error, "a delimiter is not followed by CRLF");
  consume (mp, 2);
  mp->state = STATE_HEADERS;
  return TRUE;
}

/* Body or preamble: hand on (or drop) bytes up to the next delimiter. */
static gboolean
step_body (VpkMultipart *mp, gboolean *more, GError **error)
{
  gboolean body = mp->state == STATE_BODY;
  const guint8 *hit = memmem (mp->buf->data, mp->buf->len, mp->delimiter, mp->delimiter_len);
  gsize n;

  if (hit != NULL)
    n = (gsize) (hit - mp->buf->data);
  else if (mp->buf->len >= mp->delimiter_len)
    n = mp->buf->len - (mp->delimiter_len - 1);  /* keep a possible partial delimiter */
  else
    n = 0;
  if (body && n > 0 && !mp->cb->part_data (mp->data, mp->buf->data, n, error)) {
    mp->state = STATE_ERROR;
    return FALSE;
  }
  consume (mp, n);
  if (hit == NULL) {
    *more = FALSE;
    return TRUE;
  }
  consume (mp, mp->delimiter_len);
  if (body && !mp->cb->part_end (mp->data, error)) {
    mp->state = STATE_ERROR;
    return FALSE;
  }
  mp->state = STATE_AFTER_DELIMITER;
  return TRUE;
}

gboolean
vpk_multipart_feed (VpkMultipart  *mp,
                    const guint8  *bytes,
                    gsize          size,
                    GError       **error)
{
  gboolean more = TRUE;

  if (mp->state == STATE_ERROR)
    return fail (mp, error, "parsing already failed");
  if (mp->state == STATE_EPILOGUE)
    return TRUE;  /* the epilogue is ignored */
  g_byte_array_append (mp->buf, bytes, (guint) size);
  while (more) {
    gboolean ok;

    switch (mp->state) {
    case STATE_PREAMBLE:
    case STATE_BODY: ok = step_body (mp, &more, error); break;
    case STATE_AFTER_DELIMITER: ok = step_after_delimiter (mp, &more, error); break;
    case STATE_HEADERS: ok = step_headers (mp, &more, error); break;
    case STATE_EPILOGUE: return TRUE;
    case STATE_ERROR:
    default: return FALSE;
    }
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

gboolean
vpk_multipart_finish (VpkMultipart  *mp,
                      GError       **error)
{
  if (mp->state == STATE_EPILOGUE)
    return TRUE;
  if (mp->state == STATE_ERROR)
    return fail (mp, error, "parsing already failed");
  return fail (mp, error, "the body ends before the closing delimiter");
}
