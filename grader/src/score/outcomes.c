/*
 * outcomes.c -- outcomes.json (outcomes.h): a grading's measured outcomes
 * written with jansson and read back into a res_submission, and the
 * fingerprint of the config's regrade-relevant parts (SHA-256, nettle).
 */
#include "score/outcomes.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "util/fsutil.h"

#define OUTC_MAX_SOURCE (64u << 20)   /* a trusted source larger than this is refused */
#define OUTC_MAX_FILE (256u << 20)    /* an outcomes file larger than this is refused */

static const char *const outc_names[OUTC_NSECTIONS] = {
    "files", "build", "symbols", "limits", "coverage", "performance", "grading",
    "thread_sanitizer", "sources", "io",
};

const char *outc_section_name(enum outc_section s)
{
    return (unsigned)s < OUTC_NSECTIONS ? outc_names[s] : "?";
}

static int outc_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int outc_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- hashing ------------------------------------------------------------ */

/* Every item is length-prefixed, so "ab","c" and "a","bc" differ. */
static void outc_put(struct sha256_ctx *h, const void *data, size_t len)
{
    uint64_t n = len;
    sha256_update(h, sizeof n, (const uint8_t *)&n);
    sha256_update(h, len, data);
}

static void outc_put_str(struct sha256_ctx *h, const char *s)
{
    sha256_update(h, 1, (const uint8_t *)(s ? "s" : "0"));
    if (s)
        outc_put(h, s, strlen(s));
}

static void outc_put_u64(struct sha256_ctx *h, uint64_t v)
{
    sha256_update(h, sizeof v, (const uint8_t *)&v);
}

static void outc_put_dbl(struct sha256_ctx *h, double d)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", d);
    outc_put_str(h, buf);
}

