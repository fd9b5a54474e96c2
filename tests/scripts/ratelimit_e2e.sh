#!/bin/sh
# ratelimit_e2e.sh GRADER DIR -- the CI rate limit (grading.max_per_day: 2)
# through `grader grade --metadata FILE`, as Gradescope's run_autograder
# calls it: a third submission in 24 hours is not graded, keeps the last
# score and says why in every output; a second one is graded; the limit
# counts no rate-limited submission; a bad value is file:line:column.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

step "the config with max_per_day: 2"
cfgdir="$dir/cfg"
rm -rf "$cfgdir" "$dir/sub" "$dir/out"
mkdir -p "$cfgdir" && for e in "$PWD"/*; do ln -s "$e" "$cfgdir/"; done
rm "$cfgdir/config.yaml"
sed 's/^grading:$/grading:\n  max_per_day: 2/' config.yaml > "$cfgdir/config.yaml"
grep -q "^  max_per_day: 2" "$cfgdir/config.yaml"
mkdir -p "$dir/sub" && cp assignments/kernels/kernels.c "$dir/sub/kernels.c"

meta() {   # meta FILE PREVIOUS...: each PREVIOUS is TIME:SCORE[:limited]
    f=$1; shift
    { printf '{"created_at": "2026-12-15T12:00:00Z", "users": [{"name": "Ada"}],\n'
      printf ' "previous_submissions": ['
      sep=
      for p in "$@"; do
          t=${p%%Z:*}Z rest=${p#*Z:} score=${rest%%:*} lim=false
          case $rest in *:limited) lim=true ;; esac
          printf '%s\n  {"submission_time": "%s", "score": %s, "results": {"extra_data": {"rate_limited": %s}}}' \
              "$sep" "$t" "$score" "$lim"
          sep=,
      done
      printf ']}\n'; } > "$f"
}

step "a third submission in 24 hours"
meta "$dir/over.json" 2026-12-14T13:00:00Z:4 2026-12-15T09:00:00Z:12.5
set +e
"$grader" -c "$cfgdir/config.yaml" grade "$dir/sub" -o "$dir/out/over" --no-performance \
    --metadata "$dir/over.json" > /dev/null 2> "$dir/over.err"
rc=$?
set -e
r="$dir/out/over/results.json"
check "over the limit: exit 0 (the student's verdict, not the grader's failure)" test "$rc" = 0
check "over the limit: the last score stays (12.5)" test "$(jq .score "$r")" = 12.5
check "over the limit: results.json says rate_limited" \
    test "$(jq '.extra_data.rate_limited' "$r")" = true
check "over the limit: the output says why and when to submit again" \
    sh -c "jq -r .output '$r' | grep -q 'Rate limit: at most 2 graded submissions in 24 hours.*Submit again after 2026-12-15T13:00:00Z'"
check "over the limit: report.txt says why" grep -q "Rate limit: at most 2" "$dir/out/over/report.txt"
check "over the limit: nothing was built" \
    test "$(jq '.extra_data.phases_ms.compile' "$r")" = 0

step "rate-limited submissions do not count"
meta "$dir/under.json" 2026-12-14T12:00:00Z:4 2026-12-15T08:00:00Z:12.5:limited \
    2026-12-15T09:00:00Z:12.5
"$grader" -c "$cfgdir/config.yaml" grade "$dir/sub" -o "$dir/out/under" --no-performance \
    --metadata "$dir/under.json" > /dev/null 2>&1 || true
r="$dir/out/under/results.json"
check "one graded in the window (one outside, one limited): graded" \
    test "$(jq '.extra_data.rate_limited // false' "$r"),$(jq '.extra_data.grader_status' "$r")" = \
         'false,"graded"'

step "a bad max_per_day"
sed 's/^grading:$/grading:\n  max_per_day: 0/' config.yaml > "$cfgdir/config.yaml"
set +e
"$grader" -c "$cfgdir/config.yaml" check-config > /dev/null 2> "$dir/bad.err"
rc=$?
set -e
line=$(grep -n "^  max_per_day: 0" "$cfgdir/config.yaml" | cut -d: -f1)
check "max_per_day: 0 is a config error at its line (exit 2)" \
    sh -c "test $rc = 2 && grep -q '^$cfgdir/config.yaml:$line:[0-9]*: .*max_per_day' '$dir/bad.err'"

echo "ratelimit: $passes passed, $fails failed"
step summary
test "$fails" = 0
