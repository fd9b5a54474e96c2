/* hidden_suites.h -- matcli's hidden suites: never shipped to students. */
#ifndef MATCLI_HIDDEN_SUITES_H
#define MATCLI_HIDDEN_SUITES_H

#include "tcheck.h"

extern const struct tc_suite hidden_matcli_suite;   /* hidden_matcli/... */

#endif
