/*
 * cfg_tsan.c -- the "thread_sanitizer" section: the check tests it runs
 * (units), its build flags on top of the tests build's, sources, limits
 * and repeat.
 */
#include "config/cfg_priv.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Coverage instrumentation has no place in the TSan build. */
static bool cfg_coverage_flag(const char *f)
{
    return strcmp(f, "--coverage") == 0 || strcmp(f, "-ftest-coverage") == 0 ||
           strcmp(f, "-lgcov") == 0 || strncmp(f, "-fprofile-", 10) == 0;
}

/* Appends copies of from's items to *to, without coverage flags if asked. */
static int cfg_strv_append(const struct cfg_ctx *c, struct cfg_strv *to,
                           const struct cfg_strv *from, bool drop_coverage)
{
    for (size_t i = 0; i < from->n; i++)
        if (!(drop_coverage && cfg_coverage_flag(from->v[i])) &&
            cfg_strv_push(to, strdup(from->v[i])) < 0)
            return cfg_oom(c);
    return 0;
}

/* Marks the check tests `units` names; each glob must match one. */
static int cfg_tsan_units(const struct cfg_ctx *c, const yaml_node_t *map)
{
    struct cfg_tsan *ts = &c->cfg->tsan;
    yaml_node_t *seq;
    struct cfg_shown sh;
    if (cfg_get_list(c, map, "units", "thread_sanitizer", YAML_SCALAR_NODE,
                     "a sequence of test ids or globs", &seq) < 0 ||
        cfg_get_strv(c, map, "units", false, &ts->units) < 0)
        return -1;
    for (size_t i = 0; i < ts->units.n; i++) {
        bool any = false;
        for (size_t j = 0; j < c->cfg->ntests; j++) {
            struct cfg_test *t = &c->cfg->tests[j];
            if (t->kind == CFG_KIND_CHECK && fnmatch(ts->units.v[i], t->id, 0) == 0)
                any = t->tsan = true;
        }
        if (!any)
            return cfg_fail(c, cfg_seq_item(c, seq, i)->start_mark, "'%s' matches no check "
                            "test", cfg_show(&sh, ts->units.v[i]));
    }
    return 0;
}

/*
 * The flags of the TSan build: each list is the tests build's (less its
 * coverage flags) followed by the section's; cflags and ldflags default
 * to TSan's own, and the student files get cflags once more at the end,
 * so its -g wins over a -g0 of student_cflags.
 */
static int cfg_tsan_flags(const struct cfg_ctx *c, const yaml_node_t *map)
{
    const struct cfg_build *b = &c->cfg->build;
    struct cfg_tsan *ts = &c->cfg->tsan;
    struct cfg_strv own_c = {0}, own_l = {0};
    char *cdef[] = {"-fsanitize=thread", "-g"}, *ldef[] = {"-fsanitize=thread"};
    const struct cfg_strv cflags_def = {cdef, 2}, ldflags_def = {ldef, 1};
    int rc = cfg_get_strv(c, map, "cflags", false, &own_c) < 0 ||
             cfg_get_strv(c, map, "ldflags", false, &own_l) < 0 ? -1 : 0;
    const struct cfg_strv *cf = cfg_pair(c, map, "cflags") ? &own_c : &cflags_def;
    const struct cfg_strv *lf = cfg_pair(c, map, "ldflags") ? &own_l : &ldflags_def;
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->cflags, &b->cflags, true);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->cflags, cf, false);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->student_cflags, &b->student_cflags, true);
    if (rc == 0)
        rc = cfg_get_strv(c, map, "student_cflags", false, &ts->student_cflags);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->student_cflags, cf, false);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->ldflags, &b->ldflags, true);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->ldflags, lf, false);
    cfg_strv_release(&own_c);
    cfg_strv_release(&own_l);
    return rc;
}

/* After the tests: it marks them, and gives them their default repeat. */
int cfg_parse_tsan(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "units", "cflags", "student_cflags", "ldflags", "sources", "limits", "repeat",
        "threaded_units", NULL,
    };
    struct cfg_tsan *ts = &c->cfg->tsan;
    yaml_node_t *map;
    unsigned repeat = 0;
    ts->repeat = 3;
    ts->threaded_units = true;
    if (cfg_typed(c, root, "thread_sanitizer", NULL, YAML_MAPPING_NODE, "a mapping",
                  &map) < 0)
        return -1;
    if (map != NULL) {
        ts->enabled = true;
        ts->limits = c->cfg->limits;
        if (cfg_check_keys(c, map, keys) < 0 || cfg_tsan_units(c, map) < 0 ||
            cfg_tsan_flags(c, map) < 0 ||
            cfg_strv_append(c, &ts->sources, &c->cfg->build.sources, false) < 0 ||
            (cfg_pair(c, map, "sources") &&
             cfg_parse_sources(c, map, "thread_sanitizer", &ts->sources) < 0) ||
            cfg_get_limits(c, map, &ts->limits) < 0 || cfg_get_repeat(c, map, &repeat) < 0 ||
            cfg_get_bool(c, map, "threaded_units", &ts->threaded_units) < 0)
            return -1;
        if (repeat > 0)          /* absent: 0, the default stays */
            ts->repeat = repeat;
    }
    for (size_t i = 0; i < c->cfg->ntests; i++) {
        struct cfg_test *t = &c->cfg->tests[i];
        if (t->repeat == 0)
            t->repeat = t->tsan ? ts->repeat : 1;
    }
    return 0;
}
