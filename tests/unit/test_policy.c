/*
 * test_policy.c -- unit tests of grader/src/compile/policy.c.  Each test compiles a small C snippet with gcc into a
 * fresh temporary folder, as a student object, and checks the violations
 * pol_check() reports with the real nm and objdump.
 */
#include <check.h>
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "compile/policy.h"
#include "util/proc.h"
#include "suites.h"

static char tmpdir[512];

/* What gcc itself may add to student code, and what the snippets use. */
static char *default_allow[] = {
    "malloc", "free", "memcpy", "memset", "puts", "__stack_chk_fail", "__gcov_*",
    "_GLOBAL_OFFSET_TABLE_",
};

static struct cfg_symbols policy(char **allow, size_t nallow, char **deny, size_t ndeny)
{
    return (struct cfg_symbols){
        .allow = { allow, nallow }, .deny = { deny, ndeny },
        .forbid_constructors = true, .forbid_syscall = true,
    };
}

static struct cfg_symbols default_policy(void)
{
    return policy(default_allow, sizeof default_allow / sizeof default_allow[0], NULL, 0);
}

/* A fresh folder under $TMPDIR (the test run's own), else /tmp. */
static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/policy_test.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    fs_remove_tree(tmpdir);
}

/* Writes tmpdir/NAME.c and compiles it to tmpdir/NAME.o with `flags`; returns the object's path. */
static char *compile(const char *name, const char *code, const char *flags)
{
    static char obj[4][600];
    static int next;
    char src[600], err[512];
    char *o = obj[next++ % 4];
    snprintf(src, sizeof src, "%s/%s.c", tmpdir, name);
    snprintf(o, sizeof obj[0], "%s/%s.o", tmpdir, name);
    FILE *f = fopen(src, "w");
    ck_assert_ptr_nonnull(f);
    fputs(code, f);
    ck_assert_int_eq(fclose(f), 0);
    char *argv[] = { "gcc", "-std=gnu11", "-O2", "-Wno-prio-ctor-dtor", "-c", src, "-o", o,
                     (char *)flags, NULL };
    if (!*flags)
        argv[8] = NULL;
    ck_assert_msg(proc_capture(argv, NULL, err, sizeof err) == 0, "gcc: %s", err);
    return o;
}

/* pol_check() on one object, which must succeed. */
static struct pol_report check_one(const struct cfg_symbols *sym, const char *obj)
{
    struct pol_report rep;
    char err[512] = "";
    const char *objs[] = { obj };
    ck_assert_msg(pol_check(sym, objs, 1, pol_run_direct, NULL, &rep, err, sizeof err) == 0,
                  "pol_check: %s", err);
    return rep;
}

/* Index of the violation about `what` (in `function`, or NULL), or -1. */
static long find(const struct pol_report *rep, const char *what, const char *function)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct pol_violation *v = &rep->v[i];
        if (strcmp(v->what, what) == 0
            && ((!function && !v->function) || (function && v->function
                                                && strcmp(v->function, function) == 0)))
            return (long)i;
    }
    return -1;
}

static const char *all_messages(const struct pol_report *rep)
{
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < rep->n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\n", rep->v[i].message);
    return buf;
}

static const char clean_code[] =
    "#include <stdlib.h>\n#include <string.h>\n"
    "float *scale(const float *x, size_t n, float k) {\n"
    "    float *y = malloc(n * sizeof *y);\n"
    "    if (!y) return NULL;\n"
    "    memcpy(y, x, n * sizeof *y);\n"
    "    for (size_t i = 0; i < n; i++) y[i] *= k;\n"
    "    return y;\n"
    "}\n"
    "void release(float *y) { free(y); }\n";

START_TEST(test_clean_object_passes)
{
    struct cfg_symbols sym = default_policy();
    struct pol_report rep = check_one(&sym, compile("kernels", clean_code, ""));
    ck_assert_msg(rep.n == 0, "unexpected: %s", all_messages(&rep));
    pol_report_release(&rep);
}
END_TEST

