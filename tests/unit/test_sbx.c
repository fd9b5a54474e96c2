/*
 * test_sbx.c -- unit tests of grader/src/sandbox/sbx.c: verdicts, limits, output
 * capture and the isolation bwrap gives.  The "student" is /bin/sh -c
 * SCRIPT in a fresh work folder under /tmp (owned by the sandbox uid when
 * we are root).  Most tests loop over the three levels: _i == 0
 * (SBX_LEVEL_NONE) runs the program directly (limits and process group
 * only), _i == 1 through bwrap, _i == 2 in the fallback (Landlock and
 * seccomp); the bwrap runs are skipped, with a note on stderr, where
 * sbx_bwrap_available() says bwrap cannot work here, the fallback runs
 * where the kernel lacks one of its layers.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sbx.h"
#include "suites.h"

#define NOBODY 65534

/* Set once in sbx_suite(), before Check forks the tests. */
static int bwrap_ok, fallback_ok;

/* The current test's work folder (the fixture makes and removes it). */
static char workdir[64];

static bool is_root(void)
{
    return geteuid() == 0;
}

/* "test_x" from __func__, which Check's START_TEST makes "test_x_fn". */
static int name_len(const char *func)
{
    size_t n = strlen(func);
    return (int)(n > 3 && strcmp(func + n - 3, "_fn") == 0 ? n - 3 : n);
}

/* True (after a note) if this run needs bwrap, or the fallback, and there is none. */
static bool skip_mode(int mode, const char *func)
{
    if (mode == SBX_LEVEL_BWRAP && !bwrap_ok)
        fprintf(stderr, "test_sbx: %.*s: bwrap cannot sandbox here, skipped\n",
                name_len(func), func);
    if (mode == SBX_LEVEL_FALLBACK && !fallback_ok)
        fprintf(stderr, "test_sbx: %.*s: the kernel lacks Landlock or seccomp, skipped\n",
                name_len(func), func);
    return (mode == SBX_LEVEL_BWRAP && !bwrap_ok) || (mode == SBX_LEVEL_FALLBACK && !fallback_ok);
}

static bool skip_unless_root(const char *func)
{
    if (!is_root())
        fprintf(stderr, "test_sbx: %.*s: needs root (uid change), skipped\n",
                name_len(func), func);
    return !is_root();
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A folder the sandbox uid can use, like the grader prepares it. */
static void make_dir_for_sandbox(char *tmpl)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    if (is_root())
        ck_assert_int_eq(chown(tmpl, NOBODY, NOBODY), 0);
}

static void setup(void)
{
    strcpy(workdir, "/tmp/sbx-test-XXXXXX");
    make_dir_for_sandbox(workdir);
}

static void teardown(void)
{
    rm_tree(workdir);
}

/* Limits generous enough not to matter unless a test narrows one. */
static struct sbx_limits base_limits(void)
{
    struct sbx_limits lim = {
        .cpu_ms = 5000, .wall_ms = 5000, .output_bytes = 1u << 16,
    };
    return lim;
}

static int run_argv(int mode, const struct sbx_limits *lim, char *const argv[],
                    struct sbx_result *r)
{
    struct sbx_opts o;
    sbx_opts_init(&o);
    o.use_bwrap = mode;
    o.workdir = workdir;
    return sbx_run(lim, &o, argv, r);
}

/* Runs /bin/sh -c script in the work folder. */
static int run_sh(int mode, const struct sbx_limits *lim, const char *script,
                  struct sbx_result *r)
{
    char *const argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    return run_argv(mode, lim, argv, r);
}

