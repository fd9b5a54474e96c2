/*
 * runner_probe.c -- does the runner tell a test that waits on itself from
 * one that a stalled machine holds?  A test program of the harness's
 * runner (runner.c) whose tests all outlive their timeout, each in its
 * own way; tests/unit/runner_probe/check.sh runs it with --timeout 1 and
 * reads its tc-location lines:
 *
 *   waits/deadlock  two threads, two mutexes taken in opposite orders
 *   waits/sleep     a sleep longer than the timeout, a second at a time
 *   waits/joined    the test joins a thread that waits on a condition
 *                   nobody signals
 *   held/stopped    the process stops itself (SIGSTOP): it is not run,
 *                   as a process a loaded machine does not schedule
 *   held/spinning   a loop that computes until it is killed
 *   held/reading    a thread blocked reading a pipe: it waits on
 *                   something the runner cannot see the other end of
 *
 * "waits" tests must be told as "waiting", "held" ones as "hung" (the
 * grader then runs them again before their timeout costs points).
 */
#include "runner.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t probe_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t probe_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t probe_both;

static void *probe_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&probe_b);
    pthread_barrier_wait(&probe_both);
    pthread_mutex_lock(&probe_a);
    return NULL;
}

TC_TEST(deadlock)
{
    pthread_t t;
    pthread_barrier_init(&probe_both, NULL, 2);
    pthread_create(&t, NULL, probe_b_then_a, NULL);
    pthread_mutex_lock(&probe_a);
    pthread_barrier_wait(&probe_both);
    pthread_mutex_lock(&probe_b);
    pthread_join(t, NULL);
}

TC_TEST(sleep)
{
    for (int i = 0; i < 60; i++)
        sleep(1);
}

static pthread_mutex_t probe_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t probe_never = PTHREAD_COND_INITIALIZER;

static void *probe_wait_forever(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&probe_m);
    for (;;)
        pthread_cond_wait(&probe_never, &probe_m);
    return NULL;
}

TC_TEST(joined)
{
    pthread_t t;
    pthread_create(&t, NULL, probe_wait_forever, NULL);
    pthread_join(t, NULL);
}

TC_TEST(stopped)
{
    raise(SIGSTOP);
}

TC_TEST(spinning)
{
    volatile unsigned long n = 0;
    for (;;)
        n++;
}

static void *probe_read(void *arg)
{
    char c;
    (void)!read(*(int *)arg, &c, 1);
    return NULL;
}

TC_TEST(reading)
{
    static int fds[2];
    pthread_t t;
    if (pipe(fds) != 0)
        return;   /* passes: check.sh then fails it */
    pthread_create(&t, NULL, probe_read, &fds[0]);
    pthread_join(t, NULL);
}

static const TTest *const waits_tests[] = {TC_REF(deadlock), TC_REF(sleep), TC_REF(joined),
                                           NULL};
static const TTest *const held_tests[] = {TC_REF(stopped), TC_REF(spinning), TC_REF(reading),
                                          NULL};
static const struct tc_case probe_cases[] = {
    {"waits", waits_tests, 0},
    {"held", held_tests, 0},
    {NULL, NULL, 0},
};
static const struct tc_suite probe_suite = {"probe", probe_cases};

int main(int argc, char **argv)
{
    static const struct tc_suite *const suites[] = {&probe_suite, NULL};
    return runner_main(argc, argv, suites);
}
