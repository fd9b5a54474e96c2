/*
 * cfg_mutants.c -- the "mutants" section of mutation analysis: operators,
 * functions, timeout_factor and the equivalent mutants with their
 * reasons.
 */
#include "config/cfg_priv.h"

#include <stdlib.h>
#include <string.h>

/* The operators mutagen knows (grader/mutagen/mutagen.c documents each). */
static const char *const cfg_mutant_ops[] = {
    "ror", "aor", "bound", "loop", "const", "del", "swap", "round", "clamp", NULL,
};

static int cfg_parse_equivalent(const struct cfg_ctx *c, const yaml_node_t *map,
                                struct cfg_equivalent *out)
{
    static const char *const keys[] = {"id", "reason", NULL};
    yaml_mark_t at = map->start_mark;
    out->mark = (struct cfg_mark){(unsigned)at.line + 1, (unsigned)at.column + 1};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_string(c, map, "id", "equivalent mutant", &out->id) < 0 ||
        cfg_get_string(c, map, "reason", "equivalent mutant", &out->reason) < 0)
        return -1;
    const char *colon = strchr(out->id, ':');
    if (!colon || !strchr(colon + 1, ':'))
        return cfg_fail(c, at, "equivalent mutant id '%s' is not FUNCTION:OPERATOR:N",
                        out->id);
    return 0;
}

static int cfg_parse_equivalents(const struct cfg_ctx *c, const yaml_node_t *map)
{
    struct cfg_mutants *m = &c->cfg->mutants;
    yaml_node_t *seq;
    if (cfg_typed(c, map, "equivalent", NULL, YAML_SEQUENCE_NODE, "a sequence of mappings",
                  &seq) < 0)
        return -1;
    size_t n = seq ? cfg_seq_len(seq) : 0;
    if (n == 0)
        return 0;
    if ((m->equivalent = calloc(n, sizeof *m->equivalent)) == NULL)
        return cfg_oom(c);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        m->nequivalent = i + 1;
        if (cfg_expect(c, item, "equivalent", YAML_MAPPING_NODE, "a mapping") < 0 ||
            cfg_parse_equivalent(c, item, &m->equivalent[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->equivalent[j].id, m->equivalent[i].id) == 0)
                return cfg_fail(c, item->start_mark, "equivalent mutant '%s' is listed "
                                "twice", m->equivalent[i].id);
    }
    return 0;
}

int cfg_parse_mutants(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"operators", "functions", "timeout_factor",
                                       "equivalent", NULL};
    static const struct cfg_range factor = {1.0, true, 1000.0, NULL};
    struct cfg_mutants *m = &c->cfg->mutants;
    yaml_node_t *map, *ops;
    if (cfg_typed(c, root, "mutants", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "operators", false, &m->operators) < 0 ||
        cfg_get_strv(c, map, "functions", false, &m->functions) < 0 ||
        cfg_get_ratio(c, map, "timeout_factor", NULL, &factor, &m->timeout_factor) < 0 ||
        cfg_parse_equivalents(c, map) < 0)
        return -1;
    if (cfg_lookup(c, map, "operators", NULL, &ops) < 0)
        return -1;
    for (size_t i = 0; ops && i < m->operators.n; i++)
        if (!cfg_in(cfg_mutant_ops, m->operators.v[i]))
            return cfg_fail(c, cfg_seq_item(c, ops, i)->start_mark, "unknown mutation "
                            "operator '%s' (known: ror, aor, bound, loop, const, del, swap, "
                            "round, clamp)", m->operators.v[i]);
    return 0;
}
