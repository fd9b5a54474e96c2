/*
 * sbx.h -- run one untrusted command in a sandbox (bubblewrap, or where
 * it cannot start the fallback: Landlock and seccomp), under limits, and
 * report how it ended.  Prefix sbx_.  Implemented in sbx.c (the API and
 * the parent's side), sbx_child.c (the keeper) and sbx_plan.c (the plan
 * and the bwrap argv), which share sandbox/sbx_priv.h.
 *
 * Three levels (enum sbx_level, in sbx_opts.use_bwrap):
 *   SBX_LEVEL_BWRAP     bubblewrap's namespaces, below;
 *   SBX_LEVEL_FALLBACK  where bwrap cannot start (containers and chroots
 *                       without user namespaces): Landlock restricts what
 *                       can be opened to the system folders, /proc, the
 *                       ro_binds (read) and the work folder (read-write),
 *                       and a seccomp filter refuses the network, ptrace,
 *                       mounts and namespaces and the kernel's other
 *                       doors (confine.h); a layer the kernel lacks is
 *                       left out (sbx_fallback_layers() says which);
 *   SBX_LEVEL_NONE      limits, uid drop and process group only: for
 *                       trusted code.
 * Every level runs the program under the sandbox uid with the limits, in
 * its own process group, and kills the whole tree when it ends.
 *
 * Theory of operation.  sbx_run() forks; the child (the keeper) becomes
 * its own process group, sets rlimits (CPU, address space, processes,
 * file size, no core dumps), and runs the program (below), which drops
 * to an unprivileged uid/gid when the grader runs as root (root ignores
 * RLIMIT_NPROC and owns every root file) and, under bwrap, runs bwrap,
 * which builds an empty mount namespace: the system folders read-only (/usr, and /bin, /sbin, /lib* as the host has them: symlinks
 * into /usr or bind mounts), the few files of /etc that programs and the
 * compiler need (loader cache and config, /etc/alternatives, localtime;
 * no passwd), a fresh /proc, a minimal /dev, a small tmpfs /tmp
 * (SBX_TMPFS_BYTES), the extra read-only binds, and the work folder bound
 * read-write at its own path (so absolute paths inside, such as gcov's,
 * stay valid).  Nothing else of the host is visible: not the repository,
 * not other submissions.  Only the work folder and /tmp are writable: the
 * root and /dev are remounted read-only (so no /dev/shm either).
 * Network, IPC, PID, UTS (hostname "sandbox") and, where possible, cgroup
 * namespaces are unshared; bwrap dies with its parent, drops all
 * capabilities, forbids further user namespaces (bwrap >= 0.8), starts
 * a new session (no terminal injection) and installs the fallback's
 * seccomp filter (confine.h) before it executes the program, so that a
 * test cannot ptrace the runner that writes its results.
 *
 * The environment is opts->env exactly: it is passed to execve() of bwrap,
 * which hands it on (bwrap itself adds only PWD).  The fallback adds
 * TMPDIR, TMP and TEMP (Check's) set to the workdir when env lacks them,
 * since it has no private /tmp and the host's is not writable.
 *
 * The fallback: the keeper builds nothing; the parent prepares the
 * Landlock ruleset and the seccomp filter before fork() (confine.h) and
 * the program applies them after its uid drop, right before execve(), so
 * they hold for everything it starts (Check's fork per test included).
 *
 * The forked child (the keeper) does not exec anything itself: it sets
 * the limits, becomes a child subreaper and runs the program (bwrap, or
 * argv directly) in a grandchild with its own process group; only the
 * grandchild changes uid, so the sandbox cannot signal the keeper.  When
 * the program exits, the keeper kills that group and then every process
 * reparented to it, as each arrives (nothing the program started, even
 * in a session of its own, outlives sbx_run()), for at most a second,
 * and exits with the program's status.  This is what
 * makes cpu_ms and max_rss_kb count the program through bwrap (bwrap
 * exits without reaping its pid-1 helper, which holds the program's
 * rusage), and it leaves no zombies to a host init that may never reap
 * them (they would count against RLIMIT_NPROC).  If the grader dies,
 * even by SIGKILL, the kernel tells the keeper (PR_SET_PDEATHSIG), which
 * kills the program's group and every process reparented to it, reaps
 * them and exits, so nothing of the sandbox outlives the grader (bwrap's
 * --die-with-parent alone misses a bwrap killed while starting).  bwrap's features are
 * probed with `bwrap --version` (once per run, or once per binary with
 * opts->probe): the exec check below needs
 * 0.5, the tmpfs size 0.7, --disable-userns 0.8 (the last two also a
 * bwrap that is not setuid); an older bwrap runs without them.
 *
 * Verdicts through bwrap: bwrap reports a program killed by signal N as
 * exit status 128+N (it cannot re-raise), so under bwrap an exit status in
 * 129..192 is read as a signal: a program that calls exit(139) is reported
 * as killed by SIGSEGV.  bwrap's own failures (a bad bind, a program that
 * cannot be executed) are told apart from the program's exit status by
 * --json-status-fd, which reports an exit code only once the program was
 * exec'd; they are SBX_INTERNAL.
 *
 * The parent reads stdout and stderr through pipes, keeping at most
 * limits.output_bytes of each: the head and the tail, with a marker
 * between them, so a flood of output costs memory in O(limit) and does
 * not stall the child.  A wall-clock deadline kills the program's process
 * group (and, through bwrap's PID namespace, every descendant).
 *
 * Failures of the sandbox itself (bwrap missing, fork failing) are
 * SBX_INTERNAL with a message; what the child did is one of the others.
 * Only async-signal-safe calls run between fork() and exec().
 *
 * Caveats.  RLIMIT_NPROC counts every process of the uid on the host
 * (bwrap's two processes included), so give each concurrent worker its
 * own uid, and when the grader is not root (it then cannot change uid)
 * the limit also counts the user's other processes (and the keeper).
 * RLIMIT_CPU is per process.  RLIMIT_AS also applies to bwrap (it needs a
 * few MiB).  SBX_LEVEL_NONE isolates nothing.  The fallback shows the
 * host's process list in /proc and has no private /tmp or network
 * namespace (sockets are refused instead).
 * sbx does not chown the work folder: the caller makes it usable by
 * opts->uid (e.g. chown, or mode 0777).
 */
