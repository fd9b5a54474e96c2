/*
 * mutants.c -- mutation analysis of the reference (see mutants.h).
 *
 * Scratch layout, one folder per run (owned by the first sandbox uid):
 *   ref/      the reference built as a submission (with coverage), run
 *             unit by unit to learn which lines each unit executes
 *   schema/   the mutant schema built once, without coverage
 *   w0, w1..  one working folder per worker (its own sandbox uid); the
 *             schema folder is bound read-only into each sandbox
 */
#include "grade/mutants.h"

#include <errno.h>
#include <inttypes.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "run/coverage.h"
#include "util/fsutil.h"
#include "util/proc.h"
#include "score/result.h"
#include "sandbox/sbx.h"
#include "util/strv.h"
#include "run/testrun.h"

/* What one file's analysis needs; shared read-only by the workers. */
struct mut_file {
    const struct cfg_student_file *file;
    char *ref_dir, *schema_dir;   /* scratch/ref, scratch/schema */
    unsigned char **lines;        /* per unit: lines[u][line] = executed on the reference */
    unsigned maxline;             /* the lines arrays have maxline + 1 entries */
    struct strv *fns;             /* per unit: the functions it entered on the reference */
    size_t first, count;          /* this file's mutants in r->mutants */
};

struct mut_ctx {
    const struct mut_options *o;
    struct mut_result *r;
    char *scratch;
    size_t *order;                /* unit indices, fastest on the reference first */
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int mut_errf(struct mut_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool mut_cancelled(const struct mut_ctx *c)
{
    return c->o->cancel && *c->o->cancel;
}

/* ---- scratch folders ------------------------------------------------------ */

/* A folder the sandbox user `uid` owns (when we are root), world-readable. */
static int mut_mkdir_for(const char *path, uid_t uid, gid_t gid)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -1;
    if (geteuid() == 0 && chown(path, uid, gid) < 0)
        return -1;
    return chmod(path, 0755);
}

/*
 * Copies every student file into `dir`: the reference of each, except
 * `which`, whose text comes from `which_src` (the schema) when not NULL.
 */
static int mut_stage_files(struct mut_ctx *c, const char *dir, const struct cfg_student_file *which,
                           const char *which_src, struct strv *sources)
{
    const struct grader_cfg *cfg = c->o->cfg;
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        const char *src = f == which && which_src ? which_src : f->solution;
        if (!src)
            return mut_errf(c, "%s has no solution in the config: nothing to build it from",
                            f->path);
        char *dst = fs_join(dir, f->path);
        char *slash = dst ? strrchr(dst, '/') : NULL;
        int rc = -1;
        if (slash) {
            *slash = '\0';
            rc = fs_mkdir_p(dst, 0755);
            *slash = '/';
        }
        if (rc == 0)
            rc = fs_copy_file(src, dst);
        if (rc == 0)
            strv_push(sources, dst);
        free(dst);
        if (rc < 0)
            return mut_errf(c, "cannot copy %s into %s: %s", src, dir, strerror(errno));
    }
    return sources->oom ? mut_errf(c, "out of memory") : 0;
}

/* ---- building ------------------------------------------------------------- */

/* The student flags without coverage: the schema's runs need no counters. */
static void mut_no_coverage(const struct cfg_strv *in, struct strv *out)
{
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->v[i], "--coverage") != 0 && strncmp(in->v[i], "-fprofile-", 10) != 0 &&
            strcmp(in->v[i], "-ftest-coverage") != 0 && strcmp(in->v[i], "-fprofile-arcs") != 0)
            strv_push(out, in->v[i]);
}

/*
 * Builds the student files staged in `dir` into dir/tests, in the
 * sandbox, as a submission would be (coverage or not).
 */
