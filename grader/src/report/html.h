/*
 * html.h -- the HTML pages: one submission's report and a batch's class
 * dashboard.  Prefix html_.
 *
 * The pages are built with libxml2's tree API and serialized by its HTML
 * writer, which does all the escaping; student text (messages, output,
 * names) only ever becomes text nodes and attribute values.  Bytes HTML
 * cannot carry (invalid UTF-8, control characters) become U+FFFD first.
 * Each page is one self-contained file: inline CSS, inline SVG charts, no
 * external asset, so it reads the same from a file:// URL, a zip or a web
 * server.  Only the dashboard has a script (sorting, filtering, search),
 * and shows everything without it.
 *
 * Audiences follow report.h: a REPORT_STUDENT page names a test, or shows
 * its category, messages, output and measurements, only if
 * res_student_visible() allows it; the others count only in one
 * aggregate line of points.  The dashboard is for the instructor.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "config/cfg.h"
#include "report/report.h"
#include "score/result.h"

/**
 * One submission's report page (report.html for the student,
 * report-instructor.html): a header (assignment, student, status, score,
 * the reason an ungradable submission was not graded), one table row per
 * test (status, points, name, category; hidden tests as one aggregate
 * row for students), totals per category, the details of every test
 * that did not pass (its failing checks, where and message, and the
 * start of its output), every measured performance test as SVG bars
 * (the student's count, the reference's, the full-points and no-points
 * levels; threads and balance for the threads metric), coverage (lines,
 * functions, branches), the build log, and for the instructor the phase
 * timings.  `coverage_href`, when not NULL, is the (relative) address of
 * the coverage pages, linked from the coverage section.
 *
 * Returns a malloc'd, NUL-terminated page (the caller frees it), or
 * NULL if memory runs out.
 */
char *html_report(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud, const char *coverage_href);

/**
 * Initialises libxml2 for use from several threads (xmlInitParser()).
 * Call it from the main thread before threads make pages: libxml2
 * 2.9 sets up its global mutexes lazily, and two threads making their
 * first page at once can deadlock.  Idempotent.
 */
void html_init(void);

/**
 * The class dashboard OUT/index.html, from every finished student of
 * OUT/students/ (a sub-folder with a results.json; folders starting with
 * '.' are skipped; a results.json that cannot be read is counted and
 * noted on the page): summary figures, links to gradebook.csv and the
 * LMS exports (exports.h, which it writes first), a histogram of the
 * scores and one of line coverage, the failures grouped by reason ("not
 * graded: <first line of the reason>", or "<test id>: <status>") with
 * their counts and students, most students first, the pass rate of each
 * config test (config order), the ten slowest gradings (execution_time),
 * and a table of every student linking to
 * students/NAME/report-instructor.html.  The failures and students tables
 * sort by any column and filter by a search box (and the students by
 * status) when the page's script runs.  Written atomically (fsutil.h).
 * Returns 0, or -1 with err[errlen] if OUT/students cannot be read or
 * a page or export cannot be built or written.
 */
int html_write_dashboard(const struct grader_cfg *cfg, const char *out_dir,
                         char *err, size_t errlen);

#endif /* HTML_H */
