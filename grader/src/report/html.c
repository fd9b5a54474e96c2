/*
 * html.c -- report.html, report-instructor.html and the class dashboard
 * index.html, built as libxml2 trees and serialized by htmlDocDumpMemory.
 *
 * Escaping is the library's job: text goes in as text nodes and attribute
 * values, and the HTML writer escapes markup characters (and writes
 * non-ASCII as character references, so the pages are plain ASCII).
 * html_clean() only removes what HTML cannot carry at all.  Link targets
 * built from names go through xmlURIEscapeStr().
 *
 * Building never stops half-way: every helper records an allocation
 * failure in the page (html_page.failed) and the page is dropped at the
 * end, so callers do not test each node.
 *
 * Charts are inline SVG with one user unit per CSS pixel; a bar's width
 * is its value over the chart's maximum times the bar area, so bars of
 * one chart compare by length.
 */
#include "report/html.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/HTMLtree.h>
#include <libxml/chvalid.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlstring.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"

/* How much of a failing test's output a report shows (as report.txt). */
#define HTML_OUTPUT_LINES 20
#define HTML_OUTPUT_BYTES 2000

/* Horizontal bar charts: row geometry, in pixels. */
#define HTML_ROW_H 26
#define HTML_BAR_H 16
#define HTML_BAR_W 360.0
#define HTML_TEXT_W 150.0

/* Vertical histograms. */
#define HTML_HIST_BINS 10
#define HTML_HIST_W 460.0
#define HTML_HIST_H 150.0

/* The dashboard's list of slowest gradings. */
#define HTML_SLOWEST 10
/* Failed test ids listed per student on the dashboard. */
#define HTML_FAILED_IDS 6

static const char html_css[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;"
    "--pass:#1a7f37;--fail:#cf222e;--error:#bc4c00;--notrun:#6e7781;--accent:#0969da}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}"
    "main{max-width:1060px;margin:0 auto;padding:24px 20px 48px}"
    "header.top{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:20px 24px;margin-bottom:20px;display:flex;flex-wrap:wrap;gap:16px 32px;"
    "align-items:center;justify-content:space-between}"
    "header.top h1{margin:0 0 4px;font-size:24px;line-height:1.25}"
    ".kicker{margin:0;color:var(--muted);font-size:13px;text-transform:uppercase;"
    "letter-spacing:.04em}"
    ".who{margin:4px 0 0;color:var(--muted)}.who strong{color:var(--fg)}"
    ".late{margin:4px 0 0;color:var(--muted)}.late.penalised{color:#b42318}"
    ".score-card{min-width:240px;text-align:right;margin-left:auto}"
    ".score{font-size:36px;font-weight:700;font-variant-numeric:tabular-nums}"
    ".score small{font-size:18px;color:var(--muted);font-weight:500}"
    ".pct{color:var(--muted);margin-left:8px}"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:16px 24px 20px;margin-bottom:20px}"
    "section h2{margin:0 0 12px;font-size:18px}"
    "section h3{margin:0 0 8px;font-size:16px}"
    ".alert{border-color:var(--fail);background:#ffebe9}.alert h2{color:var(--fail)}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);"
    "vertical-align:top}"
    "th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}"
    "tbody tr:nth-child(even){background:#fafbfc}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.agg td{font-style:italic;color:var(--muted)}"
    ".badge{display:inline-block;min-width:58px;text-align:center;padding:1px 8px;"
    "white-space:nowrap;"
    "border-radius:999px;font-size:12px;font-weight:600;color:#fff;background:var(--notrun)}"
    ".badge.passed,.badge.graded{background:var(--pass)}.badge.failed{background:var(--fail)}"
    ".badge.error,.badge.ungradable{background:var(--error)}"
    ".badge.hidden{background:#8250df}"
    ".meter{height:8px;border-radius:4px;background:#e6e9ec;overflow:hidden;min-width:80px}"
    ".meter>div{height:100%;background:var(--accent)}"
    "table.coverage,table.categories{width:auto;min-width:60%}"
    "table.coverage .meter,table.categories .meter{width:260px}"
    ".score-card .meter{margin-top:6px;height:10px}"
    "article{border-top:1px solid var(--line);padding:14px 0 6px}"
    "article:first-of-type{border-top:0;padding-top:0}"
    ".pts{float:right;font-weight:500;color:var(--muted);font-variant-numeric:tabular-nums}"
    ".msg{margin:4px 0 8px}"
    "ul.checks{margin:6px 0 10px;padding-left:20px}ul.checks li{margin:4px 0}"
    "code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:13px}"
    "code.where{background:#eff2f5;border-radius:4px;padding:1px 5px}"
    "pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;"
    "padding:8px 12px;overflow-x:auto;white-space:pre-wrap;word-break:break-word;margin:6px 0}"
    ".label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;"
    "margin-top:8px}"
    ".note{color:var(--muted);font-size:14px}"
    "svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}"
    "svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg text.val{fill:var(--muted)}"
    "svg .track{fill:#eef1f4}svg .bar{fill:var(--accent)}"
    "svg .bar.student{fill:#0969da}svg .bar.reference{fill:#8c959f}"
    "svg .bar.full{fill:var(--pass)}svg .bar.zero{fill:var(--fail)}"
    "svg .bar.required{fill:#bf8700}svg .bar.low{fill:var(--fail)}"
    "svg .bar.mid{fill:#bf8700}svg .bar.high{fill:var(--pass)}"
    "svg .axis{stroke:var(--line)}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:20px;"
    "margin-bottom:20px}"
    ".grid section{margin-bottom:0}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px;"
    "background:var(--bg)}"
    ".card b{display:block;font-size:22px;font-variant-numeric:tabular-nums}"
    ".card span{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}"
    "footer{color:var(--muted);font-size:12px;text-align:center}"
    "@media print{body{background:#fff}section,header.top{border-color:#999;"
    "break-inside:avoid}}";

/* ---- text hygiene ------------------------------------------------------- */

/*
 * A malloc'd copy of s (NULL: "") that HTML can carry: valid UTF-8 (as
 * libxml2 decodes it), XML characters only, no DEL or C1 controls; the
 * rest becomes U+FFFD.  one_line also turns tabs and line ends into
 * spaces.  NULL on OOM.
 */
static char *html_clean(const char *s, bool one_line)
{
    static const char repl[] = "\xEF\xBF\xBD";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t left = strlen((const char *)p);
    char *out = malloc(left * 3 + 1), *o = out;
    if (!out)
        return NULL;
    while (left > 0) {
        int len = left < 4 ? (int)left : 4;
        int c = xmlGetUTF8Char(p, &len);
        if (c < 0 || len <= 0) {
            memcpy(o, repl, 3), o += 3;
            p++, left--;
            continue;
        }
        if (one_line && (c == '\t' || c == '\n' || c == '\r'))
            *o++ = ' ';
        else if (xmlIsCharQ(c) && !(c >= 0x7F && c <= 0x9F))
            memcpy(o, p, (size_t)len), o += len;
        else
            memcpy(o, repl, 3), o += 3;
        p += len;
        left -= (size_t)len;
    }
    *o = '\0';
    return out;
}

/* A finite number; NaN and infinities become 0. */
static double html_finite(double x)
{
    return isfinite(x) ? x : 0.0;
}

static double html_pct(double part, double whole)
{
    return whole > 0 ? 100.0 * html_finite(part) / whole : 0.0;
}

