#!/bin/sh
# mutants_test.sh GRADER MUTAGEN DIR -- `grader mutants` end to end on the
# planted cases of tests/fixtures/mutants/ (a tiny assignment, its own
# config and suite, operators aor, ror and del):
#   add           every mutant is killed, by calc/add
#   max0          'x > 0' -> 'x >= 0' is reported equivalent, with the
#                 config's reason; the other ror mutant is killed
#   halve_steps   deleting 'n /= 2;' is a timeout, not a crash of the tool
#   clamp100      'v > 100' -> 'v >= 100' survives, and the reports show
#                 its diff
#   unused_twice  no test calls it: not covered
#   settle        its mutants change nothing it returns, but two wait once
#                 without CPU (a stall of the machine, played): run again,
#                 they survive, not time out
# plus the figures (score, counts, per test), the four report files (the
# HTML parsed by xmllint), a stale equivalent entry, --fail-under, and
# --limit.  Run from the repository root; writes only under DIR.
set -u
grader=$1 mutagen=$2
dir=$(mkdir -p "$3" && cd "$3" && pwd)
cfg=tests/fixtures/mutants/config.yaml
fails=0 passes=0
ok()    { passes=$((passes + 1)); echo "ok   $*"; }
bad()   { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

command -v jq > /dev/null || { echo "FAIL mutants: jq is missing"; exit 1; }
export TMPDIR="$dir/tmp"
rm -rf "$dir/out" "$TMPDIR" && mkdir -p "$TMPDIR"

"$grader" -c "$cfg" mutants --mutagen "$mutagen" -o "$dir/out" -j 2 \
    > "$dir/stdout.txt" 2> "$dir/stderr.txt"
rc=$?
check "grader mutants exits 0 (got $rc: $(tail -2 "$dir/stderr.txt" | tr '\n' ' '))" \
    test "$rc" = 0
json=$dir/out/mutants.json
[ -s "$json" ] || { echo "FAIL mutants: no mutants.json"; exit 1; }

# verdict ID: the verdict of mutant ID; field ID F: one of its fields
verdict() { jq -r --arg id "$1" '.mutants[] | select(.id == $id) | .verdict' "$json"; }
field()   { jq -r --arg id "$1" --arg f "$2" '.mutants[] | select(.id == $id) | .[$f] // ""' "$json"; }
# all_of FUNC VERDICT: every mutant of FUNC has VERDICT (and there is one)
all_of() {
    test "$(jq --arg fn "$1" --arg v "$2" '[.mutants[] | select(.function == $fn)] |
        length > 0 and all(.verdict == $v)' "$json")" = true
}

check "add: every mutant killed" all_of add killed
check "add: killed by calc/add" test "$(field add:aor:1 killed_by)" = calc/add
check "max0: the listed mutant is equivalent" test "$(verdict max0:ror:1)" = equivalent
check "max0: the config's reason is reported" \
    test "$(field max0:ror:1 reason)" = "x > 0 and x >= 0 both give 0 at x = 0"
check "max0: its other ror mutant is killed" test "$(verdict max0:ror:2)" = killed
del_id=$(jq -r '.mutants[] | select(.function == "halve_steps" and .operator == "del" and
    (.description | test("n /= 2"))) | .id' "$json")
check "halve_steps: the deletion of 'n /= 2;' exists" test -n "$del_id"
check "halve_steps: that endless loop is a timeout" test "$(verdict "$del_id")" = timeout
check "clamp100: 'v >= 100' survives" test "$(verdict clamp100:ror:1)" = survived
check "clamp100: its diff shows the line" sh -c \
    "jq -r '.mutants[] | select(.id == \"clamp100:ror:1\") | .diff' '$json' |
     grep -q '^+.*v >= 100'"
check "unused_twice: not covered" all_of unused_twice "not covered"
check "settle: a stall is not a detection (every mutant survives)" all_of settle survived
check "the stale equivalent entry is reported" \
    test "$(jq -r '.stale_equivalent | join(",")' "$json")" = "gone:ror:1"

# The score: detected over non-equivalent, as the counts say.
check "score = (killed + timeout) / (all - equivalent)" test "$(jq '
    (.counts.killed + .counts.timeout) / ((.mutants | length) - .counts.equivalent)
    - .score | fabs < 1e-9' "$json")" = true
check "every unit passes on the reference" \
    test "$(jq '[.units[] | .passes_on_reference] | all' "$json")" = true
check "first kills add up to the killed and timed-out mutants" test "$(jq '
    ([.units[].first_kills] | add) == .counts.killed + .counts.timeout' "$json")" = true

# The reports.
check "mutants.txt lists the survivor with its diff" sh -c \
    "grep -q 'clamp100:ror:1' '$dir/out/mutants.txt' && grep -q '^ *+.*v >= 100' '$dir/out/mutants.txt'"
check "stdout is the text report" cmp -s "$dir/stdout.txt" "$dir/out/mutants.txt"
check "mutants.md has the survivor's diff block" sh -c \
    "grep -q '^\`\`\`diff' '$dir/out/mutants.md' && grep -q 'clamp100:ror:1' '$dir/out/mutants.md'"
if command -v xmllint > /dev/null; then
    check "index.html parses as HTML" xmllint --html --noout "$dir/out/index.html"
fi
check "index.html names the survivor" grep -q 'clamp100:ror:1' "$dir/out/index.html"
check "nothing left in the private TMPDIR" test -z "$(ls -A "$TMPDIR")"

# --operators and --fail-under: aor alone scores 75% (unused_twice's is not
# covered), under 100 -> exit 3; --limit and a score at the threshold -> 0.
"$grader" -c "$cfg" mutants --mutagen "$mutagen" -o "$dir/out2" -j 2 --operators aor \
    --fail-under 100 > /dev/null 2> "$dir/stderr2.txt"
rc=$?
check "--fail-under 100 exits 3 (got $rc: $(tail -1 "$dir/stderr2.txt"))" test "$rc" = 3
check "--operators aor gives aor mutants only" test "$(jq '[.mutants[].operator] |
    length > 0 and all(. == "aor")' "$dir/out2/mutants.json")" = true
"$grader" -c "$cfg" mutants --mutagen "$mutagen" -o "$dir/out3" -j 2 --limit 3 \
    --fail-under 100 > /dev/null 2> "$dir/stderr3.txt"
rc=$?
check "--limit 3 at 100% exits 0 (got $rc: $(tail -1 "$dir/stderr3.txt"))" test "$rc" = 0
check "--limit 3 analyses 3 mutants" test "$(jq '.mutants | length' "$dir/out3/mutants.json")" = 3
"$grader" -c "$cfg" mutants --mutagen /nonexistent/mutagen -o "$dir/out4" > /dev/null 2>&1
rc=$?
check "a missing mutagen is a failure of the tool, exit 1 (got $rc)" test "$rc" = 1

echo "mutants: $passes passed, $fails failed"
[ "$fails" = 0 ]
