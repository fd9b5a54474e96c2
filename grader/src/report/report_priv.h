/*
 * report_priv.h -- private to grader/src/report/: the pieces the output
 * formats share (defined in report.c).  Included by the format files of
 * this folder (results_json.c, junit.c, text.c, markdown.c, gradebook.c and
 * the HTML pages), never from another folder: callers use report.h.
 */
#ifndef REPORT_PRIV_H
#define REPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/report.h"

/* How much of a failing test's output a report shows (text, Markdown, HTML). */
#define REPORT_TEXT_OUTPUT_LINES 20
#define REPORT_TEXT_OUTPUT_BYTES 2000

/* ---- text hygiene ---------------------------------------------------------- */

enum report_clean_mode {
    CLEAN_BLOCK,  /* valid UTF-8, no control characters except \t \n \r */
    CLEAN_LINE,   /* also \t \n \r become spaces (one-line text fields) */
};

/**
 * A malloc'd copy of s (NULL = "") that is safe for the mode: invalid
 * UTF-8, C0/C1 controls, DEL and U+FFFE/U+FFFF become U+FFFD.  The caller
 * frees it; NULL on OOM.
 */
char *report_clean(const char *s, enum report_clean_mode mode);

/* ---- a growing string ------------------------------------------------------ */

/*
 * A growing string: open_memstream plus a flag for failures stdio cannot
 * see (a failed report_clean()).  report_buf_take() gives the text, or
 * NULL if anything failed.
 */
struct report_buf {
    FILE *f;
    char *text;
    size_t len;
    bool failed;
    bool color;   /* REPORT_COLOR: write ANSI SGR sequences (report_sgr()) */
};

/** Opens b, plain (b->color false); -1 if the stream cannot be made. */
int report_buf_open(struct report_buf *b);

/** Closes b; the text (the caller frees it), or NULL if any write failed. */
char *report_buf_take(struct report_buf *b);

/* ANSI SGR sequences, written only when the buffer is in colour. */
#define REPORT_SGR_BOLD   "\033[1m"
#define REPORT_SGR_RED    "\033[31m"
#define REPORT_SGR_GREEN  "\033[32m"
#define REPORT_SGR_YELLOW "\033[33m"
#define REPORT_SGR_RESET  "\033[0m"

/** Writes sgr (NULL: nothing) when b is in colour. */
void report_sgr(struct report_buf *b, const char *sgr);

/* ---- tests: names and visibility ------------------------------------------- */

/** The test's config id, or "(unknown)". */
const char *report_test_id(const struct res_test *t);

/** The test's display name, or its id. */
const char *report_test_name(const struct res_test *t);

/** The test's visibility name (cfg_visibility_name()); hidden without a config. */
const char *report_test_visibility(const struct res_test *t);

/** The one visibility rule: whether the audience may see test t. */
bool report_shows(const struct res_test *t, enum report_audience aud);

/**
 * Categories in first-seen order: true when test i is the first test of
 * its category that the audience sees, with the points of every test of
 * that category the audience sees in *score and *max.  False for every
 * other test (and for tests without a category or that it may not see).
 */
bool report_category_first(const struct res_submission *s, size_t i,
                           enum report_audience aud, double *score, double *max);

/** "graded" or "ungradable". */
const char *report_status_name(enum res_status st);

/** A finite number for the writers; NaN and infinities become 0. */
double report_finite(double x);

/* ---- shared text pieces ---------------------------------------------------- */

/** Writes text with every line prefixed by indent and mark; ends with a newline. */
void report_put_indented(struct report_buf *b, const char *indent, const char *mark,
                         const char *text);

/** Each failing check of t as "where: message", lines prefixed by indent (raw text). */
void report_put_failures(struct report_buf *b, const struct res_test *t, const char *indent);

/**
 * Cuts c (clean UTF-8) in place to its first lines
 * (REPORT_TEXT_OUTPUT_LINES, at most REPORT_TEXT_OUTPUT_BYTES): at a line
 * end, or at a character boundary inside an overlong first line.
 * Returns whether anything was cut off.
 */
bool report_output_head(char *c);

/** report_put_failures() of t with no indent as a string (malloc'd; NULL on OOM). */
char *report_failures_text(const struct res_test *t);

#endif /* REPORT_PRIV_H */
