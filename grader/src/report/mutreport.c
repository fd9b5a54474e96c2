/*
 * mutreport.c -- text, Markdown, JSON and HTML reports of a mutation
 * analysis (see mutreport.h).  JSON through jansson, HTML through
 * libxml2's tree (the library escapes); the text formats are built in
 * memory streams.
 */
#include "report/mutreport.h"

#include <errno.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/fsutil.h"

/* ---- the figures every format shows ---------------------------------------- */

/* The distinct values of one field (function or operator), in first-seen order. */
struct mutrep_keys {
    const char **v;
    size_t n;
};

static void mutrep_keys_of(const struct mut_result *r, bool by_op, struct mutrep_keys *k)
{
    k->v = calloc(r->nmutants ? r->nmutants : 1, sizeof *k->v);
    k->n = 0;
    for (size_t i = 0; k->v && i < r->nmutants; i++) {
        const char *key = by_op ? r->mutants[i].op : r->mutants[i].function;
        size_t j = 0;
        while (j < k->n && strcmp(k->v[j], key) != 0)
            j++;
        if (j == k->n)
            k->v[k->n++] = key;
    }
}

/* Mutants of one function or operator: all, and those detected / not equivalent. */
struct mutrep_tally {
    size_t total, detected, scored;
};

static struct mutrep_tally mutrep_tally(const struct mut_result *r, const char *key, bool by_op)
{
    struct mutrep_tally t = {0};
    for (size_t i = 0; i < r->nmutants; i++) {
        const struct mut_mutant *m = &r->mutants[i];
        if (strcmp(by_op ? m->op : m->function, key) != 0)
            continue;
        t.total++;
        t.scored += m->verdict != MUT_EQUIVALENT;
        t.detected += m->verdict == MUT_KILLED || m->verdict == MUT_TIMEOUT;
    }
    return t;
}

static double mutrep_pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static bool mutrep_is_survivor(const struct mut_mutant *m)
{
    return m->verdict == MUT_SURVIVED || m->verdict == MUT_UNCOVERED;
}

static size_t mutrep_detected(const struct mut_result *r)
{
    return mut_count(r, MUT_KILLED) + mut_count(r, MUT_TIMEOUT);
}

/* ---- text ------------------------------------------------------------------------ */

static void mutrep_text_summary(FILE *f, const struct mut_result *r, const char *title)
{
    size_t scored = r->nmutants - mut_count(r, MUT_EQUIVALENT);
    fprintf(f, "Mutation analysis: %s\n", title);
    fprintf(f, "%zu mutants: %zu killed, %zu timed out, %zu survived, %zu not covered, "
            "%zu equivalent\n", r->nmutants, mut_count(r, MUT_KILLED),
            mut_count(r, MUT_TIMEOUT), mut_count(r, MUT_SURVIVED),
            mut_count(r, MUT_UNCOVERED), mut_count(r, MUT_EQUIVALENT));
    fprintf(f, "mutation score: %.1f%% (%zu of %zu non-equivalent mutants detected)\n",
            100.0 * mut_score(r, NULL), mutrep_detected(r), scored);
    fprintf(f, "time: %.1f s with %u worker(s) (mutagen %.1f s, builds %.1f s, reference "
            "%.1f s, mutants %.1f s)\n", (double)r->total_ms / 1000.0, r->jobs,
            (double)r->generate_ms / 1000.0, (double)r->build_ms / 1000.0,
            (double)r->baseline_ms / 1000.0, (double)r->run_ms / 1000.0);
}

static void mutrep_text_table(FILE *f, const struct mut_result *r, bool by_op)
{
    struct mutrep_keys k;
    mutrep_keys_of(r, by_op, &k);
    fprintf(f, "\n%-32s %8s %9s %7s\n", by_op ? "by operator" : "by function", "mutants",
            "detected", "score");
    for (size_t i = 0; i < k.n; i++) {
        struct mutrep_tally t = mutrep_tally(r, k.v[i], by_op);
        fprintf(f, "%-32s %8zu %9zu %6.1f%%\n", k.v[i], t.total, t.detected,
                mutrep_pct(t.detected, t.scored));
    }
    free(k.v);
}

