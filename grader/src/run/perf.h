/*
 * perf.h -- deterministic performance points.  Prefix perf_.
 * Implemented in perf.c (the stage and check-config's check),
 * perf_callgrind.c (reading callgrind's dumps) and perf_score.c (scoring).
 *
 * Wall-clock time on a shared machine changes from run to run; a
 * student's points must not.  So, like the CS:APP cache lab, performance
 * tests count events of a simulated machine: valgrind's callgrind counts
 * the instructions a kernel call executes and the misses of simulated
 * caches whose geometry the config fixes (performance.cache), which do
 * not depend on the grading machine.  Each metric is scored as a ratio
 * to a reference measurement (the harness's naive kernel) measured the
 * same way: once per machine, in a run of its own, and cached (step 3).
 *
 * Theory of operation.  perf_grade() runs after the Check units:
 *
 *   1. A test whose "requires" tests did not all pass is not measured
 *      (failed, 0 points: no points for fast wrong code).
 *   2. The performance build (perf_prebuild(), bld_perf_student()): the
 *      student's files again, with performance.cflags (no coverage; a
 *      fixed instruction set valgrind runs, e.g. -march=x86-64-v3), linked
 *      with the performance program's trusted objects into scratch/perf/perf.
 *      The symbol policy checks these objects too, and they must not
 *      contain a valgrind client request (the 16-byte preamble valgrind
 *      decodes): with one, a kernel could switch the counting off.  The
 *      linked program must hold exactly the trusted objects' client
 *      requests.  The grader runs this step early, beside the Check
 *      units (job->prebuilt), in a scratch folder of its own that no
 *      test run can reach, so nothing the units' code does can change
 *      the sources compiled or the program measured.  (The measured run
 *      itself writes its dumps where the student's code runs: the symbol
 *      policy, which gives it no way to open a file, is what keeps it
 *      from writing dumps of its own.)
 *   3. The references (each test's "reference": harness code, the same
 *      for every submission) come from the cache beside the performance
 *      program's trusted objects (refs-KEY.txt); on a miss they are
 *      measured by the command below in a run of their own, with a
 *      program built from the stub (else the solution), and cached.
 *      Then the measurements the tests name ("measure") run in one
 *      process, in the sandbox, under
 *        valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes
 *                 --I1=.. --D1=.. --LL=.. --separate-threads=yes
 *                 --callgrind-out-file=perf/run.cg perf/perf --measure NAME...
 *      with performance.limits (--cache-sim=no when no test counts
 *      misses); then `perf --time` of the threads tests' samples,
 *      outside valgrind, for the reports' wall-clock line.
 *   4. Each test is scored from the parsed counts.
 *
 * The performance program's contract (harness/kernels/perf/ implements it):
 *
 *   perf --list             prints "NAME<TAB>description" per measurement
 *   perf --measure NAME...  for each: builds its inputs, runs the measured
 *                           call between CALLGRIND_START_INSTRUMENTATION and
 *                           _STOP_ (so only that call is counted, in every
 *                           thread), checks the result and dumps the counters
 *                           ("perf measure NAME ok|wrong"); exit 0 all correct,
 *                           1 one wrong (a line "perf: ..." on stderr says
 *                           why), 2 unknown NAME, 3 the harness failed
 *   perf --time NAME...     runs each natively; prints "NAME<TAB>nanoseconds"
 *
 *   and, linked with -Wl,--wrap=pthread_create, it ends every thread the
 *   student's code starts with CALLGRIND_DUMP_STATS_AT(PERF_WORKER_DUMP):
 *   valgrind reuses the ids of finished threads, so that dump (one output
 *   file, whose counters it then resets) is what tells workers apart.
 *
 * Metrics (callgrind's events, summed over every output file of a run):
 *   instructions  Ir
 *   d1_misses     D1mr + D1mw   (L1 data cache, reads and writes)
 *   ll_misses     DLmr + DLmw   (last-level cache, data)
 *   threads       structural, not a ratio: the measured call must finish
 *                 exactly `threads` worker threads (worker dumps), the
 *                 least busy doing at least `balance` of the busiest's
 *                 instructions, and the workers together must execute
 *                 PERF_WORK_MIN..PERF_WORK_MAX times the work that left
 *                 the calling thread (the reference run's, a one-thread
 *                 run of the same kernel: its main thread's and worker's
 *                 instructions, minus the measured run's main thread's):
 *                 not done on the caller, not done twice.  Threads that
 *                 never finish (a detached spinner) count nowhere, except
 *                 in what they slow down.  All or nothing.  Its wall-clock
 *                 speedup over the
 *                 reference (perf --time, outside valgrind) is reported as
 *                 information only.
 *
 * Determinism: single-threaded counts are exact from run to run (the
 * performance program pins its stack's cache alignment, see perf_main.c).
 * Thread scheduling makes a multi-threaded run's totals vary by a few
 * hundred events (and its threads share one simulated cache): the threads
 * metric only uses per-worker counts, which do not vary, and the calling
 * thread's, in ratios rounded to two decimals; a ratio metric of a kernel
 * that starts threads inherits the variation.
 */