/* A count with thousands separators ("7,237,460"); rounds to an integer. */
static void html_count(double x, char *buf, size_t n)
{
    char digits[64];
    x = html_finite(x);
    snprintf(digits, sizeof digits, "%.0f", fabs(x) < 1e18 ? x : 0.0);
    const char *d = digits[0] == '-' ? digits + 1 : digits;
    size_t nd = strlen(d), o = 0;
    if (digits[0] == '-' && o + 1 < n)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 2 < n; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
}

/* ---- building a page ----------------------------------------------------- */

struct html_page {
    xmlDocPtr doc;
    xmlNodePtr head, body;     /* body: the <main> element */
    bool failed;               /* an allocation failed: the page is dropped */
};

static void html_attr(struct html_page *p, xmlNodePtr n, const char *name, const char *value)
{
    char *c = html_clean(value, true);
    if (!n || !c || !xmlNewProp(n, BAD_CAST name, BAD_CAST c))
        p->failed = true;
    free(c);
}

static void html_attrf(struct html_page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void html_attrf(struct html_page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
{
    char *v = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    if (v)
        html_attr(p, n, name, v);
    else
        p->failed = true;
    free(v);
}

/* A new element under parent, with a class unless cls is NULL. */
static xmlNodePtr html_el(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls)
{
    xmlNodePtr n = parent ? xmlNewChild(parent, NULL, BAD_CAST tag, NULL) : NULL;
    if (!n) {
        p->failed = true;
        return NULL;
    }
    if (cls)
        html_attr(p, n, "class", cls);
    return n;
}

/* Appends text (cleaned; a block keeps its line ends) to parent. */
static void html_text_mode(struct html_page *p, xmlNodePtr parent, const char *text, bool one_line)
{
    char *c = html_clean(text, one_line);
    xmlNodePtr t = c && parent ? xmlNewText(BAD_CAST c) : NULL;
    if (!t || !xmlAddChild(parent, t)) {
        xmlFreeNode(t);
        p->failed = true;
    }
    free(c);
}

static void html_text(struct html_page *p, xmlNodePtr parent, const char *text)
{
    html_text_mode(p, parent, text, false);
}

static void html_textf(struct html_page *p, xmlNodePtr parent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void html_textf(struct html_page *p, xmlNodePtr parent, const char *fmt, ...)
{
    char *v = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    if (v)
        html_text(p, parent, v);
    else
        p->failed = true;
    free(v);
}

/* An element holding text. */
static xmlNodePtr html_tel(struct html_page *p, xmlNodePtr parent, const char *tag,
                           const char *cls, const char *text)
{
    xmlNodePtr n = html_el(p, parent, tag, cls);
    html_text(p, n, text);
    return n;
}

/* An element holding one line of text (names, ids: line ends become spaces). */
static xmlNodePtr html_line(struct html_page *p, xmlNodePtr parent, const char *tag,
                            const char *cls, const char *text)
{
    xmlNodePtr n = html_el(p, parent, tag, cls);
    html_text_mode(p, n, text, true);
    return n;
}

static xmlNodePtr html_telf(struct html_page *p, xmlNodePtr parent, const char *tag,
                            const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static xmlNodePtr html_telf(struct html_page *p, xmlNodePtr parent, const char *tag,
                            const char *cls, const char *fmt, ...)
{
    char *v = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    xmlNodePtr n = html_el(p, parent, tag, cls);
    if (v)
        html_text(p, n, v);
    else
        p->failed = true;
    free(v);
    return n;
}

/* <section id=id><h2>title</h2>...: returns the section. */
static xmlNodePtr html_section(struct html_page *p, xmlNodePtr parent, const char *id,
                               const char *cls, const char *title)
{
    xmlNodePtr s = html_el(p, parent, "section", cls);
    if (id)
        html_attr(p, s, "id", id);
    html_tel(p, s, "h2", NULL, title);
    return s;
}

/* A horizontal meter: <div class=meter><div style="width:P%">. */
static void html_meter(struct html_page *p, xmlNodePtr parent, double pct)
{
    xmlNodePtr m = html_el(p, parent, "div", "meter");
    xmlNodePtr fill = html_el(p, m, "div", NULL);
    pct = html_finite(pct);
    html_attrf(p, fill, "style", "width:%.1f%%", pct < 0 ? 0 : pct > 100 ? 100 : pct);
}

/* A link whose target is dir/NAME/file with NAME percent-encoded. */
static void html_link_under(struct html_page *p, xmlNodePtr parent, const char *dir,
                            const char *name, const char *file, const char *text)
{
    char *clean = html_clean(name, true);
    xmlChar *seg = clean ? xmlURIEscapeStr(BAD_CAST clean, BAD_CAST "") : NULL;
    xmlNodePtr a = html_line(p, parent, "a", NULL, text);
    if (seg)
        html_attrf(p, a, "href", "%s/%s/%s", dir, (const char *)seg, file);
    else
        p->failed = true;
    xmlFree(seg);
    free(clean);
}

/* A new HTML5 document: head with charset, viewport, title and the CSS. */
static int html_page_open(struct html_page *p, const char *title)
{
    memset(p, 0, sizeof *p);
    p->doc = htmlNewDocNoDtD(NULL, NULL);
    xmlNodePtr root = p->doc ? xmlNewNode(NULL, BAD_CAST "html") : NULL;
    if (!root || !xmlCreateIntSubset(p->doc, BAD_CAST "html", NULL, NULL)) {
        xmlFreeNode(root);
        xmlFreeDoc(p->doc);
        return -1;
    }
    xmlDocSetRootElement(p->doc, root);
    html_attr(p, root, "lang", "en");
    p->head = html_el(p, root, "head", NULL);
    html_attr(p, html_el(p, p->head, "meta", NULL), "charset", "utf-8");
    xmlNodePtr vp = html_el(p, p->head, "meta", NULL);
    html_attr(p, vp, "name", "viewport");
    html_attr(p, vp, "content", "width=device-width, initial-scale=1");
    html_tel(p, p->head, "title", NULL, title);
    html_tel(p, p->head, "style", NULL, html_css);   /* raw text: no student input */
    p->body = html_el(p, html_el(p, root, "body", NULL), "main", NULL);
    return 0;
}

/* The serialized page (malloc'd), or NULL if building failed; frees the tree. */
static char *html_page_take(struct html_page *p)
{
    xmlChar *mem = NULL;
    int size = 0;
    char *out = NULL;
    if (!p->failed)
        htmlDocDumpMemoryFormat(p->doc, &mem, &size, 1);
    if (mem && size > 0) {
        out = malloc((size_t)size + 1);
        if (out) {
            memcpy(out, mem, (size_t)size);
            out[size] = '\0';
        }
    }
    xmlFree(mem);
    xmlFreeDoc(p->doc);
    p->doc = NULL;
    return out;
}

/* ---- charts --------------------------------------------------------------- */

/* One bar of a horizontal chart. */
struct html_bar {
    const char *label;         /* left of the bar */
    double value;              /* its length, against the chart's max */
    const char *cls;           /* "bar CLS" */
    const char *text;          /* right of the bar (the value, spelled out) */
    const char *title;         /* tooltip, or NULL */
};

static xmlNodePtr html_svg(struct html_page *p, xmlNodePtr parent, const char *cls,
                           double w, double h, const char *label)
{
    xmlNodePtr svg = html_el(p, parent, "svg", cls);
    html_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    html_attrf(p, svg, "width", "%.0f", w);
    html_attrf(p, svg, "height", "%.0f", h);
    html_attrf(p, svg, "viewBox", "0 0 %.0f %.0f", w, h);
    html_attr(p, svg, "role", "img");
    html_attr(p, svg, "aria-label", label);
    return svg;
}

static xmlNodePtr html_rect(struct html_page *p, xmlNodePtr svg, const char *cls, double x,
                            double y, double w, double h)
{
    xmlNodePtr r = html_el(p, svg, "rect", cls);
    html_attrf(p, r, "x", "%.2f", x);
    html_attrf(p, r, "y", "%.2f", y);
    html_attrf(p, r, "width", "%.2f", w);
    html_attrf(p, r, "height", "%.2f", h);
    return r;
}

static void html_svg_text(struct html_page *p, xmlNodePtr svg, const char *cls, double x,
                          double y, const char *anchor, const char *text)
{
    xmlNodePtr t = html_el(p, svg, "text", cls);
    html_attrf(p, t, "x", "%.2f", x);
    html_attrf(p, t, "y", "%.2f", y);
    if (anchor)
        html_attr(p, t, "text-anchor", anchor);
    html_text_mode(p, t, text, true);
}

/*
 * A horizontal bar chart: label | bar (value / max of the bar area) |
 * text.  max <= 0 draws empty bars.
 */
static void html_hbars(struct html_page *p, xmlNodePtr parent, const char *cls, const char *label,
                       const struct html_bar *bars, size_t n, double max, double label_w)
{
    double w = label_w + HTML_BAR_W + HTML_TEXT_W;
    xmlNodePtr svg = html_svg(p, parent, cls, w, (double)(n * HTML_ROW_H + 4), label);
    for (size_t i = 0; i < n; i++) {
        double y = (double)(i * HTML_ROW_H) + 2;
        double v = html_finite(bars[i].value);
        double bw = max > 0 && v > 0 ? HTML_BAR_W * (v > max ? max : v) / max : 0;
        char barcls[64];
        snprintf(barcls, sizeof barcls, "bar %s", bars[i].cls ? bars[i].cls : "");
        html_svg_text(p, svg, "lbl", label_w - 8, y + 17, "end", bars[i].label);
        html_rect(p, svg, "track", label_w, y + 4, HTML_BAR_W, HTML_BAR_H);
        xmlNodePtr r = html_rect(p, svg, barcls, label_w, y + 4, bw, HTML_BAR_H);
        if (bars[i].title)
            html_tel(p, r, "title", NULL, bars[i].title);
        html_svg_text(p, svg, "val", label_w + bw + 6, y + 17, NULL, bars[i].text);
    }
}

/* Percent bins 0-9, 10-19, ..., 90-100. */
static size_t html_bin(double pct)
{
    pct = html_finite(pct);
    if (pct <= 0)
        return 0;
    size_t b = (size_t)(pct / 10.0);
    return b >= HTML_HIST_BINS ? HTML_HIST_BINS - 1 : b;
}

/* A vertical histogram of percentages, one bar per bin of 10 points. */
static void html_histogram(struct html_page *p, xmlNodePtr parent, const char *cls,
                           const char *label, const size_t counts[HTML_HIST_BINS])
{
    const double top = 22, bottom = 30, left = 10;
    const double slot = (HTML_HIST_W - 2 * left) / HTML_HIST_BINS;
    size_t max = 0;
    for (size_t i = 0; i < HTML_HIST_BINS; i++)
        max = counts[i] > max ? counts[i] : max;
    xmlNodePtr svg = html_svg(p, parent, cls, HTML_HIST_W, top + HTML_HIST_H + bottom, label);
    for (size_t i = 0; i < HTML_HIST_BINS; i++) {
        double h = max ? HTML_HIST_H * (double)counts[i] / (double)max : 0;
        double x = left + slot * (double)i;
        char text[32];
        xmlNodePtr r = html_rect(p, svg, "bar", x + 4, top + HTML_HIST_H - h, slot - 8, h);
        snprintf(text, sizeof text, "%zu", counts[i]);
        html_telf(p, r, "title", NULL, "%zu-%zu%%: %zu", i * 10, i == 9 ? 100 : i * 10 + 9,
                  counts[i]);
        if (counts[i])
            html_svg_text(p, svg, "val", x + slot / 2, top + HTML_HIST_H - h - 5, "middle", text);
        snprintf(text, sizeof text, "%zu-%zu", i * 10, i == 9 ? 100 : i * 10 + 9);
        html_svg_text(p, svg, "lbl", x + slot / 2, top + HTML_HIST_H + 16, "middle", text);
    }
    xmlNodePtr axis = html_el(p, svg, "line", "axis");
    html_attrf(p, axis, "x1", "%.0f", left);
    html_attrf(p, axis, "x2", "%.0f", HTML_HIST_W - left);
    html_attrf(p, axis, "y1", "%.0f", top + HTML_HIST_H);
    html_attrf(p, axis, "y2", "%.0f", top + HTML_HIST_H);
}

/* ---- report pages: shared pieces ---------------------------------------------- */

static const char *html_test_id(const struct res_test *t)
{
    return t->cfg && t->cfg->id ? t->cfg->id : "(unknown)";
}

static const char *html_test_name(const struct res_test *t)
{
    return t->cfg && t->cfg->name ? t->cfg->name : html_test_id(t);
}

static bool html_shows(const struct res_test *t, enum report_audience aud)
{
    return aud == REPORT_INSTRUCTOR || res_student_visible(t->cfg);
}

/* The badge class and text of a test status. */
static const char *html_status_class(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "badge passed";
    case RES_FAILED:  return "badge failed";
    case RES_ERROR:   return "badge error";
    case RES_NOT_RUN: return "badge notrun";
    }
    return "badge";
}

static const char *html_status_tag(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "PASS";
    case RES_FAILED:  return "FAIL";
    case RES_ERROR:   return "ERROR";
    case RES_NOT_RUN: return "NOT RUN";
    }
    return "?";
}

/* The anchor of test i's details. */
static void html_test_anchor(char *buf, size_t n, size_t i)
{
    snprintf(buf, n, "test-%zu", i + 1);
}

/* Whether a shown test has a details article (and its table row a link):
 * a measurement, notes, or for a test that did not pass something to say
 * (an ungradable submission's tests have nothing: the reason says it all). */
static bool html_has_details(const struct res_test *t)
{
    if (t->perf.present || t->notes)
        return true;
    if (t->status == RES_PASSED)
        return false;
    if (t->message || (t->output && t->output[0]))
        return true;
    for (size_t i = 0; i < t->nchecks; i++)
        if (!t->checks[i].passed)
            return true;
    return false;
}

/* ---- report pages: header, tests, categories ------------------------------------ */

static void html_report_header(struct html_page *p, const struct res_submission *s,
                               const struct grader_cfg *cfg, enum report_audience aud)
{
    const char *name = cfg && cfg->name ? cfg->name : "";
    const char *title = cfg && cfg->title ? cfg->title : name;
    xmlNodePtr h = html_el(p, p->body, "header", "top");
    xmlNodePtr left = html_el(p, h, "div", NULL);
    html_telf(p, left, "p", "kicker", "%s%s", name,
              aud == REPORT_INSTRUCTOR ? " \xC2\xB7 instructor report" : " \xC2\xB7 your report");
    html_line(p, left, "h1", NULL, title);
    xmlNodePtr who = html_el(p, left, "p", "who");
    html_text(p, who, "Student: ");
    html_line(p, who, "strong", "student", s->student ? s->student : "");
    html_text(p, who, " ");
    html_tel(p, who, "span", s->status == RES_GRADED ? "badge graded" : "badge ungradable",
             s->status == RES_GRADED ? "graded" : "ungradable");

    xmlNodePtr card = html_el(p, h, "div", "score-card");
    xmlNodePtr sc = html_el(p, card, "div", NULL);
    xmlNodePtr big = html_telf(p, sc, "span", "score", "%.2f", html_finite(s->score));
    html_telf(p, big, "small", NULL, " / %.2f", html_finite(s->max_score));
    html_telf(p, sc, "span", "pct", "%.1f%%", html_pct(s->score, s->max_score));
    html_meter(p, card, html_pct(s->score, s->max_score));

    char late[512];
    if (report_late_sentence(s, cfg, late, sizeof late)) {
        bool penalised = s->late.status == RES_LATE_LATE || s->late.status == RES_LATE_CLOSED;
        xmlNodePtr l = html_el(p, left, "p", penalised ? "late penalised" : "late");
        html_tel(p, l, "strong", NULL, "Late: ");
        html_text(p, l, late);
        if (penalised)
            html_textf(p, l, " (%.2f before the late penalty)",
                       html_finite(s->late.score_before));
    }

    if (s->status == RES_UNGRADABLE) {
        xmlNodePtr a = html_section(p, p->body, "ungradable", "alert",
                                    "Your submission could not be graded");
        xmlNodePtr r = html_el(p, a, "p", "reason");
        html_tel(p, r, "strong", NULL, "Reason: ");
        html_text(p, r, s->reason ? s->reason : "unknown");
    }
}

static void html_report_test_row(struct html_page *p, xmlNodePtr tbody, const struct res_test *t,
                                 size_t i, enum report_audience aud)
{
    xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
    html_tel(p, html_el(p, tr, "td", NULL), "span", html_status_class(t->status),
             html_status_tag(t->status));
    html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(t->score), html_finite(t->max_score));
    xmlNodePtr name = html_el(p, tr, "td", NULL);
    if (html_has_details(t)) {
        char anchor[40];
        html_test_anchor(anchor, sizeof anchor, i);
        xmlNodePtr a = html_line(p, name, "a", NULL, html_test_name(t));
        html_attrf(p, a, "href", "#%s", anchor);
    } else {
        html_text_mode(p, name, html_test_name(t), true);
    }
    html_line(p, tr, "td", NULL, t->cfg && t->cfg->category ? t->cfg->category : "");
    if (aud == REPORT_INSTRUCTOR) {
        html_line(p, html_el(p, tr, "td", NULL), "code", NULL, html_test_id(t));
        html_tel(p, tr, "td", NULL, cfg_visibility_name(t->cfg ? t->cfg->visibility
                                                                 : CFG_VIS_HIDDEN));
    }
}

static void html_report_tests(struct html_page *p, const struct res_submission *s,
                              enum report_audience aud)
{
    static const char *const cols[] = { "Status", "Points", "Test", "Category", "Id",
                                        "Visibility" };
    size_t ncols = aud == REPORT_INSTRUCTOR ? 6 : 4, shown = 0, passed = 0;
    double hscore = 0, hmax = 0;
    bool hidden = false;
    if (s->ntests == 0)
        return;
    xmlNodePtr sec = html_section(p, p->body, "tests", NULL, "Tests");
    xmlNodePtr summary = html_el(p, sec, "p", "note");
    xmlNodePtr table = html_el(p, sec, "table", "tests");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    for (size_t c = 0; c < ncols; c++)
        html_tel(p, hr, "th", c == 1 ? "num" : NULL, cols[c]);
    xmlNodePtr tbody = html_el(p, table, "tbody", NULL);
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (html_shows(t, aud)) {
            html_report_test_row(p, tbody, t, i, aud);
            shown++;
            passed += t->status == RES_PASSED;
            continue;
        }
        hidden = true;
        hscore += t->score;
        hmax += t->max_score;
    }
    if (hidden) {
        xmlNodePtr tr = html_el(p, tbody, "tr", "agg");
        html_tel(p, html_el(p, tr, "td", NULL), "span", "badge hidden", "HIDDEN");
        html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(hscore), html_finite(hmax));
        html_tel(p, tr, "td", NULL, "Hidden tests");
        html_tel(p, tr, "td", NULL, "");
    }
    html_textf(p, summary, "%zu of %zu tests passed%s.", passed, shown,
               hidden ? "; the hidden tests count as one line of points" : "");
}