static void mutrep_text_units(FILE *f, const struct mut_result *r)
{
    fprintf(f, "\n%-40s %8s %12s\n", "by graded test", "reaches", "first kills");
    for (size_t u = 0; u < r->nunits; u++) {
        const struct mut_unit *unit = &r->units[u];
        if (unit->ref_passed)
            fprintf(f, "%-40s %8u %12u\n", unit->test->id, unit->reached, unit->first_kills);
        else
            fprintf(f, "%-40s %21s\n", unit->test->id, "fails on the reference");
    }
}

static void mutrep_text_mutant(FILE *f, const struct mut_mutant *m, bool diff)
{
    fprintf(f, "  %s  %s:%u  %s", m->id, m->file, m->line, m->description);
    if (m->verdict == MUT_UNCOVERED)
        fputs("  (no graded test runs this line)", f);
    if (m->killer)
        fprintf(f, "  [%s]", m->killer);
    if (m->detail && (m->verdict == MUT_EQUIVALENT || m->verdict == MUT_TIMEOUT))
        fprintf(f, "\n    %s", m->detail);
    fputc('\n', f);
    if (diff && m->diff && *m->diff)
        for (const char *p = m->diff; *p; ) {
            size_t n = strcspn(p, "\n");
            fprintf(f, "    %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
}

static void mutrep_text_list(FILE *f, const struct mut_result *r, const char *heading,
                             enum mut_verdict a, enum mut_verdict b, bool diff)
{
    size_t n = mut_count(r, a) + (b != a ? mut_count(r, b) : 0);
    if (n == 0)
        return;
    fprintf(f, "\n%s (%zu):\n", heading, n);
    for (size_t i = 0; i < r->nmutants; i++)
        if (r->mutants[i].verdict == a || r->mutants[i].verdict == b)
            mutrep_text_mutant(f, &r->mutants[i], diff);
}

static void mutrep_text_stale(FILE *f, const struct mut_result *r)
{
    if (r->nstale == 0)
        return;
    fprintf(f, "\nequivalent entries in the config that match no mutant (%zu): remove or "
            "update them\n", r->nstale);
    for (size_t i = 0; i < r->nstale; i++)
        fprintf(f, "  %s\n", r->stale[i]);
}

char *mutrep_text(const struct mut_result *r, const char *title)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    mutrep_text_summary(f, r, title);
    mutrep_text_table(f, r, false);
    mutrep_text_table(f, r, true);
    mutrep_text_units(f, r);
    mutrep_text_list(f, r, "survivors: holes in the tests", MUT_SURVIVED, MUT_UNCOVERED, true);
    mutrep_text_list(f, r, "timed out (detected)", MUT_TIMEOUT, MUT_TIMEOUT, false);
    mutrep_text_list(f, r, "equivalent (accepted in the config, not run)", MUT_EQUIVALENT,
                     MUT_EQUIVALENT, false);
    mutrep_text_stale(f, r);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- Markdown ---------------------------------------------------------------------- */

/* A code span whose fence is longer than any backtick run inside. */
static void mutrep_md_code(FILE *f, const char *s)
{
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
    fprintf(f, " %s ", s);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
}

static void mutrep_md_block(FILE *f, const char *lang, const char *text)
{
    size_t run = 0, longest = 2;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
    fprintf(f, "%s\n%s%s", lang, text, *text && text[strlen(text) - 1] != '\n' ? "\n" : "");
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
    fputs("\n\n", f);
}

static void mutrep_md_table(FILE *f, const struct mut_result *r, bool by_op)
{
    struct mutrep_keys k;
    mutrep_keys_of(r, by_op, &k);
    fprintf(f, "| %s | mutants | detected | score |\n|---|---:|---:|---:|\n",
            by_op ? "operator" : "function");
    for (size_t i = 0; i < k.n; i++) {
        struct mutrep_tally t = mutrep_tally(r, k.v[i], by_op);
        fputs("| ", f);
        mutrep_md_code(f, k.v[i]);
        fprintf(f, " | %zu | %zu | %.1f%% |\n", t.total, t.detected,
                mutrep_pct(t.detected, t.scored));
    }
    fputc('\n', f);
    free(k.v);
}

static void mutrep_md_units(FILE *f, const struct mut_result *r)
{
    fputs("| graded test | reaches | first kills |\n|---|---:|---:|\n", f);
    for (size_t u = 0; u < r->nunits; u++) {
        fputs("| ", f);
        mutrep_md_code(f, r->units[u].test->id);
        if (r->units[u].ref_passed)
            fprintf(f, " | %u | %u |\n", r->units[u].reached, r->units[u].first_kills);
        else
            fputs(" | fails on the reference | |\n", f);
    }
    fputc('\n', f);
}

static void mutrep_md_mutant(FILE *f, const struct mut_mutant *m, bool diff)
{
    fputs("- ", f);
    mutrep_md_code(f, m->id);
    fprintf(f, " line %u: ", m->line);
    mutrep_md_code(f, m->description);
    if (m->verdict == MUT_UNCOVERED)
        fputs(" (no graded test runs this line)", f);
    if (m->detail && m->verdict == MUT_EQUIVALENT) {
        fputs(": ", f);
        mutrep_md_code(f, m->detail);
    }
    fputs("\n\n", f);
    if (diff && m->diff && *m->diff)
        mutrep_md_block(f, "diff", m->diff);
}

char *mutrep_markdown(const struct mut_result *r, const char *title)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("# Mutation analysis: ", f);
    mutrep_md_code(f, title);
    fprintf(f, "\n\n**Mutation score: %.1f%%** (%zu of %zu non-equivalent mutants detected). "
            "%zu mutants: %zu killed, %zu timed out, %zu survived, %zu not covered, "
            "%zu equivalent.\n\n", 100.0 * mut_score(r, NULL), mutrep_detected(r),
            r->nmutants - mut_count(r, MUT_EQUIVALENT), r->nmutants,
            mut_count(r, MUT_KILLED), mut_count(r, MUT_TIMEOUT), mut_count(r, MUT_SURVIVED),
            mut_count(r, MUT_UNCOVERED), mut_count(r, MUT_EQUIVALENT));
    mutrep_md_table(f, r, false);
    mutrep_md_table(f, r, true);
    mutrep_md_units(f, r);
    fprintf(f, "## Survivors (%zu)\n\n", mut_count(r, MUT_SURVIVED) + mut_count(r, MUT_UNCOVERED));
    for (size_t i = 0; i < r->nmutants; i++)
        if (mutrep_is_survivor(&r->mutants[i]))
            mutrep_md_mutant(f, &r->mutants[i], true);
    fprintf(f, "## Equivalent (%zu)\n\n", mut_count(r, MUT_EQUIVALENT));
    for (size_t i = 0; i < r->nmutants; i++)
        if (r->mutants[i].verdict == MUT_EQUIVALENT)
            mutrep_md_mutant(f, &r->mutants[i], false);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- JSON ------------------------------------------------------------------------- */

static json_t *mutrep_json_mutant(const struct mut_mutant *m)
{
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:i,s:s}",
                          "index", (json_int_t)m->index, "id", m->id, "file", m->file,
                          "function", m->function, "operator", m->op, "line",
                          (json_int_t)m->line, "end_line", (json_int_t)m->end_line,
                          "description", m->description, "verdict",
                          mut_verdict_name(m->verdict), "units_run",
                          (json_int_t)m->units_run, "diff", m->diff);
    if (o && m->killer)
        json_object_set_new(o, "killed_by", json_string(m->killer));
    if (o && m->detail)
        json_object_set_new(o, m->verdict == MUT_EQUIVALENT ? "reason" : "detail",
                            json_string(m->detail));
    return o;
}

