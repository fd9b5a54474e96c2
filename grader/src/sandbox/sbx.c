/*
 * sbx.c -- run one untrusted command under limits, in bubblewrap or not
 * (the design is in sbx.h).  This file: the API and the parent's side
 * (fork, output, wait, verdict); the keeper and the program are in
 * sbx_child.c, the plan and the bwrap argv in sbx_plan.c (sbx_priv.h).
 *
 * Processes: the grader forks the keeper, which sets limits and identity,
 * becomes a child subreaper and forks the program (bwrap, or the command
 * itself) in its own process group.  When the program exits the keeper
 * kills that group and reaps whatever was reparented to it, then exits
 * the way the program did; so the grader's wait4() on the keeper sees the
 * program's status and the rusage of the whole tree.
 *
 * The parent prepares everything in a struct sbx_plan (argv,
 * environment, candidate paths to execve, rlimits) before fork(), so the
 * keeper and the program make only async-signal-safe calls.  They
 * write fixed-size messages to a CLOEXEC pipe: the program's group, or
 * the step that failed; the parent reads EOF there once exec succeeded.
 * The parent then pumps stdout/stderr into head+tail buffers
 * (sbx_stream_*) until the keeper exits or the deadline passes (then it
 * kills the program's group), reaps the keeper and classifies.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* _Fork, close_range, sigabbrev_np, sigdescr_np */
#endif

#include "sandbox/sbx.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/sbx_priv.h"
#include "util/strv.h"

#define SBX_DEFAULT_OUTPUT (64u << 10)
#define SBX_TICK_MS 20            /* exit polling when there is no pidfd */
#define SBX_READ_CHUNK (64u << 10)
#define SBX_DRAIN_READS 64        /* after the kill: at most 4 MiB more */
#define SBX_NOBODY 65534

_Static_assert((unsigned)SBX_LAYER_LANDLOCK == (unsigned)CNF_LANDLOCK
               && (unsigned)SBX_LAYER_SECCOMP == (unsigned)CNF_SECCOMP,
               "sbx_fallback_layers() passes confine.h's mask on");

static const char *const sbx_step_names[] = {
    "redirecting file descriptors", "setpgid", "prctl(PR_SET_PDEATHSIG)",
    "setrlimit", "setgroups", "setgid", "setuid", "chdir to the workdir",
    "prctl(PR_SET_CHILD_SUBREAPER)", "fork", "prctl(PR_SET_NO_NEW_PRIVS)",
    "landlock_restrict_self", "installing the seccomp filter", "execve",
};

/* One captured stream: the first head_cap bytes and a ring of the last. */
struct sbx_stream {
    int fd;                  /* read end; -1 after EOF */
    char *head, *tail;
    size_t head_cap, head_len;
    size_t tail_cap, tail_len, tail_end;  /* tail_end: next write index */
    uint64_t total;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t sbx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void sbx_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

__attribute__((format(printf, 2, 3)))
int sbx_internal(struct sbx_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    res->status = SBX_INTERNAL;
    return -1;
}

/* ---- output streams ------------------------------------------------------ */

static int sbx_stream_init(struct sbx_stream *s, uint64_t limit)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    if (limit == 0)
        limit = SBX_DEFAULT_OUTPUT;
    if (limit > SIZE_MAX / 2)
        limit = SIZE_MAX / 2;
    s->head_cap = (size_t)(limit - limit / 2);
    s->tail_cap = (size_t)(limit / 2);
    s->head = malloc(s->head_cap);
    s->tail = s->tail_cap ? malloc(s->tail_cap) : NULL;
    return s->head && (s->tail || !s->tail_cap) ? 0 : -1;
}

static void sbx_stream_release(struct sbx_stream *s)
{
    sbx_close(&s->fd);
    free(s->head);
    free(s->tail);
    s->head = s->tail = NULL;
}

