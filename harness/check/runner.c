/*
 * runner.c -- the test program's main (see runner.h for the command line,
 * which the grader relies on).
 *
 * Theory of operation: the selected cases of every tc_suite become Check
 * TCases in Suites of one SRunner, so one --xml file holds every result.
 * Check reports a result's TCase name but not its suite nor (publicly)
 * its test name, and TCase names may repeat across suites; so while
 * building we record the (suite, case, test) of every test in run order,
 * which is the order Check runs and reports them in (suites, cases and
 * tests in insertion order, one result per test under CK_FORK).
 *
 * While tests run, their stdout goes to stderr, so stdout carries only
 * the result lines and the summary.
 */
#include "runner.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { RUNNER_OK = 0, RUNNER_FAILED = 1, RUNNER_USAGE = 2 };

#define RUNNER_DEFAULT_TIMEOUT 10.0

struct runner_opts {
    int list;              /* --list */
    int quiet;             /* --quiet */
    double timeout_s;      /* --timeout, for cases that set none */
    double budget_s;       /* --budget: the whole case's time; 0 = none */
    const char *xml;       /* --xml FILE, or NULL */
    char **only;           /* --only IDs (pointers into argv) */
    int nonly;
};

/* One test as registered, so results can be named. */
struct runner_entry {
    const char *suite, *tcase, *test;
};

/* A flat view of the suite tables: case i of all cases, in table order. */
struct runner_plan {
    const struct tc_suite *const *suites;
    int ncases;                /* all cases of all suites */
    unsigned char *selected;   /* ncases flags */
};

static void runner_usage(FILE *out, const char *prog)
{
    fprintf(out, "usage: %s [--list] [--only ID]... [--xml FILE] "
                 "[--timeout SECONDS] [--budget SECONDS] [--quiet]\n"
                 "  ID is a suite or suite/case, as printed by --list\n",
            prog);
}

static int runner_parse_timeout(const char *text, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v <= 0)
        return -1;
    *out = v;
    return 0;
}

/*
 * Fills opts from argv.  Returns 0, 1 if --help was printed, or -1 after a
 * message on stderr.
 */
static int runner_parse_args(int argc, char **argv, struct runner_opts *opts)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, 'l'},    {"only", required_argument, NULL, 'o'},
        {"xml", required_argument, NULL, 'x'}, {"timeout", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},   {"help", no_argument, NULL, 'h'},
        {"budget", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': opts->list = 1; break;
        case 'q': opts->quiet = 1; break;
        case 'x': opts->xml = optarg; break;
        case 'o': opts->only[opts->nonly++] = optarg; break;
        case 't':
            if (runner_parse_timeout(optarg, &opts->timeout_s) < 0) {
                fprintf(stderr, "%s: --timeout wants a positive number of "
                                "seconds, not '%s'\n", argv[0], optarg);
                return -1;
            }
            break;
        case 'b':
            if (runner_parse_timeout(optarg, &opts->budget_s) < 0) {
                fprintf(stderr, "%s: --budget wants a positive number of "
                                "seconds, not '%s'\n", argv[0], optarg);
                return -1;
            }
            break;
        case 'h': runner_usage(stdout, argv[0]); return 1;
        default: runner_usage(stderr, argv[0]); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
        runner_usage(stderr, argv[0]);
        return -1;
    }
    return 0;
}

static int runner_count_tests(const struct tc_case *tcase)
{
    int n = 0;

    while (tcase->tests != NULL && tcase->tests[n] != NULL)
        n++;
    return n;
}

static int runner_count_cases(const struct tc_suite *suite)
{
    int n = 0;

    while (suite->cases != NULL && suite->cases[n].name != NULL)
        n++;
    return n;
}

/* Selects the cases `id` names ("suite" or "suite/case"); 0 if it names none. */
static int runner_select_id(struct runner_plan *plan, const char *id)
{
    const char *slash = strchr(id, '/');
    size_t slen = slash != NULL ? (size_t)(slash - id) : strlen(id);
    int base = 0, matched = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);
        int suite_ok = strlen(suite->name) == slen &&
                       strncmp(suite->name, id, slen) == 0;

        for (int c = 0; suite_ok && c < n; c++) {
            if (slash == NULL || strcmp(suite->cases[c].name, slash + 1) == 0) {
                plan->selected[base + c] = 1;
                matched = 1;
            }
        }
        base += n;
    }
    return matched;
}