/* --coverage adds gcov's own constructor/destructor sections: not the student's. */
START_TEST(test_coverage_build_passes)
{
    struct cfg_symbols sym = default_policy();
    struct pol_report rep = check_one(&sym, compile("kernels", clean_code, "--coverage"));
    ck_assert_msg(rep.n == 0, "unexpected: %s", all_messages(&rep));
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_system_names_symbol_and_function)
{
    struct cfg_symbols sym = default_policy();
    const char *code = "#include <stdlib.h>\n"
                       "int matmul_baseline(int x) {\n"
                       "    if (x) return system(\"ls\");\n"
                       "    return system(\"id\") + 1;\n"
                       "}\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "want one violation: %s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].object, "kernels.o");
    ck_assert_str_eq(rep.v[0].what, "system");
    ck_assert_str_eq(rep.v[0].function, "matmul_baseline");
    ck_assert_str_eq(rep.v[0].message,
                     "kernels.c: 'system' is not allowed (used in matmul_baseline)");
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_one_violation_per_function)
{
    struct cfg_symbols sym = default_policy();
    const char *code = "#include <stdlib.h>\n"
                       "int first(void) { return system(\"a\"); }\n"
                       "int second(void) { return system(\"b\") + system(\"c\"); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 2, "%s", all_messages(&rep));
    ck_assert_int_ge(find(&rep, "system", "first"), 0);
    ck_assert_int_ge(find(&rep, "system", "second"), 0);
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_constructor_rejected)
{
    struct cfg_symbols sym = default_policy();
    const char *code = "#include <stdio.h>\n"
                       "__attribute__((constructor)) static void early(void) { puts(\"hi\"); }\n"
                       "int f(void) { return 1; }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].what, ".init_array");
    ck_assert_ptr_null(rep.v[0].function);
    ck_assert_str_eq(rep.v[0].message, "kernels.c: constructor section .init_array is not "
                                       "allowed (code that runs outside the tests)");
    pol_report_release(&rep);
}
END_TEST

/* A student constructor stays visible among gcov's, and with a priority suffix. */
START_TEST(test_constructor_rejected_in_coverage_build)
{
    struct cfg_symbols sym = default_policy();
    const char *code = "static int ready;\n"
                       "__attribute__((constructor(101))) static void early(void) { ready = 1; }\n"
                       "__attribute__((destructor)) static void late(void) { ready = 0; }\n"
                       "__attribute__((noinline)) static void setup(void) { ready = 2; }\n"
                       /* gcov's priority, gcov's naming: still a student constructor */
                       "__attribute__((constructor(100))) static void _sub_I_00100_9(void) {\n"
                       "    setup();\n"
                       "}\n"
                       "int f(void) { return ready; }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, "--coverage"));
    ck_assert_msg(rep.n == 3, "%s", all_messages(&rep));
    ck_assert_int_ge(find(&rep, ".init_array.00100", NULL), 0);
    ck_assert_int_ge(find(&rep, ".init_array.00101", NULL), 0);
    long i = find(&rep, ".fini_array", NULL);
    ck_assert_int_ge(i, 0);
    ck_assert_ptr_nonnull(strstr(rep.v[i].message, "destructor section .fini_array"));
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_constructors_allowed_when_not_forbidden)
{
    struct cfg_symbols sym = default_policy();
    sym.forbid_constructors = false;
    const char *code = "#include <stdio.h>\n"
                       "__attribute__((constructor)) static void early(void) { puts(\"hi\"); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 0, "%s", all_messages(&rep));
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_raw_syscall_rejected)
{
    struct cfg_symbols sym = default_policy();
    const char *code = "long parallel_relu(void) {\n"
                       "    long r;\n"
                       "    __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(39) : \"rcx\", \"r11\");\n"
                       "    return r;\n"
                       "}\n"
                       "void old(void) { __asm__ volatile(\"int $0x80\"); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 2, "%s", all_messages(&rep));
    long i = find(&rep, "syscall", "parallel_relu");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(rep.v[i].message,
                     "kernels.c: raw 'syscall' instruction in parallel_relu is not allowed");
    ck_assert_int_ge(find(&rep, "int $0x80", "old"), 0);
    pol_report_release(&rep);

    sym.forbid_syscall = false;
    rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 0, "%s", all_messages(&rep));
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_function_pointer_in_data)
{
    struct cfg_symbols sym = default_policy();
    /* Two entries and a variable index: the compiler cannot fold the table into code. */
    const char *code = "#include <stdlib.h>\n#include <unistd.h>\n"
                       "static const void *const table[] = { (const void *)&free,\n"
                       "                                     (const void *)&execve };\n"
                       "const void *entry(int i) { return table[i]; }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].what, "execve");
    ck_assert_ptr_null(rep.v[0].function);
    ck_assert_str_eq(rep.v[0].message, "kernels.c: 'execve' is not allowed (in data)");
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_deny_beats_allow)
{
    char *allow[] = { "*" }, *deny[] = { "cblas_*" };
    struct cfg_symbols sym = policy(allow, 1, deny, 1);
    const char *code = "void cblas_sgemm(int, int);\n"
                       "#include <stdlib.h>\n"
                       "void matmul(int n) { cblas_sgemm(n, n); free(malloc(n)); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].message,
                     "kernels.c: 'cblas_sgemm' is not allowed (used in matmul)");
    pol_report_release(&rep);
}
END_TEST