#ifndef PERF_H
#define PERF_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "compile/build.h"
#include "compile/policy.h"
#include "config/cfg.h"
#include "score/result.h"

/** The triggers of the dumps (the contract above): "perf measure NAME ok|wrong"
 *  ends a measured call, "perf worker NAME" a thread it started. */
#define PERF_MEASURE_DUMP "perf measure"
#define PERF_WORKER_DUMP "perf worker"

/** The threads metric: at most this many times the reference's instructions
 *  (defined with the result data, which the reports read). */
#define PERF_WORK_MAX RES_PERF_WORK_MAX

/** The events callgrind counts with --cache-sim=yes. */
struct perf_counts {
    uint64_t ir;                /* instructions executed */
    uint64_t own_ir;            /* those outside shared libraries (the C library):
                                   summed from the cost lines, not an event */
    uint64_t dr, dw;            /* data reads and writes */
    uint64_t i1mr, d1mr, d1mw;  /* L1 misses: instruction reads, data reads, data writes */
    uint64_t ilmr, dlmr, dlmw;  /* last-level misses, the same */
};

/** What ended a dump. */
enum perf_dump_kind {
    PERF_DUMP_OTHER,            /* anything else (program termination): ignored */
    PERF_DUMP_MEASURE,          /* PERF_MEASURE_DUMP: the calling thread of a measurement */
    PERF_DUMP_WORKER,           /* PERF_WORKER_DUMP: a thread the measured call started */
};

/** One callgrind output file: one dump of one thread's counters. */
struct perf_dump {
    unsigned thread;            /* valgrind's thread id ("thread:"); 1 is the main thread */
    enum perf_dump_kind kind;
    char measure[64];           /* the measurement's NAME (kind MEASURE, WORKER) */
    bool wrong;                 /* kind MEASURE: the program found the result wrong */
    struct perf_counts counts;  /* its "totals:" (or "summary:") line, and own_ir */
};

/**
 * Parses the text of one callgrind output file (written with
 * --compress-strings=no): "events:", "thread:", "desc: Trigger: ...",
 * "totals:" (else "summary:"); a missing count is 0.  own_ir sums the Ir
 * column of the self-cost lines of every object but shared libraries
 * (a "calls=" line's next line is the call's inclusive cost: skipped).
 * Returns 0, or -1 with err[errlen] (no events line, no totals, a
 * malformed number).
 */
int perf_parse_callgrind(const char *text, struct perf_dump *out, char *err, size_t errlen);

/** Sums every dump's counts (own_ir included). */
void perf_sum(const struct perf_dump *dumps, size_t n, struct perf_counts *out);

/** The metric's count (not for CFG_METRIC_THREADS). */
uint64_t perf_metric_count(enum cfg_metric m, const struct perf_counts *c);

/**
 * The fraction of the points a ratio earns: with steps, the score of the
 * first step whose at_most >= ratio, else 0; otherwise 1 at or below
 * full_at, 0 at or above zero_at, linear between.  In 0..1; a NaN ratio
 * earns 0.
 */
double perf_fraction(const struct cfg_perf_test *pt, double ratio);

/** What the threads metric sees in a run (instructions: own_ir). */
struct perf_workers {
    unsigned workers;           /* threads the call started that finished (worker dumps) */
    uint64_t main_ir;           /* the calling thread's */
    uint64_t total_ir;          /* every thread's, the caller's included */
    uint64_t least_ir, most_ir; /* among the participants: the `threads` busiest of the
                                   calling thread and the workers */
    bool caller_shares;         /* the calling thread is a participant */
};

/** Fills *out from a run's dumps.  0, or -1 out of memory. */
int perf_workers_of(const struct perf_dump *dumps, size_t n, unsigned threads,
                    struct perf_workers *out);

