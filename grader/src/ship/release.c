/*
 * release.c -- the student release, the Gradescope package, and the leak
 * scanner (release.h).
 *
 * Both writers work in three steps: collect what would ship (a set of
 * relative paths, each with its bytes in memory: files are read once,
 * generated files rendered), scan exactly those bytes, then write them.
 * Scanning what is written, rather than the files it came from, leaves
 * no window for a file to change in between.
 */
#include "ship/release.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>
#include <zip.h>

#include "util/fsutil.h"
#include "compile/stubgen.h"
#include "ship/tmpl.h"

/* A file larger than this is not a source: refused rather than shipped. */
#define REL_MAX_FILE (16u << 20)
/* Findings listed per file; the rest are counted. */
#define REL_FINDINGS_PER_FILE 5
/* Hidden test names shorter than this are too likely to be ordinary words. */
#define REL_MIN_NAME 8

/* The Debian packages the grader itself needs, to build and to grade. */
static const char *const rel_grader_packages[] = {
    "gcc", "make", "pkg-config", "binutils", "libyaml-dev", "libjansson-dev",
    "libxml2-dev", "libcsv-dev", "libzip-dev", "libseccomp-dev", NULL,
};

__attribute__((format(printf, 3, 4)))
static int rel_fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool rel_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static bool rel_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The path of `abs` relative to the config's folder, or NULL if outside it. */
static const char *rel_relpath(const struct grader_cfg *cfg, const char *abs)
{
    size_t n = strlen(cfg->base_dir);
    if (strncmp(abs, cfg->base_dir, n) != 0)
        return NULL;
    if (n > 0 && cfg->base_dir[n - 1] == '/')
        return abs[n] != '\0' ? abs + n : NULL;
    return abs[n] == '/' && abs[n + 1] != '\0' ? abs + n + 1 : NULL;
}

