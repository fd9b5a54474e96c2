/*
 * runner.c -- the test program's main (see runner.h for the command line,
 * which the grader relies on).
 *
 * Theory of operation: the selected cases of every tc_suite become Check
 * TCases in Suites of one SRunner, so one --xml file holds every result.
 * Check reports a result's TCase name but not its suite nor (publicly)
 * its test name, and TCase names may repeat across suites; so while
 * building we record the (suite, case, test) of every test in run order,
 * which is the order Check runs and reports them in (suites, cases and
 * tests in insertion order, one result per test under CK_FORK).
 *
 * While tests run, their stdout goes to stderr, so stdout carries only
 * the result lines and the summary.
 */
#include "runner.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef TC_HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#endif

enum { RUNNER_OK = 0, RUNNER_FAILED = 1, RUNNER_USAGE = 2 };

#define RUNNER_DEFAULT_TIMEOUT 10.0

struct runner_opts {
    int list;              /* --list */
    int quiet;             /* --quiet */
    int notes;             /* --notes */
    double timeout_s;      /* --timeout, for cases that set none */
    double budget_s;       /* --budget: the whole case's time; 0 = none */
    const char *xml;       /* --xml FILE, or NULL */
    const char *each_dir;  /* --each-xml DIR: each --only ID a run of its own */
    char **only;           /* --only IDs (pointers into argv) */
    int nonly;
};

/* One test as registered, so results can be named. */
struct runner_entry {
    const char *suite, *tcase, *test;
    double timeout_s;      /* Check's timeout for it */
};

/*
 * A flat view of the suite tables: case i of all cases, test j of all
 * tests, in table order.  A case is selected when any of its tests is.
 */
struct runner_plan {
    const struct tc_suite *const *suites;
    int ncases;                /* all cases of all suites */
    int ntests;                /* all tests of all cases */
    unsigned char *selected;   /* ntests flags */
};

static void runner_usage(FILE *out, const char *prog)
{
    fprintf(out, "usage: %s [--list] [--only ID]... [--xml FILE | --each-xml DIR] "
                 "[--timeout SECONDS] [--budget SECONDS] [--quiet] [--notes]\n"
                 "  ID is a suite, suite/case (as --list prints) or suite/case/test\n",
            prog);
}

static int runner_parse_timeout(const char *text, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v <= 0)
        return -1;
    *out = v;
    return 0;
}

/*
 * Fills opts from argv.  Returns 0, 1 if --help was printed, or -1 after a
 * message on stderr.
 */
static int runner_parse_args(int argc, char **argv, struct runner_opts *opts)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, 'l'},    {"only", required_argument, NULL, 'o'},
        {"xml", required_argument, NULL, 'x'}, {"timeout", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},   {"help", no_argument, NULL, 'h'},
        {"budget", required_argument, NULL, 'b'},
        {"each-xml", required_argument, NULL, 'e'},
        {"notes", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': opts->list = 1; break;
        case 'q': opts->quiet = 1; break;
        case 'n': opts->notes = 1; break;
        case 'x': opts->xml = optarg; break;
        case 'e': opts->each_dir = optarg; break;
        case 'o': opts->only[opts->nonly++] = optarg; break;
        case 't':
            if (runner_parse_timeout(optarg, &opts->timeout_s) < 0) {
                fprintf(stderr, "%s: --timeout wants a positive number of "
                                "seconds, not '%s'\n", argv[0], optarg);
                return -1;
            }
            break;
        case 'b':
            if (runner_parse_timeout(optarg, &opts->budget_s) < 0) {
                fprintf(stderr, "%s: --budget wants a positive number of "
                                "seconds, not '%s'\n", argv[0], optarg);
                return -1;
            }
            break;
        case 'h': runner_usage(stdout, argv[0]); return 1;
        default: runner_usage(stderr, argv[0]); return -1;
        }
    }
    if (opts->each_dir != NULL && (opts->xml != NULL || opts->nonly == 0)) {
        fprintf(stderr, "%s: --each-xml wants --only IDs and no --xml\n", argv[0]);
        return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
        runner_usage(stderr, argv[0]);
        return -1;
    }
    return 0;
}

static int runner_count_tests(const struct tc_case *tcase)
{
    int n = 0;

    while (tcase->tests != NULL && tcase->tests[n] != NULL)
        n++;
    return n;
}

static int runner_count_cases(const struct tc_suite *suite)
{
    int n = 0;

    while (suite->cases != NULL && suite->cases[n].name != NULL)
        n++;
    return n;
}

/*
 * Whether `id` names suite, its case tcase, or that case's test: "suite",
 * "suite/case" or "suite/case/test" (as FAIL lines print it; a trailing
 * ':' copied with the name is ignored).
 */
static int runner_id_matches(const char *id, const char *suite, const char *tcase,
                             const char *test)
{
    const char *parts[3] = {suite, tcase, test};
    size_t len = strlen(id);

    if (len > 0 && id[len - 1] == ':')
        len--;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]);

        if (len < n || strncmp(id, parts[i], n) != 0)
            return 0;
        if (len == n)
            return 1;
        if (id[n] != '/')
            return 0;
        id += n + 1;
        len -= n + 1;
    }
    return 0;
}

