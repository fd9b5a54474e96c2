/*
 * fixture.c -- mutagen's test input (tests/mutagen/mutagen_test.sh): a
 * function or two per operator, and the places no mutant may go (macros,
 * constant expressions).  The test expects exact mutants of some of these
 * functions: change them together.
 */
#include "fixture.h"

#include <stddef.h>

/* Declared here, not included (<math.h>, <stdlib.h>, <string.h>): the test
 * compiles every mutant, and those headers would be half of that time. */
float rintf(float x), roundf(float x), floorf(float x), truncf(float x);
long lrintf(float x), lroundf(float x);
float fminf(float x, float y);
void *malloc(size_t size);
void free(void *p);
void *memset(void *p, int c, size_t n);

#define LIMIT 10
#define SQ(x) ((x) * (x))
#define STEP(i) ((i) + 1)

/* Constant contexts outside functions: never mutated. */
enum { FX_SMALL = 1 + 2 };
static const int fx_table[3] = {4, 5, 6};
_Static_assert(sizeof(int) >= 2, "int has 16 bits at least");

/* ror */
int fx_less(int a, int b)
{
    return a < b;
}

/* bound, const, del, aor (compound) */
int fx_sum(const int *v, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* aor, with a change of precedence */
float fx_scale(float x, float y)
{
    return (x + y) * 2.0f - x / y;
}

/* loop: two remainder loops (no start clause) */
int fx_tail(const int *v, int n, int *out)
{
    int i = 0, s = 0;
    for (; i + 4 <= n; i += 4)
        s += v[i] + v[i + 1] + v[i + 2] + v[i + 3];
    for (; i < n; i++)
        s += v[i];
    *out = s;
    return fx_table[0] > FX_SMALL;
}

/* loop: a while loop after another loop */
int fx_edge(int *v, int n)
{
    for (int i = 1; i < n; i++)
        v[i] += v[i - 1];
    while (n > 0 && v[n - 1] > LIMIT)
        n--;
    return n;
}

/* macros: only the + outside them is a site */
int fx_macro(int a)
{
    int r = SQ(a + 1);
    return r + STEP(a);
}

/* constant expressions inside a function: no const mutant at all */
int fx_consts(int k)
{
    static int calls = 3;
    enum { LOCAL = 4 };
    struct { unsigned bits : 5; } s;
    char buf[8] = "";
    _Static_assert(sizeof buf == 8, "eight");

    switch (k) {
    case 2:
        return (int)sizeof(long[3]);
    default:
        break;
    }
    calls++;
    s.bits = LOCAL;
    *buf = (char)k;
    return *buf + s.bits + calls + (int)_Alignof(double);
}

/* lvalues: assignment targets, ++ operands and & operands stay as they are */
int fx_lvalues(int *v, int n)
{
    int t = n;
    int *p = &t;
    v[n - 1] = *p;
    v[n - 2]++;
    return v[n - 1] + v[n - 2];
}

/* del: an error check, a call, a store */
int *fx_alloc(int n)
{
    int *p = malloc(sizeof *p * (size_t)n);
    if (p == NULL)
        return NULL;
    memset(p, 0, sizeof *p * (size_t)n);
    p[0] = n;
    return p;
}

void fx_release(int *p)
{
    free(p);
}

/* swap */
float fx_at(const float *m, int cols, int r, int c)
{
    return m[r * cols + c];
}

/* round */
int fx_round(float x)
{
    return (int)rintf(x);
}

long fx_lround(float x)
{
    return lrintf(x);
}

/* clamp: fminf, a conditional, an if */
float fx_clamp(float x, float hi)
{
    float y = fminf(x, hi);
    y = y < 0.0f ? 0.0f : y;
    if (y > 100.0f)
        y = 100.0f;
    return y;
}

/* directives inside a span: the schema cannot copy half an #if */
int fx_ifdef(int a, int b, int c)
{
    int x = a +
#ifdef FX_NEVER_DEFINED
        b
#else
        c
#endif
        ;
    return x;
}

/* After every other site: the schema must keep this line's number. */
int fx_line(void)
{
    return __LINE__;
}
