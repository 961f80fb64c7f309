/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpk-http.h"
#include "vpk-multipart.h"

/* The streaming multipart/form-data parser on untrusted bytes, fed the way
 * the server feeds it: in chunks, as libsoup hands them on.
 *
 * Input: two bytes (little endian) give where the first chunk ends, one byte
 * the size of every later chunk (1 to 256 bytes), and the rest is the body,
 * whose boundary is BOUNDARY.
 *
 * The body is parsed twice, in one feed and in chunks: the outcome and the
 * callbacks (part headers, each part's bytes, part ends) must be the same,
 * wherever the chunks are cut. Callbacks must nest (data only inside a part),
 * there are at most VPK_MULTIPART_MAX_PARTS parts, and no more body bytes come
 * out than went in. */

#define BOUNDARY "----vpkFuzzBoundary7MA4YWxk"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

typedef struct {
  GString  *log;       /* what the callbacks saw, data coalesced per part */
  gboolean  in_part;
  gboolean  in_data;   /* the log ends with a data record */
  guint     parts;
  gsize     data_bytes;
} Trace;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static gboolean
on_begin (gpointer data, const char *name, const char *filename, const char *content_type,
          GError **error)
{
  Trace *t = data;

  g_assert_false (t->in_part);
  g_assert_nonnull (name);
  t->in_part = TRUE;
  t->in_data = FALSE;
  t->parts++;
  g_assert_cmpuint (t->parts, <=, VPK_MULTIPART_MAX_PARTS);
  g_string_append_printf (t->log, "begin name=%s filename=%s type=%s\n", name,
                          filename != NULL ? filename : "(none)",
                          content_type != NULL ? content_type : "(none)");
  return TRUE;
}

static gboolean
on_data (gpointer data, const guint8 *bytes, gsize size, GError **error)
{
  Trace *t = data;

  g_assert_true (t->in_part);
  g_assert_cmpuint (size, >, 0);
  if (!t->in_data)
    g_string_append (t->log, "data ");
  t->in_data = TRUE;
  g_string_append_len (t->log, (const char *) bytes, (gssize) size);
  t->data_bytes += size;
  return TRUE;
}

static gboolean
on_end (gpointer data, GError **error)
{
  Trace *t = data;

  g_assert_true (t->in_part);
  t->in_part = FALSE;
  t->in_data = FALSE;
  g_string_append (t->log, "\nend\n");
  return TRUE;
}

static const VpkMultipartCallbacks callbacks = { on_begin, on_data, on_end };

/* Parses @body fed in the chunks given; returns the trace with its outcome. */
static GString *
parse (const guint8 *body, gsize size, gsize first, gsize chunk)
{
  Trace t = { g_string_new (NULL), FALSE, FALSE, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpkMultipart) mp = vpk_multipart_new (BOUNDARY, &callbacks, &t, &error);
  gboolean ok = TRUE;
  gsize done = 0;

  g_assert_no_error (error);
  while (ok && done < size) {
    gsize n = MIN (done == 0 ? first : chunk, size - done);

    if (n == 0)
      n = MIN (chunk, size - done);  /* an empty first chunk: feed nothing, then go on */
    ok = vpk_multipart_feed (mp, body + done, n, &error);
    done += n;
  }
  if (ok)
    ok = vpk_multipart_finish (mp, &error);
  g_assert_true (ok == (error == NULL));
  if (!ok) {
    g_assert_error (error, VPK_HTTP_ERROR, 400);
    /* After an error, the parser refuses everything. */
    g_clear_error (&error);
    g_assert_false (vpk_multipart_feed (mp, (const guint8 *) "x", 1, &error));
    g_assert_error (error, VPK_HTTP_ERROR, 400);
  }
  g_assert_cmpuint (t.data_bytes, <=, size);
  g_string_append (t.log, ok ? "ok\n" : "failed\n");
  return t.log;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GString) whole = NULL;
  g_autoptr(GString) chunked = NULL;
  g_autofree guint8 *body = NULL;
  gsize body_size, first, chunk;

  if (size < 3)
    return 0;
  body_size = size - 3;
  first = (gsize) (data[0] | (data[1] << 8)) % (body_size + 1);
  chunk = (gsize) data[2] + 1;
  /* An exact copy, so that ASan sees any read past the end. */
  body = malloc (MAX (body_size, 1));
  memcpy (body, data + 3, body_size);

  whole = parse (body, body_size, body_size, body_size > 0 ? body_size : 1);
  chunked = parse (body, body_size, first, chunk);
  /* Part bodies may hold NUL bytes: compare the bytes. */
  g_assert_cmpmem (whole->str, whole->len, chunked->str, chunked->len);
  return 0;
}