/* A path relative to the config's folder when it is under it. */
static const char *outc_rel(const struct grader_cfg *cfg, const char *path)
{
    size_t n = cfg->base_dir ? strlen(cfg->base_dir) : 0;
    if (path && n && strncmp(path, cfg->base_dir, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

static void outc_put_strv(struct sha256_ctx *h, const struct cfg_strv *v,
                          const struct grader_cfg *rel)
{
    outc_put_u64(h, v->n);
    for (size_t i = 0; i < v->n; i++)
        outc_put_str(h, rel ? outc_rel(rel, v->v[i]) : v->v[i]);
}

static void outc_put_limits(struct sha256_ctx *h, const struct cfg_limits *l)
{
    outc_put_u64(h, l->cpu_ms);
    outc_put_u64(h, l->wall_ms);
    outc_put_u64(h, l->memory_bytes);
    outc_put_u64(h, l->processes);
    outc_put_u64(h, l->output_bytes);
    outc_put_u64(h, l->file_size_bytes);
}

static void outc_put_cache(struct sha256_ctx *h, const struct cfg_cache *c)
{
    outc_put_u64(h, c->size);
    outc_put_u64(h, c->ways);
    outc_put_u64(h, c->line);
}

static void outc_hex(struct sha256_ctx *h, char out[OUTC_HASH_HEX])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(h, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A file's name (relative) and bytes. */
static int outc_put_file(struct sha256_ctx *h, const struct grader_cfg *cfg, const char *path,
                         char *err, size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, OUTC_MAX_SOURCE, &data, &len) < 0)
        return outc_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    outc_put_str(h, outc_rel(cfg, path));
    outc_put(h, data, len);
    free(data);
    return 0;
}

static int outc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The headers (*.h) directly in an include folder, by name. */
static int outc_put_headers(struct sha256_ctx *h, const struct grader_cfg *cfg, const char *dir,
                            char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return outc_errf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".h") != 0)
            continue;
        if (n == cap) {
            char **v = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *v);
            if (!v) {
                rc = outc_errf(err, errlen, "out of memory");
                break;
            }
            names = v;
        }
        if ((names[n] = fs_join(dir, e->d_name)) == NULL)
            rc = outc_errf(err, errlen, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, outc_cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            rc = outc_put_file(h, cfg, names[i], err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int outc_put_files(struct sha256_ctx *h, const struct grader_cfg *cfg,
                          const struct cfg_strv *v, char *err, size_t errlen)
{
    for (size_t i = 0; i < v->n; i++)
        if (outc_put_file(h, cfg, v->v[i], err, errlen) < 0)
            return -1;
    return 0;
}

/* The trusted sources' contents: what the tests and measurements are made of. */
static int outc_print_sources(struct sha256_ctx *h, const struct grader_cfg *cfg, char *err,
                              size_t errlen)
{
    if (outc_put_files(h, cfg, &cfg->build.sources, err, errlen) < 0 ||
        outc_put_files(h, cfg, &cfg->performance.sources, err, errlen) < 0 ||
        outc_put_files(h, cfg, &cfg->tsan.sources, err, errlen) < 0 ||
        outc_put_files(h, cfg, &cfg->io.sources, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        if (outc_put_headers(h, cfg, cfg->build.include_dirs.v[i], err, errlen) < 0)
            return -1;
    /* A grading without the reference solutions (the Gradescope package
     * never holds them) records their absence: it needs them for nothing. */
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        if (!sol)
            continue;
        if (access(sol, F_OK) != 0 && errno == ENOENT) {
            outc_put_str(h, "absent");
            outc_put_str(h, outc_rel(cfg, sol));
        } else if (outc_put_file(h, cfg, sol, err, errlen) < 0) {
            return -1;
        }
    }
    return 0;
}

/* A file named in the config, or its absence. */
static int outc_put_opt_file(struct sha256_ctx *h, const struct grader_cfg *cfg,
                             const char *path, char *err, size_t errlen)
{
    outc_put_str(h, path ? "file" : NULL);
    return path ? outc_put_file(h, cfg, path, err, errlen) : 0;
}

/* How an io test runs and what it expects, its files' bytes included. */
static int outc_put_io_test(struct sha256_ctx *h, const struct grader_cfg *cfg,
                            const struct cfg_io_test *io, char *err, size_t errlen)
{
    outc_put_strv(h, &io->args, NULL);
    outc_put_str(h, io->stdin_text);
    outc_put_strv(h, &io->env, NULL);
    outc_put_u64(h, io->has_stdout);
    outc_put_u64(h, io->has_stderr);
    outc_put_u64(h, io->has_exit);
    outc_put_str(h, io->stdout_text);
    outc_put_str(h, io->stderr_text);
    outc_put_u64(h, (uint64_t)io->exit_status);
    outc_put_u64(h, io->compare);
    outc_put_dbl(h, io->tolerance);
    outc_put_dbl(h, io->relative);
    if (outc_put_opt_file(h, cfg, io->stdin_file, err, errlen) < 0 ||
        outc_put_opt_file(h, cfg, io->stdout_file, err, errlen) < 0 ||
        outc_put_opt_file(h, cfg, io->stderr_file, err, errlen) < 0)
        return -1;
    return outc_put_files(h, cfg, &io->files, err, errlen);
}

static int outc_print_test(const struct grader_cfg *cfg, const struct cfg_test *t,
                           struct outc_test_print *tp, char *err, size_t errlen)
{
    struct sha256_ctx h;
    sha256_init(&h);
    outc_put_limits(&h, &t->limits);
    outc_hex(&h, tp->limits);
    sha256_init(&h);
    outc_put_u64(&h, t->kind);
    outc_put_u64(&h, t->repeat);
    outc_put_u64(&h, t->tsan);
    outc_put_dbl(&h, t->leak_deduct);   /* the leak notes quote it */
    if (t->kind == CFG_KIND_PERFORMANCE) {
        const struct cfg_perf_test *p = &t->perf;
        outc_put_str(&h, p->measure);
        outc_put_str(&h, p->reference);
        outc_put_u64(&h, p->metric);
        outc_put_dbl(&h, p->full_at);
        outc_put_dbl(&h, p->zero_at);
        outc_put_u64(&h, p->nsteps);
        for (size_t i = 0; i < p->nsteps; i++) {
            outc_put_dbl(&h, p->steps[i].at_most);
            outc_put_dbl(&h, p->steps[i].score);
        }
        outc_put_u64(&h, p->threads);
        outc_put_dbl(&h, p->balance);
        outc_put_strv(&h, &p->requires, NULL);
    }
    if (t->kind == CFG_KIND_IO && outc_put_io_test(&h, cfg, &t->io, err, errlen) < 0)
        return -1;
    outc_hex(&h, tp->run);
    return 0;
}

/* One section's hash. */
static int outc_print_section(const struct grader_cfg *cfg, enum outc_section s,
                              char out[OUTC_HASH_HEX], char *err, size_t errlen)
{
    struct sha256_ctx h;
    sha256_init(&h);
    switch (s) {
    case OUTC_FILES:
        outc_put_u64(&h, cfg->nfiles);
        for (size_t i = 0; i < cfg->nfiles; i++) {
            outc_put_str(&h, cfg->files[i].path);
            outc_put_u64(&h, cfg->files[i].max_size);
        }
        break;
    case OUTC_BUILD:
        outc_put_str(&h, cfg->build.cc);
        outc_put_strv(&h, &cfg->build.cflags, NULL);
        outc_put_strv(&h, &cfg->build.student_cflags, NULL);
        outc_put_strv(&h, &cfg->build.ldflags, NULL);
        outc_put_strv(&h, &cfg->build.include_dirs, cfg);
        outc_put_strv(&h, &cfg->build.sources, cfg);
        outc_put_u64(&h, cfg->build.timeout_ms);
        break;
    case OUTC_SYMBOLS:
        outc_put_strv(&h, &cfg->symbols.allow, NULL);
        outc_put_strv(&h, &cfg->symbols.deny, NULL);
        outc_put_strv(&h, &cfg->symbols.allow_libraries, NULL);
        outc_put_u64(&h, cfg->symbols.forbid_constructors);
        outc_put_u64(&h, cfg->symbols.forbid_syscall);
        break;
    case OUTC_LIMITS:
        outc_put_limits(&h, &cfg->limits);
        break;
    case OUTC_COVERAGE:
        outc_put_u64(&h, cfg->coverage.enabled);
        outc_put_u64(&h, cfg->coverage.branches);
        outc_put_u64(&h, cfg->coverage.html);
        break;
    case OUTC_PERFORMANCE:
        outc_put_u64(&h, cfg->performance.enabled);
        outc_put_strv(&h, &cfg->performance.cflags, NULL);
        outc_put_strv(&h, &cfg->performance.ldflags, NULL);
        outc_put_strv(&h, &cfg->performance.sources, cfg);
        outc_put_str(&h, cfg->performance.valgrind);
        outc_put_cache(&h, &cfg->performance.i1);
        outc_put_cache(&h, &cfg->performance.d1);
        outc_put_cache(&h, &cfg->performance.ll);
        outc_put_limits(&h, &cfg->performance.limits);
        break;
    case OUTC_GRADING:
        outc_put_u64(&h, cfg->grading.seeded);
        outc_put_u64(&h, cfg->grading.seed);
        outc_put_u64(&h, cfg->grading.max_per_day);
        break;
    case OUTC_TSAN:
        outc_put_u64(&h, cfg->tsan.enabled);
        outc_put_strv(&h, &cfg->tsan.units, NULL);
        outc_put_strv(&h, &cfg->tsan.cflags, NULL);
        outc_put_strv(&h, &cfg->tsan.student_cflags, NULL);
        outc_put_strv(&h, &cfg->tsan.ldflags, NULL);
        outc_put_strv(&h, &cfg->tsan.sources, cfg);
        outc_put_limits(&h, &cfg->tsan.limits);
        outc_put_u64(&h, cfg->tsan.repeat);
        outc_put_u64(&h, cfg->tsan.threaded_units);
        break;
    case OUTC_SOURCES:
        if (outc_print_sources(&h, cfg, err, errlen) < 0)
            return -1;
        break;
    case OUTC_IO:
        outc_put_u64(&h, cfg->io.enabled);
        outc_put_str(&h, cfg->io.program);
        outc_put_strv(&h, &cfg->io.cflags, NULL);
        outc_put_strv(&h, &cfg->io.ldflags, NULL);
        outc_put_strv(&h, &cfg->io.sources, cfg);
        break;
    case OUTC_NSECTIONS:
        break;
    }
    outc_hex(&h, out);
    return 0;
}

int outc_print_init(struct outc_print *p, const struct grader_cfg *cfg, char *err,
                    size_t errlen)
{
    memset(p, 0, sizeof *p);
    for (int s = 0; s < OUTC_NSECTIONS; s++)
        if (outc_print_section(cfg, (enum outc_section)s, p->sections[s], err, errlen) < 0)
            return -1;
    if (cfg->ntests && (p->tests = calloc(cfg->ntests, sizeof *p->tests)) == NULL)
        return outc_errf(err, errlen, "out of memory");
    for (size_t i = 0; i < cfg->ntests; i++) {
        if ((p->tests[i].id = strdup(cfg->tests[i].id)) == NULL)
            return outc_errf(err, errlen, "out of memory");
        p->ntests++;
        if (outc_print_test(cfg, &cfg->tests[i], &p->tests[i], err, errlen) < 0)
            return -1;
    }
    return 0;
}

void outc_print_release(struct outc_print *p)
{
    for (size_t i = 0; i < p->ntests; i++)
        free(p->tests[i].id);
    free(p->tests);
    memset(p, 0, sizeof *p);
}

static const struct outc_test_print *outc_find_print(const struct outc_print *p, const char *id)
{
    for (size_t i = 0; i < p->ntests; i++)
        if (strcmp(p->tests[i].id, id) == 0)
            return &p->tests[i];
    return NULL;
}

/* Appends "; HEAD: item" or ", item" to buf. */
static void outc_say(char *buf, size_t n, const char **head, const char *want, const char *item)
{
    size_t used = strlen(buf);
    if (used + 1 >= n)
        return;
    if (*head != want) {
        snprintf(buf + used, n - used, "%s%s: %s", used ? "; " : "", want, item);
        *head = want;
    } else {
        snprintf(buf + used, n - used, ", %s", item);
    }
}

bool outc_print_diff(const struct outc_print *was, const struct outc_print *now, char *buf,
                     size_t n)
{
    const char *head = NULL;
    static const char added[] = "tests added", removed[] = "tests removed",
                      limits[] = "limits changed", run[] = "how tests run changed",
                      sections[] = "config sections changed";
    buf[0] = '\0';
    for (size_t i = 0; i < now->ntests; i++)
        if (!outc_find_print(was, now->tests[i].id))
            outc_say(buf, n, &head, added, now->tests[i].id);
    for (size_t i = 0; i < was->ntests; i++)
        if (!outc_find_print(now, was->tests[i].id))
            outc_say(buf, n, &head, removed, was->tests[i].id);
    for (size_t i = 0; i < now->ntests; i++) {
        const struct outc_test_print *w = outc_find_print(was, now->tests[i].id);
        if (w && strcmp(w->limits, now->tests[i].limits) != 0)
            outc_say(buf, n, &head, limits, now->tests[i].id);
    }
    for (size_t i = 0; i < now->ntests; i++) {
        const struct outc_test_print *w = outc_find_print(was, now->tests[i].id);
        if (w && strcmp(w->run, now->tests[i].run) != 0)
            outc_say(buf, n, &head, run, now->tests[i].id);
    }
    for (int s = 0; s < OUTC_NSECTIONS; s++)
        if (strcmp(was->sections[s], now->sections[s]) != 0)
            outc_say(buf, n, &head, sections, outc_names[s]);
    return buf[0] != '\0';
}

/* ---- writing -------------------------------------------------------------- */

static json_t *outc_print_json(const struct outc_print *p)
{
    json_t *o = json_object(), *tests = json_array();
    if (!o || !tests) {
        json_decref(o);
        json_decref(tests);
        return NULL;
    }
    for (int s = 0; s < OUTC_NSECTIONS; s++)
        json_object_set_new(o, outc_names[s], json_string(p->sections[s]));
    for (size_t i = 0; i < p->ntests; i++)
        json_array_append_new(tests, json_pack("{s:s, s:s, s:s}", "id", p->tests[i].id,
                                               "limits", p->tests[i].limits, "run",
                                               p->tests[i].run));
    json_object_set_new(o, "tests", tests);
    return o;
}

static json_t *outc_adjust_json(const struct adj_student *a)
{
    if (!a)
        return json_null();
    json_t *o = json_object(), *pts = json_array(), *tests = json_array();
    for (size_t i = 0; i < a->npoints; i++)
        json_array_append_new(pts, json_pack("{s:f, s:s}", "delta", a->points[i].delta,
                                             "reason", a->points[i].reason));
    for (size_t i = 0; i < a->ntests; i++)
        json_array_append_new(tests, json_pack("{s:s, s:f, s:s}", "test", a->tests[i].test->id,
                                               "score", a->tests[i].score, "reason",
                                               a->tests[i].reason));
    json_object_set_new(o, "name", json_string(a->name));
    json_object_set_new(o, "points", pts);
    json_object_set_new(o, "tests", tests);
    const struct adj_extension *e = &a->extension;
    json_object_set_new(o, "extension",
                        e->present ? json_pack("{s:s, s:I, s:s?, s:I, s:s}", "due", e->due,
                                               "due_ms", (json_int_t)e->due_ms, "late_due",
                                               e->late_due, "late_due_ms",
                                               (json_int_t)e->late_due_ms, "reason", e->reason)
                                   : json_null());
    return o;
}

static json_t *outc_test_json(const struct res_test *t)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < t->nchecks; i++)
        json_array_append_new(checks, json_pack("{s:s, s:b, s:s?, s:s?}", "name",
                                                t->checks[i].name, "passed", t->checks[i].passed,
                                                "message", t->checks[i].message, "where",
                                                t->checks[i].where));
    const struct res_perf *p = &t->perf;
    json_t *perf = p->present
        ? json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:s}", "metric", (int)p->metric, "value",
                    p->value, "reference", p->reference, "ratio", p->ratio, "balance",
                    p->balance, "fraction", p->fraction, "timing", p->timing)
        : json_null();
    return json_pack("{s:s, s:s, s:I, s:I, s:o, s:s?, s:s?, s:s?, s:I, s:s?, s:I, s:I, s:I, "
                     "s:I, s:o}",
                     "id", t->cfg ? t->cfg->id : "", "status", res_test_status_name(t->status),
                     "passed", (json_int_t)t->passed, "total", (json_int_t)t->total,
                     "checks", checks, "message", t->message, "output", t->output,
                     "notes", t->notes, "leaks", (json_int_t)t->leaks, "races", t->races,
                     "runs", (json_int_t)t->runs, "failed_runs", (json_int_t)t->failed_runs,
                     "wall_ms", (json_int_t)t->wall_ms, "cpu_ms", (json_int_t)t->cpu_ms,
                     "perf", perf);
}