static json_t *mutrep_json_units(const struct mut_result *r)
{
    json_t *a = json_array();
    for (size_t u = 0; a && u < r->nunits; u++)
        json_array_append_new(a, json_pack("{s:s,s:b,s:i,s:i,s:i}", "id", r->units[u].test->id,
                                           "passes_on_reference", r->units[u].ref_passed,
                                           "reference_ms", (json_int_t)r->units[u].ref_wall_ms,
                                           "reaches", (json_int_t)r->units[u].reached,
                                           "first_kills", (json_int_t)r->units[u].first_kills));
    return a;
}

static json_t *mutrep_json_counts(const struct mut_result *r)
{
    json_t *o = json_object();
    for (int v = 0; o && v < MUT_NVERDICTS; v++)
        json_object_set_new(o, mut_verdict_name((enum mut_verdict)v),
                            json_integer((json_int_t)mut_count(r, (enum mut_verdict)v)));
    return o;
}

char *mutrep_json(const struct mut_result *r, const char *title)
{
    json_t *mutants = json_array(), *stale = json_array();
    for (size_t i = 0; mutants && i < r->nmutants; i++)
        json_array_append_new(mutants, mutrep_json_mutant(&r->mutants[i]));
    for (size_t i = 0; stale && i < r->nstale; i++)
        json_array_append_new(stale, json_string(r->stale[i]));
    json_t *doc = json_pack("{s:s,s:f,s:o,s:i,s:{s:i,s:i,s:i,s:i,s:i},s:o,s:o,s:o}",
                            "title", title, "score", mut_score(r, NULL), "counts",
                            mutrep_json_counts(r), "jobs", (json_int_t)r->jobs, "ms",
                            "total", (json_int_t)r->total_ms, "generate",
                            (json_int_t)r->generate_ms, "build", (json_int_t)r->build_ms,
                            "reference", (json_int_t)r->baseline_ms, "mutants",
                            (json_int_t)r->run_ms, "units", mutrep_json_units(r), "mutants",
                            mutants, "stale_equivalent", stale);
    char *s = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    return s;
}

