/*
 * walk_priv.h -- what the two halves of the AST walk share (private to
 * grader/mutagen): walk.c holds the positions, AST helpers, site recording
 * and the expression operators; walk_stmt.c the statements and the whole
 * file (walk_file()).
 */
#ifndef MUTAGEN_WALK_PRIV_H
#define MUTAGEN_WALK_PRIV_H

#include <clang-c/Index.h>
#include <stdbool.h>
#include <stddef.h>

#include "site.h"
#include "src.h"
#include "walk.h"

struct walk_range {
    size_t b, e;
};

struct walk {
    CXTranslationUnit tu;
    CXFile file;
    const struct src *src;
    const struct walk_options *o;
    struct site_list *out;
    const char *fn;              /* the function being walked */
    size_t *tok_b, *tok_e;       /* the file's tokens: extents, in order */
    char **tok_s;                /* and spellings */
    size_t ntok;
    struct walk_range *macros;   /* macro invocations in the file */
    size_t nmacros;
    struct walk_range *hidden;   /* statement expressions: never copied */
    size_t nhidden, caphidden;
    size_t noconst;              /* a literal `const` leaves to `bound` */
    unsigned seq;
    bool oom;
};

/* The children of a cursor, in order. */
struct walk_kids {
    CXCursor *v;
    unsigned n, cap;
    bool oom;
};

void site_add(struct walk *w, enum site_op op, enum site_kind kind, size_t sb,
              size_t se, size_t eb, size_t ee, const char *text, const char *fmt, ...);

size_t walk_binop_tok(struct walk *w, CXCursor c, CXCursor *lhs, CXCursor *rhs);

bool walk_cuts_macro(const struct walk *w, size_t b, size_t e);

void walk_decls(struct walk *w, CXCursor decl_stmt);

void walk_expr(struct walk *w, CXCursor c, bool to_ptr);

bool walk_ext(const struct walk *w, CXCursor c, size_t *b, size_t *e);

bool walk_in_macro(const struct walk *w, size_t b, size_t e);

struct walk_kids walk_kids_of(struct walk *w, CXCursor c);

enum CXCursorKind walk_kind(CXCursor c);

void walk_quote(const struct walk *w, size_t b, size_t e, char *buf, size_t len);

size_t walk_stmt_end(struct walk *w, CXCursor c);

CXCursor walk_strip(struct walk *w, CXCursor c, bool parens);

size_t walk_tok_at(const struct walk *w, size_t off);

bool walk_tok_is(const struct walk *w, size_t i, const char *s);

const char *walk_unop(struct walk *w, CXCursor c);

#endif /* MUTAGEN_WALK_PRIV_H */
