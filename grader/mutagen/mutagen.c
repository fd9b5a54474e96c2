/*
 * mutagen.c -- the mutant generator for C that `grader mutants` runs.
 *
 *   mutagen [--ops LIST] [--functions GLOBS] [--schema OUT.c]
 *           [--apply INDEX -o OUT.c] FILE [-- CLANG_ARGS...]
 *
 * Parses FILE with libclang (CLANG_ARGS: the -I, -D, -std, -include it
 * needs) and finds, in the bodies of the functions FILE defines, the
 * places where a student's typical mistake can be planted: the mutants.
 * Prints them as JSON on stdout, in source order (see emit.h); with
 * --schema also writes the mutant schema, all of them in one source that
 * GRADER_MUTANT=N switches to mutant N at run time; with --apply N -o OUT
 * writes mutant N alone (and prints nothing).  --ops and --functions give
 * the same numbering to every call that uses the same values.
 *
 * Exit status: 0 done; 2 usage error, or FILE does not parse (each error
 * printed as FILE:LINE:COL: message); 1 internal error.
 *
 * THE OPERATORS (--ops ror,aor,...; default all), each modelled on a
 * mistake students make:
 *
 *   ror    relational and logical operator replacement:
 *          `i < n` -> `i <= n`, `i >= n`; `<=` -> `<`, `>`; `>` -> `>=`, `<=`;
 *          `>=` -> `>`, `<`; `==` <-> `!=`; `a && b` <-> `a || b`.
 *   aor    arithmetic operator replacement, not on pointers:
 *          `a + b` <-> `a - b`, `a * b` -> `a + b`, `a / b` -> `a * b`,
 *          `a % b` -> `a / b`; `acc += x` <-> `acc -= x`, `*=` -> `+=`,
 *          `/=` -> `*=`.
 *   bound  off-by-one in a loop: in a for or while condition (or in a &&
 *          of them), the bound of a relation, the side that is not the
 *          loop's counter: `i < n` -> `i < (n) - 1` and `i < (n) + 1`; and
 *          a for loop's start `i = 0` -> `i = 1`.
 *   loop   a dropped remainder or edge loop: a for loop with no start
 *          clause (`for (; j < n; j++) ...`) or a for/while loop that
 *          follows another loop in its block is deleted.
 *   const  constant replacement: `0` -> `1`, `(-1)`; `1` -> `0`, `(-1)`;
 *          any other number -> `0`, `1`; the suffix is kept (`0.5f` ->
 *          `0.0f`, `1.0f`).  Not characters or strings, not null pointer
 *          constants, not a for loop's start (that one is bound's).
 *   del    statement deletion: a call statement (`free(p);`,
 *          `pthread_join(t, NULL);`, `pthread_mutex_unlock(&m);`), a store
 *          (`*p = x;`, `a[i] = x;`, `s->f = x;`, `x = y;`, `x += y;`,
 *          `n++;`), or an error check, an `if` with no else whose body
 *          only returns or jumps (`if (p == NULL) return -1;`).  Never a
 *          declaration.
 *   swap   swapped index expressions: `a[i * n + j]` -> `a[j * n + i]`
 *          (also for `a[j + i * n]`).
 *   round  the wrong rounding call: `rintf` -> `roundf`, `floorf`, `truncf`;
 *          `roundf` -> `rintf`, `floorf`, `truncf`; `floorf` -> `ceilf`,
 *          `truncf`, `roundf`; `ceilf` -> `floorf`, `truncf`, `roundf`;
 *          `truncf` -> `floorf`, `roundf`, `rintf`; `nearbyintf` as rintf;
 *          `lrintf` <-> `lroundf`, `llrintf` <-> `llroundf`; the same for
 *          double.
 *   clamp  a missing clamp: `fminf(a, b)` (fmaxf, fmin, fmax, fminl,
 *          fmaxl) -> `a` and -> `b`; `c ? K : x` and `c ? x : K` with a
 *          numeric literal K -> `x` (`x < 0 ? 0 : x` -> `x`); an `if` with
 *          no else whose body is one assignment (`if (v > 127) v = 127;`)
 *          is deleted.
 *
 * SAFETY: every mutant compiles alone and inside the schema.  Sites are
 * only in the bodies of functions defined in FILE (--functions: fnmatch
 * globs of their names), never in a macro's expansion or arguments (an
 * edit touching a macro invocation is refused, and so is a span cutting
 * one; a span may hold whole invocations, as `p == NULL` does), never in
 * a constant expression (case labels, array sizes, static and global
 * initializers, enums, bit-fields, _Static_assert, sizeof/_Alignof/_Generic
 * operands, arguments of __builtin functions), and an expression span is
 * never an lvalue.  When a new operator binds differently from the old
 * one, the edit puts the node in parentheses, so that the single mutant
 * parses as the schema does (`a - b * c` -> `a - (b + c)`).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "site.h"
#include "src.h"
#include "walk.h"

enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_USAGE = 2 };

struct cli {
    const char *file;
    const char *ops;         /* comma list, or NULL for all */
    const char *functions;   /* comma list of globs, or NULL */
    const char *schema;      /* --schema OUT.c */
    const char *out;         /* -o OUT.c */
    unsigned long apply;     /* --apply INDEX; 0: none */
    char **clang_args;       /* after `--`; borrowed from argv */
    int nclang_args;
};

