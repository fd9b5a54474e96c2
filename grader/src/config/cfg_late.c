/*
 * cfg_late.c -- the "late_policy" section (due, late_due, grace, per_day,
 * max_penalty) and the time syntax it uses: cfg_parse_time() (public,
 * cfg.h), ISO 8601 / RFC 3339 with an offset.
 */
#include "config/cfg_priv.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- the late policy ---------------------------------------------------------- */

/* A time (cfg_parse_time) into *ms and its text into *text; untouched if
 * absent and optional.  Also the adjustments' extensions (adjust.c). */
int cfg_get_time(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
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

int cfg_parse_late(const struct cfg_ctx *c, const yaml_node_t *root)
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
