/*
 * site.h -- mutants as data: the operators, one mutant, the list of them.
 * Prefix site_.
 *
 * A mutant is one edit of the source (replace bytes [edit_off, +edit_len)
 * by `text`) inside a span the schema wraps: a complete rvalue expression
 * (SITE_EXPR) or a complete statement with its `;` or `}` (SITE_STMT).
 * walk.c finds them, site_list_finish() puts them in source order and
 * numbers them, emit.c writes them out.
 */
#ifndef MUTAGEN_SITE_H
#define MUTAGEN_SITE_H

#include <stdbool.h>
#include <stddef.h>

/* In the order of the documentation (mutagen.c); ids are the names. */
enum site_op {
    SITE_ROR, SITE_AOR, SITE_BOUND, SITE_LOOP, SITE_CONST,
    SITE_DEL, SITE_SWAP, SITE_ROUND, SITE_CLAMP, SITE_NOPS
};

enum site_kind { SITE_EXPR, SITE_STMT };

struct site {
    enum site_op op;
    enum site_kind kind;
    char *function;        /* the function whose body holds it; owned */
    size_t span_off, span_len;
    size_t edit_off, edit_len;   /* inside the span */
    char *text;            /* the replacement of the edited bytes; owned */
    char *description;     /* for humans; owned */
    unsigned seq;          /* order of discovery: ties in the source order */
    unsigned index;        /* 1..N in the final list (site_list_finish) */
    unsigned ordinal;      /* K of the id FUNCTION:OP:K (site_list_finish) */
};

struct site_list {
    struct site *v;
    size_t n, cap;
};

/** "ror", "aor", ... */
const char *site_op_name(enum site_op op);

/** The operator named `name`: 0, or -1 if there is none. */
int site_op_parse(const char *name, enum site_op *op);

/**
 * Appends *s to l, which takes the strings it points to (on failure too:
 * they are freed).  Returns 0, or -1 on OOM.
 */
int site_list_push(struct site_list *l, struct site *s);

/**
 * Sorts l into source order (span start, outer spans first, then order of
 * discovery), drops any mutant whose span overlaps another's without
 * nesting in it (the schema could not wrap both; libclang's spans never
 * do), then sets index and ordinal.  Returns the number dropped.
 */
size_t site_list_finish(struct site_list *l);

/** Frees the mutants and their strings; l can be reused. */
void site_list_release(struct site_list *l);

#endif /* MUTAGEN_SITE_H */
