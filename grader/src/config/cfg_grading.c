/*
 * cfg_grading.c -- the "grading" section: the seed of the visible tests'
 * random inputs, the CI rate limit.
 */
#include "config/cfg_priv.h"

/* The "grading" section: {seed: N, max_per_day: N}. */
int cfg_parse_grading(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"seed", "max_per_day", NULL};
    struct cfg_grading *g = &c->cfg->grading;
    yaml_node_t *map;
    if (cfg_typed(c, root, "grading", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "seed", &cfg_seed, &g->seed) < 0 ||
        cfg_get_quantity(c, map, "max_per_day", &cfg_count, &g->max_per_day) < 0)
        return -1;
    g->seeded = g->seed > 0;
    return 0;
}
