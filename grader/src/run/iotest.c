/*
 * iotest.c -- run one io test in the sandbox and compare what the program
 * wrote and how it ended with what the test expects (iotest.h).
 */
#include "run/iotest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"

/* Expected files larger than this are a grader failure. */
#define IOT_EXPECTED_MAX (64u << 20)
/* Characters of a line shown in a diff. */
#define IOT_SHOWN_LINE 96

static int iot_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int iot_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- cleaning -------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t iot_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3Fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

char *iot_clean(const char *s, size_t n, size_t max, bool lines)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t out = 0, i = 0;
    while (i < n && out < max) {
        size_t len = iot_utf8_len(u + i, n - i);
        bool keep = len > 1 || (len == 1 && ((u[i] >= 0x20 && u[i] < 0x7F) ||
                                             (lines && (u[i] == '\n' || u[i] == '\t'))));
        if (keep) {
            fwrite(u + i, 1, len, f);
            out += len;
            i += len;
        } else {
            fprintf(f, "\\x%02X", u[i]);
            out += 4;
            i++;
        }
    }
    if (i < n)
        fputs("...", f);
    return fclose(f) == 0 ? buf : (free(buf), NULL);
}

/* ---- comparing ------------------------------------------------------------- */

/* A word of an output: where it is and on which line. */
struct iot_word {
    const char *p;
    size_t len;
    size_t line;          /* 1-based */
    const char *bol;      /* the start of its line */
};

struct iot_text {
    const char *s;
    size_t n;
    struct iot_word *w;
    size_t nw;
};

static bool iot_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int iot_split(struct iot_text *t, const char *s, size_t n)
{
    size_t cap = 0, line = 1;
    const char *bol = s;
    t->s = s;
    t->n = n;
    t->w = NULL;
    t->nw = 0;
    for (size_t i = 0; i < n;) {
        if (iot_space(s[i])) {
            if (s[i] == '\n') {
                line++;
                bol = s + i + 1;
            }
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !iot_space(s[j]))
            j++;
        if (t->nw == cap) {
            cap = cap ? 2 * cap : 64;
            struct iot_word *v = realloc(t->w, cap * sizeof *v);
            if (!v)
                return -1;
            t->w = v;
        }
        t->w[t->nw++] = (struct iot_word){s + i, j - i, line, bol};
        i = j;
    }
    return 0;
}

/* The line of s (n bytes) starting at bol, around column col, cleaned and clipped. */
static char *iot_show_line(const char *s, size_t n, const char *bol, size_t col)
{
    const char *end = memchr(bol, '\n', (size_t)(s + n - bol));
    size_t len = end ? (size_t)(end - bol) : (size_t)(s + n - bol);
    size_t from = col > IOT_SHOWN_LINE / 2 ? col - IOT_SHOWN_LINE / 2 : 0;
    char *c = iot_clean(bol + from, len - from, IOT_SHOWN_LINE, false);
    char *out = NULL;
    if (c && asprintf(&out, "%s\"%s\"", from ? "..." : "", c) < 0)
        out = NULL;
    free(c);
    return out;
}

/* A word, or "the end of the output", for a summary line. */
static char *iot_show_word(const struct iot_text *t, size_t k)
{
    if (k >= t->nw)
        return strdup("the end of the output");
    char *c = iot_clean(t->w[k].p, t->w[k].len, 40, false), *out = NULL;
    if (c && asprintf(&out, "'%s'", c) < 0)
        out = NULL;
    free(c);
    return out;
}

/* "  expected: LINE\n  got:      LINE" for word k of each side. */
static char *iot_word_lines(const struct iot_text *want, const struct iot_text *got, size_t k)
{
    char *lines[2] = {NULL, NULL}, *out = NULL;
    const struct iot_text *side[2] = {want, got};
    for (int i = 0; i < 2; i++) {
        const struct iot_text *t = side[i];
        lines[i] = k < t->nw ? iot_show_line(t->s, t->n, t->w[k].bol,
                                             (size_t)(t->w[k].p - t->w[k].bol))
                             : strdup("(end of the output)");
    }
    if (lines[0] && lines[1] &&
        asprintf(&out, "  expected: %s\n  got:      %s", lines[0], lines[1]) < 0)
        out = NULL;
    free(lines[0]);
    free(lines[1]);
    return out;
}