/* Keeps the first head_cap bytes ever fed and the last tail_cap. */
static void sbx_stream_feed(struct sbx_stream *s, const char *buf, size_t n)
{
    s->total += n;
    size_t h = s->head_cap - s->head_len;
    if (h > n)
        h = n;
    memcpy(s->head + s->head_len, buf, h);
    s->head_len += h;
    buf += h;
    n -= h;
    if (n == 0 || s->tail_cap == 0)
        return;
    if (n > s->tail_cap) {   /* only the last tail_cap bytes can survive */
        buf += n - s->tail_cap;
        n = s->tail_cap;
    }
    s->tail_len = s->tail_len + n > s->tail_cap ? s->tail_cap : s->tail_len + n;
    while (n > 0) {
        size_t c = s->tail_cap - s->tail_end;
        if (c > n)
            c = n;
        memcpy(s->tail + s->tail_end, buf, c);
        s->tail_end = (s->tail_end + c) % s->tail_cap;
        buf += c;
        n -= c;
    }
}

/* Reads what is there, at most max_reads times; closes the fd at EOF. */
static void sbx_stream_pump(struct sbx_stream *s, int max_reads)
{
    char buf[SBX_READ_CHUNK];
    for (int i = 0; s->fd >= 0 && i < max_reads; i++) {
        ssize_t r = read(s->fd, buf, sizeof buf);
        if (r > 0)
            sbx_stream_feed(s, buf, (size_t)r);
        else if (r < 0 && errno == EINTR)
            continue;
        else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        else
            sbx_close(&s->fd);   /* EOF, or an error that will not go away */
    }
}

/* The kept text: head, a marker if bytes were dropped, tail.  NULL on OOM. */
static char *sbx_stream_take(const struct sbx_stream *s, size_t *len)
{
    uint64_t omitted = s->total - s->head_len - s->tail_len;
    char marker[64] = "";
    if (omitted)
        snprintf(marker, sizeof marker, "\n[... %llu bytes omitted ...]\n",
                 (unsigned long long)omitted);
    size_t mlen = strlen(marker);
    char *out = malloc(s->head_len + mlen + s->tail_len + 1);
    if (!out)
        return NULL;
    char *p = out;
    memcpy(p, s->head, s->head_len);
    p += s->head_len;
    memcpy(p, marker, mlen);
    p += mlen;
    if (s->tail_len) {
        size_t start = (s->tail_end + s->tail_cap - s->tail_len) % s->tail_cap;
        size_t first = s->tail_cap - start < s->tail_len ? s->tail_cap - start : s->tail_len;
        memcpy(p, s->tail + start, first);
        memcpy(p + first, s->tail, s->tail_len - first);
        p += s->tail_len;
    }
    *p = '\0';
    *len = (size_t)(p - out);
    return out;
}

/* ---- the parent ------------------------------------------------------------ */

/* 1 once pid has exited (it stays unreaped). */
static bool sbx_exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno != EINTR;
    return si.si_pid != 0;
}

/* A descriptor that polls readable when pid exits, or -1 (then we tick). */
static int sbx_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0)
        return (int)fd;
#else
    (void)pid;
#endif
    return -1;
}

/*
 * Pumps both streams until pid exits (returns 0), wall_ms after t0
 * passes (returns 1) or *cancel is set (returns 2).  Returns -1 if poll()
 * fails.
 */
static int sbx_watch(struct sbx_stream st[2], pid_t pid, int pidfd,
                     uint64_t wall_ms, uint64_t t0, const volatile sig_atomic_t *cancel)
{
    for (;;) {
        if (sbx_exited(pid))
            return 0;
        if (cancel && *cancel)
            return 2;
        int timeout = -1;
        if (wall_ms) {
            uint64_t spent = sbx_now_ms() - t0;
            if (spent >= wall_ms)
                return 1;
            timeout = wall_ms - spent > INT_MAX ? INT_MAX : (int)(wall_ms - spent);
        }
        if (pidfd < 0 && (timeout < 0 || timeout > SBX_TICK_MS))
            timeout = SBX_TICK_MS;
        if (cancel && (timeout < 0 || timeout > SBX_CANCEL_MS))
            timeout = SBX_CANCEL_MS;
        struct pollfd pf[3];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++)
            if (st[i].fd >= 0)
                pf[n++] = (struct pollfd){.fd = st[i].fd, .events = POLLIN};
        if (pidfd >= 0)
            pf[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        if (poll(pf, n, timeout) < 0 && errno != EINTR)
            return -1;
        for (int i = 0; i < 2; i++)   /* bounded, so the deadline is checked */
            sbx_stream_pump(&st[i], 16);
    }
}

