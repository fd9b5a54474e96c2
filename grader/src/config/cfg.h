/*
 * cfg.h -- load and validate config.yaml (libyaml).  Prefix cfg_.
 *
 * The config says everything assignment-specific: the student files, the
 * trusted sources to build with them, the compiler, the symbol policy,
 * the per-test limits, coverage, and every graded test with its points.
 * The grader knows nothing about kernels.
 *
 * Relative paths in the config are relative to the config file's folder;
 * cfg_load() stores them resolved (base_dir + "/" + path) except
 * student_files[].path, which is relative to a submission folder.
 *
 * Errors: cfg_load() returns -1 and fills a cfg_error with the file, the
 * 1-based line and column of the offending YAML node and a message, for
 * "config.yaml:12:5: unknown key 'pionts'".  Syntax errors come from
 * libyaml's problem mark.  Semantic errors (unknown key, wrong type,
 * missing field, bad unit, non-positive limit, duplicate id, bad
 * visibility) point at the node at fault.
 *
 * Tests are of three kinds.  A "check" test (the default) is one graded
 * unit of the Check suites.  A "performance" test measures one call of
 * the student's code under valgrind and scores a metric as a ratio to a
 * reference measurement (see perf.h); it needs the "performance" section,
 * which says how to build and run the measurements.  An "io" test runs
 * the student's program (built with a main: the "io" section) with
 * arguments and stdin and compares its stdout, stderr and exit status
 * (iotest.h).
 */
#ifndef CFG_H
#define CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Where a node starts in the config file, 1-based. */
struct cfg_mark {
    unsigned line, column;
};

struct cfg_error {
    char file[1024];
    unsigned line, column;   /* 1-based; 0 when not tied to a place */
    char message[512];
};

/** Gradescope's visibility levels. */
enum cfg_visibility {
    CFG_VIS_HIDDEN,          /* "hidden": never shown to students */
    CFG_VIS_AFTER_DUE_DATE,  /* "after_due_date" */
    CFG_VIS_AFTER_PUBLISHED, /* "after_published" */
    CFG_VIS_VISIBLE,         /* "visible" */
};

/** Resource limits of one test run; every field > 0 after cfg_load(). */
struct cfg_limits {
    uint64_t cpu_ms;         /* "cpu": RLIMIT_CPU, e.g. "2s" */
    uint64_t wall_ms;        /* "wall": wall-clock kill of the whole tree */
    uint64_t memory_bytes;   /* "memory": RLIMIT_AS, e.g. "512MiB" */
    uint64_t processes;      /* "processes": RLIMIT_NPROC (threads count) */
    uint64_t output_bytes;   /* "output": stdout+stderr kept (head + tail) */
    uint64_t file_size_bytes;/* "file_size": RLIMIT_FSIZE */
};

/** A growable list of strings; owned by the containing struct. */
struct cfg_strv {
    char **v;
    size_t n;
};

struct cfg_student_file {
    char *path;              /* relative to the submission folder, e.g. "kernels.c" */
    char *solution;          /* resolved path of the reference, or NULL */
    char *stub;              /* resolved path of the generated stub, or NULL */
    uint64_t max_size;       /* "max_size", default 1MiB */
    struct cfg_mark mark;
};

struct cfg_build {
    char *cc;                /* "cc", default "cc" */
    struct cfg_strv cflags;  /* for every compile (student and trusted) */
    struct cfg_strv student_cflags; /* extra, for student files only */
    struct cfg_strv ldflags; /* link flags and libraries, after objects */
    struct cfg_strv include_dirs;   /* resolved */
    struct cfg_strv sources; /* trusted harness + suite sources, resolved; globs expanded */
    uint64_t timeout_ms;     /* "timeout": wall limit per compiler run, default 60s */
};

struct cfg_symbols {
    struct cfg_strv allow;   /* fnmatch patterns of symbols student code may import */
    struct cfg_strv deny;    /* patterns denied even if allowed, e.g. "cblas_*" */
    struct cfg_strv allow_libraries; /* shared libraries ("libm.so.6", or a path) whose
                                        every exported symbol is allowed (policy.h) */
    bool forbid_constructors;/* reject .init_array/.fini_array/.ctors/.dtors; default true */
    bool forbid_syscall;     /* reject raw syscall instructions; default true */
};

