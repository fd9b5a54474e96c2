/* main_all.c -- matcli's grader test program: visible and hidden suites. */
#include "hidden/hidden_suites.h"
#include "runner.h"
#include "suites.h"

int main(int argc, char **argv)
{
    static const struct tc_suite *const suites[] = {
        &read_suite, &multiply_suite, &quantize_suite, &hidden_matcli_suite, NULL,
    };
    return runner_main(argc, argv, suites);
}
