#!/bin/sh
# perf_e2e.sh GRADER DIR -- performance grading end to end, with the real
# config.yaml: the reference solution gets every performance point; a
# "cache-friendly" product that is the naive i-j-k loop, and a "parallel"
# ReLU that starts no thread (tests/fixtures/perf/), lose exactly those
# points and keep every other; grading the same submission twice gives
# identical metrics; the wall-clock timing stays out of results.json.
# Prints the performance stage's time per submission.  Run from the
# repository root.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
solution=solutions/kernels/kernels.c
fails=0 passes=0
ok()    { passes=$((passes + 1)); echo "ok   $*"; }
bad()   { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

command -v jq > /dev/null || { echo "FAIL perf_e2e: jq is missing"; exit 1; }

# override_kernels OVERRIDE_C: the solution with the functions OVERRIDE_C
# defines renamed to ref_NAME, then OVERRIDE_C (as corpus.sh builds them).
override_kernels() {
    renamed=
    for f in $(grep -v '^static' "$solution" |
               sed -n 's/^[A-Za-z][A-Za-z0-9_ ]*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' | sort -u); do
        if grep -q "^[A-Za-z][A-Za-z0-9_ ]*[ *]$f(" "$1"; then renamed="$renamed $f"; fi
    done
    echo '#include "kernels.h"'
    for f in $renamed; do echo "#define $f ref_$f"; done
    cat "$solution"
    for f in $renamed; do echo "#undef $f"; done
    cat "$1"
}

subs=$dir/subs out=$dir/out
rm -rf "$subs" "$out"
mkdir -p "$subs/correct" "$subs/correct_again" "$subs/naive_blocked" "$subs/serial_relu"
cp "$solution" "$subs/correct/kernels.c"
cp "$solution" "$subs/correct_again/kernels.c"
for name in naive_blocked serial_relu; do
    override_kernels "tests/fixtures/perf/$name/override.c" > "$subs/$name/kernels.c"
done

start=$(date +%s)
"$grader" -c config.yaml batch "$subs" -o "$out" -j 2 --force > "$dir/batch.txt" 2>&1 ||
    { echo "FAIL batch: $(tail -3 "$dir/batch.txt")"; exit 1; }
echo "perf_e2e: 4 submissions graded by one 'grader batch -j 2' in $(($(date +%s) - start)) s"

res() { echo "$out/students/$1/results.json"; }
# unit NAME ID FILTER: the test ID of NAME's results.json through a jq filter
unit() { jq -r --arg id "$2" ".tests[] | select(.extra_data.id == \$id) | $3" "$(res "$1")"; }
# full NAME ID: the test got all its points
full() { test "$(unit "$1" "$2" '.score == .max_score')" = true; }
zero() { test "$(unit "$1" "$2" '.score')" = 0; }
perf_ids=$(jq -r '.tests[] | select(.extra_data.metric) | .extra_data.id' "$(res correct)")
# others_full NAME ID: every test but ID got all its points
others_full() {
    test "$(jq --arg id "$2" '[.tests[] | select(.extra_data.id != $id) |
        select(.score != .max_score)] | length' "$(res "$1")")" = 0
}

for name in correct correct_again naive_blocked serial_relu; do
    echo "  $name: performance stage $(jq '.extra_data.phases_ms.performance' "$(res "$name")") ms," \
         "whole grading $(jq '.extra_data.phases_ms.total' "$(res "$name")") ms"
done

check "config has the three performance tests" test "$(echo $perf_ids | wc -w)" = 3
check "reference: full marks" \
    test "$(jq '.score == ([.tests[].max_score] | add)' "$(res correct)")" = true
for id in $perf_ids; do
    check "reference: full points for $id" full correct "$id"
done
check "naive i-j-k blocked product: no cache points" zero naive_blocked perf/blocked_cache
check "naive i-j-k blocked product: about as many misses as the naive reference" \
    test "$(unit naive_blocked perf/blocked_cache '.extra_data.ratio > 0.9')" = true
check "naive i-j-k blocked product: every other point" others_full naive_blocked perf/blocked_cache
check "one-thread parallel ReLU: no threads points" zero serial_relu perf/parallel_relu_threads
case $(unit serial_relu perf/parallel_relu_threads '.output') in
*"0 worker threads (4 expected)"*) ok "one-thread parallel ReLU: the report names 0 worker threads" ;;
*) bad "one-thread parallel ReLU: the report names 0 worker threads" ;;
esac
check "one-thread parallel ReLU: every other point" others_full serial_relu perf/parallel_relu_threads

# The same submission twice: identical metrics, outputs and scores.
metrics() { jq -S '[.tests[] | select(.extra_data.metric) | {score, output, extra_data}]' "$(res "$1")"; }
metrics correct > "$dir/a.json"
metrics correct_again > "$dir/b.json"
check "graded twice: identical metrics" cmp -s "$dir/a.json" "$dir/b.json"
# The Markdown output names the student on its "**Student:**" line.
stable() {
    jq -S 'del(.execution_time, .extra_data.phases_ms, .extra_data.student)
           | .output |= gsub("\\*\\*Student:\\*\\*[^\n]*"; "STUDENT")' "$(res "$1")"
}
stable correct > "$dir/a-all.json"
stable correct_again > "$dir/b-all.json"
check "graded twice: identical results.json (but for the timings and the name)" \
    cmp -s "$dir/a-all.json" "$dir/b-all.json"

check "report.txt shows the metric, the reference and the ratio" \
    grep -q "L1 data cache misses: [0-9]*, reference (naive_matmul) [0-9]*, ratio" \
    "$out/students/correct/report.txt"
check "report.txt shows the wall-clock speedup as information" \
    grep -q "wall clock, not graded: .*speedup" "$out/students/correct/report.txt"
check "results.json leaves the wall-clock timing out" \
    sh -c "! grep -q 'wall clock' '$(res correct)'"

echo "$passes passed, $fails failed"
test "$fails" = 0
