/*
 * ratelimit.h -- the CI rate limit ("grading.max_per_day"): at most N
 * graded submissions per student in any 24 hours, counted from the
 * submission times Gradescope gives the autograder.  Prefix rate_.
 *
 * Gradescope's submission_metadata.json holds this submission's
 * "created_at" and, in "previous_submissions", each earlier submission's
 * "submission_time", "score" and "results" (the results.json the grader
 * wrote for it).  A previous submission counts when it was made in the
 * 24 hours up to this one (t - 24 h < time <= t) and was graded: its
 * results do not say extra_data.rate_limited.  Over the limit, the
 * submission is not graded and keeps the score of the latest previous
 * submission (Gradescope shows the last submission's score: the student
 * loses nothing).  Nothing here prints.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_WINDOW_MS (24 * 3600 * 1000LL)

struct rate_verdict {
    bool limited;            /* over the limit: do not grade */
    unsigned counted;        /* graded submissions in the window before this one */
    double previous_score;   /* the latest previous submission's "score", or 0 */
    int64_t next_ms;         /* limited: when the oldest counted one leaves the
                                window (ms since the epoch) */
};

/**
 * Checks the submission whose Gradescope metadata is `metadata_path`
 * against `max_per_day` (> 0).  Returns 0 with *v filled, 1 if the file
 * does not exist (no limit can apply: *v zeroed), or -1 with err[errlen]
 * when it is not readable JSON with a valid "created_at" (a symbolic link
 * is refused).  Previous submissions without a valid time are ignored.
 */
int rate_check(const char *metadata_path, unsigned max_per_day, struct rate_verdict *v,
               char *err, size_t errlen);

/**
 * The student's message for a limited verdict into buf[n], e.g. "Rate
 * limit: at most 3 graded submissions in 24 hours, and 3 were graded in
 * the 24 hours before this one. This submission was not graded; your
 * score stays 12.50, your last submission's. Submit again after
 * 2026-12-15T18:03:00Z."
 */
void rate_message(const struct rate_verdict *v, unsigned max_per_day, char *buf, size_t n);

#endif /* RATELIMIT_H */
