/*
 * cfg_release.c -- the "release" section: the files and sources of the
 * student release, its packages and its ci (fail_under).  Not the
 * freeing of a config, which is cfg_release() in cfg.c.
 */
#include "config/cfg_priv.h"

#include <stdlib.h>
#include <string.h>

/* Expands one "files" or "sources" item (a path or a glob, relative to
 * the config's folder) into *rel as paths relative to that folder. */
static int cfg_release_expand(const struct cfg_ctx *c, const yaml_node_t *item,
                              const char *key, struct cfg_strv *rel)
{
    struct cfg_strv full = {0};
    struct cfg_shown sh;
    size_t nbase = strlen(c->cfg->base_dir);
    if (!cfg_submission_path_ok(cfg_text(item)))
        return cfg_fail(c, item->start_mark, "invalid path '%s' for '%s' (must be relative "
                        "to the config's folder, without '..')", cfg_show(&sh, cfg_text(item)),
                        key);
    int rc = cfg_add_source(c, &full, item);
    for (size_t i = 0; rc == 0 && i < full.n; i++) {
        /* glob and cfg_resolve() put base_dir + "/" in front of every match */
        const char *r = full.v[i] + nbase + (c->cfg->base_dir[nbase - 1] != '/');
        if (!cfg_strv_has(rel, r) && cfg_strv_push(rel, strdup(r)) < 0)
            rc = cfg_oom(c);
    }
    cfg_strv_release(&full);
    return rc;
}

/* A required, non-empty list of relative paths and globs, each matching a file. */
static int cfg_release_paths(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                             struct cfg_strv *written, struct cfg_strv *rel)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, key, "release", YAML_SCALAR_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, key) < 0 ||
            cfg_release_expand(c, item, key, rel) < 0)
            return -1;
        if (written != NULL && cfg_strv_push(written, strdup(cfg_text(item))) < 0)
            return cfg_oom(c);
    }
    return 0;
}

static int cfg_parse_release_ci(const struct cfg_ctx *c, const yaml_node_t *release)
{
    static const char *const keys[] = {"fail_under", NULL};
    static const struct cfg_range percent = {0.0, true, 100.0, NULL};
    yaml_node_t *map;
    if (cfg_typed(c, release, "ci", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_ratio(c, map, "fail_under", NULL, &percent, &c->cfg->release.fail_under) < 0)
        return -1;
    return 0;
}

/* Last, so that a config with a broken release section still reaches its tests. */
int cfg_parse_release(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"files", "sources", "packages", "ci", NULL};
    struct cfg_release *r = &c->cfg->release;
    const yaml_node_pair_t *key = cfg_pair(c, root, "release");
    yaml_node_t *map;
    if (cfg_typed(c, root, "release", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    yaml_mark_t at = cfg_node(c, key->key)->start_mark;
    r->mark = (struct cfg_mark){(unsigned)at.line + 1, (unsigned)at.column + 1};
    r->enabled = true;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_release_paths(c, map, "files", NULL, &r->files) < 0 ||
        cfg_release_paths(c, map, "sources", &r->sources, &r->source_files) < 0 ||
        cfg_get_strv(c, map, "packages", false, &r->packages) < 0 ||
        cfg_parse_release_ci(c, map) < 0)
        return -1;
    return 0;
}
