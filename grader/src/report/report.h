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
 * the top-level "output" is student-facing: it shows no hidden test.
 *
 * Terminal colour is an option of the text writers (enum report_style),
 * never added afterwards; files are always written plain.
 */
#ifndef REPORT_H
#define REPORT_H

#include "config/cfg.h"
#include "score/result.h"

enum report_audience { REPORT_STUDENT, REPORT_INSTRUCTOR };

/** Options of the terminal writers (report_text_styled(), report_class_table_styled()). */
enum report_style {
    REPORT_PLAIN = 0,        /* no escape sequences: files, pipes */
    REPORT_COLOR = 1 << 0,   /* ANSI SGR colours: PASS green, FAIL and ERROR red, a late
                                penalty yellow, headings bold */
};

/**
 * Gradescope's results.json: score (after the late penalty: Gradescope
 * takes the top-level score over the tests' sum), execution_time
 * (seconds), output (Markdown, shown to the student at once: for an
 * ungradable submission the reason and the build log first; one row per
 * visibility with the points of the visible tests only, and a total only
 * when every test is visible; coverage, grading notes, a graded
 * submission's build log; never a test's details, which are in the
 * test's own output), output_format "md",
 * test_output_format "text", visibility, stdout_visibility, tests[]
 * (name, number "1", "2"..., score, max_score, status "passed"/"failed",
 * output (why it did not pass, e.g. "not run: the build failed", its
 * failing checks and output), visibility, tags, extra_data: id, checks, status, and for a
 * measured performance test metric, value, reference, ratio, balance for
 * threads) and extra_data (coverage; phases_ms; student; grader_status;
 * late: null without a late policy, else submitted_at (null if unknown),
 * due, status (res_late_status_name()), days_late (null if unknown),
 * penalty (a fraction, 0..1) and points_lost).  A performance test's
 * output is its measurement line even when it passed; its wall-clock
 * timing (res_perf.timing) is left out, as it differs on every run.
 * Written with jansson, keys in a fixed order, so that grading the same
 * submission twice gives identical bytes apart from execution_time and
 * extra_data.phases_ms.
 */
char *report_json(const struct res_submission *s, const struct grader_cfg *cfg,
                  double execution_time_s);

/**
 * JUnit XML (libxml2), valid against the Jenkins xunit plugin's
 * junit-10.xsd: one <testsuite name=assignment> (<properties>: student,
 * status, score, max_score, reason) with one <testcase classname="suite"
 * name="the test's title"> per graded test the audience may see,
 * <failure> for failed tests and <error> for RES_ERROR/RES_NOT_RUN, each
 * with the reason as its message and as its text's first line (then the
 * failing checks and notes), and <system-out> with "Points: x / y", a
 * performance test's measurement, the test's output (and for the
 * instructor its visibility and id).  For students, hidden tests
 * collapse into one testcase "Hidden tests" that fails unless all of
 * them passed, with its points and no details.
 */
char *report_junit(const struct res_submission *s, const struct grader_cfg *cfg,
                   enum report_audience aud);

/**
 * The human report: a header (assignment, student, score), one line per
 * test ("PASS  5.0/5.0  Baseline matmul"), under each failure its
 * failing checks (where: message) and the start of its output, under
 * each performance test its measurement and timing, totals
 * per category and overall, coverage (lines, functions, branches), and
 * for an ungradable submission the reason and the build log.  With a
 * late policy, a "Late:" line under the score says whether the
 * submission was on time, how many days late and what it cost, or that
 * its time is unknown (then it is not penalised).  Plain text.
 */
char *report_text(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud);

/** report_text() with options: `style` is a set of enum report_style flags. */
char *report_text_styled(const struct res_submission *s, const struct grader_cfg *cfg,
                         enum report_audience aud, unsigned style);

/**
 * The student's report in Markdown (report.md, a GitHub Actions job
 * summary; results.json's "output" is report_json()'s own): a heading with the score, the late
 * penalty, one table row per test the student may see (res_student_visible())
 * and one "Hidden tests" row of points for the others, then for each
 * visible test that did not pass its message, its failing checks and the
 * start of its output in fenced code blocks (each fence longer than any
 * run of backticks inside), the measurement of each visible performance
 * test (not its wall-clock timing: the text is deterministic), notes,
 * categories, coverage and the build log.  Inline text has Markdown's
 * punctuation backslash-escaped, so names and messages cannot add links,
 * HTML or formatting.  Never a hidden test's name, message, output or tags.
 */
char *report_markdown(const struct res_submission *s, const struct grader_cfg *cfg);

/**
 * The late outcome in one sentence without a trailing newline ("2 days
 * late (submitted ..., due ...): 20% penalty, 8.00 points lost") into
 * buf[n], for every report format.  Returns false (buf untouched) when
 * the config has no late policy.
 */
bool report_late_sentence(const struct res_submission *s, const struct grader_cfg *cfg,
                          char *buf, size_t n);

/** How many report_adjust_sentence()s s has: its extension, then its adjustments. */
size_t report_adjust_count(const struct res_submission *s);

/**
 * The i-th manual adjustment (res_apply_adjustments()) in one sentence
 * without a newline into buf[n], for every report format: "Extension:
 * due 2026-12-18T23:59:00-05:00: REASON", "Points: -3.00: REASON" or
 * "Test matmul_baseline/special set by hand to 2.00 (was 0.00): REASON"
 * (a test `aud` may not see is "a hidden test").  The reason is the
 * instructor's text cut to one line, not escaped: each format escapes it.
 */
void report_adjust_sentence(const struct res_submission *s, size_t i,
                            enum report_audience aud, char *buf, size_t n);

/**
 * GitHub Actions workflow commands (annotations.c) for the failing tests
 * a student may see: one "::error file=F,line=N,title=TEST: CHECK::MESSAGE"
 * line per failing check, F the test file's path relative to the config's
 * folder (found among build.sources by the check's "file.c:N"; no file=
 * when it is not there), one "::error title=TEST::MESSAGE" per failing
 * test without a failing check (a timeout, a crash, a performance test);
 * for an ungradable submission one per compiler error of the build log
 * at SUB_DIR/FILE:LINE:COL, else one with the reason.  Properties and
 * messages are escaped as @actions/core does (% CR LF, and : , in
 * properties).  Empty when every visible test passed.
 */
char *report_annotations_github(const struct res_submission *s, const struct grader_cfg *cfg,
                                const char *sub_dir);

/**
 * gradebook.csv (libcsv quoting): the header row
 * "student,status,score,max_score,<id> points...,<id> status...,
 * line_coverage,branch_coverage,late_days,late_penalty" and one row per
 * submission.  score is after the late penalty; late_days and
 * late_penalty (percent of the earned score taken) are empty without a
 * late policy or a known submission time.  Each returns one line ending
 * in "\n".
 */
char *report_gradebook_header(const struct grader_cfg *cfg);
char *report_gradebook_row(const struct res_submission *s, const struct grader_cfg *cfg);

/**
 * The class summary printed after a batch: one aligned line per student
 * (status, score, line and branch coverage), then the count, mean and
 * median of the scores.  For the instructor's terminal.
 */
char *report_class_table(const struct res_row *rows, size_t n);

/** report_class_table() with enum report_style flags (REPORT_COLOR: status in colour). */
char *report_class_table_styled(const struct res_row *rows, size_t n, unsigned style);

#endif /* REPORT_H */
