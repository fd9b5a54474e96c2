#!/bin/sh
# perf_e2e.sh GRADER DIR -- performance grading end to end, with the real
# config.yaml: the reference solution gets every performance point; each
# slow fixture of tests/fixtures/perf/ (README there) loses its test's
# points and keeps every other performance point; the memcpy-chunk and
# caller-plus-helpers parallel ReLUs get full points; a submission whose
# performance build is refused (a client request) or fails (an #error only
# performance.cflags reach) gets no performance point and every other
# point, the build log saying why; grading the same
# submission twice gives identical metrics; the wall-clock timing stays
# out of results.json.  Prints the performance stage's time per
# submission.  Run from the repository root.  Hermetic (lib.sh): a private TMPDIR, its own sandbox uids.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
solution=solutions/kernels/kernels.c
fails=0 passes=0
ok()    { passes=$((passes + 1)); echo "ok   $*"; }
bad()   { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; step "check: $name"; if "$@"; then ok "$name"; else bad "$name"; fi; }

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
mkdir -p "$subs/correct" "$subs/correct_again"
cp "$solution" "$subs/correct/kernels.c"
cp "$solution" "$subs/correct_again/kernels.c"
# fixture:test it loses (or "+" : a correct alternative, full points)
losers="naive_blocked:perf/blocked_cache serial_relu:perf/parallel_relu_threads
slow_baseline:perf/baseline_instructions scalar_relu:perf/vectorized_relu_instructions
slow_operations:perf/vectorized_operations_instructions slow_quantized:perf/quantized_instructions
scalar_quantized_relu:perf/quantized_relu_instructions serial_batch:perf/parallel_batch_threads"
winners="memcpy_relu caller_relu"
# no performance build to measure: every performance test an error, 0 points
unbuilt="client_request perf_flags_error"
for pair in $losers $winners $unbuilt; do
    fx=${pair%%:*}
    mkdir -p "$subs/$fx"
    override_kernels "tests/fixtures/perf/$fx/override.c" > "$subs/$fx/kernels.c"
done

start=$(date +%s)
"$grader" -c config.yaml batch "$subs" -o "$out" -j 2 --force --no-cache > "$dir/batch.txt" 2>&1 ||
    { echo "FAIL batch: $(tail -3 "$dir/batch.txt")"; exit 1; }
echo "perf_e2e: $(ls "$subs" | wc -l) submissions graded by one 'grader batch -j 2' in" \
     "$(($(date +%s) - start)) s"

res() { echo "$out/students/$1/results.json"; }
# unit NAME ID FILTER: the test ID of NAME's results.json through a jq filter
unit() { jq -r --arg id "$2" ".tests[] | select(.extra_data.id == \$id) | $3" "$(res "$1")"; }
# full NAME ID: the test got all its points
full() { test "$(unit "$1" "$2" '.score == .max_score')" = true; }
zero() { test "$(unit "$1" "$2" '.score')" = 0; }
perf_ids=$(jq -r '.tests[] | select(.extra_data.metric) | .extra_data.id' "$(res correct)")
# others_full NAME ID: every performance test but ID got all its points
others_full() {
    test "$(jq --arg id "$2" '[.tests[] | select(.extra_data.metric) |
        select(.extra_data.id != $id) | select(.score != .max_score)] | length' \
        "$(res "$1")")" = 0
}

for fx in $(ls "$subs"); do
    echo "  $fx: performance stage $(jq '.extra_data.phases_ms.performance' "$(res "$fx")") ms," \
         "whole grading $(jq '.extra_data.phases_ms.total' "$(res "$fx")") ms"
done

check "config has one performance test per kernel" test "$(echo $perf_ids | wc -w)" = 8
check "reference: full marks" \
    test "$(jq '.score == ([.tests[].max_score] | add)' "$(res correct)")" = true
for id in $perf_ids; do
    check "reference: full points for $id" full correct "$id"
done
for pair in $losers; do
    fx=${pair%%:*} id=${pair#*:}
    check "$fx: no points for $id" zero "$fx" "$id"
    check "$fx: every other performance point" others_full "$fx" "$id"
done
for fx in $winners; do
    check "$fx: every performance point" others_full "$fx" none
    check "$fx: as many points as the reference" \
        test "$(jq .score "$(res "$fx")")" = "$(jq .score "$(res correct)")"
done
# unbuilt NAME TEXT: every performance test an error with 0 points saying
# TEXT; every other unit passed.
unbuilt() {
    test "$(jq --arg text "$2" '
        [.tests[] | select(.extra_data.id | startswith("perf/"))] as $perf
        | ($perf | length) == 8 and
          ($perf | all(.score == 0 and .extra_data.status == "error"
                       and (.output | contains($text)))) and
          ([.tests[] | select(.extra_data.id | startswith("perf/") | not)]
           | all(.extra_data.status == "passed"))' "$(res "$1")")" = true
}
check "client_request: the performance build is refused, every unit passes" \
    unbuilt client_request "valgrind client request the harness did not put there"
check "perf_flags_error: the performance build fails, every unit passes" \
    unbuilt perf_flags_error "the performance build failed: see the build log"
check "perf_flags_error: the build log shows the compiler's error" \
    grep -q "no AVX2 build, please" "$out/students/perf_flags_error/build.log"
check "naive i-j-k blocked product: about as many misses as the naive reference" \
    test "$(unit naive_blocked perf/blocked_cache '.extra_data.ratio > 0.9')" = true
case $(unit serial_relu perf/parallel_relu_threads '.output') in
*"0 threads started (full points: 4, or 3 helpers and the calling thread)"*)
    ok "one-thread parallel ReLU: the report names 0 threads" ;;
*) bad "one-thread parallel ReLU: the report names 0 threads" ;;
esac
case $(unit caller_relu perf/parallel_relu_threads '.output') in
*"3 threads started"*"(the calling thread among them)"*"full points"*)
    ok "caller plus 3 helpers: the report says so" ;;
*) bad "caller plus 3 helpers: the report says so" ;;
esac

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
    grep -q "L1 data cache misses (C library included): [0-9]*, reference (naive_matmul) [0-9]*, ratio" \
    "$out/students/correct/report.txt"
check "report.txt shows the wall-clock speedup as information" \
    grep -q "wall clock, not graded: .*speedup" "$out/students/correct/report.txt"
check "results.json leaves the wall-clock timing out" \
    sh -c "! grep -q 'wall clock' '$(res correct)'"

step summary
echo "$passes passed, $fails failed"
test "$fails" = 0