/* Selects the tests `id` names (runner_id_matches); 0 if it names none. */
static int runner_select_id(struct runner_plan *plan, const char *id)
{
    int base = 0, matched = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);

        for (int c = 0; c < n; c++) {
            const struct tc_case *tcase = &suite->cases[c];
            int nt = runner_count_tests(tcase);

            for (int t = 0; t < nt; t++, base++) {
                if (runner_id_matches(id, suite->name, tcase->name,
                                      tcase->tests[t]->name)) {
                    plan->selected[base] = 1;
                    matched = 1;
                }
            }
        }
    }
    return matched;
}

/* Whether test t of tcase (whose first test is plan test `base`) is selected. */
static int runner_test_selected(const struct runner_plan *plan, int base, int t)
{
    return plan->selected[base + t];
}

/* Number of selected tests of tcase, whose first test is plan test `base`. */
static int runner_case_selected(const struct runner_plan *plan,
                                const struct tc_case *tcase, int base)
{
    int n = 0;

    for (int t = 0; t < runner_count_tests(tcase); t++)
        n += runner_test_selected(plan, base, t);
    return n;
}

/* Builds plan from the --only IDs (all cases without any).  -1 on a bad ID. */
static int runner_plan_init(struct runner_plan *plan,
                            const struct tc_suite *const suites[],
                            const struct runner_opts *opts, const char *prog)
{
    plan->suites = suites;
    plan->ncases = 0;
    plan->ntests = 0;
    for (int s = 0; suites[s] != NULL; s++) {
        int n = runner_count_cases(suites[s]);

        plan->ncases += n;
        for (int c = 0; c < n; c++)
            plan->ntests += runner_count_tests(&suites[s]->cases[c]);
    }
    plan->selected = calloc((size_t)plan->ntests + 1, 1);
    if (plan->selected == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
    }
    memset(plan->selected, opts->nonly == 0, (size_t)plan->ntests);
    for (int i = 0; i < opts->nonly; i++) {
        if (!runner_select_id(plan, opts->only[i])) {
            fprintf(stderr, "%s: no suite, suite/case or suite/case/test '%s' "
                            "(see --list)\n",
                    prog, opts->only[i]);
            return -1;
        }
    }
    return 0;
}

/* --list: every selected case as "suite/case<TAB>ntests" (its selected tests). */
static void runner_list(const struct runner_plan *plan)
{
    int base = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);

        for (int c = 0; c < n; c++) {
            int nsel = runner_case_selected(plan, &suite->cases[c], base);

            if (nsel > 0)
                printf("%s/%s\t%d\n", suite->name, suite->cases[c].name, nsel);
            base += runner_count_tests(&suite->cases[c]);
        }
    }
}

/* Number of selected tests: the size of the entry table. */
static int runner_count_selected(const struct runner_plan *plan)
{
    int total = 0;

    for (int i = 0; i < plan->ntests; i++)
        total += plan->selected[i];
    return total;
}

/* ---- where a test crashed or hung --------------------------------------- */

/*
 * Check forks one child per test and, when the child dies of a signal or
 * is killed at its timeout, reports only "Received signal 11" at the
 * test's last checkpoint.  To name the kernel's line instead, each child
 * records where it was in a slot of a shared anonymous mapping made before
 * the first fork: a checked fixture (it runs in the child) takes the next
 * slot -- children run one at a time, in entry order -- and then
 *  - a fatal signal's handler stores the faulting PC and a backtrace and
 *    returns with the default action restored (SA_RESETHAND): the fault
 *    repeats and the child dies of the same signal as before;
 *  - a timer at 80% of the test's timeout stores where the child is then:
 *    if Check kills it at the timeout, that is where it hung;
 *  - under AddressSanitizer, its report's first frame in the student's
 *    file is kept (ASan exits the child with status 1 after reporting).
 * After the run, the parent describes each failed test's slot: with libdw
 * (TC_HAVE_LIBDW: the student's build when libdw-dev is installed) as
 * "crashed (SIGSEGV) in relu() at kernels.c:172"; without it (the
 * grader's build) as offsets into the test program on stderr, which the
 * grader symbolizes against the binary outside the sandbox.  A forked
 * child has its parent's mappings, so its addresses are the parent's too.
 *
 * The handler only stores into memory mapped before the fork; backtrace()
 * is called once before any fork, so its lazy loading of libgcc_s never
 * happens in a handler (glibc's backtrace(3) advises this).
 */

#ifndef RUNNER_STUDENT_FILE
#define RUNNER_STUDENT_FILE "kernels.c"   /* the file whose lines we name */
#endif
#define RUNNER_FRAMES 24
#define RUNNER_ASAN_TEXT 200
#define RUNNER_SAMPLE_SIGNAL (SIGRTMIN + 3)

struct runner_slot {
    volatile sig_atomic_t signo;     /* 0: no signal recorded */
    int hung;                        /* recorded by the timeout sample */
    pid_t pid;                       /* the test's process, once it started */
    long long start_ms;              /* when it started (runner_now_ms()) */
    long long waited_from, waited_to;  /* the watcher's streak of waiting samples, ms */
    int nframes;
    void *pc;                        /* the faulting (or sampled) instruction */
    void *frames[RUNNER_FRAMES];     /* backtrace() in the handler */
    char asan[RUNNER_ASAN_TEXT];     /* "heap-buffer-overflow in f() at file:line" */
};

struct runner_shared {
    int next;                        /* the slot the next child takes */
    struct runner_slot slots[];
};

/* A signal handler reaches only globals: the one state of this section. */
static struct {
    struct runner_shared *shared;    /* MAP_SHARED: survives the forks */
    size_t size;
    int nslots;
    const struct runner_entry *entries;
    struct runner_slot *mine;        /* the child's slot, or NULL */
    pid_t watcher;                   /* runner_watch()'s process, or 0 */
} runner_crash;

