/*
 * walk.c -- mutation sites from libclang's AST (walk.h).
 *
 * Theory of operation: the file is parsed with a detailed preprocessing
 * record (so macro expansions are cursors too) and tokenized once.  Each
 * function defined in the file is walked from its body down: statements
 * by walk_stmt(), expressions by walk_expr().  Only the positions where
 * the C grammar allows a run-time expression are visited (a variable's
 * initializer, not its array size; a case's statement, not its label;
 * never sizeof/_Alignof/_Generic operands), which keeps mutants out of
 * constant expressions.  Offsets are expansion locations: anything a
 * macro produced maps onto the macro's invocation, and site_add() refuses
 * an edit that touches an invocation or a span that cuts one.
 */
#include "walk.h"

#include <clang-c/Index.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static enum CXChildVisitResult walk_kid(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk_kids *k = data;

    (void)parent;
    if (k->n == k->cap) {
        const unsigned cap = k->cap ? k->cap * 2 : 8;
        CXCursor *v = realloc(k->v, cap * sizeof *v);
        if (v == NULL) {
            k->oom = true;
            return CXChildVisit_Break;
        }
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = c;
    return CXChildVisit_Continue;
}

static struct walk_kids walk_kids_of(struct walk *w, CXCursor c)
{
    struct walk_kids k = {0};

    clang_visitChildren(c, walk_kid, &k);
    w->oom |= k.oom;
    return k;
}

/* ---- positions ---------------------------------------------------------- */

/* [*b, *e) of c in the file (expansion locations); false if elsewhere. */
static bool walk_ext(const struct walk *w, CXCursor c, size_t *b, size_t *e)
{
    const CXSourceRange r = clang_getCursorExtent(c);
    CXFile f1 = NULL, f2 = NULL;
    unsigned o1 = 0, o2 = 0;

    clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &o1);
    clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &o2);
    if (f1 == NULL || f2 == NULL || !clang_File_isEqual(f1, w->file) ||
        !clang_File_isEqual(f2, w->file) || o2 < o1 || o2 > w->src->len)
        return false;
    *b = o1;
    *e = o2;
    return true;
}

