/*
 * html_page.c -- the page toolkit of the HTML pages (html_priv.h): a
 * libxml2 tree serialized by htmlDocDumpMemory, with the shared CSS,
 * elements, text, meters, links, and inline SVG bar charts and
 * histograms.  The pages themselves: html_report.c (one submission) and
 * dashboard.c (the class).
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
#include "report/html_priv.h"

#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/chvalid.h>
#include <libxml/uri.h>
#include <libxml/xmlstring.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Horizontal bar charts: row geometry, in pixels. */
#define HTML_ROW_H 26
#define HTML_BAR_H 16
#define HTML_BAR_W 360.0
#define HTML_TEXT_W 150.0

/* Vertical histograms (HTML_HIST_BINS: html_priv.h). */
#define HTML_HIST_W 460.0
#define HTML_HIST_H 150.0

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
char *html_clean(const char *s, bool one_line)
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
double html_finite(double x)
{
    return isfinite(x) ? x : 0.0;
}

double html_pct(double part, double whole)
{
    return whole > 0 ? 100.0 * html_finite(part) / whole : 0.0;
}

/* ---- building a page ----------------------------------------------------- */

void html_attr(struct html_page *p, xmlNodePtr n, const char *name, const char *value)
{
    char *c = html_clean(value, true);
    if (!n || !c || !xmlNewProp(n, BAD_CAST name, BAD_CAST c))
        p->failed = true;
    free(c);
}

void html_attrf(struct html_page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
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
xmlNodePtr html_el(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls)
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
void html_text_mode(struct html_page *p, xmlNodePtr parent, const char *text, bool one_line)
{
    char *c = html_clean(text, one_line);
    xmlNodePtr t = c && parent ? xmlNewText(BAD_CAST c) : NULL;
    if (!t || !xmlAddChild(parent, t)) {
        xmlFreeNode(t);
        p->failed = true;
    }
    free(c);
}

void html_text(struct html_page *p, xmlNodePtr parent, const char *text)
{
    html_text_mode(p, parent, text, false);
}

/* Appends the formatted text to parent: the core of html_textf() and html_telf(). */
static void html_vtextf(struct html_page *p, xmlNodePtr parent, const char *fmt, va_list ap)
{
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0) {
        p->failed = true;
        return;
    }
    html_text(p, parent, v);
    free(v);
}

void html_textf(struct html_page *p, xmlNodePtr parent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    html_vtextf(p, parent, fmt, ap);
    va_end(ap);
}

/* An element holding text. */
xmlNodePtr html_tel(struct html_page *p, xmlNodePtr parent, const char *tag,
                    const char *cls, const char *text)
{
    xmlNodePtr n = html_el(p, parent, tag, cls);
    html_text(p, n, text);
    return n;
}

/* An element holding one line of text (names, ids: line ends become spaces). */
xmlNodePtr html_line(struct html_page *p, xmlNodePtr parent, const char *tag,
                     const char *cls, const char *text)
{
    xmlNodePtr n = html_el(p, parent, tag, cls);
    html_text_mode(p, n, text, true);
    return n;
}

xmlNodePtr html_telf(struct html_page *p, xmlNodePtr parent, const char *tag,
                     const char *cls, const char *fmt, ...)
{
    xmlNodePtr n = html_el(p, parent, tag, cls);
    va_list ap;
    va_start(ap, fmt);
    html_vtextf(p, n, fmt, ap);
    va_end(ap);
    return n;
}

/* <section id=id><h2>title</h2>...: returns the section. */
xmlNodePtr html_section(struct html_page *p, xmlNodePtr parent, const char *id,
                        const char *cls, const char *title)
{
    xmlNodePtr s = html_el(p, parent, "section", cls);
    if (id)
        html_attr(p, s, "id", id);
    html_tel(p, s, "h2", NULL, title);
    return s;
}

/* A horizontal meter: <div class=meter><div style="width:P%">. */
void html_meter(struct html_page *p, xmlNodePtr parent, double pct)
{
    xmlNodePtr m = html_el(p, parent, "div", "meter");
    xmlNodePtr fill = html_el(p, m, "div", NULL);
    pct = html_finite(pct);
    html_attrf(p, fill, "style", "width:%.1f%%", pct < 0 ? 0 : pct > 100 ? 100 : pct);
}

/* A link whose target is dir/NAME/file with NAME percent-encoded. */
void html_link_under(struct html_page *p, xmlNodePtr parent, const char *dir,
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
int html_page_open(struct html_page *p, const char *title)
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
char *html_page_take(struct html_page *p)
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
void html_hbars(struct html_page *p, xmlNodePtr parent, const char *cls, const char *label,
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
size_t html_bin(double pct)
{
    pct = html_finite(pct);
    if (pct <= 0)
        return 0;
    size_t b = (size_t)(pct / 10.0);
    return b >= HTML_HIST_BINS ? HTML_HIST_BINS - 1 : b;
}

/* A vertical histogram of percentages, one bar per bin of 10 points. */
void html_histogram(struct html_page *p, xmlNodePtr parent, const char *cls,
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

void html_init(void)
{
    xmlInitParser();
}