/* Whether t counts in category cat (any category if NULL) for this audience. */
static bool html_in_category(const struct res_test *t, const char *cat, enum report_audience aud)
{
    return html_shows(t, aud) && t->cfg && t->cfg->category
           && (!cat || strcmp(t->cfg->category, cat) == 0);
}

/* Points per category, in first-seen order (as report.txt). */
static void html_report_categories(struct html_page *p, const struct res_submission *s,
                                   enum report_audience aud)
{
    xmlNodePtr tbody = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        if (!html_in_category(&s->tests[i], NULL, aud))
            continue;
        const char *cat = s->tests[i].cfg->category;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = html_in_category(&s->tests[j], cat, aud);
        if (seen)
            continue;
        double score = 0, max = 0;
        for (size_t j = i; j < s->ntests; j++) {
            if (html_in_category(&s->tests[j], cat, aud)) {
                score += s->tests[j].score;
                max += s->tests[j].max_score;
            }
        }
        if (!tbody) {
            xmlNodePtr sec = html_section(p, p->body, "categories", NULL, "Categories");
            tbody = html_el(p, html_el(p, sec, "table", "categories"), "tbody", NULL);
        }
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_line(p, tr, "td", NULL, cat);
        html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(score), html_finite(max));
        html_meter(p, html_el(p, tr, "td", NULL), html_pct(score, max));
    }
}

