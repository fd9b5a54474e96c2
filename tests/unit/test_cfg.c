/*
 * test_cfg.c -- unit tests of cfg.c: the unit parsers, a full valid
 * config (every field, the defaults, the inheritance of limits), a table
 * of broken configs with the place and message of each diagnostic, the
 * same broken configs as fixture files (tests/fixtures/configs/bad/,
 * with exact messages in EXPECTED), and the test-id cross-check.
 *
 * Configs are written into a fresh folder under /tmp with real source
 * files, so that build.sources resolves and globs expand.  The fixture
 * tests read tests/fixtures/configs/ relative to the current folder:
 * run_tests runs from the repository root.
 */
#define _XOPEN_SOURCE 700          /* nftw() */

#include <check.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"
#include "suites.h"

#define FIXTURES "tests/fixtures/configs"

/* ---- a scratch folder: root/src/{a.c,b.c,dir.c/}, root/bad/ -------------- */

struct scratch {
    char top[PATH_MAX];        /* what mkdtemp() made, removed at the end */
    char root[PATH_MAX];       /* realpath of the config folder, as base_dir will be */
};

static void scratch_write(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void scratch_path(const struct scratch *s, const char *rel, char *out, size_t n)
{
    ck_assert_int_lt(snprintf(out, n, "%s/%s", s->root, rel), (int)n);
}

/* `sub` is an extra folder level (may be odd, e.g. "we[i]rd*"), or "". */
static void scratch_make(struct scratch *s, const char *sub)
{
    char tmpl[] = "/tmp/cfg_test.XXXXXX", path[PATH_MAX];
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    memcpy(s->top, tmpl, sizeof tmpl);
    ck_assert_ptr_nonnull(realpath(tmpl, s->root));
    if (sub[0] != '\0') {
        ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", s->root, sub), PATH_MAX);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        memcpy(s->root, path, sizeof path);
    }
    static const char *const dirs[] = {"src", "src/dir.c", "inc", "bad"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        scratch_path(s, dirs[i], path, sizeof path);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    scratch_path(s, "src/a.c", path, sizeof path);
    scratch_write(path, "int a;\n", 7);
    scratch_path(s, "src/b.c", path, sizeof path);
    scratch_write(path, "int b;\n", 7);
}

static int scratch_unlink(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void scratch_remove(const struct scratch *s)
{
    ck_assert_int_eq(nftw(s->top, scratch_unlink, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* ---- unit parsers ---------------------------------------------------------- */

struct unit_case {
    const char *text;
    uint64_t value;            /* 0: must be rejected */
};

static const struct unit_case duration_cases[] = {
    {"500ms", 500}, {"2s", 2000}, {"1.5s", 1500}, {"2m", 120000}, {"1h", 3600000},
    {"3", 3000}, {"0.5", 500}, {"1.0005s", 1000}, {"007s", 7000}, {"1ms", 1},
    {"9223372036854ms", 9223372036854}, {"2.25m", 135000},
    {"", 0}, {"0", 0}, {"0s", 0}, {"0.0s", 0}, {"-1s", 0}, {"-0", 0}, {"fast", 0},
    {"2 s", 0}, {" 2s", 0}, {"2s ", 0}, {"2S", 0}, {"2sec", 0}, {"1.s", 0},
    {".5s", 0}, {"1e3s", 0}, {"+2s", 0}, {"2ms2", 0}, {"s", 0}, {"-", 0},
    {"99999999999999999999s", 0}, {"9223372036855ms", 0}, {"0.0001s", 0},
    {"1.0000000000000000001s", 0}, {"0x10s", 0}, {"1,5s", 0},
};

static const struct unit_case size_cases[] = {
    {"512B", 512}, {"10kB", 10000}, {"10KB", 10000}, {"100MB", 100000000},
    {"1GB", 1000000000}, {"64KiB", 65536}, {"256MiB", 268435456},
    {"1GiB", 1073741824}, {"1.5KiB", 1536}, {"4096", 4096}, {"1.5", 1},
    {"8589934591GiB", 9223372035781033984u}, {"9223372036854775807", 9223372036854775807u},
    {"", 0}, {"0", 0}, {"0B", 0}, {"-1MiB", 0}, {"1 MiB", 0}, {"1mib", 0}, {"1KIB", 0},
    {"1kb", 0}, {"1Mb", 0}, {"MiB", 0}, {"0.5", 0}, {"1TiB", 0}, {"9223372036854775808", 0},
    {"8589934592GiB", 0}, {"18446744073709551616", 0}, {"1e6", 0}, {"big", 0},
};

START_TEST(test_parse_duration)
{
    const struct unit_case *u = &duration_cases[_i];
    uint64_t v = 42;
    int rc = cfg_parse_duration_ms(u->text, &v);
    if (u->value != 0) {
        ck_assert_msg(rc == 0, "'%s' rejected", u->text);
        ck_assert_msg(v == u->value, "'%s' -> %llu", u->text, (unsigned long long)v);
    } else {
        ck_assert_msg(rc == -1, "'%s' accepted as %llu", u->text, (unsigned long long)v);
        ck_assert_uint_eq(v, 42);          /* untouched on error */
    }
}
END_TEST

START_TEST(test_parse_size)
{
    const struct unit_case *u = &size_cases[_i];
    uint64_t v = 42;
    int rc = cfg_parse_size(u->text, &v);
    if (u->value != 0) {
        ck_assert_msg(rc == 0, "'%s' rejected", u->text);
        ck_assert_msg(v == u->value, "'%s' -> %llu", u->text, (unsigned long long)v);
    } else {
        ck_assert_msg(rc == -1, "'%s' accepted as %llu", u->text, (unsigned long long)v);
        ck_assert_uint_eq(v, 42);
    }
}
END_TEST

/* ---- times ---------------------------------------------------------------- */

struct time_case {
    const char *text;
    bool ok;
    int64_t ms;                /* since the epoch, when ok */
};

static const struct time_case time_cases[] = {
    {"2026-12-15T23:59:00-05:00", true, 1797397140000},
    {"2026-12-16T04:59:00Z", true, 1797397140000},
    {"2026-12-16t04:59:00z", true, 1797397140000},
    {"2026-12-16T05:59:00+0100", true, 1797397140000},
    {"2026-12-15T23:59-05:00", true, 1797397140000},          /* no seconds */
    {"2026-12-16T10:22:32.365-08:00", true, 1797445352365},
    {"2026-12-16T10:22:32.365935-08:00", true, 1797445352366}, /* below a ms: up */
    {"2026-12-16T10:22:32.3650000-08:00", true, 1797445352365},
    {"2026-12-16T10:22:32.5-08:00", true, 1797445352500},
    {"1970-01-01T00:00:00Z", true, 0},
    {"1969-12-31T23:59:59.999Z", true, -1},
    {"2024-02-29T12:00:00+01:00", true, 1709204400000},
    {"2000-03-01T00:00:00.0001Z", true, 951868800001},
    {"0001-01-01T00:00:00Z", true, -62135596800000},
    {"9999-12-31T23:59:59.999+14:00", true, 253402250399999},
    {"", false, 0}, {"2026-12-15", false, 0}, {"2026-12-15T23:59:00", false, 0},
    {"2026-12-15 23:59:00Z", false, 0}, {"2026-13-01T00:00:00Z", false, 0},
    {"2026-02-29T00:00:00Z", false, 0}, {"2100-02-29T00:00:00Z", false, 0},
    {"2026-04-31T00:00:00Z", false, 0}, {"2026-00-10T00:00:00Z", false, 0},
    {"2026-12-00T00:00:00Z", false, 0}, {"0000-01-01T00:00:00Z", false, 0},
    {"2026-12-15T24:00:00Z", false, 0}, {"2026-12-15T23:60:00Z", false, 0},
    {"2026-12-15T23:59:60Z", false, 0}, {"2026-12-15T23:59:00+24:00", false, 0},
    {"2026-12-15T23:59:00+05:60", false, 0}, {"2026-12-15T23:59:00-5:00", false, 0},
    {"2026-12-15T23:59:00.Z", false, 0}, {"2026-12-15T23:59:00Z ", false, 0},
    {" 2026-12-15T23:59:00Z", false, 0}, {"2026-12-15T23:59:00ZZ", false, 0},
    {"26-12-15T23:59:00Z", false, 0}, {"2026-1-15T23:59:00Z", false, 0},
    {"2026-12-15T23:59:00+05", false, 0}, {"tomorrow", false, 0},
};

START_TEST(test_parse_time)
{
    const struct time_case *tc = &time_cases[_i];
    int64_t ms = 42;
    int rc = cfg_parse_time(tc->text, &ms);
    if (tc->ok) {
        ck_assert_msg(rc == 0, "'%s' rejected", tc->text);
        ck_assert_msg(ms == tc->ms, "'%s' -> %lld, want %lld", tc->text, (long long)ms,
                      (long long)tc->ms);
    } else {
        ck_assert_msg(rc == -1, "'%s' accepted as %lld", tc->text, (long long)ms);
        ck_assert_int_eq(ms, 42);          /* untouched on error */
    }
}
END_TEST

START_TEST(test_parse_null)
{
    uint64_t v = 0;
    ck_assert_int_eq(cfg_parse_duration_ms(NULL, &v), -1);
    ck_assert_int_eq(cfg_parse_size(NULL, &v), -1);
    int64_t t = 0;
    ck_assert_int_eq(cfg_parse_time(NULL, &t), -1);
}
END_TEST

START_TEST(test_visibility_names)
{
    ck_assert_str_eq(cfg_visibility_name(CFG_VIS_HIDDEN), "hidden");
    ck_assert_str_eq(cfg_visibility_name(CFG_VIS_AFTER_DUE_DATE), "after_due_date");
    ck_assert_str_eq(cfg_visibility_name(CFG_VIS_AFTER_PUBLISHED), "after_published");
    ck_assert_str_eq(cfg_visibility_name(CFG_VIS_VISIBLE), "visible");
    ck_assert_str_eq(cfg_visibility_name((enum cfg_visibility)17), "hidden");
}
END_TEST

START_TEST(test_error_format)
{
    struct cfg_error err = {.file = "config.yaml", .line = 12, .column = 5,
                            .message = "unknown key 'pionts'"};
    char buf[128], tiny[8];
    cfg_error_format(&err, buf, sizeof buf);
    ck_assert_str_eq(buf, "config.yaml:12:5: unknown key 'pionts'");
    err.line = err.column = 0;
    cfg_error_format(&err, buf, sizeof buf);
    ck_assert_str_eq(buf, "config.yaml: unknown key 'pionts'");
    cfg_error_format(&err, tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "config.");
    cfg_error_format(&err, tiny, 0);          /* must not write */
}
END_TEST

/* ---- a full valid config ----------------------------------------------------- */

static const char full_yaml[] =
    "# every key of the schema\n"
    "assignment:\n"
    "  name: kernels-2.0_x\n"
    "  title: \"TinyTorch Kernels in C\"\n"
    "student_files:\n"
    "  - path: kernels.c\n"
    "    solution: sol/kernels.c\n"
    "    stub: /abs/stub.c\n"
    "    max_size: 256KiB\n"
    "  - path: sub/extra.h\n"
    "build:\n"
    "  cc: gcc-12\n"
    "  cflags: [-std=c11, -O2]\n"
    "  student_cflags: [--coverage]\n"
    "  ldflags: [-lcheck, -lm]\n"
    "  include_dirs: [inc, /usr/include/x]\n"
    "  sources: [src/*.c, src/a.c, \"src/b.[c]\"]\n"
    "  timeout: 2m\n"
    "symbols:\n"
    "  allow: [\"malloc\", \"pthread_*\"]\n"
    "  deny: [\"cblas_*\"]\n"
    "  forbid_constructors: no\n"
    "  forbid_syscall: Off\n"
    "limits:\n"
    "  cpu: 2s\n"
    "  wall: 5s\n"
    "  memory: 512MiB\n"
    "  processes: 32\n"
    "  output: 32KiB\n"
    "  file_size: 16MiB\n"
    "coverage:\n"
    "  enabled: yes\n"
    "  branches: false\n"
    "  html: on\n"
    "visibility: after_published\n"
    "tests:\n"
    "  - id: matmul_baseline/small\n"
    "    name: \"Baseline matmul, small cases\"\n"
    "    points: 5\n"
    "    visibility: hidden\n"
    "    category: correctness\n"
    "    tags: [matmul, small]\n"
    "    partial: false\n"
    "    limits: {cpu: 20s, wall: 40s}\n"
    "  - id: quantized/int8_2\n"
    "    points: 2.5\n"
    "  - {id: a/b, points: 0, limits: {memory: 1GB, processes: 1, output: 1B, "
    "file_size: 3kB}}\n";

static void assert_strv(const struct cfg_strv *sv, const char *const want[], size_t n)
{
    ck_assert_uint_eq(sv->n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(sv->v[i], want[i]);
}

static void assert_limits(const struct cfg_limits *l, uint64_t cpu, uint64_t wall,
                          uint64_t mem, uint64_t procs, uint64_t out, uint64_t fsize)
{
    ck_assert_uint_eq(l->cpu_ms, cpu);
    ck_assert_uint_eq(l->wall_ms, wall);
    ck_assert_uint_eq(l->memory_bytes, mem);
    ck_assert_uint_eq(l->processes, procs);
    ck_assert_uint_eq(l->output_bytes, out);
    ck_assert_uint_eq(l->file_size_bytes, fsize);
}

static void load_ok(const char *path, struct grader_cfg *cfg)
{
    struct cfg_error err;
    char msg[2048];
    if (cfg_load(path, cfg, &err) < 0) {
        cfg_error_format(&err, msg, sizeof msg);
        ck_abort_msg("cfg_load failed: %s", msg);
    }
}

static void check_full_top(const struct grader_cfg *cfg, const struct scratch *s,
                           const char *path)
{
    char want[PATH_MAX];
    ck_assert_str_eq(cfg->path, path);
    ck_assert_str_eq(cfg->base_dir, s->root);
    ck_assert_str_eq(cfg->name, "kernels-2.0_x");
    ck_assert_str_eq(cfg->title, "TinyTorch Kernels in C");
    ck_assert_uint_eq(cfg->nfiles, 2);
    ck_assert_str_eq(cfg->files[0].path, "kernels.c");
    scratch_path(s, "sol/kernels.c", want, sizeof want);
    ck_assert_str_eq(cfg->files[0].solution, want);
    ck_assert_str_eq(cfg->files[0].stub, "/abs/stub.c");
    ck_assert_uint_eq(cfg->files[0].max_size, 256 * 1024);
    ck_assert_uint_eq(cfg->files[0].mark.line, 6);
    ck_assert_uint_eq(cfg->files[0].mark.column, 5);
    ck_assert_str_eq(cfg->files[1].path, "sub/extra.h");
    ck_assert_ptr_null(cfg->files[1].solution);
    ck_assert_ptr_null(cfg->files[1].stub);
    ck_assert_uint_eq(cfg->files[1].max_size, 1024 * 1024);
    ck_assert_uint_eq(cfg->files[1].mark.line, 10);
}

static void check_full_build(const struct grader_cfg *cfg, const struct scratch *s)
{
    char inc[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
    scratch_path(s, "inc", inc, sizeof inc);
    scratch_path(s, "src/a.c", a, sizeof a);
    scratch_path(s, "src/b.c", b, sizeof b);
    ck_assert_str_eq(cfg->build.cc, "gcc-12");
    assert_strv(&cfg->build.cflags, (const char *[]){"-std=c11", "-O2"}, 2);
    assert_strv(&cfg->build.student_cflags, (const char *[]){"--coverage"}, 1);
    assert_strv(&cfg->build.ldflags, (const char *[]){"-lcheck", "-lm"}, 2);
    assert_strv(&cfg->build.include_dirs, (const char *[]){inc, "/usr/include/x"}, 2);
    /* sorted, the folder src/dir.c skipped, duplicates dropped */
    assert_strv(&cfg->build.sources, (const char *[]){a, b}, 2);
    ck_assert_uint_eq(cfg->build.timeout_ms, 120000);
    assert_strv(&cfg->symbols.allow, (const char *[]){"malloc", "pthread_*"}, 2);
    assert_strv(&cfg->symbols.deny, (const char *[]){"cblas_*"}, 1);
    ck_assert(!cfg->symbols.forbid_constructors);
    ck_assert(!cfg->symbols.forbid_syscall);
    ck_assert(cfg->coverage.enabled);
    ck_assert(!cfg->coverage.branches);
    ck_assert(cfg->coverage.html);
}

static void check_full_tests(const struct grader_cfg *cfg)
{
    const uint64_t MiB = 1024 * 1024;
    assert_limits(&cfg->limits, 2000, 5000, 512 * MiB, 32, 32 * 1024, 16 * MiB);
    ck_assert_int_eq(cfg->visibility, CFG_VIS_AFTER_PUBLISHED);
    ck_assert_uint_eq(cfg->ntests, 3);
    ck_assert_uint_eq(cfg->tests_mark.line, 36);
    ck_assert_uint_eq(cfg->tests_mark.column, 1);

    const struct cfg_test *t = &cfg->tests[0];
    ck_assert_str_eq(t->id, "matmul_baseline/small");
    ck_assert_str_eq(t->name, "Baseline matmul, small cases");
    ck_assert_double_eq(t->points, 5.0);
    ck_assert_int_eq(t->visibility, CFG_VIS_HIDDEN);
    ck_assert_str_eq(t->category, "correctness");
    assert_strv(&t->tags, (const char *[]){"matmul", "small"}, 2);
    ck_assert(!t->partial);
    assert_limits(&t->limits, 20000, 40000, 512 * MiB, 32, 32 * 1024, 16 * MiB);
    ck_assert_uint_eq(t->mark.line, 37);
    ck_assert_uint_eq(t->mark.column, 5);

    t = &cfg->tests[1];
    ck_assert_str_eq(t->id, "quantized/int8_2");
    ck_assert_str_eq(t->name, "quantized/int8_2");
    ck_assert_double_eq(t->points, 2.5);
    ck_assert_int_eq(t->visibility, CFG_VIS_AFTER_PUBLISHED);
    ck_assert_ptr_null(t->category);
    ck_assert_uint_eq(t->tags.n, 0);
    ck_assert(t->partial);
    assert_limits(&t->limits, 2000, 5000, 512 * MiB, 32, 32 * 1024, 16 * MiB);

    t = &cfg->tests[2];
    ck_assert_double_eq(t->points, 0.0);
    assert_limits(&t->limits, 2000, 5000, 1000000000, 1, 1, 3000);
    ck_assert_uint_eq(t->mark.line, 47);
    ck_assert_uint_eq(t->mark.column, 5);
}

START_TEST(test_full_config)
{
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "config.yaml", path, sizeof path);
    scratch_write(path, full_yaml, sizeof full_yaml - 1);
    load_ok(path, &cfg);
    check_full_top(&cfg, &s, path);
    check_full_build(&cfg, &s);
    check_full_tests(&cfg);
    ck_assert_double_eq(cfg_total_points(&cfg), 7.5);
    ck_assert_ptr_eq(cfg_find_test(&cfg, "quantized/int8_2"), &cfg.tests[1]);
    ck_assert_ptr_null(cfg_find_test(&cfg, "quantized/int8"));
    cfg_release(&cfg);
    ck_assert_ptr_null(cfg.tests);
    cfg_release(&cfg);                     /* safe twice */
    scratch_remove(&s);
}
END_TEST

static const char minimal_yaml[] =
    "assignment: {name: k}\n"
    "student_files: [{path: k.c}]\n"
    "build: {sources: [src/b.c]}\n"
    "tests: [{id: s/c, points: 1}]\n";

START_TEST(test_defaults)
{
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX], b[PATH_MAX];
    const uint64_t MiB = 1024 * 1024;
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, minimal_yaml, sizeof minimal_yaml - 1);
    load_ok(path, &cfg);
    ck_assert_str_eq(cfg.title, "k");
    ck_assert_uint_eq(cfg.files[0].max_size, MiB);
    ck_assert_str_eq(cfg.build.cc, "cc");
    ck_assert_uint_eq(cfg.build.cflags.n + cfg.build.student_cflags.n + cfg.build.ldflags.n +
                      cfg.build.include_dirs.n + cfg.symbols.allow.n + cfg.symbols.deny.n, 0);
    scratch_path(&s, "src/b.c", b, sizeof b);
    assert_strv(&cfg.build.sources, (const char *[]){b}, 1);
    ck_assert_uint_eq(cfg.build.timeout_ms, 60000);
    ck_assert(cfg.symbols.forbid_constructors && cfg.symbols.forbid_syscall);
    ck_assert(cfg.coverage.enabled && cfg.coverage.branches && cfg.coverage.html);
    ck_assert_int_eq(cfg.visibility, CFG_VIS_VISIBLE);
    assert_limits(&cfg.limits, 10000, 20000, 1024 * MiB, 64, 64 * 1024, 64 * MiB);
    const struct cfg_test *t = &cfg.tests[0];
    ck_assert_str_eq(t->name, "s/c");
    ck_assert_int_eq(t->visibility, CFG_VIS_VISIBLE);
    ck_assert(t->partial);
    ck_assert_ptr_null(t->category);
    assert_limits(&t->limits, 10000, 20000, 1024 * MiB, 64, 64 * 1024, 64 * MiB);
    ck_assert_uint_eq(cfg.tests_mark.line, 4);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* thread_sanitizer: its units get repeats, and the units whose tests
 * pass on threads get a TSan run too unless threaded_units is false. */
START_TEST(test_tsan_section)
{
    static const char *const tail[] = {"", "  threaded_units: false\n"};
    for (int i = 0; i < 2; i++) {
        struct scratch s;
        struct grader_cfg cfg;
        char path[PATH_MAX], text[512];
        snprintf(text, sizeof text, "assignment: {name: k}\n"
                 "student_files: [{path: k.c}]\n"
                 "build: {sources: [src/b.c]}\n"
                 "tests: [{id: s/c, points: 1}, {id: s/d, points: 1}]\n"
                 "thread_sanitizer:\n  units: [s/c]\n%s", tail[i]);
        scratch_make(&s, "");
        scratch_path(&s, "c.yaml", path, sizeof path);
        scratch_write(path, text, strlen(text));
        load_ok(path, &cfg);
        ck_assert(cfg.tsan.enabled);
        ck_assert_int_eq(cfg.tsan.threaded_units, i == 0);
        ck_assert(cfg.tests[0].tsan && !cfg.tests[1].tsan);
        ck_assert_uint_eq(cfg.tests[0].repeat, 3);
        ck_assert_uint_eq(cfg.tests[1].repeat, 1);
        cfg_release(&cfg);
        scratch_remove(&s);
    }
}
END_TEST

/* Regression (found by the fuzz target's contract checks): a negative
 * zero, written or from an underflow, is stored as 0, not -0.0, which the
 * reports would print as "-0.00". */
START_TEST(test_points_negative_zero)
{
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [src/b.c]}\n"
        "tests: [{id: s/a, points: -0}, {id: s/b, points: -0.0e5}, {id: s/c, points: -1e-400}]\n";
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);
    ck_assert_uint_eq(cfg.ntests, 3);
    for (size_t i = 0; i < cfg.ntests; i++) {
        ck_assert_double_eq(cfg.tests[i].points, 0.0);
        ck_assert_msg(!signbit(cfg.tests[i].points), "%s: -0.0", cfg.tests[i].id);
    }
    ck_assert_msg(!signbit(cfg_total_points(&cfg)), "total: -0.0");
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* A config folder with glob metacharacters in its name: globs still work. */
START_TEST(test_odd_base_dir)
{
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [\"src/*.c\"], include_dirs: [.]}\n"
        "tests: [{id: s/c, points: 1}]\n";
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX], a[PATH_MAX], dot[PATH_MAX];
    scratch_make(&s, "we[i]r?d*");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);
    scratch_path(&s, "src/a.c", a, sizeof a);
    scratch_path(&s, ".", dot, sizeof dot);
    ck_assert_uint_eq(cfg.build.sources.n, 2);
    ck_assert_str_eq(cfg.build.sources.v[0], a);
    ck_assert_str_eq(cfg.build.include_dirs.v[0], dot);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* ---- performance ------------------------------------------------------------ */

static const char perf_yaml[] =
    "assignment: {name: k}\n"
    "student_files: [{path: k.c}]\n"
    "build: {sources: [src/a.c]}\n"
    "limits: {cpu: 2s, wall: 5s}\n"
    "performance:\n"
    "  cflags: [-O3, -march=x86-64-v3]\n"
    "  ldflags: [\"-Wl,--wrap=pthread_create\", -lm]\n"
    "  sources: [src/*.c]\n"
    "  valgrind: /usr/bin/valgrind\n"
    "  cache:\n"
    "    d1: {size: 64KiB, ways: 4, line: 128}\n"
    "  limits: {wall: 60s}\n"
    "tests:\n"
    "  - {id: s/c, points: 1}\n"
    "  - id: perf/cache\n"
    "    kind: performance\n"
    "    measure: blocked_2\n"
    "    reference: naive\n"
    "    metric: d1_misses\n"
    "    full_at: 0.02\n"
    "    zero_at: 0.1\n"
    "    requires: [s/c]\n"
    "    points: 4\n"
    "  - id: perf/steps\n"
    "    kind: performance\n"
    "    measure: q\n"
    "    reference: nq\n"
    "    metric: instructions\n"
    "    thresholds: [{at_most: 0.1, score: 1}, {at_most: 0.5, score: 0.25}]\n"
    "    points: 2\n"
    "  - id: perf/threads\n"
    "    kind: performance\n"
    "    measure: r4\n"
    "    reference: r1\n"
    "    metric: threads\n"
    "    threads: 4\n"
    "    requires: [s/later]\n"
    "    points: 3\n"
    "  - {id: s/later, kind: check, points: 1}\n";

static void check_perf_section(const struct grader_cfg *cfg, const struct scratch *s)
{
    const struct cfg_performance *p = &cfg->performance;
    char a[PATH_MAX], b[PATH_MAX];
    scratch_path(s, "src/a.c", a, sizeof a);
    scratch_path(s, "src/b.c", b, sizeof b);
    ck_assert(p->enabled);
    assert_strv(&p->cflags, (const char *[]){"-O3", "-march=x86-64-v3"}, 2);
    assert_strv(&p->ldflags, (const char *[]){"-Wl,--wrap=pthread_create", "-lm"}, 2);
    assert_strv(&p->sources, (const char *[]){a, b}, 2);
    ck_assert_str_eq(p->valgrind, "/usr/bin/valgrind");
    ck_assert_uint_eq(p->d1.size, 65536);
    ck_assert_uint_eq(p->d1.ways, 4);
    ck_assert_uint_eq(p->d1.line, 128);
    ck_assert_uint_eq(p->i1.size, 32768);      /* defaults */
    ck_assert_uint_eq(p->i1.ways, 8);
    ck_assert_uint_eq(p->ll.size, 1024 * 1024);
    ck_assert_uint_eq(p->ll.ways, 16);
    ck_assert_uint_eq(p->ll.line, 64);
    ck_assert_uint_eq(p->limits.cpu_ms, 2000);     /* inherited from the top level */
    ck_assert_uint_eq(p->limits.wall_ms, 60000);
}

static void check_perf_tests(const struct grader_cfg *cfg)
{
    const struct cfg_test *t = &cfg->tests[0];
    ck_assert_int_eq(t->kind, CFG_KIND_CHECK);
    ck_assert_ptr_null(t->perf.measure);
    t = &cfg->tests[1];
    ck_assert_int_eq(t->kind, CFG_KIND_PERFORMANCE);
    ck_assert_str_eq(t->perf.measure, "blocked_2");
    ck_assert_str_eq(t->perf.reference, "naive");
    ck_assert_int_eq(t->perf.metric, CFG_METRIC_D1_MISSES);
    ck_assert_double_eq(t->perf.full_at, 0.02);
    ck_assert_double_eq(t->perf.zero_at, 0.1);
    ck_assert_uint_eq(t->perf.nsteps, 0);
    assert_strv(&t->perf.requires, (const char *[]){"s/c"}, 1);
    ck_assert_uint_eq(t->limits.wall_ms, 60000);   /* performance.limits */
    t = &cfg->tests[2];
    ck_assert_int_eq(t->perf.metric, CFG_METRIC_INSTRUCTIONS);
    ck_assert_uint_eq(t->perf.nsteps, 2);
    ck_assert_double_eq(t->perf.steps[0].at_most, 0.1);
    ck_assert_double_eq(t->perf.steps[0].score, 1.0);
    ck_assert_double_eq(t->perf.steps[1].at_most, 0.5);
    ck_assert_double_eq(t->perf.steps[1].score, 0.25);
    t = &cfg->tests[3];
    ck_assert_int_eq(t->perf.metric, CFG_METRIC_THREADS);
    ck_assert_uint_eq(t->perf.threads, 4);
    ck_assert_double_eq(t->perf.balance, 0.5);     /* default */
    assert_strv(&t->perf.requires, (const char *[]){"s/later"}, 1);   /* defined later */
    ck_assert_int_eq(cfg->tests[4].kind, CFG_KIND_CHECK);
    ck_assert_uint_eq(cfg_count_kind(cfg, CFG_KIND_PERFORMANCE), 3);
    ck_assert_uint_eq(cfg_count_kind(cfg, CFG_KIND_CHECK), 2);
    ck_assert_str_eq(cfg_metric_name(CFG_METRIC_LL_MISSES), "ll_misses");
    ck_assert_str_eq(cfg_metric_name((enum cfg_metric)9), "unknown");
}

START_TEST(test_perf_config)
{
    struct scratch s;
    struct grader_cfg cfg;
    struct cfg_error err;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "config.yaml", path, sizeof path);
    scratch_write(path, perf_yaml, sizeof perf_yaml - 1);
    load_ok(path, &cfg);
    check_perf_section(&cfg, &s);
    check_perf_tests(&cfg);

    /* performance tests are not suite units: skipped both ways */
    const char *const units[] = {"s/later", "s/c"};
    ck_assert_int_eq(cfg_check_tests(&cfg, units, 2, &err), 0);
    const char *const clash[] = {"s/later", "s/c", "perf/steps"};
    ck_assert_int_eq(cfg_check_tests(&cfg, clash, 3, &err), -1);
    ck_assert_uint_eq(err.line, 24);
    ck_assert_str_eq(err.message, "suite test 'perf/steps' is configured as a performance test");
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* Without the section: disabled, nothing allocated. */
START_TEST(test_perf_absent)
{
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, minimal_yaml, sizeof minimal_yaml - 1);
    load_ok(path, &cfg);
    ck_assert(!cfg.performance.enabled);
    ck_assert_ptr_null(cfg.performance.valgrind);
    ck_assert_uint_eq(cfg.performance.sources.n, 0);
    ck_assert_int_eq(cfg.tests[0].kind, CFG_KIND_CHECK);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* ---- the late policy ------------------------------------------------------------ */

START_TEST(test_late_policy)
{
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [src/b.c]}\n"
        "late_policy:\n"
        "  due: 2026-12-15T23:59:00-05:00\n"
        "  late_due: \"2026-12-18T23:59:00-05:00\"\n"
        "  grace: 15m\n"
        "  per_day: 12.5%\n"
        "  max_penalty: 30%\n"
        "tests: [{id: s/c, points: 1}]\n";
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);
    const struct cfg_late *l = &cfg.late;
    ck_assert(l->enabled);
    ck_assert_str_eq(l->due, "2026-12-15T23:59:00-05:00");
    ck_assert_int_eq(l->due_ms, 1797397140000);
    ck_assert_str_eq(l->late_due, "2026-12-18T23:59:00-05:00");
    ck_assert_int_eq(l->late_due_ms, 1797397140000 + 3 * 86400000ll);
    ck_assert_uint_eq(l->grace_ms, 15 * 60000);
    ck_assert_double_eq(l->per_day_pct, 12.5);
    ck_assert_double_eq(l->max_penalty_pct, 30.0);
    cfg_release(&cfg);
    ck_assert_ptr_null(cfg.late.due);
    scratch_remove(&s);
}
END_TEST

/* The mutants section: its values, and its defaults when absent. */
START_TEST(test_mutants_section)
{
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [src/b.c]}\n"
        "tests: [{id: s/c, points: 1}]\n"
        "mutants:\n"
        "  operators: [ror, del]\n"
        "  functions: [\"matmul_*\"]\n"
        "  timeout_factor: 4\n"
        "  equivalent:\n"
        "    - {id: \"f:ror:2\", reason: \"same at 0\"}\n";
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);
    assert_strv(&cfg.mutants.operators, (const char *[]){"ror", "del"}, 2);
    assert_strv(&cfg.mutants.functions, (const char *[]){"matmul_*"}, 1);
    ck_assert_double_eq(cfg.mutants.timeout_factor, 4.0);
    ck_assert_uint_eq(cfg.mutants.nequivalent, 1);
    ck_assert_str_eq(cfg.mutants.equivalent[0].id, "f:ror:2");
    ck_assert_str_eq(cfg.mutants.equivalent[0].reason, "same at 0");
    ck_assert_uint_eq(cfg.mutants.equivalent[0].mark.line, 10);
    cfg_release(&cfg);

    scratch_write(path, minimal_yaml, sizeof minimal_yaml - 1);   /* no section */
    load_ok(path, &cfg);
    ck_assert_uint_eq(cfg.mutants.operators.n + cfg.mutants.functions.n, 0);
    ck_assert_uint_eq(cfg.mutants.nequivalent, 0);
    ck_assert_double_eq(cfg.mutants.timeout_factor, 10.0);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* Only due: no cutoff, no grace, no penalty, a 100% cap; grace 0 is allowed. */
START_TEST(test_late_policy_defaults)
{
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [src/b.c]}\n"
        "late_policy: {due: 2026-12-16T04:59:00Z, grace: 0}\n"
        "tests: [{id: s/c, points: 1}]\n";
    struct scratch s;
    struct grader_cfg cfg;
    char path[PATH_MAX];
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);
    ck_assert(cfg.late.enabled);
    ck_assert_int_eq(cfg.late.due_ms, 1797397140000);
    ck_assert_ptr_null(cfg.late.late_due);
    ck_assert_uint_eq(cfg.late.grace_ms, 0);
    ck_assert_double_eq(cfg.late.per_day_pct, 0.0);
    ck_assert_double_eq(cfg.late.max_penalty_pct, 100.0);
    cfg_release(&cfg);

    scratch_write(path, minimal_yaml, sizeof minimal_yaml - 1);   /* no section */
    load_ok(path, &cfg);
    ck_assert(!cfg.late.enabled);
    ck_assert_ptr_null(cfg.late.due);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* ---- broken configs: the table ----------------------------------------------- */

enum bad_kind {
    BAD_TEXT,                  /* write `yaml` to bad/<name>.yaml */
    BAD_DIRECTORY,             /* bad/<name>.yaml is a folder */
    BAD_MISSING,               /* bad/<name>.yaml does not exist */
};

struct bad_case {
    const char *name;
    const char *yaml;
    size_t len;                /* 0: strlen(yaml); for text with NUL bytes */
    unsigned line, column;
    const char *message;       /* a substring of the message */
    enum bad_kind kind;
};

/* Lines 1-6 of most cases; tests start at line 7. */
#define HEAD "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\n" \
             "build:\n  sources: [\"../src/*.c\"]\n"
/* Lines 7-9: one valid test. */
#define TEST1 "tests:\n  - id: a/b\n    points: 1\n"
/* Lines 1-3: up to build. */
#define PRE "assignment: {name: k}\nstudent_files: [{path: k.c}]\nbuild:\n"
#define NUL_TEXT "assignment:\n  name: ker\0nels\n"

static const struct bad_case bad_cases[] = {
    /* syntax */
    {"syntax_bad_indent", "assignment:\n  name: kernels\n title: x\n", 0, 3, 2,
     "did not find expected key", BAD_TEXT},
    {"syntax_unclosed_quote", "assignment:\n  name: \"kernels\n", 0, 3, 1,
     "found unexpected end of stream (while scanning a quoted scalar at line 2, column 9)",
     BAD_TEXT},
    {"syntax_tab", "assignment:\n\tname: kernels\n", 0, 2, 1,
     "found character that cannot start any token (a tab; indent with spaces)", BAD_TEXT},
    {"syntax_unclosed_flow", "build: {cc: cc\n", 0, 2, 1,
     "did not find expected ',' or '}'", BAD_TEXT},
    {"empty", "", 0, 1, 1, "empty configuration", BAD_TEXT},
    {"comments_only", "# nothing here\n", 0, 1, 1, "empty configuration", BAD_TEXT},
    {"binary_nul", NUL_TEXT, sizeof NUL_TEXT - 1, 2, 12,
     "control characters are not allowed", BAD_TEXT},
    {"invalid_utf8", "assignment:\n  name: caf\xe9\n", 0, 2, 12,
     "incomplete UTF-8 octet sequence", BAD_TEXT},
    {"nul_escape", "assignment:\n  name: \"a\\0b\"\n", 0, 2, 9,
     "NUL characters are not supported", BAD_TEXT},
    {"not_a_mapping", "- assignment\n- tests\n", 0, 1, 1,
     "the configuration must be a mapping, not a sequence", BAD_TEXT},
    {"anchor", "assignment: &a\n  name: k\n", 0, 1, 13,
     "anchors and aliases are not supported", BAD_TEXT},
    {"alias", "assignment: {name: k}\nstudent_files: *files\n", 0, 2, 16,
     "anchors and aliases are not supported", BAD_TEXT},
    {"tag", "assignment: !!map\n  name: k\n", 0, 1, 13, "tags are not supported", BAD_TEXT},
    {"multiple_documents", "assignment: {name: k}\n---\ntests: []\n", 0, 2, 1,
     "multiple documents are not supported", BAD_TEXT},
    {"directory", NULL, 0, 0, 0, "is a directory", BAD_DIRECTORY},
    {"missing_file", NULL, 0, 0, 0, "cannot open: No such file or directory", BAD_MISSING},

    /* unknown and duplicate keys */
    {"unknown_key_top", HEAD TEST1 "grade_mode: strict\n", 0, 10, 1,
     "unknown key 'grade_mode'", BAD_TEXT},
    {"unknown_key_test", HEAD "tests:\n  - id: a/b\n    pionts: 1\n", 0, 9, 5,
     "unknown key 'pionts'", BAD_TEXT},
    {"unknown_key_limits", HEAD "limits:\n  cpu: 2s\n  ram: 1GiB\n", 0, 9, 3,
     "unknown key 'ram'", BAD_TEXT},
    {"unknown_key_test_limits", HEAD TEST1 "    limits: {cpu: 2s, ram: 1GiB}\n", 0, 10, 23,
     "unknown key 'ram'", BAD_TEXT},
    {"unknown_key_build", PRE "  sources: [../src/a.c]\n  cxx: g++\n", 0, 5, 3,
     "unknown key 'cxx'", BAD_TEXT},
    {"duplicate_key_top", "assignment:\n  name: a\nassignment:\n  name: b\n", 0, 3, 1,
     "duplicate key 'assignment'", BAD_TEXT},
    {"duplicate_key_test", HEAD TEST1 "    points: 2\n", 0, 10, 5,
     "duplicate key 'points'", BAD_TEXT},
    {"non_string_key", HEAD "? [a, b]\n: 1\n", 0, 7, 3,
     "a key must be a string, not a sequence", BAD_TEXT},

    /* missing keys */
    {"missing_assignment", "student_files:\n  - path: kernels.c\n", 0, 1, 1,
     "missing required key 'assignment' in configuration", BAD_TEXT},
    {"missing_name", "assignment:\n  title: Kernels\n", 0, 2, 3,
     "missing required key 'name' in assignment", BAD_TEXT},
    {"missing_student_files", "assignment: {name: k}\nbuild: {sources: [x]}\n", 0, 1, 1,
     "missing required key 'student_files' in configuration", BAD_TEXT},
    {"missing_path", "assignment: {name: k}\nstudent_files:\n  - stub: k.c\n", 0, 3, 5,
     "missing required key 'path' in student file", BAD_TEXT},
    {"missing_build", "assignment: {name: k}\nstudent_files: [{path: k.c}]\n", 0, 1, 1,
     "missing required key 'build' in configuration", BAD_TEXT},
    {"missing_sources", PRE "  cc: gcc\n", 0, 4, 3,
     "missing required key 'sources' in build", BAD_TEXT},
    {"missing_tests", HEAD, 0, 1, 1, "missing required key 'tests' in configuration", BAD_TEXT},
    {"missing_id", HEAD "tests:\n  - name: x\n    points: 1\n", 0, 8, 5,
     "missing required key 'id' in test", BAD_TEXT},
    {"missing_points", HEAD "tests:\n  - id: a/b\n    name: x\n", 0, 8, 5,
     "missing required key 'points' in test", BAD_TEXT},

    /* empty values */
    {"empty_tests", HEAD "tests: []\n", 0, 7, 8, "'tests' must not be empty", BAD_TEXT},
    {"empty_student_files", "assignment: {name: k}\nstudent_files: []\n", 0, 2, 16,
     "'student_files' must not be empty", BAD_TEXT},
    {"empty_sources", PRE "  sources: []\n", 0, 4, 12, "'sources' must not be empty", BAD_TEXT},
    {"empty_section", "assignment:\n", 0, 1, 12,
     "'assignment' must be a mapping, not empty", BAD_TEXT},
    {"empty_title", "assignment:\n  name: k\n  title: \"\"\n", 0, 3, 10,
     "'title' must not be empty", BAD_TEXT},
    {"empty_cflag", PRE "  cflags: [-O2, \"\"]\n", 0, 4, 17,
     "items of 'cflags' must not be empty", BAD_TEXT},

    /* wrong types */
    {"wrong_type_build", "assignment: {name: k}\nstudent_files: [{path: k.c}]\nbuild: gcc\n",
     0, 3, 8, "'build' must be a mapping, not a scalar",
     BAD_TEXT},
    {"wrong_type_cpu", HEAD "limits:\n  cpu: {seconds: 2}\n", 0, 8, 8,
     "'cpu' must be a duration like 2s or 500ms, not a mapping", BAD_TEXT},
    {"wrong_type_memory", HEAD "limits:\n  memory: [1, 2]\n", 0, 8, 11,
     "'memory' must be a size like 512MiB or 64KiB, not a sequence", BAD_TEXT},
    {"wrong_type_tags", HEAD TEST1 "    tags: matmul\n", 0, 10, 11,
     "'tags' must be a sequence of strings, not a scalar", BAD_TEXT},
    {"wrong_type_tag_item", HEAD TEST1 "    tags: [matmul, [a]]\n", 0, 10, 20,
     "items of 'tags' must be strings, not a sequence", BAD_TEXT},
    {"wrong_type_test_item", HEAD "tests:\n  - a/b\n", 0, 8, 5,
     "items of 'tests' must be mappings, not a scalar", BAD_TEXT},
    {"wrong_type_points", HEAD "tests:\n  - id: a/b\n    points: [5]\n", 0, 9, 13,
     "'points' must be a number, not a sequence", BAD_TEXT},
    {"wrong_type_test_limits", HEAD TEST1 "    limits: 5s\n", 0, 10, 13,
     "'limits' must be a mapping, not a scalar", BAD_TEXT},
    {"wrong_type_bool", HEAD "symbols:\n  forbid_syscall: {a: 1}\n", 0, 8, 19,
     "'forbid_syscall' must be a boolean, not a mapping", BAD_TEXT},

    /* units */
    {"bad_duration", HEAD "limits:\n  cpu: fast\n", 0, 8, 8,
     "invalid duration 'fast' for 'cpu' (use e.g. 2s, 500ms)", BAD_TEXT},
    {"bad_duration_space", HEAD "limits:\n  wall: 2 s\n", 0, 8, 9,
     "invalid duration '2 s' for 'wall'", BAD_TEXT},
    {"bad_timeout", PRE "  sources: [../src/a.c]\n  timeout: 1 minute\n", 0, 5, 12,
     "invalid duration '1 minute' for 'timeout'", BAD_TEXT},
    {"bad_size", HEAD "limits:\n  memory: 12XB\n", 0, 8, 11,
     "invalid size '12XB' for 'memory' (use e.g. 512MiB, 64KiB)", BAD_TEXT},
    {"bad_max_size", "assignment: {name: k}\nstudent_files:\n  - {path: k.c, max_size: 1M}\n",
     0, 3, 27, "invalid size '1M' for 'max_size'", BAD_TEXT},
    {"bad_processes", HEAD "limits:\n  processes: 1.5\n", 0, 8, 14,
     "invalid number '1.5' for 'processes' (use a positive integer)", BAD_TEXT},
    {"zero_memory", HEAD "limits:\n  memory: 0\n", 0, 8, 11, "'memory' must be positive",
     BAD_TEXT},
    {"zero_cpu", HEAD "limits:\n  cpu: 0s\n", 0, 8, 8, "'cpu' must be positive", BAD_TEXT},
    {"negative_cpu", HEAD "limits:\n  cpu: -1s\n", 0, 8, 8, "'cpu' must be positive", BAD_TEXT},
    {"zero_processes", HEAD "limits:\n  processes: 0\n", 0, 8, 14,
     "'processes' must be positive", BAD_TEXT},
    {"negative_output", HEAD "limits:\n  output: -64KiB\n", 0, 8, 11,
     "'output' must be positive", BAD_TEXT},
    {"negative_test_wall", HEAD TEST1 "    limits: {wall: -5s}\n", 0, 10, 20,
     "'wall' must be positive", BAD_TEXT},
    {"too_small_cpu", HEAD "limits:\n  cpu: 0.0001s\n", 0, 8, 8,
     "'cpu' is too small (at least 1ms)", BAD_TEXT},
    {"too_large_memory", HEAD "limits:\n  memory: 9000000000GiB\n", 0, 8, 11,
     "'memory' is too large", BAD_TEXT},

    /* points, visibility, ids, booleans, names, paths */
    {"points_abc", HEAD "tests:\n  - id: a/b\n    points: abc\n", 0, 9, 13,
     "invalid number 'abc' for 'points'", BAD_TEXT},
    {"points_negative", HEAD "tests:\n  - id: a/b\n    points: -1\n", 0, 9, 13,
     "'points' must not be negative", BAD_TEXT},
    {"points_empty_string", HEAD "tests:\n  - id: a/b\n    points: \"\"\n", 0, 9, 13,
     "invalid number '' for 'points'", BAD_TEXT},
    {"points_null", HEAD "tests:\n  - id: a/b\n    points:\n", 0, 9, 12,
     "invalid number '' for 'points'", BAD_TEXT},
    {"points_inf", HEAD "tests:\n  - id: a/b\n    points: .inf\n", 0, 9, 13,
     "invalid number '.inf' for 'points'", BAD_TEXT},
    {"bad_visibility_top", HEAD "visibility: secret\n", 0, 7, 13,
     "invalid visibility 'secret' for 'visibility' "
     "(use hidden, after_due_date, after_published or visible)", BAD_TEXT},
    {"bad_visibility_test", HEAD TEST1 "    visibility: public\n", 0, 10, 17,
     "invalid visibility 'public'", BAD_TEXT},
    {"bad_id_format", HEAD "tests:\n  - id: Matmul/Small\n", 0, 8, 9,
     "invalid test id 'Matmul/Small' (use suite/case, with a-z, 0-9 and _)", BAD_TEXT},
    {"bad_id_no_case", HEAD "tests:\n  - id: matmul\n", 0, 8, 9,
     "invalid test id 'matmul'", BAD_TEXT},
    {"bad_id_three_parts", HEAD "tests:\n  - id: a/b/c\n", 0, 8, 9,
     "invalid test id 'a/b/c'", BAD_TEXT},
    {"duplicate_test_id", HEAD TEST1 "  - id: a/b\n    points: 2\n", 0, 10, 9,
     "duplicate test id 'a/b' (first defined at line 8)", BAD_TEXT},
    {"bad_bool", HEAD TEST1 "    partial: maybe\n", 0, 10, 14,
     "expected a boolean (true or false) for 'partial', not 'maybe'", BAD_TEXT},
    {"bad_bool_coverage", HEAD "coverage: {html: 2}\n", 0, 7, 18,
     "expected a boolean (true or false) for 'html', not '2'", BAD_TEXT},
    {"bad_assignment_name", "assignment:\n  name: my kernels\n", 0, 2, 9,
     "invalid assignment name 'my kernels'", BAD_TEXT},
    {"student_path_dotdot", "assignment: {name: k}\nstudent_files:\n  - path: ../kernels.c\n",
     0, 3, 11, "invalid path '../kernels.c' for 'path'", BAD_TEXT},
    {"student_path_absolute", "assignment: {name: k}\nstudent_files:\n  - path: /k.c\n",
     0, 3, 11, "invalid path '/k.c' for 'path'", BAD_TEXT},
    {"student_path_duplicate",
     "assignment: {name: k}\nstudent_files:\n  - path: k.c\n  - path: k.c\n",
     0, 4, 11, "duplicate student file 'k.c'", BAD_TEXT},

    /* sources */
    {"no_such_source", PRE "  sources: [../src/a.c, ../src/nope.c]\n", 0, 4, 25,
     "no such file '../src/nope.c'", BAD_TEXT},
    {"glob_no_match", PRE "  sources: [\"../src/*.cpp\"]\n", 0, 4, 13,
     "no file matches '../src/*.cpp'", BAD_TEXT},
    {"glob_only_folders", PRE "  sources: [\"../s*\"]\n", 0, 4, 13,
     "no file matches '../s*'", BAD_TEXT},
    {"source_is_directory", PRE "  sources: [../src]\n", 0, 4, 13,
     "'../src' is not a regular file", BAD_TEXT},

    /* performance section and tests (generated from the fixture files) */
    {"perf_no_section", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n", 0, 10, 11,
     "tests of kind performance need a 'performance' section", BAD_TEXT},
    {"perf_bad_kind", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: a/b\n    points: 1\n    kind: benchmark\n", 0, 10, 11,
     "invalid kind 'benchmark' for 'kind' (use check, performance or io)", BAD_TEXT},
    {"perf_key_on_check_test", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: a/b\n    points: 1\n    metric: instructions\n", 0, 10, 5,
     "'metric' is only for tests of kind performance", BAD_TEXT},
    {"perf_missing_measure", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    reference: naive\n", 0, 10, 5,
     "missing required key 'measure' in performance test", BAD_TEXT},
    {"perf_bad_measure_name", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: Naive-MatMul\n", 0, 13, 14,
     "invalid measurement 'Naive-MatMul' for 'measure' (use a-z, 0-9 and _)", BAD_TEXT},
    {"perf_bad_metric", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: seconds\n", 0, 15, 13,
     "invalid metric 'seconds' for 'metric' (use instructions, d1_misses, ll_misses or threads)", BAD_TEXT},
    {"perf_no_scoring", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: d1_misses\n", 0, 10, 5,
     "missing 'full_at' and 'zero_at' (or 'thresholds') in performance test", BAD_TEXT},
    {"perf_missing_zero_at", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: d1_misses\n    full_at: 0.1\n", 0, 10, 5,
     "missing required key 'zero_at' in performance test", BAD_TEXT},
    {"perf_zero_at_below_full_at", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: d1_misses\n    full_at: 0.5\n    zero_at: 0.1\n", 0, 17, 14,
     "'zero_at' must be greater than 'full_at' (0.5)", BAD_TEXT},
    {"perf_full_at_zero", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: d1_misses\n    full_at: 0\n    zero_at: 0.1\n", 0, 16, 14,
     "'full_at' must be greater than 0", BAD_TEXT},
    {"perf_both_scorings", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: instructions\n    full_at: 0.1\n    zero_at: 0.5\n    thresholds: [{at_most: 0.1, score: 1}]\n", 0, 18, 5,
     "use either 'full_at' and 'zero_at' or 'thresholds', not both", BAD_TEXT},
    {"perf_steps_not_ascending", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: instructions\n    thresholds:\n      - {at_most: 0.3, score: 1}\n      - {at_most: 0.1, score: 0.5}\n", 0, 18, 19,
     "'at_most' must be greater than the previous threshold's (0.3)", BAD_TEXT},
    {"perf_step_score_above_one", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: instructions\n    thresholds: [{at_most: 0.3, score: 1.5}]\n", 0, 16, 40,
     "'score' must be at least 0 and at most 1", BAD_TEXT},
    {"perf_step_missing_score", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: instructions\n    thresholds: [{at_most: 0.3}]\n", 0, 16, 18,
     "missing required key 'score' in threshold", BAD_TEXT},
    {"perf_threads_missing", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n", 0, 10, 5,
     "missing required key 'threads' in performance test of metric threads", BAD_TEXT},
    {"perf_threads_with_full_at", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    full_at: 0.1\n", 0, 17, 5,
     "'full_at' does not apply to metric threads", BAD_TEXT},
    {"perf_balance_zero", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    balance: -0.5\n", 0, 17, 14,
     "'balance' must not be negative", BAD_TEXT},
    {"perf_threads_on_ratio_metric", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: instructions\n    full_at: 0.1\n    zero_at: 0.5\n    threads: 4\n", 0, 18, 5,
     "'threads' applies to metric threads only", BAD_TEXT},
    {"perf_partial", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    partial: false\n", 0, 17, 5,
     "'partial' does not apply to tests of kind performance", BAD_TEXT},
    {"perf_test_limits", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    limits: {cpu: 1s}\n", 0, 17, 5,
     "'limits' does not apply to tests of kind performance (set performance.limits)", BAD_TEXT},
    {"perf_requires_unknown", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    requires: [a/nope]\n", 0, 17, 16,
     "'requires' names no test 'a/nope'", BAD_TEXT},
    {"perf_requires_perf_test", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\ntests:\n  - id: p/x\n    points: 1\n    kind: performance\n    measure: m\n    reference: r\n    metric: threads\n    threads: 4\n    requires: [p/x]\n", 0, 17, 16,
     "'requires' names 'p/x', which is not a check test", BAD_TEXT},
    {"perf_unknown_key", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\n  cahce: {}\n", 0, 9, 3,
     "unknown key 'cahce'", BAD_TEXT},
    {"perf_missing_sources", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  cflags: [-O2]\n", 0, 8, 3,
     "missing required key 'sources' in performance", BAD_TEXT},
    {"perf_cache_sets", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\n  cache:\n    d1: {size: 48KiB, ways: 8, line: 64}\n", 0, 10, 9,
     "cache 'd1': size / (ways x line) must be a power of two (valgrind's rule), not 49152 / (8 x 64)", BAD_TEXT},
    {"perf_cache_line", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\n  cache:\n    d1: {line: 8}\n", 0, 10, 16,
     "'line' of cache 'd1' must be at least 16 bytes", BAD_TEXT},
    {"perf_cache_unknown", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\n  cache:\n    l2: {size: 1MiB}\n", 0, 10, 5,
     "unknown key 'l2'", BAD_TEXT},
    {"perf_wrong_type_cache", "assignment:\n  name: kernels\nstudent_files:\n  - path: kernels.c\nbuild:\n  sources: [\"../src/*.c\"]\nperformance:\n  sources: [\"../src/*.c\"]\n  cache: 32KiB\n", 0, 9, 10,
     "'cache' must be a mapping, not a scalar", BAD_TEXT},

    /* the late policy */
    {"late_bad_date", HEAD "late_policy:\n  due: 2026-13-01T00:00:00Z\n", 0, 8, 8,
     "invalid time '2026-13-01T00:00:00Z' for 'due' (use ISO 8601 with an offset, e.g. 2026-12-15T23:59:00-05:00)", BAD_TEXT},
    {"late_no_offset", HEAD "late_policy:\n  due: 2026-12-15T23:59:00\n", 0, 8, 8,
     "invalid time '2026-12-15T23:59:00' for 'due' (use ISO 8601 with an offset, e.g. 2026-12-15T23:59:00-05:00)", BAD_TEXT},
    {"late_due_before_due", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  late_due: 2026-12-16T04:00:00Z\n", 0, 9, 13,
     "'late_due' must not be before 'due' (2026-12-15T23:59:00-05:00)", BAD_TEXT},
    {"late_missing_due", HEAD "late_policy:\n  per_day: 10%\n", 0, 8, 3,
     "missing required key 'due' in late_policy", BAD_TEXT},
    {"late_unknown_key", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  penalty: 10%\n", 0, 9, 3,
     "unknown key 'penalty'", BAD_TEXT},
    {"late_percent_over", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  per_day: 150%\n", 0, 9, 12,
     "'per_day' must be from 0% to 100%", BAD_TEXT},
    {"late_percent_negative", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  max_penalty: -5%\n", 0, 9, 16,
     "'max_penalty' must be from 0% to 100%", BAD_TEXT},
    {"late_percent_no_sign", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  max_penalty: 0.3\n", 0, 9, 16,
     "invalid percentage '0.3' for 'max_penalty' (use e.g. 10%)", BAD_TEXT},
    {"late_negative_grace", HEAD "late_policy:\n  due: 2026-12-15T23:59:00-05:00\n  grace: -5m\n", 0, 9, 10,
     "'grace' must not be negative", BAD_TEXT},
    {"late_not_mapping", HEAD "late_policy: 2026-12-15T23:59:00-05:00\n", 0, 7, 14,
     "'late_policy' must be a mapping, not a scalar", BAD_TEXT},

    /* the release section (after the tests: it is parsed last) */
    {"release_not_mapping", HEAD TEST1 "release: [files]\n", 0, 10, 10,
     "'release' must be a mapping, not a sequence", BAD_TEXT},
    {"release_unknown_key", HEAD TEST1 "release:\n  files: [\"*.yaml\"]\n  sources: [\"*.yaml\"]\n  fail_under: 50\n", 0, 13, 3,
     "unknown key 'fail_under'", BAD_TEXT},
    {"release_missing_files", HEAD TEST1 "release:\n  sources: [\"*.yaml\"]\n", 0, 11, 3,
     "missing required key 'files' in release", BAD_TEXT},
    {"release_absolute_path", HEAD TEST1 "release:\n  files: [/etc/hostname]\n  sources: [\"*.yaml\"]\n", 0, 11, 11,
     "invalid path '/etc/hostname' for 'files' (must be relative to the config's folder, without '..')", BAD_TEXT},
    {"release_dotdot", HEAD TEST1 "release:\n  files: [\"*.yaml\", ../src/a.c]\n  sources: [\"*.yaml\"]\n", 0, 11, 21,
     "invalid path '../src/a.c' for 'files' (must be relative to the config's folder, without '..')", BAD_TEXT},
    {"release_no_match", HEAD TEST1 "release:\n  files: [\"missing/*.c\"]\n  sources: [\"*.yaml\"]\n", 0, 11, 11,
     "no file matches 'missing/*.c'", BAD_TEXT},
    {"release_empty_sources", HEAD TEST1 "release:\n  files: [\"*.yaml\"]\n  sources: []\n", 0, 12, 12,
     "'sources' must not be empty", BAD_TEXT},
    {"release_fail_under", HEAD TEST1 "release:\n  files: [\"*.yaml\"]\n  sources: [\"*.yaml\"]\n  ci: {fail_under: 150}\n", 0, 13, 20,
     "'fail_under' must be at least 0 and at most 100", BAD_TEXT},
    {"release_ci_unknown_key", HEAD TEST1 "release:\n  files: [\"*.yaml\"]\n  sources: [\"*.yaml\"]\n  ci:\n    threshold: 50\n", 0, 14, 5,
     "unknown key 'threshold'", BAD_TEXT},
    {"release_packages_scalar", HEAD TEST1 "release:\n  files: [\"*.yaml\"]\n  sources: [\"*.yaml\"]\n  packages: check\n", 0, 13, 13,
     "'packages' must be a sequence of strings, not a scalar", BAD_TEXT},
    /* the mutants section (docs/mutants.md) */
    {"mutants_unknown_operator", HEAD TEST1 "mutants:\n  operators: [ror, xyz]\n", 0, 11, 20,
     "unknown mutation operator 'xyz' (known: ror, aor, bound, loop, const, del, swap, round, clamp)", BAD_TEXT},
    {"mutants_equivalent_no_reason", HEAD TEST1 "mutants:\n  equivalent:\n    - {id: \"f:ror:1\"}\n", 0, 12, 7,
     "missing required key 'reason' in equivalent mutant", BAD_TEXT},
    {"mutants_equivalent_bad_id", HEAD TEST1 "mutants:\n  equivalent:\n    - {id: \"f-ror-1\", reason: \"same\"}\n", 0, 12, 7,
     "equivalent mutant id 'f-ror-1' is not FUNCTION:OPERATOR:N", BAD_TEXT},
    {"mutants_equivalent_twice", HEAD TEST1 "mutants:\n  equivalent:\n    - {id: \"f:ror:1\", reason: \"same\"}\n    - {id: \"f:ror:1\", reason: \"again\"}\n", 0, 13, 7,
     "equivalent mutant 'f:ror:1' is listed twice", BAD_TEXT},
    {"mutants_timeout_factor", HEAD TEST1 "mutants:\n  timeout_factor: 0.5\n", 0, 11, 19,
     "'timeout_factor' must be at least 1 and at most 1000", BAD_TEXT},
    {"mutants_unknown_key", HEAD TEST1 "mutants:\n  operator: [ror]\n", 0, 11, 3,
     "unknown key 'operator'", BAD_TEXT},
    {"mutants_not_mapping", HEAD TEST1 "mutants: [ror]\n", 0, 10, 10,
     "'mutants' must be a mapping, not a sequence", BAD_TEXT},

    /* thread_sanitizer, repeat, leaks */
    {"tsan_missing_units", HEAD TEST1 "thread_sanitizer:\n  repeat: 2\n", 0, 11, 3,
     "missing required key 'units' in thread_sanitizer", BAD_TEXT},
    {"tsan_units_no_match", HEAD TEST1 "thread_sanitizer:\n  units: [a/b, \"x/*\"]\n", 0, 11, 16,
     "'x/*' matches no check test", BAD_TEXT},
    {"tsan_unknown_key", HEAD TEST1 "thread_sanitizer:\n  units: [a/b]\n  unit: [a/b]\n", 0, 12, 3,
     "unknown key 'unit'", BAD_TEXT},
    {"tsan_repeat_zero", HEAD TEST1 "thread_sanitizer:\n  units: [a/b]\n  repeat: 0\n", 0, 12, 11,
     "'repeat' must be positive", BAD_TEXT},
    {"tsan_threaded_not_bool", HEAD TEST1 "thread_sanitizer:\n  units: [a/b]\n"
     "  threaded_units: maybe\n", 0, 12, 19,
     "expected a boolean (true or false) for 'threaded_units', not 'maybe'", BAD_TEXT},
    {"tsan_not_mapping", HEAD TEST1 "thread_sanitizer: [a/b]\n", 0, 10, 19,
     "'thread_sanitizer' must be a mapping, not a sequence", BAD_TEXT},
    {"repeat_too_large", HEAD "tests:\n  - id: a/b\n    points: 1\n    repeat: 101\n", 0, 10, 13,
     "'repeat' must be at most 100", BAD_TEXT},
    {"leaks_deduct_over", HEAD TEST1 "leaks:\n  deduct: 1.5\n", 0, 11, 11,
     "'deduct' must be at least 0 and at most 1", BAD_TEXT},
    {"leaks_unknown_key", HEAD TEST1 "leaks:\n  deduction: 0.5\n", 0, 11, 3,
     "unknown key 'deduction'", BAD_TEXT},
    {"perf_leaderboard_not_bool", HEAD "performance:\n  sources: [\"../src/*.c\"]\n"
     "  leaderboard: maybe\n", 0, 9, 16,
     "expected a boolean (true or false) for 'leaderboard', not 'maybe'", BAD_TEXT},

    /* grading */
    {"grading_seed_zero", HEAD TEST1 "grading:\n  seed: 0\n", 0, 11, 9,
     "'seed' must be positive", BAD_TEXT},
    {"grading_seed_negative", HEAD TEST1 "grading:\n  seed: -3\n", 0, 11, 9,
     "'seed' must be positive", BAD_TEXT},
    {"grading_seed_not_number", HEAD TEST1 "grading:\n  seed: abc\n", 0, 11, 9,
     "invalid seed 'abc' for 'seed' (use a positive integer, e.g. 20261)", BAD_TEXT},
    {"grading_seed_too_large", HEAD TEST1 "grading:\n  seed: 99999999999999999999\n", 0, 11,
     9, "'seed' is too large", BAD_TEXT},
    {"grading_unknown_key", HEAD TEST1 "grading:\n  seed: 7\n  seeds: 8\n", 0, 12, 3,
     "unknown key 'seeds'", BAD_TEXT},
    {"grading_not_mapping", HEAD TEST1 "grading: [1]\n", 0, 10, 10,
     "'grading' must be a mapping, not a sequence", BAD_TEXT},
    /* io tests (cfg_io.c) */
    {"io_bad_compare", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 0}\n    compare: fuzzy\n", 0, 13, 14,
     "invalid comparison 'fuzzy' for 'compare' (use exact, whitespace or numeric)", BAD_TEXT},
    {"io_bad_program", HEAD "io:\n  program: \"../x\"\ntests:\n  - id: a/b\n    points: 1\n", 0, 8, 12,
     "invalid program name '../x' for 'program' (use A-Z, a-z, 0-9, '_', '.' and '-')", BAD_TEXT},
    {"io_env_bad_name", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 0}\n    env: {2X: y}\n", 0, 13, 11,
     "invalid variable name '2X' in 'env' (use A-Z, a-z, 0-9 and _, not starting with a digit)", BAD_TEXT},
    {"io_exit_range", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 256}\n", 0, 12, 20,
     "invalid exit status '256' for 'exit' (use 0 to 255)", BAD_TEXT},
    {"io_expect_empty", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {}\n", 0, 12, 13,
     "'expect' needs at least one of stdout, stdout_file, stderr, stderr_file and exit", BAD_TEXT},
    {"io_files_clash", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    files: [../src/a.c, ../src/../src/a.c]\n    expect: {exit: 0}\n", 0, 12, 25,
     "'../src/../src/a.c' in 'files': its name is the program's, another file's, or not [A-Za-z0-9_.-]+", BAD_TEXT},
    {"io_key_on_check", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    args: [x]\n", 0, 11, 5,
     "'args' is only for tests of kind io", BAD_TEXT},
    {"io_missing_file", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {stdout_file: no-such.out}\n", 0, 12, 27,
     "cannot read 'no-such.out' for 'stdout_file': No such file or directory", BAD_TEXT},
    {"io_no_expect", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    args: [x]\n", 0, 9, 5,
     "missing required key 'expect' in io test", BAD_TEXT},
    {"io_no_section", HEAD "tests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 0}\n", 0, 10, 11,
     "tests of kind io need an 'io' section", BAD_TEXT},
    {"io_repeat", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    repeat: 2\n    expect: {exit: 0}\n", 0, 12, 5,
     "'repeat' is only for check tests", BAD_TEXT},
    {"io_stdin_both", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    stdin: \"1 2\"\n    stdin_file: ../src/a.c\n    expect: {exit: 0}\n", 0, 13, 5,
     "use either 'stdin' or 'stdin_file', not both", BAD_TEXT},
    {"io_tolerance_negative", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 0}\n    compare: numeric\n    tolerance: -1\n", 0, 14, 16,
     "'tolerance' must not be negative", BAD_TEXT},
    {"io_tolerance_not_numeric", HEAD "io: {}\ntests:\n  - id: a/b\n    points: 1\n    kind: io\n    expect: {exit: 0}\n    tolerance: 0.1\n", 0, 13, 5,
     "'tolerance' applies to compare: numeric only", BAD_TEXT},
    {"io_unknown_key", HEAD "io:\n  cflags: [-O2]\n  main: x.c\ntests:\n  - id: a/b\n    points: 1\n", 0, 9, 3,
     "unknown key 'main'", BAD_TEXT},
};

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