/* Builds plan from the --only IDs (all cases without any).  -1 on a bad ID. */
static int runner_plan_init(struct runner_plan *plan,
                            const struct tc_suite *const suites[],
                            const struct runner_opts *opts, const char *prog)
{
    plan->suites = suites;
    plan->ncases = 0;
    for (int s = 0; suites[s] != NULL; s++)
        plan->ncases += runner_count_cases(suites[s]);
    plan->selected = calloc((size_t)plan->ncases + 1, 1);
    if (plan->selected == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
    }
    memset(plan->selected, opts->nonly == 0, (size_t)plan->ncases);
    for (int i = 0; i < opts->nonly; i++) {
        if (!runner_select_id(plan, opts->only[i])) {
            fprintf(stderr, "%s: no suite or suite/case '%s' (see --list)\n",
                    prog, opts->only[i]);
            return -1;
        }
    }
    return 0;
}

/* --list: every selected case as "suite/case<TAB>ntests". */
static void runner_list(const struct runner_plan *plan)
{
    int base = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);

        for (int c = 0; c < n; c++) {
            if (plan->selected[base + c])
                printf("%s/%s\t%d\n", suite->name, suite->cases[c].name,
                       runner_count_tests(&suite->cases[c]));
        }
        base += n;
    }
}

/* Number of tests in the selected cases: the size of the entry table. */
static int runner_count_selected(const struct runner_plan *plan)
{
    int base = 0, total = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        int n = runner_count_cases(plan->suites[s]);

        for (int c = 0; c < n; c++) {
            if (plan->selected[base + c])
                total += runner_count_tests(&plan->suites[s]->cases[c]);
        }
        base += n;
    }
    return total;
}

/*
 * The per-test timeout of a case: its own, else --timeout; with --budget
 * (the time the grader gives the whole case), at most an equal share of
 * it with one share to spare, so that even if every test hangs the case
 * ends inside the budget and the tests that passed still count.
 */
static double runner_case_timeout(const struct tc_case *tcase, double timeout_s,
                                  double budget_s)
{
    double t = tcase->timeout_s > 0 ? tcase->timeout_s : timeout_s;
    if (budget_s > 0) {
        double share = budget_s / (runner_count_tests(tcase) + 1);
        if (share < t)
            t = share < 1.0 ? 1.0 : share;
    }
    return t;
}

/* A Check TCase for one case; records its tests in entries[*nentries..]. */
static TCase *runner_make_tcase(const struct tc_suite *suite,
                                const struct tc_case *tcase, double timeout_s,
                                double budget_s, struct runner_entry *entries,
                                int *nentries)
{
    TCase *tc = tcase_create(tcase->name);

    tcase_set_timeout(tc, runner_case_timeout(tcase, timeout_s, budget_s));
    for (int t = 0; tcase->tests != NULL && tcase->tests[t] != NULL; t++) {
        /* An exit test: only a body that ran to tc_exit_passed() passes. */
        _tcase_add_test(tc, tcase->tests[t], 0, TC_EXIT_PASSED, 0, 1);
        entries[*nentries] = (struct runner_entry){
            suite->name, tcase->name, tcase->tests[t]->name};
        (*nentries)++;
    }
    return tc;
}

/* Adds a Suite of the selected cases of every table to sr, in order. */
static void runner_build(SRunner *sr, const struct runner_plan *plan,
                         double timeout_s, double budget_s,
                         struct runner_entry *entries, int *nentries)
{
    int base = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);
        Suite *cs = NULL;

        for (int c = 0; c < n; c++) {
            if (!plan->selected[base + c])
                continue;
            if (cs == NULL)
                cs = suite_create(suite->name);
            suite_add_tcase(cs, runner_make_tcase(suite, &suite->cases[c], timeout_s,
                                                  budget_s, entries, nentries));
        }
        if (cs != NULL)
            srunner_add_suite(sr, cs);
        base += n;
    }
}

/* Prints tr's line, named after its entry e (NULL if Check ran extras). */
static void runner_print_result(TestResult *tr, const struct runner_entry *e)
{
    const char *suite = e ? e->suite : "?", *test = e ? e->test : "?";
    const char *tcase = e ? e->tcase : tr_tcname(tr);
    const char *file = tr_lfile(tr), *msg = tr_msg(tr);

    if (e != NULL && strcmp(e->tcase, tr_tcname(tr)) != 0)
        fprintf(stderr, "runner: a result of case %s came where %s/%s/%s "
                        "was expected\n", tr_tcname(tr), suite, tcase, test);
    if (tr_rtype(tr) == CK_PASS)
        printf("PASS %s/%s/%s\n", suite, tcase, test);
    else
        printf("FAIL %s/%s/%s: %s:%d: %s\n", suite, tcase, test,
               file ? file : "?", tr_lno(tr), msg ? msg : "(no message)");
}

/*
 * Prints the results and the summary; returns the number of tests that did
 * not pass (a registered test Check did not run counts as failed).
 */
