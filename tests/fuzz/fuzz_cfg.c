/*
 * fuzz_cfg.c -- libFuzzer target for the config loader (grader/src/config/cfg.c).
 *
 * Each input is written to one config file, reused for the whole process,
 * and loaded with cfg_load(); the same bytes, cut at the first NUL, go to
 * cfg_parse_duration_ms() and cfg_parse_size().  Besides the sanitizers'
 * verdicts (ASan, UBSan, LeakSanitizer), the target checks cfg.h's
 * contracts and aborts when one does not hold:
 *   - on failure: *cfg is released (all zero) and the error has a message
 *     and, when it has a place, a line inside the file;
 *   - on success: every required field is set, every limit is > 0, test
 *     ids are unique and well-formed, points are finite, >= 0 and not
 *     -0.0, every source is a regular file, and the queries
 *     (cfg_find_test, cfg_check_tests, cfg_total_points) agree with the
 *     config.
 *
 * cfg_load() resolves build.sources relative to the config's folder, so
 * the config is written into a scratch tree made once per process, with a
 * few small files where the repository's configs (config.yaml, the test
 * fixtures) look for them: valid-looking inputs then get past the sources
 * and reach the tests.  The tree is made with mkdtemp() under
 * $FUZZ_TMPDIR (default /dev/shm, else /tmp) and removed at exit; a crash
 * leaves it behind, which is why the make rules point FUZZ_TMPDIR at a
 * folder of their own in the build folder, removed after the run.
 *
 * With FUZZ_CFG_VERBOSE=1 in the environment, each input's verdict ("ok"
 * or the error) is printed, to see how deep the seeds go:
 * `FUZZ_CFG_VERBOSE=1 fuzz_cfg SEED...`.
 *
 * Build: see tests/fuzz/fuzz.mk (`make fuzz`, `make fuzz-smoke`).
 */
#define _XOPEN_SOURCE 700          /* nftw() */
#define _DEFAULT_SOURCE            /* mkdtemp(), symlink() */

#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch tree: made once, shared by every input of this process.
 * A fuzz target has no context to pass, hence this one static. */
struct fuzz_tree {
    char top[PATH_MAX];        /* what mkdtemp() made */
    char config[PATH_MAX];     /* top/c[f]g/config.yaml: the input goes here */
    bool verbose;              /* $FUZZ_CFG_VERBOSE: print each verdict (for seeds) */
};

static struct fuzz_tree tree;

/* The config's folder has glob metacharacters in its name, so that
 * cfg.c's escaping of base_dir is exercised by every glob. */
#define CFG_DIR "c[f]g"

/* Folders and files of the tree, relative to top.  "../src" serves the
 * bad/ fixtures (written for a config one folder down), the rest
 * config.yaml and good.yaml. */
static const char *const tree_dirs[] = {
    "src", "src/dir.c", CFG_DIR, CFG_DIR "/src", CFG_DIR "/src/dir.c", CFG_DIR "/inc",
    CFG_DIR "/harness", CFG_DIR "/harness/tensor", CFG_DIR "/harness/check",
    CFG_DIR "/harness/kernels", CFG_DIR "/harness/kernels/visible",
    CFG_DIR "/harness/kernels/hidden", CFG_DIR "/solutions", CFG_DIR "/assignments",
};

static const char *const tree_files[] = {
    "src/a.c", "src/b.c", CFG_DIR "/src/a.c", CFG_DIR "/src/b.c", CFG_DIR "/src/we*rd.c",
    CFG_DIR "/harness/tensor/tensor.c", CFG_DIR "/harness/check/tcheck.c",
    CFG_DIR "/harness/check/runner.c", CFG_DIR "/harness/kernels/kernels_support.c",
    CFG_DIR "/harness/kernels/main_all.c", CFG_DIR "/harness/kernels/visible/matmul.c",
    CFG_DIR "/harness/kernels/visible/relu.c", CFG_DIR "/harness/kernels/hidden/edge.c",
};

static void fuzz_die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_cfg: %s %s\n", what, path);
    abort();
}

static void tree_path(const char *rel, char *out)
{
    if (snprintf(out, PATH_MAX, "%s/%s", tree.top, rel) >= PATH_MAX)
        fuzz_die("path too long:", rel);
}

