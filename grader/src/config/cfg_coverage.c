/*
 * cfg_coverage.c -- the "coverage" section (enabled, branches, html).
 */
#include "config/cfg_priv.h"

int cfg_parse_coverage(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"enabled", "branches", "html", NULL};
    struct cfg_coverage *cov = &c->cfg->coverage;
    yaml_node_t *map;
    if (cfg_typed(c, root, "coverage", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_bool(c, map, "enabled", &cov->enabled) < 0 ||
        cfg_get_bool(c, map, "branches", &cov->branches) < 0 ||
        cfg_get_bool(c, map, "html", &cov->html) < 0)
        return -1;
    return 0;
}
