/* emit.c -- the JSON list, single mutants, the schema and diffs (emit.h). */
#include "emit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *emit_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- diff --------------------------------------------------------------- */

/* The lines of [b, e) with a prefix each; `eof`: e is the end of the file. */
static void emit_lines(FILE *out, char prefix, const char *b, const char *e, bool eof)
{
    while (b < e) {
        const char *nl = memchr(b, '\n', (size_t)(e - b));
        const char *end = nl ? nl : e;
        fprintf(out, "%c%.*s\n", prefix, (int)(end - b), b);
        if (nl == NULL && eof)
            fputs("\\ No newline at end of file\n", out);
        b = nl ? nl + 1 : e;
    }
}

static unsigned emit_count_lines(const char *b, const char *e)
{
    unsigned n = 0;

    for (const char *p = b; p < e; p++)
        n += *p == '\n';
    return n + (e > b && e[-1] != '\n');
}

char *emit_diff(const struct src *s, const struct site *m)
{
    const size_t eb = m->edit_off, ee = eb + m->edit_len;
    const unsigned l1 = src_line(s, eb), l2 = src_line(s, ee > eb ? ee - 1 : ee);
    unsigned last = (unsigned)s->nlines;   /* the last line with text */
    if (last > 1 && s->line_start[last - 1] == s->len)
        last--;
    const unsigned c1 = l1 > 3 ? l1 - 3 : 1, c2 = l2 + 3 < last ? l2 + 3 : last;
    const char *t = s->text;
    const size_t b1 = src_line_begin(s, l1), e2 = src_line_end(s, l2);
    const size_t cb = src_line_begin(s, c1), ce = src_line_end(s, c2);

    /* The changed lines as they become. */
    const size_t nlen = (eb - b1) + strlen(m->text) + (e2 - ee);
    char *changed = malloc(nlen + 1);
    if (changed == NULL)
        return NULL;
    snprintf(changed, nlen + 1, "%.*s%s%.*s", (int)(eb - b1), t + b1, m->text,
             (int)(e2 - ee), t + ee);
    const unsigned nold = emit_count_lines(t + cb, t + ce);
    const unsigned nnew = (l1 - c1) + emit_count_lines(changed, changed + nlen) + (c2 - l2);

    char *diff = NULL;
    size_t dlen = 0;
    FILE *out = open_memstream(&diff, &dlen);
    if (out == NULL) {
        free(changed);
        return NULL;
    }
    const char *base = emit_basename(s->path);
    fprintf(out, "--- a/%s\n+++ b/%s\n@@ -%u,%u +%u,%u @@\n", base, base, c1, nold, c1, nnew);
    emit_lines(out, ' ', t + cb, t + b1, false);
    emit_lines(out, '-', t + b1, t + e2, e2 == s->len);
    emit_lines(out, '+', changed, changed + nlen, e2 == s->len);
    emit_lines(out, ' ', t + e2, t + ce, ce == s->len);
    free(changed);
    if (fclose(out) != 0) {
        free(diff);
        return NULL;
    }
    return diff;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *emit_one(const struct src *s, const struct site *m)
{
    char id[512], *original = src_copy(s, m->edit_off, m->edit_off + m->edit_len);
    char *diff = emit_diff(s, m);
    const size_t end = m->span_off + m->span_len;
    json_t *j = NULL;

    snprintf(id, sizeof id, "%s:%s:%u", m->function, site_op_name(m->op), m->ordinal);
    if (original != NULL && diff != NULL)
        j = json_pack("{s:I, s:s, s:s, s:s, s:s,"
                      " s:{s:I, s:I, s:I, s:I, s:I},"
                      " s:{s:I, s:I, s:s}, s:s, s:s, s:s, s:s}",
                      "index", (json_int_t)m->index, "id", id, "op", site_op_name(m->op),
                      "function", m->function, "kind", m->kind == SITE_EXPR ? "expr" : "stmt",
                      "span", "offset", (json_int_t)m->span_off,
                      "length", (json_int_t)m->span_len,
                      "line", (json_int_t)src_line(s, m->span_off),
                      "column", (json_int_t)src_column(s, m->span_off),
                      "end_line", (json_int_t)src_line(s, end > m->span_off ? end - 1 : end),
                      "edit", "offset", (json_int_t)m->edit_off,
                      "length", (json_int_t)m->edit_len, "text", m->text,
                      "original", original, "replacement", m->text,
                      "description", m->description, "diff", diff);
    free(original);
    free(diff);
    return j;
}

int emit_json(FILE *out, const struct src *s, const struct site_list *l)
{
    json_t *list = json_array();
    json_t *root = json_pack("{s:s, s:o}", "file", s->path, "mutants", list);
    int rc = root != NULL ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        json_t *one = emit_one(s, &l->v[i]);
        rc = one != NULL ? json_array_append_new(list, one) : -1;
    }
    if (rc == 0)
        rc = json_dumpf(root, out, JSON_INDENT(1)) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(root);
    return rc;
}

/* ---- a single mutant -------------------------------------------------------- */