/* An empty allow list allows everything not denied. */
START_TEST(test_empty_allow_list)
{
    char *deny[] = { "system" };
    struct cfg_symbols sym = policy(NULL, 0, deny, 1);
    const char *code = "#include <stdlib.h>\n#include <stdio.h>\n"
                       "int f(void) { puts(\"x\"); return rand(); }\n"
                       "int g(void) { return system(\"x\"); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].function, "g");
    pol_report_release(&rep);
}
END_TEST

/* A runner that counts its calls and can fail on the n-th. */
struct counting_runner {
    int calls, fail_at;
};

static int counting_run(void *ctx, char *const argv[], char **out, char *err, size_t errlen)
{
    struct counting_runner *c = ctx;
    if (++c->calls == c->fail_at) {
        *out = NULL;
        snprintf(err, errlen, "%s: refused by the sandbox", argv[0]);
        return -1;
    }
    return pol_run_direct(NULL, argv, out, err, errlen);
}

START_TEST(test_tools_go_through_the_runner)
{
    struct cfg_symbols sym = default_policy();
    const char *objs[] = { compile("a", clean_code, ""), compile("b", "int g(void){return 2;}\n", "") };
    struct pol_report rep;
    char err[256] = "";
    struct counting_runner c = { 0, 0 };
    ck_assert_int_eq(pol_check(&sym, objs, 2, counting_run, &c, &rep, err, sizeof err), 0);
    ck_assert_int_eq(c.calls, 6);          /* nm + two objdumps per object */
    ck_assert_uint_eq(rep.n, 0);
    pol_report_release(&rep);

    c = (struct counting_runner){ 0, 5 };
    ck_assert_int_eq(pol_check(&sym, objs, 2, counting_run, &c, &rep, err, sizeof err), -1);
    ck_assert_str_eq(err, "objdump: refused by the sandbox");
    ck_assert_uint_eq(rep.n, 0);
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_missing_object_is_an_error)
{
    struct cfg_symbols sym = default_policy();
    const char *objs[] = { "/nonexistent/kernels.o" };
    struct pol_report rep;
    char err[256] = "";
    ck_assert_int_eq(pol_check(&sym, objs, 1, pol_run_direct, NULL, &rep, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "nm: exit status") == err, "err: %s", err);
    ck_assert_ptr_nonnull(strstr(err, "kernels.o"));
    ck_assert_uint_eq(rep.n, 0);
    pol_report_release(&rep);
    pol_report_release(&rep);   /* safe twice */
}
END_TEST

/* What a library exports is allowed: all of libm, fmaf included. */
START_TEST(test_library_exports_allowed)
{
    char *libs[] = { "libm.so.6" };
    struct cfg_symbols sym = default_policy();
    sym.allow_libraries = (struct cfg_strv){ libs, 1 };
    const char *code = "#include <math.h>\n#include <stdio.h>\n"
                       "float f(float a, float b, float c) { return fmaf(a, b, c) + log1pf(a); }\n"
                       "double g(double x) { return cbrt(x) + erf(x); }\n"
                       "int h(void) { return fopen(\"x\", \"r\") != NULL; }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].message, "kernels.c: 'fopen' is not allowed (used in h)");
    pol_report_release(&rep);

    sym.allow_libraries.n = 0;     /* without the library, libm is refused */
    rep = check_one(&sym, compile("kernels2", code, ""));
    ck_assert_int_ge(find(&rep, "fmaf", "f"), 0);
    ck_assert_int_ge(find(&rep, "cbrt", "g"), 0);
    pol_report_release(&rep);
}
END_TEST

