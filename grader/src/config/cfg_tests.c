/*
 * cfg_tests.c -- the "tests" list: ids, points, visibility, kind, and
 * the fields of each kind: a check test's partial, limits and repeat; an
 * io test's partial and limits (its own fields: cfg_io.c); a
 * performance test's measure, reference, metric, its scoring (full_at and
 * zero_at, or thresholds) or thread checks, and what it requires.
 */
#include "config/cfg_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char cfg_id_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

/* "suite/case", each part [a-z0-9_]+. */
static bool cfg_id_ok(const char *id)
{
    const char *ok = cfg_id_chars;
    size_t suite = strspn(id, ok);
    if (suite == 0 || id[suite] != '/')
        return false;
    size_t name = strspn(id + suite + 1, ok);
    return name > 0 && id[suite + 1 + name] == '\0';
}

static int cfg_parse_test_id(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    const struct grader_cfg *cfg = c->cfg;
    yaml_node_t *id;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "id", "test", &id) < 0)
        return -1;
    if (!cfg_id_ok(cfg_text(id)))
        return cfg_fail(c, id->start_mark,
                        "invalid test id '%s' (use suite/case, with a-z, 0-9 and _)",
                        cfg_show(&sh, cfg_text(id)));
    for (size_t i = 0; i < index; i++)
        if (strcmp(cfg->tests[i].id, cfg_text(id)) == 0)
            return cfg_fail(c, id->start_mark, "duplicate test id '%s' (first defined at line %u)",
                            cfg_show(&sh, cfg_text(id)), cfg->tests[i].mark.line);
    if ((cfg->tests[index].id = strdup(cfg_text(id))) == NULL)
        return cfg_oom(c);
    return 0;
}

/* ---- performance tests ------------------------------------------------------ */

static const char *const cfg_metric_names[] = {
    [CFG_METRIC_INSTRUCTIONS] = "instructions",
    [CFG_METRIC_D1_MISSES] = "d1_misses",
    [CFG_METRIC_LL_MISSES] = "ll_misses",
    [CFG_METRIC_THREADS] = "threads",
};

const char *cfg_metric_name(enum cfg_metric m)
{
    if ((unsigned)m >= sizeof cfg_metric_names / sizeof cfg_metric_names[0])
        return "unknown";
    return cfg_metric_names[m];
}

/* The keys only tests of kind performance have. */
static const char *const cfg_perf_keys[] = {
    "measure", "reference", "metric", "full_at", "zero_at", "thresholds", "threads",
    "balance", "requires", NULL,
};

/* The keys only tests of kind io have. */
static const char *const cfg_io_keys[] = {
    "args", "stdin", "stdin_file", "files", "env", "expect", "compare", "tolerance",
    "relative", NULL,
};

/* Fails at the key `key` of map, if present. */
static int cfg_forbid(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                      const char *why)
{
    const yaml_node_pair_t *p = cfg_pair(c, map, key);
    if (p == NULL)
        return 0;
    return cfg_fail(c, cfg_node(c, p->key)->start_mark, "'%s' %s", key, why);
}

static int cfg_parse_kind(const struct cfg_ctx *c, const yaml_node_t *map,
                          enum cfg_test_kind *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "kind", NULL, &n) < 0)
        return -1;
    if (n == NULL || strcmp(cfg_text(n), "check") == 0)
        *out = CFG_KIND_CHECK;
    else if (strcmp(cfg_text(n), "performance") == 0)
        *out = CFG_KIND_PERFORMANCE;
    else if (strcmp(cfg_text(n), "io") == 0)
        *out = CFG_KIND_IO;
    else
        return cfg_fail(c, n->start_mark, "invalid kind '%s' for 'kind' "
                        "(use check, performance or io)", cfg_show(&sh, cfg_text(n)));
    if (*out == CFG_KIND_PERFORMANCE && !c->cfg->performance.enabled)
        return cfg_fail(c, n->start_mark, "tests of kind performance need a "
                        "'performance' section");
    return 0;
}

/* A measurement name: [a-z0-9_]+, copied to *out. */
static int cfg_get_measure(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           char **out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, key, "performance test", &n) < 0)
        return -1;
    if (cfg_text(n)[strspn(cfg_text(n), cfg_id_chars)] != '\0')
        return cfg_fail(c, n->start_mark, "invalid measurement '%s' for '%s' "
                        "(use a-z, 0-9 and _)", cfg_show(&sh, cfg_text(n)), key);
    if ((*out = strdup(cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

static int cfg_get_metric(const struct cfg_ctx *c, const yaml_node_t *map,
                          enum cfg_metric *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "metric", "performance test", &n) < 0)
        return -1;
    for (size_t m = 0; m < sizeof cfg_metric_names / sizeof cfg_metric_names[0]; m++) {
        if (strcmp(cfg_text(n), cfg_metric_names[m]) == 0) {
            *out = (enum cfg_metric)m;
            return 0;
        }
    }
    return cfg_fail(c, n->start_mark, "invalid metric '%s' for 'metric' (use instructions, "
                    "d1_misses, ll_misses or threads)", cfg_show(&sh, cfg_text(n)));
}

static int cfg_parse_step(const struct cfg_ctx *c, const yaml_node_t *map,
                          const struct cfg_step *prev, struct cfg_step *out)
{
    static const char *const keys[] = {"at_most", "score", NULL};
    const struct cfg_range at_most = {prev ? prev->at_most : 0.0, false, INFINITY,
                                      prev ? "the previous threshold's" : NULL};
    const struct cfg_range score = {0.0, true, 1.0, NULL};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_ratio(c, map, "at_most", "threshold", &at_most, &out->at_most) < 0 ||
        cfg_get_ratio(c, map, "score", "threshold", &score, &out->score) < 0)
        return -1;
    return 0;
}