static void bad_case_make(const struct scratch *s, const struct bad_case *bc, char *path,
                          size_t n)
{
    char rel[128];
    snprintf(rel, sizeof rel, "bad/%s.yaml", bc->name);
    scratch_path(s, rel, path, n);
    if (bc->kind == BAD_TEXT)
        scratch_write(path, bc->yaml, bc->len ? bc->len : strlen(bc->yaml));
    else if (bc->kind == BAD_DIRECTORY)
        ck_assert_int_eq(mkdir(path, 0700), 0);
}

START_TEST(test_bad_config)
{
    const struct bad_case *bc = &bad_cases[_i];
    struct scratch s;
    struct grader_cfg cfg;
    struct cfg_error err;
    char path[PATH_MAX], shown[2048];
    scratch_make(&s, "");
    bad_case_make(&s, bc, path, sizeof path);
    ck_assert_msg(cfg_load(path, &cfg, &err) == -1, "%s: loaded", bc->name);
    cfg_error_format(&err, shown, sizeof shown);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(err.line == bc->line && err.column == bc->column,
                  "%s: want %u:%u, got %s", bc->name, bc->line, bc->column, shown);
    ck_assert_msg(strstr(err.message, bc->message) != NULL, "%s: want '%s', got %s",
                  bc->name, bc->message, shown);
    ck_assert_ptr_null(cfg.path);              /* released on failure */
    ck_assert_ptr_null(cfg.tests);
    ck_assert_ptr_null(cfg.build.cc);
    scratch_remove(&s);
}
END_TEST

