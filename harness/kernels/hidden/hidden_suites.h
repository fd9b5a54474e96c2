/*
 * hidden_suites.h -- the hidden Check suites of the Kernels assignment:
 * edge cases, remainders, saturation, NaN and every error path.  Stays
 * with the instructor; only main_all.c (the grader's test program) and
 * the hidden suites include it.
 */
#ifndef HIDDEN_SUITES_H
#define HIDDEN_SUITES_H

#include "tcheck.h"

extern const struct tc_suite hidden_matmul_suite;
extern const struct tc_suite hidden_vectorized_suite;
extern const struct tc_suite hidden_cache_friendly_suite;
extern const struct tc_suite hidden_parallel_suite;
extern const struct tc_suite hidden_quantized_suite;
extern const struct tc_suite hidden_faults_suite;
extern const struct tc_suite hidden_edges_suite;

#endif /* HIDDEN_SUITES_H */
