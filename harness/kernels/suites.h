/*
 * suites.h -- the visible Check suites of the Kernels assignment.
 *
 * The visible suites (harness/kernels/visible/) ship to students and port
 * the seed module's tests.  Each suite's cases are the graded units, with stable
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

/* The hidden suites are declared in hidden/hidden_suites.h, which is
 * never shipped to students. */

#endif /* SUITES_H */
