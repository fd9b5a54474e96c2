/*
 * cfg_priv.h -- private to grader/src/config/: what the files of the cfg
 * module share.  Never included from another folder; the public API is
 * cfg.h.
 *
 * cfg.c (the loader core) calls one cfg_parse_<section>() per config
 * section, each in its own file; they read values through the typed
 * getters of cfg_get.c, which check every mapping's keys against the
 * section's keys[] table (cfg_check_keys()) and explain a bad value as
 * "file:line:column: message" in c->err.  Every function here returns 0,
 * or -1 with c->err filled; what it stored in c->cfg before failing is
 * freed by cfg_release().
 */
#ifndef CFG_PRIV_H
#define CFG_PRIV_H

#include "config/cfg.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

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

/* A config value shown in a message: clipped, control characters
 * replaced, so one odd scalar cannot swamp or garble the message. */
struct cfg_shown {
    char s[68];
};

/* ---- value syntax (cfg_units.c) ------------------------------------------ */

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

/* The quantities of config values: durations ("2s", in ms), sizes
 * ("512MiB", in bytes), counts and the grading seed (positive integers). */
extern const struct cfg_quantity cfg_duration, cfg_size, cfg_count, cfg_seed;

bool cfg_digit(char ch);
/* "<digits>[.<digits>]<unit>" of *q into *out, exact, rounded down to the unit. */
enum cfg_num cfg_parse_quantity(const char *text, const struct cfg_quantity *q,
                                uint64_t *out);
/* A YAML 1.1 boolean, minus y/n: 0, or -1 if it is none. */
int cfg_parse_bool(const char *s, bool *out);
/* A decimal number >= 0: no hex, inf, nan or "1_000". */
enum cfg_num cfg_parse_points(const char *s, double *out);

/* ---- errors and helpers (cfg_get.c) --------------------------------------- */

/* Fill *err and return -1: at a 1-based line and column (0: none), or at
 * a libyaml mark (0-based). */
