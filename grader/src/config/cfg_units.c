/*
 * cfg_units.c -- the syntax of config values: scaled quantities
 * (durations, sizes, counts, the seed), decimal numbers and booleans.
 * Pure functions of the text; cfg_get.c turns their verdicts into
 * messages.  cfg_parse_duration_ms() and cfg_parse_size() are public
 * (cfg.h).
 */
#include "config/cfg_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cfg_unit cfg_duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 1000}, {NULL, 0},
};

static const struct cfg_unit cfg_size_units[] = {
    {"B", 1}, {"kB", 1000}, {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000},
    {"KiB", CFG_KiB}, {"MiB", CFG_MiB}, {"GiB", CFG_GiB}, {"", 1}, {NULL, 0},
};

static const struct cfg_unit cfg_count_units[] = {{"", 1}, {NULL, 0}};

const struct cfg_quantity cfg_duration = {
    cfg_duration_units, true, CFG_MAX_DURATION_MS, "duration",
    "a duration like 2s or 500ms", "use e.g. 2s, 500ms", "1ms",
};

const struct cfg_quantity cfg_size = {
    cfg_size_units, true, CFG_MAX_SIZE, "size",
    "a size like 512MiB or 64KiB", "use e.g. 512MiB, 64KiB", "1 byte",
};

const struct cfg_quantity cfg_count = {
    cfg_count_units, false, CFG_MAX_COUNT, "number",
    "a positive integer", "use a positive integer", "1",
};

const struct cfg_quantity cfg_seed = {
    cfg_count_units, false, UINT64_MAX, "seed",
    "a positive integer", "use a positive integer, e.g. 20261", "1",
};

bool cfg_digit(char ch)
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
enum cfg_num cfg_parse_quantity(const char *text, const struct cfg_quantity *q,
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

/* A YAML 1.1 boolean, minus the single letters y/n. */
int cfg_parse_bool(const char *s, bool *out)
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
enum cfg_num cfg_parse_points(const char *s, double *out)
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