#ifndef SBX_H
#define SBX_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

/** How much isolation sbx_run() builds: the value of sbx_opts.use_bwrap. */
enum sbx_level {
    SBX_LEVEL_NONE = 0,      /* limits, uid drop, process group: trusted code only */
    SBX_LEVEL_BWRAP = 1,     /* bubblewrap (the default) */
    SBX_LEVEL_FALLBACK = 2,  /* Landlock + seccomp, where bwrap cannot start */
};

enum sbx_status {
    SBX_OK,            /* exited with status 0 */
    SBX_EXIT_NONZERO,  /* exited with another status (res->exit_code) */
    SBX_SIGNALED,      /* killed by a signal it got (res->term_signal) */
    SBX_TIMEOUT,       /* killed at the wall-clock limit */
    SBX_CPU_LIMIT,     /* killed by SIGXCPU/SIGKILL at RLIMIT_CPU */
    SBX_FILE_LIMIT,    /* killed by SIGXFSZ at RLIMIT_FSIZE */
    SBX_CANCELLED,     /* killed because *opts->cancel was set (Ctrl-C) */
    SBX_INTERNAL,      /* the sandbox failed; res->message says why */
};

/** How soon a run notices *opts->cancel. */
#define SBX_CANCEL_MS 100

struct sbx_limits {
    uint64_t cpu_ms;          /* RLIMIT_CPU, rounded up to whole seconds; 0 = unlimited */
    uint64_t wall_ms;         /* wall-clock kill; 0 = none */
    uint64_t memory_bytes;    /* RLIMIT_AS; 0 = unlimited */
    uint64_t processes;       /* RLIMIT_NPROC; 0 = unlimited */
    uint64_t output_bytes;    /* kept per stream (head + tail); 0 = 64 KiB */
    uint64_t file_size_bytes; /* RLIMIT_FSIZE; 0 = unlimited */
};

struct sbx_opts {
    const char *workdir;      /* bound read-write at the same path; the cwd.
                                 NULL or "/": nothing bound, the cwd is "/".
                                 Must be usable by uid: sbx does not chown it */
    const char *const *ro_binds; /* extra host paths bound read-only (NULL-terminated, may be NULL) */
    const char *const *empty_dirs; /* directories shown empty and read-only (NULL-terminated,
                                 may be NULL): SBX_LEVEL_BWRAP mounts a tmpfs over each one
                                 the host has, after the ro_binds; the fallback shows them
                                 as they are.  For speed (valgrind then skips the debug
                                 info of /usr/lib/debug), not for secrecy */
    const char *const *env;   /* the whole environment, NULL-terminated;
                                 NULL or empty = "PATH=/usr/bin:/bin" only */
    uid_t uid;                /* uid/gid to run as when the grader is root
                                 (ignored otherwise: the child stays who it is) */
    gid_t gid;
    mode_t umask;             /* the child's umask; sbx_opts_init() sets 022.  002 lets
                                 sandbox users that share a gid share files */
    int use_bwrap;            /* an enum sbx_level: SBX_LEVEL_BWRAP (1, the default),
                                 SBX_LEVEL_FALLBACK, or SBX_LEVEL_NONE (0: trusted code) */
    const char *bwrap_path;   /* default "bwrap", looked up in the grader's PATH */
    const char *stdin_path;   /* opened read-only by the grader (outside the sandbox, so
                                 the file need not be visible inside) as the program's
                                 stdin; NULL: /dev/null.  A file that cannot be opened
                                 is SBX_INTERNAL */
    const volatile sig_atomic_t *cancel; /* when it becomes non-zero (a signal
                                 handler sets it), the run is killed within
                                 SBX_CANCEL_MS: SBX_CANCELLED.  May be NULL */
    struct sbx_probe *probe;  /* SBX_LEVEL_BWRAP: remembers what the bwrap binary can
                                 do (sbx_probe_new()) for every run that shares it,
                                 across threads; NULL: probe it on every run */
};

