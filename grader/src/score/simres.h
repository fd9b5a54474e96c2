/*
 * simres.h -- the result data of a similarity check across a class: what
 * scale/similar.h (sim_run) fills and report/simreport.h reads.  Prefix
 * sim_, shared with similar.h, which produces it.
 *
 * It lives in score/ so that the reports read only result data, never
 * the stage that computes it.  The result keeps each student's text, so
 * a report can show two submissions side by side without reading the
 * class folder again.
 *
 * Lines are "listing lines": a student's files are numbered one after
 * the other, file i's line 1 being listing line files[i].first_line.
 */
#ifndef SIMRES_H
#define SIMRES_H

#include <stddef.h>

/** One student file as read. */
struct sim_file {
    char *path;              /* as in the config's student_files ("kernels.c") */
    char *text;              /* its bytes, NUL-terminated (may hold other NULs) */
    size_t len;
    unsigned first_line;     /* its line 1 in the student's listing (1-based) */
    unsigned nlines;
};

/** One student who had at least one of the student files. */
struct sim_student {
    char *name;              /* the folder's name */
    struct sim_file *files;  /* the student files found, in config order */
    size_t nfiles;
    size_t tokens;           /* tokens of C seen (comments, layout, directives dropped) */
    size_t fingerprints;     /* distinct fingerprints kept: neither base code nor too common */
};

/** A matching region of a pair: listing lines of each side, inclusive. */
struct sim_match {
    unsigned a_first, a_last;
    unsigned b_first, b_last;
    size_t fingerprints;     /* shared fingerprints inside it */
};

/** Two students whose fingerprints overlap. */
struct sim_pair {
    size_t a, b;             /* indices into sim_result.students, a < b */
    size_t shared;           /* distinct fingerprints both have */
    double pct_a, pct_b;     /* shared in percent of a's and of b's fingerprints */
    double score;            /* the rank: 2 * shared / (a's + b's fingerprints), in percent */
    struct sim_match *matches; /* the regions, in a's order; only for the
                                  first sim_result.detailed pairs, else NULL */
    size_t nmatches;
};

/** The parameters a check ran with (for the reports). */
struct sim_params {
    unsigned kgram;          /* tokens per fingerprinted k-gram */
    unsigned window;         /* winnowing window, in k-grams */
    unsigned max_share;      /* a fingerprint in more students than this is ignored
                                (0: no limit) */
};

struct sim_result {
    struct sim_student *students; /* in name order */
    size_t nstudents;
    struct sim_pair *pairs;  /* every pair with shared > 0, best first */
    size_t npairs;
    size_t detailed;         /* pairs[0..detailed) have their matches */
    char **missing;          /* students with none of the student files (owned) */
    size_t nmissing;
    char **refused;          /* "NAME/FILE: why" for files not read (a symlink,
                                too large, not a regular file); owned */
    size_t nrefused;
    size_t base_kgrams;      /* distinct k-grams of the base code */
    size_t common;           /* fingerprints ignored as too common (max_share) */
    struct sim_params params;
};

/** Frees everything r holds and zeroes it; a zeroed result is valid. */
void sim_result_release(struct sim_result *r);

/**
 * Which student file and line of it listing line `line` of st is: sets
 * *file (index into st->files) and *file_line (1-based).  Returns 0, or
 * -1 when no file holds that line.
 */
int sim_listing_line(const struct sim_student *st, unsigned line, size_t *file,
                     unsigned *file_line);

#endif /* SIMRES_H */
