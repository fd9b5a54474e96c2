/*
 * ratelimit.c -- the CI rate limit (ratelimit.h): Gradescope's
 * submission_metadata.json read with jansson, previous submissions
 * counted in the 24 hours up to this one.
 */
#include "score/ratelimit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config/cfg.h"

/* Gradescope's metadata is small; a bigger file is not its. */
#define RATE_FILE_MAX (16u << 20)

__attribute__((format(printf, 3, 4)))
static int rate_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The document of `path` (no symbolic link, a regular file of at most
 * RATE_FILE_MAX bytes): 0, 1 if missing, -1 with err. */
static int rate_load(const char *path, json_t **doc, char *err, size_t errlen)
{
    struct stat st;
    json_error_t jerr;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0)
        return rate_errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RATE_FILE_MAX) {
        close(fd);
        return rate_errf(err, errlen, "%s is not a regular file of at most %u bytes", path,
                         RATE_FILE_MAX);
    }
    *doc = json_loadfd(fd, 0, &jerr);
    close(fd);
    if (*doc == NULL)
        return rate_errf(err, errlen, "%s:%d: not JSON: %s", path, jerr.line, jerr.text);
    return 0;
}

/* A previous submission: counted when graded and inside the window. */
static void rate_count_one(const json_t *prev, int64_t now, struct rate_verdict *v,
                           int64_t *oldest, int64_t *latest)
{
    int64_t t;
    const char *at = json_string_value(json_object_get(prev, "submission_time"));
    if (at == NULL || cfg_parse_time(at, &t) < 0 || t > now)
        return;
    if (t >= *latest) {   /* Gradescope lists them oldest first; ties: the later one */
        *latest = t;
        v->previous_score = json_number_value(json_object_get(prev, "score"));
    }
    json_t *extra = json_object_get(json_object_get(prev, "results"), "extra_data");
    if (t <= now - RATE_WINDOW_MS || json_is_true(json_object_get(extra, "rate_limited")))
        return;
    v->counted++;
    if (t < *oldest)
        *oldest = t;
}

int rate_check(const char *metadata_path, unsigned max_per_day, struct rate_verdict *v,
               char *err, size_t errlen)
{
    json_t *doc = NULL;
    int64_t now;
    memset(v, 0, sizeof *v);
    int rc = rate_load(metadata_path, &doc, err, errlen);
    if (rc != 0)
        return rc;
    const char *at = json_string_value(json_object_get(doc, "created_at"));
    if (at == NULL || cfg_parse_time(at, &now) < 0) {
        json_decref(doc);
        return rate_errf(err, errlen, "%s has no valid \"created_at\" time", metadata_path);
    }
    int64_t oldest = INT64_MAX, latest = INT64_MIN;
    size_t i;
    json_t *prev;
    json_array_foreach(json_object_get(doc, "previous_submissions"), i, prev)
        rate_count_one(prev, now, v, &oldest, &latest);
    v->limited = max_per_day > 0 && v->counted >= max_per_day;
    v->next_ms = v->limited ? oldest + RATE_WINDOW_MS : 0;
    json_decref(doc);
    return 0;
}

void rate_message(const struct rate_verdict *v, unsigned max_per_day, char *buf, size_t n)
{
    char next[32] = "?";
    struct tm tm;
    time_t secs = (time_t)(v->next_ms / 1000 + (v->next_ms % 1000 > 0));
    if (gmtime_r(&secs, &tm) != NULL)
        strftime(next, sizeof next, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, n, "Rate limit: at most %u graded submission%s in 24 hours, and %u %s "
             "graded in the 24 hours before this one. This submission was not graded; your "
             "score stays %.2f, your last submission's. Submit again after %s.",
             max_per_day, max_per_day == 1 ? "" : "s", v->counted,
             v->counted == 1 ? "was" : "were", v->previous_score, next);
}
