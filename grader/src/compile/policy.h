/*
 * policy.h -- check a student's object files before anything runs them.
 * Prefix pol_.
 *
 * Three rules, from the config's "symbols" section:
 *   - imports: every undefined symbol of a student object must match an
 *     "allow" pattern (fnmatch) or be exported by one of the
 *     "allow_libraries" (what the dynamic linker finds in the library
 *     itself: dlopen(), dlsym(), dladdr(); a file name is found as the
 *     dynamic linker finds it), and match no "deny" pattern.  An empty
 *     allow list allows everything not denied.  The names the compiler
 *     and glibc's headers give a call are judged as the call written
 *     (pol_source_name(): __printf_chk is printf, __isoc99_sscanf is
 *     sscanf, __open_2 is open): allowed when either name is allowed,
 *     refused when either is denied;
 *   - constructors: no .init_array, .fini_array, .ctors, .dtors,
 *     .preinit_array, .init or .fini section, suffixed names included
 *     (".init_array.00101"): code that would run before main or after
 *     the test, outside the harness's control.  One exception, so that
 *     --coverage and -fsanitize builds pass: a section whose every entry
 *     points at a compiler runtime hook (gcov's and ASan's registration
 *     functions), recognised by what it does, not by its name: it calls
 *     at least one import, only allowed ones named "__*", reaches no
 *     other code (no call, no indirect branch) and has no syscall;
 *   - syscalls: no raw `syscall`/`sysenter`/`int 0x80` instruction, which
 *     would bypass the import rule.
 * Each violation names the symbol (or section/instruction) and the
 * function that uses it ("'system' is not allowed (used in
 * matmul_baseline)"), or "(in data)" for a reference from a data table.
 * A renamed call is named as written: "'read' is not allowed (used in f;
 * compiled as a call to __read_chk)".
 *
 * The object files are inspected with binutils (`nm`, `objdump`), run
 * through a caller-supplied runner so that the grader can sandbox them
 * like any tool that reads untrusted input: three runs per object.
 *
 * Messages name the source: the object's base name with ".o" replaced
 * by ".c" ("kernels.o" and "kernels.c.o" both give "kernels.c").
 * Violations come per object in this order: sections, imports (in nm's
 * order, then by function), raw instructions; one per (what, function).
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"

/** One violation; strings owned by the pol_report. */
struct pol_violation {
    char *object;        /* the object file's base name */
    char *what;          /* the symbol, section or instruction */
    char *function;      /* the function using it ("foo", also for foo.cold/foo.part.0),
                            or NULL (a section, or data) */
    char *message;       /* the full sentence for the student */
};

struct pol_report {
    struct pol_violation *v;
    size_t n;
};

/**
 * Runs argv (a NULL-terminated tool command line) and returns its stdout
 * as a malloc'd string in *out, or -1 with a message in err[errlen] if
 * the tool could not run or failed.
 */
typedef int (*pol_run_fn)(void *ctx, char *const argv[], char **out,
                          char *err, size_t errlen);

/** The import rule of a config, ready to answer (libraries read). */
struct pol_rules;

/**
 * Opens sym's allowed libraries (dlopen()) into *out, which the caller
 * frees with pol_rules_free().  `sym` must outlive *out.  0, or -1 with
 * err[errlen] (a library that cannot be found).
 */
int pol_rules_new(const struct cfg_symbols *sym, struct pol_rules **out, char *err,
                  size_t errlen);

/** pol_rules_free(NULL) is a no-op. */
void pol_rules_free(struct pol_rules *r);

/**
 * Whether student code may import `import`, with the reason in why[n]:
 * "allowed: matches 'pthread_*'", "allowed: exported by libm.so.6",
 * "allowed: the compiler's name for printf, which matches 'printf'",
 * "refused: matches the deny pattern 'exit'", "refused: not allowed".
 */
bool pol_rules_explain(const struct pol_rules *r, const char *import, char *why, size_t n);

/**
 * The name a student wrote for an imported symbol, into buf[n]: the
 * symbol itself, or the call the compiler or glibc's headers renamed
 * ("__printf_chk" -> "printf", "__open_2" -> "open", "__isoc99_sscanf" ->
 * "sscanf").  Returns the length (as snprintf()).
 */
size_t pol_source_name(const char *import, char *buf, size_t n);

/**
 * Checks `objects` (paths of student .o files) against `sym`.  Fills
 * *rep (the caller releases it).  Returns 0 when the check ran (rep->n
 * may be > 0), or -1 with err[errlen] if a tool failed (then rep->n is
 * 0; releasing it is still allowed).  Opens the allowed libraries once
 * per call (pol_rules_new()).
 */
int pol_check(const struct cfg_symbols *sym, const char *const objects[],
              size_t nobjects, pol_run_fn run, void *run_ctx,
              struct pol_report *rep, char *err, size_t errlen);

void pol_report_release(struct pol_report *rep);

/** A pol_run_fn that runs the tool directly: proc_capture() (fork/exec, no sandbox); ctx unused. */
int pol_run_direct(void *ctx, char *const argv[], char **out, char *err,
                   size_t errlen);

#endif /* POLICY_H */