char *outc_dump(const struct res_submission *s, const struct outc_print *p,
                const struct adj_student *a, double rate_score)
{
    json_t *tests = json_array(), *degraded = json_array();
    for (size_t i = 0; tests && i < s->ntests; i++)
        json_array_append_new(tests, outc_test_json(&s->tests[i]));
    for (size_t i = 0; degraded && i < s->ndegraded; i++)
        json_array_append_new(degraded, json_pack("{s:s, s:s, s:s?}", "stage",
                                                  s->degraded[i].stage, "message",
                                                  s->degraded[i].message, "detail",
                                                  s->degraded[i].detail));
    const struct res_coverage *c = &s->coverage;
    json_t *cov = c->present
        ? json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "lines_hit", (json_int_t)c->lines_hit,
                    "lines_total", (json_int_t)c->lines_total, "functions_hit",
                    (json_int_t)c->functions_hit, "functions_total",
                    (json_int_t)c->functions_total, "branches_hit", (json_int_t)c->branches_hit,
                    "branches_total", (json_int_t)c->branches_total)
        : json_null();
    const struct res_phases *ph = &s->phases;
    json_t *phases = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                               "prepare_ms", (json_int_t)ph->prepare_ms,
                               "compile_ms", (json_int_t)ph->compile_ms,
                               "policy_ms", (json_int_t)ph->policy_ms,
                               "run_ms", (json_int_t)ph->run_ms,
                               "perf_ms", (json_int_t)ph->perf_ms,
                               "coverage_ms", (json_int_t)ph->coverage_ms,
                               "report_ms", (json_int_t)ph->report_ms,
                               "total_ms", (json_int_t)ph->total_ms,
                               "test_runs", (json_int_t)ph->test_runs);
    json_t *doc = json_object();
    char *text = NULL;
    if (doc && tests && degraded && cov && phases) {
        json_object_set_new(doc, "format", json_integer(OUTC_FORMAT));
        json_object_set_new(doc, "fingerprint", outc_print_json(p));
        json_object_set_new(doc, "student", json_string(s->student ? s->student : ""));
        json_object_set_new(doc, "email", s->email ? json_string(s->email) : json_null());
        json_object_set_new(doc, "status", json_string(s->status == RES_GRADED ? "graded"
                                                                            : "ungradable"));
        json_object_set_new(doc, "reason", s->reason ? json_string(s->reason) : json_null());
        json_object_set_new(doc, "build_log",
                            s->build_log ? json_string(s->build_log) : json_null());
        json_object_set_new(doc, "build_log_full",
                            s->build_log_full ? json_string(s->build_log_full) : json_null());
        json_object_set_new(doc, "sandbox", s->sandbox ? json_string(s->sandbox) : json_null());
        json_object_set_new(doc, "submitted_at",
                            s->late.submitted_at ? json_string(s->late.submitted_at)
                                                 : json_null());
        json_object_set_new(doc, "rate_limited", json_boolean(s->rate_limited));
        json_object_set_new(doc, "rate_score", json_real(s->rate_limited ? rate_score : 0.0));
        json_object_set_new(doc, "coverage", cov);
        json_object_set_new(doc, "phases", phases);
        json_object_set_new(doc, "degraded", degraded);
        json_object_set_new(doc, "adjustments", outc_adjust_json(a));
        json_object_set_new(doc, "tests", tests);
        cov = phases = degraded = tests = NULL;
        char *body = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        if (body && asprintf(&text, "%s\n", body) < 0)
            text = NULL;
        free(body);
    }
    json_decref(doc);
    json_decref(tests);
    json_decref(degraded);
    json_decref(cov);
    json_decref(phases);
    return text;
}

