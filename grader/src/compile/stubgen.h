/*
 * stubgen.h -- generate a student stub from a reference solution.
 * Prefix stub_.
 *
 * The solution file is the single source.  Every line between a
 *
 *     / * BEGIN SOLUTION * /                 (written without the spaces)
 *     / * BEGIN SOLUTION (stub: return NULL;) * /
 *
 * line and the next "/ * END SOLUTION * /" line is solution-only.  In the
 * stub the whole block, markers included, becomes a TODO comment at the
 * BEGIN line's indentation, followed by the "stub:" code if one was
 * given.  Marker lines must stand alone (leading white space allowed).
 * Everything outside the blocks is copied unchanged, so the guidance in
 * the comments above each function reaches the student.
 */
#ifndef STUBGEN_H
#define STUBGEN_H

#include <stddef.h>

struct stub_error {
    unsigned line;          /* 1-based line of the bad marker */
    char message[256];
};

/**
 * Transforms `src` (len bytes) into stub text: *out is malloc'd and
 * NUL-terminated (caller frees).  Returns the number of blocks replaced,
 * or -1 with *err on a malformed file (unclosed or nested BEGIN, END
 * without BEGIN, bad "(stub: ...)" syntax) or out of memory.
 */
int stub_generate(const char *src, size_t len, char **out, struct stub_error *err);

struct grader_cfg;

/*
 * The student README's grading section, generated from the config so that
 * it cannot drift from it (mkstub --config --readme, `make stubs`; `make
 * check-stubs` fails when the README is out of date).  It lies between a
 * line STUB_README_BEGIN and a line STUB_README_END.
 */
#define STUB_README_BEGIN "<!-- BEGIN GENERATED: grading (mkstub --readme from config.yaml) -->"
#define STUB_README_END "<!-- END GENERATED: grading -->"

/**
 * The section's Markdown for cfg, markers excluded: the visible check
 * units with their points and categories, the visible, performance and
 * hidden totals (hidden tests only as a total: no hidden id or name), the
 * performance tests with their metric and scale, the build flags and the
 * simulated caches.  *out is malloc'd; 0, or -1 when out of memory.
 */
int stub_readme_section(const struct grader_cfg *cfg, char **out);

/**
 * readme with the lines between its STUB_README_BEGIN and STUB_README_END
 * lines replaced by section (malloc'd into *out).  0, or -1 with *err if
 * the markers are missing or out of order (or out of memory).
 */
int stub_readme_splice(const char *readme, const char *section, char **out,
                       struct stub_error *err);

#endif /* STUBGEN_H */
