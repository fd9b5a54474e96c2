/*
 * cfg_io.c -- the "io" section (how the program of the io tests is built)
 * and the fields of a test of kind io: args, stdin or stdin_file, files,
 * env, expect (stdout, stdout_file, stderr, stderr_file, exit), compare,
 * tolerance and relative.  Files named here must be readable regular
 * files when the config loads.
 */
#include "config/cfg_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char cfg_io_name_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

/* A file name of the run folder: [A-Za-z0-9_.-]+, not "." or "..". */
static bool cfg_io_name_ok(const char *s)
{
    return s[0] != '\0' && s[strspn(s, cfg_io_name_chars)] == '\0' && strcmp(s, ".") != 0 &&
           strcmp(s, "..") != 0;
}

int cfg_parse_io(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"program", "cflags", "ldflags", "sources", NULL};
    struct cfg_io *io = &c->cfg->io;
    struct cfg_shown sh;
    yaml_node_t *map, *seq, *prog;
    if (cfg_typed(c, root, "io", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    io->enabled = true;
    if (cfg_check_keys(c, map, keys) < 0 || cfg_string_node(c, map, "program", NULL, &prog) < 0)
        return -1;
    if (prog && !cfg_io_name_ok(cfg_text(prog)))
        return cfg_fail(c, prog->start_mark, "invalid program name '%s' for 'program' "
                        "(use A-Z, a-z, 0-9, '_', '.' and '-')", cfg_show(&sh, cfg_text(prog)));
    const char *name = prog ? cfg_text(prog) : c->cfg->name;
    if ((io->program = strdup(cfg_io_name_ok(name) ? name : "program")) == NULL)
        return cfg_oom(c);
    if (cfg_pair(c, map, "cflags") == NULL) {
        for (size_t i = 0; i < c->cfg->build.cflags.n; i++)
            if (cfg_strv_push(&io->cflags, strdup(c->cfg->build.cflags.v[i])) < 0)
                return cfg_oom(c);
    }
    if (cfg_get_strv(c, map, "cflags", false, &io->cflags) < 0 ||
        cfg_get_strv(c, map, "ldflags", false, &io->ldflags) < 0 ||
        cfg_typed(c, map, "sources", NULL, YAML_SEQUENCE_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; seq != NULL && i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, "sources") < 0 ||
            cfg_add_source(c, &io->sources, item) < 0)
            return -1;
    }
    return 0;
}

/* A config-relative path of a readable regular file, resolved into *out. */
static int cfg_io_file(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                       char **out)
{
    struct cfg_shown sh;
    struct stat st;
    char *full = cfg_resolve(c, cfg_text(n));
    if (full == NULL)
        return cfg_oom(c);
    int found = stat(full, &st), e = errno;
    if (found == 0 && S_ISREG(st.st_mode)) {
        free(*out);
        *out = full;
        return 0;
    }
    free(full);
    if (found == 0)
        return cfg_fail(c, n->start_mark, "'%s' for '%s' is not a regular file",
                        cfg_show(&sh, cfg_text(n)), key);
    return cfg_fail(c, n->start_mark, "cannot read '%s' for '%s': %s",
                    cfg_show(&sh, cfg_text(n)), key, strerror(e));
}

/* The optional file `key` of map. */
static int cfg_io_get_file(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           char **out)
{
    yaml_node_t *n;
    if (cfg_string_node(c, map, key, NULL, &n) < 0)
        return -1;
    return n ? cfg_io_file(c, n, key, out) : 0;
}

