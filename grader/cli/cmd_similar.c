/*
 * cmd_similar.c -- grader similar SUBMISSIONS_DIR: code similarity across
 * a class (scale/similar.h), its reports in OUT/similarity/
 * (report/simreport.h), and the class dashboard again when OUT is a
 * batch's output.  Also what batch --similarity runs after grading.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report/html.h"
#include "report/simreport.h"
#include "scale/batch.h"
#include "scale/similar.h"
#include "util/fsutil.h"

static const char usage_similar[] =
    "usage: grader [-c CONFIG] similar SUBMISSIONS_DIR [-o OUTDIR] [--base FILE]...\n"
    "                                  [--top N] [--max-share N]\n"
    "\n"
    "Compares the student files (the config's student_files) of every sub-folder of\n"
    "SUBMISSIONS_DIR -- the folder 'batch' grades -- with every other's, the way\n"
    "MOSS does: C tokens with names, literals, comments and layout ignored,\n"
    "fingerprinted by winnowing, the config's stubs excluded as base code.  Writes\n"
    "OUTDIR/similarity/: index.html (the pairs, most similar first), a side-by-side\n"
    "page per top pair with the matching regions highlighted, and similarity.csv\n"
    "(every pair).  When OUTDIR is a batch's output, its dashboard (index.html)\n"
    "then shows the top pairs.  Prints the top pairs.  Files are only read: never\n"
    "compiled or run; a symlink, or a file larger than its max_size, is not read.\n"
    "For instructors only: the pages quote students' code.\n"
    "\n"
    "  -o, --output OUTDIR       where to write (default grader-batch)\n"
    "  --base FILE               more base code, besides the stubs (repeatable), like\n"
    "                            MOSS's -b: code given to every student\n"
    "  --top N                   side-by-side pages for the N most similar pairs\n"
    "                            (default 50)\n"
    "  --max-share N             ignore code that more than N students share, as an\n"
    "                            idiom of the class (default 10, like MOSS's -m; 0: no\n"
    "                            limit, which makes the time grow with the square of\n"
    "                            the class)\n";

/* Prints up to ten pairs of r to stdout. */
static void similar_print_top(const struct sim_result *r, const char *out)
{
    printf("similarity: %zu students compared, %zu pairs share code", r->nstudents, r->npairs);
    printf("%s\n", r->npairs ? "; most similar first:" : "");
    for (size_t i = 0; i < r->npairs && i < 10; i++) {
        const struct sim_pair *p = &r->pairs[i];
        printf("  %2zu. %5.1f%%  %s  %s  (%.1f%% and %.1f%%, %zu regions)\n", i + 1, p->score,
               r->students[p->a].name, r->students[p->b].name, p->pct_a, p->pct_b,
               p->nmatches);
    }
    printf("similarity report: %s/similarity/index.html, %s/similarity/similarity.csv\n", out,
           out);
    if (r->nmissing)
        fprintf(stderr, "grader: similar: %zu students without the student files (listed in "
                        "the report)\n", r->nmissing);
    for (size_t i = 0; i < r->nrefused; i++)
        fprintf(stderr, "grader: similar: not read: %s\n", r->refused[i]);
    fflush(stdout);
}

/* Writes the reports into out, and the dashboard again when out is a batch's output. */
static int similar_write(struct app *a, const struct sim_result *r, const char *out)
{
    char err[1024] = "", *students = fs_join(out, "students");
    struct stat st;
    bool batch_out = students && stat(students, &st) == 0 && S_ISDIR(st.st_mode);
    const char *title = a->cfg.title ? a->cfg.title : a->cfg.name;
    int lock = -1, rc = EXIT_INTERNAL;
    free(students);
    if (batch_out ? batch_lock_out(out, &lock, err, sizeof err) < 0
                  : fs_mkdir_p(out, 0755) < 0) {
        if (!err[0])
            snprintf(err, sizeof err, "cannot create %s: %s", out, strerror(errno));
    } else if (simrep_write(r, title, out, err, sizeof err) == 0 &&
               (!batch_out || html_write_dashboard(&a->cfg, out, err, sizeof err) == 0)) {
        rc = EXIT_GRADED;
    }
    if (lock >= 0)
        close(lock);
    if (rc != EXIT_GRADED)
        fprintf(stderr, "grader: similar: %s\n", err);
    return rc;
}

int similar_report(struct app *a, const struct sim_opts *o, const char *out)
{
    struct sim_result r;
    char err[1024] = "";
    if (sim_run(&a->cfg, o, &r, err, sizeof err) < 0) {
        fprintf(stderr, "grader: similar: %s\n", err);
        sim_result_release(&r);
        return EXIT_INTERNAL;
    }
    int rc = similar_write(a, &r, out);
    if (rc == EXIT_GRADED)
        similar_print_top(&r, out);
    sim_result_release(&r);
    return rc;
}

/* A whole number from lo to hi for option name, or false after a message. */
static bool similar_number(const char *name, const char *s, unsigned long lo,
                           unsigned long hi, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] < '0' || s[0] > '9' || v < lo || v > hi) {
        fprintf(stderr, "grader: %s takes a number from %lu to %lu, not '%s'\n", name, lo,
                hi, s);
        return false;
    }
    *out = v;
    return true;
}

int cmd_similar(struct app *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"config", required_argument, NULL, 'c'},
        {"base", required_argument, NULL, 'B'},   {"top", required_argument, NULL, 'T'},
        {"max-share", required_argument, NULL, 'M'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "grader-batch";
    const char **base = calloc((size_t)argc + 1, sizeof *base);
    struct sim_opts o;
    unsigned long v;
    int c, rc = -1;
    sim_opts_init(&o, NULL);
    if (!base) {
        fprintf(stderr, "grader: out of memory\n");
        return EXIT_INTERNAL;
    }
    while (rc < 0 && (c = getopt_long(argc, argv, "o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'c': a->config_path = optarg; break;
        case 'B': base[o.nbase++] = optarg; break;
        case 'T':
            if (!similar_number("--top", optarg, 0, 100000, &v))
                rc = EXIT_USAGE;
            else
                o.detailed = v;
            break;
        case 'M':
            if (!similar_number("--max-share", optarg, 0, 1000000, &v)) {
                rc = EXIT_USAGE;
            } else if (v == 1) {
                fprintf(stderr, "grader: --max-share 1 would ignore all shared code; "
                                "use 0 (no limit) or 2 and more\n");
                rc = EXIT_USAGE;
            } else {
                o.max_share = (unsigned)v;
            }
            break;
        case 'h': fputs(usage_similar, stdout); rc = EXIT_GRADED; break;
        default: fputs(usage_similar, stderr); rc = EXIT_USAGE; break;
        }
    }
    if (rc < 0 && optind != argc - 1) {
        fputs(usage_similar, stderr);
        rc = EXIT_USAGE;
    }
    if (rc < 0 && !(rc = app_check_folder(argv[optind])) && !(rc = app_load_config(a))) {
        o.class_dir = argv[optind];
        o.base = base;
        rc = similar_report(a, &o, out);
    }
    free(base);
    return rc;
}
