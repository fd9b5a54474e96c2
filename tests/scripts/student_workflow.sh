#!/bin/sh
# student_workflow.sh DIR -- the students' `make test` in assignments/kernels:
# with the stub it builds, runs every visible test and fails them all; with
# the reference solution dropped in, every visible test passes.
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
root=$(pwd)
. tests/scripts/lib.sh
hermetic "$dir"

echo "student: make test on the stub"
set +e
make -s -C assignments/kernels test BUILD="$dir/stub" > "$dir/stub.txt" 2>&1
rc=$?
set -e
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$dir/stub.txt" | tail -n 1)
if [ "$rc" = 0 ] || [ -z "$last" ] || [ "${last%% *}" != 0 ]; then
    echo "student: the stub should build and fail every visible test; got '$last' (exit $rc)" >&2
    tail -n 20 "$dir/stub.txt" >&2
    exit 1
fi
grep -q '^FAIL ' "$dir/stub.txt" || { echo "student: no per-test FAIL lines" >&2; exit 1; }

echo "student: make test with the reference solution in a copy of the folder"
rm -rf "$dir/copy" && mkdir -p "$dir/copy"
cp assignments/kernels/Makefile assignments/kernels/kernels.h "$dir/copy/"
cp solutions/kernels/kernels.c "$dir/copy/"
if ! make -s -C "$dir/copy" test HARNESS="$root/harness" > "$dir/solution.txt" 2>&1; then
    echo "student: the reference solution fails the visible tests:" >&2
    tail -n 30 "$dir/solution.txt" >&2
    exit 1
fi
last=$(tail -n 1 "$dir/solution.txt")
case "$last" in
    *" passed, 0 failed") echo "student: ok ($last)" ;;
    *) echo "student: unexpected summary '$last'" >&2; exit 1 ;;
esac