/* The interrupted instruction of a signal's context (NULL: unknown arch). */
static void *runner_context_pc(void *uctx)
{
    const ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (void *)uc->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
}

/* Async-signal-safe: stores into the child's slot, nothing else. */
static void runner_on_signal(int signo, siginfo_t *si, void *uctx)
{
    struct runner_slot *slot = runner_crash.mine;
    int saved = errno;

    if (slot != NULL && (slot->signo == 0 || slot->hung)) {
        slot->pc = runner_context_pc(uctx);
        slot->nframes = backtrace(slot->frames, RUNNER_FRAMES);
        slot->hung = signo == RUNNER_SAMPLE_SIGNAL;
        slot->signo = signo;
    }
    /* A signal sent (kill, raise) is not repeated by returning: resend it. */
    if (signo != RUNNER_SAMPLE_SIGNAL && si->si_code <= 0)
        raise(signo);
    errno = saved;
}

/* AddressSanitizer's hook, when the program is built with it. */
extern void __asan_set_error_report_callback(void (*cb)(const char *))
    __attribute__((weak));

/*
 * Keeps "KIND in FUNC() at FILE:LINE" from an ASan report: KIND from its
 * "ERROR: AddressSanitizer: KIND on ..." line, the frame from its first
 * "#N 0x.. in FUNC /path/FILE:LINE:COL" line in the student's file.
 */
static void runner_on_asan_report(const char *report)
{
    struct runner_slot *slot = runner_crash.mine;
    const char *kind = strstr(report, "AddressSanitizer: ");
    int klen = 0;

    if (slot == NULL || slot->asan[0] != '\0')
        return;
    if (kind != NULL) {
        kind += strlen("AddressSanitizer: ");
        klen = (int)strcspn(kind, " \n");
    }
    for (const char *line = report; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n'), *in = strstr(line, " in ");
        int len = end ? (int)(end - line) : (int)strlen(line);
        char func[96], path[256];
        unsigned lineno;

        if (in != NULL && in < line + len &&
            sscanf(in, " in %95s %255[^:]:%u", func, path, &lineno) == 3) {
            const char *base = strrchr(path, '/');

            if (strcmp(base ? base + 1 : path, RUNNER_STUDENT_FILE) == 0) {
                snprintf(slot->asan, sizeof slot->asan, "%.*s in %s() at %s:%u",
                         klen, kind ? kind : "", func, RUNNER_STUDENT_FILE, lineno);
                return;
            }
        }
        line = end ? end + 1 : NULL;
    }
}

/* ---- a hang that waits on itself ----------------------------------------- */

/*
 * The grader runs a unit again when a check timed out while the unit
 * hardly used the CPU: a loaded machine (a disk that stalls, a host that
 * holds the VM) can keep a correct test from running that long, so the
 * timeout must be seen twice before it costs points.  That second run
 * waits as long as the first.  It is not needed when the runner saw why
 * the test waited: its own threads, each asleep on a futex (a mutex, a
 * condition, a join, a barrier) or a timer, none runnable, none in disk
 * wait, and its CPU time standing still -- a deadlock or a sleep, which
 * no stall explains (a stalled process is runnable or in disk wait; a
 * thread waiting for one is waiting for a runnable thread).
 *
 * A watcher process, forked before the first test, samples the running
 * test's threads (/proc/PID/task/TID/{stat,syscall}) every
 * RUNNER_WATCH_MS from half of its timeout to just before it, and keeps
 * in the test's slot the span of its last streak of such samples.  A
 * test that timed out at the end of a long enough streak is reported as
 * "waiting" rather than "hung" (runner_describe_slot()).  Anything the
 * watcher cannot read (another uid, a process that is not dumpable, no
 * /proc) breaks the streak, so the grader's second run stays the default.
 * Not under ThreadSanitizer, whose runtime forbids new threads after a
 * fork of a process with threads (its own): its runs keep the default.
 */

#define RUNNER_WATCH_MS 20.0

#if defined(__SANITIZE_THREAD__)
#define RUNNER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RUNNER_TSAN 1
#endif
#endif

enum runner_sample { RUNNER_GONE, RUNNER_BUSY, RUNNER_WAITING };

static double runner_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The first len-1 bytes of a /proc file into buf; -1 if it cannot be read. */
static int runner_read_proc(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* A stat line's state letter and, if cpu, its utime + stime; 0 if unreadable. */
static char runner_stat_state(const char *path, unsigned long long *cpu)
{
    char buf[1024];
    const char *p;
    unsigned long long utime, stime;

    if (runner_read_proc(path, buf, sizeof buf) < 0 || (p = strrchr(buf, ')')) == NULL)
        return 0;
    /* after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt
       majflt cmajflt utime stime */
    if (cpu != NULL &&
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &utime, &stime) == 2)
        *cpu = utime + stime;
    return p[1] == ' ' ? p[2] : 0;
}

/* Whether system call nr only waits: on a futex, a timer or a signal. */
static int runner_waiting_call(long nr)
{
    switch (nr) {
    case SYS_futex:
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
    case SYS_rt_sigsuspend:
    case SYS_rt_sigtimedwait:
#ifdef SYS_pause
    case SYS_pause:
#endif
#ifdef SYS_futex_waitv
    case SYS_futex_waitv:
#endif
        return 1;
    default:
        return 0;
    }
}

