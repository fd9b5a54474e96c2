/*
 * proc.c -- run a trusted tool with fork/execve and capture its output.
 *
 * The program is looked up in PATH before fork(), because between fork()
 * and execve() only async-signal-safe calls are allowed (execvp() is not
 * one).  An exec failure travels back as an errno over a close-on-exec
 * pipe: the parent reads EOF when the exec succeeded.
 */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/** A growing capture buffer; `over` once PROC_MAX_OUTPUT was passed. */
struct proc_buf {
    char *p;
    size_t len, cap;
    bool over, oom;
};

static bool proc_is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The full path of `name` in PATH (malloc'd), or NULL. */
static char *proc_find_in_path(const char *name)
{
    if (strchr(name, '/'))
        return proc_is_executable(name) ? strdup(name) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    size_t nlen = strlen(name);
    for (const char *p = path;; ) {
        const char *end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        size_t dlen = (size_t)(end - p);
        char *full = malloc(dlen + nlen + 3);
        if (!full)
            return NULL;
        /* An empty PATH entry means the current folder. */
        if (dlen == 0)
            snprintf(full, nlen + 3, "./%s", name);
        else
            snprintf(full, dlen + nlen + 2, "%.*s/%s", (int)dlen, p, name);
        if (proc_is_executable(full))
            return full;
        free(full);
        if (!*end)
            return NULL;
        p = end + 1;
    }
}

static void proc_buf_add(struct proc_buf *b, const char *data, size_t n)
{
    if (b->over || b->oom)
        return;
    if (b->len + n > PROC_MAX_OUTPUT) {
        b->over = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Reads both pipes until both reach EOF; closes them. */
static void proc_drain(int fds[2], struct proc_buf bufs[2])
{
    struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
    int open = 2;
    char chunk[65536];
    while (open > 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || !pfd[i].revents)
                continue;
            ssize_t n = read(pfd[i].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open--;
            } else {
                proc_buf_add(&bufs[i], chunk, (size_t)n);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
}

/* The child: wire stdin/stdout/stderr and exec; never returns. */
static void proc_child(const char *path, char *const argv[], int devnull,
                       int out_fd, int err_fd, int report_fd)
{
    if (dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
        int e = errno;
        (void)!write(report_fd, &e, sizeof e);
        _exit(127);
    }
    execve(path, argv, environ);
    int e = errno;
    (void)!write(report_fd, &e, sizeof e);   /* atomic: smaller than PIPE_BUF */
    _exit(127);
}

static pid_t proc_wait(pid_t pid, int *status)
{
    pid_t r;
    do
        r = waitpid(pid, status, 0);
    while (r < 0 && errno == EINTR);
    return r;
}

/*
 * The line of `text` that best says what went wrong: the first one
 * mentioning "error" (perl tools such as lcov print warnings first), else
 * the first non-empty one.
 */
static void proc_first_line(const char *text, char *line, size_t n)
{
    line[0] = '\0';
    if (!text)
        return;
    const char *pick = NULL;
    for (const char *p = text; *p; ) {
        size_t len = strcspn(p, "\r\n");
        if (len > 0 && !pick)
            pick = p;
        for (size_t i = 0; i + 5 <= len; i++) {
            if (strncasecmp(p + i, "error", 5) == 0) {
                snprintf(line, n, "%.*s", (int)len, p);
                return;
            }
        }
        p += len;
        p += strspn(p, "\r\n");
    }
    if (pick)
        snprintf(line, n, "%.*s", (int)strcspn(pick, "\r\n"), pick);
}

/* Describes how the tool ended into err; 0 iff exit status 0 and all is well. */
static int proc_verdict(const char *name, int status, const struct proc_buf bufs[2],
                        char *err, size_t errlen)
{
    char line[512];
    proc_first_line(bufs[1].p, line, sizeof line);
    if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "%s: killed by signal %d%s%s", name, WTERMSIG(status),
                 *line ? ": " : "", line);
        return -1;
    }
    if (WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s: exit status %d%s%s", name, WEXITSTATUS(status),
                 *line ? ": " : "", line);
        return -1;
    }
    if (bufs[0].over || bufs[1].over) {
        snprintf(err, errlen, "%s: output too large (more than %zu MiB)", name,
                 PROC_MAX_OUTPUT >> 20);
        return -1;
    }
    if (bufs[0].oom || bufs[1].oom) {
        snprintf(err, errlen, "%s: out of memory reading its output", name);
        return -1;
    }
    return 0;
}

static void proc_close_all(const int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* A pipe whose both ends close on exec (the child dup2()s what it needs). */
static int proc_pipe(int fd[2])
{
    if (pipe(fd) < 0)
        return -1;
    if (fcntl(fd[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd[1], F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* Forks and execs; fills *pid and the parent's read ends.  -1 with err on failure. */
static int proc_start(const char *path, char *const argv[], pid_t *pid,
                      int rd[3], char *err, size_t errlen)
{
    int fd[7] = { -1, -1, -1, -1, -1, -1, -1 };  /* out r/w, err r/w, report r/w, null */
    if (proc_pipe(fd) < 0 || proc_pipe(fd + 2) < 0 || proc_pipe(fd + 4) < 0
        || (fd[6] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "%s: cannot set up pipes: %s", argv[0], strerror(errno));
        proc_close_all(fd, 7);
        return -1;
    }
    *pid = fork();
    if (*pid < 0) {
        snprintf(err, errlen, "%s: fork: %s", argv[0], strerror(errno));
        proc_close_all(fd, 7);
        return -1;
    }
    if (*pid == 0)
        proc_child(path, argv, fd[6], fd[1], fd[3], fd[5]);
    close(fd[1]);
    close(fd[3]);
    close(fd[5]);
    close(fd[6]);
    rd[0] = fd[0];
    rd[1] = fd[2];
    rd[2] = fd[4];
    return 0;
}

int proc_capture(char *const argv[], char **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!argv || !argv[0]) {
        snprintf(err, errlen, "no command");
        return -1;
    }
    char *path = proc_find_in_path(argv[0]);
    if (!path) {
        snprintf(err, errlen, "%s: not found in PATH", argv[0]);
        return -1;
    }
    pid_t pid;
    int rd[3];
    int rc = proc_start(path, argv, &pid, rd, err, errlen);
    free(path);
    if (rc < 0)
        return -1;

    struct proc_buf bufs[2] = { { 0 }, { 0 } };
    proc_drain(rd, bufs);
    int exec_errno = 0;
    ssize_t n;
    do
        n = read(rd[2], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    close(rd[2]);

    int status = 0;
    if (proc_wait(pid, &status) < 0) {
        snprintf(err, errlen, "%s: waitpid: %s", argv[0], strerror(errno));
        rc = -1;
    } else if (n == (ssize_t)sizeof exec_errno) {
        snprintf(err, errlen, "%s: cannot run: %s", argv[0], strerror(exec_errno));
        rc = -1;
    } else {
        rc = proc_verdict(argv[0], status, bufs, err, errlen);
    }
    free(bufs[1].p);
    if (rc == 0 && out) {
        *out = bufs[0].p ? bufs[0].p : strdup("");
        if (!*out) {
            snprintf(err, errlen, "%s: out of memory", argv[0]);
            return -1;
        }
        return 0;
    }
    free(bufs[0].p);
    return rc;
}
