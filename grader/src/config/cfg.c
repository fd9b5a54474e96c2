/*
 * cfg.c -- load and validate config.yaml with libyaml.
 *
 * Theory of operation.  The file is read into memory and parsed twice.
 * The first pass walks libyaml's events only: it turns every syntax error
 * into "file:line:column: message" and rejects what the schema has no use
 * for and what would make the tree unsafe or surprising to walk: anchors
 * and aliases (shared or cyclic nodes), explicit tags, NUL characters in
 * scalars and a second document.  The second pass loads the document tree
 * (yaml_parser_load) and walks the schema top-down.  Every mapping is
 * checked for unknown and duplicate keys before any value is read; every
 * value is stored in the grader_cfg as soon as it is parsed, so that on
 * any error cfg_release() frees exactly what was built.
 *
 * libyaml marks are 0-based; cfg_fail() adds 1.  Reader errors (a NUL
 * byte, invalid UTF-8) carry a byte offset instead of a mark, so their
 * line and column are counted from the buffer.
 */
#include "config/cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

/* Limits on parsed values, chosen so that callers can convert without
 * overflow: durations to int64 nanoseconds, sizes to off_t/rlim_t. */
#define CFG_MAX_DURATION_MS ((uint64_t)INT64_MAX / 1000000u)
#define CFG_MAX_SIZE        ((uint64_t)INT64_MAX)
#define CFG_MAX_COUNT       ((uint64_t)INT_MAX)
#define CFG_MAX_REPEAT      100

#define CFG_KiB 1024ull
#define CFG_MiB (1024ull * CFG_KiB)
#define CFG_GiB (1024ull * CFG_MiB)

/* State of one cfg_load(): the document being walked and where to put
 * the result and the error. */
