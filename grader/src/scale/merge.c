/*
 * merge.c -- copy the finished students of several batch outputs into
 * one, then rebuild its gradebook and dashboard.
 *
 * Order of work: lock OUT, open (and share-lock) every input, list the
 * finished students of all inputs, sort them by name, check every
 * student found twice for byte-identity, and only then copy.  So a
 * conflict leaves OUT untouched.  The tree walks lstat() every entry and
 * accept only folders and regular files: grader outputs contain nothing
 * else, and a symlink would let a copy read or a compare report on a
 * file outside the input.
 */
#include "scale/merge.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "report/html.h"
#include "util/strv.h"

struct merge_input {
    const char *dir;            /* borrowed from the options */
    char *students;             /* dir/students */
    bool is_out;                /* the same folder as OUT: nothing to copy */
    int lock_fd;                /* dir/.lock, share-locked (unlocked on a file system
                                   without locks), or -1 */
};

/* A finished student folder of one input. */
struct merge_item {
    char *name;
    size_t input;
};

struct merge_state {
    const struct merge_opts *o;
    struct merge_summary *sum;
    struct merge_input *in;     /* o->ninputs of them */
    struct merge_item *items;
    size_t nitems;
    char *out_students;         /* OUT/students */
    char *err;
    size_t errlen;
};

static int merge_errf(struct merge_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int merge_errf(struct merge_state *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, st->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- comparing and copying trees --------------------------------------- */

static int merge_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry of dir but "." and "..", sorted. */
static int merge_list_all(const char *dir, struct strv *names)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            strv_push(names, e->d_name);
    closedir(d);
    if (names->oom) {
        errno = ENOMEM;
        return -1;
    }
    if (names->n)
        qsort(names->v, names->n, sizeof *names->v, merge_cmp_str);
    return 0;
}

/* lstat that accepts only folders and regular files. */
static int merge_lstat(struct merge_state *st, const char *path, struct stat *sb)
{
    if (lstat(path, sb) < 0)
        return merge_errf(st, "cannot read %s: %s", path, strerror(errno));
    if (!S_ISDIR(sb->st_mode) && !S_ISREG(sb->st_mode))
        return merge_errf(st, "%s is neither a folder nor a regular file: not a grader output",
                          path);
    return 0;
}

/* 1 if the two regular files hold the same bytes, 0 if not, -1 on error. */
static int merge_same_file(struct merge_state *st, const char *a, const char *b)
{
    FILE *fa = fopen(a, "rbe"), *fb = fopen(b, "rbe");
    int same = -1;
    if (!fa || !fb) {
        merge_errf(st, "cannot read %s: %s", fa ? b : a, strerror(errno));
        goto done;
    }
    char ba[65536], bb[65536];
    for (;;) {
        size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
        if (ferror(fa) || ferror(fb)) {
            merge_errf(st, "cannot read %s: %s", ferror(fa) ? a : b, strerror(errno));
            goto done;
        }
        if (na != nb || memcmp(ba, bb, na) != 0) {
            same = 0;
            goto done;
        }
        if (na == 0) {
            same = 1;
            goto done;
        }
    }
done:
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static int merge_same_tree(struct merge_state *st, const char *a, const char *b);

/* 1 if folders a and b hold the same names and, name by name, the same trees. */
static int merge_same_dir(struct merge_state *st, const char *a, const char *b)
{
    struct strv na = {0}, nb = {0};
    int same = -1;
    if (merge_list_all(a, &na) < 0 || merge_list_all(b, &nb) < 0) {
        merge_errf(st, "cannot read %s or %s: %s", a, b, strerror(errno));
        goto done;
    }
    same = na.n == nb.n;
    for (size_t i = 0; same == 1 && i < na.n; i++) {
        if (strcmp(na.v[i], nb.v[i]) != 0) {
            same = 0;
            break;
        }
        char *pa = fs_join(a, na.v[i]), *pb = fs_join(b, nb.v[i]);
        same = pa && pb ? merge_same_tree(st, pa, pb) : merge_errf(st, "out of memory");
        free(pa);
        free(pb);
    }
done:
    strv_clear(&na);
    strv_clear(&nb);
    return same;
}

/* 1 if a and b are byte-identical trees (names, kinds, bytes), 0 if not,
 * -1 on error (err set).  Modes and times are not compared. */
static int merge_same_tree(struct merge_state *st, const char *a, const char *b)
{
    struct stat sa, sb;
    if (merge_lstat(st, a, &sa) < 0 || merge_lstat(st, b, &sb) < 0)
        return -1;
    if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode))
        return 0;
    if (S_ISREG(sa.st_mode))
        return sa.st_size == sb.st_size ? merge_same_file(st, a, b) : 0;
    return merge_same_dir(st, a, b);
}

