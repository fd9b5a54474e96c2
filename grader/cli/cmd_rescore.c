/*
 * cmd_rescore.c -- grader rescore OUT: scores a graded class again from
 * its stored outcomes (rescore.h) and prints the class summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "report/report.h"
#include "scale/rescore.h"

static const char usage_rescore[] =
    "usage: grader [-c CONFIG] rescore OUT [--config CONFIG] [--adjustments FILE] [-j N]\n"
    "\n"
    "Scores the class graded into OUT (by batch or merge) again from the outcomes\n"
    "each grading stored (OUT/students/NAME/outcomes.json), with CONFIG's points,\n"
    "names, visibility, categories, tags, partial credit and late policy, and the\n"
    "adjustments: every report, results.json, OUT/gradebook.csv, the exports and\n"
    "the dashboard are written again.  Nothing is compiled or run.\n"
    "With the config the class was graded with, every file comes out the same.\n"
    "\n"
    "Refuses, writing nothing, when a change needs a regrade: tests added, removed\n"
    "or renamed; a test's limits, repeat, leak deduction (its notes quote it),\n"
    "measurement or io run; the trusted sources and headers, the reference\n"
    "solutions, the build, the symbol policy, coverage, the performance or io\n"
    "build, grading's seed or rate limit, thread_sanitizer.  The message names\n"
    "what changed; regrade with 'batch --force' (or --no-cache).\n"
    "\n"
    "  -c, --config CONFIG       the config to score with (default ./config.yaml)\n"
    "  --adjustments FILE        the instructor's adjustments (docs/instructor-tools.md)\n"
    "                            for every student (one not in FILE gets none); without\n"
    "                            it each student keeps the adjustments last applied\n"
    "  -j, --jobs N              threads (default: number of CPUs)\n"
    "  --color WHEN              colour the class summary: auto, always or never\n"
    "\n"
    "exit status: 0 rescored, 1 failed (some students may be rescored: run it\n"
    "again), 2 usage or config error, or refused: a regrade is needed (nothing\n"
    "written)\n";

int cmd_rescore(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"adjustments", required_argument, NULL, 'A'},
        {"jobs", required_argument, NULL, 'j'},   {"color", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    const char *adjustments = NULL;
    enum color_when color = COLOR_AUTO;
    struct rescore_opts ro = {.jobs = ncpu > 0 ? (unsigned)ncpu : 1};
    int c;
    while ((c = getopt_long(argc, argv, "c:j:h", opts, NULL)) != -1) {
        char *end;
        long j;
        switch (c) {
        case 'c': a->config_path = optarg; break;
        case 'A': adjustments = optarg; break;
        case 'j':
            errno = 0;
            j = strtol(optarg, &end, 10);
            if (errno || *end || j < 1 || j > 64) {
                fprintf(stderr, "grader: --jobs takes a number from 1 to 64\n");
                return EXIT_USAGE;
            }
            ro.jobs = (unsigned)j;
            break;
        case 'C':
            if (!parse_color(optarg, &color))
                return EXIT_USAGE;
            break;
        case 'h': fputs(usage_rescore, stdout); return EXIT_GRADED;
        default: fputs(usage_rescore, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "grader: rescore needs one OUT folder\n");
        fputs(usage_rescore, stderr);
        return EXIT_USAGE;
    }
    ro.out_dir = argv[optind];
    int rc = app_check_folder(ro.out_dir);
    if (!rc)
        rc = app_load_config(a);
    if (rc)
        return rc;
    struct adj_file adjust = {0};
    if (adjustments && (rc = load_adjustments(a, adjustments, &adjust)) != 0) {
        adj_release(&adjust);
        return rc;
    }
    ro.adjust = adjustments ? &adjust : NULL;
    struct rescore_summary sum;
    char err[2048] = "";
    rc = rescore_run(&a->cfg, &ro, &sum, err, sizeof err);
    adj_release(&adjust);
    if (rc != 0) {
        fprintf(stderr, "grader: rescore %s: %s%s\n", rc > 0 ? "refused" : "failed", err,
                rc > 0 ? " (nothing was written)" : "");
        rescore_summary_release(&sum);
        return rc > 0 ? EXIT_USAGE : EXIT_INTERNAL;
    }
    char *table = report_class_table_styled(sum.class.rows, sum.class.nrows, color_style(color));
    if (table)
        fputs(table, stdout);
    free(table);
    printf("gradebook: %s/gradebook.csv, dashboard: %s/index.html, reports: %s/students/NAME/\n",
           ro.out_dir, ro.out_dir, ro.out_dir);
    fflush(stdout);
    fprintf(stderr, "rescored %zu students (%zu with adjustments) from their stored outcomes "
                    "with %s: nothing compiled or run\n",
            sum.rescored, sum.adjusted, a->config_path);
    rescore_summary_release(&sum);
    return EXIT_GRADED;
}
