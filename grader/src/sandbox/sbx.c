/*
 * sbx.c -- run one untrusted command under limits, in bubblewrap or not
 * (the design is in sbx.h).
 *
 * Processes: the grader forks the keeper, which sets limits and identity,
 * becomes a child subreaper and forks the program (bwrap, or the command
 * itself) in its own process group.  When the program exits the keeper
 * kills that group and reaps whatever was reparented to it, then exits
 * the way the program did; so the grader's wait4() on the keeper sees the
 * program's status and the rusage of the whole tree.
 *
 * The parent prepares everything in a struct sbx_plan (argv, environment,
 * candidate paths to execve, rlimits) before fork(), so the keeper and
 * the program (sbx_child_*) make only async-signal-safe calls.  They
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
#include <linux/filter.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "util/strv.h"

#define SBX_DEFAULT_OUTPUT (64u << 10)
#define SBX_DEFAULT_PATH "/usr/bin:/bin"
#define SBX_PROBE_WALL_MS 10000   /* `bwrap --version` and `true` */
#define SBX_TICK_MS 20            /* exit polling when there is no pidfd */
#define SBX_READ_CHUNK (64u << 10)
#define SBX_DRAIN_READS 64        /* after the kill: at most 4 MiB more */
#define SBX_REAP_GRACE_S 1        /* the keeper's wait for killed stragglers */
#define SBX_ORPHAN_SIGNAL SIGUSR1 /* the keeper's news that the grader died */
#define SBX_MAX_RLIMITS 5
#define SBX_NOBODY 65534

_Static_assert((unsigned)SBX_LAYER_LANDLOCK == (unsigned)CNF_LANDLOCK
               && (unsigned)SBX_LAYER_SECCOMP == (unsigned)CNF_SECCOMP,
               "sbx_fallback_layers() passes confine.h's mask on");

/* The child's descriptors: 0-2 stdio, then these. */
enum {
    SBX_FD_REPORT = 3,   /* CLOEXEC pipe of struct sbx_child_msg */
    SBX_FD_STATUS = 4,   /* bwrap --json-status-fd */
    SBX_FD_LANDLOCK = 5, /* the fallback's Landlock ruleset; bwrap's --seccomp */
    SBX_FD_COUNT = 6,
};

/* What the child was doing when it failed (indexes sbx_step_names), or STARTED. */
enum sbx_step {
    SBX_STEP_FDS, SBX_STEP_SETPGID, SBX_STEP_PDEATHSIG, SBX_STEP_RLIMIT,
    SBX_STEP_SETGROUPS, SBX_STEP_SETGID, SBX_STEP_SETUID, SBX_STEP_CHDIR,
    SBX_STEP_SUBREAPER, SBX_STEP_FORK, SBX_STEP_NO_NEW_PRIVS, SBX_STEP_LANDLOCK,
    SBX_STEP_SECCOMP, SBX_STEP_EXEC,
    SBX_MSG_STARTED,     /* not a failure: value is the program's pid = pgid */
};

static const char *const sbx_step_names[] = {
    "redirecting file descriptors", "setpgid", "prctl(PR_SET_PDEATHSIG)",
    "setrlimit", "setgroups", "setgid", "setuid", "chdir to the workdir",
    "prctl(PR_SET_CHILD_SUBREAPER)", "fork", "prctl(PR_SET_NO_NEW_PRIVS)",
    "landlock_restrict_self", "installing the seccomp filter", "execve",
};

/* What bwrap shows of the host's system, and the fallback lets read. */
static const char *const sbx_system_dirs[] = {
    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};
static const char *const sbx_system_etc[] = {
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
    "/etc/localtime",
};

/* Small enough for one atomic write to a pipe. */
struct sbx_child_msg {
    int step;
    int value;           /* errno, or the pid for SBX_MSG_STARTED */
};

