/*
 * tsan.h -- read ThreadSanitizer's reports: which lines of the student's
 * files race.  Prefix tsan_.
 *
 * The ThreadSanitizer stage (cfg.h, struct cfg_tsan) runs units of a test
 * program built with gcc's -fsanitize=thread.  TSan writes each report to
 * stderr between lines of '=' signs:
 *
 *     WARNING: ThreadSanitizer: data race (pid=12)
 *       Write of size 8 at 0x7b0c00000010 by thread T2:
 *         #0 worker /tmp/grade-1-x/kernels.c:57 (tests+0x1234)
 *         #1 <null> <null> (libtsan.so.2+0x2c19)
 *       Previous read of size 8 at 0x7b0c00000010 by thread T1:
 *         #0 worker /tmp/grade-1-x/kernels.c:55 (tests+0x1200)
 *       ...
 *
 * Only data races count here, and only those with an access whose stack
 * reaches a student file: a race inside the trusted harness is not the
 * student's.  For each such access the first frame in a student file
 * names the place ("kernels.c:57 in worker, write").  Whatever the
 * program prints, it can only add races to its own verdict, never remove
 * one TSan reported.
 */
#ifndef TSAN_H
#define TSAN_H

#include <stddef.h>

/**
 * The TSAN_OPTIONS of the stage: every report on stderr, races only.
 * suppress_equal_addresses=0: TSan otherwise keeps every racy address it
 * reported and searches that list at each new race, so a kernel whose
 * 100,000 results all race took 10-20 s a unit (quadratic); races are
 * still told once per pair of stacks (suppress_equal_stacks), and only
 * more reports can come of it, never fewer.
 */
#define TSAN_OPTIONS_VALUE                                                        \
    "halt_on_error=0:report_thread_leaks=0:report_signal_unsafe=0:die_after_fork=0:" \
    "report_destroy_locked=0:report_mutex_bugs=0:detect_deadlocks=0:"              \
    "suppress_equal_addresses=0"

/** The environment variable tsan_heap.c reads: the heap limit in bytes. */
#define TSAN_HEAP_LIMIT_ENV "TSAN_HEAP_LIMIT"

/** At most this many races are described; the rest are counted. */
#define TSAN_MAX_RACES 5

/**
 * The data races of `log` (a TSan run's stderr) that involve the student
 * files `files` (paths relative to the submission folder, e.g.
 * "kernels.c": a frame matches when its path is that or ends with "/"
 * and that).  Returns a malloc'd text, one line per distinct race (the
 * same pair of places once), e.g.
 *
 *     kernels.c:57 in worker (write) races with kernels.c:55 in worker (read)
 *
 * at most TSAN_MAX_RACES lines, then "and N more"; *count is the number
 * of distinct races.  NULL with *count 0 when there is none; NULL with
 * *count > 0 when memory ran out.
 */
char *tsan_races(const char *log, const char *const files[], size_t nfiles,
                 unsigned *count);

#endif /* TSAN_H */
