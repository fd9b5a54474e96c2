/*
 * walk.c -- mutation sites from libclang's AST (walk.h).
 *
 * Theory of operation: the file is parsed with a detailed preprocessing
 * record (so macro expansions are cursors too) and tokenized once.  Each
 * function defined in the file is walked from its body down: statements
 * by walk_stmt() (walk_stmt.c), expressions by walk_expr().  Only places where
 * the C grammar allows a run-time expression are visited (a variable's
 * initializer, not its array size; a case's statement, not its label;
 * never sizeof/_Alignof/_Generic operands), which keeps mutants out of
 * constant expressions.  Offsets are expansion locations: anything a
 * macro produced maps onto the macro's invocation, and site_add() refuses
 * an edit that touches an invocation or a span that cuts one.
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

struct walk_kids walk_kids_of(struct walk *w, CXCursor c)
{
    struct walk_kids k = {0};

    clang_visitChildren(c, walk_kid, &k);
    w->oom |= k.oom;
    return k;
}

/* ---- positions ---------------------------------------------------------- */

/* [*b, *e) of c in the file (expansion locations); false if elsewhere. */
bool walk_ext(const struct walk *w, CXCursor c, size_t *b, size_t *e)
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
size_t walk_tok_at(const struct walk *w, size_t off)
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

bool walk_tok_is(const struct walk *w, size_t i, const char *s)
{
    return i < w->ntok && strcmp(w->tok_s[i], s) == 0;
}

/* Does [b, e) touch a macro invocation (an empty range: lie inside one)? */
bool walk_in_macro(const struct walk *w, size_t b, size_t e)
{
    for (size_t i = 0; i < w->nmacros; i++) {
        const struct walk_range *m = &w->macros[i];
        if (b == e ? (m->b <= b && b < m->e) : (m->b < e && b < m->e))
            return true;
    }
    return false;
}

/* Does [b, e) cut a macro invocation (overlap it without holding it whole)? */
bool walk_cuts_macro(const struct walk *w, size_t b, size_t e)
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

enum CXCursorKind walk_kind(CXCursor c)
{
    return clang_getCursorKind(c);
}

/* Below implicit conversions (libclang's UnexposedExpr) and parentheses. */
CXCursor walk_strip(struct walk *w, CXCursor c, bool parens)
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
size_t walk_binop_tok(struct walk *w, CXCursor c, CXCursor *lhs, CXCursor *rhs)
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
const char *walk_unop(struct walk *w, CXCursor c)
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
size_t walk_stmt_end(struct walk *w, CXCursor c)
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
void walk_quote(const struct walk *w, size_t b, size_t e, char *buf, size_t len)
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
void site_add(struct walk *w, enum site_op op, enum site_kind kind, size_t sb,
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
void walk_expr(struct walk *w, CXCursor c, bool to_ptr)
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

void walk_decls(struct walk *w, CXCursor decl_stmt)
{
    struct walk_kids k = walk_kids_of(w, decl_stmt);

    for (unsigned i = 0; i < k.n; i++)
        if (walk_kind(k.v[i]) == CXCursor_VarDecl)
            walk_var(w, k.v[i]);
    free(k.v);
}
