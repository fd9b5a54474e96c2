/*
 * tsan.c -- the student's data races in ThreadSanitizer's reports.
 *
 * A line scanner with three states: outside a report, inside a data race
 * report, inside one of its access sections ("Write of size ...",
 * "Previous read of size ...").  Lines are read from the log as it is;
 * a flood of output from the student's code cannot make a report vanish,
 * only (in the sandbox's trimmed middle) hide it, which tsan_races()
 * cannot see and nobody can fix after the fact.
 */
#include "run/tsan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accesses of one report that reach student code; TSan prints two. */
#define TSAN_ACCESSES 4

struct tsan_report {
    bool in_race;                      /* inside a data race report */
    int section;                       /* the access being read, or -1 */
    unsigned naccess;
    char kind[TSAN_ACCESSES][16];      /* "write", "atomic read", ... */
    char place[TSAN_ACCESSES][160];    /* "kernels.c:57 in worker (write)", or "" */
};

/* The distinct races found so far. */
struct tsan_found {
    char **lines;
    unsigned n;
    bool oom;
};

static bool tsan_starts(const char *line, const char *prefix)
{
    return strncmp(line, prefix, strlen(prefix)) == 0;
}

/*
 * "Write of size 4 at 0x... by thread T2:" -> "write"; "Previous atomic
 * read of size ..." -> "atomic read".  NULL if the line starts no access.
 */
static const char *tsan_access_kind(const char *line, char *buf, size_t n)
{
    const char *p = line + strspn(line, " ");
    if (tsan_starts(p, "Previous "))
        p += strlen("Previous ");
    const char *of = strstr(p, " of size ");
    if (!of || of - p > 24)
        return NULL;
    snprintf(buf, n, "%.*s", (int)(of - p), p);
    for (char *q = buf; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    return strcmp(buf, "read") == 0 || strcmp(buf, "write") == 0 ||
                   strcmp(buf, "atomic read") == 0 || strcmp(buf, "atomic write") == 0
               ? buf : NULL;
}

/*
 * A frame "#N FUNC LOCATION (MODULE+0xOFF)" whose LOCATION is a student
 * file: "kernels.c:57 in FUNC" into out.  False otherwise.
 */
static bool tsan_frame(const char *line, const char *const files[], size_t nfiles,
                       char *out, size_t n)
{
    const char *p = line + strspn(line, " ");
    if (*p != '#')
        return false;
    p += strcspn(p, " ");
    p += strspn(p, " ");
    size_t flen = strcspn(p, " ");
    const char *loc = p + flen + strspn(p + flen, " ");
    size_t llen = strcspn(loc, " ");
    for (size_t i = 0; i < nfiles; i++) {
        size_t len = strlen(files[i]);
        for (const char *at = loc; at + len < loc + llen; at++) {
            if (strncmp(at, files[i], len) != 0 || at[len] != ':' ||
                (at != loc && at[-1] != '/'))
                continue;
            unsigned lineno = (unsigned)strtoul(at + len + 1, NULL, 10);
            snprintf(out, n, "%s:%u in %.*s", files[i], lineno, (int)flen, p);
            return true;
        }
    }
    return false;
}

static void tsan_add(struct tsan_found *f, const char *text)
{
    for (unsigned i = 0; i < f->n; i++)
        if (strcmp(f->lines[i], text) == 0)
            return;
    char **lines = realloc(f->lines, (f->n + 1) * sizeof *lines);
    char *copy = strdup(text);
    if (!lines || !copy) {
        free(copy);
        if (lines)
            f->lines = lines;
        f->oom = true;
        return;
    }
    f->lines = lines;
    f->lines[f->n++] = copy;
}

/* The end of a race report: one line if an access reached student code. */
static void tsan_finish(struct tsan_report *r, struct tsan_found *f)
{
    char text[512] = "";
    size_t len = 0;
    unsigned shown = 0;
    for (unsigned i = 0; i < r->naccess && i < TSAN_ACCESSES; i++) {
        if (!r->place[i][0])
            continue;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
                                shown++ ? " races with " : "", r->place[i]);
        if (len >= sizeof text)
            len = sizeof text - 1;
    }
    if (shown == 1)
        snprintf(text + len, sizeof text - len, " races with code outside your files");
    if (shown > 0)
        tsan_add(f, text);
    memset(r, 0, sizeof *r);
    r->section = -1;
}

static void tsan_line(struct tsan_report *r, struct tsan_found *f, const char *line,
                      const char *const files[], size_t nfiles)
{
    char kind[16], place[128];
    if (tsan_starts(line, "WARNING: ThreadSanitizer: ")) {
        if (r->in_race)
            tsan_finish(r, f);
        r->in_race = tsan_starts(line, "WARNING: ThreadSanitizer: data race");
        r->section = -1;
    } else if (!r->in_race) {
        return;
    } else if (tsan_starts(line, "==================") || tsan_starts(line, "SUMMARY: ")) {
        tsan_finish(r, f);
    } else if (tsan_access_kind(line, kind, sizeof kind)) {
        r->section = r->naccess < TSAN_ACCESSES ? (int)r->naccess : -1;
        if (r->section >= 0)
            snprintf(r->kind[r->section], sizeof r->kind[0], "%s", kind);
        r->naccess++;
    } else if (line[0] == ' ' && line[1] == ' ' && line[2] != ' ') {
        r->section = -1;                  /* "  Location is ...", "  Thread T1 ..." */
    } else if (r->section >= 0 && !r->place[r->section][0] &&
               tsan_frame(line, files, nfiles, place, sizeof place)) {
        char kind_copy[sizeof r->kind[0]];
        memcpy(kind_copy, r->kind[r->section], sizeof kind_copy);
        snprintf(r->place[r->section], sizeof r->place[0], "%s (%s)", place, kind_copy);
    }
}

/* The found races as text, at most TSAN_MAX_RACES lines and a count. */
static char *tsan_text(const struct tsan_found *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    for (unsigned i = 0; i < f->n && i < TSAN_MAX_RACES; i++)
        fprintf(out, "%s\n", f->lines[i]);
    if (f->n > TSAN_MAX_RACES)
        fprintf(out, "and %u more\n", f->n - TSAN_MAX_RACES);
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *tsan_races(const char *log, const char *const files[], size_t nfiles,
                 unsigned *count)
{
    struct tsan_report r = {.section = -1};
    struct tsan_found f = {0};
    char line[1024];
    for (const char *p = log ? log : ""; *p; ) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        tsan_line(&r, &f, line, files, nfiles);
        p += n + (p[n] == '\n');
    }
    if (r.in_race)
        tsan_finish(&r, &f);
    *count = f.n + (f.oom ? 1 : 0);
    char *text = f.n > 0 && !f.oom ? tsan_text(&f) : NULL;
    for (unsigned i = 0; i < f.n; i++)
        free(f.lines[i]);
    free(f.lines);
    return text;
}