/* The first token starting at or after `off` (w->ntok if none). */
static size_t walk_tok_at(const struct walk *w, size_t off)
{
    size_t lo = 0, hi = w->ntok;

    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (w->tok_b[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool walk_tok_is(const struct walk *w, size_t i, const char *s)
{
    return i < w->ntok && strcmp(w->tok_s[i], s) == 0;
}

/* Does [b, e) touch a macro invocation (an empty range: lie inside one)? */
static bool walk_in_macro(const struct walk *w, size_t b, size_t e)
{
    for (size_t i = 0; i < w->nmacros; i++) {
        const struct walk_range *m = &w->macros[i];
        if (b == e ? (m->b <= b && b < m->e) : (m->b < e && b < m->e))
            return true;
    }
    return false;
}

/* Does [b, e) cut a macro invocation (overlap it without holding it whole)? */
static bool walk_cuts_macro(const struct walk *w, size_t b, size_t e)
{
    for (size_t i = 0; i < w->nmacros; i++) {
        const struct walk_range *m = &w->macros[i];
        if (m->b < e && b < m->e && !(b <= m->b && m->e <= e))
            return true;
    }
    return false;
}

static bool walk_holds_hidden(const struct walk *w, size_t b, size_t e)
{
    for (size_t i = 0; i < w->nhidden; i++)
        if (w->hidden[i].b < e && b < w->hidden[i].e)
            return true;
    return false;
}

/*
 * Is the statement at `off` right after a preprocessor line (such as
 * `#pragma GCC unroll`, which must be followed by the loop itself, not by
 * the block the schema wraps it in)?
 */
static bool walk_after_directive(const struct walk *w, size_t off)
{
    const char *t = w->src->text;
    size_t i = off;

    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    if (i > 0 && t[i - 1] != '\n')
        return false;                 /* not first on its line */
    while (i > 0) {                   /* the previous non-blank line */
        size_t j = i - 1;             /* at its '\n' */
        while (j > 0 && t[j - 1] != '\n')
            j--;
        size_t k = j;
        while (k < i - 1 && (t[k] == ' ' || t[k] == '\t'))
            k++;
        if (k < i - 1 && t[k] != '\r')
            return t[k] == '#';
        i = j;
    }
    return false;
}

/*
 * Does a preprocessor line start inside [b, e)?  A mutated copy of such a
 * span (`a +\n#ifdef X\n b\n#else\n c\n#endif`) could cut an #if apart.
 */
static bool walk_has_directive(const struct walk *w, size_t b, size_t e)
{
    const char *t = w->src->text;

    for (size_t i = b; i < e; i++) {
        if (t[i] != '\n')
            continue;
        size_t j = i + 1;
        while (j < e && (t[j] == ' ' || t[j] == '\t'))
            j++;
        if (j < e && t[j] == '#')
            return true;
    }
    return false;
}

/* ---- AST helpers ---------------------------------------------------------- */

static enum CXCursorKind walk_kind(CXCursor c)
{
    return clang_getCursorKind(c);
}

/* Below implicit conversions (libclang's UnexposedExpr) and parentheses. */
static CXCursor walk_strip(struct walk *w, CXCursor c, bool parens)
{
    for (;;) {
        const enum CXCursorKind k = walk_kind(c);
        if (k != CXCursor_UnexposedExpr && !(parens && k == CXCursor_ParenExpr))
            return c;
        struct walk_kids kids = walk_kids_of(w, c);
        const bool one = kids.n == 1;
        if (one)
            c = kids.v[0];
        free(kids.v);
        if (!one)
            return c;
    }
}

static bool walk_is_ptr(CXType t)
{
    switch (clang_getCanonicalType(t).kind) {
    case CXType_Pointer: case CXType_BlockPointer: case CXType_ConstantArray:
    case CXType_IncompleteArray: case CXType_VariableArray:
    case CXType_DependentSizedArray:
        return true;
    default:
        return false;
    }
}

/* The operator token of a binary node, between its two operands. */
static size_t walk_binop_tok(struct walk *w, CXCursor c, CXCursor *lhs, CXCursor *rhs)
{
    struct walk_kids k = walk_kids_of(w, c);
    size_t tok = SIZE_MAX, lb, le, rb, re;

    if (k.n == 2 && walk_ext(w, k.v[0], &lb, &le) && walk_ext(w, k.v[1], &rb, &re)) {
        const size_t i = walk_tok_at(w, le);
        if (i < w->ntok && w->tok_e[i] <= rb) {
            tok = i;
            *lhs = k.v[0];
            *rhs = k.v[1];
        }
    }
    free(k.v);
    return tok;
}

/* The token of a unary operator: first for prefix, last for postfix ones. */
static const char *walk_unop(struct walk *w, CXCursor c)
{
    size_t b, e;

    if (!walk_ext(w, c, &b, &e))
        return "";
    const size_t i = walk_tok_at(w, b);
    static const char *const ops[] = {"++", "--", "&", "*", "-", "+", "!", "~"};
    for (size_t j = 0; j < sizeof ops / sizeof *ops; j++)
        if (walk_tok_is(w, i, ops[j]))
            return ops[j];
    const size_t last = walk_tok_at(w, e);
    if (last > 0 && last - 1 < w->ntok && w->tok_e[last - 1] == e)
        return w->tok_s[last - 1];
    return "";
}

/*
 * Where statement c ends: past its `;` for those whose extent stops
 * before it (expressions, return, break, do-while...), past the `}` or
 * `;` of the last statement it holds otherwise.  0 if unknown.
 */
static size_t walk_stmt_end(struct walk *w, CXCursor c)
{
    size_t b, e;

    if (!walk_ext(w, c, &b, &e))
        return 0;
    switch (walk_kind(c)) {
    case CXCursor_CompoundStmt: case CXCursor_DeclStmt: case CXCursor_NullStmt:
        return e;
    case CXCursor_IfStmt: case CXCursor_ForStmt: case CXCursor_WhileStmt:
    case CXCursor_SwitchStmt: case CXCursor_LabelStmt: case CXCursor_CaseStmt:
    case CXCursor_DefaultStmt: {
        struct walk_kids k = walk_kids_of(w, c);
        const size_t end = k.n ? walk_stmt_end(w, k.v[k.n - 1]) : 0;
        free(k.v);
        return end;
    }
    default: {
        const size_t i = walk_tok_at(w, e);
        return walk_tok_is(w, i, ";") ? w->tok_e[i] : 0;
    }
    }
}

/* Source text of c, in parentheses unless it is a primary expression. */
static char *walk_operand(struct walk *w, CXCursor c)
{
    size_t b, e;

    if (!walk_ext(w, c, &b, &e))
        return NULL;
    const enum CXCursorKind k = walk_kind(walk_strip(w, c, false));
    const bool primary = k == CXCursor_DeclRefExpr || k == CXCursor_IntegerLiteral ||
                         k == CXCursor_FloatingLiteral || k == CXCursor_ParenExpr ||
                         k == CXCursor_CallExpr || k == CXCursor_ArraySubscriptExpr ||
                         k == CXCursor_MemberRefExpr;
    const size_t n = e - b + 3;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, primary ? "%.*s" : "(%.*s)", (int)(e - b), w->src->text + b);
    return t;
}

/* A short one-line quote of text[b, e) for descriptions. */
static void walk_quote(const struct walk *w, size_t b, size_t e, char *buf, size_t len)
{
    size_t n = 0;
    bool space = false;

    for (size_t i = b; i < e && n + 4 < len; i++) {
        const char ch = w->src->text[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = n > 0;
            continue;
        }
        if (space)
            buf[n++] = ' ';
        space = false;
        buf[n++] = ch;
    }
    if (n + 4 >= len && len > 4) {
        n = len - 4;
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
}

/* ---- recording sites ------------------------------------------------------ */

static char *walk_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/*
 * Records one mutant if its operator is on and it is safe: neither the
 * edit nor the span cuts a macro invocation (both may hold whole ones:
 * `p == NULL`, a deleted `if`), an expression span copies no statement
 * expression, the text the schema copies holds no preprocessor line, and
 * a statement is not bound to a preceding directive.
 * (Nodes a macro produced are refused by the callers: their operator or
 * literal is no token of the file where the AST puts it.)
 */
static void site_add(struct walk *w, enum site_op op, enum site_kind kind, size_t sb,
                     size_t se, size_t eb, size_t ee, const char *text, const char *fmt, ...)
{
    if (!w->o->ops[op] || text == NULL || !(sb <= eb && eb < ee && ee <= se))
        return;
    if (walk_cuts_macro(w, eb, ee) || walk_cuts_macro(w, sb, se))
        return;
    if (kind == SITE_EXPR && walk_holds_hidden(w, sb, se))
        return;
    /* The schema copies the span around the edit: no directive in there. */
    if ((sb < eb || ee < se) && walk_has_directive(w, sb, se))
        return;
    if (kind == SITE_STMT && walk_after_directive(w, sb))
        return;

    char desc[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    struct site s = {.op = op, .kind = kind, .span_off = sb, .span_len = se - sb,
                     .edit_off = eb, .edit_len = ee - eb, .seq = w->seq++,
                     .function = walk_strdup(w->fn), .text = walk_strdup(text),
                     .description = walk_strdup(desc)};
    if (s.function == NULL || s.text == NULL || s.description == NULL) {
        free(s.function);
        free(s.text);
        free(s.description);
        w->oom = true;
        return;
    }
    if (site_list_push(w->out, &s) < 0)
        w->oom = true;
}

/* ---- operators on expressions ---------------------------------------------- */

struct walk_opmap {
    const char *from, *to[2];
    int prec;               /* C precedence level of `from` */
};

static const struct walk_opmap walk_ror[] = {
    {"<", {"<=", ">="}, 10}, {"<=", {"<", ">"}, 10}, {">", {">=", "<="}, 10},
    {">=", {">", "<"}, 10}, {"==", {"!="}, 9}, {"!=", {"=="}, 9},
    {"&&", {"||"}, 5}, {"||", {"&&"}, 4},
};

static const struct walk_opmap walk_aor[] = {
    {"+", {"-"}, 12}, {"-", {"+"}, 12}, {"*", {"+"}, 13}, {"/", {"*"}, 13},
    {"%", {"/"}, 13}, {"+=", {"-="}, 2}, {"-=", {"+="}, 2}, {"*=", {"+="}, 2},
    {"/=", {"*="}, 2},
};

static int walk_prec(const char *op)
{
    static const struct walk_opmap *const maps[] = {walk_ror, walk_aor};
    static const size_t sizes[] = {sizeof walk_ror / sizeof *walk_ror,
                                   sizeof walk_aor / sizeof *walk_aor};
    for (size_t m = 0; m < 2; m++)
        for (size_t i = 0; i < sizes[m]; i++)
            if (strcmp(maps[m][i].from, op) == 0)
                return maps[m][i].prec;
    return 0;
}

static const struct walk_opmap *walk_find_op(const struct walk_opmap *map, size_t n,
                                             const char *op)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(map[i].from, op) == 0)
            return &map[i];
    return NULL;
}

/*
 * The ror/aor mutants of binary node c, [sb, se), whose operator is token
 * `tok`.  When the new operator binds differently, the edit is the whole
 * node, rebuilt in parentheses with its operands in parentheses too, so
 * that the mutant's source parses as the AST with one operator changed
 * (`a - b * c` -> `a - (b + c)`, `a || b || c` -> `((a || b) && c)`), as
 * the schema does.
 */
static void walk_op_sites(struct walk *w, enum site_op op, const struct walk_opmap *m,
                          CXCursor lhs, CXCursor rhs, size_t sb, size_t se, size_t tok,
                          const char *what)
{
    const size_t tb = w->tok_b[tok], te = w->tok_e[tok];

    for (int i = 0; i < 2 && m->to[i] != NULL; i++) {
        const char *to = m->to[i];
        if (walk_prec(to) == m->prec) {
            site_add(w, op, SITE_EXPR, sb, se, tb, te, to,
                     "%s '%s' replaced by '%s'", what, m->from, to);
            continue;
        }
        char *l = walk_operand(w, lhs), *r = walk_operand(w, rhs), *t = NULL;
        if (l != NULL && r != NULL && asprintf(&t, "(%s %s %s)", l, to, r) < 0)
            t = NULL;
        site_add(w, op, SITE_EXPR, sb, se, sb, se, t, "%s '%s' replaced by '%s'", what,
                 m->from, to);
        free(l);
        free(r);
        free(t);
    }
}

static void walk_binop(struct walk *w, CXCursor c, bool compound)
{
    CXCursor lhs, rhs;
    size_t sb, se;
    const size_t tok = walk_binop_tok(w, c, &lhs, &rhs);

    if (tok == SIZE_MAX || !walk_ext(w, c, &sb, &se))
        return;
    const char *op = w->tok_s[tok];
    const struct walk_opmap *m =
        walk_find_op(walk_ror, sizeof walk_ror / sizeof *walk_ror, op);
    if (m != NULL && !compound) {
        const bool logical = op[0] == '&' || op[0] == '|';
        walk_op_sites(w, SITE_ROR, m, lhs, rhs, sb, se, tok,
                      logical ? "logical operator" : "relational operator");
        return;
    }
    m = walk_find_op(walk_aor, sizeof walk_aor / sizeof *walk_aor, op);
    if (m == NULL || compound != (strchr(op, '=') != NULL))
        return;
    /* Pointer arithmetic: the mutant would not compile, or not mean anything. */
    if (walk_is_ptr(clang_getCursorType(lhs)) || walk_is_ptr(clang_getCursorType(rhs)) ||
        walk_is_ptr(clang_getCursorType(c)))
        return;
    walk_op_sites(w, SITE_AOR, m, lhs, rhs, sb, se, tok,
                  compound ? "compound assignment" : "arithmetic operator");
}

/* `const`: 0 -> 1, -1; 1 -> 0, -1; any other -> 0, 1; the suffix kept. */
static void walk_const(struct walk *w, CXCursor c)
{
    size_t b, e;

    if (!walk_ext(w, c, &b, &e) || e == b || b == w->noconst || e - b > 60)
        return;
    const size_t tok = walk_tok_at(w, b);   /* a macro's literal is not here */
    if (tok >= w->ntok || w->tok_b[tok] != b || w->tok_e[tok] != e ||
        !strchr("0123456789.", w->src->text[b]))
        return;
    char lit[64], suffix[64] = "";
    snprintf(lit, sizeof lit, "%.*s", (int)(e - b), w->src->text + b);
    const bool is_float = walk_kind(c) == CXCursor_FloatingLiteral;
    const char *sfx = is_float ? "fFlL" : "uUlL";
    size_t n = strlen(lit);
    while (n > 0 && strchr(sfx, lit[n - 1]))   /* hex digits are no suffix letters */
        n--;
    snprintf(suffix, sizeof suffix, "%s", lit + n);
    lit[n] = '\0';
    const double v = is_float ? strtod(lit, NULL) : (double)strtoull(lit, NULL, 0);
    const char *zero = is_float ? "0.0" : "0", *one = is_float ? "1.0" : "1";
    char to[2][32];
    if (v == 0) {
        snprintf(to[0], sizeof to[0], "%s%s", one, suffix);
        snprintf(to[1], sizeof to[1], "(-%s%s)", one, suffix);
    } else if (v == 1) {
        snprintf(to[0], sizeof to[0], "%s%s", zero, suffix);
        snprintf(to[1], sizeof to[1], "(-%s%s)", one, suffix);
    } else {
        snprintf(to[0], sizeof to[0], "%s%s", zero, suffix);
        snprintf(to[1], sizeof to[1], "%s%s", one, suffix);
    }
    for (int i = 0; i < 2; i++)
        site_add(w, SITE_CONST, SITE_EXPR, b, e, b, e, to[i],
                 "constant '%.*s' replaced by '%s'", (int)(e - b), w->src->text + b, to[i]);
}

/* `swap`: an index X*S + Y (or Y + X*S) -> Y*S + X. */
static void walk_swap(struct walk *w, CXCursor idx)
{
    CXCursor l, r, x, s, ml, mr;
    size_t b, e;
    const CXCursor sum = walk_strip(w, idx, true);

    if (walk_kind(sum) != CXCursor_BinaryOperator || !walk_ext(w, idx, &b, &e))
        return;
    size_t tok = walk_binop_tok(w, sum, &l, &r);
    if (tok == SIZE_MAX || strcmp(w->tok_s[tok], "+") != 0)
        return;
    CXCursor y = r, prod = walk_strip(w, l, true);
    size_t ptok = walk_kind(prod) == CXCursor_BinaryOperator
                      ? walk_binop_tok(w, prod, &ml, &mr) : SIZE_MAX;
    if (ptok == SIZE_MAX || strcmp(w->tok_s[ptok], "*") != 0) {
        y = l;
        prod = walk_strip(w, r, true);
        ptok = walk_kind(prod) == CXCursor_BinaryOperator
                   ? walk_binop_tok(w, prod, &ml, &mr) : SIZE_MAX;
        if (ptok == SIZE_MAX || strcmp(w->tok_s[ptok], "*") != 0)
            return;
    }
    x = ml;
    s = mr;
    char *tx = walk_operand(w, x), *ts = walk_operand(w, s), *ty = walk_operand(w, y);
    if (tx && ts && ty && strcmp(tx, ty) != 0) {
        const size_t n = strlen(tx) + strlen(ts) + strlen(ty) + 8;
        char *t = malloc(n), q[64];
        if (t != NULL)
            snprintf(t, n, "%s * %s + %s", ty, ts, tx);
        walk_quote(w, b, e, q, sizeof q);
        site_add(w, SITE_SWAP, SITE_EXPR, b, e, b, e, t, "index '%s' swapped to '%s'", q,
                 t ? t : "");
        free(t);
    }
    free(tx);
    free(ts);
    free(ty);
}

/* The rounding calls a student mixes up, and what each becomes. */
static const struct {
    const char *from, *to[3];
} walk_rounding[] = {
    {"rintf", {"roundf", "floorf", "truncf"}},
    {"nearbyintf", {"roundf", "floorf", "truncf"}},
    {"roundf", {"rintf", "floorf", "truncf"}},
    {"floorf", {"ceilf", "truncf", "roundf"}},
    {"ceilf", {"floorf", "truncf", "roundf"}},
    {"truncf", {"floorf", "roundf", "rintf"}},
    {"rint", {"round", "floor", "trunc"}},
    {"nearbyint", {"round", "floor", "trunc"}},
    {"round", {"rint", "floor", "trunc"}},
    {"floor", {"ceil", "trunc", "round"}},
    {"ceil", {"floor", "trunc", "round"}},
    {"trunc", {"floor", "round", "rint"}},
    {"lrintf", {"lroundf"}}, {"lroundf", {"lrintf"}},
    {"llrintf", {"llroundf"}}, {"llroundf", {"llrintf"}},
    {"lrint", {"lround"}}, {"lround", {"lrint"}},
    {"llrint", {"llround"}}, {"llround", {"llrint"}},
};

static bool walk_is_minmax(const char *name)
{
    static const char *const names[] = {"fminf", "fmaxf", "fmin", "fmax", "fminl", "fmaxl"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* `round` and `clamp` on a call of a rounding or min/max function. */
static void walk_call(struct walk *w, CXCursor c, const char *name)
{
    size_t b, e;

    if (!walk_ext(w, c, &b, &e))
        return;
    const size_t t = walk_tok_at(w, b);
    if (!walk_tok_is(w, t, name) || !walk_tok_is(w, t + 1, "("))
        return;                       /* not called by its plain name */
    for (size_t i = 0; i < sizeof walk_rounding / sizeof *walk_rounding; i++) {
        if (strcmp(name, walk_rounding[i].from) != 0)
            continue;
        for (int j = 0; j < 3 && walk_rounding[i].to[j]; j++)
            site_add(w, SITE_ROUND, SITE_EXPR, b, e, w->tok_b[t], w->tok_e[t],
                     walk_rounding[i].to[j], "rounding call '%s' replaced by '%s'", name,
                     walk_rounding[i].to[j]);
    }
    if (walk_is_minmax(name) && clang_Cursor_getNumArguments(c) == 2) {
        char q[64];
        walk_quote(w, b, e, q, sizeof q);
        for (unsigned i = 0; i < 2; i++) {
            char *arg = walk_operand(w, clang_Cursor_getArgument(c, i));
            site_add(w, SITE_CLAMP, SITE_EXPR, b, e, b, e, arg, "clamp '%s' replaced by '%s'",
                     q, arg ? arg : "");
            free(arg);
        }
    }
}

/* A numeric literal, maybe negated: the K of `c ? K : x`. */
static bool walk_is_numlit(struct walk *w, CXCursor c)
{
    c = walk_strip(w, c, true);
    if (walk_kind(c) == CXCursor_UnaryOperator && strcmp(walk_unop(w, c), "-") == 0) {
        struct walk_kids k = walk_kids_of(w, c);
        if (k.n == 1)
            c = walk_strip(w, k.v[0], true);
        free(k.v);
    }
    return walk_kind(c) == CXCursor_IntegerLiteral || walk_kind(c) == CXCursor_FloatingLiteral;
}

/* `clamp`: c ? K : x and c ? x : K -> x. */
static void walk_conditional(struct walk *w, CXCursor c)
{
    struct walk_kids k = walk_kids_of(w, c);
    size_t b, e;

    size_t cb, ce, tb, te, fb, fe;
    if (k.n == 3 && walk_ext(w, c, &b, &e) && walk_ext(w, k.v[0], &cb, &ce) &&
        walk_ext(w, k.v[1], &tb, &te) && walk_ext(w, k.v[2], &fb, &fe)) {
        /* Spelled in the file: `?` and `:` are tokens between the operands. */
        const size_t qm = walk_tok_at(w, ce), colon = walk_tok_at(w, te);
        const bool spelled = walk_tok_is(w, qm, "?") && w->tok_e[qm] <= tb &&
                             walk_tok_is(w, colon, ":") && w->tok_e[colon] <= fb;
        const bool lit_t = walk_is_numlit(w, k.v[1]), lit_f = walk_is_numlit(w, k.v[2]);
        if (spelled && lit_t != lit_f) {
            char *x = walk_operand(w, k.v[lit_t ? 2 : 1]), q[64];
            walk_quote(w, b, e, q, sizeof q);
            site_add(w, SITE_CLAMP, SITE_EXPR, b, e, b, e, x, "clamp '%s' replaced by '%s'",
                     q, x ? x : "");
            free(x);
        }
    }
    free(k.v);
}

/* ---- expressions ------------------------------------------------------------ */

static bool walk_is_builtin(const char *name)
{
    return strncmp(name, "__builtin", 9) == 0 || strncmp(name, "__atomic", 8) == 0 ||
           strncmp(name, "__sync", 6) == 0 || strncmp(name, "__c11_atomic", 12) == 0;
}

/*
 * Walks expression c in a run-time (rvalue-producing) position.
 * `to_ptr`: c is converted to a pointer, so a literal here is a null
 * pointer constant and stays as it is.
 */
static void walk_expr(struct walk *w, CXCursor c, bool to_ptr)
{
    const enum CXCursorKind kind = walk_kind(c);
    bool kids_to_ptr = false;
    size_t b, e;

    switch (kind) {
    case CXCursor_IntegerLiteral: case CXCursor_FloatingLiteral:
        if (!to_ptr)
            walk_const(w, c);
        return;
    case CXCursor_StmtExpr:
        if (walk_ext(w, c, &b, &e) && w->nhidden < w->caphidden)
            w->hidden[w->nhidden++] = (struct walk_range){b, e};
        return;
    case CXCursor_BinaryOperator:
        walk_binop(w, c, false);
        break;
    case CXCursor_CompoundAssignOperator:
        walk_binop(w, c, true);
        break;
    case CXCursor_ArraySubscriptExpr: {
        struct walk_kids k = walk_kids_of(w, c);
        if (k.n == 2)
            walk_swap(w, k.v[1]);
        free(k.v);
        break;
    }
    case CXCursor_CallExpr: {
        CXString s = clang_getCursorSpelling(c);
        const char *name = clang_getCString(s);
        const bool builtin = walk_is_builtin(name);
        if (!builtin)
            walk_call(w, c, name);
        clang_disposeString(s);
        if (builtin)
            return;                   /* may need constant arguments */
        break;
    }
    case CXCursor_ConditionalOperator:
        walk_conditional(w, c);
        break;
    case CXCursor_ParenExpr:
        kids_to_ptr = to_ptr;
        break;
    case CXCursor_UnexposedExpr: case CXCursor_CStyleCastExpr:
        kids_to_ptr = walk_is_ptr(clang_getCursorType(c));
        break;
    case CXCursor_UnaryOperator: case CXCursor_MemberRefExpr: case CXCursor_InitListExpr:
    case CXCursor_CompoundLiteralExpr: case CXCursor_DeclRefExpr:
        break;
    default:
        return;   /* sizeof, _Alignof, _Generic, strings, anything unknown: left alone */
    }
    struct walk_kids k = walk_kids_of(w, c);
    for (unsigned i = 0; i < k.n; i++)
        if (clang_isExpression(walk_kind(k.v[i])))
            walk_expr(w, k.v[i], kids_to_ptr);
    free(k.v);
}

/* A local variable's initializer, unless it is static (a constant context). */
static void walk_var(struct walk *w, CXCursor var)
{
    const enum CX_StorageClass sc = clang_Cursor_getStorageClass(var);

    if (sc == CX_SC_Static || sc == CX_SC_Extern || clang_getCursorTLSKind(var) != CXTLS_None)
        return;
    const CXCursor init = clang_Cursor_getVarDeclInitializer(var);
    if (!clang_Cursor_isNull(init))
        walk_expr(w, init, false);
}

static void walk_decls(struct walk *w, CXCursor decl_stmt)
{
    struct walk_kids k = walk_kids_of(w, decl_stmt);

    for (unsigned i = 0; i < k.n; i++)
        if (walk_kind(k.v[i]) == CXCursor_VarDecl)
            walk_var(w, k.v[i]);
    free(k.v);
}

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
