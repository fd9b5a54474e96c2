/*
 * exports.c -- canvas.csv, moodle.csv and scores-long.csv (exports.h):
 * formatted with libcsv's quoting, from students read off their
 * results.json with jansson.
 */
#include "report/exports.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "score/result.h"
#include "util/fsutil.h"

const char *const exports_files[] = {"canvas.csv", "moodle.csv", "scores-long.csv", NULL};

/* ---- formatting ------------------------------------------------------------ */

/* A quoted text field, after a comma unless first. */
static void exports_text(FILE *f, bool first, const char *text)
{
    if (!first)
        fputc(',', f);
    (void)csv_fwrite2(f, text ? text : "", text ? strlen(text) : 0, CSV_QUOTE);
}

static void exports_number(FILE *f, double x)
{
    fprintf(f, ",%.2f", isfinite(x) ? x : 0.0);
}

static const char *exports_title(const struct grader_cfg *cfg)
{
    return cfg->title ? cfg->title : cfg->name ? cfg->name : "assignment";
}

/* Opens a memory stream; NULL on failure. */
static FILE *exports_open(char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    return open_memstream(buf, len);
}

/* Closes the stream: the text, or NULL if a write failed. */
static char *exports_take(FILE *f, char **buf)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(*buf);
        return NULL;
    }
    return *buf;
}

char *exports_canvas(const struct grader_cfg *cfg, const struct exports_student *v, size_t n)
{
    char *buf;
    size_t len;
    FILE *f = exports_open(&buf, &len);
    if (!f)
        return NULL;
    static const char *const cols[] = {"Student", "ID", "SIS User ID", "SIS Login ID", "Section"};
    for (size_t i = 0; i < 5; i++)
        exports_text(f, i == 0, cols[i]);
    exports_text(f, false, exports_title(cfg));
    /* Canvas's own export has this row; its import takes the maximum from it. */
    fputs("\n\"Points Possible\",,,,", f);
    double max = 0;
    for (size_t k = 0; k < cfg->ntests; k++)
        max += cfg->tests[k].points;
    exports_number(f, max);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        exports_text(f, true, v[i].name);
        fputs(",,", f);
        exports_text(f, false, v[i].name);
        fputc(',', f);
        exports_number(f, v[i].score);
        fputc('\n', f);
    }
    return exports_take(f, &buf);
}

char *exports_moodle(const struct grader_cfg *cfg, const struct exports_student *v, size_t n)
{
    char *buf, *col;
    size_t len;
    if (asprintf(&col, "%s (Real)", exports_title(cfg)) < 0)
        return NULL;
    FILE *f = exports_open(&buf, &len);
    if (!f) {
        free(col);
        return NULL;
    }
    exports_text(f, true, "Username");
    exports_text(f, false, col);
    fputc('\n', f);
    free(col);
    for (size_t i = 0; i < n; i++) {
        exports_text(f, true, v[i].name);
        exports_number(f, v[i].score);
        fputc('\n', f);
    }
    return exports_take(f, &buf);
}

char *exports_long(const struct grader_cfg *cfg, const struct exports_student *v, size_t n)
{
    char *buf;
    size_t len;
    FILE *f = exports_open(&buf, &len);
    if (!f)
        return NULL;
    fputs("\"student\",\"test\",\"score\",\"max\"\n", f);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < cfg->ntests; k++) {
            const char *id = cfg->tests[k].id ? cfg->tests[k].id : "";
            const struct exports_test *t = NULL;
            for (size_t j = 0; j < v[i].ntests && !t; j++)
                if (v[i].tests[j].id && strcmp(v[i].tests[j].id, id) == 0)
                    t = &v[i].tests[j];
            exports_text(f, true, v[i].name);
            exports_text(f, false, id);
            exports_number(f, t ? t->score : 0);
            exports_number(f, t ? t->max_score : cfg->tests[k].points);
            fputc('\n', f);
        }
    return exports_take(f, &buf);
}

/* ---- reading the class ------------------------------------------------------ */

struct exports_class {
    struct exports_student *v;
    struct exports_test **tests;   /* v[i].tests, owned */
    char **names;                  /* v[i].name, owned */
    size_t n, cap;
};

