/*
 * build.h -- compile and link the test program of one submission.
 * Prefix bld_.
 *
 * Two halves, because they differ in trust and in how often they run:
 *
 *   bld_trusted_init()  once per grader run: compiles the configured
 *                       harness and suite sources (trusted) into a cache
 *                       folder, outside the sandbox.
 *   bld_student()       once per submission: compiles the student's files
 *                       with the student flags (coverage) and links them
 *                       with the cached objects -- both inside the
 *                       sandbox, which sees only the scratch folder: the
 *                       cached objects and the *.h files of the include
 *                       folders are copied into it first, so no #include
 *                       can reach the solutions or the hidden suites'
 *                       sources.
 *
 * With a "performance" section in the config, each half has a twin for
 * the performance build (perf.h): the performance program's trusted
 * sources and the student's files compiled again with the performance
 * flags, without coverage, linked into scratch/BLD_PERF_DIR/.
 *
 * With a "thread_sanitizer" section, a third twin: the test program built
 * again with -fsanitize=thread (cfg.h, struct cfg_tsan) into
 * scratch/BLD_TSAN_DIR/, for the units it names (tsan.h).
 *
 * With an "io" section, a fourth: the student's program itself (their
 * files hold main), for the io tests (iotest.h), in scratch/BLD_IO_DIR/.
 */
#ifndef BUILD_H
#define BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include "config/cfg.h"

/** The cached trusted objects; owned, release with bld_trusted_release(). */
struct bld_trusted {
    char *dir;            /* the cache folder */
    char **objs;          /* absolute paths of the objects, config order */
    size_t nobjs;
    char **headers;       /* every *.h of the include dirs (part of the cache key) */
    size_t nheaders;
    char *perf_dir;       /* the performance program's cache folder, or NULL */
    char **perf_objs;     /* its objects (performance flags), config order; or NULL */
    size_t nperf_objs;
    char *tsan_dir;       /* the ThreadSanitizer build's cache folder, or NULL */
    char **tsan_objs;     /* its objects (thread_sanitizer flags), config order; or NULL */
    size_t ntsan_objs;
    char *io_dir;         /* the io program's cache folder, or NULL */
    char **io_objs;       /* its objects (io flags: io.sources), config order; or NULL */
    size_t nio_objs;
};

/** The scratch sub-folder of the io build: objects and the program (iotest.h). */
#define BLD_IO_DIR "io"

/** The scratch sub-folder of the performance build: objects, program, outputs. */
#define BLD_PERF_DIR "perf"

/** The scratch sub-folder of the ThreadSanitizer build: objects and program. */
#define BLD_TSAN_DIR "tsan"

struct sbx_probe;      /* sandbox/sbx.h */

/** How to run the untrusted steps. */
struct bld_sandbox {
    int use_bwrap;        /* an enum sbx_level (sbx.h): SBX_LEVEL_NONE only for tests */
    uid_t uid;            /* the sandbox user when the grader is root */
    gid_t gid;
    const volatile sig_atomic_t *cancel;   /* see sbx_opts.cancel; may be NULL */
    struct sbx_probe *probe;               /* see sbx_opts.probe; may be NULL */
};

/**
 * Makes the trusted objects available: compiled once into
 * cache_root/KEY, where KEY hashes the compiler, the flags, the sources
 * and the headers, and reused by every later run with the same inputs.
 * With the performance section, the performance program's objects too
 * (a folder of their own).
 * Returns 0, or -1 with the compiler's diagnostics (or the reason) in
 * *log (malloc'd, caller frees).
 */
int bld_trusted_init(const struct grader_cfg *cfg, const char *cache_root,
                     struct bld_trusted *out, char **log);

void bld_trusted_release(struct bld_trusted *t);

/**
 * Compiles `sources` (paths inside `scratch`) to objects in scratch, then
 * links them with the trusted objects into scratch/`program`.  Fills
 * objs[] (malloc'd paths of the student objects, caller frees each and
 * the array) before linking, so the caller may inspect them; *log
 * receives the compiler's and linker's output (malloc'd, caller frees).
 *
 * Returns 0 when the program was built, 1 when the student's code did
 * not compile or link (the log says why: it is the student's problem),
 * or -1 when the grader failed (the log says why).
 */
int bld_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                const struct bld_sandbox *sb, const char *scratch,
                const char *const sources[], size_t nsources,
                const char *program, char ***objs, char **log);

/**
 * The performance build of a submission: compiles `sources` again with
 * performance.cflags (not build.cflags, no student_cflags: no coverage)
 * into scratch/BLD_PERF_DIR/ (which must exist, writable by sb->uid), and
 * links them with the performance program's trusted objects into
 * `program`.  Same contract as bld_student().
 */
int bld_perf_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const struct bld_sandbox *sb, const char *scratch,
                     const char *const sources[], size_t nsources,
                     const char *program, char ***objs, char **log);

/**
 * The ThreadSanitizer build of a submission: compiles `sources` again
 * with thread_sanitizer's flags into scratch/BLD_TSAN_DIR/ (created here,
 * owned by sb->uid when the grader is root: call it before any student
 * code has run in scratch) and links them with the TSan trusted objects
 * into `program`.  Same contract as bld_student().
 */
int bld_tsan_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const struct bld_sandbox *sb, const char *scratch,
                     const char *const sources[], size_t nsources,
                     const char *program, char ***objs, char **log);

/**
 * The io build of a submission (cfg.h, struct cfg_io): compiles `sources`
 * again with io.cflags (no student_cflags: the student's main is the
 * program's) into scratch/BLD_IO_DIR/ (created here, owned by sb->uid when
 * the grader is root: call it before any student code has run in scratch)
 * and links them with io.sources' objects and io.ldflags into `program`.
 * Same contract as bld_student().
 */
int bld_io_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                   const struct bld_sandbox *sb, const char *scratch,
                   const char *const sources[], size_t nsources,
                   const char *program, char ***objs, char **log);

/**
 * Links the given objects (e.g. a compiled reference solution) with the
 * trusted objects into `program`, outside the sandbox.  For listing the
 * suites' units.  Same return and *log convention as bld_student().
 */
int bld_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const char *const objs[], size_t nobjs,
                     const char *program, char **log);

/** Compiles one trusted source to `obj` outside the sandbox (0 / -1 with *log). */
int bld_compile_trusted(const struct grader_cfg *cfg, const char *src,
                        const char *obj, char **log);

/** bld_link_trusted() and bld_compile_trusted() for the performance build. */
int bld_perf_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                          const char *const objs[], size_t nobjs,
                          const char *program, char **log);
int bld_perf_compile_trusted(const struct grader_cfg *cfg, const char *src,
                             const char *obj, char **log);

/** bld_link_trusted() and bld_compile_trusted() for the io build (check-config
 *  builds the reference's program with them and runs the io tests on it). */
int bld_io_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                        const char *const objs[], size_t nobjs,
                        const char *program, char **log);
int bld_io_compile_trusted(const struct grader_cfg *cfg, const char *src,
                           const char *obj, char **log);

#endif /* BUILD_H */
