#!/bin/sh
# rescore_bench.sh GRADER DIR -- how fast `grader rescore` rescores a class of
# N students (BENCH_RESCORE, default 1,000; target: at most 5 s).
#
# A synthetic class, as tests/browser/gen_class.sh makes one for the
# dashboard, but with what rescore reads: two real gradings
# (--no-performance), the reference solution and an ungradable
# submission, copied to N student folders (every 20th the ungradable one;
# each outcomes.json with its own student name; no coverage folders), then
# `rescore OUT -j 2`, timed (wall clock of the command, median of 3), each
# run with other points than the last: every report, results.json, the
# gradebook, the exports and the dashboard of N students written again.
#
# Prints figures; asserts nothing about time.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)/rescore
n=${BENCH_RESCORE:-1000}
rm -rf "$dir" && mkdir -p "$dir/class/correct" "$dir/class/broken" "$dir/repo"
# A private copy of the config and what it names: an edit of the tree
# meanwhile would (rightly) make rescore refuse.
cp -r config.yaml harness solutions assignments grader "$dir/repo/"
cfg=$dir/repo/config.yaml
cp solutions/kernels/kernels.c "$dir/class/correct/"
cp tests/fixtures/examples/broken/kernels.c "$dir/class/broken/"
"$grader" -c "$cfg" batch "$dir/class" -o "$dir/graded" -j 2 --no-performance --no-cache \
    > /dev/null 2>&1
for t in correct broken; do rm -rf "$dir/graded/students/$t/coverage"; done

# N students from the two templates, each outcomes.json with its name.
mkdir -p "$dir/out/students"
i=1
while [ "$i" -le "$n" ]; do
    t=correct
    [ $((i % 20)) -ne 7 ] || t=broken
    cp -r "$dir/graded/students/$t" "$dir/out/students/$(printf 's%04d' "$i")"
    i=$((i + 1))
done
awk -v n="$n" -v dir="$dir/out/students" '
    FNR == 1 { t = FILENAME ~ /broken/ ? "broken" : "correct"; nl[t] = 0 }
    { line[t, ++nl[t]] = $0 }
    END {
        for (i = 1; i <= n; i++) {
            name = sprintf("s%04d", i); t = i % 20 == 7 ? "broken" : "correct"
            f = dir "/" name "/outcomes.json"
            for (k = 1; k <= nl[t]; k++) {
                l = line[t, k]
                if (l == " \"student\": \"" t "\",") l = " \"student\": \"" name "\","
                print l > f
            }
            close(f)
        }
    }' "$dir/graded/students/correct/outcomes.json" "$dir/graded/students/broken/outcomes.json"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
: > "$dir/times"
# Each run with other points than the last: every report changes.
sed 's/{id: matmul_baseline\/small, name: "\([^"]*\)", points: 4/{id: matmul_baseline\/small, name: "\1", points: 7/' \
    "$cfg" > "$dir/repo/points.yaml"
cmp -s "$cfg" "$dir/repo/points.yaml" && echo "rescore_bench.sh: the points did not change" >&2
for c in points.yaml config.yaml points.yaml; do
    t0=$(now_ms)
    "$grader" -c "$dir/repo/$c" rescore "$dir/out" -j 2 > /dev/null 2> "$dir/rescore.err"
    t1=$(now_ms)
    echo $((t1 - t0)) >> "$dir/times"
done
ms=$(median < "$dir/times")
echo "grader: rescore of a class of $n students (no compile, no run), median of 3 runs"
printf '  %-34s %6s ms (target: at most 5000 ms for 1,000 students)\n' \
    "rescore -j 2" "$ms"
printf '  %-34s %6s ms\n' "per student" \
    "$(awk -v t="$ms" -v n="$n" 'BEGIN {printf "%.2f", t / n}')"