/* Copies the tree src to dst, which must not exist. */
static int merge_copy_tree(struct merge_state *st, const char *src, const char *dst)
{
    struct stat sb;
    if (merge_lstat(st, src, &sb) < 0)
        return -1;
    if (S_ISREG(sb.st_mode))
        return fs_copy_file(src, dst) < 0
                   ? merge_errf(st, "cannot copy %s to %s: %s", src, dst, strerror(errno))
                   : 0;
    struct strv names = {0};
    int rc = 0;
    if (mkdir(dst, 0755) < 0 || merge_list_all(src, &names) < 0)
        rc = merge_errf(st, "cannot copy %s to %s: %s", src, dst, strerror(errno));
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        char *s = fs_join(src, names.v[i]), *d = fs_join(dst, names.v[i]);
        rc = s && d ? merge_copy_tree(st, s, d) : merge_errf(st, "out of memory");
        free(s);
        free(d);
    }
    strv_clear(&names);
    return rc;
}

/* ---- the inputs -------------------------------------------------------- */

/* A shared lock on INPUT/.lock, if a batch ever ran there: fails while a
 * batch holds it (that input is still being graded).  A file system
 * without locks lets the merge go on: no batch can hold one there. */
static int merge_lock_input(struct merge_state *st, struct merge_input *in)
{
    char *path = fs_join(in->dir, ".lock");
    if (!path)
        return merge_errf(st, "out of memory");
    in->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (in->lock_fd < 0)
        return errno == ENOENT ? 0 : merge_errf(st, "cannot open %s/.lock: %s", in->dir,
                                                strerror(errno));
    if (fs_try_lock(in->lock_fd, LOCK_SH) != FS_LOCK_BUSY)
        return 0;
    return merge_errf(st, "a grader batch is writing to %s; merge it once it has finished",
                      in->dir);
}

