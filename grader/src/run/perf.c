/*
 * perf.c -- the performance stage: build, measure under callgrind, score;
 * and check-config's check of the measurements.
 *
 * The parsing (perf_callgrind.c) and scoring (perf_score.c) functions are
 * pure (unit-tested on text and numbers); perf_grade() strings them
 * together with the sandbox.
 */
#include "run/perf.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "compile/policy.h"
#include "sandbox/sbx.h"
#include "util/strv.h"
#include "run/perf_priv.h"
#include "run/testrun.h"

#define PERF_DUMP_MAX (16u << 20)    /* a callgrind file of one call is a few KiB */
#define PERF_OBJ_MAX (256u << 20)    /* objects and the program, for the client-request scan */

/* ---- valgrind client requests ------------------------------------------------- */

/* What valgrind's amd64 decoder recognises as the start of a client
 * request: rol $3, $13, $61, $51 of %rdi (valgrind.h). */
static const unsigned char perf_preamble[16] = {
    0x48, 0xc1, 0xc7, 0x03, 0x48, 0xc1, 0xc7, 0x0d,
    0x48, 0xc1, 0xc7, 0x3d, 0x48, 0xc1, 0xc7, 0x33,
};

size_t perf_count_client_requests(const void *p, size_t n)
{
    const unsigned char *s = p, *end = s + n;
    size_t count = 0;
    while (s + sizeof perf_preamble <= end) {
        const unsigned char *hit = memmem(s, (size_t)(end - s), perf_preamble,
                                          sizeof perf_preamble);
        if (hit == NULL)
            break;
        count++;
        s = hit + 1;
    }
    return count;
}

/* The client requests in a file; -1 if it cannot be read. */
static long perf_file_requests(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, PERF_OBJ_MAX, &text, &len) < 0)
        return -1;
    long n = (long)perf_count_client_requests(text, len);
    free(text);
    return n;
}

/* ---- the stage ------------------------------------------------------------- */

/* One measurement of one submission. */
struct perf_sample {
    const char *name;               /* borrowed from the config */
    bool cache;                     /* simulate the caches (twice as slow): a test needs misses */
    bool measure;                   /* a test's "measure" (the student's code); else only a
                                       "reference": harness code, measured once and cached */
    bool cached;                    /* a reference read from (or just written to) the cache */
    bool ok;                        /* measured, and the result was correct */
    enum res_test_status status;    /* when not ok: RES_FAILED (wrong) or RES_ERROR */
    char message[320];              /* when not ok: why */
    struct perf_dump *dumps;
    size_t ndumps;
    uint64_t time_ns;               /* perf --time, 0 if not timed */
    bool measured;                  /* its calling thread's dump was read */
};

struct perf_stage {
    const struct perf_job *job;
    struct res_test *tests;
    bool *measured;                 /* per config test: to be scored from samples */
    struct perf_sample *samples;
    size_t nsamples;
    char *program;                  /* scratch/perf/perf */
    char **log;
    char *err;
    size_t errlen;
    uint64_t build_ms;              /* of perf_build(): the compile and link alone (or the
                                       wait for them, when prebuilt) */
    uint64_t prebuild_ms;           /* the compile and link done beforehand, or 0 */
    char run_message[256];          /* how the valgrind run ended, if not with 0 or 1 */
    enum res_test_status run_status;
};

static int perf_oom(struct perf_stage *st)
{
    perf_errf(st->err, st->errlen, "out of memory");
    return -1;
}

static bool perf_cancelled(const struct perf_job *job)
{
    return job->cancel && *job->cancel;
}

/* Sets a test's verdict; the message is copied. */
static int perf_set(struct res_test *t, enum res_test_status status, const char *msg)
{
    free(t->message);
    t->status = status;
    t->message = strdup(msg);
    return t->message ? 0 : -1;
}

static struct perf_sample *perf_find_sample(struct perf_stage *st, const char *name)
{
    for (size_t i = 0; i < st->nsamples; i++)
        if (strcmp(st->samples[i].name, name) == 0)
            return &st->samples[i];
    return NULL;
}

static int perf_add_sample(struct perf_stage *st, const char *name, bool cache, bool measure)
{
    struct perf_sample *s = perf_find_sample(st, name);
    if (s == NULL) {
        s = realloc(st->samples, (st->nsamples + 1) * sizeof *s);
        if (s == NULL)
            return -1;
        st->samples = s;
        s = &s[st->nsamples++];
        memset(s, 0, sizeof *s);
        s->name = name;
    }
    s->cache |= cache;
    s->measure |= measure;
    return 0;
}

/* The id of the first "requires" test that did not pass, or NULL. */
static const char *perf_unmet(const struct perf_stage *st, const struct cfg_test *ct)
{
    const struct grader_cfg *cfg = st->job->cfg;
    for (size_t i = 0; i < ct->perf.requires.n; i++)
        for (size_t j = 0; j < cfg->ntests; j++)
            if (strcmp(cfg->tests[j].id, ct->perf.requires.v[i]) == 0 &&
                st->tests[j].status != RES_PASSED)
                return cfg->tests[j].id;
    return NULL;
}

