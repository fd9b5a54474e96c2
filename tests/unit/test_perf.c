/*
 * test_perf.c -- unit tests of grader/src/run/perf.c: reading callgrind's
 * output files, the metrics, the mapping of a ratio to points (linear
 * and stepped), the structural threads check, and the scan for valgrind
 * client requests.  The stage itself (build, valgrind in the sandbox) is
 * tested end to end by tests/scripts/perf_e2e.sh.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/perf.h"
#include "suites.h"

/* ---- callgrind output ---------------------------------------------------- */

/* What callgrind 3.19 writes for the main thread at exit (shortened). */
static const char main_dump[] =
    "# callgrind format\n"
    "version: 1\n"
    "creator: callgrind-3.19.0\n"
    "pid: 10622\n"
    "cmd:  perf/perf --measure blocked_matmul\n"
    "part: 5\n"
    "thread: 1\n"
    "\n"
    "desc: I1 cache: 32768 B, 64 B, 8-way associative\n"
    "desc: D1 cache: 32768 B, 64 B, 8-way associative\n"
    "desc: LL cache: 1048576 B, 64 B, 16-way associative\n"
    "\n"
    "desc: Timerange: Basic block 0 - 4327718\n"
    "desc: Trigger: Client Request: perf measure blocked_matmul ok\n"
    "\n"
    "positions: line\n"
    "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
    "summary: 4204931 2722 4196151 277 332 65717 277 332 65717\n"
    "\n"
    "ob=/usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "fl=???\n"
    "fn=memset\n"
    "0 4194460 10 4194352 4 5 65551 4 5 65551\n"
    "\n"
    "ob=/tmp/scratch/perf/perf\n"
    "fl=kernels.c\n"
    "fn=cache_friendly_matmul\n"
    "12 10000 1000 1000\n"
    "+2 471 12\n"
    "cob=/usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "cfn=memset\n"
    "calls=1 0\n"
    "14 4194460 10 4194352 4 5 65551 4 5 65551\n"
    "-1 0\n"
    "\n"
    "totals: 4204931 2722 4196151 277 332 65717 277 332 65717\n";

/* A worker's dump: its summary is skewed, its totals are its own. */
static const char worker_dump[] =
    "# callgrind format\n"
    "version: 1\n"
    "part: 2\n"
    "thread: 3\n"
    "desc: Trigger: Client Request: " PERF_WORKER_DUMP " parallel_relu_4\n"
    "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
    "summary: 18446744073708855660 1 2 3 4 5 6 7 8\n"
    "ob=perf/perf\n"
    "fn=relu_worker\n"
    "0 57429\n"
    "totals: 57429 8192 8192 0 4096 4096 0 4096 4096\n";

