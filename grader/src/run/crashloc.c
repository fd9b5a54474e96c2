/*
 * crashloc.c -- the runner's tc-location lines, symbolized with addr2line
 * in the sandbox, kept only where they name the student's code.
 */
#include "run/crashloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOC_A2L_MS 10000
#define CLOC_A2L_MEMORY (1ull << 30)
#define CLOC_A2L_OUTPUT (1u << 20)
#define CLOC_WHAT_MAX 16

static void cloc_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cloc_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* Whether [p, p+n) is "0x" and 1 to 16 hex digits. */
static bool cloc_is_offset(const char *p, size_t n)
{
    if (n < 3 || n > 18 || p[0] != '0' || p[1] != 'x')
        return false;
    for (size_t i = 2; i < n; i++)
        if (!isxdigit((unsigned char)p[i]))
            return false;
    return true;
}

/* The next space-separated word of [*p, end): its start, *len; NULL at the end. */
static const char *cloc_word(const char **p, const char *end, size_t *len)
{
    const char *s = *p;
    while (s < end && *s == ' ')
        s++;
    const char *e = s;
    while (e < end && *e != ' ')
        e++;
    *p = e;
    *len = (size_t)(e - s);
    return e > s ? s : NULL;
}

/* Parses one line [line, end) (after the tag) into a new site of set. */
static int cloc_parse_line(const char *line, const char *end, struct cloc_set *set)
{
    const char *p = line;
    size_t idlen, wlen, olen;
    const char *id = cloc_word(&p, end, &idlen);
    const char *what = cloc_word(&p, end, &wlen);
    if (!id || !what || wlen > CLOC_WHAT_MAX)
        return 0;
    for (size_t i = 0; i < wlen; i++)
        if (!isalnum((unsigned char)what[i]))
            return 0;
    const char *test = id;
    for (const char *q = id; q < id + idlen; q++)
        if (*q == '/')
            test = q + 1;
    if (test == id + idlen)
        return 0;
    size_t first = set->offsets.n, n = 0;
    for (const char *o; n < CLOC_MAX_OFFSETS && (o = cloc_word(&p, end, &olen)); n++) {
        if (!cloc_is_offset(o, olen))
            break;
        strv_pushf(&set->offsets, "%.*s", (int)olen, o);
    }
    if (set->offsets.oom)
        return -1;
    struct cloc_site *v = realloc(set->v, (set->n + 1) * sizeof *v);
    if (!v)
        return -1;
    set->v = v;
    struct cloc_site *s = &v[set->n];
    *s = (struct cloc_site){.test = strndup(test, (size_t)(id + idlen - test)),
                            .what = strndup(what, wlen), .first = first, .n = n};
    set->n++;
    return s->test && s->what ? 0 : -1;
}

int cloc_parse(const char *text, struct cloc_set *set)
{
    static const char tag[] = CLOC_TAG;
    for (const char *p = text ? text : ""; *p && set->n < CLOC_MAX_SITES;) {
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(end - p) > sizeof tag - 1 && strncmp(p, tag, sizeof tag - 1) == 0 &&
            cloc_parse_line(p + sizeof tag - 1, end, set) < 0)
            return -1;
        p = *end ? end + 1 : end;
    }
    return 0;
}

void cloc_release(struct cloc_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].test);
        free(set->v[i].what);
        free(set->v[i].where);
    }
    free(set->v);
    strv_clear(&set->offsets);
    *set = (struct cloc_set){0};
}

/*
 * The path of `file` relative to one of roots, when it is the student's
 * (under a root, outside the staged include* folders); NULL otherwise.
 */
static const char *cloc_student_path(const char *file, const char *const roots[],
                                     size_t nroots)
{
    for (size_t i = 0; i < nroots; i++) {
        size_t n = roots[i] ? strlen(roots[i]) : 0;
        while (n > 1 && roots[i][n - 1] == '/')
            n--;
        if (n == 0 || strncmp(file, roots[i], n) != 0 || file[n] != '/')
            continue;
        const char *rel = file + n + 1;
        const char *slash = strchr(rel, '/');
        if (*rel == '\0' || (slash && strncmp(rel, "include", 7) == 0))
            return NULL;
        return rel;
    }
    return NULL;
}

/* One (function, file:line) pair of addr2line, or an address line. */
struct cloc_entry {
    size_t addr;                     /* the address (offset) it belongs to */
    const char *func, *file;         /* pointers into the parsed copy */
    unsigned long line;
};

/* "path:LINE" or "path:LINE (discriminator N)" into *file (cut in place) and *line. */
static bool cloc_split_file_line(char *s, const char **file, unsigned long *line)
{
    char *paren = strstr(s, " (");
    if (paren)
        *paren = '\0';
    char *colon = strrchr(s, ':'), *end;
    if (!colon || colon == s)
        return false;
    *colon = '\0';
    *line = strtoul(colon + 1, &end, 10);
    *file = s;
    return *end == '\0' && *line > 0 && strcmp(s, "??") != 0;
}

/*
 * "in FUNC() at REL:LINE" for entry e if its file is the student's
 * (a clone's suffix, "f.constprop.0", goes); NULL otherwise or on OOM
 * (*oom set).
 */
