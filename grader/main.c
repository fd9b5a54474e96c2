/*
 * main.c -- the grader's command line.  The only place that exits.
 *
 *   grader [-c CONFIG] grade SUBMISSION_DIR [-o OUTDIR] [--fail-under PERCENT]
 *   grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force] [--shard I/N]
 *   grader [-c CONFIG] merge OUTDIR... -o OUT [--color WHEN]
 *   grader [-c CONFIG] check-config
 *   grader [-c CONFIG] release -o DIR
 *   grader [-c CONFIG] gradescope [-o ZIP]
 *   grader [-c CONFIG] policy SUBMISSION_DIR | --symbol NAME...
 *   grader [-c CONFIG] mutants [-o OUTDIR] [-j N] [--operators LIST] ...
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
#include <sys/stat.h>
#include <unistd.h>

#include "scale/batch.h"
#include "compile/build.h"
#include "config/cfg.h"
#include "util/fsutil.h"
#include "grade/grade.h"
#include "report/html.h"
#include "scale/merge.h"
#include "grade/mutants.h"
#include "report/mutreport.h"
#include "ship/release.h"
#include "run/perf.h"
#include "compile/policy.h"
#include "compile/polsub.h"
#include "report/report.h"
#include "sandbox/sbx.h"
#include "sandbox/scratch.h"
#include "util/strv.h"
#include "run/testrun.h"

#define GRADER_VERSION "0.2.0"

enum {
    EXIT_GRADED = 0,       /* graded, whatever the score */
    EXIT_INTERNAL = 1,     /* the grader itself failed */
    EXIT_USAGE = 2,        /* bad command line or config */
    EXIT_UNDER = 3,        /* grade --fail-under: the score is below it */
    EXIT_UNREPEATABLE = 4, /* grade --repeat: the gradings did not all agree */
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
    "  merge OUTDIR... -o OUT   combine batch outputs (e.g. shards) into one\n"
    "  check-config             validate the config against the test suites\n"
    "  release -o DIR           write the student release (stubs, visible tests, CI)\n"
    "  gradescope [-o ZIP]      write Gradescope's autograder package\n"
    "  policy SUBMISSION_DIR    check the code against the symbol policy, as grading does\n"
    "  mutants [-o OUTDIR]      mutation analysis: do the tests catch planted bugs?\n"
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
    "  report.md              the same in Markdown (also results.json's \"output\")\n"
    "  report-instructor.txt  everything\n"
    "  build.log              compiler and policy output\n"
    "  coverage/lcov.info, coverage/html/   line, function and branch coverage\n"
    "Prints the student's report.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (created)\n"
    "  --fail-under PERCENT      exit 3 if the score is below PERCENT of the maximum\n"
    "  --keep-scratch            keep the scratch folder (for debugging the grader)\n"
    "  --sandbox LEVEL           auto (default: bubblewrap where it can start, else the\n"
    "                            fallback, with a notice), bwrap (required), fallback\n"
    "                            (Landlock and seccomp: containers without user\n"
    "                            namespaces), none (trusted code only!)\n"
    "  --no-sandbox              the same as --sandbox none\n"
    "  --sandbox-uid UID         first uid of the sandbox users when run as root\n"
    "                            (default $GRADER_SANDBOX_UID, else 61000; unit runner k\n"
    "                            adds k*256)\n"
    "  --no-performance          skip the performance tests (they score 0): quick feedback\n"
    "  --submitted-at TIME       when the submission was made, for the config's late_policy\n"
    "                            (ISO 8601 with an offset, e.g. 2026-12-16T10:22:32-08:00)\n"
    "  --metadata FILE           read that time from Gradescope's submission_metadata.json\n"
    "                            (\"created_at\").  Without either, the submission folder's\n"
    "                            submission_metadata.json, else its file 'submitted_at'\n"
    "                            (one ISO 8601 line); without any, the time is unknown and\n"
    "                            not penalised\n"
    "  --color WHEN              colour the printed report: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set and not empty), always, never\n"
    "  --repeat N                grade N times (1-100) into OUTDIR, print the first\n"
    "                            report, and compare every grading's score and units\n"
    "                            with the first: each difference on stderr, exit 4 if any\n";