struct cfg_ctx {
    const char *path;
    yaml_document_t *doc;
    struct grader_cfg *cfg;
    struct cfg_error *err;
    char *glob_base;          /* base_dir with glob metacharacters escaped */
};

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 5, 0)))
static void cfg_verror(struct cfg_error *err, const char *path, unsigned line,
                       unsigned column, const char *fmt, va_list ap)
{
    snprintf(err->file, sizeof err->file, "%s", path ? path : "");
    err->line = line;
    err->column = column;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

__attribute__((format(printf, 5, 6)))
static int cfg_fail_at(struct cfg_error *err, const char *path, unsigned line,
                       unsigned column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_verror(err, path, line, column, fmt, ap);
    va_end(ap);
    return -1;
}

/* Fails at a libyaml mark (0-based). */
__attribute__((format(printf, 3, 4)))
static int cfg_fail(const struct cfg_ctx *c, yaml_mark_t mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_verror(c->err, c->path, (unsigned)mark.line + 1, (unsigned)mark.column + 1,
               fmt, ap);
    va_end(ap);
    return -1;
}

static int cfg_oom(const struct cfg_ctx *c)
{
    return cfg_fail_at(c->err, c->path, 0, 0, "out of memory");
}

/* A config value shown in a message: clipped, control characters
 * replaced, so one odd scalar cannot swamp or garble the message. */
struct cfg_shown {
    char s[68];
};

static const char *cfg_show(struct cfg_shown *b, const char *text)
{
    size_t max = sizeof b->s - 4, i;
    for (i = 0; i < max && text[i] != '\0'; i++)
        b->s[i] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
    if (text[i] != '\0') {
        /* do not cut a UTF-8 sequence in half */
        while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
            i--;
        memcpy(b->s + i, "...", 3);
        i += 3;
    }
    b->s[i] = '\0';
    return b->s;
}

/* The 1-based line and column of byte `offset` of an UTF-8 buffer. */
static void cfg_offset_mark(const unsigned char *buf, size_t len, size_t offset,
                            unsigned *line, unsigned *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (buf[i] == '\n') {
            ++*line;
            *column = 1;
        } else if ((buf[i] & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

/* The byte at a libyaml mark (0-based line and column, in characters). */
static int cfg_byte_at(const unsigned char *buf, size_t len, yaml_mark_t mark)
{
    size_t i = 0, line = 0, column = 0;
    for (; i < len && line < mark.line; i++)
        line += buf[i] == '\n';
    for (; i < len && buf[i] != '\n'; i++) {
        if ((buf[i] & 0xC0) == 0x80)
            continue;
        if (column++ == mark.column)
            return buf[i];
    }
    return -1;
}

/* Turns the parser's error into *c->err. */
static int cfg_parser_error(const struct cfg_ctx *c, const yaml_parser_t *p,
                            const unsigned char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "invalid yaml";
    if (p->error == YAML_MEMORY_ERROR)
        return cfg_oom(c);
    if (p->error == YAML_READER_ERROR) {
        unsigned line, column;
        cfg_offset_mark(buf, len, p->problem_offset, &line, &column);
        if (p->problem_value < 0)
            return cfg_fail_at(c->err, c->path, line, column, "%s", problem);
        return cfg_fail_at(c->err, c->path, line, column, "%s (0x%02x)", problem,
                           (unsigned)p->problem_value);
    }
    if (cfg_byte_at(buf, len, p->problem_mark) == '\t' && strstr(problem, "tab") == NULL)
        return cfg_fail(c, p->problem_mark, "%s (a tab; indent with spaces)", problem);
    if (p->context == NULL)
        return cfg_fail(c, p->problem_mark, "%s", problem);
    if (p->context_mark.line == p->problem_mark.line &&
        p->context_mark.column == p->problem_mark.column)
        return cfg_fail(c, p->problem_mark, "%s (%s)", problem, p->context);
    return cfg_fail(c, p->problem_mark, "%s (%s at line %u, column %u)", problem,
                    p->context, (unsigned)p->context_mark.line + 1,
                    (unsigned)p->context_mark.column + 1);
}

/* ---- small helpers ------------------------------------------------------- */

static char *cfg_join(const char *dir, const char *name)
{
    size_t nd = strlen(dir), n = nd + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s%s", dir, nd > 0 && dir[nd - 1] == '/' ? "" : "/", name);
    return s;
}

/* A config-relative path made usable from anywhere. */
static char *cfg_resolve(const struct cfg_ctx *c, const char *path)
{
    return path[0] == '/' ? strdup(path) : cfg_join(c->cfg->base_dir, path);
}

/* Takes ownership of `s`, which is freed on failure. */
static int cfg_strv_push(struct cfg_strv *sv, char *s)
{
    char **v = s ? realloc(sv->v, (sv->n + 1) * sizeof *v) : NULL;
    if (v == NULL) {
        free(s);
        return -1;
    }
    sv->v = v;
    sv->v[sv->n++] = s;
    return 0;
}

static bool cfg_strv_has(const struct cfg_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

static void cfg_strv_release(struct cfg_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

static bool cfg_in(const char *const list[], const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* ---- unit parsers ------------------------------------------------------- */

enum cfg_num {
    CFG_NUM_OK,
    CFG_NUM_BAD,      /* malformed */
    CFG_NUM_NONPOS,   /* zero or negative */
    CFG_NUM_SMALL,    /* positive, but rounds down to zero units */
    CFG_NUM_BIG,      /* over the maximum */
};

struct cfg_unit {
    const char *suffix;       /* "" is the bare number */
    uint64_t scale;
};

/* One kind of scaled quantity, and how to talk about it. */
struct cfg_quantity {
    const struct cfg_unit *units;   /* terminated by a NULL suffix */
    bool fractions;                 /* "1.5s" allowed */
    uint64_t max;
    const char *noun;               /* "invalid <noun> 'x' for 'key'" */
    const char *desc;               /* "'key' must be <desc>, not a mapping" */
    const char *hint;               /* after the invalid message */
    const char *least;              /* the smallest positive value */
};

static const struct cfg_unit cfg_duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 1000}, {NULL, 0},
};

static const struct cfg_unit cfg_size_units[] = {
    {"B", 1}, {"kB", 1000}, {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000},
    {"KiB", CFG_KiB}, {"MiB", CFG_MiB}, {"GiB", CFG_GiB}, {"", 1}, {NULL, 0},
};

static const struct cfg_unit cfg_count_units[] = {{"", 1}, {NULL, 0}};

static const struct cfg_quantity cfg_duration = {
    cfg_duration_units, true, CFG_MAX_DURATION_MS, "duration",
    "a duration like 2s or 500ms", "use e.g. 2s, 500ms", "1ms",
};

static const struct cfg_quantity cfg_size = {
    cfg_size_units, true, CFG_MAX_SIZE, "size",
    "a size like 512MiB or 64KiB", "use e.g. 512MiB, 64KiB", "1 byte",
};

static const struct cfg_quantity cfg_count = {
    cfg_count_units, false, CFG_MAX_COUNT, "number",
    "a positive integer", "use a positive integer", "1",
};

static const struct cfg_quantity cfg_seed = {
    cfg_count_units, false, UINT64_MAX, "seed",
    "a positive integer", "use a positive integer, e.g. 20261", "1",
};

static bool cfg_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Appends one digit to *mant; false on overflow (then *mant is stale). */
static bool cfg_accumulate(uint64_t *mant, char digit)
{
    unsigned d = (unsigned)(digit - '0');
    if (*mant > (UINT64_MAX - d) / 10)
        return false;
    *mant = *mant * 10 + d;
    return true;
}

static const struct cfg_unit *cfg_find_unit(const struct cfg_unit *units, const char *s)
{
    for (; units->suffix != NULL; units++)
        if (strcmp(units->suffix, s) == 0)
            return units;
    return NULL;
}

/*
 * "<digits>[.<digits>]<unit>", optionally with a leading '-' (so that a
 * negative value gets "must be positive" rather than "invalid").  No
 * spaces anywhere: "2 s" is malformed.  The value is exact (mantissa
 * and decimal exponent, scaled in 128 bits), rounded down to the unit.
 */
static enum cfg_num cfg_parse_quantity(const char *text, const struct cfg_quantity *q,
                                       uint64_t *out)
{
    const char *s = text;
    bool negative = *s == '-', overflow = false;
    uint64_t mant = 0;
    unsigned decimals = 0;
    if (negative)
        s++;
    if (!cfg_digit(*s))
        return CFG_NUM_BAD;
    for (; cfg_digit(*s); s++)
        overflow |= !cfg_accumulate(&mant, *s);
    if (*s == '.' && q->fractions) {
        if (!cfg_digit(*++s))
            return CFG_NUM_BAD;
        for (; cfg_digit(*s); s++, decimals++) {
            if (decimals == 18)
                return CFG_NUM_BAD;  /* beyond any useful precision */
            overflow |= !cfg_accumulate(&mant, *s);
        }
    }
    const struct cfg_unit *unit = cfg_find_unit(q->units, s);
    if (unit == NULL)
        return CFG_NUM_BAD;
    if (negative || (mant == 0 && !overflow))
        return CFG_NUM_NONPOS;
    if (overflow)
        return CFG_NUM_BIG;
    unsigned __int128 divisor = 1, v = (unsigned __int128)mant * unit->scale;
    while (decimals-- > 0)
        divisor *= 10;
    v /= divisor;
    if (v == 0)
        return CFG_NUM_SMALL;
    if (v > q->max)
        return CFG_NUM_BIG;
    *out = (uint64_t)v;
    return CFG_NUM_OK;
}

int cfg_parse_duration_ms(const char *text, uint64_t *out)
{
    return text && cfg_parse_quantity(text, &cfg_duration, out) == CFG_NUM_OK ? 0 : -1;
}

int cfg_parse_size(const char *text, uint64_t *out)
{
    return text && cfg_parse_quantity(text, &cfg_size, out) == CFG_NUM_OK ? 0 : -1;
}

/* ---- times (ISO 8601 / RFC 3339) ---------------------------------------- */

/* Exactly n digits at *s, advancing *s; false if any is missing. */
static bool cfg_take_digits(const char **s, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, (*s)++) {
        if (!cfg_digit(**s))
            return false;
        v = v * 10 + (unsigned)(**s - '0');
    }
    *out = v;
    return true;
}

static unsigned cfg_days_in_month(unsigned y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil), without timegm() or the time zone. */
static int64_t cfg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DD" into the day number since the epoch. */
static bool cfg_parse_date(const char **s, int64_t *days)
{
    unsigned y, m, d;
    if (!cfg_take_digits(s, 4, &y) || *(*s)++ != '-' || !cfg_take_digits(s, 2, &m) ||
        *(*s)++ != '-' || !cfg_take_digits(s, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > cfg_days_in_month(y, m))
        return false;
    *days = cfg_days_from_civil(y, m, d);
    return true;
}

/* "HH:MM[:SS[.fraction]]" into milliseconds of the day; a fraction
 * below a millisecond rounds up. */
static bool cfg_parse_clock(const char **s, int64_t *ms)
{
    unsigned h, min, sec = 0, frac = 0, digits = 0;
    bool below_ms = false;
    if (!cfg_take_digits(s, 2, &h) || *(*s)++ != ':' || !cfg_take_digits(s, 2, &min))
        return false;
    if (**s == ':') {
        (*s)++;
        if (!cfg_take_digits(s, 2, &sec))
            return false;
        if (**s == '.' || **s == ',') {
            (*s)++;
            if (!cfg_digit(**s))
                return false;
            for (; cfg_digit(**s); (*s)++, digits++) {
                if (digits < 3)
                    frac = frac * 10 + (unsigned)(**s - '0');
                else
                    below_ms |= **s != '0';
            }
            for (; digits < 3; digits++)
                frac *= 10;
        }
    }
    if (h > 23 || min > 59 || sec > 59)
        return false;
    *ms = ((int64_t)h * 3600 + min * 60 + sec) * 1000 + frac + below_ms;
    return true;
}

/* "Z" or "+HH:MM", "-HHMM" into milliseconds east of UTC. */
static bool cfg_parse_offset(const char **s, int64_t *ms)
{
    unsigned h, m;
    char sign = **s;
    if (sign == 'Z' || sign == 'z') {
        (*s)++;
        *ms = 0;
        return true;
    }
    if (sign != '+' && sign != '-')
        return false;
    (*s)++;
    if (!cfg_take_digits(s, 2, &h))
        return false;
    if (**s == ':')
        (*s)++;
    if (!cfg_take_digits(s, 2, &m) || h > 23 || m > 59)
        return false;
    *ms = ((int64_t)h * 60 + m) * 60000 * (sign == '-' ? -1 : 1);
    return true;
}

int cfg_parse_time(const char *text, int64_t *ms)
{
    const char *s = text;
    int64_t days, clock, offset;
    if (s == NULL || !cfg_parse_date(&s, &days) || (*s != 'T' && *s != 't'))
        return -1;
    s++;
    if (!cfg_parse_clock(&s, &clock) || !cfg_parse_offset(&s, &offset) || *s != '\0')
        return -1;
    *ms = days * 86400000 + clock - offset;
    return 0;
}

/* A YAML 1.1 boolean, minus the single letters y/n. */
static int cfg_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
            *out = strcasecmp(s, yes[i]) == 0;
            return 0;
        }
    }
    return -1;
}

/* A decimal number, int or float; no hex, inf, nan, or YAML's "1_000". */
static enum cfg_num cfg_parse_points(const char *s, double *out)
{
    char *end;
    if (*s == '\0' || s[strspn(s, "0123456789.+-eE")] != '\0')
        return CFG_NUM_BAD;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return CFG_NUM_BAD;
    if (v < 0)
        return CFG_NUM_NONPOS;
    if (!isfinite(v) || (errno == ERANGE && v >= 1))
        return CFG_NUM_BIG;          /* an underflow to ~0 is fine */
    /* "-0" (or "-1e-400") is zero, not -0.0, which reports would show as "-0.00" */
    *out = v == 0 ? 0.0 : v;
    return CFG_NUM_OK;
}

static const char *const cfg_vis_names[] = {
    [CFG_VIS_HIDDEN] = "hidden",
    [CFG_VIS_AFTER_DUE_DATE] = "after_due_date",
    [CFG_VIS_AFTER_PUBLISHED] = "after_published",
    [CFG_VIS_VISIBLE] = "visible",
};

const char *cfg_visibility_name(enum cfg_visibility v)
{
    /* an out-of-range value fails closed */
    if ((unsigned)v >= sizeof cfg_vis_names / sizeof cfg_vis_names[0])
        return "hidden";
    return cfg_vis_names[v];
}

/* ---- document access ------------------------------------------------------ */

static yaml_node_t *cfg_node(const struct cfg_ctx *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

static const char *cfg_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool cfg_is_empty(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* "a mapping", for "'x' must be a string, not a mapping". */
static const char *cfg_kind(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a sequence";
    return cfg_is_empty(n) ? "empty" : "a scalar";
}

static size_t cfg_seq_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static yaml_node_t *cfg_seq_item(const struct cfg_ctx *c, const yaml_node_t *seq, size_t i)
{
    return cfg_node(c, seq->data.sequence.items.start[i]);
}

/* The pair of `key` in `map` (keys are unique once checked), or NULL. */
static const yaml_node_pair_t *cfg_pair(const struct cfg_ctx *c, const yaml_node_t *map,
                                        const char *key)
{
    const yaml_node_pair_t *p;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = cfg_node(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(cfg_text(k), key) == 0)
            return p;
    }
    return NULL;
}

/* Every key of `map` is a string, in `known` (NULL-terminated), and unique. */
static int cfg_check_keys(const struct cfg_ctx *c, const yaml_node_t *map,
                          const char *const known[])
{
    const yaml_node_pair_t *first = map->data.mapping.pairs.start, *p, *q;
    struct cfg_shown sh;
    for (p = first; p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = cfg_node(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return cfg_fail(c, k->start_mark, "a key must be a string, not %s", cfg_kind(k));
        if (!cfg_in(known, cfg_text(k)))
            return cfg_fail(c, k->start_mark, "unknown key '%s'", cfg_show(&sh, cfg_text(k)));
        for (q = first; q < p; q++)
            if (strcmp(cfg_text(cfg_node(c, q->key)), cfg_text(k)) == 0)
                return cfg_fail(c, k->start_mark, "duplicate key '%s'",
                                cfg_show(&sh, cfg_text(k)));
    }
    return 0;
}

/*
 * *out = the value of `key` in `map`, or NULL if absent.  A key is
 * required when `required_in` names the enclosing thing ("test").
 */
static int cfg_lookup(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                      const char *required_in, yaml_node_t **out)
{
    const yaml_node_pair_t *p = cfg_pair(c, map, key);
    *out = p ? cfg_node(c, p->value) : NULL;
    if (*out == NULL && required_in != NULL)
        return cfg_fail(c, map->start_mark, "missing required key '%s' in %s", key,
                        required_in);
    return 0;
}

static int cfg_expect(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                      yaml_node_type_t type, const char *desc)
{
    if (n->type == type)
        return 0;
    return cfg_fail(c, n->start_mark, "'%s' must be %s, not %s", key, desc, cfg_kind(n));
}

/* Looks up `key` and checks its type; *out = NULL if absent and optional. */
static int cfg_typed(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                     const char *required_in, yaml_node_type_t type, const char *desc,
                     yaml_node_t **out)
{
    if (cfg_lookup(c, map, key, required_in, out) < 0)
        return -1;
    return *out ? cfg_expect(c, *out, key, type, desc) : 0;
}

/* A non-empty string scalar; *out = NULL if absent and optional. */
static int cfg_string_node(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           const char *required_in, yaml_node_t **out)
{
    if (cfg_typed(c, map, key, required_in, YAML_SCALAR_NODE, "a string", out) < 0)
        return -1;
    if (*out != NULL && (*out)->data.scalar.length == 0)
        return cfg_fail(c, (*out)->start_mark, "'%s' must not be empty", key);
    return 0;
}

/* Replaces *out with a copy of the string, if `key` is present. */
static int cfg_get_string(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                          const char *required_in, char **out)
{
    yaml_node_t *n;
    if (cfg_string_node(c, map, key, required_in, &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    char *s = strdup(cfg_text(n));
    if (s == NULL)
        return cfg_oom(c);
    free(*out);
    *out = s;
    return 0;
}

static int cfg_get_bool(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        bool *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, "a boolean", &n) < 0)
        return -1;
    if (n != NULL && cfg_parse_bool(cfg_text(n), out) < 0)
        return cfg_fail(c, n->start_mark, "expected a boolean (true or false) for '%s', not '%s'",
                        key, cfg_show(&sh, cfg_text(n)));
    return 0;
}

/* Explains a failed cfg_parse_quantity() or cfg_parse_points(). */
static int cfg_num_error(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                         enum cfg_num why, const struct cfg_quantity *q)
{
    struct cfg_shown sh;
    switch (why) {
    case CFG_NUM_NONPOS:
        return cfg_fail(c, n->start_mark, q ? "'%s' must be positive" :
                        "'%s' must not be negative", key);
    case CFG_NUM_SMALL:
        return cfg_fail(c, n->start_mark, "'%s' is too small (at least %s)", key,
                        q ? q->least : "0");
    case CFG_NUM_BIG:
        return cfg_fail(c, n->start_mark, "'%s' is too large", key);
    default:
        if (q == NULL)
            return cfg_fail(c, n->start_mark, "invalid number '%s' for '%s'",
                            cfg_show(&sh, cfg_text(n)), key);
        return cfg_fail(c, n->start_mark, "invalid %s '%s' for '%s' (%s)", q->noun,
                        cfg_show(&sh, cfg_text(n)), key, q->hint);
    }
}

static int cfg_get_quantity(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                            const struct cfg_quantity *q, uint64_t *out)
{
    yaml_node_t *n;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, q->desc, &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    enum cfg_num why = cfg_parse_quantity(cfg_text(n), q, out);
    return why == CFG_NUM_OK ? 0 : cfg_num_error(c, n, key, why, q);
}

static int cfg_get_points(const struct cfg_ctx *c, const yaml_node_t *map, double *out)
{
    yaml_node_t *n;
    if (cfg_typed(c, map, "points", "test", YAML_SCALAR_NODE, "a number", &n) < 0)
        return -1;
    enum cfg_num why = cfg_parse_points(cfg_text(n), out);
    return why == CFG_NUM_OK ? 0 : cfg_num_error(c, n, "points", why, NULL);
}

static int cfg_get_visibility(const struct cfg_ctx *c, const yaml_node_t *map,
                              enum cfg_visibility *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, "visibility", NULL, YAML_SCALAR_NODE, "a string", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    for (size_t v = 0; v < sizeof cfg_vis_names / sizeof cfg_vis_names[0]; v++) {
        if (strcmp(cfg_text(n), cfg_vis_names[v]) == 0) {
            *out = (enum cfg_visibility)v;
            return 0;
        }
    }
    return cfg_fail(c, n->start_mark, "invalid visibility '%s' for 'visibility' "
                    "(use hidden, after_due_date, after_published or visible)",
                    cfg_show(&sh, cfg_text(n)));
}

/* An item of a string sequence: a non-empty scalar. */
static int cfg_check_string_item(const struct cfg_ctx *c, const yaml_node_t *item,
                                 const char *key)
{
    if (item->type != YAML_SCALAR_NODE)
        return cfg_fail(c, item->start_mark, "items of '%s' must be strings, not %s", key,
                        cfg_kind(item));
    if (item->data.scalar.length == 0)
        return cfg_fail(c, item->start_mark, "items of '%s' must not be empty", key);
    return 0;
}

/* Appends the strings of the optional sequence `key`, resolved as paths or not. */
static int cfg_get_strv(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        bool resolve, struct cfg_strv *out)
{
    yaml_node_t *seq;
    if (cfg_typed(c, map, key, NULL, YAML_SEQUENCE_NODE, "a sequence of strings", &seq) < 0)
        return -1;
    for (size_t i = 0; seq != NULL && i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, key) < 0)
            return -1;
        char *s = resolve ? cfg_resolve(c, cfg_text(item)) : strdup(cfg_text(item));
        if (cfg_strv_push(out, s) < 0)
            return cfg_oom(c);
    }
    return 0;
}

/* A required, non-empty sequence whose items are all of `item_type`. */
static int cfg_get_list(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        const char *required_in, yaml_node_type_t item_type,
                        const char *desc, yaml_node_t **out)
{
    if (cfg_typed(c, map, key, required_in, YAML_SEQUENCE_NODE, desc, out) < 0)
        return -1;
    if (cfg_seq_len(*out) == 0)
        return cfg_fail(c, (*out)->start_mark, "'%s' must not be empty", key);
    for (size_t i = 0; i < cfg_seq_len(*out); i++) {
        const yaml_node_t *item = cfg_seq_item(c, *out, i);
        if (item->type != item_type)
            return cfg_fail(c, item->start_mark, "items of '%s' must be %s, not %s", key,
                            item_type == YAML_MAPPING_NODE ? "mappings" : "strings",
                            cfg_kind(item));
    }
    return 0;
}

/* ---- the first pass: events ------------------------------------------------ */

/* Rejects what the schema does not allow but the tree would hide. */
static int cfg_check_event(const struct cfg_ctx *c, const yaml_event_t *ev, int *ndocs)
{
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*ndocs > 1)
            return cfg_fail(c, ev->start_mark, "multiple documents are not supported");
        return 0;
    case YAML_ALIAS_EVENT:
        return cfg_fail(c, ev->start_mark, "anchors and aliases are not supported");
    case YAML_SCALAR_EVENT:
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
            return cfg_fail(c, ev->start_mark, "NUL characters are not supported");
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    default:
        return 0;
    }
    if (anchor != NULL)
        return cfg_fail(c, ev->start_mark, "anchors and aliases are not supported");
    if (tag != NULL)
        return cfg_fail(c, ev->start_mark, "tags are not supported");
    return 0;
}

