/*
 * fsutil.h -- small file-system helpers shared by the grader's modules.
 * Prefix fs_.  Every function returns 0 on success or -1 with errno set
 * (and, where it takes one, a message in err[errlen]); none exits.
 */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * Writes len bytes to path atomically: a temporary file in the same
 * folder, fsync, rename over path.  A reader sees the old file or the
 * new one, never half of one; a crash leaves at most a stray temporary.
 */
int fs_write_atomic(const char *path, const void *data, size_t len);

/**
 * fs_write_atomic() without the fsyncs: still all or nothing for readers
 * (rename), but durable only once the caller syncs (syncfs()).  For
 * rewriting many files at once, where one sync at the end is ~1000 times
 * cheaper than two per file.
 */
int fs_write_replace(const char *path, const void *data, size_t len);

/**
 * Whether the file name `name` is one of the two functions' temporaries
 * ("results.json.tmp.Ab3dE9"), which a process killed mid-write leaves.
 */
bool fs_is_write_temp(const char *name);

/** Reads a whole file (at most max bytes, else -1/EFBIG) into a malloc'd, NUL-terminated buffer. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len);

/** mkdir -p with the given mode. */
int fs_mkdir_p(const char *path, mode_t mode);

/** rm -rf; a missing path is success.  Does not follow symlinks. */
int fs_remove_tree(const char *path);

/** Copies a regular file (mode 0644); refuses anything else. */
int fs_copy_file(const char *src, const char *dst);

/** chown -R (no symlink following). */
int fs_chown_tree(const char *path, uid_t uid, gid_t gid);

/** What fs_try_lock() found. */
enum fs_lock {
    FS_LOCK_HELD,   /* the lock is ours until fd is closed */
    FS_LOCK_BUSY,   /* another open file holds a conflicting lock */
    FS_LOCK_NONE,   /* the file system has no locks: go on without one */
};

/**
 * flock(fd, op | LOCK_NB), op LOCK_SH or LOCK_EX, told apart.  Any error
 * but EWOULDBLOCK is FS_LOCK_NONE (ENOLCK from an NFS mounted without
 * lockd, EOPNOTSUPP...): a course's shared folder without locks must not
 * stop grading, and nobody could hold a lock there anyway.
 */
enum fs_lock fs_try_lock(int fd, int op);

/** path joined with name by one '/'; malloc'd, NULL on OOM. */
char *fs_join(const char *dir, const char *name);

/** Milliseconds of CLOCK_MONOTONIC. */
uint64_t fs_now_ms(void);

#endif /* FSUTIL_H */
