/*
 * cmd_mutants.c -- grader mutants: mutation analysis of the grading
 * (mutants.h), its reports (mutreport.h), and the batch dashboard's link.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "grade/mutants.h"
#include "report/html.h"
#include "report/mutreport.h"

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

int cmd_mutants(struct app *a, int argc, char **argv)
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
    m.mo.work_root = a->scratch.path;   /* reachable by the sandbox users (scratch.h) */
    a->keep_scratch = m.mo.keep_scratch;
    m.mo.use_bwrap = a->sandbox_level;
    m.mo.probe = a->probe;
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
    size_t nio = cfg_count_kind(&a->cfg, CFG_KIND_IO);
    if (nio > 0)   /* the score is then a lower bound: say so where it is read */
        fprintf(stderr, "grader: note: the config's %zu io test(s) were not run: a mutant "
                "only they would kill counts as a survivor\n", nio);
    rc = EXIT_GRADED;
    if (m.fail_under >= 0 && mut_score(&r, NULL) * 100.0 < m.fail_under)
        rc = EXIT_UNDER;
    mut_result_release(&r);
    return rc;
}