/* ---- report pages: details of what failed ------------------------------------- */

/* Where to cut c (clean UTF-8) to keep its first lines, on a character boundary. */
static size_t html_output_cut(const char *c)
{
    size_t cut = 0, lines = 0, len = strlen(c);
    while (cut < len && lines < HTML_OUTPUT_LINES && cut < HTML_OUTPUT_BYTES) {
        const char *nl = strchr(c + cut, '\n');
        cut = nl ? (size_t)(nl - c) + 1 : len;
        lines++;
    }
    if (cut > HTML_OUTPUT_BYTES) {
        cut = HTML_OUTPUT_BYTES;
        while (cut > 0 && ((unsigned char)c[cut] & 0xC0) == 0x80)
            cut--;
    }
    return cut;
}

static void html_output_head(struct html_page *p, xmlNodePtr parent, const char *output)
{
    char *c = html_clean(output, false);
    if (!c) {
        p->failed = true;
        return;
    }
    size_t cut = html_output_cut(c);
    bool truncated = c[cut] != '\0';
    c[cut] = '\0';
    html_tel(p, parent, "div", "label", truncated ? "Output (the start)" : "Output");
    xmlNodePtr pre = html_tel(p, parent, "pre", "output", c);
    if (truncated)
        html_text(p, pre, "\n... (output truncated)");
    free(c);
}

/* Each failing check: where (or its name), then the message's first line,
 * and the rest of a multi-line message as a block. */
