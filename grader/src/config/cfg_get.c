/*
 * cfg_get.c -- what every config section's loader shares: the errors
 * ("file:line:column: message"), access to the libyaml document, the one
 * table-driven key checker (cfg_check_keys() with the section's keys[]
 * table) and the typed getters, each of which explains a bad value at
 * the node at fault.  Declared in cfg_priv.h.
 */
#include "config/cfg_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 5, 0)))
static void cfg_verror(struct cfg_error *err, const char *path, unsigned line,
                       unsigned column, const char *fmt, va_list ap)
{
    snprintf(err->file, sizeof err->file, "%s", path ? path : "");
    err->line = line;
    err->column = column;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

__attribute__((format(printf, 5, 6)))
int cfg_fail_at(struct cfg_error *err, const char *path, unsigned line,
                       unsigned column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_verror(err, path, line, column, fmt, ap);
    va_end(ap);
    return -1;
}

/* Fails at a libyaml mark (0-based). */
__attribute__((format(printf, 3, 4)))
int cfg_fail(const struct cfg_ctx *c, yaml_mark_t mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_verror(c->err, c->path, (unsigned)mark.line + 1, (unsigned)mark.column + 1,
               fmt, ap);
    va_end(ap);
    return -1;
}

int cfg_oom(const struct cfg_ctx *c)
{
    return cfg_fail_at(c->err, c->path, 0, 0, "out of memory");
}

const char *cfg_show(struct cfg_shown *b, const char *text)
{
    size_t max = sizeof b->s - 4, i;
    for (i = 0; i < max && text[i] != '\0'; i++)
        b->s[i] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
    if (text[i] != '\0') {
        /* do not cut a UTF-8 sequence in half */
        while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
            i--;
        memcpy(b->s + i, "...", 3);
        i += 3;
    }
    b->s[i] = '\0';
    return b->s;
}

/* ---- small helpers ------------------------------------------------------- */

char *cfg_join(const char *dir, const char *name)
{
    size_t nd = strlen(dir), n = nd + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s%s", dir, nd > 0 && dir[nd - 1] == '/' ? "" : "/", name);
    return s;
}

/* A config-relative path made usable from anywhere. */
char *cfg_resolve(const struct cfg_ctx *c, const char *path)
{
    return path[0] == '/' ? strdup(path) : cfg_join(c->cfg->base_dir, path);
}

/* Takes ownership of `s`, which is freed on failure. */
int cfg_strv_push(struct cfg_strv *sv, char *s)
{
    char **v = s ? realloc(sv->v, (sv->n + 1) * sizeof *v) : NULL;
    if (v == NULL) {
        free(s);
        return -1;
    }
    sv->v = v;
    sv->v[sv->n++] = s;
    return 0;
}

bool cfg_strv_has(const struct cfg_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

void cfg_strv_release(struct cfg_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

bool cfg_in(const char *const list[], const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static const char *const cfg_vis_names[] = {
    [CFG_VIS_HIDDEN] = "hidden",
    [CFG_VIS_AFTER_DUE_DATE] = "after_due_date",
    [CFG_VIS_AFTER_PUBLISHED] = "after_published",
    [CFG_VIS_VISIBLE] = "visible",
};

const char *cfg_visibility_name(enum cfg_visibility v)
{
    /* an out-of-range value fails closed */
    if ((unsigned)v >= sizeof cfg_vis_names / sizeof cfg_vis_names[0])
        return "hidden";
    return cfg_vis_names[v];
}

/* ---- document access ------------------------------------------------------ */

yaml_node_t *cfg_node(const struct cfg_ctx *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

const char *cfg_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

bool cfg_is_empty(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* "a mapping", for "'x' must be a string, not a mapping". */
const char *cfg_kind(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a sequence";
    return cfg_is_empty(n) ? "empty" : "a scalar";
}

size_t cfg_seq_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *cfg_seq_item(const struct cfg_ctx *c, const yaml_node_t *seq, size_t i)
{
    return cfg_node(c, seq->data.sequence.items.start[i]);
}

/* The pair of `key` in `map` (keys are unique once checked), or NULL. */
const yaml_node_pair_t *cfg_pair(const struct cfg_ctx *c, const yaml_node_t *map,
                                        const char *key)
{
    const yaml_node_pair_t *p;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = cfg_node(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(cfg_text(k), key) == 0)
            return p;
    }
    return NULL;
}

/* Every key of `map` is a string, in `known` (NULL-terminated), and unique. */
int cfg_check_keys(const struct cfg_ctx *c, const yaml_node_t *map,
                          const char *const known[])
{
    const yaml_node_pair_t *first = map->data.mapping.pairs.start, *p, *q;
    struct cfg_shown sh;
    for (p = first; p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = cfg_node(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return cfg_fail(c, k->start_mark, "a key must be a string, not %s", cfg_kind(k));
        if (!cfg_in(known, cfg_text(k)))
            return cfg_fail(c, k->start_mark, "unknown key '%s'", cfg_show(&sh, cfg_text(k)));
        for (q = first; q < p; q++)
            if (strcmp(cfg_text(cfg_node(c, q->key)), cfg_text(k)) == 0)
                return cfg_fail(c, k->start_mark, "duplicate key '%s'",
                                cfg_show(&sh, cfg_text(k)));
    }
    return 0;
}

/*
 * *out = the value of `key` in `map`, or NULL if absent.  A key is
 * required when `required_in` names the enclosing thing ("test").
 */
int cfg_lookup(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                      const char *required_in, yaml_node_t **out)
{
    const yaml_node_pair_t *p = cfg_pair(c, map, key);
    *out = p ? cfg_node(c, p->value) : NULL;
    if (*out == NULL && required_in != NULL)
        return cfg_fail(c, map->start_mark, "missing required key '%s' in %s", key,
                        required_in);
    return 0;
}

int cfg_expect(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                      yaml_node_type_t type, const char *desc)
{
    if (n->type == type)
        return 0;
    return cfg_fail(c, n->start_mark, "'%s' must be %s, not %s", key, desc, cfg_kind(n));
}

/* Looks up `key` and checks its type; *out = NULL if absent and optional. */
int cfg_typed(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                     const char *required_in, yaml_node_type_t type, const char *desc,
                     yaml_node_t **out)
{
    if (cfg_lookup(c, map, key, required_in, out) < 0)
        return -1;
    return *out ? cfg_expect(c, *out, key, type, desc) : 0;
}

/* A non-empty string scalar; *out = NULL if absent and optional. */
int cfg_string_node(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           const char *required_in, yaml_node_t **out)
{
    if (cfg_typed(c, map, key, required_in, YAML_SCALAR_NODE, "a string", out) < 0)
        return -1;
    if (*out != NULL && (*out)->data.scalar.length == 0)
        return cfg_fail(c, (*out)->start_mark, "'%s' must not be empty", key);
    return 0;
}

/* Replaces *out with a copy of the string, if `key` is present. */
int cfg_get_string(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                          const char *required_in, char **out)
{
    yaml_node_t *n;
    if (cfg_string_node(c, map, key, required_in, &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    char *s = strdup(cfg_text(n));
    if (s == NULL)
        return cfg_oom(c);
    free(*out);
    *out = s;
    return 0;
}

int cfg_get_bool(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        bool *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, "a boolean", &n) < 0)
        return -1;
    if (n != NULL && cfg_parse_bool(cfg_text(n), out) < 0)
        return cfg_fail(c, n->start_mark, "expected a boolean (true or false) for '%s', not '%s'",
                        key, cfg_show(&sh, cfg_text(n)));
    return 0;
}

/* Explains a failed cfg_parse_quantity() or cfg_parse_points(). */
int cfg_num_error(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                         enum cfg_num why, const struct cfg_quantity *q)
{
    struct cfg_shown sh;
    switch (why) {
    case CFG_NUM_NONPOS:
        return cfg_fail(c, n->start_mark, q ? "'%s' must be positive" :
                        "'%s' must not be negative", key);
    case CFG_NUM_SMALL:
        return cfg_fail(c, n->start_mark, "'%s' is too small (at least %s)", key,
                        q ? q->least : "0");
    case CFG_NUM_BIG:
        return cfg_fail(c, n->start_mark, "'%s' is too large", key);
    default:
        if (q == NULL)
            return cfg_fail(c, n->start_mark, "invalid number '%s' for '%s'",
                            cfg_show(&sh, cfg_text(n)), key);
        return cfg_fail(c, n->start_mark, "invalid %s '%s' for '%s' (%s)", q->noun,
                        cfg_show(&sh, cfg_text(n)), key, q->hint);
    }
}

int cfg_get_quantity(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                            const struct cfg_quantity *q, uint64_t *out)
{
    yaml_node_t *n;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, q->desc, &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    enum cfg_num why = cfg_parse_quantity(cfg_text(n), q, out);
    return why == CFG_NUM_OK ? 0 : cfg_num_error(c, n, key, why, q);
}

int cfg_get_points(const struct cfg_ctx *c, const yaml_node_t *map, double *out)
{
    yaml_node_t *n;
    if (cfg_typed(c, map, "points", "test", YAML_SCALAR_NODE, "a number", &n) < 0)
        return -1;
    enum cfg_num why = cfg_parse_points(cfg_text(n), out);
    return why == CFG_NUM_OK ? 0 : cfg_num_error(c, n, "points", why, NULL);
}

int cfg_get_visibility(const struct cfg_ctx *c, const yaml_node_t *map,
                              enum cfg_visibility *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, "visibility", NULL, YAML_SCALAR_NODE, "a string", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    for (size_t v = 0; v < sizeof cfg_vis_names / sizeof cfg_vis_names[0]; v++) {
        if (strcmp(cfg_text(n), cfg_vis_names[v]) == 0) {
            *out = (enum cfg_visibility)v;
            return 0;
        }
    }
    return cfg_fail(c, n->start_mark, "invalid visibility '%s' for 'visibility' "
                    "(use hidden, after_due_date, after_published or visible)",
                    cfg_show(&sh, cfg_text(n)));
}

/* An item of a string sequence: a non-empty scalar. */
int cfg_check_string_item(const struct cfg_ctx *c, const yaml_node_t *item,
                                 const char *key)
{
    if (item->type != YAML_SCALAR_NODE)
        return cfg_fail(c, item->start_mark, "items of '%s' must be strings, not %s", key,
                        cfg_kind(item));
    if (item->data.scalar.length == 0)
        return cfg_fail(c, item->start_mark, "items of '%s' must not be empty", key);
    return 0;
}

/* Appends the strings of the optional sequence `key`, resolved as paths or not. */
int cfg_get_strv(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        bool resolve, struct cfg_strv *out)
{
    yaml_node_t *seq;
    if (cfg_typed(c, map, key, NULL, YAML_SEQUENCE_NODE, "a sequence of strings", &seq) < 0)
        return -1;
    for (size_t i = 0; seq != NULL && i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, key) < 0)
            return -1;
        char *s = resolve ? cfg_resolve(c, cfg_text(item)) : strdup(cfg_text(item));
        if (cfg_strv_push(out, s) < 0)
            return cfg_oom(c);
    }
    return 0;
}

/* A required, non-empty sequence whose items are all of `item_type`. */
int cfg_get_list(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        const char *required_in, yaml_node_type_t item_type,
                        const char *desc, yaml_node_t **out)
{
    if (cfg_typed(c, map, key, required_in, YAML_SEQUENCE_NODE, desc, out) < 0)
        return -1;
    if (cfg_seq_len(*out) == 0)
        return cfg_fail(c, (*out)->start_mark, "'%s' must not be empty", key);
    for (size_t i = 0; i < cfg_seq_len(*out); i++) {
        const yaml_node_t *item = cfg_seq_item(c, *out, i);
        if (item->type != item_type)
            return cfg_fail(c, item->start_mark, "items of '%s' must be %s, not %s", key,
                            item_type == YAML_MAPPING_NODE ? "mappings" : "strings",
                            cfg_kind(item));
    }
    return 0;
}

/* Explains a number outside its range. */
static int cfg_range_error(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                           const struct cfg_range *r)
{
    char least[96];
    if (r->least_name)
        snprintf(least, sizeof least, "%s (%g)", r->least_name, r->least);
    else
        snprintf(least, sizeof least, "%g", r->least);
    if (isinf(r->most))
        return cfg_fail(c, n->start_mark, "'%s' must be greater than %s", key, least);
    return cfg_fail(c, n->start_mark, "'%s' must be %s %s and at most %g", key,
                    r->or_equal ? "at least" : "greater than", least, r->most);
}

/*
 * A decimal number (cfg_parse_points' syntax) within *r into *out, which
 * is untouched if the key is absent and optional.
 */
int cfg_get_ratio(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                         const char *required_in, const struct cfg_range *r, double *out)
{
    yaml_node_t *n;
    double v;
    if (cfg_typed(c, map, key, required_in, YAML_SCALAR_NODE, "a number", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    enum cfg_num why = cfg_parse_points(cfg_text(n), &v);
    if (why != CFG_NUM_OK)
        return cfg_num_error(c, n, key, why, NULL);
    if (v < r->least || (v == r->least && !r->or_equal) || v > r->most)
        return cfg_range_error(c, n, key, r);
    *out = v;
    return 0;
}