/* Which tests are measured, and the samples they need. */
static int perf_plan(struct perf_stage *st)
{
    const struct grader_cfg *cfg = st->job->cfg;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        if (ct->kind != CFG_KIND_PERFORMANCE)
            continue;
        const char *unmet = perf_unmet(st, ct);
        if (unmet != NULL) {
            char msg[256];
            snprintf(msg, sizeof msg, "not measured: %s did not pass (no performance points "
                     "for code that is not correct)", unmet);
            if (perf_set(&st->tests[i], RES_FAILED, msg) < 0)
                return -1;
            continue;
        }
        bool cache = ct->perf.metric == CFG_METRIC_D1_MISSES ||
                     ct->perf.metric == CFG_METRIC_LL_MISSES;
        st->measured[i] = true;
        if (perf_add_sample(st, ct->perf.measure, cache, true) < 0 ||
            perf_add_sample(st, ct->perf.reference, cache, false) < 0)
            return -1;
    }
    return 0;
}

/* Every measured test not yet decided gets this verdict. */
static int perf_fail_all(struct perf_stage *st, enum res_test_status status, const char *msg)
{
    for (size_t i = 0; i < st->job->cfg->ntests; i++) {
        if (st->measured[i] && perf_set(&st->tests[i], status, msg) < 0)
            return perf_oom(st);
        st->measured[i] = false;
    }
    return 0;
}

/* Appends "\n<title>:\n<text>" to *log. */
static void perf_log(struct perf_stage *st, const char *title, const char *text)
{
    char *l = NULL;
    if (text == NULL || text[0] == '\0')
        return;
    const char *old = *st->log ? *st->log : "";
    if (asprintf(&l, "%s%s%s:\n%s%s", old, old[0] ? "\n" : "", title, text,
                 text[strlen(text) - 1] == '\n' ? "" : "\n") < 0)
        return;
    free(*st->log);
    *st->log = l;
}

/* The policy's findings on the performance build: 0 clean, 1 refused, -1 OOM. */
static int perf_policy(struct perf_stage *st, const struct pol_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        perf_log(st, "policy (performance build)", rep->v[i].message);
    if (rep->n == 0)
        return 0;
    char msg[512];
    snprintf(msg, sizeof msg, "performance build refused: %s", rep->v[0].message);
    return perf_fail_all(st, RES_ERROR, msg) < 0 ? -1 : 1;
}

/* The client requests of the files, summed; -1 if one cannot be read. */
static long perf_files_requests(char *const paths[], size_t n)
{
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        long k = perf_file_requests(paths[i]);
        if (k < 0)
            return -1;
        total += k;
    }
    return total;
}

/* No client request in the student's objects, and none added by linking:
 * 0 clean, 1 refused, -1 OOM. */
static int perf_scan(struct perf_stage *st, const struct perf_prebuilt *pb)
{
    if (pb->student_requests == 0 && pb->linked_requests == pb->trusted_requests)
        return 0;
    return perf_fail_all(st, RES_ERROR, "the performance build contains a valgrind client "
                         "request the harness did not put there (it could change what is "
                         "measured): no performance points") < 0 ? -1 : 1;
}

/* The policy and the client-request counts of a built program's objects. */
static void perf_check_objs(const struct perf_job *job, char *const objs[], size_t nobjs,
                            struct perf_prebuilt *pb)
{
    char perr[400] = "";
    const struct bld_trusted *t = job->trusted;
    char *program = fs_join(job->scratch, BLD_PERF_DIR "/perf");
    if (pol_check(&job->cfg->symbols, (const char *const *)objs, nobjs, pol_run_direct, NULL,
                  &pb->policy, perr, sizeof perr) < 0) {
        perf_errf(pb->err, sizeof pb->err, "symbol check of the performance build failed: %s",
                  perr);
        pb->rc = -1;
    } else if ((pb->student_requests = perf_files_requests(objs, nobjs)) < 0 ||
               (pb->trusted_requests = perf_files_requests(t->perf_objs, t->nperf_objs)) < 0 ||
               !program || (pb->linked_requests = perf_files_requests(&program, 1)) < 0) {
        perf_errf(pb->err, sizeof pb->err, "cannot read the performance objects: %s",
                  strerror(errno));
        pb->rc = -1;
    }
    free(program);
}

int perf_prebuild(const struct perf_job *job, struct perf_prebuilt *pb)
{
    struct bld_sandbox sb = {job->use_bwrap, job->uid, job->gid, job->cancel, job->probe};
    char **objs = NULL, *program = fs_join(job->scratch, BLD_PERF_DIR "/perf");
    size_t nobjs = 0;
    memset(pb, 0, sizeof *pb);
    if (!program) {
        perf_errf(pb->err, sizeof pb->err, "out of memory");
        return pb->rc = -1;
    }
    uint64_t t0 = fs_now_ms();
    pb->rc = bld_perf_student(job->cfg, job->trusted, &sb, job->scratch, job->sources,
                              job->nsources, program, &objs, &pb->log);
    pb->build_ms = fs_now_ms() - t0;
    while (objs && objs[nobjs])
        nobjs++;
    if (pb->rc < 0)
        perf_errf(pb->err, sizeof pb->err, "performance build failed: %s",
                  pb->log ? pb->log : "unknown reason");
    else if (pb->rc == 0)
        perf_check_objs(job, objs, nobjs, pb);
    for (size_t i = 0; i < nobjs; i++)
        free(objs[i]);
    free(objs);
    free(program);
    return pb->rc;
}