static int cfg_scan_events(const struct cfg_ctx *c, const unsigned char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0, ndocs = 0;
    bool end = false;
    if (!yaml_parser_initialize(&parser))
        return cfg_oom(c);
    yaml_parser_set_input_string(&parser, buf, len);
    while (rc == 0 && !end) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = cfg_parser_error(c, &parser, buf, len);
            break;
        }
        rc = cfg_check_event(c, &ev, &ndocs);
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- the second pass: the schema ----------------------------------------- */

static int cfg_parse_limits(const struct cfg_ctx *c, const yaml_node_t *map,
                            struct cfg_limits *l)
{
    static const char *const keys[] = {
        "cpu", "wall", "memory", "processes", "output", "file_size", NULL,
    };
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "cpu", &cfg_duration, &l->cpu_ms) < 0 ||
        cfg_get_quantity(c, map, "wall", &cfg_duration, &l->wall_ms) < 0 ||
        cfg_get_quantity(c, map, "memory", &cfg_size, &l->memory_bytes) < 0 ||
        cfg_get_quantity(c, map, "processes", &cfg_count, &l->processes) < 0 ||
        cfg_get_quantity(c, map, "output", &cfg_size, &l->output_bytes) < 0 ||
        cfg_get_quantity(c, map, "file_size", &cfg_size, &l->file_size_bytes) < 0)
        return -1;
    return 0;
}

/* Overrides *l with the optional "limits" mapping of `parent`. */
static int cfg_get_limits(const struct cfg_ctx *c, const yaml_node_t *parent,
                          struct cfg_limits *l)
{
    yaml_node_t *map;
    if (cfg_typed(c, parent, "limits", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    return map ? cfg_parse_limits(c, map, l) : 0;
}

static bool cfg_name_ok(const char *s)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_.-";
    return *s != '\0' && s[strspn(s, ok)] == '\0';
}

static int cfg_parse_assignment(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"name", "title", NULL};
    struct grader_cfg *cfg = c->cfg;
    yaml_node_t *map, *name;
    struct cfg_shown sh;
    if (cfg_typed(c, root, "assignment", "configuration", YAML_MAPPING_NODE, "a mapping",
                  &map) < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        cfg_string_node(c, map, "name", "assignment", &name) < 0)
        return -1;
    if (!cfg_name_ok(cfg_text(name)))
        return cfg_fail(c, name->start_mark,
                        "invalid assignment name '%s' (use letters, digits, '_', '.' and '-')",
                        cfg_show(&sh, cfg_text(name)));
    if ((cfg->name = strdup(cfg_text(name))) == NULL)
        return cfg_oom(c);
    if (cfg_get_string(c, map, "title", NULL, &cfg->title) < 0)
        return -1;
    if (cfg->title == NULL && (cfg->title = strdup(cfg->name)) == NULL)
        return cfg_oom(c);
    return 0;
}

/* Relative, not empty, no ".." component: it must stay in the submission. */
static bool cfg_submission_path_ok(const char *p)
{
    if (*p == '\0' || *p == '/')
        return false;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        p += *p == '/';
    }
    return true;
}

