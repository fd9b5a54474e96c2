/*
 * scratch.h -- the grader's scratch root, where each grading gets its
 * private folder.  Prefix scr_.
 *
 * The sandbox users must reach a grading's folder by its path (bwrap binds
 * it, the sandbox chdirs into it), yet they own nothing on the way there:
 * a folder under a 0700 home (Debian 12 makes homes 0700) is out of their
 * reach, so TMPDIR pointing into a clone in /root breaks every grading.
 * So the grader makes a root of its own, in the first of
 *
 *     $TMPDIR, /tmp, /var/tmp
 *
 * that every sandbox user can reach (scr_reachable(): search permission
 * for others on every folder of the real path), named
 * BASE/grader-PID-XXXXXX.  As root its mode is 0711: the sandbox users
 * pass through it but cannot list it, so they cannot find each other's
 * folders.  A grader that is not root runs its sandboxes as itself, and
 * any folder it can use will do: 0700, and $TMPDIR is always taken.
 * Each grading then makes ROOT/grade-XXXXXX (scr_grading_open()): mode
 * 0770, owned by its sandbox uid and gid when the grader is root.
 *
 * The pid in the root's name lets a later grader remove the roots of
 * graders that died without cleaning up (scr_remove_stale()).
 *
 * Nothing here prints: notes and errors are returned as text.
 */
#ifndef SCRATCH_H
#define SCRATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct scr_root {
    char path[PATH_MAX];      /* the root, "" when not open */
    char note[PATH_MAX + 256];/* why $TMPDIR was passed over, or "" */
};

/**
 * 1 if a user that owns none of its folders and is in none of their
 * groups can reach `dir` (every folder of its real path has o+x and dir
 * itself exists), 0 if not, with why[whylen] naming the first folder in
 * the way and its mode ("/root is drwx------"), -1 with errno (e.g. dir
 * does not exist; why says so too).
 */
int scr_reachable(const char *dir, char *why, size_t whylen);

/**
 * Opens a scratch root in the first usable base: `tmpdir` (the caller's
 * $TMPDIR; NULL or "" to skip it), /tmp, /var/tmp.  `sandbox_others`:
 * the sandboxes run as other users (the grader is root), so a base must
 * be scr_reachable(); otherwise the first base that exists is taken.
 * Fills *root (root->note says why $TMPDIR was skipped).  Returns 0, or
 * -1 with err[errlen] saying what to change.
 */
int scr_root_open(const char *tmpdir, bool sandbox_others, struct scr_root *root,
                  char *err, size_t errlen);

/** Removes the root and everything in it (best effort); safe when not open. */
void scr_root_close(struct scr_root *root);

/**
 * Makes a grading's folder ROOT/grade-XXXXXX into *path (malloc'd): mode
 * 0770, and when `chown_to` (the grader is root) owned by uid:gid.
 * Returns 0, or -1 with errno.
 */
int scr_grading_open(const char *root, bool chown_to, uid_t uid, gid_t gid, char **path);

/**
 * Removes, in `base`, what graders that no longer run left behind: roots
 * grader-PID-XXXXXX and (older graders) folders grade-PID-XXXXXX whose
 * process PID does not exist, when owned by the caller's euid.  Best
 * effort; returns how many it removed.
 */
size_t scr_remove_stale(const char *base);

#endif /* SCRATCH_H */
