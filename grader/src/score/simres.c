/*
 * simres.c -- freeing a similarity result and mapping its listing lines
 * back to files (simres.h).
 */
#include "score/simres.h"

#include <stdlib.h>
#include <string.h>

static void sim_strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sim_result_release(struct sim_result *r)
{
    for (size_t i = 0; i < r->nstudents; i++) {
        struct sim_student *st = &r->students[i];
        for (size_t f = 0; f < st->nfiles; f++) {
            free(st->files[f].path);
            free(st->files[f].text);
        }
        free(st->files);
        free(st->name);
    }
    free(r->students);
    for (size_t i = 0; i < r->npairs; i++)
        free(r->pairs[i].matches);
    free(r->pairs);
    sim_strs_free(r->missing, r->nmissing);
    sim_strs_free(r->refused, r->nrefused);
    memset(r, 0, sizeof *r);
}

int sim_listing_line(const struct sim_student *st, unsigned line, size_t *file,
                     unsigned *file_line)
{
    for (size_t f = 0; f < st->nfiles; f++) {
        const struct sim_file *sf = &st->files[f];
        if (line >= sf->first_line && line < sf->first_line + sf->nlines) {
            *file = f;
            *file_line = line - sf->first_line + 1;
            return 0;
        }
    }
    return -1;
}