void perf_prebuilt_release(struct perf_prebuilt *p)
{
    free(p->log);
    p->log = NULL;
    pol_report_release(&p->policy);
}

/* Build, policy, scan (done now, or beforehand: job->prebuilt):
 * 0 ready, 1 the student's code was refused, -1 failure. */
static int perf_build(struct perf_stage *st)
{
    struct perf_prebuilt own;
    const struct perf_prebuilt *pb = st->job->prebuilt;
    if (pb == NULL) {
        perf_prebuild(st->job, &own);
        pb = &own;
    }
    st->build_ms = st->job->prebuilt ? pb->wait_ms : pb->build_ms;
    st->prebuild_ms = st->job->prebuilt ? pb->build_ms : 0;
    perf_log(st, "performance build", pb->log);
    int rc = pb->rc;
    if (rc < 0)
        perf_errf(st->err, st->errlen, "%s", pb->err);
    else if (rc == 1)
        rc = perf_fail_all(st, RES_ERROR, "the performance build failed: see the build log") < 0
                 ? -1 : 1;
    if (rc == 0)
        rc = perf_policy(st, &pb->policy);
    if (rc == 0)
        rc = perf_scan(st, pb);
    if (pb == &own)
        perf_prebuilt_release(&own);
    return rc;
}

static void perf_limits(const struct cfg_limits *l, struct sbx_limits *out)
{
    *out = (struct sbx_limits){l->cpu_ms, l->wall_ms, l->memory_bytes, l->processes,
                               l->output_bytes, l->file_size_bytes};
}

/* "perf/run.cg": relative to the scratch folder, so no path of the
 * host (whose length varies) reaches the measured process. */
#define PERF_OUT_BASE BLD_PERF_DIR "/run.cg"

/* Whether any sample needs the cache simulation. */
static bool perf_any_cache(const struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++)
        if (st->samples[i].cache)
            return true;
    return false;
}

/*
 * valgrind ... perf/perf --measure NAME...: every sample in one run (refs:
 * the references only, else every sample not read from the cache).
 * --compress-strings=no: with several dumps, callgrind names an object
 * in full only in the first file that mentions it.  --fair-sched=yes:
 * threads take turns in a fixed order.
 */
static int perf_valgrind_argv(const struct perf_stage *st, bool refs, struct strv *a)
{
    const struct cfg_performance *p = &st->job->cfg->performance;
    const struct cfg_cache *k[3] = {&p->i1, &p->d1, &p->ll};
    static const char *const opt[3] = {"--I1", "--D1", "--LL"};
    bool cache = perf_any_cache(st);
    strv_push(a, p->valgrind);
    strv_push(a, "--tool=callgrind");
    strv_push(a, "--instr-atstart=no");
    strv_push(a, cache ? "--cache-sim=yes" : "--cache-sim=no");
    for (size_t i = 0; cache && i < 3; i++)
        strv_pushf(a, "%s=%llu,%llu,%llu", opt[i], (unsigned long long)k[i]->size,
                   (unsigned long long)k[i]->ways, (unsigned long long)k[i]->line);
    strv_push(a, "--separate-threads=yes");
    strv_push(a, "--compress-strings=no");
    strv_push(a, "--fair-sched=yes");
    strv_push(a, "--vgdb=no");
    strv_push(a, "-q");
    strv_push(a, "--callgrind-out-file=" PERF_OUT_BASE);
    strv_push(a, BLD_PERF_DIR "/perf");
    strv_push(a, "--measure");
    for (size_t i = 0; i < st->nsamples; i++)
        if (refs ? !st->samples[i].measure : !st->samples[i].cached)
            strv_push(a, st->samples[i].name);
    return a->oom ? -1 : 0;
}

