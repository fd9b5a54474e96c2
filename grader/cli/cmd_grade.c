/*
 * cmd_grade.c -- grader grade SUBMISSION_DIR: grades one submission
 * (grade.h), prints the student's report, and with --repeat grades again
 * and compares.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "grade/grade.h"
#include "report/report.h"
#include "score/result.h"
#include "util/fsutil.h"

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
    "  -o, --output OUTDIR       where to write (created; one grader at a time:\n"
    "                            another that writes there makes this one exit 1)\n"
    "  --fail-under PERCENT      exit 3 if the score is below PERCENT of the maximum,\n"
    "                            saying so on stderr (\"score 27.0 of 60 is below\n"
    "                            fail_under 50%\")\n"
    "  --annotate WHERE          github: print GitHub Actions workflow commands\n"
    "                            (::error file=...,line=N::...) for each failing check\n"
    "                            a student may see, and for the fail_under verdict;\n"
    "                            none; auto (default): github when GITHUB_ACTIONS=true\n"
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
    "  --isolate-units           run every unit in a sandbox of its own (slower, same\n"
    "                            results); by default units of the same visibility and\n"
    "                            limits share one run of the test program\n"
    "  --submitted-at TIME       when the submission was made, for the config's late_policy\n"
    "                            (ISO 8601 with an offset, e.g. 2026-12-16T10:22:32-08:00)\n"
    "  --metadata FILE           read that time from Gradescope's submission_metadata.json\n"
    "                            (\"created_at\"), and the student's name and e-mail from\n"
    "                            its users[].  Without either, the submission folder's\n"
    "                            submission_metadata.json, else its file 'submitted_at'\n"
    "                            (one ISO 8601 line); without any, the time is unknown and\n"
    "                            not penalised\n"
    "  --adjustments FILE        the instructor's adjustments (YAML; docs/instructor-tools.md):\n"
    "                            this student's entry (by the student's name) is applied\n"
    "  --color WHEN              colour the printed report: auto (default: on a terminal,\n"
    "                            unless NO_COLOR is set and not empty), always, never\n"
    "  --repeat N                grade N times (1-100) into OUTDIR, print the first\n"
    "                            report, and compare every grading's score and units\n"
    "                            with the first: each difference on stderr, exit 4 if any\n";

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

/* grade's options. */
struct grade_args {
    const char *out, *submitted_at, *metadata;
    const char *adjustments;        /* --adjustments FILE, or NULL */
    const struct adj_file *adjust;  /* loaded from it, or NULL */
    unsigned repeat;                /* --repeat N */
    enum color_when color;
    bool no_perf, keep, isolate;
    bool annotate;                  /* --annotate: GitHub workflow commands */
    uid_t uid_base;
    double fail_under;              /* -1: none */
    enum app_sandbox sandbox;
};