/* ---- broken configs: the fixture files ------------------------------------- */

/* Splits "name.yaml<TAB>line:column: message" in place. */
static void split_expected(char *line, char **name, char **rest)
{
    line[strcspn(line, "\n")] = '\0';
    char *tab = strchr(line, '\t');
    ck_assert_msg(tab != NULL, "EXPECTED: no tab in '%s'", line);
    *tab = '\0';
    *name = line;
    *rest = tab + 1;
}

START_TEST(test_bad_fixtures)
{
    FILE *f = fopen(FIXTURES "/bad/EXPECTED", "r");
    char line[1024], path[1100], want[2200], got[2200];
    unsigned checked = 0;
    ck_assert_msg(f != NULL, "run from the repository root");
    while (fgets(line, sizeof line, f) != NULL) {
        struct grader_cfg cfg;
        struct cfg_error err;
        char *name, *rest;
        split_expected(line, &name, &rest);
        snprintf(path, sizeof path, FIXTURES "/bad/%s", name);
        snprintf(want, sizeof want, "%s:%s", path, rest);
        ck_assert_msg(cfg_load(path, &cfg, &err) == -1, "%s: loaded", name);
        cfg_error_format(&err, got, sizeof got);
        ck_assert_str_eq(got, want);
        checked++;
    }
    fclose(f);

    /* every fixture has its expectation, and EXPECTED names no ghost */
    glob_t g;
    ck_assert_int_eq(glob(FIXTURES "/bad/*.yaml", 0, NULL, &g), 0);
    ck_assert_uint_eq(g.gl_pathc, checked);
    globfree(&g);
    ck_assert_uint_ge(checked, 40);
}
END_TEST

