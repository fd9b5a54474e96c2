/*
 * student_config.c -- the student release's config.yaml (release.h,
 * rel_student_config): the instructor's config reduced to the visible
 * check and io tests (and the visible performance tests with the
 * performance section, when the release ships the performance program),
 * written with libyaml's emitter.
 */
#include "ship/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ship/release_priv.h"

/* ---- the student config (libyaml's emitter) ------------------------------------ */

struct rel_yaml {
    yaml_emitter_t em;
    bool failed;
};

/* Emits an event (libyaml takes it over) unless an earlier one failed. */
static void rel_y_emit(struct rel_yaml *y, yaml_event_t *ev, int initialized)
{
    if (!initialized) {
        y->failed = true;
        return;
    }
    if (y->failed) {
        yaml_event_delete(ev);
        return;
    }
    if (!yaml_emitter_emit(&y->em, ev))
        y->failed = true;
}

static void rel_y_scalar(struct rel_yaml *y, const char *s)
{
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
                                          1, 1, YAML_ANY_SCALAR_STYLE);
    rel_y_emit(y, &ev, ok);
}

static void rel_y_map(struct rel_yaml *y, bool flow)
{
    yaml_event_t ev;
    int ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, flow ?
                                                 YAML_FLOW_MAPPING_STYLE :
                                                 YAML_BLOCK_MAPPING_STYLE);
    rel_y_emit(y, &ev, ok);
}

static void rel_y_map_end(struct rel_yaml *y)
{
    yaml_event_t ev;
    rel_y_emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void rel_y_seq(struct rel_yaml *y, bool flow)
{
    yaml_event_t ev;
    int ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, flow ?
                                                  YAML_FLOW_SEQUENCE_STYLE :
                                                  YAML_BLOCK_SEQUENCE_STYLE);
    rel_y_emit(y, &ev, ok);
}