int emit_mutant(FILE *out, const struct src *s, const struct site *m)
{
    const size_t end = m->edit_off + m->edit_len;

    fwrite(s->text, 1, m->edit_off, out);
    fputs(m->text, out);
    fwrite(s->text + end, 1, s->len - end, out);
    return ferror(out) ? -1 : 0;
}

/* ---- the schema ---------------------------------------------------------------- */

/* Mutants l->v[first .. first+n) share one span. */
struct emit_group {
    size_t b, e;
    enum site_kind kind;
    size_t first, n;
};

struct emit_schema_ctx {
    FILE *out;
    const struct src *s;
    const struct site_list *l;
    struct emit_group *g;
    size_t ng;
    size_t next;        /* the next group to write */
};

static void emit_range(struct emit_schema_ctx *x, size_t b, size_t e);

static void emit_line_directive(FILE *out, const struct src *s, unsigned line)
{
    fprintf(out, "\n#line %u \"", line);
    for (const char *p = s->path; *p; p++)
        fprintf(out, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    fputs("\"\n", out);
}

/*
 * The span with mutant m's edit, inner spans left as they are (only one
 * mutant is on at a time).  A mutated copy that spans lines is followed by
 * a #line, so that the original after it keeps its own line numbers.
 */
static void emit_mutated(struct emit_schema_ctx *x, const struct emit_group *g,
                         const struct site *m)
{
    const char *t = x->s->text;
    const size_t ee = m->edit_off + m->edit_len;

    fwrite(t + g->b, 1, m->edit_off - g->b, x->out);
    fputs(m->text, x->out);
    fwrite(t + ee, 1, g->e - ee, x->out);
    if (memchr(t + g->b, '\n', m->edit_off - g->b) != NULL || strchr(m->text, '\n') != NULL ||
        memchr(t + ee, '\n', g->e - ee) != NULL)
        emit_line_directive(x->out, x->s, src_line(x->s, g->b));
}

static void emit_wrap(struct emit_schema_ctx *x, const struct emit_group *g)
{
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const struct site *m = &x->l->v[i];
        if (g->kind == SITE_EXPR) {
            fprintf(x->out, "%sgrader_mutant_on(%u) ? (", i == g->first ? "(" : "",
                    m->index);
            emit_mutated(x, g, m);
            fputs(") : ", x->out);
        } else {
            fprintf(x->out, "%sif (grader_mutant_on(%u)) { ", i == g->first ? "{ " : "",
                    m->index);
            emit_mutated(x, g, m);
            fputs(" } else ", x->out);
        }
    }
    fputs(g->kind == SITE_EXPR ? "(" : "{ ", x->out);
    emit_range(x, g->b, g->e);
    fputs(g->kind == SITE_EXPR ? "))" : " } }", x->out);
}

/* Text [b, e) with the groups inside it wrapped (they nest: site_list_finish). */
static void emit_range(struct emit_schema_ctx *x, size_t b, size_t e)
{
    size_t pos = b;

    while (x->next < x->ng && x->g[x->next].b < e) {
        const struct emit_group *g = &x->g[x->next++];
        fwrite(x->s->text + pos, 1, g->b - pos, x->out);
        emit_wrap(x, g);
        pos = g->e;
    }
    fwrite(x->s->text + pos, 1, e - pos, x->out);
}

/*
 * The switch.  GRADER_MUTANT is read once, by a constructor, before main()
 * and so before any thread exists; afterwards the selection is a plain
 * static that nothing writes, so gcc hoists the test out of loops and
 * unswitches them: the schema's kernels run at nearly the reference's
 * speed (an __atomic load at every site made the 256^3 matmul 10x slower).
 */
static const char emit_preamble[] =
    "/* Mutant schema written by mutagen: GRADER_MUTANT=N switches mutant N on. */\n"
    "extern char *getenv(const char *);\n"
    "static int grader_mutant_selected;   /* 0: the original */\n"
    "__attribute__((constructor(101))) static void grader_mutant_init(void)\n"
    "{\n"
    "    const char *s = getenv(\"GRADER_MUTANT\");\n"
    "    int v = 0;\n"
    "    for (; s != 0 && *s >= '0' && *s <= '9' && v < 100000000; s++)\n"
    "        v = v * 10 + (*s - '0');\n"
    "    grader_mutant_selected = v;\n"
    "}\n"
    "__attribute__((unused)) static inline int grader_mutant_on(int index)\n"
    "{\n"
    "    return __builtin_expect(grader_mutant_selected == index, 0);\n"
    "}";

int emit_schema(FILE *out, const struct src *s, const struct site_list *l)
{
    struct emit_schema_ctx x = {.out = out, .s = s, .l = l};

    x.g = calloc(l->n + 1, sizeof *x.g);
    if (x.g == NULL)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const struct site *m = &l->v[i];
        struct emit_group *last = x.ng ? &x.g[x.ng - 1] : NULL;
        if (last && last->b == m->span_off && last->e == m->span_off + m->span_len) {
            last->n++;
            continue;
        }
        x.g[x.ng++] = (struct emit_group){m->span_off, m->span_off + m->span_len, m->kind,
                                          i, 1};
    }
    fputs(emit_preamble, out);
    emit_line_directive(out, s, 1);
    emit_range(&x, 0, s->len);
    free(x.g);
    return ferror(out) ? -1 : 0;
}