static int cfg_parse_steps(const struct cfg_ctx *c, const yaml_node_t *map,
                           struct cfg_perf_test *pt)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, "thresholds", "performance test", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    if ((pt->steps = calloc(cfg_seq_len(seq), sizeof *pt->steps)) == NULL)
        return cfg_oom(c);
    pt->nsteps = cfg_seq_len(seq);
    for (size_t i = 0; i < pt->nsteps; i++)
        if (cfg_parse_step(c, cfg_seq_item(c, seq, i), i ? &pt->steps[i - 1] : NULL,
                           &pt->steps[i]) < 0)
            return -1;
    return 0;
}

/* full_at and zero_at, or thresholds: one of the two. */
static int cfg_parse_scoring(const struct cfg_ctx *c, const yaml_node_t *map,
                             struct cfg_perf_test *pt)
{
    const yaml_node_pair_t *steps = cfg_pair(c, map, "thresholds");
    bool linear = cfg_pair(c, map, "full_at") || cfg_pair(c, map, "zero_at");
    if (steps && linear)
        return cfg_fail(c, cfg_node(c, steps->key)->start_mark, "use either 'full_at' and "
                        "'zero_at' or 'thresholds', not both");
    if (steps)
        return cfg_parse_steps(c, map, pt);
    if (!linear)
        return cfg_fail(c, map->start_mark, "missing 'full_at' and 'zero_at' (or "
                        "'thresholds') in performance test");
    const struct cfg_range full = {0.0, false, INFINITY, NULL};
    if (cfg_get_ratio(c, map, "full_at", "performance test", &full, &pt->full_at) < 0)
        return -1;
    const struct cfg_range zero = {pt->full_at, false, INFINITY, "'full_at'"};
    return cfg_get_ratio(c, map, "zero_at", "performance test", &zero, &pt->zero_at);
}

static int cfg_parse_threads(const struct cfg_ctx *c, const yaml_node_t *map,
                             struct cfg_perf_test *pt)
{
    static const struct cfg_range balance = {0.0, true, 1.0, NULL};  /* 0: not graded */
    uint64_t threads = 0;
    yaml_node_t *n;
    pt->balance = 0.5;
    for (size_t i = 0; i < 3; i++) {
        static const char *const linear[] = {"full_at", "zero_at", "thresholds"};
        if (cfg_forbid(c, map, linear[i], "does not apply to metric threads") < 0)
            return -1;
    }
    if (cfg_lookup(c, map, "threads", "performance test of metric threads", &n) < 0 ||
        cfg_get_quantity(c, map, "threads", &cfg_count, &threads) < 0 ||
        cfg_get_ratio(c, map, "balance", NULL, &balance, &pt->balance) < 0)
        return -1;
    pt->threads = (unsigned)threads;
    return 0;
}

static int cfg_parse_perf_test(const struct cfg_ctx *c, const yaml_node_t *map,
                               struct cfg_test *t)
{
    struct cfg_perf_test *pt = &t->perf;
    t->limits = c->cfg->performance.limits;
    if (cfg_forbid(c, map, "partial", "does not apply to tests of kind performance") < 0 ||
        cfg_forbid(c, map, "limits", "does not apply to tests of kind performance "
                   "(set performance.limits)") < 0 ||
        cfg_get_measure(c, map, "measure", &pt->measure) < 0 ||
        cfg_get_measure(c, map, "reference", &pt->reference) < 0 ||
        cfg_get_metric(c, map, &pt->metric) < 0 ||
        cfg_get_strv(c, map, "requires", false, &pt->requires) < 0)
        return -1;
    if (pt->metric == CFG_METRIC_THREADS)
        return cfg_parse_threads(c, map, pt);
    if (cfg_forbid(c, map, "threads", "applies to metric threads only") < 0 ||
        cfg_forbid(c, map, "balance", "applies to metric threads only") < 0)
        return -1;
    return cfg_parse_scoring(c, map, pt);
}

