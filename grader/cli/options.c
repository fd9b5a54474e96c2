/*
 * options.c -- option values several commands share (cli.h): --sandbox,
 * --sandbox-uid and $GRADER_SANDBOX_UID, percentages, --color and the
 * report style it gives, --adjustments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report/report.h"

bool parse_sandbox(const char *s, enum app_sandbox *out)
{
    static const char *const names[] = {"auto", "bwrap", "fallback", "none"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum app_sandbox)i;
            return true;
        }
    fprintf(stderr, "grader: --sandbox takes auto, bwrap, fallback or none\n");
    return false;
}

/* --sandbox-uid: a base that leaves room for the workers and unit runners. */
bool parse_uid_base(const char *s, uid_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < 1000 || v > 4000000000ul) {
        fprintf(stderr, "grader: --sandbox-uid takes a uid from 1000 to 4000000000\n");
        return false;
    }
    *out = (uid_t)v;
    return true;
}

/* The default --sandbox-uid: $GRADER_SANDBOX_UID (two graders on one
 * machine, or two test runs, keep their sandbox users apart), else 61000. */
bool env_uid_base(uid_t *out)
{
    const char *env = getenv("GRADER_SANDBOX_UID");
    if (!env || !*env)
        return true;
    if (parse_uid_base(env, out))
        return true;
    fprintf(stderr, "grader: (from the environment: GRADER_SANDBOX_UID=%s)\n", env);
    return false;
}

bool parse_percent(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 100)
        return false;
    *out = v;
    return true;
}

bool parse_color(const char *s, enum color_when *out)
{
    static const char *const names[] = {"auto", "always", "never"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum color_when)i;
            return true;
        }
    }
    fprintf(stderr, "grader: --color takes auto, always or never, not '%s'\n", s);
    return false;
}

/* The report style for stdout.  auto: colour on a terminal unless NO_COLOR
 * is set to anything but "" (https://no-color.org); the flag wins over it. */
unsigned color_style(enum color_when when)
{
    const char *no_color = getenv("NO_COLOR");
    if (when == COLOR_AUTO)
        return isatty(STDOUT_FILENO) && !(no_color && *no_color) ? REPORT_COLOR : REPORT_PLAIN;
    return when == COLOR_ALWAYS ? REPORT_COLOR : REPORT_PLAIN;
}

int load_adjustments(const struct app *a, const char *path, struct adj_file *f)
{
    struct cfg_error err = {0};
    char line[2048];
    if (adj_load(path, &a->cfg, f, &err) < 0) {
        cfg_error_format(&err, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return EXIT_USAGE;
    }
    return 0;
}