static bool rel_cfg_strv_has(const struct cfg_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

/* ---- secrets ------------------------------------------------------------- */

void rel_secrets_init(struct rel_secrets *s)
{
    memset(s, 0, sizeof *s);
}

void rel_secrets_release(struct rel_secrets *s)
{
    for (size_t i = 0; i < s->nlines; i++)
        free(s->lines[i].text);
    for (size_t i = 0; i < s->ntokens; i++) {
        free(s->tokens[i].text);
        free(s->tokens[i].what);
    }
    free(s->lines);
    free(s->tokens);
    strv_clear(&s->origins);
    memset(s, 0, sizeof *s);
}

/*
 * Writes line [p, p+n) trimmed and with blank runs collapsed into out
 * (n + 1 bytes); returns the length written.
 */
static size_t rel_normalize(const char *p, size_t n, char *out)
{
    size_t len = 0;
    bool gap = false;
    for (size_t i = 0; i < n; i++) {
        if (rel_blank(p[i])) {
            gap = len > 0;
            continue;
        }
        if (gap)
            out[len++] = ' ';
        gap = false;
        out[len++] = p[i];
    }
    out[len] = '\0';
    return len;
}

static bool rel_has_alnum(const char *s)
{
    for (; *s != '\0'; s++)
        if (rel_ident_char(*s) && *s != '_')
            return true;
    return false;
}

static int rel_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rel_cmp_line(const void *a, const void *b)
{
    const struct rel_line *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The normalised lines of text, sorted (for bsearch). */
static int rel_sorted_lines(const char *text, struct strv *out)
{
    const char *p = text;
    char *buf = malloc(strlen(text) + 1);
    if (buf == NULL)
        return -1;
    while (*p != '\0') {
        size_t n = strcspn(p, "\n");
        rel_normalize(p, n, buf);
        strv_push(out, buf);
        p += n + (p[n] == '\n');
    }
    free(buf);
    if (out->oom)
        return -1;
    if (out->n > 0)
        qsort(out->v, out->n, sizeof *out->v, rel_cmp_str);
    return 0;
}

static bool rel_sorted_has(const struct strv *sorted, const char *s)
{
    return sorted->n > 0 &&
           bsearch(&s, sorted->v, sorted->n, sizeof *sorted->v, rel_cmp_str) != NULL;
}

static int rel_push_line(struct rel_secrets *s, const char *text, unsigned line,
                         const char *origin)
{
    if (s->nlines == s->cap_lines) {
        size_t cap = s->cap_lines ? 2 * s->cap_lines : 256;
        struct rel_line *v = realloc(s->lines, cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->lines = v;
        s->cap_lines = cap;
    }
    char *copy = strdup(text);
    if (copy == NULL)
        return -1;
    s->lines[s->nlines++] = (struct rel_line){copy, line, origin};
    return 0;
}

/* Sorts the lines and keeps the first (lowest line) of equal texts. */
static void rel_sort_lines(struct rel_secrets *s)
{
    size_t kept = 0;
    if (s->nlines == 0)
        return;
    qsort(s->lines, s->nlines, sizeof *s->lines, rel_cmp_line);
    for (size_t i = 0; i < s->nlines; i++) {
        if (kept > 0 && strcmp(s->lines[kept - 1].text, s->lines[i].text) == 0) {
            free(s->lines[i].text);
            continue;
        }
        s->lines[kept++] = s->lines[i];
    }
    s->nlines = kept;
}

/* Whether a normalised line opens or closes a solution block (stubgen.c's markers). */
static int rel_marker(const char *norm)
{
    if (strncmp(norm, "/* BEGIN SOLUTION", 17) == 0)
        return 1;
    return strcmp(norm, "/* END SOLUTION */") == 0 ? -1 : 0;
}

/* Adds the block lines of solution that the stub lacks; returns how many. */
static int rel_add_block_lines(struct rel_secrets *s, const char *solution, size_t len,
                               const struct strv *stub, const char *origin)
{
    char *buf = malloc(len + 1);
    const char *p = solution, *end = solution + len;
    unsigned lineno = 0;
    bool inside = false;
    int added = 0;
    if (buf == NULL)
        return -1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t m = rel_normalize(p, n, buf);
        int mark = rel_marker(buf);
        lineno++;
        p += n + (nl != NULL);
        if (mark != 0) {
            inside = mark > 0;
            continue;
        }
        if (!inside || m < REL_SHORT_LINE || !rel_has_alnum(buf) || rel_sorted_has(stub, buf))
            continue;
        if (rel_push_line(s, buf, lineno, origin) < 0) {
            free(buf);
            return -1;
        }
        added++;
    }
    free(buf);
    return added;
}

int rel_secrets_add_solution(struct rel_secrets *s, const char *origin, const char *solution,
                             size_t len, char *err, size_t errlen)
{
    struct stub_error serr = {0};
    struct strv stub_lines = {0};
    char *stub = NULL;
    if (stub_generate(solution, len, &stub, &serr) < 0)
        return rel_fail(err, errlen, "%s:%u: %s", origin, serr.line,
                        serr.message[0] ? serr.message : "out of memory");
    strv_push(&s->origins, origin);
    int rc = s->origins.oom || rel_sorted_lines(stub, &stub_lines) < 0
                 ? -1
                 : rel_add_block_lines(s, solution, len, &stub_lines,
                                       s->origins.v[s->origins.n - 1]);
    free(stub);
    strv_clear(&stub_lines);
    if (rc < 0)
        return rel_fail(err, errlen, "out of memory");
    rel_sort_lines(s);
    return rc;
}

static bool rel_has_token(const struct rel_secrets *s, const char *text, enum rel_match match)
{
    for (size_t i = 0; i < s->ntokens; i++)
        if (s->tokens[i].match == match && strcmp(s->tokens[i].text, text) == 0)
            return true;
    return false;
}

int rel_secrets_add_token(struct rel_secrets *s, const char *text, enum rel_match match,
                          const char *what)
{
    if (*text == '\0' || rel_has_token(s, text, match))
        return 0;
    if (s->ntokens == s->cap_tokens) {
        size_t cap = s->cap_tokens ? 2 * s->cap_tokens : 32;
        struct rel_token *v = realloc(s->tokens, cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->tokens = v;
        s->cap_tokens = cap;
    }
    char *t = strdup(text), *w = strdup(what);
    if (t == NULL || w == NULL) {
        free(t);
        free(w);
        return -1;
    }
    s->tokens[s->ntokens++] = (struct rel_token){t, match, w};
    return 0;
}

/* ---- secrets from the config ------------------------------------------------ */

static const char *rel_shown_path(const struct grader_cfg *cfg, const char *abs)
{
    const char *r = rel_relpath(cfg, abs);
    return r ? r : abs;
}

static int rel_solutions(struct rel_secrets *s, const struct grader_cfg *cfg, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        char *text = NULL;
        size_t len;
        if (sol == NULL)
            continue;
        if (fs_read_file(sol, REL_MAX_FILE, &text, &len) < 0)
            return rel_fail(err, errlen, "%s: cannot read the solution: %s",
                            rel_shown_path(cfg, sol), strerror(errno));
        int rc = rel_secrets_add_solution(s, rel_shown_path(cfg, sol), text, len, err, errlen);
        free(text);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static bool rel_test_shipped(const struct cfg_test *t)
{
    return t->visibility == CFG_VIS_VISIBLE && t->kind == CFG_KIND_CHECK;
}

/* Whether a shipped test's id starts with "suite/". */
static bool rel_suite_shipped(const struct grader_cfg *cfg, const char *suite, size_t n)
{
    for (size_t i = 0; i < cfg->ntests; i++)
        if (rel_test_shipped(&cfg->tests[i]) && strncmp(cfg->tests[i].id, suite, n) == 0 &&
            cfg->tests[i].id[n] == '/')
            return true;
    return false;
}

/* (b): the ids, names and suites of the tests students do not see. */
static int rel_hidden_tests(struct rel_secrets *s, const struct grader_cfg *cfg)
{
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->visibility == CFG_VIS_VISIBLE)
            continue;
        size_t n = strcspn(t->id, "/");
        char suite[256];
        snprintf(suite, sizeof suite, "%.*s", (int)n, t->id);
        if (rel_secrets_add_token(s, t->id, REL_SUBSTRING, "hidden test id") < 0 ||
            (strcmp(t->name, t->id) != 0 && strlen(t->name) >= REL_MIN_NAME &&
             rel_secrets_add_token(s, t->name, REL_SUBSTRING, "hidden test name") < 0) ||
            (!rel_suite_shipped(cfg, t->id, n) &&
             rel_secrets_add_token(s, suite, REL_PREFIX, "hidden suite name") < 0))
            return -1;
    }
    return 0;
}

/* Appends the NAMEs of "TC_TEST(NAME)" and "START_TEST(NAME)" in text. */
static void rel_test_functions(const char *text, struct strv *out)
{
    static const char *const macros[] = {"TC_TEST(", "START_TEST(", NULL};
    for (size_t m = 0; macros[m] != NULL; m++) {
        size_t ml = strlen(macros[m]);
        for (const char *p = strstr(text, macros[m]); p != NULL; p = strstr(p + ml, macros[m])) {
            if (p > text && rel_ident_char(p[-1]))
                continue;
            const char *q = p + ml;
            while (rel_blank(*q))
                q++;
            size_t n = 0;
            while (rel_ident_char(q[n]))
                n++;
            if (n > 0)
                strv_pushf(out, "%.*s", (int)n, q);
        }
    }
}

static bool rel_strv_has(const struct strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

/* The test function names defined by the given files. */
static int rel_functions_of(char *const *paths, size_t n, struct strv *out, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        char *text = NULL;
        size_t len;
        if (fs_read_file(paths[i], REL_MAX_FILE, &text, &len) < 0)
            return rel_fail(err, errlen, "%s: cannot read: %s", paths[i], strerror(errno));
        rel_test_functions(text, out);
        free(text);
    }
    return out->oom ? rel_fail(err, errlen, "out of memory") : 0;
}

/* Whether the relative path is in the student build (release.sources). */
static bool rel_student_source(const struct grader_cfg *cfg, const char *abs)
{
    const char *r = rel_relpath(cfg, abs);
    return r != NULL && rel_cfg_strv_has(&cfg->release.source_files, r);
}

/* (b) and (c) from the sources the students do not get. */
static int rel_unshipped_sources(struct rel_secrets *s, const struct grader_cfg *cfg,
                                 char *err, size_t errlen)
{
    struct strv hidden = {0}, shipped = {0}, hidden_fns = {0}, shipped_fns = {0};
    const struct cfg_strv *lists[] = {&cfg->build.sources, &cfg->performance.sources};
    int rc = 0;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *src = lists[l]->v[i];
            if (rel_student_source(cfg, src))
                strv_push(&shipped, src);
            else if (!rel_strv_has(&hidden, src)) {
                strv_push(&hidden, src);
                rc |= rel_secrets_add_token(s, rel_shown_path(cfg, src), REL_SUBSTRING,
                                            "instructor-only source path");
            }
        }
    if (rc < 0 || hidden.oom || shipped.oom)
        rc = rel_fail(err, errlen, "out of memory");
    if (rc == 0)
        rc = rel_functions_of(hidden.v, hidden.n, &hidden_fns, err, errlen);
    if (rc == 0)
        rc = rel_functions_of(shipped.v, shipped.n, &shipped_fns, err, errlen);
    for (size_t i = 0; rc == 0 && i < hidden_fns.n; i++)
        if (!rel_strv_has(&shipped_fns, hidden_fns.v[i]) &&
            rel_secrets_add_token(s, hidden_fns.v[i], REL_WORD, "hidden test function") < 0)
            rc = rel_fail(err, errlen, "out of memory");
    strv_clear(&hidden);
    strv_clear(&shipped);
    strv_clear(&hidden_fns);
    strv_clear(&shipped_fns);
    return rc;
}

/* Whether a folder has at least two components ("/a/b"): shorter ones are too common. */
static bool rel_specific_dir(const char *dir)
{
    const char *second = dir[0] == '/' ? strchr(dir + 1, '/') : NULL;
    return second != NULL && second[1] != '\0';
}

/* (c): the solutions' paths and the instructor's folder. */
static int rel_instructor_paths(struct rel_secrets *s, const struct grader_cfg *cfg)
{
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (cfg->files[i].solution &&
            rel_secrets_add_token(s, rel_shown_path(cfg, cfg->files[i].solution), REL_SUBSTRING,
                                  "solution path") < 0)
            return -1;
    if (rel_specific_dir(cfg->base_dir) &&
        rel_secrets_add_token(s, cfg->base_dir, REL_SUBSTRING, "the instructor's folder") < 0)
        return -1;
    return 0;
}

int rel_secrets_from_cfg(struct rel_secrets *s, const struct grader_cfg *cfg, char *err,
                         size_t errlen)
{
    if (rel_solutions(s, cfg, err, errlen) < 0)
        return -1;
    if (rel_hidden_tests(s, cfg) < 0 || rel_instructor_paths(s, cfg) < 0)
        return rel_fail(err, errlen, "out of memory");
    return rel_unshipped_sources(s, cfg, err, errlen);
}

/* ---- scanning -------------------------------------------------------------- */

/* The findings of one file: the first few listed, all counted. */
struct rel_scan_state {
    const char *name;
    struct strv *findings;
    int count;
};

__attribute__((format(printf, 3, 4)))
static void rel_found(struct rel_scan_state *st, unsigned line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st->count++ < REL_FINDINGS_PER_FILE)
        strv_pushf(st->findings, "%s:%u: %s", st->name, line, msg);
}

