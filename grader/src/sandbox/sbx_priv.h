/*
 * sbx_priv.h -- private to sandbox/: what the files of the sbx module
 * (sbx.h) share.  Never included from another folder.
 *
 *   sbx.c        the API, the parent's run/wait/limits core: fork the
 *                keeper, pump its output, wait, classify the verdict
 *   sbx_child.c  the keeper and the program between fork() and execve()
 *   sbx_plan.c   the plan made before fork(), the bwrap probe and argv
 */
#ifndef SBX_PRIV_H
#define SBX_PRIV_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox/confine.h"
#include "sandbox/sbx.h"
#include "util/strv.h"

#define SBX_PROBE_WALL_MS 10000   /* `bwrap --version` and `true` */
#define SBX_REAP_GRACE_S 1        /* the keeper's wait for killed stragglers */
#define SBX_MAX_RLIMITS 5

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
    const char *stdin_path;  /* opts->stdin_path (borrowed), or NULL: /dev/null */
};

/* What bwrap can do, from its version (and whether it is setuid). */
struct sbx_bwrap_feat {
    bool json_status;        /* --json-status-fd: tells setup failures apart */
    bool tmpfs_size;         /* --size before --tmpfs */
    bool disable_userns;     /* --disable-userns */
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

/* ---- sbx.c ---- */

/* Closes *fd if open; *fd = -1. */
void sbx_close(int *fd);

/* Formats res->message, sets res->status = SBX_INTERNAL; returns -1. */
__attribute__((format(printf, 2, 3)))
int sbx_internal(struct sbx_result *res, const char *fmt, ...);

/*
 * Forks, runs the plan, collects output and waits.  Fills *oc and the
 * measured fields of res.  Returns -1 (res INTERNAL) if the parent side
 * failed: no pipes, no fork, no memory.
 */
int sbx_spawn(const struct sbx_plan *p, const struct sbx_limits *lim,
              struct sbx_result *res, struct sbx_outcome *oc);

int sbx_classify(const struct sbx_plan *p, const struct sbx_bwrap_feat *feat,
                 const struct sbx_limits *lim, const struct sbx_outcome *oc,
                 struct sbx_result *res);
/* How the run ended (*oc), for plan p, as res's status and message.  0, or -1
 * (res INTERNAL) when the sandbox itself failed. */

__attribute__((noreturn))
void sbx_child(const struct sbx_plan *p, const int fds[SBX_FD_COUNT]);

/* ---- sbx_child.c ---- */

/* The forked child: becomes the keeper, which runs plan p with its
 * descriptors fds[] (SBX_FD_*; -1 for none) and exits as the program did. */
void sbx_plan_release(struct sbx_plan *p);

/* Builds the plan for opts->use_bwrap: bwrap (probed) or the program itself. */
/* ---- sbx_plan.c ---- */

/* Frees what the plan holds; safe on a zeroed plan. */
int sbx_plan_build(struct sbx_plan *p, struct sbx_bwrap_feat *feat,
                   const struct sbx_limits *lim, const struct sbx_opts *opts,
                   char *const argv[], struct sbx_result *res);

#endif
