/*
 * cmd_merge.c -- grader merge OUTDIR... -o OUT: combines batch outputs
 * (merge.h) and prints the class summary.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "report/report.h"
#include "scale/merge.h"
#include "scale/rescore.h"

static const char usage_merge[] =
    "usage: grader [-c CONFIG] merge OUTDIR... -o OUT [--adjustments FILE]\n"
    "\n"
    "Combines the outputs of several batches (the shards of one class, say) into\n"
    "OUT: copies every finished student folder (OUTDIR/students/NAME with a\n"
    "results.json) into OUT/students/, then rebuilds OUT/gradebook.csv as a batch\n"
    "does (the config gives its header) and writes the dashboard OUT/index.html.\n"
    "A student found in two OUTDIRs must be byte-identical in both.  Refuses while\n"
    "a batch writes OUT or one of the OUTDIRs.  Prints the class summary.\n"
    "\n"
    "  -o, --output OUT          where to merge (created; required)\n"
    "  --adjustments FILE        the instructor's adjustments (docs/instructor-tools.md),\n"
    "                            applied to every student of OUT after the merge, as\n"
    "                            'grader rescore OUT --adjustments FILE' does\n"
    "  --color WHEN              colour the class summary: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set), always or never\n";

int cmd_merge(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"config", required_argument, NULL, 'c'},
        {"color", required_argument, NULL, 'C'},  {"help", no_argument, NULL, 'h'},
        {"adjustments", required_argument, NULL, 'A'}, {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *adjustments = NULL;
    enum color_when color = COLOR_AUTO;
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'A': adjustments = optarg; break;
        case 'C':
            if (!parse_color(optarg, &color))
                return EXIT_USAGE;
            break;
        case 'c': a->config_path = optarg; break;
        case 'h': fputs(usage_merge, stdout); return EXIT_GRADED;
        default: fputs(usage_merge, stderr); return EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "grader: merge needs at least one OUTDIR and -o OUT\n");
        fputs(usage_merge, stderr);
        return EXIT_USAGE;
    }
    int rc = app_load_config(a);
    if (rc)
        return rc;
    struct adj_file adjust = {0};
    if (adjustments && (rc = load_adjustments(a, adjustments, &adjust)) != 0) {
        adj_release(&adjust);
        return rc;
    }
    struct merge_opts mo = {.inputs = (const char *const *)argv + optind,
                            .ninputs = (size_t)(argc - optind), .out_dir = out,
                            .progress = stderr};
    struct merge_summary sum;
    char err[1024] = "";
    if (merge_run(&a->cfg, &mo, &sum, err, sizeof err) < 0) {
        fprintf(stderr, "grader: merge: %s\n", err);
        merge_summary_release(&sum);
        adj_release(&adjust);
        return EXIT_INTERNAL;
    }
    if (adjustments) {   /* the merged class, scored again with the adjustments */
        struct rescore_opts ro = {.out_dir = out, .adjust = &adjust, .jobs = 2};
        struct rescore_summary rs;
        rc = rescore_run(&a->cfg, &ro, &rs, err, sizeof err);
        if (rc == 0) {
            batch_summary_release(&sum.class);
            sum.class = rs.class;   /* the rows with the adjustments */
            rs.class = (struct batch_summary){0};
        }
        rescore_summary_release(&rs);
        adj_release(&adjust);
        if (rc != 0) {
            fprintf(stderr, "grader: merge: merged, but the adjustments were not applied: %s\n",
                    err);
            merge_summary_release(&sum);
            return rc > 0 ? EXIT_USAGE : EXIT_INTERNAL;
        }
    }
    char *table = report_class_table_styled(sum.class.rows, sum.class.nrows, color_style(color));
    if (table)
        fputs(table, stdout);
    free(table);
    printf("gradebook: %s/gradebook.csv, dashboard: %s/index.html, reports: %s/students/NAME/\n",
           out, out, out);
    fflush(stdout);
    fprintf(stderr, "merged %zu students from %zu inputs into %s: %zu copied, %zu already "
                    "there, %zu identical duplicates, %zu unfinished folders skipped\n",
            sum.students, sum.inputs, out, sum.copied, sum.unchanged, sum.duplicates,
            sum.unfinished);
    merge_summary_release(&sum);
    return EXIT_GRADED;
}
