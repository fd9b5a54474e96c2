/*
 * coverage.c -- coverage of the student's files from gcov's JSON, written
 * as an lcov tracefile (see coverage.h).
 *
 * Theory of operation.  lcov 1.16's geninfo runs "gcov -b -c -i" on each
 * .gcda file (gcc >= 9 answers in JSON), turns the JSON into tracefile
 * lines and lets lcov merge and sort them.  All of that costs 0.3-0.4 s
 * of perl per submission; the work itself takes a few milliseconds.  So we do the same in
 * one process:
 *
 *   1. find the .gcda files under the build folder (with their .gcno);
 *   2. run gcov once on all of them, JSON on stdout (one document per
 *      .gcda, one per line);
 *   3. keep the "files" records of the requested sources (absolute,
 *      lexically normalised paths), honouring lcov's exclusion markers;
 *   4. merge duplicates the way lcov does when it reads a tracefile
 *      (DA and FNDA counts added, BRDA per line/block/branch added with
 *      '-' for "never executed"), sort, and write OUT/lcov.info in the
 *      layout of lcov's write_info_file();
 *   5. genhtml, when html is wanted, and gcovr, when Cobertura XML is.
 *
 * With a source_root, step 4 writes the SF: names relative to it and the
 * tools of step 5 run in it ("env -C ROOT tool ...", no change to
 * proc.h): genhtml then reads the relative names from its cwd, and its
 * --prefix (the root's real path) gives the pages a fixed "root" folder;
 * gcovr's <source> is "." and its timestamp is fixed to 0, so that
 * neither output names the scratch folder nor the hour.
 *
 * What step 3 takes from geninfo's intermediate_json_to_info(): FN and
 * FNDA from "functions" (start_line, execution_count, name); DA from
 * "lines" (line_number, count); BRDA:line,0,i,count for the i-th branch
 * of a line, '-' when the branch has no count or the line is an
 * unexecuted block with count 0.  gcov's "-b" is what adds the branches.
 */
#include "run/coverage.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/proc.h"
#include "util/strv.h"

/* Deep enough for any build layout; guards against pathological trees. */
#define COV_MAX_DEPTH 16

/* Per source line: what lcov's markers exclude (LCOV_EXCL_*). */
enum { COV_EXCL_ALL = 1, COV_EXCL_BRANCHES = 2 };

struct cov_line {
    unsigned long line;
    uint64_t count;
};

struct cov_func {
    char *name;
    unsigned long line;
    uint64_t count;
    size_t seq;                   /* order read: lcov keeps the last FN line */
};

struct cov_branch {
    unsigned long line;
    unsigned long index;          /* branch number within the line */
    bool executed;                /* false: lcov's '-' */
    uint64_t taken;
};

/* One requested source and everything gcov said about it. */
struct cov_file {
    char *path;                   /* absolute, normalised: the SF: name */
    unsigned char *marks;         /* COV_EXCL_* by line number, or NULL */
    size_t nmarks;
    struct cov_line *lines;
    size_t nlines, caplines;
    struct cov_func *funcs;
    size_t nfuncs, capfuncs;
    struct cov_branch *branches;
    size_t nbranches, capbranches;
};

struct cov_data {
    struct cov_file *files;
    size_t nfiles;
    char *root;                   /* normalised source_root, or NULL */
    bool branches;
    size_t seq;                   /* functions read so far */
};

/* ---- finding the data files ------------------------------------------ */

static bool cov_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool cov_is_regular(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Whether the .gcda at `path` has its .gcno beside it.  A .gcda without
 * one is not from a build of ours (the tests can write in the scratch
 * folder); gcov would fail on it and take the good ones down with it.
 */
static bool cov_has_notes(const char *path)
{
    size_t n = strlen(path);
    char *notes = strdup(path);
    if (!notes)
        return false;
    memcpy(notes + n - 4, "gcno", 4);
    bool ok = cov_is_regular(notes);
    free(notes);
    return ok;
}

/* Adds the .gcda files under `dir` (symlinks not followed) to *out. */
static void cov_find_gcda(const char *dir, int depth, struct strv *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        struct stat st;
        if (!path) {
            out->oom = true;
        } else if (lstat(path, &st) == 0) {
            if (S_ISREG(st.st_mode) && cov_ends_with(e->d_name, ".gcda") && cov_has_notes(path))
                strv_push(out, path);
            else if (S_ISDIR(st.st_mode) && depth < COV_MAX_DEPTH)
                cov_find_gcda(path, depth + 1, out);
        }
        free(path);
    }
    closedir(d);
}

