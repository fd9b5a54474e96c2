/*
 * test_similar.c -- unit tests of grader/src/scale/similar.c (the C
 * lexer, sim_run on small classes: copies, base code, common code,
 * missing and refused files), score/simres.c (listing lines) and
 * report/simreport.c (similarity.csv read back, names with commas and
 * quotes).  The planted copies of a whole class: tests/scale/similar.sh.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/simreport.h"
#include "scale/similar.h"
#include "score/simres.h"
#include "suites.h"
#include "util/fsutil.h"

/* ---- the lexer ------------------------------------------------------------------- */

/* The token codes of text, and their number. */
static unsigned *lex(const char *text, size_t *n, unsigned **lines)
{
    unsigned *codes = NULL;
    ck_assert_int_eq(sim_lex(text, strlen(text), &codes, lines, n), 0);
    return codes;
}

/* Whether two texts lex to the same codes. */
static int same_tokens(const char *a, const char *b)
{
    size_t na, nb;
    unsigned *ca = lex(a, &na, NULL), *cb = lex(b, &nb, NULL);
    int same = na == nb && (na == 0 || memcmp(ca, cb, na * sizeof *ca) == 0);
    free(ca);
    free(cb);
    return same;
}

START_TEST(test_lex_ignores_layout_comments_names)
{
    ck_assert(same_tokens("int a = 1; // one\n/* two */ float b=2.5f;",
                          "int   total=7 ;\n\n\tfloat\nratio = 0x1p-3;"));
    ck_assert(same_tokens("s = \"a /* b \\\" c\"; t = 'x';", "u = \"\"; v = '\\n';"));
    ck_assert(same_tokens("#include <stdio.h>\n#define N \\\n  10\nint x;", "int y;"));
    ck_assert(!same_tokens("int x;", "float x;"));     /* keywords stay themselves */
    ck_assert(!same_tokens("a + b;", "a - b;"));       /* punctuators too */
    ck_assert(!same_tokens("s = \"x\";", "s = 'x';")); /* a string is not a char */
}
END_TEST

START_TEST(test_lex_longest_punctuator)
{
    size_t n;
    unsigned *c = lex("a<<=b...c->d", &n, NULL);
    ck_assert_uint_eq(n, 7);   /* a <<= b ... c -> d */
    free(c);
    c = lex("x = u8\"s\" L'c' .5e+3 1.e-2", &n, NULL);
    ck_assert_uint_eq(n, 6);   /* x = STRING CHAR NUMBER NUMBER */
    free(c);
}
END_TEST

START_TEST(test_lex_lines)
{
    size_t n;
    unsigned *lines = NULL;
    unsigned *c = lex("/* one\n two */ int\n#define X \\\n 1\n  y; \"open\n z", &n, &lines);
    ck_assert_uint_eq(n, 5);   /* int y ; STRING z */
    ck_assert_uint_eq(lines[0], 2);
    ck_assert_uint_eq(lines[1], 5);
    ck_assert_uint_eq(lines[3], 5);   /* an unterminated string ends at its line */
    ck_assert_uint_eq(lines[4], 6);
    free(c);
    free(lines);
    c = lex("/* never closed", &n, NULL);
    ck_assert_uint_eq(n, 0);
    free(c);
}
END_TEST

/* ---- sim_run on small classes --------------------------------------------------- */

static char root[256];

/* Small independent functions (TA2 is TA renamed, re-laid-out, commented). */
static const char TA[] =
    "int f(int *a, int n)\n{\n    int s = 0, k = 1;\n    for (int i = 0; i < n; i++) {\n"
    "        if (a[i] > 0)\n            s += a[i];\n        else\n            s -= a[i] * 2;\n"
    "    }\n    while (k < s && k < 100)\n        k = k * 3 + (s >> 2);\n    return s + k;\n}\n";
static const char TA2[] =
    "/* mine */ int total_up(int *vals, int len) { int acc = 0, mul = 1; // start\n"
    " for (int j = 0; j < len; j++) { if (vals[j] > 0) acc += vals[j]; else acc -= vals[j] * 2; }\n"
    " while (mul < acc && mul < 100) mul = mul * 3 + (acc >> 2); /* end */ return acc + mul; }\n";
static const char TB[] =
    "double g(const double *x, size_t m)\n{\n    double best = x[0];\n    size_t at = 0;\n"
    "    do {\n        if (x[at] > best) best = x[at];\n    } while (++at != m);\n"
    "    switch ((int)best) { case 0: return -1.0; case 1: return 1.0; default: break; }\n"
    "    return best / (double)m;\n}\n";
