/*
 * testrun.c -- run one graded unit in the sandbox; read Check's XML.
 */
#include "testrun.h"

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

#include "fsutil.h"

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
 * tcheck.h), deduplicated, one per line without the prefix; NULL if none.
 */
static char *trun_notes(const struct sbx_result *r)
{
    static const char tag[] = "tc-leak: ";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (const char *p = r->err ? r->err : ""; (p = strstr(p, tag)); ) {
        if (p != r->err && p[-1] != '\n') {   /* only at the start of a line */
            p += sizeof tag - 1;
            continue;
        }
        p += sizeof tag - 1;
        size_t n = strcspn(p, "\n");
        fprintf(f, "memory: %.*s\n", (int)n, p);
        p += n;
    }
    if (fclose(f) != 0 || len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The unit's stdout then stderr, as one string. */
static char *trun_output(const struct sbx_result *r)
{
    char *s = NULL;
    const char *out = r->out ? r->out : "", *err = r->err ? r->err : "";
    const char *sep = *out && *err && out[strlen(out) - 1] != '\n' ? "\n" : "";
    if (asprintf(&s, "%s%s%s", out, sep, err) < 0)
        return NULL;
    return s;
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

int trun_unit(const struct cfg_test *ct, const char *program,
              const struct sbx_opts *opts, struct res_test *t,
              char *err, size_t errlen)
{
    struct sbx_limits lim = {
        .cpu_ms = ct->limits.cpu_ms,
        .wall_ms = ct->limits.wall_ms,
        .memory_bytes = ct->limits.memory_bytes,
        .processes = ct->limits.processes,
        .output_bytes = ct->limits.output_bytes,
        .file_size_bytes = ct->limits.file_size_bytes,
    };
    struct sbx_result r = {0};
    char *xml = NULL, budget[32];
    memset(t, 0, sizeof *t);
    t->cfg = ct;
    t->max_score = ct->points;
    if (asprintf(&xml, "%s/results-%s.xml", opts->workdir, ct->id) < 0) {
        trun_errf(err, errlen, "out of memory");
        return -1;
    }
    /* ids are [a-z0-9_/]: only the '/' needs replacing in a file name */
    for (char *p = xml + strlen(opts->workdir) + 1; *p; p++)
        if (*p == '/')
            *p = '-';
    unlink(xml);
    snprintf(budget, sizeof budget, "%.3f", trun_budget_s(&ct->limits));
    char *const argv[] = {(char *)program, "--quiet", "--only", ct->id, "--xml",
                          xml, "--budget", budget, NULL};
    if (sbx_run(&lim, opts, argv, &r) < 0) {
        trun_errf(err, errlen, "sandbox: %s", r.message);
        sbx_result_release(&r);
        free(xml);
        return -1;
    }
    bool have_xml = trun_parse_xml(xml, t) == 0;
    trun_verdict(t, &r, have_xml);
    t->output = trun_output(&r);
    if (t->status == RES_PASSED || t->status == RES_FAILED)
        t->notes = trun_notes(&r);
    t->wall_ms = r.wall_ms;
    t->cpu_ms = r.cpu_ms;
    unlink(xml);
    free(xml);
    sbx_result_release(&r);
    return t->message && t->output ? 0 : -1;
}
