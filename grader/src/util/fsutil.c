/*
 * fsutil.c -- file-system helpers: atomic writes, whole-file reads, and
 * tree walks that never follow symlinks.
 *
 * The trees we remove and chown were written by student code, so the
 * walks work on directory file descriptors (openat + O_NOFOLLOW,
 * unlinkat, fchownat with AT_SYMLINK_NOFOLLOW): a symlink planted in a
 * submission is removed or re-owned itself, never what it points to,
 * even if the tree changes while we walk it.  The walk keeps one open
 * descriptor per directory level, so absurdly deep trees fail with
 * EMFILE instead of being half-followed.
 */
#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- small I/O helpers ------------------------------------------------ */

/* write() all of buf, retrying after EINTR and short writes. */
static int fs_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* close() that keeps the errno of an earlier failure. */
static void fs_close_keep_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/* ---- fs_write_atomic -------------------------------------------------- */

/* fsync the folder holding path, so the rename itself is durable. */
static void fs_sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);   /* best effort: the new file is already in place */
        close(fd);
    }
    free(dir);
}

/* The temporaries' suffix: mkstemp() replaces the X's. */
static const char fs_temp_suffix[] = ".tmp.XXXXXX";

bool fs_is_write_temp(const char *name)
{
    static const char mkstemp_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789";
    size_t n = strlen(name), m = sizeof fs_temp_suffix - 1, x = 6;
    return n > m && strncmp(name + n - m, fs_temp_suffix, m - x) == 0 &&
           strspn(name + n - x, mkstemp_chars) == x;
}

/* fs_write_atomic(), durable or not (fs_write_replace()). */
static int fs_write_renamed(const char *path, const void *data, size_t len, bool durable)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof fs_temp_suffix);
    if (!tmp)
        return -1;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, fs_temp_suffix, sizeof fs_temp_suffix);

    /* mkstemp creates the file 0600 in the same folder (same filesystem,
     * so rename() is atomic). */
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fs_write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0) ||
        fchmod(fd, 0644) < 0) {
        fs_close_keep_errno(fd);
        goto fail;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0)
        goto fail;
    free(tmp);
    if (durable)
        fs_sync_parent(path);
    return 0;

fail:;
    int saved = errno;
    unlink(tmp);
    free(tmp);
    errno = saved;
    return -1;
}

int fs_write_atomic(const char *path, const void *data, size_t len)
{
    return fs_write_renamed(path, data, len, true);
}

int fs_write_replace(const char *path, const void *data, size_t len)
{
    return fs_write_renamed(path, data, len, false);
}

/* ---- fs_read_file ----------------------------------------------------- */

