#!/bin/sh
# rescore.sh GRADER DIR -- `grader rescore OUT` (grader/src/scale/rescore.h):
# a class of three graded once (--no-performance), then
#   - rescored with the same config: every file byte-identical to the batch's;
#   - rescored with a config whose points, names, visibility and late policy
#     changed: gradebook.csv, the exports and results.json (without its times)
#     byte-identical to a full regrade (batch --no-cache) with that config,
#     and the student reports too;
#   - refused, writing nothing, with the name of what changed, for a test's
#     limits, a renamed test, a changed trusted source;
#   - rescored and merged with an adjustments file: the scores, reasons,
#     gradebook and exports show them; a later rescore keeps them;
#   - grade --adjustments applies one student's entry.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

step "a private copy of the config and what it names"
rm -rf "$dir/class" "$dir/cache" "$dir/repo" "$dir"/out* "$dir/full-new" "$dir"/*.err \
    "$dir"/*.txt
export GRADER_CACHE="$dir/cache"
mkdir -p "$dir/repo"
cp -r config.yaml harness solutions assignments grader "$dir/repo/"
repo=$dir/repo

step "the class: submitted on time, two days late, or without a time"
sub() {   # sub NAME FILE [TIME]
    mkdir -p "$dir/class/$1" && cp "$2" "$dir/class/$1/kernels.c"
    [ $# -lt 3 ] || echo "$3" > "$dir/class/$1/submitted_at"
}
sub alice "$repo/solutions/kernels/kernels.c" 2026-12-17T12:00:00-05:00
sub bob tests/fixtures/examples/partial/kernels.c 2026-12-17T12:00:00-05:00
sub dave tests/fixtures/examples/broken/kernels.c

# A second config beside the first: other points, a test renamed for the
# reports, a hidden test made visible, a visible one hidden, a category,
# and a late policy (10% a day).
sed -e 's/{id: matmul_baseline\/small, name: "[^"]*", points: 4/{id: matmul_baseline\/small, name: "Small matmuls", points: 9/' \
    -e 's/{id: vectorized\/relu, name: "Vectorized ReLU", points: 4, category: vectorized}/{id: vectorized\/relu, name: "Vectorized ReLU", points: 1, category: simd, visibility: hidden}/' \
    "$repo/config.yaml" > "$repo/config2.yaml"
{ printf '\nlate_policy:\n  due: 2026-12-15T23:59:00-05:00\n'
  printf '  late_due: 2026-12-20T23:59:00-05:00\n  per_day: 10%%\n'; } >> "$repo/config2.yaml"
check "config2 has other points, names, visibility, a category and a late policy" \
    sh -c 'grep -q "name: \"Small matmuls\", points: 9" "$1" && grep -q "category: simd" "$1" &&
           grep -q "^late_policy:" "$1"' - "$repo/config2.yaml"

batch() {   # batch CONFIG OUT [options]
    c=$1 out=$2; shift 2
    "$grader" -c "$c" batch "$dir/class" -o "$dir/$out" -j 2 --no-performance "$@" \
        > "$dir/$out.txt" 2> "$dir/$out.err"
}
rescore() {   # rescore CONFIG OUT [options]: exit status into $rc
    c=$1 out=$2; shift 2
    set +e
    "$grader" -c "$c" rescore "$dir/$out" -j 2 "$@" > "$dir/$out.rescore.txt" \
        2> "$dir/$out.rescore.err"
    rc=$?
    set -e
}
# results.json without the grading's wall-clock times.
notimes() { jq -S 'del(.execution_time, .extra_data.phases_ms)' "$1"; }
tree_sum() { (cd "$1" && find . -type f ! -name .lock | LC_ALL=C sort | xargs sha256sum); }

step "the batch"
batch "$repo/config.yaml" out
check "the batch graded three, one ungradable" \
    grep -q "graded 3, skipped 0 (already graded), ungradable 1, failed 0" "$dir/out.err"
check "every student has outcomes.json" \
    test "$(ls "$dir"/out/students/*/outcomes.json | wc -l)" = 3

step "rescore with the same config"
cp -a "$dir/out" "$dir/out-same"
rescore "$repo/config.yaml" out-same
check "rescore exits 0" test "$rc" = 0
check "  and says it compiled and ran nothing" \
    grep -q "rescored 3 students (0 with adjustments) from their stored outcomes" \
        "$dir/out-same.rescore.err"
check "  every file byte-identical to the batch's (results.json included)" \
    diff -r -x .lock "$dir/out" "$dir/out-same"
check "  the class summary is the batch's" \
    test "$(sed '$d' "$dir/out.txt")" = "$(sed '$d' "$dir/out-same.rescore.txt")"

