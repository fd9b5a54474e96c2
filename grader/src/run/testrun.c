/*
 * testrun.c -- run one graded unit in the sandbox; read Check's XML.
 */
#include "run/testrun.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/fsutil.h"
#include "run/crashloc.h"
#include "run/tsan.h"

#define TRUN_XML_MAX (8u << 20)   /* a results file is a few KiB */
#define TRUN_LIST_MS 10000

static void trun_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void trun_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

int trun_list(const char *program, struct strv *ids, char *err, size_t errlen)
{
    struct sbx_limits lim = {.cpu_ms = TRUN_LIST_MS, .wall_ms = TRUN_LIST_MS,
                             .output_bytes = 1u << 20};
    struct sbx_opts o;
    struct sbx_result r = {0};
    char *const argv[] = {(char *)program, "--list", NULL};
    sbx_opts_init(&o);
    o.use_bwrap = 0;
    o.uid = geteuid();
    o.gid = getegid();
    o.workdir = "/";
    if (sbx_run(&lim, &o, argv, &r) < 0 || r.status != SBX_OK) {
        trun_errf(err, errlen, "%s --list failed: %s", program,
                  r.message[0] ? r.message : "no output");
        sbx_result_release(&r);
        return -1;
    }
    char *save = NULL;
    for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        if (*line)
            strv_push(ids, line);
    }
    sbx_result_release(&r);
    if (ids->oom) {
        trun_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static char *trun_child_text(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) {
            xmlChar *s = xmlNodeGetContent(c);
            char *copy = strdup(s ? (const char *)s : "");
            xmlFree(s);
            return copy;
        }
    }
    return strdup("");
}

/* Appends the <test> element `node` to t->checks. */
static int trun_add_check(struct res_test *t, xmlNode *node)
{
    struct res_check *checks = realloc(t->checks, (t->nchecks + 1) * sizeof *checks);
    if (!checks)
        return -1;
    t->checks = checks;
    struct res_check *c = &checks[t->nchecks++];
    xmlChar *result = xmlGetProp(node, (const xmlChar *)"result");
    c->passed = result && strcmp((const char *)result, "success") == 0;
    xmlFree(result);
    c->name = trun_child_text(node, "id");
    c->message = trun_child_text(node, "message");
    c->where = trun_child_text(node, "fn");
    t->total++;
    if (c->passed)
        t->passed++;
    return c->name && c->message && c->where ? 0 : -1;
}

int trun_parse_xml(const char *path, struct res_test *t)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, TRUN_XML_MAX, &text, &len) < 0)
        return -1;
    xmlDoc *doc = xmlReadMemory(text, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    free(text);
    if (!doc)
        return -1;
    int rc = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "testsuites") != 0)
        rc = -1;
    for (xmlNode *s = root ? root->children : NULL; s && rc == 0; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "suite") != 0)
            continue;
        for (xmlNode *n = s->children; n && rc == 0; n = n->next)
            if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "test") == 0)
                rc = trun_add_check(t, n);
    }
    xmlFreeDoc(doc);
    return rc;
}

/*
 * The harness's notes in the unit's stderr: "tc-leak: ..." lines (see
 * tcheck.h), one per line without the prefix, after a line saying what
 * they cost; NULL if none.  *leaks counts them.
 */