static int cov_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- paths and markers ------------------------------------------------ */

/*
 * `path` made absolute against `cwd` (when relative) with "//", "/./" and
 * "dir/.." removed, without touching the file system: what geninfo does
 * to gcov's names before it compares them.  A relative path without a
 * cwd (unknown) is kept as it is.  malloc'd; NULL on OOM.
 */
static char *cov_normalize(const char *path, const char *cwd)
{
    if (path[0] != '/' && (!cwd || cwd[0] != '/'))
        return strdup(path);
    char *joined = path[0] == '/' ? strdup(path) : fs_join(cwd, path);
    char *out = joined ? malloc(strlen(joined) + 2) : NULL;
    if (!out) {
        free(joined);
        return NULL;
    }
    size_t n = 0;
    for (char *save = NULL, *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0) {
            while (n > 0 && out[--n] != '/')
                ;
            continue;
        }
        n += (size_t)sprintf(out + n, "/%s", c);
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}

/* Whether a START/STOP section is open after this line (STOP wins). */
static bool cov_section(const char *text, const char *start, const char *stop, bool open)
{
    if (strstr(text, stop))
        return false;
    return open || strstr(text, start);
}

/* Records marks `m` for line `lineno`, growing f->marks (zeroed) as needed. */
static int cov_mark(struct cov_file *f, size_t lineno, unsigned char m)
{
    if (lineno >= f->nmarks) {
        size_t n = lineno + 1 > 2 * f->nmarks ? lineno + 1 : 2 * f->nmarks;
        unsigned char *grown = realloc(f->marks, n);
        if (!grown)
            return -1;
        memset(grown + f->nmarks, 0, n - f->nmarks);
        f->marks = grown;
        f->nmarks = n;
    }
    f->marks[lineno] |= m;
    return 0;
}

/*
 * Reads lcov's exclusion markers from the source, as geninfo's
 * get_source_data() does: LCOV_EXCL_LINE or a START/STOP section drops
 * a line's data, LCOV_EXCL_BR_LINE, LCOV_EXCL_EXCEPTION_BR_LINE or their
 * sections drop only its branches (geninfo's JSON path drops all of a
 * line's branches for either).  An unreadable source has no markers.
 */
static int cov_read_marks(struct cov_file *f)
{
    FILE *in = fopen(f->path, "r");
    if (!in)
        return 0;
    char *text = NULL;
    size_t cap = 0, lineno = 0;
    bool all = false, br = false, exc = false;
    int rc = 0;
    while (rc == 0 && getline(&text, &cap, in) >= 0) {
        lineno++;
        all = cov_section(text, "LCOV_EXCL_START", "LCOV_EXCL_STOP", all);
        br = cov_section(text, "LCOV_EXCL_BR_START", "LCOV_EXCL_BR_STOP", br);
        exc = cov_section(text, "LCOV_EXCL_EXCEPTION_BR_START", "LCOV_EXCL_EXCEPTION_BR_STOP", exc);
        unsigned char m = 0;
        if (all || strstr(text, "LCOV_EXCL_LINE"))
            m |= COV_EXCL_ALL;
        if (br || exc || strstr(text, "LCOV_EXCL_BR_LINE")
            || strstr(text, "LCOV_EXCL_EXCEPTION_BR_LINE"))
            m |= COV_EXCL_BRANCHES;
        if (m)
            rc = cov_mark(f, lineno, m);
    }
    free(text);
    fclose(in);
    return rc;
}

static bool cov_excluded(const struct cov_file *f, unsigned long line, unsigned char what)
{
    return line < f->nmarks && (f->marks[line] & what);
}