__attribute__((format(printf, 5, 6)))
int cfg_fail_at(struct cfg_error *err, const char *path, unsigned line, unsigned column,
                const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
int cfg_fail(const struct cfg_ctx *c, yaml_mark_t mark, const char *fmt, ...);
int cfg_oom(const struct cfg_ctx *c);
/* `text` clipped and cleaned into b, for a message. */
const char *cfg_show(struct cfg_shown *b, const char *text);

/* dir + "/" + name, malloc'd (NULL when out of memory). */
char *cfg_join(const char *dir, const char *name);
/* A config-relative path made absolute, malloc'd. */
char *cfg_resolve(const struct cfg_ctx *c, const char *path);
/* Takes `s` (freed on failure; NULL fails). */
int cfg_strv_push(struct cfg_strv *sv, char *s);
bool cfg_strv_has(const struct cfg_strv *sv, const char *s);
void cfg_strv_release(struct cfg_strv *sv);
/* Is s in the NULL-terminated list? */
bool cfg_in(const char *const list[], const char *s);

/* ---- the document (cfg_get.c) --------------------------------------------- */

yaml_node_t *cfg_node(const struct cfg_ctx *c, int index);
const char *cfg_text(const yaml_node_t *n);
bool cfg_is_empty(const yaml_node_t *n);
/* "a mapping", "a sequence", "a scalar" or "empty", for messages. */
const char *cfg_kind(const yaml_node_t *n);
size_t cfg_seq_len(const yaml_node_t *seq);
yaml_node_t *cfg_seq_item(const struct cfg_ctx *c, const yaml_node_t *seq, size_t i);
/* The pair of `key` in `map`, or NULL. */
const yaml_node_pair_t *cfg_pair(const struct cfg_ctx *c, const yaml_node_t *map,
                                 const char *key);

/* ---- the key checker and the typed getters (cfg_get.c) -------------------- */

/* Every key of `map` is a string of `known` (NULL-terminated: the
 * section's keys[] table, which docs_check.sh reads too) and unique. */
int cfg_check_keys(const struct cfg_ctx *c, const yaml_node_t *map, const char *const known[]);

/*
 * The getters look `key` up in `map`.  Absent, it is an error if
 * `required_in` names the enclosing thing ("test"), else *out is left
 * alone (the node getters set it to NULL).  Present, a value of the
 * wrong type or syntax fails at its node.
 */
int cfg_lookup(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
               const char *required_in, yaml_node_t **out);
int cfg_expect(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
               yaml_node_type_t type, const char *desc);
int cfg_typed(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
              const char *required_in, yaml_node_type_t type, const char *desc,
              yaml_node_t **out);
int cfg_string_node(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                    const char *required_in, yaml_node_t **out);
int cfg_get_string(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                   const char *required_in, char **out);
int cfg_get_bool(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                 bool *out);
/* Explains a failed cfg_parse_quantity() (q) or cfg_parse_points() (q NULL). */
int cfg_num_error(const struct cfg_ctx *c, const yaml_node_t *n, const char *key,
                  enum cfg_num why, const struct cfg_quantity *q);
int cfg_get_quantity(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                     const struct cfg_quantity *q, uint64_t *out);
/* A test's required "points". */
int cfg_get_points(const struct cfg_ctx *c, const yaml_node_t *map, double *out);
int cfg_get_visibility(const struct cfg_ctx *c, const yaml_node_t *map,
                       enum cfg_visibility *out);
int cfg_check_string_item(const struct cfg_ctx *c, const yaml_node_t *item, const char *key);
/* Appends the optional string sequence `key`, resolved as paths or not. */
int cfg_get_strv(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                 bool resolve, struct cfg_strv *out);
/* A required, non-empty sequence of items of `item_type`. */
int cfg_get_list(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                 const char *required_in, yaml_node_type_t item_type,
                 const char *desc, yaml_node_t **out);

/* The bounds of a ratio-like number: (least, most] or [least, most]. */
struct cfg_range {
    double least;
    bool or_equal;            /* least itself is allowed */
    double most;              /* INFINITY: no upper bound */
    const char *least_name;   /* what least is, e.g. "'full_at'", or NULL */
};

/* A number within *r (cfg_parse_points' syntax). */
int cfg_get_ratio(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                  const char *required_in, const struct cfg_range *r, double *out);

/* ---- shared by sections ---------------------------------------------------- */

/* cfg_limits.c: overrides *l with the optional "limits" mapping of `parent`. */
int cfg_get_limits(const struct cfg_ctx *c, const yaml_node_t *parent, struct cfg_limits *l);
/* cfg_files.c: relative, not empty, no ".." component. */
bool cfg_submission_path_ok(const char *p);
/* cfg_build.c: one path or glob of a "sources" list into *sources, each
 * file once; the required "sources" of `map` (the section `in`). */
int cfg_add_source(const struct cfg_ctx *c, struct cfg_strv *sources, const yaml_node_t *item);
int cfg_parse_sources(const struct cfg_ctx *c, const yaml_node_t *map, const char *in,
                      struct cfg_strv *sources);
/* cfg_tests.c: a check test's "repeat", 0 when absent. */
int cfg_get_repeat(const struct cfg_ctx *c, const yaml_node_t *map, unsigned *out);

/* cfg.c: reads c->path and, after the first pass's checks (syntax,
 * anchors, tags, NULs, one document), calls walk(c, arg) on its tree:
 * another file in the config's syntax (the adjustments, adjust.h). */
int cfg_load_yaml(struct cfg_ctx *c, int (*walk)(const struct cfg_ctx *c, void *arg),
                  void *arg);
/* cfg_late.c: a time (cfg_parse_time) into *ms and its text into *text
 * (malloc'd); both untouched if absent and optional. */
int cfg_get_time(const struct cfg_ctx *c, const yaml_node_t *map, const char *key,
                 const char *required_in, int64_t *ms, char **text);

/* ---- the sections, in the order cfg_parse_root() (cfg.c) calls them -------- */

int cfg_parse_assignment(const struct cfg_ctx *c, const yaml_node_t *root); /* cfg_files.c */
int cfg_parse_files(const struct cfg_ctx *c, const yaml_node_t *root);      /* cfg_files.c */
int cfg_parse_build(const struct cfg_ctx *c, const yaml_node_t *root);      /* cfg_build.c */
int cfg_parse_symbols(const struct cfg_ctx *c, const yaml_node_t *root);    /* cfg_build.c */
int cfg_parse_coverage(const struct cfg_ctx *c, const yaml_node_t *root);   /* cfg_coverage.c */
int cfg_parse_grading(const struct cfg_ctx *c, const yaml_node_t *root);    /* cfg_grading.c */
/* After the top-level limits, which it inherits. */
int cfg_parse_performance(const struct cfg_ctx *c, const yaml_node_t *root); /* cfg_perf.c */
int cfg_parse_late(const struct cfg_ctx *c, const yaml_node_t *root);       /* cfg_late.c */
/* After build (its cflags are the default) and assignment (its name). */
int cfg_parse_io(const struct cfg_ctx *c, const yaml_node_t *root);         /* cfg_io.c */
/* A test of kind io: its io fields (the "io" section parsed first). */
int cfg_parse_io_test(const struct cfg_ctx *c, const yaml_node_t *map, struct cfg_test *t);
void cfg_io_test_release(struct cfg_io_test *io);
void cfg_io_release(struct cfg_io *io);
/* After performance, limits and visibility, which tests inherit. */
int cfg_parse_tests(const struct cfg_ctx *c, const yaml_node_t *root);      /* cfg_tests.c */
/* After the tests, which these mark. */
int cfg_parse_tsan(const struct cfg_ctx *c, const yaml_node_t *root);       /* cfg_tsan.c */
int cfg_parse_leaks(const struct cfg_ctx *c, const yaml_node_t *root);      /* cfg_leaks.c */
int cfg_parse_release(const struct cfg_ctx *c, const yaml_node_t *root);    /* cfg_release.c */
int cfg_parse_mutants(const struct cfg_ctx *c, const yaml_node_t *root);    /* cfg_mutants.c */

#endif