static const char usage_batch[] =
    "usage: grader [-c CONFIG] batch SUBMISSIONS_DIR [-o OUTDIR] [-j N] [--force]\n"
    "                                [--shard I/N]\n"
    "\n"
    "Grades every sub-folder of SUBMISSIONS_DIR as one student's submission, N at\n"
    "a time, into OUTDIR/students/NAME/ (the files of 'grade'), then writes\n"
    "OUTDIR/gradebook.csv and prints it.  Students already graded are skipped\n"
    "unless --force; an interrupted batch resumes where it stopped.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (default grader-batch)\n"
    "  -j, --jobs N              parallel submissions (default: number of CPUs)\n"
    "  --force                   regrade everyone\n"
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
    "  --color WHEN              colour the class summary: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set and not empty), always, never\n"
    "With the config's late_policy, each student's submission time comes from their\n"
    "folder's submission_metadata.json (\"created_at\"), else its file 'submitted_at'\n"
    "(one ISO 8601 line); without either it is unknown and not penalised.\n";

static const char usage_merge[] =
    "usage: grader [-c CONFIG] merge OUTDIR... -o OUT\n"
    "\n"
    "Combines the outputs of several batches (the shards of one class, say) into\n"
    "OUT: copies every finished student folder (OUTDIR/students/NAME with a\n"
    "results.json) into OUT/students/, then rebuilds OUT/gradebook.csv as a batch\n"
    "does (the config gives its header) and writes the dashboard OUT/index.html.\n"
    "A student found in two OUTDIRs must be byte-identical in both.  Refuses while\n"
    "a batch writes OUT or one of the OUTDIRs.  Prints the class summary.\n"
    "\n"
    "  -o, --output OUT          where to merge (created; required)\n"
    "  --color WHEN              colour the class summary: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set), always or never\n";

static const char usage_release[] =
    "usage: grader [-c CONFIG] release -o DIR\n"
    "\n"
    "Writes the student release into DIR (which must not exist, or be empty), in\n"
    "the repository's layout: the stubs and the files of the config's\n"
    "release.files (headers, harness, visible suites, student Makefile and README,\n"
    "the grader's source); config.yaml, which grades with the visible check tests\n"
    "only (no hidden or performance test, no solution path); and CI workflows that\n"
    "grade the stubs' folder with it and fail under release.ci.fail_under percent\n"
    "(.github/workflows/grade.yml, .gitlab-ci.yml).\n"
    "Every file is scanned first for solution code, hidden tests (ids, names,\n"
    "suites, test functions) and instructor-only paths; if anything would leak,\n"
    "nothing is written and each leak is listed as FILE:LINE: what (exit 1).\n"
    "\n"
    "  -o, --output DIR          where to write (required)\n";

static const char usage_gradescope[] =
    "usage: grader [-c CONFIG] gradescope [-o ZIP]\n"
    "\n"
    "Writes Gradescope's autograder package (default autograder.zip): setup.sh\n"
    "(installs the packages, builds the grader, caches the trusted objects) and\n"
    "run_autograder (grades /autograder/submission into /autograder/results, with\n"
    "the submission time of /autograder/submission_metadata.json) at its root, and\n"
    "source/ with the tree grading needs: the config, the grader's source, the\n"
    "harness with the hidden suites, the stubs.  Never a solution: a file at a\n"
    "solution's path or with its bytes is refused (exit 1).\n"
    "\n"
    "  -o, --output ZIP          the zip to write (replaced if it exists)\n";

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
    struct scr_root scratch;      /* grade, batch: the scratch root (scratch.h) */
    bool keep_scratch;            /* --keep-scratch: leave the root for debugging */
    char failure[512];            /* why grading could not start, for results.json */
    int sandbox_level;            /* the enum sbx_level app_check_sandbox() chose */
    char sandbox_desc[128];       /* and its description for the reports */
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
    if (bld_trusted_init(&a->cfg, a->cache_root, &a->trusted, &log) < 0) {
        fprintf(stderr, "grader: the trusted harness does not build:\n%s\n", log ? log : "");
        snprintf(a->failure, sizeof a->failure, "the trusted harness does not build "
                 "(the grader's stderr has the compiler's output)");
        free(log);
        return EXIT_INTERNAL;
    }
    free(log);
    return 0;
}

/* --sandbox LEVEL (--no-sandbox is "none"). */
enum app_sandbox { APP_SANDBOX_AUTO, APP_SANDBOX_BWRAP, APP_SANDBOX_FALLBACK, APP_SANDBOX_NONE };

static bool parse_sandbox(const char *s, enum app_sandbox *out)
{
    static const char *const names[] = {"auto", "bwrap", "fallback", "none"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum app_sandbox)i;
            return true;
        }
    fprintf(stderr, "grader: --sandbox takes auto, bwrap, fallback or none\n");
    return false;
}

/*
 * Chooses the sandbox level (a->sandbox_level, a->sandbox_desc): bwrap
 * where it can start, unless told otherwise; else the fallback, which
 * says which of its kernel layers it lacks.  A weaker sandbox than asked
 * for is never silent: a notice on stderr, and the reports record it.
 */
