/*
 * walk_stmt.c -- the statements of a function body (deletions, clamps,
 * loop bounds, remainder loops) and the whole file: parsing with libclang,
 * its tokens and macros, and walk_file() (walk.h).  Expressions and the
 * helpers both halves use are in walk.c (walk_priv.h).
 */
#include "walk.h"
#include "walk_priv.h"

#include <clang-c/Index.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statements -------------------------------------------------------------- */

static void walk_stmt(struct walk *w, CXCursor c, bool after_loop);

static bool walk_is_jump(enum CXCursorKind k)
{
    return k == CXCursor_ReturnStmt || k == CXCursor_BreakStmt ||
           k == CXCursor_ContinueStmt || k == CXCursor_GotoStmt;
}

static bool walk_is_loop(enum CXCursorKind k)
{
    return k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_DoStmt;
}

/* `del`: an expression statement that calls or stores. */
static void walk_del_expr(struct walk *w, CXCursor c)
{
    CXCursor s = walk_strip(w, c, true), l, r;
    size_t b, e;

    if (walk_kind(s) == CXCursor_CStyleCastExpr &&
        clang_getCursorType(s).kind == CXType_Void) {
        struct walk_kids k = walk_kids_of(w, s);
        if (k.n > 0)
            s = walk_strip(w, k.v[k.n - 1], true);
        free(k.v);
    }
    const char *what = NULL;
    switch (walk_kind(s)) {
    case CXCursor_CallExpr:
        what = "call";
        break;
    case CXCursor_CompoundAssignOperator:
        what = "store";
        break;
    case CXCursor_BinaryOperator: {
        const size_t tok = walk_binop_tok(w, s, &l, &r);
        if (tok != SIZE_MAX && strcmp(w->tok_s[tok], "=") == 0)
            what = "store";
        break;
    }
    case CXCursor_UnaryOperator: {
        const char *op = walk_unop(w, s);
        if (strcmp(op, "++") == 0 || strcmp(op, "--") == 0)
            what = "store";
        break;
    }
    default:
        break;
    }
    const size_t end = walk_stmt_end(w, c);
    if (what == NULL || end == 0 || !walk_ext(w, c, &b, &e))
        return;
    char q[64];
    walk_quote(w, b, end, q, sizeof q);
    site_add(w, SITE_DEL, SITE_STMT, b, end, b, end, ";", "%s '%s' deleted", what, q);
}

/* The body of an error check: jumps, maybe after calls and stores. */
static bool walk_only_jumps(struct walk *w, CXCursor body)
{
    if (walk_is_jump(walk_kind(body)))
        return true;
    if (walk_kind(body) != CXCursor_CompoundStmt)
        return false;
    struct walk_kids k = walk_kids_of(w, body);
    bool ok = k.n > 0 && walk_is_jump(walk_kind(k.v[k.n - 1]));
    for (unsigned i = 0; ok && i + 1 < k.n; i++)
        ok = clang_isExpression(walk_kind(k.v[i]));
    free(k.v);
    return ok;
}

/* A body that is one plain assignment, as in `if (v > 127) v = 127;`. */
static bool walk_one_assignment(struct walk *w, CXCursor body)
{
    CXCursor l, r;
    bool ok = false;

    if (walk_kind(body) == CXCursor_CompoundStmt) {
        struct walk_kids k = walk_kids_of(w, body);
        const bool one = k.n == 1;
        if (one)
            body = k.v[0];
        free(k.v);
        if (!one)
            return false;
    }
    body = walk_strip(w, body, true);
    if (walk_kind(body) == CXCursor_BinaryOperator) {
        const size_t tok = walk_binop_tok(w, body, &l, &r);
        ok = tok != SIZE_MAX && strcmp(w->tok_s[tok], "=") == 0;
    }
    return ok;
}

