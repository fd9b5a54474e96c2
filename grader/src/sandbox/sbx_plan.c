/*
 * sbx_plan.c -- what the sandboxed program will be, decided before fork()
 * (sbx_priv.h: sbx_plan_build): its argv, environment, candidate paths
 * and rlimits; for bubblewrap, the probe of what the installed bwrap can
 * do and the bwrap argv that binds the system and the workdir; for the
 * fallback, the Landlock and seccomp layers (confine.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/sbx.h"
#include "sandbox/sbx_priv.h"
#include "util/strv.h"

#define SBX_DEFAULT_PATH "/usr/bin:/bin"
/* What bwrap shows of the host's system, and the fallback lets read. */
static const char *const sbx_system_dirs[] = {
    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};
static const char *const sbx_system_etc[] = {
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
    "/etc/localtime",
};

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
/* ---- plans ---------------------------------------------------------------- */

void sbx_plan_release(struct sbx_plan *p)
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

/*
 * The memo of bwrap's features (sbx.h: struct sbx_probe).  A probe costs
 * two forks and an exec (~10 ms here, as much as the real run's own
 * start), so one per bwrap binary, not one per run; the binary's
 * identity (device, inode, size, times, mode) is the key, so a bwrap
 * upgraded or made setuid while a batch runs is probed again.
 */
struct sbx_probe {
    pthread_mutex_t lock;
    bool valid;
    char *path;
    struct stat id;
    struct sbx_bwrap_feat feat;
};

struct sbx_probe *sbx_probe_new(void)
{
    struct sbx_probe *m = calloc(1, sizeof *m);
    if (m && pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void sbx_probe_free(struct sbx_probe *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->path);
    free(m);
}

static bool sbx_same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* sbx_bwrap_probe() through opts->probe when there is one; only a probe
 * that succeeded is remembered. */
static int sbx_bwrap_features(const struct sbx_opts *opts, const char *bwrap,
                              struct sbx_bwrap_feat *feat, struct sbx_result *res)
{
    struct sbx_probe *m = opts->probe;
    struct stat id;
    if (!m || stat(bwrap, &id) < 0)
        return sbx_bwrap_probe(opts, bwrap, feat, res);
    pthread_mutex_lock(&m->lock);   /* held while probing: the others wait, not probe too */
    int rc = 0;
    if (m->valid && strcmp(m->path, bwrap) == 0 && sbx_same_file(&m->id, &id)) {
        *feat = m->feat;
    } else if ((rc = sbx_bwrap_probe(opts, bwrap, feat, res)) == 0) {
        char *path = strdup(bwrap);
        if (path) {          /* no memory for the memo: the next run probes again */
            free(m->path);
            m->path = path;
            m->id = id;
            m->feat = *feat;
            m->valid = true;
        }
    }
    pthread_mutex_unlock(&m->lock);
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
    for (size_t i = 0; opts->empty_dirs && opts->empty_dirs[i]; i++) {
        struct stat sb;
        char *dir = (char *)opts->empty_dirs[i];
        if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))   /* bwrap cannot make one in /usr */
            strv_push_all(a, (char *const[]){"--tmpfs", dir, "--remount-ro", dir}, 4);
    }
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
int sbx_plan_build(struct sbx_plan *p, struct sbx_bwrap_feat *feat,
                   const struct sbx_limits *lim, const struct sbx_opts *opts,
                   char *const argv[], struct sbx_result *res)
{
    memset(feat, 0, sizeof *feat);
    sbx_plan_base(p, lim, opts, opts->env);
    p->stdin_path = opts->stdin_path;   /* the real run's only: not the bwrap probe's */
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
        int rc = sbx_bwrap_features(opts, bwrap, feat, res);
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
