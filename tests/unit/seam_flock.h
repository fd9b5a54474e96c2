/*
 * seam_flock.h -- flock() as the unit tests see it.  run_tests is linked
 * with --wrap=flock (Makefile), so every flock() call, the grader's
 * library's and the tests' own, goes through seam_flock.c: the real
 * flock() unless a test sets seam_flock_errno.
 */
#ifndef UNIT_SEAM_FLOCK_H
#define UNIT_SEAM_FLOCK_H

/*
 * When nonzero, flock() fails with this errno instead of locking: ENOLCK
 * plays a file system without locks (an NFS mounted without lockd).
 * Check runs each test in a process of its own, so a test's setting ends
 * with it.
 */
extern int seam_flock_errno;

#endif /* UNIT_SEAM_FLOCK_H */