static int cfg_resolve_optional(const struct cfg_ctx *c, const yaml_node_t *map,
                                const char *key, char **out)
{
    yaml_node_t *n;
    if (cfg_string_node(c, map, key, NULL, &n) < 0)
        return -1;
    if (n != NULL && (*out = cfg_resolve(c, cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

static int cfg_parse_file(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    static const char *const keys[] = {"path", "solution", "stub", "max_size", NULL};
    struct cfg_student_file *f = &c->cfg->files[index];
    yaml_node_t *path;
    struct cfg_shown sh;
    f->mark = (struct cfg_mark){(unsigned)map->start_mark.line + 1,
                                (unsigned)map->start_mark.column + 1};
    f->max_size = CFG_MiB;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_string_node(c, map, "path", "student file", &path) < 0)
        return -1;
    if (!cfg_submission_path_ok(cfg_text(path)))
        return cfg_fail(c, path->start_mark, "invalid path '%s' for 'path' "
                        "(must be relative to the submission, without '..')",
                        cfg_show(&sh, cfg_text(path)));
    for (size_t i = 0; i < index; i++)
        if (strcmp(c->cfg->files[i].path, cfg_text(path)) == 0)
            return cfg_fail(c, path->start_mark, "duplicate student file '%s'",
                            cfg_show(&sh, cfg_text(path)));
    if ((f->path = strdup(cfg_text(path))) == NULL)
        return cfg_oom(c);
    if (cfg_resolve_optional(c, map, "solution", &f->solution) < 0 ||
        cfg_resolve_optional(c, map, "stub", &f->stub) < 0 ||
        cfg_get_quantity(c, map, "max_size", &cfg_size, &f->max_size) < 0)
        return -1;
    return 0;
}

static int cfg_parse_files(const struct cfg_ctx *c, const yaml_node_t *root)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, root, "student_files", "configuration", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    if ((c->cfg->files = calloc(cfg_seq_len(seq), sizeof *c->cfg->files)) == NULL)
        return cfg_oom(c);
    c->cfg->nfiles = cfg_seq_len(seq);
    for (size_t i = 0; i < cfg_seq_len(seq); i++)
        if (cfg_parse_file(c, cfg_seq_item(c, seq, i), i) < 0)
            return -1;
    return 0;
}

/* Takes `full`; keeps the first of duplicates (a glob and a plain path
 * may name the same file, which must be compiled once). */
static int cfg_push_source(const struct cfg_ctx *c, struct cfg_strv *sources, char *full)
{
    if (full != NULL && cfg_strv_has(sources, full)) {
        free(full);
        return 0;
    }
    return cfg_strv_push(sources, full) < 0 ? cfg_oom(c) : 0;
}

static int cfg_add_glob(const struct cfg_ctx *c, struct cfg_strv *sources,
                        const yaml_node_t *item)
{
    const char *text = cfg_text(item);
    char *pattern = text[0] == '/' ? strdup(text) : cfg_join(c->glob_base, text);
    glob_t g;
    size_t matched = 0;
    struct cfg_shown sh;
    if (pattern == NULL)
        return cfg_oom(c);
    int rc = glob(pattern, 0, NULL, &g);
    free(pattern);
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
            continue;     /* a folder or a dangling link is not a source */
        matched++;
        rc = cfg_push_source(c, sources, strdup(g.gl_pathv[i]));
    }
    globfree(&g);
    if (rc == -1)
        return -1;
    if (rc == GLOB_NOSPACE)
        return cfg_oom(c);
    if (rc != 0 && rc != GLOB_NOMATCH)
        return cfg_fail(c, item->start_mark, "cannot expand '%s'", cfg_show(&sh, text));
    if (matched == 0)
        return cfg_fail(c, item->start_mark, "no file matches '%s'", cfg_show(&sh, text));
    return 0;
}

static int cfg_add_source(const struct cfg_ctx *c, struct cfg_strv *sources,
                          const yaml_node_t *item)
{
    const char *text = cfg_text(item);
    struct cfg_shown sh;
    struct stat st;
    if (strpbrk(text, "*?[") != NULL)
        return cfg_add_glob(c, sources, item);
    char *full = cfg_resolve(c, text);
    if (full == NULL)
        return cfg_oom(c);
    int found = stat(full, &st), e = errno;
    if (found == 0 && S_ISREG(st.st_mode))
        return cfg_push_source(c, sources, full);
    free(full);
    if (found == 0)
        return cfg_fail(c, item->start_mark, "'%s' is not a regular file", cfg_show(&sh, text));
    if (e == ENOENT || e == ENOTDIR)
        return cfg_fail(c, item->start_mark, "no such file '%s'", cfg_show(&sh, text));
    return cfg_fail(c, item->start_mark, "cannot access '%s': %s", cfg_show(&sh, text),
                    strerror(e));
}

/* The required "sources" of `map` (the section `in`) into *sources. */
static int cfg_parse_sources(const struct cfg_ctx *c, const yaml_node_t *map, const char *in,
                             struct cfg_strv *sources)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, "sources", in, YAML_SCALAR_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, "sources") < 0 ||
            cfg_add_source(c, sources, item) < 0)
            return -1;
    }
    return 0;
}

static int cfg_parse_build(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "cc", "cflags", "student_cflags", "ldflags", "include_dirs", "sources", "timeout", NULL,
    };
    struct cfg_build *b = &c->cfg->build;
    yaml_node_t *map;
    if (cfg_typed(c, root, "build", "configuration", YAML_MAPPING_NODE, "a mapping",
                  &map) < 0 ||
        cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_string(c, map, "cc", NULL, &b->cc) < 0 ||
        cfg_get_strv(c, map, "cflags", false, &b->cflags) < 0 ||
        cfg_get_strv(c, map, "student_cflags", false, &b->student_cflags) < 0 ||
        cfg_get_strv(c, map, "ldflags", false, &b->ldflags) < 0 ||
        cfg_get_strv(c, map, "include_dirs", true, &b->include_dirs) < 0 ||
        cfg_parse_sources(c, map, "build", &b->sources) < 0 ||
        cfg_get_quantity(c, map, "timeout", &cfg_duration, &b->timeout_ms) < 0)
        return -1;
    return 0;
}

static int cfg_parse_symbols(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "allow", "deny", "allow_libraries", "forbid_constructors", "forbid_syscall", NULL,
    };
    struct cfg_symbols *s = &c->cfg->symbols;
    yaml_node_t *map;
    if (cfg_typed(c, root, "symbols", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "allow", false, &s->allow) < 0 ||
        cfg_get_strv(c, map, "deny", false, &s->deny) < 0 ||
        cfg_get_strv(c, map, "allow_libraries", false, &s->allow_libraries) < 0 ||
        cfg_get_bool(c, map, "forbid_constructors", &s->forbid_constructors) < 0 ||
        cfg_get_bool(c, map, "forbid_syscall", &s->forbid_syscall) < 0)
        return -1;
    return 0;
}

/* The "grading" section: {seed: N}. */
static int cfg_parse_grading(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"seed", NULL};
    struct cfg_grading *g = &c->cfg->grading;
    yaml_node_t *map;
    if (cfg_typed(c, root, "grading", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "seed", &cfg_seed, &g->seed) < 0)
        return -1;
    g->seeded = g->seed > 0;
    return 0;
}

static int cfg_parse_coverage(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"enabled", "branches", "html", NULL};
    struct cfg_coverage *cov = &c->cfg->coverage;
    yaml_node_t *map;
    if (cfg_typed(c, root, "coverage", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_bool(c, map, "enabled", &cov->enabled) < 0 ||
        cfg_get_bool(c, map, "branches", &cov->branches) < 0 ||
        cfg_get_bool(c, map, "html", &cov->html) < 0)
        return -1;
    return 0;
}

/* ---- the late policy ---------------------------------------------------------- */

/* A time (cfg_parse_time) into *ms and its text into *text; untouched if
 * absent and optional. */
