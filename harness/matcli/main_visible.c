/* main_visible.c -- matcli's students' test program: the visible suites only. */
#include "runner.h"
#include "suites.h"

int main(int argc, char **argv)
{
    static const struct tc_suite *const suites[] = {
        &read_suite, &multiply_suite, &quantize_suite, NULL,
    };
    return runner_main(argc, argv, suites);
}
