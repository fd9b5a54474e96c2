/*
 * emit.h -- what mutagen writes: the JSON list, one mutant's source, the
 * mutant schema, and each mutant's unified diff.  Prefix emit_.
 *
 * Every function takes the loaded source and the finished list
 * (site_list_finish()); none of them changes either.
 */
#ifndef MUTAGEN_EMIT_H
#define MUTAGEN_EMIT_H

#include <stdio.h>

#include "site.h"
#include "src.h"

/**
 * Writes {"file": ..., "mutants": [...]} (README "Mutation analysis")
 * to `out`.  Returns 0, or -1 on OOM or a write error.
 */
int emit_json(FILE *out, const struct src *s, const struct site_list *l);

/** Writes the source of mutant m alone.  Returns 0, or -1 on a write error. */
int emit_mutant(FILE *out, const struct src *s, const struct site *m);

/**
 * Writes the schema: the source with every span wrapped so that the
 * mutant whose index is in the environment variable GRADER_MUTANT is on
 * (none when it is unset or 0), after a preamble defining
 * grader_mutant_on() and a `#line 1 "PATH"` so that diagnostics and
 * debug info keep the file's own lines.  GRADER_MUTANT is read once, before
 * main() (a constructor).  Returns 0, or -1 on a write error.
 */
int emit_schema(FILE *out, const struct src *s, const struct site_list *l);

/**
 * The unified diff of mutant m (one hunk, 3 lines of context, headers
 * `--- a/BASENAME` and `+++ b/BASENAME`).  Returns a malloc'd string the
 * caller frees, or NULL on OOM.
 */
char *emit_diff(const struct src *s, const struct site *m);

#endif /* MUTAGEN_EMIT_H */