static const struct rel_line *rel_find_line(const struct rel_secrets *s, const char *norm)
{
    size_t lo = 0, hi = s->nlines;
    while (lo < hi) {   /* by text only: texts are unique once sorted */
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(norm, s->lines[mid].text);
        if (c == 0)
            return &s->lines[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* A run of consecutive solution lines in the scanned file. */
struct rel_run {
    unsigned count, first;   /* lines in the run, the file line it started at */
    const struct rel_line *start;
    bool reported;           /* a finding already covers it */
};

static void rel_scan_line(const struct rel_secrets *s, struct rel_scan_state *st,
                          struct rel_run *run, const char *norm, size_t n, unsigned lineno)
{
    if (n < REL_SHORT_LINE)
        return;   /* too short to count, and does not break a run */
    const struct rel_line *hit = rel_find_line(s, norm);
    if (hit == NULL) {
        *run = (struct rel_run){0};
        return;
    }
    if (run->count++ == 0)
        *run = (struct rel_run){1, lineno, hit, false};
    if (n >= REL_LONG_LINE) {
        rel_found(st, lineno, "solution code (line %u of %s)", hit->line, hit->origin);
        run->reported = true;
    } else if (run->count >= REL_RUN && !run->reported) {
        rel_found(st, run->first, "%d consecutive lines of solution code (from line %u of %s)",
                  REL_RUN, run->start->line, run->start->origin);
        run->reported = true;
    }
}

static int rel_scan_lines(const struct rel_secrets *s, struct rel_scan_state *st,
                          const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    char *buf = malloc(len + 1);
    struct rel_run run = {0};
    unsigned lineno = 0;
    if (buf == NULL)
        return -1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t m = rel_normalize(p, n, buf);
        rel_scan_line(s, st, &run, buf, m, ++lineno);
        p += n + (nl != NULL);
    }
    free(buf);
    return 0;
}

/* Whether the occurrence of a token at [at, at+n) stands as its match requires. */
static bool rel_token_stands(const struct rel_token *t, const char *text, const char *end,
                             const char *at, size_t n)
{
    char before = at > text ? at[-1] : ' ', after = at + n < end ? at[n] : ' ';
    switch (t->match) {
    case REL_WORD:
        return !rel_ident_char(before) && !rel_ident_char(after);
    case REL_PREFIX:
        return !rel_ident_char(before) && (!rel_ident_char(after) || after == '_');
    default:
        return true;
    }
}

static unsigned rel_line_at(const char *text, const char *at)
{
    unsigned line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

static void rel_scan_tokens(const struct rel_secrets *s, struct rel_scan_state *st,
                            const char *text, size_t len)
{
    const char *end = text + len;
    for (size_t i = 0; i < s->ntokens; i++) {
        const struct rel_token *t = &s->tokens[i];
        size_t n = strlen(t->text);
        for (const char *p = text; p < end;) {
            const char *at = memmem(p, (size_t)(end - p), t->text, n);
            if (at == NULL)
                break;
            if (rel_token_stands(t, text, end, at, n)) {
                rel_found(st, rel_line_at(text, at), "%s '%s'", t->what, t->text);
                break;
            }
            p = at + 1;
        }
    }
}

int rel_scan(const struct rel_secrets *s, const char *name, const char *text, size_t len,
             struct strv *findings)
{
    struct rel_scan_state st = {name, findings, 0};
    if (rel_scan_lines(s, &st, text, len) < 0)
        return -1;
    rel_scan_tokens(s, &st, text, len);
    if (st.count > REL_FINDINGS_PER_FILE)
        strv_pushf(findings, "%s: ... and %d more", name, st.count - REL_FINDINGS_PER_FILE);
    return findings->oom ? -1 : st.count;
}

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

static void rel_y_test(struct rel_yaml *y, const struct grader_cfg *cfg,
                       const struct cfg_test *t)
{
    char points[64];
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
    if (!t->partial)
        rel_y_bool(y, "partial", false);
    if (!rel_same_limits(&t->limits, &cfg->limits))
        rel_y_limits(y, &t->limits, &cfg->limits);
    rel_y_map_end(y);
}

/* The visible check tests; -1 (err) if there are none. */
static int rel_y_tests(struct rel_yaml *y, const struct grader_cfg *cfg, char *err,
                       size_t errlen)
{
    size_t n = 0;
    rel_y_scalar(y, "tests");
    rel_y_seq(y, false);
    for (size_t i = 0; i < cfg->ntests; i++) {
        if (rel_test_shipped(&cfg->tests[i])) {
            rel_y_test(y, cfg, &cfg->tests[i]);
            n++;
        }
    }
    rel_y_seq_end(y);
    if (n == 0)
        return rel_fail(err, errlen, "no test is visible and of kind check: the student "
                        "config would grade nothing");
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
    rel_y_pair(y, "visibility", "visible");
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
    "# instructor's config: the final grade also counts hidden and performance\n"
    "# tests, which are not here.\n";

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

/* ---- what ships: a set of files in memory ------------------------------------- */

struct rel_item {
    char *path;              /* relative to the package's top */
    char *data;              /* the bytes that ship */
    size_t len;
    mode_t mode;             /* 0644 or 0755 */
};

struct rel_set {
    struct rel_item *v;
    size_t n, cap;
};

static void rel_set_release(struct rel_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].path);
        free(set->v[i].data);
    }
    free(set->v);
    memset(set, 0, sizeof *set);
}

static bool rel_set_has(const struct rel_set *set, const char *path)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i].path, path) == 0)
            return true;
    return false;
}

