/*
 * sbx_child.c -- the keeper and the program, between fork() and execve()
 * (sbx_priv.h: sbx_child).  The keeper sets limits and identity, becomes
 * a child subreaper, forks the program in its own process group, and when
 * the program exits kills that group, reaps what was reparented to it and
 * exits the way the program did; it also notices the grader's death.
 * Async-signal-safe calls only: everything was prepared in a struct
 * sbx_plan before fork() (sbx_plan.c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* _Fork, close_range */
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/sbx.h"
#include "sandbox/sbx_priv.h"

#define SBX_ORPHAN_SIGNAL SIGUSR1 /* the keeper's news that the grader died */

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
void sbx_child(const struct sbx_plan *p, const int fds[SBX_FD_COUNT])
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