struct cfg_coverage {
    bool enabled;            /* default true */
    bool branches;           /* default true */
    bool html;               /* genhtml pages; default true */
};

/** What a test is. */
enum cfg_test_kind {
    CFG_KIND_CHECK,          /* "check" (default): a suite/case of the Check suites */
    CFG_KIND_PERFORMANCE,    /* "performance": a measurement, see perf.h */
    CFG_KIND_IO,             /* "io": the student's program run with arguments and
                                stdin, its output compared (iotest.h) */
};

/** How an io test compares the program's stdout and stderr with the expected text. */
enum cfg_io_compare {
    CFG_IO_EXACT,            /* "exact" (default): byte for byte */
    CFG_IO_WHITESPACE,       /* "whitespace": the same words (runs of space, tab, CR and
                                newline are one separator; leading and trailing ignored) */
    CFG_IO_NUMERIC,          /* "numeric": the same fields (whitespace-separated); a field
                                that is a number in both matches within the tolerance,
                                any other field exactly */
};

/**
 * The run of a test of kind io (iotest.h): the program built from the
 * student's files (the "io" section) runs in the sandbox, in a folder of
 * its own holding `files`, with `args`, stdin and `env`; each expectation
 * given is one check of the test (partial credit: points x checks passed
 * / checks).  Expected texts from files are read when the test runs.
 */
struct cfg_io_test {
    struct cfg_strv args;    /* "args": argv[1..] */
    char *stdin_text;        /* "stdin": inline text, or NULL */
    char *stdin_file;        /* "stdin_file": resolved path, or NULL (neither: /dev/null) */
    struct cfg_strv files;   /* "files": resolved paths copied (by their base names) into
                                the run folder, the program's working directory */
    struct cfg_strv env;     /* "env": "NAME=value" after the grader's PATH, HOME, LC_ALL */
    bool has_stdout, has_stderr, has_exit; /* which expectations "expect" gives */
    char *stdout_text;       /* expect.stdout, or NULL: expect.stdout_file */
    char *stdout_file;       /* resolved, or NULL */
    char *stderr_text;       /* expect.stderr, or NULL: expect.stderr_file */
    char *stderr_file;       /* resolved, or NULL */
    int exit_status;         /* expect.exit, 0..255 */
    enum cfg_io_compare compare; /* "compare", default exact */
    double tolerance;        /* "tolerance": absolute, >= 0; default 1e-6 (numeric only) */
    double relative;         /* "relative": relative tolerance, >= 0; default 0 (a field
                                matches if |got - want| <= max(tolerance, relative x |want|)) */
};

/**
 * How the program of the io tests is built (the "io" section): the
 * student's files compiled again with `cflags` (no student_cflags: their
 * main is the program's) and linked with `sources`' objects and
 * `ldflags` into scratch/BLD_IO_DIR/ (build.h).
 */
struct cfg_io {
    bool enabled;            /* the section is present (io tests need it) */
    char *program;           /* "program": argv[0] and the file's name in the run
                                folder, [A-Za-z0-9_.-]+; default the assignment's name */
    struct cfg_strv cflags;  /* "cflags", default build.cflags */
    struct cfg_strv ldflags; /* "ldflags", default none */
    struct cfg_strv sources; /* "sources": trusted sources linked in, resolved; default
                                none (the student's files hold main) */
};

/** What a performance test counts; see perf.h for how each is measured. */
enum cfg_metric {
    CFG_METRIC_INSTRUCTIONS, /* "instructions": instructions executed */
    CFG_METRIC_D1_MISSES,    /* "d1_misses": simulated L1 data cache misses (reads + writes) */
    CFG_METRIC_LL_MISSES,    /* "ll_misses": simulated last-level cache data misses */
    CFG_METRIC_THREADS,      /* "threads": worker threads and how the work was split */
};

/** One step of "thresholds": a ratio <= at_most earns `score` of the points. */
struct cfg_step {
    double at_most;          /* > 0; strictly ascending along the list */
    double score;            /* 0..1 */
};

/**
 * The measurement of a test of kind performance.  Every metric but
 * threads is scored by its ratio to the reference's: either linearly
 * (full_at < zero_at, nsteps 0) or by steps (nsteps > 0).
 */