/*
 * One look at process pid: RUNNER_WAITING if every thread sleeps in a
 * waiting call (*cpu: the process's CPU ticks), RUNNER_GONE if it has
 * ended (or is ending), RUNNER_BUSY otherwise.
 */
static enum runner_sample runner_sample(pid_t pid, unsigned long long *cpu)
{
    char path[384], buf[256];
    enum runner_sample verdict = RUNNER_WAITING;
    struct dirent *de;
    DIR *dir;
    int threads = 0;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    switch (runner_stat_state(path, cpu)) {
    case 0: case 'Z': case 'X': case 'x':
        return RUNNER_GONE;
    default:
        break;
    }
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    if ((dir = opendir(path)) == NULL)
        return RUNNER_BUSY;
    while (verdict == RUNNER_WAITING && (de = readdir(dir)) != NULL) {
        char *end;
        long nr;

        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        threads++;
        snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, de->d_name);
        if (runner_stat_state(path, NULL) != 'S') {
            verdict = RUNNER_BUSY;
            break;
        }
        /* "NR args... sp pc" in a system call; "running" or "-1 ..." if not */
        snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, de->d_name);
        if (runner_read_proc(path, buf, sizeof buf) < 0)
            verdict = RUNNER_BUSY;
        else if ((nr = strtol(buf, &end, 10)), end == buf || !runner_waiting_call(nr))
            verdict = RUNNER_BUSY;
    }
    closedir(dir);
    return threads > 0 ? verdict : RUNNER_BUSY;
}

/* The watcher's state: the slot it looks at, and its streak there. */
struct runner_streak {
    int slot;
    int on;
    unsigned long long cpu;
};

/* One look at slot i, if its test is in the second half of its time. */
static void runner_watch_slot(int i, struct runner_streak *st)
{
    struct runner_slot *slot = &runner_crash.shared->slots[i];
    pid_t pid = __atomic_load_n(&slot->pid, __ATOMIC_ACQUIRE);
    long long now = (long long)runner_now_ms();
    double limit = runner_crash.entries[i].timeout_s * 1e3;
    unsigned long long cpu = 0;

    if (pid <= 0)
        return;
    if (st->slot != i)
        *st = (struct runner_streak){.slot = i};
    if ((double)(now - slot->start_ms) < 0.5 * limit ||
        (double)(now - slot->start_ms) > 0.97 * limit)
        return;   /* before: most tests end; after: Check's kill is near */
    switch (runner_sample(pid, &cpu)) {
    case RUNNER_GONE:
        return;
    case RUNNER_WAITING:
        if (!st->on || cpu != st->cpu) {
            st->on = 1;
            st->cpu = cpu;
            __atomic_store_n(&slot->waited_from, now, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&slot->waited_to, now, __ATOMIC_RELAXED);
        return;
    case RUNNER_BUSY:
        st->on = 0;
        __atomic_store_n(&slot->waited_from, 0LL, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->waited_to, 0LL, __ATOMIC_RELAXED);
        return;
    }
}

/* The watcher process: looks at the latest test until the runner is gone. */
static void __attribute__((noreturn)) runner_watch(pid_t runner)
{
    struct runner_streak st = {.slot = -1};
    const struct timespec pause = {0, (long)(RUNNER_WATCH_MS * 1e6)};

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int fd = 0; fd <= 2; fd++)
        close(fd);   /* it prints nothing, and holds no pipe of the grader open */
    while (getppid() == runner) {
        int i = __atomic_load_n(&runner_crash.shared->next, __ATOMIC_ACQUIRE) - 1;

        if (i >= 0 && i < runner_crash.nslots)
            runner_watch_slot(i, &st);
        nanosleep(&pause, NULL);
    }
    _exit(0);   /* no atexit handlers: gcov's among them */
}

/* Starts the watcher; without one, every hang is "hung". */
static void runner_watch_start(void)
{
#ifndef RUNNER_TSAN
    pid_t runner = getpid(), pid = fork();

    if (pid == 0)
        runner_watch(runner);
    runner_crash.watcher = pid > 0 ? pid : 0;
#endif
}

static void runner_watch_stop(void)
{
    if (runner_crash.watcher > 0) {
        kill(runner_crash.watcher, SIGKILL);
        waitpid(runner_crash.watcher, NULL, 0);
    }
    runner_crash.watcher = 0;
}

/*
 * Whether the test of slot (entry e), which timed out, was waiting on
 * itself: a streak of waiting samples over a tenth of its time at least,
 * up to the last tenth.
 */
static int runner_slot_waited(const struct runner_slot *slot, const struct runner_entry *e)
{
    double limit = e->timeout_s * 1e3;
    long long from = __atomic_load_n(&slot->waited_from, __ATOMIC_RELAXED);
    long long to = __atomic_load_n(&slot->waited_to, __ATOMIC_RELAXED);

    return from > 0 && (double)(to - from) >= 0.1 * limit &&
           (double)(to - slot->start_ms) >= 0.9 * limit &&
           (double)(to - from) >= 4 * RUNNER_WATCH_MS;
}

