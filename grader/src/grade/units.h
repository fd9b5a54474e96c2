/*
 * units.h -- run the graded units of one grading (grade.c's "run" stage).
 * Prefix units_.
 *
 * Starting a sandbox and the test program costs more than most units'
 * checks, so units of the same visibility and limits (but wall) share
 * their first run in chunks (trun_group(), testrun.h): about three chunks
 * per unit runner, taken by env->unit_jobs runners.  Then, a unit at a
 * time and the ThreadSanitizer units first (the costliest): io tests, the
 * units that ran alone (env->isolate_units, or a chunk that could not
 * give them a result of their own), repeats, ThreadSanitizer runs.
 */
#ifndef UNITS_H
#define UNITS_H

#include "grade/grade_priv.h"

/**
 * Runs every graded unit but the performance tests into g->res->tests[]
 * (config order), sets g->res->phases.run_ms and .test_runs.  0, or -1
 * with g->err when the grader failed or was cancelled.
 */
int units_run(struct grade_run *g);

#endif /* UNITS_H */
