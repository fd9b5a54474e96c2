/*
 * adjust.c -- loads the instructor's adjustments file (adjust.h) with
 * the config's loader (cfg_load_yaml(): the same syntax checks and
 * "file:line:column" errors) and typed getters.  Each value is stored as
 * soon as it is parsed, so adj_release() frees exactly what was built
 * when a later value fails.
 */
#include "config/adjust.h"
#include "config/cfg_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the walk needs besides the document. */
struct adj_walk {
    const struct grader_cfg *cfg;
    struct adj_file *file;
};

/* The largest |delta| accepted: a typo guard, far above any assignment. */
#define ADJ_MAX_DELTA 1e6

/* A signed number ("+2", "-1.5", "3"): cfg_parse_points() after the sign. */
static int adj_get_delta(const struct cfg_ctx *c, const yaml_node_t *map, double *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, "delta", "a points adjustment", YAML_SCALAR_NODE,
                  "a number like -3 or +2.5", &n) < 0)
        return -1;
    const char *text = cfg_text(n);
    bool minus = text[0] == '-';
    double v;
    if (cfg_parse_points(text + (minus || text[0] == '+'), &v) != CFG_NUM_OK ||
        text[minus || text[0] == '+'] == '-' || text[minus || text[0] == '+'] == '+')
        return cfg_fail(c, n->start_mark, "invalid points '%s' for 'delta' (use e.g. -3 or +2.5)",
                        cfg_show(&sh, text));
    if (v == 0)
        return cfg_fail(c, n->start_mark, "'delta' must not be 0");
    if (v > ADJ_MAX_DELTA)
        return cfg_fail(c, n->start_mark, "'delta' must be at most %g points either way",
                        ADJ_MAX_DELTA);
    *out = minus ? -v : v;
    return 0;
}

/* "points": a sequence of {delta, reason}. */
static int adj_parse_points(const struct cfg_ctx *c, const yaml_node_t *map,
                            struct adj_student *s)
{
    static const char *const keys[] = {"delta", "reason", NULL};
    yaml_node_t *seq;
    if (cfg_lookup(c, map, "points", NULL, &seq) < 0)
        return -1;
    if (seq == NULL)
        return 0;
    if (cfg_get_list(c, map, "points", NULL, YAML_MAPPING_NODE,
                     "a sequence of {delta, reason} mappings", &seq) < 0)
        return -1;
    size_t n = cfg_seq_len(seq);
    if ((s->points = calloc(n, sizeof *s->points)) == NULL)
        return cfg_oom(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = cfg_seq_item(c, seq, i);
        struct adj_points *p = &s->points[s->npoints++];
        if (cfg_check_keys(c, item, keys) < 0 || adj_get_delta(c, item, &p->delta) < 0 ||
            cfg_get_string(c, item, "reason", "a points adjustment", &p->reason) < 0)
            return -1;
    }
    return 0;
}

/* One {test, score, reason} of "tests". */
static int adj_parse_test(const struct cfg_ctx *c, const struct grader_cfg *cfg,
                          const yaml_node_t *item, struct adj_student *s)
{
    static const char *const keys[] = {"test", "score", "reason", NULL};
    struct adj_test *t = &s->tests[s->ntests];
    yaml_node_t *id;
    struct cfg_shown sh;
    if (cfg_check_keys(c, item, keys) < 0 ||
        cfg_string_node(c, item, "test", "a test score", &id) < 0)
        return -1;
    if ((t->test = cfg_find_test(cfg, cfg_text(id))) == NULL)
        return cfg_fail(c, id->start_mark, "unknown test '%s' (not in %s)",
                        cfg_show(&sh, cfg_text(id)), cfg->path);
    for (size_t i = 0; i < s->ntests; i++)
        if (s->tests[i].test == t->test)
            return cfg_fail(c, id->start_mark, "test '%s' is set twice for '%s'",
                            cfg_show(&sh, cfg_text(id)), s->name);
    struct cfg_range r = {.least = 0, .or_equal = true, .most = t->test->points,
                          .least_name = NULL};
    t->score = NAN;
    s->ntests++;
    if (cfg_get_ratio(c, item, "score", "a test score", &r, &t->score) < 0 ||
        cfg_get_string(c, item, "reason", "a test score", &t->reason) < 0)
        return -1;
    return 0;
}