/* Checked fixture, in the child: take the next slot, start the sample timer. */
static void runner_crash_arm(void)
{
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL,
                           .sigev_signo = RUNNER_SAMPLE_SIGNAL};
    struct itimerspec when = {0};
    timer_t timer;
    double after_s;
    int i;

    if (runner_crash.shared == NULL)
        return;
    i = __atomic_fetch_add(&runner_crash.shared->next, 1, __ATOMIC_SEQ_CST);
    if (i >= runner_crash.nslots)
        return;
    runner_crash.mine = &runner_crash.shared->slots[i];
    runner_crash.mine->start_ms = (long long)runner_now_ms();
    __atomic_store_n(&runner_crash.mine->pid, getpid(), __ATOMIC_RELEASE);
    if (runner_crash.watcher > 0)   /* under Yama, only so may it read /proc/PID/syscall */
        prctl(PR_SET_PTRACER, (unsigned long)runner_crash.watcher);
    after_s = runner_crash.entries[i].timeout_s * 0.8;
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0)
        return;
    when.it_value.tv_sec = (time_t)after_s;
    when.it_value.tv_nsec = (long)((after_s - (double)(time_t)after_s) * 1e9);
    timer_settime(timer, 0, &when, NULL);
}

/*
 * Before the run: the shared slots, the handlers (on an alternate stack,
 * so a stack overflow is caught too).  Without them the tests run as
 * before, their crashes unlocated.
 */
static void runner_crash_init(const struct runner_entry *entries, int n)
{
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    struct sigaction sa = {.sa_sigaction = runner_on_signal};
    size_t size = sizeof(struct runner_shared) + (size_t)n * sizeof(struct runner_slot);
    static char alt_stack[64 * 1024];   /* the handlers' stack, for good */
    stack_t alt = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    void *warm[2], *map;

    map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return;
    runner_crash.shared = map;
    runner_crash.size = size;
    runner_crash.nslots = n;
    runner_crash.entries = entries;
    backtrace(warm, 2);
    sigaltstack(&alt, NULL);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigaction(RUNNER_SAMPLE_SIGNAL, &sa, NULL);
    sa.sa_flags |= SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    if (__asan_set_error_report_callback != NULL)
        __asan_set_error_report_callback(runner_on_asan_report);
    runner_watch_start();
}

/* After the run: the default actions back, the slots unmapped. */
static void runner_crash_done(void)
{
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);
    signal(RUNNER_SAMPLE_SIGNAL, SIG_DFL);
    runner_watch_stop();
    if (runner_crash.shared != NULL)
        munmap(runner_crash.shared, runner_crash.size);
    runner_crash.shared = NULL;
}

/* The instructions to name, best first: the PC, then the callers' calls. */
static int runner_slot_pcs(const struct runner_slot *slot, void *pcs[], int max)
{
    int n = 0, k = 0;

    pcs[n++] = slot->pc;
    /* The frames above the handler's own start at the interrupted PC. */
    while (k < slot->nframes && slot->frames[k] != slot->pc)
        k++;
    for (k++; k < slot->nframes && n < max; k++)
        pcs[n++] = (char *)slot->frames[k] - 1;   /* inside the call */
    return n;
}

static const char *runner_signal_name(int signo)
{
    switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
    }
}

#ifdef TC_HAVE_LIBDW
/* The function pc's code is from: the innermost inlined one, else fallback. */
static const char *runner_inlined_name(Dwfl_Module *mod, Dwarf_Addr pc,
                                       const char *fallback)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, &bias), *scopes = NULL;
    const char *name = fallback;
    int n = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;

    for (int i = 0; i < n; i++) {
        int tag = dwarf_tag(&scopes[i]);

        if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram) {
            const char *die_name = dwarf_diename(&scopes[i]);

            if (die_name == NULL && tag == DW_TAG_inlined_subroutine) {
                Dwarf_Attribute attr;
                Dwarf_Die origin;

                if (dwarf_attr(&scopes[i], DW_AT_abstract_origin, &attr) &&
                    dwarf_formref_die(&attr, &origin))
                    die_name = dwarf_diename(&origin);
            }
            if (die_name != NULL) {
                name = die_name;   /* lives as long as the Dwfl */
                break;
            }
        }
    }
    free(scopes);
    return name;
}

/*
 * "in FUNC() at FILE:LINE" for the first of pcs in the student's file,
 * else "in FUNC() (MODULE)" for the first; 0 if libdw named nothing.
 */
static int runner_symbolize(void *const pcs[], int n, char *buf, size_t len)
{
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_linux_proc_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    Dwfl *dwfl = dwfl_begin(&cb);
    int found = 0;

    if (dwfl == NULL)
        return 0;
    if (dwfl_linux_proc_report(dwfl, getpid()) == 0 &&
        dwfl_report_end(dwfl, NULL, NULL) == 0) {
        for (int i = 0; i < n && found < 2; i++) {
            Dwarf_Addr pc = (Dwarf_Addr)(uintptr_t)pcs[i];
            Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
            const char *func = mod ? dwfl_module_addrname(mod, pc) : NULL;
            Dwfl_Line *dl = mod ? dwfl_module_getsrc(mod, pc) : NULL;
            const char *file = dl ? dwfl_lineinfo(dl, NULL, NULL, NULL, NULL, NULL) : NULL;
            const char *base = file ? strrchr(file, '/') : NULL;
            int lineno = 0;

            base = base ? base + 1 : file;
            if (dl != NULL)
                dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL);
            if (base != NULL && strcmp(base, RUNNER_STUDENT_FILE) == 0) {
                func = runner_inlined_name(mod, pc, func);
                snprintf(buf, len, "in %s() at %s:%d", func ? func : "?", base, lineno);
                found = 2;
            } else if (!found && func != NULL) {
                const char *mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL,
                                                     NULL, NULL, NULL);
                const char *mbase = mname ? strrchr(mname, '/') : NULL;
                snprintf(buf, len, "in %s() (%s)", func,
                         mbase ? mbase + 1 : mname ? mname : "?");
                found = 1;
            }
        }
    }
    dwfl_end(dwfl);
    return found;
}

