/*
 * report.h -- turn a graded submission into the formats people and CI
 * read.  Prefix report_.  The only module that formats results.
 *
 * Every function returns a malloc'd, NUL-terminated string (the caller
 * frees it), or NULL if memory runs out.  They print nothing; the caller
 * writes the string (atomically, see fsutil.h).
 *
 * Audiences.  REPORT_STUDENT output never contains a test's name,
 * message, output or tags unless res_student_visible() says the student
 * may see that test: hidden tests appear only as one aggregate line of
 * points ("Hidden tests: 12/20").  REPORT_INSTRUCTOR shows everything.
 * results.json is for Gradescope, which applies each test's
 * "visibility" itself, so it carries every test with its visibility, but
 * the top-level "output" is student-facing.
 */
#ifndef REPORT_H
#define REPORT_H

#include "cfg.h"
#include "result.h"

enum report_audience { REPORT_STUDENT, REPORT_INSTRUCTOR };

/**
 * Gradescope's results.json: score, execution_time (seconds),
 * output, output_format "text", visibility, stdout_visibility, tests[]
 * (name, number "1", "2"..., score, max_score, status "passed"/"failed",
 * output, visibility, tags, extra_data: id, checks, status, and for a
 * measured performance test metric, value, reference, ratio, balance for
 * threads) and extra_data (coverage; phases_ms).  A performance test's
 * output is its measurement line even when it passed; its wall-clock
 * timing (res_perf.timing) is left out, as it differs on every run.
 * Written with jansson, keys in a fixed order, so that grading the same
 * submission twice gives identical bytes apart from execution_time and
 * extra_data.phases_ms.
 */
char *report_json(const struct res_submission *s, const struct grader_cfg *cfg,
                  double execution_time_s);

/**
 * JUnit XML (libxml2): one <testsuite name=assignment> with one
 * <testcase classname="suite" name="case"> per graded test the audience
 * may see, <failure message=...> with the failing checks for failed
 * tests, <error> for RES_ERROR/RES_NOT_RUN, and <system-out> with the
 * test's output.  For students, hidden tests collapse into one testcase
 * "hidden_tests" that fails unless all of them passed, with no details.
 */
char *report_junit(const struct res_submission *s, const struct grader_cfg *cfg,
                   enum report_audience aud);

/**
 * The human report: a header (assignment, student, score), one line per
 * test ("PASS  5.0/5.0  Baseline matmul"), under each failure its
 * failing checks (where: message) and the start of its output, under
 * each performance test its measurement and timing, totals
 * per category and overall, coverage (lines, functions, branches), and
 * for an ungradable submission the reason and the build log.
 */
char *report_text(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud);

/**
 * gradebook.csv (libcsv quoting): the header row
 * "student,status,score,max_score,<id> points...,<id> status...,
 * line_coverage,branch_coverage" and one row per submission.  Each
 * returns one line ending in "\n".
 */
char *report_gradebook_header(const struct grader_cfg *cfg);
char *report_gradebook_row(const struct res_submission *s, const struct grader_cfg *cfg);

/**
 * The class summary printed after a batch: one aligned line per student
 * (status, score, line and branch coverage), then the count, mean and
 * median of the scores.  For the instructor's terminal.
 */
char *report_class_table(const struct res_row *rows, size_t n);

#endif /* REPORT_H */