/* Adds path with `data` (taken over, freed on failure). */
static int rel_set_add(struct rel_set *set, const char *path, char *data, size_t len,
                       mode_t mode, char *err, size_t errlen)
{
    char *p = NULL;
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        struct rel_item *v = realloc(set->v, cap * sizeof *v);
        if (v == NULL)
            goto oom;
        set->v = v;
        set->cap = cap;
    }
    if ((p = strdup(path)) == NULL)
        goto oom;
    set->v[set->n++] = (struct rel_item){p, data, len, mode};
    return 0;
oom:
    free(data);
    return rel_fail(err, errlen, "out of memory");
}

/* Adds the file `abs` as `path` (its bytes, its executable bit); a path already in is kept. */
static int rel_set_add_file(struct rel_set *set, const char *path, const char *abs, char *err,
                            size_t errlen)
{
    struct stat st;
    char *data = NULL;
    size_t len;
    if (rel_set_has(set, path))
        return 0;
    if (stat(abs, &st) < 0)
        return rel_fail(err, errlen, "%s: %s", abs, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return rel_fail(err, errlen, "%s: not a regular file", abs);
    if (fs_read_file(abs, REL_MAX_FILE, &data, &len) < 0)
        return rel_fail(err, errlen, "%s: cannot read: %s", abs, strerror(errno));
    return rel_set_add(set, path, data, len, st.st_mode & 0111 ? 0755 : 0644, err, errlen);
}

/* Adds a file of the config's folder by its relative path, under prefix. */
static int rel_set_add_rel(struct rel_set *set, const struct grader_cfg *cfg,
                           const char *prefix, const char *rel, char *err, size_t errlen)
{
    char path[PATH_MAX], *abs = fs_join(cfg->base_dir, rel);
    if (abs == NULL)
        return rel_fail(err, errlen, "out of memory");
    snprintf(path, sizeof path, "%s%s", prefix, rel);
    int rc = rel_set_add_file(set, path, abs, err, errlen);
    free(abs);
    return rc;
}

/* Adds a resolved path of the config, which must be inside its folder. */
static int rel_set_add_abs(struct rel_set *set, const struct grader_cfg *cfg,
                           const char *prefix, const char *abs, char *err, size_t errlen)
{
    const char *rel = rel_relpath(cfg, abs);
    if (rel == NULL)
        return rel_fail(err, errlen, "'%s' is outside the config's folder: the package "
                        "cannot mirror it", abs);
    return rel_set_add_rel(set, cfg, prefix, rel, err, errlen);
}

/* Scans every item; the leaks go to *findings.  Returns the number of leaks, or -1. */
static int rel_set_scan(const struct rel_set *set, const struct rel_secrets *s,
                        struct strv *findings)
{
    int total = 0;
    for (size_t i = 0; i < set->n; i++) {
        int n = rel_scan(s, set->v[i].path, set->v[i].data, set->v[i].len, findings);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

/* ---- shared checks ------------------------------------------------------------- */

/*
 * The folder students work in: where every stub is, at its student
 * file's path ("assignments/kernels" for stub assignments/kernels/kernels.c
 * and path kernels.c), or "." at the top.
 */
static int rel_submission_dir(const struct grader_cfg *cfg, char *dir, size_t n, char *err,
                              size_t errlen)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        const char *stub = f->stub ? rel_relpath(cfg, f->stub) : NULL;
        size_t sl = stub ? strlen(stub) : 0, pl = strlen(f->path);
        char here[PATH_MAX];
        if (stub == NULL)
            return rel_fail(err, errlen, "student file '%s' has no 'stub' inside the config's "
                            "folder: there is nothing to give students", f->path);
        bool top = sl == pl && strcmp(stub, f->path) == 0;
        if (!top && (sl <= pl + 1 || stub[sl - pl - 1] != '/' ||
                     strcmp(stub + sl - pl, f->path) != 0))
            return rel_fail(err, errlen, "the stub '%s' is not at the path of its student file "
                            "'%s' within a folder: the release grades the stubs' folder",
                            stub, f->path);
        snprintf(here, sizeof here, "%.*s", top ? 1 : (int)(sl - pl - 1), top ? "." : stub);
        if (i > 0 && strcmp(here, dir) != 0)
            return rel_fail(err, errlen, "the stubs are in different folders ('%s', '%s'): the "
                            "release grades one folder", dir, here);
        snprintf(dir, n, "%s", here);
    }
    return 0;
}

/* Refuses a stub that is not what its solution generates (a stale stub may hold old code). */
static int rel_check_stubs(const struct grader_cfg *cfg, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        char *sol = NULL, *stub = NULL, *gen = NULL;
        size_t sl, tl;
        struct stub_error serr = {0};
        if (f->solution == NULL || f->stub == NULL)
            continue;
        if (fs_read_file(f->solution, REL_MAX_FILE, &sol, &sl) < 0 ||
            fs_read_file(f->stub, REL_MAX_FILE, &stub, &tl) < 0)
            rc = rel_fail(err, errlen, "cannot read '%s' or '%s': %s", f->solution, f->stub,
                          strerror(errno));
        else if (stub_generate(sol, sl, &gen, &serr) < 0)
            rc = rel_fail(err, errlen, "%s:%u: %s", rel_shown_path(cfg, f->solution), serr.line,
                          serr.message);
        else if (strlen(gen) != tl || memcmp(gen, stub, tl) != 0)
            rc = rel_fail(err, errlen, "the stub %s is out of date with %s (regenerate it, "
                          "e.g. `make stubs`)", rel_shown_path(cfg, f->stub),
                          rel_shown_path(cfg, f->solution));
        free(sol);
        free(stub);
        free(gen);
    }
    return rc;
}

