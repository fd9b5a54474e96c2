#!/bin/sh
# grader_bench.sh GRADER DIR -- how fast the grader grades, on this machine.
#
#   1. One submission (the reference solution), end to end with coverage:
#      the median of 7 `grader grade --no-performance` runs (wall clock of
#      the whole command, trusted objects already cached), and its phases.
#      The grader's own overhead is everything but the compiler and the
#      test processes: total - compile - run.
#   2. The same with the performance stage, median of BENCH_RUNS (7) runs:
#      end to end against its target (1.5 s), the stage against its own
#      (600 ms), and the stage's parts from scratch/perf/phases (perf.c
#      writes it; the runs keep their scratch folders in a private TMPDIR).
#      The overhead (target 10%) is then total - compile - run - the
#      stage's wait for the performance build (which runs beside the
#      builds and units, perfstage.h) - the valgrind run - the perf --time
#      run.  The first grading measures the references and
#      caches them (perf.c); it is left out.
#   3. A plain correct submission (corpus textbook_correct), end to end
#      with performance: what a typical student costs, which the
#      reference (tuned, fewer threads) does not show.
#   4. `batch -j 1` against `batch -j 2` on 8 submissions, performance
#      stage included: throughput ratio (target 1.9x).
#   5. The same on a mixed class: every other submission the plain one.
#
# The load average is printed with the figures: on a shared 2-core
# machine, other jobs stretch every wall-clock figure.
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
# CPU seconds of the finished children (user + system), from the shell's
# own `times` (a builtin: in a $(...) it would count a subshell's children).
cpu_snap() { times > "$dir/times.txt"; }
cpu_ms() {
    awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]);
                   t += a[1] * 60 + a[2] }; printf "%d", t * 1000 }' "$dir/times.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

: > "$dir/one/times"
cpu_snap; cpu0=$(cpu_ms)
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
cpu_snap; cpu1=$(cpu_ms)
cpu=$(((cpu1 - cpu0) / runs))
# What the run phase runs: units, their runs with repeats, the TSan reruns.
units=$(jq '[.tests[] | select(.runs > 0)] | length' "$dir/one/out/outcomes.json")
uruns=$(jq '[.tests[].runs] | add' "$dir/one/out/outcomes.json")
sruns=$(jq '.extra_data.test_runs' "$dir/one/out/results.json")   # sandbox runs: shared ones count once
col() { cut -f"$1" "$dir/one/times" | median; }
wall=$(col 1) compile=$(col 2) run=$(col 3) policy=$(col 4) cov=$(col 5) rep=$(col 6)
overhead=$((wall - compile - run))
echo "grader: one submission (reference solution), --no-performance, median of $runs runs"
printf '  %-34s %6s ms\n' "end to end (grader grade)" "$wall" \
    "compile + link (sandboxed gcc)" "$compile" \
    "run $units units, $uruns runs" "$run" \
    "symbol policy (nm, objdump)" "$policy" \
    "coverage (gcov, genhtml)" "$cov" \
    "reports" "$rep"
printf '  %-34s %6s (units share them; --isolate-units: one per unit run)\n' \
    "sandbox runs of the test programs" "$sruns"
printf '  %-34s %6s ms = %s%% of end to end\n' "grader overhead (all but cc, tests)" \
    "$overhead" "$(awk -v o="$overhead" -v w="$wall" 'BEGIN {printf "%.1f", 100 * o / w}')"
printf '  %-34s %6s ms = %s cores busy on average\n' "CPU (user + system, all processes)" \
    "$cpu" "$(awk -v c="$cpu" -v w="$wall" 'BEGIN {printf "%.2f", c / w}')"

