#!/bin/sh
# check.sh PROBE -- runs runner_probe's tests (each outlives its 1 s
# timeout) and reads the runner's tc-location lines: the "waits" tests
# must be told as waiting on themselves, the "held" ones must not (the
# grader runs those again before their timeout costs points).
# Prints "ok   ..." or "FAIL ..." per test; exits 1 on a failure.
set -u
probe=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/runner-probe.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0

"$probe" --timeout 1 > "$dir/out" 2> "$dir/err"
if ! grep -q '^0 passed, 6 failed$' "$dir/out"; then
    echo "FAIL runner probe: every test should time out"
    cat "$dir/out"
    exit 1
fi

# expect TEST WORD: TEST's tc-location line says WORD ("" = no line or not "waiting")
expect() {
    what=$(sed -n "s|^tc-location: probe/$1 \([a-z]*\).*|\1|p" "$dir/err")
    if [ "$2" = waiting ] && [ "$what" = waiting ]; then
        echo "ok   runner probe $1: waiting on itself"
    elif [ "$2" != waiting ] && [ "$what" != waiting ]; then
        echo "ok   runner probe $1: not taken for a wait (${what:-no line})"
    else
        echo "FAIL runner probe $1: '${what:-no line}', expected $2"
        fails=1
    fi
}

expect waits/deadlock waiting
expect waits/sleep waiting
expect waits/joined waiting
expect held/stopped held
expect held/spinning held
expect held/reading held
# The same words reach the test's FAIL line, for the student's own run.
if grep -q '^FAIL probe/waits/deadlock: .*every thread blocked' "$dir/out"; then
    echo "ok   runner probe: the FAIL line says the test waited"
else
    echo "FAIL runner probe: the FAIL line of waits/deadlock does not say it waited"
    fails=1
fi
exit $fails
