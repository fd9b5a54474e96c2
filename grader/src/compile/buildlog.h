/*
 * buildlog.h -- what a student may see of the compiler's and linker's
 * output.  Prefix blog_.
 *
 * The student's files are linked with the trusted harness and the hidden
 * suites, so a link error (an empty kernels.c, a missing function, a
 * redefined harness symbol) makes ld name hidden test functions, their
 * source files and the grader's paths.  The student view keeps every line
 * about the student's own files, reduces each line about the trusted
 * objects to the symbol it concerns ("undefined reference to
 * `cache_friendly_matmul'"), and drops the scratch folder's path prefix so
 * diagnostics read "kernels.c:12:5: error: ...".
 */
#ifndef BUILDLOG_H
#define BUILDLOG_H

/**
 * The student-safe view of `log` (compiler and linker output of a build
 * in `scratch`).  Returns a malloc'd string (caller frees), or NULL if
 * memory runs out.  log NULL gives "".
 */
char *blog_student_view(const char *log, const char *scratch);

#endif /* BUILDLOG_H */
