/*
 * cfg_limits.c -- a "limits" mapping (cpu, wall, memory, processes,
 * output, file_size): the top-level one, and those of a check test, of
 * "performance" and of "thread_sanitizer", each overriding what it
 * inherits.
 */
#include "config/cfg_priv.h"

static int cfg_parse_limits(const struct cfg_ctx *c, const yaml_node_t *map,
                            struct cfg_limits *l)
{
    static const char *const keys[] = {
        "cpu", "wall", "memory", "processes", "output", "file_size", NULL,
    };
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "cpu", &cfg_duration, &l->cpu_ms) < 0 ||
        cfg_get_quantity(c, map, "wall", &cfg_duration, &l->wall_ms) < 0 ||
        cfg_get_quantity(c, map, "memory", &cfg_size, &l->memory_bytes) < 0 ||
        cfg_get_quantity(c, map, "processes", &cfg_count, &l->processes) < 0 ||
        cfg_get_quantity(c, map, "output", &cfg_size, &l->output_bytes) < 0 ||
        cfg_get_quantity(c, map, "file_size", &cfg_size, &l->file_size_bytes) < 0)
        return -1;
    return 0;
}

/* Overrides *l with the optional "limits" mapping of `parent`. */
int cfg_get_limits(const struct cfg_ctx *c, const yaml_node_t *parent,
                          struct cfg_limits *l)
{
    yaml_node_t *map;
    if (cfg_typed(c, parent, "limits", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    return map ? cfg_parse_limits(c, map, l) : 0;
}