/* ---- collecting records ------------------------------------------------ */

/*
 * A new zeroed element at the end of the array that `items` points to (a
 * `T **`; n and cap count elements).  The pointer is copied in and out
 * with memcpy: reading a `T *` through a `void **` would break aliasing.
 */
static void *cov_append(void *items, size_t *n, size_t *cap, size_t size)
{
    char *v;
    memcpy(&v, items, sizeof v);
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        char *grown = realloc(v, ncap * size);
        if (!grown)
            return NULL;
        v = grown;
        memcpy(items, &v, sizeof v);
        *cap = ncap;
    }
    char *slot = v + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

/* A JSON count as lcov reads it: negative counts become 0. */
static uint64_t cov_count(const json_t *v)
{
    json_int_t c = json_integer_value(v);
    return c < 0 ? 0 : (uint64_t)c;
}

static int cov_add_functions(struct cov_data *d, struct cov_file *f, const json_t *funcs)
{
    size_t i;
    const json_t *fn;
    json_array_foreach(funcs, i, fn) {
        const json_t *line = json_object_get(fn, "start_line");
        const json_t *count = json_object_get(fn, "execution_count");
        const char *name = json_string_value(json_object_get(fn, "name"));
        if (!json_is_integer(line) || !json_is_integer(count) || !name || !name[0]
            || json_integer_value(line) < 0
            || cov_excluded(f, (unsigned long)json_integer_value(line), COV_EXCL_ALL))
            continue;
        struct cov_func *out = cov_append(&f->funcs, &f->nfuncs, &f->capfuncs, sizeof *out);
        if (!out || !(out->name = strdup(name)))
            return -1;
        out->line = (unsigned long)json_integer_value(line);
        out->count = cov_count(count);
        out->seq = d->seq++;
    }
    return 0;
}

/* The BRDA entries of one line; `unexecuted` turns every count into '-'. */
static int cov_add_branches(struct cov_file *f, unsigned long line, const json_t *branches,
                            bool unexecuted)
{
    size_t i;
    const json_t *b;
    json_array_foreach(branches, i, b) {
        const json_t *count = json_object_get(b, "count");
        struct cov_branch *out =
            cov_append(&f->branches, &f->nbranches, &f->capbranches, sizeof *out);
        if (!out)
            return -1;
        out->line = line;
        out->index = i;
        out->executed = json_is_integer(count) && !unexecuted;
        out->taken = out->executed ? cov_count(count) : 0;
    }
    return 0;
}

static int cov_add_lines(struct cov_data *d, struct cov_file *f, const json_t *lines)
{
    size_t i;
    const json_t *l;
    json_array_foreach(lines, i, l) {
        const json_t *number = json_object_get(l, "line_number");
        const json_t *count = json_object_get(l, "count");
        if (!json_is_integer(number) || !json_is_integer(count) || json_integer_value(number) < 0)
            continue;
        unsigned long line = (unsigned long)json_integer_value(number);
        if (cov_excluded(f, line, COV_EXCL_ALL))
            continue;
        struct cov_line *out = cov_append(&f->lines, &f->nlines, &f->caplines, sizeof *out);
        if (!out)
            return -1;
        out->line = line;
        out->count = cov_count(count);
        bool unexecuted = json_is_true(json_object_get(l, "unexecuted_block")) && out->count == 0;
        if (d->branches && !cov_excluded(f, line, COV_EXCL_BRANCHES)
            && cov_add_branches(f, line, json_object_get(l, "branches"), unexecuted) < 0)
            return -1;
    }
    return 0;
}

static struct cov_file *cov_find_file(struct cov_data *d, const char *path)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (strcmp(d->files[i].path, path) == 0)
            return &d->files[i];
    return NULL;
}