static void html_failures(struct html_page *p, xmlNodePtr parent, const struct res_test *t)
{
    xmlNodePtr ul = NULL;
    for (size_t i = 0; i < t->nchecks; i++) {
        const struct res_check *c = &t->checks[i];
        if (c->passed)
            continue;
        if (!ul)
            ul = html_el(p, parent, "ul", "checks");
        xmlNodePtr li = html_el(p, ul, "li", "check");
        html_line(p, li, "code", "where", c->where ? c->where : c->name ? c->name : "check");
        html_text(p, li, " ");
        const char *msg = c->message ? c->message : "failed";
        size_t n = strcspn(msg, "\n");
        char *first = strndup(msg, n);
        if (!first)
            p->failed = true;
        html_tel(p, li, "span", "cmsg", first ? first : "");
        free(first);
        if (msg[n] == '\n')
            html_tel(p, li, "pre", "cmore", msg + n + 1);
    }
}

static void html_detail_heading(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    xmlNodePtr h = html_el(p, art, "h3", NULL);
    html_telf(p, h, "span", "pts", "%.2f / %.2f", html_finite(t->score),
              html_finite(t->max_score));
    html_tel(p, h, "span", html_status_class(t->status), html_status_tag(t->status));
    html_text(p, h, " ");
    html_text_mode(p, h, html_test_name(t), true);
}

static xmlNodePtr html_detail_article(struct html_page *p, xmlNodePtr parent,
                                      const struct res_test *t, size_t i, const char *cls)
{
    char anchor[40];
    html_test_anchor(anchor, sizeof anchor, i);
    xmlNodePtr art = html_el(p, parent, "article", cls);
    html_attr(p, art, "id", anchor);
    html_detail_heading(p, art, t);
    return art;
}

/* Tests that did not pass (and passing ones with notes), measured
 * performance tests excepted: they have their own section. */
static void html_report_details(struct html_page *p, const struct res_submission *s,
                                enum report_audience aud)
{
    xmlNodePtr sec = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!html_shows(t, aud) || t->perf.present || !html_has_details(t))
            continue;
        if (!sec)
            sec = html_section(p, p->body, "details", NULL, "What to look at");
        xmlNodePtr art = html_detail_article(p, sec, t, i, "detail");
        if (t->status != RES_PASSED && t->message)
            html_tel(p, art, "p", "msg", t->message);
        if (t->status != RES_PASSED)
            html_failures(p, art, t);
        if (t->notes) {
            html_tel(p, art, "div", "label", "Notes (no points lost)");
            html_tel(p, art, "pre", "notes", t->notes);
        }
        if (t->status != RES_PASSED && t->output && t->output[0])
            html_output_head(p, art, t->output);
    }
}

/* ---- report pages: performance ---------------------------------------------------- */

/* The ratio at which a test earns all its points, or NAN if no ratio does. */
static double html_full_ratio(const struct cfg_perf_test *pt)
{
    if (pt->nsteps == 0)
        return pt->full_at;
    for (size_t i = 0; i < pt->nsteps; i++)
        if (pt->steps[i].score >= 1.0)
            return pt->steps[i].at_most;
    return NAN;
}

/* The ratio from which a test earns nothing. */
static double html_zero_ratio(const struct cfg_perf_test *pt)
{
    return pt->nsteps ? pt->steps[pt->nsteps - 1].at_most : pt->zero_at;
}

static void html_perf_ratio(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    const struct cfg_perf_test *pt = &t->cfg->perf;
    const struct res_perf *r = &t->perf;
    double full = html_full_ratio(pt), zero = html_zero_ratio(pt);
    char v[4][48], lref[160], lfull[64], lzero[64], ts[4][96];
    html_count(r->value, v[0], sizeof v[0]);
    html_count(r->reference, v[1], sizeof v[1]);
    html_count(r->reference * (isnan(full) ? 0 : full), v[2], sizeof v[2]);
    html_count(r->reference * zero, v[3], sizeof v[3]);
    snprintf(lref, sizeof lref, "Reference (%s)", pt->reference ? pt->reference : "?");
    snprintf(lfull, sizeof lfull, "Full points (ratio %g)", isnan(full) ? 0 : full);
    snprintf(lzero, sizeof lzero, "No points (ratio %g)", zero);
    snprintf(ts[0], sizeof ts[0], "%s (ratio %.4g)", v[0], html_finite(r->ratio));
    snprintf(ts[1], sizeof ts[1], "%s", v[1]);
    snprintf(ts[2], sizeof ts[2], "%s or fewer", v[2]);
    snprintf(ts[3], sizeof ts[3], "%s or more", v[3]);
    struct html_bar bars[4] = {
        { "Your code", r->value, "student", ts[0], NULL },
        { lref, r->reference, "reference", ts[1], NULL },
        { lfull, r->reference * full, "full", ts[2], NULL },
        { lzero, r->reference * zero, "zero", ts[3], NULL },
    };
    size_t n = 4;
    if (isnan(full)) {          /* no step gives all the points */
        bars[2] = bars[3];
        n = 3;
    }
    double max = 0;
    for (size_t i = 0; i < n; i++)
        max = html_finite(bars[i].value) > max ? html_finite(bars[i].value) : max;
    char label[96];
    snprintf(label, sizeof label, "%s: your count against the reference",
             cfg_metric_name(r->metric));
    html_telf(p, art, "p", "note", "Metric: %s (fewer is better).", cfg_metric_name(r->metric));
    html_hbars(p, art, "chart perf-chart", label, bars, n, max, 230);
    html_telf(p, art, "p", "perf-sum", "Ratio %.4g: %.0f%% of the points (%.2f / %.2f).",
              html_finite(r->ratio), 100.0 * html_finite(r->fraction), html_finite(t->score),
              html_finite(t->max_score));
}

static void html_perf_threads(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    const struct cfg_perf_test *pt = &t->cfg->perf;
    const struct res_perf *r = &t->perf;
    char tv[2][64], tb[2][64];
    snprintf(tv[0], sizeof tv[0], "%.0f", html_finite(r->value));
    snprintf(tv[1], sizeof tv[1], "%.0f", html_finite(r->reference));
    snprintf(tb[0], sizeof tb[0], "%.2f", html_finite(r->balance));
    snprintf(tb[1], sizeof tb[1], "at least %.2f", pt->balance);
    const struct html_bar threads[2] = {
        { "Worker threads", r->value, "student", tv[0], NULL },
        { "Expected", r->reference, "reference", tv[1], NULL },
    };
    const struct html_bar balance[2] = {
        { "Balance (least / most work)", r->balance, "student", tb[0], NULL },
        { "Required", pt->balance, "required", tb[1], NULL },
    };
    double tmax = fmax(html_finite(r->value), html_finite(r->reference));
    html_hbars(p, art, "chart perf-chart threads-chart", "worker threads against the expected",
               threads, 2, tmax, 230);
    html_hbars(p, art, "chart perf-chart balance-chart", "balance against the required balance",
               balance, 2, 1.0, 230);
    html_telf(p, art, "p", "perf-sum",
              "Work ratio %.2f (at most %.1f): %.0f%% of the points (%.2f / %.2f).",
              html_finite(r->ratio), RES_PERF_WORK_MAX, 100.0 * html_finite(r->fraction),
              html_finite(t->score), html_finite(t->max_score));
}

static void html_report_perf(struct html_page *p, const struct res_submission *s,
                             enum report_audience aud)
{
    xmlNodePtr sec = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!html_shows(t, aud) || !t->perf.present || !t->cfg)
            continue;
        if (!sec)
            sec = html_section(p, p->body, "performance", NULL, "Performance");
        xmlNodePtr art = html_detail_article(p, sec, t, i, "perf");
        if (t->perf.metric == CFG_METRIC_THREADS)
            html_perf_threads(p, art, t);
        else
            html_perf_ratio(p, art, t);
        if (t->message)                      /* the measurement in words */
            html_tel(p, art, "p", "msg note", t->message);
        if (t->perf.timing[0])               /* wall-clock information, never graded */
            html_tel(p, art, "p", "note timing", t->perf.timing);
        if (t->notes)
            html_tel(p, art, "pre", "notes", t->notes);
    }
}

