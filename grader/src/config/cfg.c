/*
 * cfg.c -- load config.yaml with libyaml: the loader core.
 *
 * Theory of operation.  The file is read into memory and parsed twice.
 * The first pass walks libyaml's events only: it turns every syntax error
 * into "file:line:column: message" and rejects what the schema has no use
 * for and what would make the tree unsafe or surprising to walk: anchors
 * and aliases (shared or cyclic nodes), explicit tags, NUL characters in
 * scalars and a second document.  The second pass loads the document tree
 * (yaml_parser_load) and walks the schema top-down, from cfg_parse_root().
 * Every mapping is checked for unknown and duplicate keys before any value
 * is read; every value is stored in the grader_cfg as soon as it is
 * parsed, so that on any error cfg_release() frees exactly what was built.
 *
 * libyaml marks are 0-based; cfg_fail() adds 1.  Reader errors (a NUL
 * byte, invalid UTF-8) carry a byte offset instead of a mark, so their
 * line and column are counted from the buffer.
 *
 * This file holds the reading, both passes, the defaults, cfg_release()
 * and the queries.  Each config section is loaded by its own file
 * (cfg_<section>.c); the typed getters, the key checker and the error
 * helpers they share are in cfg_get.c, the value syntax in cfg_units.c,
 * all declared in cfg_priv.h.
 */