/* One gcov document (one .gcda): its records of the requested sources. */
static int cov_add_document(struct cov_data *d, const json_t *doc)
{
    const char *cwd = json_string_value(json_object_get(doc, "current_working_directory"));
    size_t i;
    const json_t *file;
    json_array_foreach(json_object_get(doc, "files"), i, file) {
        const char *name = json_string_value(json_object_get(file, "file"));
        if (!name)
            continue;
        char *path = cov_normalize(name, cwd);
        if (!path)
            return -1;
        struct cov_file *f = cov_find_file(d, path);
        free(path);
        if (f && (cov_add_functions(d, f, json_object_get(file, "functions")) < 0
                  || cov_add_lines(d, f, json_object_get(file, "lines")) < 0))
            return -1;
    }
    return 0;
}

/* gcov -t prints one JSON document per .gcda, one after the other. */
static int cov_parse_gcov(struct cov_data *d, const char *text, char *err, size_t errlen)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        off += strspn(text + off, " \t\r\n");
        if (off == len)
            break;
        json_error_t jerr;
        json_t *doc = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!doc) {
            snprintf(err, errlen, "gcov: unreadable JSON output: %s", jerr.text);
            return -1;
        }
        off += (size_t)jerr.position;
        int rc = cov_add_document(d, doc);
        json_decref(doc);
        if (rc < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* ---- merging as lcov does ---------------------------------------------- */

static int cov_cmp_line(const void *a, const void *b)
{
    const struct cov_line *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static int cov_cmp_branch(const void *a, const void *b)
{
    const struct cov_branch *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return (x->index > y->index) - (x->index < y->index);
}

static int cov_cmp_func_name(const void *a, const void *b)
{
    const struct cov_func *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cov_cmp_func_line(const void *a, const void *b)
{
    const struct cov_func *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return strcmp(x->name, y->name);
}

/* qsort, but an empty (possibly NULL) array is fine: glibc declares it nonnull. */
static void cov_sort(void *items, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(items, n, size, cmp);
}

/* DA: one entry per line, counts added. */
static void cov_merge_lines(struct cov_file *f)
{
    cov_sort(f->lines, f->nlines, sizeof *f->lines, cov_cmp_line);
    size_t n = 0;
    for (size_t i = 0; i < f->nlines; i++) {
        if (n > 0 && f->lines[n - 1].line == f->lines[i].line)
            f->lines[n - 1].count += f->lines[i].count;
        else
            f->lines[n++] = f->lines[i];
    }
    f->nlines = n;
}

/* BRDA: one entry per line and branch; '-' only while no copy ran. */
static void cov_merge_branches(struct cov_file *f)
{
    cov_sort(f->branches, f->nbranches, sizeof *f->branches, cov_cmp_branch);
    size_t n = 0;
    for (size_t i = 0; i < f->nbranches; i++) {
        struct cov_branch *b = &f->branches[i], *last = n > 0 ? &f->branches[n - 1] : NULL;
        if (last && last->line == b->line && last->index == b->index) {
            last->taken += b->taken;
            last->executed = last->executed || b->executed;
        } else {
            f->branches[n++] = *b;
        }
    }
    f->nbranches = n;
}

/* FN/FNDA: one entry per name, its last line, counts added; by line. */
static void cov_merge_funcs(struct cov_file *f)
{
    cov_sort(f->funcs, f->nfuncs, sizeof *f->funcs, cov_cmp_func_name);
    size_t n = 0;
    for (size_t i = 0; i < f->nfuncs; i++) {
        struct cov_func *fn = &f->funcs[i], *last = n > 0 ? &f->funcs[n - 1] : NULL;
        if (last && strcmp(last->name, fn->name) == 0) {
            last->line = fn->line;
            last->count += fn->count;
            free(fn->name);
        } else {
            f->funcs[n++] = *fn;
        }
    }
    f->nfuncs = n;
    cov_sort(f->funcs, f->nfuncs, sizeof *f->funcs, cov_cmp_func_line);
}

/* ---- writing the tracefile --------------------------------------------- */

/* The SF: name of path: relative to root when under it, else path. */
static const char *cov_shown_path(const char *path, const char *root)
{
    size_t n = root ? strlen(root) : 0;
    if (n > 0 && strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
        return path + n + 1;
    return path;
}

/* One record in the order of lcov's write_info_file(); adds to *cov. */
static void cov_write_record(FILE *out, const struct cov_file *f, const char *root,
                             struct res_coverage *cov)
{
    unsigned hit = 0;
    fprintf(out, "TN:\nSF:%s\n", cov_shown_path(f->path, root));
    for (size_t i = 0; i < f->nfuncs; i++)
        fprintf(out, "FN:%lu,%s\n", f->funcs[i].line, f->funcs[i].name);
    for (size_t i = 0; i < f->nfuncs; i++) {
        fprintf(out, "FNDA:%llu,%s\n", (unsigned long long)f->funcs[i].count, f->funcs[i].name);
        hit += f->funcs[i].count > 0;
    }
    fprintf(out, "FNF:%zu\nFNH:%u\n", f->nfuncs, hit);
    cov->functions_total += (unsigned)f->nfuncs;
    cov->functions_hit += hit;

    hit = 0;
    for (size_t i = 0; i < f->nbranches; i++) {
        const struct cov_branch *b = &f->branches[i];
        if (b->executed)
            fprintf(out, "BRDA:%lu,0,%lu,%llu\n", b->line, b->index, (unsigned long long)b->taken);
        else
            fprintf(out, "BRDA:%lu,0,%lu,-\n", b->line, b->index);
        hit += b->executed && b->taken > 0;
    }
    if (f->nbranches > 0)
        fprintf(out, "BRF:%zu\nBRH:%u\n", f->nbranches, hit);
    cov->branches_total += (unsigned)f->nbranches;
    cov->branches_hit += hit;

    hit = 0;
    for (size_t i = 0; i < f->nlines; i++) {
        fprintf(out, "DA:%lu,%llu\n", f->lines[i].line, (unsigned long long)f->lines[i].count);
        hit += f->lines[i].count > 0;
    }
    fprintf(out, "LF:%zu\nLH:%u\nend_of_record\n", f->nlines, hit);
    cov->lines_total += (unsigned)f->nlines;
    cov->lines_hit += hit;
}

static int cov_cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct cov_file *)a)->path, ((const struct cov_file *)b)->path);
}

