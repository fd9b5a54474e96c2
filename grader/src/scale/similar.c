/*
 * similar.c -- code similarity across a class (similar.h): a C lexer,
 * winnowing, base-code and common-code removal, pair counting through an
 * inverted index, and matching regions for the best pairs.
 */
#include "scale/similar.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scale/batch.h"
#include "util/fsutil.h"
#include "util/strv.h"

/* Token codes of the classes that lose their spelling. */
enum { SIM_TOK_IDENT = 1, SIM_TOK_NUMBER, SIM_TOK_STRING, SIM_TOK_CHAR };

static const char *const sim_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Alignas",
    "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
    "_Static_assert", "_Thread_local", NULL,
};

/* Punctuators, longest first: the lexer takes the longest that fits. */
static const char *const sim_puncts[] = {
    "%:%:", "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
    "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "<:", ":>", "<%",
    "%>", "%:", NULL,
};

static void sim_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sim_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- lexer ------------------------------------------------------------------------ */

/* A growable token list. */
struct sim_toks {
    unsigned *codes, *lines;
    size_t n, cap;
    bool oom;
};

static void sim_toks_push(struct sim_toks *t, unsigned code, unsigned line)
{
    if (t->oom)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        unsigned *c = realloc(t->codes, cap * sizeof *c);
        if (c)
            t->codes = c;
        unsigned *l = c ? realloc(t->lines, cap * sizeof *l) : NULL;
        if (!c || !l) {
            t->oom = true;
            return;
        }
        t->lines = l;
        t->cap = cap;
    }
    t->codes[t->n] = code;
    t->lines[t->n++] = line;
}

/* A code for a spelling (keyword, punctuator, stray byte): FNV-1a, kept clear of the classes. */
static unsigned sim_spelling_code(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h < 16 ? h + 16 : h;
}

static bool sim_is_ident_char(unsigned char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 ||
           (!first && c >= '0' && c <= '9');
}

static bool sim_is_keyword(const char *s, size_t n)
{
    for (size_t i = 0; sim_keywords[i]; i++)
        if (strlen(sim_keywords[i]) == n && memcmp(sim_keywords[i], s, n) == 0)
            return true;
    return false;
}

/* The lexer's cursor. */
struct sim_lexer {
    const char *s;
    size_t len, i;
    unsigned line;
    bool line_start;             /* only layout so far on this line: a '#' starts a directive */
};

static int sim_peek(const struct sim_lexer *lx, size_t ahead)
{
    return lx->i + ahead < lx->len ? (unsigned char)lx->s[lx->i + ahead] : -1;
}

/* Skips a backslash-newline (a line splice) at the cursor; true if there was one. */
static bool sim_splice(struct sim_lexer *lx)
{
    if (sim_peek(lx, 0) == '\\' && sim_peek(lx, 1) == '\n') {
        lx->i += 2;
        lx->line++;
        return true;
    }
    if (sim_peek(lx, 0) == '\\' && sim_peek(lx, 1) == '\r' && sim_peek(lx, 2) == '\n') {
        lx->i += 3;
        lx->line++;
        return true;
    }
    return false;
}

/* Skips a comment at the cursor; true if there was one. */
static bool sim_comment(struct sim_lexer *lx)
{
    if (sim_peek(lx, 0) != '/')
        return false;
    if (sim_peek(lx, 1) == '*') {
        lx->i += 2;
        while (lx->i < lx->len && !(sim_peek(lx, 0) == '*' && sim_peek(lx, 1) == '/')) {
            if (lx->s[lx->i] == '\n')
                lx->line++;
            lx->i++;
        }
        lx->i = lx->i + 2 <= lx->len ? lx->i + 2 : lx->len;
        return true;
    }
    if (sim_peek(lx, 1) == '/') {
        while (lx->i < lx->len && lx->s[lx->i] != '\n')
            if (!sim_splice(lx))
                lx->i++;
        return true;
    }
    return false;
}