static int mut_build(struct mut_ctx *c, const char *dir, struct strv *sources, bool coverage,
                     const char *what)
{
    struct grader_cfg cfg = *c->o->cfg;      /* shallow: only student_cflags differs */
    struct strv flags = {0};
    if (!coverage) {
        mut_no_coverage(&c->o->cfg->build.student_cflags, &flags);
        cfg.build.student_cflags = (struct cfg_strv){flags.v, flags.n};
    }
    struct bld_sandbox sb = {c->o->use_bwrap, c->o->uid, c->o->gid, c->o->cancel,
                             c->o->probe};
    char *program = fs_join(dir, "tests"), *obj = fs_join(dir, "obj"), **objs = NULL, *log = NULL;
    int rc = -1;
    if (program && obj && mut_mkdir_for(obj, c->o->uid, c->o->gid) == 0 &&
        (geteuid() != 0 || fs_chown_tree(dir, c->o->uid, c->o->gid) == 0))
        rc = bld_student(&cfg, c->o->trusted, &sb, dir, (const char *const *)sources->v,
                         sources->n, program, &objs, &log);
    else
        mut_errf(c, "cannot prepare %s: %s", dir, strerror(errno));
    for (size_t i = 0; objs && objs[i]; i++)
        free(objs[i]);
    free(objs);
    if (rc != 0 && log)
        mut_errf(c, "%s does not build:\n%s", what, log);
    else if (rc != 0 && !c->err[0])
        mut_errf(c, "%s does not build", what);
    free(log);
    free(program);
    free(obj);
    strv_clear(&flags);
    return rc == 0 ? 0 : -1;
}

/* ---- the reference run: which unit executes which lines ------------------ */

static int mut_remove_gcda(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (flag == FTW_F && n > 5 && strcmp(path + n - 5, ".gcda") == 0)
        unlink(path);
    return 0;
}

/*
 * Marks in lines[] the lines of `source` that lcov.info says ran, and
 * adds to fns the functions that were entered.  Both, because optimised
 * code blurs lines (gcc merges a small if into its condition's line): a
 * unit reaches a mutant when it runs one of its lines or, failing that,
 * enters its function.
 */
static int mut_read_coverage(const char *tracefile, const char *source, unsigned char *lines,
                             unsigned maxline, struct strv *fns)
{
    char *text = NULL;
    size_t len;
    if (fs_read_file(tracefile, 64u << 20, &text, &len) < 0)
        return errno == ENOENT ? 0 : -1;
    bool ours = false;
    for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(p, "SF:", 3) == 0)
            ours = strcmp(p + 3, source) == 0;
        unsigned line;
        unsigned long count;
        int name = 0;
        if (ours && sscanf(p, "DA:%u,%lu", &line, &count) == 2 && count > 0 && line <= maxline)
            lines[line] = 1;
        if (ours && sscanf(p, "FNDA:%lu,%n", &count, &name) == 1 && name > 0 && count > 0)
            strv_push(fns, p + name);
    }
    free(text);
    return fns->oom ? -1 : 0;
}

/* The environment of a unit run: the grader's (grade.c), plus the mutant switch. */
static void mut_env(const struct grader_cfg *cfg, struct strv *env, unsigned mutant)
{
    strv_push(env, "PATH=/usr/bin:/bin");
    strv_push(env, "HOME=/tmp");
    strv_push(env, "LC_ALL=C");
    if (cfg->grading.seeded)
        strv_pushf(env, "TC_SEED=%" PRIu64, cfg->grading.seed);
    strv_pushf(env, "GRADER_MUTANT=%u", mutant);
}

static void mut_opts(const struct mut_ctx *c, struct sbx_opts *o, const char *workdir,
                     unsigned worker, const char *const *env)
{
    sbx_opts_init(o);
    o->workdir = workdir;
    o->env = env;
    o->uid = c->o->uid + worker;
    o->gid = c->o->gid;
    o->use_bwrap = c->o->use_bwrap;
    o->cancel = c->o->cancel;
    o->probe = c->o->probe;
}

/* Runs unit u on the reference, then reads which lines it executed. */
static int mut_baseline_unit(struct mut_ctx *c, struct mut_file *mf, size_t u,
                             const struct sbx_opts *so, const char *program, const char *source)
{
    struct mut_unit *unit = &c->r->units[u];
    struct res_test t;
    char terr[256] = "";
    if (trun_unit(unit->test, program, so, &t, terr, sizeof terr) < 0) {
        res_test_release(&t);
        return mut_errf(c, "%s", terr);
    }
    unit->ref_passed = t.status == RES_PASSED && t.leaks == 0;
    if (t.wall_ms > unit->ref_wall_ms)
        unit->ref_wall_ms = t.wall_ms;
    res_test_release(&t);
    char *cov = fs_join(mf->ref_dir, "cov"), *trace = cov ? fs_join(cov, "lcov.info") : NULL;
    struct cov_request req = {.build_dir = mf->ref_dir, .sources = &source, .nsources = 1,
                              .out_dir = cov};
    struct res_coverage totals;
    char cerr[512] = "";
    int rc = cov && trace ? 0 : mut_errf(c, "out of memory");
    if (rc == 0 && cov_collect(&req, &totals, cerr, sizeof cerr) < 0)
        rc = mut_errf(c, "coverage of %s on the reference: %s", unit->test->id, cerr);
    if (rc == 0 && unit->ref_passed &&
        mut_read_coverage(trace, source, mf->lines[u], mf->maxline, &mf->fns[u]) < 0)
        rc = mut_errf(c, "cannot read %s: %s", trace, strerror(errno));
    if (trace)
        unlink(trace);
    nftw(mf->ref_dir, mut_remove_gcda, 16, FTW_PHYS);
    free(trace);
    free(cov);
    return rc;
}

