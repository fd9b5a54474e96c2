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

# run SCENARIO: the probe's exit status; its stderr in $log
run() {
    TSAN_OPTIONS=exitcode=0 "$probe" "$1" >/dev/null 2>"$log"
}
races() {
    grep -c 'WARNING: ThreadSanitizer: data race' "$log"
}

if ! run hidden; then
    echo "FAIL tsan probe hidden: the probe failed"; cat "$log"; fails=1
elif [ "$(races)" -ge 1 ]; then
    echo "ok   tsan probe hidden: the race is reported"
else
    echo "FAIL tsan probe hidden: no race reported: the harness's bookkeeping orders the threads"
    fails=1
fi
if ! run grow; then
    echo "FAIL tsan probe grow: the probe failed"; cat "$log"; fails=1
elif [ "$(races)" -eq 0 ]; then
    echo "ok   tsan probe grow: no race reported"
else
    echo "FAIL tsan probe grow: $(races) race(s) reported in the harness's heap tracker"
    grep -A14 'WARNING' "$log" | head -40
    fails=1
fi
exit $fails