/* The fixture files are the text rows of the table, and nothing else. */
START_TEST(test_bad_fixtures_match_table)
{
    unsigned text_rows = 0;
    for (size_t i = 0; i < NBAD; i++) {
        const struct bad_case *bc = &bad_cases[i];
        char path[PATH_MAX], buf[4096];
        if (bc->kind != BAD_TEXT)
            continue;
        text_rows++;
        snprintf(path, sizeof path, FIXTURES "/bad/%s.yaml", bc->name);
        FILE *f = fopen(path, "rb");
        ck_assert_msg(f != NULL, "missing fixture %s", path);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        size_t want = bc->len ? bc->len : strlen(bc->yaml);
        ck_assert_msg(n == want && memcmp(buf, bc->yaml, n) == 0, "%s differs", path);
    }
    glob_t g;
    ck_assert_int_eq(glob(FIXTURES "/bad/*.yaml", 0, NULL, &g), 0);
    ck_assert_uint_eq(g.gl_pathc, text_rows);
    globfree(&g);
}
END_TEST

START_TEST(test_good_fixture)
{
    struct grader_cfg cfg;
    load_ok(FIXTURES "/good.yaml", &cfg);
    ck_assert_str_eq(cfg.name, "kernels");
    ck_assert_uint_eq(cfg.nfiles, 1);
    ck_assert_uint_eq(cfg.build.sources.n, 2);     /* src/a.c, src/b.c */
    ck_assert_ptr_nonnull(strstr(cfg.build.sources.v[1], "/configs/src/b.c"));
    ck_assert(!cfg.coverage.html);
    ck_assert_uint_eq(cfg.ntests, 2);
    ck_assert_uint_eq(cfg.tests[0].limits.cpu_ms, 20000);
    ck_assert_uint_eq(cfg.tests[0].limits.memory_bytes, 512u * 1024 * 1024);
    ck_assert_int_eq(cfg.tests[1].visibility, CFG_VIS_AFTER_DUE_DATE);
    ck_assert_double_eq(cfg_total_points(&cfg), 7.5);
    cfg_release(&cfg);
}
END_TEST