/* A field as a number: the whole word, strtod's syntax (nan and inf too). */
static bool iot_number(const struct iot_word *w, double *v)
{
    char buf[128], *end;
    if (w->len == 0 || w->len >= sizeof buf)
        return false;
    memcpy(buf, w->p, w->len);
    buf[w->len] = '\0';
    errno = 0;
    *v = strtod(buf, &end);
    return end == buf + w->len;
}

/* Whether numeric fields a (got) and b (want) match; *off is |a - b|. */
static bool iot_close(double a, double b, double tol, double rel, double *off)
{
    *off = fabs(a - b);
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    double allowed = rel * fabs(b) > tol ? rel * fabs(b) : tol;
    return *off <= allowed;
}

/* Word by word (whitespace, numeric).  1 match, 0 differ (*why), -1 OOM. */
static int iot_compare_words(bool numeric, double tol, double rel, const char *want,
                             size_t want_len, const char *got, size_t got_len, char **why)
{
    struct iot_text w = {0}, g = {0};
    int rc = -1;
    if (iot_split(&w, want, want_len) < 0 || iot_split(&g, got, got_len) < 0)
        goto done;
    size_t k = 0;
    char detail[160] = "";
    for (; k < w.nw && k < g.nw; k++) {
        double a, b, off;
        if (numeric && iot_number(&g.w[k], &a) && iot_number(&w.w[k], &b)) {
            if (iot_close(a, b, tol, rel, &off))
                continue;
            if (rel > 0)
                snprintf(detail, sizeof detail, " (off by %.6g; the tolerance is %.6g, or "
                         "%.6g relative)", off, tol, rel);
            else
                snprintf(detail, sizeof detail, " (off by %.6g; the tolerance is %.6g)", off,
                         tol);
            break;
        }
        if (w.w[k].len != g.w[k].len || memcmp(w.w[k].p, g.w[k].p, w.w[k].len) != 0)
            break;
    }
    if (k == w.nw && k == g.nw) {
        rc = 1;
        goto done;
    }
    char *ew = iot_show_word(&w, k), *gw = iot_show_word(&g, k), *lines = iot_word_lines(&w, &g, k);
    size_t line = k < g.nw ? g.w[k].line : k < w.nw ? w.w[k].line : 1;
    if (ew && gw && lines &&
        asprintf(why, "%s %zu (line %zu): expected %s, got %s%s\n%s",
                 numeric ? "field" : "word", k + 1, line, ew, gw, detail, lines) >= 0)
        rc = 0;
    free(ew);
    free(gw);
    free(lines);
done:
    free(w.w);
    free(g.w);
    return rc;
}

/* The byte at offset d of s, or the end, for a summary line. */
static char *iot_show_byte(const char *s, size_t n, size_t d)
{
    if (d >= n)
        return strdup("the end of the output");
    if (s[d] == '\n')
        return strdup("a line break");
    size_t len = iot_utf8_len((const unsigned char *)s + d, n - d);
    char *c = iot_clean(s + d, len ? len : 1, 8, false), *out = NULL;
    if (c && asprintf(&out, "'%s'", c) < 0)
        out = NULL;
    free(c);
    return out;
}

/* Byte for byte.  1 match, 0 differ (*why), -1 OOM. */
static int iot_compare_exact(const char *want, size_t want_len, const char *got,
                             size_t got_len, char **why)
{
    size_t d = 0;
    while (d < want_len && d < got_len && want[d] == got[d])
        d++;
    if (d == want_len && d == got_len)
        return 1;
    size_t line = 1, bol = 0;
    for (size_t i = 0; i < d; i++)
        if (got[i] == '\n')
            line++, bol = i + 1;
    char *eb = iot_show_byte(want, want_len, d), *gb = iot_show_byte(got, got_len, d);
    char *el = bol < want_len ? iot_show_line(want, want_len, want + bol, d - bol)
                              : strdup("(end of the output)");
    char *gl = bol < got_len ? iot_show_line(got, got_len, got + bol, d - bol)
                             : strdup("(end of the output)");
    int rc = -1;
    if (eb && gb && el && gl &&
        asprintf(why, "line %zu, column %zu: expected %s, got %s\n  expected: %s\n  got:      %s",
                 line, d - bol + 1, eb, gb, el, gl) >= 0)
        rc = 0;
    free(eb);
    free(gb);
    free(el);
    free(gl);
    return rc;
}

