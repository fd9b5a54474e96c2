/*
 * seam_flock.c -- the --wrap=flock seam of the unit tests (seam_flock.h).
 * No test file system lacks locks (tmpfs and ext4 have them), so the
 * grader's "no locks here: go on" paths are reached through this.
 */
#include <errno.h>

#include "seam_flock.h"

int seam_flock_errno;

int __real_flock(int fd, int op);
int __wrap_flock(int fd, int op);

int __wrap_flock(int fd, int op)
{
    if (seam_flock_errno) {
        errno = seam_flock_errno;
        return -1;
    }
    return __real_flock(fd, op);
}