/* Everything the child needs, built before fork(). */
struct sbx_plan {
    struct strv argv;        /* what the program (or bwrap) gets as argv */
    struct strv exe;         /* paths to try with execve, in order */
    struct strv env;         /* the environment, copied */
    char *workdir;           /* absolute, or NULL: nothing bound, cwd "/" */
    struct {
        int resource;
        struct rlimit rl;
    } rlim[SBX_MAX_RLIMITS];
    size_t nrlim;
    bool drop;               /* setgroups + setgid + setuid to uid/gid */
    uid_t uid;
    gid_t gid;
    mode_t umask;
    const volatile sig_atomic_t *cancel;
    bool bwrap;              /* the program is bwrap: 128+N, json status */
    struct cnf cnf;          /* SBX_LEVEL_FALLBACK: the layers to apply */
    int seccomp_fd;          /* SBX_LEVEL_BWRAP: the same filter for --seccomp, or -1 */
    bool status_fd;          /* give the child the status pipe as fd 4 */
    pid_t parent;            /* to notice the grader died before PDEATHSIG */
    int max_fd;              /* bound of the close() loop without close_range */
};

/* What bwrap can do, from its version (and whether it is setuid). */
struct sbx_bwrap_feat {
    bool json_status;        /* --json-status-fd: tells setup failures apart */
    bool tmpfs_size;         /* --size before --tmpfs */
    bool disable_userns;     /* --disable-userns */
};

/* One captured stream: the first head_cap bytes and a ring of the last. */
struct sbx_stream {
    int fd;                  /* read end; -1 after EOF */
    char *head, *tail;
    size_t head_cap, head_len;
    size_t tail_cap, tail_len, tail_end;  /* tail_end: next write index */
    uint64_t total;
};

/* How the child ended, before classification. */
struct sbx_outcome {
    bool child_failed;       /* a failure was reported before exec */
    struct sbx_child_msg err;
    pid_t pgid;              /* the program's process group; 0 if unknown */
    bool timed_out;          /* killed at the deadline (or cancelled) */
    bool cancelled;
    int status;              /* from wait4 */
    char json[1024];         /* what bwrap wrote to --json-status-fd */
    size_t json_len;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t sbx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sbx_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

__attribute__((format(printf, 2, 3)))
static int sbx_internal(struct sbx_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    res->status = SBX_INTERNAL;
    return -1;
}

/* The value of `name` in a NULL-terminated environment, or NULL. */
static const char *sbx_env_get(char *const env[], const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
            return env[i] + n + 1;
    return NULL;
}

static const char *sbx_env_path(char *const env[])
{
    return sbx_env_get(env, "PATH");
}

/* Pushes name itself if it has a '/', else "dir/name" for each PATH dir. */
static void sbx_push_candidates(struct strv *out, const char *name, const char *path)
{
    if (strchr(name, '/')) {
        strv_push(out, name);
        return;
    }
    if (!path || !*path)
        path = SBX_DEFAULT_PATH;
    for (const char *p = path;; p++) {
        const char *end = strchrnul(p, ':');
        int len = (int)(end - p);
        strv_pushf(out, "%.*s/%s", len ? len : 1, len ? p : ".", name);
        if (!*end)
            break;
        p = end;
    }
}

/* ---- the child (async-signal-safe only) ---------------------------------- */

__attribute__((noreturn))
static void sbx_child_fail(int report_fd, enum sbx_step step, int errnum)
{
    struct sbx_child_msg m = {.step = step, .value = errnum};
    ssize_t w = write(report_fd, &m, sizeof m);   /* < PIPE_BUF: atomic */
    (void)w;
    _exit(127);
}

static void sbx_child_close_from(int lowfd, int max_fd)
{
    if (close_range((unsigned)lowfd, ~0u, 0) == 0)
        return;
    for (int fd = lowfd; fd < max_fd; fd++)   /* kernel < 5.9 */
        close(fd);
}

/*
 * Puts src[i] at descriptor i (closing i where src[i] is -1) and closes
 * everything else.  Copies first go above SBX_FD_COUNT, so a source that
 * already sits at a low number is not clobbered before it is used.
 */
static void sbx_child_fds(const int src[SBX_FD_COUNT], int max_fd)
{
    int tmp[SBX_FD_COUNT];
    int report = src[SBX_FD_REPORT];
    for (int i = 0; i < SBX_FD_COUNT; i++) {
        tmp[i] = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD_CLOEXEC, SBX_FD_COUNT);
        if (src[i] >= 0 && tmp[i] < 0)
            sbx_child_fail(report, SBX_STEP_FDS, errno);
    }
    report = tmp[SBX_FD_REPORT];
    for (int i = 0; i < SBX_FD_COUNT; i++) {
        if (tmp[i] < 0)
            close(i);
        else if (dup2(tmp[i], i) < 0)   /* dup2 clears CLOEXEC on i */
            sbx_child_fail(report, SBX_STEP_FDS, errno);
    }
    if (fcntl(SBX_FD_REPORT, F_SETFD, FD_CLOEXEC) < 0)
        sbx_child_fail(report, SBX_STEP_FDS, errno);
    sbx_child_close_from(SBX_FD_COUNT, max_fd);
}