/* --repeat N: 1 to 100. */
static bool parse_repeat(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] < '1' || s[0] > '9' || n > 100) {
        fprintf(stderr, "grader: --repeat takes a number from 1 to 100, not '%s'\n", s);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

/* --annotate: github, none, or auto (GitHub Actions sets GITHUB_ACTIONS=true). */
static bool parse_annotate(const char *s, bool *out)
{
    const char *gh = getenv("GITHUB_ACTIONS");
    if (strcmp(s, "github") == 0 || strcmp(s, "none") == 0)
        *out = s[0] == 'g';
    else if (strcmp(s, "auto") == 0)
        *out = gh && strcmp(gh, "true") == 0;
    else {
        fprintf(stderr, "grader: --annotate takes github, none or auto, not '%s'\n", s);
        return false;
    }
    return true;
}

/* Parses the options of 'grade'; returns -1 to go on, else an exit status. */
static int grade_parse(struct app *a, int argc, char **argv, struct grade_args *g)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},   {"fail-under", required_argument, NULL, 'f'},
        {"keep-scratch", no_argument, NULL, 'k'},   {"no-sandbox", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},   {"help", no_argument, NULL, 'h'},
        {"sandbox-uid", required_argument, NULL, 'u'}, {"sandbox", required_argument, NULL, 'X'},
        {"no-performance", no_argument, NULL, 'P'},
        {"isolate-units", no_argument, NULL, 'I'},
        {"submitted-at", required_argument, NULL, 'T'},
        {"metadata", required_argument, NULL, 'M'},
        {"color", required_argument, NULL, 'C'},
        {"repeat", required_argument, NULL, 'R'},
        {"annotate", required_argument, NULL, 'A'},
        {"adjustments", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': g->out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'k': g->keep = a->keep_scratch = true; break;
        case 'P': g->no_perf = true; break;
        case 'I': g->isolate = true; break;
        case 'n': g->sandbox = APP_SANDBOX_NONE; break;
        case 'X':
            if (!parse_sandbox(optarg, &g->sandbox))
                return EXIT_USAGE;
            break;
        case 'T': g->submitted_at = optarg; break;
        case 'M': g->metadata = optarg; break;
        case 'D': g->adjustments = optarg; break;
        case 'C':
            if (!parse_color(optarg, &g->color))
                return EXIT_USAGE;
            break;
        case 'R':
            if (!parse_repeat(optarg, &g->repeat))
                return EXIT_USAGE;
            break;
        case 'A':
            if (!parse_annotate(optarg, &g->annotate))
                return EXIT_USAGE;
            break;
        case 'u':
            if (!parse_uid_base(optarg, &g->uid_base))
                return EXIT_USAGE;
            break;
        case 'f':
            if (!parse_percent(optarg, &g->fail_under)) {
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
    return -1;
}

/*
 * The --fail-under verdict: true when the score is below the threshold,
 * with the sentence that says so in why[n] ("score 27.0 of 60 is below
 * fail_under 50%").
 */
static bool grade_under(const struct res_submission *res, double fail_under, char *why,
                        size_t n)
{
    if (fail_under < 0 || res->max_score <= 0 || res->score * 100.0 >= fail_under * res->max_score)
        return false;
    snprintf(why, n, "score %.1f of %g is below fail_under %g%% (%.1f%%)", res->score,
             res->max_score, fail_under, 100.0 * res->score / res->max_score);
    return true;
}

/* --annotate github: the failing checks, then the verdict, as workflow commands on stdout. */
static void grade_annotate(const struct res_submission *res, const struct grader_cfg *cfg,
                           const char *sub, const char *under)
{
    char *cmds = report_annotations_github(res, cfg, sub);
    if (cmds)
        fputs(cmds, stdout);
    else
        fprintf(stderr, "grader: warning: no annotations: out of memory\n");
    free(cmds);
    if (under)   /* the sentence has no %, CR, LF to escape */
        printf("::error title=fail_under::%s\n", under);
    fflush(stdout);
}

/*
 * Grades sub as student with a prepared app, prints the report, repeats
 * and compares if asked; frees iso_owned.  An exit status.
 */
static int grade_run(struct app *a, const struct grade_args *g, const char *sub,
                     const char *student, const char *email, const char *iso,
                     char *iso_owned)
{
    char err[1024] = "";
    int rc;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct grade_env env = {.cfg = &a->cfg, .trusted = &a->trusted,
                            .work_root = a->scratch.path, .use_bwrap = a->sandbox_level,
                            .probe = a->probe,
                            .sandbox = a->sandbox_desc, .keep_scratch = g->keep, .unit_jobs = ncpu > 0 ? (unsigned)ncpu : 1,
                            .skip_performance = g->no_perf, .isolate_units = g->isolate,
                            .cancel = &got_stop,
                            .student_email = email, .submitted_at = iso,
                            .metadata = g->metadata, .adjust = g->adjust};
    install_stop_handlers();
    struct grade_slot slot = {g->uid_base, g->uid_base};
    struct res_submission res;
    rc = grade_submission(&env, &slot, sub, student, g->out, &res, err, sizeof err);
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
    char *text = report_text_styled(&res, &a->cfg, REPORT_STUDENT, color_style(g->color));
    if (text)
        fputs(text, stdout);
    free(text);
    fflush(stdout);
    int same = g->repeat > 1 ? grade_repeat_compare(&env, &slot, sub, student, g->out,
                                                    g->repeat, &res, err, sizeof err) : 0;
    free(repeat_iso);
    rc = EXIT_GRADED;
    char why[160];
    bool under = grade_under(&res, g->fail_under, why, sizeof why);
    if (g->annotate)
        grade_annotate(&res, &a->cfg, sub, under ? why : NULL);
    if (under) {
        fprintf(stderr, "grader: %s\n", why);
        rc = EXIT_UNDER;
    }
    if (same > 0)
        rc = EXIT_UNREPEATABLE;
    if (same < 0)
        fprintf(stderr, "grader: %s\n", err);
    if (same < 0 || got_stop)
        rc = got_stop ? EXIT_STOPPED : EXIT_INTERNAL;
    res_submission_release(&res);
    return rc;
}

/*
 * Creates OUTDIR and locks it (flock on the folder itself: no file of ours
 * in it) until the process exits.  Two gradings writing one OUTDIR would
 * leave a mix of their files, each whole: a results.json of one beside
 * the reports of the other.  0, or EXIT_INTERNAL after the message.
 */
static int grade_lock_out(const char *out)
{
    int fd = -1;
    if (fs_mkdir_p(out, 0755) == 0)
        fd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return 0;   /* the grading says it cannot write there, as it did before */
    enum fs_lock got = fs_try_lock(fd, LOCK_EX);
    if (got == FS_LOCK_HELD)
        return 0;   /* fd stays open: the lock lasts until exit */
    close(fd);
    if (got == FS_LOCK_BUSY) {
        fprintf(stderr, "grader: another grader is writing to %s; wait for it to finish "
                        "or choose another -o\n", out);
        return EXIT_INTERNAL;
    }
    return 0;   /* no locks on this file system (an NFS without lockd): grade anyway */
}

int cmd_grade(struct app *a, int argc, char **argv)
{
    struct grade_args g = {.out = "grader-out", .repeat = 1, .color = COLOR_AUTO,
                           .uid_base = UID_BASE_DEFAULT, .fail_under = -1,
                           .sandbox = APP_SANDBOX_AUTO};
    if (!env_uid_base(&g.uid_base) || !parse_annotate("auto", &g.annotate))
        return EXIT_USAGE;
    int rc = grade_parse(a, argc, argv, &g);
    if (rc >= 0)
        return rc;
    const char *sub = argv[optind], *iso;
    char *iso_owned;
    char student[NAME_MAX + 1], real[PATH_MAX];
    rc = app_check_folder(sub);
    if (rc == 0)
        rc = grade_lock_out(g.out);
    if (rc)
        return rc;
    const char *base = realpath(sub, real) ? strrchr(real, '/') + 1 : sub;
    snprintf(student, sizeof student, "%s", *base ? base : "submission");
    rc = grade_submission_time(g.submitted_at, g.metadata, &iso, &iso_owned);
    if (rc)
        return rc;
    /* Grading cannot start: still a results.json that says so (Gradescope
     * shows it to the student, the reason to the staff). */
    if ((rc = app_prepare(a, g.sandbox)) != 0) {
        if (grade_write_failure(g.out, student, a->failure) < 0)
            fprintf(stderr, "grader: cannot write %s/results.json: %s\n", g.out, strerror(errno));
        free(iso_owned);
        return rc;
    }
    if (iso && !a->cfg.late.enabled)
        fprintf(stderr, "grader: note: the config has no late_policy; the submission time "
                        "is not used\n");
    /* On Gradescope the folder is "submission": the metadata names the student. */
    char *names = NULL, *emails = NULL, uerr[1024] = "";
    if (g.metadata && res_users_load(g.metadata, &names, &emails, uerr, sizeof uerr) < 0)
        fprintf(stderr, "grader: note: --metadata: %s; the student is '%s'\n", uerr, student);
    if (names)
        snprintf(student, sizeof student, "%s", names);
    free(names);
    struct adj_file adjust = {0};
    if (g.adjustments && (rc = load_adjustments(a, g.adjustments, &adjust)) != 0) {
        adj_release(&adjust);
        free(emails);
        free(iso_owned);
        return rc;
    }
    g.adjust = g.adjustments ? &adjust : NULL;
    rc = grade_run(a, &g, sub, student, emails, iso, iso_owned);
    adj_release(&adjust);
    free(emails);
    return rc;
}
