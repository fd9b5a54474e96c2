/*
 * suites.h -- every Check suite of the Kernels assignment.
 *
 * Visible suites (harness/kernels/visible/) ship to students and port the
 * seed module's tests; hidden suites (harness/kernels/hidden/) stay with
 * the instructor.  Each suite's cases are the graded units, with stable
 * ids "suite/case" that config.yaml gives points to.
 */
#ifndef SUITES_H
#define SUITES_H

#include "tcheck.h"

/* visible: the seed's tests, gaps fixed */
extern const struct tc_suite matmul_baseline_suite;   /* matmul_baseline/... */
extern const struct tc_suite vectorized_suite;        /* vectorized/... */
extern const struct tc_suite cache_friendly_suite;    /* cache_friendly/... */
extern const struct tc_suite parallel_suite;          /* parallel/... */
extern const struct tc_suite timing_suite;            /* timing/... */
extern const struct tc_suite quantized_suite;         /* quantized/... */
extern const struct tc_suite performance_suite;       /* performance/... */
extern const struct tc_suite integration_suite;       /* integration/... */

/* hidden: edge cases, remainders, saturation, NaN, every error path */
extern const struct tc_suite hidden_matmul_suite;
extern const struct tc_suite hidden_vectorized_suite;
extern const struct tc_suite hidden_cache_friendly_suite;
extern const struct tc_suite hidden_parallel_suite;
extern const struct tc_suite hidden_quantized_suite;

#endif /* SUITES_H */
