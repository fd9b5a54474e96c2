/*
 * mkstub.c -- regenerate a student stub from its reference solution.
 *
 *   mkstub SOLUTION -o STUB           write STUB
 *   mkstub --check SOLUTION -o STUB   exit 1 if STUB is not what SOLUTION gives
 *   ... --config CONFIG --readme README   also the README's grading section
 *                                     (stubgen.h), from CONFIG, checked alike
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "compile/stubgen.h"
#include "config/cfg.h"

#define MAX_SOURCE (16u << 20)

static void mkstub_usage(FILE *out)
{
    fputs("usage: mkstub [--check] SOLUTION -o STUB [--config CONFIG --readme README]\n"
          "Replaces every BEGIN/END SOLUTION block of SOLUTION with a TODO and\n"
          "its stub code, and writes the result to STUB.\n"
          "  --check   write nothing; exit 1 if STUB (or README) is out of date\n"
          "  --config CONFIG --readme README   also regenerate README's grading\n"
          "            section (between its BEGIN/END GENERATED lines) from CONFIG\n",
          out);
}

/* README's grading section from config: written, or with check compared. 0 or 1. */
static int mkstub_readme(const char *config, const char *readme, int check)
{
    struct grader_cfg cfg = {0};
    struct cfg_error cerr = {0};
    struct stub_error err = {0};
    char *old = NULL, *section = NULL, *text = NULL;
    size_t old_len;
    int rc = 1;

    if (cfg_load(config, &cfg, &cerr) < 0) {
        fprintf(stderr, "%s:%u:%u: %s\n", cerr.file, cerr.line, cerr.column, cerr.message);
        goto done;
    }
    if (fs_read_file(readme, MAX_SOURCE, &old, &old_len) < 0) {
        fprintf(stderr, "mkstub: %s: cannot read: %m\n", readme);
        goto done;
    }
    if (stub_readme_section(&cfg, &section) < 0 ||
        stub_readme_splice(old, section, &text, &err) < 0) {
        fprintf(stderr, "mkstub: %s: %s\n", readme, section ? err.message : "out of memory");
        goto done;
    }
    if (check) {
        rc = strcmp(old, text) != 0;
        if (rc)
            fprintf(stderr, "mkstub: %s's grading section is out of date with %s: "
                            "run 'make stubs'\n", readme, config);
    } else if (strcmp(old, text) != 0 && fs_write_atomic(readme, text, strlen(text)) < 0) {
        fprintf(stderr, "mkstub: %s: cannot write: %m\n", readme);
    } else {
        rc = 0;
    }
done:
    cfg_release(&cfg);
    free(old);
    free(section);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"check", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"config", required_argument, NULL, 'C'},
        {"readme", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *out_path = NULL, *config = NULL, *readme = NULL;
    int check = 0, c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'c': check = 1; break;
        case 'C': config = optarg; break;
        case 'r': readme = optarg; break;
        case 'h': mkstub_usage(stdout); return 0;
        default: mkstub_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || !out_path || !config != !readme) {
        mkstub_usage(stderr);
        return 2;
    }
    const char *src_path = argv[optind];
    char *src = NULL, *stub = NULL, *old = NULL;
    size_t src_len, old_len;
    struct stub_error err = {0};
    int rc = 1;

    if (fs_read_file(src_path, MAX_SOURCE, &src, &src_len) < 0) {
        fprintf(stderr, "mkstub: %s: cannot read: %m\n", src_path);
        return 1;
    }
    if (stub_generate(src, src_len, &stub, &err) < 0) {
        fprintf(stderr, "%s:%u: %s\n", src_path, err.line, err.message);
        goto done;
    }
    if (check) {
        int same = fs_read_file(out_path, MAX_SOURCE, &old, &old_len) == 0 &&
                   strcmp(old, stub) == 0;
        if (!same)
            fprintf(stderr, "mkstub: %s is out of date with %s: run 'make stubs'\n",
                    out_path, src_path);
        rc = same ? 0 : 1;
    } else if (fs_write_atomic(out_path, stub, strlen(stub)) < 0) {
        fprintf(stderr, "mkstub: %s: cannot write: %m\n", out_path);
    } else {
        rc = 0;
    }
    if (config != NULL && mkstub_readme(config, readme, check) != 0)
        rc = 1;
done:
    free(src);
    free(stub);
    free(old);
    return rc;
}