static int cfg_get_time(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                        const char *required_in, int64_t *ms, char **text)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_typed(c, map, key, required_in, YAML_SCALAR_NODE,
                  "a time like 2026-12-15T23:59:00-05:00", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    if (cfg_parse_time(cfg_text(n), ms) < 0)
        return cfg_fail(c, n->start_mark, "invalid time '%s' for '%s' (use ISO 8601 with "
                        "an offset, e.g. 2026-12-15T23:59:00-05:00)",
                        cfg_show(&sh, cfg_text(n)), key);
    if ((*text = strdup(cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

/* "10%", "12.5%": a percentage from 0 to 100; untouched if absent. */
static int cfg_get_percent(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           double *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    char num[64];
    double v;
    if (cfg_typed(c, map, key, NULL, YAML_SCALAR_NODE, "a percentage like 10%", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    const char *text = cfg_text(n);
    size_t len = strlen(text);
    enum cfg_num why = CFG_NUM_BAD;
    if (len >= 2 && len < sizeof num && text[len - 1] == '%') {
        memcpy(num, text, len - 1);
        num[len - 1] = '\0';
        why = cfg_parse_points(num, &v);
    }
    if (why == CFG_NUM_BAD)
        return cfg_fail(c, n->start_mark, "invalid percentage '%s' for '%s' (use e.g. 10%%)",
                        cfg_show(&sh, text), key);
    if (why != CFG_NUM_OK || v > 100)
        return cfg_fail(c, n->start_mark, "'%s' must be from 0%% to 100%%", key);
    *out = v;
    return 0;
}

/* "grace": a duration that may also be 0. */
static int cfg_get_grace(const struct cfg_ctx *c, const yaml_node_t *map, uint64_t *out)
{
    yaml_node_t *n;
    if (cfg_typed(c, map, "grace", NULL, YAML_SCALAR_NODE, cfg_duration.desc, &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    if (cfg_text(n)[0] == '-')
        return cfg_fail(c, n->start_mark, "'grace' must not be negative");
    enum cfg_num why = cfg_parse_quantity(cfg_text(n), &cfg_duration, out);
    if (why == CFG_NUM_NONPOS) {   /* "0", "0s": no grace */
        *out = 0;
        return 0;
    }
    return why == CFG_NUM_OK ? 0 : cfg_num_error(c, n, "grace", why, &cfg_duration);
}

static int cfg_parse_late(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "due", "late_due", "grace", "per_day", "max_penalty", NULL,
    };
    struct cfg_late *l = &c->cfg->late;
    yaml_node_t *map, *late_due;
    struct cfg_shown sh;
    if (cfg_typed(c, root, "late_policy", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    l->enabled = true;
    l->max_penalty_pct = 100.0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_time(c, map, "due", "late_policy", &l->due_ms, &l->due) < 0 ||
        cfg_get_time(c, map, "late_due", NULL, &l->late_due_ms, &l->late_due) < 0 ||
        cfg_get_grace(c, map, &l->grace_ms) < 0 ||
        cfg_get_percent(c, map, "per_day", &l->per_day_pct) < 0 ||
        cfg_get_percent(c, map, "max_penalty", &l->max_penalty_pct) < 0 ||
        cfg_lookup(c, map, "late_due", NULL, &late_due) < 0)
        return -1;
    if (l->late_due != NULL && l->late_due_ms < l->due_ms)
        return cfg_fail(c, late_due->start_mark, "'late_due' must not be before 'due' (%s)",
                        cfg_show(&sh, l->due));
    return 0;
}

/* ---- the performance section ------------------------------------------------ */

static bool cfg_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* valgrind's rules for a simulated cache (cachegrind's check_cache()). */
static int cfg_check_cache(const struct cfg_ctx *c, const yaml_node_t *map, const char *name,
                           const struct cfg_cache *k)
{
    const yaml_node_pair_t *line = cfg_pair(c, map, "line");
    yaml_mark_t at = line ? cfg_node(c, line->value)->start_mark : map->start_mark;
    if (!cfg_pow2(k->line))
        return cfg_fail(c, at, "'line' of cache '%s' must be a power of two", name);
    if (k->line < 16)
        return cfg_fail(c, at, "'line' of cache '%s' must be at least 16 bytes", name);
    if (k->ways > UINT64_MAX / k->line || k->size % (k->ways * k->line) != 0 ||
        !cfg_pow2(k->size / (k->ways * k->line)))
        return cfg_fail(c, map->start_mark, "cache '%s': size / (ways x line) must be a "
                        "power of two (valgrind's rule), not %llu / (%llu x %llu)", name,
                        (unsigned long long)k->size, (unsigned long long)k->ways,
                        (unsigned long long)k->line);
    if (k->size <= k->line)
        return cfg_fail(c, map->start_mark, "cache '%s' must hold more than one line", name);
    return 0;
}

static int cfg_parse_cache(const struct cfg_ctx *c, const yaml_node_t *caches,
                           const char *name, struct cfg_cache *k)
{
    static const char *const keys[] = {"size", "ways", "line", NULL};
    yaml_node_t *map;
    if (cfg_typed(c, caches, name, NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_quantity(c, map, "size", &cfg_size, &k->size) < 0 ||
        cfg_get_quantity(c, map, "ways", &cfg_count, &k->ways) < 0 ||
        cfg_get_quantity(c, map, "line", &cfg_size, &k->line) < 0)
        return -1;
    return cfg_check_cache(c, map, name, k);
}

static int cfg_parse_caches(const struct cfg_ctx *c, const yaml_node_t *perf)
{
    static const char *const keys[] = {"i1", "d1", "ll", NULL};
    struct cfg_performance *p = &c->cfg->performance;
    yaml_node_t *map;
    if (cfg_typed(c, perf, "cache", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_parse_cache(c, map, "i1", &p->i1) < 0 ||
        cfg_parse_cache(c, map, "d1", &p->d1) < 0 ||
        cfg_parse_cache(c, map, "ll", &p->ll) < 0)
        return -1;
    return 0;
}

/* After the top-level limits, which it inherits. */
static int cfg_parse_performance(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "cflags", "ldflags", "sources", "valgrind", "cache", "limits", NULL,
    };
    struct cfg_performance *p = &c->cfg->performance;
    yaml_node_t *map;
    if (cfg_typed(c, root, "performance", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    p->enabled = true;
    p->limits = c->cfg->limits;
    p->i1 = p->d1 = (struct cfg_cache){32 * CFG_KiB, 8, 64};
    p->ll = (struct cfg_cache){CFG_MiB, 16, 64};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "cflags", false, &p->cflags) < 0 ||
        cfg_get_strv(c, map, "ldflags", false, &p->ldflags) < 0 ||
        cfg_parse_sources(c, map, "performance", &p->sources) < 0 ||
        cfg_get_string(c, map, "valgrind", NULL, &p->valgrind) < 0 ||
        cfg_parse_caches(c, map) < 0 ||
        cfg_get_limits(c, map, &p->limits) < 0)
        return -1;
    if (p->valgrind == NULL && (p->valgrind = strdup("valgrind")) == NULL)
        return cfg_oom(c);
    return 0;
}

static const char cfg_id_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

/* "suite/case", each part [a-z0-9_]+. */
static bool cfg_id_ok(const char *id)
{
    const char *ok = cfg_id_chars;
    size_t suite = strspn(id, ok);
    if (suite == 0 || id[suite] != '/')
        return false;
    size_t name = strspn(id + suite + 1, ok);
    return name > 0 && id[suite + 1 + name] == '\0';
}

static int cfg_parse_test_id(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    const struct grader_cfg *cfg = c->cfg;
    yaml_node_t *id;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "id", "test", &id) < 0)
        return -1;
    if (!cfg_id_ok(cfg_text(id)))
        return cfg_fail(c, id->start_mark,
                        "invalid test id '%s' (use suite/case, with a-z, 0-9 and _)",
                        cfg_show(&sh, cfg_text(id)));
    for (size_t i = 0; i < index; i++)
        if (strcmp(cfg->tests[i].id, cfg_text(id)) == 0)
            return cfg_fail(c, id->start_mark, "duplicate test id '%s' (first defined at line %u)",
                            cfg_show(&sh, cfg_text(id)), cfg->tests[i].mark.line);
    if ((cfg->tests[index].id = strdup(cfg_text(id))) == NULL)
        return cfg_oom(c);
    return 0;
}

/* ---- performance tests ------------------------------------------------------ */

static const char *const cfg_metric_names[] = {
    [CFG_METRIC_INSTRUCTIONS] = "instructions",
    [CFG_METRIC_D1_MISSES] = "d1_misses",
    [CFG_METRIC_LL_MISSES] = "ll_misses",
    [CFG_METRIC_THREADS] = "threads",
};

const char *cfg_metric_name(enum cfg_metric m)
{
    if ((unsigned)m >= sizeof cfg_metric_names / sizeof cfg_metric_names[0])
        return "unknown";
    return cfg_metric_names[m];
}

/* The keys only tests of kind performance have. */
static const char *const cfg_perf_keys[] = {
    "measure", "reference", "metric", "full_at", "zero_at", "thresholds", "threads",
    "balance", "requires", NULL,
};

/* Fails at the key `key` of map, if present. */
static int cfg_forbid(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                      const char *why)
{
    const yaml_node_pair_t *p = cfg_pair(c, map, key);
    if (p == NULL)
        return 0;
    return cfg_fail(c, cfg_node(c, p->key)->start_mark, "'%s' %s", key, why);
}

static int cfg_parse_kind(const struct cfg_ctx *c, const yaml_node_t *map,
                          enum cfg_test_kind *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "kind", NULL, &n) < 0)
        return -1;
    if (n == NULL || strcmp(cfg_text(n), "check") == 0)
        *out = CFG_KIND_CHECK;
    else if (strcmp(cfg_text(n), "performance") == 0)
        *out = CFG_KIND_PERFORMANCE;
    else
        return cfg_fail(c, n->start_mark, "invalid kind '%s' for 'kind' "
                        "(use check or performance)", cfg_show(&sh, cfg_text(n)));
    if (*out == CFG_KIND_PERFORMANCE && !c->cfg->performance.enabled)
        return cfg_fail(c, n->start_mark, "tests of kind performance need a "
                        "'performance' section");
    return 0;
}

/* A measurement name: [a-z0-9_]+, copied to *out. */
static int cfg_get_measure(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                           char **out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, key, "performance test", &n) < 0)
        return -1;
    if (cfg_text(n)[strspn(cfg_text(n), cfg_id_chars)] != '\0')
        return cfg_fail(c, n->start_mark, "invalid measurement '%s' for '%s' "
                        "(use a-z, 0-9 and _)", cfg_show(&sh, cfg_text(n)), key);
    if ((*out = strdup(cfg_text(n))) == NULL)
        return cfg_oom(c);
    return 0;
}

static int cfg_get_metric(const struct cfg_ctx *c, const yaml_node_t *map,
                          enum cfg_metric *out)
{
    yaml_node_t *n;
    struct cfg_shown sh;
    if (cfg_string_node(c, map, "metric", "performance test", &n) < 0)
        return -1;
    for (size_t m = 0; m < sizeof cfg_metric_names / sizeof cfg_metric_names[0]; m++) {
        if (strcmp(cfg_text(n), cfg_metric_names[m]) == 0) {
            *out = (enum cfg_metric)m;
            return 0;
        }
    }
    return cfg_fail(c, n->start_mark, "invalid metric '%s' for 'metric' (use instructions, "
                    "d1_misses, ll_misses or threads)", cfg_show(&sh, cfg_text(n)));
}

/* The bounds of a ratio-like number: (least, most] or [least, most]. */
struct cfg_range {
    double least;
    bool or_equal;            /* least itself is allowed */
    double most;              /* INFINITY: no upper bound */
    const char *least_name;   /* what least is, e.g. "'full_at'", or NULL */
};

/* Explains a number outside its range. */
static int cfg_range_error(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                           const struct cfg_range *r)
{
    char least[96];
    if (r->least_name)
        snprintf(least, sizeof least, "%s (%g)", r->least_name, r->least);
    else
        snprintf(least, sizeof least, "%g", r->least);
    if (isinf(r->most))
        return cfg_fail(c, n->start_mark, "'%s' must be greater than %s", key, least);
    return cfg_fail(c, n->start_mark, "'%s' must be %s %s and at most %g", key,
                    r->or_equal ? "at least" : "greater than", least, r->most);
}

/*
 * A decimal number (cfg_parse_points' syntax) within *r into *out, which
 * is untouched if the key is absent and optional.
 */
static int cfg_get_ratio(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                         const char *required_in, const struct cfg_range *r, double *out)
{
    yaml_node_t *n;
    double v;
    if (cfg_typed(c, map, key, required_in, YAML_SCALAR_NODE, "a number", &n) < 0)
        return -1;
    if (n == NULL)
        return 0;
    enum cfg_num why = cfg_parse_points(cfg_text(n), &v);
    if (why != CFG_NUM_OK)
        return cfg_num_error(c, n, key, why, NULL);
    if (v < r->least || (v == r->least && !r->or_equal) || v > r->most)
        return cfg_range_error(c, n, key, r);
    *out = v;
    return 0;
}

static int cfg_parse_step(const struct cfg_ctx *c, const yaml_node_t *map,
                          const struct cfg_step *prev, struct cfg_step *out)
{
    static const char *const keys[] = {"at_most", "score", NULL};
    const struct cfg_range at_most = {prev ? prev->at_most : 0.0, false, INFINITY,
                                      prev ? "the previous threshold's" : NULL};
    const struct cfg_range score = {0.0, true, 1.0, NULL};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_ratio(c, map, "at_most", "threshold", &at_most, &out->at_most) < 0 ||
        cfg_get_ratio(c, map, "score", "threshold", &score, &out->score) < 0)
        return -1;
    return 0;
}

static int cfg_parse_steps(const struct cfg_ctx *c, const yaml_node_t *map,
                           struct cfg_perf_test *pt)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, "thresholds", "performance test", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    if ((pt->steps = calloc(cfg_seq_len(seq), sizeof *pt->steps)) == NULL)
        return cfg_oom(c);
    pt->nsteps = cfg_seq_len(seq);
    for (size_t i = 0; i < pt->nsteps; i++)
        if (cfg_parse_step(c, cfg_seq_item(c, seq, i), i ? &pt->steps[i - 1] : NULL,
                           &pt->steps[i]) < 0)
            return -1;
    return 0;
}