/* ---- report pages: coverage, build log, phases ------------------------------------ */

static void html_coverage_row(struct html_page *p, xmlNodePtr tbody, const char *what,
                              unsigned hit, unsigned total)
{
    xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
    html_tel(p, tr, "td", NULL, what);
    if (total == 0) {
        html_tel(p, tr, "td", "num", "n/a");
        html_tel(p, tr, "td", NULL, "");
        html_tel(p, tr, "td", NULL, "");
        return;
    }
    html_telf(p, tr, "td", "num", "%.1f%%", html_pct(hit, total));
    html_telf(p, tr, "td", "num", "%u / %u", hit, total);
    html_meter(p, html_el(p, tr, "td", "wide"), html_pct(hit, total));
}

static void html_report_coverage(struct html_page *p, const struct res_coverage *c,
                                 const char *href)
{
    if (!c->present && !href)
        return;
    xmlNodePtr sec = html_section(p, p->body, "coverage", NULL, "Coverage of your code");
    if (c->present) {
        xmlNodePtr tbody = html_el(p, html_el(p, sec, "table", "coverage"), "tbody", NULL);
        html_coverage_row(p, tbody, "Lines", c->lines_hit, c->lines_total);
        html_coverage_row(p, tbody, "Functions", c->functions_hit, c->functions_total);
        html_coverage_row(p, tbody, "Branches", c->branches_hit, c->branches_total);
    }
    if (href) {
        xmlNodePtr para = html_el(p, sec, "p", NULL);
        xmlNodePtr a = html_tel(p, para, "a", NULL, "Line-by-line coverage");
        html_attr(p, a, "href", href);
        html_text(p, para, " (which lines and branches the tests ran)");
    }
}

static void html_report_build_log(struct html_page *p, const struct res_submission *s,
                                  enum report_audience aud)
{
    const char *log = aud == REPORT_INSTRUCTOR && s->build_log_full ? s->build_log_full
                                                                    : s->build_log;
    if (!log || !log[0])
        return;
    xmlNodePtr sec = html_section(p, p->body, "build-log", NULL, "Build log");
    html_tel(p, sec, "pre", "log", log);
}

static void html_report_phases(struct html_page *p, const struct res_phases *ph)
{
    static const char *const names[] = { "prepare", "compile", "policy", "run", "performance",
                                         "coverage", "report", "total" };
    const uint64_t ms[] = { ph->prepare_ms, ph->compile_ms, ph->policy_ms, ph->run_ms,
                            ph->perf_ms, ph->coverage_ms, ph->report_ms, ph->total_ms };
    xmlNodePtr sec = html_section(p, p->body, "phases", NULL, "Phases (wall-clock ms)");
    xmlNodePtr table = html_el(p, sec, "table", "phases");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    xmlNodePtr tr = html_el(p, html_el(p, table, "tbody", NULL), "tr", NULL);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        html_tel(p, hr, "th", "num", names[i]);
        html_telf(p, tr, "td", "num", "%llu", (unsigned long long)ms[i]);
    }
}

char *html_report(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud, const char *coverage_href)
{
    struct html_page p;
    char *title = NULL;
    if (asprintf(&title, "%s: %s", s->student ? s->student : "",
                 cfg && cfg->title ? cfg->title : cfg && cfg->name ? cfg->name : "report") < 0)
        return NULL;
    int rc = html_page_open(&p, title);
    free(title);
    if (rc < 0)
        return NULL;
    html_report_header(&p, s, cfg, aud);
    if (s->status == RES_UNGRADABLE)     /* what went wrong, first */
        html_report_build_log(&p, s, aud);
    html_report_tests(&p, s, aud);
    html_report_categories(&p, s, aud);
    html_report_details(&p, s, aud);
    html_report_perf(&p, s, aud);
    html_report_coverage(&p, &s->coverage, coverage_href);
    if (s->status != RES_UNGRADABLE)
        html_report_build_log(&p, s, aud);
    if (aud == REPORT_INSTRUCTOR)
        html_report_phases(&p, &s->phases);
    return html_page_take(&p);
}

/* ---- the dashboard: reading the results ------------------------------------------- */

/* One finished student, from students/NAME/results.json. */
struct html_student {
    struct res_row row;        /* student, graded, score, max, coverage */
    char *dir;                 /* the folder's name (links) */
    json_t *tests;             /* the results' tests[] (a reference) */
    char *reason;              /* extra_data.reason of an ungradable one, or NULL */
    double exec_s;             /* execution_time */
    size_t failed;             /* tests not passed */
};

struct html_class {
    struct html_student *v;
    size_t n;
    size_t unreadable;         /* folders with a results.json that did not load */
};

static void html_class_release(struct html_class *c)
{
    for (size_t i = 0; i < c->n; i++) {
        res_row_release(&c->v[i].row);
        free(c->v[i].dir);
        free(c->v[i].reason);
        json_decref(c->v[i].tests);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* The extra_data.status ("passed", ...) of a results test, or NULL. */
static const char *html_jtest_status(json_t *t)
{
    return json_string_value(json_object_get(json_object_get(t, "extra_data"), "status"));
}

static const char *html_jtest_id(json_t *t)
{
    return json_string_value(json_object_get(json_object_get(t, "extra_data"), "id"));
}

/* Loads dir/results.json into *st; 1 if there is none (not finished),
 * -1 if it does not load, 0 on success. */
static int html_student_load(const char *students_dir, const char *name, struct html_student *st)
{
    char *dir = fs_join(students_dir, name), *path = dir ? fs_join(dir, "results.json") : NULL;
    int rc = -1;
    memset(st, 0, sizeof *st);
    if (path && access(path, F_OK) < 0) {
        rc = 1;
    } else if (path && res_row_load(path, &st->row) == 0) {
        json_t *doc = json_load_file(path, 0, NULL);
        json_t *tests = json_object_get(doc, "tests");
        st->dir = strdup(name);
        if (st->dir && json_is_array(tests)) {
            size_t i;
            json_t *t;
            st->tests = json_incref(tests);
            st->exec_s = json_number_value(json_object_get(doc, "execution_time"));
            const char *why = json_string_value(
                json_object_get(json_object_get(doc, "extra_data"), "reason"));
            st->reason = why ? strdup(why) : NULL;
            json_array_foreach(tests, i, t) {
                const char *status = html_jtest_status(t);
                st->failed += !status || strcmp(status, "passed") != 0;
            }
            rc = 0;
        }
        json_decref(doc);
        if (rc < 0) {
            res_row_release(&st->row);
            free(st->dir);
            st->dir = NULL;
        }
    }
    free(path);
    free(dir);
    return rc;
}

static int html_cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct html_student *)a)->dir, ((const struct html_student *)b)->dir);
}