static int runner_report(SRunner *sr, const struct runner_entry *entries,
                         int nentries, int quiet)
{
    TestResult **tr = srunner_results(sr);
    int n = srunner_ntests_run(sr), passed = 0, failed;

    if (n != nentries)
        fprintf(stderr, "runner: Check ran %d tests, %d were registered\n", n,
                nentries);
    for (int i = 0; i < n; i++) {
        if (tr_rtype(tr[i]) == CK_PASS)
            passed++;
        if (!quiet)
            runner_print_result(tr[i], i < nentries ? &entries[i] : NULL);
    }
    free(tr);   /* the array only: srunner_free() owns the results */
    failed = (n > nentries ? n : nentries) - passed;
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}

/* Check's own environment filters would break the entry/result pairing. */
static void runner_clear_check_env(void)
{
    unsetenv("CK_RUN_SUITE");
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_INCLUDE_TAGS");
    unsetenv("CK_EXCLUDE_TAGS");
}

/* Fails early, with a usage error, if the XML file cannot be written. */
static int runner_check_xml(const char *path, const char *prog)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/*
 * Points fd 1 at stderr while the tests run and returns a copy of the real
 * stdout (-1 if that failed: then nothing is redirected).  Tests inherit
 * fd 1, so a kernel's debug printf -- perhaps with no final newline --
 * cannot break or split the result lines, which alone go to stdout.
 */
static int runner_stdout_to_stderr(void)
{
    int saved;

    fflush(NULL);   /* forked tests must not inherit unwritten output */
    saved = dup(STDOUT_FILENO);
    if (saved >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        close(saved);
        saved = -1;
    }
    return saved;
}

/* Undoes runner_stdout_to_stderr(). */
static void runner_restore_stdout(int saved)
{
    if (saved < 0)
        return;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
}

/*
 * The grading seed from the environment (tcheck.h): TC_SEED unset or
 * empty is none; anything but a decimal number is a usage error.
 */
static int runner_grading_seed(const char *prog)
{
    const char *text = getenv("TC_SEED");
    char *end;

    if (text == NULL || text[0] == '\0') {
        tc_set_grading_seed(0, 0);
        return 0;
    }
    errno = 0;
    unsigned long long seed = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0) {
        fprintf(stderr, "%s: TC_SEED must be a decimal number, got '%s'\n", prog, text);
        return -1;
    }
    tc_set_grading_seed(1, (uint64_t)seed);
    return 0;
}

/* Runs the selected tests; returns RUNNER_OK or RUNNER_FAILED. */
static int runner_run(const struct runner_plan *plan,
                      const struct runner_opts *opts)
{
    int total = runner_count_selected(plan), nentries = 0, failed, saved;
    struct runner_entry *entries = calloc((size_t)total + 1, sizeof *entries);
    SRunner *sr = srunner_create(NULL);

    if (entries == NULL) {
        fprintf(stderr, "runner: out of memory\n");
        srunner_free(sr);
        return RUNNER_FAILED;
    }
    runner_build(sr, plan, opts->timeout_s, opts->budget_s, entries, &nentries);
    runner_clear_check_env();
    tc_set_info(!opts->quiet);
    /* Every element a kernel leaves unwritten is then told (tensor.h). */
    tensor_set_poison(1);
    srunner_set_fork_status(sr, CK_FORK);
    if (opts->xml != NULL)
        srunner_set_xml(sr, opts->xml);
    saved = runner_stdout_to_stderr();
    srunner_run_all(sr, CK_SILENT);
    runner_restore_stdout(saved);
    failed = runner_report(sr, entries, nentries, opts->quiet);
    srunner_free(sr);
    free(entries);
    return failed == 0 ? RUNNER_OK : RUNNER_FAILED;
}

int runner_main(int argc, char **argv, const struct tc_suite *const suites[])
{
    struct runner_opts opts = {.timeout_s = RUNNER_DEFAULT_TIMEOUT};
    struct runner_plan plan = {suites, 0, NULL};
    const char *prog = argc > 0 ? argv[0] : "tests";
    int rc, parsed;

    opts.only = calloc((size_t)argc + 1, sizeof *opts.only);
    if (opts.only == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return RUNNER_USAGE;
    }
    parsed = runner_parse_args(argc, argv, &opts);
    if (parsed > 0) {
        rc = RUNNER_OK;
    } else if (parsed < 0 || runner_grading_seed(prog) < 0 ||
        runner_plan_init(&plan, suites, &opts, prog) < 0 ||
        (opts.xml != NULL && !opts.list && runner_check_xml(opts.xml, prog) < 0)) {
        rc = RUNNER_USAGE;
    } else if (opts.list) {
        runner_list(&plan);
        rc = RUNNER_OK;
    } else {
        rc = runner_run(&plan, &opts);
    }
    free(plan.selected);
    free(opts.only);
    return rc;
}
