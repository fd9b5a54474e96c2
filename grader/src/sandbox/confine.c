/*
 * confine.c -- Landlock and seccomp for the fallback sandbox (the design
 * is in confine.h).
 *
 * Landlock is used through its system calls; the structures and rights
 * the installed <linux/landlock.h> may be too old to name are defined
 * below from the kernel's ABI (they never change once released).  The
 * seccomp filter is written with libseccomp and exported as BPF, so the
 * child only hands the kernel a ready program.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create, CLONE_NEW* */
#endif

#include "sandbox/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- Landlock's ABI ---------------------------------------------------- */

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
struct cnf_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;  /* ABI 4 */
    uint64_t scoped;              /* ABI 6 */
};

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)      /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#endif
#define CNF_NET_BIND_TCP (1ULL << 0)               /* ABI 4 */
#define CNF_NET_CONNECT_TCP (1ULL << 1)
#define CNF_SCOPE_ABSTRACT_UNIX (1ULL << 0)        /* ABI 6 */
#define CNF_SCOPE_SIGNAL (1ULL << 1)

/* ABI 1's rights: execute .. make_sym. */
#define CNF_FS_ABI1 ((1ULL << 13) - 1)
/* The rights that apply to a file (the others only to folders). */
#define CNF_FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
#define CNF_FS_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
                     LANDLOCK_ACCESS_FS_READ_DIR)

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

__attribute__((format(printf, 3, 4)))
static int cnf_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The kernel's Landlock ABI version, or -errno. */
static int cnf_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? -errno : (int)abi;
}

static uint64_t cnf_fs_handled(int abi)
{
    uint64_t fs = CNF_FS_ABI1;
    if (abi >= 2)
        fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return fs;
}

/* A new ruleset handling what `abi` knows (nothing of the network before 4). */
static int cnf_ruleset_new(int abi)
{
    struct cnf_ruleset_attr attr = {.handled_access_fs = cnf_fs_handled(abi)};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        attr.handled_access_net = CNF_NET_BIND_TCP | CNF_NET_CONNECT_TCP;
        size += sizeof attr.handled_access_net;
    }
    if (abi >= 6) {
        attr.scoped = CNF_SCOPE_ABSTRACT_UNIX | CNF_SCOPE_SIGNAL;
        size += sizeof attr.scoped;
    }
    long fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    return fd < 0 ? -1 : (int)fd;
}

/*
 * Allows `rights` (of those handled) beneath path; a file gets only the
 * rights that apply to files.  -1 with errno if path cannot be opened.
 */
static int cnf_ruleset_allow(int ruleset, int abi, const char *path, uint64_t rights)
{
    struct landlock_path_beneath_attr pb;
    struct stat sb;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    rights &= cnf_fs_handled(abi);
    if (!S_ISDIR(sb.st_mode))
        rights &= CNF_FS_FILE;
    memset(&pb, 0, sizeof pb);
    pb.allowed_access = rights;
    pb.parent_fd = fd;
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    errno = e;
    return rc < 0 ? -1 : 0;
}

static int cnf_prepare_landlock(struct cnf *c, const struct cnf_paths *paths,
                                char *err, size_t errlen)
{
    int fd = cnf_ruleset_new(c->landlock_abi);
    if (fd < 0)
        return cnf_fail(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
    c->ruleset_fd = fd;
    for (size_t i = 0; paths && paths->read && paths->read[i]; i++)
        if (cnf_ruleset_allow(fd, c->landlock_abi, paths->read[i], CNF_FS_READ) < 0
            && errno != ENOENT && errno != ENOTDIR)
            return cnf_fail(err, errlen, "landlock rule for %s: %s", paths->read[i],
                            strerror(errno));
    for (size_t i = 0; paths && paths->write && paths->write[i]; i++)
        if (cnf_ruleset_allow(fd, c->landlock_abi, paths->write[i], ~0ULL) < 0
            && errno != ENOENT && errno != ENOTDIR)
            return cnf_fail(err, errlen, "landlock rule for %s: %s", paths->write[i],
                            strerror(errno));
    c->layers |= CNF_LANDLOCK;
    return 0;
}

/* ---- seccomp -------------------------------------------------------------- */

/* Refused with EPERM (names this architecture lacks are skipped). */
static const char *const cnf_denied[] = {
    /* the network */
    "socket", "socketcall", "connect", "bind", "listen", "accept", "accept4",
    /* other processes */
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    /* mounts and namespaces */
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
    "open_tree_attr", "mount_setattr",
    /* the kernel itself */
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key",
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "sysfs",
    "uselib", "vhangup", "nfsservctl", "_sysctl", "fanotify_init",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
    "iopl", "ioperm", "name_to_handle_at", "open_by_handle_at",
};

/* clone() flags that make a namespace: each refused alone. */
static const uint64_t cnf_clone_ns[] = {
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME,
};

static int cnf_seccomp_rules(scmp_filter_ctx ctx)
{
    for (size_t i = 0; i < sizeof cnf_denied / sizeof cnf_denied[0]; i++) {
        int nr = seccomp_syscall_resolve_name(cnf_denied[i]);
        if (nr == __NR_SCMP_ERROR)
            continue;
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < sizeof cnf_clone_ns / sizeof cnf_clone_ns[0]; i++) {
        uint64_t f = cnf_clone_ns[i];
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
        if (rc < 0)
            return rc;
    }
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

/* Reads the whole of fd (from its start) into a malloc'd buffer. */
static void *cnf_read_all(int fd, size_t *len)
{
    struct stat sb;
    if (fstat(fd, &sb) < 0 || sb.st_size <= 0 || lseek(fd, 0, SEEK_SET) < 0)
        return NULL;
    char *buf = malloc((size_t)sb.st_size);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return NULL;
        }
        got += (size_t)r;
    }
    *len = got;
    return buf;
}

