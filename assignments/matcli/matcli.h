/*
 * matcli.h -- the matcli assignment: a command-line tool that reads
 * matrices from files, multiplies and quantizes them, and prints results.
 *
 * You write matcli.c: the functions below and matcli_main(), the whole
 * command line.  The program's main() is given (it calls matcli_main()),
 * so your file has no main() of its own: the unit tests link it too.
 *
 * The matrix text format, read and written:
 *
 *     ROWS COLS
 *     v11 v12 ... v1C
 *     ...
 *     vR1 vR2 ... vRC
 *
 * Numbers are separated by any whitespace (spaces, tabs, newlines, CR);
 * strtod's syntax (1, -2.5, 3e-4).  0 < ROWS, COLS <= MATCLI_MAX_DIM.
 */
#ifndef MATCLI_H
#define MATCLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** The largest number of rows or columns mat_read() accepts. */
#define MATCLI_MAX_DIM 4096

/** A dense row-major matrix: element (i, j) is v[i * cols + j]. */
typedef struct {
    size_t rows, cols;
    double *v;            /* rows * cols values, malloc'd; mat_free() frees it */
} Matrix;

/**
 * Reads one matrix in the format above from `in` into *m.  Returns 0, or
 * -1 with a one-line reason in err[errlen] ("expected 6 values, found 5",
 * "bad size 0 x 3", "'x1' is not a number"); *m is then empty (v NULL).
 * Text after the last value is not read.
 */
int mat_read(FILE *in, Matrix *m, char *err, size_t errlen);

/**
 * *out = a @ b (out->v malloc'd).  Returns 0, or -1 with a reason in err
 * when a->cols != b->rows ("cannot multiply 2x3 by 2x3") or memory runs out.
 */
int mat_multiply(const Matrix *a, const Matrix *b, Matrix *out, char *err, size_t errlen);

/**
 * Symmetric int8 quantization of m into q (rows * cols values): returns
 * the scale s = max |v| / 127 (1.0 when every value is 0), and
 * q[i] = v[i] / s rounded to the nearest integer, halves to even
 * (rint()), clamped to [-127, 127].
 */
double mat_quantize(const Matrix *m, int8_t *q);

/** Writes m in the format above: "ROWS COLS", then each row, "%.6g" values
 *  separated by one space. */
void mat_write(FILE *out, const Matrix *m);

/** Frees m->v and empties *m.  Safe on an empty matrix. */
void mat_free(Matrix *m);

/**
 * The command line (argv[0] is the program):
 *
 *   matcli mul A B      writes A @ B (mat_write)
 *   matcli quant A      writes "scale S" (%.6g), then the int8 values, a
 *                       row per line, separated by one space
 *   matcli stats A      writes "ROWSxCOLS sum S min X max Y" (%.6g each)
 *
 * A file named "-" is stdin.  Returns the exit status: 0; 1 after writing
 * "matcli: REASON" to stderr when a file cannot be opened or read or the
 * shapes do not fit (nothing on stdout then); 2 after writing
 * "usage: matcli mul A B | quant A | stats A" to stderr for any other
 * command line.
 */
int matcli_main(int argc, char **argv);

#endif /* MATCLI_H */
