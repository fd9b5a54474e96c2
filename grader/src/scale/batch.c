/*
 * batch.c -- a pool of worker threads over the students of a class.
 *
 * Threads, not processes: each worker spends its time waiting on the
 * compiler and the sandboxed tests (child processes), so the grader's own
 * CPU use is small, and sharing the config and the trusted objects costs
 * nothing.  Workers share one mutex for the index and the progress line.
 */
#include "scale/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "report/html.h"
#include "report/report.h"
#include "util/strv.h"

struct batch_state {
    const struct grade_env *env;
    const struct batch_opts *o;
    struct batch_summary *sum;
    char *students_dir;         /* OUT/students */
    struct strv names;          /* sorted student folder names */
    size_t next;                /* next index to grade */
    size_t done;                /* finished (graded or failed) this run */
    size_t todo;                /* to grade this run */
    uint64_t start_ms;
    pthread_mutex_t lock;
};

struct batch_worker {
    struct batch_state *st;
    unsigned index;
    pthread_t thread;
};

static int batch_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int batch_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

static int batch_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, so every run (and every shard) sees the same order. */
int batch_list_students(const char *dir, struct strv *names)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            strv_push(names, e->d_name);
    }
    closedir(d);
    if (names->oom) {
        errno = ENOMEM;
        return -1;
    }
    if (names->n)
        qsort(names->v, names->n, sizeof *names->v, batch_cmp);
    return 0;
}

static bool batch_is_graded(const char *students_dir, const char *name)
{
    char *dir = fs_join(students_dir, name), *json = dir ? fs_join(dir, "results.json") : NULL;
    bool graded = json && access(json, F_OK) == 0;
    free(dir);
    free(json);
    return graded;
}

static void batch_progress(struct batch_state *st, const char *name,
                           const struct res_submission *res, bool reused, const char *failure)
{
    const struct batch_opts *o = st->o;
    if (!o->progress)
        return;
    uint64_t elapsed = fs_now_ms() - st->start_ms;
    uint64_t eta = st->done ? elapsed * (st->todo - st->done) / st->done : 0;
    char what[256];
    if (failure)
        snprintf(what, sizeof what, "%s: grader error: %s", name, failure);
    else if (res->status == RES_UNGRADABLE)
        snprintf(what, sizeof what, "%s: ungradable, 0/%g%s", name, res->max_score,
                 reused ? " (reused)" : "");
    else
        snprintf(what, sizeof what, "%s: %g/%g%s", name, res->score, res->max_score,
                 reused ? " (reused)" : "");
    if (o->progress_tty)
        fprintf(o->progress, "\r\033[K[%zu/%zu] %3zu%%  ETA %llum%02llus  %s", st->done, st->todo,
                st->done * 100 / (st->todo ? st->todo : 1),
                (unsigned long long)(eta / 60000), (unsigned long long)(eta / 1000 % 60), what);
    else
        fprintf(o->progress, "[%zu/%zu] %s\n", st->done, st->todo, what);
    fflush(o->progress);
}

/*
 * The summary a reused student's progress line needs, from its
 * results.json (the rest of *res stays empty).
 */
static void batch_reused_result(const char *dir, struct res_submission *res)
{
    char *json = fs_join(dir, "results.json");
    struct res_row row;
    if (json && res_row_load(json, &row) == 0) {
        res->status = row.graded ? RES_GRADED : RES_UNGRADABLE;
        res->score = row.score;
        res->max_score = row.max_score;
        res_row_release(&row);
    }
    free(json);
}

/*
 * Into `partial`: the regrade cache's copy when it has this key (1), else
 * a grading, stored in the cache when it is clean (0); -1 as
 * grade_submission().
 */