static int merge_open_input(struct merge_state *st, struct merge_input *in,
                            const struct stat *out_st)
{
    struct stat sb;
    in->lock_fd = -1;
    if (stat(in->dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return merge_errf(st, "%s: not a folder", in->dir);
    in->is_out = sb.st_dev == out_st->st_dev && sb.st_ino == out_st->st_ino;
    in->students = fs_join(in->dir, "students");
    if (!in->students)
        return merge_errf(st, "out of memory");
    if (stat(in->students, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return merge_errf(st, "%s has no students/ folder: not the output of 'grader batch'",
                          in->dir);
    /* OUT itself is locked exclusively by this process already. */
    return in->is_out ? 0 : merge_lock_input(st, in);
}

static int merge_push_item(struct merge_state *st, const char *name, size_t input)
{
    struct merge_item *items = realloc(st->items, (st->nitems + 1) * sizeof *items);
    char *copy = strdup(name);
    if (!items || !copy) {
        if (items)
            st->items = items;
        free(copy);
        return merge_errf(st, "out of memory");
    }
    st->items = items;
    st->items[st->nitems++] = (struct merge_item){copy, input};
    return 0;
}

/* Appends input i's finished students to st->items; counts the unfinished. */
static int merge_collect(struct merge_state *st, size_t i)
{
    struct strv names = {0};
    const struct merge_input *in = &st->in[i];
    if (batch_list_students(in->students, &names) < 0) {
        strv_clear(&names);
        return merge_errf(st, "cannot read %s: %s", in->students, strerror(errno));
    }
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < names.n; k++) {
        char *dir = fs_join(in->students, names.v[k]);
        char *json = dir ? fs_join(dir, "results.json") : NULL;
        if (!json)
            rc = merge_errf(st, "out of memory");
        else if (access(json, F_OK) == 0)
            rc = merge_push_item(st, names.v[k], i);
        else {
            st->sum->unfinished++;
            if (st->o->progress)
                fprintf(st->o->progress, "%s: no results.json (grading unfinished): skipped\n",
                        dir);
        }
        free(json);
        free(dir);
    }
    strv_clear(&names);
    return rc;
}

static int merge_item_cmp(const void *a, const void *b)
{
    const struct merge_item *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->input > y->input) - (x->input < y->input);
}

/* ---- checking and copying ---------------------------------------------- */

static char *merge_item_path(const struct merge_state *st, const struct merge_item *it)
{
    return fs_join(st->in[it->input].students, it->name);
}

/* Every student found in several inputs must be byte-identical in all. */
static int merge_check_conflicts(struct merge_state *st)
{
    size_t head = 0;
    for (size_t i = 0; i < st->nitems; i++) {
        if (strcmp(st->items[i].name, st->items[head].name) != 0)
            head = i;
        if (i == head) {
            st->sum->students++;
            continue;
        }
        char *a = merge_item_path(st, &st->items[head]), *b = merge_item_path(st, &st->items[i]);
        int same = a && b ? merge_same_tree(st, a, b) : merge_errf(st, "out of memory");
        if (same == 0)
            merge_errf(st, "student '%s' is in both %s and %s with different results: "
                           "grade each student in one shard only, or remove one of them",
                       st->items[i].name, st->in[st->items[head].input].dir,
                       st->in[st->items[i].input].dir);
        free(a);
        free(b);
        if (same != 1)
            return -1;
        st->sum->duplicates++;
    }
    return 0;
}

/* Copies src into OUT/students/.NAME.partial, then renames it into place. */
static int merge_copy_student(struct merge_state *st, const char *src, const char *name,
                              const char *dst)
{
    char *partial = NULL;
    if (asprintf(&partial, "%s/.%s.partial", st->out_students, name) < 0)
        return merge_errf(st, "out of memory");
    int rc = fs_remove_tree(partial) < 0
                 ? merge_errf(st, "cannot remove %s: %s", partial, strerror(errno))
                 : merge_copy_tree(st, src, partial);
    if (rc == 0 && (fs_remove_tree(dst) < 0 || rename(partial, dst) < 0))
        rc = merge_errf(st, "cannot move %s into place: %s", dst, strerror(errno));
    if (rc < 0)
        fs_remove_tree(partial);
    free(partial);
    return rc;
}

/* Brings one student (the first input that has it) into OUT. */
static int merge_student(struct merge_state *st, const struct merge_item *it)
{
    if (st->in[it->input].is_out) {
        st->sum->unchanged++;
        return 0;
    }
    char *src = merge_item_path(st, it), *dst = fs_join(st->out_students, it->name);
    struct stat sb;
    int same = 0;   /* a student not yet in OUT is copied */
    if (!src || !dst)
        same = merge_errf(st, "out of memory");
    else if (lstat(dst, &sb) == 0)
        same = merge_same_tree(st, src, dst);
    int rc = same < 0 ? -1 : 0;
    if (same == 1)
        st->sum->unchanged++;
    else if (same == 0 && (rc = merge_copy_student(st, src, it->name, dst)) == 0)
        st->sum->copied++;
    free(src);
    free(dst);
    return rc;
}

static int merge_copy_all(struct merge_state *st)
{
    for (size_t i = 0; i < st->nitems; i++)
        if ((i == 0 || strcmp(st->items[i].name, st->items[i - 1].name) != 0) &&
            merge_student(st, &st->items[i]) < 0)
            return -1;
    return 0;
}

/* OUT/gradebook.csv and OUT/index.html from every finished student of OUT. */
static int merge_write_class(const struct grader_cfg *cfg, struct merge_state *st)
{
    struct strv names = {0};
    int rc;
    if (batch_list_students(st->out_students, &names) < 0)
        rc = merge_errf(st, "cannot read %s: %s", st->out_students, strerror(errno));
    else
        rc = batch_write_gradebook(cfg, st->o->out_dir, &names, &st->sum->class, st->err,
                                   st->errlen);
    strv_clear(&names);
    if (rc == 0)
        rc = html_write_dashboard(cfg, st->o->out_dir, st->err, st->errlen);
    return rc;
}

/* ---- the whole merge --------------------------------------------------- */

static int merge_steps(const struct grader_cfg *cfg, struct merge_state *st)
{
    struct stat out_st;
    if (stat(st->o->out_dir, &out_st) < 0)
        return merge_errf(st, "cannot read %s: %s", st->o->out_dir, strerror(errno));
    for (size_t i = 0; i < st->o->ninputs; i++) {
        st->in[i].dir = st->o->inputs[i];
        if (merge_open_input(st, &st->in[i], &out_st) < 0 || merge_collect(st, i) < 0)
            return -1;
        st->sum->inputs++;
    }
    if (st->nitems)
        qsort(st->items, st->nitems, sizeof *st->items, merge_item_cmp);
    if (merge_check_conflicts(st) < 0 || merge_copy_all(st) < 0)
        return -1;
    return merge_write_class(cfg, st);
}

int merge_run(const struct grader_cfg *cfg, const struct merge_opts *o,
              struct merge_summary *sum, char *err, size_t errlen)
{
    struct merge_state st = {.o = o, .sum = sum, .err = err, .errlen = errlen};
    int out_lock = -1, rc = -1;
    memset(sum, 0, sizeof *sum);
    if (o->ninputs == 0)
        return merge_errf(&st, "nothing to merge: no input folder");
    st.in = calloc(o->ninputs, sizeof *st.in);
    st.out_students = fs_join(o->out_dir, "students");
    for (size_t i = 0; st.in && i < o->ninputs; i++)
        st.in[i].lock_fd = -1;
    if (!st.in || !st.out_students)
        merge_errf(&st, "out of memory");
    else if (batch_lock_out(o->out_dir, &out_lock, err, errlen) == 0)
        rc = merge_steps(cfg, &st);
    for (size_t i = 0; st.in && i < o->ninputs; i++) {
        if (st.in[i].lock_fd >= 0)
            close(st.in[i].lock_fd);
        free(st.in[i].students);
    }
    for (size_t i = 0; i < st.nitems; i++)
        free(st.items[i].name);
    free(st.items);
    free(st.in);
    free(st.out_students);
    if (out_lock >= 0)
        close(out_lock);
    return rc;
}

void merge_summary_release(struct merge_summary *sum)
{
    batch_summary_release(&sum->class);
}