static const char TC[] =
    "struct node { struct node *next; long v; };\n"
    "static long sum_list(const struct node *p)\n{\n    long total = 0;\n"
    "    while (p != NULL) {\n        total += p->v;\n        p = p->next;\n    }\n"
    "    return total < 0 ? -total : total;\n}\n";
static const char G[] =
    "static unsigned hash_str(const char *s)\n{\n    unsigned h = 5381u;\n"
    "    for (; *s != '\\0'; ++s)\n        h = ((h << 5) + h) ^ (unsigned char)*s;\n"
    "    return h % 1024u ? h : h + 1u;\n}\n"
    "static int clamp(int v, int lo, int hi)\n{\n    if (v < lo) return lo;\n"
    "    if (v > hi) return hi;\n    return v;\n}\n";

static void student(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/class/%s", root, name);
    ck_assert_int_eq(fs_mkdir_p(path, 0755), 0);
    if (text) {
        strncat(path, "/kernels.c", sizeof path - strlen(path) - 1);
        ck_assert_int_eq(fs_write_atomic(path, text, strlen(text)), 0);
    }
}

static void setup(void)
{
    snprintf(root, sizeof root, "%s/simtest-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    fs_remove_tree(root);
}

/* Runs the check on root/class with stub (text, or NULL) as the stub. */
static void run(const char *stub, unsigned max_share, struct sim_result *r)
{
    char stub_path[512], cls[512], err[512] = "";
    snprintf(stub_path, sizeof stub_path, "%s/stub.c", root);
    snprintf(cls, sizeof cls, "%s/class", root);
    if (stub)
        ck_assert_int_eq(fs_write_atomic(stub_path, stub, strlen(stub)), 0);
    struct cfg_student_file f = {.path = "kernels.c", .stub = stub ? stub_path : NULL,
                                 .max_size = 1u << 20};
    struct grader_cfg cfg = {.files = &f, .nfiles = 1};
    struct sim_opts o;
    sim_opts_init(&o, cls);
    o.max_share = max_share;
    ck_assert_msg(sim_run(&cfg, &o, r, err, sizeof err) == 0, "%s", err);
}

START_TEST(test_run_copy_ranks_first)
{
    ck_assert(same_tokens(TA, TA2));
    student("a", TA);
    student("a2", TA2);
    student("b", TB);
    student("c", TC);
    struct sim_result r;
    run(NULL, 0, &r);
    ck_assert_uint_eq(r.nstudents, 4);
    ck_assert_uint_ge(r.npairs, 1);
    ck_assert_str_eq(r.students[r.pairs[0].a].name, "a");
    ck_assert_str_eq(r.students[r.pairs[0].b].name, "a2");
    ck_assert_double_eq_tol(r.pairs[0].score, 100.0, 1e-9);
    ck_assert_uint_eq(r.pairs[0].nmatches, 1);
    const struct sim_match *m = &r.pairs[0].matches[0];
    ck_assert_uint_le(m->a_first, 3);
    ck_assert_uint_ge(m->a_last, 11);
    ck_assert_uint_le(m->b_first, 2);
    ck_assert_uint_eq(m->b_last, 3);
    for (size_t i = 1; i < r.npairs; i++)
        ck_assert_double_lt(r.pairs[i].score, 20.0);
    sim_result_release(&r);
}
END_TEST

START_TEST(test_run_base_code_matches_nothing)
{
    char *s1 = NULL, *s2 = NULL;
    ck_assert_int_ge(asprintf(&s1, "%s%s", G, TB), 0);
    ck_assert_int_ge(asprintf(&s2, "%s%s", TC, G), 0);
    student("one", s1);
    student("two", s2);
    student("stubby", G);
    struct sim_result r;
    run(NULL, 0, &r);
    ck_assert_uint_ge(r.npairs, 1);
    ck_assert_double_gt(r.pairs[0].score, 30.0);
    sim_result_release(&r);
    run(G, 0, &r);   /* the given code as the stub */
    ck_assert_uint_gt(r.base_kgrams, 0);
    ck_assert_uint_eq(r.npairs, 0);
    for (size_t i = 0; i < r.nstudents; i++)
        if (strcmp(r.students[i].name, "stubby") == 0)
            ck_assert_uint_eq(r.students[i].fingerprints, 0);
    sim_result_release(&r);
    free(s1), free(s2);
}
END_TEST

START_TEST(test_run_common_code_ignored)
{
    student("p", TA);
    student("q", TA);
    student("r", TA);
    struct sim_result r;
    run(NULL, 2, &r);   /* in 3 students > max_share 2: an idiom */
    ck_assert_uint_eq(r.npairs, 0);
    ck_assert_uint_gt(r.common, 0);
    sim_result_release(&r);
    run(NULL, 3, &r);
    ck_assert_uint_eq(r.npairs, 3);
    sim_result_release(&r);
}
END_TEST

START_TEST(test_run_missing_and_refused)
{
    char path[600], target[600];
    student("has", TA);
    student("none", NULL);
    student("linked", NULL);
    snprintf(path, sizeof path, "%s/class/linked/kernels.c", root);
    snprintf(target, sizeof target, "%s/class/has/kernels.c", root);
    ck_assert_int_eq(symlink(target, path), 0);
    student(".hidden", TA);
    struct sim_result r;
    run(NULL, 0, &r);
    ck_assert_uint_eq(r.nstudents, 1);   /* only "has" */
    ck_assert_uint_eq(r.nmissing, 2);    /* none, linked */
    ck_assert_uint_eq(r.nrefused, 1);
    ck_assert_ptr_nonnull(strstr(r.refused[0], "linked/kernels.c: a symlink"));
    ck_assert_uint_eq(r.npairs, 0);
    sim_result_release(&r);
}
END_TEST

/* ---- listing lines, the CSV read back ---------------------------------------------- */

START_TEST(test_listing_line)
{
    struct sim_file files[2] = {{.path = "a.c", .first_line = 1, .nlines = 10},
                                {.path = "b.c", .first_line = 11, .nlines = 5}};
    struct sim_student st = {.name = "s", .files = files, .nfiles = 2};
    size_t f;
    unsigned l;
    ck_assert_int_eq(sim_listing_line(&st, 12, &f, &l), 0);
    ck_assert_uint_eq(f, 1);
    ck_assert_uint_eq(l, 2);
    ck_assert_int_eq(sim_listing_line(&st, 16, &f, &l), -1);
}
END_TEST

START_TEST(test_csv_round_trip)
{
    struct sim_student st[2] = {{.name = "o'neil, \"jr\"", .fingerprints = 10},
                                {.name = "b <x>", .fingerprints = 20}};
    struct sim_pair p = {.a = 0, .b = 1, .shared = 5, .pct_a = 50, .pct_b = 25,
                         .score = 100.0 / 3};
    struct sim_result r = {.students = st, .nstudents = 2, .pairs = &p, .npairs = 1,
                           .detailed = 1};
    char dir[600], err[512] = "";
    snprintf(dir, sizeof dir, "%s/out", root);
    ck_assert_msg(simrep_write(&r, "T", dir, err, sizeof err) == 0, "%s", err);
    struct simrep_row *rows;
    size_t n, total;
    ck_assert_int_eq(simrep_read_top(dir, 10, &rows, &n, &total), 1);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(total, 1);
    ck_assert_str_eq(rows[0].a, "o'neil, \"jr\"");
    ck_assert_str_eq(rows[0].b, "b <x>");
    ck_assert_double_eq_tol(rows[0].score, 33.33, 1e-9);
    ck_assert_str_eq(rows[0].page, "pair-0001.html");
    simrep_rows_free(rows, n);
    snprintf(dir, sizeof dir, "%s/nothing", root);
    ck_assert_int_eq(simrep_read_top(dir, 10, &rows, &n, &total), 0);
}
END_TEST

Suite *similar_suite(void)
{
    Suite *s = suite_create("similar");
    TCase *lexer = tcase_create("lexer");
    tcase_add_test(lexer, test_lex_ignores_layout_comments_names);
    tcase_add_test(lexer, test_lex_longest_punctuator);
    tcase_add_test(lexer, test_lex_lines);
    suite_add_tcase(s, lexer);
    TCase *run_case = tcase_create("run");
    tcase_add_checked_fixture(run_case, setup, teardown);
    tcase_add_test(run_case, test_run_copy_ranks_first);
    tcase_add_test(run_case, test_run_base_code_matches_nothing);
    tcase_add_test(run_case, test_run_common_code_ignored);
    tcase_add_test(run_case, test_run_missing_and_refused);
    tcase_add_test(run_case, test_listing_line);
    tcase_add_test(run_case, test_csv_round_trip);
    suite_add_tcase(s, run_case);
    return s;
}
