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
    /* TODO: your code here. */
    (void)in; (void)buf; (void)n; return 0;
}

/* One number of `in` into *v: 0, or -1 with err naming what was found. */
static int read_number(FILE *in, double *v, const char *what, char *err, size_t errlen)
{
    /* TODO: your code here. */
    (void)in; (void)v; return fail(err, errlen, "%s: not implemented", what);
}

int mat_read(FILE *in, Matrix *m, char *err, size_t errlen)
{
    /* TODO: your code here. */
    (void)in; (void)err; (void)errlen; m->rows = m->cols = 0; m->v = NULL; return 0;
}

int mat_multiply(const Matrix *a, const Matrix *b, Matrix *out, char *err, size_t errlen)
{
    /* TODO: your code here. */
    (void)a; (void)b; (void)err; (void)errlen; out->rows = out->cols = 0; out->v = NULL; return 0;
}

double mat_quantize(const Matrix *m, int8_t *q)
{
    /* TODO: your code here. */
    (void)m; (void)q; return 0.0;
}

void mat_write(FILE *out, const Matrix *m)
{
    /* TODO: your code here. */
    (void)out; (void)m;
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
    /* TODO: your code here. */
    (void)path; (void)m; return 1;
}

static int cmd_mul(const char *pa, const char *pb)
{
    /* TODO: your code here. */
    (void)pa; (void)pb; return 1;
}

static int cmd_quant(const char *path)
{
    /* TODO: your code here. */
    (void)path; return 1;
}

static int cmd_stats(const char *path)
{
    /* TODO: your code here. */
    (void)path; return 1;
}

int matcli_main(int argc, char **argv)
{
    /* TODO: your code here. */
    (void)argc; (void)argv; puts("matcli: not written yet"); return 3;
}