struct cfg_perf_test {
    char *measure;           /* the performance program's measurement, [a-z0-9_]+ */
    char *reference;         /* the measurement the ratio is to, [a-z0-9_]+ */
    enum cfg_metric metric;
    double full_at;          /* "full_at": full points at a ratio at or below */
    double zero_at;          /* "zero_at": no points at a ratio at or above */
    struct cfg_step *steps;  /* "thresholds", or NULL */
    size_t nsteps;
    unsigned threads;        /* metric threads: "threads", the worker threads expected */
    double balance;          /* metric threads: "balance", the least work of a worker
                                relative to the busiest one; default 0.5 */
    struct cfg_strv requires;/* "requires": ids of check tests that must pass, or
                                the test is not measured (no points for wrong code) */
};

struct cfg_test {
    char *id;                /* "suite/case", unique */
    char *name;              /* display name; defaults to id */
    double points;           /* >= 0 */
    enum cfg_visibility visibility; /* default: the top-level "visibility" */
    char *category;          /* or NULL */
    struct cfg_strv tags;
    bool partial;            /* score = points * passed/total tests; default true */
    struct cfg_limits limits;/* the defaults, overridden key by key; a performance
                                test has performance.limits (no "limits" key) */
    struct cfg_mark mark;    /* the test's mapping */
    enum cfg_test_kind kind; /* "kind", default check */
    struct cfg_perf_test perf; /* kind performance only; zeroed otherwise */
    struct cfg_io_test io;   /* kind io only; zeroed otherwise */
    unsigned repeat;         /* "repeat": runs of a check test, any failing run fails a
                                check (result.h, res_test_merge()); default 1, or
                                thread_sanitizer.repeat for the units that section names */
    bool tsan;               /* run again under ThreadSanitizer (thread_sanitizer.units) */
    double leak_deduct;      /* leaks.deduct, the fraction lost when the unit's code leaks */
};

/** A simulated cache, valgrind's --I1/--D1/--LL=size,ways,line. */
struct cfg_cache {
    uint64_t size;           /* bytes */
    uint64_t ways;           /* associativity */
    uint64_t line;           /* bytes; a power of two, >= 16; size / (ways * line) sets,
                                a power of two (valgrind's rules) */
};

/**
 * The late policy ("late_policy" section).  Times are milliseconds since
 * the Unix epoch (UTC), parsed by cfg_parse_time().  For a submission
 * made at time t (res_apply_late() in result.h does the arithmetic):
 *
 *   over    = t - due - grace
 *   days    = ceil(over / 24 h) if over > 0, else 0 (on time)
 *   penalty = min(max_penalty, days x per_day) percent of the earned score
 *   t > late_due + grace (when late_due is set): the score is 0
 *
 * The grace extends both deadlines.  A submission whose time is unknown
 * is not penalised.
 */
struct cfg_late {
    bool enabled;            /* the section is present */
    int64_t due_ms;          /* "due" (required) */
    char *due;               /* "due" as written, for reports */
    int64_t late_due_ms;     /* "late_due", >= due_ms; meaningful when late_due != NULL */
    char *late_due;          /* "late_due" as written, or NULL: no hard cutoff */
    uint64_t grace_ms;       /* "grace", a duration; default 0 */
    double per_day_pct;      /* "per_day": percent of the score per started day late,
                                0..100; default 0 */
    double max_penalty_pct;  /* "max_penalty": the cap, 0..100 percent; default 100 */
};

/**
 * What `grader release` ships to students and how their CI grades
 * ("release" section; see release.h).  Paths are relative to the
 * config's folder (never absolute, never with ".."), since the release
 * mirrors the repository's layout.
 */
struct cfg_release {
    bool enabled;            /* the section is present */
    struct cfg_strv files;   /* "files": shipped as they are; globs expanded, relative,
                                in the order given, without duplicates */
    struct cfg_strv sources; /* "sources": build.sources of the student config, as
                                written (globs kept) */
    struct cfg_strv source_files; /* "sources" expanded, relative */
    struct cfg_strv packages;/* "packages": Debian packages that build the grader and
                                grade (CI, Gradescope); default: the grader's own */
    double fail_under;       /* "ci.fail_under": student CI fails under this percent of
                                the visible points, 0..100; default 0 (never) */
    struct cfg_mark mark;    /* the "release" key */
};

