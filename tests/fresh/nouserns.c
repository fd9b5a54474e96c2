/* nouserns.c -- run a command where user namespaces are refused, as in
 * Docker's default seccomp profile (where Gradescope's containers run):
 *
 *   nouserns COMMAND [ARG...]
 *
 * Installs a seccomp filter (libseccomp) that every descendant inherits:
 * clone() and unshare() with CLONE_NEWUSER fail with EPERM, and clone3()
 * fails with ENOSYS (its flags sit behind a pointer a filter cannot read;
 * glibc then falls back to clone(), which the filter can check).  Every
 * other call is allowed.  So bubblewrap cannot create its sandbox, while
 * fork, threads and the grader's own seccomp and Landlock layers work.
 * No no_new_privs: the caller is root (CAP_SYS_ADMIN may load a filter),
 * like a container's init.
 *
 * tests/fresh/fresh.sh builds it on the host and runs the chroot of its
 * Gradescope step under it.  Exits 125 if the filter cannot be loaded,
 * 127 if COMMAND cannot be run. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The filter: EPERM for new user namespaces, ENOSYS for clone3. */
static int nouserns_load(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc;

    if (ctx == NULL)
        return -ENOMEM;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: nouserns COMMAND [ARG...]\n");
        return 2;
    }
    rc = nouserns_load();
    if (rc < 0) {
        fprintf(stderr, "nouserns: cannot load the seccomp filter: %s\n", strerror(-rc));
        return 125;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "nouserns: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