/* Counts the lines of a file, for the size of the line maps. */
static unsigned mut_count_lines(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    unsigned n = 1;
    if (fs_read_file(path, 64u << 20, &text, &len) < 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

/* Builds the reference and runs every unit once on it, with coverage. */
static int mut_baseline(struct mut_ctx *c, struct mut_file *mf)
{
    struct strv sources = {0}, env = {0};
    struct sbx_opts so;
    uint64_t t0 = fs_now_ms();
    int rc = mut_mkdir_for(mf->ref_dir, c->o->uid, c->o->gid) == 0 ? 0
             : mut_errf(c, "cannot create %s: %s", mf->ref_dir, strerror(errno));
    if (rc == 0)
        rc = mut_stage_files(c, mf->ref_dir, NULL, NULL, &sources);
    if (rc == 0)
        rc = mut_build(c, mf->ref_dir, &sources, true, "the reference solution");
    c->r->build_ms += fs_now_ms() - t0;
    t0 = fs_now_ms();
    char *program = fs_join(mf->ref_dir, "tests"), *source = fs_join(mf->ref_dir, mf->file->path);
    mf->maxline = source ? mut_count_lines(mf->file->solution) : 0;
    mf->lines = calloc(c->r->nunits, sizeof *mf->lines);
    mf->fns = calloc(c->r->nunits, sizeof *mf->fns);
    if (rc == 0 && (!program || !source || !mf->lines || !mf->fns))
        rc = mut_errf(c, "out of memory");
    mut_env(c->o->cfg, &env, 0);
    mut_opts(c, &so, mf->ref_dir, 0, (const char *const *)env.v);
    for (size_t u = 0; rc == 0 && u < c->r->nunits; u++) {
        if (!(mf->lines[u] = calloc(mf->maxline + 1, 1)))
            rc = mut_errf(c, "out of memory");
        else if (mut_cancelled(c))
            rc = mut_errf(c, "interrupted");
        else
            rc = mut_baseline_unit(c, mf, u, &so, program, source);
    }
    c->r->baseline_ms += fs_now_ms() - t0;
    free(program);
    free(source);
    strv_clear(&sources);
    strv_clear(&env);
    return rc;
}

/* ---- mutagen -------------------------------------------------------------- */

/* The flags that decide how the file parses: -I, -D, -U, -std, -include. */
static void mut_parse_flags(const struct grader_cfg *cfg, struct strv *argv)
{
    const struct cfg_strv *lists[] = {&cfg->build.cflags, &cfg->build.student_cflags};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *f = lists[l]->v[i];
            if (!strncmp(f, "-I", 2) || !strncmp(f, "-D", 2) || !strncmp(f, "-U", 2) ||
                !strncmp(f, "-std=", 5))
                strv_push(argv, f);
            else if (!strcmp(f, "-include") && i + 1 < lists[l]->n)
                strv_push_all(argv, (char *const[]){"-include", lists[l]->v[++i]}, 2);
        }
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        strv_pushf(argv, "-I%s", cfg->build.include_dirs.v[i]);
}

/* "a,b" from the command line, else the config's list joined; NULL = all. */
static char *mut_list(const char *override, const struct cfg_strv *cfg_list)
{
    if (override)
        return strdup(override);
    if (cfg_list->n == 0)
        return NULL;
    size_t len = 1;
    for (size_t i = 0; i < cfg_list->n; i++)
        len += strlen(cfg_list->v[i]) + 1;
    char *s = calloc(len, 1);
    for (size_t i = 0; s && i < cfg_list->n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, cfg_list->v[i]);
    }
    return s;
}

static char *mut_json_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return strdup(s ? s : "");
}

static unsigned mut_json_uint(const json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v > 0 && v < (json_int_t)UINT32_MAX ? (unsigned)v : 0;
}