/* Inline text `key` (may be empty) or the file `key`_file: at most one. */
static int cfg_io_text_or_file(const struct cfg_ctx *c, const yaml_node_t *map,
                               const char *key, const char *file_key, bool *has,
                               char **text, char **file)
{
    const yaml_node_pair_t *t = cfg_pair(c, map, key), *f = cfg_pair(c, map, file_key);
    yaml_node_t *n;
    if (t && f)
        return cfg_fail(c, cfg_node(c, f->key)->start_mark, "use either '%s' or '%s', not both",
                        key, file_key);
    if (f) {
        *has = true;
        return cfg_io_get_file(c, map, file_key, file);
    }
    if (!t)
        return 0;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, "a string", &n) < 0)
        return -1;
    *has = true;
    if ((*text = strdup(cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

/* "exit": an integer 0..255. */
static int cfg_io_exit(const struct cfg_ctx *c, const yaml_node_t *map, struct cfg_io_test *io)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, "exit", NULL, YAML_SCALAR_NODE, "an integer", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    const char *s = cfg_text(n);
    size_t len = strlen(s);
    if (len == 0 || len > 3 || s[strspn(s, "0123456789")] != '\0' || atoi(s) > 255)
        return cfg_fail(c, n->start_mark, "invalid exit status '%s' for 'exit' (use 0 to 255)",
                        cfg_show(&sh, s));
    io->has_exit = true;
    io->exit_status = atoi(s);
    return 0;
}

static int cfg_io_expect(const struct cfg_ctx *c, const yaml_node_t *test,
                         struct cfg_io_test *io)
{
    static const char *const keys[] = {
        "stdout", "stdout_file", "stderr", "stderr_file", "exit", NULL,
    };
    yaml_node_t *map;
    if (cfg_typed(c, test, "expect", "io test", YAML_MAPPING_NODE, "a mapping", &map) < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        cfg_io_text_or_file(c, map, "stdout", "stdout_file", &io->has_stdout,
                            &io->stdout_text, &io->stdout_file) < 0 ||
        cfg_io_text_or_file(c, map, "stderr", "stderr_file", &io->has_stderr,
                            &io->stderr_text, &io->stderr_file) < 0 ||
        cfg_io_exit(c, map, io) < 0)
        return -1;
    if (!io->has_stdout && !io->has_stderr && !io->has_exit)
        return cfg_fail(c, map->start_mark, "'expect' needs at least one of stdout, "
                        "stdout_file, stderr, stderr_file and exit");
    return 0;
}

/* "env": a mapping of variable names to strings, kept as NAME=value. */
static int cfg_io_env(const struct cfg_ctx *c, const yaml_node_t *test, struct cfg_io_test *io)
{
    static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_";
    yaml_node_t *map;
    struct cfg_shown sh;
    if (cfg_typed(c, test, "env", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    for (yaml_node_pair_t *p = map ? map->data.mapping.pairs.start : NULL;
         map && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(c, p->key), *v = cfg_node(c, p->value);
        if (k->type != YAML_SCALAR_NODE || k->data.scalar.length == 0 ||
            cfg_text(k)[strspn(cfg_text(k), name_chars)] != '\0' ||
            cfg_digit(cfg_text(k)[0]))
            return cfg_fail(c, k->start_mark, "invalid variable name '%s' in 'env' (use A-Z, "
                            "a-z, 0-9 and _, not starting with a digit)",
                            k->type == YAML_SCALAR_NODE ? cfg_show(&sh, cfg_text(k)) : "?");
        if (v->type != YAML_SCALAR_NODE)
            return cfg_fail(c, v->start_mark, "the value of '%s' in 'env' must be a string, "
                            "not %s", cfg_show(&sh, cfg_text(k)), cfg_kind(v));
        char *s = NULL;
        if (asprintf(&s, "%s=%s", cfg_text(k), cfg_text(v)) < 0 ||
            cfg_strv_push(&io->env, s) < 0)
            return cfg_oom(c);
    }
    return 0;
}

/* "files": readable regular files, unique base names, not the program's. */
static int cfg_io_files(const struct cfg_ctx *c, const yaml_node_t *test, struct cfg_io_test *io)
{
    yaml_node_t *seq;
    struct cfg_shown sh;
    if (cfg_typed(c, test, "files", NULL, YAML_SEQUENCE_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; seq != NULL && i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        char *full = NULL;
        if (cfg_check_string_item(c, item, "files") < 0 || cfg_io_file(c, item, "files", &full) < 0)
            return -1;
        const char *base = strrchr(full, '/') ? strrchr(full, '/') + 1 : full;
        bool clash = !cfg_io_name_ok(base) || strcmp(base, c->cfg->io.program) == 0;
        for (size_t j = 0; !clash && j < io->files.n; j++)
            clash = strcmp(strrchr(io->files.v[j], '/') + 1, base) == 0;
        if (clash) {
            free(full);
            return cfg_fail(c, item->start_mark, "'%s' in 'files': its name is the program's, "
                            "another file's, or not [A-Za-z0-9_.-]+", cfg_show(&sh, cfg_text(item)));
        }
        if (cfg_strv_push(&io->files, full) < 0)
            return cfg_oom(c);
    }
    return 0;
}

static int cfg_io_compare(const struct cfg_ctx *c, const yaml_node_t *test,
                          struct cfg_io_test *io)
{
    static const struct cfg_range tol = {0.0, true, INFINITY, NULL};
    yaml_node_t *n;
    struct cfg_shown sh;
    io->tolerance = 1e-6;
    if (cfg_string_node(c, test, "compare", NULL, &n) < 0)
        return -1;
    if (n == NULL || strcmp(cfg_text(n), "exact") == 0)
        io->compare = CFG_IO_EXACT;
    else if (strcmp(cfg_text(n), "whitespace") == 0)
        io->compare = CFG_IO_WHITESPACE;
    else if (strcmp(cfg_text(n), "numeric") == 0)
        io->compare = CFG_IO_NUMERIC;
    else
        return cfg_fail(c, n->start_mark, "invalid comparison '%s' for 'compare' (use exact, "
                        "whitespace or numeric)", cfg_show(&sh, cfg_text(n)));
    if (io->compare != CFG_IO_NUMERIC) {
        const char *const only[] = {"tolerance", "relative"};
        for (size_t i = 0; i < 2; i++) {
            const yaml_node_pair_t *p = cfg_pair(c, test, only[i]);
            if (p)
                return cfg_fail(c, cfg_node(c, p->key)->start_mark, "'%s' applies to "
                                "compare: numeric only", only[i]);
        }
    }
    return cfg_get_ratio(c, test, "tolerance", NULL, &tol, &io->tolerance) < 0 ||
                   cfg_get_ratio(c, test, "relative", NULL, &tol, &io->relative) < 0
               ? -1 : 0;
}

int cfg_parse_io_test(const struct cfg_ctx *c, const yaml_node_t *map, struct cfg_test *t)
{
    struct cfg_io_test *io = &t->io;
    bool has_stdin = false;
    if (!c->cfg->io.enabled)
        return cfg_fail(c, cfg_node(c, cfg_pair(c, map, "kind")->value)->start_mark,
                        "tests of kind io need an 'io' section");
    if (cfg_get_strv(c, map, "args", false, &io->args) < 0 ||
        cfg_io_text_or_file(c, map, "stdin", "stdin_file", &has_stdin, &io->stdin_text,
                            &io->stdin_file) < 0 ||
        cfg_io_files(c, map, io) < 0 ||
        cfg_io_env(c, map, io) < 0 ||
        cfg_io_expect(c, map, io) < 0 ||
        cfg_io_compare(c, map, io) < 0)
        return -1;
    return 0;
}

void cfg_io_test_release(struct cfg_io_test *io)
{
    cfg_strv_release(&io->args);
    cfg_strv_release(&io->files);
    cfg_strv_release(&io->env);
    free(io->stdin_text);
    free(io->stdin_file);
    free(io->stdout_text);
    free(io->stdout_file);
    free(io->stderr_text);
    free(io->stderr_file);
    memset(io, 0, sizeof *io);
}

void cfg_io_release(struct cfg_io *io)
{
    free(io->program);
    cfg_strv_release(&io->cflags);
    cfg_strv_release(&io->ldflags);
    cfg_strv_release(&io->sources);
    memset(io, 0, sizeof *io);
}