/* ---- cfg_check_tests -------------------------------------------------------- */

START_TEST(test_check_tests)
{
    struct scratch s;
    struct grader_cfg cfg;
    struct cfg_error err;
    char path[PATH_MAX];
    static const char yaml[] =
        "assignment: {name: k}\n"
        "student_files: [{path: k.c}]\n"
        "build: {sources: [src/a.c]}\n"
        "\n"
        "tests:\n"
        "  - {id: s/one, points: 1}\n"
        "  - id: s/two\n"
        "    points: 2\n";
    scratch_make(&s, "");
    scratch_path(&s, "config.yaml", path, sizeof path);
    scratch_write(path, yaml, sizeof yaml - 1);
    load_ok(path, &cfg);

    const char *const exact[] = {"s/two", "s/one"};
    ck_assert_int_eq(cfg_check_tests(&cfg, exact, 2, &err), 0);

    const char *const lacking[] = {"s/one"};
    ck_assert_int_eq(cfg_check_tests(&cfg, lacking, 1, &err), -1);
    ck_assert_str_eq(err.file, path);
    ck_assert_uint_eq(err.line, 7);
    ck_assert_uint_eq(err.column, 5);
    ck_assert_str_eq(err.message, "test 's/two' is not in the test suites");

    const char *const extra[] = {"s/one", "s/two", "s/three"};
    ck_assert_int_eq(cfg_check_tests(&cfg, extra, 3, &err), -1);
    ck_assert_uint_eq(err.line, 5);
    ck_assert_uint_eq(err.column, 1);
    ck_assert_str_eq(err.message, "suite test 's/three' is missing from 'tests'");

    ck_assert_int_eq(cfg_check_tests(&cfg, NULL, 0, &err), -1);
    ck_assert_uint_eq(err.line, 6);
    cfg_release(&cfg);
    scratch_remove(&s);
}
END_TEST