int iot_compare(enum cfg_io_compare mode, double tol, double rel, const char *want,
                size_t want_len, const char *got, size_t got_len, char **why)
{
    *why = NULL;
    if (mode == CFG_IO_EXACT)
        return iot_compare_exact(want, want_len, got, got_len, why);
    return iot_compare_words(mode == CFG_IO_NUMERIC, tol, rel, want, want_len, got, got_len,
                             why);
}

/* ---- one run --------------------------------------------------------------- */

/* Appends check `name` to t (message consumed; NULL is out of memory). */
static int iot_add_check(struct res_test *t, const char *name, bool passed, char *message)
{
    struct res_check *v = realloc(t->checks, (t->nchecks + 1) * sizeof *v);
    if (!v || !message) {
        free(message);
        if (v)
            t->checks = v;
        return -1;
    }
    t->checks = v;
    struct res_check *c = &v[t->nchecks++];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->passed = passed;
    c->message = message;
    t->total++;
    t->passed += passed;
    return c->name ? 0 : -1;
}

/* The expected text of a stream: inline, or the file's (-1: unreadable, err). */
static int iot_expected(const char *text, const char *file, char **out, size_t *len,
                        char *err, size_t errlen)
{
    if (text) {
        *out = strdup(text);
        *len = strlen(text);
        return *out ? 0 : iot_errf(err, errlen, "out of memory");
    }
    if (fs_read_file(file, IOT_EXPECTED_MAX, out, len) < 0)
        return iot_errf(err, errlen, "cannot read the expected output %s: %s", file,
                        strerror(errno));
    return 0;
}

/* One stream's check: cut by the sandbox, or compared. */
static int iot_check_stream(const struct cfg_test *ct, const char *name, const char *text,
                            const char *file, const char *got, size_t got_len,
                            uint64_t total, uint64_t limit, struct res_test *t,
                            char *err, size_t errlen)
{
    const struct cfg_io_test *io = &ct->io;
    char *want = NULL, *why = NULL;
    size_t want_len = 0;
    if (iot_expected(text, file, &want, &want_len, err, errlen) < 0)
        return -1;
    int rc;
    if (total > limit) {
        rc = asprintf(&why, "the program wrote %llu bytes to %s, more than the output limit "
                      "(%llu bytes)", (unsigned long long)total, name,
                      (unsigned long long)limit) < 0 ? -1 : 0;
    } else {
        rc = iot_compare(io->compare, io->tolerance, io->relative, want, want_len, got,
                         got_len, &why);
    }
    free(want);
    if (rc < 0 || iot_add_check(t, name, rc == 1, rc == 1 ? strdup("Passed") : why) < 0)
        return iot_errf(err, errlen, "out of memory");
    return 0;
}

static int iot_check_exit(const struct cfg_test *ct, const struct sbx_result *r,
                          struct res_test *t, char *err, size_t errlen)
{
    bool exited = r->status == SBX_OK || r->status == SBX_EXIT_NONZERO;
    bool ok = exited && r->exit_code == ct->io.exit_status;
    char *msg = NULL;
    if (ok)
        msg = strdup("Passed");
    else if (exited && asprintf(&msg, "expected exit status %d, got %d", ct->io.exit_status,
                                r->exit_code) < 0)
        msg = NULL;
    else if (!exited && asprintf(&msg, "expected exit status %d; the program did not finish: %s",
                                 ct->io.exit_status, r->message) < 0)
        msg = NULL;
    if (iot_add_check(t, "exit status", ok, msg) < 0)
        return iot_errf(err, errlen, "out of memory");
    return 0;
}

