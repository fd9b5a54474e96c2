#!/bin/sh
# adjust.sh GRADER DIR -- the instructor's adjustments (docs/instructor-tools.md)
# through `grader batch --adjustments FILE`: a class of four graded under a
# late policy (due 2026-12-15, 10% a day), all four submitted two days
# late.  alice has an extension (on time), bob +5 points, carol a test set
# by hand (2 of its 3 points), dave nothing (the control: 20% lost).  Checks the scores in
# results.json, gradebook.csv and every report, that the reasons are
# shown, and that a bad adjustments file is a file:line:column error
# (exit 2) with nothing graded.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

step "the config with a late policy"
cfgdir="$dir/cfg"
rm -rf "$cfgdir" "$dir/class" "$dir/out" "$dir/never"
mkdir -p "$cfgdir" && for e in "$PWD"/*; do ln -s "$e" "$cfgdir/"; done
rm "$cfgdir/config.yaml"
{ cat config.yaml; printf '\nlate_policy:\n  due: 2026-12-15T23:59:00-05:00\n'
  printf '  late_due: 2026-12-20T23:59:00-05:00\n  per_day: 10%%\n'
} > "$cfgdir/config.yaml"
cfg="$cfgdir/config.yaml"

step "the class"
sub() {   # sub NAME FILE: submitted two days late
    mkdir -p "$dir/class/$1" && cp "$2" "$dir/class/$1/kernels.c"
    echo 2026-12-17T12:00:00-05:00 > "$dir/class/$1/submitted_at"
}
sub alice solutions/kernels/kernels.c
sub bob tests/fixtures/examples/partial/kernels.c
sub carol tests/fixtures/examples/partial/kernels.c
sub dave solutions/kernels/kernels.c

cat > "$dir/adjustments.yaml" <<'EOF'
students:
  alice:
    extension:
      due: 2026-12-18T23:59:00-05:00
      reason: "Medical note <b>"
  bob:
    points:
      - {delta: +5, reason: "Good design, reviewed by hand"}
  carol:
    tests:
      - {test: quantized/relu, score: 2, reason: "Reviewed: rounding is right"}
EOF

step "a bad adjustments file"
printf 'students:\n  bob:\n    points:\n      - {delta: five, reason: x}\n' > "$dir/bad.yaml"
set +e
"$grader" -c "$cfg" batch "$dir/class" -o "$dir/never" -j 2 --no-performance \
    --adjustments "$dir/bad.yaml" > /dev/null 2> "$dir/bad.err"
rc=$?
set -e
check "a bad adjustments file: exit 2" test "$rc" = 2
check "  with file:line:column" \
    grep -q "^$dir/bad.yaml:4:17: invalid points 'five' for 'delta'" "$dir/bad.err"
check "  and nobody graded" test ! -e "$dir/never/students/alice"

step "the batch with adjustments"
"$grader" -c "$cfg" batch "$dir/class" -o "$dir/out" -j 2 --no-performance \
    --adjustments "$dir/adjustments.yaml" > "$dir/out.txt" 2>&1
r() { echo "$dir/$1/students/$2/results.json"; }
q() { jq -r "$2" "$(r out "$1")"; }
earned() { jq '[.tests[].score] | add' "$1"; }
round2() { awk '{ printf "%.2f\n", $1 }'; }

step "dave: no adjustment"
check "dave: 2 days late, 20% lost" \
    test "$(q dave '.extra_data.late.days_late'),$(q dave .score | round2)" = \
         "2,$(earned "$(r out dave)" | awk '{ printf "%.2f\n", $1 * 0.8 }')"
check "dave: results.json has no adjustments" test "$(q dave '.extra_data.adjustments')" = null

step "alice: the extension"
check "alice: on time with the extension, full score" \
    test "$(q alice '.extra_data.late.status'),$(q alice .score | round2)" = \
         "on_time,$(earned "$(r out alice)" | round2)"
check "alice: results.json has the extended due and the reason" \
    test "$(q alice '.extra_data.late.due + " " + .extra_data.adjustments.extension.reason')" = \
         "2026-12-18T23:59:00-05:00 Medical note <b>"
check "alice: report.txt says why" \
    grep -q "^Adjusted: *Extension: due 2026-12-18T23:59:00-05:00: Medical note <b>" \
    "$dir/out/students/alice/report.txt"
check "alice: report.html says why, escaped" \
    grep -q "Extension: due 2026-12-18T23:59:00-05:00: Medical note &lt;b&gt;" \
    "$dir/out/students/alice/report.html"
check "alice: report.md says why" grep -q "Adjusted:.*Medical note" \
    "$dir/out/students/alice/report.md"

step "bob: points"
check "bob: 5 points after the late penalty" \
    test "$(q bob .score | round2)" = "$(earned "$(r out bob)" | awk '{ printf "%.2f\n", $1 * 0.8 + 5 }')"
check "bob: results.json has the delta and the reason" \
    test "$(q bob '.extra_data.adjustments.points[0] | "\(.delta) \(.reason)"')" = \
         "5 Good design, reviewed by hand"
check "bob: the student report shows the reason" \
    grep -q "^Adjusted: *Points: +5.00: Good design, reviewed by hand" \
    "$dir/out/students/bob/report.txt"

step "carol: a test set by hand"
check "carol: quantized/relu is 2 of 3 in results.json" \
    test "$(q carol '.tests[] | select(.name == "Quantized ReLU") | .score')" = 2
check "carol: the score is the tests' sum less 20%" \
    test "$(q carol .score | round2)" = "$(earned "$(r out carol)" | awk '{ printf "%.2f\n", $1 * 0.8 }')"
check "carol: the instructor report names the test" \
    grep -q "Test quantized/relu set by hand to 2.00 (was 0.00): Reviewed" \
    "$dir/out/students/carol/report-instructor.txt"

step "the gradebook"
gb() { grep "^\"\{0,1\}$1\"\{0,1\}," "$dir/out/gradebook.csv" | head -n 1; }
for s in alice bob carol dave; do
    check "gradebook: $s's row has the adjusted score" \
        sh -c "printf '%s\n' '$(gb $s)' | grep -q ',$(q $s .score | round2),'"
done

echo "adjust: $passes passed, $fails failed"
step summary
test "$fails" = 0