static int cnf_prepare_seccomp(struct cnf *c, char *err, size_t errlen)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return cnf_fail(err, errlen, "seccomp_init failed");
    /* cnf_apply() sets no_new_privs itself, before Landlock needs it. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc == 0)
        rc = cnf_seccomp_rules(ctx);
    int fd = rc == 0 ? memfd_create("sbx-seccomp", MFD_CLOEXEC) : -1;
    if (rc == 0 && fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    size_t len = 0;
    if (rc == 0) {
        c->filter = cnf_read_all(fd, &len);
        if (!c->filter || len % sizeof(struct sock_filter) != 0
            || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
            rc = -EINVAL;
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        return cnf_fail(err, errlen, "building the seccomp filter: %s", strerror(-rc));
    c->filter_len = (unsigned short)(len / sizeof(struct sock_filter));
    c->layers |= CNF_SECCOMP;
    return 0;
}

/* 0 if this kernel can install a seccomp filter, else an errno. */
static int cnf_seccomp_errno(void)
{
    uint32_t action = SECCOMP_RET_ERRNO;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
        return 0;
    return errno;
}

/* ---- the API ---------------------------------------------------------------- */

unsigned cnf_probe(char *why, size_t whylen)
{
    unsigned layers = 0;
    int abi = cnf_landlock_abi(), se = cnf_seccomp_errno();
    char buf[256] = "";
    if (abi > 0)
        layers |= CNF_LANDLOCK;
    else
        snprintf(buf, sizeof buf, "Landlock: %s",
                 -abi == EOPNOTSUPP ? "disabled in the kernel (boot with lsm=...,landlock)"
                                    : strerror(-abi));
    if (se == 0)
        layers |= CNF_SECCOMP;
    else
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%sseccomp: %s",
                 buf[0] ? "; " : "", strerror(se));
    if (why)
        snprintf(why, whylen, "%s", buf);
    return layers;
}

int cnf_prepare(struct cnf *c, unsigned want, const struct cnf_paths *paths,
                char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->ruleset_fd = -1;
    int abi = cnf_landlock_abi();
    c->landlock_abi = abi > 0 ? abi : 0;
    if ((want & CNF_LANDLOCK) && c->landlock_abi > 0
        && cnf_prepare_landlock(c, paths, err, errlen) < 0)
        return -1;
    if ((want & CNF_SECCOMP) && cnf_seccomp_errno() == 0
        && cnf_prepare_seccomp(c, err, errlen) < 0)
        return -1;
    return 0;
}

int cnf_apply(const struct cnf *c, int ruleset_fd, enum cnf_step *step)
{
    if (!c->layers)
        return 0;
    *step = CNF_STEP_NO_NEW_PRIVS;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return errno;
    *step = CNF_STEP_LANDLOCK;
    if ((c->layers & CNF_LANDLOCK) && syscall(SYS_landlock_restrict_self, ruleset_fd, 0) < 0)
        return errno;
    *step = CNF_STEP_SECCOMP;
    if (c->layers & CNF_SECCOMP) {
        struct sock_fprog prog = {.len = c->filter_len, .filter = c->filter};
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
            return errno;
    }
    return 0;
}

void cnf_release(struct cnf *c)
{
    if (!c)
        return;
    if (c->ruleset_fd >= 0)
        close(c->ruleset_fd);
    c->ruleset_fd = -1;
    free(c->filter);
    c->filter = NULL;
    c->filter_len = 0;
    c->layers = 0;
}

const char *cnf_layers_name(unsigned layers)
{
    switch (layers & CNF_ALL_LAYERS) {
    case CNF_LANDLOCK | CNF_SECCOMP: return "landlock, seccomp";
    case CNF_LANDLOCK: return "landlock";
    case CNF_SECCOMP: return "seccomp";
    default: return "";
    }
}

const char *cnf_step_name(enum cnf_step step)
{
    switch (step) {
    case CNF_STEP_NO_NEW_PRIVS: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case CNF_STEP_LANDLOCK: return "landlock_restrict_self";
    case CNF_STEP_SECCOMP: return "installing the seccomp filter";
    }
    return "?";
}
