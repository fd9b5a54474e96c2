/*
 * html_priv.h -- private to grader/src/report/: the page toolkit of the
 * HTML pages (html_page.c), shared by html_report.c and dashboard.c (and
 * mutreport.c's page).  Never included from another folder: callers use
 * html.h.
 *
 * A page is a libxml2 tree.  html_page_open() starts it (head, CSS,
 * <main>), the element helpers add to it, html_page_take() serializes and
 * frees it.  No helper returns an error: a failed allocation sets
 * page->failed, the helpers go on (NULL parents are tolerated) and
 * html_page_take() then returns NULL.  All text and attribute values go
 * through html_clean(), so student text is safe anywhere.
 */
#ifndef HTML_PRIV_H
#define HTML_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "report/html.h"

/* A page being built. */
struct html_page {
    xmlDocPtr doc;
    xmlNodePtr head, body;     /* body: the <main> element */
    bool failed;               /* an allocation failed: the page is dropped */
};

/** A new HTML5 document titled title, with the shared CSS; -1 on OOM (nothing to free). */
int html_page_open(struct html_page *p, const char *title);

/** The serialized page (malloc'd), or NULL if building failed; frees the tree either way. */
char *html_page_take(struct html_page *p);

/* ---- text ------------------------------------------------------------------- */

/**
 * A malloc'd copy of s (NULL: "") that HTML can carry: valid UTF-8,
 * XML characters only, no DEL or C1 controls; the rest becomes U+FFFD.
 * one_line also turns tabs and line ends into spaces.  NULL on OOM.
 */
char *html_clean(const char *s, bool one_line);

/** A finite number; NaN and infinities become 0. */
double html_finite(double x);

/** part in percent of whole; 0 when whole is not positive. */
double html_pct(double part, double whole);

/* ---- elements ---------------------------------------------------------------- */

/** Sets attribute name to the cleaned one-line value. */
void html_attr(struct html_page *p, xmlNodePtr n, const char *name, const char *value);

/** html_attr() with a printf format. */
void html_attrf(struct html_page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** A new element under parent, with a class unless cls is NULL. */
xmlNodePtr html_el(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls);

/** Appends text (cleaned; a block keeps its line ends unless one_line) to parent. */
void html_text_mode(struct html_page *p, xmlNodePtr parent, const char *text, bool one_line);

/** html_text_mode() keeping line ends. */
void html_text(struct html_page *p, xmlNodePtr parent, const char *text);

/** html_text() with a printf format. */
void html_textf(struct html_page *p, xmlNodePtr parent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** An element holding text. */
xmlNodePtr html_tel(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls,
                    const char *text);

/** An element holding one line of text (names, ids: line ends become spaces). */
xmlNodePtr html_line(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls,
                     const char *text);

/** html_tel() with a printf format. */
xmlNodePtr html_telf(struct html_page *p, xmlNodePtr parent, const char *tag, const char *cls,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** <section id=id class=cls><h2>title</h2>: returns the section (id, cls may be NULL). */
xmlNodePtr html_section(struct html_page *p, xmlNodePtr parent, const char *id,
                        const char *cls, const char *title);

/** A horizontal meter filled to pct (clamped to 0..100). */
void html_meter(struct html_page *p, xmlNodePtr parent, double pct);

/** A link with text whose target is dir/NAME/file with NAME percent-encoded. */
void html_link_under(struct html_page *p, xmlNodePtr parent, const char *dir,
                     const char *name, const char *file, const char *text);

/* ---- charts ------------------------------------------------------------------- */

/* One bar of a horizontal chart. */
struct html_bar {
    const char *label;         /* left of the bar */
    double value;              /* its length, against the chart's max */
    const char *cls;           /* "bar CLS" */
    const char *text;          /* right of the bar (the value, spelled out) */
    const char *title;         /* tooltip, or NULL */
};

/**
 * An inline SVG horizontal bar chart: label | bar (value / max of the bar
 * area) | text, label_w pixels for the labels.  max <= 0 draws empty bars.
 */
void html_hbars(struct html_page *p, xmlNodePtr parent, const char *cls, const char *label,
                const struct html_bar *bars, size_t n, double max, double label_w);

/* Histograms have one bin per 10 percentage points. */
#define HTML_HIST_BINS 10

/** The bin of a percentage: 0-9, 10-19, ..., 90-100. */
size_t html_bin(double pct);

/** An inline SVG histogram of percentages, one vertical bar per bin. */
void html_histogram(struct html_page *p, xmlNodePtr parent, const char *cls,
                    const char *label, const size_t counts[HTML_HIST_BINS]);

#endif /* HTML_PRIV_H */