static bool rel_is_solution(const struct grader_cfg *cfg, const char *rel)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        const char *r = sol ? rel_relpath(cfg, sol) : NULL;
        if (r != NULL && strcmp(r, rel) == 0)
            return true;
    }
    return false;
}

/* A trusted source (build or performance) that the student build does not use. */
static bool rel_is_instructor_source(const struct grader_cfg *cfg, const char *rel)
{
    const struct cfg_strv *lists[] = {&cfg->build.sources, &cfg->performance.sources};
    if (rel_cfg_strv_has(&cfg->release.source_files, rel))
        return false;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *r = rel_relpath(cfg, lists[l]->v[i]);
            if (r != NULL && strcmp(r, rel) == 0)
                return true;
        }
    return false;
}

/* The Debian packages: the grader's, coverage's, the config's, then extra (NULL-ended). */
static char *rel_packages(const struct grader_cfg *cfg, const char *const *extra)
{
    struct strv all = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; rel_grader_packages[i] != NULL; i++)
        strv_push(&all, rel_grader_packages[i]);
    if (cfg->coverage.enabled)
        strv_push(&all, "lcov");
    for (size_t i = 0; i < cfg->release.packages.n; i++)
        if (!rel_strv_has(&all, cfg->release.packages.v[i]))
            strv_push(&all, cfg->release.packages.v[i]);
    for (size_t i = 0; extra && extra[i] != NULL; i++)
        if (!rel_strv_has(&all, extra[i]))
            strv_push(&all, extra[i]);
    for (size_t i = 0; i < all.n; i++)
        fprintf(f, "%s%s", i ? " " : "", all.v[i]);
    bool oom = all.oom || ferror(f);
    oom = fclose(f) != 0 || oom;
    strv_clear(&all);
    if (oom) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Renders a template into the set as `path`. */
