/*
 * run_tests.c -- runs every unit suite of the framework (CK_FORK, so a
 * crashing test is an error, not a dead run).  Exit 0 iff all pass.
 * `run_tests SUITE` runs only that suite (Check's CK_RUN_SUITE works too).
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(int argc, char **argv)
{
    Suite *(*const makers[])(void) = {
        tensor_suite,
        cfg_suite,
        stubgen_suite,
        buildlog_suite,
        tcheck_suite,
        result_suite,
        report_suite,
        fsutil_suite,
        policy_suite,
        proc_suite,
        coverage_suite,
        sbx_suite,
        perf_suite,
        release_suite,
        tmpl_suite,
        html_suite,
        merge_suite,
        tsan_suite,
        iotest_suite,
        crashloc_suite,
        mutreport_suite,
        adjust_suite,
        ratelimit_suite,
        exports_suite,
        similar_suite,
        outcomes_suite,
        testrun_suite,
    };
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++)
        srunner_add_suite(sr, makers[i]());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run(sr, argc > 1 ? argv[1] : NULL, NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
