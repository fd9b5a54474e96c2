/*
 * confine.h -- the fallback sandbox's kernel layers, for where bubblewrap
 * cannot start (containers without user namespaces, chroots): Landlock
 * and a seccomp filter.  Prefix cnf_.
 *
 * Theory of operation.  Both layers are unprivileged (they need only
 * no_new_privs) and inherited by every descendant, so Check's fork per
 * test and everything the program starts stay confined.  They are built
 * in the parent, before fork(), by cnf_prepare(): a Landlock ruleset (a
 * file descriptor holding the rules) and a seccomp BPF program (exported
 * by libseccomp into memory).  The child, after its uid drop and right
 * before execve(), calls cnf_apply(), which makes only system calls
 * (async-signal-safe): prctl(PR_SET_NO_NEW_PRIVS), landlock_restrict_self()
 * and the filter's installation, the filter last since it is what
 * refuses the calls of the other steps.
 *
 * Landlock: files and folders of cnf_paths.read may be read and executed
 * (read and list, for folders), those of cnf_paths.write may also be
 * written (every file-system right: create, remove, rename, truncate
 * inside); nothing else can be opened at all, whatever its permissions.
 * Rights the running kernel's Landlock ABI lacks are not asked for (ABI 1
 * cannot stop cross-folder renames, ABI < 3 truncate(2)).  Where the ABI
 * is 4 or more, TCP bind and connect are refused too; where it is 6 or
 * more, signals and abstract UNIX sockets cannot reach outside the
 * sandbox.
 *
 * seccomp: the filter allows everything but what a test never needs and
 * an escape would: sockets and the network (socket, connect, bind,
 * listen, accept), ptrace and access to other processes' memory or
 * descriptors, mount and the other namespace calls (mount, umount2,
 * pivot_root, chroot, unshare, setns, the new mount API; clone with a
 * CLONE_NEW* flag; clone3, whose flags a filter cannot read, fails with
 * ENOSYS so the C library falls back to clone), kexec, modules, reboot,
 * bpf, perf_event_open, userfaultfd, io_uring (which would bypass the
 * filter), the key ring, swap, quotas, the clock, raw I/O ports, file
 * handles.  Each fails with EPERM (the program sees an error, not a
 * kill); a system call of another ABI (int 0x80, x32) kills the process.
 *
 * What it does not do: hide the host's processes (no PID namespace:
 * /proc lists them, though other users' details stay private), give a
 * private /tmp (the host's is not writable at all; the caller points
 * TMPDIR at the scratch folder), or limit anything (rlimits and the
 * wall-clock kill are sbx.h's).
 */
#ifndef CONFINE_H
#define CONFINE_H

#include <stddef.h>
#include <stdint.h>

/** The layers, as bits of cnf_probe() and struct cnf.layers. */
enum cnf_layer {
    CNF_LANDLOCK = 1u << 0,
    CNF_SECCOMP = 1u << 1,
};

#define CNF_ALL_LAYERS (CNF_LANDLOCK | CNF_SECCOMP)

/** The step of cnf_apply() that failed. */
enum cnf_step {
    CNF_STEP_NO_NEW_PRIVS,
    CNF_STEP_LANDLOCK,
    CNF_STEP_SECCOMP,
};

/** What Landlock may open; both lists NULL-terminated, either may be NULL. */
struct cnf_paths {
    const char *const *read;  /* read and execute */
    const char *const *write; /* read, execute and write; in both lists, paths
                                 that do not exist are skipped */
};

/** A prepared confinement: fill with cnf_prepare(), free with cnf_release(). */
struct cnf {
    unsigned layers;          /* the CNF_* that cnf_apply() will install */
    int ruleset_fd;           /* Landlock's ruleset (CLOEXEC), or -1 */
    int landlock_abi;         /* the kernel's Landlock ABI version, 0 if none */
    void *filter;             /* seccomp BPF (struct sock_filter[]), or NULL */
    unsigned short filter_len; /* its instructions */
};

/**
 * The layers this kernel offers (a CNF_* mask), without changing
 * anything; *why (may be NULL) says what is missing and why, or "" when
 * nothing is: "Landlock: not supported by the kernel (ENOSYS)".
 */
unsigned cnf_probe(char *why, size_t whylen);

/**
 * Builds the layers of `want` (a CNF_* mask) that the kernel offers.
 * Returns 0 with c->layers the layers built (a layer the kernel lacks is
 * simply left out: compare with want), or -1 with err set if a layer the
 * kernel offers could not be built (out of memory, a path that exists
 * but cannot be opened).  Release *c with cnf_release() in both cases.
 */
int cnf_prepare(struct cnf *c, unsigned want, const struct cnf_paths *paths,
                char *err, size_t errlen);

/**
 * In the child, after fork() and the uid drop, right before execve().
 * ruleset_fd is c->ruleset_fd or a copy of it (it is not closed here).
 * Only system calls: async-signal-safe.  Returns 0, or an errno with
 * *step set to the step that failed.
 */
int cnf_apply(const struct cnf *c, int ruleset_fd, enum cnf_step *step);

/** Closes and frees what cnf_prepare() made; safe on a zeroed or released cnf. */
void cnf_release(struct cnf *c);

/** "landlock, seccomp", "seccomp", "" -- the layers of a mask, for people. */
const char *cnf_layers_name(unsigned layers);

/** "no_new_privs", "landlock_restrict_self", "seccomp filter". */
const char *cnf_step_name(enum cnf_step step);

#endif /* CONFINE_H */