/* Adds one parsed dump to its sample's dumps (grown).  -1: out of memory. */
static int perf_add_dump(struct perf_stage *st, const struct perf_dump *d)
{
    struct perf_sample *s = d->kind == PERF_DUMP_OTHER ? NULL : perf_find_sample(st, d->measure);
    if (s == NULL)
        return 0;
    struct perf_dump *v = realloc(s->dumps, (s->ndumps + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    s->dumps = v;
    s->dumps[s->ndumps++] = *d;
    if (d->kind == PERF_DUMP_MEASURE) {
        s->ok = !d->wrong;
        s->measured = true;
    }
    return 0;
}

/* Parses one output file into its sample.  -1: out of memory. */
static int perf_read_dump(struct perf_stage *st, const char *path)
{
    char *text = NULL, why[128];
    size_t len = 0;
    struct perf_dump d;
    int rc = 0;
    if (fs_read_file(path, PERF_DUMP_MAX, &text, &len) < 0)
        return 0;
    if (len > 0 && perf_parse_callgrind(text, &d, why, sizeof why) == 0)
        rc = perf_add_dump(st, &d);
    free(text);
    return rc;
}

/* Reads every output file of a run: ROOT/perf/run.cg*.  -1: out of memory. */
static int perf_read_dumps(struct perf_stage *st, const char *root)
{
    char *dir = fs_join(root, BLD_PERF_DIR);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    int rc = dir ? 0 : -1;
    while (rc == 0 && d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "run.cg", 6) != 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        rc = path ? perf_read_dump(st, path) : -1;
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

/* Removes ROOT/perf/run.cg*: only this run's dumps may be read.  0, or -1. */
static int perf_clear_dumps(const char *root)
{
    char *dir = fs_join(root, BLD_PERF_DIR);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    int rc = d ? 0 : -1;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "run.cg", 6) != 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        rc = path && (unlink(path) == 0 || errno == ENOENT) ? 0 : -1;
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

/* The last line of `text` that starts with `prefix`, into buf (clipped). */
static bool perf_last_line(const char *text, const char *prefix, char *buf, size_t n)
{
    const char *found = NULL;
    size_t plen = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, plen) == 0)
            found = l;
    if (found == NULL)
        return false;
    snprintf(buf, n, "%.*s", (int)strcspn(found, "\n"), found);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
    return true;
}

/* How the run ended, when not with status 0 or 1 (1: a wrong result, which
 * its dump says): the message for every sample it did not measure. */
static void perf_run_failed(struct perf_stage *st, const struct sbx_result *r)
{
    char line[256];
    const char *err = r->err ? r->err : "";
    st->run_status = RES_ERROR;
    if (r->status != SBX_EXIT_NONZERO) {
        snprintf(st->run_message, sizeof st->run_message, "%s", r->message);
    } else if (r->exit_code == 2) {
        snprintf(st->run_message, sizeof st->run_message, "the performance program does "
                 "not know a measurement (grader check-config finds this)");
    } else if (perf_last_line(err, "valgrind: ", line, sizeof line) ||
               perf_last_line(err, "perf: ", line, sizeof line)) {
        snprintf(st->run_message, sizeof st->run_message, "exited with status %d: %.200s",
                 r->exit_code, line);
    } else {
        snprintf(st->run_message, sizeof st->run_message, "%s", r->message);
    }
}

/* Each sample's verdict from the dumps, stderr and how the run ended. */
static void perf_sample_verdicts(struct perf_stage *st, const struct sbx_result *r)
{
    for (size_t i = 0; i < st->nsamples; i++) {
        struct perf_sample *s = &st->samples[i];
        char prefix[96], line[256];
        if (s->ok)
            continue;
        if (s->measured) {         /* measured, wrong: the program said why */
            snprintf(prefix, sizeof prefix, "perf: %s: ", s->name);
            s->status = RES_FAILED;
            if (perf_last_line(r->err ? r->err : "", prefix, line, sizeof line))
                snprintf(s->message, sizeof s->message, "%s", line + strlen(prefix));
            else
                snprintf(s->message, sizeof s->message, "wrong result");
        } else {
            s->status = st->run_status;
            snprintf(s->message, sizeof s->message, "not measured: the run %.200s",
                     st->run_message[0] ? st->run_message : "wrote no measurement");
        }
    }
}

/*
 * /usr/lib/debug shown empty: valgrind then reads the C library's symbol
 * table, not its debug info (libc6-dbg, which Debian's valgrind depends
 * on), and starts in 0.1 s instead of 0.2.  The counts are the same: the
 * C library is told apart by its object's name, not its functions'.
 */
static void perf_runner_opts(const struct perf_job *job, struct sbx_opts *o)
{
    static const char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C", NULL};
    static const char *const empty[] = {"/usr/lib/debug", NULL};
    sbx_opts_init(o);
    o->workdir = job->scratch;
    o->env = env;
    o->empty_dirs = empty;
    o->uid = job->uid;
    o->gid = job->gid;
    o->umask = 002;
    o->use_bwrap = job->use_bwrap;
    o->cancel = job->cancel;
    o->probe = job->probe;
}

/* The one valgrind run of every sample.  -1: the sandbox failed or Ctrl-C. */
static int perf_run_samples(struct perf_stage *st)
{
    struct strv argv = {0};
    struct sbx_limits lim;
    struct sbx_opts o;
    struct sbx_result r = {0};
    perf_limits(&st->job->cfg->performance.limits, &lim);
    perf_runner_opts(st->job, &o);
    if (perf_clear_dumps(st->job->scratch) < 0) {
        perf_errf(st->err, st->errlen, "cannot empty %s/" BLD_PERF_DIR ": %s", st->job->scratch,
                  strerror(errno));
        return -1;
    }
    if (perf_valgrind_argv(st, false, &argv) < 0) {
        strv_clear(&argv);
        return perf_oom(st);
    }
    int rc = sbx_run(&lim, &o, argv.v, &r);
    strv_clear(&argv);
    if (rc < 0 || r.status == SBX_CANCELLED) {
        perf_errf(st->err, st->errlen, "%s", rc < 0 ? r.message : "interrupted");
        sbx_result_release(&r);
        return -1;
    }
    if (!(r.status == SBX_OK || (r.status == SBX_EXIT_NONZERO && r.exit_code == 1)))
        perf_run_failed(st, &r);
    rc = perf_read_dumps(st, st->job->scratch);
    if (rc == 0)
        perf_sample_verdicts(st, &r);
    sbx_result_release(&r);
    return rc < 0 ? perf_oom(st) : 0;
}

/* ---- the references' cache ------------------------------------------------------ */

/*
 * A test's reference ("naive_matmul") is harness code: its counts do not
 * depend on the submission, and they were most of the instructions the
 * run counted.  So the references are measured once, by the same valgrind
 * command in a run of their own (a program built from the stub, else the
 * reference solution: no student code runs in it, so none can sway it),
 * and their dumps are kept beside the performance program's trusted
 * objects, in refs-KEY.txt.  KEY covers what the counts depend on: the
 * trusted objects' folder (its own key: compiler, flags, sources,
 * headers), the link flags, the stubs' (or solutions') bytes, the valgrind
 * command (the caches, the names) and the valgrind tool's and the C
 * library's size and time.  Anything missing or unreadable: the
 * references are measured in the submission's run, as before.
 */
#define PERF_REFS_MAGIC "perf-refs 1\n"
#define PERF_REFS_MAX (1u << 20)

static uint64_t perf_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t perf_fnv_str(uint64_t h, const char *s)
{
    return perf_fnv(h, s, strlen(s) + 1);
}

/* The file the references' program is built with: config file i's stub
 * (else its reference solution), or NULL.  The stub first: the students'
 * release and Gradescope's package hold it, never the solution, so every
 * machine builds the same program and counts the same references. */
static const char *perf_ref_source(const struct grader_cfg *cfg, size_t i)
{
    return cfg->files[i].stub ? cfg->files[i].stub : cfg->files[i].solution;
}

/* The cache file's path for argv (the references' valgrind command), or NULL. */
static char *perf_refs_path(const struct perf_stage *st, const struct strv *argv)
{
    static const char *const stamped[] = {
        "/usr/libexec/valgrind/callgrind-amd64-linux", "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/libexec/valgrind/callgrind-arm64-linux", "/usr/lib/aarch64-linux-gnu/libc.so.6",
    };
    const struct grader_cfg *cfg = st->job->cfg;
    const char *dir = st->job->trusted->perf_dir;
    uint64_t h = 0xcbf29ce484222325ull;
    char name[64];
    if (dir == NULL || argv->oom)
        return NULL;
    h = perf_fnv_str(h, dir);
    for (size_t i = 0; i < cfg->performance.ldflags.n; i++)
        h = perf_fnv_str(h, cfg->performance.ldflags.v[i]);
    for (size_t i = 0; i < cfg->nfiles; i++) {
        char *text = NULL;
        size_t len = 0;
        const char *src = perf_ref_source(cfg, i);
        if (src == NULL || fs_read_file(src, PERF_OBJ_MAX, &text, &len) < 0)
            return NULL;
        h = perf_fnv(perf_fnv_str(h, src), text, len);
        free(text);
    }
    for (size_t i = 0; i < argv->n; i++)
        h = perf_fnv_str(h, argv->v[i]);
    for (size_t i = 0; i < sizeof stamped / sizeof stamped[0]; i++) {
        struct stat sb;
        if (stat(stamped[i], &sb) == 0) {
            int64_t v[3] = {(int64_t)sb.st_size, (int64_t)sb.st_mtim.tv_sec,
                            (int64_t)sb.st_mtim.tv_nsec};
            h = perf_fnv(perf_fnv_str(h, stamped[i]), v, sizeof v);
        }
    }
    snprintf(name, sizeof name, "refs-%016" PRIx64 ".txt", h);
    return fs_join(dir, name);
}

/* Forgets what the references got (to measure them in the main run). */
static void perf_refs_forget(struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++) {
        struct perf_sample *s = &st->samples[i];
        if (s->measure)
            continue;
        free(s->dumps);
        s->dumps = NULL;
        s->ndumps = 0;
        s->ok = s->measured = s->cached = false;
    }
}

