/*
 * cache.h -- the content-addressed regrade cache of `batch`.  Prefix rcache_.
 *
 * A finished grading's output folder is stored under CACHE/results/KEY/,
 * where KEY is the SHA-256 (nettle) of everything that can change what a
 * grading writes:
 *
 *   the base   the grader executable, the whole config file, the reference
 *              solutions it names, the adjustments file (adjust.h), the trusted objects (their cache folders
 *              are named by the hash of their sources, flags and headers:
 *              build.h), the sandbox level, --no-performance;
 *   per student  the student's name, each configured file of the
 *              submission (its bytes, or how it is missing or not a plain
 *              file), and the submission time (--submitted-at, the
 *              folder's submission_metadata.json and submitted_at files).
 *
 * An unchanged submission with unchanged trusted inputs is then copied
 * from the cache instead of graded; any change of any input is a new key,
 * so it is graded again.  The whole config file is in the key (not only
 * the sections that affect results): a change of points regrades too,
 * which is safe; `rescore` is the tool for those.
 *
 * Only clean gradings are stored: the grader did not fail and no stage
 * degraded (a missing valgrind must not be remembered).  The cache is the
 * grader's own (under the trusted objects' cache root, never in a
 * sandbox's reach), entries are written to a temporary folder and renamed
 * into place, so a crash leaves none half-written.
 */
#ifndef RCACHE_H
#define RCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grade/grade.h"

#define RCACHE_KEY_HEX 65     /* 64 hex digits and the NUL */

/** The cache of one batch run: the folder and the hash of the shared inputs. */
struct rcache {
    char *dir;                /* CACHE/results (malloc'd) */
    uint8_t base[32];         /* SHA-256 of the base inputs */
};

/**
 * Opens the cache in cache_root/results (created) for gradings with `env`
 * and fills c->base.  `adjustments` is the file env->adjust was read from
 * (batch --adjustments), or NULL: its whole text is in the key.  Returns 0, or -1 with err[errlen] (an input cannot
 * be read, out of memory).  Release with rcache_close().
 */
int rcache_open(struct rcache *c, const char *cache_root, const char *grader_exe,
                const char *adjustments, const struct grade_env *env, char *err,
                size_t errlen);

void rcache_close(struct rcache *c);

/**
 * The key of `student`'s submission in `submission_dir` into key (hex).
 * Returns 0, or -1 with errno (a file that exists cannot be read).
 */
int rcache_key(const struct rcache *c, const struct grade_env *env,
               const char *submission_dir, const char *student, char key[RCACHE_KEY_HEX]);

/**
 * Copies the entry `key` into out_dir (which must not exist).  Returns 1
 * when it did, 0 when there is no such entry, -1 with errno on a file
 * error (out_dir may then be half-written: the caller removes it).
 */
int rcache_fetch(const struct rcache *c, const char *key, const char *out_dir);

/**
 * Stores a copy of the finished out_dir as entry `key` (a no-op when it is
 * there).  Returns 0, or -1 with errno (the grading stands either way).
 */
int rcache_store(const struct rcache *c, const char *key, const char *out_dir);

#endif /* RCACHE_H */