/* ---- reading --------------------------------------------------------------- */

/* A string member (NULL when null or missing), copied. */
static int outc_dup(json_t *o, const char *key, char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    return (*out = strdup(json_string_value(v))) ? 0 : -1;
}

static uint64_t outc_uint(json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v > 0 ? (uint64_t)v : 0;
}

static int outc_load_print(json_t *o, struct outc_print *p)
{
    memset(p, 0, sizeof *p);
    if (!json_is_object(o))
        return -1;
    for (int s = 0; s < OUTC_NSECTIONS; s++) {
        const char *h = json_string_value(json_object_get(o, outc_names[s]));
        snprintf(p->sections[s], OUTC_HASH_HEX, "%s", h ? h : "");
    }
    json_t *tests = json_object_get(o, "tests"), *t;
    size_t i;
    if (!json_is_array(tests))
        return -1;
    if (json_array_size(tests) &&
        (p->tests = calloc(json_array_size(tests), sizeof *p->tests)) == NULL)
        return -1;
    json_array_foreach(tests, i, t) {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *l = json_string_value(json_object_get(t, "limits"));
        const char *r = json_string_value(json_object_get(t, "run"));
        if (!id || !l || !r || (p->tests[i].id = strdup(id)) == NULL)
            return -1;
        p->ntests++;
        snprintf(p->tests[i].limits, OUTC_HASH_HEX, "%s", l);
        snprintf(p->tests[i].run, OUTC_HASH_HEX, "%s", r);
    }
    return 0;
}

