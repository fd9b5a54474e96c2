/* main_all.c -- the grader's test program: visible and hidden suites. */
#include "hidden/hidden_suites.h"
#include "runner.h"
#include "suites.h"

int main(int argc, char **argv)
{
    static const struct tc_suite *const suites[] = {
        &matmul_baseline_suite,   &vectorized_suite,
        &cache_friendly_suite,    &parallel_suite,
        &timing_suite,            &quantized_suite,
        &performance_suite,       &integration_suite,
        &hidden_matmul_suite,     &hidden_vectorized_suite,
        &hidden_cache_friendly_suite, &hidden_parallel_suite,
        &hidden_quantized_suite,  &hidden_faults_suite,
        &hidden_edges_suite,      NULL,
    };
    return runner_main(argc, argv, suites);
}
