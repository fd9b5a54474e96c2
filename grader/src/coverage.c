/*
 * coverage.c -- coverage of the student's files with lcov and genhtml
 * (see coverage.h).
 *
 * lcov is run directly (fork/exec through proc.h, no shell), three times
 * at most: capture everything under the build folder into a temporary
 * tracefile, extract the student sources into OUT/lcov.info, and render
 * OUT/html/ from it.  Branch data needs "--rc lcov_branch_coverage=1" on
 * every lcov call: lcov 1.x drops BRDA lines when reading a tracefile
 * without it.
 *
 * A run without .gcda files (no test reached the student code, or the
 * build had no --coverage) is not an error: lcov would only warn, so we
 * look for them first and report "no coverage".
 */
#include "coverage.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "proc.h"

/* Deep enough for any build layout; guards against pathological trees. */
#define COV_MAX_DEPTH 16

static bool cov_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether `dir` or a subfolder (symlinks not followed) holds a .gcda file. */
static bool cov_has_gcda(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        struct stat st;
        if (path && lstat(path, &st) == 0) {
            if (S_ISREG(st.st_mode))
                found = cov_ends_with(e->d_name, ".gcda");
            else if (S_ISDIR(st.st_mode) && depth < COV_MAX_DEPTH)
                found = cov_has_gcda(path, depth + 1);
        }
        free(path);
    }
    closedir(d);
    return found;
}

/* Adds "NAME:COUNT" to *total when the line starts with NAME: */
static void cov_add_field(const char *line, const char *name, unsigned *total)
{
    size_t len = strlen(name);
    if (strncmp(line, name, len) == 0 && line[len] == ':')
        *total += (unsigned)strtoul(line + len + 1, NULL, 10);
}

int cov_read_tracefile(const char *path, struct res_coverage *cov)
{
    memset(cov, 0, sizeof *cov);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        if (strncmp(line, "SF:", 3) == 0)
            cov->present = true;
        cov_add_field(line, "LF", &cov->lines_total);
        cov_add_field(line, "LH", &cov->lines_hit);
        cov_add_field(line, "FNF", &cov->functions_total);
        cov_add_field(line, "FNH", &cov->functions_hit);
        cov_add_field(line, "BRF", &cov->branches_total);
        cov_add_field(line, "BRH", &cov->branches_hit);
    }
    int rc = ferror(f) ? -1 : 0;
    free(line);
    fclose(f);
    return rc;
}

/* Runs a tool whose stdout we do not need. */
static int cov_run(char *const argv[], char *err, size_t errlen)
{
    char *out = NULL;
    int rc = proc_capture(argv, &out, err, errlen);
    free(out);
    return rc;
}

static int cov_capture(const struct cov_request *req, const char *tmp, char *err,
                       size_t errlen)
{
    char *argv[] = { "lcov", "--capture", "--directory", (char *)req->build_dir,
                     "--output-file", (char *)tmp, "--quiet", "--rc",
                     req->branches ? "lcov_branch_coverage=1" : "lcov_branch_coverage=0",
                     NULL };
    return cov_run(argv, err, errlen);
}

/* lcov --extract TMP SOURCES... -o OUT/lcov.info */
static int cov_extract(const struct cov_request *req, const char *tmp, const char *info,
                       char *err, size_t errlen)
{
    char **argv = calloc(req->nsources + 12, sizeof *argv);
    if (!argv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    argv[n++] = "lcov";
    argv[n++] = "--extract";
    argv[n++] = (char *)tmp;
    for (size_t i = 0; i < req->nsources; i++)
        argv[n++] = (char *)req->sources[i];
    argv[n++] = "--output-file";
    argv[n++] = (char *)info;
    argv[n++] = "--quiet";
    argv[n++] = "--rc";
    argv[n++] = req->branches ? "lcov_branch_coverage=1" : "lcov_branch_coverage=0";
    int rc = cov_run(argv, err, errlen);
    free(argv);
    return rc;
}

static int cov_genhtml(const struct cov_request *req, const char *info, char *err,
                       size_t errlen)
{
    char *html = fs_join(req->out_dir, "html");
    if (!html) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *argv[] = { "genhtml", "--quiet", "--output-directory", html,
                     req->branches ? "--branch-coverage" : "--no-branch-coverage",
                     (char *)info, NULL };
    int rc = cov_run(argv, err, errlen);
    free(html);
    return rc;
}

/* The steps after the .gcda check; tmp and info are OUT's two tracefiles. */
static int cov_collect_into(const struct cov_request *req, const char *tmp,
                            const char *info, struct res_coverage *cov, char *err,
                            size_t errlen)
{
    if (cov_capture(req, tmp, err, errlen) < 0)
        return -1;
    /* .gcda files of other code only: lcov --extract would fail on an empty tracefile. */
    if (cov_read_tracefile(tmp, cov) < 0 || !cov->present) {
        memset(cov, 0, sizeof *cov);
        return 0;
    }
    int rc = cov_extract(req, tmp, info, err, errlen);
    unlink(tmp);
    if (rc < 0)
        return -1;
    if (cov_read_tracefile(info, cov) < 0) {
        snprintf(err, errlen, "%s: %s", info, strerror(errno));
        return -1;
    }
    if (!req->branches)
        cov->branches_hit = cov->branches_total = 0;
    if (cov->present && req->html && cov_genhtml(req, info, err, errlen) < 0)
        return -1;
    return 0;
}

int cov_collect(const struct cov_request *req, struct res_coverage *cov, char *err,
                size_t errlen)
{
    memset(cov, 0, sizeof *cov);
    if (req->nsources == 0 || !cov_has_gcda(req->build_dir, 0))
        return 0;
    if (fs_mkdir_p(req->out_dir, 0755) < 0) {
        snprintf(err, errlen, "%s: %s", req->out_dir, strerror(errno));
        return -1;
    }
    char *tmp = fs_join(req->out_dir, "lcov.capture.info");
    char *info = fs_join(req->out_dir, "lcov.info");
    int rc;
    if (!tmp || !info) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else {
        rc = cov_collect_into(req, tmp, info, cov, err, errlen);
        unlink(tmp);
    }
    free(tmp);
    free(info);
    if (rc < 0)
        memset(cov, 0, sizeof *cov);
    return rc;
}