/* Every finished student of students_dir, in name order. */
static int html_class_load(const char *students_dir, struct html_class *c)
{
    DIR *d = opendir(students_dir);
    struct dirent *e;
    memset(c, 0, sizeof *c);
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        struct stat sb;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(sb.st_mode))
            continue;
        struct html_student st;
        int rc = html_student_load(students_dir, e->d_name, &st);
        if (rc < 0)
            c->unreadable++;
        if (rc != 0)
            continue;
        struct html_student *v = realloc(c->v, (c->n + 1) * sizeof *v);
        if (!v) {
            res_row_release(&st.row);
            free(st.dir);
            json_decref(st.tests);
            closedir(d);
            errno = ENOMEM;
            return -1;
        }
        c->v = v;
        c->v[c->n++] = st;
    }
    closedir(d);
    if (c->n > 1)
        qsort(c->v, c->n, sizeof *c->v, html_cmp_name);
    return 0;
}

static double html_student_pct(const struct html_student *st)
{
    return html_pct(st->row.score, st->row.max_score);
}

/* The results test of config test i: the same slot if its id matches, else by id. */
static json_t *html_find_jtest(json_t *tests, const struct cfg_test *c, size_t i)
{
    json_t *t = json_array_get(tests, i);
    const char *id = html_jtest_id(t);
    if (id && c->id && strcmp(id, c->id) == 0)
        return t;
    size_t j;
    json_array_foreach(tests, j, t) {
        id = html_jtest_id(t);
        if (id && c->id && strcmp(id, c->id) == 0)
            return t;
    }
    return NULL;
}

/* ---- the dashboard: sections ----------------------------------------------------- */

static int html_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void html_card(struct html_page *p, xmlNodePtr cards, const char *what, const char *value)
{
    xmlNodePtr c = html_el(p, cards, "div", "card");
    html_tel(p, c, "b", NULL, value);
    html_tel(p, c, "span", NULL, what);
}

static void html_dash_summary(struct html_page *p, xmlNodePtr sec, const struct html_class *c)
{
    double *pcts = calloc(c->n ? c->n : 1, sizeof *pcts), sum = 0, cov = 0;
    size_t ungradable = 0, ncov = 0;
    char buf[64];
    if (!pcts) {
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        pcts[i] = html_student_pct(&c->v[i]);
        sum += pcts[i];
        ungradable += !c->v[i].row.graded;
        if (c->v[i].row.has_coverage) {
            cov += c->v[i].row.line_pct;
            ncov++;
        }
    }
    qsort(pcts, c->n, sizeof *pcts, html_cmp_double);
    xmlNodePtr cards = html_el(p, sec, "div", "cards");
    snprintf(buf, sizeof buf, "%zu", c->n);
    html_card(p, cards, "students", buf);
    snprintf(buf, sizeof buf, "%zu", c->n - ungradable);
    html_card(p, cards, "graded", buf);
    snprintf(buf, sizeof buf, "%zu", ungradable);
    html_card(p, cards, "ungradable", buf);
    snprintf(buf, sizeof buf, "%.1f%%", c->n ? sum / (double)c->n : 0.0);
    html_card(p, cards, "mean score", buf);
    snprintf(buf, sizeof buf, "%.1f%%", c->n == 0 ? 0.0 : c->n % 2 ? pcts[c->n / 2]
                                         : (pcts[c->n / 2 - 1] + pcts[c->n / 2]) / 2);
    html_card(p, cards, "median score", buf);
    snprintf(buf, sizeof buf, "%.1f%%", ncov ? cov / (double)ncov : 0.0);
    html_card(p, cards, "mean line coverage", buf);
    free(pcts);
    if (c->unreadable)
        html_telf(p, sec, "p", "note",
                  "%zu student folder(s) have a results.json that could not be read.",
                  c->unreadable);
}

static void html_dash_histograms(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    size_t scores[HTML_HIST_BINS] = { 0 }, cov[HTML_HIST_BINS] = { 0 }, nocov = 0;
    for (size_t i = 0; i < c->n; i++) {
        scores[html_bin(html_student_pct(&c->v[i]))]++;
        if (c->v[i].row.has_coverage)
            cov[html_bin(c->v[i].row.line_pct)]++;
        else
            nocov++;
    }
    xmlNodePtr grid = html_el(p, parent, "div", "grid");
    xmlNodePtr s = html_section(p, grid, "scores", NULL, "Scores");
    html_histogram(p, s, "chart histogram score-histogram", "students per score range", scores);
    html_tel(p, s, "p", "note", "Students per range of the score, in percent of the maximum "
             "(the last range includes 100).");
    s = html_section(p, grid, "coverage", NULL, "Line coverage");
    html_histogram(p, s, "chart histogram coverage-histogram", "students per line coverage range",
                   cov);
    html_telf(p, s, "p", "note", "Students per range of line coverage of their code; %zu "
              "without coverage data (ungradable).", nocov);
}

/* The pass rate of every config test, in config order. */
static void html_dash_pass_rates(struct html_page *p, xmlNodePtr parent,
                                 const struct grader_cfg *cfg, const struct html_class *c)
{
    if (cfg->ntests == 0)
        return;
    struct html_bar *bars = calloc(cfg->ntests, sizeof *bars);
    char (*texts)[48] = calloc(cfg->ntests, sizeof *texts);
    if (!bars || !texts) {
        free(bars);
        free(texts);
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        size_t passed = 0, seen = 0;
        for (size_t k = 0; k < c->n; k++) {
            json_t *t = html_find_jtest(c->v[k].tests, ct, i);
            const char *status = t ? html_jtest_status(t) : NULL;
            seen += t != NULL;
            passed += status && strcmp(status, "passed") == 0;
        }
        double rate = seen ? (double)passed / (double)seen : 0;
        snprintf(texts[i], sizeof texts[i], "%.0f%% (%zu of %zu)", 100 * rate, passed, seen);
        bars[i] = (struct html_bar){ ct->id ? ct->id : "?", rate,
                                     rate >= 0.8 ? "high" : rate >= 0.4 ? "mid" : "low",
                                     texts[i], ct->name };
    }
    xmlNodePtr sec = html_section(p, parent, "pass-rates", NULL, "Pass rate per test");
    html_tel(p, sec, "p", "note", "The share of students who passed each test, in config "
             "order; an ungradable submission passes none.  Hover a bar for the test's name.");
    html_hbars(p, sec, "chart pass-rate-chart", "pass rate per test", bars, cfg->ntests, 1.0,
               290);
    free(bars);
    free(texts);
}

static int html_cmp_slow(const void *a, const void *b)
{
    const struct html_student *x = *(const struct html_student *const *)a;
    const struct html_student *y = *(const struct html_student *const *)b;
    if (x->exec_s != y->exec_s)
        return x->exec_s < y->exec_s ? 1 : -1;
    return strcmp(x->dir, y->dir);
}

static void html_dash_slowest(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    size_t n = c->n < HTML_SLOWEST ? c->n : HTML_SLOWEST;
    const struct html_student **order = calloc(c->n ? c->n : 1, sizeof *order);
    struct html_bar *bars = calloc(n ? n : 1, sizeof *bars);
    char (*texts)[32] = calloc(n ? n : 1, sizeof *texts);
    if (!order || !bars || !texts) {
        p->failed = true;
        goto done;
    }
    for (size_t i = 0; i < c->n; i++)
        order[i] = &c->v[i];
    qsort(order, c->n, sizeof *order, html_cmp_slow);
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(texts[i], sizeof texts[i], "%.1f s", html_finite(order[i]->exec_s));
        bars[i] = (struct html_bar){ order[i]->dir, order[i]->exec_s, "student", texts[i], NULL };
        max = fmax(max, html_finite(order[i]->exec_s));
    }
    xmlNodePtr sec = html_section(p, parent, "slowest", NULL, "Slowest gradings");
    if (n == 0)
        html_tel(p, sec, "p", "note", "No results yet.");
    else
        html_hbars(p, sec, "chart slowest-chart", "grading time of the slowest submissions",
                   bars, n, max, 200);