static void usage(FILE *f)
{
    fputs("usage: mutagen [--ops LIST] [--functions GLOBS] [--schema OUT.c]\n"
          "               [--apply INDEX -o OUT.c] FILE [-- CLANG_ARGS...]\n"
          "Lists the mutants of the C file FILE as JSON on stdout.\n"
          "  --ops LIST        comma list of operators (default: all):\n"
          "                    ror aor bound loop const del swap round clamp\n"
          "  --functions GLOBS comma list of fnmatch globs: only these functions\n"
          "  --schema OUT.c    also write the mutant schema (GRADER_MUTANT=N at run time)\n"
          "  --apply INDEX -o OUT.c  write mutant INDEX alone instead of the list\n"
          "  CLANG_ARGS        what FILE needs to parse: -I, -D, -std, -include ...\n",
          f);
}

/* The value of option argv[*i] (`--opt VALUE` or `--opt=VALUE`), or NULL. */
static const char *cli_value(int argc, char **argv, int *i, const char *name)
{
    const size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int cli_parse(int argc, char **argv, struct cli *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--") == 0) {
            c->clang_args = argv + i + 1;
            c->nclang_args = argc - i - 1;
            break;
        }
        if ((v = cli_value(argc, argv, &i, "--ops")) != NULL) {
            c->ops = v;
        } else if ((v = cli_value(argc, argv, &i, "--functions")) != NULL) {
            c->functions = v;
        } else if ((v = cli_value(argc, argv, &i, "--schema")) != NULL) {
            c->schema = v;
        } else if ((v = cli_value(argc, argv, &i, "-o")) != NULL) {
            c->out = v;
        } else if ((v = cli_value(argc, argv, &i, "--apply")) != NULL) {
            char *end;
            errno = 0;
            c->apply = strtoul(v, &end, 10);
            if (errno || *end || c->apply == 0 || v[0] == '-') {
                fprintf(stderr, "mutagen: --apply: '%s' is not a mutant index (1..N)\n", v);
                return -1;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mutagen: unknown option or missing value: %s\n", a);
            return -1;
        } else if (c->file == NULL) {
            c->file = a;
        } else {
            fprintf(stderr, "mutagen: one FILE only (put clang's arguments after --)\n");
            return -1;
        }
    }
    if (c->file == NULL || (c->apply != 0) != (c->out != NULL)) {
        fprintf(stderr, "mutagen: %s\n", c->file == NULL ? "no FILE given"
                                                         : "--apply and -o go together");
        return -1;
    }
    return 0;
}

