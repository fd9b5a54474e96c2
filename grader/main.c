/*
 * main.c -- the grader's command line.  The only place that exits.
 *
 *   grader [-c CONFIG] grade SUBMISSION_DIR [-o OUTDIR] [--fail-under PERCENT]
 *   grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force]
 *   grader [-c CONFIG] check-config
 *   grader --help | COMMAND --help | --version
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "build.h"
#include "cfg.h"
#include "fsutil.h"
#include "grade.h"
#include "perf.h"
#include "report.h"
#include "sbx.h"
#include "strv.h"
#include "testrun.h"

#define GRADER_VERSION "0.1.0"

enum {
    EXIT_GRADED = 0,       /* graded, whatever the score */
    EXIT_INTERNAL = 1,     /* the grader itself failed */
    EXIT_USAGE = 2,        /* bad command line or config */
    EXIT_UNDER = 3,        /* grade --fail-under: the score is below it */
    EXIT_STOPPED = 130,    /* interrupted (SIGINT/SIGTERM), like a shell's 128+2 */
};

#define UID_BASE_DEFAULT 61000u

static volatile sig_atomic_t got_stop;   /* the one global: set by the handler */

static void on_stop(int sig)
{
    (void)sig;
    got_stop = 1;
}

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
    "  check-config             validate the config against the test suites\n"
    "\n"
    "options:\n"
    "  -c, --config CONFIG      the grading config (default ./config.yaml)\n"
    "  -h, --help               this help; 'grader COMMAND --help' for a command\n"
    "  -V, --version            the grader's version\n"
    "\n"
    "exit status: 0 graded (whatever the score), 1 the grader failed,\n"
    "2 usage or config error, 3 score below --fail-under, 130 interrupted\n";

static const char usage_grade[] =
    "usage: grader [-c CONFIG] grade SUBMISSION_DIR [-o OUTDIR] [--fail-under PERCENT]\n"
    "\n"
    "Grades one submission folder and writes into OUTDIR (default grader-out):\n"
    "  results.json           Gradescope's format (every test, with its visibility)\n"
    "  junit.xml              JUnit XML of the tests a student may see\n"
    "  report.txt             the student's report (no hidden test details)\n"
    "  report-instructor.txt  everything\n"
    "  build.log              compiler and policy output\n"
    "  coverage/lcov.info, coverage/html/   line, function and branch coverage\n"
    "Prints the student's report.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (created)\n"
    "  --fail-under PERCENT      exit 3 if the score is below PERCENT of the maximum\n"
    "  --keep-scratch            keep the scratch folder (for debugging the grader)\n"
    "  --no-sandbox              run tests without bubblewrap (trusted code only!)\n"
    "  --sandbox-uid UID         first uid of the sandbox users when run as root\n"
    "                            (default 61000; unit runner k adds k*256)\n"
    "  --no-performance          skip the performance tests (they score 0): quick feedback\n";

static const char usage_batch[] =
    "usage: grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force]\n"
    "\n"
    "Grades every sub-folder of SUBMISSIONS_DIR as one student's submission, N at\n"
    "a time, into OUTDIR/students/NAME/ (the files of 'grade'), then writes\n"
    "OUTDIR/gradebook.csv and prints it.  Students already graded are skipped\n"
    "unless --force; an interrupted batch resumes where it stopped.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (default grader-batch)\n"
    "  -j, --jobs N              parallel submissions (default: number of CPUs)\n"
    "  --force                   regrade everyone\n"
    "  --no-sandbox              run tests without bubblewrap (trusted code only!)\n"
    "  --sandbox-uid UID         first uid of the sandbox users when run as root\n"
    "                            (default 61000; worker i uses UID+i)\n"
    "  --no-performance          skip the performance tests (they score 0): quick feedback\n";

static const char usage_check[] =
    "usage: grader [-c CONFIG] check-config\n"
    "\n"
    "Loads and validates the config, builds the test program with the reference\n"
    "solution, checks that the configured tests and the suites' units match one\n"
    "to one, and prints a summary.  Errors are reported as file:line:column.\n";

