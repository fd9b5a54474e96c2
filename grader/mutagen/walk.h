/*
 * walk.h -- finds the mutation sites in libclang's AST of one C file.
 * Prefix walk_.  The only module that talks to libclang.
 *
 * Sites come from the parsed AST only, never from pattern matching on
 * text; the text (and libclang's token list) is used just to locate an
 * operator token or a statement's `;` inside a node the AST gave.
 * Safety rules (so that every mutant compiles alone and in the schema)
 * are documented with the operators in mutagen.c.
 */
#ifndef MUTAGEN_WALK_H
#define MUTAGEN_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "site.h"
#include "src.h"

struct walk_options {
    bool ops[SITE_NOPS];           /* which operators to apply */
    const char *const *functions;  /* fnmatch globs of the functions to mutate */
    size_t nfunctions;             /* 0: every function defined in the file */
    const char *const *clang_args; /* -I, -D, -std ... so that the file parses */
    int nclang_args;
};

/** Parse errors, each "FILE:LINE:COL: message"; every string owned. */
struct walk_diags {
    char **v;
    size_t n;
};

/**
 * Parses s->path with libclang and appends every mutant of the functions
 * and operators `o` selects to `out` (unsorted: see site_list_finish()).
 * Returns 0; 1 if the file does not parse (errors in *diags); -1 on an
 * internal failure, with err[errlen].  Release *diags with
 * walk_diags_release() in every case.
 */
int walk_file(const struct src *s, const struct walk_options *o, struct site_list *out,
              struct walk_diags *diags, char *err, size_t errlen);

void walk_diags_release(struct walk_diags *d);

#endif /* MUTAGEN_WALK_H */
