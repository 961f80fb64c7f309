/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The disk fills up while a job is packaged (a 20 MB tmpfs holds the work and
 * output folders): the job ends Failed with the reason, nothing is published,
 * and its work folder is removed. */
#include "fault-util.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define TMPFS_SIZE "size=20m"

static char *clip;

static guint64
free_bytes (const char *dir)
{
  struct statvfs st;

  g_assert_cmpint (statvfs (dir, &st), ==, 0);
  return (guint64) st.f_bavail * st.f_frsize;
}

/* Leaves @keep bytes free on @dir's file system. */
static void
fill (const char *dir, guint64 keep)
{
  g_autofree char *path = g_build_filename (dir, "filler", NULL);
  guint64 size = free_bytes (dir) - keep;
  g_autofree char *zeros = g_malloc0 (size);

  g_assert_true (g_file_set_contents (path, zeros, (gssize) size, NULL));
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

static JsonObject *
wait_final (FaultServer *s, gint64 id, JsonNode **out_node)
{
  g_autofree char *path = g_strdup_printf ("/packaged_content/%" G_GINT64_FORMAT, id);
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  while (TRUE) {
    guint status = 0;
    JsonNode *node = fault_request (s, "GET", path, NULL, NULL, &status);
    const char *state;

    g_assert_cmpuint (status, ==, 200);
    state = json_object_get_string_member (json_node_get_object (node), "status");
    if (g_strv_contains ((const char *[]) { "Ready", "Failed", "Cancelled", NULL }, state) ||
        g_get_monotonic_time () > deadline) {
      *out_node = node;
      return json_node_get_object (node);
    }
    json_node_unref (node);
    g_usleep (200 * 1000);
  }
}

/* Work and output on the tmpfs at @mnt (one file system: publishing renames). */
static char *
make_state (const char *mnt)
{
  char *state = fault_make_dir ("vpk-fdisk-state");
  const char *names[] = { "work", "output" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *target = g_build_filename (mnt, names[i], NULL);
    g_autofree char *link = g_build_filename (state, names[i], NULL);

    g_assert_cmpint (g_mkdir (target, 0700), ==, 0);
    g_assert_cmpint (symlink (target, link), ==, 0);
  }
  return state;
}

/* The job Failed with ENOSPC in its error, nothing published, its folder gone,
 * and the space it took free again. */
static void
assert_failed_cleanly (JsonObject *job, const char *mnt, guint64 free_before)
{
  g_autofree char *work = g_build_filename (mnt, "work", NULL);
  g_autofree char *output = g_build_filename (mnt, "output", NULL);
  const char *error_text = json_object_get_string_member_with_default (job, "error", "");

  g_test_message ("job %s: %s", json_object_get_string_member (job, "status"), error_text);
  g_assert_cmpstr (json_object_get_string_member (job, "status"), ==, "Failed");
  g_assert_nonnull (strstr (error_text, g_strerror (ENOSPC)));
  g_assert_true (dir_is_empty (output));  /* nothing published */
  for (guint i = 0; i < 50 && !dir_is_empty (work); i++)
    g_usleep (100 * 1000);
  g_assert_true (dir_is_empty (work));    /* the job's folder is gone */
  g_test_message ("free on the tmpfs: %" G_GUINT64_FORMAT " KiB before the job, %"
                  G_GUINT64_FORMAT " KiB after", free_before / 1024, free_bytes (mnt) / 1024);
  g_assert_cmpuint (free_bytes (mnt), >=, free_before);
}

static void
test_disk_full (void)
{
  g_autofree char *mnt = fault_make_dir ("vpk-fdisk");
  g_autofree char *state = NULL;
  g_autoptr(FaultServer) s = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *sets[] = { "server.workers=1", "server.max_attempts=2", NULL };
  GStatBuf st;
  guint64 left;
  gint64 input;

  g_test_summary ("A full disk while packaging: Failed with the reason, nothing published, "
                  "the work folder removed.");
  if (mount ("tmpfs", mnt, "tmpfs", 0, TMPFS_SIZE) != 0) {
    g_autofree char *why = g_strdup_printf ("mount -t tmpfs is not permitted here: %s",
                                            g_strerror (errno));

    g_rmdir (mnt);
    g_test_skip (why);
    return;
  }
  fault_track_mount (mnt);
  state = make_state (mnt);
  s = fault_server_start (state, fault_free_port (), sets);
  input = fault_upload (s, clip, NULL);
  g_assert_cmpint (g_stat (clip, &st), ==, 0);
  /* Room for half the package (the native pipeline writes it in one pass,
   * with no intermediate copies): the disk fills up while it is written. */
  fill (mnt, (guint64) st.st_size / 2);
  left = free_bytes (mnt);
  assert_failed_cleanly (wait_final (s, fault_submit (s, input, NULL), &node), mnt, left);
  fault_server_stop (s);
  g_assert_cmpint (umount (mnt), ==, 0);
  fault_track_mount ("");
  g_rmdir (mnt);
  fault_remove_tree (state);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/disk-full", test_disk_full);
  return fault_run (20, &clip);
}
