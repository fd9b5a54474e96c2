/*
 * main.c -- the grader's command line: the global options and the
 * dispatch to a command (grader/cli/cmd_*.c, cli.h).  The only place that
 * exits.
 *
 *   grader [-c CONFIG] grade SUBMISSION_DIR [-o OUTDIR] [--fail-under PERCENT]
 *   grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force] [--shard I/N]
 *   grader [-c CONFIG] merge OUTDIR... -o OUT [--color WHEN]
 *   grader [-c CONFIG] rescore OUT [--adjustments FILE] [-j N]
 *   grader [-c CONFIG] check-config
 *   grader [-c CONFIG] release -o DIR
 *   grader [-c CONFIG] gradescope [-o ZIP]
 *   grader [-c CONFIG] policy SUBMISSION_DIR | --symbol NAME...
 *   grader [-c CONFIG] mutants [-o OUTDIR] [-j N] [--operators LIST] ...
 *   grader [-c CONFIG] similar SUBMISSIONS_DIR [-o OUTDIR] [--base FILE]...
 *   grader --help | COMMAND --help | --version
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "compile/build.h"
#include "config/cfg.h"
#include "sandbox/sbx.h"
#include "sandbox/scratch.h"

#define GRADER_VERSION "0.2.0"

static const char usage_main[] =
    "usage: grader [-c CONFIG] COMMAND [ARGS]\n"
    "\n"
    "Grades C submissions: builds each with the trusted test harness, runs every\n"
    "graded test in a sandbox, scores it, and writes reports and coverage.\n"
    "\n"
    "commands:\n"
    "  grade SUBMISSION_DIR [-o OUTDIR] [--fail-under PERCENT]\n"
    "                           grade one submission (default OUTDIR: grader-out)\n"
    "  batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force]\n"
    "                           grade every sub-folder (one per student) in parallel\n"
    "                           (default OUTDIR: grader-batch, N: number of CPUs)\n"
    "  merge OUTDIR... -o OUT   combine batch outputs (e.g. shards) into one\n"
    "  rescore OUT              score a graded class again from its stored outcomes\n"
    "                           (new points, visibility, late policy): no compile, no run\n"
    "  check-config             validate the config against the test suites\n"
    "  release -o DIR           write the student release (stubs, visible tests, CI)\n"
    "  gradescope [-o ZIP]      write Gradescope's autograder package\n"
    "  policy SUBMISSION_DIR    check the code against the symbol policy, as grading does\n"
    "  mutants [-o OUTDIR]      mutation analysis: do the tests catch planted bugs?\n"
    "  similar SUBMISSIONS_DIR  code similarity across a class (instructors only)\n"
    "\n"
    "options:\n"
    "  -c, --config CONFIG      the grading config (default ./config.yaml)\n"
    "  -h, --help               this help; 'grader COMMAND --help' for a command\n"
    "  -V, --version            the grader's version\n"
    "\n"
    "exit status: 0 graded (whatever the score), 1 the grader failed,\n"
    "2 usage or config error, 3 score below --fail-under, 130 interrupted\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    struct app a = {.config_path = "config.yaml"};
    int c, rc;
    while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a.config_path = optarg; break;
        case 'h': fputs(usage_main, stdout); return EXIT_GRADED;
        case 'V': printf("grader %s\n", GRADER_VERSION); return EXIT_GRADED;
        default: fputs(usage_main, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0;   /* glibc: 0 re-initialises getopt for the command's own options */
    if (strcmp(cmd, "grade") == 0)
        rc = cmd_grade(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "batch") == 0)
        rc = cmd_batch(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "merge") == 0)
        rc = cmd_merge(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "rescore") == 0)
        rc = cmd_rescore(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "check-config") == 0)
        rc = cmd_check_config(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "release") == 0)
        rc = cmd_release(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "gradescope") == 0)
        rc = cmd_gradescope(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "policy") == 0)
        rc = cmd_policy(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "mutants") == 0)
        rc = cmd_mutants(&a, sub_argc, sub_argv);
    else if (strcmp(cmd, "similar") == 0)
        rc = cmd_similar(&a, sub_argc, sub_argv);
    else {
        fprintf(stderr, "grader: unknown command '%s' (see grader --help)\n", cmd);
        rc = EXIT_USAGE;
    }
    if (a.keep_scratch && a.scratch.path[0])
        fprintf(stderr, "grader: scratch folders kept in %s\n", a.scratch.path);
    else
        scr_root_close(&a.scratch);
    bld_trusted_release(&a.trusted);
    sbx_probe_free(a.probe);
    if (a.cfg_loaded)
        cfg_release(&a.cfg);
    return rc;
}