/* "stdout (N bytes):\n...\n" and the same of stderr, for the reports. */
static char *iot_output(const struct sbx_result *r)
{
    char *o = r->out_len ? iot_clean(r->out, r->out_len, IOT_OUTPUT_SHOWN, true) : NULL;
    char *e = r->err_len ? iot_clean(r->err, r->err_len, IOT_OUTPUT_SHOWN, true) : NULL;
    char *out = NULL;
    if ((r->out_len && !o) || (r->err_len && !e) ||
        asprintf(&out, "%s%s%s%s%s%s", o ? "stdout:\n" : "", o ? o : "",
                 o && o[0] && o[strlen(o) - 1] != '\n' ? "\n" : "", e ? "stderr:\n" : "",
                 e ? e : "", e && e[0] && e[strlen(e) - 1] != '\n' ? "\n" : "") < 0)
        out = NULL;
    free(o);
    free(e);
    return out;
}

/* The verdict and message once the checks are in. */
static int iot_verdict(struct res_test *t, const struct sbx_result *r)
{
    bool ended = r->status == SBX_OK || r->status == SBX_EXIT_NONZERO;
    char *msg = NULL;
    int rc;
    if (!ended) {
        t->status = RES_ERROR;
        rc = asprintf(&msg, "the program did not finish: %s", r->message);
    } else if (t->passed == t->total) {
        t->status = RES_PASSED;
        rc = asprintf(&msg, "all %u checks passed", t->total);
    } else {
        t->status = RES_FAILED;
        rc = asprintf(&msg, "%u of %u checks failed", t->total - t->passed, t->total);
    }
    t->message = rc < 0 ? NULL : msg;
    if (t->status != RES_PASSED)
        t->failed_runs = 1;
    return t->message ? 0 : -1;
}