static void walk_if(struct walk *w, CXCursor c)
{
    struct walk_kids k = walk_kids_of(w, c);
    size_t b, e, cb, ce;

    if (k.n < 2) {
        free(k.v);
        return;
    }
    const size_t end = walk_stmt_end(w, c);
    if (k.n == 2 && end != 0 && walk_ext(w, c, &b, &e) && walk_ext(w, k.v[0], &cb, &ce)) {
        char q[64];
        walk_quote(w, cb, ce, q, sizeof q);
        if (walk_only_jumps(w, k.v[1]))
            site_add(w, SITE_DEL, SITE_STMT, b, end, b, end, ";",
                     "error check 'if (%s)' deleted", q);
        else if (walk_one_assignment(w, k.v[1]))
            site_add(w, SITE_CLAMP, SITE_STMT, b, end, b, end, ";",
                     "clamping 'if (%s)' deleted", q);
    }
    walk_expr(w, k.v[0], false);
    for (unsigned i = 1; i < k.n; i++)
        walk_stmt(w, k.v[i], false);
    free(k.v);
}

/* The variables a for loop's increment clause names: its counters. */
struct walk_refs {
    CXCursor v[8];
    unsigned n;
};

static enum CXChildVisitResult walk_ref(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk_refs *r = data;

    (void)parent;
    if (walk_kind(c) == CXCursor_DeclRefExpr && r->n < 8)
        r->v[r->n++] = clang_getCursorReferenced(c);
    return CXChildVisit_Recurse;
}

static bool walk_is_counter(struct walk *w, CXCursor operand, const struct walk_refs *refs)
{
    const CXCursor s = walk_strip(w, operand, true);

    if (walk_kind(s) != CXCursor_DeclRefExpr)
        return false;
    const CXCursor d = clang_getCursorReferenced(s);
    for (unsigned i = 0; i < refs->n; i++)
        if (clang_equalCursors(d, refs->v[i]))
            return true;
    return false;
}

/* `bound`: in a loop condition (or a && of them), the bound n -> (n) - 1, (n) + 1. */
static void walk_bound(struct walk *w, CXCursor cond, const struct walk_refs *refs)
{
    CXCursor l, r;
    const CXCursor c = walk_strip(w, cond, true);

    if (walk_kind(c) != CXCursor_BinaryOperator)
        return;
    const size_t tok = walk_binop_tok(w, c, &l, &r);
    if (tok == SIZE_MAX)
        return;
    const char *op = w->tok_s[tok];
    if (strcmp(op, "&&") == 0) {
        walk_bound(w, l, refs);
        walk_bound(w, r, refs);
        return;
    }
    if (strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, ">") && strcmp(op, ">="))
        return;
    const CXCursor n = walk_is_counter(w, r, refs) && !walk_is_counter(w, l, refs) ? l : r;
    size_t b, e;
    if (!walk_ext(w, n, &b, &e))
        return;
    static const char *const delta[] = {" - 1", " + 1"};
    for (int i = 0; i < 2; i++) {
        char t[160];
        if (e - b > 120)
            return;
        snprintf(t, sizeof t, "(%.*s)%s", (int)(e - b), w->src->text + b, delta[i]);
        site_add(w, SITE_BOUND, SITE_EXPR, b, e, b, e, t, "loop bound '%.*s' replaced by '%s'",
                 (int)(e - b), w->src->text + b, t);
    }
}

/* `bound`: a for loop's `i = 0` -> `i = 1` (and `const` leaves that 0 alone). */
static void walk_for_start(struct walk *w, CXCursor init)
{
    CXCursor lit = {0}, l, r;
    size_t b, e;

    if (walk_kind(init) == CXCursor_DeclStmt) {
        struct walk_kids k = walk_kids_of(w, init);
        if (k.n == 1 && walk_kind(k.v[0]) == CXCursor_VarDecl)
            lit = clang_Cursor_getVarDeclInitializer(k.v[0]);
        free(k.v);
    } else if (walk_kind(init) == CXCursor_BinaryOperator) {
        const size_t tok = walk_binop_tok(w, init, &l, &r);
        if (tok != SIZE_MAX && strcmp(w->tok_s[tok], "=") == 0)
            lit = r;
    }
    if (clang_Cursor_isNull(lit))
        return;
    lit = walk_strip(w, lit, true);
    if (walk_kind(lit) != CXCursor_IntegerLiteral || !walk_ext(w, lit, &b, &e) ||
        e - b != 1 || w->src->text[b] != '0')
        return;
    site_add(w, SITE_BOUND, SITE_EXPR, b, e, b, e, "1", "loop start '0' replaced by '1'");
    w->noconst = b;
}