static char *cloc_entry_where(const struct cloc_entry *e, const char *const roots[],
                              size_t nroots, bool *oom)
{
    const char *rel = e->file ? cloc_student_path(e->file, roots, nroots) : NULL;
    char *s = NULL;
    if (!rel)
        return NULL;
    size_t flen = strcspn(e->func, ".");
    if (flen == 0 || strcmp(e->func, "??") == 0)
        flen = 0;
    if (asprintf(&s, "in %s%.*s%s at %s:%lu", flen ? "" : "code", (int)flen, e->func,
                 flen ? "()" : "", rel, e->line) < 0) {
        *oom = true;
        return NULL;
    }
    return s;
}

int cloc_resolve(struct cloc_set *set, const char *a2l, const char *const roots[],
                 size_t nroots)
{
    char *copy = strdup(a2l ? a2l : "");
    struct cloc_entry *ents = NULL;
    size_t nents = 0, addr = 0, cap = 0;
    bool oom = !copy, have_addr = false;
    const char *func = NULL;
    char *save = NULL;
    for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l && !oom;
         l = strtok_r(NULL, "\n", &save)) {
        if (cloc_is_offset(l, strlen(l))) {   /* -a: a new address */
            addr += have_addr;
            have_addr = true;
            func = NULL;
            continue;
        }
        if (!have_addr)
            continue;
        if (!func) {
            func = l;
            continue;
        }
        struct cloc_entry e = {.addr = addr, .func = func};
        func = NULL;
        if (!cloc_split_file_line(l, &e.file, &e.line))
            continue;
        if (nents == cap) {
            cap = cap ? 2 * cap : 64;
            struct cloc_entry *v = realloc(ents, cap * sizeof *v);
            if (!v) {
                oom = true;
                break;
            }
            ents = v;
        }
        ents[nents++] = e;
    }
    /* Each site: the first student entry of its offsets, in order. */
    for (size_t i = 0; i < set->n && !oom; i++) {
        struct cloc_site *s = &set->v[i];
        for (size_t k = 0; k < nents && !s->where && !oom; k++)
            if (ents[k].addr >= s->first && ents[k].addr < s->first + s->n)
                s->where = cloc_entry_where(&ents[k], roots, nroots, &oom);
    }
    free(ents);
    free(copy);
    set->resolved = !oom;
    return oom ? -1 : 0;
}

int cloc_locate(struct cloc_set *set, const char *program, const struct sbx_opts *opts,
                char *err, size_t errlen)
{
    if (set->offsets.n == 0)
        return 0;
    struct sbx_limits lim = {.cpu_ms = CLOC_A2L_MS, .wall_ms = CLOC_A2L_MS,
                             .memory_bytes = CLOC_A2L_MEMORY, .processes = 64,
                             .output_bytes = CLOC_A2L_OUTPUT};
    struct strv argv = {0};
    struct sbx_result r = {0};
    strv_push_all(&argv, (char *const[]){"addr2line", "-a", "-f", "-i", "-e",
                                         (char *)program}, 6);
    strv_push_all(&argv, set->offsets.v, set->offsets.n);
    if (argv.oom) {
        strv_clear(&argv);
        cloc_errf(err, errlen, "out of memory");
        return -1;
    }
    int rc = sbx_run(&lim, opts, argv.v, &r);
    strv_clear(&argv);
    if (rc < 0 || r.status != SBX_OK) {
        cloc_errf(err, errlen, "addr2line: %s", r.message[0] ? r.message : "failed");
        sbx_result_release(&r);
        return -1;
    }
    char *real = opts->workdir ? realpath(opts->workdir, NULL) : NULL;
    const char *roots[] = {opts->workdir, real};
    rc = cloc_resolve(set, r.out, roots, real ? 2 : 1);
    free(real);
    sbx_result_release(&r);
    if (rc < 0)
        cloc_errf(err, errlen, "out of memory");
    return rc;
}

bool cloc_site_waited(const struct cloc_site *s)
{
    return strcmp(s->what, "waiting") == 0;
}

char *cloc_describe(const struct cloc_set *set, const struct cloc_site *s)
{
    char *out = NULL;
    bool hung = strcmp(s->what, "hung") == 0;
    /* no offset (a wait the sample signal did not reach): nowhere to name */
    const char *where = s->where                   ? s->where
                        : set->resolved && s->n > 0 ? "outside your code"
                                                    : NULL;
    int rc;
    if (cloc_site_waited(s))
        rc = asprintf(&out, "waiting%s%s when the time was nearly up, every thread blocked "
                      "and none computing: a deadlock, or a wait that nothing ends",
                      where ? " " : "", where ? where : "");
    else if (hung)
        rc = where ? asprintf(&out, "still running %s when the time was nearly up", where)
                   : asprintf(&out, "still running when the time was nearly up");
    else
        rc = asprintf(&out, "crashed (%s)%s%s", s->what, where ? " " : "", where ? where : "");
    return rc < 0 ? NULL : out;
}

char *cloc_strip(const char *text)
{
    static const char tag[] = CLOC_TAG;
    const char *p = text ? text : "";
    char *out = malloc(strlen(p) + 1), *o = out;
    if (!out)
        return NULL;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
        if (strncmp(p, tag, sizeof tag - 1) != 0) {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    *o = '\0';
    return out;
}