static void exports_class_release(struct exports_class *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->tests[i]);
        free(c->names[i]);
    }
    free(c->v);
    free(c->tests);
    free(c->names);
}

/* The ids in tests[] borrow from the json document, which is released:
 * they are copied into one block after the tests. */
static int exports_load(struct exports_class *c, const char *students, const char *name)
{
    char *dir = fs_join(students, name), *path = dir ? fs_join(dir, "results.json") : NULL;
    json_t *doc = path ? res_json_load(path) : NULL, *tests = json_object_get(doc, "tests");
    int rc = 1;                                     /* not finished: skipped */
    free(dir);
    free(path);
    if (!json_is_array(tests))
        goto done;
    size_t nt = json_array_size(tests), ids = 0, i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *id = json_string_value(json_object_get(json_object_get(t, "extra_data"), "id"));
        ids += (id ? strlen(id) : 0) + 1;
    }
    struct exports_test *v = malloc(nt * sizeof *v + ids + 1);
    char *names = strdup(name), *p = (char *)(v + nt);
    rc = -1;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        void *a = realloc(c->v, cap * sizeof *c->v), *b = realloc(c->tests, cap * sizeof *c->tests),
             *d = realloc(c->names, cap * sizeof *c->names);
        c->v = a ? a : c->v;
        c->tests = b ? b : c->tests;
        c->names = d ? d : c->names;
        if (a && b && d)
            c->cap = cap;
    }
    if (!v || !names || c->n == c->cap) {
        free(v);
        free(names);
        goto done;
    }
    json_array_foreach(tests, i, t) {
        const char *id = json_string_value(json_object_get(json_object_get(t, "extra_data"), "id"));
        strcpy(p, id ? id : "");
        v[i] = (struct exports_test){p, json_number_value(json_object_get(t, "score")),
                                     json_number_value(json_object_get(t, "max_score"))};
        p += strlen(p) + 1;
    }
    c->tests[c->n] = v;
    c->names[c->n] = names;
    c->v[c->n++] = (struct exports_student){names, json_number_value(json_object_get(doc, "score")),
                                            0, v, nt};
    /* results.json has no top-level maximum: the tests' sum is it */
    for (size_t k = 0; k < nt; k++)
        c->v[c->n - 1].max_score += v[k].max_score;
    rc = 0;
done:
    json_decref(doc);
    return rc;
}

static int exports_cmp(const void *a, const void *b)
{
    return strcmp(((const struct exports_student *)a)->name,
                  ((const struct exports_student *)b)->name);
}

static int exports_read(const char *students, struct exports_class *c)
{
    DIR *d = opendir(students);
    struct dirent *e;
    memset(c, 0, sizeof *c);
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        struct stat sb;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(sb.st_mode))
            continue;
        if (exports_load(c, students, e->d_name) < 0) {
            closedir(d);
            errno = ENOMEM;
            return -1;
        }
    }
    closedir(d);
    /* tests[] and names[] stay with their student: sort copies of the rows only */
    if (c->n > 1)
        qsort(c->v, c->n, sizeof *c->v, exports_cmp);
    return 0;
}

int exports_write(const struct grader_cfg *cfg, const char *out_dir, char *err, size_t errlen)
{
    char *(*const make[])(const struct grader_cfg *, const struct exports_student *, size_t) = {
        exports_canvas, exports_moodle, exports_long};
    char *students = fs_join(out_dir, "students");
    struct exports_class c;
    int rc = -1;
    if (!students || exports_read(students, &c) < 0) {
        snprintf(err, errlen, "cannot read %s: %s", students ? students : out_dir,
                 strerror(errno));
        free(students);
        return -1;
    }
    free(students);
    for (size_t i = 0; exports_files[i]; i++) {
        char *text = make[i](cfg, c.v, c.n), *path = fs_join(out_dir, exports_files[i]);
        rc = text && path ? fs_write_atomic(path, text, strlen(text)) : -1;
        if (rc < 0)
            snprintf(err, errlen, "cannot write %s: %s", path ? path : exports_files[i],
                     text && path ? strerror(errno) : "out of memory");
        free(text);
        free(path);
        if (rc < 0)
            break;
    }
    exports_class_release(&c);
    return rc;
}