/* Ignored signals and the mask survive exec: give the program defaults. */
static void sbx_child_signals(void)
{
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);   /* fails harmlessly for KILL, STOP */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void sbx_child_rlimits(const struct sbx_plan *p)
{
    for (size_t i = 0; i < p->nrlim; i++)
        if (setrlimit(p->rlim[i].resource, &p->rlim[i].rl) < 0)
            sbx_child_fail(SBX_FD_REPORT, SBX_STEP_RLIMIT, errno);
}

/* The program's identity: the keeper stays who the grader is, out of its reach. */
static void sbx_child_identity(const struct sbx_plan *p)
{
    if (!p->drop)
        return;
    /* Groups first (needs root), then gid, then uid (which drops root). */
    if (setgroups(0, NULL) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SETGROUPS, errno);
    if (setgid(p->gid) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SETGID, errno);
    if (setuid(p->uid) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SETUID, errno);
}

/* Gets `sig` when `parent` dies (a uid change clears it: arm it after). */
static void sbx_child_pdeathsig(pid_t parent, int sig)
{
    if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_PDEATHSIG, errno);
    if (getppid() != parent)
        _exit(127);   /* it died before the signal was armed */
}

/* Tries each candidate like execvp does: EACCES is remembered, ENOENT skipped. */
__attribute__((noreturn))
static void sbx_child_exec(const struct sbx_plan *p)
{
    int err = ENOENT;
    for (size_t i = 0; i < p->exe.n; i++) {
        execve(p->exe.v[i], p->argv.v, p->env.v);
        if (errno == EACCES)
            err = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
            err = errno;
            break;
        }
    }
    sbx_child_fail(SBX_FD_REPORT, SBX_STEP_EXEC, err);
}

/* The fallback's layers, last before execve (the filter refuses setuid's friends). */
static void sbx_child_confine(const struct sbx_plan *p)
{
    static const enum sbx_step steps[] = {
        [CNF_STEP_NO_NEW_PRIVS] = SBX_STEP_NO_NEW_PRIVS,
        [CNF_STEP_LANDLOCK] = SBX_STEP_LANDLOCK,
        [CNF_STEP_SECCOMP] = SBX_STEP_SECCOMP,
    };
    enum cnf_step step = CNF_STEP_NO_NEW_PRIVS;
    if (!p->cnf.layers)
        return;   /* none, or bwrap: SBX_FD_LANDLOCK is bwrap's --seccomp */
    int e = cnf_apply(&p->cnf, SBX_FD_LANDLOCK, &step);
    if (e)
        sbx_child_fail(SBX_FD_REPORT, steps[step], e);
    close(SBX_FD_LANDLOCK);
}

/*
 * The program: its own process group, so the keeper can kill its tree;
 * then the sandbox uid (a uid change clears PDEATHSIG: armed after), the
 * work folder as that uid, and the fallback's layers.
 */
__attribute__((noreturn))
static void sbx_child_program(const struct sbx_plan *p, pid_t keeper)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SBX_ORPHAN_SIGNAL, &dfl, NULL);   /* the keeper's handler stays there */
    if (setpgid(0, 0) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SETPGID, errno);
    sbx_child_identity(p);
    sbx_child_pdeathsig(keeper, SIGKILL);
    if (chdir(p->workdir ? p->workdir : "/") < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_CHDIR, errno);
    sbx_child_confine(p);
    sbx_child_exec(p);
}