/* Everything main() sets up once and hands to a command. */
struct app {
    const char *config_path;
    struct grader_cfg cfg;
    bool cfg_loaded;
    struct bld_trusted trusted;
    char cache_root[PATH_MAX];
    char work_root[PATH_MAX];
};

static int app_load_config(struct app *a)
{
    struct cfg_error err = {0};
    char line[2048];
    if (cfg_load(a->config_path, &a->cfg, &err) < 0) {
        cfg_error_format(&err, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return EXIT_USAGE;
    }
    a->cfg_loaded = true;
    return 0;
}

/* The trusted objects' cache: $GRADER_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
static void app_cache_root(struct app *a)
{
    const char *env = getenv("GRADER_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(a->cache_root, sizeof a->cache_root, "%s", env);
    else if (xdg && *xdg)
        snprintf(a->cache_root, sizeof a->cache_root, "%s/kernels-grader", xdg);
    else
        snprintf(a->cache_root, sizeof a->cache_root, "%s/.cache/kernels-grader",
                 home && *home ? home : "/tmp");
    const char *tmp = getenv("TMPDIR");
    snprintf(a->work_root, sizeof a->work_root, "%s", tmp && *tmp ? tmp : "/tmp");
}

static int app_build_trusted(struct app *a)
{
    char *log = NULL;
    app_cache_root(a);
    grade_remove_stale_scratch(a->work_root);
    if (bld_trusted_init(&a->cfg, a->cache_root, &a->trusted, &log) < 0) {
        fprintf(stderr, "grader: the trusted harness does not build:\n%s\n", log ? log : "");
        free(log);
        return EXIT_INTERNAL;
    }
    free(log);
    return 0;
}

/* bwrap is required unless --no-sandbox: grading hostile code unsandboxed is never silent. */
static int app_check_sandbox(bool use_bwrap)
{
    struct sbx_opts o;
    if (!use_bwrap)
        return 0;
    sbx_opts_init(&o);
    o.workdir = "/tmp";
    if (sbx_bwrap_available(&o))
        return 0;
    fprintf(stderr, "grader: bubblewrap cannot create a sandbox here (is the 'bubblewrap'\n"
                    "package installed, and are unprivileged user namespaces enabled?).\n"
                    "Use --no-sandbox only for trusted code.\n");
    return EXIT_INTERNAL;
}

/* --sandbox-uid: a base that leaves room for the workers and unit runners. */
static bool parse_uid_base(const char *s, uid_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < 1000 || v > 4000000000ul) {
        fprintf(stderr, "grader: --sandbox-uid takes a uid from 1000 to 4000000000\n");
        return false;
    }
    *out = (uid_t)v;
    return true;
}

/* What grade and batch need before grading: config, sandbox, trusted objects. */
static int app_prepare(struct app *a, bool sandbox)
{
    int rc = app_load_config(a);
    if (!rc)
        rc = app_check_sandbox(sandbox);
    if (!rc)
        rc = app_build_trusted(a);
    return rc;
}

static bool parse_percent(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 100)
        return false;
    *out = v;
    return true;
}