static int mut_add_mutant(struct mut_ctx *c, const struct mut_file *mf, const json_t *j)
{
    struct mut_result *r = c->r;
    struct mut_mutant *m = realloc(r->mutants, (r->nmutants + 1) * sizeof *m);
    if (!m)
        return mut_errf(c, "out of memory");
    r->mutants = m;
    m = &m[r->nmutants++];
    memset(m, 0, sizeof *m);
    m->verdict = MUT_UNCOVERED;      /* until a unit runs it */
    const json_t *span = json_object_get(j, "span");
    m->index = mut_json_uint(j, "index");
    m->file = strdup(mf->file->path);
    m->id = mut_json_str(j, "id");
    m->op = mut_json_str(j, "op");
    m->function = mut_json_str(j, "function");
    m->description = mut_json_str(j, "description");
    m->diff = mut_json_str(j, "diff");
    m->line = mut_json_uint(span, "line");
    m->end_line = mut_json_uint(span, "end_line");
    if (m->end_line < m->line)
        m->end_line = m->line;
    if (!m->file || !m->id || !m->op || !m->function || !m->description || !m->diff)
        return mut_errf(c, "out of memory");
    if (m->index == 0 || m->line == 0)
        return mut_errf(c, "mutagen: mutant %zu has no index or line", r->nmutants);
    return 0;
}

/* Runs mutagen on the file's solution: the mutants' list and the schema. */
static int mut_generate(struct mut_ctx *c, struct mut_file *mf)
{
    const struct grader_cfg *cfg = c->o->cfg;
    struct strv argv = {0};
    char *ops = mut_list(c->o->operators, &cfg->mutants.operators);
    char *fns = mut_list(c->o->functions, &cfg->mutants.functions);
    char *schema = fs_join(c->scratch, "schema.c"), *out = NULL, perr[1024] = "";
    uint64_t t0 = fs_now_ms();
    strv_push(&argv, c->o->mutagen);
    if (ops)
        strv_push_all(&argv, (char *const[]){"--ops", ops}, 2);
    if (fns)
        strv_push_all(&argv, (char *const[]){"--functions", fns}, 2);
    strv_push_all(&argv, (char *const[]){"--schema", schema, mf->file->solution, "--"}, 4);
    mut_parse_flags(cfg, &argv);
    int rc = argv.oom || !schema ? mut_errf(c, "out of memory") : 0;
    if (rc == 0 && proc_capture(argv.v, &out, perr, sizeof perr) < 0)
        rc = mut_errf(c, "mutagen failed on %s: %s", mf->file->solution, perr);
    c->r->generate_ms += fs_now_ms() - t0;
    json_error_t jerr;
    json_t *doc = rc == 0 ? json_loads(out, 0, &jerr) : NULL;
    const json_t *list = json_object_get(doc, "mutants");
    if (rc == 0 && !json_is_array(list))
        rc = mut_errf(c, "mutagen printed no mutant list: %s", doc ? "" : jerr.text);
    mf->first = c->r->nmutants;
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++)
        if (c->o->limit == 0 || c->r->nmutants < c->o->limit)
            rc = mut_add_mutant(c, mf, json_array_get(list, i));
    mf->count = c->r->nmutants - mf->first;
    json_decref(doc);
    free(out);
    free(ops);
    free(fns);
    free(schema);
    strv_clear(&argv);
    return rc;
}

/* Builds the schema: every mutant in one program. */
static int mut_build_schema(struct mut_ctx *c, struct mut_file *mf)
{
    struct strv sources = {0};
    char *schema = fs_join(c->scratch, "schema.c");
    uint64_t t0 = fs_now_ms();
    int rc = !schema ? mut_errf(c, "out of memory")
             : mut_mkdir_for(mf->schema_dir, c->o->uid, c->o->gid) == 0 ? 0
             : mut_errf(c, "cannot create %s: %s", mf->schema_dir, strerror(errno));
    if (rc == 0)
        rc = mut_stage_files(c, mf->schema_dir, mf->file, schema, &sources);
    if (rc == 0)
        rc = mut_build(c, mf->schema_dir, &sources, false, "the mutant schema");
    c->r->build_ms += fs_now_ms() - t0;
    free(schema);
    strv_clear(&sources);
    return rc;
}

/* ---- running the mutants -------------------------------------------------- */