#else
/*
 * Offsets of pcs in the test program (its own frames only: the student's
 * code is linked into it), as " 0xOFF" words; 0 if none is in it.
 */
static int runner_program_offsets(void *const pcs[], int n, char *buf, size_t len)
{
    Dl_info self, at;
    size_t used = 0;
    int count = 0;

    buf[0] = '\0';
    if (dladdr((void *)runner_main, &self) == 0)
        return 0;
    for (int i = 0; i < n && used + 24 < len; i++) {
        if (dladdr(pcs[i], &at) != 0 && at.dli_fbase == self.dli_fbase) {
            used += (size_t)snprintf(buf + used, len - used, " 0x%zx",
                                     (size_t)((char *)pcs[i] - (char *)self.dli_fbase));
            count++;
        }
    }
    return count;
}

/*
 * The grader's line, "tc-location: suite/case/test WHAT 0xOFF...", and
 * into where the first offset, for a reader with no libdw.  Without an
 * offset in the test program, no line, unless `always`.
 */
static void runner_print_offsets(void *const pcs[], int n, const struct runner_entry *e,
                                 const char *what, int always, char *where, size_t len)
{
    char offsets[RUNNER_FRAMES * 20];
    int count = runner_program_offsets(pcs, n, offsets, sizeof offsets);

    if (count == 0 && !always)
        return;
    fprintf(stderr, "tc-location: %s/%s/%s %s%s\n", e->suite, e->tcase, e->test,
            what, offsets);
    if (count > 0)
        snprintf(where, len, "at offset %.*s of the test program; libdw-dev names the line",
                 (int)strcspn(offsets + 1, " "), offsets + 1);
}
#endif

/*
 * What slot recorded, for a failed test e: " (crashed (SIGSEGV) in relu()
 * at kernels.c:172)" into buf ("" if nothing); and, for the grader, a
 * "tc-location: suite/case/test SIGSEGV|hung|waiting 0xOFF..." line on
 * stderr.  waited: the test timed out waiting on itself
 * (runner_slot_waited()), which is said even with no sample of where.
 */
static void runner_describe_slot(const struct runner_slot *slot,
                                 const struct runner_entry *e, int waited, char *buf,
                                 size_t len)
{
    void *pcs[RUNNER_FRAMES + 1];
    char where[256] = "";
    const char *what;
    int n = 0;

    buf[0] = '\0';
    if (slot->asan[0] != '\0') {
        snprintf(buf, len, " (AddressSanitizer: %s)", slot->asan);
        return;
    }
    if (slot->signo == 0 && !waited)
        return;
    what = waited ? "waiting" : slot->hung ? "hung" : runner_signal_name(slot->signo);
    if (slot->signo != 0)
        n = runner_slot_pcs(slot, pcs, RUNNER_FRAMES + 1);
#ifdef TC_HAVE_LIBDW
    (void)e;
    if (n > 0)
        runner_symbolize(pcs, n, where, sizeof where);
#else
    runner_print_offsets(pcs, n, e, what, waited, where, sizeof where);
#endif
    if (where[0] == '\0' && n > 0)
        snprintf(where, sizeof where, "at %p", slot->pc);
    if (waited)
        snprintf(buf, len, " (waiting%s%s when the time was nearly up, every thread "
                 "blocked and none computing: a deadlock, or a wait that nothing ends)",
                 where[0] ? " " : "", where);
    else if (slot->hung)
        snprintf(buf, len, " (still running %s when the time was nearly up)", where);
    else
        snprintf(buf, len, " (crashed (%s) %s)", what, where);
}

/*
 * The per-test timeout of a case: its own, else --timeout; with --budget
 * (the time the grader gives the whole case), at most an equal share of
 * it with one share to spare, so that even if every test hangs the case
 * ends inside the budget and the tests that passed still count.
 */
static double runner_case_timeout(const struct tc_case *tcase, double timeout_s,
                                  double budget_s)
{
    double t = tcase->timeout_s > 0 ? tcase->timeout_s : timeout_s;
    if (budget_s > 0) {
        double share = budget_s / (runner_count_tests(tcase) + 1);
        if (share < t)
            t = share < 1.0 ? 1.0 : share;
    }
    return t;
}

/*
 * A Check TCase for the selected tests of one case (whose first test is
 * plan test `base`); records them in entries[*nentries..].
 */
static TCase *runner_make_tcase(const struct runner_plan *plan, int base,
                                const struct tc_suite *suite,
                                const struct tc_case *tcase, double timeout_s,
                                double budget_s, struct runner_entry *entries,
                                int *nentries)
{
    TCase *tc = tcase_create(tcase->name);
    double tcase_timeout = runner_case_timeout(tcase, timeout_s, budget_s);

    tcase_set_timeout(tc, tcase_timeout);
    tcase_add_checked_fixture(tc, runner_crash_arm, NULL);
    for (int t = 0; tcase->tests != NULL && tcase->tests[t] != NULL; t++) {
        if (!runner_test_selected(plan, base, t))
            continue;
        /* An exit test: only a body that ran to tc_exit_passed() passes. */
        _tcase_add_test(tc, tcase->tests[t], 0, TC_EXIT_PASSED, 0, 1);
        entries[*nentries] = (struct runner_entry){
            suite->name, tcase->name, tcase->tests[t]->name, tcase_timeout};
        (*nentries)++;
    }
    return tc;
}

