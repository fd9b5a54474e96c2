/*
 * src.h -- one C source file held in memory, with a line index.  Prefix src_.
 *
 * mutagen reads the file itself (libclang gives byte offsets into it) and
 * copies text between those offsets into the JSON, the diffs, the schema
 * and the single mutants.
 */
#ifndef MUTAGEN_SRC_H
#define MUTAGEN_SRC_H

#include <stddef.h>

struct src {
    const char *path;     /* as given on the command line; borrowed */
    char *text;           /* the bytes, NUL-terminated; owned */
    size_t len;           /* bytes, without the NUL */
    size_t *line_start;   /* offset of the first byte of each line; owned */
    size_t nlines;        /* >= 1 */
};

/**
 * Reads `path` into *s (zeroed here).  Returns 0, or -1 with err[errlen]
 * ("PATH: reason").  Release *s with src_release() in both cases.
 */
int src_load(struct src *s, const char *path, char *err, size_t errlen);

/** Frees what src_load() allocated; *s can be loaded again. */
void src_release(struct src *s);

/** 1-based line of byte offset `off` (off may be s->len). */
unsigned src_line(const struct src *s, size_t off);

/** 1-based byte column of `off` on its line. */
unsigned src_column(const struct src *s, size_t off);

/** Offset of the first byte of 1-based `line` (s->len past the last line). */
size_t src_line_begin(const struct src *s, unsigned line);

/** Offset just past 1-based `line`, its '\n' included (or s->len). */
size_t src_line_end(const struct src *s, unsigned line);

/** A malloc'd copy of text[b, e), or NULL on OOM. */
char *src_copy(const struct src *s, size_t b, size_t e);

#endif /* MUTAGEN_SRC_H */
