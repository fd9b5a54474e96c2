/* fixture_main.c -- runs every function of fixture.c on fixed inputs and
 * prints the results: the schema with GRADER_MUTANT=k must print what the
 * program built from `mutagen --apply k` prints. */
#include <stdio.h>

#include "fixture.h"

int main(void)
{
    int v[7] = {1, 2, 3, 4, 5, 6, 20}, w[5] = {3, 4, 5, 6, 7}, lv[4] = {1, 2, 3, 4};
    int out = 0;
    const float m[6] = {1, 2, 3, 4, 5, 6};

    printf("less %d %d\n", fx_less(1, 2), fx_less(2, 2));
    printf("sum %d\n", fx_sum(v, 7));
    printf("scale %g\n", (double)fx_scale(3.0f, 2.0f));
    const int t = fx_tail(v, 7, &out);
    printf("tail %d %d\n", t, out);
    printf("edge %d\n", fx_edge(w, 5));
    printf("macro %d\n", fx_macro(3));
    const int c2 = fx_consts(2), c5 = fx_consts(5);
    printf("consts %d %d\n", c2, c5);
    printf("lvalues %d\n", fx_lvalues(lv, 4));
    int *p = fx_alloc(4);
    printf("alloc %d\n", p ? p[0] + p[1] : -1);
    fx_release(p);
    printf("at %g\n", (double)fx_at(m, 3, 1, 2));
    printf("round %d %ld\n", fx_round(2.5f), fx_lround(2.5f));
    printf("clamp %g %g %g\n", (double)fx_clamp(-3.0f, 50.0f),
           (double)fx_clamp(500.0f, 1000.0f), (double)fx_clamp(7.0f, 5.0f));
    printf("ifdef %d\n", fx_ifdef(1, 2, 3));
    printf("line %d\n", fx_line());
    return 0;
}