/** An accepted equivalent mutant ("mutants.equivalent" item; see mutants.h). */
struct cfg_equivalent {
    char *id;                /* the mutant's id, "FUNCTION:OPERATOR:K" */
    char *reason;            /* why no test can tell it from the reference */
    struct cfg_mark mark;    /* the item, for "stale entry" notices */
};

/** Mutation analysis of the reference ("mutants" section; see mutants.h). */
struct cfg_mutants {
    struct cfg_strv operators; /* "operators": mutagen operator names; empty = all */
    struct cfg_strv functions; /* "functions": fnmatch globs of the functions to
                                  mutate; empty = every function of the file */
    double timeout_factor;   /* "timeout_factor": a mutant's unit is killed at this many
                                times the reference's wall time (plus 1 s); default 10 */
    struct cfg_equivalent *equivalent; /* "equivalent": accepted equivalent mutants */
    size_t nequivalent;
};

/**
 * The ThreadSanitizer stage ("thread_sanitizer" section).  The check
 * units it names run again in a third build of the test program, every
 * file compiled with -fsanitize=thread (gcc's); a data race whose stack
 * reaches a student file fails the unit (tsan.h).  The build differs from
 * the tests build only in the flags below and the extra sources.  The
 * tests build's coverage flags (--coverage, -ftest-coverage, -fprofile-*,
 * -lgcov) are left out of every list.
 */
struct cfg_tsan {
    bool enabled;            /* the section is present */
    struct cfg_strv units;   /* "units" (required): fnmatch globs of check test ids;
                                each must match one */
    struct cfg_strv cflags;  /* build.cflags, then "cflags" (default -fsanitize=thread
                                -g): every compile of this build */
    struct cfg_strv student_cflags; /* student files, after cflags: build.student_cflags,
                                then "student_cflags", then "cflags" again (so -g wins
                                over a -g0) */
    struct cfg_strv ldflags; /* build.ldflags, then "ldflags" (default -fsanitize=thread) */
    struct cfg_strv sources; /* build.sources, then "sources" (extra trusted sources) */
    struct cfg_limits limits;/* "limits" per unit run; default the top-level limits.  No
                                RLIMIT_AS (TSan reserves terabytes): memory caps the heap
                                through tsan_heap.c, TSAN_HEAP_LIMIT */
    unsigned repeat;         /* "repeat": the default `repeat` of its units; default 3 */
    bool threaded_units;     /* "threaded_units": also one TSan run of every other check
                                unit whose tests started threads in the submission's
                                own run, of those tests (the harness says so,
                                tcheck.h), e.g. a kernel the student made parallel;
                                default true */
};

/** What leaks cost ("leaks" section). */
struct cfg_leaks {
    double deduct;           /* "deduct": the fraction of a unit's points lost when its
                                tests leave heap blocks or tensors alive, 0..1; default 0.25 */
};

/**
 * How grading runs the check tests ("grading" section).  With a seed,
 * every unit runs with TC_SEED=<seed> in its environment: the visible
 * tests draw fresh random inputs of their cases' shapes from it (the
 * harness's tcheck.h), so answers stored for the literal cases earn
 * nothing, and the same seed gives the same inputs on every regrade.
 * The student release's config never carries it.
 */
struct cfg_grading {
    bool seeded;             /* "seed" is given */
    uint64_t seed;           /* "seed": a positive integer */
    uint64_t max_per_day;    /* "max_per_day": graded submissions per student in any
                                24 hours (score/ratelimit.h); 0: no limit */
};

/** How performance tests are built and run ("performance" section). */
struct cfg_performance {
    bool enabled;            /* the section is present */
    struct cfg_strv cflags;  /* every compile of the performance build (no coverage) */
    struct cfg_strv ldflags; /* link flags and libraries, after objects */
    struct cfg_strv sources; /* the performance program's trusted sources, resolved; globs */
    char *valgrind;          /* "valgrind", default "valgrind" */
    struct cfg_cache i1, d1, ll; /* "cache": {i1, d1, ll}; default 32KiB/8/64 for i1
                                and d1, 1MiB/16/64 for ll */
    struct cfg_limits limits;/* per measurement run; default the top-level limits */
    bool leaderboard;        /* "leaderboard": results.json gets Gradescope's leaderboard,
                                one column per visible performance test, its measured
                                value, lower first; default false */
};