/* Deny patterns still apply to a library's exports. */
START_TEST(test_deny_beats_library)
{
    char *libs[] = { "libm.so.6" }, *deny[] = { "exp*" };
    struct cfg_symbols sym = policy(default_allow, sizeof default_allow / sizeof default_allow[0],
                                    deny, 1);
    sym.allow_libraries = (struct cfg_strv){ libs, 1 };
    const char *code = "#include <math.h>\nfloat f(float a) { return expf(a) + sinf(a); }\n";
    struct pol_report rep = check_one(&sym, compile("kernels", code, ""));
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].what, "expf");
    pol_report_release(&rep);
}
END_TEST

/*
 * The dynamic linker's answer (dlsym, then dladdr) is nm's: every symbol
 * `nm -D --defined-only` lists as a default version of each Kernels
 * library is exported by it, and libc's functions, which libm's handle
 * also reaches, are not.
 */
START_TEST(test_libraries_match_nm)
{
    char *libs[] = { "libm.so.6", "libmvec.so.1", "libgcc_s.so.1" }, *allow[] = { "no_such_*" };
    struct cfg_symbols sym = policy(allow, 1, NULL, 0);
    struct pol_rules *r;
    char err[512] = "", why[256], expect[64];
    for (size_t l = 0; l < 3; l++) {
        sym.allow_libraries = (struct cfg_strv){ &libs[l], 1 };
        ck_assert_msg(pol_rules_new(&sym, &r, err, sizeof err) == 0,
                      "%s", err);
        void *h = dlopen(libs[l], RTLD_LAZY | RTLD_NOLOAD);
        struct link_map *lm = NULL;
        ck_assert(h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0);
        char *nm[] = { "nm", "-D", "-P", "--defined-only", "--", (char *)lm->l_name, NULL };
        char *out = NULL;
        ck_assert_msg(proc_capture(nm, &out, err, sizeof err) == 0, "%s", err);
        dlclose(h);
        snprintf(expect, sizeof expect, "allowed: exported by %s", libs[l]);
        unsigned seen = 0;
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
            char name[256], type[8];
            if (sscanf(line, "%255s %7s", name, type) != 2 || strcmp(type, "A") == 0)
                continue;
            char *at = strchr(name, '@');
            if (at && at[1] != '@')
                continue;                     /* a compat version: not linkable */
            if (at)
                *at = '\0';
            pol_rules_explain(r, name, why, sizeof why);
            ck_assert_msg(strcmp(why, expect) == 0, "%s: %s: %s", libs[l], name, why);
            seen++;
        }
        ck_assert_uint_gt(seen, 5);
        free(out);
        static const char *const libc_only[] = { "system", "printf", "fork", "malloc" };
        for (size_t i = 0; i < 4; i++) {
            pol_rules_explain(r, libc_only[i], why, sizeof why);
            ck_assert_msg(strcmp(why, expect) != 0, "%s: %s: %s", libs[l], libc_only[i], why);
        }
        pol_rules_free(r);
    }
}
END_TEST

START_TEST(test_missing_library_is_an_error)
{
    char *libs[] = { "libno-such-library.so.9" };
    struct cfg_symbols sym = default_policy();
    sym.allow_libraries = (struct cfg_strv){ libs, 1 };
    const char *objs[] = { compile("kernels", clean_code, "") };
    struct pol_report rep;
    char err[512] = "";
    ck_assert_int_eq(pol_check(&sym, objs, 1, pol_run_direct, NULL, &rep, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "cannot find 'libno-such-library.so.9'"), "err: %s", err);
    pol_report_release(&rep);
}
END_TEST

/* With _FORTIFY_SOURCE, glibc's headers rename calls (__printf_chk): an
 * allowed call stays allowed, and a refused one is named as written. */