/* The equivalent mutants the config accepts are not run. */
static void mut_mark_equivalent(struct mut_ctx *c)
{
    const struct cfg_mutants *cm = &c->o->cfg->mutants;
    for (size_t e = 0; e < cm->nequivalent; e++) {
        bool found = false;
        for (size_t i = 0; i < c->r->nmutants; i++) {
            struct mut_mutant *m = &c->r->mutants[i];
            if (strcmp(m->id, cm->equivalent[e].id) != 0)
                continue;
            found = true;
            m->verdict = MUT_EQUIVALENT;
            m->detail = strdup(cm->equivalent[e].reason);
        }
        char **stale = found ? NULL : realloc(c->r->stale, (c->r->nstale + 1) * sizeof *stale);
        if (stale) {
            c->r->stale = stale;
            stale[c->r->nstale] = strdup(cm->equivalent[e].id);
            if (stale[c->r->nstale])
                c->r->nstale++;
        }
    }
}

/* How unit u meets mutant m on the reference: 2 runs its lines, 1 enters its function. */
static int mut_reach(const struct mut_file *mf, size_t u, const struct mut_mutant *m)
{
    for (unsigned l = m->line; l <= m->end_line && l <= mf->maxline; l++)
        if (mf->lines[u][l])
            return 2;
    for (size_t i = 0; i < mf->fns[u].n; i++)
        if (strcmp(mf->fns[u].v[i], m->function) == 0)
            return 1;
    return 0;
}

/* A mutant's limit for units that took ref_ms on the reference. */
static uint64_t mut_wall(const struct mut_ctx *c, uint64_t ref_ms)
{
    return (uint64_t)((double)ref_ms * c->o->cfg->mutants.timeout_factor) + 1000;
}

/* The limits of one run of units[]: their own, but at most a multiple of
 * their time on the reference, so an endless loop costs little. */
static struct cfg_limits mut_limits(const struct mut_ctx *c, struct mut_unit *const units[],
                                    size_t n)
{
    struct cfg_limits l = units[0]->test->limits;
    uint64_t ref = 0, wall = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cfg_limits *u = &units[i]->test->limits;
        ref += units[i]->ref_wall_ms;
        wall += u->wall_ms;
        l.memory_bytes = u->memory_bytes > l.memory_bytes ? u->memory_bytes : l.memory_bytes;
        l.processes = u->processes > l.processes ? u->processes : l.processes;
        l.output_bytes = u->output_bytes > l.output_bytes ? u->output_bytes : l.output_bytes;
        l.file_size_bytes = u->file_size_bytes > l.file_size_bytes ? u->file_size_bytes
                                                                   : l.file_size_bytes;
    }
    l.wall_ms = mut_wall(c, ref) < wall ? mut_wall(c, ref) : wall;
    l.cpu_ms = l.wall_ms;
    return l;
}

/* One line on how a unit failed: its first failing check, else its message. */
static char *mut_failure(const struct res_test *t)
{
    char *s = NULL;
    for (size_t i = 0; i < t->nchecks; i++)
        if (!t->checks[i].passed) {
            if (asprintf(&s, "%s: %s", t->checks[i].name, t->checks[i].message) < 0)
                s = NULL;
            return s;
        }
    return strdup(t->message ? t->message : "failed");
}

struct mut_worker {
    struct mut_ctx *c;
    struct mut_file *files;
    size_t nfiles;
    pthread_mutex_t *lock;
    size_t *next, *done;
    unsigned index;
    char *workdir;
    pthread_t thread;
    char err[256];
};

/* Records the first unit of ts[] (run order) that failed as m's killer. */
static void mut_judge(struct mut_worker *w, struct mut_unit *const units[], struct res_test ts[],
                      size_t n, struct mut_mutant *m)
{
    pthread_mutex_lock(w->lock);
    for (size_t i = 0; i < n; i++) {
        units[i]->reached++;
        /* a leak the grade charges for counts like a failed check */
        bool leaks = ts[i].leaks > 0 && units[i]->test->leak_deduct > 0;
        if ((ts[i].status == RES_PASSED && !leaks) || m->killer)
            continue;
        units[i]->first_kills++;
        m->verdict = res_test_timed_out(&ts[i]) ? MUT_TIMEOUT : MUT_KILLED;
        m->killer = strdup(units[i]->test->id);
        m->detail = ts[i].status == RES_PASSED ? strdup("leaks memory (the grade deducts for it)")
                                               : mut_failure(&ts[i]);
    }
    pthread_mutex_unlock(w->lock);
}

