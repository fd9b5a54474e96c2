/*
 * cfg_perf.c -- the "performance" section: how to build and run the
 * measurements (flags, sources, valgrind, limits) and the simulated
 * caches, checked by valgrind's rules.  The performance tests themselves
 * are in cfg_tests.c.
 */
#include "config/cfg_priv.h"

#include <stdlib.h>
#include <string.h>

static bool cfg_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* valgrind's rules for a simulated cache (cachegrind's check_cache()). */
static int cfg_check_cache(const struct cfg_ctx *c, const yaml_node_t *map, const char *name,
                           const struct cfg_cache *k)
{
    const yaml_node_pair_t *line = cfg_pair(c, map, "line");
    yaml_mark_t at = line ? cfg_node(c, line->value)->start_mark : map->start_mark;
    if (!cfg_pow2(k->line))
        return cfg_fail(c, at, "'line' of cache '%s' must be a power of two", name);
    if (k->line < 16)
        return cfg_fail(c, at, "'line' of cache '%s' must be at least 16 bytes", name);
    if (k->ways > UINT64_MAX / k->line || k->size % (k->ways * k->line) != 0 ||
        !cfg_pow2(k->size / (k->ways * k->line)))
        return cfg_fail(c, map->start_mark, "cache '%s': size / (ways x line) must be a "
                        "power of two (valgrind's rule), not %llu / (%llu x %llu)", name,
                        (unsigned long long)k->size, (unsigned long long)k->ways,
                        (unsigned long long)k->line);
    if (k->size <= k->line)
        return cfg_fail(c, map->start_mark, "cache '%s' must hold more than one line", name);
    return 0;
}

static int cfg_parse_cache(const struct cfg_ctx *c, const yaml_node_t *caches,
                           const char *name, struct cfg_cache *k)
{
    static const char *const keys[] = {"size", "ways", "line", NULL};
    yaml_node_t *map;
    if (cfg_typed(c, caches, name, NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "size", &cfg_size, &k->size) < 0 ||
        cfg_get_quantity(c, map, "ways", &cfg_count, &k->ways) < 0 ||
        cfg_get_quantity(c, map, "line", &cfg_size, &k->line) < 0)
        return -1;
    return cfg_check_cache(c, map, name, k);
}

static int cfg_parse_caches(const struct cfg_ctx *c, const yaml_node_t *perf)
{
    static const char *const keys[] = {"i1", "d1", "ll", NULL};
    struct cfg_performance *p = &c->cfg->performance;
    yaml_node_t *map;
    if (cfg_typed(c, perf, "cache", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_parse_cache(c, map, "i1", &p->i1) < 0 ||
        cfg_parse_cache(c, map, "d1", &p->d1) < 0 ||
        cfg_parse_cache(c, map, "ll", &p->ll) < 0)
        return -1;
    return 0;
}

/* After the top-level limits, which it inherits. */
int cfg_parse_performance(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "cflags", "ldflags", "sources", "valgrind", "cache", "limits", "leaderboard", NULL,
    };
    struct cfg_performance *p = &c->cfg->performance;
    yaml_node_t *map;
    if (cfg_typed(c, root, "performance", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    p->enabled = true;
    p->limits = c->cfg->limits;
    p->i1 = p->d1 = (struct cfg_cache){32 * CFG_KiB, 8, 64};
    p->ll = (struct cfg_cache){CFG_MiB, 16, 64};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "cflags", false, &p->cflags) < 0 ||
        cfg_get_strv(c, map, "ldflags", false, &p->ldflags) < 0 ||
        cfg_parse_sources(c, map, "performance", &p->sources) < 0 ||
        cfg_get_string(c, map, "valgrind", NULL, &p->valgrind) < 0 ||
        cfg_parse_caches(c, map) < 0 ||
        cfg_get_limits(c, map, &p->limits) < 0 ||
        cfg_get_bool(c, map, "leaderboard", &p->leaderboard) < 0)
        return -1;
    if (p->valgrind == NULL && (p->valgrind = strdup("valgrind")) == NULL)
        return cfg_oom(c);
    return 0;
}
