/*
 * suites.h -- the visible Check suites of the matcli assignment
 * (harness/matcli/visible/); the hidden ones are declared in
 * hidden/hidden_suites.h, never shipped.  Each suite's cases are the graded
 * units, "suite/case", which matcli.yaml gives points to.
 */
#ifndef MATCLI_SUITES_H
#define MATCLI_SUITES_H

#include <stdio.h>
#include <string.h>

#include "matcli.h"
#include "tcheck.h"

extern const struct tc_suite read_suite;       /* read/... */
extern const struct tc_suite multiply_suite;   /* multiply/... */
extern const struct tc_suite quantize_suite;   /* quantize/... */

/* `text` as a FILE (fmemopen), for mat_read(). */
static inline FILE *mc_text(const char *text)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_msg(f != NULL, "fmemopen failed");
    return f;
}

/* mat_read() of `text`, which must succeed. */
static inline Matrix mc_read(const char *text)
{
    Matrix m = {0, 0, NULL};
    char err[160] = "";
    FILE *f = mc_text(text);
    int rc = mat_read(f, &m, err, sizeof err);
    fclose(f);
    ck_assert_msg(rc == 0, "mat_read(\"%s\") failed: %s", text, err);
    return m;
}

/* m has this shape and these values (within tol). */
static inline void mc_assert_matrix(const Matrix *m, size_t rows, size_t cols,
                                    const double *want, double tol, const char *what)
{
    ck_assert_msg(m->rows == rows && m->cols == cols, "%s: shape %zux%zu, expected %zux%zu",
                  what, m->rows, m->cols, rows, cols);
    ck_assert_msg(m->v != NULL, "%s: no values", what);
    for (size_t i = 0; i < rows * cols; i++) {
        double d = m->v[i] - want[i];
        ck_assert_msg(d <= tol && d >= -tol, "%s: at [%zu, %zu] expected %g, got %g", what,
                      i / cols, i % cols, want[i], m->v[i]);
    }
}

#endif