/* "tests": a sequence of {test, score, reason}. */
static int adj_parse_tests(const struct cfg_ctx *c, const struct grader_cfg *cfg,
                           const yaml_node_t *map, struct adj_student *s)
{
    yaml_node_t *seq;
    if (cfg_lookup(c, map, "tests", NULL, &seq) < 0)
        return -1;
    if (seq == NULL)
        return 0;
    if (cfg_get_list(c, map, "tests", NULL, YAML_MAPPING_NODE,
                     "a sequence of {test, score, reason} mappings", &seq) < 0)
        return -1;
    size_t n = cfg_seq_len(seq);
    if ((s->tests = calloc(n, sizeof *s->tests)) == NULL)
        return cfg_oom(c);
    for (size_t i = 0; i < n; i++)
        if (adj_parse_test(c, cfg, cfg_seq_item(c, seq, i), s) < 0)
            return -1;
    return 0;
}

/* "extension": {due, late_due, reason}; needs the config's late policy. */
static int adj_parse_extension(const struct cfg_ctx *c, const struct grader_cfg *cfg,
                               const yaml_node_t *map, struct adj_student *s)
{
    static const char *const keys[] = {"due", "late_due", "reason", NULL};
    struct adj_extension *e = &s->extension;
    yaml_node_t *n, *late_due;
    struct cfg_shown sh;
    if (cfg_typed(c, map, "extension", NULL, YAML_MAPPING_NODE, "a mapping", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    if (!cfg->late.enabled)
        return cfg_fail(c, n->start_mark, "an extension needs a late_policy in %s", cfg->path);
    e->present = true;
    if (cfg_check_keys(c, n, keys) < 0 ||
        cfg_get_time(c, n, "due", "extension", &e->due_ms, &e->due) < 0 ||
        cfg_get_time(c, n, "late_due", NULL, &e->late_due_ms, &e->late_due) < 0 ||
        cfg_get_string(c, n, "reason", "extension", &e->reason) < 0 ||
        cfg_lookup(c, n, "late_due", NULL, &late_due) < 0)
        return -1;
    /* The effective late_due: the extension's, else the config's. */
    int64_t cutoff = e->late_due ? e->late_due_ms : cfg->late.late_due_ms;
    if (e->late_due && cutoff < e->due_ms)
        return cfg_fail(c, late_due->start_mark, "the extension's late_due is before its due "
                        "(%s)", cfg_show(&sh, e->due));
    if (cfg->late.late_due && cutoff < e->due_ms)
        return cfg_fail(c, n->start_mark, "the extension's due (%s) is after the config's "
                        "late_due (%s): give the extension a late_due too",
                        cfg_show(&sh, e->due), cfg->late.late_due);
    return 0;
}

static int adj_parse_student(const struct cfg_ctx *c, const struct adj_walk *w,
                             const yaml_node_pair_t *pair)
{
    static const char *const keys[] = {"points", "tests", "extension", NULL};
    struct adj_file *f = w->file;
    yaml_node_t *key = cfg_node(c, pair->key), *map = cfg_node(c, pair->value);
    struct cfg_shown sh;
    struct adj_student *s = &f->students[f->nstudents];
    if (key->type != YAML_SCALAR_NODE)
        return cfg_fail(c, key->start_mark, "a student's name must be a string, not %s",
                        cfg_kind(key));
    if (adj_find(f, cfg_text(key)) != NULL)
        return cfg_fail(c, key->start_mark, "duplicate student '%s'",
                        cfg_show(&sh, cfg_text(key)));
    if (key->data.scalar.length == 0 || cfg_text(key)[0] == '.' || strchr(cfg_text(key), '/'))
        return cfg_fail(c, key->start_mark, "'%s' is not a submission folder's name",
                        cfg_show(&sh, cfg_text(key)));
    if ((s->name = strdup(cfg_text(key))) == NULL)
        return cfg_oom(c);
    f->nstudents++;
    if (cfg_expect(c, map, s->name, YAML_MAPPING_NODE,
                   "a mapping of points, tests and extension") < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        adj_parse_points(c, map, s) < 0 ||
        adj_parse_tests(c, w->cfg, map, s) < 0 ||
        adj_parse_extension(c, w->cfg, map, s) < 0)
        return -1;
    return 0;
}

static int adj_walk_root(const struct cfg_ctx *c, void *arg)
{
    static const char *const keys[] = {"students", NULL};
    const struct adj_walk *w = arg;
    const yaml_node_t *root = yaml_document_get_root_node(c->doc);
    yaml_node_t *students;
    if (root == NULL || cfg_is_empty(root))
        return cfg_fail_at(c->err, c->path, 1, 1, "empty adjustments file");
    if (root->type != YAML_MAPPING_NODE)
        return cfg_fail(c, root->start_mark, "the adjustments file must be a mapping, not %s",
                        cfg_kind(root));
    if (cfg_check_keys(c, root, keys) < 0 ||
        cfg_typed(c, root, "students", "the adjustments file", YAML_MAPPING_NODE,
                  "a mapping of student names", &students) < 0)
        return -1;
    size_t n = (size_t)(students->data.mapping.pairs.top - students->data.mapping.pairs.start);
    if (n > 0 && (w->file->students = calloc(n, sizeof *w->file->students)) == NULL)
        return cfg_oom(c);
    for (const yaml_node_pair_t *p = students->data.mapping.pairs.start;
         p < students->data.mapping.pairs.top; p++)
        if (adj_parse_student(c, w, p) < 0)
            return -1;
    return 0;
}

int adj_load(const char *path, const struct grader_cfg *cfg, struct adj_file *f,
             struct cfg_error *err)
{
    struct adj_walk w = {.cfg = cfg, .file = f};
    struct cfg_ctx c = {.path = path, .err = err};
    memset(f, 0, sizeof *f);
    if (path == NULL)
        return cfg_fail_at(err, "", 0, 0, "no adjustments file given");
    if ((f->path = strdup(path)) == NULL)
        return cfg_oom(&c);
    int rc = cfg_load_yaml(&c, adj_walk_root, &w);
    if (rc < 0)
        adj_release(f);
    return rc;
}

static void adj_student_release(struct adj_student *s)
{
    for (size_t i = 0; i < s->npoints; i++)
        free(s->points[i].reason);
    for (size_t i = 0; i < s->ntests; i++)
        free(s->tests[i].reason);
    free(s->points);
    free(s->tests);
    free(s->extension.due);
    free(s->extension.late_due);
    free(s->extension.reason);
    free(s->name);
}

void adj_release(struct adj_file *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nstudents; i++)
        adj_student_release(&f->students[i]);
    free(f->students);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const struct adj_student *adj_find(const struct adj_file *f, const char *student)
{
    for (size_t i = 0; f && student && i < f->nstudents; i++)
        if (strcmp(f->students[i].name, student) == 0)
            return &f->students[i];
    return NULL;
}

struct cfg_late adj_late_policy(const struct cfg_late *base, const struct adj_student *a)
{
    struct cfg_late l = *base;
    if (a == NULL || !a->extension.present)
        return l;
    l.due_ms = a->extension.due_ms;
    l.due = a->extension.due;
    if (a->extension.late_due) {
        l.late_due_ms = a->extension.late_due_ms;
        l.late_due = a->extension.late_due;
    }
    return l;
}
