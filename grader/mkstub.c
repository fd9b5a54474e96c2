/*
 * mkstub.c -- regenerate a student stub from its reference solution.
 *
 *   mkstub SOLUTION -o STUB           write STUB
 *   mkstub --check SOLUTION -o STUB   exit 1 if STUB is not what SOLUTION gives
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "compile/stubgen.h"

#define MAX_SOURCE (16u << 20)

static void mkstub_usage(FILE *out)
{
    fputs("usage: mkstub [--check] SOLUTION -o STUB\n"
          "Replaces every BEGIN/END SOLUTION block of SOLUTION with a TODO and\n"
          "its stub code, and writes the result to STUB.\n"
          "  --check   write nothing; exit 1 if STUB is out of date\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"check", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out_path = NULL;
    int check = 0, c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'c': check = 1; break;
        case 'h': mkstub_usage(stdout); return 0;
        default: mkstub_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || !out_path) {
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
done:
    free(src);
    free(stub);
    free(old);
    return rc;
}