START_TEST(test_fortified_calls_named_as_written)
{
    char *allow[] = { "printf", "__stack_chk_fail", "_GLOBAL_OFFSET_TABLE_" };
    struct cfg_symbols sym = policy(allow, 3, NULL, 0);
    const char *code = "#include <stdio.h>\n#include <unistd.h>\n"
                       "void show(int x) { printf(\"%d\\n\", x); }\n"
                       "long get(char *b, unsigned long n) { char t[8]; long k = read(0, t, n);"
                       " b[0] = t[0]; return k; }\n";
    const char *obj = compile("kernels", code, "-D_FORTIFY_SOURCE=2");
    struct pol_report rep = check_one(&sym, obj);
    ck_assert_msg(rep.n == 1, "%s", all_messages(&rep));
    ck_assert_str_eq(rep.v[0].what, "read");
    ck_assert_str_eq(rep.v[0].message, "kernels.c: 'read' is not allowed (used in get; "
                     "compiled as a call to __read_chk)");
    pol_report_release(&rep);

    char *deny[] = { "printf" };       /* denying the name written denies the renamed call */
    sym = policy(allow, 3, deny, 1);
    rep = check_one(&sym, obj);
    ck_assert_int_ge(find(&rep, "printf", "show"), 0);
    pol_report_release(&rep);
}
END_TEST

START_TEST(test_source_name)
{
    static const char *const cases[][2] = {
        { "__printf_chk", "printf" },   { "__memcpy_chk", "memcpy" },
        { "__open_2", "open" },         { "__isoc99_sscanf", "sscanf" },
        { "__isoc23_strtol", "strtol" }, { "__stack_chk_fail", "__stack_chk_fail" },
        { "printf", "printf" },         { "__chk", "__chk" },
        { "___x_chk", "___x_chk" },     { "fwrite", "fwrite" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pol_source_name(cases[i][0], buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i][1]);
    }
}
END_TEST

START_TEST(test_rules_explain)
{
    char *libs[] = { "libm.so.6" }, *allow[] = { "pthread_*", "printf" }, *deny[] = { "exit" };
    struct cfg_symbols sym = policy(allow, 2, deny, 1);
    sym.allow_libraries = (struct cfg_strv){ libs, 1 };
    struct pol_rules *r;
    char err[256] = "", why[256];
    ck_assert_int_eq(pol_rules_new(&sym, &r, err, sizeof err), 0);
    ck_assert(pol_rules_explain(r, "fmaf", why, sizeof why));
    ck_assert_str_eq(why, "allowed: exported by libm.so.6");
    ck_assert(pol_rules_explain(r, "pthread_create", why, sizeof why));
    ck_assert_str_eq(why, "allowed: matches 'pthread_*'");
    ck_assert(pol_rules_explain(r, "__printf_chk", why, sizeof why));
    ck_assert_str_eq(why, "allowed: the compiler's name for printf, which matches 'printf'");
    ck_assert(!pol_rules_explain(r, "exit", why, sizeof why));
    ck_assert_str_eq(why, "refused: matches the deny pattern 'exit'");
    ck_assert(!pol_rules_explain(r, "__read_chk", why, sizeof why));
    ck_assert_str_eq(why, "refused: the compiler's name for read, which is not allowed");
    ck_assert(!pol_rules_explain(r, "fork", why, sizeof why));
    ck_assert(!pol_rules_explain(r, "GLIBC_2.2.5", why, sizeof why));   /* a version node */
    pol_rules_free(r);
    pol_rules_free(NULL);
}
END_TEST

Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_clean_object_passes);
    tcase_add_test(tc, test_coverage_build_passes);
    tcase_add_test(tc, test_system_names_symbol_and_function);
    tcase_add_test(tc, test_one_violation_per_function);
    tcase_add_test(tc, test_constructor_rejected);
    tcase_add_test(tc, test_constructor_rejected_in_coverage_build);
    tcase_add_test(tc, test_constructors_allowed_when_not_forbidden);
    tcase_add_test(tc, test_raw_syscall_rejected);
    tcase_add_test(tc, test_function_pointer_in_data);
    tcase_add_test(tc, test_deny_beats_allow);
    tcase_add_test(tc, test_empty_allow_list);
    tcase_add_test(tc, test_tools_go_through_the_runner);
    tcase_add_test(tc, test_missing_object_is_an_error);
    tcase_add_test(tc, test_library_exports_allowed);
    tcase_add_test(tc, test_deny_beats_library);
    tcase_add_test(tc, test_libraries_match_nm);
    tcase_add_test(tc, test_missing_library_is_an_error);
    tcase_add_test(tc, test_fortified_calls_named_as_written);
    tcase_add_test(tc, test_source_name);
    tcase_add_test(tc, test_rules_explain);
    suite_add_tcase(s, tc);
    return s;
}
