/*
 * cmd_batch.c -- grader batch SUBMISSIONS_DIR: grades every student's
 * folder in parallel (batch.h) and prints the class summary.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "grade/grade.h"
#include "report/report.h"
#include "scale/batch.h"
#include "scale/cache.h"
#include "scale/similar.h"

static const char usage_batch[] =
    "usage: grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force]\n"
    "                                [--shard I/N] [--adjustments FILE]\n"
    "\n"
    "Grades every sub-folder of SUBMISSIONS_DIR as one student's submission, N at\n"
    "a time, into OUTDIR/students/NAME/ (the files of 'grade'), then writes\n"
    "OUTDIR/gradebook.csv and prints it.  Students already graded are skipped\n"
    "unless --force; an interrupted batch resumes where it stopped.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (default grader-batch)\n"
    "  -j, --jobs N              parallel submissions (default: number of CPUs)\n"
    "  --force                   regrade everyone\n"
    "  --no-cache                grade every student again, even one whose submission,\n"
    "                            config, trusted objects and grader are unchanged since a\n"
    "                            grading in the regrade cache (CACHE/results/, CACHE as\n"
    "                            for the trusted objects)\n"
    "  --shard I/N               grade only shard I of N (1 <= I <= N <= 10000): of the\n"
    "                            students sorted by name, the k-th (from 0) when\n"
    "                            k % N == I - 1; combine the shards with 'grader merge'\n"
    "  --sandbox LEVEL           auto (default: bubblewrap where it can start, else the\n"
    "                            fallback, with a notice), bwrap (required), fallback\n"
    "                            (Landlock and seccomp: containers without user\n"
    "                            namespaces), none (trusted code only!)\n"
    "  --no-sandbox              the same as --sandbox none\n"
    "  --sandbox-uid UID         first uid of the sandbox users when run as root\n"
    "                            (default $GRADER_SANDBOX_UID, else 61000; worker i\n"
    "                            uses UID+i)\n"
    "  --no-performance          skip the performance tests (they score 0): quick feedback\n"
    "  --isolate-units           run every unit in a sandbox of its own (slower, same\n"
    "                            results); by default units of the same visibility and\n"
    "                            limits share one run of the test program\n"
    "  --adjustments FILE        the instructor's adjustments (YAML): points, tests set by\n"
    "                            hand, extensions, each with a reason (docs/instructor-tools.md);\n"
    "                            applied to the students graded by this run (--force: all)\n"
    "  --color WHEN              colour the class summary: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set and not empty), always, never\n"
    "  --similarity              then compare the class's code, as 'grader similar'\n"
    "                            SUBMISSIONS_DIR -o OUTDIR does (its defaults), and show\n"
    "                            the most similar pairs on the dashboard\n"
    "With the config's late_policy, each student's submission time comes from their\n"
    "folder's submission_metadata.json (\"created_at\"), else its file 'submitted_at'\n"
    "(one ISO 8601 line); without either it is unknown and not penalised.\n";

/* --shard I/N: 1 <= I <= N <= BATCH_MAX_SHARDS. */
static bool parse_shard(const char *s, unsigned *index, unsigned *count)
{
    char *end;
    errno = 0;
    unsigned long i = strtoul(s, &end, 10), n = 0;
    bool ok = !errno && end != s && *end == '/' && s[0] >= '0' && s[0] <= '9';
    if (ok) {
        const char *p = end + 1;
        n = strtoul(p, &end, 10);
        ok = !errno && end != p && !*end && p[0] >= '0' && p[0] <= '9';
    }
    if (!ok || i < 1 || n < 1 || i > n || n > BATCH_MAX_SHARDS) {
        fprintf(stderr, "grader: --shard takes I/N with 1 <= I <= N <= %u (e.g. --shard 2/8), "
                        "not '%s'\n", BATCH_MAX_SHARDS, s);
        return false;
    }
    *index = (unsigned)i;
    *count = (unsigned)n;
    return true;
}

/* batch's options. */
struct batch_args {
    struct batch_opts bo;
    enum color_when color;
    bool no_perf, isolate;
    bool no_cache;              /* --no-cache */
    enum app_sandbox sandbox;
    const char *adjustments;    /* --adjustments FILE, or NULL */
    bool similarity;            /* --similarity: grader similar afterwards */
};