/*
 * Merges, sorts and writes the records with data to `info` and fills
 * *cov.  A source without lines is left out, as lcov does; with none
 * left, nothing is written and cov->present stays false.
 */
static int cov_write_tracefile(struct cov_data *d, const char *info, struct res_coverage *cov,
                               char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cov_sort(d->files, d->nfiles, sizeof *d->files, cov_cmp_file);
    for (size_t i = 0; i < d->nfiles; i++) {
        struct cov_file *f = &d->files[i];
        cov_merge_lines(f);
        cov_merge_branches(f);
        cov_merge_funcs(f);
        if (f->nlines == 0)
            continue;
        cov->present = true;
        cov_write_record(out, f, d->root, cov);
    }
    int rc = fclose(out) == 0 ? 0 : -1;
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    else if (cov->present && fs_write_atomic(info, text, len) < 0) {
        snprintf(err, errlen, "%s: %s", info, strerror(errno));
        rc = -1;
    }
    free(text);
    return rc;
}

/* ---- the tools ---------------------------------------------------------- */

/* gcov's JSON for every .gcda (malloc'd in *out); -b adds the branches. */
static int cov_run_gcov(const struct strv *gcda, char **out, char *err, size_t errlen)
{
    struct strv argv = {0};
    strv_push_all(&argv, (char *const[]){"gcov", "--json-format", "--stdout",
                                         "--branch-probabilities"}, 4);
    strv_push_all(&argv, gcda->v, gcda->n);
    int rc;
    if (argv.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else {
        rc = proc_capture(argv.v, out, err, errlen);
    }
    strv_clear(&argv);
    return rc;
}

/*
 * Runs argv (a tool's command line) in `dir` when dir is set, through
 * coreutils' "env -C DIR"; the tool's stdout is dropped.
 */
static int cov_run_in(const char *dir, char *const argv[], char *err, size_t errlen)
{
    struct strv full = {0};
    if (dir)
        strv_push_all(&full, (char *const[]){"env", "-C", (char *)dir, "--"}, 4);
    for (size_t i = 0; argv[i]; i++)
        strv_push(&full, argv[i]);
    char *out = NULL;
    int rc = -1;
    if (full.oom)
        snprintf(err, errlen, "out of memory");
    else
        rc = proc_capture(full.v, &out, err, errlen);
    /* The message names the tool, not env: "genhtml: exit status 1: ...". */
    if (rc < 0 && dir && strncmp(err, "env: ", 5) == 0) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", argv[0], err + 5);
        snprintf(err, errlen, "%s", msg);
    }
    free(out);
    strv_clear(&full);
    return rc;
}

