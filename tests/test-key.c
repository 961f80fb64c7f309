/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vpk.h"

#include <string.h>

/* The original service's example: key hyN9IKGfWKdAwFaE5pm0qg, KID oW5AK5BW43HzbTSKpiu3SQ. */
static const guint8 example_key[16] = {
  0x87, 0x23, 0x7d, 0x20, 0xa1, 0x9f, 0x58, 0xa7, 0x40, 0xc0, 0x56, 0x84, 0xe6, 0x99, 0xb4, 0xaa
};
static const guint8 example_kid[16] = {
  0xa1, 0x6e, 0x40, 0x2b, 0x90, 0x56, 0xe3, 0x71, 0xf3, 0x6d, 0x34, 0x8a, 0xa6, 0x2b, 0xb7, 0x49
};

static void
assert_parses_to (const char *text, const guint8 *bytes)
{
  g_autoptr(GError) error = NULL;
  VpkKey key;

  g_assert_true (vpk_key_parse (text, "key", &key, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key.bytes, 16, bytes, 16);
}

static void
test_key_original_example (void)
{
  g_test_summary ("The original service's 22-character base64url key and KID decode to "
                  "the documented bytes, and every other form of them does too.");
  assert_parses_to ("hyN9IKGfWKdAwFaE5pm0qg", example_key);
  assert_parses_to ("oW5AK5BW43HzbTSKpiu3SQ", example_kid);
  assert_parses_to ("hyN9IKGfWKdAwFaE5pm0qg==", example_key);
  assert_parses_to ("87237d20a19f58a740c05684e699b4aa", example_key);
  assert_parses_to ("87237D20A19F58A740C05684E699B4AA", example_key);
  assert_parses_to ("a16e402b-9056-e371-f36d-348aa62bb749", example_kid);
}

static void
test_key_base64_alphabets (void)
{
  static const guint8 ones[16] = {
    0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf, 0xf0
  };
  g_autoptr(GError) error = NULL;
  VpkKey key;

  g_test_summary ("base64url uses - and _, padded base64 uses + and /; mixing them fails.");
  assert_parses_to ("-_-_-_-_-_-_-_-_-_-_8A", ones);
  assert_parses_to ("+/+/+/+/+/+/+/+/+/+/8A==", ones);
  g_assert_false (vpk_key_parse ("+/+/+/+/+/+/+/+/+/+/8A", "key", &key, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (vpk_key_parse ("-_-_-_-_-_-_-_-_-_-_8A==", "key", &key, &error));
  g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
}

static void
test_key_refused (void)
{
  static const char *const bad[] = {
    "",
    "hyN9IKGfWKdAwFaE5pm0q",            /* 21 characters */
    "hyN9IKGfWKdAwFaE5pm0qgA",          /* 23 characters */
    "hyN9IKGfWKdAwFaE5pm0qh",           /* non-zero trailing bits */
    "hyN9IKGfWKdAwFaE5pm0q!",           /* bad character */
    "hyN9IKGfWKdAwFaE5pm0qg=",          /* one '=' */
    "87237d20a19f58a740c05684e699b4a",  /* 31 hex digits */
    "87237d20a19f58a740c05684e699b4aa0",
    "87237d20a19f58a740c05684e699b4ag",
    "a16e402b-9056-e371-f36d-348aa62bb74",
    "a16e402b-9056-e371-f36d348aa62bb749-",
    "a16e402b 9056 e371 f36d 348aa62bb749",
  };
  VpkKey key = { { 0x55 } };
  VpkKey untouched = key;

  g_test_summary ("Wrong lengths and characters are refused with a message naming every "
                  "accepted form, and leave the output untouched.");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;

    g_assert_false (vpk_key_parse (bad[i], "kid", &key, &error));
    g_assert_error (error, VPK_ERROR, VPK_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "kid"));
    g_assert_nonnull (strstr (error->message, "base64url"));
    g_assert_nonnull (strstr (error->message, "hex"));
    g_assert_nonnull (strstr (error->message, "UUID"));
    /* The message must not echo the value: it may be a key. */
    if (strlen (bad[i]) > 4)
      g_assert_null (strstr (error->message, bad[i]));
    g_assert_cmpmem (key.bytes, 16, untouched.bytes, 16);
  }
}

static void
test_key_generate_round_trip (void)
{
  static const VpkKeyFormat formats[] = {
    VPK_KEY_FORMAT_HEX, VPK_KEY_FORMAT_UUID, VPK_KEY_FORMAT_BASE64, VPK_KEY_FORMAT_BASE64URL,
  };
  static const gsize lengths[] = { 32, 36, 24, 22 };

  g_test_summary ("Generated keys are random and round-trip through every form.");
  for (guint n = 0; n < 200; n++) {
    g_autoptr(GError) error = NULL;
    VpkKey a, b;

    g_assert_true (vpk_key_generate (&a, &error));
    g_assert_true (vpk_key_generate (&b, &error));
    g_assert_false (vpk_key_equal (&a, &b));
    for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
      g_autofree char *text = vpk_key_format (&a, formats[f]);
      VpkKey back;

      g_assert_cmpuint (strlen (text), ==, lengths[f]);
      g_assert_true (vpk_key_parse (text, "key", &back, &error));
      g_assert_true (vpk_key_equal (&a, &back));
    }
  }
}

static void
test_key_format_example (void)
{
  VpkKey kid;
  g_autofree char *url = NULL;
  g_autofree char *uuid = NULL;

  g_test_summary ("Formatting gives the canonical forms of the original example KID.");
  memcpy (kid.bytes, example_kid, 16);
  url = vpk_key_format (&kid, VPK_KEY_FORMAT_BASE64URL);
  uuid = vpk_key_format (&kid, VPK_KEY_FORMAT_UUID);
  g_assert_cmpstr (url, ==, "oW5AK5BW43HzbTSKpiu3SQ");
  g_assert_cmpstr (uuid, ==, "a16e402b-9056-e371-f36d-348aa62bb749");
}

static void
test_key_clear (void)
{
  static const guint8 zero[16] = { 0 };
  VpkKey key;

  g_test_summary ("vpk_key_clear() wipes the bytes.");
  memcpy (key.bytes, example_key, 16);
  vpk_key_clear (&key);
  g_assert_cmpmem (key.bytes, 16, zero, 16);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/key/parse/original-example", test_key_original_example);
  g_test_add_func ("/key/parse/base64-alphabets", test_key_base64_alphabets);
  g_test_add_func ("/key/parse/refused", test_key_refused);
  g_test_add_func ("/key/generate/round-trip", test_key_generate_round_trip);
  g_test_add_func ("/key/format/example", test_key_format_example);
  g_test_add_func ("/key/clear", test_key_clear);
  return g_test_run ();
}