static int tree_unlink(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void tree_remove(void)
{
    if (tree.top[0] != '\0')
        nftw(tree.top, tree_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tree_parent(void)
{
    const char *dir = getenv("FUZZ_TMPDIR");
    if (dir != NULL && dir[0] != '\0')
        return dir;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void tree_make(void)
{
    char path[PATH_MAX];
    if (snprintf(tree.top, sizeof tree.top, "%s/fuzz_cfg.XXXXXX", tree_parent()) >=
            (int)sizeof tree.top || mkdtemp(tree.top) == NULL)
        fuzz_die("cannot make a folder in", tree_parent());
    atexit(tree_remove);
    for (size_t i = 0; i < sizeof tree_dirs / sizeof tree_dirs[0]; i++) {
        tree_path(tree_dirs[i], path);
        if (mkdir(path, 0700) < 0)
            fuzz_die("cannot make", path);
    }
    for (size_t i = 0; i < sizeof tree_files / sizeof tree_files[0]; i++) {
        tree_path(tree_files[i], path);
        FILE *f = fopen(path, "w");
        if (f == NULL || fputs("int x;\n", f) < 0 || fclose(f) != 0)
            fuzz_die("cannot write", path);
    }
    /* a dangling link: globs must skip it, a plain path must not stat it as a file */
    tree_path(CFG_DIR "/src/gone.c", path);
    if (symlink("nowhere.c", path) < 0)
        fuzz_die("cannot make", path);
    tree_path(CFG_DIR "/config.yaml", tree.config);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    tree_make();
    tree.verbose = getenv("FUZZ_CFG_VERBOSE") != NULL;
    return 0;
}

static void fuzz_write(const uint8_t *data, size_t size)
{
    FILE *f = fopen(tree.config, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fuzz_die("cannot write", tree.config);
}

#define FUZZ_CHECK(cond) do { if (!(cond)) fuzz_die("contract broken:", #cond); } while (0)

static void fuzz_check_failure(const struct grader_cfg *cfg, const struct cfg_error *err,
                               size_t size)
{
    static const struct grader_cfg zero;
    char shown[2048];
    FUZZ_CHECK(memcmp(cfg, &zero, sizeof zero) == 0);
    FUZZ_CHECK(err->message[0] != '\0');
    FUZZ_CHECK(strcmp(err->file, tree.config) == 0);
    /* every line break takes at least one byte, whatever the encoding */
    FUZZ_CHECK(err->line <= size + 1);
    FUZZ_CHECK(err->line == 0 || err->column > 0);
    cfg_error_format(err, shown, sizeof shown);
    FUZZ_CHECK(strstr(shown, err->message) != NULL);
}

static bool fuzz_limits_ok(const struct cfg_limits *l)
{
    return l->cpu_ms > 0 && l->wall_ms > 0 && l->memory_bytes > 0 && l->processes > 0 &&
           l->output_bytes > 0 && l->file_size_bytes > 0;
}

static void fuzz_check_strv(const struct cfg_strv *sv)
{
    FUZZ_CHECK(sv->n == 0 || sv->v != NULL);
    for (size_t i = 0; i < sv->n; i++)
        FUZZ_CHECK(sv->v[i] != NULL && sv->v[i][0] != '\0');
}

static void fuzz_check_top(const struct grader_cfg *cfg)
{
    struct stat st;
    FUZZ_CHECK(cfg->path != NULL && strcmp(cfg->path, tree.config) == 0);
    FUZZ_CHECK(cfg->base_dir != NULL && cfg->base_dir[0] == '/');
    FUZZ_CHECK(cfg->name != NULL && cfg->name[0] != '\0' && cfg->title != NULL);
    FUZZ_CHECK(cfg->nfiles > 0 && cfg->files != NULL);
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        FUZZ_CHECK(f->path != NULL && f->path[0] != '\0' && f->path[0] != '/');
        FUZZ_CHECK(f->max_size > 0 && f->mark.line > 0);
        FUZZ_CHECK(f->solution == NULL || f->solution[0] == '/');
        FUZZ_CHECK(f->stub == NULL || f->stub[0] == '/');
    }
    FUZZ_CHECK(cfg->build.cc != NULL && cfg->build.cc[0] != '\0');
    FUZZ_CHECK(cfg->build.timeout_ms > 0);
    FUZZ_CHECK(cfg->build.sources.n > 0);
    fuzz_check_strv(&cfg->build.sources);
    for (size_t i = 0; i < cfg->build.sources.n; i++)
        FUZZ_CHECK(stat(cfg->build.sources.v[i], &st) == 0 && S_ISREG(st.st_mode));
    fuzz_check_strv(&cfg->build.cflags);
    fuzz_check_strv(&cfg->build.student_cflags);
    fuzz_check_strv(&cfg->build.ldflags);
    fuzz_check_strv(&cfg->build.include_dirs);
    fuzz_check_strv(&cfg->symbols.allow);
    fuzz_check_strv(&cfg->symbols.deny);
    FUZZ_CHECK(fuzz_limits_ok(&cfg->limits));
}

/* "suite/case" with [a-z0-9_]+ parts, as cfg.h promises. */
static bool fuzz_id_ok(const char *id)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
    size_t a = strspn(id, ok);
    return a > 0 && id[a] == '/' && strspn(id + a + 1, ok) > 0 &&
           id[a + 1 + strspn(id + a + 1, ok)] == '\0';
}

/* *err points at a test's mapping or at the "tests" key. */
static bool fuzz_at_a_test(const struct grader_cfg *cfg, const struct cfg_error *err)
{
    if (err->message[0] == '\0' || strcmp(err->file, cfg->path) != 0)
        return false;
    if (err->line == cfg->tests_mark.line && err->column == cfg->tests_mark.column)
        return true;
    for (size_t i = 0; i < cfg->ntests; i++)
        if (err->line == cfg->tests[i].mark.line && err->column == cfg->tests[i].mark.column)
            return true;
    return false;
}

static void fuzz_check_tests(const struct grader_cfg *cfg)
{
    const char **ids = calloc(cfg->ntests + 1, sizeof *ids);
    struct cfg_error err;
    double sum = 0;
    FUZZ_CHECK(cfg->ntests > 0 && cfg->tests != NULL && ids != NULL);
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        FUZZ_CHECK(t->id != NULL && fuzz_id_ok(t->id) && t->name != NULL);
        FUZZ_CHECK(isfinite(t->points) && t->points >= 0 && !signbit(t->points));
        FUZZ_CHECK(cfg_find_test(cfg, t->id) == t);          /* ids are unique */
        FUZZ_CHECK(fuzz_limits_ok(&t->limits) && t->mark.line > 0);
        FUZZ_CHECK(t->category == NULL || t->category[0] != '\0');
        FUZZ_CHECK((unsigned)t->visibility <= CFG_VIS_VISIBLE);
        fuzz_check_strv(&t->tags);
        ids[i] = t->id;
        sum += t->points;
    }
    FUZZ_CHECK(cfg_total_points(cfg) == sum);
    /* With every configured id the check passes or, where some tests are
     * not suite units (cfg.h: kinds of tests), points at the tests; an id
     * the config lacks always fails, at the "tests" key. */
    if (cfg_check_tests(cfg, ids, cfg->ntests, &err) < 0)
        FUZZ_CHECK(fuzz_at_a_test(cfg, &err));
    ids[cfg->ntests] = "not/configured";
    FUZZ_CHECK(cfg_check_tests(cfg, ids, cfg->ntests + 1, &err) == -1);
    FUZZ_CHECK(fuzz_at_a_test(cfg, &err));
    FUZZ_CHECK(cfg_check_tests(cfg, ids + cfg->ntests, 1, &err) == -1);
    FUZZ_CHECK(fuzz_at_a_test(cfg, &err) && err.line > 0);
    FUZZ_CHECK(cfg_find_test(cfg, "not/configured") == NULL);
    free(ids);
}

static void fuzz_units(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    uint64_t v = 0;
    if (text == NULL)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    if (cfg_parse_duration_ms(text, &v) == 0)
        FUZZ_CHECK(v > 0 && v <= (uint64_t)INT64_MAX / 1000000u);
    if (cfg_parse_size(text, &v) == 0)
        FUZZ_CHECK(v > 0 && v <= (uint64_t)INT64_MAX);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct grader_cfg cfg;
    struct cfg_error err;
    fuzz_units(data, size);
    fuzz_write(data, size);
    memset(&err, 0, sizeof err);
    if (cfg_load(tree.config, &cfg, &err) < 0) {
        fuzz_check_failure(&cfg, &err, size);
        if (tree.verbose) {
            char shown[2048];
            cfg_error_format(&err, shown, sizeof shown);
            fprintf(stderr, "fuzz_cfg: %s\n", shown);
        }
        cfg_release(&cfg);                 /* allowed, and must be a no-op */
        return 0;
    }
    fuzz_check_top(&cfg);
    fuzz_check_tests(&cfg);
    if (tree.verbose)
        fprintf(stderr, "fuzz_cfg: ok: %zu tests, %zu sources\n", cfg.ntests,
                cfg.build.sources.n);
    cfg_release(&cfg);
    cfg_release(&cfg);                     /* safe twice */
    return 0;
}
