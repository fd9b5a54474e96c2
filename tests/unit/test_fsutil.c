/*
 * test_fsutil.c -- unit tests of grader/src/util/fsutil.c in a fresh temporary
 * folder per test (checked fixture): atomic writes leave no temporaries,
 * tree walks never follow symlinks, copies refuse non-regular files,
 * a lock held elsewhere is told apart from a file system without locks.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "seam_flock.h"
#include "suites.h"

static char tmpdir[] = "/tmp/fsutil_test.XXXXXX";
static char *outside;   /* a folder beside tmpdir that symlinks point to */

/* tmpdir/rel, in a static buffer (one at a time is enough for the tests). */
static const char *at(const char *rel)
{
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, rel);
    return b;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *path)
{
    char *text;
    ck_assert_int_eq(fs_read_file(path, 1 << 20, &text, NULL), 0);
    return text;
}

static void assert_content(const char *path, const char *want)
{
    char *text = slurp(path);
    ck_assert_str_eq(text, want);
    free(text);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries of dir whose name contains needle. */
static int count_entries(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += strstr(de->d_name, needle) != NULL;
    closedir(d);
    return n;
}

static void setup(void)
{
    seam_flock_errno = 0;
    strcpy(tmpdir, "/tmp/fsutil_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    size_t n = strlen(tmpdir) + sizeof ".outside";
    outside = malloc(n);
    snprintf(outside, n, "%s.outside", tmpdir);
    ck_assert_int_eq(mkdir(outside, 0755), 0);
}

static void teardown(void)
{
    fs_remove_tree(tmpdir);
    fs_remove_tree(outside);
    free(outside);
}

/* ---- fs_write_atomic ---------------------------------------------------- */

START_TEST(test_write_atomic_creates_and_replaces)
{
    const char *p = at("results.json");
    ck_assert_int_eq(fs_write_atomic(p, "first", 5), 0);
    assert_content(p, "first");
    ck_assert_int_eq(fs_write_atomic(p, "second version", 14), 0);
    assert_content(p, "second version");
    ck_assert_int_eq(fs_write_atomic(p, "", 0), 0);
    assert_content(p, "");

    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0644);
    ck_assert_int_eq(count_entries(tmpdir, ".tmp."), 0);
    ck_assert_int_eq(count_entries(tmpdir, "results"), 1);
}
END_TEST

START_TEST(test_is_write_temp)
{
    ck_assert(fs_is_write_temp("canvas.csv.tmp.Ab3dE9"));
    ck_assert(fs_is_write_temp("x.tmp.000000"));
    ck_assert(!fs_is_write_temp("canvas.csv"));
    ck_assert(!fs_is_write_temp("my-notes.tmp.txt"));     /* not six characters */
    ck_assert(!fs_is_write_temp("a.tmp.Ab3dE"));
    ck_assert(!fs_is_write_temp("a.tmp.Ab3d-9"));
    ck_assert(!fs_is_write_temp("a.tmpXAb3dE9"));
    ck_assert(!fs_is_write_temp(".tmp."));
    ck_assert(!fs_is_write_temp(""));
    /* what fs_write_atomic() leaves while it writes is one */
    const char *p = at("results.json");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", p);
    int fd = mkstemp(tmp);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert(fs_is_write_temp(strrchr(tmp, '/') + 1));
    unlink(tmp);
}
END_TEST

START_TEST(test_write_atomic_large)
{
    size_t n = 3u << 20;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    ck_assert_int_eq(fs_write_atomic(at("big"), data, n), 0);
    char *back;
    size_t len;
    ck_assert_int_eq(fs_read_file(at("big"), n, &back, &len), 0);
    ck_assert_uint_eq(len, n);
    ck_assert(memcmp(back, data, n) == 0);
    free(back);
    free(data);
}
END_TEST

START_TEST(test_write_atomic_missing_dir_fails_cleanly)
{
    errno = 0;
    ck_assert_int_eq(fs_write_atomic(at("no/such/dir/f"), "x", 1), -1);
    ck_assert_int_eq(errno, ENOENT);
    /* Renaming onto a directory fails after the temporary was written. */
    ck_assert_int_eq(mkdir(at("adir"), 0755), 0);
    ck_assert_int_eq(fs_write_atomic(at("adir"), "x", 1), -1);
    ck_assert_int_eq(count_entries(tmpdir, ".tmp."), 0);
}
END_TEST

START_TEST(test_write_atomic_replaces_symlink_not_target)
{
    char target[600];
    snprintf(target, sizeof target, "%s/victim", outside);
    put(target, "precious");
    ck_assert_int_eq(symlink(target, at("link")), 0);
    ck_assert_int_eq(fs_write_atomic(at("link"), "new", 3), 0);
    assert_content(target, "precious");
    struct stat st;
    ck_assert_int_eq(lstat(at("link"), &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    assert_content(at("link"), "new");
}
END_TEST

/* ---- fs_read_file --------------------------------------------------------- */

START_TEST(test_read_file_limits)
{
    put(at("f"), "hello");
    char *text = (char *)1;
    size_t len = 0;
    ck_assert_int_eq(fs_read_file(at("f"), 5, &text, &len), 0);
    ck_assert_str_eq(text, "hello");
    ck_assert_uint_eq(len, 5);
    free(text);

    errno = 0;
    ck_assert_int_eq(fs_read_file(at("f"), 4, &text, &len), -1);
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_ptr_null(text);

    errno = 0;
    ck_assert_int_eq(fs_read_file(at("missing"), 10, &text, &len), -1);
    ck_assert_int_eq(errno, ENOENT);
    errno = 0;
    ck_assert_int_eq(fs_read_file(tmpdir, 10, &text, &len), -1);
    ck_assert_int_eq(errno, EISDIR);

    put(at("empty"), "");
    ck_assert_int_eq(fs_read_file(at("empty"), 0, &text, &len), 0);
    ck_assert_str_eq(text, "");
    ck_assert_uint_eq(len, 0);
    free(text);
}
END_TEST

START_TEST(test_read_file_size_zero_in_stat)
{
    /* /proc files claim size 0; the whole content must still come back. */
    char *text;
    size_t len;
    ck_assert_int_eq(fs_read_file("/proc/self/status", 1 << 20, &text, &len), 0);
    ck_assert_uint_gt(len, 0);
    ck_assert_ptr_nonnull(strstr(text, "Pid:"));
    ck_assert_uint_eq(strlen(text), len);
    free(text);
    errno = 0;
    ck_assert_int_eq(fs_read_file("/proc/self/status", 10, &text, &len), -1);
    ck_assert_int_eq(errno, EFBIG);
}
END_TEST

/* ---- fs_mkdir_p ----------------------------------------------------------- */

START_TEST(test_mkdir_p)
{
    ck_assert_int_eq(fs_mkdir_p(at("a/b//c/d/"), 0755), 0);
    struct stat st;
    ck_assert_int_eq(stat(at("a/b/c/d"), &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(fs_mkdir_p(at("a/b/c/d"), 0755), 0);   /* exists: fine */
    ck_assert_int_eq(fs_mkdir_p(tmpdir, 0755), 0);

    put(at("file"), "x");
    errno = 0;
    ck_assert_int_eq(fs_mkdir_p(at("file/sub"), 0755), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    errno = 0;
    ck_assert_int_eq(fs_mkdir_p(at("file"), 0755), -1);
    ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

/* ---- fs_remove_tree ------------------------------------------------------- */

/* tmpdir/tree: nested folders, files, symlinks to outside (file and dir). */
static void make_tree(void)
{
    char target[600];
    ck_assert_int_eq(fs_mkdir_p(at("tree/a/b/c"), 0755), 0);
    ck_assert_int_eq(fs_mkdir_p(at("tree/empty"), 0755), 0);
    put(at("tree/top.txt"), "1");
    put(at("tree/a/mid.txt"), "2");
    put(at("tree/a/b/c/deep.txt"), "3");
    snprintf(target, sizeof target, "%s/keep.txt", outside);
    put(target, "keep me");
    ck_assert_int_eq(symlink(target, at("tree/a/to_file")), 0);
    ck_assert_int_eq(symlink(outside, at("tree/a/b/to_dir")), 0);
    ck_assert_int_eq(symlink("/nonexistent/dangling", at("tree/dangling")), 0);
}

START_TEST(test_remove_tree_does_not_follow_symlinks)
{
    make_tree();
    ck_assert_int_eq(fs_remove_tree(at("tree")), 0);
    ck_assert(!exists(at("tree")));
    char target[600];
    snprintf(target, sizeof target, "%s/keep.txt", outside);
    assert_content(target, "keep me");
    ck_assert(exists(outside));
}
END_TEST

START_TEST(test_remove_tree_missing_file_and_link)
{
    ck_assert_int_eq(fs_remove_tree(at("never/was")), 0);
    put(at("single"), "x");
    ck_assert_int_eq(fs_remove_tree(at("single")), 0);
    ck_assert(!exists(at("single")));
    /* A symlink to a folder: the link goes, the folder stays. */
    char target[600];
    snprintf(target, sizeof target, "%s/f", outside);
    put(target, "stay");
    ck_assert_int_eq(symlink(outside, at("dirlink")), 0);
    ck_assert_int_eq(fs_remove_tree(at("dirlink")), 0);
    ck_assert(!exists(at("dirlink")));
    assert_content(target, "stay");
}
END_TEST

START_TEST(test_remove_tree_locked_folders)
{
    /* A student may chmod 000 what it created. */
    ck_assert_int_eq(fs_mkdir_p(at("locked/inner"), 0755), 0);
    put(at("locked/inner/f"), "x");
    ck_assert_int_eq(chmod(at("locked/inner"), 0), 0);
    ck_assert_int_eq(chmod(at("locked"), 0500), 0);
    ck_assert_int_eq(fs_remove_tree(at("locked")), 0);
    ck_assert(!exists(at("locked")));
}
END_TEST

/* ---- fs_copy_file --------------------------------------------------------- */

START_TEST(test_copy_file_regular)
{
    put(at("src.c"), "int x;\n");
    ck_assert_int_eq(chmod(at("src.c"), 0600), 0);
    ck_assert_int_eq(fs_copy_file(at("src.c"), at("dst.c")), 0);
    assert_content(at("dst.c"), "int x;\n");
    struct stat st;
    ck_assert_int_eq(stat(at("dst.c"), &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0644);
    /* Overwrites an existing, longer file completely. */
    put(at("dst2"), "a much longer previous content");
    ck_assert_int_eq(fs_copy_file(at("src.c"), at("dst2")), 0);
    assert_content(at("dst2"), "int x;\n");
}
END_TEST

START_TEST(test_copy_file_refuses_non_regular)
{
    char target[600];
    snprintf(target, sizeof target, "%s/secret", outside);
    put(target, "secret");
    ck_assert_int_eq(symlink(target, at("link.c")), 0);
    errno = 0;
    ck_assert_int_eq(fs_copy_file(at("link.c"), at("out1")), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert(!exists(at("out1")));

    errno = 0;
    ck_assert_int_eq(fs_copy_file(tmpdir, at("out2")), -1);
    ck_assert_int_eq(errno, EISDIR);
    ck_assert(!exists(at("out2")));

    ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);   /* must not block */
    errno = 0;
    ck_assert_int_eq(fs_copy_file(at("fifo"), at("out3")), -1);
    ck_assert_int_eq(errno, EINVAL);

    ck_assert_int_eq(fs_copy_file(at("missing"), at("out4")), -1);
    ck_assert(!exists(at("out4")));
}
END_TEST

START_TEST(test_copy_file_no_write_through_symlink)
{
    char target[600];
    snprintf(target, sizeof target, "%s/victim", outside);
    put(target, "precious");
    put(at("src"), "evil");
    ck_assert_int_eq(symlink(target, at("dst")), 0);
    ck_assert_int_eq(fs_copy_file(at("src"), at("dst")), -1);
    assert_content(target, "precious");
}
END_TEST

/* ---- fs_chown_tree -------------------------------------------------------- */

START_TEST(test_chown_tree)
{
    make_tree();
    uid_t uid = geteuid() == 0 ? 4242 : geteuid();
    gid_t gid = geteuid() == 0 ? 4343 : getegid();
    char target[600];
    snprintf(target, sizeof target, "%s/keep.txt", outside);
    struct stat before, st;
    ck_assert_int_eq(stat(target, &before), 0);

    ck_assert_int_eq(fs_chown_tree(at("tree"), uid, gid), 0);
    const char *paths[] = { "tree", "tree/a", "tree/a/b/c/deep.txt", "tree/a/to_file",
                            "tree/a/b/to_dir", "tree/dangling", "tree/empty" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ck_assert_int_eq(lstat(at(paths[i]), &st), 0);
        ck_assert_uint_eq(st.st_uid, uid);
        ck_assert_uint_eq(st.st_gid, gid);
    }
    /* What the links point to is untouched. */
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_uint_eq(st.st_uid, before.st_uid);
    ck_assert_int_eq(stat(outside, &st), 0);
    ck_assert_uint_eq(st.st_uid, before.st_uid);

    errno = 0;
    ck_assert_int_eq(fs_chown_tree(at("missing"), uid, gid), -1);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ---- fs_join, fs_now_ms ----------------------------------------------------- */

static void assert_join(const char *dir, const char *name, const char *want)
{
    char *p = fs_join(dir, name);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p, want);
    free(p);
}

START_TEST(test_join)
{
    assert_join("a", "b", "a/b");
    assert_join("a/", "b", "a/b");
    assert_join("a//", "/b", "a/b");
    assert_join("/", "b", "/b");
    assert_join("", "b", "b");
    assert_join("a", "", "a/");
    assert_join("/x/y", "z/w", "/x/y/z/w");
}
END_TEST

/* ---- fs_try_lock ---------------------------------------------------------- */

static int open_rw(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    return fd;
}

START_TEST(test_try_lock_busy_and_free)
{
    /* flock() locks belong to an open file: two open()s of one file are
     * two holders, as two grader processes would be. */
    int a = open_rw(at("lock")), b = open_rw(at("lock"));
    ck_assert_int_eq(fs_try_lock(a, LOCK_EX), FS_LOCK_HELD);
    ck_assert_int_eq(fs_try_lock(b, LOCK_EX), FS_LOCK_BUSY);
    ck_assert_int_eq(fs_try_lock(b, LOCK_SH), FS_LOCK_BUSY);
    close(a);
    ck_assert_int_eq(fs_try_lock(b, LOCK_SH), FS_LOCK_HELD);
    a = open_rw(at("lock"));
    ck_assert_int_eq(fs_try_lock(a, LOCK_SH), FS_LOCK_HELD);   /* shared with b */
    int c = open_rw(at("lock"));
    ck_assert_int_eq(fs_try_lock(c, LOCK_EX), FS_LOCK_BUSY);
    close(a);
    close(b);
    close(c);
}
END_TEST

START_TEST(test_try_lock_without_locks)
{
    int fd = open_rw(at("lock"));
    seam_flock_errno = ENOLCK;          /* an NFS mounted without lockd */
    ck_assert_int_eq(fs_try_lock(fd, LOCK_EX), FS_LOCK_NONE);
    seam_flock_errno = EOPNOTSUPP;
    ck_assert_int_eq(fs_try_lock(fd, LOCK_SH), FS_LOCK_NONE);
    seam_flock_errno = EWOULDBLOCK;     /* the seam itself passes "busy" through */
    ck_assert_int_eq(fs_try_lock(fd, LOCK_EX), FS_LOCK_BUSY);
    seam_flock_errno = 0;
    ck_assert_int_eq(fs_try_lock(fd, LOCK_EX), FS_LOCK_HELD);
    close(fd);
}
END_TEST

START_TEST(test_now_ms_monotonic)
{
    uint64_t a = fs_now_ms();
    usleep(20 * 1000);
    uint64_t b = fs_now_ms();
    ck_assert_uint_ge(b, a + 15);
    ck_assert_uint_lt(b, a + 5000);
}
END_TEST

Suite *fsutil_suite(void)
{
    Suite *s = suite_create("fsutil");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_atomic_creates_and_replaces);
    tcase_add_test(tc, test_is_write_temp);
    tcase_add_test(tc, test_write_atomic_large);
    tcase_add_test(tc, test_write_atomic_missing_dir_fails_cleanly);
    tcase_add_test(tc, test_write_atomic_replaces_symlink_not_target);
    tcase_add_test(tc, test_read_file_limits);
    tcase_add_test(tc, test_read_file_size_zero_in_stat);
    tcase_add_test(tc, test_mkdir_p);
    tcase_add_test(tc, test_copy_file_regular);
    tcase_add_test(tc, test_copy_file_refuses_non_regular);
    tcase_add_test(tc, test_copy_file_no_write_through_symlink);
    tcase_add_test(tc, test_try_lock_busy_and_free);
    tcase_add_test(tc, test_try_lock_without_locks);
    suite_add_tcase(s, tc);

    tc = tcase_create("trees");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_remove_tree_does_not_follow_symlinks);
    tcase_add_test(tc, test_remove_tree_missing_file_and_link);
    tcase_add_test(tc, test_remove_tree_locked_folders);
    tcase_add_test(tc, test_chown_tree);
    suite_add_tcase(s, tc);

    tc = tcase_create("paths");
    tcase_add_test(tc, test_join);
    tcase_add_test(tc, test_now_ms_monotonic);
    suite_add_tcase(s, tc);
    return s;
}
