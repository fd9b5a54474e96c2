/* cli_main.c -- the program of the io tests: the student's matcli_main(). */
#include "matcli.h"

int main(int argc, char **argv)
{
    return matcli_main(argc, argv);
}