/*
 * A run whose units timed out while it hardly ran may have been stalled
 * by the machine, not held by the mutant: it runs once more, and the
 * timed-out checks take that run's verdicts (res_test_confirm()), so a
 * stall does not count a surviving mutant as detected.  -1 only when the
 * grader failed.
 */
static int mut_confirm_stalls(struct mut_worker *w, const struct cfg_test **cts, size_t n,
                              const struct cfg_limits *lim, const char *program,
                              const struct sbx_opts *so, struct res_test ts[])
{
    bool stalled = false;
    for (size_t i = 0; i < n; i++)
        stalled |= res_test_stalled(&ts[i]);
    if (!stalled)
        return 0;
    struct res_test *again = calloc(n, sizeof *again);
    int rc = again ? trun_units(cts, n, lim, program, so, again, w->err, sizeof w->err) : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (res_test_stalled(&ts[i]) && res_test_confirm(&ts[i], &again[i]) < 0)
            rc = -1;
    if (rc < 0 && !w->err[0])
        snprintf(w->err, sizeof w->err, "out of memory");
    for (size_t i = 0; again && i < n; i++)
        res_test_release(&again[i]);
    free(again);
    return rc;
}

/* Runs units[] on mutant m in one sandbox run and judges it. */
static int mut_run_units(struct mut_worker *w, struct mut_unit *const units[], size_t n,
                         const char *program, const struct sbx_opts *so, struct mut_mutant *m)
{
    const struct cfg_test **cts = calloc(n, sizeof *cts);
    struct res_test *ts = calloc(n, sizeof *ts);
    struct cfg_limits lim = mut_limits(w->c, units, n);
    int rc = cts && ts ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        cts[i] = units[i]->test;
    if (rc == 0)
        rc = trun_units(cts, n, &lim, program, so, ts, w->err, sizeof w->err);
    if (rc == 0)
        rc = mut_confirm_stalls(w, cts, n, &lim, program, so, ts);
    m->units_run += (unsigned)n;
    if (rc == 0)
        mut_judge(w, units, ts, n, m);
    for (size_t i = 0; ts && i < n; i++)
        res_test_release(&ts[i]);
    free(ts);
    free(cts);
    return rc;
}

/*
 * The passing units that reach m, fastest first: those that run its
 * lines; if none does, those that enter its function.  Returns how many.
 */
static size_t mut_reaching(const struct mut_ctx *c, const struct mut_file *mf,
                           const struct mut_mutant *m, struct mut_unit **out)
{
    size_t n = 0;
    for (int want = 2; want >= 1 && n == 0; want--)
        for (size_t k = 0; k < c->r->nunits; k++) {
            size_t u = c->order[k];
            if (c->r->units[u].ref_passed && mut_reach(mf, u, m) == want)
                out[n++] = &c->r->units[u];
        }
    return n;
}

/*
 * Analyses mutant m: the fastest reaching unit alone (most mutants die
 * there), then the others in one run; with all_units, all in one run.
 */
static int mut_analyse(struct mut_worker *w, const struct mut_file *mf, struct mut_mutant *m)
{
    struct mut_ctx *c = w->c;
    struct strv env = {0}, binds = {0};
    struct sbx_opts so;
    struct mut_unit **units = calloc(c->r->nunits, sizeof *units);
    char *program = fs_join(mf->schema_dir, "tests");
    mut_env(c->o->cfg, &env, m->index);
    strv_push(&binds, mf->schema_dir);
    mut_opts(c, &so, w->workdir, w->index, (const char *const *)env.v);
    so.ro_binds = (const char *const *)binds.v;
    int rc = units && program && !env.oom && !binds.oom ? 0 : -1;
    size_t n = rc == 0 ? mut_reaching(c, mf, m, units) : 0, first = c->o->all_units ? n : 1;
    if (rc == 0 && n > 0)
        rc = mut_run_units(w, units, first, program, &so, m);
    if (rc == 0 && n > first && !m->killer && !mut_cancelled(c))
        rc = mut_run_units(w, units + first, n - first, program, &so, m);
    if (rc == 0 && mut_cancelled(c))
        rc = -1;
    if (rc == 0 && !m->killer)
        m->verdict = n > 0 ? MUT_SURVIVED : MUT_UNCOVERED;
    free(units);
    free(program);
    strv_clear(&env);
    strv_clear(&binds);
    return rc;
}

