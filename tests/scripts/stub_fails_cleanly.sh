#!/bin/sh
# stub_fails_cleanly.sh TESTS DIR -- the generated stub must fail every
# graded check, and fail it cleanly: an assertion failure with a message,
# never a crash, a timeout or an early exit (Check's result="error").
set -eu
tests=$1 dir=$2
mkdir -p "$dir"
. tests/scripts/lib.sh
hermetic "$dir"
xml="$dir/stub-results.xml"
set +e
"$tests" --quiet --xml "$xml" > "$dir/stub-output.txt" 2>&1
rc=$?
set -e
summary=$(tail -n 1 "$dir/stub-output.txt")
if [ "$rc" != 1 ]; then
    echo "stub: expected exit status 1 (tests failed), got $rc" >&2; exit 1
fi
case "$summary" in
    "0 passed, "*" failed") ;;
    *) echo "stub: some checks pass against the stub: '$summary'" >&2; exit 1 ;;
esac
errors=$(grep -c 'result="error"' "$xml" || true)
if [ "$errors" != 0 ]; then
    echo "stub: $errors checks crashed, timed out or exited early instead of failing:" >&2
    grep -A8 'result="error"' "$xml" | grep -E '<(id|message)>' >&2
    exit 1
fi
echo "stub: every check fails cleanly ($summary)"