/* ---- HTML ------------------------------------------------------------------------- */

static const char mutrep_css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid "
    "#ddd;padding:.25em .6em;text-align:left}td.n,th.n{text-align:right}"
    "pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.survived{color:#a40000}"
    ".killed{color:#1a6d1a}.score{font-size:1.4em}";

struct mutrep_page {
    xmlDocPtr doc;
    xmlNodePtr body;
    bool failed;
};

static xmlNodePtr mutrep_el(struct mutrep_page *p, xmlNodePtr parent, const char *tag,
                            const char *cls, const char *text)
{
    xmlNodePtr n = parent ? xmlNewChild(parent, NULL, BAD_CAST tag, NULL) : NULL;
    if (!n) {
        p->failed = true;
        return NULL;
    }
    if (cls && !xmlNewProp(n, BAD_CAST "class", BAD_CAST cls))
        p->failed = true;
    if (text) {
        xmlNodePtr t = xmlNewText(BAD_CAST text);
        if (!t || !xmlAddChild(n, t))
            p->failed = true;
    }
    return n;
}

__attribute__((format(printf, 5, 6)))
static xmlNodePtr mutrep_elf(struct mutrep_page *p, xmlNodePtr parent, const char *tag,
                             const char *cls, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s)
        p->failed = true;
    xmlNodePtr n = mutrep_el(p, parent, tag, cls, s ? s : "");
    free(s);
    return n;
}