/* Whether every reference was measured, correct. */
static bool perf_refs_complete(const struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++)
        if (!st->samples[i].measure && !(st->samples[i].measured && st->samples[i].ok))
            return false;
    return true;
}

/* The references' dumps as the cache file's text (malloc'd), or NULL. */
static char *perf_refs_format(const struct perf_stage *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputs(PERF_REFS_MAGIC, f);
    for (size_t i = 0; i < st->nsamples; i++) {
        const struct perf_sample *s = &st->samples[i];
        for (size_t j = 0; !s->measure && j < s->ndumps; j++) {
            const struct perf_dump *d = &s->dumps[j];
            const struct perf_counts *c = &d->counts;
            fprintf(f, "%s %d %u %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                    " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                    d->measure, (int)d->kind, d->thread, (int)d->wrong, c->ir, c->own_ir,
                    c->dr, c->dw, c->i1mr, c->d1mr, c->d1mw, c->ilmr, c->dlmr, c->dlmw);
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Reads the cache file's text into the references: 0 every reference
 * complete, 1 not (malformed, or a reference missing: forgotten), -1 OOM. */
static int perf_refs_parse(struct perf_stage *st, const char *text)
{
    size_t mlen = strlen(PERF_REFS_MAGIC);
    if (strncmp(text, PERF_REFS_MAGIC, mlen) != 0)
        return 1;
    for (const char *l = text + mlen; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
        struct perf_dump d;
        struct perf_counts *c = &d.counts;
        int kind, wrong, used = 0;
        memset(&d, 0, sizeof d);
        if (sscanf(l, "%63s %d %u %d %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 "%n",
                   d.measure, &kind, &d.thread, &wrong, &c->ir, &c->own_ir, &c->dr, &c->dw,
                   &c->i1mr, &c->d1mr, &c->d1mw, &c->ilmr, &c->dlmr, &c->dlmw, &used) != 14 ||
            (l[used] != '\n' && l[used] != '\0') ||
            (kind != PERF_DUMP_MEASURE && kind != PERF_DUMP_WORKER)) {
            perf_refs_forget(st);
            return 1;
        }
        d.kind = (enum perf_dump_kind)kind;
        d.wrong = wrong != 0;
        struct perf_sample *s = perf_find_sample(st, d.measure);
        if (s != NULL && !s->measure && perf_add_dump(st, &d) < 0)
            return -1;
    }
    if (!perf_refs_complete(st)) {
        perf_refs_forget(st);
        return 1;
    }
    return 0;
}

/* Builds the references' program in root/perf/perf (trusted: the stubs,
 * else the reference solutions).  0, or -1. */
static int perf_refs_build(struct perf_stage *st, const char *root)
{
    const struct grader_cfg *cfg = st->job->cfg;
    struct strv objs = {0};
    char *log = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        strv_pushf(&objs, "%s/" BLD_PERF_DIR "/ref-%zu.o", root, i);
        rc = objs.oom ? -1 : bld_perf_compile_trusted(cfg, perf_ref_source(cfg, i),
                                                      objs.v[i], &log);
    }
    strv_pushf(&objs, "%s/" BLD_PERF_DIR "/perf", root);
    if (rc == 0 && !objs.oom)
        rc = bld_perf_link_trusted(cfg, st->job->trusted, (const char *const *)objs.v,
                                   objs.n - 1, objs.v[objs.n - 1], &log) == 0 ? 0 : -1;
    if (rc < 0)
        perf_log(st, "performance references (not cached: measured with the submission)", log);
    free(log);
    rc = objs.oom ? -1 : rc;
    strv_clear(&objs);
    return rc;
}

/* The references' own run (trusted code: no sandbox user, so that it
 * can write in the cache folder); their dumps into the samples.  Then
 * the cache file.  0 or -1 (OOM); the references may stay incomplete. */
static int perf_refs_measure(struct perf_stage *st, const struct strv *argv, const char *path)
{
    static const char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C", NULL};
    char *root = NULL, *sub = NULL;
    struct sbx_limits lim;
    struct sbx_opts o;
    struct sbx_result r = {0};
    int rc = 0;
    bool made = false;
    if (asprintf(&root, "%s/refs-run-XXXXXX", st->job->trusted->perf_dir) < 0)
        return -1;
    if (!(made = mkdtemp(root) != NULL) || (sub = fs_join(root, BLD_PERF_DIR)) == NULL ||
        fs_mkdir_p(sub, 0755) < 0 || perf_refs_build(st, root) < 0)
        goto done;
    perf_limits(&st->job->cfg->performance.limits, &lim);
    sbx_opts_init(&o);
    o.workdir = root;
    o.env = env;
    o.uid = geteuid();
    o.gid = getegid();
    o.use_bwrap = SBX_LEVEL_NONE;
    o.cancel = st->job->cancel;
    if (sbx_run(&lim, &o, argv->v, &r) == 0 && r.status == SBX_OK) {
        rc = perf_read_dumps(st, root);
        char *text = rc == 0 && perf_refs_complete(st) ? perf_refs_format(st) : NULL;
        if (text != NULL)
            fs_write_atomic(path, text, strlen(text));    /* best effort */
        free(text);
    }
    sbx_result_release(&r);
done:
    if (made)
        fs_remove_tree(root);
    free(sub);
    free(root);
    return rc;
}

/* The references from the cache, or measured and cached; when neither
 * works, they are left to the submission's run.  0, or -1 (OOM). */
static int perf_refs(struct perf_stage *st)
{
    struct strv argv = {0};
    char *path = NULL, *text = NULL;
    size_t len = 0;
    int rc = 0;
    bool any = false;
    for (size_t i = 0; i < st->nsamples; i++)
        any |= !st->samples[i].measure;
    if (!any || st->job->trusted->perf_dir == NULL)
        return 0;
    if (perf_valgrind_argv(st, true, &argv) < 0 || (path = perf_refs_path(st, &argv)) == NULL)
        goto done;
    if (fs_read_file(path, PERF_REFS_MAX, &text, &len) == 0)
        rc = perf_refs_parse(st, text);
    else
        rc = 1;
    if (rc == 1) {
        rc = perf_refs_measure(st, &argv, path);
        if (rc == 0 && !perf_refs_complete(st))
            perf_refs_forget(st);
    }
done:
    for (size_t i = 0; rc == 0 && i < st->nsamples; i++)
        if (!st->samples[i].measure)
            st->samples[i].cached = st->samples[i].measured;
    free(text);
    free(path);
    strv_clear(&argv);
    return rc < 0 ? perf_oom(st) : 0;
}

/* "NAME<TAB>ns" lines of perf --time into the samples' time_ns. */
static void perf_parse_times(struct perf_stage *st, const char *out)
{
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t name = strcspn(l, "\t\n");
        if (l[name] != '\t')
            continue;
        for (size_t i = 0; i < st->nsamples; i++)
            if (strlen(st->samples[i].name) == name &&
                strncmp(st->samples[i].name, l, name) == 0)
                st->samples[i].time_ns = strtoull(l + name + 1, NULL, 10);
    }
}

/* Whether a measured test of the metric names the sample. */
static bool perf_sample_timed(const struct perf_stage *st, const char *name)
{
    const struct grader_cfg *cfg = st->job->cfg;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_perf_test *pt = &cfg->tests[i].perf;
        if (st->measured[i] && pt->metric == CFG_METRIC_THREADS &&
            (strcmp(pt->measure, name) == 0 || strcmp(pt->reference, name) == 0))
            return true;
    }
    return false;
}

