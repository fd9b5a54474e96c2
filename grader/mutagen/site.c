/* site.c -- the operator names and the mutant list (site.h). */
#include "site.h"

#include <stdlib.h>
#include <string.h>

static const char *const site_names[SITE_NOPS] = {
    "ror", "aor", "bound", "loop", "const", "del", "swap", "round", "clamp",
};

const char *site_op_name(enum site_op op)
{
    return op < SITE_NOPS ? site_names[op] : "?";
}

int site_op_parse(const char *name, enum site_op *op)
{
    for (int i = 0; i < SITE_NOPS; i++) {
        if (strcmp(name, site_names[i]) == 0) {
            *op = (enum site_op)i;
            return 0;
        }
    }
    return -1;
}

static void site_free_strings(struct site *s)
{
    free(s->function);
    free(s->text);
    free(s->description);
}

int site_list_push(struct site_list *l, struct site *s)
{
    if (l->n == l->cap) {
        const size_t cap = l->cap ? l->cap * 2 : 64;
        struct site *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            site_free_strings(s);
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *s;
    return 0;
}

static int site_cmp(const void *pa, const void *pb)
{
    const struct site *a = pa, *b = pb;

    if (a->span_off != b->span_off)
        return a->span_off < b->span_off ? -1 : 1;
    if (a->span_len != b->span_len)
        return a->span_len > b->span_len ? -1 : 1;   /* outer first */
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Keeps the spans laminar: each one nests in, or is disjoint from, the others. */
static size_t site_drop_crossing(struct site_list *l)
{
    size_t *open = malloc((l->n + 1) * sizeof *open);  /* indexes of kept spans */
    size_t depth = 0, kept = 0, dropped = 0;

    if (open == NULL)
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        struct site *s = &l->v[i];
        const size_t end = s->span_off + s->span_len;
        while (depth > 0) {
            const struct site *t = &l->v[open[depth - 1]];
            if (t->span_off + t->span_len > s->span_off)
                break;
            depth--;
        }
        const struct site *t = depth > 0 ? &l->v[open[depth - 1]] : NULL;
        const bool same = t && t->span_off == s->span_off && t->span_len == s->span_len;
        if (t && (t->span_off + t->span_len < end || (same && t->kind != s->kind))) {
            site_free_strings(s);
            dropped++;
            continue;
        }
        l->v[kept] = *s;
        if (!same)
            open[depth++] = kept;
        kept++;
    }
    l->n = kept;
    free(open);
    return dropped;
}

size_t site_list_finish(struct site_list *l)
{
    qsort(l->v, l->n, sizeof *l->v, site_cmp);
    const size_t dropped = site_drop_crossing(l);
    unsigned count[SITE_NOPS] = {0};
    const char *fn = NULL;

    /* Function bodies are disjoint, so each one's mutants are contiguous. */
    for (size_t i = 0; i < l->n; i++) {
        struct site *s = &l->v[i];
        if (fn == NULL || strcmp(fn, s->function) != 0) {
            memset(count, 0, sizeof count);
            fn = s->function;
        }
        s->index = (unsigned)i + 1;
        s->ordinal = ++count[s->op];
    }
    return dropped;
}

void site_list_release(struct site_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        site_free_strings(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
