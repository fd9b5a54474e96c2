#!/bin/sh
# shards.sh GRADER DIR -- grading across machines, on one: a class of six
# graded in one batch and as three shards (`batch --shard I/3`) must give,
# once merged (`grader merge`), the same gradebook byte for byte and the
# same results; each shard holds exactly its students; merging is
# idempotent and refuses conflicting results; bad --shard values are usage
# errors.  Then the same class through grader/scale/grade-parallel.sh
# (GNU parallel), when parallel is installed.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# Every column of gradebook.csv is deterministic (scores, statuses,
# coverage), so gradebooks are compared whole.  results.json records
# wall-clock times: compare it without them, and without the outputs (a
# failing timing test prints its microseconds there).
stable() {
    jq -S 'del(.execution_time, .extra_data.phases_ms)' "$1"
}

rm -rf "$dir/full" "$dir/shards" "$dir/merged" "$dir/par" "$dir/conflict" "$dir/tampered"
sh tests/scale/class.sh "$dir/class"
students() { ls "$1" | LC_ALL=C sort; }      # one name a line, in the grader's order

# ---- usage errors -------------------------------------------------------
usage_ok=1
for bad_shard in 0/3 4/3 1/0 3/2 1/10001 x 1/3x /3 1/ -1/3 "1 /3" ""; do
    set +e
    "$grader" batch "$dir/class" --shard "$bad_shard" -o "$dir/never" 2> "$dir/usage.err"
    rc=$?
    set -e
    if [ "$rc" != 2 ] || ! grep -q -- "--shard takes I/N" "$dir/usage.err"; then
        echo "  --shard '$bad_shard': exit $rc: $(cat "$dir/usage.err")"; usage_ok=0
    fi
done
check "bad --shard values are usage errors (exit 2), nothing written" \
    sh -c "test $usage_ok = 1 && test ! -e '$dir/never'"
set +e
"$grader" merge "$dir/class" > /dev/null 2>&1
rc_no_out=$?
"$grader" merge -o "$dir/never" > /dev/null 2>&1
rc_no_in=$?
set -e
check "merge without -o OUT or without an input is a usage error" \
    test "$rc_no_out $rc_no_in" = "2 2"

# ---- one batch, then three shards ----------------------------------------
# --no-cache: each shard really grades its students (the regrade cache
# would copy the unsharded batch's results).
"$grader" batch "$dir/class" -o "$dir/full" -j 2 --no-performance --no-cache \
    > "$dir/full.txt" 2>&1
check "the unsharded batch grades all six" \
    test "$(students "$dir/full/students" | wc -l)" = 6
for i in 1 2 3; do
    "$grader" batch "$dir/class" --shard "$i/3" -o "$dir/shards/shard-$i" -j 2 \
        --no-performance --no-cache > "$dir/shard-$i.txt" 2>&1
done

# Student k (from 0, sorted) belongs to shard k % 3 + 1.
for i in 1 2 3; do
    students "$dir/class" | awk -v i="$i" '(NR - 1) % 3 == i - 1' > "$dir/expected-$i"
    students "$dir/shards/shard-$i/students" > "$dir/got-$i"
    tail -n +2 "$dir/shards/shard-$i/gradebook.csv" | cut -d, -f1 | tr -d '"' > "$dir/rows-$i"
    check "shard $i/3 holds exactly its students ($(tr '\n' ' ' < "$dir/expected-$i"))" \
        cmp -s "$dir/expected-$i" "$dir/got-$i"
    check "shard $i/3's gradebook has exactly its students" cmp -s "$dir/expected-$i" "$dir/rows-$i"
done
check "shard 1/3 says what it grades" grep -q "shard 1/3: 2 of 6 students" "$dir/shard-1.txt"

# ---- merge --------------------------------------------------------------
set +e
"$grader" merge "$dir/shards/shard-1" "$dir/shards/shard-2" "$dir/shards/shard-3" \
    -o "$dir/merged" > "$dir/merge.txt" 2> "$dir/merge.err"
rc=$?
set -e
check "merge succeeds" test "$rc" = 0
check "merge reports what it did" grep -q "merged 6 students from 3 inputs" "$dir/merge.err"
check "the merged gradebook equals the unsharded one, byte for byte" \
    cmp -s "$dir/merged/gradebook.csv" "$dir/full/gradebook.csv"
check "the merged class has every student" \
    test "$(students "$dir/merged/students")" = "$(students "$dir/full/students")"
same=1
students "$dir/class" > "$dir/all"
while IFS= read -r n; do
    stable "$dir/merged/students/$n/results.json" > "$dir/a.json"
    stable "$dir/full/students/$n/results.json" > "$dir/b.json"
    cmp -s "$dir/a.json" "$dir/b.json" || { echo "  $n: results differ"; same=0; }
done < "$dir/all"
check "every merged results.json equals the unsharded one (but for the times)" test "$same" = 1
check "merge prints the class table" grep -q "6 students: mean" "$dir/merge.txt"
check "merge prints it plain off a terminal" sh -c "! grep -q \"$(printf '\033')\" '$dir/merge.txt'"
check "merge writes the dashboard" test -s "$dir/merged/index.html"

cp "$dir/merged/gradebook.csv" "$dir/gradebook.before"
"$grader" merge "$dir/shards/shard-1" "$dir/shards/shard-2" "$dir/shards/shard-3" \
    -o "$dir/merged" --color=always > "$dir/merge2.txt" 2> "$dir/merge2.err"
check "merge --color=always colours the class table" grep -q "$(printf '\033')\[" "$dir/merge2.txt"
check "merging again copies nothing and keeps the gradebook" \
    sh -c "grep -q '0 copied, 6 already there' '$dir/merge2.err' &&
           cmp -s '$dir/gradebook.before' '$dir/merged/gradebook.csv'"

# Gradings are deterministic, so a real conflict is planted: shard 2 with
# one student's score changed.
rm -rf "$dir/tampered"
cp -R "$dir/shards/shard-2" "$dir/tampered"
victim=$(students "$dir/tampered/students" | head -n 1)
jq '.score += 1' "$dir/tampered/students/$victim/results.json" > "$dir/tampered.json"
mv "$dir/tampered.json" "$dir/tampered/students/$victim/results.json"
set +e
"$grader" merge "$dir/full" "$dir/tampered" -o "$dir/conflict" > /dev/null 2> "$dir/conflict.err"
rc=$?
set -e
check "a student graded in two inputs is a conflict (exit 1), nothing copied" \
    sh -c "test $rc = 1 && grep -q 'different results' '$dir/conflict.err' &&
           test -z \"\$(ls '$dir/conflict/students')\""

# ---- GNU parallel ---------------------------------------------------------
if command -v parallel > /dev/null 2>&1; then
    set +e
    sh grader/scale/grade-parallel.sh -g "$grader" -n 3 -j 1 "$dir/class" "$dir/par" \
        -- --no-performance > "$dir/par.txt" 2>&1
    rc=$?
    set -e
    check "grade-parallel.sh grades 3 shards and merges them" test "$rc" = 0
    check "its gradebook equals the unsharded one, byte for byte" \
        cmp -s "$dir/par/gradebook.csv" "$dir/full/gradebook.csv"
    check "its shards are the same split" \
        sh -c "for i in 1 2 3; do test \"\$(ls '$dir/par/shard-'\$i/students | LC_ALL=C sort)\" = \
                                     \"\$(cat '$dir/expected-'\$i)\" || exit 1; done"
else
    echo "ok   grade-parallel.sh: SKIPPED: GNU parallel is not installed"
fi

echo "shards: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