/* Parses the options of 'batch'; returns -1 to go on, else an exit status. */
static int batch_parse(struct app *a, int argc, char **argv, struct batch_args *b)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},        {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'}, {"sandbox", required_argument, NULL, 'X'},
        {"no-performance", no_argument, NULL, 'P'},
        {"isolate-units", no_argument, NULL, 'I'},
        {"shard", required_argument, NULL, 'S'},
        {"color", required_argument, NULL, 'C'},
        {"no-cache", no_argument, NULL, 'K'},
        {"adjustments", required_argument, NULL, 'A'},
        {"similarity", no_argument, NULL, 'Y'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:j:c:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': b->bo.out_dir = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'F': b->bo.force = true; break;
        case 'P': b->no_perf = true; break;
        case 'I': b->isolate = true; break;
        case 'K': b->no_cache = true; break;
        case 'A': b->adjustments = optarg; break;
        case 'Y': b->similarity = true; break;
        case 'n': b->sandbox = APP_SANDBOX_NONE; break;
        case 'X':
            if (!parse_sandbox(optarg, &b->sandbox))
                return EXIT_USAGE;
            break;
        case 'u':
            if (!parse_uid_base(optarg, &b->bo.uid_base))
                return EXIT_USAGE;
            break;
        case 'S':
            if (!parse_shard(optarg, &b->bo.shard_index, &b->bo.shard_count))
                return EXIT_USAGE;
            break;
        case 'C':
            if (!parse_color(optarg, &b->color))
                return EXIT_USAGE;
            break;
        case 'j':
            errno = 0;
            long j = strtol(optarg, &end, 10);
            if (errno || *end || j < 1 || j > 256) {
                fprintf(stderr, "grader: --jobs takes a number from 1 to 256\n");
                return EXIT_USAGE;
            }
            b->bo.jobs = (unsigned)j;
            break;
        case 'h': fputs(usage_batch, stdout); return EXIT_GRADED;
        default: fputs(usage_batch, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage_batch, stderr);
        return EXIT_USAGE;
    }
    return -1;
}

int cmd_batch(struct app *a, int argc, char **argv)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct batch_args b = {
        .bo = {.out_dir = "grader-batch", .jobs = ncpu > 0 ? (unsigned)ncpu : 1,
               .uid_base = UID_BASE_DEFAULT, .progress = stderr,
               .progress_tty = isatty(STDERR_FILENO), .stop = &got_stop},
        .color = COLOR_AUTO, .sandbox = APP_SANDBOX_AUTO,
    };
    if (!env_uid_base(&b.bo.uid_base))
        return EXIT_USAGE;
    int rc = batch_parse(a, argc, argv, &b);
    if (rc >= 0)
        return rc;
    b.bo.submissions_dir = argv[optind];
    rc = app_check_folder(b.bo.submissions_dir);
    if (!rc)
        rc = app_prepare(a, b.sandbox);
    if (rc)
        return rc;
    struct adj_file adjust = {0};
    if (b.adjustments && (rc = load_adjustments(a, b.adjustments, &adjust)) != 0) {
        adj_release(&adjust);
        return rc;
    }

    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->scratch.path, .use_bwrap = a->sandbox_level,
                            .probe = a->probe,
                            .sandbox = a->sandbox_desc, .unit_jobs = 1,
                            .skip_performance = b.no_perf, .isolate_units = b.isolate,
                            .cancel = &got_stop,
                            .adjust = b.adjustments ? &adjust : NULL};
    struct batch_summary sum;
    char err[1024] = "", exe[PATH_MAX];
    struct rcache cache = {0};
    if (!b.no_cache && (!realpath("/proc/self/exe", exe) ||
                        rcache_open(&cache, a->cache_root, exe, b.adjustments, &env, err,
                                    sizeof err) < 0))
        fprintf(stderr, "grader: no regrade cache (every student is graded): %s\n",
                err[0] ? err : strerror(errno));
    b.bo.cache = cache.dir ? &cache : NULL;
    install_stop_handlers();   /* Ctrl-C: kill the running tests, keep finished students */
    rc = batch_run(&env, &b.bo, &sum, err, sizeof err);
    rcache_close(&cache);
    adj_release(&adjust);
    if (rc < 0) {
        fprintf(stderr, "grader: %s\n", err);
        batch_summary_release(&sum);
        return EXIT_INTERNAL;
    }
    char *table = report_class_table_styled(sum.rows, sum.nrows, color_style(b.color));
    if (table)
        fputs(table, stdout);
    free(table);
    batch_summary_release(&sum);
    printf("gradebook: %s/gradebook.csv, dashboard: %s/index.html, reports: %s/students/NAME/\n",
           b.bo.out_dir, b.bo.out_dir, b.bo.out_dir);
    fflush(stdout);
    fprintf(stderr, "graded %zu, skipped %zu (already graded), ungradable %zu, failed %zu, "
            "reused %zu (regrade cache)%s\n", sum.graded, sum.skipped, sum.ungradable,
            sum.failed, sum.reused,
            sum.stopped ? " -- stopped early; run again to finish" : "");
    if (got_stop)
        return EXIT_STOPPED;
    if (b.similarity) {
        struct sim_opts so;
        sim_opts_init(&so, b.bo.submissions_dir);
        int src = similar_report(a, &so, b.bo.out_dir);
        if (src != EXIT_GRADED)
            return src;
    }
    return rc == 0 ? EXIT_GRADED : EXIT_INTERNAL;
}