: > "$dir/one/perf"
target() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t ? "met" : "NOT met")}'; }
tmp=$dir/one/tmp
rm -rf "$tmp" && mkdir -p "$tmp"
i=0
while [ $i -le "$runs" ]; do                 # run 0 warms the references' cache
    rm -rf "$tmp"/grader-*
    t0=$(now_ms)
    TMPDIR=$tmp "$grader" grade "$dir/one/student" -o "$dir/one/out-perf" --keep-scratch \
        > /dev/null 2>&1
    t1=$(now_ms)
    phases=$(cat "$tmp"/grader-*/grade-*/perf/phases 2>/dev/null ||
             echo "build 0 compile 0 refs 0 measure 0 time 0 prebuild 0")
    [ $i -eq 0 ] || jq -r --arg wall $((t1 - t0)) --arg ph "$phases" \
        '[$wall, .extra_data.phases_ms.compile, .extra_data.phases_ms.run,
          .extra_data.phases_ms.performance, .extra_data.phases_ms.coverage,
          ($ph | split(" ") | .[1], .[3], .[5], .[7], .[9], .[11] // "0")] | @tsv' \
        "$dir/one/out-perf/results.json" >> "$dir/one/perf"
    i=$((i + 1))
done
rm -rf "$tmp"
pcol() { cut -f"$1" "$dir/one/perf" | median; }
pwall=$(pcol 1) pcompile=$(pcol 2) prun=$(pcol 3) stage=$(pcol 4) pcov=$(pcol 5)
pbuild=$(pcol 6) pcc=$(pcol 7) prefs=$(pcol 8) pmeasure=$(pcol 9) ptime=$(pcol 10)
pprebuild=$(pcol 11)
# per run, then the median: the parts' medians need not add up
poverhead=$(awk -F'\t' '{print $1 - $2 - $3 - $7 - $9 - $10}' "$dir/one/perf" | median)
ppct=$(awk -v o="$poverhead" -v w="$pwall" 'BEGIN {printf "%.1f", 100 * o / w}')
echo "grader: the same with the performance stage, median of $runs runs" \
     "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-34s %6s ms   target <= 1500 ms: %s\n' "end to end (grader grade)" "$pwall" \
    "$(target "$pwall" 1500)"
printf '  %-34s %6s ms   target <= 600 ms: %s\n' "performance stage" "$stage" \
    "$(target "$stage" 600)"
printf '    %-32s %6s ms\n' "build, policy, client-request scan" "$pbuild" \
    "  of which compile + link (wait)" "$pcc" \
    "references (cached)" "$prefs" \
    "valgrind run (every measurement)" "$pmeasure" \
    "perf --time run (not graded)" "$ptime"
printf '  %-34s %6s ms   (beside the builds and units, in a thread)\n' \
    "performance build, compile + link" "$pprebuild"
printf '  %-34s %6s ms   (beside the stage, in a thread)\n' "coverage" "$pcov"
printf '  %-34s %6s ms = %s%% of end to end   target <= 10%%: %s\n' \
    "grader overhead (all but cc, tests)" "$poverhead" "$ppct" "$(target "$ppct" 10)"

# The reference is not a typical submission: its parallel_relu computes
# small inputs inline, so fewer of its units start threads and get a
# ThreadSanitizer run.  A plain correct one (the corpus's textbook_correct)
# shows what most of a class costs.
rm -rf "$dir/plain" && mkdir -p "$dir/plain/student"
cp tests/fixtures/corpus/textbook_correct/kernels.c "$dir/plain/student/"
: > "$dir/plain/times"
i=0
while [ $i -lt "$runs" ]; do
    t0=$(now_ms)
    "$grader" grade "$dir/plain/student" -o "$dir/plain/out" > /dev/null
    t1=$(now_ms)
    jq -r --arg wall $((t1 - t0)) '[$wall, .extra_data.phases_ms.run, (.score * 100 | round / 100)] | @tsv' \
        "$dir/plain/out/results.json" >> "$dir/plain/times"
    i=$((i + 1))
done
echo "grader: a plain correct submission (corpus textbook_correct), with performance," \
     "median of $runs runs"
printf '  %-34s %6s ms (the test runs %s ms; score %s)\n' "end to end (grader grade)" \
    "$(cut -f1 "$dir/plain/times" | median)" "$(cut -f2 "$dir/plain/times" | median)" \
    "$(cut -f3 "$dir/plain/times" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# batch_fill NAME: NAME/s0 .. s(nbatch-1), the reference in each, or in a
# mixed class every other one the plain correct submission.
batch_fill() {
    rm -rf "$dir/$1" && mkdir -p "$dir/$1"
    i=0
    while [ $i -lt "$nbatch" ]; do
        src=solutions/kernels/kernels.c
        [ "$1" = mixed ] && [ $((i % 2)) = 1 ] && src=tests/fixtures/corpus/textbook_correct/kernels.c
        mkdir -p "$dir/$1/s$i" && cp "$src" "$dir/$1/s$i/"
        i=$((i + 1))
    done
}
# Wall clock and CPU of one batch of NAME, into NAME-J.txt (not in a $(...):
# `times` counts only this shell's children).
batch_run() {
    cpu_snap; c0=$(cpu_ms); t0=$(now_ms)
    "$grader" batch "$dir/$1" -o "$dir/$1-out-$2" -j "$2" --force --no-cache \
        > /dev/null 2>&1     # --no-cache: the regrade cache would reuse the -j 1 results
    t1=$(now_ms); cpu_snap; c1=$(cpu_ms)
    echo "$((t1 - t0)) $((c1 - c0))" > "$dir/$1-$2.txt"
}
# batch_report NAME TITLE: both runs of NAME and their ratio.
batch_report() {
    read -r j1 c1 < "$dir/$1-1.txt"
    read -r j2 c2 < "$dir/$1-2.txt"
    echo "grader: $2"
    for j in 1 2; do
        eval "t=\$j$j c=\$c$j"
        printf '  %-34s %6s ms (%s submissions/min, CPU %s s = %s cores busy)\n' "batch -j $j" "$t" \
            "$(awk -v t="$t" -v n="$nbatch" 'BEGIN {printf "%.1f", n * 60000 / t}')" \
            "$(awk -v c="$c" 'BEGIN {printf "%.1f", c / 1000}')" \
            "$(awk -v c="$c" -v t="$t" 'BEGIN {printf "%.2f", c / t}')"
    done
    ratio=$(awk -v a="$j1" -v b="$j2" 'BEGIN {printf "%.2f", a / b}')
}
batch_fill batch
batch_run batch 1
batch_run batch 2
batch_report batch "batch of $nbatch submissions"
printf '  %-34s %6sx   target >= 1.9x: %s\n' "throughput -j 2 / -j 1" "$ratio" \
    "$(awk -v r="$ratio" 'BEGIN {print (r >= 1.9 ? "met" : "NOT met")}')"
# A class is not eight copies of the reference: half of this one is the
# plain correct submission, whose extra ThreadSanitizer runs change how
# the two cores are shared.
batch_fill mixed
batch_run mixed 1
batch_run mixed 2
batch_report mixed "a mixed class of $nbatch (every other one textbook_correct)"
printf '  %-34s %6sx\n' "throughput -j 2 / -j 1" "$ratio"