/* full_at and zero_at, or thresholds: one of the two. */
static int cfg_parse_scoring(const struct cfg_ctx *c, const yaml_node_t *map,
                             struct cfg_perf_test *pt)
{
    const yaml_node_pair_t *steps = cfg_pair(c, map, "thresholds");
    bool linear = cfg_pair(c, map, "full_at") || cfg_pair(c, map, "zero_at");
    if (steps && linear)
        return cfg_fail(c, cfg_node(c, steps->key)->start_mark, "use either 'full_at' and "
                        "'zero_at' or 'thresholds', not both");
    if (steps)
        return cfg_parse_steps(c, map, pt);
    if (!linear)
        return cfg_fail(c, map->start_mark, "missing 'full_at' and 'zero_at' (or "
                        "'thresholds') in performance test");
    const struct cfg_range full = {0.0, false, INFINITY, NULL};
    if (cfg_get_ratio(c, map, "full_at", "performance test", &full, &pt->full_at) < 0)
        return -1;
    const struct cfg_range zero = {pt->full_at, false, INFINITY, "'full_at'"};
    return cfg_get_ratio(c, map, "zero_at", "performance test", &zero, &pt->zero_at);
}

static int cfg_parse_threads(const struct cfg_ctx *c, const yaml_node_t *map,
                             struct cfg_perf_test *pt)
{
    static const struct cfg_range balance = {0.0, true, 1.0, NULL};  /* 0: not graded */
    uint64_t threads = 0;
    yaml_node_t *n;
    pt->balance = 0.5;
    for (size_t i = 0; i < 3; i++) {
        static const char *const linear[] = {"full_at", "zero_at", "thresholds"};
        if (cfg_forbid(c, map, linear[i], "does not apply to metric threads") < 0)
            return -1;
    }
    if (cfg_lookup(c, map, "threads", "performance test of metric threads", &n) < 0 ||
        cfg_get_quantity(c, map, "threads", &cfg_count, &threads) < 0 ||
        cfg_get_ratio(c, map, "balance", NULL, &balance, &pt->balance) < 0)
        return -1;
    pt->threads = (unsigned)threads;
    return 0;
}

static int cfg_parse_perf_test(const struct cfg_ctx *c, const yaml_node_t *map,
                               struct cfg_test *t)
{
    struct cfg_perf_test *pt = &t->perf;
    t->limits = c->cfg->performance.limits;
    if (cfg_forbid(c, map, "partial", "does not apply to tests of kind performance") < 0 ||
        cfg_forbid(c, map, "limits", "does not apply to tests of kind performance "
                   "(set performance.limits)") < 0 ||
        cfg_get_measure(c, map, "measure", &pt->measure) < 0 ||
        cfg_get_measure(c, map, "reference", &pt->reference) < 0 ||
        cfg_get_metric(c, map, &pt->metric) < 0 ||
        cfg_get_strv(c, map, "requires", false, &pt->requires) < 0)
        return -1;
    if (pt->metric == CFG_METRIC_THREADS)
        return cfg_parse_threads(c, map, pt);
    if (cfg_forbid(c, map, "threads", "applies to metric threads only") < 0 ||
        cfg_forbid(c, map, "balance", "applies to metric threads only") < 0)
        return -1;
    return cfg_parse_scoring(c, map, pt);
}

/* Every "requires" item names a check test of the config. */
static int cfg_check_requires(const struct cfg_ctx *c, const yaml_node_t *seq)
{
    const struct grader_cfg *cfg = c->cfg;
    struct cfg_shown sh;
    for (size_t i = 0; i < cfg->ntests; i++) {
        yaml_node_t *req;
        if (cfg_lookup(c, cfg_seq_item(c, seq, i), "requires", NULL, &req) < 0)
            return -1;
        for (size_t j = 0; req != NULL && j < cfg_seq_len(req); j++) {
            const yaml_node_t *item = cfg_seq_item(c, req, j);
            const struct cfg_test *t = cfg_find_test(cfg, cfg_text(item));
            if (t == NULL)
                return cfg_fail(c, item->start_mark, "'requires' names no test '%s'",
                                cfg_show(&sh, cfg_text(item)));
            if (t->kind != CFG_KIND_CHECK)
                return cfg_fail(c, item->start_mark, "'requires' names '%s', which is not a "
                                "check test", cfg_show(&sh, cfg_text(item)));
        }
    }
    return 0;
}

/* How many times a check test runs, at most CFG_MAX_REPEAT; 0 when absent
 * (cfg_parse_tsan() then picks the default). */
static int cfg_get_repeat(const struct cfg_ctx *c, const yaml_node_t *map, unsigned *out)
{
    uint64_t n = 0;
    if (cfg_get_quantity(c, map, "repeat", &cfg_count, &n) < 0)
        return -1;
    if (n > CFG_MAX_REPEAT)
        return cfg_fail(c, cfg_node(c, cfg_pair(c, map, "repeat")->value)->start_mark,
                        "'repeat' must be at most %d", CFG_MAX_REPEAT);
    *out = (unsigned)n;
    return 0;
}

static int cfg_parse_test(const struct cfg_ctx *c, const yaml_node_t *map, size_t index)
{
    static const char *const keys[] = {
        "id", "name", "points", "visibility", "category", "tags", "partial", "limits", "kind",
        "measure", "reference", "metric", "full_at", "zero_at", "thresholds", "threads",
        "balance", "requires", "repeat", NULL,
    };
    struct cfg_test *t = &c->cfg->tests[index];
    t->mark = (struct cfg_mark){(unsigned)map->start_mark.line + 1,
                                (unsigned)map->start_mark.column + 1};
    t->visibility = c->cfg->visibility;
    t->partial = true;
    t->limits = c->cfg->limits;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_parse_test_id(c, map, index) < 0 ||
        cfg_get_string(c, map, "name", NULL, &t->name) < 0)
        return -1;
    if (t->name == NULL && (t->name = strdup(t->id)) == NULL)
        return cfg_oom(c);
    if (cfg_get_points(c, map, &t->points) < 0 ||
        cfg_get_visibility(c, map, &t->visibility) < 0 ||
        cfg_get_string(c, map, "category", NULL, &t->category) < 0 ||
        cfg_get_strv(c, map, "tags", false, &t->tags) < 0 ||
        cfg_parse_kind(c, map, &t->kind) < 0)
        return -1;
    if (t->kind == CFG_KIND_PERFORMANCE)
        return cfg_forbid(c, map, "repeat", "is only for check tests") < 0
                   ? -1 : cfg_parse_perf_test(c, map, t);
    for (size_t i = 0; cfg_perf_keys[i] != NULL; i++)
        if (cfg_forbid(c, map, cfg_perf_keys[i], "is only for tests of kind performance") < 0)
            return -1;
    if (cfg_get_bool(c, map, "partial", &t->partial) < 0 ||
        cfg_get_limits(c, map, &t->limits) < 0 ||
        cfg_get_repeat(c, map, &t->repeat) < 0)
        return -1;
    return 0;
}

static int cfg_parse_tests(const struct cfg_ctx *c, const yaml_node_t *root)
{
    struct grader_cfg *cfg = c->cfg;
    yaml_node_t *seq;
    if (cfg_get_list(c, root, "tests", "configuration", YAML_MAPPING_NODE,
                     "a sequence of mappings", &seq) < 0)
        return -1;
    yaml_mark_t key = cfg_node(c, cfg_pair(c, root, "tests")->key)->start_mark;
    cfg->tests_mark = (struct cfg_mark){(unsigned)key.line + 1, (unsigned)key.column + 1};
    if ((cfg->tests = calloc(cfg_seq_len(seq), sizeof *cfg->tests)) == NULL)
        return cfg_oom(c);
    cfg->ntests = cfg_seq_len(seq);
    for (size_t i = 0; i < cfg->ntests; i++)
        if (cfg_parse_test(c, cfg_seq_item(c, seq, i), i) < 0)
            return -1;
    return cfg_check_requires(c, seq);   /* may name a test defined further down */
}

/* ---- the release section ------------------------------------------------------ */

/* Expands one "files" or "sources" item (a path or a glob, relative to
 * the config's folder) into *rel as paths relative to that folder. */
static int cfg_release_expand(const struct cfg_ctx *c, const yaml_node_t *item,
                              const char *key, struct cfg_strv *rel)
{
    struct cfg_strv full = {0};
    struct cfg_shown sh;
    size_t nbase = strlen(c->cfg->base_dir);
    if (!cfg_submission_path_ok(cfg_text(item)))
        return cfg_fail(c, item->start_mark, "invalid path '%s' for '%s' (must be relative "
                        "to the config's folder, without '..')", cfg_show(&sh, cfg_text(item)),
                        key);
    int rc = cfg_add_source(c, &full, item);
    for (size_t i = 0; rc == 0 && i < full.n; i++) {
        /* glob and cfg_resolve() put base_dir + "/" in front of every match */
        const char *r = full.v[i] + nbase + (c->cfg->base_dir[nbase - 1] != '/');
        if (!cfg_strv_has(rel, r) && cfg_strv_push(rel, strdup(r)) < 0)
            rc = cfg_oom(c);
    }
    cfg_strv_release(&full);
    return rc;
}

/* A required, non-empty list of relative paths and globs, each matching a file. */
static int cfg_release_paths(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                             struct cfg_strv *written, struct cfg_strv *rel)
{
    yaml_node_t *seq;
    if (cfg_get_list(c, map, key, "release", YAML_SCALAR_NODE, "a sequence of paths", &seq) < 0)
        return -1;
    for (size_t i = 0; i < cfg_seq_len(seq); i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        if (cfg_check_string_item(c, item, key) < 0 ||
            cfg_release_expand(c, item, key, rel) < 0)
            return -1;
        if (written != NULL && cfg_strv_push(written, strdup(cfg_text(item))) < 0)
            return cfg_oom(c);
    }
    return 0;
}