/* Dies the way the program died, so the parent's wait4 sees the same status. */
__attribute__((noreturn))
static void sbx_child_mirror(int status)
{
    if (WIFSIGNALED(status)) {
        kill(getpid(), WTERMSIG(status));   /* default action, unblocked */
        _exit(128 + WTERMSIG(status));
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

static void sbx_child_wake(int sig)
{
    (void)sig;   /* only interrupts waitpid() */
}


/*
 * When the grader dies (even by SIGKILL), the kernel sends the keeper
 * SBX_ORPHAN_SIGNAL (PR_SET_PDEATHSIG).  Dying at once would leave the
 * program's tree to chance: bwrap's own --die-with-parent has a window
 * while it starts (its inner process arms it only after the clone), and
 * a bwrap killed there leaves that process asleep forever.  So the keeper
 * kills the program's group, then, being the subreaper of everything
 * below it, kills and reaps its children until none is left, within
 * SBX_REAP_GRACE_S, and exits.  Only the forked keeper sets these.
 */
static volatile pid_t sbx_keeper_prog;   /* the program's pid and group; 0 before the fork */

/* SIGKILLs every child of the calling thread; returns how many it listed. */
static int sbx_child_kill_children(void)
{
    char buf[4096];
    int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC), n = 0;
    ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    if (len <= 0)
        return 0;
    buf[len] = '\0';
    for (char *s = buf; *s;) {
        pid_t pid = 0;
        while (*s >= '0' && *s <= '9')
            pid = pid * 10 + (*s++ - '0');
        if (pid > 0 && kill(pid, SIGKILL) == 0)
            n++;
        while (*s && (*s < '0' || *s > '9'))
            s++;
    }
    return n;
}

/*
 * Kills and reaps what is left of the tree once the program exited: the
 * processes that left its group (setsid), bwrap's pid 1.  Each is killed
 * as it is reparented to the keeper (the subreaper), so the whole tree
 * goes, within SBX_REAP_GRACE_S.  Without /proc, what is left is only
 * reaped as it exits, for as long.
 */
static void sbx_child_sweep(void)
{
    struct sigaction wake;
    memset(&wake, 0, sizeof wake);
    wake.sa_handler = sbx_child_wake;   /* no SA_RESTART: EINTR ends the wait */
    sigaction(SIGALRM, &wake, NULL);
    alarm(SBX_REAP_GRACE_S);
    do
        sbx_child_kill_children();
    while (waitpid(-1, NULL, 0) > 0);
    alarm(0);
    wake.sa_handler = SIG_DFL;   /* the program may have died of SIGALRM */
    sigaction(SIGALRM, &wake, NULL);
}

/* The keeper's SBX_ORPHAN_SIGNAL handler: async-signal-safe calls only. */
static void sbx_keeper_orphaned(int sig)
{
    struct sigaction dfl;
    (void)sig;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGALRM, &dfl, NULL);   /* the bound below ends the keeper */
    alarm(SBX_REAP_GRACE_S);
    if (sbx_keeper_prog > 0)
        kill(-sbx_keeper_prog, SIGKILL);
    while (sbx_child_kill_children() > 0)
        waitpid(-1, NULL, 0);   /* one killed child gone; its orphans are ours now */
    _exit(128 + SIGKILL);
}