/*
 * Wall-clock information for the threads tests: their correct samples
 * timed outside valgrind, all in one run of `perf --time` (each run costs
 * a sandbox start).  Never graded; a failure just leaves it out.
 */
static void perf_time_all(struct perf_stage *st)
{
    struct strv argv = {0};
    struct sbx_limits lim;
    struct sbx_opts o;
    struct sbx_result r = {0};
    strv_push(&argv, BLD_PERF_DIR "/perf");
    strv_push(&argv, "--time");
    for (size_t i = 0; i < st->nsamples; i++)
        if (st->samples[i].ok && perf_sample_timed(st, st->samples[i].name))
            strv_push(&argv, st->samples[i].name);
    perf_limits(&st->job->cfg->performance.limits, &lim);
    perf_runner_opts(st->job, &o);
    if (!argv.oom && argv.n > 2 && sbx_run(&lim, &o, argv.v, &r) == 0 && r.status == SBX_OK &&
        r.out)
        perf_parse_times(st, r.out);
    sbx_result_release(&r);
    strv_clear(&argv);
}

/* A threads test's wall-clock line, from perf_time_all()'s figures. */
static void perf_timing(const struct perf_sample *run, const struct perf_sample *ref,
                        struct res_perf *p)
{
    if (run->time_ns > 0 && ref->time_ns > 0)
        snprintf(p->timing, sizeof p->timing, "wall clock, not graded: %s %.3f ms, %s %.3f ms: "
                 "speedup %.2fx", ref->name, (double)ref->time_ns / 1e6, run->name,
                 (double)run->time_ns / 1e6, (double)ref->time_ns / (double)run->time_ns);
}

