#!/bin/sh
# similar_bench.sh GRADER DIR -- how long `grader similar` takes on a
# class of 500 (BENCH_SIMILAR=N for another size), docs/performance.md.
#
# The class: student i is one of six independent solutions (the five of
# tests/fixtures/similar/class/ and the reference solution, which is
# about 1400 lines, so a sixth of the class is that size), with a
# different no-op statement after about every third line (the choice and
# the place depend on i), so that most fingerprints are the student's
# own, as in a class that did not copy; and 5 planted copies.  Timed:
# the default (--max-share 10) and the worst case without that limit
# (--max-share 0), each with the 50 side-by-side pages.  Prints figures
# and the planted pairs' ranks; asserts nothing about time.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
n=${BENCH_SIMILAR:-500}
class="$dir/similar-class"
rm -rf "$class" "$dir/similar-out"
mkdir -p "$class"

now_ms() { date +%s%3N; }

set -- tests/fixtures/similar/class/*/kernels.c solutions/kernels/kernels.c
i=0
while [ $i -lt "$n" ]; do
    src=$(eval "echo \${$((i % $# + 1))}")
    s=$(printf 's%04d' $i)
    mkdir -p "$class/$s"
    awk -v seed=$i 'BEGIN { srand(seed)
            noop[0] = "(void)0;"; noop[1] = "do { } while (0);"; noop[2] = "if (0) { }"
            noop[3] = ";"; noop[4] = "{ }"; noop[5] = "(void)sizeof(int);"
            noop[6] = "for (;0;) { }"; noop[7] = "while (0) { }" }
        { print }
        /;$/ && rand() < 0.35 { print noop[int(rand() * 8)] }' "$src" > "$class/$s/kernels.c"
    i=$((i + 1))
done
for k in 1 2 3 4 5; do   # planted: copies of student k*7 under a new name
    src=$(printf 's%04d' $((k * 7)))
    mkdir -p "$class/copy$k"
    sed 's/\bi\b/idx/g; s/^    /\t/' "$class/$src/kernels.c" > "$class/copy$k/kernels.c"
done
lines=$(cat "$class"/*/kernels.c | wc -l)

run() {   # run LABEL OPTIONS...: the time of one similar run
    label=$1; shift
    t0=$(now_ms)
    "$grader" -c config.yaml similar "$class" -o "$dir/similar-out" "$@" > "$dir/similar.txt"
    t1=$(now_ms)
    printf '  %-40s %6s ms\n' "$label" $((t1 - t0))
}
echo "grader similar: $((n + 5)) students ($lines lines of C; 5 planted copies), 50 pair pages"
run "default (--max-share 10)"
ranks() {   # the ranks of the 5 planted pairs (copyK with student 7K)
    awk -F, 'NR > 1 { gsub(/"/, "")
        if ($2 ~ /^copy/ && $3 == sprintf("s%04d", substr($2, 5) * 7)) {
            printf "%s%s", sep, $1; sep = ", " } }' "$dir/similar-out/similarity/similarity.csv"
}
echo "  the 5 planted pairs rank: $(ranks)"
run "no limit (--max-share 0): the worst case" --max-share 0
echo "  the 5 planted pairs rank: $(ranks)"
pairs=$(($(wc -l < "$dir/similar-out/similarity/similarity.csv") - 1))
echo "  pairs sharing a fingerprint without the limit: $pairs"