done:
    free(order);
    free(bars);
    free(texts);
}

/* The failed test ids of a student, the first few. */
static void html_failed_ids(struct html_page *p, xmlNodePtr td, const struct html_student *st)
{
    size_t i, shown = 0;
    json_t *t;
    json_array_foreach(st->tests, i, t) {
        const char *status = html_jtest_status(t);
        if (status && strcmp(status, "passed") == 0)
            continue;
        if (shown == HTML_FAILED_IDS) {
            html_textf(p, td, " and %zu more", st->failed - shown);
            return;
        }
        if (shown++)
            html_text(p, td, ", ");
        html_line(p, td, "code", NULL, html_jtest_id(t) ? html_jtest_id(t) : "?");
    }
}

/* Ungradable submissions first, then those with failing tests, lowest score first. */
static int html_cmp_attention(const void *a, const void *b)
{
    const struct html_student *x = *(const struct html_student *const *)a;
    const struct html_student *y = *(const struct html_student *const *)b;
    if (x->row.graded != y->row.graded)
        return x->row.graded ? 1 : -1;
    double px = html_student_pct(x), py = html_student_pct(y);
    if (px != py)
        return px < py ? -1 : 1;
    return strcmp(x->dir, y->dir);
}

static void html_dash_attention(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    const struct html_student **v = calloc(c->n ? c->n : 1, sizeof *v);
    size_t n = 0;
    if (!v) {
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        if (!c->v[i].row.graded || c->v[i].failed)
            v[n++] = &c->v[i];
    qsort(v, n, sizeof *v, html_cmp_attention);
    xmlNodePtr sec = html_section(p, parent, "attention", NULL, "Ungradable and failing");
    if (n == 0)
        html_tel(p, sec, "p", "note", "Every submission passed every test.");
    xmlNodePtr tbody = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!tbody) {
            xmlNodePtr table = html_el(p, sec, "table", "attention");
            xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
            html_tel(p, hr, "th", NULL, "Student");
            html_tel(p, hr, "th", NULL, "Status");
            html_tel(p, hr, "th", "num", "Score");
            html_tel(p, hr, "th", NULL, "Tests not passed");
            tbody = html_el(p, table, "tbody", NULL);
        }
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_link_under(p, html_el(p, tr, "td", NULL), "students", v[i]->dir,
                        "report-instructor.html", v[i]->dir);
        bool g = v[i]->row.graded;
        html_tel(p, html_el(p, tr, "td", NULL), "span", g ? "badge graded" : "badge ungradable",
                 g ? "graded" : "ungradable");
        html_telf(p, tr, "td", "num", "%.1f%%", html_student_pct(v[i]));
        xmlNodePtr td = html_el(p, tr, "td", NULL);
        if (g)
            html_failed_ids(p, td, v[i]);
        else
            html_textf(p, td, "all (not graded: %s)", v[i]->reason ? v[i]->reason : "see the report");
    }
    free(v);
}

static void html_dash_table(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    static const char *const cols[] = { "Student", "Status", "Score", "%", "Lines", "Branches",
                                        "Failed", "Time" };
    xmlNodePtr sec = html_section(p, parent, "students", NULL, "All students");
    xmlNodePtr table = html_el(p, sec, "table", "students");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        html_tel(p, hr, "th", i >= 2 ? "num" : NULL, cols[i]);
    xmlNodePtr tbody = html_el(p, table, "tbody", NULL);
    for (size_t i = 0; i < c->n; i++) {
        const struct html_student *st = &c->v[i];
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_link_under(p, html_el(p, tr, "td", NULL), "students", st->dir,
                        "report-instructor.html", st->dir);
        html_tel(p, html_el(p, tr, "td", NULL), "span",
                 st->row.graded ? "badge graded" : "badge ungradable",
                 st->row.graded ? "graded" : "ungradable");
        html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(st->row.score),
                  html_finite(st->row.max_score));
        html_telf(p, tr, "td", "num", "%.1f%%", html_student_pct(st));
        if (st->row.has_coverage) {
            html_telf(p, tr, "td", "num", "%.1f%%", html_finite(st->row.line_pct));
            html_telf(p, tr, "td", "num", "%.1f%%", html_finite(st->row.branch_pct));
        } else {
            html_tel(p, tr, "td", "num", "-");
            html_tel(p, tr, "td", "num", "-");
        }
        html_telf(p, tr, "td", "num", "%zu", st->failed);
        html_telf(p, tr, "td", "num", "%.1f s", html_finite(st->exec_s));
    }
}

/* A link to the mutation analysis (docs/mutants.md), when it was written into OUT/mutants/. */
static void html_dash_mutants(struct html_page *p, xmlNodePtr parent, bool present)
{
    if (!present)
        return;
    xmlNodePtr para = html_el(p, parent, "p", NULL);
    html_text(p, para, "How well these tests catch bugs: ");
    xmlNodePtr a = html_tel(p, para, "a", NULL, "mutation analysis of the reference");
    html_attr(p, a, "href", "mutants/index.html");
}

static char *html_dashboard(const struct grader_cfg *cfg, const struct html_class *c,
                            bool mutants)
{
    struct html_page p;
    const char *title = cfg->title ? cfg->title : cfg->name ? cfg->name : "";
    char *head = NULL;
    if (asprintf(&head, "Class dashboard: %s", title) < 0)
        return NULL;
    int rc = html_page_open(&p, head);
    free(head);
    if (rc < 0)
        return NULL;
    xmlNodePtr h = html_el(&p, p.body, "header", "top");
    xmlNodePtr left = html_el(&p, h, "div", NULL);
    html_telf(&p, left, "p", "kicker", "%s \xC2\xB7 class dashboard (instructor)",
              cfg->name ? cfg->name : "");
    html_line(&p, left, "h1", NULL, title);
    html_dash_summary(&p, h, c);
    html_dash_histograms(&p, p.body, c);
    html_dash_pass_rates(&p, p.body, cfg, c);
    html_dash_attention(&p, p.body, c);
    html_dash_slowest(&p, p.body, c);
    html_dash_table(&p, p.body, c);
    html_dash_mutants(&p, p.body, mutants);
    html_tel(&p, p.body, "footer", NULL, "Each student's folder: students/NAME/ "
             "(report-instructor.html, report.html, results.json, coverage/html/).");
    return html_page_take(&p);
}

int html_write_dashboard(const struct grader_cfg *cfg, const char *out_dir,
                         char *err, size_t errlen)
{
    char *students = fs_join(out_dir, "students"), *path = fs_join(out_dir, "index.html");
    struct html_class c;
    int rc = -1;
    if (!students || !path) {
        snprintf(err, errlen, "out of memory");
    } else if (html_class_load(students, &c) < 0) {
        snprintf(err, errlen, "cannot read %s: %s", students, strerror(errno));
    } else {
        char *mut = fs_join(out_dir, "mutants/index.html");
        char *page = html_dashboard(cfg, &c, mut && access(mut, F_OK) == 0);
        free(mut);
        if (!page)
            snprintf(err, errlen, "cannot build %s: out of memory", path);
        else if (fs_write_atomic(path, page, strlen(page)) < 0)
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        else
            rc = 0;
        free(page);
        html_class_release(&c);
    }
    free(students);
    free(path);
    return rc;
}