static char *path_in_workdir(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    return path;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- verdicts ------------------------------------------------------------ */

START_TEST(test_exit_zero_captures_both_streams)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "echo out; echo err >&2", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_str_eq(r.out, "out\n");
    ck_assert_str_eq(r.err, "err\n");
    ck_assert_uint_eq(r.out_len, 4);
    ck_assert_uint_eq(r.out_total, 4);
    ck_assert_uint_eq(r.err_total, 4);
    ck_assert_str_eq(r.message, "exited with status 0");
    ck_assert_uint_lt(r.wall_ms, 3000);
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_exit_nonzero)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "exit 3", &r), 0);
    ck_assert_int_eq(r.status, SBX_EXIT_NONZERO);
    ck_assert_int_eq(r.exit_code, 3);
    ck_assert_str_eq(r.message, "exited with status 3");
    ck_assert_str_eq(r.out, "");
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_killed_by_signal)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "kill -SEGV $$", &r), 0);
    ck_assert_int_eq(r.status, SBX_SIGNALED);
    ck_assert_int_eq(r.term_signal, SIGSEGV);
    ck_assert_str_eq(r.message, "killed by SIGSEGV (segmentation fault)");
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_environment_is_exactly_env)
{
    static const char *const env[] = {"PATH=/usr/bin:/bin", "FOO=bar baz", NULL};
    const char *script = "printf '%s|%s|%s' \"$PATH\" \"${HOME-unset}\" \"${FOO-unset}\"";
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    char *const argv[] = {"sh", "-c", (char *)script, NULL};   /* found in PATH */
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "/usr/bin:/bin|unset|unset");
    sbx_result_release(&r);

    sbx_opts_init(&o);
    o.use_bwrap = _i;
    o.workdir = workdir;
    o.env = env;
    ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), 0);
    ck_assert_str_eq(r.out, "/usr/bin:/bin|unset|bar baz");
    sbx_result_release(&r);

    /* The fallback has no private /tmp: TMPDIR, TMP, TEMP are the work folder. */
    char want[256];
    snprintf(want, sizeof want, "%s|%s|%s", workdir, workdir, workdir);
    ck_assert_int_eq(run_sh(_i, &lim, "printf '%s|%s|%s' \"${TMPDIR-unset}\" \"${TMP-unset}\""
                                      " \"${TEMP-unset}\"", &r), 0);
    ck_assert_str_eq(r.out, _i == SBX_LEVEL_FALLBACK ? want : "unset|unset|unset");
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_runs_as_sandbox_uid_in_workdir)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    char want[256];
    if (skip_mode(_i, __func__) || skip_unless_root(__func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "id -u; id -g; id -G; pwd; echo hi > mine", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    snprintf(want, sizeof want, "65534\n65534\n65534\n%s\n", workdir);
    ck_assert_str_eq(r.out, want);
    ck_assert_int_eq(access(path_in_workdir("mine"), F_OK), 0);
    sbx_result_release(&r);
}
END_TEST

/* ---- failures of the sandbox itself ------------------------------------- */

START_TEST(test_missing_program_is_internal)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    char *const abs[] = {"/nonexistent/prog", NULL};
    char *const bare[] = {"sbx-no-such-program", NULL};
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_argv(_i, &lim, abs, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    ck_assert_ptr_nonnull(strstr(r.message, "No such file or directory"));
    sbx_result_release(&r);
    ck_assert_int_eq(run_argv(_i, &lim, bare, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    ck_assert_ptr_nonnull(strstr(r.message, "sbx-no-such-program"));
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_bad_workdir_is_internal)
{
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    char *const argv[] = {"true", NULL};
    sbx_opts_init(&o);
    o.use_bwrap = _i;
    o.workdir = "/nonexistent/sbx-workdir";
    ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    ck_assert_ptr_nonnull(strstr(r.message, "workdir"));
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_no_command_is_internal)
{
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    char *const argv[] = {NULL};
    sbx_opts_init(&o);
    ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_missing_bwrap_is_internal)
{
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    char *const argv[] = {"true", NULL};
    sbx_opts_init(&o);
    o.bwrap_path = "/nonexistent/bwrap";
    ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    ck_assert_str_eq(r.message, "sandbox: /nonexistent/bwrap not found in PATH");
    sbx_result_release(&r);
    ck_assert_int_eq(sbx_bwrap_available(&o), 0);
}
END_TEST

/* A failing step before exec is reported by name, with errno's text. */
START_TEST(test_failed_setgid_is_reported)
{
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    char *const argv[] = {"true", NULL};
    if (skip_unless_root(__func__))
        return;
    sbx_opts_init(&o);
    o.use_bwrap = 0;
    o.gid = (gid_t)-1;   /* setgid(-1) is EINVAL */
    ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), -1);
    ck_assert_int_eq(r.status, SBX_INTERNAL);
    ck_assert_str_eq(r.message, "sandbox: setgid failed: Invalid argument");
    sbx_result_release(&r);
}
END_TEST

/* ---- limits -------------------------------------------------------------- */

START_TEST(test_cpu_limit)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    lim.cpu_ms = 1000;
    ck_assert_int_eq(run_sh(_i, &lim, "while :; do :; done", &r), 0);
    ck_assert_int_eq(r.status, SBX_CPU_LIMIT);
    ck_assert_int_eq(r.term_signal, SIGXCPU);
    ck_assert_str_eq(r.message, "CPU time limit of 1 s exceeded");
    ck_assert_uint_ge(r.cpu_ms, 500);   /* measured through bwrap too (loose: load) */
    ck_assert_uint_lt(r.wall_ms, 4000);
    sbx_result_release(&r);
}
END_TEST