static int rel_set_render(struct rel_set *set, const char *path, const char *name,
                          const struct tmpl_var *vars, size_t nvars, mode_t mode, char *err,
                          size_t errlen)
{
    char *text;
    if (rel_set_has(set, path))
        return rel_fail(err, errlen, "'%s' is generated: it must not be among release.files",
                        path);
    if (tmpl_render(name, vars, nvars, &text, err, errlen) < 0)
        return -1;
    return rel_set_add(set, path, text, strlen(text), mode, err, errlen);
}

/* Collects the secrets and scans the set; -1 if anything leaks. */
static int rel_audit(const struct rel_set *set, const struct grader_cfg *cfg,
                     struct rel_summary *sum, struct strv *findings, char *err, size_t errlen)
{
    struct rel_secrets s;
    rel_secrets_init(&s);
    int rc = rel_secrets_from_cfg(&s, cfg, err, errlen);
    if (rc == 0) {
        sum->solution_lines = s.nlines;
        sum->tokens = s.ntokens;
        rc = rel_set_scan(set, &s, findings);
        if (rc < 0)
            rc = rel_fail(err, errlen, "out of memory");
        else if (rc > 0)
            rc = rel_fail(err, errlen, "%d leak%s found", rc, rc == 1 ? "" : "s");
    }
    rel_secrets_release(&s);
    return rc;
}

/* ---- the student release -------------------------------------------------------- */

/* Stubs and release.files, refusing solutions and instructor-only sources. */
static int rel_release_files(struct rel_set *set, const struct grader_cfg *cfg,
                             struct strv *findings, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (rel_set_add_abs(set, cfg, "", cfg->files[i].stub, err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < cfg->release.files.n; i++) {
        const char *rel = cfg->release.files.v[i];
        if (rel_is_solution(cfg, rel))
            strv_pushf(findings, "%s: is a solution", rel);
        else if (rel_is_instructor_source(cfg, rel))
            strv_pushf(findings, "%s: is an instructor-only source (the grader's build uses "
                       "it, the student build does not)", rel);
        else if (rel_set_add_rel(set, cfg, "", rel, err, errlen) < 0)
            return -1;
    }
    if (findings->n > 0)
        return rel_fail(err, errlen, "release.files names instructor-only files");
    for (size_t i = 0; i < cfg->release.source_files.n; i++)
        if (!rel_set_has(set, cfg->release.source_files.v[i]))
            return rel_fail(err, errlen, "release.sources has '%s', which is not shipped (add "
                            "it to release.files)", cfg->release.source_files.v[i]);
    return 0;
}

static int rel_release_generated(struct rel_set *set, const struct grader_cfg *cfg,
                                 const char *subdir, char *err, size_t errlen)
{
    char *config = NULL, *packages = rel_packages(cfg, NULL), percent[32];
    if (packages == NULL)
        return rel_fail(err, errlen, "out of memory");
    snprintf(percent, sizeof percent, "%.15g", cfg->release.fail_under);
    const struct tmpl_var vars[] = {
        {"FAIL_UNDER", percent}, {"PACKAGES", packages}, {"SUBMISSION", subdir},
        {"TITLE", cfg->title ? cfg->title : cfg->name},
        {"FIRST_FILE", cfg->nfiles ? cfg->files[0].path : ""},
    };
    const size_t nvars = sizeof vars / sizeof vars[0];
    int rc = rel_student_config(cfg, &config, err, errlen);
    if (rc == 0 && rel_set_has(set, "config.yaml")) {
        free(config);
        rc = rel_fail(err, errlen, "'config.yaml' is generated: it must not be among "
                      "release.files");
    } else if (rc == 0) {
        rc = rel_set_add(set, "config.yaml", config, strlen(config), 0644, err, errlen);
    }
    if (rc == 0)
        rc = rel_set_render(set, ".github/workflows/grade.yml", "grade.yml", vars, nvars, 0644,
                            err, errlen);
    if (rc == 0)
        rc = rel_set_render(set, ".gitlab-ci.yml", "gitlab-ci.yml", vars, nvars, 0644, err,
                            errlen);
    /* The template repository's front page, unless the instructor ships one. */
    if (rc == 0 && !rel_set_has(set, "README.md"))
        rc = rel_set_render(set, "README.md", "release-README.md", vars, nvars, 0644, err,
                            errlen);
    if (rc == 0 && !rel_set_has(set, ".gitignore"))
        rc = rel_set_render(set, ".gitignore", "release-gitignore", vars, nvars, 0644, err,
                            errlen);
    free(packages);
    return rc;
}

static bool rel_dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    bool empty = d != NULL;
    while (empty && (de = readdir(d)) != NULL)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    if (d != NULL)
        closedir(d);
    return empty;
}