static int batch_grade_cached(struct batch_state *st, const struct grade_slot *slot,
                              const char *sub, const char *name, const char *partial,
                              struct res_submission *res, char *err, size_t errlen)
{
    const struct rcache *cache = st->o->cache;
    char key[RCACHE_KEY_HEX];
    bool keyed = cache && rcache_key(cache, st->env, sub, name, key) == 0;
    if (keyed) {
        int hit = rcache_fetch(cache, key, partial);
        if (hit == 1) {
            res_submission_init(res);
            batch_reused_result(partial, res);
            return 1;
        }
        fs_remove_tree(partial);   /* a failed copy: grade instead */
    }
    int rc = grade_submission(st->env, slot, sub, name, partial, res, err, errlen);
    if (rc == 0 && keyed && res->ndegraded == 0)
        rcache_store(cache, key, partial);   /* best effort: the grading stands */
    return rc;
}

/* Grades one student into .NAME.partial, then renames it into place. */
static int batch_grade_one(struct batch_state *st, const struct grade_slot *slot,
                           const char *name, struct res_submission *res, bool *reused,
                           char *err, size_t errlen)
{
    char *sub = fs_join(st->o->submissions_dir, name), *final = fs_join(st->students_dir, name);
    char *partial = NULL;
    int rc = -1;
    *reused = false;
    if (sub && final && asprintf(&partial, "%s/.%s.partial", st->students_dir, name) >= 0) {
        fs_remove_tree(partial);
        rc = batch_grade_cached(st, slot, sub, name, partial, res, err, errlen);
        *reused = rc == 1;
        rc = rc < 0 ? -1 : 0;
        if (rc == 0 && (fs_remove_tree(final) < 0 || rename(partial, final) < 0))
            rc = batch_errf(err, errlen, "cannot move the result into %s: %s", final,
                            strerror(errno));
        if (rc < 0)
            fs_remove_tree(partial);
    } else {
        res_submission_init(res);
        batch_errf(err, errlen, "out of memory");
    }
    free(sub);
    free(final);
    free(partial);
    return rc;
}

static void *batch_worker_main(void *arg)
{
    struct batch_worker *w = arg;
    struct batch_state *st = w->st;
    struct grade_slot slot = {st->o->uid_base + w->index, st->o->uid_base + w->index};
    for (;;) {
        pthread_mutex_lock(&st->lock);
        while (st->next < st->names.n && batch_is_graded(st->students_dir, st->names.v[st->next]) &&
               !st->o->force)
            st->next++;
        bool stop = st->o->stop && *st->o->stop;
        size_t i = st->next < st->names.n && !stop ? st->next++ : (size_t)-1;
        if (stop)
            st->sum->stopped = true;
        pthread_mutex_unlock(&st->lock);
        if (i == (size_t)-1)
            return NULL;

        struct res_submission res;
        char err[512] = "";
        bool reused = false;
        int rc = batch_grade_one(st, &slot, st->names.v[i], &res, &reused, err, sizeof err);
        pthread_mutex_lock(&st->lock);
        if (rc < 0 && st->o->stop && *st->o->stop) {   /* interrupted: not a failure */
            st->sum->stopped = true;
            pthread_mutex_unlock(&st->lock);
            res_submission_release(&res);
            return NULL;
        }
        st->done++;
        if (rc < 0)
            st->sum->failed++;
        else if (res.status == RES_UNGRADABLE)
            st->sum->ungradable++;
        if (rc == 0)
            st->sum->graded++;
        if (rc == 0 && reused)
            st->sum->reused++;
        batch_progress(st, st->names.v[i], &res, reused, rc < 0 ? err : NULL);
        pthread_mutex_unlock(&st->lock);
        res_submission_release(&res);
    }
}

/* Appends the summary row of a finished student (read back from results.json). */
static void batch_add_row(struct batch_summary *sum, const char *dir)
{
    char *json = fs_join(dir, "results.json");
    struct res_row row;
    if (json && res_row_load(json, &row) == 0) {
        struct res_row *rows = realloc(sum->rows, (sum->nrows + 1) * sizeof *rows);
        if (rows) {
            rows[sum->nrows++] = row;
            sum->rows = rows;
        } else {
            res_row_release(&row);
        }
    }
    free(json);
}