/* Adds a Suite of the selected cases of every table to sr, in order. */
static void runner_build(SRunner *sr, const struct runner_plan *plan,
                         double timeout_s, double budget_s,
                         struct runner_entry *entries, int *nentries)
{
    int base = 0;

    for (int s = 0; plan->suites[s] != NULL; s++) {
        const struct tc_suite *suite = plan->suites[s];
        int n = runner_count_cases(suite);
        Suite *cs = NULL;

        for (int c = 0; c < n; c++) {
            const struct tc_case *tcase = &suite->cases[c];

            if (runner_case_selected(plan, tcase, base) > 0) {
                if (cs == NULL)
                    cs = suite_create(suite->name);
                suite_add_tcase(cs, runner_make_tcase(plan, base, suite, tcase,
                                                      timeout_s, budget_s, entries,
                                                      nentries));
            }
            base += runner_count_tests(tcase);
        }
        if (cs != NULL)
            srunner_add_suite(sr, cs);
    }
}

/*
 * Prints tr's line, named after its entry e (NULL if Check ran extras);
 * where: what its crash slot says (runner_describe_slot), or "".
 */
static void runner_print_result(TestResult *tr, const struct runner_entry *e,
                                const char *where)
{
    const char *suite = e ? e->suite : "?", *test = e ? e->test : "?";
    const char *tcase = e ? e->tcase : tr_tcname(tr);
    const char *file = tr_lfile(tr), *msg = tr_msg(tr);

    if (e != NULL && strcmp(e->tcase, tr_tcname(tr)) != 0)
        fprintf(stderr, "runner: a result of case %s came where %s/%s/%s "
                        "was expected\n", tr_tcname(tr), suite, tcase, test);
    if (tr_rtype(tr) == CK_PASS)
        printf("PASS %s/%s/%s\n", suite, tcase, test);
    else
        printf("FAIL %s/%s/%s: %s:%d: %s%s\n", suite, tcase, test,
               file ? file : "?", tr_lno(tr), msg ? msg : "(no message)", where);
}

/*
 * Where failed test i (entry e, result tr) crashed or hung, if its slot
 * recorded it and Check's verdict agrees: a hang only for a timeout.
 */
static void runner_locate(TestResult *tr, int i, const struct runner_entry *e,
                          char *where, size_t len)
{
    const struct runner_slot *slot;
    const char *msg = tr_msg(tr);
    int timed_out;

    if (runner_crash.shared == NULL || i >= runner_crash.nslots)
        return;
    slot = &runner_crash.shared->slots[i];
    timed_out = msg != NULL && strstr(msg, "timeout") != NULL;
    if (slot->hung && slot->asan[0] == '\0' && !timed_out)
        return;
    runner_describe_slot(slot, e, timed_out && runner_slot_waited(slot, e), where, len);
}

/*
 * Prints the results and the summary; returns the number of tests that did
 * not pass (a registered test Check did not run counts as failed).
 */
static int runner_report(SRunner *sr, const struct runner_entry *entries,
                         int nentries, int quiet)
{
    TestResult **tr = srunner_results(sr);
    int n = srunner_ntests_run(sr), passed = 0, failed;

    if (n != nentries)
        fprintf(stderr, "runner: Check ran %d tests, %d were registered\n", n,
                nentries);
    for (int i = 0; i < n; i++) {
        char where[320] = "";

        if (tr_rtype(tr[i]) == CK_PASS)
            passed++;
        else if (i < nentries)
            runner_locate(tr[i], i, &entries[i], where, sizeof where);
        if (!quiet)
            runner_print_result(tr[i], i < nentries ? &entries[i] : NULL, where);
    }
    free(tr);   /* the array only: srunner_free() owns the results */
    failed = (n > nentries ? n : nentries) - passed;
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}

/* Check's own environment filters would break the entry/result pairing. */
static void runner_clear_check_env(void)
{
    unsetenv("CK_RUN_SUITE");
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_INCLUDE_TAGS");
    unsetenv("CK_EXCLUDE_TAGS");
}

/* Fails early, with a usage error, if the XML file cannot be written. */
static int runner_check_xml(const char *path, const char *prog)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/*
 * Points fd 1 at stderr while the tests run and returns a copy of the real
 * stdout (-1 if that failed: then nothing is redirected).  Tests inherit
 * fd 1, so a kernel's debug printf -- perhaps with no final newline --
 * cannot break or split the result lines, which alone go to stdout.
 */
static int runner_stdout_to_stderr(void)
{
    int saved;

    fflush(NULL);   /* forked tests must not inherit unwritten output */
    saved = dup(STDOUT_FILENO);
    if (saved >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        close(saved);
        saved = -1;
    }
    return saved;
}

/* Undoes runner_stdout_to_stderr(). */
static void runner_restore_stdout(int saved)
{
    if (saved < 0)
        return;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
}

/*
 * The grading seed from the environment (tcheck.h): TC_SEED unset or
 * empty is none; anything but a decimal number is a usage error.
 */
static int runner_grading_seed(const char *prog)
{
    const char *text = getenv("TC_SEED");
    char *end;

    if (text == NULL || text[0] == '\0') {
        tc_set_grading_seed(0, 0);
        return 0;
    }
    errno = 0;
    unsigned long long seed = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0) {
        fprintf(stderr, "%s: TC_SEED must be a decimal number, got '%s'\n", prog, text);
        return -1;
    }
    tc_set_grading_seed(1, (uint64_t)seed);
    return 0;
}