/* Splits a comma list in place into *items (malloc'd; the strings are in s). */
static int split_commas(char *s, char ***items, size_t *n)
{
    size_t cap = 1;

    for (const char *p = s; *p; p++)
        cap += *p == ',';
    *items = calloc(cap, sizeof **items);
    *n = 0;
    if (*items == NULL)
        return -1;
    for (char *tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ","))
        (*items)[(*n)++] = tok;
    return 0;
}

static int cli_ops(const char *list, bool ops[SITE_NOPS])
{
    char *copy = strdup(list), **names = NULL;
    size_t n = 0;
    int rc = copy && split_commas(copy, &names, &n) == 0 && n > 0 ? 0 : -1;

    memset(ops, 0, SITE_NOPS * sizeof *ops);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        enum site_op op;
        if (site_op_parse(names[i], &op) < 0) {
            fprintf(stderr, "mutagen: --ops: unknown operator '%s'\n", names[i]);
            rc = -1;
        } else {
            ops[op] = true;
        }
    }
    if (rc < 0 && n == 0)
        fprintf(stderr, "mutagen: --ops: no operator given\n");
    free(names);
    free(copy);
    return rc;
}

static int write_file(const char *path, const struct src *s, const struct site_list *l,
                      const struct site *one)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "mutagen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = one ? emit_mutant(f, s, one) : emit_schema(f, s, l);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "mutagen: %s: cannot write it\n", path);
        return -1;
    }
    return 0;
}

/* Everything after the command line is parsed. */
static int run(const struct cli *c, const struct walk_options *wo)
{
    struct src s;
    struct site_list l = {0};
    struct walk_diags diags;
    char err[512];
    int status = EXIT_OK;

    if (src_load(&s, c->file, err, sizeof err) < 0) {
        fprintf(stderr, "mutagen: %s\n", err);
        src_release(&s);
        return EXIT_USAGE;
    }
    const int rc = walk_file(&s, wo, &l, &diags, err, sizeof err);
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "%s\n", diags.v[i]);
    walk_diags_release(&diags);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "mutagen: %s\n", err);
        status = rc > 0 ? EXIT_USAGE : EXIT_INTERNAL;
    } else {
        const size_t dropped = site_list_finish(&l);
        if (dropped > 0)
            fprintf(stderr, "mutagen: %zu mutant(s) with crossing spans dropped\n", dropped);
        if (c->apply != 0 && c->apply > l.n) {
            fprintf(stderr, "mutagen: --apply %lu: there are %zu mutants\n", c->apply, l.n);
            status = EXIT_USAGE;
        } else if (c->apply != 0) {
            status = write_file(c->out, &s, &l, &l.v[c->apply - 1]) ? EXIT_INTERNAL : 0;
        } else {
            if (c->schema != NULL && write_file(c->schema, &s, &l, NULL) < 0)
                status = EXIT_INTERNAL;
            if (status == EXIT_OK && (emit_json(stdout, &s, &l) < 0 || fflush(stdout) != 0)) {
                fprintf(stderr, "mutagen: cannot write the JSON list\n");
                status = EXIT_INTERNAL;
            }
        }
    }
    site_list_release(&l);
    src_release(&s);
    return status;
}

int main(int argc, char **argv)
{
    struct cli c;
    struct walk_options wo = {.nfunctions = 0};
    char *globs = NULL, **functions = NULL;

    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
    }
    if (cli_parse(argc, argv, &c) < 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (int i = 0; i < SITE_NOPS; i++)
        wo.ops[i] = true;
    if (c.ops != NULL && cli_ops(c.ops, wo.ops) < 0)
        return EXIT_USAGE;
    if (c.functions != NULL) {
        globs = strdup(c.functions);
        if (globs == NULL || split_commas(globs, &functions, &wo.nfunctions) < 0) {
            free(globs);
            return EXIT_INTERNAL;
        }
        wo.functions = (const char *const *)functions;
    }
    wo.clang_args = (const char *const *)c.clang_args;
    wo.nclang_args = c.nclang_args;
    const int status = run(&c, &wo);
    free(functions);
    free(globs);
    return status;
}