/* The output folder must not exist, or be an empty folder: a release never
 * deletes anything (rename() replaces an empty folder atomically). */
static int rel_check_out_dir(const char *out_dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(out_dir, &st) < 0)
        return errno == ENOENT ? 0 : rel_fail(err, errlen, "%s: %s", out_dir, strerror(errno));
    if (!S_ISDIR(st.st_mode) || !rel_dir_empty(out_dir))
        return rel_fail(err, errlen, "%s exists and is not an empty folder: remove it or "
                        "choose another", out_dir);
    return 0;
}

static int rel_write_item(const char *top, const struct rel_item *it, char *err, size_t errlen)
{
    char *path = fs_join(top, it->path), *slash;
    int rc = 0;
    if (path == NULL)
        return rel_fail(err, errlen, "out of memory");
    slash = strrchr(path, '/');
    *slash = '\0';
    if (fs_mkdir_p(path, 0755) < 0)
        rc = rel_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
    *slash = '/';
    if (rc == 0 && (fs_write_atomic(path, it->data, it->len) < 0 || chmod(path, it->mode) < 0))
        rc = rel_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

/* Writes the set into a temporary folder beside out_dir, then renames it into place. */
static int rel_write_tree(const struct rel_set *set, const char *out_dir, char *err,
                          size_t errlen)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out_dir) >= (int)sizeof tmp)
        return rel_fail(err, errlen, "%s: path too long", out_dir);
    if (mkdtemp(tmp) == NULL)
        return rel_fail(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    int rc = chmod(tmp, 0755) < 0 ? rel_fail(err, errlen, "%s: %s", tmp, strerror(errno)) : 0;
    for (size_t i = 0; rc == 0 && i < set->n; i++)
        rc = rel_write_item(tmp, &set->v[i], err, errlen);
    if (rc == 0 && rename(tmp, out_dir) < 0)
        rc = rel_fail(err, errlen, "cannot rename %s to %s: %s", tmp, out_dir,
                      errno == ENOTEMPTY || errno == EEXIST ? "it is not empty" :
                      strerror(errno));
    if (rc < 0)
        fs_remove_tree(tmp);
    return rc;
}

int rel_write_release(const struct grader_cfg *cfg, const char *out_dir,
                      struct rel_summary *sum, struct strv *findings, char *err, size_t errlen)
{
    struct rel_set set = {0};
    char subdir[PATH_MAX];
    memset(sum, 0, sizeof *sum);
    if (!cfg->release.enabled)
        return rel_fail(err, errlen, "%s: no 'release' section: nothing says what to ship",
                        cfg->path);
    int rc = rel_check_out_dir(out_dir, err, errlen);
    if (rc == 0)
        rc = rel_submission_dir(cfg, subdir, sizeof subdir, err, errlen);
    if (rc == 0)
        rc = rel_check_stubs(cfg, err, errlen);
    if (rc == 0)
        rc = rel_release_files(&set, cfg, findings, err, errlen);
    if (rc == 0)
        rc = rel_release_generated(&set, cfg, subdir, err, errlen);
    if (rc == 0)
        rc = rel_audit(&set, cfg, sum, findings, err, errlen);
    if (rc == 0)
        rc = rel_write_tree(&set, out_dir, err, errlen);
    if (rc == 0) {
        sum->files = set.n;
        for (size_t i = 0; i < cfg->ntests; i++) {
            sum->tests += rel_test_shipped(&cfg->tests[i]);
            sum->points += rel_test_shipped(&cfg->tests[i]) ? cfg->tests[i].points : 0;
        }
    }
    rel_set_release(&set);
    return rc;
}

/* ---- the Gradescope package ------------------------------------------------------ */

#define REL_GS_TREE "source/"

/* Adds every *.h of `dir` (resolved) under the tree. */
static int rel_gs_headers(struct rel_set *set, const struct grader_cfg *cfg, const char *dir,
                          char *err, size_t errlen)
{
    glob_t g;
    char *pat = fs_join(dir, "*.h");
    int rc = 0;
    if (pat == NULL)
        return rel_fail(err, errlen, "out of memory");
    int grc = glob(pat, 0, NULL, &g);
    free(pat);
    if (grc == GLOB_NOSPACE)
        return rel_fail(err, errlen, "out of memory");
    for (size_t i = 0; grc == 0 && rc == 0 && i < g.gl_pathc; i++)
        rc = rel_set_add_abs(set, cfg, REL_GS_TREE, g.gl_pathv[i], err, errlen);
    if (grc == 0)
        globfree(&g);
    return rc;
}

/* A trusted source, and the headers beside it. */
static int rel_gs_source(struct rel_set *set, const struct grader_cfg *cfg, const char *src,
                         char *err, size_t errlen)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(src, '/');
    if (rel_set_add_abs(set, cfg, REL_GS_TREE, src, err, errlen) < 0)
        return -1;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - src) : 1, slash ? src : ".");
    return rel_gs_headers(set, cfg, dir, err, errlen);
}