/* A program that ignores SIGXCPU dies of SIGKILL at the hard limit. */
START_TEST(test_cpu_limit_sigxcpu_ignored)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(1, __func__))
        return;
    lim.cpu_ms = 1000;
    lim.wall_ms = 30000;   /* 2 s of CPU take longer on a loaded machine */
    ck_assert_int_eq(run_sh(1, &lim, "trap '' XCPU; while :; do :; done", &r), 0);
    ck_assert_int_eq(r.status, SBX_CPU_LIMIT);
    ck_assert_int_eq(r.term_signal, SIGKILL);
    ck_assert_uint_ge(r.cpu_ms, 1000);
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_wall_timeout)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    lim.wall_ms = 500;
    ck_assert_int_eq(run_sh(_i, &lim, "echo before; sleep 10", &r), 0);
    ck_assert_int_eq(r.status, SBX_TIMEOUT);
    ck_assert_str_eq(r.message, "timed out after 0.5 s (wall-clock limit)");
    ck_assert_uint_ge(r.wall_ms, 500);
    ck_assert_uint_lt(r.wall_ms, 3000);
    ck_assert_str_eq(r.out, "before\n");   /* output up to the kill is kept */
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_file_size_limit)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    struct stat sb;
    if (skip_mode(_i, __func__))
        return;
    lim.file_size_bytes = 1u << 20;
    ck_assert_int_eq(run_sh(_i, &lim, "exec head -c 2000000 /dev/zero > big", &r), 0);
    ck_assert_int_eq(r.status, SBX_FILE_LIMIT);
    ck_assert_int_eq(r.term_signal, SIGXFSZ);
    ck_assert_str_eq(r.message, "file size limit of 1048576 bytes exceeded");
    ck_assert_int_eq(stat(path_in_workdir("big"), &sb), 0);
    ck_assert_int_eq(sb.st_size, 1 << 20);
    sbx_result_release(&r);
}
END_TEST

/*
 * Spawning beyond RLIMIT_NPROC fails inside; what did start is killed and
 * reaped when the shell gives up, so the next run under the same limit
 * (same uid) starts fine.
 */