void batch_summary_release(struct batch_summary *sum)
{
    for (size_t i = 0; i < sum->nrows; i++)
        res_row_release(&sum->rows[i]);
    free(sum->rows);
    sum->rows = NULL;
    sum->nrows = 0;
}

/* The header comes from the config, so a class with no finished student
 * still gets one, and merged shards get the same bytes as one batch. */
int batch_write_gradebook(const struct grader_cfg *cfg, const char *out_dir,
                          const struct strv *names, struct batch_summary *sum,
                          char *err, size_t errlen)
{
    char *buf = NULL, *path = fs_join(out_dir, "gradebook.csv");
    char *students_dir = fs_join(out_dir, "students"), *header = report_gradebook_header(cfg);
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem || !path || !students_dir || !header) {
        free(path);
        free(students_dir);
        free(header);
        if (mem)
            fclose(mem);
        free(buf);
        return batch_errf(err, errlen, "out of memory");
    }
    fputs(header, mem);
    for (size_t i = 0; i < names->n; i++) {
        char *dir = fs_join(students_dir, names->v[i]);
        char *row_path = dir ? fs_join(dir, "gradebook-row.csv") : NULL, *row = NULL;
        size_t row_len;
        if (row_path && batch_is_graded(students_dir, names->v[i]) &&
            fs_read_file(row_path, 1u << 20, &row, &row_len) == 0) {
            /* each row file is "header\nrow\n": the header was written above */
            char *nl = strchr(row, '\n');
            if (nl)
                fputs(nl + 1, mem);
            batch_add_row(sum, dir);
        }
        free(row);
        free(row_path);
        free(dir);
    }
    free(header);
    free(students_dir);
    int rc = fclose(mem) == 0 ? fs_write_atomic(path, buf, len) : -1;
    if (rc < 0)
        batch_errf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(buf);
    free(path);
    return rc;
}

/*
 * Removes students/.NAME.partial folders a killed batch left behind.  Only
 * called with the lock held, so no other batch is writing them.
 */
static void batch_remove_partials(const char *students_dir)
{
    DIR *d = opendir(students_dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' && n > 9 && strcmp(e->d_name + n - 8, ".partial") == 0) {
            char *path = fs_join(students_dir, e->d_name);
            if (path)
                fs_remove_tree(path);
            free(path);
        }
    }
    closedir(d);
}

/* Removes OUT's class files' temporaries (gradebook.csv.tmp.*, canvas.csv,
 * the dashboard's...) left by a killed batch (lock held). */
static void batch_remove_stale_temps(const char *out_dir)
{
    DIR *d = opendir(out_dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)))
        if (fs_is_write_temp(e->d_name))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* Takes OUT/.lock for the whole run; the fd stays open until exit. */
static int batch_lock(const char *out_dir, int *fd, char *err, size_t errlen)
{
    char *path = fs_join(out_dir, ".lock");
    if (!path)
        return batch_errf(err, errlen, "out of memory");
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (*fd < 0)
        return batch_errf(err, errlen, "cannot open %s/.lock: %s", out_dir, strerror(errno));
    /* No locks on OUT's file system: nobody can hold one, go on. */
    if (fs_try_lock(*fd, LOCK_EX) != FS_LOCK_BUSY)
        return 0;
    close(*fd);
    *fd = -1;
    return batch_errf(err, errlen,
                      "another grader batch is writing to %s; wait for it to finish", out_dir);
}

int batch_lock_out(const char *out_dir, int *lock_fd, char *err, size_t errlen)
{
    char *students = fs_join(out_dir, "students");
    int rc = -1;
    *lock_fd = -1;
    if (!students)
        return batch_errf(err, errlen, "out of memory");
    if (fs_mkdir_p(students, 0755) < 0) {
        batch_errf(err, errlen, "cannot create %s: %s", students, strerror(errno));
    } else if (batch_lock(out_dir, lock_fd, err, errlen) == 0) {
        batch_remove_partials(students);
        batch_remove_stale_temps(out_dir);
        rc = 0;
    }
    free(students);
    return rc;
}