static int app_check_sandbox(struct app *a, enum app_sandbox want)
{
    struct sbx_opts o;
    char why[256] = "";
    unsigned layers = 0;
    a->sandbox_level = want == APP_SANDBOX_NONE ? SBX_LEVEL_NONE
                     : want == APP_SANDBOX_FALLBACK ? SBX_LEVEL_FALLBACK : SBX_LEVEL_BWRAP;
    if (a->sandbox_level == SBX_LEVEL_BWRAP) {
        sbx_opts_init(&o);
        o.workdir = "/tmp";
        if (!sbx_bwrap_available(&o) && want == APP_SANDBOX_BWRAP) {
            fprintf(stderr, "grader: bubblewrap cannot create a sandbox here (is the "
                            "'bubblewrap'\npackage installed, and are unprivileged user "
                            "namespaces enabled?).\nUse --sandbox fallback where they "
                            "cannot be, --no-sandbox only for trusted code.\n");
            return EXIT_INTERNAL;
        } else if (!sbx_bwrap_available(&o)) {
            fprintf(stderr, "grader: notice: bubblewrap cannot create a sandbox here (no "
                            "unprivileged user namespaces?); using the fallback sandbox\n");
            a->sandbox_level = SBX_LEVEL_FALLBACK;
        }
    }
    if (a->sandbox_level == SBX_LEVEL_FALLBACK) {
        layers = sbx_fallback_layers(why, sizeof why);
        if (why[0])
            fprintf(stderr, "grader: notice: the fallback sandbox runs without %s\n", why);
    }
    sbx_level_describe(a->sandbox_level, layers, a->sandbox_desc, sizeof a->sandbox_desc);
    return 0;
}

/*
 * grade and batch: the scratch root (scratch.h), after removing what dead
 * graders left in the places it may be.  As root the sandboxes run as
 * other users, who must reach it.  0 or EXIT_INTERNAL after a message.
 */
