/*
 * exports.h -- the class's scores in the CSV formats LMSs import.
 * Prefix exports_.
 *
 * Three files, written into a batch's OUT folder from every finished
 * student (students/NAME/results.json), quoted by libcsv, students in
 * name order, scores after the late penalty with two decimals:
 *
 *   canvas.csv       Canvas's gradebook import: the header
 *                    "Student,ID,SIS User ID,SIS Login ID,Section,<title>",
 *                    a "Points Possible" row with the maximum, then one
 *                    row per student: the folder's name as Student and as
 *                    SIS Login ID (ID, SIS User ID and Section empty)
 *   moodle.csv       Moodle's CSV grade import: "Username,<title> (Real)";
 *                    map Username to "username" when importing
 *   scores-long.csv  long format: "student,test,score,max", one row per
 *                    student and config test (config order)
 *
 * <title> is the config's title (else its name).  docs/outputs.md gives
 * the formats' references.
 */
#ifndef EXPORTS_H
#define EXPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"

/** One test of a student, as the exports read it. */
struct exports_test {
    const char *id;          /* the config test's id */
    double score, max_score;
};

/** One finished student. */
struct exports_student {
    const char *name;        /* the folder's name */
    double score, max_score; /* after the late penalty */
    const struct exports_test *tests;
    size_t ntests;
};

/**
 * The files' text for students v[n] (in the order given): malloc'd,
 * NUL-terminated (the caller frees), or NULL if memory runs out.
 */
char *exports_canvas(const struct grader_cfg *cfg, const struct exports_student *v, size_t n);
char *exports_moodle(const struct grader_cfg *cfg, const struct exports_student *v, size_t n);
char *exports_long(const struct grader_cfg *cfg, const struct exports_student *v, size_t n);

/** The export files' names, for links (NULL-terminated). */
extern const char *const exports_files[];

/**
 * Reads every finished student of out_dir/students/ (a folder with a
 * results.json that loads; others are skipped) and writes the three files
 * into out_dir atomically (fsutil.h).  Returns 0, or -1 with err[errlen].
 */
int exports_write(const struct grader_cfg *cfg, const char *out_dir, char *err, size_t errlen);

#endif /* EXPORTS_H */
