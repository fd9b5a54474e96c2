/*
 * mutreport.h -- the reports of a mutation analysis (score/mutres.h).
 * Prefix mutrep_.
 *
 * Reads only the result data (struct mut_result); writes, into one
 * folder:
 *   mutants.txt    for the terminal: totals, score per function, per
 *                  graded test and per operator, every survivor with its
 *                  diff, timeouts, equivalents and stale config entries
 *   mutants.md     the same in Markdown (CI job summaries)
 *   mutants.json   every mutant with its verdict, for scripts
 *   index.html     the same as a page (linked from the class dashboard)
 * Every file is for instructors: it quotes the reference solution.
 */
#ifndef MUTREPORT_H
#define MUTREPORT_H

#include <stddef.h>

#include "score/mutres.h"

/** The text report (malloc'd; NULL when memory runs out). */
char *mutrep_text(const struct mut_result *r, const char *title);

/** The Markdown report (malloc'd; NULL when memory runs out). */
char *mutrep_markdown(const struct mut_result *r, const char *title);

/** The JSON report (malloc'd; NULL when memory runs out). */
char *mutrep_json(const struct mut_result *r, const char *title);

/** The HTML page (malloc'd; NULL when memory runs out). */
char *mutrep_html(const struct mut_result *r, const char *title);

/**
 * Writes the four reports into out_dir (created), each atomically.
 * Returns 0, or -1 with err[errlen].
 */
int mutrep_write(const struct mut_result *r, const char *title, const char *out_dir,
                 char *err, size_t errlen);

#endif /* MUTREPORT_H */