/* The real path of OUT/name (the tools may run in another folder); NULL on failure. */
static char *cov_out_path(const struct cov_request *req, const char *name)
{
    char *dir = realpath(req->out_dir, NULL);
    char *path = dir ? fs_join(dir, name) : NULL;
    free(dir);
    return path;
}

/* genhtml on OUT/lcov.info into OUT/html/; in the root, with it as the --prefix. */
static int cov_genhtml(const struct cov_request *req, const char *root, char *err,
                       size_t errlen)
{
    char *html = cov_out_path(req, "html"), *info = cov_out_path(req, "lcov.info");
    int rc = -1;
    if (!html || !info) {
        snprintf(err, errlen, "%s: %s", req->out_dir, strerror(errno));
    } else {
        char *argv[9] = { "genhtml", "--quiet", "--output-directory", html,
                          req->branches ? "--branch-coverage" : "--no-branch-coverage" };
        size_t n = 5;
        if (root) {
            argv[n++] = "--prefix";
            argv[n++] = (char *)root;
        }
        argv[n++] = info;
        argv[n] = NULL;
        rc = cov_run_in(root, argv, err, errlen);
    }
    free(html);
    free(info);
    return rc;
}

/* The absolute path with Python's regex metacharacters escaped, + "$":
 * gcovr's --filter for exactly that file (gcovr takes a filter that
 * starts with '/' as absolute, and matches it from the start). */
static char *cov_regex_exact(const char *path)
{
    char *re = malloc(2 * strlen(path) + 2);
    if (!re)
        return NULL;
    size_t n = 0;
    for (const char *p = path; *p; p++) {
        if (strchr(".^$*+?{}[]\\|()", *p))
            re[n++] = '\\';
        re[n++] = *p;
    }
    re[n++] = '$';
    re[n] = '\0';
    return re;
}

/*
 * gcovr, in the root, writes OUT/cobertura.xml from the .gcda files of
 * build_dir, keeping the requested sources only (gcovr matches its
 * --filter against real paths).  Timestamp 0: the same coverage gives
 * the same bytes.
 */
static int cov_gcovr(const struct cov_request *req, const char *root, char *err,
                     size_t errlen)
{
    struct strv argv = {0};
    char *xml = cov_out_path(req, "cobertura.xml");
    char *obj = realpath(req->build_dir, NULL);
    if (!xml || !obj) {
        snprintf(err, errlen, "%s: %s", xml ? req->build_dir : req->out_dir, strerror(errno));
        free(xml);
        free(obj);
        return -1;
    }
    strv_push_all(&argv, (char *const[]){"gcovr", "--root", ".", "--object-directory", obj,
                                         "--timestamp", "0", "--cobertura-pretty",
                                         "--cobertura", xml}, 10);
    for (size_t i = 0; i < req->nsources; i++) {
        char *real = realpath(req->sources[i], NULL);
        char *re = real ? cov_regex_exact(real) : NULL;
        if (re)
            strv_push_all(&argv, (char *const[]){"--filter", re}, 2);
        free(real);
        free(re);
    }
    strv_push(&argv, obj);
    int rc = -1;
    if (argv.oom)
        snprintf(err, errlen, "out of memory");
    else
        rc = cov_run_in(root, argv.v, err, errlen);
    if (rc < 0)
        unlink(xml);
    strv_clear(&argv);
    free(xml);
    free(obj);
    return rc;
}