static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int cmd_grade(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},   {"fail-under", required_argument, NULL, 'f'},
        {"keep-scratch", no_argument, NULL, 'k'},   {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},   {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'},
        {"no-performance", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "grader-out";
    bool no_perf = false;
    uid_t uid_base = UID_BASE_DEFAULT;
    double fail_under = -1;
    bool keep = false, sandbox = true;
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'k': keep = true; break;
        case 'P': no_perf = true; break;
        case 'n': sandbox = false; break;
        case 'u':
            if (!parse_uid_base(optarg, &uid_base))
                return EXIT_USAGE;
            break;
        case 'f':
            if (!parse_percent(optarg, &fail_under)) {
                fprintf(stderr, "grader: --fail-under takes a percentage from 0 to 100\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(usage_grade, stdout); return EXIT_GRADED;
        default: fputs(usage_grade, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage_grade, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[optind];
    int rc = app_prepare(a, sandbox);
    if (rc)
        return rc;

    char student[NAME_MAX + 1], real[PATH_MAX], err[1024] = "";
    const char *base = realpath(sub, real) ? strrchr(real, '/') + 1 : sub;
    snprintf(student, sizeof student, "%s", *base ? base : "submission");
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->work_root, .use_bwrap = sandbox,
                            .keep_scratch = keep, .unit_jobs = ncpu > 0 ? (unsigned)ncpu : 1,
                            .skip_performance = no_perf, .cancel = &got_stop};
    install_stop_handlers();
    struct grade_slot slot = {uid_base, uid_base};
    struct res_submission res;
    if (grade_submission(&env, &slot, sub, student, out, &res, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        res_submission_release(&res);
        return got_stop ? EXIT_STOPPED : EXIT_INTERNAL;
    }
    char *text = report_text(&res, &a->cfg, REPORT_STUDENT);
    if (text)
        fputs(text, stdout);
    free(text);
    rc = EXIT_GRADED;
    if (fail_under >= 0 && res.max_score > 0 && res.score * 100.0 < fail_under * res.max_score)
        rc = EXIT_UNDER;
    res_submission_release(&res);
    return rc;
}


static int cmd_batch(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},        {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'},
        {"no-performance", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    bool no_perf = false;
    struct batch_opts bo = {.out_dir = "grader-batch", .jobs = ncpu > 0 ? (unsigned)ncpu : 1,
                            .uid_base = UID_BASE_DEFAULT, .progress = stderr,
                            .progress_tty = isatty(STDERR_FILENO), .stop = &got_stop};
    bool sandbox = true;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:c:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': bo.out_dir = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'F': bo.force = true; break;
        case 'P': no_perf = true; break;
        case 'n': sandbox = false; break;
        case 'u':
            if (!parse_uid_base(optarg, &bo.uid_base))
                return EXIT_USAGE;
            break;
        case 'j':
            errno = 0;
            long j = strtol(optarg, &end, 10);
            if (errno || *end || j < 1 || j > 256) {
                fprintf(stderr, "grader: --jobs takes a number from 1 to 256\n");
                return EXIT_USAGE;
            }
            bo.jobs = (unsigned)j;
            break;
        case 'h': fputs(usage_batch, stdout); return EXIT_GRADED;
        default: fputs(usage_batch, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage_batch, stderr);
        return EXIT_USAGE;
    }
    bo.submissions_dir = argv[optind];
    int rc = app_prepare(a, sandbox);
    if (rc)
        return rc;

    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->work_root, .use_bwrap = sandbox, .unit_jobs = 1,
                            .skip_performance = no_perf, .cancel = &got_stop};
    struct batch_summary sum;
    char err[1024] = "";
    install_stop_handlers();   /* Ctrl-C: kill the running tests, keep finished students */
    rc = batch_run(&env, &bo, &sum, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "grader: %s\n", err);
        batch_summary_release(&sum);
        return EXIT_INTERNAL;
    }
    char *table = report_class_table(sum.rows, sum.nrows);
    if (table)
        fputs(table, stdout);
    free(table);
    batch_summary_release(&sum);
    printf("gradebook: %s/gradebook.csv, reports: %s/students/NAME/\n", bo.out_dir, bo.out_dir);
    fflush(stdout);
    fprintf(stderr, "graded %zu, skipped %zu (already graded), ungradable %zu, failed %zu%s\n",
            sum.graded, sum.skipped, sum.ungradable, sum.failed,
            sum.stopped ? " -- stopped early; run again to finish" : "");
    if (got_stop)
        return EXIT_STOPPED;
    return rc == 0 ? EXIT_GRADED : EXIT_INTERNAL;
}

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

static int cmd_check_config(struct app *a, int argc, char **argv)
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
    else if (strcmp(cmd, "check-config") == 0)
        rc = cmd_check_config(&a, sub_argc, sub_argv);
    else {
        fprintf(stderr, "grader: unknown command '%s' (see grader --help)\n", cmd);
        rc = EXIT_USAGE;
    }
    bld_trusted_release(&a.trusted);
    if (a.cfg_loaded)
        cfg_release(&a.cfg);
    return rc;
}