/* Every "requires" item names a check test of the config. */
static int cfg_check_requires(const struct cfg_ctx *c, const yaml_node_t *seq)
{
    const struct grader_cfg *cfg = c->cfg;
    struct cfg_shown sh;
    for (size_t i = 0; i < cfg->ntests; i++) {
        yaml_node_t *req;
        if (cfg_lookup(c, cfg_seq_item(c, seq, i), "requires", NULL, &req) < 0)
            return -1;
        for (size_t j = 0; req != NULL && j < cfg_seq_len(req); j++) {
            const yaml_node_t *item = cfg_seq_item(c, req, j);
            const struct cfg_test *t = cfg_find_test(cfg, cfg_text(item));
            if (t == NULL)
                return cfg_fail(c, item->start_mark, "'requires' names no test '%s'",
                                cfg_show(&sh, cfg_text(item)));
            if (t->kind != CFG_KIND_CHECK)
                return cfg_fail(c, item->start_mark, "'requires' names '%s', which is not a "
                                "check test", cfg_show(&sh, cfg_text(item)));
        }
    }
    return 0;
}

/* How many times a check test runs, at most CFG_MAX_REPEAT; 0 when absent
 * (cfg_parse_tsan() then picks the default). */
int cfg_get_repeat(const struct cfg_ctx *c, const yaml_node_t *map, unsigned *out)
{
    uint64_t n = 0;
    if (cfg_get_quantity(c, map, "repeat", &cfg_count, &n) < 0)
        return -1;
    if (n > CFG_MAX_REPEAT)
        return cfg_fail(c, cfg_node(c, cfg_pair(c, map, "repeat")->value)->start_mark,
                        "'repeat' must be at most %d", CFG_MAX_REPEAT);
    *out = (unsigned)n;
    return 0;
}

static int cfg_parse_test(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    static const char *const keys[] = {
        "id", "name", "points", "visibility", "category", "tags", "partial", "limits", "kind",
        "measure", "reference", "metric", "full_at", "zero_at", "thresholds", "threads",
        "balance", "requires", "repeat", "args", "stdin", "stdin_file", "files", "env",
        "expect", "compare", "tolerance", "relative", NULL,
    };
    struct cfg_test *t = &c->cfg->tests[index];
    t->mark = (struct cfg_mark){(unsigned)map->start_mark.line + 1,
                                (unsigned)map->start_mark.column + 1};
    t->visibility = c->cfg->visibility;
    t->partial = true;
    t->limits = c->cfg->limits;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_parse_test_id(c, map, index) < 0 ||
        cfg_get_string(c, map, "name", NULL, &t->name) < 0)
        return -1;
    if (t->name == NULL && (t->name = strdup(t->id)) == NULL)
        return cfg_oom(c);
    if (cfg_get_points(c, map, &t->points) < 0 ||
        cfg_get_visibility(c, map, &t->visibility) < 0 ||
        cfg_get_string(c, map, "category", NULL, &t->category) < 0 ||
        cfg_get_strv(c, map, "tags", false, &t->tags) < 0 ||
        cfg_parse_kind(c, map, &t->kind) < 0)
        return -1;
    for (size_t i = 0; t->kind != CFG_KIND_IO && cfg_io_keys[i] != NULL; i++)
        if (cfg_forbid(c, map, cfg_io_keys[i], "is only for tests of kind io") < 0)
            return -1;
    if (t->kind == CFG_KIND_PERFORMANCE)
        return cfg_forbid(c, map, "repeat", "is only for check tests") < 0
                   ? -1 : cfg_parse_perf_test(c, map, t);
    for (size_t i = 0; cfg_perf_keys[i] != NULL; i++)
        if (cfg_forbid(c, map, cfg_perf_keys[i], "is only for tests of kind performance") < 0)
            return -1;
    if (t->kind == CFG_KIND_IO &&
        (cfg_forbid(c, map, "repeat", "is only for check tests") < 0 ||
         cfg_parse_io_test(c, map, t) < 0))
        return -1;
    if (cfg_get_bool(c, map, "partial", &t->partial) < 0 ||
        cfg_get_limits(c, map, &t->limits) < 0 ||
        (t->kind == CFG_KIND_CHECK && cfg_get_repeat(c, map, &t->repeat) < 0))
        return -1;
    return 0;
}

int cfg_parse_tests(const struct cfg_ctx *c, const yaml_node_t *root)
{
    struct grader_cfg *cfg = c->cfg;
    yaml_node_t *seq;
    if (cfg_get_list(c, root, "tests", "configuration", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    yaml_mark_t key = cfg_node(c, cfg_pair(c, root, "tests")->key)->start_mark;
    cfg->tests_mark = (struct cfg_mark){(unsigned)key.line + 1, (unsigned)key.column + 1};
    if ((cfg->tests = calloc(cfg_seq_len(seq), sizeof *cfg->tests)) == NULL)
        return cfg_oom(c);
    cfg->ntests = cfg_seq_len(seq);
    for (size_t i = 0; i < cfg->ntests; i++)
        if (cfg_parse_test(c, cfg_seq_item(c, seq, i), i) < 0)
            return -1;
    return cfg_check_requires(c, seq);   /* may name a test defined further down */
}