static char *trun_notes(const char *err, double deduct, unsigned *leaks)
{
    static const char tag[] = "tc-leak: ";
    char *buf = NULL;
    size_t len = 0;
    *leaks = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    err = err ? err : "";
    for (const char *p = err; (p = strstr(p, tag)); ) {
        if (p != err && p[-1] != '\n') {   /* only at the start of a line */
            p += sizeof tag - 1;
            continue;
        }
        p += sizeof tag - 1;
        size_t n = strcspn(p, "\n");
        if (++*leaks == 1 && deduct > 0)
            fprintf(f, "memory leaks cost %g%% of this unit's points:\n", deduct * 100.0);
        fprintf(f, "memory: %.*s\n", (int)n, p);
        p += n;
    }
    if (fclose(f) != 0 || len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Whether t has a check (a test of the unit) named name[0..len). */
static bool trun_has_check(const struct res_test *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->nchecks; i++)
        if (strlen(t->checks[i].name) == len && strncmp(t->checks[i].name, name, len) == 0)
            return true;
    return false;
}

/*
 * The tests named by the harness's "\ntc-threads: TEST\n" notes in err,
 * the tests that ran code on threads: one name a line, or NULL (none, or
 * out of memory: *oom).  Only the unit's own tests count (t->checks): the
 * student's code can print a note too, and a name the runner does not
 * know would make the whole TSan run a usage error.
 */
static char *trun_threaded(const char *err, const struct res_test *t, bool *oom)
{
    static const char tag[] = "\ntc-threads: ";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *oom = f == NULL;
    for (const char *p = err ? err : ""; f && (p = strstr(p, tag)); ) {
        p += sizeof tag - 1;
        size_t n = strcspn(p, "\n");
        if (n > 0 && p[n] == '\n' && trun_has_check(t, p, n))
            fprintf(f, "%.*s\n", (int)n, p);
    }
    if (f && fclose(f) != 0)
        *oom = true;
    if (*oom || len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Whether the line at p is a note of the harness (tcheck.h). */
static bool trun_is_note(const char *p)
{
    return strncmp(p, "tc-leak: ", 9) == 0 || strncmp(p, "tc-threads: ", 12) == 0;
}

/*
 * Removes the harness's notes from a unit's stderr, in place: each is
 * "\n" + its line (tcheck.h), so what the student's code printed comes
 * back as it was.  The notes reach the student as notes, not as output.
 */
static void trun_drop_notes(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (*r == '\n' && trun_is_note(r + 1)) {
            const char *end = strchr(r + 1, '\n');
            r = end ? end + 1 : r + strlen(r);
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* The unit's stdout then stderr (without the harness's notes), as one string. */
static char *trun_output(const char *out, const char *err)
{
    char *s = NULL, *e = strdup(err ? err : "");
    out = out ? out : "";
    if (!e)
        return NULL;
    trun_drop_notes(e);
    const char *sep = *out && *e && out[strlen(out) - 1] != '\n' ? "\n" : "";
    if (asprintf(&s, "%s%s%s", out, sep, e) < 0)
        s = NULL;
    free(e);
    return s;
}

/*
 * Where the unit's crashed or hung tests were (crashloc.h): the failed
 * check of each gets " (crashed (SIGSEGV) in relu() at kernels.c:172)"
 * after its message, and the runner's tc-location lines (offsets, and the
 * names of hidden tests) leave t->output.  Without addr2line the checks
 * still say what happened, without a line.  -1 only when out of memory.
 */
static int trun_locate(struct res_test *t, const char *err, const char *program,
                       const struct sbx_opts *opts)
{
    struct cloc_set set = {0};
    char why[256];
    int rc = cloc_parse(err, &set);
    if (rc == 0 && set.n > 0)
        (void)cloc_locate(&set, program, opts, why, sizeof why);
    for (size_t i = 0; rc == 0 && i < set.n; i++) {
        struct res_check *c = NULL;
        for (size_t k = 0; !c && k < t->nchecks; k++)
            if (!t->checks[k].passed && strcmp(t->checks[k].name, set.v[i].test) == 0)
                c = &t->checks[k];
        if (c)
            c->waited = cloc_site_waited(&set.v[i]);
        char *what = c ? cloc_describe(&set, &set.v[i]) : NULL, *msg = NULL;
        if (c && (!what || asprintf(&msg, "%s (%s)", c->message, what) < 0))
            rc = -1;
        if (msg) {
            free(c->message);
            c->message = msg;
        }
        free(what);
    }
    cloc_release(&set);
    char *output = rc == 0 && t->output ? cloc_strip(t->output) : NULL;
    if (output) {
        free(t->output);
        t->output = output;
    }
    return rc == 0 && (output || !t->output) ? 0 : -1;
}

/*
 * The runner's --budget: the unit's wall limit less a margin for starting
 * the sandbox and writing the results, so a hung check is named by Check
 * (and the checks that passed keep their points) before the sandbox's
 * wall-clock kill, which would lose the whole unit.
 */
static double trun_budget_s(const struct cfg_limits *lim)
{
    double s = (double)lim->wall_ms / 1000.0 * 0.9;
    return s < 1.0 ? 1.0 : s;
}

static void trun_verdict(struct res_test *t, const struct sbx_result *r, bool have_xml)
{
    char *msg = NULL;
    if (!have_xml || t->total == 0) {
        t->status = RES_ERROR;
        if (r->status == SBX_OK || r->status == SBX_EXIT_NONZERO)
            msg = strdup(have_xml ? "no checks ran"
                                  : "the test program ended without writing results");
        else
            msg = strdup(r->message);
    } else if (t->passed == t->total) {
        t->status = RES_PASSED;
        if (asprintf(&msg, "all %u checks passed", t->total) < 0)
            msg = NULL;
    } else {
        t->status = RES_FAILED;
        if (asprintf(&msg, "%u of %u checks failed", t->total - t->passed, t->total) < 0)
            msg = NULL;
    }
    t->message = msg;
}

/*
 * Runs unit ct->id of `program` under `cl` (RLIMIT_AS: memory unless
 * no_as) with its XML results at xml_dir/results-ID.xml; *xml gets that
 * path (malloc'd).  0, or -1 with err if the grader failed.
 */
static int trun_exec(const struct cfg_test *ct, const char *tests, const struct cfg_limits *cl,
                     bool no_as, const char *program, const struct sbx_opts *opts,
                     const char *xml_dir, struct sbx_result *r, char **xml, char *err,
                     size_t errlen)
{
    struct sbx_limits lim = {
        .cpu_ms = cl->cpu_ms,
        .wall_ms = cl->wall_ms,
        .memory_bytes = no_as ? 0 : cl->memory_bytes,
        .processes = cl->processes,
        .output_bytes = cl->output_bytes,
        .file_size_bytes = cl->file_size_bytes,
    };
    char budget[32];
    if (asprintf(xml, "%s/results-%s.xml", xml_dir, ct->id) < 0) {
        *xml = NULL;
        trun_errf(err, errlen, "out of memory");
        return -1;
    }
    /* ids are [a-z0-9_/]: only the '/' needs replacing in a file name */
    for (char *p = *xml + strlen(xml_dir) + 1; *p; p++)
        if (*p == '/')
            *p = '-';
    unlink(*xml);
    snprintf(budget, sizeof budget, "%.3f", trun_budget_s(cl));
    struct strv argv = {0};
    strv_push_all(&argv, (char *const[]){(char *)program, "--quiet", "--notes", "--xml", *xml,
                                         "--budget", budget}, 7);
    if (!tests)
        strv_push_all(&argv, (char *const[]){"--only", ct->id}, 2);
    for (const char *p = tests; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
        strv_push(&argv, "--only");
        strv_pushf(&argv, "%s/%.*s", ct->id, (int)strcspn(p, "\n"), p);
    }
    int rc = 0;
    if (argv.oom)
        rc = (trun_errf(err, errlen, "out of memory"), -1);
    else if (sbx_run(&lim, opts, argv.v, r) < 0)
        rc = (trun_errf(err, errlen, "sandbox: %s", r->message), -1);
    strv_clear(&argv);
    return rc;
}

/*
 * The rest of trun_unit() once its run ended (r: how; out, err: its own
 * streams): verdict, output, notes, crash sites.  0, or -1 when out of
 * memory.
 */
static int trun_finish(struct res_test *t, const struct cfg_test *ct, const struct sbx_result *r,
                       bool have_xml, const char *out, const char *err, const char *program,
                       const struct sbx_opts *opts)
{
    trun_verdict(t, r, have_xml);
    t->output = trun_output(out, err);
    bool oom = false;
    if (t->status == RES_PASSED || t->status == RES_FAILED) {
        t->notes = trun_notes(err, ct->leak_deduct, &t->leaks);
        t->threaded = trun_threaded(err, t, &oom);
    }
    if (t->status == RES_FAILED && trun_locate(t, err, program, opts) < 0)
        return -1;
    if (t->status != RES_PASSED)
        t->failed_runs = 1;
    return t->message && t->output && !oom ? 0 : -1;
}

static void trun_start(struct res_test *t, const struct cfg_test *ct)
{
    memset(t, 0, sizeof *t);
    t->cfg = ct;
    t->max_score = ct->points;
    t->runs = 1;
}

int trun_unit(const struct cfg_test *ct, const char *program,
              const struct sbx_opts *opts, struct res_test *t,
              char *err, size_t errlen)
{
    struct sbx_result r = {0};
    char *xml = NULL;
    trun_start(t, ct);
    if (trun_exec(ct, NULL, &ct->limits, false, program, opts, opts->workdir, &r, &xml, err,
                  errlen) < 0) {
        sbx_result_release(&r);
        free(xml);
        return -1;
    }
    bool have_xml = trun_parse_xml(xml, t) == 0;
    int rc = trun_finish(t, ct, &r, have_xml, r.out, r.err, program, opts);
    if (rc < 0)
        trun_errf(err, errlen, "out of memory");
    t->wall_ms = r.wall_ms;
    t->cpu_ms = r.cpu_ms;
    unlink(xml);
    free(xml);
    sbx_result_release(&r);
    return rc;
}

int trun_tsan_unit(const struct cfg_test *ct, const char *tests, const struct cfg_limits *lim,
                   const char *program, const struct sbx_opts *opts, const char *xml_dir,
                   const char *const files[], size_t nfiles, struct trun_tsan *out,
                   char *err, size_t errlen)
{
    struct sbx_result r = {0};
    struct res_test run = {.cfg = ct};
    char *xml = NULL;
    unsigned n = 0;
    memset(out, 0, sizeof *out);
    int rc = trun_exec(ct, tests, lim, true, program, opts, xml_dir, &r, &xml, err, errlen);
    if (rc == 0) {
        out->races = tsan_races(r.err, files, nfiles, &n);
        trun_verdict(&run, &r, trun_parse_xml(xml, &run) == 0);
        run.wall_ms = r.wall_ms;
        run.cpu_ms = r.cpu_ms;
        out->verdict = run.status;
        out->stalled = res_test_stalled(&run);
        out->verdict_msg = run.message;
        run.message = NULL;
        if ((n > 0 && !out->races) || !out->verdict_msg) {
            trun_errf(err, errlen, "out of memory");
            trun_tsan_release(out);
            rc = -1;
        }
    }
    res_test_release(&run);
    if (xml)
        unlink(xml);
    free(xml);
    sbx_result_release(&r);
    return rc;
}

void trun_tsan_release(struct trun_tsan *out)
{
    free(out->races);
    free(out->verdict_msg);
    memset(out, 0, sizeof *out);
}

/* ---- several units in one run, each its own (grading) --------------------------- */

/* Where each unit's text is in the group run's streams. */
struct trun_part {
    const char *out, *err;       /* into the run's out/err; NULL: not found */
    size_t out_len, err_len;
    unsigned long long wall_ms, cpu_ms;
};

/*
 * Finds unit i's part of stdout, from *pos on: "tc-unit: ID\n", its
 * summary, "tc-unit-end: WALL CPU\n".  Only the runner writes stdout (the
 * tests' fd 1 is stderr).  false if it is not there.
 */
static bool trun_part_out(const char **pos, const char *id, struct trun_part *p)
{
    static const char end[] = "tc-unit-end: ";
    size_t idlen = strlen(id);
    const char *s = *pos;
    if (strncmp(s, "tc-unit: ", 9) != 0 || strncmp(s + 9, id, idlen) != 0 ||
        s[9 + idlen] != '\n')
        return false;
    p->out = s + 10 + idlen;
    const char *e = strstr(p->out, end);
    if (!e || (e != p->out && e[-1] != '\n') ||
        sscanf(e + sizeof end - 1, "%llu %llu", &p->wall_ms, &p->cpu_ms) != 2)
        return false;
    p->out_len = (size_t)(e - p->out);
    const char *nl = strchr(e, '\n');
    if (!nl)
        return false;
    *pos = nl + 1;
    return true;
}

/* The marker "\ntc-unit: ID\n" of stderr at or after from, or NULL. */
static const char *trun_err_marker(const char *from, const char *id)
{
    char *m = NULL;
    if (asprintf(&m, "\ntc-unit: %s\n", id) < 0)
        return NULL;
    const char *at = strstr(from, m);
    free(m);
    return at;
}

/*
 * Cuts the group run's output into the units' parts; ok[i] false where
 * unit i's is missing or longer than its own run could have kept, and
 * for every unit when a marker the runner always prints is missing.
 */
static void trun_parts(const struct sbx_result *r, const struct cfg_test *const cts[], size_t n,
                       struct trun_part parts[], bool ok[])
{
    const char *out = r->out ? r->out : "", *err = r->err ? r->err : "";
    const char *at = trun_err_marker(err, cts[0]->id);
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        struct trun_part *p = &parts[i];
        memset(p, 0, sizeof *p);
        ok[i] = trun_part_out(&out, cts[i]->id, p) && at;
        if (!at) {
            all = false;
            break;
        }
        p->err = at + strlen(cts[i]->id) + 11;   /* past "\ntc-unit: ID\n" */
        at = i + 1 < n ? trun_err_marker(p->err, cts[i + 1]->id) : NULL;
        p->err_len = at ? (size_t)(at - p->err) : strlen(p->err);
        uint64_t cap = cts[i]->limits.output_bytes ? cts[i]->limits.output_bytes : 64u << 10;
        if (p->out_len > cap || p->err_len > cap)
            ok[i] = false;       /* its own run would have cut it: run it alone */
    }
    for (size_t i = 0; !all && i < n; i++)
        ok[i] = false;
}

/* Unit i of a group run, from its part: what trun_unit() would have made of it. */
static int trun_group_unit(const struct cfg_test *ct, const struct trun_part *p,
                           const struct sbx_result *r, const char *xml, const char *program,
                           const struct sbx_opts *opts, struct res_test *t, bool *ok)
{
    char *out = strndup(p->out, p->out_len), *err = strndup(p->err, p->err_len);
    int rc = out && err ? 0 : -1;
    trun_start(t, ct);
    if (rc == 0 && trun_parse_xml(xml, t) < 0)
        *ok = false;             /* no results of its own: run it alone */
    else if (rc == 0)
        rc = trun_finish(t, ct, r, true, out, err, program, opts);
    t->wall_ms = p->wall_ms;
    t->cpu_ms = p->cpu_ms;
    free(out);
    free(err);
    return rc;
}

/* The group's run: the units' limits, with the wall clock of them all. */
static struct sbx_limits trun_group_limits(const struct cfg_test *const cts[], size_t n)
{
    const struct cfg_limits *cl = &cts[0]->limits;
    struct sbx_limits lim = {
        .cpu_ms = cl->cpu_ms, .wall_ms = 0, .memory_bytes = cl->memory_bytes,
        .processes = cl->processes,
        .output_bytes = (cl->output_bytes ? cl->output_bytes : 64u << 10) * n,
        .file_size_bytes = cl->file_size_bytes,
    };
    for (size_t i = 0; i < n; i++)
        lim.wall_ms += cts[i]->limits.wall_ms;
    return lim;
}

/* Whether the group's run ended as a runner that ran every unit does. */
static bool trun_group_whole(const struct sbx_result *r)
{
    bool ended = r->status == SBX_OK || (r->status == SBX_EXIT_NONZERO && r->exit_code == 1);
    return ended && r->out_total == r->out_len && r->err_total == r->err_len;
}

int trun_group(const struct cfg_test *const cts[], size_t n, const char *program,
               const struct sbx_opts *opts, struct res_test ts[], bool ok[],
               char *err, size_t errlen)
{
    struct sbx_limits lim = trun_group_limits(cts, n);
    struct sbx_result r = {0};
    struct strv argv = {0}, xmls = {0};
    struct trun_part *parts = calloc(n ? n : 1, sizeof *parts);
    char budget[32];
    for (size_t i = 0; i < n; i++) {
        ok[i] = false;
        trun_start(&ts[i], cts[i]);
        strv_pushf(&xmls, "%s/results-%s.xml", opts->workdir, cts[i]->id);
    }
    snprintf(budget, sizeof budget, "%.3f", trun_budget_s(&cts[0]->limits));
    strv_push_all(&argv, (char *const[]){(char *)program, "--quiet", "--notes", "--each-xml",
                                         (char *)opts->workdir, "--budget", budget}, 7);
    for (size_t i = 0; i < n; i++)
        strv_push_all(&argv, (char *const[]){"--only", cts[i]->id}, 2);
    int rc = parts && !argv.oom && !xmls.oom ? 0 : (trun_errf(err, errlen, "out of memory"), -1);
    for (size_t i = 0; rc == 0 && i < n; i++) {   /* ids are [a-z0-9_/] */
        for (char *c = xmls.v[i] + strlen(opts->workdir) + 1; *c; c++)
            *c = *c == '/' ? '-' : *c;
        unlink(xmls.v[i]);
    }
    if (rc == 0 && sbx_run(&lim, opts, argv.v, &r) < 0)
        rc = (trun_errf(err, errlen, "sandbox: %s", r.message), -1);
    if (rc == 0 && trun_group_whole(&r))
        trun_parts(&r, cts, n, parts, ok);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (ok[i] && trun_group_unit(cts[i], &parts[i], &r, xmls.v[i], program, opts, &ts[i],
                                     &ok[i]) < 0)
            rc = (trun_errf(err, errlen, "out of memory"), -1);
    for (size_t i = 0; i < n; i++) {
        if (i < xmls.n)
            unlink(xmls.v[i]);
        if (!ok[i] || rc < 0) {  /* the caller runs it alone, or gives up */
            res_test_release(&ts[i]);
            trun_start(&ts[i], cts[i]);
        }
    }
    strv_clear(&xmls);
    strv_clear(&argv);
    free(parts);
    sbx_result_release(&r);
    return rc;
}

/* ---- several units in one run (mutation analysis) ----------------------------- */

/* The unit of a <test>: its suite's title, '/', its description (the case). */
static struct res_test *trun_unit_of(const char *suite, xmlNode *test,
                                     const struct cfg_test *const cts[], size_t n,
                                     struct res_test ts[])
{
    char *desc = trun_child_text(test, "description");
    struct res_test *t = NULL;
    size_t ls = strlen(suite);
    for (size_t i = 0; desc && !t && i < n; i++)
        if (strncmp(cts[i]->id, suite, ls) == 0 && cts[i]->id[ls] == '/' &&
            strcmp(cts[i]->id + ls + 1, desc) == 0)
            t = &ts[i];
    free(desc);
    return t;
}

static int trun_parse_units(const char *path, const struct cfg_test *const cts[], size_t n,
                            struct res_test ts[])
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, TRUN_XML_MAX, &text, &len) < 0)
        return -1;
    xmlDoc *doc = xmlReadMemory(text, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(text);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int rc = root && strcmp((const char *)root->name, "testsuites") == 0 ? 0 : -1;
    for (xmlNode *s = root ? root->children : NULL; s && rc == 0; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "suite") != 0)
            continue;
        char *title = trun_child_text(s, "title");
        for (xmlNode *e = s->children; title && e && rc == 0; e = e->next) {
            if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "test") != 0)
                continue;
            struct res_test *t = trun_unit_of(title, e, cts, n, ts);
            if (t)
                rc = trun_add_check(t, e);
        }
        rc = title ? rc : -1;
        free(title);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* Counts the harness's tc-leak lines in the run's stderr for the tests of each unit. */