/* A long offending value is clipped in the message, not the message cut. */
START_TEST(test_long_value_clipped)
{
    struct scratch s;
    struct grader_cfg cfg;
    struct cfg_error err;
    char path[PATH_MAX], yaml[1024];
    int n = snprintf(yaml, sizeof yaml, "assignment:\n  name: k\n%0200d: 1\n", 7);
    scratch_make(&s, "");
    scratch_path(&s, "c.yaml", path, sizeof path);
    scratch_write(path, yaml, (size_t)n);
    ck_assert_int_eq(cfg_load(path, &cfg, &err), -1);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_msg(strlen(err.message) < 100, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown key '0000"));
    ck_assert_ptr_nonnull(strstr(err.message, "...'"));
    scratch_remove(&s);
}
END_TEST

Suite *cfg_suite(void)
{
    Suite *s = suite_create("cfg");
    TCase *tc = tcase_create("units");
    tcase_add_loop_test(tc, test_parse_duration, 0,
                        (int)(sizeof duration_cases / sizeof duration_cases[0]));
    tcase_add_loop_test(tc, test_parse_size, 0, (int)(sizeof size_cases / sizeof size_cases[0]));
    tcase_add_test(tc, test_parse_null);
    tcase_add_loop_test(tc, test_parse_time, 0,
                        (int)(sizeof time_cases / sizeof time_cases[0]));
    tcase_add_test(tc, test_visibility_names);
    tcase_add_test(tc, test_error_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("valid");
    tcase_add_test(tc, test_full_config);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_tsan_section);
    tcase_add_test(tc, test_odd_base_dir);
    tcase_add_test(tc, test_points_negative_zero);
    tcase_add_test(tc, test_good_fixture);
    tcase_add_test(tc, test_check_tests);
    tcase_add_test(tc, test_perf_config);
    tcase_add_test(tc, test_perf_absent);
    tcase_add_test(tc, test_late_policy);
    tcase_add_test(tc, test_late_policy_defaults);
    tcase_add_test(tc, test_mutants_section);
    suite_add_tcase(s, tc);

    tc = tcase_create("broken");
    tcase_add_loop_test(tc, test_bad_config, 0, (int)NBAD);
    tcase_add_test(tc, test_bad_fixtures);
    tcase_add_test(tc, test_bad_fixtures_match_table);
    tcase_add_test(tc, test_long_value_clipped);
    suite_add_tcase(s, tc);
    return s;
}