step "rescore with new points, names, visibility and late policy = a full regrade"
cp -a "$dir/out" "$dir/out-new"
rescore "$repo/config2.yaml" out-new
check "rescore with config2 exits 0" test "$rc" = 0
batch "$repo/config2.yaml" full-new --no-cache
check "the full regrade graded all three" grep -q "graded 3, .*reused 0" "$dir/full-new.err"
for f in gradebook.csv canvas.csv moodle.csv scores-long.csv; do
    check "  $f byte-identical to the full regrade's" cmp -s "$dir/out-new/$f" "$dir/full-new/$f"
done
for s in alice bob dave; do
    check "  $s: results.json equal to the full regrade's but for the times" \
        test "$(notimes "$dir/out-new/students/$s/results.json")" = \
             "$(notimes "$dir/full-new/students/$s/results.json")"
    for f in report.txt report.md gradebook-row.csv report.html; do
        cmp -s "$dir/out-new/students/$s/$f" "$dir/full-new/students/$s/$f" ||
            bad "  $s: $f differs from the full regrade's"
    done
    check "  $s: junit.xml too, but for its times" \
        test "$(sed 's/ time="[^"]*"//' "$dir/out-new/students/$s/junit.xml")" = \
             "$(sed 's/ time="[^"]*"//' "$dir/full-new/students/$s/junit.xml")"
done
check "the new score differs from the old (points and the late policy applied)" \
    test "$(jq .score "$dir/out/students/alice/results.json")" != \
         "$(jq .score "$dir/out-new/students/alice/results.json")"
check "  alice is two days late: 20% penalty" \
    test "$(jq -r '.extra_data.late | "\(.status) \(.days_late) \(.penalty)"' \
            "$dir/out-new/students/alice/results.json")" = "late 2 0.2"
check "  the renamed test's new name is in report.txt" \
    grep -q "Small matmuls" "$dir/out-new/students/alice/report.txt"
check "  the test made hidden is not in the student's report" \
    sh -c 'grep -q "  Vectorized ReLU$" "$1" && ! grep -q "  Vectorized ReLU$" "$2"' - \
        "$dir/out/students/alice/report.txt" "$dir/out-new/students/alice/report.txt"
cp -a "$dir/out-new" "$dir/out-back"
check "rescoring back with the first config gives the batch's files again" \
    sh -c '"$1" -c "$2" rescore "$3" -j 2 > /dev/null 2>&1 && diff -r -x .lock "$4" "$3"' - \
        "$grader" "$repo/config.yaml" "$dir/out-back" "$dir/out"

step "changes that need a regrade are refused, naming what changed"
before=$(tree_sum "$dir/out-same")
refused() {   # refused NAME CONFIG PATTERN
    rescore "$2" out-same
    check "$1: refused with exit 2" test "$rc" = 2
    check "  naming it ($3)" grep -q "$3" "$dir/out-same.rescore.err"
    check "  nothing written" test "$(tree_sum "$dir/out-same")" = "$before"
}
sed 's|    limits: {cpu: 60s, wall: 90s}|    limits: {cpu: 50s, wall: 90s}|' "$repo/config.yaml" > "$repo/limits.yaml"
refused "a test's limits" "$repo/limits.yaml" "limits changed: performance/final"
sed 's/^  cpu: 10s$/  cpu: 9s/' "$repo/config.yaml" > "$repo/deflimits.yaml"
refused "the default limits" "$repo/deflimits.yaml" "limits changed: matmul_baseline/small"
sed 's/^  deduct: 0.25$/  deduct: 0.5/' "$repo/config.yaml" > "$repo/leaks.yaml"
refused "leaks.deduct (the leak notes quote it)" "$repo/leaks.yaml" \
    "how tests run changed: matmul_baseline/small"
sed 's/{id: timing\/seed,/{id: timing\/seed2,/' "$repo/config.yaml" > "$repo/renamed.yaml"
refused "a renamed test" "$repo/renamed.yaml" \
    "tests added: timing/seed2; tests removed: timing/seed"
sed 's/student_cflags: \[-O2,/student_cflags: [-O1,/' "$repo/config.yaml" > "$repo/flags.yaml"
refused "the build flags" "$repo/flags.yaml" "config sections changed: build"
cp -a "$repo" "$dir/repo-src"
echo "/* changed */" >> "$dir/repo-src/harness/kernels/kernels_support.c"
refused "a trusted source" "$dir/repo-src/config.yaml" "config sections changed: sources"
rm -rf "$dir/repo-src"
check "the refusal says to regrade" grep -q "regrade them (batch --force)" \
    "$dir/out-same.rescore.err"
rm "$dir/out-same/students/bob/outcomes.json"
before=$(tree_sum "$dir/out-same")
refused "a student without outcomes.json" "$repo/config.yaml" "bob: no outcomes.json"

step "adjustments through rescore"
cat > "$dir/adjustments.yaml" <<'EOF'
students:
  alice:
    extension:
      due: 2026-12-18T23:59:00-05:00
      reason: "Medical note"
  bob:
    points:
      - {delta: +5, reason: "Good design, reviewed by hand"}
    tests:
      - {test: quantized/relu, score: 2, reason: "Reviewed: rounding is right"}
EOF
cp -a "$dir/out-new" "$dir/out-adj"
rescore "$repo/config2.yaml" out-adj --adjustments "$dir/adjustments.yaml"
check "rescore --adjustments exits 0" test "$rc" = 0
check "  and counts two students adjusted" \
    grep -q "rescored 3 students (2 with adjustments)" "$dir/out-adj.rescore.err"
adjusted_everywhere() {   # adjusted_everywhere OUT: the checks of the adjusted class
    o=$1
    sc() { jq .score "$dir/$o/students/$1/results.json"; }
    check "$o: alice's extension: on time, no penalty" \
        test "$(jq -r .extra_data.late.status "$dir/$o/students/alice/results.json")" = on_time
    check "$o: bob +5 points after the late penalty on what the tests earned" \
        test "$(jq '([.tests[].score] | add) * 0.8 + 5 | . * 100 | round' \
                "$dir/$o/students/bob/results.json")" = \
             "$(jq '.score * 100 | round' "$dir/$o/students/bob/results.json")"
    check "$o: bob's quantized/relu set to 2" \
        test "$(jq '.tests[] | select(.extra_data.id == "quantized/relu") | .score' \
                "$dir/$o/students/bob/results.json")" = 2
    check "$o: the reasons in report.txt, report.md, report.html" \
        sh -c 'grep -q "Good design, reviewed by hand" "$1/report.txt" &&
               grep -q "Good design, reviewed by hand" "$1/report.md" &&
               grep -q "Good design, reviewed by hand" "$1/report.html" &&
               grep -q "Medical note" "$2/report.txt"' - \
            "$dir/$o/students/bob" "$dir/$o/students/alice"
    check "$o: results.json lists them" \
        test "$(jq '.extra_data.adjustments | length' "$dir/$o/students/bob/results.json")" -ge 1
    b=$(sc bob | awk '{ printf "%.2f", $1 }')
    check "$o: gradebook.csv has bob's adjusted score ($b)" \
        grep -q "^\"bob\",\"graded\",$b," "$dir/$o/gradebook.csv"
    check "$o: canvas.csv and moodle.csv have it too" \
        sh -c 'grep -q "^\"bob\",,,\"bob\",,$2\$" "$1/canvas.csv" &&
               grep -q "^\"bob\",$2\$" "$1/moodle.csv"' - "$dir/$o" "$b"
    check "$o: scores-long.csv has the test set by hand" \
        grep -q '^"bob","quantized/relu",2.00,' "$dir/$o/scores-long.csv"
}
adjusted_everywhere out-adj
cp "$dir/out-adj/gradebook.csv" "$dir/adj-gradebook.csv"
rescore "$repo/config2.yaml" out-adj
check "a rescore without --adjustments keeps them" \
    sh -c 'cmp -s "$1/gradebook.csv" "$2" &&
           grep -q "rescored 3 students (2 with adjustments)" "$1.rescore.err"' - \
        "$dir/out-adj" "$dir/adj-gradebook.csv"
printf 'students: {}\n' > "$dir/none.yaml"
rescore "$repo/config2.yaml" out-adj --adjustments "$dir/none.yaml"
check "a rescore with an empty adjustments file takes them off again" \
    cmp -s "$dir/out-adj/gradebook.csv" "$dir/out-new/gradebook.csv"

step "adjustments through merge"
"$grader" -c "$repo/config2.yaml" merge "$dir/out-new" -o "$dir/out-merged" \
    --adjustments "$dir/adjustments.yaml" > "$dir/merge.txt" 2> "$dir/merge.err" || true
check "merge --adjustments: the gradebook equals rescore --adjustments's" \
    cmp -s "$dir/out-merged/gradebook.csv" "$dir/adj-gradebook.csv"
adjusted_everywhere out-merged

step "grade --adjustments"
printf 'students:\n  dave:\n    points:\n      - {delta: 2.5, reason: "Tried hard"}\n' \
    > "$dir/dave.yaml"
"$grader" -c "$repo/config.yaml" grade "$dir/class/dave" -o "$dir/out-grade" --no-performance \
    --adjustments "$dir/dave.yaml" > "$dir/grade.txt" 2>&1
check "grade --adjustments: the ungradable dave gets his 2.5 points" \
    test "$(jq .score "$dir/out-grade/results.json")" = 2.5
check "  with the reason in the printed report and outcomes.json" \
    sh -c 'grep -q "Points: +2.50: Tried hard" "$1" &&
           test "$(jq -r ".adjustments.points[0].reason" "$2")" = "Tried hard"' - \
        "$dir/grade.txt" "$dir/out-grade/outcomes.json"

step "summary"
echo "rescore: $passes passed, $fails failed"
[ "$fails" = 0 ]
