/*
 * suites.h -- the framework's own Check suites, one per module.
 * tests/unit/test_<module>.c defines <module>_suite(); run_tests.c runs
 * them all.
 */
#ifndef UNIT_SUITES_H
#define UNIT_SUITES_H

#include <check.h>

Suite *tensor_suite(void);
Suite *cfg_suite(void);
Suite *stubgen_suite(void);
Suite *buildlog_suite(void);
Suite *tcheck_suite(void);
Suite *policy_suite(void);
Suite *proc_suite(void);
Suite *coverage_suite(void);
Suite *result_suite(void);
Suite *report_suite(void);
Suite *fsutil_suite(void);
Suite *sbx_suite(void);
Suite *perf_suite(void);
Suite *release_suite(void);
Suite *tmpl_suite(void);
Suite *html_suite(void);
Suite *merge_suite(void);
Suite *tsan_suite(void);
Suite *iotest_suite(void);
Suite *crashloc_suite(void);
Suite *mutreport_suite(void);
Suite *adjust_suite(void);
Suite *ratelimit_suite(void);
Suite *exports_suite(void);
Suite *similar_suite(void);
Suite *outcomes_suite(void);
Suite *testrun_suite(void);

#endif /* UNIT_SUITES_H */
