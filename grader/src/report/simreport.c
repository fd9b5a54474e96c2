/*
 * simreport.c -- the reports of a similarity check (simreport.h): the
 * CSV with libcsv's quoting, the pages with the HTML toolkit
 * (html_priv.h), which escapes everything a student wrote.
 */
#include "report/simreport.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_priv.h"
#include "util/fsutil.h"

/* The index lists at most this many pairs; similarity.csv has them all. */
#define SIMREP_INDEX_ROWS 200
/* Region colours (CSS classes m0..m5). */
#define SIMREP_COLOURS 6

static double simrep_num(double x)
{
    return isfinite(x) ? x : 0.0;
}

/* ---- CSV ---------------------------------------------------------------------------- */

static void simrep_field(FILE *f, const char *text)
{
    fputc(',', f);
    (void)csv_fwrite2(f, text, strlen(text), CSV_QUOTE);
}

char *simrep_csv(const struct sim_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("rank,student_a,student_b,score,pct_a,pct_b,shared,fingerprints_a,"
          "fingerprints_b,regions,page\n", f);
    for (size_t i = 0; i < r->npairs; i++) {
        const struct sim_pair *p = &r->pairs[i];
        const struct sim_student *a = &r->students[p->a], *b = &r->students[p->b];
        char page[32] = "";
        if (i < r->detailed)
            snprintf(page, sizeof page, "pair-%04zu.html", i + 1);
        fprintf(f, "%zu", i + 1);
        simrep_field(f, a->name);
        simrep_field(f, b->name);
        fprintf(f, ",%.2f,%.2f,%.2f,%zu,%zu,%zu,%zu,%s\n", simrep_num(p->score),
                simrep_num(p->pct_a), simrep_num(p->pct_b), p->shared, a->fingerprints,
                b->fingerprints, p->nmatches, page);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- shared page parts ------------------------------------------------------------------ */

static const char simrep_css[] =
    "main{max-width:1600px}"
    ".sbs{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    ".side{background:var(--card);border:1px solid var(--line);border-radius:8px;"
    "overflow:auto;min-width:0}.side h3{margin:8px 12px}"
    "table.code{border-collapse:collapse;width:100%;font:12px/1.45 ui-monospace,"
    "SFMono-Regular,Menlo,Consolas,monospace;table-layout:auto}"
    "table.code td{padding:0 8px;border:0;vertical-align:top}"
    "table.code td.ln{color:var(--muted);text-align:right;user-select:none;width:1%}"
    "table.code td.src{white-space:pre;overflow-wrap:normal}"
    "table.code caption{text-align:left;padding:4px 8px;font-weight:600}"
    "tbody tr.m0{background:#ffd8d8}tbody tr.m1{background:#d8f0ff}"
    "tbody tr.m2{background:#dfffd8}tbody tr.m3{background:#fff3c4}"
    "tbody tr.m4{background:#eedcff}tbody tr.m5{background:#ffe2c6}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".note{color:var(--muted)}";

static const char *simrep_title(const char *title)
{
    return title ? title : "";
}

/* The page's top: kicker and heading. */
static void simrep_header(struct html_page *p, const char *title, const char *heading)
{
    xmlNodePtr h = html_el(p, p->body, "header", "top");
    xmlNodePtr left = html_el(p, h, "div", NULL);
    html_telf(p, left, "p", "kicker", "%s \xC2\xB7 similarity (instructor only)",
              simrep_title(title));
    html_line(p, left, "h1", NULL, heading);
}

/* A percentage cell, sortable by its value. */
static void simrep_cell_pct(struct html_page *p, xmlNodePtr tr, double v)
{
    xmlNodePtr td = html_telf(p, tr, "td", "num", "%.1f%%", simrep_num(v));
    html_attrf(p, td, "data-v", "%.4f", simrep_num(v));
}

/* ---- index.html ------------------------------------------------------------------------- */

static void simrep_params(struct html_page *p, const struct sim_result *r)
{
    xmlNodePtr sec = html_section(p, p->body, "method", NULL, "How pairs are found");
    html_telf(p, sec, "p", NULL,
              "Winnowing (MOSS's algorithm) over C tokens: comments, layout and "
              "preprocessing directives are ignored and every identifier, number and "
              "literal counts as one kind of token, so renamed variables, reformatting "
              "and reordered functions still match.  Fingerprints: %u-token k-grams, "
              "window %u (every match of %u tokens or more is found).  Base code "
              "(the stubs and any --base file: %zu distinct k-grams) matches nothing.",
              r->params.kgram, r->params.window, r->params.kgram + r->params.window - 1,
              r->base_kgrams);
    if (r->params.max_share)
        html_telf(p, sec, "p", NULL, "Fingerprints that more than %u students share are "
                  "ignored as idioms of the class (%zu of them).", r->params.max_share,
                  r->common);
    else
        html_tel(p, sec, "p", NULL, "No fingerprint is ignored as an idiom of the class "
                 "(--max-share 0).");
    html_tel(p, sec, "p", "note",
             "Score: the harmonic mean of the two percentages (each student's "
             "fingerprints found in the other's).  A high score is a reason to look at "
             "the pair, not a verdict.");
}

static void simrep_lists(struct html_page *p, const struct sim_result *r)
{
    if (r->nmissing) {
        xmlNodePtr sec = html_section(p, p->body, "missing", NULL,
                                      "Students without the student files");
        xmlNodePtr ul = html_el(p, sec, "ul", NULL);
        for (size_t i = 0; i < r->nmissing; i++)
            html_line(p, ul, "li", NULL, r->missing[i]);
    }
    if (r->nrefused) {
        xmlNodePtr sec = html_section(p, p->body, "refused", NULL, "Files not read");
        xmlNodePtr ul = html_el(p, sec, "ul", NULL);
        for (size_t i = 0; i < r->nrefused; i++)
            html_line(p, ul, "li", NULL, r->refused[i]);
    }
}

static void simrep_pairs_table(struct html_page *p, const struct sim_result *r)
{
    xmlNodePtr sec = html_section(p, p->body, "pairs", NULL, "Pairs, most similar first");
    size_t shown = r->npairs < SIMREP_INDEX_ROWS ? r->npairs : SIMREP_INDEX_ROWS;
    if (r->npairs == 0) {
        html_tel(p, sec, "p", NULL, "No two students share a fingerprint.");
        return;
    }
    xmlNodePtr note = html_telf(p, sec, "p", "note", "%zu pairs share fingerprints%s; all "
                                "of them are in ", r->npairs,
                                shown < r->npairs ? " (the first ones below)" : "");
    html_attr(p, html_tel(p, note, "a", NULL, SIMREP_CSV), "href", SIMREP_CSV);
    xmlNodePtr table = html_el(p, sec, "table", NULL);
    xmlNodePtr tr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    static const char *const heads[] = {"#", "student A", "student B", "score", "A in B",
                                        "B in A", "shared", "regions", ""};
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
        html_tel(p, tr, "th", i >= 3 && i <= 7 ? "num" : NULL, heads[i]);
    xmlNodePtr tb = html_el(p, table, "tbody", NULL);
    for (size_t i = 0; i < shown; i++) {
        const struct sim_pair *pr = &r->pairs[i];
        tr = html_el(p, tb, "tr", NULL);
        html_telf(p, tr, "td", "num", "%zu", i + 1);
        html_line(p, tr, "td", NULL, r->students[pr->a].name);
        html_line(p, tr, "td", NULL, r->students[pr->b].name);
        simrep_cell_pct(p, tr, pr->score);
        simrep_cell_pct(p, tr, pr->pct_a);
        simrep_cell_pct(p, tr, pr->pct_b);
        html_telf(p, tr, "td", "num", "%zu", pr->shared);
        html_telf(p, tr, "td", "num", "%zu", pr->nmatches);
        xmlNodePtr td = html_el(p, tr, "td", NULL);
        if (i < r->detailed)
            html_attrf(p, html_tel(p, td, "a", NULL, "side by side"), "href",
                       "pair-%04zu.html", i + 1);
    }
}

char *simrep_index_html(const struct sim_result *r, const char *title)
{
    struct html_page p;
    if (html_page_open(&p, "Similarity") < 0)
        return NULL;
    simrep_header(&p, title, "Similar submissions");
    html_telf(&p, p.body, "p", NULL, "%zu students compared, %zu pairs with shared "
              "fingerprints.", r->nstudents, r->npairs);
    simrep_pairs_table(&p, r);
    simrep_params(&p, r);
    simrep_lists(&p, r);
    html_tel(&p, p.head, "style", NULL, simrep_css);   /* raw text: no student input */
    return html_page_take(&p);
}

/* ---- pair pages ---------------------------------------------------------------------------- */

/* "kernels.c:12-40" for listing lines first..last of st (the first line's file). */
static void simrep_where(const struct sim_student *st, unsigned first, unsigned last,
                         char *buf, size_t len)
{
    size_t f1 = 0, f2 = 0;
    unsigned l1 = first, l2 = last;
    if (sim_listing_line(st, first, &f1, &l1) < 0 || sim_listing_line(st, last, &f2, &l2) < 0)
        snprintf(buf, len, "lines %u-%u", first, last);
    else if (f1 != f2)
        snprintf(buf, len, "%s:%u-%s:%u", st->files[f1].path, l1, st->files[f2].path, l2);
    else
        snprintf(buf, len, "%s:%u-%u", st->files[f1].path, l1, l2);
}

static void simrep_regions_table(struct html_page *p, const struct sim_result *r,
                                 const struct sim_pair *pr)
{
    const struct sim_student *a = &r->students[pr->a], *b = &r->students[pr->b];
    xmlNodePtr sec = html_section(p, p->body, "regions", NULL, "Matching regions");
    xmlNodePtr table = html_el(p, sec, "table", NULL);
    xmlNodePtr tr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    html_tel(p, tr, "th", NULL, "#");
    html_line(p, tr, "th", NULL, a->name);
    html_line(p, tr, "th", NULL, b->name);
    html_tel(p, tr, "th", "num", "fingerprints");
    xmlNodePtr tb = html_el(p, table, "tbody", NULL);
    for (size_t m = 0; m < pr->nmatches; m++) {
        const struct sim_match *mt = &pr->matches[m];
        char where[256];
        char cls[8];
        snprintf(cls, sizeof cls, "m%zu", m % SIMREP_COLOURS);
        tr = html_el(p, tb, "tr", cls);
        html_telf(p, tr, "td", NULL, "%zu", m + 1);
        simrep_where(a, mt->a_first, mt->a_last, where, sizeof where);
        html_attrf(p, html_line(p, html_el(p, tr, "td", NULL), "a", NULL, where), "href",
                   "#a%u", mt->a_first);
        simrep_where(b, mt->b_first, mt->b_last, where, sizeof where);
        html_attrf(p, html_line(p, html_el(p, tr, "td", NULL), "a", NULL, where), "href",
                   "#b%u", mt->b_first);
        html_telf(p, tr, "td", "num", "%zu", mt->fingerprints);
    }
}

/* The region of the listing line, on side a (or b): its index, or -1. */
static long simrep_region_of(const struct sim_pair *pr, unsigned line, bool side_a)
{
    for (size_t m = 0; m < pr->nmatches; m++) {
        const struct sim_match *mt = &pr->matches[m];
        unsigned first = side_a ? mt->a_first : mt->b_first;
        unsigned last = side_a ? mt->a_last : mt->b_last;
        if (line >= first && line <= last)
            return (long)m;
    }
    return -1;
}

/* One file as a table of numbered lines, matched lines coloured by region. */
static void simrep_file(struct html_page *p, xmlNodePtr parent, const struct sim_pair *pr,
                        const struct sim_file *f, bool side_a)
{
    xmlNodePtr table = html_el(p, parent, "table", "code");
    html_line(p, table, "caption", NULL, f->path);
    xmlNodePtr tb = html_el(p, table, "tbody", NULL);
    const char *s = f->text, *end = f->text + f->len;
    for (unsigned ln = 0; ln < f->nlines && s <= end; ln++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        unsigned line = f->first_line + ln;
        long reg = simrep_region_of(pr, line, side_a);
        char cls[8], *text = strndup(s, n);
        snprintf(cls, sizeof cls, "m%ld", reg % SIMREP_COLOURS);
        xmlNodePtr tr = html_el(p, tb, "tr", reg >= 0 ? cls : NULL);
        html_attrf(p, tr, "id", "%c%u", side_a ? 'a' : 'b', line);
        html_telf(p, tr, "td", "ln", "%u", ln + 1);
        if (!text)
            p->failed = true;
        html_tel(p, tr, "td", "src", text ? text : "");
        free(text);
        s = nl ? nl + 1 : end + 1;
    }
}

static void simrep_side(struct html_page *p, xmlNodePtr grid, const struct sim_pair *pr,
                        const struct sim_student *st, bool side_a)
{
    xmlNodePtr side = html_el(p, grid, "div", "side");
    html_line(p, side, "h3", NULL, st->name);
    for (size_t f = 0; f < st->nfiles; f++)
        simrep_file(p, side, pr, &st->files[f], side_a);
}

char *simrep_pair_html(const struct sim_result *r, size_t i, const char *title)
{
    if (i >= r->detailed)
        return NULL;
    const struct sim_pair *pr = &r->pairs[i];
    const struct sim_student *a = &r->students[pr->a], *b = &r->students[pr->b];
    struct html_page p;
    char *heading = NULL;
    if (asprintf(&heading, "#%zu: %s and %s", i + 1, a->name, b->name) < 0)
        return NULL;
    if (html_page_open(&p, "Similar pair") < 0) {
        free(heading);
        return NULL;
    }
    simrep_header(&p, title, heading);
    free(heading);
    xmlNodePtr para = html_el(&p, p.body, "p", NULL);
    html_textf(&p, para, "Score %.1f%%: %zu shared fingerprints, %.1f%% of %s's %zu and "
               "%.1f%% of %s's %zu.  ", simrep_num(pr->score), pr->shared,
               simrep_num(pr->pct_a), a->name, a->fingerprints, simrep_num(pr->pct_b),
               b->name, b->fingerprints);
    html_attr(&p, html_tel(&p, para, "a", NULL, "All pairs"), "href", "index.html");
    simrep_regions_table(&p, r, pr);
    xmlNodePtr grid = html_el(&p, html_section(&p, p.body, "code", NULL, "Side by side"),
                              "div", "sbs");
    simrep_side(&p, grid, pr, a, true);
    simrep_side(&p, grid, pr, b, false);
    html_tel(&p, p.head, "style", NULL, simrep_css);   /* raw text: no student input */
    return html_page_take(&p);
}

/* ---- writing ------------------------------------------------------------------------------ */

static int simrep_put(const char *dir, const char *name, char *text, char *err, size_t errlen)
{
    char *path = fs_join(dir, name);
    int rc = text && path ? fs_write_replace(path, text, strlen(text)) : -1;
    if (rc < 0)
        snprintf(err, errlen, "cannot write %s/%s: %s", dir, name,
                 text && path ? strerror(errno) : "out of memory");
    free(text);
    free(path);
    return rc;
}

static int simrep_write_all(const struct sim_result *r, const char *title, const char *dir,
                            char *err, size_t errlen)
{
    if (simrep_put(dir, SIMREP_CSV, simrep_csv(r), err, errlen) < 0 ||
        simrep_put(dir, "index.html", simrep_index_html(r, title), err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < r->detailed; i++) {
        char name[32];
        snprintf(name, sizeof name, "pair-%04zu.html", i + 1);
        if (simrep_put(dir, name, simrep_pair_html(r, i, title), err, errlen) < 0)
            return -1;
    }
    return 0;
}

int simrep_write(const struct sim_result *r, const char *title, const char *out_dir,
                 char *err, size_t errlen)
{
    char *partial = fs_join(out_dir, ".similarity.partial");
    char *old = fs_join(out_dir, ".similarity.old"), *dir = fs_join(out_dir, SIMREP_DIR);
    int rc = -1;
    if (!partial || !old || !dir) {
        snprintf(err, errlen, "out of memory");
    } else if (fs_remove_tree(partial) < 0 || fs_remove_tree(old) < 0 ||
               fs_mkdir_p(partial, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", partial, strerror(errno));
    } else if (simrep_write_all(r, title, partial, err, errlen) == 0) {
        if (rename(dir, old) < 0 && errno != ENOENT)
            snprintf(err, errlen, "cannot replace %s: %s", dir, strerror(errno));
        else if (rename(partial, dir) < 0)
            snprintf(err, errlen, "cannot rename %s: %s", partial, strerror(errno));
        else {
            (void)fs_remove_tree(old);      /* a stray old copy is harmless */
            rc = 0;
        }
    }
    if (rc < 0 && partial)
        (void)fs_remove_tree(partial);
    free(partial);
    free(old);
    free(dir);
    return rc;
}

/* ---- reading the CSV back ------------------------------------------------------------------- */

struct simrep_reader {
    struct simrep_row *rows;
    size_t n, max, total;
    size_t field;                /* the current field's index */
    bool header_done, oom;
    struct simrep_row cur;
};

static void simrep_row_clear(struct simrep_row *row)
{
    free(row->a);
    free(row->b);
    free(row->page);
    memset(row, 0, sizeof *row);
}

/* A page name this module writes: pair-, four or more digits, .html. */
static bool simrep_page_name(const char *s)
{
    size_t digits = strspn(s + (strncmp(s, "pair-", 5) == 0 ? 5 : 0), "0123456789");
    return strncmp(s, "pair-", 5) == 0 && digits >= 4 && strcmp(s + 5 + digits, ".html") == 0;
}

static void simrep_on_field(void *s, size_t len, void *data)
{
    struct simrep_reader *rd = data;
    size_t f = rd->field++;
    if (!rd->header_done || rd->n >= rd->max || rd->oom)
        return;
    char *text = strndup(s ? s : "", len);
    if (!text) {
        rd->oom = true;
        return;
    }
    if (f == 10 && !simrep_page_name(text)) {
        free(text);
        return;
    }
    if (f == 1 || f == 2 || f == 10) {
        char **slot = f == 1 ? &rd->cur.a : f == 2 ? &rd->cur.b : &rd->cur.page;
        free(*slot);
        *slot = text;
        return;
    }
    if (f >= 3 && f <= 5)
        *(f == 3 ? &rd->cur.score : f == 4 ? &rd->cur.pct_a : &rd->cur.pct_b) =
            strtod(text, NULL);
    free(text);
}

static void simrep_on_row(int c, void *data)
{
    struct simrep_reader *rd = data;
    (void)c;
    rd->field = 0;
    if (!rd->header_done) {
        rd->header_done = true;
        return;
    }
    rd->total++;
    if (rd->n < rd->max && rd->cur.a && rd->cur.b && !rd->oom) {
        struct simrep_row *v = realloc(rd->rows, (rd->n + 1) * sizeof *v);
        if (v) {
            rd->rows = v;
            rd->rows[rd->n++] = rd->cur;
            memset(&rd->cur, 0, sizeof rd->cur);
            return;
        }
        rd->oom = true;
    }
    simrep_row_clear(&rd->cur);
}

int simrep_read_top(const char *out_dir, size_t max, struct simrep_row **rows, size_t *n,
                    size_t *total)
{
    char *path = fs_join(out_dir, SIMREP_DIR "/" SIMREP_CSV), *text = NULL;
    size_t len = 0;
    struct csv_parser parser;
    struct simrep_reader rd = {.max = max};
    *rows = NULL;
    *n = 0;
    *total = 0;
    if (!path)
        return -1;
    int got = fs_read_file(path, 256u << 20, &text, &len);
    free(path);
    if (got < 0)
        return errno == ENOENT ? 0 : -1;
    int rc = -1;
    if (csv_init(&parser, CSV_APPEND_NULL) == 0) {
        if (csv_parse(&parser, text, len, simrep_on_field, simrep_on_row, &rd) == len &&
            csv_fini(&parser, simrep_on_field, simrep_on_row, &rd) == 0 && !rd.oom)
            rc = 1;
        csv_free(&parser);
    }
    free(text);
    simrep_row_clear(&rd.cur);
    if (rc < 0) {
        simrep_rows_free(rd.rows, rd.n);
        return -1;
    }
    *rows = rd.rows;
    *n = rd.n;
    *total = rd.total;
    return 1;
}

void simrep_rows_free(struct simrep_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        simrep_row_clear(&rows[i]);
    free(rows);
}
