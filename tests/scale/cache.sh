#!/bin/sh
# cache.sh GRADER DIR -- the regrade cache of `batch` (grader/src/scale/cache.h),
# in a private cache root: a first batch grades everyone and reuses none; a
# second batch into a new OUT reuses everyone, byte for byte; a changed key
# always grades again: a changed submission file, a new submission time;
# --no-cache grades everyone, and gives what the cache gave; a broken
# student (ungradable) is reused like the others.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

rm -rf "$dir/class" "$dir/cache" "$dir/repo" "$dir"/out*
export GRADER_CACHE="$dir/cache"
# A private copy of the config and what it names: an edit of the tree while
# the test runs would change every key (rightly) and the counts with it.
mkdir -p "$dir/repo"
cp -r config.yaml harness solutions assignments grader "$dir/repo/"
# A private cache root: the entries counted are this run's own.
mkdir -p "$dir/class/alice" "$dir/class/dave" "$dir/class/zed"
cp "$dir/repo/solutions/kernels/kernels.c" "$dir/class/alice/kernels.c"
cp tests/fixtures/examples/broken/kernels.c "$dir/class/dave/kernels.c"
cp "$dir/repo/solutions/kernels/kernels.c" "$dir/class/zed/kernels.c"

batch() {   # batch OUT [options]: the summary line on stderr into OUT.err
    out=$1; shift
    "$grader" -c "$dir/repo/config.yaml" batch "$dir/class" -o "$dir/$out" -j 2 \
        --no-performance "$@" \
        > "$dir/$out.txt" 2> "$dir/$out.err"
}
summary() { tail -n 1 "$dir/$1.err"; }
# results.json records the grading's times: compared without them.
same_results() {   # same_results OUT1 OUT2 STUDENT
    diff -r -x results.json "$dir/$1/students/$3" "$dir/$2/students/$3" > /dev/null &&
        cmp -s "$dir/$1/students/$3/results.json" "$dir/$2/students/$3/results.json"
}

batch out1
check "a first batch grades all three and reuses none" \
    grep -q "graded 3, skipped 0 (already graded), ungradable 1, failed 0, reused 0" \
        "$dir/out1.err"
check "clean gradings are stored: three entries" \
    test "$(ls "$dir/cache/results" | grep -c '^[0-9a-f]\{64\}$')" = 3

batch out2
check "a second batch into a new OUT reuses all three" \
    grep -q "graded 3, .*reused 3 (regrade cache)" "$dir/out2.err"
identical=1
for s in alice dave zed; do same_results out1 out2 $s || identical=0; done
check "reused results are the stored ones, byte for byte (reports, coverage, results.json)" \
    test $identical = 1
check "the gradebooks are identical" cmp -s "$dir/out1/gradebook.csv" "$dir/out2/gradebook.csv"
check "the progress lines say which were reused" \
    test "$(grep -c "(reused)" "$dir/out2.err")" = 3

# A changed key grades again: one more line in zed's file.
echo "/* one more line */" >> "$dir/class/zed/kernels.c"
batch out3
check "a changed submission file is graded again (the others reused)" \
    grep -q "graded 3, .*reused 2 (regrade cache)" "$dir/out3.err"
check "the one graded again is zed" sh -c "! grep -q 'zed:.*(reused)' '$dir/out3.err'"

# A submission time is part of the key (the late policy may read it).
echo "2026-12-16T10:22:32-08:00" > "$dir/class/alice/submitted_at"
batch out4
check "a new submission time file grades that student again" \
    grep -q "graded 3, .*reused 2 (regrade cache)" "$dir/out4.err"
check "the one graded again is alice" \
    sh -c "grep -q 'alice: [0-9.]*/[0-9.]*\$' '$dir/out4.err' && ! grep -q 'alice:.*(reused)' '$dir/out4.err'"

# --no-cache, and a fresh grading of each against what the cache gave.
"$grader" -c "$dir/repo/config.yaml" batch "$dir/class" -o "$dir/out5" -j 2 --no-cache \
    --no-performance \
    > "$dir/out5.txt" 2> "$dir/out5.err"
check "--no-cache grades everyone" grep -q "graded 3, .*reused 0 (regrade cache)" "$dir/out5.err"
for s in alice dave zed; do
    jq -S 'del(.execution_time, .extra_data.phases_ms)' "$dir/out4/students/$s/results.json" \
        > "$dir/a.json"
    jq -S 'del(.execution_time, .extra_data.phases_ms)' "$dir/out5/students/$s/results.json" \
        > "$dir/b.json"
    check "$s: the reused result equals a fresh grading (results.json without times)" \
        cmp -s "$dir/a.json" "$dir/b.json"
done

echo "cache: $passes passed, $fails failed"
test "$fails" = 0