/* The keeper, after the fork: report the group, wait, kill, reap, mirror. */
__attribute__((noreturn))
static void sbx_child_keep(const struct sbx_plan *p, pid_t prog)
{
    struct sbx_child_msg m = {.step = SBX_MSG_STARTED, .value = (int)prog};
    siginfo_t si;
    int status = 0;
    setpgid(prog, prog);   /* done before the parent learns the group */
    ssize_t w = write(SBX_FD_REPORT, &m, sizeof m);
    (void)w;
    sbx_child_close_from(0, p->max_fd);   /* EOFs depend on the program alone */
    while (waitid(P_PID, (id_t)prog, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    kill(-prog, SIGKILL);   /* what it left behind; unreaped, so the group is its */
    while (waitpid(prog, &status, 0) < 0 && errno == EINTR)
        ;
    sbx_child_sweep();
    sbx_child_mirror(status);
}

__attribute__((noreturn))
static void sbx_child(const struct sbx_plan *p, const int fds[SBX_FD_COUNT])
{
    sbx_child_fds(fds, p->max_fd);
    if (setpgid(0, 0) < 0)   /* away from the grader's terminal signals */
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SETPGID, errno);
    sbx_child_signals();
    umask(p->umask);
    sbx_child_rlimits(p);
    struct sigaction orphaned;
    memset(&orphaned, 0, sizeof orphaned);
    orphaned.sa_handler = sbx_keeper_orphaned;
    sigfillset(&orphaned.sa_mask);   /* nothing interrupts the clean-up */
    sigaction(SBX_ORPHAN_SIGNAL, &orphaned, NULL);
    sbx_child_pdeathsig(p->parent, SBX_ORPHAN_SIGNAL);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_SUBREAPER, errno);
    pid_t keeper = getpid();
    pid_t prog = _Fork();   /* no atfork handlers: async-signal-safe */
    if (prog < 0)
        sbx_child_fail(SBX_FD_REPORT, SBX_STEP_FORK, errno);
    if (prog == 0)
        sbx_child_program(p, keeper);
    sbx_keeper_prog = prog;
    sbx_child_keep(p, prog);
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

static int sbx_pipes_open(struct sbx_pipes *pp, bool want_status)
{
    pp->out[0] = pp->out[1] = pp->err[0] = pp->err[1] = -1;
    pp->report[0] = pp->report[1] = pp->status[0] = pp->status[1] = -1;
    pp->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
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
static int sbx_spawn(const struct sbx_plan *p, const struct sbx_limits *lim,
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
    if (sbx_pipes_open(&pp, p->status_fd) < 0) {
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

static int sbx_classify(const struct sbx_plan *p, const struct sbx_bwrap_feat *feat,
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

/* ---- plans ---------------------------------------------------------------- */

static void sbx_plan_release(struct sbx_plan *p)
{
    strv_clear(&p->argv);
    strv_clear(&p->exe);
    strv_clear(&p->env);
    free(p->workdir);
    p->workdir = NULL;
    cnf_release(&p->cnf);
    sbx_close(&p->seccomp_fd);
}

static void sbx_plan_rlimit(struct sbx_plan *p, int resource, uint64_t soft, uint64_t hard)
{
    p->rlim[p->nrlim].resource = resource;
    p->rlim[p->nrlim].rl.rlim_cur = (rlim_t)soft;
    p->rlim[p->nrlim].rl.rlim_max = (rlim_t)hard;
    p->nrlim++;
}

/* The limits, the identity and the environment: common to every plan. */
static void sbx_plan_base(struct sbx_plan *p, const struct sbx_limits *lim,
                          const struct sbx_opts *opts, const char *const *env)
{
    static const char *const default_env[] = {"PATH=" SBX_DEFAULT_PATH, NULL};
    memset(p, 0, sizeof *p);
    p->cnf.ruleset_fd = -1;
    p->seccomp_fd = -1;
    if (lim->cpu_ms) {
        uint64_t s = (lim->cpu_ms + 999) / 1000;
        sbx_plan_rlimit(p, RLIMIT_CPU, s, s + 1);   /* SIGXCPU, then SIGKILL */
    }
    if (lim->memory_bytes)
        sbx_plan_rlimit(p, RLIMIT_AS, lim->memory_bytes, lim->memory_bytes);
    if (lim->processes)
        sbx_plan_rlimit(p, RLIMIT_NPROC, lim->processes, lim->processes);
    if (lim->file_size_bytes)
        sbx_plan_rlimit(p, RLIMIT_FSIZE, lim->file_size_bytes, lim->file_size_bytes);
    sbx_plan_rlimit(p, RLIMIT_CORE, 0, 0);
    p->drop = geteuid() == 0;
    p->uid = opts->uid;
    p->gid = opts->gid;
    p->parent = getpid();
    p->umask = opts->umask;
    p->cancel = opts->cancel;
    long max = sysconf(_SC_OPEN_MAX);
    p->max_fd = max < 0 || max > 65536 ? 65536 : (int)max;
    if (!env)
        env = default_env;
    for (size_t i = 0; env[i]; i++)
        strv_push(&p->env, env[i]);
    if (!p->env.v)   /* empty: execve wants an array, not NULL */
        strv_push(&p->env, "PATH=" SBX_DEFAULT_PATH);
}

/* Resolves opts->workdir to an absolute path; "/" means none. */
static int sbx_plan_workdir(struct sbx_plan *p, const struct sbx_opts *opts,
                            struct sbx_result *res)
{
    if (!opts->workdir)
        return 0;
    p->workdir = realpath(opts->workdir, NULL);
    if (!p->workdir)
        return sbx_internal(res, "sandbox: workdir %s: %s", opts->workdir, strerror(errno));
    if (strcmp(p->workdir, "/") == 0) {
        free(p->workdir);
        p->workdir = NULL;
    }
    return 0;
}

/* The first executable "bwrap" in the grader's PATH; NULL if none. */
static char *sbx_find_bwrap(const struct sbx_opts *opts)
{
    struct strv cands = {0};
    char *found = NULL;
    sbx_push_candidates(&cands, opts->bwrap_path ? opts->bwrap_path : "bwrap",
                        getenv("PATH"));
    for (size_t i = 0; i < cands.n && !found; i++)
        if (access(cands.v[i], X_OK) == 0)
            found = strdup(cands.v[i]);
    strv_clear(&cands);
    return found;
}

/*
 * Runs `bwrap --version` (as the sandbox uid, like the real run) and sets
 * *feat from the version.  -1 (res INTERNAL) if bwrap cannot run at all.
 */
static int sbx_bwrap_probe(const struct sbx_opts *opts, const char *bwrap,
                           struct sbx_bwrap_feat *feat, struct sbx_result *res)
{
    struct sbx_limits lim = {.wall_ms = SBX_PROBE_WALL_MS, .output_bytes = 4096};
    struct sbx_plan p;
    struct sbx_outcome oc;
    struct sbx_result r;
    unsigned major = 0, minor = 0, patch = 0;
    struct stat sb;
    int rc = -1;
    memset(&r, 0, sizeof r);
    memset(feat, 0, sizeof *feat);
    sbx_plan_base(&p, &lim, opts, NULL);
    strv_push(&p.argv, "bwrap");
    strv_push(&p.argv, "--version");
    strv_push(&p.exe, bwrap);
    if (p.argv.oom || p.exe.oom || p.env.oom)
        sbx_internal(res, "sandbox: out of memory");
    else if (sbx_spawn(&p, &lim, &r, &oc) < 0 || sbx_classify(&p, feat, &lim, &oc, &r) < 0)
        sbx_internal(res, "%s", r.message);
    else if (r.status != SBX_OK)
        sbx_internal(res, "sandbox: %s --version: %s", bwrap, r.message);
    else
        rc = 0;
    if (rc == 0 && sscanf(r.out, "bubblewrap %u.%u.%u", &major, &minor, &patch) < 2)
        major = minor = patch = 0;   /* unknown: assume the oldest */
    unsigned v = major * 10000 + minor * 100 + patch;
    bool setuid_bwrap = stat(bwrap, &sb) == 0 && (sb.st_mode & S_ISUID);
    feat->json_status = v >= 500;
    feat->tmpfs_size = v >= 700 && !setuid_bwrap;
    feat->disable_userns = v >= 800 && !setuid_bwrap;
    sbx_result_release(&r);
    sbx_plan_release(&p);
    return rc;
}

/* /usr, then /bin, /sbin, /lib* as they are on the host, then bits of /etc. */
static void sbx_bwrap_system(struct strv *a)
{
    const char *const *top = sbx_system_dirs, *const *etc = sbx_system_etc;
    struct stat sb;
    char target[PATH_MAX];
    strv_push_all(a, (char *const[]){"--ro-bind", "/usr", "/usr"}, 3);
    for (size_t i = 0; i < sizeof sbx_system_dirs / sizeof sbx_system_dirs[0]; i++) {
        char *dir = (char *)top[i];
        if (lstat(dir, &sb) < 0)
            continue;
        ssize_t n = S_ISLNK(sb.st_mode) ? readlink(dir, target, sizeof target - 1) : -1;
        if (n > 0) {   /* merged /usr: /bin -> usr/bin */
            target[n] = '\0';
            strv_push_all(a, (char *const[]){"--symlink", target, dir}, 3);
        } else if (S_ISDIR(sb.st_mode)) {
            strv_push_all(a, (char *const[]){"--ro-bind", dir, dir}, 3);
        }
    }
    for (size_t i = 0; i < sizeof sbx_system_etc / sizeof sbx_system_etc[0]; i++)
        strv_push_all(a, (char *const[]){"--ro-bind-try", (char *)etc[i], (char *)etc[i]}, 3);
}

/* bwrap's command line: namespaces, mounts, then "--" and the program. */
static void sbx_bwrap_argv(struct strv *a, const struct sbx_plan *p,
                           const struct sbx_opts *opts, const struct sbx_bwrap_feat *feat,
                           char *const argv[])
{
    static const char *const ns[] = {
        "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
        "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
    };
    strv_push(a, "bwrap");
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        strv_push(a, ns[i]);
    if (feat->disable_userns)
        strv_push(a, "--disable-userns");
    sbx_bwrap_system(a);
    strv_push_all(a, (char *const[]){"--proc", "/proc", "--dev", "/dev"}, 4);
    if (feat->tmpfs_size) {
        strv_push(a, "--size");
        strv_pushf(a, "%llu", (unsigned long long)SBX_TMPFS_BYTES);
    }
    strv_push_all(a, (char *const[]){"--tmpfs", "/tmp"}, 2);
    for (size_t i = 0; opts->ro_binds && opts->ro_binds[i]; i++)
        strv_push_all(a, (char *const[]){"--ro-bind", (char *)opts->ro_binds[i],
                                         (char *)opts->ro_binds[i]}, 3);
    if (p->workdir)
        strv_push_all(a, (char *const[]){"--bind", p->workdir, p->workdir}, 3);
    /* bwrap's root and /dev are tmpfs without a size: no writes there.
     * Last, since the mounts above may create their mount points in /. */
    strv_push_all(a, (char *const[]){"--remount-ro", "/dev", "--remount-ro", "/"}, 4);
    strv_push_all(a, (char *const[]){"--chdir", p->workdir ? p->workdir : "/"}, 2);
    if (feat->json_status) {
        strv_push(a, "--json-status-fd");
        strv_pushf(a, "%d", SBX_FD_STATUS);
    }
    if (p->seccomp_fd >= 0) {
        strv_push(a, "--seccomp");
        strv_pushf(a, "%d", SBX_FD_LANDLOCK);
    }
    strv_push(a, "--");
    for (size_t i = 0; argv[i]; i++)
        strv_push(a, argv[i]);
}

/*
 * The fallback's layers: read the system (as bwrap shows it), /proc and
 * the ro_binds, write the work folder and the harmless devices.  Without
 * a private /tmp, TMPDIR, TMP and TEMP (unless env sets them) are the
 * work folder.
 */
static int sbx_plan_fallback(struct sbx_plan *p, const struct sbx_opts *opts,
                             struct sbx_result *res)
{
    static const char *const read[] = {"/usr", "/proc", "/dev/random", "/dev/urandom"};
    struct strv rd = {0}, wr = {0};
    char err[256] = "";
    strv_push_all(&rd, (char *const *)read, sizeof read / sizeof read[0]);
    strv_push_all(&rd, (char *const *)sbx_system_dirs,
                  sizeof sbx_system_dirs / sizeof sbx_system_dirs[0]);
    strv_push_all(&rd, (char *const *)sbx_system_etc,
                  sizeof sbx_system_etc / sizeof sbx_system_etc[0]);
    for (size_t i = 0; opts->ro_binds && opts->ro_binds[i]; i++)
        strv_push(&rd, opts->ro_binds[i]);
    strv_push_all(&wr, (char *const[]){"/dev/null", "/dev/zero", "/dev/full"}, 3);
    if (p->workdir)
        strv_push(&wr, p->workdir);
    int rc = rd.oom || wr.oom ? -1 : 0;
    if (rc == 0) {
        struct cnf_paths paths = {(const char *const *)rd.v, (const char *const *)wr.v};
        rc = cnf_prepare(&p->cnf, CNF_ALL_LAYERS, &paths, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "out of memory");
    }
    strv_clear(&rd);
    strv_clear(&wr);
    if (rc < 0)
        return sbx_internal(res, "sandbox: fallback: %s", err);
    static const char *const tmpvars[] = {"TMPDIR", "TMP", "TEMP"};   /* TEMP: Check's */
    for (size_t i = 0; p->workdir && i < sizeof tmpvars / sizeof tmpvars[0]; i++)
        if (!sbx_env_get(p->env.v, tmpvars[i]))
            strv_pushf(&p->env, "%s=%s", tmpvars[i], p->workdir);
    return p->env.oom ? sbx_internal(res, "sandbox: out of memory") : 0;
}

/*
 * The fallback's seccomp filter for bwrap too (--seccomp: bwrap installs
 * it right before it executes the program), so that inside its
 * namespaces a test cannot ptrace the runner that writes its results, nor
 * open the kernel's other doors.  Where the kernel has no seccomp, none.
 */
static int sbx_plan_bwrap_seccomp(struct sbx_plan *p, struct sbx_result *res)
{
    struct cnf c;
    char err[256] = "";
    int rc = cnf_prepare(&c, CNF_SECCOMP, NULL, err, sizeof err);
    if (rc == 0 && (c.layers & CNF_SECCOMP)) {
        size_t len = (size_t)c.filter_len * sizeof(struct sock_filter);
        p->seccomp_fd = memfd_create("sbx-seccomp", MFD_CLOEXEC);
        if (p->seccomp_fd < 0 || write(p->seccomp_fd, c.filter, len) != (ssize_t)len
            || lseek(p->seccomp_fd, 0, SEEK_SET) < 0) {
            snprintf(err, sizeof err, "the seccomp filter for bwrap: %s", strerror(errno));
            rc = -1;
        }
    }
    cnf_release(&c);
    return rc < 0 ? sbx_internal(res, "sandbox: %s", err) : 0;
}

/* Builds the plan for opts->use_bwrap: bwrap (probed) or the program itself. */
static int sbx_plan_build(struct sbx_plan *p, struct sbx_bwrap_feat *feat,
                          const struct sbx_limits *lim, const struct sbx_opts *opts,
                          char *const argv[], struct sbx_result *res)
{
    memset(feat, 0, sizeof *feat);
    sbx_plan_base(p, lim, opts, opts->env);
    if (sbx_plan_workdir(p, opts, res) < 0)
        return -1;
    if (opts->use_bwrap == SBX_LEVEL_FALLBACK && sbx_plan_fallback(p, opts, res) < 0)
        return -1;
    if (opts->use_bwrap != SBX_LEVEL_BWRAP) {
        for (size_t i = 0; argv[i]; i++)
            strv_push(&p->argv, argv[i]);
        sbx_push_candidates(&p->exe, argv[0], sbx_env_path(p->env.v));
    } else {
        char *bwrap = sbx_find_bwrap(opts);
        if (!bwrap)
            return sbx_internal(res, "sandbox: %s not found in PATH",
                                opts->bwrap_path ? opts->bwrap_path : "bwrap");
        int rc = sbx_bwrap_probe(opts, bwrap, feat, res);
        if (rc == 0)
            rc = sbx_plan_bwrap_seccomp(p, res);
        if (rc == 0) {
            sbx_bwrap_argv(&p->argv, p, opts, feat, argv);
            strv_push(&p->exe, bwrap);
            p->bwrap = true;
            p->status_fd = feat->json_status;
        }
        free(bwrap);
        if (rc < 0)
            return -1;
    }
    if (p->argv.oom || p->exe.oom || p->env.oom)
        return sbx_internal(res, "sandbox: out of memory");
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