static int cfg_parse_release_ci(const struct cfg_ctx *c, const yaml_node_t *release)
{
    static const char *const keys[] = {"fail_under", NULL};
    static const struct cfg_range percent = {0.0, true, 100.0, NULL};
    yaml_node_t *map;
    if (cfg_typed(c, release, "ci", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_ratio(c, map, "fail_under", NULL, &percent, &c->cfg->release.fail_under) < 0)
        return -1;
    return 0;
}

/* Last, so that a config with a broken release section still reaches its tests. */
static int cfg_parse_release(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"files", "sources", "packages", "ci", NULL};
    struct cfg_release *r = &c->cfg->release;
    const yaml_node_pair_t *key = cfg_pair(c, root, "release");
    yaml_node_t *map;
    if (cfg_typed(c, root, "release", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    yaml_mark_t at = cfg_node(c, key->key)->start_mark;
    r->mark = (struct cfg_mark){(unsigned)at.line + 1, (unsigned)at.column + 1};
    r->enabled = true;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_release_paths(c, map, "files", NULL, &r->files) < 0 ||
        cfg_release_paths(c, map, "sources", &r->sources, &r->source_files) < 0 ||
        cfg_get_strv(c, map, "packages", false, &r->packages) < 0 ||
        cfg_parse_release_ci(c, map) < 0)
        return -1;
    return 0;
}

/* ---- mutation analysis --------------------------------------------------- */

/* The operators mutagen knows (grader/mutagen/mutagen.c documents each). */
static const char *const cfg_mutant_ops[] = {
    "ror", "aor", "bound", "loop", "const", "del", "swap", "round", "clamp", NULL,
};

static int cfg_parse_equivalent(const struct cfg_ctx *c, const yaml_node_t *map,
                                struct cfg_equivalent *out)
{
    static const char *const keys[] = {"id", "reason", NULL};
    yaml_mark_t at = map->start_mark;
    out->mark = (struct cfg_mark){(unsigned)at.line + 1, (unsigned)at.column + 1};
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_string(c, map, "id", "equivalent mutant", &out->id) < 0 ||
        cfg_get_string(c, map, "reason", "equivalent mutant", &out->reason) < 0)
        return -1;
    const char *colon = strchr(out->id, ':');
    if (!colon || !strchr(colon + 1, ':'))
        return cfg_fail(c, at, "equivalent mutant id '%s' is not FUNCTION:OPERATOR:N",
                        out->id);
    return 0;
}

static int cfg_parse_equivalents(const struct cfg_ctx *c, const yaml_node_t *map)
{
    struct cfg_mutants *m = &c->cfg->mutants;
    yaml_node_t *seq;
    if (cfg_typed(c, map, "equivalent", NULL, YAML_SEQUENCE_NODE, "a sequence of mappings",
                  &seq) < 0)
        return -1;
    size_t n = seq ? cfg_seq_len(seq) : 0;
    if (n == 0)
        return 0;
    if ((m->equivalent = calloc(n, sizeof *m->equivalent)) == NULL)
        return cfg_oom(c);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = cfg_seq_item(c, seq, i);
        m->nequivalent = i + 1;
        if (cfg_expect(c, item, "equivalent", YAML_MAPPING_NODE, "a mapping") < 0 ||
            cfg_parse_equivalent(c, item, &m->equivalent[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->equivalent[j].id, m->equivalent[i].id) == 0)
                return cfg_fail(c, item->start_mark, "equivalent mutant '%s' is listed "
                                "twice", m->equivalent[i].id);
    }
    return 0;
}

static int cfg_parse_mutants(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"operators", "functions", "timeout_factor",
                                       "equivalent", NULL};
    static const struct cfg_range factor = {1.0, true, 1000.0, NULL};
    struct cfg_mutants *m = &c->cfg->mutants;
    yaml_node_t *map, *ops;
    if (cfg_typed(c, root, "mutants", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0)
        return -1;
    if (map == NULL)
        return 0;
    if (cfg_check_keys(c, map, keys) < 0 ||
        cfg_get_strv(c, map, "operators", false, &m->operators) < 0 ||
        cfg_get_strv(c, map, "functions", false, &m->functions) < 0 ||
        cfg_get_ratio(c, map, "timeout_factor", NULL, &factor, &m->timeout_factor) < 0 ||
        cfg_parse_equivalents(c, map) < 0)
        return -1;
    if (cfg_lookup(c, map, "operators", NULL, &ops) < 0)
        return -1;
    for (size_t i = 0; ops && i < m->operators.n; i++)
        if (!cfg_in(cfg_mutant_ops, m->operators.v[i]))
            return cfg_fail(c, cfg_seq_item(c, ops, i)->start_mark, "unknown mutation "
                            "operator '%s' (known: ror, aor, bound, loop, const, del, swap, "
                            "round, clamp)", m->operators.v[i]);
    return 0;
}

/* ---- the ThreadSanitizer stage and leaks ------------------------------------ */

/* Coverage instrumentation has no place in the TSan build. */
static bool cfg_coverage_flag(const char *f)
{
    return strcmp(f, "--coverage") == 0 || strcmp(f, "-ftest-coverage") == 0 ||
           strcmp(f, "-lgcov") == 0 || strncmp(f, "-fprofile-", 10) == 0;
}

/* Appends copies of from's items to *to, without coverage flags if asked. */
static int cfg_strv_append(const struct cfg_ctx *c, struct cfg_strv *to,
                           const struct cfg_strv *from, bool drop_coverage)
{
    for (size_t i = 0; i < from->n; i++)
        if (!(drop_coverage && cfg_coverage_flag(from->v[i])) &&
            cfg_strv_push(to, strdup(from->v[i])) < 0)
            return cfg_oom(c);
    return 0;
}

/* Marks the check tests `units` names; each glob must match one. */
static int cfg_tsan_units(const struct cfg_ctx *c, const yaml_node_t *map)
{
    struct cfg_tsan *ts = &c->cfg->tsan;
    yaml_node_t *seq;
    struct cfg_shown sh;
    if (cfg_get_list(c, map, "units", "thread_sanitizer", YAML_SCALAR_NODE,
                     "a sequence of test ids or globs", &seq) < 0 ||
        cfg_get_strv(c, map, "units", false, &ts->units) < 0)
        return -1;
    for (size_t i = 0; i < ts->units.n; i++) {
        bool any = false;
        for (size_t j = 0; j < c->cfg->ntests; j++) {
            struct cfg_test *t = &c->cfg->tests[j];
            if (t->kind == CFG_KIND_CHECK && fnmatch(ts->units.v[i], t->id, 0) == 0)
                any = t->tsan = true;
        }
        if (!any)
            return cfg_fail(c, cfg_seq_item(c, seq, i)->start_mark, "'%s' matches no check "
                            "test", cfg_show(&sh, ts->units.v[i]));
    }
    return 0;
}

/*
 * The flags of the TSan build: each list is the tests build's (less its
 * coverage flags) followed by the section's; cflags and ldflags default
 * to TSan's own, and the student files get cflags once more at the end,
 * so its -g wins over a -g0 of student_cflags.
 */
static int cfg_tsan_flags(const struct cfg_ctx *c, const yaml_node_t *map)
{
    const struct cfg_build *b = &c->cfg->build;
    struct cfg_tsan *ts = &c->cfg->tsan;
    struct cfg_strv own_c = {0}, own_l = {0};
    char *cdef[] = {"-fsanitize=thread", "-g"}, *ldef[] = {"-fsanitize=thread"};
    const struct cfg_strv cflags_def = {cdef, 2}, ldflags_def = {ldef, 1};
    int rc = cfg_get_strv(c, map, "cflags", false, &own_c) < 0 ||
             cfg_get_strv(c, map, "ldflags", false, &own_l) < 0 ? -1 : 0;
    const struct cfg_strv *cf = cfg_pair(c, map, "cflags") ? &own_c : &cflags_def;
    const struct cfg_strv *lf = cfg_pair(c, map, "ldflags") ? &own_l : &ldflags_def;
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->cflags, &b->cflags, true);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->cflags, cf, false);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->student_cflags, &b->student_cflags, true);
    if (rc == 0)
        rc = cfg_get_strv(c, map, "student_cflags", false, &ts->student_cflags);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->student_cflags, cf, false);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->ldflags, &b->ldflags, true);
    if (rc == 0)
        rc = cfg_strv_append(c, &ts->ldflags, lf, false);
    cfg_strv_release(&own_c);
    cfg_strv_release(&own_l);
    return rc;
}

/* After the tests: it marks them, and gives them their default repeat. */
static int cfg_parse_tsan(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "units", "cflags", "student_cflags", "ldflags", "sources", "limits", "repeat", NULL,
    };
    struct cfg_tsan *ts = &c->cfg->tsan;
    yaml_node_t *map;
    ts->repeat = 3;
    if (cfg_typed(c, root, "thread_sanitizer", NULL, YAML_MAPPING_NODE, "a mapping",
                  &map) < 0)
        return -1;
    if (map != NULL) {
        ts->enabled = true;
        ts->limits = c->cfg->limits;
        if (cfg_check_keys(c, map, keys) < 0 || cfg_tsan_units(c, map) < 0 ||
            cfg_tsan_flags(c, map) < 0 ||
            cfg_strv_append(c, &ts->sources, &c->cfg->build.sources, false) < 0 ||
            (cfg_pair(c, map, "sources") &&
             cfg_parse_sources(c, map, "thread_sanitizer", &ts->sources) < 0) ||
            cfg_get_limits(c, map, &ts->limits) < 0 || cfg_get_repeat(c, map, &ts->repeat) < 0)
            return -1;
    }
    for (size_t i = 0; i < c->cfg->ntests; i++) {
        struct cfg_test *t = &c->cfg->tests[i];
        if (t->repeat == 0)
            t->repeat = t->tsan ? ts->repeat : 1;
    }
    return 0;
}

/* After the tests, which take the deduction. */
static int cfg_parse_leaks(const struct cfg_ctx *c, const yaml_node_t *root)
{
    static const char *const keys[] = {"deduct", NULL};
    static const struct cfg_range fraction = {0.0, true, 1.0, NULL};
    yaml_node_t *map;
    if (cfg_typed(c, root, "leaks", NULL, YAML_MAPPING_NODE, "a mapping", &map) < 0 ||
        (map && (cfg_check_keys(c, map, keys) < 0 ||
                 cfg_get_ratio(c, map, "deduct", NULL, &fraction, &c->cfg->leaks.deduct) < 0)))
        return -1;
    for (size_t i = 0; i < c->cfg->ntests; i++)
        c->cfg->tests[i].leak_deduct = c->cfg->leaks.deduct;
    return 0;
}

/* In this order because tests inherit the top-level limits and visibility,
 * and the performance section, parsed before the tests, the limits. */