START_TEST(test_process_limit)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__) || skip_unless_root(__func__))
        return;
    lim.processes = 16;
    ck_assert_int_eq(run_sh(_i, &lim, "for i in $(seq 1 40); do sleep 3 & done; wait", &r), 0);
    ck_assert_int_eq(r.status, SBX_EXIT_NONZERO);
    ck_assert_ptr_nonnull(strstr(r.err, "fork"));
    ck_assert_uint_lt(r.wall_ms, 2500);   /* the sleeps did not hold it up */
    sbx_result_release(&r);
    ck_assert_int_eq(run_sh(_i, &lim, "true", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    sbx_result_release(&r);
}
END_TEST

/* Builds workdir/memhog, which mallocs and touches 1 GiB (exit 2: no memory). */
static bool build_memhog(void)
{
    static const char src[] =
        "#include <stdlib.h>\n#include <string.h>\n"
        "int main(void) { size_t n = (size_t)1 << 30; char *p = malloc(n);\n"
        "  if (!p) return 2; memset(p, 1, n); return p[n - 1] == 1 ? 0 : 1; }\n";
    char c_path[128], exe_path[128];
    struct sbx_limits lim = base_limits();
    struct sbx_opts o;
    struct sbx_result r;
    snprintf(c_path, sizeof c_path, "%s/memhog.c", workdir);
    snprintf(exe_path, sizeof exe_path, "%s/memhog", workdir);
    FILE *f = fopen(c_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(src, f);
    ck_assert_int_eq(fclose(f), 0);
    char *const argv[] = {"cc", "-O0", "-o", exe_path, c_path, NULL};
    sbx_opts_init(&o);   /* a trusted step: no bwrap, stay who we are */
    o.use_bwrap = 0;
    o.uid = geteuid();
    o.gid = getegid();
    o.workdir = workdir;
    lim.cpu_ms = lim.wall_ms = 30000;
    bool ok = sbx_run(&lim, &o, argv, &r) == 0 && r.status == SBX_OK;
    if (!ok)
        fprintf(stderr, "test_sbx: cannot compile memhog (%s): %s\n", r.message, r.err);
    sbx_result_release(&r);
    return ok;
}

START_TEST(test_memory_limit)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    char *const argv[] = {"./memhog", NULL};
    if (skip_mode(_i, __func__) || !build_memhog())
        return;
    lim.memory_bytes = 256u << 20;
    lim.processes = 16;
    ck_assert_int_eq(run_sh(_i, &lim, "true", &r), 0);   /* bwrap fits in it */
    ck_assert_int_eq(r.status, SBX_OK);
    sbx_result_release(&r);
    ck_assert_int_eq(run_argv(_i, &lim, argv, &r), 0);
    ck_assert_int_eq(r.status, SBX_EXIT_NONZERO);
    ck_assert_int_eq(r.exit_code, 2);
    sbx_result_release(&r);
}
END_TEST

/* ---- output -------------------------------------------------------------- */

/* A string of n copies of s. */
static char *repeat(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *out = malloc(len * n + 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, s, len);
    out[len * n] = '\0';
    return out;
}

START_TEST(test_output_flood_keeps_head_and_tail)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    lim.output_bytes = 4096;
    ck_assert_int_eq(run_sh(_i, &lim, "yes | head -c 50000000", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    ck_assert_uint_eq(r.out_total, 50000000);
    char *half = repeat("y\n", 1024), *want = NULL;
    ck_assert_int_ge(asprintf(&want, "%s\n[... 49995904 bytes omitted ...]\n%s", half, half), 0);
    ck_assert_str_eq(r.out, want);
    ck_assert_uint_eq(r.out_len, strlen(want));
    free(half);
    free(want);
    sbx_result_release(&r);
}
END_TEST

/* Many small writes: the tail ring wraps many times. */
START_TEST(test_output_tail_ring)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    lim.output_bytes = 11;   /* head 6, tail 5 */
    ck_assert_int_eq(run_sh(_i, &lim, "i=0; while [ $i -lt 300 ]; do printf %03d $i >&2;"
                                      " i=$((i+1)); done", &r), 0);
    ck_assert_uint_eq(r.err_total, 900);
    ck_assert_str_eq(r.err, "000001\n[... 889 bytes omitted ...]\n98299");
    sbx_result_release(&r);
}
END_TEST

START_TEST(test_output_at_limit_is_whole)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    lim.output_bytes = 10;
    ck_assert_int_eq(run_sh(_i, &lim, "printf 0123456789", &r), 0);
    ck_assert_str_eq(r.out, "0123456789");
    sbx_result_release(&r);
    ck_assert_int_eq(run_sh(_i, &lim, "printf 0123456789a", &r), 0);
    ck_assert_str_eq(r.out, "01234\n[... 1 bytes omitted ...]\n6789a");
    ck_assert_uint_eq(r.out_total, 11);
    sbx_result_release(&r);
}
END_TEST

/* ---- process lifetime ------------------------------------------------------ */

/*
 * The main process exits at once, leaving a background process that
 * holds stdout; sbx_run neither waits for it nor lets it live on.
 */
START_TEST(test_background_process_killed)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "(sleep 0.5; echo late > late) & echo started", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    ck_assert_str_eq(r.out, "started\n");
    ck_assert_uint_lt(r.wall_ms, 450);   /* did not wait for it */
    sbx_result_release(&r);
    sleep_ms(700);                       /* it would have written by now */
    ck_assert_int_eq(access(path_in_workdir("late"), F_OK), -1);
}
END_TEST