/* Keeps names[k] for the k (0-based, in sorted order) of shard I of N:
 * k % N == I - 1.  Every shard computes the same split from the same list. */
static void batch_keep_shard(struct strv *names, unsigned index, unsigned count)
{
    size_t kept = 0;
    for (size_t k = 0; k < names->n; k++) {
        if (k % count == index - 1)
            names->v[kept++] = names->v[k];
        else
            free(names->v[k]);
    }
    names->n = kept;
    if (names->v)
        names->v[kept] = NULL;
}

static int batch_start_workers(struct batch_state *st, struct batch_worker *w, unsigned n)
{
    unsigned started = 0;
    for (; started < n; started++) {
        w[started].st = st;
        w[started].index = started;
        if (pthread_create(&w[started].thread, NULL, batch_worker_main, &w[started]) != 0)
            break;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    return started ? 0 : -1;
}

int batch_run(const struct grade_env *env, const struct batch_opts *o,
              struct batch_summary *sum, char *err, size_t errlen)
{
    struct batch_state st = {.env = env, .o = o, .sum = sum, .start_ms = fs_now_ms()};
    int lock_fd = -1, rc = -1;
    memset(sum, 0, sizeof *sum);
    pthread_mutex_init(&st.lock, NULL);
    if (o->shard_count > 1 && (o->shard_count > BATCH_MAX_SHARDS || o->shard_index < 1 ||
                               o->shard_index > o->shard_count)) {
        batch_errf(err, errlen, "shard %u/%u: need 1 <= I <= N <= %u", o->shard_index,
                   o->shard_count, BATCH_MAX_SHARDS);
        goto done;
    }
    if (batch_list_students(o->submissions_dir, &st.names) < 0) {
        batch_errf(err, errlen, "cannot read %s: %s", o->submissions_dir, strerror(errno));
        goto done;
    }
    size_t class_size = st.names.n;
    if (o->shard_count > 1)
        batch_keep_shard(&st.names, o->shard_index, o->shard_count);
    if (o->shard_count > 1 && o->progress)
        fprintf(o->progress, "shard %u/%u: %zu of %zu students\n", o->shard_index,
                o->shard_count, st.names.n, class_size);
    st.students_dir = fs_join(o->out_dir, "students");
    if (!st.students_dir) {
        batch_errf(err, errlen, "out of memory");
        goto done;
    }
    if (batch_lock_out(o->out_dir, &lock_fd, err, errlen) < 0)
        goto done;
    sum->students = st.names.n;
    for (size_t i = 0; i < st.names.n; i++)
        if (!o->force && batch_is_graded(st.students_dir, st.names.v[i]))
            sum->skipped++;
    st.todo = st.names.n - sum->skipped;
    unsigned jobs = o->jobs ? o->jobs : 1;
    html_init();   /* before the workers make pages (libxml2's lazy mutexes) */
    struct batch_worker *workers = calloc(jobs, sizeof *workers);
    if (!workers || batch_start_workers(&st, workers, jobs) < 0) {
        free(workers);
        batch_errf(err, errlen, "cannot start worker threads");
        goto done;
    }
    free(workers);
    if (o->progress && o->progress_tty)
        fputc('\n', o->progress);
    if (batch_write_gradebook(env->cfg, o->out_dir, &st.names, sum, err, errlen) < 0)
        goto done;
    if (html_write_dashboard(env->cfg, o->out_dir, err, errlen) < 0)
        goto done;
    rc = sum->failed || sum->stopped ? 1 : 0;
done:
    if (lock_fd >= 0)
        close(lock_fd);
    pthread_mutex_destroy(&st.lock);
    strv_clear(&st.names);
    free(st.students_dir);
    return rc;
}
