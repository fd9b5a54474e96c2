/*
 * mutres.c -- the result data of a mutation analysis (see mutres.h).
 */
#include "score/mutres.h"

#include <stdlib.h>
#include <string.h>

const char *mut_verdict_name(enum mut_verdict v)
{
    static const char *const names[] = {"killed", "timeout", "survived", "not covered",
                                        "equivalent"};
    return v < MUT_NVERDICTS ? names[v] : "?";
}

void mut_result_release(struct mut_result *r)
{
    for (size_t i = 0; r->mutants && i < r->nmutants; i++) {
        struct mut_mutant *m = &r->mutants[i];
        free(m->file);
        free(m->id);
        free(m->op);
        free(m->function);
        free(m->description);
        free(m->diff);
        free(m->killer);
        free(m->detail);
    }
    for (size_t i = 0; i < r->nstale; i++)
        free(r->stale[i]);
    free(r->stale);
    free(r->mutants);
    free(r->units);
    memset(r, 0, sizeof *r);
}

size_t mut_count(const struct mut_result *r, enum mut_verdict v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nmutants; i++)
        n += r->mutants[i].verdict == v;
    return n;
}

double mut_score(const struct mut_result *r, const char *function)
{
    size_t detected = 0, scored = 0;
    for (size_t i = 0; i < r->nmutants; i++) {
        const struct mut_mutant *m = &r->mutants[i];
        if (m->verdict == MUT_EQUIVALENT || (function && strcmp(m->function, function) != 0))
            continue;
        scored++;
        detected += m->verdict == MUT_KILLED || m->verdict == MUT_TIMEOUT;
    }
    return scored ? (double)detected / (double)scored : 1.0;
}
