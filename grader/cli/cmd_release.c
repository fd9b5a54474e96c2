/*
 * cmd_release.c -- grader release -o DIR and grader gradescope [-o ZIP]:
 * the student release and Gradescope's package (release.h), refused with
 * every leak listed when something would leak.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "ship/release.h"
#include "util/strv.h"

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

int cmd_release(struct app *a, int argc, char **argv)
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

int cmd_gradescope(struct app *a, int argc, char **argv)
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
