/*
 * proc.h -- run a trusted tool (nm, objdump, lcov...) and capture what it
 * prints.  Prefix proc_.
 *
 * fork + execve, no shell: argv goes to the tool as it is, so paths with
 * spaces or quotes need no escaping.  The tool's stdin is /dev/null; its
 * stdout and stderr are read through pipes at the same time (no deadlock
 * when it fills one while we wait on the other).  This is for tools the
 * grader trusts; untrusted programs go through sbx.h.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>

/** Output kept per stream; a tool that prints more fails ("output too large"). */
#define PROC_MAX_OUTPUT ((size_t)256 << 20)

/**
 * Runs argv[0] (looked up in PATH unless it contains a '/') and waits.
 * Returns 0 if it exited with status 0: *out (when out is not NULL) is
 * its stdout, malloc'd and NUL-terminated, which the caller free()s.
 * Otherwise returns -1, *out is NULL, and err[errlen] says why, e.g.
 * "lcov: exit status 255: lcov: ERROR: no valid records found" (the
 * first line of its stderr that mentions "error", else its first
 * non-empty line), "nm: not found in PATH" or "objdump: killed by
 * signal 9".
 */
int proc_capture(char *const argv[], char **out, char *err, size_t errlen);

#endif /* PROC_H */
