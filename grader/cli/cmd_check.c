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

#include "cli.h"
#include "compile/build.h"
#include "config/cfg.h"
#include "run/perf.h"
#include "run/testrun.h"
#include "util/fsutil.h"
#include "util/strv.h"

static const char usage_check[] =
    "usage: grader [-c CONFIG] check-config\n"
    "\n"
    "Loads and validates the config, builds the test program with the reference\n"
    "solution, checks that the configured tests and the suites' units match one\n"
    "to one, and prints a summary.  Errors are reported as file:line:column.\n";

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
