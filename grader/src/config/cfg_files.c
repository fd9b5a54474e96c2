/*
 * cfg_files.c -- the "assignment" section (name, title) and the
 * "student_files" list (path, solution, stub, max_size).
 */
#include "config/cfg_priv.h"

#include <stdlib.h>
#include <string.h>

static bool cfg_name_ok(const char *s)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_.-";
    return *s != '\0' && s[strspn(s, ok)] == '\0';
}

int cfg_parse_assignment(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"name", "title", NULL};
    struct grader_cfg *cfg = c->cfg;
    yaml_node_t *map, *name;
    struct cfg_shown sh;
    if (cfg_typed(c, root, "assignment", "configuration", YAML_MAPPING_NODE, "a mapping",
                  &map) < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        cfg_string_node(c, map, "name", "assignment", &name) < 0)
        return -1;
    if (!cfg_name_ok(cfg_text(name)))
        return cfg_fail(c, name->start_mark,
                        "invalid assignment name '%s' (use letters, digits, '_', '.' and '-')",
                        cfg_show(&sh, cfg_text(name)));
    if ((cfg->name = strdup(cfg_text(name))) == NULL)
        return cfg_oom(c);
    if (cfg_get_string(c, map, "title", NULL, &cfg->title) < 0)
        return -1;
    if (cfg->title == NULL && (cfg->title = strdup(cfg->name)) == NULL)
        return cfg_oom(c);
    return 0;
}

/* Relative, not empty, no ".." component: it must stay in the submission. */
bool cfg_submission_path_ok(const char *p)
{
    if (*p == '\0' || *p == '/')
        return false;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        p += *p == '/';
    }
    return true;
}

static int cfg_resolve_optional(const struct cfg_ctx *c, const yaml_node_t *map,
                                const char *key, char **out)
{
    yaml_node_t *n;
    if (cfg_string_node(c, map, key, NULL, &n) < 0)
        return -1;
    if (n != NULL && (*out = cfg_resolve(c, cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

static int cfg_parse_file(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    static const char *const keys[] = {"path", "solution", "stub", "max_size", NULL};
    struct cfg_student_file *f = &c->cfg->files[index];
    yaml_node_t *path;
    struct cfg_shown sh;
    f->mark = (struct cfg_mark){(unsigned)map->start_mark.line + 1,
                                (unsigned)map->start_mark.column + 1};
    f->max_size = CFG_MiB;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_string_node(c, map, "path", "student file", &path) < 0)
        return -1;
    if (!cfg_submission_path_ok(cfg_text(path)))
        return cfg_fail(c, path->start_mark, "invalid path '%s' for 'path' "
                        "(must be relative to the submission, without '..')",
                        cfg_show(&sh, cfg_text(path)));
    for (size_t i = 0; i < index; i++)
        if (strcmp(c->cfg->files[i].path, cfg_text(path)) == 0)
            return cfg_fail(c, path->start_mark, "duplicate student file '%s'",
                            cfg_show(&sh, cfg_text(path)));
    if ((f->path = strdup(cfg_text(path))) == NULL)
        return cfg_oom(c);
    if (cfg_resolve_optional(c, map, "solution", &f->solution) < 0 ||
        cfg_resolve_optional(c, map, "stub", &f->stub) < 0 ||
        cfg_get_quantity(c, map, "max_size", &cfg_size, &f->max_size) < 0)
        return -1;
    return 0;
}

int cfg_parse_files(const struct cfg_ctx *c, const yaml_node_t *root)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, root, "student_files", "configuration", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    if ((c->cfg->files = calloc(cfg_seq_len(seq), sizeof *c->cfg->files)) == NULL)
        return cfg_oom(c);
    c->cfg->nfiles = cfg_seq_len(seq);
    for (size_t i = 0; i < cfg_seq_len(seq); i++)
        if (cfg_parse_file(c, cfg_seq_item(c, seq, i), i) < 0)
            return -1;
    return 0;
}