/* Skips a preprocessing directive from its '#' to its (unspliced) line end. */
static void sim_directive(struct sim_lexer *lx)
{
    while (lx->i < lx->len && lx->s[lx->i] != '\n')
        if (!sim_splice(lx) && !sim_comment(lx))
            lx->i++;
}

/* A string or character literal from its opening quote; stops at the line's end. */
static void sim_quoted(struct sim_lexer *lx, char quote)
{
    lx->i++;
    while (lx->i < lx->len && lx->s[lx->i] != quote && lx->s[lx->i] != '\n') {
        if (sim_splice(lx))
            continue;
        lx->i += lx->s[lx->i] == '\\' && lx->i + 1 < lx->len && lx->s[lx->i + 1] != '\n' ? 2 : 1;
    }
    if (lx->i < lx->len && lx->s[lx->i] == quote)
        lx->i++;
}

/* A preprocessing number from its first digit (or '.'). */
static void sim_number(struct sim_lexer *lx)
{
    lx->i++;
    for (;;) {
        int c = sim_peek(lx, 0);
        if ((c == '+' || c == '-') && strchr("eEpP", lx->s[lx->i - 1]))
            lx->i++;
        else if (c >= 0 && (c == '.' || sim_is_ident_char((unsigned char)c, false)))
            lx->i++;
        else if (!sim_splice(lx))
            return;
    }
}

/* One token at the cursor (not layout, not a comment) into t. */
static void sim_token(struct sim_lexer *lx, struct sim_toks *t)
{
    const char *p = lx->s + lx->i;
    unsigned line = lx->line;
    unsigned char c = (unsigned char)*p;
    if (c >= '0' && c <= '9') {
        sim_number(lx);
        sim_toks_push(t, SIM_TOK_NUMBER, line);
    } else if (c == '.' && sim_peek(lx, 1) >= '0' && sim_peek(lx, 1) <= '9') {
        sim_number(lx);
        sim_toks_push(t, SIM_TOK_NUMBER, line);
    } else if (sim_is_ident_char(c, true)) {
        size_t n = 0;
        while (lx->i + n < lx->len && sim_is_ident_char((unsigned char)p[n], false))
            n++;
        lx->i += n;
        int q = sim_peek(lx, 0);
        bool prefix = (n == 1 && strchr("LuU", *p)) || (n == 2 && memcmp(p, "u8", 2) == 0);
        if (prefix && (q == '"' || q == '\'')) {
            sim_quoted(lx, (char)q);
            sim_toks_push(t, q == '"' ? SIM_TOK_STRING : SIM_TOK_CHAR, line);
        } else {
            sim_toks_push(t, sim_is_keyword(p, n) ? sim_spelling_code(p, n) : SIM_TOK_IDENT,
                          line);
        }
    } else if (c == '"' || c == '\'') {
        sim_quoted(lx, (char)c);
        sim_toks_push(t, c == '"' ? SIM_TOK_STRING : SIM_TOK_CHAR, line);
    } else {
        size_t n = 1;
        for (size_t k = 0; sim_puncts[k]; k++) {
            size_t m = strlen(sim_puncts[k]);
            if (lx->i + m <= lx->len && memcmp(p, sim_puncts[k], m) == 0) {
                n = m;
                break;
            }
        }
        lx->i += n;
        sim_toks_push(t, sim_spelling_code(p, n), line);
    }
}

/* Lexes text (len bytes), its line 1 being `first_line`, appending to t. */
static void sim_lex_into(const char *text, size_t len, unsigned first_line, struct sim_toks *t)
{
    struct sim_lexer lx = {.s = text, .len = len, .line = first_line, .line_start = true};
    while (lx.i < lx.len && !t->oom) {
        unsigned char c = (unsigned char)lx.s[lx.i];
        if (c == '\n') {
            lx.line++;
            lx.i++;
            lx.line_start = true;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
                   sim_splice(&lx) || sim_comment(&lx)) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
                lx.i++;
        } else if (c == '#' && lx.line_start) {
            sim_directive(&lx);
        } else {
            lx.line_start = false;
            sim_token(&lx, t);
        }
    }
}

