/*
 * simreport.h -- the reports of a similarity check (score/simres.h).
 * Prefix simrep_.
 *
 * Reads only the result data (struct sim_result); writes, into
 * OUT/similarity/:
 *   index.html       the ranked pairs (score, each side's percentage,
 *                    shared fingerprints), the parameters, the students
 *                    without the files and the files not read
 *   pair-NNNN.html   one per detailed pair (NNNN its rank): both
 *                    submissions side by side, each matching region
 *                    highlighted in the same colour on both sides and
 *                    listed with its lines
 *   similarity.csv   every pair with shared fingerprints, ranked:
 *                    rank,student_a,student_b,score,pct_a,pct_b,shared,
 *                    fingerprints_a,fingerprints_b,regions,page
 *                    (percentages with two decimals; page empty when the
 *                    pair has no page)
 * The class dashboard (html.h) shows the first rows of similarity.csv.
 * Every file is for instructors: it quotes students' code.
 */
#ifndef SIMREPORT_H
#define SIMREPORT_H

#include <stddef.h>

#include "score/simres.h"

/* The folder under OUT, and the CSV's name in it. */
#define SIMREP_DIR "similarity"
#define SIMREP_CSV "similarity.csv"

/** similarity.csv's text (malloc'd; NULL when memory runs out). */
char *simrep_csv(const struct sim_result *r);

/** index.html (malloc'd; NULL when memory runs out).  title: the assignment's. */
char *simrep_index_html(const struct sim_result *r, const char *title);

/** The side-by-side page of r->pairs[i], i < r->detailed (malloc'd; NULL on OOM). */
char *simrep_pair_html(const struct sim_result *r, size_t i, const char *title);

/**
 * Writes every report into out_dir/similarity/, replacing what a
 * previous check left there (built in out_dir/.similarity.partial and
 * renamed into place).  Returns 0, or -1 with err[errlen].
 */
int simrep_write(const struct sim_result *r, const char *title, const char *out_dir,
                 char *err, size_t errlen);

/** One row of similarity.csv, as the dashboard reads it back. */
struct simrep_row {
    char *a, *b;             /* the students */
    double score, pct_a, pct_b;
    char *page;              /* "pair-0001.html" (only such names), or NULL */
};

/**
 * The first max rows of out_dir/similarity/similarity.csv into *rows
 * (malloc'd array; free with simrep_rows_free()) and their number into
 * *n, and the number of all its rows into *total.  Returns 1 when the
 * file was read, 0 when there is none (*rows NULL, *n 0), -1 when it
 * cannot be read or parsed.
 */
int simrep_read_top(const char *out_dir, size_t max, struct simrep_row **rows, size_t *n,
                    size_t *total);

/** Frees rows[0..n) and the array; NULL is fine. */
void simrep_rows_free(struct simrep_row *rows, size_t n);

#endif /* SIMREPORT_H */