/* Without bwrap we can see the straggler's pid: gone and reaped on return. */
START_TEST(test_background_process_reaped)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    ck_assert_int_eq(run_sh(0, &lim, "sh -c 'echo $$ > bgpid; exec sleep 100' & "
                                     "while [ ! -s bgpid ]; do :; done", &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    sbx_result_release(&r);
    FILE *f = fopen(path_in_workdir("bgpid"), "r");
    int pid = 0;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
    fclose(f);
    ck_assert_int_gt(pid, 1);
    ck_assert_int_eq(kill(pid, 0), -1);   /* a zombie would still answer */
    ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* ---- isolation (bwrap only) ------------------------------------------------ */

/* A readable file outside the work folder: visible directly, not in the box. */
START_TEST(test_cannot_read_host_files)
{
    char secret_dir[] = "/tmp/sbx-secret-XXXXXX", secret[64], script[512], cwd[256];
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(1, __func__))
        return;
    ck_assert_ptr_nonnull(mkdtemp(secret_dir));
    ck_assert_int_eq(chmod(secret_dir, 0755), 0);
    snprintf(secret, sizeof secret, "%s/secret", secret_dir);
    FILE *f = fopen(secret, "w");
    ck_assert_ptr_nonnull(f);
    fputs("hunter2\n", f);
    fclose(f);
    ck_assert_int_eq(chmod(secret, 0644), 0);
    if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/") == 0)
        strcpy(cwd, "/work");
    snprintf(script, sizeof script,
             "cat %s; for p in /work /root /home /var /opt %s; do"
             " [ -e \"$p\" ] && echo \"visible $p\"; done; true", secret, cwd);
    ck_assert_int_eq(run_sh(0, &lim, script, &r), 0);   /* the control */
    ck_assert_ptr_nonnull(strstr(r.out, "hunter2"));
    sbx_result_release(&r);
    ck_assert_int_eq(run_sh(1, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "No such file or directory"));
    sbx_result_release(&r);
    rm_tree(secret_dir);
}
END_TEST

START_TEST(test_can_write_only_workdir_and_private_tmp)
{
    char script[512], host_tmp[64];
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(1, __func__))
        return;
    snprintf(host_tmp, sizeof host_tmp, "/tmp/sbx-private-%ld", (long)getpid());
    snprintf(script, sizeof script,
             "for p in /usr/x /x /etc/x /work/x /proc/x /dev/x; do"
             " (echo x > \"$p\") 2>/dev/null && echo \"wrote $p\"; done;"
             " echo ok > ok; echo private > %s && cat %s", host_tmp, host_tmp);
    ck_assert_int_eq(run_sh(1, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "private\n");
    ck_assert_int_eq(access(path_in_workdir("ok"), F_OK), 0);
    ck_assert_int_eq(access(host_tmp, F_OK), -1);   /* its /tmp is its own */
    sbx_result_release(&r);
}
END_TEST

/* A listener on the host's 127.0.0.1: reachable directly, not from the box. */
START_TEST(test_no_network)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    char script[128];
    if (skip_mode(_i, __func__))
        return;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(s, 4), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    snprintf(script, sizeof script, "exec 3<>/dev/tcp/127.0.0.1/%u && echo connected",
             (unsigned)ntohs(sa.sin_port));
    char *const argv[] = {"/bin/bash", "-c", script, NULL};
    ck_assert_int_eq(run_argv(_i, &lim, argv, &r), 0);
    if (_i == SBX_LEVEL_NONE) {
        ck_assert_str_eq(r.out, "connected\n");   /* the control */
    } else {
        ck_assert_int_ne(r.status, SBX_OK);
        ck_assert_str_eq(r.out, "");
    }
    sbx_result_release(&r);
    close(s);
}
END_TEST

START_TEST(test_own_namespaces)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(1, __func__))
        return;
    ck_assert_int_eq(run_sh(1, &lim, "cat /proc/sys/kernel/hostname;"
                                     " ls /proc | grep -c '^[0-9]'", &r), 0);
    int npids = 0;
    char host[32] = "";
    ck_assert_int_eq(sscanf(r.out, "%31s %d", host, &npids), 2);
    ck_assert_str_eq(host, "sandbox");
    ck_assert_int_lt(npids, 8);   /* bwrap's pid 1, sh, ls, grep: not the host's */
    sbx_result_release(&r);
}
END_TEST

/* ---- isolation (fallback only) --------------------------------------------- */

/* A world-readable folder outside the work folder, with a secret in it. */
static void make_secret(char *dir, char *secret, size_t n)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 01777), 0);   /* readable and writable to all */
    snprintf(secret, n, "%s/secret", dir);
    FILE *f = fopen(secret, "w");
    ck_assert_ptr_nonnull(f);
    fputs("hunter2\n", f);
    fclose(f);
    ck_assert_int_eq(chmod(secret, 0666), 0);
}