static void rel_y_seq_end(struct rel_yaml *y)
{
    yaml_event_t ev;
    rel_y_emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void rel_y_pair(struct rel_yaml *y, const char *key, const char *value)
{
    rel_y_scalar(y, key);
    rel_y_scalar(y, value);
}

static void rel_y_list(struct rel_yaml *y, const char *key, char *const *v, size_t n,
                       bool flow)
{
    rel_y_scalar(y, key);
    rel_y_seq(y, flow);
    for (size_t i = 0; i < n; i++)
        rel_y_scalar(y, v[i]);
    rel_y_seq_end(y);
}

static void rel_y_bool(struct rel_yaml *y, const char *key, bool value)
{
    rel_y_pair(y, key, value ? "true" : "false");
}

/* "90s" is "90s"; "120000" ms is "2m". */
static void rel_fmt_duration(uint64_t ms, char *buf, size_t n)
{
    if (ms % 60000 == 0)
        snprintf(buf, n, "%llum", (unsigned long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(buf, n, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(buf, n, "%llums", (unsigned long long)ms);
}

static void rel_fmt_size(uint64_t bytes, char *buf, size_t n)
{
    static const struct { uint64_t scale; const char *unit; } units[] = {
        {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}, {1, "B"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (bytes % units[i].scale == 0) {
            snprintf(buf, n, "%llu%s", (unsigned long long)(bytes / units[i].scale),
                     units[i].unit);
            return;
        }
    }
}

static void rel_y_duration(struct rel_yaml *y, const char *key, uint64_t ms)
{
    char buf[32];
    rel_fmt_duration(ms, buf, sizeof buf);
    rel_y_pair(y, key, buf);
}

static void rel_y_size(struct rel_yaml *y, const char *key, uint64_t bytes)
{
    char buf[32];
    rel_fmt_size(bytes, buf, sizeof buf);
    rel_y_pair(y, key, buf);
}

static void rel_y_count(struct rel_yaml *y, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    rel_y_pair(y, key, buf);
}

/* The keys of *l that differ from *base (all of them when base is NULL). */
static void rel_y_limits(struct rel_yaml *y, const struct cfg_limits *l,
                         const struct cfg_limits *base)
{
    rel_y_scalar(y, "limits");
    rel_y_map(y, true);
    if (!base || l->cpu_ms != base->cpu_ms)
        rel_y_duration(y, "cpu", l->cpu_ms);
    if (!base || l->wall_ms != base->wall_ms)
        rel_y_duration(y, "wall", l->wall_ms);
    if (!base || l->memory_bytes != base->memory_bytes)
        rel_y_size(y, "memory", l->memory_bytes);
    if (!base || l->processes != base->processes)
        rel_y_count(y, "processes", l->processes);
    if (!base || l->output_bytes != base->output_bytes)
        rel_y_size(y, "output", l->output_bytes);
    if (!base || l->file_size_bytes != base->file_size_bytes)
        rel_y_size(y, "file_size", l->file_size_bytes);
    rel_y_map_end(y);
}

static bool rel_same_limits(const struct cfg_limits *a, const struct cfg_limits *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void rel_y_assignment(struct rel_yaml *y, const struct grader_cfg *cfg)
{
    rel_y_scalar(y, "assignment");
    rel_y_map(y, false);
    rel_y_pair(y, "name", cfg->name);
    rel_y_pair(y, "title", cfg->title);
    rel_y_map_end(y);
}

/* Relative paths of resolved ones; -1 (err) if one is outside the config's folder. */
static int rel_relative_all(const struct grader_cfg *cfg, const struct cfg_strv *abs,
                            const char *key, struct strv *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < abs->n; i++) {
        const char *r = rel_relpath(cfg, abs->v[i]);
        if (r == NULL)
            return rel_fail(err, errlen, "%s: '%s' is outside the config's folder: a release "
                            "cannot mirror it", key, abs->v[i]);
        strv_push(out, r);
    }
    return out->oom ? rel_fail(err, errlen, "out of memory") : 0;
}

static int rel_y_student_files(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                               size_t errlen)
{
    char size[32];
    rel_y_scalar(y, "student_files");
    rel_y_seq(y, false);
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        const char *stub = f->stub ? rel_relpath(cfg, f->stub) : NULL;
        if (stub == NULL)
            return rel_fail(err, errlen, "student file '%s' has no 'stub' inside the config's "
                            "folder: the release has nothing to give students", f->path);
        rel_fmt_size(f->max_size, size, sizeof size);
        rel_y_map(y, false);
        rel_y_pair(y, "path", f->path);
        rel_y_pair(y, "stub", stub);
        rel_y_pair(y, "max_size", size);
        rel_y_map_end(y);
    }
    rel_y_seq_end(y);
    return 0;
}

static int rel_y_build(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                       size_t errlen)
{
    const struct cfg_build *b = &cfg->build;
    struct strv inc = {0};
    if (rel_relative_all(cfg, &b->include_dirs, "build.include_dirs", &inc, err, errlen) < 0) {
        strv_clear(&inc);
        return -1;
    }
    rel_y_scalar(y, "build");
    rel_y_map(y, false);
    rel_y_pair(y, "cc", b->cc);
    rel_y_list(y, "cflags", b->cflags.v, b->cflags.n, true);
    rel_y_list(y, "student_cflags", b->student_cflags.v, b->student_cflags.n, true);
    rel_y_list(y, "ldflags", b->ldflags.v, b->ldflags.n, true);
    rel_y_list(y, "include_dirs", inc.v, inc.n, true);
    rel_y_list(y, "sources", cfg->release.sources.v, cfg->release.sources.n, false);
    rel_y_duration(y, "timeout", b->timeout_ms);
    rel_y_map_end(y);
    strv_clear(&inc);
    return 0;
}

static void rel_y_symbols(struct rel_yaml *y, const struct grader_cfg *cfg)
{
    const struct cfg_symbols *s = &cfg->symbols;
    rel_y_scalar(y, "symbols");
    rel_y_map(y, false);
    if (s->allow.n > 0)   /* an empty list means "everything", as a missing one */
        rel_y_list(y, "allow", s->allow.v, s->allow.n, false);
    rel_y_list(y, "deny", s->deny.v, s->deny.n, false);
    if (s->allow_libraries.n > 0)
        rel_y_list(y, "allow_libraries", s->allow_libraries.v, s->allow_libraries.n, false);
    rel_y_bool(y, "forbid_constructors", s->forbid_constructors);
    rel_y_bool(y, "forbid_syscall", s->forbid_syscall);
    rel_y_map_end(y);
}

static void rel_y_coverage(struct rel_yaml *y, const struct grader_cfg *cfg)
{
    rel_y_scalar(y, "coverage");
    rel_y_map(y, true);
    rel_y_bool(y, "enabled", cfg->coverage.enabled);
    rel_y_bool(y, "branches", cfg->coverage.branches);
    rel_y_bool(y, "html", cfg->coverage.html);
    rel_y_map_end(y);
}

static void rel_y_cache(struct rel_yaml *y, const char *key, const struct cfg_cache *c)
{
    rel_y_scalar(y, key);
    rel_y_map(y, true);
    rel_y_size(y, "size", c->size);
    rel_y_count(y, "ways", c->ways);
    rel_y_count(y, "line", c->line);
    rel_y_map_end(y);
}

/*
 * The performance section when the release ships the performance program
 * (rel_ships_performance): the instructor's flags, sources (relative),
 * simulated caches and limits, so the counts are the graded ones.  Not
 * "valgrind" (the student's is on the PATH) nor "leaderboard" (Gradescope's).
 */
static int rel_y_performance(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                             size_t errlen)
{
    const struct cfg_performance *p = &cfg->performance;
    struct strv src = {0};
    if (rel_relative_all(cfg, &p->sources, "performance.sources", &src, err, errlen) < 0) {
        strv_clear(&src);
        return -1;
    }
    rel_y_scalar(y, "performance");
    rel_y_map(y, false);
    rel_y_list(y, "cflags", p->cflags.v, p->cflags.n, true);
    rel_y_list(y, "ldflags", p->ldflags.v, p->ldflags.n, true);
    rel_y_list(y, "sources", src.v, src.n, false);
    rel_y_scalar(y, "cache");
    rel_y_map(y, false);
    rel_y_cache(y, "i1", &p->i1);
    rel_y_cache(y, "d1", &p->d1);
    rel_y_cache(y, "ll", &p->ll);
    rel_y_map_end(y);
    rel_y_limits(y, &p->limits, NULL);
    rel_y_map_end(y);
    strv_clear(&src);
    return 0;
}

/* A path of an io test or of the io section, relative and shipped; NULL (err) if not. */
static const char *rel_io_path(const struct grader_cfg *cfg, const char *abs, const char *what,
                               char *err, size_t errlen)
{
    const char *r = rel_relpath(cfg, abs);
    if (r == NULL || !rel_cfg_strv_has(&cfg->release.files, r)) {
        rel_fail(err, errlen, "%s '%s' is not shipped (add it to release.files): the student "
                 "config's io tests need it", what, r ? r : abs);
        return NULL;
    }
    return r;
}

/* The io section (cfg.h, struct cfg_io), its sources relative. */
static int rel_y_io(struct rel_yaml *y, const struct grader_cfg *cfg, char *err, size_t errlen)
{
    struct strv src = {0};
    for (size_t i = 0; i < cfg->io.sources.n; i++) {
        const char *r = rel_io_path(cfg, cfg->io.sources.v[i], "io.sources has", err, errlen);
        if (r == NULL) {
            strv_clear(&src);
            return -1;
        }
        strv_push(&src, r);
    }
    rel_y_scalar(y, "io");
    rel_y_map(y, false);
    rel_y_pair(y, "program", cfg->io.program);
    rel_y_list(y, "cflags", cfg->io.cflags.v, cfg->io.cflags.n, true);
    rel_y_list(y, "ldflags", cfg->io.ldflags.v, cfg->io.ldflags.n, true);
    rel_y_list(y, "sources", src.v, src.n, false);
    rel_y_map_end(y);
    int oom = src.oom;
    strv_clear(&src);
    return oom ? rel_fail(err, errlen, "out of memory") : 0;
}

/* An optional shipped file of an io test as `key`: 0, or -1 (err). */
static int rel_y_io_file(struct rel_yaml *y, const struct grader_cfg *cfg, const char *key,
                         const char *abs, char *err, size_t errlen)
{
    if (abs == NULL)
        return 0;
    const char *r = rel_io_path(cfg, abs, key, err, errlen);
    if (r == NULL)
        return -1;
    rel_y_pair(y, key, r);
    return 0;
}

/* The keys of a visible io test (cfg_io.c's), its files relative and shipped. */
static int rel_y_io_test(struct rel_yaml *y, const struct grader_cfg *cfg,
                         const struct cfg_io_test *io, char *err, size_t errlen)
{
    static const char *const compare[] = {"exact", "whitespace", "numeric"};
    char num[64], status[16];
    rel_y_pair(y, "kind", "io");
    if (io->args.n > 0)
        rel_y_list(y, "args", io->args.v, io->args.n, true);
    if (io->stdin_text)
        rel_y_pair(y, "stdin", io->stdin_text);
    if (rel_y_io_file(y, cfg, "stdin_file", io->stdin_file, err, errlen) < 0)
        return -1;
    if (io->files.n > 0) {
        rel_y_scalar(y, "files");
        rel_y_seq(y, true);
        for (size_t i = 0; i < io->files.n; i++) {
            const char *r = rel_io_path(cfg, io->files.v[i], "files has", err, errlen);
            if (r == NULL)
                return -1;
            rel_y_scalar(y, r);
        }
        rel_y_seq_end(y);
    }
    if (io->env.n > 0) {
        rel_y_scalar(y, "env");
        rel_y_map(y, true);
        for (size_t i = 0; i < io->env.n; i++) {
            const char *eq = strchr(io->env.v[i], '=');
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(eq - io->env.v[i]), io->env.v[i]);
            rel_y_pair(y, name, eq + 1);
        }
        rel_y_map_end(y);
    }
    rel_y_scalar(y, "expect");
    rel_y_map(y, true);
    if (io->stdout_text)
        rel_y_pair(y, "stdout", io->stdout_text);
    if (io->stderr_text)
        rel_y_pair(y, "stderr", io->stderr_text);
    if (rel_y_io_file(y, cfg, "stdout_file", io->stdout_file, err, errlen) < 0 ||
        rel_y_io_file(y, cfg, "stderr_file", io->stderr_file, err, errlen) < 0)
        return -1;
    if (io->has_exit) {
        snprintf(status, sizeof status, "%d", io->exit_status);
        rel_y_pair(y, "exit", status);
    }
    rel_y_map_end(y);
    rel_y_pair(y, "compare", compare[io->compare]);
    if (io->compare == CFG_IO_NUMERIC) {
        snprintf(num, sizeof num, "%.15g", io->tolerance);
        rel_y_pair(y, "tolerance", num);
        snprintf(num, sizeof num, "%.15g", io->relative);
        rel_y_pair(y, "relative", num);
    }
    return 0;
}

/* A number that reads back as the same double: "1.2", not "1.1999999999999999". */
static void rel_y_number(struct rel_yaml *y, const char *key, double v)
{
    char num[64];
    snprintf(num, sizeof num, "%.15g", v);
    if (strtod(num, NULL) != v)
        snprintf(num, sizeof num, "%.17g", v);
    rel_y_pair(y, key, num);
}

/*
 * The keys of a visible performance test (cfg_tests.c's), scored as the
 * instructor's config scores it.  "requires" keeps the tests that ship: a
 * hidden one would be named (the official grade still requires it).
 */
static void rel_y_perf_test(struct rel_yaml *y, const struct grader_cfg *cfg,
                            const struct cfg_perf_test *pt)
{
    struct strv req = {0};
    rel_y_pair(y, "kind", "performance");
    rel_y_pair(y, "measure", pt->measure);
    rel_y_pair(y, "reference", pt->reference);
    rel_y_pair(y, "metric", cfg_metric_name(pt->metric));
    if (pt->metric == CFG_METRIC_THREADS) {
        rel_y_count(y, "threads", pt->threads);
        rel_y_number(y, "balance", pt->balance);
    } else if (pt->nsteps > 0) {
        rel_y_scalar(y, "thresholds");
        rel_y_seq(y, true);
        for (size_t i = 0; i < pt->nsteps; i++) {
            rel_y_map(y, true);
            rel_y_number(y, "at_most", pt->steps[i].at_most);
            rel_y_number(y, "score", pt->steps[i].score);
            rel_y_map_end(y);
        }
        rel_y_seq_end(y);
    } else {
        rel_y_number(y, "full_at", pt->full_at);
        rel_y_number(y, "zero_at", pt->zero_at);
    }
    for (size_t i = 0; i < pt->requires.n; i++) {
        const struct cfg_test *r = cfg_find_test(cfg, pt->requires.v[i]);
        if (r != NULL && rel_test_shipped(cfg, r))
            strv_push(&req, pt->requires.v[i]);
    }
    if (req.n > 0)
        rel_y_list(y, "requires", req.v, req.n, true);
    if (req.oom)
        y->failed = true;
    strv_clear(&req);
}

static int rel_y_test(struct rel_yaml *y, const struct grader_cfg *cfg,
                      const struct cfg_test *t, char *err, size_t errlen)
{
    char points[64];
    const bool perf = t->kind == CFG_KIND_PERFORMANCE;
    snprintf(points, sizeof points, "%.15g", t->points);
    rel_y_map(y, true);
    rel_y_pair(y, "id", t->id);
    if (strcmp(t->name, t->id) != 0)
        rel_y_pair(y, "name", t->name);
    rel_y_pair(y, "points", points);
    if (t->category)
        rel_y_pair(y, "category", t->category);
    if (t->tags.n > 0)
        rel_y_list(y, "tags", t->tags.v, t->tags.n, true);
    /* a performance test takes neither: its limits are performance.limits */
    if (!perf && !t->partial)
        rel_y_bool(y, "partial", false);
    if (!perf && !rel_same_limits(&t->limits, &cfg->limits))
        rel_y_limits(y, &t->limits, &cfg->limits);
    if (t->kind == CFG_KIND_IO && rel_y_io_test(y, cfg, &t->io, err, errlen) < 0)
        return -1;
    if (perf)
        rel_y_perf_test(y, cfg, &t->perf);
    rel_y_map_end(y);
    return 0;
}

/* The visible check tests; -1 (err) if there are none. */
static int rel_y_tests(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                       size_t errlen)
{
    size_t n = 0;
    rel_y_scalar(y, "tests");
    rel_y_seq(y, false);
    for (size_t i = 0; i < cfg->ntests; i++) {
        if (rel_test_shipped(cfg, &cfg->tests[i])) {
            if (rel_y_test(y, cfg, &cfg->tests[i], err, errlen) < 0)
                return -1;
            n++;
        }
    }
    rel_y_seq_end(y);
    if (n == 0)
        return rel_fail(err, errlen, "no test is visible and of kind check or io: the "
                        "student config would grade nothing");
    return 0;
}

static int rel_y_document(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                          size_t errlen)
{
    yaml_event_t ev;
    rel_y_emit(y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    rel_y_emit(y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    rel_y_map(y, false);
    rel_y_assignment(y, cfg);
    if (rel_y_student_files(y, cfg, err, errlen) < 0 || rel_y_build(y, cfg, err, errlen) < 0)
        return -1;
    rel_y_symbols(y, cfg);
    rel_y_limits(y, &cfg->limits, NULL);
    rel_y_coverage(y, cfg);
    if (rel_ships_performance(cfg) && rel_y_performance(y, cfg, err, errlen) < 0)
        return -1;
    rel_y_pair(y, "visibility", "visible");
    if (cfg->io.enabled && cfg_count_kind(cfg, CFG_KIND_IO) > 0 && rel_y_io(y, cfg, err, errlen) < 0)
        return -1;
    if (rel_y_tests(y, cfg, err, errlen) < 0)
        return -1;
    rel_y_map_end(y);
    rel_y_emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
    rel_y_emit(y, &ev, yaml_stream_end_event_initialize(&ev));
    return 0;
}

static const char rel_config_header[] =
    "# config.yaml -- how `grader` grades this assignment with the visible tests\n"
    "# (the CI workflows run it).  Written by `grader release` from the\n"
    "# instructor's config: the final grade also counts hidden tests, which\n"
    "# are not here.\n";
static const char rel_config_header_no_perf[] =
    "# The performance tests are not here either: the release has no\n"
    "# performance program.\n";

int rel_student_config(const struct grader_cfg *cfg, char **out, char *err, size_t errlen)
{
    struct rel_yaml y = {0};
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    if (!cfg->release.enabled)
        return rel_fail(err, errlen, "%s: no 'release' section: nothing says what to ship",
                        cfg->path);
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return rel_fail(err, errlen, "out of memory");
    if (!yaml_emitter_initialize(&y.em)) {
        fclose(f);
        free(buf);
        return rel_fail(err, errlen, "out of memory");
    }
    fputs(rel_config_header, f);
    if (cfg_count_kind(cfg, CFG_KIND_PERFORMANCE) > 0 && !rel_ships_performance(cfg))
        fputs(rel_config_header_no_perf, f);
    yaml_emitter_set_output_file(&y.em, f);
    yaml_emitter_set_unicode(&y.em, 1);
    yaml_emitter_set_width(&y.em, 100);
    int rc = rel_y_document(&y, cfg, err, errlen);
    if (rc == 0 && y.failed)
        rc = rel_fail(err, errlen, "cannot emit the student config: %s",
                      y.em.problem ? y.em.problem : "out of memory");
    yaml_emitter_delete(&y.em);
    /* A write error (out of memory) sticks to the stream until fclose(). */
    int bad = ferror(f);
    if ((fclose(f) != 0 || bad) && rc == 0)
        rc = rel_fail(err, errlen, "cannot emit the student config: out of memory");
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}
