/*
 * matcli.c -- read matrices from files, multiply and quantize them, print
 * the results (matcli.h says what each function must do).
 */
#include "matcli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Formats a reason into err (when there is room) and returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The next whitespace-separated word of `in` into buf: 1, 0 at the end, -1 if too long. */
static int next_word(FILE *in, char *buf, size_t n)
{
    /* BEGIN SOLUTION (stub: (void)in; (void)buf; (void)n; return 0;) */
    int c;
    size_t len = 0;
    while ((c = getc(in)) != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                                     c == '\v' || c == '\f'))
        ;
    if (c == EOF)
        return 0;
    while (c != EOF && !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                         c == '\f')) {
        if (len + 1 >= n)
            return -1;
        buf[len++] = (char)c;
        c = getc(in);
    }
    buf[len] = '\0';
    return 1;
    /* END SOLUTION */
}

/* One number of `in` into *v: 0, or -1 with err naming what was found. */
static int read_number(FILE *in, double *v, const char *what, char *err, size_t errlen)
{
    /* BEGIN SOLUTION (stub: (void)in; (void)v; return fail(err, errlen, "%s: not implemented", what);) */
    char word[64], *end;
    int rc = next_word(in, word, sizeof word);
    if (rc == 0)
        return fail(err, errlen, "%s: expected a number, found the end of the input", what);
    if (rc < 0)
        return fail(err, errlen, "%s: a word of 64 characters or more is not a number", what);
    errno = 0;
    *v = strtod(word, &end);
    if (end == word || *end != '\0')
        return fail(err, errlen, "%s: '%s' is not a number", what, word);
    return 0;
    /* END SOLUTION */
}

int mat_read(FILE *in, Matrix *m, char *err, size_t errlen)
{
    /* BEGIN SOLUTION (stub: (void)in; (void)err; (void)errlen; m->rows = m->cols = 0; m->v = NULL; return 0;) */
    double r, c;
    m->rows = m->cols = 0;
    m->v = NULL;
    if (read_number(in, &r, "rows", err, errlen) < 0 ||
        read_number(in, &c, "columns", err, errlen) < 0)
        return -1;
    if (r != floor(r) || c != floor(c) || r < 1 || c < 1 || r > MATCLI_MAX_DIM ||
        c > MATCLI_MAX_DIM)
        return fail(err, errlen, "bad size %g x %g (each from 1 to %d)", r, c, MATCLI_MAX_DIM);
    size_t n = (size_t)r * (size_t)c;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return fail(err, errlen, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "value %zu of %zu", i + 1, n);
        if (read_number(in, &v[i], what, err, errlen) < 0) {
            free(v);
            return -1;
        }
    }
    m->rows = (size_t)r;
    m->cols = (size_t)c;
    m->v = v;
    return 0;
    /* END SOLUTION */
}

int mat_multiply(const Matrix *a, const Matrix *b, Matrix *out, char *err, size_t errlen)
{
    /* BEGIN SOLUTION (stub: (void)a; (void)b; (void)err; (void)errlen; out->rows = out->cols = 0; out->v = NULL; return 0;) */
    out->rows = out->cols = 0;
    out->v = NULL;
    if (a->cols != b->rows)
        return fail(err, errlen, "cannot multiply %zux%zu by %zux%zu", a->rows, a->cols,
                    b->rows, b->cols);
    double *v = calloc(a->rows * b->cols, sizeof *v);
    if (!v)
        return fail(err, errlen, "out of memory");
    for (size_t i = 0; i < a->rows; i++)
        for (size_t k = 0; k < a->cols; k++) {
            double x = a->v[i * a->cols + k];
            for (size_t j = 0; j < b->cols; j++)
                v[i * b->cols + j] += x * b->v[k * b->cols + j];
        }
    out->rows = a->rows;
    out->cols = b->cols;
    out->v = v;
    return 0;
    /* END SOLUTION */
}

