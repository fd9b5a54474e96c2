/*
 * stubgen.h -- generate a student stub from a reference solution.
 * Prefix stub_.
 *
 * The solution file is the single source.  Every line between a
 *
 *     / * BEGIN SOLUTION * /                 (written without the spaces)
 *     / * BEGIN SOLUTION (stub: return NULL;) * /
 *
 * line and the next "/ * END SOLUTION * /" line is solution-only.  In the
 * stub the whole block, markers included, becomes a TODO comment at the
 * BEGIN line's indentation, followed by the "stub:" code if one was
 * given.  Marker lines must stand alone (leading white space allowed).
 * Everything outside the blocks is copied unchanged, so the guidance in
 * the comments above each function reaches the student.
 */
#ifndef STUBGEN_H
#define STUBGEN_H

#include <stddef.h>

struct stub_error {
    unsigned line;          /* 1-based line of the bad marker */
    char message[256];
};

/**
 * Transforms `src` (len bytes) into stub text: *out is malloc'd and
 * NUL-terminated (caller frees).  Returns the number of blocks replaced,
 * or -1 with *err on a malformed file (unclosed or nested BEGIN, END
 * without BEGIN, bad "(stub: ...)" syntax) or out of memory.
 */
int stub_generate(const char *src, size_t len, char **out, struct stub_error *err);

#endif /* STUBGEN_H */