/* `loop`: delete a whole loop statement. */
static void walk_loop_site(struct walk *w, CXCursor c, const char *why)
{
    size_t b, e;
    const size_t end = walk_stmt_end(w, c);

    if (end == 0 || !walk_ext(w, c, &b, &e))
        return;
    site_add(w, SITE_LOOP, SITE_STMT, b, end, b, end, ";", "%s loop deleted (%s)",
             walk_kind(c) == CXCursor_ForStmt ? "for" : "while", why);
}

/* Finds the two `;` and the `)` of a for header: false if not plain `for (`. */
static bool walk_for_header(struct walk *w, CXCursor c, size_t *semi1, size_t *semi2,
                            size_t *close)
{
    size_t b, e, i, nsemi = 0;
    int depth = 0;

    if (!walk_ext(w, c, &b, &e))
        return false;
    i = walk_tok_at(w, b);
    if (!walk_tok_is(w, i, "for") || w->tok_b[i] != b || !walk_tok_is(w, i + 1, "("))
        return false;
    for (i = i + 1; i < w->ntok && w->tok_b[i] < e; i++) {
        const char ch = w->tok_s[i][0], *t = w->tok_s[i];
        if (t[1] == '\0' && (ch == '(' || ch == '[' || ch == '{'))
            depth++;
        else if (t[1] == '\0' && (ch == ')' || ch == ']' || ch == '}'))
            depth--;
        else if (depth == 1 && strcmp(t, ";") == 0 && nsemi < 2)
            *(nsemi++ ? semi2 : semi1) = w->tok_b[i];
        if (depth == 0) {
            *close = w->tok_b[i];
            return nsemi == 2;
        }
    }
    return false;
}

static void walk_for(struct walk *w, CXCursor c, bool after_loop)
{
    size_t semi1, semi2, close, b, e;
    struct walk_refs refs = {.n = 0};

    if (!walk_for_header(w, c, &semi1, &semi2, &close))
        return;
    struct walk_kids k = walk_kids_of(w, c);
    CXCursor init = clang_getNullCursor(), cond = init, inc = init, body = init;
    for (unsigned i = 0; i < k.n; i++) {
        if (!walk_ext(w, k.v[i], &b, &e))
            continue;
        *(b < semi1 ? &init : b < semi2 ? &cond : b < close ? &inc : &body) = k.v[i];
    }
    free(k.v);
    if (clang_Cursor_isNull(init))
        walk_loop_site(w, c, "a loop with no start clause: a remainder loop");
    else if (after_loop)
        walk_loop_site(w, c, "it follows another loop: an edge loop");
    if (!clang_Cursor_isNull(inc))
        clang_visitChildren(inc, walk_ref, &refs);
    if (!clang_Cursor_isNull(inc) && walk_kind(inc) == CXCursor_DeclRefExpr && refs.n < 8)
        refs.v[refs.n++] = clang_getCursorReferenced(inc);
    if (!clang_Cursor_isNull(init)) {
        walk_for_start(w, init);
        if (walk_kind(init) == CXCursor_DeclStmt)
            walk_decls(w, init);
        else if (clang_isExpression(walk_kind(init)))
            walk_expr(w, init, false);
        w->noconst = SIZE_MAX;
    }
    if (!clang_Cursor_isNull(cond)) {
        walk_bound(w, cond, &refs);
        walk_expr(w, cond, false);
    }
    if (!clang_Cursor_isNull(inc))
        walk_expr(w, inc, false);
    if (!clang_Cursor_isNull(body))
        walk_stmt(w, body, false);
}

static void walk_compound(struct walk *w, CXCursor c)
{
    struct walk_kids k = walk_kids_of(w, c);
    bool seen_loop = false;

    for (unsigned i = 0; i < k.n; i++) {
        walk_stmt(w, k.v[i], seen_loop);
        seen_loop |= walk_is_loop(walk_kind(k.v[i]));
    }
    free(k.v);
}