static int outc_status(const char *name, enum res_test_status *st)
{
    static const enum res_test_status all[] = {RES_PASSED, RES_FAILED, RES_ERROR, RES_NOT_RUN};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, res_test_status_name(all[i])) == 0) {
            *st = all[i];
            return 0;
        }
    return -1;
}

static int outc_load_test(json_t *o, struct res_test *t)
{
    if (outc_status(json_string_value(json_object_get(o, "status")), &t->status) < 0)
        return -1;
    t->passed = (unsigned)outc_uint(o, "passed");
    t->total = (unsigned)outc_uint(o, "total");
    t->leaks = (unsigned)outc_uint(o, "leaks");
    t->runs = (unsigned)outc_uint(o, "runs");
    t->failed_runs = (unsigned)outc_uint(o, "failed_runs");
    t->wall_ms = outc_uint(o, "wall_ms");
    t->cpu_ms = outc_uint(o, "cpu_ms");
    if (outc_dup(o, "message", &t->message) < 0 || outc_dup(o, "output", &t->output) < 0 ||
        outc_dup(o, "notes", &t->notes) < 0 || outc_dup(o, "races", &t->races) < 0)
        return -1;
    json_t *checks = json_object_get(o, "checks"), *c;
    size_t i;
    if (!json_is_array(checks))
        return -1;
    if (json_array_size(checks) &&
        (t->checks = calloc(json_array_size(checks), sizeof *t->checks)) == NULL)
        return -1;
    json_array_foreach(checks, i, c) {
        struct res_check *k = &t->checks[i];
        t->nchecks++;
        k->passed = json_is_true(json_object_get(c, "passed"));
        if (outc_dup(c, "name", &k->name) < 0 || !k->name ||
            outc_dup(c, "message", &k->message) < 0 || outc_dup(c, "where", &k->where) < 0)
            return -1;
    }
    json_t *p = json_object_get(o, "perf");
    if (json_is_object(p)) {
        const char *timing = json_string_value(json_object_get(p, "timing"));
        t->perf.present = true;
        t->perf.metric = (enum cfg_metric)json_integer_value(json_object_get(p, "metric"));
        t->perf.value = json_number_value(json_object_get(p, "value"));
        t->perf.reference = json_number_value(json_object_get(p, "reference"));
        t->perf.ratio = json_number_value(json_object_get(p, "ratio"));
        t->perf.balance = json_number_value(json_object_get(p, "balance"));
        t->perf.fraction = json_number_value(json_object_get(p, "fraction"));
        snprintf(t->perf.timing, sizeof t->perf.timing, "%s", timing ? timing : "");
    }
    return 0;
}