/* Reads fd to EOF into a NUL-terminated buffer of at most max bytes. */
static int fs_read_fd(int fd, size_t max, size_t hint, char **out, size_t *len)
{
    if (max > SIZE_MAX / 2)
        max = SIZE_MAX / 2;   /* so that cap * 2 and cap + 1 cannot wrap */
    size_t cap = hint < max ? hint : max, used = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        if (used == cap) {
            if (cap >= max) {
                /* Full: one more byte decides between EOF and too big. */
                char extra;
                ssize_t n = read(fd, &extra, 1);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n == 0)
                    break;
                free(buf);
                errno = n < 0 ? errno : EFBIG;
                return -1;
            }
            size_t ncap = cap < 4096 ? 4096 : cap * 2;
            if (ncap > max)
                ncap = max;
            char *nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                free(buf);
                return -1;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            free(buf);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *out = buf;
    if (len)
        *len = used;
    return 0;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        fs_close_keep_errno(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    /* st_size is only a hint: /proc files say 0, and files can grow. */
    size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size : 4096;
    int rc = fs_read_fd(fd, max, hint, out, len);
    fs_close_keep_errno(fd);
    return rc;
}

/* ---- fs_mkdir_p ------------------------------------------------------- */

/* mkdir one level; an existing directory is fine, anything else is not. */
static int fs_mkdir_one(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int fs_mkdir_p(const char *path, mode_t mode)
{
    if (path[0] == '\0') {
        errno = ENOENT;
        return -1;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    int rc = 0;
    /* Create each prefix ending before a '/', then the whole path. */
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/' || s[-1] == '/')
            continue;
        *s = '\0';
        rc = fs_mkdir_one(p, mode);
        *s = '/';
    }
    if (rc == 0)
        rc = fs_mkdir_one(p, mode);
    free(p);
    return rc;
}

/* ---- tree walks ------------------------------------------------------- */

/*
 * A post-order walk: for each entry of a directory, a subdirectory first
 * has its contents visited, then visit(parent_fd, name, is_dir, ctx) runs
 * on the entry itself.  Stops at the first error, with errno from the
 * failing call.  With `force` (removal), folders the student made
 * unreadable or unwritable get u+rwx so that they can be emptied.
 */
typedef int (*fs_visit_fn)(int parent_fd, const char *name, bool is_dir, void *ctx);

struct fs_walk {
    fs_visit_fn visit;
    void *ctx;
    bool force;
};

static int fs_walk_dir(const struct fs_walk *w, int dirfd);

/* Opens parent/name as a directory without following a symlink.  -1 with
 * ENOTDIR/ELOOP if it is not (or no longer) a directory. */
static int fs_open_subdir(const struct fs_walk *w, int parent, const char *name)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(parent, name, flags);
    if (fd < 0 && errno == EACCES && w->force
        && fchmodat(parent, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
        fd = openat(parent, name, flags);
    return fd;
}

/* Whether parent/name is a directory (not a symlink to one). */
static int fs_entry_is_dir(int parent, const struct dirent *de, bool *is_dir)
{
    if (de->d_type != DT_UNKNOWN) {
        *is_dir = de->d_type == DT_DIR;
        return 0;
    }
    struct stat st;
    if (fstatat(parent, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    *is_dir = S_ISDIR(st.st_mode);
    return 0;
}

/* Visits one entry of the directory open as parent. */
static int fs_walk_entry(const struct fs_walk *w, int parent, const struct dirent *de)
{
    bool is_dir;
    if (fs_entry_is_dir(parent, de, &is_dir) < 0)
        return errno == ENOENT ? 0 : -1;   /* vanished meanwhile */
    if (is_dir) {
        int sub = fs_open_subdir(w, parent, de->d_name);
        if (sub >= 0) {
            if (fs_walk_dir(w, sub) < 0)
                return -1;
        } else if (errno == ENOENT) {
            return 0;
        } else if (errno == ENOTDIR || errno == ELOOP) {
            is_dir = false;   /* replaced by a file or symlink meanwhile */
        } else {
            return -1;
        }
    }
    return w->visit(parent, de->d_name, is_dir, w->ctx);
}

/* Walks the contents of the directory open as dirfd, and closes it. */
static int fs_walk_dir(const struct fs_walk *w, int dirfd)
{
    struct stat st;
    if (w->force && fstat(dirfd, &st) == 0 && (st.st_mode & 0700) != 0700)
        (void)fchmod(dirfd, (st.st_mode & 07777) | 0700);

    DIR *d = fdopendir(dirfd);
    if (!d) {
        fs_close_keep_errno(dirfd);
        return -1;
    }
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            rc = errno ? -1 : 0;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fs_walk_entry(w, dirfd, de) < 0) {
            rc = -1;
            break;
        }
    }
    int saved = errno;
    closedir(d);
    errno = saved;
    return rc;
}

/*
 * Walks the tree at path: the contents of a directory (not a symlink to
 * one) post-order, then path itself, via visit(AT_FDCWD, path, ...).
 * *missing is set when path does not exist.
 */
static int fs_walk_tree(const struct fs_walk *w, const char *path, bool *missing)
{
    struct stat st;
    *missing = false;
    if (lstat(path, &st) < 0) {
        *missing = errno == ENOENT;
        return -1;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    if (is_dir) {
        int fd = fs_open_subdir(w, AT_FDCWD, path);
        if (fd < 0 || fs_walk_dir(w, fd) < 0)
            return -1;
    }
    return w->visit(AT_FDCWD, path, is_dir, w->ctx);
}

static int fs_remove_visit(int parent, const char *name, bool is_dir, void *ctx)
{
    (void)ctx;
    if (unlinkat(parent, name, is_dir ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT)
        return 0;
    return -1;
}

int fs_remove_tree(const char *path)
{
    struct fs_walk w = { fs_remove_visit, NULL, true };
    bool missing;
    if (fs_walk_tree(&w, path, &missing) == 0)
        return 0;
    return missing ? 0 : -1;
}

struct fs_owner {
    uid_t uid;
    gid_t gid;
};

static int fs_chown_visit(int parent, const char *name, bool is_dir, void *ctx)
{
    const struct fs_owner *o = ctx;
    (void)is_dir;
    return fchownat(parent, name, o->uid, o->gid, AT_SYMLINK_NOFOLLOW);
}

int fs_chown_tree(const char *path, uid_t uid, gid_t gid)
{
    struct fs_owner o = { uid, gid };
    struct fs_walk w = { fs_chown_visit, &o, false };
    bool missing;
    return fs_walk_tree(&w, path, &missing);
}

/* ---- fs_copy_file ----------------------------------------------------- */

/* Opens src for reading only if it is a regular file (not a symlink). */
static int fs_open_regular(const char *src)
{
    /* O_NONBLOCK: opening a FIFO must not hang before fstat rejects it. */
    int fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        fs_close_keep_errno(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    return fd;
}

static int fs_copy_fd(int in, int out)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        if (fs_write_all(out, buf, (size_t)n) < 0)
            return -1;
    }
}

int fs_copy_file(const char *src, const char *dst)
{
    int in = fs_open_regular(src);
    if (in < 0)
        return -1;
    /* O_NOFOLLOW: never write through a symlink planted at dst. */
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        fs_close_keep_errno(in);
        return -1;
    }
    int rc = 0;
    if (fchmod(out, 0644) < 0 || fs_copy_fd(in, out) < 0) {
        fs_close_keep_errno(out);
        rc = -1;
    } else if (close(out) < 0) {
        rc = -1;
    }
    fs_close_keep_errno(in);
    if (rc < 0) {
        int saved = errno;
        unlink(dst);   /* no half copies */
        errno = saved;
    }
    return rc;
}

/* ---- locks -------------------------------------------------------------- */

enum fs_lock fs_try_lock(int fd, int op)
{
    if (flock(fd, op | LOCK_NB) == 0)
        return FS_LOCK_HELD;
    return errno == EWOULDBLOCK ? FS_LOCK_BUSY : FS_LOCK_NONE;
}

/* ---- strings and clocks ----------------------------------------------- */

char *fs_join(const char *dir, const char *name)
{
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    if (dlen == 0)
        return strdup(name);
    while (*name == '/')
        name++;
    bool slash = dir[dlen - 1] != '/';   /* "/" + "x" is "/x" */
    size_t nlen = strlen(name);
    char *p = malloc(dlen + slash + nlen + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, dlen);
    if (slash)
        p[dlen] = '/';
    memcpy(p + dlen + slash, name, nlen + 1);
    return p;
}

uint64_t fs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
