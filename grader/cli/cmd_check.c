/*
 * cmd_check.c -- grader check-config: loads the config, builds the test
 * program with the reference solution, and checks that the configured
 * tests and the suites' units (and the performance measurements) match.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compile/build.h"
#include "config/cfg.h"
#include "run/iotest.h"
#include "run/perf.h"
#include "sandbox/sbx.h"
#include "run/testrun.h"
#include "util/fsutil.h"
#include "util/strv.h"

static const char usage_check[] =
    "usage: grader [-c CONFIG] check-config\n"
    "\n"
    "Loads and validates the config, builds the test program with the reference\n"
    "solution, checks that the configured tests and the suites' units match one\n"
    "to one, runs the io tests on the reference (each must pass), and prints a\n"
    "summary.  Errors are reported as file:line:column.\n";

/* Compiles the reference solutions and links them, to list the suites' units. */
static int check_units(struct app *a, struct strv *ids)
{
    struct strv objs = {0};
    char tmpl[PATH_MAX], err[1024] = "", *log = NULL;
    int rc = EXIT_INTERNAL;
    if (snprintf(tmpl, sizeof tmpl, "%s/grader-check-XXXXXX", a->work_root) >= (int)sizeof tmpl ||
        !mkdtemp(tmpl)) {
        fprintf(stderr, "grader: cannot create a temporary folder: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    for (size_t i = 0; i < a->cfg.nfiles; i++) {
        const char *src = a->cfg.files[i].solution ? a->cfg.files[i].solution : a->cfg.files[i].stub;
        if (!src) {
            fprintf(stderr, "grader: %s has neither 'solution' nor 'stub': cannot list the "
                            "suites' tests\n", a->cfg.files[i].path);
            goto done;
        }
        strv_pushf(&objs, "%s/ref-%zu.o", tmpl, i);
        if (objs.oom || bld_compile_trusted(&a->cfg, src, objs.v[i], &log) < 0)
            goto fail;
    }
    strv_pushf(&objs, "%s/tests", tmpl);
    if (objs.oom || bld_link_trusted(&a->cfg, &a->trusted, (const char *const *)objs.v,
                                     objs.n - 1, objs.v[objs.n - 1], &log) != 0)
        goto fail;
    if (trun_list(objs.v[objs.n - 1], ids, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        goto done;
    }
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "grader: the reference solution does not build:\n%s\n", log ? log : "");
done:
    free(log);
    strv_clear(&objs);
    fs_remove_tree(tmpl);
    return rc;
}

/* Builds the performance program with the reference solutions and checks
 * that it has every measurement the performance tests name. */
static int check_perf(struct app *a)
{
    char tmpl[PATH_MAX], line[2048], *log = NULL;
    struct cfg_error err = {0};
    if (snprintf(tmpl, sizeof tmpl, "%s/grader-check-XXXXXX", a->work_root) >= (int)sizeof tmpl ||
        !mkdtemp(tmpl)) {
        fprintf(stderr, "grader: cannot create a temporary folder: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    int rc = perf_check_measures(&a->cfg, &a->trusted, tmpl, &err, &log);
    if (rc < 0) {
        cfg_error_format(&err, line, sizeof line);
        fprintf(stderr, "%s\n%s", line, log ? log : "");
    }
    free(log);
    fs_remove_tree(tmpl);
    return rc < 0 ? (err.line > 0 ? EXIT_USAGE : EXIT_INTERNAL) : 0;
}

/* Why the reference failed io test t: its first failing check (one line) or its message. */
static void check_io_why(const struct res_test *t, char *buf, size_t n)
{
    const char *why = t->message ? t->message : "failed";
    const char *name = "";
    for (size_t i = 0; i < t->nchecks; i++)
        if (!t->checks[i].passed) {
            why = t->checks[i].message;
            name = t->checks[i].name;
            break;
        }
    snprintf(buf, n, "%s%s%.*s", name, name[0] ? ": " : "", (int)strcspn(why, "\n"), why);
}

/*
 * Builds the io program with the reference solutions and runs every io
 * test on it (trusted code: no sandbox), so that an expected output that
 * the reference does not produce is a config error at the test.
 */
static int check_io(struct app *a)
{
    struct strv objs = {0};
    char tmpl[PATH_MAX], err[512] = "", *log = NULL, *program = NULL;
    int rc = EXIT_INTERNAL;
    if (snprintf(tmpl, sizeof tmpl, "%s/grader-check-XXXXXX", a->work_root) >= (int)sizeof tmpl ||
        !mkdtemp(tmpl)) {
        fprintf(stderr, "grader: cannot create a temporary folder: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    for (size_t i = 0; i < a->cfg.nfiles; i++) {
        const char *src = a->cfg.files[i].solution;
        if (!src) {
            rc = 0;   /* no reference: nothing to check the expectations against */
            goto done;
        }
        strv_pushf(&objs, "%s/io-ref-%zu.o", tmpl, i);
        if (objs.oom || bld_io_compile_trusted(&a->cfg, src, objs.v[i], &log) < 0)
            goto fail;
    }
    program = fs_join(tmpl, a->cfg.io.program);
    if (!program || bld_io_link_trusted(&a->cfg, &a->trusted, (const char *const *)objs.v,
                                        objs.n, program, &log) != 0)
        goto fail;
    struct sbx_opts o;
    sbx_opts_init(&o);
    o.use_bwrap = SBX_LEVEL_NONE;
    o.uid = geteuid();
    o.gid = getegid();
    rc = 0;
    for (size_t i = 0; rc == 0 && i < a->cfg.ntests; i++) {
        const struct cfg_test *ct = &a->cfg.tests[i];
        struct res_test t;
        char why[300];
        if (ct->kind != CFG_KIND_IO)
            continue;
        if (iot_run(ct, program, tmpl, &o, &t, err, sizeof err) < 0) {
            fprintf(stderr, "grader: io test '%s': %s\n", ct->id, err);
            rc = EXIT_INTERNAL;
        } else if (t.status != RES_PASSED) {
            check_io_why(&t, why, sizeof why);
            fprintf(stderr, "%s:%u:%u: the reference solution fails io test '%s': %s\n",
                    a->config_path, ct->mark.line, ct->mark.column, ct->id, why);
            rc = EXIT_USAGE;
        }
        res_test_release(&t);
    }
    goto done;
fail:
    fprintf(stderr, "grader: the reference solution does not build as the io program:\n%s\n",
            log ? log : "");
done:
    free(log);
    free(program);
    strv_clear(&objs);
    fs_remove_tree(tmpl);
    return rc;
}

int cmd_check_config(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config_path = optarg; break;
        case 'h': fputs(usage_check, stdout); return EXIT_GRADED;
        default: fputs(usage_check, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs(usage_check, stderr);
        return EXIT_USAGE;
    }
    int rc = app_load_config(a);
    if (!rc)
        rc = app_build_trusted(a);
    if (rc)
        return rc;
    struct strv ids = {0};
    rc = check_units(a, &ids);
    if (!rc) {
        struct cfg_error err = {0};
        char line[2048];
        if (cfg_check_tests(&a->cfg, (const char *const *)ids.v, ids.n, &err) < 0) {
            cfg_error_format(&err, line, sizeof line);
            fprintf(stderr, "%s\n", line);
            rc = EXIT_USAGE;
        }
    }
    strv_clear(&ids);
    if (!rc && a->cfg.performance.enabled)
        rc = check_perf(a);
    if (!rc && a->cfg.io.enabled && cfg_count_kind(&a->cfg, CFG_KIND_IO) > 0)
        rc = check_io(a);
    if (rc)
        return rc;
    size_t hidden = 0;
    for (size_t i = 0; i < a->cfg.ntests; i++)
        hidden += a->cfg.tests[i].visibility != CFG_VIS_VISIBLE;
    printf("%s: ok: assignment '%s', %zu student file(s), %zu trusted source(s),\n"
           "%zu tests (%zu not visible to students), %g points\n",
           a->config_path, a->cfg.name, a->cfg.nfiles, a->cfg.build.sources.n, a->cfg.ntests,
           hidden, cfg_total_points(&a->cfg));
    return EXIT_GRADED;
}