static void mut_progress(struct mut_ctx *c, size_t done)
{
    size_t n = c->r->nmutants;
    size_t step = n / 10 ? n / 10 : 1;
    if (c->o->progress && (done % step == 0 || done == n))
        fprintf(c->o->progress, "mutants: %zu of %zu analysed\n", done, n);
}

static void *mut_worker_main(void *arg)
{
    struct mut_worker *w = arg;
    for (;;) {
        pthread_mutex_lock(w->lock);
        size_t i = *w->next < w->c->r->nmutants && !mut_cancelled(w->c) ? (*w->next)++
                                                                        : SIZE_MAX;
        pthread_mutex_unlock(w->lock);
        if (i == SIZE_MAX)
            return NULL;
        struct mut_mutant *m = &w->c->r->mutants[i];
        const struct mut_file *mf = w->files;
        while (i >= mf->first + mf->count && mf < w->files + w->nfiles - 1)
            mf++;
        if (m->verdict != MUT_EQUIVALENT && mut_analyse(w, mf, m) < 0) {
            if (!w->err[0])
                snprintf(w->err, sizeof w->err, "%s", mut_cancelled(w->c) ? "interrupted"
                                                                          : "out of memory");
            return NULL;
        }
        pthread_mutex_lock(w->lock);
        mut_progress(w->c, ++*w->done);
        pthread_mutex_unlock(w->lock);
    }
}

static int mut_prepare_worker(struct mut_ctx *c, struct mut_worker *w, unsigned k)
{
    char name[32];
    snprintf(name, sizeof name, "w%u", k);
    w->index = k;
    w->workdir = fs_join(c->scratch, name);
    if (!w->workdir || mut_mkdir_for(w->workdir, c->o->uid + k, c->o->gid) < 0)
        return mut_errf(c, "cannot create a worker folder in %s: %s", c->scratch,
                        strerror(errno));
    return 0;
}

static int mut_run_all(struct mut_ctx *c, struct mut_file *files, size_t nfiles)
{
    unsigned jobs = c->o->jobs < 1 ? 1 : c->o->jobs;
    struct mut_worker *w = calloc(jobs, sizeof *w);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    size_t next = 0, done = 0;
    unsigned started = 0;
    uint64_t t0 = fs_now_ms();
    int rc = w ? 0 : mut_errf(c, "out of memory");
    for (unsigned k = 0; rc == 0 && k < jobs; k++) {
        w[k] = (struct mut_worker){.c = c, .files = files, .nfiles = nfiles, .lock = &lock,
                                   .next = &next, .done = &done};
        rc = mut_prepare_worker(c, &w[k], k);
    }
    for (; rc == 0 && started < jobs; started++)
        if (pthread_create(&w[started].thread, NULL, mut_worker_main, &w[started]) != 0)
            break;
    for (unsigned k = 0; k < started; k++)
        pthread_join(w[k].thread, NULL);
    if (rc == 0 && started == 0)
        rc = mut_errf(c, "cannot start a worker thread");
    for (unsigned k = 0; rc == 0 && k < started; k++)
        if (w[k].err[0])
            rc = mut_errf(c, "%s", w[k].err);
    for (unsigned k = 0; w && k < jobs; k++)
        free(w[k].workdir);
    free(w);
    c->r->jobs = jobs;
    c->r->run_ms = fs_now_ms() - t0;
    return rc;
}

/* ---- the whole analysis ----------------------------------------------------- */

static int mut_init_units(struct mut_ctx *c)
{
    const struct grader_cfg *cfg = c->o->cfg;
    size_t n = cfg_count_kind(cfg, CFG_KIND_CHECK);
    c->r->units = calloc(n ? n : 1, sizeof *c->r->units);
    c->order = calloc(n ? n : 1, sizeof *c->order);
    if (!c->r->units || !c->order)
        return mut_errf(c, "out of memory");
    for (size_t i = 0; i < cfg->ntests; i++)
        if (cfg->tests[i].kind == CFG_KIND_CHECK)
            c->r->units[c->r->nunits++].test = &cfg->tests[i];
    return n ? 0 : mut_errf(c, "the config has no check tests to run mutants against");
}

/* Units by their time on the reference, fastest first (ties: config order). */
static void mut_sort_units(struct mut_ctx *c)
{
    for (size_t i = 0; i < c->r->nunits; i++) {
        size_t k = i;
        while (k > 0 && c->r->units[c->order[k - 1]].ref_wall_ms > c->r->units[i].ref_wall_ms) {
            c->order[k] = c->order[k - 1];
            k--;
        }
        c->order[k] = i;
    }
}