/* An empty_dirs entry is empty and read-only in the box, over a bound
 * folder; one the host lacks is skipped; the fallback shows it as it is. */
START_TEST(test_empty_dirs)
{
    char shown[] = "/tmp/sbx-shown-XXXXXX", file[64], script[256];
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    make_secret(shown, file, sizeof file);     /* writable to all on the host */
    snprintf(script, sizeof script, "ls -A %s; (echo x > %s/g) 2>/dev/null && echo wrote; true",
             shown, shown);
    const char *const binds[] = {shown, NULL};
    const char *const empty[] = {shown, "/nonexistent/sbx-empty", NULL};
    char *const argv[] = {"/bin/sh", "-c", script, NULL};
    for (int hide = 0; hide < 2; hide++) {
        struct sbx_opts o;
        sbx_opts_init(&o);
        o.use_bwrap = _i;
        o.workdir = workdir;
        o.ro_binds = binds;
        o.empty_dirs = hide ? empty : NULL;
        ck_assert_int_eq(sbx_run(&lim, &o, argv, &r), 0);
        ck_assert_int_eq(r.status, SBX_OK);
        bool hidden = hide && _i == SBX_LEVEL_BWRAP;
        ck_assert_str_eq(r.out, hidden ? "" : "secret\n");
        sbx_result_release(&r);
    }
    rm_tree(shown);
}
END_TEST

/* Landlock: what permissions allow, the fallback still refuses. */
START_TEST(test_fallback_cannot_read_host_files)
{
    char dir[] = "/tmp/sbx-secret-XXXXXX", secret[64], script[512];
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(SBX_LEVEL_FALLBACK, __func__))
        return;
    make_secret(dir, secret, sizeof secret);
    snprintf(script, sizeof script, "cat %s; ls %s > /dev/null && echo listed;"
             " cat /etc/passwd > /dev/null && echo passwd; ls / > /dev/null && echo root;"
             " ls /usr/bin > /dev/null && echo usr", secret, dir);
    ck_assert_int_eq(run_sh(SBX_LEVEL_NONE, &lim, script, &r), 0);   /* the control */
    ck_assert_str_eq(r.out, "hunter2\nlisted\npasswd\nroot\nusr\n");
    sbx_result_release(&r);
    ck_assert_int_eq(run_sh(SBX_LEVEL_FALLBACK, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "usr\n");
    ck_assert_ptr_nonnull(strstr(r.err, "Permission denied"));
    sbx_result_release(&r);
    rm_tree(dir);
}
END_TEST

/* Only the work folder and the harmless devices; no private /tmp either. */
START_TEST(test_fallback_writes_only_workdir)
{
    char dir[] = "/tmp/sbx-secret-XXXXXX", secret[64], script[1024], host_tmp[64];
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(SBX_LEVEL_FALLBACK, __func__))
        return;
    make_secret(dir, secret, sizeof secret);
    snprintf(host_tmp, sizeof host_tmp, "/tmp/sbx-fallback-%ld", (long)getpid());
    snprintf(script, sizeof script,
             "for p in %s %s/new %s /dev/shm/x /proc/x; do"
             " (echo x >> \"$p\") 2>/dev/null && echo \"wrote $p\"; done;"
             " rm -f %s 2>/dev/null; mv %s %s/moved 2>/dev/null; truncate -s 0 %s 2>/dev/null;"
             " echo ok > ok && mkdir sub && mv ok sub/ok && echo x > /dev/null && echo done",
             secret, dir, host_tmp, secret, secret, workdir, secret);
    ck_assert_int_eq(run_sh(SBX_LEVEL_FALLBACK, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "done\n");
    sbx_result_release(&r);
    ck_assert_int_eq(access(path_in_workdir("sub/ok"), F_OK), 0);
    ck_assert_int_eq(access(host_tmp, F_OK), -1);
    FILE *f = fopen(secret, "r");   /* untouched: not removed, moved or truncated */
    char line[32] = "";
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_str_eq(line, "hunter2\n");
    rm_tree(dir);
}
END_TEST

