/*
 * tmpl.h -- the text templates built into the grader, and their
 * placeholders.  Prefix tmpl_.
 *
 * The templates are the files of grader/templates/ (CI workflows and the
 * Gradescope scripts), embedded as they are at build time by
 * tmpl_data.S (the assembler's .incbin), so they need no escaping and
 * stay readable files.  A placeholder is @NAME@, NAME one or more of
 * [A-Z0-9_]; any other '@' is text.  Rendering replaces each placeholder
 * by its value as it is: values must already suit the file (a list of
 * package names, a number, a relative path).
 */
#ifndef TMPL_H
#define TMPL_H

#include <stddef.h>

/** A placeholder's value: name without the '@'s ("FAIL_UNDER"). */
struct tmpl_var {
    const char *name;
    const char *value;
};

/**
 * The template `name` ("grade.yml", "gitlab-ci.yml", "setup.sh",
 * "run_autograder"): its text, not NUL-terminated, and *len; or NULL if
 * there is no such template.  The text is static.
 */
const char *tmpl_get(const char *name, size_t *len);

/**
 * Renders template `name` with vars[0..nvars): *out is malloc'd and
 * NUL-terminated (caller frees).  Returns 0, or -1 with err: no such
 * template, a placeholder without a value ("grade.yml:12: no value for
 * @X@"), or out of memory.
 */
int tmpl_render(const char *name, const struct tmpl_var *vars, size_t nvars, char **out,
                char *err, size_t errlen);

#endif /* TMPL_H */
