#!/bin/sh
# grader_bench.sh GRADER DIR -- how fast the grader grades, on this machine.
#
#   1. One submission (the reference solution), end to end with coverage:
#      the median of 7 `grader grade --no-performance` runs (wall clock of
#      the whole command, trusted objects already cached), and its phases.
#      The grader's own overhead is everything but the compiler and the
#      test processes: total - compile - run.  Then the same with the
#      performance stage (valgrind), median of 3.
#   2. `batch -j 1` against `batch -j 2` on 8 submissions, performance
#      stage included: throughput ratio.
#
# Prints figures; asserts nothing about time.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
runs=${BENCH_RUNS:-7}
nbatch=${BENCH_BATCH:-8}

rm -rf "$dir/one" && mkdir -p "$dir/one/student"
cp solutions/kernels/kernels.c "$dir/one/student/"
"$grader" check-config > /dev/null          # warm the trusted-object cache

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

: > "$dir/one/times"
i=0
while [ $i -lt "$runs" ]; do
    t0=$(now_ms)
    "$grader" grade "$dir/one/student" -o "$dir/one/out" --no-performance > /dev/null
    t1=$(now_ms)
    jq -r --arg wall $((t1 - t0)) \
        '[$wall, .extra_data.phases_ms.compile, .extra_data.phases_ms.run,
          .extra_data.phases_ms.policy, .extra_data.phases_ms.coverage,
          .extra_data.phases_ms.report] | @tsv' "$dir/one/out/results.json" >> "$dir/one/times"
    i=$((i + 1))
done
col() { cut -f"$1" "$dir/one/times" | median; }
wall=$(col 1) compile=$(col 2) run=$(col 3) policy=$(col 4) cov=$(col 5) rep=$(col 6)
overhead=$((wall - compile - run))
echo "grader: one submission (reference solution), --no-performance, median of $runs runs"
printf '  %-34s %6s ms\n' "end to end (grader grade)" "$wall" \
    "compile + link (sandboxed gcc)" "$compile" \
    "run 32 graded units (sandboxed)" "$run" \
    "symbol policy (nm, objdump)" "$policy" \
    "coverage (gcov, genhtml)" "$cov" \
    "reports" "$rep"
printf '  %-34s %6s ms = %s%% of end to end\n' "grader overhead (all but cc, tests)" \
    "$overhead" "$(awk -v o="$overhead" -v w="$wall" 'BEGIN {printf "%.1f", 100 * o / w}')"

: > "$dir/one/perf"
for i in 1 2 3; do
    t0=$(now_ms)
    "$grader" grade "$dir/one/student" -o "$dir/one/out-perf" > /dev/null
    t1=$(now_ms)
    jq -r --arg wall $((t1 - t0)) '[$wall, .extra_data.phases_ms.performance] | @tsv' \
        "$dir/one/out-perf/results.json" >> "$dir/one/perf"
done
echo "grader: the same with the performance stage (valgrind), median of 3 runs"
printf '  %-34s %6s ms\n' "end to end (grader grade)" "$(cut -f1 "$dir/one/perf" | median)" \
    "performance stage" "$(cut -f2 "$dir/one/perf" | median)"

rm -rf "$dir/batch" && mkdir -p "$dir/batch"
i=0
while [ $i -lt "$nbatch" ]; do
    mkdir -p "$dir/batch/s$i" && cp solutions/kernels/kernels.c "$dir/batch/s$i/"
    i=$((i + 1))
done
batch_ms() {
    t0=$(now_ms)
    "$grader" batch "$dir/batch" -o "$dir/batch-out-$1" -j "$1" --force > /dev/null 2>&1
    t1=$(now_ms)
    echo $((t1 - t0))
}
j1=$(batch_ms 1)
j2=$(batch_ms 2)
echo "grader: batch of $nbatch submissions"
printf '  %-34s %6s ms (%s submissions/min)\n' "batch -j 1" "$j1" \
    "$(awk -v t="$j1" -v n="$nbatch" 'BEGIN {printf "%.1f", n * 60000 / t}')"
printf '  %-34s %6s ms (%s submissions/min)\n' "batch -j 2" "$j2" \
    "$(awk -v t="$j2" -v n="$nbatch" 'BEGIN {printf "%.1f", n * 60000 / t}')"
printf '  %-34s %6sx\n' "throughput -j 2 / -j 1" \
    "$(awk -v a="$j1" -v b="$j2" 'BEGIN {printf "%.2f", a / b}')"