int sim_lex(const char *text, size_t len, unsigned **codes, unsigned **lines, size_t *n)
{
    struct sim_toks t = {0};
    sim_lex_into(text, len, 1, &t);
    if (t.oom) {
        free(t.codes);
        free(t.lines);
        return -1;
    }
    *codes = t.codes;
    *n = t.n;
    if (lines)
        *lines = t.lines;
    else
        free(t.lines);
    return 0;
}

/* ---- fingerprints ------------------------------------------------------------------ */

/* A fingerprint: a k-gram's hash and the index of its first token. */
struct sim_fp {
    uint64_t hash;
    size_t pos;
};

static uint64_t sim_mix(uint64_t x)   /* splitmix64's finaliser: spreads the rolling hash */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The hash of every k-gram of codes[0..n) into *out (malloc'd): n - k + 1 of them. */
static int sim_kgrams(const unsigned *codes, size_t n, unsigned k, uint64_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (n < k)
        return 0;
    const uint64_t base = 1000003ull;
    uint64_t top = 1, h = 0;
    for (unsigned j = 1; j < k; j++)
        top *= base;
    uint64_t *v = malloc((n - k + 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (i >= k)
            h -= codes[i - k] * top;
        h = h * base + codes[i];
        if (i + 1 >= k)
            v[i + 1 - k] = sim_mix(h);
    }
    *out = v;
    *nout = n - k + 1;
    return 0;
}

/* Winnowing: the minimum (rightmost on ties) of each window of w hashes, once per change. */
static int sim_winnow(const uint64_t *h, size_t n, unsigned w, struct sim_fp **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return 0;
    size_t win = w < n ? w : n, cnt = 0, last = SIZE_MAX;
    struct sim_fp *v = malloc((n - win + 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t s = 0; s + win <= n; s++) {
        size_t m = s;
        for (size_t j = s + 1; j < s + win; j++)
            if (h[j] <= h[m])
                m = j;
        if (m != last) {
            v[cnt].hash = h[m];
            v[cnt++].pos = m;
            last = m;
        }
    }
    *out = v;
    *nout = cnt;
    return 0;
}

static int sim_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int sim_cmp_fp(const void *a, const void *b)
{
    const struct sim_fp *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool sim_has(const uint64_t *set, size_t n, uint64_t h)
{
    return n && bsearch(&h, set, n, sizeof *set, sim_cmp_u64) != NULL;
}

/* Sorts v[0..*n) and removes duplicates. */
static void sim_sort_unique(uint64_t *v, size_t *n)
{
    if (*n == 0)
        return;
    qsort(v, *n, sizeof *v, sim_cmp_u64);
    size_t m = 1;
    for (size_t i = 1; i < *n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    *n = m;
}

/* ---- reading the class ---------------------------------------------------------------- */

/* A student's working data besides what the result keeps. */
struct sim_work {
    unsigned *lines;             /* listing line of each token */
    size_t ntokens;
    struct sim_fp *fps;          /* fingerprints kept, sorted by (hash, pos) */
    size_t nfps;
};

static void sim_work_release(struct sim_work *w)
{
    free(w->lines);
    free(w->fps);
}

static size_t sim_count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n + (len > 0 && s[len - 1] != '\n');
}

static int sim_push_str(char ***v, size_t *n, char *s)
{
    char **nv = s ? realloc(*v, (*n + 1) * sizeof *nv) : NULL;
    if (!nv) {
        free(s);
        return -1;
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

/*
 * Reads dir/rel when it is a regular file inside dir (no symlink, not
 * out of dir) of at most max bytes.  1 with *text, 0 when missing, -1
 * with why[] when refused.
 */
static int sim_read_student_file(const char *dir, const char *rel, uint64_t max, char **text,
                                 size_t *len, char *why, size_t whylen)
{
    char *path = fs_join(dir, rel), real_dir[PATH_MAX], real[PATH_MAX];
    struct stat st;
    int rc = -1;
    *text = NULL;
    if (!path) {
        snprintf(why, whylen, "out of memory");
    } else if (lstat(path, &st) < 0) {
        rc = errno == ENOENT || errno == ENOTDIR ? 0 : -1;
        snprintf(why, whylen, "%s", strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
        snprintf(why, whylen, "a symlink (not followed)");
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
    } else if (!realpath(dir, real_dir) || !realpath(path, real) ||
               strncmp(real, real_dir, strlen(real_dir)) != 0 || real[strlen(real_dir)] != '/') {
        snprintf(why, whylen, "outside the student's folder");
    } else if ((uint64_t)st.st_size > max) {
        snprintf(why, whylen, "larger than max_size (%llu bytes)", (unsigned long long)max);
    } else {
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        char *buf = NULL;
        size_t n = 0;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            (uint64_t)st.st_size <= max && (buf = malloc((size_t)st.st_size + 1)) != NULL) {
            ssize_t r;
            while (n < (size_t)st.st_size &&
                   (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
                n += (size_t)r;
            buf[n] = '\0';
            *text = buf;
            *len = n;
            rc = 1;
        } else {
            snprintf(why, whylen, "cannot read it: %s", strerror(errno ? errno : EIO));
        }
        if (fd >= 0)
            close(fd);
    }
    free(path);
    return rc;
}

/* One student's files into st (name set by the caller) and its tokens into tk. */
static int sim_load_student(const struct grader_cfg *cfg, const char *class_dir,
                            struct sim_student *st, struct sim_toks *tk, struct sim_result *r)
{
    char *dir = fs_join(class_dir, st->name);
    if (!dir || !(st->files = calloc(cfg->nfiles ? cfg->nfiles : 1, sizeof *st->files))) {
        free(dir);
        return -1;
    }
    unsigned line = 1;
    for (size_t f = 0; f < cfg->nfiles; f++) {
        char why[512] = "", *text;
        size_t len = 0;
        int got = sim_read_student_file(dir, cfg->files[f].path, cfg->files[f].max_size, &text,
                                        &len, why, sizeof why);
        if (got < 0) {
            char *msg = NULL;
            if (asprintf(&msg, "%s/%s: %s", st->name, cfg->files[f].path, why) < 0)
                msg = NULL;
            if (sim_push_str(&r->refused, &r->nrefused, msg) < 0)
                break;
            continue;
        }
        if (got == 0)
            continue;
        struct sim_file *sf = &st->files[st->nfiles++];
        sf->text = text;
        sf->len = len;
        sf->path = strdup(cfg->files[f].path);
        sf->first_line = line;
        sf->nlines = (unsigned)sim_count_lines(text, len);
        sim_lex_into(text, len, line, tk);
        line += sf->nlines;
        if (!sf->path)
            tk->oom = true;
    }
    free(dir);
    return tk->oom ? -1 : 0;
}

/* ---- base code --------------------------------------------------------------------- */

/* Every k-gram hash of one base file, appended to *set. */
static int sim_base_file(const char *path, unsigned k, uint64_t **set, size_t *n,
                         char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, 64u << 20, &text, &len) < 0) {
        sim_errf(err, errlen, "cannot read the base file %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned *codes = NULL;
    size_t ntok = 0, nk = 0;
    uint64_t *h = NULL;
    int rc = sim_lex(text, len, &codes, NULL, &ntok) < 0 || sim_kgrams(codes, ntok, k, &h, &nk) < 0
                 ? -1 : 0;
    uint64_t *grown = rc == 0 && nk ? realloc(*set, (*n + nk) * sizeof *grown) : *set;
    if (rc == 0 && grown) {
        if (nk)
            memcpy(grown + *n, h, nk * sizeof *h);
        *set = grown;
        *n += nk;
    } else {
        sim_errf(err, errlen, "out of memory");
        rc = -1;
    }
    free(text);
    free(codes);
    free(h);
    return rc;
}

/* The sorted, distinct k-gram hashes of the config's stubs and o->base. */
static int sim_base(const struct grader_cfg *cfg, const struct sim_opts *o, uint64_t **set,
                    size_t *n, char *err, size_t errlen)
{
    *set = NULL;
    *n = 0;
    for (size_t f = 0; f < cfg->nfiles; f++)
        if (cfg->files[f].stub &&
            sim_base_file(cfg->files[f].stub, o->kgram, set, n, err, errlen) < 0)
            return -1;
    for (size_t b = 0; b < o->nbase; b++)
        if (sim_base_file(o->base[b], o->kgram, set, n, err, errlen) < 0)
            return -1;
    sim_sort_unique(*set, n);
    return 0;
}

/* A student's fingerprints without base code, sorted, into w. */
static int sim_fingerprint(const struct sim_toks *tk, const struct sim_opts *o,
                           const uint64_t *base, size_t nbase, struct sim_work *w)
{
    uint64_t *h = NULL;
    size_t nh = 0, nfp = 0, kept = 0;
    struct sim_fp *fp = NULL;
    if (sim_kgrams(tk->codes, tk->n, o->kgram, &h, &nh) < 0 ||
        sim_winnow(h, nh, o->window, &fp, &nfp) < 0) {
        free(h);
        return -1;
    }
    free(h);
    for (size_t i = 0; i < nfp; i++)
        if (!sim_has(base, nbase, fp[i].hash))
            fp[kept++] = fp[i];
    if (kept)
        qsort(fp, kept, sizeof *fp, sim_cmp_fp);
    w->fps = fp;
    w->nfps = kept;
    return 0;
}

/* ---- pairs ---------------------------------------------------------------------------- */

/* One (fingerprint, student) entry of the inverted index. */
struct sim_post {
    uint64_t hash;
    uint32_t student;
};

static int sim_cmp_post(const void *a, const void *b)
{
    const struct sim_post *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->student < y->student ? -1 : x->student > y->student;
}

/* The inverted index: each student's distinct fingerprints, sorted by hash then student. */
static struct sim_post *sim_postings(const struct sim_work *w, size_t ns, size_t *np)
{
    size_t total = 0;
    for (size_t s = 0; s < ns; s++)
        total += w[s].nfps;
    struct sim_post *p = malloc((total ? total : 1) * sizeof *p);
    if (!p)
        return NULL;
    size_t n = 0;
    for (size_t s = 0; s < ns; s++)
        for (size_t i = 0; i < w[s].nfps; i++)
            if (i == 0 || w[s].fps[i].hash != w[s].fps[i - 1].hash)
                p[n++] = (struct sim_post){w[s].fps[i].hash, (uint32_t)s};
    qsort(p, n, sizeof *p, sim_cmp_post);
    *np = n;
    return p;
}

/* A growable list of pair keys (a << 32 | b). */
struct sim_keys {
    uint64_t *v;
    size_t n, cap;
};

static int sim_keys_push(struct sim_keys *k, uint64_t key)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 4096;
        uint64_t *v = realloc(k->v, cap * sizeof *v);
        if (!v)
            return -1;
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = key;
    return 0;
}

/*
 * Walks the index: a fingerprint of more than max_share students goes
 * into *common (sorted); the others add one key per pair of students
 * having it.  Sets each student's fingerprint count in r.
 */
static int sim_count_pairs(const struct sim_post *p, size_t np, unsigned max_share,
                           struct sim_result *r, struct sim_keys *keys, uint64_t **common,
                           size_t *ncommon)
{
    size_t cap = 0;
    *common = NULL;
    *ncommon = 0;
    for (size_t i = 0, j; i < np; i = j) {
        for (j = i + 1; j < np && p[j].hash == p[i].hash; j++)
            ;
        if (max_share && j - i > max_share) {
            if (*ncommon == cap) {
                cap = cap ? 2 * cap : 256;
                uint64_t *c = realloc(*common, cap * sizeof *c);
                if (!c)
                    return -1;
                *common = c;
            }
            (*common)[(*ncommon)++] = p[i].hash;
            continue;
        }
        for (size_t a = i; a < j; a++) {
            r->students[p[a].student].fingerprints++;
            for (size_t b = a + 1; b < j; b++)
                if (sim_keys_push(keys, (uint64_t)p[a].student << 32 | p[b].student) < 0)
                    return -1;
        }
    }
    return 0;
}

static int sim_cmp_pair(const void *x, const void *y)
{
    const struct sim_pair *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->shared != b->shared)
        return a->shared > b->shared ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* The counted keys into r->pairs, ranked. */
static int sim_make_pairs(struct sim_keys *keys, struct sim_result *r)
{
    if (keys->n == 0)
        return 0;
    qsort(keys->v, keys->n, sizeof *keys->v, sim_cmp_u64);
    size_t distinct = 1;
    for (size_t i = 1; i < keys->n; i++)
        distinct += keys->v[i] != keys->v[i - 1];
    if (!(r->pairs = calloc(distinct, sizeof *r->pairs)))
        return -1;
    for (size_t i = 0, j; i < keys->n; i = j) {
        for (j = i + 1; j < keys->n && keys->v[j] == keys->v[i]; j++)
            ;
        struct sim_pair *pr = &r->pairs[r->npairs++];
        pr->a = (size_t)(keys->v[i] >> 32);
        pr->b = (size_t)(keys->v[i] & 0xffffffffu);
        pr->shared = j - i;
        double fa = (double)r->students[pr->a].fingerprints;
        double fb = (double)r->students[pr->b].fingerprints;
        pr->pct_a = fa > 0 ? 100.0 * (double)pr->shared / fa : 0;
        pr->pct_b = fb > 0 ? 100.0 * (double)pr->shared / fb : 0;
        pr->score = fa + fb > 0 ? 200.0 * (double)pr->shared / (fa + fb) : 0;
    }
    qsort(r->pairs, r->npairs, sizeof *r->pairs, sim_cmp_pair);
    return 0;
}

/* ---- matching regions ----------------------------------------------------------------- */

/* A shared fingerprint's position on both sides. */
struct sim_hit {
    size_t pa, pb;
};

static int sim_cmp_hit(const void *x, const void *y)
{
    const struct sim_hit *a = x, *b = y;
    if (a->pa != b->pa)
        return a->pa < b->pa ? -1 : 1;
    return a->pb < b->pb ? -1 : a->pb > b->pb;
}

/* Appends a hit to h[0..*n) (capacity *cap); -1 on OOM, h freed. */
static int sim_hit_push(struct sim_hit **h, size_t *n, size_t *cap, size_t pa, size_t pb)
{
    if (*n == *cap) {
        struct sim_hit *g = realloc(*h, 2 * *cap * sizeof *g);
        if (!g) {
            free(*h);
            *h = NULL;
            return -1;
        }
        *h = g;
        *cap *= 2;
    }
    (*h)[(*n)++] = (struct sim_hit){pa, pb};
    return 0;
}

/*
 * The positions of the fingerprints a and b share, in order on both
 * sides: the t-th occurrence in a with the t-th in b (at most 4 per
 * hash), so a copy of a repeated passage pairs up along the diagonal.
 */
static struct sim_hit *sim_hits(const struct sim_work *a, const struct sim_work *b,
                                const uint64_t *common, size_t ncommon, size_t *nhits)
{
    size_t cap = 64, n = 0, i = 0, j = 0;
    struct sim_hit *h = malloc(cap * sizeof *h);
    while (h && i < a->nfps && j < b->nfps) {
        uint64_t x = a->fps[i].hash, y = b->fps[j].hash;
        if (x != y) {
            x < y ? i++ : j++;
            continue;
        }
        size_t ie = i, je = j;
        while (ie < a->nfps && a->fps[ie].hash == x)
            ie++;
        while (je < b->nfps && b->fps[je].hash == x)
            je++;
        for (size_t t = 0; i + t < ie && j + t < je && t < 4 && !sim_has(common, ncommon, x);
             t++)
            if (sim_hit_push(&h, &n, &cap, a->fps[i + t].pos, b->fps[j + t].pos) < 0)
                return NULL;
        i = ie;
        j = je;
    }
    *nhits = n;
    return h;
}

/* The last token of a k-gram starting at pos, within n tokens. */
static size_t sim_kgram_end(size_t pos, unsigned k, size_t n)
{
    return pos + k - 1 < n ? pos + k - 1 : n - 1;
}

/* A region being grown: token positions on both sides. */
struct sim_grow {
    size_t a0, a1, b0, b1, cnt;
};

/* How many recent regions a hit may join: a copy interleaves few runs. */
#define SIM_OPEN_REGIONS 32

/*
 * Groups the hits of one pair into regions.  In a's order, a hit joins
 * the most recent region it continues on both sides (a copied run has a
 * fingerprint at least every `window` k-grams, so both sides move on by
 * less than a gap), else starts a region.  Stray hits (a repeated
 * passage) thus do not cut a long region in pieces.
 */
static int sim_regions(struct sim_pair *pr, const struct sim_work *wa,
                       const struct sim_work *wb, struct sim_hit *h, size_t n,
                       const struct sim_params *par)
{
    qsort(h, n, sizeof *h, sim_cmp_hit);
    size_t gap = (size_t)par->kgram + 2 * par->window, ng = 0;
    struct sim_grow *g = calloc(n ? n : 1, sizeof *g);
    pr->matches = calloc(n ? n : 1, sizeof *pr->matches);
    if (!g || !pr->matches) {
        free(g);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = ng, stop = ng > SIM_OPEN_REGIONS ? ng - SIM_OPEN_REGIONS : 0;
        while (r > stop && !(h[i].pa <= g[r - 1].a1 + gap && h[i].pb + gap > g[r - 1].b1 &&
                             h[i].pb <= g[r - 1].b1 + gap))
            r--;
        if (r == stop) {
            g[ng++] = (struct sim_grow){h[i].pa, h[i].pa, h[i].pb, h[i].pb, 1};
            continue;
        }
        struct sim_grow *x = &g[r - 1];
        x->a1 = h[i].pa;
        x->b0 = h[i].pb < x->b0 ? h[i].pb : x->b0;
        x->b1 = h[i].pb > x->b1 ? h[i].pb : x->b1;
        x->cnt++;
    }
    for (size_t r = 0; r < ng; r++) {
        struct sim_match *m = &pr->matches[pr->nmatches++];
        m->a_first = wa->lines[g[r].a0];
        m->a_last = wa->lines[sim_kgram_end(g[r].a1, par->kgram, wa->ntokens)];
        m->b_first = wb->lines[g[r].b0];
        m->b_last = wb->lines[sim_kgram_end(g[r].b1, par->kgram, wb->ntokens)];
        m->fingerprints = g[r].cnt;
    }
    free(g);
    return 0;
}

/* Matching regions for the first r->detailed pairs. */
static int sim_detail(struct sim_result *r, const struct sim_work *w, const uint64_t *common,
                      size_t ncommon)
{
    for (size_t i = 0; i < r->detailed; i++) {
        struct sim_pair *pr = &r->pairs[i];
        size_t n = 0;
        struct sim_hit *h = sim_hits(&w[pr->a], &w[pr->b], common, ncommon, &n);
        int rc = h ? sim_regions(pr, &w[pr->a], &w[pr->b], h, n, &r->params) : -1;
        free(h);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

void sim_opts_init(struct sim_opts *o, const char *class_dir)
{
    *o = (struct sim_opts){.class_dir = class_dir, .kgram = SIM_KGRAM_DEFAULT,
                           .window = SIM_WINDOW_DEFAULT, .max_share = SIM_MAX_SHARE_DEFAULT,
                           .detailed = SIM_DETAILED_DEFAULT};
}

/* Reads and fingerprints every student into r and w[] (r->nstudents of them). */
static int sim_load_class(const struct grader_cfg *cfg, const struct sim_opts *o,
                          const struct strv *names, const uint64_t *base, size_t nbase,
                          struct sim_result *r, struct sim_work *w)
{
    for (size_t i = 0; i < names->n; i++) {
        struct sim_student *st = &r->students[r->nstudents];
        struct sim_toks tk = {0};
        if (!(st->name = strdup(names->v[i])))
            return -1;
        int rc = sim_load_student(cfg, o->class_dir, st, &tk, r);
        struct sim_work *sw = &w[r->nstudents];
        if (rc == 0 && st->nfiles > 0)
            rc = sim_fingerprint(&tk, o, base, nbase, sw);
        free(tk.codes);
        sw->lines = tk.lines;
        sw->ntokens = tk.n;
        st->tokens = tk.n;
        r->nstudents++;             /* kept even when empty, so it is freed */
        if (rc < 0)
            return -1;
        if (st->nfiles == 0) {      /* none of the files: listed, not compared */
            r->nstudents--;
            sim_work_release(sw);
            memset(sw, 0, sizeof *sw);
            free(st->files);
            if (sim_push_str(&r->missing, &r->nmissing, st->name) < 0)
                return -1;
            memset(st, 0, sizeof *st);
        }
    }
    return 0;
}

int sim_run(const struct grader_cfg *cfg, const struct sim_opts *o, struct sim_result *r,
            char *err, size_t errlen)
{
    struct strv names = {0};
    uint64_t *base = NULL, *common = NULL;
    size_t nbase = 0, ncommon = 0, np = 0;
    struct sim_work *w = NULL;
    struct sim_post *posts = NULL;
    struct sim_keys keys = {0};
    int rc = -1;
    memset(r, 0, sizeof *r);
    r->params = (struct sim_params){o->kgram, o->window, o->max_share};
    if (o->kgram < 1 || o->window < 1 || o->max_share == 1) {
        sim_errf(err, errlen, "bad options: k-gram and window must be >= 1, max_share 0 or >= 2");
        return -1;
    }
    if (batch_list_students(o->class_dir, &names) < 0) {
        sim_errf(err, errlen, "cannot read %s: %s", o->class_dir, strerror(errno));
        strv_clear(&names);
        return -1;
    }
    if (names.n > UINT32_MAX) {
        sim_errf(err, errlen, "too many students");
        goto out;
    }
    if (sim_base(cfg, o, &base, &nbase, err, errlen) < 0)
        goto out;
    r->base_kgrams = nbase;
    r->students = calloc(names.n ? names.n : 1, sizeof *r->students);
    w = calloc(names.n ? names.n : 1, sizeof *w);
    if (!r->students || !w || sim_load_class(cfg, o, &names, base, nbase, r, w) < 0 ||
        !(posts = sim_postings(w, r->nstudents, &np)) ||
        sim_count_pairs(posts, np, o->max_share, r, &keys, &common, &ncommon) < 0 ||
        sim_make_pairs(&keys, r) < 0) {
        sim_errf(err, errlen, "out of memory");
        goto out;
    }
    r->common = ncommon;
    r->detailed = o->detailed < r->npairs ? o->detailed : r->npairs;
    if (sim_detail(r, w, common, ncommon) < 0) {
        sim_errf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; w && i < names.n; i++)
        sim_work_release(&w[i]);
    free(w);
    free(posts);
    free(keys.v);
    free(base);
    free(common);
    strv_clear(&names);
    return rc;
}
