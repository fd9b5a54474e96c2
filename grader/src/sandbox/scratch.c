/*
 * scratch.c -- the grader's scratch root and each grading's folder (see
 * scratch.h).
 *
 * Why not simply $TMPDIR: the sandbox users own nothing on the way to it,
 * and a clone in a 0700 home (TMPDIR under the clone, as the test scripts
 * set it) puts it out of their reach: bwrap fails to bind it, chdir fails
 * with EACCES.  The permission check below is the one the kernel makes
 * for such a user (no ACLs are consulted: a folder that only an ACL opens
 * is passed over, which is safe).
 */
#include "sandbox/scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/fsutil.h"

/* "drwx------" for a folder's mode. */
static void scr_mode_string(mode_t m, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";
    out[0] = S_ISDIR(m) ? 'd' : '-';
    for (int i = 0; i < 9; i++)
        out[1 + i] = m & (0400u >> i) ? rwx[i] : '-';
    if (m & S_ISVTX)
        out[9] = m & S_IXOTH ? 't' : 'T';
    out[10] = '\0';
}

/* One folder of the path: 1 if others may enter it, 0 (why) if not, -1 (why, errno). */
static int scr_check_folder(const char *path, char *why, size_t whylen)
{
    struct stat st;
    char mode[11];
    if (stat(path, &st) < 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s is not a folder", path);
        errno = ENOTDIR;
        return -1;
    }
    if (!(st.st_mode & S_IXOTH)) {
        scr_mode_string(st.st_mode, mode);
        snprintf(why, whylen, "%s is %s", path, mode);
        return 0;
    }
    return 1;
}

int scr_reachable(const char *dir, char *why, size_t whylen)
{
    char real[PATH_MAX];
    if (!realpath(dir, real)) {
        snprintf(why, whylen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int r = scr_check_folder("/", why, whylen);
    /* Then every prefix of the real path, down to the folder itself. */
    for (char *p = real + 1; r == 1 && real[1]; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        r = scr_check_folder(real, why, whylen);
        *p = c;
        if (c == '\0')
            break;
    }
    return r;
}

/* Why `base` cannot hold a scratch root, into why[]; "" if it can. */
static void scr_check_base(const char *base, bool sandbox_others, char *why, size_t whylen)
{
    struct statvfs vfs;
    struct stat st;
    why[0] = '\0';
    if (sandbox_others) {
        char reason[PATH_MAX + 64];
        int r = scr_reachable(base, reason, sizeof reason);
        if (r < 0)
            snprintf(why, whylen, "%s", reason);
        else if (r == 0)
            snprintf(why, whylen, "the sandbox users cannot reach it (%s)", reason);
    } else if (stat(base, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s", errno ? strerror(errno) : "not a folder");
    }
    /* The test programs are built and run there. */
    if (!why[0] && statvfs(base, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
        snprintf(why, whylen, "it is mounted noexec");
}

/* Creates BASE/grader-PID-XXXXXX with its final mode; 0 or -1 (errno). */
static int scr_make_root(const char *base, bool sandbox_others, struct scr_root *root)
{
    int n = snprintf(root->path, sizeof root->path, "%s/grader-%ld-XXXXXX", base,
                     (long)getpid());
    if (n < 0 || (size_t)n >= sizeof root->path) {
        root->path[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!mkdtemp(root->path)) {
        root->path[0] = '\0';
        return -1;
    }
    /* 0711: the sandbox users pass through, but cannot list the gradings. */
    if (sandbox_others && chmod(root->path, 0711) < 0) {
        int saved = errno;
        rmdir(root->path);
        root->path[0] = '\0';
        errno = saved;
        return -1;
    }
    return 0;
}

int scr_root_open(const char *tmpdir, bool sandbox_others, struct scr_root *root,
                  char *err, size_t errlen)
{
    const char *bases[] = {tmpdir && *tmpdir ? tmpdir : NULL, "/tmp", "/var/tmp"};
    char tried[1536] = "", why[PATH_MAX + 128];
    memset(root, 0, sizeof *root);
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (!bases[i])
            continue;
        errno = 0;
        scr_check_base(bases[i], sandbox_others, why, sizeof why);
        if (!why[0] && scr_make_root(bases[i], sandbox_others, root) == 0)
            return 0;
        if (!why[0])
            snprintf(why, sizeof why, "cannot create a folder there: %s", strerror(errno));
        if (i == 0)
            snprintf(root->note, sizeof root->note,
                     "TMPDIR=%s is not used for scratch folders: %s", bases[i], why);
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s  %s%s: %s", used ? "\n" : "",
                 i == 0 ? "TMPDIR=" : "", bases[i], why);
    }
    snprintf(err, errlen,
             "no folder for the scratch folders%s:\n%s\n"
             "Set TMPDIR to a folder where every user may enter each folder of its path "
             "(chmod o+x) and that is not mounted noexec, e.g. a fresh 'mkdir -m 1777 /srv/tmp'",
             sandbox_others ? " that the sandbox users can reach" : "", tried);
    return -1;
}

void scr_root_close(struct scr_root *root)
{
    if (root->path[0])
        fs_remove_tree(root->path);
    root->path[0] = '\0';
}

int scr_grading_open(const char *root, bool chown_to, uid_t uid, gid_t gid, char **path)
{
    char *tmpl = NULL;
    *path = NULL;
    if (asprintf(&tmpl, "%s/grade-XXXXXX", root) < 0)
        return -1;
    if (!mkdtemp(tmpl)) {
        free(tmpl);
        return -1;
    }
    /* Group-writable: the unit runners of one grading share the gid. */
    if ((chown_to && chown(tmpl, uid, gid) < 0) || chmod(tmpl, 0770) < 0) {
        int saved = errno;
        rmdir(tmpl);
        free(tmpl);
        errno = saved;
        return -1;
    }
    *path = tmpl;
    return 0;
}

/* Whether `name` is a root or folder of a grader that no longer runs. */
static bool scr_is_stale(const char *name)
{
    long pid;
    char rest[16];
    int n = 0;
    if (strncmp(name, "grader-", 7) == 0)
        n = sscanf(name + 7, "%ld-%15s", &pid, rest);
    else if (strncmp(name, "grade-", 6) == 0)
        n = sscanf(name + 6, "%ld-%15s", &pid, rest);
    if (n != 2 || pid <= 0 || strlen(rest) != 6)
        return false;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

size_t scr_remove_stale(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    size_t removed = 0;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        struct stat st;
        if (!scr_is_stale(e->d_name) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
            continue;
        char *path = fs_join(base, e->d_name);
        if (path && fs_remove_tree(path) == 0)
            removed++;
        free(path);
    }
    closedir(d);
    return removed;
}