static int app_open_scratch(struct app *a)
{
    const char *tmp = getenv("TMPDIR");
    const char *bases[] = {tmp && *tmp ? tmp : NULL, "/tmp", "/var/tmp"};
    char err[2048];
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (bases[i])
            scr_remove_stale(bases[i]);
    if (scr_root_open(tmp, geteuid() == 0, &a->scratch, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        snprintf(a->failure, sizeof a->failure, "no usable scratch folder: %.200s", err);
        return EXIT_INTERNAL;
    }
    if (a->scratch.note[0])
        fprintf(stderr, "grader: note: %s; using %s\n", a->scratch.note, a->scratch.path);
    return 0;
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

/* The default --sandbox-uid: $GRADER_SANDBOX_UID (two graders on one
 * machine, or two test runs, keep their sandbox users apart), else 61000. */
static bool env_uid_base(uid_t *out)
{
    const char *env = getenv("GRADER_SANDBOX_UID");
    if (!env || !*env)
        return true;
    if (parse_uid_base(env, out))
        return true;
    fprintf(stderr, "grader: (from the environment: GRADER_SANDBOX_UID=%s)\n", env);
    return false;
}

/* What grade and batch need before grading: config, sandbox, trusted
 * objects, scratch root.  On failure a->failure says which, for results.json. */
static int app_prepare(struct app *a, enum app_sandbox sandbox)
{
    int rc = app_load_config(a);
    if (rc)
        snprintf(a->failure, sizeof a->failure, "the grading config %.200s is invalid "
                 "(the grader's stderr says where)", a->config_path);
    if (!rc && (rc = app_check_sandbox(a, sandbox)) != 0)
        snprintf(a->failure, sizeof a->failure, "the sandbox cannot start on this machine "
                 "(the grader's stderr says why)");
    if (!rc)
        rc = app_build_trusted(a);
    if (!rc)
        rc = app_open_scratch(a);
    return rc;
}

/* A folder to grade: 0, or EXIT_USAGE after "grader: PATH: no such folder". */
static int app_check_folder(const char *path)
{
    struct stat st;
    const char *why = NULL;
    if (stat(path, &st) < 0)
        why = errno == ENOENT || errno == ENOTDIR ? "no such folder" : strerror(errno);
    else if (!S_ISDIR(st.st_mode))
        why = "not a folder";
    if (!why)
        return 0;
    fprintf(stderr, "grader: %s: %s\n", path, why);
    return EXIT_USAGE;
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

/* --color WHEN */
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

static bool parse_color(const char *s, enum color_when *out)
{
    static const char *const names[] = {"auto", "always", "never"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum color_when)i;
            return true;
        }
    }
    fprintf(stderr, "grader: --color takes auto, always or never, not '%s'\n", s);
    return false;
}

/* The report style for stdout.  auto: colour on a terminal unless NO_COLOR
 * is set to anything but "" (https://no-color.org); the flag wins over it. */
static unsigned color_style(enum color_when when)
{
    const char *no_color = getenv("NO_COLOR");
    if (when == COLOR_AUTO)
        return isatty(STDOUT_FILENO) && !(no_color && *no_color) ? REPORT_COLOR : REPORT_PLAIN;
    return when == COLOR_ALWAYS ? REPORT_COLOR : REPORT_PLAIN;
}

/*
 * grade's submission time: --submitted-at (checked), else --metadata's
 * "created_at", else NULL (the folder's files decide).  *owned is what the
 * caller frees.  0, or EXIT_USAGE after a message.
 */
static int grade_submission_time(const char *flag, const char *metadata, const char **iso,
                                 char **owned)
{
    char err[1024] = "";
    int64_t ms;
    *iso = NULL;
    *owned = NULL;
    if (flag && cfg_parse_time(flag, &ms) < 0) {
        fprintf(stderr, "grader: --submitted-at takes an ISO 8601 time with an offset "
                        "(e.g. 2026-12-16T10:22:32-08:00), not '%s'\n", flag);
        return EXIT_USAGE;
    }
    if (flag || !metadata) {
        *iso = flag;
        return 0;
    }
    int rc = res_time_load(metadata, RES_TIME_METADATA, true, owned, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "grader: --metadata: %s\n", rc > 0 ? "no such file" : err);
        return EXIT_USAGE;
    }
    *iso = *owned;
    return 0;
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

/*
 * grade --repeat: grades runs 2..times into the same folder and compares
 * each with the first, score and every unit's status and score, exactly
 * (grading is deterministic, so equal means bit-equal).  Prints each
 * difference.  0 when all agree, 1 when some differ, -1 on a grader
 * failure (err).
 */
static int grade_repeat_compare(const struct grade_env *env, const struct grade_slot *slot,
                                const char *sub, const char *student, const char *out,
                                unsigned times, const struct res_submission *first,
                                char *err, size_t errlen)
{
    int differ = 0;
    for (unsigned k = 2; k <= times && !got_stop; k++) {
        struct res_submission again;
        if (grade_submission(env, slot, sub, student, out, &again, err, errlen) < 0) {
            res_submission_release(&again);
            return -1;
        }
        if (again.score != first->score || again.status != first->status) {
            fprintf(stderr, "grader: grading %u scored %.2f, grading 1 %.2f\n", k,
                    again.score, first->score);
            differ = 1;
        }
        for (size_t i = 0; i < first->ntests && i < again.ntests; i++) {
            const struct res_test *t1 = &first->tests[i], *tk = &again.tests[i];
            if (tk->score == t1->score && tk->status == t1->status)
                continue;
            fprintf(stderr, "grader: grading %u: %s %s %.2f; grading 1: %s %.2f\n", k,
                    t1->cfg->id, res_test_status_name(tk->status), tk->score,
                    res_test_status_name(t1->status), t1->score);
            differ = 1;
        }
        res_submission_release(&again);
    }
    if (!differ && !got_stop)
        fprintf(stderr, "grader: %u gradings, the same score every time: %.2f\n", times,
                first->score);
    return differ;
}

static int cmd_grade(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},   {"fail-under", required_argument, NULL, 'f'},
        {"keep-scratch", no_argument, NULL, 'k'},   {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},   {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'}, {"sandbox", required_argument, NULL, 'X'},
        {"no-performance", no_argument, NULL, 'P'},
        {"submitted-at", required_argument, NULL, 'T'},
        {"metadata", required_argument, NULL, 'M'},
        {"color", required_argument, NULL, 'C'},
        {"repeat", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    unsigned repeat = 1;
    const char *out = "grader-out", *submitted_at = NULL, *metadata = NULL;
    enum color_when color = COLOR_AUTO;
    bool no_perf = false;
    uid_t uid_base = UID_BASE_DEFAULT;
    if (!env_uid_base(&uid_base))
        return EXIT_USAGE;
    double fail_under = -1;
    bool keep = false;
    enum app_sandbox sandbox = APP_SANDBOX_AUTO;
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'k': keep = a->keep_scratch = true; break;
        case 'P': no_perf = true; break;
        case 'n': sandbox = APP_SANDBOX_NONE; break;
        case 'X':
            if (!parse_sandbox(optarg, &sandbox))
                return EXIT_USAGE;
            break;
        case 'T': submitted_at = optarg; break;
        case 'M': metadata = optarg; break;
        case 'C':
            if (!parse_color(optarg, &color))
                return EXIT_USAGE;
            break;
        case 'R': {
            char *end;
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] < '1' || optarg[0] > '9' ||
                n > 100) {
                fprintf(stderr, "grader: --repeat takes a number from 1 to 100, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            repeat = (unsigned)n;
            break;
        }
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
    const char *sub = argv[optind], *iso;
    char *iso_owned;
    char student[NAME_MAX + 1], real[PATH_MAX], err[1024] = "";
    int rc = app_check_folder(sub);
    if (rc)
        return rc;
    const char *base = realpath(sub, real) ? strrchr(real, '/') + 1 : sub;
    snprintf(student, sizeof student, "%s", *base ? base : "submission");
    rc = grade_submission_time(submitted_at, metadata, &iso, &iso_owned);
    if (rc)
        return rc;
    /* Grading cannot start: still a results.json that says so (Gradescope
     * shows it to the student, the reason to the staff). */
    if ((rc = app_prepare(a, sandbox)) != 0) {
        if (grade_write_failure(out, student, a->failure) < 0)
            fprintf(stderr, "grader: cannot write %s/results.json: %s\n", out, strerror(errno));
        free(iso_owned);
        return rc;
    }
    if (iso && !a->cfg.late.enabled)
        fprintf(stderr, "grader: note: the config has no late_policy; the submission time "
                        "is not used\n");

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->scratch.path, .use_bwrap = a->sandbox_level,
                            .sandbox = a->sandbox_desc, .keep_scratch = keep, .unit_jobs = ncpu > 0 ? (unsigned)ncpu : 1,
                            .skip_performance = no_perf, .cancel = &got_stop,
                            .submitted_at = iso};
    install_stop_handlers();
    struct grade_slot slot = {uid_base, uid_base};
    struct res_submission res;
    rc = grade_submission(&env, &slot, sub, student, out, &res, err, sizeof err);
    char *repeat_iso = iso_owned;     /* env.submitted_at, for the repeated gradings */
    if (rc < 0) {
        fprintf(stderr, "grader: %s\n", err);
        free(repeat_iso);
        res_submission_release(&res);
        return got_stop ? EXIT_STOPPED : EXIT_INTERNAL;
    }
    for (size_t i = 0; i < res.ndegraded; i++)   /* graded, but without a stage */
        fprintf(stderr, "grader: warning: %s stage skipped: %s\n", res.degraded[i].stage,
                res.degraded[i].detail ? res.degraded[i].detail : res.degraded[i].message);
    char *text = report_text_styled(&res, &a->cfg, REPORT_STUDENT, color_style(color));
    if (text)
        fputs(text, stdout);
    free(text);
    fflush(stdout);
    int same = repeat > 1 ? grade_repeat_compare(&env, &slot, sub, student, out, repeat, &res,
                                                 err, sizeof err) : 0;
    free(repeat_iso);
    rc = EXIT_GRADED;
    if (fail_under >= 0 && res.max_score > 0 && res.score * 100.0 < fail_under * res.max_score)
        rc = EXIT_UNDER;
    if (same > 0)
        rc = EXIT_UNREPEATABLE;
    if (same < 0)
        fprintf(stderr, "grader: %s\n", err);
    if (same < 0 || got_stop)
        rc = got_stop ? EXIT_STOPPED : EXIT_INTERNAL;
    res_submission_release(&res);
    return rc;
}


static int cmd_batch(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},        {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'}, {"sandbox", required_argument, NULL, 'X'},
        {"no-performance", no_argument, NULL, 'P'},
        {"shard", required_argument, NULL, 'S'},
        {"color", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    enum color_when color = COLOR_AUTO;
    bool no_perf = false;
    struct batch_opts bo = {.out_dir = "grader-batch", .jobs = ncpu > 0 ? (unsigned)ncpu : 1,
                            .uid_base = UID_BASE_DEFAULT, .progress = stderr,
                            .progress_tty = isatty(STDERR_FILENO), .stop = &got_stop};
    if (!env_uid_base(&bo.uid_base))
        return EXIT_USAGE;
    enum app_sandbox sandbox = APP_SANDBOX_AUTO;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:c:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': bo.out_dir = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'F': bo.force = true; break;
        case 'P': no_perf = true; break;
        case 'n': sandbox = APP_SANDBOX_NONE; break;
        case 'X':
            if (!parse_sandbox(optarg, &sandbox))
                return EXIT_USAGE;
            break;
        case 'u':
            if (!parse_uid_base(optarg, &bo.uid_base))
                return EXIT_USAGE;
            break;
        case 'S':
            if (!parse_shard(optarg, &bo.shard_index, &bo.shard_count))
                return EXIT_USAGE;
            break;
        case 'C':
            if (!parse_color(optarg, &color))
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
    int rc = app_check_folder(bo.submissions_dir);
    if (!rc)
        rc = app_prepare(a, sandbox);
    if (rc)
        return rc;

    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->scratch.path, .use_bwrap = a->sandbox_level,
                            .sandbox = a->sandbox_desc, .unit_jobs = 1,
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
    char *table = report_class_table_styled(sum.rows, sum.nrows, color_style(color));
    if (table)
        fputs(table, stdout);
    free(table);
    batch_summary_release(&sum);
    printf("gradebook: %s/gradebook.csv, dashboard: %s/index.html, reports: %s/students/NAME/\n",
           bo.out_dir, bo.out_dir, bo.out_dir);
    fflush(stdout);
    fprintf(stderr, "graded %zu, skipped %zu (already graded), ungradable %zu, failed %zu%s\n",
            sum.graded, sum.skipped, sum.ungradable, sum.failed,
            sum.stopped ? " -- stopped early; run again to finish" : "");
    if (got_stop)
        return EXIT_STOPPED;
    return rc == 0 ? EXIT_GRADED : EXIT_INTERNAL;
}

static int cmd_merge(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"config", required_argument, NULL, 'c'},
        {"color", required_argument, NULL, 'C'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    enum color_when color = COLOR_AUTO;
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
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
    struct merge_opts mo = {.inputs = (const char *const *)argv + optind,
                            .ninputs = (size_t)(argc - optind), .out_dir = out,
                            .progress = stderr};
    struct merge_summary sum;
    char err[1024] = "";
    if (merge_run(&a->cfg, &mo, &sum, err, sizeof err) < 0) {
        fprintf(stderr, "grader: merge: %s\n", err);
        merge_summary_release(&sum);
        return EXIT_INTERNAL;
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

/* The config, which must have a release section.  0 or an exit status. */
static int app_load_release(struct app *a)
{
    int rc = app_load_config(a);
    if (rc == 0 && !a->cfg.release.enabled) {
        fprintf(stderr, "grader: %s: no 'release' section: nothing says what to ship "
                        "(see README.md)\n", a->config_path);
        rc = EXIT_USAGE;
    }
    return rc;
}

/* Why a release or a package was not written: the reason, then each leak. */
static int release_refused(const char *what, const char *err, const struct strv *findings)
{
    fprintf(stderr, "grader: refusing to write %s: %s\n", what, err);
    for (size_t i = 0; i < findings->n; i++)
        fprintf(stderr, "  %s\n", findings->v[i]);
    return EXIT_INTERNAL;
}

/* The options of release and gradescope: -o and -c.  0, -1 after --help,
 * or an exit status. */
static int parse_package_opts(struct app *a, int argc, char **argv, const char *usage,
                              const char **out)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': *out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc || *out == NULL) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_release(struct app *a, int argc, char **argv)
{
    const char *out = NULL;
    struct strv findings = {0};
    struct rel_summary sum;
    char err[2048] = "";
    int rc = parse_package_opts(a, argc, argv, usage_release, &out);
    if (rc)
        return rc < 0 ? EXIT_GRADED : rc;
    if ((rc = app_load_release(a)) != 0)
        return rc;
    if (rel_write_release(&a->cfg, out, &sum, &findings, err, sizeof err) < 0) {
        rc = release_refused(out, err, &findings);
    } else {
        printf("release: %zu files in %s; its config.yaml grades %zu visible tests "
               "(%g points),\nits CI fails under %g%%; checked for %zu solution lines and "
               "%zu hidden or\ninstructor-only names: none ships\n", sum.files, out, sum.tests,
               sum.points, a->cfg.release.fail_under, sum.solution_lines, sum.tokens);
    }
    strv_clear(&findings);
    return rc;
}

static int cmd_gradescope(struct app *a, int argc, char **argv)
{
    const char *out = "autograder.zip";
    struct strv findings = {0};
    struct rel_summary sum;
    char err[2048] = "";
    int rc = parse_package_opts(a, argc, argv, usage_gradescope, &out);
    if (rc)
        return rc < 0 ? EXIT_GRADED : rc;
    if ((rc = app_load_release(a)) != 0)
        return rc;
    if (rel_write_gradescope(&a->cfg, out, &sum, &findings, err, sizeof err) < 0) {
        rc = release_refused(out, err, &findings);
    } else {
        printf("gradescope: %s: setup.sh, run_autograder and source/ (%zu files, "
               "no solution)\n", out, sum.files);
    }
    strv_clear(&findings);
    return rc;
}

/* ---- mutants ------------------------------------------------------------------ */

static const char usage_mutants[] =
    "usage: grader [-c CONFIG] mutants [-o OUTDIR] [-j N] [--operators LIST]\n"
    "                                  [--functions LIST] [--limit N] [--all-tests]\n"
    "                                  [--fail-under PERCENT] [--mutagen PATH]\n"
    "\n"
    "Mutation analysis of the grading: plants one realistic bug at a time in the\n"
    "reference solution (the config's student_files[].solution), grades each such\n"
    "mutant's check units in the sandbox, and reports which mutants the tests kill\n"
    "and which survive (each with its diff).  Writes OUTDIR/mutants.txt, .md, .json\n"
    "and index.html, and prints the text report.  For instructors: the reports\n"
    "quote the reference.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (default grader-mutants)\n"
    "  -j, --jobs N              mutants analysed at once (default: number of CPUs)\n"
    "  --operators LIST          comma list of operators (default: mutants.operators,\n"
    "                            else all: ror,aor,bound,loop,const,del,swap,round,clamp)\n"
    "  --functions LIST          comma list of function globs (default: mutants.functions,\n"
    "                            else every function)\n"
    "  --limit N                 analyse the first N mutants only\n"
    "  --all-tests               run every test that reaches a mutant (complete\n"
    "                            per-test figures) instead of stopping at its first kill\n"
    "  --fail-under PERCENT      exit 3 when the mutation score is below PERCENT\n"
    "  --mutagen PATH            the mutant generator (default: $GRADER_MUTAGEN, else\n"
    "                            'mutagen' beside the grader, else in PATH)\n"
    "  --sandbox LEVEL           auto (default), bwrap, fallback, none: as for 'grade'\n"
    "  --no-sandbox              run without a sandbox (trusted code only)\n"
    "  --sandbox-uid UID         first uid of the sandbox users when run as root\n"
    "  --keep-scratch            keep the scratch folder (its path is printed)\n";

/* The mutant generator: --mutagen, $GRADER_MUTAGEN, beside this program, else PATH. */
static void mutagen_path(const char *given, char *out, size_t n)
{
    const char *env = getenv("GRADER_MUTAGEN");
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (given || (env && *env)) {
        snprintf(out, n, "%s", given ? given : env);
        return;
    }
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            snprintf(slash + 1, sizeof self - (size_t)(slash + 1 - self), "mutagen");
            if (access(self, X_OK) == 0) {
                snprintf(out, n, "%s", self);
                return;
            }
        }
    }
    snprintf(out, n, "mutagen");
}

static bool parse_count(const char *s, long least, long most, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < least || v > most)
        return false;
    *out = v;
    return true;
}

struct mutants_args {
    struct mut_options mo;
    const char *out, *mutagen;
    double fail_under;
    enum app_sandbox sandbox;
};

/* Parses the options of 'mutants'; returns -1 to go on, else an exit status. */
static int mutants_parse(struct app *a, int argc, char **argv, struct mutants_args *m)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},    {"jobs", required_argument, NULL, 'j'},
        {"operators", required_argument, NULL, 'O'}, {"functions", required_argument, NULL, 'F'},
        {"limit", required_argument, NULL, 'L'},     {"all-tests", no_argument, NULL, 'A'},
        {"fail-under", required_argument, NULL, 'f'}, {"mutagen", required_argument, NULL, 'G'},
        {"no-sandbox", no_argument, NULL, 'n'},      {"sandbox-uid", required_argument, NULL, 'u'},
        {"sandbox", required_argument, NULL, 'X'},
        {"keep-scratch", no_argument, NULL, 'k'},    {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    long v;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': m->out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'O': m->mo.operators = optarg; break;
        case 'F': m->mo.functions = optarg; break;
        case 'A': m->mo.all_units = true; break;
        case 'G': m->mutagen = optarg; break;
        case 'n': m->sandbox = APP_SANDBOX_NONE; break;
        case 'X':
            if (!parse_sandbox(optarg, &m->sandbox))
                return EXIT_USAGE;
            break;
        case 'k': m->mo.keep_scratch = true; break;
        case 'j':
            if (!parse_count(optarg, 1, 256, &v)) {
                fprintf(stderr, "grader: --jobs takes a number from 1 to 256\n");
                return EXIT_USAGE;
            }
            m->mo.jobs = (unsigned)v;
            break;
        case 'L':
            if (!parse_count(optarg, 1, 1000000, &v)) {
                fprintf(stderr, "grader: --limit takes a number from 1 to 1000000\n");
                return EXIT_USAGE;
            }
            m->mo.limit = (size_t)v;
            break;
        case 'u':
            if (!parse_uid_base(optarg, &m->mo.uid))
                return EXIT_USAGE;
            m->mo.gid = m->mo.uid;
            break;
        case 'f':
            if (!parse_percent(optarg, &m->fail_under)) {
                fprintf(stderr, "grader: --fail-under takes a percentage from 0 to 100\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(usage_mutants, stdout); return EXIT_GRADED;
        default: fputs(usage_mutants, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs(usage_mutants, stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* OUT/mutants inside a batch's OUT: rebuild OUT's dashboard, which then links it. */
static void mutants_link_dashboard(const struct grader_cfg *cfg, const char *out)
{
    char dir[PATH_MAX], students[PATH_MAX + 16], err[512];
    char *slash = realpath(out, dir) ? strrchr(dir, '/') : NULL;
    if (!slash || slash == dir || strcmp(slash + 1, "mutants") != 0)
        return;
    *slash = '\0';
    snprintf(students, sizeof students, "%s/students", dir);
    if (access(students, F_OK) != 0)
        return;
    if (html_write_dashboard(cfg, dir, err, sizeof err) < 0)
        fprintf(stderr, "grader: note: the dashboard was not updated: %s\n", err);
    else
        fprintf(stderr, "mutants: linked from %s/index.html\n", dir);
}

static int cmd_mutants(struct app *a, int argc, char **argv)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct mutants_args m = {
        .mo = {.uid = UID_BASE_DEFAULT, .gid = UID_BASE_DEFAULT, .progress = stderr,
               .jobs = ncpu > 0 ? (unsigned)ncpu : 1, .cancel = &got_stop},
        .out = "grader-mutants", .fail_under = -1, .sandbox = APP_SANDBOX_AUTO,
    };
    char mutagen[PATH_MAX], err[4096] = "";
    int rc = mutants_parse(a, argc, argv, &m);
    if (rc >= 0)
        return rc;
    if ((rc = app_prepare(a, m.sandbox)) != 0)
        return rc;
    mutagen_path(m.mutagen, mutagen, sizeof mutagen);
    m.mo.cfg = &a->cfg;
    m.mo.trusted = &a->trusted;
    m.mo.mutagen = mutagen;
    m.mo.work_root = a->work_root;
    m.mo.use_bwrap = a->sandbox_level;
    install_stop_handlers();
    struct mut_result r;
    rc = mut_run(&m.mo, &r, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "grader: mutants: %s\n", err);
        mut_result_release(&r);
        return got_stop ? EXIT_STOPPED : EXIT_INTERNAL;
    }
    const char *title = a->cfg.title ? a->cfg.title : a->cfg.name;
    char *text = mutrep_text(&r, title);
    if (text)
        fputs(text, stdout);
    free(text);
    if (mutrep_write(&r, title, m.out, err, sizeof err) < 0) {
        fprintf(stderr, "grader: mutants: %s\n", err);
        mut_result_release(&r);
        return EXIT_INTERNAL;
    }
    fprintf(stderr, "mutants: reports in %s/ (mutants.txt, mutants.md, mutants.json, "
            "index.html)\n", m.out);
    mutants_link_dashboard(&a->cfg, m.out);
    rc = EXIT_GRADED;
    if (m.fail_under >= 0 && mut_score(&r, NULL) * 100.0 < m.fail_under)
        rc = EXIT_UNDER;
    mut_result_release(&r);
    return rc;
}

/* policy --symbol: one line per name, "NAME: allowed: ..." or "NAME: refused: ...". */
static int policy_symbols(struct app *a, const struct strv *names)
{
    struct pol_rules *rules;
    char err[1024] = "", why[512];
    if (pol_rules_new(&a->cfg.symbols, pol_run_direct, NULL, &rules, err, sizeof err) < 0) {
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

static int cmd_policy(struct app *a, int argc, char **argv)
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
    else {
        fprintf(stderr, "grader: unknown command '%s' (see grader --help)\n", cmd);
        rc = EXIT_USAGE;
    }
    if (a.keep_scratch && a.scratch.path[0])
        fprintf(stderr, "grader: scratch folders kept in %s\n", a.scratch.path);
    else
        scr_root_close(&a.scratch);
    bld_trusted_release(&a.trusted);
    if (a.cfg_loaded)
        cfg_release(&a.cfg);
    return rc;
}