struct grader_cfg {
    char *path;              /* as given to cfg_load() */
    char *base_dir;          /* folder of the config file */
    char *name;              /* assignment.name */
    char *title;             /* assignment.title, defaults to name */
    struct cfg_student_file *files;
    size_t nfiles;
    struct cfg_build build;
    struct cfg_symbols symbols;
    struct cfg_limits limits;        /* top-level defaults */
    struct cfg_coverage coverage;
    struct cfg_performance performance;
    enum cfg_visibility visibility;  /* default for tests; default visible */
    struct cfg_late late;            /* "late_policy"; enabled false without it */
    struct cfg_release release;      /* "release"; enabled false without it */
    struct cfg_grading grading;      /* "grading"; no seed without it */
    struct cfg_mutants mutants;      /* "mutants": defaults without it */
    struct cfg_tsan tsan;            /* "thread_sanitizer"; enabled false without it */
    struct cfg_leaks leaks;          /* "leaks": defaults without it */
    struct cfg_io io;                /* "io"; enabled false without it */
    struct cfg_test *tests;
    size_t ntests;
    struct cfg_mark tests_mark;      /* the "tests" key, for "missing test" errors */
};

/**
 * Loads and validates `path` into *cfg (which the function initialises).
 * Returns 0, or -1 with *err filled; *cfg is released on failure, so the
 * caller calls cfg_release() only after success.
 */
int cfg_load(const char *path, struct grader_cfg *cfg, struct cfg_error *err);

/** Frees everything cfg_load() allocated; cfg itself is not freed.  Safe twice. */
void cfg_release(struct grader_cfg *cfg);

/**
 * Cross-checks the configured check tests' ids against the ids the
 * suites provide (e.g. from `tests --list`); performance tests are not
 * suite units and are skipped (perf_check_measures() checks them).
 * Returns 0, or -1 with *err naming the first configured id the suites
 * lack (at its mark) or the first suite unit the config lacks (at the
 * "tests" key).
 */
int cfg_check_tests(const struct grader_cfg *cfg, const char *const ids[],
                    size_t nids, struct cfg_error *err);

/** Finds a test by id, or NULL. */
const struct cfg_test *cfg_find_test(const struct grader_cfg *cfg, const char *id);

/** "hidden", "after_due_date", "after_published" or "visible". */
const char *cfg_visibility_name(enum cfg_visibility v);

/** "instructions", "d1_misses", "ll_misses" or "threads". */
const char *cfg_metric_name(enum cfg_metric m);

/** The number of tests of this kind. */
size_t cfg_count_kind(const struct grader_cfg *cfg, enum cfg_test_kind kind);

/** Total points over all tests. */
double cfg_total_points(const struct grader_cfg *cfg);

/**
 * Parses a duration ("2s", "500ms", "1.5s", "2m", a bare number is
 * seconds) into milliseconds.  Returns 0, or -1 if malformed, negative,
 * zero or too large.
 */
int cfg_parse_duration_ms(const char *text, uint64_t *out);

/**
 * Parses a size ("256MiB", "64KiB", "1GiB", "100MB", "10kB", "512B", a
 * bare number is bytes) into bytes.  Returns 0, or -1 if malformed, zero
 * or too large.
 */
int cfg_parse_size(const char *text, uint64_t *out);

/**
 * Parses an ISO 8601 time with an offset, as RFC 3339 writes it:
 * "2026-12-15T23:59:00-05:00", "2026-12-16T10:22:32.365935-08:00",
 * "2026-12-15T04:59:00Z" ('T' and 'Z' may be lower case; the seconds may
 * be left out; the offset may be written +HHMM).  *ms = milliseconds
 * since the Unix epoch; a fraction below a millisecond rounds up, so a
 * time after a deadline stays after it.  Returns 0, or -1 (*ms
 * untouched) if malformed, out of range (year 0001-9999, a real day of
 * the month, hour 0-23, minute and second 0-59, offset below 24 h) or
 * without an offset.
 */
int cfg_parse_time(const char *text, int64_t *ms);

/** Formats *err as "file:line:column: message" (or "file: message"). */
void cfg_error_format(const struct cfg_error *err, char *buf, size_t n);

#endif /* CFG_H */
