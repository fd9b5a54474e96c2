/*
 * cfg_leaks.c -- the "leaks" section: the share of a test's points a
 * leak deducts.
 */
#include "config/cfg_priv.h"

/* After the tests, which take the deduction. */
int cfg_parse_leaks(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"deduct", NULL};
    static const struct cfg_range fraction = {0.0, true, 1.0, NULL};
    yaml_node_t *map;
    if (cfg_typed(c, root, "leaks", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0 ||
        (map && (cfg_check_keys(c, map, keys) < 0 ||
                 cfg_get_ratio(c, map, "deduct", NULL, &fraction, &c->cfg->leaks.deduct) < 0)))
        return -1;
    for (size_t i = 0; i < c->cfg->ntests; i++)
        c->cfg->tests[i].leak_deduct = c->cfg->leaks.deduct;
    return 0;
}