/**
 * Scores a threads test: the measured run's dumps and the reference
 * run's (a naive one-thread kernel), into *out (metric, value = threads
 * started, reference = threads expected, ratio = all threads'
 * instructions over the reference's, balance, fraction 0 or 1) and
 * msg[n].  Full points when the call started `threads` threads, or
 * `threads` - 1 and the calling thread works as one of them; the least
 * busy of the `threads` busiest did at least `balance` of the busiest's
 * instructions; and all threads together executed at most PERF_WORK_MAX
 * times the reference's.  Instructions are own_ir (outside the C
 * library).  Returns 0, or -1 out of memory.
 */
int perf_score_threads(const struct cfg_perf_test *pt, const struct perf_dump *run, size_t nrun,
                       const struct perf_dump *ref, size_t nref, struct res_perf *out,
                       char *msg, size_t n);

/**
 * Scores a ratio test from the two runs' summed counts into *out and
 * msg[n] ("L1 data cache misses 36320 vs 7237460 (naive_matmul): ratio
 * 0.005: full points at or below 0.02, none at or above 0.1: 100%").
 * A reference count of 0 earns nothing.
 */
void perf_score_ratio(const struct cfg_perf_test *pt, const struct perf_counts *run,
                      const struct perf_counts *ref, struct res_perf *out, char *msg, size_t n);

/**
 * How many valgrind client requests (the amd64 preamble) the n bytes at
 * p hold.
 */
size_t perf_count_client_requests(const void *p, size_t n);

struct perf_prebuilt;

/** The performance stage of one submission. */
struct perf_job {
    const struct grader_cfg *cfg;
    const struct bld_trusted *trusted;
    const char *scratch;                /* holds BLD_PERF_DIR, writable by uid/gid */
    const char *const *sources;         /* the student's files, inside scratch */
    size_t nsources;
    int use_bwrap;                      /* an enum sbx_level (sbx.h) */
    uid_t uid;                          /* the sandbox user of every run of the stage */
    gid_t gid;
    const volatile sig_atomic_t *cancel; /* see sbx_opts.cancel; may be NULL */
    struct sbx_probe *probe;            /* see sbx_opts.probe; may be NULL */
    const struct perf_prebuilt *prebuilt; /* step 2 done beforehand (perf_prebuild()),
                                           or NULL: perf_grade() does it */
};

/** Step 2's outcome, as perf_grade() reads it. */
struct perf_prebuilt {
    int rc;                     /* 0 built and checked; 1 the student's code did not build
                                   (log says why); -1 the grader failed (err says why) */
    char *log;                  /* the compiler's and linker's output (malloc'd) or NULL */
    struct pol_report policy;   /* rc 0: the symbol policy's findings on the objects */
    long student_requests;      /* rc 0: client requests in the student's objects, */
    long trusted_requests;      /* in the trusted objects, */
    long linked_requests;       /* in the linked program */
    uint64_t build_ms;          /* the compile and link */
    uint64_t wait_ms;           /* how long perf_grade()'s caller waited for it (set by
                                   the caller; 0 when it was ready) */
    char err[512];
};

/**
 * Step 2 for job (job->prebuilt unused): builds job->scratch/perf/perf from
 * job->sources (inside job->scratch, whose BLD_PERF_DIR must exist and be
 * writable by job->uid), runs the symbol policy on its objects and counts
 * their client requests, into *out (released with perf_prebuilt_release()).
 * Prints nothing; safe to run in a thread beside other sandbox runs.
 * Returns out->rc.
 */
int perf_prebuild(const struct perf_job *job, struct perf_prebuilt *out);

void perf_prebuilt_release(struct perf_prebuilt *p);

/**
 * Grades every performance test of job->cfg into tests[i] (tests has one
 * entry per config test, check tests already run: "requires" reads their
 * status; check tests are left alone).  Sets status, message, perf;
 * scores are left to res_score().  Appends the performance build's and
 * the policy's diagnostics to *log (malloc'd or NULL; may be replaced).
 * A failing build or measurement is the student's result (RES_ERROR or
 * RES_FAILED with a message), not an error.  Returns 0, or -1 with
 * err[errlen] if the grader itself failed (including being cancelled).
 */
int perf_grade(const struct perf_job *job, struct res_test *tests, char **log,
               char *err, size_t errlen);

/**
 * For check-config: builds the performance program with the reference
 * solutions (each student file's `solution`, else `stub`) in `work_dir`,
 * lists its measurements, and checks that every performance test's
 * measure and reference is one.  Returns 0, or -1 with *err (at the
 * test) or, when the program does not build or run, with the reason in
 * *err and the compiler's output in *log (malloc'd, caller frees).
 */
int perf_check_measures(const struct grader_cfg *cfg, const struct bld_trusted *t,
                        const char *work_dir, struct cfg_error *err, char **log);

#endif /* PERF_H */