/* Statement c; after_loop: an earlier statement of its block is a loop. */
static void walk_stmt(struct walk *w, CXCursor c, bool after_loop)
{
    const enum CXCursorKind kind = walk_kind(c);
    struct walk_kids k;

    switch (kind) {
    case CXCursor_CompoundStmt:
        walk_compound(w, c);
        return;
    case CXCursor_IfStmt:
        walk_if(w, c);
        return;
    case CXCursor_ForStmt:
        walk_for(w, c, after_loop);
        return;
    case CXCursor_DeclStmt:
        walk_decls(w, c);
        return;
    case CXCursor_WhileStmt: case CXCursor_DoStmt: case CXCursor_SwitchStmt:
        k = walk_kids_of(w, c);
        if (k.n == 2) {
            const unsigned ci = kind == CXCursor_DoStmt;   /* do: body, cond */
            if (kind == CXCursor_WhileStmt) {
                struct walk_refs none = {.n = 0};
                if (after_loop)
                    walk_loop_site(w, c, "it follows another loop: an edge loop");
                walk_bound(w, k.v[0], &none);
            }
            walk_expr(w, k.v[ci], false);
            walk_stmt(w, k.v[1 - ci], false);
        }
        free(k.v);
        return;
    case CXCursor_CaseStmt: case CXCursor_DefaultStmt: case CXCursor_LabelStmt:
        k = walk_kids_of(w, c);   /* the label's value is a constant: only the statement */
        if (k.n > 0)
            walk_stmt(w, k.v[k.n - 1], false);
        free(k.v);
        return;
    case CXCursor_ReturnStmt:
        k = walk_kids_of(w, c);
        if (k.n == 1)
            walk_expr(w, k.v[0], false);
        free(k.v);
        return;
    default:
        if (clang_isExpression(kind)) {
            walk_del_expr(w, c);
            walk_expr(w, c, false);
        }
        return;   /* null, break, continue, goto, asm: nothing to mutate */
    }
}

/* ---- the file ------------------------------------------------------------------ */

static bool walk_wanted(const struct walk_options *o, const char *name)
{
    if (o->nfunctions == 0)
        return true;
    for (size_t i = 0; i < o->nfunctions; i++)
        if (fnmatch(o->functions[i], name, 0) == 0)
            return true;
    return false;
}

static enum CXChildVisitResult walk_top(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    size_t b, e;

    (void)parent;
    if (walk_kind(c) != CXCursor_FunctionDecl || !clang_isCursorDefinition(c) ||
        !walk_ext(w, c, &b, &e) || walk_cuts_macro(w, b, e) || walk_in_macro(w, b, b))
        return CXChildVisit_Continue;
    CXString s = clang_getCursorSpelling(c);
    const char *name = clang_getCString(s);
    if (walk_wanted(w->o, name)) {
        struct walk_kids k = walk_kids_of(w, c);
        w->fn = name;
        if (k.n > 0 && walk_kind(k.v[k.n - 1]) == CXCursor_CompoundStmt)
            walk_stmt(w, k.v[k.n - 1], false);
        w->fn = NULL;
        free(k.v);
    }
    clang_disposeString(s);
    return CXChildVisit_Continue;
}

static enum CXChildVisitResult walk_macro(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    size_t b, e;

    (void)parent;
    if (walk_kind(c) == CXCursor_MacroExpansion && walk_ext(w, c, &b, &e))
        w->macros[w->nmacros++] = (struct walk_range){b, e};
    return w->nmacros < w->src->len + 1 ? CXChildVisit_Continue : CXChildVisit_Break;
}

static int walk_tokens(struct walk *w)
{
    const CXSourceRange all = clang_getRange(clang_getLocationForOffset(w->tu, w->file, 0),
                                             clang_getLocationForOffset(w->tu, w->file,
                                                                        (unsigned)w->src->len));
    CXToken *toks = NULL;
    unsigned n = 0;

    clang_tokenize(w->tu, all, &toks, &n);
    w->tok_b = calloc(n + 1, sizeof *w->tok_b);
    w->tok_e = calloc(n + 1, sizeof *w->tok_e);
    w->tok_s = calloc(n + 1, sizeof *w->tok_s);
    if (w->tok_b == NULL || w->tok_e == NULL || w->tok_s == NULL) {
        clang_disposeTokens(w->tu, toks, n);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        const CXSourceRange r = clang_getTokenExtent(w->tu, toks[i]);
        unsigned b, e;
        clang_getExpansionLocation(clang_getRangeStart(r), NULL, NULL, NULL, &b);
        clang_getExpansionLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &e);
        CXString s = clang_getTokenSpelling(w->tu, toks[i]);
        w->tok_s[w->ntok] = strdup(clang_getCString(s));
        clang_disposeString(s);
        if (w->tok_s[w->ntok] == NULL)
            break;
        w->tok_b[w->ntok] = b;
        w->tok_e[w->ntok] = e;
        w->ntok++;
    }
    clang_disposeTokens(w->tu, toks, n);
    return w->ntok == n ? 0 : -1;
}