struct sbx_result {
    enum sbx_status status;
    int exit_code;            /* SBX_OK / SBX_EXIT_NONZERO */
    int term_signal;          /* SBX_SIGNALED */
    uint64_t wall_ms, cpu_ms; /* measured; cpu is user+sys of all waited children */
    uint64_t max_rss_kb;
    char *out, *err;          /* captured, NUL-terminated, malloc'd (maybe trimmed) */
    size_t out_len, err_len;
    uint64_t out_total, err_total; /* bytes the child wrote, before trimming */
    char message[256];        /* for humans, set for every status: "exited with
                                 status 3", "killed by SIGSEGV (segmentation
                                 fault)", "timed out after 2.0 s (wall-clock
                                 limit)", "sandbox: setuid failed: ..." */
};

/** Size of the sandbox's private /tmp (bwrap >= 0.7 enforces it). */
#define SBX_TMPFS_BYTES (64ull << 20)

/**
 * The memo of bwrap's features for sbx_opts.probe: `bwrap --version` runs
 * once per bwrap binary (it is probed again if the file changes), not
 * once per sbx_run().  Thread-safe.  The caller owns it and frees it with
 * sbx_probe_free() after the last run that uses it.  NULL: out of memory.
 */
struct sbx_probe *sbx_probe_new(void);
void sbx_probe_free(struct sbx_probe *probe);

/** Fills *opts with defaults: use_bwrap SBX_LEVEL_BWRAP, uid/gid 65534, umask 022, env NULL. */
void sbx_opts_init(struct sbx_opts *opts);

/**
 * Runs argv[0] (found in the PATH of opts->env unless it has a '/'; a
 * relative path is relative to the workdir) with argv, under `lim` and
 * `opts`, and waits for it.  Returns 0 if the child ran, whatever its
 * verdict (see res->status), or -1 if the sandbox itself failed
 * (res->status SBX_INTERNAL, res->message; out/err may hold bwrap's
 * complaint).  *res needs no initialisation; release it with
 * sbx_result_release() in both cases.
 */
int sbx_run(const struct sbx_limits *lim, const struct sbx_opts *opts,
            char *const argv[], struct sbx_result *res);

/** Frees res->out and res->err.  Safe on a zeroed or released result. */
void sbx_result_release(struct sbx_result *res);

/** "ok", "exit", "signal", "timeout", "cpu-limit", "file-limit", "cancelled", "internal". */
const char *sbx_status_name(enum sbx_status s);

/**
 * 1 if bwrap can create a sandbox here: runs `true` once in the sandbox
 * sbx_run() would build for `opts` (its bwrap_path, uid and gid; no
 * workdir), so user namespaces, the uid drop and the mounts are all
 * checked.  opts may be NULL (defaults).  Takes a few milliseconds.
 */
int sbx_bwrap_available(const struct sbx_opts *opts);

/** The fallback's layers. */
enum sbx_layer {
    SBX_LAYER_LANDLOCK = 1u << 0,
    SBX_LAYER_SECCOMP = 1u << 1,
};

/**
 * The layers (SBX_LAYER_* mask) the fallback gets on this kernel; *why
 * (may be NULL) says what is missing and why, "" if nothing.  Changes
 * nothing; cheap.
 */
unsigned sbx_fallback_layers(char *why, size_t whylen);

/** "none", "bwrap", "fallback". */
const char *sbx_level_name(int level);

/**
 * For reports: "bwrap", "none", or "fallback (landlock, seccomp)",
 * "fallback (seccomp; missing: landlock)" with `layers` from
 * sbx_fallback_layers().
 */
void sbx_level_describe(int level, unsigned layers, char *buf, size_t n);

#endif /* SBX_H */