static int cfg_parse_root(const struct cfg_ctx *c)
{
    static const char *const keys[] = {
        "assignment", "student_files", "build", "symbols", "limits", "coverage",
        "performance", "visibility", "tests", "late_policy", "release", "mutants",
        "thread_sanitizer", "leaks", "grading", NULL,
    };
    const yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (root == NULL || cfg_is_empty(root))
        return cfg_fail_at(c->err, c->path, 1, 1, "empty configuration");
    if (root->type != YAML_MAPPING_NODE)
        return cfg_fail(c, root->start_mark, "the configuration must be a mapping, not %s",
                        cfg_kind(root));
    if (cfg_check_keys(c, root, keys) < 0 ||
        cfg_parse_assignment(c, root) < 0 ||
        cfg_parse_files(c, root) < 0 ||
        cfg_parse_build(c, root) < 0 ||
        cfg_parse_symbols(c, root) < 0 ||
        cfg_get_limits(c, root, &c->cfg->limits) < 0 ||
        cfg_parse_coverage(c, root) < 0 ||
        cfg_parse_grading(c, root) < 0 ||
        cfg_parse_performance(c, root) < 0 ||
        cfg_parse_late(c, root) < 0 ||
        cfg_get_visibility(c, root, &c->cfg->visibility) < 0 ||
        cfg_parse_tests(c, root) < 0 ||
        cfg_parse_tsan(c, root) < 0 ||
        cfg_parse_leaks(c, root) < 0 ||
        cfg_parse_release(c, root) < 0 ||
        cfg_parse_mutants(c, root) < 0)
        return -1;
    return 0;
}

static int cfg_load_document(struct cfg_ctx *c, const unsigned char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc;
    if (!yaml_parser_initialize(&parser))
        return cfg_oom(c);
    yaml_parser_set_input_string(&parser, buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = cfg_parser_error(c, &parser, buf, len);
    } else {
        c->doc = &doc;
        rc = cfg_parse_root(c);
        c->doc = NULL;
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- loading -------------------------------------------------------------- */

static int cfg_read_fd(const struct cfg_ctx *c, int fd, unsigned char **buf, size_t *len)
{
    size_t cap = 0;
    for (;;) {
        if (*len == cap) {
            unsigned char *nb = realloc(*buf, cap = cap ? 2 * cap : 4096);
            if (nb == NULL)
                return cfg_oom(c);
            *buf = nb;
        }
        ssize_t n = read(fd, *buf + *len, cap - *len);
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return cfg_fail_at(c->err, c->path, 0, 0, "cannot read: %s", strerror(errno));
        if (n > 0)
            *len += (size_t)n;
    }
}

/* The whole file in *buf (malloc'd, even when empty). */
static int cfg_read(const struct cfg_ctx *c, unsigned char **buf, size_t *len)
{
    struct stat st;
    int rc, fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cfg_fail_at(c->err, c->path, 0, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        rc = cfg_fail_at(c->err, c->path, 0, 0, "is a directory");
    else
        rc = cfg_read_fd(c, fd, buf, len);
    close(fd);
    return rc;
}

/* base_dir = the absolute folder of the config, so that resolved paths
 * stay valid whatever folder the grader later works in. */
static int cfg_set_base(struct cfg_ctx *c)
{
    const char *slash = strrchr(c->path, '/');
    char *dir = slash ? strndup(c->path, (size_t)(slash - c->path) + (slash == c->path))
                      : strdup(".");
    if (dir == NULL)
        return cfg_oom(c);
    c->cfg->base_dir = realpath(dir, NULL);
    int e = errno;
    free(dir);
    if (c->cfg->base_dir == NULL)
        return cfg_fail_at(c->err, c->path, 0, 0, "cannot resolve its folder: %s", strerror(e));
    /* glob(3) must see the folder literally, even "a[1]" or "x*" */
    size_t n = strlen(c->cfg->base_dir);
    char *g = c->glob_base = malloc(2 * n + 1);
    if (g == NULL)
        return cfg_oom(c);
    for (const char *s = c->cfg->base_dir; *s != '\0'; s++) {
        if (strchr("*?[]\\", *s) != NULL)
            *g++ = '\\';
        *g++ = *s;
    }
    *g = '\0';
    return 0;
}

static int cfg_defaults(const struct cfg_ctx *c)
{
    struct grader_cfg *cfg = c->cfg;
    cfg->limits = (struct cfg_limits){
        .cpu_ms = 10000, .wall_ms = 20000, .memory_bytes = CFG_GiB, .processes = 64,
        .output_bytes = 64 * CFG_KiB, .file_size_bytes = 64 * CFG_MiB,
    };
    cfg->build.timeout_ms = 60000;
    cfg->symbols.forbid_constructors = cfg->symbols.forbid_syscall = true;
    cfg->coverage = (struct cfg_coverage){.enabled = true, .branches = true, .html = true};
    cfg->visibility = CFG_VIS_VISIBLE;
    cfg->mutants.timeout_factor = 10.0;
    cfg->leaks.deduct = 0.25;
    if ((cfg->path = strdup(c->path)) == NULL || (cfg->build.cc = strdup("cc")) == NULL)
        return cfg_oom(c);
    return 0;
}

int cfg_load(const char *path, struct grader_cfg *cfg, struct cfg_error *err)
{
    struct cfg_ctx c = {.path = path, .cfg = cfg, .err = err};
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc;
    memset(cfg, 0, sizeof *cfg);
    if (path == NULL)
        return cfg_fail_at(err, "", 0, 0, "no configuration file given");
    rc = cfg_read(&c, &buf, &len);
    if (rc == 0)
        rc = cfg_defaults(&c);
    if (rc == 0)
        rc = cfg_set_base(&c);
    if (rc == 0)
        rc = cfg_scan_events(&c, buf, len);
    if (rc == 0)
        rc = cfg_load_document(&c, buf, len);
    free(buf);
    free(c.glob_base);
    if (rc < 0)
        cfg_release(cfg);
    return rc;
}

void cfg_release(struct grader_cfg *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nfiles; i++) {
        free(cfg->files[i].path);
        free(cfg->files[i].solution);
        free(cfg->files[i].stub);
    }
    for (size_t i = 0; i < cfg->ntests; i++) {
        free(cfg->tests[i].id);
        free(cfg->tests[i].name);
        free(cfg->tests[i].category);
        cfg_strv_release(&cfg->tests[i].tags);
        free(cfg->tests[i].perf.measure);
        free(cfg->tests[i].perf.reference);
        free(cfg->tests[i].perf.steps);
        cfg_strv_release(&cfg->tests[i].perf.requires);
    }
    free(cfg->files);
    free(cfg->tests);
    free(cfg->build.cc);
    cfg_strv_release(&cfg->build.cflags);
    cfg_strv_release(&cfg->build.student_cflags);
    cfg_strv_release(&cfg->build.ldflags);
    cfg_strv_release(&cfg->build.include_dirs);
    cfg_strv_release(&cfg->build.sources);
    cfg_strv_release(&cfg->symbols.allow);
    cfg_strv_release(&cfg->symbols.deny);
    cfg_strv_release(&cfg->symbols.allow_libraries);
    cfg_strv_release(&cfg->performance.cflags);
    cfg_strv_release(&cfg->performance.ldflags);
    cfg_strv_release(&cfg->performance.sources);
    free(cfg->performance.valgrind);
    free(cfg->path);
    free(cfg->base_dir);
    free(cfg->name);
    free(cfg->title);
    free(cfg->late.due);
    free(cfg->late.late_due);
    cfg_strv_release(&cfg->release.files);
    cfg_strv_release(&cfg->release.sources);
    cfg_strv_release(&cfg->release.source_files);
    cfg_strv_release(&cfg->release.packages);
    cfg_strv_release(&cfg->tsan.units);
    cfg_strv_release(&cfg->tsan.cflags);
    cfg_strv_release(&cfg->tsan.student_cflags);
    cfg_strv_release(&cfg->tsan.ldflags);
    cfg_strv_release(&cfg->tsan.sources);
    cfg_strv_release(&cfg->mutants.operators);
    cfg_strv_release(&cfg->mutants.functions);
    for (size_t i = 0; i < cfg->mutants.nequivalent; i++) {
        free(cfg->mutants.equivalent[i].id);
        free(cfg->mutants.equivalent[i].reason);
    }
    free(cfg->mutants.equivalent);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- queries -------------------------------------------------------------- */

static bool cfg_ids_have(const char *const ids[], size_t nids, const char *id)
{
    for (size_t i = 0; i < nids; i++)
        if (ids[i] != NULL && strcmp(ids[i], id) == 0)
            return true;
    return false;
}

int cfg_check_tests(const struct grader_cfg *cfg, const char *const ids[], size_t nids,
                    struct cfg_error *err)
{
    struct cfg_shown sh;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->kind == CFG_KIND_CHECK && !cfg_ids_have(ids, nids, t->id))
            return cfg_fail_at(err, cfg->path, t->mark.line, t->mark.column,
                               "test '%s' is not in the test suites", cfg_show(&sh, t->id));
    }
    for (size_t i = 0; i < nids; i++) {
        const struct cfg_test *t = ids[i] ? cfg_find_test(cfg, ids[i]) : NULL;
        if (ids[i] != NULL && t == NULL)
            return cfg_fail_at(err, cfg->path, cfg->tests_mark.line, cfg->tests_mark.column,
                               "suite test '%s' is missing from 'tests'",
                               cfg_show(&sh, ids[i]));
        if (t != NULL && t->kind != CFG_KIND_CHECK)
            return cfg_fail_at(err, cfg->path, t->mark.line, t->mark.column,
                               "suite test '%s' is configured as a performance test",
                               cfg_show(&sh, ids[i]));
    }
    return 0;
}

const struct cfg_test *cfg_find_test(const struct grader_cfg *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->ntests; i++)
        if (strcmp(cfg->tests[i].id, id) == 0)
            return &cfg->tests[i];
    return NULL;
}

size_t cfg_count_kind(const struct grader_cfg *cfg, enum cfg_test_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->ntests; i++)
        n += cfg->tests[i].kind == kind;
    return n;
}

double cfg_total_points(const struct grader_cfg *cfg)
{
    double sum = 0;
    for (size_t i = 0; i < cfg->ntests; i++)
        sum += cfg->tests[i].points;
    return sum;
}

void cfg_error_format(const struct cfg_error *err, char *buf, size_t n)
{
    if (n == 0)
        return;
    if (err->line > 0)
        snprintf(buf, n, "%s:%u:%u: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] != '\0')
        snprintf(buf, n, "%s: %s", err->file, err->message);
    else
        snprintf(buf, n, "%s", err->message);
}