/* seccomp (bwrap gets the filter too): no new namespaces, no sockets of any kind. */
START_TEST(test_fallback_refuses_escapes)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    const char *script =
        "unshare -r true 2>/dev/null && echo userns;"
        " unshare -rn true 2>/dev/null && echo netns;"
        " perl -e 'use Socket; socket(my $s, AF_UNIX, SOCK_STREAM, 0) or exit 1' && echo unix;"
        " echo done";
    ck_assert_int_eq(run_sh(SBX_LEVEL_NONE, &lim, script, &r), 0);   /* the control */
    ck_assert_ptr_nonnull(strstr(r.out, "unix\ndone\n"));
    sbx_result_release(&r);
    ck_assert_int_eq(run_sh(_i, &lim, script, &r), 0);
    ck_assert_str_eq(r.out, "done\n");
    sbx_result_release(&r);
}
END_TEST

/*
 * A process that leaves the program's group and session (setsid) is
 * killed and reaped all the same when the program exits.
 */
START_TEST(test_session_leaver_killed)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_mode(_i, __func__))
        return;
    ck_assert_int_eq(run_sh(_i, &lim, "setsid sh -c 'echo $$ > bgpid; sleep 0.5;"
                                      " echo late > late' & while [ ! -s bgpid ]; do :; done",
                            &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    sbx_result_release(&r);
    sleep_ms(700);                       /* it would have written by now */
    ck_assert_int_eq(access(path_in_workdir("late"), F_OK), -1);
}
END_TEST

/* The keeper keeps the grader's uid: the sandbox uid cannot kill it. */
START_TEST(test_cannot_signal_keeper)
{
    struct sbx_limits lim = base_limits();
    struct sbx_result r;
    if (skip_unless_root(__func__))
        return;
    ck_assert_int_eq(run_sh(SBX_LEVEL_NONE, &lim, "kill -KILL $PPID 2>/dev/null || echo refused",
                            &r), 0);
    ck_assert_int_eq(r.status, SBX_OK);
    ck_assert_str_eq(r.out, "refused\n");
    sbx_result_release(&r);
}
END_TEST

/* ---- small API ------------------------------------------------------------- */

START_TEST(test_level_names)
{
    char buf[128];
    ck_assert_str_eq(sbx_level_name(SBX_LEVEL_NONE), "none");
    ck_assert_str_eq(sbx_level_name(SBX_LEVEL_BWRAP), "bwrap");
    ck_assert_str_eq(sbx_level_name(SBX_LEVEL_FALLBACK), "fallback");
    sbx_level_describe(SBX_LEVEL_BWRAP, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "bwrap");
    sbx_level_describe(SBX_LEVEL_FALLBACK, SBX_LAYER_LANDLOCK | SBX_LAYER_SECCOMP, buf,
                       sizeof buf);
    ck_assert_str_eq(buf, "fallback (landlock, seccomp)");
    sbx_level_describe(SBX_LEVEL_FALLBACK, SBX_LAYER_SECCOMP, buf, sizeof buf);
    ck_assert_str_eq(buf, "fallback (seccomp; missing: landlock)");
    sbx_level_describe(SBX_LEVEL_FALLBACK, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "fallback (no kernel layers; missing: landlock, seccomp)");
    unsigned layers = sbx_fallback_layers(buf, sizeof buf);
    ck_assert_uint_eq(layers & ~(unsigned)(SBX_LAYER_LANDLOCK | SBX_LAYER_SECCOMP), 0);
    ck_assert_int_eq(buf[0] == '\0', layers == (SBX_LAYER_LANDLOCK | SBX_LAYER_SECCOMP));
}
END_TEST

/* ---- small API (continued) -------------------------------------------------- */

START_TEST(test_status_names)
{
    ck_assert_str_eq(sbx_status_name(SBX_OK), "ok");
    ck_assert_str_eq(sbx_status_name(SBX_EXIT_NONZERO), "exit");
    ck_assert_str_eq(sbx_status_name(SBX_SIGNALED), "signal");
    ck_assert_str_eq(sbx_status_name(SBX_TIMEOUT), "timeout");
    ck_assert_str_eq(sbx_status_name(SBX_CPU_LIMIT), "cpu-limit");
    ck_assert_str_eq(sbx_status_name(SBX_FILE_LIMIT), "file-limit");
    ck_assert_str_eq(sbx_status_name(SBX_INTERNAL), "internal");
}
END_TEST

START_TEST(test_opts_defaults_and_release)
{
    struct sbx_opts o;
    struct sbx_result r;
    memset(&o, 0xff, sizeof o);
    sbx_opts_init(&o);
    ck_assert_int_eq(o.use_bwrap, SBX_LEVEL_BWRAP);
    ck_assert_uint_eq(o.uid, NOBODY);
    ck_assert_uint_eq(o.gid, NOBODY);
    ck_assert_ptr_null(o.env);
    ck_assert_ptr_null(o.workdir);
    ck_assert_ptr_null(o.ro_binds);
    memset(&r, 0, sizeof r);
    sbx_result_release(&r);   /* zeroed: fine */
    sbx_result_release(&r);   /* twice: fine */
    sbx_result_release(NULL);
}
END_TEST

Suite *sbx_suite(void)
{
    Suite *s = suite_create("sbx");
    TCase *run = tcase_create("run"), *lim = tcase_create("limits"),
          *out = tcase_create("output"), *iso = tcase_create("isolation"),
          *api = tcase_create("api");
    char why[256];
    bwrap_ok = sbx_bwrap_available(NULL);
    if (!bwrap_ok)
        fprintf(stderr, "test_sbx: bwrap cannot sandbox here: its tests are skipped\n");
    fallback_ok = sbx_fallback_layers(why, sizeof why) == (SBX_LAYER_LANDLOCK | SBX_LAYER_SECCOMP);
    if (!fallback_ok)
        fprintf(stderr, "test_sbx: the fallback lacks a layer (%s): its tests are skipped\n", why);
    TCase *all[] = {run, lim, out, iso};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 20);
    }
    tcase_add_loop_test(run, test_exit_zero_captures_both_streams, 0, 3);
    tcase_add_loop_test(run, test_exit_nonzero, 0, 3);
    tcase_add_loop_test(run, test_killed_by_signal, 0, 3);
    tcase_add_loop_test(run, test_environment_is_exactly_env, 0, 3);
    tcase_add_loop_test(run, test_runs_as_sandbox_uid_in_workdir, 0, 3);
    tcase_add_loop_test(run, test_missing_program_is_internal, 0, 3);
    tcase_add_loop_test(run, test_bad_workdir_is_internal, 0, 3);
    tcase_add_test(run, test_no_command_is_internal);
    tcase_add_test(run, test_missing_bwrap_is_internal);
    tcase_add_test(run, test_failed_setgid_is_reported);
    tcase_add_loop_test(run, test_background_process_killed, 0, 3);
    tcase_add_test(run, test_background_process_reaped);
    tcase_add_loop_test(lim, test_cpu_limit, 0, 3);
    tcase_add_test(lim, test_cpu_limit_sigxcpu_ignored);
    tcase_add_loop_test(lim, test_wall_timeout, 0, 3);
    tcase_add_loop_test(lim, test_file_size_limit, 0, 3);
    tcase_add_loop_test(lim, test_process_limit, 0, 3);
    tcase_add_loop_test(lim, test_memory_limit, 0, 3);
    tcase_add_loop_test(out, test_output_flood_keeps_head_and_tail, 0, 3);
    tcase_add_loop_test(out, test_output_tail_ring, 0, 3);
    tcase_add_loop_test(out, test_output_at_limit_is_whole, 0, 3);
    tcase_add_test(iso, test_cannot_read_host_files);
    tcase_add_test(iso, test_can_write_only_workdir_and_private_tmp);
    tcase_add_loop_test(iso, test_no_network, 0, 3);
    tcase_add_loop_test(iso, test_empty_dirs, SBX_LEVEL_BWRAP, SBX_LEVEL_FALLBACK + 1);
    tcase_add_test(iso, test_own_namespaces);
    tcase_add_test(iso, test_fallback_cannot_read_host_files);
    tcase_add_test(iso, test_fallback_writes_only_workdir);
    tcase_add_loop_test(iso, test_fallback_refuses_escapes, SBX_LEVEL_BWRAP, SBX_LEVEL_FALLBACK + 1);
    tcase_add_loop_test(run, test_session_leaver_killed, 0, 3);
    tcase_add_test(run, test_cannot_signal_keeper);
    tcase_add_test(api, test_level_names);
    tcase_add_test(api, test_status_names);
    tcase_add_test(api, test_opts_defaults_and_release);
    suite_add_tcase(s, run);
    suite_add_tcase(s, lim);
    suite_add_tcase(s, out);
    suite_add_tcase(s, iso);
    suite_add_tcase(s, api);
    return s;
}