static int rel_gs_tree(struct rel_set *set, const struct grader_cfg *cfg, char *err,
                       size_t errlen)
{
    const struct cfg_strv *lists[] = {&cfg->build.sources, &cfg->performance.sources};
    char *config = NULL;
    size_t len;
    if (fs_read_file(cfg->path, REL_MAX_FILE, &config, &len) < 0)
        return rel_fail(err, errlen, "%s: cannot read: %s", cfg->path, strerror(errno));
    if (rel_set_add(set, REL_GS_TREE "config.yaml", config, len, 0644, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (rel_set_add_abs(set, cfg, REL_GS_TREE, cfg->files[i].stub, err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < cfg->release.files.n; i++)
        if (!rel_is_solution(cfg, cfg->release.files.v[i]) &&
            rel_set_add_rel(set, cfg, REL_GS_TREE, cfg->release.files.v[i], err, errlen) < 0)
            return -1;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
            if (rel_gs_source(set, cfg, lists[l]->v[i], err, errlen) < 0)
                return -1;
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        if (rel_gs_headers(set, cfg, cfg->build.include_dirs.v[i], err, errlen) < 0)
            return -1;
    return 0;
}

/* Whether an item has the bytes of a solution. */
static int rel_gs_copy_of(const struct rel_item *it, const struct grader_cfg *cfg,
                          const char **which)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        char *text = NULL;
        size_t len;
        if (sol == NULL)
            continue;
        if (fs_read_file(sol, REL_MAX_FILE, &text, &len) < 0)
            return -1;
        bool same = len == it->len && memcmp(text, it->data, len) == 0;
        free(text);
        if (same) {
            *which = rel_shown_path(cfg, sol);
            return 1;
        }
    }
    return 0;
}

/* No solution may be in the package, whatever put it there: by path or by bytes. */
static int rel_gs_no_solution(const struct rel_set *set, const struct grader_cfg *cfg,
                              struct strv *findings, char *err, size_t errlen)
{
    size_t n = strlen(REL_GS_TREE);
    for (size_t i = 0; i < set->n; i++) {
        const char *which = NULL;
        int copy = rel_gs_copy_of(&set->v[i], cfg, &which);
        if (copy < 0)
            return rel_fail(err, errlen, "cannot read a solution: %s", strerror(errno));
        if (strncmp(set->v[i].path, REL_GS_TREE, n) == 0 &&
            rel_is_solution(cfg, set->v[i].path + n))
            strv_pushf(findings, "%s: is a solution", set->v[i].path);
        else if (copy)
            strv_pushf(findings, "%s: is a copy of the solution %s", set->v[i].path, which);
    }
    if (findings->oom)
        return rel_fail(err, errlen, "out of memory");
    return findings->n > 0 ? rel_fail(err, errlen, "the package would hold a solution") : 0;
}

static int rel_gs_scripts(struct rel_set *set, const struct grader_cfg *cfg, char *err,
                          size_t errlen)
{
    static const char *const sandbox[] = {"bubblewrap", NULL};
    static const char *const sandbox_perf[] = {"bubblewrap", "valgrind", NULL};
    char subdir[PATH_MAX];
    char *packages = rel_packages(cfg, cfg->performance.enabled ? sandbox_perf : sandbox);
    if (packages == NULL)
        return rel_fail(err, errlen, "out of memory");
    int rc = rel_submission_dir(cfg, subdir, sizeof subdir, err, errlen);
    const struct tmpl_var vars[] = {
        {"PACKAGES", packages}, {"STUB_DIR", subdir}, {"FIRST_FILE", cfg->files[0].path},
    };
    if (rc == 0)
        rc = rel_set_render(set, "setup.sh", "setup.sh", vars, 3, 0755, err, errlen);
    if (rc == 0)
        rc = rel_set_render(set, "run_autograder", "run_autograder", vars, 3, 0755, err,
                            errlen);
    free(packages);
    return rc;
}

static int rel_zip_fail(zip_t *za, char *err, size_t errlen, const char *what)
{
    rel_fail(err, errlen, "%s: %s", what, zip_error_strerror(zip_get_error(za)));
    zip_discard(za);
    return -1;
}

/* The zip, every entry with its Unix mode (unzip and Gradescope keep the x bits). */
static int rel_write_zip(const struct rel_set *set, const char *zip_path, char *err,
                         size_t errlen)
{
    int zerr = 0;
    zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (za == NULL) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        rel_fail(err, errlen, "%s: %s", zip_path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct rel_item *it = &set->v[i];
        zip_source_t *src = zip_source_buffer(za, it->data, it->len, 0);
        zip_int64_t idx = src ? zip_file_add(za, it->path, src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            return rel_zip_fail(za, err, errlen, it->path);
        }
        zip_uint32_t attr = (zip_uint32_t)(S_IFREG | it->mode) << 16;
        if (zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, attr) < 0)
            return rel_zip_fail(za, err, errlen, it->path);
    }
    if (zip_close(za) < 0)
        return rel_zip_fail(za, err, errlen, zip_path);
    return 0;
}

int rel_write_gradescope(const struct grader_cfg *cfg, const char *zip_path,
                         struct rel_summary *sum, struct strv *findings, char *err,
                         size_t errlen)
{
    struct rel_set set = {0};
    memset(sum, 0, sizeof *sum);
    if (!cfg->release.enabled)
        return rel_fail(err, errlen, "%s: no 'release' section: its files (the grader's "
                        "source) are part of the package", cfg->path);
    int rc = rel_check_stubs(cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_scripts(&set, cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_tree(&set, cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_no_solution(&set, cfg, findings, err, errlen);
    if (rc == 0)
        rc = rel_write_zip(&set, zip_path, err, errlen);
    if (rc == 0)
        sum->files = set.n;
    rel_set_release(&set);
    return rc;
}