static int mut_check_baseline(struct mut_ctx *c)
{
    size_t passing = 0;
    for (size_t u = 0; u < c->r->nunits; u++)
        passing += c->r->units[u].ref_passed;
    if (passing == 0)
        return mut_errf(c, "the reference solution passes no check unit: nothing can kill a "
                        "mutant");
    if (c->o->progress && passing < c->r->nunits)
        fprintf(c->o->progress, "mutants: note: %zu unit(s) fail on the reference and are "
                "not used\n", c->r->nunits - passing);
    return 0;
}

/* Analyses one student file: baseline, mutants, schema.  Runs come later. */
static int mut_prepare_file(struct mut_ctx *c, struct mut_file *mf, size_t i)
{
    char name[32];
    snprintf(name, sizeof name, "ref%zu", i);
    mf->ref_dir = fs_join(c->scratch, name);
    snprintf(name, sizeof name, "schema%zu", i);
    mf->schema_dir = fs_join(c->scratch, name);
    if (!mf->ref_dir || !mf->schema_dir)
        return mut_errf(c, "out of memory");
    if (c->o->progress)
        fprintf(c->o->progress, "mutants: %s: running the reference's units with coverage\n",
                mf->file->path);
    if (mut_baseline(c, mf) < 0 || mut_check_baseline(c) < 0 || mut_generate(c, mf) < 0)
        return -1;
    if (c->o->progress)
        fprintf(c->o->progress, "mutants: %s: %zu mutants; building the schema\n",
                mf->file->path, mf->count);
    return mf->count ? mut_build_schema(c, mf) : 0;
}

static int mut_make_scratch(struct mut_ctx *c)
{
    if (asprintf(&c->scratch, "%s/grade-%ld-mutants-XXXXXX", c->o->work_root,
                 (long)getpid()) < 0) {
        c->scratch = NULL;
        return mut_errf(c, "out of memory");
    }
    if (!mkdtemp(c->scratch) || chmod(c->scratch, 0755) < 0)
        return mut_errf(c, "cannot create a scratch folder in %s: %s", c->o->work_root,
                        strerror(errno));
    return 0;
}

static void mut_files_release(struct mut_file *files, size_t n, size_t nunits)
{
    for (size_t i = 0; files && i < n; i++) {
        for (size_t u = 0; files[i].lines && u < nunits; u++)
            free(files[i].lines[u]);
        for (size_t u = 0; files[i].fns && u < nunits; u++)
            strv_clear(&files[i].fns[u]);
        free(files[i].lines);
        free(files[i].fns);
        free(files[i].ref_dir);
        free(files[i].schema_dir);
    }
    free(files);
}

int mut_run(const struct mut_options *o, struct mut_result *r, char *err, size_t errlen)
{
    const struct grader_cfg *cfg = o->cfg;
    struct mut_ctx c = {.o = o, .r = r, .err = err, .errlen = errlen};
    struct mut_file *files = calloc(cfg->nfiles ? cfg->nfiles : 1, sizeof *files);
    size_t nfiles = 0;
    uint64_t t0 = fs_now_ms();
    memset(r, 0, sizeof *r);
    err[0] = '\0';
    int rc = files ? mut_init_units(&c) : mut_errf(&c, "out of memory");
    if (rc == 0)
        rc = mut_make_scratch(&c);
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        if (!cfg->files[i].solution)
            continue;
        files[nfiles].file = &cfg->files[i];
        rc = mut_prepare_file(&c, &files[nfiles], i);
        nfiles++;
        mut_sort_units(&c);
    }
    if (rc == 0 && nfiles == 0)
        rc = mut_errf(&c, "no student file has a solution in the config: nothing to mutate");
    if (rc == 0) {
        mut_mark_equivalent(&c);
        rc = mut_run_all(&c, files, nfiles);
    }
    mut_files_release(files, nfiles, r->nunits);
    if (c.scratch && !o->keep_scratch)
        fs_remove_tree(c.scratch);
    else if (c.scratch && o->progress)
        fprintf(o->progress, "mutants: scratch kept in %s\n", c.scratch);
    free(c.scratch);
    free(c.order);
    r->total_ms = fs_now_ms() - t0;
    return rc;
}