#include "config/cfg_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The 1-based line and column of byte `offset` of an UTF-8 buffer. */
static void cfg_offset_mark(const unsigned char *buf, size_t len, size_t offset,
                            unsigned *line, unsigned *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (buf[i] == '\n') {
            ++*line;
            *column = 1;
        } else if ((buf[i] & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

/* The byte at a libyaml mark (0-based line and column, in characters). */
static int cfg_byte_at(const unsigned char *buf, size_t len, yaml_mark_t mark)
{
    size_t i = 0, line = 0, column = 0;
    for (; i < len && line < mark.line; i++)
        line += buf[i] == '\n';
    for (; i < len && buf[i] != '\n'; i++) {
        if ((buf[i] & 0xC0) == 0x80)
            continue;
        if (column++ == mark.column)
            return buf[i];
    }
    return -1;
}

/* Turns the parser's error into *c->err. */
static int cfg_parser_error(const struct cfg_ctx *c, const yaml_parser_t *p,
                            const unsigned char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "invalid yaml";
    if (p->error == YAML_MEMORY_ERROR)
        return cfg_oom(c);
    if (p->error == YAML_READER_ERROR) {
        unsigned line, column;
        cfg_offset_mark(buf, len, p->problem_offset, &line, &column);
        if (p->problem_value < 0)
            return cfg_fail_at(c->err, c->path, line, column, "%s", problem);
        return cfg_fail_at(c->err, c->path, line, column, "%s (0x%02x)", problem,
                           (unsigned)p->problem_value);
    }
    if (cfg_byte_at(buf, len, p->problem_mark) == '\t' && strstr(problem, "tab") == NULL)
        return cfg_fail(c, p->problem_mark, "%s (a tab; indent with spaces)", problem);
    if (p->context == NULL)
        return cfg_fail(c, p->problem_mark, "%s", problem);
    if (p->context_mark.line == p->problem_mark.line &&
        p->context_mark.column == p->problem_mark.column)
        return cfg_fail(c, p->problem_mark, "%s (%s)", problem, p->context);
    return cfg_fail(c, p->problem_mark, "%s (%s at line %u, column %u)", problem,
                    p->context, (unsigned)p->context_mark.line + 1,
                    (unsigned)p->context_mark.column + 1);
}

/* ---- the first pass: events ------------------------------------------------ */

/* Rejects what the schema does not allow but the tree would hide. */
static int cfg_check_event(const struct cfg_ctx *c, const yaml_event_t *ev, int *ndocs)
{
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*ndocs > 1)
            return cfg_fail(c, ev->start_mark, "multiple documents are not supported");
        return 0;
    case YAML_ALIAS_EVENT:
        return cfg_fail(c, ev->start_mark, "anchors and aliases are not supported");
    case YAML_SCALAR_EVENT:
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
            return cfg_fail(c, ev->start_mark, "NUL characters are not supported");
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    default:
        return 0;
    }
    if (anchor != NULL)
        return cfg_fail(c, ev->start_mark, "anchors and aliases are not supported");
    if (tag != NULL)
        return cfg_fail(c, ev->start_mark, "tags are not supported");
    return 0;
}

static int cfg_scan_events(const struct cfg_ctx *c, const unsigned char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0, ndocs = 0;
    bool end = false;
    if (!yaml_parser_initialize(&parser))
        return cfg_oom(c);
    yaml_parser_set_input_string(&parser, buf, len);
    while (rc == 0 && !end) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = cfg_parser_error(c, &parser, buf, len);
            break;
        }
        rc = cfg_check_event(c, &ev, &ndocs);
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- the second pass: the schema ----------------------------------------- */

/* In this order because tests inherit the top-level limits and visibility,
 * and the performance section, parsed before the tests, the limits. */
static int cfg_parse_root(const struct cfg_ctx *c)
{
    static const char *const keys[] = {
        "assignment", "student_files", "build", "symbols", "limits", "coverage",
        "performance", "visibility", "tests", "late_policy", "release", "mutants",
        "thread_sanitizer", "leaks", "grading", "io", NULL,
    };
    const yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (root == NULL || cfg_is_empty(root))
        return cfg_fail_at(c->err, c->path, 1, 1, "empty configuration");
    if (root->type != YAML_MAPPING_NODE)
        return cfg_fail(c, root->start_mark, "the configuration must be a mapping, not %s",
                        cfg_kind(root));
    if (cfg_check_keys(c, root, keys) < 0 ||
        cfg_parse_assignment(c, root) < 0 ||
        cfg_parse_files(c, root) < 0 ||
        cfg_parse_build(c, root) < 0 ||
        cfg_parse_symbols(c, root) < 0 ||
        cfg_get_limits(c, root, &c->cfg->limits) < 0 ||
        cfg_parse_coverage(c, root) < 0 ||
        cfg_parse_grading(c, root) < 0 ||
        cfg_parse_performance(c, root) < 0 ||
        cfg_parse_late(c, root) < 0 ||
        cfg_parse_io(c, root) < 0 ||
        cfg_get_visibility(c, root, &c->cfg->visibility) < 0 ||
        cfg_parse_tests(c, root) < 0 ||
        cfg_parse_tsan(c, root) < 0 ||
        cfg_parse_leaks(c, root) < 0 ||
        cfg_parse_release(c, root) < 0 ||
        cfg_parse_mutants(c, root) < 0)
        return -1;
    return 0;
}

static int cfg_load_document(struct cfg_ctx *c, const unsigned char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc;
    if (!yaml_parser_initialize(&parser))
        return cfg_oom(c);
    yaml_parser_set_input_string(&parser, buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = cfg_parser_error(c, &parser, buf, len);
    } else {
        c->doc = &doc;
        rc = cfg_parse_root(c);
        c->doc = NULL;
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- loading -------------------------------------------------------------- */

static int cfg_read(const struct cfg_ctx *c, unsigned char **buf, size_t *len);

int cfg_load_yaml(struct cfg_ctx *c, int (*walk)(const struct cfg_ctx *c, void *arg),
                  void *arg)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = cfg_read(c, &buf, &len);
    if (rc == 0)
        rc = cfg_scan_events(c, buf, len);
    if (rc == 0 && !yaml_parser_initialize(&parser))
        rc = cfg_oom(c);
    else if (rc == 0) {
        yaml_parser_set_input_string(&parser, buf, len);
        if (!yaml_parser_load(&parser, &doc)) {
            rc = cfg_parser_error(c, &parser, buf, len);
        } else {
            c->doc = &doc;
            rc = walk(c, arg);
            c->doc = NULL;
            yaml_document_delete(&doc);
        }
        yaml_parser_delete(&parser);
    }
    free(buf);
    return rc;
}

static int cfg_read_fd(const struct cfg_ctx *c, int fd, unsigned char **buf, size_t *len)
{
    size_t cap = 0;
    for (;;) {
        if (*len == cap) {
            unsigned char *nb = realloc(*buf, cap = cap ? 2 * cap : 4096);
            if (nb == NULL)
                return cfg_oom(c);
            *buf = nb;
        }
        ssize_t n = read(fd, *buf + *len, cap - *len);
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return cfg_fail_at(c->err, c->path, 0, 0, "cannot read: %s", strerror(errno));
        if (n > 0)
            *len += (size_t)n;
    }
}

/* The whole file in *buf (malloc'd, even when empty). */
static int cfg_read(const struct cfg_ctx *c, unsigned char **buf, size_t *len)
{
    struct stat st;
    int rc, fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cfg_fail_at(c->err, c->path, 0, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        rc = cfg_fail_at(c->err, c->path, 0, 0, "is a directory");
    else
        rc = cfg_read_fd(c, fd, buf, len);
    close(fd);
    return rc;
}

/* base_dir = the absolute folder of the config, so that resolved paths
 * stay valid whatever folder the grader later works in. */
static int cfg_set_base(struct cfg_ctx *c)
{
    const char *slash = strrchr(c->path, '/');
    char *dir = slash ? strndup(c->path, (size_t)(slash - c->path) + (slash == c->path))
                      : strdup(".");
    if (dir == NULL)
        return cfg_oom(c);
    c->cfg->base_dir = realpath(dir, NULL);
    int e = errno;
    free(dir);
    if (c->cfg->base_dir == NULL)
        return cfg_fail_at(c->err, c->path, 0, 0, "cannot resolve its folder: %s", strerror(e));
    /* glob(3) must see the folder literally, even "a[1]" or "x*" */
    size_t n = strlen(c->cfg->base_dir);
    char *g = c->glob_base = malloc(2 * n + 1);
    if (g == NULL)
        return cfg_oom(c);
    for (const char *s = c->cfg->base_dir; *s != '\0'; s++) {
        if (strchr("*?[]\\", *s) != NULL)
            *g++ = '\\';
        *g++ = *s;
    }
    *g = '\0';
    return 0;
}

static int cfg_defaults(const struct cfg_ctx *c)
{
    struct grader_cfg *cfg = c->cfg;
    cfg->limits = (struct cfg_limits){
        .cpu_ms = 10000, .wall_ms = 20000, .memory_bytes = CFG_GiB, .processes = 64,
        .output_bytes = 64 * CFG_KiB, .file_size_bytes = 64 * CFG_MiB,
    };
    cfg->build.timeout_ms = 60000;
    cfg->symbols.forbid_constructors = cfg->symbols.forbid_syscall = true;
    cfg->coverage = (struct cfg_coverage){.enabled = true, .branches = true, .html = true};
    cfg->visibility = CFG_VIS_VISIBLE;
    cfg->mutants.timeout_factor = 10.0;
    cfg->leaks.deduct = 0.25;
    if ((cfg->path = strdup(c->path)) == NULL || (cfg->build.cc = strdup("cc")) == NULL)
        return cfg_oom(c);
    return 0;
}

int cfg_load(const char *path, struct grader_cfg *cfg, struct cfg_error *err)
{
    struct cfg_ctx c = {.path = path, .cfg = cfg, .err = err};
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc;
    memset(cfg, 0, sizeof *cfg);
    if (path == NULL)
        return cfg_fail_at(err, "", 0, 0, "no configuration file given");
    rc = cfg_read(&c, &buf, &len);
    if (rc == 0)
        rc = cfg_defaults(&c);
    if (rc == 0)
        rc = cfg_set_base(&c);
    if (rc == 0)
        rc = cfg_scan_events(&c, buf, len);
    if (rc == 0)
        rc = cfg_load_document(&c, buf, len);
    free(buf);
    free(c.glob_base);
    if (rc < 0)
        cfg_release(cfg);
    return rc;
}

void cfg_release(struct grader_cfg *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nfiles; i++) {
        free(cfg->files[i].path);
        free(cfg->files[i].solution);
        free(cfg->files[i].stub);
    }
    for (size_t i = 0; i < cfg->ntests; i++) {
        free(cfg->tests[i].id);
        free(cfg->tests[i].name);
        free(cfg->tests[i].category);
        cfg_strv_release(&cfg->tests[i].tags);
        free(cfg->tests[i].perf.measure);
        free(cfg->tests[i].perf.reference);
        free(cfg->tests[i].perf.steps);
        cfg_strv_release(&cfg->tests[i].perf.requires);
        cfg_io_test_release(&cfg->tests[i].io);
    }
    cfg_io_release(&cfg->io);
    free(cfg->files);
    free(cfg->tests);
    free(cfg->build.cc);
    cfg_strv_release(&cfg->build.cflags);
    cfg_strv_release(&cfg->build.student_cflags);
    cfg_strv_release(&cfg->build.ldflags);
    cfg_strv_release(&cfg->build.include_dirs);
    cfg_strv_release(&cfg->build.sources);
    cfg_strv_release(&cfg->symbols.allow);
    cfg_strv_release(&cfg->symbols.deny);
    cfg_strv_release(&cfg->symbols.allow_libraries);
    cfg_strv_release(&cfg->performance.cflags);
    cfg_strv_release(&cfg->performance.ldflags);
    cfg_strv_release(&cfg->performance.sources);
    free(cfg->performance.valgrind);
    free(cfg->path);
    free(cfg->base_dir);
    free(cfg->name);
    free(cfg->title);
    free(cfg->late.due);
    free(cfg->late.late_due);
    cfg_strv_release(&cfg->release.files);
    cfg_strv_release(&cfg->release.sources);
    cfg_strv_release(&cfg->release.source_files);
    cfg_strv_release(&cfg->release.packages);
    cfg_strv_release(&cfg->tsan.units);
    cfg_strv_release(&cfg->tsan.cflags);
    cfg_strv_release(&cfg->tsan.student_cflags);
    cfg_strv_release(&cfg->tsan.ldflags);
    cfg_strv_release(&cfg->tsan.sources);
    cfg_strv_release(&cfg->mutants.operators);
    cfg_strv_release(&cfg->mutants.functions);
    for (size_t i = 0; i < cfg->mutants.nequivalent; i++) {
        free(cfg->mutants.equivalent[i].id);
        free(cfg->mutants.equivalent[i].reason);
    }
    free(cfg->mutants.equivalent);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- queries -------------------------------------------------------------- */

static bool cfg_ids_have(const char *const ids[], size_t nids, const char *id)
{
    for (size_t i = 0; i < nids; i++)
        if (ids[i] != NULL && strcmp(ids[i], id) == 0)
            return true;
    return false;
}

int cfg_check_tests(const struct grader_cfg *cfg, const char *const ids[], size_t nids,
                    struct cfg_error *err)
{
    struct cfg_shown sh;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->kind == CFG_KIND_CHECK && !cfg_ids_have(ids, nids, t->id))
            return cfg_fail_at(err, cfg->path, t->mark.line, t->mark.column,
                               "test '%s' is not in the test suites", cfg_show(&sh, t->id));
    }
    for (size_t i = 0; i < nids; i++) {
        const struct cfg_test *t = ids[i] ? cfg_find_test(cfg, ids[i]) : NULL;
        if (ids[i] != NULL && t == NULL)
            return cfg_fail_at(err, cfg->path, cfg->tests_mark.line, cfg->tests_mark.column,
                               "suite test '%s' is missing from 'tests'",
                               cfg_show(&sh, ids[i]));
        if (t != NULL && t->kind != CFG_KIND_CHECK)
            return cfg_fail_at(err, cfg->path, t->mark.line, t->mark.column,
                               "suite test '%s' is configured as a%s %s test",
                               cfg_show(&sh, ids[i]), t->kind == CFG_KIND_IO ? "n" : "",
                               t->kind == CFG_KIND_IO ? "io" : "performance");
    }
    return 0;
}

const struct cfg_test *cfg_find_test(const struct grader_cfg *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->ntests; i++)
        if (strcmp(cfg->tests[i].id, id) == 0)
            return &cfg->tests[i];
    return NULL;
}

size_t cfg_count_kind(const struct grader_cfg *cfg, enum cfg_test_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->ntests; i++)
        n += cfg->tests[i].kind == kind;
    return n;
}

double cfg_total_points(const struct grader_cfg *cfg)
{
    double sum = 0;
    for (size_t i = 0; i < cfg->ntests; i++)
        sum += cfg->tests[i].points;
    return sum;
}

void cfg_error_format(const struct cfg_error *err, char *buf, size_t n)
{
    if (n == 0)
        return;
    if (err->line > 0)
        snprintf(buf, n, "%s:%u:%u: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] != '\0')
        snprintf(buf, n, "%s: %s", err->file, err->message);
    else
        snprintf(buf, n, "%s", err->message);
}