static int outc_load_tests(json_t *tests, const struct grader_cfg *cfg, struct res_submission *s)
{
    if (!json_is_array(tests) || json_array_size(tests) != cfg->ntests)
        return -1;
    if (cfg->ntests && (s->tests = calloc(cfg->ntests, sizeof *s->tests)) == NULL)
        return -1;
    s->ntests = cfg->ntests;
    for (size_t i = 0; i < cfg->ntests; i++)
        s->tests[i].cfg = &cfg->tests[i];
    size_t k;
    json_t *o;
    json_array_foreach(tests, k, o) {
        const struct cfg_test *ct = cfg_find_test(cfg, json_string_value(json_object_get(o, "id")));
        if (!ct)
            return -1;
        struct res_test *t = &s->tests[ct - cfg->tests];
        if (t->runs || t->checks || t->message || outc_load_test(o, t) < 0)
            return -1;   /* a test twice, or a bad one */
    }
    return 0;
}

static int outc_load_degraded(json_t *arr, struct res_submission *s)
{
    json_t *o;
    size_t i;
    if (!json_is_array(arr))
        return -1;
    if (json_array_size(arr) &&
        (s->degraded = calloc(json_array_size(arr), sizeof *s->degraded)) == NULL)
        return -1;
    json_array_foreach(arr, i, o) {
        struct res_degraded *d = &s->degraded[i];
        s->ndegraded++;
        if (outc_dup(o, "stage", &d->stage) < 0 || !d->stage ||
            outc_dup(o, "message", &d->message) < 0 || !d->message ||
            outc_dup(o, "detail", &d->detail) < 0)
            return -1;
    }
    return 0;
}