/* Reads the children's messages, blocking until exec or exit closes the pipe. */
static void sbx_read_report(int fd, struct sbx_outcome *oc)
{
    struct sbx_child_msg m;
    for (;;) {
        ssize_t r = read(fd, &m, sizeof m);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)sizeof m)
            return;   /* EOF: exec succeeded, or everyone exited */
        if (m.step == SBX_MSG_STARTED) {
            oc->pgid = (pid_t)m.value;
        } else if (!oc->child_failed) {
            oc->child_failed = true;
            oc->err = m;
        }
    }
}

/* Reads what bwrap wrote to its status pipe (it has exited by now). */
static void sbx_read_status(int fd, struct sbx_outcome *oc)
{
    while (fd >= 0 && oc->json_len < sizeof oc->json - 1) {
        ssize_t r = read(fd, oc->json + oc->json_len, sizeof oc->json - 1 - oc->json_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        oc->json_len += (size_t)r;
    }
    oc->json[oc->json_len] = '\0';
}

static void sbx_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void sbx_fill_usage(struct sbx_result *res, const struct rusage *ru)
{
    uint64_t us = (uint64_t)ru->ru_utime.tv_sec * 1000000u + (uint64_t)ru->ru_utime.tv_usec
                + (uint64_t)ru->ru_stime.tv_sec * 1000000u + (uint64_t)ru->ru_stime.tv_usec;
    res->cpu_ms = us / 1000u;
    res->max_rss_kb = ru->ru_maxrss > 0 ? (uint64_t)ru->ru_maxrss : 0;
}

/* The pipes of one run: [0] read end (parent), [1] write end (child). */
struct sbx_pipes {
    int out[2], err[2], report[2], status[2];
    int devnull;
};

static void sbx_pipes_close(struct sbx_pipes *pp)
{
    int *all[] = {&pp->out[0], &pp->out[1], &pp->err[0], &pp->err[1],
                  &pp->report[0], &pp->report[1], &pp->status[0], &pp->status[1],
                  &pp->devnull};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sbx_close(all[i]);
}

/* stdin is `stdin_path` (NULL: /dev/null), opened here: the sandbox need not see it. */
static int sbx_pipes_open(struct sbx_pipes *pp, bool want_status, const char *stdin_path)
{
    pp->out[0] = pp->out[1] = pp->err[0] = pp->err[1] = -1;
    pp->report[0] = pp->report[1] = pp->status[0] = pp->status[1] = -1;
    pp->devnull = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (pp->devnull < 0 || pipe2(pp->out, O_CLOEXEC) < 0 || pipe2(pp->err, O_CLOEXEC) < 0
        || pipe2(pp->report, O_CLOEXEC) < 0
        || (want_status && pipe2(pp->status, O_CLOEXEC) < 0)) {
        int e = errno;
        sbx_pipes_close(pp);
        errno = e;
        return -1;
    }
    return 0;
}

/*
 * After the keeper exited or the deadline passed: kill the program's
 * group if it is still running (the keeper then reaps it and exits
 * within SBX_REAP_GRACE_S), reap the keeper, drain, measure.
 */
static void sbx_finish(pid_t keeper, struct sbx_stream st[2], struct sbx_pipes *pp,
                       struct sbx_outcome *oc, struct sbx_result *res, uint64_t t0)
{
    struct rusage ru;
    if (oc->timed_out) {
        /* The keeper reaps the program only after this group is dead, so
         * the pgid is still the program's unless it already exited. */
        if (oc->pgid > 0)
            kill(-oc->pgid, SIGKILL);
        else
            kill(-keeper, SIGKILL);   /* never heard of the program */
    }
    memset(&ru, 0, sizeof ru);
    while (wait4(keeper, &oc->status, 0, &ru) < 0 && errno == EINTR)
        ;
    for (int i = 0; i < 2; i++)   /* bounded: an escaped process may still write */
        sbx_stream_pump(&st[i], SBX_DRAIN_READS);
    res->wall_ms = sbx_now_ms() - t0;
    sbx_fill_usage(res, &ru);
    sbx_read_status(pp->status[0], oc);
}

/* Moves the captured text into res; -1 on OOM. */
static int sbx_take_output(struct sbx_stream st[2], struct sbx_result *res)
{
    res->out = sbx_stream_take(&st[0], &res->out_len);
    res->err = sbx_stream_take(&st[1], &res->err_len);
    res->out_total = st[0].total;
    res->err_total = st[1].total;
    if (res->out && res->err)
        return 0;
    return sbx_internal(res, "sandbox: out of memory");
}

/*
 * Forks, runs the plan, collects output and waits.  Fills *oc and the
 * measured fields of res.  Returns -1 (res INTERNAL) if the parent side
 * failed: no pipes, no fork, no memory.
 */
int sbx_spawn(const struct sbx_plan *p, const struct sbx_limits *lim,
              struct sbx_result *res, struct sbx_outcome *oc)
{
    struct sbx_stream st[2];
    struct sbx_pipes pp;
    int rc = -1;
    memset(oc, 0, sizeof *oc);
    if (sbx_stream_init(&st[0], lim->output_bytes) < 0
        || sbx_stream_init(&st[1], lim->output_bytes) < 0) {
        sbx_stream_release(&st[0]);
        sbx_stream_release(&st[1]);
        return sbx_internal(res, "sandbox: out of memory");
    }
    if (sbx_pipes_open(&pp, p->status_fd, p->stdin_path) < 0) {
        sbx_internal(res, "sandbox: cannot create pipes: %s", strerror(errno));
        goto out;
    }
    const int fds[SBX_FD_COUNT] = {pp.devnull, pp.out[1], pp.err[1], pp.report[1],
                                   pp.status[1],
                                   p->bwrap ? p->seccomp_fd : p->cnf.ruleset_fd};
    uint64_t t0 = sbx_now_ms();
    pid_t pid = fork();
    if (pid == 0)
        sbx_child(p, fds);
    if (pid < 0) {
        sbx_internal(res, "sandbox: fork failed: %s", strerror(errno));
        goto out;
    }
    setpgid(pid, pid);   /* also here, whoever runs first */
    sbx_close(&pp.out[1]);
    sbx_close(&pp.err[1]);
    sbx_close(&pp.report[1]);
    sbx_close(&pp.status[1]);
    sbx_close(&pp.devnull);
    sbx_read_report(pp.report[0], oc);
    st[0].fd = pp.out[0];
    st[1].fd = pp.err[0];
    pp.out[0] = pp.err[0] = -1;
    sbx_set_nonblock(st[0].fd);
    sbx_set_nonblock(st[1].fd);
    if (pp.status[0] >= 0)
        sbx_set_nonblock(pp.status[0]);
    int watch = 0;
    if (!oc->child_failed) {
        int pidfd = sbx_pidfd_open(pid);
        watch = sbx_watch(st, pid, pidfd, lim->wall_ms, t0, p->cancel);
        sbx_close(&pidfd);
    }
    oc->timed_out = watch == 1 || watch == 2;
    oc->cancelled = watch == 2;
    sbx_finish(pid, st, &pp, oc, res, t0);
    if (watch < 0)
        sbx_internal(res, "sandbox: poll failed: %s", strerror(errno));
    else
        rc = sbx_take_output(st, res);
out:
    sbx_pipes_close(&pp);
    sbx_stream_release(&st[0]);
    sbx_stream_release(&st[1]);
    return rc;
}

/* ---- verdicts ------------------------------------------------------------- */

/* "SIGSEGV (segmentation fault)", or "signal 77". */
static void sbx_signal_text(int sig, char *buf, size_t n)
{
    const char *abbrev = sigabbrev_np(sig), *descr = sigdescr_np(sig);
    if (!abbrev || !descr) {
        snprintf(buf, n, "signal %d", sig);
        return;
    }
    snprintf(buf, n, "SIG%s (%s)", abbrev, descr);
    char *paren = strchr(buf, '(');
    if (paren && paren[1] >= 'A' && paren[1] <= 'Z' && !(paren[2] >= 'A' && paren[2] <= 'Z'))
        paren[1] = (char)(paren[1] - 'A' + 'a');   /* "Segmentation" -> "segmentation" */
}

static void sbx_verdict_signal(int sig, const struct sbx_limits *lim, struct sbx_result *res)
{
    uint64_t cpu_s = (lim->cpu_ms + 999) / 1000;
    char text[96];
    res->term_signal = sig;
    if (lim->cpu_ms && (sig == SIGXCPU || (sig == SIGKILL && res->cpu_ms >= cpu_s * 1000))) {
        res->status = SBX_CPU_LIMIT;
        snprintf(res->message, sizeof res->message, "CPU time limit of %llu s exceeded",
                 (unsigned long long)cpu_s);
    } else if (sig == SIGXFSZ) {
        res->status = SBX_FILE_LIMIT;
        snprintf(res->message, sizeof res->message,
                 "file size limit of %llu bytes exceeded",
                 (unsigned long long)lim->file_size_bytes);
        if (!lim->file_size_bytes)   /* someone else's limit */
            snprintf(res->message, sizeof res->message, "file size limit exceeded");
    } else {
        res->status = SBX_SIGNALED;
        sbx_signal_text(sig, text, sizeof text);
        snprintf(res->message, sizeof res->message, "killed by %s", text);
    }
}

/* bwrap failed before the program ran: say what it printed. */
static int sbx_bwrap_failed(struct sbx_result *res, int code)
{
    const char *e = res->err ? res->err : "";
    size_t n = strcspn(e, "\n");
    if (n > 200)
        n = 200;
    if (n == 0)
        return sbx_internal(res, "sandbox: bwrap failed with status %d", code);
    return sbx_internal(res, "sandbox: bwrap failed: %.*s", (int)n, e);
}

int sbx_classify(const struct sbx_plan *p, const struct sbx_bwrap_feat *feat,
                 const struct sbx_limits *lim, const struct sbx_outcome *oc,
                 struct sbx_result *res)
{
    if (oc->child_failed) {
        int step = oc->err.step;
        const char *what = step >= 0 && step <= SBX_STEP_EXEC ? sbx_step_names[step] : "?";
        if (step == SBX_STEP_EXEC)
            return sbx_internal(res, "sandbox: cannot execute %s: %s", p->argv.v[0],
                                strerror(oc->err.value));
        return sbx_internal(res, "sandbox: %s failed: %s", what, strerror(oc->err.value));
    }
    if (oc->cancelled) {
        res->status = SBX_CANCELLED;
        snprintf(res->message, sizeof res->message, "stopped: the grader was interrupted");
        return 0;
    }
    if (oc->timed_out) {
        res->status = SBX_TIMEOUT;
        snprintf(res->message, sizeof res->message, "timed out after %llu.%llu s (wall-clock limit)",
                 (unsigned long long)(lim->wall_ms / 1000),
                 (unsigned long long)(lim->wall_ms % 1000 / 100));
        return 0;
    }
    if (WIFSIGNALED(oc->status)) {
        sbx_verdict_signal(WTERMSIG(oc->status), lim, res);
        return 0;
    }
    int code = WIFEXITED(oc->status) ? WEXITSTATUS(oc->status) : 255;
    if (p->bwrap && feat->json_status && !strstr(oc->json, "\"exit-code\""))
        return sbx_bwrap_failed(res, code);
    if (p->bwrap && code > 128 && code < 128 + NSIG) {
        sbx_verdict_signal(code - 128, lim, res);
        return 0;
    }
    res->exit_code = code;
    res->status = code == 0 ? SBX_OK : SBX_EXIT_NONZERO;
    snprintf(res->message, sizeof res->message, "exited with status %d", code);
    return 0;
}

/* ---- the API ---------------------------------------------------------------- */

void sbx_opts_init(struct sbx_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->use_bwrap = SBX_LEVEL_BWRAP;
    opts->uid = SBX_NOBODY;
    opts->gid = SBX_NOBODY;
    opts->umask = 022;
    opts->bwrap_path = "bwrap";
}

int sbx_run(const struct sbx_limits *lim, const struct sbx_opts *opts,
            char *const argv[], struct sbx_result *res)
{
    struct sbx_plan plan;
    struct sbx_bwrap_feat feat;
    struct sbx_outcome oc;
    memset(res, 0, sizeof *res);
    if (!argv || !argv[0])
        return sbx_internal(res, "sandbox: no command to run");
    int rc = sbx_plan_build(&plan, &feat, lim, opts, argv, res);
    if (rc == 0)
        rc = sbx_spawn(&plan, lim, res, &oc);
    if (rc == 0)
        rc = sbx_classify(&plan, &feat, lim, &oc, res);
    sbx_plan_release(&plan);
    return rc;
}

void sbx_result_release(struct sbx_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
    res->out_len = res->err_len = 0;
}

const char *sbx_status_name(enum sbx_status s)
{
    switch (s) {
    case SBX_OK: return "ok";
    case SBX_EXIT_NONZERO: return "exit";
    case SBX_SIGNALED: return "signal";
    case SBX_TIMEOUT: return "timeout";
    case SBX_CPU_LIMIT: return "cpu-limit";
    case SBX_FILE_LIMIT: return "file-limit";
    case SBX_CANCELLED: return "cancelled";
    case SBX_INTERNAL: return "internal";
    }
    return "internal";
}

unsigned sbx_fallback_layers(char *why, size_t whylen)
{
    return cnf_probe(why, whylen);
}

const char *sbx_level_name(int level)
{
    switch (level) {
    case SBX_LEVEL_NONE: return "none";
    case SBX_LEVEL_BWRAP: return "bwrap";
    case SBX_LEVEL_FALLBACK: return "fallback";
    }
    return "?";
}

void sbx_level_describe(int level, unsigned layers, char *buf, size_t n)
{
    if (level != SBX_LEVEL_FALLBACK) {
        snprintf(buf, n, "%s", sbx_level_name(level));
        return;
    }
    const char *have = cnf_layers_name(layers), *lack = cnf_layers_name(~layers);
    snprintf(buf, n, "fallback (%s%s%s)", *have ? have : "no kernel layers",
             *lack ? "; missing: " : "", lack);
}

int sbx_bwrap_available(const struct sbx_opts *opts)
{
    struct sbx_opts o;
    struct sbx_limits lim = {.wall_ms = SBX_PROBE_WALL_MS, .output_bytes = 4096};
    struct sbx_result r;
    char *const argv[] = {"true", NULL};
    if (opts)
        o = *opts;
    else
        sbx_opts_init(&o);
    o.use_bwrap = 1;
    o.workdir = NULL;
    o.ro_binds = NULL;
    o.env = NULL;
    int ok = sbx_run(&lim, &o, argv, &r) == 0 && r.status == SBX_OK;
    sbx_result_release(&r);
    return ok;
}