double mat_quantize(const Matrix *m, int8_t *q)
{
    /* BEGIN SOLUTION (stub: (void)m; (void)q; return 0.0;) */
    size_t n = m->rows * m->cols;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        top = fabs(m->v[i]) > top ? fabs(m->v[i]) : top;
    double scale = top > 0 ? top / 127.0 : 1.0;
    for (size_t i = 0; i < n; i++) {
        double x = rint(m->v[i] / scale);
        q[i] = (int8_t)(x > 127 ? 127 : x < -127 ? -127 : x);
    }
    return scale;
    /* END SOLUTION */
}

void mat_write(FILE *out, const Matrix *m)
{
    /* BEGIN SOLUTION (stub: (void)out; (void)m;) */
    fprintf(out, "%zu %zu\n", m->rows, m->cols);
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            fprintf(out, "%.6g%c", m->v[i * m->cols + j], j + 1 < m->cols ? ' ' : '\n');
    /* END SOLUTION */
}

void mat_free(Matrix *m)
{
    free(m->v);
    m->v = NULL;
    m->rows = m->cols = 0;
}

/* ---- the command line --------------------------------------------------------- */

/* Reads the matrix of file `path` ("-": stdin).  0, or 1 after saying why. */
static int load(const char *path, Matrix *m)
{
    /* BEGIN SOLUTION (stub: (void)path; (void)m; return 1;) */
    char err[160];
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "matcli: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = mat_read(f, m, err, sizeof err);
    if (f != stdin)
        fclose(f);
    if (rc < 0) {
        fprintf(stderr, "matcli: %s: %s\n", path, err);
        return 1;
    }
    return 0;
    /* END SOLUTION */
}

static int cmd_mul(const char *pa, const char *pb)
{
    /* BEGIN SOLUTION (stub: (void)pa; (void)pb; return 1;) */
    Matrix a, b, c;
    char err[160];
    if (load(pa, &a))
        return 1;
    if (load(pb, &b)) {
        mat_free(&a);
        return 1;
    }
    int rc = mat_multiply(&a, &b, &c, err, sizeof err);
    if (rc == 0)
        mat_write(stdout, &c);
    else
        fprintf(stderr, "matcli: %s\n", err);
    mat_free(&a);
    mat_free(&b);
    mat_free(&c);
    return rc == 0 ? 0 : 1;
    /* END SOLUTION */
}

static int cmd_quant(const char *path)
{
    /* BEGIN SOLUTION (stub: (void)path; return 1;) */
    Matrix m;
    if (load(path, &m))
        return 1;
    int8_t *q = malloc(m.rows * m.cols);
    if (!q) {
        mat_free(&m);
        fprintf(stderr, "matcli: out of memory\n");
        return 1;
    }
    printf("scale %.6g\n", mat_quantize(&m, q));
    for (size_t i = 0; i < m.rows; i++)
        for (size_t j = 0; j < m.cols; j++)
            printf("%d%c", q[i * m.cols + j], j + 1 < m.cols ? ' ' : '\n');
    free(q);
    mat_free(&m);
    return 0;
    /* END SOLUTION */
}

static int cmd_stats(const char *path)
{
    /* BEGIN SOLUTION (stub: (void)path; return 1;) */
    Matrix m;
    if (load(path, &m))
        return 1;
    double sum = 0, lo = m.v[0], hi = m.v[0];
    for (size_t i = 0; i < m.rows * m.cols; i++) {
        sum += m.v[i];
        lo = m.v[i] < lo ? m.v[i] : lo;
        hi = m.v[i] > hi ? m.v[i] : hi;
    }
    printf("%zux%zu sum %.6g min %.6g max %.6g\n", m.rows, m.cols, sum, lo, hi);
    mat_free(&m);
    return 0;
    /* END SOLUTION */
}

int matcli_main(int argc, char **argv)
{
    /* BEGIN SOLUTION (stub: (void)argc; (void)argv; puts("matcli: not written yet"); return 3;) */
    if (argc == 4 && strcmp(argv[1], "mul") == 0)
        return cmd_mul(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "quant") == 0)
        return cmd_quant(argv[2]);
    if (argc == 3 && strcmp(argv[1], "stats") == 0)
        return cmd_stats(argv[2]);
    fprintf(stderr, "usage: matcli mul A B | quant A | stats A\n");
    return 2;
    /* END SOLUTION */
}
