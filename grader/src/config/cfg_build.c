/*
 * cfg_build.c -- the "build" section (compiler, flags, trusted sources),
 * the "symbols" policy (allow, deny, allow_libraries, forbid_*), and the
 * "sources" lists of paths and globs, which "performance",
 * "thread_sanitizer" and "release" load the same way.
 */
#include "config/cfg_priv.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Takes `full`; keeps the first of duplicates (a glob and a plain path
 * may name the same file, which must be compiled once). */
static int cfg_push_source(const struct cfg_ctx *c, struct cfg_strv *sources, char *full)
{
    if (full != NULL && cfg_strv_has(sources, full)) {
        free(full);
        return 0;
    }
    return cfg_strv_push(sources, full) < 0 ? cfg_oom(c) : 0;
}

static int cfg_add_glob(const struct cfg_ctx *c, struct cfg_strv *sources,
                        const yaml_node_t *item)
{
    const char *text = cfg_text(item);
    char *pattern = text[0] == '/' ? strdup(text) : cfg_join(c->glob_base, text);
    glob_t g;
    size_t matched = 0;
    struct cfg_shown sh;
    if (pattern == NULL)
        return cfg_oom(c);
    int rc = glob(pattern, 0, NULL, &g);
    free(pattern);
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
            continue;     /* a folder or a dangling link is not a source */
        matched++;
        rc = cfg_push_source(c, sources, strdup(g.gl_pathv[i]));
    }
    globfree(&g);
    if (rc == -1)
        return -1;
    if (rc == GLOB_NOSPACE)
        return cfg_oom(c);
    if (rc != 0 && rc != GLOB_NOMATCH)
        return cfg_fail(c, item->start_mark, "cannot expand '%s'", cfg_show(&sh, text));
    if (matched == 0)
        return cfg_fail(c, item->start_mark, "no file matches '%s'", cfg_show(&sh, text));
    return 0;
}

int cfg_add_source(const struct cfg_ctx *c, struct cfg_strv *sources,
                          const yaml_node_t *item)
{
    const char *text = cfg_text(item);
    struct cfg_shown sh;
    struct stat st;
    if (strpbrk(text, "*?[") != NULL)
        return cfg_add_glob(c, sources, item);
    char *full = cfg_resolve(c, text);
    if (full == NULL)
        return cfg_oom(c);
    int found = stat(full, &st), e = errno;
    if (found == 0 && S_ISREG(st.st_mode))
        return cfg_push_source(c, sources, full);
    free(full);
    if (found == 0)
        return cfg_fail(c, item->start_mark, "'%s' is not a regular file", cfg_show(&sh, text));
    if (e == ENOENT || e == ENOTDIR)
        return cfg_fail(c, item->start_mark, "no such file '%s'", cfg_show(&sh, text));
    return cfg_fail(c, item->start_mark, "cannot access '%s': %s", cfg_show(&sh, text),
                    strerror(e));
}

/* The required "sources" of `map` (the section `in`) into *sources. */
int cfg_parse_sources(const struct cfg_ctx *c, const yaml_node_t *map, const char *in,
                             struct cfg_strv *sources)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, "sources", in, YAML_SCALAR_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, "sources") < 0 ||
            cfg_add_source(c, sources, item) < 0)
            return -1;
    }
    return 0;
}

int cfg_parse_build(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "cc", "cflags", "student_cflags", "ldflags", "include_dirs", "sources", "timeout", NULL,
    };
    struct cfg_build *b = &c->cfg->build;
    yaml_node_t *map;
    if (cfg_typed(c, root, "build", "configuration", YAML_MAPPING_NODE, "a mapping",
                  &map) < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_string(c, map, "cc", NULL, &b->cc) < 0 ||
        cfg_get_strv(c, map, "cflags", false, &b->cflags) < 0 ||
        cfg_get_strv(c, map, "student_cflags", false, &b->student_cflags) < 0 ||
        cfg_get_strv(c, map, "ldflags", false, &b->ldflags) < 0 ||
        cfg_get_strv(c, map, "include_dirs", true, &b->include_dirs) < 0 ||
        cfg_parse_sources(c, map, "build", &b->sources) < 0 ||
        cfg_get_quantity(c, map, "timeout", &cfg_duration, &b->timeout_ms) < 0)
        return -1;
    return 0;
}

int cfg_parse_symbols(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "allow", "deny", "allow_libraries", "forbid_constructors", "forbid_syscall", NULL,
    };
    struct cfg_symbols *s = &c->cfg->symbols;
    yaml_node_t *map;
    if (cfg_typed(c, root, "symbols", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "allow", false, &s->allow) < 0 ||
        cfg_get_strv(c, map, "deny", false, &s->deny) < 0 ||
        cfg_get_strv(c, map, "allow_libraries", false, &s->allow_libraries) < 0 ||
        cfg_get_bool(c, map, "forbid_constructors", &s->forbid_constructors) < 0 ||
        cfg_get_bool(c, map, "forbid_syscall", &s->forbid_syscall) < 0)
        return -1;
    return 0;
}
