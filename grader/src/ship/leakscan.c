/*
 * leakscan.c -- the leak scanner (release.h, rel_secrets_* and rel_scan):
 * what a shipped file must not contain -- solution lines, hidden test
 * names, instructor-only paths -- collected from the config, and the scan
 * of one file's text for them.
 */
#include "ship/release.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "compile/stubgen.h"
#include "ship/release_priv.h"

/* Findings listed per file; the rest are counted. */
#define REL_FINDINGS_PER_FILE 5
/* Hidden test names shorter than this are too likely to be ordinary words. */
#define REL_MIN_NAME 8
static bool rel_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static bool rel_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
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

const char *rel_shown_path(const struct grader_cfg *cfg, const char *abs)
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

/* Whether a shipped test's id starts with "suite/". */
static bool rel_suite_shipped(const struct grader_cfg *cfg, const char *suite, size_t n)
{
    for (size_t i = 0; i < cfg->ntests; i++)
        if (rel_test_shipped(cfg, &cfg->tests[i]) && strncmp(cfg->tests[i].id, suite, n) == 0 &&
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

bool rel_strv_has(const struct strv *sv, const char *s)
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

/* (b) and (c) from the sources the students do not get. */
static int rel_unshipped_sources(struct rel_secrets *s, const struct grader_cfg *cfg,
                                 char *err, size_t errlen)
{
    struct strv hidden = {0}, shipped = {0}, hidden_fns = {0}, shipped_fns = {0};
    const struct cfg_strv *lists[REL_SOURCE_LISTS];
    size_t nlists = rel_source_lists(cfg, lists);
    int rc = 0;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *src = lists[l]->v[i];
            const char *r = rel_relpath(cfg, src);
            if (r != NULL && rel_student_source(cfg, r))
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
