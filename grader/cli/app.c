/*
 * app.c -- what the commands set up before they work (cli.h): the config,
 * the sandbox level, the trusted objects and their cache, the scratch
 * root; and the handlers that turn SIGINT and SIGTERM into got_stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile/build.h"
#include "config/cfg.h"
#include "sandbox/sbx.h"
#include "sandbox/scratch.h"

volatile sig_atomic_t got_stop;   /* the one global (cli.h): set by the handler */

static void on_stop(int sig)
{
    (void)sig;
    got_stop = 1;
}

int app_load_config(struct app *a)
{
    struct cfg_error err = {0};
    char line[2048];
    if (cfg_load(a->config_path, &a->cfg, &err) < 0) {
        cfg_error_format(&err, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return EXIT_USAGE;
    }
    a->cfg_loaded = true;
    return 0;
}

/* The trusted objects' cache: $GRADER_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
static void app_cache_root(struct app *a)
{
    const char *env = getenv("GRADER_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(a->cache_root, sizeof a->cache_root, "%s", env);
    else if (xdg && *xdg)
        snprintf(a->cache_root, sizeof a->cache_root, "%s/kernels-grader", xdg);
    else
        snprintf(a->cache_root, sizeof a->cache_root, "%s/.cache/kernels-grader",
                 home && *home ? home : "/tmp");
    const char *tmp = getenv("TMPDIR");
    snprintf(a->work_root, sizeof a->work_root, "%s", tmp && *tmp ? tmp : "/tmp");
}

int app_build_trusted(struct app *a)
{
    char *log = NULL;
    app_cache_root(a);
    if (bld_trusted_init(&a->cfg, a->cache_root, &a->trusted, &log) < 0) {
        fprintf(stderr, "grader: the trusted harness does not build:\n%s\n", log ? log : "");
        snprintf(a->failure, sizeof a->failure, "the trusted harness does not build "
                 "(the grader's stderr has the compiler's output)");
        free(log);
        return EXIT_INTERNAL;
    }
    free(log);
    return 0;
}

/*
 * Chooses the sandbox level (a->sandbox_level, a->sandbox_desc): bwrap
 * where it can start, unless told otherwise; else the fallback, which
 * says which of its kernel layers it lacks.  A weaker sandbox than asked
 * for is never silent: a notice on stderr, and the reports record it.
 */
static int app_check_sandbox(struct app *a, enum app_sandbox want)
{
    struct sbx_opts o;
    char why[256] = "";
    unsigned layers = 0;
    a->sandbox_level = want == APP_SANDBOX_NONE ? SBX_LEVEL_NONE
                     : want == APP_SANDBOX_FALLBACK ? SBX_LEVEL_FALLBACK : SBX_LEVEL_BWRAP;
    if (a->sandbox_level == SBX_LEVEL_BWRAP) {
        sbx_opts_init(&o);
        o.workdir = "/tmp";
        a->probe = sbx_probe_new();   /* NULL: every run probes bwrap itself */
        o.probe = a->probe;
        bool works = sbx_bwrap_available(&o);
        if (!works && want == APP_SANDBOX_BWRAP) {
            fprintf(stderr, "grader: bubblewrap cannot create a sandbox here (is the "
                            "'bubblewrap'\npackage installed, and are unprivileged user "
                            "namespaces enabled?).\nUse --sandbox fallback where they "
                            "cannot be, --no-sandbox only for trusted code.\n");
            return EXIT_INTERNAL;
        } else if (!works) {
            fprintf(stderr, "grader: notice: bubblewrap cannot create a sandbox here (no "
                            "unprivileged user namespaces?); using the fallback sandbox\n");
            a->sandbox_level = SBX_LEVEL_FALLBACK;
        }
    }
    if (a->sandbox_level == SBX_LEVEL_FALLBACK) {
        layers = sbx_fallback_layers(why, sizeof why);
        if (why[0])
            fprintf(stderr, "grader: notice: the fallback sandbox runs without %s\n", why);
    }
    sbx_level_describe(a->sandbox_level, layers, a->sandbox_desc, sizeof a->sandbox_desc);
    return 0;
}

/*
 * grade and batch: the scratch root (scratch.h), after removing what dead
 * graders left in the places it may be.  As root the sandboxes run as
 * other users, who must reach it.  0 or EXIT_INTERNAL after a message.
 */
static int app_open_scratch(struct app *a)
{
    const char *tmp = getenv("TMPDIR");
    const char *bases[] = {tmp && *tmp ? tmp : NULL, "/tmp", "/var/tmp"};
    char err[2048];
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (bases[i])
            scr_remove_stale(bases[i]);
    if (scr_root_open(tmp, geteuid() == 0, &a->scratch, err, sizeof err) < 0) {
        fprintf(stderr, "grader: %s\n", err);
        snprintf(a->failure, sizeof a->failure, "no usable scratch folder: %.200s", err);
        return EXIT_INTERNAL;
    }
    if (a->scratch.note[0])
        fprintf(stderr, "grader: note: %s; using %s\n", a->scratch.note, a->scratch.path);
    return 0;
}

int app_prepare(struct app *a, enum app_sandbox sandbox)
{
    int rc = app_load_config(a);
    if (rc)
        snprintf(a->failure, sizeof a->failure, "the grading config %.200s is invalid "
                 "(the grader's stderr says where)", a->config_path);
    if (!rc && (rc = app_check_sandbox(a, sandbox)) != 0)
        snprintf(a->failure, sizeof a->failure, "the sandbox cannot start on this machine "
                 "(the grader's stderr says why)");
    if (!rc)
        rc = app_build_trusted(a);
    if (!rc)
        rc = app_open_scratch(a);
    return rc;
}

int app_check_folder(const char *path)
{
    struct stat st;
    const char *why = NULL;
    if (stat(path, &st) < 0)
        why = errno == ENOENT || errno == ENOTDIR ? "no such folder" : strerror(errno);
    else if (!S_ISDIR(st.st_mode))
        why = "not a folder";
    if (!why)
        return 0;
    fprintf(stderr, "grader: %s: %s\n", path, why);
    return EXIT_USAGE;
}

void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