START_TEST(test_parse_main_dump)
{
    struct perf_dump d;
    char err[128] = "";
    ck_assert_int_eq(perf_parse_callgrind(main_dump, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.thread, 1);
    ck_assert_int_eq(d.kind, PERF_DUMP_MEASURE);
    ck_assert_str_eq(d.measure, "blocked_matmul");
    ck_assert(!d.wrong);
    ck_assert_uint_eq(d.counts.ir, 4204931);
    /* own: the program's self costs; not libc's memset, not the call's inclusive line */
    ck_assert_uint_eq(d.counts.own_ir, 10000 + 471 + 0);
    ck_assert_uint_eq(d.counts.dr, 2722);
    ck_assert_uint_eq(d.counts.dw, 4196151);
    ck_assert_uint_eq(d.counts.i1mr, 277);
    ck_assert_uint_eq(d.counts.d1mr, 332);
    ck_assert_uint_eq(d.counts.d1mw, 65717);
    ck_assert_uint_eq(d.counts.ilmr, 277);
    ck_assert_uint_eq(d.counts.dlmr, 332);
    ck_assert_uint_eq(d.counts.dlmw, 65717);
}
END_TEST

START_TEST(test_parse_worker_dump)
{
    struct perf_dump d;
    char err[128] = "";
    ck_assert_int_eq(perf_parse_callgrind(worker_dump, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.thread, 3);
    ck_assert_int_eq(d.kind, PERF_DUMP_WORKER);
    ck_assert_str_eq(d.measure, "parallel_relu_4");
    ck_assert_uint_eq(d.counts.own_ir, 57429);
    ck_assert_uint_eq(d.counts.ir, 57429);     /* totals, not the summary */
    ck_assert_uint_eq(d.counts.dlmw, 4096);
}
END_TEST

/* Event order comes from the events line; unknown events are skipped;
 * missing trailing counts are 0; without totals the summary counts. */
START_TEST(test_parse_event_order)
{
    static const char text[] =
        "events: D1mr Ir Bc Dw\n"
        "thread: 2\n"
        "desc: Trigger: Client Request: somebody else\n"
        "summary: 7 1000 55\n";
    struct perf_dump d;
    char err[128] = "";
    ck_assert_int_eq(perf_parse_callgrind(text, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.counts.d1mr, 7);
    ck_assert_uint_eq(d.counts.ir, 1000);
    ck_assert_uint_eq(d.counts.dw, 0);
    ck_assert_uint_eq(d.thread, 2);
    ck_assert_int_eq(d.kind, PERF_DUMP_OTHER);   /* another trigger is ignored */
}
END_TEST

/* The verdict rides on the trigger; malformed triggers are no measurement. */
START_TEST(test_parse_triggers)
{
    static const struct {
        const char *trigger;
        enum perf_dump_kind kind;
        const char *measure;
        bool wrong;
    } cases[] = {
        {"perf measure naive_relu ok", PERF_DUMP_MEASURE, "naive_relu", false},
        {"perf measure quantized_relu wrong", PERF_DUMP_MEASURE, "quantized_relu", true},
        {"perf measure quantized_relu maybe", PERF_DUMP_OTHER, "", false},
        {"perf measure quantized_relu", PERF_DUMP_OTHER, "", false},
        {"perf worker parallel_batch_4", PERF_DUMP_WORKER, "parallel_batch_4", false},
        {"perf worker a b", PERF_DUMP_OTHER, "", false},
        {"perf worker ", PERF_DUMP_OTHER, "", false},
        {"perf worker thread", PERF_DUMP_WORKER, "thread", false},
        {"Program termination", PERF_DUMP_OTHER, "", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256], err[128];
        struct perf_dump d;
        snprintf(text, sizeof text, "events: Ir\ndesc: Trigger: Client Request: %s\n"
                 "totals: 5\n", cases[i].trigger);
        ck_assert_int_eq(perf_parse_callgrind(text, &d, err, sizeof err), 0);
        ck_assert_msg(d.kind == cases[i].kind, "%s", cases[i].trigger);
        ck_assert_str_eq(d.measure, cases[i].measure);
        ck_assert(d.wrong == cases[i].wrong);
    }
}
END_TEST

struct bad_dump {
    const char *text;
    const char *error;
};

static const struct bad_dump bad_dumps[] = {
    {"", "no events line"},
    {"totals: 1 2 3\n", "no events line"},
    {"events: Ir\n", "no totals line"},
    {"events: Ir\ntotals: 12x\n", "malformed totals line"},
    {"events: Ir\ntotals: -1\n", "malformed totals line"},
    {"events: Ir\ntotals: 1 2\n", "malformed totals line"},       /* more counts than events */
    {"events: Ir\ntotals: \n", "malformed totals line"},
    {"events: Ir\ntotals: 99999999999999999999999\n", "malformed totals line"},
    {"events: Ir\nsummary: x\n", "malformed summary line"},
    {"events:\ntotals: 1\n", "malformed events line"},
};

START_TEST(test_parse_bad)
{
    const struct bad_dump *b = &bad_dumps[_i];
    struct perf_dump d;
    char err[128] = "";
    ck_assert_int_eq(perf_parse_callgrind(b->text, &d, err, sizeof err), -1);
    ck_assert_msg(strstr(err, b->error) != NULL, "'%s': got '%s'", b->text, err);
}
END_TEST

START_TEST(test_sum_and_metrics)
{
    struct perf_dump d[2];
    struct perf_counts c;
    char err[128];
    ck_assert_int_eq(perf_parse_callgrind(main_dump, &d[0], err, sizeof err), 0);
    ck_assert_int_eq(perf_parse_callgrind(worker_dump, &d[1], err, sizeof err), 0);
    perf_sum(d, 2, &c);
    ck_assert_uint_eq(c.ir, 4204931 + 57429);
    ck_assert_uint_eq(c.own_ir, 10471 + 57429);
    /* instructions: outside the C library */
    ck_assert_uint_eq(perf_metric_count(CFG_METRIC_INSTRUCTIONS, &c), 10471 + 57429);
    ck_assert_uint_eq(perf_metric_count(CFG_METRIC_D1_MISSES, &c), 332 + 65717 + 4096 + 4096);
    ck_assert_uint_eq(perf_metric_count(CFG_METRIC_LL_MISSES, &c), 332 + 65717 + 4096 + 4096);
    ck_assert_uint_eq(perf_metric_count(CFG_METRIC_THREADS, &c), 0);
    perf_sum(d, 0, &c);
    ck_assert_uint_eq(c.ir, 0);
}
END_TEST

/* ---- scoring ------------------------------------------------------------- */

static struct cfg_perf_test linear(double full_at, double zero_at)
{
    return (struct cfg_perf_test){.measure = "m", .reference = "r",
                                  .metric = CFG_METRIC_D1_MISSES, .full_at = full_at,
                                  .zero_at = zero_at};
}

START_TEST(test_fraction_linear)
{
    struct cfg_perf_test pt = linear(0.02, 0.1);
    ck_assert_double_eq(perf_fraction(&pt, 0.0), 1.0);
    ck_assert_double_eq(perf_fraction(&pt, 0.02), 1.0);
    ck_assert_double_eq_tol(perf_fraction(&pt, 0.06), 0.5, 1e-12);
    ck_assert_double_eq_tol(perf_fraction(&pt, 0.08), 0.25, 1e-12);
    ck_assert_double_eq(perf_fraction(&pt, 0.1), 0.0);
    ck_assert_double_eq(perf_fraction(&pt, 7.0), 0.0);
    ck_assert_double_eq(perf_fraction(&pt, INFINITY), 0.0);
    ck_assert_double_eq(perf_fraction(&pt, NAN), 0.0);
}
END_TEST

START_TEST(test_fraction_steps)
{
    struct cfg_step steps[] = {{0.1, 1.0}, {0.3, 0.5}, {0.5, 0.25}};
    struct cfg_perf_test pt = {.metric = CFG_METRIC_INSTRUCTIONS, .steps = steps, .nsteps = 3};
    ck_assert_double_eq(perf_fraction(&pt, 0.05), 1.0);
    ck_assert_double_eq(perf_fraction(&pt, 0.1), 1.0);
    ck_assert_double_eq(perf_fraction(&pt, 0.2), 0.5);
    ck_assert_double_eq(perf_fraction(&pt, 0.5), 0.25);
    ck_assert_double_eq(perf_fraction(&pt, 0.51), 0.0);
    ck_assert_double_eq(perf_fraction(&pt, NAN), 0.0);
}
END_TEST

START_TEST(test_score_ratio)
{
    struct cfg_perf_test pt = linear(0.02, 0.1);
    struct perf_counts run = {.d1mr = 30000, .d1mw = 6320, .ir = 1, .own_ir = 1};
    struct perf_counts ref = {.d1mr = 7000000, .d1mw = 237460};
    struct res_perf p;
    char msg[512];
    perf_score_ratio(&pt, &run, &ref, &p, msg, sizeof msg);
    ck_assert(p.present);
    ck_assert_int_eq(p.metric, CFG_METRIC_D1_MISSES);
    ck_assert_double_eq(p.value, 36320);
    ck_assert_double_eq(p.reference, 7237460);
    ck_assert_double_eq(p.ratio, 0.005018);          /* rounded as shown */
    ck_assert_double_eq(p.fraction, 1.0);
    ck_assert_str_eq(msg, "L1 data cache misses (C library included): 36320, reference (r) "
                          "7237460, ratio 0.005018 "
                          "(full points at or below 0.02, none at or above 0.1): 100% of the "
                          "points");
    ck_assert_str_eq(p.timing, "");

    run.d1mr = 449712, run.d1mw = 0;
    perf_score_ratio(&pt, &run, &ref, &p, msg, sizeof msg);
    ck_assert_double_eq(p.ratio, 0.06214);
    ck_assert_double_eq_tol(p.fraction, (0.1 - 0.06214) / 0.08, 1e-12);
    ck_assert_ptr_nonnull(strstr(msg, "ratio 0.06214"));
    ck_assert_ptr_nonnull(strstr(msg, ": 47.3% of the points"));
}
END_TEST

START_TEST(test_score_ratio_steps_and_zero_reference)
{
    struct cfg_step steps[] = {{0.1, 1.0}, {0.3, 0.5}};
    struct cfg_perf_test pt = {.reference = "naive", .metric = CFG_METRIC_INSTRUCTIONS,
                               .steps = steps, .nsteps = 2};
    struct perf_counts run = {.ir = 9999, .own_ir = 20}, ref = {.ir = 9999, .own_ir = 100};
    struct res_perf p;
    char msg[512];
    perf_score_ratio(&pt, &run, &ref, &p, msg, sizeof msg);
    ck_assert_double_eq(p.fraction, 0.5);
    ck_assert_str_eq(msg, "instructions (outside the C library): 20, reference (naive) 100, "
                          "ratio 0.2 (thresholds at "
                          "most 0.1: 100%, at most 0.3: 50%): 50% of the points");
    ref.own_ir = 0;
    perf_score_ratio(&pt, &run, &ref, &p, msg, sizeof msg);
    ck_assert(p.present);
    ck_assert_double_eq(p.fraction, 0.0);
    ck_assert_ptr_nonnull(strstr(msg, "counted none: no points"));
}
END_TEST

/* ---- threads --------------------------------------------------------------- */

static struct perf_dump dump(unsigned thread, bool worker, uint64_t own)
{
    return (struct perf_dump){.thread = thread,
                              .kind = worker ? PERF_DUMP_WORKER : PERF_DUMP_MEASURE,
                              .counts = {.ir = 10 * own, .own_ir = own}};
}

static struct cfg_perf_test threads4(void)
{
    return (struct cfg_perf_test){.measure = "relu_4", .reference = "naive",
                                  .metric = CFG_METRIC_THREADS, .threads = 4, .balance = 0.5};
}

/* The reference run: the naive kernel, 600,000 instructions on one thread. */
static const struct perf_dump serial[] = {{.thread = 1, .kind = PERF_DUMP_MEASURE,
                                           .counts = {.own_ir = 600000}}};

START_TEST(test_threads_pass)
{
    /* four workers; a program-termination dump (thread 2's exit path) does not count */
    const struct perf_dump run[] = {
        dump(1, false, 450), {.thread = 2, .counts = {.own_ir = 883}},
        dump(2, true, 14412), dump(3, true, 14396), dump(2, true, 14396),
        dump(3, true, 14396),
    };
    struct cfg_perf_test pt = threads4();
    struct perf_workers w;
    struct res_perf p;
    char msg[640];
    ck_assert_int_eq(perf_workers_of(run, 6, 4, &w), 0);
    ck_assert_uint_eq(w.workers, 4);
    ck_assert_uint_eq(w.total_ir, 450 + 14412 + 3 * 14396);
    ck_assert_uint_eq(w.least_ir, 14396);
    ck_assert_uint_eq(w.most_ir, 14412);
    ck_assert_uint_eq(w.main_ir, 450);
    ck_assert(!w.caller_shares);
    ck_assert_int_eq(perf_score_threads(&pt, run, 6, serial, 1, &p, msg, sizeof msg), 0);
    ck_assert(p.present);
    ck_assert_int_eq(p.metric, CFG_METRIC_THREADS);
    ck_assert_double_eq(p.value, 4);
    ck_assert_double_eq(p.reference, 4);
    ck_assert_double_eq(p.balance, 1.0);
    ck_assert_double_eq(p.ratio, 0.1);               /* 58050 / 600000 */
    ck_assert_double_eq(p.fraction, 1.0);
    ck_assert_str_eq(msg, "4 threads started (full points: 4, or 3 helpers and the calling "
                          "thread); the 4 busiest threads: least 14396, most 14412 "
                          "instructions, balance 1.00 (at least 0.5); all threads 58050 "
                          "instructions, 0.10x naive's 600000 (at most 1.5); instructions "
                          "counted outside the C library: full points");
}
END_TEST

/* OpenMP's pattern: the caller computes one chunk and starts W - 1 helpers. */
START_TEST(test_threads_caller_and_helpers)
{
    const struct perf_dump run[] = {
        dump(1, false, 14900), dump(2, true, 14396), dump(3, true, 14396),
        dump(4, true, 14396),
    };
    struct cfg_perf_test pt = threads4();
    struct res_perf p;
    char msg[640];
    ck_assert_int_eq(perf_score_threads(&pt, run, 4, serial, 1, &p, msg, sizeof msg), 0);
    ck_assert_double_eq(p.value, 3);
    ck_assert_double_eq(p.balance, 0.97);
    ck_assert_double_eq(p.fraction, 1.0);
    ck_assert_ptr_nonnull(strstr(msg, "the 4 busiest threads (the calling thread among them)"));
}
END_TEST

struct threads_case {
    const char *what;
    struct perf_dump run[6];
    size_t n;
    const char *reason;
};

#define MEASURE PERF_DUMP_MEASURE
#define WORKER PERF_DUMP_WORKER

static const struct threads_case threads_cases[] = {
    {"no thread at all", {{1, MEASURE, "", false, {.own_ir = 60000}}}, 1,
     "0 threads started (full points: 4, or 3 helpers and the calling thread); the 4 busiest "
     "threads (the calling thread among them): least 60000, most 60000 instructions, balance "
     "1.00 (at least 0.5); all threads 60000 instructions, 0.10x naive's 600000 (at most "
     "1.5); instructions counted outside the C library: no points: not the expected number "
     "of threads"},
    {"two workers", {{1, MEASURE, "", false, {.own_ir = 500}},
                     {2, WORKER, "", false, {.own_ir = 30000}},
                     {3, WORKER, "", false, {.own_ir = 30000}}}, 3,
     "no points: not the expected number of threads"},
    {"one worker does most", {{1, MEASURE, "", false, {.own_ir = 500}},
                              {2, WORKER, "", false, {.own_ir = 40000}},
                              {3, WORKER, "", false, {.own_ir = 10000}},
                              {2, WORKER, "", false, {.own_ir = 10000}},
                              {3, WORKER, "", false, {.own_ir = 10000}}}, 5,
     "balance 0.25 (at least 0.5); all threads 70500 instructions, 0.12x naive's 600000 (at "
     "most 1.5); instructions counted outside the C library: no points: the work is not "
     "split evenly"},
    {"every worker does everything", {{1, MEASURE, "", false, {.own_ir = 500}},
                                      {2, WORKER, "", false, {.own_ir = 600000}},
                                      {3, WORKER, "", false, {.own_ir = 600000}},
                                      {2, WORKER, "", false, {.own_ir = 600000}},
                                      {3, WORKER, "", false, {.own_ir = 600000}}}, 5,
     "4.00x naive's 600000 (at most 1.5); instructions counted outside the C library: no "
     "points: more instructions than the rule allows"},
    {"the caller does the work, idle workers", {{1, MEASURE, "", false, {.own_ir = 60000}},
                                                {2, WORKER, "", false, {.own_ir = 100}},
                                                {3, WORKER, "", false, {.own_ir = 100}},
                                                {2, WORKER, "", false, {.own_ir = 100}},
                                                {3, WORKER, "", false, {.own_ir = 100}}}, 5,
     "the 4 busiest threads (the calling thread among them): least 100, most 60000 "
     "instructions, balance 0.00 (at least 0.5)"},
    {"three helpers, an idle caller", {{1, MEASURE, "", false, {.own_ir = 500}},
                                       {2, WORKER, "", false, {.own_ir = 20000}},
                                       {3, WORKER, "", false, {.own_ir = 20000}},
                                       {4, WORKER, "", false, {.own_ir = 20000}}}, 4,
     "3 threads started (full points: 4, or 3 helpers and the calling thread); the 4 busiest "
     "threads (the calling thread among them): least 500, most 20000 instructions, balance "
     "0.03 (at least 0.5)"},
};

/* balance 0: the split is neither graded nor shown (it varies with scheduling). */
START_TEST(test_threads_balance_not_graded)
{
    const struct perf_dump run[] = {
        dump(1, false, 500), dump(2, true, 300000), dump(3, true, 100),
        dump(4, true, 100), dump(5, true, 299000),
    };
    struct cfg_perf_test pt = threads4();
    struct res_perf p;
    char msg[640];
    pt.balance = 0;
    ck_assert_int_eq(perf_score_threads(&pt, run, 5, serial, 1, &p, msg, sizeof msg), 0);
    ck_assert_double_eq(p.fraction, 1.0);
    ck_assert_double_eq(p.balance, 0);
    ck_assert_str_eq(msg, "4 threads started (full points: 4, or 3 helpers and the calling "
                          "thread); how they share the work is not graded; all threads 599700 "
                          "instructions, 1.00x naive's 600000 (at most 1.5); instructions "
                          "counted outside the C library: full points");
}
END_TEST

/* A detached spinner (a final dump that is neither measure nor worker)
 * counts nowhere. */
START_TEST(test_threads_ignore_unfinished)
{
    const struct perf_dump run[] = {
        dump(1, false, 450), dump(2, true, 14412), dump(3, true, 14396),
        dump(2, true, 14396), dump(4, true, 14396), {.thread = 3, .counts = {.own_ir = 80000000}},
    };
    struct cfg_perf_test pt = threads4();
    struct res_perf p;
    char msg[640];
    ck_assert_int_eq(perf_score_threads(&pt, run, 6, serial, 1, &p, msg, sizeof msg), 0);
    ck_assert_double_eq(p.ratio, 0.1);
    ck_assert_double_eq(p.fraction, 1.0);
}
END_TEST

START_TEST(test_threads_fail)
{
    const struct threads_case *c = &threads_cases[_i];
    struct cfg_perf_test pt = threads4();
    struct res_perf p;
    char msg[640];
    ck_assert_int_eq(perf_score_threads(&pt, c->run, c->n, serial, 1, &p, msg, sizeof msg), 0);
    ck_assert(p.present);
    ck_assert_double_eq(p.fraction, 0.0);
    ck_assert_msg(strstr(msg, c->reason) != NULL, "%s: got '%s'", c->what, msg);
}
END_TEST

/* ---- client requests ---------------------------------------------------------- */

static const unsigned char preamble[16] = {
    0x48, 0xc1, 0xc7, 0x03, 0x48, 0xc1, 0xc7, 0x0d,
    0x48, 0xc1, 0xc7, 0x3d, 0x48, 0xc1, 0xc7, 0x33,
};

START_TEST(test_client_requests)
{
    unsigned char buf[128];
    memset(buf, 0x90, sizeof buf);
    ck_assert_uint_eq(perf_count_client_requests(buf, sizeof buf), 0);
    ck_assert_uint_eq(perf_count_client_requests(buf, 0), 0);
    memcpy(buf + 3, preamble, 16);
    ck_assert_uint_eq(perf_count_client_requests(buf, sizeof buf), 1);
    memcpy(buf + 112, preamble, 16);             /* ends exactly at the end */
    ck_assert_uint_eq(perf_count_client_requests(buf, sizeof buf), 2);
    ck_assert_uint_eq(perf_count_client_requests(buf, sizeof buf - 1), 1);  /* cut short */
    buf[3 + 15] = 0x34;                          /* rol $52: not the preamble */
    ck_assert_uint_eq(perf_count_client_requests(buf, sizeof buf), 1);
}
END_TEST

Suite *perf_suite(void)
{
    Suite *s = suite_create("perf");
    TCase *tc = tcase_create("callgrind");
    tcase_add_test(tc, test_parse_main_dump);
    tcase_add_test(tc, test_parse_worker_dump);
    tcase_add_test(tc, test_parse_event_order);
    tcase_add_test(tc, test_parse_triggers);
    tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad_dumps / sizeof bad_dumps[0]));
    tcase_add_test(tc, test_sum_and_metrics);
    suite_add_tcase(s, tc);

    tc = tcase_create("scoring");
    tcase_add_test(tc, test_fraction_linear);
    tcase_add_test(tc, test_fraction_steps);
    tcase_add_test(tc, test_score_ratio);
    tcase_add_test(tc, test_score_ratio_steps_and_zero_reference);
    tcase_add_test(tc, test_threads_pass);
    tcase_add_test(tc, test_threads_caller_and_helpers);
    tcase_add_test(tc, test_threads_balance_not_graded);
    tcase_add_test(tc, test_threads_ignore_unfinished);
    tcase_add_loop_test(tc, test_threads_fail, 0,
                        (int)(sizeof threads_cases / sizeof threads_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_add_test(tc, test_client_requests);
    suite_add_tcase(s, tc);
    return s;
}