/* The run folder: the program and the test's files, usable by the sandbox user. */
static int iot_stage(const struct cfg_test *ct, const char *program, const char *prog_name,
                     const struct sbx_opts *base, char *dir, char *err, size_t errlen)
{
    if (!mkdtemp(dir))
        return iot_errf(err, errlen, "cannot create a run folder in %s: %s", dir,
                        strerror(errno));
    char *dst = fs_join(dir, prog_name);
    int rc = dst && chmod(dir, 0770) == 0 && fs_copy_file(program, dst) == 0 &&
             chmod(dst, 0755) == 0 ? 0 : -1;
    free(dst);
    for (size_t i = 0; rc == 0 && i < ct->io.files.n; i++) {
        const char *src = ct->io.files.v[i];
        dst = fs_join(dir, strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
        rc = dst && fs_copy_file(src, dst) == 0 ? 0 : -1;
        free(dst);
    }
    if (rc == 0 && geteuid() == 0 && fs_chown_tree(dir, base->uid, base->gid) < 0)
        rc = -1;
    return rc < 0 ? iot_errf(err, errlen, "cannot prepare the run folder %s: %s", dir,
                             strerror(errno)) : 0;
}

/* The inline stdin into a file of run_root (outside the run folder). */
static int iot_stdin_file(const char *text, const char *run_root, char **path, char *err,
                          size_t errlen)
{
    if (asprintf(path, "%s/stdin-XXXXXX", run_root) < 0) {
        *path = NULL;
        return iot_errf(err, errlen, "out of memory");
    }
    int fd = mkstemp(*path);
    size_t n = strlen(text);
    bool ok = fd >= 0 && write(fd, text, n) == (ssize_t)n;
    if (fd >= 0 && close(fd) < 0)
        ok = false;
    if (!ok) {
        if (fd >= 0)
            unlink(*path);
        iot_errf(err, errlen, "cannot write the stdin of %s: %s", "an io test", strerror(errno));
        free(*path);
        *path = NULL;
        return -1;
    }
    return 0;
}

/* The environment: the grader's three, then the test's (which win). */
static void iot_env(const struct cfg_io_test *io, const char *env[], size_t max)
{
    static const char *const base[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C"};
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t len = strcspn(base[i], "=") + 1;
        bool overridden = false;
        for (size_t j = 0; j < io->env.n; j++)
            overridden |= strncmp(io->env.v[j], base[i], len) == 0;
        if (!overridden)
            env[n++] = base[i];
    }
    for (size_t j = 0; j < io->env.n && n + 1 < max; j++)
        env[n++] = io->env.v[j];
    env[n] = NULL;
}

/* Runs the program in dir; 0, or -1 (err) when the sandbox failed. */
static int iot_exec(const struct cfg_test *ct, const char *dir, const char *prog_name,
                    const char *stdin_path, const struct sbx_opts *base,
                    struct sbx_result *r, char *err, size_t errlen)
{
    const struct cfg_io_test *io = &ct->io;
    const struct cfg_limits *cl = &ct->limits;
    struct sbx_limits lim = {cl->cpu_ms, cl->wall_ms, cl->memory_bytes, cl->processes,
                             cl->output_bytes, cl->file_size_bytes};
    const char *env[64];
    char **argv = calloc(io->args.n + 2, sizeof *argv);
    char *arg0 = NULL;
    if (!argv || asprintf(&arg0, "./%s", prog_name) < 0) {
        free(argv);
        return iot_errf(err, errlen, "out of memory");
    }
    argv[0] = arg0;
    for (size_t i = 0; i < io->args.n; i++)
        argv[i + 1] = io->args.v[i];
    iot_env(io, env, sizeof env / sizeof env[0]);
    struct sbx_opts o = *base;
    o.workdir = dir;
    o.env = env;
    o.stdin_path = stdin_path;
    o.ro_binds = NULL;
    int rc = sbx_run(&lim, &o, argv, r);
    free(arg0);
    free(argv);
    return rc < 0 ? iot_errf(err, errlen, "sandbox: %s", r->message) : 0;
}

int iot_run(const struct cfg_test *ct, const char *program, const char *run_root,
            const struct sbx_opts *base, struct res_test *t, char *err, size_t errlen)
{
    const struct cfg_io_test *io = &ct->io;
    struct sbx_result r = {0};
    char *dir = NULL, *stdin_tmp = NULL;
    const char *prog_name = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
    int rc = -1;
    memset(t, 0, sizeof *t);
    t->cfg = ct;
    t->max_score = ct->points;
    t->runs = 1;
    if (asprintf(&dir, "%s/run-XXXXXX", run_root) < 0) {
        dir = NULL;
        return iot_errf(err, errlen, "out of memory");
    }
    if (iot_stage(ct, program, prog_name, base, dir, err, errlen) < 0 ||
        (io->stdin_text && iot_stdin_file(io->stdin_text, run_root, &stdin_tmp, err,
                                          errlen) < 0) ||
        iot_exec(ct, dir, prog_name, stdin_tmp ? stdin_tmp : io->stdin_file, base, &r, err,
                 errlen) < 0)
        goto done;
    uint64_t limit = ct->limits.output_bytes;
    if ((io->has_stdout && iot_check_stream(ct, "stdout", io->stdout_text, io->stdout_file,
                                            r.out, r.out_len, r.out_total, limit, t, err,
                                            errlen) < 0) ||
        (io->has_stderr && iot_check_stream(ct, "stderr", io->stderr_text, io->stderr_file,
                                            r.err, r.err_len, r.err_total, limit, t, err,
                                            errlen) < 0) ||
        (io->has_exit && iot_check_exit(ct, &r, t, err, errlen) < 0))
        goto done;
    t->output = iot_output(&r);
    t->wall_ms = r.wall_ms;
    t->cpu_ms = r.cpu_ms;
    if (!t->output || iot_verdict(t, &r) < 0) {
        iot_errf(err, errlen, "out of memory");
        goto done;
    }
    rc = 0;
done:
    if (dir && strstr(dir, "XXXXXX") == NULL)
        fs_remove_tree(dir);
    if (stdin_tmp)
        unlink(stdin_tmp);
    free(dir);
    free(stdin_tmp);
    sbx_result_release(&r);
    return rc;
}