/* One measured test from its samples. */
static int perf_score_test(struct perf_stage *st, const struct cfg_test *ct, struct res_test *t)
{
    const struct cfg_perf_test *pt = &ct->perf;
    const struct perf_sample *run = perf_find_sample(st, pt->measure);
    const struct perf_sample *ref = perf_find_sample(st, pt->reference);
    char msg[640];
    if (!run->ok) {
        snprintf(msg, sizeof msg, "%s: %s", run->name, run->message);
        return perf_set(t, run->status, msg);
    }
    if (!ref->ok) {
        snprintf(msg, sizeof msg, "the reference measurement %s failed: %s", ref->name,
                 ref->message);
        return perf_set(t, RES_ERROR, msg);
    }
    if (pt->metric == CFG_METRIC_THREADS) {
        if (perf_score_threads(pt, run->dumps, run->ndumps, ref->dumps, ref->ndumps,
                               &t->perf, msg, sizeof msg) < 0)
            return -1;
        perf_timing(run, ref, &t->perf);
    } else {
        struct perf_counts a, b;
        perf_sum(run->dumps, run->ndumps, &a);
        perf_sum(ref->dumps, ref->ndumps, &b);
        perf_score_ratio(pt, &a, &b, &t->perf, msg, sizeof msg);
    }
    return perf_set(t, t->perf.fraction >= 1.0 ? RES_PASSED : RES_FAILED, msg);
}

/*
 * Where the stage's time went, for `make bench` (tests/bench/grader_bench.sh
 * reads it with --keep-scratch): scratch/perf/phases, one line
 * "build B compile C refs R measure M time T prebuild P" in milliseconds
 * (build: compile, link, policy and scan, or the wait for them when
 * prebuilt; compile: the sandboxed compile and link alone, or the wait;
 * refs: the references from the cache, or measured; measure: the valgrind
 * run; time: the perf --time run; prebuild: the compile and link done
 * beside the units, 0 if none).  Best effort.
 */
static void perf_write_phases(const struct perf_stage *st, const uint64_t ms[5])
{
    char line[200], *path = fs_join(st->job->scratch, BLD_PERF_DIR "/phases");
    int n = snprintf(line, sizeof line, "build %" PRIu64 " compile %" PRIu64 " refs %" PRIu64
                     " measure %" PRIu64 " time %" PRIu64 " prebuild %" PRIu64 "\n", ms[0],
                     ms[4], ms[1], ms[2], ms[3], st->prebuild_ms);
    if (path)
        fs_write_replace(path, line, (size_t)n);
    free(path);
}