static void mutrep_html_table(struct mutrep_page *p, const struct mut_result *r, bool by_op)
{
    struct mutrep_keys k;
    mutrep_keys_of(r, by_op, &k);
    xmlNodePtr table = mutrep_el(p, p->body, "table", NULL, NULL);
    xmlNodePtr head = mutrep_el(p, table, "tr", NULL, NULL);
    mutrep_el(p, head, "th", NULL, by_op ? "operator" : "function");
    mutrep_el(p, head, "th", "n", "mutants");
    mutrep_el(p, head, "th", "n", "detected");
    mutrep_el(p, head, "th", "n", "score");
    for (size_t i = 0; i < k.n; i++) {
        struct mutrep_tally t = mutrep_tally(r, k.v[i], by_op);
        xmlNodePtr tr = mutrep_el(p, table, "tr", NULL, NULL);
        mutrep_el(p, tr, "td", NULL, k.v[i]);
        mutrep_elf(p, tr, "td", "n", "%zu", t.total);
        mutrep_elf(p, tr, "td", "n", "%zu", t.detected);
        mutrep_elf(p, tr, "td", "n", "%.1f%%", mutrep_pct(t.detected, t.scored));
    }
    free(k.v);
}

static void mutrep_html_units(struct mutrep_page *p, const struct mut_result *r)
{
    xmlNodePtr table = mutrep_el(p, p->body, "table", NULL, NULL);
    xmlNodePtr head = mutrep_el(p, table, "tr", NULL, NULL);
    mutrep_el(p, head, "th", NULL, "graded test");
    mutrep_el(p, head, "th", "n", "reaches");
    mutrep_el(p, head, "th", "n", "first kills");
    for (size_t u = 0; u < r->nunits; u++) {
        xmlNodePtr tr = mutrep_el(p, table, "tr", NULL, NULL);
        mutrep_el(p, tr, "td", NULL, r->units[u].test->id);
        if (!r->units[u].ref_passed) {
            mutrep_el(p, tr, "td", NULL, "fails on the reference");
            continue;
        }
        mutrep_elf(p, tr, "td", "n", "%u", r->units[u].reached);
        mutrep_elf(p, tr, "td", "n", "%u", r->units[u].first_kills);
    }
}