static void outc_load_coverage(json_t *o, struct res_coverage *c)
{
    if (!json_is_object(o))
        return;
    c->present = true;
    c->lines_hit = (unsigned)outc_uint(o, "lines_hit");
    c->lines_total = (unsigned)outc_uint(o, "lines_total");
    c->functions_hit = (unsigned)outc_uint(o, "functions_hit");
    c->functions_total = (unsigned)outc_uint(o, "functions_total");
    c->branches_hit = (unsigned)outc_uint(o, "branches_hit");
    c->branches_total = (unsigned)outc_uint(o, "branches_total");
}

static void outc_load_phases(json_t *o, struct res_phases *p)
{
    p->prepare_ms = outc_uint(o, "prepare_ms");
    p->compile_ms = outc_uint(o, "compile_ms");
    p->policy_ms = outc_uint(o, "policy_ms");
    p->run_ms = outc_uint(o, "run_ms");
    p->perf_ms = outc_uint(o, "perf_ms");
    p->coverage_ms = outc_uint(o, "coverage_ms");
    p->report_ms = outc_uint(o, "report_ms");
    p->total_ms = outc_uint(o, "total_ms");
    p->test_runs = outc_uint(o, "test_runs");
}

/* The stored adjustments entry as a one-student adj_file. */
static int outc_load_adjust(json_t *o, const struct grader_cfg *cfg, struct adj_file *f)
{
    if (!o || json_is_null(o))
        return 0;
    struct adj_student *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    f->students = a;
    f->nstudents = 1;
    json_t *pts = json_object_get(o, "points"), *tests = json_object_get(o, "tests"), *v;
    json_t *ext = json_object_get(o, "extension");
    size_t i;
    if (outc_dup(o, "name", &a->name) < 0 || !a->name || !json_is_array(pts) ||
        !json_is_array(tests))
        return -1;
    if ((json_array_size(pts) && !(a->points = calloc(json_array_size(pts), sizeof *a->points)))
        || (json_array_size(tests) &&
            !(a->tests = calloc(json_array_size(tests), sizeof *a->tests))))
        return -1;
    json_array_foreach(pts, i, v) {
        a->npoints++;
        a->points[i].delta = json_number_value(json_object_get(v, "delta"));
        if (outc_dup(v, "reason", &a->points[i].reason) < 0 || !a->points[i].reason)
            return -1;
    }
    json_array_foreach(tests, i, v) {
        a->ntests++;
        a->tests[i].test = cfg_find_test(cfg, json_string_value(json_object_get(v, "test")));
        a->tests[i].score = json_number_value(json_object_get(v, "score"));
        if (!a->tests[i].test || outc_dup(v, "reason", &a->tests[i].reason) < 0 ||
            !a->tests[i].reason)
            return -1;
    }
    if (json_is_object(ext)) {
        struct adj_extension *e = &a->extension;
        e->present = true;
        e->due_ms = json_integer_value(json_object_get(ext, "due_ms"));
        e->late_due_ms = json_integer_value(json_object_get(ext, "late_due_ms"));
        if (outc_dup(ext, "due", &e->due) < 0 || !e->due ||
            outc_dup(ext, "late_due", &e->late_due) < 0 ||
            outc_dup(ext, "reason", &e->reason) < 0 || !e->reason)
            return -1;
    }
    return 0;
}

