/*
 * harness_tsan_probe.c -- does the harness's bookkeeping stay out of
 * ThreadSanitizer's sight?  Built with -fsanitize=thread from the
 * harness's sources and config.yaml's --wrap flags, as the TSan test
 * program is; tests/unit/tsan_probe/check.sh runs each scenario and
 * counts TSan's reports.
 *
 *   hidden  A worker writes a plain int, then allocates and frees through
 *           the harness (the heap tracker, tensors, tc_count()); the main
 *           thread, after the same bookkeeping, reads the int.  The only
 *           signal between them is one TSan cannot see, so the race must
 *           be reported: had the bookkeeping synchronized the threads (a
 *           mutex, an atomic TSan sees), it would have hidden the race.
 *   grow    Two threads take turns allocating thousands of blocks through
 *           the heap tracker, so its table grows on both.  Nothing is
 *           shared, so TSan must report nothing.
 *
 * Usage: harness_tsan_probe hidden|grow.  Exit status 0 when the scenario
 * ran (TSan's reports go to stderr; TSAN_OPTIONS=exitcode=0 in check.sh).
 */
#include "tcheck.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* The handoff between the two threads, unseen by TSan. */
#define PROBE_UNWATCHED __attribute__((no_sanitize_thread, noinline))

static atomic_int probe_turn;

PROBE_UNWATCHED static void probe_pass(int to)
{
    atomic_store(&probe_turn, to);
}

PROBE_UNWATCHED static void probe_wait(int mine)
{
    while (atomic_load(&probe_turn) != mine)
        sched_yield();
}

/* Allocations and counts through every piece of the harness's bookkeeping. */
static void probe_bookkeeping(atomic_int *count)
{
    void *p = tc_user_malloc(64);
    tc_user_free(p);
    Tensor *t = tensor_new_1d(16);
    tensor_free(t);
    tc_count(count);
}

static int probe_shared;
static atomic_int probe_calls;

static void *hidden_worker(void *arg)
{
    (void)arg;
    probe_shared = 42;
    probe_bookkeeping(&probe_calls);
    probe_pass(1);
    return NULL;
}

static int probe_hidden(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, hidden_worker, NULL) != 0)
        return 1;
    probe_wait(1);
    probe_bookkeeping(&probe_calls);
    int seen = probe_shared;     /* the race TSan must report */
    pthread_join(t, NULL);
    return seen == 42 ? 0 : 1;
}

enum { GROW_TURNS = 6, GROW_BLOCKS = 1500 };

/* Thread `who` (0 or 1) allocates GROW_BLOCKS blocks on turns who, who + 2, ... */
static void grow_turns(int who, void **blocks)
{
    for (int turn = who; turn < GROW_TURNS; turn += 2) {
        probe_wait(turn);
        for (int i = 0; i < GROW_BLOCKS; i++)
            blocks[turn / 2 * GROW_BLOCKS + i] = tc_user_malloc(16 + (size_t)i % 48);
        probe_pass(turn + 1);
    }
}

static void *grow_worker(void *arg)
{
    grow_turns(1, arg);
    return NULL;
}

static int probe_grow(void)
{
    static void *mine[GROW_TURNS / 2 * GROW_BLOCKS], *theirs[GROW_TURNS / 2 * GROW_BLOCKS];
    pthread_t t;
    if (pthread_create(&t, NULL, grow_worker, theirs) != 0)
        return 1;
    grow_turns(0, mine);
    pthread_join(t, NULL);
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        tc_user_free(mine[i]);
        tc_user_free(theirs[i]);
    }
    return tc_user_blocks_live() == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "hidden") == 0)
        return probe_hidden();
    if (argc == 2 && strcmp(argv[1], "grow") == 0)
        return probe_grow();
    fprintf(stderr, "usage: harness_tsan_probe hidden|grow\n");
    return 2;
}
