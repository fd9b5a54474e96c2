/*
 * cli.h -- private to the grader's command line (grader/main.c and
 * grader/cli/): what main() sets up for a command, the exit statuses, the
 * option parsers the commands share, and one function per command.
 *
 *   grader/main.c     the dispatcher: global options, the command, clean-up;
 *                     the only place that exits
 *   cli/app.c         struct app's set-up: config, sandbox, trusted
 *                     objects, scratch root; the stop handlers
 *   cli/options.c     option parsers shared by several commands
 *   cli/cmd_*.c       one command each: its usage text, options and run
 *
 * A command returns an exit status; it never exits.  It reports errors
 * on stderr itself ("grader: ...") before returning.
 */
#ifndef CLI_H
#define CLI_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "compile/build.h"
#include "config/adjust.h"
#include "config/cfg.h"
#include "sandbox/scratch.h"

enum {
    EXIT_GRADED = 0,       /* graded, whatever the score */
    EXIT_INTERNAL = 1,     /* the grader itself failed */
    EXIT_USAGE = 2,        /* bad command line or config */
    EXIT_UNDER = 3,        /* grade --fail-under: the score is below it */
    EXIT_UNREPEATABLE = 4, /* grade --repeat: the gradings did not all agree */
    EXIT_STOPPED = 130,    /* interrupted (SIGINT/SIGTERM), like a shell's 128+2 */
};

#define UID_BASE_DEFAULT 61000u

/* The one global (cli/app.c): set by the SIGINT/SIGTERM handler that
 * install_stop_handlers() installs; the stages poll it to stop early. */
extern volatile sig_atomic_t got_stop;

/* Everything main() sets up once and hands to a command. */
struct app {
    const char *config_path;
    struct grader_cfg cfg;
    bool cfg_loaded;
    struct bld_trusted trusted;
    char cache_root[PATH_MAX];
    char work_root[PATH_MAX];
    struct scr_root scratch;      /* grade, batch: the scratch root (scratch.h) */
    bool keep_scratch;            /* --keep-scratch: leave the root for debugging */
    char failure[512];            /* why grading could not start, for results.json */
    int sandbox_level;            /* the enum sbx_level app_check_sandbox() chose */
    char sandbox_desc[128];       /* and its description for the reports */
    struct sbx_probe *probe;      /* bwrap's features, probed once for every run */
};

/* --sandbox LEVEL (--no-sandbox is "none"). */
enum app_sandbox { APP_SANDBOX_AUTO, APP_SANDBOX_BWRAP, APP_SANDBOX_FALLBACK, APP_SANDBOX_NONE };

/* --color WHEN */
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* ---- cli/app.c: set-up (each returns 0 or an exit status after a message) ---- */

/* Loads a->config_path into a->cfg; EXIT_USAGE after the file:line:column error. */
int app_load_config(struct app *a);

/* Builds (or finds in the cache) the trusted objects into a->trusted. */
int app_build_trusted(struct app *a);

/* What grade and batch need before grading: config, sandbox, trusted
 * objects, scratch root.  On failure a->failure says which, for results.json. */
int app_prepare(struct app *a, enum app_sandbox sandbox);

/* A folder to grade: 0, or EXIT_USAGE after "grader: PATH: no such folder". */
int app_check_folder(const char *path);

/* SIGINT and SIGTERM set got_stop instead of killing the grader. */
void install_stop_handlers(void);

/* ---- cli/options.c: parsers; false after a message on stderr, unless noted ---- */

bool parse_sandbox(const char *s, enum app_sandbox *out);

/* --sandbox-uid: a base that leaves room for the workers and unit runners. */
bool parse_uid_base(const char *s, uid_t *out);

/* The default --sandbox-uid: $GRADER_SANDBOX_UID, if set, into *out. */
bool env_uid_base(uid_t *out);

/* A percentage from 0 to 100 (no message: the caller names the option). */
bool parse_percent(const char *s, double *out);

bool parse_color(const char *s, enum color_when *out);

/* The report style (report.h's REPORT_COLOR or REPORT_PLAIN) for stdout. */
unsigned color_style(enum color_when when);

/* --adjustments FILE (adjust.h) for a->cfg into *f: 0, or EXIT_USAGE after
 * the file:line:column error.  Release *f with adj_release() either way. */
int load_adjustments(const struct app *a, const char *path, struct adj_file *f);

/* ---- the commands: argv[0] is the command's name; an exit status ---- */

int cmd_grade(struct app *a, int argc, char **argv);        /* cli/cmd_grade.c */
int cmd_batch(struct app *a, int argc, char **argv);        /* cli/cmd_batch.c */
int cmd_merge(struct app *a, int argc, char **argv);        /* cli/cmd_merge.c */
int cmd_rescore(struct app *a, int argc, char **argv);      /* cli/cmd_rescore.c */
int cmd_check_config(struct app *a, int argc, char **argv); /* cli/cmd_check.c */
int cmd_release(struct app *a, int argc, char **argv);      /* cli/cmd_release.c */
int cmd_gradescope(struct app *a, int argc, char **argv);   /* cli/cmd_release.c */
int cmd_policy(struct app *a, int argc, char **argv);       /* cli/cmd_policy.c */
int cmd_mutants(struct app *a, int argc, char **argv);      /* cli/cmd_mutants.c */
int cmd_similar(struct app *a, int argc, char **argv);      /* cli/cmd_similar.c */

/* cli/cmd_similar.c: the similarity check of o (scale/similar.h) with
 * a->cfg loaded, its reports into out (and out's dashboard again when out
 * is a batch's output), the top pairs on stdout.  For similar and
 * batch --similarity.  An exit status. */
struct sim_opts;
int similar_report(struct app *a, const struct sim_opts *o, const char *out);

#endif