static void mutrep_html_mutants(struct mutrep_page *p, const struct mut_result *r)
{
    mutrep_el(p, p->body, "h2", NULL, "Every mutant");
    xmlNodePtr table = mutrep_el(p, p->body, "table", NULL, NULL);
    xmlNodePtr head = mutrep_el(p, table, "tr", NULL, NULL);
    const char *cols[] = {"id", "line", "mutation", "verdict", "by", "how"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        mutrep_el(p, head, "th", NULL, cols[i]);
    for (size_t i = 0; i < r->nmutants; i++) {
        const struct mut_mutant *m = &r->mutants[i];
        xmlNodePtr tr = mutrep_el(p, table, "tr", NULL, NULL);
        mutrep_el(p, tr, "td", NULL, m->id);
        mutrep_elf(p, tr, "td", "n", "%u", m->line);
        mutrep_el(p, tr, "td", NULL, m->description);
        mutrep_el(p, tr, "td", mutrep_is_survivor(m) ? "survived" : "killed",
                  mut_verdict_name(m->verdict));
        mutrep_el(p, tr, "td", NULL, m->killer ? m->killer : "");
        mutrep_el(p, tr, "td", NULL, m->detail ? m->detail : "");
    }
}

static void mutrep_html_survivors(struct mutrep_page *p, const struct mut_result *r)
{
    mutrep_elf(p, p->body, "h2", NULL, "Survivors (%zu)",
               mut_count(r, MUT_SURVIVED) + mut_count(r, MUT_UNCOVERED));
    for (size_t i = 0; i < r->nmutants; i++) {
        const struct mut_mutant *m = &r->mutants[i];
        if (!mutrep_is_survivor(m))
            continue;
        mutrep_elf(p, p->body, "h3", "survived", "%s (%s:%u)%s", m->id, m->file, m->line,
                   m->verdict == MUT_UNCOVERED ? ": no graded test runs this line" : "");
        mutrep_el(p, p->body, "p", NULL, m->description);
        mutrep_el(p, p->body, "pre", NULL, m->diff);
    }
}

static void mutrep_html_head(struct mutrep_page *p, xmlNodePtr html, const char *title)
{
    xmlNodePtr head = mutrep_el(p, html, "head", NULL, NULL);
    xmlNodePtr meta = mutrep_el(p, head, "meta", NULL, NULL);
    if (meta && !xmlNewProp(meta, BAD_CAST "charset", BAD_CAST "utf-8"))
        p->failed = true;
    mutrep_elf(p, head, "title", NULL, "Mutation analysis: %s", title);
    mutrep_el(p, head, "style", NULL, mutrep_css);
}

char *mutrep_html(const struct mut_result *r, const char *title)
{
    struct mutrep_page p = {.doc = htmlNewDocNoDtD(NULL, NULL)};
    xmlNodePtr html = p.doc ? xmlNewNode(NULL, BAD_CAST "html") : NULL;
    if (!html || !xmlCreateIntSubset(p.doc, BAD_CAST "html", NULL, NULL)) {
        xmlFreeNode(html);
        xmlFreeDoc(p.doc);
        return NULL;
    }
    xmlDocSetRootElement(p.doc, html);
    mutrep_html_head(&p, html, title);
    p.body = mutrep_el(&p, html, "body", NULL, NULL);
    mutrep_elf(&p, p.body, "h1", NULL, "Mutation analysis: %s", title);
    mutrep_elf(&p, p.body, "p", "score", "Mutation score %.1f%%: %zu of %zu non-equivalent "
               "mutants detected", 100.0 * mut_score(r, NULL), mutrep_detected(r),
               r->nmutants - mut_count(r, MUT_EQUIVALENT));
    mutrep_elf(&p, p.body, "p", NULL, "%zu mutants: %zu killed, %zu timed out, %zu survived, "
               "%zu not covered, %zu equivalent; %.1f s with %u worker(s).", r->nmutants,
               mut_count(r, MUT_KILLED), mut_count(r, MUT_TIMEOUT), mut_count(r, MUT_SURVIVED),
               mut_count(r, MUT_UNCOVERED), mut_count(r, MUT_EQUIVALENT),
               (double)r->total_ms / 1000.0, r->jobs);
    mutrep_html_table(&p, r, false);
    mutrep_html_table(&p, r, true);
    mutrep_html_units(&p, r);
    mutrep_html_survivors(&p, r);
    mutrep_html_mutants(&p, r);
    xmlChar *mem = NULL;
    int len = 0;
    if (!p.failed)
        htmlDocDumpMemoryFormat(p.doc, &mem, &len, 1);
    xmlFreeDoc(p.doc);
    char *s = mem ? strndup((const char *)mem, (size_t)len) : NULL;
    xmlFree(mem);
    return s;
}

/* ---- writing ------------------------------------------------------------------------ */

int mutrep_write(const struct mut_result *r, const char *title, const char *out_dir,
                 char *err, size_t errlen)
{
    static const char *const names[] = {"mutants.txt", "mutants.md", "mutants.json",
                                        "index.html"};
    char *(*const make[])(const struct mut_result *, const char *) = {
        mutrep_text, mutrep_markdown, mutrep_json, mutrep_html,
    };
    if (fs_mkdir_p(out_dir, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", out_dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *text = make[i](r, title), *path = fs_join(out_dir, names[i]);
        int rc = text && path ? fs_write_atomic(path, text, strlen(text)) : -1;
        if (rc < 0)
            snprintf(err, errlen, "cannot write %s/%s: %s", out_dir, names[i],
                     text && path ? strerror(errno) : "out of memory");
        free(text);
        free(path);
        if (rc < 0)
            return -1;
    }
    return 0;
}
