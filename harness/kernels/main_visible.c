/* main_visible.c -- the students' test program: the visible suites only. */
#include "runner.h"
#include "suites.h"

int main(int argc, char **argv)
{
    static const struct tc_suite *const suites[] = {
        &matmul_baseline_suite, &vectorized_suite, &cache_friendly_suite,
        &parallel_suite,        &timing_suite,     &quantized_suite,
        &performance_suite,     &integration_suite, NULL,
    };
    return runner_main(argc, argv, suites);
}
