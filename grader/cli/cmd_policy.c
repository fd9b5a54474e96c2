/*
 * cmd_policy.c -- grader policy SUBMISSION_DIR | --symbol NAME...: checks
 * a submission, or names, against the config's symbol policy as grading
 * does (policy.h, polsub.h), without running a test.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "compile/policy.h"
#include "compile/polsub.h"
#include "util/strv.h"

static const char usage_policy[] =
    "usage: grader [-c CONFIG] policy SUBMISSION_DIR\n"
    "       grader [-c CONFIG] policy --symbol NAME [--symbol NAME]...\n"
    "\n"
    "Checks a submission against the config's symbol policy exactly as grading\n"
    "does, without running a test: copies the student files, compiles and links\n"
    "them with the grader's flags and checks every object (what it calls,\n"
    "constructors, raw system calls), then the performance build if the config\n"
    "has one.  Prints grading's messages, e.g.\n"
    "  policy: kernels.c: 'fopen' is not allowed (used in matmul_baseline)\n"
    "With --symbol, says for each NAME whether code may call it, and why.\n"
    "\n"
    "exit status: 0 clean (every NAME allowed), 1 refused, not compiled, or the\n"
    "grader failed, 2 usage or config error\n";

/* policy --symbol: one line per name, "NAME: allowed: ..." or "NAME: refused: ...". */
static int policy_symbols(struct app *a, const struct strv *names)
{
    struct pol_rules *rules;
    char err[1024] = "", why[512];
    if (pol_rules_new(&a->cfg.symbols, &rules, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        return EXIT_INTERNAL;
    }
    int rc = EXIT_GRADED;
    for (size_t i = 0; i < names->n; i++) {
        if (!pol_rules_explain(rules, names->v[i], why, sizeof why))
            rc = 1;
        printf("%s: %s\n", names->v[i], why);
    }
    pol_rules_free(rules);
    return rc;
}

/* policy SUBMISSION_DIR: grading's messages, then a verdict. */
static int policy_folder(struct app *a, const char *dir)
{
    struct polsub_result res;
    char err[2048] = "";
    int rc = app_build_trusted(a);
    if (rc)
        return rc;
    if (polsub_check(&a->cfg, &a->trusted, a->work_root, dir, &res, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        polsub_result_release(&res);
        return EXIT_INTERNAL;
    }
    if (res.verdict == POLSUB_UNBUILT && res.log)
        fputs(res.log, stderr);
    for (size_t i = 0; i < res.lines.n; i++)
        printf("%s\n", res.lines.v[i]);
    if (res.verdict == POLSUB_CLEAN) {
        printf("policy: ok:");
        for (size_t i = 0; i < a->cfg.nfiles; i++)
            printf(" %s", a->cfg.files[i].path);
        printf(" call%s only what the policy allows\n", a->cfg.nfiles == 1 ? "s" : "");
    } else
        printf("policy: grading would score this submission 0 (ungradable)\n");
    rc = res.verdict == POLSUB_CLEAN ? EXIT_GRADED : 1;
    polsub_result_release(&res);
    return rc;
}

int cmd_policy(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"symbol", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct strv names = {0};
    int c, rc;
    while ((c = getopt_long(argc, argv, "s:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': strv_push(&names, optarg); break;
        case 'c': a->config_path = optarg; break;
        case 'h': fputs(usage_policy, stdout); strv_clear(&names); return EXIT_GRADED;
        default: fputs(usage_policy, stderr); strv_clear(&names); return EXIT_USAGE;
        }
    }
    if (names.n > 0 ? optind != argc : optind != argc - 1) {
        fputs(usage_policy, stderr);
        strv_clear(&names);
        return EXIT_USAGE;
    }
    rc = app_load_config(a);
    if (!rc)
        rc = names.n > 0 ? policy_symbols(a, &names) : policy_folder(a, argv[optind]);
    strv_clear(&names);
    return rc;
}