/* Runs the selected tests; returns RUNNER_OK or RUNNER_FAILED. */
static int runner_run(const struct runner_plan *plan,
                      const struct runner_opts *opts)
{
    int total = runner_count_selected(plan), nentries = 0, failed, saved;
    struct runner_entry *entries = calloc((size_t)total + 1, sizeof *entries);
    SRunner *sr = srunner_create(NULL);

    if (entries == NULL) {
        fprintf(stderr, "runner: out of memory\n");
        srunner_free(sr);
        return RUNNER_FAILED;
    }
    runner_build(sr, plan, opts->timeout_s, opts->budget_s, entries, &nentries);
    runner_clear_check_env();
    tc_set_info(!opts->quiet);
    tc_set_notes(opts->notes);
    /* Every element a kernel leaves unwritten is then told (tensor.h). */
    tensor_set_poison(1);
    srunner_set_fork_status(sr, CK_FORK);
    if (opts->xml != NULL)
        srunner_set_xml(sr, opts->xml);
    runner_crash_init(entries, nentries);
    saved = runner_stdout_to_stderr();
    srunner_run_all(sr, CK_SILENT);
    runner_restore_stdout(saved);
    failed = runner_report(sr, entries, nentries, opts->quiet);
    runner_crash_done();
    srunner_free(sr);
    free(entries);
    return failed == 0 ? RUNNER_OK : RUNNER_FAILED;
}

/* User + system time of this process and of its waited-for tests, in ms. */
static double runner_cpu_ms(void)
{
    struct rusage self, kids;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
                    kids.ru_stime.tv_sec) * 1e3 +
           (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
                    kids.ru_stime.tv_usec) / 1e3;
}

/* DIR/results-ID.xml with each '/' of ID a '-' (malloc'd), as the grader names it. */
static char *runner_each_path(const char *dir, const char *id)
{
    size_t n = strlen(dir) + strlen(id) + sizeof "/results-.xml";
    char *path = malloc(n);

    if (path == NULL)
        return NULL;
    snprintf(path, n, "%s/results-%s.xml", dir, id);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/')
            *p = '-';
    return path;
}

/*
 * --each-xml DIR: every --only ID run as if by its own `--only ID --xml
 * DIR/results-ID.xml`, one after another, so one process serves many
 * units.  Before each, "\ntc-unit: ID\n" on stderr and "tc-unit: ID\n" on
 * stdout; after it, on stdout, "tc-unit-end: WALL_MS CPU_MS".  Exit status
 * as for one run of them all.
 */
static int runner_each(const struct tc_suite *const suites[], const struct runner_opts *opts,
                       const char *prog)
{
    int rc = RUNNER_OK;

    for (int i = 0; i < opts->nonly; i++) {
        struct runner_opts one = *opts;
        struct runner_plan plan = {suites, 0, 0, NULL};

        one.only = &opts->only[i];
        one.nonly = 1;
        one.each_dir = NULL;
        one.xml = runner_each_path(opts->each_dir, opts->only[i]);
        if (one.xml == NULL || runner_plan_init(&plan, suites, &one, prog) < 0 ||
            runner_check_xml(one.xml, prog) < 0) {
            free(plan.selected);
            free((char *)one.xml);
            return RUNNER_USAGE;
        }
        fflush(stdout);
        fprintf(stderr, "\ntc-unit: %s\n", opts->only[i]);
        printf("tc-unit: %s\n", opts->only[i]);
        double t0 = runner_now_ms(), c0 = runner_cpu_ms();
        if (runner_run(&plan, &one) != RUNNER_OK)
            rc = RUNNER_FAILED;
        printf("tc-unit-end: %.0f %.0f\n", runner_now_ms() - t0, runner_cpu_ms() - c0);
        free(plan.selected);
        free((char *)one.xml);
    }
    return rc;
}

int runner_main(int argc, char **argv, const struct tc_suite *const suites[])
{
    struct runner_opts opts = {.timeout_s = RUNNER_DEFAULT_TIMEOUT};
    struct runner_plan plan = {suites, 0, 0, NULL};
    const char *prog = argc > 0 ? argv[0] : "tests";
    int rc, parsed;

    /*
     * Line-buffered even into a pipe (`make test | tee`, CI): a test's
     * debug printf reaches the terminal line by line, before a crash or
     * timeout kills its process with a full buffer unwritten.
     */
    setvbuf(stdout, NULL, _IOLBF, 0);
    opts.only = calloc((size_t)argc + 1, sizeof *opts.only);
    if (opts.only == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return RUNNER_USAGE;
    }
    parsed = runner_parse_args(argc, argv, &opts);
    if (parsed > 0) {
        rc = RUNNER_OK;
    } else if (parsed < 0 || runner_grading_seed(prog) < 0 ||
        runner_plan_init(&plan, suites, &opts, prog) < 0 ||
        (opts.xml != NULL && !opts.list && runner_check_xml(opts.xml, prog) < 0)) {
        rc = RUNNER_USAGE;
    } else if (opts.list) {
        runner_list(&plan);
        rc = RUNNER_OK;
    } else if (opts.each_dir != NULL) {
        rc = runner_each(suites, &opts, prog);   /* every ID checked above */
    } else {
        rc = runner_run(&plan, &opts);
    }
    free(plan.selected);
    free(opts.only);
    return rc;
}