static void trun_units_leaks(const struct sbx_result *r, struct res_test ts[], size_t n)
{
    static const char tag[] = "tc-leak: ";
    for (const char *p = r->err ? r->err : ""; (p = strstr(p, tag)); p += sizeof tag - 1) {
        if (p != r->err && p[-1] != '\n')
            continue;
        const char *name = p + sizeof tag - 1;
        size_t len = strcspn(name, ":\n");
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < ts[i].nchecks; c++)
                if (strlen(ts[i].checks[c].name) == len &&
                    strncmp(ts[i].checks[c].name, name, len) == 0)
                    ts[i].leaks++;
    }
}

int trun_units(const struct cfg_test *const cts[], size_t n, const struct cfg_limits *cl,
               const char *program, const struct sbx_opts *opts, struct res_test ts[],
               char *err, size_t errlen)
{
    struct sbx_limits lim = {
        .cpu_ms = cl->cpu_ms, .wall_ms = cl->wall_ms, .memory_bytes = cl->memory_bytes,
        .processes = cl->processes, .output_bytes = cl->output_bytes,
        .file_size_bytes = cl->file_size_bytes,
    };
    struct sbx_result r = {0};
    struct strv argv = {0};
    char *xml = NULL, budget[32];
    for (size_t i = 0; i < n; i++) {
        memset(&ts[i], 0, sizeof ts[i]);
        ts[i].cfg = cts[i];
        ts[i].max_score = cts[i]->points;
    }
    snprintf(budget, sizeof budget, "%.3f", trun_budget_s(cl));
    if (asprintf(&xml, "%s/results-units.xml", opts->workdir) < 0)
        xml = NULL;
    strv_push_all(&argv, (char *const[]){(char *)program, "--quiet", "--xml", xml ? xml : "",
                                         "--budget", budget}, 6);
    for (size_t i = 0; i < n; i++)
        strv_push_all(&argv, (char *const[]){"--only", cts[i]->id}, 2);
    int rc = xml && !argv.oom ? 0 : (trun_errf(err, errlen, "out of memory"), -1);
    if (rc == 0)
        unlink(xml);
    if (rc == 0 && sbx_run(&lim, opts, argv.v, &r) < 0)
        rc = (trun_errf(err, errlen, "sandbox: %s", r.message), -1);
    bool have_xml = rc == 0 && trun_parse_units(xml, cts, n, ts) == 0;
    if (have_xml)
        trun_units_leaks(&r, ts, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        trun_verdict(&ts[i], &r, have_xml);
        ts[i].wall_ms = r.wall_ms;
        ts[i].cpu_ms = r.cpu_ms;
        if (!ts[i].message)
            rc = (trun_errf(err, errlen, "out of memory"), -1);
    }
    if (xml)
        unlink(xml);
    free(xml);
    strv_clear(&argv);
    sbx_result_release(&r);
    return rc;
}