static int outc_load_doc(json_t *doc, const struct grader_cfg *cfg, struct outc_record *rec)
{
    struct res_submission *s = &rec->res;
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (!status || (strcmp(status, "graded") && strcmp(status, "ungradable")))
        return -1;
    s->status = strcmp(status, "graded") == 0 ? RES_GRADED : RES_UNGRADABLE;
    char *at = NULL;
    if (outc_dup(doc, "student", &s->student) < 0 || !s->student ||
        outc_dup(doc, "email", &s->email) < 0 || outc_dup(doc, "reason", &s->reason) < 0 ||
        outc_dup(doc, "build_log", &s->build_log) < 0 ||
        outc_dup(doc, "build_log_full", &s->build_log_full) < 0 ||
        outc_dup(doc, "sandbox", &s->sandbox) < 0 || outc_dup(doc, "submitted_at", &at) < 0)
        return -1;
    int rc = at ? res_set_submitted_at(s, at) : 0;
    free(at);
    if (rc < 0)
        return -1;
    s->rate_limited = json_is_true(json_object_get(doc, "rate_limited"));
    rec->rate_score = json_number_value(json_object_get(doc, "rate_score"));
    outc_load_coverage(json_object_get(doc, "coverage"), &s->coverage);
    outc_load_phases(json_object_get(doc, "phases"), &s->phases);
    if (outc_load_degraded(json_object_get(doc, "degraded"), s) < 0 ||
        outc_load_tests(json_object_get(doc, "tests"), cfg, s) < 0 ||
        outc_load_adjust(json_object_get(doc, "adjustments"), cfg, &rec->adjust) < 0)
        return -1;
    return 0;
}

int outc_load(const char *path, const struct grader_cfg *cfg, const struct outc_print *now,
              struct outc_record *rec, char *err, size_t errlen)
{
    memset(rec, 0, sizeof *rec);
    res_submission_init(&rec->res);
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, OUTC_MAX_FILE, &text, &len) < 0)
        return outc_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!doc)
        return outc_errf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    struct outc_print was;
    int rc;
    if (json_integer_value(json_object_get(doc, "format")) != OUTC_FORMAT) {
        memset(&was, 0, sizeof was);
        rc = outc_errf(err, errlen, "%s: not an outcomes file of format %d", path, OUTC_FORMAT);
    } else if (outc_load_print(json_object_get(doc, "fingerprint"), &was) < 0) {
        rc = outc_errf(err, errlen, "%s: no valid fingerprint", path);
    } else if (outc_print_diff(&was, now, err, errlen)) {
        rc = 1;
    } else if (outc_load_doc(doc, cfg, rec) < 0) {
        rc = outc_errf(err, errlen, "%s: not a valid outcomes file (or out of memory)", path);
    } else {
        rc = 0;
    }
    outc_print_release(&was);
    json_decref(doc);
    return rc;
}

void outc_record_release(struct outc_record *rec)
{
    res_submission_release(&rec->res);
    adj_release(&rec->adjust);
    memset(rec, 0, sizeof *rec);
}