/* ---- putting it together ------------------------------------------------ */

static void cov_data_release(struct cov_data *d)
{
    for (size_t i = 0; i < d->nfiles; i++) {
        struct cov_file *f = &d->files[i];
        for (size_t j = 0; j < f->nfuncs; j++)
            free(f->funcs[j].name);
        free(f->funcs);
        free(f->lines);
        free(f->branches);
        free(f->marks);
        free(f->path);
    }
    free(d->files);
    free(d->root);
    d->files = NULL;
    d->root = NULL;
    d->nfiles = 0;
}

/* One cov_file per distinct requested source, with its markers. */
static int cov_data_init(struct cov_data *d, const struct cov_request *req)
{
    *d = (struct cov_data){ .branches = req->branches };
    d->files = calloc(req->nsources, sizeof *d->files);
    if (!d->files)
        return -1;
    char *cwd = getcwd(NULL, 0);
    int rc = 0;
    if (req->source_root && !(d->root = cov_normalize(req->source_root, cwd)))
        rc = -1;
    for (size_t i = 0; i < req->nsources && rc == 0; i++) {
        char *path = cov_normalize(req->sources[i], cwd);
        if (!path) {
            rc = -1;
        } else if (cov_find_file(d, path)) {
            free(path);
        } else {
            d->files[d->nfiles].path = path;
            rc = cov_read_marks(&d->files[d->nfiles++]);
        }
    }
    free(cwd);
    return rc;
}

/* Steps 2 to 5 of the theory of operation, for the .gcda files found. */
static int cov_collect_from(const struct cov_request *req, const struct strv *gcda,
                            const char *info, struct res_coverage *cov, char *err,
                            size_t errlen)
{
    struct cov_data d;
    char *json = NULL;
    int rc = cov_data_init(&d, req);
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    if (rc == 0)
        rc = cov_run_gcov(gcda, &json, err, errlen);
    if (rc == 0)
        rc = cov_parse_gcov(&d, json, err, errlen);
    free(json);
    if (rc == 0)
        rc = cov_write_tracefile(&d, info, cov, err, errlen);
    cov_data_release(&d);
    /* The tools run in the root's real path: genhtml's --prefix must
     * match the names it makes from its cwd. */
    char *root = rc == 0 && cov->present && req->source_root
                     ? realpath(req->source_root, NULL) : NULL;
    if (rc == 0 && cov->present && req->source_root && !root) {
        snprintf(err, errlen, "%s: %s", req->source_root, strerror(errno));
        rc = 1;
    }
    /* The pages are a view of the tracefile: without them the totals and
     * lcov.info stand, and a half-written html/ must not pass for pages. */
    if (rc == 0 && cov->present && req->html && cov_genhtml(req, root, err, errlen) < 0) {
        char *html = fs_join(req->out_dir, "html");
        if (html)
            fs_remove_tree(html);
        free(html);
        rc = 1;
    }
    if (rc == 0 && cov->present && req->cobertura && root
        && cov_gcovr(req, root, err, errlen) < 0)
        rc = 1;
    free(root);
    return rc;
}

int cov_collect(const struct cov_request *req, struct res_coverage *cov, char *err,
                size_t errlen)
{
    memset(cov, 0, sizeof *cov);
    if (req->nsources == 0)
        return 0;
    struct strv gcda = {0};
    cov_find_gcda(req->build_dir, 0, &gcda);
    int rc = 0;
    char *info = NULL;
    if (gcda.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (gcda.n > 0) {
        qsort(gcda.v, gcda.n, sizeof *gcda.v, cov_strcmp_p);
        if (fs_mkdir_p(req->out_dir, 0755) < 0) {
            snprintf(err, errlen, "%s: %s", req->out_dir, strerror(errno));
            rc = -1;
        } else if (!(info = fs_join(req->out_dir, "lcov.info"))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else {
            rc = cov_collect_from(req, &gcda, info, cov, err, errlen);
        }
    }
    free(info);
    strv_clear(&gcda);
    if (rc < 0)
        memset(cov, 0, sizeof *cov);
    return rc;
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
