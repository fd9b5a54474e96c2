/*
 * polsub.h -- the symbol policy of one submission folder, checked as
 * grading checks it, without running a test: what `grader policy`
 * shows a student before they submit.  Prefix polsub_.
 *
 * The same steps as grading (grade.c), minus the tests:
 *   1. the config's student files are copied from the folder into a
 *      scratch folder under work_root, with grading's checks (missing,
 *      not a regular file, too large);
 *   2. they are compiled and linked exactly as grading does
 *      (bld_student(): the build's flags and student_cflags, the staged
 *      headers, the trusted objects), and pol_check() runs on the
 *      objects;
 *   3. if that passes and the config has a performance section, the
 *      performance build (bld_perf_student()) and its check, as grading
 *      does next.
 * The compiler runs without the sandbox, as the calling user: a student
 * checks their own code.  The scratch folder is removed before return.
 */
#ifndef POLSUB_H
#define POLSUB_H

#include "compile/build.h"
#include "config/cfg.h"
#include "util/strv.h"

enum polsub_verdict {
    POLSUB_CLEAN,            /* every object passes: grading would run the tests */
    POLSUB_REFUSED,          /* the policy refuses it: grading scores 0 (lines say why) */
    POLSUB_UNBUILT,          /* a file is missing or bad, or the code does not compile
                                or link: grading scores 0 (lines and log say why) */
};

struct polsub_result {
    enum polsub_verdict verdict;
    struct strv lines;       /* grading's messages, in its order: "policy: kernels.c:
                                'fopen' is not allowed (used in f)", "policy (performance
                                build): ...", or why the file was not built */
    char *log;               /* the compiler's and linker's output, or NULL; malloc'd */
};

/**
 * Checks the folder `submission_dir` against cfg (see the top of this
 * file).  `t` holds the trusted objects (bld_trusted_init()).  Fills
 * *out, which the caller releases with polsub_result_release() whatever
 * the return.  Returns 0 when the check ran (see out->verdict), or -1
 * with err[errlen] when the grader itself failed.
 */
int polsub_check(const struct grader_cfg *cfg, const struct bld_trusted *t,
                 const char *work_root, const char *submission_dir,
                 struct polsub_result *out, char *err, size_t errlen);

void polsub_result_release(struct polsub_result *r);

#endif /* POLSUB_H */
