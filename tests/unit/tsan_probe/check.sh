#!/bin/sh
# check.sh PROBE -- runs harness_tsan_probe's scenarios and counts
# ThreadSanitizer's reports: "hidden" must give at least one data race (the
# harness's bookkeeping did not order the threads), "grow" none (the heap
# tracker's table, grown on two threads, is not taken for a race).
# Prints "ok   ..." or "FAIL ..." per scenario; exits 1 on a failure.
set -u
probe=$1
log=$(mktemp "${TMPDIR:-/tmp}/tsan-probe.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
fails=0

# check SCENARIO COMPARISON WHY: runs the scenario; its count of races must
# pass `test COUNT COMPARISON` (e.g. "-ge 1"), else WHY is the failure.
check() {
    if ! TSAN_OPTIONS=exitcode=0 "$probe" "$1" >/dev/null 2>"$log"; then
        echo "FAIL tsan probe $1: the probe failed"
        cat "$log"
        fails=1
        return
    fi
    n=$(grep -c 'WARNING: ThreadSanitizer: data race' "$log")
    # shellcheck disable=SC2086 # $2 is an operator and its operand
    if [ "$n" $2 ]; then
        echo "ok   tsan probe $1: $n race(s) reported"
    else
        echo "FAIL tsan probe $1: $n race(s) reported: $3"
        grep -A14 'WARNING' "$log" | head -40
        fails=1
    fi
}

check hidden "-ge 1" "the harness's bookkeeping orders the threads"
check grow "-eq 0" "the heap tracker's table, grown on two threads, is taken for a race"
exit $fails