static void perf_stage_release(struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++)
        free(st->samples[i].dumps);
    free(st->samples);
    free(st->measured);
    free(st->program);
}

int perf_grade(const struct perf_job *job, struct res_test *tests, char **log,
               char *err, size_t errlen)
{
    const struct grader_cfg *cfg = job->cfg;
    struct perf_stage st = {.job = job, .tests = tests, .log = log, .err = err,
                            .errlen = errlen};
    st.measured = calloc(cfg->ntests ? cfg->ntests : 1, sizeof *st.measured);
    st.program = fs_join(job->scratch, BLD_PERF_DIR "/perf");
    int rc = st.measured && st.program && perf_plan(&st) == 0 ? 0 : perf_oom(&st);
    if (rc == 0 && st.nsamples > 0) {
        uint64_t ms[5], t = fs_now_ms();
        rc = perf_build(&st);
        ms[0] = fs_now_ms() - t, t += ms[0];
        if (rc == 0)
            rc = perf_refs(&st);
        ms[1] = fs_now_ms() - t, t += ms[1];
        if (rc == 0)
            rc = perf_run_samples(&st);
        ms[2] = fs_now_ms() - t, t += ms[2];
        if (rc == 0 && !perf_cancelled(job))
            perf_time_all(&st);
        ms[3] = fs_now_ms() - t;
        ms[4] = st.build_ms;
        perf_write_phases(&st, ms);
        for (size_t i = 0; rc == 0 && i < cfg->ntests; i++)
            if (st.measured[i] && perf_score_test(&st, &cfg->tests[i], &tests[i]) < 0)
                rc = perf_oom(&st);
        if (rc == 0 && perf_cancelled(job)) {
            perf_errf(err, errlen, "interrupted");
            rc = -1;
        }
    }
    perf_stage_release(&st);
    return rc < 0 ? -1 : 0;
}

/* ---- check-config ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int perf_cfg_fail(struct cfg_error *err, const struct cfg_mark *at, const char *fmt, ...)
{
    va_list ap;
    err->line = at ? at->line : 0;
    err->column = at ? at->column : 0;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* Builds work_dir/perf from the reference solutions. */
static int perf_build_reference(const struct grader_cfg *cfg, const struct bld_trusted *t,
                                const char *work_dir, struct cfg_error *err, char **log)
{
    struct strv objs = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        const char *src = cfg->files[i].solution ? cfg->files[i].solution : cfg->files[i].stub;
        if (src == NULL)
            return perf_cfg_fail(err, &cfg->files[i].mark, "%s has neither 'solution' nor "
                                 "'stub': cannot build the performance program",
                                 cfg->files[i].path);
        strv_pushf(&objs, "%s/perf-ref-%zu.o", work_dir, i);
        rc = objs.oom ? -1 : bld_perf_compile_trusted(cfg, src, objs.v[i], log);
    }
    strv_pushf(&objs, "%s/perf", work_dir);
    if (rc == 0 && !objs.oom)
        rc = bld_perf_link_trusted(cfg, t, (const char *const *)objs.v, objs.n - 1,
                                   objs.v[objs.n - 1], log) == 0 ? 0 : -1;
    if (rc < 0 || objs.oom)
        rc = perf_cfg_fail(err, NULL, "the performance program does not build with the "
                           "reference solution");
    strv_clear(&objs);
    return rc;
}

/* `perf --list` (trusted, outside the sandbox) into *names: the runner's protocol. */
static int perf_list(const char *program, struct strv *names, struct cfg_error *err)
{
    char msg[512];
    if (trun_list(program, names, msg, sizeof msg) < 0)
        return perf_cfg_fail(err, NULL, "%s", msg);
    return 0;
}

static bool perf_listed(const struct strv *names, const char *name)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->v[i], name) == 0)
            return true;
    return false;
}

int perf_check_measures(const struct grader_cfg *cfg, const struct bld_trusted *t,
                        const char *work_dir, struct cfg_error *err, char **log)
{
    struct strv names = {0};
    char *program = fs_join(work_dir, "perf");
    snprintf(err->file, sizeof err->file, "%s", cfg->path ? cfg->path : "");
    int rc = program ? perf_build_reference(cfg, t, work_dir, err, log)
                     : perf_cfg_fail(err, NULL, "out of memory");
    if (rc == 0)
        rc = perf_list(program, &names, err);
    for (size_t i = 0; rc == 0 && i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        if (ct->kind != CFG_KIND_PERFORMANCE)
            continue;
        const char *missing = !perf_listed(&names, ct->perf.measure) ? ct->perf.measure
                            : !perf_listed(&names, ct->perf.reference) ? ct->perf.reference
                            : NULL;
        if (missing != NULL)
            rc = perf_cfg_fail(err, &ct->mark, "test '%s': the performance program has no "
                               "measurement '%s' (see perf --list)", ct->id, missing);
    }
    strv_clear(&names);
    free(program);
    return rc;
}