/* Errors as "FILE:LINE:COL: message"; returns how many. */
static size_t walk_errors(CXTranslationUnit tu, struct walk_diags *d)
{
    const unsigned n = clang_getNumDiagnostics(tu);
    size_t errors = 0;

    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic diag = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(diag) >= CXDiagnostic_Error) {
            CXFile f = NULL;
            unsigned line = 0, col = 0;
            clang_getExpansionLocation(clang_getDiagnosticLocation(diag), &f, &line, &col, NULL);
            CXString fname = clang_getFileName(f), msg = clang_getDiagnosticSpelling(diag);
            const char *fn = clang_getCString(fname);
            char *text = NULL;
            if (asprintf(&text, "%s:%u:%u: %s", fn ? fn : "<command line>", line, col,
                         clang_getCString(msg)) >= 0) {
                char **v = realloc(d->v, (d->n + 1) * sizeof *v);
                if (v != NULL) {
                    d->v = v;
                    d->v[d->n++] = text;
                } else {
                    free(text);
                }
            }
            clang_disposeString(fname);
            clang_disposeString(msg);
            errors++;
        }
        clang_disposeDiagnostic(diag);
    }
    return errors;
}

static int walk_cmp_range(const void *pa, const void *pb)
{
    const struct walk_range *a = pa, *b = pb;
    return a->b < b->b ? -1 : a->b > b->b;
}

static void walk_release(struct walk *w)
{
    for (size_t i = 0; i < w->ntok; i++)
        free(w->tok_s[i]);
    free(w->tok_s);
    free(w->tok_b);
    free(w->tok_e);
    free(w->macros);
    free(w->hidden);
}

static int walk_tu(struct walk *w, char *err, size_t errlen)
{
    w->file = clang_getFile(w->tu, w->src->path);
    /* At most one invocation or statement expression per byte. */
    w->macros = calloc(w->src->len + 2, sizeof *w->macros);
    w->hidden = calloc(w->src->len + 2, sizeof *w->hidden);
    w->caphidden = w->src->len + 2;
    if (w->file == NULL || w->macros == NULL || w->hidden == NULL || walk_tokens(w) < 0) {
        snprintf(err, errlen, "%s: %s", w->src->path,
                 w->file == NULL ? "libclang lost the main file" : "out of memory");
        return -1;
    }
    const CXCursor root = clang_getTranslationUnitCursor(w->tu);
    clang_visitChildren(root, walk_macro, w);
    qsort(w->macros, w->nmacros, sizeof *w->macros, walk_cmp_range);
    clang_visitChildren(root, walk_top, w);
    if (w->oom) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int walk_file(const struct src *s, const struct walk_options *o, struct site_list *out,
              struct walk_diags *diags, char *err, size_t errlen)
{
    struct walk w = {.src = s, .o = o, .out = out, .noconst = SIZE_MAX};
    const unsigned flags = CXTranslationUnit_DetailedPreprocessingRecord;
    int rc;

    memset(diags, 0, sizeof *diags);
    CXIndex index = clang_createIndex(0, 0);
    if (index == NULL) {
        snprintf(err, errlen, "libclang: cannot create an index");
        return -1;
    }
    enum CXErrorCode ec = clang_parseTranslationUnit2(index, s->path, o->clang_args,
                                                      o->nclang_args, NULL, 0, flags, &w.tu);
    if (ec != CXError_Success) {
        snprintf(err, errlen, "%s: libclang cannot parse it (error %d)", s->path, (int)ec);
        clang_disposeIndex(index);
        return -1;
    }
    if (walk_errors(w.tu, diags) > 0)
        rc = 1;
    else
        rc = walk_tu(&w, err, errlen);
    walk_release(&w);
    clang_disposeTranslationUnit(w.tu);
    clang_disposeIndex(index);
    return rc;
}

void walk_diags_release(struct walk_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}
